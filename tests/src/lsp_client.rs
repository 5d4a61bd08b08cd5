//! A small, strict JSON-RPC client for driving `samwise-lsp` over stdio in end-to-end tests, as an
//! editor would: Content-Length framing, numbered requests, waiting for responses and notifications
//! with a timeout, and answering the server's own requests (`workspace/configuration`,
//! `client/registerCapability`, ...).
//!
//! It is synchronous on purpose: a reader thread files every incoming message, and test code blocks on
//! a condition variable until what it waits for arrives or the timeout expires (no sleeps).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long any single wait may take. Generous: the tests run unoptimised on a shared machine.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// A running `samwise-lsp` and the client side of its stdio connection.
pub struct LspClient {
    child: Child,
    stdin: Arc<Mutex<ChildStdin>>,
    shared: Arc<Shared>,
    next_id: AtomicI64,
    threads: Vec<JoinHandle<()>>,
}

struct Shared {
    inbox: Mutex<Inbox>,
    arrived: Condvar,
}

#[derive(Default)]
struct Inbox {
    responses: HashMap<i64, Value>,
    notifications: Vec<Value>,
    /// Every request the server sent, in order (they are also answered).
    server_requests: Vec<Value>,
    /// The `samwise` section returned for `workspace/configuration`.
    configuration: Value,
    /// The action title this client picks for `window/showMessageRequest` (`None`: dismissed).
    message_action: Option<String>,
    stderr: String,
    closed: bool,
}

impl LspClient {
    /// Starts the server binary with extra environment variables.
    pub fn start(env: &[(&str, &str)]) -> LspClient {
        let mut cmd = Command::new(crate::binary("samwise-lsp"));
        cmd.envs(env.iter().copied());
        LspClient::spawn(cmd)
    }

    /// Starts `cmd` (a language server speaking over stdio).
    pub fn spawn(mut cmd: Command) -> LspClient {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the language server starts");
        let stdin = Arc::new(Mutex::new(child.stdin.take().expect("piped stdin")));
        let shared = Arc::new(Shared { inbox: Mutex::new(Inbox::default()), arrived: Condvar::new() });
        let stdout = child.stdout.take().expect("piped stdout");
        let reader = {
            let (shared, stdin) = (shared.clone(), stdin.clone());
            std::thread::spawn(move || read_loop(BufReader::new(stdout), &shared, &stdin))
        };
        let mut stderr = child.stderr.take().expect("piped stderr");
        let stderr_reader = {
            let shared = shared.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n @ 1..) = stderr.read(&mut buf) {
                    shared.lock().stderr.push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            })
        };
        LspClient { child, stdin, shared, next_id: AtomicI64::new(1), threads: vec![reader, stderr_reader] }
    }

    /// Sends `initialize` with `capabilities` and `initializationOptions`, then `initialized`;
    /// returns the initialize result.
    pub fn initialize(&self, capabilities: Value, init_options: Value, root: Option<&Path>) -> Value {
        let root_uri = root.map(file_uri);
        let folders = root_uri.as_ref().map(|uri| json!([{ "uri": uri, "name": "workspace" }]));
        let result = self
            .request(
                "initialize",
                json!({
                    "processId": std::process::id(),
                    "rootUri": root_uri,
                    "workspaceFolders": folders,
                    "capabilities": capabilities,
                    "initializationOptions": init_options,
                    "clientInfo": { "name": "samwise-e2e" },
                }),
            )
            .unwrap_or_else(|e| panic!("initialize failed: {e}"));
        self.notify("initialized", json!({}));
        result
    }

    /// Sets the action this client picks when the server asks with `window/showMessageRequest`
    /// (`None`: the user dismisses the message). `window/workDoneProgress/create` is always accepted.
    pub fn set_message_action(&self, title: Option<&str>) {
        self.shared.lock().message_action = title.map(str::to_owned);
    }

    /// Sets the value this client answers `workspace/configuration` items with.
    pub fn set_configuration(&self, samwise_section: Value) {
        self.shared.lock().configuration = samwise_section;
    }

    /// Sends a request and waits for its response: `Ok(result)` or `Err(error object)`.
    pub fn request(&self, method: &str, params: Value) -> Result<Value, Value> {
        let id = self.send_request(method, params);
        self.response(id)
    }

    /// Sends a request without waiting; pair with [`LspClient::response`].
    pub fn send_request(&self, method: &str, params: Value) -> i64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        id
    }

    pub fn response(&self, id: i64) -> Result<Value, Value> {
        split_response(self.wait_for(&format!("the response to request {id}"), |inbox| inbox.responses.remove(&id)))
    }

    /// The response to request `id` if it arrives within `limit`, else `Err` with why not (timed out,
    /// or the server closed its output); for tests that report their own failure context.
    pub fn response_within(&self, id: i64, limit: Duration) -> Result<Result<Value, Value>, String> {
        self.wait_until(limit, |inbox| inbox.responses.remove(&id)).map(split_response)
    }

    /// Sends `$/cancelRequest` for request `id`.
    pub fn cancel(&self, id: i64) {
        self.notify("$/cancelRequest", json!({ "id": id }));
    }

    pub fn notify(&self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Waits for (and consumes) the first notification `method` whose params satisfy `pred`;
    /// notifications before it that do not match stay queued.
    pub fn notification(&self, method: &str, pred: impl Fn(&Value) -> bool) -> Value {
        self.wait_for(&format!("a `{method}` notification"), |inbox| {
            let i = inbox.notifications.iter().position(|n| n["method"] == method && pred(&n["params"]))?;
            Some(inbox.notifications.remove(i)["params"].take())
        })
    }

    /// The notifications `method` received so far (consumed), without waiting.
    pub fn take_notifications(&self, method: &str) -> Vec<Value> {
        let mut inbox = self.shared.lock();
        let (taken, kept) = std::mem::take(&mut inbox.notifications).into_iter().partition(|n| n["method"] == method);
        inbox.notifications = kept;
        taken.into_iter().map(|mut n| n["params"].take()).collect::<Vec<_>>()
    }

    /// Every request the server has sent to this client so far.
    pub fn server_requests(&self) -> Vec<Value> {
        self.shared.lock().server_requests.clone()
    }

    /// Waits until the server has sent `count` requests `method`; returns them.
    pub fn wait_server_requests(&self, method: &str, count: usize) -> Vec<Value> {
        self.wait_for(&format!("{count} `{method}` request(s) from the server"), |inbox| {
            let found: Vec<Value> = inbox.server_requests.iter().filter(|r| r["method"] == method).cloned().collect();
            (found.len() >= count).then_some(found)
        })
    }

    /// The server's process id (for reading its resource use).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What the server wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.shared.lock().stderr.clone()
    }

    /// Opens a document (`textDocument/didOpen`, version 1).
    pub fn open(&self, uri: &str, language_id: &str, text: &str) {
        let doc = json!({ "uri": uri, "languageId": language_id, "version": 1, "text": text });
        self.notify("textDocument/didOpen", json!({ "textDocument": doc }));
    }

    /// `shutdown`, then `exit`; waits for the process to end and returns its status.
    pub fn shutdown(mut self) -> ExitStatus {
        let result = self.request("shutdown", Value::Null);
        assert_eq!(result, Ok(Value::Null), "shutdown answers null");
        self.notify("exit", Value::Null);
        // The server closes its stdout as it exits; waiting for that keeps a hung server from
        // hanging the test.
        self.wait_for("the server to exit", |inbox| inbox.closed.then_some(()));
        self.child.wait().expect("waiting for the server")
    }

    fn send(&self, msg: &Value) {
        write_message(&self.stdin, msg);
    }

    fn wait_for<T>(&self, what: &str, take: impl FnMut(&mut Inbox) -> Option<T>) -> T {
        self.wait_until(TIMEOUT, take).unwrap_or_else(|why| panic!("waiting for {what}: {why}"))
    }

    /// Waits up to `limit` until `take` finds what it looks for; `Err` says why it did not (with the
    /// queued notifications and the server's stderr).
    fn wait_until<T>(&self, limit: Duration, mut take: impl FnMut(&mut Inbox) -> Option<T>) -> Result<T, String> {
        let deadline = Instant::now() + limit;
        let mut inbox = self.shared.lock();
        loop {
            if let Some(found) = take(&mut inbox) {
                return Ok(found);
            }
            let now = Instant::now();
            if inbox.closed || now >= deadline {
                let why = if inbox.closed { "the server closed its output" } else { "timed out" };
                let pending: Vec<_> = inbox.notifications.iter().map(|n| n["method"].to_string()).collect();
                return Err(format!("{why}.\nqueued notifications: {pending:?}\nserver stderr:\n{}", inbox.stderr));
            }
            inbox = self.shared.arrived.wait_timeout(inbox, deadline - now).unwrap_or_else(|e| e.into_inner()).0;
        }
    }
}

impl Drop for LspClient {
    fn drop(&mut self) {
        // A test that failed half-way must not leave the server running.
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inbox> {
        self.inbox.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A response message as `Ok(result)` or `Err(error object)`.
fn split_response(msg: Value) -> Result<Value, Value> {
    match msg.get("error") {
        Some(error) => Err(error.clone()),
        None => Ok(msg.get("result").cloned().unwrap_or(Value::Null)),
    }
}

fn write_message(stdin: &Mutex<ChildStdin>, msg: &Value) {
    let body = serde_json::to_vec(msg).expect("serialisable message");
    let mut stdin = stdin.lock().unwrap_or_else(|e| e.into_inner());
    // A server that died makes the write fail; the waits report it with its stderr.
    let _ = write!(stdin, "Content-Length: {}\r\n\r\n", body.len())
        .and_then(|()| stdin.write_all(&body))
        .and_then(|()| stdin.flush());
}

fn read_loop(mut out: impl BufRead, shared: &Shared, stdin: &Mutex<ChildStdin>) {
    while let Some(msg) = read_message(&mut out) {
        let mut inbox = shared.lock();
        match (msg.get("id"), msg.get("method")) {
            (Some(id), Some(method)) => {
                let result = match method.as_str() {
                    Some("workspace/configuration") => {
                        let items = msg["params"]["items"].as_array().map_or(0, Vec::len);
                        json!(vec![inbox.configuration.clone(); items])
                    }
                    Some("window/showMessageRequest") => match &inbox.message_action {
                        Some(title) => json!({ "title": title }),
                        None => Value::Null,
                    },
                    _ => Value::Null,
                };
                write_message(stdin, &json!({ "jsonrpc": "2.0", "id": id, "result": result }));
                inbox.server_requests.push(msg);
            }
            (None, Some(_)) => inbox.notifications.push(msg),
            (Some(id), None) => {
                let id = id.as_i64().unwrap_or_else(|| panic!("response with a non-numeric id: {msg}"));
                inbox.responses.insert(id, msg);
            }
            (None, None) => panic!("message that is neither request, notification nor response: {msg}"),
        }
        shared.arrived.notify_all();
    }
    shared.lock().closed = true;
    shared.arrived.notify_all();
}

/// Reads one framed message; `None` at end of stream. Malformed framing fails the test: the server
/// must always frame correctly.
fn read_message(out: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if out.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length:") {
            length = Some(v.trim().parse::<usize>().expect("numeric Content-Length"));
        }
    }
    let mut body = vec![0; length.expect("a Content-Length header")];
    out.read_exact(&mut body).ok()?;
    Some(serde_json::from_slice(&body).expect("a JSON body"))
}

/// The `file:` URI of an absolute path (ASCII paths; spaces are escaped).
pub fn file_uri(path: &Path) -> String {
    format!("file://{}", path.to_str().expect("UTF-8 path").replace(' ', "%20"))
}

/// Client capabilities of a typical modern editor: UTF-8 offered (or not), snippets, hierarchical
/// symbols, configuration pull with dynamic registration. Without `textDocument.diagnostic`, so the
/// server pushes diagnostics.
pub fn editor_capabilities(offer_utf8: bool) -> Value {
    let encodings = if offer_utf8 { json!(["utf-8", "utf-16"]) } else { json!(["utf-16"]) };
    json!({
        "general": { "positionEncodings": encodings },
        "workspace": {
            "configuration": true,
            "didChangeConfiguration": { "dynamicRegistration": true },
            "workspaceFolders": true,
        },
        "textDocument": {
            "synchronization": { "dynamicRegistration": false },
            "completion": { "completionItem": { "snippetSupport": true } },
            "documentSymbol": { "hierarchicalDocumentSymbolSupport": true },
            "publishDiagnostics": { "versionSupport": true },
        },
    })
}

/// A scratch directory for one test, emptied first.
pub fn scratch_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("samwise-e2e-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}
