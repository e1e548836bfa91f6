//! falcorc's language server: diagnostics, hover, completion, navigation, rename, symbols,
//! semantic tokens and quick fixes for Falco rules files, over LSP on stdio.
//!
//! Layout (the rust-analyzer model):
//! - [`transport`]: the byte stream (stdio) <-> messages. Bounded frames, malformed input
//!   answered (-32700, -32600) or logged and skipped; the server never ends on bad input.
//! - `handshake`: `initialize`, and what comes before it.
//! - `main_loop` owns the mutable [`state`] and applies edits on the main thread; `analyzer`
//!   analyses on its own thread, one analysis per burst of edits, stale results dropped;
//!   requests run in a small `pool` on immutable [`snapshot`]s, those about a changed
//!   document `waiting` for its analysis.
//! - [`ide`] computes each feature as plain data; `proto/` is the only place that sees
//!   `lsp-types`.
//! - [`workspace`] finds the rules files; every file is read through the compiler's bounded
//!   reader (`falcorc_compiler::fs`), so a FIFO or `/dev/zero` in a workspace is skipped.

mod analyzer;
pub mod client;
mod handshake;
pub mod ide;
pub mod line_index;
mod main_loop;
mod pool;
pub mod proto;
pub mod snapshot;
pub mod state;
mod text_edit;
pub mod transport;
pub mod uri;
mod waiting;
pub mod workspace;

use lsp_server::Connection;
use std::io::{BufReader, BufWriter};

/// Serve LSP on stdin/stdout until the client says `exit`.
pub fn run_stdio() -> Result<(), String> {
    serve_io(BufReader::new(std::io::stdin()), BufWriter::new(std::io::stdout()))
}

/// Serve LSP over any byte stream (stdio, a pipe, a socket) with the default limits.
pub fn serve_io(
    input: impl std::io::BufRead + Send + 'static,
    output: impl std::io::Write + Send + 'static,
) -> Result<(), String> {
    transport::serve_io(input, output, transport::Limits::default())
}

/// Serve on a connection of messages (the byte transport's, or in memory for tests).
pub fn serve(conn: &Connection) -> Result<(), String> {
    match handshake::initialize(conn)? {
        handshake::Outcome::Initialized(init) => main_loop::run(conn, init),
        handshake::Outcome::Gone => Ok(()),
        handshake::Outcome::Exit => Err("exit before initialize".into()),
    }
}
