//! Comments, found by scanning the text between scalars (the YAML tree keeps none), and the
//! bookkeeping that hands each one to exactly one place of the output.
//!
//! A `#` starts a comment only outside scalars, at a line start or after a blank. Emission
//! walks the tree in source order and claims comments as it goes: the ones before a node lead
//! it, the one at the end of a node's line trails it, and the ones after a collection's last
//! child stay with that collection when they are indented at least as deep as its children.

use super::source::Source;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Comment {
    /// Offset of the `#`.
    pub at: usize,
    pub line: usize,
    pub col: usize,
    /// Nothing but blanks before it on its line.
    pub own_line: bool,
    /// From the `#` to the end of the line, trailing blanks removed.
    pub text: String,
}

/// Every comment of a file in source order, each claimed at most once.
pub(super) struct Comments {
    list: Vec<Comment>,
    used: Vec<bool>,
    /// Every comment before this index is used.
    first_free: usize,
    /// Indices claimed since the last [`Comments::start_log`], so an item can give them back.
    log: Vec<usize>,
}

/// The comments of `src`, whose scalars occupy `scalar_spans` (any order, may overlap).
pub(super) fn scan(src: &Source<'_>, scalar_spans: &mut [(usize, usize)]) -> Vec<Comment> {
    scalar_spans.sort_unstable();
    let bytes = src.text.as_bytes();
    let mut out = Vec::new();
    let mut spans = scalar_spans.iter().peekable();
    let mut i = 0;
    while i < bytes.len() {
        // Skip every scalar that starts here or earlier.
        let mut jumped = false;
        while let Some(&&(s, e)) = spans.peek() {
            if s > i {
                break;
            }
            if e > i {
                i = e;
                jumped = true;
            }
            spans.next();
        }
        if jumped {
            continue;
        }
        let comment_start = bytes[i] == b'#' && (i == 0 || matches!(bytes[i - 1], b' ' | b'\t' | b'\n' | b'\r'));
        if !comment_start {
            i += 1;
            continue;
        }
        let line = src.line_of(i);
        let end = src.line_end(line).max(i);
        let line_start = src.line_start(line);
        let text = src.text.get(i..end).unwrap_or("#").trim_end().to_string();
        out.push(Comment {
            at: i,
            line,
            col: i - line_start,
            own_line: super::source::is_blank(src.text.get(line_start..i).unwrap_or("")),
            text,
        });
        i = end.max(i + 1);
    }
    out
}

impl Comments {
    pub fn new(list: Vec<Comment>) -> Comments {
        let used = vec![false; list.len()];
        Comments {
            list,
            used,
            first_free: 0,
            log: Vec::new(),
        }
    }

    pub fn all(&self) -> &[Comment] {
        &self.list
    }

    fn claim(&mut self, i: usize) -> Comment {
        self.used[i] = true;
        self.log.push(i);
        while self.first_free < self.used.len() && self.used[self.first_free] {
            self.first_free += 1;
        }
        self.list[i].clone()
    }

    /// Every free comment before `before`, in order.
    pub fn before(&mut self, before: usize) -> Vec<Comment> {
        let mut out = Vec::new();
        let mut i = self.first_free;
        while i < self.list.len() && self.list[i].at < before {
            if !self.used[i] {
                out.push(self.claim(i));
            }
            i += 1;
        }
        out
    }

    /// The free comment ending source line `line`, if it lies in `after..before` (`before`:
    /// where the next sibling starts, so of two nodes on a line the last one gets it).
    /// A comment alone on its line trails nothing, even where a node's span ends on that
    /// line (an empty block scalar's ends at the start of the next line): it stays free for
    /// the next item, on a line of its own.
    pub fn trailing(&mut self, line: usize, after: usize, before: usize) -> Option<Comment> {
        self.on_line(line, after, before, false)
    }

    fn on_line(&mut self, line: usize, after: usize, before: usize, own_line: bool) -> Option<Comment> {
        let i = self.list.partition_point(|c| c.line < line);
        let c = self.list.get(i)?;
        (c.line == line && c.at >= after && c.at < before && !self.used[i] && (own_line || !c.own_line))
            .then(|| self.claim(i))
    }

    /// The longest run of free comments from the first free one that lie before `limit` and
    /// are indented by at least `min_col`: the comments that close a collection.
    pub fn closing(&mut self, limit: usize, min_col: usize) -> Vec<Comment> {
        let mut out = Vec::new();
        let mut i = self.first_free;
        while i < self.list.len() && self.list[i].at < limit {
            if !self.used[i] {
                if self.list[i].col < min_col {
                    break;
                }
                out.push(self.claim(i));
            }
            i += 1;
        }
        out
    }

    /// The first free comment in `from..before`, left free.
    pub fn next_free(&self, from: usize, before: usize) -> Option<&Comment> {
        let i = self.list.partition_point(|c| c.at < from);
        (i..self.list.len())
            .take_while(|&i| self.list[i].at < before)
            .find(|&i| !self.used[i])
            .map(|i| &self.list[i])
    }

    /// Whether any comment lies strictly inside `start..end`.
    pub fn any_within(&self, start: usize, end: usize) -> bool {
        let i = self.list.partition_point(|c| c.at <= start);
        self.list.get(i).is_some_and(|c| c.at < end)
    }

    /// Mark every comment on lines `first..=last` used (they are copied with verbatim text).
    pub fn use_lines(&mut self, first: usize, last: usize) {
        let from = self.list.partition_point(|c| c.line < first);
        let to = self.list.partition_point(|c| c.line <= last);
        for i in from..to.max(from) {
            if !self.used[i] {
                self.claim(i);
            }
        }
    }

    pub fn is_used_line(&self, line: usize) -> bool {
        let i = self.list.partition_point(|c| c.line < line);
        self.list.get(i).is_some_and(|c| c.line == line) && self.used[i]
    }

    /// The free comment on `line`, if any (for gap lines).
    pub fn free_on_line(&mut self, line: usize) -> Option<Comment> {
        self.on_line(line, 0, usize::MAX, true)
    }

    /// Start recording claims (see [`Comments::give_back`]).
    pub fn start_log(&mut self) {
        self.log.clear();
    }

    /// Indices claimed since [`Comments::start_log`], in claim order.
    pub fn logged(&self) -> &[usize] {
        &self.log
    }

    /// Undo every claim since [`Comments::start_log`].
    pub fn give_back(&mut self) {
        for &i in &self.log {
            self.used[i] = false;
            self.first_free = self.first_free.min(i);
        }
        self.log.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str, spans: &[(usize, usize)]) -> Vec<(String, bool)> {
        let s = Source::new(src);
        scan(&s, &mut spans.to_vec())
            .into_iter()
            .map(|c| (c.text, c.own_line))
            .collect()
    }

    #[test]
    fn comments_outside_scalars_only() {
        // `a #b` is a scalar here: its span covers the `#`.
        let src = "# top\nk: 'a #b'  # tail \n  #x\nv: c#d\n";
        let spans = [(6, 7), (9, 16), (31, 32), (34, 37)];
        assert_eq!(
            texts(src, &spans),
            vec![
                ("# top".to_string(), true),
                ("# tail".to_string(), false),
                ("#x".to_string(), true)
            ]
        );
    }

    #[test]
    fn closing_stops_at_a_shallower_comment() {
        let src = "a\n    # deep\n  # mid\n# top\n";
        let s = Source::new(src);
        let mut c = Comments::new(scan(&s, &mut []));
        assert_eq!(c.closing(src.len(), 4).len(), 1);
        assert_eq!(c.closing(src.len(), 2).len(), 1);
        assert_eq!(c.before(src.len())[0].text, "# top");
    }
}
