//! The runtime clients embedded in the binary (Python and Node.js, in `crates/runtime/bootstrap/`) and
//! their installation into a cache directory, where an interpreter can run them as ordinary scripts.

use std::io;
use std::path::{Path, PathBuf};

use crate::config::RuntimeFamily;

const PYTHON: &str = include_str!("../bootstrap/python_bootstrap.py");
const PYTHON_LAUNCHER: &str = include_str!("../bootstrap/python_launcher.py");
const NODE: &str = include_str!("../bootstrap/node_bootstrap.cjs");

/// The embedded client files for a runtime family as (file name, content), the one to run first;
/// `None` for custom runtimes, which bring their own `bootstrap`. Python's client is imported by a
/// small launcher, so that its bytecode is cached (a script run directly is compiled every time).
fn embedded(family: RuntimeFamily) -> Option<&'static [(&'static str, &'static str)]> {
    match family {
        RuntimeFamily::Python => {
            Some(&[("samwise_bootstrap.py", PYTHON_LAUNCHER), ("samwise_runtime_client.py", PYTHON)])
        }
        RuntimeFamily::Node => Some(&[("samwise_bootstrap.cjs", NODE)]),
        RuntimeFamily::Provided => None,
    }
}

/// The default cache directory: `$XDG_CACHE_HOME/samwise`, `~/.cache/samwise` (Unix),
/// `%LOCALAPPDATA%\samwise` (Windows), or the temporary directory when none of these is set.
pub fn default_cache_dir() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("LOCALAPPDATA").map(PathBuf::from))
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("samwise")
}

/// Writes the runtime client for `family` under `cache_dir` (once per version and content) and
/// returns the path of the file to run; `None` for custom runtimes.
pub fn install(family: RuntimeFamily, cache_dir: &Path) -> io::Result<Option<PathBuf>> {
    let Some(files) = embedded(family) else { return Ok(None) };
    // Named by content too: two builds of one version (a development build beside an installed one)
    // must not take turns rewriting files that the other's processes are about to run.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in files.iter().flat_map(|(name, text)| name.bytes().chain(text.bytes())) {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    let dir = cache_dir.join(format!("runtime-{}-{:08x}", env!("CARGO_PKG_VERSION"), hash as u32));
    for (name, text) in files {
        let path = dir.join(name);
        if std::fs::read(&path).is_ok_and(|existing| existing == text.as_bytes()) {
            continue;
        }
        std::fs::create_dir_all(&dir)?;
        // Write to a unique temporary name (unique across processes and threads) and rename: parallel
        // invocations never see a half-written file.
        let tmp = dir.join(format!(".{name}.{}.tmp", uuid::Uuid::new_v4().simple()));
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, &path)?;
    }
    Ok(Some(dir.join(files[0].0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installs_once_and_repairs_edits() {
        let dir = std::env::temp_dir().join(format!("samwise-bootstrap-test-{}", std::process::id()));
        let path = install(RuntimeFamily::Python, &dir).unwrap().unwrap();
        assert_eq!(path.file_name().unwrap(), "samwise_bootstrap.py");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), PYTHON_LAUNCHER);
        let client = path.with_file_name("samwise_runtime_client.py");
        assert_eq!(std::fs::read_to_string(&client).unwrap(), PYTHON);
        std::fs::write(&client, "tampered").unwrap();
        let again = install(RuntimeFamily::Python, &dir).unwrap().unwrap();
        assert_eq!(again, path);
        assert_eq!(std::fs::read_to_string(&client).unwrap(), PYTHON);
        let node = install(RuntimeFamily::Node, &dir).unwrap().unwrap();
        assert_eq!(std::fs::read_to_string(&node).unwrap(), NODE);
        assert!(install(RuntimeFamily::Provided, &dir).unwrap().is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The launcher imports the client by the name it is installed under.
    #[test]
    fn launcher_imports_the_installed_client() {
        let files = embedded(RuntimeFamily::Python).unwrap();
        let module = files[1].0.strip_suffix(".py").unwrap();
        assert!(PYTHON_LAUNCHER.contains(&format!("import {module}\n")), "{PYTHON_LAUNCHER}");
        assert!(PYTHON_LAUNCHER.contains(&format!("{module}.main()")), "{PYTHON_LAUNCHER}");
    }

    /// Writes `files` (path, content) under `dir`.
    fn write_tree(dir: &Path, files: &[(&str, &str)]) {
        for (path, text) in files {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
    }

    /// The debugger's pre-import: what the runtime client finds to import before the tracer starts, for
    /// small code trees, and what importing it does. Run by the test virtualenv's Python if present.
    #[test]
    fn preimport_takes_only_libraries_imported_before_user_code_runs() {
        let root = std::env::temp_dir().join(format!("samwise-preimport-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let client = install(RuntimeFamily::Python, &root.join("cache")).unwrap().unwrap();
        write_tree(
            &root,
            &[
                // Libraries: outside the code directory, on the interpreter's path.
                ("site/lib_a.py", "def make():\n    return 1\n"),
                ("site/lib_c.py", ""),
                ("site/lib_d.py", ""),
                ("site/lib_e.py", ""),
                ("site/lib_f.py", ""),
                ("site/lib_late.py", ""),
                // Leading imports (among a try, a literal and a plain function), into the user's own
                // package and its relative imports, until a call.
                (
                    "order/app.py",
                    "\"\"\"Doc.\"\"\"\nfrom __future__ import annotations\nimport json\nimport lib_a\nfrom pkg import mod\ntry:\n    import lib_missing\nexcept ImportError:\n    lib_missing = None\nCONST = {\"a\": [1, 2]}\ndef handler(event, context):\n    import lib_never\nimport lib_c\nCLIENT = lib_a.make()\nimport lib_late\n",
                ),
                ("order/pkg/__init__.py", "import lib_d\n"),
                ("order/pkg/mod.py", "from . import sibling\nimport lib_e\n"),
                ("order/pkg/sibling.py", "import lib_f\n"),
                // An `if` (TYPE_CHECKING) ends the scan, as does anything touching sys.path.
                (
                    "typing/app.py",
                    "import lib_a\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import lib_c\nimport lib_d\n",
                ),
                ("syspath/app.py", "import sys\nsys.path.insert(0, 'vendor')\nimport lib_a\n"),
                // The user's own module named like a library is the user's, and its call ends the scan.
                ("shadow/app.py", "import lib_a\nimport lib_c\n"),
                ("shadow/lib_a.py", "import lib_d\nX = lib_d.f()\n"),
            ],
        );
        let script = r#"
import json, os, sys
os.environ["AWS_LAMBDA_RUNTIME_API"] = "127.0.0.1:9"
root = sys.argv[1]
sys.path.insert(0, os.path.dirname(sys.argv[2]))
sys.path.append(os.path.join(root, "site"))
import samwise_runtime_client as client
result = {}
for name in ("order", "typing", "syspath", "shadow"):
    scan = client._ImportScan([os.path.join(root, name)])
    scan.module("app")
    result[name] = [[module, list(names)] for module, names in scan.found]
os.environ["_HANDLER"] = "app.handler"
sys.path.insert(0, os.path.join(root, "order"))
result["count"] = client._preimport([os.path.join(root, "order")])
result["loaded"] = sorted(m for m in sys.modules if m.startswith(("lib_", "app", "pkg")))
print(json.dumps(result))
"#;
        let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python");
        let python = if venv.exists() { venv } else { PathBuf::from("python3") };
        let out = std::process::Command::new(&python).arg("-c").arg(script).arg(&root).arg(&client).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let want = serde_json::json!({
            "order": [
                ["__future__", ["annotations"]], ["json", []], ["lib_a", []], ["lib_d", []], ["lib_f", []],
                ["lib_e", []], ["lib_missing", []], ["lib_c", []]
            ],
            "typing": [["lib_a", []], ["typing", ["TYPE_CHECKING"]]],
            "syspath": [],
            "shadow": [["lib_d", []]],
            // json was loaded already; lib_missing fails quietly.
            "count": 6,
            // Libraries only: the user's modules are imported by the handler's import, under the debugger.
            "loaded": ["lib_a", "lib_c", "lib_d", "lib_e", "lib_f"],
        });
        assert_eq!(got, want);
        std::fs::remove_dir_all(&root).unwrap();
    }
}
