//! Reading ahead on a second thread: the file (and, for gzip captures, its
//! decompression) is read in chunks by a thread of its own while the caller's
//! thread parses, tracks and evaluates. A bounded queue of a few chunks keeps
//! memory constant; chunk buffers go back to the reading thread to be reused.

use std::io::{self, Read};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread;

/// Bytes per chunk read ahead.
pub const CHUNK: usize = 256 * 1024;
/// Chunks waiting for the parser at most (so at most `(DEPTH + 2) * CHUNK` in memory).
pub const DEPTH: usize = 4;

/// A [`Read`] over what a reading thread read from the wrapped source, in order.
/// A read error is handed over after the bytes read before it, and only once;
/// dropping the `Prefetch` stops the thread at its next chunk.
pub struct Prefetch {
    chunks: Receiver<io::Result<Vec<u8>>>,
    spare: SyncSender<Vec<u8>>,
    cur: Vec<u8>,
    pos: usize,
    done: bool,
}

impl Prefetch {
    /// Starts reading `src` on a new thread, in chunks of `chunk` bytes.
    pub fn new<R: Read + Send + 'static>(src: R, chunk: usize) -> io::Result<Prefetch> {
        let chunk = chunk.max(1);
        let (tx, chunks) = sync_channel(DEPTH);
        let (spare, spares) = sync_channel::<Vec<u8>>(DEPTH + 2);
        thread::Builder::new()
            .name("falcorc-read".into())
            .spawn(move || read_ahead(src, chunk, &tx, &spares))?;
        Ok(Prefetch {
            chunks,
            spare,
            cur: Vec::new(),
            pos: 0,
            done: false,
        })
    }
}

/// The reading thread: one chunk after the other until the end, an error, or
/// the consumer going away.
fn read_ahead<R: Read>(mut src: R, chunk: usize, tx: &SyncSender<io::Result<Vec<u8>>>, spares: &Receiver<Vec<u8>>) {
    loop {
        let mut buf = spares.try_recv().unwrap_or_else(|_| Vec::with_capacity(chunk));
        buf.resize(chunk, 0);
        let mut got = 0;
        // Fill the chunk (short reads are normal for pipes and decoders).
        let status = loop {
            match src.read(&mut buf[got..]) {
                Ok(0) => break Ok(()),
                Ok(n) => {
                    got += n;
                    if got == buf.len() {
                        break Ok(());
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        };
        buf.truncate(got);
        let end = got < chunk;
        if got > 0 && tx.send(Ok(buf)).is_err() {
            return;
        }
        match status {
            Err(e) => {
                let _ = tx.send(Err(e));
                return;
            }
            Ok(()) if end => {
                // An empty chunk marks the end, so that a thread that died cannot pass
                // for a complete stream.
                let _ = tx.send(Ok(Vec::new()));
                return;
            }
            Ok(()) => {}
        }
    }
}

impl Prefetch {
    /// The bytes of the current chunk not yet consumed (no I/O: empty at a chunk's end,
    /// until a read takes the next one).
    pub fn buffered(&self) -> &[u8] {
        &self.cur[self.pos..]
    }

    /// Marks `n` bytes of [`Prefetch::buffered`] as read.
    pub fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.cur.len());
    }
}

impl Read for Prefetch {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.cur.len() {
            if self.done || out.is_empty() {
                return Ok(0);
            }
            let used = std::mem::take(&mut self.cur);
            if used.capacity() > 0 {
                // The thread may have stopped, or have enough spares: either is fine.
                let _ = self.spare.try_send(used);
            }
            self.pos = 0;
            match self.chunks.recv() {
                Ok(Ok(chunk)) if chunk.is_empty() => {
                    self.done = true;
                    return Ok(0);
                }
                Ok(Ok(chunk)) => self.cur = chunk,
                Ok(Err(e)) => {
                    self.done = true;
                    return Err(e);
                }
                Err(_) => {
                    self.done = true;
                    return Err(io::Error::other("the thread reading the capture stopped unexpectedly"));
                }
            }
        }
        let n = out.len().min(self.cur.len() - self.pos);
        out[..n].copy_from_slice(&self.cur[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A source that hands out at most `step` bytes per read, then fails after
    /// `fail_at` bytes if asked to.
    struct Trickle {
        data: Vec<u8>,
        pos: usize,
        step: usize,
        fail_at: Option<usize>,
    }

    impl Read for Trickle {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if self.fail_at.is_some_and(|f| self.pos >= f) {
                return Err(io::Error::other("disk on fire"));
            }
            let limit = self.fail_at.unwrap_or(self.data.len()).min(self.data.len());
            let n = out.len().min(self.step).min(limit - self.pos);
            out[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
            self.pos += n;
            Ok(n)
        }
    }

    fn bytes(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 7 % 251) as u8).collect()
    }

    fn read_all(mut p: Prefetch, step: usize) -> (Vec<u8>, Option<io::Error>) {
        let mut out = Vec::new();
        let mut buf = vec![0; step];
        loop {
            match p.read(&mut buf) {
                Ok(0) => return (out, None),
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(e) => return (out, Some(e)),
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn same_bytes_in_the_same_order(len in 0usize..20_000, step in 1usize..3000, chunk in 1usize..5000, read in 1usize..4000) {
            let data = bytes(len);
            let src = Trickle { data: data.clone(), pos: 0, step, fail_at: None };
            let (got, err) = read_all(Prefetch::new(src, chunk).unwrap(), read);
            proptest::prop_assert!(err.is_none());
            proptest::prop_assert_eq!(got, data);
        }

        #[test]
        fn an_error_comes_after_every_byte_before_it(len in 1usize..20_000, at in 0usize..20_000, chunk in 1usize..5000) {
            let at = at % len;
            let data = bytes(len);
            let src = Trickle { data: data.clone(), pos: 0, step: 997, fail_at: Some(at) };
            let (got, err) = read_all(Prefetch::new(src, chunk).unwrap(), 1500);
            proptest::prop_assert_eq!(&got[..], &data[..at]);
            proptest::prop_assert_eq!(err.map(|e| e.to_string()), Some("disk on fire".to_string()));
        }
    }

    #[test]
    fn a_reading_thread_that_dies_is_an_error_not_the_end() {
        struct Panics;
        impl Read for Panics {
            fn read(&mut self, _out: &mut [u8]) -> io::Result<usize> {
                panic!("a decoder bug");
            }
        }
        let (got, err) = read_all(Prefetch::new(Panics, 64).unwrap(), 64);
        assert!(got.is_empty());
        assert!(err.is_some_and(|e| e.to_string().contains("stopped unexpectedly")));
    }

    #[test]
    fn dropping_the_reader_stops_the_thread() {
        // An endless source that holds a sender: when the reading thread ends it
        // drops the source, and with it the sender.
        struct Endless {
            _alive: std::sync::mpsc::Sender<()>,
        }
        impl Read for Endless {
            fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                out.fill(1);
                Ok(out.len())
            }
        }
        let (alive, gone) = std::sync::mpsc::channel();
        let mut p = Prefetch::new(Endless { _alive: alive }, 1024).unwrap();
        let mut buf = [0u8; 10];
        assert_eq!(p.read(&mut buf).unwrap(), 10);
        drop(p);
        let waited = gone.recv_timeout(std::time::Duration::from_secs(10));
        assert_eq!(waited, Err(std::sync::mpsc::RecvTimeoutError::Disconnected));
    }
}
