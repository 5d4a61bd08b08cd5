//! Helpers shared by the integration tests: writing project files, the test venv's python, and a
//! hand-made wheel so pip installs work offline without a build backend.

#![allow(dead_code)] // each test binary uses a different subset

use std::io::Write;
use std::path::{Path, PathBuf};

pub fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

pub fn venv_python() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python")
}

/// Writes a minimal pure-Python wheel by hand, so the test needs neither the network nor a build backend.
pub fn tiny_wheel(dir: &Path) {
    let file = std::fs::File::create(dir.join("tinypkg-1.0-py3-none-any.whl")).unwrap();
    let mut z = zip::ZipWriter::new(file);
    let opts = zip::write::SimpleFileOptions::default();
    let files = [
        ("tinypkg/__init__.py", "VALUE = 42\n"),
        ("tinypkg-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: tinypkg\nVersion: 1.0\n"),
        (
            "tinypkg-1.0.dist-info/WHEEL",
            "Wheel-Version: 1.0\nGenerator: samwise-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        ),
        (
            "tinypkg-1.0.dist-info/RECORD",
            "tinypkg/__init__.py,,\ntinypkg-1.0.dist-info/METADATA,,\ntinypkg-1.0.dist-info/WHEEL,,\ntinypkg-1.0.dist-info/RECORD,,\n",
        ),
    ];
    for (name, text) in files {
        z.start_file(name, opts).unwrap();
        z.write_all(text.as_bytes()).unwrap();
    }
    z.finish().unwrap();
}
