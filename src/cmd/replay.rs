//! `falcorc replay`: run rules over `.scap` captures and print Falco's alerts.

use super::engine::{Format, load_with_other};
use super::selection::Selection;
use super::{EXIT_ERRORS, EXIT_OK, EXIT_USAGE, load_files};
use falcorc_runtime::engine::Selector;
use falcorc_runtime::replay::replay_compared;
use falcorc_runtime::scap::ScapReader;
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    /// Rules files or directories, loaded in order (default, or `@default` among them: the
    /// embedded default ruleset).
    #[arg(short = 'r', long = "rules", num_args = 1)]
    rules: Vec<PathBuf>,
    /// Captures to replay, one after another.
    #[arg(required = true)]
    captures: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    #[command(flatten)]
    selection: Selection,
    /// Host name in alerts (default: $FALCO_HOSTNAME, then this machine's name).
    #[arg(long)]
    hostname: Option<String>,
    /// Print events read, events/s, alerts per rule and where the time went (on stderr).
    #[arg(long)]
    stats: bool,
    /// Also evaluate every event with the other engine, check that both match the same
    /// rules, and time both on the same events (implies --stats). Exits with an error on
    /// any difference.
    #[arg(long)]
    compare_engines: bool,
}

pub fn hostname(flag: Option<String>) -> String {
    flag.or_else(|| std::env::var("FALCO_HOSTNAME").ok().filter(|h| !h.is_empty()))
        .or_else(|| {
            std::fs::read_to_string("/proc/sys/kernel/hostname")
                .ok()
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "localhost".into())
}

pub fn run(a: Args, selectors: Vec<Selector>) -> u8 {
    let loaded = if a.rules.is_empty() {
        Ok(super::default_rules::files())
    } else {
        load_files(&a.rules)
    };
    let files = match loaded {
        Ok(f) => f,
        Err(e) => {
            eprintln!("falcorc: {e}");
            return EXIT_USAGE;
        }
    };
    let loaded = load_with_other(
        files,
        selectors,
        &a.selection,
        a.format,
        "; nothing replayed",
        a.compare_engines,
        &mut super::engine::to_stderr,
    );
    let (engine, other, outputs) = match loaded {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let stats_wanted = a.stats || a.compare_engines;
    let host = hostname(a.hostname);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let show_progress = std::io::stderr().is_terminal() && !stats_wanted;
    let mut code = EXIT_OK;
    for cap in &a.captures {
        let file = match std::fs::File::open(cap) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("falcorc: {}: {e}", cap.display());
                return EXIT_USAGE;
            }
        };
        let total = file.metadata().map(|m| m.len()).unwrap_or(0);
        let consumed = Arc::new(AtomicU64::new(0));
        let counting = Counting {
            inner: file,
            read: consumed.clone(),
        };
        // Reading (and gunzip) on a second thread, parsing and rules on this one.
        let mut reader = match ScapReader::prefetched(counting) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("falcorc: {}: {e}", cap.display());
                return EXIT_USAGE;
            }
        };
        let start = Instant::now();
        let format = a.format;
        let mut sink = |alert: falcorc_runtime::output::Alert| {
            // A process's raw bytes go out as they came in (text; JSON has U+FFFD already).
            let line = format.line(&alert);
            let _ = out.write_all(&falcorc_runtime::raw_text::to_bytes(&line));
            let _ = out.write_all(b"\n");
        };
        let progress = |_offset: u64| {
            if show_progress {
                eprint!("\r{}", progress_bar(consumed.load(Ordering::Relaxed), total));
            }
        };
        let (stats, err) = replay_compared(
            &mut reader,
            &engine,
            other.as_ref(),
            &outputs,
            &host,
            &mut sink,
            progress,
        );
        if show_progress {
            eprint!("\r\x1b[K");
        }
        let _ = out.flush();
        if let Some(e) = err {
            eprintln!("falcorc: {}: {e} (after {} events)", cap.display(), stats.events);
            code = EXIT_ERRORS;
        }
        if let Some((num, ours, theirs)) = &stats.first_difference {
            let names = |rules: &[usize]| {
                let v: Vec<&str> = rules.iter().map(|&i| engine.rule(i).name.as_str()).collect();
                if v.is_empty() {
                    "no rule".to_string()
                } else {
                    v.join(", ")
                }
            };
            eprintln!(
                "falcorc: {}: the engines disagree on {} of {} events; first on event {num}: {} matched {}, {} matched {}",
                cap.display(),
                stats.differences,
                stats.compared,
                engine_name(&engine),
                names(ours),
                other.as_ref().map_or("", engine_name),
                names(theirs),
            );
            code = EXIT_ERRORS;
        }
        if stats_wanted {
            let secs = start.elapsed().as_secs_f64();
            eprintln!("{}:", cap.display());
            eprintln!("  events read:      {}", stats.events);
            eprintln!("  events evaluated: {}", stats.evaluated);
            eprintln!(
                "  throughput:       {:.0} events/s ({:.3} s)",
                stats.events as f64 / secs.max(1e-9),
                secs
            );
            eprintln!("  time reading:     {:.3} s", stats.read_time.as_secs_f64());
            eprintln!("  time evaluating:  {:.3} s", stats.eval_time.as_secs_f64());
            eprintln!(
                "  rule evaluation:  {:.3} s, {:.1} ns/event",
                stats.rules_time.as_secs_f64(),
                stats.rules_time.as_nanos() as f64 / (stats.events as f64).max(1.0)
            );
            if let Some(other) = &other {
                let (ours, theirs) = (stats.rules_time.as_secs_f64(), stats.shadow_rules_time.as_secs_f64());
                let (ratio, verdict) = if ours <= theirs {
                    (theirs / ours.max(1e-12), "faster")
                } else {
                    (ours / theirs.max(1e-12), "slower")
                };
                eprintln!(
                    "  compared with:    {} {theirs:.3} s, {:.1} ns/event, timed on the same events: {} {ratio:.2}x {verdict}",
                    engine_name(other),
                    stats.shadow_rules_time.as_nanos() as f64 / (stats.events as f64).max(1.0),
                    engine_name(&engine),
                );
                eprintln!(
                    "  agreement:        {} of {} evaluated events matched the same rules in both (both engines ran on every event: throughput includes the second)",
                    stats.compared - stats.differences,
                    stats.compared
                );
            }
            eprintln!(
                "  timer overhead:   {} ns per sampled interval (subtracted from the times above)",
                stats.timer_overhead.as_nanos()
            );
            eprintln!("  engine:           {}", engine_summary(&engine));
            eprintln!("  alerts:           {}", stats.total_alerts());
            for (i, n) in stats.alerts.iter().enumerate().filter(|(_, n)| **n > 0) {
                eprintln!("    {n:8}  {}", engine.rule(i).name);
            }
        }
    }
    code
}

/// `jit` or `interpreter`.
fn engine_name(engine: &falcorc_runtime::engine::Engine) -> &'static str {
    #[cfg(feature = "jit")]
    if engine.jit_stats().is_some() {
        return "jit";
    }
    "interpreter"
}

/// The back end, and for native code what compiling the ruleset took.
fn engine_summary(engine: &falcorc_runtime::engine::Engine) -> String {
    #[cfg(feature = "jit")]
    if let Some(s) = engine.jit_stats() {
        return format!(
            "jit ({} functions compiled in {:.1} ms; comparisons: {} inline, {} helper calls, {} interpreted; \
             {} multi-pattern ors, at most {} patterns)",
            s.functions,
            s.compile_time.as_secs_f64() * 1e3,
            s.code.inline,
            s.code.helper,
            s.code.fallback,
            s.code.multi_pattern_ors,
            s.code.multi_pattern_max
        );
    }
    "interp".to_string()
}

/// Counts the bytes taken from the file (compressed or not), for the progress bar.
struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// `[##########..........]  50%  12.3 of 24.6 MB`
fn progress_bar(done: u64, total: u64) -> String {
    const WIDTH: u64 = 30;
    let total = total.max(1);
    let filled = (done.min(total) * WIDTH / total) as usize;
    format!(
        "[{}{}] {:3}%  {:.1} of {:.1} MB",
        "#".repeat(filled),
        ".".repeat(WIDTH as usize - filled),
        done.min(total) * 100 / total,
        done as f64 / 1e6,
        total as f64 / 1e6
    )
}

#[cfg(test)]
mod tests {
    use super::progress_bar;

    #[test]
    fn bar() {
        assert_eq!(
            progress_bar(0, 100),
            "[..............................]   0%  0.0 of 0.0 MB"
        );
        assert!(progress_bar(50, 100).starts_with("[###############...............]  50%"));
        assert!(progress_bar(200, 100).starts_with("[##############################] 100%"));
        assert!(
            progress_bar(5, 0).contains("100%"),
            "an empty file does not divide by zero"
        );
    }
}
