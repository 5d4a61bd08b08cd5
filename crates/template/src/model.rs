//! The template model: sections, logical ids with their definition ranges, resources with their types
//! and properties, and every intrinsic function call with the references it makes.
//!
//! Built in one walk over the syntax tree. Nothing here fails: a section of the wrong shape is
//! recorded as such (the diagnostics report it) and the rest of the template is still modelled.

use std::sync::Arc;

use samwise_syntax::{Diagnostic, Format, NodeId, NodeKind, ScalarStyle, TextRange, Tree};

use crate::intrinsics::{self, Intrinsic, RefKind, Reference};

/// The top-level sections CloudFormation and SAM know.
pub const SECTIONS: &[&str] = &[
    "AWSTemplateFormatVersion",
    "Description",
    "Metadata",
    "Parameters",
    "Rules",
    "Mappings",
    "Conditions",
    "Transform",
    "Globals",
    "Resources",
    "Outputs",
    "Hooks",
];

/// CloudFormation's pseudo parameters, valid targets of `Ref` and `${}`.
pub const PSEUDO_PARAMETERS: &[&str] = &[
    "AWS::AccountId",
    "AWS::NotificationARNs",
    "AWS::NoValue",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
];

/// Keys a resource entry may have besides `Type` and `Properties`.
pub const RESOURCE_ATTRIBUTES: &[&str] = &[
    "Type",
    "Properties",
    "DependsOn",
    "Condition",
    "Metadata",
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "UpdatePolicy",
    "CreationPolicy",
    "Version",
    "IgnoreGlobals",
    "Connectors",
];

/// A named entry of a section (a parameter, condition, mapping, output, rule, or resource).
#[derive(Debug, Clone)]
pub struct Named {
    pub name: String,
    /// The key node: its range is the definition range of the logical id.
    pub key: NodeId,
    pub key_range: TextRange,
    pub value: Option<NodeId>,
}

#[derive(Debug, Clone)]
pub struct Resource {
    pub name: String,
    pub key: NodeId,
    pub key_range: TextRange,
    pub value: Option<NodeId>,
    /// The `Type` string, when it is a plain string.
    pub type_name: Option<String>,
    pub type_node: Option<NodeId>,
    pub properties: Option<NodeId>,
    /// The `Condition` attribute's value node.
    pub condition: Option<NodeId>,
    /// The `DependsOn` value node.
    pub depends_on: Option<NodeId>,
}

impl Resource {
    pub fn is_sam(&self) -> bool {
        self.type_name.as_deref().is_some_and(|t| t.starts_with("AWS::Serverless::"))
    }
}

#[derive(Debug)]
pub struct Template {
    pub text: Arc<str>,
    pub tree: Tree,
    pub format: Format,
    /// Whether the document looks like a CloudFormation/SAM template at all (see [`detect`]).
    pub is_template: bool,
    /// Whether the template declares the SAM transform.
    pub is_sam: bool,
    /// Top-level entries, in order, including unknown ones.
    pub sections: Vec<Named>,
    pub parameters: Vec<Named>,
    pub conditions: Vec<Named>,
    pub mappings: Vec<Named>,
    pub resources: Vec<Resource>,
    pub outputs: Vec<Named>,
    pub rules: Vec<Named>,
    /// The `Globals` section's value.
    pub globals: Option<NodeId>,
    pub intrinsics: Vec<Intrinsic>,
    pub references: Vec<Reference>,
    /// Findings made while building the model (alias budget, malformed intrinsic arguments).
    pub model_diagnostics: Vec<Diagnostic>,
}

/// How many nodes a walk may visit through aliases before it stops (an alias bomb expands
/// exponentially; real templates have a few thousand nodes).
pub const ALIAS_BUDGET: usize = 200_000;

impl Template {
    pub fn parse(text: &str, format: Format) -> Template {
        Template::new(Arc::from(text), format)
    }

    pub fn new(text: Arc<str>, format: Format) -> Template {
        let tree = samwise_syntax::parse(&text, format);
        let format = tree.format();
        let mut t = Template {
            text,
            is_template: detect(&tree),
            is_sam: false,
            sections: Vec::new(),
            parameters: Vec::new(),
            conditions: Vec::new(),
            mappings: Vec::new(),
            resources: Vec::new(),
            outputs: Vec::new(),
            rules: Vec::new(),
            globals: None,
            intrinsics: Vec::new(),
            references: Vec::new(),
            model_diagnostics: Vec::new(),
            tree,
            format,
        };
        t.build();
        t
    }

    fn named(&self, section: Option<NodeId>) -> Vec<Named> {
        let Some(section) = section else { return Vec::new() };
        self.tree
            .entries(section)
            .iter()
            .map(|e| Named {
                name: self.tree.key_str(e).to_owned(),
                key: e.key,
                key_range: self.tree.node(e.key).range,
                value: e.value,
            })
            .collect()
    }

    fn build(&mut self) {
        let Some(root) = self.tree.root() else { return };
        if self.tree.mapping(root).is_none() {
            return;
        }
        self.sections = self.named(Some(root));
        let section = |name: &str| self.tree.get_value(root, name);
        self.parameters = self.named(section("Parameters"));
        self.conditions = self.named(section("Conditions"));
        self.mappings = self.named(section("Mappings"));
        self.outputs = self.named(section("Outputs"));
        self.rules = self.named(section("Rules"));
        self.globals = section("Globals");
        self.is_sam = section("Transform").is_some_and(|t| {
            let one = |id: NodeId| self.tree.as_str(id).is_some_and(|s| s.starts_with("AWS::Serverless"));
            one(t) || self.tree.items(t).iter().any(|&i| one(i))
        });
        self.resources = self
            .named(section("Resources"))
            .into_iter()
            .map(|n| {
                let v = n.value;
                let get = |k: &str| v.and_then(|v| self.tree.get_value(v, k));
                let type_node = get("Type");
                Resource {
                    type_name: type_node.and_then(|t| self.tree.as_str(t)).map(str::to_owned),
                    type_node,
                    properties: get("Properties"),
                    condition: get("Condition"),
                    depends_on: get("DependsOn"),
                    name: n.name,
                    key: n.key,
                    key_range: n.key_range,
                    value: v,
                }
            })
            .collect();
        let collected = intrinsics::collect(self, root);
        self.intrinsics = collected.intrinsics;
        self.references = collected.references;
        self.model_diagnostics = collected.diagnostics;
        self.collect_attribute_references();
    }

    /// References made by resource/output attributes rather than intrinsic functions:
    /// `DependsOn` and `Condition`.
    fn collect_attribute_references(&mut self) {
        let mut refs = Vec::new();
        for r in &self.resources {
            if let Some(d) = r.depends_on {
                let items: Vec<NodeId> =
                    if self.tree.sequence(d).is_some() { self.tree.items(d).to_vec() } else { vec![d] };
                for i in items {
                    if let Some(s) = self.tree.as_str(i) {
                        refs.push(Reference::new(RefKind::DependsOn, s, intrinsics::value_range(&self.tree, i), i));
                    }
                }
            }
            if let Some(c) = r.condition
                && let Some(s) = self.tree.as_str(c)
            {
                refs.push(Reference::new(RefKind::Condition, s, intrinsics::value_range(&self.tree, c), c));
            }
        }
        for o in &self.outputs {
            if let Some(c) = o.value.and_then(|v| self.tree.get_value(v, "Condition"))
                && let Some(s) = self.tree.as_str(c)
            {
                refs.push(Reference::new(RefKind::Condition, s, intrinsics::value_range(&self.tree, c), c));
            }
        }
        self.references.extend(refs);
    }

    pub fn root(&self) -> Option<NodeId> {
        self.tree.root()
    }

    pub fn section(&self, name: &str) -> Option<NodeId> {
        self.tree.root().and_then(|r| self.tree.get_value(r, name))
    }

    pub fn resource(&self, name: &str) -> Option<&Resource> {
        self.resources.iter().find(|r| r.name == name)
    }

    pub fn parameter(&self, name: &str) -> Option<&Named> {
        self.parameters.iter().find(|p| p.name == name)
    }

    pub fn condition(&self, name: &str) -> Option<&Named> {
        self.conditions.iter().find(|p| p.name == name)
    }

    pub fn mapping(&self, name: &str) -> Option<&Named> {
        self.mappings.iter().find(|p| p.name == name)
    }

    /// The `Globals` section for a SAM resource type (`Function` for `AWS::Serverless::Function`).
    pub fn globals_for(&self, type_name: &str) -> Option<NodeId> {
        let section = type_name.strip_prefix("AWS::Serverless::")?;
        self.tree.get_value(self.globals?, section)
    }

    /// A property of a resource, falling back to the SAM Globals for its type (resource wins).
    pub fn effective_property(&self, resource: &Resource, name: &str) -> Option<NodeId> {
        if let Some(v) = resource.properties.and_then(|p| self.tree.get_value(p, name)) {
            return Some(v);
        }
        if !self.is_sam || self.ignores_globals(resource, name) {
            return None;
        }
        self.globals_for(resource.type_name.as_deref()?).and_then(|g| self.tree.get_value(g, name))
    }

    /// Whether a resource opts out of Globals (`IgnoreGlobals: '*'` or a list naming the property).
    fn ignores_globals(&self, resource: &Resource, name: &str) -> bool {
        let Some(ig) = resource.value.and_then(|v| self.tree.get_value(v, "IgnoreGlobals")) else { return false };
        let matches = |id: NodeId| self.tree.as_str(id).is_some_and(|s| s == "*" || s == name);
        matches(ig) || self.tree.items(ig).iter().any(|&i| matches(i))
    }

    /// Names a `Ref` may name: parameters, resources, pseudo parameters (SAM's implicit resources are
    /// handled by [`Template::is_sam_generated`]).
    pub fn is_ref_target(&self, name: &str) -> bool {
        PSEUDO_PARAMETERS.contains(&name)
            || self.parameter(name).is_some()
            || self.resource(name).is_some()
            || self.is_sam_generated(name)
    }

    /// Whether `name` is a logical id the SAM transform generates for this template: the implicit APIs,
    /// `<Function>Role`, aliases and versions, event-source resources (named after the resource plus
    /// a suffix), and SAM's `Resource.Property` references (`MyFunction.Alias`, `MyApi.Stage`).
    pub fn is_sam_generated(&self, name: &str) -> bool {
        if !self.is_sam {
            return false;
        }
        if name.starts_with("ServerlessRestApi")
            || name.starts_with("ServerlessHttpApi")
            || name.starts_with("ServerlessDeploymentApplication")
            || name.starts_with("CodeDeployServiceRole")
        {
            return true;
        }
        self.resources.iter().any(|r| {
            r.is_sam() && name.len() > r.name.len() && name.starts_with(&r.name) && {
                let rest = &name[r.name.len()..];
                rest.starts_with('.') || rest.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
            }
        })
    }

    /// The string value of a scalar node, or `None` for anything else (intrinsics included).
    pub fn literal(&self, id: NodeId) -> Option<&str> {
        let node = self.tree.node(id);
        if node.tag.is_some() {
            return None;
        }
        self.tree.as_str(id)
    }

    /// Whether a scalar is a plain YAML scalar (so `true`/`3` are booleans/numbers, not strings).
    pub fn is_plain_scalar(&self, id: NodeId) -> bool {
        matches!(&self.tree.node(self.tree.resolve(id)).kind, NodeKind::Scalar(s) if s.style == ScalarStyle::Plain)
    }
}

/// Whether a document is a CloudFormation/SAM template: it has `AWSTemplateFormatVersion`, a SAM
/// `Transform`, or a `Resources` map whose entries have a `Type` like `AWS::*`, `Custom::*` or
/// `Alexa::*`. Anything else (docker-compose, Kubernetes, workflows, package.json) gets no findings.
pub fn detect(tree: &Tree) -> bool {
    let Some(root) = tree.root() else { return false };
    if tree.mapping(root).is_none() {
        return false;
    }
    if tree.get(root, "AWSTemplateFormatVersion").is_some() {
        return true;
    }
    if let Some(t) = tree.get_value(root, "Transform") {
        let sam = |id: NodeId| tree.as_str(id).is_some_and(|s| s.starts_with("AWS::Serverless"));
        if sam(t) || tree.items(t).iter().any(|&i| sam(i)) {
            return true;
        }
    }
    let Some(resources) = tree.get_value(root, "Resources") else { return false };
    tree.entries(resources).iter().any(|e| {
        e.value
            .and_then(|v| tree.get_value(v, "Type"))
            .and_then(|t| tree.as_str(t))
            .is_some_and(|t| t.starts_with("AWS::") || t.starts_with("Custom::") || t.starts_with("Alexa::"))
    })
}
