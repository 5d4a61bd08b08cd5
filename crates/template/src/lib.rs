//! samwise-template: the CloudFormation/SAM template model (sections, logical ids, resources,
//! intrinsic functions and the references they make, SAM Globals and implicit resources) and the
//! diagnostics computed from it with the schema data.

pub mod diagnostics;
pub mod functions;
pub mod intrinsics;
pub mod local_path;
pub mod model;
pub mod synth;

pub use diagnostics::{CheckContext, RuleInfo, check, rules};
pub use functions::{FunctionDef, Value};
pub use intrinsics::{Intrinsic, RefKind, Reference};
pub use model::{Named, Resource, Template, detect};
