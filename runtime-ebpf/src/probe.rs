//! Loading the embedded probe with aya: preflight checks with clear errors, globals,
//! the in-kernel syscall filter, attaching, and reading the ring buffer and counters.
//! Dropping a [`Probe`] detaches it.

use crate::kernel_btf::{self, RawBtf};
use crate::syscalls::Filter;
use crate::wire::{Counters, ExitTime, PathTable, SYSCALL_SLOTS};
use aya::maps::{Array, MapData, PerCpuArray, RingBuf};
use aya::programs::raw_trace_point::RawTracePointLink;
use aya::programs::tp_btf::BtfTracePointLink;
use aya::programs::{BtfTracePoint, ProgramError, RawTracePoint};
use aya::{Btf, EbpfError, EbpfLoader, Endianness};
use std::fmt;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

/// Longest one [`Probe::poll`] hands out records for.
pub const POLL_BUDGET: Duration = Duration::from_millis(100);

/// The compiled probe (rebuilt by build.rs when clang is present, else the committed one).
pub static PROBE_OBJECT: &[u8] = include_bytes!(env!("FALCORC_PROBE_OBJ"));
/// `fresh`, `stale` or `prebuilt` (see build.rs).
pub const PROBE_STATE: &str = env!("FALCORC_PROBE_STATE");
/// The object's build id: FNV-1a of its bytes in hex, computed by build.rs.
pub const PROBE_ID: &str = env!("FALCORC_PROBE_ID");

/// The BTF tracepoint program (syscall exits) and the raw tracepoint one (process exits).
const SYS_EXIT: (&str, &str) = ("falcorc_sys_exit", "sys_exit");
const SCHED_EXIT: (&str, &str) = ("falcorc_sched_exit", "sched_process_exit");

const KERNEL_BTF: &str = "/sys/kernel/btf/vmlinux";

/// Oldest kernel with everything the probe uses (BPF ring buffer: 5.8).
const MIN_KERNEL: (u32, u32) = (5, 8);
/// bpf_loop, which the probe's in-kernel cgroup paths need; older kernels get them from /proc.
const BPF_LOOP_KERNEL: (u32, u32) = (5, 17);

/// Why the probe could not be started.
#[derive(Debug)]
pub enum LoadError {
    /// Not root and missing CAP_BPF + CAP_PERFMON (or CAP_SYS_ADMIN).
    Privileges,
    /// The kernel exposes no BTF (`/sys/kernel/btf/vmlinux`), which CO-RE needs.
    NoBtf,
    KernelTooOld(String),
    /// The verifier refused a program; the log says why.
    Verifier {
        program: String,
        log: String,
    },
    Other(String),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Privileges => write!(
                f,
                "live capture needs root, or the CAP_BPF and CAP_PERFMON capabilities (run with sudo)"
            ),
            LoadError::NoBtf => write!(
                f,
                "this kernel has no BTF (/sys/kernel/btf/vmlinux is missing); the probe needs a kernel built with CONFIG_DEBUG_INFO_BTF=y"
            ),
            LoadError::KernelTooOld(v) => write!(
                f,
                "kernel {v} is too old: the probe needs {}.{} or newer (BPF ring buffer)",
                MIN_KERNEL.0, MIN_KERNEL.1
            ),
            LoadError::Verifier { program, log } => {
                write!(f, "the kernel verifier rejected program {program}:\n{log}")
            }
            LoadError::Other(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for LoadError {}

/// What to load.
#[derive(Clone, Debug)]
pub struct ProbeOptions {
    /// The event types and parts to send.
    pub filter: Filter,
    /// Ring buffer size in bytes (a power of two, at least a page).
    pub ring_bytes: u32,
    /// Time every handled exit by syscall (benchmarks: it costs two clock reads per event).
    pub timing: bool,
}

/// A loaded, attached probe.
pub struct Probe {
    /// The attachments: they keep the programs (and through them every map) in the kernel
    /// after aya's `Ebpf`, with its copy of the object, is dropped.
    _links: (BtfTracePointLink, RawTracePointLink),
    counters: PerCpuArray<MapData, Counters>,
    exit_ns: PerCpuArray<MapData, ExitTime>,
    ring: RingBuf<MapData>,
    /// The epoch time of boot the probe adds to its boot-clock times.
    boot_epoch_ns: u64,
    /// The filter, parameter masks and failed-open prefilter.
    filter: FilterMaps,
}

/// Effective capabilities of this process (`CapEff` of /proc/self/status).
fn effective_caps() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("CapEff:"))
                .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
        })
        .unwrap_or(0)
}

/// `(major, minor)` of a `uname -r` string such as `6.18.44-fc`.
pub fn kernel_version(release: &str) -> Option<(u32, u32)> {
    let mut it = release.split(|c: char| !c.is_ascii_digit());
    Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
}

fn release() -> String {
    std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// The checks that give better messages than a failed bpf() call.
/// Whether the probe can load here; the kernel's version when its release names one.
pub fn preflight() -> Result<Option<(u32, u32)>, LoadError> {
    const CAP_SYS_ADMIN: u64 = 1 << 21;
    const CAP_PERFMON: u64 = 1 << 38;
    const CAP_BPF: u64 = 1 << 39;
    let caps = effective_caps();
    if caps & CAP_SYS_ADMIN == 0 && caps & (CAP_BPF | CAP_PERFMON) != (CAP_BPF | CAP_PERFMON) {
        return Err(LoadError::Privileges);
    }
    let rel = release();
    let version = kernel_version(&rel);
    if version.is_some_and(|v| v < MIN_KERNEL) {
        return Err(LoadError::KernelTooOld(rel));
    }
    if !std::path::Path::new(KERNEL_BTF).exists() {
        return Err(LoadError::NoBtf);
    }
    Ok(version)
}

fn other(what: &str) -> impl Fn(EbpfError) -> LoadError + '_ {
    move |e| match e {
        EbpfError::BtfError(b) => LoadError::Other(format!("{what}: BTF: {b}")),
        e => LoadError::Other(format!("{what}: {e}")),
    }
}

fn prog_err(program: &str, e: ProgramError) -> LoadError {
    match e {
        ProgramError::LoadError { io_error, verifier_log } => LoadError::Verifier {
            program: program.to_string(),
            log: format!("{io_error}\n{verifier_log}"),
        },
        e => LoadError::Other(format!("program {program}: {e}")),
    }
}

/// The `interesting` and `path_table` maps, and what they hold.
struct FilterMaps {
    interesting: Array<MapData, u8>,
    path_table: Array<MapData, PathTable>,
    current: Vec<u8>,
    table: PathTable,
}

/// Writes what `wanted` asks into the maps, only where it differs from what they hold.
/// The table cannot be written in one step the probe would see whole, so while it changes
/// no slot uses it (every failed open is sent).
fn write_filter(maps: &mut FilterMaps, wanted: &Filter) -> Result<(), String> {
    let table = wanted.path_table();
    if table != maps.table {
        let values: Vec<u8> = maps.current.iter().map(|v| v & !4).collect();
        write_slots(&mut maps.interesting, &mut maps.current, &values)?;
        maps.path_table
            .set(0, table, 0)
            .map_err(|e| format!("path table map: {e}"))?;
        maps.table = table;
    }
    write_slots(&mut maps.interesting, &mut maps.current, &wanted.map_values())
}

/// Writes the slots of the `interesting` map whose value differs from `wanted` (`current`
/// is what the map holds, updated as it is written).
fn write_slots(filter: &mut Array<MapData, u8>, current: &mut [u8], wanted: &[u8]) -> Result<(), String> {
    for (slot, (now, &want)) in current.iter_mut().zip(wanted).enumerate() {
        if *now != want {
            filter
                .set(slot as u32, want, 0)
                .map_err(|e| format!("filter map: {e}"))?;
            *now = want;
        }
    }
    Ok(())
}

impl Probe {
    /// Loads and attaches the probe. Events flow from the moment this returns.
    pub fn start(opts: &ProbeOptions) -> Result<Probe, LoadError> {
        let version = preflight()?;
        raise_memlock();
        let self_tgid = std::process::id();
        let boot = crate::clock::boot_epoch_ns();
        let mut have_bpf_loop = u8::from(version.is_some_and(|v| v >= BPF_LOOP_KERNEL));
        // CO-RE relocation and the BTF tracepoint both run against the small subset of the
        // kernel's BTF the probe needs (`kernel_btf`); the whole BTF, as aya parses it, is
        // ~17 MB of heap and only the fallback.
        let (btf, kn_parent) = match subset_btf() {
            Ok(b) => b,
            Err(why) => {
                eprintln!("falcorc: note: using the whole kernel BTF ({why})");
                let btf = Btf::from_sys_fs().map_err(|e| LoadError::Other(format!("reading the kernel's BTF: {e}")))?;
                (btf, None)
            }
        };
        // Without the parent pointer's offset the cgroup walk cannot climb: /proc instead.
        let kn_parent_off = kn_parent.unwrap_or_else(|| {
            have_bpf_loop = 0;
            0
        });
        trim_heap();
        let timing = u8::from(opts.timing);
        let mut ebpf = {
            let mut loader = loader_without_system_btf();
            loader
                .btf(Some(&btf))
                .override_global("self_tgid", &self_tgid, true)
                .override_global("boot_epoch_ns", &boot, true)
                .override_global("have_bpf_loop", &have_bpf_loop, true)
                .override_global("kn_parent_off", &kn_parent_off, true)
                .override_global("probe_timing", &timing, true)
                .map_max_entries("events", opts.ring_bytes);
            loader.load(PROBE_OBJECT).map_err(other("loading the probe"))?
        };
        let interesting: Array<MapData, u8> = ebpf
            .take_map("interesting")
            .ok_or_else(|| LoadError::Other("the probe has no `interesting` map".into()))
            .and_then(|m| Array::try_from(m).map_err(|e| LoadError::Other(format!("filter map: {e}"))))?;
        let counters: PerCpuArray<MapData, Counters> = ebpf
            .take_map("counters")
            .ok_or_else(|| LoadError::Other("the probe has no `counters` map".into()))
            .and_then(|m| PerCpuArray::try_from(m).map_err(|e| LoadError::Other(format!("counters map: {e}"))))?;
        let exit_ns: PerCpuArray<MapData, ExitTime> = ebpf
            .take_map("exit_ns")
            .ok_or_else(|| LoadError::Other("the probe has no `exit_ns` map".into()))
            .and_then(|m| PerCpuArray::try_from(m).map_err(|e| LoadError::Other(format!("exit_ns map: {e}"))))?;
        let path_table: Array<MapData, PathTable> = ebpf
            .take_map("path_table")
            .ok_or_else(|| LoadError::Other("the probe has no `path_table` map".into()))
            .and_then(|m| Array::try_from(m).map_err(|e| LoadError::Other(format!("path table map: {e}"))))?;
        let mut filter = FilterMaps {
            interesting,
            path_table,
            current: vec![0u8; SYSCALL_SLOTS as usize],
            table: PathTable::default(),
        };
        write_filter(&mut filter, &opts.filter).map_err(LoadError::Other)?;
        let missing = |name: &str| LoadError::Other(format!("the probe has no program {name}"));
        let (name, tp) = SYS_EXIT;
        let prog: &mut BtfTracePoint = ebpf
            .program_mut(name)
            .ok_or_else(|| missing(name))?
            .try_into()
            .map_err(|e| LoadError::Other(format!("program {name}: {e}")))?;
        prog.load(tp, &btf).map_err(|e| prog_err(name, e))?;
        let id = prog.attach().map_err(|e| prog_err(name, e))?;
        let exit_link = prog.take_link(id).map_err(|e| prog_err(name, e))?;
        let (name, tp) = SCHED_EXIT;
        let prog: &mut RawTracePoint = ebpf
            .program_mut(name)
            .ok_or_else(|| missing(name))?
            .try_into()
            .map_err(|e| LoadError::Other(format!("program {name}: {e}")))?;
        prog.load().map_err(|e| prog_err(name, e))?;
        let id = prog.attach(tp).map_err(|e| prog_err(name, e))?;
        let sched_link = prog.take_link(id).map_err(|e| prog_err(name, e))?;
        drop(btf);
        let ring = ebpf
            .take_map("events")
            .ok_or_else(|| LoadError::Other("the probe has no `events` ring buffer".into()))?;
        // aya's copy of the object, its programs' instructions and relocation data: not
        // needed once the links hold the programs.
        drop(ebpf);
        // The ring buffer's pages count in the resident set as soon as they are mapped (all
        // of them, twice): what loading freed goes back to the system first, so that the
        // process's peak is not loading's heap plus the ring.
        trim_heap();
        let ring = RingBuf::try_from(ring).map_err(|e| LoadError::Other(format!("ring buffer: {e}")))?;
        Ok(Probe {
            _links: (exit_link, sched_link),
            counters,
            exit_ns,
            ring,
            boot_epoch_ns: boot,
            filter,
        })
    }

    /// Sends exactly what `filter` asks from now on, while the probe runs: a reload whose
    /// rules need other event types or parts. Only the slots that change are written.
    pub fn set_filter(&mut self, filter: &Filter) -> Result<(), String> {
        write_filter(&mut self.filter, filter)
    }

    /// Now, on the clock of the events' `ts` (ns since the epoch).
    pub fn now_ns(&self) -> u64 {
        crate::clock::boottime_ns() + self.boot_epoch_ns
    }

    /// Hands the waiting records to `f`, waiting up to `timeout` for the first one, and
    /// returns after at most [`POLL_BUDGET`] of handling even if more are waiting (under a
    /// flood the ring never runs empty, and the caller must get control back to notice a
    /// stop signal). Returns how many records were read.
    pub fn poll(&mut self, timeout: Duration, mut f: impl FnMut(&[u8])) -> usize {
        let start = Instant::now();
        let n = self.drain(start, &mut f);
        if n > 0 {
            return n;
        }
        let mut pfd = libc::pollfd {
            fd: self.ring.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = timeout.as_millis().min(i32::MAX as u128) as i32;
        // SAFETY: one valid pollfd; an interrupted or failed poll just returns early.
        unsafe { libc::poll(&mut pfd, 1, ms) };
        self.drain(Instant::now(), &mut f)
    }

    /// Records to `f` until the ring is empty or [`POLL_BUDGET`] after `start`.
    fn drain(&mut self, start: Instant, f: &mut impl FnMut(&[u8])) -> usize {
        let mut n = 0;
        while let Some(item) = self.ring.next() {
            f(&item);
            n += 1;
            if n % 256 == 0 && start.elapsed() >= POLL_BUDGET {
                break;
            }
        }
        n
    }

    /// With [`ProbeOptions::timing`]: per syscall number that had exits, the probe's time
    /// on them and their count, summed over CPUs.
    pub fn exit_times(&self) -> Vec<(u32, ExitTime)> {
        (0..SYSCALL_SLOTS)
            .filter_map(|nr| {
                let per_cpu = self.exit_ns.get(&nr, 0).ok()?;
                let t = per_cpu.iter().fold(ExitTime::default(), |a, c| ExitTime {
                    ns: a.ns + c.ns,
                    count: a.count + c.count,
                });
                (t.count > 0).then_some((nr, t))
            })
            .collect()
    }

    /// The probe's counters summed over CPUs.
    pub fn counters(&self) -> Counters {
        let mut total = Counters::default();
        if let Ok(vals) = self.counters.get(&0, 0) {
            for c in vals.iter() {
                total.add(c);
            }
        }
        total
    }
}

/// The kernel BTF subset for the embedded probe, parsed by aya.
/// The BTF subset, and the offset of `kernfs_node`'s parent pointer (`parent`, `__parent`
/// since 6.15), which the probe's cgroup walk reads at an offset the loader gives it: a
/// CO-RE read of whichever name the kernel lacks is poisoned at load, and the compiler may
/// hoist it out of the branch that tests for the name.
fn subset_btf() -> Result<(Btf, Option<u32>), String> {
    let local = RawBtf::parse(kernel_btf::own_btf(PROBE_OBJECT)?).map_err(|e| format!("the probe's BTF: {e}"))?;
    let (blob, kn_parent) = {
        let data = std::fs::read(KERNEL_BTF).map_err(|e| format!("{KERNEL_BTF}: {e}"))?;
        let kernel = RawBtf::parse(&data).map_err(|e| format!("{KERNEL_BTF}: {e}"))?;
        let kn_parent = ["__parent", "parent"]
            .iter()
            .find_map(|m| kernel.member_offset("kernfs_node", m));
        (kernel_btf::subset(&kernel, &local, &[SYS_EXIT.1])?, kn_parent)
    };
    let btf = Btf::parse(&blob, Endianness::default()).map_err(|e| format!("the BTF subset: {e}"))?;
    Ok((btf, kn_parent))
}

/// An `EbpfLoader` that has not parsed the kernel's BTF.
///
/// aya 0.14's `EbpfLoader::new` reads and parses the whole kernel BTF at once, even when
/// `.btf()` then replaces it (aya 0.15 made this lazy, but needs a newer rustc than the
/// project's). So the loader is made on a short-lived thread on which a seccomp filter fails
/// every `open`/`openat`/`openat2` with ENOENT: the parse fails at its first step and costs
/// nothing. The filter dies with the thread. Where seccomp is unavailable, the loader is made
/// normally and only the memory peak is higher.
fn loader_without_system_btf<'a>() -> EbpfLoader<'a> {
    std::thread::scope(|s| {
        s.spawn(|| {
            deny_opens_on_this_thread();
            EbpfLoader::new()
        })
        .join()
        .unwrap_or_else(|_| EbpfLoader::new())
    })
}

#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
fn deny_opens_on_this_thread() {
    #[cfg(target_arch = "x86_64")]
    const ARCH: u32 = 0xc000_003e; // AUDIT_ARCH_X86_64
    #[cfg(target_arch = "aarch64")]
    const ARCH: u32 = 0xc000_00b7; // AUDIT_ARCH_AARCH64
    #[cfg(target_arch = "x86_64")]
    const OPEN: u32 = libc::SYS_open as u32;
    #[cfg(target_arch = "aarch64")]
    const OPEN: u32 = libc::SYS_openat as u32; // no plain open there
    const LD_W_ABS: u16 = 0x20;
    const JEQ_K: u16 = 0x15;
    const RET_K: u16 = 0x06;
    let op = |code, jt, jf, k| libc::sock_filter { code, jt, jf, k };
    let mut filter = [
        op(LD_W_ABS, 0, 0, 4), // seccomp_data.arch
        op(JEQ_K, 0, 4, ARCH),
        op(LD_W_ABS, 0, 0, 0), // seccomp_data.nr
        op(JEQ_K, 3, 0, libc::SYS_openat as u32),
        op(JEQ_K, 2, 0, libc::SYS_openat2 as u32),
        op(JEQ_K, 1, 0, OPEN),
        op(RET_K, 0, 0, libc::SECCOMP_RET_ALLOW),
        op(RET_K, 0, 0, libc::SECCOMP_RET_ERRNO | libc::ENOENT as u32),
    ];
    let prog = libc::sock_fprog {
        len: filter.len() as u16,
        filter: filter.as_mut_ptr(),
    };
    // SAFETY: prctl with a valid, live filter program; both calls affect this thread only
    // (no SECCOMP_FILTER_FLAG_TSYNC), and a failure just leaves the thread unfiltered.
    unsafe {
        libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        libc::prctl(
            libc::PR_SET_SECCOMP,
            libc::SECCOMP_MODE_FILTER,
            &prog as *const libc::sock_fprog,
        );
    }
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
fn deny_opens_on_this_thread() {}

/// A parsed BTF is hundreds of thousands of small allocations: give the freed heap back
/// to the system instead of keeping it resident.
fn trim_heap() {
    // SAFETY: malloc_trim only releases free memory of the allocator.
    unsafe { libc::malloc_trim(0) };
}

/// Kernels before 5.11 charge BPF maps to RLIMIT_MEMLOCK; lift it (harmless later).
fn raise_memlock() {
    let unlimited = libc::rlimit {
        rlim_cur: libc::RLIM_INFINITY,
        rlim_max: libc::RLIM_INFINITY,
    };
    // SAFETY: setrlimit reads the struct we pass; failure leaves the old limit.
    unsafe { libc::setrlimit(libc::RLIMIT_MEMLOCK, &unlimited) };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// build.rs's id is the FNV-1a of the object this crate embeds.
    #[test]
    fn the_build_id_is_the_embedded_objects() {
        let fnv = PROBE_OBJECT.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
        assert_eq!(PROBE_ID, format!("{fnv:016x}"));
    }

    #[test]
    fn a_verifier_rejection_carries_its_log() {
        let e = prog_err(
            "falcorc_sys_exit",
            ProgramError::LoadError {
                io_error: std::io::Error::from_raw_os_error(libc::EACCES),
                verifier_log: aya_obj::VerifierLog::new("R1 invalid mem access 'scalar'".into()),
            },
        );
        let msg = e.to_string();
        assert!(
            msg.starts_with("the kernel verifier rejected program falcorc_sys_exit:"),
            "{msg}"
        );
        assert!(msg.contains("R1 invalid mem access 'scalar'"), "{msg}");
        let other = prog_err("p", ProgramError::AlreadyAttached);
        assert!(matches!(other, LoadError::Other(_)));
    }

    #[test]
    fn the_loader_thread_cannot_open_files_and_the_others_still_can() {
        let on_filtered_thread = std::thread::spawn(|| {
            deny_opens_on_this_thread();
            std::fs::read("/proc/self/status").map_err(|e| e.kind())
        })
        .join()
        .unwrap();
        #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
        assert_eq!(on_filtered_thread.err(), Some(std::io::ErrorKind::NotFound));
        assert!(std::fs::read("/proc/self/status").is_ok());
        std::thread::spawn(|| assert!(std::fs::read("/proc/self/status").is_ok()))
            .join()
            .unwrap();
        // Making a loader neither fails nor leaves the filter on this thread.
        drop(loader_without_system_btf());
        assert!(std::fs::read("/proc/self/status").is_ok());
    }

    #[test]
    fn kernel_versions() {
        assert_eq!(kernel_version("6.18.44-fc-v782"), Some((6, 18)));
        assert_eq!(kernel_version("5.4.0"), Some((5, 4)));
        assert!(kernel_version("5.4.0").unwrap() < MIN_KERNEL);
        assert_eq!(kernel_version("junk"), None);
    }

    #[test]
    fn the_embedded_object_is_a_bpf_elf_with_both_programs() {
        assert_eq!(&PROBE_OBJECT[..4], b"\x7fELF");
        // e_machine 247 = EM_BPF
        assert_eq!(u16::from_le_bytes([PROBE_OBJECT[18], PROBE_OBJECT[19]]), 247);
        for (name, _) in [SYS_EXIT, SCHED_EXIT] {
            let found = PROBE_OBJECT.windows(name.len()).any(|w| w == name.as_bytes());
            assert!(found, "{name} missing from the object");
        }
    }

    /// CI installs clang, so build.rs rebuilds the probe there; this fails when the
    /// committed object no longer matches its source.
    #[test]
    fn committed_probe_object_is_up_to_date() {
        assert_ne!(
            PROBE_STATE, "stale",
            "run runtime-ebpf/probe/build.sh and commit probe/falcorc.bpf.o"
        );
        if PROBE_STATE == "other-kernel" {
            println!(
                "note: the probe was rebuilt against another kernel's BTF than the committed object; not compared"
            );
        }
        if std::env::var_os("FALCORC_REQUIRE_PROBE_BUILD").is_some() {
            assert!(
                matches!(PROBE_STATE, "fresh" | "other-kernel"),
                "the probe was not rebuilt: are clang, llvm-strip and bpftool installed?"
            );
        }
    }
}
