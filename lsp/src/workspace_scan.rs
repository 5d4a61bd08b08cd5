//! Finding the templates of a workspace for workspace symbols: a bounded walk of the workspace
//! folders that skips dependency, build and VCS folders, so a large repository costs a bounded
//! amount of time per request.

use std::path::{Path, PathBuf};

/// Folders never searched: dependencies, build output, VCS metadata and virtualenvs.
const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    ".git",
    ".hg",
    ".svn",
    ".aws-sam",
    "target",
    ".venv",
    "venv",
    "env",
    "__pycache__",
    ".tox",
    ".mypy_cache",
    "cdk.out",
];
const TEMPLATE_EXTENSIONS: &[&str] = &["yaml", "yml", "json", "template"];

/// Bounds of one scan.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Directory entries looked at in total.
    pub max_entries: usize,
    pub max_depth: usize,
    /// Templates returned.
    pub max_templates: usize,
    /// Larger files are not templates anyone edits by hand; skip them.
    pub max_file_bytes: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { max_entries: 20_000, max_depth: 12, max_templates: 500, max_file_bytes: 2 << 20 }
    }
}

/// Template files under `roots` (by extension and a cheap content check: a CloudFormation template
/// always has a `Resources` section), with their text, in a stable order.
pub fn find_templates(roots: &[PathBuf], limits: Limits) -> Vec<(PathBuf, String)> {
    let mut found = Vec::new();
    let mut budget = limits.max_entries;
    for root in roots {
        walk(root, 0, &limits, &mut budget, &mut found);
    }
    found
}

fn walk(dir: &Path, depth: usize, limits: &Limits, budget: &mut usize, found: &mut Vec<(PathBuf, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        if *budget == 0 || found.len() >= limits.max_templates {
            return;
        }
        *budget -= 1;
        let path = entry.path();
        let Ok(file_type) = entry.file_type() else { continue };
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if file_type.is_dir() {
            // A folder holding `pyvenv.cfg` is a virtualenv whatever it is called.
            if depth < limits.max_depth && !SKIPPED_DIRS.contains(&name.as_ref()) && !path.join("pyvenv.cfg").exists() {
                walk(&path, depth + 1, limits, budget, found);
            }
        } else if file_type.is_file() && is_template_name(&path) {
            let small = entry.metadata().is_ok_and(|m| m.len() <= limits.max_file_bytes);
            if let Some(text) = small.then(|| std::fs::read_to_string(&path).ok()).flatten()
                && text.contains("Resources")
            {
                found.push((path, text));
            }
        }
    }
}

fn is_template_name(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| TEMPLATE_EXTENSIONS.contains(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scan_skips_dependency_folders_and_non_templates() {
        let root = std::env::temp_dir().join(format!("samwise-scan-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for (rel, text) in [
            ("template.yaml", "Resources: {}\n"),
            ("nested/api.json", "{\"Resources\": {}}"),
            ("package.json", "{\"name\": \"x\"}"),
            ("node_modules/dep/template.yaml", "Resources: {}\n"),
            ("venv2/pyvenv.cfg", ""),
            ("venv2/lib/template.yaml", "Resources: {}\n"),
        ] {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let found: Vec<_> = find_templates(std::slice::from_ref(&root), Limits::default())
            .into_iter()
            .map(|(p, _)| p.strip_prefix(&root).unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(found, ["nested/api.json", "template.yaml"]);
        let capped = find_templates(std::slice::from_ref(&root), Limits { max_templates: 1, ..Limits::default() });
        assert_eq!(capped.len(), 1);
        std::fs::remove_dir_all(&root).unwrap();
    }
}
