//! Cross-checks between a template and the code its functions deploy (issue 10): the *project
//! model* that connects the two, and the dispatch of the handler (`handler`) and environment
//! variable (`env`) checks.
//!
//! The project model answers two questions from files on disk. For a code file: which templates
//! deploy it — found by walking up from the file's folder (at most [`MAX_LEVELS`] folders, stopping
//! at a repository root) for `template.yaml|yml|json` and other `*.yaml|yml` files that look like
//! templates, and keeping the functions whose local `CodeUri` folder holds the file. For a function
//! of a template: its code files — the handler module plus the modules it imports from inside the
//! `CodeUri` folder, followed a bounded number of steps.
//!
//! Templates and code files are read through a process-wide cache keyed by path and checked
//! against the file's modification time and length, so hover and diagnostics do not re-read and
//! re-parse a project on every keystroke. An open, unsaved template is seen as it is on disk.

mod env;
mod handler;

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

use samwise_boto::{EnvReads, PyFile, PyOutline};
use samwise_syntax::{Format, Severity};
use samwise_template::{FunctionDef, RuleInfo, Template, Value};

use crate::navigation::{Lang, handler_module};
use crate::{Analysis, CodeAction, Diagnostic, DocKind, Hover, TextRange};

/// The cross-check rules, for `samwise_ide::rules()`.
pub(crate) const RULES: &[RuleInfo] = &[
    RuleInfo {
        code: "SW6001",
        severity: Severity::Warning,
        summary: "handler function cannot be called with (event, context) (Python) or takes too many parameters (Node.js)",
    },
    RuleInfo {
        code: "SW6002",
        severity: Severity::Warning,
        summary: "environment variable read by the code but not defined for any function deploying it",
    },
    RuleInfo {
        code: "SW6003",
        severity: Severity::Hint,
        summary: "environment variable read with a default but not defined for any function deploying it",
    },
    RuleInfo {
        code: "SW6004",
        severity: Severity::Hint,
        summary: "environment variable defined for a function but never read by its code",
    },
];

/// How many folders the search for templates walks up from a code file.
const MAX_LEVELS: usize = 6;
/// Files larger than this are not read (the same bound the checker uses for templates).
const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;
/// How many import steps and files the code-file collection follows from a handler module.
const MAX_IMPORT_DEPTH: usize = 4;
const MAX_CODE_FILES: usize = 64;
/// Entries kept per cache before it is emptied (a workspace rarely has this many files in play).
const MAX_CACHE_ENTRIES: usize = 1024;

// ---------------------------------------------------------------------------------------------
// Hooks called by `Analysis`
// ---------------------------------------------------------------------------------------------

pub(crate) fn diagnostics(a: &Analysis) -> Vec<Diagnostic> {
    let mut out = match a.kind() {
        DocKind::Template => {
            let mut out = handler::diagnostics(a);
            out.extend(env::template_diagnostics(a));
            out
        }
        _ => env::code_diagnostics(a),
    };
    crate::diagnostics::apply_config(a.config(), &mut out);
    out
}

pub(crate) fn hover(a: &Analysis, offset: u32) -> Option<Hover> {
    handler::hover(a, offset)
}

pub(crate) fn code_actions(a: &Analysis, range: TextRange) -> Vec<CodeAction> {
    env::code_actions(a, range)
}

pub(crate) use handler::{prepare_rename_handler, rename_handler};

// ---------------------------------------------------------------------------------------------
// Project model
// ---------------------------------------------------------------------------------------------

/// The functions of the templates near `path` whose local `CodeUri` folder holds the file, with
/// each template and its path.
pub(crate) fn functions_for_code_file(path: &Path) -> Vec<(Arc<Template>, PathBuf, FunctionDef)> {
    let file = normalize(path);
    let mut out = Vec::new();
    for template_path in templates_near(&file) {
        let Some(t) = template_at(&template_path) else { continue };
        for f in t.functions() {
            if code_dir(&template_path, &f).is_some_and(|dir| file.starts_with(&dir)) {
                out.push((t.clone(), template_path.clone(), f));
            }
        }
    }
    out
}

/// The code files of a function: its handler module and the modules that module imports from inside
/// the `CodeUri` folder (transitively, bounded). Empty when the code is not a local folder or the
/// handler module is not found.
pub(crate) fn code_files_for_function(template_path: &Path, f: &FunctionDef) -> Vec<PathBuf> {
    let Some(dir) = code_dir(template_path, f) else { return Vec::new() };
    let Some(Value::String(handler)) = &f.handler else { return Vec::new() };
    let runtime = f.runtime.as_ref().and_then(Value::as_str).unwrap_or("");
    let Some((module, lang, _)) = handler_module(&dir, handler, runtime) else { return Vec::new() };
    let mut files = vec![normalize(&module)];
    let mut frontier = files.clone();
    for _ in 0..MAX_IMPORT_DEPTH {
        let mut next = Vec::new();
        for file in &frontier {
            for imported in imports_of(&dir, file, lang) {
                if files.len() + next.len() >= MAX_CODE_FILES {
                    break;
                }
                if !files.contains(&imported) && !next.contains(&imported) {
                    next.push(imported);
                }
            }
        }
        if next.is_empty() {
            break;
        }
        files.extend(next.iter().cloned());
        frontier = next;
    }
    files
}

/// The folder a function's code lives in, when `CodeUri` (or a Lambda `Code` string) is a local path
/// and the function is a Zip function.
pub(crate) fn code_dir(template_path: &Path, f: &FunctionDef) -> Option<PathBuf> {
    if f.package_type.as_ref().and_then(Value::as_str).is_some_and(|p| p != "Zip") {
        return None;
    }
    let Some(Value::String(uri)) = &f.code_uri else { return None };
    if uri.is_empty() || uri.contains("://") {
        return None;
    }
    let dir = normalize(&template_path.parent()?.join(uri));
    dir.is_dir().then_some(dir)
}

/// The language a function's runtime is written in, when the runtime is a literal we check.
pub(crate) fn runtime_lang(f: &FunctionDef) -> Option<Lang> {
    let runtime = f.runtime.as_ref().and_then(Value::as_str)?;
    if runtime.starts_with("python") {
        Some(Lang::Python)
    } else if runtime.starts_with("nodejs") {
        Some(Lang::Node)
    } else {
        None
    }
}

/// The language of a code file, by extension.
pub(crate) fn file_lang(path: &Path) -> Option<Lang> {
    match path.extension()?.to_str()? {
        "py" => Some(Lang::Python),
        "js" | "mjs" | "cjs" => Some(Lang::Node),
        _ => None,
    }
}

/// Candidate templates for a code file, nearest folder first.
fn templates_near(file: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dir = file.parent();
    for _ in 0..MAX_LEVELS {
        let Some(d) = dir else { break };
        let Ok(entries) = std::fs::read_dir(d) else { break };
        let mut here: Vec<PathBuf> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| e.path())
            .filter(|p| {
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
                matches!(ext, "yaml" | "yml") || name == "template.json"
            })
            .collect();
        here.sort();
        out.extend(here);
        if d.join(".git").exists() {
            break;
        }
        dir = d.parent();
    }
    out
}

/// A file's modification time and length: the cache key's freshness check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
}

fn stamp(path: &Path) -> Option<Stamp> {
    let m = std::fs::metadata(path).ok()?;
    (m.is_file() && m.len() <= MAX_FILE_BYTES).then(|| Stamp { modified: m.modified().ok(), len: m.len() })
}

type Cache<T> = OnceLock<Mutex<HashMap<PathBuf, (Stamp, T)>>>;

/// Looks `path` up in `cache`, computing the entry with `make` when it is missing or stale.
fn cached<T: Clone>(cache: &'static Cache<T>, path: &Path, make: impl FnOnce() -> T) -> Option<T> {
    let stamp = stamp(path)?;
    let map = cache.get_or_init(Default::default);
    if let Some((s, v)) = map.lock().unwrap_or_else(|e| e.into_inner()).get(path)
        && *s == stamp
    {
        return Some(v.clone());
    }
    // Computed outside the lock: parsing a template must not hold up other requests.
    let value = make();
    let mut map = map.lock().unwrap_or_else(|e| e.into_inner());
    if map.len() >= MAX_CACHE_ENTRIES {
        map.clear();
    }
    map.insert(path.to_path_buf(), (stamp, value.clone()));
    Some(value)
}

/// A file's text, through the cache (`None`: missing, too large, not UTF-8).
pub(crate) fn read_text(path: &Path) -> Option<Arc<str>> {
    static TEXTS: Cache<Option<Arc<str>>> = OnceLock::new();
    cached(&TEXTS, path, || std::fs::read_to_string(path).ok().map(Arc::from)).flatten()
}

/// The template at `path`, through the cache (`None`: not a CloudFormation/SAM template).
pub(crate) fn template_at(path: &Path) -> Option<Arc<Template>> {
    static TEMPLATES: Cache<Option<Arc<Template>>> = OnceLock::new();
    cached(&TEMPLATES, path, || {
        let text = read_text(path)?;
        // A cheap sniff before parsing: configuration files (CI, docker-compose) are YAML too.
        if !(text.contains("AWS::Serverless") || text.contains("AWSTemplateFormatVersion")) {
            return None;
        }
        let t = Template::new(text.clone(), Format::detect(Some(path), &text));
        t.is_template.then(|| Arc::new(t))
    })
    .flatten()
}

/// What the cross-checks read from a code file, parsed once per file version.
#[derive(Debug)]
pub(crate) struct CodeFacts {
    pub text: Arc<str>,
    pub env: EnvReads,
    /// Python files only.
    pub outline: Option<PyOutline>,
}

pub(crate) fn code_facts(path: &Path) -> Option<Arc<CodeFacts>> {
    static FACTS: Cache<Option<Arc<CodeFacts>>> = OnceLock::new();
    cached(&FACTS, path, || {
        let text = read_text(path)?;
        Some(Arc::new(match file_lang(path)? {
            Lang::Python => {
                let py = PyFile::parse(&text);
                CodeFacts { env: py.env_reads(), outline: Some(py.outline()), text }
            }
            Lang::Node => CodeFacts { env: env::node_env_reads(&text), outline: None, text },
        }))
    })
    .flatten()
}

/// The files inside `code_dir` that `file` imports.
fn imports_of(code_dir: &Path, file: &Path, lang: Lang) -> Vec<PathBuf> {
    let Some(here) = file.parent() else { return Vec::new() };
    let mut out = Vec::new();
    let mut push = |p: PathBuf| {
        let p = normalize(&p);
        if p.starts_with(code_dir) && p.is_file() && !out.contains(&p) {
            out.push(p);
        }
    };
    match lang {
        Lang::Python => {
            let Some(facts) = code_facts(file) else { return Vec::new() };
            let Some(outline) = &facts.outline else { return Vec::new() };
            for import in &outline.imports {
                let dots = import.module.len() - import.module.trim_start_matches('.').len();
                let rest = import.module[dots..].replace('.', "/");
                // Absolute imports resolve from the code folder (the Lambda task root); relative
                // ones from the importing file's package.
                let base = if dots == 0 {
                    code_dir.to_path_buf()
                } else {
                    here.ancestors().nth(dots - 1).map_or_else(|| here.to_path_buf(), Path::to_path_buf)
                };
                let module = if rest.is_empty() { base.clone() } else { base.join(&rest) };
                if !rest.is_empty() {
                    push(module.with_extension("py"));
                    push(module.join("__init__.py"));
                }
                // `from pkg import sub` may import the submodule `pkg/sub.py`.
                for name in &import.names {
                    push(module.join(format!("{name}.py")));
                }
            }
        }
        Lang::Node => {
            let Some(text) = read_text(file) else { return Vec::new() };
            for spec in env::node_relative_imports(&text) {
                let target = here.join(&spec);
                for candidate in [
                    target.clone(),
                    target.with_extension("js"),
                    PathBuf::from(format!("{}.js", target.display())),
                    PathBuf::from(format!("{}.mjs", target.display())),
                    PathBuf::from(format!("{}.cjs", target.display())),
                    target.join("index.js"),
                ] {
                    if file_lang(&candidate).is_some() {
                        push(candidate);
                    }
                }
            }
        }
    }
    out
}

/// `path` with `.` and `..` resolved lexically (without touching the file system, so a path that
/// does not exist yet still compares).
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// A template path shown in messages: relative to `from`'s folder when below it, else as is.
pub(crate) fn shown(path: &Path, from: &Path) -> String {
    let base = from.parent().unwrap_or(from);
    let rel = pathdiff(path, base);
    rel.display().to_string()
}

/// `path` relative to `base` (with `..` steps), or `path` itself when they share no prefix.
fn pathdiff(path: &Path, base: &Path) -> PathBuf {
    let p: Vec<Component<'_>> = path.components().collect();
    let b: Vec<Component<'_>> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return path.to_path_buf();
    }
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &p[common..] {
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_and_relative_paths() {
        assert_eq!(normalize(Path::new("/a/b/../c/./d")), PathBuf::from("/a/c/d"));
        assert_eq!(shown(Path::new("/p/template.yaml"), Path::new("/p/src/app.py")), "../template.yaml");
        assert_eq!(shown(Path::new("/p/src/lib/x.py"), Path::new("/p/template.yaml")), "src/lib/x.py");
    }
}
