//! The Rust functions native code calls, and the context it passes them. Native
//! code reads only the first three words of [`Ctx`]; the rest is for the helpers.
//!
//! Helpers are `extern "C"` and never unwind into native code: the interpreter
//! code they run does not panic on any input (the fuzz and property tests hold it
//! to that), and a panic would abort rather than cross the frame.

use crate::eval::cache::{FieldCache, MemoSlot, Slot};
use crate::eval::interp::{FieldSource, eval_cmp_fields, ips_against_consts};
use crate::ir::{Cmp, FieldId, FieldSpec, FnvBuild, Operand};
use std::collections::HashSet;
use std::mem::offset_of;
use std::net::{IpAddr, Ipv4Addr};

/// What one call of a compiled bucket works with.
#[repr(C)]
pub(super) struct Ctx<'a> {
    pub slots: *mut Slot,
    pub memo: *mut MemoSlot,
    pub generation: u32,
    pub cache: *mut FieldCache,
    pub src: &'a dyn FieldSource,
    pub fields: &'a [FieldSpec],
    pub out: &'a mut Vec<usize>,
}

pub(super) const CTX_SLOTS: i32 = offset_of!(Ctx<'static>, slots) as i32;
pub(super) const CTX_MEMO: i32 = offset_of!(Ctx<'static>, memo) as i32;
pub(super) const CTX_GENERATION: i32 = offset_of!(Ctx<'static>, generation) as i32;

/// The cache, bound to the event's source, for one helper call. The raw slot
/// pointers native code holds stay valid: the cache's arrays never move.
fn cached<'a>(ctx: &'a mut Ctx<'_>) -> crate::eval::cache::Cached<'a> {
    // SAFETY: `cache` comes from a live `&mut FieldCache` that `Jit::run` holds for
    // the whole call and does not otherwise touch while native code runs.
    let cache = unsafe { &mut *ctx.cache };
    cache.with(ctx.src)
}

/// Fill field `id`'s slot for the current event.
pub(super) extern "C" fn fill(ctx: *mut Ctx<'_>, id: u32) {
    // SAFETY: native code passes back the context `Jit::run` gave it.
    let ctx = unsafe { &mut *ctx };
    let fields = ctx.fields;
    if let Some(spec) = fields.get(id as usize) {
        // SAFETY: as in `cached`. A lent string stays valid while `src` lives,
        // which is the whole native call.
        let cache = unsafe { &mut *ctx.cache };
        cache.fill_view(FieldId(id), spec, ctx.src);
    }
}

/// The interpreter's verdict on comparison `cmp` (fields through the same cache).
pub(super) extern "C" fn fallback(ctx: *mut Ctx<'_>, cmp: *const Cmp) -> u32 {
    // SAFETY: as in `fill`; `cmp` points into the conditions the `Jit` owns.
    let (ctx, cmp) = unsafe { (&mut *ctx, &*cmp) };
    let fields = ctx.fields;
    u32::from(eval_cmp_fields(cmp, fields, &mut cached(ctx)))
}

/// The verdict on comparison `cmp` of an address field, from the addresses the source
/// lends (the interpreter's comparison when it lends none).
pub(super) extern "C" fn ips(ctx: *mut Ctx<'_>, cmp: *const Cmp) -> u32 {
    // SAFETY: as in `fallback`.
    let (ctx, cmp) = unsafe { (&mut *ctx, &*cmp) };
    let fields = ctx.fields;
    if let Operand::Field(id) = cmp.lhs
        && let Some(spec) = fields.get(id.0 as usize)
    {
        let mut out = [IpAddr::V4(Ipv4Addr::UNSPECIFIED); 2];
        if let Some(n) = ctx.src.lend_ips(id, spec, &mut out) {
            return u32::from(ips_against_consts(cmp, &out[..n]));
        }
    }
    u32::from(eval_cmp_fields(cmp, fields, &mut cached(ctx)))
}

/// Report a matching rule.
pub(super) extern "C" fn emit(ctx: *mut Ctx<'_>, rule: u32) {
    // SAFETY: as in `fill`.
    let ctx = unsafe { &mut *ctx };
    ctx.out.push(rule as usize);
}

/// `len` bytes at `a` equal `len` bytes at `b`.
pub(super) extern "C" fn bytes_eq(a: *const u8, b: *const u8, len: usize) -> u32 {
    // SAFETY: native code passes a slot's string (length checked) and a constant.
    let (a, b) = unsafe { (std::slice::from_raw_parts(a, len), std::slice::from_raw_parts(b, len)) };
    u32::from(a == b)
}

/// The string `ptr`/`len` is a member of `set`.
pub(super) extern "C" fn in_set(set: *const HashSet<String, FnvBuild>, ptr: *const u8, len: usize) -> u32 {
    // SAFETY: `set` is in the conditions the `Jit` owns; `ptr`/`len` are a slot's
    // string, which came from a `String` and so is UTF-8.
    let (set, s) = unsafe {
        (
            &*set,
            std::str::from_utf8_unchecked(std::slice::from_raw_parts(ptr, len)),
        )
    };
    u32::from(set.contains(s))
}

/// A `contains` needle, prepared at compile time. Native code searches haystacks of
/// up to `SHORT_HAYSTACK` bytes for needles of up to 16 inline, by the needle's rare
/// byte (`Gen::contains_inline`); this helper serves the rest.
pub(super) struct Substring {
    needle: Box<[u8]>,
    /// The needle's least common byte (by a ranking of bytes in paths and command
    /// lines) and its offset: candidates in a short haystack are where it occurs.
    rare: u8,
    rare_at: usize,
    finder: memchr::memmem::Finder<'static>,
}

/// Haystacks up to this long are searched inline; `memmem`'s set-up costs more than
/// the search on the short names and paths rules test.
pub(super) const SHORT_HAYSTACK: usize = 64;

impl Substring {
    pub(super) fn new(needle: &[u8]) -> Substring {
        let rare_at = (0..needle.len()).min_by_key(|&i| commonness(needle[i])).unwrap_or(0);
        Substring {
            needle: needle.into(),
            rare: needle.get(rare_at).copied().unwrap_or(0),
            rare_at,
            finder: memchr::memmem::Finder::new(needle).into_owned(),
        }
    }

    /// The rare byte and its offset in the needle.
    pub(super) fn rare(&self) -> (u8, usize) {
        (self.rare, self.rare_at)
    }

    pub(super) fn is_in(&self, hay: &[u8]) -> bool {
        let n = self.needle.len();
        if n == 0 || hay.len() < n {
            return n == 0;
        }
        // A haystack with fewer than eight starts (the ones native code leaves to
        // this helper when the needle is short): a byte test per start beats
        // `memmem`'s set-up.
        let starts = hay.len() - n + 1;
        if starts < 8 {
            let (rare, at) = (self.rare, self.rare_at);
            return (0..starts).any(|i| hay[i + at] == rare && hay[i..i + n] == *self.needle);
        }
        self.finder.find(hay).is_some()
    }
}

/// How often byte `b` occurs in file names, paths and command lines, roughly: lower
/// is rarer. Separators, lower-case vowels and common consonants rank high.
fn commonness(b: u8) -> u8 {
    const COMMON: &[u8] = b"/e.-tasorinlcpmud_ hbg0123456789fykvwxjqz";
    match COMMON.iter().position(|&c| c == b) {
        Some(i) => 255 - i as u8,
        None => 0,
    }
}

/// The string `ptr`/`len` contains the needle.
pub(super) extern "C" fn contains(sub: *const Substring, ptr: *const u8, len: usize) -> u32 {
    // SAFETY: as in `in_set`.
    let (sub, hay) = unsafe { (&*sub, std::slice::from_raw_parts(ptr, len)) };
    u32::from(sub.is_in(hay))
}

/// The string `ptr`/`len`, folded to ASCII lower case, contains `needle` (already
/// lower case): `icontains` without allocating.
pub(super) extern "C" fn icontains(needle: *const Vec<u8>, ptr: *const u8, len: usize) -> u32 {
    // SAFETY: as in `in_set`.
    let (needle, hay) = unsafe { (&*needle, std::slice::from_raw_parts(ptr, len)) };
    u32::from(icontains_folded(hay, needle))
}

pub(super) fn icontains_folded(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty()
        || hay
            .windows(needle.len())
            .any(|w| w.iter().zip(needle).all(|(a, b)| a.to_ascii_lowercase() == *b))
}

#[cfg(test)]
mod tests {
    use super::{Substring, icontains_folded};

    proptest::proptest! {
        #[test]
        fn substring_search_agrees_with_str_contains(
            hay in "[ab./]{0,80}",
            needle in "[ab./]{0,6}",
        ) {
            proptest::prop_assert_eq!(Substring::new(needle.as_bytes()).is_in(hay.as_bytes()), hay.contains(&needle));
        }
    }

    #[test]
    fn substring_search_matches_the_definition_on_short_and_long_haystacks() {
        let long = format!("{}/.ssh/id_rsa", "x/".repeat(40));
        for hay in [
            "",
            "a",
            "/home/u/.ssh/key",
            "/etc/shadow",
            "../../x",
            "..",
            "id_rs",
            "aaaaaaaaaaaaaaaaax",
            "0123456789abcdef/",
            &long,
        ] {
            for needle in ["", "/.ssh/", "../", "id_rsa", "x", "/", "shadow", "a", "aax", "f/", "0"] {
                assert_eq!(
                    Substring::new(needle.as_bytes()).is_in(hay.as_bytes()),
                    hay.contains(needle),
                    "{hay:?} contains {needle:?}"
                );
            }
        }
    }

    #[test]
    fn icontains_matches_the_allocating_definition() {
        for (hay, needle) in [("SuDo", "sudo"), ("xNcAt", "nc"), ("a", "ab"), ("", ""), ("abc", "")] {
            let expect = hay.to_ascii_lowercase().contains(&needle.to_ascii_lowercase());
            assert_eq!(
                icontains_folded(hay.as_bytes(), needle.as_bytes()),
                expect,
                "{hay} {needle}"
            );
        }
    }
}
