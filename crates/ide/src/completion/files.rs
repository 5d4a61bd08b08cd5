//! Completions read from the file system next to the template: `Handler` values (`module.function`)
//! found in the function's `CodeUri` folder, and `CodeUri` folder paths.
//!
//! Both walks are bounded (depth, number of entries, file size) so a `CodeUri: .` next to a large
//! `node_modules` cannot stall a request.

use std::path::{Path, PathBuf};

use samwise_template::Template;

use crate::Analysis;

/// How deep below the code folder handler modules are searched.
const MAX_DEPTH: usize = 3;
/// How many directory entries a walk looks at in total.
const MAX_ENTRIES: usize = 400;
/// Source files larger than this are not read (generated or vendored code).
const MAX_FILE_BYTES: u64 = 256 * 1024;

/// Folders never offered nor searched: dependencies, build output, caches, version control.
fn skipped(name: &str) -> bool {
    name.starts_with('.')
        || matches!(name, "node_modules" | "__pycache__" | "venv" | "env" | "site-packages" | "dist-packages")
        || name.ends_with(".dist-info")
        || name.ends_with(".egg-info")
}

/// `module.function` handler values for a function (`resource`; `None` in `Globals`), with the file
/// each was found in (relative to the code folder).
pub(crate) fn handlers(a: &Analysis, t: &Template, resource: Option<&str>) -> Vec<(String, String)> {
    let Some(template_dir) = a.path().and_then(Path::parent) else { return Vec::new() };
    let code_uri = match resource {
        Some(r) => t.resource(r).and_then(|r| t.effective_property(r, "CodeUri")),
        None => t.globals_for("AWS::Serverless::Function").and_then(|g| t.tree.get_value(g, "CodeUri")),
    };
    let code_uri = code_uri.and_then(|n| t.literal(n)).unwrap_or(".");
    if code_uri.contains("://") {
        return Vec::new();
    }
    let root = template_dir.join(code_uri);
    let mut files = Vec::new();
    let mut budget = MAX_ENTRIES;
    collect_sources(&root, 0, &mut budget, &mut files);
    let mut out = Vec::new();
    for f in files {
        let Ok(rel) = f.strip_prefix(&root) else { continue };
        let rel_text = rel.to_string_lossy().replace('\\', "/");
        let ext = f.extension().and_then(|e| e.to_str()).unwrap_or("");
        let Ok(src) = std::fs::read_to_string(&f) else { continue };
        let module = rel_text.rsplit_once('.').map_or(rel_text.as_str(), |(m, _)| m);
        let (module, names) = if ext == "py" {
            (module.replace('/', "."), python_functions(&src))
        } else {
            (module.to_owned(), js_exports(&src))
        };
        for n in names {
            out.push((format!("{module}.{n}"), rel_text.clone()));
        }
    }
    out.sort();
    out
}

fn collect_sources(dir: &Path, depth: usize, budget: &mut usize, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        if *budget == 0 {
            return;
        }
        *budget -= 1;
        let name = e.file_name().to_string_lossy().into_owned();
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            if depth < MAX_DEPTH && !skipped(&name) {
                collect_sources(&e.path(), depth + 1, budget, out);
            }
        } else if ft.is_file()
            && matches!(Path::new(&name).extension().and_then(|x| x.to_str()), Some("py" | "js" | "mjs" | "cjs"))
            && e.metadata().is_ok_and(|m| m.len() <= MAX_FILE_BYTES)
        {
            out.push(e.path());
        }
    }
}

/// Top-level `def name(` / `async def name(` in a Python module (private `_names` left out).
fn python_functions(src: &str) -> Vec<String> {
    src.lines()
        .filter_map(|l| l.strip_prefix("def ").or_else(|| l.strip_prefix("async def ")))
        .filter_map(|rest| rest.split_once('(').map(|(n, _)| n.trim()))
        .filter(|n| !n.starts_with('_') && n.chars().all(|c| c.is_alphanumeric() || c == '_'))
        .map(str::to_owned)
        .collect()
}

/// Exported functions of a JavaScript module: `exports.x =`, `module.exports.x =`,
/// `export const x`, `export function x`, `export async function x`.
fn js_exports(src: &str) -> Vec<String> {
    let mut out = Vec::new();
    for l in src.lines() {
        let l = l.trim_start();
        let name = if let Some(r) = l.strip_prefix("module.exports.").or_else(|| l.strip_prefix("exports.")) {
            r.split(['=', ' ']).next()
        } else if let Some(r) = l.strip_prefix("export ") {
            let r = r.trim_start_matches("async ");
            r.strip_prefix("function ")
                .or_else(|| r.strip_prefix("const "))
                .or_else(|| r.strip_prefix("let "))
                .and_then(|r| r.split(['(', '=', ' ']).next())
        } else {
            None
        };
        if let Some(n) = name
            .map(str::trim)
            .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '$'))
            && !out.iter().any(|x| x == n)
        {
            out.push(n.to_owned());
        }
    }
    out
}

/// Folders (relative to the template) for a `CodeUri` being typed: the subfolders of the folder the
/// typed text names so far, each ending in `/`.
pub(crate) fn folders(a: &Analysis, typed: &str) -> Vec<String> {
    let Some(template_dir) = a.path().and_then(Path::parent) else { return Vec::new() };
    let prefix = typed.rsplit_once('/').map_or("", |(p, _)| p);
    let dir = if prefix.is_empty() { template_dir.to_path_buf() } else { template_dir.join(prefix) };
    let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
    let mut out: Vec<String> = entries
        .flatten()
        .take(MAX_ENTRIES)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !skipped(n))
        .map(|n| if prefix.is_empty() { format!("{n}/") } else { format!("{prefix}/{n}/") })
        .collect();
    out.sort();
    out
}
