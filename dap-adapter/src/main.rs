//! samwise-dap: the debug adapter binary and its command-line front end (`invoke`, `generate-event`).
//!
//! This file only dispatches: each command lives in `cli/`; the debug adapter (DAP over stdio when no
//! command is given, over a socket with `--port N`) lives in `dap/`.
//!
//! DEPENDENCIES
//! - lexopt: command-line parsing (small, no dependencies, correct with OsStrings and `--flag=value`).
//! - tokio: the async runtime that `samwise-runtime` runs on; `signal` for Ctrl-C; sockets, pipes and
//!   processes for the adapter.
//! - serde, serde_json: DAP messages and the launch configuration (DAP is JSON).
//! - serde_path_to_error: launch configuration errors name the field (`lambda.timeoutSec`), which
//!   serde_json's own errors do not.

mod cli;
mod dap;

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let Some(first) = args.next() else {
        return serve(None);
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
        Some("--port") => match rest.first().and_then(|p| p.to_str()).map(str::parse::<u16>) {
            Some(Ok(port)) if rest.len() == 1 => serve(Some(port)),
            _ => cli::usage_error("--port: expected one port number (0 for any free port)"),
        },
        Some(arg) if arg.starts_with("--port=") => match arg["--port=".len()..].parse::<u16>() {
            Ok(port) if rest.is_empty() => serve(Some(port)),
            _ => cli::usage_error("--port: expected one port number (0 for any free port)"),
        },
        _ => cli::usage_error(&format!("unknown command `{}`", first.to_string_lossy())),
    }
}

/// The debug adapter: DAP over stdio (`None`) or on 127.0.0.1:`port`.
fn serve(port: Option<u16>) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("samwise-dap: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let result = match port {
        None => {
            rt.block_on(dap::serve_stdio());
            Ok(())
        }
        Some(port) => rt.block_on(dap::serve_port(port)),
    };
    // Do not wait for stdin's blocking reader thread: the session is over.
    rt.shutdown_timeout(std::time::Duration::from_millis(100));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("samwise-dap: {e}");
            ExitCode::from(1)
        }
    }
}
