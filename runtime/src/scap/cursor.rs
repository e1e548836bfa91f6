//! A bounds-checked little-endian reader over one block body.
//!
//! Block parsers never index slices directly: every read goes through
//! [`Cursor`], which reports a [`ScapError`] naming the field and its absolute
//! offset instead of panicking when the data runs out.

use super::error::ScapError;
use falcorc_compiler::raw_text::escape;

/// Reads fields from a byte slice that starts at absolute offset `base`.
#[derive(Clone)]
pub(crate) struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
    base: u64,
    /// Block name used in error messages.
    ctx: &'static str,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(buf: &'a [u8], base: u64, ctx: &'static str) -> Self {
        Cursor { buf, pos: 0, base, ctx }
    }

    /// Absolute offset of the next unread byte.
    pub(crate) fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    pub(crate) fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    pub(crate) fn error(&self, msg: impl Into<String>) -> ScapError {
        ScapError::corrupt(self.offset(), format!("{}: {}", self.ctx, msg.into()))
    }

    /// Takes the next `n` bytes.
    pub(crate) fn bytes(&mut self, n: usize, what: &str) -> Result<&'a [u8], ScapError> {
        if n > self.remaining() {
            return Err(self.error(format!(
                "{what} needs {n} bytes but only {} are left in the block",
                self.remaining()
            )));
        }
        let out = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    /// Splits off the next `n` bytes as a cursor of their own (for length-prefixed entries).
    pub(crate) fn sub(&mut self, n: usize, what: &str) -> Result<Cursor<'a>, ScapError> {
        let base = self.offset();
        let buf = self.bytes(n, what)?;
        Ok(Cursor {
            buf,
            pos: 0,
            base,
            ctx: self.ctx,
        })
    }

    pub(crate) fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], ScapError> {
        let b = self.bytes(N, what)?;
        let mut out = [0u8; N];
        out.copy_from_slice(b);
        Ok(out)
    }

    pub(crate) fn u8(&mut self, what: &str) -> Result<u8, ScapError> {
        Ok(self.array::<1>(what)?[0])
    }

    pub(crate) fn u16(&mut self, what: &str) -> Result<u16, ScapError> {
        Ok(u16::from_le_bytes(self.array(what)?))
    }

    pub(crate) fn u32(&mut self, what: &str) -> Result<u32, ScapError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    pub(crate) fn u64(&mut self, what: &str) -> Result<u64, ScapError> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }

    pub(crate) fn i64(&mut self, what: &str) -> Result<i64, ScapError> {
        Ok(i64::from_le_bytes(self.array(what)?))
    }

    /// A string with a u16 length prefix (no terminating NUL on the wire).
    pub(crate) fn str16_bytes(&mut self, what: &str) -> Result<&'a [u8], ScapError> {
        let len = self.u16(what)?;
        self.bytes(usize::from(len), what)
    }

    pub(crate) fn str16(&mut self, what: &str) -> Result<String, ScapError> {
        Ok(text(self.str16_bytes(what)?))
    }

    /// A NUL-separated list with a u16 length prefix.
    pub(crate) fn list16(&mut self, what: &str) -> Result<Vec<String>, ScapError> {
        Ok(split_list(self.str16_bytes(what)?))
    }

    /// [`Self::str16`] for process text, which keeps bytes that are not UTF-8 (see
    /// `falcorc_compiler::raw_text`).
    pub(crate) fn proc_str16(&mut self, what: &str) -> Result<String, ScapError> {
        Ok(escape(before_nul(self.str16_bytes(what)?)).into_owned())
    }

    /// [`Self::list16`] for process text.
    pub(crate) fn proc_list16(&mut self, what: &str) -> Result<Vec<String>, ScapError> {
        Ok(list_items(self.str16_bytes(what)?)
            .map(|s| escape(s).into_owned())
            .collect())
    }

    // Optional trailing fields: read only when the entry still has room.

    pub(crate) fn opt_u8(&mut self) -> Option<u8> {
        if self.remaining() >= 1 { self.u8("").ok() } else { None }
    }

    pub(crate) fn opt_u32(&mut self) -> Option<u32> {
        if self.remaining() >= 4 { self.u32("").ok() } else { None }
    }

    pub(crate) fn opt_u64(&mut self) -> Option<u64> {
        if self.remaining() >= 8 { self.u64("").ok() } else { None }
    }
}

/// Bytes as text; invalid UTF-8 is replaced rather than rejected (kernel
/// strings are arbitrary bytes), and anything from the first NUL on is dropped.
pub(crate) fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(before_nul(b)).into_owned()
}

/// The bytes before the first NUL.
fn before_nul(b: &[u8]) -> &[u8] {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    &b[..end]
}

/// Splits a NUL-separated list; a trailing NUL does not add an empty item.
pub(crate) fn split_list(b: &[u8]) -> Vec<String> {
    list_items(b).map(|s| String::from_utf8_lossy(s).into_owned()).collect()
}

/// The items of a NUL-separated list (none when it is empty).
fn list_items(b: &[u8]) -> impl Iterator<Item = &[u8]> {
    let empty = b.is_empty();
    let b = b.strip_suffix(&[0]).unwrap_or(b);
    b.split(|&c| c == 0).filter(move |_| !empty)
}
