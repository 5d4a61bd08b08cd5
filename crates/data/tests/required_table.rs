//! Listing every type with its required properties decodes no type (completion relies on this to
//! offer ~1,900 resource types with snippets instantly), and the table agrees with the schemas.

use samwise_data::CfnData;
use samwise_data::cfn::ShapeKind;

#[test]
fn required_properties_come_from_the_table_without_decoding_types() {
    let data = CfnData::embedded();
    let total: usize = data.type_names().iter().map(|t| data.required_properties(t).len()).sum();
    assert!(total > 1000, "{total}");
    assert_eq!(data.decoded_type_count(), 0);
    let mut lambda = data.required_properties("AWS::Lambda::Function");
    lambda.sort();
    assert_eq!(lambda, ["Code", "Role"]);
    for name in ["AWS::Lambda::Function", "AWS::SQS::Queue", "AWS::Serverless::Function", "AWS::IAM::Role"] {
        let rt = data.resource_type(name).unwrap();
        let ShapeKind::Object { required, .. } = &rt.shapes[rt.properties as usize].kind else { panic!("{name}") };
        assert_eq!(&data.required_properties(name), required, "{name}");
    }
}
