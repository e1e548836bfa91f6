//! The outputs of `run` and `record`, built from Falco's output keys: standard output, a
//! file, the local syslog socket, a program, an HTTP(S) endpoint. Each gets its own bounded queue and worker
//! (`falcorc_runtime::output::queue`). What cannot start (a file that cannot be opened, a
//! thread that cannot be spawned) is an error before detection starts.

use falcorc_runtime::config::Config;
use falcorc_runtime::output::OutputQueue;
use falcorc_runtime::output::http::HttpSink;
use falcorc_runtime::output::queue::DEFAULT_CAPACITY;
use falcorc_runtime::output::set::OutputSet;
use falcorc_runtime::output::sink::{FileSink, ProgramSink, Sink, SyslogSink, WriteSink};

/// Every output `config` enables, opened (files, certificates, sockets) but with no
/// worker yet: what cannot open is an error before anything starts, and `run` starts the
/// workers once it has dropped its capabilities (threads inherit them).
pub struct Prepared {
    sinks: Vec<(String, Box<dyn Sink>)>,
    capacity: usize,
}

/// In Falco's order: stdout, file, syslog, program, http.
pub fn prepare(config: &Config) -> Result<Prepared, String> {
    let mut sinks: Vec<(String, Box<dyn Sink>)> = Vec::new();
    if config.stdout {
        sinks.push(("stdout".into(), Box::new(WriteSink::new(stdout_writer()))));
    }
    if let Some(f) = &config.file {
        let sink = FileSink::open(&f.filename)
            .map_err(|e| format!("file_output: cannot open {}: {e}", f.filename.display()))?;
        sinks.push((f.filename.display().to_string(), Box::new(sink)));
    }
    if let Some(s) = &config.syslog {
        sinks.push(("syslog".into(), Box::new(SyslogSink::new(&s.path))));
    }
    if let Some(p) = &config.program {
        sinks.push(("program".into(), Box::new(ProgramSink::new(&p.program, p.keep_alive))));
    }
    if let Some(h) = &config.http {
        sinks.push((h.url.clone(), Box::new(HttpSink::new(h.clone())?)));
    }
    Ok(Prepared {
        sinks,
        capacity: config.queue_capacity,
    })
}

impl Prepared {
    /// A queue and a worker thread for each output.
    pub fn start(self) -> Result<OutputSet, String> {
        let queues = self
            .sinks
            .into_iter()
            .map(|(name, sink)| OutputQueue::with_sink(&name, sink, self.capacity).map_err(thread_error))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(OutputSet::new(queues))
    }
}

/// Standard output alone, with the default queue (`record -r`).
pub fn stdout_only() -> Result<OutputSet, String> {
    let q = OutputQueue::new("stdout", stdout_writer(), DEFAULT_CAPACITY).map_err(thread_error)?;
    Ok(OutputSet::new(vec![q]))
}

/// Standard output through its own descriptor: the worker never holds the lock of Rust's
/// `Stdout`, which the exit path flushes.
fn stdout_writer() -> Box<dyn std::io::Write + Send> {
    use std::os::fd::AsFd;
    match std::io::stdout().as_fd().try_clone_to_owned() {
        Ok(fd) => Box::new(std::fs::File::from(fd)),
        Err(_) => Box::new(std::io::stdout()),
    }
}

fn thread_error(e: std::io::Error) -> String {
    format!("cannot start an output thread: {e}")
}
