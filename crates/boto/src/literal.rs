//! Python literals as the checks need them: the static value of a string, its length as `len()`
//! counts it, numbers, and the Python type of a literal expression.

use tree_sitter::Node;

use crate::PyFile;

/// The Python type of a literal expression; `None` from [`literal`] means "not a literal".
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Lit {
    /// A `str`; `value` is `None` when escapes, interpolation or concatenation hide the exact value.
    Str {
        value: Option<String>,
    },
    Bytes,
    Int(Option<i128>),
    Float(Option<f64>),
    Bool,
    None,
    Dict,
    List,
}

impl Lit {
    pub fn type_name(&self) -> &'static str {
        match self {
            Lit::Str { .. } => "str",
            Lit::Bytes => "bytes",
            Lit::Int(_) => "int",
            Lit::Float(_) => "float",
            Lit::Bool => "bool",
            Lit::None => "None",
            Lit::Dict => "dict",
            Lit::List => "list",
        }
    }
}

/// The string's prefix letters (`f`, `b`, `rb`, ...), lowercased.
fn prefix(file: &PyFile, s: Node<'_>) -> String {
    let start = s.child(0).map(|c| file.node_text(c)).unwrap_or("");
    start.trim_end_matches(['"', '\'']).to_ascii_lowercase()
}

/// The byte range of a string literal's content (between the quotes).
pub(crate) fn string_content_range(s: Node<'_>) -> Option<(usize, usize)> {
    let n = s.child_count();
    if s.kind() != "string" || n < 2 {
        return None;
    }
    let start = s.child(0)?;
    let end = s.child(n - 1)?;
    if start.kind() != "string_start" || end.kind() != "string_end" {
        return None;
    }
    Some((start.end_byte(), end.start_byte()))
}

/// The exact value of a plain `str` literal: no escapes, no interpolation, no bytes prefix.
pub(crate) fn string_value(file: &PyFile, n: Node<'_>) -> Option<String> {
    if n.kind() != "string" {
        return None;
    }
    let p = prefix(file, n);
    if p.contains('b') {
        return None;
    }
    let raw = p.contains('r');
    let mut stack = vec![n];
    while let Some(x) = stack.pop() {
        if x.kind() == "interpolation" || (!raw && x.kind() == "escape_sequence") {
            return None;
        }
        let mut c = x.walk();
        stack.extend(x.named_children(&mut c));
    }
    let (s, e) = string_content_range(n)?;
    Some(file.text()[s..e].to_owned())
}

fn parse_int(t: &str) -> Option<i128> {
    let t = t.replace('_', "");
    let lower = t.to_ascii_lowercase();
    if let Some(h) = lower.strip_prefix("0x") {
        i128::from_str_radix(h, 16).ok()
    } else if let Some(o) = lower.strip_prefix("0o") {
        i128::from_str_radix(o, 8).ok()
    } else if let Some(b) = lower.strip_prefix("0b") {
        i128::from_str_radix(b, 2).ok()
    } else {
        lower.parse().ok()
    }
}

/// The literal kind of an expression, looking through parentheses and a leading minus.
pub(crate) fn literal(file: &PyFile, n: Node<'_>) -> Option<Lit> {
    Some(match n.kind() {
        "parenthesized_expression" => return literal(file, n.named_child(0)?),
        "string" => {
            if prefix(file, n).contains('b') {
                Lit::Bytes
            } else {
                Lit::Str { value: string_value(file, n) }
            }
        }
        "concatenated_string" => {
            let first = n.named_child(0)?;
            if prefix(file, first).contains('b') { Lit::Bytes } else { Lit::Str { value: None } }
        }
        "integer" => Lit::Int(parse_int(file.node_text(n))),
        "float" => {
            let t = file.node_text(n).replace('_', "");
            // Complex literals (`1j`) are neither int nor float.
            if t.ends_with(['j', 'J']) {
                return None;
            }
            Lit::Float(t.parse().ok())
        }
        "unary_operator" => {
            let op = n.child_by_field_name("operator").map(|o| file.node_text(o))?;
            let arg = n.child_by_field_name("argument")?;
            match (op, literal(file, arg)?) {
                ("-", Lit::Int(v)) => Lit::Int(v.map(|v| -v)),
                ("-", Lit::Float(v)) => Lit::Float(v.map(|v| -v)),
                ("+", l @ (Lit::Int(_) | Lit::Float(_))) => l,
                _ => return None,
            }
        }
        "true" | "false" => Lit::Bool,
        "none" => Lit::None,
        "dictionary" | "dictionary_comprehension" => Lit::Dict,
        "list" | "tuple" | "list_comprehension" => Lit::List,
        _ => return None,
    })
}
