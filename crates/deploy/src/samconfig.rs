//! `samconfig.toml`: the deploy settings of a config environment (`[default.deploy.parameters]`,
//! with `[default.global.parameters]` underneath as the SAM CLI reads them), and writing the user's
//! choices back with the rest of the file (comments, order, other commands' sections) untouched.

use std::path::{Path, PathBuf};

use toml_edit::{Array, DocumentMut, Item, Table, Value};

use crate::{DeployError, write_atomic};

/// The deploy settings samwise reads and writes. `None` means "not set in the file".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeployParameters {
    pub stack_name: Option<String>,
    pub region: Option<String>,
    pub s3_bucket: Option<String>,
    pub s3_prefix: Option<String>,
    pub capabilities: Option<Vec<String>>,
    pub parameter_overrides: Option<Vec<(String, String)>>,
    pub confirm_changeset: Option<bool>,
    pub tags: Option<Vec<(String, String)>>,
}

/// A loaded (or new) samconfig.toml.
#[derive(Debug, Clone)]
pub struct SamConfig {
    path: PathBuf,
    doc: DocumentMut,
}

/// Splits the SAM CLI's `K=V K2="v w"` form (shell quoting) into pairs.
pub fn parse_key_values(field: &'static str, text: &str) -> Result<Vec<(String, String)>, DeployError> {
    let words = shlex::split(text).ok_or_else(|| DeployError::BadKeyValue { field, value: text.to_owned() })?;
    words.iter().map(|w| split_pair(field, w)).collect()
}

fn split_pair(field: &'static str, word: &str) -> Result<(String, String), DeployError> {
    match word.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
        _ => Err(DeployError::BadKeyValue { field, value: word.to_owned() }),
    }
}

/// The `K="v"` string form the SAM CLI writes, read back by [`parse_key_values`].
pub fn format_key_values(pairs: &[(String, String)]) -> String {
    let quote = |v: &str| {
        let mut s = String::from("\"");
        for c in v.chars() {
            if matches!(c, '"' | '\\' | '$' | '`') {
                s.push('\\');
            }
            s.push(c);
        }
        s.push('"');
        s
    };
    pairs.iter().map(|(k, v)| format!("{k}={}", quote(v))).collect::<Vec<_>>().join(" ")
}

impl SamConfig {
    /// Reads `path`; a missing file is an empty configuration (it is created on [`SamConfig::save`]).
    pub fn load(path: &Path) -> Result<SamConfig, DeployError> {
        match std::fs::read_to_string(path) {
            Ok(text) => SamConfig::parse(path, &text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => SamConfig::parse(path, "version = 0.1\n"),
            Err(e) => Err(DeployError::io(path, e)),
        }
    }

    pub fn parse(path: &Path, text: &str) -> Result<SamConfig, DeployError> {
        let doc = text.parse::<DocumentMut>().map_err(|e| DeployError::SamConfig {
            path: path.to_path_buf(),
            field: None,
            detail: e.to_string().trim().to_owned(),
        })?;
        Ok(SamConfig { path: path.to_path_buf(), doc })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn section(&self, env: &str, command: &str) -> Option<&Item> {
        self.doc.get(env)?.get(command)?.get("parameters")
    }

    /// The deploy settings of config environment `env`: `[env.global.parameters]` overlaid by
    /// `[env.deploy.parameters]`.
    pub fn deploy_parameters(&self, env: &str) -> Result<DeployParameters, DeployError> {
        let mut out = DeployParameters::default();
        for command in ["global", "deploy"] {
            let Some(section) = self.section(env, command) else { continue };
            let bad = |key: &str, expected: &str| DeployError::SamConfig {
                path: self.path.clone(),
                field: Some(format!("[{env}.{command}.parameters] {key}")),
                detail: format!("expected {expected}"),
            };
            let string = |key: &str| -> Result<Option<String>, DeployError> {
                match section.get(key) {
                    None => Ok(None),
                    Some(v) => v.as_str().map(|s| Some(s.to_owned())).ok_or_else(|| bad(key, "a string")),
                }
            };
            // A string (space separated, shell quoted) or an array of strings.
            let words = |key: &str| -> Result<Option<Vec<String>>, DeployError> {
                match section.get(key) {
                    None => Ok(None),
                    Some(v) => {
                        if let Some(s) = v.as_str() {
                            shlex::split(s).map(Some).ok_or_else(|| bad(key, "balanced quotes"))
                        } else if let Some(a) = v.as_array() {
                            a.iter()
                                .map(|i| i.as_str().map(str::to_owned))
                                .collect::<Option<Vec<_>>>()
                                .map(Some)
                                .ok_or_else(|| bad(key, "an array of strings"))
                        } else {
                            Err(bad(key, "a string or an array of strings"))
                        }
                    }
                }
            };
            let pairs = |key: &'static str| -> Result<Option<Vec<(String, String)>>, DeployError> {
                match words(key)? {
                    None => Ok(None),
                    Some(ws) => ws.iter().map(|w| split_pair(key, w)).collect::<Result<Vec<_>, _>>().map(Some),
                }
            };
            if let Some(v) = string("stack_name")? {
                out.stack_name = Some(v);
            }
            if let Some(v) = string("region")? {
                out.region = Some(v);
            }
            if let Some(v) = string("s3_bucket")? {
                out.s3_bucket = Some(v);
            }
            if let Some(v) = string("s3_prefix")? {
                out.s3_prefix = Some(v);
            }
            if let Some(v) = words("capabilities")? {
                out.capabilities = Some(v);
            }
            if let Some(v) = pairs("parameter_overrides")? {
                out.parameter_overrides = Some(v);
            }
            if let Some(v) = pairs("tags")? {
                out.tags = Some(v);
            }
            if let Some(v) = section.get("confirm_changeset") {
                out.confirm_changeset = Some(v.as_bool().ok_or_else(|| bad("confirm_changeset", "true or false"))?);
            }
        }
        Ok(out)
    }

    /// Writes the set fields of `params` into `[env.deploy.parameters]`, creating the section when
    /// needed. Existing keys keep their place and their trailing comments; list-valued keys keep
    /// the form (string or array) they were written in.
    pub fn set_deploy_parameters(&mut self, env: &str, params: &DeployParameters) {
        let env_table = table_entry(self.doc.as_table_mut(), env);
        let deploy = table_entry(env_table, "deploy");
        let section = table_entry(deploy, "parameters");
        section.set_implicit(false);
        // Replaced in place (not re-inserted) so the key's own decor, the comment lines above it, stays.
        let set = |section: &mut Table, key: &str, mut value: Value| match section.get_mut(key) {
            Some(item) => {
                if let Some(old) = item.as_value() {
                    *value.decor_mut() = old.decor().clone();
                }
                *item = Item::Value(value);
            }
            None => {
                section.insert(key, Item::Value(value));
            }
        };
        let list = |section: &Table, key: &str, words: Vec<String>, joined: String| -> Value {
            if section.get(key).is_some_and(Item::is_array) {
                Value::Array(words.into_iter().collect::<Array>())
            } else {
                Value::from(joined)
            }
        };
        for (key, value) in [
            ("stack_name", &params.stack_name),
            ("region", &params.region),
            ("s3_bucket", &params.s3_bucket),
            ("s3_prefix", &params.s3_prefix),
        ] {
            if let Some(v) = value {
                set(section, key, Value::from(v.as_str()));
            }
        }
        if let Some(caps) = &params.capabilities {
            let v = list(section, "capabilities", caps.clone(), caps.join(" "));
            set(section, "capabilities", v);
        }
        for (key, value) in [("parameter_overrides", &params.parameter_overrides), ("tags", &params.tags)] {
            if let Some(pairs) = value {
                let words = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
                let v = list(section, key, words, format_key_values(pairs));
                set(section, key, v);
            }
        }
        if let Some(b) = params.confirm_changeset {
            set(section, "confirm_changeset", Value::from(b));
        }
    }

    pub fn to_text(&self) -> String {
        self.doc.to_string()
    }

    /// Writes the file atomically.
    pub fn save(&self) -> Result<(), DeployError> {
        write_atomic(&self.path, self.to_text().as_bytes())
    }
}

/// The table under `key`, created (as an implicit table, so no empty `[a]` header appears) when missing.
fn table_entry<'a>(parent: &'a mut Table, key: &str) -> &'a mut Table {
    if !parent.get(key).is_some_and(Item::is_table) {
        let mut t = Table::new();
        t.set_implicit(true);
        parent.insert(key, Item::Table(t));
    }
    parent.get_mut(key).and_then(Item::as_table_mut).expect("inserted above")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_values_string_form() {
        let pairs = parse_key_values("parameter_overrides", r#"A=1 B="two words" C='x=y' D="""#).unwrap();
        let want = [("A", "1"), ("B", "two words"), ("C", "x=y"), ("D", "")];
        assert_eq!(pairs, want.map(|(k, v)| (k.to_owned(), v.to_owned())));
        assert_eq!(parse_key_values("parameter_overrides", &format_key_values(&pairs)).unwrap(), pairs);
        let tricky = vec![("K".to_owned(), r#"a "q" $HOME \ `x`"#.to_owned())];
        assert_eq!(parse_key_values("tags", &format_key_values(&tricky)).unwrap(), tricky);
        assert!(parse_key_values("tags", "novalue").is_err());
        assert!(parse_key_values("tags", "=v").is_err());
        assert!(parse_key_values("tags", "A=\"unterminated").is_err());
    }
}
