//! The `initialize` handshake, done here rather than by `lsp_server` (whose version ends the
//! server on any other first message and quotes that whole message in its error). Until
//! `initialize` succeeds, requests are answered `ServerNotInitialized` naming only their
//! method, and notifications other than `exit` are dropped, as LSP asks.

use crate::proto::{self, brief, from_proto};
use lsp_server::{Connection, ErrorCode, Message, Response};

pub enum Outcome {
    Initialized(from_proto::Init),
    /// The client left (end of input) before initializing.
    Gone,
    /// `exit` before `initialize`.
    Exit,
}

pub fn initialize(conn: &Connection) -> Result<Outcome, String> {
    loop {
        let Ok(msg) = conn.receiver.recv() else {
            return Ok(Outcome::Gone);
        };
        let reply = match msg {
            Message::Request(req) if req.method == "initialize" => match from_proto::initialize(req.params) {
                Ok(init) => {
                    let result = serde_json::json!({
                        "capabilities": proto::to_proto::capabilities(),
                        "serverInfo": { "name": "falcorc", "version": env!("CARGO_PKG_VERSION") },
                    });
                    send(conn, Response::new_ok(req.id, result))?;
                    return Ok(Outcome::Initialized(init));
                }
                // Bad parameters: the client may try again.
                Err(e) => Response::new_err(req.id, ErrorCode::InvalidParams as i32, e),
            },
            Message::Request(req) => Response::new_err(
                req.id,
                ErrorCode::ServerNotInitialized as i32,
                format!("the server is not initialized (request {})", brief::method(&req.method)),
            ),
            Message::Notification(n) if n.method == "exit" => return Ok(Outcome::Exit),
            Message::Notification(_) | Message::Response(_) => continue,
        };
        send(conn, reply)?;
    }
}

fn send(conn: &Connection, r: Response) -> Result<(), String> {
    conn.sender
        .send(r.into())
        .map_err(|_| "the client connection closed".to_string())
}
