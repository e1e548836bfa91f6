//! The thread that owns the output stream: it writes the server's messages and the error
//! replies of the reader, one frame each, and stops when the server is done or the stream
//! fails (the server then sees its sends fail and ends).

use crossbeam_channel::{Receiver, never, select};
use lsp_server::Message;
use serde_json::Value;
use std::io::{self, Write};

pub fn run(mut out: impl Write, messages: Receiver<Message>, mut replies: Receiver<Value>) {
    loop {
        let written = select! {
            recv(messages) -> m => match m {
                Ok(m) => m.write(&mut out),
                Err(_) => return, // The server is done and everything it sent is written.
            },
            recv(replies) -> r => match r {
                Ok(r) => write_value(&mut out, &r),
                Err(_) => {
                    replies = never(); // The reader ended; the server may still speak.
                    Ok(())
                }
            },
        };
        if let Err(e) = written {
            eprintln!("falcorc lsp: cannot write to the client: {e}");
            return;
        }
    }
}

/// One frame, as `lsp_server::Message::write` frames its messages.
fn write_value(out: &mut impl Write, v: &Value) -> io::Result<()> {
    let text = serde_json::to_string(v)?;
    write!(out, "Content-Length: {}\r\n\r\n", text.len())?;
    out.write_all(text.as_bytes())?;
    out.flush()
}
