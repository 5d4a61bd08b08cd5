//! Packaging tests on temporary folders: deterministic bytes, skip rules, permissions, path escapes,
//! and installing a function's requirements with the test venv's pip (offline, from a wheel built here).

mod common;

use std::io::Read;

use common::{tiny_wheel, venv_python, write};
use samwise_deploy::package::{collect_files, package_python};
use samwise_deploy::{DeployError, package_path, pip_install, resolve_local};

fn names(bytes: &[u8]) -> Vec<String> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let f = z.by_index(i).unwrap();
            format!("{} {:o}", f.name(), f.unix_mode().unwrap() & 0o777)
        })
        .collect()
}

#[test]
fn same_files_give_same_bytes_whatever_the_creation_order_and_times() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    write(a.path(), "app.py", "def h(e, c): return 1\n");
    write(a.path(), "lib/util.py", "X = 1\n");
    write(a.path(), "lib/data.json", "{}\n");
    // Created in another order, a little later, with an extra empty folder: none of it may matter.
    write(b.path(), "lib/data.json", "{}\n");
    write(b.path(), "lib/util.py", "X = 1\n");
    std::fs::create_dir_all(b.path().join("empty")).unwrap();
    write(b.path(), "app.py", "def h(e, c): return 1\n");
    let old = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
    std::fs::File::options().write(true).open(b.path().join("app.py")).unwrap().set_modified(old).unwrap();
    let pa = package_path(a.path()).unwrap();
    let pb = package_path(b.path()).unwrap();
    assert_eq!(pa.bytes, pb.bytes);
    assert_eq!(pa.sha256, pb.sha256);
    assert_eq!(pa.sha256.len(), 64);
    assert_eq!(names(&pa.bytes), ["app.py 644", "lib/data.json 644", "lib/util.py 644"]);
    // And packaging is repeatable on one folder.
    assert_eq!(package_path(a.path()).unwrap(), pa);
}

#[test]
fn a_changed_file_changes_the_hash() {
    let a = tempfile::tempdir().unwrap();
    write(a.path(), "app.py", "v = 1\n");
    let before = package_path(a.path()).unwrap();
    write(a.path(), "app.py", "v = 2\n");
    let after = package_path(a.path()).unwrap();
    assert_ne!(before.sha256, after.sha256);
}

#[test]
fn caches_and_build_output_are_skipped() {
    let a = tempfile::tempdir().unwrap();
    write(a.path(), "app.py", "");
    write(a.path(), "__pycache__/app.cpython-312.pyc", "x");
    write(a.path(), "pkg/mod.pyc", "x");
    write(a.path(), ".aws-sam/build/x", "x");
    write(a.path(), ".git/HEAD", "x");
    write(a.path(), "node_modules/.cache/x", "x");
    write(a.path(), "node_modules/left-pad/index.js", "x");
    let files: Vec<String> = collect_files(a.path()).unwrap().into_iter().map(|(r, _)| r).collect();
    assert_eq!(files, ["app.py", "node_modules/left-pad/index.js"]);
}

#[cfg(unix)]
#[test]
fn executables_keep_0755_and_other_modes_become_0644() {
    use std::os::unix::fs::PermissionsExt;
    let a = tempfile::tempdir().unwrap();
    write(a.path(), "bootstrap", "#!/bin/sh\n");
    write(a.path(), "private.txt", "x");
    std::fs::set_permissions(a.path().join("bootstrap"), std::fs::Permissions::from_mode(0o700)).unwrap();
    std::fs::set_permissions(a.path().join("private.txt"), std::fs::Permissions::from_mode(0o600)).unwrap();
    let p = package_path(a.path()).unwrap();
    assert_eq!(names(&p.bytes), ["bootstrap 755", "private.txt 644"]);
}

#[test]
fn a_single_file_is_zipped_under_its_name() {
    let a = tempfile::tempdir().unwrap();
    write(a.path(), "handler.py", "x = 1\n");
    let p = package_path(&a.path().join("handler.py")).unwrap();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(&p.bytes)).unwrap();
    let mut s = String::new();
    z.by_name("handler.py").unwrap().read_to_string(&mut s).unwrap();
    assert_eq!(s, "x = 1\n");
}

#[test]
fn paths_outside_the_project_are_refused() {
    let outer = tempfile::tempdir().unwrap();
    let project = outer.path().join("project");
    write(&project, "src/app.py", "");
    write(outer.path(), "secret/key", "x");
    let err = resolve_local(&project, "../secret", "Fn", "CodeUri").unwrap_err();
    assert!(matches!(err, DeployError::PathEscapes { .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.contains("Fn.CodeUri") && msg.contains("../secret") && msg.contains("outside"), "{msg}");
    // Refused before looking at the file system: a path that does not exist escapes as well.
    let err = resolve_local(&project, "../../etc", "Fn", "CodeUri").unwrap_err();
    assert!(matches!(err, DeployError::PathEscapes { .. }), "{err}");
    let err = resolve_local(&project, "/etc", "Fn", "CodeUri").unwrap_err();
    assert!(matches!(err, DeployError::PathEscapes { .. }), "{err}");
    // Going up and back in is fine.
    assert!(resolve_local(&project, "../project/src", "Fn", "CodeUri").unwrap().ends_with("project/src"));
    let err = resolve_local(&project, "missing", "Fn", "CodeUri").unwrap_err();
    assert!(matches!(err, DeployError::MissingArtifact { .. }), "{err}");
}

#[cfg(unix)]
#[test]
fn a_symlink_leading_outside_the_project_is_refused() {
    let outer = tempfile::tempdir().unwrap();
    let project = outer.path().join("project");
    write(&project, "template.yaml", "");
    write(outer.path(), "secret/key", "x");
    std::os::unix::fs::symlink(outer.path().join("secret"), project.join("code")).unwrap();
    let err = resolve_local(&project, "code", "Fn", "CodeUri").unwrap_err();
    assert!(matches!(err, DeployError::PathEscapes { .. }), "{err}");
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_reported_not_walked() {
    let a = tempfile::tempdir().unwrap();
    write(a.path(), "src/app.py", "");
    std::os::unix::fs::symlink("..", a.path().join("src/up")).unwrap();
    let err = package_path(&a.path().join("src")).unwrap_err();
    assert!(err.to_string().contains("src/up"), "{err}");
}

#[test]
fn requirements_are_installed_with_the_users_pip_and_packaged_reproducibly() {
    let python = venv_python();
    let wheels = tempfile::tempdir().unwrap();
    tiny_wheel(wheels.path());
    let src = tempfile::tempdir().unwrap();
    write(src.path(), "app.py", "import tinypkg\n");
    write(src.path(), "requirements.txt", "tinypkg==1.0\n");
    let find_links = wheels.path().to_str().unwrap();
    let offline = ["--no-index", "--find-links", find_links];

    let target = tempfile::tempdir().unwrap();
    pip_install(&python, &src.path().join("requirements.txt"), target.path(), &offline).unwrap();
    assert_eq!(std::fs::read_to_string(target.path().join("tinypkg/__init__.py")).unwrap(), "VALUE = 42\n");

    let b1 = tempfile::tempdir().unwrap();
    let b2 = tempfile::tempdir().unwrap();
    let p1 = package_python(src.path(), &python, b1.path(), &offline).unwrap();
    let p2 = package_python(src.path(), &python, b2.path(), &offline).unwrap();
    assert_eq!(p1.sha256, p2.sha256, "two builds of the same function differ");
    let n = names(&p1.bytes);
    assert!(n.contains(&"app.py 644".to_owned()) && n.contains(&"tinypkg/__init__.py 644".to_owned()), "{n:?}");
}

#[test]
fn a_failing_pip_install_names_the_requirements_file() {
    let src = tempfile::tempdir().unwrap();
    write(src.path(), "requirements.txt", "no-such-package-samwise==9.9\n");
    let empty = tempfile::tempdir().unwrap();
    let target = tempfile::tempdir().unwrap();
    let links = empty.path().to_str().unwrap();
    let err = pip_install(
        &venv_python(),
        &src.path().join("requirements.txt"),
        target.path(),
        &["--no-index", "--find-links", links],
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, DeployError::Pip { .. }) && msg.contains("requirements.txt"), "{msg}");
}
