//! Where the cursor is, structurally: the path of keys and sequence items from the document root
//! to the mapping whose key is being typed (or to the value being typed), read so that it works on
//! broken documents.
//!
//! YAML is read from the raw lines, not from the tree: a half-typed key, a key without its colon or
//! an empty line under `Properties:` do not exist in the tree (or sit in the wrong place, as the
//! previous key's value), but the indentation of the cursor line against the lines above says
//! exactly which mapping the cursor is in. JSON has no indentation rules, so it is read from the
//! error-tolerant tree (which keeps unterminated strings and keys without colons).

use samwise_syntax::{Format, NodeId, NodeKind, ScalarStyle, Tree};
use samwise_template::intrinsics::long_name_of_tag;

use super::schema::Seg;

/// Whether a key or a value is being typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum At {
    Key,
    Value,
}

#[derive(Debug, Clone)]
pub(crate) struct Cursor {
    pub offset: u32,
    pub format: Format,
    /// For [`At::Key`] the path of the mapping the key goes in; for [`At::Value`] the path of the value.
    pub path: Vec<Seg>,
    pub at: At,
    /// The value typed so far (from the value's first character to the cursor) on this line.
    pub value_text: String,
    /// Column of the key being typed or of the key owning the value (YAML), for indenting inserts.
    pub indent: usize,
    /// The cursor is inside a quoted JSON string.
    pub in_quotes: bool,
    /// A `:` already follows the key under the cursor.
    pub has_colon: bool,
    /// The written values of the earlier items of the innermost sequence (FindInMap levels).
    pub prev_items: Vec<String>,
    /// Keys already present in the mapping a key is being typed in (not counting the one typed).
    pub present: Vec<String>,
}

impl Cursor {
    pub(crate) fn last_key(&self) -> Option<&str> {
        self.path.last().and_then(Seg::key)
    }
}

pub(crate) fn locate(text: &str, tree: &Tree, format: Format, offset: u32) -> Option<Cursor> {
    let offset = offset.min(text.len() as u32);
    if !text.is_char_boundary(offset as usize) {
        return None;
    }
    match format {
        Format::Yaml => yaml(text, tree, offset),
        Format::Json => json(text, tree, offset),
    }
}

// ---------------------------------------------------------------------------------------------
// YAML
// ---------------------------------------------------------------------------------------------

/// One YAML line split into its structural parts (columns are byte offsets within the line).
#[derive(Debug, Default)]
struct LineParts<'a> {
    indent: usize,
    /// Columns of the `- ` indicators at the start of the line.
    dashes: Vec<usize>,
    /// Column of the first character after the indentation and dashes.
    content_col: usize,
    /// The key (unquoted) and its column, when the line holds `key:`.
    key: Option<(&'a str, usize)>,
    /// Column of the key's colon.
    colon: Option<usize>,
    /// Column where the value after `key: ` (or after the dashes) starts.
    value_col: usize,
    blank: bool,
}

fn parse_line(line: &str) -> LineParts<'_> {
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() && b[i] == b' ' {
        i += 1;
    }
    let mut p = LineParts { indent: i, ..LineParts::default() };
    if i >= b.len() || b[i] == b'#' || line[i..].trim().is_empty() {
        p.blank = true;
        return p;
    }
    while i < b.len() && b[i] == b'-' && (i + 1 == b.len() || b[i + 1] == b' ' || b[i + 1] == b'\t') {
        p.dashes.push(i);
        i += 1;
        while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
            i += 1;
        }
    }
    p.content_col = i;
    p.value_col = i;
    if let Some((key, colon)) = find_key(&line[i..]) {
        p.key = Some((key, i));
        p.colon = Some(i + colon);
        let mut v = i + colon + 1;
        while v < b.len() && (b[v] == b' ' || b[v] == b'\t') {
            v += 1;
        }
        p.value_col = v;
    }
    p
}

/// A `key:` at the start of `s`: the unquoted key and the colon's offset. Plain keys end at the
/// first `:` followed by a space or the end of the line (so `Fn::GetAtt:` is one key).
fn find_key(s: &str) -> Option<(&str, usize)> {
    let b = s.as_bytes();
    let first = *b.first()?;
    if first == b'"' || first == b'\'' {
        let close = s[1..].find(first as char)? + 1;
        let rest = &s[close + 1..];
        let colon = close + 1 + (rest.len() - rest.trim_start().len());
        return (b.get(colon) == Some(&b':') && b.get(colon + 1).is_none_or(|c| c.is_ascii_whitespace()))
            .then(|| (&s[1..close], colon));
    }
    if matches!(first, b'!' | b'&' | b'*' | b'{' | b'[' | b'|' | b'>' | b'#' | b'%' | b'@' | b'`') {
        return None;
    }
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b':' if b.get(i + 1).is_none_or(|c| *c == b' ' || *c == b'\t') => {
                return Some((s[..i].trim_end(), i));
            }
            b'#' if i > 0 && b[i - 1] == b' ' => return None,
            b'{' | b'[' => return None,
            _ => i += 1,
        }
    }
    None
}

/// The lines of `text` above the line starting at `line_start`, nearest first, as (start, text).
fn lines_above(text: &str, line_start: usize) -> impl Iterator<Item = (usize, &str)> {
    let mut end = line_start;
    std::iter::from_fn(move || {
        if end == 0 {
            return None;
        }
        let head = &text[..end - 1];
        let start = head.rfind('\n').map_or(0, |i| i + 1);
        end = start;
        let l = &head[start..];
        Some((start, l.strip_suffix('\r').unwrap_or(l)))
    })
}

fn yaml(text: &str, tree: &Tree, offset: u32) -> Option<Cursor> {
    let off = offset as usize;
    let line_start = text[..off].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[off..].find('\n').map_or(text.len(), |i| off + i);
    let line = text[line_start..line_end].trim_end_matches('\r');
    let before = &text[line_start..off];
    if before.contains(" #") || before.trim_start().starts_with('#') {
        return None;
    }
    let here = parse_line(before);
    let whole = parse_line(line);
    let col = before.len();

    let mut rev: Vec<Seg> = Vec::new();
    let mut prev_items = Vec::new();
    // `Fn::` or `Key:` right before the cursor: the key is still being typed.
    let key_done = here.colon.is_some_and(|c| c + 1 < col);
    let (at, value_text, indent) = match here.key.filter(|_| key_done) {
        Some((key, kcol)) => {
            rev.push(Seg::Key(key.to_owned()));
            (At::Value, before[here.value_col.min(col)..].to_owned(), kcol)
        }
        None if !here.dashes.is_empty() && here.content_col < col => {
            (At::Value, before[here.content_col..].to_owned(), here.content_col)
        }
        // `- ` with nothing typed yet: an item value, or the first key of an item mapping.
        None if !here.dashes.is_empty() => (At::Value, String::new(), here.content_col),
        None => (At::Key, String::new(), if here.blank { col } else { here.content_col }),
    };
    // A key typed on a line that has its colon after the cursor (editing an existing key).
    let has_colon = at == At::Key && whole.colon.is_some_and(|c| c >= col);
    if let Some(&d) = here.dashes.first() {
        for (n, _) in here.dashes.iter().enumerate().rev() {
            if n == 0 {
                let (index, items) = item_index(text, line_start, d);
                if rev.is_empty() {
                    prev_items = items;
                }
                rev.push(Seg::Item(index));
            } else {
                rev.push(Seg::Item(0));
            }
        }
    }
    let mut need = here.dashes.first().copied().unwrap_or(indent);
    let mut item_col = here.dashes.first().copied();
    let present =
        if at == At::Key { siblings(text, line_start, line_end, indent, here.dashes.is_empty()) } else { vec![] };

    let mut above = lines_above(text, line_start);
    while need > 0 {
        let Some((line_top, l)) = above.next() else { break };
        // Most lines above are deeper than the parent sought: skip them on their indentation alone.
        let spaces = l.bytes().take_while(|&b| b == b' ').count();
        if spaces > need || (spaces == need && item_col != Some(need)) {
            continue;
        }
        let p = parse_line(l);
        if p.blank {
            continue;
        }
        // An indentless sequence (`Key:` with `- item` lines at the key's column) belongs to the key.
        let indentless = p.indent == need
            && item_col == Some(need)
            && p.dashes.is_empty()
            && p.key.is_some()
            && p.value_col >= l.len();
        if p.indent >= need && !indentless {
            continue;
        }
        match p.key {
            Some((key, kcol)) if kcol < need || indentless => {
                let value = l[p.value_col.min(l.len())..].trim();
                let value = value.split(" #").next().unwrap_or("").trim();
                if let Some(tag) = value.strip_prefix('!').filter(|t| !t.contains(' ')) {
                    // `Key: !FindInMap` with the arguments on the following lines.
                    if let Some(long) = long_name_of_tag(&format!("!{tag}")) {
                        rev.push(Seg::Key(long.to_owned()));
                    }
                } else if value.starts_with('|') || value.starts_with('>') {
                    return None; // inside a block scalar
                } else if !value.is_empty() && !value.starts_with('&') {
                    return None; // inside a multi-line plain or quoted scalar
                }
                rev.push(Seg::Key(key.to_owned()));
                push_items(text, line_top, &p, &mut rev);
                need = p.dashes.first().copied().unwrap_or(kcol);
                item_col = p.dashes.first().copied();
                if need > 0 && need <= 2 && item_col.is_none() {
                    // The next parent is a top-level key: the tree's root entries (in order) give it
                    // without reading the thousands of lines a large `Resources` section has above.
                    match top_level_key_before(tree, line_top as u32) {
                        Some(k) => rev.push(Seg::Key(k)),
                        None => return None,
                    }
                    break;
                }
            }
            _ => {
                if let Some(&d) = p.dashes.first().filter(|&&d| d < need) {
                    push_items(text, line_top, &p, &mut rev);
                    need = d;
                    item_col = Some(d);
                }
            }
        }
    }
    rev.reverse();
    Some(Cursor {
        offset,
        format: Format::Yaml,
        path: rev,
        at,
        value_text,
        indent,
        in_quotes: false,
        has_colon,
        prev_items,
        present,
    })
}

/// The last top-level key starting before `offset`, if its entry has a block value (or none yet).
fn top_level_key_before(tree: &Tree, offset: u32) -> Option<String> {
    let root = tree.root()?;
    let entries = tree.entries(root);
    let i = entries.partition_point(|e| tree.node(e.key).range.start < offset);
    let e = entries.get(i.checked_sub(1)?)?;
    if let Some(v) = e.value
        && tree.scalar(v).is_some_and(|s| !s.is_null())
        && tree.node(v).tag.is_none()
    {
        return None;
    }
    Some(tree.key_str(e).to_owned())
}

fn push_items(text: &str, line_top: usize, p: &LineParts<'_>, rev: &mut Vec<Seg>) {
    for (n, &d) in p.dashes.iter().enumerate().rev() {
        rev.push(Seg::Item(if n == 0 { item_index(text, line_top, d).0 } else { 0 }));
    }
}

/// The index of the sequence item whose `-` is at column `dash` on the line starting at
/// `line_start`, and the written values of the items before it.
fn item_index(text: &str, line_start: usize, dash: usize) -> (usize, Vec<String>) {
    let mut items = Vec::new();
    for (_, l) in lines_above(text, line_start) {
        let p = parse_line(l);
        if p.blank || p.indent > dash {
            continue;
        }
        if p.indent < dash || p.dashes.first() != Some(&dash) {
            break;
        }
        items.push(l[p.content_col.min(l.len())..].trim().to_owned());
    }
    items.reverse();
    (items.len(), items)
}

/// Keys written at column `col` in the same mapping as the cursor line (excluding the cursor line).
fn siblings(text: &str, line_start: usize, line_end: usize, col: usize, scan_up: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut add = |p: &LineParts<'_>| {
        if let Some((k, kc)) = p.key
            && kc == col
        {
            out.push(k.to_owned());
        }
    };
    if scan_up {
        for (_, l) in lines_above(text, line_start) {
            if l.bytes().take_while(|&b| b == b' ').count() > col {
                continue;
            }
            let p = parse_line(l);
            if p.blank || p.indent > col {
                continue;
            }
            if p.indent < col {
                // The first key of a sequence item mapping sits on the dash line.
                if p.dashes.last().is_some_and(|_| p.content_col == col) {
                    add(&p);
                }
                break;
            }
            add(&p);
        }
    }
    let below = text.get(line_end + 1..).unwrap_or("");
    for l in below.split('\n') {
        let p = parse_line(l.trim_end_matches('\r'));
        if p.blank || p.indent > col {
            continue;
        }
        if p.indent < col || !p.dashes.is_empty() {
            break;
        }
        add(&p);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------------------

fn json(text: &str, tree: &Tree, offset: u32) -> Option<Cursor> {
    let nodes = tree.path_at(offset);
    let mut path = Vec::new();
    let mut cursor = Cursor {
        offset,
        format: Format::Json,
        path: Vec::new(),
        at: At::Key,
        value_text: String::new(),
        indent: 0,
        in_quotes: false,
        has_colon: false,
        prev_items: Vec::new(),
        present: Vec::new(),
    };
    let keys_of = |m: NodeId, except: Option<NodeId>| -> Vec<String> {
        tree.entries(m).iter().filter(|e| Some(e.key) != except).map(|e| tree.key_str(e).to_owned()).collect()
    };
    for w in nodes.windows(2) {
        let (parent, child) = (w[0], w[1]);
        match &tree.node(parent).kind {
            NodeKind::Mapping(m) => {
                if let Some(e) = m.entries.iter().find(|e| e.key == child) {
                    // The cursor is in a key: the path so far is the mapping's.
                    let r = tree.node(child).range;
                    cursor.at = At::Key;
                    cursor.in_quotes = text.as_bytes().get(r.start as usize) == Some(&b'"') && offset > r.start;
                    cursor.has_colon = e.colon.is_some();
                    cursor.present = keys_of(parent, Some(child));
                    cursor.path = path;
                    return Some(cursor);
                }
                if let Some(e) = m.entries.iter().find(|e| e.value == Some(child)) {
                    path.push(Seg::Key(tree.key_str(e).to_owned()));
                }
            }
            NodeKind::Sequence(s) => {
                let i = s.items.iter().position(|&x| x == child).unwrap_or(0);
                path.push(Seg::Item(i));
                cursor.prev_items = s.items[..i].iter().map(|&x| tree.as_str(x).unwrap_or("").to_owned()).collect();
            }
            _ => {}
        }
    }
    let last = *nodes.last()?;
    let node = tree.node(last);
    match &node.kind {
        NodeKind::Scalar(s) => {
            cursor.at = At::Value;
            let quoted = matches!(s.style, ScalarStyle::DoubleQuoted);
            cursor.in_quotes = quoted && offset > node.range.start;
            let start = node.range.start as usize + usize::from(quoted);
            cursor.value_text = text.get(start..offset as usize).unwrap_or("").to_owned();
        }
        NodeKind::Mapping(m) => {
            // After `"Key": ` with no value yet, the value of that key is being typed.
            if let Some(e) = m.entries.iter().rev().find(|e| tree.node(e.key).range.start < offset)
                && e.value.is_none()
                && e.colon.is_some_and(|c| c < offset)
            {
                path.push(Seg::Key(tree.key_str(e).to_owned()));
                cursor.at = At::Value;
                cursor.path = path;
                return Some(cursor);
            }
            cursor.at = At::Key;
            cursor.present = keys_of(last, None);
        }
        NodeKind::Sequence(s) => {
            let i = s.items.iter().filter(|&&x| tree.node(x).range.end <= offset).count();
            cursor.prev_items = s.items[..i].iter().map(|&x| tree.as_str(x).unwrap_or("").to_owned()).collect();
            path.push(Seg::Item(i));
            cursor.at = At::Value;
        }
        NodeKind::Alias(_) => return None,
    }
    cursor.path = path;
    Some(cursor)
}
