//! Deterministic packaging: a folder (or a single file) becomes zip bytes that depend only on the
//! files' relative paths, contents and executable bit, and the SHA-256 of those bytes names the S3 key.
//! Also: resolving template paths inside the project, and installing a Python function's
//! requirements with the user's pip.

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use samwise_template::local_path::{LocalPath, resolve_in_project};
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::DeployError;

/// Directory names never packaged: build output, VCS data and caches differ between machines and
/// runs, so including them would change the hash of unchanged code.
const SKIPPED_DIRS: &[&str] = &["__pycache__", ".aws-sam", ".git"];

/// Archive bytes and their content hash.
#[derive(Clone, PartialEq, Eq)]
pub struct Packaged {
    pub bytes: Vec<u8>,
    /// Lowercase hex SHA-256 of `bytes`.
    pub sha256: String,
}

impl std::fmt::Debug for Packaged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Packaged").field("len", &self.bytes.len()).field("sha256", &self.sha256).finish()
    }
}

impl Packaged {
    pub fn new(bytes: Vec<u8>) -> Packaged {
        let sha256 = hex(&Sha256::digest(&bytes));
        Packaged { bytes, sha256 }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether a path (relative, `/`-separated) is left out of archives.
fn skipped(rel: &str, is_dir: bool) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    if is_dir {
        SKIPPED_DIRS.contains(&name) || rel == "node_modules/.cache" || rel.ends_with("/node_modules/.cache")
    } else {
        name.ends_with(".pyc")
    }
}

/// The files under `root`, as (`/`-separated relative path, absolute path), sorted by relative path.
pub fn collect_files(root: &Path) -> Result<Vec<(String, PathBuf)>, DeployError> {
    walk(root, None)
}

/// The project a code folder must not leave, and the template property that names the folder.
struct Boundary<'a> {
    project: &'a Path,
    resource: &'a str,
    property: &'a str,
}

/// [`collect_files`], refusing (with `boundary`) a symbolic link that resolves outside the project.
fn walk(root: &Path, boundary: Option<&Boundary>) -> Result<Vec<(String, PathBuf)>, DeployError> {
    let mut out = Vec::new();
    let real_root = std::fs::canonicalize(root).map_err(|e| DeployError::io(root, e))?;
    let mut stack = vec![(String::new(), root.to_path_buf(), real_root)];
    while let Some((prefix, dir, real_dir)) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| DeployError::io(&dir, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| DeployError::io(&dir, e))?;
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
            // Follows symlinks, as `sam build` does: a linked shared module is part of the function.
            // Within the project only: a link to ~/.aws or /etc must not end up in an upload.
            if let Some(b) = boundary
                && entry.file_type().is_ok_and(|t| t.is_symlink())
                && !std::fs::canonicalize(&path).is_ok_and(|real| real.starts_with(b.project))
            {
                return Err(DeployError::LinkEscapes {
                    resource: b.resource.to_owned(),
                    property: b.property.to_owned(),
                    link: path,
                    project: b.project.to_path_buf(),
                });
            }
            let meta = std::fs::metadata(&path).map_err(|e| DeployError::io(&path, e))?;
            if meta.is_dir() {
                if !skipped(&rel, true) {
                    let real = std::fs::canonicalize(&path).map_err(|e| DeployError::io(&path, e))?;
                    // A link to the folder itself or one above it would be walked forever.
                    if real_dir.starts_with(&real) {
                        return Err(DeployError::Zip {
                            path: path.clone(),
                            detail: "this symbolic link leads back to a folder that contains it".to_owned(),
                        });
                    }
                    stack.push((rel, path, real));
                }
            } else if !skipped(&rel, false) {
                out.push((rel, path));
            }
        }
    }
    // Byte order of the relative path, so that read_dir's order (file system dependent) never matters.
    out.sort();
    Ok(out)
}

#[cfg(unix)]
fn is_executable(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_meta: &std::fs::Metadata) -> bool {
    false
}

/// Zips `files` (relative name, source path) in the given order with fixed timestamps and
/// permissions. Directories get no entries of their own: their metadata would differ between checkouts.
pub fn zip_files(files: &[(String, PathBuf)], what: &Path) -> Result<Packaged, DeployError> {
    let zip_err = |e: zip::result::ZipError| DeployError::Zip { path: what.to_path_buf(), detail: e.to_string() };
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for (rel, path) in files {
        let meta = std::fs::metadata(path).map_err(|e| DeployError::io(path, e))?;
        let mode = if is_executable(&meta) { 0o755 } else { 0o644 };
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .last_modified_time(DateTime::default())
            .unix_permissions(mode);
        let data = std::fs::read(path).map_err(|e| DeployError::io(path, e))?;
        zip.start_file(rel.as_str(), options).map_err(zip_err)?;
        zip.write_all(&data).map_err(|e| DeployError::io(path, e))?;
    }
    let bytes = zip.finish().map_err(zip_err)?.into_inner();
    Ok(Packaged::new(bytes))
}

/// Packages a folder or a single file as a zip archive.
pub fn package_path(path: &Path) -> Result<Packaged, DeployError> {
    let meta = std::fs::metadata(path).map_err(|e| DeployError::io(path, e))?;
    let files = if meta.is_dir() {
        collect_files(path)?
    } else {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        vec![(name, path.to_path_buf())]
    };
    zip_files(&files, path)
}

/// Resolves a template's local path against the project directory (the template's folder) and
/// refuses paths that lead outside it (`CodeUri: ../../etc`, `/etc`, a symbolic link pointing out,
/// or a folder holding such a link), so a template cannot make a deploy upload arbitrary files of
/// the machine. The same resolution as the SW4010 diagnostic: [`resolve_in_project`].
pub fn resolve_local(project: &Path, value: &str, resource: &str, property: &str) -> Result<PathBuf, DeployError> {
    let project_abs = std::fs::canonicalize(project).map_err(|e| DeployError::io(project, e))?;
    let real = match resolve_in_project(&project_abs, value) {
        LocalPath::Inside(real) => real,
        LocalPath::Missing(path) => {
            return Err(DeployError::MissingArtifact {
                resource: resource.to_owned(),
                property: property.to_owned(),
                path,
            });
        }
        LocalPath::Outside { .. } => {
            return Err(DeployError::PathEscapes {
                resource: resource.to_owned(),
                property: property.to_owned(),
                value: value.to_owned(),
                project: project_abs,
            });
        }
    };
    if real.is_dir() {
        walk(&real, Some(&Boundary { project: &project_abs, resource, property }))?;
    }
    Ok(real)
}

/// Runs `<python> -m pip install -r <requirements> -t <build_dir>`: the user's interpreter, so the
/// wheels match the Python the function was written for. `extra_args` go after the standard ones
/// (for example `--no-index --find-links DIR` for offline installs).
pub fn pip_install(
    python: &Path,
    requirements: &Path,
    build_dir: &Path,
    extra_args: &[&str],
) -> Result<(), DeployError> {
    let err = |detail: String| DeployError::Pip {
        python: python.to_path_buf(),
        requirements: requirements.to_path_buf(),
        detail,
    };
    let output = Command::new(python)
        .args(["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "-r"])
        .arg(requirements)
        .arg("-t")
        .arg(build_dir)
        .args(extra_args)
        .output()
        .map_err(|e| err(format!("could not start the interpreter: {e}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("no error output");
        return Err(err(format!("{} ({last})", output.status)));
    }
    Ok(())
}

/// Packages a Python function folder with its `requirements.txt` installed: the folder's files plus
/// what pip put into a fresh build directory (the folder's own files win on a name clash, as in
/// `sam build`). The build directory is created under `build_root` and left for inspection.
pub fn package_python(
    source: &Path,
    python: &Path,
    build_root: &Path,
    extra_pip_args: &[&str],
) -> Result<Packaged, DeployError> {
    let requirements = source.join("requirements.txt");
    let build_dir = build_root.join("deps");
    if build_dir.exists() {
        std::fs::remove_dir_all(&build_dir).map_err(|e| DeployError::io(&build_dir, e))?;
    }
    std::fs::create_dir_all(&build_dir).map_err(|e| DeployError::io(&build_dir, e))?;
    pip_install(python, &requirements, &build_dir, extra_pip_args)?;
    let own = collect_files(source)?;
    let mut files: Vec<(String, PathBuf)> = collect_files(&build_dir)?
        .into_iter()
        .filter(|(rel, _)| own.binary_search_by(|(o, _)| o.cmp(rel)).is_err())
        // pip records absolute paths and its own identity here; neither belongs in the artifact's hash.
        .filter(|(rel, _)| {
            !rel.ends_with(".dist-info/RECORD")
                && !rel.ends_with(".dist-info/INSTALLER")
                && !rel.ends_with(".dist-info/direct_url.json")
        })
        .collect();
    files.extend(own);
    files.sort();
    zip_files(&files, source)
}

/// The S3 key of an artifact: `<prefix>/<hash>.<ext>` (no leading slash when the prefix is empty).
pub fn s3_key(prefix: &str, sha256: &str, ext: &str) -> String {
    let prefix = prefix.trim_matches('/');
    if prefix.is_empty() { format!("{sha256}.{ext}") } else { format!("{prefix}/{sha256}.{ext}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skip_rules() {
        assert!(skipped("__pycache__", true));
        assert!(skipped("pkg/__pycache__", true));
        assert!(skipped(".git", true));
        assert!(skipped(".aws-sam", true));
        assert!(skipped("node_modules/.cache", true));
        assert!(skipped("a/node_modules/.cache", true));
        assert!(!skipped("node_modules", true));
        assert!(!skipped(".cache", true));
        assert!(skipped("a/b.pyc", false));
        assert!(!skipped("a/b.py", false));
    }

    #[test]
    fn keys() {
        assert_eq!(s3_key("", "ab", "zip"), "ab.zip");
        assert_eq!(s3_key("app/", "ab", "zip"), "app/ab.zip");
        assert_eq!(s3_key("/a/b", "ab", "yaml"), "a/b/ab.yaml");
    }

    #[cfg(unix)]
    #[test]
    fn a_link_in_a_code_folder_leading_out_is_refused() {
        let outer = tempfile::tempdir().unwrap();
        let project = outer.path().join("project");
        std::fs::create_dir_all(project.join("src")).unwrap();
        std::fs::create_dir_all(project.join("shared")).unwrap();
        std::fs::create_dir_all(outer.path().join("secret")).unwrap();
        std::fs::write(project.join("src/app.py"), "").unwrap();
        std::fs::write(outer.path().join("secret/credentials"), "aws_secret_access_key = x").unwrap();
        // A link to a folder inside the project is followed, as `sam build` does.
        std::os::unix::fs::symlink("../shared", project.join("src/shared")).unwrap();
        assert!(resolve_local(&project, "src", "Fn", "CodeUri").is_ok());
        std::os::unix::fs::symlink("../../secret", project.join("src/creds")).unwrap();
        let err = resolve_local(&project, "src", "Fn", "CodeUri").unwrap_err();
        assert!(matches!(err, DeployError::LinkEscapes { .. }), "{err}");
        let message = err.to_string();
        assert!(message.starts_with("Fn.CodeUri: the symbolic link ") && message.contains("src/creds"), "{message}");
        // A dangling link cannot be shown to stay inside either.
        std::fs::remove_file(project.join("src/creds")).unwrap();
        std::os::unix::fs::symlink("/nonexistent/samwise", project.join("src/gone")).unwrap();
        assert!(matches!(resolve_local(&project, "src", "Fn", "CodeUri"), Err(DeployError::LinkEscapes { .. })));
    }
}
