//! A unified line diff (`diff -u` format), for reviewing what `falcorc fmt --diff` would
//! change and what `falcorc test --update` rewrote. Fixtures and alert files are small, so a plain longest-common-subsequence
//! table is enough; past a size bound the differing middle is shown as replaced whole,
//! still a correct diff, so time and memory stay bounded on any input.

use std::fmt::Write;

/// Lines of context around each change, as `diff -u`.
const CONTEXT: usize = 3;
/// Largest LCS table (cells) computed; beyond it the middle is replaced whole.
const MAX_CELLS: usize = 4_000_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Same,
    Del,
    Add,
}

/// The unified diff from `old` to `new`, labelled `---`/`+++` with the two names; empty
/// when the texts are equal.
pub fn unified(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    if old == new {
        return String::new();
    }
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    let ops = edit_script(&a, &b);
    let mut out = format!("--- {old_name}\n+++ {new_name}\n");
    // Positions in `ops` of changes, grouped into hunks that share context.
    let changes: Vec<usize> = (0..ops.len()).filter(|&i| ops[i] != Op::Same).collect();
    let mut i = 0;
    while i < changes.len() {
        let mut j = i;
        while j + 1 < changes.len() && changes[j + 1] - changes[j] <= 2 * CONTEXT + 1 {
            j += 1;
        }
        let start = changes[i].saturating_sub(CONTEXT);
        let end = (changes[j] + CONTEXT + 1).min(ops.len());
        hunk(&mut out, &ops, &a, &b, start, end);
        i = j + 1;
    }
    out
}

/// Write the hunk of `ops[start..end]`.
fn hunk(out: &mut String, ops: &[Op], a: &[&str], b: &[&str], start: usize, end: usize) {
    // Line numbers (from 0) in each file where the hunk starts.
    let (mut x, mut y) = (0, 0);
    for op in &ops[..start] {
        match op {
            Op::Same => (x, y) = (x + 1, y + 1),
            Op::Del => x += 1,
            Op::Add => y += 1,
        }
    }
    let count = |keep: Op| ops[start..end].iter().filter(|&&o| o == Op::Same || o == keep).count();
    let (old_len, new_len) = (count(Op::Del), count(Op::Add));
    // `diff -u` numbers an empty range by the line before it.
    let pos = |line: usize, len: usize| if len == 0 { line } else { line + 1 };
    let _ = writeln!(
        out,
        "@@ -{},{old_len} +{},{new_len} @@",
        pos(x, old_len),
        pos(y, new_len)
    );
    for op in &ops[start..end] {
        let (mark, line) = match op {
            Op::Same => {
                let l = a.get(x).copied().unwrap_or("");
                (x, y) = (x + 1, y + 1);
                (' ', l)
            }
            Op::Del => {
                let l = a.get(x).copied().unwrap_or("");
                x += 1;
                ('-', l)
            }
            Op::Add => {
                let l = b.get(y).copied().unwrap_or("");
                y += 1;
                ('+', l)
            }
        };
        out.push(mark);
        out.push_str(line);
        if !line.ends_with('\n') {
            out.push_str("\n\\ No newline at end of file\n");
        }
    }
}

/// The shortest edit script from `a` to `b` (within the size bound).
fn edit_script(a: &[&str], b: &[&str]) -> Vec<Op> {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ma, mb) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut ops = vec![Op::Same; prefix];
    if ma.len().saturating_mul(mb.len()) > MAX_CELLS {
        ops.extend(std::iter::repeat_n(Op::Del, ma.len()));
        ops.extend(std::iter::repeat_n(Op::Add, mb.len()));
    } else {
        ops.extend(lcs_script(ma, mb));
    }
    ops.extend(std::iter::repeat_n(Op::Same, suffix));
    ops
}

fn lcs_script(a: &[&str], b: &[&str]) -> Vec<Op> {
    let (n, m) = (a.len(), b.len());
    // lcs[i][j]: length of the LCS of a[i..] and b[j..], row-major with m + 1 columns.
    let w = m + 1;
    let mut lcs = vec![0u32; (n + 1) * w];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i * w + j] = if a[i] == b[j] {
                lcs[(i + 1) * w + j + 1] + 1
            } else {
                lcs[(i + 1) * w + j].max(lcs[i * w + j + 1])
            };
        }
    }
    let mut ops = Vec::with_capacity(n + m);
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push(Op::Same);
            (i, j) = (i + 1, j + 1);
        } else if j == m || (i < n && lcs[(i + 1) * w + j] >= lcs[i * w + j + 1]) {
            // On a tie, deletions go first, as `diff` prints a changed block.
            ops.push(Op::Del);
            i += 1;
        } else {
            ops.push(Op::Add);
            j += 1;
        }
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_have_no_diff() {
        assert_eq!(unified("a\nb\n", "a\nb\n", "x", "y"), "");
    }

    #[test]
    fn one_changed_line_with_context() {
        let old = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
        let new = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
        assert_eq!(
            unified(old, new, "a/f", "b/f"),
            "--- a/f\n+++ b/f\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"
        );
    }

    #[test]
    fn distant_changes_make_two_hunks() {
        let old: String = (1..=20).map(|i| format!("{i}\n")).collect();
        let new: String = (1..=20)
            .map(|i| match i {
                2 => "two\n".to_string(),
                19 => "nineteen\n".to_string(),
                _ => format!("{i}\n"),
            })
            .collect();
        let d = unified(&old, &new, "a", "b");
        assert_eq!(d.matches("@@ -").count(), 2, "{d}");
        assert!(d.contains("@@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n"), "{d}");
        assert!(
            d.contains("@@ -16,5 +16,5 @@\n 16\n 17\n 18\n-19\n+nineteen\n 20\n"),
            "{d}"
        );
    }

    #[test]
    fn insertion_into_empty_and_missing_final_newline() {
        assert_eq!(unified("", "a\n", "x", "y"), "--- x\n+++ y\n@@ -0,0 +1,1 @@\n+a\n");
        assert_eq!(
            unified("a", "b", "x", "y"),
            "--- x\n+++ y\n@@ -1,1 +1,1 @@\n-a\n\\ No newline at end of file\n+b\n\\ No newline at end of file\n"
        );
    }

    #[test]
    fn huge_middles_are_replaced_whole() {
        let old: String = (0..3000).map(|i| format!("a{i}\n")).collect();
        let new: String = (0..3000).map(|i| format!("b{i}\n")).collect();
        let d = unified(&old, &new, "x", "y");
        assert!(
            d.starts_with("--- x\n+++ y\n@@ -1,3000 +1,3000 @@\n-a0\n"),
            "{}",
            &d[..40]
        );
        assert_eq!(
            d.lines()
                .filter(|l| l.starts_with('+') && !l.starts_with("+++"))
                .count(),
            3000
        );
    }
}
