//! Rules on the template's outline: top-level sections and their shapes, the keys of resources,
//! parameters and outputs.

use samwise_syntax::{Diagnostic, Fix, NodeId, Severity, TextRange};

use super::{CheckContext, RuleInfo, did_you_mean};
use crate::model::{RESOURCE_ATTRIBUTES, SECTIONS, Template};

pub(super) const RULES: &[RuleInfo] = &[
    RuleInfo { code: "SW2010", severity: Severity::Error, summary: "section or entry of the wrong shape" },
    RuleInfo { code: "SW2011", severity: Severity::Error, summary: "unknown top-level section" },
    RuleInfo { code: "SW2012", severity: Severity::Error, summary: "template without resources" },
    RuleInfo { code: "SW2013", severity: Severity::Error, summary: "unknown key in a resource, parameter or output" },
    RuleInfo {
        code: "SW2014",
        severity: Severity::Error,
        summary: "required key missing (resource Type, output Value, parameter Type)",
    },
    RuleInfo { code: "SW2015", severity: Severity::Error, summary: "invalid parameter type" },
];

const PARAMETER_KEYS: &[&str] = &[
    "Type",
    "Default",
    "Description",
    "AllowedValues",
    "AllowedPattern",
    "MinLength",
    "MaxLength",
    "MinValue",
    "MaxValue",
    "ConstraintDescription",
    "NoEcho",
];

const OUTPUT_KEYS: &[&str] = &["Value", "Description", "Export", "Condition"];

const PARAMETER_TYPES: &[&str] = &["String", "Number", "List<Number>", "CommaDelimitedList"];

pub(super) fn check(t: &Template, _ctx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let tree = &t.tree;
    let Some(root) = t.root() else {
        return;
    };
    if tree.mapping(root).is_none() {
        out.push(Diagnostic::error(
            "SW2010",
            tree.node(root).range,
            "a template is a mapping of sections (AWSTemplateFormatVersion, Resources, ...)",
        ));
        return;
    }
    for s in &t.sections {
        if !SECTIONS.contains(&s.name.as_str()) {
            let mut d = Diagnostic::error("SW2011", s.key_range, format!("unknown top-level section '{}'", s.name));
            if let Some(m) = did_you_mean(&s.name, SECTIONS.iter().copied()) {
                d.message.push_str(&format!("; did you mean '{m}'?"));
                d = d.with_fix(Fix::replace(format!("Change to '{m}'"), s.key_range, m));
            } else {
                d.message.push_str(&format!("; sections are {}", SECTIONS.join(", ")));
            }
            out.push(d);
            continue;
        }
        let shape_ok = match (s.name.as_str(), s.value) {
            ("Transform", Some(v)) => t.literal(v).is_some() || tree.sequence(v).is_some(),
            ("Description", Some(v)) => t.literal(v).is_some(),
            ("AWSTemplateFormatVersion", Some(v)) => {
                if let Some(ver) = t.literal(v)
                    && ver != "2010-09-09"
                {
                    out.push(Diagnostic::error(
                        "SW2010",
                        tree.node(v).range,
                        format!("AWSTemplateFormatVersion '{ver}' does not exist: the only version is '2010-09-09'"),
                    ));
                }
                t.literal(v).is_some()
            }
            (_, Some(v)) => tree.mapping(v).is_some() || is_empty_scalar(t, v),
            (_, None) => true,
        };
        if !shape_ok {
            let what = match s.name.as_str() {
                "Transform" => "a transform name or a list of them",
                "Description" | "AWSTemplateFormatVersion" => "a string",
                _ => "a mapping",
            };
            let range = s.value.map_or(s.key_range, |v| tree.node(v).full_range());
            out.push(Diagnostic::error("SW2010", range, format!("the {} section must be {what}", s.name)));
        }
    }
    check_resources_present(t, root, out);
    check_resources(t, out);
    check_parameters(t, out);
    check_outputs(t, out);
}

fn is_empty_scalar(t: &Template, id: NodeId) -> bool {
    t.tree.scalar(id).is_some_and(|s| s.is_null()) && t.tree.node(id).tag.is_none()
}

fn check_resources_present(t: &Template, root: NodeId, out: &mut Vec<Diagnostic>) {
    match t.tree.get(root, "Resources") {
        None => {
            let at = t.tree.node(root).range;
            out.push(Diagnostic::error(
                "SW2012",
                TextRange::new(at.start, at.start),
                "the template has no Resources section: CloudFormation needs at least one resource",
            ));
        }
        Some(e) if t.resources.is_empty() => out.push(Diagnostic::error(
            "SW2012",
            t.tree.node(e.key).range,
            "Resources is empty: CloudFormation needs at least one resource",
        )),
        Some(_) => {}
    }
}

fn check_resources(t: &Template, out: &mut Vec<Diagnostic>) {
    let tree = &t.tree;
    for r in &t.resources {
        let Some(v) = r.value.filter(|&v| tree.mapping(v).is_some()) else {
            let range = r.value.map_or(r.key_range, |v| tree.node(v).full_range());
            out.push(Diagnostic::error(
                "SW2010",
                range,
                format!("resource '{}' must be a mapping with Type and Properties", r.name),
            ));
            continue;
        };
        if r.type_node.is_none() {
            out.push(Diagnostic::error(
                "SW2014",
                r.key_range,
                format!("resource '{}' has no Type (for example `Type: AWS::S3::Bucket`)", r.name),
            ));
        }
        for e in tree.entries(v) {
            let key = tree.key_str(e);
            if !RESOURCE_ATTRIBUTES.contains(&key) {
                let mut d = unknown_key(t, e.key, key, "resource attribute", RESOURCE_ATTRIBUTES);
                if t.is_sam && r.is_sam() {
                    // The SAM transform drops attributes of SAM resources it does not know (cfn-lint:
                    // W3001); other resources pass through to CloudFormation, which rejects them.
                    d.severity = Severity::Warning;
                    d.message.push_str(" (the SAM transform ignores it)");
                }
                out.push(d);
            }
        }
        if let Some(p) = r.properties
            && tree.mapping(p).is_none()
            && !is_empty_scalar(t, p)
            && crate::intrinsics::intrinsic_at(tree, p).is_none()
        {
            out.push(Diagnostic::error(
                "SW2010",
                tree.node(p).full_range(),
                format!("Properties of '{}' must be a mapping of property names to values", r.name),
            ));
        }
    }
}

fn unknown_key(t: &Template, key: NodeId, name: &str, what: &str, valid: &[&str]) -> Diagnostic {
    let range = t.tree.node(key).range;
    let mut d = Diagnostic::error("SW2013", range, format!("unknown {what} '{name}'"));
    match did_you_mean(name, valid.iter().copied()) {
        Some(m) => {
            d.message.push_str(&format!("; did you mean '{m}'?"));
            d = d.with_fix(Fix::replace(format!("Change to '{m}'"), range, m));
        }
        None => d.message.push_str(&format!("; valid keys are {}", valid.join(", "))),
    }
    d
}

fn check_parameters(t: &Template, out: &mut Vec<Diagnostic>) {
    let tree = &t.tree;
    for p in &t.parameters {
        let Some(v) = p.value.filter(|&v| tree.mapping(v).is_some()) else {
            out.push(Diagnostic::error(
                "SW2010",
                p.value.map_or(p.key_range, |v| tree.node(v).full_range()),
                format!("parameter '{}' must be a mapping with at least a Type", p.name),
            ));
            continue;
        };
        for e in tree.entries(v) {
            let key = tree.key_str(e);
            if !PARAMETER_KEYS.contains(&key) {
                out.push(unknown_key(t, e.key, key, "parameter property", PARAMETER_KEYS));
            }
        }
        match tree.get_value(v, "Type") {
            None => out.push(Diagnostic::error(
                "SW2014",
                p.key_range,
                format!("parameter '{}' has no Type (String, Number, CommaDelimitedList, ...)", p.name),
            )),
            Some(ty) => {
                if let Some(name) = t.literal(ty)
                    && !valid_parameter_type(name)
                {
                    let mut d = Diagnostic::error(
                        "SW2015",
                        tree.node(ty).range,
                        format!(
                            "'{name}' is not a parameter type: use String, Number, List<Number>, \
                             CommaDelimitedList, an AWS-specific type (AWS::EC2::VPC::Id, ...) or \
                             AWS::SSM::Parameter::Value<...>"
                        ),
                    );
                    if let Some(m) = did_you_mean(name, PARAMETER_TYPES.iter().copied()) {
                        d.message = format!("'{name}' is not a parameter type; did you mean '{m}'?");
                        d = d.with_fix(Fix::replace(format!("Change to '{m}'"), tree.node(ty).range, m));
                    }
                    out.push(d);
                }
            }
        }
    }
}

/// Whether a parameter `Type` is one CloudFormation accepts.
fn valid_parameter_type(name: &str) -> bool {
    if PARAMETER_TYPES.contains(&name) {
        return true;
    }
    let inner = name.strip_prefix("List<").and_then(|s| s.strip_suffix('>')).unwrap_or(name);
    if inner.starts_with("AWS::EC2::") || inner.starts_with("AWS::Route53::") {
        return true;
    }
    name.starts_with("AWS::SSM::Parameter::Name")
        || (name.starts_with("AWS::SSM::Parameter::Value<") && name.ends_with('>'))
}

fn check_outputs(t: &Template, out: &mut Vec<Diagnostic>) {
    let tree = &t.tree;
    for o in &t.outputs {
        let Some(v) = o.value.filter(|&v| tree.mapping(v).is_some()) else {
            out.push(Diagnostic::error(
                "SW2010",
                o.value.map_or(o.key_range, |v| tree.node(v).full_range()),
                format!("output '{}' must be a mapping with a Value", o.name),
            ));
            continue;
        };
        for e in tree.entries(v) {
            let key = tree.key_str(e);
            if !OUTPUT_KEYS.contains(&key) {
                out.push(unknown_key(t, e.key, key, "output property", OUTPUT_KEYS));
            }
        }
        if tree.get(v, "Value").is_none() {
            out.push(Diagnostic::error("SW2014", o.key_range, format!("output '{}' has no Value", o.name)));
        }
        if let Some(exp) = tree.get_value(v, "Export")
            && tree.mapping(exp).is_some()
            && tree.get(exp, "Name").is_none()
        {
            out.push(Diagnostic::error(
                "SW2014",
                tree.node(exp).range,
                format!("the Export of output '{}' needs a Name", o.name),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnostics::fixture::check_fixture;

    #[test]
    fn valid_outline() {
        check_fixture(
            r#"
AWSTemplateFormatVersion: "2010-09-09"
Description: ok
Parameters:
  Env: { Type: String, Default: dev, AllowedValues: [dev, prod] }
  Vpc: { Type: "AWS::EC2::VPC::Id" }
  Subnets: { Type: "List<AWS::EC2::Subnet::Id>" }
  Ami: { Type: "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>" }
Resources:
  B:
    Type: AWS::S3::Bucket
    DeletionPolicy: Retain
Outputs:
  O: { Value: !Ref B, Export: { Name: x } }
"#,
            "SW201",
        );
    }

    #[test]
    fn invalid_outline() {
        check_fixture(
            r#"
AWSTemplateFormatVersion: "2010-09-10"
#                         ^^^^^^^^^^^^ error SW2010: AWSTemplateFormatVersion '2010-09-10' does not exist: the only version is '2010-09-09'
Parameter:
^^^^^^^^^ error SW2011: unknown top-level section 'Parameter'; did you mean 'Parameters'?
Parameters:
  Env: { Typ: String }
#        ^^^ error SW2013: unknown parameter property 'Typ'; did you mean 'Type'?
# ^^^ error SW2014: parameter 'Env' has no Type (String, Number, CommaDelimitedList, ...)
  N: { Type: Strin }
#            ^^^^^ error SW2015: 'Strin' is not a parameter type; did you mean 'String'?
Resources:
  B:
# ^ error SW2014: resource 'B' has no Type (for example `Type: AWS::S3::Bucket`)
    DependOn: x
#   ^^^^^^^^ error SW2013: unknown resource attribute 'DependOn'; did you mean 'DependsOn'?
  C: just-a-string
#    ^^^^^^^^^^^^^ error SW2010: resource 'C' must be a mapping with Type and Properties
Outputs:
  O: { Description: no value }
# ^ error SW2014: output 'O' has no Value
"#,
            "SW201",
        );
    }

    #[test]
    fn resources_without_value() {
        check_fixture(
            "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n^^^^^^^^^ error SW2012: Resources is empty: CloudFormation needs at least one resource\n",
            "SW201",
        );
    }
}
