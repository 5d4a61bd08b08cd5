//! Rename on fixtures: the renamed template in full, or the reason the rename is refused.

mod common;

use common::{apply_file_edits, fixture, show};
use expect_test::{Expect, expect};

/// prepareRename's range, then the template after renaming to `new_name` (or the refusal).
fn rename(text: &str, new_name: &str, expect: Expect) {
    let f = fixture(text);
    let out = match f.analysis.prepare_rename(f.cursor()) {
        Err(e) => format!("refused: {e}\n"),
        Ok(range) => match f.analysis.rename(f.cursor(), new_name) {
            Ok(edits) => format!("rename {}\n{}", show(f.text(), range), apply_file_edits(f.text(), &edits)),
            Err(e) => format!("rename {}\nrefused: {e}\n", show(f.text(), range)),
        },
    };
    expect.assert_eq(&out);
}

const SAM: &str = r#"Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Resources:
  Table:
    Type: AWS::DynamoDB::Table
  Api:
    Type: AWS::Serverless::Function
    Condition: IsProd
    DependsOn: [Table]
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Environment:
        Variables:
          TABLE: !Ref Table
          ARN: !GetAtt Table.Arn
          URL: !Sub "https://${Table}.${AWS::Region}/${Table.StreamArn}/${Stage}"
          ROLE: !GetAtt ApiRole.Arn
          ALIAS: !Ref Api.Alias
Outputs:
  TableName:
    Value: !Ref Table
    Condition: IsProd
"#;

#[test]
fn renaming_a_resource_rewrites_refs_getatt_sub_and_depends_on() {
    rename(
        &SAM.replacen("  Table:\n", "  Tab$0le:\n", 1),
        "Orders",
        expect![[r#"
            rename 8:3-8:8 "Table"
            Transform: AWS::Serverless-2016-10-31
            Parameters:
              Stage:
                Type: String
            Conditions:
              IsProd: !Equals [!Ref Stage, prod]
            Resources:
              Orders:
                Type: AWS::DynamoDB::Table
              Api:
                Type: AWS::Serverless::Function
                Condition: IsProd
                DependsOn: [Orders]
                Properties:
                  Runtime: python3.12
                  Handler: app.handler
                  Environment:
                    Variables:
                      TABLE: !Ref Orders
                      ARN: !GetAtt Orders.Arn
                      URL: !Sub "https://${Orders}.${AWS::Region}/${Orders.StreamArn}/${Stage}"
                      ROLE: !GetAtt ApiRole.Arn
                      ALIAS: !Ref Api.Alias
            Outputs:
              TableName:
                Value: !Ref Orders
                Condition: IsProd
        "#]],
    );
}

#[test]
fn renaming_from_a_use_inside_a_sub_string() {
    rename(
        &SAM.replacen("${Stage}", "${Sta$0ge}", 1),
        "Env",
        expect![[r#"
        rename 21:75-21:80 "Stage"
        Transform: AWS::Serverless-2016-10-31
        Parameters:
          Env:
            Type: String
        Conditions:
          IsProd: !Equals [!Ref Env, prod]
        Resources:
          Table:
            Type: AWS::DynamoDB::Table
          Api:
            Type: AWS::Serverless::Function
            Condition: IsProd
            DependsOn: [Table]
            Properties:
              Runtime: python3.12
              Handler: app.handler
              Environment:
                Variables:
                  TABLE: !Ref Table
                  ARN: !GetAtt Table.Arn
                  URL: !Sub "https://${Table}.${AWS::Region}/${Table.StreamArn}/${Env}"
                  ROLE: !GetAtt ApiRole.Arn
                  ALIAS: !Ref Api.Alias
        Outputs:
          TableName:
            Value: !Ref Table
            Condition: IsProd
    "#]],
    );
}

#[test]
fn renaming_a_sam_function_renames_the_names_sam_derives_from_it() {
    rename(
        &SAM.replacen("  Api:\n", "  A$0pi:\n", 1),
        "Backend",
        expect![[r#"
        rename 10:3-10:6 "Api"
        Transform: AWS::Serverless-2016-10-31
        Parameters:
          Stage:
            Type: String
        Conditions:
          IsProd: !Equals [!Ref Stage, prod]
        Resources:
          Table:
            Type: AWS::DynamoDB::Table
          Backend:
            Type: AWS::Serverless::Function
            Condition: IsProd
            DependsOn: [Table]
            Properties:
              Runtime: python3.12
              Handler: app.handler
              Environment:
                Variables:
                  TABLE: !Ref Table
                  ARN: !GetAtt Table.Arn
                  URL: !Sub "https://${Table}.${AWS::Region}/${Table.StreamArn}/${Stage}"
                  ROLE: !GetAtt BackendRole.Arn
                  ALIAS: !Ref Backend.Alias
        Outputs:
          TableName:
            Value: !Ref Table
            Condition: IsProd
    "#]],
    );
}

#[test]
fn names_derived_from_a_longer_sam_resource_stay() {
    rename(
        r#"Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Function
    Properties: { Handler: app.handler, Runtime: python3.12, CodeUri: src/ }
  ApiGateway:
    Type: AWS::Serverless::Api
    Properties: { StageName: prod }
Outputs:
  Url:
    Value: !Sub "https://${ApiGateway}.execute-api/${ApiGateway.Stage}/${A$0pi.Alias}"
  Role:
    Value: !GetAtt ApiRole.Arn
"#,
        "Backend",
        expect![[r#"
            rename 11:74-11:77 "Api"
            Transform: AWS::Serverless-2016-10-31
            Resources:
              Backend:
                Type: AWS::Serverless::Function
                Properties: { Handler: app.handler, Runtime: python3.12, CodeUri: src/ }
              ApiGateway:
                Type: AWS::Serverless::Api
                Properties: { StageName: prod }
            Outputs:
              Url:
                Value: !Sub "https://${ApiGateway}.execute-api/${ApiGateway.Stage}/${Backend.Alias}"
              Role:
                Value: !GetAtt BackendRole.Arn
        "#]],
    );
}

#[test]
fn renaming_a_condition_and_a_mapping() {
    rename(
        &SAM.replacen("Condition: IsProd\n    DependsOn", "Condition: IsP$0rod\n    DependsOn", 1),
        "Production",
        expect![[r#"
        rename 12:16-12:22 "IsProd"
        Transform: AWS::Serverless-2016-10-31
        Parameters:
          Stage:
            Type: String
        Conditions:
          Production: !Equals [!Ref Stage, prod]
        Resources:
          Table:
            Type: AWS::DynamoDB::Table
          Api:
            Type: AWS::Serverless::Function
            Condition: Production
            DependsOn: [Table]
            Properties:
              Runtime: python3.12
              Handler: app.handler
              Environment:
                Variables:
                  TABLE: !Ref Table
                  ARN: !GetAtt Table.Arn
                  URL: !Sub "https://${Table}.${AWS::Region}/${Table.StreamArn}/${Stage}"
                  ROLE: !GetAtt ApiRole.Arn
                  ALIAS: !Ref Api.Alias
        Outputs:
          TableName:
            Value: !Ref Table
            Condition: Production
    "#]],
    );
    rename(
        r#"Mappings:
  Sizes:
    prod: { Mem: 512 }
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      MemorySize: !FindInMap [Si$0zes, prod, Mem]
"#,
        "Memory",
        expect![[r#"
            rename 8:31-8:36 "Sizes"
            Mappings:
              Memory:
                prod: { Mem: 512 }
            Resources:
              Fn:
                Type: AWS::Lambda::Function
                Properties:
                  MemorySize: !FindInMap [Memory, prod, Mem]
        "#]],
    );
}

#[test]
fn renaming_a_parameter_updates_the_console_parameter_layout() {
    rename(
        r#"Metadata:
  AWS::CloudFormation::Interface:
    ParameterGroups:
      - Label: { default: Network }
        Parameters: [VpcId, SubnetIds]
    ParameterLabels:
      VpcId: { default: Which VPC? }
Parameters:
  VpcId:
    Type: AWS::EC2::VPC::Id
  SubnetIds:
    Type: List<AWS::EC2::Subnet::Id>
Resources:
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: sg
      VpcId: !Ref Vpc$0Id
"#,
        "NetworkId",
        expect![[r#"
            rename 18:19-18:24 "VpcId"
            Metadata:
              AWS::CloudFormation::Interface:
                ParameterGroups:
                  - Label: { default: Network }
                    Parameters: [NetworkId, SubnetIds]
                ParameterLabels:
                  NetworkId: { default: Which VPC? }
            Parameters:
              NetworkId:
                Type: AWS::EC2::VPC::Id
              SubnetIds:
                Type: List<AWS::EC2::Subnet::Id>
            Resources:
              Sg:
                Type: AWS::EC2::SecurityGroup
                Properties:
                  GroupDescription: sg
                  VpcId: !Ref NetworkId
        "#]],
    );
}

#[test]
fn renaming_in_a_broken_template() {
    // A key without its colon and an unclosed flow mapping: the names around them still rename.
    rename(
        r#"Parameters:
  Env:
    Type: String
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "${Env}-x"
      Tags
  Topic:
    Type: AWS::SNS::Topic
    Properties: { TopicName: !Ref E$0nv
"#,
        "Stage",
        expect![[r#"
            rename 12:35-12:38 "Env"
            Parameters:
              Stage:
                Type: String
            Resources:
              Bucket:
                Type: AWS::S3::Bucket
                Properties:
                  BucketName: !Sub "${Stage}-x"
                  Tags
              Topic:
                Type: AWS::SNS::Topic
                Properties: { TopicName: !Ref Stage
        "#]],
    );
}

#[test]
fn renaming_in_json_keeps_the_quotes() {
    rename(
        r#"{
  "Parameters": { "Env": { "Type": "String" } },
  "Resources": {
    "Bucket": {
      "Type": "AWS::S3::Bucket",
      "Properties": { "BucketName": { "Fn::Sub": "${Env}-data" } }
    },
    "Topic": {
      "Type": "AWS::SNS::Topic",
      "DependsOn": "Bucket",
      "Properties": { "TopicName": { "Fn::GetAtt": ["Buc$0ket", "Arn"] }, "X": { "Ref": "Env" } }
    }
  }
}
"#,
        "Data",
        expect![[r#"
            rename 11:54-11:60 "Bucket"
            {
              "Parameters": { "Env": { "Type": "String" } },
              "Resources": {
                "Data": {
                  "Type": "AWS::S3::Bucket",
                  "Properties": { "BucketName": { "Fn::Sub": "${Env}-data" } }
                },
                "Topic": {
                  "Type": "AWS::SNS::Topic",
                  "DependsOn": "Data",
                  "Properties": { "TopicName": { "Fn::GetAtt": ["Data", "Arn"] }, "X": { "Ref": "Env" } }
                }
              }
            }
        "#]],
    );
}

#[test]
fn refusals_say_why() {
    let cases = [
        // Pseudo parameters and SAM-generated names are not defined in the template.
        (SAM.replacen("${AWS::Region}", "${AWS::Re$0gion}", 1), "X"),
        (SAM.replacen("ApiRole.Arn", "ApiR$0ole.Arn", 1), "X"),
        // Not defined at all.
        ("Resources:\n  Fn:\n    Type: AWS::SNS::Topic\n    Properties: { TopicName: !Ref Miss$0ing }\n".to_owned(), "X"),
        // Not on a name.
        (SAM.replacen("Runtime:", "Run$0time:", 1), "X"),
        // Invalid and colliding new names.
        (SAM.replacen("  Table:\n", "  Tab$0le:\n", 1), "my-table"),
        (SAM.replacen("  Table:\n", "  Tab$0le:\n", 1), "Stage"),
        (SAM.replacen("  Table:\n", "  Tab$0le:\n", 1), "ApiRole"),
        // A name SAM would derive from the renamed resource itself is fine: the derived names move too.
        (SAM.replacen("  Api:\n", "  A$0pi:\n", 1), "ApiV2"),
        // Written with an escape, so the text does not spell the name.
        ("Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n  T:\n    Type: AWS::SNS::Topic\n    DependsOn: \"\\x42ucket\"\n    Properties: { TopicName: !Ref Buc$0ket }\n".to_owned(), "X"),
        // Used through an anchor and an alias.
        ("Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: &name !Ref Bucket\n      DisplayName: *name\n  U:\n    Type: AWS::SNS::Topic\n    DependsOn: Buck$0et\n".to_owned(), "X"),
        ("Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n  T:\n    Type: AWS::SNS::Topic\n    DependsOn: &dep Bucket\n  U:\n    Type: AWS::SNS::Topic\n    Properties: { TopicName: !Ref Buck$0et }\n    DependsOn: *dep\n".to_owned(), "X"),
    ];
    let mut out = String::new();
    for (text, new_name) in cases {
        let f = fixture(&text);
        let result = f.analysis.prepare_rename(f.cursor()).and_then(|_| f.analysis.rename(f.cursor(), new_name));
        out.push_str(&match result {
            Ok(_) => "renamed\n".to_owned(),
            Err(e) => format!("{e}\n"),
        });
    }
    expect![[r#"
        'AWS::Region' is a pseudo parameter defined by CloudFormation; it cannot be renamed
        'ApiRole' is generated by the SAM transform, not written in the template; rename the resource it is derived from instead
        'Missing' is not defined in this template, so there is nothing to rename
        nothing to rename here: put the cursor on a parameter, resource, condition or mapping name, or on a use of one
        'my-table' is not a valid logical id: CloudFormation allows only letters A-Z, a-z and digits 0-9
        'Stage' is already a parameter in this template; choose another name
        'ApiRole' is a name the SAM transform generates for this template; choose another name
        renamed
        'Bucket' is not written literally on line 6 (escaped or folded text); rename it by hand
        'Bucket' is used through a YAML anchor or alias on line 8; renaming it would change every alias of that anchor, so rename it by hand
        'Bucket' is used through a YAML anchor or alias on line 10; renaming it would change every alias of that anchor, so rename it by hand
    "#]]
    .assert_eq(&out);
}
