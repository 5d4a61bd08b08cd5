//! Editing fuzz through the language server: a seeded random editor replays 100,000 incremental edits
//! (insertions, deletions, pastes of other documents, undo-like reversals, multi-byte characters, CRLF
//! and lone CR line breaks) on several templates (YAML and JSON) and a Python file, with completion,
//! hover, documentSymbol and pull-diagnostics requests in between. After every batch of edits the
//! server's text must equal the client's; every request must answer within [`ANSWER_BOUND`]; the
//! ranges the server returns must be valid positions in the client's text (UTF-16 columns never
//! split a surrogate pair); the server never panics. The second test sprinkles `$/cancelRequest` in
//! (also on workspace/symbol requests, which scan the workspace off the message loop and so are still
//! pending when the cancellation arrives): a cancelled request must still be answered, with its
//! result or with -32800 (RequestCancelled).
//!
//! Reproducing a failure: every message names the seed and the step; `SAMWISE_FUZZ_SEED=<n>` replays
//! that seed, `SAMWISE_FUZZ_EDITS=<n>` changes the number of edits per test.

use std::time::{Duration, Instant};

use samwise_e2e::lsp_client::{LspClient, editor_capabilities, file_uri, scratch_dir};
use samwise_e2e::repo_root;
use serde_json::{Value, json};

/// Total edits per test, split evenly between the two tests' documents.
const DEFAULT_EDITS: usize = 100_000;
/// Content changes per `didChange` (LSP allows several; each applies to the previous one's result).
/// One notification per edit would spend the time budget on JSON framing rather than on the server.
const CHANGES_PER_NOTIFICATION: usize = 10;
/// A request after every this many notifications.
const REQUEST_EVERY: usize = 20;
/// The server's text is compared with the client's after every this many notifications.
const COMPARE_EVERY: usize = 500;
/// How long any request may take. A debug build on two shared cores: generous, yet far below a hang.
const ANSWER_BOUND: Duration = Duration::from_secs(20);

/// xorshift64*: deterministic, so a seed replays a failure exactly.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

fn env_number(name: &str) -> Option<u64> {
    let value = std::env::var(name).ok()?;
    let value = value.trim();
    let parsed = match value.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => value.parse(),
    };
    Some(parsed.unwrap_or_else(|e| panic!("{name}={value}: {e}")))
}

/// Small pieces typed by the random editor: YAML/JSON/Python tokens, multi-byte characters (2, 3 and
/// 4 UTF-8 bytes; 😀 is a UTF-16 surrogate pair) and every kind of line break.
const PIECES: &[&str] = &[
    "a",
    "Ref",
    " ",
    "  ",
    ":",
    "- ",
    "!Sub ",
    "${",
    "}",
    "\"",
    "'",
    "{",
    "}",
    "[",
    "]",
    ",",
    "#",
    "é",
    "😀",
    "中文",
    "ß",
    "\n",
    "\r\n",
    "\r",
    "\t",
    "Type: AWS::S3::Bucket",
    "Properties:",
    "!GetAtt Fn.Arn",
    "Fn::If",
    "boto3.client(\"s3\")",
    ".put_object(",
    "Bucket=",
    "import boto3\n",
    "    ",
    "\u{feff}",
    "\u{0}",
    "",
];

/// A JSON template: the corpus has only YAML ones.
const JSON_TEMPLATE: &str = r#"{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Transform": "AWS::Serverless-2016-10-31",
  "Parameters": { "Stage": { "Type": "String", "Default": "dev", "AllowedValues": ["dev", "prod"] } },
  "Resources": {
    "Bucket": { "Type": "AWS::S3::Bucket", "Properties": { "BucketName": { "Fn::Sub": "data-${Stage}" } } },
    "Table": {
      "Type": "AWS::Serverless::SimpleTable",
      "Properties": { "PrimaryKey": { "Name": "id", "Type": "String" } }
    },
    "Function": {
      "Type": "AWS::Serverless::Function",
      "Properties": {
        "Runtime": "python3.12",
        "Handler": "app.handler",
        "CodeUri": "src/",
        "Environment": { "Variables": { "BUCKET": { "Ref": "Bucket" }, "TABLE": { "Ref": "Table" } } },
        "Policies": [{ "S3ReadPolicy": { "BucketName": { "Ref": "Bucket" } } }, { "DynamoDBCrudPolicy": { "TableName": { "Ref": "Table" } } }]
      }
    }
  },
  "Outputs": { "Arn": { "Value": { "Fn::GetAtt": ["Function", "Arn"] } } }
}
"#;

/// One open document as the client sees it.
struct Doc {
    uri: String,
    text: String,
    version: i32,
    /// The size the document started with; the editor deletes more when it has grown far beyond.
    initial_len: usize,
    /// Edits to reverse, newest last: (start, length of the inserted text, the text it replaced).
    undo: Vec<(usize, usize, String)>,
    /// The newest version whose diagnostics were pushed (seen by [`Fuzz::drain`]).
    published: i32,
}

/// The documents: the example's template and function, three corpus templates (one with CRLF line
/// breaks, one with lone CRs, as files from other systems have), and a JSON template.
fn documents(dir: &std::path::Path) -> Vec<(String, &'static str, String)> {
    let read =
        |rel: &str| std::fs::read_to_string(repo_root().join(rel)).unwrap_or_else(|e| panic!("reading {rel}: {e}"));
    let corpus = "tests/corpus/serverless-patterns";
    let docs = [
        ("template.yaml", "yaml", read("examples/parameter-store/template.yaml")),
        ("src/app.py", "python", read("examples/parameter-store/src/app.py")),
        (
            "crlf/template.yaml",
            "yaml",
            read(&format!("{corpus}/eventbridge-schedule-stepfunctions-sam/template.yaml")).replace('\n', "\r\n"),
        ),
        ("cr/template.yaml", "yaml", read(&format!("{corpus}/apigw-cors-proxy/template.yaml")).replace('\n', "\r")),
        (
            "big/template.yaml",
            "yaml",
            read(&format!("{corpus}/inspector-eventbridge-multi-destinations/template.yaml")),
        ),
        ("json/template.json", "json", JSON_TEMPLATE.to_owned()),
    ];
    docs.into_iter().map(|(rel, lang, text)| (file_uri(&dir.join(rel)), lang, text)).collect()
}

/// Whether `offset` is a position LSP can express: a char boundary, not between `\r` and `\n`.
fn is_point(text: &str, offset: usize) -> bool {
    let b = text.as_bytes();
    text.is_char_boundary(offset) && !(offset > 0 && b[offset - 1] == b'\r' && b.get(offset) == Some(&b'\n'))
}

/// A random expressible offset near `near` (or anywhere when `None`).
fn random_point(rng: &mut Rng, text: &str, from: usize, span: usize) -> usize {
    let mut offset = (from + rng.below(span + 1)).min(text.len());
    while !is_point(text, offset) {
        offset -= 1;
    }
    offset
}

/// The LSP position of a byte offset: lines end at `\n`, `\r\n` or a lone `\r`; columns count UTF-8
/// bytes or UTF-16 code units.
fn position(text: &str, offset: usize, utf8: bool) -> Value {
    let b = text.as_bytes();
    let (mut line, mut line_start) = (0, 0);
    for (i, &c) in b[..offset].iter().enumerate() {
        if c == b'\n' || (c == b'\r' && b.get(i + 1) != Some(&b'\n')) {
            line += 1;
            line_start = i + 1;
        }
    }
    let col = if utf8 { offset - line_start } else { text[line_start..offset].encode_utf16().count() };
    json!({ "line": line, "character": col })
}

/// The lines of `text` (without their breaks), as LSP counts them.
fn lsp_lines(text: &str) -> Vec<&str> {
    let b = text.as_bytes();
    let (mut lines, mut start, mut i) = (Vec::new(), 0, 0);
    while i < b.len() {
        if b[i] == b'\n' || b[i] == b'\r' {
            lines.push(&text[start..i]);
            i += if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
            start = i;
        } else {
            i += 1;
        }
    }
    lines.push(&text[start..]);
    lines
}

/// Fails unless every `{line, character}` object inside `value` (ranges, positions) is a position of
/// `text` in the negotiated encoding: an existing line, a column within it, on a character boundary.
fn check_positions(value: &Value, lines: &[&str], utf8: bool, context: &dyn Fn() -> String) {
    match value {
        Value::Object(map) => {
            if let (Some(line), Some(col)) = (map.get("line").and_then(Value::as_u64), map.get("character")) {
                let col = col.as_u64().unwrap_or_else(|| panic!("{}: bad column in {value}", context()));
                let Some(text) = lines.get(line as usize) else {
                    panic!("{}: position {value} is past the last line ({} lines)", context(), lines.len());
                };
                let valid = if utf8 {
                    text.is_char_boundary(col as usize)
                } else {
                    let mut units = 0;
                    let mut boundaries = vec![0];
                    for c in text.chars() {
                        units += c.len_utf16();
                        boundaries.push(units);
                    }
                    boundaries.contains(&(col as usize))
                };
                assert!(valid, "{}: position {value} is not a character boundary of line {text:?}", context());
                return;
            }
            map.values().for_each(|v| check_positions(v, lines, utf8, context));
        }
        Value::Array(items) => items.iter().for_each(|v| check_positions(v, lines, utf8, context)),
        _ => {}
    }
}

/// The random editor and its session.
struct Fuzz {
    client: LspClient,
    docs: Vec<Doc>,
    /// The documents as first opened: the source of pastes.
    originals: Vec<String>,
    rng: Rng,
    seed: u64,
    utf8: bool,
    cancel: bool,
    step: usize,
    /// Requests sent, answered, and answered with RequestCancelled.
    requests: usize,
    cancelled: usize,
    /// Cancelled workspace/symbol requests (pending when the cancellation arrives, see [`Fuzz::request`]).
    pending_cancels: usize,
    slowest: Duration,
    /// The time spent waiting for answers, in total.
    waited: Duration,
}

impl Fuzz {
    fn context(&self) -> String {
        format!("seed {:#x} (SAMWISE_FUZZ_SEED), step {}, utf8={}", self.seed, self.step, self.utf8)
    }

    /// One random edit of document `d`: applied to the client's text, returned as a content change.
    fn edit(&mut self, d: usize) -> Value {
        let paste_from = self.rng.below(self.originals.len());
        let rng = &mut self.rng;
        let doc = &mut self.docs[d];
        let len = doc.text.len();
        let grown = len > doc.initial_len + 2048;
        let kind = rng.below(100);
        let (start, end, new_text) = if kind < 15 && !doc.undo.is_empty() {
            // Undo-like: put back what the newest edit replaced, when its range is still expressible.
            let (start, inserted, removed) = doc.undo.pop().expect("non-empty");
            let end = start + inserted;
            if end <= len && is_point(&doc.text, start) && is_point(&doc.text, end) {
                let range = json!({ "start": position(&doc.text, start, self.utf8), "end": position(&doc.text, end, self.utf8) });
                doc.text.replace_range(start..end, &removed);
                return json!({ "range": range, "text": removed });
            }
            doc.undo.clear();
            let at = random_point(rng, &doc.text, 0, len);
            (at, at, String::new())
        } else if kind < 45 || grown {
            // Deletion (larger when the document has grown), sometimes replacing with a piece.
            let start = random_point(rng, &doc.text, 0, len);
            let span = if grown { 2000 } else { 40 };
            let end = random_point(rng, &doc.text, start, span).max(start);
            let piece = if rng.chance(30) { PIECES[rng.below(PIECES.len())] } else { "" };
            (start, end, piece.to_owned())
        } else if kind < 55 {
            // Paste a slice of one of the documents as first opened.
            let source = &self.originals[paste_from];
            let from = random_point(rng, source, 0, source.len());
            let to = random_point(rng, source, from, 300).max(from);
            let at = random_point(rng, &doc.text, 0, len);
            (at, at, source[from..to].to_owned())
        } else {
            // Typing: one to four pieces at a point.
            let at = random_point(rng, &doc.text, 0, len);
            let typed: String = (0..1 + rng.below(4)).map(|_| PIECES[rng.below(PIECES.len())]).collect();
            (at, at, typed)
        };
        let range =
            json!({ "start": position(&doc.text, start, self.utf8), "end": position(&doc.text, end, self.utf8) });
        let removed = doc.text[start..end].to_owned();
        doc.text.replace_range(start..end, &new_text);
        doc.undo.push((start, new_text.len(), removed));
        if doc.undo.len() > 50 {
            doc.undo.remove(0);
        }
        json!({ "range": range, "text": new_text })
    }

    /// A random request on document `d`; waits for its answer and checks it.
    fn request(&mut self, d: usize) {
        let doc = &self.docs[d];
        let at = random_point(&mut self.rng, &doc.text, 0, doc.text.len());
        let pos = position(&doc.text, at, self.utf8);
        let td = json!({ "uri": doc.uri });
        let (method, params) = match self.rng.below(if self.cancel { 5 } else { 4 }) {
            // Workspace symbols scan the workspace folder off the message loop, so this request is
            // still pending when its cancellation arrives: it exercises the -32800 answer.
            4 => ("workspace/symbol", json!({ "query": "" })),
            0 => ("textDocument/completion", json!({ "textDocument": td, "position": pos })),
            1 => ("textDocument/hover", json!({ "textDocument": td, "position": pos })),
            2 => ("textDocument/documentSymbol", json!({ "textDocument": td })),
            _ => ("textDocument/diagnostic", json!({ "textDocument": td })),
        };
        let sent = Instant::now();
        let id = self.client.send_request(method, params);
        self.requests += 1;
        let cancel = self.cancel && self.rng.chance(50);
        if cancel && method == "workspace/symbol" {
            self.pending_cancels += 1;
        }
        if cancel {
            self.client.cancel(id);
            // Edits keep coming while the cancelled request is pending, as when the user types on.
            for _ in 0..self.rng.below(3) {
                let other = self.rng.below(self.docs.len());
                self.change(other);
            }
        }
        let answer = self.client.response_within(id, ANSWER_BOUND).unwrap_or_else(|why| {
            panic!(
                "{}: {method} (request {id}, cancelled: {cancel}) got no answer within {ANSWER_BOUND:?}: {why}",
                self.context()
            )
        });
        self.slowest = self.slowest.max(sent.elapsed());
        self.waited += sent.elapsed();
        match answer {
            // A cancelled request's result is for the text it arrived with, which the edits sent
            // since have changed, so only the others' positions can be checked.
            // (Workspace symbols are in the example's files, not in the document.)
            Ok(result) if !cancel && method.starts_with("textDocument/") => {
                let doc = &self.docs[d];
                let lines = lsp_lines(&doc.text);
                let context = || format!("{}: {method} on {}", self.context(), doc.uri);
                check_positions(&result, &lines, self.utf8, &context);
            }
            Ok(_) => {}
            Err(error) if cancel && error["code"] == -32800 => self.cancelled += 1,
            Err(error) => panic!(
                "{}: {method} on {} failed: {error}\nserver stderr:\n{}",
                self.context(),
                self.docs[d].uri,
                self.client.stderr()
            ),
        }
    }

    /// One `didChange` with [`CHANGES_PER_NOTIFICATION`] edits of document `d`.
    fn change(&mut self, d: usize) {
        let changes: Vec<Value> = (0..CHANGES_PER_NOTIFICATION).map(|_| self.edit(d)).collect();
        let doc = &mut self.docs[d];
        doc.version += 1;
        let td = json!({ "uri": doc.uri, "version": doc.version });
        self.client.notify("textDocument/didChange", json!({ "textDocument": td, "contentChanges": changes }));
        self.step += 1;
    }

    /// Asks the server for every document's text and compares it with the client's.
    fn compare(&mut self) {
        for doc in &self.docs {
            let id = self.client.send_request("samwise/documentText", json!({ "uri": doc.uri }));
            let answer = self.client.response_within(id, ANSWER_BOUND).unwrap_or_else(|why| {
                panic!("{}: samwise/documentText got no answer within {ANSWER_BOUND:?}: {why}", self.context())
            });
            let server = answer.unwrap_or_else(|e| panic!("{}: samwise/documentText failed: {e}", self.context()));
            assert_eq!(server["version"], doc.version, "{}: {} version", self.context(), doc.uri);
            let server_text = server["text"].as_str().expect("text");
            if server_text != doc.text {
                let first = server_text.bytes().zip(doc.text.bytes()).position(|(a, b)| a != b);
                panic!(
                    "{}: the server's text of {} differs from the client's (first at byte {first:?}; lengths {} and {})\n\
                     server: {server_text:?}\nclient: {:?}",
                    self.context(),
                    doc.uri,
                    server_text.len(),
                    doc.text.len(),
                    doc.text
                );
            }
        }
    }

    /// Drops the pushed diagnostics received so far, so the client's inbox stays small; remembers
    /// the newest version published for each document.
    fn drain(&mut self) {
        for p in self.client.take_notifications("textDocument/publishDiagnostics") {
            if let Some(doc) = self.docs.iter_mut().find(|d| p["uri"] == d.uri.as_str()) {
                doc.published = doc.published.max(p["version"].as_i64().unwrap_or(0) as i32);
            }
        }
        self.client.take_notifications("window/logMessage");
    }
}

/// The user+system CPU time of a process (`self` or a pid), from /proc (Linux; zero elsewhere).
fn cpu_time(pid: &str) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which is in parentheses): utime and stime are the 12th and 13th.
    let fields: Vec<&str> = stat.rsplit_once(')').map_or("", |(_, rest)| rest).split_whitespace().collect();
    let ticks: u64 = fields.get(11..13).map_or(0, |f| f.iter().filter_map(|t| t.parse::<u64>().ok()).sum());
    Duration::from_millis(ticks * 10)
}

fn run(name: &str, default_seed: u64, utf8: bool, cancel: bool) {
    let seed = env_number("SAMWISE_FUZZ_SEED").unwrap_or(default_seed);
    let edits = env_number("SAMWISE_FUZZ_EDITS").map_or(DEFAULT_EDITS, |n| n as usize);
    eprintln!("{name}: seed {seed:#x} (set SAMWISE_FUZZ_SEED to replay), {edits} edits");
    let started = Instant::now();
    let client = LspClient::start(&[]);
    // The example project is the workspace folder (workspace symbols scan it).
    let root = repo_root().join("examples");
    let result = client.initialize(editor_capabilities(utf8), Value::Null, Some(&root));
    assert_eq!(result["capabilities"]["positionEncoding"], if utf8 { "utf-8" } else { "utf-16" });
    let dir = scratch_dir(name);
    let mut docs = Vec::new();
    for (uri, lang, text) in documents(&dir) {
        client.open(&uri, lang, &text);
        docs.push(Doc { uri, initial_len: text.len(), text, version: 1, undo: Vec::new(), published: 0 });
    }
    let originals = docs.iter().map(|d| d.text.clone()).collect();
    let mut fuzz = Fuzz {
        client,
        docs,
        originals,
        rng: Rng(seed | 1),
        seed,
        utf8,
        cancel,
        step: 0,
        requests: 0,
        cancelled: 0,
        pending_cancels: 0,
        slowest: Duration::ZERO,
        waited: Duration::ZERO,
    };
    let notifications = edits.div_ceil(CHANGES_PER_NOTIFICATION);
    for n in 1..=notifications {
        let d = fuzz.rng.below(fuzz.docs.len());
        fuzz.change(d);
        if n % REQUEST_EVERY == 0 {
            let d = fuzz.rng.below(fuzz.docs.len());
            fuzz.request(d);
        }
        if n % COMPARE_EVERY == 0 {
            fuzz.drain();
            fuzz.compare();
        }
    }
    fuzz.compare();
    // The diagnostics of every document's last version are published: the server never falls behind.
    for doc in fuzz.docs.iter().filter(|d| d.published < d.version) {
        let (uri, version) = (doc.uri.clone(), doc.version);
        fuzz.client.notification("textDocument/publishDiagnostics", |p| p["uri"] == uri && p["version"] == version);
    }
    let (server_cpu, client_cpu) = (cpu_time(&fuzz.client.pid().to_string()), cpu_time("self"));
    // tower-lsp-server answers a cancelled pending request with RequestCancelled; a handful of
    // cancelled scans make it all but certain one was still pending.
    if fuzz.pending_cancels >= 5 {
        assert!(
            fuzz.cancelled > 0,
            "{}: none of {} cancelled scans answered -32800",
            fuzz.context(),
            fuzz.pending_cancels
        );
    }
    let stderr = fuzz.client.stderr();
    assert!(!stderr.contains("panicked"), "{}: the server panicked:\n{stderr}", fuzz.context());
    eprintln!(
        "{name}: {} edits in {} notifications, {} requests ({} cancelled), slowest answer {:?} (all: {:?}), total {:?} \
         (CPU: server {server_cpu:?}, test {client_cpu:?})",
        notifications * CHANGES_PER_NOTIFICATION,
        fuzz.step,
        fuzz.requests,
        fuzz.cancelled,
        fuzz.slowest,
        fuzz.waited,
        started.elapsed()
    );
    assert!(fuzz.client.shutdown().success());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_hundred_thousand_random_edits_keep_the_servers_text_and_answers_right() {
    run("edit-fuzz-utf16", 0x5eed_f022, false, false);
}

#[test]
fn cancelled_requests_among_random_edits_are_still_answered() {
    run("edit-fuzz-cancel-utf8", 0x5eed_ca9c, true, true);
}
