//! Realistic Lambda handler modules: Parameter Store, S3, DynamoDB and SQS code as people write it.
//! Correct code must stay silent; the seeded mistakes must be found; completion works at each step.

mod common;

use common::{annotate, complete};
use expect_test::expect;

const HANDLER: &str = r#"import json
import os
from typing import Any

import boto3
from boto3.dynamodb.conditions import Key
from mypy_boto3_s3 import S3Client

ssm = boto3.client("ssm")
sqs = boto3.client("sqs", region_name=os.environ.get("AWS_REGION", "us-east-1"))
TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
QUEUE_URL = os.environ["QUEUE_URL"]


def _config(name: str) -> str:
    resp = ssm.get_parameter(Name=f"/orders/{name}", WithDecryption=True)
    return resp["Parameter"]["Value"]


def _store_config(name: str, value: str) -> None:
    ssm.put_parameter(Name=f"/orders/{name}", Value=value, Type="SecureString", Overwrite=True)


class Reports:
    def __init__(self, s3: S3Client):
        self.s3 = s3

    def load(self, bucket: str, key: str) -> Any:
        obj = self.s3.get_object(Bucket=bucket, Key=key)
        return json.loads(obj["Body"].read())

    def query_csv(self, bucket: str, key: str):
        return self.s3.select_object_content(
            Bucket=bucket,
            Key=key,
            Expression="SELECT * FROM s3object s WHERE s.status = 'open'",
            ExpressionType="SQL",
            InputSerialization={"CSV": {"FileHeaderInfo": "USE"}, "CompressionType": "GZIP"},
            OutputSerialization={"JSON": {"RecordDelimiter": "\n"}},
        )


def handler(event, context):
    reports = Reports(boto3.client("s3"))
    for record in event["Records"]:
        order = json.loads(record["body"])
        TABLE.put_item(Item={"pk": order["id"], "status": "new"}, ConditionExpression="attribute_not_exists(pk)")
        existing = TABLE.query(KeyConditionExpression=Key("pk").eq(order["id"]), Limit=1)
        if not existing["Items"]:
            continue
        report = reports.load(_config("bucket"), order["report"])
        sqs.send_message(
            QueueUrl=QUEUE_URL,
            MessageBody=json.dumps(report),
            MessageAttributes={"kind": {"DataType": "String", "StringValue": "report"}},
        )
    return {"statusCode": 200}
"#;

#[test]
fn realistic_handler_is_silent() {
    let out = annotate(HANDLER);
    assert!(!out.contains("# "), "false positives in realistic code:\n{out}");
}

#[test]
fn seeded_mistakes_in_handler_code_are_found() {
    let buggy = HANDLER
        .replace("WithDecryption=True)", "WithDecryption=\"true\")")
        .replace("Type=\"SecureString\"", "Type=\"Secure\"")
        .replace("\"FileHeaderInfo\": \"USE\"", "\"FileHeader\": \"USE\"")
        .replace("MessageBody=json.dumps(report),", "Body=json.dumps(report),");
    expect![[r#"
        # ^^^^^^ error SW5006: WithDecryption must be a bool (boolean 'Boolean'), not str: botocore rejects it with ParamValidationError
        # ^^^^^^^^ warning SW5010: 'Secure' is not a known value of Type (ParameterType); expected one of String, StringList, SecureString
        # ^^^^^^^^^^ error SW5004: InputSerialization.CSV has no key 'FileHeader'; did you mean 'FileHeaderInfo'? [fix: Change to 'FileHeaderInfo']
        # ^^^^^^^^^^^^ error SW5005: sqs.send_message is missing required parameter 'MessageBody'
        # ^^^^ error SW5004: sqs.send_message has no parameter 'Body'; did you mean 'MessageBody'? [fix: Change to 'MessageBody']"#]].assert_eq(&annotate(&buggy).lines().map(str::trim_start).filter(|l| l.starts_with("# ")).collect::<Vec<_>>().join("\n"));
}

#[test]
fn completion_at_each_step_of_the_handler() {
    let at = |needle: &str, replacement: &str| {
        assert!(HANDLER.contains(needle), "{needle}");
        complete(&HANDLER.replacen(needle, replacement, 1))
    };
    // Method after a global client, inside a function.
    assert!(at("ssm.put_parameter(", "ssm.put_par$0ameter(").contains("method put_parameter (PutParameter)"));
    // Keyword arguments of a call on an annotated class attribute.
    let kw = at("Bucket=bucket, Key=key)", "Bucket=bucket, Key=key, $0)");
    assert!(kw.lines().next().unwrap().contains("ChecksumMode") || kw.contains("property VersionId"), "{kw}");
    // Enum values in a nested structure of select_object_content.
    expect![[r#"
        enummember IGNORE (FileHeaderInfo)
        enummember NONE (FileHeaderInfo)
        enummember USE (FileHeaderInfo)
    "#]]
    .assert_eq(&at("\"FileHeaderInfo\": \"USE\"", "\"FileHeaderInfo\": \"$0\""));
    // Response keys of the S3 response.
    assert!(at("obj[\"Body\"]", "obj[\"$0\"]").contains("field ContentLength (int)"));
    // Table resource methods through a module-level constant.
    assert!(at("TABLE.query(", "TABLE.$0query(").contains("method batch_writer (boto3)"));
}
