//! xtask: code and data generation and tidy checks, run as `cargo xtask <command>`.
//!
//! `gen-data` downloads the pinned PyPI packages named in `gen_cfn` and `gen_botocore` (with pip, into
//! `.cache/gen-data`) and rewrites the committed data files under `crates/data/assets/`.

mod gen_botocore;
mod gen_cfn;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("gen-data") => gen_cfn::run(&root()).and_then(|()| gen_botocore::run(&root())),
        Some("gen-data-cfn") => gen_cfn::run(&root()),
        Some("gen-data-botocore") => gen_botocore::run(&root()),
        _ => {
            eprintln!("usage: cargo xtask gen-data | gen-data-cfn | gen-data-botocore");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The repository root (xtask lives one level below it).
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask has a parent").to_path_buf()
}
