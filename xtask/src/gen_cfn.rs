//! Generates `crates/data/assets/cfn.bin` (not yet written).

pub fn run(_root: &std::path::Path) -> Result<(), String> {
    Err("gen-data-cfn is not implemented yet".into())
}
