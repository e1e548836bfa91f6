//! Path arithmetic on the strings syscalls pass: joining a relative path to
//! a directory and normalizing `.`, `..` and repeated separators lexically
//! (no filesystem access, symlinks are not resolved).

/// Whether libsinsp's `sanitize_string` replaces `c`: ASCII controls and DEL, C1 controls
/// and Unicode non-characters. (Invalid UTF-8 is already U+FFFD here: lossy decoding
/// substitutes maximal subparts, as libsinsp does.)
#[inline]
fn unprintable(c: char) -> bool {
    let u = c as u32;
    u < 0x20 || (0x7f..=0x9f).contains(&u) || (0xfdd0..=0xfdef).contains(&u) || u & 0xfffe == 0xfffe
}

/// `s` as Falco 0.44's libsinsp shows a path it was given (`sanitize_string`, applied by
/// `concatenate_paths` and to path parameters): every unprintable character becomes U+FFFD,
/// so a newline in a file name cannot break an alert line. Borrowed when nothing changes.
pub fn sanitize(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(unprintable) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(s.chars().map(|c| if unprintable(c) { '\u{fffd}' } else { c }).collect())
}

/// `rel` resolved against `base`: `rel` alone when it is absolute (or `base`
/// is empty), `base/rel` otherwise, then normalized. A trailing separator of
/// `rel` is kept. `rel` is sanitized ([`sanitize`]); `base`, a path already
/// resolved, is not (libsinsp's `concatenate_paths`).
pub fn join(base: &str, rel: &str) -> String {
    let rel = sanitize(rel);
    let rel = rel.as_ref();
    if rel.starts_with('/') || base.is_empty() {
        return normalize(rel);
    }
    if rel.is_empty() {
        return normalize(base);
    }
    let mut s = String::with_capacity(base.len() + rel.len() + 1);
    s.push_str(base);
    if !base.ends_with('/') {
        s.push('/');
    }
    s.push_str(rel);
    if is_normal(&s) {
        return s;
    }
    normalize(&s)
}

/// [`join`], borrowing `rel` when it is already the result (an absolute path in
/// normal form: what most opens pass).
pub fn join_cow<'a>(base: &str, rel: &'a str) -> std::borrow::Cow<'a, str> {
    if (rel.starts_with('/') || base.is_empty()) && is_normal(rel) && !rel.chars().any(unprintable) {
        std::borrow::Cow::Borrowed(rel)
    } else {
        std::borrow::Cow::Owned(join(base, rel))
    }
}

/// Whether `path` is already in normal form (no empty, `.` or `..`
/// component other than a final empty one after a trailing `/`).
fn is_normal(path: &str) -> bool {
    if path == "/" {
        return true;
    }
    let body = path.strip_prefix('/').unwrap_or(path);
    let body = body.strip_suffix('/').unwrap_or(body).as_bytes();
    // One pass over the bytes (every open's path goes through here): a component
    // starts at 0 and after each '/', and must not be empty, `.` or `..`.
    let mut start = 0;
    for (i, &b) in body.iter().enumerate() {
        if b == b'/' {
            if bad_component(&body[start..i]) {
                return false;
            }
            start = i + 1;
        }
    }
    !bad_component(&body[start..])
}

/// An empty, `.` or `..` path component.
#[inline]
fn bad_component(c: &[u8]) -> bool {
    matches!(c, [] | [b'.'] | [b'.', b'.'])
}

/// Lexical normalization: collapses `//`, removes `.` components and folds
/// `..` into its parent (never above the root of an absolute path). Keeps a
/// trailing `/` when the input names a directory explicitly (`/tmp/`,
/// `/tmp/.`).
pub fn normalize(path: &str) -> String {
    if path.is_empty() {
        return String::new();
    }
    if is_normal(path) {
        return path.to_string();
    }
    let absolute = path.starts_with('/');
    let trailing = path.ends_with('/') || path.ends_with("/.") || path.ends_with("/..") || path == "." || path == "..";
    let mut parts: Vec<&str> = Vec::new();
    for comp in path.split('/') {
        match comp {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !absolute {
                    parts.push("..");
                }
            }
            c => parts.push(c),
        }
    }
    let mut out = String::with_capacity(path.len());
    if absolute {
        out.push('/');
    }
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(p);
    }
    if out.is_empty() {
        out.push('.');
    }
    if trailing && !out.ends_with('/') {
        out.push('/');
    }
    out
}

/// The text of a NUL-terminated path parameter when it is ASCII, absolute and in
/// normal form, as nearly every open passes it: then it is its own `fd.name`, needs
/// no UTF-8 decoding, no directory and no normalization. `None` for anything else
/// (including an empty parameter), which the general path handles. One pass over the
/// bytes, where finding the NUL, validating UTF-8 and checking the form were three.
pub fn plain_absolute(raw: &[u8]) -> Option<&str> {
    // What the current component is so far.
    const EMPTY: u8 = 0;
    const DOT: u8 = 1;
    const DOTDOT: u8 = 2;
    const NAME: u8 = 3;
    if raw.first() != Some(&b'/') {
        return None;
    }
    let mut state = EMPTY;
    let mut end = raw.len();
    for (i, &b) in raw.iter().enumerate().skip(1) {
        // Most bytes: letters, digits, `_` and the like, above '/' and below DEL.
        if b.wrapping_sub(b'/' + 1) < 0x7f - (b'/' + 1) {
            state = NAME;
            continue;
        }
        match b {
            0 => {
                end = i;
                break;
            }
            b'/' if state == NAME => state = EMPTY,
            b'/' => return None,
            b'.' => state = if state < DOTDOT { state + 1 } else { NAME },
            // Non-ASCII, controls and DEL: the general path decodes and sanitizes.
            0x80.. | 0x01..=0x1f | 0x7f => return None,
            _ => state = NAME,
        }
    }
    // A trailing `/` is kept (state EMPTY); a final `.` or `..` component is not normal.
    if state == DOT || state == DOTDOT {
        return None;
    }
    let text = &raw[..end];
    debug_assert!(text.is_ascii());
    // SAFETY: every byte before `end` passed the loop above, which returns on
    // anything outside 0x01..=0x7e: the bytes are ASCII, so they are UTF-8. Checking
    // again with `str::from_utf8` cost about a fifth of an open's state update.
    Some(unsafe { std::str::from_utf8_unchecked(text) })
}

/// Position of the last `/`: a byte search from the end (rules read `fd.directory` and
/// `fd.filename` of most opens; `str::rfind` with a char pattern costs several times
/// more on these short strings).
#[inline]
fn last_slash(name: &str) -> Option<usize> {
    name.as_bytes().iter().rposition(|&b| b == b'/')
}

/// `fd.directory` of a file name: everything before the last `/`, `/` when
/// the only slash is the first character or there is none; a name ending
/// with `/` is returned unchanged.
pub fn directory(name: &str) -> &str {
    match last_slash(name) {
        Some(pos) if pos != 0 => {
            if pos < name.len() - 1 {
                &name[..pos]
            } else {
                name
            }
        }
        _ => "/",
    }
}

/// `fd.filename` of a file name: the part after the last `/` (the whole
/// name when it ends with `/`), `/` when there is no slash at all.
pub fn filename(name: &str) -> &str {
    match last_slash(name) {
        Some(pos) if pos < name.len() - 1 => &name[pos + 1..],
        Some(_) => name,
        None => "/",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_and_normalizes() {
        assert_eq!(join("/home/u/", "a.txt"), "/home/u/a.txt");
        assert_eq!(join("/home/u", "../x"), "/home/x");
        assert_eq!(join("/home/u/", "/etc/../etc/./shadow"), "/etc/shadow");
        assert_eq!(join("/", "../../etc//passwd"), "/etc/passwd");
        assert_eq!(join("", "rel/a"), "rel/a");
        assert_eq!(join("/tmp/", "dir/"), "/tmp/dir/");
        assert_eq!(normalize("/tmp/."), "/tmp/");
        assert_eq!(normalize("/.."), "/");
        assert_eq!(normalize("/"), "/");
        assert_eq!(normalize("a/./b"), "a/b");
        assert_eq!(normalize("//x"), "/x");
        assert_eq!(normalize("/x/"), "/x/");
    }

    /// libsinsp's `sanitize_string` (libs 0.25, Falco 0.44): one U+FFFD per unprintable
    /// character; printable text of any script is kept.
    #[test]
    fn unprintable_characters_in_a_path_become_replacement_characters() {
        let r = '\u{fffd}';
        assert_eq!(sanitize("/tmp/a\nb"), format!("/tmp/a{r}b"));
        assert_eq!(sanitize("x\t\u{1}\u{7f}y"), format!("x{r}{r}{r}y"));
        assert_eq!(
            sanitize("c1\u{85}nc\u{fdd0}\u{fffe}\u{1fffe}"),
            format!("c1{r}nc{r}{r}{r}")
        );
        assert!(matches!(sanitize("/home/été/日本/😀 x"), std::borrow::Cow::Borrowed(_)));
        // Invalid UTF-8 was replaced when decoded, one U+FFFD per maximal subpart, as libsinsp
        // does: `\xE2\x82` (a cut 3-byte sequence) is one, `\xFF\xFE` two.
        let decoded = String::from_utf8_lossy(b"a\xe2\x82b\xff\xfe");
        assert_eq!(sanitize(&decoded), format!("a{r}b{r}{r}"));
        // The relative part of a join is sanitized, the directory it is joined to is not.
        assert_eq!(join("/tmp/", "a\nb"), format!("/tmp/a{r}b"));
        assert_eq!(join("/t\nmp/", "ab"), "/t\nmp/ab");
        assert_eq!(join_cow("", "/x\ny"), format!("/x{r}y"));
        assert_eq!(plain_absolute(b"/x\ny\0"), None);
        assert_eq!(plain_absolute(b"/x\x7fy\0"), None);
        assert_eq!(plain_absolute(b"/x~y\0"), Some("/x~y"));
    }

    proptest::proptest! {
        #[test]
        fn is_normal_matches_splitting(path in "[/.ab]{0,12}") {
            // The component-by-component definition the one-pass scan replaced.
            let body = path.strip_prefix('/').unwrap_or(&path);
            let body = body.strip_suffix('/').unwrap_or(body);
            let by_split = !path.is_empty()
                && body.split('/').all(|c| !c.is_empty() && c != "." && c != "..")
                || path == "/";
            proptest::prop_assert_eq!(is_normal(&path), by_split);
        }
    }

    proptest::proptest! {
        #[test]
        fn plain_absolute_is_the_general_path(body in "[/.a\u{e9}]{0,10}", nul in proptest::bool::ANY, tail in "[/.a]{0,3}") {
            // What opens do without the shortcut: the text before the NUL, lossily
            // decoded, joined to no directory.
            let mut raw = body.clone().into_bytes();
            if nul {
                raw.push(0);
                raw.extend_from_slice(tail.as_bytes());
            }
            let text = match crate::event::decode(falcorc_compiler::sema::catalog::FieldType::Fspath, &raw) {
                crate::event::Param::Str(b) => String::from_utf8_lossy(b).into_owned(),
                _ => String::new(),
            };
            if let Some(fast) = plain_absolute(&raw) {
                proptest::prop_assert_eq!(fast, text.as_str());
                let joined = join_cow("/somewhere/", &text);
                proptest::prop_assert_eq!(joined.as_ref(), fast);
                proptest::prop_assert!(is_normal(&text));
            } else {
                proptest::prop_assert!(!(text.starts_with('/') && is_normal(&text) && text.is_ascii()));
            }
        }

        #[test]
        fn plain_absolute_lends_only_ascii_before_the_nul(raw in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40), slash in proptest::bool::ANY) {
            // Any bytes at all (the text is made without a UTF-8 check).
            let mut raw = raw;
            if slash {
                raw.insert(0, b'/');
            }
            if let Some(fast) = plain_absolute(&raw) {
                proptest::prop_assert!(fast.is_ascii());
                proptest::prop_assert!(raw.starts_with(fast.as_bytes()));
                proptest::prop_assert!(!fast.as_bytes().contains(&0));
                proptest::prop_assert!(raw.get(fast.len()).is_none_or(|&b| b == 0));
            }
        }
    }

    #[test]
    fn directory_and_filename() {
        assert_eq!(directory("/etc/ld.so.cache"), "/etc");
        assert_eq!(directory("/etc"), "/");
        assert_eq!(directory(""), "/");
        assert_eq!(directory("/tmp/"), "/tmp/");
        assert_eq!(filename("/etc/ld.so.cache"), "ld.so.cache");
        assert_eq!(filename("x"), "/");
    }
}
