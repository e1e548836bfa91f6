//! The part of the kernel's BTF the probe needs, as a BTF blob of its own.
//!
//! aya's `Btf` of the whole kernel is ~17 MB of heap (a type table for ~130 k types plus the
//! file and string copies), parsed only to resolve a few dozen CO-RE field offsets and one
//! tracepoint type id. This module walks the raw section once, without building a table, and
//! writes a small BTF holding:
//!
//! * every kernel struct, union, enum, typedef and forward declaration named like a type of the
//!   probe's own BTF (the roots a CO-RE relocation can name), and everything those reach by
//!   value (members, array elements, typedef targets, qualifiers). Pointers keep their target
//!   only when it is in the subset, else point to `void`: a field relocation never looks
//!   behind a pointer, since clang splits every access path at each dereference;
//! * the `btf_trace_<tracepoint>` typedefs at exactly their kernel type ids, because a BTF
//!   tracepoint is attached by that id. Other types fill the ids around them, and inert
//!   padding fills whatever is left below the highest pinned id.
//!
//! `tests` check that relocating the probe against the subset gives the same instructions as
//! relocating it against the whole kernel BTF.

use std::collections::{HashMap, HashSet, VecDeque};

const MAGIC: u16 = 0xeb9f;
const HEADER_LEN: usize = 24;

const INT: u32 = 1;
const PTR: u32 = 2;
const ARRAY: u32 = 3;
const STRUCT: u32 = 4;
const UNION: u32 = 5;
const ENUM: u32 = 6;
const FWD: u32 = 7;
const TYPEDEF: u32 = 8;
const VOLATILE: u32 = 9;
const CONST: u32 = 10;
const RESTRICT: u32 = 11;
const FUNC: u32 = 12;
const FUNC_PROTO: u32 = 13;
const VAR: u32 = 14;
const DATASEC: u32 = 15;
const FLOAT: u32 = 16;
const DECL_TAG: u32 = 17;
const TYPE_TAG: u32 = 18;
const ENUM64: u32 = 19;

/// A raw BTF section, indexed by type id without decoding the types.
pub struct RawBtf<'a> {
    types: &'a [u8],
    strings: &'a [u8],
    /// Byte offset in `types` of each type id; id 0 (`void`) has none, so index `id - 1`.
    offsets: Vec<u32>,
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn put(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn kind_of(info: u32) -> u32 {
    (info >> 24) & 0x1f
}

fn vlen_of(info: u32) -> usize {
    (info & 0xffff) as usize
}

/// Bytes that follow a type's 12-byte common part.
fn extra_len(kind: u32, vlen: usize) -> Option<usize> {
    Some(match kind {
        INT | VAR | DECL_TAG => 4,
        PTR | FWD | TYPEDEF | VOLATILE | CONST | RESTRICT | FUNC | FLOAT | TYPE_TAG => 0,
        ARRAY => 12,
        STRUCT | UNION | DATASEC | ENUM64 => 12 * vlen,
        ENUM | FUNC_PROTO => 8 * vlen,
        _ => return None,
    })
}

impl<'a> RawBtf<'a> {
    /// Checks the header and indexes every type. Little-endian BTF only (what x86-64 and
    /// arm64 kernels expose).
    pub fn parse(data: &'a [u8]) -> Result<RawBtf<'a>, String> {
        if data.len() < HEADER_LEN || u16::from_le_bytes([data[0], data[1]]) != MAGIC {
            return Err("not little-endian BTF (bad magic)".into());
        }
        let field = |i: usize| u32_at(data, 4 + 4 * i).map(|v| v as usize);
        let (hdr_len, type_off, type_len, str_off, str_len) = (
            field(0).unwrap_or(0),
            field(1).unwrap_or(0),
            field(2).unwrap_or(0),
            field(3).unwrap_or(0),
            field(4).unwrap_or(0),
        );
        let section = |off: usize, len: usize| {
            let start = hdr_len.checked_add(off)?;
            data.get(start..start.checked_add(len)?)
        };
        let types = section(type_off, type_len).ok_or("type section out of bounds")?;
        let strings = section(str_off, str_len).ok_or("string section out of bounds")?;
        let mut offsets = Vec::new();
        let mut at = 0usize;
        while at < types.len() {
            let info = u32_at(types, at + 4).ok_or("truncated type")?;
            let extra = extra_len(kind_of(info), vlen_of(info))
                .ok_or_else(|| format!("type {} has unknown kind {}", offsets.len() + 1, kind_of(info)))?;
            let next = at + 12 + extra;
            if next > types.len() {
                return Err(format!("type {} runs past the type section", offsets.len() + 1));
            }
            offsets.push(at as u32);
            at = next;
        }
        Ok(RawBtf {
            types,
            strings,
            offsets,
        })
    }

    /// How many types, not counting `void`.
    pub fn len(&self) -> usize {
        self.offsets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.offsets.is_empty()
    }

    /// The bytes of type `id` (1-based), common part first.
    fn entry(&self, id: u32) -> &'a [u8] {
        let i = id as usize - 1;
        let start = self.offsets[i] as usize;
        let end = self.offsets.get(i + 1).map_or(self.types.len(), |&o| o as usize);
        &self.types[start..end]
    }

    fn word(&self, id: u32, i: usize) -> u32 {
        u32_at(self.entry(id), 4 * i).unwrap_or(0)
    }

    fn kind(&self, id: u32) -> u32 {
        kind_of(self.word(id, 1))
    }

    fn string(&self, off: u32) -> &'a [u8] {
        let rest = self.strings.get(off as usize..).unwrap_or(&[]);
        &rest[..rest.iter().position(|&b| b == 0).unwrap_or(rest.len())]
    }

    fn name(&self, id: u32) -> &'a [u8] {
        self.string(self.word(id, 0))
    }

    fn valid(&self, id: u32) -> bool {
        id >= 1 && (id as usize) <= self.offsets.len()
    }

    /// Type ids that `id` holds by value (pointers excluded).
    fn by_value(&self, id: u32) -> Vec<u32> {
        let e = self.entry(id);
        let info = self.word(id, 1);
        let w = |i: usize| u32_at(e, 4 * i).unwrap_or(0);
        match kind_of(info) {
            TYPEDEF | VOLATILE | CONST | RESTRICT | TYPE_TAG => vec![w(2)],
            ARRAY => vec![w(3), w(4)],
            STRUCT | UNION => (0..vlen_of(info)).map(|m| w(3 + 3 * m + 1)).collect(),
            _ => Vec::new(),
        }
    }

    /// The id of the named type of one kind, if any.
    pub fn find(&self, kind: u32, name: &str) -> Option<u32> {
        (1..=self.offsets.len() as u32).find(|&id| self.kind(id) == kind && self.name(id) == name.as_bytes())
    }

    /// The byte offset of member `member` of struct `name`, if the struct has one.
    pub fn member_offset(&self, name: &str, member: &str) -> Option<u32> {
        let id = self.find(STRUCT, name)?;
        let info = self.word(id, 1);
        // With kind_flag set, a member's offset word holds the bit-field size in its top byte.
        let bits = |w: u32| if info & (1 << 31) != 0 { w & 0x00ff_ffff } else { w };
        (0..vlen_of(info))
            .find(|&m| self.string(self.word(id, 3 + 3 * m)) == member.as_bytes())
            .map(|m| bits(self.word(id, 3 + 3 * m + 2)) / 8)
    }

    /// Names of the structs, unions, enums, typedefs and forward declarations.
    pub fn type_names(&self) -> HashSet<&'a [u8]> {
        (1..=self.offsets.len() as u32)
            .filter(|&id| matches!(self.kind(id), STRUCT | UNION | ENUM | ENUM64 | TYPEDEF | FWD))
            .map(|id| self.name(id))
            .filter(|n| !n.is_empty())
            .collect()
    }
}

/// The `.BTF` section of a BPF object, as it is in the file: read in place, so the object
/// is not parsed twice at start-up (aya parses it once to load it).
pub fn own_btf(elf: &[u8]) -> Result<&[u8], String> {
    use object::{Object, ObjectSection};
    let file = object::File::parse(elf).map_err(|e| format!("the probe object: {e}"))?;
    let section = file.section_by_name(".BTF").ok_or("the probe object has no BTF")?;
    section.data().map_err(|e| format!("the probe object's BTF: {e}"))
}

/// Drops a CO-RE flavour suffix (`task_struct___old` is matched as `task_struct`).
fn flavourless(name: &[u8]) -> &[u8] {
    name.windows(3).position(|w| w == b"___").map_or(name, |i| &name[..i])
}

/// The subset of `kernel` for a program whose own BTF is `local`, with the typedefs of the
/// BTF tracepoints `tracepoints` at their kernel ids. Fails if one of them is missing.
pub fn subset(kernel: &RawBtf<'_>, local: &RawBtf<'_>, tracepoints: &[&str]) -> Result<Vec<u8>, String> {
    let roots: HashSet<&[u8]> = local.type_names().into_iter().map(flavourless).collect();
    let mut pinned = Vec::new();
    for tp in tracepoints {
        let name = format!("btf_trace_{tp}");
        let id = kernel
            .find(TYPEDEF, &name)
            .ok_or_else(|| format!("the kernel has no tracepoint type {name}"))?;
        pinned.push(id);
    }
    // Every type named like a root, then what those hold by value.
    let mut keep: HashSet<u32> = HashSet::new();
    let mut queue: VecDeque<u32> = (1..=kernel.len() as u32)
        .filter(|&id| {
            matches!(kernel.kind(id), STRUCT | UNION | ENUM | ENUM64 | TYPEDEF | FWD) && roots.contains(kernel.name(id))
        })
        .chain(pinned.iter().copied())
        .collect();
    while let Some(id) = queue.pop_front() {
        if !kernel.valid(id) || !keep.insert(id) {
            continue;
        }
        queue.extend(kernel.by_value(id));
    }
    // New ids: pinned ones where the kernel has them, the others in kernel order around them.
    let pinned_set: HashSet<u32> = pinned.iter().copied().collect();
    let mut others: Vec<u32> = keep.iter().copied().filter(|id| !pinned_set.contains(id)).collect();
    others.sort_unstable();
    let mut new_id: HashMap<u32, u32> = pinned.iter().map(|&id| (id, id)).collect();
    let mut slots: Vec<Option<u32>> = Vec::new(); // slots[i] holds new id i + 1
    let mut next = others.into_iter();
    let top = pinned.iter().copied().max().unwrap_or(0);
    let mut id = 1u32;
    loop {
        if pinned_set.contains(&id) {
            slots.push(Some(id));
        } else if let Some(old) = next.next() {
            new_id.insert(old, id);
            slots.push(Some(old));
        } else if id < top {
            slots.push(None);
        } else {
            break;
        }
        id += 1;
    }
    write(kernel, &slots, &new_id)
}

/// Writes the blob: header, types in slot order (ids remapped), then the strings they use.
fn write(kernel: &RawBtf<'_>, slots: &[Option<u32>], new_id: &HashMap<u32, u32>) -> Result<Vec<u8>, String> {
    let mut strings: Vec<u8> = vec![0];
    let mut string_at: HashMap<u32, u32> = HashMap::new();
    let mut name = |off: u32| -> u32 {
        if off == 0 {
            return 0;
        }
        *string_at.entry(off).or_insert_with(|| {
            let at = strings.len() as u32;
            strings.extend_from_slice(kernel.string(off));
            strings.push(0);
            at
        })
    };
    let map = |id: u32| new_id.get(&id).copied().unwrap_or(0);
    let mut types = Vec::new();
    for slot in slots {
        let Some(old) = *slot else {
            // Padding: an anonymous `const void`, which nothing refers to.
            put(&mut types, 0);
            put(&mut types, CONST << 24);
            put(&mut types, 0);
            continue;
        };
        let e = kernel.entry(old);
        let info = kernel.word(old, 1);
        let w = |i: usize| u32_at(e, 4 * i).unwrap_or(0);
        let kind = kind_of(info);
        put(&mut types, name(w(0)));
        put(&mut types, info);
        match kind {
            // size, not a type id
            INT | STRUCT | UNION | ENUM | ENUM64 | FLOAT | FWD | DATASEC => put(&mut types, w(2)),
            _ => put(&mut types, map(w(2))),
        }
        let vlen = vlen_of(info);
        match kind {
            INT => put(&mut types, w(3)),
            ARRAY => {
                put(&mut types, map(w(3)));
                put(&mut types, map(w(4)));
                put(&mut types, w(5));
            }
            STRUCT | UNION => {
                for m in 0..vlen {
                    put(&mut types, name(w(3 + 3 * m)));
                    put(&mut types, map(w(4 + 3 * m)));
                    put(&mut types, w(5 + 3 * m));
                }
            }
            ENUM => {
                for m in 0..vlen {
                    put(&mut types, name(w(3 + 2 * m)));
                    put(&mut types, w(4 + 2 * m));
                }
            }
            ENUM64 => {
                for m in 0..vlen {
                    put(&mut types, name(w(3 + 3 * m)));
                    put(&mut types, w(4 + 3 * m));
                    put(&mut types, w(5 + 3 * m));
                }
            }
            FUNC_PROTO => {
                for m in 0..vlen {
                    put(&mut types, name(w(3 + 2 * m)));
                    put(&mut types, map(w(4 + 2 * m)));
                }
            }
            PTR | TYPEDEF | VOLATILE | CONST | RESTRICT | TYPE_TAG | FWD | FLOAT => {}
            // Never reached by value from a root; refuse rather than write them half-mapped.
            other => return Err(format!("unexpected kind {other} in the BTF subset")),
        }
    }
    let mut out = Vec::with_capacity(HEADER_LEN + types.len() + strings.len());
    out.extend_from_slice(&MAGIC.to_le_bytes());
    out.push(1); // version
    out.push(0); // flags
    put(&mut out, HEADER_LEN as u32);
    put(&mut out, 0);
    put(&mut out, types.len() as u32);
    put(&mut out, types.len() as u32);
    put(&mut out, strings.len() as u32);
    out.extend_from_slice(&types);
    out.extend_from_slice(&strings);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::PROBE_OBJECT;
    use aya::Endianness;
    use aya_obj::Object;
    use aya_obj::btf::{Btf, BtfKind};
    use proptest::prelude::*;

    fn local_btf() -> Vec<u8> {
        own_btf(PROBE_OBJECT).unwrap().to_vec()
    }

    /// (code, dst, src, off, imm) of each instruction, by function name.
    type Code = Vec<(String, Vec<(u8, u8, u8, i16, i32)>)>;

    /// Every instruction of every function after CO-RE relocation against `target`.
    fn relocated(target: &Btf) -> Code {
        let mut obj = Object::parse(PROBE_OBJECT).unwrap();
        obj.relocate_btf(target).unwrap();
        obj.functions
            .values()
            .map(|f| {
                let insns = f
                    .instructions
                    .iter()
                    .map(|i| (i.code, i.dst_reg(), i.src_reg(), i.off, i.imm))
                    .collect();
                (f.name.clone(), insns)
            })
            .collect()
    }

    fn parse(blob: &[u8]) -> Btf {
        Btf::parse(blob, Endianness::default()).unwrap()
    }

    /// The kernel's BTF, where this machine has one (it is world-readable).
    fn kernel_btf() -> Option<Vec<u8>> {
        match std::fs::read("/sys/kernel/btf/vmlinux") {
            Ok(d) => Some(d),
            Err(e) => {
                println!("note: no kernel BTF here ({e}); the kernel comparison is skipped");
                None
            }
        }
    }

    /// The probe's subset of the kernel BTF `data`.
    fn probe_subset(data: &[u8], tracepoints: &[&str]) -> Result<Vec<u8>, String> {
        let local = local_btf();
        subset(
            &RawBtf::parse(data).unwrap(),
            &RawBtf::parse(&local).unwrap(),
            tracepoints,
        )
    }

    #[test]
    fn relocating_against_the_subset_gives_the_same_code_as_against_the_whole_kernel_btf() {
        let Some(data) = kernel_btf() else { return };
        let blob = probe_subset(&data, &["sys_exit"]).unwrap();
        let (whole, part) = (parse(&data), parse(&blob));
        assert_eq!(relocated(&whole), relocated(&part));
        // The tracepoint's type sits at its kernel id, which is what attaching it sends.
        assert_eq!(
            part.id_by_type_name_kind("btf_trace_sys_exit", BtfKind::Typedef)
                .unwrap(),
            whole
                .id_by_type_name_kind("btf_trace_sys_exit", BtfKind::Typedef)
                .unwrap()
        );
        let (kept, all) = (RawBtf::parse(&blob).unwrap().len(), RawBtf::parse(&data).unwrap().len());
        println!("subset: {kept} of {all} types, {} of {} bytes", blob.len(), data.len());
        // The point of it: a small fraction of the kernel's 5+ MB.
        assert!(
            blob.len() < data.len() / 8,
            "subset is {} of {} bytes",
            blob.len(),
            data.len()
        );
    }

    #[test]
    fn a_missing_tracepoint_is_an_error_naming_it() {
        let Some(data) = kernel_btf() else { return };
        let err = probe_subset(&data, &["no_such_tp"]).unwrap_err();
        assert_eq!(err, "the kernel has no tracepoint type btf_trace_no_such_tp");
    }

    /// The same check without a kernel: the probe's own BTF stands in for the kernel's.
    #[test]
    fn the_subset_of_the_probes_own_btf_relocates_like_the_whole() {
        // A kernel has no `name___flavor` types: in the stand-in they would be candidates
        // of their own flavors, so they get names nothing asks for.
        let mut local = local_btf();
        let raw = RawBtf::parse(&local).unwrap();
        let flavors: Vec<u32> = (1..=raw.len() as u32)
            .filter(|&id| raw.name(id).windows(3).any(|w| w == b"___"))
            .collect();
        for id in flavors {
            let raw = RawBtf::parse(&local).unwrap();
            local = rename(&local, &raw, id, &format!("not_in_a_kernel_{id}"));
        }
        let raw = RawBtf::parse(&local).unwrap();
        let blob = subset(&raw, &raw, &[]).unwrap();
        assert_eq!(relocated(&parse(&local)), relocated(&parse(&blob)));
        let kept = RawBtf::parse(&blob).unwrap();
        assert!(kept.len() < raw.len(), "{} of {} types kept", kept.len(), raw.len());
    }

    #[test]
    fn pinned_types_keep_their_ids_and_padding_fills_below_them() {
        let local = local_btf();
        let raw = RawBtf::parse(&local).unwrap();
        // Any named typedef of the object plays the tracepoint's part.
        let (id, name) = (1..=raw.len() as u32)
            .rev()
            .find(|&id| raw.kind(id) == TYPEDEF && raw.name(id).starts_with(b"__"))
            .map(|id| (id, String::from_utf8(raw.name(id).to_vec()).unwrap()))
            .unwrap();
        let fake = format!("btf_trace_{name}");
        // Rename it in a copy so that `subset` finds it under the tracepoint's name.
        let renamed = rename(&local, &raw, id, &fake);
        let raw = RawBtf::parse(&renamed).unwrap();
        let blob = subset(&raw, &raw, &[&name]).unwrap();
        let btf = parse(&blob);
        assert_eq!(btf.id_by_type_name_kind(&fake, BtfKind::Typedef).unwrap(), id);
    }

    /// A copy of `blob` where type `id` is called `name` (appended to the strings).
    fn rename(blob: &[u8], raw: &RawBtf<'_>, id: u32, name: &str) -> Vec<u8> {
        let mut out = blob.to_vec();
        let str_len = u32_at(blob, 20).unwrap();
        let hdr_len = u32_at(blob, 4).unwrap() as usize;
        let type_off = u32_at(blob, 8).unwrap() as usize;
        let at = hdr_len + type_off + raw.offsets[id as usize - 1] as usize;
        out[at..at + 4].copy_from_slice(&str_len.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.push(0);
        let new_len = str_len + name.len() as u32 + 1;
        out[20..24].copy_from_slice(&new_len.to_le_bytes());
        out
    }

    #[test]
    fn broken_headers_are_errors() {
        assert!(RawBtf::parse(b"").is_err());
        assert!(RawBtf::parse(&[0u8; 24]).is_err());
        let mut local = local_btf();
        local[12..16].copy_from_slice(&u32::MAX.to_le_bytes()); // type_len
        assert_eq!(RawBtf::parse(&local).err().unwrap(), "type section out of bounds");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// Hostile bytes never panic: parsing either fails or yields a subset aya can read.
        #[test]
        fn corrupt_btf_never_panics(cuts in proptest::collection::vec((0usize..1 << 16, any::<u8>()), 1..8), keep in 24usize..1 << 16) {
            let mut data = local_btf();
            for (at, byte) in cuts {
                let at = at % data.len();
                data[at] = byte;
            }
            data.truncate(keep.min(data.len()));
            if let Ok(raw) = RawBtf::parse(&data)
                && let Ok(blob) = subset(&raw, &raw, &[])
            {
                let _ = Btf::parse(&blob, Endianness::default());
            }
        }
    }
}
