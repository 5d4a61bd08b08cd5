//! A deterministic synthetic SAM template of any size, for benchmarks (the issue's "4,000-line
//! template with 400 resources of mixed types with Refs, Subs, GetAtts and Conditions").

use std::fmt::Write;

/// A valid SAM template with `resources` resources (about ten lines each), cycling through seven
/// resource types that reference each other, parameters and conditions.
pub fn template(resources: usize) -> String {
    let mut s = String::from(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nTransform: AWS::Serverless-2016-10-31\n\
         Description: Synthetic benchmark template\n\
         Parameters:\n  Stage:\n    Type: String\n    Default: dev\n    AllowedValues: [dev, prod]\n\
         \x20 MemorySize:\n    Type: Number\n    Default: 256\n\
         Conditions:\n  IsProd: !Equals [!Ref Stage, prod]\n\
         Globals:\n  Function:\n    Runtime: python3.12\n    Timeout: 30\n\
         Resources:\n",
    );
    for i in 0..resources {
        let prev = if i == 0 { 0 } else { i - 1 };
        match i % 7 {
            0 => {
                let _ = write!(
                    s,
                    "  Bucket{i}:\n    Type: AWS::S3::Bucket\n    Condition: IsProd\n    Properties:\n\
                     \x20     BucketName: !Sub \"${{AWS::StackName}}-bucket-{i}-${{Stage}}\"\n\
                     \x20     VersioningConfiguration:\n        Status: Enabled\n\
                     \x20     Tags:\n        - Key: Stage\n          Value: !Ref Stage\n"
                );
            }
            1 => {
                let _ = write!(
                    s,
                    "  Queue{i}:\n    Type: AWS::SQS::Queue\n    Properties:\n\
                     \x20     QueueName: !Sub \"queue-{i}-${{Stage}}\"\n      VisibilityTimeout: 60\n\
                     \x20     MessageRetentionPeriod: 345600\n      Tags:\n        - Key: Name\n\
                     \x20         Value: queue-{i}\n      DelaySeconds: 0\n"
                );
            }
            2 => {
                let _ = write!(
                    s,
                    "  Topic{i}:\n    Type: AWS::SNS::Topic\n    Properties:\n\
                     \x20     TopicName: !Sub \"topic-{i}\"\n      Subscription:\n\
                     \x20       - Protocol: sqs\n          Endpoint: !GetAtt Queue{prev}.Arn\n\
                     \x20     Tags:\n        - Key: Name\n          Value: topic-{i}\n"
                );
            }
            3 => {
                let _ = write!(
                    s,
                    "  Table{i}:\n    Type: AWS::DynamoDB::Table\n    Properties:\n\
                     \x20     BillingMode: PAY_PER_REQUEST\n      AttributeDefinitions:\n\
                     \x20       - AttributeName: pk\n          AttributeType: S\n      KeySchema:\n\
                     \x20       - AttributeName: pk\n          KeyType: HASH\n"
                );
            }
            4 => {
                let _ = write!(
                    s,
                    "  Function{i}:\n    Type: AWS::Serverless::Function\n    Properties:\n\
                     \x20     CodeUri: s3://bucket/code-{i}.zip\n      Handler: app.handler\n\
                     \x20     MemorySize: !Ref MemorySize\n      Environment:\n        Variables:\n\
                     \x20         TABLE: !Ref Table{prev}\n          TABLE_ARN: !GetAtt Table{prev}.Arn\n"
                );
            }
            5 => {
                let _ = write!(
                    s,
                    "  Role{i}:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n\
                     \x20       Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n\
                     \x20           Principal: {{ Service: lambda.amazonaws.com }}\n\
                     \x20           Action: sts:AssumeRole\n      Path: !If [IsProd, /prod/, /dev/]\n"
                );
            }
            _ => {
                let _ = write!(
                    s,
                    "  Lambda{i}:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.12\n\
                     \x20     Handler: index.handler\n      Role: !GetAtt Role{prev}.Arn\n\
                     \x20     Code:\n        ZipFile: |\n          def handler(event, context):\n\
                     \x20             return {i}\n"
                );
            }
        }
    }
    s.push_str("Outputs:\n  StageName:\n    Value: !Ref Stage\n");
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_synthetic_template_has_the_requested_size_and_no_errors() {
        let text = super::template(400);
        let lines = text.lines().count();
        assert!((4000..4300).contains(&lines), "{lines}");
        let t = crate::Template::parse(&text, samwise_syntax::Format::Yaml);
        assert_eq!(t.resources.len(), 400);
        let ctx = crate::CheckContext { data: samwise_data::CfnData::embedded(), path: None };
        let errors: Vec<_> = crate::check(&t, &ctx)
            .into_iter()
            .filter(|d| d.severity == samwise_syntax::Severity::Error)
            .map(|d| format!("{} {} {:?}", d.code, d.message, d.range))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
}
