//! Kernel open flags to the event table's PPM_O_* bits (the probe does the same in C,
//! `open_flags_to_ppm` in probe/files.h); used for the fds found by the /proc scan.

/// Translates kernel `O_*` flags (as in `/proc/PID/fdinfo/N`) to PPM_O_* bits.
pub fn open_flags_to_ppm(f: u64) -> u32 {
    let mut o = match f & 3 {
        0 => 1,
        1 => 1 << 1,
        _ => 3,
    };
    const MAP: [(u64, u32); 12] = [
        (0o100, 1 << 2),       // CREAT
        (0o2000, 1 << 3),      // APPEND
        (0o10000, 1 << 4),     // DSYNC
        (0o200, 1 << 5),       // EXCL
        (0o4000, 1 << 6),      // NONBLOCK
        (0o4000000, 1 << 7),   // SYNC
        (0o1000, 1 << 8),      // TRUNC
        (0o40000, 1 << 9),     // DIRECT
        (0o200000, 1 << 10),   // DIRECTORY
        (0o100000, 1 << 11),   // LARGEFILE
        (0o2000000, 1 << 12),  // CLOEXEC
        (0o20000000, 1 << 13), // TMPFILE
    ];
    for (k, p) in MAP {
        if f & k != 0 {
            o |= p;
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::open_flags_to_ppm;

    #[test]
    fn access_modes_and_bits() {
        assert_eq!(open_flags_to_ppm(0), 1, "O_RDONLY is PPM_O_RDONLY");
        assert_eq!(open_flags_to_ppm(1), 2);
        assert_eq!(open_flags_to_ppm(2), 3, "O_RDWR sets both bits");
        // O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC
        assert_eq!(open_flags_to_ppm(0o2001101), 2 | 4 | (1 << 8) | (1 << 12));
        assert_eq!(open_flags_to_ppm(0o200000), 1 | (1 << 10));
    }
}
