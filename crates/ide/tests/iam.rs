//! The IAM cross-check on Python code (`SW6101`): findings on a project with deliberate gaps, none on
//! a project whose policies cover its calls or whose role cannot be read, none on the example
//! project, the quick fix that adds a policy to the template, and the hover line.

mod common;

use std::path::Path;
use std::sync::Arc;

use common::{fixture, show};
use expect_test::{Expect, expect};
use samwise_ide::{Analysis, Config};

fn sw6101(text: &str) -> String {
    let f = fixture(text);
    let a = &f.analysis;
    a.diagnostics()
        .iter()
        .filter(|d| d.code == "SW6101")
        .map(|d| format!("{} {:?}: {}\n", show(a.text(), d.range), d.severity, d.message))
        .collect()
}

fn check(text: &str, expect: Expect) {
    expect.assert_eq(&sw6101(text));
}

const GAPS: &str = r#"
//- file: template.yaml
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: app.handler
      Policies:
        - SSMParameterReadPolicy:
            ParameterName: app/*
        - S3ReadPolicy:
            BucketName: assets
//- file: src/app.py
import boto3
ssm = boto3.client("ssm")
s3 = boto3.client("s3")
ddb = boto3.client("dynamodb")
def handler(event, context):
    ssm.get_parameter(Name="/app/db")
    ssm.get_parameter(Name="/other/key")
    s3.get_object(Bucket="assets", Key="a.txt")
    s3.put_object(Bucket="assets", Key="a.txt", Body=b"")
    s3.list_objects_v2(Bucket="assets")
    ddb.put_item(TableName="orders", Item={})
    $0
"#;

#[test]
fn gaps_are_reported_on_the_calls() {
    check(
        GAPS,
        expect![[r#"
            7:5-7:41 "ssm.get_parameter(Name=\"/other/key\")" Warning: `ssm:GetParameter` on `arn:*:ssm:*:*:parameter/other/key` is not granted to function `Fn` (../template.yaml)
            9:5-9:58 "s3.put_object(Bucket=\"assets\", Key=\"a.txt\", Body=b\"\")" Warning: `s3:PutObject` on `arn:*:s3:::assets/a.txt` is not granted to function `Fn` (../template.yaml)
            11:5-11:46 "ddb.put_item(TableName=\"orders\", Item={})" Warning: `dynamodb:PutItem` on `arn:*:dynamodb:*:*:table/orders` is not granted to function `Fn` (../template.yaml)
        "#]],
    );
}

#[test]
fn unknown_role_or_managed_policy_reports_nothing() {
    for policies in ["      Role: !ImportValue shared-role\n", "      Policies: [AmazonS3FullAccess]\n"] {
        let text = format!(
            "//- file: template.yaml\nTransform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      CodeUri: src\n      Handler: app.handler\n{policies}//- file: src/app.py\nimport boto3\ndef handler(event, context):\n    boto3.client('s3').put_object(Bucket='b', Key='k', Body=b'')$0\n"
        );
        assert_eq!(sw6101(&text), "", "{policies}");
    }
}

#[test]
fn only_functions_that_run_the_file_are_checked() {
    // Both functions deploy `src/`, but only Reader's handler imports `shared.py`.
    let text = r#"
//- file: template.yaml
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    CodeUri: src
Resources:
  Reader:
    Type: AWS::Serverless::Function
    Properties:
      Handler: reader.handler
  Writer:
    Type: AWS::Serverless::Function
    Properties:
      Handler: writer.handler
//- file: src/reader.py
import shared
def handler(event, context):
    return shared.get()
//- file: src/writer.py
def handler(event, context):
    return None
//- file: src/shared.py
import boto3
def get():
    return boto3.client("ssm").get_parameter(Name="/app/x")$0
"#;
    check(
        text,
        expect![[r#"
            3:12-3:60 "boto3.client(\"ssm\").get_parameter(Name=\"/app/x\")" Warning: `ssm:GetParameter` on `arn:*:ssm:*:*:parameter/app/x` is not granted to function `Reader` (../template.yaml)
        "#]],
    );
}

fn fix(text: &str, expect: Expect) {
    common::template_fix(text, |code| code == "SW6101", expect);
}

#[test]
fn the_fix_appends_to_policies() {
    fix(
        &GAPS.replace(
            "    ddb.put_item(TableName=\"orders\", Item={})\n    $0",
            "    ddb.put_item(TableName=\"or$0ders\", Item={})",
        ),
        expect![[r#"
            Add the `DynamoDBWritePolicy` policy template to Fn in ../template.yaml
            Transform: AWS::Serverless-2016-10-31
            Globals:
              Function:
                Runtime: python3.12
            Resources:
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  CodeUri: src
                  Handler: app.handler
                  Policies:
                    - SSMParameterReadPolicy:
                        ParameterName: app/*
                    - S3ReadPolicy:
                        BucketName: assets
                    - DynamoDBWritePolicy:
                        TableName: 'orders'
        "#]],
    );
}

#[test]
fn the_fix_creates_policies() {
    fix(
        r#"
//- file: template.yaml
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      CodeUri: src
      Handler: app.handler
      Environment:
        Variables:
          A: "1"
  Other:
    Type: AWS::SNS::Topic
//- file: src/app.py
import boto3
def handler(event, context):
    boto3.client("ssm").get_para$0meter(Name="/app/db")
"#,
        expect![[r#"
            Add the `SSMParameterReadPolicy` policy template to Fn in ../template.yaml
            Transform: AWS::Serverless-2016-10-31
            Resources:
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  Runtime: python3.12
                  CodeUri: src
                  Handler: app.handler
                  Environment:
                    Variables:
                      A: "1"
                  Policies:
                    - SSMParameterReadPolicy:
                        ParameterName: 'app/db'
              Other:
                Type: AWS::SNS::Topic
        "#]],
    );
}

#[test]
fn the_fix_turns_a_single_policy_into_a_list() {
    fix(
        r#"
//- file: template.yaml
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      CodeUri: src
      Handler: app.handler
      Policies: AWSLambdaBasicExecutionRole
      Timeout: 3
//- file: src/app.py
import boto3
def handler(event, context):
    boto3.client("cloudwatch").put_metr$0ic_data(Namespace="n", MetricData=[])
"#,
        expect![[r#"
            Add the `CloudWatchPutMetricPolicy` policy template to Fn in ../template.yaml
            Transform: AWS::Serverless-2016-10-31
            Resources:
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  Runtime: python3.12
                  CodeUri: src
                  Handler: app.handler
                  Policies:
                    - AWSLambdaBasicExecutionRole
                    - CloudWatchPutMetricPolicy: {}
                  Timeout: 3
        "#]],
    );
}

#[test]
fn hover_shows_the_checked_action_when_it_differs() {
    let f =
        fixture("//- file: src/app.py\nimport boto3\nlam = boto3.client('lambda')\nlam.inv$0oke(FunctionName='f')\n");
    let h = f.analysis.hover(f.cursor()).expect("hover");
    assert!(h.markdown.ends_with("IAM: `lambda:InvokeFunction`"), "{}", h.markdown);
    let f = fixture("//- file: src/app.py\nimport boto3\nboto3.client('ssm').get_para$0meter(Name='x')\n");
    let h = f.analysis.hover(f.cursor()).expect("hover");
    assert!(!h.markdown.contains("IAM: `"), "{}", h.markdown);
}

#[test]
fn the_example_project_is_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/parameter-store");
    let path = root.join("src/app.py");
    let text: Arc<str> = std::fs::read_to_string(&path).unwrap().into();
    let a = Analysis::new(Some(&path), text, &Config::default());
    let found: Vec<_> = a.diagnostics().into_iter().filter(|d| d.code == "SW6101").collect();
    assert!(found.is_empty(), "{found:?}");
    assert!(samwise_ide::rules().iter().any(|r| r.code == "SW6101"));
}
