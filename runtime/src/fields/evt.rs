//! `evt.*`, `syscall.type` and `util.cnt`.

use falcorc_compiler::eval::Value;
use falcorc_compiler::ir::FieldSpec;
use falcorc_compiler::sema::catalog::events::Dir;

use super::kinds::F;
use super::{FieldCtx, boolean, int, names, s, time};
use crate::event::Param;
use crate::state::fd::FdType;
use crate::state::meta::ef;
use crate::state::path;

/// Events that are not system calls (`syscall.type` is not set for them).
fn is_syscall(name: &str) -> bool {
    !matches!(
        name,
        "procexit"
            | "switch"
            | "container"
            | "procinfo"
            | "notification"
            | "infra"
            | "page_fault"
            | "signaldeliver"
            | "drop"
            | "pluginevent"
            | "asyncevent"
            | "useradded"
            | "userdeleted"
            | "groupadded"
            | "groupdeleted"
            | "cpu_hotplug"
            | "k8s"
            | "mesos"
            | "tracer"
            | "scapevent"
    )
}

impl FieldCtx<'_> {
    pub(super) fn event_name(&self) -> &'static str {
        self.params.def().map_or_else(|| self.ev.name(), |d| d.name)
    }

    fn flags(&self) -> u8 {
        crate::state::meta::info(self.code).flags
    }

    fn category(&self) -> &'static str {
        self.params.def().map_or("unknown", |d| d.category)
    }

    /// The return value: the `res` parameter, or for fd-creating exits the
    /// new `fd`.
    pub(crate) fn result(&self) -> Option<i64> {
        if let Some(i) = self.params.index("res") {
            return self.params.int(i);
        }
        if self.flags() & ef::CREATES_FD != 0
            && self.params.def().is_some_and(|d| d.dir == Dir::Exit)
            && let Some(i) = self.params.index("fd")
        {
            return self.params.int(i);
        }
        None
    }

    /// The text of `evt.res`.
    fn res_text(&self) -> Option<String> {
        let res = self.result()?;
        if res >= 0 {
            return Some("SUCCESS".into());
        }
        Some(names::errno_name(-res).map_or_else(|| res.to_string(), str::to_string))
    }

    fn is_exit(&self) -> bool {
        self.params.def().is_none_or(|d| d.dir == Dir::Exit)
    }

    fn io_category(&self) -> bool {
        matches!(self.category(), "io_read" | "io_write" | "io_other")
    }

    fn buflen(&self) -> Option<Value> {
        if self.is_exit() {
            self.result().filter(|&r| r >= 0).and_then(int)
        } else {
            None
        }
    }

    fn error_count(&self) -> Option<Value> {
        self.result().filter(|&r| r < 0).and_then(|_| int(1))
    }

    pub(super) fn is_open_event(&self) -> bool {
        matches!(self.event_name(), "open" | "openat" | "openat2" | "open_by_handle_at")
    }

    /// The open flags of an open event, `None` for any other event: as the open
    /// step of the tracker read them, or (an event it did not handle, one without
    /// a thread) decoded here.
    #[inline]
    pub(super) fn open_event_flags(&self) -> Option<u32> {
        self.open_flags
            .or_else(|| self.is_open_event().then(|| self.open_flags()))
    }

    pub(super) fn open_flags(&self) -> u32 {
        let idx = if matches!(self.event_name(), "openat" | "openat2") {
            3
        } else {
            2
        };
        self.params.uint(idx).unwrap_or(0) as u32
    }

    /// `evt.abspath[.src|.dst]`: a `*at` path parameter joined with its
    /// directory fd (or the working directory).
    fn abspath(&self, which: Option<&str>) -> Option<Value> {
        let second = which == Some("dst");
        let (dirfd, pathp) = match self.event_name() {
            "renameat" | "renameat2" => {
                if second {
                    ("newdirfd", "newpath")
                } else {
                    ("olddirfd", "oldpath")
                }
            }
            "symlinkat" => {
                if which == Some("src") {
                    return None;
                }
                ("linkdirfd", "linkpath")
            }
            "linkat" => {
                if second {
                    ("newdir", "newpath")
                } else {
                    ("olddir", "oldpath")
                }
            }
            "unlinkat" => ("dirfd", "name"),
            "mkdirat" => ("dirfd", "path"),
            "fchmodat" => ("dirfd", "filename"),
            "fchownat" => ("dirfd", "pathname"),
            _ => return None,
        };
        let t = self.thread?;
        let dirfd = self.params.int(self.params.index(dirfd)?)?;
        let path = self.params.text(self.params.index(pathp)?).unwrap_or_default();
        let base = if path.starts_with('/') {
            ".".to_string()
        } else if dirfd == -100 {
            self.tracker.cwd_of(t).to_string()
        } else {
            match self.tracker.fd_of(t, dirfd) {
                Some(f) if f.name.ends_with('/') => f.name.clone(),
                Some(f) => format!("{}/", f.name),
                None => "<UNKNOWN>/".to_string(),
            }
        };
        s(path::join(&base, &path))
    }

    /// `evt.rawarg.NAME`: the parameter in its own type.
    fn rawarg(&self, name: &str) -> Option<Value> {
        let p = self.params.by_name(name)?;
        Some(match p {
            Param::Empty => return None,
            Param::Str(b) => Value::Str(String::from_utf8_lossy(b).into_owned()),
            Param::Bytes(b) | Param::Malformed(b) => Value::Bytes(b.to_vec()),
            Param::Ipv4Addr(a) => Value::Ip(a.into()),
            Param::Ipv6Addr(a) => Value::Ip(a.into()),
            Param::Double(d) => Value::Double(d),
            Param::SockAddr(_) | Param::SockTuple(_) | Param::FdList(_) | Param::Dyn { .. } => {
                let i = self.params.index(name)?;
                Value::Str(self.render_param(i)?.plain)
            }
            Param::CharbufArray(l) | Param::CharbufPairArray(l) => Value::Str(l.to_strings().join(",")),
            Param::Uint64(v) | Param::RelTime(v) | Param::AbsTime(v) => Value::Int(i128::from(v)),
            other => Value::Int(i128::from(other.as_i64()?)),
        })
    }

    fn fd_kind(&self) -> Option<FdType> {
        self.fd.map(|f| f.kind)
    }

    pub(super) fn evt_field(&self, f: F, spec: &FieldSpec) -> Option<Value> {
        let ts = self.ev.ts;
        let rel = ts.saturating_sub(self.tracker.first_ts().unwrap_or(ts));
        let delta = self.tracker.prev_ts().map_or(0, |p| ts.saturating_sub(p));
        let latency = self.latency.unwrap_or(0);
        match f {
            F::EvtNum => int(self.ev.num),
            F::EvtTime | F::EvtOutputtime => s(time::time_of_day(ts)),
            F::EvtTimeS => s(time::time_of_day_s(ts)),
            F::EvtTimeIso8601 => int(ts),
            F::EvtDatetime => s(time::datetime(ts, true)),
            F::EvtDatetimeS => s(time::datetime(ts, false)),
            F::EvtRawtime => int(ts),
            F::EvtRawtimeS => int(ts / 1_000_000_000),
            F::EvtRawtimeNs => int(ts % 1_000_000_000),
            F::EvtReltime => int(rel),
            F::EvtReltimeS => int(rel / 1_000_000_000),
            F::EvtReltimeNs => int(rel % 1_000_000_000),
            F::EvtPluginname | F::EvtPlugininfo => None,
            F::EvtSource => s("syscall"),
            F::EvtIsAsync => boolean(self.event_name() == "asyncevent"),
            F::EvtAsynctype => {
                if self.event_name() == "asyncevent" {
                    self.params.text(1).map(|t| Value::Str(t.into_owned()))
                } else {
                    None
                }
            }
            F::EvtHostname => s(self.tracker.hostname()),
            F::EvtLatency => int(latency),
            F::EvtLatencyS => int(latency / 1_000_000_000),
            F::EvtLatencyNs => int(latency % 1_000_000_000),
            F::EvtLatencyQuantized => {
                if latency == 0 {
                    None
                } else {
                    let l = (latency as f64).log10().min(11.0);
                    int((l * 100.0 / 11.0) as u64 + 1)
                }
            }
            F::EvtLatencyHuman => s(if latency >= 1_000_000_000 {
                format!("{:.2}s", latency as f64 / 1e9)
            } else if latency >= 1_000_000 {
                format!("{:.2}ms", latency as f64 / 1e6)
            } else if latency >= 1000 {
                format!("{:.2}us", latency as f64 / 1e3)
            } else {
                format!("{latency}ns")
            }),
            F::EvtDeltatime => int(delta),
            F::EvtDeltatimeS => int(delta / 1_000_000_000),
            F::EvtDeltatimeNs => int(delta % 1_000_000_000),
            F::EvtDir => s(if self.is_exit() { "<" } else { ">" }),
            F::EvtType => {
                if self.event_name() == "asyncevent" {
                    self.params.text(1).map(|t| Value::Str(t.into_owned()))
                } else {
                    s(self.ev.type_name())
                }
            }
            F::EvtTypeIs => {
                let want = spec.suffix.as_deref()?;
                let hit = match want.parse::<u16>() {
                    Ok(code) => self.ev.code == code || self.code == code,
                    Err(_) => self.ev.type_name() == want,
                };
                int(u8::from(hit))
            }
            F::SyscallType => {
                let name = self.event_name();
                if is_syscall(name) { s(self.ev.type_name()) } else { None }
            }
            F::EvtCategory => {
                let c = self.category();
                s(match c {
                    "io_read" | "io_write" | "io_other" => match self.fd_kind() {
                        None => "unknown",
                        Some(FdType::File | FdType::FileV2 | FdType::Directory) => "file",
                        Some(FdType::Ipv4Sock | FdType::Ipv6Sock | FdType::Ipv4ServSock | FdType::Ipv6ServSock) => {
                            "net"
                        }
                        Some(FdType::UnixSock | FdType::Fifo) => "ipc",
                        Some(_) => "unknown",
                    },
                    "ipc" => "IPC",
                    c => c,
                })
            }
            F::EvtCpu => int(self.ev.cpu),
            F::EvtArgs | F::EvtInfo => s(self.render_args()),
            F::EvtArg => {
                let i = match (&spec.suffix, &spec.arg) {
                    (Some(name), _) => self.params.index(name)?,
                    (None, Some(n)) => n.parse::<usize>().ok()?,
                    _ => return None,
                };
                s(self.render_param(i)?.best())
            }
            F::EvtRawarg => self.rawarg(spec.suffix.as_deref()?),
            F::EvtBuffer => match self.params.by_name("data")? {
                Param::Bytes(b) | Param::Str(b) => Some(Value::Bytes(b.to_vec())),
                _ => None,
            },
            F::EvtBuflen => {
                if self.fd.is_some() && self.io_category() {
                    self.buflen()
                } else {
                    None
                }
            }
            F::EvtRes => self.res_text().map(Value::Str),
            F::EvtRawres => self.result().and_then(int),
            F::EvtFailed => boolean(self.result().is_some_and(|r| r < 0)),
            F::EvtIsIo => boolean(self.flags() & (ef::READS_FROM_FD | ef::WRITES_TO_FD) != 0),
            F::EvtIsIoRead => boolean(self.flags() & ef::READS_FROM_FD != 0),
            F::EvtIsIoWrite => boolean(self.flags() & ef::WRITES_TO_FD != 0),
            F::EvtIoDir => {
                if self.flags() & ef::WRITES_TO_FD != 0 {
                    s("write")
                } else if self.flags() & ef::READS_FROM_FD != 0 {
                    s("read")
                } else {
                    None
                }
            }
            F::EvtIsWait => boolean(self.flags() & ef::WAITS != 0),
            F::EvtWaitLatency => {
                if self.flags() & ef::WAITS != 0 && self.is_exit() {
                    int(latency)
                } else {
                    None
                }
            }
            F::EvtIsSyslog => {
                boolean(self.flags() & ef::WRITES_TO_FD != 0 && self.fd.is_some_and(|f| f.name.contains("/dev/log")))
            }
            F::EvtCount => int(1),
            F::EvtCountError => self.error_count(),
            F::EvtCountErrorFile => match self.fd_kind() {
                Some(FdType::File | FdType::FileV2 | FdType::Directory) => self.error_count(),
                Some(_) => None,
                None if matches!(
                    self.event_name(),
                    "open" | "creat" | "openat" | "openat2" | "open_by_handle_at"
                ) =>
                {
                    self.error_count()
                }
                None => None,
            },
            F::EvtCountErrorNet => match self.fd_kind() {
                Some(
                    FdType::Ipv4Sock
                    | FdType::Ipv6Sock
                    | FdType::Ipv4ServSock
                    | FdType::Ipv6ServSock
                    | FdType::UnixSock,
                ) => self.error_count(),
                Some(_) => None,
                None if matches!(self.event_name(), "accept" | "accept4" | "connect") => self.error_count(),
                None => None,
            },
            F::EvtCountErrorMemory => {
                if self.category() == "memory" {
                    self.error_count()
                } else {
                    None
                }
            }
            F::EvtCountErrorOther => {
                let other = match self.fd_kind() {
                    Some(k) => !matches!(
                        k,
                        FdType::File
                            | FdType::FileV2
                            | FdType::Directory
                            | FdType::Ipv4Sock
                            | FdType::Ipv6Sock
                            | FdType::Ipv4ServSock
                            | FdType::Ipv6ServSock
                            | FdType::UnixSock
                    ),
                    None => {
                        !matches!(
                            self.event_name(),
                            "open"
                                | "creat"
                                | "openat"
                                | "openat2"
                                | "open_by_handle_at"
                                | "accept"
                                | "accept4"
                                | "connect"
                        ) && self.category() != "memory"
                    }
                };
                if other { self.error_count() } else { None }
            }
            F::EvtCountExit => {
                if self.is_exit() {
                    int(1)
                } else {
                    None
                }
            }
            F::EvtCountProcinfo => {
                if self.event_name() == "procinfo" && self.thread.is_some_and(|t| t.is_main()) {
                    int(1)
                } else {
                    None
                }
            }
            F::EvtCountThreadinfo => {
                if self.event_name() == "procinfo" {
                    int(1)
                } else {
                    None
                }
            }
            F::EvtAround => None,
            F::EvtAbspath => self.abspath(spec.suffix.as_deref()),
            F::EvtBuflenIn | F::EvtBuflenOut => {
                let want = if f == F::EvtBuflenIn { "io_read" } else { "io_write" };
                if self.fd.is_some() && self.category() == want {
                    self.buflen()
                } else {
                    None
                }
            }
            F::EvtBuflenFile | F::EvtBuflenFileIn | F::EvtBuflenFileOut => {
                let cat_ok = match f {
                    F::EvtBuflenFile => self.io_category(),
                    F::EvtBuflenFileIn => self.category() == "io_read",
                    _ => self.category() == "io_write",
                };
                if cat_ok && self.fd.is_some_and(|f| f.is_file()) {
                    self.buflen()
                } else {
                    None
                }
            }
            F::EvtBuflenNet | F::EvtBuflenNetIn | F::EvtBuflenNetOut => {
                let cat_ok = match f {
                    F::EvtBuflenNet => self.io_category(),
                    F::EvtBuflenNetIn => self.category() == "io_read",
                    _ => self.category() == "io_write",
                };
                let net = matches!(
                    self.fd_kind(),
                    Some(FdType::Ipv4Sock | FdType::Ipv6Sock | FdType::Ipv4ServSock | FdType::Ipv6ServSock)
                );
                if cat_ok && net { self.buflen() } else { None }
            }
            F::EvtIsOpenRead | F::EvtIsOpenWrite | F::EvtIsOpenCreate | F::EvtIsOpenExec => {
                const O_RDONLY: u32 = 1;
                const O_WRONLY: u32 = 2;
                const O_CREAT: u32 = 1 << 2;
                const O_TMPFILE: u32 = 1 << 13;
                const O_F_CREATED: u32 = 1 << 14;
                const EXEC_BITS: u32 = 0o111;
                let name = self.event_name();
                let mut hit = false;
                if let Some(flags) = self.open_event_flags() {
                    hit = match f {
                        F::EvtIsOpenRead => flags & O_RDONLY != 0,
                        F::EvtIsOpenWrite => flags & O_WRONLY != 0,
                        F::EvtIsOpenCreate => {
                            flags & O_F_CREATED != 0
                                || (flags & O_TMPFILE != 0 && self.result().is_some_and(|r| r >= 0))
                        }
                        _ => {
                            let mode_idx = if matches!(name, "openat" | "openat2") { 4 } else { 3 };
                            flags & (O_TMPFILE | O_CREAT) != 0
                                && name != "open_by_handle_at"
                                && self.params.uint(mode_idx).unwrap_or(0) as u32 & EXEC_BITS != 0
                        }
                    };
                } else if f == F::EvtIsOpenExec && name == "creat" {
                    hit = self.params.uint(2).unwrap_or(0) as u32 & EXEC_BITS != 0;
                }
                boolean(hit)
            }
            F::EvtInfraDockerName
            | F::EvtInfraDockerContainerId
            | F::EvtInfraDockerContainerName
            | F::EvtInfraDockerContainerImage => None,
            F::UtilCnt => int(self.tracker.next_count()),
            _ => None,
        }
    }
}
