//! End-to-end test of the adapter's socket mode (`samwise-dap --port 0`) and of runs without the
//! debugger: a Node.js function (run, output, result) and a Python function with `noDebug`, each in its
//! own connection to one server, as editors that start the adapter once and connect per session do.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use samwise_e2e::dap_client::DapClient;
use serde_json::{Value, json};

/// The adapter in socket mode, killed when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn connect(port: u16) -> DapClient {
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    DapClient::over(stream.try_clone().unwrap(), stream)
}

fn run_without_debugger(client: &mut DapClient, config: Value) -> Value {
    client.ok("initialize", json!({"clientID": "samwise-e2e", "adapterID": "samwise", "linesStartAt1": true}));
    let launch = client.send("launch", config);
    assert_eq!(client.response(launch)["success"], true);
    client.event("initialized");
    let body = client.ok("setBreakpoints", json!({"source": {"path": "/x/app.js"}, "breakpoints": [{"line": 3}]}));
    assert_eq!(body["breakpoints"][0]["verified"], false, "no debugger: breakpoints cannot bind");
    client.ok("configurationDone", json!({}));
    let exited = client.event("exited");
    client.event("terminated");
    client.ok("disconnect", json!({}));
    exited
}

#[test]
fn socket_mode_runs_node_and_python_without_the_debugger() {
    let mut child = Command::new(samwise_e2e::binary("samwise-dap"))
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let _server = Server(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let port: u16 = line
        .trim_end()
        .strip_prefix("listening on 127.0.0.1:")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .parse()
        .unwrap();

    let fixtures = samwise_e2e::repo_root().join("tests/fixtures/invoke");
    let mut client = connect(port);
    let exited = run_without_debugger(
        &mut client,
        json!({
            "invokeTarget": {"target": "template", "templatePath": fixtures.join("template.yaml"), "logicalId": "NodeEcho"},
            "lambda": {"payload": {"json": {"order": 7}}},
        }),
    );
    assert_eq!(exited["body"]["exitCode"], 0, "{}", client.output());
    let output = client.output();
    assert!(output.contains("Response: {") && output.contains("\"order\":7"), "{output}");
    assert!(output.contains("REPORT RequestId: "), "{output}");

    let mut client = connect(port);
    let exited = run_without_debugger(
        &mut client,
        json!({
            "invokeTarget": {"target": "code", "lambdaHandler": "functions.fail", "projectRoot": fixtures.join("python")},
            "lambda": {"runtime": "python3.12", "payload": {"json": {"why": "testing"}}},
            "pythonPath": samwise_e2e::venv_python(),
            "noDebug": true,
        }),
    );
    assert_eq!(exited["body"]["exitCode"], 1);
    let output = client.output();
    assert!(output.contains("Function error: ") && output.contains("boom: testing"), "{output}");
}
