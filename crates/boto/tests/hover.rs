//! Hover and signature-help fixtures (`$0` marks the cursor).

mod common;

use common::{cursor, models};
use expect_test::expect;
use samwise_boto::PyFile;

fn hover(fixture: &str) -> String {
    let (text, at) = cursor(fixture);
    match PyFile::parse(&text).hover(models(), at) {
        Some(h) => format!("[{}..{}] {}\n", h.range.start, h.range.end, h.markdown),
        None => "none\n".into(),
    }
}

fn signature(fixture: &str) -> String {
    let (text, at) = cursor(fixture);
    let Some(s) = PyFile::parse(&text).signature_help(models(), at) else { return "none\n".into() };
    let mut out = format!("{}\n", s.label);
    for (i, (r, _)) in s.parameters.iter().enumerate() {
        let mark = if s.active_parameter == Some(i as u32) { "*" } else { " " };
        out.push_str(&format!("{mark} {}\n", &s.label[r.as_range()]));
    }
    out
}

#[test]
fn operation_hover_has_docs_and_iam_action() {
    expect![[r#"
        [43..56] **ssm.get_parameter** (`GetParameter` API)

        Get information about a single parameter by specifying the parameter name.

        IAM action: `ssm:GetParameter`

        AWS CLI:
        ```sh
        aws ssm get-parameter --name x
        ```
    "#]]
    .assert_eq(&hover("import boto3\nssm = boto3.client('ssm')\nssm.get_para$0meter(Name='x')\n"));
    let s3 = hover("import boto3\ns3 = boto3.client('s3')\ns3.list_objects_v2$0(Bucket='b')\n");
    assert!(s3.contains("IAM action: `s3:ListBucket`"), "{s3}");
}

#[test]
fn parameter_hover_has_type_constraints_and_values() {
    expect![[r#"
        [57..61] `Name: str` (required)

        Length/range: 1 to 2048 characters

        The fully qualified name of the parameter that you want to create or update.
    "#]]
    .assert_eq(&hover("import boto3\nssm = boto3.client('ssm')\nssm.put_parameter(Na$0me='x', Value='v')\n"));
    expect![[r#"
        [78..82] `Tier: str`

        Allowed values: `Standard`, `Advanced`, `Intelligent-Tiering`

        The parameter tier to assign to a parameter.
    "#]]
    .assert_eq(&hover(
        "import boto3\nssm = boto3.client('ssm')\nssm.put_parameter(Name='x', Value='v', Ti$0er='Standard')\n",
    ));
    expect![[r#"
        [73..78] `Key: str` (required)

        Allowed values: `Name`, `Type`, `KeyId`

        The name of the filter.
    "#]]
    .assert_eq(&hover(
        "import boto3\nssm = boto3.client('ssm')\nssm.describe_parameters(Filters=[{'Ke$0y': 'Name', 'Values': []}])\n",
    ));
}

#[test]
fn service_and_response_key_hover() {
    expect![[r#"
        [32..37] **Amazon Simple Systems Manager (SSM)** (`ssm`, API version 2014-11-06)

        Amazon Web Services Systems Manager is the operations hub for your Amazon Web Services applications and resources and a secure end-to-end management solution for hybrid cloud environments that enables safe and secure operations at scale.
    "#]].assert_eq(&hover("import boto3\nssm = boto3.client('s$0sm')\n"));
    expect![[r#"
        [84..91] `Value: str` (response)

        The parameter value.
    "#]]
    .assert_eq(&hover(
        "import boto3\nssm = boto3.client('ssm')\nv = ssm.get_parameter(Name='x')['Parameter']['Val$0ue']\n",
    ));
    expect![[r#"
        none
    "#]]
    .assert_eq(&hover("import boto3\nx = other.get_parameter(Na$0me='x')\n"));
}

#[test]
fn signature_help_inside_calls() {
    expect![[r#"
        get_parameter(*, Name: str, WithDecryption: bool = ...) -> dict
          Name: str
          WithDecryption: bool = ...
    "#]]
    .assert_eq(&signature("import boto3\nssm = boto3.client('ssm')\nssm.get_parameter($0)\n"));
    expect![[r#"
        get_parameter(*, Name: str, WithDecryption: bool = ...) -> dict
          Name: str
        * WithDecryption: bool = ...
    "#]]
    .assert_eq(&signature(
        "import boto3\nssm = boto3.client('ssm')\nssm.get_parameter(Name='x', WithDecryption=Tr$0)\n",
    ));
    expect![[r#"
        get_item(*, Key: dict[str, AttributeValue], AttributesToGet: list[str] = ..., ConsistentRead: bool = ..., ExpressionAttributeNames: dict[str, str] = ..., ProjectionExpression: str = ..., ReturnConsumedCapacity: str = ...) -> dict
          Key: dict[str, AttributeValue]
          AttributesToGet: list[str] = ...
          ConsistentRead: bool = ...
          ExpressionAttributeNames: dict[str, str] = ...
          ProjectionExpression: str = ...
          ReturnConsumedCapacity: str = ...
    "#]].assert_eq(&signature("import boto3\nt = boto3.resource('dynamodb').Table('t')\nt.get_item(Key={'id': 'a'}, $0)\n"));
    expect![[r#"
        none
    "#]]
    .assert_eq(&signature("import boto3\nssm = boto3.client('ssm')\nprint($0)\n"));
}

#[test]
fn signature_help_in_a_call_not_yet_closed() {
    let out = signature("import boto3\nssm = boto3.client('ssm')\nssm.get_parameter(Name='x', $0\nprint(1)\n");
    assert!(out.starts_with("get_parameter(*, Name: str, WithDecryption: bool = ...) -> dict"), "{out}");
}

#[test]
fn calls_report_service_operation_and_iam_action() {
    let text = "import boto3\nssm = boto3.client('ssm')\ntable = boto3.resource('dynamodb').Table('t')\ndef h(e, c):\n    ssm.get_parameter(Name='x')\n    table.put_item(Item={})\n    ssm.not_an_op()\n";
    let calls = PyFile::parse(text).calls(models());
    let lines: Vec<String> = calls
        .iter()
        .map(|c| {
            format!(
                "{} {} {} {} resource={} {}",
                c.service,
                c.operation,
                c.method,
                c.iam_action,
                c.via_resource,
                &text[c.method_range.as_range()]
            )
        })
        .collect();
    expect![[r#"
        ssm GetParameter get_parameter ssm:GetParameter resource=false get_parameter
        dynamodb PutItem put_item dynamodb:PutItem resource=true put_item"#]]
    .assert_eq(&lines.join("\n"));
}

#[test]
fn incremental_edit_gives_the_same_answers_as_a_fresh_parse() {
    let before = "import boto3\nssm = boto3.client('ssm')\nssm.get_parameter(Name='x')\n";
    let file = PyFile::parse(before);
    let at = before.find("Name='x'").unwrap() as u32;
    let edited = file.edit(samwise_boto::TextRange::new(at, at + 4), "Nme");
    let fresh = PyFile::parse(edited.text());
    assert_eq!(edited.text(), "import boto3\nssm = boto3.client('ssm')\nssm.get_parameter(Nme='x')\n");
    assert_eq!(edited.diagnostics(models()), fresh.diagnostics(models()));
    assert_eq!(edited.diagnostics(models()).len(), 2, "unknown Nme and missing Name");
}
