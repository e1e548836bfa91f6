//! The main loop: one thread owns the [`State`]; it applies document edits in arrival order,
//! re-analyzes once a burst of messages is drained, publishes diagnostics, and hands each
//! request to a worker with the current snapshot.

use crate::pool::Pool;
use crate::proto::from_proto::{self, DocEvent};
use crate::proto::{dispatch, to_proto};
use crate::state::State;
use crossbeam_channel::{Receiver, Sender, select, unbounded};
use lsp_server::{Connection, ErrorCode, Message, Notification, Response};

/// Everything the loop reacts to.
enum Event {
    /// A message from the client.
    Lsp(Message),
    /// A request finished on a worker.
    Done(Response),
}

pub fn run(conn: &Connection, init: from_proto::Init) -> Result<(), String> {
    let mut state = State::new(init.root, init.rules);
    let pool = Pool::new(2);
    let (done_tx, done_rx): (Sender<Response>, Receiver<Response>) = unbounded();
    let mut shutting_down = false;
    let mut warned_config = None;
    publish(conn, &mut state, &mut warned_config)?;
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
        };
        match event {
            Event::Lsp(Message::Request(req)) => {
                if shutting_down {
                    let r = Response::new_err(req.id, ErrorCode::InvalidRequest as i32, "shutting down".into());
                    send(conn, r.into())?;
                } else if req.method == "shutdown" {
                    shutting_down = true;
                    send(conn, Response::new_ok(req.id, ()).into())?;
                } else {
                    let snap = state.snapshot();
                    let tx = done_tx.clone();
                    pool.spawn(move || {
                        let _ = tx.send(dispatch::request(&snap, req));
                    });
                }
            }
            Event::Lsp(Message::Notification(n)) => {
                if n.method == "exit" {
                    return if shutting_down {
                        Ok(())
                    } else {
                        Err("exit without shutdown".into())
                    };
                }
                notification(&mut state, n);
            }
            Event::Lsp(Message::Response(_)) => {}
            Event::Done(r) => send(conn, r.into())?,
        }
        // Re-analyze once the pending edits are all applied.
        if state.needs_publish() && conn.receiver.is_empty() {
            publish(conn, &mut state, &mut warned_config)?;
        }
        let retired = state.take_retired();
        if !retired.is_empty() {
            pool.spawn(move || drop(retired));
        }
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
