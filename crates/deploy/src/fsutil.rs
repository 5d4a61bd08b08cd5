//! Atomic file writes: a temporary file next to the target, then a rename, so an interrupted deploy
//! never leaves a half-written template or samconfig.toml behind.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::DeployError;

/// Distinguishes concurrent writes from one process (the language server may run two deploys).
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes `contents` to `path` through a temporary sibling file and a rename (atomic on one file
/// system). An existing file's permissions are kept: a private samconfig.toml stays private.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), DeployError> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let tmp = dir.join(format!(".{name}.samwise-{}-{n}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(contents)?;
        if let Ok(meta) = std::fs::metadata(path) {
            f.set_permissions(meta.permissions())?;
        }
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        // The temporary file is ours; leaving it would litter the project on every failed write.
        let _ = std::fs::remove_file(&tmp);
        return Err(DeployError::io(path, e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn keeps_permissions_and_leaves_no_temporary_file() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let path = dir.join("samconfig.toml");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::read_dir(dir).unwrap().count(), 1);
        let err = write_atomic(&dir.join("missing/x"), b"x").unwrap_err();
        assert!(err.to_string().contains("missing/x"), "{err}");
    }
}
