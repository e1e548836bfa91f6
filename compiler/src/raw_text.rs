//! Text that may hold bytes that are not UTF-8, kept in a `str` without losing them.
//!
//! Falco handles a process's name, executable and arguments as raw bytes: a condition
//! compares the bytes, the text output writes them as they are, and only its JSON encoder
//! replaces what is not UTF-8 with U+FFFD. falcorc's values are `str`s, so each byte of an
//! invalid sequence is written as one code point of the last private-use block,
//! U+10FF80 + (byte - 0x80). A genuine character of that range (U+10FF80..=U+10FFFF) is
//! written the same way byte by byte, so the mapping is one to one and [`to_bytes`] gives
//! back exactly the bytes that came in. [`to_lossy`] then gives what Falco's JSON shows.
//!
//! Only places that Falco writes verbatim use this: everything else (paths, which libsinsp
//! sanitises) goes through ordinary lossy decoding.

use std::borrow::Cow;

/// The code point that stands for byte 0x00; bytes 0x80..=0xFF use U+10FF80..=U+10FFFF.
const BASE: u32 = 0x10_FF00;

/// The lead byte of every code point at or above U+10FF80 (`F4 8F BE..BF xx`).
const LEAD: u8 = 0xF4;

/// Whether `c` stands for a raw byte (or is a genuine character written byte by byte).
fn is_escape(c: char) -> bool {
    (c as u32) >= BASE + 0x80
}

fn escape_byte(out: &mut String, b: u8) {
    // BASE + 0x80..=0xFF is a valid scalar value: below U+110000, above the surrogates.
    out.push(char::from_u32(BASE + u32::from(b)).unwrap_or(char::REPLACEMENT_CHARACTER));
}

/// `bytes` as text: valid UTF-8 as it is, each byte of an invalid sequence escaped.
pub fn escape(bytes: &[u8]) -> Cow<'_, str> {
    if let Ok(s) = std::str::from_utf8(bytes)
        && memchr::memchr(LEAD, bytes).is_none()
    {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if is_escape(c) {
                let mut buf = [0; 4];
                c.encode_utf8(&mut buf).bytes().for_each(|b| escape_byte(&mut out, b));
            } else {
                out.push(c);
            }
        }
        chunk.invalid().iter().for_each(|&b| escape_byte(&mut out, b));
    }
    Cow::Owned(out)
}

/// The raw byte that `c` stands for, if it is an escape.
pub fn byte_of(c: char) -> Option<u8> {
    is_escape(c).then(|| (c as u32 - BASE) as u8)
}

/// Whether `s` holds an escaped byte (a cheap test: one byte search).
pub fn has_escapes(s: &str) -> bool {
    memchr::memchr(LEAD, s.as_bytes()).is_some() && s.chars().any(is_escape)
}

/// The bytes `s` stands for: escapes back to the raw bytes, everything else as it is.
pub fn to_bytes(s: &str) -> Cow<'_, [u8]> {
    if !has_escapes(s) {
        return Cow::Borrowed(s.as_bytes());
    }
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        if let Some(b) = byte_of(c) {
            out.push(b);
        } else {
            let mut buf = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
    }
    Cow::Owned(out)
}

/// `s` as valid text: the raw bytes it stands for, each maximal invalid sequence replaced by
/// U+FFFD (what Falco's JSON output shows).
pub fn to_lossy(s: &str) -> Cow<'_, str> {
    match to_bytes(s) {
        Cow::Borrowed(_) => Cow::Borrowed(s),
        Cow::Owned(b) => Cow::Owned(String::from_utf8_lossy(&b).into_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn valid_text_is_borrowed_and_invalid_bytes_are_escaped() {
        assert!(matches!(escape(b"bash -c 'x'"), Cow::Borrowed("bash -c 'x'")));
        let e = escape(b"a\xffb\xc3");
        assert_eq!(e.chars().count(), 4);
        assert!(has_escapes(&e));
        assert_eq!(to_bytes(&e).as_ref(), b"a\xffb\xc3");
        assert_eq!(to_lossy(&e), "a\u{FFFD}b\u{FFFD}");
        // One U+FFFD per maximal invalid subsequence, as Rust's (and Falco's JSON) decoder.
        assert_eq!(to_lossy(&escape(b"\xe2\x82x")), "\u{FFFD}x");
    }

    #[test]
    fn genuine_characters_of_the_escape_range_survive() {
        let s = "x\u{10FFFF}\u{10FF80}\u{10FF7F}y";
        let e = escape(s.as_bytes());
        assert_ne!(e, s, "escaped byte by byte");
        assert_eq!(to_bytes(&e).as_ref(), s.as_bytes());
        assert_eq!(to_lossy(&e), s);
    }

    proptest! {
        /// Any bytes come back exactly, and the lossy form is the standard library's.
        #[test]
        fn bytes_round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let e = escape(&bytes);
            prop_assert_eq!(to_bytes(&e).into_owned(), bytes.clone());
            prop_assert_eq!(to_lossy(&e).into_owned(), String::from_utf8_lossy(&bytes).into_owned());
            prop_assert_eq!(has_escapes(&e), e.as_bytes() != &bytes[..]);
        }

        /// Equal escapes mean equal bytes: comparing escaped text compares the bytes.
        #[test]
        fn escaping_is_one_to_one(a in proptest::collection::vec(any::<u8>(), 0..16), b in proptest::collection::vec(any::<u8>(), 0..16)) {
            prop_assert_eq!(escape(&a) == escape(&b), a == b);
        }
    }
}
