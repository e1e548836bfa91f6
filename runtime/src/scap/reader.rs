//! Streaming .scap reader.
//!
//! The file is read block by block through a buffered (and, for gzip files,
//! decompressing) stream; event blocks are read into one reused buffer and
//! handed out as borrowed [`Event`]s, so memory stays constant however long
//! the capture is. Metadata blocks (process, fd, interface and user lists)
//! are decoded into owned lists, before the first event and wherever else
//! they appear.
//!
//! Reading stops at the first inconsistency with a [`ScapError`] naming the
//! byte offset; every event before the damaged block has been delivered by
//! then, and later calls return `Ok(None)`.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use flate2::bufread::MultiGzDecoder;

use super::blocks::{self, BlockKind, EventLayout, classify};
use super::cursor::Cursor;
use super::error::{ScapError, ScapErrorKind};
use super::metadata;
use super::prefetch::{CHUNK, Prefetch};
use super::types::{FdInfo, GroupInfo, Interfaces, MachineInfo, SectionHeader, ThreadInfo, UserInfo};
use crate::event::{Event, EventErrorKind, RecordLayout, event_def, parse_layout, parse_v2_fast};

/// Default limit on the length of one block (64 MiB): a damaged or hostile
/// length field cannot make the reader allocate more than this.
pub const DEFAULT_MAX_BLOCK_LEN: u64 = 64 << 20;

/// Block header (type + length) and trailer (length) size.
const FRAMING: u64 = 12;
const IO_BUF: usize = 64 * 1024;
/// Block bodies up to this size are read in one go into a buffer of their announced size.
const SMALL_BODY: u64 = 64 * 1024;

/// The byte stream under the reader: plain, or gzip decompressed on the fly.
enum Source<R: Read> {
    Plain(BufReader<R>),
    Gzip(Box<BufReader<MultiGzDecoder<BufReader<R>>>>),
    /// Chunks read (and decompressed) ahead on another thread, parsed where they are.
    Ahead(Prefetch),
}

impl<R: Read> Read for Source<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Source::Plain(r) => r.read(buf),
            Source::Gzip(r) => r.read(buf),
            Source::Ahead(r) => r.read(buf),
        }
    }
}

impl<R: Read> Source<R> {
    /// The bytes already buffered (no I/O).
    fn buffered(&self) -> &[u8] {
        match self {
            Source::Plain(r) => r.buffer(),
            Source::Gzip(r) => r.buffer(),
            Source::Ahead(r) => r.buffered(),
        }
    }

    fn consume(&mut self, n: usize) {
        match self {
            Source::Plain(r) => r.consume(n),
            Source::Gzip(r) => r.consume(n),
            Source::Ahead(r) => r.consume(n),
        }
    }
}

/// A block whose header has been read.
#[derive(Clone, Copy, Debug)]
struct BlockHeader {
    block_type: u32,
    len: u64,
    /// Offset of the block's first byte.
    start: u64,
}

/// An event block whose body sits in a buffer, not yet handed out.
#[derive(Clone, Copy, Debug)]
struct PendingEvent {
    layout: EventLayout,
    body_start: u64,
    /// The whole block is still in the source's buffer (not copied): its body is
    /// at `8..8 + body_len` there, and the block is consumed once the event has
    /// been handed out.
    in_place: Option<InPlace>,
}

#[derive(Clone, Copy, Debug)]
struct InPlace {
    body_len: usize,
    block_len: usize,
}

/// A checked event record inside the buffer.
struct LocatedEvent {
    /// Offset of the record in the block body.
    start: usize,
    in_place: Option<InPlace>,
    flags: u32,
    cpu: u16,
    layout: RecordLayout,
}

/// The cpu id and flags at the start of an event block's body, and where its record
/// starts; `None` when the body is too short (the caller reports it).
#[inline]
fn block_prefix(has_flags: bool, body: &[u8]) -> Option<(u16, u32, usize)> {
    match (has_flags, body) {
        (false, [c0, c1, ..]) => Some((u16::from_le_bytes([*c0, *c1]), 0, 2)),
        (true, [c0, c1, f0, f1, f2, f3, ..]) => Some((
            u16::from_le_bytes([*c0, *c1]),
            u32::from_le_bytes([*f0, *f1, *f2, *f3]),
            6,
        )),
        _ => None,
    }
}

/// Reads a capture file; see the module documentation.
pub struct ScapReader<R: Read> {
    src: Source<R>,
    compressed: bool,
    offset: u64,
    max_block_len: u64,
    header: SectionHeader,
    machine: Option<MachineInfo>,
    threads: Vec<ThreadInfo>,
    thread_index: HashMap<u64, usize>,
    /// The metadata block that last wrote each entry of `threads` and `fds`.
    thread_block: Vec<u64>,
    fds: Vec<(u64, FdInfo)>,
    fd_index: HashMap<(u64, i64), usize>,
    fd_block: Vec<u64>,
    users: Vec<UserInfo>,
    groups: Vec<GroupInfo>,
    interfaces: Interfaces,
    /// Body of the current block; reused for every block.
    buf: Vec<u8>,
    pending: Option<PendingEvent>,
    /// Bytes of the source's buffer that belong to the event handed out last (read
    /// in place), consumed before the next read.
    consume_later: usize,
    events: u64,
    skipped: u64,
    metadata_blocks: u64,
    done: bool,
}

impl ScapReader<Box<dyn Read + Send>> {
    /// Opens a capture file (gzip-compressed or plain).
    pub fn open(path: &Path) -> Result<Self, ScapError> {
        let file = File::open(path).map_err(|e| ScapError::io(0, e))?;
        ScapReader::new(Box::new(file) as Box<dyn Read + Send>)
    }
}

/// Whether a stream starting with `head` is gzip-compressed (its magic bytes).
fn is_gzip(head: &[u8]) -> bool {
    head.starts_with(&[0x1f, 0x8b])
}

impl ScapReader<Prefetch> {
    /// Like [`ScapReader::new`], with the reading, and for a gzip capture the
    /// decompression, done ahead on a second thread (`falcorc replay`): the caller's
    /// thread only parses. Memory stays bounded ([`super::prefetch::DEPTH`] chunks).
    pub fn prefetched<S: Read + Send + 'static>(src: S) -> Result<Self, ScapError> {
        Self::prefetched_in_chunks(src, CHUNK)
    }

    /// [`ScapReader::prefetched`] with chunks of `chunk` bytes (tests use small ones, so
    /// that blocks straddle chunks).
    pub fn prefetched_in_chunks<S: Read + Send + 'static>(src: S, chunk: usize) -> Result<Self, ScapError> {
        let mut raw = BufReader::with_capacity(IO_BUF, src);
        let compressed = is_gzip(raw.fill_buf().map_err(|e| ScapError::io(0, e))?);
        let ahead = if compressed {
            Prefetch::new(MultiGzDecoder::new(raw), chunk)
        } else {
            Prefetch::new(raw, chunk)
        }
        .map_err(|e| ScapError::io(0, e))?;
        // Parsed straight from the chunks: a BufReader over them would copy every byte once
        // more on this thread.
        ScapReader::from_source(Source::Ahead(ahead), compressed, DEFAULT_MAX_BLOCK_LEN)
    }
}

impl<R: Read> ScapReader<R> {
    /// Starts reading a capture from `r` (gzip or plain, detected from the
    /// first bytes): reads the section header and every metadata block up
    /// to the first event.
    pub fn new(r: R) -> Result<Self, ScapError> {
        Self::with_max_block_len(r, DEFAULT_MAX_BLOCK_LEN)
    }

    /// Like [`ScapReader::new`], with a different limit on block lengths.
    pub fn with_max_block_len(r: R, max_block_len: u64) -> Result<Self, ScapError> {
        let mut raw = BufReader::with_capacity(IO_BUF, r);
        let compressed = is_gzip(raw.fill_buf().map_err(|e| ScapError::io(0, e))?);
        let src = if compressed {
            Source::Gzip(Box::new(BufReader::with_capacity(IO_BUF, MultiGzDecoder::new(raw))))
        } else {
            Source::Plain(raw)
        };
        Self::from_source(src, compressed, max_block_len)
    }

    fn from_source(src: Source<R>, compressed: bool, max_block_len: u64) -> Result<Self, ScapError> {
        let mut reader = ScapReader {
            src,
            compressed,
            offset: 0,
            max_block_len: max_block_len.max(FRAMING),
            header: SectionHeader {
                major: 0,
                minor: 0,
                section_length: -1,
            },
            machine: None,
            threads: Vec::new(),
            thread_index: HashMap::new(),
            thread_block: Vec::new(),
            fds: Vec::new(),
            fd_index: HashMap::new(),
            fd_block: Vec::new(),
            users: Vec::new(),
            groups: Vec::new(),
            interfaces: Interfaces::default(),
            buf: Vec::new(),
            pending: None,
            consume_later: 0,
            events: 0,
            skipped: 0,
            metadata_blocks: 0,
            done: false,
        };
        reader.read_section_header()?;
        // Metadata up to the first event block, which stays pending.
        reader.pending = reader.next_event_block()?;
        if reader.pending.is_none() {
            reader.done = true;
        }
        Ok(reader)
    }

    /// The section header.
    pub fn header(&self) -> &SectionHeader {
        &self.header
    }

    /// The machine info block, if the capture has one.
    pub fn machine(&self) -> Option<&MachineInfo> {
        self.machine.as_ref()
    }

    /// The process snapshot (one entry per thread id, in file order).
    pub fn threads(&self) -> &[ThreadInfo] {
        &self.threads
    }

    /// Open file descriptors as `(thread id, fd)` pairs, in file order.
    pub fn fds(&self) -> &[(u64, FdInfo)] {
        &self.fds
    }

    /// Threads written by metadata block `since` (counted from 0, as
    /// [`metadata_blocks`](Self::metadata_blocks) counts them) or a later one.
    pub fn threads_since(&self, since: u64) -> impl Iterator<Item = &ThreadInfo> {
        self.threads
            .iter()
            .zip(&self.thread_block)
            .filter(move |(_, b)| **b >= since)
            .map(|(t, _)| t)
    }

    /// Fds written by metadata block `since` or a later one: a descriptor listed at the
    /// start and closed since is not in a later block, so it is not brought back.
    pub fn fds_since(&self, since: u64) -> impl Iterator<Item = &(u64, FdInfo)> {
        self.fds
            .iter()
            .zip(&self.fd_block)
            .filter(move |(_, b)| **b >= since)
            .map(|(f, _)| f)
    }

    /// Users of the user list.
    pub fn users(&self) -> &[UserInfo] {
        &self.users
    }

    /// Groups of the user list.
    pub fn groups(&self) -> &[GroupInfo] {
        &self.groups
    }

    /// Network interfaces.
    pub fn interfaces(&self) -> &Interfaces {
        &self.interfaces
    }

    /// Offset in the decompressed stream of the next unread byte.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Whether the file is gzip-compressed.
    pub fn is_compressed(&self) -> bool {
        self.compressed
    }

    /// Number of events returned so far.
    pub fn events_read(&self) -> u64 {
        self.events
    }

    /// Number of event blocks skipped because their type is not in the
    /// event table (captures from newer drivers).
    pub fn skipped_events(&self) -> u64 {
        self.skipped
    }

    /// Number of metadata blocks decoded so far; it changes when metadata
    /// arrives between events, so a consumer can notice updated lists.
    pub fn metadata_blocks(&self) -> u64 {
        self.metadata_blocks
    }

    /// The next event, or `None` at the end of the capture. The event
    /// borrows the reader's buffer. Metadata blocks met on the way update
    /// the lists. After an error, returns `Ok(None)`.
    pub fn next_event(&mut self) -> Result<Option<Event<'_>>, ScapError> {
        let loc = self.advance()?;
        Ok(loc.map(|loc| self.event_at(&loc)))
    }

    /// Like [`next_event`](Self::next_event), and the reader itself, read-only: the
    /// process, fd and user lists met on the way to the event (compare
    /// [`metadata_blocks`](Self::metadata_blocks)) can then be applied before the
    /// event is processed, while the event still borrows the buffer.
    pub fn next_event_with_lists(&mut self) -> Result<Option<(Event<'_>, &Self)>, ScapError> {
        let loc = self.advance()?;
        let this: &Self = self;
        Ok(loc.map(|loc| (this.event_at(&loc), this)))
    }

    /// Moves to the next event block and locates its record in the buffer.
    fn advance(&mut self) -> Result<Option<LocatedEvent>, ScapError> {
        if self.consume_later > 0 {
            self.src.consume(self.consume_later);
            self.consume_later = 0;
        }
        if !self.done
            && self.pending.is_none()
            && let Some(loc) = self.next_in_place()
        {
            self.events += 1;
            return Ok(Some(loc));
        }
        loop {
            if self.done {
                return Ok(None);
            }
            let pending = match self.pending.take() {
                Some(p) => Some(p),
                None => self.next_event_block().inspect_err(|_| self.done = true)?,
            };
            let Some(p) = pending else {
                self.done = true;
                return Ok(None);
            };
            match self.locate_event(p) {
                Err(e) => {
                    self.done = true;
                    return Err(e);
                }
                Ok(None) => {
                    self.skipped += 1;
                    if let Some(ip) = p.in_place {
                        self.src.consume(ip.block_len);
                    }
                }
                Ok(Some(loc)) => {
                    self.events += 1;
                    if let Some(ip) = loc.in_place {
                        self.consume_later = ip.block_len;
                    }
                    return Ok(Some(loc));
                }
            }
        }
    }

    fn event_at(&self, loc: &LocatedEvent) -> Event<'_> {
        let body = self.body(loc.in_place);
        let mut ev = loc.layout.event(&body[loc.start..]);
        ev.num = self.events;
        ev.cpu = loc.cpu;
        ev.flags = loc.flags;
        ev
    }

    /// Checks the event block in the buffer; `None` for an event type
    /// outside the table (skipped).
    fn locate_event(&self, p: PendingEvent) -> Result<Option<LocatedEvent>, ScapError> {
        let body = self.body(p.in_place);
        // The block's own header (cpu id, flags) read directly; the cursor, with its
        // error messages, only when the body is too short for it.
        let (cpu, flags, start) = match block_prefix(p.layout.has_flags, body) {
            Some(prefix) => prefix,
            None => {
                let mut c = Cursor::new(body, p.body_start, "event block");
                let cpu = c.u16("cpu id")?;
                let flags = if p.layout.has_flags { c.u32("event flags")? } else { 0 };
                (cpu, flags, (c.offset() - p.body_start) as usize)
            }
        };
        let record = &body[start..];
        match parse_layout(record, p.layout.has_nparams) {
            Ok(layout) if event_def(layout.code).is_none() => Ok(None),
            Ok(layout) => Ok(Some(LocatedEvent {
                start,
                in_place: p.in_place,
                flags,
                cpu,
                layout,
            })),
            Err(e) if matches!(e.kind, EventErrorKind::UnknownType(_)) => Ok(None),
            Err(e) => Err(ScapError::corrupt(
                p.body_start + (start + e.at) as u64,
                format!("event block: {e}"),
            )),
        }
    }

    /// The body of the current event block.
    fn body(&self, in_place: Option<InPlace>) -> &[u8] {
        match in_place {
            Some(ip) => &self.src.buffered()[8..8 + ip.body_len],
            None => &self.buf,
        }
    }

    /// The common case in one step: the next block is an event block of a type in the
    /// table, lying whole in the source's buffer, with a well-formed v2 record. Located
    /// in place, the block left to be consumed after the event is handed out. `None`
    /// (nothing consumed or counted) for anything else, which the general path of
    /// [`advance`](Self::advance) then reads, skips or reports.
    #[inline]
    fn next_in_place(&mut self) -> Option<LocatedEvent> {
        let b = self.src.buffered();
        let header: &[u8; 8] = b.first_chunk()?;
        let block_type = u32::from_le_bytes([header[0], header[1], header[2], header[3]]);
        let has_flags = match block_type {
            blocks::EV_V2 | blocks::EV_V2_LARGE => false,
            blocks::EVF_V2 | blocks::EVF_V2_LARGE => true,
            _ => return None,
        };
        let len = u32::from_le_bytes([header[4], header[5], header[6], header[7]]) as usize;
        if (len as u64) < FRAMING || len as u64 > self.max_block_len.min(SMALL_BODY) {
            return None;
        }
        let block = b.get(..len)?;
        let trailer: &[u8; 4] = block[len - 4..].first_chunk()?;
        if u32::from_le_bytes(*trailer) as usize != len {
            return None;
        }
        let body = &block[8..len - 4];
        let (cpu, flags, start) = block_prefix(has_flags, body)?;
        let layout = parse_v2_fast(&body[start..])?;
        event_def(layout.code)?;
        self.offset += len as u64;
        let in_place = InPlace {
            body_len: len - FRAMING as usize,
            block_len: len,
        };
        self.consume_later = len;
        Some(LocatedEvent {
            start,
            in_place: Some(in_place),
            flags,
            cpu,
            layout,
        })
    }

    /// An event block lying whole in the source's buffer, checked (length within
    /// limits, trailer equal to the header): left there instead of copied out.
    fn event_block_in_place(&mut self) -> Option<PendingEvent> {
        let b = self.src.buffered();
        let header: [u8; 8] = b.get(..8)?.try_into().ok()?;
        let block_type = u32::from_le_bytes([header[0], header[1], header[2], header[3]]);
        let BlockKind::Event(layout) = classify(block_type) else {
            return None;
        };
        let len = u32::from_le_bytes([header[4], header[5], header[6], header[7]]) as usize;
        if (len as u64) < FRAMING || len as u64 > self.max_block_len.min(SMALL_BODY) {
            return None;
        }
        let trailer: [u8; 4] = b.get(len - 4..len)?.try_into().ok()?;
        if u32::from_le_bytes(trailer) as usize != len {
            // The general path reports it with its offset.
            return None;
        }
        let start = self.offset;
        self.offset += len as u64;
        Some(PendingEvent {
            layout,
            body_start: start + 8,
            in_place: Some(InPlace {
                body_len: len - FRAMING as usize,
                block_len: len,
            }),
        })
    }

    /// Reads blocks until an event block is in a buffer (`None` at the end).
    fn next_event_block(&mut self) -> Result<Option<PendingEvent>, ScapError> {
        if let Some(p) = self.event_block_in_place() {
            return Ok(Some(p));
        }
        loop {
            let Some(h) = self.read_block_header()? else {
                return Ok(None);
            };
            match classify(h.block_type) {
                BlockKind::Event(layout) => {
                    self.read_body(&h)?;
                    return Ok(Some(PendingEvent {
                        layout,
                        body_start: h.start + 8,
                        in_place: None,
                    }));
                }
                BlockKind::Unknown => self.skip_body(&h)?,
                kind => {
                    self.read_body(&h)?;
                    self.decode_metadata(kind, &h)?;
                }
            }
        }
    }

    fn read_section_header(&mut self) -> Result<(), ScapError> {
        let Some(h) = self.read_block_header()? else {
            return Err(ScapError::new(
                0,
                ScapErrorKind::NotACapture("the file is empty".into()),
            ));
        };
        if h.block_type != blocks::SHB {
            return Err(ScapError::new(
                0,
                ScapErrorKind::NotACapture(format!(
                    "the first block has type {:#010x}, not a section header",
                    h.block_type
                )),
            ));
        }
        self.read_body(&h)?;
        self.decode_metadata(BlockKind::Section, &h)
    }

    fn decode_metadata(&mut self, kind: BlockKind, h: &BlockHeader) -> Result<(), ScapError> {
        let body_start = h.start + 8;
        match kind {
            BlockKind::Section => {
                let mut c = Cursor::new(&self.buf, body_start, "section header block");
                self.header = metadata::section_header(&mut c)?;
            }
            BlockKind::Machine => {
                let mut c = Cursor::new(&self.buf, body_start, "machine info block");
                self.machine = Some(metadata::machine_info(&mut c)?);
            }
            BlockKind::Threads(version) => {
                let mut c = Cursor::new(&self.buf, body_start, "process list block");
                for t in metadata::threads(&mut c, version)? {
                    match self.thread_index.get(&t.tid) {
                        Some(&i) => {
                            self.threads[i] = t;
                            self.thread_block[i] = self.metadata_blocks;
                        }
                        None => {
                            self.thread_index.insert(t.tid, self.threads.len());
                            self.threads.push(t);
                            self.thread_block.push(self.metadata_blocks);
                        }
                    }
                }
            }
            BlockKind::Fds(v2) => {
                let mut c = Cursor::new(&self.buf, body_start, "fd list block");
                let (tid, fds) = metadata::fds(&mut c, v2)?;
                for fd in fds {
                    let key = (tid, fd.fd);
                    match self.fd_index.get(&key) {
                        Some(&i) => {
                            self.fds[i].1 = fd;
                            self.fd_block[i] = self.metadata_blocks;
                        }
                        None => {
                            self.fd_index.insert(key, self.fds.len());
                            self.fds.push((tid, fd));
                            self.fd_block.push(self.metadata_blocks);
                        }
                    }
                }
            }
            BlockKind::Interfaces(v2) => {
                let mut c = Cursor::new(&self.buf, body_start, "interface list block");
                let mut fresh = Interfaces::default();
                metadata::interfaces(&mut c, v2, &mut fresh)?;
                self.interfaces.v4.extend(fresh.v4);
                self.interfaces.v6.extend(fresh.v6);
            }
            BlockKind::Users(v2) => {
                let mut c = Cursor::new(&self.buf, body_start, "user list block");
                let (mut users, mut groups) = (Vec::new(), Vec::new());
                metadata::users(&mut c, v2, &mut users, &mut groups)?;
                for u in users {
                    match self.users.iter_mut().find(|x| x.uid == u.uid) {
                        Some(x) => *x = u,
                        None => self.users.push(u),
                    }
                }
                for g in groups {
                    match self.groups.iter_mut().find(|x| x.gid == g.gid) {
                        Some(x) => *x = g,
                        None => self.groups.push(g),
                    }
                }
            }
            BlockKind::Event(_) | BlockKind::Unknown => {}
        }
        self.metadata_blocks += 1;
        Ok(())
    }

    /// Reads into `buf` until it is full or the stream ends; returns the count.
    #[inline]
    fn read_fully(&mut self, buf: &mut [u8]) -> Result<usize, ScapError> {
        // Fast path: the whole request is already buffered.
        if let Some(head) = self.src.buffered().get(..buf.len()) {
            buf.copy_from_slice(head);
            self.src.consume(buf.len());
            self.offset += buf.len() as u64;
            return Ok(buf.len());
        }
        let mut got = 0;
        while got < buf.len() {
            match self.src.read(&mut buf[got..]) {
                Ok(0) => break,
                Ok(n) => {
                    got += n;
                    self.offset += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(ScapError::io(self.offset, e)),
            }
        }
        Ok(got)
    }

    /// Reads a block header; `None` at a clean end of stream.
    fn read_block_header(&mut self) -> Result<Option<BlockHeader>, ScapError> {
        let start = self.offset;
        let mut hdr = [0u8; 8];
        match self.read_fully(&mut hdr)? {
            0 => return Ok(None),
            8 => {}
            n => {
                return Err(ScapError::truncated(
                    start,
                    format!("the stream ends {n} bytes into a block header"),
                ));
            }
        }
        let block_type = u32::from_le_bytes([hdr[0], hdr[1], hdr[2], hdr[3]]);
        let len = u64::from(u32::from_le_bytes([hdr[4], hdr[5], hdr[6], hdr[7]]));
        if len < FRAMING {
            return Err(ScapError::corrupt(
                start + 4,
                format!("block of type {block_type:#x} has length {len}, less than its own 12-byte framing"),
            ));
        }
        Ok(Some(BlockHeader { block_type, len, start }))
    }

    /// Reads the body of block `h` into the buffer, then checks its trailer.
    fn read_body(&mut self, h: &BlockHeader) -> Result<(), ScapError> {
        if h.len > self.max_block_len {
            return Err(ScapError::new(
                h.start + 4,
                ScapErrorKind::BlockTooLarge {
                    len: h.len,
                    max: self.max_block_len,
                },
            ));
        }
        let body_len = h.len - FRAMING;
        let got = if body_len <= SMALL_BODY {
            // Event blocks are small: read straight into the buffer, without
            // `read_to_end`'s growth probing.
            let mut buf = std::mem::take(&mut self.buf);
            buf.resize(body_len as usize, 0);
            let r = self.read_fully(&mut buf);
            let got = *r.as_ref().unwrap_or(&0);
            buf.truncate(got);
            self.buf = buf;
            r?
        } else {
            self.buf.clear();
            // Grows with the data actually present, not with the announced length.
            let got = match (&mut self.src).take(body_len).read_to_end(&mut self.buf) {
                Ok(n) => n,
                // Whatever arrived before the failure is in the buffer.
                Err(e) => return Err(ScapError::io(self.offset + self.buf.len() as u64, e)),
            };
            self.offset += got as u64;
            got
        };
        if (got as u64) < body_len {
            return Err(ScapError::truncated(
                self.offset,
                format!(
                    "block of type {:#x} at byte {} announces {} bytes but the stream ends after {}",
                    h.block_type,
                    h.start,
                    h.len,
                    got as u64 + 8
                ),
            ));
        }
        self.check_trailer(h)
    }

    /// Skips the body of a block of unknown type, then checks its trailer.
    fn skip_body(&mut self, h: &BlockHeader) -> Result<(), ScapError> {
        let body_len = h.len - FRAMING;
        let got = io::copy(&mut (&mut self.src).take(body_len), &mut io::sink())
            .map_err(|e| ScapError::io(self.offset, e))?;
        self.offset += got;
        if got < body_len {
            return Err(ScapError::truncated(
                self.offset,
                format!(
                    "unknown block of type {:#x} at byte {} ends early",
                    h.block_type, h.start
                ),
            ));
        }
        self.check_trailer(h)
    }

    fn check_trailer(&mut self, h: &BlockHeader) -> Result<(), ScapError> {
        let at = self.offset;
        let mut t = [0u8; 4];
        let got = self.read_fully(&mut t)?;
        if got < 4 {
            return Err(ScapError::truncated(
                at,
                format!("the stream ends inside the trailer of the block at byte {}", h.start),
            ));
        }
        let trailer = u64::from(u32::from_le_bytes(t));
        if trailer != h.len {
            return Err(ScapError::corrupt(
                at,
                format!(
                    "block at byte {} has length {} in its header but {trailer} in its trailer",
                    h.start, h.len
                ),
            ));
        }
        Ok(())
    }
}
