//! Lookups into the driver event table shared with the compiler.
//!
//! The compiler crate owns the table (names, directions, parameter lists of
//! all 454 codes); this module adds the one property the wire format needs
//! that the table does not carry: which events use 32-bit parameter lengths.

use falcorc_compiler::sema::catalog::events::{EVENTS, EventDef};

/// Definition of event type `code`, if the table has it.
pub fn event_def(code: u16) -> Option<&'static EventDef> {
    EVENTS.get(usize::from(code))
}

/// Whether events of type `code` have `EF_LARGE_PAYLOAD`: their parameter
/// lengths are u32 instead of u16 (plugin events, container JSON 2 and async
/// events).
pub fn has_large_payload(code: u16) -> bool {
    matches!(code, 322 | 324 | 402)
}

/// Code of the generic syscall enter event.
pub const GENERIC_E: u16 = 0;
/// Code of the generic syscall exit event.
pub const GENERIC_X: u16 = 1;
/// Code of the (old) notification event, whose v1 length is 3 bytes too long.
pub const NOTIFICATION_E: u16 = 280;
/// Code of the (old) infrastructure event, whose v1 length is 3 bytes too long.
pub const INFRASTRUCTURE_E: u16 = 286;
