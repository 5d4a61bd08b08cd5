//! Intrinsic functions: finding every call (short `!Ref x` and long `{"Ref": x}` forms) and the
//! references each makes (`Ref`, `Fn::GetAtt` in both spellings, `${}` variables of `Fn::Sub`
//! including `${Res.Attr}` and the `${!Literal}` escape, `Fn::FindInMap`, `Fn::If`, `Condition`).
//!
//! The walk visits each written node once and does not follow aliases: an anchored node's references
//! are collected where it is written, so an alias bomb costs nothing here.

use samwise_syntax::{Diagnostic, NodeId, NodeKind, TextRange, Tree};

use crate::model::Template;

/// Every intrinsic function: long name and short tag (when YAML has one).
pub const FUNCTIONS: &[(&str, Option<&str>)] = &[
    ("Ref", Some("!Ref")),
    ("Condition", Some("!Condition")),
    ("Fn::Base64", Some("!Base64")),
    ("Fn::Cidr", Some("!Cidr")),
    ("Fn::FindInMap", Some("!FindInMap")),
    ("Fn::GetAtt", Some("!GetAtt")),
    ("Fn::GetAZs", Some("!GetAZs")),
    ("Fn::ImportValue", Some("!ImportValue")),
    ("Fn::Join", Some("!Join")),
    ("Fn::Select", Some("!Select")),
    ("Fn::Split", Some("!Split")),
    ("Fn::Sub", Some("!Sub")),
    ("Fn::Transform", Some("!Transform")),
    ("Fn::And", Some("!And")),
    ("Fn::Equals", Some("!Equals")),
    ("Fn::If", Some("!If")),
    ("Fn::Not", Some("!Not")),
    ("Fn::Or", Some("!Or")),
    ("Fn::Length", None),
    ("Fn::ToJsonString", None),
    ("Fn::ForEach", None),
    ("Fn::GetStackOutput", None),
    // Rule-specific functions (only meaningful in the Rules section).
    ("Fn::Contains", None),
    ("Fn::EachMemberEquals", None),
    ("Fn::EachMemberIn", None),
    ("Fn::RefAll", None),
    ("Fn::ValueOf", None),
    ("Fn::ValueOfAll", None),
];

/// The long name for a short tag (`!GetAtt` -> `Fn::GetAtt`).
pub fn long_name_of_tag(tag: &str) -> Option<&'static str> {
    FUNCTIONS.iter().find(|(_, t)| *t == Some(tag)).map(|(n, _)| *n)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefKind {
    /// `Ref` / `!Ref`: a parameter, resource or pseudo parameter.
    Ref,
    /// `Fn::GetAtt`: a resource (and its attribute).
    GetAtt,
    /// A `${Name}` variable of `Fn::Sub` (a Ref target; `${Res.Attr}` is recorded as `GetAtt`).
    Sub,
    /// A `DependsOn` entry: a resource.
    DependsOn,
    /// `Condition` attribute, `!Condition`, or the first argument of `Fn::If`: a condition.
    Condition,
    /// The first argument of `Fn::FindInMap`: a mapping.
    FindInMap,
}

/// A name used somewhere in the template, with the range of the name itself.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    pub kind: RefKind,
    pub target: String,
    /// The precise range of `target` in the text.
    pub range: TextRange,
    /// `Fn::GetAtt`'s attribute (`Arn`, `Endpoint.Address`).
    pub attribute: Option<String>,
    pub attribute_range: Option<TextRange>,
    /// The node the name was read from.
    pub node: NodeId,
    /// Whether the reference came from inside a `Fn::Sub` string (for renames and messages).
    pub in_sub: bool,
}

impl Reference {
    pub fn new(kind: RefKind, target: &str, range: TextRange, node: NodeId) -> Reference {
        Reference {
            kind,
            target: target.to_owned(),
            range,
            attribute: None,
            attribute_range: None,
            node,
            in_sub: false,
        }
    }
}

/// One intrinsic function call.
#[derive(Debug, Clone, PartialEq)]
pub struct Intrinsic {
    /// Long name (`Fn::GetAtt`), or the written name for unknown functions.
    pub name: String,
    pub short: bool,
    /// The tag or the key naming the function.
    pub name_range: TextRange,
    /// The node that is the call: the tagged node, or the one-key mapping.
    pub node: NodeId,
    /// The argument: for the short form the tagged node itself (read it ignoring its tag), for the
    /// long form the key's value.
    pub args: Option<NodeId>,
}

impl Intrinsic {
    /// Whether `name` is one of CloudFormation's functions.
    pub fn is_known(&self) -> bool {
        FUNCTIONS.iter().any(|(n, _)| *n == self.name)
    }
}

/// The intrinsic call a node is, if any.
pub fn intrinsic_at(tree: &Tree, id: NodeId) -> Option<Intrinsic> {
    let node = tree.node(id);
    if let Some(tag) = &node.tag {
        let name = long_name_of_tag(&tag.name).map(str::to_owned).unwrap_or_else(|| tag.name.clone());
        return Some(Intrinsic { name, short: true, name_range: tag.range, node: id, args: Some(id) });
    }
    let NodeKind::Mapping(m) = &node.kind else { return None };
    if m.entries.len() != 1 {
        return None;
    }
    let e = &m.entries[0];
    let key = tree.as_str(e.key)?;
    if key == "Ref" || key == "Condition" || key.starts_with("Fn::") {
        return Some(Intrinsic {
            name: key.to_owned(),
            short: false,
            name_range: tree.node(e.key).range,
            node: id,
            args: e.value,
        });
    }
    None
}

pub(crate) struct Collected {
    pub intrinsics: Vec<Intrinsic>,
    pub references: Vec<Reference>,
    pub diagnostics: Vec<Diagnostic>,
}

pub(crate) fn collect(template: &Template, root: NodeId) -> Collected {
    let mut c = Collector {
        tree: &template.tree,
        text: &template.text,
        out: Collected { intrinsics: Vec::new(), references: Vec::new(), diagnostics: Vec::new() },
    };
    // `Condition` as a one-key mapping is a function only in conditions and inside condition
    // functions; elsewhere (a resource's `Condition:` attribute) it is an attribute.
    for e in template.tree.entries(root) {
        if let Some(v) = e.value {
            let in_conditions = template.tree.key_str(e) == "Conditions";
            if in_conditions {
                for ce in template.tree.entries(v) {
                    if let Some(cv) = ce.value {
                        c.walk(cv, true);
                    }
                }
            } else {
                c.walk(v, false);
            }
        }
    }
    c.out
}

struct Collector<'a> {
    tree: &'a Tree,
    /// The source text: `${}` positions are found in the raw spelling of a Sub string.
    text: &'a str,
    out: Collected,
}

impl Collector<'_> {
    fn walk(&mut self, id: NodeId, condition_context: bool) {
        let node = self.tree.node(id);
        if matches!(node.kind, NodeKind::Alias(_)) {
            return;
        }
        if let Some(call) = intrinsic_at(self.tree, id)
            && (call.name != "Condition" || call.short || condition_context)
        {
            self.call(&call);
            let cond_args = matches!(call.name.as_str(), "Fn::And" | "Fn::Or" | "Fn::Not" | "Fn::If");
            self.out.intrinsics.push(call.clone());
            // Walk the arguments for nested calls.
            if call.short {
                self.walk_children(id, cond_args);
            } else if let Some(a) = call.args {
                self.walk(a, cond_args);
            }
            return;
        }
        self.walk_children(id, condition_context);
    }

    fn walk_children(&mut self, id: NodeId, condition_context: bool) {
        match &self.tree.node(id).kind {
            NodeKind::Mapping(m) => {
                for e in &m.entries {
                    if let Some(v) = e.value {
                        self.walk(v, condition_context);
                    }
                }
            }
            NodeKind::Sequence(s) => {
                for &i in &s.items {
                    self.walk(i, condition_context);
                }
            }
            _ => {}
        }
    }

    fn reference(&mut self, kind: RefKind, id: NodeId) {
        let node = self.tree.node(id);
        if let Some(s) = self.tree.as_str(id)
            && !matches!(node.kind, NodeKind::Alias(_))
        {
            self.out.references.push(Reference::new(kind, s, value_range(self.tree, id), id));
        }
    }

    /// Records the references of one call; malformed arguments are left to the diagnostics.
    fn call(&mut self, call: &Intrinsic) {
        let Some(args) = call.args else { return };
        let tree = self.tree;
        let arg_is_scalar = matches!(tree.node(args).kind, NodeKind::Scalar(_));
        let nested_call = !call.short && intrinsic_at(tree, args).is_some();
        match call.name.as_str() {
            "Ref" if arg_is_scalar && !nested_call => self.reference(RefKind::Ref, args),
            "Condition" if arg_is_scalar => self.reference(RefKind::Condition, args),
            "Fn::GetAtt" => self.get_att(call, args),
            "Fn::Sub" => self.sub(call, args),
            "Fn::FindInMap" => {
                if let Some(&first) = tree.items(args).first()
                    && intrinsic_at(tree, first).is_none()
                {
                    self.reference(RefKind::FindInMap, first);
                }
            }
            "Fn::If" => {
                if let Some(&first) = tree.items(args).first()
                    && intrinsic_at(tree, first).is_none()
                {
                    self.reference(RefKind::Condition, first);
                }
            }
            _ => {}
        }
    }

    fn get_att(&mut self, call: &Intrinsic, args: NodeId) {
        let tree = self.tree;
        let node = tree.node(args);
        match &node.kind {
            // `!GetAtt Res.Attr` (and the long form with a dotted string).
            NodeKind::Scalar(s) if !call.short || node.tag.is_some() => {
                let text = s.value.as_str();
                let (res, attr) = match text.split_once('.') {
                    Some((r, a)) => (r, Some(a)),
                    None => (text, None),
                };
                let start = node.range.start + quote_offset(tree, args);
                let mut r = Reference::new(RefKind::GetAtt, res, TextRange::new(start, start + res.len() as u32), args);
                if let Some(a) = attr {
                    let a_start = start + res.len() as u32 + 1;
                    r.attribute = Some(a.to_owned());
                    r.attribute_range = Some(TextRange::new(a_start, a_start + a.len() as u32));
                }
                self.out.references.push(r);
            }
            NodeKind::Sequence(seq) => {
                let Some(&res) = seq.items.first() else { return };
                if intrinsic_at(tree, res).is_some() {
                    return;
                }
                let Some(name) = tree.as_str(res) else { return };
                let mut r = Reference::new(RefKind::GetAtt, name, value_range(tree, res), res);
                if let Some(&attr) = seq.items.get(1)
                    && intrinsic_at(tree, attr).is_none()
                    && let Some(a) = tree.as_str(attr)
                {
                    r.attribute = Some(a.to_owned());
                    r.attribute_range = Some(value_range(tree, attr));
                }
                self.out.references.push(r);
            }
            _ => {}
        }
    }

    fn sub(&mut self, call: &Intrinsic, args: NodeId) {
        let tree = self.tree;
        let (string, vars) = match &tree.node(args).kind {
            NodeKind::Scalar(_) if call.short || tree.node(args).tag.is_none() => (Some(args), None),
            NodeKind::Sequence(s) => (s.items.first().copied(), s.items.get(1).copied()),
            _ => (None, None),
        };
        let Some(string) = string else { return };
        if !matches!(tree.node(string).kind, NodeKind::Scalar(_)) || (string != args && tree.node(string).tag.is_some())
        {
            return;
        }
        let local: Vec<&str> =
            vars.map(|v| tree.entries(v).iter().map(|e| tree.key_str(e)).collect()).unwrap_or_default();
        let range = tree.node(string).range;
        let raw = self.text.get(range.as_range()).unwrap_or("");
        for var in sub_variables(raw) {
            if local.contains(&var.name.as_str()) {
                continue;
            }
            let start = range.start + var.offset as u32;
            let name_range = TextRange::new(start, start + var.name.len() as u32);
            let mut r = match var.name.split_once('.') {
                Some((res, attr)) if !var.name.starts_with("AWS::") => {
                    let mut r =
                        Reference::new(RefKind::GetAtt, res, TextRange::new(start, start + res.len() as u32), string);
                    let a = start + res.len() as u32 + 1;
                    r.attribute = Some(attr.to_owned());
                    r.attribute_range = Some(TextRange::new(a, a + attr.len() as u32));
                    r
                }
                _ => Reference::new(RefKind::Sub, &var.name, name_range, string),
            };
            r.in_sub = true;
            self.out.references.push(r);
        }
    }
}

/// The range of a scalar's text without its quotes (for a one-line quoted scalar).
pub fn value_range(tree: &Tree, id: NodeId) -> TextRange {
    let r = tree.node(id).range;
    if quote_offset(tree, id) == 1 && r.len() >= 2 { TextRange::new(r.start + 1, r.end - 1) } else { r }
}

/// For a quoted scalar the value starts one byte after the node's range start.
fn quote_offset(tree: &Tree, id: NodeId) -> u32 {
    match &tree.node(id).kind {
        NodeKind::Scalar(s)
            if matches!(
                s.style,
                samwise_syntax::ScalarStyle::SingleQuoted | samwise_syntax::ScalarStyle::DoubleQuoted
            ) =>
        {
            1
        }
        _ => 0,
    }
}

/// A `${Name}` variable in a `Fn::Sub` string: the name and its byte offset in the string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubVariable {
    pub name: String,
    pub offset: usize,
}

/// The variables of a `Fn::Sub` string, skipping `${!Literal}` escapes.
pub fn sub_variables(s: &str) -> Vec<SubVariable> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] == b'$' && b[i + 1] == b'{' {
            let start = i + 2;
            let Some(len) = s[start..].find('}') else { break };
            let name = &s[start..start + len];
            if !name.starts_with('!') && !name.is_empty() {
                out.push(SubVariable {
                    name: name.trim().to_owned(),
                    offset: start + (name.len() - name.trim_start().len()),
                });
            }
            i = start + len + 1;
        } else {
            i += 1;
        }
    }
    out
}
