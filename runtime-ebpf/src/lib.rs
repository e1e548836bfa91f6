//! falcorc live capture: a CO-RE eBPF probe (C, in `probe/`) loaded with aya.
//!
//! * [`probe`]: loads and attaches the embedded probe, reads its ring buffer and counters.
//! * [`kernel_btf`]: the small part of the kernel's BTF that CO-RE and the BTF tracepoint need.
//! * [`wire`]: the Rust mirror of the probe's record header and counters.
//! * [`syscalls`]: which syscalls the probe turns into which exit events; the filter.
//! * [`procscan`]: the /proc and /etc snapshot that seeds the state at start.
//! * [`enrich`]: cgroups and exe paths from /proc for the events the probe leaves them out of.
//! * [`session`]: probe + snapshot + tracker: live events in, one at a time.
//! * [`signals`]: SIGINT/SIGTERM set a stop flag the event loops check.
//!
//! The probe's records are scap v2 events, so they go unchanged to the runtime's event
//! parser and into captures: a live session and the replay of its recording see the same
//! bytes.

pub mod caps;
pub mod clock;
pub mod enrich;
pub mod flags;
pub mod kernel_btf;
pub mod lookup;
pub mod probe;
pub mod procscan;
pub mod session;
pub mod signals;
pub mod syscalls;
pub mod wire;
