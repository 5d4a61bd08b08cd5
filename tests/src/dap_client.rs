//! A DAP client for the end-to-end tests of `samwise-dap`: it speaks the base protocol over the
//! adapter's stdio (or a TCP connection), sends requests, and waits for responses and events, keeping
//! every event it saw so a test can look at the output afterwards.
//!
//! It is deliberately independent of the adapter's own code (its own framing, plain JSON values), so
//! the tests check the wire format an editor sees.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long any single wait may take before the test fails with what it saw.
pub const WAIT: Duration = Duration::from_secs(120);

pub struct DapClient {
    writer: Box<dyn Write + Send>,
    rx: mpsc::Receiver<Value>,
    inbox: VecDeque<Value>,
    seq: i64,
    /// Every event received, in order.
    pub events: Vec<Value>,
    /// The adapter process, when the client started it.
    pub child: Option<Child>,
}

impl DapClient {
    /// Starts the adapter binary in stdio mode. `configure` may set environment and working directory.
    pub fn start(binary: &Path, configure: impl FnOnce(&mut Command)) -> DapClient {
        let mut cmd = Command::new(binary);
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::inherit());
        configure(&mut cmd);
        let mut child = cmd.spawn().expect("samwise-dap starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut client = DapClient::over(stdout, stdin);
        client.child = Some(child);
        client
    }

    /// A client over any byte stream pair (e.g. a TCP connection in `--port` mode).
    pub fn over(reader: impl Read + Send + 'static, writer: impl Write + Send + 'static) -> DapClient {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(reader);
            while let Some(body) = read_frame(&mut reader) {
                let message: Value = serde_json::from_slice(&body).expect("the adapter sends JSON");
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        DapClient { writer: Box::new(writer), rx, inbox: VecDeque::new(), seq: 0, events: Vec::new(), child: None }
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("started by the client").id()
    }

    /// Sends a request and returns its sequence number, without waiting.
    pub fn send(&mut self, command: &str, arguments: Value) -> i64 {
        self.seq += 1;
        let message = json!({"seq": self.seq, "type": "request", "command": command, "arguments": arguments});
        let body = serde_json::to_vec(&message).unwrap();
        let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        frame.extend_from_slice(&body);
        // A closed pipe shows up as a missing response, which the test reports with context.
        let _ = self.writer.write_all(&frame).and_then(|()| self.writer.flush());
        self.seq
    }

    /// Sends a request and waits for its response (successful or not).
    pub fn request(&mut self, command: &str, arguments: Value) -> Value {
        let seq = self.send(command, arguments);
        self.response(seq)
    }

    /// Sends a request and returns the body of its successful response.
    pub fn ok(&mut self, command: &str, arguments: Value) -> Value {
        let response = self.request(command, arguments);
        assert_eq!(response["success"], true, "{command} failed: {response}");
        response.get("body").cloned().unwrap_or(Value::Null)
    }

    /// Waits for the response to request `seq`.
    pub fn response(&mut self, seq: i64) -> Value {
        self.take(&format!("the response to request {seq}"), |m| m["type"] == "response" && m["request_seq"] == seq)
    }

    /// Waits for the next event called `name` not consumed yet.
    pub fn event(&mut self, name: &str) -> Value {
        self.take(&format!("a `{name}` event"), |m| m["type"] == "event" && m["event"] == name)
    }

    /// All output events' text so far, concatenated.
    pub fn output(&self) -> String {
        self.events.iter().filter(|e| e["event"] == "output").filter_map(|e| e["body"]["output"].as_str()).collect()
    }

    /// Waits until one output event holds `needle` (output travels apart from debugpy's events, so
    /// a line printed before a breakpoint can arrive after the `stopped` event); returns all output.
    pub fn output_containing(&mut self, needle: &str) -> String {
        if !self.output().contains(needle) {
            self.take(&format!("output containing {needle:?}"), |m| {
                m["event"] == "output" && m["body"]["output"].as_str().is_some_and(|o| o.contains(needle))
            });
        }
        self.output()
    }

    /// Closes the connection to the adapter without a disconnect request, as a crashing editor would.
    pub fn close(&mut self) {
        self.writer = Box::new(std::io::sink());
        if let Some(child) = &mut self.child {
            drop(child.stdin.take());
        }
    }

    /// Waits for the adapter process (started by the client) to exit; `None` if it did not within WAIT.
    pub fn wait_exit(&mut self) -> Option<std::process::ExitStatus> {
        let child = self.child.as_mut()?;
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            if let Some(status) = child.try_wait().unwrap() {
                return Some(status);
            }
            // A child's exit cannot be awaited with a timeout in std; poll briefly.
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    fn take(&mut self, what: &str, matches: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + WAIT;
        if let Some(i) = self.inbox.iter().position(&matches) {
            return self.inbox.remove(i).unwrap();
        }
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(message) => {
                    if message["type"] == "event" {
                        self.events.push(message.clone());
                    }
                    // Only the new message can match: rescanning the inbox for each message would be
                    // quadratic in a flood of output events.
                    if matches(&message) {
                        return message;
                    }
                    self.inbox.push_back(message);
                }
                Err(e) => {
                    let seen: Vec<String> = self.inbox.iter().map(Value::to_string).collect();
                    panic!(
                        "waiting for {what}: {e:?}\nunconsumed messages:\n{}\noutput:\n{}",
                        seen.join("\n"),
                        self.output()
                    );
                }
            }
        }
    }
}

impl Drop for DapClient {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn read_frame(reader: &mut impl BufRead) -> Option<Vec<u8>> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            if length.is_some() {
                break;
            }
            continue;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    Some(body)
}

/// `samwise-dap --port 0`: the adapter in socket mode, as editors that start it once and connect
/// per session use it; killed when dropped.
pub struct SocketAdapter {
    child: Child,
    /// The port from the adapter's `listening on 127.0.0.1:N` line.
    pub port: u16,
}

impl SocketAdapter {
    pub fn start() -> SocketAdapter {
        let mut child = Command::new(crate::binary("samwise-dap"))
            .args(["--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port = line
            .trim_end()
            .strip_prefix("listening on 127.0.0.1:")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .parse()
            .unwrap();
        SocketAdapter { child, port }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A new session: one TCP connection to the adapter.
    pub fn connect(&self) -> DapClient {
        let stream = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        DapClient::over(stream.try_clone().unwrap(), stream)
    }
}

impl Drop for SocketAdapter {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The 1-based line of the first line containing `marker` (e.g. `# BP: entry`) in `path`.
pub fn marker_line(path: &Path, marker: &str) -> i64 {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let index = text.lines().position(|l| l.contains(marker));
    index.unwrap_or_else(|| panic!("no `{marker}` in {}", path.display())) as i64 + 1
}

/// The live descendants of `pid` (children, their children, ...), from /proc.
pub fn descendants(pid: u32) -> Vec<u32> {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(p) = entry.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else { continue };
        if let Some(ppid) = parent_of(p) {
            parents.push((p, ppid));
        }
    }
    let mut out = Vec::new();
    let mut frontier = vec![pid];
    while let Some(parent) = frontier.pop() {
        for (child, _) in parents.iter().filter(|(_, ppid)| *ppid == parent) {
            out.push(*child);
            frontier.push(*child);
        }
    }
    out.retain(|p| alive(*p));
    out
}

/// Live processes whose command line mentions `needle` (a temp directory, say).
pub fn processes_mentioning(needle: &str) -> Vec<u32> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(p) = entry.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else { continue };
        let Ok(cmdline) = std::fs::read(format!("/proc/{p}/cmdline")) else { continue };
        if String::from_utf8_lossy(&cmdline).contains(needle) && alive(p) {
            out.push(p);
        }
    }
    out
}

pub fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat.rsplit(')').next().and_then(|s| s.split_whitespace().next()) != Some("Z"),
        Err(_) => false,
    }
}

fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit(')').next()?.split_whitespace().nth(1)?.parse().ok()
}

/// Waits until none of `pids` is alive. The process table offers nothing to await, so this polls,
/// briefly; returns the ones still alive after 5 s.
pub fn gone_soon(pids: &[u32]) -> Vec<u32> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let left: Vec<u32> = pids.iter().copied().filter(|p| alive(*p)).collect();
        if left.is_empty() || Instant::now() > deadline {
            return left;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub use crate::moto::Moto;

/// The environment variable that tags every process of a test session: set on the adapter, it is
/// inherited by all it starts (the user's environment passes through to the function), including
/// daemons that left the process group and were re-parented away from it.
pub const TAG_VAR: &str = "SAMWISE_E2E_TAG";

/// A tag unique to this test process, this call and `name`, for [`TAG_VAR`].
pub fn unique_tag(name: &str) -> String {
    static COUNT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{name}-{}-{n}", std::process::id())
}

/// Live processes whose environment holds `TAG_VAR=tag` (zombies excluded), except `except`.
pub fn tagged_processes(tag: &str, except: &[u32]) -> Vec<u32> {
    let needle = format!("{TAG_VAR}={tag}");
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(p) = entry.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else { continue };
        if except.contains(&p) {
            continue;
        }
        let Ok(environ) = std::fs::read(format!("/proc/{p}/environ")) else { continue };
        if environ.split(|b| *b == 0).any(|var| var == needle.as_bytes()) && alive(p) {
            out.push(p);
        }
    }
    out
}

/// Waits until no process tagged `tag` is alive (but `except`); returns those still alive after 5 s,
/// with their command lines. Polls: the process table offers nothing to await.
pub fn tagged_left_soon(tag: &str, except: &[u32]) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let left = tagged_processes(tag, except);
        if left.is_empty() || Instant::now() > deadline {
            return left.into_iter().map(|p| format!("{p}: {}", cmdline(p))).collect();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The command line of `pid`, arguments joined by spaces (empty if it is gone).
pub fn cmdline(pid: u32) -> String {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    String::from_utf8_lossy(&raw).split('\0').filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ")
}

/// Resident memory of `pid` now and at its peak (`VmRSS`, `VmHWM`), in KiB.
pub fn rss_kib(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        let line = status.lines().find(|l| l.starts_with(name))?;
        line[name.len()..].trim().trim_end_matches("kB").trim().parse::<u64>().ok()
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}
