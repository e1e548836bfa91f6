//! The outputs of `run` and `record`, built from Falco's output keys: standard output, a
//! file, the local syslog socket, a program, an HTTP(S) endpoint. Each gets its own bounded queue and worker
//! (`falcorc_runtime::output::queue`). What cannot start (a file that cannot be opened, a
//! thread that cannot be spawned) is an error before detection starts.

use falcorc_runtime::config::Config;
use falcorc_runtime::output::OutputQueue;
use falcorc_runtime::output::http::HttpSink;
use falcorc_runtime::output::queue::DEFAULT_CAPACITY;
use falcorc_runtime::output::set::OutputSet;
use falcorc_runtime::output::sink::{FileSink, ProgramSink, Sink, SyslogSink};

/// Every output `config` enables, in Falco's order: stdout, file, syslog, program, http.
pub fn open(config: &Config) -> Result<OutputSet, String> {
    let cap = config.queue_capacity;
    let mut queues = Vec::new();
    if config.stdout {
        queues.push(stdout(cap)?);
    }
    if let Some(f) = &config.file {
        let sink = FileSink::open(&f.filename)
            .map_err(|e| format!("file_output: cannot open {}: {e}", f.filename.display()))?;
        queues.push(start(&f.filename.display().to_string(), Box::new(sink), cap)?);
    }
    if let Some(s) = &config.syslog {
        queues.push(start("syslog", Box::new(SyslogSink::new(&s.path)), cap)?);
    }
    if let Some(p) = &config.program {
        let sink = ProgramSink::new(&p.program, p.keep_alive);
        queues.push(start("program", Box::new(sink), cap)?);
    }
    if let Some(h) = &config.http {
        let sink = HttpSink::new(h.clone())?;
        queues.push(start(&h.url, Box::new(sink), cap)?);
    }
    Ok(OutputSet::new(queues))
}

/// Standard output alone, with the default queue (`record -r`).
pub fn stdout_only() -> Result<OutputSet, String> {
    Ok(OutputSet::new(vec![stdout(DEFAULT_CAPACITY)?]))
}

/// Standard output through its own descriptor: the worker never holds the lock of Rust's
/// `Stdout`, which the exit path flushes.
fn stdout(capacity: usize) -> Result<OutputQueue, String> {
    use std::os::fd::AsFd;
    let writer: Box<dyn std::io::Write + Send> = match std::io::stdout().as_fd().try_clone_to_owned() {
        Ok(fd) => Box::new(std::fs::File::from(fd)),
        Err(_) => Box::new(std::io::stdout()),
    };
    OutputQueue::new("stdout", writer, capacity).map_err(thread_error)
}

fn start(name: &str, sink: Box<dyn Sink>, capacity: usize) -> Result<OutputQueue, String> {
    OutputQueue::with_sink(name, sink, capacity).map_err(thread_error)
}

fn thread_error(e: std::io::Error) -> String {
    format!("cannot start an output thread: {e}")
}
