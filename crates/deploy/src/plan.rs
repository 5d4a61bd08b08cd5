//! The deploy plan: everything the S3/CloudFormation pipeline needs, computed offline from the
//! template, the options the user gave and samconfig.toml. Building it packages every artifact
//! (so hashes and keys are known) and rewrites the template to the S3 locations.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use samwise_syntax::Format;
use samwise_template::Template;
use sha2::{Digest, Sha256};

use crate::artifacts::{Artifact, ArtifactKind, S3Location, find_artifacts, rewrite_template};
use crate::package::{package_python, s3_key};
use crate::{DeployError, Packaged, SamConfig, package_path, resolve_local, write_atomic};

/// CloudFormation's limit for a template passed inline (TemplateBody); larger ones go through S3.
pub const INLINE_TEMPLATE_LIMIT: usize = 51_200;

/// What the user chose for this deploy (command-line flags or the LSP command's arguments).
/// Set fields win over samconfig.toml.
#[derive(Debug, Clone, Default)]
pub struct DeployOptions {
    pub stack_name: Option<String>,
    pub region: Option<String>,
    pub s3_bucket: Option<String>,
    pub s3_prefix: Option<String>,
    pub capabilities: Option<Vec<String>>,
    pub parameter_overrides: Option<Vec<(String, String)>>,
    pub tags: Option<Vec<(String, String)>>,
    pub confirm_changeset: Option<bool>,
    /// The samconfig.toml environment to read (`default` when unset).
    pub config_env: Option<String>,
    /// The user's Python: when set, Python functions with a `requirements.txt` are built with its pip.
    pub python: Option<PathBuf>,
    /// Extra pip arguments (for example an index URL or `--no-index --find-links DIR`).
    pub pip_args: Vec<String>,
    /// Where pip builds go; `<template folder>/.aws-sam/samwise-deploy` when unset.
    pub build_dir: Option<PathBuf>,
}

/// One artifact to upload.
#[derive(Debug, Clone)]
pub struct PlannedArtifact {
    pub artifact: Artifact,
    /// The resolved local file or folder (inside the project).
    pub local_path: PathBuf,
    pub packaged: Packaged,
    /// The S3 key: `<prefix>/<sha256>.<ext>`.
    pub key: String,
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub template_path: PathBuf,
    pub stack_name: String,
    /// `None`: the SDK's default region chain decides.
    pub region: Option<String>,
    /// `None` only when nothing needs uploading.
    pub bucket: Option<String>,
    pub prefix: String,
    pub artifacts: Vec<PlannedArtifact>,
    pub capabilities: Vec<String>,
    pub parameter_overrides: Vec<(String, String)>,
    pub tags: Vec<(String, String)>,
    pub confirm_changeset: bool,
    /// Whether the template has a `Transform` section (SAM or a macro).
    pub has_transform: bool,
    /// The template with local paths replaced by S3 locations.
    pub template_body: String,
    /// The S3 key the template is uploaded under when it is over [`INLINE_TEMPLATE_LIMIT`] bytes.
    pub template_key: Option<String>,
}

impl Plan {
    /// Whether the template must be uploaded to S3 rather than passed inline.
    pub fn template_must_be_uploaded(&self) -> bool {
        self.template_key.is_some()
    }

    /// Writes the rewritten template (atomically), as `sam package --output-template-file` does.
    pub fn write_template(&self, path: &Path) -> Result<(), DeployError> {
        write_atomic(path, self.template_body.as_bytes())
    }
}

fn valid_stack_name(name: &str) -> bool {
    // CloudFormation: a letter, then letters, digits and hyphens, at most 128 characters.
    name.len() <= 128
        && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// The runtime of a SAM function: its own `Runtime` or the one in `Globals.Function`.
fn sam_runtime(template: &Template, resource: &str) -> Option<String> {
    let tree = &template.tree;
    let r = template.resources.iter().find(|r| r.name == resource)?;
    let own = r.properties.and_then(|p| tree.get_value(p, "Runtime"));
    let global =
        template.globals.and_then(|g| tree.get_value(g, "Function")).and_then(|f| tree.get_value(f, "Runtime"));
    own.or(global).and_then(|n| tree.as_str(n)).map(str::to_owned)
}

/// How long a deploy waits for another one packaging the same project before giving up.
const PACKAGING_PATIENCE: std::time::Duration = std::time::Duration::from_secs(600);

/// Builds the deploy plan for the template at `template_path`.
pub fn plan(template_path: &Path, options: &DeployOptions, samconfig: Option<&SamConfig>) -> Result<Plan, DeployError> {
    let env = options.config_env.as_deref().unwrap_or("default");
    let config = match samconfig {
        Some(c) => c.deploy_parameters(env)?,
        None => Default::default(),
    };
    let text = std::fs::read_to_string(template_path).map_err(|e| DeployError::io(template_path, e))?;
    let format = Format::detect(Some(template_path), &text);
    let template = Template::parse(&text, format);
    if !template.is_template || template.resources.is_empty() {
        return Err(DeployError::NotATemplate { path: template_path.to_path_buf() });
    }
    let project = template_path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));

    let stack_name = options.stack_name.clone().or(config.stack_name).ok_or(DeployError::MissingSetting {
        field: "stack_name",
        hint: "pass a stack name or set stack_name in [default.deploy.parameters] of samconfig.toml",
    })?;
    if !valid_stack_name(&stack_name) {
        return Err(DeployError::InvalidSetting {
            field: "stack_name",
            value: stack_name,
            reason: "a stack name starts with a letter and has only letters, digits and hyphens (at most 128)",
        });
    }
    let region = options.region.clone().or(config.region);
    let bucket = options.s3_bucket.clone().or(config.s3_bucket);
    let prefix = options.s3_prefix.clone().or(config.s3_prefix).unwrap_or_else(|| stack_name.clone());

    let parameter_overrides = options.parameter_overrides.clone().or(config.parameter_overrides).unwrap_or_default();
    for (name, _) in &parameter_overrides {
        if !template.parameters.iter().any(|p| &p.name == name) {
            return Err(DeployError::InvalidSetting {
                field: "parameter_overrides",
                value: name.clone(),
                reason: "the template declares no parameter of this name",
            });
        }
    }
    let has_transform = template.sections.iter().any(|s| s.name == "Transform");
    let mut capabilities = options.capabilities.clone().or(config.capabilities).unwrap_or_default();
    // Always granted, so a template that creates roles deploys without a second round trip; macros
    // (including the SAM transform) need AUTO_EXPAND.
    let mut required = vec!["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"];
    if has_transform {
        required.push("CAPABILITY_AUTO_EXPAND");
    }
    for c in required {
        if !capabilities.iter().any(|have| have == c) {
            capabilities.push(c.to_owned());
        }
    }

    let found = find_artifacts(&template);
    let need_bucket = |what: &str| DeployError::MissingSetting {
        field: "s3_bucket",
        hint: if what == "artifacts" {
            "the template has local artifacts to upload; pass a bucket or set s3_bucket in samconfig.toml"
        } else {
            "the template is over 51,200 bytes and must be uploaded; pass a bucket or set s3_bucket in samconfig.toml"
        },
    };
    if !found.is_empty() && bucket.is_none() {
        return Err(need_bucket("artifacts"));
    }
    let build_root = options.build_dir.clone().unwrap_or_else(|| project.join(".aws-sam").join("samwise-deploy"));
    // Two deploys from one project would package into the same build folder (each clears a
    // function's folder before pip installs into it): the second waits while the first packages.
    let _packaging = crate::fsutil::deploy_lock_waiting(
        &format!("packaging\n{}", build_root.display()),
        PACKAGING_PATIENCE,
        || {
            format!(
                "from {} (packaging for more than {} minutes)",
                project.display(),
                PACKAGING_PATIENCE.as_secs() / 60
            )
        },
    )?;
    let pip_args: Vec<&str> = options.pip_args.iter().map(String::as_str).collect();
    // Two resources naming one folder share one archive.
    let mut done: HashMap<(PathBuf, ArtifactKind), (Packaged, String)> = HashMap::new();
    let mut artifacts = Vec::new();
    for a in found {
        let local = resolve_local(project, &a.value, &a.resource, a.property)?;
        let (packaged, key) = match done.get(&(local.clone(), a.kind)) {
            Some(hit) => hit.clone(),
            None => {
                let ext_of = |p: &Path| p.extension().map(|e| e.to_string_lossy().to_lowercase());
                let is_dir = local.is_dir();
                let wrong = |detail: &str| DeployError::WrongKind {
                    resource: a.resource.clone(),
                    property: a.property,
                    path: local.clone(),
                    detail: detail.to_owned(),
                };
                let (packaged, ext) = match a.kind {
                    ArtifactKind::File if is_dir => return Err(wrong("expected a file, found a folder")),
                    ArtifactKind::File => {
                        let bytes = std::fs::read(&local).map_err(|e| DeployError::io(&local, e))?;
                        (Packaged::new(bytes), ext_of(&local).unwrap_or_else(|| "txt".to_owned()))
                    }
                    // An archive the user built is uploaded as it is.
                    ArtifactKind::Zip if !is_dir && matches!(ext_of(&local).as_deref(), Some("zip" | "jar")) => {
                        let bytes = std::fs::read(&local).map_err(|e| DeployError::io(&local, e))?;
                        (Packaged::new(bytes), ext_of(&local).unwrap_or_default())
                    }
                    ArtifactKind::Zip => {
                        let python_build = options.python.as_deref().filter(|_| {
                            is_dir
                                && a.resource_type == "AWS::Serverless::Function"
                                && local.join("requirements.txt").is_file()
                                && sam_runtime(&template, &a.resource).is_some_and(|r| r.starts_with("python"))
                        });
                        let packaged = match python_build {
                            Some(python) => package_python(&local, python, &build_root.join(&a.resource), &pip_args)?,
                            None => package_path(&local)?,
                        };
                        (packaged, "zip".to_owned())
                    }
                };
                let key = s3_key(&prefix, &packaged.sha256, &ext);
                done.insert((local.clone(), a.kind), (packaged.clone(), key.clone()));
                (packaged, key)
            }
        };
        artifacts.push(PlannedArtifact { artifact: a, local_path: local, packaged, key });
    }

    let replacements: Vec<(Artifact, S3Location)> = artifacts
        .iter()
        .map(|p| {
            let bucket = bucket.clone().unwrap_or_default();
            (p.artifact.clone(), S3Location { bucket, key: p.key.clone() })
        })
        .collect();
    let template_body = rewrite_template(&template, &replacements, region.as_deref());
    let template_key = if template_body.len() > INLINE_TEMPLATE_LIMIT {
        if bucket.is_none() {
            return Err(need_bucket("template"));
        }
        let hash: String = Sha256::digest(template_body.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        Some(s3_key(&prefix, &hash, "template"))
    } else {
        None
    };

    Ok(Plan {
        template_path: template_path.to_path_buf(),
        stack_name,
        region,
        bucket,
        prefix,
        artifacts,
        capabilities,
        parameter_overrides,
        tags: options.tags.clone().or(config.tags).unwrap_or_default(),
        confirm_changeset: options.confirm_changeset.or(config.confirm_changeset).unwrap_or(true),
        has_transform,
        template_body,
        template_key,
    })
}
