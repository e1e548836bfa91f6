//! Requests waiting for an analysis: a request about a document is answered on a snapshot
//! that has the document's latest text (one about the whole workspace, on the newest
//! text), because answering on older text would put positions and edits in the wrong place.
//! A request about a document that did not change is answered at once on the previous
//! snapshot, even while another document is analysed.

use crate::uri;
use lsp_server::{Request, RequestId};

#[derive(Default)]
pub struct Waiting {
    /// (generation needed, request), in arrival order.
    requests: Vec<(u64, Request)>,
}

impl Waiting {
    /// The key of the document a request is about (`textDocument.uri`), if any.
    pub fn document_of(req: &Request) -> Option<String> {
        let uri = req.params.get("textDocument")?.get("uri")?.as_str()?;
        Some(uri::key(uri))
    }

    pub fn push(&mut self, needed: u64, req: Request) {
        self.requests.push((needed, req));
    }

    pub fn is_empty(&self) -> bool {
        self.requests.is_empty()
    }

    /// Whether a request waits for a snapshot of `generation` or older.
    pub fn wants(&self, generation: u64) -> bool {
        self.requests.iter().any(|(needed, _)| *needed <= generation)
    }

    /// Take a waiting request out (the client cancelled it), if it still waits.
    pub fn remove(&mut self, id: &RequestId) -> Option<Request> {
        let at = self.requests.iter().position(|(_, r)| &r.id == id)?;
        Some(self.requests.remove(at).1)
    }

    /// The requests a snapshot of `generation` can answer, in arrival order.
    pub fn ready(&mut self, generation: u64) -> Vec<Request> {
        let (ready, wait): (Vec<_>, Vec<_>) = std::mem::take(&mut self.requests)
            .into_iter()
            .partition(|(needed, _)| *needed <= generation);
        self.requests = wait;
        ready.into_iter().map(|(_, r)| r).collect()
    }
}
