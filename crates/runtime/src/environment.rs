//! The function's environment as Lambda sets it, the SAM CLI `--env-vars` file, and
//! `--parameter-overrides`.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::config::FunctionConfig;

/// The variables Lambda defines for every function, for a function served by the emulator at
/// `runtime_api` (`host:port`) with its runtime client in `runtime_dir`. The function's own variables
/// come first and Lambda's reserved ones win over them, as in Lambda, which rejects attempts to set them.
pub fn function_environment(
    config: &FunctionConfig,
    runtime_api: &str,
    runtime_dir: &Path,
) -> BTreeMap<String, String> {
    let mut env = config.env.clone();
    let reserved = [
        ("AWS_LAMBDA_FUNCTION_NAME", config.name.clone()),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".to_owned()),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", config.memory_mb.to_string()),
        ("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{}", config.name)),
        ("AWS_LAMBDA_LOG_STREAM_NAME", log_stream_name(SystemTime::now())),
        ("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand".to_owned()),
        ("AWS_REGION", config.region.clone()),
        ("AWS_DEFAULT_REGION", config.region.clone()),
        ("AWS_EXECUTION_ENV", format!("AWS_Lambda_{}", config.runtime)),
        ("_HANDLER", config.handler.clone()),
        ("LAMBDA_TASK_ROOT", config.code_dir.display().to_string()),
        ("LAMBDA_RUNTIME_DIR", runtime_dir.display().to_string()),
        ("AWS_LAMBDA_RUNTIME_API", runtime_api.to_owned()),
        ("TZ", ":UTC".to_owned()),
        ("AWS_SAM_LOCAL", "true".to_owned()),
    ];
    for (key, value) in reserved {
        env.insert(key.to_owned(), value);
    }
    env
}

/// `YYYY/MM/DD/[$LATEST]<32 hex digits>`, the shape of Lambda's log stream names.
fn log_stream_name(now: SystemTime) -> String {
    let secs = now.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}/{m:02}/{d:02}/[$LATEST]{}", uuid::Uuid::new_v4().simple())
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm), to avoid a date
/// library for one log stream name.
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// A SAM CLI `--env-vars` file: `{"Parameters": {...}}` applies to every function,
/// `{"LogicalId": {...}}` to one function, and wins over `Parameters`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvVarsFile {
    pub all: BTreeMap<String, String>,
    pub per_function: BTreeMap<String, BTreeMap<String, String>>,
}

impl EnvVarsFile {
    /// Parses the file's text. Values may be strings, numbers or booleans (written as Lambda would
    /// receive them); `null` and nested objects are errors naming the key.
    pub fn parse(text: &str) -> Result<EnvVarsFile, String> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
        let serde_json::Value::Object(top) = value else {
            return Err("expected a JSON object like {\"Parameters\": {...}, \"MyFunction\": {...}}".into());
        };
        let mut file = EnvVarsFile::default();
        for (section, vars) in top {
            let serde_json::Value::Object(vars) = vars else {
                return Err(format!("\"{section}\" must be an object of variable names to values"));
            };
            let mut out = BTreeMap::new();
            for (key, value) in vars {
                let text = match value {
                    serde_json::Value::String(s) => s,
                    serde_json::Value::Number(n) => n.to_string(),
                    serde_json::Value::Bool(b) => b.to_string(),
                    _ => return Err(format!("\"{section}\".\"{key}\" must be a string, number or boolean")),
                };
                out.insert(key, text);
            }
            if section == "Parameters" {
                file.all = out;
            } else {
                file.per_function.insert(section, out);
            }
        }
        Ok(file)
    }

    /// Applies the file to function `logical_id`'s variables. Unlike `sam local`, variables the template
    /// does not declare are applied too; each one yields a warning, since it would not exist in Lambda.
    pub fn apply(&self, logical_id: &str, env: &mut BTreeMap<String, String>) -> Vec<String> {
        let declared: Vec<String> = env.keys().cloned().collect();
        let mut warnings = Vec::new();
        let sections = [("Parameters", Some(&self.all)), (logical_id, self.per_function.get(logical_id))];
        for (section, vars) in sections {
            for (key, value) in vars.into_iter().flatten() {
                if !declared.contains(key) && !warnings.iter().any(|w: &String| w.contains(&format!("`{key}`"))) {
                    warnings.push(format!(
                        "env-vars: `{key}` (from \"{section}\") is not declared in {logical_id}'s Environment.Variables; \
                         it is set locally but will not exist when deployed"
                    ));
                }
                env.insert(key.clone(), value.clone());
            }
        }
        warnings
    }
}

/// Parses `--parameter-overrides` arguments: `Key=Value` pairs, or the SAM CLI's
/// `ParameterKey=Key,ParameterValue=Value` form. Several pairs may share one argument, separated by spaces.
pub fn parse_parameter_overrides<S: AsRef<str>>(args: &[S]) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for arg in args {
        for item in arg.as_ref().split_whitespace() {
            if let Some(rest) = item.strip_prefix("ParameterKey=") {
                let Some((key, value)) = rest.split_once(",ParameterValue=") else {
                    return Err(format!("`{item}`: expected ParameterKey=Name,ParameterValue=Value"));
                };
                out.insert(key.to_owned(), value.to_owned());
            } else if let Some((key, value)) = item.split_once('=').filter(|(k, _)| !k.is_empty()) {
                out.insert(key.to_owned(), value.to_owned());
            } else {
                return Err(format!("`{item}`: expected Name=Value"));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(civil_from_days(20_453), (2025, 12, 31));
        let name = log_stream_name(UNIX_EPOCH + std::time::Duration::from_secs(86_400 * 19_782 + 5));
        assert!(name.starts_with("2024/02/29/[$LATEST]"), "{name}");
        assert_eq!(name.len(), "2024/02/29/[$LATEST]".len() + 32);
    }

    #[test]
    fn reserved_variables_win() {
        let mut config = FunctionConfig::new("Fn", "/code", "app.handler", "python3.12");
        config.env.insert("TABLE".into(), "t".into());
        config.env.insert("_HANDLER".into(), "evil.handler".into());
        let env = function_environment(&config, "127.0.0.1:9001", Path::new("/rt"));
        assert_eq!(env["TABLE"], "t");
        assert_eq!(env["_HANDLER"], "app.handler");
        assert_eq!(env["AWS_LAMBDA_RUNTIME_API"], "127.0.0.1:9001");
        assert_eq!(env["AWS_EXECUTION_ENV"], "AWS_Lambda_python3.12");
        assert_eq!(env["AWS_LAMBDA_LOG_GROUP_NAME"], "/aws/lambda/Fn");
        assert_eq!(env["AWS_SAM_LOCAL"], "true");
    }

    #[test]
    fn env_vars_file() {
        let file = EnvVarsFile::parse(
            r#"{"Parameters": {"STAGE": "dev", "RETRIES": 3}, "Fn": {"STAGE": "test", "DEBUG": true}, "Other": {"X": "y"}}"#,
        )
        .unwrap();
        let mut env = BTreeMap::from([("STAGE".to_owned(), "prod".to_owned()), ("RETRIES".to_owned(), "1".to_owned())]);
        let warnings = file.apply("Fn", &mut env);
        assert_eq!(env["STAGE"], "test");
        assert_eq!(env["RETRIES"], "3");
        assert_eq!(env["DEBUG"], "true");
        assert!(!env.contains_key("X"));
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("`DEBUG`"), "{warnings:?}");

        assert!(EnvVarsFile::parse("[]").unwrap_err().contains("JSON object"));
        assert!(EnvVarsFile::parse(r#"{"Fn": {"A": null}}"#).unwrap_err().contains("\"Fn\".\"A\""));
        assert!(EnvVarsFile::parse("{").unwrap_err().contains("not valid JSON"));
    }

    #[test]
    fn parameter_overrides() {
        let got = parse_parameter_overrides(&["Stage=dev", "ParameterKey=Table,ParameterValue=t1 Extra=a=b"]).unwrap();
        let want = BTreeMap::from([
            ("Stage".to_owned(), "dev".to_owned()),
            ("Table".to_owned(), "t1".to_owned()),
            ("Extra".to_owned(), "a=b".to_owned()),
        ]);
        assert_eq!(got, want);
        assert!(parse_parameter_overrides(&["novalue"]).unwrap_err().contains("Name=Value"));
        assert!(parse_parameter_overrides(&["ParameterKey=x"]).is_err());
    }
}
