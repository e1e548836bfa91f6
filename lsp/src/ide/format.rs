//! Document formatting: the layout of `falcorc fmt`, as one edit over the whole document.

use super::Edit;
use crate::snapshot::Snapshot;
use falcorc_compiler::span::{FileId, FileSpan, Span};

/// The edit that gives `file` the canonical layout: none when it already has it, or when it
/// cannot be formatted (a YAML error, which its diagnostics already show).
pub fn document(snap: &Snapshot, file: FileId) -> Option<Edit> {
    let text = snap.text(file);
    let formatted = falcorc_compiler::fmt::format(text).ok()?;
    (formatted != text).then(|| Edit {
        span: FileSpan {
            file,
            span: Span::new(0, text.len() as u32),
        },
        new_text: formatted,
    })
}

#[cfg(test)]
mod tests {
    use super::document;
    use crate::snapshot::Snapshot;
    use falcorc_compiler::span::FileId;

    fn format(text: &str) -> Option<String> {
        let snap = Snapshot::new(vec![("file:///t/rules.yaml".into(), text.into())]);
        document(&snap, FileId(0)).map(|e| {
            assert_eq!((e.span.span.start as usize, e.span.span.end as usize), (0, text.len()));
            e.new_text
        })
    }

    #[test]
    fn a_messy_document_gets_the_canonical_text() {
        let messy = "- list: shells\n  items:\n  - bash\n  - 'sh'\n-   macro: m   # why\n    condition: evt.type = execve and\n          proc.name in (shells)\n";
        let canonical = "- list: shells\n  items: [bash, sh]\n\n- macro: m # why\n  condition: >-\n    evt.type = execve and\n    proc.name in (shells)\n";
        assert_eq!(format(messy).as_deref(), Some(canonical));
        assert_eq!(format(canonical), None, "nothing to do");
        assert_eq!(format("- list: [\n"), None, "a YAML error is left alone");
    }
}
