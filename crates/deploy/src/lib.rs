//! The offline half of deploying a SAM application, protocol-free: deterministic packaging of local
//! artifacts ([`package`]), finding them in a template and rewriting it to S3 locations
//! ([`artifacts`]), reading and writing `samconfig.toml` ([`samconfig`]), and the deploy [`plan`]
//! that the S3/CloudFormation pipeline executes.
//!
//! DEPENDENCIES
//! - `zip` (deflate via flate2's pure-Rust backend): writes the artifact archives; entry order,
//!   timestamps and permissions are set by us so the same files give the same bytes.
//! - `sha2`: the SHA-256 content hash that names each artifact's S3 key.
//! - `toml_edit`: reads `samconfig.toml` and writes choices back keeping the user's comments and order.
//! - `shlex`: splits the SAM CLI's string form of `parameter_overrides` and `tags` (`K=V K2="v w"`)
//!   with shell quoting rules, as the SAM CLI itself does.
//! - `tempfile` (tests only): temporary project directories.

pub mod artifacts;
mod error;
mod fsutil;
pub mod package;
pub mod plan;
pub mod samconfig;

pub use artifacts::{Artifact, ArtifactKind, S3Location, find_artifacts, rewrite_template};
pub use error::DeployError;
pub use fsutil::write_atomic;
pub use package::{Packaged, package_path, pip_install, resolve_local};
pub use plan::{DeployOptions, INLINE_TEMPLATE_LIMIT, Plan, PlannedArtifact, plan};
pub use samconfig::{DeployParameters, SamConfig};
