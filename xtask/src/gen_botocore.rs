//! Generates `crates/data/assets/botocore.bin` (not yet written).

pub fn run(_root: &std::path::Path) -> Result<(), String> {
    Err("gen-data-botocore is not implemented yet".into())
}
