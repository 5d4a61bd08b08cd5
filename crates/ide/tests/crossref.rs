//! Template ↔ code cross-checks on fixture projects: handler diagnostics (`SW4007` from the
//! template rules, `SW6001` here), environment variables read but not defined (`SW6002`/`SW6003`)
//! with their quick fix, variables defined but not read (`SW6004`), hover on a Handler and renaming
//! a handler function. `fixtures/xref/gaps` has one deliberate gap of each kind; the example project
//! must have none.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::{apply, fixture, show};
use expect_test::{Expect, expect};
use samwise_ide::{Analysis, Config};

fn project(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/xref").join(name)
}

fn analyse(path: &Path) -> Analysis {
    let text: Arc<str> = std::fs::read_to_string(path).unwrap().into();
    Analysis::new(Some(path), text, &Config::default())
}

/// The cross-check findings of each file, one per line: `file line:col-line:col "text" code severity: message`.
fn findings(root: &Path, files: &[&str]) -> String {
    let mut out = String::new();
    for file in files {
        let a = analyse(&root.join(file));
        for d in a.diagnostics() {
            if d.code.starts_with("SW6") || d.code == "SW4007" {
                let sev = d.severity.as_str();
                out.push_str(&format!("{file} {} {} {sev}: {}\n", show(a.text(), d.range), d.code, d.message));
            }
        }
    }
    out
}

fn check(root: &Path, files: &[&str], expect: Expect) {
    expect.assert_eq(&findings(root, files));
}

#[test]
fn gaps_are_reported_on_the_template_and_on_the_code() {
    check(
        &project("gaps"),
        &[
            "template.yaml",
            "src/app.py",
            "src/helpers.py",
            "src/script.py",
            "handlers/shapes.py",
            "node/index.js",
            "node/config.js",
        ],
        expect![[r#"
            template.yaml 17:16-17:30 "nosuch.handler" SW4007 error: handler 'nosuch.handler' needs the file handlers/nosuch.py, which does not exist; fix the Handler or add the file
            template.yaml 23:16-23:29 "shapes.nosuch" SW4007 error: handler 'shapes.nosuch': handlers/shapes.py does not define a function 'nosuch'; add `def nosuch(event, context):` or fix the Handler
            template.yaml 29:23-29:30 "one_arg" SW6001 warning: Lambda calls the handler as `one_arg(event, context)`, but it is declared `one_arg(event)`; declare it as `def one_arg(event, context):`
            template.yaml 35:23-35:35 "keyword_only" SW6001 warning: Lambda calls the handler as `keyword_only(event, context)`, but it is declared `keyword_only(event, *, context)`; declare it as `def keyword_only(event, context):`
            template.yaml 77:22-77:34 "withCallback" SW6001 warning: 'withCallback' takes 3 parameters; nodejs24.x calls handlers with (event, context) only — callback handlers are not supported from Node.js 24 on; return a Promise (async) instead
            template.yaml 58:11-58:21 "NEVER_READ" SW6004 hint: `NEVER_READ` is set for EnvFunction but its code (src/app.py, src/helpers.py) never reads it; remove it if nothing else needs it
            template.yaml 70:11-70:21 "STALE_FLAG" SW6004 hint: `STALE_FLAG` is set for NodeFunction but its code (node/index.js, node/config.js) never reads it; remove it if nothing else needs it
            src/app.py 16:26-16:37 "BUCKET_NAME" SW6002 warning: `BUCKET_NAME` is not set for EnvFunction (../template.yaml), so this read fails at run time; add it to the function's Environment.Variables (or to Globals.Function.Environment)
            src/app.py 17:24-17:33 "LOG_LEVEL" SW6003 hint: `LOG_LEVEL` is not set for EnvFunction (../template.yaml); the code falls back to its default. Add it to the function's Environment.Variables to configure it
            node/index.js 5:59-5:66 "DLQ_URL" SW6002 warning: `DLQ_URL` is not set for NodeFunction (../template.yaml), NodeCallbackFunction (../template.yaml), so this read fails at run time; add it to the function's Environment.Variables (or to Globals.Function.Environment)
            node/config.js 1:36-1:46 "REGION_URL" SW6003 hint: `REGION_URL` is not set for NodeFunction (../template.yaml), NodeCallbackFunction (../template.yaml); the code falls back to its default. Add it to the function's Environment.Variables to configure it
        "#]],
    );
}

#[test]
fn the_example_project_has_no_cross_check_findings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/parameter-store");
    assert_eq!(findings(&root, &["template.yaml", "src/app.py"]), "");
}

/// Applies the first quick fix offered on the `$0` read of the Python file and returns the
/// template it edits.
fn fix(text: &str, expect: Expect) {
    common::template_fix(text, |code| code.starts_with("SW600"), expect);
}

#[test]
fn the_fix_adds_to_existing_variables() {
    fix(
        r#"
//- file: template.yaml
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.13
      CodeUri: src
      Handler: app.handler
      Environment:
        Variables:
          A: "1"   # a comment stays on its line
      Timeout: 3
//- file: src/app.py
import os
def handler(event, context):
    return os.environ["NE$0W"]
"#,
        expect![[r#"
            Add `NEW` to the Environment of Fn in ../template.yaml
            Transform: AWS::Serverless-2016-10-31
            Resources:
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  Runtime: python3.13
                  CodeUri: src
                  Handler: app.handler
                  Environment:
                    Variables:
                      A: "1"   # a comment stays on its line
                      NEW: "" # TODO: set NEW
                  Timeout: 3
        "#]],
    );
}

#[test]
fn the_fix_creates_variables_under_an_existing_environment() {
    fix(
        r#"
//- file: template.yaml
Transform: AWS::Serverless-2016-10-31
Resources:
    Fn:
        Type: AWS::Serverless::Function
        Properties:
            Runtime: python3.13
            CodeUri: src
            Handler: app.handler
            Environment:
                Other: x
//- file: src/app.py
import os
def handler(event, context):
    return os.getenv("NE$0W", "d")
"#,
        expect![[r#"
            Add `NEW` to the Environment of Fn in ../template.yaml
            Transform: AWS::Serverless-2016-10-31
            Resources:
                Fn:
                    Type: AWS::Serverless::Function
                    Properties:
                        Runtime: python3.13
                        CodeUri: src
                        Handler: app.handler
                        Environment:
                            Other: x
                            Variables:
                                NEW: "" # TODO: set NEW
        "#]],
    );
}

#[test]
fn the_fix_creates_the_environment() {
    fix(
        r#"
//- file: template.yaml
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs22.x
      CodeUri: .
      Handler: index.handler
      Policies:
        - S3ReadPolicy:
            BucketName: b
  Other:
    Type: AWS::SNS::Topic
//- file: index.js
exports.handler = async () => process.env.NE$0W;
"#,
        expect![[r#"
            Add `NEW` to the Environment of Fn in template.yaml
            Transform: AWS::Serverless-2016-10-31
            Resources:
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  Runtime: nodejs22.x
                  CodeUri: .
                  Handler: index.handler
                  Policies:
                    - S3ReadPolicy:
                        BucketName: b
                  Environment:
                    Variables:
                      NEW: "" # TODO: set NEW
              Other:
                Type: AWS::SNS::Topic
        "#]],
    );
}

#[test]
fn nothing_when_the_environment_is_an_intrinsic_or_no_template_deploys_the_file() {
    let f = fixture(
        r#"
//- file: template.yaml
Transform: AWS::Serverless-2016-10-31
Conditions:
  Prod: !Equals [a, b]
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.13
      CodeUri: src
      Handler: app.handler
      Environment: !If [Prod, {Variables: {A: 1}}, !Ref AWS::NoValue]
//- file: src/app.py
import os
def handler(event, context):
    return os.environ["NOT_DEFINED$0"]
//- file: other/app.py
import os
x = os.environ["NOT_DEFINED"]
"#,
    );
    assert!(f.analysis.diagnostics().iter().all(|d| !d.code.starts_with("SW6")), "{:?}", f.analysis.diagnostics());
    let other = analyse(&f.dir.0.join("other/app.py"));
    assert!(other.diagnostics().iter().all(|d| !d.code.starts_with("SW6")));
}

#[test]
fn no_unused_hint_when_the_code_reads_the_environment_dynamically_or_uses_a_library() {
    for code in [
        "import os\ndef handler(event, context):\n    return dict(os.environ)\n",
        "import os\nfrom aws_lambda_powertools import Logger\ndef handler(event, context):\n    return 1\n",
    ] {
        let f = fixture(&format!(
            "//- file: template.yaml
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.13
      CodeUri: src
      Handler: app.handler
      Environment:
        Variables:
          LOG_LEVEL: INFO
//- file: src/app.py
{code}"
        ));
        assert!(f.analysis.diagnostics().iter().all(|d| d.code != "SW6004"), "{code}");
    }
}

#[test]
fn hover_on_a_handler_shows_the_signature_and_docstring() {
    let root = project("gaps");
    let a = analyse(&root.join("template.yaml"));
    let at = a.text().find("app.handler").unwrap() as u32 + 5;
    let h = a.hover(at).expect("hover");
    expect![[r#"
        53:16-53:27 "app.handler"
        ```python
        def handler(event, context)
        ```

        Stores the order.

        Returns the table it used.

        Defined in `src/app.py`"#]]
    .assert_eq(&format!("{}\n{}", show(a.text(), h.range), h.markdown));
    let at = a.text().find("index.handler").unwrap() as u32 + 2;
    let h = a.hover(at).expect("hover");
    expect![[r#"
        ```javascript
        exports.handler = async (event, context) => {
        ```

        Defined in `node/index.js`"#]]
    .assert_eq(&h.markdown);
}

#[test]
fn renaming_a_handler_function_edits_the_templates_naming_it() {
    let f = fixture(
        r#"
//- file: template.yaml
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Handler: app.handler
Resources:
  A:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.13
      CodeUri: src/
  B:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.13
      CodeUri: ./src
      Handler: app.handler
  C:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.13
      CodeUri: src
      Handler: app.other
//- file: src/app.py
def hand$0ler(event, context):
    return 1

def other(event, context):
    return 2
"#,
    );
    let range = f.analysis.prepare_rename(f.cursor()).unwrap();
    assert_eq!(&f.text()[range.as_range()], "handler");
    let edits = f.analysis.rename(f.cursor(), "main").unwrap();
    let mut out = String::new();
    for e in &edits {
        let (name, text) = match &e.path {
            None => ("src/app.py".to_owned(), f.text().to_owned()),
            Some(p) => (f.rel(p), e.target_text.as_deref().unwrap().to_owned()),
        };
        out.push_str(&format!("//- {name}\n{}", apply(&text, &e.edits)));
    }
    expect![[r#"
        //- src/app.py
        def main(event, context):
            return 1

        def other(event, context):
            return 2
        //- template.yaml
        Transform: AWS::Serverless-2016-10-31
        Globals:
          Function:
            Handler: app.main
        Resources:
          A:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.13
              CodeUri: src/
          B:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.13
              CodeUri: ./src
              Handler: app.main
          C:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.13
              CodeUri: src
              Handler: app.other
    "#]]
    .assert_eq(&out);
    // A name used elsewhere in the file is left to Python tooling.
    let f = fixture(
        "//- file: template.yaml\nTransform: AWS::Serverless-2016-10-31\nResources:\n  A:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.13\n      CodeUri: .\n      Handler: app.go\n//- file: app.py\ndef g$0o(event, context):\n    return go\n",
    );
    expect!["'go' is also used on line 2 of this file; rename it with your Python tooling and update the template's Handler by hand"].assert_eq(&f.analysis.rename(f.cursor(), "run").unwrap_err());
}

#[test]
fn the_rules_are_listed() {
    let codes: Vec<&str> = samwise_ide::rules().iter().map(|r| r.code).filter(|c| c.starts_with("SW60")).collect();
    assert_eq!(codes, ["SW6001", "SW6002", "SW6003", "SW6004"]);
}

/// The env-var codes reported on `src/app.py` of a project whose template sits at `template_path`.
fn env_codes_with_template(template_path: &str, template: &str, extra: &str) -> Vec<&'static str> {
    let f = fixture(&format!(
        "//- file: {template_path}\n{template}{extra}\n//- file: proj/src/app.py\nimport os\ndef handler(event, context):\n    return os.environ[\"X$0\"]\n"
    ));
    f.analysis.diagnostics().iter().map(|d| d.code).filter(|c| c.starts_with("SW60")).collect()
}

#[test]
fn templates_are_found_walking_up_but_not_past_a_repository_root() {
    let yaml = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.13\n      CodeUri: proj/src\n      Handler: app.handler\n";
    let json = r#"{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"Fn": {"Type": "AWS::Lambda::Function",
        "Properties": {"Runtime": "python3.13", "Code": "proj/src", "Handler": "app.handler", "Role": "arn:aws:iam::1:role/r"}}}}"#;
    // Any `*.yaml` that sniffs as a template, and `template.json`; other YAML files are skipped.
    assert_eq!(env_codes_with_template("stack.yaml", yaml, "//- file: compose.yml\nservices: {}\n"), ["SW6002"]);
    assert_eq!(env_codes_with_template("template.json", json, ""), ["SW6002"]);
    assert_eq!(env_codes_with_template("other.json", json, ""), Vec::<&str>::new());
    // A `.git` folder marks the repository root: the search stops there.
    assert_eq!(
        env_codes_with_template("template.yaml", yaml, "//- file: proj/.git/HEAD\nref: main\n"),
        Vec::<&str>::new()
    );
}

#[test]
fn a_globals_variable_no_function_reads_is_hinted_in_globals() {
    let f = fixture(
        r#"
//- file: template.yaml
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.13
    CodeUri: src
    Environment:
      Variables:
        USED_BY_ONE: a
        USED_BY_NONE: b$0
Resources:
  One:
    Type: AWS::Serverless::Function
    Properties:
      Handler: one.handler
  Two:
    Type: AWS::Serverless::Function
    Properties:
      Handler: two.handler
//- file: src/one.py
import os
def handler(event, context):
    return os.environ["USED_BY_ONE"]
//- file: src/two.py
def handler(event, context):
    return 2
"#,
    );
    let hints: Vec<String> = f
        .analysis
        .diagnostics()
        .iter()
        .filter(|d| d.code == "SW6004")
        .map(|d| format!("{} {}", show(f.text(), d.range), d.message))
        .collect();
    expect![[r#"9:9-9:21 "USED_BY_NONE" `USED_BY_NONE` is set in Globals for every function but none of their code reads it; remove it if nothing else needs it"#]].assert_eq(&hints.join("\n"));
}

#[test]
fn the_fix_in_a_json_template() {
    fix(
        r#"
//- file: template.json
{
    "Transform": "AWS::Serverless-2016-10-31",
    "Resources": {
        "Fn": {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "Runtime": "python3.13",
                "CodeUri": "src",
                "Handler": "app.handler",
                "Environment": {"Variables": {"A": "1"}}
            }
        },
        "Gn": {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "Runtime": "python3.13",
                "CodeUri": "gsrc",
                "Handler": "app.handler"
            }
        }
    }
}
//- file: src/app.py
import os
def handler(event, context):
    return os.environ["NE$0W"]
"#,
        expect![[r#"
            Add `NEW` to the Environment of Fn in ../template.json
            {
                "Transform": "AWS::Serverless-2016-10-31",
                "Resources": {
                    "Fn": {
                        "Type": "AWS::Serverless::Function",
                        "Properties": {
                            "Runtime": "python3.13",
                            "CodeUri": "src",
                            "Handler": "app.handler",
                            "Environment": {"Variables": {"A": "1", "NEW": ""}}
                        }
                    },
                    "Gn": {
                        "Type": "AWS::Serverless::Function",
                        "Properties": {
                            "Runtime": "python3.13",
                            "CodeUri": "gsrc",
                            "Handler": "app.handler"
                        }
                    }
                }
            }
        "#]],
    );
    let f = fixture(
        "//- file: template.json\n{\"Transform\": \"AWS::Serverless-2016-10-31\", \"Resources\": {\"Fn\": {\"Type\": \
         \"AWS::Serverless::Function\",\n  \"Properties\": {\n    \"Runtime\": \"python3.13\",\n    \"CodeUri\": \"src\",\n    \
         \"Handler\": \"app.handler\"\n  }}}}\n//- file: src/app.py\nimport os\ndef handler(event, context):\n    return os.environ[\"NE$0W\"]\n",
    );
    let action = f.analysis.code_actions(samwise_ide::TextRange::empty(f.cursor())).remove(0);
    let path = action.edits[0].path.as_ref().unwrap();
    let edited = apply(&std::fs::read_to_string(path).unwrap(), &action.edits[0].edits);
    expect![[r#"
        {"Transform": "AWS::Serverless-2016-10-31", "Resources": {"Fn": {"Type": "AWS::Serverless::Function",
          "Properties": {
            "Runtime": "python3.13",
            "CodeUri": "src",
            "Handler": "app.handler",
            "Environment": {"Variables": {"NEW": ""}}
          }}}}
    "#]]
    .assert_eq(&edited);
}

#[test]
fn nothing_when_a_wrapper_script_runs_first() {
    let f = fixture(
        "//- file: template.yaml\nTransform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    \
         Properties:\n      Runtime: python3.13\n      CodeUri: .\n      Handler: app.handler\n      Environment:\n        Variables:\n          \
         AWS_LAMBDA_EXEC_WRAPPER: /opt/wrapper\n//- file: app.py\nimport os\ndef handler(event, context):\n    return os.environ[\"FROM_WRAPPER$0\"]\n",
    );
    assert!(f.analysis.diagnostics().iter().all(|d| d.code != "SW6002"), "{:?}", f.analysis.diagnostics());
}
