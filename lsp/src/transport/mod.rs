//! The byte-stream transport (stdio, or any reader and writer): our own instead of
//! `lsp_server::Connection::stdio`, which allocates whatever `Content-Length` says and ends
//! the server on the first malformed frame. A reader thread turns frames into messages
//! (`frame` bounds the input, `decode` classifies it, `reader` answers what is malformed),
//! a writer thread owns the output, and the server in between works on a plain
//! [`Connection`], as it does in memory.

mod decode;
mod frame;
mod reader;
mod writer;

pub use frame::{Limits, MAX_BODY_BYTES, MAX_HEADER_LINE_BYTES, MAX_HEADER_LINES};

use crossbeam_channel::{bounded, unbounded};
use lsp_server::Connection;
use std::io::{BufRead, Write};

/// Messages read ahead of the main loop. Few: reading stops when the server falls behind,
/// so a fast client cannot queue unbounded memory (each may be `MAX_BODY_BYTES`).
const READ_AHEAD: usize = 16;

/// Serve LSP over `input`/`output` until `exit` or the end of the input.
pub fn serve_io(
    input: impl BufRead + Send + 'static,
    output: impl Write + Send + 'static,
    limits: Limits,
) -> Result<(), String> {
    let (to_server, from_client) = bounded(READ_AHEAD);
    let (to_client, from_server) = unbounded();
    let (replies, reader_replies) = unbounded();
    let reader = std::thread::Builder::new()
        .name("falcorc-lsp-reader".into())
        .spawn(move || reader::run(input, limits, to_server, replies))
        .map_err(|e| format!("cannot start the reader thread: {e}"))?;
    let writer = std::thread::Builder::new()
        .name("falcorc-lsp-writer".into())
        .spawn(move || writer::run(output, from_server, reader_replies))
        .map_err(|e| format!("cannot start the writer thread: {e}"))?;
    let conn = Connection {
        sender: to_client,
        receiver: from_client,
    };
    let served = crate::serve(&conn);
    drop(conn);
    // Everything the server sent is written before returning.
    if writer.join().is_err() {
        return Err("the writer thread panicked".into());
    }
    // The reader stops after `exit` or at the end of the input; one still blocked on a
    // silent client cannot be interrupted and ends with the process.
    if reader.is_finished() && reader.join().is_err() {
        return Err("the reader thread panicked".into());
    }
    served
}
