//! The `samwise.deploy` LSP command end to end against moto: work-done progress (create, begin, one
//! report per event, end), the change-set confirmation through `window/showMessageRequest`, the
//! command's result, "no changes", a declined change set, and a failure as an error answer.

use std::path::{Path, PathBuf};
use std::process::Command;

use samwise_e2e::lsp_client::{LspClient, editor_capabilities, scratch_dir};
use samwise_e2e::moto::{Moto, SECRET_ACCESS_KEY, lambda_stack_template};
use serde_json::{Value, json};

fn start(moto: &Moto, dir: &Path) -> LspClient {
    let mut cmd = Command::new(samwise_e2e::binary("samwise-lsp"));
    moto.env_isolated(&mut cmd, &dir.join("home"));
    let client = LspClient::spawn(cmd);
    let mut caps = editor_capabilities(true);
    caps["window"] = json!({ "workDoneProgress": true, "showMessage": { "messageActionItem": {} } });
    client.initialize(caps, Value::Null, Some(dir));
    client
}

/// A project with one Python function (no samconfig.toml) and its artifact bucket in moto: the
/// project folder and its template.
fn project(moto: &Moto, name: &str, bucket: &str) -> (PathBuf, PathBuf) {
    let dir = scratch_dir(name);
    std::fs::create_dir_all(dir.join("hello")).unwrap();
    std::fs::create_dir_all(dir.join("home")).unwrap();
    std::fs::write(dir.join("hello/app.py"), "def handler(event, context):\n    return 1\n").unwrap();
    let template = dir.join("template.yaml");
    std::fs::write(&template, lambda_stack_template(&["Hello"])).unwrap();
    moto.create_bucket(bucket);
    (dir, template)
}

fn deploy(client: &LspClient, template: &Path, options: Value) -> Result<Value, Value> {
    client.request(
        "workspace/executeCommand",
        json!({ "command": "samwise.deploy", "arguments": [template.to_str().unwrap(), options] }),
    )
}

#[test]
fn deploy_command_reports_progress_asks_to_confirm_and_returns_the_outputs() {
    let moto = Moto::start();
    let (dir, template) = project(&moto, "lsp-deploy", "lsp-artifacts");
    let client = start(&moto, &dir);
    let options = json!({ "stackName": "lsp-stack", "s3Bucket": "lsp-artifacts" });

    client.set_message_action(Some("Deploy"));
    let result = deploy(&client, &template, options.clone()).unwrap();
    assert_eq!(result["status"], "deployed", "{result}");
    assert_eq!(result["stack"], "lsp-stack");
    assert_eq!(result["stackStatus"], "CREATE_COMPLETE");
    // moto computes no Outputs for stacks made by change sets: the field is there, empty.
    assert_eq!(result["outputs"], json!({}), "{result}");
    assert_eq!(result["uploaded"].as_array().unwrap().len(), 1, "{result}");

    let created = client.wait_server_requests("window/workDoneProgress/create", 1);
    let asked = client.wait_server_requests("window/showMessageRequest", 1);
    let ask = &asked[0]["params"];
    assert!(ask["message"].as_str().unwrap().contains("HelloFunction"), "{ask}");
    assert_eq!(ask["actions"], json!([{ "title": "Deploy" }, { "title": "Cancel" }]));
    let token = &created[0]["params"]["token"];
    let notes = client.take_notifications("$/progress");
    assert!(notes.iter().all(|n| &n["token"] == token), "one token for the run: {notes:?}");
    let values: Vec<&Value> = notes.iter().map(|n| &n["value"]).collect();
    assert_eq!(values.first().map(|v| &v["kind"]), Some(&json!("begin")), "{values:?}");
    assert_eq!(values.last().map(|v| &v["kind"]), Some(&json!("end")), "{values:?}");
    let reports: Vec<&str> =
        values.iter().filter(|v| v["kind"] == "report").filter_map(|v| v["message"].as_str()).collect();
    assert!(reports.iter().any(|m| m.starts_with("Uploaded ")), "{reports:?}");
    // One report per stack event, the final one included.
    assert!(reports.iter().any(|m| m.contains("CREATE_COMPLETE AWS::CloudFormation::Stack lsp-stack")), "{reports:?}");
    // The client's log keeps every report (a progress UI shows only the latest), then the end.
    let logged: Vec<String> = client
        .take_notifications("window/logMessage")
        .iter()
        .filter_map(|n| n["message"].as_str().map(str::to_owned))
        .collect();
    for report in &reports {
        assert!(logged.iter().any(|l| l == report), "{report} not logged: {logged:?}");
    }
    assert!(logged.iter().any(|l| l.contains("lsp-stack is CREATE_COMPLETE")), "{logged:?}");
    assert_eq!(moto.stack_status("lsp-stack"), "CREATE_COMPLETE");

    // Same template again: nothing to confirm, nothing uploaded.
    let again = deploy(&client, &template, options.clone()).unwrap();
    assert_eq!(again["status"], "noChanges", "{again}");
    assert_eq!(again["uploaded"], json!([]));
    assert_eq!(client.server_requests().iter().filter(|r| r["method"] == "window/showMessageRequest").count(), 1);

    // A change the user declines leaves the stack as it was.
    std::fs::write(dir.join("hello/app.py"), "def handler(event, context):\n    return 2\n").unwrap();
    client.set_message_action(Some("Cancel"));
    let declined = deploy(&client, &template, options).unwrap();
    assert_eq!(declined["status"], "cancelled", "{declined}");
    assert_eq!(moto.stack_status("lsp-stack"), "CREATE_COMPLETE");

    // A failure is an error answer naming the cause, and shown to the user.
    let failed =
        deploy(&client, &template, json!({ "stackName": "lsp-stack", "s3Bucket": "missing-bucket" })).unwrap_err();
    assert!(failed["message"].as_str().unwrap().contains("\"missing-bucket\" does not exist"), "{failed}");
    let shown = client.notification("window/showMessage", |p| p["type"] == 1);
    assert!(shown["message"].as_str().unwrap().contains("missing-bucket"), "{shown}");

    let bad = deploy(&client, &template, json!({ "confirm": "yes" })).unwrap_err();
    assert!(bad["message"].as_str().unwrap().contains("samwise.deploy options"), "{bad}");

    let stderr = client.stderr();
    assert!(client.shutdown().success());
    assert!(!stderr.contains(SECRET_ACCESS_KEY));
}

/// An editor that can ask the user (`askForMissing`) gets a missing stack name or bucket as an error
/// answer naming the setting (`data.missingSetting`), not shown to the user; it asks and runs the
/// command again with the answer. The settings of the deploy that succeeds are saved to
/// samconfig.toml, so the next deploy needs no questions.
#[test]
fn an_editor_that_asks_gets_the_missing_setting_named_and_nothing_shown() {
    let moto = Moto::start();
    let (dir, template) = project(&moto, "lsp-deploy-ask", "asked-artifacts");
    let client = start(&moto, &dir);

    let missing = deploy(&client, &template, json!({ "askForMissing": true })).unwrap_err();
    assert_eq!(missing["code"], -32803, "{missing}");
    assert_eq!(missing["data"], json!({ "missingSetting": "stackName" }), "{missing}");
    let missing = deploy(&client, &template, json!({ "askForMissing": true, "stackName": "asked-stack" })).unwrap_err();
    assert_eq!(missing["data"], json!({ "missingSetting": "s3Bucket" }), "{missing}");
    // Neither was shown: the editor asks instead.
    assert!(client.take_notifications("window/showMessage").iter().all(|n| n["type"] != 1));

    let options =
        json!({ "askForMissing": true, "stackName": "asked-stack", "s3Bucket": "asked-artifacts", "confirm": false });
    let result = deploy(&client, &template, options).unwrap();
    assert_eq!(result["status"], "deployed", "{result}");
    let samconfig = std::fs::read_to_string(dir.join("samconfig.toml")).unwrap();
    assert!(samconfig.contains("asked-stack") && samconfig.contains("asked-artifacts"), "{samconfig}");
    let again = deploy(&client, &template, json!({ "askForMissing": true })).unwrap();
    assert_eq!(again["status"], "noChanges", "{again}");

    // Without askForMissing, the same failure is also shown to the user.
    std::fs::remove_file(dir.join("samconfig.toml")).unwrap();
    let failed = deploy(&client, &template, json!({})).unwrap_err();
    assert_eq!(failed["data"], json!({ "missingSetting": "stackName" }), "{failed}");
    let shown = client.notification("window/showMessage", |p| p["type"] == 1);
    assert!(shown["message"].as_str().unwrap().contains("stack_name"), "{shown}");
    assert!(client.shutdown().success());
}
