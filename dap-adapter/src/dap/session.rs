//! One debug session: the editor on one side; the local invocation and, for Python, debugpy on the
//! other.
//!
//! The session is a single loop over four sources: the editor's messages, debugpy's messages, the
//! function's output lines and the invocation's outcome. Requests the adapter understands itself
//! (initialize, launch, disconnect, terminate, restart) are handled here; everything else is relayed
//! to debugpy with the sequence numbers translated both ways, and debugpy's events come back through
//! [`Session::on_debugpy`], which pauses Lambda's timeout while the debuggee is stopped.
//!
//! Nothing essential depends on `thread`, `continued` or `exited` events or on `pause` (clients such as
//! LSP4IJ lack them): the timeout resumes on the editor's own continue/step requests too, and the end
//! of a run is always the result as `output` and then `terminated`.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::Duration;

use samwise_runtime::{InvokeHandle, InvokeResult, LaunchOptions, Outcome, OutputKind, OutputLine};
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncWrite, BufReader};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::codec;
use super::debugpy::{self, Debugpy};
use super::launch::{LaunchConfig, Resolved};
use super::protocol::{
    Capabilities, DisconnectArguments, ErrorMessage, ErrorResponseBody, Event, ExceptionBreakpointsFilter,
    ExitedEventBody, Message, OutputEventBody, Request, Response, RestartArguments, SetBreakpointsArguments,
    UnverifiedBreakpoint, WaitingForServerBody, to_value,
};

/// How long a cancelled invocation gets to end its processes before its task is dropped (which kills
/// them as well, without waiting).
const STOP_GRACE: Duration = Duration::from_secs(5);

/// The init (handler import) limit under the debugger, instead of Lambda's 10 s.
const DEBUG_INIT_TIMEOUT: Duration = Duration::from_secs(120);

/// Test aid: with this variable set in the adapter's environment, debugpy's answer to the attach
/// is never relayed, as when the function ends before that answer gets through on a loaded machine.
const TEST_DROP_ATTACH_ANSWER: &str = "SAMWISE_DAP_TEST_DROP_ATTACH_ANSWER";

/// Requests after which the debuggee runs again: the timeout resumes without waiting for `continued`.
const RUN_REQUESTS: &[&str] = &["continue", "next", "stepIn", "stepOut", "stepBack", "reverseContinue", "goto"];

/// Runs a session over a byte stream pair until the editor disconnects or closes the stream.
pub async fn run<R, W>(reader: R, writer: W)
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let (client_tx, mut client_out) = mpsc::unbounded_channel::<Message>();
    let writer_task = tokio::spawn(async move {
        let mut writer = writer;
        while let Some(message) = client_out.recv().await {
            let Ok(body) = serde_json::to_vec(&message) else { continue };
            if codec::write_body(&mut writer, &body).await.is_err() {
                break;
            }
        }
    });
    let (in_tx, client_rx) = mpsc::unbounded_channel::<Incoming>();
    let reader_task = tokio::spawn(async move {
        let mut reader = BufReader::new(reader);
        loop {
            match codec::read_body(&mut reader).await {
                Ok(Some(body)) => match Incoming::parse(&body) {
                    Some(incoming) => {
                        if in_tx.send(incoming).is_err() {
                            break;
                        }
                    }
                    None => continue,
                },
                Ok(None) => break,
                Err(e) => {
                    eprintln!("samwise-dap: reading from the editor: {e}");
                    break;
                }
            }
        }
    });

    let mut session = Session::new(client_tx);
    session.serve(client_rx).await;
    session.stop_run().await;
    reader_task.abort();
    // Whatever was queued (the disconnect response) is written before the stream is let go.
    drop(session);
    let _ = writer_task.await;
}

/// A message from the editor as the reader passes it on.
enum Incoming {
    Message(Message),
    /// A request that is JSON with a `seq` but not valid DAP (no `command`, mistyped fields): it is
    /// answered with an error, so the editor does not wait for it forever.
    Invalid {
        request: Request,
        error: String,
    },
}

impl Incoming {
    /// `None` (with a line on stderr) for a body that cannot be answered: not JSON, or without a `seq`.
    fn parse(body: &[u8]) -> Option<Incoming> {
        let error = match serde_json::from_slice::<Message>(body) {
            Ok(message) => return Some(Incoming::Message(message)),
            Err(e) => e,
        };
        let value = serde_json::from_slice::<Value>(body).unwrap_or(Value::Null);
        match (value["type"].as_str(), value["seq"].as_i64()) {
            (Some("request"), Some(seq)) => {
                let command = value["command"].as_str().unwrap_or_default().to_owned();
                Some(Incoming::Invalid { request: Request { seq, command, arguments: None }, error: error.to_string() })
            }
            _ => {
                eprintln!("samwise-dap: ignoring a message that is not DAP: {error}");
                None
            }
        }
    }
}

/// What the loop woke up for.
enum Wake {
    Client(Option<Incoming>),
    Debugpy(Option<Message>),
    Output(Option<OutputLine>),
    Outcome(Result<Outcome, tokio::task::JoinError>),
}

/// Pending debugpy requests: what to do with the response.
enum Pending {
    /// The editor's request, relayed: answer it with the editor's sequence number.
    Client { seq: i64, command: String },
    /// The `attach` that starts debugging: its response means the debuggee is configured and running.
    Attach,
    /// The adapter's own request (initialize, a replayed breakpoint); the response is not needed.
    Internal,
}

/// The editor's configuration requests, kept to replay them to a new debugpy after `restart`.
#[derive(Default)]
struct ConfigCache {
    breakpoints: BTreeMap<String, Value>,
    function_breakpoints: Option<Value>,
    exception_breakpoints: Option<Value>,
}

/// The current invocation.
struct Run {
    handle: InvokeHandle,
    outcome: Option<JoinHandle<Outcome>>,
    output: Option<mpsc::UnboundedReceiver<OutputLine>>,
    debug: Option<DebugLink>,
    /// The launch (or restart) request, answered once the debuggee is configured.
    start_request: Option<Request>,
    /// Recent stderr lines of the function, for the message when it dies before debugging starts.
    stderr_tail: Vec<String>,
    /// How much of the function's output the editor has been sent.
    budget: OutputBudget,
    interpreter: PathBuf,
}

struct DebugLink {
    debugpy: Debugpy,
    seq: i64,
    pending: HashMap<i64, Pending>,
    /// After `restart`, the editor does not configure again: the cached configuration is replayed.
    replay: bool,
    /// stopOnEntry: the handler's function name, while the entry stop is still to come.
    entry: Option<String>,
    /// configurationDone went to debugpy: it had attached (it asks for the configuration only
    /// then) and the function runs under the debugger from here on, whatever its end.
    configured: bool,
}

impl DebugLink {
    fn request(&mut self, command: &str, arguments: Option<Value>, pending: Pending) {
        self.configured |= command == "configurationDone";
        self.seq += 1;
        self.pending.insert(self.seq, pending);
        self.debugpy.send(Message::Request(Request { seq: self.seq, command: command.to_owned(), arguments }));
    }
}

struct Session {
    client: mpsc::UnboundedSender<Message>,
    seq: i64,
    initialize_args: Value,
    launch_args: Option<Value>,
    run: Option<Run>,
    cache: ConfigCache,
    quit: bool,
}

impl Session {
    fn new(client: mpsc::UnboundedSender<Message>) -> Session {
        Session {
            client,
            seq: 0,
            initialize_args: json!({}),
            launch_args: None,
            run: None,
            cache: ConfigCache::default(),
            quit: false,
        }
    }

    async fn serve(&mut self, mut client_rx: mpsc::UnboundedReceiver<Incoming>) {
        while !self.quit {
            let wake = {
                let run = self.run.as_mut();
                let (debug_rx, output_rx, outcome) = match run {
                    Some(run) => (
                        run.debug.as_mut().and_then(|d| d.debugpy.rx.as_mut()),
                        run.output.as_mut(),
                        run.outcome.as_mut(),
                    ),
                    None => (None, None, None),
                };
                tokio::select! {
                    m = client_rx.recv() => Wake::Client(m),
                    m = recv_opt(debug_rx) => Wake::Debugpy(m),
                    l = recv_opt(output_rx) => Wake::Output(l),
                    o = join_opt(outcome) => Wake::Outcome(o),
                }
            };
            match wake {
                Wake::Client(None) => break,
                Wake::Client(Some(Incoming::Message(Message::Request(request)))) => self.on_request(request).await,
                // We send the editor no requests, so it has nothing to answer; events from it are invalid.
                Wake::Client(Some(Incoming::Message(_))) => {}
                Wake::Client(Some(Incoming::Invalid { request, error })) => {
                    self.respond_error(&request, &format!("not a valid DAP request: {error}"));
                }
                Wake::Debugpy(Some(message)) => self.on_debugpy(message),
                Wake::Debugpy(None) => self.debugpy_exited().await,
                Wake::Output(Some(line)) => self.on_output(line),
                Wake::Output(None) => {
                    if let Some(run) = &mut self.run {
                        run.output = None;
                    }
                }
                Wake::Outcome(outcome) => self.on_outcome(outcome).await,
            }
        }
    }

    // --- to the editor ---

    fn send(&mut self, mut message: Message) {
        self.seq += 1;
        message.set_seq(self.seq);
        let _ = self.client.send(message);
    }

    fn respond(&mut self, request: &Request, body: Option<Value>) {
        self.send(Message::Response(Response {
            seq: 0,
            request_seq: request.seq,
            success: true,
            command: request.command.clone(),
            message: None,
            body,
        }));
    }

    fn respond_error(&mut self, request: &Request, message: &str) {
        let body = ErrorResponseBody { error: ErrorMessage { id: 1, format: message.to_owned(), show_user: true } };
        self.send(Message::Response(Response {
            seq: 0,
            request_seq: request.seq,
            success: false,
            command: request.command.clone(),
            message: Some(message.to_owned()),
            body: Some(to_value(&body)),
        }));
    }

    fn event(&mut self, event: &str, body: Option<Value>) {
        self.send(Message::Event(Event { seq: 0, event: event.to_owned(), body }));
    }

    fn console(&mut self, category: &'static str, text: String) {
        let body = OutputEventBody { category, output: text, data: None };
        self.event("output", Some(to_value(&body)));
    }

    // --- the editor's requests ---

    async fn on_request(&mut self, request: Request) {
        let debugging = self.run.as_ref().is_some_and(|r| r.debug.is_some());
        match request.command.as_str() {
            "initialize" => {
                self.initialize_args = request.arguments.clone().unwrap_or_else(|| json!({}));
                self.respond(&request, Some(to_value(&capabilities())));
            }
            "launch" => self.launch(request).await,
            "attach" => self.respond_error(
                &request,
                "samwise runs the function itself: use a `launch` configuration (request: launch or direct-invoke)",
            ),
            "disconnect" => {
                let args: DisconnectArguments = parse_args(&request);
                self.stop_run().await;
                self.respond(&request, None);
                if !args.restart {
                    self.quit = true;
                }
            }
            "terminate" => {
                self.respond(&request, None);
                match &self.run {
                    // The outcome (Cancelled) reports and sends `terminated`.
                    Some(run) => run.handle.cancel(),
                    None => self.event("terminated", None),
                }
            }
            "restart" => self.restart(request).await,
            _ if debugging => self.relay(request),
            "configurationDone" => self.respond(&request, None),
            "setBreakpoints" => {
                let args: SetBreakpointsArguments = parse_args(&request);
                let lines = if args.breakpoints.is_empty() {
                    args.lines
                } else {
                    args.breakpoints.iter().map(|b| b.line).collect()
                };
                let message = "the function runs without the debugger (noDebug, or not a Python function)";
                let breakpoints: Vec<Value> = lines
                    .into_iter()
                    .map(|line| to_value(&UnverifiedBreakpoint { verified: false, line, message }))
                    .collect();
                self.respond(&request, Some(json!({ "breakpoints": breakpoints })));
            }
            "setFunctionBreakpoints" | "setExceptionBreakpoints" => {
                self.respond(&request, Some(json!({ "breakpoints": [] })))
            }
            "threads" => self.respond(&request, Some(json!({ "threads": [] }))),
            command => {
                let message = format!("`{command}` is not available: the function is not running under the debugger");
                self.respond_error(&request, &message);
            }
        }
    }

    async fn launch(&mut self, request: Request) {
        if self.run.is_some() {
            return self.respond_error(&request, "the session has already launched its function");
        }
        let args = request.arguments.clone().unwrap_or_else(|| json!({}));
        let resolved = match LaunchConfig::parse(&args).and_then(|c| c.resolve()) {
            Ok(r) => r,
            Err(e) => return self.respond_error(&request, &e.to_string()),
        };
        self.launch_args = Some(args);
        if let Err(message) = self.start(resolved, request.clone(), false).await {
            self.respond_error(&request, &message);
        }
    }

    async fn restart(&mut self, request: Request) {
        let args: RestartArguments = parse_args(&request);
        let Some(launch_args) = args.arguments.or_else(|| self.launch_args.clone()) else {
            return self.respond_error(&request, "nothing to restart: the session has not launched a function");
        };
        let resolved = match LaunchConfig::parse(&launch_args).and_then(|c| c.resolve()) {
            Ok(r) => r,
            Err(e) => return self.respond_error(&request, &e.to_string()),
        };
        self.stop_run().await;
        self.launch_args = Some(launch_args);
        if let Err(message) = self.start(resolved, request.clone(), true).await {
            self.respond_error(&request, &message);
            self.event("terminated", None);
        }
    }

    /// Starts the invocation (under debugpy for Python unless noDebug). The start request is answered
    /// here for runs without the debugger, else once debugpy has answered `attach`.
    async fn start(&mut self, resolved: Resolved, start_request: Request, restart: bool) -> Result<(), String> {
        for warning in &resolved.warnings {
            self.console("console", format!("warning: {warning}\n"));
        }
        let interpreter = resolved.config.interpreter.clone().unwrap_or_else(|| PathBuf::from("python3"));
        let (output_tx, output_rx) = mpsc::unbounded_channel();
        let mut options = LaunchOptions {
            output: Some(output_tx),
            extra_env: resolved.extra_env.clone(),
            ..LaunchOptions::default()
        };
        let mut debug = None;
        if resolved.debug {
            let debugpy = Debugpy::spawn(&interpreter).await.map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => format!(
                    "cannot start `{}`: not found; set \"pythonPath\" to your Python interpreter (e.g. your virtualenv's python)",
                    interpreter.display()
                ),
                _ => format!("cannot start `{}`: {e}", interpreter.display()),
            })?;
            options.extra_env.extend(debugpy.debuggee_env(resolved.just_my_code));
            // The tracer makes imports several times slower, so Lambda's 10 s init limit would end
            // sessions on slow machines before the handler is reached; time stopped is paused anyway.
            options.init_timeout = DEBUG_INIT_TIMEOUT;
            // User code is never frozen; debugpy's warning about frozen stdlib modules is noise here.
            options.extra_env.insert("PYDEVD_DISABLE_FILE_VALIDATION".to_owned(), "1".to_owned());
            let mut link = DebugLink {
                debugpy,
                seq: 0,
                pending: HashMap::new(),
                replay: restart,
                configured: false,
                entry: resolved.stop_on_entry.then(|| {
                    let handler = &resolved.config.handler;
                    handler.rsplit('.').next().unwrap_or(handler).to_owned()
                }),
            };
            let mut initialize = self.initialize_args.clone();
            if let Some(map) = initialize.as_object_mut() {
                // debugpy must not ask to run things in a terminal or start child sessions: the
                // function's process is the runtime's, and this adapter does not relay reverse requests.
                map.insert("adapterID".into(), json!("debugpy"));
                map.insert("supportsRunInTerminalRequest".into(), json!(false));
                map.insert("supportsStartDebuggingRequest".into(), json!(false));
            }
            link.request("initialize", Some(initialize), Pending::Internal);
            let cache_dir = samwise_runtime::bootstrap::default_cache_dir();
            let attach = json!({
                "name": resolved.config.name,
                "listen": {"host": "127.0.0.1", "port": 0},
                "justMyCode": resolved.just_my_code,
                // Output comes from the runtime's pipes, with START/END/REPORT in order; debugpy's copy
                // would double it.
                "redirectOutput": false,
                "subProcess": false,
                "showReturnValue": true,
                // The runtime client is not the user's code: hide it from stacks and stepping, so an
                // exception leaving the handler counts as unhandled by user code.
                "rules": [{"path": cache_dir.display().to_string(), "include": false}],
            });
            link.request("attach", Some(attach), Pending::Attach);
            debug = Some(link);
        }

        let debugging = debug.is_some();
        let running = match samwise_runtime::start(resolved.config, resolved.event, options).await {
            Ok(r) => r,
            Err(e) => {
                if let Some(link) = debug {
                    link.debugpy.kill().await;
                }
                return Err(e.to_string());
            }
        };
        let handle = running.handle();
        if debugging {
            // Attaching the debugger is not the function's init time: the clock runs from `attach`'s answer.
            handle.pause();
        }
        self.run = Some(Run {
            handle,
            outcome: Some(tokio::spawn(running.wait())),
            output: Some(output_rx),
            debug,
            start_request: Some(start_request.clone()),
            stderr_tail: Vec::new(),
            budget: OutputBudget::default(),
            interpreter,
        });
        if !debugging {
            if let Some(run) = &mut self.run {
                run.start_request = None;
            }
            self.respond(&start_request, None);
            if !restart {
                // Breakpoints are answered as unverified and configurationDone is accepted.
                self.event("initialized", None);
            }
        }
        Ok(())
    }

    /// Relays an editor request to debugpy, remembering its sequence number.
    fn relay(&mut self, request: Request) {
        let Some(run) = &mut self.run else { return };
        let Some(link) = &mut run.debug else { return };
        let mut arguments = request.arguments.clone();
        match request.command.as_str() {
            "setBreakpoints" => {
                let key = arguments
                    .as_ref()
                    .and_then(|a| a.get("source"))
                    .and_then(|s| s.get("path").or_else(|| s.get("name")))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                if let Some(args) = &arguments {
                    self.cache.breakpoints.insert(key, args.clone());
                }
            }
            "setFunctionBreakpoints" => self.cache.function_breakpoints = arguments.clone(),
            "setExceptionBreakpoints" => {
                self.cache.exception_breakpoints = arguments.clone();
                arguments = arguments.map(translate_exception_filters);
            }
            command if RUN_REQUESTS.contains(&command) => run.handle.resume(),
            _ => {}
        }
        let command = request.command.clone();
        if command == "configurationDone" {
            // Ahead of configurationDone: debugpy handles requests in order.
            arm_entry(link, &self.cache);
        }
        link.request(&command, arguments, Pending::Client { seq: request.seq, command: command.clone() });
        if command == "setFunctionBreakpoints" {
            arm_entry(link, &self.cache);
        }
    }

    // --- from debugpy ---

    fn on_debugpy(&mut self, message: Message) {
        match message {
            Message::Response(response) => self.debugpy_response(response),
            Message::Event(event) => self.debugpy_event(event),
            Message::Request(request) => {
                // Reverse requests (runInTerminal, startDebugging) were declined in `initialize`.
                let Some(link) = self.run.as_mut().and_then(|r| r.debug.as_mut()) else { return };
                link.seq += 1;
                let message = format!("samwise-dap does not support `{}`", request.command);
                link.debugpy.send(Message::Response(Response {
                    seq: link.seq,
                    request_seq: request.seq,
                    success: false,
                    command: request.command,
                    message: Some(message),
                    body: None,
                }));
            }
        }
    }

    fn debugpy_response(&mut self, response: Response) {
        let Some(run) = &mut self.run else { return };
        let Some(link) = &mut run.debug else { return };
        match link.pending.remove(&response.request_seq) {
            Some(Pending::Client { seq, command }) => {
                self.send(Message::Response(Response { seq: 0, request_seq: seq, command, ..response }));
            }
            Some(Pending::Attach) if std::env::var_os(TEST_DROP_ATTACH_ANSWER).is_some() => {
                link.pending.insert(response.request_seq, Pending::Attach);
            }
            Some(Pending::Attach) => {
                let start = run.start_request.take();
                if response.success {
                    run.handle.resume();
                    if let Some(start) = start {
                        self.respond(&start, None);
                    }
                } else {
                    let message = format!(
                        "debugpy could not attach: {}",
                        response.message.as_deref().unwrap_or("no reason given")
                    );
                    run.handle.cancel();
                    if let Some(start) = start {
                        self.respond_error(&start, &message);
                    }
                }
            }
            Some(Pending::Internal) | None => {}
        }
    }

    fn debugpy_event(&mut self, mut event: Event) {
        let Some(run) = &mut self.run else { return };
        let Some(link) = &mut run.debug else { return };
        match event.event.as_str() {
            "debugpyWaitingForServer" => {
                match event.body.and_then(|b| serde_json::from_value::<WaitingForServerBody>(b).ok()) {
                    Some(body) => link.debugpy.server_port(body.port),
                    None => eprintln!("samwise-dap: debugpyWaitingForServer without a port"),
                }
                return;
            }
            "initialized" if link.replay => {
                replay(link, &self.cache);
                return;
            }
            "stopped" => {
                run.handle.pause();
                let reason = event.body.as_ref().and_then(|b| b.get("reason")).and_then(Value::as_str);
                if link.entry.is_some() && reason == Some("function breakpoint") {
                    link.entry = None;
                    let client = self.cache.function_breakpoints.clone().unwrap_or_else(|| json!({"breakpoints": []}));
                    link.request("setFunctionBreakpoints", Some(client), Pending::Internal);
                    if let Some(body) = event.body.as_mut().and_then(Value::as_object_mut) {
                        body.insert("reason".into(), json!("entry"));
                        body.remove("hitBreakpointIds");
                    }
                }
            }
            "continued" => run.handle.resume(),
            // The run's end is reported from the invocation's outcome, with the result.
            "terminated" | "exited" => return,
            "output"
                if event.body.as_ref().and_then(|b| b.get("category")).and_then(Value::as_str) == Some("telemetry") =>
            {
                return;
            }
            name if name.starts_with("debugpy") => return,
            _ => {}
        }
        self.send(Message::Event(event));
    }

    /// debugpy's adapter exited (or closed its output).
    async fn debugpy_exited(&mut self) {
        let Some(run) = &mut self.run else { return };
        let Some(link) = &mut run.debug else { return };
        link.debugpy.rx = None;
        let Some(start) = run.start_request.take() else {
            // Mid-session: the function cannot be debugged any more; end it so the editor hears the end.
            run.handle.cancel();
            self.console("stderr", "debugpy's adapter exited unexpectedly; the invocation was ended\n".to_owned());
            return;
        };
        run.handle.cancel();
        // Its stdout closed; its last stderr lines (the reason) may still be on their way.
        let message = match link.debugpy.diagnose().await {
            Some(message) => message,
            None => {
                format!("debugpy's adapter exited before the debugger attached:\n{}", link.debugpy.stderr().trim_end())
            }
        };
        self.respond_error(&start, &message);
    }

    // --- from the invocation ---

    fn on_output(&mut self, line: OutputLine) {
        let Some(run) = &mut self.run else { return };
        remember_stderr(&mut run.stderr_tail, &line);
        let admit = run.budget.admit(&line);
        self.admitted_output(admit, line);
    }

    fn admitted_output(&mut self, admit: Admit, line: OutputLine) {
        match admit {
            Admit::Send => self.output_event(line),
            Admit::DropWithNotice => self.console(
                "console",
                format!(
                    "samwise-dap: output truncated: the function has written more than {} MiB; the rest of its output is not shown (the result and the END/REPORT lines still are)\n",
                    OUTPUT_LIMIT >> 20
                ),
            ),
            Admit::Drop => {}
        }
    }

    fn output_event(&mut self, line: OutputLine) {
        let category = match line.kind {
            OutputKind::Stdout => "stdout",
            OutputKind::Stderr => "stderr",
            OutputKind::Runtime => "console",
        };
        self.console(category, format!("{}\n", line.text));
    }

    async fn on_outcome(&mut self, outcome: Result<Outcome, tokio::task::JoinError>) {
        // Answers debugpy has already sent (to the `continue` that let the function finish) go out first.
        let queued: Vec<Message> =
            match self.run.as_mut().and_then(|r| r.debug.as_mut()).and_then(|d| d.debugpy.rx.as_mut()) {
                Some(rx) => std::iter::from_fn(|| rx.try_recv().ok()).collect(),
                None => Vec::new(),
            };
        for message in queued {
            if let Message::Response(response) = message {
                self.debugpy_response(response);
            }
        }
        let Some(mut run) = self.run.take() else { return };
        run.outcome = None;
        // Everything the function wrote (and END/REPORT) was sent before the outcome; report it first.
        if let Some(mut output) = run.output.take() {
            while let Ok(line) = output.try_recv() {
                remember_stderr(&mut run.stderr_tail, &line);
                let admit = run.budget.admit(&line);
                self.admitted_output(admit, line);
            }
        }
        if run.budget.dropped_lines > 0 {
            let text = format!(
                "samwise-dap: output truncated: {} lines ({:.1} MiB) of the function's output were not shown\n",
                run.budget.dropped_lines,
                run.budget.dropped_bytes as f64 / (1024.0 * 1024.0)
            );
            self.console("console", text);
        }
        // The function ended before debugging started: the debugpy adapter's verdict on the
        // interpreter's debugpy (missing, too old) explains it best; both may die of the same cause.
        let mut diagnosis = None;
        let mut attach_pending = false;
        let mut configured = false;
        if let Some(mut link) = run.debug.take() {
            attach_pending = link.pending.values().any(|p| matches!(p, Pending::Attach));
            configured = link.configured;
            if run.start_request.is_some() {
                diagnosis = link.debugpy.diagnose().await;
            }
            self.answer_pending(&link);
            link.debugpy.kill().await;
        }
        let result = match outcome {
            Ok(outcome) => outcome.result,
            Err(e) => InvokeResult::Crashed { payload: format!("{{\"errorMessage\": \"{e}\"}}").into(), status: None },
        };
        // A function without breakpoints can run to its end (a response, a crash, a timeout) before
        // debugpy's answer to the attach is relayed: if it returned a response or debugpy had been
        // configured, the debugger did attach and the launch succeeded; the end is reported below.
        if attach_pending
            && diagnosis.is_none()
            && (configured || matches!(result, InvokeResult::Response(_)))
            && let Some(start) = run.start_request.take()
        {
            self.respond(&start, None);
        }
        if let Some(start) = run.start_request.take() {
            // The function ended before debugging started: most often the interpreter lacks debugpy.
            let tail = run.stderr_tail.join("\n");
            let message = if let Some(diagnosis) = diagnosis {
                diagnosis
            } else if debugpy::is_missing_debugpy(&tail) {
                debugpy::missing_debugpy_message(&run.interpreter)
            } else {
                format!("the function ended before the debugger attached: {}\n{tail}", describe(&result))
            };
            self.respond_error(&start, &message);
        }
        let (category, text) = match &result {
            InvokeResult::Response(payload) => ("console", format!("Response: {}\n", String::from_utf8_lossy(payload))),
            InvokeResult::Cancelled => ("console", "The invocation was cancelled.\n".to_owned()),
            other => ("stderr", format!("{}\n", describe(other))),
        };
        self.console(category, text);
        let exit_code = if result.is_success() { 0 } else { 1 };
        self.event("exited", Some(to_value(&ExitedEventBody { exit_code })));
        self.event("terminated", None);
    }

    /// Answers the editor's requests that debugpy will not answer any more (the function ended):
    /// run requests succeeded in running to the end, and so did `configurationDone` (it starts the
    /// run; a function without breakpoints can end before debugpy's answer is relayed); anything
    /// else fails.
    fn answer_pending(&mut self, link: &DebugLink) {
        let mut pending: Vec<(i64, String)> = link
            .pending
            .values()
            .filter_map(|p| match p {
                Pending::Client { seq, command } => Some((*seq, command.clone())),
                _ => None,
            })
            .collect();
        pending.sort();
        for (seq, command) in pending {
            let request = Request { seq, command, arguments: None };
            if RUN_REQUESTS.contains(&request.command.as_str()) {
                self.respond(&request, Some(json!({ "allThreadsContinued": true })));
            } else if request.command == "configurationDone" {
                self.respond(&request, None);
            } else {
                self.respond_error(&request, "the function has ended");
            }
        }
    }

    /// Ends the current run, if any, and every process of it. No events are sent.
    async fn stop_run(&mut self) {
        let Some(mut run) = self.run.take() else { return };
        run.handle.cancel();
        if let Some(task) = run.outcome.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(STOP_GRACE, task).await.is_err() {
                // Dropping the invocation (in the aborted task) kills its process group.
                abort.abort();
            }
        }
        if let Some(link) = run.debug.take() {
            link.debugpy.kill().await;
        }
    }
}

/// Keeps the function's last stderr lines (each cut to 2000 bytes), to explain a death before the
/// debugger attached.
fn remember_stderr(tail: &mut Vec<String>, line: &OutputLine) {
    if line.kind == OutputKind::Stderr {
        if tail.len() >= 20 {
            tail.remove(0);
        }
        let mut text = line.text.clone();
        if text.len() > 2000 {
            let cut = (0..=2000).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
            text.truncate(cut);
        }
        tail.push(text);
    }
}

/// The most of a run's output (stdout and stderr) sent to the editor. Each line becomes an `output`
/// event that the editor keeps in its console, and everything sent is buffered until the editor reads
/// it: a function printing in a loop would otherwise grow both without bound. 8 MiB is far more than
/// anyone reads in a debug console.
const OUTPUT_LIMIT: usize = 8 << 20;

/// What to do with one line of output.
#[derive(Debug, PartialEq, Eq)]
enum Admit {
    Send,
    /// The first line over the limit: dropped, and the editor is told once.
    DropWithNotice,
    Drop,
}

#[derive(Default)]
struct OutputBudget {
    sent: usize,
    dropped_lines: usize,
    dropped_bytes: usize,
}

impl OutputBudget {
    /// Lambda's own lines (START, END, REPORT, timeouts) always pass, so the end of a run is visible.
    fn admit(&mut self, line: &OutputLine) -> Admit {
        let size = line.text.len() + 1;
        if line.kind == OutputKind::Runtime {
            return Admit::Send;
        }
        if self.dropped_lines == 0 && self.sent + size <= OUTPUT_LIMIT {
            self.sent += size;
            return Admit::Send;
        }
        self.dropped_lines += 1;
        self.dropped_bytes += size;
        if self.dropped_lines == 1 { Admit::DropWithNotice } else { Admit::Drop }
    }
}

/// What the editor is told about a failed invocation: the kind and Lambda's error JSON.
fn describe(result: &InvokeResult) -> String {
    let payload = |p: &[u8]| String::from_utf8_lossy(p).into_owned();
    match result {
        InvokeResult::Response(p) => format!("Response: {}", payload(p)),
        InvokeResult::FunctionError { payload: p, .. } => format!("Function error: {}", payload(p)),
        InvokeResult::InitError { payload: p, .. } => {
            format!("Init error (the handler could not be loaded): {}", payload(p))
        }
        InvokeResult::Timeout { payload: p } => format!("Timed out: {}", payload(p)),
        InvokeResult::Crashed { payload: p, .. } => format!("The function's runtime crashed: {}", payload(p)),
        InvokeResult::Cancelled => "The invocation was cancelled.".to_owned(),
    }
}

/// Our exception filters to debugpy's: for a Lambda handler, an exception is "uncaught" when it
/// leaves the handler, which is debugpy's `userUnhandled` (the runtime client catches everything).
fn translate_exception_filters(mut arguments: Value) -> Value {
    if let Some(filters) = arguments.get_mut("filters").and_then(Value::as_array_mut)
        && filters.iter().any(|f| f == "uncaught")
    {
        filters.push(json!("userUnhandled"));
    }
    if let Some(options) = arguments.get_mut("filterOptions").and_then(Value::as_array_mut)
        && let Some(uncaught) = options.iter().find(|o| o.get("filterId") == Some(&json!("uncaught"))).cloned()
    {
        let mut user = uncaught;
        user["filterId"] = json!("userUnhandled");
        options.push(user);
    }
    arguments
}

/// stopOnEntry: a function breakpoint on the handler, beside the editor's own function breakpoints.
fn arm_entry(link: &mut DebugLink, cache: &ConfigCache) {
    let Some(name) = link.entry.clone() else { return };
    let mut breakpoints = cache
        .function_breakpoints
        .as_ref()
        .and_then(|a| a.get("breakpoints"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    breakpoints.push(json!({ "name": name }));
    link.request("setFunctionBreakpoints", Some(json!({ "breakpoints": breakpoints })), Pending::Internal);
}

/// After `restart`: the editor's breakpoints and exception settings, then configurationDone.
fn replay(link: &mut DebugLink, cache: &ConfigCache) {
    for args in cache.breakpoints.values() {
        link.request("setBreakpoints", Some(args.clone()), Pending::Internal);
    }
    if let Some(args) = &cache.function_breakpoints {
        link.request("setFunctionBreakpoints", Some(args.clone()), Pending::Internal);
    }
    if let Some(args) = &cache.exception_breakpoints {
        link.request("setExceptionBreakpoints", Some(translate_exception_filters(args.clone())), Pending::Internal);
    }
    arm_entry(link, cache);
    link.request("configurationDone", None, Pending::Internal);
}

fn capabilities() -> Capabilities {
    Capabilities {
        supports_configuration_done_request: true,
        supports_conditional_breakpoints: true,
        supports_hit_conditional_breakpoints: true,
        supports_log_points: true,
        supports_function_breakpoints: true,
        supports_evaluate_for_hovers: true,
        supports_set_variable: true,
        supports_set_expression: true,
        supports_exception_info_request: true,
        supports_exception_options: true,
        supports_value_formatting_options: true,
        supports_terminate_request: true,
        supports_restart_request: true,
        supports_goto_targets_request: true,
        supports_step_in_targets_request: true,
        supports_completions_request: true,
        supports_modules_request: true,
        supports_delayed_stack_trace_loading: true,
        supports_debugger_properties: true,
        exception_breakpoint_filters: vec![
            ExceptionBreakpointsFilter {
                filter: "raised",
                label: "Raised Exceptions",
                description: "Stop when an exception is raised, even if it is handled",
                default: false,
            },
            ExceptionBreakpointsFilter {
                filter: "uncaught",
                label: "Uncaught Exceptions",
                description: "Stop when an exception leaves the handler (Lambda would report it as a function error)",
                default: true,
            },
        ],
    }
}

fn parse_args<T: serde::de::DeserializeOwned + Default>(request: &Request) -> T {
    request.arguments.clone().and_then(|a| serde_json::from_value(a).ok()).unwrap_or_default()
}

async fn recv_opt<T>(rx: Option<&mut mpsc::UnboundedReceiver<T>>) -> Option<T> {
    match rx {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

async fn join_opt<T>(task: Option<&mut JoinHandle<T>>) -> Result<T, tokio::task::JoinError> {
    match task {
        Some(task) => task.await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_over_the_limit_is_dropped_with_one_notice_but_lambda_lines_pass() {
        let mut budget = OutputBudget::default();
        let line = |kind, len| OutputLine { kind, text: "x".repeat(len) };
        let big = OUTPUT_LIMIT / 2;
        assert_eq!(budget.admit(&line(OutputKind::Stdout, big - 1)), Admit::Send);
        assert_eq!(budget.admit(&line(OutputKind::Stderr, big - 1)), Admit::Send);
        assert_eq!(budget.admit(&line(OutputKind::Stdout, 10)), Admit::DropWithNotice);
        // Once output is being dropped, even a line that would fit is dropped: no gaps in the middle.
        assert_eq!(budget.admit(&line(OutputKind::Stdout, 0)), Admit::Drop);
        assert_eq!(budget.admit(&line(OutputKind::Runtime, 100)), Admit::Send);
        assert_eq!((budget.dropped_lines, budget.dropped_bytes), (2, 12));
    }

    #[test]
    fn uncaught_means_leaving_the_handler() {
        let got = translate_exception_filters(json!({"filters": ["uncaught"]}));
        assert_eq!(got, json!({"filters": ["uncaught", "userUnhandled"]}));
        let got = translate_exception_filters(json!({"filters": ["raised"]}));
        assert_eq!(got, json!({"filters": ["raised"]}));
        let got = translate_exception_filters(
            json!({"filters": [], "filterOptions": [{"filterId": "uncaught", "condition": "x"}]}),
        );
        assert_eq!(
            got,
            json!({"filters": [], "filterOptions": [{"filterId": "uncaught", "condition": "x"}, {"filterId": "userUnhandled", "condition": "x"}]})
        );
    }
}
