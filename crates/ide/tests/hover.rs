//! Hover fixtures: a template with a `$0` cursor marker; the snapshot is the hovered text followed
//! by the Markdown. Update with `UPDATE_EXPECT=1 cargo test -p samwise-ide --test hover`.

use std::path::Path;
use std::sync::Arc;

use expect_test::{Expect, expect};
use samwise_ide::{Analysis, Config};

fn check(fixture: &str, expect: Expect) {
    let at = fixture.find("$0").expect("fixture has a $0 marker");
    let text = format!("{}{}", &fixture[..at], &fixture[at + 2..]);
    let path = if text.trim_start().starts_with('{') { "/x/template.json" } else { "/x/template.yaml" };
    let a = Analysis::new(Some(Path::new(path)), Arc::from(text.as_str()), &Config::default());
    let actual = match a.hover(at as u32) {
        Some(h) => format!("[{}]\n{}\n", &text[h.range.start as usize..h.range.end as usize], h.markdown),
        None => "(no hover)\n".to_owned(),
    };
    expect.assert_eq(&actual);
}

const T: &str = r#"Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
    Default: dev
    Description: Deployment stage.
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Mappings:
  RegionMap:
    us-east-1:
      Ami: ami-1
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      Architectures: [arm64]
      Events:
        Get:
          Type: Api
          Properties:
            Path: /
            Method: get
  Bucket:
    Type: AWS::S3::Bucket
    Condition: IsProd
    Properties:
      BucketName: !Sub "${Stage}-${AWS::Region}-${Queue.Arn}"
      Tags:
        - Key: a
          Value: !GetAtt Queue.QueueName
      NotificationConfiguration:
        QueueConfigurations:
          - Event: s3:ObjectCreated:*
            Queue: !FindInMap [RegionMap, us-east-1, Ami]
"#;

/// The template with `$0` put before the `n`th (1-based) occurrence of `needle`, `shift` bytes in.
fn at(needle: &str, n: usize, shift: usize) -> String {
    let mut from = 0;
    let mut pos = 0;
    for _ in 0..n {
        pos = from + T[from..].find(needle).expect("needle in template");
        from = pos + 1;
    }
    let p = pos + shift;
    format!("{}$0{}", &T[..p], &T[p..])
}

#[test]
fn resource_type() {
    check(
        &at("AWS::SQS::Queue", 1, 3),
        expect![[r#"
        [AWS::SQS::Queue]
        **AWS::SQS::Queue**

        The ``AWS::SQS::Queue`` resource creates an SQS standard or FIFO queue.

        [Documentation](https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-sqs-queue.html)
    "#]],
    );
}

#[test]
fn top_level_property_with_update_behaviour() {
    check(
        &at("BucketName", 1, 2),
        expect![[r#"
        [BucketName]
        **BucketName**: `String` (optional)

        A name for the bucket. If you don't specify a name, AWS CloudFormation generates a unique ID and uses that ID for the bucket name. The bucket name must contain only lowercase letters, numbers, periods (.), and dashes (-) and must follow [Amazon S3 bucket restrictions and limitations](https://docs.aws.amazon.com/AmazonS3/latest/dev/BucketRestrictions.html). For more information, see [Rules for naming Amazon S3 buckets](https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html) in the *Amazon S3 User Guide*.

        - Pattern: `^([a-z0-9][a-z0-9.-]*[a-z0-9])?$`
        - Maximum length: 63

        Update requires: **Replacement**
    "#]],
    );
}

#[test]
fn property_with_allowed_values() {
    check(
        &at("Architectures", 1, 2),
        expect![[r#"
        [Architectures]
        **Architectures**: `List<String>` (optional)

        The instruction set architecture for the function.

        - Items: 1 to 1
        - Allowed values: `x86_64`, `arm64`
    "#]],
    );
}

#[test]
fn nested_property_in_list_item() {
    check(
        &at("Key: a", 1, 1),
        expect![[r#"
        [Key]
        **Key**: `String` (required)

        Name of the object key.

        - Length: 1 to 128
    "#]],
    );
}

#[test]
fn sam_event_property_picked_by_type() {
    check(
        &at("Method: get", 1, 1),
        expect![[r#"
        [Method]
        **Method**: `String` (required)

        HTTP method for which this function is invoked. Options include `DELETE`, `GET`, `HEAD`, `OPTIONS`, `PATCH`, `POST`, `PUT`, and `ANY`. Refer to [Set up an HTTP method](https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-settings-method-request.html#setup-method-add-http-method) in the *API Gateway Developer Guide* for details.
    "#]],
    );
}

#[test]
fn intrinsic_function_short_and_long() {
    check(
        &at("!GetAtt", 1, 2),
        expect![[r#"
        [!GetAtt]
        **Fn::GetAtt** (short form `!GetAtt`)

        Returns the value of an attribute of a resource in the template.

        ```yaml
        Fn::GetAtt: [LogicalName, AttributeName]  (short: !GetAtt LogicalName.AttributeName)
        ```
    "#]],
    );
    check(
        r#"{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::$0Sub": "x"}}}}}"#,
        expect![[r#"
            [Fn::Sub]
            **Fn::Sub** (short form `!Sub`)

            Substitutes `${Name}` variables (parameters, resources, `${Res.Attr}`, pseudo parameters) in a string.

            ```yaml
            Fn::Sub: String  or  Fn::Sub: [String, {Var: value}]
            ```
        "#]],
    );
}

#[test]
fn ref_to_parameter() {
    check(
        &at("!Ref Stage", 1, 6),
        expect![[r#"
        [Stage]
        **Stage** (parameter)

        Type: `String`

        Default: `dev`

        Deployment stage.
    "#]],
    );
}

#[test]
fn sub_variables_parameter_pseudo_and_attribute() {
    check(
        &at("${Stage}", 1, 3),
        expect![[r#"
        [Stage]
        **Stage** (parameter)

        Type: `String`

        Default: `dev`

        Deployment stage.
    "#]],
    );
    check(
        &at("${AWS::Region}", 1, 5),
        expect![[r#"
        [AWS::Region]
        **AWS::Region** (pseudo parameter)

        Returns the region the stack is created in, such as `us-east-1`.
    "#]],
    );
    check(
        &at("${Queue.Arn}", 1, 3),
        expect![[r#"
        [Queue]
        **Queue** (resource)

        Type: `AWS::SQS::Queue`

        The ``AWS::SQS::Queue`` resource creates an SQS standard or FIFO queue.

        `Ref` returns the queue URL.
    "#]],
    );
    check(
        &at("${Queue.Arn}", 1, 9),
        expect![[r#"
        [Arn]
        **AWS::SQS::Queue.Arn**: `String`
    "#]],
    );
}

#[test]
fn get_att_resource_and_attribute() {
    check(
        &at("Queue.QueueName", 1, 2),
        expect![[r#"
        [Queue]
        **Queue** (resource)

        Type: `AWS::SQS::Queue`

        The ``AWS::SQS::Queue`` resource creates an SQS standard or FIFO queue.

        `Ref` returns the queue URL.
    "#]],
    );
    check(
        &at("Queue.QueueName", 1, 8),
        expect![[r#"
        [QueueName]
        **AWS::SQS::Queue.QueueName**: `String`

        A name for the queue. To create a FIFO queue, the name of your FIFO queue must end with the ``.fifo`` suffix. For more information, see [Amazon SQS FIFO queues](https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-fifo-queues.html) in the *Developer Guide*.
    "#]],
    );
}

#[test]
fn condition_and_mapping_targets() {
    check(
        &at("Condition: IsProd", 1, 13),
        expect![[r#"
        [IsProd]
        **IsProd** (condition)

        ```yaml
        !Equals [!Ref Stage, prod]
        ```
    "#]],
    );
    check(
        &at("RegionMap, us-east-1", 1, 2),
        expect![[r#"
        [RegionMap]
        **RegionMap** (mapping)

        Top-level keys: us-east-1
    "#]],
    );
}

#[test]
fn nothing_on_plain_values() {
    check(
        &at("app.handler", 1, 2),
        expect![[r#"
        (no hover)
    "#]],
    );
}

#[test]
fn globals_property_and_json_property() {
    check(
        "Transform: AWS::Serverless-2016-10-31\nGlobals:\n  Function:\n    Tim$0eout: 3\nResources: {}\n",
        expect![[r#"
            [Timeout]
            **Timeout**: `Integer` (optional)

            The maximum time in seconds that the function can run before it is stopped.

            - Range: 1 to 5400
        "#]],
    );
    check(
        r#"{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"Delay$0Seconds": 3}}}}"#,
        expect![[r#"
        [DelaySeconds]
        **DelaySeconds**: `Integer` (optional)

        The time in seconds for which the delivery of all messages in the queue is delayed. You can specify an integer value of ``0`` to ``900`` (15 minutes). The default value is ``0``.

        - Range: 0 to 900
    "#]],
    );
}
