//! End-to-end protocol tests of `samwise-lsp`: the command line, initialisation (position encoding
//! negotiation and declared capabilities), requests on unknown documents, configuration plumbing,
//! and shutdown/exit.

use std::process::Command;

use samwise_e2e::lsp_client::{LspClient, editor_capabilities};
use serde_json::{Value, json};

#[test]
fn utf8_is_negotiated_when_offered_and_utf16_otherwise() {
    for (offer_utf8, expected) in [(true, "utf-8"), (false, "utf-16")] {
        let client = LspClient::start(&[]);
        let result = client.initialize(editor_capabilities(offer_utf8), Value::Null, None);
        assert_eq!(result["capabilities"]["positionEncoding"], expected, "offer_utf8={offer_utf8}");
        assert_eq!(result["serverInfo"]["name"], "samwise-lsp");
        assert!(client.shutdown().success());
    }
    // A client that says nothing about encodings (LSP 3.16 and older) gets UTF-16.
    let client = LspClient::start(&[]);
    let result = client.initialize(json!({}), Value::Null, None);
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
    assert!(client.shutdown().success());
}

#[test]
fn every_feature_is_declared_in_the_capabilities() {
    let client = LspClient::start(&[]);
    let caps = client.initialize(editor_capabilities(true), Value::Null, None)["capabilities"].take();
    // Incremental sync (2) with open/close notifications.
    assert_eq!(caps["textDocumentSync"]["change"], 2);
    assert_eq!(caps["textDocumentSync"]["openClose"], true);
    assert_eq!(caps["completionProvider"]["resolveProvider"], true);
    let triggers: Vec<&str> =
        caps["completionProvider"]["triggerCharacters"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    for ch in [":", "!", ".", "\"", "'", "$", "{", " "] {
        assert!(triggers.contains(&ch), "trigger {ch:?} missing from {triggers:?}");
    }
    assert_eq!(caps["renameProvider"]["prepareProvider"], true);
    assert_eq!(caps["diagnosticProvider"]["identifier"], "samwise");
    assert_eq!(caps["codeActionProvider"]["codeActionKinds"], json!(["quickfix", "refactor"]));
    assert_eq!(caps["workspace"]["workspaceFolders"]["supported"], true);
    // The server runs deploy itself; Invoke/Debug locally are run by the editor shims, so they are not listed.
    assert_eq!(caps["executeCommandProvider"]["commands"], json!(["samwise.deploy"]));
    for provider in [
        "hoverProvider",
        "signatureHelpProvider",
        "definitionProvider",
        "referencesProvider",
        "documentSymbolProvider",
        "workspaceSymbolProvider",
        "foldingRangeProvider",
        "codeLensProvider",
    ] {
        assert!(!caps[provider].is_null() && caps[provider] != false, "{provider} not declared: {caps:#}");
    }
    assert!(client.shutdown().success());
}

#[test]
fn requests_on_unknown_documents_answer_empty_or_with_an_error() {
    let client = LspClient::start(&[]);
    client.initialize(editor_capabilities(false), Value::Null, None);
    let uri = "file:///nowhere/template.yaml";
    let at = json!({ "textDocument": { "uri": uri }, "position": { "line": 3, "character": 4 } });
    for method in [
        "textDocument/completion",
        "textDocument/hover",
        "textDocument/signatureHelp",
        "textDocument/definition",
        "textDocument/prepareRename",
    ] {
        assert_eq!(client.request(method, at.clone()), Ok(Value::Null), "{method}");
    }
    let doc = json!({ "textDocument": { "uri": uri } });
    for method in ["textDocument/documentSymbol", "textDocument/foldingRange", "textDocument/codeLens"] {
        assert_eq!(client.request(method, doc.clone()), Ok(Value::Null), "{method}");
    }
    let pulled = client.request("textDocument/diagnostic", doc.clone()).unwrap();
    assert_eq!(pulled, json!({ "kind": "full", "items": [] }));
    let err = client.request("samwise/documentText", json!({ "uri": uri })).unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("is not open"), "{err}");
    // Changes to a document that was never opened are ignored, and the server goes on.
    let change = json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "text": "x" }] });
    client.notify("textDocument/didChange", change);
    let log = client.notification("window/logMessage", |p| p["message"].as_str().unwrap_or("").contains("not open"));
    assert_eq!(log["type"], 2, "a warning");
    assert!(client.shutdown().success());
}

#[test]
fn configuration_is_pulled_after_registering_for_changes_and_re_pulled_on_change() {
    let client = LspClient::start(&[]);
    client.set_configuration(json!({ "disabledRules": ["SW2001"] }));
    client.initialize(editor_capabilities(true), json!({ "severityOverrides": { "SW1": "hint" } }), None);
    let registration = &client.wait_server_requests("client/registerCapability", 1)[0];
    assert_eq!(registration["params"]["registrations"][0]["method"], "workspace/didChangeConfiguration");
    let pull = &client.wait_server_requests("workspace/configuration", 1)[0];
    assert_eq!(pull["params"]["items"][0]["section"], "samwise");
    let methods: Vec<Value> = client.server_requests().iter().map(|r| r["method"].clone()).collect();
    assert_eq!(methods, ["client/registerCapability", "workspace/configuration"], "registration comes first");

    // A pull-style change notification (null settings) makes the server pull again.
    client.notify("workspace/didChangeConfiguration", json!({ "settings": null }));
    client.wait_server_requests("workspace/configuration", 2);

    // Invalid settings are reported to the user, naming the bad value.
    client.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "samwise": { "severityOverrides": { "SW1": "loud" } } } }),
    );
    let shown = client.notification("window/showMessage", |_| true);
    assert!(shown["message"].as_str().unwrap().contains("loud"), "{shown}");
    assert!(client.shutdown().success());
}

#[test]
fn the_command_line_prints_version_and_help_and_rejects_unknown_arguments() {
    let bin = samwise_e2e::binary("samwise-lsp");
    let out = Command::new(&bin).arg("--version").output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("samwise-lsp "));
    let out = Command::new(&bin).arg("--help").output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("--stdio"));
    let out = Command::new(&bin).arg("--frobnicate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown argument `--frobnicate`"));
}

#[test]
fn the_server_ends_on_exit_and_when_its_stdin_closes() {
    // `--stdio` is accepted as editors pass it.
    let mut cmd = Command::new(samwise_e2e::binary("samwise-lsp"));
    cmd.arg("--stdio");
    let client = LspClient::spawn(cmd);
    client.initialize(json!({}), Value::Null, None);
    assert!(client.shutdown().success());
    // An editor that crashes closes the pipe without `exit`: the server must not linger.
    let mut child = Command::new(samwise_e2e::binary("samwise-lsp"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    drop(child.stdin.take());
    let status = child.wait().unwrap();
    assert!(status.code().is_some(), "exited normally, not by a signal: {status}");
}
