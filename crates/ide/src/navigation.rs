//! Go to definition and find references.
//!
//! Both start by classifying what the cursor is on ([`target_at`]): a definition key (a parameter,
//! resource, condition or mapping) or a reference to one (Ref, GetAtt in both spellings and its
//! attribute part, `${}` variables of Fn::Sub, DependsOn, Condition, FindInMap). The name then
//! lives in one of three namespaces: parameters and resources share one (`Ref` names either),
//! conditions and mappings each have their own. Rename uses the same classification.
//!
//! A `Handler` value is the other kind of target: it goes to the Python or JavaScript function in
//! the function's `CodeUri` folder, relative to the template's own folder.

use std::path::{Path, PathBuf};

use samwise_syntax::{NodeId, TextRange};
use samwise_template::intrinsics::value_range;
use samwise_template::{RefKind, Reference, Template, Value};

use crate::{Analysis, Location};

/// The namespace a template name lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Namespace {
    /// Parameters and resources (and pseudo parameters and SAM-generated names, which have no
    /// definition in the template).
    Entity,
    Condition,
    Mapping,
}

/// A template name under the cursor.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub ns: Namespace,
    pub name: String,
    /// The range of the name under the cursor (for a definition, the key without quotes).
    pub range: TextRange,
}

impl Namespace {
    fn of(kind: RefKind) -> Namespace {
        match kind {
            RefKind::Ref | RefKind::GetAtt | RefKind::Sub | RefKind::DependsOn => Namespace::Entity,
            RefKind::Condition => Namespace::Condition,
            RefKind::FindInMap => Namespace::Mapping,
        }
    }
}

/// What the cursor is on: a reference (preferred, since a reference inside a definition's value is
/// more specific than the definition) or a definition key.
pub(crate) fn target_at(t: &Template, offset: u32) -> Option<Target> {
    for r in &t.references {
        let on_attr = r.attribute_range.is_some_and(|a| a.contains_inclusive(offset));
        if r.range.contains_inclusive(offset) || on_attr {
            return Some(Target { ns: Namespace::of(r.kind), name: r.target.clone(), range: r.range });
        }
    }
    if let Some((name, range)) = interface_mentions(t).into_iter().find(|(_, r)| r.contains_inclusive(offset)) {
        return Some(Target { ns: Namespace::Entity, name: name.to_owned(), range });
    }
    definitions(t).into_iter().find(|(_, _, range)| range.contains_inclusive(offset)).map(|(ns, name, range)| Target {
        ns,
        name: name.to_owned(),
        range,
    })
}

/// Every definition key of the template, with the range of the name (quotes excluded).
pub(crate) fn definitions(t: &Template) -> Vec<(Namespace, &str, TextRange)> {
    let mut out = Vec::new();
    let key = |id: NodeId| value_range(&t.tree, id);
    for p in &t.parameters {
        out.push((Namespace::Entity, p.name.as_str(), key(p.key)));
    }
    for r in &t.resources {
        out.push((Namespace::Entity, r.name.as_str(), key(r.key)));
    }
    for c in &t.conditions {
        out.push((Namespace::Condition, c.name.as_str(), key(c.key)));
    }
    for m in &t.mappings {
        out.push((Namespace::Mapping, m.name.as_str(), key(m.key)));
    }
    out
}

/// Parameter names written in the console's parameter layout, `Metadata:
/// AWS::CloudFormation::Interface` (`ParameterGroups[].Parameters[]` and the `ParameterLabels`
/// keys): not references to CloudFormation, but they go stale when a parameter is renamed.
pub(crate) fn interface_mentions(t: &Template) -> Vec<(&str, TextRange)> {
    let tree = &t.tree;
    let Some(interface) = t.section("Metadata").and_then(|m| tree.get_value(m, "AWS::CloudFormation::Interface"))
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let groups = tree.get_value(interface, "ParameterGroups").map_or(&[][..], |g| tree.items(g));
    for &group in groups {
        for &p in tree.get_value(group, "Parameters").map_or(&[][..], |p| tree.items(p)) {
            if let Some(name) = t.literal(p) {
                out.push((name, value_range(tree, p)));
            }
        }
    }
    for e in tree.get_value(interface, "ParameterLabels").map_or(&[][..], |l| tree.entries(l)) {
        out.push((tree.key_str(e), value_range(tree, e.key)));
    }
    out
}

/// Every place a name is used: its references, plus the parameter layout's mentions of a parameter.
pub(crate) fn uses_of(t: &Template, ns: Namespace, name: &str) -> Vec<TextRange> {
    let mut out: Vec<TextRange> = references_to(t, ns, name).iter().map(|r| r.range).collect();
    if ns == Namespace::Entity && t.parameter(name).is_some() {
        out.extend(interface_mentions(t).into_iter().filter(|(n, _)| *n == name).map(|(_, r)| r));
    }
    out
}

/// The definition of a name: the first key in its namespace (a duplicate is a diagnostic).
pub(crate) fn definition_of(t: &Template, ns: Namespace, name: &str) -> Option<TextRange> {
    definitions(t).into_iter().find(|(n, d, _)| *n == ns && *d == name).map(|(_, _, r)| r)
}

/// Every reference to a name in its namespace.
pub(crate) fn references_to<'t>(t: &'t Template, ns: Namespace, name: &str) -> Vec<&'t Reference> {
    t.references.iter().filter(|r| Namespace::of(r.kind) == ns && r.target == name).collect()
}

pub(crate) fn definition(a: &Analysis, offset: u32) -> Vec<Location> {
    let Some(t) = a.template() else { return Vec::new() };
    if let Some(target) = target_at(t, offset) {
        let here = |range| Location { path: None, range, target_text: None };
        return definition_of(t, target.ns, &target.name).map(here).into_iter().collect();
    }
    handler_definition(a, t, offset)
}

pub(crate) fn references(a: &Analysis, offset: u32, include_declaration: bool) -> Vec<Location> {
    let Some(t) = a.template() else { return Vec::new() };
    let Some(target) = target_at(t, offset) else { return Vec::new() };
    let mut ranges = uses_of(t, target.ns, &target.name);
    if include_declaration {
        ranges.extend(definition_of(t, target.ns, &target.name));
    }
    ranges.sort();
    ranges.dedup();
    ranges.into_iter().map(|range| Location { path: None, range, target_text: None }).collect()
}

/// From a `Handler` value to the function it names. A Handler in `Globals` serves every function
/// that inherits it, so it may lead to several files.
fn handler_definition(a: &Analysis, t: &Template, offset: u32) -> Vec<Location> {
    let Some(dir) = a.path().and_then(Path::parent) else { return Vec::new() };
    let mut out: Vec<Location> = Vec::new();
    for f in t.functions() {
        let Some(node) = f.handler_node else { continue };
        if !t.tree.node(node).range.contains_inclusive(offset) {
            continue;
        }
        let (Some(Value::String(handler)), Some(Value::String(code_uri))) = (&f.handler, &f.code_uri) else {
            continue;
        };
        let runtime = f.runtime.as_ref().and_then(Value::as_str).unwrap_or("");
        if let Some(loc) = find_handler(&dir.join(code_uri), handler, runtime)
            && !out.contains(&loc)
        {
            out.push(loc);
        }
    }
    out
}

/// The language of a handler's source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    Python,
    Node,
}

/// The source file a handler string names inside `code_dir`: Python `pkg.module.func` is
/// `pkg/module.py` (or the package `pkg/module/__init__.py`); JavaScript `path/file.func` is
/// `path/file.js`, `.mjs` or `.cjs`. When the runtime does not say which, both are tried. Returns
/// the file, its language and the function name.
pub(crate) fn handler_module<'h>(code_dir: &Path, handler: &'h str, runtime: &str) -> Option<(PathBuf, Lang, &'h str)> {
    let (module, func) = handler.rsplit_once('.')?;
    if module.is_empty() || func.is_empty() {
        return None;
    }
    let mut candidates: Vec<(PathBuf, Lang)> = Vec::new();
    if !runtime.starts_with("nodejs") {
        let rel = module.replace('.', "/");
        candidates.push((code_dir.join(format!("{rel}.py")), Lang::Python));
        candidates.push((code_dir.join(rel).join("__init__.py"), Lang::Python));
    }
    if !runtime.starts_with("python") {
        for ext in ["js", "mjs", "cjs"] {
            candidates.push((code_dir.join(format!("{module}.{ext}")), Lang::Node));
        }
    }
    candidates.into_iter().find(|(p, _)| p.is_file()).map(|(p, lang)| (p, lang, func))
}

/// The function a handler string names inside `code_dir` (see [`handler_module`]). A file without
/// the function still answers with the file's start, which is where the user has to add it.
pub(crate) fn find_handler(code_dir: &Path, handler: &str, runtime: &str) -> Option<Location> {
    let (path, lang, func) = handler_module(code_dir, handler, runtime)?;
    let text = crate::crossref::read_text(&path)?;
    let range = handler_def(&text, lang, func).unwrap_or_default();
    Some(Location { path: Some(path), range, target_text: Some(text) })
}

/// The name of the handler function in its file's text.
pub(crate) fn handler_def(text: &str, lang: Lang, func: &str) -> Option<TextRange> {
    match lang {
        Lang::Python => python_def(text, func),
        Lang::Node => js_export(text, func),
    }
}

/// The name of a top-level `def func` / `async def func`, else of an assignment `func = ...`.
fn python_def(text: &str, func: &str) -> Option<TextRange> {
    let mut assignment = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let rest = line.strip_prefix("async ").map(str::trim_start).unwrap_or(line);
        if let Some(after) = rest.strip_prefix("def ").map(str::trim_start)
            && word_at(after, func).is_some()
        {
            let at = start + line.len() - after.len();
            return Some(TextRange::new(at as u32, (at + func.len()) as u32));
        }
        if assignment.is_none()
            && let Some(after) = line.strip_prefix(func)
            && after.trim_start().starts_with('=')
            && !after.trim_start().starts_with("==")
        {
            assignment = Some(TextRange::new(start as u32, (start + func.len()) as u32));
        }
    }
    assignment
}

/// Whether `s` starts with the identifier `name` followed by a non-identifier character.
fn word_at<'s>(s: &'s str, name: &str) -> Option<&'s str> {
    let rest = s.strip_prefix(name)?;
    let boundary = rest.chars().next().is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '$'));
    boundary.then_some(rest)
}

/// The exported name in a JavaScript module: `exports.func`, `module.exports.func`,
/// `export function func`, `export async function func`, `export const|let|var func`, or
/// `func` inside a `module.exports = { ... }` / `export { ... }` list.
fn js_export(text: &str, func: &str) -> Option<TextRange> {
    const PREFIXES: &[&str] = &[
        "exports.",
        "module.exports.",
        "export function ",
        "export async function ",
        "export const ",
        "export let ",
        "export var ",
        "export function* ",
        "export async function* ",
    ];
    let mut offset = 0;
    let mut in_list = false;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        for p in PREFIXES {
            if let Some(after) = trimmed.strip_prefix(p)
                && word_at(after, func).is_some()
            {
                let at = start + indent + p.len();
                return Some(TextRange::new(at as u32, (at + func.len()) as u32));
            }
        }
        if trimmed.starts_with("module.exports = {") || trimmed.starts_with("export {") {
            in_list = true;
        }
        if in_list {
            // Shorthand entries (`func,`) and renamed ones (`func: impl`) in an export list.
            if let Some(col) = identifiers(line).find(|&(_, word)| word == func).map(|(col, _)| col) {
                let at = start + col;
                return Some(TextRange::new(at as u32, (at + func.len()) as u32));
            }
            if line.contains('}') {
                in_list = false;
            }
        }
    }
    None
}

/// The JavaScript identifiers of a line with their byte offsets.
fn identifiers(line: &str) -> impl Iterator<Item = (usize, &str)> {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    let mut rest = line.char_indices().peekable();
    std::iter::from_fn(move || {
        while let Some(&(i, c)) = rest.peek() {
            if is_ident(c) {
                let mut end = i;
                while let Some(&(j, c)) = rest.peek() {
                    if !is_ident(c) {
                        break;
                    }
                    end = j + c.len_utf8();
                    rest.next();
                }
                return Some((i, &line[i..end]));
            }
            rest.next();
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str, range: Option<TextRange>) -> Option<(u32, &str)> {
        range.map(|r| (r.start, &text[r.as_range()]))
    }

    #[test]
    fn python_definitions_prefer_def_over_assignment() {
        let text = "handler = wrap(impl)\n\nasync def handler(event, context):\n    pass\n";
        assert_eq!(found(text, python_def(text, "handler")), Some((32, "handler")));
        let text = "import x\nhandler = wrap(impl)\n";
        assert_eq!(found(text, python_def(text, "handler")), Some((9, "handler")));
        let text = "def handler_two(e, c):\n    pass\nif handler == 1: pass\n";
        assert_eq!(python_def(text, "handler"), None);
    }

    #[test]
    fn javascript_exports_in_every_spelling() {
        for (text, at) in [
            ("exports.handler = async (event) => {};\n", 8),
            ("const x = 1;\nexport const handler = async () => {};\n", 26),
            ("export async function handler(event) {}\n", 22),
            ("module.exports.handler = () => {};\n", 15),
            ("function handler() {}\nmodule.exports = {\n  other,\n  handler,\n};\n", 52),
            ("module.exports = { other /* → */, handler };\n", 36),
        ] {
            assert_eq!(found(text, js_export(text, "handler")), Some((at, "handler")), "{text}");
        }
        assert_eq!(js_export("export const handlerX = 1;\n", "handler"), None);
    }
}
