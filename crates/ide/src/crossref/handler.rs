//! Handler ↔ code: whether the function a `Handler` names can be called the way Lambda calls it
//! (`SW6001`), hover on a `Handler` value, and renaming a Python handler function together with the
//! `Handler` strings that name it.
//!
//! A missing module or function is `SW4007` of `samwise-template`; this module judges the
//! function it finds. Lambda calls a Python handler as `handler(event, context)`, so it must accept
//! two positional arguments; decorated functions are skipped (a decorator may change the signature
//! the runtime sees). A Node.js handler takes `(event, context)` or, with a callback,
//! `(event, context, callback)` — except on `nodejs24.x` and later, which dropped callback handlers.

use std::path::Path;

use samwise_syntax::{TextEdit, TextRange};
use samwise_template::intrinsics::value_range;
use samwise_template::{FunctionDef, Template, Value};

use super::{code_dir, code_facts, functions_for_code_file, runtime_lang, shown};
use crate::navigation::{Lang, handler_def, handler_module};
use crate::{Analysis, Diagnostic, FileEdit, Hover};

/// A handler string resolved to its function.
struct Resolved {
    path: std::path::PathBuf,
    lang: Lang,
    func: String,
    /// The function part of the Handler string in the template.
    func_range: TextRange,
}

/// The handler of `f`, when its code is a local folder, the runtime is Python or Node.js and the
/// module exists. Functions built by a custom build step (`Metadata.BuildMethod`) are skipped: the
/// handler names the built file, not a source file.
fn resolve(t: &Template, template_path: &Path, f: &FunctionDef) -> Option<Resolved> {
    let lang = runtime_lang(f)?;
    let node = f.handler_node?;
    let Some(Value::String(handler)) = &f.handler else { return None };
    if build_method(t, &f.logical_id) {
        return None;
    }
    let dir = code_dir(template_path, f)?;
    let runtime = f.runtime.as_ref().and_then(Value::as_str).unwrap_or("");
    let (path, found_lang, func) = handler_module(&dir, handler, runtime)?;
    if found_lang != lang {
        return None;
    }
    let value = value_range(&t.tree, node);
    // The function part is the text after the last dot, when the value spells the handler literally.
    let text = t.text.get(value.as_range())?;
    if text != handler {
        return None;
    }
    let start = value.end - func.len() as u32;
    Some(Resolved { path, lang, func: func.to_owned(), func_range: TextRange::new(start, value.end) })
}

fn build_method(t: &Template, logical_id: &str) -> bool {
    let tree = &t.tree;
    t.resource(logical_id)
        .and_then(|r| r.value)
        .and_then(|v| tree.get_value(v, "Metadata"))
        .is_some_and(|m| tree.get(m, "BuildMethod").is_some())
}

pub(super) fn diagnostics(a: &Analysis) -> Vec<Diagnostic> {
    let (Some(t), Some(path)) = (a.template(), a.path()) else { return Vec::new() };
    let mut out = Vec::new();
    let mut seen = Vec::new();
    for f in t.functions() {
        let Some(r) = resolve(t, path, &f) else { continue };
        // A Handler in Globals is shared: report it once.
        if seen.contains(&r.func_range) {
            continue;
        }
        seen.push(r.func_range);
        let runtime = f.runtime.as_ref().and_then(Value::as_str).unwrap_or("");
        if let Some(problem) = arity_problem(&r, runtime) {
            out.push(Diagnostic::warning("SW6001", r.func_range, problem));
        }
    }
    out
}

/// Why the runtime cannot call the handler, if it cannot.
fn arity_problem(r: &Resolved, runtime: &str) -> Option<String> {
    let facts = code_facts(&r.path)?;
    match r.lang {
        Lang::Python => {
            let outline = facts.outline.as_ref()?;
            let mut defs = outline.functions.iter().filter(|f| f.name == r.func);
            let f = defs.next()?;
            // Several definitions (`if ...: def handler(...)` / `else: def handler(...)`): which one
            // runs is decided at import time.
            if f.decorated || defs.next().is_some() {
                return None;
            }
            let takes_two = f.positional >= 2 || f.star_args;
            if takes_two && f.required_positional <= 2 && !f.required_keyword_only {
                return None;
            }
            Some(format!(
                "Lambda calls the handler as `{}(event, context)`, but it is declared `{}`; declare it as \
                 `def {}(event, context):`",
                f.name,
                f.signature.trim_start_matches("async ").trim_start_matches("def "),
                f.name
            ))
        }
        Lang::Node => {
            let name = handler_def(&facts.text, Lang::Node, &r.func)?;
            let count = js_param_count(&facts.text, name.end as usize)?;
            let max = if callback_handlers_removed(runtime) { 2 } else { 3 };
            (count > max).then(|| {
                if max == 2 {
                    format!(
                        "'{}' takes {count} parameters; {runtime} calls handlers with (event, context) only — \
                         callback handlers are not supported from Node.js 24 on; return a Promise (async) instead",
                        r.func
                    )
                } else {
                    format!("'{}' takes {count} parameters; Lambda passes at most (event, context, callback)", r.func)
                }
            })
        }
    }
}

/// Whether a Node.js runtime no longer supports callback handlers (`nodejs24.x` and later).
fn callback_handlers_removed(runtime: &str) -> bool {
    let major = runtime.trim_start_matches("nodejs").split('.').next().and_then(|v| v.parse::<u32>().ok());
    major.is_some_and(|m| m >= 24)
}

/// The number of parameters of the function defined right after an exported name: `name = async
/// (a, b) =>`, `name = function (a, b)`, `name(a, b) {`, `name = a =>`. `None` when it cannot tell
/// (a rest parameter, a value that is not a function literal).
pub(super) fn js_param_count(text: &str, after_name: usize) -> Option<usize> {
    let mut rest = text.get(after_name..)?.trim_start();
    if let Some(r) = rest.strip_prefix('=') {
        rest = r.trim_start();
        if let Some(r) = rest.strip_prefix("async") {
            rest = r.trim_start();
        }
        if let Some(r) = rest.strip_prefix("function") {
            rest = r.trim_start().trim_start_matches('*').trim_start();
            // An optional name of the function expression.
            rest = rest.trim_start_matches(|c: char| c.is_alphanumeric() || c == '_' || c == '$').trim_start();
        } else if !rest.starts_with('(') {
            // `x => ...`: one parameter.
            let ident_end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))?;
            return (ident_end > 0 && rest[ident_end..].trim_start().starts_with("=>")).then_some(1);
        }
    }
    let inner = rest.strip_prefix('(')?;
    let mut depth = 0usize;
    let mut count = 0;
    let mut any = false;
    for c in inner.chars() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' if depth == 0 => return Some(if any { count + 1 } else { 0 }),
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => count += 1,
            '.' if depth == 0 => return None,
            c if !c.is_whitespace() => any = true,
            _ => {}
        }
    }
    None
}

pub(super) fn hover(a: &Analysis, offset: u32) -> Option<Hover> {
    let (t, path) = (a.template()?, a.path()?);
    let f = t
        .functions()
        .into_iter()
        .find(|f| f.handler_node.is_some_and(|n| value_range(&t.tree, n).contains_inclusive(offset)))?;
    let r = resolve(t, path, &f)?;
    let facts = code_facts(&r.path)?;
    let file = shown(&r.path, path);
    let markdown = match r.lang {
        Lang::Python => {
            let def = facts.outline.as_ref()?.functions.iter().rev().find(|d| d.name == r.func)?;
            let mut md = format!("```python\n{}\n```\n", def.signature);
            if let Some(doc) = &def.docstring {
                md.push_str(&format!("\n{}\n", dedent(doc)));
            }
            md.push_str(&format!("\nDefined in `{file}`"));
            md
        }
        Lang::Node => {
            let name = handler_def(&facts.text, Lang::Node, &r.func)?;
            let line_start = facts.text[..name.start as usize].rfind('\n').map_or(0, |i| i + 1);
            let line_end =
                facts.text[name.start as usize..].find('\n').map_or(facts.text.len(), |i| name.start as usize + i);
            format!("```javascript\n{}\n```\n\nDefined in `{file}`", facts.text[line_start..line_end].trim_end())
        }
    };
    Some(Hover { range: value_range(&t.tree, f.handler_node?), markdown })
}

/// A docstring with its common indentation removed (as `inspect.cleandoc` does).
fn dedent(doc: &str) -> String {
    let lines: Vec<&str> = doc.trim().lines().collect();
    let indent = lines
        .iter()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| if i == 0 { l.trim() } else { l.get(indent..).unwrap_or(l.trim()) })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Renaming a top-level Python function that templates name as a handler: the `def` name here and
/// the function part of each such `Handler` string. `None` when the cursor is not on such a
/// function's name (the rename is not ours to answer).
pub(crate) fn rename_handler(a: &Analysis, offset: u32, new_name: &str) -> Option<Result<Vec<FileEdit>, String>> {
    let (target, templates) = handler_under_cursor(a, offset)?;
    if !is_identifier(new_name) {
        return Some(Err(format!("'{new_name}' is not a valid Python function name")));
    }
    let text = a.text();
    let old = &text[target.as_range()];
    // Other uses in this file would need a Python rename, which is not ours to do.
    if let Some(other) = word_occurrences(text, old).into_iter().find(|&at| at != target.start as usize) {
        let line = a.line_index().line_col(other as u32).line + 1;
        return Some(Err(format!(
            "'{old}' is also used on line {line} of this file; rename it with your Python tooling and update the \
             template's Handler by hand"
        )));
    }
    let mut out = vec![FileEdit {
        path: None,
        edits: vec![TextEdit { range: target, new_text: new_name.to_owned() }],
        target_text: None,
    }];
    for (template_path, ranges, template_text) in templates {
        let edits = ranges.into_iter().map(|range| TextEdit { range, new_text: new_name.to_owned() }).collect();
        out.push(FileEdit { path: Some(template_path), edits, target_text: Some(template_text) });
    }
    Some(Ok(out))
}

/// The range of the handler function's name under the cursor, when templates name it.
pub(crate) fn prepare_rename_handler(a: &Analysis, offset: u32) -> Option<TextRange> {
    handler_under_cursor(a, offset).map(|(r, _)| r)
}

type TemplateRanges = Vec<(std::path::PathBuf, Vec<TextRange>, std::sync::Arc<str>)>;

/// The name of a top-level `def` under the cursor that some template's Handler names, with the
/// function-part ranges of those Handler strings per template.
fn handler_under_cursor(a: &Analysis, offset: u32) -> Option<(TextRange, TemplateRanges)> {
    let py = a.python()?;
    let path = a.path()?;
    let def = py.outline().functions.into_iter().find(|f| f.name_range.contains_inclusive(offset))?;
    let mut out: TemplateRanges = Vec::new();
    for (t, template_path, f) in functions_for_code_file(path) {
        let Some(r) = resolve(&t, &template_path, &f) else { continue };
        if r.func != def.name || super::normalize(&r.path) != super::normalize(path) {
            continue;
        }
        match out.iter_mut().find(|(p, _, _)| *p == template_path) {
            Some((_, ranges, _)) if !ranges.contains(&r.func_range) => ranges.push(r.func_range),
            Some(_) => {}
            None => out.push((template_path.clone(), vec![r.func_range], t.text.clone())),
        }
    }
    (!out.is_empty()).then_some((def.name_range, out))
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_') && chars.all(|c| c.is_alphanumeric() || c == '_')
}

/// Byte offsets where `word` occurs as a whole identifier.
fn word_occurrences(text: &str, word: &str) -> Vec<usize> {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word)
        .filter(|(at, _)| {
            let before = text[..*at].chars().next_back().is_none_or(|c| !is_ident(c));
            let after = text[at + word.len()..].chars().next().is_none_or(|c| !is_ident(c));
            before && after
        })
        .map(|(at, _)| at)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn javascript_parameter_counts() {
        for (src, count) in [
            ("exports.h = async (event, context) => {}", Some(2)),
            ("exports.h = function (event, context, callback) {}", Some(3)),
            ("exports.h = async function named(a) {}", Some(1)),
            ("exports.h = event => event", Some(1)),
            ("exports.h = async () => 1", Some(0)),
            ("exports.h({ a, b }, [c, d]) {}", Some(2)),
            ("exports.h = (...args) => 1", None),
            ("exports.h = wrap(impl)", None),
        ] {
            assert_eq!(js_param_count(src, "exports.h".len()), count, "{src}");
        }
        assert!(callback_handlers_removed("nodejs24.x"));
        assert!(!callback_handlers_removed("nodejs20.x"));
    }

    #[test]
    fn docstrings_lose_their_indentation() {
        assert_eq!(dedent("Greets.\n\n    Returns a body.\n    "), "Greets.\n\nReturns a body.");
    }
}
