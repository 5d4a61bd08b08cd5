//! AWS CLI equivalents of boto3 calls (issue 12), both ways: the `aws <service> <operation> --arg value`
//! command of a recognised client call, and the boto3 call of an `aws ...` command line pasted into a
//! Python comment or string.
//!
//! The naming follows awscli (v1 and v2 agree on these rules):
//! - the command of a service is botocore's service name (`session.get_available_services()`), except
//!   for the three that awscli renames in `awscli/handlers.py` (`s3` -> `s3api`, its own `s3` command is
//!   the high-level file commands; `config` -> `configservice`; `codedeploy` -> `deploy`);
//! - operations and top-level arguments are `xform_name(name, '-')`. For every operation and input member
//!   of botocore 1.44.8 that equals boto3's `xform_name(name, '_')` with `_` replaced by `-` (checked
//!   against botocore itself, `_xform_cache` included), so the operation's stored `python_name` and
//!   `samwise_data::botocore::xform_name` give it;
//! - a handful of arguments are renamed because they would clash with global options (`--version`,
//!   `--query`, `--output`, `--region`, ...): [`ARG_RENAMES`], awscli's `customizations/argrename.py`;
//! - booleans are `--flag` / `--no-flag`; lists of scalars are space-separated values; structures, maps
//!   and lists of them are JSON (the CLI also takes its shorthand `Key=Value,...`, which the reverse
//!   direction reads).
//!
//! Operations with a streaming output (`lambda invoke`, `s3api get-object`) take the CLI's positional
//! output file, shown as `<outfile>`; the reverse direction drops it (boto3 returns the stream).
//!
//! Not modelled: awscli's per-command customisations (`s3api put-object --body` takes a file path,
//! `lambda create-function --zip-file fileb://...`, blobs as base64 in CLI v2, arguments a customisation
//! removes) and boto3 *resource* calls, whose actions take Python types that boto3 transforms (DynamoDB).

use std::collections::BTreeMap;

use samwise_data::botocore::{BotocoreModels, ServiceModel, ShapeId, ShapeKind, xform_name};
use samwise_syntax::{TextEdit, TextRange};
use tree_sitter::Node;

use crate::PyFile;
use crate::complete::op_call;
use crate::diagnostics::all_calls;
use crate::index::BindKind;
use crate::infer::{Target, Ty};
use crate::literal::{string_content_range, string_value};
use crate::range_of;

/// botocore service name -> awscli command name, where they differ.
const SERVICE_RENAMES: &[(&str, &str)] = &[("s3", "s3api"), ("config", "configservice"), ("codedeploy", "deploy")];

/// awscli's `ARGUMENT_RENAMES` (`awscli/customizations/argrename.py`): `(cli service, cli operation or
/// "*", generated argument name, the name awscli uses)`. Negative boolean names (`no-...`) are renamed
/// as a whole.
const ARG_RENAMES: &[(&str, &str, &str, &str)] = &[
    ("ec2", "create-image", "no-no-reboot", "reboot"),
    ("ec2", "*", "no-egress", "ingress"),
    ("ec2", "*", "no-disable-api-termination", "enable-api-termination"),
    ("opsworks", "*", "region", "stack-region"),
    ("elastictranscoder", "*", "output", "job-output"),
    ("swf", "register-activity-type", "version", "activity-version"),
    ("swf", "register-workflow-type", "version", "workflow-version"),
    ("datapipeline", "*", "query", "objects-query"),
    ("datapipeline", "get-pipeline-definition", "version", "pipeline-version"),
    ("emr", "*", "job-flow-ids", "cluster-ids"),
    ("emr", "*", "job-flow-id", "cluster-id"),
    ("cloudsearchdomain", "search", "query", "search-query"),
    ("cloudsearchdomain", "suggest", "query", "suggest-query"),
    ("sns", "subscribe", "endpoint", "notification-endpoint"),
    ("codepipeline", "get-pipeline", "version", "pipeline-version"),
    ("codepipeline", "create-custom-action-type", "version", "action-version"),
    ("codepipeline", "delete-custom-action-type", "version", "action-version"),
    ("kinesisanalytics", "add-application-output", "output", "application-output"),
    ("kinesisanalyticsv2", "add-application-output", "output", "application-output"),
    ("route53", "delete-traffic-policy", "version", "traffic-policy-version"),
    ("route53", "get-traffic-policy", "version", "traffic-policy-version"),
    ("route53", "update-traffic-policy-comment", "version", "traffic-policy-version"),
    ("gamelift", "create-build", "version", "build-version"),
    ("gamelift", "update-build", "version", "build-version"),
    ("gamelift", "create-script", "version", "script-version"),
    ("gamelift", "update-script", "version", "script-version"),
    ("route53domains", "view-billing", "start", "start-time"),
    ("route53domains", "view-billing", "end", "end-time"),
    ("apigateway", "create-rest-api", "version", "api-version"),
    ("apigatewayv2", "create-api", "version", "api-version"),
    ("apigatewayv2", "update-api", "version", "api-version"),
    ("pinpoint", "get-campaign-version", "version", "campaign-version"),
    ("pinpoint", "get-segment-version", "version", "segment-version"),
    ("stepfunctions", "send-task-success", "output", "task-output"),
    ("clouddirectory", "publish-schema", "version", "schema-version"),
    ("mturk", "list-qualification-types", "query", "types-query"),
    ("workdocs", "create-notification-subscription", "endpoint", "notification-endpoint"),
    ("workdocs", "describe-users", "query", "user-query"),
    ("lex-models", "delete-bot", "version", "bot-version"),
    ("lex-models", "delete-intent", "version", "intent-version"),
    ("lex-models", "delete-slot-type", "version", "slot-type-version"),
    ("lex-models", "get-intent", "version", "intent-version"),
    ("lex-models", "get-slot-type", "version", "slot-type-version"),
    ("lex-models", "delete-bot-version", "version", "bot-version"),
    ("lex-models", "delete-intent-version", "version", "intent-version"),
    ("lex-models", "delete-slot-type-version", "version", "slot-type-version"),
    ("lex-models", "get-export", "version", "resource-version"),
    ("mobile", "create-project", "region", "project-region"),
    ("rekognition", "create-stream-processor", "output", "stream-processor-output"),
    ("eks", "create-cluster", "version", "kubernetes-version"),
    ("eks", "update-cluster-version", "version", "kubernetes-version"),
    ("eks", "create-nodegroup", "version", "kubernetes-version"),
    ("eks", "update-nodegroup-version", "version", "kubernetes-version"),
    ("schemas", "*", "version", "schema-version"),
];

/// awscli's global options that take a value; the ones a client call can express become keyword
/// arguments of the client, the others are reported as skipped.
const GLOBAL_WITH_VALUE: &[&str] = &[
    "region",
    "endpoint-url",
    "profile",
    "output",
    "query",
    "color",
    "ca-bundle",
    "cli-read-timeout",
    "cli-connect-timeout",
    "cli-binary-format",
    "page-size",
    "max-items",
    "starting-token",
    "cli-input-json",
    "cli-input-yaml",
];

/// The awscli command of a botocore service (`s3` -> `s3api`).
pub fn cli_service_name(service: &str) -> &str {
    SERVICE_RENAMES.iter().find(|(b, _)| *b == service).map_or(service, |(_, c)| c)
}

/// The botocore service of an awscli command (`s3api` -> `s3`); `None` for the names awscli renamed away.
fn boto_service_name(cli: &str) -> Option<&str> {
    if let Some((b, _)) = SERVICE_RENAMES.iter().find(|(_, c)| *c == cli) {
        return Some(b);
    }
    (!SERVICE_RENAMES.iter().any(|(b, _)| *b == cli)).then_some(cli)
}

/// The CLI name of an operation: `xform_name(name, '-')`, which is boto3's method name with dashes.
fn cli_operation_name(python_name: &str) -> String {
    python_name.replace('_', "-")
}

/// The CLI argument of a top-level member; `negative` gives the `--no-` form of a boolean.
fn cli_arg_name(service: &str, operation: &str, member: &str, negative: bool) -> String {
    let base = xform_name(member, &BTreeMap::new()).replace('_', "-");
    let name = if negative { format!("no-{base}") } else { base };
    let svc = cli_service_name(service);
    ARG_RENAMES
        .iter()
        .find(|(s, o, from, _)| *s == svc && (*o == "*" || *o == operation) && *from == name)
        .map_or(name, |(_, _, _, to)| (*to).to_owned())
}

// ---------------------------------------------------------------------------------------------
// Values both directions share
// ---------------------------------------------------------------------------------------------

/// A parameter value as both sides spell it: a Python literal or a CLI value (JSON, shorthand, plain).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Str(String),
    Int(i128),
    Float(f64),
    Bool(bool),
    Null,
    List(Vec<Value>),
    Map(Vec<(String, Value)>),
    /// Not known statically: a Python name (`name`, `event.key`) shown as `<name>` on the command line.
    Placeholder(String),
}

fn is_scalar_shape(kind: &ShapeKind) -> bool {
    !matches!(kind, ShapeKind::List { .. } | ShapeKind::Map { .. } | ShapeKind::Structure { .. })
}

/// The two spellings of a value: JSON (CLI arguments) and Python (boto3 keyword arguments).
#[derive(Clone, Copy, PartialEq)]
enum Syntax {
    Json,
    Python,
}

/// The text of a value in `syntax`. JSON placeholders stay bare `<name>`: the command is not runnable
/// until the reader fills them in, and a quoted placeholder would pass for a real string.
fn render(v: &Value, syntax: Syntax, out: &mut String) {
    let py = syntax == Syntax::Python;
    match v {
        Value::Str(s) => quoted(s, syntax, out),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Float(f) => out.push_str(&format!("{f:?}")),
        Value::Bool(b) => out.push_str(match (py, b) {
            (true, true) => "True",
            (true, false) => "False",
            (false, true) => "true",
            (false, false) => "false",
        }),
        Value::Null => out.push_str(if py { "None" } else { "null" }),
        Value::Placeholder(p) if py => out.push_str(p),
        Value::Placeholder(p) => out.push_str(&format!("<{p}>")),
        Value::List(items) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render(x, syntax, out);
            }
            out.push(']');
        }
        Value::Map(entries) => {
            out.push('{');
            for (i, (k, x)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                quoted(k, syntax, out);
                out.push_str(": ");
                render(x, syntax, out);
            }
            out.push('}');
        }
    }
}

/// A double-quoted string literal; the escapes JSON and Python share, other control characters as
/// `\u00XX` (JSON) or `\xXX` (Python).
fn quoted(s: &str, syntax: Syntax, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() && (c as u32) < 0x100 => match syntax {
                Syntax::Json => out.push_str(&format!("\\u{:04x}", c as u32)),
                Syntax::Python => out.push_str(&format!("\\x{:02x}", c as u32)),
            },
            c => out.push(c),
        }
    }
    out.push('"');
}

/// POSIX shell quoting: bare when every character is safe, else single quotes (`'\''` for a quote).
fn shell_quote(s: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "@%+=:,./_-".contains(c);
    if !s.is_empty() && s.chars().all(safe) {
        return s.to_owned();
    }
    if s.chars().any(char::is_control) {
        // Bash's `$'...'` keeps the command on one line (and pasteable into a comment).
        let mut out = String::from("$'");
        for c in s.chars() {
            match c {
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                '\\' => out.push_str("\\\\"),
                '\'' => out.push_str("\\'"),
                c if c.is_control() && (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('\'');
        return out;
    }
    format!("'{}'", s.replace('\'', "'\\''"))
}

// ---------------------------------------------------------------------------------------------
// boto3 call -> aws command
// ---------------------------------------------------------------------------------------------

/// The AWS CLI command equivalent to one boto3 client call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliCommand {
    /// The whole call expression.
    pub call_range: TextRange,
    /// `aws ssm get-parameter --name /app/db --with-decryption`.
    pub command: String,
}

/// The innermost recognised client call containing `offset`, as an AWS CLI command.
pub(crate) fn command_at(file: &PyFile, models: &BotocoreModels, offset: u32) -> Option<CliCommand> {
    let o = offset as usize;
    all_calls(file.root())
        .into_iter()
        .filter(|c| c.start_byte() <= o && o <= c.end_byte())
        .rev()
        .find_map(|c| command_of(file, models, c))
}

/// The command of one call node, when it is a client operation call.
pub(crate) fn command_of(file: &PyFile, models: &BotocoreModels, call: Node<'_>) -> Option<CliCommand> {
    let site = op_call(file, models, call)?;
    if !matches!(site.target, Target::Client { .. }) {
        return None;
    }
    let (op, _) = site.operation(file)?;
    let model = site.model();
    let op_cli = cli_operation_name(&op.python_name);
    let mut cmd = format!("aws {} {op_cli}", cli_service_name(&model.name));
    let members = match op.input.map(|i| &model.shape(i).kind) {
        Some(ShapeKind::Structure { members, .. }) => members.as_slice(),
        _ => &[],
    };
    let mut c = site.args.walk();
    for arg in site.args.named_children(&mut c) {
        if arg.kind() != "keyword_argument" {
            // Positional arguments and `**kwargs` have no CLI form; the diagnostics report the former.
            continue;
        }
        let (Some(name), Some(value)) = (arg.child_by_field_name("name"), arg.child_by_field_name("value")) else {
            continue;
        };
        let name = file.node_text(name);
        let Some(m) = members.iter().find(|m| m.name == name) else { continue };
        let v = py_value(file, value, name);
        cmd.push(' ');
        cmd.push_str(&render_arg(model, &op_cli, &m.name, m.shape, &v));
    }
    if op.streaming_output {
        // The CLI writes a streaming payload to this file; boto3 returns it as a stream instead.
        cmd.push_str(" <outfile>");
    }
    if let Some(creation) = client_creation(file, models, call) {
        let args = creation.child_by_field_name("arguments")?;
        for (kw, opt) in [("region_name", "region"), ("endpoint_url", "endpoint-url")] {
            if let Some(v) = file.keyword(args, kw).and_then(|v| string_value(file, v)) {
                cmd.push_str(&format!(" --{opt} {}", shell_quote(&v)));
            }
        }
    }
    Some(CliCommand { call_range: range_of(call), command: cmd })
}

/// One `--name value` group.
fn render_arg(model: &ServiceModel, op_cli: &str, member: &str, shape: ShapeId, v: &Value) -> String {
    let kind = &model.shape(shape).kind;
    let flag = |negative| format!("--{}", cli_arg_name(&model.name, op_cli, member, negative));
    match (kind, v) {
        (ShapeKind::Boolean, Value::Bool(b)) => flag(!*b),
        (ShapeKind::Boolean, Value::Placeholder(p)) => format!("{}|{} <{p}>", flag(false), flag(true)),
        (_, Value::Placeholder(p)) => format!("{} <{p}>", flag(false)),
        (ShapeKind::List { member }, Value::List(items))
            if !items.is_empty()
                && is_scalar_shape(&model.shape(*member).kind)
                && items.iter().all(|i| !matches!(i, Value::List(_) | Value::Map(_)))
                // argparse would take a word starting with `-` for an option; JSON keeps it a value.
                && !items.iter().any(|i| matches!(i, Value::Str(s) if s.starts_with('-'))) =>
        {
            let vals: Vec<String> = items.iter().map(scalar_arg).collect();
            format!("{} {}", flag(false), vals.join(" "))
        }
        (_, Value::List(_) | Value::Map(_)) => {
            let mut j = String::new();
            render(v, Syntax::Json, &mut j);
            format!("{} {}", flag(false), shell_quote(&j))
        }
        (_, Value::Str(s)) if s.starts_with('-') => {
            // argparse would take `-x` for an option; the `=` form keeps it a value.
            format!("{}={}", flag(false), shell_quote(s))
        }
        _ => format!("{} {}", flag(false), scalar_arg(v)),
    }
}

fn scalar_arg(v: &Value) -> String {
    match v {
        Value::Str(s) => shell_quote(s),
        Value::Placeholder(p) => format!("<{p}>"),
        other => {
            let mut j = String::new();
            render(other, Syntax::Json, &mut j);
            shell_quote(&j)
        }
    }
}

/// The value of a Python expression; anything not literal becomes a placeholder named after the
/// expression when it is a (dotted) name, else after the parameter.
fn py_value(file: &PyFile, n: Node<'_>, param: &str) -> Value {
    let placeholder = || {
        let t = file.node_text(n);
        let dotted = !t.is_empty() && t.split('.').all(is_identifier);
        Value::Placeholder(if dotted { t.to_owned() } else { param.to_owned() })
    };
    match n.kind() {
        "parenthesized_expression" => n.named_child(0).map_or_else(placeholder, |c| py_value(file, c, param)),
        "string" => py_string(file, n).map_or_else(placeholder, Value::Str),
        "concatenated_string" => {
            let mut c = n.walk();
            let parts: Option<String> = n.named_children(&mut c).map(|p| py_string(file, p)).collect();
            parts.map_or_else(placeholder, Value::Str)
        }
        "integer" => file.node_text(n).replace('_', "").parse().map_or_else(|_| placeholder(), Value::Int),
        "float" => file.node_text(n).replace('_', "").parse().map_or_else(|_| placeholder(), Value::Float),
        "unary_operator" if file.node_text(n).starts_with('-') => {
            match n.child_by_field_name("argument").map(|a| py_value(file, a, param)) {
                Some(Value::Int(i)) => Value::Int(-i),
                Some(Value::Float(f)) => Value::Float(-f),
                _ => placeholder(),
            }
        }
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        "none" => Value::Null,
        "list" | "tuple" => {
            let mut c = n.walk();
            let items: Vec<Node<'_>> = n.named_children(&mut c).filter(|x| x.kind() != "comment").collect();
            if items.iter().any(|x| x.kind() == "list_splat") {
                return placeholder();
            }
            Value::List(items.into_iter().map(|x| py_value(file, x, param)).collect())
        }
        "dictionary" => {
            let mut c = n.walk();
            let mut entries = Vec::new();
            for pair in n.named_children(&mut c).filter(|x| x.kind() != "comment") {
                let key = pair.child_by_field_name("key").and_then(|k| string_value(file, k));
                let (Some(key), Some(value)) = (key, pair.child_by_field_name("value")) else {
                    return placeholder();
                };
                let v = py_value(file, value, &key);
                entries.push((key, v));
            }
            Value::Map(entries)
        }
        _ => placeholder(),
    }
}

/// The value of a `str` literal with its escapes decoded; `None` for bytes, f-strings with fields and
/// escapes this does not decode (`\N{...}`).
fn py_string(file: &PyFile, n: Node<'_>) -> Option<String> {
    if let Some(v) = string_value(file, n) {
        return Some(v);
    }
    let (s, e) = string_content_range(n)?;
    let text = file.node_text(n);
    let prefix = text[..text.find(['"', '\''])?].to_ascii_lowercase();
    let mut c = n.walk();
    if prefix.contains(['b', 'r']) || n.named_children(&mut c).any(|x| x.kind() == "interpolation") {
        return None;
    }
    let raw = &file.text()[s..e];
    let mut out = String::new();
    let mut chars = raw.chars();
    while let Some(ch) = chars.next() {
        if ch != '\\' {
            out.push(ch);
            continue;
        }
        let esc = chars.next()?;
        let hex = |chars: &mut std::str::Chars<'_>, len: usize| {
            let h: String = chars.by_ref().take(len).collect();
            u32::from_str_radix(&h, 16).ok().and_then(char::from_u32)
        };
        match esc {
            '\n' => {}
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            '0' => out.push('\0'),
            '\\' | '\'' | '"' => out.push(esc),
            'x' => out.push(hex(&mut chars, 2)?),
            'u' => out.push(hex(&mut chars, 4)?),
            'U' => out.push(hex(&mut chars, 8)?),
            _ => return None,
        }
    }
    Some(out)
}

fn is_identifier(s: &str) -> bool {
    let mut cs = s.chars();
    cs.next().is_some_and(|c| c.is_alphabetic() || c == '_') && cs.all(|c| c.is_alphanumeric() || c == '_')
}

/// The `boto3.client(...)` call that made the client `call` is made on: the call itself
/// (`boto3.client("s3").list_buckets()`) or the one value of the name or `self.` attribute it goes through.
fn client_creation<'t>(file: &'t PyFile, models: &BotocoreModels, call: Node<'t>) -> Option<Node<'t>> {
    let obj = call.child_by_field_name("function")?.child_by_field_name("object")?;
    let at = obj.start_byte() as u32;
    let value = match obj.kind() {
        "call" => obj,
        "identifier" => {
            let ix = &file.index;
            let name = file.node_text(obj);
            let mut scope = ix.scope_at(at);
            let bindings = loop {
                if let Some(b) = ix.names.get(&(scope, name.to_owned())) {
                    break b;
                }
                scope = ix.scopes[scope].parent?;
            };
            bound_value(file, bindings.iter().rfind(|b| b.at < at).or(bindings.last())?.kind.clone())?
        }
        "attribute" => {
            let base = obj.child_by_field_name("object")?;
            if file.node_text(base) != "self" {
                return None;
            }
            let attr = file.node_text(obj.child_by_field_name("attribute")?);
            let class = file.index.enclosing_class(at)?;
            match file.index.attrs.get(&(class, attr.to_owned()))?.as_slice() {
                [only] => bound_value(file, only.kind.clone())?,
                _ => return None,
            }
        }
        _ => return None,
    };
    matches!(file.infer(models, value.child_by_field_name("function")?), Some(Ty::ClientFn)).then_some(value)
}

fn bound_value(file: &PyFile, kind: BindKind) -> Option<Node<'_>> {
    let BindKind::Value(s, e) = kind else { return None };
    let n = file.root().named_descendant_for_byte_range(s as usize, e as usize)?;
    (n.kind() == "call").then_some(n)
}

// ---------------------------------------------------------------------------------------------
// aws command -> boto3 call
// ---------------------------------------------------------------------------------------------

/// The boto3 call equivalent to an `aws ...` command line in a comment or string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BotoFromCli {
    /// The edit: the call on a new line after the comment, or in place of the string literal.
    pub edit: TextEdit,
    /// The call expression alone (`ssm.get_parameter(Name="x")`).
    pub call: String,
    /// Options of the command line the call cannot express (`--output json`, unknown arguments).
    pub skipped: Vec<String>,
}

/// The `aws` command line in the comment or string at `offset`, converted to a boto3 call.
pub(crate) fn boto_at(file: &PyFile, models: &BotocoreModels, offset: u32) -> Option<BotoFromCli> {
    let o = offset as usize;
    let text = file.text();
    let mut n = file.root().descendant_for_byte_range(o, o)?;
    // The cursor at the end of a comment or right after a closing quote still belongs to it.
    if n.kind() != "comment"
        && o > 0
        && !matches!(n.kind(), "string" | "string_content")
        && let Some(b) = file.root().descendant_for_byte_range(o - 1, o - 1)
    {
        n = b;
    }
    while !matches!(n.kind(), "comment" | "string" | "module") {
        n = n.parent()?;
    }
    match n.kind() {
        "comment" => {
            let (command, end) = comment_command(text, n.start_byte());
            let converted = convert(file, models, &command, o)?;
            // The call goes on its own line after the command, at the indentation of the comment.
            let line_start = text[..n.start_byte()].rfind('\n').map_or(0, |i| i + 1);
            let indent: String = text[line_start..].chars().take_while(|c| *c == ' ' || *c == '\t').collect();
            let insert = TextRange::new(end as u32, end as u32);
            let new_text = format!("\n{indent}{}", converted.0);
            Some(BotoFromCli { edit: TextEdit { range: insert, new_text }, call: converted.0, skipped: converted.1 })
        }
        "string" => {
            let (s, e) = string_content_range(n)?;
            let converted = convert(file, models, &text[s..e], o)?;
            let edit = TextEdit { range: range_of(n), new_text: converted.0.clone() };
            Some(BotoFromCli { edit, call: converted.0, skipped: converted.1 })
        }
        _ => None,
    }
}

/// The command line of the comment starting at `start`, joined with the comment lines it continues
/// (`\` at the end of a line), and where the last of them ends.
fn comment_command(text: &str, start: usize) -> (String, usize) {
    let lines: Vec<(usize, &str)> = {
        let mut at = 0;
        text.split('\n')
            .map(|l| {
                let r = (at, l);
                at += l.len() + 1;
                r
            })
            .collect()
    };
    let comment_body = |l: &str| l.trim_start().strip_prefix('#').map(|b| b.trim_end().to_owned());
    let Some(mut first) = lines.iter().rposition(|(at, _)| *at <= start) else { return (String::new(), start) };
    // Go up while the previous comment line continues onto this one.
    while first > 0 && comment_body(lines[first - 1].1).is_some_and(|b| b.ends_with('\\')) {
        first -= 1;
    }
    let mut out = String::new();
    let mut last = first;
    for (i, (_, l)) in lines.iter().enumerate().skip(first) {
        let Some(body) = comment_body(l) else { break };
        last = i;
        match body.strip_suffix('\\') {
            Some(cont) => {
                out.push_str(cont);
                out.push(' ');
            }
            None => {
                out.push_str(&body);
                break;
            }
        }
    }
    let (at, l) = lines[last];
    (out, at + l.trim_end_matches('\r').len())
}

/// Shell words of a command line: quotes and backslashes as POSIX shells read them; stops at an
/// unquoted `|`, `;`, `&`, `>`, `<` or `#` (the rest is another command or a redirection).
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur: Option<String> = None;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                words.extend(cur.take());
            }
            '|' | ';' | '&' => break,
            // A redirection (`> out.json`); `<name>` placeholders are words.
            '>' if cur.is_none() => break,
            '#' if cur.is_none() => break,
            '$' if chars.peek() == Some(&'\'') => {
                chars.next();
                let w = cur.get_or_insert_with(String::new);
                while let Some(q) = chars.next() {
                    match q {
                        '\'' => break,
                        '\\' => match chars.next() {
                            Some('n') => w.push('\n'),
                            Some('t') => w.push('\t'),
                            Some('r') => w.push('\r'),
                            Some('x') => {
                                let h: String = chars.by_ref().take(2).collect();
                                w.extend(u32::from_str_radix(&h, 16).ok().and_then(char::from_u32));
                            }
                            Some(e) => w.push(e),
                            None => {}
                        },
                        q => w.push(q),
                    }
                }
            }
            '\'' => {
                let w = cur.get_or_insert_with(String::new);
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    w.push(q);
                }
            }
            '"' => {
                let w = cur.get_or_insert_with(String::new);
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' if matches!(chars.peek(), Some('"' | '\\' | '$' | '`')) => {
                            w.push(chars.next().unwrap_or(q))
                        }
                        q => w.push(q),
                    }
                }
            }
            '\\' => {
                if let Some(n) = chars.next()
                    && n != '\n'
                {
                    cur.get_or_insert_with(String::new).push(n);
                }
            }
            c => cur.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(cur);
    words
}

/// Converts one command line: the Python call and the options it skipped. `None` when the text holds
/// no `aws <service> <operation>` naming a known service and operation.
fn convert(file: &PyFile, models: &BotocoreModels, line: &str, at: usize) -> Option<(String, Vec<String>)> {
    let words = shell_words(line);
    let start = words.iter().position(|w| w == "aws")?;
    let mut rest = words[start + 1..].iter().map(String::as_str).peekable();
    let mut globals: Vec<(String, Option<String>)> = Vec::new();
    // Global options may come before the service.
    let service_cli = loop {
        let w = rest.next()?;
        match w.strip_prefix("--") {
            Some(g) => {
                let value = GLOBAL_WITH_VALUE.contains(&g).then(|| next_value(&mut rest)).flatten();
                globals.push((g.to_owned(), value));
            }
            None => break w,
        }
    };
    let service = boto_service_name(service_cli)?;
    let model = models.service(service)?;
    let op_cli = rest.next()?;
    let op = model.operations.iter().find(|o| cli_operation_name(&o.python_name) == op_cli)?;
    let members = match op.input.map(|i| &model.shape(i).kind) {
        Some(ShapeKind::Structure { members, .. }) => members.clone(),
        _ => Vec::new(),
    };
    let mut kwargs: Vec<(String, Value)> = Vec::new();
    let mut skipped = Vec::new();
    // The output file of a streaming operation has no boto3 counterpart: the response holds the stream.
    let mut outfile = op.streaming_output;
    while let Some(w) = rest.next() {
        let Some(opt) = w.strip_prefix("--") else {
            if !std::mem::take(&mut outfile) {
                skipped.push(w.to_owned());
            }
            continue;
        };
        let (name, inline) = match opt.split_once('=') {
            Some((n, v)) => (n, Some(v.to_owned())),
            None => (opt, None),
        };
        let found = members.iter().find_map(|m| {
            if cli_arg_name(service, op_cli, &m.name, false) == name {
                Some((m, false))
            } else if model.shape(m.shape).kind == ShapeKind::Boolean
                && cli_arg_name(service, op_cli, &m.name, true) == name
            {
                Some((m, true))
            } else {
                None
            }
        });
        let Some((m, negative)) = found else {
            if GLOBAL_WITH_VALUE.contains(&name) || inline.is_none() && is_global_flag(name) {
                let value =
                    inline.or_else(|| GLOBAL_WITH_VALUE.contains(&name).then(|| next_value(&mut rest)).flatten());
                globals.push((name.to_owned(), value));
            } else {
                let mut s = format!("--{name}");
                for v in inline.into_iter().chain(values(&mut rest)) {
                    s.push(' ');
                    s.push_str(&v);
                }
                skipped.push(s);
            }
            continue;
        };
        let shape = model.shape(m.shape);
        let value = if shape.kind == ShapeKind::Boolean {
            Value::Bool(!negative)
        } else {
            let mut vals: Vec<String> = inline.into_iter().chain(values(&mut rest)).collect();
            if vals.is_empty() {
                skipped.push(format!("--{name} (no value)"));
                continue;
            }
            // Only lists take several words; the rest are positional (the output file, or stray).
            if !matches!(shape.kind, ShapeKind::List { .. }) {
                for w in vals.drain(1..) {
                    if !std::mem::take(&mut outfile) {
                        skipped.push(w);
                    }
                }
            }
            cli_value(&model, m.shape, &vals)
        };
        kwargs.retain(|(k, _)| *k != m.name);
        kwargs.push((m.name.clone(), value));
    }
    let mut client_kwargs = String::new();
    let mut profile = None;
    for (name, value) in globals {
        match (name.as_str(), value) {
            ("region", Some(v)) => client_kwargs.push_str(&format!(", region_name={}", py_str(&v))),
            ("endpoint-url", Some(v)) => client_kwargs.push_str(&format!(", endpoint_url={}", py_str(&v))),
            ("profile", Some(v)) => profile = Some(v),
            (n, Some(v)) => skipped.push(format!("--{n} {v}")),
            (n, None) => skipped.push(format!("--{n}")),
        }
    }
    let client = match (&profile, client_kwargs.is_empty()) {
        (None, true) => existing_client(file, models, &model.name, at as u32)
            .unwrap_or_else(|| format!("boto3.client({})", py_str(&model.name))),
        (None, false) => format!("boto3.client({}{client_kwargs})", py_str(&model.name)),
        (Some(p), _) => {
            format!("boto3.Session(profile_name={}).client({}{client_kwargs})", py_str(p), py_str(&model.name))
        }
    };
    let mut call = format!("{client}.{}(", op.python_name);
    for (i, (k, v)) in kwargs.iter().enumerate() {
        if i > 0 {
            call.push_str(", ");
        }
        call.push_str(k);
        call.push('=');
        render(v, Syntax::Python, &mut call);
    }
    call.push(')');
    Some((call, skipped))
}

fn py_str(s: &str) -> String {
    let mut out = String::new();
    quoted(s, Syntax::Python, &mut out);
    out
}

/// awscli's global options that take no value.
fn is_global_flag(name: &str) -> bool {
    matches!(
        name,
        "debug"
            | "no-verify-ssl"
            | "no-paginate"
            | "no-sign-request"
            | "no-cli-pager"
            | "cli-auto-prompt"
            | "no-cli-auto-prompt"
            | "generate-cli-skeleton"
    )
}

fn next_value<'a>(rest: &mut std::iter::Peekable<impl Iterator<Item = &'a str>>) -> Option<String> {
    rest.next_if(|w| !w.starts_with("--")).map(str::to_owned)
}

/// The values after an option, up to the next option.
fn values<'a>(rest: &mut std::iter::Peekable<impl Iterator<Item = &'a str>>) -> Vec<String> {
    std::iter::from_fn(|| next_value(rest)).collect()
}

/// The typed value of an argument's words: plain words for scalars and lists of them, JSON, or the
/// shorthand syntax for structures, maps and lists of structures (one word per item).
fn cli_value(model: &ServiceModel, shape: ShapeId, words: &[String]) -> Value {
    let kind = &model.shape(shape).kind;
    // Words of a scalar or of a list of scalars are plain strings, unless a list comes as JSON.
    let plain = match kind {
        ShapeKind::List { member } => is_scalar_shape(&model.shape(*member).kind),
        k => is_scalar_shape(k),
    };
    let parsed: Vec<Value> = words
        .iter()
        .map(|w| word_value(w, plain && !(matches!(kind, ShapeKind::List { .. }) && w.starts_with('['))))
        .collect();
    let v = match (kind, parsed.len()) {
        (ShapeKind::List { .. }, 1) if matches!(parsed[0], Value::List(_)) => parsed.into_iter().next(),
        (ShapeKind::List { .. }, _) => Some(Value::List(parsed)),
        (_, _) => parsed.into_iter().next(),
    };
    coerce(model, shape, v.unwrap_or(Value::Null))
}

/// One word: a `<placeholder>`, JSON (`{...}`, `[...]`), shorthand (`Key=Value,...`), or a string.
fn word_value(w: &str, scalar: bool) -> Value {
    if let Some(p) = w.strip_prefix('<').and_then(|p| p.strip_suffix('>'))
        && !p.is_empty()
        && p.split('.').all(is_identifier)
    {
        return Value::Placeholder(p.to_owned());
    }
    if scalar {
        return Value::Str(w.to_owned());
    }
    let t = w.trim_start();
    if (t.starts_with('{') || t.starts_with('['))
        && let Ok(Json(v)) = serde_json::from_str::<Json>(w)
    {
        return v;
    }
    shorthand(w).unwrap_or_else(|| Value::Str(w.to_owned()))
}

/// A JSON value read straight into [`Value`], keeping object keys in the order the user wrote
/// them (serde_json's own `Value` sorts them unless its `preserve_order` feature is on, and that
/// feature would spread to every crate built with this one).
struct Json(Value);

impl<'de> serde::Deserialize<'de> for Json {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Json, D::Error> {
        d.deserialize_any(JsonVisitor).map(Json)
    }
}

struct JsonVisitor;

impl<'de> serde::de::Visitor<'de> for JsonVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
        Ok(Value::Int(i.into()))
    }
    fn visit_u64<E>(self, i: u64) -> Result<Value, E> {
        Ok(Value::Int(i.into()))
    }
    fn visit_f64<E>(self, f: f64) -> Result<Value, E> {
        Ok(Value::Float(f))
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::Str(s.to_owned()))
    }
    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::Str(s))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Json(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::List(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some((k, Json(v))) = map.next_entry::<String, Json>()? {
            entries.push((k, v));
        }
        Ok(Value::Map(entries))
    }
}

/// awscli's shorthand for one structure or map: `Key=Value,Key2=[a,b],Key3=a,b` (a bare word after a
/// value continues it as a list). Nested `{...}` structures are not read; `None` when the text is no
/// shorthand at all.
fn shorthand(w: &str) -> Option<Value> {
    let mut entries: Vec<(String, Value)> = Vec::new();
    for part in split_top(w, ',') {
        match part.split_once('=') {
            Some((k, v)) if !k.is_empty() && !k.contains(['{', '[']) => {
                let v = match v.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
                    Some("") => Value::List(Vec::new()),
                    Some(inner) => Value::List(split_top(inner, ',').into_iter().map(Value::Str).collect()),
                    None => Value::Str(v.to_owned()),
                };
                entries.push((k.trim().to_owned(), v));
            }
            _ => {
                let (_, last) = entries.last_mut()?;
                *last = match std::mem::replace(last, Value::Null) {
                    Value::List(mut items) => {
                        items.push(Value::Str(part));
                        Value::List(items)
                    }
                    other => Value::List(vec![other, Value::Str(part)]),
                };
            }
        }
    }
    Some(Value::Map(entries))
}

/// Splits at `sep` outside brackets.
fn split_top(s: &str, sep: char) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut depth = 0i32;
    for c in s.chars() {
        match c {
            '[' | '{' => depth += 1,
            ']' | '}' => depth -= 1,
            c if c == sep && depth == 0 => {
                out.push(String::new());
                continue;
            }
            _ => {}
        }
        out.last_mut().expect("starts non-empty").push(c);
    }
    out
}

/// Gives a value the Python types of its shape: shorthand and plain words are strings until the model
/// says a member is a number, a boolean or a list.
fn coerce(model: &ServiceModel, shape: ShapeId, v: Value) -> Value {
    let kind = &model.shape(shape).kind;
    match (kind, v) {
        (_, p @ Value::Placeholder(_)) => p,
        (ShapeKind::Integer | ShapeKind::Long, Value::Str(s)) => s.parse().map_or(Value::Str(s), Value::Int),
        (ShapeKind::Float | ShapeKind::Double, Value::Str(s)) => s.parse().map_or(Value::Str(s), Value::Float),
        (ShapeKind::Float | ShapeKind::Double, Value::Int(i)) => Value::Float(i as f64),
        (ShapeKind::Boolean, Value::Str(s)) if s.eq_ignore_ascii_case("true") => Value::Bool(true),
        (ShapeKind::Boolean, Value::Str(s)) if s.eq_ignore_ascii_case("false") => Value::Bool(false),
        (ShapeKind::List { member }, Value::List(items)) => {
            Value::List(items.into_iter().map(|i| coerce(model, *member, i)).collect())
        }
        (ShapeKind::List { member }, one) => Value::List(vec![coerce(model, *member, one)]),
        (ShapeKind::Map { value, .. }, Value::Map(entries)) => {
            Value::Map(entries.into_iter().map(|(k, v)| (k, coerce(model, *value, v))).collect())
        }
        (ShapeKind::Structure { members, document: false, .. }, Value::Map(entries)) => Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| match members.iter().find(|m| m.name == k) {
                    Some(m) => {
                        let v = coerce(model, m.shape, v);
                        (k, v)
                    }
                    None => (k, v),
                })
                .collect(),
        ),
        (_, v) => v,
    }
}

/// A module-level or enclosing-scope name bound only to clients of `service`, to call the operation on.
fn existing_client(file: &PyFile, models: &BotocoreModels, service: &str, at: u32) -> Option<String> {
    let ix = &file.index;
    let mut scope = Some(ix.scope_at(at));
    while let Some(s) = scope {
        let mut names: Vec<&String> = ix
            .names
            .iter()
            .filter(|((sc, _), bs)| {
                *sc == s
                    && !bs.is_empty()
                    && bs.iter().all(|b| {
                        let BindKind::Value(vs, ve) = b.kind else { return false };
                        let n = file.root().named_descendant_for_byte_range(vs as usize, ve as usize);
                        n.and_then(|n| file.infer(models, n))
                            .is_some_and(|t| matches!(t, Ty::Client { service: ref sv, .. } if sv == service))
                    })
            })
            .map(|((_, name), _)| name)
            .collect();
        names.sort();
        if let Some(n) = names.first() {
            return Some((*n).clone());
        }
        scope = ix.scopes[s].parent;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_quoting() {
        assert_eq!(shell_quote("/app/db-url"), "/app/db-url");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("it's here"), "'it'\\''s here'");
        assert_eq!(shell_quote("a\nb'c"), "$'a\\nb\\'c'");
        assert_eq!(shell_words("x $'a\\nb\\'c\\x41'"), ["x", "a\nb'cA"]);
        assert_eq!(
            shell_words("aws s3api x --k 'it'\\''s here' \"a \\\"b\\\"\" c\\ d | jq"),
            ["aws", "s3api", "x", "--k", "it's here", "a \"b\"", "c d"]
        );
    }

    #[test]
    fn service_names_follow_awscli() {
        assert_eq!(cli_service_name("s3"), "s3api");
        assert_eq!(cli_service_name("config"), "configservice");
        assert_eq!(cli_service_name("codedeploy"), "deploy");
        assert_eq!(cli_service_name("ssm"), "ssm");
        assert_eq!(boto_service_name("s3api"), Some("s3"));
        assert_eq!(boto_service_name("s3"), None);
        assert_eq!(boto_service_name("deploy"), Some("codedeploy"));
        assert_eq!(boto_service_name("codedeploy"), None);
    }

    #[test]
    fn argument_names() {
        assert_eq!(cli_arg_name("ssm", "get-parameter", "WithDecryption", false), "with-decryption");
        assert_eq!(cli_arg_name("ssm", "get-parameter", "WithDecryption", true), "no-with-decryption");
        assert_eq!(cli_arg_name("eks", "create-cluster", "version", false), "kubernetes-version");
        assert_eq!(cli_arg_name("ec2", "create-image", "NoReboot", false), "no-reboot");
        assert_eq!(cli_arg_name("ec2", "create-image", "NoReboot", true), "reboot");
        assert_eq!(cli_arg_name("ec2", "describe-instances", "InstanceIds", false), "instance-ids");
        assert_eq!(cli_arg_name("iam", "list-roles", "RoleARNs", false), "role-arns");
    }

    #[test]
    fn shorthand_structures() {
        assert_eq!(
            shorthand("Name=tag:Env,Values=dev,prod"),
            Some(Value::Map(vec![
                ("Name".into(), Value::Str("tag:Env".into())),
                ("Values".into(), Value::List(vec![Value::Str("dev".into()), Value::Str("prod".into())])),
            ]))
        );
        assert_eq!(
            shorthand("Values=[a,b],Name=x"),
            Some(Value::Map(vec![
                ("Values".into(), Value::List(vec![Value::Str("a".into()), Value::Str("b".into())])),
                ("Name".into(), Value::Str("x".into())),
            ]))
        );
        assert_eq!(shorthand("plain"), None);
    }
}
