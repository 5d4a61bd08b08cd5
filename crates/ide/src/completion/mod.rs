//! Completion for templates: [`cursor`] reads where the cursor is (working on broken documents),
//! [`context`] decides what belongs there, and one generator per context below produces the items.
//! Documentation is left out of the list and added by [`resolve`] for the one item the editor shows.
//!
//! Costs: the list of resource types with their required properties is built once per process
//! (it decodes every type once); everything else reads the template model the [`Analysis`] already
//! holds and decodes only the resource type under the cursor.

mod context;
mod cursor;
pub(crate) mod docs;
mod files;
pub(crate) mod schema;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use samwise_data::CfnData;
use samwise_data::cfn::{ResourceType, ShapeKind};
use samwise_syntax::{Format, NodeId, TextRange};
use samwise_template::Template;
use samwise_template::intrinsics::FUNCTIONS;
use samwise_template::model::{PSEUDO_PARAMETERS, RESOURCE_ATTRIBUTES, SECTIONS};

use crate::{Analysis, CompletionItem, CompletionKind};
use context::{Classified, Context, Owner};
use cursor::{At, Cursor};
use schema::{Block, Seg};

pub(crate) fn completions(a: &Analysis, offset: u32) -> Vec<CompletionItem> {
    let Some(t) = template_being_written(a) else { return Vec::new() };
    let Some((cur, cl)) = classify(a, t, offset) else { return Vec::new() };
    let typed = a.text[cl.range.start as usize..cur.offset as usize].trim_start_matches('!').to_lowercase();
    let mut g = Gen { a, t, data: a.data(), cur: &cur, range: cl.range, typed, out: Vec::new() };
    g.generate(&cl.context);
    let mut out = g.out;
    out.sort_by(|x, y| x.sort_key.cmp(&y.sort_key));
    out.dedup_by(|x, y| x.label == y.label && x.kind == y.kind);
    out
}

/// The template model, also for a YAML/JSON file that is not recognisably a template yet but is
/// becoming one: empty, a word being typed, or only known top-level sections (a new `template.yaml`
/// with `Resources:` and a first resource without its `Type`). Other YAML (compose files, workflows)
/// gets nothing.
fn template_being_written(a: &Analysis) -> Option<&Template> {
    if let Some(t) = a.template() {
        return Some(t);
    }
    let t = a.template.as_ref()?;
    let Some(root) = t.tree.root() else { return Some(t) };
    if let Some(s) = t.tree.scalar(root) {
        return (!s.value.trim().contains(' ')).then_some(t);
    }
    let entries = t.tree.entries(root);
    // Every top-level key is a known section, except one still being typed (no colon or no value).
    let known = entries.iter().all(|e| SECTIONS.contains(&t.tree.key_str(e)) || e.colon.is_none() || e.value.is_none());
    (t.tree.mapping(root).is_some() && known).then_some(t)
}

/// The structural cursor and its context at `offset`, with the owner's resource type filled in.
fn classify(a: &Analysis, t: &Template, offset: u32) -> Option<(Cursor, Classified)> {
    let cur = cursor::locate(&a.text, &t.tree, t.format, offset)?;
    let type_of = |id: &str| t.resource(id).and_then(|r| r.type_name.clone());
    let cl = context::classify(&a.text, &cur, &type_of)?;
    Some((cur, cl))
}

/// Documentation for an item, computed for the one item the editor shows.
pub(crate) fn resolve(a: &Analysis, item: &CompletionItem) -> Option<String> {
    let t = a.template()?;
    let data = a.data();
    let label = item.label.as_str();
    match item.kind {
        CompletionKind::ResourceType => data.resource_type(label).map(|rt| docs::resource_type(&rt)),
        CompletionKind::Section => docs::section(label),
        CompletionKind::Function => {
            let name =
                label.strip_prefix('!').and_then(|s| samwise_template::intrinsics::long_name_of_tag(&format!("!{s}")));
            docs::intrinsic(name.unwrap_or(label))
        }
        CompletionKind::Snippet => {
            let p = data.policy_template(label)?;
            let params: Vec<String> =
                p.parameters.iter().map(|x| format!("- `{}`: {}", x.name, x.description)).collect();
            Some(format!("**{}** (SAM policy template)\n\n{}\n\n{}", p.name, p.description, params.join("\n")))
        }
        CompletionKind::Reference => crate::hover::describe_target(a, t, label),
        CompletionKind::Property | CompletionKind::Field => {
            let (_, cl) = classify(a, t, item.replace_range.end)?;
            let o = match cl.context {
                Context::SchemaKey(o) => o,
                Context::GetAtt { resource: Some(r) } | Context::SubVariable { resource: Some(r) } => {
                    let type_name = t
                        .resource(&r)
                        .and_then(|r| r.type_name.clone())
                        .or_else(|| sam_implicit(t).into_iter().find(|(n, _)| *n == r).map(|(_, ty)| ty))?;
                    let rt = data.resource_type(&type_name)?;
                    let attr = rt.attributes.iter().find(|x| x.name == label)?;
                    return Some(docs::attribute(&rt, attr));
                }
                _ => return None,
            };
            let rt = data.resource_type(&o.type_name)?;
            let shapes = schema::walk(&rt, rt.properties, &o.rel, &|_| None);
            let (p, required) = schema::find_property(&rt, &shapes, label)?;
            Some(docs::property(&rt, p, required, o.rel.is_empty()))
        }
        _ => None,
    }
}

/// Intrinsic snippets: long name, YAML short-form argument, JSON argument.
const SNIPPETS: &[(&str, &str, &str)] = &[
    ("Ref", "${1}", "\"${1}\""),
    ("Condition", "${1}", "\"${1}\""),
    ("Fn::Base64", "${1}", "\"${1}\""),
    ("Fn::Cidr", "[${1:ipBlock}, ${2:count}, ${3:cidrBits}]", "[\"${1:ipBlock}\", ${2:count}, ${3:cidrBits}]"),
    (
        "Fn::FindInMap",
        "[${1:MapName}, ${2:TopLevelKey}, ${3:SecondLevelKey}]",
        "[\"${1:MapName}\", \"${2:TopLevelKey}\", \"${3:SecondLevelKey}\"]",
    ),
    ("Fn::GetAtt", "${1:Resource}.${2:Attribute}", "[\"${1:Resource}\", \"${2:Attribute}\"]"),
    ("Fn::GetAZs", "'${1}'", "\"${1}\""),
    ("Fn::ImportValue", "${1}", "\"${1}\""),
    ("Fn::Join", "['${1}', [${2}]]", "[\"${1}\", [${2}]]"),
    ("Fn::Select", "[${1:0}, ${2}]", "[${1:0}, ${2}]"),
    ("Fn::Split", "['${1}', ${2}]", "[\"${1}\", ${2}]"),
    ("Fn::Sub", "'${1}'", "\"${1}\""),
    ("Fn::Transform", "{Name: ${1}, Parameters: {${2}}}", "{\"Name\": \"${1}\", \"Parameters\": {${2}}}"),
    ("Fn::And", "[${1}, ${2}]", "[${1}, ${2}]"),
    ("Fn::Equals", "[${1}, ${2}]", "[${1}, ${2}]"),
    ("Fn::If", "[${1:Condition}, ${2}, ${3}]", "[\"${1:Condition}\", ${2}, ${3}]"),
    ("Fn::Not", "[${1}]", "[${1}]"),
    ("Fn::Or", "[${1}, ${2}]", "[${1}, ${2}]"),
    ("Fn::Length", "${1}", "${1}"),
    ("Fn::ToJsonString", "${1}", "${1}"),
];

/// Keys of a template parameter.
const PARAMETER_ATTRIBUTES: &[&str] = &[
    "Type",
    "Default",
    "Description",
    "AllowedValues",
    "AllowedPattern",
    "ConstraintDescription",
    "MaxLength",
    "MinLength",
    "MaxValue",
    "MinValue",
    "NoEcho",
];

const PARAMETER_TYPES: &[&str] = &[
    "String",
    "Number",
    "List<Number>",
    "CommaDelimitedList",
    "AWS::EC2::AvailabilityZone::Name",
    "AWS::EC2::Image::Id",
    "AWS::EC2::Instance::Id",
    "AWS::EC2::KeyPair::KeyName",
    "AWS::EC2::SecurityGroup::Id",
    "AWS::EC2::Subnet::Id",
    "AWS::EC2::VPC::Id",
    "AWS::Route53::HostedZone::Id",
    "AWS::SSM::Parameter::Name",
    "AWS::SSM::Parameter::Value<String>",
    "AWS::SSM::Parameter::Value<List<String>>",
    "List<AWS::EC2::SecurityGroup::Id>",
    "List<AWS::EC2::Subnet::Id>",
];

const OUTPUT_ATTRIBUTES: &[&str] = &["Description", "Value", "Export", "Condition"];

/// A resource type name with the top-level properties it requires.
struct TypeEntry {
    name: String,
    required: Vec<String>,
}

/// Every resource type with its required properties, built once per data set and process.
fn type_entries(data: &'static CfnData) -> Arc<Vec<TypeEntry>> {
    static CACHE: OnceLock<Mutex<HashMap<usize, Arc<Vec<TypeEntry>>>>> = OnceLock::new();
    let key = data as *const CfnData as usize;
    if let Some(found) = CACHE.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return found.clone();
    }
    // Built without the lock held: a second thread racing here builds the same list.
    let entries: Vec<TypeEntry> = data
        .type_names()
        .iter()
        .map(|name| TypeEntry { name: name.clone(), required: data.required_properties(name) })
        .collect();
    let entries = Arc::new(entries);
    CACHE.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner()).entry(key).or_insert(entries).clone()
}

struct Gen<'a> {
    a: &'a Analysis,
    t: &'a Template,
    data: &'static CfnData,
    cur: &'a Cursor,
    range: TextRange,
    /// The part of the word typed before the cursor, lower-cased (without a leading `!`).
    typed: String,
    out: Vec<CompletionItem>,
}

impl Gen<'_> {
    /// Whether an item can match what is typed: its label contains the typed characters in order
    /// (ignoring case). Editors filter at least this permissively and, while the word grows, only
    /// narrow the list they have, so leaving the rest out changes nothing they show; it keeps the
    /// long lists (1,900 resource types, every logical id) cheap once a few characters are typed.
    fn wanted(&self, label: &str) -> bool {
        crate::matches_typed(label, &self.typed)
    }

    fn push(&mut self, label: &str, kind: CompletionKind, detail: Option<String>, prio: u8, insert: String) {
        if !self.wanted(label) {
            return;
        }
        self.out.push(CompletionItem {
            label: label.to_owned(),
            kind,
            detail,
            documentation: None,
            is_snippet: insert.contains("${") || insert.contains("$0"),
            insert_text: insert,
            replace_range: self.range,
            sort_key: format!("{prio}_{label}"),
            filter_text: None,
        });
    }

    fn json(&self) -> bool {
        self.cur.format == Format::Json
    }

    /// The text inserted for a key: `Name: ` or a nested block in YAML, `"Name": ` in JSON.
    fn key_insert(&self, label: &str, block: Option<Block>) -> String {
        if self.json() {
            return if self.cur.in_quotes { label.to_owned() } else { format!("\"{label}\": ") };
        }
        if self.cur.has_colon {
            return label.to_owned();
        }
        let ind = " ".repeat(self.cur.indent + 2);
        match block {
            None => format!("{label}: "),
            Some(Block::Map) => format!("{label}:\n{ind}"),
            Some(Block::List) => format!("{label}:\n{ind}- "),
        }
    }

    /// The text inserted for a string value.
    fn value_insert(&self, label: &str) -> String {
        if self.json() && !self.cur.in_quotes { format!("\"{label}\"") } else { label.to_owned() }
    }

    fn key(&mut self, label: &str, kind: CompletionKind, detail: Option<String>, prio: u8, block: Option<Block>) {
        if self.cur.present.iter().any(|p| p == label) {
            return;
        }
        let insert = self.key_insert(label, block);
        self.push(label, kind, detail, prio, insert);
    }

    fn value(&mut self, label: &str, kind: CompletionKind, detail: Option<String>, prio: u8) {
        let insert = self.value_insert(label);
        self.push(label, kind, detail, prio, insert);
    }

    fn generate(&mut self, ctx: &Context) {
        match ctx {
            Context::Section => {
                for s in SECTIONS {
                    let block = match *s {
                        "AWSTemplateFormatVersion" | "Description" | "Transform" => None,
                        _ => Some(Block::Map),
                    };
                    if *s == "AWSTemplateFormatVersion" && !self.json() && !self.cur.has_colon {
                        if !self.cur.present.iter().any(|p| p == s) {
                            self.push(
                                s,
                                CompletionKind::Section,
                                None,
                                0,
                                "AWSTemplateFormatVersion: '2010-09-09'".into(),
                            );
                        }
                        continue;
                    }
                    self.key(s, CompletionKind::Section, None, 0, block);
                }
            }
            Context::ResourceAttribute => {
                for attr in RESOURCE_ATTRIBUTES {
                    if matches!(*attr, "IgnoreGlobals" | "Connectors") && !self.t.is_sam || *attr == "Version" {
                        continue;
                    }
                    let block = match *attr {
                        "Properties" | "Metadata" | "UpdatePolicy" | "CreationPolicy" | "Connectors" => {
                            Some(Block::Map)
                        }
                        _ => None,
                    };
                    let prio = if matches!(*attr, "Type" | "Properties") { 0 } else { 1 };
                    self.key(attr, CompletionKind::Keyword, None, prio, block);
                }
            }
            Context::ParameterAttribute => {
                for attr in PARAMETER_ATTRIBUTES {
                    let block = (*attr == "AllowedValues").then_some(Block::List);
                    self.key(attr, CompletionKind::Keyword, None, u8::from(*attr != "Type"), block);
                }
            }
            Context::OutputAttribute => {
                for attr in OUTPUT_ATTRIBUTES {
                    let block = (*attr == "Export").then_some(Block::Map);
                    self.key(attr, CompletionKind::Keyword, None, 0, block);
                }
            }
            Context::ParameterType => {
                for (i, ty) in PARAMETER_TYPES.iter().enumerate() {
                    self.value(ty, CompletionKind::EnumMember, None, u8::from(i >= 4));
                }
            }
            Context::Fixed(values) => {
                for v in *values {
                    self.value(v, CompletionKind::EnumMember, None, 0);
                }
            }
            Context::GlobalsSection => {
                for g in self.data.sam_globals() {
                    self.key(
                        &g.section,
                        CompletionKind::Property,
                        Some(format!("AWS::Serverless::{}", g.section)),
                        0,
                        Some(Block::Map),
                    );
                }
            }
            Context::ResourceType => self.resource_types(),
            Context::SchemaKey(o) => self.schema_keys(o),
            Context::SchemaValue(o) => self.schema_values(o),
            Context::ShortIntrinsic => self.intrinsics(),
            Context::LongIntrinsic => self.long_intrinsics(),
            Context::RefTarget => self.ref_targets(true),
            Context::SubVariable { resource: None } => self.ref_targets(false),
            Context::SubVariable { resource: Some(r) } | Context::GetAtt { resource: Some(r) } => self.attributes(r),
            Context::GetAtt { resource: None } | Context::DependsOn => {
                self.resources(matches!(ctx, Context::DependsOn))
            }
            Context::FindInMap { level, map, top } => self.find_in_map(*level, map.as_deref(), top.as_deref()),
            Context::ConditionName => {
                let names: Vec<String> = self.t.conditions.iter().map(|c| c.name.clone()).collect();
                for n in names {
                    self.value(&n, CompletionKind::Reference, Some("Condition".into()), 0);
                }
            }
            Context::PolicyTemplate => self.policies(),
            Context::PolicyParameter { template } => {
                let params: Vec<String> = self
                    .data
                    .policy_template(template)
                    .map(|p| p.parameters.iter().map(|x| x.name.clone()).collect())
                    .unwrap_or_default();
                for p in params {
                    self.key(&p, CompletionKind::Property, Some("String".into()), 0, None);
                }
            }
            Context::Handler { resource } => {
                let handlers = files::handlers(self.a, self.t, resource.as_deref());
                for (label, detail) in handlers {
                    self.value(&label, CompletionKind::Method, Some(detail), 0);
                }
            }
            Context::CodeUri => {
                let typed = self.a.text[self.range.start as usize..self.cur.offset as usize].to_owned();
                for dir in files::folders(self.a, &typed) {
                    self.value(&dir, CompletionKind::Folder, None, 0);
                }
            }
        }
    }

    fn resource_types(&mut self) {
        let entries = type_entries(self.data);
        let resource = self.resource_at_cursor();
        let has_properties = resource.is_some_and(|r| r.properties.is_some());
        let ind = " ".repeat(self.cur.indent);
        for e in entries.iter() {
            if !self.wanted(&e.name) {
                continue;
            }
            let prio = if e.name.starts_with("AWS::Serverless::") == self.t.is_sam { 0 } else { 1 };
            let insert = if self.json() || has_properties || e.required.is_empty() {
                self.value_insert(&e.name)
            } else {
                let mut s = format!("{}\n{ind}Properties:", e.name);
                for (i, r) in e.required.iter().enumerate() {
                    s.push_str(&format!("\n{ind}  {r}: ${{{}}}", i + 1));
                }
                s
            };
            self.push(&e.name, CompletionKind::ResourceType, None, prio, insert);
        }
    }

    fn resource_at_cursor(&self) -> Option<&samwise_template::Resource> {
        match self.cur.path.as_slice() {
            [Seg::Key(r), Seg::Key(id), ..] if r == "Resources" => self.t.resource(id),
            _ => None,
        }
    }

    fn owner_type(&self, o: &Owner) -> Option<Arc<ResourceType>> {
        self.data.resource_type(&o.type_name)
    }

    /// The `Type` written next to each `Properties` key of the path (selects SAM event sources).
    fn discriminator<'t>(&'t self, o: &'t Owner) -> impl Fn(usize) -> Option<String> + 't {
        move |i: usize| {
            let base = self.owner_node(o)?;
            let mut node = base;
            for seg in &o.rel[..i] {
                node = match seg {
                    Seg::Key(k) => self.t.tree.get_value(node, k)?,
                    Seg::Item(n) => *self.t.tree.items(node).get(*n)?,
                };
            }
            self.t.tree.get_value(node, "Type").and_then(|n| self.t.tree.as_str(n)).map(str::to_owned)
        }
    }

    /// The node the owner's path starts at: the resource's `Properties` or the Globals section.
    fn owner_node(&self, o: &Owner) -> Option<NodeId> {
        match &o.resource {
            Some(r) => self.t.resource(r)?.properties,
            None => self.t.globals_for(&o.type_name),
        }
    }

    fn schema_keys(&mut self, o: &Owner) {
        let Some(rt) = self.owner_type(o) else { return };
        let disc = self.discriminator(o);
        let shapes = schema::walk(&rt, rt.properties, &o.rel, &disc);
        drop(disc);
        let props = schema::object_properties(&rt, &shapes);
        if props.is_empty() {
            // A scalar-valued property written as a block: only a long-form function fits.
            if schema::is_block(&rt, &shapes).is_none() && !shapes.is_empty() {
                self.long_intrinsics();
            }
            return;
        }
        let globals_keys: Vec<String> = if o.rel.is_empty() && o.resource.is_none() {
            let section = o.type_name.trim_start_matches("AWS::Serverless::");
            self.data
                .sam_globals()
                .iter()
                .find(|g| g.section == section)
                .map(|g| g.properties.clone())
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        let in_globals = |name: &str| -> bool {
            o.rel.is_empty()
                && self.t.is_sam
                && o.resource.is_some()
                && self.t.globals_for(&o.type_name).is_some_and(|g| self.t.tree.get(g, name).is_some())
        };
        let mut items = Vec::new();
        for (p, required) in props {
            if o.resource.is_none() && o.rel.is_empty() && !globals_keys.contains(&p.name) {
                continue;
            }
            let ty = schema::type_text(&rt, p.shape);
            let top = o.rel.is_empty();
            let (prio, detail) = if top && rt.deprecated.contains(&p.name) {
                (3, format!("{ty} (deprecated)"))
            } else if in_globals(&p.name) {
                (2, format!("{ty} (set in Globals)"))
            } else if required {
                (0, format!("{ty} (required)"))
            } else {
                (1, ty)
            };
            if top && rt.read_only.contains(&p.name) {
                continue;
            }
            let block = schema::is_block(&rt, &schema::expand(&rt, p.shape));
            items.push((p.name.clone(), detail, prio, block));
        }
        for (name, detail, prio, block) in items {
            self.key(&name, CompletionKind::Property, Some(detail), prio, block);
        }
    }

    fn schema_values(&mut self, o: &Owner) {
        let Some(rt) = self.owner_type(o) else { return };
        let disc = self.discriminator(o);
        let mut shapes = schema::walk(&rt, rt.properties, &o.rel, &disc);
        drop(disc);
        // A list written on one line (`Architectures: [arm64]`) or as a single value takes its items' values.
        for s in shapes.clone() {
            if let ShapeKind::List { item } = rt.shapes[s as usize].kind {
                shapes.extend(schema::expand(&rt, item));
            }
        }
        let is_runtime = o.rel.last().and_then(Seg::key) == Some("Runtime");
        let mut values: Vec<(String, Option<String>, u8)> = Vec::new();
        let mut boolean = false;
        for &s in &shapes {
            let sh = &rt.shapes[s as usize];
            boolean |= matches!(sh.kind, ShapeKind::Boolean);
            for v in &sh.enum_values {
                if values.iter().any(|(x, _, _)| x == v) {
                    continue;
                }
                let runtime = is_runtime.then(|| self.data.runtimes().iter().find(|r| r.name == *v)).flatten();
                // The date alone, not "deprecated": whether it has passed depends on the day.
                match runtime.and_then(|r| r.deprecated.clone()) {
                    Some(date) => values.push((v.clone(), Some(format!("deprecation {date}")), 1)),
                    None => values.push((v.clone(), None, 0)),
                }
            }
        }
        for (v, detail, prio) in values {
            self.value(&v, CompletionKind::EnumMember, detail, prio);
        }
        if boolean {
            for b in ["true", "false"] {
                self.push(b, CompletionKind::Value, Some("Boolean".into()), 0, b.to_owned());
            }
        }
        self.intrinsics();
    }

    /// Intrinsic functions where a value goes: YAML short forms, JSON one-key objects.
    fn intrinsics(&mut self) {
        let json = self.json();
        if json && self.cur.in_quotes {
            return;
        }
        for (long, yaml_arg, json_arg) in SNIPPETS {
            let Some(short) = FUNCTIONS.iter().find(|(n, _)| n == long).and_then(|(_, s)| *s) else { continue };
            if json {
                self.push(long, CompletionKind::Function, None, 8, format!("{{\"{long}\": {json_arg}}}"));
            } else {
                self.push(short, CompletionKind::Function, Some(long.to_string()), 8, format!("{short} {yaml_arg}"));
            }
        }
    }

    /// Intrinsic functions typed as a key (`Fn::GetAtt: [...]`, `"Ref": ""`).
    fn long_intrinsics(&mut self) {
        for (long, yaml_arg, json_arg) in SNIPPETS {
            let insert = if self.json() {
                if self.cur.in_quotes { long.to_string() } else { format!("\"{long}\": {json_arg}") }
            } else if *long == "Fn::GetAtt" {
                "Fn::GetAtt: [${1:Resource}, ${2:Attribute}]".to_owned()
            } else {
                format!("{long}: {yaml_arg}")
            };
            self.push(long, CompletionKind::Function, None, 8, insert);
        }
    }

    /// The logical id whose definition contains the cursor (it cannot refer to itself).
    fn own_resource(&self) -> Option<&str> {
        match self.cur.path.as_slice() {
            [Seg::Key(r), Seg::Key(id), ..] if r == "Resources" => Some(id),
            _ => None,
        }
    }

    fn ref_targets(&mut self, include_no_value: bool) {
        let own = self.own_resource().map(str::to_owned);
        let params: Vec<(String, String)> = self
            .t
            .parameters
            .iter()
            .map(|p| {
                let ty = p.value.and_then(|v| self.t.tree.get_value(v, "Type")).and_then(|n| self.t.tree.as_str(n));
                (p.name.clone(), format!("Parameter {}", ty.unwrap_or("")).trim_end().to_owned())
            })
            .collect();
        for (n, d) in params {
            self.value(&n, CompletionKind::Reference, Some(d), 0);
        }
        let resources: Vec<(String, String)> = self
            .t
            .resources
            .iter()
            .filter(|r| Some(&r.name) != own.as_ref() && self.wanted(&r.name))
            .map(|r| (r.name.clone(), r.type_name.clone().unwrap_or_default()))
            .collect();
        for (n, d) in resources {
            self.value(&n, CompletionKind::Reference, Some(d), 1);
        }
        for (n, d) in sam_implicit(self.t) {
            self.value(&n, CompletionKind::Reference, Some(format!("{d} (SAM generated)")), 2);
        }
        for p in PSEUDO_PARAMETERS {
            if *p == "AWS::NoValue" && !include_no_value {
                continue;
            }
            self.value(p, CompletionKind::Reference, Some("Pseudo parameter".into()), 3);
        }
    }

    fn resources(&mut self, depends_on: bool) {
        let own = self.own_resource().map(str::to_owned);
        let present: Vec<String> = if depends_on { self.cur.prev_items.clone() } else { Vec::new() };
        let resources: Vec<(String, String)> = self
            .t
            .resources
            .iter()
            .filter(|r| Some(&r.name) != own.as_ref() && !present.contains(&r.name) && self.wanted(&r.name))
            .map(|r| (r.name.clone(), r.type_name.clone().unwrap_or_default()))
            .collect();
        for (n, d) in resources {
            self.value(&n, CompletionKind::Reference, Some(d), 0);
        }
        if !depends_on {
            for (n, d) in sam_implicit(self.t) {
                self.value(&n, CompletionKind::Reference, Some(format!("{d} (SAM generated)")), 1);
            }
        }
    }

    fn attributes(&mut self, resource: &str) {
        let type_name = match self.t.resource(resource) {
            Some(r) => r.type_name.clone(),
            None => sam_implicit(self.t).into_iter().find(|(n, _)| n == resource).map(|(_, t)| t),
        };
        let Some(rt) = type_name.and_then(|t| self.data.resource_type(&t)) else { return };
        for a in &rt.attributes {
            if a.name.ends_with('*') {
                continue;
            }
            let detail = (!a.type_name.is_empty()).then(|| a.type_name.clone());
            self.push(&a.name, CompletionKind::Field, detail, 0, a.name.clone());
        }
    }

    fn find_in_map(&mut self, level: usize, map: Option<&str>, top: Option<&str>) {
        let tree = &self.t.tree;
        let keys_of = |n: Option<NodeId>| -> Vec<String> {
            n.map(|n| tree.entries(n).iter().map(|e| tree.key_str(e).to_owned()).collect()).unwrap_or_default()
        };
        let names: Vec<String> = match level {
            0 => self.t.mappings.iter().map(|m| m.name.clone()).collect(),
            1 => keys_of(map.and_then(|m| self.t.mapping(m)).and_then(|m| m.value)),
            _ => {
                let m = map.and_then(|m| self.t.mapping(m)).and_then(|m| m.value);
                match top.and_then(|k| m.and_then(|m| tree.get_value(m, k))) {
                    Some(second) => keys_of(Some(second)),
                    // A top key that is not a literal (`!Ref AWS::Region`): the second keys of every entry.
                    None => {
                        let mut all: Vec<String> = Vec::new();
                        for e in m.map(|m| tree.entries(m)).unwrap_or(&[]) {
                            for k in keys_of(e.value) {
                                if !all.contains(&k) {
                                    all.push(k);
                                }
                            }
                        }
                        all
                    }
                }
            }
        };
        let detail = ["Mapping", "Top-level key", "Second-level key"][level.min(2)];
        for n in names {
            self.value(&n, CompletionKind::Reference, Some(detail.into()), 0);
        }
    }

    fn policies(&mut self) {
        let item = matches!(self.cur.path.last(), Some(Seg::Item(_))) || self.cur.at == At::Key;
        let json = self.json();
        if item && !(json && self.cur.in_quotes) {
            let ind = " ".repeat(self.cur.indent + 2);
            for p in self.data.policy_templates() {
                let insert = if json {
                    let params: Vec<String> = p
                        .parameters
                        .iter()
                        .enumerate()
                        .map(|(i, x)| format!("\"{}\": \"${{{}}}\"", x.name, i + 1))
                        .collect();
                    format!("{{\"{}\": {{{}}}}}", p.name, params.join(", "))
                } else if p.parameters.is_empty() {
                    format!("{}: {{}}", p.name)
                } else {
                    let params: Vec<String> = p
                        .parameters
                        .iter()
                        .enumerate()
                        .map(|(i, x)| format!("\n{ind}{}: ${{{}}}", x.name, i + 1))
                        .collect();
                    format!("{}:{}", p.name, params.concat())
                };
                self.push(&p.name, CompletionKind::Snippet, Some("SAM policy template".into()), 0, insert);
            }
        }
        if self.cur.at == At::Value {
            let names: Vec<&str> = self.data.managed_policy_names().collect();
            for n in names {
                self.value(n, CompletionKind::Value, Some("AWS managed policy".into()), 1);
            }
        }
    }
}

/// Logical ids the SAM transform adds that templates commonly refer to, with their types.
pub(crate) fn sam_implicit(t: &Template) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if !t.is_sam {
        return out;
    }
    let tree = &t.tree;
    let (mut rest, mut http) = (false, false);
    for r in t.resources.iter().filter(|r| r.type_name.as_deref() == Some("AWS::Serverless::Function")) {
        if t.effective_property(r, "Role").is_none() {
            out.push((format!("{}Role", r.name), "AWS::IAM::Role".to_owned()));
        }
        if t.effective_property(r, "AutoPublishAlias").is_some() {
            out.push((format!("{}.Alias", r.name), "AWS::Lambda::Alias".to_owned()));
            out.push((format!("{}.Version", r.name), "AWS::Lambda::Version".to_owned()));
        }
        let events = r.properties.and_then(|p| tree.get_value(p, "Events"));
        for e in events.map(|e| tree.entries(e)).unwrap_or(&[]) {
            let Some(v) = e.value else { continue };
            let ty = tree.get_value(v, "Type").and_then(|n| tree.as_str(n));
            let props = tree.get_value(v, "Properties");
            match ty {
                Some("Api") if props.and_then(|p| tree.get_value(p, "RestApiId")).is_none() => rest = true,
                Some("HttpApi") if props.and_then(|p| tree.get_value(p, "ApiId")).is_none() => http = true,
                _ => {}
            }
        }
    }
    if rest {
        out.push(("ServerlessRestApi".to_owned(), "AWS::ApiGateway::RestApi".to_owned()));
    }
    if http {
        out.push(("ServerlessHttpApi".to_owned(), "AWS::ApiGatewayV2::Api".to_owned()));
    }
    out
}
