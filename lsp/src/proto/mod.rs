//! The protocol edge: the only modules that see `lsp-types`. `from_proto` turns messages
//! into the server's own data, `to_proto` turns plain results back into messages, and
//! `dispatch` routes requests to the `ide` functions (on a snapshot, in a worker thread).
//! `brief` keeps error texts about client input short.

pub mod brief;
pub mod dispatch;
pub mod from_proto;
pub mod to_proto;
