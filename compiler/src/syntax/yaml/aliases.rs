//! Anchors and aliases.
//!
//! An alias becomes a deep copy of its anchored node, but copies are made only when the document
//! is complete. Until then an alias is a placeholder that carries the size of its expansion, so
//! the node budget is checked before any copying: an alias bomb fails at once instead of after
//! building millions of nodes. Nodes are addressed by paths of child indices from the root
//! (a mapping entry `i` has its key at `2i` and its value at `2i + 1`).

use std::collections::HashMap;

use super::{Node, NodeKind};

/// Size of a (possibly not yet expanded) subtree.
#[derive(Clone, Copy, Debug, Default)]
pub struct Size {
    /// Nodes, alias expansions included.
    pub nodes: usize,
    /// Collection nesting levels (a scalar has 0).
    pub height: usize,
}

#[derive(Default)]
pub struct Aliases {
    anchors: HashMap<usize, (Vec<u32>, Size)>,
    /// Placeholders to fill at the end of the document, in document order: each alias refers
    /// to an earlier node, so earlier copies are complete before a later one reads them.
    pending: Vec<(Vec<u32>, Vec<u32>)>,
}

impl Aliases {
    pub fn clear(&mut self) {
        self.anchors.clear();
        self.pending.clear();
    }

    pub fn define(&mut self, id: usize, path: Vec<u32>, size: Size) {
        self.anchors.insert(id, (path, size));
    }

    /// Size of the node anchored as `id`, if it is complete.
    pub fn size(&self, id: usize) -> Option<Size> {
        self.anchors.get(&id).map(|(_, size)| *size)
    }

    /// Record that the node at `path` is a copy of anchor `id` (which must be defined).
    pub fn use_at(&mut self, id: usize, path: Vec<u32>) {
        if let Some((source, _)) = self.anchors.get(&id) {
            self.pending.push((source.clone(), path));
        }
    }

    /// Fill every placeholder of the finished document rooted at `root`.
    pub fn expand(&mut self, root: &mut Node) {
        for (source, dest) in self.pending.drain(..) {
            let Some(copy) = node_at(root, &source).cloned() else {
                continue;
            };
            if let Some(slot) = node_at_mut(root, &dest) {
                *slot = copy;
            }
        }
        self.anchors.clear();
    }
}

fn node_at<'a>(mut node: &'a Node, path: &[u32]) -> Option<&'a Node> {
    for &i in path {
        let i = i as usize;
        node = match &node.kind {
            NodeKind::Seq(items) => items.get(i)?,
            NodeKind::Map(entries) => {
                let e = entries.get(i / 2)?;
                if i.is_multiple_of(2) { &e.key } else { &e.value }
            }
            NodeKind::Null | NodeKind::Scalar(_) => return None,
        };
    }
    Some(node)
}

fn node_at_mut<'a>(mut node: &'a mut Node, path: &[u32]) -> Option<&'a mut Node> {
    for &i in path {
        let i = i as usize;
        node = match &mut node.kind {
            NodeKind::Seq(items) => items.get_mut(i)?,
            NodeKind::Map(entries) => {
                let e = entries.get_mut(i / 2)?;
                if i.is_multiple_of(2) { &mut e.key } else { &mut e.value }
            }
            NodeKind::Null | NodeKind::Scalar(_) => return None,
        };
    }
    Some(node)
}
