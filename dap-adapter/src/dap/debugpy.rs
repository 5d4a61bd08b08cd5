//! The connection to debugpy: its adapter process (`python -m debugpy.adapter`, speaking DAP on its
//! stdin/stdout) and the relay through which the debuggee reaches it.
//!
//! Why this arrangement: the adapter is our own child on pipes, so it cannot outlive us (own process
//! group, parent-death signal, killed on drop) and no port has to be polled for. The runtime client
//! in the debuggee calls `debugpy.connect(127.0.0.1:RELAY)`; the relay is our listener, ready before
//! the debuggee starts, and splices the debuggee's connection to the port the adapter announces once
//! it listens (`debugpyWaitingForServer`, after an `attach` with `listen` on port 0). So the adapter's
//! start-up and the debuggee's run in parallel, and neither side retries a connection.

use std::io;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::process::{Child, Command};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

use super::codec;
use super::protocol::Message;

/// debugpy's adapter process and the channels to it.
pub struct Debugpy {
    pub python: PathBuf,
    child: Child,
    tx: mpsc::UnboundedSender<Message>,
    /// Messages from the adapter; closes when it exits.
    pub rx: Option<mpsc::UnboundedReceiver<Message>>,
    stderr: Arc<Mutex<String>>,
    /// Changes with every line of the adapter's stderr; `true` once it has ended.
    stderr_seen: watch::Receiver<bool>,
    relay_port: u16,
    relay_target: Option<oneshot::Sender<u16>>,
    relay: JoinHandle<()>,
}

impl Debugpy {
    /// Starts `python -m debugpy.adapter` and the relay. A missing interpreter fails here; a missing
    /// debugpy shows as the adapter exiting (see [`Debugpy::diagnose`]).
    pub async fn spawn(python: &Path) -> io::Result<Debugpy> {
        let mut cmd = Command::new(python);
        cmd.args(["-c", ADAPTER_PRELUDE]).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        samwise_runtime::process::isolate(&mut cmd);
        let mut child = cmd.spawn()?;
        let stdin = child.stdin.take().ok_or_else(|| io::Error::other("no stdin pipe"))?;
        let stdout = child.stdout.take().ok_or_else(|| io::Error::other("no stdout pipe"))?;
        let stderr_pipe = child.stderr.take().ok_or_else(|| io::Error::other("no stderr pipe"))?;

        let (tx, mut out_rx) = mpsc::unbounded_channel::<Message>();
        tokio::spawn(async move {
            let mut stdin = stdin;
            while let Some(message) = out_rx.recv().await {
                let Ok(body) = serde_json::to_vec(&message) else { continue };
                if codec::write_body(&mut stdin, &body).await.is_err() {
                    break;
                }
            }
        });
        let (in_tx, rx) = mpsc::unbounded_channel::<Message>();
        tokio::spawn(read_messages(stdout, in_tx));
        let stderr = Arc::new(Mutex::new(String::new()));
        let (seen_tx, stderr_seen) = watch::channel(false);
        tokio::spawn(collect(stderr_pipe, stderr.clone(), seen_tx));

        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let relay_port = listener.local_addr()?.port();
        let (target_tx, target_rx) = oneshot::channel();
        let relay = tokio::spawn(splice(listener, target_rx));
        Ok(Debugpy {
            python: python.to_path_buf(),
            child,
            tx,
            rx: Some(rx),
            stderr,
            stderr_seen,
            relay_port,
            relay_target: Some(target_tx),
            relay,
        })
    }

    /// The variables that make the runtime client start debugpy in the function's process, connected
    /// through the relay, and wait until the debugger is configured. With `just_my_code` it imports the
    /// handler's libraries untraced while it waits (see the bootstrap's `_start_debugging`).
    pub fn debuggee_env(&self, just_my_code: bool) -> [(String, String); 2] {
        [
            ("_SAMWISE_DEBUGPY".to_owned(), format!("127.0.0.1:{}", self.relay_port)),
            ("_SAMWISE_JUST_MY_CODE".to_owned(), if just_my_code { "1" } else { "0" }.to_owned()),
        ]
    }

    pub fn send(&self, message: Message) {
        let _ = self.tx.send(message);
    }

    /// The adapter listens for the debuggee on `port`: let the relay connect there.
    pub fn server_port(&mut self, port: u16) {
        if let Some(target) = self.relay_target.take() {
            let _ = target.send(port);
        }
    }

    /// The adapter's stderr so far (Python's own errors, such as a missing module).
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Why debugging cannot start with this interpreter's debugpy (missing, or too old), once the
    /// adapter's start-up check has a verdict; `None` when debugpy passed the check, or when no
    /// verdict came within [`VERDICT_WAIT`]. Called when something ended before the debugger attached
    /// (the adapter, or the function, which may die of the same cause first).
    pub async fn diagnose(&mut self) -> Option<String> {
        let deadline = tokio::time::Instant::now() + VERDICT_WAIT;
        loop {
            let ended = *self.stderr_seen.borrow_and_update();
            let text = self.stderr();
            if let Some(line) = text.lines().find_map(|l| l.strip_prefix(TOO_OLD)) {
                let (version, file) = line.split_once(' ').unwrap_or((line, "?"));
                return Some(too_old_message(&self.python, version, file));
            }
            if is_missing_debugpy(&text) {
                return Some(missing_debugpy_message(&self.python));
            }
            if ended || text.lines().any(|l| l.starts_with(VERSION_OK)) {
                return None;
            }
            if tokio::time::timeout_at(deadline, self.stderr_seen.changed()).await.is_err() {
                return None;
            }
        }
    }

    /// Ends the adapter process and the relay.
    pub async fn kill(mut self) {
        self.relay.abort();
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}

impl Drop for Debugpy {
    fn drop(&mut self) {
        self.relay.abort();
    }
}

/// The oldest debugpy this adapter accepts: the release line it is tested with (1.8.x), whose adapter
/// announces its port with the `debugpyWaitingForServer` event that the relay waits for.
pub const MIN_VERSION: (u32, u32) = (1, 8);

/// Written by [`ADAPTER_PRELUDE`] on the adapter's stderr: `TOO_OLD <version> <file>` or `VERSION_OK`.
const TOO_OLD: &str = "samwise-dap: debugpy too old: ";
const VERSION_OK: &str = "samwise-dap: debugpy version ok";

/// How long [`Debugpy::diagnose`] waits for the version check's verdict.
const VERDICT_WAIT: Duration = Duration::from_secs(10);

/// What the adapter process runs instead of `-m debugpy.adapter`: the version check, then debugpy's
/// adapter exactly as `-m` would run it. Checking in the same process costs no extra interpreter
/// start on the launch path; an old debugpy would otherwise never announce its port and the launch
/// would hang. A version that does not parse (a source checkout) is given the benefit of the doubt;
/// a missing debugpy fails the import with Python's own "No module named 'debugpy'".
const ADAPTER_PRELUDE: &str = r#"import sys
import debugpy
version = str(getattr(debugpy, "__version__", ""))
try:
    key = tuple(int(part) for part in version.split(".")[:2])
except ValueError:
    key = None
if key is not None and key < (1, 8):
    sys.stderr.write("samwise-dap: debugpy too old: %s %s\n" % (version, getattr(debugpy, "__file__", "?")))
    sys.exit(3)
sys.stderr.write("samwise-dap: debugpy version ok\n")
sys.stderr.flush()
import runpy
runpy.run_module("debugpy.adapter", run_name="__main__", alter_sys=True)
"#;

pub fn too_old_message(python: &Path, version: &str, file: &str) -> String {
    let (major, minor) = MIN_VERSION;
    format!(
        "debugpy {version} ({file}) is too old: samwise-dap needs debugpy {major}.{minor}.0 or later. Upgrade it with `{python} -m pip install --upgrade debugpy`, or choose an interpreter that has a newer one (\"pythonPath\").",
        python = python.display()
    )
}

/// Whether Python's error output says that debugpy cannot be imported.
pub fn is_missing_debugpy(text: &str) -> bool {
    text.contains("No module named debugpy") || text.contains("No module named 'debugpy'")
}

pub fn missing_debugpy_message(python: &Path) -> String {
    format!(
        "debugpy is not installed for {python}, the interpreter that runs the function. Install it with `{python} -m pip install debugpy`, choose an interpreter that has it (\"pythonPath\"), or run without debugging (\"noDebug\": true).",
        python = python.display()
    )
}

async fn read_messages(stdout: impl AsyncRead + Unpin, tx: mpsc::UnboundedSender<Message>) {
    let mut reader = BufReader::new(stdout);
    while let Ok(Some(body)) = codec::read_body(&mut reader).await {
        match serde_json::from_slice::<Message>(&body) {
            Ok(message) => {
                if tx.send(message).is_err() {
                    return;
                }
            }
            Err(e) => eprintln!("samwise-dap: ignoring a malformed message from debugpy: {e}"),
        }
    }
}

/// Keeps the last 64 KiB of the adapter's stderr, signalling each line and the end on `seen`.
async fn collect(stream: impl AsyncRead + Unpin, into: Arc<Mutex<String>>, seen: watch::Sender<bool>) {
    let mut lines = BufReader::new(stream).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        collect_line(&into, &line);
        seen.send_replace(false);
    }
    seen.send_replace(true);
}

fn collect_line(into: &Mutex<String>, line: &str) {
    let mut text = into.lock().unwrap_or_else(|e| e.into_inner());
    text.push_str(line);
    text.push('\n');
    if text.len() > 64 * 1024 {
        let cut = text.len() - 32 * 1024;
        let cut = (cut..text.len()).find(|i| text.is_char_boundary(*i)).unwrap_or(text.len());
        text.drain(..cut);
    }
}

/// Accepts the debuggee's connection and joins it to the adapter's server port once that is known.
async fn splice(listener: TcpListener, target: oneshot::Receiver<u16>) {
    let Ok((mut inbound, _)) = listener.accept().await else { return };
    drop(listener);
    let Ok(port) = target.await else { return };
    let Ok(mut outbound) = TcpStream::connect(("127.0.0.1", port)).await else { return };
    let _ = inbound.set_nodelay(true);
    let _ = outbound.set_nodelay(true);
    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_a_missing_debugpy() {
        assert!(is_missing_debugpy("/tmp/v/bin/python: No module named debugpy\n"));
        assert!(is_missing_debugpy("ModuleNotFoundError: No module named 'debugpy'\n"));
        assert!(!is_missing_debugpy("No module named boto3\n"));
        let message = too_old_message(Path::new("/v/bin/python"), "1.5.1", "/v/debugpy/__init__.py");
        assert!(message.contains("debugpy 1.5.1 (/v/debugpy/__init__.py) is too old"), "{message}");
        assert!(
            message.contains("1.8.0 or later") && message.contains("`/v/bin/python -m pip install --upgrade debugpy`")
        );
        // The prelude's comparison is the constant's.
        let (major, minor) = MIN_VERSION;
        assert!(ADAPTER_PRELUDE.contains(&format!("key < ({major}, {minor})")));
        assert!(ADAPTER_PRELUDE.contains(TOO_OLD) && ADAPTER_PRELUDE.contains(VERSION_OK));
        let message = missing_debugpy_message(Path::new("/v/bin/python"));
        assert!(message.contains("`/v/bin/python -m pip install debugpy`"), "{message}");
    }
}
