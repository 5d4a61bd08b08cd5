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
    write_atomic_with(path, contents, |_| Ok(()))
}

/// [`write_atomic`] with a step between the complete temporary file and the rename, so a test can
/// look at the files at the one moment an interruption would leave them in, or fail there.
fn write_atomic_with(
    path: &Path,
    contents: &[u8],
    before_rename: impl FnOnce(&Path) -> std::io::Result<()>,
) -> Result<(), DeployError> {
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
        before_rename(&tmp)?;
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

    #[test]
    fn the_new_contents_go_to_a_sibling_and_an_interruption_keeps_the_old_file_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("samconfig.toml");
        std::fs::write(&path, "version = 0.1\n# the user's comment\n").unwrap();
        let new = "version = 0.1\n[default.deploy.parameters]\nstack_name = \"app\"\n".repeat(1000);

        // Just before the rename: the whole new text is in a hidden file in the same directory
        // (so the rename cannot cross file systems) and the target is still the old file.
        let mut sibling = None;
        write_atomic_with(&path, new.as_bytes(), |t| {
            assert_eq!(t.parent(), path.parent());
            assert!(t.file_name().unwrap().to_string_lossy().starts_with(".samconfig.toml.samwise-"), "{t:?}");
            assert_eq!(std::fs::read_to_string(t).unwrap(), new);
            assert_eq!(std::fs::read_to_string(&path).unwrap(), "version = 0.1\n# the user's comment\n");
            sibling = Some(t.to_path_buf());
            Ok(())
        })
        .unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), new);
        assert!(!sibling.unwrap().exists());

        // A write that fails at that point (a full disk, a kill is the same for the target) leaves
        // the previous contents whole and removes its temporary file.
        let err = write_atomic_with(&path, b"half", |_| Err(std::io::Error::other("disk full"))).unwrap_err();
        assert!(err.to_string().contains("samconfig.toml: disk full"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), new);
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
    }
}
