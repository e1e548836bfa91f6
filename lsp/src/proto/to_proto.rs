//! The server's plain results -> protocol types.

use crate::ide::Edit;
use crate::ide::actions::Action;
use crate::ide::completion::{CompKind, Completion};
use crate::ide::diagnostics::{self, Diag};
use crate::ide::hover::Hover;
use crate::ide::semantic::SemKind;
use crate::ide::symbols::Symbol;
use crate::snapshot::Snapshot;
use falcorc_compiler::diag::{Code, Severity};
use falcorc_compiler::index::ItemKind;
use falcorc_compiler::span::{FileId, FileSpan, Span};
use lsp_server::Notification;
use lsp_types as lt;
use std::collections::HashMap;
use std::str::FromStr;

pub fn capabilities() -> lt::ServerCapabilities {
    lt::ServerCapabilities {
        text_document_sync: Some(lt::TextDocumentSyncCapability::Options(lt::TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(lt::TextDocumentSyncKind::INCREMENTAL),
            save: Some(lt::TextDocumentSyncSaveOptions::Supported(true)),
            ..Default::default()
        })),
        hover_provider: Some(lt::HoverProviderCapability::Simple(true)),
        completion_provider: Some(lt::CompletionOptions {
            trigger_characters: Some(vec![".".into(), " ".into(), "(".into(), "%".into()]),
            resolve_provider: Some(true),
            ..Default::default()
        }),
        definition_provider: Some(lt::OneOf::Left(true)),
        references_provider: Some(lt::OneOf::Left(true)),
        rename_provider: Some(lt::OneOf::Right(lt::RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        document_symbol_provider: Some(lt::OneOf::Left(true)),
        document_formatting_provider: Some(lt::OneOf::Left(true)),
        workspace_symbol_provider: Some(lt::OneOf::Left(true)),
        code_action_provider: Some(lt::CodeActionProviderCapability::Options(lt::CodeActionOptions {
            code_action_kinds: Some(vec![lt::CodeActionKind::QUICKFIX]),
            ..Default::default()
        })),
        semantic_tokens_provider: Some(lt::SemanticTokensServerCapabilities::SemanticTokensOptions(
            lt::SemanticTokensOptions {
                legend: lt::SemanticTokensLegend {
                    token_types: SemKind::ALL
                        .iter()
                        .map(|k| lt::SemanticTokenType::new(k.name()))
                        .collect(),
                    token_modifiers: Vec::new(),
                },
                full: Some(lt::SemanticTokensFullOptions::Bool(true)),
                range: None,
                work_done_progress_options: Default::default(),
            },
        )),
        ..Default::default()
    }
}

pub fn uri(key: &str) -> Option<lt::Uri> {
    lt::Uri::from_str(key).ok()
}

pub fn position(snap: &Snapshot, file: FileId, offset: u32) -> lt::Position {
    let lc = snap
        .line_index(file)
        .map(|l| l.line_col(snap.text(file), offset))
        .unwrap_or(crate::line_index::LineCol { line: 0, col: 0 });
    lt::Position {
        line: lc.line,
        character: lc.col,
    }
}

pub fn range(snap: &Snapshot, s: FileSpan) -> lt::Range {
    lt::Range {
        start: position(snap, s.file, s.span.start),
        end: position(snap, s.file, s.span.end),
    }
}

pub fn location(snap: &Snapshot, s: FileSpan) -> Option<lt::Location> {
    Some(lt::Location {
        uri: uri(snap.keys.get(s.file.0 as usize)?)?,
        range: range(snap, s),
    })
}

pub fn locations(snap: &Snapshot, spans: Vec<FileSpan>) -> Vec<lt::Location> {
    spans.into_iter().filter_map(|s| location(snap, s)).collect()
}

pub fn diagnostic(snap: &Snapshot, d: Diag) -> lt::Diagnostic {
    let explain = Code::from_name(d.code).map(diagnostics::explain);
    lt::Diagnostic {
        range: range(snap, d.span),
        severity: Some(match d.severity {
            Severity::Error => lt::DiagnosticSeverity::ERROR,
            Severity::Warning => lt::DiagnosticSeverity::WARNING,
        }),
        code: Some(lt::NumberOrString::String(d.code.to_string())),
        source: Some("falcorc".into()),
        message: d.message,
        related_information: Some(
            d.related
                .into_iter()
                .filter_map(|(s, message)| {
                    Some(lt::DiagnosticRelatedInformation {
                        location: location(snap, s)?,
                        message,
                    })
                })
                .collect(),
        ),
        data: explain.map(|e| serde_json::json!({ "explain": e })),
        ..Default::default()
    }
}

/// `textDocument/publishDiagnostics` for one document (empty when it is no longer loaded).
pub fn publish_diagnostics(snap: &Snapshot, key: &str) -> Option<Notification> {
    let diagnostics = match snap.file_id(key) {
        Some(f) => diagnostics::of_file(snap, f)
            .into_iter()
            .map(|d| diagnostic(snap, d))
            .collect(),
        None => Vec::new(),
    };
    let params = lt::PublishDiagnosticsParams {
        uri: uri(key)?,
        diagnostics,
        version: None,
    };
    Some(Notification::new(
        <lt::notification::PublishDiagnostics as lt::notification::Notification>::METHOD.into(),
        params,
    ))
}

pub fn show_message(text: String) -> Notification {
    Notification::new(
        <lt::notification::ShowMessage as lt::notification::Notification>::METHOD.into(),
        lt::ShowMessageParams {
            typ: lt::MessageType::WARNING,
            message: text,
        },
    )
}

pub fn hover(snap: &Snapshot, h: Hover) -> lt::Hover {
    lt::Hover {
        contents: lt::HoverContents::Markup(lt::MarkupContent {
            kind: lt::MarkupKind::Markdown,
            value: h.markdown,
        }),
        range: Some(range(snap, h.span)),
    }
}

fn completion_kind(k: CompKind) -> lt::CompletionItemKind {
    match k {
        CompKind::Field => lt::CompletionItemKind::FIELD,
        CompKind::Macro => lt::CompletionItemKind::FUNCTION,
        CompKind::List => lt::CompletionItemKind::VARIABLE,
        CompKind::Operator => lt::CompletionItemKind::OPERATOR,
        CompKind::Keyword => lt::CompletionItemKind::KEYWORD,
        CompKind::Event => lt::CompletionItemKind::EVENT,
        CompKind::Key => lt::CompletionItemKind::PROPERTY,
        CompKind::Value => lt::CompletionItemKind::VALUE,
    }
}

/// The inverse of [`completion_kind`], for `completionItem/resolve`.
pub fn comp_kind(k: Option<lt::CompletionItemKind>) -> Option<CompKind> {
    CompKind::ALL.into_iter().find(|c| Some(completion_kind(*c)) == k)
}

pub fn completion(snap: &Snapshot, items: Vec<Completion>) -> lt::CompletionResponse {
    let items = items
        .into_iter()
        .map(|c| lt::CompletionItem {
            kind: Some(completion_kind(c.kind)),
            detail: c.detail,
            text_edit: Some(lt::CompletionTextEdit::Edit(lt::TextEdit {
                range: range(snap, c.replace),
                new_text: c.insert,
            })),
            label: c.label,
            ..Default::default()
        })
        .collect();
    lt::CompletionResponse::List(lt::CompletionList {
        is_incomplete: false,
        items,
    })
}

/// `completionItem/resolve`: the item with its documentation.
pub fn resolved(mut item: lt::CompletionItem, doc: Option<String>) -> lt::CompletionItem {
    item.documentation = doc.map(|d| {
        lt::Documentation::MarkupContent(lt::MarkupContent {
            kind: lt::MarkupKind::Markdown,
            value: d,
        })
    });
    item
}

fn symbol_kind(k: ItemKind) -> lt::SymbolKind {
    match k {
        ItemKind::List => lt::SymbolKind::ARRAY,
        ItemKind::Macro => lt::SymbolKind::FUNCTION,
        ItemKind::Rule => lt::SymbolKind::EVENT,
    }
}

#[allow(deprecated)] // `deprecated` is a required field of the struct.
pub fn document_symbols(snap: &Snapshot, symbols: Vec<Symbol>) -> lt::DocumentSymbolResponse {
    lt::DocumentSymbolResponse::Nested(
        symbols
            .into_iter()
            .map(|s| lt::DocumentSymbol {
                name: s.name,
                detail: (!s.detail.is_empty()).then_some(s.detail),
                kind: symbol_kind(s.kind),
                tags: None,
                deprecated: None,
                range: range(snap, s.span),
                selection_range: range(snap, s.name_span),
                children: None,
            })
            .collect(),
    )
}

#[allow(deprecated)] // `deprecated` is a required field of the struct.
pub fn workspace_symbols(snap: &Snapshot, symbols: Vec<Symbol>) -> lt::WorkspaceSymbolResponse {
    lt::WorkspaceSymbolResponse::Flat(
        symbols
            .into_iter()
            .filter_map(|s| {
                Some(lt::SymbolInformation {
                    name: s.name,
                    kind: symbol_kind(s.kind),
                    tags: None,
                    deprecated: None,
                    location: location(snap, s.name_span)?,
                    container_name: Some(s.kind.key().to_string()),
                })
            })
            .collect(),
    )
}

/// LSP tokens are relative to the previous one and may not span lines.
pub fn semantic_tokens(snap: &Snapshot, file: FileId, tokens: Vec<(Span, SemKind)>) -> lt::SemanticTokens {
    let mut data = Vec::with_capacity(tokens.len());
    let (mut line, mut col) = (0u32, 0u32);
    for (span, kind) in tokens {
        let a = position(snap, file, span.start);
        let b = position(snap, file, span.end);
        if a.line != b.line || b.character <= a.character {
            continue;
        }
        let delta_start = if a.line == line { a.character - col } else { a.character };
        data.push(lt::SemanticToken {
            delta_line: a.line - line,
            delta_start,
            length: b.character - a.character,
            token_type: SemKind::ALL.iter().position(|k| *k == kind).unwrap_or(0) as u32,
            token_modifiers_bitset: 0,
        });
        line = a.line;
        col = a.character;
    }
    lt::SemanticTokens { result_id: None, data }
}

// lsp-types keys edits by `Uri`, which clippy flags for its lazily filled cache; the keys
// are never mutated.
#[allow(clippy::mutable_key_type)]
pub fn workspace_edit(snap: &Snapshot, edits: Vec<Edit>) -> lt::WorkspaceEdit {
    let mut changes: HashMap<lt::Uri, Vec<lt::TextEdit>> = HashMap::new();
    for e in edits {
        let Some(u) = snap.keys.get(e.span.file.0 as usize).and_then(|k| uri(k)) else {
            continue;
        };
        changes.entry(u).or_default().push(lt::TextEdit {
            range: range(snap, e.span),
            new_text: e.new_text,
        });
    }
    lt::WorkspaceEdit {
        changes: Some(changes),
        ..Default::default()
    }
}

/// Edits of one document.
pub fn text_edits(snap: &Snapshot, edits: Vec<Edit>) -> Vec<lt::TextEdit> {
    edits
        .into_iter()
        .map(|e| lt::TextEdit {
            range: range(snap, e.span),
            new_text: e.new_text,
        })
        .collect()
}

pub fn code_actions(snap: &Snapshot, actions: Vec<Action>) -> Vec<lt::CodeActionOrCommand> {
    actions
        .into_iter()
        .map(|a| {
            let diag = lt::Diagnostic {
                range: range(snap, a.diagnostic.0),
                message: a.diagnostic.1,
                source: Some("falcorc".into()),
                ..Default::default()
            };
            lt::CodeActionOrCommand::CodeAction(lt::CodeAction {
                title: a.title,
                kind: Some(lt::CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diag]),
                edit: Some(workspace_edit(snap, vec![a.edit])),
                is_preferred: Some(true),
                ..Default::default()
            })
        })
        .collect()
}
