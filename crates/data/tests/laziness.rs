//! Opening the embedded data must not decode resource types: this binary holds a single test so
//! that no other test touches the process-wide `CfnData::embedded()` first.

use samwise_data::CfnData;

#[test]
fn embedded_data_decodes_only_what_is_asked_for() {
    let data = CfnData::embedded();
    assert!(data.type_names().len() > 1500);
    assert_eq!(data.decoded_type_count(), 0);
    assert!(data.resource_type("AWS::S3::Bucket").is_some());
    assert!(data.resource_type("AWS::S3::Bucket").is_some());
    assert_eq!(data.decoded_type_count(), 1);
    assert!(data.resource_type("AWS::No::Such").is_none());
    assert_eq!(data.decoded_type_count(), 1);
}
