//! Completion: first classify where the cursor is ([`Context`]), then one generator per context.
//!
//! Contexts: the service name in `client("|")`/`resource("|")`; a method after `client.`; a keyword
//! argument inside an operation call; a string inside a parameter value (enum values) or a dict key
//! of a structure parameter (`Filters=[{"|"}]`); paginator and waiter names; response keys in
//! `resp["|"]`.

use samwise_data::botocore::{BotocoreModels, Member, Operation, ServiceModel, Shape, ShapeId, ShapeKind};
use samwise_syntax::TextRange;
use tree_sitter::Node;

use crate::diagnostics::{CLIENT_BUILTINS, CallSite, injected, pairs};
use crate::infer::{Target, Ty};
use crate::literal::{string_content_range, string_value};
use crate::{CompletionItem, CompletionKind, PyFile};

#[derive(Debug)]
pub(crate) enum Context<'t> {
    ServiceName {
        resource: bool,
        replace: TextRange,
    },
    Attribute {
        receiver: Node<'t>,
        replace: TextRange,
    },
    Keyword {
        call: Node<'t>,
        replace: TextRange,
    },
    /// Right after `Name=` in an operation call: enum values (quoted) and booleans.
    KeywordValue {
        call: Node<'t>,
        kwarg: String,
        replace: TextRange,
    },
    /// A string value at `path` below keyword argument `kwarg` of `call`.
    StringValue {
        call: Node<'t>,
        kwarg: String,
        path: Vec<Step>,
        replace: TextRange,
    },
    /// A key of the dict at `path` below `kwarg`; `quoted` when the cursor is inside the key's quotes.
    DictKey {
        call: Node<'t>,
        kwarg: String,
        path: Vec<Step>,
        dict: Node<'t>,
        quoted: bool,
        replace: TextRange,
    },
    Paginator {
        call: Node<'t>,
        waiter: bool,
        replace: TextRange,
    },
    ResponseKey {
        value: Node<'t>,
        replace: TextRange,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Step {
    Key(String),
    Item,
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl PyFile {
    /// The string literal whose content contains `offset` (inclusive of both quotes' inner edges).
    pub(crate) fn string_at(&self, offset: usize) -> Option<Node<'_>> {
        let mut n = self.root().descendant_for_byte_range(offset, offset)?;
        loop {
            if n.kind() == "string"
                && let Some((s, e)) = string_content_range(n)
                && s <= offset
                && offset <= e
            {
                return Some(n);
            }
            n = n.parent()?;
        }
    }

    pub(crate) fn classify(&self, models: &BotocoreModels, offset: usize) -> Option<Context<'_>> {
        if let Some(s) = self.string_at(offset) {
            return self.classify_string(models, s);
        }
        let bytes = self.text().as_bytes();
        let mut word_start = offset.min(bytes.len());
        while word_start > 0 && is_ident_byte(bytes[word_start - 1]) {
            word_start -= 1;
        }
        let mut word_end = offset.min(bytes.len());
        while word_end < bytes.len() && is_ident_byte(bytes[word_end]) {
            word_end += 1;
        }
        let replace = TextRange::new(word_start as u32, word_end as u32);
        // `receiver.|`: the receiver is the largest expression ending right before the dot.
        if word_start > 0 && bytes[word_start - 1] == b'.' {
            let dot = word_start - 1;
            let mut n = self.root().named_descendant_for_byte_range(dot.saturating_sub(1), dot)?;
            if n.end_byte() != dot {
                return None;
            }
            while let Some(p) = n.parent() {
                if p.end_byte() == dot
                    && matches!(p.kind(), "attribute" | "call" | "subscript" | "parenthesized_expression")
                {
                    n = p;
                } else {
                    break;
                }
            }
            return Some(Context::Attribute { receiver: n, replace });
        }
        // After `(` or `,` inside an argument list or a dict: a keyword argument or a dict key.
        let mut prev = word_start;
        while prev > 0 && bytes[prev - 1].is_ascii_whitespace() {
            prev -= 1;
        }
        if prev >= 2 && bytes[prev - 1] == b'=' && !matches!(bytes[prev - 2], b'=' | b'!' | b'<' | b'>') {
            return self.classify_keyword_value(prev - 1, replace);
        }
        if prev == 0 || !matches!(bytes[prev - 1], b'(' | b',' | b'{') {
            return None;
        }
        let punct = self.root().descendant_for_byte_range(prev - 1, prev)?;
        let container = punct.parent()?;
        match container.kind() {
            "argument_list" if bytes[prev - 1] != b'{' => {
                let call = container.parent().filter(|c| c.kind() == "call")?;
                Some(Context::Keyword { call, replace })
            }
            "dictionary" => {
                let (call, kwarg, path) = self.value_path(container)?;
                Some(Context::DictKey { call, kwarg, path, dict: container, quoted: false, replace })
            }
            _ => None,
        }
    }

    /// `Name=|`: the value of a keyword argument, before anything is typed (the call may not parse yet).
    fn classify_keyword_value(&self, eq: usize, replace: TextRange) -> Option<Context<'_>> {
        let bytes = self.text().as_bytes();
        let mut end = eq;
        while end > 0 && bytes[end - 1].is_ascii_whitespace() {
            end -= 1;
        }
        let mut start = end;
        while start > 0 && is_ident_byte(bytes[start - 1]) {
            start -= 1;
        }
        if start == end {
            return None;
        }
        let kwarg = self.text()[start..end].to_owned();
        let mut n = self.root().descendant_for_byte_range(start, end)?;
        let call = loop {
            if n.kind() == "call"
                && let Some(args) = n.child_by_field_name("arguments")
                && args.start_byte() < start
            {
                break n;
            }
            n = n.parent()?;
        };
        Some(Context::KeywordValue { call, kwarg, replace })
    }

    fn classify_string<'t>(&'t self, models: &BotocoreModels, s: Node<'t>) -> Option<Context<'t>> {
        let (cs, ce) = string_content_range(s)?;
        let replace = TextRange::new(cs as u32, ce as u32);
        let parent = s.parent()?;
        match parent.kind() {
            "argument_list" | "keyword_argument" => {
                let args = if parent.kind() == "argument_list" { parent } else { parent.parent()? };
                let call = args.parent().filter(|c| c.kind() == "call")?;
                let func = call.child_by_field_name("function")?;
                match self.infer(models, func) {
                    Some(t @ (Ty::ClientFn | Ty::ResourceFn)) => {
                        let arg = self.service_arg_node(args)?;
                        return (arg.id() == s.id())
                            .then_some(Context::ServiceName { resource: t == Ty::ResourceFn, replace });
                    }
                    _ if parent.kind() == "argument_list" => {
                        let method = func.child_by_field_name("attribute").map(|m| self.node_text(m))?;
                        let waiter = match method {
                            "get_paginator" | "can_paginate" => false,
                            "get_waiter" => true,
                            _ => return None,
                        };
                        return Some(Context::Paginator { call, waiter, replace });
                    }
                    _ => {}
                }
            }
            "subscript" if parent.child_by_field_name("subscript").is_some_and(|k| k.id() == s.id()) => {
                return Some(Context::ResponseKey { value: parent.child_by_field_name("value")?, replace });
            }
            "pair" if parent.child_by_field_name("key").is_some_and(|k| k.id() == s.id()) => {
                let dict = parent.parent()?;
                let (call, kwarg, path) = self.value_path(dict)?;
                return Some(Context::DictKey { call, kwarg, path, dict, quoted: true, replace });
            }
            // A lone string in a dict or set literal is a key being typed (`{"Ke|"}` parses as a set).
            "set" | "dictionary" => {
                let (call, kwarg, path) = self.value_path(parent)?;
                return Some(Context::DictKey { call, kwarg, path, dict: parent, quoted: true, replace });
            }
            _ => {}
        }
        let (call, kwarg, path) = self.value_path(s)?;
        Some(Context::StringValue { call, kwarg, path, replace })
    }

    /// From a node inside a keyword argument's value up to the call: the call, the keyword, and the
    /// steps (dict keys and list items) from the keyword's value down to `n`.
    pub(crate) fn value_path<'t>(&'t self, n: Node<'t>) -> Option<(Node<'t>, String, Vec<Step>)> {
        let mut steps = Vec::new();
        let mut cur = n;
        loop {
            let p = cur.parent()?;
            let is_value = |field: &str| p.child_by_field_name(field).is_some_and(|v| v.id() == cur.id());
            match p.kind() {
                "pair" if is_value("value") => {
                    steps.push(Step::Key(string_value(self, p.child_by_field_name("key")?)?));
                }
                "pair" => return None,
                // Only a pair, or the starting node itself (a key being typed), sits directly in a dict.
                "dictionary" | "set" if cur.kind() != "pair" && cur.id() != n.id() => return None,
                "dictionary" | "set" => {}
                "list" | "tuple" => steps.push(Step::Item),
                "keyword_argument" => {
                    if !is_value("value") {
                        return None;
                    }
                    let name = self.node_text(p.child_by_field_name("name")?).to_owned();
                    let call = p.parent()?.parent().filter(|c| c.kind() == "call")?;
                    steps.reverse();
                    return Some((call, name, steps));
                }
                "parenthesized_expression" => {}
                _ => return None,
            }
            cur = p;
        }
    }
}

/// The shape reached from keyword `kwarg` of an operation by following `path`.
pub(crate) fn shape_at<'m>(model: &'m ServiceModel, op: &Operation, kwarg: &str, path: &[Step]) -> Option<&'m Shape> {
    let ShapeKind::Structure { members, .. } = &model.shape(op.input?).kind else { return None };
    let mut id: ShapeId = members.iter().find(|m| m.name == kwarg)?.shape;
    for step in path {
        id = match (&model.shape(id).kind, step) {
            (ShapeKind::Structure { members, .. }, Step::Key(k)) => members.iter().find(|m| &m.name == k)?.shape,
            (ShapeKind::Map { value, .. }, Step::Key(_)) => *value,
            (ShapeKind::List { member }, Step::Item) => *member,
            _ => return None,
        };
    }
    Some(model.shape(id))
}

/// The Python type of a shape, as shown beside parameters (`str`, `list[Tag]`, `dict[str, str]`).
pub(crate) fn py_type(model: &ServiceModel, shape: &Shape) -> String {
    match &shape.kind {
        ShapeKind::String => "str".into(),
        ShapeKind::Integer | ShapeKind::Long => "int".into(),
        ShapeKind::Float | ShapeKind::Double => "float".into(),
        ShapeKind::Boolean => "bool".into(),
        ShapeKind::Timestamp => "datetime | str".into(),
        ShapeKind::Blob => "bytes | IO".into(),
        ShapeKind::List { member } => format!("list[{}]", short_type(model, model.shape(*member))),
        ShapeKind::Map { key, value } => {
            format!("dict[{}, {}]", short_type(model, model.shape(*key)), short_type(model, model.shape(*value)))
        }
        ShapeKind::Structure { document: true, .. } => "Any".into(),
        ShapeKind::Structure { .. } => shape.name.clone(),
    }
}

fn short_type(model: &ServiceModel, shape: &Shape) -> String {
    match &shape.kind {
        ShapeKind::List { .. } | ShapeKind::Map { .. } => "...".into(),
        _ => py_type(model, shape),
    }
}

pub(crate) fn completions(file: &PyFile, models: &BotocoreModels, offset: u32) -> Vec<CompletionItem> {
    let Some(ctx) = file.classify(models, offset as usize) else {
        return match file.closed_at(offset) {
            Some(patched) => completions_in(&patched, models, offset),
            None => Vec::new(),
        };
    };
    generate(file, models, ctx)
}

fn completions_in(file: &PyFile, models: &BotocoreModels, offset: u32) -> Vec<CompletionItem> {
    match file.classify(models, offset as usize) {
        Some(ctx) => generate(file, models, ctx),
        None => Vec::new(),
    }
}

impl PyFile {
    /// While a call is being typed its `)` (and the closing quote of a string) is often missing, and the
    /// parser then sees no call at all. This is the file with the missing closers inserted at the
    /// cursor, so the call parses; ranges before the cursor are the same in both texts.
    pub(crate) fn closed_at(&self, offset: u32) -> Option<PyFile> {
        let o = offset as usize;
        if !self.text().is_char_boundary(o) {
            return None;
        }
        let bytes = self.text().as_bytes();
        let line_start = self.text()[..o].rfind('\n').map_or(0, |i| i + 1);
        // An unterminated string on this line: an odd number of one kind of quote before the cursor.
        let quote =
            [b'"', b'\''].into_iter().find(|q| bytes[line_start..o].iter().filter(|b| *b == q).count() % 2 == 1);
        let closers = match quote {
            Some(q) => format!("{})", q as char),
            None => {
                let mut i = o;
                while i > 0 && is_ident_byte(bytes[i - 1]) {
                    i -= 1;
                }
                while i > 0 && bytes[i - 1].is_ascii_whitespace() {
                    i -= 1;
                }
                if i == 0 || !matches!(bytes[i - 1], b'(' | b',' | b'=') {
                    return None;
                }
                ")".to_owned()
            }
        };
        let mut text = String::with_capacity(self.text().len() + closers.len());
        text.push_str(&self.text()[..o]);
        text.push_str(&closers);
        text.push_str(&self.text()[o..]);
        Some(PyFile::parse(&text))
    }
}

fn generate(file: &PyFile, models: &BotocoreModels, ctx: Context<'_>) -> Vec<CompletionItem> {
    match ctx {
        Context::ServiceName { resource, replace } => {
            let item = |name: &str, full: &str| CompletionItem {
                label: name.to_owned(),
                kind: CompletionKind::Module,
                detail: (!full.is_empty()).then(|| full.to_owned()),
                documentation: None,
                insert_text: name.to_owned(),
                is_snippet: false,
                replace_range: replace,
                sort_key: name.to_owned(),
                filter_text: None,
            };
            if resource {
                models
                    .resource_services()
                    .iter()
                    .map(|r| {
                        let full = models.services().iter().find(|s| &s.name == r).map_or("", |s| s.full_name.as_str());
                        item(r, full)
                    })
                    .collect()
            } else {
                models.services().iter().map(|s| item(&s.name, &s.full_name)).collect()
            }
        }
        Context::Attribute { receiver, replace } => {
            let Some(ty) = file.infer(models, receiver) else { return Vec::new() };
            match file.target(models, &ty) {
                Some(Target::Client { model, .. }) => client_methods(&model, replace),
                Some(Target::Resource { model, resources, resource }) => {
                    let Some(r) = resources.resource(&resource) else { return Vec::new() };
                    let mut out = Vec::new();
                    for a in &r.actions {
                        let op = model.operation_by_api_name(&a.operation);
                        out.push(item(
                            &a.python_name,
                            CompletionKind::Method,
                            op.map(|o| o.name.clone()),
                            op.map(|o| o.doc.clone()),
                            replace,
                            format!("0{}", a.python_name),
                        ));
                    }
                    for h in &r.has {
                        out.push(item(
                            h,
                            CompletionKind::Function,
                            Some(format!("{h} resource")),
                            None,
                            replace,
                            format!("1{h}"),
                        ));
                    }
                    for c in &r.collections {
                        out.push(item(
                            c,
                            CompletionKind::Field,
                            Some("collection".into()),
                            None,
                            replace,
                            format!("1{c}"),
                        ));
                    }
                    for i in &r.injected {
                        out.push(item(i, CompletionKind::Method, Some("boto3".into()), None, replace, format!("1{i}")));
                    }
                    out.push(item(
                        "meta",
                        CompletionKind::Field,
                        Some("resource metadata (meta.client)".into()),
                        None,
                        replace,
                        "2meta".into(),
                    ));
                    out
                }
                None => Vec::new(),
            }
        }
        Context::Keyword { call, replace } => {
            let Some(site) = file.call_site(models, call) else { return Vec::new() };
            let Some((op, filled)) = site.operation(file) else { return Vec::new() };
            let model = site.model();
            let given = given_keywords(file, site.args);
            params(model, op)
                .into_iter()
                .filter(|(m, _)| !given.contains(&m.name) && !filled.contains(&m.name))
                .map(|(m, required)| {
                    let shape = model.shape(m.shape);
                    let ty = py_type(model, shape);
                    CompletionItem {
                        label: m.name.clone(),
                        kind: CompletionKind::Property,
                        detail: Some(if required { format!("{ty} (required)") } else { ty }),
                        documentation: Some(param_doc(model, m, shape, required)),
                        insert_text: format!("{}=", m.name),
                        is_snippet: false,
                        replace_range: replace,
                        sort_key: format!("{}{}", if required { 0 } else { 1 }, m.name),
                        filter_text: None,
                    }
                })
                .collect()
        }
        Context::KeywordValue { call, kwarg, replace } => {
            let Some(site) = file.call_site(models, call) else { return Vec::new() };
            let Some((op, _)) = site.operation(file) else { return Vec::new() };
            let Some(shape) = shape_at(site.model(), op, &kwarg, &[]) else { return Vec::new() };
            let mut out: Vec<CompletionItem> = shape
                .enum_values
                .iter()
                .map(|v| {
                    let mut i = item(v, CompletionKind::EnumMember, Some(shape.name.clone()), None, replace, v.clone());
                    i.insert_text = format!("\"{v}\"");
                    i
                })
                .collect();
            if shape.kind == ShapeKind::Boolean {
                for b in ["True", "False"] {
                    out.push(item(b, CompletionKind::Keyword, Some("bool".into()), None, replace, b.into()));
                }
            }
            out
        }
        Context::StringValue { call, kwarg, path, replace } => {
            let Some(site) = file.call_site(models, call) else { return Vec::new() };
            let Some((op, _)) = site.operation(file) else { return Vec::new() };
            let Some(shape) = shape_at(site.model(), op, &kwarg, &path) else { return Vec::new() };
            shape
                .enum_values
                .iter()
                .map(|v| item(v, CompletionKind::EnumMember, Some(shape.name.clone()), None, replace, v.clone()))
                .collect()
        }
        Context::DictKey { call, kwarg, path, dict, quoted, replace } => {
            let Some(site) = file.call_site(models, call) else { return Vec::new() };
            let Some((op, _)) = site.operation(file) else { return Vec::new() };
            let model = site.model();
            let Some(shape) = shape_at(model, op, &kwarg, &path) else { return Vec::new() };
            let ShapeKind::Structure { members, required, .. } = &shape.kind else { return Vec::new() };
            let present: Vec<String> = pairs(dict).iter().filter_map(|(k, _)| string_value(file, *k)).collect();
            members
                .iter()
                .filter(|m| !present.contains(&m.name))
                .map(|m| {
                    let req = required.contains(&m.name);
                    let s = model.shape(m.shape);
                    let ty = py_type(model, s);
                    CompletionItem {
                        label: m.name.clone(),
                        kind: CompletionKind::Field,
                        detail: Some(if req { format!("{ty} (required)") } else { ty }),
                        documentation: Some(param_doc(model, m, s, req)),
                        insert_text: if quoted { m.name.clone() } else { format!("\"{}\": ", m.name) },
                        is_snippet: false,
                        replace_range: replace,
                        sort_key: format!("{}{}", if req { 0 } else { 1 }, m.name),
                        filter_text: None,
                    }
                })
                .collect()
        }
        Context::Paginator { call, waiter, replace } => {
            let Some(site) = file.call_site(models, call) else { return Vec::new() };
            if !matches!(site.target, Target::Client { .. }) {
                return Vec::new();
            }
            let model = site.model();
            let names = if waiter { &model.waiters } else { &model.paginators };
            let detail = if waiter { "waiter" } else { "paginator" };
            names
                .iter()
                .map(|n| item(n, CompletionKind::Value, Some(detail.into()), None, replace, n.clone()))
                .collect()
        }
        Context::ResponseKey { value, replace } => {
            let Some(Ty::Output { service, shape }) = file.infer(models, value) else { return Vec::new() };
            let Some(model) = models.service(&service) else { return Vec::new() };
            let ShapeKind::Structure { members, .. } = &model.shape(shape).kind else { return Vec::new() };
            members
                .iter()
                .map(|m| {
                    let s = model.shape(m.shape);
                    let doc = (!m.doc.is_empty()).then(|| m.doc.clone());
                    item(&m.name, CompletionKind::Field, Some(py_type(&model, s)), doc, replace, m.name.clone())
                })
                .collect()
        }
    }
}

fn item(
    label: &str,
    kind: CompletionKind,
    detail: Option<String>,
    documentation: Option<String>,
    replace: TextRange,
    sort_key: String,
) -> CompletionItem {
    CompletionItem {
        label: label.to_owned(),
        kind,
        detail,
        documentation: documentation.filter(|d| !d.is_empty()),
        insert_text: label.to_owned(),
        is_snippet: false,
        replace_range: replace,
        sort_key,
        filter_text: None,
    }
}

fn client_methods(model: &ServiceModel, replace: TextRange) -> Vec<CompletionItem> {
    let mut out = Vec::with_capacity(model.operations.len() + 16);
    for op in &model.operations {
        let mut doc = op.doc.clone();
        doc.push_str(&format!("\n\nIAM action: `{}`", op.iam_action));
        let deprecated = op.deprecated.is_some();
        out.push(item(
            &op.python_name,
            CompletionKind::Method,
            Some(if deprecated { format!("{} (deprecated)", op.name) } else { op.name.clone() }),
            Some(doc),
            replace,
            format!("{}{}", if deprecated { 2 } else { 0 }, op.python_name),
        ));
    }
    for (b, d) in CLIENT_BUILTINS {
        out.push(item(b, CompletionKind::Method, Some((*d).to_owned()), None, replace, format!("1{b}")));
    }
    for m in injected(&model.name) {
        out.push(item(m, CompletionKind::Method, Some("boto3".into()), None, replace, format!("1{m}")));
    }
    out
}

/// The operation's input members, required first (in model order within each group).
pub(crate) fn params<'m>(model: &'m ServiceModel, op: &Operation) -> Vec<(&'m Member, bool)> {
    let Some(ShapeKind::Structure { members, required, .. }) = op.input.map(|i| &model.shape(i).kind) else {
        return Vec::new();
    };
    let mut out: Vec<(&Member, bool)> = members.iter().map(|m| (m, required.contains(&m.name))).collect();
    out.sort_by_key(|(_, r)| !*r);
    out
}

fn given_keywords(file: &PyFile, args: Node<'_>) -> Vec<String> {
    let mut c = args.walk();
    args.named_children(&mut c)
        .filter(|a| a.kind() == "keyword_argument")
        .filter_map(|a| a.child_by_field_name("name").map(|n| file.node_text(n).to_owned()))
        .collect()
}

/// Markdown for one parameter: type, requiredness, constraints, allowed values, documentation.
pub(crate) fn param_doc(model: &ServiceModel, m: &Member, shape: &Shape, required: bool) -> String {
    let mut s = format!("`{}: {}`", m.name, py_type(model, shape));
    if required {
        s.push_str(" (required)");
    }
    let (lo, hi) = (shape.min, shape.max);
    let unit = match shape.kind {
        ShapeKind::String => " characters",
        ShapeKind::List { .. } | ShapeKind::Map { .. } => " items",
        _ => "",
    };
    let f = |v: f64| if v.fract() == 0.0 { format!("{}", v as i64) } else { v.to_string() };
    match (lo, hi) {
        (Some(a), Some(b)) => s.push_str(&format!("\n\nLength/range: {} to {}{unit}", f(a), f(b))),
        (Some(a), None) => s.push_str(&format!("\n\nMinimum: {}{unit}", f(a))),
        (None, Some(b)) => s.push_str(&format!("\n\nMaximum: {}{unit}", f(b))),
        (None, None) => {}
    }
    if !shape.enum_values.is_empty() {
        s.push_str(&format!(
            "\n\nAllowed values: {}",
            shape.enum_values.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ")
        ));
    }
    if m.deprecated.is_some() {
        s.push_str("\n\n**Deprecated.**");
    }
    let doc = if m.doc.is_empty() { &shape.doc } else { &m.doc };
    if !doc.is_empty() {
        s.push_str("\n\n");
        s.push_str(doc);
    }
    s
}

/// Whether `call` is a recognised operation call (for signature help and hover).
pub(crate) fn op_call<'t>(file: &'t PyFile, models: &BotocoreModels, call: Node<'t>) -> Option<CallSite<'t>> {
    let site = file.call_site(models, call)?;
    site.operation(file)?;
    Some(site)
}
