//! samwise-dap: the debug adapter binary and its command-line front end (`invoke`, `generate-event`).
//!
//! This file only dispatches: each command lives in `cli/`, and the DAP server modes (stdio when no
//! command is given, `--port N`) are not built yet.
//!
//! DEPENDENCIES
//! - lexopt: command-line parsing (small, no dependencies, correct with OsStrings and `--flag=value`).
//! - tokio: the async runtime that `samwise-runtime` runs on; `signal` for Ctrl-C.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let Some(first) = args.next() else {
        return dap_not_available();
    };
    let rest: Vec<_> = args.collect();
    match first.to_str() {
        Some("invoke") => cli::invoke::run(rest),
        Some("generate-event") => cli::generate_event::run(rest),
        Some("--version" | "-V") => {
            println!("samwise-dap {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Some("--help" | "-h" | "help") => {
            print!("{}", cli::USAGE);
            ExitCode::SUCCESS
        }
        Some("--port") => dap_not_available(),
        _ => cli::usage_error(&format!("unknown command `{}`", first.to_string_lossy())),
    }
}

fn dap_not_available() -> ExitCode {
    eprintln!(
        "samwise-dap: DAP mode not available yet; use `samwise-dap invoke` to run a function (see `samwise-dap --help`)"
    );
    ExitCode::from(2)
}
