//! The launch configuration: what the editor's `launch` request carries, as one Rust type, and its
//! resolution into what the runtime runs.
//!
//! The fields follow the AWS Toolkit's `aws-sam` direct-invoke configurations, so users can reuse
//! theirs: `invokeTarget` (`template` + `templatePath` + `logicalId`, or `code` + `lambdaHandler` +
//! `projectRoot`), `lambda` (`payload.json` | `payload.path`, `environmentVariables`, `runtime`,
//! `timeoutSec`, `memoryMb`), `sam.template.parameters` and `aws` (`region`, `credentials` as a profile
//! name, `profile:NAME` accepted). Fields of our own are documented on [`LaunchConfig`]. Unknown fields
//! are ignored (editors add their own, such as `name`, `type`, `request`, `__sessionId`).
//!
//! A bad configuration is a [`ConfigError`] naming the field (a JSON path such as
//! `lambda.timeoutSec`) and what was expected. The VS Code manifest schema is to be generated from
//! these types.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use samwise_runtime::{FunctionConfig, RuntimeFamily, template};
use serde::Deserialize;
use serde_json::Value;

/// The `launch` request's arguments.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LaunchConfig {
    /// Which function to run: from a SAM template or straight from code. Required.
    pub invoke_target: Option<InvokeTarget>,
    #[serde(default)]
    pub lambda: LambdaSection,
    #[serde(default)]
    pub sam: SamSection,
    #[serde(default)]
    pub aws: AwsSection,
    /// Ours: the Python interpreter that runs the function (and debugpy). Default: `python3` on PATH.
    pub python_path: Option<PathBuf>,
    /// Ours: the Node.js executable for Node.js functions. Default: `node` on PATH.
    pub node_path: Option<PathBuf>,
    /// Ours: stop at the first line of the handler, as if a breakpoint were there.
    #[serde(default)]
    pub stop_on_entry: bool,
    /// Ours: step and stop only in your own code, not in libraries (debugpy's `justMyCode`). Default true.
    #[serde(default = "yes")]
    pub just_my_code: bool,
    /// DAP's own flag: run the function without the debugger (breakpoints are ignored).
    #[serde(default)]
    pub no_debug: bool,
    /// Ours: the directory that relative `templatePath`, `projectRoot` and `payload.path` are relative to
    /// (normally the workspace folder). Default: the adapter's working directory.
    pub cwd: Option<PathBuf>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "target", rename_all = "camelCase")]
pub enum InvokeTarget {
    #[serde(rename_all = "camelCase")]
    Template { template_path: PathBuf, logical_id: String },
    #[serde(rename_all = "camelCase")]
    Code { lambda_handler: String, project_root: PathBuf },
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LambdaSection {
    pub payload: Option<Payload>,
    /// Added to (and overriding) the function's variables from the template.
    #[serde(default)]
    pub environment_variables: BTreeMap<String, String>,
    /// Required for `code` targets; overrides the template's for `template` targets.
    pub runtime: Option<String>,
    pub timeout_sec: Option<u64>,
    pub memory_mb: Option<u32>,
}

/// The event: inline JSON or a file holding it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Payload {
    pub json: Option<Value>,
    pub path: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SamSection {
    pub template: Option<SamTemplate>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SamTemplate {
    /// Template parameter values (strings, numbers or booleans), as `--parameter-overrides`.
    #[serde(default)]
    pub parameters: BTreeMap<String, ScalarValue>,
}

/// A parameter value: CloudFormation parameters are strings, but launch.json authors write numbers too.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ScalarValue {
    String(String),
    Number(serde_json::Number),
    Bool(bool),
}

impl fmt::Display for ScalarValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScalarValue::String(s) => f.write_str(s),
            ScalarValue::Number(n) => write!(f, "{n}"),
            ScalarValue::Bool(b) => write!(f, "{b}"),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AwsSection {
    /// A profile name from the AWS config/credentials files (`profile:` prefix optional).
    pub credentials: Option<String>,
    pub region: Option<String>,
}

/// A configuration error: the field (JSON path) and what was wrong or expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub field: String,
    pub message: String,
}

impl ConfigError {
    fn new(field: &str, message: impl Into<String>) -> ConfigError {
        ConfigError { field: field.to_owned(), message: message.into() }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "launch configuration: {}", self.message)
        } else {
            write!(f, "launch configuration: `{}`: {}", self.field, self.message)
        }
    }
}

/// A configuration resolved into a function to run.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub config: FunctionConfig,
    /// The event, JSON bytes.
    pub event: Vec<u8>,
    /// Variables for the function's process beyond its own (AWS_PROFILE).
    pub extra_env: BTreeMap<String, String>,
    pub warnings: Vec<String>,
    /// Whether the function runs under the debugger (Python without `noDebug`).
    pub debug: bool,
    pub stop_on_entry: bool,
    pub just_my_code: bool,
}

impl LaunchConfig {
    /// Reads the `launch` arguments; type errors name the field's path.
    pub fn parse(arguments: &Value) -> Result<LaunchConfig, ConfigError> {
        serde_path_to_error::deserialize(arguments).map_err(|e| {
            let path = e.path().to_string();
            let field = if path == "." { String::new() } else { path };
            let mut message = e.into_inner().to_string();
            if field == "invokeTarget.target" && message.contains("unknown variant") {
                message.push_str(" (API targets are not supported; invoke the function behind the API instead)");
            }
            ConfigError { field, message }
        })
    }

    /// Resolves the target into a runnable function, reading the template and the payload file.
    pub fn resolve(&self) -> Result<Resolved, ConfigError> {
        let base = match &self.cwd {
            Some(dir) => std::path::absolute(dir).map_err(|e| ConfigError::new("cwd", e.to_string()))?,
            None => std::env::current_dir().map_err(|e| ConfigError::new("cwd", e.to_string()))?,
        };
        let region = self
            .aws
            .region
            .clone()
            .filter(|r| !r.is_empty())
            .or_else(|| std::env::var("AWS_REGION").ok().filter(|r| !r.is_empty()))
            .or_else(|| std::env::var("AWS_DEFAULT_REGION").ok().filter(|r| !r.is_empty()))
            .unwrap_or_else(|| "us-east-1".to_owned());
        let mut warnings = Vec::new();

        let mut config = match &self.invoke_target {
            None => {
                return Err(ConfigError::new(
                    "invokeTarget",
                    r#"missing; expected {"target": "template", "templatePath": ..., "logicalId": ...} or {"target": "code", "lambdaHandler": ..., "projectRoot": ...}"#,
                ));
            }
            Some(InvokeTarget::Template { template_path, logical_id }) => {
                let path = base.join(template_path);
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    ConfigError::new("invokeTarget.templatePath", format!("cannot read {}: {e}", path.display()))
                })?;
                let overrides: BTreeMap<String, String> = self
                    .sam
                    .template
                    .iter()
                    .flat_map(|t| &t.parameters)
                    .map(|(k, v)| (k.clone(), v.to_string()))
                    .collect();
                let functions = template::functions(&path, &text, &overrides, &region)
                    .map_err(|e| ConfigError::new("invokeTarget.templatePath", e))?;
                if let Some(bad) = functions.unrunnable.iter().find(|u| &u.logical_id == logical_id) {
                    return Err(ConfigError::new(
                        "invokeTarget.logicalId",
                        format!("function {logical_id} cannot run locally: {}", bad.reason),
                    ));
                }
                let Some(function) = functions.runnable.iter().find(|f| &f.logical_id == logical_id) else {
                    let names = functions.names().join(", ");
                    let names = if names.is_empty() { "none".to_owned() } else { names };
                    return Err(ConfigError::new(
                        "invokeTarget.logicalId",
                        format!(
                            "no function `{logical_id}` in {}; expected one of its AWS::Serverless::Function resources: {names}",
                            path.display()
                        ),
                    ));
                };
                warnings.extend(function.warnings.iter().cloned());
                let mut config = function.config.clone();
                if let Some(runtime) = &self.lambda.runtime {
                    config.runtime = runtime.clone();
                }
                config
            }
            Some(InvokeTarget::Code { lambda_handler, project_root }) => {
                let Some(runtime) = &self.lambda.runtime else {
                    return Err(ConfigError::new(
                        "lambda.runtime",
                        "required with target `code`; expected a Lambda runtime such as python3.12 or nodejs20.x",
                    ));
                };
                let root = base.join(project_root);
                if !root.is_dir() {
                    return Err(ConfigError::new(
                        "invokeTarget.projectRoot",
                        format!(
                            "{} is not a directory; expected the folder holding the handler's code",
                            root.display()
                        ),
                    ));
                }
                let mut config =
                    FunctionConfig::new(&handler_function_name(lambda_handler), root, lambda_handler, runtime);
                config.region = region.clone();
                config
            }
        };
        let Some(family) = RuntimeFamily::of(&config.runtime) else {
            return Err(ConfigError::new(
                "lambda.runtime",
                format!(
                    "`{}` cannot run locally without Docker; expected python3.x, nodejs*.x or provided.*",
                    config.runtime
                ),
            ));
        };
        if family == RuntimeFamily::Python {
            let field = match &self.invoke_target {
                Some(InvokeTarget::Template { logical_id, .. }) => format!("Handler of {logical_id} in the template"),
                _ => "invokeTarget.lambdaHandler".to_owned(),
            };
            check_python_handler(&config, &field)?;
        }
        if let Some(secs) = self.lambda.timeout_sec {
            if !(1..=900).contains(&secs) {
                return Err(ConfigError::new(
                    "lambda.timeoutSec",
                    format!("{secs} is out of range; expected 1 to 900 seconds"),
                ));
            }
            config.timeout = Duration::from_secs(secs);
        }
        if let Some(mb) = self.lambda.memory_mb {
            if !(128..=10240).contains(&mb) {
                return Err(ConfigError::new(
                    "lambda.memoryMb",
                    format!("{mb} is out of range; expected 128 to 10240 MB"),
                ));
            }
            config.memory_mb = mb;
        }
        config.env.extend(self.lambda.environment_variables.iter().map(|(k, v)| (k.clone(), v.clone())));
        config.interpreter = match family {
            RuntimeFamily::Python => self.python_path.clone(),
            RuntimeFamily::Node => self.node_path.clone(),
            RuntimeFamily::Provided => None,
        };

        let mut extra_env = BTreeMap::new();
        if let Some(credentials) = &self.aws.credentials {
            let profile = credentials.strip_prefix("profile:").unwrap_or(credentials);
            if profile.is_empty() {
                return Err(ConfigError::new("aws.credentials", "empty; expected a profile name such as `default`"));
            }
            extra_env.insert("AWS_PROFILE".to_owned(), profile.to_owned());
        }

        let event = match &self.lambda.payload {
            None => b"{}".to_vec(),
            Some(Payload { json: Some(_), path: Some(_) }) => {
                return Err(ConfigError::new("lambda.payload", "expected either `json` or `path`, not both"));
            }
            Some(Payload { json: Some(json), path: None }) => json.to_string().into_bytes(),
            Some(Payload { json: None, path: Some(path) }) => {
                let path = base.join(path);
                let bytes = std::fs::read(&path).map_err(|e| {
                    ConfigError::new("lambda.payload.path", format!("cannot read {}: {e}", path.display()))
                })?;
                if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(&bytes) {
                    return Err(ConfigError::new(
                        "lambda.payload.path",
                        format!("{} is not JSON ({e}); expected the event as a JSON document", path.display()),
                    ));
                }
                bytes
            }
            Some(Payload { json: None, path: None }) => {
                return Err(ConfigError::new("lambda.payload", "expected `json` (the event) or `path` (a JSON file)"));
            }
        };

        Ok(Resolved {
            config,
            event,
            extra_env,
            warnings,
            debug: family == RuntimeFamily::Python && !self.no_debug,
            stop_on_entry: self.stop_on_entry,
            just_my_code: self.just_my_code,
        })
    }
}

/// The function name a `code` target runs as: the handler's function part (`app.handler` -> `handler`).
fn handler_function_name(handler: &str) -> String {
    handler.rsplit('.').next().unwrap_or(handler).to_owned()
}

/// The Python handler's module must exist under the code directory (`app.handler` -> `app.py` or
/// `app/__init__.py`; `pkg/mod.handler` and `pkg.mod.handler` -> `pkg/mod.py`): a clear error here beats
/// an ImportModuleError after debugpy has started.
fn check_python_handler(config: &FunctionConfig, field: &str) -> Result<(), ConfigError> {
    let Some((module, function)) = config.handler.rsplit_once('.') else {
        return Err(ConfigError::new(
            field,
            format!("`{}` is not of the form module.function (e.g. app.lambda_handler)", config.handler),
        ));
    };
    if function.is_empty() || module.is_empty() {
        return Err(ConfigError::new(
            field,
            format!("`{}` is not of the form module.function (e.g. app.lambda_handler)", config.handler),
        ));
    }
    let relative = module.replace('.', "/");
    let mut roots = vec![config.code_dir.clone()];
    // Layers put their `python/` directory on the import path as well.
    roots.extend(config.layers.iter().map(|l| l.join("python")));
    let found = roots.iter().any(|root: &PathBuf| {
        let base: &Path = root;
        base.join(format!("{relative}.py")).is_file() || base.join(&relative).join("__init__.py").is_file()
    });
    if found {
        Ok(())
    } else {
        Err(ConfigError::new(
            field,
            format!(
                "`{}`: no module {relative}.py in {}; expected module.function naming a file in the code directory",
                config.handler,
                config.code_dir.display()
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn example() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/parameter-store").canonicalize().unwrap()
    }

    fn resolve(config: Value) -> Result<Resolved, String> {
        let mut config = config;
        config["cwd"] = json!(example());
        LaunchConfig::parse(&config).and_then(|c| c.resolve()).map_err(|e| e.to_string())
    }

    fn template_target() -> Value {
        json!({"target": "template", "templatePath": "template.yaml", "logicalId": "GreetingFunction"})
    }

    #[test]
    fn toolkit_template_configuration() {
        let got = resolve(json!({
            "type": "aws-sam",
            "request": "direct-invoke",
            "name": "GreetingFunction",
            "invokeTarget": template_target(),
            "lambda": {
                "payload": {"path": "events/event.json"},
                "environmentVariables": {"LOG_LEVEL": "DEBUG"},
                "timeoutSec": 30,
                "memoryMb": 256
            },
            "sam": {"template": {"parameters": {"GreetingParameterName": "other", "Unused": 3}}},
            "aws": {"credentials": "profile:dev", "region": "eu-west-1"},
            "pythonPath": "/usr/bin/python3"
        }))
        .unwrap();
        assert_eq!(got.config.name, "GreetingFunction");
        assert_eq!(got.config.handler, "app.lambda_handler");
        assert_eq!(got.config.runtime, "python3.12");
        assert_eq!(got.config.timeout, Duration::from_secs(30));
        assert_eq!(got.config.memory_mb, 256);
        assert_eq!(got.config.region, "eu-west-1");
        assert_eq!(got.config.env["LOG_LEVEL"], "DEBUG", "launch variables override the template's");
        assert_eq!(got.config.env["PARAMETER_NAME"], "other", "sam.template.parameters");
        assert_eq!(got.config.env["OBJECT_KEY"], "templates/greeting.txt");
        assert_eq!(got.config.interpreter.as_deref(), Some(Path::new("/usr/bin/python3")));
        assert_eq!(got.extra_env["AWS_PROFILE"], "dev");
        assert_eq!(serde_json::from_slice::<Value>(&got.event).unwrap(), json!({"name": "Ada"}));
        assert!(got.debug && got.just_my_code && !got.stop_on_entry);
    }

    #[test]
    fn code_configuration() {
        let got = resolve(json!({
            "invokeTarget": {"target": "code", "lambdaHandler": "app.lambda_handler", "projectRoot": "src"},
            "lambda": {"runtime": "python3.12", "payload": {"json": {"name": "Bo"}}},
            "noDebug": true,
            "stopOnEntry": true,
            "justMyCode": false
        }))
        .unwrap();
        assert_eq!(got.config.code_dir, example().join("src"));
        assert_eq!(got.config.name, "lambda_handler");
        assert_eq!(got.config.timeout, Duration::from_secs(3), "Lambda's default");
        assert_eq!(got.event, br#"{"name":"Bo"}"#);
        assert!(!got.debug && got.stop_on_entry && !got.just_my_code);
    }

    #[test]
    fn errors_name_the_field() {
        let code = |handler: &str| json!({"target": "code", "lambdaHandler": handler, "projectRoot": "src"});
        let cases = [
            (json!({}), "`invokeTarget`: missing; expected {\"target\": \"template\""),
            (
                json!({"invokeTarget": {"target": "api"}}),
                "`invokeTarget.target`: unknown variant `api`, expected `template` or `code` (API targets",
            ),
            (
                json!({"invokeTarget": {"target": "template", "templatePath": "template.yaml"}}),
                "`invokeTarget`: missing field `logicalId`",
            ),
            (
                json!({"invokeTarget": template_target(), "lambda": {"timeoutSec": "30"}}),
                "`lambda.timeoutSec`: invalid type: string \"30\", expected u64",
            ),
            (
                json!({"invokeTarget": template_target(), "lambda": {"timeoutSec": 0}}),
                "`lambda.timeoutSec`: 0 is out of range; expected 1 to 900 seconds",
            ),
            (
                json!({"invokeTarget": template_target(), "lambda": {"memoryMb": 64}}),
                "`lambda.memoryMb`: 64 is out of range; expected 128 to 10240 MB",
            ),
            (
                json!({"invokeTarget": template_target(), "lambda": {"environmentVariables": {"A": 1}}}),
                "`lambda.environmentVariables.A`: invalid type: integer `1`, expected a string",
            ),
            (
                json!({"invokeTarget": template_target(), "lambda": {"payload": {"json": {}, "path": "x"}}}),
                "`lambda.payload`: expected either `json` or `path`, not both",
            ),
            (
                json!({"invokeTarget": template_target(), "lambda": {"payload": {"path": "nope.json"}}}),
                "`lambda.payload.path`: cannot read ",
            ),
            (
                json!({"invokeTarget": template_target(), "lambda": {"payload": {"path": "README.md"}}}),
                "README.md is not JSON",
            ),
            (
                json!({"invokeTarget": {"target": "template", "templatePath": "template.yaml", "logicalId": "Nope"}}),
                "`invokeTarget.logicalId`: no function `Nope` in ",
            ),
            (
                json!({"invokeTarget": {"target": "template", "templatePath": "missing.yaml", "logicalId": "F"}}),
                "`invokeTarget.templatePath`: cannot read ",
            ),
            (json!({"invokeTarget": code("app.lambda_handler")}), "`lambda.runtime`: required with target `code`"),
            (
                json!({"invokeTarget": code("app.lambda_handler"), "lambda": {"runtime": "java21"}}),
                "`lambda.runtime`: `java21` cannot run locally",
            ),
            (
                json!({"invokeTarget": code("nope.handler"), "lambda": {"runtime": "python3.12"}}),
                "`invokeTarget.lambdaHandler`: `nope.handler`: no module nope.py in ",
            ),
            (
                json!({"invokeTarget": code("handler"), "lambda": {"runtime": "python3.12"}}),
                "`invokeTarget.lambdaHandler`: `handler` is not of the form module.function",
            ),
            (
                json!({"invokeTarget": {"target": "code", "lambdaHandler": "app.h", "projectRoot": "nowhere"}, "lambda": {"runtime": "python3.12"}}),
                "`invokeTarget.projectRoot`: ",
            ),
            (
                json!({"invokeTarget": template_target(), "aws": {"credentials": "profile:"}}),
                "`aws.credentials`: empty; expected a profile name",
            ),
            (
                json!({"invokeTarget": template_target(), "stopOnEntry": "yes"}),
                "`stopOnEntry`: invalid type: string \"yes\", expected a boolean",
            ),
        ];
        for (config, want) in cases {
            let got = resolve(config.clone()).err().unwrap_or_else(|| panic!("accepted: {config}"));
            assert!(got.contains(want), "{config}\n got: {got}\nwant: {want}");
        }
    }
}
