//! AWS CLI equivalents of boto3 calls, both ways (`$0` marks the cursor): one fixture per value shape,
//! and round trips (boto3 -> CLI -> boto3 gives the original call for literals).

mod common;

use common::{cursor, models};
use samwise_boto::PyFile;

/// The CLI command of the call at the cursor, or `none`.
fn to_cli(fixture: &str) -> String {
    let (text, at) = cursor(fixture);
    PyFile::parse(&text).cli_command(models(), at).map_or_else(|| "none".into(), |c| c.command)
}

/// The boto3 call of the command line at the cursor, its skipped options after ` # skipped: `.
fn to_boto(fixture: &str) -> String {
    let (text, at) = cursor(fixture);
    match PyFile::parse(&text).boto3_from_cli(models(), at) {
        Some(b) if b.skipped.is_empty() => b.call,
        Some(b) => format!("{} # skipped: {}", b.call, b.skipped.join("; ")),
        None => "none".into(),
    }
}

const SSM: &str = "import boto3\nssm = boto3.client('ssm')\n";

#[test]
fn strings_numbers_and_booleans() {
    assert_eq!(
        to_cli(&format!("{SSM}ssm.get_para$0meter(Name='/app/db-url', WithDecryption=True)\n")),
        "aws ssm get-parameter --name /app/db-url --with-decryption"
    );
    assert_eq!(
        to_cli(&format!("{SSM}ssm.get_parameter(Name='my param', WithDecryption=False$0)\n")),
        "aws ssm get-parameter --name 'my param' --no-with-decryption"
    );
    assert_eq!(
        to_cli(&format!("{SSM}ssm.get_parameters_by_path(Path='/app', MaxResults=5, Recursive=True)$0\n")),
        "aws ssm get-parameters-by-path --path /app --max-results 5 --recursive"
    );
    // Quotes inside a value survive the shell; a value starting with `-` uses the `=` form.
    assert_eq!(
        to_cli(&format!("{SSM}ssm.put_parameter(Name=\"it's\", Value='-x', Type='String')$0\n")),
        "aws ssm put-parameter --name 'it'\\''s' --value=-x --type String"
    );
}

#[test]
fn lists_structures_and_nesting() {
    assert_eq!(
        to_cli(&format!("{SSM}ssm.get_parameters(Names=['a', 'b c'])$0\n")),
        "aws ssm get-parameters --names a 'b c'"
    );
    // argparse would read `-d` as an option: such a list goes as JSON.
    assert_eq!(
        to_cli(&format!("{SSM}ssm.get_parameters(Names=['a', '-d'])$0\n")),
        "aws ssm get-parameters --names '[\"a\", \"-d\"]'"
    );
    let ec2 = "import boto3\nec2 = boto3.client('ec2')\n";
    assert_eq!(
        to_cli(&format!(
            "{ec2}ec2.describe_instances(Filters=[{{'Name': 'tag:Env', 'Values': ['dev']}}], MaxResults=10)$0\n"
        )),
        "aws ec2 describe-instances --filters '[{\"Name\": \"tag:Env\", \"Values\": [\"dev\"]}]' --max-results 10"
    );
    let ddb = "import boto3\nddb = boto3.client('dynamodb')\n";
    assert_eq!(
        to_cli(&format!("{ddb}ddb.get_item(TableName='t', Key={{'pk': {{'S': 'a'}}, 'n': {{'N': '1'}}}})$0\n")),
        "aws dynamodb get-item --table-name t --key '{\"pk\": {\"S\": \"a\"}, \"n\": {\"N\": \"1\"}}'"
    );
    let sfn = "import boto3\nsfn = boto3.client('stepfunctions')\n";
    assert_eq!(
        to_cli(&format!("{sfn}sfn.start_execution(stateMachineArn='arn:x', input='{{\"a\": 1}}')$0\n")),
        "aws stepfunctions start-execution --state-machine-arn arn:x --input '{\"a\": 1}'"
    );
}

#[test]
fn placeholders_for_values_not_known_statically() {
    assert_eq!(
        to_cli(&format!(
            "{SSM}def f(name, event, flag):\n    return ssm.get_parameter(Name=name, WithDecryption=flag)$0\n"
        )),
        "aws ssm get-parameter --name <name> --with-decryption|--no-with-decryption <flag>"
    );
    assert_eq!(
        to_cli(&format!("{SSM}def f(event):\n    ssm.get_parameters(Names=[event.name, 'x', f'{{event}}'])$0\n")),
        "aws ssm get-parameters --names <event.name> x <Names>"
    );
    assert_eq!(
        to_cli(&format!("{SSM}import os\nssm.get_parameter(Name=os.environ['P'])$0\n")),
        "aws ssm get-parameter --name <Name>"
    );
}

#[test]
fn service_names_region_and_endpoint() {
    assert_eq!(
        to_cli(
            "import boto3\ns3 = boto3.client('s3', region_name='eu-west-1')\ns3.list_objects_v2(Bucket='b', Prefix='logs/')$0\n"
        ),
        "aws s3api list-objects-v2 --bucket b --prefix logs/ --region eu-west-1"
    );
    assert_eq!(
        to_cli("import boto3\nboto3.client('sqs', endpoint_url='http://127.0.0.1:5000').list_queues()$0\n"),
        "aws sqs list-queues --endpoint-url http://127.0.0.1:5000"
    );
    assert_eq!(
        to_cli(
            "import boto3\nclass A:\n    def __init__(self):\n        self.c = boto3.client('config', region_name='us-east-1')\n    def f(self):\n        self.c.describe_config_rules()$0\n"
        ),
        "aws configservice describe-config-rules --region us-east-1"
    );
    assert_eq!(
        to_cli("import boto3\nrds = boto3.client('rds')\nrds.describe_db_instances(DBInstanceIdentifier='db1')$0\n"),
        "aws rds describe-db-instances --db-instance-identifier db1"
    );
}

#[test]
fn streaming_output_takes_the_cli_output_file() {
    assert_eq!(
        to_cli("import boto3\nc = boto3.client('lambda')\nc.invoke(FunctionName='f', Payload='{}')$0\n"),
        "aws lambda invoke --function-name f --payload '{}' <outfile>"
    );
    assert_eq!(
        to_cli("import boto3\nc = boto3.client('s3')\nc.get_object(Bucket='b', Key='k')$0\n"),
        "aws s3api get-object --bucket b --key k <outfile>"
    );
    assert_eq!(
        to_boto("# aws lambda invoke --function-name f out.json extra$0\n"),
        "boto3.client(\"lambda\").invoke(FunctionName=\"f\") # skipped: extra"
    );
}

#[test]
fn unknown_operations_and_resources_have_no_command() {
    assert_eq!(to_cli(&format!("{SSM}ssm.get_parameterz(Name='x')$0\n")), "none");
    assert_eq!(to_cli("import boto3\nt = boto3.resource('dynamodb').Table('t')\nt.get_item(Key={})$0\n"), "none");
    assert_eq!(to_cli("print('x')$0\n"), "none");
}

#[test]
fn command_lines_in_comments_and_strings() {
    // An existing client of the service is used; otherwise a new one.
    assert_eq!(
        to_boto(&format!("{SSM}# aws ssm get-parameter --name /app/db --with-decryption$0\n")),
        "ssm.get_parameter(Name=\"/app/db\", WithDecryption=True)"
    );
    assert_eq!(
        to_boto("import boto3\n# $0aws lambda invoke --function-name fn --payload '{\"a\": 1}' --no-cli-pager\n"),
        "boto3.client(\"lambda\").invoke(FunctionName=\"fn\", Payload=\"{\\\"a\\\": 1}\") # skipped: --no-cli-pager"
    );
    // Numbers and booleans by the model's types; `--no-flag` is False.
    assert_eq!(
        to_boto(&format!("{SSM}x = 'aws ssm get-parameters-by-path --path /a --max-results 5 --no-recursive$0'\n")),
        "ssm.get_parameters_by_path(Path=\"/a\", MaxResults=5, Recursive=False)"
    );
    // Lists of scalars, JSON and shorthand structures.
    assert_eq!(
        to_boto(&format!("{SSM}# aws ssm get-parameters --names a 'b c'$0\n")),
        "ssm.get_parameters(Names=[\"a\", \"b c\"])"
    );
    assert_eq!(
        to_boto(
            "# aws ec2 describe-instances --filters Name=tag:Env,Values=dev,prod Name=x,Values=[1] --max-results 10$0\n"
        ),
        "boto3.client(\"ec2\").describe_instances(Filters=[{\"Name\": \"tag:Env\", \"Values\": [\"dev\", \"prod\"]}, {\"Name\": \"x\", \"Values\": [\"1\"]}], MaxResults=10)"
    );
    assert_eq!(
        to_boto("# aws dynamodb get-item --table-name t --key '{\"pk\": {\"S\": \"a\"}}' --consistent-read$0\n"),
        "boto3.client(\"dynamodb\").get_item(TableName=\"t\", Key={\"pk\": {\"S\": \"a\"}}, ConsistentRead=True)"
    );
    assert_eq!(
        to_boto("# aws lambda tag-resource --resource arn:x --tags env=dev,team=a$0\n"),
        "boto3.client(\"lambda\").tag_resource(Resource=\"arn:x\", Tags={\"env\": \"dev\", \"team\": \"a\"})"
    );
}

#[test]
fn command_line_globals_services_and_continuations() {
    assert_eq!(
        to_boto("# aws --region eu-west-1 s3api list-objects-v2 --bucket b --output json$0\n"),
        "boto3.client(\"s3\", region_name=\"eu-west-1\").list_objects_v2(Bucket=\"b\") # skipped: --output json"
    );
    assert_eq!(
        to_boto("# aws sqs list-queues --profile dev --endpoint-url http://127.0.0.1:4566$0\n"),
        "boto3.Session(profile_name=\"dev\").client(\"sqs\", endpoint_url=\"http://127.0.0.1:4566\").list_queues()"
    );
    assert_eq!(
        to_boto("def f():\n    # aws ssm get-parameter \\\n    #   --name x \\\n    #   --bogus 1 2$0\n    pass\n"),
        "boto3.client(\"ssm\").get_parameter(Name=\"x\") # skipped: --bogus 1 2"
    );
    assert_eq!(to_boto("# aws s3 ls s3://bucket$0\n"), "none");
    assert_eq!(to_boto("# aws ssm get-parameterz --name x$0\n"), "none");
    assert_eq!(to_boto("# aws nosuchservice do-it$0\n"), "none");
    assert_eq!(to_boto("# just a comment$0\n"), "none");
}

#[test]
fn comment_edit_inserts_the_call_below_at_the_comment_indentation() {
    let (text, at) = cursor("def f():\n    # aws sts get-caller-identity$0\n    pass\n");
    let b = PyFile::parse(&text).boto3_from_cli(models(), at).expect("a command line");
    let mut out = text.clone();
    out.replace_range(b.edit.range.as_range(), &b.edit.new_text);
    assert_eq!(
        out,
        "def f():\n    # aws sts get-caller-identity\n    boto3.client(\"sts\").get_caller_identity()\n    pass\n"
    );
    let (text, at) = cursor(&format!("{SSM}cmd = \"aws ssm get-parameter --name$0 x\"\n"));
    let b = PyFile::parse(&text).boto3_from_cli(models(), at).expect("a command line");
    let mut out = text.clone();
    out.replace_range(b.edit.range.as_range(), &b.edit.new_text);
    assert_eq!(out, format!("{SSM}cmd = ssm.get_parameter(Name=\"x\")\n"));
}

/// boto3 -> CLI -> boto3 gives back the call as written (double quotes, no spaces around `=`).
#[test]
fn round_trips() {
    let calls = [
        ("ssm", "get_parameter(Name=\"/app/db\", WithDecryption=True)"),
        ("ssm", "get_parameter(Name=\"it's a \\\"name\\\"\", WithDecryption=False)"),
        ("ssm", "get_parameters_by_path(Path=\"/a\", Recursive=True, MaxResults=10)"),
        ("ssm", "get_parameters(Names=[\"a\", \"b c\", \"-d\"])"),
        ("ssm", "put_parameter(Name=\"n\", Value=\"-x\", Type=\"SecureString\", Overwrite=True)"),
        ("ssm", "get_parameter(Name=name)"),
        ("s3", "list_objects_v2(Bucket=\"b\", Prefix=\"logs/\", MaxKeys=100)"),
        (
            "s3",
            "put_object_tagging(Bucket=\"b\", Key=\"k\", Tagging={\"TagSet\": [{\"Key\": \"a\", \"Value\": \"b\"}]})",
        ),
        ("ec2", "describe_instances(Filters=[{\"Name\": \"tag:Env\", \"Values\": [\"dev\"]}], MaxResults=10)"),
        (
            "dynamodb",
            "get_item(TableName=\"t\", Key={\"pk\": {\"S\": \"a\"}, \"n\": {\"N\": \"1\"}}, ConsistentRead=True)",
        ),
        (
            "dynamodb",
            "update_item(TableName=\"t\", Key={\"pk\": {\"S\": \"a\"}}, ExpressionAttributeValues={\":v\": {\"BOOL\": False}, \":l\": {\"L\": [{\"N\": \"2\"}]}})",
        ),
        ("lambda", "invoke(FunctionName=\"fn\", InvocationType=\"Event\", Payload=\"{}\")"),
        ("lambda", "tag_resource(Resource=\"arn:aws:lambda:eu-west-1:1:function:f\", Tags={\"env\": \"dev\"})"),
        ("sqs", "send_message(QueueUrl=\"http://q\", MessageBody=\"hi\\nthere\", DelaySeconds=5)"),
        ("events", "put_events(Entries=[{\"Source\": \"app\", \"DetailType\": \"t\", \"Detail\": \"{}\"}])"),
        ("cloudwatch", "put_metric_data(Namespace=\"n\", MetricData=[{\"MetricName\": \"m\", \"Value\": 1.5}])"),
        ("logs", "filter_log_events(logGroupName=\"/aws/lambda/f\", startTime=1700000000000, limit=50)"),
        ("stepfunctions", "start_execution(stateMachineArn=\"arn:x\", input=\"{\\\"a\\\": 1}\")"),
        ("apigateway", "get_rest_apis(limit=5)"),
        (
            "eks",
            "create_cluster(name=\"c\", version=\"1.30\", roleArn=\"arn:r\", resourcesVpcConfig={\"subnetIds\": [\"s1\", \"s2\"]})",
        ),
    ];
    for (service, call) in calls {
        // `lambda` is a Python keyword.
        let var = if service == "lambda" { "awslambda".to_owned() } else { service.replace('-', "_") };
        let text = format!("import boto3\n{var} = boto3.client(\"{service}\")\n{var}.{call}\n");
        let at = text.rfind(')').expect("a call") as u32;
        let cli = PyFile::parse(&text).cli_command(models(), at).unwrap_or_else(|| panic!("no command for {call}"));
        let back_text = format!("import boto3\n{var} = boto3.client(\"{service}\")\n# {}\n", cli.command);
        let back = PyFile::parse(&back_text)
            .boto3_from_cli(models(), back_text.len() as u32 - 2)
            .unwrap_or_else(|| panic!("no call for {}", cli.command));
        assert_eq!(back.call, format!("{var}.{call}"), "via {}", cli.command);
        assert!(back.skipped.is_empty(), "{:?}", back.skipped);
    }
}

/// Half-typed command lines and calls (every prefix, cursor at every character) give an answer or
/// none, never a panic; non-ASCII values pass through both ways.
#[test]
fn prefixes_and_non_ascii_never_panic() {
    let line = "aws --region eu-west-1 ec2 describe-instances --filters 'Name=tag:Név,Values=[é,\"x]' \
                --dry-run --query \"R[0]\" $'a\\x' \\\n --max-results 5 | jq";
    for (end, _) in line.char_indices() {
        for text in [format!("# {}\n", &line[..end]), format!("x = \"\"\"{}\"\"\"\n", &line[..end])] {
            let file = PyFile::parse(&text);
            for (at, _) in text.char_indices() {
                let _ = file.boto3_from_cli(models(), at as u32);
            }
        }
    }
    let call = "import boto3\nssm = boto3.client('ssm', region_name='eu-west-1')\n\
                ssm.put_parameter(Name='/é', Value=\"a\\x41\\u00e9\\n\", Type='String', Tags=[{'Key': 'k', 'Value': v}])\n";
    for (end, _) in call.char_indices() {
        let file = PyFile::parse(&call[..end]);
        for (at, _) in call[..end].char_indices() {
            let _ = file.cli_command(models(), at as u32);
        }
    }
    let cli = PyFile::parse(call).cli_command(models(), call.len() as u32 - 2).expect("a command").command;
    assert_eq!(
        cli,
        "aws ssm put-parameter --name '/é' --value $'aAé\\n' --type String --tags '[{\"Key\": \"k\", \"Value\": <v>}]' --region eu-west-1"
    );
}
