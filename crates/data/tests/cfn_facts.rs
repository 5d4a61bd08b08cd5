//! Known facts about the embedded CloudFormation/SAM data: if one of these fails after a
//! regeneration, either the inputs changed or the normaliser in `xtask/src/gen_cfn.rs` broke.

use samwise_data::CfnData;
use samwise_data::cfn::{ResourceType, Shape, ShapeId, ShapeKind};

fn data() -> &'static CfnData {
    CfnData::embedded()
}

fn ty(name: &str) -> std::sync::Arc<ResourceType> {
    data().resource_type(name).unwrap_or_else(|| panic!("{name} is missing from the data"))
}

fn shape(rt: &ResourceType, id: ShapeId) -> &Shape {
    &rt.shapes[id as usize]
}

/// The shape of property `name` in the object shape `id`, looking through one-branch unions.
fn prop(rt: &ResourceType, id: ShapeId, name: &str) -> ShapeId {
    match &shape(rt, id).kind {
        ShapeKind::Object { properties, .. } => {
            properties
                .iter()
                .find(|p| p.name == name)
                .unwrap_or_else(|| panic!("{}: no property {name}", rt.name))
                .shape
        }
        ShapeKind::OneOf(branches) if branches.len() == 1 => prop(rt, branches[0], name),
        other => panic!("{}: shape {id} is not an object: {other:?}", rt.name),
    }
}

fn required(rt: &ResourceType, id: ShapeId) -> Vec<String> {
    match &shape(rt, id).kind {
        ShapeKind::Object { required, .. } => required.clone(),
        other => panic!("{}: shape {id} is not an object: {other:?}", rt.name),
    }
}

#[test]
fn s3_bucket_name_has_its_constraints() {
    let bucket = ty("AWS::S3::Bucket");
    let name = shape(&bucket, prop(&bucket, bucket.properties, "BucketName"));
    assert!(matches!(name.kind, ShapeKind::String), "{name:?}");
    assert!(name.pattern.is_some(), "{name:?}");
    assert_eq!(name.max_length, Some(63), "{name:?}");
    assert!(bucket.create_only.iter().any(|p| p == "BucketName"));
    assert!(bucket.attributes.iter().any(|a| a.name == "Arn" && a.type_name == "String"));
    assert!(bucket.attributes.iter().any(|a| a.name == "DomainName"));
}

#[test]
fn lambda_function_has_arn_and_a_runtime_enum() {
    let function = ty("AWS::Lambda::Function");
    assert!(function.attributes.iter().any(|a| a.name == "Arn"));
    assert!(function.read_only.iter().any(|p| p == "Arn"));
    let runtime = shape(&function, prop(&function, function.properties, "Runtime"));
    assert!(matches!(runtime.kind, ShapeKind::String));
    assert!(runtime.enum_values.iter().any(|v| v == "python3.12"), "{runtime:?}");
    assert!(required(&function, function.properties).contains(&"Code".to_owned()));
    let doc = &function.description;
    assert!(doc.contains("Lambda function") && !doc.contains('\n'), "{doc}");
}

#[test]
fn rds_instance_has_nested_endpoint_attribute() {
    let db = ty("AWS::RDS::DBInstance");
    let attr = db.attributes.iter().find(|a| a.name == "Endpoint.Address").expect("Endpoint.Address");
    assert_eq!(attr.type_name, "String");
}

#[test]
fn nested_stack_outputs_are_a_wildcard_attribute() {
    for name in ["AWS::CloudFormation::Stack", "AWS::Serverless::Application"] {
        let rt = ty(name);
        assert!(rt.attributes.iter().any(|a| a.name == "Outputs.*"), "{name}");
    }
}

#[test]
fn conditional_required_branches_do_not_become_required() {
    // AWS::Batch::JobQueue needs one of ComputeEnvironmentOrder / ServiceEnvironmentOrder
    // (`oneOf` of `required`-only branches); only Priority is required unconditionally.
    let queue = ty("AWS::Batch::JobQueue");
    assert_eq!(required(&queue, queue.properties), ["Priority"]);
    prop(&queue, queue.properties, "ComputeEnvironmentOrder");
    prop(&queue, queue.properties, "ServiceEnvironmentOrder");
}

#[test]
fn case_insensitive_enums_stay_unions_of_their_alternatives() {
    // cfn-lint writes `type: string, anyOf: [{enum}, {pattern}, ...]` so that `activemq` is valid
    // too; flattening that to the enum alone would reject valid templates.
    let broker = ty("AWS::AmazonMQ::Broker");
    let engine = shape(&broker, prop(&broker, broker.properties, "EngineType"));
    let ShapeKind::OneOf(branches) = &engine.kind else {
        panic!("EngineType is not a union: {engine:?}");
    };
    let branches: Vec<&Shape> = branches.iter().map(|&b| shape(&broker, b)).collect();
    assert!(branches.iter().all(|b| matches!(b.kind, ShapeKind::String)));
    assert!(branches.iter().any(|b| b.enum_values == ["ACTIVEMQ", "RABBITMQ"]));
    assert!(branches.iter().any(|b| b.pattern.is_some()));
}

#[test]
fn sam_pass_through_properties_are_typed_like_their_target() {
    let function = ty("AWS::Serverless::Function");
    let memory = prop(&function, function.properties, "MemorySize");
    assert!(matches!(shape(&function, memory).kind, ShapeKind::Integer));
    let package = shape(&function, prop(&function, function.properties, "PackageType"));
    assert_eq!(package.enum_values, ["Image", "Zip"]);
    // The docs stay SAM's own.
    let ShapeKind::Object { properties, .. } = &shape(&function, function.properties).kind else {
        panic!("Properties is not an object");
    };
    let memory_doc = &properties.iter().find(|p| p.name == "MemorySize").unwrap().doc;
    assert!(memory_doc.contains("memory in MB"), "{memory_doc}");
}

#[test]
fn sam_function_keeps_event_unions_by_type() {
    let function = ty("AWS::Serverless::Function");
    for name in ["CodeUri", "Handler", "Runtime"] {
        prop(&function, function.properties, name);
    }
    // Runtime is passed through to AWS::Lambda::Function, so it carries that enum.
    let runtime = shape(&function, prop(&function, function.properties, "Runtime"));
    assert!(runtime.enum_values.iter().any(|v| v == "python3.12"), "{runtime:?}");
    let ShapeKind::Map { value } = shape(&function, prop(&function, function.properties, "Events")).kind else {
        panic!("Events is not a map");
    };
    let ShapeKind::OneOf(events) = &shape(&function, value).kind else {
        panic!("Events values are not a union");
    };
    let sqs = events
        .iter()
        .copied()
        .find(|&e| {
            let t = shape(&function, prop(&function, e, "Type"));
            t.enum_values == ["SQS"]
        })
        .expect("an SQS event shape");
    assert!(required(&function, sqs).contains(&"Properties".to_owned()));
    let props = prop(&function, sqs, "Properties");
    assert!(required(&function, props).contains(&"Queue".to_owned()));
    let code_uri = function.shapes.iter().any(
        |s| matches!(&s.kind, ShapeKind::Object { properties, .. } if properties.iter().any(|p| p.name == "Bucket")),
    );
    assert!(code_uri, "CodeUri's object form is present");
    assert!(function.attributes.iter().any(|a| a.name == "Arn"));
    assert!(function.doc_url.as_deref().is_some_and(|u| u.ends_with("sam-resource-function.html")));
}

#[test]
fn all_sam_types_are_present() {
    for name in [
        "Function",
        "Api",
        "HttpApi",
        "SimpleTable",
        "StateMachine",
        "LayerVersion",
        "Application",
        "GraphQLApi",
        "Connector",
    ] {
        let full = format!("AWS::Serverless::{name}");
        assert!(data().type_names().binary_search(&full).is_ok(), "{full}");
        assert!(data().type_in_region(&full, "eu-west-1"), "{full}");
    }
}

#[test]
fn type_names_are_sorted_and_plentiful() {
    let names = data().type_names();
    assert!(names.len() > 1500, "{}", names.len());
    assert!(names.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn regions_know_where_types_exist() {
    let regions = data().regions();
    assert!(regions.iter().any(|r| r == "us-east-1") && regions.iter().any(|r| r == "eu-west-1"));
    assert!(data().type_in_region("AWS::S3::Bucket", "us-east-1"));
    assert!(data().type_in_region("AWS::S3::Bucket", "cn-north-1"));
    assert!(!data().type_in_region("AWS::S3::Bucket", "mars-north-1"));
    assert!(!data().type_in_region("AWS::No::Such", "us-east-1"));
    // Types that us-east-1 lacks are still known, from the regions that have them.
    assert!(!data().type_in_region("AWS::DeviceFarm::DevicePool", "us-east-1"));
    assert!(data().type_in_region("AWS::DeviceFarm::DevicePool", "us-west-2"));
    assert!(data().resource_type("AWS::DeviceFarm::DevicePool").is_some());
    // Not every type is everywhere: some type is missing from at least one region.
    let partial = data().type_names().iter().any(|t| regions.iter().any(|r| !data().type_in_region(t, r)));
    assert!(partial);
}

#[test]
fn policy_templates_and_managed_policies() {
    let sqs = data().policy_template("SQSPollerPolicy").expect("SQSPollerPolicy");
    assert!(sqs.parameters.iter().any(|p| p.name == "QueueName"));
    assert!(sqs.statements_json.contains("sqs:ReceiveMessage"));
    assert!(sqs.statements_json.contains("QueueName"));
    assert!(data().policy_templates().len() > 50);
    assert!(data().policy_template("NoSuchPolicy").is_none());
    assert_eq!(
        data().managed_policy_arn("AWSLambdaBasicExecutionRole"),
        Some("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
    );
    assert!(data().managed_policy_names().count() > 500);
}

#[test]
fn globals_sections_list_their_keys() {
    let function = data().sam_globals().iter().find(|g| g.section == "Function").expect("Globals Function");
    assert!(function.properties.iter().any(|p| p == "Runtime"));
    assert!(!function.properties.iter().any(|p| p == "Events"));
    assert!(data().sam_globals().iter().any(|g| g.section == "Api"));
}

#[test]
fn runtimes_carry_their_lifecycle() {
    let find =
        |name: &str| data().runtimes().iter().find(|r| r.name == name).unwrap_or_else(|| panic!("runtime {name}"));
    let old = find("python3.7");
    assert!(old.deprecated.is_some() && old.create_blocked.is_some(), "{old:?}");
    assert!(old.successor.is_some(), "{old:?}");
    assert!(find("python3.12").deprecated.as_deref().is_some_and(|d| d > "2026"));
}

#[test]
fn provenance_names_the_pinned_packages() {
    let provenance = data().provenance();
    assert!(provenance.contains(&("cfn-lint".to_owned(), "1.58.0".to_owned())), "{provenance:?}");
    assert!(provenance.contains(&("aws-sam-translator".to_owned(), "1.115.0".to_owned())), "{provenance:?}");
}

#[test]
fn every_type_decodes_into_a_closed_graph() {
    // Decodes all types (about half a second in the dev profile): a serialisation mismatch between
    // generator and loader, or a dangling shape id, shows up here rather than in an editor.
    for name in data().type_names() {
        let rt = ty(name);
        assert_eq!(&rt.name, name);
        let n = rt.shapes.len() as ShapeId;
        assert!(rt.properties < n, "{name}");
        for s in &rt.shapes {
            let refs: Vec<ShapeId> = match &s.kind {
                ShapeKind::List { item } => vec![*item],
                ShapeKind::Map { value } => vec![*value],
                ShapeKind::Object { properties, .. } => properties.iter().map(|p| p.shape).collect(),
                ShapeKind::OneOf(b) => b.clone(),
                _ => Vec::new(),
            };
            assert!(refs.iter().all(|&r| r < n), "{name}: dangling shape id");
        }
    }
}

#[test]
fn from_dir_names_the_path_it_could_not_read() {
    let dir = std::env::temp_dir().join("samwise-data-no-such-dir");
    let err = CfnData::from_dir(&dir).unwrap_err().to_string();
    assert!(err.contains(&dir.join("cfn.bin").display().to_string()), "{err}");
}

#[test]
fn from_dir_refuses_a_file_that_is_not_cfn_data() {
    let dir = std::env::temp_dir().join(format!("samwise-data-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("cfn.bin"), b"not a container").unwrap();
    let err = CfnData::from_dir(&dir).unwrap_err().to_string();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(err.contains("cfn.bin") && err.contains("not a samwise data file"), "{err}");
}

#[test]
fn from_dir_reads_a_copy_of_the_embedded_data() {
    let dir = std::env::temp_dir().join(format!("samwise-data-copy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let asset = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/cfn.bin");
    std::fs::copy(&asset, dir.join("cfn.bin")).unwrap();
    let loaded = CfnData::from_dir(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    let loaded = loaded.unwrap();
    assert_eq!(loaded.type_names(), data().type_names());
    assert!(loaded.resource_type("AWS::SQS::Queue").is_some());
    assert_eq!(loaded.decoded_type_count(), 1);
}

#[test]
fn from_dir_refuses_other_data_and_other_formats() {
    use samwise_data::container::ContainerWriter;
    let dir = std::env::temp_dir().join(format!("samwise-data-format-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let write = |format: Option<u64>| {
        let mut w = ContainerWriter::new();
        if let Some(format) = format {
            w.meta("format", serde_json::json!(format));
            for table in ["table/regions", "table/policy_templates", "table/runtimes"] {
                w.add(table, b"[]");
            }
        }
        std::fs::write(dir.join("cfn.bin"), w.finish()).unwrap();
        CfnData::from_dir(&dir).map(|_| ()).unwrap_err().to_string()
    };
    let other = write(None);
    let stale = write(Some(samwise_data::cfn::FORMAT + 1));
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(other.contains("not a CloudFormation data file"), "{other}");
    assert!(stale.contains("regenerate it with `cargo xtask gen-data-cfn`"), "{stale}");
}
