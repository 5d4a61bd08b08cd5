//! Credential hygiene in templates (issue 12): secrets written into the template, where they end up
//! in version control, in the console and in `describe-stacks` output.
//!
//! - SW7101: a value containing an AWS access key id (`AKIA`/`ASIA` + 16 upper-case letters or digits).
//! - SW7102: a 40-character secret-access-key-shaped value next to one (same mapping, or the
//!   neighbouring entries of the enclosing mapping, such as the adjacent parameter's `Default`).
//! - SW7103: a literal value of a secret property (`*Password`, `SecretString`, `AuthToken`,
//!   `ClientSecret`, `ApiKeyValue`, ...) or of a secret-named environment variable (`DB_PASSWORD`).
//! - SW7104: a parameter named like a secret (`*Password*`, `*Secret*`, `*Token*`, `*ApiKey*`) without
//!   `NoEcho: true`.
//!
//! Quick fixes: SW7101-SW7103 in `Resources`, `Globals` or `Outputs` move the value out of the
//! template into a new `NoEcho` parameter (created without a `Default`, so the secret is supplied at
//! deploy time and leaves the file; the `Parameters` section is created when missing) referenced by
//! `!Ref`/`{"Ref": ...}`; SW7104 adds `NoEcho: true`.
//!
//! Messages never repeat the value. Fine: dynamic references (`{{resolve:...}}`), intrinsics, empty
//! values, booleans and numbers, AWS's documentation placeholders (`AKIAIOSFODNN7EXAMPLE`), and
//! parameter names that name a secret rather than hold one (`SecretArn`, `TokenTableName`).

use std::collections::HashSet;

use samwise_syntax::{Diagnostic, Fix, Format, NodeId, NodeKind, ScalarStyle, Severity, TextEdit, TextRange};

use super::{CheckContext, RuleInfo};
use crate::model::Template;

pub(super) const RULES: &[RuleInfo] = &[
    RuleInfo { code: "SW7101", severity: Severity::Warning, summary: "hard-coded AWS access key id" },
    RuleInfo {
        code: "SW7102",
        severity: Severity::Warning,
        summary: "hard-coded AWS secret access key next to an access key id",
    },
    RuleInfo { code: "SW7103", severity: Severity::Warning, summary: "plaintext value of a secret property" },
    RuleInfo { code: "SW7104", severity: Severity::Warning, summary: "secret-named parameter without NoEcho" },
];

const SUGGESTION: &str = "use a dynamic reference ({{resolve:secretsmanager:...}} or {{resolve:ssm-secure:...}}) \
                          or a NoEcho parameter";

/// A value to visit: (node, key of the entry holding it, parent mapping, top-level section, owner:
/// the resource, parameter or output whose body holds it, naming the parameter a fix creates).
type Visit = (NodeId, Option<NodeId>, Option<NodeId>, String, String);

pub(super) fn check(t: &Template, _ctx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let tree = &t.tree;
    let Some(root) = t.root() else { return };
    // Explicit stack: templates may nest thousands of levels deep. Aliases are not followed, so a
    // value is visited once where it is written (and an alias bomb costs nothing).
    let mut stack: Vec<Visit> = Vec::new();
    for e in tree.entries(root) {
        if let Some(v) = e.value {
            stack.push((v, Some(e.key), None, tree.key_str(e).to_owned(), String::new()));
        }
    }
    let mut reported: HashSet<TextRange> = HashSet::new();
    let mut holders_cache: Option<Holders> = None;
    while let Some((id, key, parent, section, owner)) = stack.pop() {
        let node = tree.node(id);
        match &node.kind {
            NodeKind::Mapping(m) => {
                // Reversed so the stack pops entries in document order (an access key id is met
                // before the secret key after it, which it then reports as SW7102).
                for e in m.entries.iter().rev() {
                    let Some(v) = e.value else { continue };
                    // The resource (or parameter, output) whose body this is names the fixed parameter.
                    let owner = if parent.is_none() && owner.is_empty() {
                        if section == "Globals" { "Globals".to_owned() } else { tree.key_str(e).to_owned() }
                    } else {
                        owner.clone()
                    };
                    stack.push((v, Some(e.key), Some(id), section.clone(), owner));
                }
            }
            NodeKind::Sequence(s) => {
                for &i in s.items.iter().rev() {
                    stack.push((i, None, parent, section.clone(), owner.clone()));
                }
            }
            NodeKind::Alias(_) => {}
            NodeKind::Scalar(s) => {
                if s.value.contains("{{resolve:") {
                    continue;
                }
                let key_name = key.and_then(|k| tree.as_str(k)).unwrap_or("");
                let fixable = matches!(section.as_str(), "Resources" | "Globals" | "Outputs") && node.tag.is_none();
                let fix = || if fixable { move_to_parameter(t, id, &owner, key_name) } else { None };
                if let Some(at) = find_access_key_id(&s.value) {
                    reported.insert(node.range);
                    let mut d = Diagnostic::warning(
                        "SW7101",
                        node.range,
                        format!(
                            "hard-coded AWS access key id ({}…): give the code a role instead, or {SUGGESTION}",
                            &s.value[at..at + 4]
                        ),
                    );
                    d.fixes.extend(fix());
                    out.push(d);
                    let holders = holders_cache.get_or_insert_with(|| holders(t));
                    for secret in neighbour_secrets(t, holders, id, parent) {
                        if reported.contains(&tree.node(secret).range) {
                            continue;
                        }
                        reported.insert(tree.node(secret).range);
                        let sk = holders[secret.0 as usize].and_then(|(_, k)| tree.as_str(k)).unwrap_or("");
                        let mut d = Diagnostic::warning(
                            "SW7102",
                            tree.node(secret).range,
                            format!("hard-coded AWS secret access key (next to an access key id): {SUGGESTION}"),
                        );
                        if fixable && tree.node(secret).tag.is_none() {
                            d.fixes.extend(move_to_parameter(t, secret, &owner, sk));
                        }
                        out.push(d);
                    }
                    continue;
                }
                if section != "Parameters"
                    && node.tag.is_none()
                    && is_secret_property(key_name)
                    && !s.value.trim().is_empty()
                    && !(s.style == ScalarStyle::Plain && plain_non_string(&s.value))
                    && !reported.contains(&node.range)
                {
                    reported.insert(node.range);
                    let mut d = Diagnostic::warning(
                        "SW7103",
                        node.range,
                        format!("plaintext secret in '{key_name}': {SUGGESTION}"),
                    );
                    d.fixes.extend(fix());
                    out.push(d);
                }
            }
        }
    }
    check_parameters(t, out);
    // Findings before SW7104 may have been pushed out of order; `check` sorts them all.
}

/// SW7104: `DbPassword: {Type: String}` shows its value in the console and API output.
fn check_parameters(t: &Template, out: &mut Vec<Diagnostic>) {
    let tree = &t.tree;
    for p in &t.parameters {
        if !is_secret_parameter_name(&p.name) {
            continue;
        }
        let Some(body) = p.value.filter(|&v| tree.mapping(v).is_some()) else { continue };
        if tree.get_value(body, "Type").and_then(|ty| tree.as_str(ty)).is_some_and(|ty| ty.starts_with("AWS::SSM::")) {
            // The value is an SSM parameter name; CloudFormation resolves it and never shows the value.
            continue;
        }
        let no_echo = tree.get_value(body, "NoEcho");
        if no_echo.and_then(|n| tree.as_str(n)).is_some_and(|v| v.eq_ignore_ascii_case("true")) {
            continue;
        }
        let mut d = Diagnostic::warning(
            "SW7104",
            p.key_range,
            format!(
                "parameter '{}' looks like a secret but has no NoEcho: true, so its value shows in the console \
                 and in describe-stacks output",
                p.name
            ),
        );
        let edit = match no_echo {
            Some(n) => Some(TextEdit { range: tree.node(n).full_range(), new_text: "true".into() }),
            None => add_entry(t, body, "NoEcho", "true"),
        };
        d.fixes.extend(edit.map(|e| Fix { title: "Add NoEcho: true".into(), edits: vec![e] }));
        out.push(d);
    }
}

/// An edit adding `key: value` as the last entry of mapping `body`, in its own style.
fn add_entry(t: &Template, body: NodeId, key: &str, value: &str) -> Option<TextEdit> {
    let tree = &t.tree;
    let m = tree.mapping(body)?;
    let first = m.entries.first()?;
    let last = m.entries.last()?;
    let at = tree.entry_range(last).end;
    let new_text = match (t.format, m.flow) {
        (Format::Json, _) => format!(", \"{key}\": {value}"),
        (Format::Yaml, true) => format!(", {key}: {value}"),
        (Format::Yaml, false) => {
            let col = column(&t.text, tree.node(first.key).full_range().start);
            format!("\n{}{key}: {value}", " ".repeat(col))
        }
    };
    Some(TextEdit { range: TextRange::empty(at), new_text })
}

/// The fix moving the value `id` out of the template: a new NoEcho parameter and a reference to it.
fn move_to_parameter(t: &Template, id: NodeId, owner: &str, key: &str) -> Option<Fix> {
    let tree = &t.tree;
    let node = tree.node(id);
    if let NodeKind::Scalar(s) = &node.kind
        && matches!(s.style, ScalarStyle::Literal | ScalarStyle::Folded)
    {
        // A block scalar's range runs over several lines; replacing it is not worth the risk.
        return None;
    }
    let name = unique_name(t, &format!("{}{}", camel(owner), camel(key)));
    let reference = match t.format {
        Format::Yaml => format!("!Ref {name}"),
        Format::Json => format!("{{\"Ref\": \"{name}\"}}"),
    };
    let mut edits = vec![TextEdit { range: node.full_range(), new_text: reference }];
    edits.push(add_parameter(t, &name)?);
    Some(Fix { title: format!("Move the value into a new NoEcho parameter '{name}' (supplied at deploy time)"), edits })
}

/// An edit declaring the NoEcho string parameter `name`, creating `Parameters` when missing.
fn add_parameter(t: &Template, name: &str) -> Option<TextEdit> {
    let tree = &t.tree;
    let yaml_body = |indent: usize| {
        let i = " ".repeat(indent);
        format!("{i}{name}:\n{i}  Type: String\n{i}  NoEcho: true")
    };
    let json_body = format!("\"{name}\": {{\"Type\": \"String\", \"NoEcho\": true}}");
    let section = t.sections.iter().find(|s| s.name == "Parameters");
    match section.and_then(|s| s.value).filter(|&v| tree.mapping(v).is_some()) {
        Some(params) => {
            let m = tree.mapping(params)?;
            match (t.format, m.entries.last()) {
                (Format::Json, Some(last)) => Some(TextEdit {
                    range: TextRange::empty(tree.entry_range(last).end),
                    new_text: format!(", {json_body}"),
                }),
                (Format::Json, None) => {
                    Some(TextEdit { range: TextRange::empty(tree.node(params).range.start + 1), new_text: json_body })
                }
                (Format::Yaml, Some(last)) if !m.flow => {
                    let col = column(&t.text, tree.node(m.entries[0].key).full_range().start);
                    Some(TextEdit {
                        range: TextRange::empty(tree.entry_range(last).end),
                        new_text: format!("\n{}", yaml_body(col)),
                    })
                }
                // A flow mapping or an empty one: not worth guessing the layout.
                _ => None,
            }
        }
        None if section.is_some() => None,
        None => {
            // No Parameters section: declare it just before Resources.
            let resources = t.sections.iter().find(|s| s.name == "Resources")?;
            let at = resources.key_range.start;
            let new_text = match t.format {
                Format::Yaml => format!("Parameters:\n{}\n", yaml_body(2)),
                Format::Json => {
                    format!("\"Parameters\": {{{json_body}}},\n{}", " ".repeat(column(&t.text, at)))
                }
            };
            if t.format == Format::Yaml && column(&t.text, at) != 0 {
                return None;
            }
            Some(TextEdit { range: TextRange::empty(at), new_text })
        }
    }
}

fn column(text: &str, offset: u32) -> usize {
    let before = &text[..offset as usize];
    before.len() - before.rfind('\n').map_or(0, |i| i + 1)
}

/// `DB_PASSWORD` -> `DbPassword`, `MasterUserPassword` stays, `my-db` -> `MyDb`.
fn camel(s: &str) -> String {
    let upper_snake = !s.bytes().any(|c| c.is_ascii_lowercase());
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            let first = cs.next().map(|c| c.to_ascii_uppercase()).into_iter();
            let rest: String = if upper_snake { cs.as_str().to_ascii_lowercase() } else { cs.as_str().to_owned() };
            first.chain(rest.chars()).collect::<String>()
        })
        .collect()
}

/// `base`, or `base2`, `base3`... when a parameter or resource already has that logical id.
fn unique_name(t: &Template, base: &str) -> String {
    let base = if base.is_empty() { "Secret" } else { base };
    let taken = |n: &str| t.parameter(n).is_some() || t.resource(n).is_some();
    if !taken(base) {
        return base.to_owned();
    }
    (2..).map(|i| format!("{base}{i}")).find(|n| !taken(n)).expect("some suffix is free")
}

/// For each node that is a mapping entry's value: (the mapping, the entry's key). The tree has no
/// parent links; this is built once, on the first access key id found.
type Holders = Vec<Option<(NodeId, NodeId)>>;

fn holders(t: &Template) -> Holders {
    let tree = &t.tree;
    let mut out = vec![None; tree.len()];
    for m in tree.ids() {
        if let NodeKind::Mapping(map) = &tree.node(m).kind {
            for e in &map.entries {
                if let Some(v) = e.value {
                    out[v.0 as usize] = Some((m, e.key));
                }
            }
        }
    }
    out
}

/// Secret-key-shaped scalars in `parent` (siblings of `id`) and in the direct children of the
/// entries next to the one holding `parent` (the adjacent parameter's `Default`, say).
fn neighbour_secrets(t: &Template, holders: &Holders, id: NodeId, parent: Option<NodeId>) -> Vec<NodeId> {
    let tree = &t.tree;
    let Some(parent) = parent else { return Vec::new() };
    let mut candidates: Vec<NodeId> = tree.entries(parent).iter().filter_map(|e| e.value).collect();
    if let Some((h, _)) = holders[parent.0 as usize] {
        let entries = tree.entries(h);
        if let Some(i) = entries.iter().position(|e| e.value == Some(parent)) {
            for j in [i.checked_sub(1), Some(i + 1)].into_iter().flatten() {
                if let Some(v) = entries.get(j).and_then(|e| e.value) {
                    candidates.extend(tree.entries(v).iter().filter_map(|e| e.value));
                }
            }
        }
    }
    candidates
        .into_iter()
        .filter(|&c| c != id && matches!(tree.node(c).kind, NodeKind::Scalar(_)))
        .filter(|&c| tree.as_str(c).is_some_and(is_secret_key_shaped))
        .collect()
}

/// Properties and environment variables whose value is a secret.
fn is_secret_property(key: &str) -> bool {
    const PROPERTIES: &[&str] = &["SecretString", "AuthToken", "ClientSecret", "SecretAccessKey", "ApiKeyValue"];
    const VARIABLES: &[&str] = &["PASSWORD", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "API_KEY", "CLIENT_SECRET"];
    key.ends_with("Password")
        || PROPERTIES.contains(&key)
        || VARIABLES.contains(&key)
        || ["_PASSWORD", "_API_KEY", "_CLIENT_SECRET", "_SECRET_KEY"].iter().any(|s| key.ends_with(s))
}

/// Parameter names that say the value is a secret, not names, ARNs or ids of one.
fn is_secret_parameter_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let secretish = ["password", "passwd", "secret", "token", "apikey", "api_key"].iter().any(|w| lower.contains(w));
    let names_a_secret = ["arn", "name", "id", "ids", "path", "length", "table", "url", "uri", "prefix", "type"]
        .iter()
        .any(|s| lower.ends_with(s));
    secretish && !names_a_secret
}

/// A plain YAML scalar CloudFormation reads as a boolean or a number, not a secret.
fn plain_non_string(v: &str) -> bool {
    matches!(v.to_ascii_lowercase().as_str(), "true" | "false" | "yes" | "no" | "null" | "~")
        || v.parse::<f64>().is_ok()
}

/// Byte offset of an access key id in `s` (`AKIA` long-term, `ASIA` temporary, then 16 upper-case
/// letters or digits, not inside a longer word); AWS's documentation placeholders end in `EXAMPLE`.
fn find_access_key_id(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric();
    (0..b.len().saturating_sub(19)).find(|&i| {
        let cand = &b[i..i + 20];
        (cand.starts_with(b"AKIA") || cand.starts_with(b"ASIA"))
            && cand[4..].iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            && !cand.ends_with(b"EXAMPLE")
            && (i == 0 || !word(b[i - 1]))
            && b.get(i + 20).is_none_or(|&c| !word(c))
    })
}

/// 40 characters of the secret access key alphabet with a letter and a digit.
fn is_secret_key_shaped(s: &str) -> bool {
    s.len() == 40
        && s.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'/' | b'+' | b'='))
        && s.bytes().any(|c| c.is_ascii_alphabetic())
        && s.bytes().any(|c| c.is_ascii_digit())
        && !s.ends_with("EXAMPLEKEY")
}

#[cfg(test)]
mod tests {
    use samwise_data::CfnData;
    use samwise_syntax::Format;

    use crate::diagnostics::fixture::check_fixture;
    use crate::diagnostics::{CheckContext, check};
    use crate::model::Template;

    #[test]
    fn valid_credentials() {
        check_fixture(
            r#"
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  DbPassword: { Type: String, NoEcho: true }
  ApiToken:
    Type: String
    NoEcho: "true"
  SecretArn: { Type: String }
  TokenTableName: { Type: String, Default: tokens }
  DbPasswordParam: { Type: "AWS::SSM::Parameter::Value<String>", Default: /app/db }
  Example: { Type: String, Default: AKIAIOSFODNN7EXAMPLE }
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      MasterUsername: admin
      MasterUserPassword: !Ref DbPassword
  Cluster:
    Type: AWS::RDS::DBCluster
    Properties:
      MasterUserPassword: '{{resolve:secretsmanager:prod/db:SecretString:password}}'
  Secret:
    Type: AWS::SecretsManager::Secret
    Properties:
      GenerateSecretString:
        SecretStringTemplate: '{"username": "admin"}'
        PasswordLength: 30
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "def handler(e, c): pass"
      Environment:
        Variables:
          DB_PASSWORD: !Sub "{{resolve:ssm-secure:/app/${AWS::StackName}/db}}"
          SECRET_NAME: prod/db
          API_KEY: ""
          TABLE: !Ref Db
  Pool:
    Type: AWS::Cognito::UserPool
    Properties:
      Policies:
        PasswordPolicy:
          MinimumLength: 12
      AdminCreateUserConfig:
        AllowAdminCreateUserOnly: true
"#,
            "SW71",
        );
    }

    #[test]
    fn invalid_credentials() {
        check_fixture(
            r#"
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  KeyId: { Type: String, Default: AKIAZ7Q3R5T7V9X1B3D5 }
#                                 ^^^^^^^^^^^^^^^^^^^^ warning SW7101: hard-coded AWS access key id (AKIA…): give the code a role instead, or use a dynamic reference ({{resolve:secretsmanager:...}} or {{resolve:ssm-secure:...}}) or a NoEcho parameter
  SecretKey: { Type: String, Default: q8Hf3kL0pZ/x+T2mN9vB4cR7sW1yE6uJ0aD5gK3h }
#                                     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning SW7102: hard-coded AWS secret access key (next to an access key id): use a dynamic reference ({{resolve:secretsmanager:...}} or {{resolve:ssm-secure:...}}) or a NoEcho parameter
# ^^^^^^^^^ warning SW7104: parameter 'SecretKey' looks like a secret but has no NoEcho: true, so its value shows in the console and in describe-stacks output
  DbPassword: { Type: String, NoEcho: false }
# ^^^^^^^^^^ warning SW7104: parameter 'DbPassword' looks like a secret but has no NoEcho: true, so its value shows in the console and in describe-stacks output
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      MasterUserPassword: hunter2hunter2
#                         ^^^^^^^^^^^^^^ warning SW7103: plaintext secret in 'MasterUserPassword': use a dynamic reference ({{resolve:secretsmanager:...}} or {{resolve:ssm-secure:...}}) or a NoEcho parameter
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "def handler(e, c): pass"
      Environment:
        Variables:
          AWS_ACCESS_KEY_ID: ASIAZ7Q3R5T7V9X1B3D6
#                            ^^^^^^^^^^^^^^^^^^^^ warning SW7101: hard-coded AWS access key id (ASIA…): give the code a role instead, or use a dynamic reference ({{resolve:secretsmanager:...}} or {{resolve:ssm-secure:...}}) or a NoEcho parameter
          AWS_SECRET_ACCESS_KEY: "Zq8Hf3kL0pZ/x+T2mN9vB4cR7sW1yE6uJ0aD5gK3"
#                                ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning SW7102: hard-coded AWS secret access key (next to an access key id): use a dynamic reference ({{resolve:secretsmanager:...}} or {{resolve:ssm-secure:...}}) or a NoEcho parameter
          DB_PASSWORD: 'p@ss'
#                      ^^^^^^ warning SW7103: plaintext secret in 'DB_PASSWORD': use a dynamic reference ({{resolve:secretsmanager:...}} or {{resolve:ssm-secure:...}}) or a NoEcho parameter
  Cache:
    Type: AWS::ElastiCache::ReplicationGroup
    Properties:
      AuthToken: averylongauthtoken123
#                ^^^^^^^^^^^^^^^^^^^^^ warning SW7103: plaintext secret in 'AuthToken': use a dynamic reference ({{resolve:secretsmanager:...}} or {{resolve:ssm-secure:...}}) or a NoEcho parameter
      Description: !Sub "key AKIAZ7Q3R5T7V9X1B3D7 in a Sub"
#                       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning SW7101: hard-coded AWS access key id (AKIA…): give the code a role instead, or use a dynamic reference ({{resolve:secretsmanager:...}} or {{resolve:ssm-secure:...}}) or a NoEcho parameter
"#,
            "SW71",
        );
    }

    #[test]
    fn invalid_credentials_json() {
        check_fixture(
            r#"{
  "Resources": {
    "Secret": {
      "Type": "AWS::SecretsManager::Secret",
      "Properties": { "SecretString": "{\"password\": \"x\"}" }
#                                     ^^^^^^^^^^^^^^^^^^^^^^^ warning SW7103: plaintext secret in 'SecretString': use a dynamic reference ({{resolve:secretsmanager:...}} or {{resolve:ssm-secure:...}}) or a NoEcho parameter
    }
  }
}
"#,
            "SW71",
        );
    }

    /// The template after applying the first fix of the first finding with `code`, and the SW71xx
    /// findings left on it (the fix must not trade one finding for another).
    fn fixed(text: &str, code: &str) -> String {
        let ctx = CheckContext { data: CfnData::embedded(), path: None };
        let t = Template::parse(text, Format::detect(None, text));
        let diags = check(&t, &ctx);
        let d = diags.iter().find(|d| d.code == code).expect("a finding with that code");
        let mut edits = d.fixes.first().expect("a fix").edits.clone();
        edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
        let mut out = text.to_owned();
        for e in edits {
            out.replace_range(e.range.as_range(), &e.new_text);
        }
        let t2 = Template::parse(&out, Format::detect(None, &out));
        let left: Vec<String> = check(&t2, &ctx)
            .into_iter()
            .filter(|d| d.code.starts_with("SW71") || d.severity == samwise_syntax::Severity::Error)
            .map(|d| format!("{} {}", d.code, d.message))
            .collect();
        format!("{out}--- left: {left:?}")
    }

    #[test]
    fn fixes_yaml() {
        let no_params = "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: mysql\n      DBInstanceClass: db.t3.micro\n      MasterUsername: admin\n      MasterUserPassword: hunter2hunter2\n";
        expect_test::expect![[r#"
            AWSTemplateFormatVersion: "2010-09-09"
            Parameters:
              DbMasterUserPassword:
                Type: String
                NoEcho: true
            Resources:
              Db:
                Type: AWS::RDS::DBInstance
                Properties:
                  Engine: mysql
                  DBInstanceClass: db.t3.micro
                  MasterUsername: admin
                  MasterUserPassword: !Ref DbMasterUserPassword
            --- left: []"#]]
        .assert_eq(&fixed(no_params, "SW7103"));
        let with_params = "Transform: AWS::Serverless-2016-10-31\nParameters:\n    Stage:\n        Type: String\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      InlineCode: x\n      Environment:\n        Variables:\n          DB_PASSWORD: 'p@ss'\n";
        expect_test::expect![[r#"
            Transform: AWS::Serverless-2016-10-31
            Parameters:
                Stage:
                    Type: String
                FnDbPassword:
                  Type: String
                  NoEcho: true
            Resources:
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  Runtime: python3.12
                  Handler: app.handler
                  InlineCode: x
                  Environment:
                    Variables:
                      DB_PASSWORD: !Ref FnDbPassword
            --- left: []"#]]
        .assert_eq(&fixed(with_params, "SW7103"));
        let no_echo = "Parameters:\n  ApiToken:\n    Type: String\n  Other: { Type: String }\n  DbPassword: { Type: String }\nResources:\n  B:\n    Type: AWS::S3::Bucket\n";
        expect_test::expect![[r#"
            Parameters:
              ApiToken:
                Type: String
                NoEcho: true
              Other: { Type: String }
              DbPassword: { Type: String }
            Resources:
              B:
                Type: AWS::S3::Bucket
            --- left: ["SW7104 parameter 'DbPassword' looks like a secret but has no NoEcho: true, so its value shows in the console and in describe-stacks output"]"#]].assert_eq(&fixed(no_echo, "SW7104"));
    }

    #[test]
    fn fix_turns_no_echo_false_into_true() {
        let text =
            "Parameters:\n  DbPassword: { Type: String, NoEcho: false }\nResources:\n  B:\n    Type: AWS::S3::Bucket\n";
        expect_test::expect![[r#"
            Parameters:
              DbPassword: { Type: String, NoEcho: true }
            Resources:
              B:
                Type: AWS::S3::Bucket
            --- left: []"#]]
        .assert_eq(&fixed(text, "SW7104"));
    }

    #[test]
    fn fixes_json() {
        let no_params = "{\n  \"Resources\": {\n    \"Fn\": {\n      \"Type\": \"AWS::Lambda::Function\",\n      \"Properties\": {\n        \"Runtime\": \"python3.12\",\n        \"Handler\": \"app.handler\",\n        \"Role\": \"arn:aws:iam::123456789012:role/r\",\n        \"Code\": { \"ZipFile\": \"x\" },\n        \"Environment\": { \"Variables\": { \"AWS_ACCESS_KEY_ID\": \"AKIAZ7Q3R5T7V9X1B3D5\" } }\n      }\n    }\n  }\n}\n";
        expect_test::expect![[r#"
            {
              "Parameters": {"FnAwsAccessKeyId": {"Type": "String", "NoEcho": true}},
              "Resources": {
                "Fn": {
                  "Type": "AWS::Lambda::Function",
                  "Properties": {
                    "Runtime": "python3.12",
                    "Handler": "app.handler",
                    "Role": "arn:aws:iam::123456789012:role/r",
                    "Code": { "ZipFile": "x" },
                    "Environment": { "Variables": { "AWS_ACCESS_KEY_ID": {"Ref": "FnAwsAccessKeyId"} } }
                  }
                }
              }
            }
            --- left: []"#]]
        .assert_eq(&fixed(no_params, "SW7101"));
        let with_params = "{\"Parameters\": {\"Stage\": {\"Type\": \"String\"}, \"ApiKey\": {\"Type\": \"String\"}},\n \"Resources\": {\"S\": {\"Type\": \"AWS::SecretsManager::Secret\", \"Properties\": {\"SecretString\": \"s3cr3t\"}}}}\n";
        expect_test::expect![[r#"
            {"Parameters": {"Stage": {"Type": "String"}, "ApiKey": {"Type": "String"}, "SSecretString": {"Type": "String", "NoEcho": true}},
             "Resources": {"S": {"Type": "AWS::SecretsManager::Secret", "Properties": {"SecretString": {"Ref": "SSecretString"}}}}}
            --- left: ["SW7104 parameter 'ApiKey' looks like a secret but has no NoEcho: true, so its value shows in the console and in describe-stacks output"]"#]].assert_eq(&fixed(with_params, "SW7103"));
        expect_test::expect![[r#"
            {"Parameters": {"Stage": {"Type": "String"}, "ApiKey": {"Type": "String", "NoEcho": true}},
             "Resources": {"S": {"Type": "AWS::SecretsManager::Secret", "Properties": {"SecretString": "s3cr3t"}}}}
            --- left: ["SW7103 plaintext secret in 'SecretString': use a dynamic reference ({{resolve:secretsmanager:...}} or {{resolve:ssm-secure:...}}) or a NoEcho parameter"]"#]].assert_eq(&fixed(with_params, "SW7104"));
    }

    /// Many findings in one template: each is reported once, at its own value (the neighbour
    /// lookup is built once, so this stays linear).
    #[test]
    fn many_keys() {
        let mut text = String::from("Resources:\n");
        for i in 0..2000 {
            text.push_str(&format!(
                "  Fn{i}:\n    Type: AWS::Lambda::Function\n    Properties:\n      Environment:\n        Variables:\n          \
                 AWS_ACCESS_KEY_ID: AKIAZ7Q3R5T7V9X{i:05}\n          AWS_SECRET_ACCESS_KEY: q8Hf3kL0pZ/x+T2mN9vB4cR7sW1yE6uJ0a{i:05}h\n"
            ));
        }
        let ctx = CheckContext { data: CfnData::embedded(), path: None };
        let t = Template::parse(&text, Format::Yaml);
        let diags = check(&t, &ctx);
        let count = |code: &str| diags.iter().filter(|d| d.code == code).count();
        assert_eq!((count("SW7101"), count("SW7102"), count("SW7103")), (2000, 2000, 0));
    }
}
