//! End-to-end tests of `samwise-dap invoke` and `generate-event`: the real binary runs real Python and
//! Node.js functions from `tests/fixtures/invoke/template.yaml` (and the example project against a local
//! moto server), as a user or an editor would.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;

fn fixtures() -> PathBuf {
    samwise_e2e::repo_root().join("tests/fixtures/invoke")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("samwise-e2e-invoke-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// `samwise-dap invoke --template <fixtures>/template.yaml --interpreter <venv python> ARGS`.
fn dap_invoke(args: &[&str]) -> Command {
    let mut cmd = Command::new(samwise_e2e::binary("samwise-dap"));
    cmd.arg("invoke").arg("--template").arg(fixtures().join("template.yaml"));
    cmd.args(args);
    cmd
}

fn run(mut cmd: Command, stdin: Option<&[u8]>) -> Output {
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("samwise-dap starts");
    let input = stdin.map(<[u8]>::to_vec);
    let mut pipe = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        if let Some(input) = input {
            // The binary may refuse a large event before reading it all; a broken pipe is then expected.
            let _ = pipe.write_all(&input);
        }
    });
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    output
}

fn python() -> String {
    samwise_e2e::venv_python().display().to_string()
}

fn stdout_json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!("stdout is not JSON ({e}):\n{}\nstderr:\n{}", String::from_utf8_lossy(&output.stdout), stderr(output))
    })
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat.rsplit(')').next().and_then(|s| s.split_whitespace().next()) != Some("Z"),
        Err(_) => false,
    }
}

/// Waits until a process is gone. The process table offers nothing to await, so this polls, briefly.
fn gone_soon(pid: u32) -> bool {
    for _ in 0..200 {
        if !alive(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}

fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit(')').next()?.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn success_with_globals_overrides_and_env_vars() {
    let env_vars = fixtures().join("env-vars.json");
    let mut cmd = dap_invoke(&["--function", "Echo", "--event", "-", "--parameter-overrides", "Stage=prod"]);
    cmd.arg("--env-vars").arg(&env_vars).args(["--interpreter", &python(), "--region", "eu-central-1"]);
    let output = run(cmd, Some(br#"{"order": 7}"#));
    assert!(output.status.success(), "{}", stderr(&output));
    let got = stdout_json(&output);
    assert_eq!(got["event"]["order"], 7);
    let env = &got["env"];
    assert_eq!(env["APP_STAGE"], "prod", "parameter override through a Globals Ref");
    assert_eq!(env["APP_GLOBAL"], "from-globals");
    assert_eq!(env["APP_TABLE"], "Table", "Ref to a resource is its logical id");
    assert_eq!(env["APP_TABLE_ARN"], "Table");
    assert_eq!(env["APP_URL"], "https://eu-central-1.example.com/prod");
    assert_eq!(env["APP_OVERRIDDEN"], "from-env-vars-function");
    assert_eq!(env["APP_UNDECLARED"], "set-anyway");
    assert_eq!(env["AWS_REGION"], "eu-central-1");
    assert_eq!(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "192", "MemorySize from Globals");
    assert_eq!(got["context"]["function_name"], "Echo");
    let remaining = got["context"]["remaining_ms"].as_u64().unwrap();
    assert!(remaining > 20_000 && remaining <= 30_000, "Timeout from Globals: {remaining}");

    let err = stderr(&output);
    assert!(err.contains("warning: env-vars: `APP_UNDECLARED`"), "{err}");
    let id = got["context"]["aws_request_id"].as_str().unwrap();
    assert!(err.contains(&format!("START RequestId: {id} Version: $LATEST\n")), "{err}");
    assert!(err.contains(&format!("END RequestId: {id}\n")), "{err}");
    assert!(err.contains(&format!("REPORT RequestId: {id}\tDuration: ")), "{err}");
    assert!(err.contains("\tMemory Size: 192 MB\tMax Memory Used: "), "{err}");
}

#[test]
fn function_error_exits_1_with_lambda_error_json() {
    let output = run(dap_invoke(&["-f", "Fail", "--interpreter", &python()]), None);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let got = stdout_json(&output);
    assert_eq!(got["errorType"], "ValueError");
    assert_eq!(got["errorMessage"], "boom: no reason");
    assert!(got["requestId"].is_string());
    assert!(stderr(&output).contains("[ERROR] ValueError: boom: no reason"), "{}", stderr(&output));

    let output = run(dap_invoke(&["-f", "NodeFail"]), None);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(stdout_json(&output)["errorType"], "TypeError");
}

#[test]
fn timeout_exits_1_and_ends_the_process_tree() {
    let pid_file = scratch("timeout.pid");
    let event = format!(r#"{{"pid_file": "{}", "then_sleep": true}}"#, pid_file.display());
    let started = std::time::Instant::now();
    let output = run(dap_invoke(&["-f", "Sleepy", "-e", "-", "--interpreter", &python()]), Some(event.as_bytes()));
    // The handler would sleep 60 s; ending well before that is the point (init may be slow on a busy machine).
    assert!(started.elapsed() < Duration::from_secs(20), "took {:?}", started.elapsed());
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let got = stdout_json(&output);
    assert_eq!(got["errorType"], "Sandbox.Timedout");
    assert!(stderr(&output).contains("Task timed out after 1.00 seconds"), "{}", stderr(&output));
    let child: u32 = std::fs::read_to_string(&pid_file).unwrap().trim().parse().unwrap();
    assert!(gone_soon(child), "the function's child {child} outlived the timeout");
}

#[test]
fn spawned_child_is_gone_after_success() {
    let pid_file = scratch("success.pid");
    let event = format!(r#"{{"pid_file": "{}"}}"#, pid_file.display());
    let output = run(dap_invoke(&["-f", "Spawner", "-e", "-", "--interpreter", &python()]), Some(event.as_bytes()));
    assert!(output.status.success(), "{}", stderr(&output));
    let child = stdout_json(&output)["child"].as_u64().unwrap() as u32;
    assert!(gone_soon(child), "the function's child {child} outlived the invocation");
}

#[test]
fn killing_samwise_takes_the_function_with_it() {
    let pid_file = scratch("parent-death.pid");
    let _ = std::fs::remove_file(&pid_file);
    let event_file = scratch("parent-death.json");
    std::fs::write(&event_file, format!(r#"{{"pid_file": "{}", "then_sleep": true}}"#, pid_file.display())).unwrap();
    let mut cmd = dap_invoke(&["-f", "Spawner", "--interpreter", &python()]);
    cmd.arg("--event").arg(&event_file).stdout(Stdio::null()).stderr(Stdio::piped());
    let mut samwise = cmd.spawn().unwrap();
    // START means the handler is running; it writes its child's pid to the file right away.
    let mut lines = BufReader::new(samwise.stderr.take().unwrap()).lines();
    let start = lines.by_ref().map_while(Result::ok).find(|l| l.starts_with("START "));
    assert!(start.is_some(), "no START line");
    let child = wait_for_pid_file(&pid_file);
    let runtime = parent_of(child).expect("the child has a parent (the function's interpreter)");
    samwise.kill().unwrap(); // SIGKILL: no cleanup code of ours runs.
    samwise.wait().unwrap();
    assert!(gone_soon(runtime), "the function's interpreter {runtime} outlived samwise-dap");
    assert!(gone_soon(child), "the function's child {child} outlived samwise-dap");
}

#[test]
fn ctrl_c_ends_the_function_and_exits_130() {
    let pid_file = scratch("ctrl-c.pid");
    let _ = std::fs::remove_file(&pid_file);
    let event_file = scratch("ctrl-c.json");
    std::fs::write(&event_file, format!(r#"{{"pid_file": "{}", "then_sleep": true}}"#, pid_file.display())).unwrap();
    let mut cmd = dap_invoke(&["-f", "Spawner", "--interpreter", &python()]);
    cmd.arg("--event").arg(&event_file).stdout(Stdio::null()).stderr(Stdio::piped());
    let mut samwise = cmd.spawn().unwrap();
    let mut lines = BufReader::new(samwise.stderr.take().unwrap()).lines();
    assert!(lines.by_ref().map_while(Result::ok).any(|l| l.starts_with("START ")), "no START line");
    let child = wait_for_pid_file(&pid_file);
    let runtime = parent_of(child).expect("the function's interpreter");
    // What a terminal does on Ctrl-C (to our process group; the function has its own).
    let status = Command::new("kill").args(["-INT", &samwise.id().to_string()]).status().unwrap();
    assert!(status.success());
    assert_eq!(samwise.wait().unwrap().code(), Some(130));
    assert!(gone_soon(runtime), "the function's interpreter {runtime} outlived Ctrl-C");
    assert!(gone_soon(child), "the function's child {child} outlived Ctrl-C");
}

/// The pid a handler wrote to `path`; polls because a file's appearance cannot be awaited portably.
fn wait_for_pid_file(path: &std::path::Path) -> u32 {
    for _ in 0..300 {
        if let Some(pid) = std::fs::read_to_string(path).ok().and_then(|s| s.trim().parse().ok()) {
            return pid;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("the handler did not write {}", path.display());
}

#[test]
fn payload_limits() {
    // A response over 6 MB is Lambda's Function.ResponseSizeTooLarge.
    let output = run(dap_invoke(&["-f", "Big", "-e", "-", "--interpreter", &python()]), Some(br#"{"size": 6500000}"#));
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(stdout_json(&output)["errorType"], "Function.ResponseSizeTooLarge");

    // An event over 6 MB is refused before anything runs.
    let event = format!(r#"{{"data": "{}"}}"#, "a".repeat(6_300_000));
    let output = run(dap_invoke(&["-f", "Size", "-e", "-", "--interpreter", &python()]), Some(event.as_bytes()));
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(stdout_json(&output)["errorType"], "RequestEntityTooLargeException");

    // Just under the limit both ways works.
    let event = format!(r#"{{"data": "{}"}}"#, "a".repeat(6_000_000));
    let output = run(dap_invoke(&["-f", "Size", "-e", "-", "--interpreter", &python()]), Some(event.as_bytes()));
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout_json(&output), Value::from(event.len()));
}

#[test]
fn heavy_output_is_streamed_completely() {
    let output =
        run(dap_invoke(&["-f", "Chatty", "-e", "-", "--interpreter", &python()]), Some(br#"{"lines": 50000}"#));
    assert!(output.status.success(), "{}", stderr(&output));
    let err = stderr(&output);
    let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("line ")).collect();
    assert_eq!(lines.len(), 50000);
    assert!(lines[49999].starts_with("line 49999 "));
    assert_eq!(err.lines().filter(|l| l.starts_with("err ")).count(), 25000);
    assert!(err.lines().last().unwrap().starts_with("REPORT "), "REPORT comes after all output");
}

#[test]
fn layers_for_python_and_node() {
    let output = run(dap_invoke(&["-f", "Layered", "-e", "-", "--interpreter", &python()]), Some(br#"{"name": "py"}"#));
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout_json(&output), Value::from("hello py from the layer"));

    let output = run(dap_invoke(&["-f", "NodeLayered", "-e", "-"]), Some(br#"{"name": "js"}"#));
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout_json(&output), Value::from("hello js from the layer"));

    let output = run(dap_invoke(&["-f", "NodeEcho", "-e", "-", "--parameter-overrides", "Stage=qa"]), Some(b"{}"));
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout_json(&output)["env"]["APP_STAGE"], "qa");
}

#[test]
fn usage_errors_exit_2() {
    let output = run(dap_invoke(&["-f", "Nope"]), None);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("no function `Nope`"), "{err}");
    assert!(err.contains("  Echo (python3.12, functions.echo)"), "the template's functions are listed: {err}");

    let output = run(dap_invoke(&[]), None);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("several functions"), "{}", stderr(&output));

    let output = run(dap_invoke(&["-f", "Echo", "--parameter-overrides", "oops"]), None);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("`oops`: expected Name=Value"), "{}", stderr(&output));

    let output = run(dap_invoke(&["-f", "Echo", "--interpreter", "/no/such/python"]), None);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("/no/such/python"), "{}", stderr(&output));

    let bin = samwise_e2e::binary("samwise-dap");
    let output = Command::new(&bin).arg("--version").output().unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), format!("samwise-dap {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn generate_event_prints_samples() {
    let bin = samwise_e2e::binary("samwise-dap");
    for (service, event, needle) in [
        ("apigateway", "aws-proxy", "\"httpMethod\""),
        ("apigateway", "http-api-proxy", "\"routeKey\""),
        ("s3", "put", "ObjectCreated:Put"),
        ("sqs", "receive-message", "aws:sqs"),
        ("sns", "notification", "aws:sns"),
        ("eventbridge", "event", "\"detail-type\""),
        ("dynamodb", "update", "aws:dynamodb"),
        ("cloudwatch", "scheduled-event", "Scheduled Event"),
    ] {
        let output = Command::new(&bin).args(["generate-event", service, event]).output().unwrap();
        assert!(output.status.success(), "{service} {event}");
        let text = String::from_utf8(output.stdout).unwrap();
        assert!(text.contains(needle), "{service} {event}");
        serde_json::from_str::<Value>(&text).unwrap();
    }
    let output = Command::new(&bin).args(["generate-event", "s3", "nope"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("s3 put"), "available events are listed");
}

use samwise_e2e::moto::{Moto, SECRET_ACCESS_KEY as SECRET};

#[test]
fn example_function_reads_parameter_store_and_s3_from_moto() {
    let moto = Moto::start();
    moto.seed_example("Howdy");

    let example = samwise_e2e::repo_root().join("examples/parameter-store");
    let mut cmd = Command::new(samwise_e2e::binary("samwise-dap"));
    cmd.current_dir(&example).args(["invoke", "--event", "events/event.json", "--env-vars", "env.json"]);
    cmd.args(["--interpreter", &python()]);
    moto.env(&mut cmd);
    let output = run(cmd, None);
    assert!(output.status.success(), "{}", stderr(&output));
    let got = stdout_json(&output);
    assert_eq!(got["statusCode"], 200);
    let body: Value = serde_json::from_str(got["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["prefix"], "Howdy", "the function read the parameter");
    assert_eq!(body["message"], "Howdy, Ada!", "and the S3 object");
    let err = stderr(&output);
    assert!(err.contains("greeted Ada"), "{err}");
    assert!(
        err.contains("[DEBUG]") && err.contains("greeting prefix from parameter-store-example-greeting: Howdy"),
        "LOG_LEVEL from env.json: {err}"
    );
    assert!(
        !err.contains(SECRET) && !String::from_utf8_lossy(&output.stdout).contains(SECRET),
        "credentials are never printed"
    );
    drop(moto);
}
