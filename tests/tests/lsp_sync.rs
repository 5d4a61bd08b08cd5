//! Document synchronisation end to end: 1,000 incremental edits sent back to back (random positions,
//! multi-byte characters, CRLF line breaks, several changes in one notification) must leave the
//! server with exactly the client's text, in both position encodings. This proves changes are applied
//! in the order received and that column conversion agrees with the client's.

use samwise_e2e::lsp_client::{LspClient, editor_capabilities, file_uri, scratch_dir};
use serde_json::{Value, json};

const EDITS: usize = 1_000;

/// A deterministic xorshift generator: the test must fail the same way every time it fails.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// Offsets an edit may start or end at: char boundaries, never between `\r` and `\n` (a position there
/// does not exist in LSP). Inserted text never holds a lone `\r`, so the text never does either.
fn edit_points(text: &str) -> Vec<usize> {
    (0..=text.len()).filter(|&i| text.is_char_boundary(i) && !(i > 0 && text[..i].ends_with('\r'))).collect()
}

/// The LSP position of a byte offset, counting columns in UTF-8 bytes or UTF-16 code units.
fn position(text: &str, offset: usize, utf8: bool) -> Value {
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count();
    let col = if utf8 { offset - line_start } else { before[line_start..].encode_utf16().count() };
    json!({ "line": line, "character": col })
}

fn run(utf8: bool, seed: u64) {
    const PIECES: &[&str] = &["a", "Ref", " ", "é", "😀", "中文", "\r\n", "\n", "  Key: !Sub \"${X}\"\r\n", "ß", ""];
    let client = LspClient::start(&[]);
    let result = client.initialize(editor_capabilities(utf8), Value::Null, None);
    assert_eq!(result["capabilities"]["positionEncoding"], if utf8 { "utf-8" } else { "utf-16" });
    let dir = scratch_dir(if utf8 { "sync-utf8" } else { "sync-utf16" });
    let uri = file_uri(&dir.join("template.yaml"));
    let mut text = String::from("Resources:\r\n  Bücket:\n    Type: AWS::S3::Bucket # 😀 ✓\r\n    Properties: {}\n");
    client.open(&uri, "yaml", &text);

    let mut rng = Rng(seed);
    let mut version = 1;
    for n in 0..EDITS {
        // Every tenth notification carries three changes, each relative to the previous one's result.
        let changes: Vec<Value> = (0..if n % 10 == 0 { 3 } else { 1 })
            .map(|_| {
                let points = edit_points(&text);
                let start = points[rng.below(points.len())];
                let after: Vec<usize> = points.iter().copied().filter(|&p| p >= start).take(8).collect();
                let end = after[rng.below(after.len())];
                let new_text: String = (0..rng.below(3)).map(|_| PIECES[rng.below(PIECES.len())]).collect();
                let range = json!({ "start": position(&text, start, utf8), "end": position(&text, end, utf8) });
                text.replace_range(start..end, &new_text);
                json!({ "range": range, "text": new_text })
            })
            .collect();
        version += 1;
        let doc = json!({ "uri": uri, "version": version });
        client.notify("textDocument/didChange", json!({ "textDocument": doc, "contentChanges": changes }));
    }

    let server = client.request("samwise/documentText", json!({ "uri": uri })).unwrap();
    assert_eq!(server["version"], version);
    let server_text = server["text"].as_str().unwrap();
    if server_text != text {
        let first_diff = server_text.bytes().zip(text.bytes()).position(|(a, b)| a != b);
        panic!(
            "utf8={utf8} seed={seed}: texts differ (first at byte {first_diff:?})\nserver: {server_text:?}\nclient: {text:?}"
        );
    }
    // The diagnostics of the last version are published too.
    client.notification("textDocument/publishDiagnostics", |p| p["version"] == version);
    assert!(client.shutdown().success());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_thousand_edits_in_utf8_leave_the_servers_text_equal_to_the_clients() {
    run(true, 0x5eed_0001);
}

#[test]
fn a_thousand_edits_in_utf16_leave_the_servers_text_equal_to_the_clients() {
    run(false, 0x5eed_0002);
}

#[test]
fn a_full_text_change_replaces_the_document() {
    let client = LspClient::start(&[]);
    client.initialize(editor_capabilities(false), Value::Null, None);
    let uri = "untitled:Untitled-1";
    client.open(uri, "yaml", "a: 1\n");
    let doc = json!({ "uri": uri, "version": 2 });
    let changes = json!([{ "text": "b: 2\r\n" }, { "range": { "start": { "line": 9, "character": 0 }, "end": { "line": 9, "character": 0 } }, "text": "c" }]);
    client.notify("textDocument/didChange", json!({ "textDocument": doc, "contentChanges": changes }));
    let server = client.request("samwise/documentText", json!({ "uri": uri })).unwrap();
    // A position past the end means the end of the document.
    assert_eq!(server["text"], "b: 2\r\nc");
    assert!(client.shutdown().success());
}
