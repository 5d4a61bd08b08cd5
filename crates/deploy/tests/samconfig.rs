//! samconfig.toml: reading the deploy settings in both the string and the list forms, and writing
//! choices back with comments, order and unrelated sections kept.

use samwise_deploy::{DeployError, DeployParameters, SamConfig};

const CONFIG: &str = r#"# SAM configuration, hand edited
version = 0.1

[default.global.parameters]
region = "eu-west-1" # the team's region

[default.build.parameters]
cached = true

[default.deploy.parameters]
# the production stack
stack_name = "greeter"
s3_bucket = "artifacts-bucket"
s3_prefix = "greeter"
capabilities = "CAPABILITY_IAM CAPABILITY_AUTO_EXPAND"
parameter_overrides = "Stage=prod Greeting=\"hello world\""
confirm_changeset = true # always review
tags = ["team=platform", "cost center=42"]

[dev.deploy.parameters]
stack_name = "greeter-dev"
region = "us-east-1"
parameter_overrides = ["Stage=dev"]
"#;

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn reads_deploy_parameters_over_global_ones() {
    let cfg = SamConfig::parse("samconfig.toml".as_ref(), CONFIG).unwrap();
    let p = cfg.deploy_parameters("default").unwrap();
    assert_eq!(
        p,
        DeployParameters {
            stack_name: Some("greeter".into()),
            region: Some("eu-west-1".into()),
            s3_bucket: Some("artifacts-bucket".into()),
            s3_prefix: Some("greeter".into()),
            capabilities: Some(vec!["CAPABILITY_IAM".into(), "CAPABILITY_AUTO_EXPAND".into()]),
            parameter_overrides: Some(pairs(&[("Stage", "prod"), ("Greeting", "hello world")])),
            confirm_changeset: Some(true),
            tags: Some(pairs(&[("team", "platform"), ("cost center", "42")])),
        }
    );
    let dev = cfg.deploy_parameters("dev").unwrap();
    assert_eq!(dev.stack_name.as_deref(), Some("greeter-dev"));
    assert_eq!(dev.region.as_deref(), Some("us-east-1"));
    assert_eq!(dev.parameter_overrides, Some(pairs(&[("Stage", "dev")])));
    assert_eq!(cfg.deploy_parameters("missing").unwrap(), DeployParameters::default());
}

#[test]
fn writing_back_keeps_comments_order_and_forms() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("samconfig.toml");
    std::fs::write(&path, CONFIG).unwrap();
    let mut cfg = SamConfig::load(&path).unwrap();
    cfg.set_deploy_parameters(
        "default",
        &DeployParameters {
            stack_name: Some("greeter2".into()),
            confirm_changeset: Some(false),
            parameter_overrides: Some(pairs(&[("Stage", "prod"), ("Greeting", "hi \"you\"")])),
            tags: Some(pairs(&[("team", "data")])),
            ..DeployParameters::default()
        },
    );
    cfg.save().unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let expected = CONFIG
        .replace(r#"stack_name = "greeter""#, r#"stack_name = "greeter2""#)
        .replace("confirm_changeset = true # always review", "confirm_changeset = false # always review")
        .replace(
            r#"parameter_overrides = "Stage=prod Greeting=\"hello world\"""#,
            // toml_edit picks a literal string because the value holds quotes; it reads back the same.
            r#"parameter_overrides = 'Stage="prod" Greeting="hi \"you\""'"#,
        )
        .replace(r#"tags = ["team=platform", "cost center=42"]"#, r#"tags = ["team=data"]"#);
    assert_eq!(text, expected);
    let back = SamConfig::load(&path).unwrap().deploy_parameters("default").unwrap();
    assert_eq!(back.parameter_overrides, Some(pairs(&[("Stage", "prod"), ("Greeting", "hi \"you\"")])));
    // No temporary file is left next to it.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn a_new_file_gets_a_deploy_section() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("samconfig.toml");
    let mut cfg = SamConfig::load(&path).unwrap();
    cfg.set_deploy_parameters(
        "default",
        &DeployParameters {
            stack_name: Some("s".into()),
            capabilities: Some(vec!["CAPABILITY_IAM".into()]),
            ..DeployParameters::default()
        },
    );
    cfg.save().unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "version = 0.1\n\n[default.deploy.parameters]\nstack_name = \"s\"\ncapabilities = \"CAPABILITY_IAM\"\n"
    );
}

#[test]
fn errors_name_the_file_and_field() {
    let cfg =
        SamConfig::parse("cfg/samconfig.toml".as_ref(), "[default.deploy.parameters]\nconfirm_changeset = \"yes\"\n")
            .unwrap();
    let err = cfg.deploy_parameters("default").unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("cfg/samconfig.toml") && msg.contains("confirm_changeset"), "{msg}");
    let cfg = SamConfig::parse("samconfig.toml".as_ref(), "[default.deploy.parameters]\ntags = \"novalue\"\n").unwrap();
    assert!(matches!(cfg.deploy_parameters("default"), Err(DeployError::BadKeyValue { field: "tags", .. })));
    let err = SamConfig::parse("samconfig.toml".as_ref(), "[default\n").unwrap_err();
    assert!(err.to_string().starts_with("samconfig.toml: "), "{err}");
}
