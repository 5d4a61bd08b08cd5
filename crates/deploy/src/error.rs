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
