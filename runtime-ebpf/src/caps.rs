//! Once the probe is loaded and attached, `run` keeps only the capabilities it still uses:
//! CAP_BPF (reading the probe's counters is a bpf() call), CAP_SYS_PTRACE and
//! CAP_DAC_READ_SEARCH (reading other processes' /proc entries: executable paths, cgroups).
//! Loading programs, attaching, and everything else root could do are gone, for falcorc
//! and for the programs its outputs start.
//!
//! Capabilities belong to threads: the drop must happen before any other thread exists
//! (threads spawned later inherit the lowered sets).

/// The capabilities kept, by number.
pub const KEPT: [u32; 3] = [CAP_DAC_READ_SEARCH, CAP_SYS_PTRACE, CAP_BPF];

const CAP_DAC_READ_SEARCH: u32 = 2;
const CAP_SYS_PTRACE: u32 = 19;
const CAP_BPF: u32 = 39;

/// `_LINUX_CAPABILITY_VERSION_3`: two 32-bit words per set.
const VERSION_3: u32 = 0x2008_0522;

#[repr(C)]
struct Header {
    version: u32,
    pid: i32,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct Data {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

fn get() -> std::io::Result<[Data; 2]> {
    let mut header = Header {
        version: VERSION_3,
        pid: 0,
    };
    let mut data = [Data::default(); 2];
    // SAFETY: capget fills two `Data` for version 3, which is what we pass.
    let r = unsafe { libc::syscall(libc::SYS_capget, &mut header as *mut Header, data.as_mut_ptr()) };
    if r != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(data)
}

fn mask(d: &[Data; 2], f: impl Fn(&Data) -> u32) -> u64 {
    u64::from(f(&d[0])) | (u64::from(f(&d[1])) << 32)
}

/// The mask of [`KEPT`].
pub fn kept_mask() -> u64 {
    KEPT.iter().fold(0, |m, c| m | (1u64 << c))
}

/// Lowers this thread's effective, permitted and inheritable sets to [`KEPT`] (those of
/// them it has); returns the effective set now.
pub fn drop_to_runtime_needs() -> std::io::Result<u64> {
    let now = get()?;
    let keep = kept_mask() & mask(&now, |d| d.permitted);
    let (lo, hi) = (keep as u32, (keep >> 32) as u32);
    let data = [
        Data {
            effective: lo,
            permitted: lo,
            inheritable: 0,
        },
        Data {
            effective: hi,
            permitted: hi,
            inheritable: 0,
        },
    ];
    let mut header = Header {
        version: VERSION_3,
        pid: 0,
    };
    // SAFETY: capset reads two `Data` for version 3; lowering sets needs no privilege.
    let r = unsafe { libc::syscall(libc::SYS_capset, &mut header as *mut Header, data.as_ptr()) };
    if r != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(mask(&get()?, |d| d.effective))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_thread_keeps_only_what_it_had_of_the_kept_set() {
        // On a thread of its own: the test process's other threads keep theirs.
        let eff = std::thread::spawn(super::drop_to_runtime_needs)
            .join()
            .unwrap()
            .unwrap();
        assert_eq!(eff & !super::kept_mask(), 0, "{eff:x}");
    }
}
