//! End-to-end test of the adapter's socket mode (`samwise-dap --port 0`) and of runs without the
//! debugger: a Node.js function (run, output, result) and a Python function with `noDebug`, each in its
//! own connection to one server, as editors that start the adapter once and connect per session do.

use samwise_e2e::dap_client::{DapClient, SocketAdapter};
use serde_json::{Value, json};

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
    let server = SocketAdapter::start();

    let fixtures = samwise_e2e::repo_root().join("tests/fixtures/invoke");
    let mut client = server.connect();
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

    let mut client = server.connect();
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
