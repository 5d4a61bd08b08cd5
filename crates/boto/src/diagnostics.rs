//! Diagnostics that reproduce botocore's client-side checks (`botocore/validate.py` and the method
//! lookup on the client class), so every error reported here is an error when the code runs; plus
//! warnings the service (not botocore) would act on: values outside an enum, over-long values,
//! deprecated operations and parameters.
//!
//! Anything not known statically (`**kwargs`, names, calls, f-strings with fields) is skipped.
//! Rule codes are documented in `crates/boto/NOTES.md`.

use samwise_data::botocore::{
    BotocoreModels, INJECTED_CLIENT_METHODS, Member, Operation, ServiceModel, Shape, ShapeKind,
};
use samwise_syntax::{Diagnostic, Fix, TextRange};
use tree_sitter::Node;

use crate::infer::{Target, Ty};
use crate::literal::{Lit, literal, string_content_range, string_value};
use crate::{BotoCall, PyFile, did_you_mean, did_you_mean_affix, range_of};

pub(crate) const UNKNOWN_SERVICE: &str = "SW5001";
pub(crate) const UNKNOWN_METHOD: &str = "SW5002";
pub(crate) const POSITIONAL: &str = "SW5003";
pub(crate) const UNKNOWN_PARAM: &str = "SW5004";
pub(crate) const MISSING_REQUIRED: &str = "SW5005";
pub(crate) const WRONG_TYPE: &str = "SW5006";
pub(crate) const BELOW_MIN: &str = "SW5007";
pub(crate) const ABOVE_MAX: &str = "SW5008";
pub(crate) const UNION: &str = "SW5009";
pub(crate) const NOT_IN_ENUM: &str = "SW5010";
pub(crate) const DEPRECATED: &str = "SW5011";
pub(crate) const UNKNOWN_PAGINATOR: &str = "SW5012";

/// Client attributes every botocore client has besides its operations.
pub(crate) const CLIENT_BUILTINS: &[(&str, &str)] = &[
    ("can_paginate", "can_paginate(operation_name) -> bool"),
    ("close", "close() -> None: closes the client's connections"),
    ("exceptions", "the service's modelled exception classes"),
    ("generate_presigned_url", "generate_presigned_url(ClientMethod, Params=None, ExpiresIn=3600, HttpMethod=None)"),
    ("get_paginator", "get_paginator(operation_name) -> Paginator"),
    ("get_waiter", "get_waiter(waiter_name) -> Waiter"),
    ("meta", "client metadata: region, endpoint, service model, events"),
    ("waiter_names", "names of the waiters get_waiter accepts"),
];

/// Injected client methods of a service (`s3.upload_file`).
pub(crate) fn injected(service: &str) -> &'static [&'static str] {
    INJECTED_CLIENT_METHODS.iter().find(|(s, _)| *s == service).map(|(_, m)| *m).unwrap_or(&[])
}

/// Parameters botocore fills before validating (`before-parameter-build` handlers), so they are never missing.
fn filled_by_botocore(service: &str, param: &str) -> bool {
    matches!((service, param), ("glacier", "accountId"))
}

/// Parameters whose Python value botocore converts before validating, so their model type does not apply.
fn converted_by_botocore(service: &str, op: &str, param: &str) -> bool {
    matches!((service, op, param), ("s3", "CopyObject" | "UploadPartCopy", "CopySource"))
}

/// One recognised call: `receiver.method(args)` on a client or resource.
pub(crate) struct CallSite<'t> {
    pub method: Node<'t>,
    pub args: Node<'t>,
    pub target: Target,
}

impl CallSite<'_> {
    pub fn model(&self) -> &ServiceModel {
        match &self.target {
            Target::Client { model, .. } | Target::Resource { model, .. } => model,
        }
    }

    /// The operation this call invokes, and the parameters a resource fills for it.
    pub fn operation<'m>(&'m self, file: &PyFile) -> Option<(&'m Operation, Vec<String>)> {
        let name = file.node_text(self.method);
        match &self.target {
            Target::Client { model, .. } => Some((model.operation(name)?, Vec::new())),
            Target::Resource { model, resources, resource } => {
                let action = resources.resource(resource)?.actions.iter().find(|a| a.python_name == name)?;
                Some((model.operation_by_api_name(&action.operation)?, action.filled.clone()))
            }
        }
    }
}

impl PyFile {
    /// The client or resource call whose function is `call`'s, when `call` is one.
    pub(crate) fn call_site<'t>(&'t self, models: &BotocoreModels, call: Node<'t>) -> Option<CallSite<'t>> {
        let func = call.child_by_field_name("function")?;
        if func.kind() != "attribute" {
            return None;
        }
        let args = call.child_by_field_name("arguments")?;
        if args.kind() != "argument_list" {
            return None;
        }
        let method = func.child_by_field_name("attribute")?;
        let ty = self.infer(models, func.child_by_field_name("object")?)?;
        let target = self.target(models, &ty)?;
        Some(CallSite { method, args, target })
    }
}

/// All `call` nodes in source order.
pub(crate) fn all_calls<'t>(root: Node<'t>) -> Vec<Node<'t>> {
    let mut out = Vec::new();
    crate::for_each_named(root, |n| {
        if n.kind() == "call" {
            out.push(n);
        }
        true
    });
    out
}

pub(crate) fn calls(file: &PyFile, models: &BotocoreModels) -> Vec<BotoCall> {
    let mut out = Vec::new();
    for call in all_calls(file.root()) {
        let Some(site) = file.call_site(models, call) else { continue };
        let Some((op, _)) = site.operation(file) else { continue };
        out.push(BotoCall {
            service: site.model().name.clone(),
            operation: op.name.clone(),
            method: op.python_name.clone(),
            iam_action: op.iam_action.clone(),
            range: range_of(call),
            method_range: range_of(site.method),
            via_resource: matches!(site.target, Target::Resource { .. }),
        });
    }
    out
}

pub(crate) fn diagnostics(file: &PyFile, models: &BotocoreModels) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for call in all_calls(file.root()) {
        check_client_creation(file, models, call, &mut out);
        if let Some(site) = file.call_site(models, call) {
            check_call(file, &site, &mut out);
        }
    }
    out.extend(crate::credentials::diagnostics(file, models));
    out.sort_by_key(|d| (d.range.start, d.range.end));
    out
}

/// `boto3.client("nope")`: botocore raises UnknownServiceError.
fn check_client_creation(file: &PyFile, models: &BotocoreModels, call: Node<'_>, out: &mut Vec<Diagnostic>) {
    let (Some(func), Some(args)) = (call.child_by_field_name("function"), call.child_by_field_name("arguments")) else {
        return;
    };
    let is_resource = match file.infer(models, func) {
        Some(Ty::ClientFn) => false,
        Some(Ty::ResourceFn) => true,
        _ => return,
    };
    let Some(arg) = file.service_arg_node(args) else { return };
    let Some(name) = string_value(file, arg) else { return };
    let known = if is_resource {
        models.canonical_name(&name).is_some_and(|n| models.resource_services().iter().any(|r| r == n))
    } else {
        models.canonical_name(&name).is_some()
    };
    if known {
        return;
    }
    let candidates: Vec<&str> = if is_resource {
        models.resource_services().iter().map(String::as_str).collect()
    } else {
        models.services().iter().map(|s| s.name.as_str()).collect()
    };
    let what = if is_resource { "boto3 resource" } else { "botocore service" };
    let raised = if is_resource { "ResourceNotExistsError" } else { "UnknownServiceError" };
    let mut msg = format!("unknown {what} '{name}': boto3 raises {raised}");
    let mut fix = None;
    if let Some(s) = did_you_mean(&name, candidates.iter().copied()) {
        msg.push_str(&format!("; did you mean '{s}'?"));
        if let Some((cs, ce)) = string_content_range(arg) {
            fix = Some(Fix::replace(format!("Change to '{s}'"), TextRange::new(cs as u32, ce as u32), s));
        }
    } else if is_resource {
        msg.push_str(&format!("; boto3 has resources only for {}", candidates.join(", ")));
    }
    let mut d = Diagnostic::error(UNKNOWN_SERVICE, range_of(arg), msg);
    d.fixes.extend(fix);
    out.push(d);
}

fn check_call(file: &PyFile, site: &CallSite<'_>, out: &mut Vec<Diagnostic>) {
    let model = site.model();
    let name = file.node_text(site.method);
    if name.starts_with('_') {
        return;
    }
    let Some((op, filled)) = site.operation(file) else {
        if let Target::Client { .. } = site.target {
            check_builtin_or_unknown(file, site, name, out);
        }
        return;
    };
    let method_range = range_of(site.method);
    let label = format!("{}.{}", model.name, op.python_name);
    if let Some(msg) = &op.deprecated {
        let why = if msg.is_empty() { String::new() } else { format!(": {msg}") };
        out.push(Diagnostic::warning(DEPRECATED, method_range, format!("{label} is deprecated{why}")));
    }
    let (is_client, validated) = match site.target {
        Target::Client { validated, .. } => (true, validated),
        // boto3 resources transform values (DynamoDB's Python types), so only names are checked.
        Target::Resource { .. } => (false, true),
    };
    if !validated {
        return;
    }
    let mut c = site.args.walk();
    let args: Vec<Node<'_>> = site.args.named_children(&mut c).filter(|a| a.kind() != "comment").collect();
    let dynamic = args.iter().any(|a| matches!(a.kind(), "dictionary_splat" | "list_splat"));
    let input = op.input.map(|i| model.shape(i));
    let (members, required) = match input.map(|s| &s.kind) {
        Some(ShapeKind::Structure { members, required, .. }) => (members.as_slice(), required.as_slice()),
        _ => (&[][..], &[][..]),
    };
    let mut given = Vec::new();
    for a in &args {
        match a.kind() {
            "keyword_argument" => {
                let (Some(kname), Some(value)) = (a.child_by_field_name("name"), a.child_by_field_name("value")) else {
                    continue;
                };
                let k = file.node_text(kname);
                given.push(k.to_owned());
                let Some(m) = members.iter().find(|m| m.name == k) else {
                    if filled.iter().any(|f| f == k) {
                        continue;
                    }
                    let candidates = members.iter().map(|m| m.name.as_str());
                    out.push(unknown_name(k, candidates, range_of(kname), &format!("{label} has no parameter '{k}'")));
                    continue;
                };
                if let Some(msg) = &m.deprecated {
                    let why = if msg.is_empty() { String::new() } else { format!(": {msg}") };
                    out.push(Diagnostic::warning(
                        DEPRECATED,
                        range_of(kname),
                        format!("parameter '{k}' of {label} is deprecated{why}"),
                    ));
                }
                if is_client && !converted_by_botocore(&model.name, &op.name, k) {
                    check_value(file, model, value, m, k, out);
                }
            }
            "dictionary_splat" | "list_splat" => {}
            _ if is_client => out.push(Diagnostic::error(
                POSITIONAL,
                range_of(*a),
                format!("{label} takes keyword arguments only: boto3 raises TypeError for positional arguments"),
            )),
            _ => {}
        }
    }
    // Positional arguments raise TypeError before botocore looks at the parameters.
    let positional =
        is_client && args.iter().any(|a| !matches!(a.kind(), "keyword_argument" | "dictionary_splat" | "list_splat"));
    if !dynamic && !positional {
        let missing: Vec<&str> = required
            .iter()
            .filter(|r| !given.contains(r) && !filled.contains(r) && !filled_by_botocore(&model.name, r))
            .filter(|r| !members.iter().any(|m| &m.name == *r && m.idempotency_token))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            out.push(Diagnostic::error(
                MISSING_REQUIRED,
                method_range,
                format!("{label} is missing required parameter{} {}", plural(missing.len()), quote_list(&missing)),
            ));
        }
    }
}

/// `get_paginator("x")`, `get_waiter("x")`, or a method the client does not have.
fn check_builtin_or_unknown(file: &PyFile, site: &CallSite<'_>, name: &str, out: &mut Vec<Diagnostic>) {
    let model = site.model();
    let list = match name {
        "get_paginator" | "can_paginate" => Some(("paginator", &model.paginators)),
        "get_waiter" => Some(("waiter", &model.waiters)),
        _ => None,
    };
    if let Some((what, names)) = list {
        // `can_paginate` answers False rather than raising.
        if name == "can_paginate" {
            return;
        }
        let mut c = site.args.walk();
        let Some(arg) = site.args.named_children(&mut c).next() else { return };
        let Some(v) = string_value(file, arg) else { return };
        if names.contains(&v) {
            return;
        }
        let mut msg = format!("{} has no {what} '{v}'", model.name);
        if let Some(s) = did_you_mean(&v, names.iter().map(String::as_str)) {
            msg.push_str(&format!("; did you mean '{s}'?"));
        } else if names.is_empty() {
            msg.push_str(&format!(" (it has no {what}s)"));
        }
        out.push(Diagnostic::error(UNKNOWN_PAGINATOR, range_of(arg), msg));
        return;
    }
    if CLIENT_BUILTINS.iter().any(|(b, _)| *b == name) || injected(&model.name).contains(&name) {
        return;
    }
    let candidates = model
        .operations
        .iter()
        .map(|o| o.python_name.as_str())
        .chain(CLIENT_BUILTINS.iter().map(|(b, _)| *b))
        .chain(injected(&model.name).iter().copied());
    let msg = format!("the {} client has no method '{name}' (AttributeError at run time)", model.name);
    let mut d = unknown_name(name, candidates, range_of(site.method), &msg);
    d.code = UNKNOWN_METHOD;
    out.push(d);
}

fn unknown_name<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str> + Clone,
    range: TextRange,
    msg: &str,
) -> Diagnostic {
    match did_you_mean_affix(name, candidates) {
        Some(s) => Diagnostic::error(UNKNOWN_PARAM, range, format!("{msg}; did you mean '{s}'?"))
            .with_fix(Fix::replace(format!("Change to '{s}'"), range, s)),
        None => Diagnostic::error(UNKNOWN_PARAM, range, msg.to_owned()),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn quote_list(names: &[&str]) -> String {
    names.iter().map(|n| format!("'{n}'")).collect::<Vec<_>>().join(", ")
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 { format!("{}", v as i64) } else { v.to_string() }
}

/// Checks a literal `value` against the member's shape as botocore's `ParamValidator` does.
fn check_value(
    file: &PyFile,
    model: &ServiceModel,
    value: Node<'_>,
    member: &Member,
    path: &str,
    out: &mut Vec<Diagnostic>,
) {
    if member.json_value {
        return;
    }
    check_shape(file, model, value, model.shape(member.shape), member.host_label, path, out);
}

fn check_shape(
    file: &PyFile,
    model: &ServiceModel,
    value: Node<'_>,
    shape: &Shape,
    host_label: bool,
    path: &str,
    out: &mut Vec<Diagnostic>,
) {
    let Some(lit) = literal(file, value) else { return };
    let range = range_of(value);
    let wrong = |expected: &str| {
        Diagnostic::error(
            WRONG_TYPE,
            range,
            format!(
                "{path} must be {expected} ({} '{}'), not {}: botocore rejects it with ParamValidationError",
                shape.kind.type_name(),
                shape.name,
                lit.type_name()
            ),
        )
    };
    // botocore checks `min` only (and an implicit 1 for host labels); `max` is the service's check.
    let min = shape.min.or(host_label.then_some(1.0));
    match &shape.kind {
        ShapeKind::Structure { document: true, .. } | ShapeKind::Timestamp => {}
        ShapeKind::String => match &lit {
            Lit::Str { value: text } => {
                let Some(v) = text else { return };
                let len = v.chars().count() as f64;
                if let Some(m) = min
                    && len < m
                {
                    out.push(Diagnostic::error(
                        BELOW_MIN,
                        range,
                        format!(
                            "{path} must be at least {} character{} long (got {})",
                            fmt_num(m),
                            plural(m as usize),
                            len
                        ),
                    ));
                }
                if let Some(m) = shape.max
                    && len > m
                {
                    out.push(Diagnostic::warning(
                        ABOVE_MAX,
                        range,
                        format!(
                            "{path} is longer than {} characters (got {}); the service will reject it",
                            fmt_num(m),
                            len
                        ),
                    ));
                }
                if !shape.enum_values.is_empty() && !shape.enum_values.iter().any(|e| e == v) {
                    let mut msg = format!("'{v}' is not a known value of {path} ({})", shape.name);
                    let mut fix = None;
                    if let Some(s) = did_you_mean(v, shape.enum_values.iter().map(String::as_str)) {
                        msg.push_str(&format!("; did you mean '{s}'?"));
                        if let Some((cs, ce)) = string_content_range(value) {
                            fix =
                                Some(Fix::replace(format!("Change to '{s}'"), TextRange::new(cs as u32, ce as u32), s));
                        }
                    } else if shape.enum_values.len() <= 12 {
                        msg.push_str(&format!("; expected one of {}", shape.enum_values.join(", ")));
                    }
                    let mut d = Diagnostic::warning(NOT_IN_ENUM, range, msg);
                    d.fixes.extend(fix);
                    out.push(d);
                }
            }
            _ => out.push(wrong("a str")),
        },
        ShapeKind::Integer | ShapeKind::Long => match lit {
            Lit::Int(v) => check_number(v.map(|v| v as f64), min, shape.max, range, path, out),
            Lit::Bool => {}
            _ => out.push(wrong("an int")),
        },
        ShapeKind::Float | ShapeKind::Double => match lit {
            Lit::Int(v) => check_number(v.map(|v| v as f64), min, shape.max, range, path, out),
            Lit::Float(v) => check_number(v, min, shape.max, range, path, out),
            Lit::Bool => {}
            _ => out.push(wrong("a number")),
        },
        ShapeKind::Boolean => {
            if lit != Lit::Bool {
                out.push(wrong("a bool"));
            }
        }
        ShapeKind::Blob => {
            if !matches!(lit, Lit::Str { .. } | Lit::Bytes) {
                out.push(wrong("bytes, a str or a file-like object"));
            }
        }
        ShapeKind::List { member } => {
            if lit != Lit::List {
                out.push(wrong("a list"));
                return;
            }
            if !matches!(value.kind(), "list" | "tuple") {
                return;
            }
            let mut c = value.walk();
            let items: Vec<Node<'_>> = value.named_children(&mut c).filter(|i| i.kind() != "comment").collect();
            if items.iter().any(|i| i.kind() == "list_splat") {
                return;
            }
            if let Some(m) = min
                && (items.len() as f64) < m
            {
                out.push(Diagnostic::error(
                    BELOW_MIN,
                    range,
                    format!("{path} must have at least {} item{}", fmt_num(m), plural(m as usize)),
                ));
            }
            let item_shape = model.shape(*member);
            for (i, item) in items.iter().enumerate() {
                check_shape(file, model, *item, item_shape, false, &format!("{path}[{i}]"), out);
            }
        }
        ShapeKind::Map { key, value: vshape } => {
            if lit != Lit::Dict {
                out.push(wrong("a dict"));
                return;
            }
            for (k, v) in pairs(value) {
                let Some(kv) = string_value(file, k) else { continue };
                check_shape(file, model, k, model.shape(*key), false, &format!("{path} (key: {kv})"), out);
                check_shape(file, model, v, model.shape(*vshape), false, &format!("{path}.{kv}"), out);
            }
        }
        ShapeKind::Structure { members, required, union, .. } => {
            if lit != Lit::Dict {
                out.push(wrong("a dict"));
                return;
            }
            if value.kind() != "dictionary" {
                return;
            }
            let mut c = value.walk();
            let dynamic = value.named_children(&mut c).any(|p| p.kind() != "pair" && p.kind() != "comment");
            let mut keys = Vec::new();
            let mut dynamic_keys = dynamic;
            for (k, v) in pairs(value) {
                let Some(kv) = string_value(file, k) else {
                    dynamic_keys = true;
                    continue;
                };
                keys.push(kv.clone());
                let Some(m) = members.iter().find(|m| m.name == kv) else {
                    let candidates = members.iter().map(|m| m.name.as_str());
                    // The fix replaces the key's text inside its quotes.
                    let key_range =
                        string_content_range(k).map_or(range_of(k), |(a, b)| TextRange::new(a as u32, b as u32));
                    out.push(unknown_name(&kv, candidates, key_range, &format!("{path} has no key '{kv}'")));
                    continue;
                };
                if let Some(msg) = &m.deprecated {
                    let why = if msg.is_empty() { String::new() } else { format!(": {msg}") };
                    out.push(Diagnostic::warning(DEPRECATED, range_of(k), format!("{path}.{kv} is deprecated{why}")));
                }
                check_value(file, model, v, m, &format!("{path}.{kv}"), out);
            }
            if *union && (keys.len() > 1 || (keys.is_empty() && !dynamic_keys)) {
                let names: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
                let what = if keys.is_empty() { "none" } else { "more than one" };
                out.push(Diagnostic::error(
                    UNION,
                    range,
                    format!("{path} is a union: set exactly one of {} ({what} given)", quote_list(&names)),
                ));
            }
            if !dynamic_keys {
                let missing: Vec<&str> = required.iter().filter(|r| !keys.contains(r)).map(String::as_str).collect();
                if !missing.is_empty() {
                    out.push(Diagnostic::error(
                        MISSING_REQUIRED,
                        range,
                        format!("{path} is missing required key{} {}", plural(missing.len()), quote_list(&missing)),
                    ));
                }
            }
        }
    }
}

fn check_number(
    v: Option<f64>,
    min: Option<f64>,
    max: Option<f64>,
    range: TextRange,
    path: &str,
    out: &mut Vec<Diagnostic>,
) {
    let Some(v) = v else { return };
    if let Some(m) = min
        && v < m
    {
        out.push(Diagnostic::error(
            BELOW_MIN,
            range,
            format!("{path} must be at least {} (got {})", fmt_num(m), fmt_num(v)),
        ));
    }
    if let Some(m) = max
        && v > m
    {
        out.push(Diagnostic::warning(
            ABOVE_MAX,
            range,
            format!("{path} must be at most {} (got {}); the service will reject it", fmt_num(m), fmt_num(v)),
        ));
    }
}

/// The `key: value` pairs of a dict literal.
pub(crate) fn pairs<'t>(dict: Node<'t>) -> Vec<(Node<'t>, Node<'t>)> {
    let mut c = dict.walk();
    dict.named_children(&mut c)
        .filter(|p| p.kind() == "pair")
        .filter_map(|p| Some((p.child_by_field_name("key")?, p.child_by_field_name("value")?)))
        .collect()
}
