//! A minimal LSP client over a message channel: drives the server in the scripted session
//! tests, the random-edit tests and the benchmark, either as a child process on stdio (the
//! real `falcorc lsp`) or in memory on a thread.

use crossbeam_channel::{Receiver, Sender, unbounded};
use lsp_server::{Connection, Message, Notification, Request, RequestId, Response, ResponseError};
use serde_json::{Value, json};
use std::io::{BufReader, BufWriter, Write};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// How long any single wait for the server lasts before the client gives up.
const TIMEOUT: Duration = Duration::from_secs(60);

pub struct Client {
    tx: Sender<Message>,
    rx: Receiver<Message>,
    next_id: i32,
    /// Notifications received and not yet consumed, in arrival order.
    pub notifications: Vec<Notification>,
    child: Option<Child>,
    thread: Option<std::thread::JoinHandle<Result<(), String>>>,
}

impl Client {
    /// Start `cmd` (e.g. `falcorc lsp`) and talk to it over its stdin/stdout.
    pub fn spawn(mut cmd: Command) -> std::io::Result<Client> {
        let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn()?;
        let stdin = child.stdin.take().ok_or_else(|| std::io::Error::other("no stdin"))?;
        let stdout = child.stdout.take().ok_or_else(|| std::io::Error::other("no stdout"))?;
        let (tx, to_server) = unbounded::<Message>();
        let (from_server, rx) = unbounded::<Message>();
        std::thread::spawn(move || {
            let mut w = BufWriter::new(stdin);
            for m in to_server {
                if m.write(&mut w).and_then(|_| w.flush()).is_err() {
                    break;
                }
            }
        });
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Ok(Some(m)) = Message::read(&mut r) {
                if from_server.send(m).is_err() {
                    break;
                }
            }
        });
        Ok(Client {
            tx,
            rx,
            next_id: 0,
            notifications: Vec::new(),
            child: Some(child),
            thread: None,
        })
    }

    /// Run the server on a thread, connected in memory.
    pub fn in_memory() -> Client {
        let (server, client) = Connection::memory();
        let thread = std::thread::spawn(move || crate::serve(&server));
        Client {
            tx: client.sender,
            rx: client.receiver,
            next_id: 0,
            notifications: Vec::new(),
            child: None,
            thread: Some(thread),
        }
    }

    /// `initialize` + `initialized`; returns the server's result.
    pub fn initialize(&mut self, root_uri: Option<&str>, options: Value) -> Result<Value, String> {
        let params = json!({
            "processId": null,
            "rootUri": root_uri,
            "capabilities": {},
            "initializationOptions": options,
        });
        let r = self.request("initialize", params).map_err(|e| e.message)?;
        self.notify("initialized", json!({}));
        Ok(r)
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        let _ = self.tx.send(Notification::new(method.into(), params).into());
    }

    /// Send a request and wait for its response; notifications that arrive meanwhile are kept.
    pub fn request(&mut self, method: &str, params: Value) -> Result<Value, ResponseError> {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        let _ = self.tx.send(Request::new(id.clone(), method.into(), params).into());
        loop {
            match self.recv() {
                Some(Message::Response(Response {
                    id: rid,
                    response_result,
                })) if rid == id => return response_result,
                Some(Message::Notification(n)) => self.notifications.push(n),
                Some(_) => {}
                None => {
                    return Err(ResponseError {
                        code: -1,
                        message: format!("no response to {method}"),
                        data: None,
                    });
                }
            }
        }
    }

    fn recv(&mut self) -> Option<Message> {
        self.rx.recv_timeout(TIMEOUT).ok()
    }

    /// Wait for the next `publishDiagnostics` for `uri` (kept ones first) and return its list.
    pub fn diagnostics(&mut self, uri: &str) -> Option<Value> {
        let is_for = |n: &Notification| n.method == "textDocument/publishDiagnostics" && n.params["uri"] == uri;
        if let Some(i) = self.notifications.iter().position(is_for) {
            return Some(self.notifications.remove(i).params["diagnostics"].clone());
        }
        loop {
            match self.recv()? {
                Message::Notification(n) if is_for(&n) => return Some(n.params["diagnostics"].clone()),
                Message::Notification(n) => self.notifications.push(n),
                _ => {}
            }
        }
    }

    /// The last diagnostics published for `uri` among the kept notifications (consumes them).
    pub fn latest_diagnostics(&mut self, uri: &str) -> Option<Value> {
        let mut last = None;
        self.notifications.retain(|n| {
            let hit = n.method == "textDocument/publishDiagnostics" && n.params["uri"] == uri;
            if hit {
                last = Some(n.params["diagnostics"].clone());
            }
            !hit
        });
        last
    }

    /// `shutdown` + `exit`; returns whether the server ended cleanly.
    pub fn shutdown(mut self) -> Result<(), String> {
        self.request("shutdown", Value::Null).map_err(|e| e.message)?;
        self.notify("exit", Value::Null);
        if let Some(mut c) = self.child.take() {
            let status = c.wait().map_err(|e| e.to_string())?;
            return if status.success() {
                Ok(())
            } else {
                Err(format!("server exited with {status}"))
            };
        }
        match self.thread.take().map(|t| t.join()) {
            Some(Ok(r)) => r,
            Some(Err(_)) => Err("server thread panicked".into()),
            None => Ok(()),
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if let Some(c) = &mut self.child {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}
