//! Value offset -> file offset maps for scalars.
//!
//! A map is a sorted table of breakpoints `(value_off, file_off)`; between two breakpoints the
//! value maps contiguously onto the file. Ordinary text therefore costs nothing, and only
//! escapes, folds and indentation add entries.

/// Breakpoint table of one scalar. The last entry maps `value.len()` to the content end.
/// Most scalars are copied verbatim (one run), which needs no table at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OffsetMap {
    /// `value[i]` is at `start + i`, up to `end`.
    Linear {
        start: u32,
        end: u32,
    },
    Table(Box<[(u32, u32)]>),
}

impl OffsetMap {
    pub fn file_offset(&self, value_offset: usize) -> u32 {
        let v = u32::try_from(value_offset).unwrap_or(u32::MAX);
        match self {
            OffsetMap::Linear { start, end } => start.saturating_add(v).min(*end),
            OffsetMap::Table(points) => {
                let i = points.partition_point(|&(pv, _)| pv <= v);
                let Some(&(pv, pf)) = points.get(i.saturating_sub(1)) else {
                    return 0;
                };
                let mapped = pf.saturating_add(v - pv.min(v));
                // A walk that gave up early leaves a long last run: never point past the end.
                let end = points.last().map_or(mapped, |&(_, f)| f);
                mapped.min(end.max(pf))
            }
        }
    }
}

/// Collects breakpoints, dropping those implied by the previous run.
pub struct MapBuilder {
    points: Vec<(u32, u32)>,
}

impl MapBuilder {
    pub fn new() -> MapBuilder {
        MapBuilder { points: Vec::new() }
    }

    /// From `value_off` on, the value maps to the file from `file_off` on.
    pub fn point(&mut self, value_off: usize, file_off: usize) {
        let v = u32::try_from(value_off).unwrap_or(u32::MAX);
        let f = u32::try_from(file_off).unwrap_or(u32::MAX);
        if let Some(last) = self.points.last_mut() {
            if last.0 == v {
                // Zero-width source text (e.g. an escaped line break): the later position wins.
                last.1 = f;
                self.drop_if_implied();
                return;
            }
            if i64::from(f) - i64::from(last.1) == i64::from(v) - i64::from(last.0) {
                return;
            }
        }
        self.points.push((v, f));
    }

    /// After overwriting the last point it may have become a continuation of the one before.
    fn drop_if_implied(&mut self) {
        let n = self.points.len();
        if n >= 2 {
            let (v0, f0) = self.points[n - 2];
            let (v1, f1) = self.points[n - 1];
            if i64::from(f1) - i64::from(f0) == i64::from(v1) - i64::from(v0) {
                self.points.pop();
            }
        }
    }

    /// Close the map: `value_len` maps to `file_end`. This point is always kept because
    /// [`OffsetMap::file_offset`] clamps to it.
    pub fn finish(mut self, value_len: usize, file_end: usize) -> OffsetMap {
        let v = u32::try_from(value_len).unwrap_or(u32::MAX);
        let f = u32::try_from(file_end).unwrap_or(u32::MAX);
        match self.points.last_mut() {
            Some(last) if last.0 == v => last.1 = f,
            _ => self.points.push((v, f)),
        }
        match self.points[..] {
            [(0, start), (len, end)] if end.checked_sub(start) == Some(len) => OffsetMap::Linear { start, end },
            _ => OffsetMap::Table(self.points.into_boxed_slice()),
        }
    }
}
