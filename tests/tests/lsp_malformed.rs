//! Malformed protocol input to `samwise-lsp` (issue 11): broken framing, invalid JSON, unknown methods,
//! requests out of order and notifications with bad parameters. Each case ends by proving the server
//! still answers a normal request, or, where exiting is right (the stream ended), that it exited cleanly
//! with no panic.
//!
//! The shared `LspClient` only writes well-formed frames, so these tests write raw bytes to the
//! server's stdin and read its frames with a small reader of their own.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long any single wait may take (unoptimised build, shared machine).
const TIMEOUT: Duration = Duration::from_secs(60);

/// A `samwise-lsp` with raw access to its stdin and every frame it writes, in order.
struct RawServer {
    child: Child,
    stdin: Option<ChildStdin>,
    frames: Receiver<Value>,
    stderr: Option<JoinHandle<String>>,
}

impl RawServer {
    fn start() -> RawServer {
        let mut child = Command::new(samwise_e2e::binary("samwise-lsp"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("samwise-lsp starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut stderr = child.stderr.take().expect("piped stderr");
        let (tx, frames) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(frame) = read_frame(&mut reader) {
                if tx.send(frame).is_err() {
                    break;
                }
            }
        });
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        RawServer { stdin: child.stdin.take(), child, frames, stderr: Some(stderr) }
    }

    /// A server past `initialize`/`initialized`.
    fn initialized() -> RawServer {
        let mut server = RawServer::start();
        let init = server.request(1, "initialize", json!({ "capabilities": {} }));
        assert!(init.get("result").is_some(), "initialize failed: {init}");
        server.notify("initialized", json!({}));
        server
    }

    fn write(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        stdin.write_all(bytes).and_then(|()| stdin.flush()).expect("the server reads its stdin");
    }

    fn send(&mut self, message: &Value) {
        self.write(&frame(message.to_string().as_bytes()));
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and returns its whole response message.
    fn request(&mut self, id: i64, method: &str, params: Value) -> Value {
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        self.response(&json!(id))
    }

    /// The next response with this id, skipping notifications; the server's own requests are answered with null.
    fn response(&mut self, id: &Value) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let message = self.next_frame(deadline, &format!("the response to id {id}"));
            if message.get("method").is_some() {
                if let Some(server_id) = message.get("id") {
                    self.send(&json!({ "jsonrpc": "2.0", "id": server_id, "result": null }));
                }
                continue;
            }
            if message.get("id") == Some(id) {
                return message;
            }
            panic!("expected the response to id {id}, got {message}");
        }
    }

    fn next_frame(&self, deadline: Instant, what: &str) -> Value {
        match self.frames.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(message) => message,
            Err(RecvTimeoutError::Timeout) => panic!("no {what} within {TIMEOUT:?}"),
            Err(RecvTimeoutError::Disconnected) => panic!("the server closed its output while waiting for {what}"),
        }
    }

    /// Proves the server still serves: a document opens and its text comes back.
    fn still_serves(&mut self, id: i64) {
        let uri = format!("file:///probe-{id}.yaml");
        let text = format!("Resources: {{}} # {id}\n");
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "yaml", "version": 1, "text": text } }),
        );
        let answer = self.request(id, "samwise/documentText", json!({ "uri": uri }));
        assert_eq!(answer["result"]["text"], json!(text), "the server no longer serves: {answer}");
    }

    /// Waits (bounded) for the process to end, first closing its stdin if `close`; returns its status
    /// and stderr. Frames still unread are discarded.
    fn wait_exit(mut self, close: bool) -> (ExitStatus, String) {
        if close {
            drop(self.stdin.take());
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            match self.frames.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(_) => continue,
                Err(RecvTimeoutError::Timeout) => panic!("the server did not close its output within {TIMEOUT:?}"),
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        let stderr = self.stderr.take().expect("stderr thread").join().expect("stderr reader");
        let status = self.child.wait().expect("the server is waited for");
        assert!(!stderr.contains("panicked"), "the server panicked:\n{stderr}");
        (status, stderr)
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// Reads one Content-Length frame as JSON; `None` at the end of the stream. The server's own framing
/// is trusted: its header block is only searched for the length.
fn read_frame(reader: &mut impl BufRead) -> Option<Value> {
    let mut header = Vec::new();
    while !header.ends_with(b"\r\n\r\n") {
        if reader.read_until(b'\n', &mut header).ok()? == 0 {
            return None;
        }
    }
    let header = String::from_utf8_lossy(&header);
    let length = header.lines().find_map(|l| l.strip_prefix("Content-Length: "))?.trim().parse().ok()?;
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(serde_json::from_slice(&body).expect("the server writes JSON"))
}

fn request_bytes(id: i64, method: &str) -> Vec<u8> {
    json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": {} }).to_string().into_bytes()
}

/// A `shutdown` request whose Content-Length is off by `delta` bytes.
fn misframed(delta: isize) -> Vec<u8> {
    let body = request_bytes(2, "shutdown");
    let mut bytes = format!("Content-Length: {}\r\n\r\n", body.len().strict_add_signed(delta)).into_bytes();
    bytes.extend_from_slice(&body);
    bytes
}

#[test]
fn truncated_frame_then_eof_exits_cleanly() {
    let mut server = RawServer::initialized();
    server.write(b"Content-Length: 100\r\n\r\n{\"jsonrpc\": \"2.0\", \"id\": 2, ");
    let started = Instant::now();
    let (status, _) = server.wait_exit(true);
    assert!(status.success(), "exit status {status}");
    assert!(started.elapsed() < Duration::from_secs(10), "exit took {:?}", started.elapsed());
}

#[test]
fn header_then_eof_exits_cleanly() {
    let mut server = RawServer::initialized();
    server.write(b"Content-Length: 100\r\n");
    let (status, _) = server.wait_exit(true);
    assert!(status.success(), "exit status {status}");
}

#[test]
fn short_content_length_is_a_parse_error_and_the_server_recovers() {
    let mut server = RawServer::initialized();
    // The body is cut 5 bytes early: that body is invalid JSON (-32700, id null), and the 5 bytes left
    // over come before the next header, which the server finds and serves.
    let mut bytes = misframed(-5);
    bytes.extend_from_slice(&frame(&request_bytes(3, "samwise/noSuchMethod")));
    server.write(&bytes);
    let error = server.response(&Value::Null);
    assert_eq!(error["error"]["code"], json!(-32700), "{error}");
    let answer = server.response(&json!(3));
    assert_eq!(answer["error"]["code"], json!(-32601), "{answer}");
    server.still_serves(4);
}

#[test]
fn invalid_json_is_a_parse_error_with_null_id_and_the_server_keeps_serving() {
    let mut server = RawServer::initialized();
    server.write(&frame(b"{\"jsonrpc\": \"2.0\", \"id\": 2, \"method\": "));
    let error = server.response(&Value::Null);
    assert_eq!(error["error"]["code"], json!(-32700), "{error}");
    server.write(&frame(b"\xff\xfe not utf-8"));
    let error = server.response(&Value::Null);
    assert_eq!(error["error"]["code"], json!(-32700), "{error}");
    server.still_serves(3);
}

#[test]
fn json_that_is_not_json_rpc_is_an_invalid_request() {
    let mut server = RawServer::initialized();
    // With an id the answer carries it; without one, id null.
    server.write(&frame(br#"{"jsonrpc": "2.0", "id": 7, "method": 42}"#));
    let error = server.response(&json!(7));
    assert_eq!(error["error"]["code"], json!(-32600), "{error}");
    server.write(&frame(b"[1, 2, 3]"));
    let error = server.response(&Value::Null);
    assert_eq!(error["error"]["code"], json!(-32600), "{error}");
    server.still_serves(3);
}

#[test]
fn an_enormous_content_length_is_not_allocated_up_front() {
    let mut server = RawServer::initialized();
    server.write(b"Content-Length: 999999999999999\r\n\r\n{\"jsonrpc\"");
    // The body can never complete; the end of stdin ends the server, which must not have aborted on an
    // allocation of the announced size.
    let (status, _) = server.wait_exit(true);
    assert!(status.success(), "exit status {status}");
}

#[test]
fn long_content_length_waits_for_the_rest_until_eof() {
    let mut server = RawServer::initialized();
    server.write(&misframed(40));
    // Nothing can be answered until the promised bytes arrive; the stream then ends and the server exits.
    let (status, _) = server.wait_exit(true);
    assert!(status.success(), "exit status {status}");
}

#[test]
fn unknown_methods() {
    let mut server = RawServer::initialized();
    let answer = server.request(2, "samwise/noSuchMethod", json!({}));
    assert_eq!(answer["error"]["code"], json!(-32601), "{answer}");
    // An unknown notification gets no answer (the next frame is the probe's response).
    server.notify("samwise/noSuchNotification", json!({ "x": 1 }));
    server.notify("$/noSuchNotification", json!({}));
    server.still_serves(3);
}

#[test]
fn requests_before_initialize_are_refused() {
    let mut server = RawServer::start();
    let answer = server.request(
        1,
        "textDocument/hover",
        json!({ "textDocument": { "uri": "file:///a.yaml" }, "position": { "line": 0, "character": 0 } }),
    );
    assert_eq!(answer["error"]["code"], json!(-32002), "{answer}");
    let init = server.request(2, "initialize", json!({ "capabilities": {} }));
    assert!(init.get("result").is_some(), "initialize after a refused request: {init}");
    server.notify("initialized", json!({}));
    server.still_serves(3);
}

#[test]
fn a_second_initialize_is_an_error() {
    let mut server = RawServer::initialized();
    let answer = server.request(2, "initialize", json!({ "capabilities": {} }));
    assert!(answer.get("error").is_some(), "a second initialize succeeded: {answer}");
    server.still_serves(3);
}

#[test]
fn notifications_with_bad_params_are_survived() {
    let mut server = RawServer::initialized();
    server.notify("textDocument/didOpen", json!({}));
    server.notify("textDocument/didOpen", json!({ "textDocument": { "uri": 7 } }));
    server.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": "file:///never-opened.yaml", "version": 2 }, "contentChanges": [{ "text": "a" }] }),
    );
    server.notify("textDocument/didClose", json!({ "textDocument": { "uri": "file:///never-opened.yaml" } }));
    let uri = "file:///t.yaml";
    server.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "yaml", "version": 1, "text": "a: 1\n" } }),
    );
    // A range beyond the end of the document, and one whose end comes before its start.
    for range in [
        json!({ "start": { "line": 50, "character": 3 }, "end": { "line": 99, "character": 0 } }),
        json!({ "start": { "line": 0, "character": 4 }, "end": { "line": 0, "character": 1 } }),
        json!({ "start": { "line": 0, "character": 9999 }, "end": { "line": 0, "character": 9999 } }),
    ] {
        server.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "range": range, "text": "" }] }),
        );
    }
    let answer = server.request(2, "samwise/documentText", json!({ "uri": uri }));
    assert!(answer.get("result").is_some(), "{answer}");
    server.still_serves(3);
}

#[test]
fn a_20_mb_did_open_is_handled_and_the_server_stays_responsive() {
    let mut server = RawServer::initialized();
    let line = "# padding padding padding padding padding padding padding padding padding padding\n";
    let mut text = String::from("Resources: {}\n");
    while text.len() < 20 * 1024 * 1024 {
        text.push_str(line);
    }
    let uri = "file:///huge.yaml";
    let started = Instant::now();
    server.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "yaml", "version": 1, "text": text } }),
    );
    let answer = server.request(2, "samwise/documentText", json!({ "uri": uri }));
    let opened = started.elapsed();
    assert_eq!(answer["result"]["text"].as_str().map(str::len), Some(text.len()), "the huge document did not open");
    let started = Instant::now();
    server.still_serves(3);
    let next = started.elapsed();
    eprintln!("20 MB didOpen answered after {opened:?}; the next request took {next:?}");
}
