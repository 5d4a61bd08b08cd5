//! The user settings of the language server, as one serde type: the `samwise` section of
//! `workspace/configuration` and the `initializationOptions` object both deserialise into [`Settings`].
//!
//! This is the single source of truth for the editor-facing configuration: the VS Code manifest's
//! JSON schema is to be generated from this type, so every field carries its user-facing
//! description as a doc comment and its JSON name is the camelCase of the Rust name.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use samwise_ide::{Config, Severity};
use serde::{Deserialize, Serialize};

/// Settings read from the editor. Unknown keys are ignored, because editor shims keep their own
/// settings (such as the server path) in the same `samwise` section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// A directory holding newer generated data files (`cfn.bin`, `botocore.bin`) used instead of
    /// the embedded ones. A relative path is resolved against the first workspace folder.
    pub data_directory: Option<PathBuf>,
    /// Rule codes that are never reported, such as `SW2001`.
    pub disabled_rules: Vec<String>,
    /// Severity per rule code, replacing the rule's default severity, such as `{"SW2001": "warning"}`.
    pub severity_overrides: BTreeMap<String, SeverityLevel>,
    /// The Python interpreter of the workspace (its virtualenv), used for local invocation and,
    /// with `preferInstalledBotocore`, to find the installed botocore.
    pub python_path: Option<PathBuf>,
    /// Complete and check boto3 calls against the botocore installed for `pythonPath` instead of the
    /// models built into samwise, so they match the project's exact boto3 version.
    pub prefer_installed_botocore: bool,
    /// The most items one completion answer holds (default 100). A longer list is cut to the best
    /// matches of the word typed so far and marked incomplete, so the editor asks again as the word
    /// grows. 0: no limit.
    pub completion_limit: Option<usize>,
}

/// Items per completion answer when `completionLimit` is not set (clangd's default too): a few
/// screens of a completion popup, and a tenth of the JSON of a long `!Ref` list.
pub const DEFAULT_COMPLETION_LIMIT: usize = 100;

/// A diagnostic severity as written in settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SeverityLevel {
    Error,
    Warning,
    #[serde(alias = "info")]
    Information,
    Hint,
}

impl Settings {
    /// The item limit of one completion answer; `None` means no limit.
    pub fn completion_limit(&self) -> Option<usize> {
        match self.completion_limit {
            None => Some(DEFAULT_COMPLETION_LIMIT),
            Some(0) => None,
            Some(n) => Some(n),
        }
    }

    /// Reads settings from a JSON value; `null` means "all defaults", as editors send it when the
    /// user set nothing. The error names the offending field so it can be shown to the user.
    pub fn from_json(value: serde_json::Value) -> Result<Settings, String> {
        if value.is_null() {
            return Ok(Settings::default());
        }
        serde_json::from_value(value).map_err(|e| format!("invalid `samwise` settings: {e}"))
    }

    /// The analysis configuration these settings describe; `base` anchors a relative data directory.
    pub fn to_config(&self, base: Option<&Path>) -> Config {
        let data_dir = self.data_directory.as_ref().map(|dir| match base {
            Some(base) if dir.is_relative() => base.join(dir),
            _ => dir.clone(),
        });
        Config {
            data_dir,
            disabled_rules: self.disabled_rules.clone(),
            severity_overrides: self
                .severity_overrides
                .iter()
                .map(|(code, level)| (code.clone(), level.severity()))
                .collect(),
            python_path: self.python_path.clone(),
            prefer_installed_botocore: self.prefer_installed_botocore,
        }
    }
}

impl SeverityLevel {
    fn severity(self) -> Severity {
        match self {
            SeverityLevel::Error => Severity::Error,
            SeverityLevel::Warning => Severity::Warning,
            SeverityLevel::Information => Severity::Information,
            SeverityLevel::Hint => Severity::Hint,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn camel_case_settings_map_to_the_analysis_config() {
        let settings = Settings::from_json(json!({
            "dataDirectory": "data",
            "disabledRules": ["SW2001"],
            "severityOverrides": {"SW3002": "info", "SW1001": "hint"},
            "serverPath": "/ignored/by/the/server",
        }))
        .unwrap();
        let config = settings.to_config(Some(Path::new("/ws")));
        assert_eq!(config.data_dir.as_deref(), Some(Path::new("/ws/data")));
        assert_eq!(config.disabled_rules, vec!["SW2001".to_owned()]);
        assert_eq!(
            config.severity_overrides,
            vec![("SW1001".to_owned(), Severity::Hint), ("SW3002".to_owned(), Severity::Information)]
        );
    }

    #[test]
    fn completion_limit_defaults_to_100_and_0_turns_it_off() {
        assert_eq!(Settings::default().completion_limit(), Some(DEFAULT_COMPLETION_LIMIT));
        let limit = |v| Settings::from_json(json!({ "completionLimit": v })).unwrap().completion_limit();
        assert_eq!(limit(json!(0)), None);
        assert_eq!(limit(json!(25)), Some(25));
        assert!(Settings::from_json(json!({ "completionLimit": -1 })).is_err());
    }

    #[test]
    fn null_means_defaults_and_bad_values_name_the_field() {
        assert_eq!(Settings::from_json(serde_json::Value::Null).unwrap(), Settings::default());
        let err = Settings::from_json(json!({"severityOverrides": {"SW1": "loud"}})).unwrap_err();
        assert!(err.contains("loud"), "{err}");
    }
}
