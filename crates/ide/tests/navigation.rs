//! Go to definition and find references on fixtures: one line per cursor marker, `where -> target`.

mod common;

use common::{fixture, pos, show};
use expect_test::{Expect, expect};

/// Definition at every `$0` of the fixture, one line each: the cursor position, then the targets.
fn definitions(text: &str, expect: Expect) {
    let f = fixture(text);
    let mut out = String::new();
    for &c in &f.cursors {
        let targets: Vec<String> = f
            .analysis
            .definition(c)
            .iter()
            .map(|l| match &l.path {
                None => show(f.text(), l.range),
                Some(p) => format!("{} {}", f.rel(p), show(l.target_text.as_deref().unwrap(), l.range)),
            })
            .collect();
        out.push_str(&format!(
            "{} -> {}\n",
            pos(f.text(), c),
            if targets.is_empty() { "nothing".into() } else { targets.join(", ") }
        ));
    }
    expect.assert_eq(&out);
}

fn references(text: &str, include_declaration: bool, expect: Expect) {
    let f = fixture(text);
    let out: String = f
        .analysis
        .references(f.cursor(), include_declaration)
        .iter()
        .map(|l| {
            assert!(l.path.is_none());
            format!("{}\n", show(f.text(), l.range))
        })
        .collect();
    expect.assert_eq(&out);
}

const YAML: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env:
    Type: String
Mappings:
  Sizes:
    prod: { Mem: 512 }
Conditions:
  IsProd: !Equals [!Ref E$0nv, prod]
  Both: !And [!Condition IsP$0rod, {Condition: IsProd}]
Resources:
  Table:
    Type: AWS::DynamoDB::Table
  Role:
    Type: AWS::IAM::Role
  Fn:
    Type: AWS::Lambda::Function
    Condition: IsPr$0od
    DependsOn: [Ta$0ble, "Rol$0e"]
    Properties:
      Role: !GetAtt R$0ole.Ar$0n
      Code: { "Fn::GetAtt": [Tab$0le, Arn] }
      Handler: !Sub "${AWS::Reg$0ion}-${Tab$0le}-${Ro$0le.Arn}-${!Lit$0eral}"
      MemorySize: !FindInMap [Siz$0es, !Ref Env, Mem]
      Timeout: !If [IsPro$0d, 3, !Ref AWS::NoValue]
      Description: !Ref Undef$0ined
  Fn2:
    Type: AWS::Lambda::Function
    DependsOn: F$0n
"#;

#[test]
fn definition_of_every_reference_form_in_yaml() {
    definitions(
        YAML,
        expect![[r#"
            9:26 -> 3:3-3:6 "Env"
            10:29 -> 9:3-9:9 "IsProd"
            18:20 -> 9:3-9:9 "IsProd"
            19:19 -> 12:3-12:8 "Table"
            19:28 -> 14:3-14:7 "Role"
            21:22 -> 14:3-14:7 "Role"
            21:28 -> 14:3-14:7 "Role"
            22:33 -> 12:3-12:8 "Table"
            23:32 -> nothing
            23:42 -> 12:3-12:8 "Table"
            23:50 -> 14:3-14:7 "Role"
            23:64 -> nothing
            24:34 -> 6:3-6:8 "Sizes"
            25:26 -> 9:3-9:9 "IsProd"
            26:30 -> nothing
            29:17 -> 16:3-16:5 "Fn"
        "#]],
    );
}

#[test]
fn definition_in_json() {
    definitions(
        r#"{
  "Parameters": { "Env": { "Type": "String" } },
  "Resources": {
    "Bucket": {
      "Type": "AWS::S3::Bucket",
      "Properties": { "BucketName": { "Fn::Sub": "${E$0nv}-data" } }
    },
    "Topic": {
      "Type": "AWS::SNS::Topic",
      "DependsOn": "Buc$0ket",
      "Properties": { "TopicName": { "Fn::GetAtt": ["Bu$0cket", "Arn"] }, "X": { "Ref": "E$0nv" } }
    }
  }
}
"#,
        expect![[r#"
            6:54 -> 2:20-2:23 "Env"
            10:24 -> 4:6-4:12 "Bucket"
            11:56 -> 4:6-4:12 "Bucket"
            11:89 -> 2:20-2:23 "Env"
        "#]],
    );
}

#[test]
fn definition_in_a_broken_template() {
    // A missing colon and a half-typed entry further down do not stop navigation above them.
    definitions(
        r#"Parameters:
  Env:
    Type: String
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Ref E$0nv
      Tags
  Other:
    Type: AWS::SNS::Topic
    DependsOn: Buck$0et
    Prop
"#,
        expect![[r#"
            8:25 -> 2:3-2:6 "Env"
            12:20 -> 5:3-5:9 "Bucket"
        "#]],
    );
}

#[test]
fn definition_of_a_python_handler() {
    definitions(
        r#"
//- file: template.yaml
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.lambda_$0handler
      Runtime: python3.12
  Nested:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: pkg.mod.ru$0n
      Runtime: python3.12
  Missing:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.nowh$0ere
      Runtime: python3.12
  NoFile:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: absent.ha$0ndler
      Runtime: python3.12
//- file: src/app.py
import json


def lambda_handler(event, context):
    return {"statusCode": 200}
//- file: src/pkg/mod.py
async def run(event, context):
    pass
"#,
        expect![[r#"
            7:27 -> src/app.py 4:5-4:19 "lambda_handler"
            13:26 -> src/pkg/mod.py 1:11-1:14 "run"
            19:24 -> src/app.py 1:1-1:1 ""
            25:25 -> nothing
        "#]],
    );
}

#[test]
fn definition_of_a_javascript_handler_through_globals() {
    definitions(
        r#"
//- file: template.yaml
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: nodejs20.x
    Handler: handlers/api.ha$0ndler
Resources:
  A:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: a/
  B:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: b/
//- file: a/handlers/api.mjs
export const handler = async (event) => ({ statusCode: 200 });
//- file: b/handlers/api.js
const x = 1;
exports.handler = async function (event) {};
"#,
        expect![[r#"
            5:29 -> a/handlers/api.mjs 1:14-1:21 "handler", b/handlers/api.js 2:9-2:16 "handler"
        "#]],
    );
}

#[test]
fn definition_of_a_handler_in_json_with_a_lambda_code_folder() {
    definitions(
        r#"
//- file: template.json
{
  "Resources": {
    "Fn": {
      "Type": "AWS::Lambda::Function",
      "Properties": { "Code": "./build", "Handler": "index.$0main", "Runtime": "nodejs22.x" }
    },
    "Remote": {
      "Type": "AWS::Lambda::Function",
      "Properties": { "Code": { "S3Bucket": "b", "S3Key": "k" }, "Handler": "index.m$0ain", "Runtime": "nodejs22.x" }
    }
  }
}
//- file: build/index.cjs
module.exports.main = async () => ({});
"#,
        expect![[r#"
            5:60 -> build/index.cjs 1:16-1:20 "main"
            9:85 -> nothing
        "#]],
    );
}

#[test]
fn references_from_a_use_and_from_the_definition() {
    references(
        YAML.replace("$0", "").replacen("Table:\n", "Ta$0ble:\n", 1).as_str(),
        true,
        expect![[r#"
        12:3-12:8 "Table"
        19:17-19:22 "Table"
        22:30-22:35 "Table"
        23:39-23:44 "Table"
    "#]],
    );
    references(
        YAML.replace("$0", "").replacen("[!Ref Env,", "[!Ref E$0nv,", 1).as_str(),
        false,
        expect![[r#"
        9:25-9:28 "Env"
        24:43-24:46 "Env"
    "#]],
    );
    references(
        YAML.replace("$0", "").replacen("[IsProd,", "[IsP$0rod,", 1).as_str(),
        true,
        expect![[r#"
        9:3-9:9 "IsProd"
        10:26-10:32 "IsProd"
        10:46-10:52 "IsProd"
        18:16-18:22 "IsProd"
        25:21-25:27 "IsProd"
    "#]],
    );
}

#[test]
fn nothing_outside_names() {
    definitions(
        "Resources:\n  Bucket:\n    Ty$0pe: AWS::S3::Bucket\n    Properties: {Bucket$0Name: x}\n",
        expect![[r#"
        3:7 -> nothing
        4:24 -> nothing
    "#]],
    );
    definitions(
        "name: not a template\nvalue: !Ref Th$0ing\n",
        expect![[r#"
        2:15 -> nothing
    "#]],
    );
}
