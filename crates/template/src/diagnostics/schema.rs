//! Schema rules: resource types, and every property value checked against the resource type's
//! shape graph from the embedded data (unknown and missing properties, value types, enums,
//! patterns, lengths, ranges and item counts, deprecated Lambda runtimes).
//!
//! The [`Validator`] is shared with the SAM rules (`sam.rs`), which validate each event against
//! the shape its `Type` selects. It is lenient where CloudFormation is: a string `"true"` is a
//! boolean, a number is a string, an intrinsic function is accepted wherever it can produce the
//! expected kind of value, and a value the data cannot describe (`Json`, `Any`) is never reported.
//!
//! DEPENDENCIES: `regex` compiles the schemas' `pattern`s. JSON Schema patterns are ECMA regexes;
//! the ones `regex` cannot compile (look-arounds, back-references) are skipped rather than
//! approximated, and compiled ones are cached for the process because the same few hundred
//! patterns recur in every template.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use regex::Regex;
use samwise_data::CfnData;
use samwise_data::cfn::{ResourceType, RuntimeInfo, Shape, ShapeId, ShapeKind};
use samwise_syntax::{Diagnostic, Entry, Fix, NodeId, NodeKind, ScalarStyle, Severity, TextRange, Tree};

use super::{CheckContext, RuleInfo, did_you_mean};
use crate::intrinsics::{intrinsic_at, value_range};
use crate::model::{ALIAS_BUDGET, Template};

pub(super) const RULES: &[RuleInfo] = &[
    RuleInfo { code: "SW2001", severity: Severity::Error, summary: "unknown resource type" },
    RuleInfo { code: "SW2002", severity: Severity::Error, summary: "unknown property" },
    RuleInfo { code: "SW2003", severity: Severity::Error, summary: "missing required property" },
    RuleInfo { code: "SW2004", severity: Severity::Error, summary: "value of the wrong type" },
    RuleInfo { code: "SW2005", severity: Severity::Error, summary: "value outside the allowed values" },
    RuleInfo {
        code: "SW2006",
        severity: Severity::Warning,
        summary: "deprecated Lambda runtime (an error once new functions can no longer use it)",
    },
    RuleInfo { code: "SW2007", severity: Severity::Error, summary: "value does not match the schema's pattern" },
    RuleInfo { code: "SW2008", severity: Severity::Error, summary: "string too short or too long" },
    RuleInfo { code: "SW2009", severity: Severity::Error, summary: "number out of range or wrong item count" },
];

pub(super) fn check(t: &Template, ctx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let mut budget = ALIAS_BUDGET;
    for r in &t.resources {
        let (Some(type_name), Some(type_node)) = (r.type_name.as_deref(), r.type_node) else { continue };
        if t.literal(type_node).is_none() {
            continue;
        }
        let Some(rt) = ctx.data.resource_type(type_name) else {
            if let Some(d) = unknown_type(t, ctx, type_name, type_node) {
                out.push(d);
            }
            continue;
        };
        let mut v = Validator::new(t, ctx.data, rt.clone(), budget);
        // SAM events are validated by `sam.rs`, which picks the event's shape from its `Type` and
        // says which types exist; the generic one-of message would be far less helpful.
        let skip: &[&str] = if r.is_sam() { &["Events"] } else { &[] };
        let holder =
            r.value.and_then(|v| t.tree.get(v, "Properties")).map_or(r.key_range, |e| t.tree.node(e.key).range);
        if let Some(p) = r.properties {
            v.properties(p, rt.properties, skip);
        }
        // Required properties are looked up after SAM Globals, so a `Runtime` set in
        // `Globals.Function` satisfies every function.
        if let ShapeKind::Object { required, .. } = &rt.shapes[rt.properties as usize].kind {
            let missing: Vec<&str> = {
                let merged = r.properties.map(|p| merged_entries(&t.tree, t.tree.resolve(p))).unwrap_or_default();
                required
                    .iter()
                    .map(String::as_str)
                    .filter(|name| t.effective_property(r, name).is_none())
                    .filter(|name| !merged.iter().any(|e| t.tree.key_str(e) == *name))
                    .collect()
            };
            if !missing.is_empty() && !properties_are_intrinsic(t, r.properties) {
                v.out.push(missing_required(&format!("resource '{}' ({type_name})", r.name), &missing, holder));
            }
        }
        let (found, left) = v.finish();
        out.extend(found);
        budget = left;
    }
}

/// A mapping's entries with YAML merge keys (`<<: *defaults`) applied: the mapping's own keys win
/// over merged ones. CloudFormation itself does not read merge keys, but `sam build`/`sam package`
/// (PyYAML) expand them before CloudFormation sees the template.
fn merged_entries(tree: &Tree, map: NodeId) -> Vec<Entry> {
    fn collect(tree: &Tree, map: NodeId, depth: usize, out: &mut Vec<Entry>) {
        let is_merge = |e: &Entry| tree.scalar(e.key).is_some_and(|s| s.value == "<<" && s.style == ScalarStyle::Plain);
        let own = tree.entries(map);
        for e in own.iter().filter(|e| !is_merge(e)) {
            if !out.iter().any(|o| tree.key_str(o) == tree.key_str(e)) {
                out.push(*e);
            }
        }
        if depth == 0 {
            return;
        }
        for e in own.iter().filter(|e| is_merge(e)) {
            let Some(v) = e.value.map(|v| tree.resolve(v)) else { continue };
            let sources: Vec<NodeId> = if tree.sequence(v).is_some() {
                tree.items(v).iter().map(|&i| tree.resolve(i)).collect()
            } else {
                vec![v]
            };
            for src in sources {
                collect(tree, src, depth - 1, out);
            }
        }
    }
    let mut out = Vec::new();
    collect(tree, map, 8, &mut out);
    out
}

/// Whether the whole `Properties` value is an intrinsic (an `Fn::If` choosing between two maps):
/// then its keys are not known statically.
fn properties_are_intrinsic(t: &Template, p: Option<NodeId>) -> bool {
    p.is_some_and(|p| intrinsic_at(&t.tree, t.tree.resolve(p)).is_some())
}

fn unknown_type(t: &Template, ctx: &CheckContext, name: &str, node: NodeId) -> Option<Diagnostic> {
    // Only AWS's own namespaces are closed; `Custom::*` and third-party registry types
    // (`Org::Service::Type`, modules) are defined outside the data and are fine.
    if !(name.starts_with("AWS::") || name.starts_with("Alexa::")) {
        return None;
    }
    let range = value_range(&t.tree, node);
    let mut d = Diagnostic::error("SW2001", range, format!("unknown resource type '{name}'"));
    match did_you_mean(name, ctx.data.type_names().iter().map(String::as_str)) {
        Some(m) => {
            d.message.push_str(&format!("; did you mean '{m}'?"));
            d = d.with_fix(Fix::replace(format!("Change to '{m}'"), range, m));
        }
        None => d.message.push_str(
            "; check the spelling against the CloudFormation resource type reference, or use `Custom::Name` \
             for a custom resource",
        ),
    }
    Some(d)
}

fn missing_required(what: &str, missing: &[&str], range: TextRange) -> Diagnostic {
    let list = missing.iter().map(|m| format!("'{m}'")).collect::<Vec<_>>().join(", ");
    let noun = if missing.len() == 1 { "property" } else { "properties" };
    Diagnostic::error(
        "SW2003",
        range,
        format!("{what} is missing the required {noun} {list}: add {}", if missing.len() == 1 { "it" } else { "them" }),
    )
}

/// Today's date as `YYYY-MM-DD` (UTC), for the Lambda runtime lifecycle dates.
fn today() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    date_of((secs / 86_400) as i64)
}

/// The civil date `days` after 1970-01-01 (Howard Hinnant's algorithm; a date crate for one
/// comparison would be more weight than this).
fn date_of(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

const SIMPLE_TABLE_TYPES: &[&str] = &["String", "Number", "Binary"];

/// What an intrinsic function call evaluates to, as far as the schema check cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Produces {
    /// A string (or number or boolean: CloudFormation passes scalars as strings).
    Scalar,
    List,
    /// `Ref AWS::NoValue`: the property is removed.
    Nothing,
    /// Cannot tell statically (`Fn::GetAtt`, `Fn::FindInMap`, `Fn::Select`, unknown functions).
    Unknown,
}

/// The broad kind of value a shape expects, for type messages.
fn expected_kind(shape: &Shape) -> &'static str {
    match shape.kind {
        ShapeKind::String => "a string",
        ShapeKind::Integer => "an integer",
        ShapeKind::Number => "a number",
        ShapeKind::Boolean => "a boolean",
        ShapeKind::List { .. } => "a list",
        ShapeKind::Map { .. } | ShapeKind::Object { .. } | ShapeKind::Json => "a map",
        ShapeKind::Any | ShapeKind::OneOf(_) => "a value",
    }
}

/// Validates values against one resource type's shapes, collecting findings.
pub(crate) struct Validator<'a> {
    t: &'a Template,
    data: &'a CfnData,
    rt: Arc<ResourceType>,
    budget: usize,
    /// `YYYY-MM-DD`, compared with the runtime lifecycle dates.
    today: String,
    out: Vec<Diagnostic>,
}

impl<'a> Validator<'a> {
    /// A validator that visits at most `budget` values (aliases can make a small text huge).
    pub(crate) fn new(t: &'a Template, data: &'a CfnData, rt: Arc<ResourceType>, budget: usize) -> Validator<'a> {
        Validator { t, data, rt, budget, today: today(), out: Vec::new() }
    }

    /// The findings and the budget left.
    pub(crate) fn finish(self) -> (Vec<Diagnostic>, usize) {
        (self.out, self.budget)
    }

    pub(crate) fn shape(&self, id: ShapeId) -> &Shape {
        &self.rt.shapes[id as usize]
    }

    /// Validates the entries of mapping `id` against object shape `shape`, skipping the keys in
    /// `skip`, without the required-property check (the caller does it, for example after Globals).
    pub(crate) fn properties(&mut self, id: NodeId, shape: ShapeId, skip: &[&str]) {
        let rt = self.rt.clone();
        let ShapeKind::Object { properties, additional, .. } = &rt.shapes[shape as usize].kind else {
            self.value(id, shape, "Properties");
            return;
        };
        let tree = &self.t.tree;
        let target = tree.resolve(id);
        if tree.mapping(target).is_none() {
            // `Properties: !If [...]`, or the wrong shape (reported by the outline rules).
            if let Some(call) = intrinsic_at(tree, target) {
                self.intrinsic(&call, shape, "Properties", None);
            }
            return;
        }
        self.entries(target, properties, *additional, skip);
    }

    fn entries(&mut self, map: NodeId, properties: &[samwise_data::cfn::Property], additional: bool, skip: &[&str]) {
        let tree = &self.t.tree;
        for e in &merged_entries(tree, map) {
            let key = tree.key_str(e);
            // `Fn::Transform` (AWS::Include) and `Fn::ForEach::*` (language extensions) expand
            // into properties at deployment time.
            if skip.contains(&key) || key.starts_with("Fn::") {
                continue;
            }
            match properties.iter().find(|p| p.name == key) {
                Some(p) => {
                    if let Some(v) = e.value {
                        self.value_under(v, p.shape, key, Some(tree.node(e.key).range));
                    }
                }
                None if additional => {}
                None => {
                    let range = tree.node(e.key).range;
                    let mut d = Diagnostic::error("SW2002", range, format!("unknown property '{key}'"));
                    match did_you_mean(key, properties.iter().map(|p| p.name.as_str())) {
                        Some(m) => {
                            d.message.push_str(&format!("; did you mean '{m}'?"));
                            d = d.with_fix(Fix::replace(format!("Change to '{m}'"), range, m));
                        }
                        None => {
                            let mut names: Vec<&str> = properties.iter().map(|p| p.name.as_str()).collect();
                            names.sort_unstable();
                            let shown = if names.len() > 12 {
                                format!("{}, ...", names[..12].join(", "))
                            } else {
                                names.join(", ")
                            };
                            d.message.push_str(&format!("; valid properties here are {shown}"));
                        }
                    }
                    self.out.push(d);
                }
            }
        }
    }

    /// Validates value node `id` (the value of key `name`) against `shape`.
    pub(crate) fn value(&mut self, id: NodeId, shape: ShapeId, name: &str) {
        self.value_under(id, shape, name, None);
    }

    /// Like [`Validator::value`], with the range of the key holding the value, where a missing
    /// required property is reported.
    pub(crate) fn value_under(&mut self, id: NodeId, shape: ShapeId, name: &str, key: Option<TextRange>) {
        if self.budget == 0 {
            return;
        }
        self.budget -= 1;
        let rt = self.rt.clone();
        let s = &rt.shapes[shape as usize];
        if matches!(s.kind, ShapeKind::Any | ShapeKind::Json) {
            return;
        }
        let tree = &self.t.tree;
        let target = tree.resolve(id);
        if let Some(call) = intrinsic_at(tree, target) {
            self.intrinsic(&call, shape, name, key);
            return;
        }
        if let ShapeKind::OneOf(branches) = &s.kind {
            // A one-of without branches is a schema the data could not type: anything goes.
            if !branches.is_empty() {
                self.one_of(id, branches, name, key);
            }
            return;
        }
        match tree.kind(target) {
            NodeKind::Mapping(_) => match &s.kind {
                ShapeKind::Object { properties, required, additional } => {
                    self.entries(target, properties, *additional, &[]);
                    let missing: Vec<&str> = {
                        let present = merged_entries(tree, target);
                        required
                            .iter()
                            .map(String::as_str)
                            .filter(|r| !present.iter().any(|e| tree.key_str(e) == *r))
                            .collect()
                    };
                    if !missing.is_empty() {
                        let range = key.unwrap_or_else(|| self.key_range(id));
                        self.out.push(missing_required(&format!("'{name}'"), &missing, range));
                    }
                }
                ShapeKind::Map { value } => {
                    for e in tree.entries(target) {
                        if let Some(v) = e.value {
                            self.value_under(v, *value, tree.key_str(e), Some(tree.node(e.key).range));
                        }
                    }
                }
                _ => self.wrong_type(id, s, name, "a map"),
            },
            NodeKind::Sequence(seq) => match &s.kind {
                ShapeKind::List { item } => {
                    let n = seq.items.len() as u64;
                    self.item_count(id, s, name, n);
                    for &i in &seq.items {
                        self.value(i, *item, name);
                    }
                }
                _ => self.wrong_type(id, s, name, "a list"),
            },
            NodeKind::Scalar(sc) => {
                if sc.is_null() {
                    // `Key:` with nothing after it: CloudFormation drops it or reports it itself,
                    // and while typing it is always transient.
                    return;
                }
                let value = sc.value.clone();
                self.scalar(id, s, name, &value);
            }
            NodeKind::Alias(_) => {}
        }
    }

    fn key_range(&self, id: NodeId) -> TextRange {
        // The value's own range: the key is not known here, and the value is what must change.
        let node = self.t.tree.node(id);
        let r = node.full_range();
        // A block mapping's range can span many lines; point at its first line only.
        let text = &self.t.text[r.as_range()];
        let first = text.find('\n').map_or(r.end, |n| r.start + n as u32);
        TextRange::new(r.start, first.max(r.start))
    }

    fn wrong_type(&mut self, id: NodeId, s: &Shape, name: &str, got: &str) {
        let range = self.key_range(id);
        self.out.push(Diagnostic::error("SW2004", range, format!("'{name}' must be {}, not {got}", expected_kind(s))));
    }

    fn item_count(&mut self, id: NodeId, s: &Shape, name: &str, n: u64) {
        let range = self.key_range(id);
        if let Some(min) = s.min_items.filter(|&m| n < m) {
            self.out.push(Diagnostic::error(
                "SW2009",
                range,
                format!("'{name}' has {n} item(s) but needs at least {min}"),
            ));
        }
        if let Some(max) = s.max_items.filter(|&m| n > m) {
            self.out.push(Diagnostic::error(
                "SW2009",
                range,
                format!("'{name}' has {n} items but allows at most {max}"),
            ));
        }
    }

    fn scalar(&mut self, id: NodeId, s: &Shape, name: &str, value: &str) {
        if value.contains("{{resolve:") {
            // A dynamic reference (SSM or Secrets Manager) is replaced at deployment time.
            return;
        }
        let range = value_range(&self.t.tree, id);
        match &s.kind {
            ShapeKind::String => {
                if !self.enum_ok(id, s, name, value) {
                    return;
                }
                self.string_constraints(range, s, name, value);
            }
            ShapeKind::Integer | ShapeKind::Number => {
                let integer = matches!(s.kind, ShapeKind::Integer);
                let Some(n) = value.trim().parse::<f64>().ok().filter(|n| n.is_finite()) else {
                    let what = if integer { "an integer" } else { "a number" };
                    self.out.push(Diagnostic::error(
                        "SW2004",
                        range,
                        format!("'{name}' must be {what}, not '{value}'"),
                    ));
                    return;
                };
                if integer && n.fract() != 0.0 {
                    self.out.push(Diagnostic::error(
                        "SW2004",
                        range,
                        format!("'{name}' must be a whole number, not '{value}'"),
                    ));
                    return;
                }
                if !self.enum_ok(id, s, name, value) {
                    return;
                }
                let shown = |x: f64| if x.fract() == 0.0 { format!("{}", x as i64) } else { format!("{x}") };
                if let Some(min) = s.minimum.filter(|&m| n < m) {
                    self.out.push(Diagnostic::error(
                        "SW2009",
                        range,
                        format!("'{name}' is {value} but must be at least {}", shown(min)),
                    ));
                }
                if let Some(max) = s.maximum.filter(|&m| n > m) {
                    self.out.push(Diagnostic::error(
                        "SW2009",
                        range,
                        format!("'{name}' is {value} but must be at most {}", shown(max)),
                    ));
                }
            }
            ShapeKind::Boolean => {
                if !(value.eq_ignore_ascii_case("true") || value.eq_ignore_ascii_case("false")) {
                    self.out.push(Diagnostic::error(
                        "SW2004",
                        range,
                        format!("'{name}' must be a boolean (true or false), not '{value}'"),
                    ));
                }
            }
            ShapeKind::List { .. } | ShapeKind::Map { .. } | ShapeKind::Object { .. } => {
                self.wrong_type(id, s, name, "a single value")
            }
            ShapeKind::Any | ShapeKind::Json | ShapeKind::OneOf(_) => {}
        }
    }

    /// Checks an enum; `false` when the value is outside it (then nothing else is worth saying).
    fn enum_ok(&mut self, id: NodeId, s: &Shape, name: &str, value: &str) -> bool {
        // SAM's SimpleTable takes `String`/`Number`/`Binary` and converts them to DynamoDB's
        // `S`/`N`/`B`; the data types the property as DynamoDB's attribute, so SAM's words are
        // allowed here as well.
        if self.rt.name == "AWS::Serverless::SimpleTable" && name == "Type" && SIMPLE_TABLE_TYPES.contains(&value) {
            return true;
        }
        if s.enum_values.is_empty() || s.enum_values.iter().any(|e| e == value || same_number(e, value)) {
            if name == "Runtime"
                && matches!(self.rt.name.as_str(), "AWS::Lambda::Function" | "AWS::Serverless::Function")
            {
                self.runtime_lifecycle(id, value);
            }
            return true;
        }
        let range = value_range(&self.t.tree, id);
        let mut d = Diagnostic::error("SW2005", range, format!("'{value}' is not a valid {name}"));
        match did_you_mean(value, s.enum_values.iter().map(String::as_str)) {
            Some(m) => {
                d.message.push_str(&format!("; did you mean '{m}'?"));
                d = d.with_fix(Fix::replace(format!("Change to '{m}'"), range, m));
            }
            None => {
                let shown = if s.enum_values.len() > 15 {
                    format!("{}, ...", s.enum_values[..15].join(", "))
                } else {
                    s.enum_values.join(", ")
                };
                d.message.push_str(&format!("; allowed values are {shown}"));
            }
        }
        self.out.push(d);
        false
    }

    /// A Lambda runtime past its deprecation date is a warning; past the date after which new
    /// functions cannot be created with it, an error (the deployment would fail).
    fn runtime_lifecycle(&mut self, id: NodeId, value: &str) {
        let Some(info) = self.data.runtimes().iter().find(|r| r.name == value) else { return };
        let range = value_range(&self.t.tree, id);
        if let Some(d) = runtime_finding(info, &self.today, range) {
            self.out.push(d);
        }
    }

    fn string_constraints(&mut self, range: TextRange, s: &Shape, name: &str, value: &str) {
        let len = value.chars().count() as u64;
        if let Some(min) = s.min_length.filter(|&m| len < m) {
            self.out.push(Diagnostic::error(
                "SW2008",
                range,
                format!("'{name}' is {len} characters long but must be at least {min}"),
            ));
            return;
        }
        if let Some(max) = s.max_length.filter(|&m| len > m) {
            self.out.push(Diagnostic::error(
                "SW2008",
                range,
                format!("'{name}' is {len} characters long but must be at most {max}"),
            ));
            return;
        }
        if let Some(p) = &s.pattern
            && let Some(re) = compiled(p)
            && !re.is_match(value)
        {
            self.out.push(Diagnostic::error(
                "SW2007",
                range,
                format!("'{value}' is not a valid {name}: it must match the pattern {p}"),
            ));
        }
    }

    fn one_of(&mut self, id: NodeId, branches: &[ShapeId], name: &str, key: Option<TextRange>) {
        let mut tried: Vec<(ShapeId, Vec<Diagnostic>)> = Vec::new();
        for &b in branches {
            let saved = std::mem::take(&mut self.out);
            self.value_under(id, b, name, key);
            let found = std::mem::replace(&mut self.out, saved);
            if !found.iter().any(|d| d.severity == Severity::Error) {
                self.out.extend(found);
                return;
            }
            tried.push((b, found));
        }
        // No branch accepts the value: report the branch of the value's own kind that comes
        // closest (for a map with a `Type`, the branch whose `Type` matches), or a type error.
        let tree = &self.t.tree;
        let target = tree.resolve(id);
        let kind_fits = |shape: &Shape| match tree.kind(target) {
            NodeKind::Mapping(_) => matches!(shape.kind, ShapeKind::Object { .. } | ShapeKind::Map { .. }),
            NodeKind::Sequence(_) => matches!(shape.kind, ShapeKind::List { .. }),
            _ => matches!(shape.kind, ShapeKind::String | ShapeKind::Integer | ShapeKind::Number | ShapeKind::Boolean),
        };
        let type_value = tree.get_value(target, "Type").and_then(|v| tree.as_str(v));
        let discriminated = |b: ShapeId| -> bool {
            let (Some(tv), ShapeKind::Object { properties, .. }) = (type_value, &self.shape(b).kind) else {
                return false;
            };
            properties
                .iter()
                .find(|p| p.name == "Type")
                .is_some_and(|p| self.shape(p.shape).enum_values.iter().any(|e| e == tv))
        };
        let best = tried
            .iter()
            .filter(|(b, _)| discriminated(*b))
            .chain(tried.iter().filter(|(b, _)| kind_fits(self.shape(*b))))
            .min_by_key(|(b, errors)| (!discriminated(*b), errors.len()))
            .map(|(_, errors)| errors.clone());
        match best {
            Some(errors) => self.out.extend(errors),
            None => {
                let mut kinds: Vec<&str> = branches.iter().map(|&b| expected_kind(self.shape(b))).collect();
                kinds.dedup();
                let got = match tree.kind(target) {
                    NodeKind::Mapping(_) => "a map",
                    NodeKind::Sequence(_) => "a list",
                    _ => "a single value",
                };
                let range = self.key_range(id);
                self.out.push(Diagnostic::error(
                    "SW2004",
                    range,
                    format!("'{name}' must be {}, not {got}", kinds.join(" or ")),
                ));
            }
        }
    }

    /// An intrinsic function where a value of `shape` is expected: accepted when it can produce
    /// that kind of value; both branches of `Fn::If` are checked.
    fn intrinsic(&mut self, call: &crate::intrinsics::Intrinsic, shape: ShapeId, name: &str, key: Option<TextRange>) {
        let tree = &self.t.tree;
        if call.name == "Fn::If" {
            if let Some(args) = call.args {
                let items = tree.items(tree.resolve(args)).to_vec();
                if items.len() == 3 {
                    self.value_under(items[1], shape, name, key);
                    self.value_under(items[2], shape, name, key);
                }
            }
            return;
        }
        let produces = self.produces(call);
        let s = self.shape(shape);
        let fits = match produces {
            Produces::Nothing | Produces::Unknown => true,
            Produces::Scalar => fits_scalar(&self.rt, s),
            Produces::List => fits_list(&self.rt, s),
        };
        if !fits {
            let what = match produces {
                Produces::List => "a list",
                _ => "a single value",
            };
            let range = call.name_range;
            self.out.push(Diagnostic::error(
                "SW2004",
                range,
                format!("'{name}' must be {}, but {} produces {what}", expected_kind(s), call.name),
            ));
        }
    }

    fn produces(&self, call: &crate::intrinsics::Intrinsic) -> Produces {
        let tree = &self.t.tree;
        match call.name.as_str() {
            "Ref" => {
                let Some(target) = call.args.and_then(|a| tree.as_str(a)) else { return Produces::Unknown };
                if target == "AWS::NoValue" {
                    return Produces::Nothing;
                }
                if target == "AWS::NotificationARNs" {
                    return Produces::List;
                }
                if let Some(p) = self.t.parameter(target) {
                    let ty = p.value.and_then(|v| tree.get_value(v, "Type")).and_then(|ty| tree.as_str(ty));
                    return match ty {
                        Some(ty)
                            if ty.starts_with("List<")
                                || ty.contains("CommaDelimitedList")
                                || ty.contains("<List<") =>
                        {
                            Produces::List
                        }
                        Some(_) => Produces::Scalar,
                        None => Produces::Unknown,
                    };
                }
                if self.t.resource(target).is_some() || target.starts_with("AWS::") {
                    Produces::Scalar
                } else {
                    Produces::Unknown
                }
            }
            "Fn::GetAZs" | "Fn::Split" | "Fn::Cidr" => Produces::List,
            "Fn::Join" | "Fn::Sub" | "Fn::Base64" | "Fn::ImportValue" | "Fn::ToJsonString" | "Fn::Length" => {
                Produces::Scalar
            }
            _ => Produces::Unknown,
        }
    }
}

/// Whether a scalar-producing function fits the shape (scalars fit every scalar kind; maps are
/// not checked, since some services accept a JSON string where the schema says object).
fn fits_scalar(rt: &ResourceType, s: &Shape) -> bool {
    match &s.kind {
        ShapeKind::List { .. } => false,
        ShapeKind::OneOf(b) => b.iter().any(|&b| fits_scalar(rt, &rt.shapes[b as usize])),
        _ => true,
    }
}

fn fits_list(rt: &ResourceType, s: &Shape) -> bool {
    match &s.kind {
        ShapeKind::String | ShapeKind::Integer | ShapeKind::Number | ShapeKind::Boolean => false,
        ShapeKind::OneOf(b) => b.iter().any(|&b| fits_list(rt, &rt.shapes[b as usize])),
        _ => true,
    }
}

fn same_number(a: &str, b: &str) -> bool {
    matches!((a.parse::<f64>(), b.parse::<f64>()), (Ok(x), Ok(y)) if x == y)
}

/// The lifecycle finding for a runtime on date `today` (`YYYY-MM-DD`), if any.
fn runtime_finding(info: &RuntimeInfo, today: &str, range: TextRange) -> Option<Diagnostic> {
    let past = |date: &Option<String>| date.as_deref().is_some_and(|d| d <= today);
    let instead = match &info.successor {
        Some(s) => format!("; move to {s}"),
        None => "; move to a supported runtime".to_owned(),
    };
    if past(&info.create_blocked) {
        return Some(Diagnostic::error(
            "SW2006",
            range,
            format!(
                "runtime '{}' is deprecated and new functions can no longer be created with it (since {}){instead}",
                info.name,
                info.create_blocked.as_deref().unwrap_or_default()
            ),
        ));
    }
    if past(&info.deprecated) {
        return Some(Diagnostic::warning(
            "SW2006",
            range,
            format!(
                "runtime '{}' is deprecated since {}{instead}",
                info.name,
                info.deprecated.as_deref().unwrap_or_default()
            ),
        ));
    }
    None
}

/// The compiled form of a schema pattern, or `None` when `regex` cannot compile it (ECMA features
/// such as look-arounds): such patterns are not checked. Shared through an `Arc` because a cloned
/// `Regex` starts with an empty matching cache, which costs more than the match itself.
fn compiled(pattern: &str) -> Option<Arc<Regex>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<Arc<Regex>>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Mutex::default);
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(found) = cache.get(pattern) {
        return found.clone();
    }
    let built = regex::RegexBuilder::new(pattern).size_limit(1 << 20).build().ok().map(Arc::new);
    cache.insert(pattern.to_owned(), built.clone());
    built
}

#[cfg(test)]
mod tests {
    use samwise_data::cfn::RuntimeInfo;
    use samwise_syntax::{Format, Severity, TextRange};

    use super::runtime_finding;
    use crate::diagnostics::fixture::check_fixture;
    use crate::diagnostics::{CheckContext, check};
    use crate::model::Template;

    #[test]
    fn valid_values() {
        // Intrinsics where they can produce the expected kind, Fn::If branches, AWS::NoValue,
        // list parameters, lenient scalars, aliases, dynamic references, Globals, custom and
        // third-party types.
        check_fixture(
            r#"
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Subnets: { Type: "List<AWS::EC2::Subnet::Id>" }
  Ids: { Type: CommaDelimitedList }
  Memory: { Type: Number, Default: 256 }
Conditions:
  Prod: !Equals [!Ref "AWS::Region", us-east-1]
Globals:
  Function:
    Runtime: python3.13
    Handler: app.handler
Resources:
  Custom:
    Type: Custom::Thing
    Properties: { Anything: [1, 2] }
  ThirdParty:
    Type: MyOrg::Service::Thing
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.13
      Handler: app.handler
      Role: !GetAtt Role.Arn
      MemorySize: !Ref Memory
      Timeout: "30"
      Description: 42
      Code:
        S3Bucket: !Sub "${AWS::AccountId}-code"
        S3Key: &key code.zip
        S3ObjectVersion: *key
      VpcConfig:
        SubnetIds: !If [Prod, !Ref Subnets, !Split [",", "a,b"]]
        SecurityGroupIds: !Ref Ids
      Layers: !If [Prod, [!Ref AWS::NoValue], !Ref "AWS::NoValue"]
      Environment:
        Variables:
          A: !Ref AWS::Region
          B: true
      FunctionName: "{{resolve:ssm:/fn/name}}"
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: { Version: "2012-10-17", Statement: [] }
  Merged:
    Type: AWS::Lambda::Function
    Properties:
      <<: &common { Role: !GetAtt Role.Arn, Code: { ZipFile: x } }
      Handler: index.handler
      Runtime: python3.13
  MergedTwice:
    Type: AWS::Lambda::Function
    Properties:
      <<: [*common, { Handler: index.handler }]
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      FifoQueue: "true"
      DelaySeconds: !If [Prod, 5, !Ref AWS::NoValue]
      Tags: !If [Prod, [{ Key: a, Value: b }], []]
  Subnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: vpc-1
      AvailabilityZone: !Select [0, !GetAZs ""]
      CidrBlock: !Select [0, !Cidr ["10.0.0.0/16", 4, 8]]
  Sam:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://bucket/key.zip
      MemorySize: 512
"#,
            "SW20",
        );
    }

    #[test]
    fn invalid_values() {
        check_fixture(
            r#"
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Name: { Type: String }
Resources:
  Bucket:
    Type: AWS::S3::Buckt
#         ^^^^^^^^^^^^^^ error SW2001: unknown resource type 'AWS::S3::Buckt'; did you mean 'AWS::S3::Bucket'?
  Other:
    Type: AWS::Foo::Bar
#         ^^^^^^^^^^^^^ error SW2001: unknown resource type 'AWS::Foo::Bar'; check the spelling against the CloudFormation resource type reference, or use `Custom::Name` for a custom resource
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.99
#              ^^^^^^^^^^ error SW2005: 'python3.99' is not a valid Runtime; did you mean 'python3.9'?
      Handler: app.handler
      MemorySize: 64
#                 ^^ error SW2009: 'MemorySize' is 64 but must be at least 128
      Timeout: soon
#              ^^^^ error SW2004: 'Timeout' must be an integer, not 'soon'
      FunctionName: "not a valid name!"
#                    ^^^^^^^^^^^^^^^^^ error SW2007: 'not a valid name!' is not a valid FunctionName: it must match the pattern ^([a-zA-Z0-9_-]{1,64}|arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:function:[a-zA-Z0-9_-]{1,64})$
      Architectures: [x86_64, arm64]
#                    ^^^^^^^^^^^^^^^ error SW2009: 'Architectures' has 2 items but allows at most 1
      Code:
        S3Bucket: ab
#                 ^^ error SW2008: 'S3Bucket' is 2 characters long but must be at least 3
        S3Key: code.zip
        S3Buckt: x
#       ^^^^^^^ error SW2002: unknown property 'S3Buckt'; did you mean 'S3Bucket'?
      Role: !Join [",", [a, b]]
      Layers: !Ref Name
#             ^^^^ error SW2004: 'Layers' must be a list, but Ref produces a single value
      Environment:
        Variables: [A, B]
#                  ^^^^^^ error SW2004: 'Variables' must be a map, not a list
      EphemeralStorage: {}
#     ^^^^^^^^^^^^^^^^ error SW2003: 'EphemeralStorage' is missing the required property 'Size': add it
  Old:
    Type: AWS::Lambda::Function
    Properties:
#   ^^^^^^^^^^ error SW2003: resource 'Old' (AWS::Lambda::Function) is missing the required property 'Role': add it
      Runtime: python2.7
#              ^^^^^^^^^ error SW2006: runtime 'python2.7' is deprecated and new functions can no longer be created with it (since 2021-07-15); move to python3.14
      Handler: app.handler
      Code: { ZipFile: "def handler(e, c): pass" }
  MergedBad:
    Type: AWS::Lambda::Function
    Properties:
#   ^^^^^^^^^^ error SW2003: resource 'MergedBad' (AWS::Lambda::Function) is missing the required property 'Role': add it
      <<: { Rolle: x, Code: { ZipFile: x } }
#           ^^^^^ error SW2002: unknown property 'Rolle'; did you mean 'Role'?
      Runtime: python3.13
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      FifoQueue: maybe
#                ^^^^^ error SW2004: 'FifoQueue' must be a boolean (true or false), not 'maybe'
      DelaySeconds: !If [Never, 5, 1200]
#                                  ^^^^ error SW2009: 'DelaySeconds' is 1200 but must be at most 900
      QueueName: !GetAZs ""
#                ^^^^^^^ error SW2004: 'QueueName' must be a string, but Fn::GetAZs produces a list
"#,
            "SW20",
        );
    }

    fn runtime(deprecated: Option<&str>, blocked: Option<&str>) -> RuntimeInfo {
        RuntimeInfo {
            name: "nodejs18.x".into(),
            deprecated: deprecated.map(Into::into),
            create_blocked: blocked.map(Into::into),
            update_blocked: None,
            successor: Some("nodejs22.x".into()),
        }
    }

    #[test]
    fn runtime_lifecycle_by_date() {
        let at = TextRange::new(0, 1);
        let r = runtime(Some("2025-09-01"), Some("2026-02-03"));
        assert!(runtime_finding(&r, "2025-08-31", at).is_none());
        let warning = runtime_finding(&r, "2025-09-01", at).expect("deprecated");
        assert_eq!(warning.severity, Severity::Warning);
        assert_eq!(warning.message, "runtime 'nodejs18.x' is deprecated since 2025-09-01; move to nodejs22.x");
        let error = runtime_finding(&r, "2026-02-03", at).expect("blocked");
        assert_eq!(error.severity, Severity::Error);
        assert!(runtime_finding(&runtime(None, None), "2030-01-01", at).is_none());
    }

    #[test]
    fn json_templates_and_long_form_intrinsics() {
        check_fixture(
            r#"
{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Parameters": { "Ids": { "Type": "CommaDelimitedList" } },
  "Resources": {
    "Queue": {
      "Type": "AWS::SQS::Queue",
      "Properties": {
        "QueueName": { "Ref": "Ids" },
#                      ^^^^^ error SW2004: 'QueueName' must be a string, but Ref produces a list
        "DelaySeconds": { "Fn::If": ["C", "5", "x"] },
#                                               ^ error SW2004: 'DelaySeconds' must be an integer, not 'x'
        "Tags": [{ "Key": "a", "Value": "b", "Extra": 1 }],
#                                            ^^^^^^^ error SW2002: unknown property 'Extra'; valid properties here are Key, Value
        "FifoQueue": { "Fn::Equals": ["a", "b"] }
      }
    }
  }
}
"#,
            "SW20",
        );
    }

    #[test]
    fn dates_from_days() {
        assert_eq!(super::date_of(0), "1970-01-01");
        assert_eq!(super::date_of(11_016), "2000-02-29");
        assert_eq!(super::date_of(20_000), "2024-10-04");
    }

    #[test]
    fn alias_bomb_in_properties_is_bounded() {
        // Nine levels of ten aliases each stand for 10^9 values; the budget stops the walk.
        let mut text = String::from(
            "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      Tags:\n        - &a0 [x]\n",
        );
        for i in 1..10 {
            let prev = format!("*a{}", i - 1);
            text.push_str(&format!("        - &a{i} [{}]\n", vec![prev; 10].join(", ")));
        }
        let t = Template::parse(&text, Format::Yaml);
        let ctx = CheckContext { data: samwise_data::CfnData::embedded(), path: None };
        let start = std::time::Instant::now();
        let found = check(&t, &ctx);
        assert!(start.elapsed().as_secs() < 10, "took {:?}", start.elapsed());
        // Tags items must be maps: the first (`[x]`) is reported, once per written node.
        assert!(found.iter().any(|d| d.code == "SW2004"), "{found:?}");
    }
}
