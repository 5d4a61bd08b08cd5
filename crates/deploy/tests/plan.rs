//! The deploy plan on temporary projects and on the repository's example: artifact hashes and keys,
//! the rewritten template (comments kept), capabilities, settings precedence, and the errors.

mod common;

use std::path::Path;

use common::{tiny_wheel, venv_python, write};
use samwise_deploy::{DeployError, DeployOptions, INLINE_TEMPLATE_LIMIT, SamConfig, plan};

fn options() -> DeployOptions {
    DeployOptions { stack_name: Some("app".into()), s3_bucket: Some("bkt".into()), ..Default::default() }
}

const SAM: &str = "# my app
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: {Type: String}
Resources:
  # the first function
  One:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: one/   # code of one
      Handler: app.handler
      Runtime: python3.12
  Two:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: 'two'
      Handler: app.handler
      Runtime: python3.12
  Remote:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://elsewhere/code.zip
      Handler: app.handler
      Runtime: python3.12
";

fn sam_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "template.yaml", SAM);
    write(dir.path(), "one/app.py", "def handler(e, c): return 1\n");
    write(dir.path(), "two/app.py", "def handler(e, c): return 2\n");
    dir
}

#[test]
fn sam_template_plan_and_rewrite_keep_comments() {
    let dir = sam_project();
    let p = plan(&dir.path().join("template.yaml"), &options(), None).unwrap();
    assert_eq!(p.stack_name, "app");
    assert_eq!(p.prefix, "app", "the prefix defaults to the stack name");
    assert!(p.has_transform);
    assert_eq!(p.capabilities, ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]);
    assert!(p.confirm_changeset);
    assert!(!p.template_must_be_uploaded());
    let arts: Vec<String> =
        p.artifacts.iter().map(|a| format!("{} {} {}", a.artifact.resource, a.artifact.value, a.key)).collect();
    let (h1, h2) = (&p.artifacts[0].packaged.sha256, &p.artifacts[1].packaged.sha256);
    assert_eq!(arts, [format!("One one/ app/{h1}.zip"), format!("Two two app/{h2}.zip")]);
    let expected = SAM
        .replace("CodeUri: one/   # code of one", &format!("CodeUri: s3://bkt/app/{h1}.zip   # code of one"))
        .replace("CodeUri: 'two'", &format!("CodeUri: 's3://bkt/app/{h2}.zip'"));
    assert_eq!(p.template_body, expected);

    let out = dir.path().join(".aws-sam/packaged.yaml");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    p.write_template(&out).unwrap();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), expected);
}

#[test]
fn a_changed_function_changes_only_its_own_hash() {
    let dir = sam_project();
    let template = dir.path().join("template.yaml");
    let before = plan(&template, &options(), None).unwrap();
    let again = plan(&template, &options(), None).unwrap();
    assert_eq!(before.template_body, again.template_body, "planning twice gives the same template");
    write(dir.path(), "two/app.py", "def handler(e, c): return 22\n");
    let after = plan(&template, &options(), None).unwrap();
    assert_eq!(before.artifacts[0].key, after.artifacts[0].key);
    assert_ne!(before.artifacts[1].key, after.artifacts[1].key);
}

#[test]
fn plain_cloudformation_json_gets_a_bucket_key_mapping_and_no_auto_expand() {
    let dir = tempfile::tempdir().unwrap();
    let text = r#"{
  "Resources": {
    "Fn": {"Type": "AWS::Lambda::Function",
           "Properties": {"Code": "code", "Handler": "app.handler", "Runtime": "python3.12", "Role": "arn:aws:iam::1:role/r"}},
    "Shared": {"Type": "AWS::Lambda::Function",
           "Properties": {"Code": "./code", "Handler": "app.handler", "Runtime": "python3.12", "Role": "arn:aws:iam::1:role/r"}}
  }
}"#;
    write(dir.path(), "template.json", text);
    write(dir.path(), "code/app.py", "x = 1\n");
    let p = plan(&dir.path().join("template.json"), &options(), None).unwrap();
    assert!(!p.has_transform);
    assert_eq!(p.capabilities, ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"]);
    assert_eq!(p.artifacts.len(), 2);
    assert_eq!(p.artifacts[0].key, p.artifacts[1].key, "one folder, one archive");
    let key = &p.artifacts[0].key;
    let mapping = format!(r#""Code": {{"S3Bucket": "bkt", "S3Key": "{key}"}}"#);
    assert_eq!(p.template_body.matches(&mapping).count(), 2, "{}", p.template_body);
}

#[test]
fn options_win_over_samconfig_which_wins_over_defaults() {
    let dir = sam_project();
    let cfg = SamConfig::parse(
        &dir.path().join("samconfig.toml"),
        r#"
[default.deploy.parameters]
stack_name = "from-config"
s3_bucket = "cfg-bucket"
s3_prefix = "pre"
region = "eu-central-1"
confirm_changeset = false
parameter_overrides = "Stage=dev"
capabilities = ["CAPABILITY_RESOURCE_POLICY"]
tags = "team=a"
[prod.deploy.parameters]
stack_name = "prod-stack"
s3_bucket = "prod-bucket"
"#,
    )
    .unwrap();
    let template = dir.path().join("template.yaml");
    let opts = DeployOptions { stack_name: Some("from-flag".into()), ..Default::default() };
    let p = plan(&template, &opts, Some(&cfg)).unwrap();
    assert_eq!(p.stack_name, "from-flag");
    assert_eq!(
        (p.bucket.as_deref(), p.prefix.as_str(), p.region.as_deref()),
        (Some("cfg-bucket"), "pre", Some("eu-central-1"))
    );
    assert!(!p.confirm_changeset);
    assert_eq!(p.parameter_overrides, [("Stage".to_owned(), "dev".to_owned())]);
    assert_eq!(p.tags, [("team".to_owned(), "a".to_owned())]);
    assert_eq!(
        p.capabilities,
        ["CAPABILITY_RESOURCE_POLICY", "CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
    );
    assert!(p.artifacts[0].key.starts_with("pre/"));
    let prod = DeployOptions { config_env: Some("prod".into()), ..Default::default() };
    let p = plan(&template, &prod, Some(&cfg)).unwrap();
    assert_eq!((p.stack_name.as_str(), p.bucket.as_deref()), ("prod-stack", Some("prod-bucket")));
}

#[test]
fn errors_name_what_is_missing_or_wrong() {
    let dir = sam_project();
    let template = dir.path().join("template.yaml");
    let err = plan(&template, &DeployOptions { stack_name: None, ..options() }, None).unwrap_err();
    assert!(matches!(err, DeployError::MissingSetting { field: "stack_name", .. }), "{err}");
    let err = plan(&template, &DeployOptions { s3_bucket: None, ..options() }, None).unwrap_err();
    assert!(matches!(err, DeployError::MissingSetting { field: "s3_bucket", .. }), "{err}");
    let err = plan(&template, &DeployOptions { stack_name: Some("1bad_name".into()), ..options() }, None).unwrap_err();
    assert!(matches!(err, DeployError::InvalidSetting { field: "stack_name", .. }), "{err}");
    let overrides = Some(vec![("Nope".to_owned(), "1".to_owned())]);
    let err = plan(&template, &DeployOptions { parameter_overrides: overrides, ..options() }, None).unwrap_err();
    assert!(err.to_string().contains("Nope"), "{err}");

    write(dir.path(), "template.yaml", &SAM.replace("CodeUri: 'two'", "CodeUri: ../../etc"));
    let err = plan(&template, &options(), None).unwrap_err();
    assert!(matches!(err, DeployError::PathEscapes { .. }), "{err}");
    assert!(err.to_string().starts_with("Two.CodeUri: "), "{err}");

    write(dir.path(), "template.yaml", &SAM.replace("CodeUri: 'two'", "CodeUri: gone"));
    let err = plan(&template, &options(), None).unwrap_err();
    assert!(matches!(err, DeployError::MissingArtifact { .. }), "{err}");

    write(dir.path(), "notes.yaml", "just: notes\n");
    let err = plan(&dir.path().join("notes.yaml"), &options(), None).unwrap_err();
    assert!(matches!(err, DeployError::NotATemplate { .. }), "{err}");
}

#[test]
fn large_templates_are_uploaded() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("Resources:\n");
    let mut i = 0;
    while text.len() <= INLINE_TEMPLATE_LIMIT {
        text.push_str(&format!(
            "  Topic{i}:\n    Type: AWS::SNS::Topic\n    Properties:\n      DisplayName: topic-{i}\n"
        ));
        i += 1;
    }
    write(dir.path(), "template.yaml", &text);
    let p = plan(&dir.path().join("template.yaml"), &options(), None).unwrap();
    assert!(p.artifacts.is_empty());
    let key = p.template_key.as_deref().unwrap();
    assert!(key.starts_with("app/") && key.ends_with(".template"), "{key}");
    // Without a bucket a large template cannot be deployed; a small one can.
    let err =
        plan(&dir.path().join("template.yaml"), &DeployOptions { s3_bucket: None, ..options() }, None).unwrap_err();
    assert!(matches!(err, DeployError::MissingSetting { field: "s3_bucket", .. }), "{err}");
    write(dir.path(), "small.yaml", "Resources:\n  T:\n    Type: AWS::SNS::Topic\n");
    let p = plan(&dir.path().join("small.yaml"), &DeployOptions { s3_bucket: None, ..options() }, None).unwrap();
    assert!(!p.template_must_be_uploaded() && p.bucket.is_none());
}

#[test]
fn definitions_and_nested_templates_are_uploaded_as_files() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "template.yaml",
        "Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionUri: api/openapi.yaml
  Nested:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: nested.yaml
",
    );
    write(dir.path(), "api/openapi.yaml", "openapi: 3.0.1\n");
    write(dir.path(), "nested.yaml", "Resources: {}\n");
    let opts = DeployOptions { region: Some("eu-west-1".into()), ..options() };
    let p = plan(&dir.path().join("template.yaml"), &opts, None).unwrap();
    assert_eq!(p.artifacts[0].packaged.bytes, b"openapi: 3.0.1\n");
    assert!(p.artifacts[0].key.ends_with(".yaml"));
    let api = &p.artifacts[0].key;
    let nested = &p.artifacts[1].key;
    assert!(p.template_body.contains(&format!("DefinitionUri: s3://bkt/{api}\n")), "{}", p.template_body);
    assert!(
        p.template_body.contains(&format!("TemplateURL: https://s3.eu-west-1.amazonaws.com/bkt/{nested}\n")),
        "{}",
        p.template_body
    );

    write(
        dir.path(),
        "template.yaml",
        "Resources:\n  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      DefinitionUri: api\n",
    );
    let err = plan(&dir.path().join("template.yaml"), &opts, None).unwrap_err();
    assert!(matches!(err, DeployError::WrongKind { .. }), "{err}");
}

#[test]
fn the_parameter_store_example_plans_cleanly() {
    let template = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/parameter-store/template.yaml");
    let opts = DeployOptions {
        stack_name: Some("parameter-store-example".into()),
        s3_bucket: Some("my-artifacts".into()),
        region: Some("us-east-1".into()),
        ..Default::default()
    };
    let p = plan(&template, &opts, None).unwrap();
    assert!(p.has_transform);
    assert_eq!(p.artifacts.len(), 1);
    let a = &p.artifacts[0];
    assert_eq!((a.artifact.resource.as_str(), a.artifact.property), ("GreetingFunction", "CodeUri"));
    assert!(a.local_path.ends_with("examples/parameter-store/src"));
    let text = std::fs::read_to_string(&template).unwrap();
    assert_eq!(p.template_body, text.replace("CodeUri: src/\n", &format!("CodeUri: s3://my-artifacts/{}\n", a.key)));
    let names = {
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(&a.packaged.bytes)).unwrap();
        let mut n: Vec<String> = (0..z.len()).map(|i| z.by_index(i).unwrap().name().to_owned()).collect();
        n.sort();
        n
    };
    assert_eq!(names, ["app.py", "requirements.txt"]);
}

#[test]
fn python_functions_with_requirements_are_built_with_pip_when_a_python_is_given() {
    let dir = sam_project();
    write(dir.path(), "two/requirements.txt", "tinypkg==1.0\n");
    let wheels = tempfile::tempdir().unwrap();
    tiny_wheel(wheels.path());
    let build = tempfile::tempdir().unwrap();
    let template = dir.path().join("template.yaml");
    let without = plan(&template, &options(), None).unwrap();
    let opts = DeployOptions {
        python: Some(venv_python()),
        pip_args: vec!["--no-index".into(), "--find-links".into(), wheels.path().display().to_string()],
        build_dir: Some(build.path().to_path_buf()),
        ..options()
    };
    let with = plan(&template, &opts, None).unwrap();
    // Function One has no requirements.txt: the same archive either way.
    assert_eq!(without.artifacts[0].key, with.artifacts[0].key);
    assert_ne!(without.artifacts[1].key, with.artifacts[1].key);
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(&with.artifacts[1].packaged.bytes)).unwrap();
    assert!(z.by_name("tinypkg/__init__.py").is_ok());
    assert!(z.by_name("app.py").is_ok());
    assert!(build.path().join("Two/deps/tinypkg/__init__.py").is_file());
}

#[test]
fn yaml_lambda_code_becomes_a_flow_mapping_and_comments_stay() {
    let dir = tempfile::tempdir().unwrap();
    let text = "Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Code: code # zipped on deploy
      Handler: app.handler
";
    write(dir.path(), "template.yaml", text);
    write(dir.path(), "code/app.py", "x = 1\n");
    let p = plan(&dir.path().join("template.yaml"), &options(), None).unwrap();
    let key = &p.artifacts[0].key;
    let expected = text.replace("Code: code #", &format!("Code: {{S3Bucket: bkt, S3Key: {key}}} #"));
    assert_eq!(p.template_body, expected);
    // The result is still a template whose Code is a mapping.
    let again = samwise_template::Template::parse(&p.template_body, samwise_syntax::Format::Yaml);
    assert!(samwise_deploy::find_artifacts(&again).is_empty());
}
