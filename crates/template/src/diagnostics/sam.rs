//! SAM rules: event sources (`Events` and their types), `Globals` sections and keys, `Policies`
//! entries (managed policies, policy templates with their parameters, inline statements),
//! `PackageType` requirements, and the local code a function points at (`CodeUri`/`ContentUri`
//! folders and the `Handler` file and function for Python and Node.js).
//!
//! File-system rules run only when the template has a path; they say nothing when a build step
//! may produce what is missing (`Metadata.BuildMethod`, TypeScript sources, a zip file).

use std::path::{Path, PathBuf};

use samwise_data::cfn::{ShapeId, ShapeKind};
use samwise_syntax::{Diagnostic, Fix, NodeId, Severity, TextRange};

use super::schema::Validator;
use super::{CheckContext, RuleInfo, did_you_mean};
use crate::intrinsics::{intrinsic_at, value_range};
use crate::model::{ALIAS_BUDGET, Resource, Template};

pub(super) const RULES: &[RuleInfo] = &[
    RuleInfo { code: "SW4001", severity: Severity::Error, summary: "SAM event of an unknown type or without Type" },
    RuleInfo { code: "SW4002", severity: Severity::Error, summary: "Globals section SAM does not know" },
    RuleInfo { code: "SW4003", severity: Severity::Error, summary: "Globals key SAM does not allow" },
    RuleInfo {
        code: "SW4004",
        severity: Severity::Error,
        summary: "unknown SAM policy template (a warning for an unknown managed policy name)",
    },
    RuleInfo { code: "SW4005", severity: Severity::Error, summary: "policy template parameter missing or unknown" },
    RuleInfo {
        code: "SW4006",
        severity: Severity::Warning,
        summary: "local CodeUri/ContentUri that does not exist (a build step may still create it)",
    },
    RuleInfo { code: "SW4007", severity: Severity::Error, summary: "Handler file or function missing in CodeUri" },
    RuleInfo {
        code: "SW4008",
        severity: Severity::Error,
        summary: "function properties that contradict its PackageType (Zip or Image)",
    },
    RuleInfo { code: "SW4009", severity: Severity::Error, summary: "malformed inline policy statement" },
];

pub(super) fn check(t: &Template, ctx: &CheckContext, out: &mut Vec<Diagnostic>) {
    if !t.is_sam {
        return;
    }
    check_globals(t, ctx, out);
    let mut budget = ALIAS_BUDGET;
    for r in &t.resources {
        match r.type_name.as_deref() {
            Some("AWS::Serverless::Function") => {
                budget = check_events(t, ctx, r, budget, out);
                check_policies(t, ctx, r, out);
                check_function_code(t, ctx, r, out);
            }
            Some("AWS::Serverless::StateMachine") => {
                budget = check_events(t, ctx, r, budget, out);
                check_policies(t, ctx, r, out);
            }
            Some("AWS::Serverless::LayerVersion") => {
                if let (Some(dir), Some(uri)) = (template_dir(ctx), t.effective_property(r, "ContentUri")) {
                    check_local_uri(t, &dir, uri, "ContentUri", out);
                }
            }
            _ => {}
        }
    }
}

fn template_dir(ctx: &CheckContext) -> Option<PathBuf> {
    let path = ctx.path?;
    Some(path.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf))
}

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

fn check_events(t: &Template, ctx: &CheckContext, r: &Resource, budget: usize, out: &mut Vec<Diagnostic>) -> usize {
    let tree = &t.tree;
    let Some(events) = r.properties.and_then(|p| tree.get_value(p, "Events")) else { return budget };
    let written = events;
    let events = tree.resolve(events);
    if tree.mapping(events).is_none() {
        let null = tree.scalar(events).is_some_and(|s| s.is_null());
        if !null && intrinsic_at(tree, events).is_none() {
            out.push(Diagnostic::error(
                "SW4001",
                tree.node(written).full_range(),
                "Events must be a map from event names to events (each with Type and Properties)",
            ));
        }
        return budget;
    }
    let Some(rt) = r.type_name.as_deref().and_then(|n| ctx.data.resource_type(n)) else { return budget };
    let Some(branches) = event_branches(&rt) else { return budget };
    let mut v = Validator::new(t, ctx.data, rt.clone(), budget);
    for e in tree.entries(events) {
        let Some(ev) = e.value else { continue };
        let target = tree.resolve(ev);
        if tree.mapping(target).is_none() {
            if intrinsic_at(tree, target).is_none() {
                out.push(Diagnostic::error(
                    "SW4001",
                    tree.node(e.key).range,
                    format!("event '{}' must be a map with Type and Properties", tree.key_str(e)),
                ));
            }
            continue;
        }
        let Some(ty_node) = tree.get_value(target, "Type") else {
            out.push(Diagnostic::error(
                "SW4001",
                tree.node(e.key).range,
                format!("event '{}' has no Type: add one of {}", tree.key_str(e), type_list(&branches)),
            ));
            continue;
        };
        let Some(ty) = t.literal(ty_node) else { continue };
        match branches.iter().find(|(name, _)| name == ty) {
            Some((_, shape)) => v.value_under(ev, *shape, tree.key_str(e), Some(tree.node(e.key).range)),
            None => {
                let range = value_range(tree, ty_node);
                let mut d = Diagnostic::error("SW4001", range, format!("unknown event type '{ty}'"));
                match did_you_mean(ty, branches.iter().map(|(n, _)| n.as_str())) {
                    Some(m) => {
                        d.message.push_str(&format!("; did you mean '{m}'?"));
                        d = d.with_fix(Fix::replace(format!("Change to '{m}'"), range, m));
                    }
                    None => d.message.push_str(&format!("; valid event types are {}", type_list(&branches))),
                }
                out.push(d);
            }
        }
    }
    let (found, left) = v.finish();
    out.extend(found);
    left
}

fn type_list(branches: &[(String, ShapeId)]) -> String {
    let mut names: Vec<&str> = branches.iter().map(|(n, _)| n.as_str()).collect();
    names.sort_unstable();
    names.join(", ")
}

/// The event types a SAM resource accepts and the shape of each (the `Events` map's value is a
/// one-of whose branches are told apart by their single-valued `Type` enum).
fn event_branches(rt: &samwise_data::cfn::ResourceType) -> Option<Vec<(String, ShapeId)>> {
    let shape = |id: ShapeId| &rt.shapes[id as usize];
    let ShapeKind::Object { properties, .. } = &shape(rt.properties).kind else { return None };
    let events = properties.iter().find(|p| p.name == "Events")?;
    let ShapeKind::Map { value } = shape(events.shape).kind else { return None };
    let ShapeKind::OneOf(branches) = &shape(value).kind else { return None };
    let mut out = Vec::new();
    for &b in branches {
        let ShapeKind::Object { properties, .. } = &shape(b).kind else { continue };
        let Some(ty) = properties.iter().find(|p| p.name == "Type") else { continue };
        for name in &shape(ty.shape).enum_values {
            out.push((name.clone(), b));
        }
    }
    (!out.is_empty()).then_some(out)
}

// ---------------------------------------------------------------------------------------------
// Globals
// ---------------------------------------------------------------------------------------------

fn check_globals(t: &Template, ctx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let tree = &t.tree;
    let Some(globals) = t.globals else { return };
    let sections = ctx.data.sam_globals();
    if sections.is_empty() {
        return;
    }
    for e in tree.entries(globals) {
        let name = tree.key_str(e);
        let range = tree.node(e.key).range;
        let Some(section) = sections.iter().find(|s| s.section == name) else {
            let mut d = Diagnostic::error("SW4002", range, format!("SAM has no Globals section '{name}'"));
            match did_you_mean(name, sections.iter().map(|s| s.section.as_str())) {
                Some(m) => {
                    d.message.push_str(&format!("; did you mean '{m}'?"));
                    d = d.with_fix(Fix::replace(format!("Change to '{m}'"), range, m));
                }
                None => {
                    let all: Vec<&str> = sections.iter().map(|s| s.section.as_str()).collect();
                    d.message.push_str(&format!("; the sections are {}", all.join(", ")));
                }
            }
            out.push(d);
            continue;
        };
        let Some(v) = e.value else { continue };
        if tree.mapping(v).is_none() {
            if !tree.scalar(v).is_some_and(|s| s.is_null()) {
                out.push(Diagnostic::error(
                    "SW4003",
                    tree.node(v).full_range(),
                    format!("Globals.{name} must be a map of properties shared by every {name}"),
                ));
            }
            continue;
        }
        // Allowed keys are validated like the same property on a resource of the section's type.
        let rt = ctx.data.resource_type(&format!("AWS::Serverless::{name}"));
        let shapes = rt.as_ref().and_then(|rt| match &rt.shapes[rt.properties as usize].kind {
            ShapeKind::Object { properties, .. } => Some(properties),
            _ => None,
        });
        let mut validator = rt.clone().map(|rt| Validator::new(t, ctx.data, rt, ALIAS_BUDGET));
        for k in tree.entries(v) {
            let key = tree.key_str(k);
            if section.properties.iter().any(|p| p == key) {
                let property = shapes.and_then(|ps| ps.iter().find(|p| p.name == key));
                if let (Some(p), Some(val), Some(v)) = (property, k.value, validator.as_mut()) {
                    // SAM's own event and policy rules run on each resource after the merge.
                    if key != "Events" {
                        v.value_under(val, p.shape, key, Some(tree.node(k.key).range));
                    }
                }
                continue;
            }
            let range = tree.node(k.key).range;
            let mut d = Diagnostic::error("SW4003", range, format!("'{key}' cannot be set in Globals.{name}"));
            match did_you_mean(key, section.properties.iter().map(String::as_str)) {
                Some(m) => {
                    d.message.push_str(&format!("; did you mean '{m}'?"));
                    d = d.with_fix(Fix::replace(format!("Change to '{m}'"), range, m));
                }
                None => d.message.push_str(": set it on each resource instead"),
            }
            out.push(d);
        }
        if let Some(v) = validator {
            out.extend(v.finish().0);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Policies
// ---------------------------------------------------------------------------------------------

fn check_policies(t: &Template, ctx: &CheckContext, r: &Resource, out: &mut Vec<Diagnostic>) {
    let tree = &t.tree;
    let Some(policies) = t.effective_property(r, "Policies") else { return };
    let target = tree.resolve(policies);
    if tree.sequence(target).is_some() {
        for &item in tree.items(target) {
            policy_entry(t, ctx, item, out);
        }
    } else {
        policy_entry(t, ctx, policies, out);
    }
}

fn policy_entry(t: &Template, ctx: &CheckContext, id: NodeId, out: &mut Vec<Diagnostic>) {
    let tree = &t.tree;
    let target = tree.resolve(id);
    if intrinsic_at(tree, target).is_some() {
        return;
    }
    if let Some(name) = t.literal(target) {
        if name.starts_with("arn:") || ctx.data.managed_policy_arn(name).is_some() {
            return;
        }
        let range = value_range(tree, id);
        if ctx.data.policy_template(name).is_some() {
            out.push(Diagnostic::error(
                "SW4005",
                range,
                format!("'{name}' is a policy template: write it as a map with its parameters (`- {name}: {{...}}`)"),
            ));
            return;
        }
        // The translator can also resolve names it does not bundle by asking IAM, so a name
        // missing from its list is only a warning.
        let mut d = Diagnostic::warning(
            "SW4004",
            range,
            format!(
                "'{name}' is not an AWS managed policy SAM knows; use a policy ARN if it is a customer managed policy"
            ),
        );
        if let Some(m) = did_you_mean(name, ctx.data.managed_policy_names()) {
            d.message = format!("'{name}' is not an AWS managed policy SAM knows; did you mean '{m}'?");
            d = d.with_fix(Fix::replace(format!("Change to '{m}'"), range, m));
        }
        out.push(d);
        return;
    }
    if tree.mapping(target).is_none() {
        return;
    }
    if tree.get(target, "Statement").is_some() {
        check_statements(t, target, out);
        return;
    }
    let entries = tree.entries(target);
    if entries.len() != 1 {
        return;
    }
    let e = &entries[0];
    let name = tree.key_str(e);
    let range = tree.node(e.key).range;
    let Some(template) = ctx.data.policy_template(name) else {
        let mut d = Diagnostic::error("SW4004", range, format!("unknown SAM policy template '{name}'"));
        match did_you_mean(name, ctx.data.policy_templates().iter().map(|p| p.name.as_str())) {
            Some(m) => {
                d.message.push_str(&format!("; did you mean '{m}'?"));
                d = d.with_fix(Fix::replace(format!("Change to '{m}'"), range, m));
            }
            None => d.message.push_str(
                "; use a policy template from the SAM policy template list, a managed policy name or ARN, \
                 or an inline policy with a Statement",
            ),
        }
        out.push(d);
        return;
    };
    let params = e.value.map(|v| tree.resolve(v));
    if let Some(p) = params
        && intrinsic_at(tree, p).is_some()
    {
        return;
    }
    let given: Vec<(&str, TextRange)> = params
        .map(|p| tree.entries(p).iter().map(|k| (tree.key_str(k), tree.node(k.key).range)).collect())
        .unwrap_or_default();
    for (key, krange) in &given {
        if !template.parameters.iter().any(|p| p.name == *key) {
            let mut d =
                Diagnostic::error("SW4005", *krange, format!("policy template '{name}' has no parameter '{key}'"));
            match did_you_mean(key, template.parameters.iter().map(|p| p.name.as_str())) {
                Some(m) => {
                    d.message.push_str(&format!("; did you mean '{m}'?"));
                    d = d.with_fix(Fix::replace(format!("Change to '{m}'"), *krange, m));
                }
                None if template.parameters.is_empty() => d.message.push_str("; it takes none: use `{}`"),
                None => {
                    let all: Vec<&str> = template.parameters.iter().map(|p| p.name.as_str()).collect();
                    d.message.push_str(&format!("; its parameters are {}", all.join(", ")));
                }
            }
            out.push(d);
        }
    }
    let missing: Vec<&str> =
        template.parameters.iter().map(|p| p.name.as_str()).filter(|p| !given.iter().any(|(k, _)| k == p)).collect();
    if !missing.is_empty() {
        out.push(Diagnostic::error(
            "SW4005",
            range,
            format!("policy template '{name}' needs the parameter(s) {}", missing.join(", ")),
        ));
    }
}

/// An inline policy document: `Statement` is a statement map or a list of them, each with an
/// `Effect` of Allow or Deny, an `Action` (or `NotAction`) and a `Resource` (or `NotResource`).
fn check_statements(t: &Template, doc: NodeId, out: &mut Vec<Diagnostic>) {
    let tree = &t.tree;
    let Some(st) = tree.get_value(doc, "Statement") else { return };
    let target = tree.resolve(st);
    let items: Vec<NodeId> = if tree.sequence(target).is_some() {
        tree.items(target).to_vec()
    } else if tree.mapping(target).is_some() && intrinsic_at(tree, target).is_none() {
        vec![st]
    } else {
        if t.literal(target).is_some() {
            out.push(Diagnostic::error(
                "SW4009",
                value_range(tree, st),
                "Statement must be a list of statements (maps with Effect, Action and Resource)",
            ));
        }
        return;
    };
    for item in items {
        let s = tree.resolve(item);
        if intrinsic_at(tree, s).is_some() {
            continue;
        }
        if tree.mapping(s).is_none() {
            out.push(Diagnostic::error(
                "SW4009",
                tree.node(item).full_range(),
                "each policy statement must be a map with Effect, Action and Resource",
            ));
            continue;
        }
        let first_line = {
            let r = tree.node(item).full_range();
            let text = &t.text[r.as_range()];
            TextRange::new(r.start, text.find('\n').map_or(r.end, |n| r.start + n as u32))
        };
        let mut missing = Vec::new();
        match tree.get_value(s, "Effect") {
            None => missing.push("Effect"),
            Some(e) => {
                if let Some(v) = t.literal(e)
                    && v != "Allow"
                    && v != "Deny"
                {
                    out.push(Diagnostic::error(
                        "SW4009",
                        value_range(tree, e),
                        format!("Effect must be Allow or Deny, not '{v}'"),
                    ));
                }
            }
        }
        if tree.get(s, "Action").is_none() && tree.get(s, "NotAction").is_none() {
            missing.push("Action");
        }
        if tree.get(s, "Resource").is_none() && tree.get(s, "NotResource").is_none() {
            missing.push("Resource");
        }
        if !missing.is_empty() {
            out.push(Diagnostic::error(
                "SW4009",
                first_line,
                format!(
                    "policy statement is missing {}: add {}",
                    missing.join(" and "),
                    if missing.len() == 1 { "it" } else { "them" }
                ),
            ));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Function code: PackageType, CodeUri, Handler
// ---------------------------------------------------------------------------------------------

fn check_function_code(t: &Template, ctx: &CheckContext, r: &Resource, out: &mut Vec<Diagnostic>) {
    let tree = &t.tree;
    let Some(props) = r.properties.map(|p| tree.resolve(p)) else {
        return;
    };
    if tree.mapping(props).is_none() {
        return;
    }
    let package = t.effective_property(r, "PackageType");
    let package_type = match package {
        None => Some("Zip"),
        Some(p) => t.literal(p),
    };
    let own = |name: &str| tree.get(props, name);
    match package_type {
        Some("Image") => {
            // Image functions carry their code and runtime in the image: only properties written on
            // the function itself are reported (Globals apply to every function, so a shared
            // `Runtime` there is a matter for SAM's merge).
            for name in ["Handler", "Runtime", "Layers", "CodeUri", "InlineCode"] {
                if let Some(e) = own(name) {
                    out.push(Diagnostic::error(
                        "SW4008",
                        tree.node(e.key).range,
                        format!("'{name}' cannot be set on a function with `PackageType: Image`; remove it"),
                    ));
                }
            }
            let built = r
                .value
                .and_then(|v| tree.get_value(v, "Metadata"))
                .is_some_and(|m| tree.get(m, "DockerContext").is_some() || tree.get(m, "Dockerfile").is_some());
            if t.effective_property(r, "ImageUri").is_none() && !built {
                out.push(Diagnostic::error(
                    "SW4008",
                    r.key_range,
                    format!(
                        "function '{}' has `PackageType: Image` but no ImageUri: set ImageUri, or Metadata \
                         DockerContext and Dockerfile for `sam build`",
                        r.name
                    ),
                ));
            }
        }
        Some("Zip") => check_zip_function(t, ctx, r, out),
        // An intrinsic, or a value the schema rules already report as outside the enum.
        _ => {}
    }
}

fn check_zip_function(t: &Template, ctx: &CheckContext, r: &Resource, out: &mut Vec<Diagnostic>) {
    let tree = &t.tree;
    let code_uri = t.effective_property(r, "CodeUri");
    let image_uri = t.effective_property(r, "ImageUri");
    if image_uri.is_some() {
        // SAM reads a function with ImageUri but no PackageType as ambiguous; the schema and SAM
        // itself explain it better than a guess here.
        return;
    }
    // A function without CodeUri or InlineCode is fine: `sam build`/`sam package` take the
    // template's folder as its code.
    let mut missing = Vec::new();
    let handler = t.effective_property(r, "Handler");
    let runtime = t.effective_property(r, "Runtime");
    if handler.is_none() {
        missing.push("Handler");
    }
    if runtime.is_none() {
        missing.push("Runtime");
    }
    if !missing.is_empty() {
        out.push(Diagnostic::error(
            "SW4008",
            r.key_range,
            format!(
                "function '{}' is a Zip function (the default PackageType) and needs {}: set them on the \
                 function or in Globals.Function, or use `PackageType: Image` with an ImageUri",
                r.name,
                missing.join(" and ")
            ),
        ));
    }
    let Some(dir) = template_dir(ctx) else { return };
    let Some(uri) = code_uri else { return };
    let Some(code_dir) = check_local_uri(t, &dir, uri, "CodeUri", out) else { return };
    let build_method =
        r.value.and_then(|v| tree.get_value(v, "Metadata")).and_then(|m| tree.get(m, "BuildMethod")).is_some();
    if build_method || !code_dir.is_dir() {
        return;
    }
    let (Some(handler), Some(runtime)) = (handler, runtime.and_then(|r| t.literal(r))) else { return };
    let Some(h) = t.literal(handler) else { return };
    let range = value_range(tree, handler);
    // Paths in messages are spelled from the CodeUri as written, so they read the same on every machine.
    let shown = t.literal(tree.resolve(uri)).unwrap_or_default().trim_end_matches('/').to_owned();
    // A folder holding no source of the runtime's language is filled by a build step (or is a
    // copy of a template without its code): the handler cannot be judged there.
    let finding = if runtime.starts_with("python") {
        has_source(&code_dir, &["py"]).then(|| python_handler(&code_dir, &shown, h)).flatten()
    } else if runtime.starts_with("nodejs") {
        has_source(&code_dir, &["js", "mjs", "cjs", "ts"]).then(|| node_handler(&code_dir, &shown, h)).flatten()
    } else {
        None
    };
    if let Some(message) = finding {
        out.push(Diagnostic::error("SW4007", range, message));
    }
}

/// Checks a local `CodeUri`/`ContentUri`; returns the path it names when it exists.
fn check_local_uri(t: &Template, dir: &Path, uri: NodeId, name: &str, out: &mut Vec<Diagnostic>) -> Option<PathBuf> {
    let value = t.literal(t.tree.resolve(uri))?;
    if value.contains("://") || value.is_empty() {
        return None;
    }
    let path = dir.join(value);
    if path.exists() {
        return Some(path);
    }
    out.push(Diagnostic::warning(
        "SW4006",
        value_range(&t.tree, uri),
        format!(
            "{name} '{value}' does not exist relative to the template's folder; create it, fix the path, \
             or ignore this if a build step creates it"
        ),
    ));
    None
}

/// Python: `pkg.module.func` needs `pkg/module.py` (or `pkg/module/__init__.py`) defining `func`.
fn python_handler(code: &Path, shown: &str, handler: &str) -> Option<String> {
    let (module, func) = handler.rsplit_once('.')?;
    let rel = module.replace('.', "/");
    let file = [code.join(format!("{rel}.py")), code.join(&rel).join("__init__.py")].into_iter().find(|p| p.is_file());
    let Some(file) = file else {
        // A compiled extension or a folder the build fills in: not worth a guess.
        if std::fs::read_dir(code).ok()?.flatten().any(|e| e.file_name().to_string_lossy().starts_with(&*rel)) {
            return None;
        }
        return Some(format!(
            "handler '{handler}' needs the file {shown}/{rel}.py, which does not exist; fix the Handler or add the file"
        ));
    };
    let text = std::fs::read_to_string(&file).ok()?;
    let defines = text.lines().any(|line| {
        let l = line.trim_start();
        let l = l.strip_prefix("async ").map_or(l, str::trim_start);
        l.strip_prefix("def ").is_some_and(|rest| starts_with_word(rest.trim_start(), func))
            || (starts_with_word(l, func) && l[func.len()..].trim_start().starts_with('=')
                && !l[func.len()..].trim_start().starts_with("=="))
            // `from .impl import func` / `import x as func` re-export a function defined elsewhere.
            || ((l.starts_with("from ") || l.starts_with("import ")) && mentions(l, func))
    });
    // A multi-line import (`from x import (\n func,\n)`) is not read line by line: when the name
    // appears in an import block at all, say nothing.
    if defines || text.contains("import (") && mentions(&text, func) {
        return None;
    }
    Some(format!(
        "handler '{handler}': {shown}/{} does not define a function '{func}'; add `def {func}(event, context):` \
         or fix the Handler",
        file.strip_prefix(code).unwrap_or(&file).display()
    ))
}

/// Node.js: `dir/file.func` needs `dir/file.js` (or `.mjs`, `.cjs`) exporting `func`.
fn node_handler(code: &Path, shown: &str, handler: &str) -> Option<String> {
    let (module, func) = handler.rsplit_once('.')?;
    let candidates = ["js", "mjs", "cjs"].map(|ext| code.join(format!("{module}.{ext}")));
    let Some(file) = candidates.iter().find(|p| p.is_file()) else {
        // TypeScript compiled by a tool outside SAM, or a bundle the build writes.
        if ["ts", "mts", "cts"].iter().any(|ext| code.join(format!("{module}.{ext}")).is_file()) {
            return None;
        }
        return Some(format!(
            "handler '{handler}' needs the file {shown}/{module}.js (or .mjs, .cjs), which does not exist; fix the \
             Handler or add the file"
        ));
    };
    let text = std::fs::read_to_string(file).ok()?;
    if text.contains("module.exports") || mentions(&text, func) {
        // `exports.func`, `export const/function/async`, `export { func }` and `module.exports`
        // all name the function or export an object this check does not evaluate.
        return None;
    }
    Some(format!(
        "handler '{handler}': {shown}/{} does not export '{func}'; add `export const {func} = async (event) => {{...}}` \
         or `exports.{func} = ...`, or fix the Handler",
        file.strip_prefix(code).unwrap_or(file).display()
    ))
}

/// Whether `dir` holds a file with one of `extensions`, looking at most three folders deep and at
/// a bounded number of entries (a CodeUri of `.` can be a large project).
fn has_source(dir: &Path, extensions: &[&str]) -> bool {
    let mut stack = vec![(dir.to_path_buf(), 0)];
    let mut seen = 0;
    while let Some((d, depth)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            seen += 1;
            if seen > 5_000 {
                return true;
            }
            let p = e.path();
            let name = e.file_name();
            if p.is_dir() {
                if depth < 3 && !name.to_string_lossy().starts_with('.') && name != "node_modules" {
                    stack.push((p, depth + 1));
                }
            } else if p.extension().is_some_and(|x| extensions.iter().any(|e| x == *e)) {
                return true;
            }
        }
    }
    false
}

fn starts_with_word(s: &str, word: &str) -> bool {
    s.starts_with(word) && !s[word.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
}

/// Whether `word` appears in `text` as a whole identifier.
fn mentions(text: &str, word: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    text.match_indices(word)
        .any(|(i, _)| !text[..i].ends_with(is_ident) && !text[i + word.len()..].starts_with(is_ident))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use samwise_data::CfnData;
    use samwise_syntax::Format;

    use crate::diagnostics::fixture::check_fixture;
    use crate::diagnostics::{CheckContext, check};
    use crate::model::Template;

    #[test]
    fn valid_sam() {
        check_fixture(
            r#"
Transform: AWS::Serverless-2016-10-31
Parameters:
  PolicyArn: { Type: String }
Globals:
  Function:
    Runtime: python3.13
    Handler: app.handler
    Timeout: 10
  Api:
    Cors: "'*'"
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Bucket:
    Type: AWS::S3::Bucket
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://bucket/code.zip
      Events:
        Poll:
          Type: SQS
          Properties: { Queue: !GetAtt Queue.Arn, BatchSize: 10 }
        Get:
          Type: Api
          Properties: { Path: /items, Method: get }
        Upload:
          Type: S3
          Properties: { Bucket: !Ref Bucket, Events: s3:ObjectCreated:* }
        Nightly:
          Type: Schedule
          Properties: { Schedule: rate(1 day) }
      Policies:
        - AWSLambdaBasicExecutionRole
        - arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess
        - !Ref PolicyArn
        - SQSPollerPolicy: { QueueName: !GetAtt Queue.QueueName }
        - CloudWatchPutMetricPolicy: {}
        - Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Action: [s3:GetObject]
              Resource: !Sub "${Bucket.Arn}/*"
        - Statement:
            Effect: Deny
            NotAction: s3:*
            NotResource: "*"
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: s3://bucket/machine.json
      Policies: AWSXrayWriteOnlyAccess
      Events:
        Every:
          Type: Schedule
          Properties: { Schedule: rate(1 hour) }
  Image:
    Type: AWS::Serverless::Function
    Properties:
      PackageType: Image
    Metadata: { DockerContext: ., Dockerfile: Dockerfile }
"#,
            "SW",
        );
    }

    #[test]
    fn invalid_sam() {
        // Event properties are checked with the schema rules' codes against the shape the
        // event's Type selects.
        check_fixture(
            r#"
Transform: AWS::Serverless-2016-10-31
Globals:
  Functions:
# ^^^^^^^^^ error SW4002: SAM has no Globals section 'Functions'; did you mean 'Function'?
    Timeout: 3
  Api: shared
#      ^^^^^^ error SW4003: Globals.Api must be a map of properties shared by every Api
  Function:
    FunctionName: shared
#   ^^^^^^^^^^^^ error SW4003: 'FunctionName' cannot be set in Globals.Function: set it on each resource instead
    Runtme: python3.13
#   ^^^^^^ error SW4003: 'Runtme' cannot be set in Globals.Function; did you mean 'Runtime'?
    MemorySize: 100000
#               ^^^^^^ error SW2009: 'MemorySize' is 100000 but must be at most 32768
    Architectures: arm64
#                  ^^^^^ error SW2004: 'Architectures' must be a list, not a single value
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://bucket/code.zip
      Handler: app.handler
      Runtime: python3.13
      Events:
        Poll:
          Type: Sqs
#               ^^^ error SW4001: unknown event type 'Sqs'; did you mean 'SQS'?
          Properties: { Queue: !GetAtt Queue.Arn }
        NoType:
#       ^^^^^^ error SW4001: event 'NoType' has no Type: add one of AlexaSkill, Api, CloudWatchEvent, CloudWatchLogs, Cognito, DocumentDB, DynamoDB, EventBridgeRule, HttpApi, IoTRule, Kinesis, MQ, MSK, S3, SNS, SQS, Schedule, ScheduleV2, SelfManagedKafka
          Properties: { Queue: !GetAtt Queue.Arn }
        Typo:
          Type: SQS
          Properties:
#         ^^^^^^^^^^ error SW2003: 'Properties' is missing the required property 'Queue': add it
            Queu: !GetAtt Queue.Arn
#           ^^^^ error SW2002: unknown property 'Queu'; did you mean 'Queue'?
            BatchSize: many
        Other:
          Type: Carrier
#               ^^^^^^^ error SW4001: unknown event type 'Carrier'; valid event types are AlexaSkill, Api, CloudWatchEvent, CloudWatchLogs, Cognito, DocumentDB, DynamoDB, EventBridgeRule, HttpApi, IoTRule, Kinesis, MQ, MSK, S3, SNS, SQS, Schedule, ScheduleV2, SelfManagedKafka
      Policies:
        - SQSPolerPolicy: { QueueName: q }
#         ^^^^^^^^^^^^^^ error SW4004: unknown SAM policy template 'SQSPolerPolicy'; did you mean 'SQSPollerPolicy'?
        - SQSPollerPolicy: { Queue: q }
#         ^^^^^^^^^^^^^^^ error SW4005: policy template 'SQSPollerPolicy' needs the parameter(s) QueueName
#                            ^^^^^ error SW4005: policy template 'SQSPollerPolicy' has no parameter 'Queue'; its parameters are QueueName
        - DynamoDBCrudPolicy: {}
#         ^^^^^^^^^^^^^^^^^^ error SW4005: policy template 'DynamoDBCrudPolicy' needs the parameter(s) TableName
        - SQSPollerPolicy
#         ^^^^^^^^^^^^^^^ error SW4005: 'SQSPollerPolicy' is a policy template: write it as a map with its parameters (`- SQSPollerPolicy: {...}`)
        - AmazonS3ReadOnlyAccesss
#         ^^^^^^^^^^^^^^^^^^^^^^^ warning SW4004: 'AmazonS3ReadOnlyAccesss' is not an AWS managed policy SAM knows; did you mean 'AmazonS3ReadOnlyAccess'?
        - Statement:
            - Effect: Permit
#                     ^^^^^^ error SW4009: Effect must be Allow or Deny, not 'Permit'
              Action: s3:GetObject
              Resource: "*"
            - Effect: Allow
#             ^^^^^^^^^^^^^ error SW4009: policy statement is missing Resource: add it
              Action: s3:GetObject
  NoEvents:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://bucket/code.zip
      Handler: app.handler
      Runtime: python3.13
      Events: every-minute
#             ^^^^^^^^^^^^ error SW4001: Events must be a map from event names to events (each with Type and Properties)
  NoRuntime:
# ^^^^^^^^^ error SW4008: function 'NoRuntime' is a Zip function (the default PackageType) and needs Handler and Runtime: set them on the function or in Globals.Function, or use `PackageType: Image` with an ImageUri
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://bucket/code.zip
  Image:
# ^^^^^ error SW4008: function 'Image' has `PackageType: Image` but no ImageUri: set ImageUri, or Metadata DockerContext and Dockerfile for `sam build`
    Type: AWS::Serverless::Function
    Properties:
      PackageType: Image
      Handler: app.handler
#     ^^^^^^^ error SW4008: 'Handler' cannot be set on a function with `PackageType: Image`; remove it
"#,
            "SW",
        );
    }

    /// The fixture format of `check_fixture`, checked as if the template sat at `path` (the
    /// file-system rules resolve CodeUri against its folder).
    fn check_fixture_at(fixture: &str, only: &str, path: &Path) {
        let mut clean = String::new();
        let mut expected = Vec::new();
        let mut last_line_start = 0usize;
        for line in fixture.split_inclusive('\n') {
            if let Some(col) = line
                .trim_start()
                .strip_prefix('#')
                .and_then(|r| r.trim_start().starts_with('^').then(|| line.find('^')))
                .flatten()
            {
                let carets = line[col..].chars().take_while(|&c| c == '^').count();
                let start = last_line_start + col;
                expected.push(format!("{}..{} {}", start, start + carets, line[col + carets..].trim()));
                continue;
            }
            last_line_start = clean.len();
            clean.push_str(line);
        }
        let t = Template::parse(&clean, Format::Yaml);
        let ctx = CheckContext { data: CfnData::embedded(), path: Some(path) };
        let mut actual: Vec<String> = check(&t, &ctx)
            .into_iter()
            .filter(|d| d.code.starts_with(only))
            .map(|d| format!("{}..{} {} {}: {}", d.range.start, d.range.end, d.severity.as_str(), d.code, d.message))
            .collect();
        actual.sort();
        expected.sort();
        assert_eq!(actual.join("\n"), expected.join("\n"), "\n--- template ---\n{clean}");
    }

    fn code_fixture_template() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sam-code/template.yaml")
    }

    #[test]
    fn local_code_and_handlers() {
        // The folders and sources live in tests/fixtures/sam-code; the template is only named.
        check_fixture_at(
            r#"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.13
Resources:
  Good:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: src/, Handler: app.handler }
  GoodAsync:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: src, Handler: app.async_handler }
  GoodAssigned:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: src, Handler: app.assigned_handler }
  GoodImported:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: src, Handler: app.imported_handler }
  GoodPackage:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: ./src, Handler: pkg.worker.run }
  GoodNode:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: node, Handler: index.handler, Runtime: nodejs22.x }
  GoodNodeCjs:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: node, Handler: legacy.run, Runtime: nodejs22.x }
  Built:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: node, Handler: app.handler, Runtime: nodejs22.x }
    Metadata: { BuildMethod: esbuild }
  Remote:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: s3://bucket/code.zip, Handler: app.handler }
  FromParameter:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: !Sub "${AWS::StackName}/code", Handler: app.handler }
  Image:
    Type: AWS::Serverless::Function
    Properties: { PackageType: Image, ImageUri: repo/image:latest }
  Layer:
    Type: AWS::Serverless::LayerVersion
    Properties: { ContentUri: layer/ }
  MissingDir:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: build/out, Handler: app.handler }
#                          ^^^^^^^^^ warning SW4006: CodeUri 'build/out' does not exist relative to the template's folder; create it, fix the path, or ignore this if a build step creates it
  MissingFunction:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: src, Handler: app.nothere }
#                                        ^^^^^^^^^^^ error SW4007: handler 'app.nothere': src/app.py does not define a function 'nothere'; add `def nothere(event, context):` or fix the Handler
  MissingModule:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: src, Handler: main.handler }
#                                        ^^^^^^^^^^^^ error SW4007: handler 'main.handler' needs the file src/main.py, which does not exist; fix the Handler or add the file
  MissingExport:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: node, Handler: index.other, Runtime: nodejs22.x }
#                                         ^^^^^^^^^^^ error SW4007: handler 'index.other': node/index.mjs does not export 'other'; add `export const other = async (event) => {...}` or `exports.other = ...`, or fix the Handler
  MissingNodeFile:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: node, Handler: lib/app.handler, Runtime: nodejs22.x }
#                                         ^^^^^^^^^^^^^^^ error SW4007: handler 'lib/app.handler' needs the file node/lib/app.js (or .mjs, .cjs), which does not exist; fix the Handler or add the file
  MissingLayer:
    Type: AWS::Serverless::LayerVersion
    Properties: { ContentUri: layers/deps }
#                             ^^^^^^^^^^^ warning SW4006: ContentUri 'layers/deps' does not exist relative to the template's folder; create it, fix the path, or ignore this if a build step creates it
"#,
            "SW40",
            &code_fixture_template(),
        );
    }

    #[test]
    fn file_rules_need_a_path() {
        // Without a path nothing is resolved, so the same template has no file-system finding.
        let text = "Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: { CodeUri: nowhere, Handler: app.handler, Runtime: python3.13 }\n";
        let t = Template::parse(text, Format::Yaml);
        let with_path = CheckContext { data: CfnData::embedded(), path: Some(&code_fixture_template()) };
        assert!(check(&t, &with_path).iter().any(|d| d.code == "SW4006"));
        check_fixture(text, "SW400");
    }

    #[test]
    fn handler_check_skips_folders_without_sources() {
        // `layer/` holds no Python: a build step fills it, so the handler is not judged.
        check_fixture_at(
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: { CodeUri: layer, Handler: app.handler, Runtime: python3.13 }\n",
            "SW400",
            &code_fixture_template(),
        );
    }

    #[test]
    fn values_of_the_wrong_shape_are_reported_without_panicking() {
        // Every SAM rule meets lists, scalars, nulls and mappings where it expects something else.
        let text = r#"Transform: AWS::Serverless-2016-10-31
Globals:
  Function: [a, b]
  Api: just-a-string
Resources:
  A:
    Type: AWS::Serverless::Function
    Properties: [1, 2]
  B:
    Type: AWS::Serverless::Function
    Properties:
      Handler: nodot
      Runtime: python3.13
      CodeUri: ""
      Events: "string"
      Policies: 42
  C:
    Type: AWS::Serverless::Function
    Properties:
      Handler: ""
      Runtime: { a: b }
      CodeUri: [x]
      Events:
        E: { Type: { x: y }, Properties: [1] }
        F: ~
        G: { Type: SQS, Properties: ~ }
      Policies:
        - {}
        - { Statement: 3 }
        - { Statement: [3, { Effect: [x] }] }
        - SQSPollerPolicy: [1]
  D:
    Type: AWS::Serverless::Function
    Properties:
      PackageType: [Image]
  E:
    Type: [AWS::S3::Bucket]
  F:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: *undefined
"#;
        let t = Template::parse(text, Format::Yaml);
        let ctx = CheckContext { data: CfnData::embedded(), path: Some(&code_fixture_template()) };
        let found = check(&t, &ctx);
        let codes: Vec<&str> = found.iter().map(|d| d.code).collect();
        for code in ["SW4001", "SW4003", "SW4005", "SW4009"] {
            assert!(codes.contains(&code), "{code} missing from {found:#?}");
        }
    }
}
