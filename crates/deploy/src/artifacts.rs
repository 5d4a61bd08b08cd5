//! Finding the local artifacts a template names (code folders, definition files, nested templates)
//! and rewriting the template text to their S3 locations with edits at the value ranges only, so
//! comments, ordering and formatting survive.

use samwise_syntax::{Format, NodeId, NodeKind, ScalarStyle, TextRange};
use samwise_template::Template;

/// How an artifact is uploaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArtifactKind {
    /// Code: a folder (or a file that is not already an archive) is zipped.
    Zip,
    /// Definitions and nested templates: the file is uploaded as it is.
    File,
}

/// How the S3 location is written back into the template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RewriteForm {
    /// `s3://bucket/key` (SAM's CodeUri, ContentUri, DefinitionUri).
    S3Uri,
    /// `{S3Bucket: bucket, S3Key: key}` (AWS::Lambda::Function Code, AWS::Lambda::LayerVersion Content).
    BucketKey,
    /// `https://s3.<region>.amazonaws.com/bucket/key` (nested stack TemplateURL, application Location).
    HttpsUrl,
}

/// A template property whose value is a local path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// The resource's logical id.
    pub resource: String,
    pub resource_type: String,
    pub property: &'static str,
    /// The path as written in the template (relative to the template's folder).
    pub value: String,
    /// The value node's range in the template text (quotes included).
    pub range: TextRange,
    /// The value's quoting, kept when the value is rewritten.
    pub style: ScalarStyle,
    pub kind: ArtifactKind,
    pub form: RewriteForm,
}

/// Resource types and the property of each that may hold a local path.
const ARTIFACT_PROPERTIES: &[(&str, &str, ArtifactKind, RewriteForm)] = &[
    ("AWS::Serverless::Function", "CodeUri", ArtifactKind::Zip, RewriteForm::S3Uri),
    ("AWS::Serverless::LayerVersion", "ContentUri", ArtifactKind::Zip, RewriteForm::S3Uri),
    ("AWS::Serverless::Api", "DefinitionUri", ArtifactKind::File, RewriteForm::S3Uri),
    ("AWS::Serverless::HttpApi", "DefinitionUri", ArtifactKind::File, RewriteForm::S3Uri),
    ("AWS::Serverless::StateMachine", "DefinitionUri", ArtifactKind::File, RewriteForm::S3Uri),
    ("AWS::Lambda::Function", "Code", ArtifactKind::Zip, RewriteForm::BucketKey),
    ("AWS::Lambda::LayerVersion", "Content", ArtifactKind::Zip, RewriteForm::BucketKey),
    ("AWS::Serverless::Application", "Location", ArtifactKind::File, RewriteForm::HttpsUrl),
    ("AWS::CloudFormation::Stack", "TemplateURL", ArtifactKind::File, RewriteForm::HttpsUrl),
];

/// Whether a string value names something already remote rather than a local path.
fn is_remote(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    lower.starts_with("s3://") || lower.starts_with("https://") || lower.starts_with("http://")
}

/// The local path in a value node: a plain (untagged, non-alias) string scalar that is not a URL.
/// Intrinsics (`!Sub`, `{"Fn::Sub": ...}`), mappings (`{Bucket, Key}`) and aliases are not local.
fn local_path(template: &Template, id: NodeId) -> Option<(String, ScalarStyle)> {
    let node = template.tree.node(id);
    if node.tag.is_some() {
        return None;
    }
    let NodeKind::Scalar(s) = &node.kind else { return None };
    if s.is_null() || s.value.trim().is_empty() || is_remote(&s.value) {
        return None;
    }
    Some((s.value.clone(), s.style))
}

/// Every local artifact property in the template, in resource order.
pub fn find_artifacts(template: &Template) -> Vec<Artifact> {
    let tree = &template.tree;
    let mut out = Vec::new();
    for resource in &template.resources {
        let (Some(type_name), Some(props)) = (resource.type_name.as_deref(), resource.properties) else {
            continue;
        };
        // Image functions have no code to upload: their code is the ECR image.
        let is_image = tree.get_value(props, "PackageType").and_then(|p| tree.as_str(p)) == Some("Image");
        for &(ty, property, kind, form) in ARTIFACT_PROPERTIES {
            if ty != type_name || is_image {
                continue;
            }
            let Some(value) = tree.get_value(props, property) else { continue };
            let Some((path, style)) = local_path(template, value) else { continue };
            out.push(Artifact {
                resource: resource.name.clone(),
                resource_type: type_name.to_owned(),
                property,
                value: path,
                range: tree.node(value).range,
                style,
                kind,
                form,
            });
        }
    }
    out
}

/// `overrides` without the values of the template's `NoEcho: true` parameters, for writing to
/// samconfig.toml: those values are secrets, and the file is usually committed. A later deploy
/// without them keeps the stack's previous value (UsePreviousValue). `None` when nothing is left.
pub fn without_no_echo(overrides: Option<Vec<(String, String)>>, template_text: &str) -> Option<Vec<(String, String)>> {
    let template = Template::parse(template_text, Format::detect(None, template_text));
    let tree = &template.tree;
    let secret = |name: &str| {
        template
            .parameter(name)
            .and_then(|p| p.value)
            .and_then(|v| tree.get_value(v, "NoEcho"))
            .is_some_and(|n| tree.as_str(n).is_some_and(|s| s.eq_ignore_ascii_case("true")))
    };
    overrides.map(|o| o.into_iter().filter(|(k, _)| !secret(k)).collect::<Vec<_>>()).filter(|o| !o.is_empty())
}

/// Where an artifact was (or will be) uploaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Location {
    pub bucket: String,
    pub key: String,
}

/// Returns the template text with each artifact's value replaced by its S3 location; nothing else
/// in the text changes. `region` builds the https URLs of nested templates (the global S3 endpoint
/// when it is not known).
pub fn rewrite_template(template: &Template, replacements: &[(Artifact, S3Location)], region: Option<&str>) -> String {
    let endpoint = match region {
        Some(r) => format!("s3.{r}.amazonaws.com"),
        None => "s3.amazonaws.com".to_owned(),
    };
    let text: &str = &template.text;
    let mut edits: Vec<(TextRange, String)> = replacements
        .iter()
        .map(|(a, loc)| {
            let string = |s: &str| render_string(template.format, a.style, s);
            let new = match a.form {
                RewriteForm::S3Uri => string(&format!("s3://{}/{}", loc.bucket, loc.key)),
                RewriteForm::HttpsUrl => string(&format!("https://{endpoint}/{}/{}", loc.bucket, loc.key)),
                RewriteForm::BucketKey => {
                    let key_str = |k: &str| render_string(template.format, ScalarStyle::Plain, k);
                    format!(
                        "{{{}: {}, {}: {}}}",
                        key_str("S3Bucket"),
                        string(&loc.bucket),
                        key_str("S3Key"),
                        string(&loc.key)
                    )
                }
            };
            (a.range, new)
        })
        .collect();
    // Applied back to front so earlier ranges stay valid.
    edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    let mut out = text.to_owned();
    for (range, new) in edits {
        out.replace_range(range.as_range(), &new);
    }
    out
}

/// A string in the template's syntax: JSON strings are always quoted; YAML keeps the original
/// quoting, and a plain scalar stays plain when the value cannot be misread.
fn render_string(format: Format, style: ScalarStyle, value: &str) -> String {
    let json = || {
        let mut s = String::from("\"");
        for c in value.chars() {
            match c {
                '"' => s.push_str("\\\""),
                '\\' => s.push_str("\\\\"),
                c if (c as u32) < 0x20 => s.push_str(&format!("\\u{:04x}", c as u32)),
                c => s.push(c),
            }
        }
        s.push('"');
        s
    };
    if format == Format::Json {
        return json();
    }
    let plain_safe = !value.is_empty()
        && value.chars().all(|c| c.is_ascii_alphanumeric() || "/._-:=+".contains(c))
        && !value.contains(": ")
        && value.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    match style {
        ScalarStyle::DoubleQuoted => json(),
        ScalarStyle::Plain if plain_safe => value.to_owned(),
        _ => format!("'{}'", value.replace('\'', "''")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str, format: Format) -> Vec<String> {
        let t = Template::parse(text, format);
        find_artifacts(&t)
            .iter()
            .map(|a| format!("{} {} {} {:?}", a.resource, a.property, a.value, &text[a.range.as_range()]))
            .collect()
    }

    #[test]
    fn finds_local_paths_only() {
        let text = "Resources:
  A:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/a
  B:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://bucket/key.zip
  C:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: !Sub '${Dir}/c'
  D:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: {Bucket: b, Key: k}
  E:
    Type: AWS::Lambda::Function
    Properties:
      Code: 'lambda/e'
  F:
    Type: AWS::Serverless::Api
    Properties:
      DefinitionUri: \"api.yaml\"
  G:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://example.com/t.yaml
  H:
    Type: AWS::Serverless::Application
    Properties:
      Location: nested/app.yaml
  I:
    Type: AWS::Serverless::Function
    Properties:
      PackageType: Image
      CodeUri: ignored
";
        assert_eq!(
            found(text, Format::Yaml),
            [
                "A CodeUri src/a \"src/a\"",
                "E Code lambda/e \"'lambda/e'\"",
                "F DefinitionUri api.yaml \"\\\"api.yaml\\\"\"",
                "H Location nested/app.yaml \"nested/app.yaml\"",
            ]
        );
    }

    #[test]
    fn json_templates() {
        let text = r#"{"Resources": {"F": {"Type": "AWS::Lambda::Function", "Properties": {"Code": "src"}},
 "G": {"Type": "AWS::Lambda::Function", "Properties": {"Code": {"Fn::Sub": "x"}}}}}"#;
        assert_eq!(found(text, Format::Json), ["F Code src \"\\\"src\\\"\""]);
    }

    #[test]
    fn rewrite_json_code_mapping() {
        let text = r#"{"Resources": {"F": {"Type": "AWS::Lambda::Function", "Properties": {"Code": "src"}}}}"#;
        let t = Template::parse(text, Format::Json);
        let a = find_artifacts(&t).remove(0);
        let loc = S3Location { bucket: "b".into(), key: "p/h.zip".into() };
        assert_eq!(
            rewrite_template(&t, &[(a, loc)], Some("eu-west-1")),
            r#"{"Resources": {"F": {"Type": "AWS::Lambda::Function", "Properties": {"Code": {"S3Bucket": "b", "S3Key": "p/h.zip"}}}}}"#
        );
    }

    #[test]
    fn yaml_strings() {
        assert_eq!(render_string(Format::Yaml, ScalarStyle::Plain, "s3://b/k.zip"), "s3://b/k.zip");
        assert_eq!(render_string(Format::Yaml, ScalarStyle::Plain, "a b#c"), "'a b#c'");
        assert_eq!(render_string(Format::Yaml, ScalarStyle::SingleQuoted, "it's"), "'it''s'");
        assert_eq!(render_string(Format::Yaml, ScalarStyle::DoubleQuoted, "a\"b"), "\"a\\\"b\"");
    }

    #[test]
    fn every_artifact_property_is_checked_by_sw4010() {
        let ours: Vec<(&str, &str)> = ARTIFACT_PROPERTIES.iter().map(|&(t, p, _, _)| (t, p)).collect();
        assert_eq!(ours, samwise_template::local_path::LOCAL_PATH_PROPERTIES);
    }

    #[test]
    fn no_echo_values_are_not_kept() {
        let yaml = "Parameters:\n  Pw: {Type: String, NoEcho: true}\n  Quoted: {Type: String, NoEcho: 'true'}\n  \
                    Off: {Type: String, NoEcho: false}\n  Stage: {Type: String}\nResources: {}\n";
        let pairs = |names: &[&str]| Some(names.iter().map(|n| (n.to_string(), "v".to_owned())).collect::<Vec<_>>());
        assert_eq!(
            without_no_echo(pairs(&["Pw", "Quoted", "Off", "Stage", "Unknown"]), yaml),
            pairs(&["Off", "Stage", "Unknown"])
        );
        assert_eq!(without_no_echo(pairs(&["Pw"]), yaml), None);
        assert_eq!(without_no_echo(None, yaml), None);
        let json = r#"{"Parameters": {"Pw": {"Type": "String", "NoEcho": true}}, "Resources": {}}"#;
        assert_eq!(without_no_echo(pairs(&["Pw", "Stage"]), json), pairs(&["Stage"]));
    }
}
