//! samwise-lsp: the language server binary and its command-line front end (`check`, `deploy`).
//!
//! With no arguments (or `--stdio`) it speaks LSP 3.17 over stdin/stdout. The modules, in the order a
//! message flows through them: `server` (session state and one handler per method), `convert`
//! (`from_proto`/`to_proto`, the only place positions are converted), `documents` (ropey texts and
//! their analyses), `isolate` (panics become error answers), `settings`, `capabilities` and
//! `workspace_scan`. Before any of them, `forward_frames` here passes the editor's frames on one at a
//! time, so a malformed message is answered with ParseError instead of ending the session.
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
mod completion_limit;
mod convert;
mod deploy;
mod documents;
mod isolate;
mod server;
mod settings;
mod workspace_scan;

use std::process::ExitCode;

use samwise_framing::lenient::read_frame;
use tokio::io::{AsyncBufRead, AsyncWriteExt, BufReader, DuplexStream};
use tokio::sync::watch;

use tower_lsp_server::{LspService, jsonrpc};

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
    let (to_server, from_editor) = tokio::io::duplex(64 * 1024);
    runtime.block_on(async {
        tokio::spawn(forward_frames(BufReader::new(tokio::io::stdin()), to_server, stopping.clone()));
        let (service, socket) =
            LspService::build(|client| server::Server::new(client, isolate::Isolation::from_env(), stopping))
                .custom_method("samwise/documentText", server::Server::document_text)
                .custom_method(INVALID_MESSAGE, invalid_message)
                .finish();
        tower_lsp_server::Server::new(from_editor, tokio::io::stdout(), socket).serve(service).await;
    });
    // After `exit` the editor may keep stdin open: `forward_frames` is then blocked reading it on
    // tokio's blocking pool, which an ordinary drop of the runtime would wait for.
    runtime.shutdown_background();
    ExitCode::SUCCESS
}

/// The request that stands in for a message that is not JSON-RPC. tower-lsp-server answers such a
/// body with an error and then stops reading (tokio-util's `FramedRead` ends the stream after a
/// decode error), so the server would exit; [`forward_frames`] replaces the body with this request
/// instead, and [`invalid_message`] answers it with the same error.
const INVALID_MESSAGE: &str = "samwise/invalidMessage";

#[derive(serde::Deserialize)]
struct InvalidMessage {
    /// ParseError (not JSON) or InvalidRequest (JSON, but not a JSON-RPC message).
    code: i64,
    error: String,
}

async fn invalid_message(_: &server::Server, params: InvalidMessage) -> jsonrpc::Result<()> {
    let code = jsonrpc::ErrorCode::from(params.code);
    Err(jsonrpc::Error { code, message: format!("{}: {}", code.description(), params.error).into(), data: None })
}

/// What tower-lsp-server decodes (its own type is private).
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum JsonRpcMessage {
    Response(#[allow(dead_code)] jsonrpc::Response),
    Request(#[allow(dead_code)] jsonrpc::Request),
}

/// `body` if tower-lsp-server can decode it, else an [`INVALID_MESSAGE`] request answering it: with
/// the message's own id when it has one, else id null.
fn checked(body: Vec<u8>) -> Vec<u8> {
    if serde_json::from_slice::<JsonRpcMessage>(&body).is_ok() {
        return body;
    }
    let error = "not a JSON-RPC request, notification or response".to_owned();
    let (code, error, id) = match serde_json::from_slice::<serde_json::Value>(&body) {
        Err(e) => (jsonrpc::ErrorCode::ParseError, e.to_string(), None),
        Ok(value) => (
            jsonrpc::ErrorCode::InvalidRequest,
            error,
            value.get("id").filter(|id| id.is_i64() || id.is_string()).cloned(),
        ),
    };
    let id = id.unwrap_or_default();
    let params = serde_json::json!({ "code": code.code(), "error": error });
    serde_json::json!({ "jsonrpc": "2.0", "id": id, "method": INVALID_MESSAGE, "params": params })
        .to_string()
        .into_bytes()
}

/// Copies the editor's messages from stdin to the server, one frame at a time, so that a malformed
/// one costs only itself: lines before a `Content-Length` header that are not headers (the rest of a
/// body whose Content-Length was too short) are skipped (`samwise-framing`'s lenient reader), and a
/// body that is not a JSON-RPC message is answered with an error (see [`checked`]). At the end of
/// stdin (also inside a frame) it tells the server, so pending requests to the editor are abandoned
/// and the server can exit (see `Server::ask`).
async fn forward_frames(mut stdin: impl AsyncBufRead + Unpin, mut server: DuplexStream, at_eof: watch::Sender<bool>) {
    while let Ok(Some(body)) = read_frame(&mut stdin).await {
        let body = checked(body);
        let header = format!("Content-Length: {}\r\n\r\n", body.len());
        if server.write_all(header.as_bytes()).await.is_err() || server.write_all(&body).await.is_err() {
            break;
        }
    }
    at_eof.send_replace(true);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_what_tower_lsp_server_cannot_decode() {
        let pass = br#"{"jsonrpc":"2.0","id":1,"method":"x"}"#;
        assert_eq!(checked(pass.to_vec()), pass.to_vec());
        let response = br#"{"jsonrpc":"2.0","id":1,"result":null}"#;
        assert_eq!(checked(response.to_vec()), response.to_vec());
        let cases: &[(&[u8], i64, serde_json::Value)] = &[
            (b"{oops", -32700, serde_json::Value::Null),
            (b"[1]", -32600, serde_json::Value::Null),
            (br#"{"jsonrpc":"2.0","id":"a","method":7}"#, -32600, serde_json::json!("a")),
        ];
        for (body, code, id) in cases {
            let out: serde_json::Value = serde_json::from_slice(&checked(body.to_vec())).unwrap();
            assert_eq!(out["method"], INVALID_MESSAGE, "{out}");
            assert_eq!((&out["params"]["code"], &out["id"]), (&serde_json::json!(code), id), "{out}");
        }
    }
}
