//! Diagnostics end to end: pushed on open and on every change (tagged with the document version),
//! cleared on close, and the same findings answered to `textDocument/diagnostic` pulls. Clients that
//! pull get no pushes, so no editor shows a finding twice.

use samwise_e2e::lsp_client::{LspClient, editor_capabilities, file_uri, scratch_dir};
use serde_json::{Value, json};

/// A template with syntax errors: an unclosed flow mapping, and a `}` where the unclosed flow sequence
/// needs `,` or `]`, after characters that count differently in UTF-8 and UTF-16.
const BROKEN: &str = "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: {Description: 'é😀', Runtime: [python3.12}\n";
const VALID: &str = "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n";

fn pull(client: &LspClient, uri: &str) -> Value {
    let report = client.request("textDocument/diagnostic", json!({ "textDocument": { "uri": uri } })).unwrap();
    assert_eq!(report["kind"], "full");
    report["items"].clone()
}

#[test]
fn diagnostics_are_pushed_on_open_and_change_cleared_on_close_and_equal_to_pulled_ones() {
    let client = LspClient::start(&[]);
    client.initialize(editor_capabilities(false), Value::Null, None);
    let dir = scratch_dir("diagnostics");
    let uri = file_uri(&dir.join("template.yaml"));

    client.open(&uri, "yaml", BROKEN);
    let opened = client.notification("textDocument/publishDiagnostics", |p| p["uri"] == uri.as_str());
    assert_eq!(opened["version"], 1);
    // The unclosed `{` is a syntax error (SW1001) reported where it opens.
    let syntax_error = opened["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == "SW1001");
    let syntax_error = syntax_error.unwrap_or_else(|| panic!("no syntax error: {opened:#}"));
    assert_eq!(syntax_error["severity"], 1);
    assert_eq!(syntax_error["range"]["start"], json!({ "line": 3, "character": 16 }));
    assert_eq!(opened["diagnostics"], pull(&client, &uri), "push and pull report the same findings");
    for d in opened["diagnostics"].as_array().unwrap() {
        assert_eq!(d["source"], "samwise");
        assert!(d["code"].is_string() && d["severity"].is_number(), "{d}");
    }

    let change = json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "text": VALID }] });
    client.notify("textDocument/didChange", change);
    let changed = client.notification("textDocument/publishDiagnostics", |p| p["uri"] == uri.as_str());
    assert_eq!(changed["version"], 2);
    assert_eq!(changed["diagnostics"], pull(&client, &uri));

    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } }));
    let closed = client.notification("textDocument/publishDiagnostics", |p| p["uri"] == uri.as_str());
    assert_eq!(closed["diagnostics"], json!([]));
    assert!(closed.get("version").is_none_or(Value::is_null), "{closed}");
    assert!(client.shutdown().success());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_client_that_pulls_gets_answers_but_no_pushes() {
    let client = LspClient::start(&[]);
    let mut caps = editor_capabilities(true);
    caps["textDocument"]["diagnostic"] = json!({ "dynamicRegistration": false });
    client.initialize(caps, Value::Null, None);
    let dir = scratch_dir("pull");
    let uri = file_uri(&dir.join("template.yaml"));
    client.open(&uri, "yaml", BROKEN);
    let pulled = pull(&client, &uri);
    assert!(pulled.is_array());
    // Anything the server pushed would have been written before the pull's answer.
    assert_eq!(client.take_notifications("textDocument/publishDiagnostics"), Vec::<Value>::new());
    assert!(client.shutdown().success());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn diagnostic_columns_follow_the_negotiated_encoding() {
    // The `}` on line 3: 57 UTF-16 code units or 60 UTF-8 bytes into the line (é and 😀 before it).
    let line = BROKEN.lines().nth(3).unwrap();
    let brace = line.rfind('}').unwrap();
    for (utf8, column) in [(true, brace), (false, line[..brace].encode_utf16().count())] {
        let client = LspClient::start(&[]);
        client.initialize(editor_capabilities(utf8), Value::Null, None);
        let dir = scratch_dir(if utf8 { "columns-utf8" } else { "columns-utf16" });
        let uri = file_uri(&dir.join("template.yaml"));
        client.open(&uri, "yaml", BROKEN);
        let items = pull(&client, &uri);
        let starts: Vec<&Value> = items.as_array().unwrap().iter().map(|d| &d["range"]["start"]).collect();
        assert!(starts.contains(&&json!({ "line": 3, "character": column })), "utf8={utf8}: {starts:?}");
        assert!(client.shutdown().success());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
