//! Environment variables: code that reads a variable no function deploying it defines (`SW6002`,
//! or `SW6003` when the read has a default), with a quick fix that adds the variable to the
//! function's `Environment.Variables` in the template; and variables a function defines that none
//! of its code reads (`SW6004`, on the template).
//!
//! Both directions stay silent when they cannot know: an `Environment` written with an intrinsic
//! function, code that reads `os.environ` dynamically, a function with Layers (their code may read
//! the variable), or code importing a library outside the standard library and the AWS SDK (many
//! libraries read their own variables: Powertools' `LOG_LEVEL`, OpenTelemetry's `OTEL_*`). Variables
//! Lambda itself sets are never reported.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use samwise_boto::{EnvRead, EnvReads};
use samwise_syntax::{Format, NodeId, TextEdit, TextRange};
use samwise_template::intrinsics::{intrinsic_at, value_range};
use samwise_template::{FunctionDef, Template};

use super::{code_facts, code_files_for_function, file_lang, functions_for_code_file, normalize, runtime_lang, shown};
use crate::navigation::Lang;
use crate::{Analysis, CodeAction, Diagnostic, FileEdit, Severity};

/// Variables the Lambda runtime sets (the "Defined runtime environment variables" table of the
/// Lambda developer guide, `configuration-envvars.html`), plus `AWS_SAM_LOCAL`, which `sam local`
/// sets. Code reading them needs nothing in the template.
const SET_BY_LAMBDA: &[&str] = &[
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_XRAY_CONTEXT_MISSING",
    "AWS_XRAY_DAEMON_ADDRESS",
    "AWS_SAM_LOCAL",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
    "LANG",
    "LD_LIBRARY_PATH",
    "NODE_PATH",
    "PATH",
    "PYTHONPATH",
    "TZ",
    "HOME",
];

fn set_by_lambda(name: &str) -> bool {
    SET_BY_LAMBDA.contains(&name) || name.starts_with("AWS_LAMBDA_") || name.starts_with("_AWS_")
}

/// Variables read by the runtime or the AWS SDKs rather than by the function's code: `AWS_*`
/// (SDK settings such as `AWS_STS_REGIONAL_ENDPOINTS`, `AWS_NODEJS_CONNECTION_REUSE_ENABLED`,
/// `AWS_LAMBDA_EXEC_WRAPPER`), interpreter settings, and the ones Lambda sets.
fn read_by_runtime(name: &str) -> bool {
    const PREFIXES: &[&str] = &["AWS_", "PYTHON", "NODE_", "JAVA_", "LD_", "_"];
    set_by_lambda(name) || PREFIXES.iter().any(|p| name.starts_with(p))
}

/// Python modules that read no environment variables a template would set: the standard library
/// modules Lambda code commonly imports, and the AWS SDK (whose variables `read_by_runtime` covers).
const QUIET_PYTHON_MODULES: &[&str] = &[
    "__future__",
    "abc",
    "argparse",
    "array",
    "asyncio",
    "base64",
    "binascii",
    "bisect",
    "boto3",
    "botocore",
    "calendar",
    "codecs",
    "collections",
    "concurrent",
    "contextlib",
    "copy",
    "csv",
    "dataclasses",
    "datetime",
    "decimal",
    "email",
    "enum",
    "fnmatch",
    "fractions",
    "functools",
    "glob",
    "gzip",
    "hashlib",
    "heapq",
    "hmac",
    "html",
    "http",
    "io",
    "ipaddress",
    "itertools",
    "json",
    "logging",
    "math",
    "mimetypes",
    "operator",
    "os",
    "pathlib",
    "pprint",
    "queue",
    "random",
    "re",
    "secrets",
    "shutil",
    "socket",
    "ssl",
    "statistics",
    "string",
    "struct",
    "subprocess",
    "sys",
    "tempfile",
    "textwrap",
    "threading",
    "time",
    "traceback",
    "types",
    "typing",
    "unicodedata",
    "urllib",
    "uuid",
    "warnings",
    "xml",
    "zipfile",
    "zlib",
    "zoneinfo",
];

/// Node.js modules of the same kind: the built-in modules and the AWS SDK.
fn quiet_node_module(spec: &str) -> bool {
    const BUILTIN: &[&str] = &[
        "assert",
        "buffer",
        "child_process",
        "crypto",
        "events",
        "fs",
        "fs/promises",
        "http",
        "https",
        "net",
        "os",
        "path",
        "querystring",
        "stream",
        "string_decoder",
        "timers",
        "url",
        "util",
        "zlib",
        "aws-sdk",
    ];
    spec.starts_with("node:") || spec.starts_with("@aws-sdk/") || BUILTIN.contains(&spec)
}

// ---------------------------------------------------------------------------------------------
// Code side: reads of variables no deploying function defines
// ---------------------------------------------------------------------------------------------

/// A read the template does not back, and the functions that could define it.
struct Finding {
    read: EnvRead,
    functions: Vec<(Arc<Template>, PathBuf, FunctionDef)>,
}

fn findings(a: &Analysis) -> Vec<Finding> {
    let Some(path) = a.path() else { return Vec::new() };
    let Some(lang) = file_lang(path) else { return Vec::new() };
    // Only the functions that run this file: its handler module or a module the handler imports.
    // A script or test that merely sits in the CodeUri folder is not checked against the template.
    let file = normalize(path);
    let deployments: Vec<_> = functions_for_code_file(path)
        .into_iter()
        .filter(|(_, tp, f)| runtime_lang(f) == Some(lang) && code_files_for_function(tp, f).contains(&file))
        .collect();
    // Say nothing when any deploying function's environment cannot be read, or when a wrapper
    // script (`AWS_LAMBDA_EXEC_WRAPPER`) runs before the code and may set variables itself.
    let unknowable = |(t, _, f): &(Arc<Template>, PathBuf, FunctionDef)| {
        !environment_is_literal(t, &f.logical_id) || f.environment.iter().any(|(k, _)| k == "AWS_LAMBDA_EXEC_WRAPPER")
    };
    if deployments.is_empty() || deployments.iter().any(unknowable) {
        return Vec::new();
    }
    let reads = match (lang, a.python()) {
        (Lang::Python, Some(py)) => py.env_reads(),
        (Lang::Node, _) => node_env_reads(a.text()),
        _ => return Vec::new(),
    };
    reads
        .reads
        .into_iter()
        .filter(|r| !set_by_lambda(&r.name) && !reads.writes.contains(&r.name))
        .filter(|r| !deployments.iter().any(|(_, _, f)| f.environment.iter().any(|(k, _)| *k == r.name)))
        .map(|read| Finding { read, functions: deployments.clone() })
        .collect()
}

pub(super) fn code_diagnostics(a: &Analysis) -> Vec<Diagnostic> {
    let Some(path) = a.path() else { return Vec::new() };
    findings(a)
        .into_iter()
        .map(|f| {
            let names: Vec<String> =
                f.functions.iter().map(|(_, tp, fd)| format!("{} ({})", fd.logical_id, shown(tp, path))).collect();
            let who = names.join(", ");
            let name = &f.read.name;
            if f.read.has_default {
                Diagnostic::new(
                    "SW6003",
                    Severity::Hint,
                    f.read.range,
                    format!(
                        "`{name}` is not set for {who}; the code falls back to its default. Add it to the \
                         function's Environment.Variables to configure it"
                    ),
                )
            } else {
                Diagnostic::warning(
                    "SW6002",
                    f.read.range,
                    format!(
                        "`{name}` is not set for {who}, so this read fails at run time; add it to the function's \
                         Environment.Variables (or to Globals.Function.Environment)"
                    ),
                )
            }
        })
        .collect()
}

pub(super) fn code_actions(a: &Analysis, range: TextRange) -> Vec<CodeAction> {
    let Some(path) = a.path() else { return Vec::new() };
    let disabled = |code: &str| a.config().disabled_rules.iter().any(|c| c == code);
    let mut out = Vec::new();
    for f in findings(a) {
        let code = if f.read.has_default { "SW6003" } else { "SW6002" };
        if disabled(code) || f.read.range.start > range.end || range.start > f.read.range.end {
            continue;
        }
        for (t, template_path, fd) in &f.functions {
            let Some(edit) = add_variable(t, &fd.logical_id, &f.read.name) else { continue };
            out.push(CodeAction {
                title: format!(
                    "Add `{}` to the Environment of {} in {}",
                    f.read.name,
                    fd.logical_id,
                    shown(template_path, path)
                ),
                is_quickfix: true,
                diagnostic_code: Some(code.to_owned()),
                edits: vec![FileEdit {
                    path: Some(template_path.clone()),
                    edits: vec![edit],
                    target_text: Some(t.text.clone()),
                }],
                is_preferred: out.is_empty(),
            });
        }
    }
    out
}

/// Whether a function's `Environment` (its own and, for SAM, Globals') is absent or a literal
/// mapping whose `Variables` is a literal mapping: the only case where the defined names are known.
fn environment_is_literal(t: &Template, logical_id: &str) -> bool {
    let Some(r) = t.resource(logical_id) else { return false };
    let literal_map = |id: NodeId| {
        let id = t.tree.resolve(id);
        t.tree.mapping(id).is_some() && intrinsic_at(&t.tree, id).is_none()
    };
    let ok = |env: Option<NodeId>| {
        env.is_none_or(|e| literal_map(e) && t.tree.get_value(t.tree.resolve(e), "Variables").is_none_or(literal_map))
    };
    let own = r.properties.and_then(|p| t.tree.get_value(t.tree.resolve(p), "Environment"));
    let global = if t.is_sam && r.is_sam() {
        t.globals_for("AWS::Serverless::Function").and_then(|g| t.tree.get_value(g, "Environment"))
    } else {
        None
    };
    ok(own) && ok(global)
}

/// The edit adding `name` to the function's own `Environment.Variables` (creating `Environment`
/// and `Variables` when absent), in the template's indentation. YAML block mappings and JSON.
pub(super) fn add_variable(t: &Template, logical_id: &str, name: &str) -> Option<TextEdit> {
    if t.format == Format::Json {
        return add_variable_json(t, logical_id, name);
    }
    let tree = &t.tree;
    let r = t.resource(logical_id)?;
    let props = tree.resolve(r.properties?);
    let entry = format!("{name}: \"\" # TODO: set {name}");
    let text: &str = &t.text;
    let col = |offset: u32| offset - text[..offset as usize].rfind('\n').map_or(0, |i| i as u32 + 1);
    // The indentation step: how far the properties sit right of the `Properties` key.
    let props_entries = block_entries(t, props)?;
    let props_col = col(tree.node(props_entries.first()?.0).range.start);
    let props_key_col = tree
        .entries(r.value.map(|v| tree.resolve(v))?)
        .iter()
        .find(|e| tree.key_str(e) == "Properties")
        .map_or(0, |e| col(tree.node(e.key).range.start));
    let unit = " ".repeat(props_col.saturating_sub(props_key_col).max(1) as usize);
    let (container, lines) = match tree.get_value(props, "Environment").map(|e| tree.resolve(e)) {
        Some(env) => match tree.get_value(env, "Variables").map(|v| tree.resolve(v)) {
            Some(vars) => (vars, vec![entry]),
            None => (env, vec!["Variables:".to_owned(), format!("{unit}{entry}")]),
        },
        None => (props, vec!["Environment:".to_owned(), format!("{unit}Variables:"), format!("{unit}{unit}{entry}")]),
    };
    let entries = block_entries(t, container)?;
    let indent = " ".repeat(col(tree.node(entries.first()?.0).range.start) as usize);
    let (_, last_end) = *entries.last()?;
    let line_end = text[last_end as usize..].find('\n').map_or(text.len(), |i| last_end as usize + i) as u32;
    let new_text: String = lines.iter().map(|l| format!("\n{indent}{l}")).collect();
    Some(TextEdit { range: TextRange::empty(line_end), new_text })
}

/// JSON: the new member goes after the last member of the innermost existing object (`Variables`,
/// `Environment` or `Properties`), on its own line at that object's indentation, or on the same
/// line when the object is written on one line. JSON has no comments, so the value is just `""`.
fn add_variable_json(t: &Template, logical_id: &str, name: &str) -> Option<TextEdit> {
    let tree = &t.tree;
    let props = tree.resolve(t.resource(logical_id)?.properties?);
    let (container, member) = match tree.get_value(props, "Environment").map(|e| tree.resolve(e)) {
        Some(env) => match tree.get_value(env, "Variables").map(|v| tree.resolve(v)) {
            Some(vars) => (vars, format!("\"{name}\": \"\"")),
            None => (env, format!("\"Variables\": {{\"{name}\": \"\"}}")),
        },
        None => (props, format!("\"Environment\": {{\"Variables\": {{\"{name}\": \"\"}}}}")),
    };
    tree.mapping(container)?;
    let entries = tree.entries(container);
    let first = tree.node(entries.first()?.key).range.start as usize;
    let last = entries.last()?;
    let end = last.value.map_or(tree.node(last.key).range.end, |v| tree.node(v).full_range().end);
    let text: &str = &t.text;
    let line_start = text[..first].rfind('\n').map_or(0, |i| i + 1);
    let before_first = &text[line_start..first];
    // A member that starts its line: the object is laid out one member per line.
    let new_text =
        if before_first.trim().is_empty() { format!(",\n{before_first}{member}") } else { format!(", {member}") };
    Some(TextEdit { range: TextRange::empty(end), new_text })
}

/// The keys of a block-style mapping with the end of each entry, or `None` for a flow mapping
/// (`{...}`), an empty one, or something that is not a mapping.
fn block_entries(t: &Template, id: NodeId) -> Option<Vec<(NodeId, u32)>> {
    let tree = &t.tree;
    tree.mapping(id)?;
    if t.text[tree.node(id).range.as_range()].starts_with('{') {
        return None;
    }
    let out: Vec<(NodeId, u32)> = tree
        .entries(id)
        .iter()
        .map(|e| {
            let end = e.value.map_or(tree.node(e.key).range.end, |v| tree.node(v).full_range().end);
            (e.key, end)
        })
        .collect();
    (!out.is_empty()).then_some(out)
}

// ---------------------------------------------------------------------------------------------
// Template side: variables no code reads
// ---------------------------------------------------------------------------------------------

pub(super) fn template_diagnostics(a: &Analysis) -> Vec<Diagnostic> {
    let (Some(t), Some(path)) = (a.template(), a.path()) else { return Vec::new() };
    let mut out = Vec::new();
    let unused = |name: &str, range, tail: String| {
        Diagnostic::new(
            "SW6004",
            Severity::Hint,
            range,
            format!("`{name}` is set {tail}; remove it if nothing else needs it"),
        )
    };
    // What the functions inheriting Globals read, while every one of them can be judged.
    let mut globals_read: Option<Vec<String>> = Some(Vec::new());
    let mut inheriting = 0;
    for f in t.functions() {
        let judged = runtime_lang(&f).is_some() && f.layers.is_empty() && environment_is_literal(t, &f.logical_id);
        let files = if judged { code_files_for_function(path, &f) } else { Vec::new() };
        let read = names_read(&files);
        if f.resource_type == "AWS::Serverless::Function" {
            inheriting += 1;
            match (&mut globals_read, &read) {
                (Some(all), Some(r)) => all.extend(r.iter().cloned()),
                _ => globals_read = None,
            }
        }
        let Some(read) = read else { continue };
        let env = t.resource(&f.logical_id).and_then(|r| r.properties).and_then(|p| t.tree.get_value(p, "Environment"));
        for (name, range) in variables(t, env) {
            if !read.contains(&name) && !read_by_runtime(&name) {
                let code = files.iter().map(|p| shown(p, path)).collect::<Vec<_>>().join(", ");
                out.push(unused(&name, range, format!("for {} but its code ({code}) never reads it", f.logical_id)));
            }
        }
    }
    if let Some(read) = globals_read.filter(|_| t.is_sam && inheriting > 0) {
        let env = t.globals_for("AWS::Serverless::Function").and_then(|g| t.tree.get_value(g, "Environment"));
        for (name, range) in variables(t, env) {
            if !read.contains(&name) && !read_by_runtime(&name) {
                out.push(unused(&name, range, "in Globals for every function but none of their code reads it".into()));
            }
        }
    }
    out
}

/// The names of an `Environment`'s `Variables` with their key ranges.
fn variables(t: &Template, env: Option<NodeId>) -> Vec<(String, TextRange)> {
    let tree = &t.tree;
    let vars = env.and_then(|e| tree.get_value(tree.resolve(e), "Variables")).map(|v| tree.resolve(v));
    vars.map_or_else(Vec::new, |v| {
        tree.entries(v).iter().map(|e| (tree.key_str(e).to_owned(), value_range(tree, e.key))).collect()
    })
}

/// Every variable name the files read or set, or `None` when that cannot be known: no files, a
/// file that cannot be read, a dynamic use of the environment, or a library import that may read
/// variables of its own.
fn names_read(files: &[PathBuf]) -> Option<Vec<String>> {
    if files.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    for file in files {
        let facts = code_facts(file)?;
        if facts.env.dynamic || imports_unknown_library(file, &facts) {
            return None;
        }
        out.extend(facts.env.reads.iter().map(|r| r.name.clone()));
        out.extend(facts.env.writes.iter().cloned());
    }
    Some(out)
}

fn imports_unknown_library(file: &Path, facts: &super::CodeFacts) -> bool {
    let code_dir_has = |top: &str| {
        // A module of the project itself (next to the handler or in a parent package folder).
        file.ancestors().skip(1).take(4).any(|d| d.join(format!("{top}.py")).is_file() || d.join(top).is_dir())
    };
    match &facts.outline {
        Some(outline) => outline.imports.iter().any(|i| {
            let top = i.module.split('.').next().unwrap_or("");
            !i.module.starts_with('.')
                && !QUIET_PYTHON_MODULES.contains(&top)
                && !top.starts_with("mypy_boto3")
                && !code_dir_has(top)
        }),
        None => node_imports(&facts.text).iter().any(|s| !s.starts_with('.') && !quiet_node_module(s)),
    }
}

// ---------------------------------------------------------------------------------------------
// Node.js scanning
// ---------------------------------------------------------------------------------------------

/// `process.env.X`, `process.env?.X` and `process.env["X"]` reads (assignments are writes);
/// any other use of `process.env` (destructuring, a computed key, passing it on) is dynamic.
/// Occurrences after `//` on their line are comments and skipped.
pub(crate) fn node_env_reads(text: &str) -> EnvReads {
    const ENV: &str = "process.env";
    let is_ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    let mut out = EnvReads::default();
    for (at, _) in text.match_indices(ENV) {
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        if text[line_start..at].contains("//") || text[..at].chars().next_back().is_some_and(is_ident) {
            continue;
        }
        let after_at = at + ENV.len();
        let after = &text[after_at..];
        if after.chars().next().is_some_and(is_ident) {
            continue;
        }
        let (name, start, rest) = if let Some(dot) = after.strip_prefix("?.").or_else(|| after.strip_prefix('.')) {
            let len = dot.find(|c: char| !is_ident(c)).unwrap_or(dot.len());
            let start = after_at + (after.len() - dot.len());
            (&dot[..len], start, &dot[len..])
        } else if let Some(inner) = after.strip_prefix('[') {
            let quote = inner.chars().next().filter(|q| matches!(q, '"' | '\''));
            let parsed = quote.and_then(|q| {
                let body = &inner[1..];
                let end = body.find(q)?;
                body[end + 1..].strip_prefix(']').map(|rest| (&body[..end], rest))
            });
            match parsed {
                Some((name, rest)) => (name, after_at + 2, rest),
                None => ("", 0, ""),
            }
        } else {
            ("", 0, "")
        };
        if name.is_empty() || !name.chars().all(is_ident) {
            out.dynamic = true;
            continue;
        }
        let rest = rest.trim_start();
        if rest.starts_with('=') && !rest.starts_with("==") {
            out.writes.push(name.to_owned());
            continue;
        }
        let has_default = rest.starts_with("??") || rest.starts_with("||");
        let range = TextRange::new(start as u32, (start + name.len()) as u32);
        out.reads.push(EnvRead { name: name.to_owned(), range, has_default });
    }
    out
}

/// Every module specifier a JavaScript file imports: `require("x")`, `import ... from "x"`,
/// `import "x"`, `import("x")`.
fn node_imports(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for pattern in ["require(", "from ", "import(", "import "] {
        for (at, _) in text.match_indices(pattern) {
            let rest = text[at + pattern.len()..].trim_start();
            let Some(q) = rest.chars().next().filter(|q| matches!(q, '"' | '\'' | '`')) else { continue };
            if let Some(end) = rest[1..].find(q) {
                let spec = &rest[1..1 + end];
                if !spec.is_empty() && !spec.contains('\n') && !out.iter().any(|s| s == spec) {
                    out.push(spec.to_owned());
                }
            }
        }
    }
    out
}

/// The relative module specifiers (`./x`, `../y`) a JavaScript file imports.
pub(super) fn node_relative_imports(text: &str) -> Vec<String> {
    node_imports(text).into_iter().filter(|s| s.starts_with("./") || s.starts_with("../")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_reads_in_every_spelling() {
        let src = "const a = process.env.A;\nconst b = process.env['B'] ?? 'x';\nconst c = process.env?.C || 1;\n\
                   // process.env.COMMENTED\nprocess.env.D = '1';\n";
        let r = node_env_reads(src);
        let reads: Vec<(&str, &str, bool)> =
            r.reads.iter().map(|x| (x.name.as_str(), &src[x.range.as_range()], x.has_default)).collect();
        assert_eq!(reads, [("A", "A", false), ("B", "B", true), ("C", "C", true)]);
        assert_eq!((r.writes, r.dynamic), (vec!["D".to_owned()], false));
        for dynamic in ["const { A } = process.env;\n", "const x = process.env[key];\n"] {
            let r = node_env_reads(dynamic);
            assert!(r.dynamic && r.reads.is_empty(), "{dynamic}");
        }
    }

    #[test]
    fn node_import_specifiers() {
        let src = "import x from './lib/x.js';\nconst y = require(\"../y\");\nimport 'z';\nconst s = require('@aws-sdk/client-s3');\n";
        assert_eq!(node_imports(src), ["../y", "@aws-sdk/client-s3", "./lib/x.js", "z"]);
        assert_eq!(node_relative_imports(src), ["../y", "./lib/x.js"]);
    }

    #[test]
    fn lambda_variables_are_never_reported() {
        for v in ["AWS_REGION", "AWS_LAMBDA_FUNCTION_NAME", "_HANDLER", "TZ", "LAMBDA_TASK_ROOT"] {
            assert!(set_by_lambda(v), "{v}");
        }
        assert!(!set_by_lambda("TABLE_NAME"));
        assert!(read_by_runtime("AWS_STS_REGIONAL_ENDPOINTS") && !read_by_runtime("LOG_LEVEL"));
    }
}
