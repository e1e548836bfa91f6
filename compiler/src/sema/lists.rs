//! Lists: one-level expansion of list references inside lists, then Falco's textual
//! substitution of list names into condition text.

use super::collect::Collected;
use super::text::{SrcText, Str};

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
pub fn substitute(cond: &SrcText, lists: &[CompiledList], used: &mut [bool]) -> SrcText {
    let mut cur = cond.clone();
    for (li, list) in lists.iter().enumerate() {
        if list.name.is_empty() || !cur.text.contains(list.name.as_str()) {
            continue;
        }
        if let Some(next) = substitute_one(&cur, list) {
            used[li] = true;
            cur = next;
        }
    }
    cur
}

fn substitute_one(cnd: &SrcText, list: &CompiledList) -> Option<SrcText> {
    let name = list.name.as_str();
    let mut cur = cnd.clone();
    let mut changed = false;
    let mut search_from = 0usize;
    while let Some(rel) = cur.text.get(search_from..).and_then(|t| t.find(name)) {
        let mut start = search_from + rel;
        let mut end = start + name.len();
        let bytes = cur.text.as_bytes();
        let left_ok = start == 0 || DELIMS.contains(&bytes[start - 1]);
        let right_ok = end >= bytes.len() || DELIMS.contains(&bytes[end]);
        if !(left_ok && right_ok) {
            search_from = start + 1;
            while search_from < cur.text.len() && !cur.text.is_char_boundary(search_from) {
                search_from += 1;
            }
            continue;
        }
        let name_start = start;
        let name_end = end;
        while start > 0 && BLANKS.contains(&bytes[start - 1]) {
            start -= 1;
        }
        while end < bytes.len() && BLANKS.contains(&bytes[end]) {
            end += 1;
        }
        if list.items.is_empty() {
            if start > 0 && bytes[start - 1] == b',' {
                start -= 1;
            } else if end < bytes.len() && bytes[end] == b',' {
                end += 1;
            }
        }
        let at = cur.map(
            crate::span::Span::new(name_start as u32, name_end as u32),
            Default::default(),
        );
        let mut next = SrcText::default();
        if start > 0 {
            next.push_text(&cur, 0..start);
            next.push_synthetic(" ", at);
        }
        let sub_start = next.text.len();
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
        let resume = next.text.len();
        next.push_text(&cur, end..cur.text.len());
        let _ = sub_start;
        changed = true;
        cur = next;
        // Falco resumes the search one byte after the substituted items.
        search_from = resume.min(cur.text.len());
    }
    changed.then_some(cur)
}
