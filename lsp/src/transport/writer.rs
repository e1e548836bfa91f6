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
                Err(_) => {
                    // The server is done and everything it sent is written. The reader's
                    // replies queued before that (an oversized frame just before the end of
                    // the input) are written too: `select!` may have picked this arm first.
                    while let Ok(r) = replies.try_recv() {
                        if write_value(&mut out, &r).is_err() {
                            break;
                        }
                    }
                    return;
                }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crossbeam_channel::unbounded;

    /// A reply the reader queued before the server ended is written, whichever channel
    /// `select!` looks at first (repeated: without the drain it was lost about half the time).
    #[test]
    fn replies_queued_before_the_server_ends_are_written() {
        for _ in 0..200 {
            let (to_client, messages) = unbounded::<Message>();
            let (replies_tx, replies) = unbounded::<Value>();
            replies_tx
                .send(serde_json::json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": "m"}}))
                .unwrap();
            drop(to_client);
            let mut out = Vec::new();
            run(&mut out, messages, replies);
            assert!(String::from_utf8_lossy(&out).contains("-32700"));
        }
    }
}
