//! Turns granit's event stream into [`Document`]s.
//!
//! An explicit stack of open collections (no recursion), so nesting depth costs heap, not stack.

use std::borrow::Cow;

use granit_parser::{Event, Options, Parser, ScanError, StructureStyle, Tag};

use super::aliases::{Aliases, Size};
use super::scalar::{self, to_u32};
use super::{Document, Entry, Limits, Node, NodeKind, Span, YamlError};
use crate::cancel::{Cancel, Cancelled};

pub struct Builder<'s> {
    src: &'s str,
    limits: &'s Limits,
    docs: Vec<Document>,
    errors: Vec<YamlError>,
    stack: Vec<Frame>,
    root: Option<Node>,
    doc_start: u32,
    aliases: Aliases,
    /// Nodes created so far, alias copies included.
    nodes: usize,
    cancel: &'s Cancel,
}

struct Frame {
    items: Items,
    start: u32,
    flow: bool,
    anchor: usize,
    tag: Option<String>,
    /// Index of this collection in its parent (see [`Aliases`] for paths).
    index: u32,
    /// Size of the children so far.
    size: Size,
}

enum Items {
    Seq(Vec<Node>),
    Map { entries: Vec<Entry>, key: Option<Node> },
}

/// What to do after an event.
enum Next {
    Continue,
    /// The document is broken: drop it and resume at the next one.
    SkipDocument,
    /// A global limit was hit: stop parsing.
    Stop,
}

impl<'s> Builder<'s> {
    pub fn new(src: &'s str, limits: &'s Limits, cancel: &'s Cancel) -> Builder<'s> {
        Builder {
            src,
            limits,
            docs: Vec::new(),
            errors: Vec::new(),
            stack: Vec::new(),
            root: None,
            doc_start: 0,
            aliases: Aliases::default(),
            nodes: 0,
            cancel,
        }
    }

    pub fn run(mut self) -> Result<(Vec<Document>, Vec<YamlError>), Cancelled> {
        let mut options = Options::default();
        options.set_emit_comments(false);
        // granit's own nesting checks fire before ours; keep them in line with the limit.
        options.flow_nesting_limit = self.limits.max_depth;
        options.block_nesting_limit = self.limits.max_depth;
        let mut parser = Parser::new_from_str_with_options(self.src, options);
        let mut last_error_at = None;
        let mut events = 0u32;
        loop {
            // Asking every event would cost more than the flag is worth.
            events = events.wrapping_add(1);
            if events.is_multiple_of(4096) {
                self.cancel.check()?;
            }
            let next = match parser.next_event() {
                None => break,
                Some(Ok((event, span))) => {
                    let range = span.byte_range().unwrap_or(0..0);
                    let tag_text = span.tag_span().and_then(|t| t.slice(self.src));
                    self.event(event, range, tag_text)
                }
                Some(Err(e)) => {
                    let error = self.scan_error(&e);
                    // Recovery always moves forward; a repeat at the same place means it cannot.
                    if last_error_at == Some(error.span.start) {
                        break;
                    }
                    last_error_at = Some(error.span.start);
                    self.errors.push(error);
                    Next::SkipDocument
                }
            };
            match next {
                Next::Continue => {}
                Next::Stop => break,
                Next::SkipDocument => {
                    self.stack.clear();
                    self.root = None;
                    match parser.proceed_next_document() {
                        Ok(true) => {}
                        Ok(false) => break,
                        Err(e) => {
                            let error = self.scan_error(&e);
                            self.errors.push(error);
                            break;
                        }
                    }
                }
            }
        }
        Ok((self.docs, self.errors))
    }

    fn event(&mut self, event: Event<'_>, range: std::ops::Range<usize>, tag_text: Option<&str>) -> Next {
        let span = Span::new(to_u32(range.start), to_u32(range.end));
        let tag = |t: Option<Cow<'_, Tag>>| t.map(|t| tag_text.map_or_else(|| t.original(), str::to_owned));
        match event {
            Event::DocumentStart(..) => {
                self.doc_start = span.start;
                self.stack.clear();
                self.root = None;
                self.aliases.clear();
                Next::Continue
            }
            Event::DocumentEnd => {
                let mut root = self.root.take();
                if let Some(root) = &mut root {
                    self.aliases.expand(root);
                }
                // granit reports an empty document as an empty plain scalar: no root.
                let root = root.filter(|r| !(r.is_null() && r.span.is_empty() && r.tag.is_none()));
                self.docs.push(Document {
                    root,
                    span: Span::new(self.doc_start, span.end),
                });
                Next::Continue
            }
            Event::Scalar(value, style, anchor, t) => {
                let node = scalar::node(self.src, value, style, range, tag(t));
                self.add(node, anchor)
            }
            Event::SequenceStart(style, anchor, t) => self.open(Items::Seq(Vec::new()), style, anchor, tag(t), span),
            Event::MappingStart(style, anchor, t) => self.open(
                Items::Map {
                    entries: Vec::new(),
                    key: None,
                },
                style,
                anchor,
                tag(t),
                span,
            ),
            Event::SequenceEnd | Event::MappingEnd => self.close(span),
            Event::Alias(id) => self.alias(id, span),
            Event::UnresolvedAlias(_) => {
                // Not enabled in our options; keep the structure intact if it ever appears.
                self.nodes += 1;
                self.attach(
                    Node {
                        kind: NodeKind::Null,
                        span,
                        tag: None,
                    },
                    Size { nodes: 1, height: 0 },
                )
            }
            _ => Next::Continue,
        }
    }

    fn open(&mut self, items: Items, style: StructureStyle, anchor: usize, tag: Option<String>, span: Span) -> Next {
        if self.stack.len() >= self.limits.max_depth {
            return self.fail(
                format!("YAML nesting exceeds {} levels", self.limits.max_depth),
                span,
                Next::SkipDocument,
            );
        }
        if let Some(next) = self.count(1, span) {
            return next;
        }
        let flow = style == StructureStyle::Flow;
        let index = self.next_index();
        self.stack.push(Frame {
            items,
            start: span.start,
            flow,
            anchor,
            tag,
            index,
            size: Size::default(),
        });
        Next::Continue
    }

    fn close(&mut self, end_span: Span) -> Next {
        let Some(frame) = self.stack.pop() else {
            return Next::Continue;
        };
        // Block collections end with their last child: granit's end event sits at the next
        // token, which may be lines further down, past comments.
        let last_end = match &frame.items {
            Items::Seq(items) => items.last().map(|n| n.span.end),
            Items::Map { entries, .. } => entries.last().map(|e| e.key.span.end.max(e.value.span.end)),
        };
        let end = if frame.flow {
            end_span.end
        } else {
            last_end.unwrap_or(frame.start)
        };
        let kind = match frame.items {
            Items::Seq(items) => NodeKind::Seq(items),
            Items::Map { entries, .. } => NodeKind::Map(entries),
        };
        let node = Node {
            kind,
            span: Span::new(frame.start, end.max(frame.start)),
            tag: frame.tag,
        };
        let size = Size {
            nodes: frame.size.nodes + 1,
            height: frame.size.height + 1,
        };
        self.finish(node, size, frame.anchor)
    }

    fn alias(&mut self, id: usize, span: Span) -> Next {
        let Some(size) = self.aliases.size(id) else {
            // Only an alias inside the collection it names gets here (a recursive node).
            self.errors.push(YamlError {
                message: "YAML alias refers to a collection that contains it".to_string(),
                span,
            });
            return self.attach(
                Node {
                    kind: NodeKind::Null,
                    span,
                    tag: None,
                },
                Size { nodes: 1, height: 0 },
            );
        };
        if self.nodes.saturating_add(size.nodes) > self.limits.max_nodes {
            return self.fail(
                format!("YAML alias expansion exceeds {} nodes", self.limits.max_nodes),
                span,
                Next::Stop,
            );
        }
        if self.stack.len() + size.height > self.limits.max_depth {
            return self.fail(
                format!("YAML nesting exceeds {} levels", self.limits.max_depth),
                span,
                Next::SkipDocument,
            );
        }
        self.nodes += size.nodes;
        // A placeholder until the document ends (see `Aliases`).
        let path = self.path();
        self.aliases.use_at(id, path);
        self.attach(
            Node {
                kind: NodeKind::Null,
                span,
                tag: None,
            },
            size,
        )
    }

    fn add(&mut self, node: Node, anchor: usize) -> Next {
        if let Some(next) = self.count(1, node.span) {
            return next;
        }
        self.finish(node, Size { nodes: 1, height: 0 }, anchor)
    }

    /// Record where an anchored node goes, then attach it.
    fn finish(&mut self, node: Node, size: Size, anchor: usize) -> Next {
        if anchor != 0 {
            let path = self.path();
            self.aliases.define(anchor, path, size);
        }
        self.attach(node, size)
    }

    fn attach(&mut self, node: Node, size: Size) -> Next {
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some(node);
            return Next::Continue;
        };
        frame.size.nodes += size.nodes;
        frame.size.height = frame.size.height.max(size.height);
        match &mut frame.items {
            Items::Seq(items) => items.push(node),
            Items::Map { entries, key } => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push(Entry { key: k, value: node }),
            },
        }
        Next::Continue
    }

    /// Index the next child of the innermost open collection will get.
    fn next_index(&self) -> u32 {
        let n = match self.stack.last().map(|f| &f.items) {
            None => 0,
            Some(Items::Seq(items)) => items.len(),
            Some(Items::Map { entries, key }) => 2 * entries.len() + usize::from(key.is_some()),
        };
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    /// Path from the root to the next node to be attached.
    fn path(&self) -> Vec<u32> {
        if self.stack.is_empty() {
            return Vec::new();
        }
        let mut path: Vec<u32> = self.stack.iter().skip(1).map(|f| f.index).collect();
        path.push(self.next_index());
        path
    }

    fn count(&mut self, n: usize, span: Span) -> Option<Next> {
        self.nodes = self.nodes.saturating_add(n);
        (self.nodes > self.limits.max_nodes).then(|| {
            self.fail(
                format!("YAML document exceeds {} nodes", self.limits.max_nodes),
                span,
                Next::Stop,
            )
        })
    }

    fn fail(&mut self, message: String, span: Span, next: Next) -> Next {
        self.errors.push(YamlError { message, span });
        next
    }

    fn scan_error(&self, e: &ScanError) -> YamlError {
        let mark = e.marker();
        let at = mark
            .byte_offset()
            .unwrap_or_else(|| char_to_byte(self.src, mark.index()))
            .min(self.src.len());
        let message = e.kind().to_string();
        let at = refine_error_offset(self.src, at, &message);
        // Cover the offending character so renderers have something to underline.
        let width = self
            .src
            .get(at..)
            .and_then(|s| s.chars().next())
            .filter(|c| !matches!(c, '\n' | '\r'))
            .map_or(0, char::len_utf8);
        YamlError {
            message,
            span: Span::new(to_u32(at), to_u32(at + width)),
        }
    }
}

/// granit reports some errors at the start of the token being scanned; move them to
/// the character that is actually wrong when the message names it.
fn refine_error_offset(src: &str, at: usize, message: &str) -> usize {
    let rest = src.get(at..).unwrap_or("");
    // Stay within the scalar's line block: a few hundred bytes is plenty.
    let window = &rest[..rest
        .len()
        .min(rest.char_indices().nth(512).map_or(rest.len(), |(i, _)| i))];
    if message.contains("found a tab") {
        if let Some(i) = window.find('\t') {
            return at + i;
        }
    } else if message.contains("unknown escape character") {
        let bytes = window.as_bytes();
        let mut i = 0;
        while i + 1 < bytes.len() {
            if bytes[i] == b'\\' {
                let c = bytes[i + 1];
                let known = b"0abtnvfre \"/\\N_LPxuU\t\n\r".contains(&c);
                if !known {
                    return at + i;
                }
                i += 2;
                continue;
            }
            i += 1;
        }
    }
    at
}

fn char_to_byte(src: &str, index: usize) -> usize {
    src.char_indices().nth(index).map_or(src.len(), |(i, _)| i)
}
