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

/// Takes the machine-wide deploy lock named by `key`: a file in the temporary folder, locked for as
/// long as the returned file is open (the system releases it when the process ends, however it
/// ends). Taken: `AlreadyDeploying` naming `what` ("of stack X"). No lock file can be made (no
/// temporary folder, a file system without locks): `Ok(None)`, and the deploy goes on without.
pub(crate) fn deploy_lock(key: &str, what: impl FnOnce() -> String) -> Result<Option<std::fs::File>, DeployError> {
    deploy_lock_waiting(key, std::time::Duration::ZERO, what)
}

/// [`deploy_lock`], waiting up to `patience` for the holder to let go before giving up.
pub(crate) fn deploy_lock_waiting(
    key: &str,
    patience: std::time::Duration,
    what: impl FnOnce() -> String,
) -> Result<Option<std::fs::File>, DeployError> {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(key.as_bytes());
    let name: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    let path = std::env::temp_dir().join(format!("samwise-deploy-{name}.lock"));
    let Ok(file) = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path) else {
        return Ok(None);
    };
    let deadline = std::time::Instant::now() + patience;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(Some(file)),
            Err(std::fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(DeployError::AlreadyDeploying { what: what(), lock: path });
            }
            Err(std::fs::TryLockError::Error(_)) => return Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deploy_lock_is_held_until_its_file_is_closed() {
        let key = format!("test\n{}", std::process::id());
        let first = deploy_lock(&key, || unreachable!()).unwrap().expect("a lock file in the temporary folder");
        let e = deploy_lock(&key, || "of stack locked".into()).unwrap_err();
        assert!(e.to_string().starts_with("another samwise deploy of stack locked is running on this machine"), "{e}");
        assert!(deploy_lock(&format!("{key}-other"), || unreachable!()).unwrap().is_some(), "other keys are free");
        // A waiting taker gets the lock once the holder lets go.
        let waiter = std::thread::spawn({
            let key = key.clone();
            move || {
                deploy_lock_waiting(&key, std::time::Duration::from_secs(60), || "waited".into()).map(|l| l.is_some())
            }
        });
        std::thread::sleep(std::time::Duration::from_millis(300));
        drop(first);
        assert!(matches!(waiter.join().unwrap(), Ok(true)), "the waiter took the lock");
        assert!(deploy_lock(&key, || unreachable!()).unwrap().is_some(), "free again once both are closed");
    }

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
