//! Hover (operation docs with the IAM action and the equivalent AWS CLI command, parameter docs with type, constraints and allowed values,
//! service names, response keys) and signature help inside an operation call.

use samwise_data::botocore::{BotocoreModels, Operation, ServiceModel, ShapeKind};
use samwise_syntax::TextRange;
use tree_sitter::Node;

use crate::complete::{Context, op_call, param_doc, params, py_type, shape_at};
use crate::infer::Ty;
use crate::literal::string_value;
use crate::{Hover, PyFile, SignatureHelp, range_of};

fn op_markdown(model: &ServiceModel, op: &Operation) -> String {
    let mut s = format!("**{}.{}** (`{}` API)", model.name, op.python_name, op.name);
    if let Some(msg) = &op.deprecated {
        s.push_str("\n\n**Deprecated.** ");
        s.push_str(msg);
    }
    if !op.doc.is_empty() {
        s.push_str("\n\n");
        s.push_str(&op.doc);
    }
    s.push_str(&format!("\n\nIAM action: `{}`", op.iam_action));
    s
}

pub(crate) fn hover(file: &PyFile, models: &BotocoreModels, offset: u32) -> Option<Hover> {
    let o = offset as usize;
    let mut n = file.root().named_descendant_for_byte_range(o, o)?;
    // The cursor right after a name (`get_parameter|(`) still hovers that name.
    if n.kind() != "identifier"
        && o > 0
        && let Some(before) = file.root().named_descendant_for_byte_range(o - 1, o - 1)
        && before.kind() == "identifier"
        && before.end_byte() == o
    {
        n = before;
    }
    if n.kind() == "identifier" {
        let p = n.parent()?;
        // `client.get_parameter`: the method name of an operation call.
        if p.kind() == "attribute" && p.child_by_field_name("attribute").is_some_and(|a| a.id() == n.id()) {
            let call = p.parent().filter(|c| c.kind() == "call")?;
            let site = op_call(file, models, call)?;
            let (op, _) = site.operation(file)?;
            let mut markdown = op_markdown(site.model(), op);
            if let Some(cli) = crate::cli::command_of(file, models, call) {
                markdown.push_str(&format!("\n\nAWS CLI:\n```sh\n{}\n```", cli.command));
            }
            return Some(Hover { range: range_of(n), markdown });
        }
        // `Name=` inside an operation call.
        if p.kind() == "keyword_argument" && p.child_by_field_name("name").is_some_and(|a| a.id() == n.id()) {
            let call = p.parent()?.parent()?;
            let site = op_call(file, models, call)?;
            let (op, _) = site.operation(file)?;
            let model = site.model();
            let name = file.node_text(n);
            let (m, required) = params(model, op).into_iter().find(|(m, _)| m.name == name)?;
            return Some(Hover { range: range_of(n), markdown: param_doc(model, m, model.shape(m.shape), required) });
        }
        return None;
    }
    let s = file.string_at(o)?;
    let range = range_of(s);
    match file.classify(models, o)? {
        Context::ServiceName { .. } => {
            let name = string_value(file, s)?;
            let model = models.service(&name)?;
            let mut md = format!("**{}** (`{}`, API version {})", model.full_name, model.name, model.api_version);
            if !model.doc.is_empty() {
                md.push_str("\n\n");
                md.push_str(&model.doc);
            }
            Some(Hover { range, markdown: md })
        }
        Context::DictKey { call, kwarg, path, .. } => {
            let site = op_call(file, models, call)?;
            let (op, _) = site.operation(file)?;
            let model = site.model();
            let shape = shape_at(model, op, &kwarg, &path)?;
            let ShapeKind::Structure { members, required, .. } = &shape.kind else { return None };
            let key = string_value(file, s)?;
            let m = members.iter().find(|m| m.name == key)?;
            Some(Hover { range, markdown: param_doc(model, m, model.shape(m.shape), required.contains(&m.name)) })
        }
        Context::ResponseKey { value, .. } => {
            let Some(Ty::Output { service, shape }) = file.infer(models, value) else { return None };
            let model = models.service(&service)?;
            let ShapeKind::Structure { members, .. } = &model.shape(shape).kind else { return None };
            let key = string_value(file, s)?;
            let m = members.iter().find(|m| m.name == key)?;
            let ms = model.shape(m.shape);
            let mut md = format!("`{}: {}` (response)", m.name, py_type(&model, ms));
            let doc = if m.doc.is_empty() { &ms.doc } else { &m.doc };
            if !doc.is_empty() {
                md.push_str("\n\n");
                md.push_str(doc);
            }
            Some(Hover { range, markdown: md })
        }
        _ => None,
    }
}

pub(crate) fn signature_help(file: &PyFile, models: &BotocoreModels, offset: u32) -> Option<SignatureHelp> {
    signature_in(file, models, offset).or_else(|| signature_in(&file.closed_at(offset)?, models, offset))
}

fn signature_in(file: &PyFile, models: &BotocoreModels, offset: u32) -> Option<SignatureHelp> {
    let o = offset as usize;
    let mut n = file.root().descendant_for_byte_range(o, o)?;
    // The innermost operation call whose parentheses contain the cursor.
    let (site, args) = loop {
        if n.kind() == "argument_list"
            && n.start_byte() < o
            && (o < n.end_byte() || !file.node_text(n).ends_with(')'))
            && let Some(call) = n.parent()
            && let Some(site) = op_call(file, models, call)
        {
            break (site, n);
        }
        n = n.parent()?;
    };
    let (op, filled) = site.operation(file)?;
    let model = site.model();
    let mut label = format!("{}(*", op.python_name);
    let mut parameters = Vec::new();
    let mut names = Vec::new();
    for (m, required) in params(model, op).into_iter().filter(|(m, _)| !filled.contains(&m.name)) {
        label.push_str(", ");
        let start = label.len() as u32;
        label.push_str(&format!("{}: {}", m.name, py_type(model, model.shape(m.shape))));
        if !required {
            label.push_str(" = ...");
        }
        parameters.push((
            TextRange::new(start, label.len() as u32),
            Some(param_doc(model, m, model.shape(m.shape), required)),
        ));
        names.push(m.name.clone());
    }
    label.push_str(") -> dict");
    let active = active_keyword(file, args, o).and_then(|k| names.iter().position(|n| *n == k)).map(|i| i as u32);
    Some(SignatureHelp { label, documentation: Some(op_markdown(model, op)), parameters, active_parameter: active })
}

/// The keyword argument the cursor is in (its name or value), or the identifier being typed.
fn active_keyword(file: &PyFile, args: Node<'_>, o: usize) -> Option<String> {
    let mut c = args.walk();
    for a in args.named_children(&mut c) {
        if a.start_byte() <= o && o <= a.end_byte() {
            return match a.kind() {
                "keyword_argument" => a.child_by_field_name("name").map(|n| file.node_text(n).to_owned()),
                "identifier" => Some(file.node_text(a).to_owned()),
                _ => None,
            };
        }
    }
    None
}
