//! The string fields rules test most (`proc.name`, `fd.name`, `evt.type`...),
//! borrowed from the event and the state instead of copied into a new `String`.
//! The engine's per-event cache copies them into buffers it keeps, so evaluating
//! them allocates nothing. Each arm must give exactly what the general extractors
//! give; `tests/borrowed_fields.rs` compares the two on real and synthetic captures.

use falcorc_compiler::ir::FieldSpec;

use super::FieldCtx;
use super::kinds::F;
use crate::state::fd::FdType;
use crate::state::path;

impl<'a> FieldCtx<'a> {
    /// `Some(value)` for the fields with a borrowing fast path (`Some(None)`: the
    /// event has no value); `None` for every other field.
    pub fn borrowed_str(&self, f: F, spec: &FieldSpec) -> Option<Option<&'a str>> {
        if spec.suffix.is_some() || spec.arg.is_some() {
            return None;
        }
        self.lend_str(f)
    }

    /// [`FieldCtx::borrowed_str`] for a field known to have neither argument nor
    /// suffix (the engine resolves that once per program).
    #[inline(always)]
    pub(crate) fn lend_str(&self, f: F) -> Option<Option<&'a str>> {
        let thread = self.thread();
        match f {
            F::ProcName => Some(thread.map(|t| t.comm.as_str())),
            F::ProcExe => Some(thread.map(|t| t.exe.as_str())),
            F::ProcExepath => Some(thread.map(|t| t.exepath.as_str())),
            F::ProcPname => Some(
                thread
                    .and_then(|t| self.tracker().parent_of(t))
                    .map(|p| p.comm.as_str()),
            ),
            F::ContainerId => Some(thread.map(|t| t.container_id.as_str())),
            F::EvtType if self.event_name() != "asyncevent" => Some(Some(self.event().type_name())),
            F::FdName | F::FdTypechar | F::FdDirectory | F::FdFilename | F::FdNameraw => self.lend_fd_str(f),
            _ => None,
        }
    }

    /// The `fd.*` string fields (`None`: no entry in the table, or a value that
    /// is not stored as printed; the general path decides).
    #[inline(always)]
    pub(crate) fn lend_fd_str(&self, f: F) -> Option<Option<&'a str>> {
        if !self.is_fd_event() {
            return Some(None);
        }
        // Without a table entry the general path names the fd from the event.
        let fd = self.fd()?;
        Some(match f {
            F::FdName => Some(fd.name.as_str()),
            F::FdTypechar => Some(fd.type_char_str()),
            F::FdDirectory => match fd.kind {
                FdType::Directory => Some(fd.name.as_str()),
                _ if fd.is_file() => Some(path::directory(&fd.name)),
                _ => None,
            },
            F::FdFilename => fd.is_file().then(|| path::filename(&fd.name)),
            // Printed with repeated slashes squashed: lent only when there are none.
            F::FdNameraw => Some(fd.name_raw_squashed()?),
            _ => return None,
        })
    }

    /// `proc.aname[n]`: the name of the process's `n`th ancestor (0: the process
    /// itself), as `ancestor_field` gives it.
    pub(crate) fn lend_ancestor_name(&self, n: usize) -> Option<&'a str> {
        self.ancestor(n).map(|t| t.comm.as_str())
    }
}
