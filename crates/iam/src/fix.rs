//! The fix for a missing permission: the narrowest SAM policy template that grants it (fewest
//! actions), with its parameters read off the call's resource ARN, else an inline statement.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use regex::Regex;
use samwise_data::CfnData;
use samwise_data::cfn::PolicyTemplate;
use samwise_syntax::Format;
use samwise_template::Template;

use crate::actions::Arn;
use crate::grants::Ctx;
use crate::policy::{Decision, Pat, Statement, decide};

/// What to add to the function's `Policies`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyFix {
    /// A SAM policy template with its parameter values.
    Template { name: String, parameters: Vec<(String, String)> },
    /// An inline statement; `resource` is the text of a `!Sub` (`None`: `'*'`).
    Statement { actions: Vec<String>, resource: Option<String> },
}

impl PolicyFix {
    /// The YAML of one `Policies` list item, one line per element, without indentation
    /// (continuation lines are indented relative to the `- `).
    pub fn yaml_lines(&self) -> Vec<String> {
        match self {
            PolicyFix::Template { name, parameters } if parameters.is_empty() => vec![format!("- {name}: {{}}")],
            PolicyFix::Template { name, parameters } => {
                let mut out = vec![format!("- {name}:")];
                out.extend(parameters.iter().map(|(k, v)| format!("    {k}: {}", quote(v))));
                out
            }
            PolicyFix::Statement { actions, resource } => {
                let action = match actions.as_slice() {
                    [one] => one.clone(),
                    many => format!("[{}]", many.join(", ")),
                };
                let resource = resource.as_ref().map_or("'*'".to_owned(), |r| format!("!Sub {}", quote(r)));
                vec![
                    "- Statement:".into(),
                    "    - Effect: Allow".into(),
                    format!("      Action: {action}"),
                    format!("      Resource: {resource}"),
                ]
            }
        }
    }

    /// A short description for the quick fix's title.
    pub fn title(&self) -> String {
        match self {
            PolicyFix::Template { name, .. } => format!("Add the `{name}` policy template"),
            PolicyFix::Statement { actions, .. } => format!("Add a statement allowing `{}`", actions.join("`, `")),
        }
    }
}

/// A YAML single-quoted scalar (always quoted: ARNs and paths hold `:` and `*`).
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Sentinel for parameter `i` while a template is expanded for matching (control characters never
/// occur in templates or ARNs).
fn sentinel(i: usize) -> String {
    format!("\u{1}{i}\u{2}")
}

/// Actions counted for a wildcard action when ranking templates: a wildcard grants many.
const WILDCARD_WEIGHT: usize = 50;

/// A policy template expanded with sentinel parameter values, ranked by how much it grants.
struct Candidate {
    weight: usize,
    template: &'static PolicyTemplate,
    stmts: Vec<Statement>,
}

/// Every policy template of `data`, expanded once per process (the expansion does not depend on the
/// user's template: policy templates refer only to their parameters and pseudo parameters), narrowest
/// first.
fn candidates(data: &'static CfnData) -> Arc<Vec<Candidate>> {
    static CACHE: OnceLock<Mutex<HashMap<usize, Arc<Vec<Candidate>>>>> = OnceLock::new();
    let mut cache = CACHE.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    let key = data as *const CfnData as usize;
    cache
        .entry(key)
        .or_insert_with(|| {
            let empty = Template::parse("", Format::Yaml);
            let ctx = Ctx { t: &empty, data };
            let mut all: Vec<Candidate> = data
                .policy_templates()
                .iter()
                .filter_map(|template| {
                    let locals: Vec<(String, Pat)> = template
                        .parameters
                        .iter()
                        .enumerate()
                        .map(|(i, p)| (p.name.clone(), Pat::exact(sentinel(i))))
                        .collect();
                    let stmts = ctx.expand_template(&template.statements_json, &locals).ok()?;
                    let weight = stmts
                        .iter()
                        .filter(|s| s.allow)
                        .flat_map(|s| &s.actions)
                        .map(|a| if a.contains('*') { WILDCARD_WEIGHT } else { 1 })
                        .sum();
                    Some(Candidate { weight, template, stmts })
                })
                .collect();
            all.sort_by(|a, b| a.weight.cmp(&b.weight).then_with(|| a.template.name.cmp(&b.template.name)));
            Arc::new(all)
        })
        .clone()
}

pub(crate) fn suggest(ctx: &Ctx<'_>, action: &str, arn: Option<&Arn>) -> PolicyFix {
    let all = candidates(ctx.data);
    let target = arn.map_or_else(Pat::any, Arn::pattern);
    for Candidate { template: tpl, stmts, .. } in all.iter() {
        if decide(stmts, action, &Pat::any()) != Decision::Allowed {
            continue;
        }
        let Some(values) =
            fill(&tpl.parameters.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), stmts, action, &target)
        else {
            continue;
        };
        let locals: Vec<(String, Pat)> = values.iter().map(|(k, v)| (k.clone(), Pat::exact(v.clone()))).collect();
        // The filled template must grant the call; otherwise the match was a coincidence.
        let granted = ctx
            .expand_template(&tpl.statements_json, &locals)
            .is_ok_and(|s| decide(&s, action, &target) == Decision::Allowed);
        if granted {
            return PolicyFix::Template { name: tpl.name.clone(), parameters: values };
        }
    }
    PolicyFix::Statement { actions: vec![action.to_owned()], resource: arn.map(Arn::sub_text) }
}

/// Parameter values that make one of the statements granting `action` name `target`, read by
/// matching the statement's resource patterns (with the parameters as capture groups) against it.
fn fill(
    params: &[&str],
    stmts: &[crate::policy::Statement],
    action: &str,
    target: &Pat,
) -> Option<Vec<(String, String)>> {
    if params.is_empty() {
        return Some(Vec::new());
    }
    if target.text.contains('?') {
        return None;
    }
    let granting: Vec<_> = stmts
        .iter()
        .filter(|s| s.allow && decide(std::slice::from_ref(*s), action, &Pat::any()) == Decision::Allowed)
        .collect();
    // Names first (no `/` or `:`: bucket, table, queue, function names), so that `${bucketName}/*`
    // reads `my-bucket` off an object ARN rather than `${bucketName}` reading `my-bucket/key`; then
    // anything (SSM parameter paths, ARNs).
    for value_class in ["[^/:]+", ".+"] {
        for s in &granting {
            for r in &s.resources {
                if let Some(values) = capture(params, &r.text, &target.text, value_class) {
                    return Some(values);
                }
            }
        }
    }
    None
}

fn capture(params: &[&str], pattern: &str, target: &str, value_class: &str) -> Option<Vec<(String, String)>> {
    let mut re = String::from("^");
    let mut seen = vec![false; params.len()];
    let mut rest = pattern;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('\u{1}') {
            let end = after.find('\u{2}')?;
            let i: usize = after[..end].parse().ok()?;
            if seen.get(i).copied()? {
                re.push_str(&format!("(?:{value_class})"));
            } else {
                seen[i] = true;
                re.push_str(&format!("(?P<p{i}>{value_class})"));
            }
            rest = &after[end + 1..];
            continue;
        }
        let c = rest.chars().next()?;
        match c {
            '*' => re.push_str(".*?"),
            '?' => re.push('.'),
            c => re.push_str(&regex::escape(c.encode_utf8(&mut [0; 4]))),
        }
        rest = &rest[c.len_utf8()..];
    }
    re.push('$');
    let caps = Regex::new(&re).ok()?.captures(target)?;
    let mut out = Vec::new();
    for (i, name) in params.iter().enumerate() {
        let v = caps.name(&format!("p{i}"))?.as_str();
        if v.contains(['*', crate::policy::SEGMENT]) {
            return None;
        }
        out.push(((*name).to_owned(), v.to_owned()));
    }
    Some(out)
}
