//! Deploying a SAM application, protocol-free: deterministic packaging of local artifacts
//! ([`package`]), finding them in a template and rewriting it to S3 locations ([`artifacts`]),
//! reading and writing `samconfig.toml` ([`samconfig`]), the deploy [`plan`] (all offline), and
//! the [`pipeline`] that executes a plan with the AWS SDK (uploads, change set, events, outputs).
//!
//! DEPENDENCIES
//! - `zip` (deflate via flate2's pure-Rust backend): writes the artifact archives; entry order,
//!   timestamps and permissions are set by us so the same files give the same bytes.
//! - `sha2`: the SHA-256 content hash that names each artifact's S3 key.
//! - `toml_edit`: reads `samconfig.toml` and writes choices back keeping the user's comments and order.
//! - `shlex`: splits the SAM CLI's string form of `parameter_overrides` and `tags` (`K=V K2="v w"`)
//!   with shell quoting rules, as the SAM CLI itself does.
//! - `aws-config`, `aws-sdk-s3`, `aws-sdk-cloudformation`, `aws-credential-types`: the official AWS
//!   SDK for Rust, for the standard credential chain (env, profiles, SSO, IMDS...), endpoint
//!   overrides (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_S3...) and request signing we must not re-implement.
//!   Default features are off: only the default HTTPS client and the tokio runtime are enabled.
//!   Only this crate may depend on aws-* crates.
//! - `tokio` (rt, time): the SDK is async; `time` for the change-set and stack-status poll backoff.
//! - `tempfile` (tests only): temporary project directories.

pub mod artifacts;
mod error;
mod fsutil;
pub mod package;
pub mod pipeline;
pub mod plan;
pub mod samconfig;

pub use artifacts::{Artifact, ArtifactKind, S3Location, find_artifacts, rewrite_template};
pub use error::DeployError;
pub use fsutil::write_atomic;
pub use package::{Packaged, package_path, pip_install, resolve_local};
pub use pipeline::{
    ChangeSet, Clients, DeployReport, Observer, Outcome, Progress, ResourceChange, StackEvent, StackOutput,
    UploadStatus, choices_to_save, deploy,
};
pub use plan::{DeployOptions, INLINE_TEMPLATE_LIMIT, Plan, PlannedArtifact, plan};
pub use samconfig::{DeployParameters, SamConfig};
