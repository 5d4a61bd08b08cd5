//! Function resolution from a SAM template: the Lambda functions of a template as [`FunctionConfig`]s,
//! with SAM `Globals` applied and `Ref`/`Sub`/`GetAtt`/`Join` in environment values replaced by local
//! stand-ins.
//!
//! Built on the `samwise-syntax` tree because the template model's function listing did not exist
//! yet when local invocation was written; it reads only what running a function needs.
//!
//! Stand-ins, as `sam local` uses them: parameters take their override, else their `Default`;
//! pseudo parameters get fixed local values ([`pseudo_parameter`]); a `Ref` to a resource and a
//! `GetAtt` on it give the resource's logical id.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use samwise_syntax::{Format, NodeId, NodeKind, Tree};

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
    let tree = samwise_syntax::parse(text, Format::detect(Some(path), text));
    let Some(root) = tree.root().filter(|r| tree.mapping(*r).is_some()) else {
        return Err(format!("{}: not a template (expected a mapping with Resources)", path.display()));
    };
    let Some(resources) = tree.get_value(root, "Resources").filter(|r| tree.mapping(*r).is_some()) else {
        return Err(format!("{}: the template has no Resources section", path.display()));
    };
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let cx = Context { tree: &tree, root, resources, overrides, region, base: &base };
    let globals = tree
        .get_value(root, "Globals")
        .and_then(|g| tree.get_value(g, "Function"))
        .filter(|g| tree.mapping(*g).is_some());

    let mut out = Functions::default();
    for entry in tree.entries(resources) {
        let id = tree.key_str(entry).to_owned();
        let Some(resource) = entry.value else { continue };
        if tree.get_value(resource, "Type").and_then(|t| tree.as_str(t)) != Some("AWS::Serverless::Function") {
            continue;
        }
        let props = tree.get_value(resource, "Properties");
        match cx.function(&id, props, globals) {
            Ok(f) => out.runnable.push(f),
            Err(reason) => out.unrunnable.push(Unrunnable { logical_id: id, reason }),
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
    tree: &'a Tree,
    root: NodeId,
    resources: NodeId,
    overrides: &'a BTreeMap<String, String>,
    region: &'a str,
    base: &'a Path,
}

impl Context<'_> {
    /// The property `name`: the function's own value, else the Globals value.
    fn prop(&self, props: Option<NodeId>, globals: Option<NodeId>, name: &str) -> Option<NodeId> {
        props.and_then(|p| self.tree.get_value(p, name)).or_else(|| globals.and_then(|g| self.tree.get_value(g, name)))
    }

    fn function(&self, id: &str, props: Option<NodeId>, globals: Option<NodeId>) -> Result<TemplateFunction, String> {
        let tree = self.tree;
        let mut warnings = Vec::new();
        let text = |name: &str, warnings: &mut Vec<String>| -> Option<String> {
            let node = self.prop(props, globals, name)?;
            match self.value(node) {
                Ok(v) => v,
                Err(e) => {
                    warnings.push(format!("{id}.{name}: {e}"));
                    None
                }
            }
        };
        if text("PackageType", &mut warnings).as_deref() == Some("Image") {
            return Err(
                "PackageType Image functions run in containers; local invocation without Docker runs zip functions"
                    .into(),
            );
        }
        if self.prop(props, globals, "InlineCode").is_some() {
            return Err(
                "InlineCode is not supported by local invocation; move the code to a file and use CodeUri".into()
            );
        }
        let code_dir = match self.prop(props, globals, "CodeUri") {
            None => self.base.to_path_buf(),
            Some(node) if tree.mapping(node).is_some() && tree.get_value(node, "Bucket").is_some() => {
                return Err("CodeUri points to S3; local invocation needs a local directory".into());
            }
            Some(node) => match self.value(node) {
                Ok(Some(uri)) if uri.starts_with("s3://") => {
                    return Err(format!("CodeUri {uri} is in S3; local invocation needs a local directory"));
                }
                Ok(Some(uri)) => self.base.join(uri),
                _ => return Err("CodeUri must be a local path".into()),
            },
        };
        let handler = text("Handler", &mut warnings).ok_or("Handler is missing")?;
        let runtime = text("Runtime", &mut warnings).ok_or("Runtime is missing")?;

        let mut config = FunctionConfig::new(id, code_dir, &handler, &runtime);
        config.region = self.region.to_owned();
        if let Some(t) = text("Timeout", &mut warnings) {
            let secs: f64 = t.parse().map_err(|_| format!("Timeout `{t}` is not a number of seconds"))?;
            config.timeout = Duration::from_secs_f64(secs.max(0.0));
        }
        if let Some(m) = text("MemorySize", &mut warnings) {
            config.memory_mb = m.parse().map_err(|_| format!("MemorySize `{m}` is not a number of MB"))?;
        }
        if let Some(arch) = self.prop(props, globals, "Architectures") {
            config.architectures = tree.items(arch).iter().filter_map(|a| self.value(*a).ok().flatten()).collect();
        }

        // Environment variables merge: Globals first, then the function's own (SAM merges the maps).
        let scopes = [globals, props];
        for scope in scopes.into_iter().flatten() {
            let vars = tree.get_value(scope, "Environment").and_then(|e| tree.get_value(e, "Variables"));
            for entry in vars.map(|v| tree.entries(v)).unwrap_or_default() {
                let key = tree.key_str(entry).to_owned();
                match entry.value.map(|v| self.value(v)) {
                    Some(Ok(Some(value))) => {
                        config.env.insert(key, value);
                    }
                    Some(Ok(None)) | None => {
                        config.env.remove(&key);
                    }
                    Some(Err(e)) => {
                        warnings.push(format!("{id}: environment variable {key}: {e}; it is left unset"));
                        config.env.remove(&key);
                    }
                }
            }
        }

        // Layers: the Globals list comes before the function's own, as SAM merges lists.
        for scope in scopes.into_iter().flatten() {
            let Some(layers) = tree.get_value(scope, "Layers") else { continue };
            for layer in tree.items(layers) {
                match self.layer_dir(*layer) {
                    Ok(dir) => config.layers.push(dir),
                    Err(e) => warnings.push(format!("{id}: {e}")),
                }
            }
        }
        Ok(TemplateFunction { logical_id: id.to_owned(), config, warnings })
    }

    /// The local directory of a layer given as `!Ref LayerResource`.
    fn layer_dir(&self, node: NodeId) -> Result<PathBuf, String> {
        let tree = self.tree;
        let Some(target) = self.ref_target(node) else {
            let shown = self.value(node).ok().flatten().unwrap_or_default();
            return Err(format!("layer {shown} is not defined in this template and is skipped locally"));
        };
        let resource = tree.get_value(self.resources, &target).ok_or(format!("layer {target} is not a resource"))?;
        let props = tree.get_value(resource, "Properties");
        let content = props
            .and_then(|p| tree.get_value(p, "ContentUri").or_else(|| tree.get_value(p, "Content")))
            .and_then(|c| self.value(c).ok().flatten())
            .filter(|c| !c.starts_with("s3://"))
            .ok_or(format!("layer {target} has no local ContentUri and is skipped locally"))?;
        Ok(self.base.join(content))
    }

    /// The target of `!Ref X` / `{"Ref": X}`, if `node` is one.
    fn ref_target(&self, node: NodeId) -> Option<String> {
        let (name, arg) = self.intrinsic(node)?;
        (name == "Ref").then(|| self.tree.as_str(arg).map(str::to_owned)).flatten()
    }

    /// `(function name without Fn::, argument)` for an intrinsic in tag or mapping form.
    fn intrinsic(&self, node: NodeId) -> Option<(String, NodeId)> {
        let tree = self.tree;
        if let Some(tag) = tree.tag(node) {
            let name = tag.trim_start_matches('!');
            return Some((name.to_owned(), node));
        }
        let entries = tree.entries(node);
        if let [entry] = entries {
            let key = tree.key_str(entry);
            if key == "Ref" || key.starts_with("Fn::") {
                return Some((key.trim_start_matches("Fn::").to_owned(), entry.value?));
            }
        }
        None
    }

    /// The string value of a node with intrinsics resolved; `Ok(None)` for `AWS::NoValue`.
    fn value(&self, node: NodeId) -> Result<Option<String>, String> {
        let tree = self.tree;
        if let Some((name, arg)) = self.intrinsic(node) {
            return self.intrinsic_value(&name, arg);
        }
        match tree.kind(node) {
            NodeKind::Scalar(s) if s.is_null() => Ok(Some(String::new())),
            NodeKind::Scalar(s) => Ok(Some(s.value.clone())),
            _ => Err("expected a text value".into()),
        }
    }

    fn intrinsic_value(&self, name: &str, arg: NodeId) -> Result<Option<String>, String> {
        let tree = self.tree;
        // A tagged node is its own argument: `!Ref X` is the scalar X with tag !Ref.
        let scalar = |id: NodeId| tree.as_str(id).map(str::to_owned);
        match name {
            "Ref" => {
                let target = scalar(arg).ok_or("Ref needs a name")?;
                if target == "AWS::NoValue" {
                    return Ok(None);
                }
                self.name_value(&target).map(Some)
            }
            "GetAtt" => {
                let target = match scalar(arg) {
                    Some(s) => s.split('.').next().unwrap_or_default().to_owned(),
                    None => tree.items(arg).first().and_then(|i| scalar(*i)).ok_or("GetAtt needs a resource")?,
                };
                if tree.get_value(self.resources, &target).is_none() {
                    return Err(format!("GetAtt on unknown resource {target}"));
                }
                Ok(Some(target))
            }
            "Sub" => {
                let (template, vars) = match scalar(arg) {
                    Some(s) => (s, None),
                    None => {
                        let items = tree.items(arg);
                        let s = items.first().and_then(|i| scalar(*i)).ok_or("Sub needs a string")?;
                        (s, items.get(1).copied())
                    }
                };
                self.substitute(&template, vars).map(Some)
            }
            "Join" => {
                let items = tree.items(arg);
                let delimiter = items.first().and_then(|i| scalar(*i)).ok_or("Join needs a delimiter")?;
                let list = items.get(1).ok_or("Join needs a list")?;
                let mut parts = Vec::new();
                for item in tree.items(*list) {
                    if let Some(v) = self.value(*item)? {
                        parts.push(v);
                    }
                }
                Ok(Some(parts.join(&delimiter)))
            }
            other => Err(format!("the intrinsic function {other} has no local stand-in")),
        }
    }

    /// A parameter's override or default, a pseudo parameter's local value, or a resource's logical id.
    fn name_value(&self, name: &str) -> Result<String, String> {
        let tree = self.tree;
        if let Some(v) = self.overrides.get(name) {
            return Ok(v.clone());
        }
        if let Some(v) = pseudo_parameter(name, self.region) {
            return Ok(v);
        }
        if let Some(param) = tree.get_value(self.root, "Parameters").and_then(|p| tree.get_value(p, name)) {
            return match tree.get_value(param, "Default").and_then(|d| tree.as_str(d)) {
                Some(d) => Ok(d.to_owned()),
                None => Err(format!("parameter {name} has no Default; pass --parameter-overrides {name}=VALUE")),
            };
        }
        if tree.get_value(self.resources, name).is_some() {
            return Ok(name.to_owned());
        }
        Err(format!("{name} is neither a parameter nor a resource of this template"))
    }

    fn substitute(&self, template: &str, vars: Option<NodeId>) -> Result<String, String> {
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
            } else if let Some(v) = vars.and_then(|m| self.tree.get_value(m, name)) {
                out.push_str(&self.value(v)?.unwrap_or_default());
            } else if let Some((resource, _attr)) = name.split_once('.').filter(|_| !name.starts_with("AWS::")) {
                if self.tree.get_value(self.resources, resource).is_none() {
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
        assert!(warnings.contains("Select has no local stand-in"), "{warnings}");
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
}
