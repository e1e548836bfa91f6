//! .scap writer producing the block versions current Falco writes: SHB 1.2,
//! MI, IL_V2, UL_V2, PL_V9, FDL_V2 and EV_V2 / EVF_V2 (the `_LARGE` variants
//! for events over 64 KiB), plain or gzip-compressed.
//!
//! The writer takes the same types the reader returns, so a capture can be
//! read, filtered or edited, and written again; the files are readable by
//! stock Falco and sysdig. Write metadata first (machine, interfaces, users,
//! threads, fds), then events.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;

use super::blocks;
use super::encode;
use super::types::{FdInfo, GroupInfo, Interfaces, MachineInfo, ThreadInfo, UserInfo};
use crate::event::{Event, encode_record};

/// Events whose block would exceed this go into `_LARGE` blocks, which
/// readers do not limit to a 64 KiB buffer.
const MAX_SMALL_BLOCK: usize = 64 * 1024;

enum Output<W: Write> {
    Plain(W),
    Gzip(GzEncoder<W>),
}

impl<W: Write> Output<W> {
    fn get(&mut self) -> &mut dyn Write {
        match self {
            Output::Plain(w) => w,
            Output::Gzip(w) => w,
        }
    }
}

/// Writes a capture; see the module documentation.
pub struct ScapWriter<W: Write> {
    out: Output<W>,
    /// Body of the block being built; reused.
    body: Vec<u8>,
}

impl ScapWriter<BufWriter<File>> {
    /// Creates (or truncates) the file at `path`.
    pub fn create(path: &Path, gzip: bool) -> io::Result<Self> {
        let file = BufWriter::new(File::create(path)?);
        if gzip {
            ScapWriter::new_gzip(file)
        } else {
            ScapWriter::new(file)
        }
    }
}

impl<W: Write> ScapWriter<W> {
    /// Starts an uncompressed capture on `out` (writes the section header).
    pub fn new(out: W) -> io::Result<Self> {
        Self::start(Output::Plain(out))
    }

    /// Starts a gzip-compressed capture on `out` (writes the section header).
    pub fn new_gzip(out: W) -> io::Result<Self> {
        Self::start(Output::Gzip(GzEncoder::new(out, Compression::default())))
    }

    fn start(out: Output<W>) -> io::Result<Self> {
        let mut w = ScapWriter { out, body: Vec::new() };
        encode::section_header(&mut w.body);
        w.flush_block(blocks::SHB)?;
        Ok(w)
    }

    /// Writes the machine info block.
    pub fn write_machine_info(&mut self, m: &MachineInfo) -> io::Result<()> {
        encode::machine_info(&mut self.body, m);
        self.flush_block(blocks::MI)
    }

    /// Writes an interface list block.
    pub fn write_interfaces(&mut self, il: &Interfaces) -> io::Result<()> {
        for i in &il.v4 {
            encode::interface_v4(&mut self.body, i).inspect_err(|_| self.body.clear())?;
        }
        for i in &il.v6 {
            encode::interface_v6(&mut self.body, i).inspect_err(|_| self.body.clear())?;
        }
        self.flush_block(blocks::IL_V2)
    }

    /// Writes a user list block.
    pub fn write_users(&mut self, users: &[UserInfo], groups: &[GroupInfo]) -> io::Result<()> {
        for u in users {
            encode::user_v2(&mut self.body, u).inspect_err(|_| self.body.clear())?;
        }
        for g in groups {
            encode::group_v2(&mut self.body, g).inspect_err(|_| self.body.clear())?;
        }
        self.flush_block(blocks::UL_V2)
    }

    /// Writes a process list block holding `threads`.
    pub fn write_threads(&mut self, threads: &[ThreadInfo]) -> io::Result<()> {
        for t in threads {
            encode::thread_v9(&mut self.body, t).inspect_err(|_| self.body.clear())?;
        }
        self.flush_block(blocks::PL_V9)
    }

    /// Writes one fd list block: the descriptors of thread `tid`.
    pub fn write_fds(&mut self, tid: u64, fds: &[FdInfo]) -> io::Result<()> {
        self.body.extend_from_slice(&tid.to_le_bytes());
        for f in fds {
            encode::fd_v2(&mut self.body, f).inspect_err(|_| self.body.clear())?;
        }
        self.flush_block(blocks::FDL_V2)
    }

    /// Writes `(tid, fd)` pairs as the reader returns them: one fd list block
    /// per thread, threads in order of first appearance.
    pub fn write_fd_table(&mut self, fds: &[(u64, FdInfo)]) -> io::Result<()> {
        let mut order: Vec<u64> = Vec::new();
        let mut by_tid: HashMap<u64, Vec<FdInfo>> = HashMap::new();
        for (tid, fd) in fds {
            by_tid
                .entry(*tid)
                .or_insert_with(|| {
                    order.push(*tid);
                    Vec::new()
                })
                .push(fd.clone());
        }
        for tid in order {
            self.write_fds(tid, &by_tid[&tid])?;
        }
        Ok(())
    }

    /// Writes an event in an EV_V2 block.
    pub fn write_event(&mut self, ts: u64, tid: u64, code: u16, cpu: u16, params: &[&[u8]]) -> io::Result<()> {
        self.event_block(ts, tid, code, cpu, None, params)
    }

    /// Writes an event with block flags in an EVF_V2 block.
    pub fn write_event_with_flags(
        &mut self,
        ts: u64,
        tid: u64,
        code: u16,
        cpu: u16,
        flags: u32,
        params: &[&[u8]],
    ) -> io::Result<()> {
        self.event_block(ts, tid, code, cpu, Some(flags), params)
    }

    /// Writes a copy of `ev` (with its parameters as they are); events with
    /// non-zero flags go into an EVF_V2 block. The sequence number is not
    /// stored (readers number events themselves).
    pub fn write(&mut self, ev: &Event<'_>) -> io::Result<()> {
        let params: Vec<&[u8]> = ev.params_raw().collect();
        let flags = (ev.flags != 0).then_some(ev.flags);
        self.event_block(ev.ts, ev.tid, ev.code, ev.cpu, flags, &params)
    }

    fn event_block(
        &mut self,
        ts: u64,
        tid: u64,
        code: u16,
        cpu: u16,
        flags: Option<u32>,
        params: &[&[u8]],
    ) -> io::Result<()> {
        let record =
            encode_record(ts, tid, code, params).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        self.body.extend_from_slice(&cpu.to_le_bytes());
        if let Some(f) = flags {
            self.body.extend_from_slice(&f.to_le_bytes());
        }
        self.body.extend_from_slice(&record);
        let large = self.body.len() + 12 > MAX_SMALL_BLOCK;
        let block_type = match (flags.is_some(), large) {
            (false, false) => blocks::EV_V2,
            (false, true) => blocks::EV_V2_LARGE,
            (true, false) => blocks::EVF_V2,
            (true, true) => blocks::EVF_V2_LARGE,
        };
        self.flush_block(block_type)
    }

    /// Frames the body built so far as a block of `block_type` and writes it.
    fn flush_block(&mut self, block_type: u32) -> io::Result<()> {
        let pad = (4 - self.body.len() % 4) % 4;
        let total = self.body.len() + pad + 12;
        let Ok(total32) = u32::try_from(total) else {
            self.body.clear();
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("block of {total} bytes is too long"),
            ));
        };
        self.body.resize(self.body.len() + pad, 0);
        let out = self.out.get();
        let res = (|| {
            out.write_all(&block_type.to_le_bytes())?;
            out.write_all(&total32.to_le_bytes())?;
            out.write_all(&self.body)?;
            out.write_all(&total32.to_le_bytes())
        })();
        self.body.clear();
        res
    }

    /// Flushes everything (ending the gzip stream) and returns the output.
    pub fn finish(self) -> io::Result<W> {
        match self.out {
            Output::Plain(mut w) => {
                w.flush()?;
                Ok(w)
            }
            Output::Gzip(gz) => {
                let mut w = gz.finish()?;
                w.flush()?;
                Ok(w)
            }
        }
    }
}
