//! Function resolution from a SAM template: the template's Lambda functions (as `samwise-template`
//! lists them, SAM `Globals` applied) turned into runnable [`FunctionConfig`]s, with `Ref`, `Sub`,
//! `GetAtt` and `Join` in property and environment values replaced by local stand-ins.
//!
//! Stand-ins, as `sam local` uses them: parameters take their override, else their `Default`;
//! pseudo parameters get fixed local values ([`pseudo_parameter`]); a `Ref` to a resource and a
//! `GetAtt` on it give the resource's logical id.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use samwise_syntax::Format;
use samwise_template::local_path::{LocalPath, resolve_in_project};
use samwise_template::{FunctionDef, Template, Value};

use crate::config::FunctionConfig;

/// A function found in the template, ready to run, with what could not be resolved.
#[derive(Debug, Clone)]
pub struct TemplateFunction {
    pub logical_id: String,
    pub config: FunctionConfig,
    /// Things the user should know (an unresolvable intrinsic, a remote layer that is skipped).
    pub warnings: Vec<String>,
}

/// A function that cannot run locally, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unrunnable {
    pub logical_id: String,
    pub reason: String,
}

/// The template's functions, in template order.
#[derive(Debug, Clone, Default)]
pub struct Functions {
    pub runnable: Vec<TemplateFunction>,
    pub unrunnable: Vec<Unrunnable>,
}

impl Functions {
    /// All logical ids, runnable or not, in template order.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.runnable.iter().map(|f| f.logical_id.as_str()).collect();
        names.extend(self.unrunnable.iter().map(|f| f.logical_id.as_str()));
        names
    }
}

/// Reads the functions of the template at `path` (`text` is its content). `overrides` are
/// `--parameter-overrides`; `region` stands in for `AWS::Region`.
pub fn functions(
    path: &Path,
    text: &str,
    overrides: &BTreeMap<String, String>,
    region: &str,
) -> Result<Functions, String> {
    let template = Template::parse(text, Format::detect(Some(path), text));
    let tree = &template.tree;
    let Some(root) = tree.root().filter(|r| tree.mapping(*r).is_some()) else {
        return Err(format!("{}: not a template (expected a mapping with Resources)", path.display()));
    };
    if tree.get_value(root, "Resources").is_none_or(|r| tree.mapping(r).is_none()) {
        return Err(format!("{}: the template has no Resources section", path.display()));
    }
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let cx = Context { template: &template, overrides, region, base: &base };
    let mut out = Functions::default();
    for def in template.functions() {
        match cx.function(&def) {
            Ok(config) => out.runnable.push(config),
            Err(reason) => out.unrunnable.push(Unrunnable { logical_id: def.logical_id.clone(), reason }),
        }
    }
    Ok(out)
}

/// Local values for CloudFormation's pseudo parameters (the ones `sam local` uses).
pub fn pseudo_parameter(name: &str, region: &str) -> Option<String> {
    Some(match name {
        "AWS::Region" => region.to_owned(),
        "AWS::AccountId" => "123456789012".to_owned(),
        "AWS::Partition" => "aws".to_owned(),
        "AWS::StackName" => "local".to_owned(),
        "AWS::StackId" => {
            format!("arn:aws:cloudformation:{region}:123456789012:stack/local/51af3dc0-da77-11e4-872e-1234567db123")
        }
        "AWS::URLSuffix" => "amazonaws.com".to_owned(),
        "AWS::NotificationARNs" => String::new(),
        _ => return None,
    })
}

struct Context<'a> {
    template: &'a Template,
    overrides: &'a BTreeMap<String, String>,
    region: &'a str,
    base: &'a Path,
}

impl Context<'_> {
    fn function(&self, def: &FunctionDef) -> Result<TemplateFunction, String> {
        let id = def.logical_id.as_str();
        let mut warnings = Vec::new();
        let mut text = |name: &str, value: Option<&Value>| -> Option<String> {
            match self.resolve(value?) {
                Ok(v) => v,
                Err(e) => {
                    warnings.push(format!("{id}.{name}: {e}"));
                    None
                }
            }
        };
        if text("PackageType", def.package_type.as_ref()).as_deref() == Some("Image") {
            return Err(
                "PackageType Image functions run in containers; local invocation without Docker runs zip functions"
                    .into(),
            );
        }
        if def.inline_code.is_some() {
            return Err(
                "inline code is not supported by local invocation; move the code to a file and use CodeUri".into()
            );
        }
        let code_dir = match &def.code_uri {
            None if def.resource_type == "AWS::Serverless::Function" => self.base.to_path_buf(),
            None | Some(Value::Map(_)) => {
                return Err("the code is in S3; local invocation needs a local directory (CodeUri)".into());
            }
            Some(value) => match self.resolve(value) {
                Ok(Some(uri)) if uri.starts_with("s3://") => {
                    return Err(format!("CodeUri {uri} is in S3; local invocation needs a local directory"));
                }
                Ok(Some(uri)) => self.inside_project("CodeUri", &uri)?,
                _ => return Err("CodeUri must be a local path".into()),
            },
        };
        let handler = text("Handler", def.handler.as_ref()).ok_or("Handler is missing")?;
        let runtime = text("Runtime", def.runtime.as_ref()).ok_or("Runtime is missing")?;

        let mut config = FunctionConfig::new(id, code_dir, &handler, &runtime);
        config.region = self.region.to_owned();
        if let Some(t) = text("Timeout", def.timeout.as_ref()) {
            let secs: f64 = t.parse().map_err(|_| format!("Timeout `{t}` is not a number of seconds"))?;
            config.timeout = Duration::from_secs_f64(secs.max(0.0));
        }
        if let Some(m) = text("MemorySize", def.memory_size.as_ref()) {
            config.memory_mb = m.parse().map_err(|_| format!("MemorySize `{m}` is not a number of MB"))?;
        }
        if !def.architectures.is_empty() {
            config.architectures = def.architectures.iter().filter_map(|a| self.resolve(a).ok().flatten()).collect();
        }
        for (key, value) in &def.environment {
            match self.resolve(value) {
                Ok(Some(v)) => {
                    config.env.insert(key.clone(), v);
                }
                Ok(None) => {}
                Err(e) => warnings.push(format!("{id}: environment variable {key}: {e}; it is left unset")),
            }
        }
        for layer in &def.layers {
            match self.layer_dir(layer) {
                Ok(Ok(dir)) => config.layers.push(dir),
                Ok(Err(e)) => warnings.push(format!("{id}: {e}")),
                // Running without the layer would fail in confusing ways; refuse the function instead.
                Err(escape) => return Err(escape),
            }
        }
        Ok(TemplateFunction { logical_id: id.to_owned(), config, warnings })
    }

    /// The local directory of a layer given as `!Ref LayerResource` with a local ContentUri: the
    /// outer error refuses the function (a path leaving the project), the inner one skips the layer.
    fn layer_dir(&self, layer: &Value) -> Result<Result<PathBuf, String>, String> {
        let Value::Ref(target) = layer else {
            let shown = self.resolve(layer).ok().flatten().unwrap_or_default();
            return Ok(Err(format!("layer {shown} is not defined in this template and is skipped locally")));
        };
        let tree = &self.template.tree;
        let Some(resource) = self.template.resource(target) else {
            return Ok(Err(format!("layer {target} is not a resource")));
        };
        let content = resource
            .properties
            .and_then(|p| tree.get_value(p, "ContentUri").or_else(|| tree.get_value(p, "Content")))
            .and_then(|c| self.resolve(&self.template.value(c)).ok().flatten())
            .filter(|c| !c.starts_with("s3://"));
        match content {
            Some(content) => self.inside_project(&format!("layer {target} ContentUri"), &content).map(Ok),
            None => Ok(Err(format!("layer {target} has no local ContentUri and is skipped locally"))),
        }
    }

    /// A local path from the template, refused when it leads outside the project (the template's
    /// folder; see `samwise_template::local_path`), as deploy refuses to package it.
    fn inside_project(&self, what: &str, value: &str) -> Result<PathBuf, String> {
        match resolve_in_project(self.base, value) {
            LocalPath::Outside { through_link } => Err(format!(
                "{what} '{value}' leads outside the template's folder{}; local invocation runs code from inside \
                 it only: move the code under the folder that holds the template",
                if through_link { " through a symbolic link" } else { "" }
            )),
            // Missing paths keep their lexical spelling; the invoke reports them when it starts.
            LocalPath::Inside(_) | LocalPath::Missing(_) => Ok(self.base.join(value)),
        }
    }

    /// The text of a value with intrinsics replaced by stand-ins; `Ok(None)` for `AWS::NoValue`.
    fn resolve(&self, value: &Value) -> Result<Option<String>, String> {
        match value {
            Value::String(s) => Ok(Some(s.clone())),
            Value::Null => Ok(Some(String::new())),
            Value::Ref(name) if name == "AWS::NoValue" => Ok(None),
            Value::Ref(name) => self.name_value(name).map(Some),
            Value::GetAtt(resource, _) => match self.template.resource(resource) {
                Some(_) => Ok(Some(resource.clone())),
                None => Err(format!("GetAtt on unknown resource {resource}")),
            },
            Value::Sub(template, vars) => self.substitute(template, vars).map(Some),
            Value::Join(delimiter, parts) => {
                let mut out = Vec::new();
                for part in parts {
                    out.extend(self.resolve(part)?);
                }
                Ok(Some(out.join(delimiter)))
            }
            Value::List(_) | Value::Map(_) => Err("expected a text value".into()),
            Value::Other(name) => Err(format!("the intrinsic function {name} has no local stand-in")),
        }
    }

    /// A parameter's override or default, a pseudo parameter's local value, or a resource's logical id.
    fn name_value(&self, name: &str) -> Result<String, String> {
        let tree = &self.template.tree;
        if let Some(v) = self.overrides.get(name) {
            return Ok(v.clone());
        }
        if let Some(v) = pseudo_parameter(name, self.region) {
            return Ok(v);
        }
        if let Some(param) = self.template.parameter(name) {
            let default = param.value.and_then(|p| tree.get_value(p, "Default")).and_then(|d| tree.as_str(d));
            return match default {
                Some(d) => Ok(d.to_owned()),
                None => Err(format!("parameter {name} has no Default; pass --parameter-overrides {name}=VALUE")),
            };
        }
        if self.template.resource(name).is_some() {
            return Ok(name.to_owned());
        }
        Err(format!("{name} is neither a parameter nor a resource of this template"))
    }

    fn substitute(&self, template: &str, vars: &[(String, Value)]) -> Result<String, String> {
        let mut out = String::new();
        let mut rest = template;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after.find('}').ok_or_else(|| format!("unclosed ${{ in Sub string `{template}`"))?;
            let name = after[..end].trim();
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            } else if let Some((_, v)) = vars.iter().find(|(k, _)| k == name) {
                out.push_str(&self.resolve(v)?.unwrap_or_default());
            } else if let Some((resource, _attr)) = name.split_once('.').filter(|_| !name.starts_with("AWS::")) {
                if self.template.resource(resource).is_none() {
                    return Err(format!("Sub refers to unknown resource {resource}"));
                }
                out.push_str(resource);
            } else {
                out.push_str(&self.name_value(name)?);
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = r#"
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
    Default: dev
  Secret:
    Type: String
Globals:
  Function:
    Runtime: python3.12
    Timeout: 10
    MemorySize: 256
    Environment:
      Variables:
        STAGE: !Ref Stage
        SHARED: from-globals
    Layers:
      - !Ref Common
Resources:
  Bucket:
    Type: AWS::S3::Bucket
  Common:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layers/common
  First:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Timeout: 5
      Architectures: [arm64]
      Layers:
        - arn:aws:lambda:us-east-1:123456789012:layer:remote:1
      Environment:
        Variables:
          BUCKET: !Ref Bucket
          BUCKET_ARN: !GetAtt Bucket.Arn
          URL: !Sub "https://${Bucket}.s3.${AWS::Region}.${AWS::URLSuffix}/${Stage}/${!Literal}"
          JOINED: !Join ["-", [a, !Ref Stage, {"Ref": "AWS::AccountId"}]]
          SHARED: own
          GONE: !Ref AWS::NoValue
          SECRET: !Ref Secret
          ODD: !Select [0, [x]]
  Second:
    Type: AWS::Serverless::Function
    Properties:
      Handler: other.handler
      Runtime: nodejs20.x
  Remote:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://bucket/key.zip
      Handler: a.b
"#;

    #[test]
    fn resolves_functions_with_globals_and_stand_ins() {
        let overrides = BTreeMap::from([("Stage".to_owned(), "prod".to_owned())]);
        let fns = functions(Path::new("/proj/template.yaml"), TEMPLATE, &overrides, "eu-west-1").unwrap();
        assert_eq!(fns.names(), ["First", "Second", "Remote"]);
        assert!(fns.unrunnable[0].reason.contains("S3"), "{:?}", fns.unrunnable);

        let first = &fns.runnable[0];
        let c = &first.config;
        assert_eq!(c.name, "First");
        assert_eq!(c.code_dir, Path::new("/proj/src/"));
        assert_eq!(c.handler, "app.handler");
        assert_eq!(c.runtime, "python3.12");
        assert_eq!(c.timeout, Duration::from_secs(5));
        assert_eq!(c.memory_mb, 256);
        assert_eq!(c.architectures, ["arm64"]);
        assert_eq!(c.region, "eu-west-1");
        assert_eq!(c.layers, [PathBuf::from("/proj/layers/common")]);
        let env: Vec<String> = c.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(
            env,
            [
                "BUCKET=Bucket",
                "BUCKET_ARN=Bucket",
                "JOINED=a-prod-123456789012",
                "SHARED=own",
                "STAGE=prod",
                "URL=https://Bucket.s3.eu-west-1.amazonaws.com/prod/${Literal}",
            ]
        );
        let warnings = first.warnings.join("\n");
        assert!(warnings.contains("Secret has no Default"), "{warnings}");
        assert!(warnings.contains("Fn::Select has no local stand-in"), "{warnings}");
        assert!(warnings.contains("layer:remote:1 is not defined"), "{warnings}");

        let second = &fns.runnable[1];
        assert_eq!(second.config.code_dir, Path::new("/proj"));
        assert_eq!(second.config.runtime, "nodejs20.x");
        assert_eq!(second.config.timeout, Duration::from_secs(10));
        assert_eq!(second.config.env["STAGE"], "prod");
        assert_eq!(second.config.env["SHARED"], "from-globals");
    }

    #[test]
    fn parameter_defaults_and_json_templates() {
        let json = r#"{"Parameters": {"Stage": {"Type": "String", "Default": "dev"}},
          "Resources": {"Fn": {"Type": "AWS::Serverless::Function", "Properties": {
            "CodeUri": ".", "Handler": "a.b", "Runtime": "python3.11",
            "Environment": {"Variables": {"S": {"Fn::Sub": ["${Stage}-${X}", {"X": "y"}]}}}}}}}"#;
        let fns = functions(Path::new("t.json"), json, &BTreeMap::new(), "us-east-1").unwrap();
        assert_eq!(fns.runnable[0].config.env["S"], "dev-y");
        assert!(fns.runnable[0].warnings.is_empty(), "{:?}", fns.runnable[0].warnings);
    }

    #[test]
    fn not_a_template() {
        assert!(functions(Path::new("t.yaml"), "- a\n", &BTreeMap::new(), "r").unwrap_err().contains("not a template"));
        assert!(functions(Path::new("t.yaml"), "A: 1\n", &BTreeMap::new(), "r").unwrap_err().contains("no Resources"));
    }

    #[test]
    fn paths_leaving_the_project_are_refused() {
        let text = r#"
Transform: AWS::Serverless-2016-10-31
Resources:
  Layer:
    Type: AWS::Serverless::LayerVersion
    Properties: { ContentUri: ../layer }
  Up:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: ../../etc, Handler: a.b, Runtime: python3.12 }
  Absolute:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: /etc, Handler: a.b, Runtime: python3.12 }
  WithLayer:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: src, Handler: a.b, Runtime: python3.12, Layers: [!Ref Layer] }
  Fine:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: ../proj/src, Handler: a.b, Runtime: python3.12 }
"#;
        let fns = functions(Path::new("/proj/template.yaml"), text, &BTreeMap::new(), "us-east-1").unwrap();
        let refused: Vec<String> = fns.unrunnable.iter().map(|u| format!("{}: {}", u.logical_id, u.reason)).collect();
        assert_eq!(
            refused,
            [
                "Up: CodeUri '../../etc' leads outside the template's folder; local invocation runs code from inside it \
                 only: move the code under the folder that holds the template",
                "Absolute: CodeUri '/etc' leads outside the template's folder; local invocation runs code from inside it \
                 only: move the code under the folder that holds the template",
                "WithLayer: layer Layer ContentUri '../layer' leads outside the template's folder; local invocation runs \
                 code from inside it only: move the code under the folder that holds the template",
            ]
        );
        assert_eq!(fns.runnable.iter().map(|f| f.logical_id.as_str()).collect::<Vec<_>>(), ["Fine"]);
    }
}
