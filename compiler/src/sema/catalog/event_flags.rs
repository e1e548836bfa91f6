//! Per-event flags of the libs event table that say how an event relates to a file
//! descriptor (and two parsing facts the runtime needs). The compiler's checks use them
//! to know which events can have `fd.*` fields; the runtime's tracker uses them to
//! follow fds. One table for both.

/// Event flag bits (a subset of the driver's `EF_*` flags).
pub mod ef {
    /// The event creates a file descriptor.
    pub const CREATES_FD: u8 = 1;
    /// The event acts on a file descriptor passed to it.
    pub const USES_FD: u8 = 2;
    /// The event destroys a file descriptor.
    pub const DESTROYS_FD: u8 = 4;
    /// The event reads from its file descriptor.
    pub const READS_FROM_FD: u8 = 8;
    /// The event writes to its file descriptor.
    pub const WRITES_TO_FD: u8 = 16;
    /// The event blocks the thread (sleep, poll...).
    pub const WAITS: u8 = 32;
    /// Internal events the parser does not attach a thread to.
    pub const SKIP_RESET: u8 = 64;
}

/// The `ef` bits of event `code` (0 for codes outside the table).
pub fn flags(code: u16) -> u8 {
    FLAG_LETTERS.get(usize::from(code)).map_or(0, |s| letters_to_flags(s))
}

/// True if fd fields (`fd.*`) can have a value on event `code`: it creates, uses or
/// closes a file descriptor.
pub fn has_fd(code: u16) -> bool {
    flags(code) & (ef::CREATES_FD | ef::USES_FD | ef::DESTROYS_FD) != 0
}

fn letters_to_flags(s: &str) -> u8 {
    s.bytes().fold(0, |acc, b| {
        acc | match b {
            b'C' => ef::CREATES_FD,
            b'U' => ef::USES_FD,
            b'D' => ef::DESTROYS_FD,
            b'R' => ef::READS_FROM_FD,
            b'W' => ef::WRITES_TO_FD,
            b'A' => ef::WAITS,
            b'S' => ef::SKIP_RESET,
            _ => 0,
        }
    })
}

// Per code, the fd-related and parsing flags of the libs event table, one
// letter per flag: C creates fd, U uses fd, D destroys fd, R reads, W writes,
// A waits, S skips the parser reset.
static FLAG_LETTERS: [&str; 454] = [
    "", "", "C", "C", "DU", "DU", "UR", "UR", "UW", "UW", "", "", "", "", "", "", "", "", "C", "C", "U", "U", "U", "U",
    "U", "U", "C", "C", "UW", "UW", "UW", "UW", "UR", "UR", "UR", "UR", "U", "U", "", "", "", "", "C", "C", "", "U",
    "", "U", "UW", "UW", "", "UW", "UR", "UR", "", "UR", "C", "C", "C", "C", "C", "C", "C", "C", "", "", "", "", "",
    "", "U", "U", "", "", "", "", "U", "", "A", "A", "A", "A", "A", "A", "A", "A", "U", "U", "U", "U", "U", "U", "",
    "", "", "", "U", "U", "", "", "", "", "C", "C", "", "", "", "", "", "", "", "", "UR", "UR", "UW", "UW", "UR", "UR",
    "UW", "UW", "UR", "UR", "UW", "UW", "CU", "CU", "C", "C", "", "", "", "", "", "", "A", "A", "C", "C", "C", "C", "",
    "", "", "", "", "", "S", "", "S", "S", "U", "U", "", "", "", "", "", "", "", "", "U", "U", "U", "U", "", "", "U",
    "U", "", "", "U", "U", "", "", "", "", "", "", "", "", "", "U", "", "", "", "", "", "", "U", "U", "", "", "", "",
    "", "", "S", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "",
    "", "", "", "", "", "", "S", "", "", "", "", "", "S", "", "U", "U", "U", "U", "U", "U", "U", "U", "S", "", "C",
    "C", "C", "C", "", "", "", "", "A", "A", "", "", "", "", "S", "", "", "", "", "", "", "", "", "", "S", "", "", "",
    "", "", "", "", "", "", "S", "", "", "", "", "", "S", "", "", "", "S", "", "", "", "", "", "C", "C", "", "", "",
    "", "", "U", "", "U", "C", "C", "", "", "", "", "", "U", "", "", "", "U", "", "", "C", "C", "", "", "", "", "C",
    "C", "", "", "", "", "URW", "URW", "", "", "C", "C", "C", "C", "", "U", "", "U", "", "", "", "", "", "", "", "",
    "", "", "", "", "", "", "", "", "", "", "CU", "CU", "CU", "CU", "CU", "CU", "C", "C", "", "", "", "U", "C", "C",
    "C", "C", "", "", "", "", "", "U", "", "U", "", "", "C", "C", "", "", "C", "C", "C", "C", "C", "C", "C", "C", "",
    "", "", "", "C", "C", "C", "C", "C", "C", "", "", "", "UR", "", "", "", "U", "", "U", "", "", "", "", "", "", "",
    "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sema::catalog::event_codes;

    #[test]
    fn fd_events() {
        let open = event_codes("openat").unwrap();
        assert!(open.iter().all(|c| has_fd(*c)));
        let execve = event_codes("execve").unwrap();
        assert!(execve.iter().all(|c| !has_fd(*c)));
        assert!(
            event_codes("close")
                .unwrap()
                .iter()
                .all(|c| flags(*c) & ef::DESTROYS_FD != 0)
        );
        assert_eq!(flags(u16::MAX), 0);
    }
}
