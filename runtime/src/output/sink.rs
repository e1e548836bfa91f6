//! Where an output queue's worker puts alert lines: any writer (standard output), a file
//! reopened on request (log rotation), the local syslog socket, or a program fed on its
//! standard input. Each runs on its output's own worker thread, so it may block.

use crate::raw_text::to_bytes;
use std::io::{self, BufWriter, Write};
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Arc;

/// The worker's own buffer: lines are written into it and flushed whenever the queue runs
/// empty, so a burst costs a few large writes and a lone alert is written at once.
pub const WRITE_BUFFER: usize = 64 * 1024;

/// Syslog severity of an alert without one (LOG_INFO).
pub const LEVEL_INFO: u8 = 6;

/// One alert line (no newline), shared by every output it goes to, and its syslog
/// severity (0 emergency .. 7 debug, as Falco maps priorities).
#[derive(Clone, Debug)]
pub struct Line {
    pub level: u8,
    pub text: Arc<str>,
    /// When the alert was made: each output measures its latency from here.
    pub made: std::time::Instant,
}

impl Line {
    /// A line made now.
    pub fn new(level: u8, text: impl Into<Arc<str>>) -> Line {
        Line {
            level,
            text: text.into(),
            made: std::time::Instant::now(),
        }
    }
}

/// Falco's priority names (long or short, any case) to syslog severities.
pub fn level_of(priority: &str) -> u8 {
    match priority.to_ascii_lowercase().as_str() {
        "emergency" => 0,
        "alert" => 1,
        "critical" => 2,
        "error" => 3,
        "warning" => 4,
        "notice" => 5,
        "debug" => 7,
        _ => LEVEL_INFO,
    }
}

pub trait Sink: Send {
    fn write_line(&mut self, line: &Line) -> io::Result<()>;
    /// The queue ran empty: push out what is buffered.
    fn flush(&mut self) -> io::Result<()>;
    /// Close and open again (SIGHUP); a no-op where it means nothing.
    fn reopen(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Lines with a newline, through a buffer, into any writer.
pub struct WriteSink {
    out: BufWriter<Box<dyn Write + Send>>,
}

impl WriteSink {
    pub fn new(writer: Box<dyn Write + Send>) -> WriteSink {
        WriteSink {
            out: BufWriter::with_capacity(WRITE_BUFFER, writer),
        }
    }
}

impl Sink for WriteSink {
    fn write_line(&mut self, line: &Line) -> io::Result<()> {
        self.out.write_all(&to_bytes(&line.text))?;
        self.out.write_all(b"\n")
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Falco's `file_output`: lines appended to a file, created if missing (mode 0644 less the
/// umask), closed and opened again on [`Sink::reopen`] so a rotated log starts anew.
pub struct FileSink {
    path: PathBuf,
    out: Option<BufWriter<std::fs::File>>,
}

impl FileSink {
    /// Opens `path` now, so that a path that cannot be written is an error at start.
    pub fn open(path: &Path) -> io::Result<FileSink> {
        let mut s = FileSink {
            path: path.to_path_buf(),
            out: None,
        };
        s.reopen()?;
        Ok(s)
    }
}

impl Sink for FileSink {
    fn write_line(&mut self, line: &Line) -> io::Result<()> {
        if self.out.is_none() {
            // The last reopen failed: try again rather than lose every later alert.
            self.reopen()?;
        }
        let out = self.out.as_mut().ok_or_else(|| io::Error::other("file not open"))?;
        out.write_all(&to_bytes(&line.text))?;
        out.write_all(b"\n")
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.as_mut().map_or(Ok(()), |o| o.flush())
    }

    fn reopen(&mut self) -> io::Result<()> {
        if let Some(mut old) = self.out.take() {
            old.flush()?;
        }
        let f = std::fs::OpenOptions::new().create(true).append(true).open(&self.path)?;
        self.out = Some(BufWriter::with_capacity(WRITE_BUFFER, f));
        Ok(())
    }
}

/// Falco's `syslog_output`: one datagram per alert to the local syslog socket, facility
/// user, the alert's severity, tag `falco` (as Falco's `syslog(3)` calls show, so that
/// existing filters keep working). The receiver stamps the time.
pub struct SyslogSink {
    path: PathBuf,
    socket: Option<UnixDatagram>,
}

/// LOG_USER.
const FACILITY_USER: u8 = 1;

impl SyslogSink {
    pub fn new(path: &Path) -> SyslogSink {
        SyslogSink {
            path: path.to_path_buf(),
            socket: None,
        }
    }

    fn connect(&mut self) -> io::Result<&UnixDatagram> {
        if self.socket.is_none() {
            let s = UnixDatagram::unbound()?;
            s.connect(&self.path)?;
            self.socket = Some(s);
        }
        self.socket.as_ref().ok_or_else(|| io::Error::other("not connected"))
    }
}

impl Sink for SyslogSink {
    fn write_line(&mut self, line: &Line) -> io::Result<()> {
        let msg = format!("<{}>falco: {}", FACILITY_USER * 8 + line.level.min(7), line.text);
        let sent = self.connect().and_then(|s| s.send(&to_bytes(&msg)));
        if sent.is_err() {
            // The syslog daemon restarted (a new socket): connect again next time.
            self.socket = None;
        }
        sent.map(|_| ())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Falco's `program_output`: the program runs through `sh -c` with alerts on its standard
/// input. `keep_alive`: one program for every alert, started again if it exits; else one
/// program per alert (Falco's default), which gets the line, end of input, and is waited for.
pub struct ProgramSink {
    program: String,
    keep_alive: bool,
    child: Option<(Child, BufWriter<ChildStdin>)>,
}

impl ProgramSink {
    pub fn new(program: &str, keep_alive: bool) -> ProgramSink {
        ProgramSink {
            program: program.to_string(),
            keep_alive,
            child: None,
        }
    }

    fn spawn(&self) -> io::Result<(Child, BufWriter<ChildStdin>)> {
        let mut child = Command::new("/bin/sh")
            .arg("-c")
            .arg(&self.program)
            .stdin(Stdio::piped())
            .spawn()?;
        let stdin = child
            .stdin
            .take()
            .ok_or_else(|| io::Error::other("the program has no standard input"))?;
        Ok((child, BufWriter::with_capacity(WRITE_BUFFER, stdin)))
    }

    /// Ends the running program: end of input, then wait for it.
    fn close(&mut self) -> io::Result<()> {
        if let Some((mut child, mut stdin)) = self.child.take() {
            let flushed = stdin.flush();
            drop(stdin);
            child.wait()?;
            flushed?;
        }
        Ok(())
    }
}

impl Sink for ProgramSink {
    fn write_line(&mut self, line: &Line) -> io::Result<()> {
        // A kept-alive program that exited is started again.
        if let Some((child, _)) = &mut self.child
            && child.try_wait().ok().flatten().is_some()
        {
            let _ = self.close();
        }
        if self.child.is_none() {
            self.child = Some(self.spawn()?);
        }
        let write = |(_, stdin): &mut (Child, BufWriter<ChildStdin>)| {
            stdin.write_all(&to_bytes(&line.text))?;
            stdin.write_all(b"\n")
        };
        let written = self.child.as_mut().map_or(Ok(()), write);
        if written.is_err() {
            let _ = self.close();
            return written;
        }
        if !self.keep_alive {
            self.close()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.child {
            Some((_, stdin)) => {
                let r = stdin.flush();
                if r.is_err() {
                    let _ = self.close();
                }
                r
            }
            None => Ok(()),
        }
    }
}

impl Drop for ProgramSink {
    /// The program gets its end of input and is waited for (the worker ends at exit).
    fn drop(&mut self) {
        let _ = self.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str, level: u8) -> Line {
        Line::new(level, text)
    }

    fn temp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("falcorc-sink-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn a_file_appends_and_starts_anew_after_rotation() {
        let d = temp("file");
        let p = d.join("alerts.log");
        std::fs::write(&p, "before\n").unwrap();
        let mut s = FileSink::open(&p).unwrap();
        s.write_line(&line("one", 6)).unwrap();
        s.flush().unwrap();
        std::fs::rename(&p, d.join("alerts.log.1")).unwrap();
        s.write_line(&line("two", 6)).unwrap();
        s.reopen().unwrap();
        s.write_line(&line("three", 6)).unwrap();
        s.flush().unwrap();
        assert_eq!(
            std::fs::read_to_string(d.join("alerts.log.1")).unwrap(),
            "before\none\ntwo\n"
        );
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "three\n");
        assert!(FileSink::open(&d.join("no/such/dir/x.log")).is_err());
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn syslog_gets_one_datagram_per_alert_with_its_severity() {
        let d = temp("syslog");
        let p = d.join("log.sock");
        let server = UnixDatagram::bind(&p).unwrap();
        let mut s = SyslogSink::new(&p);
        s.write_line(&line("Critical shell in container", 2)).unwrap();
        s.write_line(&line("Debug x", 7)).unwrap();
        let mut buf = [0u8; 256];
        let n = server.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"<10>falco: Critical shell in container");
        let n = server.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"<15>falco: Debug x");
        // The daemon goes away: an error, then a reconnection once it is back.
        drop(server);
        std::fs::remove_file(&p).unwrap();
        assert!(s.write_line(&line("lost", 6)).is_err());
        let server = UnixDatagram::bind(&p).unwrap();
        s.write_line(&line("back", 6)).unwrap();
        let n = server.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"<14>falco: back");
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn a_kept_alive_program_gets_every_line_and_is_restarted_when_it_exits() {
        let d = temp("program");
        let out = d.join("out.txt");
        // Reads two lines, then exits: the third line starts it again.
        let prog = format!("head -n 2 >> {}", out.display());
        let mut s = ProgramSink::new(&prog, true);
        for t in ["a", "b"] {
            s.write_line(&line(t, 6)).unwrap();
        }
        s.flush().unwrap();
        // Wait for it to exit after its two lines.
        let (child, _) = s.child.as_mut().unwrap();
        child.wait().unwrap();
        s.write_line(&line("c", 6)).unwrap();
        drop(s);
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "a\nb\nc\n");
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn without_keep_alive_each_alert_gets_its_own_program() {
        let d = temp("program-each");
        let out = d.join("out.txt");
        // `wc -l` prints once per run: one run per alert.
        let prog = format!("wc -l >> {}", out.display());
        let mut s = ProgramSink::new(&prog, false);
        for t in ["a", "b", "c"] {
            s.write_line(&line(t, 6)).unwrap();
        }
        drop(s);
        let counts: Vec<String> = std::fs::read_to_string(&out)
            .unwrap()
            .lines()
            .map(|l| l.trim().to_string())
            .collect();
        assert_eq!(counts, ["1", "1", "1"]);
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn priorities_map_to_syslog_severities() {
        assert_eq!(level_of("Emergency"), 0);
        assert_eq!(level_of("WARNING"), 4);
        assert_eq!(level_of("Informational"), 6);
        assert_eq!(level_of("info"), 6);
        assert_eq!(level_of("Debug"), 7);
    }
}
