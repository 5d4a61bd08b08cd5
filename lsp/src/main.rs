//! samwise-lsp: the language server binary and its command-line front end (`check`, `deploy`).
//!
//! With no arguments (or `--stdio`) it speaks LSP 3.17 over stdin/stdout. The modules, in the order a
//! message flows through them: `server` (session state and one handler per method), `convert`
//! (`from_proto`/`to_proto`, the only place positions are converted), `documents` (ropey texts and
//! their analyses), `isolate` (panics become error answers), `settings`, `capabilities` and
//! `workspace_scan`.
//!
//! DEPENDENCIES
//! - tower-lsp-server: the maintained fork of tower-lsp; JSON-RPC framing, method routing and
//!   the LSP types (`ls-types`), so the server is only handlers.
//! - tokio: the runtime tower-lsp-server runs on (current-thread; stdio and blocking file scans).
//! - ropey: document texts as ropes, so an incremental change costs O(log n) rather than a copy,
//!   with LSP's line breaks (`\n`, `\r\n`, `\r`; the `cr_lines` feature).
//! - serde, serde_json: the settings type and custom request payloads.

mod capabilities;
mod check;
mod convert;
mod deploy;
mod documents;
mod isolate;
mod server;
mod settings;
mod workspace_scan;

use std::pin::Pin;
use std::process::ExitCode;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, ReadBuf};
use tokio::sync::watch;

use tower_lsp_server::LspService;

const HELP: &str = "\
samwise-lsp: language server for AWS SAM/CloudFormation templates and boto3 code

USAGE:
    samwise-lsp [--stdio]        run the language server over stdin/stdout (LSP 3.17)
    samwise-lsp check <args>     check templates from the command line (see `samwise-lsp check --help`)
    samwise-lsp deploy <args>    deploy a template with a change set (see `samwise-lsp deploy --help`)
    samwise-lsp --version        print the version
    samwise-lsp --help           print this help

Editor settings (the `samwise` section, or initializationOptions): dataDirectory, disabledRules,
severityOverrides.
";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        None | Some("--stdio") => serve(),
        Some("check") => check::main(args.collect()),
        Some("deploy") => deploy::main(args.collect()),
        Some("--version" | "-V") => {
            println!("samwise-lsp {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Some("--help" | "-h") => {
            print!("{HELP}");
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("samwise-lsp: unknown argument `{other}`\n\n{HELP}");
            ExitCode::from(2)
        }
    }
}

fn serve() -> ExitCode {
    // One thread is enough: handlers are short and run one after another on the message loop;
    // blocking file-system work goes to tokio's blocking pool.
    let runtime = match tokio::runtime::Builder::new_current_thread().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("samwise-lsp: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (stopping, _) = watch::channel(false);
    let stdin = Stdin { inner: tokio::io::stdin(), at_eof: stopping.clone() };
    runtime.block_on(async {
        let (service, socket) =
            LspService::build(|client| server::Server::new(client, isolate::Isolation::from_env(), stopping))
                .custom_method("samwise/documentText", server::Server::document_text)
                .finish();
        tower_lsp_server::Server::new(stdin, tokio::io::stdout(), socket).serve(service).await;
    });
    ExitCode::SUCCESS
}

/// Stdin that reports its end: when the editor goes away without `shutdown`, pending requests to it
/// are abandoned so the server can exit (see `Server::ask`).
struct Stdin {
    inner: tokio::io::Stdin,
    at_eof: watch::Sender<bool>,
}

impl AsyncRead for Stdin {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let poll = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(poll, Poll::Ready(Ok(()))) && buf.filled().len() == before && buf.remaining() > 0 {
            self.at_eof.send_replace(true);
        }
        poll
    }
}
