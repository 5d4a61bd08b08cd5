//! End-to-end tests of the debug adapter (`samwise-dap` in DAP mode) with a real DAP client over stdio:
//! the example project's Python function under debugpy (breakpoint from a marker comment, locals with
//! the event and the context, step, evaluate, setVariable, the result), and the failure cases (bad
//! configuration, missing handler, missing debugpy, a crashing or timing-out function, an editor that
//! disconnects or vanishes mid-session) with the process table checked afterwards.

use std::path::PathBuf;
use std::process::Command;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use samwise_e2e::dap_client::{DapClient, Moto, descendants, gone_soon, marker_line, processes_mentioning};
use serde_json::{Value, json};

fn example() -> PathBuf {
    samwise_e2e::repo_root().join("examples/parameter-store")
}

fn app_py() -> PathBuf {
    example().join("src/app.py").canonicalize().unwrap()
}

fn fixtures() -> PathBuf {
    samwise_e2e::repo_root().join("tests/fixtures/invoke")
}

fn python() -> String {
    samwise_e2e::venv_python().display().to_string()
}

/// One debug session at a time: each runs two Python processes and a debugger, and on a small machine
/// parallel sessions only slow each other down past the client's timeouts. An editor runs one, too.
fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

fn adapter(moto: Option<&Moto>) -> DapClient {
    DapClient::start(&samwise_e2e::binary("samwise-dap"), |cmd| {
        if let Some(moto) = moto {
            moto.env(cmd);
        }
    })
}

fn initialize(client: &mut DapClient) -> Value {
    client.ok("initialize", json!({"clientID": "samwise-e2e", "adapterID": "samwise", "linesStartAt1": true, "columnsStartAt1": true, "pathFormat": "path"}))
}

/// The example's function from its template, with the event file and the test venv's Python.
fn example_config() -> Value {
    json!({
        "type": "samwise",
        "request": "launch",
        "name": "GreetingFunction",
        "invokeTarget": {"target": "template", "templatePath": "template.yaml", "logicalId": "GreetingFunction"},
        "lambda": {"payload": {"path": "events/event.json"}},
        "pythonPath": python(),
        "cwd": example(),
    })
}

/// initialize, launch, breakpoints at `lines` of app.py, configurationDone; returns the launch response.
fn launch_with_breakpoints(client: &mut DapClient, config: Value, lines: &[i64]) -> Value {
    initialize(client);
    let launch = client.send("launch", config);
    client.event("initialized");
    let breakpoints: Vec<Value> = lines.iter().map(|l| json!({"line": l})).collect();
    let body = client.ok("setBreakpoints", json!({"source": {"path": app_py()}, "breakpoints": breakpoints}));
    for bp in body["breakpoints"].as_array().unwrap() {
        assert_eq!(bp["verified"], true, "{bp}");
    }
    client.ok("setExceptionBreakpoints", json!({"filters": []}));
    client.ok("configurationDone", json!({}));
    client.response(launch)
}

fn top_frame(client: &mut DapClient, thread: &Value) -> Value {
    let body = client.ok("stackTrace", json!({"threadId": thread, "startFrame": 0, "levels": 20}));
    body["stackFrames"][0].clone()
}

/// The variables of the frame's first scope (Locals), by name.
fn locals(client: &mut DapClient, frame: &Value) -> serde_json::Map<String, Value> {
    let scopes = client.ok("scopes", json!({"frameId": frame["id"]}));
    let reference = scopes["scopes"][0]["variablesReference"].clone();
    variables(client, &reference)
}

fn variables(client: &mut DapClient, reference: &Value) -> serde_json::Map<String, Value> {
    let body = client.ok("variables", json!({"variablesReference": reference}));
    body["variables"].as_array().unwrap().iter().map(|v| (v["name"].as_str().unwrap().to_owned(), v.clone())).collect()
}

/// Every process the adapter started, while it runs: the debugpy adapter, the function's interpreter, ...
fn adapter_tree(client: &DapClient) -> Vec<u32> {
    descendants(client.pid())
}

fn assert_all_gone(pids: &[u32]) {
    let left = gone_soon(pids);
    assert!(left.is_empty(), "processes left behind: {left:?} of {pids:?}");
}

#[test]
fn breakpoint_locals_step_evaluate_set_variable_and_result() {
    let _serial = serial();
    let moto = Moto::start();
    moto.seed_example("Howdy");
    let entry = marker_line(&app_py(), "# BP: entry");
    let mut client = adapter(Some(&moto));
    let launch = launch_with_breakpoints(&mut client, example_config(), &[entry]);
    assert_eq!(launch["success"], true, "{launch}");

    let stopped = client.event("stopped");
    assert_eq!(stopped["body"]["reason"], "breakpoint", "{stopped}");
    let thread = stopped["body"]["threadId"].clone();
    let frame = top_frame(&mut client, &thread);
    assert_eq!(frame["name"], "lambda_handler");
    assert_eq!(frame["line"], entry);
    assert_eq!(PathBuf::from(frame["source"]["path"].as_str().unwrap()).canonicalize().unwrap(), app_py());
    let pids = adapter_tree(&client);
    assert!(pids.len() >= 2, "the debugpy adapter and the function's interpreter run: {pids:?}");

    // Locals: the event and the context.
    let vars = locals(&mut client, &frame);
    assert_eq!(vars["event"]["value"], "{'name': 'Ada'}", "{:?}", vars["event"]);
    let context = variables(&mut client, &vars["context"]["variablesReference"]);
    assert_eq!(context["function_name"]["value"], "'GreetingFunction'");
    assert_eq!(context["memory_limit_in_mb"]["value"], "'128'");
    assert!(context["aws_request_id"]["value"].as_str().unwrap().len() > 30, "{:?}", context["aws_request_id"]);

    let evaluated =
        client.ok("evaluate", json!({"expression": "event['name'] * 2", "frameId": frame["id"], "context": "repl"}));
    assert_eq!(evaluated["result"], "'AdaAda'");

    // Step over the line: `name` now exists; change it and see the change in the result.
    client.ok("next", json!({"threadId": thread}));
    let stopped = client.event("stopped");
    assert_eq!(stopped["body"]["reason"], "step");
    let frame = top_frame(&mut client, &thread);
    let next_line = marker_line(&app_py(), "parameter = ssm.get_parameter(");
    assert_eq!(frame["line"], next_line, "stepped to the next line");
    let scopes = client.ok("scopes", json!({"frameId": frame["id"]}));
    let reference = scopes["scopes"][0]["variablesReference"].clone();
    assert_eq!(variables(&mut client, &reference)["name"]["value"], "'Ada'");
    let set = client.ok("setVariable", json!({"variablesReference": reference, "name": "name", "value": "'Grace'"}));
    assert_eq!(set["value"], "'Grace'");

    client.ok("continue", json!({"threadId": thread}));
    let exited = client.event("exited");
    client.event("terminated");
    assert_eq!(exited["body"]["exitCode"], 0, "{}", client.output());
    let output = client.output();
    assert!(output.contains("Howdy, Grace!"), "the result reflects setVariable: {output}");
    assert!(output.contains("Response: {\"statusCode\": 200"), "{output}");
    assert!(output.contains("greeted Grace (request "), "the function's own output: {output}");
    for line in ["START RequestId: ", "END RequestId: ", "REPORT RequestId: "] {
        assert!(output.contains(line), "{line} in {output}");
    }
    assert!(output.find("REPORT RequestId").unwrap() < output.find("Response: ").unwrap(), "result last: {output}");

    client.ok("disconnect", json!({}));
    assert!(client.wait_exit().is_some_and(|s| s.success()), "the adapter exits after disconnect");
    assert_all_gone(&pids);
}

#[test]
fn timeout_is_suspended_while_stopped_and_uncaught_exceptions_stop() {
    let _serial = serial();
    let moto = Moto::start();
    moto.seed_example("Hi");
    let entry = marker_line(&app_py(), "# BP: entry");
    let mut config = example_config();
    config["lambda"]["timeoutSec"] = json!(2);
    // No object in this bucket: the handler raises, which must stop as an uncaught exception.
    config["lambda"]["environmentVariables"] = json!({"OBJECT_KEY": "missing.txt"});
    let mut client = adapter(Some(&moto));
    initialize(&mut client);
    let launch = client.send("launch", config);
    client.event("initialized");
    client.ok("setBreakpoints", json!({"source": {"path": app_py()}, "breakpoints": [{"line": entry}]}));
    client.ok("setExceptionBreakpoints", json!({"filters": ["uncaught"]}));
    client.ok("configurationDone", json!({}));
    assert_eq!(client.response(launch)["success"], true);
    let stopped = client.event("stopped");
    let thread = stopped["body"]["threadId"].clone();
    // Stopped for longer than the function's timeout; the deliberate wait is the point of the test.
    let stopped_at = Instant::now();
    std::thread::sleep(Duration::from_millis(2500));
    assert!(stopped_at.elapsed() > Duration::from_secs(2));
    client.ok("continue", json!({"threadId": thread}));

    let stopped = client.event("stopped");
    assert_eq!(stopped["body"]["reason"], "exception", "{stopped}");
    let frame = top_frame(&mut client, &thread);
    let name = frame["name"].as_str().unwrap();
    assert!(name.starts_with("lambda_handler"), "stops in the user's handler, not in the runtime client: {name}");
    let info = client.ok("exceptionInfo", json!({"threadId": thread}));
    assert!(info["exceptionId"].as_str().unwrap().contains("NoSuchKey"), "{info}");
    client.ok("continue", json!({"threadId": thread}));
    let exited = client.event("exited");
    client.event("terminated");
    let output = client.output();
    assert_eq!(exited["body"]["exitCode"], 1);
    assert!(output.contains("Function error: ") && output.contains("NoSuchKey"), "{output}");
    assert!(!output.contains("Timedout"), "the time stopped did not count: {output}");
}

#[test]
fn stop_on_entry_without_breakpoints() {
    let _serial = serial();
    let mut config = example_config();
    config["stopOnEntry"] = json!(true);
    let mut client = adapter(None);
    initialize(&mut client);
    let launch = client.send("launch", config);
    client.event("initialized");
    client.ok("configurationDone", json!({}));
    assert_eq!(client.response(launch)["success"], true);
    let stopped = client.event("stopped");
    assert_eq!(stopped["body"]["reason"], "entry", "{stopped}");
    let frame = top_frame(&mut client, &stopped["body"]["threadId"]);
    assert_eq!(frame["name"], "lambda_handler");
    let pids = adapter_tree(&client);
    client.ok("terminate", json!({}));
    client.event("terminated");
    assert!(client.output().contains("The invocation was cancelled."), "{}", client.output());
    client.ok("disconnect", json!({}));
    assert!(client.wait_exit().is_some());
    assert_all_gone(&pids);
}

#[test]
fn bad_configuration_names_the_field() {
    let _serial = serial();
    let mut client = adapter(None);
    initialize(&mut client);
    let mut config = example_config();
    config["lambda"]["timeoutSec"] = json!("ten");
    let response = client.request("launch", config);
    assert_eq!(response["success"], false);
    let message = response["message"].as_str().unwrap();
    assert!(message.contains("`lambda.timeoutSec`") && message.contains("expected u64"), "{message}");
    assert_eq!(response["body"]["error"]["showUser"], true);

    let mut config = example_config();
    config["invokeTarget"]["logicalId"] = json!("Nope");
    let message = client.request("launch", config)["message"].as_str().unwrap().to_owned();
    assert!(message.contains("`invokeTarget.logicalId`") && message.contains("GreetingFunction"), "{message}");
    client.ok("disconnect", json!({}));
    assert!(client.wait_exit().is_some_and(|s| s.success()));
}

#[test]
fn missing_handler_is_an_init_error() {
    let _serial = serial();
    let mut client = adapter(None);
    let config = json!({
        "invokeTarget": {"target": "code", "lambdaHandler": "app.no_such_handler", "projectRoot": example().join("src")},
        "lambda": {"runtime": "python3.12"},
        "pythonPath": python(),
    });
    let launch = launch_with_breakpoints(&mut client, config, &[]);
    assert_eq!(launch["success"], true);
    let exited = client.event("exited");
    client.event("terminated");
    assert_eq!(exited["body"]["exitCode"], 1);
    let output = client.output();
    assert!(output.contains("Init error") && output.contains("no_such_handler"), "{output}");
}

#[test]
fn missing_debugpy_says_how_to_install_it() {
    let _serial = serial();
    let dir = std::env::temp_dir().join(format!("samwise-e2e-nodebugpy-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let status = Command::new("python3").args(["-m", "venv", "--without-pip"]).arg(&dir).status().unwrap();
    assert!(status.success(), "python3 -m venv works");
    let bare = dir.join("bin/python");
    let mut client = adapter(None);
    initialize(&mut client);
    let mut config = example_config();
    config["pythonPath"] = json!(bare);
    let response = client.request("launch", config);
    assert_eq!(response["success"], false, "{response}");
    let message = response["message"].as_str().unwrap();
    assert!(message.contains("debugpy is not installed"), "{message}");
    assert!(message.contains(&format!("{} -m pip install debugpy", bare.display())), "{message}");
    client.ok("disconnect", json!({}));
    assert!(client.wait_exit().is_some());
    let left = gone_soon(&processes_mentioning(&dir.display().to_string()));
    assert!(left.is_empty(), "processes of the bare venv left: {left:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn crash_and_timeout_under_the_debugger() {
    let _serial = serial();
    let code = |handler: &str, timeout: u64| {
        json!({
            "invokeTarget": {"target": "code", "lambdaHandler": handler, "projectRoot": fixtures().join("python")},
            "lambda": {"runtime": "python3.12", "timeoutSec": timeout, "payload": {"json": {"seconds": 30}}},
            "pythonPath": python(),
        })
    };
    let mut client = adapter(None);
    assert_eq!(launch_with_breakpoints(&mut client, code("functions.exit_hard", 3), &[])["success"], true);
    let exited = client.event("exited");
    client.event("terminated");
    assert_eq!(exited["body"]["exitCode"], 1);
    let output = client.output();
    assert!(output.contains("exiting without answering"), "{output}");
    assert!(output.contains("The function's runtime crashed") && output.contains("Runtime.ExitError"), "{output}");
    client.ok("disconnect", json!({}));
    assert!(client.wait_exit().is_some());

    let mut client = adapter(None);
    let started = Instant::now();
    assert_eq!(launch_with_breakpoints(&mut client, code("functions.sleep", 1), &[])["success"], true);
    let exited = client.event("exited");
    client.event("terminated");
    assert!(started.elapsed() < Duration::from_secs(20), "took {:?}", started.elapsed());
    assert_eq!(exited["body"]["exitCode"], 1);
    let output = client.output();
    assert!(output.contains("Task timed out after 1.00 seconds") && output.contains("Sandbox.Timedout"), "{output}");
    client.ok("disconnect", json!({}));
    assert!(client.wait_exit().is_some());
}

#[test]
fn editor_vanishing_mid_session_leaves_no_process() {
    let _serial = serial();
    let entry = marker_line(&app_py(), "# BP: entry");
    for how in ["disconnect", "close", "kill"] {
        let mut client = adapter(None);
        assert_eq!(launch_with_breakpoints(&mut client, example_config(), &[entry])["success"], true);
        client.event("stopped");
        let pids = adapter_tree(&client);
        assert!(pids.len() >= 2, "{pids:?}");
        match how {
            "disconnect" => {
                client.ok("disconnect", json!({"terminateDebuggee": true}));
            }
            "close" => client.close(),
            // SIGKILL: none of the adapter's cleanup code runs; the parent-death signal and the
            // runtime's watchdog must take everything down.
            _ => client.child.as_mut().unwrap().kill().unwrap(),
        }
        assert!(client.wait_exit().is_some(), "{how}: the adapter exits");
        assert_all_gone(&pids);
    }
}

#[test]
fn restart_runs_again_with_the_same_breakpoints() {
    let _serial = serial();
    let entry = marker_line(&app_py(), "# BP: entry");
    let mut client = adapter(None);
    assert_eq!(launch_with_breakpoints(&mut client, example_config(), &[entry])["success"], true);
    client.event("stopped");
    let first = adapter_tree(&client);
    client.ok("restart", json!({}));
    let stopped = client.event("stopped");
    assert_eq!(stopped["body"]["reason"], "breakpoint", "the breakpoint was set again: {stopped}");
    assert_all_gone(&first);
    client.ok("disconnect", json!({}));
    assert!(client.wait_exit().is_some());
}
