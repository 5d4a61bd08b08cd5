//! One local invocation, from spawning the runtime to the REPORT line.
//!
//! [`start`] spawns the function's runtime (the embedded client under the user's interpreter, or a
//! custom runtime's `bootstrap`) against a fresh [`RuntimeApi`], and returns a [`Running`]
//! invocation; [`Running::wait`] drives it to an [`Outcome`]. While it runs, an [`InvokeHandle`] can
//! pause and resume the timeout (a debugger stopped at a breakpoint must not time the function out)
//! and cancel it. Output arrives as [`OutputLine`]s on the caller's channel, function output and the
//! START/END/REPORT lines alike, in order.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinSet;

use crate::api::{ApiEvent, Invocation, MAX_PAYLOAD, RuntimeApi};
use crate::config::{FunctionConfig, RuntimeFamily};
use crate::{bootstrap, environment, process};

/// How long a runtime that has answered gets to come back for the next invocation (which tells us it
/// flushed its output) before its processes are ended anyway.
const SETTLE_GRACE: Duration = Duration::from_millis(500);
/// How long output readers may run on after the process group is gone; only a process that left the
/// group (a daemon that called `setsid`) can hold the pipes open that long.
const DRAIN_GRACE: Duration = Duration::from_secs(2);
const SAMPLE_EVERY: Duration = Duration::from_millis(50);
/// The longest output line passed on whole: Lambda's limit for one CloudWatch log event (256 KB).
/// Longer lines arrive as several [`OutputLine`]s.
pub const MAX_LINE: usize = 256 * 1024;

/// Options of one launch that are not part of the function's configuration.
#[derive(Debug, Clone)]
pub struct LaunchOptions {
    /// Arguments placed between the interpreter and the runtime client script, e.g.
    /// `-m debugpy --listen 127.0.0.1:5678 --wait-for-client` to run the function under debugpy.
    /// Ignored for custom runtimes.
    pub interpreter_args: Vec<OsString>,
    /// Extra variables for the function's process (after the function's own and Lambda's).
    pub extra_env: BTreeMap<String, String>,
    /// Where the embedded runtime clients are written; [`bootstrap::default_cache_dir`] when `None`.
    pub cache_dir: Option<PathBuf>,
    /// Receives every output line; output is still read (and dropped) when `None`.
    pub output: Option<mpsc::UnboundedSender<OutputLine>>,
    /// `Lambda-Runtime-Client-Context` (JSON), as passed by mobile SDK callers.
    pub client_context: Option<String>,
    /// `Lambda-Runtime-Cognito-Identity` (JSON).
    pub cognito_identity: Option<String>,
    /// Lambda's limit for the init phase (import of the handler's module): 10 s.
    pub init_timeout: Duration,
}

impl Default for LaunchOptions {
    fn default() -> LaunchOptions {
        LaunchOptions {
            interpreter_args: Vec::new(),
            extra_env: BTreeMap::new(),
            cache_dir: None,
            output: None,
            client_context: None,
            cognito_identity: None,
            init_timeout: Duration::from_secs(10),
        }
    }
}

/// Where a line of output came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputKind {
    Stdout,
    Stderr,
    /// The lines Lambda itself writes: START, END, REPORT, timeouts.
    Runtime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputLine {
    pub kind: OutputKind,
    /// The line without its line terminator (invalid UTF-8 replaced).
    pub text: String,
}

/// Why an invocation could not start. Each message names the file, program or value involved.
#[derive(Debug)]
pub enum InvokeError {
    UnsupportedRuntime(String),
    CodeDirMissing(PathBuf),
    /// A custom runtime without an executable `bootstrap` in its code directory.
    BootstrapMissing(PathBuf),
    /// The event exceeds Lambda's 6 MB payload limit.
    EventTooLarge(usize),
    /// The interpreter (or custom bootstrap) could not be started.
    Spawn {
        program: PathBuf,
        source: std::io::Error,
    },
    Io(std::io::Error),
}

impl std::fmt::Display for InvokeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InvokeError::UnsupportedRuntime(r) => write!(
                f,
                "runtime `{r}` cannot run locally without Docker; supported: python3.x, nodejs*, provided, provided.al2, provided.al2023"
            ),
            InvokeError::CodeDirMissing(p) => {
                write!(f, "the function's code directory {} does not exist (check CodeUri)", p.display())
            }
            InvokeError::BootstrapMissing(p) => write!(
                f,
                "custom runtime: {} is missing or not executable; build your function so that CodeUri contains its `bootstrap`",
                p.display()
            ),
            InvokeError::EventTooLarge(size) => write!(
                f,
                "the event is {size} bytes; Lambda refuses events larger than {MAX_PAYLOAD} bytes (RequestEntityTooLargeException)"
            ),
            InvokeError::Spawn { program, source } if source.kind() == std::io::ErrorKind::NotFound => write!(
                f,
                "cannot start `{}`: not found. Choose the interpreter (e.g. your virtualenv's python) or put it on PATH",
                program.display()
            ),
            InvokeError::Spawn { program, source } => write!(f, "cannot start `{}`: {source}", program.display()),
            InvokeError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for InvokeError {}

/// How the invocation ended. Every variant but `Response` and `Cancelled` carries Lambda's error JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvokeResult {
    /// The handler's result, as JSON.
    Response(Bytes),
    /// The handler raised or returned an error (or its response exceeded 6 MB).
    FunctionError { error_type: Option<String>, payload: Bytes },
    /// The runtime could not load the handler.
    InitError { error_type: Option<String>, payload: Bytes },
    /// The function ran past its timeout (or init past the init timeout).
    Timeout { payload: Bytes },
    /// The runtime process exited before answering.
    Crashed { payload: Bytes, status: Option<ExitStatus> },
    /// [`InvokeHandle::cancel`] ended the invocation.
    Cancelled,
}

impl InvokeResult {
    pub fn is_success(&self) -> bool {
        matches!(self, InvokeResult::Response(_))
    }

    /// The JSON Lambda would return to the caller: the response or the error; `None` when cancelled.
    pub fn payload(&self) -> Option<&Bytes> {
        match self {
            InvokeResult::Response(p)
            | InvokeResult::FunctionError { payload: p, .. }
            | InvokeResult::InitError { payload: p, .. }
            | InvokeResult::Timeout { payload: p }
            | InvokeResult::Crashed { payload: p, .. } => Some(p),
            InvokeResult::Cancelled => None,
        }
    }
}

/// The figures of Lambda's REPORT line.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// From handing the event to the runtime to its answer (zero if it never fetched the event).
    pub duration: Duration,
    /// Whole milliseconds, rounded up, at least 1.
    pub billed_ms: u64,
    pub memory_size_mb: u32,
    /// Peak resident memory of the function's process tree; `None` where it cannot be measured.
    pub max_memory_used_mb: Option<u64>,
    /// From spawning the runtime to its first request for an event.
    pub init_duration: Duration,
}

#[derive(Debug, Clone)]
pub struct Outcome {
    pub request_id: String,
    pub result: InvokeResult,
    pub report: Report,
}

/// Controls a running invocation from elsewhere (another task, the debug adapter's session).
#[derive(Clone)]
pub struct InvokeHandle {
    shared: Arc<Shared>,
}

struct Shared {
    clock: Mutex<Clock>,
    changed: Notify,
    cancelled: AtomicBool,
}

/// A pausable countdown: `budget` left as of `since`, or frozen when `since` is `None`.
struct Clock {
    budget: Duration,
    since: Option<Instant>,
}

impl Clock {
    fn remaining(&self) -> Duration {
        self.budget.saturating_sub(self.since.map_or(Duration::ZERO, |s| s.elapsed()))
    }
}

impl InvokeHandle {
    fn new(budget: Duration) -> InvokeHandle {
        let clock = Clock { budget, since: Some(Instant::now()) };
        InvokeHandle {
            shared: Arc::new(Shared {
                clock: Mutex::new(clock),
                changed: Notify::new(),
                cancelled: AtomicBool::new(false),
            }),
        }
    }

    fn clock(&self) -> std::sync::MutexGuard<'_, Clock> {
        self.shared.clock.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stops the timeout from running (the debuggee is stopped). Idempotent.
    pub fn pause(&self) {
        let mut clock = self.clock();
        if clock.since.is_some() {
            clock.budget = clock.remaining();
            clock.since = None;
        }
        drop(clock);
        self.shared.changed.notify_waiters();
    }

    /// Lets the timeout run again with the time that was left when paused. Idempotent.
    pub fn resume(&self) {
        let mut clock = self.clock();
        if clock.since.is_none() {
            clock.since = Some(Instant::now());
        }
        drop(clock);
        self.shared.changed.notify_waiters();
    }

    pub fn is_paused(&self) -> bool {
        self.clock().since.is_none()
    }

    /// The time left before the timeout.
    pub fn remaining(&self) -> Duration {
        self.clock().remaining()
    }

    /// Ends the invocation: its processes are killed and the outcome is [`InvokeResult::Cancelled`].
    pub fn cancel(&self) {
        self.shared.cancelled.store(true, Ordering::SeqCst);
        self.shared.changed.notify_waiters();
    }

    /// Restarts the countdown with a new budget, keeping the paused state.
    fn reset(&self, budget: Duration) {
        let mut clock = self.clock();
        clock.budget = budget;
        if clock.since.is_some() {
            clock.since = Some(Instant::now());
        }
        drop(clock);
        self.shared.changed.notify_waiters();
    }

    /// Completes when the countdown reaches zero or the invocation is cancelled; `true` for cancel.
    async fn expired_or_cancelled(&self) -> bool {
        loop {
            let changed = self.shared.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if self.shared.cancelled.load(Ordering::SeqCst) {
                return true;
            }
            let left = {
                let clock = self.clock();
                clock.since.map(|_| clock.remaining())
            };
            match left {
                Some(left) if left.is_zero() => return false,
                Some(left) => {
                    tokio::select! {
                        _ = tokio::time::sleep(left) => {}
                        _ = &mut changed => {}
                    }
                }
                None => changed.await,
            }
        }
    }
}

/// An invocation in progress. Dropping it kills the function's processes.
pub struct Running {
    handle: InvokeHandle,
    request_id: String,
    /// The environment entry that marks the function's processes ([`process::MARK_VAR`]).
    mark: String,
    config: FunctionConfig,
    api: RuntimeApi,
    child: Child,
    pid: Option<u32>,
    /// See [`process::spawn_watchdog`]; its stdin is the lifeline that closes when we die.
    watchdog: Option<Child>,
    readers: JoinSet<()>,
    output: Option<mpsc::UnboundedSender<OutputLine>>,
    spawned_at: Instant,
    init_timeout: Duration,
}

/// Starts one invocation of `config` with `event` (JSON bytes).
pub async fn start(config: FunctionConfig, event: Vec<u8>, options: LaunchOptions) -> Result<Running, InvokeError> {
    let family =
        RuntimeFamily::of(&config.runtime).ok_or_else(|| InvokeError::UnsupportedRuntime(config.runtime.clone()))?;
    if event.len() > MAX_PAYLOAD {
        return Err(InvokeError::EventTooLarge(event.len()));
    }
    // Absolute paths: the runtime's working directory is the code directory, so a relative
    // LAMBDA_TASK_ROOT or layer path would point elsewhere once it starts.
    let mut config = config;
    config.code_dir = match config.code_dir.canonicalize() {
        Ok(dir) if dir.is_dir() => dir,
        _ => return Err(InvokeError::CodeDirMissing(config.code_dir.clone())),
    };
    if let Some(interpreter) = &config.interpreter
        && interpreter.components().count() > 1
    {
        // A path like `.venv/bin/python` is relative to where the user is, not to the code directory.
        config.interpreter = std::path::absolute(interpreter).ok();
    }
    for layer in &mut config.layers {
        if let Ok(abs) = layer.canonicalize() {
            *layer = abs;
        }
    }
    let cache_dir = options.cache_dir.clone().unwrap_or_else(bootstrap::default_cache_dir);
    let client = bootstrap::install(family, &cache_dir).map_err(InvokeError::Io)?;

    let request_id = uuid::Uuid::new_v4().to_string();
    let handle = InvokeHandle::new(options.init_timeout);
    let invocation = Invocation {
        request_id: request_id.clone(),
        event: Bytes::from(event),
        invoked_function_arn: config.arn(),
        trace_id: trace_id(),
        client_context: options.client_context.clone(),
        cognito_identity: options.cognito_identity.clone(),
    };
    let deadline_handle = handle.clone();
    let timeout = config.timeout;
    let api = RuntimeApi::start(invocation, move || {
        // The function's timeout starts when the runtime takes the event, as in Lambda.
        deadline_handle.reset(timeout);
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        (now + timeout).as_millis() as u64
    })
    .await
    .map_err(InvokeError::Io)?;

    let (program, args) = match (family, &client) {
        (RuntimeFamily::Provided, _) | (_, None) => {
            let bootstrap = config.code_dir.join("bootstrap");
            if !is_executable(&bootstrap) {
                return Err(InvokeError::BootstrapMissing(bootstrap));
            }
            (bootstrap, Vec::new())
        }
        (family, Some(script)) => {
            let default = match family {
                RuntimeFamily::Node => "node",
                _ if cfg!(windows) => "python",
                _ => "python3",
            };
            let program = config.interpreter.clone().unwrap_or_else(|| PathBuf::from(default));
            let mut args = options.interpreter_args.clone();
            args.push(script.clone().into_os_string());
            (program, args)
        }
    };
    let runtime_dir = client.as_deref().and_then(|p| p.parent()).unwrap_or(&cache_dir).to_path_buf();

    let mut cmd = Command::new(&program);
    cmd.args(&args).current_dir(&config.code_dir);
    // The user's environment passes through (credentials, profile, proxies, AWS_ENDPOINT_URL), then the
    // function's variables and Lambda's reserved ones.
    cmd.envs(environment::function_environment(&config, &api.addr().to_string(), &runtime_dir));
    let layers = std::env::join_paths(&config.layers).map_err(|e| InvokeError::Io(std::io::Error::other(e)))?;
    cmd.env("_SAMWISE_LAYERS", &layers);
    if family == RuntimeFamily::Node && !config.layers.is_empty() {
        let paths = config.layers.iter().rev().map(|l| l.join("nodejs").join("node_modules"));
        let node_path = std::env::join_paths(paths).map_err(|e| InvokeError::Io(std::io::Error::other(e)))?;
        cmd.env("NODE_PATH", node_path);
    }
    if family == RuntimeFamily::Provided && !config.layers.is_empty() {
        // Lambda puts /opt/bin on PATH for custom runtimes; layers provide tools that way.
        let current = std::env::var_os("PATH").unwrap_or_default();
        let bins = config.layers.iter().rev().map(|l| l.join("bin")).chain(std::env::split_paths(&current));
        if let Ok(path) = std::env::join_paths(bins) {
            cmd.env("PATH", path);
        }
    }
    cmd.envs(&options.extra_env);
    let mark = process::mark(&request_id);
    cmd.env(process::MARK_VAR, &request_id);
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    process::isolate(&mut cmd);

    let spawned_at = Instant::now();
    let mut child = cmd.spawn().map_err(|source| InvokeError::Spawn { program: program.clone(), source })?;
    let pid = child.id();
    #[cfg(unix)]
    let watchdog = pid.and_then(|pid| process::spawn_watchdog(pid, &mark));
    #[cfg(not(unix))]
    let watchdog = None;
    let mut readers = JoinSet::new();
    if let Some(out) = child.stdout.take() {
        readers.spawn(read_lines(out, OutputKind::Stdout, options.output.clone()));
    }
    if let Some(err) = child.stderr.take() {
        readers.spawn(read_lines(err, OutputKind::Stderr, options.output.clone()));
    }
    Ok(Running {
        handle,
        request_id,
        mark,
        watchdog,
        config,
        api,
        child,
        pid,
        readers,
        output: options.output,
        spawned_at,
        init_timeout: options.init_timeout,
    })
}

/// Starts an invocation and waits for its outcome.
pub async fn invoke(config: FunctionConfig, event: Vec<u8>, options: LaunchOptions) -> Result<Outcome, InvokeError> {
    Ok(start(config, event, options).await?.wait().await)
}

impl Running {
    pub fn handle(&self) -> InvokeHandle {
        self.handle.clone()
    }

    pub fn request_id(&self) -> &str {
        &self.request_id
    }

    /// The runtime process's id (also its process group's id on Unix).
    pub fn pid(&self) -> Option<u32> {
        self.pid
    }

    fn emit(&self, text: String) {
        if let Some(out) = &self.output {
            let _ = out.send(OutputLine { kind: OutputKind::Runtime, text });
        }
    }

    /// Runs the invocation to its end, then ends every process of the function and reports.
    pub async fn wait(mut self) -> Outcome {
        let id = self.request_id.clone();
        let mut peak: u64 = 0;
        let mut started: Option<Instant> = None;
        let mut init_duration = None;
        let mut exited = false;
        // The emulator's channel only closes if its server task died; stop polling it then (the
        // process, the timer and cancellation still end the invocation).
        let mut api_open = true;
        let mut sample = tokio::time::interval_at(tokio::time::Instant::now() + SAMPLE_EVERY, SAMPLE_EVERY);
        let handle = self.handle.clone();

        let result = loop {
            tokio::select! {
                event = self.api.next_event(), if api_open => match event {
                    Some(ApiEvent::Started) => {
                        started = Some(Instant::now());
                        init_duration = Some(self.spawned_at.elapsed());
                        self.emit(format!("START RequestId: {id} Version: $LATEST"));
                    }
                    Some(ApiEvent::Response(body)) => break InvokeResult::Response(body),
                    Some(ApiEvent::Error { error_type, payload }) => break InvokeResult::FunctionError { error_type, payload },
                    Some(ApiEvent::InitError { error_type, payload }) => break InvokeResult::InitError { error_type, payload },
                    Some(ApiEvent::ResponseTooLarge) => {
                        let payload = serde_json::json!({
                            "errorMessage": format!("Response payload size exceeded maximum allowed payload size ({MAX_PAYLOAD} bytes)."),
                            "errorType": "Function.ResponseSizeTooLarge",
                        });
                        break InvokeResult::FunctionError {
                            error_type: Some("Function.ResponseSizeTooLarge".into()),
                            payload: Bytes::from(payload.to_string()),
                        };
                    }
                    Some(ApiEvent::Idle) => {}
                    None => api_open = false,
                },
                status = self.child.wait() => {
                    exited = true;
                    let status = status.ok();
                    let how = status.map_or_else(|| "unknown status".to_owned(), describe_exit);
                    let payload = serde_json::json!({
                        "errorMessage": format!("RequestId: {id} Error: Runtime exited with error: {how}"),
                        "errorType": "Runtime.ExitError",
                    });
                    break InvokeResult::Crashed { payload: Bytes::from(payload.to_string()), status };
                }
                cancelled = handle.expired_or_cancelled() => {
                    if cancelled {
                        break InvokeResult::Cancelled;
                    }
                    let (limit, what) = match started {
                        Some(_) => (self.config.timeout, "Task"),
                        None => (self.init_timeout, "Init"),
                    };
                    let message = format!("{what} timed out after {:.2} seconds", limit.as_secs_f64());
                    self.emit(format!("{} {id} {message}", timestamp()));
                    let payload = serde_json::json!({
                        "errorMessage": format!("RequestId: {id} Error: {message}"),
                        "errorType": "Sandbox.Timedout",
                    });
                    break InvokeResult::Timeout { payload: Bytes::from(payload.to_string()) };
                }
                _ = sample.tick() => {
                    let watchdog = self.watchdog.as_ref().and_then(Child::id);
                    peak = peak.max(self.pid.and_then(|pid| process::group_rss_bytes(pid, watchdog)).unwrap_or(0));
                }
            }
        };
        let answered_at = Instant::now();

        let answered = matches!(
            result,
            InvokeResult::Response(_) | InvokeResult::FunctionError { .. } | InvokeResult::InitError { .. }
        );
        if answered && !exited {
            // Give the runtime a moment to come back for the next event, which means its output is flushed.
            let settle = async {
                loop {
                    tokio::select! {
                        event = self.api.next_event() => if matches!(event, Some(ApiEvent::Idle) | None) { break },
                        _ = self.child.wait() => break,
                    }
                }
            };
            let _ = tokio::time::timeout(SETTLE_GRACE, settle).await;
        }
        if let Some(pid) = self.pid {
            let watchdog = self.watchdog.as_ref().and_then(Child::id);
            peak = peak
                .max(process::group_rss_bytes(pid, watchdog).unwrap_or(0))
                .max(process::peak_rss_bytes(pid).unwrap_or(0));
        }
        self.terminate().await;
        let drain = async { while self.readers.join_next().await.is_some() {} };
        if tokio::time::timeout(DRAIN_GRACE, drain).await.is_err() {
            self.readers.abort_all();
        }

        if started.is_none() {
            self.emit(format!("START RequestId: {id} Version: $LATEST"));
        }
        let duration = started.map_or(Duration::ZERO, |s| answered_at.saturating_duration_since(s));
        let report = Report {
            duration,
            billed_ms: (duration.as_micros().div_ceil(1000) as u64).max(1),
            memory_size_mb: self.config.memory_mb,
            max_memory_used_mb: (peak > 0).then(|| peak.div_ceil(1024 * 1024)),
            init_duration: init_duration.unwrap_or_else(|| answered_at.saturating_duration_since(self.spawned_at)),
        };
        self.emit(format!("END RequestId: {id}"));
        let mut line = format!(
            "REPORT RequestId: {id}\tDuration: {:.2} ms\tBilled Duration: {} ms\tMemory Size: {} MB",
            report.duration.as_secs_f64() * 1000.0,
            report.billed_ms,
            report.memory_size_mb
        );
        if let Some(mb) = report.max_memory_used_mb {
            line.push_str(&format!("\tMax Memory Used: {mb} MB"));
        }
        line.push_str(&format!("\tInit Duration: {:.2} ms", report.init_duration.as_secs_f64() * 1000.0));
        if matches!(result, InvokeResult::Timeout { .. }) {
            line.push_str("\tStatus: timeout");
        }
        self.emit(line);
        Outcome { request_id: id, result, report }
    }

    /// Kills the function's whole process tree and reaps the runtime process.
    async fn terminate(&mut self) {
        if let Some(pid) = self.pid {
            process::kill_group(pid);
        }
        // Daemons that left the group.
        process::kill_marked(&self.mark);
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
        if let Some(mut watchdog) = self.watchdog.take() {
            let _ = watchdog.start_kill();
            let _ = watchdog.wait().await;
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // Covers a caller that drops the invocation (cancelled request, panic) without waiting for it.
        if let Some(pid) = self.pid {
            process::kill_group(pid);
        }
        process::kill_marked(&self.mark);
        let _ = self.child.start_kill();
    }
}

/// Reads output line by line. A line longer than [`MAX_LINE`] is passed on in pieces of that size, so
/// that a function writing megabytes without a line break does not make us hold them all at once.
async fn read_lines(stream: impl AsyncRead + Unpin, kind: OutputKind, out: Option<mpsc::UnboundedSender<OutputLine>>) {
    let mut reader = BufReader::with_capacity(64 * 1024, stream);
    let mut line: Vec<u8> = Vec::new();
    let send = |line: &[u8]| {
        if let Some(out) = &out {
            let text = String::from_utf8_lossy(line);
            let text = text.strip_suffix('\n').unwrap_or(&text);
            let text = text.strip_suffix('\r').unwrap_or(text);
            let _ = out.send(OutputLine { kind, text: text.to_owned() });
        }
    };
    loop {
        let chunk = match reader.fill_buf().await {
            Ok(chunk) if !chunk.is_empty() => chunk,
            _ => {
                if !line.is_empty() {
                    send(&line);
                }
                return;
            }
        };
        let (take, complete) = match chunk.iter().position(|b| *b == b'\n') {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        let room = MAX_LINE - line.len();
        if take > room {
            line.extend_from_slice(&chunk[..room]);
            reader.consume(room);
            send(&line);
            line.clear();
            continue;
        }
        line.extend_from_slice(&chunk[..take]);
        reader.consume(take);
        if complete {
            send(&line);
            line.clear();
        }
    }
}

fn is_executable(path: &std::path::Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        path.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

fn describe_exit(status: ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return format!("signal: {}", signal_name(signal));
        }
    }
    match status.code() {
        Some(code) => format!("exit status {code}"),
        None => "unknown status".to_owned(),
    }
}

/// A signal as Lambda's runtime error names it (Go's wording: `signal: segmentation fault`).
#[cfg(unix)]
fn signal_name(signal: i32) -> String {
    use nix::sys::signal::Signal;
    let name = match Signal::try_from(signal) {
        Ok(Signal::SIGSEGV) => "segmentation fault",
        Ok(Signal::SIGKILL) => "killed",
        Ok(Signal::SIGABRT) => "aborted",
        Ok(Signal::SIGBUS) => "bus error",
        Ok(Signal::SIGFPE) => "floating point exception",
        Ok(Signal::SIGILL) => "illegal instruction",
        Ok(Signal::SIGTERM) => "terminated",
        Ok(Signal::SIGINT) => "interrupt",
        Ok(Signal::SIGPIPE) => "broken pipe",
        _ => return format!("signal {signal}"),
    };
    name.to_owned()
}

/// An X-Ray trace header of the shape Lambda passes (`Root=1-<8 hex time>-<24 hex>`).
fn trace_id() -> String {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("Root=1-{secs:08x}-{};Parent={};Sampled=0", &random[..24], &random[16..32])
}

/// `2024-01-31T12:34:56.789Z`, the timestamp Lambda puts before its timeout message.
fn timestamp() -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = now.as_secs();
    let (y, m, d) = environment::civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z", rem / 3600, rem / 60 % 60, rem % 60, now.subsec_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn long_lines_arrive_in_pieces_and_a_last_line_without_break_is_kept() {
        let mut input = b"short\r\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', MAX_LINE * 2 + 10));
        input.extend(b"\nlast");
        let (tx, mut rx) = mpsc::unbounded_channel();
        read_lines(&input[..], OutputKind::Stdout, Some(tx)).await;
        let mut lines = Vec::new();
        while let Ok(line) = rx.try_recv() {
            lines.push(line.text);
        }
        let lengths: Vec<usize> = lines.iter().map(String::len).collect();
        assert_eq!(lengths, [5, MAX_LINE, MAX_LINE, 10, 4]);
        assert_eq!(lines[0], "short");
        assert_eq!(lines[4], "last");
    }
}
