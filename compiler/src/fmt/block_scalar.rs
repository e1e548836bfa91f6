//! Block scalars (`>` folded, `|` literal) written from the decoded value.
//!
//! A folded scalar keeps the author's line breaks: the caller passes the value offsets of the
//! spaces that came from folding a source line break, and those become line breaks again.
//! Lines are written at one indentation; lines that start with a blank are "more indented"
//! in YAML's sense and keep their newlines. The callers check the result by parsing it back.

/// Header (`>-`, `|`, `>2`, ...) and content lines (no indentation; `""` is an empty line).
pub(super) struct Block {
    pub header: String,
    pub lines: Vec<String>,
}

/// Characters a block scalar can hold as they are (tabs included).
fn block_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
        && !matches!(c, '\u{feff}' | '\u{2028}' | '\u{2029}')
}

/// Split off the final line breaks; a block scalar ends with none (`-`) or one (clip). More
/// would need `+`, whose trailing empty lines merge with the blank line between items.
fn body_and_chomp(value: &str) -> Option<(&str, &'static str)> {
    let body = value.trim_end_matches('\n');
    let chomp = match value.len() - body.len() {
        0 => "-",
        1 => "",
        _ => return None,
    };
    (!body.trim_start_matches('\n').is_empty() && value.chars().all(block_char)).then_some((body, chomp))
}

fn more_indented(line: &str) -> bool {
    line.starts_with([' ', '\t'])
}

/// The indentation indicator: needed when the first content line starts with a space, since
/// the indentation is otherwise taken from it.
fn indicator(lines: &[String]) -> &'static str {
    match lines.iter().find(|l| !l.is_empty()) {
        Some(l) if l.starts_with(' ') => "2",
        _ => "",
    }
}

/// `value` as a literal block scalar.
pub(super) fn literal(value: &str) -> Option<Block> {
    let (body, chomp) = body_and_chomp(value)?;
    let lines: Vec<String> = body.split('\n').map(str::to_string).collect();
    Some(Block {
        header: format!("|{}{chomp}", indicator(&lines)),
        lines,
    })
}

/// `value` as a folded block scalar; `folds` are the (sorted) byte offsets of spaces that
/// stand for a line break.
pub(super) fn folded(value: &str, folds: &[usize]) -> Option<Block> {
    let (body, chomp) = body_and_chomp(value)?;
    // Pieces of the body between separators: a fold (a space that was a line break) or a run
    // of `\n`s.
    let mut lines: Vec<String> = Vec::new();
    let leading = body.len() - body.trim_start_matches('\n').len();
    lines.extend(std::iter::repeat_n(String::new(), leading));
    let mut prev: Option<String> = None;
    let mut piece = String::new();
    let mut newlines = 0usize;
    let mut pending_fold = false;
    let mut folds = folds.iter().peekable();
    for (i, c) in body.char_indices().skip_while(|&(_, c)| c == '\n') {
        while folds.next_if(|&&f| f < i).is_some() {}
        let is_fold = c == ' ' && folds.peek() == Some(&&i);
        if c == '\n' || is_fold {
            if !piece.is_empty() {
                push_piece(
                    &mut lines,
                    &mut prev,
                    std::mem::take(&mut piece),
                    newlines,
                    pending_fold,
                )?;
                newlines = 0;
                pending_fold = false;
            }
            if c == '\n' {
                newlines += 1;
            } else if pending_fold || newlines > 0 {
                return None;
            } else {
                pending_fold = true;
            }
        } else {
            piece.push(c);
        }
    }
    if piece.is_empty() {
        return None;
    }
    push_piece(&mut lines, &mut prev, piece, newlines, pending_fold)?;
    Some(Block {
        header: format!(">{}{chomp}", indicator(&lines)),
        lines,
    })
}

/// Append `piece`, separated from the previous one by a fold or by `newlines` line breaks.
fn push_piece(
    lines: &mut Vec<String>,
    prev: &mut Option<String>,
    piece: String,
    newlines: usize,
    fold: bool,
) -> Option<()> {
    if let Some(p) = prev.as_deref() {
        let both_normal = !more_indented(p) && !more_indented(&piece);
        if fold {
            // Only a break between two normal lines folds into a space.
            if !both_normal || p.ends_with([' ', '\t']) {
                return None;
            }
        } else {
            // Between normal lines a single break folds, so each `\n` needs an empty line;
            // next to a more indented line every break is kept.
            let empty = if both_normal {
                newlines
            } else {
                newlines.checked_sub(1)?
            };
            lines.extend(std::iter::repeat_n(String::new(), empty));
        }
    } else if fold || newlines > 0 {
        return None;
    }
    lines.push(piece.clone());
    *prev = Some(piece);
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fold_at(value: &str, breaks: &[&str]) -> Vec<usize> {
        // The offsets of the spaces after each of `breaks` (test helper).
        breaks
            .iter()
            .filter_map(|b| value.find(b).map(|i| i + b.len()))
            .collect()
    }

    #[test]
    fn folded_keeps_line_breaks() {
        let v = "a and b and c\n";
        let b = folded(v, &fold_at(v, &["a and"])).unwrap();
        assert_eq!(b.header, ">");
        assert_eq!(b.lines, ["a and", "b and c"]);
    }

    #[test]
    fn folded_more_indented_and_paragraphs() {
        let v = "hello\n  more\nworld\n\npara";
        let b = folded(v, &[]).unwrap();
        assert_eq!(b.header, ">-");
        assert_eq!(b.lines, ["hello", "  more", "world", "", "", "para"]);
    }

    #[test]
    fn literal_lines() {
        let b = literal("  x\ny\n").unwrap();
        assert_eq!(b.header, "|2");
        assert_eq!(b.lines, ["  x", "y"]);
        assert!(literal("x\n\n").is_none());
        assert!(literal("").is_none());
    }
}
