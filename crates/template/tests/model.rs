//! The template model on small fixtures: sections, references of every intrinsic form, Globals and
//! template detection.

use expect_test::{Expect, expect};
use samwise_syntax::Format;
use samwise_template::{Template, Value};

fn refs(text: &str, expect: Expect) {
    let t = Template::parse(text, Format::detect(None, text));
    let mut out = String::new();
    for r in &t.references {
        let attr = r.attribute.as_deref().map(|a| format!(".{a}")).unwrap_or_default();
        let sub = if r.in_sub { " (sub)" } else { "" };
        out.push_str(&format!("{:?} {}{} {:?}{sub}\n", r.kind, r.target, attr, &text[r.range.as_range()]));
    }
    expect.assert_eq(&out);
}

#[test]
fn references_of_every_intrinsic_form() {
    refs(
        r#"
AWSTemplateFormatVersion: "2010-09-09"
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  Both: !And [!Condition IsProd, {Condition: IsProd}]
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Condition: IsProd
    DependsOn: [Table, Other]
    Properties:
      Role: !GetAtt Role.Arn
      Code: { "Fn::GetAtt": [Bucket, Arn] }
      Handler: !Sub "${AWS::Region}-${Table}-${Res.Endpoint.Address}-${!Literal}-${Local}"
      Other: !Sub ["${Local}", {Local: !Ref Param}]
      Size: !FindInMap [Sizes, !Ref Env, Mem]
      Flag: !If [IsProd, {Ref: "AWS::NoValue"}, x]
"#,
        expect![[r#"
            Ref Env "Env"
            Condition IsProd "IsProd"
            Condition IsProd "IsProd"
            GetAtt Role.Arn "Role"
            GetAtt Bucket.Arn "Bucket"
            Sub AWS::Region "AWS::Region" (sub)
            Sub Table "Table" (sub)
            GetAtt Res.Endpoint.Address "Res" (sub)
            Sub Local "Local" (sub)
            Ref Param "Param"
            FindInMap Sizes "Sizes"
            Ref Env "Env"
            Condition IsProd "IsProd"
            Ref AWS::NoValue "AWS::NoValue"
            DependsOn Table "Table"
            DependsOn Other "Other"
            Condition IsProd "IsProd"
        "#]],
    );
}

#[test]
fn detection_ignores_other_yaml_and_json() {
    let yes = [
        "AWSTemplateFormatVersion: '2010-09-09'\n",
        "Transform: AWS::Serverless-2016-10-31\nResources: {}\n",
        "Resources:\n  A:\n    Type: Custom::Thing\n",
        "{\"Resources\": {\"A\": {\"Type\": \"AWS::S3::Bucket\"}}}",
    ];
    let no = [
        "services:\n  web:\n    image: nginx\n",
        "apiVersion: v1\nkind: Pod\n",
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n",
        "{\"name\": \"pkg\", \"version\": \"1.0.0\"}",
        "Resources:\n  A:\n    Type: MyThing\n",
        "",
    ];
    for t in yes {
        assert!(Template::parse(t, Format::detect(None, t)).is_template, "{t}");
    }
    for t in no {
        assert!(!Template::parse(t, Format::detect(None, t)).is_template, "{t}");
    }
}

#[test]
fn functions_apply_sam_globals() {
    let text = r#"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    Timeout: 10
    Layers: [!Ref SharedLayer]
    Environment:
      Variables:
        STAGE: dev
        TABLE: global
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Timeout: 30
      Layers: [arn:aws:lambda:us-east-1:123456789012:layer:x:1]
      Environment:
        Variables:
          TABLE: !Ref Table
          NAME: !Sub "${AWS::StackName}-x"
      Events:
        Q: { Type: SQS, Properties: { Queue: !GetAtt Q.Arn } }
  Plain:
    Type: AWS::Lambda::Function
    Properties:
      Code: { ZipFile: "def h(e, c): return 1" }
      Handler: index.h
"#;
    let t = Template::parse(text, Format::Yaml);
    let f = t.functions();
    assert_eq!(f.len(), 2);
    let fun = &f[0];
    assert_eq!(fun.runtime, Some(Value::String("python3.12".into())));
    assert_eq!(fun.timeout, Some(Value::String("30".into())));
    assert_eq!(fun.code_uri, Some(Value::String("src/".into())));
    assert_eq!(
        fun.environment,
        vec![
            ("STAGE".into(), Value::String("dev".into())),
            ("TABLE".into(), Value::Ref("Table".into())),
            ("NAME".into(), Value::Sub("${AWS::StackName}-x".into(), vec![])),
        ]
    );
    assert_eq!(fun.layers.len(), 2);
    assert_eq!(fun.layers[0], Value::Ref("SharedLayer".into()));
    assert_eq!(fun.events, vec![("Q".to_owned(), "SQS".to_owned())]);
    assert_eq!(f[1].inline_code.as_deref(), Some("def h(e, c): return 1"));
    assert_eq!(f[1].runtime, None, "Globals apply to SAM functions only");
    assert!(t.is_ref_target("FnRole"), "SAM generates <Function>Role");
    assert!(t.is_ref_target("ServerlessRestApi"));
    assert!(!t.is_ref_target("Nope"));
}
