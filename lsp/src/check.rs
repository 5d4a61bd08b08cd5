//! `samwise-lsp check`: the command-line checker. Placeholder until the real checker lands.

use std::process::ExitCode;

pub fn main(_args: Vec<String>) -> ExitCode {
    eprintln!("check: not available in this build");
    ExitCode::from(2)
}
