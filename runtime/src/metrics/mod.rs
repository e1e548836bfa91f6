//! What `run` reports to Prometheus: a [`Snapshot`] the event loop publishes about once a
//! second, rendered on each scrape in Prometheus' text format with Falco's metric names
//! where the meaning is the same (`falcosecurity_scap_n_evts_total`,
//! `falcosecurity_falco_rules_matches_total`, ...) and falcorc's own under
//! `falcosecurity_falcorc_*`. [`server`] serves it with `/healthz`.

use crate::output::queue::{LATENCY_BOUNDS, Latency};

pub mod server;

use std::fmt::Write;

/// One rule's matches.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RuleCount {
    pub name: String,
    /// Falco's numeric priority (0 emergency .. 7 debug).
    pub priority: u8,
    pub source: String,
    pub tags: Vec<String>,
    pub matches: u64,
    /// Estimated evaluations and time spent evaluating the rule (sampled: see
    /// `engine::costs`), when the engine measures them.
    pub cost: Option<(u64, f64)>,
}

/// One output's delivery.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OutputStat {
    pub name: String,
    pub sent: u64,
    pub dropped: u64,
    pub failed: u64,
    /// Time its worker spent writing (for the mean latency per alert).
    pub write_seconds: f64,
    /// Alerts' latency from made to delivered.
    pub latency: crate::output::queue::Latency,
}

/// Everything a scrape reports, as of one moment of the event loop.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Snapshot {
    pub version: String,
    pub engine_version: String,
    pub kernel_release: String,
    pub hostname: String,
    pub uptime_seconds: f64,
    /// Events read from the probe, lost in its ring buffer, cut for size.
    pub events: u64,
    pub drops_buffer: u64,
    pub drops_oversized: u64,
    /// Failed opens the probe tested and kept in the kernel: no loaded rule can match them.
    pub failed_opens_in_kernel: u64,
    pub threads: u64,
    pub rules: Vec<RuleCount>,
    pub outputs: Vec<OutputStat>,
    pub rss_bytes: Option<u64>,
    pub vsz_bytes: Option<u64>,
    /// CPU time of the process over its wall time.
    pub cpu_ratio: Option<f64>,
    /// Reloads (SIGHUP, a watched file) that took effect, and that failed (the running
    /// configuration and rules stayed).
    pub reloads_ok: u64,
    pub reloads_failed: u64,
    /// The running rules' digest (as `falcorc build` states it for the same files).
    pub ruleset_digest: String,
}

/// Falco's `metrics.*_enabled` switches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MetricsOptions {
    pub rules_counters: bool,
    pub resource_utilization: bool,
    pub state_counters: bool,
    pub kernel_event_counters: bool,
    /// Also rules that never matched (Falco's `include_empty_values`).
    pub include_empty_values: bool,
    /// falcorc's own `rule_costs_enabled`: measure each rule's evaluation cost.
    pub rule_costs: bool,
}

impl Default for MetricsOptions {
    fn default() -> MetricsOptions {
        MetricsOptions {
            rules_counters: true,
            resource_utilization: true,
            state_counters: true,
            kernel_event_counters: true,
            include_empty_values: false,
            rule_costs: true,
        }
    }
}

/// Prometheus' text exposition format (version 0.0.4).
pub fn render(s: &Snapshot, o: &MetricsOptions) -> String {
    let mut out = Prom {
        text: String::with_capacity(4096),
        families: Vec::new(),
    };
    out.metric(
        "falcosecurity_falcorc_version_info",
        "gauge",
        "falcorc's version and the Falco engine version it implements",
        &[vec![
            ("version", s.version.as_str()),
            ("engine_version", &s.engine_version),
            ("hostname", &s.hostname),
        ]],
        &[1.0],
    );
    out.one(
        "falcosecurity_falco_kernel_release_info",
        "gauge",
        "the kernel release",
        &[("kernel_release", &s.kernel_release)],
        1.0,
    );
    out.one(
        "falcosecurity_falco_duration_seconds_total",
        "counter",
        "seconds since detection started",
        &[],
        s.uptime_seconds,
    );
    if o.kernel_event_counters {
        let drops = s.drops_buffer + s.drops_oversized;
        out.one(
            "falcosecurity_scap_n_evts_total",
            "counter",
            "events read from the probe",
            &[],
            s.events as f64,
        );
        out.one(
            "falcosecurity_scap_n_drops_total",
            "counter",
            "events the probe lost",
            &[],
            drops as f64,
        );
        out.one(
            "falcosecurity_scap_n_drops_buffer_total",
            "counter",
            "events lost because the ring buffer was full",
            &[],
            s.drops_buffer as f64,
        );
        out.one(
            "falcosecurity_scap_n_drops_scratch_map_total",
            "counter",
            "events lost because they outgrew the probe's scratch buffer",
            &[],
            s.drops_oversized as f64,
        );
        out.one(
            "falcosecurity_falcorc_failed_opens_in_kernel_total",
            "counter",
            "failed opens the probe kept in the kernel because no loaded rule can match them",
            &[],
            s.failed_opens_in_kernel as f64,
        );
    }
    if o.state_counters {
        out.one(
            "falcosecurity_scap_n_threads_total",
            "gauge",
            "threads in the process table",
            &[],
            s.threads as f64,
        );
    }
    if o.resource_utilization {
        if let Some(v) = s.rss_bytes {
            out.one(
                "falcosecurity_falco_memory_rss_bytes",
                "gauge",
                "resident memory",
                &[],
                v as f64,
            );
        }
        if let Some(v) = s.vsz_bytes {
            out.one(
                "falcosecurity_falco_memory_vsz_bytes",
                "gauge",
                "virtual memory",
                &[],
                v as f64,
            );
        }
        if let Some(v) = s.cpu_ratio {
            out.one(
                "falcosecurity_falco_cpu_usage_ratio",
                "gauge",
                "CPU time over wall time",
                &[],
                v,
            );
        }
    }
    out.one(
        "falcosecurity_falcorc_ruleset_info",
        "gauge",
        "the running rules' digest (a bundle's, or what a bundle of the rules files would state)",
        &[("digest", &s.ruleset_digest)],
        1.0,
    );
    out.metric(
        "falcosecurity_falcorc_reloads_total",
        "counter",
        "reloads of the configuration and rules, by result (failed: the running ones stayed)",
        &[vec![("result", "ok")], vec![("result", "failed")]],
        &[s.reloads_ok as f64, s.reloads_failed as f64],
    );
    let lost: u64 = s.outputs.iter().map(|o| o.dropped).sum();
    out.one(
        "falcosecurity_falco_outputs_queue_num_drops_total",
        "counter",
        "alerts dropped because an output's queue was full",
        &[],
        lost as f64,
    );
    for (name, kind, help, value) in [
        (
            "falcosecurity_falcorc_output_sent_total",
            "counter",
            "alerts an output delivered",
            (|o: &OutputStat| o.sent as f64) as fn(&OutputStat) -> f64,
        ),
        (
            "falcosecurity_falcorc_output_dropped_total",
            "counter",
            "alerts dropped with the output's queue full",
            |o| o.dropped as f64,
        ),
        (
            "falcosecurity_falcorc_output_failed_total",
            "counter",
            "alerts lost to write errors",
            |o| o.failed as f64,
        ),
        (
            "falcosecurity_falcorc_output_write_seconds_total",
            "counter",
            "time spent writing alerts",
            |o| o.write_seconds,
        ),
    ] {
        let labels: Vec<Vec<(&str, &str)>> = s.outputs.iter().map(|o| vec![("output", o.name.as_str())]).collect();
        let values: Vec<f64> = s.outputs.iter().map(value).collect();
        out.metric(name, kind, help, &labels, &values);
    }
    out.histogram(
        "falcosecurity_falcorc_output_latency_seconds",
        "time from an alert being made to its delivery (written and flushed) by the output",
        &s.outputs
            .iter()
            .map(|o| ("output", o.name.as_str(), &o.latency))
            .collect::<Vec<_>>(),
    );
    if o.rules_counters {
        let total: u64 = s.rules.iter().map(|r| r.matches).sum();
        out.one(
            "falcosecurity_falco_rules_matches_total",
            "counter",
            "alerts, all rules",
            &[],
            total as f64,
        );
        let shown: Vec<&RuleCount> = s
            .rules
            .iter()
            .filter(|r| o.include_empty_values || r.matches > 0)
            .collect();
        let priorities: Vec<String> = shown.iter().map(|r| r.priority.to_string()).collect();
        let tags: Vec<Vec<(String, &str)>> = shown
            .iter()
            .map(|r| {
                r.tags
                    .iter()
                    .map(|t| (format!("tag_{}", label_name(t)), "true"))
                    .collect()
            })
            .collect();
        let labels: Vec<Vec<(&str, &str)>> = shown
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut l = vec![
                    ("rule_name", r.name.as_str()),
                    ("priority", priorities[i].as_str()),
                    ("source", r.source.as_str()),
                ];
                l.extend(tags[i].iter().map(|(k, v)| (k.as_str(), *v)));
                l
            })
            .collect();
        let values: Vec<f64> = shown.iter().map(|r| r.matches as f64).collect();
        out.metric(
            "falcosecurity_falco_rules_matches_total",
            "counter",
            "alerts by rule",
            &labels,
            &values,
        );
        // falcorc's own: what each rule costs (estimated from a sample of the events).
        let costed: Vec<(&str, (u64, f64))> = s
            .rules
            .iter()
            .filter_map(|r| Some((r.name.as_str(), r.cost?)))
            .filter(|(_, (n, _))| o.include_empty_values || *n > 0)
            .collect();
        let labels: Vec<Vec<(&str, &str)>> = costed.iter().map(|(name, _)| vec![("rule_name", *name)]).collect();
        out.metric(
            "falcosecurity_falcorc_rule_evaluations_total",
            "counter",
            "evaluations of the rule (estimated from the events sampled for rule costs)",
            &labels,
            &costed.iter().map(|(_, (n, _))| *n as f64).collect::<Vec<_>>(),
        );
        out.metric(
            "falcosecurity_falcorc_rule_evaluation_seconds_total",
            "counter",
            "time spent evaluating the rule, fields it extracts included (estimated from the events sampled for rule costs)",
            &labels,
            &costed.iter().map(|(_, (_, secs))| *secs).collect::<Vec<_>>(),
        );
    }
    out.text
}

struct Prom {
    text: String,
    /// Families whose HELP and TYPE are written.
    families: Vec<&'static str>,
}

impl Prom {
    /// A histogram family: per labelled series, cumulative `_bucket`s up to `+Inf`,
    /// `_sum` and `_count`.
    fn histogram(&mut self, name: &'static str, help: &str, series: &[(&str, &str, &Latency)]) {
        if series.is_empty() {
            return;
        }
        let _ = writeln!(self.text, "# HELP {name} {help}");
        let _ = writeln!(self.text, "# TYPE {name} histogram");
        for (key, value, h) in series {
            let label = format!("{key}=\"{}\"", escape(value));
            let mut cumulative = 0;
            for (i, n) in h.buckets.iter().enumerate() {
                cumulative += n;
                let le = LATENCY_BOUNDS.get(i).map_or("+Inf".to_string(), |b| b.to_string());
                let _ = writeln!(self.text, "{name}_bucket{{{label},le=\"{le}\"}} {cumulative}");
            }
            let _ = writeln!(self.text, "{name}_sum{{{label}}} {}", h.sum_nanos as f64 / 1e9);
            let _ = writeln!(self.text, "{name}_count{{{label}}} {cumulative}");
        }
    }

    fn one(&mut self, name: &'static str, kind: &str, help: &str, labels: &[(&str, &str)], value: f64) {
        self.metric(name, kind, help, &[labels.to_vec()], &[value]);
    }

    /// One metric family: HELP and TYPE once (unless already written), a sample per label set.
    fn metric(&mut self, name: &'static str, kind: &str, help: &str, labels: &[Vec<(&str, &str)>], values: &[f64]) {
        if !self.families.contains(&name) {
            self.families.push(name);
            let _ = writeln!(self.text, "# HELP {name} {help}");
            let _ = writeln!(self.text, "# TYPE {name} {kind}");
        }
        for (l, v) in labels.iter().zip(values) {
            self.text.push_str(name);
            if !l.is_empty() {
                self.text.push('{');
                for (i, (k, val)) in l.iter().enumerate() {
                    if i > 0 {
                        self.text.push(',');
                    }
                    let _ = write!(self.text, "{k}=\"{}\"", escape(val));
                }
                self.text.push('}');
            }
            let _ = writeln!(self.text, " {v}");
        }
    }
}

/// A label value as the format wants it: `\`, `"` and newlines escaped.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// A tag as part of a label name: letters, digits and `_` only.
fn label_name(tag: &str) -> String {
    tag.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// Resident and virtual memory of this process, from /proc/self/statm.
pub fn memory() -> (Option<u64>, Option<u64>) {
    let page = 4096u64;
    let Ok(text) = std::fs::read_to_string("/proc/self/statm") else {
        return (None, None);
    };
    let mut it = text.split_whitespace().map(|n| n.parse::<u64>().ok());
    let vsz = it.next().flatten().map(|p| p * page);
    let rss = it.next().flatten().map(|p| p * page);
    (rss, vsz)
}

/// CPU seconds (user + system) of this process, from /proc/self/stat (clock ticks of 1/100 s).
pub fn cpu_seconds() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which may hold spaces and parentheses.
    let rest = &text[text.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let (utime, stime): (f64, f64) = (f.get(11)?.parse().ok()?, f.get(12)?.parse().ok()?);
    Some((utime + stime) / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot() -> Snapshot {
        Snapshot {
            version: "0.1.0".into(),
            engine_version: "0.63.0".into(),
            kernel_release: "6.1.0".into(),
            hostname: "h".into(),
            uptime_seconds: 12.0,
            events: 1000,
            drops_buffer: 3,
            drops_oversized: 1,
            failed_opens_in_kernel: 7,
            threads: 42,
            rules: vec![
                RuleCount {
                    name: "Read \"shadow\"".into(),
                    priority: 4,
                    source: "syscall".into(),
                    tags: vec!["T1003".into(), "mitre.credential-access".into()],
                    matches: 2,
                    cost: Some((512, 0.000125)),
                },
                RuleCount {
                    name: "quiet".into(),
                    priority: 6,
                    source: "syscall".into(),
                    tags: vec![],
                    matches: 0,
                    cost: Some((0, 0.0)),
                },
            ],
            outputs: vec![OutputStat {
                name: "stdout".into(),
                sent: 2,
                dropped: 5,
                failed: 0,
                write_seconds: 0.25,
                latency: Latency {
                    buckets: [0, 1, 1, 0, 0, 0, 0, 1],
                    sum_nanos: 61_500_000_000,
                },
            }],
            rss_bytes: Some(8192),
            vsz_bytes: None,
            cpu_ratio: Some(0.5),
            reloads_ok: 3,
            reloads_failed: 1,
            ruleset_digest: "sha256:ab".into(),
        }
    }

    #[test]
    fn falcos_names_labels_and_escapes() {
        let text = render(&snapshot(), &MetricsOptions::default());
        for want in [
            "# TYPE falcosecurity_scap_n_evts_total counter\nfalcosecurity_scap_n_evts_total 1000\n",
            "falcosecurity_scap_n_drops_total 4\n",
            "falcosecurity_scap_n_drops_buffer_total 3\n",
            "falcosecurity_falcorc_failed_opens_in_kernel_total 7\n",
            "falcosecurity_falco_outputs_queue_num_drops_total 5\n",
            "falcosecurity_falco_rules_matches_total 2\n",
            "falcosecurity_falco_rules_matches_total{rule_name=\"Read \\\"shadow\\\"\",priority=\"4\",source=\"syscall\",tag_T1003=\"true\",tag_mitre_credential_access=\"true\"} 2\n",
            "falcosecurity_falcorc_output_write_seconds_total{output=\"stdout\"} 0.25\n",
            "falcosecurity_falco_memory_rss_bytes 8192\n",
            "falcosecurity_falcorc_reloads_total{result=\"ok\"} 3\nfalcosecurity_falcorc_reloads_total{result=\"failed\"} 1\n",
            "falcosecurity_falcorc_ruleset_info{digest=\"sha256:ab\"} 1\n",
            "# TYPE falcosecurity_falcorc_output_latency_seconds histogram\n\
             falcosecurity_falcorc_output_latency_seconds_bucket{output=\"stdout\",le=\"0.0001\"} 0\n\
             falcosecurity_falcorc_output_latency_seconds_bucket{output=\"stdout\",le=\"0.001\"} 1\n\
             falcosecurity_falcorc_output_latency_seconds_bucket{output=\"stdout\",le=\"0.01\"} 2\n",
            "falcosecurity_falcorc_output_latency_seconds_bucket{output=\"stdout\",le=\"60\"} 2\n\
             falcosecurity_falcorc_output_latency_seconds_bucket{output=\"stdout\",le=\"+Inf\"} 3\n\
             falcosecurity_falcorc_output_latency_seconds_sum{output=\"stdout\"} 61.5\n\
             falcosecurity_falcorc_output_latency_seconds_count{output=\"stdout\"} 3\n",
            "falcosecurity_falcorc_rule_evaluations_total{rule_name=\"Read \\\"shadow\\\"\"} 512\n",
            "falcosecurity_falcorc_rule_evaluation_seconds_total{rule_name=\"Read \\\"shadow\\\"\"} 0.000125\n",
        ] {
            assert!(text.contains(want), "missing {want:?} in:\n{text}");
        }
        // A family's HELP and TYPE once; a rule that never matched is left out by default.
        assert_eq!(
            text.matches("# TYPE falcosecurity_falco_rules_matches_total").count(),
            1
        );
        assert!(!text.contains("quiet"));
        assert!(!text.contains("vsz"));
        let all = render(
            &snapshot(),
            &MetricsOptions {
                include_empty_values: true,
                resource_utilization: false,
                ..MetricsOptions::default()
            },
        );
        assert!(all.contains("rule_name=\"quiet\""));
        assert!(!all.contains("memory_rss"));
    }

    #[test]
    fn this_process_has_memory_and_cpu_time() {
        let (rss, vsz) = memory();
        assert!(rss.is_some_and(|r| r > 0) && vsz.is_some_and(|v| v >= rss.unwrap()));
        assert!(cpu_seconds().is_some_and(|c| c >= 0.0));
    }
}
