//! Views over list-shaped parameters: NUL-separated string lists (execve
//! `args`/`env`, `cgroups`, PT_CHARBUFARRAY) and poll's fd lists.
//!
//! Both borrow the event's bytes and decode lazily while iterating.

/// A NUL-separated list of byte strings. A trailing NUL ends the last item
/// rather than starting an empty one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StrList<'a> {
    raw: &'a [u8],
}

impl<'a> StrList<'a> {
    /// Wraps raw list bytes.
    pub fn new(raw: &'a [u8]) -> Self {
        StrList { raw }
    }

    /// The undecoded bytes.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// Whether the list has no items.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The items, in order.
    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let body = self.raw.strip_suffix(&[0]).unwrap_or(self.raw);
        let empty = self.raw.is_empty();
        body.split(|&b| b == 0).filter(move |_| !empty)
    }

    /// The items as (lossily decoded) strings.
    pub fn to_strings(&self) -> Vec<String> {
        self.iter().map(|s| String::from_utf8_lossy(s).into_owned()).collect()
    }
}

/// A PT_FDLIST value: a u16 count, then (i64 fd, u16 flags) pairs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FdList<'a> {
    entries: &'a [u8],
}

const FDLIST_ENTRY: usize = 10;

impl<'a> FdList<'a> {
    /// Checks the layout; `None` when the count does not match the size.
    pub fn parse(raw: &'a [u8]) -> Option<Self> {
        let (count, rest) = raw.split_first_chunk::<2>()?;
        let count = usize::from(u16::from_le_bytes(*count));
        (rest.len() == count * FDLIST_ENTRY).then_some(FdList { entries: rest })
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len() / FDLIST_ENTRY
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// `(fd, flags)` pairs.
    pub fn iter(&self) -> impl Iterator<Item = (i64, u16)> + 'a {
        self.entries.chunks_exact(FDLIST_ENTRY).map(|e| {
            let (fd, flags) = e.split_at(8);
            (
                i64::from_le_bytes(fd.try_into().unwrap_or_default()),
                u16::from_le_bytes(flags.try_into().unwrap_or_default()),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn str_list_items() {
        let v: Vec<&[u8]> = StrList::new(b"a\0bc\0").iter().collect();
        assert_eq!(v, [&b"a"[..], b"bc"]);
        let v: Vec<&[u8]> = StrList::new(b"a\0\0b").iter().collect();
        assert_eq!(v, [&b"a"[..], b"", b"b"]);
        assert_eq!(StrList::new(b"").iter().count(), 0);
        assert_eq!(StrList::new(b"\0").iter().count(), 1);
    }

    #[test]
    fn fd_list() {
        let mut raw = vec![2, 0];
        raw.extend_from_slice(&3i64.to_le_bytes());
        raw.extend_from_slice(&1u16.to_le_bytes());
        raw.extend_from_slice(&(-1i64).to_le_bytes());
        raw.extend_from_slice(&4u16.to_le_bytes());
        let l = FdList::parse(&raw).unwrap();
        assert_eq!(l.len(), 2);
        assert_eq!(l.iter().collect::<Vec<_>>(), [(3, 1), (-1, 4)]);
        assert!(FdList::parse(&raw[..raw.len() - 1]).is_none());
        assert!(FdList::parse(&[1]).is_none());
    }
}
