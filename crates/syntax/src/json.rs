//! An error-tolerant JSON parser producing the same tree as the YAML parser.
//!
//! CloudFormation accepts strict JSON only, so comments, trailing commas and single quotes are
//! reported; recovery skips to the next `,` or closing bracket at the same depth, so one typo does not
//! hide the rest of the template.

use crate::tree::{Entry, Format, Mapping, Node, NodeId, NodeKind, Scalar, ScalarStyle, Sequence, Tree};
use crate::yaml::{DUPLICATE_KEY, MAX_DEPTH, SYNTAX, TOO_DEEP};
use crate::{Diagnostic, TextRange};

pub fn parse(text: &str) -> Tree {
    let mut p = Parser { src: text, b: text.as_bytes(), pos: 0, nodes: Vec::new(), diags: Vec::new(), depth: 0 };
    if p.b.starts_with("\u{feff}".as_bytes()) {
        p.pos = 3;
    }
    p.ws();
    let root = if p.pos < p.b.len() { Some(p.value()) } else { None };
    p.ws();
    if p.pos < p.b.len() {
        let end = p.b.len();
        p.error(p.pos, end, "unexpected text after the end of the JSON document");
    }
    Tree { nodes: p.nodes, root, diagnostics: p.diags, format: Format::Json, has_aliases: false }
}

struct Parser<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    nodes: Vec<Node>,
    diags: Vec<Diagnostic>,
    depth: u32,
}

impl Parser<'_> {
    fn error(&mut self, start: usize, end: usize, msg: impl Into<String>) {
        if self.diags.len() < 1000 && self.diags.last().is_none_or(|d| d.range.start != start as u32) {
            self.diags.push(Diagnostic::error(SYNTAX, TextRange::new(start as u32, end as u32), msg));
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn ws(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.pos += 1,
                Some(b'/') if matches!(self.b.get(self.pos + 1), Some(b'/' | b'*')) => {
                    let start = self.pos;
                    if self.b[self.pos + 1] == b'/' {
                        while self.peek().is_some_and(|c| c != b'\n') {
                            self.pos += 1;
                        }
                    } else {
                        self.pos += 2;
                        while self.pos < self.b.len() && !self.b[self.pos..].starts_with(b"*/") {
                            self.pos += 1;
                        }
                        self.pos = (self.pos + 2).min(self.b.len());
                    }
                    self.error(start, self.pos, "comments are not allowed in JSON templates");
                }
                _ => return,
            }
        }
    }

    fn push(&mut self, range: (usize, usize), kind: NodeKind) -> NodeId {
        let id = NodeId(self.nodes.len() as u32);
        self.nodes.push(Node { range: TextRange::new(range.0 as u32, range.1 as u32), tag: None, anchor: None, kind });
        id
    }

    fn value(&mut self) -> NodeId {
        let start = self.pos;
        match self.peek() {
            Some(b'{' | b'[') if self.depth >= MAX_DEPTH => {
                self.diags.push(Diagnostic::error(
                    TOO_DEEP,
                    TextRange::new(start as u32, start as u32 + 1),
                    format!("nesting deeper than {MAX_DEPTH} levels is not analysed"),
                ));
                self.skip_balanced();
                self.push(
                    (start, self.pos),
                    NodeKind::Scalar(Scalar { value: String::new(), style: ScalarStyle::Plain }),
                )
            }
            Some(b'{') => {
                self.depth += 1;
                let id = self.object();
                self.depth -= 1;
                id
            }
            Some(b'[') => {
                self.depth += 1;
                let id = self.array();
                self.depth -= 1;
                id
            }
            Some(b'"') => self.string(),
            Some(b'\'') => {
                self.error(start, start + 1, "JSON strings use double quotes");
                self.string()
            }
            _ => self.bare(),
        }
    }

    fn skip_balanced(&mut self) {
        let mut depth = 0usize;
        let mut in_str = false;
        while let Some(c) = self.peek() {
            self.pos += 1;
            match c {
                b'\\' if in_str => self.pos += 1,
                b'"' => in_str = !in_str,
                b'{' | b'[' if !in_str => depth += 1,
                b'}' | b']' if !in_str => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return;
                    }
                }
                _ => {}
            }
        }
        self.pos = self.pos.min(self.b.len());
    }

    /// Numbers, `true`, `false`, `null`, or anything else up to a delimiter (reported).
    fn bare(&mut self) -> NodeId {
        let start = self.pos;
        while self.peek().is_some_and(|c| !matches!(c, b',' | b'}' | b']' | b':' | b' ' | b'\t' | b'\n' | b'\r' | b'"'))
        {
            self.pos += 1;
        }
        if self.pos == start {
            // A delimiter where a value should be.
            self.error(start, (start + 1).min(self.b.len()), "expected a value");
            return self
                .push((start, start), NodeKind::Scalar(Scalar { value: String::new(), style: ScalarStyle::Plain }));
        }
        let text = &self.src[start..self.pos];
        let valid = matches!(text, "true" | "false" | "null") || is_json_number(text);
        if !valid {
            self.error(start, self.pos, format!("'{text}' is not a JSON value: strings need double quotes"));
        }
        self.push((start, self.pos), NodeKind::Scalar(Scalar { value: text.to_owned(), style: ScalarStyle::Plain }))
    }

    fn string(&mut self) -> NodeId {
        let start = self.pos;
        let q = self.b[start];
        self.pos += 1;
        let mut value = String::new();
        let mut seg = self.pos;
        loop {
            match self.peek() {
                None | Some(b'\n') => {
                    value.push_str(self.src[seg..self.pos].trim_end_matches('\r'));
                    self.error(start, self.pos, "unterminated string: add the closing \"");
                    break;
                }
                Some(c) if c == q => {
                    value.push_str(&self.src[seg..self.pos]);
                    self.pos += 1;
                    break;
                }
                Some(b'\\') => {
                    value.push_str(&self.src[seg..self.pos]);
                    self.escape(&mut value);
                    seg = self.pos;
                }
                Some(_) => self.pos += 1,
            }
        }
        self.push((start, self.pos), NodeKind::Scalar(Scalar { value, style: ScalarStyle::DoubleQuoted }))
    }

    fn escape(&mut self, out: &mut String) {
        let at = self.pos;
        let c = self.b.get(at + 1).copied();
        self.pos += 2;
        let ch = match c {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\x08',
            Some(b'f') => '\x0c',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                let hex = |p: usize| self.src.get(p..p + 4).and_then(|h| u32::from_str_radix(h, 16).ok());
                match hex(at + 2) {
                    Some(hi @ 0xD800..=0xDBFF) if self.src.get(at + 6..at + 8) == Some("\\u") => {
                        let lo = hex(at + 8).unwrap_or(0);
                        self.pos = at + 12;
                        char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo.wrapping_sub(0xDC00) & 0x3FF))
                            .unwrap_or('\u{fffd}')
                    }
                    Some(v) => {
                        self.pos = at + 6;
                        char::from_u32(v).unwrap_or('\u{fffd}')
                    }
                    None => {
                        self.error(at, (at + 2).min(self.b.len()), "invalid \\u escape: it needs four hex digits");
                        '\u{fffd}'
                    }
                }
            }
            _ => {
                self.error(at, (at + 2).min(self.b.len()), "invalid escape sequence");
                self.pos = (at + 1).min(self.b.len());
                return;
            }
        };
        self.pos = self.pos.min(self.b.len());
        out.push(ch);
    }

    /// Skips to the next `,` or closing bracket at this depth (recovery after an error).
    fn recover(&mut self) {
        while let Some(c) = self.peek() {
            match c {
                b',' | b'}' | b']' => return,
                b'{' | b'[' => self.skip_balanced(),
                b'"' => {
                    self.string();
                    self.nodes.pop();
                }
                _ => self.pos += 1,
            }
        }
    }

    fn object(&mut self) -> NodeId {
        let start = self.pos;
        self.pos += 1;
        let mut entries = Vec::new();
        loop {
            self.ws();
            match self.peek() {
                None => {
                    self.error(start, start + 1, "this '{' is never closed: add '}'");
                    break;
                }
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                Some(b'"' | b'\'') => {}
                Some(b']') => {
                    self.error(self.pos, self.pos + 1, "']' where '}' was expected");
                    self.pos += 1;
                    break;
                }
                Some(_) => {
                    let s = self.pos;
                    self.recover_key();
                    self.error(s, self.pos.max(s + 1).min(self.b.len()), "expected a \"key\" in double quotes");
                    if self.peek() == Some(b',') {
                        self.pos += 1;
                    }
                    continue;
                }
            }
            let key = self.value();
            self.ws();
            let mut entry = Entry { key, value: None, colon: None };
            if self.peek() == Some(b':') {
                entry.colon = Some(self.pos as u32);
                self.pos += 1;
                self.ws();
                if matches!(self.peek(), Some(b',' | b'}') | None) {
                    self.error(self.pos.saturating_sub(1), self.pos, "expected a value after ':'");
                } else {
                    entry.value = Some(self.value());
                }
            } else {
                let r = self.nodes[key.0 as usize].range;
                self.error(r.start as usize, r.end as usize, "expected ':' after the key");
            }
            entries.push(entry);
            self.ws();
            match self.peek() {
                Some(b',') => {
                    let comma = self.pos;
                    self.pos += 1;
                    self.ws();
                    if self.peek() == Some(b'}') {
                        self.error(comma, comma + 1, "trailing comma: JSON does not allow a ',' before '}'");
                    }
                }
                Some(b'}') => {}
                Some(b'"') => {
                    let at = self.pos;
                    self.error(at, at + 1, "missing ',' between entries");
                }
                None => {}
                Some(_) => {
                    let at = self.pos;
                    self.recover();
                    self.error(at, self.pos.max(at + 1).min(self.b.len()), "expected ',' or '}'");
                    if self.peek() == Some(b',') {
                        self.pos += 1;
                    }
                }
            }
        }
        let mut dups = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for e in &entries {
            if let NodeKind::Scalar(s) = &self.nodes[e.key.0 as usize].kind
                && !seen.insert(s.value.clone())
            {
                dups.push((self.nodes[e.key.0 as usize].range, s.value.clone()));
            }
        }
        for (range, key) in dups {
            self.diags.push(Diagnostic::error(
                DUPLICATE_KEY,
                range,
                format!("duplicate key '{key}': CloudFormation keeps only one of them; remove or rename one"),
            ));
        }
        self.push((start, self.pos), NodeKind::Mapping(Mapping { entries, flow: true }))
    }

    fn recover_key(&mut self) {
        while let Some(c) = self.peek() {
            if matches!(c, b',' | b'}' | b'"') {
                return;
            }
            if matches!(c, b'{' | b'[') {
                self.skip_balanced();
            } else {
                self.pos += 1;
            }
        }
    }

    fn array(&mut self) -> NodeId {
        let start = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.ws();
            match self.peek() {
                None => {
                    self.error(start, start + 1, "this '[' is never closed: add ']'");
                    break;
                }
                Some(b']') => {
                    self.pos += 1;
                    break;
                }
                Some(b'}') => {
                    self.error(self.pos, self.pos + 1, "'}' where ']' was expected");
                    self.pos += 1;
                    break;
                }
                Some(b',') => {
                    self.error(self.pos, self.pos + 1, "missing value before ','");
                    self.pos += 1;
                    continue;
                }
                _ => {}
            }
            items.push(self.value());
            self.ws();
            match self.peek() {
                Some(b',') => {
                    let comma = self.pos;
                    self.pos += 1;
                    self.ws();
                    if self.peek() == Some(b']') {
                        self.error(comma, comma + 1, "trailing comma: JSON does not allow a ',' before ']'");
                    }
                }
                Some(b']') | None => {}
                Some(b'"' | b'{' | b'[') => {
                    let at = self.pos;
                    self.error(at, at + 1, "missing ',' between items");
                }
                Some(_) => {
                    let at = self.pos;
                    self.recover();
                    self.error(at, self.pos.max(at + 1).min(self.b.len()), "expected ',' or ']'");
                    if self.peek() == Some(b',') {
                        self.pos += 1;
                    }
                }
            }
        }
        self.push((start, self.pos), NodeKind::Sequence(Sequence { items, flow: true }))
    }
}

fn is_json_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if b.first() == Some(&b'-') {
        i += 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i == int_start || (b[int_start] == b'0' && i - int_start > 1) {
        return false;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let f = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == f {
            return false;
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let e = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == e {
            return false;
        }
    }
    i == b.len()
}
