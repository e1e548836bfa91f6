//! Diagnostics are plain data: a code from one registry ([`codes`]), a severity, the
//! narrowest primary span, secondary labels and help. Renderers live in [`render`].

pub mod codes;
pub mod render;

pub use codes::Code;

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

    /// The replacement for the primary span proposed by a [`did_you_mean`] help, which
    /// editors offer as a quick fix.
    pub fn suggestion(&self) -> Option<&str> {
        self.help.as_deref()?.strip_prefix("did you mean '")?.strip_suffix("'?")
    }
}

/// The help text proposing `replacement` for a diagnostic's primary span; every "did you
/// mean" goes through here so [`Diagnostic::suggestion`] can read it back.
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
        assert_eq!(
            d.clone().help(did_you_mean("proc.name")).suggestion(),
            Some("proc.name")
        );
        assert_eq!(d.help("use `in`").suggestion(), None);
    }
}
