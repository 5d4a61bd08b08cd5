//! Replays every committed fuzz input through the target bodies on stable: the seeds in
//! `fuzz/seeds/<target>/` and the crash inputs kept in `fuzz/regressions/<target>/` (by
//! `scripts/fuzz.sh` or by hand). A panic fails the test and names the file.

use std::path::{Path, PathBuf};

fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz").join(kind).join(target);
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries.map(|e| e.expect("readable directory entry").path()).collect(),
        Err(_) => Vec::new(),
    };
    files.retain(|p| p.is_file() && p.file_name().is_some_and(|n| n != "README.md" && n != ".gitkeep"));
    files.sort();
    files
}

fn replay(kind: &str) -> usize {
    let mut count = 0;
    for &(target, body) in samwise_fuzzing::TARGETS {
        for path in inputs(kind, target) {
            let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let outcome = std::panic::catch_unwind(|| body(&data));
            assert!(outcome.is_ok(), "fuzz target `{target}` panics on {}", path.display());
            count += 1;
        }
    }
    count
}

#[test]
fn kept_crash_inputs_no_longer_crash() {
    replay("regressions");
}

#[test]
fn every_target_has_seeds_and_they_pass() {
    for &(target, _) in samwise_fuzzing::TARGETS {
        assert!(!inputs("seeds", target).is_empty(), "no seeds in fuzz/seeds/{target}");
    }
    assert!(replay("seeds") > 0);
}
