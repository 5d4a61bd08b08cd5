//! Completion fixtures: the cursor marker `$0` in a Python snippet, the items one per line.

mod common;

use common::{complete, complete_head};
use expect_test::expect;

#[test]
fn service_names_in_client_call() {
    let out = complete_head("import boto3\nssm = boto3.client(\"$0\")\n", 3);
    assert!(out.starts_with(&format!("{} items", common::models().services().len())), "{out}");
    assert!(common::models().services().len() > 400);
    expect![[r#"
        445 items
        module abuse-signal (AWS Abuse Signal API)
        module accessanalyzer (Access Analyzer)
        module account (AWS Account)
    "#]]
    .assert_eq(&out);
}

#[test]
fn service_names_via_keyword_session_and_resource() {
    expect![[r#"
        445 items
        module abuse-signal (AWS Abuse Signal API)
        module accessanalyzer (Access Analyzer)
    "#]]
    .assert_eq(&complete_head(
        "import boto3\ns = boto3.Session(profile_name=\"x\")\nc = s.client(service_name=\"ss$0\")\n",
        2,
    ));
    expect![[r#"
        module cloudformation (AWS CloudFormation)
        module cloudwatch (Amazon CloudWatch)
        module dynamodb (Amazon DynamoDB)
        module ec2 (Amazon Elastic Compute Cloud)
        module glacier (Amazon Glacier)
        module iam (AWS Identity and Access Management)
        module s3 (Amazon Simple Storage Service)
        module sns (Amazon Simple Notification Service)
        module sqs (Amazon Simple Queue Service)
    "#]]
    .assert_eq(&complete("import boto3\nddb = boto3.resource(\"$0\")\n"));
}

#[test]
fn client_methods_after_dot() {
    expect![[r#"
        162 items
        method add_tags_to_resource (AddTagsToResource)
        method associate_ops_item_related_item (AssociateOpsItemRelatedItem)
        method cancel_command (CancelCommand)
        method cancel_maintenance_window_execution (CancelMaintenanceWindowExecution)
    "#]]
    .assert_eq(&complete_head("import boto3\nssm = boto3.client(\"ssm\")\nssm.get_par$0\n", 4));
    let out = complete("import boto3\ns3 = boto3.client(\"s3\")\ns3.$0\n");
    for m in [
        "list_objects_v2",
        "get_object",
        "upload_file",
        "get_paginator",
        "get_waiter",
        "can_paginate",
        "generate_presigned_url",
        "exceptions",
        "meta",
    ] {
        assert!(out.lines().any(|l| l.split(' ').nth(1) == Some(m)), "{m} missing from\n{out}");
    }
    let rds = complete("import boto3\nrds = boto3.client('rds')\nrds.$0\n");
    assert!(rds.contains("method describe_db_instances (DescribeDBInstances)"), "{rds}");
}

#[test]
fn methods_on_clients_in_globals_classes_and_annotations() {
    let cases = [
        "import boto3\nSSM = boto3.client('ssm')\ndef handler(event, context):\n    return SSM.get_parameter$0\n",
        "import boto3\nclass Repo:\n    def __init__(self):\n        self.ssm = boto3.client('ssm')\n    def get(self):\n        return self.ssm.get_parameter$0\n",
        "from mypy_boto3_ssm import SSMClient\ndef f(ssm: SSMClient):\n    ssm.get_parameter$0\n",
        "def f(ssm: \"SSMClient\"):\n    ssm.get_parameter$0\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from mypy_boto3_dynamodb.service_resource import Table\n    from mypy_boto3_ssm.client import SSMClient\ndef f(t: \"Table\", ssm: \"SSMClient\"):\n    t.get_item(Key={})\n    ssm.get_parameter$0\n",
        "import boto3\nsession = boto3.session.Session()\nc = session.client('ssm')\nalias = c\nalias.get_parameter$0\n",
        "from boto3 import client\nc = client('ssm')\nc.get_parameter$0\n",
        "import boto3\nc = boto3.resource('dynamodb').meta.client\nc2 = boto3.client('ssm')\nc2.get_parameter$0\n",
    ];
    for case in cases {
        let out = complete(case);
        assert!(out.contains("method get_parameter (GetParameter)"), "no client recognised in\n{case}\n---\n{out}");
    }
}

#[test]
fn annotated_table_resource_from_mypy_boto3() {
    let out = complete("from mypy_boto3_dynamodb.service_resource import Table\ndef f(t: Table):\n    t.$0\n");
    assert!(out.contains("method put_item (PutItem)") && out.contains("method batch_writer (boto3)"), "{out}");
}

#[test]
fn shadowed_and_unknown_receivers_complete_nothing() {
    let cases = [
        "import boto3\nssm = boto3.client('ssm')\ndef f(ssm):\n    ssm.$0\n",
        "import boto3\nssm = boto3.client('ssm')\nfor ssm in things:\n    ssm.$0\n",
        "import boto3\nname = get()\nc = boto3.client(name)\nc.$0\n",
        "import boto3\nif x:\n    c = boto3.client('ssm')\nelse:\n    c = boto3.client('s3')\ndef f():\n    c.$0\n",
        "import boto3\nc = boto3.client('ssm')\ndef reset():\n    global c\n    c = boto3.client('s3')\ndef f():\n    c.$0\n",
    ];
    let own_classes = [
        "class S3Client:\n    def fetch(self): ...\ndef f(s3: S3Client):\n    s3.$0\n",
        "from sqlalchemy import Table\ndef f(t: Table):\n    t.$0\n",
        "def f(t: Table):\n    t.$0\n",
    ];
    for case in cases.iter().chain(&own_classes) {
        assert_eq!(complete(case), "", "expected nothing for\n{case}");
    }
}

#[test]
fn resources_and_tables() {
    expect![[r#"
        10 items
        method delete (DeleteTable)
        method delete_item (DeleteItem)
        method get_item (GetItem)
        method put_item (PutItem)
        method query (Query)
        method scan (Scan)
        method update (UpdateTable)
        method update_item (UpdateItem)
        method batch_writer (boto3)
        field meta (resource metadata (meta.client))
    "#]]
    .assert_eq(&complete_head("import boto3\ntable = boto3.resource('dynamodb').Table('t')\ntable.$0\n", 40));
    expect![[r#"
        method batch_get_item (BatchGetItem)
        method batch_write_item (BatchWriteItem)
        method create_table (CreateTable)
        function Table (Table resource)
        field tables (collection)
        field meta (resource metadata (meta.client))
    "#]]
    .assert_eq(&complete("import boto3\nddb = boto3.resource('dynamodb')\nddb.$0\n"));
}

#[test]
fn keyword_arguments_required_first_with_types() {
    expect![[r#"
        property Name (str (required)) => "Name="
        property Value (str (required)) => "Value="
        property AllowedPattern (str) => "AllowedPattern="
        property DataType (str) => "DataType="
        property Description (str) => "Description="
        property KeyId (str) => "KeyId="
        property Overwrite (bool) => "Overwrite="
        property Policies (str) => "Policies="
        property Tags (list[Tag]) => "Tags="
        property Tier (str) => "Tier="
        property Type (str) => "Type="
    "#]]
    .assert_eq(&complete("import boto3\nssm = boto3.client('ssm')\nssm.put_parameter($0)\n"));
    expect![[r#"
        property WithDecryption (bool) => "WithDecryption="
    "#]]
    .assert_eq(&complete("import boto3\nssm = boto3.client('ssm')\nssm.get_parameter(Name='x', $0)\n"));
    expect![[r#"
        property Key (dict[str, AttributeValue] (required)) => "Key="
        property AttributesToGet (list[str]) => "AttributesToGet="
        property ConsistentRead (bool) => "ConsistentRead="
        property ExpressionAttributeNames (dict[str, str]) => "ExpressionAttributeNames="
        property ProjectionExpression (str) => "ProjectionExpression="
        property ReturnConsumedCapacity (str) => "ReturnConsumedCapacity="
    "#]]
    .assert_eq(&complete("import boto3\nt = boto3.resource('dynamodb').Table('t')\nt.get_item(K$0)\n"));
}

#[test]
fn enum_values_in_string_literals() {
    expect![[r#"
        enummember SecureString (ParameterType)
        enummember String (ParameterType)
        enummember StringList (ParameterType)
    "#]]
    .assert_eq(&complete(
        "import boto3\nssm = boto3.client('ssm')\nssm.put_parameter(Name='n', Value='v', Type='$0')\n",
    ));
    expect![[r#"
        3 items
        enummember B (ScalarAttributeType)
        enummember N (ScalarAttributeType)
        enummember S (ScalarAttributeType)
    "#]].assert_eq(&complete_head("import boto3\nddb = boto3.client('dynamodb')\nddb.create_table(TableName='t', AttributeDefinitions=[{'AttributeName': 'id', 'AttributeType': '$0'}])\n", 10));
}

#[test]
fn values_right_after_the_equals_sign() {
    expect![[r#"
        enummember SecureString (ParameterType) => "\"SecureString\""
        enummember String (ParameterType) => "\"String\""
        enummember StringList (ParameterType) => "\"StringList\""
    "#]]
    .assert_eq(&complete("import boto3\nssm = boto3.client('ssm')\nssm.put_parameter(Name='n', Type=$0)\n"));
    expect![[r#"
        keyword False (bool)
        keyword True (bool)
    "#]]
    .assert_eq(&complete("import boto3\nssm = boto3.client('ssm')\nssm.get_parameter(Name='n', WithDecryption=$0)\n"));
    assert_eq!(complete("import boto3\nssm = boto3.client('ssm')\nif x ==$0\n"), "");
}

#[test]
fn keys_of_nested_structures() {
    expect![[r#"
        field Key (str (required))
        field Values (list[str] (required))
    "#]]
    .assert_eq(&complete("import boto3\nssm = boto3.client('ssm')\nssm.describe_parameters(Filters=[{\"$0\"}])\n"));
    expect![[r#"
        field Values (list[str] (required)) => "\"Values\": "
    "#]]
    .assert_eq(&complete(
        "import boto3\nssm = boto3.client('ssm')\nssm.describe_parameters(Filters=[{\"Key\": \"Name\", $0}])\n",
    ));
    expect![[r#"
        field DataType (str (required))
        field BinaryListValues (list[bytes | IO])
        field BinaryValue (bytes | IO)
        field StringListValues (list[str])
        field StringValue (str)
    "#]].assert_eq(&complete("import boto3\nsqs = boto3.client('sqs')\nsqs.send_message(QueueUrl='u', MessageBody='b', MessageAttributes={'a': {'$0'}})\n"));
}

#[test]
fn paginator_and_waiter_names() {
    expect![[r#"
        value list_buckets (paginator)
        value list_directory_buckets (paginator)
        value list_multipart_uploads (paginator)
        value list_object_annotations (paginator)
        value list_object_versions (paginator)
        value list_objects (paginator)
        value list_objects_v2 (paginator)
        value list_parts (paginator)
    "#]]
    .assert_eq(&complete("import boto3\ns3 = boto3.client('s3')\np = s3.get_paginator('$0')\n"));
    expect![[r#"
        value bucket_exists (waiter)
        value bucket_not_exists (waiter)
        value object_exists (waiter)
        value object_not_exists (waiter)
    "#]]
    .assert_eq(&complete("import boto3\ns3 = boto3.client('s3')\nw = s3.get_waiter(\"$0\")\n"));
}

#[test]
fn response_keys_of_subscripted_results() {
    expect![[r#"
        field ARN (str)
        field DataType (str)
        field LastModifiedDate (datetime | str)
        field Name (str)
        field Selector (str)
        field SourceResult (str)
        field Type (str)
        field Value (str)
        field Version (int)
    "#]]
    .assert_eq(&complete(
        "import boto3\nssm = boto3.client('ssm')\nresp = ssm.get_parameter(Name='x')\nresp['Parameter']['$0']\n",
    ));
    expect![[r#"
        field B (bytes | IO)
        field BOOL (bool)
        field BS (list[bytes | IO])
        field L (list[AttributeValue])
        field M (dict[str, AttributeValue])
        field N (str)
        field NS (list[str])
        field NULL (bool)
        field S (str)
        field SS (list[str])
    "#]].assert_eq(&complete("import boto3\nddb = boto3.client('dynamodb')\nr = ddb.query(TableName='t')\nfor i in r['Items'][0]['id']['$0']: pass\n"));
}

#[test]
fn completion_works_in_broken_code() {
    // The line being typed leaves the file unparsable around it.
    let out = complete("import boto3\nssm = boto3.client('ssm')\ndef h(e, c):\n    x = ssm.get_param$0\n    if (:\n");
    assert!(out.contains("method get_parameter "), "{out}");
    let out = complete("import boto3\nssm = boto3.client('ssm')\nssm.$0\nother(\n");
    assert!(out.contains("method get_parameters_by_path "), "{out}");
}

#[test]
fn keywords_in_a_call_not_yet_closed() {
    expect![[r#"
        property Name (str (required)) => "Name="
        property WithDecryption (bool) => "WithDecryption="
    "#]]
    .assert_eq(&complete(
        "import boto3\nssm = boto3.client('ssm')\ndef f():\n    ssm.get_parameter($0\n    return 1\n",
    ));
    expect![[r#"
        property WithDecryption (bool) => "WithDecryption="
    "#]]
    .assert_eq(&complete("import boto3\nssm = boto3.client('ssm')\nssm.get_parameter(Name='x', $0\n"));
    expect![[r#"
        enummember SecureString (ParameterType) => "\"SecureString\""
        enummember String (ParameterType) => "\"String\""
        enummember StringList (ParameterType) => "\"StringList\""
    "#]]
    .assert_eq(&complete("import boto3\nssm = boto3.client('ssm')\nssm.put_parameter(Name='x', Type=$0\n"));
}

#[test]
fn strings_not_yet_closed() {
    let out = complete_head("import boto3\nssm = boto3.client(\"ss$0\n", 1);
    assert!(out.starts_with("445 items"), "{out}");
    let out = complete("import boto3\nssm = boto3.client('ssm')\nssm.put_parameter(Name='x', Type='Sec$0\n");
    assert!(out.contains("enummember SecureString"), "{out}");
}
