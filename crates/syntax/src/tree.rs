//! The syntax tree shared by the YAML and JSON parsers: an arena of nodes with byte ranges.
//!
//! The tree is not a full YAML representation graph: aliases stay aliases (pointing at their anchor's
//! node) so that an alias bomb costs nothing to parse, and every consumer that walks through aliases
//! does so with a budget (see [`Tree::resolve`]).

use crate::{Diagnostic, TextRange};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

/// Which parser produced a tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Json,
}

#[derive(Debug, Clone)]
pub struct Node {
    /// The value itself, without its tag or anchor.
    pub range: TextRange,
    pub tag: Option<Tag>,
    /// The anchor name's range (after `&`), if the node is anchored.
    pub anchor: Option<TextRange>,
    pub kind: NodeKind,
}

impl Node {
    /// The node's range including its tag and anchor.
    pub fn full_range(&self) -> TextRange {
        let mut r = self.range;
        if let Some(t) = &self.tag {
            r = r.cover(t.range);
        }
        if let Some(a) = self.anchor {
            r = r.cover(TextRange::new(a.start.saturating_sub(1), a.end));
        }
        r
    }
}

/// A YAML tag such as `!Ref`; `name` includes the `!`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub name: String,
    pub range: TextRange,
}

#[derive(Debug, Clone)]
pub enum NodeKind {
    Scalar(Scalar),
    Mapping(Mapping),
    Sequence(Sequence),
    Alias(Alias),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Debug, Clone)]
pub struct Scalar {
    /// The scalar's value after unquoting, unescaping and line folding.
    pub value: String,
    pub style: ScalarStyle,
}

impl Scalar {
    /// Whether this is an untagged-style null: an empty plain scalar, `~` or `null`.
    pub fn is_null(&self) -> bool {
        self.style == ScalarStyle::Plain && matches!(self.value.as_str(), "" | "~" | "null" | "Null" | "NULL")
    }
}

#[derive(Debug, Clone)]
pub struct Mapping {
    pub entries: Vec<Entry>,
    pub flow: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub key: NodeId,
    /// `None` when the key has no value (`Key:` followed by nothing, or a key still being typed).
    pub value: Option<NodeId>,
    /// Offset of the `:`; `None` when it is missing (a half-typed key).
    pub colon: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct Sequence {
    pub items: Vec<NodeId>,
    pub flow: bool,
}

#[derive(Debug, Clone)]
pub struct Alias {
    pub name: String,
    /// The anchored node, when the anchor was defined before the alias.
    pub target: Option<NodeId>,
}

/// A parsed document: the node arena, the root, and the syntax diagnostics.
#[derive(Debug, Clone)]
pub struct Tree {
    pub(crate) nodes: Vec<Node>,
    pub(crate) root: Option<NodeId>,
    pub(crate) diagnostics: Vec<Diagnostic>,
    pub(crate) format: Format,
    pub(crate) has_aliases: bool,
}

/// How many alias hops [`Tree::resolve`] follows before giving up (aliases of aliases are legal YAML).
const MAX_ALIAS_HOPS: usize = 64;

impl Tree {
    pub fn root(&self) -> Option<NodeId> {
        self.root
    }

    pub fn format(&self) -> Format {
        self.format
    }

    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Whether the document uses aliases at all (walkers can skip alias budgeting when not).
    pub fn has_aliases(&self) -> bool {
        self.has_aliases
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.0 as usize]
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Follows aliases to the node they stand for; an undefined alias resolves to itself.
    pub fn resolve(&self, mut id: NodeId) -> NodeId {
        for _ in 0..MAX_ALIAS_HOPS {
            match &self.node(id).kind {
                NodeKind::Alias(Alias { target: Some(t), .. }) => id = *t,
                _ => return id,
            }
        }
        id
    }

    pub fn kind(&self, id: NodeId) -> &NodeKind {
        &self.node(self.resolve(id)).kind
    }

    /// The scalar value of a node (through aliases), if it is a scalar.
    pub fn scalar(&self, id: NodeId) -> Option<&Scalar> {
        match self.kind(id) {
            NodeKind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_str(&self, id: NodeId) -> Option<&str> {
        self.scalar(id).map(|s| s.value.as_str())
    }

    pub fn mapping(&self, id: NodeId) -> Option<&Mapping> {
        match self.kind(id) {
            NodeKind::Mapping(m) => Some(m),
            _ => None,
        }
    }

    pub fn sequence(&self, id: NodeId) -> Option<&Sequence> {
        match self.kind(id) {
            NodeKind::Sequence(s) => Some(s),
            _ => None,
        }
    }

    /// Entries of a mapping (empty for anything else).
    pub fn entries(&self, id: NodeId) -> &[Entry] {
        self.mapping(id).map_or(&[], |m| &m.entries)
    }

    /// Items of a sequence (empty for anything else).
    pub fn items(&self, id: NodeId) -> &[NodeId] {
        self.sequence(id).map_or(&[], |s| &s.items)
    }

    /// The key text of an entry (keys are scalars in templates; other keys read as empty).
    pub fn key_str(&self, entry: &Entry) -> &str {
        self.as_str(entry.key).unwrap_or("")
    }

    /// The first entry of mapping `id` whose key is `key`.
    pub fn get(&self, id: NodeId, key: &str) -> Option<&Entry> {
        self.entries(id).iter().find(|e| self.key_str(e) == key)
    }

    /// The value of `key` in mapping `id`.
    pub fn get_value(&self, id: NodeId, key: &str) -> Option<NodeId> {
        self.get(id, key).and_then(|e| e.value)
    }

    /// The range of a whole entry, from its key to the end of its value.
    pub fn entry_range(&self, entry: &Entry) -> TextRange {
        let key = self.node(entry.key).full_range();
        match entry.value {
            Some(v) => key.cover(self.node(v).full_range()),
            None => key,
        }
    }

    /// The tag of a node (not through aliases: a tag belongs to the spelling).
    pub fn tag(&self, id: NodeId) -> Option<&str> {
        self.node(id).tag.as_ref().map(|t| t.name.as_str())
    }

    /// All node ids, in creation order (children before their parents).
    pub fn ids(&self) -> impl Iterator<Item = NodeId> {
        (0..self.nodes.len() as u32).map(NodeId)
    }

    /// The chain of nodes from the root down to the innermost node whose full range contains `offset`
    /// (ends inclusive). Keys are included: when the offset is in a key, the key is the last element.
    pub fn path_at(&self, offset: u32) -> Vec<NodeId> {
        let mut path = Vec::new();
        let Some(mut cur) = self.root else { return path };
        if !self.node(cur).full_range().contains_inclusive(offset) {
            return path;
        }
        loop {
            path.push(cur);
            let next = match &self.node(cur).kind {
                NodeKind::Mapping(m) => m.entries.iter().find_map(|e| {
                    if self.node(e.key).full_range().contains_inclusive(offset) {
                        Some(e.key)
                    } else {
                        e.value.filter(|v| self.node(*v).full_range().contains_inclusive(offset))
                    }
                }),
                NodeKind::Sequence(s) => {
                    s.items.iter().copied().find(|i| self.node(*i).full_range().contains_inclusive(offset))
                }
                _ => None,
            };
            match next {
                Some(n) if path.len() < 10_000 => cur = n,
                _ => return path,
            }
        }
    }
}
