//! Panic isolation end to end: a panic inside one analysis call answers that request with an
//! InternalError and the server goes on serving the same and other documents. The panics are
//! triggered with the documented test aid `SAMWISE_TEST_PANIC_ON=<feature>`.

use samwise_e2e::lsp_client::{LspClient, editor_capabilities, file_uri, scratch_dir};
use serde_json::{Value, json};

const TEMPLATE: &str = "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n";

#[test]
fn a_panicking_hover_answers_an_error_and_the_server_goes_on() {
    let client = LspClient::start(&[("SAMWISE_TEST_PANIC_ON", "hover")]);
    client.initialize(editor_capabilities(true), Value::Null, None);
    let dir = scratch_dir("panic-hover");
    let uri = file_uri(&dir.join("template.yaml"));
    client.open(&uri, "yaml", TEMPLATE);
    let at = json!({ "textDocument": { "uri": uri }, "position": { "line": 2, "character": 12 } });

    for round in 0..2 {
        let err = client.request("textDocument/hover", at.clone()).unwrap_err();
        assert_eq!(err["code"], -32603, "InternalError in round {round}: {err}");
        let message = err["message"].as_str().unwrap();
        assert!(message.contains("hover panicked") && message.contains("SAMWISE_TEST_PANIC_ON=hover"), "{message}");
        // Other requests on the same document still work, and so do edits.
        assert!(client.request("textDocument/completion", at.clone()).is_ok());
        let edit = json!([{ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "text": "# x\n" }]);
        let doc = json!({ "uri": uri, "version": round + 2 });
        client.notify("textDocument/didChange", json!({ "textDocument": doc, "contentChanges": edit }));
    }
    let text = client.request("samwise/documentText", json!({ "uri": uri })).unwrap();
    assert_eq!(text["text"], format!("# x\n# x\n{TEMPLATE}"));
    assert!(client.shutdown().success());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_document_whose_analysis_panics_answers_errors_but_stays_tracked() {
    let client = LspClient::start(&[("SAMWISE_TEST_PANIC_ON", "analysis")]);
    client.initialize(editor_capabilities(false), Value::Null, None);
    let dir = scratch_dir("panic-analysis");
    let uri = file_uri(&dir.join("template.yaml"));
    client.open(&uri, "yaml", TEMPLATE);
    // The failure is logged and the document's diagnostics are published empty.
    let log = client.notification("window/logMessage", |p| p["type"] == 1);
    assert!(log["message"].as_str().unwrap().contains("analysis panicked"), "{log}");
    let published = client.notification("textDocument/publishDiagnostics", |p| p["uri"] == uri.as_str());
    assert_eq!(published["diagnostics"], json!([]));
    // Requests on it answer the error, naming the document; the text itself is still tracked.
    let at = json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 0 } });
    let err = client.request("textDocument/completion", at).unwrap_err();
    assert_eq!(err["code"], -32603);
    assert!(err["message"].as_str().unwrap().contains(&uri), "{err}");
    let err = client.request("textDocument/diagnostic", json!({ "textDocument": { "uri": uri } })).unwrap_err();
    assert_eq!(err["code"], -32603);
    assert_eq!(client.request("samwise/documentText", json!({ "uri": uri })).unwrap()["text"], TEMPLATE);
    assert!(client.shutdown().success());
    std::fs::remove_dir_all(dir).unwrap();
}
