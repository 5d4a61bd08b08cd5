//! Code actions and code lenses on fixtures: each action's title and flags, then the document
//! with its edits applied.

mod common;

use common::{apply_file_edits, fixture, show};
use expect_test::{Expect, expect};
use samwise_ide::TextRange;

/// Actions for the range between the first and last `$0` (or at the single `$0`).
fn actions(text: &str, expect: Expect) {
    let f = fixture(text);
    let range = TextRange::new(f.cursors[0], *f.cursors.last().unwrap());
    let mut out = String::new();
    for a in f.analysis.code_actions(range) {
        let flags = format!(
            "{}{}{}",
            if a.is_quickfix { "quickfix" } else { "refactor" },
            a.diagnostic_code.as_deref().map(|c| format!(" {c}")).unwrap_or_default(),
            if a.is_preferred { " preferred" } else { "" }
        );
        out.push_str(&format!("== {} [{flags}]\n{}", a.title, apply_file_edits(f.text(), &a.edits)));
    }
    expect.assert_eq(&out);
}

#[test]
fn did_you_mean_fixes_of_diagnostics_under_the_cursor() {
    actions(
        r#"Parameters:
  BucketName:
    Type: String
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Ref BucketNme$0
"#,
        expect![[r#"
            == Change to 'BucketName' [quickfix SW3001 preferred]
            Parameters:
              BucketName:
                Type: String
            Resources:
              Bucket:
                Type: AWS::S3::Bucket
                Properties:
                  BucketName: !Ref BucketName
            == Create parameter 'BucketNme' [quickfix SW3001]
            Parameters:
              BucketName:
                Type: String
              BucketNme:
                Type: String
            Resources:
              Bucket:
                Type: AWS::S3::Bucket
                Properties:
                  BucketName: !Ref BucketNme
        "#]],
    );
}

#[test]
fn no_actions_away_from_diagnostics() {
    actions(
        "Parameters:\n  Name:\n    Type: String\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Ref Nam$0e\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties: { TopicName: !Ref Nope }\n",
        expect![""],
    );
}

#[test]
fn create_a_missing_parameter_in_the_existing_section() {
    actions(
        r#"AWSTemplateFormatVersion: "2010-09-09"
Parameters:
    Stage:
        Type: String
Resources:
    Bucket:
        Type: AWS::S3::Bucket
        Properties:
            BucketName: !Ref Dat$0aBucketName
"#,
        expect![[r#"
            == Create parameter 'DataBucketName' [quickfix SW3001 preferred]
            AWSTemplateFormatVersion: "2010-09-09"
            Parameters:
                Stage:
                    Type: String
                DataBucketName:
                    Type: String
            Resources:
                Bucket:
                    Type: AWS::S3::Bucket
                    Properties:
                        BucketName: !Ref DataBucketName
        "#]],
    );
}

#[test]
fn create_a_missing_parameter_and_its_section() {
    actions(
        r#"Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          TABLE: !Ref TableN$0ame
"#,
        expect![[r#"
            == Create parameter 'TableName' [quickfix SW3001 preferred]
            Transform: AWS::Serverless-2016-10-31
            Parameters:
              TableName:
                Type: String
            Resources:
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  Environment:
                    Variables:
                      TABLE: !Ref TableName
        "#]],
    );
    // The same for a `${}` variable of Fn::Sub; `${Res.Attr}` and pseudo parameters get nothing.
    actions(
        "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub \"${Pre$0fix}-${AWS::Regio}-${Nope.Arn}$0\"\n",
        expect![[r#"
            == Create parameter 'Prefix' [quickfix SW3004 preferred]
            Parameters:
              Prefix:
                Type: String
            Resources:
              Bucket:
                Type: AWS::S3::Bucket
                Properties:
                  BucketName: !Sub "${Prefix}-${AWS::Regio}-${Nope.Arn}"
            == Change to 'AWS::Region' [quickfix SW3004 preferred]
            Resources:
              Bucket:
                Type: AWS::S3::Bucket
                Properties:
                  BucketName: !Sub "${Prefix}-${AWS::Region}-${Nope.Arn}"
        "#]],
    );
    // An empty `Parameters:` gets the entry under it.
    actions(
        "Parameters:\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Ref Na$0me\n",
        expect![[r#"
            == Create parameter 'Name' [quickfix SW3001 preferred]
            Parameters:
              Name:
                Type: String
            Resources:
              Bucket:
                Type: AWS::S3::Bucket
                Properties:
                  BucketName: !Ref Name
        "#]],
    );
}

#[test]
fn create_a_missing_parameter_in_a_broken_template() {
    actions(
        r#"Parameters:
  Stage:
    Type: String
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Ref Prefi$0x
      Tags
"#,
        expect![[r#"
            == Create parameter 'Prefix' [quickfix SW3001 preferred]
            Parameters:
              Stage:
                Type: String
              Prefix:
                Type: String
            Resources:
              Bucket:
                Type: AWS::S3::Bucket
                Properties:
                  BucketName: !Ref Prefix
                  Tags
        "#]],
    );
}

#[test]
fn create_a_missing_parameter_in_json() {
    actions(
        r#"{
  "Resources": {
    "Bucket": {
      "Type": "AWS::S3::Bucket",
      "Properties": { "BucketName": { "Ref": "Bucket$0Name" } }
    }
  }
}
"#,
        expect![[r#"
            == Create parameter 'BucketName' [quickfix SW3001 preferred]
            {
              "Parameters": {
                "BucketName": { "Type": "String" }
              },
              "Resources": {
                "Bucket": {
                  "Type": "AWS::S3::Bucket",
                  "Properties": { "BucketName": { "Ref": "BucketName" } }
                }
              }
            }
        "#]],
    );
    actions(
        r#"{
  "Parameters": {
    "Stage": { "Type": "String" }
  },
  "Resources": {
    "Bucket": {
      "Type": "AWS::S3::Bucket",
      "Properties": { "BucketName": { "Ref": "Bucket$0Name" } }
    }
  }
}
"#,
        expect![[r#"
            == Create parameter 'BucketName' [quickfix SW3001 preferred]
            {
              "Parameters": {
                "Stage": { "Type": "String" },
                "BucketName": { "Type": "String" }
              },
              "Resources": {
                "Bucket": {
                  "Type": "AWS::S3::Bucket",
                  "Properties": { "BucketName": { "Ref": "BucketName" } }
                }
              }
            }
        "#]],
    );
}

#[test]
fn add_the_missing_required_properties_the_schema_rule_reports() {
    // On the resource (its `Properties` key), then on a nested object written in flow style.
    actions(
        r#"Resources:
  Fn:
    Type: AWS::Lambda::Function
    Prop$0erties:
      Runtime: python3.12
      Handler: app.handler
      Code: { ZipFile: "def handler(e, c): pass" }
      EphemeralStorage: {}
"#,
        expect![[r#"
            == Add required property 'Role' [quickfix SW2003 preferred]
            Resources:
              Fn:
                Type: AWS::Lambda::Function
                Properties:
                  Runtime: python3.12
                  Handler: app.handler
                  Code: { ZipFile: "def handler(e, c): pass" }
                  EphemeralStorage: {}
                  Role: 
        "#]],
    );
    actions(
        r#"Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Role: arn:aws:iam::123456789012:role/r
      Code: { ZipFile: "def handler(e, c): pass" }
      Ephemeral$0Storage: {}
"#,
        expect![[r#"
            == Add required property 'Size' [quickfix SW2003 preferred]
            Resources:
              Fn:
                Type: AWS::Lambda::Function
                Properties:
                  Runtime: python3.12
                  Handler: app.handler
                  Role: arn:aws:iam::123456789012:role/r
                  Code: { ZipFile: "def handler(e, c): pass" }
                  EphemeralStorage: {Size: }
        "#]],
    );
    // A resource without `Properties` gets the section.
    actions(
        r#"Resources:
  Sub$0:
    Type: AWS::SNS::Subscription
  Topic:
    Type: AWS::SNS::Topic
"#,
        expect![[r#"
            == Add required properties TopicArn, Protocol [quickfix SW2003 preferred]
            Resources:
              Sub:
                Type: AWS::SNS::Subscription
                Properties:
                  TopicArn: 
                  Protocol: 
              Topic:
                Type: AWS::SNS::Topic
        "#]],
    );
}

fn lenses(text: &str, expect: Expect) {
    let f = fixture(text);
    let dir = f.dir.0.display().to_string();
    let out: String = f
        .analysis
        .code_lenses()
        .iter()
        .map(|l| {
            let args: Vec<String> = l.arguments.iter().map(|a| a.replace(&dir, "$DIR")).collect();
            format!("{} {} {} {:?}\n", show(f.text(), l.range), l.title, l.command, args)
        })
        .collect();
    expect.assert_eq(&out);
}

#[test]
fn lenses_on_lambda_functions_and_deploy_on_the_template() {
    lenses(
        r#"Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Function
    Properties: { Handler: app.handler, Runtime: python3.12 }
  Bucket:
    Type: AWS::S3::Bucket
  Legacy:
    Type: AWS::Lambda::Function
    Properties
"#,
        expect![[r#"
            1:1-1:10 "Transform" Deploy samwise.deploy ["$DIR/template.yaml"]
            3:3-3:6 "Api" Invoke locally samwise.invokeLocally ["$DIR/template.yaml", "Api"]
            3:3-3:6 "Api" Debug locally samwise.debugLocally ["$DIR/template.yaml", "Api"]
            8:3-8:9 "Legacy" Invoke locally samwise.invokeLocally ["$DIR/template.yaml", "Legacy"]
            8:3-8:9 "Legacy" Debug locally samwise.debugLocally ["$DIR/template.yaml", "Legacy"]
        "#]],
    );
    lenses(
        "{\n  \"Resources\": {\n    \"Fn\": { \"Type\": \"AWS::Lambda::Function\" }\n  }\n}\n",
        expect![[r#"
            2:3-2:14 "\"Resources\"" Deploy samwise.deploy ["$DIR/template.json"]
            3:5-3:9 "\"Fn\"" Invoke locally samwise.invokeLocally ["$DIR/template.json", "Fn"]
            3:5-3:9 "\"Fn\"" Debug locally samwise.debugLocally ["$DIR/template.json", "Fn"]
        "#]],
    );
}

#[test]
fn no_lenses_without_a_path_or_outside_templates() {
    let text = "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n";
    let unsaved = samwise_ide::Analysis::new(None, text.into(), &samwise_ide::Config::default());
    assert_eq!(unsaved.code_lenses(), Vec::new());
    lenses("services:\n  web:\n    image: nginx\n", expect![[r#""#]]);
}

#[test]
fn python_diagnostics_fixes_are_code_actions() {
    use std::path::Path;
    use std::sync::Arc;

    use samwise_ide::{Analysis, Config, TextRange};

    let text = "import boto3\nssm = boto3.client(\"ssm\", aws_access_key_id=\"AKIAZ7Q3R5T7V9X1B3D5\")\n";
    let a = Analysis::new(Some(Path::new("/tmp/app.py")), Arc::from(text), &Config::default());
    assert_eq!(a.kind(), samwise_ide::DocKind::Python);
    let diags = a.diagnostics();
    assert!(diags.iter().any(|d| d.code == "SW7001"), "{diags:?}");
    let at = text.find("AKIA").unwrap() as u32;
    let actions = a.code_actions(TextRange::new(at, at + 3));
    let titles: Vec<&str> = actions.iter().map(|c| c.title.as_str()).collect();
    assert!(titles.iter().any(|t| t.contains("default credential chain")), "{titles:?}");
    assert!(actions.iter().all(|c| c.is_quickfix));
}

#[test]
fn aws_cli_command_of_a_boto3_call_is_inserted_as_a_comment() {
    actions(
        r#"//- file: src/app.py
import boto3
ssm = boto3.client("ssm", region_name="eu-west-1")
def handler(event, context):
    return ssm.get_para$0meter(Name="/app/db", WithDecryption=True)
"#,
        expect![[r#"
            == Insert the equivalent AWS CLI command as a comment [refactor]
            import boto3
            ssm = boto3.client("ssm", region_name="eu-west-1")
            def handler(event, context):
                # aws ssm get-parameter --name /app/db --with-decryption --region eu-west-1
                return ssm.get_parameter(Name="/app/db", WithDecryption=True)
        "#]],
    );
}

#[test]
fn aws_cli_command_line_in_a_comment_becomes_a_boto3_call() {
    actions(
        r#"//- file: src/app.py
import boto3
s3 = boto3.client("s3")
# aws s3api list-objects-v2 --bucket my-bucket --max-keys 5 --output json$0
"#,
        expect![[r#"
            == Convert AWS CLI command to boto3 call (skips --output json) [refactor]
            import boto3
            s3 = boto3.client("s3")
            # aws s3api list-objects-v2 --bucket my-bucket --max-keys 5 --output json
            s3.list_objects_v2(Bucket="my-bucket", MaxKeys=5)
        "#]],
    );
}

#[test]
fn hover_on_a_boto3_call_shows_the_aws_cli_command() {
    use std::path::Path;
    use std::sync::Arc;

    use samwise_ide::{Analysis, Config};

    let text = "import boto3\nsqs = boto3.client('sqs')\nsqs.send_message(QueueUrl=url, MessageBody='hi')\n";
    let a = Analysis::new(Some(Path::new("/tmp/app.py")), Arc::from(text), &Config::default());
    let at = text.find("send_message").unwrap() as u32 + 2;
    let hover = a.hover(at).expect("hover on the method");
    assert!(
        hover.markdown.ends_with("AWS CLI:\n```sh\naws sqs send-message --queue-url <url> --message-body hi\n```"),
        "{}",
        hover.markdown
    );
}
