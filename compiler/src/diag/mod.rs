//! Diagnostics are plain data: a code from one registry ([`codes`]), a severity, the
//! narrowest primary span, secondary labels and help. Renderers live in [`render`].

pub mod codes;
pub mod fix;
pub mod render;

pub use codes::Code;
pub use fix::{Applicability, Edit, Fix};

use crate::span::FileSpan;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A secondary location with its own short message.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Label {
    pub span: FileSpan,
    pub message: String,
}

/// Which item a diagnostic belongs to, as Falco reports it (`rule 'x'`, `macro 'y'`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ItemRef {
    pub kind: &'static str,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub primary: FileSpan,
    /// Message under the primary caret; empty means "use the main message".
    pub primary_label: String,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    pub item: Option<ItemRef>,
    /// A change that resolves the problem, applied by `lint --fix` (safe fixes only) and
    /// offered by editors as a quick fix.
    pub fix: Option<Fix>,
}

impl Diagnostic {
    pub fn new(code: Code, primary: FileSpan, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.default_severity(),
            message: message.into(),
            primary,
            primary_label: String::new(),
            labels: Vec::new(),
            help: None,
            item: None,
            fix: None,
        }
    }

    pub fn label(mut self, span: FileSpan, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn primary_label(mut self, message: impl Into<String>) -> Self {
        self.primary_label = message.into();
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn in_item(mut self, kind: &'static str, name: &str) -> Self {
        self.item = Some(ItemRef {
            kind,
            name: name.to_string(),
        });
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// "did you mean 'x'?": the help text plus a fix replacing the primary span with `x`.
    /// A guess from spelling, so never applied without a person looking at it.
    pub fn did_you_mean(mut self, replacement: &str) -> Self {
        self.help = Some(did_you_mean(replacement));
        self.fix = Some(Fix::replace(
            format!("replace with '{replacement}'"),
            self.primary,
            replacement,
            Applicability::Unsafe,
        ));
        self
    }

    /// [`Diagnostic::did_you_mean`] when there is a suggestion.
    pub fn maybe_did_you_mean(self, replacement: Option<&str>) -> Self {
        match replacement {
            Some(r) => self.did_you_mean(r),
            None => self,
        }
    }

    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    /// The replacement of the primary span this diagnostic's fix proposes, if its fix is
    /// exactly that (a "did you mean").
    pub fn suggestion(&self) -> Option<&str> {
        match self.fix.as_ref()?.edits.as_slice() {
            [e] if e.span == self.primary => Some(&e.replacement),
            _ => None,
        }
    }
}

/// The help text proposing `replacement`; use [`Diagnostic::did_you_mean`] where the
/// diagnostic's primary span is what would be replaced, so the fix is carried as data.
pub fn did_you_mean(replacement: &str) -> String {
    format!("did you mean '{replacement}'?")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestion_reads_back_did_you_mean() {
        let d = Diagnostic::new(Code::LoadUnknownKey, FileSpan::default(), "m");
        assert_eq!(d.suggestion(), None);
        let s = d.clone().did_you_mean("proc.name");
        assert_eq!(s.suggestion(), Some("proc.name"));
        assert_eq!(s.help.as_deref(), Some("did you mean 'proc.name'?"));
        assert_eq!(s.fix.unwrap().applicability, Applicability::Unsafe);
        assert_eq!(d.help("use `in`").suggestion(), None);
    }
}
