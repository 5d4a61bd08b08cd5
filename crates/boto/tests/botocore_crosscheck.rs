//! The zero-false-positive guarantee made executable: every call of a corpus is analysed here, then run
//! through boto3/botocore itself (the test virtualenv's botocore 1.44.8, with the HTTP layer stubbed so
//! nothing leaves the machine). Every error we report must be raised by botocore when the code runs, and
//! with the exception class that error stands for. The corpus mixes valid calls (realistic handler code)
//! with one mistake per case for each error rule.

mod common;

use std::path::PathBuf;
use std::process::Command;

use samwise_boto::{PyFile, Severity};

/// Python run once for the whole corpus: cases are separated by `=== CASE ===` lines; it prints one line per
/// case, `ok` or the exception class name.
const HARNESS: &str = r#"
import os, sys
os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1",
                  AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_EC2_METADATA_DISABLED="true")
import botocore.client

class _Http:
    status_code = 200
    headers = {}

# The stub: requests are built (so validation runs exactly as in production) but never sent.
botocore.client.BaseClient._make_request = lambda self, model, request_dict, ctx: (_Http(), {})

cases = open(sys.argv[1]).read().split("=== CASE ===\n")[1:]
for src in cases:
    try:
        exec(compile(src, "<case>", "exec"), {})
        print("ok")
    except Exception as e:
        print(type(e).__name__)
"#;

/// One call per case; cases that are valid must stay silent, the others name the rule they exercise.
const CORPUS: &[&str] = &[
    // Parameter Store.
    "import boto3\nssm = boto3.client('ssm')\nssm.get_parameter(Name='/app/db/password', WithDecryption=True)\n",
    "import boto3\nssm = boto3.client('ssm')\nssm.put_parameter(Name='/app/x', Value='v', Type='SecureString', Overwrite=True, Tags=[{'Key': 'team', 'Value': 'a'}])\n",
    "import boto3\nssm = boto3.client('ssm')\nssm.get_parameters_by_path(Path='/app/', Recursive=True, MaxResults=10)\n",
    "import boto3\nssm = boto3.client('ssm')\nssm.get_parameter(Name='')\n",
    "import boto3\nssm = boto3.client('ssm')\nssm.get_parameter(Name=42)\n",
    "import boto3\nssm = boto3.client('ssm')\nssm.get_parameter(Name=None)\n",
    "import boto3\nssm = boto3.client('ssm')\nssm.get_parameter(name='x')\n",
    "import boto3\nssm = boto3.client('ssm')\nssm.get_parameter('x')\n",
    "import boto3\nssm = boto3.client('ssm')\nssm.put_parameter(Name='x')\n",
    "import boto3\nssm = boto3.client('ssm')\nssm.get_parameter(Name='x', WithDecryption='yes')\n",
    "import boto3\nssm = boto3.client('ssm')\nssm.get_parameters(Names='one')\n",
    "import boto3\nssm = boto3.client('ssm')\nssm.get_parameters(Names=[])\n",
    "import boto3\nssm = boto3.client('ssm')\nssm.describe_parameters(MaxResults=0)\n",
    "import boto3\nssm = boto3.client('ssm')\nssm.describe_parameters(MaxResults=51)\n",
    "import boto3\nssm = boto3.client('ssm')\nssm.describe_parameters(Filters=[{'Key': 'Name', 'Values': ['a']}])\n",
    "import boto3\nssm = boto3.client('ssm')\nssm.describe_parameters(Filters=[{'Key': 'Name'}])\n",
    "import boto3\nssm = boto3.client('ssm')\nssm.describe_parameters(Filters=[{'Key': 'Name', 'Value': ['a']}])\n",
    "import boto3\nssm = boto3.client('ssm')\nssm.put_parameter(Name='n', Value='v', Type='SecureStrin')\n",
    "import boto3\nssm = boto3.client('ssm')\nssm.get_paramter(Name='x')\n",
    "import boto3\nssm = boto3.client('smm')\n",
    "import boto3\nssm = boto3.client(service_name='ssm')\nssm.get_parameter(Name='x')\n",
    "import boto3\nsession = boto3.Session(region_name='us-east-1')\nssm = session.client('ssm')\nssm.get_parameter(Name='x', Decrypt=True)\n",
    "import boto3\nclass Config:\n    def __init__(self):\n        self.ssm = boto3.client('ssm')\n    def get(self, n):\n        return self.ssm.get_parameter(Name=n)['Parameter']['Value']\nConfig().get('a')\n",
    "import boto3\nclass Config:\n    def __init__(self):\n        self.ssm = boto3.client('ssm')\n    def get(self):\n        return self.ssm.get_parameter()\nConfig().get()\n",
    // S3.
    "import boto3\ns3 = boto3.client('s3')\ns3.get_object(Bucket='my-bucket', Key='data/file.json')\n",
    "import boto3\ns3 = boto3.client('s3')\ns3.get_object(Bucket='my-bucket', Key='k', Range='bytes=0-99', VersionId='v1')\n",
    "import boto3\ns3 = boto3.client('s3')\ns3.get_object(Bucket='my-bucket')\n",
    "import boto3\ns3 = boto3.client('s3')\ns3.get_object(Bucket='my-bucket', Key='')\n",
    "import boto3\ns3 = boto3.client('s3')\ns3.put_object(Bucket='my-bucket', Key='k', Body=b'data', ContentType='application/json')\n",
    "import boto3\ns3 = boto3.client('s3')\ns3.put_object(Bucket='my-bucket', Key='k', Body=123)\n",
    "import boto3\ns3 = boto3.client('s3')\ns3.select_object_content(Bucket='b', Key='k', Expression='select * from s3object', ExpressionType='SQL', InputSerialization={'CSV': {'FileHeaderInfo': 'USE'}}, OutputSerialization={'JSON': {}})\n",
    "import boto3\ns3 = boto3.client('s3')\ns3.select_object_content(Bucket='b', Key='k', Expression='select 1', ExpressionType='SQL', InputSerialization={'CSV': {}})\n",
    "import boto3\ns3 = boto3.client('s3')\ns3.list_objects_v2(Bucket='b', Prefix='logs/', MaxKeys=100)\n",
    "import boto3\ns3 = boto3.client('s3')\ns3.copy_object(Bucket='b', Key='k', CopySource={'Bucket': 'a', 'Key': 'k'})\n",
    "import boto3\ns3 = boto3.client('s3')\ns3.get_paginator('list_objects_v2')\n",
    "import boto3\ns3 = boto3.client('s3')\ns3.get_paginator('list_objects_v3')\n",
    "import boto3\ns3 = boto3.client('s3')\ns3.get_waiter('bucket_exist')\n",
    "import boto3\ns3 = boto3.client('s3')\ns3.generate_presigned_url('get_object', Params={'Bucket': 'b', 'Key': 'k'})\n",
    // DynamoDB.
    "import boto3\nddb = boto3.client('dynamodb')\nddb.put_item(TableName='t', Item={'id': {'S': 'a'}, 'n': {'N': '1'}}, ConditionExpression='attribute_not_exists(id)')\n",
    "import boto3\nddb = boto3.client('dynamodb')\nddb.put_item(TableName='t', Item={'id': 'a'})\n",
    "import boto3\nddb = boto3.client('dynamodb')\nddb.put_item(TableName='t', Item={'id': {'s': 'a'}})\n",
    "import boto3\nddb = boto3.client('dynamodb')\nddb.query(TableName='t', KeyConditionExpression='pk = :pk', ExpressionAttributeValues={':pk': {'S': 'x'}}, Limit=10)\n",
    "import boto3\nddb = boto3.client('dynamodb')\nddb.query(TableName='t', Limit=0)\n",
    "import boto3\nddb = boto3.client('dynamodb')\nddb.query(TableName='t', Select='ALL_ATTRIBUTES', ReturnConsumedCapacity='TOTAL')\n",
    "import boto3\ntable = boto3.resource('dynamodb').Table('orders')\ntable.put_item(Item={'id': 'o-1', 'total': 12})\n",
    "import boto3\ntable = boto3.resource('dynamodb').Table('orders')\ntable.put_item(Itm={'id': 'o-1'})\n",
    "import boto3\ntable = boto3.resource('dynamodb').Table('orders')\ntable.query()\n",
    "import boto3\nfrom boto3.dynamodb.conditions import Key\ntable = boto3.resource('dynamodb').Table('orders')\ntable.query(KeyConditionExpression=Key('id').eq('o-1'))\n",
    "import boto3\nddb = boto3.resource('dynamodb')\nddb.Table('x').get_item(Key={'id': 'a'}, ConsistentRead=True)\n",
    "import boto3\nddb = boto3.resource('lambda')\n",
    // SQS.
    "import boto3\nsqs = boto3.client('sqs')\nsqs.send_message(QueueUrl='https://sqs.us-east-1.amazonaws.com/1/q', MessageBody='{}', DelaySeconds=5, MessageAttributes={'kind': {'DataType': 'String', 'StringValue': 'order'}})\n",
    "import boto3\nsqs = boto3.client('sqs')\nsqs.send_message(QueueUrl='u', MessageBody='b', MessageAttributes={'kind': {'StringValue': 'order'}})\n",
    "import boto3\nsqs = boto3.client('sqs')\nsqs.send_message(QueueUrl='u', MessageBody='b', DelaySeconds=1.5)\n",
    "import boto3\nsqs = boto3.client('sqs')\nsqs.send_message(QueueUrl='u')\n",
    "import boto3\nsqs = boto3.client('sqs')\nsqs.send_message(QueueUrl='u', MessageBody='b', DelaySeconds=True)\n",
    "import boto3\nsqs = boto3.client('sqs')\nsqs.receive_message(QueueUrl='u', MaxNumberOfMessages=10, WaitTimeSeconds=20)\n",
    // Others: unions, idempotency tokens, maps, deprecated, dynamic code.
    "import boto3\nbr = boto3.client('bedrock-runtime')\nbr.count_tokens(modelId='m', input={'invokeModel': {'body': b'{}'}, 'converse': {}})\n",
    "import boto3\nbr = boto3.client('bedrock-runtime')\nbr.count_tokens(modelId='m', input={})\n",
    "import boto3\nsfn = boto3.client('stepfunctions')\nsfn.start_execution(stateMachineArn='arn:aws:states:us-east-1:1:stateMachine:x', input='{}')\n",
    "import boto3\nlam = boto3.client('lambda')\nlam.invoke(FunctionName='f', InvocationType='Event', Payload=b'{}')\n",
    "import boto3\nlam = boto3.client('lambda')\nlam.invoke(FunctionName='f', Payload={'a': 1})\n",
    "import boto3\nlam = boto3.client('lambda')\nlam.invoke_async(FunctionName='f', InvokeArgs=b'{}')\n",
    "import boto3\nev = boto3.client('events')\nev.put_events(Entries=[{'Source': 's', 'DetailType': 'd', 'Detail': '{}'}])\n",
    "import boto3\nev = boto3.client('events')\nev.put_events(Entries=[])\n",
    "import boto3\nsm = boto3.client('secretsmanager')\nsm.create_secret(Name='n', SecretString='s')\n",
    "import boto3\nglacier = boto3.client('glacier')\nglacier.list_vaults()\n",
    "import boto3\nssm = boto3.client('ssm')\nparams = {'Name': 'x'}\nssm.get_parameter(**params)\n",
    "import boto3\nssm = boto3.client('ssm')\nname = 'x' * 3\nssm.get_parameter(Name=name, WithDecryption=bool(name))\n",
    "import boto3\nfrom botocore.config import Config\nssm = boto3.client('ssm', config=Config(parameter_validation=False))\nssm.get_parameter(Name=1)\n",
];

fn venv_python() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python");
    assert!(
        p.exists(),
        "{} is missing: run scripts/test-env.sh to create the test virtualenv (botocore 1.44.8)",
        p.display()
    );
    p
}

/// The Python exceptions that an error code stands for.
fn exceptions_for(code: &str) -> &'static [&'static str] {
    match code {
        "SW5001" => &["UnknownServiceError", "ResourceNotExistsError"],
        "SW5002" => &["AttributeError"],
        "SW5003" => &["TypeError"],
        "SW5004" | "SW5005" | "SW5006" | "SW5007" | "SW5009" => &["ParamValidationError"],
        // botocore 1.44 raises KeyError for an unknown paginator name, ValueError for a waiter.
        "SW5012" => &["OperationNotPageableError", "KeyError", "ValueError"],
        other => panic!("{other} is reported as an error but has no botocore exception in this test"),
    }
}

#[test]
fn every_error_we_report_is_raised_by_botocore() {
    let python = venv_python();
    let dir = std::env::temp_dir().join(format!("samwise-boto-crosscheck-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let corpus_path = dir.join("corpus.py");
    let mut corpus = String::new();
    for case in CORPUS {
        corpus.push_str("=== CASE ===\n");
        corpus.push_str(case);
    }
    std::fs::write(&corpus_path, &corpus).unwrap();
    let out = Command::new(&python).arg("-c").arg(HARNESS).arg(&corpus_path).output().expect("python runs");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success(), "harness failed: {}", String::from_utf8_lossy(&out.stderr));
    let results: Vec<String> = String::from_utf8(out.stdout).unwrap().lines().map(str::to_owned).collect();
    assert_eq!(results.len(), CORPUS.len(), "one result per case");

    let mut failures = Vec::new();
    let (mut ours, mut theirs, mut both) = (0, 0, 0);
    for (case, raised) in CORPUS.iter().zip(&results) {
        let errors: Vec<_> = PyFile::parse(case)
            .diagnostics(common::models())
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        ours += usize::from(!errors.is_empty());
        theirs += usize::from(raised != "ok");
        for d in &errors {
            if !exceptions_for(d.code).contains(&raised.as_str()) {
                failures.push(format!("we report {} ({}) but botocore says {raised} for:\n{case}", d.code, d.message));
            }
        }
        both += usize::from(!errors.is_empty() && raised != "ok");
    }
    println!("{} cases: botocore rejects {theirs}, we report errors on {ours}, both on {both}", CORPUS.len());
    assert!(failures.is_empty(), "false positives:\n\n{}", failures.join("\n\n"));
    // The corpus must exercise the check: most failing cases are caught, and some cases are valid.
    assert!(ours >= 25, "only {ours} cases have errors; the corpus no longer tests much");
    assert!(theirs - both <= 3, "botocore rejects {theirs} cases, we flag only {both}: {results:?}");
    assert!(CORPUS.len() - theirs >= 20, "too few valid cases");
}
