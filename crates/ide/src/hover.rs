//! Hover: what a name in the template refers to (Ref/GetAtt/Sub/DependsOn/Condition/FindInMap
//! targets, resolved against the template and the schema), intrinsic function docs, resource type
//! docs and property docs (type, required, allowed values, constraints, update behaviour).
//!
//! Like completion, hover first finds what is under the cursor (a reference, a function name, a
//! `Type` value, a key below `Properties`), then renders the one answer for it.

use samwise_syntax::{NodeId, NodeKind, TextRange};
use samwise_template::intrinsics::value_range;
use samwise_template::model::PSEUDO_PARAMETERS;
use samwise_template::{RefKind, Template};

use crate::completion::docs;
use crate::completion::schema::{self, Seg};
use crate::{Analysis, Hover};

pub(crate) fn hover(a: &Analysis, offset: u32) -> Option<Hover> {
    let t = a.template()?;
    if let Some(h) = reference(a, t, offset) {
        return Some(h);
    }
    if let Some(call) = t.intrinsics.iter().find(|i| i.name_range.contains_inclusive(offset)) {
        let range = Some(unquoted(&t.text, call.name_range)).filter(|r| r.contains_inclusive(offset));
        return Some(Hover { range: range.unwrap_or(call.name_range), markdown: docs::intrinsic(&call.name)? });
    }
    if let Some(r) =
        t.resources.iter().find(|r| r.type_node.is_some_and(|n| t.tree.node(n).range.contains_inclusive(offset)))
    {
        let rt = a.data().resource_type(r.type_name.as_deref()?)?;
        let full = t.tree.node(r.type_node?).range;
        let range = Some(value_range(&t.tree, r.type_node?)).filter(|r| r.contains_inclusive(offset)).unwrap_or(full);
        return Some(Hover { range, markdown: docs::resource_type(&rt) });
    }
    key(a, t, offset)
}

/// Hover on a name that refers to something: the reference's target described.
fn reference(a: &Analysis, t: &Template, offset: u32) -> Option<Hover> {
    let r = t.references.iter().find(|r| {
        r.range.contains_inclusive(offset) || r.attribute_range.is_some_and(|ar| ar.contains_inclusive(offset))
    })?;
    if let (Some(attr), Some(ar)) = (&r.attribute, r.attribute_range)
        && ar.contains_inclusive(offset)
    {
        let type_name = type_of(t, &r.target)?;
        let rt = a.data().resource_type(&type_name)?;
        let found = rt
            .attributes
            .iter()
            .find(|x| x.name == *attr || (x.name.ends_with('*') && attr.starts_with(x.name.trim_end_matches('*'))))?;
        return Some(Hover { range: ar, markdown: docs::attribute(&rt, found) });
    }
    let markdown = match r.kind {
        RefKind::Condition => {
            let c = t.condition(&r.target)?;
            format!("**{}** (condition)\n\n{}", c.name, excerpt(t, c.value))
        }
        RefKind::FindInMap => {
            let m = t.mapping(&r.target)?;
            let keys: Vec<&str> =
                m.value.map(|v| t.tree.entries(v).iter().map(|e| t.tree.key_str(e)).collect()).unwrap_or_default();
            format!("**{}** (mapping)\n\nTop-level keys: {}", m.name, keys.join(", "))
        }
        _ => describe_target(a, t, &r.target)?,
    };
    Some(Hover { range: r.range, markdown })
}

/// A range without the quotes around it (JSON keys).
fn unquoted(text: &str, r: TextRange) -> TextRange {
    let b = text.as_bytes();
    if r.len() >= 2 && b.get(r.start as usize) == Some(&b'"') && b.get(r.end as usize - 1) == Some(&b'"') {
        TextRange::new(r.start + 1, r.end - 1)
    } else {
        r
    }
}

/// The resource type a logical id names, including SAM's generated resources.
fn type_of(t: &Template, name: &str) -> Option<String> {
    match t.resource(name) {
        Some(r) => r.type_name.clone(),
        None => crate::completion::sam_implicit(t).into_iter().find(|(n, _)| n == name).map(|(_, ty)| ty),
    }
}

/// Markdown describing what a `Ref`/`${}` name stands for: a parameter, a resource, a pseudo
/// parameter or a resource the SAM transform generates.
pub(crate) fn describe_target(a: &Analysis, t: &Template, name: &str) -> Option<String> {
    if let Some(p) = t.parameter(name) {
        let get = |k: &str| p.value.and_then(|v| t.tree.get_value(v, k)).and_then(|n| t.tree.as_str(n));
        let mut s = format!("**{}** (parameter)", p.name);
        if let Some(ty) = get("Type") {
            s.push_str(&format!("\n\nType: `{ty}`"));
        }
        if let Some(d) = get("Default") {
            s.push_str(&format!("\n\nDefault: `{d}`"));
        }
        if let Some(d) = get("Description") {
            s.push_str(&format!("\n\n{d}"));
        }
        return Some(s);
    }
    if let Some(r) = t.resource(name) {
        let ty = r.type_name.as_deref().unwrap_or("?");
        let mut s = format!("**{}** (resource)\n\nType: `{ty}`", r.name);
        if let Some(rt) = a.data().resource_type(ty) {
            let first = rt.description.split(". ").next().unwrap_or("").trim();
            if !first.is_empty() {
                s.push_str(&format!("\n\n{}", first.trim_end_matches('.')));
                s.push('.');
            }
            s.push_str(&format!("\n\n`Ref` returns {}", ref_returns(ty)));
        }
        return Some(s);
    }
    if PSEUDO_PARAMETERS.contains(&name) {
        return docs::pseudo(name);
    }
    let (n, ty) = crate::completion::sam_implicit(t).into_iter().find(|(n, _)| n == name)?;
    Some(format!("**{n}** (generated by the SAM transform)\n\nType: `{ty}`"))
}

/// What `Ref` returns for a resource type, in words (the common cases; the schema does not say).
fn ref_returns(type_name: &str) -> &'static str {
    match type_name {
        "AWS::SQS::Queue" => "the queue URL.",
        "AWS::SNS::Topic" => "the topic ARN.",
        "AWS::IAM::ManagedPolicy" | "AWS::StepFunctions::StateMachine" | "AWS::Serverless::StateMachine" => "the ARN.",
        "AWS::Lambda::LayerVersion" | "AWS::Serverless::LayerVersion" => "the layer version ARN.",
        _ => "the resource's physical id (usually its name).",
    }
}

/// The first line of a node's text, for conditions.
fn excerpt(t: &Template, node: Option<NodeId>) -> String {
    let Some(n) = node else { return String::new() };
    let r = t.tree.node(n).full_range();
    let text = t.text.get(r.as_range()).unwrap_or("");
    let first = text.lines().next().unwrap_or("");
    format!("```yaml\n{}\n```", if first.len() > 120 { &first[..first.floor_char_boundary(120)] } else { first })
}

/// Hover on a key: a section, a property below `Properties` (or in `Globals`), a resource id.
fn key(a: &Analysis, t: &Template, offset: u32) -> Option<Hover> {
    let nodes = t.tree.path_at(offset);
    let &last = nodes.last()?;
    let mut segs: Vec<Seg> = Vec::new();
    let mut key_range: Option<TextRange> = None;
    let mut key_node: Option<NodeId> = None;
    for w in nodes.windows(2) {
        match &t.tree.node(w[0]).kind {
            NodeKind::Mapping(m) => {
                let e = m.entries.iter().find(|e| e.key == w[1] || e.value == Some(w[1]))?;
                segs.push(Seg::Key(t.tree.key_str(e).to_owned()));
                if e.key == w[1] {
                    key_range = Some(t.tree.node(e.key).range);
                    key_node = Some(e.key);
                }
            }
            NodeKind::Sequence(s) => segs.push(Seg::Item(s.items.iter().position(|&i| i == w[1]).unwrap_or(0))),
            _ => return None,
        }
    }
    key_range.filter(|_| t.tree.node(last).range == key_range.unwrap_or_default())?;
    // Without the quotes of a JSON key (unless the cursor is on a quote).
    let range = Some(value_range(&t.tree, key_node?)).filter(|r| r.contains_inclusive(offset)).or(key_range)?;
    let k = |i: usize| segs.get(i).and_then(Seg::key);
    match (segs.len(), k(0)) {
        (1, Some(s)) => return Some(Hover { range, markdown: docs::section(s)? }),
        (2, Some("Resources")) => {
            let r = t.resource(k(1)?)?;
            let markdown = format!("**{}** (resource)\n\nType: `{}`", r.name, r.type_name.as_deref().unwrap_or("?"));
            return Some(Hover { range, markdown });
        }
        _ => {}
    }
    let (type_name, resource, rel_start) = match k(0)? {
        "Resources" if k(2) == Some("Properties") => (t.resource(k(1)?)?.type_name.clone()?, true, 3),
        "Globals" => (format!("AWS::Serverless::{}", k(1)?), false, 2),
        _ => return None,
    };
    let rel = &segs[rel_start..];
    let (name, parent) = rel.split_last()?;
    let name = name.key()?;
    let rt = a.data().resource_type(&type_name)?;
    let base = if resource { t.resource(k(1)?)?.properties } else { t.globals_for(&type_name) };
    let disc = |i: usize| -> Option<String> {
        let mut node = base?;
        for seg in &parent[..i] {
            node = match seg {
                Seg::Key(k) => t.tree.get_value(node, k)?,
                Seg::Item(n) => *t.tree.items(node).get(*n)?,
            };
        }
        t.tree.get_value(node, "Type").and_then(|n| t.tree.as_str(n)).map(str::to_owned)
    };
    let shapes = schema::walk(&rt, rt.properties, parent, &disc);
    let (p, required) = schema::find_property(&rt, &shapes, name)?;
    Some(Hover { range, markdown: docs::property(&rt, p, required, parent.is_empty()) })
}
