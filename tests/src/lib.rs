//! End-to-end test support: building and locating the `samwise-lsp` and `samwise-dap` binaries, the
//! repository's paths, and the test virtualenv's Python.
//!
//! The tests in `tests/tests/` drive the real binaries as an editor would. They build them on first use
//! with the same profile the tests run in, so `cargo test` alone works from a clean checkout.

pub mod dap_client;
pub mod fault_proxy;
pub mod lsp_client;
pub mod moto;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

/// A Python module of about `lines` lines of handlers that each create an S3 client and call it
/// (one call in 50 misspelt, as real code has findings): a large file for limits and benchmarks.
pub fn big_python(lines: usize) -> String {
    let mut text = String::from("import boto3\n\n");
    let mut i = 0;
    while 2 + 5 * i < lines {
        let call = if i % 50 == 0 { "put_objekt" } else { "put_object" };
        text.push_str(&format!(
            "def handler_{i}(event, context):\n    s3 = boto3.client(\"s3\")\n    s3.{call}(Bucket=\"b{i}\", Key=\"k\", Body=b\"x\")\n    return {{\"ok\": {i}}}\n\n"
        ));
        i += 1;
    }
    text
}

/// The repository root.
pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent")
}

/// Builds (once per test process) and returns the path of a workspace binary: `samwise-lsp` or `samwise-dap`.
pub fn binary(name: &str) -> PathBuf {
    static BUILT: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    let built = BUILT.get_or_init(|| Mutex::new(Vec::new()));
    let mut built = built.lock().unwrap_or_else(|e| e.into_inner());
    let path = target_dir().join(profile()).join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    if !built.iter().any(|b| b == name) {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.current_dir(repo_root()).args(["build", "--quiet", "--bin", name]);
        if profile() == "release" {
            cmd.arg("--release");
        }
        let status = cmd.status().expect("cargo runs");
        assert!(status.success(), "building {name} failed");
        built.push(name.to_owned());
    }
    path
}

/// The Python of the test virtualenv made by `scripts/test-env.sh` (debugpy, moto, boto3 installed).
pub fn venv_python() -> PathBuf {
    let p = repo_root().join(".venv/bin/python");
    assert!(p.exists(), "{} is missing: run scripts/test-env.sh first", p.display());
    p
}

fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => repo_root().join("target"),
    }
}

/// The profile this test binary was built with, read from its own path (`target/<profile>/deps/...`).
fn profile() -> String {
    let exe = std::env::current_exe().expect("test binary path");
    exe.parent()
        .and_then(Path::parent)
        .and_then(Path::file_name)
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "debug".into())
}
