//! Where a local path written in a template (`CodeUri`, `ContentUri`, `DefinitionUri`, `Code`,
//! `Content`, `Location`, `TemplateURL`) leads, and whether it stays inside the project.
//!
//! The project is the folder that holds the template: SAM resolves relative paths against it, and it
//! is the one folder a user opening or deploying the template has chosen. A path is inside when it
//! is inside both as written (`..` removed lexically, so `../../etc` is outside even when it does not
//! exist) and as the file system resolves it (symbolic links followed, so a link in the project that
//! points elsewhere is outside). The template diagnostics (SW4010), deploy packaging and local invoke
//! all use [`resolve_in_project`], so the three agree on what is refused.

use std::path::{Component, Path, PathBuf};

/// Every template property whose local path is read from disk: packaged by deploy (the same
/// properties as `aws cloudformation package` and `sam package`) or run by local invoke. Deploy's
/// artifact table is tested against this list.
pub const LOCAL_PATH_PROPERTIES: &[(&str, &str)] = &[
    ("AWS::Serverless::Function", "CodeUri"),
    ("AWS::Serverless::LayerVersion", "ContentUri"),
    ("AWS::Serverless::Api", "DefinitionUri"),
    ("AWS::Serverless::HttpApi", "DefinitionUri"),
    ("AWS::Serverless::StateMachine", "DefinitionUri"),
    ("AWS::Lambda::Function", "Code"),
    ("AWS::Lambda::LayerVersion", "Content"),
    ("AWS::Serverless::Application", "Location"),
    ("AWS::CloudFormation::Stack", "TemplateURL"),
];

/// The outcome of resolving a template path against the project folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalPath {
    /// Inside the project; the path with symbolic links resolved.
    Inside(PathBuf),
    /// Inside the project as written, but nothing exists there (the lexical path).
    Missing(PathBuf),
    /// Outside the project; `through_link` when only the resolved path (a symbolic link) leaves it.
    Outside { through_link: bool },
}

/// The project folder of a template: the folder that holds it.
pub fn project_dir(template: &Path) -> PathBuf {
    match template.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Resolves `value` (as written in the template) against `project`; see the module doc.
pub fn resolve_in_project(project: &Path, value: &str) -> LocalPath {
    // An empty folder (the parent of a bare `template.yaml`) is the current one.
    let project = if project.as_os_str().is_empty() { Path::new(".") } else { project };
    let project = std::fs::canonicalize(project).unwrap_or_else(|_| normalize(&absolute(project)));
    let joined = project.join(value);
    if !normalize(&joined).starts_with(&project) {
        return LocalPath::Outside { through_link: false };
    }
    match std::fs::canonicalize(&joined) {
        Ok(real) if real.starts_with(&project) => LocalPath::Inside(real),
        Ok(_) => LocalPath::Outside { through_link: true },
        Err(_) => LocalPath::Missing(normalize(&joined)),
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// `path` with `.` and `..` removed without looking at the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/path-escape")
    }

    #[test]
    fn paths_as_written() {
        let project = fixture().join("project");
        let real = std::fs::canonicalize(&project).unwrap();
        assert_eq!(resolve_in_project(&project, "src"), LocalPath::Inside(real.join("src")));
        assert_eq!(resolve_in_project(&project, "./src/../src/"), LocalPath::Inside(real.join("src")));
        assert_eq!(resolve_in_project(&project, "../project/src"), LocalPath::Inside(real.join("src")));
        assert_eq!(resolve_in_project(&project, "build/out"), LocalPath::Missing(real.join("build/out")));
        for outside in ["../../etc", "..", "../elsewhere", "/etc", "/", "src/../../elsewhere", "../missing"] {
            assert_eq!(resolve_in_project(&project, outside), LocalPath::Outside { through_link: false }, "{outside}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_links_leading_out() {
        // `project/linked` is a committed symbolic link to `../elsewhere`, a sibling of the project.
        let project = fixture().join("project");
        assert_eq!(resolve_in_project(&project, "linked"), LocalPath::Outside { through_link: true });
        assert_eq!(resolve_in_project(&project, "linked/app.py"), LocalPath::Outside { through_link: true });
    }

    #[test]
    fn relative_and_empty_project_folders() {
        for project in ["", "."] {
            assert_eq!(resolve_in_project(Path::new(project), "../x"), LocalPath::Outside { through_link: false });
            assert!(matches!(resolve_in_project(Path::new(project), "x"), LocalPath::Missing(_)));
        }
    }

    #[test]
    fn project_of_a_template() {
        assert_eq!(project_dir(Path::new("/p/template.yaml")), Path::new("/p"));
        assert_eq!(project_dir(Path::new("template.yaml")), Path::new("."));
    }
}
