//! Event times are ns since the epoch, but the probe reads the boot clock: the loader
//! gives it the epoch time of boot once.

/// Now on the realtime clock minus now on the boot clock, in ns.
pub fn boot_epoch_ns() -> u64 {
    now(libc::CLOCK_REALTIME).saturating_sub(boottime_ns())
}

/// Now on the boot clock (the probe's `bpf_ktime_get_boot_ns`), in ns.
pub fn boottime_ns() -> u64 {
    now(libc::CLOCK_BOOTTIME)
}

fn now(clock: libc::clockid_t) -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes into the timespec we own.
    unsafe { libc::clock_gettime(clock, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

#[cfg(test)]
mod tests {
    #[test]
    fn boot_is_in_the_past_and_after_2020() {
        let b = super::boot_epoch_ns();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        assert!(b < now && b > 1_577_836_800_000_000_000, "{b}");
    }
}
