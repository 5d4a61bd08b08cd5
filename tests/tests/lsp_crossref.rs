//! Template ↔ code cross-checks through the server: a Python file reading an environment variable
//! the template does not define gets a warning with a quick fix that edits the template, and saving
//! the template (with the variable added) re-checks the open Python file.

use samwise_e2e::lsp_client::{LspClient, editor_capabilities, file_uri, scratch_dir};
use serde_json::{Value, json};

const TEMPLATE: &str = "Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.13
      CodeUri: src/
      Handler: app.handler
";
const APP: &str = "import os\n\ndef handler(event, context):\n    return os.environ[\"TABLE\"]\n";

fn codes(published: &Value) -> Vec<String> {
    published["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap_or("").to_owned()).collect()
}

#[test]
fn a_missing_variable_is_fixed_in_the_template_and_saving_it_rechecks_the_code() {
    let client = LspClient::start(&[]);
    client.initialize(editor_capabilities(false), Value::Null, None);
    let dir = scratch_dir("crossref");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("template.yaml"), TEMPLATE).unwrap();
    std::fs::write(dir.join("src/app.py"), APP).unwrap();
    let template_uri = file_uri(&dir.join("template.yaml"));
    let app_uri = file_uri(&dir.join("src/app.py"));

    client.open(&app_uri, "python", APP);
    let opened = client.notification("textDocument/publishDiagnostics", |p| p["uri"] == app_uri.as_str());
    assert_eq!(codes(&opened), ["SW6002"], "{opened:#}");
    let warning = &opened["diagnostics"][0];
    assert_eq!(warning["range"]["start"], json!({ "line": 3, "character": 23 }));

    let actions = client
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": app_uri },
                "range": warning["range"],
                "context": { "diagnostics": [warning] },
            }),
        )
        .unwrap();
    let fix = actions.as_array().unwrap().iter().find(|a| a["title"].as_str().unwrap().contains("TABLE"));
    let fix = fix.unwrap_or_else(|| panic!("no fix: {actions:#}"));
    let edit = &fix["edit"];
    let edits = edit["changes"][template_uri.as_str()].as_array().cloned().unwrap_or_else(|| {
        let change = edit["documentChanges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["textDocument"]["uri"] == template_uri.as_str());
        change.unwrap_or_else(|| panic!("no template edit: {edit:#}"))["edits"].as_array().unwrap().clone()
    });
    assert_eq!(edits.len(), 1, "{edits:?}");
    assert!(edits[0]["newText"].as_str().unwrap().contains("Environment:\n        Variables:\n          TABLE: \"\""));

    // The user applies the fix and saves the template.
    client.open(&template_uri, "yaml", TEMPLATE);
    let fixed = format!("{TEMPLATE}      Environment:\n        Variables:\n          TABLE: orders\n");
    std::fs::write(dir.join("template.yaml"), &fixed).unwrap();
    let change =
        json!({ "textDocument": { "uri": template_uri, "version": 2 }, "contentChanges": [{ "text": fixed }] });
    client.notify("textDocument/didChange", change);
    client.notify("textDocument/didSave", json!({ "textDocument": { "uri": template_uri } }));
    let rechecked = client.notification("textDocument/publishDiagnostics", |p| p["uri"] == app_uri.as_str());
    assert_eq!(codes(&rechecked), Vec::<String>::new(), "{rechecked:#}");
    assert!(client.shutdown().success());
    std::fs::remove_dir_all(dir).unwrap();
}
