//! The thread that reads the input stream: frames -> messages for the main loop; every
//! problem is logged to stderr, answered when it can be, and reading goes on. It stops at
//! the end of the stream, after `exit`, or when the server is gone.

use super::decode::{Decoded, decode};
use super::frame::{Frame, FrameReader, Limits};
use crossbeam_channel::Sender;
use lsp_server::{ErrorCode, Message};
use serde_json::{Value, json};
use std::io::BufRead;

pub fn run(input: impl BufRead, limits: Limits, to_server: Sender<Message>, replies: Sender<Value>) {
    let mut frames = FrameReader::new(input, limits);
    loop {
        let frame = match frames.next_frame() {
            Ok(Some(f)) => f,
            Ok(None) => return,
            Err(e) => {
                eprintln!("falcorc lsp: cannot read from the client: {e}");
                return;
            }
        };
        let decoded = match frame {
            Frame::Body(body) => decode(&body),
            Frame::Dropped(why) => Decoded::Reply {
                id: Value::Null,
                code: ErrorCode::ParseError,
                message: format!("parse error: dropped {why}"),
            },
        };
        match decoded {
            Decoded::Message(m) => {
                let exit = matches!(&m, Message::Notification(n) if n.method == "exit");
                if to_server.send(m).is_err() || exit {
                    return;
                }
            }
            Decoded::Reply { id, code, message } => {
                eprintln!("falcorc lsp: {message}");
                let reply = json!({
                    "jsonrpc": "2.0",
                    "id": id,
                    "error": { "code": code as i32, "message": message },
                });
                // The writer is gone only when the server is: nothing left to do then.
                if replies.send(reply).is_err() {
                    return;
                }
            }
            Decoded::Skip(why) => eprintln!("falcorc lsp: skipped {why}"),
        }
    }
}
