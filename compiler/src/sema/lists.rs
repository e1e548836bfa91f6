//! Lists: one-level expansion of list references inside lists, then Falco's textual
//! substitution of list names into condition text.

use super::collect::Collected;
use super::text::{SrcText, Str};
use crate::hash::FastMap;
use crate::span::Span;
use std::borrow::Cow;

/// A list ready for substitution.
pub struct CompiledList {
    pub name: String,
    pub items: Vec<Str>,
}

/// Expand, in each list, items naming a list defined before the list's latest
/// definition into that list's raw items. Returns the compiled lists (in definition
/// order) and marks referenced lists used.
pub fn compile(col: &Collected, used: &mut [bool]) -> Vec<CompiledList> {
    let mut out = Vec::with_capacity(col.lists.len());
    for l in &col.lists {
        let mut items = Vec::with_capacity(l.items.len());
        for item in &l.items {
            match col.lists.iter().position(|r| r.name.value == item.value) {
                Some(ri) if col.lists[ri].index < l.visibility => {
                    used[ri] = true;
                    items.extend(col.lists[ri].items.iter().cloned());
                }
                _ => items.push(item.clone()),
            }
        }
        out.push(CompiledList {
            name: l.name.value.clone(),
            items,
        });
    }
    out
}

const BLANKS: &[u8] = b" \t\n\r";
const DELIMS: &[u8] = b" \t\n\r(),=";

/// Substitute every list into `cond`, in list order, exactly as Falco's loader does:
/// an occurrence delimited by start/end, blanks, `(`, `)`, `,` or `=` is replaced,
/// with surrounding blanks, by the comma-separated items. Marks used lists.
///
/// Substitution can grow text exponentially (a list item naming a later list), so the
/// result is bounded: `Err` with the partial text once a limit is passed.
pub fn substitute<'t>(
    cond: &'t SrcText,
    lists: &[CompiledList],
    index: &ListIndex,
    used: &mut [bool],
) -> Result<Cow<'t, SrcText>, SrcText> {
    // Only lists whose name is a word of the text can be substituted (see `ListIndex`):
    // the words of the condition, then those that each substituted list brings in.
    let mut pending = Pending::new(lists.len());
    for &i in &index.always {
        pending.set(i as usize);
    }
    index.mark_words(&cond.text, 0, &mut pending);
    let mut cur = Cow::Borrowed(cond);
    let mut count = 0usize;
    let mut from = 0usize;
    while let Some(li) = pending.next_from(from) {
        from = li + 1;
        let list = &lists[li];
        if list.name.is_empty() || !cur.text.contains(list.name.as_str()) {
            continue;
        }
        match substitute_one(&cur, list, &mut count) {
            Some(Ok(next)) => {
                used[li] = true;
                for item in &list.items {
                    index.mark_item(&item.value, from, &mut pending);
                }
                cur = Cow::Owned(next);
            }
            Some(Err(partial)) => return Err(partial),
            None => {}
        }
    }
    Ok(cur)
}

/// List names by word, built once per ruleset.
///
/// Falco substitutes an occurrence of a list name only where a delimiter (or the end of
/// the text) stands on both sides of it, and every piece of text that substitution adds
/// or keeps is cut at delimiters. So a list whose name has no delimiter in it can only be
/// substituted where its name is a whole word of the text (split at delimiters): of the
/// condition, or of an item that an earlier list brought in. Searching the text only for
/// those lists gives Falco's result without one substring search per list and condition.
pub struct ListIndex {
    by_name: FastMap<String, Vec<u32>>,
    /// Lists whose name holds a delimiter: searched in every condition.
    always: Vec<u32>,
}

impl ListIndex {
    pub fn new(lists: &[CompiledList]) -> ListIndex {
        let mut by_name: FastMap<String, Vec<u32>> = FastMap::with_capacity_and_hasher(lists.len(), Default::default());
        let mut always = Vec::new();
        for (i, l) in lists.iter().enumerate() {
            if l.name.is_empty() {
                continue;
            }
            if l.name.bytes().any(|b| DELIMS.contains(&b)) {
                always.push(i as u32);
            } else {
                by_name.entry(l.name.clone()).or_default().push(i as u32);
            }
        }
        ListIndex { by_name, always }
    }

    /// Mark the lists at index `from` or later that a word of `text` names.
    fn mark_words(&self, text: &str, from: usize, pending: &mut Pending) {
        if self.by_name.is_empty() {
            return;
        }
        for word in text.split(|c: char| c.is_ascii() && DELIMS.contains(&(c as u8))) {
            if word.is_empty() {
                continue;
            }
            if let Some(ids) = self.by_name.get(word) {
                for &i in ids {
                    if i as usize >= from {
                        pending.set(i as usize);
                    }
                }
            }
        }
    }

    /// The words of an item as `substitute_one` writes it (quoted when it holds a space).
    fn mark_item(&self, value: &str, from: usize, pending: &mut Pending) {
        if needs_quotes(value) {
            self.mark_words(&format!("\"{value}\""), from, pending);
        } else {
            self.mark_words(value, from, pending);
        }
    }
}

/// Lists still to search, by index: a bit set walked upwards while bits above are set.
struct Pending(Vec<u64>);

impl Pending {
    fn new(n: usize) -> Pending {
        Pending(vec![0; n.div_ceil(64)])
    }

    fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }

    /// The lowest marked index at or above `from`.
    fn next_from(&self, from: usize) -> Option<usize> {
        let mut w = from / 64;
        let mut bits = *self.0.get(w)? & (!0u64 << (from % 64));
        loop {
            if bits != 0 {
                return Some(w * 64 + bits.trailing_zeros() as usize);
            }
            w += 1;
            bits = *self.0.get(w)?;
        }
    }
}

fn needs_quotes(value: &str) -> bool {
    value.contains(' ') && !value.starts_with('"') && !value.starts_with('\'')
}

/// Largest condition text and most substitutions accepted in one condition.
pub const MAX_CONDITION_BYTES: usize = 256 * 1024;
pub const MAX_SUBSTITUTIONS: usize = 4096;

/// One pass over `cur` producing what Falco's repeated find-and-rebuild loop produces.
/// The logical string Falco works on is always `next` (already rewritten) followed by
/// `cur[done..]` (not yet looked at), so positions at or after `done` are in `cur`.
fn substitute_one(cur: &SrcText, list: &CompiledList, count: &mut usize) -> Option<Result<SrcText, SrcText>> {
    let name = list.name.as_str();
    let bytes = cur.text.as_bytes();
    let mut next = SrcText::default();
    let mut done = 0usize;
    let mut search_from = 0usize;
    let mut changed = false;
    while let Some(rel) = cur.text.get(search_from..).and_then(|t| t.find(name)) {
        let p = search_from + rel;
        let mut end = p + name.len();
        let before = if p > done {
            Some(bytes[p - 1])
        } else {
            next.text.as_bytes().last().copied()
        };
        let left_ok = before.is_none_or(|b| DELIMS.contains(&b));
        let right_ok = end >= bytes.len() || DELIMS.contains(&bytes[end]);
        if !(left_ok && right_ok) {
            search_from = p + 1;
            while search_from < bytes.len() && !cur.text.is_char_boundary(search_from) {
                search_from += 1;
            }
            continue;
        }
        *count += 1;
        if *count > MAX_SUBSTITUTIONS || next.text.len() + bytes.len() > MAX_CONDITION_BYTES {
            return Some(Err(cur.clone()));
        }
        // Blanks around the name are swallowed, on the left possibly into `next`.
        let mut start = p;
        while start > done && BLANKS.contains(&bytes[start - 1]) {
            start -= 1;
        }
        let mut trim_next = 0;
        if start == done {
            trim_next = next.text.bytes().rev().take_while(|b| BLANKS.contains(b)).count();
        }
        while end < bytes.len() && BLANKS.contains(&bytes[end]) {
            end += 1;
        }
        if list.items.is_empty() {
            // An empty list also swallows one adjacent comma.
            if start > done && bytes[start - 1] == b',' {
                start -= 1;
            } else if start == done
                && next.text.len() > trim_next
                && next.text.as_bytes()[next.text.len() - trim_next - 1] == b','
            {
                trim_next += 1;
            } else if end < bytes.len() && bytes[end] == b',' {
                end += 1;
            }
        }
        let at = cur.map(Span::new(p as u32, (p + name.len()) as u32), Default::default());
        next.push_text(cur, done..start);
        next.truncate_end(trim_next.min(next.text.len()));
        let at_start = next.text.is_empty();
        if !at_start {
            next.push_synthetic(" ", at);
        }
        for (i, item) in list.items.iter().enumerate() {
            if i > 0 {
                next.push_synthetic(", ", at);
            }
            let quote = needs_quotes(&item.value);
            if quote {
                next.push_synthetic("\"", item.file_span());
            }
            next.push_str(item, 0..item.value.len());
            if quote {
                next.push_synthetic("\"", item.file_span());
            }
        }
        next.push_synthetic(" ", at);
        changed = true;
        done = end;
        // Falco resumes its search after the blank that follows the items, or one byte
        // later when the occurrence started the string (its index arithmetic).
        search_from = if at_start { end + 1 } else { end };
        while search_from < bytes.len() && !cur.text.is_char_boundary(search_from) {
            search_from += 1;
        }
        if search_from > bytes.len() {
            break;
        }
    }
    if !changed {
        return None;
    }
    next.push_text(cur, done..bytes.len());
    Some(Ok(next))
}
