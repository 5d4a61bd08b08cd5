//! Completion fixtures: a template with a `$0` cursor marker, and the items one per line
//! (`kind label detail`), filtered like an editor filters by the word typed so far.
//! Update the snapshots with `UPDATE_EXPECT=1 cargo test -p samwise-ide --test completion`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use expect_test::{Expect, expect};
use samwise_ide::{Analysis, CompletionItem, CompletionKind, Config};

/// Splits a fixture at its `$0` marker.
fn cursor(fixture: &str) -> (String, u32) {
    let at = fixture.find("$0").expect("fixture has a $0 marker");
    (format!("{}{}", &fixture[..at], &fixture[at + 2..]), at as u32)
}

fn kind(k: CompletionKind) -> &'static str {
    match k {
        CompletionKind::Section => "sec",
        CompletionKind::ResourceType => "res",
        CompletionKind::Property => "prop",
        CompletionKind::Value => "val",
        CompletionKind::EnumMember => "enum",
        CompletionKind::Function => "fn",
        CompletionKind::Reference => "ref",
        CompletionKind::Keyword => "kw",
        CompletionKind::Snippet => "snip",
        CompletionKind::File => "file",
        CompletionKind::Folder => "dir",
        CompletionKind::Module => "mod",
        CompletionKind::Method => "handler",
        CompletionKind::Field => "attr",
    }
}

fn items_at(path: &Path, fixture: &str) -> (String, Vec<CompletionItem>) {
    let (text, offset) = cursor(fixture);
    let a = Analysis::new(Some(path), Arc::from(text.as_str()), &Config::default());
    (text, a.completions(offset))
}

/// Renders items as the editor would show them after filtering on the typed word (case-insensitive
/// substring), at most 40 lines.
fn render(text: &str, items: &[CompletionItem]) -> String {
    let mut out = String::new();
    let mut shown = 0;
    let mut hidden = 0;
    for i in items {
        let typed = text[i.replace_range.start as usize..i.replace_range.end as usize].to_ascii_lowercase();
        let typed = typed.trim_start_matches('!');
        if !i.label.to_ascii_lowercase().contains(typed) {
            continue;
        }
        if shown == 40 {
            hidden += 1;
            continue;
        }
        shown += 1;
        out.push_str(&format!("{} {}", kind(i.kind), i.label));
        if let Some(d) = &i.detail {
            out.push_str(&format!(" {d}"));
        }
        out.push('\n');
    }
    if hidden > 0 {
        out.push_str(&format!("... {hidden} more\n"));
    }
    out
}

fn check(fixture: &str, expect: Expect) {
    let path =
        if fixture.trim_start().starts_with('{') { "/nonexistent/template.json" } else { "/nonexistent/template.yaml" };
    let (text, items) = items_at(Path::new(path), fixture);
    expect.assert_eq(&render(&text, &items));
}

/// A SAM template shared by several fixtures; `$0` goes where `@@` is.
const SAM: &str = r#"AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
    Default: dev
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Mappings:
  RegionMap:
    us-east-1:
      Ami: ami-1
      Size: small
    eu-west-1:
      Ami: ami-2
Globals:
  Function:
    Runtime: python3.12
    Timeout: 10
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Api:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Events:
        Get:
          Type: Api
          Properties:
            Path: /
            Method: get
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
@@
"#;

fn sam(at: &str) -> String {
    SAM.replace("@@\n", at)
}

// ----- sections ------------------------------------------------------------------------------

#[test]
fn sections_minus_present() {
    check(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::Bucket\n$0\n",
        expect![[r#"
            sec Conditions
            sec Description
            sec Globals
            sec Hooks
            sec Mappings
            sec Metadata
            sec Outputs
            sec Parameters
            sec Rules
            sec Transform
        "#]],
    );
}

#[test]
fn sections_half_typed() {
    check(
        "Resources:\n  B:\n    Type: AWS::S3::Bucket\nOut$0\n",
        expect![[r#"
        sec Outputs
    "#]],
    );
}

// ----- resource types ------------------------------------------------------------------------

#[test]
fn resource_types() {
    check(
        "Resources:\n  B:\n    Type: AWS::S3::Buc$0\n",
        expect![[r#"
        res AWS::S3::Bucket
        res AWS::S3::BucketPolicy
    "#]],
    );
}

#[test]
fn resource_type_snippet_prefills_required_properties() {
    let (_, items) = items_at(Path::new("/x/template.yaml"), "Resources:\n  T:\n    Type: AWS::SNS::Subscrip$0\n");
    let item = items.iter().find(|i| i.label == "AWS::SNS::Subscription").expect("type offered");
    assert!(item.is_snippet);
    assert_eq!(item.insert_text, "AWS::SNS::Subscription\n    Properties:\n      TopicArn: ${1}\n      Protocol: ${2}");
}

#[test]
fn resource_type_without_snippet_when_properties_exist() {
    let (_, items) = items_at(
        Path::new("/x/template.yaml"),
        "Resources:\n  T:\n    Type: AWS::SNS::Subscrip$0\n    Properties: {}\n",
    );
    let item = items.iter().find(|i| i.label == "AWS::SNS::Subscription").expect("type offered");
    assert_eq!(item.insert_text, "AWS::SNS::Subscription");
}

#[test]
fn resource_attributes() {
    check(
        "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    $0\n",
        expect![[r#"
        kw Properties
        kw Condition
        kw CreationPolicy
        kw DeletionPolicy
        kw DependsOn
        kw Metadata
        kw UpdatePolicy
        kw UpdateReplacePolicy
    "#]],
    );
}

// ----- property names ------------------------------------------------------------------------

#[test]
fn properties_on_empty_line_under_properties() {
    check(
        &sam("      Bucket$0\n"),
        expect![[r#"
        prop BucketEncryption Object
        prop BucketName String
        prop BucketNamePrefix String
        prop BucketNamespace String
    "#]],
    );
}

#[test]
fn properties_half_typed_minus_present() {
    check(
        "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: x\n      Bucket$0\n",
        expect![[r#"
            prop BucketEncryption Object
            prop BucketNamePrefix String
            prop BucketNamespace String
        "#]],
    );
}

#[test]
fn properties_missing_colon_keeps_following_keys() {
    check(
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      Message$0\n      DelaySeconds: 3\n      MaximumMessageSize: 10\n  Other:\n    Type: AWS::SNS::Topic\n",
        expect![[r#"
            prop MessageRetentionPeriod Integer
            prop ReceiveMessageWaitTimeSeconds Integer
        "#]],
    );
}

#[test]
fn nested_properties() {
    check(
        "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      VersioningConfiguration:\n        $0\n",
        expect![[r#"
            prop Status String (required)
        "#]],
    );
}

#[test]
fn properties_inside_list_items() {
    check(
        "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags:\n        - Key: a\n          $0\n",
        expect![[r#"
            prop Value String (required)
        "#]],
    );
}

#[test]
fn function_properties_required_first_globals_after() {
    check(
        "Transform: AWS::Serverless-2016-10-31\nGlobals:\n  Function:\n    Runtime: python3.12\n    Timeout: 3\nResources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.h\n      Run$0\n",
        expect![[r#"
            prop RuntimeManagementConfig Any
            prop Runtime String (set in Globals)
        "#]],
    );
}

#[test]
fn globals_sections_and_keys() {
    check(
        "Transform: AWS::Serverless-2016-10-31\nGlobals:\n  $0\nResources: {}\n",
        expect![[r#"
        prop Api AWS::Serverless::Api
        prop CapacityProvider AWS::Serverless::CapacityProvider
        prop Function AWS::Serverless::Function
        prop HttpApi AWS::Serverless::HttpApi
        prop LayerVersion AWS::Serverless::LayerVersion
        prop MicrovmImage AWS::Serverless::MicrovmImage
        prop NetworkConnector AWS::Serverless::NetworkConnector
        prop SimpleTable AWS::Serverless::SimpleTable
        prop StateMachine AWS::Serverless::StateMachine
        prop WebSocketApi AWS::Serverless::WebSocketApi
    "#]],
    );
    check(
        "Transform: AWS::Serverless-2016-10-31\nGlobals:\n  Function:\n    Runtime: python3.12\n    Mem$0\nResources: {}\n",
        expect![[r#"
            prop MemorySize Integer
            prop RuntimeManagementConfig Any
        "#]],
    );
}

// ----- values --------------------------------------------------------------------------------

#[test]
fn enum_values_runtime() {
    check(
        "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.1$0\n",
        expect![[r#"
            enum python3.15
            enum python3.10 deprecation 2026-10-31
            enum python3.11 deprecation 2027-06-30
            enum python3.12 deprecation 2028-10-31
            enum python3.13 deprecation 2029-06-30
            enum python3.14 deprecation 2029-06-30
        "#]],
    );
}

#[test]
fn enum_values_architectures_and_package_type() {
    check(
        "Resources:\n  F:\n    Type: AWS::Lambda::Function\n    Properties:\n      Architectures:\n        - $0\n",
        expect![[r#"
            enum arm64
            enum x86_64
            fn !And Fn::And
            fn !Base64 Fn::Base64
            fn !Cidr Fn::Cidr
            fn !Condition Condition
            fn !Equals Fn::Equals
            fn !FindInMap Fn::FindInMap
            fn !GetAZs Fn::GetAZs
            fn !GetAtt Fn::GetAtt
            fn !If Fn::If
            fn !ImportValue Fn::ImportValue
            fn !Join Fn::Join
            fn !Not Fn::Not
            fn !Or Fn::Or
            fn !Ref Ref
            fn !Select Fn::Select
            fn !Split Fn::Split
            fn !Sub Fn::Sub
            fn !Transform Fn::Transform
        "#]],
    );
    check(
        "Resources:\n  F:\n    Type: AWS::Lambda::Function\n    Properties:\n      PackageType: $0\n",
        expect![[r#"
            enum Image
            enum Zip
            fn !And Fn::And
            fn !Base64 Fn::Base64
            fn !Cidr Fn::Cidr
            fn !Condition Condition
            fn !Equals Fn::Equals
            fn !FindInMap Fn::FindInMap
            fn !GetAZs Fn::GetAZs
            fn !GetAtt Fn::GetAtt
            fn !If Fn::If
            fn !ImportValue Fn::ImportValue
            fn !Join Fn::Join
            fn !Not Fn::Not
            fn !Or Fn::Or
            fn !Ref Ref
            fn !Select Fn::Select
            fn !Split Fn::Split
            fn !Sub Fn::Sub
            fn !Transform Fn::Transform
        "#]],
    );
}

#[test]
fn booleans() {
    check(
        "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      FifoTopic: $0\n",
        expect![[r#"
            val false Boolean
            val true Boolean
            fn !And Fn::And
            fn !Base64 Fn::Base64
            fn !Cidr Fn::Cidr
            fn !Condition Condition
            fn !Equals Fn::Equals
            fn !FindInMap Fn::FindInMap
            fn !GetAZs Fn::GetAZs
            fn !GetAtt Fn::GetAtt
            fn !If Fn::If
            fn !ImportValue Fn::ImportValue
            fn !Join Fn::Join
            fn !Not Fn::Not
            fn !Or Fn::Or
            fn !Ref Ref
            fn !Select Fn::Select
            fn !Split Fn::Split
            fn !Sub Fn::Sub
            fn !Transform Fn::Transform
        "#]],
    );
}

#[test]
fn event_types_and_event_properties() {
    check(
        &SAM.replace("          Type: Api\n", "          Type: $0\n").replace("@@\n", ""),
        expect![[r#"
        enum AlexaSkill
        enum Api
        enum CloudWatchEvent
        enum CloudWatchLogs
        enum Cognito
        enum DocumentDB
        enum DynamoDB
        enum EventBridgeRule
        enum HttpApi
        enum IoTRule
        enum Kinesis
        enum MQ
        enum MSK
        enum S3
        enum SNS
        enum SQS
        enum Schedule
        enum ScheduleV2
        enum SelfManagedKafka
        fn !And Fn::And
        fn !Base64 Fn::Base64
        fn !Cidr Fn::Cidr
        fn !Condition Condition
        fn !Equals Fn::Equals
        fn !FindInMap Fn::FindInMap
        fn !GetAZs Fn::GetAZs
        fn !GetAtt Fn::GetAtt
        fn !If Fn::If
        fn !ImportValue Fn::ImportValue
        fn !Join Fn::Join
        fn !Not Fn::Not
        fn !Or Fn::Or
        fn !Ref Ref
        fn !Select Fn::Select
        fn !Split Fn::Split
        fn !Sub Fn::Sub
        fn !Transform Fn::Transform
    "#]],
    );
    check(
        &SAM.replace("            Method: get\n", "            Method: get\n            $0\n").replace("@@\n", ""),
        expect![[r#"
            prop Auth Object
            prop RequestModel Object
            prop RequestParameters List<String | Map>
            prop ResponseTransferMode Any
            prop RestApiId String | Object
            prop TimeoutInMillis Integer
        "#]],
    );
}

// ----- intrinsic functions -------------------------------------------------------------------

#[test]
fn short_form_functions() {
    check(
        &sam("      BucketName: !Su$0\n"),
        expect![[r#"
        fn !Sub Fn::Sub
    "#]],
    );
}

#[test]
fn long_form_functions_as_key() {
    check(
        &sam("      BucketName:\n        Fn::$0\n"),
        expect![[r#"
        fn Fn::And
        fn Fn::Base64
        fn Fn::Cidr
        fn Fn::Equals
        fn Fn::FindInMap
        fn Fn::GetAZs
        fn Fn::GetAtt
        fn Fn::If
        fn Fn::ImportValue
        fn Fn::Join
        fn Fn::Length
        fn Fn::Not
        fn Fn::Or
        fn Fn::Select
        fn Fn::Split
        fn Fn::Sub
        fn Fn::ToJsonString
        fn Fn::Transform
    "#]],
    );
}

#[test]
fn ref_targets() {
    check(
        &sam("      BucketName: !Ref $0\n"),
        expect![[r#"
        ref Stage Parameter String
        ref Api AWS::Serverless::Function
        ref Queue AWS::SQS::Queue
        ref ApiRole AWS::IAM::Role (SAM generated)
        ref ServerlessRestApi AWS::ApiGateway::RestApi (SAM generated)
        ref AWS::AccountId Pseudo parameter
        ref AWS::NoValue Pseudo parameter
        ref AWS::NotificationARNs Pseudo parameter
        ref AWS::Partition Pseudo parameter
        ref AWS::Region Pseudo parameter
        ref AWS::StackId Pseudo parameter
        ref AWS::StackName Pseudo parameter
        ref AWS::URLSuffix Pseudo parameter
    "#]],
    );
}

#[test]
fn ref_targets_long_form() {
    check(
        &sam("      BucketName:\n        Ref: St$0\n"),
        expect![[r#"
        ref Stage Parameter String
        ref ServerlessRestApi AWS::ApiGateway::RestApi (SAM generated)
        ref AWS::StackId Pseudo parameter
        ref AWS::StackName Pseudo parameter
    "#]],
    );
}

#[test]
fn get_att_resources_then_attributes() {
    check(
        &sam("      BucketName: !GetAtt $0\n"),
        expect![[r#"
        ref Api AWS::Serverless::Function
        ref Queue AWS::SQS::Queue
        ref ApiRole AWS::IAM::Role (SAM generated)
        ref ServerlessRestApi AWS::ApiGateway::RestApi (SAM generated)
    "#]],
    );
    check(
        &sam("      BucketName: !GetAtt Queue.$0\n"),
        expect![[r#"
        attr Arn String
        attr ContentBasedDeduplication Boolean
        attr DeduplicationScope String
        attr DelaySeconds Integer
        attr FifoQueue Boolean
        attr FifoThroughputLimit String
        attr KmsDataKeyReusePeriodSeconds Integer
        attr KmsMasterKeyId String
        attr MaximumMessageSize Integer
        attr MessageRetentionPeriod Integer
        attr QueueName String
        attr QueueUrl String
        attr ReceiveMessageWaitTimeSeconds Integer
        attr RedrivePolicy.deadLetterTargetArn String
        attr RedrivePolicy.maxReceiveCount Integer
        attr SqsManagedSseEnabled Boolean
        attr Tags List
        attr VisibilityTimeout Integer
    "#]],
    );
    check(
        &sam("      BucketName: !GetAtt ApiRole.A$0\n"),
        expect![[r#"
        attr Arn String
    "#]],
    );
}

#[test]
fn get_att_list_form() {
    check(
        &sam("      BucketName: !GetAtt [Queue, $0]\n"),
        expect![[r#"
        attr Arn String
        attr ContentBasedDeduplication Boolean
        attr DeduplicationScope String
        attr DelaySeconds Integer
        attr FifoQueue Boolean
        attr FifoThroughputLimit String
        attr KmsDataKeyReusePeriodSeconds Integer
        attr KmsMasterKeyId String
        attr MaximumMessageSize Integer
        attr MessageRetentionPeriod Integer
        attr QueueName String
        attr QueueUrl String
        attr ReceiveMessageWaitTimeSeconds Integer
        attr RedrivePolicy.deadLetterTargetArn String
        attr RedrivePolicy.maxReceiveCount Integer
        attr SqsManagedSseEnabled Boolean
        attr Tags List
        attr VisibilityTimeout Integer
    "#]],
    );
}

#[test]
fn sub_variables() {
    check(
        &sam("      BucketName: !Sub \"${Stage}-${$0\"\n"),
        expect![[r#"
        ref Stage Parameter String
        ref Api AWS::Serverless::Function
        ref Queue AWS::SQS::Queue
        ref ApiRole AWS::IAM::Role (SAM generated)
        ref ServerlessRestApi AWS::ApiGateway::RestApi (SAM generated)
        ref AWS::AccountId Pseudo parameter
        ref AWS::NotificationARNs Pseudo parameter
        ref AWS::Partition Pseudo parameter
        ref AWS::Region Pseudo parameter
        ref AWS::StackId Pseudo parameter
        ref AWS::StackName Pseudo parameter
        ref AWS::URLSuffix Pseudo parameter
    "#]],
    );
    check(
        &sam("      BucketName: !Sub \"${Queue.Q$0\"\n"),
        expect![[r#"
        attr FifoQueue Boolean
        attr QueueName String
        attr QueueUrl String
        attr SqsManagedSseEnabled Boolean
    "#]],
    );
}

#[test]
fn find_in_map_levels() {
    check(
        &sam("      BucketName: !FindInMap [$0]\n"),
        expect![[r#"
        ref RegionMap Mapping
    "#]],
    );
    check(
        &sam("      BucketName: !FindInMap [RegionMap, $0]\n"),
        expect![[r#"
        ref eu-west-1 Top-level key
        ref us-east-1 Top-level key
    "#]],
    );
    check(
        &sam("      BucketName: !FindInMap [RegionMap, us-east-1, $0]\n"),
        expect![[r#"
        ref Ami Second-level key
        ref Size Second-level key
    "#]],
    );
    check(
        &sam("      BucketName: !FindInMap [RegionMap, !Ref AWS::Region, $0]\n"),
        expect![[r#"
        ref Ami Second-level key
        ref Size Second-level key
    "#]],
    );
}

#[test]
fn find_in_map_block_form() {
    check(
        &sam("      BucketName:\n        Fn::FindInMap:\n          - RegionMap\n          - $0\n"),
        expect![[r#"
        ref eu-west-1 Top-level key
        ref us-east-1 Top-level key
    "#]],
    );
}

#[test]
fn condition_names() {
    check(
        &SAM.replace(
            "  Bucket:\n    Type: AWS::S3::Bucket\n",
            "  Bucket:\n    Condition: $0\n    Type: AWS::S3::Bucket\n",
        )
        .replace("@@\n", ""),
        expect![[r#"
        ref IsProd Condition
    "#]],
    );
    check(
        &sam("      BucketName: !If [$0]\n"),
        expect![[r#"
        ref IsProd Condition
    "#]],
    );
    check(
        &SAM.replace(
            "  IsProd: !Equals [!Ref Stage, prod]\n",
            "  IsProd: !Equals [!Ref Stage, prod]\n  Not: !Not [!Condition $0]\n",
        )
        .replace("@@\n", ""),
        expect![[r#"
        ref IsProd Condition
        ref Not Condition
    "#]],
    );
}

#[test]
fn depends_on_targets() {
    check(
        &SAM.replace(
            "  Bucket:\n    Type: AWS::S3::Bucket\n",
            "  Bucket:\n    DependsOn: $0\n    Type: AWS::S3::Bucket\n",
        )
        .replace("@@\n", ""),
        expect![[r#"
        ref Api AWS::Serverless::Function
        ref Queue AWS::SQS::Queue
    "#]],
    );
    check(
        &SAM.replace(
            "  Bucket:\n    Type: AWS::S3::Bucket\n",
            "  Bucket:\n    DependsOn:\n      - Queue\n      - $0\n    Type: AWS::S3::Bucket\n",
        )
        .replace("@@\n", ""),
        expect![[r#"
        ref Api AWS::Serverless::Function
    "#]],
    );
}

// ----- SAM -----------------------------------------------------------------------------------

#[test]
fn policy_templates() {
    check(
        &SAM.replace(
            "      Handler: app.handler\n",
            "      Handler: app.handler\n      Policies:\n        - SQSPoll$0\n",
        )
        .replace("@@\n", ""),
        expect![[r#"
            snip SQSPollerPolicy SAM policy template
        "#]],
    );
}

#[test]
fn policy_template_snippet() {
    let fixture = SAM
        .replace("      Handler: app.handler\n", "      Handler: app.handler\n      Policies:\n        - SQSPoll$0\n")
        .replace("@@\n", "");
    let (_, items) = items_at(Path::new("/x/template.yaml"), &fixture);
    let item = items.iter().find(|i| i.label == "SQSPollerPolicy").expect("policy template offered");
    assert_eq!(item.insert_text, "SQSPollerPolicy:\n            QueueName: ${1}");
    assert!(item.is_snippet);
}

#[test]
fn policy_template_parameters() {
    check(
        &SAM.replace(
            "      Handler: app.handler\n",
            "      Handler: app.handler\n      Policies:\n        - S3ReadPolicy:\n            $0\n",
        )
        .replace("@@\n", ""),
        expect![[r#"
            prop BucketName String
        "#]],
    );
}

// ----- JSON ----------------------------------------------------------------------------------

#[test]
fn json_properties_in_half_typed_key() {
    check(
        r#"{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"Delay$0
}}}}"#,
        expect![[r#"
    prop DelaySeconds Integer
"#]],
    );
}

#[test]
fn json_ref_targets_and_functions() {
    check(
        r#"{"Parameters": {"P": {"Type": "String"}}, "Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Ref": "$0"}}}}}"#,
        expect![[r#"
        ref P Parameter String
        ref AWS::AccountId Pseudo parameter
        ref AWS::NoValue Pseudo parameter
        ref AWS::NotificationARNs Pseudo parameter
        ref AWS::Partition Pseudo parameter
        ref AWS::Region Pseudo parameter
        ref AWS::StackId Pseudo parameter
        ref AWS::StackName Pseudo parameter
        ref AWS::URLSuffix Pseudo parameter
    "#]],
    );
    check(
        r#"{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": $0}}}}"#,
        expect![[r#"
        fn Condition
        fn Fn::And
        fn Fn::Base64
        fn Fn::Cidr
        fn Fn::Equals
        fn Fn::FindInMap
        fn Fn::GetAZs
        fn Fn::GetAtt
        fn Fn::If
        fn Fn::ImportValue
        fn Fn::Join
        fn Fn::Not
        fn Fn::Or
        fn Fn::Select
        fn Fn::Split
        fn Fn::Sub
        fn Fn::Transform
        fn Ref
    "#]],
    );
}

#[test]
fn json_resource_types() {
    check(
        r#"{"Resources": {"Q": {"Type": "AWS::SQS::Q$0"}}}"#,
        expect![[r#"
        res AWS::SQS::Queue
        res AWS::SQS::QueueInlinePolicy
        res AWS::SQS::QueuePolicy
    "#]],
    );
}

// ----- broken documents ----------------------------------------------------------------------

#[test]
fn unclosed_flow_sequence() {
    check(
        &sam("      BucketName: !FindInMap [RegionMap, us-east-1, $0\n"),
        expect![[r#"
        ref Ami Second-level key
        ref Size Second-level key
    "#]],
    );
}

#[test]
fn unclosed_flow_mapping_ref() {
    check(
        &sam("      BucketName: {Ref: Q$0\n"),
        expect![[r#"
        ref Queue AWS::SQS::Queue
    "#]],
    );
}

#[test]
fn required_properties_first() {
    check(
        "Resources:\n  S:\n    Type: AWS::SNS::Subscription\n    Properties:\n      $0\n",
        expect![[r#"
        prop Protocol String (required)
        prop TopicArn String (required)
        prop DeliveryPolicy Json | String
        prop Endpoint String
        prop FilterPolicy Json | String
        prop FilterPolicyScope String
        prop RawMessageDelivery Boolean
        prop RedrivePolicy Json | String
        prop Region String
        prop ReplayPolicy Json | String
        prop SubscriptionRoleArn String
    "#]],
    );
}

// ----- files next to the template ------------------------------------------------------------

/// A fresh directory holding the files of a multi-file fixture (`//- file: path` headers); removed on drop.
struct Project {
    dir: PathBuf,
}

impl Project {
    fn new(name: &str, fixture: &str) -> Project {
        let dir = std::env::temp_dir().join(format!("samwise-ide-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for part in fixture.split("//- file: ").filter(|p| !p.trim().is_empty()) {
            let (path, body) = part.split_once('\n').expect("a file header line");
            let path = dir.join(path.trim());
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("create fixture folder");
            std::fs::write(&path, body).expect("write fixture file");
        }
        Project { dir }
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

const CODE: &str = "//- file: src/app.py
import json

def handler(event, context):
    return {}

async def other(event, context):
    pass

def _private():
    pass
//- file: src/pkg/jobs.py
def run(event, context):
    pass
//- file: src/index.mjs
export const handler = async (event) => event;
export async function second(event) {}
//- file: src/legacy.js
exports.legacy = function (event, context) {};
//- file: src/node_modules/dep/index.js
exports.hidden = 1;
//- file: events/event.json
{}
";

fn check_in_project(name: &str, template: &str, expect: Expect) {
    let project = Project::new(name, CODE);
    let (text, items) = items_at(&project.dir.join("template.yaml"), template);
    expect.assert_eq(&render(&text, &items));
}

#[test]
fn handler_values_from_code_uri() {
    check_in_project(
        "handler",
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src/\n      Handler: $0\n",
        expect![[r#"
            handler app.handler app.py
            handler app.other app.py
            handler index.handler index.mjs
            handler index.second index.mjs
            handler legacy.legacy legacy.js
            handler pkg.jobs.run pkg/jobs.py
        "#]],
    );
}

#[test]
fn handler_values_with_code_uri_from_globals() {
    check_in_project(
        "handler-globals",
        "Transform: AWS::Serverless-2016-10-31\nGlobals:\n  Function:\n    CodeUri: src/pkg\nResources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: $0\n",
        expect![[r#"
            handler jobs.run jobs.py
        "#]],
    );
}

#[test]
fn code_uri_folders() {
    check_in_project(
        "codeuri",
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: $0\n",
        expect![[r#"
            dir events/
            dir src/
        "#]],
    );
    check_in_project(
        "codeuri-nested",
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src/$0\n",
        expect![[r#"
            dir src/pkg/
        "#]],
    );
}

// ----- replace ranges and resolve ------------------------------------------------------------

#[test]
fn replace_range_is_the_partial_word() {
    let (text, items) = items_at(Path::new("/x/template.yaml"), &sam("      BucketName: !GetAtt Queue.Ar$0\n"));
    let arn = items.iter().find(|i| i.label == "Arn").expect("attribute offered");
    assert_eq!(&text[arn.replace_range.start as usize..arn.replace_range.end as usize], "Ar");
}

#[test]
fn initial_list_is_cheap_and_resolve_adds_docs() {
    let (text, offset) = cursor("Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketN$0\n");
    let a = Analysis::new(Some(Path::new("/x/template.yaml")), Arc::from(text.as_str()), &Config::default());
    let items = a.completions(offset);
    assert!(items.iter().all(|i| i.documentation.is_none()));
    let item = items.iter().find(|i| i.label == "BucketName").expect("property offered");
    let doc = a.resolve_completion(item).expect("documentation");
    assert!(doc.starts_with("**BucketName**: `String` (optional)"), "{doc}");
    assert!(doc.contains("Update requires: **Replacement**"), "{doc}");

    let (text, offset) = cursor("Resources:\n  B:\n    Type: AWS::S3::Buck$0\n");
    let a = Analysis::new(Some(Path::new("/x/template.yaml")), Arc::from(text.as_str()), &Config::default());
    let items = a.completions(offset);
    let item = items.iter().find(|i| i.label == "AWS::S3::Bucket").expect("type offered");
    let doc = a.resolve_completion(item).expect("documentation");
    assert!(doc.starts_with("**AWS::S3::Bucket**"), "{doc}");
    assert!(doc.contains("[Documentation](https://"), "{doc}");
}

#[test]
fn nothing_inside_comments_or_block_scalars() {
    check(&sam("      BucketName: x # !Ref $0\n"), expect![[r#""#]]);
    check(
        "Resources:\n  F:\n    Type: AWS::Lambda::Function\n    Properties:\n      Code:\n        ZipFile: |\n          import os\n          Ru$0\n",
        expect![[r#""#]],
    );
}

#[test]
fn resolve_documents_attributes() {
    let (text, offset) = cursor(&sam("      BucketName: !GetAtt Queue.Ar$0\n"));
    let a = Analysis::new(Some(Path::new("/x/template.yaml")), Arc::from(text.as_str()), &Config::default());
    let items = a.completions(offset);
    let arn = items.iter().find(|i| i.label == "Arn").expect("attribute offered");
    assert_eq!(
        a.resolve_completion(arn).as_deref().map(|d| d.lines().next()),
        Some(Some("**AWS::SQS::Queue.Arn**: `String`"))
    );
}

/// Every offset of broken and valid documents (multi-byte text included) answers without panicking,
/// and every replace range lies inside the text on character boundaries.
#[test]
fn any_offset_is_safe() {
    let docs = [
        sam("      BucketName: !Sub \"${Stage}-é-${Queue.Arn}\"\n      Tags:\n        - Key: ü\n          Value: !If [IsProd, {Ref: Queue}, !FindInMap [RegionMap, x\n      Bucket\n"),
        "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n        E:\n          Type: SQS\n          Properties:\n            Queue: !GetAtt [Q, Arn\n      Policies:\n      - S3ReadPolicy: {BucketName: !Ref B}\n      - AWSLambdaRole\n".to_owned(),
        r#"{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::Sub": "${AWS::Region}-ñ"}, "Delay"#.to_owned(),
    ];
    for (n, text) in docs.iter().enumerate() {
        let path = if n == 2 { "/x/template.json" } else { "/x/template.yaml" };
        let a = Analysis::new(Some(Path::new(path)), Arc::from(text.as_str()), &Config::default());
        for offset in 0..=text.len() as u32 {
            for item in a.completions(offset) {
                let r = item.replace_range;
                assert!(r.start <= r.end && r.end as usize <= text.len(), "{n}@{offset}: {item:?}");
                assert!(text.is_char_boundary(r.start as usize) && text.is_char_boundary(r.end as usize));
                assert!(r.start <= offset && offset <= r.end, "{n}@{offset}: {item:?}");
            }
            if let Some(h) = a.hover(offset) {
                assert!(h.range.contains_inclusive(offset), "{n}@{offset}: {h:?}");
            }
        }
    }
}

#[test]
fn json_key_outside_quotes_inserts_quoted_key() {
    let (_, items) = items_at(
        Path::new("/x/template.json"),
        r#"{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": 1, $0}}}}"#,
    );
    let item = items.iter().find(|i| i.label == "QueueName").expect("property offered");
    assert_eq!(item.insert_text, "\"QueueName\": ");
    assert!(!items.iter().any(|i| i.label == "DelaySeconds"), "present keys are not offered again");
}

#[test]
fn long_lists_keep_only_items_matching_the_typed_characters_in_order() {
    let (_, items) = items_at(
        Path::new("/x/template.yaml"),
        "AWSTemplateFormatVersion: 2010-09-09\nResources:\n  B:\n    Type: s3buc$0\n",
    );
    let labels: Vec<&str> = items.iter().map(|i| i.label.as_str()).collect();
    assert!(labels.contains(&"AWS::S3::Bucket"), "{labels:?}");
    assert!(!labels.contains(&"AWS::SQS::Queue"), "{labels:?}");
    let (_, all) = items_at(
        Path::new("/x/template.yaml"),
        "AWSTemplateFormatVersion: 2010-09-09\nResources:\n  B:\n    Type: $0\n",
    );
    assert!(all.len() > 1800, "nothing typed: every type ({})", all.len());
}

#[test]
fn a_new_template_gets_completions_before_it_is_recognisable() {
    check(
        "$0",
        expect![[r#"
        sec AWSTemplateFormatVersion
        sec Conditions
        sec Description
        sec Globals
        sec Hooks
        sec Mappings
        sec Metadata
        sec Outputs
        sec Parameters
        sec Resources
        sec Rules
        sec Transform
    "#]],
    );
    check(
        "Resources:\n  B:\n    Type: AWS::SQS::Q$0\n",
        expect![[r#"
        res AWS::SQS::Queue
        res AWS::SQS::QueueInlinePolicy
        res AWS::SQS::QueuePolicy
    "#]],
    );
    // Other YAML (a compose file) gets nothing.
    check("services:\n  web:\n    image: x\n$0\n", expect![[r#""#]]);
}
