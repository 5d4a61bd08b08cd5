//! What to run: the resolved configuration of one Lambda function, independent of where it came from
//! (a SAM template, a debug launch configuration, a test).

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// One function, resolved: paths are absolute or relative to the current directory, intrinsic
/// functions in environment values are already replaced by local stand-ins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionConfig {
    /// The function's name as the code sees it (`AWS_LAMBDA_FUNCTION_NAME`); the logical id for
    /// functions from a template, as `sam local` does.
    pub name: String,
    /// The directory holding the code (CodeUri), which becomes `LAMBDA_TASK_ROOT`.
    pub code_dir: PathBuf,
    /// `module.function` (Python, Node.js) or anything for `provided.*` runtimes.
    pub handler: String,
    /// The Lambda runtime identifier, e.g. `python3.12`, `nodejs20.x`, `provided.al2023`.
    pub runtime: String,
    pub timeout: Duration,
    pub memory_mb: u32,
    /// `x86_64` or `arm64`; informational locally, since the user's own machine runs the code.
    pub architectures: Vec<String>,
    /// The function's environment variables (template values, then `--env-vars` overrides).
    pub env: BTreeMap<String, String>,
    /// Layer directories (a local ContentUri), in template order. Their `python/` and
    /// `nodejs/node_modules/` subdirectories go on the import path the way Lambda mounts them in `/opt`.
    pub layers: Vec<PathBuf>,
    /// `AWS_REGION` for the function.
    pub region: String,
    /// The interpreter to run (Python or Node.js). `None` means `python3`/`node` from `PATH`.
    pub interpreter: Option<PathBuf>,
}

impl FunctionConfig {
    /// A configuration with Lambda's defaults (3 s, 128 MB, x86_64, us-east-1) for the given code.
    pub fn new(name: &str, code_dir: impl Into<PathBuf>, handler: &str, runtime: &str) -> FunctionConfig {
        FunctionConfig {
            name: name.to_owned(),
            code_dir: code_dir.into(),
            handler: handler.to_owned(),
            runtime: runtime.to_owned(),
            timeout: Duration::from_secs(3),
            memory_mb: 128,
            architectures: vec!["x86_64".to_owned()],
            env: BTreeMap::new(),
            layers: Vec::new(),
            region: "us-east-1".to_owned(),
            interpreter: None,
        }
    }

    /// The invoked function ARN that `sam local` reports, built from region and name.
    pub fn arn(&self) -> String {
        format!("arn:aws:lambda:{}:123456789012:function:{}", self.region, self.name)
    }
}

/// How a runtime identifier is run locally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuntimeFamily {
    Python,
    Node,
    /// `provided`, `provided.al2`, `provided.al2023`: the `bootstrap` executable in the code directory.
    Provided,
}

impl RuntimeFamily {
    /// Classifies a runtime identifier; `None` for runtimes that cannot run locally without Docker
    /// (Java, .NET, Ruby).
    pub fn of(runtime: &str) -> Option<RuntimeFamily> {
        if runtime.starts_with("python3") {
            Some(RuntimeFamily::Python)
        } else if runtime.starts_with("nodejs") {
            Some(RuntimeFamily::Node)
        } else if runtime == "provided" || runtime.starts_with("provided.") {
            Some(RuntimeFamily::Provided)
        } else {
            None
        }
    }
}

impl fmt::Display for RuntimeFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RuntimeFamily::Python => "Python",
            RuntimeFamily::Node => "Node.js",
            RuntimeFamily::Provided => "custom runtime",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_families() {
        let cases = [
            ("python3.12", Some(RuntimeFamily::Python)),
            ("python3.9", Some(RuntimeFamily::Python)),
            ("nodejs20.x", Some(RuntimeFamily::Node)),
            ("provided.al2023", Some(RuntimeFamily::Provided)),
            ("provided.al2", Some(RuntimeFamily::Provided)),
            ("provided", Some(RuntimeFamily::Provided)),
            ("java21", None),
            ("providedx", None),
        ];
        for (id, want) in cases {
            assert_eq!(RuntimeFamily::of(id), want, "{id}");
        }
    }
}
