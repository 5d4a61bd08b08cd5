//! A compact, line-per-node rendering of a tree, for snapshot tests and debugging.

use std::fmt::Write;

use crate::tree::{NodeId, NodeKind, ScalarStyle, Tree};

/// Renders `tree` one node per line, indented by depth, with byte ranges, followed by its diagnostics:
/// `map 0..20`, `  key "a" 0..1`, `  str "b" 3..4 !Ref`, `error SW1001 5..9 message`.
pub fn dump(tree: &Tree) -> String {
    let mut out = String::new();
    if let Some(root) = tree.root() {
        node(tree, root, 0, &mut out);
    }
    for d in tree.diagnostics() {
        let _ = writeln!(out, "{} {} {}..{} {}", d.severity.as_str(), d.code, d.range.start, d.range.end, d.message);
    }
    out
}

fn node(tree: &Tree, id: NodeId, depth: usize, out: &mut String) {
    let n = tree.node(id);
    let pad = "  ".repeat(depth);
    let mut suffix = String::new();
    if let Some(t) = &n.tag {
        let _ = write!(suffix, " {}", t.name);
    }
    if n.anchor.is_some() {
        suffix.push_str(" &");
    }
    let r = n.range;
    match &n.kind {
        NodeKind::Scalar(s) => {
            let style = match s.style {
                ScalarStyle::Plain => "str",
                ScalarStyle::SingleQuoted => "sq",
                ScalarStyle::DoubleQuoted => "dq",
                ScalarStyle::Literal => "lit",
                ScalarStyle::Folded => "fold",
            };
            let _ = writeln!(out, "{pad}{style} {:?} {}..{}{suffix}", s.value, r.start, r.end);
        }
        NodeKind::Alias(a) => {
            let _ = writeln!(out, "{pad}alias *{} {}..{} -> {:?}", a.name, r.start, r.end, a.target.map(|t| t.0));
        }
        NodeKind::Sequence(s) => {
            let _ = writeln!(out, "{pad}seq{} {}..{}{suffix}", if s.flow { " flow" } else { "" }, r.start, r.end);
            for &i in &s.items {
                node(tree, i, depth + 1, out);
            }
        }
        NodeKind::Mapping(m) => {
            let _ = writeln!(out, "{pad}map{} {}..{}{suffix}", if m.flow { " flow" } else { "" }, r.start, r.end);
            for e in &m.entries {
                let k = tree.node(e.key);
                let key = tree.as_str(e.key).unwrap_or("?");
                let colon = if e.colon.is_some() { "" } else { " (no colon)" };
                let _ = writeln!(out, "{pad}  key {key:?} {}..{}{colon}", k.range.start, k.range.end);
                match e.value {
                    Some(v) => node(tree, v, depth + 2, out),
                    None => {
                        let _ = writeln!(out, "{pad}    (none)");
                    }
                }
            }
        }
    }
}
