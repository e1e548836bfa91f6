//! Lists: one-level expansion of list references inside lists, then Falco's textual
//! substitution of list names into condition text.

use super::collect::Collected;
use super::text::{SrcText, Str};
use crate::span::Span;

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
pub fn substitute(cond: &SrcText, lists: &[CompiledList], used: &mut [bool]) -> Result<SrcText, SrcText> {
    let mut cur = cond.clone();
    let mut count = 0usize;
    for (li, list) in lists.iter().enumerate() {
        if list.name.is_empty() || !cur.text.contains(list.name.as_str()) {
            continue;
        }
        match substitute_one(&cur, list, &mut count) {
            Some(Ok(next)) => {
                used[li] = true;
                cur = next;
            }
            Some(Err(partial)) => return Err(partial),
            None => {}
        }
    }
    Ok(cur)
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
            let quote = item.value.contains(' ') && !item.value.starts_with('"') && !item.value.starts_with('\'');
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
