//! An error-tolerant YAML parser for templates, written for this project.
//!
//! Why our own: templates must parse on every keystroke, broken or not, with the position of every key
//! and value. Event parsers stop at the first error and tree-sitter's recovery does not follow YAML's
//! indentation (a half-typed key under `Properties:` becomes part of the previous value). This parser
//! is indentation-driven recursive descent: a line that does not fit is reported and skipped, and the
//! surrounding structure stays intact.
//!
//! Supported: block mappings and sequences (including compact `- key: value` items), flow collections,
//! plain / single-quoted / double-quoted scalars (multi-line, escapes), literal and folded block
//! scalars with chomping and indentation indicators, tags, anchors, aliases, comments, directives,
//! `---`/`...` markers, BOM and CRLF. Not supported (reported, never fatal): complex `?` keys, more than
//! one document.

use std::collections::HashMap;

use crate::tree::{Alias, Entry, Format, Mapping, Node, NodeId, NodeKind, Scalar, ScalarStyle, Sequence, Tag, Tree};
use crate::{Diagnostic, TextRange};

/// Deeper nesting than this is reported and skipped (templates nest a few dozen levels at most; the
/// bound keeps recursion far from the stack limit of any thread).
pub const MAX_DEPTH: u32 = 256;

pub(crate) const SYNTAX: &str = "SW1001";
pub(crate) const DUPLICATE_KEY: &str = "SW1002";
pub(crate) const TOO_DEEP: &str = "SW1003";
pub(crate) const UNDEFINED_ALIAS: &str = "SW1004";

pub fn parse(text: &str) -> Tree {
    let mut p = Parser {
        src: text,
        b: text.as_bytes(),
        pos: 0,
        nodes: Vec::new(),
        diags: Vec::new(),
        anchors: HashMap::new(),
        depth: 0,
        has_aliases: false,
        bom: if text.starts_with('\u{feff}') { 3 } else { 0 },
    };
    let root = p.document();
    Tree { nodes: p.nodes, root, diagnostics: p.diags, format: Format::Yaml, has_aliases: p.has_aliases }
}

struct Parser<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    nodes: Vec<Node>,
    diags: Vec<Diagnostic>,
    anchors: HashMap<String, NodeId>,
    depth: u32,
    has_aliases: bool,
    /// Length of a leading byte-order mark (0 or 3), which does not count as indentation.
    bom: usize,
}

/// Tag and anchor written before a node.
#[derive(Default)]
struct Props {
    tag: Option<Tag>,
    anchor: Option<TextRange>,
}

impl Props {
    fn is_empty(&self) -> bool {
        self.tag.is_none() && self.anchor.is_none()
    }
}

fn is_ws(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

fn is_flow_indicator(c: u8) -> bool {
    matches!(c, b',' | b'[' | b']' | b'{' | b'}')
}

impl<'a> Parser<'a> {
    // ----- low-level cursor helpers -------------------------------------------------------------

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn peek_at(&self, at: usize) -> Option<u8> {
        self.b.get(at).copied()
    }

    /// The length of the line break at `at`: 2 for `\r\n`, else 1 (`\n`, or a lone `\r`, which
    /// must not swallow the next byte: it may start a multi-byte character).
    fn break_len(&self, at: usize) -> usize {
        if self.peek_at(at) == Some(b'\r') && self.peek_at(at + 1) == Some(b'\n') { 2 } else { 1 }
    }

    fn error(&mut self, range: TextRange, msg: impl Into<String>) {
        self.diag(SYNTAX, range, msg);
    }

    fn diag(&mut self, code: &'static str, range: TextRange, msg: impl Into<String>) {
        // A cascade of errors on one spot helps nobody; keep the first.
        if self.diags.last().is_some_and(|d| d.range.start == range.start && d.code == code) {
            return;
        }
        if self.diags.len() < 1000 {
            self.diags.push(Diagnostic::error(code, range, msg));
        }
    }

    fn r(start: usize, end: usize) -> TextRange {
        TextRange::new(start as u32, end as u32)
    }

    /// Start of the line containing `pos`; on the first line, after a byte-order mark.
    fn line_start_of(&self, pos: usize) -> usize {
        self.b[..pos.min(self.b.len())].iter().rposition(|&c| c == b'\n').map_or(self.bom, |i| i + 1)
    }

    fn column(&self, pos: usize) -> usize {
        pos - self.line_start_of(pos)
    }

    /// End of the line containing `pos` (the offset of its `\r\n`/`\n`, or the end of text).
    fn line_end_of(&self, pos: usize) -> usize {
        let end = self.b[pos..].iter().position(|&c| c == b'\n').map_or(self.b.len(), |i| pos + i);
        if end > pos && self.b[end - 1] == b'\r' { end - 1 } else { end }
    }

    fn skip_inline_ws(&mut self) {
        while self.peek().is_some_and(is_ws) {
            self.pos += 1;
        }
    }

    /// Whether `pos` is at the end of the line's content: newline, end of text, or a comment.
    fn at_line_end_at(&self, pos: usize) -> bool {
        match self.peek_at(pos) {
            None | Some(b'\n') => true,
            Some(b'\r') => matches!(self.peek_at(pos + 1), None | Some(b'\n')),
            Some(b'#') => pos == 0 || self.peek_at(pos - 1).is_some_and(|c| is_ws(c) || c == b'\n'),
            _ => false,
        }
    }

    fn at_line_end(&self) -> bool {
        self.at_line_end_at(self.pos)
    }

    /// The first content character of the next line that has content (not blank, not only a
    /// comment), starting from the line after `pos`; with its indentation. Does not move.
    fn next_content_line(&self, pos: usize) -> Option<(usize, usize)> {
        let mut p = pos;
        // Move to the start of the next line.
        p = match self.b[p..].iter().position(|&c| c == b'\n') {
            Some(i) => p + i + 1,
            None => return None,
        };
        loop {
            let start = p;
            while self.peek_at(p).is_some_and(is_ws) {
                p += 1;
            }
            match self.peek_at(p) {
                None => return None,
                Some(b'\n') => p += 1,
                Some(b'\r') if matches!(self.peek_at(p + 1), Some(b'\n') | None) => p += 2,
                Some(b'#') => p = self.line_end_of(p) + 1,
                Some(_) => return Some((p, self.indent_of(start, p))),
            }
            if p > self.b.len() {
                return None;
            }
        }
    }

    /// Indentation of a line: the count of leading spaces (a tab counts as one column and is reported
    /// where it matters by [`Parser::check_tabs`]).
    fn indent_of(&self, line_start: usize, first: usize) -> usize {
        first - line_start
    }

    fn check_tabs(&mut self, line_start: usize, first: usize) {
        if self.b[line_start..first].contains(&b'\t') {
            self.error(Self::r(line_start, first), "tab character in indentation: YAML indents with spaces only");
        }
    }

    /// Moves to the first content character of the next content line and returns its indentation.
    fn goto(&mut self, first: usize) -> usize {
        self.pos = first;
        let ls = self.line_start_of(first);
        self.check_tabs(ls, first);
        first - ls
    }

    fn is_doc_marker(&self, pos: usize) -> bool {
        self.column(pos) == 0
            && (self.b[pos..].starts_with(b"---") || self.b[pos..].starts_with(b"..."))
            && self.peek_at(pos + 3).is_none_or(|c| is_ws(c) || c == b'\n' || c == b'\r')
    }

    fn is_seq_entry(&self, pos: usize) -> bool {
        self.peek_at(pos) == Some(b'-') && self.peek_at(pos + 1).is_none_or(|c| is_ws(c) || c == b'\n' || c == b'\r')
    }

    /// After a value that ends mid-line: anything but a comment before the line break is an error.
    fn finish_line(&mut self) {
        self.skip_inline_ws();
        if !self.at_line_end() {
            let end = self.line_end_of(self.pos);
            self.error(Self::r(self.pos, end), "unexpected text after the value");
            self.pos = end;
        }
    }

    fn push(&mut self, node: Node) -> NodeId {
        let id = NodeId(self.nodes.len() as u32);
        self.nodes.push(node);
        id
    }

    fn push_with_props(&mut self, mut node: Node, props: Props) -> NodeId {
        node.tag = props.tag;
        node.anchor = props.anchor;
        let anchor = node.anchor;
        let id = self.push(node);
        if let Some(a) = anchor {
            let name = self.src[a.as_range()].to_owned();
            self.anchors.insert(name, id);
        }
        id
    }

    fn empty_scalar(&mut self, at: usize, props: Props) -> NodeId {
        let node = Node {
            range: Self::r(at, at),
            tag: None,
            anchor: None,
            kind: NodeKind::Scalar(Scalar { value: String::new(), style: ScalarStyle::Plain }),
        };
        self.push_with_props(node, props)
    }

    // ----- document -----------------------------------------------------------------------------

    fn document(&mut self) -> Option<NodeId> {
        self.pos = self.bom;
        let mut root = None;
        let mut seen_marker = false;
        let mut pos = self.pos;
        // The first content line may be the very first line: look at it without skipping a line.
        let mut first = self.first_content_from(pos);
        while let Some((p, _)) = first {
            if self.b[p] == b'%' && self.column(p) == 0 && root.is_none() && !seen_marker {
                pos = self.line_end_of(p);
                first = self.next_content_line(pos);
                continue;
            }
            if self.is_doc_marker(p) {
                if self.b[p] == b'.' || root.is_some() {
                    if root.is_some() {
                        let end = self.line_end_of(p);
                        self.error(
                            Self::r(p, end),
                            "a template holds one YAML document; the text after this marker is ignored",
                        );
                    }
                    break;
                }
                seen_marker = true;
                self.pos = p + 3;
                self.skip_inline_ws();
                if !self.at_line_end() {
                    root = self.value(-1, true, false);
                    pos = self.pos;
                    first = self.next_content_line(pos);
                    continue;
                }
                pos = self.pos;
                first = self.next_content_line(pos);
                continue;
            }
            if root.is_some() {
                let end = self.line_end_of(p);
                self.error(Self::r(p, end), "unexpected text: it does not belong to the document's structure");
                pos = end;
                first = self.next_content_line(pos);
                continue;
            }
            self.goto(p);
            root = self.node_here(-1, true);
            pos = self.pos;
            first = self.next_content_line(pos);
        }
        root
    }

    /// Like [`Parser::next_content_line`] but considering the line `pos` is on as well.
    fn first_content_from(&self, pos: usize) -> Option<(usize, usize)> {
        let mut p = pos;
        while self.peek_at(p).is_some_and(is_ws) {
            p += 1;
        }
        match self.peek_at(p) {
            None => None,
            Some(b'\n' | b'\r' | b'#') => self.next_content_line(p),
            Some(_) => Some((p, p - self.line_start_of(p))),
        }
    }

    // ----- block context ------------------------------------------------------------------------

    /// A value after `key:` or `- ` (or after `---`). `parent_indent` is the indentation of the
    /// construct that owns the value; the value's own lines must be indented more, except a block
    /// sequence under a mapping key, which may sit at the key's indentation (`seq_at_parent`).
    /// `map_here` allows a compact mapping to start on the same line (after `- `).
    fn value(&mut self, parent_indent: i64, map_here: bool, seq_at_parent: bool) -> Option<NodeId> {
        self.skip_inline_ws();
        let props = self.props();
        self.skip_inline_ws();
        if !self.at_line_end() {
            if self.depth >= MAX_DEPTH {
                return Some(self.too_deep(parent_indent, props));
            }
            self.depth += 1;
            let id = self.inline_node(parent_indent, map_here, props);
            self.depth -= 1;
            return Some(id);
        }
        let after_props = self.pos;
        match self.next_content_line(self.pos) {
            Some((p, ind))
                if !self.is_doc_marker(p)
                    && (ind as i64 > parent_indent
                        || (seq_at_parent && ind as i64 == parent_indent && self.is_seq_entry(p))) =>
            {
                self.goto(p);
                if self.depth >= MAX_DEPTH {
                    return Some(self.too_deep(parent_indent, props));
                }
                self.depth += 1;
                let id = self.block_node_with_props(parent_indent, props);
                self.depth -= 1;
                Some(id)
            }
            _ if !props.is_empty() => Some(self.empty_scalar(after_props, props)),
            _ => None,
        }
    }

    /// A node starting at the current position, which is the first content of its line.
    fn node_here(&mut self, parent_indent: i64, map_here: bool) -> Option<NodeId> {
        if self.depth >= MAX_DEPTH {
            return Some(self.too_deep(parent_indent, Props::default()));
        }
        self.depth += 1;
        let props = self.props();
        self.skip_inline_ws();
        let id = if self.at_line_end() {
            // Properties alone on a line, the value below them.
            self.depth -= 1;
            return match self.next_content_line(self.pos) {
                Some((p, ind)) if ind as i64 > parent_indent && !self.is_doc_marker(p) => {
                    self.goto(p);
                    self.depth += 1;
                    let id = self.block_node_with_props(parent_indent, props);
                    self.depth -= 1;
                    Some(id)
                }
                _ => Some(self.empty_scalar(self.pos, props)),
            };
        } else {
            self.inline_node(parent_indent, map_here, props)
        };
        self.depth -= 1;
        Some(id)
    }

    /// A node on a line of its own (after its key's line), which may begin with its own properties.
    fn block_node_with_props(&mut self, parent_indent: i64, outer: Props) -> NodeId {
        let at = self.pos;
        let inner = self.props();
        self.skip_inline_ws();
        let props = match (outer.is_empty(), inner.is_empty()) {
            (_, true) => outer,
            (true, false) => inner,
            (false, false) => {
                self.error(Self::r(at, self.pos), "a value can have only one tag and one anchor");
                outer
            }
        };
        if !self.at_line_end() {
            return self.inline_node(parent_indent, true, props);
        }
        match self.next_content_line(self.pos) {
            Some((p, ind)) if ind as i64 > parent_indent && !self.is_doc_marker(p) => {
                self.goto(p);
                self.inline_node(parent_indent, true, props)
            }
            _ => self.empty_scalar(self.pos, props),
        }
    }

    /// A node whose first character is at the current position (not at a line end).
    fn inline_node(&mut self, parent_indent: i64, map_here: bool, props: Props) -> NodeId {
        let start = self.pos;
        let col = self.column(start);
        if map_here && self.is_seq_entry(start) {
            return self.block_sequence(col, props);
        }
        if map_here && self.line_is_key(start) {
            return self.block_mapping(col, props);
        }
        match self.peek() {
            Some(b'|' | b'>') => self.block_scalar(parent_indent, props),
            Some(b'[' | b'{') => {
                let id = self.flow_node(parent_indent, props);
                self.finish_line();
                id
            }
            Some(b'*') => {
                let id = self.alias(props);
                self.finish_line();
                id
            }
            Some(b'"' | b'\'') => {
                let id = self.quoted(parent_indent, props);
                self.after_block_scalar_value();
                id
            }
            Some(b'-') if self.is_seq_entry(start) => {
                // `key: - item` puts a sequence where a scalar must be.
                self.error(
                    Self::r(start, start + 1),
                    "a block sequence cannot start on the same line as its key; put `- item` on the next line",
                );
                self.plain(parent_indent, props)
            }
            Some(b'?') if self.peek_at(start + 1).is_none_or(is_ws) => {
                let end = self.line_end_of(start);
                self.error(Self::r(start, end), "complex mapping keys (`? key`) are not supported in templates");
                self.pos = end;
                self.empty_scalar(start, props)
            }
            _ => self.plain(parent_indent, props),
        }
    }

    /// After a quoted scalar in block context: the line must end (or the key's `:` was handled).
    fn after_block_scalar_value(&mut self) {
        self.skip_inline_ws();
        if self.peek() == Some(b':') && self.peek_at(self.pos + 1).is_none_or(|c| is_ws(c) || c == b'\n' || c == b'\r')
        {
            self.error(
                Self::r(self.pos, self.pos + 1),
                "a mapping cannot start on the same line as its key; put it on the next line, indented",
            );
            self.pos = self.line_end_of(self.pos);
            return;
        }
        self.finish_line();
    }

    /// Whether the line content at `pos` is a mapping key (`key:` followed by a space or line end).
    fn line_is_key(&self, pos: usize) -> bool {
        self.key_colon(pos).is_some()
    }

    /// The offset of the `:` that ends an implicit key starting at `pos`, if the text there is a key.
    fn key_colon(&self, pos: usize) -> Option<usize> {
        let end = self.line_end_of(pos);
        let mut p = pos;
        // Skip properties on the key (rare, but legal: `&a key: v`).
        match self.peek_at(p)? {
            b'"' | b'\'' => {
                let q = self.b[p];
                p += 1;
                while p < end {
                    if self.b[p] == q {
                        if q == b'\'' && self.peek_at(p + 1) == Some(b'\'') {
                            p += 2;
                            continue;
                        }
                        break;
                    }
                    if q == b'"' && self.b[p] == b'\\' {
                        p += 1;
                    }
                    p += 1;
                }
                if p >= end {
                    return None;
                }
                p += 1;
                while p < end && is_ws(self.b[p]) {
                    p += 1;
                }
                (self.peek_at(p) == Some(b':') && (p + 1 >= end || is_ws(self.b[p + 1]))).then_some(p)
            }
            b'[' | b'{' | b'*' | b'|' | b'>' | b'!' | b'&' | b'#' | b'%' | b'@' | b'`' => None,
            b'-' if self.is_seq_entry(p) => None,
            _ => {
                while p < end {
                    let c = self.b[p];
                    if c == b':' && (p + 1 >= end || is_ws(self.b[p + 1])) {
                        return Some(p);
                    }
                    if c == b'#' && p > pos && is_ws(self.b[p - 1]) {
                        return None;
                    }
                    p += 1;
                }
                None
            }
        }
    }

    fn block_mapping(&mut self, indent: usize, props: Props) -> NodeId {
        let start = self.pos;
        let mut entries: Vec<Entry> = Vec::new();
        let mut end = start;
        loop {
            let entry = self.mapping_entry(indent);
            end = end.max(self.entry_end(&entry));
            entries.push(entry);
            // Find the next line that belongs to this mapping.
            loop {
                match self.next_content_line(self.pos) {
                    Some((p, ind)) if ind == indent && !self.is_doc_marker(p) => {
                        self.goto(p);
                        if self.is_seq_entry(p) {
                            let e = self.line_end_of(p);
                            self.error(
                                Self::r(p, e),
                                "a sequence item cannot stand between mapping keys; indent it under a key",
                            );
                            self.skip_block(indent as i64);
                            continue;
                        }
                        break;
                    }
                    Some((p, ind)) if ind > indent && !self.is_doc_marker(p) => {
                        self.goto(p);
                        let e = self.line_end_of(p);
                        self.error(
                            Self::r(p, e),
                            format!(
                                "unexpected indentation: this line is indented {ind} spaces, the keys around it {indent}"
                            ),
                        );
                        self.pos = e;
                        continue;
                    }
                    _ => {
                        let node = Node {
                            range: Self::r(start, end),
                            tag: None,
                            anchor: None,
                            kind: NodeKind::Mapping(Mapping { entries, flow: false }),
                        };
                        let id = self.push_with_props(node, props);
                        self.check_duplicates(id);
                        return id;
                    }
                }
            }
        }
    }

    fn entry_end(&self, e: &Entry) -> usize {
        let k = self.nodes[e.key.0 as usize].range.end as usize;
        let c = e.colon.map_or(k, |c| c as usize + 1);
        let v = e.value.map_or(c, |v| self.nodes[v.0 as usize].full_range().end as usize);
        k.max(c).max(v)
    }

    /// Skips the rest of the current line and every following line indented more than `indent`.
    fn skip_block(&mut self, indent: i64) {
        self.pos = self.line_end_of(self.pos);
        while let Some((p, ind)) = self.next_content_line(self.pos) {
            if ind as i64 <= indent || self.is_doc_marker(p) {
                break;
            }
            self.pos = self.line_end_of(p);
        }
    }

    fn mapping_entry(&mut self, indent: usize) -> Entry {
        let key_start = self.pos;
        match self.key_colon(key_start) {
            Some(colon) => {
                let key = match self.peek() {
                    Some(b'"' | b'\'') => self.quoted(indent as i64, Props::default()),
                    _ => {
                        let mut e = colon;
                        while e > key_start && is_ws(self.b[e - 1]) {
                            e -= 1;
                        }
                        self.push_plain(key_start, e, self.src[key_start..e].to_owned(), Props::default())
                    }
                };
                self.pos = colon + 1;
                let value = self.value(indent as i64, false, true);
                Entry { key, value, colon: Some(colon as u32) }
            }
            None => {
                // A key still being typed (or a stray scalar): keep it as a key without a value so
                // completion and the surrounding structure survive.
                let line_end = self.line_end_of(key_start);
                let mut e = line_end;
                if let Some(h) = self.src[key_start..line_end].find(" #") {
                    e = key_start + h;
                }
                while e > key_start && is_ws(self.b[e - 1]) {
                    e -= 1;
                }
                let text = self.src[key_start..e].to_owned();
                let what = if text.len() > 40 { format!("{}…", truncate(&text, 40)) } else { text.clone() };
                self.error(
                    Self::r(key_start, e),
                    format!("expected ':' after '{what}': every line here is a `key: value` pair"),
                );
                let key = self.push_plain(key_start, e, text, Props::default());
                self.pos = line_end;
                Entry { key, value: None, colon: None }
            }
        }
    }

    fn check_duplicates(&mut self, id: NodeId) {
        let NodeKind::Mapping(m) = &self.nodes[id.0 as usize].kind else { return };
        if m.entries.len() < 2 {
            return;
        }
        let mut seen: HashMap<&str, ()> = HashMap::with_capacity(m.entries.len());
        let mut dups = Vec::new();
        for e in &m.entries {
            let k = &self.nodes[e.key.0 as usize];
            if let NodeKind::Scalar(s) = &k.kind {
                if s.value == "<<" && s.style == ScalarStyle::Plain {
                    continue;
                }
                if seen.insert(s.value.as_str(), ()).is_some() {
                    dups.push((k.range, s.value.clone()));
                }
            }
        }
        for (range, key) in dups {
            self.diag(
                DUPLICATE_KEY,
                range,
                format!("duplicate key '{key}': CloudFormation keeps only one of them; remove or rename one"),
            );
        }
    }

    fn block_sequence(&mut self, indent: usize, props: Props) -> NodeId {
        let start = self.pos;
        let mut items = Vec::new();
        let mut end = start + 1;
        loop {
            let dash = self.pos;
            self.pos += 1;
            let item = match self.value(indent as i64, true, false) {
                Some(id) => id,
                None => self.empty_scalar(dash + 1, Props::default()),
            };
            end = end.max(self.nodes[item.0 as usize].full_range().end as usize).max(dash + 1);
            items.push(item);
            loop {
                match self.next_content_line(self.pos) {
                    Some((p, ind)) if ind == indent && self.is_seq_entry(p) => {
                        self.goto(p);
                        break;
                    }
                    Some((p, ind)) if ind > indent && !self.is_doc_marker(p) => {
                        self.goto(p);
                        let e = self.line_end_of(p);
                        self.error(
                            Self::r(p, e),
                            format!("unexpected indentation: this line is indented {ind} spaces, the items around it {indent}"),
                        );
                        self.pos = e;
                        continue;
                    }
                    _ => {
                        let node = Node {
                            range: Self::r(start, end),
                            tag: None,
                            anchor: None,
                            kind: NodeKind::Sequence(Sequence { items, flow: false }),
                        };
                        return self.push_with_props(node, props);
                    }
                }
            }
        }
    }

    fn too_deep(&mut self, parent_indent: i64, props: Props) -> NodeId {
        let at = self.pos;
        self.diag(
            TOO_DEEP,
            Self::r(at, self.line_end_of(at)),
            format!("nesting deeper than {MAX_DEPTH} levels is not analysed"),
        );
        // Skip the nested content: in flow context up to the matching bracket, in block context every
        // line indented more than the owner.
        if matches!(self.peek(), Some(b'[' | b'{')) {
            self.skip_flow_balanced();
        } else {
            self.skip_block(parent_indent);
        }
        self.empty_scalar(at, props)
    }

    fn skip_flow_balanced(&mut self) {
        let mut depth = 0usize;
        while let Some(c) = self.peek() {
            match c {
                b'[' | b'{' => depth += 1,
                b']' | b'}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        self.pos += 1;
                        return;
                    }
                }
                _ => {}
            }
            self.pos += 1;
        }
    }

    // ----- properties and aliases ---------------------------------------------------------------

    fn props(&mut self) -> Props {
        let mut props = Props::default();
        loop {
            match self.peek() {
                Some(b'!') if props.tag.is_none() => {
                    let start = self.pos;
                    self.pos += 1;
                    while self.peek().is_some_and(|c| !is_ws(c) && c != b'\n' && c != b'\r' && !is_flow_indicator(c)) {
                        self.pos += 1;
                    }
                    props.tag =
                        Some(Tag { name: self.src[start..self.pos].to_owned(), range: Self::r(start, self.pos) });
                }
                Some(b'&') if props.anchor.is_none() => {
                    self.pos += 1;
                    let start = self.pos;
                    while self.peek().is_some_and(|c| !is_ws(c) && c != b'\n' && c != b'\r' && !is_flow_indicator(c)) {
                        self.pos += 1;
                    }
                    if self.pos == start {
                        self.error(Self::r(start - 1, start), "an anchor needs a name after '&'");
                    } else {
                        props.anchor = Some(Self::r(start, self.pos));
                    }
                }
                _ => return props,
            }
            self.skip_inline_ws();
        }
    }

    fn alias(&mut self, props: Props) -> NodeId {
        let start = self.pos;
        self.pos += 1;
        while self.peek().is_some_and(|c| !is_ws(c) && c != b'\n' && c != b'\r' && !is_flow_indicator(c)) {
            self.pos += 1;
        }
        let name = self.src[start + 1..self.pos].to_owned();
        let target = self.anchors.get(&name).copied();
        if target.is_none() {
            self.diag(
                UNDEFINED_ALIAS,
                Self::r(start, self.pos),
                format!("alias '*{name}' refers to no anchor defined before it (define `&{name}` first)"),
            );
        }
        self.has_aliases = true;
        let node = Node {
            range: Self::r(start, self.pos),
            tag: None,
            anchor: None,
            kind: NodeKind::Alias(Alias { name, target }),
        };
        self.push_with_props(node, props)
    }

    // ----- scalars ------------------------------------------------------------------------------

    fn push_plain(&mut self, start: usize, end: usize, value: String, props: Props) -> NodeId {
        let node = Node {
            range: Self::r(start, end),
            tag: None,
            anchor: None,
            kind: NodeKind::Scalar(Scalar { value, style: ScalarStyle::Plain }),
        };
        self.push_with_props(node, props)
    }

    /// A plain scalar in block context; continuation lines must be indented more than `parent_indent`.
    fn plain(&mut self, parent_indent: i64, props: Props) -> NodeId {
        let start = self.pos;
        let (first_end, bad_colon) = self.plain_line_end(start);
        let mut value = self.src[start..first_end].to_owned();
        let mut end = first_end;
        if let Some(c) = bad_colon {
            self.error(
                Self::r(c, c + 1),
                "a mapping cannot start on the same line as its key; put it on the next line, indented",
            );
            let line_end = self.line_end_of(start);
            self.pos = line_end;
            return self.push_plain(start, end, value, props);
        }
        self.pos = first_end;
        // Continuation lines (multi-line plain scalar), folded with single spaces; blank lines are newlines.
        loop {
            let line_end = self.line_end_of(self.pos);
            if !self.at_line_end() || self.peek() == Some(b'#') {
                break;
            }
            let mut p = line_end;
            let mut blank_lines = 0;
            let next = loop {
                if p >= self.b.len() {
                    break None;
                }
                p += self.break_len(p);
                let ls = p;
                while self.peek_at(p).is_some_and(is_ws) {
                    p += 1;
                }
                match self.peek_at(p) {
                    None => break None,
                    Some(b'\n' | b'\r') => {
                        blank_lines += 1;
                        continue;
                    }
                    Some(_) => break Some((p, p - ls)),
                }
            };
            let Some((p, ind)) = next else { break };
            if ind as i64 <= parent_indent
                || self.b[p] == b'#'
                || self.is_doc_marker(p)
                || self.line_is_key(p)
                || (self.is_seq_entry(p) && ind as i64 <= parent_indent + 1)
            {
                break;
            }
            let (e, colon) = self.plain_line_end(p);
            if colon.is_some() {
                break;
            }
            if blank_lines == 0 {
                value.push(' ');
            } else {
                for _ in 0..blank_lines {
                    value.push('\n');
                }
            }
            value.push_str(&self.src[p..e]);
            end = e;
            self.pos = e;
        }
        self.pos = end;
        self.finish_line();
        self.push_plain(start, end, value, props)
    }

    /// Where a plain scalar's text on this line ends (before a comment and trailing spaces), and the
    /// offset of a `: ` inside it, which makes it an (illegal here) mapping.
    fn plain_line_end(&self, start: usize) -> (usize, Option<usize>) {
        let line_end = self.line_end_of(start);
        let mut p = start;
        let mut colon = None;
        while p < line_end {
            let c = self.b[p];
            if c == b'#' && p > start && is_ws(self.b[p - 1]) {
                break;
            }
            if c == b':' && colon.is_none() && (p + 1 >= line_end || is_ws(self.b[p + 1])) {
                colon = Some(p);
            }
            p += 1;
        }
        let mut e = p;
        while e > start && is_ws(self.b[e - 1]) {
            e -= 1;
        }
        (e, colon)
    }

    /// A single- or double-quoted scalar; may span lines indented more than `parent_indent`.
    fn quoted(&mut self, parent_indent: i64, props: Props) -> NodeId {
        let start = self.pos;
        let q = self.b[start];
        let double = q == b'"';
        let mut value = String::new();
        let mut p = start + 1;
        let mut seg = p;
        let closed;
        loop {
            let Some(c) = self.peek_at(p) else {
                closed = None;
                break;
            };
            if c == q {
                if !double && self.peek_at(p + 1) == Some(b'\'') {
                    value.push_str(&self.src[seg..p]);
                    value.push('\'');
                    p += 2;
                    seg = p;
                    continue;
                }
                value.push_str(&self.src[seg..p]);
                closed = Some(p + 1);
                break;
            }
            if double && c == b'\\' {
                value.push_str(&self.src[seg..p]);
                p = self.escape(p, &mut value);
                seg = p;
                continue;
            }
            if c == b'\n' || c == b'\r' {
                // Line folding: trailing spaces trimmed, a break becomes a space, empty lines newlines.
                value.push_str(self.src[seg..p].trim_end_matches([' ', '\t']));
                let mut blank = 0;
                let mut q2 = p;
                let resume = loop {
                    q2 += self.break_len(q2);
                    let ls = q2;
                    while self.peek_at(q2).is_some_and(is_ws) {
                        q2 += 1;
                    }
                    match self.peek_at(q2) {
                        Some(b'\n' | b'\r') => blank += 1,
                        None => break None,
                        Some(_) => break Some((q2, q2 - ls)),
                    }
                };
                match resume {
                    Some((rp, ind)) if ind as i64 > parent_indent && !self.is_doc_marker(rp) => {
                        if blank == 0 {
                            value.push(' ');
                        }
                        for _ in 0..blank {
                            value.push('\n');
                        }
                        p = rp;
                        seg = p;
                        continue;
                    }
                    _ => {
                        closed = None;
                        break;
                    }
                }
            }
            p += 1;
        }
        let (end, value) = match closed {
            Some(end) => (end, value),
            None => {
                // Unterminated: the string ends with its first line, so the rest of the document keeps
                // its structure.
                let line_end = self.line_end_of(start);
                self.error(
                    Self::r(start, line_end),
                    format!("unterminated string: add the closing {}", if double { "\"" } else { "'" }),
                );
                let raw = &self.src[start + 1..line_end];
                (line_end, raw.to_owned())
            }
        };
        self.pos = end;
        let node = Node {
            range: Self::r(start, end),
            tag: None,
            anchor: None,
            kind: NodeKind::Scalar(Scalar {
                value,
                style: if double { ScalarStyle::DoubleQuoted } else { ScalarStyle::SingleQuoted },
            }),
        };
        self.push_with_props(node, props)
    }

    /// Decodes the escape at `p` (a backslash) into `out`; returns the offset after it.
    fn escape(&mut self, p: usize, out: &mut String) -> usize {
        let Some(c) = self.peek_at(p + 1) else {
            return p + 1;
        };
        let simple = match c {
            b'0' => Some('\0'),
            b'a' => Some('\x07'),
            b'b' => Some('\x08'),
            b't' | b'\t' => Some('\t'),
            b'n' => Some('\n'),
            b'v' => Some('\x0b'),
            b'f' => Some('\x0c'),
            b'r' => Some('\r'),
            b'e' => Some('\x1b'),
            b' ' => Some(' '),
            b'"' => Some('"'),
            b'/' => Some('/'),
            b'\\' => Some('\\'),
            b'N' => Some('\u{85}'),
            b'_' => Some('\u{a0}'),
            b'L' => Some('\u{2028}'),
            b'P' => Some('\u{2029}'),
            _ => None,
        };
        if let Some(ch) = simple {
            out.push(ch);
            return p + 2;
        }
        let digits = match c {
            b'x' => 2,
            b'u' => 4,
            b'U' => 8,
            b'\n' | b'\r' => {
                // An escaped line break joins the lines without a space.
                let mut q = p + 1;
                q += self.break_len(q);
                while self.peek_at(q).is_some_and(is_ws) {
                    q += 1;
                }
                return q;
            }
            _ => {
                let ch_len = self.src[p + 1..].chars().next().map_or(1, char::len_utf8);
                self.error(Self::r(p, p + 1 + ch_len), "unknown escape sequence in a double-quoted string");
                out.push_str(&self.src[p..p + 1 + ch_len]);
                return p + 1 + ch_len;
            }
        };
        let hex = self.src.get(p + 2..p + 2 + digits).filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
        match hex.and_then(|h| u32::from_str_radix(h, 16).ok()).and_then(char::from_u32) {
            Some(ch) => {
                out.push(ch);
                p + 2 + digits
            }
            None => {
                self.error(Self::r(p, (p + 2).min(self.b.len())), "invalid escape sequence in a double-quoted string");
                p + 2
            }
        }
    }

    /// A literal (`|`) or folded (`>`) block scalar.
    fn block_scalar(&mut self, parent_indent: i64, props: Props) -> NodeId {
        let start = self.pos;
        let literal = self.b[start] == b'|';
        self.pos += 1;
        let mut chomp = 0i8; // -1 strip, 0 clip, 1 keep
        let mut explicit: Option<usize> = None;
        for _ in 0..2 {
            match self.peek() {
                Some(b'-') => {
                    chomp = -1;
                    self.pos += 1;
                }
                Some(b'+') => {
                    chomp = 1;
                    self.pos += 1;
                }
                Some(c @ b'1'..=b'9') => {
                    explicit = Some((c - b'0') as usize);
                    self.pos += 1;
                }
                _ => {}
            }
        }
        self.finish_line();
        let header_end = self.pos;
        let base = if parent_indent < 0 { 0 } else { parent_indent as usize + 1 };
        let mut content_indent = explicit.map(|e| (parent_indent.max(0) as usize) + e);
        let mut lines: Vec<(usize, usize)> = Vec::new(); // (content start, content end) per line
        let mut p = self.line_end_of(header_end);
        let mut end = header_end;
        while p < self.b.len() {
            let ls = p + self.break_len(p);
            if ls > self.b.len() {
                break;
            }
            let mut q = ls;
            while self.peek_at(q) == Some(b' ') {
                q += 1;
            }
            let le = self.line_end_of(ls.min(self.b.len()));
            let ind = q - ls;
            let blank = q >= le;
            if blank {
                // Spaces beyond the content indentation are content in a literal scalar.
                let keep_from = content_indent.map_or(le, |ci| (ls + ci).min(le));
                lines.push((keep_from, le));
                p = le;
                continue;
            }
            let ci = *content_indent.get_or_insert(ind.max(base));
            if ind < ci || ind < base || self.is_doc_marker(q) {
                break;
            }
            lines.push((ls + ci, le));
            end = le;
            p = le;
        }
        // Trailing blank lines belong to the chomping, not to the node's range.
        let n = last_content(&lines);
        let trailing_blank = lines.len() - n;
        let mut value = String::new();
        if literal {
            for (i, &(s, e)) in lines[..n].iter().enumerate() {
                if i > 0 {
                    value.push('\n');
                }
                value.push_str(&self.src[s.min(e)..e]);
            }
        } else {
            let mut prev: Option<&str> = None;
            let mut pending_blank = 0;
            for &(s, e) in &lines[..n] {
                let text = &self.src[s.min(e)..e];
                if text.is_empty() {
                    pending_blank += 1;
                    continue;
                }
                if let Some(p) = prev {
                    let more = text.starts_with([' ', '\t']) || p.starts_with([' ', '\t']);
                    if pending_blank == 0 {
                        value.push(if more { '\n' } else { ' ' });
                    } else if more {
                        value.push('\n');
                    }
                }
                for _ in 0..pending_blank {
                    value.push('\n');
                }
                pending_blank = 0;
                value.push_str(text);
                prev = Some(text);
            }
        }
        if n > 0 && chomp >= 0 {
            value.push('\n');
        }
        if n > 0 && chomp > 0 {
            for _ in 0..trailing_blank {
                value.push('\n');
            }
        }
        self.pos = end.max(header_end);
        let node = Node {
            range: Self::r(start, end.max(header_end)),
            tag: None,
            anchor: None,
            kind: NodeKind::Scalar(Scalar {
                value,
                style: if literal { ScalarStyle::Literal } else { ScalarStyle::Folded },
            }),
        };
        self.push_with_props(node, props)
    }

    // ----- flow context -------------------------------------------------------------------------

    /// Skips spaces, line breaks and comments inside a flow collection. Returns false when a line
    /// starts at or left of `parent_indent` (the collection was not closed: recover there).
    fn flow_ws(&mut self, parent_indent: i64) -> bool {
        loop {
            match self.peek() {
                Some(b' ' | b'\t') => self.pos += 1,
                Some(b'\r' | b'\n') => {
                    let next = self.next_content_line(self.pos);
                    match next {
                        Some((p, ind)) => {
                            // YAML wants flow content indented, but loaders accept it at the owner's
                            // indentation; a line left of it, or a `key:` line at it, means the
                            // collection was never closed.
                            let closing = matches!(self.b[p], b']' | b'}');
                            let ind = ind as i64;
                            let left = ind < parent_indent || (ind == parent_indent && self.line_is_key(p));
                            if (left && !closing) || self.is_doc_marker(p) {
                                return false;
                            }
                            self.pos = p;
                        }
                        None => {
                            self.pos = self.b.len();
                            return false;
                        }
                    }
                }
                Some(b'#') if self.at_line_end() => self.pos = self.line_end_of(self.pos),
                None => return false,
                _ => return true,
            }
        }
    }

    fn flow_node(&mut self, parent_indent: i64, props: Props) -> NodeId {
        if self.depth >= MAX_DEPTH {
            return self.too_deep(parent_indent, props);
        }
        self.depth += 1;
        let id = match self.peek() {
            Some(b'[') => self.flow_sequence(parent_indent, props),
            Some(b'{') => self.flow_mapping(parent_indent, props),
            Some(b'"' | b'\'') => self.quoted(parent_indent, props),
            Some(b'*') => self.alias(props),
            _ => self.flow_plain(props),
        };
        self.depth -= 1;
        id
    }

    /// A node inside a flow collection, with its properties.
    fn flow_item(&mut self, parent_indent: i64) -> NodeId {
        let props = self.props();
        self.skip_inline_ws();
        match self.peek() {
            None | Some(b',' | b']' | b'}') => self.empty_scalar(self.pos, props),
            Some(b'\n' | b'\r') => {
                let at = self.pos;
                if self.flow_ws(parent_indent) && !matches!(self.peek(), Some(b',' | b']' | b'}')) {
                    self.flow_node(parent_indent, props)
                } else {
                    self.empty_scalar(at, props)
                }
            }
            _ => self.flow_node(parent_indent, props),
        }
    }

    fn flow_plain(&mut self, props: Props) -> NodeId {
        let start = self.pos;
        let line_end = self.line_end_of(start);
        let mut p = start;
        while p < line_end {
            let c = self.b[p];
            if is_flow_indicator(c) {
                break;
            }
            if c == b':' && (p + 1 >= line_end || is_ws(self.b[p + 1]) || is_flow_indicator(self.b[p + 1])) {
                break;
            }
            if c == b'#' && p > start && is_ws(self.b[p - 1]) {
                break;
            }
            p += 1;
        }
        let mut e = p;
        while e > start && is_ws(self.b[e - 1]) {
            e -= 1;
        }
        if e == start && p == start {
            // Not a scalar start at all (for example a stray ':'): consume one character.
            let ch_len = self.src[start..].chars().next().map_or(1, char::len_utf8);
            self.error(Self::r(start, start + ch_len), "unexpected character in a flow collection");
            self.pos = start + ch_len;
            return self.empty_scalar(start, props);
        }
        self.pos = e;
        self.push_plain(start, e, self.src[start..e].to_owned(), props)
    }

    fn flow_sequence(&mut self, parent_indent: i64, props: Props) -> NodeId {
        let start = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        let end;
        loop {
            if !self.flow_ws(parent_indent) {
                self.error(Self::r(start, start + 1), "this '[' is never closed: add ']'");
                end = self.last_end(start + 1, &items);
                break;
            }
            match self.peek() {
                Some(b']') => {
                    self.pos += 1;
                    end = self.pos;
                    break;
                }
                Some(b',') => {
                    self.error(Self::r(self.pos, self.pos + 1), "missing value before ','");
                    self.pos += 1;
                    continue;
                }
                Some(b'}') => {
                    self.error(Self::r(self.pos, self.pos + 1), "'}' where ']' was expected");
                    self.pos += 1;
                    end = self.pos;
                    break;
                }
                _ => {}
            }
            let before = self.pos;
            let item = self.flow_item(parent_indent);
            // `[key: value]` is a sequence holding a one-entry mapping.
            let item = self.flow_pair_in_sequence(item, parent_indent);
            items.push(item);
            if !self.flow_ws(parent_indent) {
                self.error(Self::r(start, start + 1), "this '[' is never closed: add ']'");
                end = self.last_end(start + 1, &items);
                break;
            }
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {}
                _ if self.pos == before => {
                    self.pos += 1;
                }
                _ => self.error(Self::r(self.pos, self.pos + 1), "expected ',' or ']'"),
            }
        }
        let node = Node {
            range: Self::r(start, end),
            tag: None,
            anchor: None,
            kind: NodeKind::Sequence(Sequence { items, flow: true }),
        };
        self.push_with_props(node, props)
    }

    fn flow_pair_in_sequence(&mut self, key: NodeId, parent_indent: i64) -> NodeId {
        let save = self.pos;
        self.skip_inline_ws();
        if self.peek() == Some(b':') {
            let colon = self.pos;
            self.pos += 1;
            let value = self.flow_item(parent_indent);
            let range = self.nodes[key.0 as usize].full_range().cover(self.nodes[value.0 as usize].full_range());
            let node = Node {
                range,
                tag: None,
                anchor: None,
                kind: NodeKind::Mapping(Mapping {
                    entries: vec![Entry { key, value: Some(value), colon: Some(colon as u32) }],
                    flow: true,
                }),
            };
            return self.push(node);
        }
        self.pos = save;
        key
    }

    fn last_end(&self, fallback: usize, ids: &[NodeId]) -> usize {
        ids.last().map_or(fallback, |i| self.nodes[i.0 as usize].full_range().end as usize)
    }

    fn flow_mapping(&mut self, parent_indent: i64, props: Props) -> NodeId {
        let start = self.pos;
        self.pos += 1;
        let mut entries: Vec<Entry> = Vec::new();
        let end;
        loop {
            if !self.flow_ws(parent_indent) {
                self.error(Self::r(start, start + 1), "this '{' is never closed: add '}'");
                end = entries.last().map_or(start + 1, |e| self.entry_end(e));
                break;
            }
            match self.peek() {
                Some(b'}') => {
                    self.pos += 1;
                    end = self.pos;
                    break;
                }
                Some(b',') => {
                    self.error(Self::r(self.pos, self.pos + 1), "missing entry before ','");
                    self.pos += 1;
                    continue;
                }
                Some(b']') => {
                    self.error(Self::r(self.pos, self.pos + 1), "']' where '}' was expected");
                    self.pos += 1;
                    end = self.pos;
                    break;
                }
                _ => {}
            }
            let before = self.pos;
            let key = self.flow_item(parent_indent);
            let mut entry = Entry { key, value: None, colon: None };
            let ok = self.flow_ws(parent_indent);
            if ok && self.peek() == Some(b':') {
                entry.colon = Some(self.pos as u32);
                self.pos += 1;
                let ok = self.flow_ws(parent_indent);
                if ok && !matches!(self.peek(), Some(b',' | b'}')) {
                    entry.value = Some(self.flow_item(parent_indent));
                }
            }
            entries.push(entry);
            if !self.flow_ws(parent_indent) {
                self.error(Self::r(start, start + 1), "this '{' is never closed: add '}'");
                end = entries.last().map_or(start + 1, |e| self.entry_end(e));
                break;
            }
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {}
                _ if self.pos == before => self.pos += 1,
                _ => self.error(Self::r(self.pos, self.pos + 1), "expected ',' or '}'"),
            }
        }
        let node = Node {
            range: Self::r(start, end),
            tag: None,
            anchor: None,
            kind: NodeKind::Mapping(Mapping { entries, flow: true }),
        };
        let id = self.push_with_props(node, props);
        self.check_duplicates(id);
        id
    }
}

/// Number of lines up to and including the last one with content.
fn last_content(lines: &[(usize, usize)]) -> usize {
    lines.iter().rposition(|(s, e)| s < e).map_or(0, |i| i + 1)
}

fn truncate(s: &str, max: usize) -> &str {
    let mut end = max.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}
