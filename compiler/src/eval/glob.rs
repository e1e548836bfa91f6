//! Shell-style wildcard matching (`*`, `?`, `[...]`) as `glob`/`iglob`/`pmatch` use it.

/// Does `text` match `pattern`? `*` matches any run of characters (slashes included),
/// `?` any one character, `[abc]`, `[a-z]`, `[!a]`/`[^a]` a class.
pub fn matches(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    // Position after the last `*` and the text position it is trying to cover.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    star = Some((pi + 1, ti));
                    pi += 1;
                    continue;
                }
                '?' => {
                    pi += 1;
                    ti += 1;
                    continue;
                }
                '[' => {
                    if let Some((ok, next)) = class(&p, pi, t[ti]) {
                        if ok {
                            pi = next;
                            ti += 1;
                            continue;
                        }
                    } else if t[ti] == '[' {
                        // An unclosed `[` is a literal.
                        pi += 1;
                        ti += 1;
                        continue;
                    }
                }
                c if c == t[ti] => {
                    pi += 1;
                    ti += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sp, st)) => {
                pi = sp;
                ti = st + 1;
                star = Some((sp, st + 1));
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// Match `c` against the class starting at `p[at] == '['`. Returns (matched, index
/// after the class), or None if the class is not closed.
fn class(p: &[char], at: usize, c: char) -> Option<(bool, usize)> {
    let mut i = at + 1;
    let negate = matches!(p.get(i), Some('!') | Some('^'));
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    while i < p.len() {
        if p[i] == ']' && !first {
            return Some((matched != negate, i + 1));
        }
        first = false;
        if i + 2 < p.len() && p[i + 1] == '-' && p[i + 2] != ']' {
            if p[i] <= c && c <= p[i + 2] {
                matched = true;
            }
            i += 3;
        } else {
            if p[i] == c {
                matched = true;
            }
            i += 1;
        }
    }
    None
}

/// `pmatch`: is `entry` (a path whose components may be globs) a path prefix of
/// `path`, component by component?
pub fn path_prefix(entry: &str, path: &str) -> bool {
    let entry = entry.strip_suffix('/').unwrap_or(entry);
    let mut comps = path.split('/');
    entry.split('/').all(|e| {
        comps.next().is_some_and(|p| {
            if e.contains(['*', '?', '[']) {
                matches(e, p)
            } else {
                e == p
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(matches("*.log", "/var/log/syslog.log"));
        assert!(matches("/p?/q?", "/pa/qb"));
        assert!(!matches("/p?/q?", "/pa/q"));
        assert!(matches("ba[st]h", "bash"));
        assert!(!matches("ba[!s]h", "bash"));
        assert!(matches("[a-c]x", "bx"));
        assert!(matches("a*b*c", "a123b456c"));
        assert!(!matches("a*b*c", "a123b456"));
        assert!(matches("*", ""));
        assert!(matches("a[", "a["));
    }

    #[test]
    fn path_prefixes() {
        assert!(path_prefix("/opt/dir", "/opt/dir/subdir/file"));
        assert!(path_prefix("/opt/dir/", "/opt/dir/subdir"));
        assert!(path_prefix("/opt/dir", "/opt/dir"));
        assert!(!path_prefix("/opt/dir", "/opt/directory"));
        assert!(path_prefix("/opt/*/subdir", "/opt/dir/subdir/x"));
        assert!(path_prefix("/opt/di[r]/subdir", "/opt/dir/subdir"));
        assert!(path_prefix("/opt/dii?/subdir", "/opt/diir/subdir"));
        assert!(!path_prefix("/opt/*/subdir2", "/opt/dir/subdir"));
        assert!(path_prefix("/", "/anything"));
    }
}
