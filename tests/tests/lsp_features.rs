//! Every feature request end to end, on a valid template, a broken one and a Python file: each
//! answers (an array or null, never an error) for the current text, with parameters as real clients
//! send them. Feature content is tested where the analysis is (fixture tests in `crates/`); this
//! checks the plumbing of each method: parameter decoding, the call, result encoding.

use samwise_e2e::lsp_client::{LspClient, editor_capabilities, file_uri, scratch_dir};
use serde_json::{Value, json};

const VALID: &str = "\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
Resources:
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      Environment:
        Variables:
          STAGE: !Ref Stage
          NAME: !Sub '${HelloFunction}-x'
Outputs:
  Arn:
    Value: !GetAtt HelloFunction.Arn
";

const BROKEN: &str = "\
Resources:
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler app.handler
      Runtime: [python3.12
      Ev
";

const PYTHON: &str = "import boto3\n\ns3 = boto3.client(\"s3\")\ns3.put_object(Bucket=\"b\", Key=\"k\")\n";

fn answers_every_feature(client: &LspClient, uri: &str, line: u32, character: u32) {
    let doc = json!({ "uri": uri });
    let pos = json!({ "line": line, "character": character });
    let at = json!({ "textDocument": doc, "position": pos });
    let range = json!({ "start": { "line": 0, "character": 0 }, "end": pos });
    let requests = [
        ("textDocument/completion", json!({ "textDocument": doc, "position": pos, "context": { "triggerKind": 1 } })),
        ("textDocument/hover", at.clone()),
        ("textDocument/signatureHelp", at.clone()),
        ("textDocument/definition", at.clone()),
        (
            "textDocument/references",
            json!({ "textDocument": doc, "position": pos, "context": { "includeDeclaration": true } }),
        ),
        ("textDocument/documentSymbol", json!({ "textDocument": doc })),
        ("textDocument/foldingRange", json!({ "textDocument": doc })),
        ("textDocument/codeAction", json!({ "textDocument": doc, "range": range, "context": { "diagnostics": [] } })),
        ("textDocument/codeLens", json!({ "textDocument": doc })),
        ("textDocument/diagnostic", json!({ "textDocument": doc })),
    ];
    for (method, params) in requests {
        let answer = client.request(method, params).unwrap_or_else(|e| panic!("{method} on {uri}: {e}"));
        assert!(answer.is_array() || answer.is_null() || answer.is_object(), "{method}: {answer}");
        // Array answers hold well-formed items: ranges have both ends.
        for item in answer.as_array().into_iter().flatten() {
            if let Some(range) = item.get("range") {
                assert!(range["start"]["line"].is_u64() && range["end"]["character"].is_u64(), "{method}: {item}");
            }
        }
    }
    // Rename refuses with a message, or succeeds with a workspace edit; never a crash.
    match client.request("textDocument/prepareRename", at.clone()) {
        Ok(answer) => assert!(answer.is_null() || answer["start"].is_object(), "{answer}"),
        Err(e) => assert_eq!(e["code"], -32803, "RequestFailed with the reason: {e}"),
    }
    let rename = json!({ "textDocument": doc, "position": pos, "newName": "Renamed" });
    match client.request("textDocument/rename", rename) {
        Ok(answer) => assert!(answer.is_null() || answer["changes"].is_object(), "{answer}"),
        Err(e) => assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{e}"),
    }
}

#[test]
fn every_feature_answers_on_valid_and_broken_templates_and_python() {
    let client = LspClient::start(&[]);
    let dir = scratch_dir("features");
    client.initialize(editor_capabilities(false), Value::Null, Some(&dir));
    for (name, lang, text, line, character) in [
        ("template.yaml", "yaml", VALID, 14, 24),
        ("broken.yaml", "yaml", BROKEN, 6, 8),
        ("src/app.py", "python", PYTHON, 3, 14),
    ] {
        let uri = file_uri(&dir.join(name));
        client.open(&uri, lang, text);
        answers_every_feature(&client, &uri, line, character);
        // Positions beyond the text are clamped, not rejected.
        answers_every_feature(&client, &uri, 999, 999);
    }
    assert!(client.shutdown().success());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn workspace_symbols_search_templates_on_disk_and_open_ones() {
    let client = LspClient::start(&[]);
    let dir = scratch_dir("workspace-symbols");
    std::fs::write(dir.join("template.yaml"), VALID).unwrap();
    std::fs::create_dir_all(dir.join("node_modules/x")).unwrap();
    std::fs::write(dir.join("node_modules/x/template.yaml"), VALID).unwrap();
    client.initialize(editor_capabilities(true), Value::Null, Some(&dir));
    client.open(&file_uri(&dir.join("open.yaml")), "yaml", VALID);
    let symbols = client.request("workspace/symbol", json!({ "query": "" })).unwrap();
    let symbols = symbols.as_array().expect("a flat symbol list");
    for s in symbols {
        let uri = s["location"]["uri"].as_str().unwrap();
        assert!(!uri.contains("node_modules"), "dependency folders are skipped: {uri}");
        assert!(s["name"].is_string() && s["kind"].is_u64(), "{s}");
        // Every template has the same sections: listing them would only bury the entries.
        assert_ne!(s["name"], "Resources", "sections are not workspace symbols");
    }
    // The function is found in the template on disk and in the open document, once each.
    let hello = client.request("workspace/symbol", json!({ "query": "hellofn" })).unwrap();
    let mut files: Vec<&str> = hello
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["name"] == "HelloFunction")
        .map(|s| s["location"]["uri"].as_str().unwrap().rsplit('/').next().unwrap())
        .collect();
    files.sort();
    assert_eq!(files, ["open.yaml", "template.yaml"], "{hello:#}");
    // A query no symbol matches finds nothing.
    let none = client.request("workspace/symbol", json!({ "query": "zzzzqqqq" })).unwrap();
    assert_eq!(none, json!([]));
    assert!(client.shutdown().success());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn commands_run_by_the_editor_are_refused_with_an_explanation() {
    let client = LspClient::start(&[]);
    client.initialize(editor_capabilities(true), Value::Null, None);
    let err = client
        .request(
            "workspace/executeCommand",
            json!({ "command": "samwise.invokeLocally", "arguments": ["t.yaml", "Fn"] }),
        )
        .unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("run by the editor extension"), "{err}");
    assert!(client.shutdown().success());
}

/// The items of a completion answer carry no `data`; resolve finds the analysis item again by
/// label, sort text and detail, in the latest answer only.
#[test]
fn resolving_a_completion_item_adds_its_documentation() {
    let client = LspClient::start(&[]);
    client.initialize(editor_capabilities(true), Value::Null, None);
    let uri = "file:///resolve/template.yaml";
    client.open(uri, "yaml", "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      Bucket\n");
    let at = json!({ "textDocument": { "uri": uri }, "position": { "line": 4, "character": 12 } });
    let items = client.request("textDocument/completion", at).unwrap();
    let item = items.as_array().unwrap().iter().find(|i| i["label"] == "BucketName").expect("BucketName offered");
    assert!(item.get("data").is_none(), "{item}");
    assert!(item.get("documentation").is_none(), "documentation comes with resolve: {item}");
    let resolved = client.request("completionItem/resolve", item.clone()).unwrap();
    let docs = resolved["documentation"]["value"].as_str().unwrap_or_default();
    assert!(docs.contains("bucket"), "{resolved}");
    assert_eq!(resolved["label"], "BucketName");

    // After a completion elsewhere, an item only the older answer had comes back as it was.
    let at = json!({ "textDocument": { "uri": uri }, "position": { "line": 2, "character": 10 } });
    client.request("textDocument/completion", at).unwrap();
    assert_eq!(client.request("completionItem/resolve", item.clone()).unwrap(), *item);
    assert!(client.shutdown().success());
}

#[test]
fn resolving_a_completion_item_from_an_older_list_returns_it_unchanged() {
    let client = LspClient::start(&[]);
    client.initialize(editor_capabilities(true), Value::Null, None);
    let item = json!({ "label": "BucketName", "data": { "uri": "file:///gone.yaml", "version": 7, "index": 0 } });
    assert_eq!(client.request("completionItem/resolve", item.clone()).unwrap(), item);
    assert!(client.shutdown().success());
}

/// A completion list longer than `completionLimit` (default 100) is cut to the items that match
/// the word typed so far, prefix matches first, and marked incomplete; typing narrows it until it
/// fits. `completionLimit: 0` turns the limit off.
#[test]
fn long_completion_lists_are_cut_and_marked_incomplete() {
    let mut text =
        String::from("Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: !Ref \n");
    for i in 0..150 {
        text.push_str(&format!("  Queue{i:03}:\n    Type: AWS::SQS::Queue\n"));
    }
    text.push_str("  ZuluTable:\n    Type: AWS::DynamoDB::Table\n");
    let uri = "file:///limit/template.yaml";
    let labels = |answer: &Value| -> Vec<String> {
        let items = answer.get("items").unwrap_or(answer).as_array().unwrap();
        items.iter().map(|i| i["label"].as_str().unwrap().to_owned()).collect()
    };
    let complete_at = |client: &LspClient, character: u32| {
        let at = json!({ "textDocument": { "uri": uri }, "position": { "line": 4, "character": character } });
        client.request("textDocument/completion", at).unwrap()
    };

    let client = LspClient::start(&[]);
    client.initialize(editor_capabilities(true), Value::Null, None);
    client.open(uri, "yaml", &text);
    // `!Ref |`: 151 resources, the parameters and pseudo parameters would match.
    let answer = complete_at(&client, 20);
    assert_eq!(answer["isIncomplete"], true, "{answer}");
    let first = labels(&answer);
    assert_eq!(first.len(), 100);
    assert!(!first.contains(&"ZuluTable".to_owned()), "sorted after a hundred queues");

    // Typing `Zu` (the editor asks again, as the list was incomplete): a short, complete list.
    let typed = text.replacen("!Ref \n", "!Ref Zu\n", 1);
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "text": typed }] }),
    );
    let answer = complete_at(&client, 22);
    assert!(answer.is_array(), "a list that fits is complete: {answer}");
    assert_eq!(labels(&answer), ["ZuluTable"]);
    assert!(client.shutdown().success());

    let client = LspClient::start(&[]);
    client.initialize(editor_capabilities(true), json!({ "completionLimit": 0 }), None);
    client.open(uri, "yaml", &text);
    let all = labels(&complete_at(&client, 20));
    assert!(all.len() > 151 && all.contains(&"ZuluTable".to_owned()), "{} items", all.len());
    assert!(client.shutdown().success());
}
