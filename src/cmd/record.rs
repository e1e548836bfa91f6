//! `falcorc record`: write live events to a .scap capture, with the process table, fds,
//! users and interfaces at start; all processes, or only COMMAND and its descendants.
//! With `-r`, the rules also run on the recorded events and alerts are printed (through
//! the same bounded output queue as `falcorc run`), which is what `falcorc replay` of
//! the file prints too.

use super::live::{
    Format, OutputWatch, Rules, StatsClock, compile, finish_output, ignore_sigpipe, parse_seconds, read_rules,
    report_output,
};
use super::log::{self, Log};
use super::run::parse_buffer_mb;
use super::selection::Selection;
use super::{EXIT_ERRORS, EXIT_OK, EXIT_USAGE};
use falcorc_runtime::engine::Selector;
use falcorc_runtime::event::Event;
use falcorc_runtime::output::set::OutputSet;
use falcorc_runtime::scap::ScapWriter;
use falcorc_runtime_ebpf::probe::ProbeOptions;
use falcorc_runtime_ebpf::session::{POLL_INTERVAL, Session};
use falcorc_runtime_ebpf::{signals, syscalls};
use std::collections::HashSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct Args {
    /// Capture file to write (gzip-compressed when it ends in `.gz`).
    #[arg(short = 'o', long = "output")]
    output: PathBuf,
    /// Stop after this many seconds (greater than 0, at most 31536000: one year; default:
    /// when COMMAND exits, or on SIGINT/SIGTERM, which stop it within 1 s). A running
    /// COMMAND is passed the signal (SIGTERM at the end of the duration) and given 1 s to
    /// exit, then killed; falcorc exits with its status (128 + N for signal N).
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds, allow_negative_numbers = true)]
    duration: Option<Duration>,
    /// Also evaluate these rules on the recorded events and print the alerts.
    #[arg(short = 'r', long = "rules", num_args = 1)]
    rules: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    #[command(flatten)]
    selection: Selection,
    /// Host name in alerts.
    #[arg(long)]
    hostname: Option<String>,
    /// Ring buffer size in MiB (a power of two).
    #[arg(long, default_value_t = 8, value_parser = parse_buffer_mb)]
    buffer_mb: u32,
    /// Command to run and record (with its descendants); after `--`.
    #[arg(last = true)]
    command: Vec<String>,
}

/// The threads of the recorded command: its own and every descendant's, learned from
/// clone events (in the parent, the result is the child; in the child, its parent ids).
struct Descendants {
    tids: HashSet<i64>,
}

impl Descendants {
    fn admits(&mut self, ev: &Event<'_>) -> bool {
        let tid = ev.tid as i64;
        let name = ev.name();
        if matches!(name, "clone" | "clone3" | "fork" | "vfork") {
            let int = |i| ev.param(i).and_then(|p| p.as_i64());
            match int(0) {
                Some(child) if child > 0 && self.tids.contains(&tid) => {
                    self.tids.insert(child);
                }
                Some(0) if [int(4), int(5)].iter().flatten().any(|p| self.tids.contains(p)) => {
                    self.tids.insert(tid);
                }
                _ => {}
            }
        }
        self.tids.contains(&tid)
    }
}

pub fn run(a: Args, selectors: Vec<Selector>) -> u8 {
    let mut rules: Option<Rules> = if a.rules.is_empty() {
        None
    } else {
        let say = &mut super::engine::to_stderr;
        let compiled = read_rules(&a.rules, "", say).and_then(|files| {
            compile(
                files,
                selectors,
                &a.selection,
                a.format.style(),
                a.hostname.clone(),
                "",
                say,
            )
        });
        match compiled {
            Ok(r) => Some(r),
            Err(code) => return code,
        }
    };
    signals::install();
    ignore_sigpipe();
    let mut log = Log::stderr();
    let mut session = match Session::start(&ProbeOptions {
        filter: syscalls::Filter::everything(),
        ring_bytes: a.buffer_mb << 20,
        timing: false,
    }) {
        Ok(s) => s,
        Err(e) => {
            return log.abort(format!("falcorc: {e}"), EXIT_ERRORS);
        }
    };
    let gzip = a.output.extension().is_some_and(|e| e == "gz");
    let mut writer = match ScapWriter::create(&a.output, gzip) {
        Ok(w) => w,
        Err(e) => {
            return log.abort(format!("falcorc: {}: {e}", a.output.display()), EXIT_USAGE);
        }
    };
    if let Err(e) = session.write_metadata(&mut writer) {
        return log.abort(format!("falcorc: {}: {e}", a.output.display()), EXIT_ERRORS);
    }
    let mut tracker = match session.tracker() {
        Ok(t) => t,
        Err(e) => {
            return log.abort(format!("falcorc: cannot seed the state from /proc: {e}"), EXIT_ERRORS);
        }
    };
    if let Some(r) = &rules {
        tracker.set_hostname(r.hostname.clone());
    }
    let mut child = None;
    let mut only = None;
    if let Some((prog, args)) = a.command.split_first() {
        match std::process::Command::new(prog).args(args).spawn() {
            Ok(c) => {
                only = Some(Descendants {
                    tids: HashSet::from([c.id() as i64]),
                });
                child = Some(c);
            }
            Err(e) => {
                // Nothing of the command was recorded: no capture file is left behind.
                drop(writer);
                let _ = std::fs::remove_file(&a.output);
                return log.abort(format!("falcorc: cannot run {prog}: {e}"), EXIT_USAGE);
            }
        }
    }
    // Alerts only with rules: no writer thread otherwise.
    let mut out = match &rules {
        Some(_) => match super::outputs::stdout_only() {
            Ok(q) => Some(q),
            Err(e) => {
                return log.abort(format!("falcorc: {e}"), EXIT_ERRORS);
            }
        },
        None => None,
    };
    let mut watch = OutputWatch::new();
    // At most a year (parse_seconds): the sum cannot overflow.
    let until = a.duration.and_then(|d| Instant::now().checked_add(d));
    let mut written = 0u64;
    let mut write_error = None;
    let mut exit_status = None;
    let mut child_done_at: Option<Instant> = None;
    let mut lookups = falcorc_runtime_ebpf::lookup::Lookups::new("/proc");
    let mut handle = |ev: &Event<'_>, out: &mut Option<OutputSet>| {
        if only.as_mut().is_some_and(|d| !d.admits(ev)) {
            return;
        }
        // A thread the stream never introduced is read from /proc and written before its
        // first event, so the recording replays from the state the live session had.
        if let Some(found) = lookups.before(&mut tracker, ev)
            && write_error.is_none()
            && let Err(e) = writer
                .write_threads(&found.threads)
                .and_then(|()| writer.write_fd_table(&found.fds))
        {
            write_error = Some(e);
        }
        if write_error.is_none() {
            match writer.write(ev) {
                Ok(()) => written += 1,
                Err(e) => write_error = Some(e),
            }
        }
        // The tracker follows every event, rules or not: it tells which threads are new.
        match (rules.as_mut(), out.as_mut()) {
            (Some(r), Some(out)) => r.on_event(&mut tracker, ev, out),
            _ => tracker.on_event(ev, |_| {}),
        }
    };
    let stats = StatsClock::new();
    // When the command was told to stop (our stop signal passed on, or the end of
    // `--duration`): it gets COMMAND_GRACE to exit, then SIGKILL.
    let mut told = Told::No;
    loop {
        session.poll(POLL_INTERVAL, |ev| handle(ev, &mut out));
        let stop = signals::stop_requested() || until.is_some_and(|u| Instant::now() >= u);
        match child.as_mut() {
            Some(c) if stop && child_done_at.is_none() => match told {
                Told::No => {
                    let sig = signals::stop_signal().unwrap_or(libc::SIGTERM);
                    // SAFETY: signalling the child we spawned (not yet reaped: its pid is ours).
                    unsafe { libc::kill(c.id() as i32, sig) };
                    told = Told::At(Instant::now());
                }
                Told::At(t) if t.elapsed() >= COMMAND_GRACE => {
                    let _ = c.kill();
                    log.line("falcorc: the command did not stop within 1 s; killed".into());
                    told = Told::Killed;
                }
                Told::At(_) | Told::Killed => {}
            },
            _ if stop => break,
            _ => {}
        }
        if let Some(out) = &out {
            watch.check(out, &mut log);
        }
        if let Some(c) = child.as_mut()
            && child_done_at.is_none()
            && let Ok(Some(status)) = c.try_wait()
        {
            exit_status = Some(status);
            child_done_at = Some(Instant::now());
        }
        // After the command exits, give its last events time to arrive.
        if child_done_at.is_some_and(|t| t.elapsed() >= Duration::from_millis(300)) {
            break;
        }
    }
    let stopped_at = Instant::now();
    session.poll(Duration::ZERO, |ev| handle(ev, &mut out));
    let counters = session.counters();
    drop(session);
    if let Some(out) = out.take() {
        report_output(&finish_output(out, stopped_at), &mut log);
    }
    let finished = writer.finish();
    if let Some(e) = write_error.or(finished.err()) {
        return log.abort(format!("falcorc: {}: {e}", a.output.display()), EXIT_ERRORS);
    }
    log.line(format!(
        "falcorc: recorded {written} events to {} in {:.1} s ({} dropped by the kernel ring buffer)",
        a.output.display(),
        stats.started_at().elapsed().as_secs_f64(),
        counters.drops
    ));
    super::live::report_lookups(&lookups, &mut log);
    let code = match exit_status {
        Some(s) if !s.success() => {
            log.line(format!("falcorc: the command exited with {s}"));
            command_exit_code(s)
        }
        _ => EXIT_OK,
    };
    log.finish(Instant::now() + log::FLUSH);
    code
}

/// Whether the recorded command was told to stop.
enum Told {
    No,
    At(Instant),
    Killed,
}

/// How long the recorded command has to exit once told to stop.
const COMMAND_GRACE: Duration = Duration::from_secs(1);

/// The command's status as a shell reports it: its exit code, or 128 + the signal that
/// ended it.
fn command_exit_code(s: std::process::ExitStatus) -> u8 {
    use std::os::unix::process::ExitStatusExt;
    match (s.code(), s.signal()) {
        (Some(c), _) => c as u8,
        (None, Some(sig)) => (128 + sig).clamp(0, 255) as u8,
        _ => super::EXIT_ERRORS,
    }
}

#[cfg(test)]
mod tests {
    use super::Descendants;
    use falcorc_runtime::event::{encode_record, parse_record};
    use std::collections::HashSet;

    /// A clone exit (code 223) of `tid` returning `res`, with pid and ptid parameters.
    fn clone_exit(tid: u64, res: i64, pid: i64, ptid: i64) -> Vec<u8> {
        let (r, p, pp) = (res.to_le_bytes(), pid.to_le_bytes(), ptid.to_le_bytes());
        encode_record(1, tid, 223, &[&r, b"sh\0", b"", &(tid as i64).to_le_bytes(), &p, &pp]).expect("record")
    }

    fn admits(d: &mut Descendants, rec: &[u8]) -> bool {
        let (ev, _) = parse_record(rec, true).expect("parses");
        d.admits(&ev)
    }

    #[test]
    fn descendants_are_learned_from_clone_events() {
        let mut d = Descendants {
            tids: HashSet::from([100]),
        };
        assert!(admits(&mut d, &clone_exit(100, 101, 100, 1)), "the command's own clone");
        assert!(d.tids.contains(&101), "its child, from the parent's side");
        assert!(
            admits(&mut d, &clone_exit(102, 0, 102, 101)),
            "a grandchild seen from its own side"
        );
        assert!(!admits(&mut d, &clone_exit(200, 201, 200, 1)), "an unrelated process");
        assert!(!d.tids.contains(&201));
        let before = d.tids.len();
        assert!(
            admits(&mut d, &clone_exit(100, -11, 100, 1)),
            "a failed clone is still the command's event"
        );
        assert_eq!(d.tids.len(), before, "but adds no thread");
    }
}
