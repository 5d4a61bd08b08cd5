//! Fixture tests for `samwise_iam::check`: a template, a list of calls written one per line
//! (`ssm GetParameter Name=/app/x Key=?`, where `?` is a non-literal argument), and the outcome one
//! line per finding (`ssm:GetParameter on arn:... MISSING fix: - SSMParameterReadPolicy: ...`).

use expect_test::{Expect, expect};
use samwise_data::CfnData;
use samwise_data::botocore::BotocoreModels;
use samwise_iam::{CallInfo, check};
use samwise_syntax::{Format, TextRange};
use samwise_template::Template;

fn models() -> &'static BotocoreModels {
    static M: std::sync::OnceLock<BotocoreModels> = std::sync::OnceLock::new();
    M.get_or_init(|| BotocoreModels::embedded().unwrap())
}

fn calls(spec: &str) -> Vec<CallInfo> {
    spec.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(i, line)| {
            let mut words = line.split_whitespace();
            let service = words.next().unwrap().to_owned();
            let operation = words.next().unwrap().to_owned();
            let args = words
                .map(|w| {
                    let (k, v) = w.split_once('=').unwrap();
                    (k.to_owned(), (v != "?").then(|| v.to_owned()))
                })
                .collect();
            CallInfo { service, operation, args, range: TextRange::new(i as u32, i as u32 + 1) }
        })
        .collect()
}

fn run(template: &str, function: &str, spec: &str) -> String {
    let t = Template::parse(template, Format::Yaml);
    match check(&t, function, &calls(spec), models(), CfnData::embedded()) {
        Err(u) => format!("unknown: {}\n", u.reason),
        Ok(findings) if findings.is_empty() => "clean\n".into(),
        Ok(findings) => findings
            .iter()
            .map(|f| {
                let fix = f.fix.as_ref().map(|x| x.yaml_lines().join(" / ")).unwrap_or_else(|| "-".into());
                format!("{} {} | {} | fix: {}\n", f.range.start, f.action, f.message, fix)
            })
            .collect(),
    }
}

fn check_fixture(template: &str, function: &str, spec: &str, expected: Expect) {
    expected.assert_eq(&run(template, function, spec));
}

const HEAD: &str = "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\n";

fn sam(policies: &str) -> String {
    format!(
        "{HEAD}Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n      Runtime: python3.12\n      CodeUri: src/\n{policies}"
    )
}

#[test]
fn no_policies_reports_every_call_with_the_narrowest_template() {
    check_fixture(
        &sam(""),
        "Fn",
        "
        ssm GetParameter Name=/app/db
        s3 GetObject Bucket=my-bucket Key=a/b.txt
        s3 ListObjectsV2 Bucket=my-bucket
        dynamodb PutItem TableName=orders
        cloudwatch PutMetricData
        lambda Invoke FunctionName=worker
        sqs SendMessage QueueUrl=https://sqs.eu-west-1.amazonaws.com/123456789012/jobs
        ssm GetParameter Name=?
        logs PutLogEvents
        sts GetCallerIdentity
        ",
        expect![[r#"
            0 ssm:GetParameter | `ssm:GetParameter` on `arn:*:ssm:*:*:parameter/app/db` is not granted to function `Fn` | fix: - SSMParameterReadPolicy: /     ParameterName: 'app/db'
            1 s3:GetObject | `s3:GetObject` on `arn:*:s3:::my-bucket/a/b.txt` is not granted to function `Fn` | fix: - S3ReadPolicy: /     BucketName: 'my-bucket'
            2 s3:ListBucket | `s3:ListBucket` on `arn:*:s3:::my-bucket` is not granted to function `Fn` | fix: - S3ReadPolicy: /     BucketName: 'my-bucket'
            3 dynamodb:PutItem | `dynamodb:PutItem` on `arn:*:dynamodb:*:*:table/orders` is not granted to function `Fn` | fix: - DynamoDBWritePolicy: /     TableName: 'orders'
            4 cloudwatch:PutMetricData | `cloudwatch:PutMetricData` is not granted to function `Fn` | fix: - CloudWatchPutMetricPolicy: {}
            5 lambda:InvokeFunction | `lambda:InvokeFunction` on `arn:*:lambda:*:*:function:worker` is not granted to function `Fn` | fix: - LambdaInvokePolicy: /     FunctionName: 'worker'
            6 sqs:SendMessage | `sqs:SendMessage` on `arn:*:sqs:eu-west-1:123456789012:jobs` is not granted to function `Fn` | fix: - SQSSendMessagePolicy: /     QueueName: 'jobs'
            7 ssm:GetParameter | `ssm:GetParameter` is not granted to function `Fn` | fix: - Statement: /     - Effect: Allow /       Action: ssm:GetParameter /       Resource: '*'
        "#]],
    );
}

#[test]
fn policy_template_parameters_are_compared_with_literal_resources() {
    let t = sam("      Policies:\n        - SSMParameterReadPolicy:\n            ParameterName: app/*\n");
    check_fixture(
        &t,
        "Fn",
        "
        ssm GetParameter Name=/app/db
        ssm GetParameter Name=/other/x
        ssm GetParameter Name=?
        ssm DescribeParameters
        ",
        expect![[r#"
            1 ssm:GetParameter | `ssm:GetParameter` on `arn:*:ssm:*:*:parameter/other/x` is not granted to function `Fn` | fix: - SSMParameterReadPolicy: /     ParameterName: 'other/x'
        "#]],
    );
}

#[test]
fn parameters_and_named_resources_resolve() {
    let t = format!(
        "{HEAD}Parameters:\n  Prefix:\n    Type: String\n    Default: app\nResources:\n  Table:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      TableName: orders\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: a.b\n      Policies:\n        - SSMParameterReadPolicy:\n            ParameterName: !Sub '${{Prefix}}/*'\n        - DynamoDBReadPolicy:\n            TableName: !Ref Table\n"
    );
    check_fixture(
        &t,
        "Fn",
        "
        ssm GetParameter Name=/app/x
        ssm GetParameter Name=/zzz/x
        dynamodb GetItem TableName=orders
        dynamodb GetItem TableName=customers
        dynamodb PutItem TableName=orders
        ",
        expect![[r#"
            1 ssm:GetParameter | `ssm:GetParameter` on `arn:*:ssm:*:*:parameter/zzz/x` is not granted to function `Fn` | fix: - SSMParameterReadPolicy: /     ParameterName: 'zzz/x'
            3 dynamodb:GetItem | `dynamodb:GetItem` on `arn:*:dynamodb:*:*:table/customers` is not granted to function `Fn` | fix: - DynamoDBReadPolicy: /     TableName: 'customers'
            4 dynamodb:PutItem | `dynamodb:PutItem` on `arn:*:dynamodb:*:*:table/orders` is not granted to function `Fn` | fix: - DynamoDBWritePolicy: /     TableName: 'orders'
        "#]],
    );
}

#[test]
fn generated_names_match_anything() {
    // A table without TableName gets a generated name: any literal name may be it.
    let t = format!(
        "{HEAD}Resources:\n  Table:\n    Type: AWS::Serverless::SimpleTable\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: a.b\n      Policies:\n        - DynamoDBCrudPolicy:\n            TableName: !Ref Table\n"
    );
    check_fixture(
        &t,
        "Fn",
        "dynamodb PutItem TableName=whatever",
        expect![[r#"
        clean
    "#]],
    );
}

#[test]
fn inline_statements_with_wildcards_not_action_and_deny() {
    let t = sam(
        "      Policies:\n        - Statement:\n            - Effect: Allow\n              Action: ['ssm:Get*', 's3:*']\n              Resource: '*'\n            - Effect: Deny\n              Action: s3:DeleteObject\n              Resource: '*'\n            - Effect: Allow\n              NotAction: iam:*\n              Resource: !Sub 'arn:${AWS::Partition}:sqs:*:*:*'\n",
    );
    check_fixture(
        &t,
        "Fn",
        "
        ssm GetParametersByPath Path=/app
        ssm PutParameter Name=/app/x
        s3 GetObject Bucket=b Key=k
        s3 DeleteObject Bucket=b Key=k
        sqs SendMessage QueueUrl=https://sqs.us-east-1.amazonaws.com/1/q
        sns Publish TopicArn=arn:aws:sns:us-east-1:1:t
        ",
        expect![[r#"
            1 ssm:PutParameter | `ssm:PutParameter` on `arn:*:ssm:*:*:parameter/app/x` is not granted to function `Fn` | fix: - Statement: /     - Effect: Allow /       Action: ssm:PutParameter /       Resource: !Sub 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/app/x'
            3 s3:DeleteObject | `s3:DeleteObject` on `arn:*:s3:::b/k` is explicitly denied to function `Fn` | fix: -
            5 sns:Publish | `sns:Publish` on `arn:aws:sns:us-east-1:1:t` is not granted to function `Fn` | fix: - SNSPublishMessagePolicy: /     TopicName: 't'
        "#]],
    );
}

#[test]
fn administrator_access_and_basic_execution() {
    check_fixture(
        &sam("      Policies: AdministratorAccess\n"),
        "Fn",
        "iam CreateUser UserName=x",
        expect![[r#"
        clean
    "#]],
    );
    check_fixture(
        &sam("      Policies:\n        - arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole\n"),
        "Fn",
        "logs CreateLogStream\ns3 ListBuckets",
        expect![[r#"
            1 s3:ListAllMyBuckets | `s3:ListAllMyBuckets` is not granted to function `Fn` | fix: - Statement: /     - Effect: Allow /       Action: s3:ListAllMyBuckets /       Resource: '*'
        "#]],
    );
}

#[test]
fn explicit_role_with_attached_policies() {
    let t = format!(
        "{HEAD}Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {{}}\n      Policies:\n        - PolicyName: p\n          PolicyDocument:\n            Statement:\n              - Effect: Allow\n                Action: ssm:GetParameter\n                Resource: '*'\n  Extra:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyName: extra\n      Roles: [!Ref Role]\n      PolicyDocument:\n        Statement:\n          - Effect: Allow\n            Action: sqs:SendMessage\n            Resource: '*'\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: a.b\n      Role: !GetAtt Role.Arn\n      Policies: [AdministratorAccess]\n"
    );
    check_fixture(
        &t,
        "Fn",
        "
        ssm GetParameter Name=/x
        sqs SendMessage QueueUrl=?
        s3 GetObject Bucket=b Key=k
        ",
        expect![[r#"
            2 s3:GetObject | `s3:GetObject` on `arn:*:s3:::b/k` is not granted to function `Fn` | fix: - S3ReadPolicy: /     BucketName: 'b'
        "#]],
    );
}

#[test]
fn unknown_cases_report_nothing() {
    let calls = "ssm GetParameter Name=/x\ns3 PutObject Bucket=b Key=k";
    let cases = [
        // An AWS managed policy whose document samwise does not carry.
        (
            "      Policies: [AmazonS3ReadOnlyAccess]\n",
            "the document of managed policy `AmazonS3ReadOnlyAccess` is not in samwise's data",
        ),
        // A role imported or given as an ARN.
        ("      Role: !ImportValue shared-role\n", "the function's Role is not a role of this template"),
        ("      Role: arn:aws:iam::123456789012:role/x\n", "the function's Role is not a role of this template"),
        // A policy template the data does not know.
        ("      Policies:\n        - FuturePolicy: {}\n", "policy template `FuturePolicy` is not in samwise's data"),
        // An Action samwise cannot resolve.
        (
            "      Policies:\n        - Statement:\n            - Effect: Allow\n              Action: !Ref SomeParam\n              Resource: '*'\n",
            "an Allow statement whose Action samwise cannot resolve",
        ),
        // A conditional policy.
        (
            "      Policies:\n        - !If [C, AdministratorAccess, !Ref AWS::NoValue]\n",
            "a policy given by an intrinsic function samwise cannot resolve",
        ),
    ];
    for (policies, reason) in cases {
        assert_eq!(run(&sam(policies), "Fn", calls), format!("unknown: {reason}\n"), "{policies}");
    }
}

#[test]
fn event_sources_imply_their_service() {
    let t = sam(
        "      Events:\n        Q:\n          Type: SQS\n          Properties:\n            Queue: arn:aws:sqs:us-east-1:1:q\n",
    );
    check_fixture(
        &t,
        "Fn",
        "sqs DeleteMessage QueueUrl=https://sqs.us-east-1.amazonaws.com/1/q",
        expect![[r#"
        clean
    "#]],
    );
}

#[test]
fn calls_whose_action_cannot_be_told_are_skipped() {
    check_fixture(
        &sam(""),
        "Fn",
        "apigateway TagResource\nnosuchservice Foo",
        expect![[r#"
        clean
    "#]],
    );
}

#[test]
fn the_example_project_is_clean() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/parameter-store/template.yaml"))
            .unwrap();
    // What examples/parameter-store/src/app.py calls, with its (environment-provided) arguments.
    check_fixture(
        &text,
        "GreetingFunction",
        "ssm GetParameter Name=?\ns3 GetObject Bucket=? Key=?",
        expect![[r#"
        clean
    "#]],
    );
    check_fixture(
        &text,
        "GreetingFunction",
        "ssm GetParameter Name=parameter-store-example-greeting\ns3 GetObject Bucket=parameter-store-example-assets Key=templates/greeting.txt",
        expect![[r#"
            clean
        "#]],
    );
}

#[test]
fn plain_lambda_functions_use_their_role() {
    let t = format!(
        "{HEAD}Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      ManagedPolicyArns:\n        - !Sub arn:${{AWS::Partition}}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole\n        - !Ref Reader\n  Reader:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Statement:\n          Effect: Allow\n          Action: s3:GetObject\n          Resource: !Join ['', ['arn:aws:s3:::', !Ref Bucket, '/*']]\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: data\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Handler: a.b\n      Role: !GetAtt Role.Arn\n"
    );
    check_fixture(
        &t,
        "Fn",
        "
        s3 GetObject Bucket=data Key=x
        s3 GetObject Bucket=other Key=x
        logs PutLogEvents
        ",
        expect![[r#"
            1 s3:GetObject | `s3:GetObject` on `arn:*:s3:::other/x` is not granted to function `Fn` | fix: - S3ReadPolicy: /     BucketName: 'other'
        "#]],
    );
    // Without a Role a plain Lambda function's permissions are unknown.
    let no_role =
        format!("{HEAD}Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Handler: a.b\n");
    assert_eq!(run(&no_role, "Fn", "s3 GetObject Bucket=b Key=k"), "unknown: `Fn` has no Role\n");
}

#[test]
fn policies_that_may_attach_add_allows_but_not_denies() {
    // `Roles: [some-name]` may name the generated role (if it were given that name): its Allow
    // counts; its Deny, not being certain, does not.
    let t = format!(
        "{HEAD}Resources:\n  Maybe:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyName: p\n      Roles: [some-name]\n      PolicyDocument:\n        Statement:\n          - Effect: Allow\n            Action: sqs:*\n            Resource: '*'\n          - Effect: Deny\n            Action: '*'\n            Resource: '*'\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: a.b\n      Policies: [AWSLambdaBasicExecutionRole]\n"
    );
    check_fixture(
        &t,
        "Fn",
        "sqs SendMessage QueueUrl=?\nlogs PutLogEvents",
        expect![[r#"
        clean
    "#]],
    );
}

#[test]
fn connectors_make_the_function_unknown() {
    let t = format!(
        "{HEAD}Resources:\n  Conn:\n    Type: AWS::Serverless::Connector\n    Properties:\n      Source: {{Id: Fn}}\n      Destination: {{Id: T}}\n      Permissions: [Read]\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: a.b\n"
    );
    assert_eq!(
        run(&t, "Fn", "dynamodb GetItem TableName=t"),
        "unknown: the template has SAM connectors, which add policies to roles\n"
    );
}

#[test]
fn resource_policies_of_the_template_count_as_grants() {
    let t = sam("").replace(
        "Resources:\n",
        "Resources:\n  BucketPolicy:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: data\n      PolicyDocument:\n        Statement:\n          - Effect: Allow\n            Principal: {AWS: !GetAtt FnRole.Arn}\n            Action: s3:GetObject\n            Resource: arn:aws:s3:::data/*\n          - Effect: Allow\n            Principal: {Service: logs.amazonaws.com}\n            Action: s3:PutObject\n            Resource: arn:aws:s3:::data/*\n",
    );
    check_fixture(
        &t,
        "Fn",
        "s3 GetObject Bucket=data Key=k\ns3 PutObject Bucket=data Key=k",
        expect![[r#"
        1 s3:PutObject | `s3:PutObject` on `arn:*:s3:::data/k` is not granted to function `Fn` | fix: - S3WritePolicy: /     BucketName: 'data'
    "#]],
    );
}

#[test]
fn every_policy_template_of_the_data_expands() {
    // A template samwise cannot expand makes every function using it unknown; none should be.
    let data = CfnData::embedded();
    for t in data.policy_templates() {
        let params: String = t.parameters.iter().map(|p| format!("\n            {}: x", p.name)).collect();
        let body = if params.is_empty() { " {}".to_owned() } else { params };
        let policies = format!("      Policies:\n        - {}:{body}\n", t.name);
        assert_eq!(run(&sam(&policies), "Fn", ""), "clean\n", "{}", t.name);
    }
}
