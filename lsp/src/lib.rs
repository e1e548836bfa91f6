//! falcorc's language server: diagnostics, hover, completion, navigation, rename, symbols,
//! semantic tokens and quick fixes for Falco rules files, over LSP on stdio.
//!
//! Layout (the rust-analyzer model): `main_loop` owns the mutable [`state`] and applies edits
//! on the main thread; requests run in a small [`pool`] on immutable [`snapshot`]s; [`ide`]
//! computes each feature as plain data; `proto/` is the only place that sees `lsp-types`.

pub mod client;
pub mod ide;
pub mod line_index;
mod main_loop;
mod pool;
pub mod proto;
pub mod snapshot;
pub mod state;
pub mod uri;
pub mod workspace;

use lsp_server::Connection;

/// Serve LSP on stdin/stdout until the client says `exit`.
pub fn run_stdio() -> Result<(), String> {
    let (conn, io) = Connection::stdio();
    serve(&conn)?;
    drop(conn);
    io.join().map_err(|e| format!("stdio: {e}"))
}

/// Serve on any connection (stdio, or in memory for tests).
pub fn serve(conn: &Connection) -> Result<(), String> {
    let (id, params) = conn.initialize_start().map_err(|e| e.to_string())?;
    let init = proto::from_proto::initialize(params)?;
    let result = serde_json::json!({
        "capabilities": proto::to_proto::capabilities(),
        "serverInfo": { "name": "falcorc", "version": env!("CARGO_PKG_VERSION") },
    });
    conn.initialize_finish(id, result).map_err(|e| e.to_string())?;
    main_loop::run(conn, init)
}
