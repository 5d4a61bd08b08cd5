//! Atomic file writes: a temporary file next to the target, then a rename, so an interrupted deploy
//! never leaves a half-written template or samconfig.toml behind.

use std::io::Write;
use std::path::Path;

use crate::DeployError;

/// Writes `contents` to `path` through a temporary sibling file and a rename (atomic on one file system).
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), DeployError> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.samwise-{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(contents)?;
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
