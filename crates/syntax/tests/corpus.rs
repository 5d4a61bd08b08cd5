//! Every template of the real-world corpus parses without a syntax diagnostic, and to the same values
//! as a conforming YAML loader (serde_yaml, used here only as a test oracle).

use std::path::{Path, PathBuf};

use samwise_syntax::{Format, NodeId, NodeKind, Tree, parse};
use serde_yaml::Value;

fn corpus_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus");
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Compares our node with the oracle's value; returns a description of the first difference.
fn same(tree: &Tree, id: NodeId, v: &Value, path: &str) -> Result<(), String> {
    let node = tree.node(id);
    let v = match (&node.tag, v) {
        (Some(tag), Value::Tagged(t)) => {
            if t.tag != tag.name.as_str() {
                return Err(format!("{path}: tag {} vs {}", tag.name, t.tag));
            }
            &t.value
        }
        (None, Value::Tagged(t)) => return Err(format!("{path}: oracle has tag {}", t.tag)),
        (Some(tag), _) => return Err(format!("{path}: we have tag {}", tag.name)),
        (None, v) => v,
    };
    match (&tree.node(tree.resolve(id)).kind, v) {
        (NodeKind::Mapping(m), Value::Mapping(om)) => {
            let ours: Vec<_> = m.entries.iter().filter(|e| tree.key_str(e) != "<<").collect();
            if om.contains_key("<<") || ours.len() != m.entries.len() {
                return Ok(()); // merge keys: the oracle expands them, we keep them
            }
            if ours.len() != om.len() {
                return Err(format!("{path}: {} keys vs {}", ours.len(), om.len()));
            }
            for e in ours {
                let key = tree.key_str(e);
                let ov = om.get(key).ok_or_else(|| format!("{path}: key {key} missing in oracle"))?;
                match e.value {
                    Some(val) => same(tree, val, ov, &format!("{path}/{key}"))?,
                    None if ov.is_null() => {}
                    None => return Err(format!("{path}/{key}: empty vs {ov:?}")),
                }
            }
            Ok(())
        }
        (NodeKind::Sequence(s), Value::Sequence(os)) => {
            if s.items.len() != os.len() {
                return Err(format!("{path}: {} items vs {}", s.items.len(), os.len()));
            }
            for (i, (&a, b)) in s.items.iter().zip(os).enumerate() {
                same(tree, a, b, &format!("{path}/{i}"))?;
            }
            Ok(())
        }
        (NodeKind::Scalar(s), Value::String(o)) if &s.value == o => Ok(()),
        (NodeKind::Scalar(s), Value::Null) if s.is_null() => Ok(()),
        (NodeKind::Scalar(s), Value::Bool(b)) if s.value.eq_ignore_ascii_case(&b.to_string()) => Ok(()),
        (NodeKind::Scalar(s), Value::Number(n)) => {
            let ours: Option<f64> = s.value.parse().ok();
            if ours == n.as_f64() || s.value.starts_with("0x") || s.value.starts_with("0o") {
                Ok(())
            } else {
                Err(format!("{path}: {:?} vs number {n}", s.value))
            }
        }
        (NodeKind::Scalar(s), o) => Err(format!("{path}: {:?} vs {o:?}", s.value)),
        (k, o) => Err(format!("{path}: {} vs {o:?}", kind_name(k))),
    }
}

fn kind_name(k: &NodeKind) -> &'static str {
    match k {
        NodeKind::Scalar(_) => "scalar",
        NodeKind::Mapping(_) => "mapping",
        NodeKind::Sequence(_) => "sequence",
        NodeKind::Alias(_) => "alias",
    }
}

/// Corpus files that are not valid YAML, verified with PyYAML as well: (file name part, reason).
const KNOWN_INVALID: &[(&str, &str)] = &[(
    "rds-sns-event-notification/template.yaml",
    "line 3: text after a closing quote (`'...' (uksb-...)`); PyYAML: expected <block end>, but found '<scalar>'",
)];

#[test]
fn corpus_parses_cleanly_and_agrees_with_a_conforming_loader() {
    let files = corpus_files();
    assert!(files.len() >= 130, "corpus missing: {}", files.len());
    let mut failures = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let tree = parse(&text, Format::Yaml);
        if let Some((_, why)) = KNOWN_INVALID.iter().find(|(name, _)| f.ends_with(name)) {
            assert!(!tree.diagnostics().is_empty(), "{} should be reported: {why}", f.display());
            continue;
        }
        if let Some(d) = tree.diagnostics().first() {
            failures.push(format!("{}: {} at {:?}", f.display(), d.message, d.range));
            continue;
        }
        let oracle: Value = match serde_yaml::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{}: oracle rejects: {e}", f.display()));
                continue;
            }
        };
        let Some(root) = tree.root() else {
            failures.push(format!("{}: no root", f.display()));
            continue;
        };
        if let Err(e) = same(&tree, root, &oracle, "") {
            failures.push(format!("{}: {e}", f.display()));
        }
    }
    assert!(failures.is_empty(), "{} of {} files differ:\n{}", failures.len(), files.len(), failures.join("\n"));
}
