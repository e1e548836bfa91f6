//! Event parameters as text, the way libsinsp prints them in `evt.args` and
//! returns them from `evt.arg.*`: a plain form (numbers, paths, tuples) and,
//! when there is one, a resolved form (flag names, errno names, the fd's
//! type and name, a relative path made absolute).

use std::fmt::Write as _;

use falcorc_compiler::sema::catalog::FieldType;

use super::FieldCtx;
use super::names::{self, enum_text, flags_text, mode_text};
use super::time;
use crate::event::{Param, SockAddr, SockTuple, syscall_name};
use crate::state::meta::{NumFmt, num_fmt};
use crate::state::path;

/// The rendering of one parameter: the plain text and the resolved text
/// (empty when there is none).
pub struct Rendered {
    pub plain: String,
    pub resolved: String,
}

impl Rendered {
    fn plain(s: String) -> Rendered {
        Rendered {
            plain: s,
            resolved: String::new(),
        }
    }

    /// What `evt.arg.*` shows: the resolved text if any, else the plain one.
    pub fn best(self) -> String {
        if self.resolved.is_empty() {
            self.plain
        } else {
            self.resolved
        }
    }
}

fn num_text(v: i128, fmt: NumFmt) -> String {
    match fmt {
        NumFmt::Dec => v.to_string(),
        NumFmt::Hex => format!("{v:X}"),
        NumFmt::Oct if v == 0 => "0".into(),
        NumFmt::Oct => format!("0{v:o}"),
        NumFmt::Padded => format!("{v:09}"),
    }
}

/// `%lg` of a value (6 significant digits, no trailing zeros).
fn g_format(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let exp = v.abs().log10().floor() as i32;
    if !(-5..6).contains(&exp) {
        let s = format!("{v:.5e}");
        let (mant, e) = s.split_once('e').unwrap_or((&s, "0"));
        let mant = mant.trim_end_matches('0').trim_end_matches('.');
        let e: i32 = e.parse().unwrap_or(0);
        return format!("{mant}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
    }
    let decimals = (5 - exp).max(0) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Bytes as text: printable ASCII kept, everything else shown as `.`.
pub fn dotted(b: &[u8]) -> String {
    b.iter()
        .map(|&c| if (0x20..0x7f).contains(&c) { c as char } else { '.' })
        .collect()
}

/// A socket tuple as libsinsp prints it.
pub fn tuple_text(t: &SockTuple<'_>) -> String {
    crate::state::parse_tuple_text(t)
}

fn sockaddr_text(a: &SockAddr<'_>) -> String {
    match a {
        SockAddr::V4(s) => format!("{}:{}", s.ip(), s.port()),
        SockAddr::V6(s) => format!("{}:{}", s.ip(), s.port()),
        SockAddr::Unix(p) => String::from_utf8_lossy(p).into_owned(),
        SockAddr::Other { family, .. } => format!("family {family}"),
    }
}

impl FieldCtx<'_> {
    /// The base directory a relative path parameter `i` is resolved
    /// against: the dirfd parameter before it for `*at` paths, the thread's
    /// working directory otherwise.
    fn base_dir(&self, i: usize, ty: FieldType) -> String {
        let Some(t) = self.thread else {
            return String::new();
        };
        let cwd = self.tracker.cwd_of(t).to_string();
        if ty != FieldType::Fsrelpath {
            return cwd;
        }
        let dirfd = (0..i)
            .rev()
            .find(|&j| matches!(self.params.ty(j), Some(FieldType::Fd)) && self.params.name(j).contains("dir"));
        let Some(j) = dirfd else { return cwd };
        match self.params.int(j) {
            Some(-100) | None => cwd,
            Some(fd) => match self.tracker.fd_of(t, fd) {
                Some(f) if !f.name.is_empty() => format!("{}/", f.name.trim_end_matches('/')),
                _ => String::new(),
            },
        }
    }

    fn fd_text(&self, fd: i64) -> Rendered {
        let plain = fd.to_string();
        let mut resolved = String::new();
        if fd >= 0 {
            if let Some(f) = self.thread.and_then(|t| self.tracker.fd_of(t, fd)) {
                resolved.push('<');
                resolved.push(f.type_char());
                if matches!(
                    f.kind,
                    crate::state::fd::FdType::Ipv4Sock
                        | crate::state::fd::FdType::Ipv6Sock
                        | crate::state::fd::FdType::Ipv4ServSock
                        | crate::state::fd::FdType::Ipv6ServSock
                ) {
                    use crate::state::fd::l4;
                    match f.l4proto() {
                        l4::TCP => resolved.push('t'),
                        l4::UDP => resolved.push('u'),
                        l4::ICMP => resolved.push('i'),
                        l4::RAW => resolved.push('r'),
                        _ => {}
                    }
                }
                resolved.push('>');
                resolved.push_str(&path::sanitize(&f.name));
            }
        } else if fd == -100 {
            resolved.push_str("AT_FDCWD");
        } else if let Some(n) = names::errno_name(-fd) {
            resolved.push_str(n);
        }
        Rendered { plain, resolved }
    }

    /// Parameter `i` of the event, rendered; `None` when the layout has no
    /// such parameter.
    pub fn render_param(&self, i: usize) -> Option<Rendered> {
        let raw = self.params.raw(i)?;
        let ty = self.params.ty(i).unwrap_or(FieldType::Bytebuf);
        if raw.is_empty() {
            let plain = match ty {
                FieldType::Bytebuf
                | FieldType::SockTuple
                | FieldType::FdList
                | FieldType::CharbufArray
                | FieldType::CharbufPairArray
                | FieldType::Dyn => "NULL",
                _ => "<NA>",
            };
            return Some(Rendered::plain(plain.into()));
        }
        let p = self.params.get(i)?;
        let fmt = num_fmt(self.code, i);
        let event = self.params.def().map_or("", |d| d.name);
        let pname = self.params.name(i);
        Some(match p {
            Param::Int8(_) | Param::Int16(_) | Param::Int32(_) | Param::Int64(_) => {
                Rendered::plain(num_text(i128::from(p.as_i64().unwrap_or(0)), fmt))
            }
            Param::Uint8(v) => Rendered::plain(num_text(i128::from(v), fmt)),
            Param::Uint16(v) => Rendered::plain(num_text(i128::from(v), fmt)),
            Param::Uint32(v) => Rendered::plain(num_text(i128::from(v), fmt)),
            // libsinsp prints 64-bit unsigned values through a signed format.
            Param::Uint64(v) => Rendered::plain(num_text(i128::from(v as i64), fmt)),
            Param::Fd(fd) => self.fd_text(fd),
            Param::Fd32(fd) => self.fd_text(i64::from(fd)),
            Param::Pid(pid) => Rendered {
                plain: pid.to_string(),
                resolved: self.tracker.thread(pid).map(|t| t.comm.clone()).unwrap_or_default(),
            },
            Param::Pid32(pid) => Rendered::plain(pid.to_string()),
            Param::Errno(v) => Rendered {
                plain: v.to_string(),
                resolved: if v < 0 {
                    names::errno_name(-v).unwrap_or_default().to_string()
                } else {
                    String::new()
                },
            },
            Param::Str(b) => {
                let is_path = matches!(ty, FieldType::Fspath | FieldType::Fsrelpath);
                let text = String::from_utf8_lossy(b);
                // libsinsp copies path parameters with `strcpy_sanitized`.
                let s = if is_path {
                    path::sanitize(&text).into_owned()
                } else {
                    text.into_owned()
                };
                if is_path && self.thread.is_some() && s != "<NA>" {
                    let resolved = if s.is_empty() || s.starts_with('/') {
                        String::new()
                    } else {
                        path::join(&self.base_dir(i, ty), &s)
                    };
                    Rendered { plain: s, resolved }
                } else {
                    Rendered::plain(s)
                }
            }
            Param::Bytes(b) => Rendered::plain(dotted(b)),
            Param::SockAddr(a) => Rendered::plain(sockaddr_text(&a)),
            Param::SockTuple(t) => Rendered::plain(tuple_text(&t)),
            Param::FdList(l) => {
                let mut s = String::new();
                for (fd, flags) in l.iter() {
                    if !s.is_empty() {
                        s.push(' ');
                    }
                    let ch = self
                        .thread
                        .and_then(|t| self.tracker.fd_of(t, fd))
                        .map_or('?', |f| f.type_char());
                    let _ = write!(s, "{}:{ch}{:x}", fd as u64, flags);
                }
                Rendered::plain(s)
            }
            Param::SyscallId(id) => Rendered {
                plain: id.to_string(),
                resolved: syscall_name(id).unwrap_or_default().to_string(),
            },
            Param::SigType(sig) => Rendered {
                plain: sig.to_string(),
                resolved: names::signal_name(sig).unwrap_or_default().to_string(),
            },
            Param::RelTime(v) => {
                if v == u64::MAX {
                    Rendered::plain("none".into())
                } else {
                    Rendered {
                        plain: v.to_string(),
                        resolved: format!("{}s", g_format(v as f64 / 1e9)),
                    }
                }
            }
            Param::AbsTime(v) => Rendered::plain(time::abstime(v)),
            Param::Flags8(_) | Param::Flags16(_) | Param::Flags32(_) => {
                let v = p.as_u64().unwrap_or(0) as u32;
                Rendered {
                    plain: v.to_string(),
                    resolved: names::table_for(event, pname).map_or_else(String::new, |t| flags_text(t, v)),
                }
            }
            Param::EnumFlags8(_) | Param::EnumFlags16(_) | Param::EnumFlags32(_) => {
                let v = p.as_u64().unwrap_or(0) as u32;
                Rendered {
                    plain: v.to_string(),
                    resolved: names::table_for(event, pname).map_or_else(String::new, |t| enum_text(t, v)),
                }
            }
            Param::Mode(v) => Rendered {
                plain: num_text(i128::from(v), fmt),
                resolved: names::table_for(event, pname).map_or_else(String::new, |t| mode_text(t, v)),
            },
            Param::Uid(v) | Param::Gid(v) => {
                if v == u32::MAX {
                    Rendered {
                        plain: "-1".into(),
                        resolved: "<NONE>".into(),
                    }
                } else {
                    let name = if matches!(p, Param::Uid(_)) {
                        self.tracker.user(v).map(|u| u.name.clone())
                    } else {
                        self.tracker.group(v).map(str::to_string)
                    };
                    Rendered {
                        plain: (v as i32).to_string(),
                        resolved: name.filter(|n| !n.is_empty()).unwrap_or_else(|| "<NA>".into()),
                    }
                }
            }
            Param::SigSet(v) => {
                let mut s = String::new();
                for sig in 0..32u8 {
                    if v & (1 << sig) != 0
                        && let Some(n) = names::signal_name(sig + 1)
                    {
                        if !s.is_empty() {
                            s.push(' ');
                        }
                        s.push_str(n);
                    }
                }
                Rendered::plain(s)
            }
            Param::Dyn { value, .. } => Rendered::plain(match value.len() {
                1 => value[0].to_string(),
                4 => u32::from_le_bytes(value.try_into().unwrap_or_default()).to_string(),
                8 => (u64::from_le_bytes(value.try_into().unwrap_or_default()) as i64).to_string(),
                _ => dotted(value),
            }),
            Param::Ipv4Addr(a) => Rendered::plain(a.to_string()),
            Param::Ipv6Addr(a) => Rendered::plain(a.to_string()),
            Param::Port(v) => Rendered::plain(v.to_string()),
            Param::L4Proto(v) | Param::SockFamily(v) => Rendered::plain(v.to_string()),
            Param::Bool(v) => Rendered::plain(u8::from(v).to_string()),
            Param::Double(v) => Rendered::plain(v.to_string()),
            Param::CharbufArray(l) | Param::CharbufPairArray(l) => Rendered::plain(l.to_strings().join(".")),
            Param::Empty => Rendered::plain("<NA>".into()),
            Param::Malformed(b) => Rendered::plain(dotted(b)),
        })
    }

    /// `evt.args`: every parameter as `name=value` or `name=value(resolved)`.
    pub fn render_args(&self) -> String {
        if self.ev.is_generic() {
            return String::new();
        }
        let mut out = String::new();
        for i in 0..self.params.len() {
            let Some(r) = self.render_param(i) else { continue };
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(self.params.name(i));
            out.push('=');
            out.push_str(&r.plain);
            if !r.resolved.is_empty() {
                out.push('(');
                out.push_str(&r.resolved);
                out.push(')');
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_formats() {
        assert_eq!(num_text(0, NumFmt::Oct), "0");
        assert_eq!(num_text(0o755, NumFmt::Oct), "0755");
        assert_eq!(num_text(255, NumFmt::Hex), "FF");
        assert_eq!(g_format(0.5), "0.5");
        assert_eq!(g_format(1.25), "1.25");
        assert_eq!(g_format(123456789.0), "1.23457e+08");
        assert_eq!(dotted(b"ab\x01c"), "ab.c");
    }
}
