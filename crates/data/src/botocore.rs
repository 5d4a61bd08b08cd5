//! Compact botocore/boto3 service models for the boto3 analysis, and the one conversion from botocore's
//! own JSON files into them.
//!
//! The same conversion serves `cargo xtask gen-data-botocore` (which writes the embedded
//! `assets/botocore.bin`) and the runtime option that reads the botocore installed in the user's Python
//! environment ([`BotocoreModels::from_botocore_data_dir`]), so both sources give identical models.
//! Each service is one entry (`svc/<name>`), each boto3 resource model one entry (`res/<name>`); opening
//! decodes only the container index, and a service is decoded the first time something asks for it.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::container::{Container, ContainerError};

/// Index of a [`Shape`] in [`ServiceModel::shapes`].
pub type ShapeId = u32;

/// One botocore service (`ssm`, `s3`, ...) at its newest API version.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServiceModel {
    /// The name boto3 takes in `boto3.client("...")`: botocore's data directory name.
    pub name: String,
    pub api_version: String,
    pub full_name: String,
    /// botocore's `serviceId` (`Secrets Manager`).
    #[serde(default)]
    pub service_id: String,
    /// The prefix of the IAM actions of this service (`ssm` in `ssm:GetParameter`).
    pub iam_prefix: String,
    pub doc: String,
    /// Sorted by `python_name`.
    pub operations: Vec<Operation>,
    pub shapes: Vec<Shape>,
    /// Python names of the operations `get_paginator` accepts, sorted.
    pub paginators: Vec<String>,
    /// Waiter names as `get_waiter` takes them (`bucket_exists`), sorted.
    pub waiters: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Operation {
    /// The API name (`GetParameter`).
    pub name: String,
    /// The boto3 method name (`get_parameter`), botocore's `xform_name` of `name`.
    pub python_name: String,
    /// One paragraph of Markdown.
    pub doc: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<ShapeId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<ShapeId>,
    /// `Some` (possibly an empty message) when the model marks the operation deprecated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecated: Option<String>,
    /// The IAM action the call needs (`ssm:GetParameter`).
    pub iam_action: String,
    /// The output's payload member is a blob (botocore's `has_streaming_output`): boto3 returns a
    /// stream, and the AWS CLI writes it to a file named by a positional argument
    /// (`aws lambda invoke --function-name f out.json`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub streaming_output: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Shape {
    /// The shape's name in the botocore model (`PSParameterName`), shown as the type of a parameter.
    pub name: String,
    pub kind: ShapeKind,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub doc: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enum_values: Vec<String>,
    /// Minimum length (strings, lists, maps) or value (numbers), as botocore's validator checks it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Maximum length or value; botocore does not check it, the service does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecated: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ShapeKind {
    String,
    Integer,
    Long,
    Float,
    Double,
    Boolean,
    Timestamp,
    Blob,
    List {
        member: ShapeId,
    },
    Map {
        key: ShapeId,
        value: ShapeId,
    },
    Structure {
        members: Vec<Member>,
        required: Vec<String>,
        /// A tagged union: exactly one member must be set.
        union: bool,
        /// A document type: any JSON-like value is accepted.
        document: bool,
    },
}

impl ShapeKind {
    /// The botocore type name (`string`, `structure`, ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            ShapeKind::String => "string",
            ShapeKind::Integer => "integer",
            ShapeKind::Long => "long",
            ShapeKind::Float => "float",
            ShapeKind::Double => "double",
            ShapeKind::Boolean => "boolean",
            ShapeKind::Timestamp => "timestamp",
            ShapeKind::Blob => "blob",
            ShapeKind::List { .. } => "list",
            ShapeKind::Map { .. } => "map",
            ShapeKind::Structure { .. } => "structure",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub name: String,
    pub shape: ShapeId,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub doc: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecated: Option<String>,
    /// botocore generates a UUID for this member when it is missing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub idempotency_token: bool,
    /// Bound into the endpoint host: botocore enforces an implicit minimum length of 1.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub host_label: bool,
    /// A JSON-valued header: botocore accepts any JSON-serialisable value.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub json_value: bool,
}

impl ServiceModel {
    pub fn operation(&self, python_name: &str) -> Option<&Operation> {
        self.operations.binary_search_by(|o| o.python_name.as_str().cmp(python_name)).ok().map(|i| &self.operations[i])
    }

    pub fn operation_by_api_name(&self, name: &str) -> Option<&Operation> {
        self.operations.iter().find(|o| o.name == name)
    }

    pub fn shape(&self, id: ShapeId) -> &Shape {
        &self.shapes[id as usize]
    }
}

/// boto3's resource model of one service (`boto3.resource("dynamodb")`), reduced to what calls need.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResourceModel {
    pub service: String,
    /// Always contains `ServiceResource`, the object `boto3.resource(...)` returns.
    pub resources: Vec<Resource>,
}

impl ResourceModel {
    pub fn resource(&self, name: &str) -> Option<&Resource> {
        self.resources.iter().find(|r| r.name == name)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Resource {
    pub name: String,
    /// Identifier names, in the order the constructor takes them (`Table("name")`).
    pub identifiers: Vec<String>,
    pub actions: Vec<ResourceAction>,
    /// Sub-resource constructors (`Table`), by resource type name.
    pub has: Vec<String>,
    /// Collection attribute names (`tables`).
    pub collections: Vec<String>,
    /// Methods boto3 adds in Python (`batch_writer`, `upload_file`), with no model behind them.
    pub injected: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResourceAction {
    /// The Python method name (`put_item`).
    pub python_name: String,
    /// The client operation's API name (`PutItem`).
    pub operation: String,
    /// Top-level request parameters boto3 fills from the resource's identifiers (`TableName`).
    pub filled: Vec<String>,
}

/// One service as listed in the index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceInfo {
    pub name: String,
    pub full_name: String,
    /// botocore's `serviceId` (`Secrets Manager`); mypy-boto3 type names derive from it (`SecretsManagerClient`).
    #[serde(default)]
    pub service_id: String,
}

/// Methods boto3/botocore add to clients in Python (`creating-client-class` handlers), keyed by service.
/// They have no operation model; the analysis only needs to know that they exist.
pub const INJECTED_CLIENT_METHODS: &[(&str, &[&str])] = &[
    ("s3", &["copy", "download_file", "download_fileobj", "generate_presigned_post", "upload_file", "upload_fileobj"]),
    ("rds", &["generate_db_auth_token"]),
    ("dsql", &["generate_db_connect_admin_auth_token", "generate_db_connect_auth_token"]),
];

/// Operations botocore deletes from a client class (`creating-client-class` handlers in `handlers.py`).
const REMOVED_OPERATIONS: &[(&str, &str)] = &[
    ("lex-runtime-v2", "StartConversation"),
    ("qbusiness", "Chat"),
    ("bedrock-runtime", "InvokeModelWithBidirectionalStream"),
    ("connecthealth", "StartMedicalScribeListeningSession"),
    ("polly", "StartSpeechSynthesisStream"),
];

/// IAM actions whose name differs from the operation's (the default is `<prefix>:<OperationName>`).
const IAM_ACTION_OVERRIDES: &[(&str, &str, &str)] = &[
    ("s3", "ListObjects", "s3:ListBucket"),
    ("s3", "ListObjectsV2", "s3:ListBucket"),
    ("s3", "HeadBucket", "s3:ListBucket"),
    ("s3", "HeadObject", "s3:GetObject"),
    ("s3", "ListObjectVersions", "s3:ListBucketVersions"),
    ("s3", "SelectObjectContent", "s3:GetObject"),
];

/// IAM service prefixes that differ from the model's signing name.
const IAM_PREFIX_OVERRIDES: &[(&str, &str)] =
    &[("monitoring", "cloudwatch"), ("email", "ses"), ("execute-api", "execute-api")];

// ---------------------------------------------------------------------------------------------
// botocore's xform_name
// ---------------------------------------------------------------------------------------------

/// botocore's `xform_name(name, "_")`: CamelCase API names to boto3 method names.
///
/// `special` is botocore's `_xform_cache` for `sep == "_"` (names the regexes would get wrong, such as
/// `CreateCachediSCSIVolume`); the generator reads it from botocore's `__init__.py`.
pub fn xform_name(name: &str, special: &BTreeMap<String, String>) -> String {
    if name.contains('_') {
        return name.to_owned();
    }
    if let Some(s) = special.get(name) {
        return s.clone();
    }
    let b = name.as_bytes();
    // `[A-Z]{2,}s$`: a trailing plural acronym (ARNs, ACLs) becomes `_arns`.
    let mut name = name.to_owned();
    if b.len() >= 3 && b[b.len() - 1] == b's' {
        let mut start = b.len() - 1;
        while start > 0 && b[start - 1].is_ascii_uppercase() {
            start -= 1;
        }
        if b.len() - 1 - start >= 2 {
            name = format!("{}_{}", &name[..start], name[start..].to_ascii_lowercase());
        }
    }
    // `(.)([A-Z][a-z]+)` -> `\1_\2`, scanning left to right without overlaps as `re.sub` does.
    let b = name.as_bytes();
    let mut s1 = Vec::with_capacity(b.len() + 8);
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\n' && i + 2 < b.len() && b[i + 1].is_ascii_uppercase() && b[i + 2].is_ascii_lowercase() {
            let mut end = i + 3;
            while end < b.len() && b[end].is_ascii_lowercase() {
                end += 1;
            }
            s1.push(b[i]);
            s1.push(b'_');
            s1.extend_from_slice(&b[i + 1..end]);
            i = end;
        } else {
            s1.push(b[i]);
            i += 1;
        }
    }
    // `([a-z0-9])([A-Z])` -> `\1_\2`.
    let mut out = Vec::with_capacity(s1.len() + 8);
    let mut i = 0;
    while i < s1.len() {
        if i + 1 < s1.len() && (s1[i].is_ascii_lowercase() || s1[i].is_ascii_digit()) && s1[i + 1].is_ascii_uppercase()
        {
            out.extend_from_slice(&[s1[i], b'_', s1[i + 1]]);
            i += 2;
        } else {
            out.push(s1[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("ASCII edits keep UTF-8").to_lowercase()
}

/// Reads botocore's `_xform_cache` entries for `sep == "_"` from the text of `botocore/__init__.py`.
///
/// The entries are literal tuples `('CamelName', '_'): 'snake_name'`, possibly wrapped over lines by
/// the formatter; whitespace is squeezed out before matching.
pub fn parse_xform_cache(init_py: &str) -> BTreeMap<String, String> {
    let squeezed: String = init_py.chars().filter(|c| !c.is_whitespace()).collect();
    // The formatter leaves a trailing comma inside wrapped tuples.
    let squeezed = squeezed.replace(",)", ")");
    let mut out = BTreeMap::new();
    let needle = "','_'):'";
    let mut rest = squeezed.as_str();
    while let Some(at) = rest.find(needle) {
        let before = &rest[..at];
        let camel = before.rsplit("('").next().unwrap_or("");
        let after = &rest[at + needle.len()..];
        let snake = after.split('\'').next().unwrap_or("");
        if !camel.is_empty() && camel.bytes().all(|c| c.is_ascii_alphanumeric()) && !snake.is_empty() {
            out.insert(camel.to_owned(), snake.to_owned());
        }
        rest = after;
    }
    out
}

// ---------------------------------------------------------------------------------------------
// HTML documentation -> one Markdown paragraph
// ---------------------------------------------------------------------------------------------

/// The first paragraph of botocore's HTML documentation as Markdown (code spans, links, emphasis kept).
pub fn html_first_paragraph(html: &str) -> String {
    let html = html.trim_start();
    let para = match html.strip_prefix("<p>") {
        Some(rest) => rest.split("</p>").next().unwrap_or(rest),
        None => html.split("</p>").next().unwrap_or(html),
    };
    html_to_markdown(para)
}

/// A small HTML-to-Markdown conversion for the tags botocore documentation uses.
pub fn html_to_markdown(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    let mut link: Option<String> = None;
    while let Some(lt) = rest.find('<') {
        out.push_str(&unescape(&rest[..lt]));
        let Some(gt) = rest[lt..].find('>') else {
            out.push_str(&unescape(&rest[lt..]));
            rest = "";
            break;
        };
        let tag = &rest[lt + 1..lt + gt];
        rest = &rest[lt + gt + 1..];
        let closing = tag.starts_with('/');
        let tag_name = tag
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match (tag_name.as_str(), closing) {
            ("code", _) => out.push('`'),
            ("b" | "strong", _) => out.push_str("**"),
            ("i" | "em", _) => out.push('*'),
            ("a", false) => {
                link = tag.split("href=\"").nth(1).and_then(|h| h.split('"').next()).map(str::to_owned);
                if link.is_some() {
                    out.push('[');
                }
            }
            ("a", true) => {
                if let Some(href) = link.take() {
                    out.push_str("](");
                    out.push_str(&href);
                    out.push(')');
                }
            }
            ("li", false) => out.push_str("\n- "),
            ("p" | "br" | "ul" | "ol" | "note" | "important", _) => out.push('\n'),
            _ => {}
        }
    }
    out.push_str(&unescape(rest));
    // Collapse runs of spaces and blank lines left by the markup.
    let mut clean = String::with_capacity(out.len());
    for line in out.lines() {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if line.is_empty() {
            continue;
        }
        if !clean.is_empty() {
            clean.push('\n');
        }
        clean.push_str(&line);
    }
    clean
}

fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

// ---------------------------------------------------------------------------------------------
// Conversion from botocore's JSON
// ---------------------------------------------------------------------------------------------

/// The raw JSON files of one service version.
pub struct RawService<'a> {
    pub name: &'a str,
    pub service: &'a Value,
    pub paginators: Option<&'a Value>,
    pub waiters: Option<&'a Value>,
}

/// Converts botocore's `service-2.json` (plus paginators and waiters) into a [`ServiceModel`].
pub fn convert_service(raw: &RawService<'_>, special: &BTreeMap<String, String>) -> Result<ServiceModel, String> {
    let svc = raw.service;
    let meta = &svc["metadata"];
    let s = |v: &Value| v.as_str().unwrap_or("").to_owned();
    let signing = meta["signingName"].as_str().or(meta["endpointPrefix"].as_str()).unwrap_or(raw.name);
    let iam_prefix =
        IAM_PREFIX_OVERRIDES.iter().find(|(from, _)| *from == signing).map(|(_, to)| *to).unwrap_or(signing).to_owned();
    let raw_shapes = svc["shapes"].as_object().ok_or_else(|| format!("{}: service model has no shapes", raw.name))?;
    let mut conv = ShapeConverter { raw: raw_shapes, ids: HashMap::new(), shapes: Vec::new() };
    let mut operations = Vec::new();
    for (op_name, op) in svc["operations"].as_object().into_iter().flatten() {
        if REMOVED_OPERATIONS.contains(&(raw.name, op_name.as_str())) {
            continue;
        }
        let input = match op["input"]["shape"].as_str() {
            Some(n) => Some(conv.shape(n)?),
            None => None,
        };
        let output = match op["output"]["shape"].as_str() {
            Some(n) => Some(conv.shape(n)?),
            None => None,
        };
        // botocore's `OperationModel._get_streaming_body`: the output's `payload` member is a blob.
        let streaming_output = op["output"]["shape"]
            .as_str()
            .and_then(|o| {
                let out = &raw_shapes.get(o)?;
                let payload = out["payload"].as_str()?;
                let member = out["members"][payload]["shape"].as_str()?;
                Some(raw_shapes.get(member)?["type"] == "blob")
            })
            .unwrap_or(false);
        let deprecated = op["deprecated"]
            .as_bool()
            .filter(|d| *d)
            .map(|_| html_to_markdown(op["deprecatedMessage"].as_str().unwrap_or("")));
        let iam_action = IAM_ACTION_OVERRIDES
            .iter()
            .find(|(svc, op, _)| *svc == raw.name && op == op_name)
            .map(|(_, _, a)| (*a).to_owned())
            .unwrap_or_else(|| format!("{iam_prefix}:{op_name}"));
        operations.push(Operation {
            name: op_name.clone(),
            python_name: xform_name(op_name, special),
            doc: html_first_paragraph(op["documentation"].as_str().unwrap_or("")),
            input,
            output,
            deprecated,
            iam_action,
            streaming_output,
        });
    }
    operations.sort_by(|a, b| a.python_name.cmp(&b.python_name));
    let mut paginators: Vec<String> = raw
        .paginators
        .and_then(|p| p["pagination"].as_object())
        .into_iter()
        .flatten()
        .map(|(k, _)| xform_name(k, special))
        .collect();
    paginators.sort();
    let mut waiters: Vec<String> = raw
        .waiters
        .and_then(|w| w["waiters"].as_object())
        .into_iter()
        .flatten()
        .map(|(k, _)| xform_name(k, special))
        .collect();
    waiters.sort();
    Ok(ServiceModel {
        name: raw.name.to_owned(),
        api_version: s(&meta["apiVersion"]),
        full_name: s(&meta["serviceFullName"]),
        service_id: s(&meta["serviceId"]),
        iam_prefix,
        doc: html_first_paragraph(svc["documentation"].as_str().unwrap_or("")),
        operations,
        shapes: conv.shapes,
        paginators,
        waiters,
    })
}

struct ShapeConverter<'a> {
    raw: &'a serde_json::Map<String, Value>,
    ids: HashMap<String, ShapeId>,
    shapes: Vec<Shape>,
}

impl ShapeConverter<'_> {
    /// The id of shape `name`, converting it (and what it refers to) on first use. The id is assigned
    /// before members are converted, so recursive shapes terminate.
    fn shape(&mut self, name: &str) -> Result<ShapeId, String> {
        if let Some(&id) = self.ids.get(name) {
            return Ok(id);
        }
        let raw = self.raw.get(name).ok_or_else(|| format!("unknown shape '{name}'"))?;
        let id = self.shapes.len() as ShapeId;
        self.ids.insert(name.to_owned(), id);
        self.shapes.push(Shape {
            name: name.to_owned(),
            kind: ShapeKind::Boolean,
            doc: html_first_paragraph(raw["documentation"].as_str().unwrap_or("")),
            enum_values: raw["enum"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            min: raw["min"].as_f64(),
            max: raw["max"].as_f64(),
            deprecated: raw["deprecated"]
                .as_bool()
                .filter(|d| *d)
                .map(|_| html_to_markdown(raw["deprecatedMessage"].as_str().unwrap_or(""))),
        });
        let kind = match raw["type"].as_str().unwrap_or("") {
            "string" => ShapeKind::String,
            "integer" => ShapeKind::Integer,
            "long" => ShapeKind::Long,
            "float" => ShapeKind::Float,
            "double" => ShapeKind::Double,
            "boolean" => ShapeKind::Boolean,
            "timestamp" => ShapeKind::Timestamp,
            "blob" => ShapeKind::Blob,
            "list" => ShapeKind::List { member: self.member_ref(&raw["member"], name)? },
            "map" => ShapeKind::Map {
                key: self.member_ref(&raw["key"], name)?,
                value: self.member_ref(&raw["value"], name)?,
            },
            "structure" => {
                let mut members = Vec::new();
                for (m_name, m) in raw["members"].as_object().into_iter().flatten() {
                    members.push(Member {
                        name: m_name.clone(),
                        shape: self.member_ref(m, name)?,
                        doc: html_first_paragraph(m["documentation"].as_str().unwrap_or("")),
                        deprecated: m["deprecated"]
                            .as_bool()
                            .filter(|d| *d)
                            .map(|_| html_to_markdown(m["deprecatedMessage"].as_str().unwrap_or(""))),
                        idempotency_token: m["idempotencyToken"].as_bool().unwrap_or(false),
                        host_label: m["hostLabel"].as_bool().unwrap_or(false),
                        json_value: m["jsonvalue"].as_bool().unwrap_or(false),
                    });
                }
                ShapeKind::Structure {
                    members,
                    required: raw["required"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect(),
                    union: raw["union"].as_bool().unwrap_or(false),
                    document: raw["document"].as_bool().unwrap_or(false),
                }
            }
            other => return Err(format!("shape '{name}' has unsupported type '{other}'")),
        };
        self.shapes[id as usize].kind = kind;
        Ok(id)
    }

    fn member_ref(&mut self, r: &Value, owner: &str) -> Result<ShapeId, String> {
        let target = r["shape"].as_str().ok_or_else(|| format!("shape '{owner}' has a member without a shape"))?;
        self.shape(target)
    }
}

/// Converts boto3's `resources-1.json` of one service.
pub fn convert_resources(service: &str, raw: &Value, special: &BTreeMap<String, String>) -> ResourceModel {
    let mut resources = vec![convert_resource("ServiceResource", &raw["service"], service, special)];
    for (name, r) in raw["resources"].as_object().into_iter().flatten() {
        resources.push(convert_resource(name, r, service, special));
    }
    ResourceModel { service: service.to_owned(), resources }
}

fn convert_resource(name: &str, r: &Value, service: &str, special: &BTreeMap<String, String>) -> Resource {
    let keys = |v: &Value| -> Vec<String> { v.as_object().into_iter().flatten().map(|(k, _)| k.clone()).collect() };
    let mut actions: Vec<ResourceAction> = r["actions"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(a_name, a)| ResourceAction {
            python_name: xform_name(a_name, special),
            operation: a["request"]["operation"].as_str().unwrap_or("").to_owned(),
            filled: a["request"]["params"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p["target"].as_str())
                .map(|t| t.split(['.', '[']).next().unwrap_or(t).to_owned())
                .collect(),
        })
        .collect();
    actions.sort_by(|a, b| a.python_name.cmp(&b.python_name));
    let injected: &[&str] = match (service, name) {
        ("dynamodb", "Table") => &["batch_writer"],
        ("s3", "Bucket") => &["copy", "download_file", "download_fileobj", "load", "upload_file", "upload_fileobj"],
        ("s3", "Object") => &["copy", "download_file", "download_fileobj", "upload_file", "upload_fileobj"],
        ("s3", "ObjectSummary") => &["load"],
        ("ec2", "ServiceResource") => &["create_tags"],
        ("ec2", "Instance") => &["delete_tags"],
        _ => &[],
    };
    Resource {
        name: name.to_owned(),
        identifiers: r["identifiers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|i| i["name"].as_str().map(str::to_owned))
            .collect(),
        actions,
        has: keys(&r["has"]),
        collections: keys(&r["hasMany"]).iter().map(|c| xform_name(c, special)).collect(),
        injected: injected.iter().map(|s| (*s).to_owned()).collect(),
    }
}

/// Among the `YYYY-MM-DD` version directory names, the newest (they sort as strings).
pub fn newest_version<'a>(versions: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    versions.into_iter().max()
}

// ---------------------------------------------------------------------------------------------
// The model set the analysis consults
// ---------------------------------------------------------------------------------------------

/// Where the models come from.
#[derive(Debug)]
enum Source {
    Container(Container),
    /// botocore's `data` directory: `<service>/<version>/service-2.json[.gz]`.
    DataDir {
        dir: PathBuf,
        versions: BTreeMap<String, String>,
        special: BTreeMap<String, String>,
        /// boto3 resource models still come from the embedded data (boto3 is a separate package).
        resources: Option<Container>,
    },
}

/// How many decoded service models stay cached. Decoding every one of the ~445 services would hold about
/// 130 MB; a workspace uses a handful, and an evicted model is decoded again in milliseconds.
pub const CACHED_SERVICES: usize = 48;

/// Decoded service models, least recently used evicted first beyond [`CACHED_SERVICES`].
#[derive(Debug, Default)]
struct ModelCache {
    tick: u64,
    entries: HashMap<String, (u64, Option<Arc<ServiceModel>>)>,
}

impl ModelCache {
    fn get(&mut self, name: &str) -> Option<Option<Arc<ServiceModel>>> {
        self.tick += 1;
        let tick = self.tick;
        self.entries.get_mut(name).map(|(used, m)| {
            *used = tick;
            m.clone()
        })
    }

    fn insert(&mut self, name: &str, model: Option<Arc<ServiceModel>>) {
        if self.entries.len() >= CACHED_SERVICES
            && let Some(oldest) = self.entries.iter().min_by_key(|(_, (used, _))| *used).map(|(k, _)| k.clone())
        {
            self.entries.remove(&oldest);
        }
        self.tick += 1;
        self.entries.insert(name.to_owned(), (self.tick, model));
    }
}

/// All botocore service models, decoded lazily and cached; cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct BotocoreModels {
    source: Source,
    services: Vec<ServiceInfo>,
    aliases: BTreeMap<String, String>,
    resource_services: Vec<String>,
    cache: Mutex<ModelCache>,
    res_cache: Mutex<HashMap<String, Option<Arc<ResourceModel>>>>,
}

/// The generated data file, embedded in the binaries.
pub static EMBEDDED: &[u8] = include_bytes!("../assets/botocore.bin");

impl BotocoreModels {
    /// The models embedded in the binary (botocore/boto3 versions in [`BotocoreModels::version`]).
    pub fn embedded() -> Result<BotocoreModels, ContainerError> {
        BotocoreModels::from_container(Container::open(EMBEDDED)?)
    }

    /// Models from a generated container (the embedded one or a newer `botocore.bin` from a data directory).
    pub fn from_container(c: Container) -> Result<BotocoreModels, ContainerError> {
        let bad = |what: &str| ContainerError(format!("botocore data: {what}"));
        let services: Vec<ServiceInfo> =
            serde_json::from_value(c.meta("services").cloned().ok_or_else(|| bad("no service list"))?)
                .map_err(|e| bad(&e.to_string()))?;
        let aliases = c.meta("aliases").and_then(|v| serde_json::from_value(v.clone()).ok()).unwrap_or_default();
        let resource_services = c.names().filter_map(|n| n.strip_prefix("res/")).map(str::to_owned).collect();
        Ok(BotocoreModels {
            source: Source::Container(c),
            services,
            aliases,
            resource_services,
            cache: Mutex::default(),
            res_cache: Mutex::default(),
        })
    }

    /// Models read from an installed botocore's `data` directory (`.../site-packages/botocore/data`),
    /// so completions match the user's botocore exactly. Only the directory listing is read here;
    /// each service's JSON is parsed and converted when first asked for.
    pub fn from_botocore_data_dir(dir: &Path) -> Result<BotocoreModels, String> {
        let read_dir = |p: &Path| std::fs::read_dir(p).map_err(|e| format!("cannot read {}: {e}", p.display()));
        let mut versions = BTreeMap::new();
        for entry in read_dir(dir)? {
            let entry = entry.map_err(|e| e.to_string())?;
            if !entry.path().is_dir() {
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            let mut found = Vec::new();
            for v in read_dir(&entry.path())? {
                let v = v.map_err(|e| e.to_string())?;
                let p = v.path();
                if p.join("service-2.json").exists() || p.join("service-2.json.gz").exists() {
                    found.push(v.file_name().to_string_lossy().into_owned());
                }
            }
            if let Some(newest) = newest_version(found.iter().map(String::as_str)) {
                versions.insert(name, newest.to_owned());
            }
        }
        if versions.is_empty() {
            return Err(format!(
                "{} holds no botocore service models (expected <service>/<version>/service-2.json)",
                dir.display()
            ));
        }
        // botocore's own special cases live in botocore/__init__.py, the data directory's parent.
        let special =
            std::fs::read_to_string(dir.join("../__init__.py")).map(|t| parse_xform_cache(&t)).unwrap_or_default();
        let embedded = Container::open(EMBEDDED).ok();
        // Names shown in completion come from the embedded index; a service newer than it has none.
        let known: HashMap<String, ServiceInfo> = embedded
            .as_ref()
            .and_then(|c| c.meta("services").cloned())
            .and_then(|v| serde_json::from_value::<Vec<ServiceInfo>>(v).ok())
            .into_iter()
            .flatten()
            .map(|s| (s.name.clone(), s))
            .collect();
        let services = versions
            .keys()
            .map(|n| {
                known.get(n).cloned().unwrap_or_else(|| ServiceInfo {
                    name: n.clone(),
                    full_name: String::new(),
                    service_id: String::new(),
                })
            })
            .collect();
        let resource_services = embedded
            .as_ref()
            .map(|c| c.names().filter_map(|n| n.strip_prefix("res/")).map(str::to_owned).collect())
            .unwrap_or_default();
        Ok(BotocoreModels {
            source: Source::DataDir { dir: dir.to_path_buf(), versions, special, resources: embedded },
            services,
            aliases: [("runtime.sagemaker".to_owned(), "sagemaker-runtime".to_owned())].into(),
            resource_services,
            cache: Mutex::default(),
            res_cache: Mutex::default(),
        })
    }

    /// The botocore version the models come from, when known.
    pub fn version(&self) -> Option<String> {
        match &self.source {
            Source::Container(c) => c.meta("botocore_version").and_then(|v| v.as_str()).map(str::to_owned),
            Source::DataDir { .. } => None,
        }
    }

    /// All services, sorted by name.
    pub fn services(&self) -> &[ServiceInfo] {
        &self.services
    }

    /// Services with a boto3 resource model (`boto3.resource(...)`), sorted.
    pub fn resource_services(&self) -> &[String] {
        &self.resource_services
    }

    /// The canonical service name for what the user wrote (`runtime.sagemaker` -> `sagemaker-runtime`).
    pub fn canonical_name<'a>(&'a self, name: &'a str) -> Option<&'a str> {
        let name = self.aliases.get(name).map(String::as_str).unwrap_or(name);
        self.services.binary_search_by(|s| s.name.as_str().cmp(name)).ok().map(|_| name)
    }

    /// One service's model, decoded on first use. `None` for unknown services or unreadable data.
    pub fn service(&self, name: &str) -> Option<Arc<ServiceModel>> {
        let name = self.canonical_name(name)?;
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(m) = cache.get(name) {
            return m;
        }
        let model = self.load_service(name).map(Arc::new);
        cache.insert(name, model.clone());
        model
    }

    fn load_service(&self, name: &str) -> Option<ServiceModel> {
        match &self.source {
            Source::Container(c) => serde_json::from_slice(&c.get(&format!("svc/{name}")).ok()??).ok(),
            Source::DataDir { dir, versions, special, .. } => {
                let vdir = dir.join(name).join(versions.get(name)?);
                let service = read_json_maybe_gz(&vdir, "service-2.json")?;
                let paginators = read_json_maybe_gz(&vdir, "paginators-1.json");
                let waiters = read_json_maybe_gz(&vdir, "waiters-2.json");
                let raw =
                    RawService { name, service: &service, paginators: paginators.as_ref(), waiters: waiters.as_ref() };
                convert_service(&raw, special).ok()
            }
        }
    }

    /// boto3's resource model of a service, decoded on first use.
    pub fn resources(&self, name: &str) -> Option<Arc<ResourceModel>> {
        let name = self.canonical_name(name)?;
        let mut cache = self.res_cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(m) = cache.get(name) {
            return m.clone();
        }
        let c = match &self.source {
            Source::Container(c) => Some(c),
            Source::DataDir { resources, .. } => resources.as_ref(),
        };
        let model = c
            .and_then(|c| c.get(&format!("res/{name}")).ok().flatten())
            .and_then(|b| serde_json::from_slice::<ResourceModel>(&b).ok())
            .map(Arc::new);
        cache.insert(name.to_owned(), model.clone());
        model
    }
}

/// Reads `<dir>/<file>` or `<dir>/<file>.gz` (botocore ships both forms).
pub fn read_json_maybe_gz(dir: &Path, file: &str) -> Option<Value> {
    if let Ok(bytes) = std::fs::read(dir.join(file)) {
        return serde_json::from_slice(&bytes).ok();
    }
    let gz = std::fs::read(dir.join(format!("{file}.gz"))).ok()?;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&gz[..]).read_to_end(&mut out).ok()?;
    serde_json::from_slice(&out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn x(name: &str) -> String {
        let special: BTreeMap<String, String> =
            [("CreateCachediSCSIVolume".to_owned(), "create_cached_iscsi_volume".to_owned())].into();
        xform_name(name, &special)
    }

    #[test]
    fn xform_name_matches_botocore_cases() {
        assert_eq!(x("ListObjectsV2"), "list_objects_v2");
        assert_eq!(x("DescribeDBInstances"), "describe_db_instances");
        assert_eq!(x("GetParameter"), "get_parameter");
        assert_eq!(x("ListARNs"), "list_arns");
        assert_eq!(x("GetBucketACLs"), "get_bucket_acls");
        assert_eq!(x("CreateCachediSCSIVolume"), "create_cached_iscsi_volume");
        assert_eq!(x("already_snake"), "already_snake");
        assert_eq!(x("HTTPResponse"), "http_response");
        assert_eq!(x("GetObjectTorrent"), "get_object_torrent");
        assert_eq!(x("ExecuteSQL"), "execute_sql");
    }

    #[test]
    fn xform_cache_is_read_from_botocore_source() {
        let src = "_xform_cache = {\n    ('CreateCachediSCSIVolume', '_'): 'create_cached_iscsi_volume',\n    ('CreateCachediSCSIVolume', '-'): 'create-cached-iscsi-volume',\n    (\n        'PutWhatsAppThing',\n        '_',\n    ): 'put_whatsapp_thing',\n}";
        let m = parse_xform_cache(src);
        assert_eq!(m.len(), 2, "{m:?}");
        assert_eq!(m["PutWhatsAppThing"], "put_whatsapp_thing");
    }

    #[test]
    fn html_docs_become_one_markdown_paragraph() {
        let md = html_first_paragraph(
            "<p>Get a <code>Parameter</code>, see <a href=\"https://x\">the guide</a> &amp; <i>more</i>.</p> <p>Second.</p>",
        );
        assert_eq!(md, "Get a `Parameter`, see [the guide](https://x) & *more*.");
    }

    #[test]
    fn embedded_models_decode_lazily_within_the_cache_bound() {
        let m = BotocoreModels::embedded().unwrap();
        assert!(m.services().len() > 400);
        assert_eq!(m.canonical_name("runtime.sagemaker"), Some("sagemaker-runtime"));
        let first = m.service("ssm").unwrap();
        for s in m.services().iter().take(CACHED_SERVICES + 10) {
            assert!(m.service(&s.name).is_some(), "{}", s.name);
        }
        assert!(m.cache.lock().unwrap().entries.len() <= CACHED_SERVICES);
        // An evicted model decodes again to the same content; holders of the old Arc keep theirs.
        let again = m.service("ssm").unwrap();
        assert_eq!(first.operations.len(), again.operations.len());
        assert!(m.service("no-such-service").is_none());
        assert!(m.resources("dynamodb").unwrap().resource("Table").is_some());
    }

    #[test]
    fn conversion_keeps_constraints_and_recursion() {
        let raw: Value = serde_json::json!({
            "metadata": {"apiVersion": "2020-01-01", "endpointPrefix": "demo", "serviceFullName": "Demo"},
            "operations": {"PutThing": {"name": "PutThing", "input": {"shape": "PutThingRequest"},
                "deprecated": true}},
            "shapes": {
                "PutThingRequest": {"type": "structure", "required": ["Name"], "members": {
                    "Name": {"shape": "Name", "documentation": "<p>The name.</p>"},
                    "Token": {"shape": "Name", "idempotencyToken": true},
                    "Node": {"shape": "Node"}}},
                "Name": {"type": "string", "min": 1, "max": 10, "enum": ["a", "b"]},
                "Node": {"type": "structure", "members": {"Child": {"shape": "Node"}}}
            }
        });
        let m = convert_service(
            &RawService { name: "demo", service: &raw, paginators: None, waiters: None },
            &BTreeMap::new(),
        )
        .unwrap();
        let op = m.operation("put_thing").unwrap();
        assert_eq!(op.iam_action, "demo:PutThing");
        assert_eq!(op.deprecated.as_deref(), Some(""));
        let ShapeKind::Structure { members, required, .. } = &m.shape(op.input.unwrap()).kind else { panic!() };
        assert_eq!(required, &["Name"]);
        assert!(members.iter().any(|mm| mm.name == "Token" && mm.idempotency_token));
        let name = m.shape(members.iter().find(|mm| mm.name == "Name").unwrap().shape);
        assert_eq!((name.min, name.max, name.enum_values.len()), (Some(1.0), Some(10.0), 2));
    }
}
