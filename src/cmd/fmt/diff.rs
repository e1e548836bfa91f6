//! A unified diff of two texts, line by line (what `falcorc fmt --diff` prints).
//!
//! The longest common subsequence of lines, after the common head and tail are set aside;
//! formatting changes are local, so the middle is small. A middle too large for the table
//! (more than [`MAX_CELLS`]) is shown as one replacement, still a correct diff.

/// Largest LCS table, in cells (two bytes each).
const MAX_CELLS: usize = 16 * 1024 * 1024;

/// Lines of context around each change.
const CONTEXT: usize = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Keep,
    Delete,
    Insert,
}

/// `before` → `after` as a unified diff naming `name`; empty when they are equal.
pub fn unified(name: &str, before: &str, after: &str) -> String {
    let a: Vec<&str> = before.split_inclusive('\n').collect();
    let b: Vec<&str> = after.split_inclusive('\n').collect();
    let ops = script(&a, &b);
    if ops.iter().all(|&op| op == Op::Keep) {
        return String::new();
    }
    let mut out = format!("--- {name}\t(original)\n+++ {name}\t(formatted)\n");
    for hunk in hunks(&ops) {
        write_hunk(&mut out, &ops[hunk.clone()], &a, &b, line_numbers(&ops, hunk.start));
    }
    out
}

/// The edit script: for each step, keep a line of both, delete one of `a` or insert one of `b`.
fn script(a: &[&str], b: &[&str]) -> Vec<Op> {
    let head = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let tail = a[head..]
        .iter()
        .rev()
        .zip(b[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ma, mb) = (&a[head..a.len() - tail], &b[head..b.len() - tail]);
    let mut ops = vec![Op::Keep; head];
    if ma.len().saturating_mul(mb.len()) <= MAX_CELLS {
        ops.extend(lcs(ma, mb));
    } else {
        ops.extend(std::iter::repeat_n(Op::Delete, ma.len()));
        ops.extend(std::iter::repeat_n(Op::Insert, mb.len()));
    }
    ops.extend(std::iter::repeat_n(Op::Keep, tail));
    ops
}

/// Edit script of a longest common subsequence (table of suffix lengths, walked forwards).
fn lcs(a: &[&str], b: &[&str]) -> Vec<Op> {
    let (n, m) = (a.len(), b.len());
    // len[i][j]: LCS length of a[i..] and b[j..], saturated (only comparisons matter, and
    // ties are rare enough that a saturated count still yields a valid script).
    let mut len = vec![0u16; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            len[at(i, j)] = if a[i] == b[j] {
                len[at(i + 1, j + 1)].saturating_add(1)
            } else {
                len[at(i + 1, j)].max(len[at(i, j + 1)])
            };
        }
    }
    let mut ops = Vec::with_capacity(n + m);
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push(Op::Keep);
            i += 1;
            j += 1;
        } else if j < m && (i == n || len[at(i, j + 1)] > len[at(i + 1, j)]) {
            ops.push(Op::Insert);
            j += 1;
        } else {
            ops.push(Op::Delete);
            i += 1;
        }
    }
    ops
}

/// Ranges of `ops` to print: each change with [`CONTEXT`] kept lines around it, changes
/// closer than twice that merged.
fn hunks(ops: &[Op]) -> Vec<std::ops::Range<usize>> {
    let mut out: Vec<std::ops::Range<usize>> = Vec::new();
    for (k, &op) in ops.iter().enumerate() {
        if op == Op::Keep {
            continue;
        }
        let start = k.saturating_sub(CONTEXT);
        let end = (k + 1 + CONTEXT).min(ops.len());
        match out.last_mut() {
            Some(last) if start <= last.end => last.end = end,
            _ => out.push(start..end),
        }
    }
    out
}

/// 0-based positions in `a` and `b` reached after `ops[..upto]`.
fn line_numbers(ops: &[Op], upto: usize) -> (usize, usize) {
    ops[..upto].iter().fold((0, 0), |(i, j), op| match op {
        Op::Keep => (i + 1, j + 1),
        Op::Delete => (i + 1, j),
        Op::Insert => (i, j + 1),
    })
}

fn write_hunk(out: &mut String, ops: &[Op], a: &[&str], b: &[&str], (mut i, mut j): (usize, usize)) {
    let count_a = ops.iter().filter(|&&op| op != Op::Insert).count();
    let count_b = ops.iter().filter(|&&op| op != Op::Delete).count();
    // An empty side is numbered by the line before it.
    let first = |pos: usize, count: usize| if count == 0 { pos } else { pos + 1 };
    out.push_str(&format!(
        "@@ -{},{count_a} +{},{count_b} @@\n",
        first(i, count_a),
        first(j, count_b)
    ));
    for &op in ops {
        let (mark, line) = match op {
            Op::Keep => {
                i += 1;
                j += 1;
                (' ', a[i - 1])
            }
            Op::Delete => {
                i += 1;
                ('-', a[i - 1])
            }
            Op::Insert => {
                j += 1;
                ('+', b[j - 1])
            }
        };
        out.push(mark);
        out.push_str(line);
        if !line.ends_with('\n') {
            out.push_str("\n\\ No newline at end of file\n");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::unified;

    #[test]
    fn equal_texts_give_no_diff() {
        assert_eq!(unified("f", "a\nb\n", "a\nb\n"), "");
    }

    #[test]
    fn one_change_with_context() {
        let before = "1\n2\n3\n4\n5\n6\n7\n8\n";
        let after = "1\n2\n3\n4\nfive\n6\n7\n8\n";
        assert_eq!(
            unified("f", before, after),
            "--- f\t(original)\n+++ f\t(formatted)\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"
        );
    }

    #[test]
    fn insertion_at_the_start_and_missing_final_newline() {
        assert_eq!(
            unified("f", "a", "x\na\n"),
            "--- f\t(original)\n+++ f\t(formatted)\n@@ -1,1 +1,2 @@\n-a\n\\ No newline at end of file\n+x\n+a\n"
        );
        assert_eq!(
            unified("f", "", "a\n"),
            "--- f\t(original)\n+++ f\t(formatted)\n@@ -0,0 +1,1 @@\n+a\n"
        );
    }
}
