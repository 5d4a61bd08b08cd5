//! Document symbols, workspace symbols and folding ranges on fixtures, one item per line.

mod common;

use common::{fixture, pos, show};
use expect_test::{Expect, expect};
use samwise_ide::{Symbol, workspace_symbols};

fn document_symbols(text: &str, expect: Expect) {
    fn render(text: &str, symbols: &[Symbol], depth: usize, out: &mut String) {
        for s in symbols {
            let detail = s.detail.as_deref().map(|d| format!(" ({d})")).unwrap_or_default();
            let lines = format!("{}-{}", pos(text, s.range.start), pos(text, s.range.end));
            out.push_str(&format!(
                "{}{:?} {}{detail} {lines} select {}\n",
                "  ".repeat(depth),
                s.kind,
                s.name,
                show(text, s.selection_range)
            ));
            assert!(s.range.contains_range(s.selection_range), "selection outside the symbol: {s:?}");
            render(text, &s.children, depth + 1, out);
        }
    }
    let f = fixture(text);
    let mut out = String::new();
    render(f.text(), &f.analysis.document_symbols(), 0, &mut out);
    expect.assert_eq(&out);
}

/// Folding ranges as `first-last` lines (1-based) with the first line's text.
fn folding(text: &str, expect: Expect) {
    let f = fixture(text);
    let out: String = f
        .analysis
        .folding_ranges()
        .iter()
        .map(|r| {
            let first = f.text()[r.start as usize..].lines().next().unwrap_or("");
            format!("{}-{} {}\n", pos(f.text(), r.start), pos(f.text(), r.end), first.trim())
        })
        .collect();
    expect.assert_eq(&out);
}

const SAM: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Description: >
  A folded
  description.
Globals:
  Function:
    Timeout: 3
Parameters:
  Stage:
    Type: String
    AllowedValues: [dev, prod]
Mappings:
  Sizes:
    prod:
      Mem: 512
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Resources:
  Table:
    Type: AWS::DynamoDB::Table
  Api:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      InlineCode: |
        def handler(e, c):
            return 1
      Policies:
        - DynamoDBCrudPolicy:
            TableName: !Ref Table
Outputs:
  TableName:
    Description: The table
    Value: !Ref Table
"#;

#[test]
fn document_symbols_of_a_sam_template() {
    document_symbols(
        SAM,
        expect![[r#"
        Section AWSTemplateFormatVersion 1:1-1:39 select 1:1-1:25 "AWSTemplateFormatVersion"
        Section Transform 2:1-2:38 select 2:1-2:10 "Transform"
        Section Description 3:1-5:15 select 3:1-3:12 "Description"
        Section Globals 6:1-8:15 select 6:1-6:8 "Globals"
          Section Function 7:3-8:15 select 7:3-7:11 "Function"
        Section Parameters 9:1-12:31 select 9:1-9:11 "Parameters"
          Parameter Stage (String) 10:3-12:31 select 10:3-10:8 "Stage"
        Section Mappings 13:1-16:15 select 13:1-13:9 "Mappings"
          Mapping Sizes 14:3-16:15 select 14:3-14:8 "Sizes"
        Section Conditions 17:1-18:37 select 17:1-17:11 "Conditions"
          Condition IsProd 18:3-18:37 select 18:3-18:9 "IsProd"
        Section Resources 19:1-31:34 select 19:1-19:10 "Resources"
          Resource Table (AWS::DynamoDB::Table) 20:3-21:31 select 20:3-20:8 "Table"
          Function Api (AWS::Serverless::Function) 22:3-31:34 select 22:3-22:6 "Api"
        Section Outputs 32:1-35:22 select 32:1-32:8 "Outputs"
          Output TableName (The table) 33:3-35:22 select 33:3-33:12 "TableName"
    "#]],
    );
}

#[test]
fn document_symbols_of_json_and_of_a_broken_template() {
    document_symbols(
        r#"{
  "Parameters": { "Env": { "Type": "String" } },
  "Resources": {
    "Bucket": { "Type": "AWS::S3::Bucket" },
    "Fn": { "Type": "AWS::Lambda::Function", "Properties": {
  }
}
"#,
        expect![[r#"
            Section Parameters 2:3-2:48 select 2:4-2:14 "Parameters"
              Parameter Env (String) 2:19-2:46 select 2:20-2:23 "Env"
            Section Resources 3:3-8:1 select 3:4-3:13 "Resources"
              Resource Bucket (AWS::S3::Bucket) 4:5-4:44 select 4:6-4:12 "Bucket"
              Function Fn (AWS::Lambda::Function) 5:5-7:2 select 5:6-5:8 "Fn"
        "#]],
    );
    document_symbols(
        "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties\n  Topic:\n    Type: AWS::SNS::Topic\nOutputs:\n  Out\n",
        expect![[r#"
            Section Resources 1:1-6:26 select 1:1-1:10 "Resources"
              Resource Bucket (AWS::S3::Bucket) 2:3-4:15 select 2:3-2:9 "Bucket"
              Resource Topic (AWS::SNS::Topic) 5:3-6:26 select 5:3-5:8 "Topic"
            Section Outputs 7:1-8:6 select 7:1-7:8 "Outputs"
        "#]],
    );
}

#[test]
fn folding_every_multi_line_mapping_sequence_and_block_scalar() {
    folding(
        SAM,
        expect![[r#"
        3:1-5:15 Description: >
        6:1-8:15 Globals:
        7:3-8:15 Function:
        9:1-12:31 Parameters:
        10:3-12:31 Stage:
        13:1-16:15 Mappings:
        14:3-16:15 Sizes:
        15:5-16:15 prod:
        17:1-18:37 Conditions:
        19:1-31:34 Resources:
        20:3-21:31 Table:
        22:3-31:34 Api:
        24:5-31:34 Properties:
        26:7-28:21 InlineCode: |
        29:7-31:34 Policies:
        30:11-31:34 DynamoDBCrudPolicy:
        32:1-35:22 Outputs:
        33:3-35:22 TableName:
    "#]],
    );
    folding(
        r#"{
  "Resources": {
    "Bucket": { "Type": "AWS::S3::Bucket" },
    "Fn": {
      "Type": "AWS::Lambda::Function",
      "Properties": { "Layers": [
        "a",
        "b"
      ] }
    }
  }
}
"#,
        expect![[r#"
            2:3-11:4 "Resources": {
            4:5-10:6 "Fn": {
            6:7-9:10 "Properties": { "Layers": [
            6:23-9:8 "Layers": [
        "#]],
    );
}

#[test]
fn workspace_symbols_across_templates() {
    let a = fixture(SAM);
    let b = fixture(
        "Resources:\n  ApiTable:\n    Type: AWS::DynamoDB::Table\n  Queue:\n    Type: AWS::SQS::Queue\nParameters:\n  TableArn:\n    Type: String\n",
    );
    let not_a_template = fixture("name: compose\nservices:\n  table: {}\n");
    let analyses = [&a.analysis, &b.analysis, &not_a_template.analysis];
    let mut out = String::new();
    for query in ["table", "tbl", "Queue", ""] {
        out.push_str(&format!("query {query:?}\n"));
        for s in workspace_symbols(&analyses, query) {
            let (fix, text) = if s.path.as_deref() == a.analysis.path() { ("a", a.text()) } else { ("b", b.text()) };
            out.push_str(&format!(
                "  {fix} {:?} {} in {} at {}\n",
                s.kind,
                s.name,
                s.container.as_deref().unwrap_or("-"),
                show(text, s.range)
            ));
        }
    }
    expect![[r#"
        query "table"
          a Resource Table in Resources at 20:3-20:8 "Table"
          a Output TableName in Outputs at 33:3-33:12 "TableName"
          b Parameter TableArn in Parameters at 7:3-7:11 "TableArn"
          b Resource ApiTable in Resources at 2:3-2:11 "ApiTable"
        query "tbl"
          a Resource Table in Resources at 20:3-20:8 "Table"
          a Output TableName in Outputs at 33:3-33:12 "TableName"
          b Resource ApiTable in Resources at 2:3-2:11 "ApiTable"
          b Parameter TableArn in Parameters at 7:3-7:11 "TableArn"
        query "Queue"
          b Resource Queue in Resources at 4:3-4:8 "Queue"
        query ""
          a Parameter Stage in Parameters at 10:3-10:8 "Stage"
          a Mapping Sizes in Mappings at 14:3-14:8 "Sizes"
          a Condition IsProd in Conditions at 18:3-18:9 "IsProd"
          a Resource Table in Resources at 20:3-20:8 "Table"
          a Function Api in Resources at 22:3-22:6 "Api"
          a Output TableName in Outputs at 33:3-33:12 "TableName"
          b Resource ApiTable in Resources at 2:3-2:11 "ApiTable"
          b Resource Queue in Resources at 4:3-4:8 "Queue"
          b Parameter TableArn in Parameters at 7:3-7:11 "TableArn"
    "#]]
    .assert_eq(&out);
}
