//! Documentation text shared by completion (`completionItem/resolve`) and hover: the intrinsic
//! function table, pseudo parameters, and Markdown for resource types, properties and attributes.

use samwise_data::cfn::{Attribute, Property, ResourceType, ShapeId};

use super::schema;

/// Intrinsic functions: long name, one-line summary, syntax.
/// Written for this project from the CloudFormation user guide's function reference.
pub(crate) const INTRINSICS: &[(&str, &str, &str)] = &[
    (
        "Ref",
        "Returns the value of a parameter or the physical id (or main identifier) of a resource.",
        "Ref: LogicalName",
    ),
    (
        "Condition",
        "Refers to a condition defined in the `Conditions` section (inside condition functions).",
        "Condition: ConditionName",
    ),
    ("Fn::Base64", "Returns the Base64 encoding of a string (used for EC2 `UserData`).", "Fn::Base64: valueToEncode"),
    (
        "Fn::Cidr",
        "Returns a list of CIDR address blocks carved out of a larger block.",
        "Fn::Cidr: [ipBlock, count, cidrBits]",
    ),
    (
        "Fn::FindInMap",
        "Returns the value stored under two keys of a map in the `Mappings` section.",
        "Fn::FindInMap: [MapName, TopLevelKey, SecondLevelKey]",
    ),
    (
        "Fn::GetAtt",
        "Returns the value of an attribute of a resource in the template.",
        "Fn::GetAtt: [LogicalName, AttributeName]  (short: !GetAtt LogicalName.AttributeName)",
    ),
    ("Fn::GetAZs", "Returns the Availability Zones of a region (the stack's region for \"\").", "Fn::GetAZs: region"),
    (
        "Fn::ImportValue",
        "Returns the value of an output exported by another stack.",
        "Fn::ImportValue: sharedValueToImport",
    ),
    ("Fn::Join", "Joins a list of values with a delimiter.", "Fn::Join: [delimiter, [value1, value2]]"),
    ("Fn::Select", "Returns the item at an index of a list.", "Fn::Select: [index, listOfObjects]"),
    ("Fn::Split", "Splits a string into a list at a delimiter.", "Fn::Split: [delimiter, sourceString]"),
    (
        "Fn::Sub",
        "Substitutes `${Name}` variables (parameters, resources, `${Res.Attr}`, pseudo parameters) in a string.",
        "Fn::Sub: String  or  Fn::Sub: [String, {Var: value}]",
    ),
    ("Fn::Transform", "Runs a macro on a part of the template.", "Fn::Transform: {Name: macro, Parameters: {...}}"),
    ("Fn::And", "True when all of 2 to 10 conditions are true.", "Fn::And: [condition, ...]"),
    ("Fn::Equals", "True when two values are equal.", "Fn::Equals: [value1, value2]"),
    (
        "Fn::If",
        "Returns one of two values depending on a condition.",
        "Fn::If: [ConditionName, valueIfTrue, valueIfFalse]",
    ),
    ("Fn::Not", "Negates a condition.", "Fn::Not: [condition]"),
    ("Fn::Or", "True when any of 2 to 10 conditions is true.", "Fn::Or: [condition, ...]"),
    (
        "Fn::Length",
        "Returns the number of elements of a list (needs the `AWS::LanguageExtensions` transform).",
        "Fn::Length: list",
    ),
    (
        "Fn::ToJsonString",
        "Converts an object or list to a JSON string (needs the `AWS::LanguageExtensions` transform).",
        "Fn::ToJsonString: object",
    ),
    (
        "Fn::ForEach",
        "Repeats a template fragment for each item of a list (needs the `AWS::LanguageExtensions` transform).",
        "Fn::ForEach::LoopName: [Identifier, Collection, {OutputKey: OutputValue}]",
    ),
    (
        "Fn::GetStackOutput",
        "Returns an output of another stack, possibly in another account or region.",
        "Fn::GetStackOutput: {StackName: name, OutputName: name}",
    ),
    ("Fn::Contains", "Rules only: true when a string is in a list.", "Fn::Contains: [[list], value]"),
    (
        "Fn::EachMemberEquals",
        "Rules only: true when every member of a list equals a value.",
        "Fn::EachMemberEquals: [[list], value]",
    ),
    (
        "Fn::EachMemberIn",
        "Rules only: true when every member of a list is in another list.",
        "Fn::EachMemberIn: [[list], [list]]",
    ),
    ("Fn::RefAll", "Rules only: all values of a parameter type.", "Fn::RefAll: parameterType"),
    ("Fn::ValueOf", "Rules only: an attribute value of a parameter.", "Fn::ValueOf: [parameter, attribute]"),
    ("Fn::ValueOfAll", "Rules only: an attribute of every parameter of a type.", "Fn::ValueOfAll: [type, attribute]"),
];

/// Markdown for an intrinsic function by long name.
pub(crate) fn intrinsic(name: &str) -> Option<String> {
    let (n, summary, syntax) = INTRINSICS.iter().find(|(n, _, _)| *n == name)?;
    let short = samwise_template::intrinsics::FUNCTIONS
        .iter()
        .find(|(l, _)| l == n)
        .and_then(|(_, s)| *s)
        .map(|s| format!(" (short form `{s}`)"))
        .unwrap_or_default();
    Some(format!("**{n}**{short}\n\n{summary}\n\n```yaml\n{syntax}\n```"))
}

/// What each pseudo parameter returns.
pub(crate) const PSEUDO_DOCS: &[(&str, &str)] = &[
    ("AWS::AccountId", "the AWS account id of the stack, such as `123456789012`"),
    ("AWS::NotificationARNs", "the list of notification (SNS topic) ARNs of the stack"),
    ("AWS::NoValue", "removes the property it is the value of (use with `Fn::If`)"),
    ("AWS::Partition", "the partition of the region: `aws`, `aws-cn` or `aws-us-gov`"),
    ("AWS::Region", "the region the stack is created in, such as `us-east-1`"),
    ("AWS::StackId", "the id (ARN) of the stack"),
    ("AWS::StackName", "the name of the stack"),
    ("AWS::URLSuffix", "the domain suffix of the region, usually `amazonaws.com`"),
];

pub(crate) fn pseudo(name: &str) -> Option<String> {
    let (n, what) = PSEUDO_DOCS.iter().find(|(n, _)| *n == name)?;
    Some(format!("**{n}** (pseudo parameter)\n\nReturns {what}."))
}

/// One-line summaries of the top-level sections.
pub(crate) const SECTION_DOCS: &[(&str, &str)] = &[
    ("AWSTemplateFormatVersion", "The template format version; the only value is `2010-09-09`."),
    ("Description", "A text describing the template."),
    ("Metadata", "Objects that give more information about the template."),
    ("Parameters", "Values passed in when the stack is created or updated."),
    ("Rules", "Validate parameter values before the stack is created or updated."),
    ("Mappings", "Two-level lookup tables read with `Fn::FindInMap`."),
    ("Conditions", "Named conditions that control whether resources and outputs are created."),
    ("Transform", "Macros applied to the template; `AWS::Serverless-2016-10-31` for SAM."),
    ("Globals", "SAM: properties shared by all functions, APIs, tables, ... of the template."),
    ("Resources", "The resources of the stack (the only required section)."),
    ("Outputs", "Values returned by the stack, optionally exported to other stacks."),
    ("Hooks", "CodeDeploy blue/green deployment hooks (ECS)."),
];

pub(crate) fn section(name: &str) -> Option<String> {
    SECTION_DOCS.iter().find(|(n, _)| *n == name).map(|(n, d)| format!("**{n}**\n\n{d}"))
}

/// Markdown for a resource type: its description and documentation link.
pub(crate) fn resource_type(rt: &ResourceType) -> String {
    let mut s = format!("**{}**\n\n{}", rt.name, rt.description.trim());
    if let Some(url) = rt.doc_url.clone().or_else(|| user_guide_url(&rt.name)) {
        s.push_str(&format!("\n\n[Documentation]({url})"));
    }
    s
}

/// The CloudFormation user guide page of a resource type (the provider schemas carry no link; the
/// guide names its pages `aws-resource-<service>-<resource>.html`).
fn user_guide_url(type_name: &str) -> Option<String> {
    let mut parts = type_name.split("::");
    let (vendor, service, resource) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || !matches!(vendor, "AWS" | "Alexa") || service == "Serverless" {
        return None;
    }
    let prefix = if vendor == "AWS" { "aws" } else { "alexa" };
    Some(format!(
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/{prefix}-resource-{}-{}.html",
        service.to_ascii_lowercase(),
        resource.to_ascii_lowercase()
    ))
}

/// Markdown for a property: type, required, allowed values, constraints, update behaviour
/// (createOnly properties replace the resource; only known for top-level properties).
pub(crate) fn property(rt: &ResourceType, p: &Property, required: bool, top_level: bool) -> String {
    let mut s = format!("**{}**: `{}`", p.name, schema::type_text(rt, p.shape));
    s.push_str(if required { " (required)" } else { " (optional)" });
    if !p.doc.trim().is_empty() {
        s.push_str("\n\n");
        s.push_str(p.doc.trim());
    }
    let constraints = constraints(rt, p.shape);
    if !constraints.is_empty() {
        s.push_str("\n\n");
        s.push_str(&constraints.join("\n"));
    }
    if top_level {
        if rt.create_only.contains(&p.name) {
            s.push_str("\n\nUpdate requires: **Replacement**");
        }
        if rt.deprecated.contains(&p.name) {
            s.push_str("\n\n**Deprecated.**");
        }
    }
    s
}

/// Allowed values and limits of a shape (and of its `OneOf` branches / list items), one bullet each.
fn constraints(rt: &ResourceType, id: ShapeId) -> Vec<String> {
    let mut out = Vec::new();
    let mut ids = schema::expand(rt, id);
    // Limits of a list's items matter as much as the list's own (Architectures' enum).
    for i in ids.clone() {
        if let samwise_data::cfn::ShapeKind::List { item } = rt.shapes[i as usize].kind {
            ids.extend(schema::expand(rt, item));
        }
    }
    for i in ids {
        let sh = &rt.shapes[i as usize];
        if !sh.enum_values.is_empty() {
            const SHOWN: usize = 30;
            let mut vals: Vec<String> = sh.enum_values.iter().take(SHOWN).map(|v| format!("`{v}`")).collect();
            if sh.enum_values.len() > SHOWN {
                vals.push(format!("... ({} more)", sh.enum_values.len() - SHOWN));
            }
            out.push(format!("- Allowed values: {}", vals.join(", ")));
        }
        if let Some(p) = &sh.pattern {
            out.push(format!("- Pattern: `{p}`"));
        }
        match (sh.min_length, sh.max_length) {
            (Some(a), Some(b)) => out.push(format!("- Length: {a} to {b}")),
            (Some(a), None) => out.push(format!("- Minimum length: {a}")),
            (None, Some(b)) => out.push(format!("- Maximum length: {b}")),
            _ => {}
        }
        match (sh.minimum, sh.maximum) {
            (Some(a), Some(b)) => out.push(format!("- Range: {a} to {b}")),
            (Some(a), None) => out.push(format!("- Minimum: {a}")),
            (None, Some(b)) => out.push(format!("- Maximum: {b}")),
            _ => {}
        }
        match (sh.min_items, sh.max_items) {
            (Some(a), Some(b)) => out.push(format!("- Items: {a} to {b}")),
            (Some(a), None) => out.push(format!("- Minimum items: {a}")),
            (None, Some(b)) => out.push(format!("- Maximum items: {b}")),
            _ => {}
        }
    }
    out.dedup();
    out
}

/// Markdown for a `Fn::GetAtt` attribute.
pub(crate) fn attribute(rt: &ResourceType, a: &Attribute) -> String {
    let ty = if a.type_name.is_empty() { String::new() } else { format!(": `{}`", a.type_name) };
    let mut s = format!("**{}.{}**{ty}", rt.name, a.name);
    if !a.doc.trim().is_empty() {
        s.push_str("\n\n");
        s.push_str(a.doc.trim());
    }
    s
}
