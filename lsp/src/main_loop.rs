//! The main loop: one thread owns the [`State`] and applies document edits in arrival order.
//! Analysis runs on its own thread ([`Analyzer`]), started once the queued messages are
//! drained (so a burst of edits costs one analysis); a result made stale by newer edits is
//! not published. Requests run in a small [`Pool`] on the newest snapshot that has their
//! document's latest text, and wait (in [`Waiting`], the loop going on) when none has yet.
//! An analysis that edits made stale is cancelled unless a waiting request needs it, and a
//! waiting request the client cancels (`$/cancelRequest`) is answered -32800 and dropped.

use crate::analyzer::{Analyzer, Output};
use crate::pool::Pool;
use crate::proto::dispatch::{self, DEBUG_STATS};
use crate::proto::from_proto::{self, DocEvent};
use crate::proto::to_proto;
use crate::state::State;
use crate::waiting::Waiting;
use crossbeam_channel::{Receiver, Sender, select, unbounded};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};

/// Everything the loop reacts to.
enum Event {
    /// A message from the client.
    Lsp(Message),
    /// A request finished on a worker.
    Done(Response),
    /// An analysis finished.
    Analyzed(Output),
}

struct Loop<'a> {
    conn: &'a Connection,
    state: State,
    pool: Pool,
    analyzer: Analyzer,
    waiting: Waiting,
    done_tx: Sender<Response>,
    shutting_down: bool,
    warned_config: Option<String>,
}

pub fn run(conn: &Connection, init: from_proto::Init) -> Result<(), String> {
    let (done_tx, done_rx): (Sender<Response>, Receiver<Response>) = unbounded();
    let mut l = Loop {
        conn,
        state: State::new(init.root, init.rules),
        pool: Pool::new(2),
        analyzer: Analyzer::new(),
        waiting: Waiting::default(),
        done_tx,
        shutting_down: false,
        warned_config: None,
    };
    loop {
        let event = select! {
            recv(conn.receiver) -> m => match m {
                Ok(m) => Event::Lsp(m),
                Err(_) => return Ok(()), // The client went away.
            },
            recv(done_rx) -> r => match r {
                Ok(r) => Event::Done(r),
                Err(_) => continue,
            },
            recv(l.analyzer.done) -> a => match a {
                Ok(a) => Event::Analyzed(a),
                Err(_) => continue,
            },
        };
        match event {
            Event::Lsp(Message::Request(req)) => l.request(req)?,
            Event::Lsp(Message::Notification(n)) => {
                if n.method == "exit" {
                    return if l.shutting_down {
                        Ok(())
                    } else {
                        Err("exit without shutdown".into())
                    };
                }
                if n.method == "$/cancelRequest" {
                    l.cancel_request(&n)?;
                } else {
                    notification(&mut l.state, n);
                }
            }
            Event::Lsp(Message::Response(_)) => {}
            Event::Done(r) => send(conn, r.into())?,
            Event::Analyzed(out) => l.analyzed(out)?,
        }
        // A running analysis of older text is wasted work unless a request waits for it.
        if let Some(running) = l.analyzer.running_generation()
            && running < l.state.generation()
            && !l.waiting.wants(running)
        {
            l.analyzer.cancel();
        }
        // Analyse once the queued edits are applied, or at once if a request waits for it.
        if !l.analyzer.is_running()
            && (conn.receiver.is_empty() || !l.waiting.is_empty())
            && let Some(input) = l.state.analysis_input()
        {
            l.analyzer.start(input);
        }
        let retired = l.state.take_retired();
        if !retired.is_empty() {
            l.pool.spawn(move || drop(retired));
        }
    }
}

impl Loop<'_> {
    fn request(&mut self, req: Request) -> Result<(), String> {
        let reply = |code: ErrorCode, message: &str| Response::new_err(req.id.clone(), code as i32, message.into());
        if self.shutting_down {
            return send(self.conn, reply(ErrorCode::InvalidRequest, "shutting down").into());
        }
        match req.method.as_str() {
            "shutdown" => {
                self.shutting_down = true;
                send(self.conn, Response::new_ok(req.id, ()).into())
            }
            "initialize" => send(
                self.conn,
                reply(ErrorCode::InvalidRequest, "already initialized").into(),
            ),
            DEBUG_STATS => {
                let stats = serde_json::json!({
                    "analyses": self.analyzer.started,
                    "stale": self.analyzer.stale,
                    "cancelled": self.analyzer.cancelled,
                    "generation": self.state.generation(),
                });
                send(self.conn, Response::new_ok(req.id, stats).into())
            }
            _ => {
                let needed = self.state.needed_for(Waiting::document_of(&req).as_deref());
                if self.state.snapshot().1 >= needed {
                    self.dispatch(req);
                } else {
                    self.waiting.push(needed, req);
                }
                Ok(())
            }
        }
    }

    fn dispatch(&self, req: Request) {
        let (snap, _) = self.state.snapshot();
        let tx = self.done_tx.clone();
        self.pool.spawn(move || {
            let _ = tx.send(dispatch::request(&snap, req));
        });
    }

    /// The client no longer wants an answer: a request still waiting for an analysis is
    /// answered RequestCancelled and dropped; one already running is answered as usual.
    fn cancel_request(&mut self, n: &Notification) -> Result<(), String> {
        let Some(id) = n
            .params
            .get("id")
            .and_then(|id| serde_json::from_value(id.clone()).ok())
        else {
            eprintln!("falcorc lsp: $/cancelRequest without a valid id");
            return Ok(());
        };
        match self.waiting.remove(&id) {
            Some(req) => {
                let reply = Response::new_err(req.id, ErrorCode::RequestCanceled as i32, "request cancelled".into());
                send(self.conn, reply.into())
            }
            None => Ok(()),
        }
    }

    fn analyzed(&mut self, out: Output) -> Result<(), String> {
        let Some(snapshot) = out.snapshot.clone() else {
            // Cancelled: the loop starts the newest text's analysis next.
            self.analyzer.finished(&out, false);
            return Ok(());
        };
        let current = self.state.install(out.generation, snapshot);
        self.analyzer.finished(&out, current);
        if self.state.needs_publish() {
            publish(self.conn, &mut self.state, &mut self.warned_config)?;
        }
        // After the diagnostics: a request sent after edits is answered after their
        // diagnostics (clients and tests rely on that order).
        for req in self.waiting.ready(self.state.snapshot().1) {
            self.dispatch(req);
        }
        Ok(())
    }
}

fn notification(state: &mut State, n: Notification) {
    let event = match from_proto::notification(n) {
        Ok(Some(e)) => e,
        Ok(None) => return,
        Err(e) => {
            eprintln!("falcorc lsp: {e}");
            return;
        }
    };
    match event {
        DocEvent::Open { key, text } => state.open(key, text),
        DocEvent::Change { key, changes } => {
            if let Err(e) = state.change(&key, changes) {
                eprintln!("falcorc lsp: {e}");
            }
        }
        DocEvent::Close { key } => state.close(&key),
        DocEvent::DiskChanged => state.reload_disk(),
        DocEvent::Settings { rules } => {
            if rules.is_some() {
                state.set_rules(rules);
            }
        }
    }
}

/// Publish the diagnostics of the current snapshot. (The symbol index is not built here: on
/// two cores, building it for every keystroke slowed the next keystroke's diagnostics.)
fn publish(conn: &Connection, state: &mut State, warned: &mut Option<String>) -> Result<(), String> {
    if state.config_error != *warned {
        if let Some(e) = &state.config_error {
            send(conn, to_proto::show_message(format!("falcorc: {e}")).into())?;
        }
        warned.clone_from(&state.config_error);
    }
    let (snap, keys) = state.publish_keys();
    if snap.analysis_panicked {
        let text =
            "falcorc: the compiler panicked on these files (please report it); diagnostics are off until the next edit";
        send(conn, to_proto::show_message(text.into()).into())?;
    }
    for k in keys {
        if let Some(n) = to_proto::publish_diagnostics(&snap, &k) {
            send(conn, n.into())?;
        }
    }
    Ok(())
}

fn send(conn: &Connection, m: Message) -> Result<(), String> {
    conn.sender
        .send(m)
        .map_err(|_| "the client connection closed".to_string())
}
