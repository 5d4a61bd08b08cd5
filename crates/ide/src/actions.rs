//! Code actions: quick fixes of diagnostics, and the AWS CLI equivalents of boto3 calls (Python).
//!
//! Three kinds, all for diagnostics overlapping the requested range:
//! - the fixes a rule attaches to its diagnostic (did-you-mean replacements), as they are;
//! - for a missing required property (`SW2003`), inserting the missing keys, read from the schema,
//!   into the object that lacks them (a resource's `Properties`, created when absent, or a nested
//!   property object), after its last entry at its indentation;
//! - for a `Ref` or a `${Name}` in Fn::Sub naming something undefined (`SW3001`, `SW3004`), a new
//!   `String` parameter of that name at the end of `Parameters`, creating the section before
//!   `Resources` when there is none.
//!
//! Inserted text follows the document's own layout: its indentation step, YAML block style or JSON.

use samwise_data::cfn::{ResourceType, ShapeId, ShapeKind};
use samwise_syntax::{Diagnostic, Format, NodeId, NodeKind, TextEdit, TextRange};
use samwise_template::{Resource, Template};

use crate::{Analysis, CodeAction, FileEdit};

pub(crate) fn code_actions(a: &Analysis, range: TextRange) -> Vec<CodeAction> {
    let overlaps = |d: &Diagnostic| d.range.start <= range.end && range.start <= d.range.end;
    let mut out: Vec<CodeAction> = Vec::new();
    // The fixes rules attach apply to every document kind (templates and Python alike); the
    // template-specific actions below need the model.
    let template = a.template();
    for d in a.diagnostics().iter().filter(|d| overlaps(d)) {
        for (i, fix) in d.fixes.iter().enumerate() {
            out.push(quick_fix(d, fix.title.clone(), fix.edits.clone(), i == 0));
        }
        let Some(t) = template else { continue };
        let extra = match d.code {
            "SW2003" => add_required_properties(a, t, d),
            "SW3001" | "SW3004" => create_parameter(a, t, d),
            _ => None,
        };
        out.extend(extra);
    }
    if let Some(py) = a.python() {
        out.extend(aws_cli_actions(a, py, range));
    }
    // A rule reporting each missing property separately would otherwise offer the same action twice.
    let mut seen = Vec::new();
    out.retain(|action| {
        let key = (action.title.clone(), action.edits.clone());
        let new = !seen.contains(&key);
        seen.push(key);
        new
    });
    out
}

/// The AWS CLI equivalents of issue 12: the command of the boto3 call at the cursor, inserted as a
/// comment above its line, and the boto3 call of an `aws ...` command line in a comment or string.
///
/// The command is inserted rather than copied because a code action here carries edits only; a
/// clipboard command would need a client-side command (`samwise.copyToClipboard`) the shims lack.
fn aws_cli_actions(a: &Analysis, py: &samwise_boto::PyFile, range: TextRange) -> Vec<CodeAction> {
    let models = crate::python::models(a.config());
    let text = py.text();
    let mut out = Vec::new();
    let refactor = |title: String, edit: TextEdit| CodeAction {
        title,
        is_quickfix: false,
        diagnostic_code: None,
        edits: vec![FileEdit { path: None, edits: vec![edit], target_text: None }],
        is_preferred: false,
    };
    if let Some(cli) = py.cli_command(models, range.start) {
        let start = cli.call_range.start as usize;
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let indent: String = text[line_start..].chars().take_while(|c| *c == ' ' || *c == '\t').collect();
        let at = TextRange::new(line_start as u32, line_start as u32);
        let edit = TextEdit { range: at, new_text: format!("{indent}# {}\n", cli.command) };
        out.push(refactor("Insert the equivalent AWS CLI command as a comment".into(), edit));
    }
    if let Some(b) = py.boto3_from_cli(models, range.start) {
        let mut title = "Convert AWS CLI command to boto3 call".to_owned();
        if !b.skipped.is_empty() {
            title.push_str(&format!(" (skips {})", b.skipped.join(", ")));
        }
        out.push(refactor(title, b.edit));
    }
    out
}

fn quick_fix(d: &Diagnostic, title: String, edits: Vec<TextEdit>, is_preferred: bool) -> CodeAction {
    CodeAction {
        title,
        is_quickfix: true,
        diagnostic_code: Some(d.code.to_owned()),
        edits: vec![FileEdit { path: None, edits, target_text: None }],
        is_preferred,
    }
}

// ---------------------------------------------------------------------------------------------
// Layout
// ---------------------------------------------------------------------------------------------

/// The text's layout facts the insertions need.
struct Layout<'a> {
    text: &'a str,
    /// The indentation step (two spaces unless the document uses another).
    unit: String,
}

impl<'a> Layout<'a> {
    fn new(t: &'a Template) -> Layout<'a> {
        let text: &str = &t.text;
        let mut layout = Layout { text, unit: "  ".into() };
        // The step is how far the first nested key sits right of its section's key.
        if let Some(root) = t.root() {
            for e in t.tree.entries(root) {
                if let Some(first) = e.value.and_then(|v| t.tree.entries(v).first()) {
                    let outer = layout.column(t.tree.node(e.key).range.start);
                    let inner = layout.column(t.tree.node(first.key).range.start);
                    if inner > outer && layout.starts_line(t.tree.node(first.key).range.start) {
                        layout.unit = " ".repeat((inner - outer) as usize);
                        break;
                    }
                }
            }
        }
        layout
    }

    fn line_start(&self, offset: u32) -> u32 {
        self.text[..offset as usize].rfind('\n').map_or(0, |i| i as u32 + 1)
    }

    fn column(&self, offset: u32) -> u32 {
        offset - self.line_start(offset)
    }

    /// Whether only whitespace precedes `offset` on its line (a block key, not a flow one).
    fn starts_line(&self, offset: u32) -> bool {
        self.text[self.line_start(offset) as usize..offset as usize].trim().is_empty()
    }

    fn indent_at(&self, offset: u32) -> String {
        " ".repeat(self.column(offset) as usize)
    }

    /// Where a new line goes after the content ending at `end`: after that line's newline. When the
    /// text ends without one, the insertion must start with a newline (the bool).
    fn after_line(&self, end: u32) -> (u32, bool) {
        if end > 0 && self.text.as_bytes()[end as usize - 1] == b'\n' {
            return (end, false);
        }
        match self.text[end as usize..].find('\n') {
            Some(i) => (end + i as u32 + 1, false),
            None => (self.text.len() as u32, true),
        }
    }

    /// An edit adding `lines` (already indented, without newlines) as new lines after `end`'s line.
    fn lines_after(&self, end: u32, lines: &[String]) -> TextEdit {
        let (at, newline_first) = self.after_line(end);
        let mut new_text = if newline_first { "\n".to_owned() } else { String::new() };
        for l in lines {
            new_text.push_str(l);
            new_text.push('\n');
        }
        if newline_first {
            new_text.pop();
        }
        TextEdit { range: TextRange::empty(at), new_text }
    }
}

/// The end of a mapping's last entry (its value, or its key when it has none).
fn last_entry_end(t: &Template, mapping: NodeId) -> Option<u32> {
    t.tree.entries(mapping).last().map(|e| t.tree.entry_range(e).end)
}

/// Whether a node is absent in effect: no value, or an empty plain scalar (`Key:` then nothing).
fn is_empty_value(t: &Template, value: Option<NodeId>) -> bool {
    value.is_none_or(|v| matches!(&t.tree.node(v).kind, NodeKind::Scalar(s) if s.is_null() && s.value.is_empty()))
}

/// Whether a mapping is a block mapping with entries (where YAML lines can be appended).
fn is_block_with_entries(t: &Template, id: NodeId) -> bool {
    matches!(&t.tree.node(id).kind, NodeKind::Mapping(m) if !m.flow && !m.entries.is_empty())
}

// ---------------------------------------------------------------------------------------------
// SW2003: add the missing required properties
// ---------------------------------------------------------------------------------------------

fn add_required_properties(a: &Analysis, t: &Template, d: &Diagnostic) -> Option<CodeAction> {
    let r = t.resources.iter().find(|r| {
        let whole = r.value.map_or(r.key_range, |v| r.key_range.cover(t.tree.node(v).full_range()));
        whole.contains_range(d.range)
    })?;
    let rt = a.data().resource_type(r.type_name.as_deref()?)?;
    let (object, shape) = object_at(t, &rt, r, d.range.start);
    let ShapeKind::Object { required, .. } = &rt.shapes[shape as usize].kind else { return None };
    let top = object.is_none() || object == r.properties;
    let missing: Vec<&str> = required
        .iter()
        .map(String::as_str)
        .filter(|name| match object {
            // SAM Globals supply top-level properties of SAM resources.
            _ if top => t.effective_property(r, name).is_none(),
            Some(o) => t.tree.get(o, name).is_none(),
            None => true,
        })
        .collect();
    if missing.is_empty() {
        return None;
    }
    let layout = Layout::new(t);
    let edit = match object {
        Some(o) => insert_keys(t, &layout, o, &missing)?,
        None => insert_properties(t, &layout, r, &missing)?,
    };
    let title = match missing.as_slice() {
        [one] => format!("Add required property '{one}'"),
        many => format!("Add required properties {}", many.join(", ")),
    };
    Some(quick_fix(d, title, vec![edit], true))
}

/// The object the diagnostic is about and its shape: the innermost property object (a mapping
/// whose schema shape is an object) on the way from the resource's `Properties` to the diagnostic;
/// `Properties` itself when the diagnostic is outside it (on the logical id or `Type`), and `None`
/// when the resource has no `Properties` yet.
fn object_at(t: &Template, rt: &ResourceType, r: &Resource, at: u32) -> (Option<NodeId>, ShapeId) {
    let Some(props) = r.properties.filter(|&p| t.tree.mapping(p).is_some()) else {
        return (None, rt.properties);
    };
    let tree = &t.tree;
    let mut chain = tree.path_at(at);
    // On a key, the object meant is the key's value.
    if let [.., parent, key] = chain[..]
        && let Some(value) = tree.entries(parent).iter().find(|e| e.key == key).and_then(|e| e.value)
    {
        chain.pop();
        chain.push(value);
    }
    let mut best = (Some(props), rt.properties);
    let Some(pos) = chain.iter().position(|&n| n == props) else { return best };
    let mut cur = props;
    let mut shape = rt.properties;
    for &next in &chain[pos + 1..] {
        let next_shape = match (&rt.shapes[object_shape(rt, shape, tree.node(cur)) as usize].kind, &tree.node(cur).kind)
        {
            (ShapeKind::Object { properties, .. }, NodeKind::Mapping(m)) => {
                let Some(e) = m.entries.iter().find(|e| e.value == Some(next)) else { break };
                let name = tree.key_str(e);
                let Some(p) = properties.iter().find(|p| p.name == name) else { break };
                p.shape
            }
            (ShapeKind::Map { value }, NodeKind::Mapping(_)) => *value,
            (ShapeKind::List { item }, NodeKind::Sequence(_)) => *item,
            _ => break,
        };
        cur = next;
        shape = object_shape(rt, next_shape, tree.node(next));
        if matches!(tree.node(next).kind, NodeKind::Mapping(_))
            && matches!(rt.shapes[shape as usize].kind, ShapeKind::Object { .. })
        {
            best = (Some(next), shape);
        }
    }
    best
}

/// A shape with `OneOf` resolved to the branch that fits the node's kind (an object or map for a
/// mapping, a list for a sequence), when there is one.
fn object_shape(rt: &ResourceType, shape: ShapeId, node: &samwise_syntax::Node) -> ShapeId {
    let ShapeKind::OneOf(branches) = &rt.shapes[shape as usize].kind else { return shape };
    let fits = |s: &ShapeId| {
        matches!(
            (&rt.shapes[*s as usize].kind, &node.kind),
            (ShapeKind::Object { .. } | ShapeKind::Map { .. }, NodeKind::Mapping(_))
                | (ShapeKind::List { .. }, NodeKind::Sequence(_))
        )
    };
    branches.iter().copied().find(|s| fits(s)).unwrap_or(shape)
}

/// Keys added to an existing object: `Name: ` lines (YAML) or `"Name": ` members (JSON), left for
/// the user to fill in.
fn insert_keys(t: &Template, layout: &Layout, object: NodeId, names: &[&str]) -> Option<TextEdit> {
    let tree = &t.tree;
    if t.format == Format::Json {
        let node = tree.node(object);
        return Some(match last_entry_end(t, object) {
            Some(end) => {
                let indent = layout.indent_at(tree.node(tree.entries(object)[0].key).range.start);
                let members: String = names.iter().map(|n| format!(",\n{indent}\"{n}\": ")).collect();
                TextEdit { range: TextRange::empty(end), new_text: members }
            }
            None => {
                let outer = " ".repeat(first_non_space(layout, node) as usize);
                let inner = format!("{outer}{}", layout.unit);
                let members: Vec<String> = names.iter().map(|n| format!("{inner}\"{n}\": ")).collect();
                TextEdit {
                    range: TextRange::empty(node.range.start + 1),
                    new_text: format!("\n{}\n{outer}", members.join(",\n")),
                }
            }
        });
    }
    if let NodeKind::Mapping(m) = &tree.node(object).kind
        && m.flow
    {
        // `{A: 1}` -> `{A: 1, Name: }`; YAML reads the empty value as null until it is filled in.
        let keys = names.iter().map(|n| format!("{n}: ")).collect::<Vec<_>>().join(", ");
        return Some(match last_entry_end(t, object) {
            Some(end) => TextEdit { range: TextRange::empty(end), new_text: format!(", {keys}") },
            None => TextEdit { range: TextRange::empty(tree.node(object).range.start + 1), new_text: keys },
        });
    }
    if is_block_with_entries(t, object) {
        let indent = layout.indent_at(tree.node(tree.entries(object)[0].key).range.start);
        let lines: Vec<String> = names.iter().map(|n| format!("{indent}{n}: ")).collect();
        return Some(layout.lines_after(last_entry_end(t, object)?, &lines));
    }
    None
}

/// The column of the first non-blank character on a node's first line (the line's indentation).
fn first_non_space(layout: &Layout, node: &samwise_syntax::Node) -> u32 {
    let start = layout.line_start(node.range.start);
    let line = &layout.text[start as usize..];
    (line.len() - line.trim_start_matches(' ').len()) as u32
}

/// A `Properties` entry holding the keys, added to a resource without one (or with an empty one).
fn insert_properties(t: &Template, layout: &Layout, r: &Resource, names: &[&str]) -> Option<TextEdit> {
    let tree = &t.tree;
    let value = r.value?;
    let first_key = tree.node(tree.entries(value).first()?.key).range.start;
    let indent = layout.indent_at(first_key);
    let inner = format!("{indent}{}", layout.unit);
    if t.format == Format::Json {
        let members: Vec<String> = names.iter().map(|n| format!("{inner}\"{n}\": ")).collect();
        let new_text = format!(",\n{indent}\"Properties\": {{\n{}\n{indent}}}", members.join(",\n"));
        return Some(TextEdit { range: TextRange::empty(last_entry_end(t, value)?), new_text });
    }
    if !is_block_with_entries(t, value) {
        return None;
    }
    let keys = names.iter().map(|n| format!("{inner}{n}: "));
    match tree.get(value, "Properties") {
        // `Properties:` with nothing after it: the keys go under it.
        Some(e) if is_empty_value(t, e.value) => {
            let lines: Vec<String> = keys.collect();
            Some(layout.lines_after(tree.node(e.key).range.end, &lines))
        }
        Some(_) => None,
        None => {
            let lines: Vec<String> = std::iter::once(format!("{indent}Properties:")).chain(keys).collect();
            Some(layout.lines_after(last_entry_end(t, value)?, &lines))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// SW3001/SW3004: create the missing parameter
// ---------------------------------------------------------------------------------------------

fn create_parameter(a: &Analysis, t: &Template, d: &Diagnostic) -> Option<CodeAction> {
    let name = a.text().get(d.range.as_range())?;
    // Only names that can be parameters: `Res.Attr` or `AWS::Thing` cannot.
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let layout = Layout::new(t);
    let edit =
        if t.format == Format::Json { json_parameter(t, &layout, name)? } else { yaml_parameter(t, &layout, name)? };
    // Preferred only when no did-you-mean fix says the name is a typo.
    Some(quick_fix(d, format!("Create parameter '{name}'"), vec![edit], d.fixes.is_empty()))
}

fn yaml_parameter(t: &Template, layout: &Layout, name: &str) -> Option<TextEdit> {
    let tree = &t.tree;
    let root = t.root()?;
    let unit = &layout.unit;
    if let Some(e) = tree.get(root, "Parameters") {
        if let Some(v) = e.value.filter(|&v| is_block_with_entries(t, v)) {
            let indent = layout.indent_at(tree.node(tree.entries(v)[0].key).range.start);
            let lines = [format!("{indent}{name}:"), format!("{indent}{unit}Type: String")];
            return Some(layout.lines_after(last_entry_end(t, v)?, &lines));
        }
        if is_empty_value(t, e.value) {
            let indent = format!("{}{unit}", layout.indent_at(tree.node(e.key).range.start));
            let lines = [format!("{indent}{name}:"), format!("{indent}{unit}Type: String")];
            return Some(layout.lines_after(tree.node(e.key).range.end, &lines));
        }
        // A flow mapping or a value of the wrong shape: not something to append lines to.
        return None;
    }
    let section = format!("Parameters:\n{unit}{name}:\n{unit}{unit}Type: String\n");
    match tree.get(root, "Resources") {
        Some(res) if layout.starts_line(tree.node(res.key).range.start) => {
            let at = layout.line_start(tree.node(res.key).range.start);
            let indent = layout.indent_at(tree.node(res.key).range.start);
            let new_text = section.lines().map(|l| format!("{indent}{l}\n")).collect();
            Some(TextEdit { range: TextRange::empty(at), new_text })
        }
        _ => {
            let lines: Vec<String> = section.lines().map(str::to_owned).collect();
            Some(layout.lines_after(tree.node(root).range.end, &lines))
        }
    }
}

fn json_parameter(t: &Template, layout: &Layout, name: &str) -> Option<TextEdit> {
    let tree = &t.tree;
    let root = t.root()?;
    let member = format!("\"{name}\": {{ \"Type\": \"String\" }}");
    if let Some(e) = tree.get(root, "Parameters") {
        let v = e.value.filter(|&v| tree.mapping(v).is_some())?;
        return Some(match last_entry_end(t, v) {
            Some(end) => {
                let indent = layout.indent_at(tree.node(tree.entries(v)[0].key).range.start);
                TextEdit { range: TextRange::empty(end), new_text: format!(",\n{indent}{member}") }
            }
            None => TextEdit { range: TextRange::empty(tree.node(v).range.start + 1), new_text: format!(" {member} ") },
        });
    }
    let first = tree.entries(root).first()?;
    let anchor = tree.get(root, "Resources").unwrap_or(first);
    let at = tree.node(anchor.key).range.start;
    let indent = layout.indent_at(at);
    let unit = &layout.unit;
    let new_text = format!("\"Parameters\": {{\n{indent}{unit}{member}\n{indent}}},\n{indent}");
    Some(TextEdit { range: TextRange::empty(at), new_text })
}

#[cfg(test)]
mod tests {
    //! The SW2003 fix with diagnostics made here: the action reads the missing properties from the
    //! schema itself, so it only needs to know where the rule reported.

    use std::path::Path;
    use std::sync::Arc;

    use expect_test::{Expect, expect};

    use super::*;
    use crate::Config;

    /// The fix for an SW2003 diagnostic on `on` (the first occurrence), applied to the text.
    fn add_required(text: &str, on: &str, expect: Expect) {
        let name = if text.starts_with('{') { "template.json" } else { "template.yaml" };
        let a = Analysis::new(Some(Path::new(name)), Arc::from(text), &Config::default());
        let t = a.template().expect("a template");
        let start = text.find(on).expect("marker text") as u32;
        let d = Diagnostic::error("SW2003", TextRange::new(start, start + on.len() as u32), "missing");
        let out = match add_required_properties(&a, t, &d) {
            None => "no action\n".to_owned(),
            Some(action) => {
                let mut edits = action.edits[0].edits.clone();
                edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
                let mut out = text.to_owned();
                for e in edits {
                    out.replace_range(e.range.as_range(), &e.new_text);
                }
                format!("== {}\n{out}", action.title)
            }
        };
        expect.assert_eq(&out);
    }

    #[test]
    fn adds_top_level_properties_after_the_last_one() {
        add_required(
            "Resources:\n  Sub:\n    Type: AWS::SNS::Subscription\n    Properties:\n      Region: us-east-1\n  Next:\n    Type: AWS::SNS::Topic\n",
            "Sub",
            expect![[r#"
                == Add required properties TopicArn, Protocol
                Resources:
                  Sub:
                    Type: AWS::SNS::Subscription
                    Properties:
                      Region: us-east-1
                      TopicArn: 
                      Protocol: 
                  Next:
                    Type: AWS::SNS::Topic
            "#]],
        );
    }

    #[test]
    fn creates_properties_when_absent_and_fills_an_empty_one() {
        add_required(
            "Resources:\n    Fn:\n        Type: AWS::Lambda::Function\n        DependsOn: X\nOutputs: {}\n",
            "AWS::Lambda::Function",
            expect![[r#"
                == Add required properties Code, Role
                Resources:
                    Fn:
                        Type: AWS::Lambda::Function
                        DependsOn: X
                        Properties:
                            Code: 
                            Role: 
                Outputs: {}
            "#]],
        );
        add_required(
            "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n    Condition: C\n",
            "Properties",
            expect![[r#"
                == Add required properties Code, Role
                Resources:
                  Fn:
                    Type: AWS::Lambda::Function
                    Properties:
                      Code: 
                      Role: 
                    Condition: C
            "#]],
        );
    }

    #[test]
    fn adds_nested_required_properties_inside_lists() {
        add_required(
            "Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      KeySchema:\n        - AttributeName: id\n      BillingMode: PAY_PER_REQUEST\n",
            "AttributeName",
            expect![[r#"
                == Add required property 'KeyType'
                Resources:
                  T:
                    Type: AWS::DynamoDB::Table
                    Properties:
                      KeySchema:
                        - AttributeName: id
                          KeyType: 
                      BillingMode: PAY_PER_REQUEST
            "#]],
        );
    }

    #[test]
    fn sam_globals_count_as_present() {
        let resource =
            "Resources:\n  Layer:\n    Type: AWS::Serverless::LayerVersion\n    Properties:\n      LayerName: l\n";
        add_required(
            &format!(
                "Transform: AWS::Serverless-2016-10-31\nGlobals:\n  LayerVersion:\n    ContentUri: layer/\n{resource}"
            ),
            "Layer",
            expect![[r#"
                no action
            "#]],
        );
        // The same resource without the Globals lacks it.
        add_required(
            &format!("Transform: AWS::Serverless-2016-10-31\n{resource}"),
            "Layer",
            expect![[r#"
                == Add required property 'ContentUri'
                Transform: AWS::Serverless-2016-10-31
                Resources:
                  Layer:
                    Type: AWS::Serverless::LayerVersion
                    Properties:
                      LayerName: l
                      ContentUri: 
            "#]],
        );
    }

    #[test]
    fn adds_members_in_json() {
        add_required(
            "{\n  \"Resources\": {\n    \"Sub\": {\n      \"Type\": \"AWS::SNS::Subscription\",\n      \"Properties\": {\n        \"Region\": \"us-east-1\"\n      }\n    },\n    \"Fn\": {\n      \"Type\": \"AWS::Lambda::Function\"\n    }\n  }\n}\n",
            "Sub",
            expect![[r#"
                == Add required properties TopicArn, Protocol
                {
                  "Resources": {
                    "Sub": {
                      "Type": "AWS::SNS::Subscription",
                      "Properties": {
                        "Region": "us-east-1",
                        "TopicArn": ,
                        "Protocol": 
                      }
                    },
                    "Fn": {
                      "Type": "AWS::Lambda::Function"
                    }
                  }
                }
            "#]],
        );
        add_required(
            "{\n  \"Resources\": {\n    \"Fn\": {\n      \"Type\": \"AWS::Lambda::Function\"\n    }\n  }\n}\n",
            "Fn",
            expect![[r#"
                == Add required properties Code, Role
                {
                  "Resources": {
                    "Fn": {
                      "Type": "AWS::Lambda::Function",
                      "Properties": {
                        "Code": ,
                        "Role": 
                      }
                    }
                  }
                }
            "#]],
        );
        add_required(
            "{\"Resources\": {\"Fn\": {\"Type\": \"AWS::Lambda::Function\", \"Properties\": {}}}}\n",
            "Properties",
            expect![[r#"
                == Add required properties Code, Role
                {"Resources": {"Fn": {"Type": "AWS::Lambda::Function", "Properties": {
                  "Code": ,
                  "Role": 
                }}}}
            "#]],
        );
    }
}
