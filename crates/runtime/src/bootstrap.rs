//! The runtime clients embedded in the binary (Python and Node.js, in `crates/runtime/bootstrap/`) and
//! their installation into a cache directory, where an interpreter can run them as ordinary scripts.

use std::io;
use std::path::{Path, PathBuf};

use crate::config::RuntimeFamily;

const PYTHON: &str = include_str!("../bootstrap/python_bootstrap.py");
const NODE: &str = include_str!("../bootstrap/node_bootstrap.cjs");

/// The embedded client for a runtime family and its file name; `None` for custom runtimes, which
/// bring their own `bootstrap`.
fn embedded(family: RuntimeFamily) -> Option<(&'static str, &'static str)> {
    match family {
        RuntimeFamily::Python => Some(("samwise_bootstrap.py", PYTHON)),
        RuntimeFamily::Node => Some(("samwise_bootstrap.cjs", NODE)),
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
/// returns its path; `None` for custom runtimes.
pub fn install(family: RuntimeFamily, cache_dir: &Path) -> io::Result<Option<PathBuf>> {
    let Some((name, text)) = embedded(family) else { return Ok(None) };
    let dir = cache_dir.join(format!("runtime-{}", env!("CARGO_PKG_VERSION")));
    let path = dir.join(name);
    if std::fs::read(&path).is_ok_and(|existing| existing == text.as_bytes()) {
        return Ok(Some(path));
    }
    std::fs::create_dir_all(&dir)?;
    // Write to a unique temporary name (unique across processes and threads) and rename: parallel
    // invocations never see a half-written file.
    let tmp = dir.join(format!(".{name}.{}.tmp", uuid::Uuid::new_v4().simple()));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, &path)?;
    Ok(Some(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installs_once_and_repairs_edits() {
        let dir = std::env::temp_dir().join(format!("samwise-bootstrap-test-{}", std::process::id()));
        let path = install(RuntimeFamily::Python, &dir).unwrap().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), PYTHON);
        std::fs::write(&path, "tampered").unwrap();
        let again = install(RuntimeFamily::Python, &dir).unwrap().unwrap();
        assert_eq!(again, path);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), PYTHON);
        assert!(install(RuntimeFamily::Provided, &dir).unwrap().is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
