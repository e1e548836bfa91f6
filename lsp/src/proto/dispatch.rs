//! Request routing: parameters in through `from_proto`, an `ide` function on the snapshot,
//! the result out through `to_proto`. A panic in a handler becomes an error response; the
//! server keeps running.

use super::{from_proto, to_proto};
use crate::ide::{actions, completion, format, hover, navigation, semantic, symbols};
use crate::snapshot::Snapshot;
use lsp_server::{ErrorCode, Request, Response};
use lsp_types::request::{self as rq, Request as _};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::panic::AssertUnwindSafe;

/// A custom request that panics inside its handler, to check that the server survives it.
pub const DEBUG_PANIC: &str = "falcorc/debugPanic";
/// A custom request the main loop answers itself with its counters (analyses started and
/// dropped as stale), for tests of edit coalescing.
pub const DEBUG_STATS: &str = "falcorc/debugStats";

struct Failure {
    code: ErrorCode,
    message: String,
}

type Outcome = Result<serde_json::Value, Failure>;

pub fn request(snap: &Snapshot, req: Request) -> Response {
    let id = req.id.clone();
    let method = req.method.clone();
    match std::panic::catch_unwind(AssertUnwindSafe(|| route(snap, req))) {
        // Built directly: `Response::new_ok` would serialize the value a second time.
        Ok(Ok(v)) => Response {
            id,
            response_result: Ok(v),
        },
        Ok(Err(f)) => Response::new_err(id, f.code as i32, f.message),
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Response::new_err(
                id,
                ErrorCode::InternalError as i32,
                format!("falcorc lsp: the {method} handler panicked: {what}"),
            )
        }
    }
}

fn params<P: DeserializeOwned>(req: &Request) -> Result<P, Failure> {
    serde_json::from_value(req.params.clone()).map_err(|e| Failure {
        code: ErrorCode::InvalidParams,
        message: format!("bad {} params: {}", req.method, super::brief::serde(&e)),
    })
}

fn ok<T: Serialize>(v: T) -> Outcome {
    serde_json::to_value(v).map_err(|e| Failure {
        code: ErrorCode::InternalError,
        message: e.to_string(),
    })
}

fn route(snap: &Snapshot, req: Request) -> Outcome {
    match req.method.as_str() {
        rq::HoverRequest::METHOD => {
            let p: lsp_types::HoverParams = params(&req)?;
            let pos = from_proto::position(snap, &p.text_document_position_params);
            ok(pos
                .and_then(|pos| hover::hover(snap, pos))
                .map(|h| to_proto::hover(snap, h)))
        }
        rq::Completion::METHOD => {
            let p: lsp_types::CompletionParams = params(&req)?;
            let Some(pos) = from_proto::position(snap, &p.text_document_position) else {
                return ok(None::<()>);
            };
            ok(to_proto::completion(snap, completion::complete(snap, pos)))
        }
        rq::ResolveCompletionItem::METHOD => {
            let item: lsp_types::CompletionItem = params(&req)?;
            let doc = to_proto::comp_kind(item.kind).and_then(|k| completion::documentation(snap, k, &item.label));
            ok(to_proto::resolved(item, doc))
        }
        rq::GotoDefinition::METHOD => {
            let p: lsp_types::GotoDefinitionParams = params(&req)?;
            let Some(pos) = from_proto::position(snap, &p.text_document_position_params) else {
                return ok(None::<()>);
            };
            ok(to_proto::locations(snap, navigation::definition(snap, pos)))
        }
        rq::References::METHOD => {
            let p: lsp_types::ReferenceParams = params(&req)?;
            let Some(pos) = from_proto::position(snap, &p.text_document_position) else {
                return ok(None::<()>);
            };
            let spans = navigation::references(snap, pos, p.context.include_declaration);
            ok(to_proto::locations(snap, spans))
        }
        rq::PrepareRenameRequest::METHOD => {
            let p: lsp_types::TextDocumentPositionParams = params(&req)?;
            let found = from_proto::position(snap, &p).and_then(|pos| navigation::prepare_rename(snap, pos));
            ok(found.map(
                |(span, placeholder)| lsp_types::PrepareRenameResponse::RangeWithPlaceholder {
                    range: to_proto::range(snap, span),
                    placeholder,
                },
            ))
        }
        rq::Rename::METHOD => {
            let p: lsp_types::RenameParams = params(&req)?;
            let Some(pos) = from_proto::position(snap, &p.text_document_position) else {
                return ok(None::<()>);
            };
            match navigation::rename(snap, pos, &p.new_name) {
                Ok(edits) => ok(to_proto::workspace_edit(snap, edits)),
                Err(message) => Err(Failure {
                    code: ErrorCode::InvalidRequest,
                    message,
                }),
            }
        }
        rq::DocumentSymbolRequest::METHOD => {
            let p: lsp_types::DocumentSymbolParams = params(&req)?;
            let Some(file) = from_proto::file(snap, &p.text_document.uri) else {
                return ok(None::<()>);
            };
            ok(to_proto::document_symbols(snap, symbols::document(snap, file)))
        }
        rq::WorkspaceSymbolRequest::METHOD => {
            let p: lsp_types::WorkspaceSymbolParams = params(&req)?;
            ok(to_proto::workspace_symbols(snap, symbols::workspace(snap, &p.query)))
        }
        rq::SemanticTokensFullRequest::METHOD => {
            let p: lsp_types::SemanticTokensParams = params(&req)?;
            let Some(file) = from_proto::file(snap, &p.text_document.uri) else {
                return ok(None::<()>);
            };
            ok(to_proto::semantic_tokens(snap, file, semantic::tokens(snap, file)))
        }
        rq::CodeActionRequest::METHOD => {
            let p: lsp_types::CodeActionParams = params(&req)?;
            let Some(file) = from_proto::file(snap, &p.text_document.uri) else {
                return ok(None::<()>);
            };
            let range = from_proto::range(snap, file, p.range);
            ok(to_proto::code_actions(snap, actions::quick_fixes(snap, file, range)))
        }
        rq::Formatting::METHOD => {
            let p: lsp_types::DocumentFormattingParams = params(&req)?;
            let Some(file) = from_proto::file(snap, &p.text_document.uri) else {
                return ok(None::<()>);
            };
            ok(format::document(snap, file).map(|e| to_proto::text_edits(snap, vec![e])))
        }
        DEBUG_PANIC => panic!("requested by {DEBUG_PANIC}"),
        _ => Err(Failure {
            code: ErrorCode::MethodNotFound,
            message: format!("unknown request {}", super::brief::method(&req.method)),
        }),
    }
}
