//! IAM cross-check on Python code (issue 10): for each function of a nearby template that deploys
//! this file, the boto3 calls its role does not allow (`SW6101`, via `samwise-iam`), a quick fix that
//! adds the narrowest policy to the template, and the checked IAM action in the hover of a call.
//!
//! The project model (which functions deploy a file) is `crossref`'s. A function whose permissions the
//! template does not show in full gets no finding (`samwise_iam::Unknown`).

use std::path::PathBuf;
use std::sync::Arc;

use samwise_boto::{BotoCall, PyFile};
use samwise_iam::{CallInfo, Finding, PolicyFix};
use samwise_syntax::{Format, NodeId, Severity};
use samwise_template::{RuleInfo, Template};

use crate::crossref::{code_files_for_function, file_lang, functions_for_code_file, normalize, runtime_lang, shown};
use crate::navigation::Lang;
use crate::{Analysis, CodeAction, Diagnostic, FileEdit, Hover, TextEdit, TextRange};

const CODE: &str = "SW6101";

/// The rule, for `samwise_ide::rules()`.
pub(crate) const RULES: &[RuleInfo] = &[RuleInfo {
    code: CODE,
    severity: Severity::Warning,
    summary: "boto3 call whose IAM action the deploying function's policies do not grant",
}];

struct Deployed {
    template: Arc<Template>,
    template_path: PathBuf,
    function: String,
    findings: Vec<Finding>,
}

fn findings(a: &Analysis) -> Vec<Deployed> {
    let (Some(path), Some(py)) = (a.path(), a.python()) else { return Vec::new() };
    if file_lang(path) != Some(Lang::Python) {
        return Vec::new();
    }
    let models = crate::python::models(a.config());
    let calls: Vec<CallInfo> = py.calls(models).iter().map(|c| call_info(py, c)).collect();
    if calls.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let file = normalize(path);
    for (template, template_path, f) in functions_for_code_file(path) {
        // Only functions whose handler module is this file or imports it: a `CodeUri` folder shared by
        // several functions holds code each of them never runs.
        if runtime_lang(&f) != Some(Lang::Python) || !code_files_for_function(&template_path, &f).contains(&file) {
            continue;
        }
        let Ok(findings) = samwise_iam::check(&template, &f.logical_id, &calls, models, a.data()) else { continue };
        if !findings.is_empty() {
            out.push(Deployed { template, template_path, function: f.logical_id, findings });
        }
    }
    out
}

pub(crate) fn diagnostics(a: &Analysis) -> Vec<Diagnostic> {
    let Some(path) = a.path() else { return Vec::new() };
    let mut out: Vec<Diagnostic> = findings(a)
        .iter()
        .flat_map(|d| {
            let file = shown(&d.template_path, path);
            d.findings.iter().map(move |f| Diagnostic::warning(CODE, f.range, format!("{} ({file})", f.message)))
        })
        .collect();
    crate::diagnostics::apply_config(a.config(), &mut out);
    out
}

pub(crate) fn code_actions(a: &Analysis, range: TextRange) -> Vec<CodeAction> {
    let Some(path) = a.path() else { return Vec::new() };
    if a.config().disabled_rules.iter().any(|c| c == CODE) {
        return Vec::new();
    }
    let mut out: Vec<CodeAction> = Vec::new();
    for d in findings(a) {
        for f in &d.findings {
            if f.range.start > range.end || range.start > f.range.end {
                continue;
            }
            let Some(fix) = &f.fix else { continue };
            let Some(edit) = add_policy(&d.template, &d.function, fix) else { continue };
            out.push(CodeAction {
                title: format!("{} to {} in {}", fix.title(), d.function, shown(&d.template_path, path)),
                is_quickfix: true,
                diagnostic_code: Some(CODE.to_owned()),
                edits: vec![FileEdit {
                    path: Some(d.template_path.clone()),
                    edits: vec![edit],
                    target_text: Some(d.template.text.clone()),
                }],
                is_preferred: out.is_empty(),
            });
        }
    }
    out
}

/// Adds the IAM action(s) samwise checks for the call under the cursor to the boto3 hover, when they
/// differ from the plain `<prefix>:<Operation>` the hover already shows.
pub(crate) fn hover(a: &Analysis, py: &PyFile, offset: u32, hover: Option<Hover>) -> Option<Hover> {
    let models = crate::python::models(a.config());
    let call = py.calls(models).into_iter().find(|c| c.method_range.start <= offset && offset <= c.method_range.end);
    let Some(call) = call else { return hover };
    let actions = samwise_iam::actions_for(models, &call.service, &call.operation);
    if actions == [call.iam_action.as_str()] {
        return hover;
    }
    let line = if actions.is_empty() {
        "IAM: this call needs no IAM permission".to_owned()
    } else {
        format!("IAM: `{}`", actions.join("`, `"))
    };
    Some(match hover {
        Some(h) => Hover { range: h.range, markdown: format!("{}\n\n{line}", h.markdown) },
        None => Hover { range: call.method_range, markdown: line },
    })
}

/// The call with its keyword arguments: the value of each plain string literal, `None` for others.
fn call_info(py: &PyFile, c: &BotoCall) -> CallInfo {
    let text = py.text();
    let args_text = text.get(c.method_range.end as usize..c.range.end as usize).unwrap_or("");
    CallInfo {
        service: c.service.clone(),
        operation: c.operation.clone(),
        args: keyword_args(args_text),
        range: c.range,
    }
}

/// Keyword arguments of `(Name="x", Key=f(y), **kw)`: top-level `name=value` pairs, the value kept
/// when it is one plain string literal (no prefix other than `r`/`u`, no escapes, no concatenation).
/// A `**` splat may pass anything, so it makes every argument unknown (`None` values are added
/// for none, and the call is treated as naming no resource).
fn keyword_args(text: &str) -> Vec<(String, Option<String>)> {
    let Some(inner) = text.trim_start().strip_prefix('(') else { return Vec::new() };
    // Each top-level argument's text, comments left out.
    let mut parts: Vec<String> = Vec::new();
    let mut cur = String::new();
    let (mut depth, mut quote): (i32, Option<char>) = (0, None);
    let mut chars = inner.chars().peekable();
    while let Some(ch) = chars.next() {
        match (quote, ch) {
            (Some(_), '\\') => {
                cur.push(ch);
                cur.extend(chars.next());
                continue;
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(ch),
            // A comment runs to the end of the line; its quotes and commas are not code.
            (None, '#') => {
                while chars.next_if(|&c| c != '\n').is_some() {}
                continue;
            }
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') if depth == 0 => {
                parts.push(std::mem::take(&mut cur));
                break;
            }
            (None, ')' | ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                parts.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(ch);
    }
    if parts.iter().any(|p| p.trim_start().starts_with("**")) {
        return Vec::new();
    }
    parts
        .iter()
        .filter_map(|p| {
            let (name, value) = p.split_once('=')?;
            let name = name.trim();
            if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
                return None;
            }
            Some((name.to_owned(), string_literal(value.trim())))
        })
        .collect()
}

fn string_literal(v: &str) -> Option<String> {
    let v = v.strip_prefix(['r', 'R', 'u', 'U']).unwrap_or(v);
    let q = v.chars().next().filter(|c| matches!(c, '"' | '\''))?;
    let body = v.strip_prefix(q)?.strip_suffix(q)?;
    (!body.contains([q, '\\', '\n'])).then(|| body.to_owned())
}

/// The edit adding `fix` to the function's `Policies` (creating the key when absent), in the
/// template's indentation. YAML block style only; SAM functions without an explicit Role only (with a
/// Role, SAM ignores `Policies`).
fn add_policy(t: &Template, logical_id: &str, fix: &PolicyFix) -> Option<TextEdit> {
    if t.format != Format::Yaml {
        return None;
    }
    let tree = &t.tree;
    let r = t.resource(logical_id)?;
    if r.type_name.as_deref() != Some("AWS::Serverless::Function") || t.effective_property(r, "Role").is_some() {
        return None;
    }
    let text: &str = &t.text;
    let props = tree.resolve(r.properties?);
    let lines = fix.yaml_lines();
    match tree.get_value(props, "Policies").map(|p| tree.resolve(p)) {
        // `Policies: AWSLambdaBasicExecutionRole`: becomes a list of that name and the new policy.
        Some(one) if tree.as_str(one).is_some() && tree.node(one).tag.is_none() => {
            let scalar = tree.node(one).range;
            // Replace the spaces after `Policies:` too, so no trailing space is left.
            let start = text[..scalar.start as usize].trim_end_matches([' ', '\t']).len() as u32;
            let range = TextRange::new(start, scalar.end);
            let key_col = column(text, props_key_start(t, props, "Policies")?);
            let indent = " ".repeat(key_col + 2);
            let mut all = vec![format!("- {}", &text[scalar.as_range()])];
            all.extend(lines);
            let new_text: String = all.iter().map(|l| format!("\n{indent}{l}")).collect();
            Some(TextEdit { range, new_text })
        }
        Some(list) => {
            let items = tree.sequence(list).map(|_| tree.items(list))?;
            let first = *items.first()?;
            let dash = line_prefix(text, tree.node(first).range.start)?.find('-')?;
            if !line_prefix(text, tree.node(first).range.start)?.trim_start().starts_with('-') {
                return None;
            }
            let end = tree.node(*items.last()?).full_range().end;
            Some(insert_after_line(text, end, &" ".repeat(dash), &lines))
        }
        None => {
            let entries = tree.entries(props);
            let key_col = column(text, tree.node(entries.first()?.key).range.start);
            if text[tree.node(props).range.as_range()].starts_with('{') {
                return None;
            }
            let end = entries.iter().map(|e| e.value.map_or(tree.node(e.key).range.end, |v| end_of(t, v))).max()?;
            let indent = " ".repeat(key_col);
            let mut all = vec!["Policies:".to_owned()];
            all.extend(lines.iter().map(|l| format!("  {l}")));
            Some(insert_after_line(text, end, &indent, &all))
        }
    }
}

/// Where the key `name` of mapping `map` starts.
fn props_key_start(t: &Template, map: NodeId, name: &str) -> Option<u32> {
    t.tree.entries(map).iter().find(|e| t.tree.key_str(e) == name).map(|e| t.tree.node(e.key).range.start)
}

fn end_of(t: &Template, v: NodeId) -> u32 {
    t.tree.node(v).full_range().end
}

/// The text of the line holding `offset`, up to it.
fn line_prefix(text: &str, offset: u32) -> Option<&str> {
    let o = offset as usize;
    Some(&text[text[..o].rfind('\n').map_or(0, |i| i + 1)..o])
}

fn column(text: &str, offset: u32) -> usize {
    line_prefix(text, offset).map_or(0, str::len)
}

/// Inserts `lines` (each prefixed by `indent`) on new lines after the line holding `offset`.
fn insert_after_line(text: &str, offset: u32, indent: &str, lines: &[String]) -> TextEdit {
    let o = offset as usize;
    let line_end = text[o..].find('\n').map_or(text.len(), |i| o + i) as u32;
    let new_text: String = lines.iter().map(|l| format!("\n{indent}{l}")).collect();
    TextEdit { range: TextRange::empty(line_end), new_text }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyword_arguments() {
        let args = |s: &str| {
            keyword_args(s).into_iter().map(|(k, v)| format!("{k}={}", v.as_deref().unwrap_or("?"))).collect::<Vec<_>>()
        };
        assert_eq!(args(r#"(Name="/app/x", WithDecryption=True)"#), ["Name=/app/x", "WithDecryption=?"]);
        assert_eq!(
            args("(Bucket='b', Key=f'{x}', Body=json.dumps({'a': 1, 'b': (2, 3)}))"),
            ["Bucket=b", "Key=?", "Body=?"]
        );
        assert_eq!(args(r#"(Name="a" "b")"#), ["Name=?"]);
        assert_eq!(args(r#"(Name="a\nb")"#), ["Name=?"]);
        assert_eq!(args(r#"(Name="x", **extra)"#), Vec::<String>::new());
        assert_eq!(args(r#"(Key="a,b", Bucket=r"c=d")"#), ["Key=a,b", "Bucket=c=d"]);
        assert_eq!(args("(\n    Name='a',  # don't, really\n    Key='b',\n)"), ["Name=a", "Key=b"]);
    }
}
