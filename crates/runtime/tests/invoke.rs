//! Library-level tests of local invocation: real Python, Node.js and custom-runtime functions from
//! `tests/fixtures/invoke/`, run through the emulator, with their output, results and process cleanup.

use std::path::{Path, PathBuf};
use std::time::Duration;

use samwise_runtime::{FunctionConfig, InvokeResult, LaunchOptions, Outcome, OutputKind, OutputLine, invoke, start};
use serde_json::{Value, json};
use tokio::sync::mpsc;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/invoke").canonicalize().unwrap()
}

fn python(handler: &str) -> FunctionConfig {
    let mut config =
        FunctionConfig::new("PyFn", fixtures().join("python"), &format!("functions.{handler}"), "python3.12");
    config.interpreter = std::env::var_os("SAMWISE_TEST_PYTHON").map(PathBuf::from);
    config.timeout = RELAXED;
    config
}

fn node(dir: &str, handler: &str) -> FunctionConfig {
    let mut config = FunctionConfig::new("NodeFn", fixtures().join(dir), handler, "nodejs20.x");
    config.timeout = RELAXED;
    config
}

/// The timeout of tests that are not about timeouts: far above what any fixture needs, so that a busy
/// test machine does not turn them into timeout tests.
const RELAXED: Duration = Duration::from_secs(30);

fn cache_dir() -> PathBuf {
    std::env::temp_dir().join(format!("samwise-runtime-tests-{}", std::process::id()))
}

/// Runs one invocation and collects its output lines.
async fn run(config: FunctionConfig, event: Value) -> (Outcome, Vec<OutputLine>) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let options = LaunchOptions { output: Some(tx), cache_dir: Some(cache_dir()), ..LaunchOptions::default() };
    let outcome = invoke(config, serde_json::to_vec(&event).unwrap(), options).await.unwrap();
    let mut lines = Vec::new();
    while let Ok(line) = rx.try_recv() {
        lines.push(line);
    }
    (outcome, lines)
}

fn json_of(result: &InvokeResult) -> Value {
    serde_json::from_slice(result.payload().expect("a payload")).unwrap()
}

fn runtime_lines(lines: &[OutputLine]) -> Vec<&str> {
    lines.iter().filter(|l| l.kind == OutputKind::Runtime).map(|l| l.text.as_str()).collect()
}

/// Whether a process exists and is not a zombie (a SIGKILLed orphan is reaped asynchronously by init).
fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat.rsplit(')').next().and_then(|s| s.split_whitespace().next()) != Some("Z"),
        Err(_) => false,
    }
}

/// Waits until a process is gone. The process table offers nothing to await, so this polls, briefly.
fn gone_soon(pid: u32) -> bool {
    for _ in 0..100 {
        if !alive(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}

#[tokio::test]
async fn python_success_with_context_and_environment() {
    let mut config = python("echo");
    config.env.insert("APP_STAGE".into(), "test".into());
    config.memory_mb = 256;
    config.region = "eu-west-1".into();
    let (outcome, lines) = run(config, json!({"hello": "world"})).await;
    assert!(outcome.result.is_success(), "{:?}\n{lines:?}", outcome.result);
    let got = json_of(&outcome.result);
    assert_eq!(got["event"], json!({"hello": "world"}));
    let ctx = &got["context"];
    assert_eq!(ctx["function_name"], "PyFn");
    assert_eq!(ctx["function_version"], "$LATEST");
    assert_eq!(ctx["invoked_function_arn"], "arn:aws:lambda:eu-west-1:123456789012:function:PyFn");
    assert_eq!(ctx["memory_limit_in_mb"], "256");
    assert_eq!(ctx["aws_request_id"], outcome.request_id.as_str());
    assert_eq!(ctx["log_group_name"], "/aws/lambda/PyFn");
    let remaining = ctx["remaining_ms"].as_u64().unwrap();
    assert!(remaining > 20_000 && remaining <= 30_000, "{remaining}");
    let env = &got["env"];
    assert_eq!(env["APP_STAGE"], "test");
    assert_eq!(env["AWS_REGION"], "eu-west-1");
    assert_eq!(env["_HANDLER"], "functions.echo");
    assert_eq!(env["AWS_EXECUTION_ENV"], "AWS_Lambda_python3.12");
    assert_eq!(env["AWS_SAM_LOCAL"], "true");
    assert_eq!(env["TZ"], ":UTC");
    assert_eq!(env["LAMBDA_TASK_ROOT"], fixtures().join("python").display().to_string());

    let rt = runtime_lines(&lines);
    assert_eq!(rt.len(), 3, "{rt:?}");
    assert_eq!(rt[0], format!("START RequestId: {} Version: $LATEST", outcome.request_id));
    assert_eq!(rt[1], format!("END RequestId: {}", outcome.request_id));
    assert!(rt[2].starts_with(&format!("REPORT RequestId: {}\tDuration: ", outcome.request_id)), "{}", rt[2]);
    assert!(rt[2].contains("\tMemory Size: 256 MB\tMax Memory Used: "), "{}", rt[2]);
    assert!(rt[2].contains("\tInit Duration: "), "{}", rt[2]);
    assert_eq!(lines.last().unwrap().kind, OutputKind::Runtime);
    let mem = outcome.report.max_memory_used_mb.unwrap();
    assert!((5..256).contains(&mem), "python uses some memory: {mem} MB");
    assert!(outcome.report.billed_ms >= 1);
}

#[tokio::test]
async fn python_error_in_lambda_format() {
    let (outcome, lines) = run(python("fail"), json!({"why": "testing"})).await;
    let InvokeResult::FunctionError { error_type, .. } = &outcome.result else { panic!("{:?}", outcome.result) };
    assert_eq!(error_type.as_deref(), Some("ValueError"));
    let err = json_of(&outcome.result);
    assert_eq!(err["errorMessage"], "boom: testing");
    assert_eq!(err["errorType"], "ValueError");
    assert_eq!(err["requestId"], outcome.request_id.as_str());
    let trace = err["stackTrace"].as_array().unwrap();
    assert!(trace.iter().any(|f| f.as_str().unwrap().contains("functions.py")), "{trace:?}");
    // The root logger has Lambda's handler and format: level, timestamp, request id, message.
    let logged = format!("\t{}\tabout to fail", outcome.request_id);
    assert!(
        lines
            .iter()
            .any(|l| l.kind == OutputKind::Stdout && l.text.starts_with("[WARNING]\t") && l.text.ends_with(&logged)),
        "{lines:?}"
    );
    assert!(lines.iter().any(|l| l.kind == OutputKind::Stderr && l.text == "[ERROR] ValueError: boom: testing"));
}

#[tokio::test]
async fn python_import_error_is_an_init_error() {
    let mut config = python("x");
    config.handler = "broken_import.handler".into();
    let (outcome, _) = run(config, json!({})).await;
    let InvokeResult::InitError { error_type, .. } = &outcome.result else { panic!("{:?}", outcome.result) };
    assert_eq!(error_type.as_deref(), Some("Runtime.ImportModuleError"));
    let err = json_of(&outcome.result);
    assert!(err["errorMessage"].as_str().unwrap().contains("module_that_does_not_exist"), "{err}");

    let (outcome, _) = run(python("no_such_handler"), json!({})).await;
    assert_eq!(json_of(&outcome.result)["errorType"], "Runtime.HandlerNotFound");
}

#[tokio::test]
async fn python_unserializable_result() {
    let (outcome, _) = run(python("unserializable"), json!({})).await;
    assert_eq!(json_of(&outcome.result)["errorType"], "Runtime.MarshalError");
}

#[tokio::test]
async fn python_process_exit_is_reported() {
    let (outcome, lines) = run(python("exit_hard"), json!({})).await;
    let InvokeResult::Crashed { .. } = &outcome.result else { panic!("{:?}", outcome.result) };
    let err = json_of(&outcome.result);
    assert_eq!(err["errorType"], "Runtime.ExitError");
    assert!(err["errorMessage"].as_str().unwrap().ends_with("Runtime exited with error: exit status 3"), "{err}");
    assert!(lines.iter().any(|l| l.text == "exiting without answering"));
}

#[tokio::test]
async fn timeout_kills_the_process_tree() {
    let pid_file = cache_dir().join("timeout-child.pid");
    std::fs::create_dir_all(cache_dir()).unwrap();
    let mut config = python("spawn");
    config.timeout = Duration::from_millis(1000);
    let started = std::time::Instant::now();
    let (outcome, lines) = run(config, json!({"pid_file": pid_file, "then_sleep": true})).await;
    // The handler would sleep 60 s; ending well before that is the point (init may be slow on a busy machine).
    assert!(started.elapsed() < Duration::from_secs(20), "{:?}", started.elapsed());
    let InvokeResult::Timeout { .. } = &outcome.result else { panic!("{:?}", outcome.result) };
    let err = json_of(&outcome.result);
    assert_eq!(err["errorType"], "Sandbox.Timedout");
    assert!(err["errorMessage"].as_str().unwrap().ends_with("Task timed out after 1.00 seconds"), "{err}");
    let rt = runtime_lines(&lines);
    assert!(
        rt.iter().any(|l| l.ends_with(&format!("{} Task timed out after 1.00 seconds", outcome.request_id))),
        "{rt:?}"
    );
    assert!(rt.last().unwrap().ends_with("\tStatus: timeout"), "{rt:?}");
    let child: u32 = std::fs::read_to_string(&pid_file).unwrap().parse().unwrap();
    assert!(gone_soon(child), "the function's child process {child} survived the timeout");
}

#[tokio::test]
async fn child_processes_are_ended_after_success() {
    let pid_file = cache_dir().join("success-child.pid");
    std::fs::create_dir_all(cache_dir()).unwrap();
    let (outcome, _) = run(python("spawn"), json!({"pid_file": pid_file})).await;
    assert!(outcome.result.is_success(), "{:?}", outcome.result);
    let child = json_of(&outcome.result)["child"].as_u64().unwrap() as u32;
    assert!(gone_soon(child), "the function's child process {child} survived the invocation");
}

#[tokio::test]
async fn paused_timeout_does_not_expire() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut config = python("sleep");
    // The handler sleeps past the timeout; the pause comes well within it, even on a busy machine.
    config.timeout = Duration::from_millis(2000);
    let options = LaunchOptions { output: Some(tx), cache_dir: Some(cache_dir()), ..LaunchOptions::default() };
    let running = start(config, br#"{"seconds": 3.0}"#.to_vec(), options).await.unwrap();
    let handle = running.handle();
    let waiter = tokio::spawn(running.wait());
    // Pause as soon as the handler runs (it prints first), as a debugger stopping at a breakpoint would.
    while let Some(line) = rx.recv().await {
        if line.text == "sleeping" {
            handle.pause();
            break;
        }
    }
    assert!(handle.is_paused());
    let outcome = waiter.await.unwrap();
    assert!(outcome.result.is_success(), "a paused timeout must not fire: {:?}", outcome.result);
    assert!(handle.remaining() > Duration::ZERO);
    handle.resume();
    assert!(!handle.is_paused());
}

#[tokio::test]
async fn cancel_ends_the_invocation() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let options = LaunchOptions { output: Some(tx), cache_dir: Some(cache_dir()), ..LaunchOptions::default() };
    let running = start(python("sleep"), b"{}".to_vec(), options).await.unwrap();
    let pid = running.pid().unwrap();
    let handle = running.handle();
    let waiter = tokio::spawn(running.wait());
    while let Some(line) = rx.recv().await {
        if line.text == "sleeping" {
            handle.cancel();
            break;
        }
    }
    let outcome = waiter.await.unwrap();
    assert_eq!(outcome.result, InvokeResult::Cancelled);
    assert!(gone_soon(pid));
}

#[tokio::test]
async fn dropping_a_running_invocation_kills_it() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let options = LaunchOptions { output: Some(tx), cache_dir: Some(cache_dir()), ..LaunchOptions::default() };
    let running = start(python("sleep"), b"{}".to_vec(), options).await.unwrap();
    let pid = running.pid().unwrap();
    let handle = running.handle();
    let waiter = tokio::spawn(running.wait());
    while let Some(line) = rx.recv().await {
        if line.text == "sleeping" {
            break;
        }
    }
    waiter.abort();
    assert!(waiter.await.unwrap_err().is_cancelled());
    drop(handle);
    assert!(gone_soon(pid), "an aborted invocation left its process {pid} running");
}

#[tokio::test]
async fn payload_limits_both_ways() {
    // Just under 6 MB each way is fine.
    let (outcome, _) = run(python("big"), json!({"size": 6 * 1024 * 1024 - 100})).await;
    assert!(outcome.result.is_success(), "{:?}", outcome.result.payload().map(|p| p.len()));
    assert_eq!(outcome.result.payload().unwrap().len(), 6 * 1024 * 1024 - 98);
    let (outcome, _) = run(python("size"), json!({"data": "z".repeat(6 * 1024 * 1024 - 100)})).await;
    assert!(outcome.result.is_success(), "{:?}", outcome.result);

    let (outcome, _) = run(python("big"), json!({"size": 7 * 1024 * 1024})).await;
    let err = json_of(&outcome.result);
    assert_eq!(err["errorType"], "Function.ResponseSizeTooLarge", "{err}");

    let event = serde_json::to_vec(&json!({"data": "z".repeat(6 * 1024 * 1024)})).unwrap();
    let err = start(python("size"), event, LaunchOptions::default()).await.err().unwrap();
    assert!(err.to_string().contains("larger than 6291456 bytes"), "{err}");
}

#[tokio::test]
async fn heavy_output_arrives_complete_and_in_order() {
    // A generous timeout: this is about completeness and order, not speed (the test machine may be busy).
    let mut config = python("chatty");
    config.timeout = Duration::from_secs(60);
    let (outcome, lines) = run(config, json!({"lines": 20000})).await;
    assert!(outcome.result.is_success(), "{:?}", outcome.result);
    let stdout: Vec<&OutputLine> = lines.iter().filter(|l| l.kind == OutputKind::Stdout).collect();
    assert_eq!(stdout.len(), 20000);
    for (i, line) in stdout.iter().enumerate() {
        assert!(line.text.starts_with(&format!("line {i} ")), "{i}: {}", line.text);
    }
    assert_eq!(lines.iter().filter(|l| l.kind == OutputKind::Stderr).count(), 10000);
    assert!(lines.last().unwrap().text.starts_with("REPORT "));
}

#[tokio::test]
async fn python_layers_are_importable() {
    let mut config = python("uses_layer");
    config.layers.push(fixtures().join("layer"));
    let (outcome, _) = run(config, json!({"name": "py"})).await;
    assert_eq!(json_of(&outcome.result), json!("hello py from the layer"));
}

#[tokio::test]
async fn node_async_callback_esm_error_and_layers() {
    let mut config = node("node", "app.echo");
    config.env.insert("APP_STAGE".into(), "n".into());
    let (outcome, lines) = run(config, json!({"k": 1})).await;
    assert!(outcome.result.is_success(), "{:?} {lines:?}", outcome.result);
    let got = json_of(&outcome.result);
    assert_eq!(got["event"], json!({"k": 1}));
    assert_eq!(got["functionName"], "NodeFn");
    assert_eq!(got["memoryLimitInMB"], "128");
    assert_eq!(got["awsRequestId"], outcome.request_id.as_str());
    assert_eq!(got["env"]["APP_STAGE"], "n");
    assert!(got["remainingMs"].as_u64().unwrap() > 20_000);

    let (outcome, lines) = run(node("node", "app.callback"), json!({"a": 2, "b": 3})).await;
    assert_eq!(json_of(&outcome.result), json!({"sum": 5}));
    assert!(lines.iter().any(|l| l.kind == OutputKind::Stdout && l.text == "callback style"));

    let (outcome, _) = run(node("node/esm", "app.handler"), json!("e")).await;
    assert_eq!(json_of(&outcome.result), json!({"esm": true, "got": "e"}));

    let (outcome, _) = run(node("node", "app.fail"), json!({})).await;
    let err = json_of(&outcome.result);
    assert_eq!(err["errorType"], "TypeError");
    assert_eq!(err["errorMessage"], "node boom");
    assert_eq!(err["requestId"], outcome.request_id.as_str());

    let mut config = node("node", "app.usesLayer");
    config.layers.push(fixtures().join("layer"));
    let (outcome, _) = run(config, json!({"name": "js"})).await;
    assert_eq!(json_of(&outcome.result), json!("hello js from the layer"));

    let (outcome, _) = run(node("node", "app.missing"), json!({})).await;
    assert_eq!(json_of(&outcome.result)["errorType"], "Runtime.HandlerNotFound");
}

#[tokio::test]
async fn node_timeout() {
    let mut config = node("node", "app.sleep");
    config.timeout = Duration::from_millis(700);
    let (outcome, _) = run(config, json!({})).await;
    assert!(json_of(&outcome.result)["errorMessage"].as_str().unwrap().ends_with("Task timed out after 0.70 seconds"));
}

#[tokio::test]
async fn custom_runtime_bootstrap() {
    let mut config = FunctionConfig::new("Custom", fixtures().join("provided"), "my.handler", "provided.al2023");
    config.timeout = RELAXED;
    let (outcome, _) = run(config, json!([1, 2])).await;
    assert_eq!(json_of(&outcome.result), json!({"custom": true, "handler": "my.handler", "echo": [1, 2]}));

    let config = FunctionConfig::new("Custom", fixtures().join("python"), "x", "provided.al2");
    let err = start(config, b"{}".to_vec(), LaunchOptions::default()).await.err().unwrap();
    assert!(err.to_string().contains("bootstrap"), "{err}");
}

#[tokio::test]
async fn start_errors_name_what_is_wrong() {
    let config = FunctionConfig::new("J", fixtures(), "x", "java21");
    let err = start(config, b"{}".to_vec(), LaunchOptions::default()).await.err().unwrap();
    assert!(err.to_string().contains("`java21`"), "{err}");

    let mut config = python("echo");
    config.interpreter = Some("/no/such/python".into());
    let err = start(config, b"{}".to_vec(), LaunchOptions::default()).await.err().unwrap();
    assert!(err.to_string().contains("/no/such/python") && err.to_string().contains("not found"), "{err}");

    let config = FunctionConfig::new("P", fixtures().join("nope"), "a.b", "python3.12");
    let err = start(config, b"{}".to_vec(), LaunchOptions::default()).await.err().unwrap();
    assert!(err.to_string().contains("CodeUri"), "{err}");
}

#[tokio::test]
async fn interpreter_args_go_before_the_client_script() {
    // `-X dev` stands in for `-m debugpy --listen ...`: an argument the interpreter must see.
    let (tx, _rx) = mpsc::unbounded_channel();
    let mut config = python("echo");
    config.env.insert("APP_X".into(), "1".into());
    let options = LaunchOptions {
        interpreter_args: vec!["-X".into(), "dev".into()],
        extra_env: [("APP_EXTRA".to_owned(), "e".to_owned())].into(),
        output: Some(tx),
        cache_dir: Some(cache_dir()),
        ..LaunchOptions::default()
    };
    let outcome = invoke(config, b"{}".to_vec(), options).await.unwrap();
    let got = json_of(&outcome.result);
    assert_eq!(got["env"]["APP_EXTRA"], "e");
    assert_eq!(got["dev_mode"], true);
}

#[tokio::test]
async fn runs_under_debugpy() {
    // What the debug adapter does: the interpreter runs debugpy, which runs the client script. Without
    // --wait-for-client the function runs to the end with the debugger attached to nothing.
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python");
    assert!(venv.exists(), "{} is missing: run scripts/test-env.sh (it installs debugpy)", venv.display());
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut config = python("echo");
    config.interpreter = Some(venv);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let options = LaunchOptions {
        interpreter_args: ["-m", "debugpy", "--listen", &format!("127.0.0.1:{port}")].map(Into::into).to_vec(),
        output: Some(tx),
        cache_dir: Some(cache_dir()),
        ..LaunchOptions::default()
    };
    let outcome = invoke(config, br#"{"debugged": true}"#.to_vec(), options).await.unwrap();
    let mut lines = Vec::new();
    while let Ok(line) = rx.try_recv() {
        lines.push(line);
    }
    assert!(outcome.result.is_success(), "{:?}\n{lines:?}", outcome.result);
    assert_eq!(json_of(&outcome.result)["event"], json!({"debugged": true}));
}
