//! `run`'s web server (Falco's `webserver`, `metrics`): started before the probe so that a
//! port already in use is an error before anything starts; the event loop publishes a
//! metrics snapshot about once a second.

use super::live::Rules;
use falcorc_compiler::sema::version::ENGINE_VERSION;
use falcorc_runtime::config::Config;
use falcorc_runtime::metrics::server::{self, Published, WebOptions};
use falcorc_runtime::metrics::{self, OutputStat, RuleCount, Snapshot};
use falcorc_runtime::output::set::OutputSet;
use falcorc_runtime_ebpf::wire::Counters;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Web {
    published: Published,
    started: Instant,
    last: Option<Instant>,
    kernel_release: String,
}

/// The web server's socket, bound and not served yet.
pub struct Bound {
    listener: std::net::TcpListener,
    opts: WebOptions,
}

/// Binds the web server's address if the configuration enables it (a port in use is an
/// error before anything starts).
pub fn bind(config: &Config) -> Result<Option<Bound>, String> {
    let Some(w) = &config.webserver else { return Ok(None) };
    let listener = std::net::TcpListener::bind(&w.address)
        .map_err(|e| format!("webserver: cannot listen on {}: {e}", w.address))?;
    let opts = WebOptions {
        healthz: w.healthz.clone(),
        metrics: config.metrics.filter(|_| w.prometheus),
    };
    Ok(Some(Bound { listener, opts }))
}

impl Bound {
    /// Serves on a thread of its own; the address it listens on.
    pub fn serve(self) -> Result<(Web, std::net::SocketAddr), String> {
        let published: Published = Arc::new(Mutex::new(Snapshot::default()));
        let addr = server::serve(self.listener, self.opts, published.clone())
            .map_err(|e| format!("webserver: cannot start: {e}"))?;
        let kernel_release = std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|s| s.trim().to_string())
            .unwrap_or_default();
        let web = Web {
            published,
            started: Instant::now(),
            last: None,
            kernel_release,
        };
        Ok((web, addr))
    }
}

/// What the loop knows, for one snapshot.
pub struct Now<'a> {
    pub events: u64,
    pub counters: &'a Counters,
    pub threads: usize,
    pub rules: &'a Rules,
    pub outputs: &'a OutputSet,
    /// Reloads switched to, and failed.
    pub reloads: (u64, u64),
}

impl Web {
    /// Whether a second passed since the last snapshot.
    pub fn due(&self) -> bool {
        self.last.is_none_or(|t| t.elapsed() >= Duration::from_secs(1))
    }

    /// Publishes a new snapshot.
    pub fn publish(&mut self, now: &Now<'_>) {
        self.last = Some(Instant::now());
        let uptime = self.started.elapsed().as_secs_f64();
        let (rss_bytes, vsz_bytes) = metrics::memory();
        let program = &now.rules.engine.program;
        let costs = now.rules.engine.rule_costs().map(|(_, c)| c);
        let snapshot = Snapshot {
            version: env!("CARGO_PKG_VERSION").into(),
            engine_version: ENGINE_VERSION.to_string(),
            kernel_release: self.kernel_release.clone(),
            hostname: now.rules.hostname.clone(),
            uptime_seconds: uptime,
            events: now.events,
            drops_buffer: now.counters.drops,
            drops_oversized: now.counters.oversized,
            failed_opens_in_kernel: now.counters.failed_opens,
            threads: now.threads as u64,
            rules: program
                .rules
                .iter()
                .zip(&now.rules.alerts)
                .enumerate()
                .map(|(i, (r, n))| RuleCount {
                    name: r.name.clone(),
                    priority: r.priority.level(),
                    source: r.source.clone(),
                    tags: r.tags.clone(),
                    matches: *n,
                    cost: costs
                        .as_ref()
                        .and_then(|c| c.get(i))
                        .map(|c| (c.evaluations, c.seconds)),
                })
                .collect(),
            outputs: now
                .outputs
                .queues()
                .iter()
                .map(|q| {
                    let c = q.counters();
                    OutputStat {
                        name: q.name().to_string(),
                        sent: c.sent,
                        dropped: c.dropped,
                        failed: c.failed,
                        write_seconds: c.write_nanos as f64 / 1e9,
                        latency: c.latency,
                    }
                })
                .collect(),
            rss_bytes,
            vsz_bytes,
            cpu_ratio: metrics::cpu_seconds().map(|c| c / uptime.max(1e-3)),
            reloads_ok: now.reloads.0,
            reloads_failed: now.reloads.1,
            ruleset_digest: now.rules.digest.clone(),
        };
        *self.published.lock().unwrap_or_else(|p| p.into_inner()) = snapshot;
    }
}
