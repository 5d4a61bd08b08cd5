//! Rules on names: every Ref/GetAtt/Sub/DependsOn/Condition/FindInMap must name something defined,
//! GetAtt attributes must exist for the type, resources must not depend on each other in a circle,
//! and parameters, conditions and mappings should be used. Also the shape of intrinsic calls.

use std::collections::{HashMap, HashSet};

use samwise_syntax::{Diagnostic, Fix, NodeKind, Severity, TextRange};

use super::{CheckContext, RuleInfo, did_you_mean};
use crate::intrinsics::{Intrinsic, RefKind, Reference, intrinsic_at};
use crate::model::{PSEUDO_PARAMETERS, Template};

pub(super) const RULES: &[RuleInfo] = &[
    RuleInfo { code: "SW3001", severity: Severity::Error, summary: "Ref to something undefined" },
    RuleInfo { code: "SW3002", severity: Severity::Error, summary: "GetAtt of an undefined resource" },
    RuleInfo { code: "SW3003", severity: Severity::Error, summary: "GetAtt of an attribute the type does not have" },
    RuleInfo { code: "SW3004", severity: Severity::Error, summary: "Sub variable naming something undefined" },
    RuleInfo { code: "SW3005", severity: Severity::Error, summary: "DependsOn naming an undefined resource" },
    RuleInfo { code: "SW3006", severity: Severity::Error, summary: "undefined condition" },
    RuleInfo { code: "SW3007", severity: Severity::Error, summary: "FindInMap naming an undefined mapping or key" },
    RuleInfo { code: "SW3008", severity: Severity::Error, summary: "circular dependency between resources" },
    RuleInfo { code: "SW3009", severity: Severity::Warning, summary: "unused parameter" },
    RuleInfo { code: "SW3010", severity: Severity::Warning, summary: "unused condition" },
    RuleInfo { code: "SW3011", severity: Severity::Warning, summary: "unused mapping" },
    RuleInfo { code: "SW3012", severity: Severity::Error, summary: "intrinsic function with malformed arguments" },
    RuleInfo { code: "SW3013", severity: Severity::Error, summary: "unknown intrinsic function or tag" },
];

pub(super) fn check(t: &Template, ctx: &CheckContext, out: &mut Vec<Diagnostic>) {
    for r in &t.references {
        check_reference(t, ctx, r, out);
    }
    for call in &t.intrinsics {
        check_call(t, call, out);
    }
    check_cycles(t, out);
    check_unused(t, out);
}

fn resource_names(t: &Template) -> impl Iterator<Item = &str> {
    t.resources.iter().map(|r| r.name.as_str())
}

fn undefined(code: &'static str, r: &Reference, message: String, candidates: Vec<&str>) -> Diagnostic {
    let mut d = Diagnostic::error(code, r.range, message);
    if let Some(m) = did_you_mean(&r.target, candidates) {
        d.message.push_str(&format!("; did you mean '{m}'?"));
        d = d.with_fix(Fix::replace(format!("Change to '{m}'"), r.range, m));
    }
    d
}

fn check_reference(t: &Template, ctx: &CheckContext, r: &Reference, out: &mut Vec<Diagnostic>) {
    let name = r.target.as_str();
    match r.kind {
        RefKind::Ref | RefKind::Sub => {
            if t.is_ref_target(name) || name.is_empty() {
                return;
            }
            let mut candidates: Vec<&str> = t.parameters.iter().map(|p| p.name.as_str()).collect();
            candidates.extend(resource_names(t));
            candidates.extend(PSEUDO_PARAMETERS);
            let (code, what) = if r.kind == RefKind::Ref { ("SW3001", "Ref") } else { ("SW3004", "${} in Fn::Sub") };
            let mut d = undefined(
                code,
                r,
                format!("{what} names '{name}', which is not a parameter, a resource or a pseudo parameter"),
                candidates,
            );
            if !d.message.contains("did you mean") {
                d.message.push_str(&format!(
                    "; define it under Parameters (or Resources), or use the literal text `${{!{name}}}`",
                ));
                if r.kind == RefKind::Ref {
                    d.message = d.message.replace(&format!(", or use the literal text `${{!{name}}}`"), "");
                }
            }
            out.push(d);
        }
        RefKind::GetAtt => {
            let Some(res) = t.resource(name) else {
                if t.is_sam_generated(name) {
                    return;
                }
                if t.parameter(name).is_some() {
                    out.push(Diagnostic::error(
                        "SW3002",
                        r.range,
                        format!(
                            "'{name}' is a parameter: Fn::GetAtt reads resource attributes; use Ref for a parameter"
                        ),
                    ));
                    return;
                }
                out.push(undefined(
                    "SW3002",
                    r,
                    format!("Fn::GetAtt names '{name}', which is not a resource in this template"),
                    resource_names(t).collect(),
                ));
                return;
            };
            check_attribute(t, ctx, res, r, out);
        }
        RefKind::DependsOn => {
            if t.resource(name).is_some() || t.is_sam_generated(name) {
                return;
            }
            out.push(undefined(
                "SW3005",
                r,
                format!("DependsOn names '{name}', which is not a resource in this template"),
                resource_names(t).collect(),
            ));
        }
        RefKind::Condition => {
            if t.condition(name).is_some() {
                return;
            }
            out.push(undefined(
                "SW3006",
                r,
                format!("condition '{name}' is not defined under Conditions"),
                t.conditions.iter().map(|c| c.name.as_str()).collect(),
            ));
        }
        RefKind::FindInMap => check_find_in_map(t, r, out),
    }
}

fn check_attribute(
    _t: &Template,
    ctx: &CheckContext,
    res: &crate::model::Resource,
    r: &Reference,
    out: &mut Vec<Diagnostic>,
) {
    let (Some(attr), Some(range)) = (&r.attribute, r.attribute_range) else {
        if !r.in_sub {
            out.push(Diagnostic::error(
                "SW3012",
                r.range,
                format!("Fn::GetAtt needs an attribute: write `{}.Arn` or `[{}, Arn]`", r.target, r.target),
            ));
        }
        return;
    };
    let Some(type_name) = res.type_name.as_deref() else { return };
    if type_name.starts_with("Custom::") || type_name == "AWS::CloudFormation::CustomResource" {
        return;
    }
    let Some(schema) = ctx.data.resource_type(type_name) else { return };
    if schema.attributes.is_empty() && type_name.starts_with("AWS::Serverless::") {
        return;
    }
    let known = |a: &str| {
        schema.attributes.iter().any(|x| {
            x.name == a
                || x.name == "*"
                || x.name.strip_suffix(".*").is_some_and(|p| a.starts_with(p) && a[p.len()..].starts_with('.'))
        })
    };
    if known(attr) {
        return;
    }
    let names: Vec<&str> = schema.attributes.iter().map(|a| a.name.as_str()).collect();
    let mut d = Diagnostic::error("SW3003", range, format!("{type_name} has no attribute '{attr}' for Fn::GetAtt"));
    match did_you_mean(attr, names.iter().copied()) {
        Some(m) => {
            d.message.push_str(&format!("; did you mean '{m}'?"));
            d = d.with_fix(Fix::replace(format!("Change to '{m}'"), range, m));
        }
        None if names.is_empty() => d.message.push_str("; it has no attributes"),
        None => {
            let list: Vec<&str> = names.iter().copied().take(12).collect();
            d.message.push_str(&format!("; it has {}", list.join(", ")));
            if names.len() > 12 {
                d.message.push_str(", ...");
            }
        }
    }
    out.push(d);
}

fn check_find_in_map(t: &Template, r: &Reference, out: &mut Vec<Diagnostic>) {
    let Some(mapping) = t.mapping(&r.target) else {
        out.push(undefined(
            "SW3007",
            r,
            format!("Fn::FindInMap names '{}', which is not defined under Mappings", r.target),
            t.mappings.iter().map(|m| m.name.as_str()).collect(),
        ));
        return;
    };
    // The call's arguments: [map, top key, second key]; literal keys must exist.
    let tree = &t.tree;
    let Some(call) = t
        .intrinsics
        .iter()
        .find(|c| c.name == "Fn::FindInMap" && c.args.is_some_and(|a| tree.items(a).first() == Some(&r.node)))
    else {
        return;
    };
    let items = tree.items(call.args.expect("found by args"));
    let Some(map_value) = mapping.value else { return };
    let Some(&top) = items.get(1) else { return };
    let Some(top_key) = t.literal(top) else { return };
    let Some(level2) = tree.get_value(map_value, top_key) else {
        out.push(Diagnostic::error(
            "SW3007",
            crate::intrinsics::value_range(tree, top),
            format!("mapping '{}' has no key '{top_key}'", r.target),
        ));
        return;
    };
    let Some(&second) = items.get(2) else { return };
    let Some(second_key) = t.literal(second) else { return };
    if tree.mapping(level2).is_some() && tree.get(level2, second_key).is_none() {
        out.push(Diagnostic::error(
            "SW3007",
            crate::intrinsics::value_range(tree, second),
            format!("mapping '{}' has no key '{second_key}' under '{top_key}'", r.target),
        ));
    }
}

/// The shape of each call's arguments.
fn check_call(t: &Template, call: &Intrinsic, out: &mut Vec<Diagnostic>) {
    let tree = &t.tree;
    if !call.is_known() {
        if call.short || call.name.starts_with("Fn::") {
            let known: Vec<&str> = crate::intrinsics::FUNCTIONS
                .iter()
                .filter_map(|(long, short)| if call.short { *short } else { Some(*long) })
                .collect();
            let mut d =
                Diagnostic::error("SW3013", call.name_range, format!("unknown intrinsic function '{}'", call.name));
            if let Some(m) = did_you_mean(&call.name, known.iter().copied()) {
                d.message.push_str(&format!("; did you mean '{m}'?"));
                d = d.with_fix(Fix::replace(format!("Change to '{m}'"), call.name_range, m));
            }
            out.push(d);
        }
        return;
    }
    let Some(args) = call.args else {
        out.push(Diagnostic::error("SW3012", call.name_range, format!("{} needs arguments", call.name)));
        return;
    };
    // A nested call in argument position (long form) is checked on its own.
    if !call.short && intrinsic_at(tree, args).is_some() {
        return;
    }
    let node = tree.node(args);
    let is_scalar = matches!(node.kind, NodeKind::Scalar(_));
    let items = tree.items(args);
    let is_list = tree.sequence(args).is_some();
    let empty_scalar = tree.scalar(args).is_some_and(|s| s.value.is_empty()) && node.range.is_empty();
    let range = if call.short { call.name_range.cover(node.range) } else { node.full_range() };
    let bad = |msg: String| Diagnostic::error("SW3012", range, msg);
    let n = items.len();
    let problem: Option<String> = match call.name.as_str() {
        "Ref" | "Condition" if !is_scalar || empty_scalar => {
            Some(format!("{} takes one name, for example `!Ref MyBucket`", call.name))
        }
        "Fn::GetAtt" if empty_scalar => Some("Fn::GetAtt needs `Resource.Attribute` or `[Resource, Attribute]`".into()),
        "Fn::GetAtt" if is_list && n != 2 => Some(format!("Fn::GetAtt takes [Resource, Attribute], not {n} item(s)")),
        "Fn::Join" if !is_list || n != 2 || tree.scalar(items[0]).is_none() => {
            Some("Fn::Join takes [delimiter, [values...]]".into())
        }
        "Fn::Select" if !is_list || n != 2 => Some("Fn::Select takes [index, list]".into()),
        "Fn::Split" if !is_list || n != 2 => Some("Fn::Split takes [delimiter, string]".into()),
        "Fn::FindInMap" if !is_list || !(3..=4).contains(&n) => {
            Some("Fn::FindInMap takes [MapName, TopLevelKey, SecondLevelKey]".into())
        }
        "Fn::If" if !is_list || n != 3 => {
            Some(format!("Fn::If takes [Condition, ValueIfTrue, ValueIfFalse], not {n} item(s)"))
        }
        "Fn::Equals" if !is_list || n != 2 => Some("Fn::Equals takes [value1, value2]".into()),
        "Fn::And" | "Fn::Or" if !is_list || !(2..=10).contains(&n) => {
            Some(format!("{} takes a list of 2 to 10 conditions", call.name))
        }
        "Fn::Not" if !is_list || n != 1 => Some("Fn::Not takes a list with one condition".into()),
        "Fn::Sub" if empty_scalar || !(is_scalar || is_list && (1..=2).contains(&n)) => {
            Some("Fn::Sub takes a string or [string, {Var: value}]".into())
        }
        "Fn::Sub" if is_list && n == 2 && tree.mapping(items[1]).is_none() => {
            Some("the second item of Fn::Sub must map variable names to values".into())
        }
        "Fn::GetAZs" if !is_scalar => Some("Fn::GetAZs takes a region name or an empty string".into()),
        "Fn::ImportValue" if empty_scalar => Some("Fn::ImportValue takes the name of an exported output".into()),
        "Fn::Base64" if empty_scalar => Some("Fn::Base64 takes a string".into()),
        "Fn::Cidr" if !is_list || n != 3 => Some("Fn::Cidr takes [ipBlock, count, cidrBits]".into()),
        _ => None,
    };
    if let Some(msg) = problem {
        out.push(bad(msg));
    }
}

/// Dependencies between resources (Ref, GetAtt, Sub variables and DependsOn inside a resource) and
/// the cycles they form, reported once per cycle on each member's logical id.
fn check_cycles(t: &Template, out: &mut Vec<Diagnostic>) {
    let tree = &t.tree;
    let mut spans: Vec<(TextRange, usize)> =
        t.resources.iter().enumerate().filter_map(|(i, r)| r.value.map(|v| (tree.node(v).full_range(), i))).collect();
    spans.sort_by_key(|(r, _)| r.start);
    let index: HashMap<&str, usize> = t.resources.iter().enumerate().map(|(i, r)| (r.name.as_str(), i)).collect();
    // What a SAM function's Events name belongs, after the transform, to the generated event
    // resources (permissions, mappings, API methods), not to the function: no edge from there.
    let sam_events: Vec<TextRange> = t
        .resources
        .iter()
        .filter(|r| r.is_sam())
        .filter_map(|r| r.properties.and_then(|p| tree.get_value(p, "Events")))
        .map(|e| tree.node(e).full_range())
        .collect();
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); t.resources.len()];
    for r in &t.references {
        if !matches!(r.kind, RefKind::Ref | RefKind::Sub | RefKind::GetAtt | RefKind::DependsOn) {
            continue;
        }
        let Some(&to) = index.get(r.target.as_str()) else { continue };
        let pos = spans.partition_point(|(s, _)| s.start <= r.range.start);
        if pos == 0 {
            continue;
        }
        let (span, from) = spans[pos - 1];
        if sam_events.iter().any(|e| e.contains_range(r.range)) {
            continue;
        }
        // The SAM transform drops or rewrites properties it does not pass through, so a SAM
        // resource naming itself is not known to be a cycle.
        if from == to && t.resources[from].is_sam() {
            continue;
        }
        if span.contains_range(r.range) && !edges[from].contains(&to) {
            edges[from].push(to);
        }
    }
    // Tarjan's strongly connected components, iteratively (no recursion depth limit to hit).
    let n = t.resources.len();
    let mut idx = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut counter = 0;
    let mut in_cycle: HashSet<usize> = HashSet::new();
    for start in 0..n {
        if idx[start] != usize::MAX {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(start, 0)];
        while let Some(&mut (v, ref mut ei)) = work.last_mut() {
            if *ei == 0 && idx[v] == usize::MAX {
                idx[v] = counter;
                low[v] = counter;
                counter += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = edges[v].get(*ei) {
                *ei += 1;
                if idx[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(idx[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == idx[v] {
                let mut comp = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    comp.push(w);
                    if w == v {
                        break;
                    }
                }
                if comp.len() > 1 || edges[v].contains(&v) {
                    comp.sort();
                    let names: Vec<&str> = comp.iter().map(|&i| t.resources[i].name.as_str()).collect();
                    for &i in &comp {
                        if in_cycle.insert(i) {
                            out.push(Diagnostic::error(
                                "SW3008",
                                t.resources[i].key_range,
                                format!(
                                    "circular dependency between {}: CloudFormation cannot order them; \
                                     break the cycle (for example with a separate policy or permission resource)",
                                    names.join(", ")
                                ),
                            ));
                        }
                    }
                }
            }
        }
    }
}

fn check_unused(t: &Template, out: &mut Vec<Diagnostic>) {
    let used = |kinds: &[RefKind], name: &str| t.references.iter().any(|r| kinds.contains(&r.kind) && r.target == name);
    for p in &t.parameters {
        if !used(&[RefKind::Ref, RefKind::Sub], &p.name) {
            out.push(Diagnostic::warning(
                "SW3009",
                p.key_range,
                format!("parameter '{}' is never used (no Ref or ${{}} names it); remove it or use it", p.name),
            ));
        }
    }
    for c in &t.conditions {
        if !used(&[RefKind::Condition], &c.name) {
            out.push(Diagnostic::warning(
                "SW3010",
                c.key_range,
                format!("condition '{}' is never used; remove it or use it in a Condition or Fn::If", c.name),
            ));
        }
    }
    for m in &t.mappings {
        if !used(&[RefKind::FindInMap], &m.name) {
            out.push(Diagnostic::warning(
                "SW3011",
                m.key_range,
                format!("mapping '{}' is never used by Fn::FindInMap; remove it or use it", m.name),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnostics::fixture::check_fixture;

    #[test]
    fn valid_references() {
        check_fixture(
            r#"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Env: { Type: String }
Mappings:
  Sizes: { dev: { Mem: 128 } }
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Condition: IsProd
    DependsOn: Table
    Properties:
      Handler: app.h
      Runtime: python3.12
      CodeUri: s3://bucket/key
      AutoPublishAlias: live
      MemorySize: !FindInMap [Sizes, dev, Mem]
      Role: !If [IsProd, !GetAtt Table.Arn, !Ref "AWS::NoValue"]
      Environment:
        Variables:
          A: !Sub "${AWS::Region}-${Table}-${Table.Arn}-${!Literal}"
          B: !Sub ["${X}", {X: !Ref Env}]
          C: !Ref FnRole
          D: !Ref Fn.Alias
          E: !GetAtt ServerlessRestApi.RootResourceId
  Table:
    Type: AWS::DynamoDB::Table
Outputs:
  Arn: { Value: !GetAtt Fn.Arn }
"#,
            "SW30",
        );
    }

    #[test]
    fn undefined_names_and_bad_attributes() {
        check_fixture(
            r#"
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Bucket:
# ^^^^^^ error SW3008: circular dependency between Bucket: CloudFormation cannot order them; break the cycle (for example with a separate policy or permission resource)
    Type: AWS::S3::Bucket
    DependsOn: Buckt
#              ^^^^^ error SW3005: DependsOn names 'Buckt', which is not a resource in this template; did you mean 'Bucket'?
    Condition: Nope
#              ^^^^ error SW3006: condition 'Nope' is not defined under Conditions
    Properties:
      BucketName: !Ref Bucke
#                      ^^^^^ error SW3001: Ref names 'Bucke', which is not a parameter, a resource or a pseudo parameter; did you mean 'Bucket'?
      Tags:
        - Key: !GetAtt Bucket.Arnn
#                             ^^^^ error SW3003: AWS::S3::Bucket has no attribute 'Arnn' for Fn::GetAtt; did you mean 'Arn'?
          Value: !Sub "${Missing}-${Other.Arn}"
#                        ^^^^^^^ error SW3004: ${} in Fn::Sub names 'Missing', which is not a parameter, a resource or a pseudo parameter; define it under Parameters (or Resources), or use the literal text `${!Missing}`
#                                   ^^^^^ error SW3002: Fn::GetAtt names 'Other', which is not a resource in this template
        - Key: !FindInMap [NoMap, a, b]
#                          ^^^^^ error SW3007: Fn::FindInMap names 'NoMap', which is not defined under Mappings
          Value: !If [Cond]
#                ^^^^^^^^^^ error SW3012: Fn::If takes [Condition, ValueIfTrue, ValueIfFalse], not 1 item(s)
#                     ^^^^ error SW3006: condition 'Cond' is not defined under Conditions
        - Key: !Reff x
#              ^^^^^ error SW3013: unknown intrinsic function '!Reff'; did you mean '!Ref'?
"#,
            "SW30",
        );
    }

    #[test]
    fn cycles_and_unused_names() {
        check_fixture(
            r#"
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Unused: { Type: String }
# ^^^^^^ warning SW3009: parameter 'Unused' is never used (no Ref or ${} names it); remove it or use it
Conditions:
  Never: !Equals [a, b]
# ^^^^^ warning SW3010: condition 'Never' is never used; remove it or use it in a Condition or Fn::If
Mappings:
  M: { a: { b: c } }
# ^ warning SW3011: mapping 'M' is never used by Fn::FindInMap; remove it or use it
Resources:
  A:
# ^ error SW3008: circular dependency between A, B: CloudFormation cannot order them; break the cycle (for example with a separate policy or permission resource)
    Type: AWS::SNS::Topic
    Properties: { TopicName: !GetAtt B.TopicName }
  B:
# ^ error SW3008: circular dependency between A, B: CloudFormation cannot order them; break the cycle (for example with a separate policy or permission resource)
    Type: AWS::SNS::Topic
    DependsOn: A
"#,
            "SW30",
        );
    }
}
