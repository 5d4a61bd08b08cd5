//! Malformed protocol input to `samwise-dap` (issue 11): broken framing, invalid JSON, messages that
//! are JSON but not DAP, unknown commands and an oversized header. Each case ends by proving the
//! adapter still answers a normal request, or, where exiting is right (the stream can no longer be
//! read), that it exited with a message on stderr and no panic.
//!
//! The shared `DapClient` reads the adapter's frames; the test writes raw bytes to the same stdin
//! through a shared handle.

use std::io::{Read, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};

use samwise_e2e::dap_client::{DapClient, WAIT};
use serde_json::json;

/// The adapter's stdin, written both by the `DapClient` and by the test's raw writes.
#[derive(Clone)]
struct SharedStdin(Arc<Mutex<Option<ChildStdin>>>);

impl Write for SharedStdin {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.0.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
            Some(stdin) => stdin.write(buf),
            None => Err(std::io::ErrorKind::BrokenPipe.into()),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self.0.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
            Some(stdin) => stdin.flush(),
            None => Ok(()),
        }
    }
}

struct Adapter {
    client: DapClient,
    stdin: SharedStdin,
    child: Child,
    /// The whole of stderr, sent when the adapter closes it.
    stderr: Receiver<String>,
}

impl Adapter {
    /// A stdio adapter past `initialize`.
    fn start() -> Adapter {
        let mut child = Command::new(samwise_e2e::binary("samwise-dap"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("samwise-dap starts");
        let stdin = SharedStdin(Arc::new(Mutex::new(child.stdin.take())));
        let mut err = child.stderr.take().expect("piped stderr");
        let (tx, stderr) = channel();
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = err.read_to_string(&mut text);
            let _ = tx.send(text);
        });
        let mut client = DapClient::over(child.stdout.take().expect("piped stdout"), stdin.clone());
        client.ok("initialize", json!({ "adapterID": "samwise", "linesStartAt1": true }));
        Adapter { client, stdin, child, stderr }
    }

    fn write(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).and_then(|()| self.stdin.flush()).expect("the adapter reads its stdin");
    }

    /// Proves the adapter still serves: `threads` gets its normal (empty, nothing runs) answer.
    fn still_serves(&mut self) {
        assert_eq!(self.client.ok("threads", json!({})), json!({ "threads": [] }));
    }

    /// Closes stdin if `close`, then waits (bounded) for the adapter to end; returns its status and stderr.
    fn wait_exit(mut self, close: bool) -> (ExitStatus, String) {
        if close {
            drop(self.stdin.0.lock().unwrap_or_else(|e| e.into_inner()).take());
        }
        let stderr =
            self.stderr.recv_timeout(WAIT).unwrap_or_else(|_| panic!("the adapter did not exit within {WAIT:?}"));
        let status = self.child.wait().expect("the adapter is waited for");
        assert!(!stderr.contains("panicked"), "the adapter panicked:\n{stderr}");
        (status, stderr)
    }
}

impl Drop for Adapter {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `body` with its DAP header.
fn frame(body: &[u8]) -> Vec<u8> {
    [format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes(), body].concat()
}

/// Asserts a clean exit (status 0) whose stderr says why the input ended.
fn assert_stopped_reading(adapter: Adapter, close: bool, reason: &str) {
    let (status, stderr) = adapter.wait_exit(close);
    assert!(status.success(), "exit status {status}; stderr:\n{stderr}");
    assert!(stderr.contains("samwise-dap: reading from the editor:"), "stderr:\n{stderr}");
    assert!(stderr.contains(reason), "stderr does not say `{reason}`:\n{stderr}");
}

#[test]
fn header_then_eof_exits_with_a_message() {
    let mut adapter = Adapter::start();
    adapter.write(b"Content-Length: 100\r\n");
    assert_stopped_reading(adapter, true, "stream ended inside a message header");
}

#[test]
fn truncated_body_then_eof_exits_with_a_message() {
    let mut adapter = Adapter::start();
    adapter.write(b"Content-Length: 100\r\n\r\n{\"seq\": 50, \"type\": \"req");
    assert_stopped_reading(adapter, true, "eof");
}

#[test]
fn long_content_length_waits_for_the_rest_until_eof() {
    let mut adapter = Adapter::start();
    let body = json!({ "seq": 50, "type": "request", "command": "threads" }).to_string();
    adapter.write(format!("Content-Length: {}\r\n\r\n{body}", body.len() + 40).as_bytes());
    // Nothing can be answered until the promised bytes arrive; then the stream ends.
    assert_stopped_reading(adapter, true, "eof");
}

#[test]
fn short_content_length_stops_the_adapter_with_a_message() {
    // The body is cut 5 bytes early: it is not JSON (ignored with a line on stderr), and the 5 bytes
    // left over make the next header unreadable. Where the next message starts is then unknown, so the
    // adapter stops reading and exits rather than guess.
    let mut adapter = Adapter::start();
    let body = json!({ "seq": 50, "type": "request", "command": "threads" }).to_string();
    let mut bytes = format!("Content-Length: {}\r\n\r\n{body}", body.len() - 5).into_bytes();
    bytes.extend_from_slice(&frame(
        json!({ "seq": 51, "type": "request", "command": "threads" }).to_string().as_bytes(),
    ));
    adapter.write(&bytes);
    let (status, stderr) = adapter.wait_exit(false);
    assert!(status.success(), "exit status {status}; stderr:\n{stderr}");
    assert!(stderr.contains("ignoring a message that is not DAP"), "stderr:\n{stderr}");
    assert!(
        stderr.contains("samwise-dap: reading from the editor: message header without Content-Length"),
        "stderr:\n{stderr}"
    );
}

#[test]
fn invalid_json_is_ignored_with_a_message_and_the_adapter_keeps_serving() {
    let mut adapter = Adapter::start();
    adapter.write(&frame(b"{\"seq\": 50, \"type\": \"request\", \"command\": "));
    adapter.write(&frame(b"\xff\xfe not utf-8"));
    adapter.still_serves();
    let (_, stderr) = adapter.wait_exit(true);
    assert_eq!(stderr.matches("samwise-dap: ignoring a message that is not DAP").count(), 2, "stderr:\n{stderr}");
}

#[test]
fn json_that_is_not_dap_gets_an_error_response_when_its_seq_is_known() {
    let mut adapter = Adapter::start();
    // A request without `command`, and one whose `command` is not a string.
    for (seq, body) in [
        (1001, json!({ "seq": 1001, "type": "request" })),
        (1002, json!({ "seq": 1002, "type": "request", "command": 7 })),
    ] {
        adapter.write(&frame(body.to_string().as_bytes()));
        let response = adapter.client.response(seq);
        assert_eq!(response["success"], json!(false), "{response}");
        let message = response["message"].as_str().unwrap_or_default();
        assert!(message.starts_with("not a valid DAP request: "), "{response}");
    }
    // Without a seq, or not a request: nothing to answer; the adapter goes on.
    adapter.write(&frame(json!({ "type": "request", "command": "threads" }).to_string().as_bytes()));
    adapter.write(&frame(json!({ "seq": "x", "type": "request", "command": "threads" }).to_string().as_bytes()));
    adapter.write(&frame(json!({ "seq": 1004, "type": "banana" }).to_string().as_bytes()));
    adapter.write(&frame(b"[1, 2, 3]"));
    // Events and responses from the editor are valid DAP but not answered.
    adapter.write(&frame(json!({ "seq": 1005, "type": "event", "event": "stopped" }).to_string().as_bytes()));
    let response = json!({ "seq": 1006, "type": "response", "request_seq": 1, "success": true, "command": "x" });
    adapter.write(&frame(response.to_string().as_bytes()));
    adapter.still_serves();
}

#[test]
fn unknown_commands_get_a_failure_naming_them() {
    let mut adapter = Adapter::start();
    let response = adapter.client.request("samwiseNoSuchCommand", json!({ "x": 1 }));
    assert_eq!(response["success"], json!(false), "{response}");
    assert!(response["message"].as_str().unwrap_or_default().contains("samwiseNoSuchCommand"), "{response}");
    adapter.still_serves();
}

#[test]
fn a_content_length_over_64_mb_is_refused_with_a_message() {
    let mut adapter = Adapter::start();
    let length = 64 * 1024 * 1024 + 1;
    adapter.write(format!("Content-Length: {length}\r\n\r\n").as_bytes());
    assert_stopped_reading(adapter, false, &format!("message of {length} bytes exceeds the 67108864-byte limit"));
}

#[test]
fn a_content_length_that_is_not_a_number_is_refused_with_a_message() {
    let mut adapter = Adapter::start();
    adapter.write(b"Content-Length: 12ab\r\n\r\n");
    assert_stopped_reading(adapter, false, "Content-Length `12ab` is not a number");
}
