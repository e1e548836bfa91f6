//! A frame's body -> a JSON-RPC message, or what to do instead: reply with an error
//! (-32700 for text that is not JSON, -32600 for JSON that is no message but carries an id)
//! or log and go on. Nothing here quotes the body back.

use crate::proto::brief;
use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use serde_json::{Map, Value};

/// Most JSON values one message may hold: parsed values take ~10x the room of their text
/// (`[[],[],...]`), so the body limit alone does not bound memory. A real message is far
/// below (a `didChange` of 1000 edits holds ~10 000).
pub const MAX_JSON_VALUES: usize = 2_000_000;

#[derive(Debug)]
pub enum Decoded {
    Message(Message),
    /// Answer with this error; `id` is null when the message had none that can be echoed.
    Reply {
        id: Value,
        code: ErrorCode,
        message: String,
    },
    /// Not answerable (no id): log it and go on.
    Skip(String),
}

pub fn decode(body: &[u8]) -> Decoded {
    if !within_budget(body, MAX_JSON_VALUES) {
        return parse_error(format!("more than {MAX_JSON_VALUES} JSON values"));
    }
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return parse_error(brief::serde(&e)),
    };
    let Value::Object(map) = value else {
        return Decoded::Skip(format!("a message that is {}, not an object", kind(&value)));
    };
    message(map)
}

fn message(mut map: Map<String, Value>) -> Decoded {
    let id = map.remove("id");
    let method = map.remove("method");
    let invalid = |id: Option<Value>, why: &str| match id {
        Some(id) => Decoded::Reply {
            id: if id.is_string() || id.is_number() {
                id
            } else {
                Value::Null
            },
            code: ErrorCode::InvalidRequest,
            message: format!("invalid request: {why}"),
        },
        None => Decoded::Skip(format!("invalid message: {why}")),
    };
    let params = map.remove("params").unwrap_or(Value::Null);
    match (method, id) {
        (Some(Value::String(method)), None) => Decoded::Message(Notification { method, params }.into()),
        (Some(Value::String(method)), Some(id)) => match serde_json::from_value::<RequestId>(id.clone()) {
            Ok(id) => Decoded::Message(Request { id, method, params }.into()),
            Err(_) => invalid(Some(id), "the id is not an integer (32 bits) or a string"),
        },
        (Some(_), id) => invalid(id, "the method is not a string"),
        (None, Some(id)) if map.contains_key("result") || map.contains_key("error") => {
            // A response to the client is never answered, even when it is malformed.
            map.insert("id".into(), id);
            match serde_json::from_value::<Response>(Value::Object(map)) {
                Ok(r) => Decoded::Message(r.into()),
                Err(e) => Decoded::Skip(format!("a malformed response: {}", brief::serde(&e))),
            }
        }
        (None, id) => invalid(id, "neither a request, a notification nor a response"),
    }
}

fn parse_error(why: String) -> Decoded {
    Decoded::Reply {
        id: Value::Null,
        code: ErrorCode::ParseError,
        message: format!("parse error: {why}"),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array (batches are not part of LSP)",
        Value::Object(_) => "an object",
    }
}

/// Whether `body` holds at most about `max` JSON values: counts the openings and commas
/// outside strings (a value each, or one less), in one pass over the bytes.
fn within_budget(body: &[u8], max: usize) -> bool {
    let (mut count, mut in_string, mut escaped) = (0usize, false, false);
    for &b in body {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
        } else if b == b'"' {
            in_string = true;
        } else if matches!(b, b'[' | b'{' | b',') {
            count += 1;
            if count > max {
                return false;
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(body: &str) -> (Value, i32, String) {
        match decode(body.as_bytes()) {
            Decoded::Reply { id, code, message } => (id, code as i32, message),
            other => panic!("{body}: {other:?}"),
        }
    }

    #[test]
    fn messages() {
        let m = |s: &str| matches!(decode(s.as_bytes()), Decoded::Message(_));
        assert!(m(r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#));
        assert!(m(r#"{"jsonrpc":"2.0","id":"a","method":"x","params":{}}"#));
        assert!(m(r#"{"jsonrpc":"2.0","method":"exit","params":null}"#));
        assert!(m(r#"{"jsonrpc":"2.0","id":1,"result":null}"#));
    }

    #[test]
    fn errors_and_skips() {
        assert_eq!(reply("{").1, -32700);
        assert_eq!(reply("\u{1}").0, Value::Null);
        assert_eq!(reply("").1, -32700);
        let (id, code, _) = reply(r#"{"id":7}"#);
        assert_eq!((id, code), (Value::from(7), -32600));
        assert_eq!(reply(r#"{"id":1.5,"method":"m"}"#).0, Value::from(1.5));
        assert_eq!(reply(r#"{"id":{},"method":"m"}"#).0, Value::Null);
        assert_eq!(reply(r#"{"id":"x","method":3}"#).1, -32600);
        for skipped in [
            "null",
            "[]",
            "1",
            "\"s\"",
            "{}",
            r#"{"method":1}"#,
            r#"{"id":1,"error":5}"#,
        ] {
            assert!(matches!(decode(skipped.as_bytes()), Decoded::Skip(_)), "{skipped}");
        }
        let mut bad = b"{\"id\":1,\"method\":\"".to_vec();
        bad.extend([0xff, 0xfe, b'"', b'}']);
        assert!(matches!(
            decode(&bad),
            Decoded::Reply {
                code: ErrorCode::ParseError,
                ..
            }
        ));
    }

    #[test]
    fn the_value_budget() {
        assert!(within_budget(br#"{"a":[1,2,3],"b":"[,,,,]"}"#, 5));
        assert!(!within_budget(br#"[[],[],[]]"#, 5));
        assert!(within_budget(br#"["\",[[[[[[["]"#, 2));
    }
}
