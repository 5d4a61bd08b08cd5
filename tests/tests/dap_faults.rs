//! Fault injection for the debug adapter and local invocation (issue 11): functions from
//! `tests/fixtures/faults/template.yaml` that segfault, call `os._exit`, fork children and daemons,
//! ignore SIGTERM, flood stdout or never return; editors that disconnect, close the stream or are
//! killed mid-session; a debugpy that is too old; a port that is taken. Each case checks the message
//! the user sees and that the process table holds nothing of the session afterwards.
//!
//! "Nothing left behind" is checked by tagging: the adapter starts with `SAMWISE_E2E_TAG=<unique>` in
//! its environment, which everything it starts inherits (debugpy, the function, the function's
//! children, daemons that left the process group), and `/proc/*/environ` is scanned for the tag.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use samwise_e2e::dap_client::{
    DapClient, TAG_VAR, cmdline, marker_line, rss_kib, tagged_left_soon, tagged_processes, unique_tag,
};
use serde_json::{Value, json};

fn faults() -> PathBuf {
    samwise_e2e::repo_root().join("tests/fixtures/faults")
}

fn faults_py() -> PathBuf {
    faults().join("src/faults.py").canonicalize().unwrap()
}

fn python() -> String {
    samwise_e2e::venv_python().display().to_string()
}

/// One session at a time, as in dap_python.rs: a debug session is two Python processes and a debugger.
fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// The adapter over stdio, its processes tagged with `tag`.
fn adapter(tag: &str, configure: impl FnOnce(&mut Command)) -> DapClient {
    DapClient::start(&samwise_e2e::binary("samwise-dap"), |cmd| {
        cmd.env(TAG_VAR, tag);
        configure(cmd);
    })
}

/// A launch configuration for one of the fault fixtures' functions.
fn config(logical_id: &str, event: Value, debug: bool) -> Value {
    json!({
        "type": "samwise",
        "request": "launch",
        "name": logical_id,
        "invokeTarget": {"target": "template", "templatePath": faults().join("template.yaml"), "logicalId": logical_id},
        "lambda": {"payload": {"json": event}},
        "pythonPath": python(),
        "noDebug": !debug,
    })
}

/// initialize, launch, breakpoints at `lines` of faults.py (when debugging), configurationDone;
/// returns the launch response.
fn launch(client: &mut DapClient, config: Value, lines: &[i64]) -> Value {
    client.ok(
        "initialize",
        json!({"clientID": "samwise-e2e", "adapterID": "samwise", "linesStartAt1": true, "pathFormat": "path"}),
    );
    let launch = client.send("launch", config);
    let initialized = client.event("initialized");
    assert_eq!(initialized["event"], "initialized");
    let breakpoints: Vec<Value> = lines.iter().map(|l| json!({"line": l})).collect();
    client.ok("setBreakpoints", json!({"source": {"path": faults_py()}, "breakpoints": breakpoints}));
    client.ok("configurationDone", json!({}));
    client.response(launch)
}

/// Runs a function to its end in a session; returns the exit code and all output.
fn run_to_end(client: &mut DapClient, config: Value) -> (i64, String) {
    let response = launch(client, config, &[]);
    assert_eq!(response["success"], true, "{response}");
    let exited = client.event("exited");
    client.event("terminated");
    (exited["body"]["exitCode"].as_i64().unwrap(), client.output())
}

/// A new tagged adapter that runs `logical_id` to its end: the client (to disconnect), the tag, the
/// exit code and the output.
fn run_function(name: &str, logical_id: &str, event: Value, debug: bool) -> (DapClient, String, i64, String) {
    let tag = unique_tag(name);
    let mut client = adapter(&tag, |_| {});
    let (code, output) = run_to_end(&mut client, config(logical_id, event, debug));
    (client, tag, code, output)
}

/// Disconnects, waits for the adapter to exit and checks that nothing tagged `tag` is alive.
fn disconnect_and_check(client: &mut DapClient, tag: &str) {
    client.ok("disconnect", json!({}));
    assert!(client.wait_exit().is_some_and(|s| s.success()), "the adapter exits after disconnect");
    assert_nothing_left(tag);
}

fn assert_nothing_left(tag: &str) {
    let left = tagged_left_soon(tag, &[]);
    assert!(left.is_empty(), "processes left behind:\n{}", left.join("\n"));
}

/// `samwise-dap invoke` on a fault fixture's function, tagged; returns the finished process's output.
fn cli_invoke(tag: &str, function: &str, event: &str) -> std::process::Output {
    let mut cmd = Command::new(samwise_e2e::binary("samwise-dap"));
    cmd.args(["invoke", "--interpreter", &python(), "--template"])
        .arg(faults().join("template.yaml"))
        .args(["--function", function, "--event", "-"])
        .env(TAG_VAR, tag)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(event.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// The pids printed by the `forks` fixture: `child N grandchild M`.
fn forked_pids(output: &str) -> (u32, u32) {
    let line = output.lines().find(|l| l.starts_with("child ")).unwrap_or_else(|| panic!("no pids in {output}"));
    let words: Vec<&str> = line.split_whitespace().collect();
    (words[1].parse().unwrap(), words[3].parse().unwrap())
}

#[test]
fn segfault_os_exit_and_endless_loop_end_with_a_clear_message() {
    let _serial = serial();
    let cases: [(&str, &[&str]); 3] = [
        (
            "Segfault",
            &["about to segfault", "Runtime exited with error: signal: segmentation fault", "Runtime.ExitError"],
        ),
        ("ExitThree", &["calling os._exit(3)", "Runtime exited with error: exit status 3", "Runtime.ExitError"]),
        ("NeverReturns", &["spinning", "Task timed out after 2.00 seconds", "Sandbox.Timedout"]),
    ];
    for debug in [true, false] {
        for (function, expected) in cases {
            let (mut client, tag, code, output) = run_function(function, function, json!({}), debug);
            assert_eq!(code, 1, "{output}");
            for text in expected {
                assert!(output.contains(text), "{function} (debug: {debug}): {text} in {output}");
            }
            disconnect_and_check(&mut client, &tag);
        }
    }

    let tag = unique_tag("segv-cli");
    let out = cli_invoke(&tag, "Segfault", "{}");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("signal: segmentation fault") && stdout.contains("Runtime.ExitError"), "{stdout}");
    assert_nothing_left(&tag);
}

/// On a loaded machine a function without breakpoints can end (return, crash) before debugpy's
/// answer to the attach is relayed. The adapter's test aid drops that answer, so the function's end
/// always comes first: once debugpy was configured the launch succeeded, and the end is reported
/// as for any debugged run (before, a crash was answered "ended before the debugger attached").
#[test]
fn a_function_ending_before_the_attach_answer_still_launched() {
    let _serial = serial();
    for (function, expected) in [
        ("Segfault", "Runtime exited with error: signal: segmentation fault"),
        ("ExitThree", "Runtime exited with error: exit status 3"),
    ] {
        let tag = unique_tag("attach-late");
        let mut client = adapter(&tag, |cmd| {
            cmd.env("SAMWISE_DAP_TEST_DROP_ATTACH_ANSWER", "1");
        });
        let (code, output) = run_to_end(&mut client, config(function, json!({}), true));
        assert_eq!(code, 1, "{output}");
        assert!(output.contains(expected) && output.contains("Runtime.ExitError"), "{function}: {output}");
        disconnect_and_check(&mut client, &tag);
    }
}

#[test]
fn forked_children_and_daemons_end_with_the_invocation() {
    let _serial = serial();
    for debug in [false, true] {
        let (mut client, tag, code, output) = run_function("forks", "Forks", json!({}), debug);
        assert_eq!(code, 0, "{output}");
        let (child, grandchild) = forked_pids(&output);
        assert!(output.contains(&format!("\"grandchild\": {grandchild}")), "{output}");
        // The run is over: its children are gone even before the session ends.
        let left = tagged_left_soon(&tag, &[client.pid()]);
        assert!(left.is_empty(), "child {child} / daemon {grandchild} outlived the run:\n{}", left.join("\n"));
        disconnect_and_check(&mut client, &tag);
    }

    let tag = unique_tag("forks-cli");
    let out = cli_invoke(&tag, "Forks", "{}");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_nothing_left(&tag);
}

#[test]
fn editor_gone_mid_session_takes_children_and_daemons_along() {
    let _serial = serial();
    let line = marker_line(&faults_py(), "# BP: forked");
    for how in ["disconnect", "terminate", "close", "kill"] {
        let tag = unique_tag(how);
        let mut client = adapter(&tag, |_| {});
        let response = launch(&mut client, config("Forks", json!({"wait": 300}), true), &[line]);
        assert_eq!(response["success"], true, "{response}");
        let stopped = client.event("stopped");
        assert_eq!(stopped["body"]["reason"], "breakpoint", "{stopped}");
        let (child, grandchild) = forked_pids(&client.output_containing(" grandchild "));
        // The daemon may still be inside its exec (its environment reads empty meanwhile): poll.
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut running = tagged_processes(&tag, &[client.pid()]);
        while !(running.contains(&child) && running.contains(&grandchild)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
            running = tagged_processes(&tag, &[client.pid()]);
        }
        for pid in [child, grandchild] {
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
            let state = status.lines().find(|l| l.starts_with("State:")).unwrap_or("gone");
            assert!(running.contains(&pid), "{how}: {pid} ({state}, {}) runs before: {running:?}", cmdline(pid));
        }
        match how {
            "disconnect" => {
                client.ok("disconnect", json!({"terminateDebuggee": true}));
            }
            "terminate" => {
                client.ok("terminate", json!({}));
                client.event("terminated");
                assert!(client.output().contains("The invocation was cancelled."), "{}", client.output());
                let left = tagged_left_soon(&tag, &[client.pid()]);
                assert!(left.is_empty(), "terminate left:\n{}", left.join("\n"));
                client.ok("disconnect", json!({}));
            }
            "close" => client.close(),
            // SIGKILL: none of the adapter's cleanup runs; the parent-death signal and the runtime's
            // watchdog must take everything down, the daemon included.
            _ => client.child.as_mut().unwrap().kill().unwrap(),
        }
        assert!(client.wait_exit().is_some(), "{how}: the adapter exits");
        assert_nothing_left(&tag);
    }
}

#[test]
fn sigterm_is_no_shelter() {
    let _serial = serial();
    // Under the debugger, ended by the editor.
    let tag = unique_tag("sigterm");
    let mut client = adapter(&tag, |_| {});
    let response = launch(&mut client, config("IgnoresSigterm", json!({}), true), &[]);
    assert_eq!(response["success"], true, "{response}");
    let started = Instant::now();
    while !client.output().contains("ignoring SIGTERM") {
        client.event("output");
    }
    client.ok("terminate", json!({}));
    client.event("terminated");
    assert!(started.elapsed() < Duration::from_secs(30), "ending took {:?}", started.elapsed());
    assert!(client.output().contains("The invocation was cancelled."), "{}", client.output());
    disconnect_and_check(&mut client, &tag);

    // From the command line, interrupted as by Ctrl-C.
    let tag = unique_tag("sigterm-cli");
    let mut child = Command::new(samwise_e2e::binary("samwise-dap"))
        .args(["invoke", "--interpreter", &python(), "--template"])
        .arg(faults().join("template.yaml"))
        .args(["--function", "IgnoresSigterm"])
        .env(TAG_VAR, &tag)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while !line.contains("ignoring SIGTERM") {
        line.clear();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "the function's output");
    }
    let status = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(130), "{rest}");
    assert!(rest.contains("interrupted; the function's processes were ended"), "{rest}");
    assert_nothing_left(&tag);
}

/// 110 MB of output (100 MB in 1 KiB lines, then one 10 MB line) through a debug session: the
/// adapter's peak resident memory stays bounded, the editor is told that output was cut, and the
/// result still arrives.
#[test]
fn flood_of_output_keeps_the_adapter_small() {
    let _serial = serial();
    let tag = unique_tag("flood");
    let mut client = adapter(&tag, |_| {});
    let started = Instant::now();
    let (code, output) = run_to_end(&mut client, config("Floods", json!({}), true));
    let elapsed = started.elapsed();
    let (rss, peak) = rss_kib(client.pid()).unwrap();
    eprintln!("flood: {elapsed:?}, adapter VmRSS {rss} KiB, VmHWM {peak} KiB, {} bytes of output events", output.len());
    assert_eq!(code, 0, "{}", &output[output.len().saturating_sub(2000)..]);
    assert!(output.contains("Response: \"flooded\""), "the result arrives");
    assert!(
        output.contains("output truncated"),
        "the editor is told: {}",
        &output[output.len().saturating_sub(2000)..]
    );
    assert!(output.len() < 20 * 1024 * 1024, "{} bytes of output reached the editor", output.len());
    assert!(peak < 64 * 1024, "the adapter's peak resident memory was {peak} KiB");
    for line in ["END RequestId: ", "REPORT RequestId: "] {
        assert!(output.contains(line), "{line} is not cut");
    }
    disconnect_and_check(&mut client, &tag);
}

/// A `debugpy` package older than the adapter supports (here a fake one on PYTHONPATH): the launch
/// fails with the version found and the version needed, and nothing is left running.
#[test]
fn too_old_debugpy_names_the_required_version() {
    let _serial = serial();
    let dir = std::env::temp_dir().join(format!("samwise-e2e-olddebugpy-{}", std::process::id()));
    let package = dir.join("debugpy");
    std::fs::create_dir_all(package.join("adapter")).unwrap();
    std::fs::write(package.join("__init__.py"), "__version__ = \"1.0.0\"\n").unwrap();
    // An adapter that would wait forever, as an old one that never announces its port does.
    std::fs::write(package.join("adapter/__init__.py"), "").unwrap();
    std::fs::write(package.join("adapter/__main__.py"), "import time\ntime.sleep(300)\n").unwrap();
    std::fs::write(package.join("__main__.py"), "import time\ntime.sleep(300)\n").unwrap();
    let tag = unique_tag("olddebugpy");
    let mut client = adapter(&tag, |cmd| {
        cmd.env("PYTHONPATH", &dir);
    });
    let started = Instant::now();
    client.ok("initialize", json!({"clientID": "samwise-e2e", "adapterID": "samwise"}));
    let response = client.request("launch", config("ExitThree", json!({}), true));
    assert_eq!(response["success"], false, "{response}");
    let message = response["message"].as_str().unwrap();
    assert!(message.contains("debugpy 1.0.0") && message.contains("1.8.0 or later"), "{message}");
    assert!(message.contains(&package.join("__init__.py").display().to_string()), "names where it is: {message}");
    assert!(message.contains(&format!("{} -m pip install --upgrade debugpy", python())), "{message}");
    assert!(started.elapsed() < Duration::from_secs(60), "took {:?}", started.elapsed());
    disconnect_and_check(&mut client, &tag);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--port N` with N taken: a clear error naming the port, a non-zero exit, no listening line.
#[test]
fn taken_port_is_a_clear_error() {
    let taken = TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let port = taken.local_addr().unwrap().port();
    let out = Command::new(samwise_e2e::binary("samwise-dap")).args(["--port", &port.to_string()]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(out.stdout.is_empty(), "no listening line: {}", String::from_utf8_lossy(&out.stdout));
    assert!(stderr.contains(&format!("cannot listen on 127.0.0.1:{port}")), "{stderr}");
    assert!(stderr.contains("already in use") && stderr.contains("--port 0"), "{stderr}");
    drop(taken);
}
