//! Block type codes of the .scap format and their classification.
//!
//! A capture is a sequence of pcapng-style blocks. Several block kinds exist
//! in more than one version, and the oldest files use a second, "legacy"
//! numbering; [`classify`] folds all of them into one [`BlockKind`].

/// Section header block (same magic as pcapng).
pub const SHB: u32 = 0x0A0D_0D0A;
/// Byte-order magic inside the section header.
pub const BYTE_ORDER_MAGIC: u32 = 0x1A2B_3C4D;

/// Machine info.
pub const MI: u32 = 0x201;
/// Machine info, legacy code.
pub const MI_LEGACY: u32 = 0x8002_ABCD;

/// Process list, version 1.
pub const PL_V1: u32 = 0x202;
/// Process list, version 1, legacy code.
pub const PL_V1_LEGACY: u32 = 0x8000_ABCD;
/// Process list, version 2.
pub const PL_V2: u32 = 0x207;
/// Process list, version 2, legacy code.
pub const PL_V2_LEGACY: u32 = 0x8013_ABCD;
/// Process list, version 3.
pub const PL_V3: u32 = 0x209;
/// Process list, version 3, legacy code.
pub const PL_V3_LEGACY: u32 = 0x8014_ABCD;
/// Process list, version 4.
pub const PL_V4: u32 = 0x210;
/// Process list, version 5.
pub const PL_V5: u32 = 0x211;
/// Process list, version 6.
pub const PL_V6: u32 = 0x212;
/// Process list, version 7.
pub const PL_V7: u32 = 0x213;
/// Process list, version 8.
pub const PL_V8: u32 = 0x214;
/// Process list, version 9 (current; per-entry length).
pub const PL_V9: u32 = 0x215;

/// Fd list, version 1.
pub const FDL: u32 = 0x203;
/// Fd list, version 1, legacy code.
pub const FDL_LEGACY: u32 = 0x8001_ABCD;
/// Fd list, version 2 (current; per-entry length).
pub const FDL_V2: u32 = 0x218;

/// Event, version 1 (no parameter count).
pub const EV: u32 = 0x204;
/// Event, version 1, legacy code.
pub const EV_LEGACY: u32 = 0x8010_ABCD;
/// Event, version 2.
pub const EV_V2: u32 = 0x216;
/// Event, version 2, for events longer than 64 KiB.
pub const EV_V2_LARGE: u32 = 0x221;
/// Event with flags, version 1.
pub const EVF: u32 = 0x208;
/// Event with flags, version 2.
pub const EVF_V2: u32 = 0x217;
/// Event with flags, version 2, large.
pub const EVF_V2_LARGE: u32 = 0x222;

/// Interface list, version 1.
pub const IL: u32 = 0x205;
/// Interface list, version 1, legacy code.
pub const IL_LEGACY: u32 = 0x8011_ABCD;
/// Interface list, version 2.
pub const IL_V2: u32 = 0x219;

/// User list, version 1.
pub const UL: u32 = 0x206;
/// User list, version 1, legacy code.
pub const UL_LEGACY: u32 = 0x8012_ABCD;
/// User list, version 2.
pub const UL_V2: u32 = 0x220;

/// Layout of an event block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct EventLayout {
    /// The event header has a parameter count (v2 blocks).
    pub(crate) has_nparams: bool,
    /// A u32 of flags follows the cpu id.
    pub(crate) has_flags: bool,
}

/// What a block type code stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BlockKind {
    Section,
    Machine,
    /// Process list of the given version (1..=9).
    Threads(u8),
    /// Fd list; `true` for version 2.
    Fds(bool),
    /// Interface list; `true` for version 2.
    Interfaces(bool),
    /// User list; `true` for version 2.
    Users(bool),
    Event(EventLayout),
    Unknown,
}

pub(crate) fn classify(block_type: u32) -> BlockKind {
    let ev = |has_nparams, has_flags| BlockKind::Event(EventLayout { has_nparams, has_flags });
    match block_type {
        SHB => BlockKind::Section,
        MI | MI_LEGACY => BlockKind::Machine,
        PL_V1 | PL_V1_LEGACY => BlockKind::Threads(1),
        PL_V2 | PL_V2_LEGACY => BlockKind::Threads(2),
        PL_V3 | PL_V3_LEGACY => BlockKind::Threads(3),
        PL_V4 => BlockKind::Threads(4),
        PL_V5 => BlockKind::Threads(5),
        PL_V6 => BlockKind::Threads(6),
        PL_V7 => BlockKind::Threads(7),
        PL_V8 => BlockKind::Threads(8),
        PL_V9 => BlockKind::Threads(9),
        FDL | FDL_LEGACY => BlockKind::Fds(false),
        FDL_V2 => BlockKind::Fds(true),
        IL | IL_LEGACY => BlockKind::Interfaces(false),
        IL_V2 => BlockKind::Interfaces(true),
        UL | UL_LEGACY => BlockKind::Users(false),
        UL_V2 => BlockKind::Users(true),
        EV | EV_LEGACY => ev(false, false),
        EVF => ev(false, true),
        EV_V2 | EV_V2_LARGE => ev(true, false),
        EVF_V2 | EVF_V2_LARGE => ev(true, true),
        _ => BlockKind::Unknown,
    }
}
