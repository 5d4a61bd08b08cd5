//! The deploy error type. Every variant names the file, resource or field involved, because the
//! message is shown to the user as is (in the editor or on the command line).

use std::fmt;
use std::path::PathBuf;

#[derive(Debug)]
pub enum DeployError {
    /// A file could not be read or written.
    Io { path: PathBuf, source: std::io::Error },
    /// A template property names a local path outside the project directory.
    PathEscapes { resource: String, property: String, value: String, project: PathBuf },
    /// A code folder holds a symbolic link that resolves outside the project directory.
    LinkEscapes { resource: String, property: String, link: PathBuf, project: PathBuf },
    /// A template property names a local path that does not exist.
    MissingArtifact { resource: String, property: String, path: PathBuf },
    /// Installing a function's requirements with pip failed.
    Pip { python: PathBuf, requirements: PathBuf, detail: String },
    /// Writing an archive failed.
    Zip { path: PathBuf, detail: String },
    /// `samconfig.toml` is not valid TOML or a field has the wrong shape.
    SamConfig { path: PathBuf, field: Option<String>, detail: String },
    /// A deploy setting has no value from the options nor from samconfig.toml.
    MissingSetting { field: &'static str, hint: &'static str },
    /// A deploy setting has a value CloudFormation would refuse.
    InvalidSetting { field: &'static str, value: String, reason: &'static str },
    /// A template property names a folder where a file is expected (or the reverse).
    WrongKind { resource: String, property: &'static str, path: PathBuf, detail: String },
    /// A `K=V` parameter override or tag is malformed.
    BadKeyValue { field: &'static str, value: String },
    /// The template file is not a CloudFormation/SAM template.
    NotATemplate { path: PathBuf },
    /// The SDK's credential chain found no credentials (or AWS refused them). `detail` is the
    /// provider's own account of what it tried; it never contains a secret.
    NoCredentials { detail: String },
    /// No region from the options, samconfig.toml, AWS_REGION/AWS_DEFAULT_REGION or the profile.
    NoRegion,
    /// The artifact bucket does not exist.
    MissingBucket { bucket: String },
    /// AWS answered 403 / AccessDenied to `action`.
    AccessDenied { action: &'static str, detail: String },
    /// No answer from the endpoint (connection refused, DNS, timeout).
    EndpointUnreachable { endpoint: String, detail: String },
    /// Any other error AWS returned for `action`.
    Aws { action: &'static str, code: Option<String>, message: String },
    /// CloudFormation could not create the change set (for another reason than "no changes").
    ChangeSetFailed { stack: String, reason: String },
    /// The stack ended in a failed state; `resource` is the first resource that failed.
    StackFailed { stack: String, status: String, resource: Option<String>, reason: String },
    /// Another samwise deploy of the same stack (same endpoint), or from the same project, is running
    /// on this machine; `what` says which ("of stack X", "from /project").
    AlreadyDeploying { what: String, lock: PathBuf },
}

impl DeployError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> DeployError {
        DeployError::Io { path: path.into(), source }
    }
}

impl fmt::Display for DeployError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeployError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            DeployError::PathEscapes { resource, property, value, project } => write!(
                f,
                "{resource}.{property}: the path {value:?} leads outside the project directory {}; \
                 move the code inside the project or use an s3:// location",
                project.display()
            ),
            DeployError::LinkEscapes { resource, property, link, project } => write!(
                f,
                "{resource}.{property}: the symbolic link {} leads outside the project directory {}, so the code \
                 is not packaged; replace the link with a copy of what it points to, or move that into the project",
                link.display(),
                project.display()
            ),
            DeployError::MissingArtifact { resource, property, path } => write!(
                f,
                "{resource}.{property}: {} does not exist; fix the path or build the artifact first",
                path.display()
            ),
            DeployError::Pip { python, requirements, detail } => {
                write!(f, "installing {} with {} -m pip failed: {detail}", requirements.display(), python.display())
            }
            DeployError::Zip { path, detail } => write!(f, "packaging {} failed: {detail}", path.display()),
            DeployError::SamConfig { path, field: Some(field), detail } => {
                write!(f, "{}: {field}: {detail}", path.display())
            }
            DeployError::SamConfig { path, field: None, detail } => write!(f, "{}: {detail}", path.display()),
            DeployError::MissingSetting { field, hint } => {
                write!(f, "no {field} given: {hint}")
            }
            DeployError::InvalidSetting { field, value, reason } => write!(f, "{field}: {value:?}: {reason}"),
            DeployError::WrongKind { resource, property, path, detail } => {
                write!(f, "{resource}.{property}: {}: {detail}", path.display())
            }
            DeployError::BadKeyValue { field, value } => {
                write!(f, "{field}: {value:?} is not of the form Key=Value")
            }
            DeployError::NotATemplate { path } => {
                write!(f, "{} is not a CloudFormation/SAM template (it has no Resources section)", path.display())
            }
            DeployError::NoCredentials { detail } => write!(
                f,
                "no usable AWS credentials: {detail}\nThe SDK looked in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, \
                 the profile (AWS_PROFILE or default) in ~/.aws/credentials and ~/.aws/config (SSO, \
                 credential_process, role assumption), web identity, the ECS container endpoint and EC2 \
                 instance metadata; configure one of them, e.g. with `aws configure` or `aws sso login`"
            ),
            DeployError::NoRegion => write!(
                f,
                "no AWS region: pass --region, set region in samconfig.toml, set AWS_REGION, or set region in \
                 your AWS profile"
            ),
            DeployError::MissingBucket { bucket } => write!(
                f,
                "the S3 bucket {bucket:?} does not exist (or is in another account): create it \
                 (`aws s3 mb s3://{bucket}`) or pass another one with --s3-bucket / s3_bucket in samconfig.toml"
            ),
            DeployError::AccessDenied { action, detail } => {
                write!(f, "access denied to {action}: {detail}; the credentials in use lack the permission for it")
            }
            DeployError::EndpointUnreachable { endpoint, detail } => write!(
                f,
                "cannot reach {endpoint}: {detail}; check the network, the region, and AWS_ENDPOINT_URL if set"
            ),
            DeployError::Aws { action, code: Some(code), message } => write!(f, "{action} failed: {code}: {message}"),
            DeployError::Aws { action, code: None, message } => write!(f, "{action} failed: {message}"),
            DeployError::ChangeSetFailed { stack, reason } => {
                write!(f, "CloudFormation could not create a change set for stack {stack}: {reason}")
            }
            DeployError::StackFailed { stack, status, resource: Some(resource), reason } => {
                write!(f, "stack {stack} ended in {status}: {resource} failed: {reason}")
            }
            DeployError::StackFailed { stack, status, resource: None, reason } => {
                write!(f, "stack {stack} ended in {status}: {reason}")
            }
            DeployError::AlreadyDeploying { what, lock } => write!(
                f,
                "another samwise deploy {what} is running on this machine (it holds {}); wait for it to \
                 end or cancel it, then deploy again",
                lock.display()
            ),
        }
    }
}

impl std::error::Error for DeployError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DeployError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
