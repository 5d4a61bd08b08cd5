//! Resource limits of the language server: a generated 50 MB template and a generated 20,000-line
//! Python file are opened and edited while a small template stays in use. Requests on the small
//! document answer within [`ANSWER_BOUND`] while and after the big ones are handled, both big
//! documents get their one "too large to analyse" notice (a 1.5 MB template is still analysed) (lsp/src/documents.rs has the limits)
//! instead of a freeze, edits to them keep being applied and published, and the server's peak
//! memory (VmHWM from /proc) stays under [`MEMORY_BOUND_MB`].

use std::time::{Duration, Instant};

use samwise_e2e::lsp_client::{LspClient, editor_capabilities, file_uri, scratch_dir};
use serde_json::{Value, json};

/// How long a request may take. Generous for a debug build on a shared machine, far below a freeze.
const ANSWER_BOUND: Duration = Duration::from_secs(30);
/// The peak resident memory allowed: the 50 MB text is held a few times over (the message, the
/// rope, the analysed copy), so a few hundred MB is expected; a leak or a copy per edit is not.
const MEMORY_BOUND_MB: u64 = 1_500;

/// A template of about `bytes` bytes: many small buckets, as generated templates look.
fn big_template(bytes: usize) -> String {
    let mut text = String::with_capacity(bytes + 200);
    text.push_str("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n");
    let mut i = 0;
    while text.len() < bytes {
        text.push_str(&format!(
            "  Bucket{i}:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub 'data-{i}-${{AWS::StackName}}'\n"
        ));
        i += 1;
    }
    text
}

/// VmRSS and VmHWM of a process, in MB.
fn memory_mb(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status of the server");
    let field = |name: &str| {
        let line = status.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("{name} in {status}"));
        line.split_whitespace().nth(1).and_then(|kb| kb.parse::<u64>().ok()).expect("a kB figure") / 1024
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Sends a request and fails unless it answers within [`ANSWER_BOUND`]; returns the result and the
/// time it took.
fn timed(client: &LspClient, what: &str, method: &str, params: Value) -> (Value, Duration) {
    let sent = Instant::now();
    let id = client.send_request(method, params);
    let answer = client
        .response_within(id, ANSWER_BOUND)
        .unwrap_or_else(|why| panic!("{what}: {method} got no answer within {ANSWER_BOUND:?}: {why}"));
    let result = answer.unwrap_or_else(|e| panic!("{what}: {method} failed: {e}"));
    (result, sent.elapsed())
}

fn hover_small(client: &LspClient, uri: &str, what: &str) -> Duration {
    let params = json!({ "textDocument": { "uri": uri }, "position": { "line": 2, "character": 16 } });
    let (result, took) = timed(client, what, "textDocument/hover", params);
    assert!(result["contents"].to_string().contains("AWS::Serverless::Function"), "{what}: hover: {result}");
    took
}

/// The code of the one diagnostic in a publishDiagnostics payload: the notice of a document too large
/// to analyse is the only one, an Information with a message saying why.
fn notice_code(params: &Value) -> String {
    let diags = params["diagnostics"].as_array().expect("diagnostics");
    assert_eq!(diags.len(), 1, "one notice: {diags:?}");
    assert_eq!(diags[0]["severity"], 3, "an Information: {diags:?}");
    assert!(diags[0]["message"].as_str().unwrap().contains("too large to analyse"), "{diags:?}");
    diags[0]["code"].as_str().unwrap_or_default().to_owned()
}

fn change(client: &LspClient, uri: &str, version: i32, line: u32, text: &str) {
    let at = json!({ "line": line, "character": 0 });
    let changes = json!([{ "range": { "start": at, "end": at }, "text": text }]);
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": changes }),
    );
}

#[test]
fn huge_documents_neither_freeze_the_server_nor_exhaust_its_memory() {
    let client = LspClient::start(&[]);
    client.initialize(editor_capabilities(false), Value::Null, None);
    let dir = scratch_dir("limits");
    let small = file_uri(&dir.join("small/template.yaml"));
    let small_text =
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n";
    client.open(&small, "yaml", small_text);
    hover_small(&client, &small, "before the big documents");

    let template = big_template(50 * 1024 * 1024);
    let template_lines = template.lines().count() as u32;
    let big = file_uri(&dir.join("big/template.yaml"));
    let opened = Instant::now();
    client.open(&big, "yaml", &template);
    drop(template);
    let while_big = hover_small(&client, &small, "right after opening the 50 MB template");
    let notice = client.notification("textDocument/publishDiagnostics", |p| p["uri"] == big.as_str());
    let big_open = opened.elapsed();
    assert_eq!(notice_code(&notice), "SW0010", "{notice}");
    eprintln!("limits: 50 MB template: notice after {big_open:?}, hover on the small one {while_big:?}");

    let python = samwise_e2e::big_python(20_000);
    let py = file_uri(&dir.join("big/app.py"));
    let opened = Instant::now();
    client.open(&py, "python", &python);
    let while_python = hover_small(&client, &small, "right after opening the 20,000-line Python file");
    let py_diags = client.notification("textDocument/publishDiagnostics", |p| p["uri"] == py.as_str());
    let python_open = opened.elapsed();
    eprintln!("limits: 20,000-line Python: diagnostics after {python_open:?}, hover on the small one {while_python:?}");
    // Above the line limit (analysing it took 20 s in a debug build, again after every edit).
    assert_eq!(notice_code(&py_diags), "SW0010", "{py_diags}");
    let last_line = python.lines().count() as u32 - 2;
    let params = json!({ "textDocument": { "uri": py }, "position": { "line": last_line, "character": 9 } });
    let (_, python_hover) = timed(&client, "the Python file's last lines", "textDocument/hover", params);

    // A template under the size limit (1.5 MB, about 55,000 lines) is analysed in full.
    let medium = file_uri(&dir.join("medium/template.yaml"));
    let opened = Instant::now();
    client.open(&medium, "yaml", &big_template(1_500_000));
    let medium_diags = client.notification("textDocument/publishDiagnostics", |p| p["uri"] == medium.as_str());
    let medium_open = opened.elapsed();
    assert!(!medium_diags.to_string().contains("SW0010"), "{medium_diags}");
    let (symbols, _) = timed(
        &client,
        "the 1.5 MB template",
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": medium } }),
    );
    assert!(symbols.to_string().contains("Bucket1000"), "the 1.5 MB template is analysed");
    eprintln!("limits: 1.5 MB template: diagnostics after {medium_open:?}");

    // Edits to both big documents, each followed at once by a request on the small one.
    let mut worst_after_edit = Duration::ZERO;
    for version in 2..=6 {
        change(&client, &big, version, template_lines / 2, "  Added:\n    Type: AWS::SNS::Topic\n");
        change(&client, &py, version, 10, "x = 1\n");
        let took = hover_small(&client, &small, &format!("after edit {version}"));
        eprintln!("limits: hover on the small document after edit {version}: {took:?}");
        worst_after_edit = worst_after_edit.max(took);
    }
    for uri in [&big, &py] {
        client.notification("textDocument/publishDiagnostics", |p| p["uri"] == uri.as_str() && p["version"] == 6);
    }
    // The big template answers (empty) rather than stalling; the edits arrived in order.
    let (symbols, big_symbols) =
        timed(&client, "the big template", "textDocument/documentSymbol", json!({ "textDocument": { "uri": big } }));
    assert_eq!(symbols, json!([]), "no symbols for a template too large to analyse");

    let (rss, hwm) = memory_mb(client.pid());
    eprintln!(
        "limits: 50 MB template open+notice {big_open:?}, 20,000-line Python open+diagnostics {python_open:?}, \
         hover on the small document while they load {while_big:?} / {while_python:?}, after edits {worst_after_edit:?}, \
         Python hover {python_hover:?}, big documentSymbol {big_symbols:?}; server memory VmRSS {rss} MB, VmHWM {hwm} MB"
    );
    assert!(hwm < MEMORY_BOUND_MB, "peak memory {hwm} MB exceeds {MEMORY_BOUND_MB} MB");
    let stderr = client.stderr();
    assert!(!stderr.contains("panicked"), "the server panicked:\n{stderr}");
    assert!(client.shutdown().success());
    std::fs::remove_dir_all(dir).unwrap();
}
