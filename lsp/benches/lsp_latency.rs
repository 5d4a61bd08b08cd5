//! Latency and memory of `samwise-lsp` driven over stdio like an editor, on a generated 4,000-line
//! template: initialize to first diagnostics, didChange to publishDiagnostics, completion and hover
//! (median and p99), and resident memory with 20 templates open.
//!
//! Run with `cargo bench -p samwise-lsp --bench lsp_latency` (release build of the server). It is a
//! measurement, not a test: it prints figures and fails only if the server misbehaves. The issue's
//! targets, for comparison: completion and hover p99 < 5 ms, didChange -> diagnostics < 30 ms,
//! initialize -> first diagnostics < 100 ms, RSS < 80 MB with 20 templates open.

use std::time::{Duration, Instant};

use samwise_e2e::lsp_client::{LspClient, editor_capabilities, file_uri, scratch_dir};
use serde_json::{Value, json};

const TARGET_LINES: usize = 4_000;
const SAMPLES: usize = 200;

/// A realistic SAM template: parameters, functions with events and environments, tables and
/// buckets, references in every form, outputs.
fn generate_template() -> (String, Vec<(u32, u32)>) {
    let mut t = String::from(
        "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nDescription: generated benchmark template\n\
         Parameters:\n  Stage:\n    Type: String\n    AllowedValues: [dev, prod]\n    Default: dev\n\
         Globals:\n  Function:\n    Timeout: 10\n    Runtime: python3.12\nResources:\n",
    );
    // Cursor positions (line, UTF-16 column) for completion/hover: value after `Runtime: `, a
    // property key, a `!Ref` argument.
    let mut cursors = Vec::new();
    let mut i = 0;
    while t.lines().count() < TARGET_LINES - 20 {
        let line = t.lines().count() as u32;
        t.push_str(&format!(
            "  Function{i}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app{i}.handler\n\
             \x20     Runtime: python3.12\n      CodeUri: src/fn{i}/\n      MemorySize: 256\n      Environment:\n\
             \x20       Variables:\n          TABLE: !Ref Table{i}\n          BUCKET: !GetAtt Bucket{i}.Arn\n\
             \x20         URL: !Sub 'https://${{Bucket{i}}}.s3.${{AWS::Region}}.amazonaws.com/${{Stage}}'\n\
             \x20     Events:\n        Api:\n          Type: Api\n          Properties:\n            Path: /fn{i}\n\
             \x20           Method: get\n  Table{i}:\n    Type: AWS::DynamoDB::Table\n    Properties:\n\
             \x20     BillingMode: PAY_PER_REQUEST\n      AttributeDefinitions:\n        - AttributeName: id\n\
             \x20         AttributeType: S\n      KeySchema:\n        - AttributeName: id\n          KeyType: HASH\n\
             \x20 Bucket{i}:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub 'bucket-{i}-${{Stage}}'\n"
        ));
        cursors.push((line + 4, 19)); // after `Runtime: pyth`
        cursors.push((line + 2, 8)); // in `Properties`
        cursors.push((line + 9, 22)); // in `!Ref Table{i}`
        i += 1;
    }
    t.push_str(
        "Outputs:\n  Api:\n    Value: !Sub 'https://${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com/'\n",
    );
    (t, cursors)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{name:<34} median {:>8.3} ms   p99 {:>8.3} ms   max {:>8.3} ms   (n={})",
        ms(percentile(&samples, 0.5)),
        ms(percentile(&samples, 0.99)),
        ms(*samples.last().unwrap()),
        samples.len()
    );
}

fn rss_mb(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: f64 =
        status.lines().find_map(|l| l.strip_prefix("VmRSS:"))?.trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kb / 1024.0)
}

/// The `!Ref` completions again with `completionLimit: 0`: every target in one answer, as before
/// the limit (default 100 items) existed.
fn unlimited_ref_completion(dir: &std::path::Path, uri: &str, template: &str, cursors: &[(u32, u32)]) {
    let client = LspClient::start(&[]);
    client.initialize(editor_capabilities(false), json!({ "completionLimit": 0 }), Some(dir));
    client.open(uri, "yaml", template);
    client.notification("textDocument/publishDiagnostics", |p| p["uri"] == uri);
    let mut samples = Vec::new();
    let mut items = 0;
    for &(line, character) in cursors.iter().skip(2).step_by(3).cycle().take(SAMPLES / 3) {
        let at = json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } });
        let started = Instant::now();
        let answer = client.request("textDocument/completion", at).unwrap();
        samples.push(started.elapsed());
        items += answer.as_array().map_or(0, Vec::len);
    }
    report(&format!("  Ref target, no limit ({} items each)", items / samples.len()), samples);
    assert!(client.shutdown().success());
}

fn main() {
    let (template, cursors) = generate_template();
    let dir = scratch_dir("bench");
    std::fs::write(dir.join("template.yaml"), &template).unwrap();
    println!(
        "template: {} lines, {} bytes, {} cursor positions",
        template.lines().count(),
        template.len(),
        cursors.len()
    );

    // initialize -> first diagnostics of an opened template, from a started process (the binary is
    // built before the first sample, so no sample includes the build).
    samwise_e2e::binary("samwise-lsp");
    let mut first = Vec::new();
    for _ in 0..10 {
        let client = LspClient::start(&[]);
        let started = Instant::now();
        client.initialize(editor_capabilities(false), Value::Null, Some(&dir));
        let uri = file_uri(&dir.join("template.yaml"));
        client.open(&uri, "yaml", &template);
        let diags = client.notification("textDocument/publishDiagnostics", |p| p["uri"] == uri.as_str());
        first.push(started.elapsed());
        if first.len() == 1 {
            println!("diagnostics on the template: {}", diags["diagnostics"].as_array().map_or(0, Vec::len));
        }
        assert!(client.shutdown().success());
    }
    report("initialize -> first diagnostics", first);

    let client = LspClient::start(&[]);
    client.initialize(editor_capabilities(false), Value::Null, Some(&dir));
    let uri = file_uri(&dir.join("template.yaml"));
    client.open(&uri, "yaml", &template);
    client.notification("textDocument/publishDiagnostics", |p| p["uri"] == uri.as_str());

    // didChange -> publishDiagnostics: type a character into the template, then delete it again.
    let mut changes = Vec::new();
    for n in 0..SAMPLES {
        let (line, col) = cursors[n / 2 * 7 % cursors.len()];
        let version = n as i64 + 2;
        let start = json!({ "line": line, "character": col });
        let change = if n % 2 == 0 {
            json!({ "range": { "start": start, "end": start }, "text": "x" })
        } else {
            json!({ "range": { "start": start, "end": { "line": line, "character": col + 1 } }, "text": "" })
        };
        let started = Instant::now();
        let doc = json!({ "uri": uri, "version": version });
        client.notify("textDocument/didChange", json!({ "textDocument": doc, "contentChanges": [change] }));
        client.notification("textDocument/publishDiagnostics", |p| p["version"] == version);
        changes.push(started.elapsed());
    }
    report("didChange -> publishDiagnostics", changes);
    let text = client.request("samwise/documentText", json!({ "uri": uri })).unwrap();
    assert_eq!(text["text"], template.as_str(), "every insertion was undone");

    let mut completion = Vec::new();
    let mut hover = Vec::new();
    let mut items = 0;
    let mut hovers = 0;
    for n in 0..SAMPLES {
        let (line, character) = cursors[n % cursors.len()];
        let at = json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } });
        let started = Instant::now();
        let answer = client.request("textDocument/completion", at.clone()).unwrap();
        completion.push(started.elapsed());
        items += answer.get("items").unwrap_or(&answer).as_array().map_or(0, Vec::len);
        let started = Instant::now();
        let answer = client.request("textDocument/hover", at).unwrap();
        hover.push(started.elapsed());
        hovers += usize::from(!answer.is_null());
    }
    // Per cursor kind (the cursors cycle through these three), as their answers differ in size.
    for (k, name) in ["enum value", "property key", "Ref target"].iter().enumerate() {
        let per: Vec<Duration> = completion.iter().skip(k).step_by(3).copied().collect();
        report(&format!("  completion: {name}"), per);
    }
    report(&format!("completion ({items} items total)"), completion);
    report(&format!("hover ({hovers} non-empty)"), hover);
    unlimited_ref_completion(&dir, &uri, &template, &cursors);
    println!("RSS with 1 template open: {:.1} MB", rss_mb(client.pid()).unwrap_or(f64::NAN));

    for n in 1..20 {
        let uri = file_uri(&dir.join(format!("copy{n}/template.yaml")));
        client.open(&uri, "yaml", &template);
        client.notification("textDocument/publishDiagnostics", |p| p["uri"] == uri.as_str());
    }
    println!("RSS with 20 templates open: {:.1} MB", rss_mb(client.pid()).unwrap_or(f64::NAN));
    assert!(client.shutdown().success());
    std::fs::remove_dir_all(dir).unwrap();
}
