//! What a function is granted: the statements of its execution role as far as the template shows
//! them, or [`Unknown`] when something that may grant more cannot be read.
//!
//! Sources, in the order SAM builds the role: the basic execution policy SAM always attaches, the
//! `Policies` list (AWS managed policy names and ARNs, SAM policy templates expanded with their
//! parameters, inline documents, `!Ref` to a managed policy in the template), the policies SAM adds
//! for some properties and event sources, and `AWS::IAM::Policy`/`ManagedPolicy`/`RolePolicy`
//! resources attached to the role. With an explicit `Role`, only that role's own policies count
//! (SAM ignores `Policies` then).

use samwise_data::CfnData;
use samwise_template::{Resource, Template, Value};

use crate::Unknown;
use crate::policy::{Pat, Statement};

/// The AWS managed policies whose documents samwise carries, with the page they were copied from.
/// Everything else by name makes the function [`Unknown`].
const MANAGED: &[(&str, &[&str], &str)] = &[
    (
        "AdministratorAccess",
        &["*"],
        "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AdministratorAccess.html",
    ),
    (
        "AWSLambdaBasicExecutionRole",
        &["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaBasicExecutionRole.html",
    ),
];

/// SAM event sources and properties that make SAM attach a policy to the generated role, with the
/// service whose actions that policy may contain. samwise does not carry those managed policies'
/// documents, so it assumes they allow every action of that service (it only makes the check miss
/// findings, never invent them).
const IMPLIED: &[(&str, &str)] = &[
    ("event:SQS", "sqs"),
    ("event:Kinesis", "kinesis"),
    ("event:DynamoDB", "dynamodb"),
    ("event:MSK", "kafka"),
    ("event:MQ", "mq"),
    ("event:SelfManagedKafka", "kafka"),
    ("event:DocumentDB", "rds"),
    ("prop:Tracing", "xray"),
    ("prop:VpcConfig", "ec2"),
    ("prop:FileSystemConfigs", "elasticfilesystem"),
    ("prop:DeadLetterQueue", "sqs"),
    ("prop:DeadLetterQueue", "sns"),
];

pub(crate) struct Ctx<'a> {
    pub t: &'a Template,
    pub data: &'static CfnData,
}

impl Ctx<'_> {
    /// Every statement that may apply to the function's role.
    pub fn function_statements(&self, logical_id: &str) -> Result<Vec<Statement>, Unknown> {
        let t = self.t;
        let r = t.resource(logical_id).ok_or_else(|| unknown(format!("no resource `{logical_id}`")))?;
        let sam = match r.type_name.as_deref() {
            Some("AWS::Serverless::Function") => true,
            Some("AWS::Lambda::Function") => false,
            _ => return Err(unknown(format!("`{logical_id}` is not a Lambda function"))),
        };
        if t.resources.iter().any(|x| x.type_name.as_deref() == Some("AWS::Serverless::Connector"))
            || t.resources.iter().any(|x| x.value.and_then(|v| t.tree.get_value(v, "Connectors")).is_some())
        {
            return Err(unknown("the template has SAM connectors, which add policies to roles".into()));
        }
        let role = t.effective_property(r, "Role");
        if !sam || role.is_some() {
            let role = role.ok_or_else(|| unknown(format!("`{logical_id}` has no Role")))?;
            let mut out = self.role_statements(&t.value(role))?;
            out.extend(self.resource_policy_allows());
            return Ok(out);
        }
        let mut out = vec![managed_statement("AWSLambdaBasicExecutionRole").expect("listed in MANAGED")];
        if let Some(p) = t.effective_property(r, "Policies") {
            let items = match t.value(p) {
                Value::List(items) => items,
                other => vec![other],
            };
            for item in &items {
                out.extend(self.sam_policy_item(item)?);
            }
        }
        for (feature, service) in IMPLIED {
            let present = match feature.split_once(':') {
                Some(("event", ty)) => self.has_event(r, ty),
                Some((_, prop)) => t.effective_property(r, prop).is_some(),
                None => false,
            };
            if present {
                out.push(Statement::allow(&[&format!("{service}:*")], &["*"]));
            }
        }
        // SAM names the generated role `<Function>Role`; policies in the template may attach to it.
        out.extend(self.attached_policies(&format!("{logical_id}Role"))?);
        out.extend(self.resource_policy_allows());
        Ok(out)
    }

    /// The Allow statements of the template's resource-based policies (bucket, queue, topic, key and
    /// secret policies) whose principal is not only an AWS service: in the same account they can
    /// grant the role without any identity policy, so they count as grants. Whether the principal is
    /// this function's role is not worked out (an over-approximation: it can hide findings only).
    fn resource_policy_allows(&self) -> Vec<Statement> {
        let t = self.t;
        let mut out = Vec::new();
        for r in &t.resources {
            let key = match r.type_name.as_deref() {
                Some("AWS::S3::BucketPolicy" | "AWS::SQS::QueuePolicy" | "AWS::SNS::TopicPolicy") => "PolicyDocument",
                Some("AWS::KMS::Key") => "KeyPolicy",
                Some("AWS::SecretsManager::ResourcePolicy") => "ResourcePolicy",
                _ => continue,
            };
            let Some(doc) = r.properties.and_then(|p| t.tree.get_value(p, key)) else { continue };
            let doc = t.value(doc);
            let Some(stmts) = field(&doc, "Statement").map(list) else { continue };
            let for_roles: Vec<Value> = stmts.into_iter().filter(|s| !only_service_principal(s)).collect();
            let doc = Value::Map(vec![("Statement".into(), Value::List(for_roles))]);
            if let Ok(stmts) = self.document(&doc, false) {
                out.extend(stmts.into_iter().filter(|s| s.allow));
            }
        }
        out
    }

    fn has_event(&self, r: &Resource, ty: &str) -> bool {
        let t = self.t;
        let Some(events) = r.properties.and_then(|p| t.tree.get_value(p, "Events")) else { return false };
        t.tree
            .entries(events)
            .iter()
            .any(|e| e.value.and_then(|v| t.tree.get_value(v, "Type")).and_then(|v| t.tree.as_str(v)) == Some(ty))
    }

    /// One entry of a SAM function's `Policies`.
    fn sam_policy_item(&self, item: &Value) -> Result<Vec<Statement>, Unknown> {
        match item {
            Value::Map(entries) if entries.iter().any(|(k, _)| k == "Statement") => self.document(item, true),
            Value::Map(entries) if entries.len() == 1 => {
                let (name, params) = &entries[0];
                let tpl = self
                    .data
                    .policy_template(name)
                    .ok_or_else(|| unknown(format!("policy template `{name}` is not in samwise's data")))?;
                let mut locals = Vec::new();
                for p in &tpl.parameters {
                    let v = match params {
                        Value::Map(m) => m.iter().find(|(k, _)| *k == p.name).map(|(_, v)| v),
                        _ => None,
                    };
                    let v = v.ok_or_else(|| unknown(format!("`{name}` is missing its parameter `{}`", p.name)))?;
                    locals.push((p.name.clone(), self.resolve(v, &[])));
                }
                self.expand_template(&tpl.statements_json, &locals)
            }
            other => self.managed(other),
        }
    }

    /// A policy template's statements with its parameters bound to `locals`.
    pub fn expand_template(&self, statements_json: &str, locals: &[(String, Pat)]) -> Result<Vec<Statement>, Unknown> {
        let json: serde_json::Value =
            serde_json::from_str(statements_json).map_err(|e| unknown(format!("policy template data: {e}")))?;
        let doc = Value::Map(vec![("Statement".into(), from_json(&json))]);
        self.document_with(&doc, locals, true)
    }

    /// A managed policy given by name, ARN or `!Ref` to an `AWS::IAM::ManagedPolicy` of the template.
    fn managed(&self, v: &Value) -> Result<Vec<Statement>, Unknown> {
        match v {
            // `!Sub arn:${AWS::Partition}:iam::aws:policy/X` is the usual way to stay partition-neutral.
            Value::Sub(s, vars) if vars.is_empty() && s.starts_with("arn:${AWS::Partition}:iam::aws:policy/") => {
                self.managed(&Value::String(s.replace("${AWS::Partition}", "aws")))
            }
            Value::String(s) => {
                let name = s.rsplit('/').next().unwrap_or(s);
                if s.contains(':') && !s.starts_with("arn:aws:iam::aws:policy/") {
                    return Err(unknown(format!("customer managed policy `{s}`")));
                }
                managed_statement(name)
                    .map(|s| vec![s])
                    .ok_or_else(|| unknown(format!("the document of managed policy `{name}` is not in samwise's data")))
            }
            Value::Ref(id) => match self.t.resource(id) {
                Some(r) if r.type_name.as_deref() == Some("AWS::IAM::ManagedPolicy") => {
                    let doc = r.properties.and_then(|p| self.t.tree.get_value(p, "PolicyDocument"));
                    let doc = doc.ok_or_else(|| unknown(format!("`{id}` has no PolicyDocument")))?;
                    self.document(&self.t.value(doc), true)
                }
                _ => Err(unknown(format!("`!Ref {id}` as a policy"))),
            },
            _ => Err(unknown("a policy given by an intrinsic function samwise cannot resolve".into())),
        }
    }

    /// The statements of an explicit role: `!GetAtt Role.Arn` of an `AWS::IAM::Role` in the template.
    fn role_statements(&self, role: &Value) -> Result<Vec<Statement>, Unknown> {
        let id = match role {
            Value::GetAtt(id, attr) if attr == "Arn" => id.clone(),
            Value::Sub(s, vars) if vars.is_empty() => s
                .strip_prefix("${")
                .and_then(|s| s.strip_suffix(".Arn}"))
                .filter(|s| !s.contains(['$', '{', '}']))
                .ok_or_else(|| unknown("a Role samwise cannot resolve".into()))?
                .to_owned(),
            _ => return Err(unknown("the function's Role is not a role of this template".into())),
        };
        let t = self.t;
        let r = t
            .resource(&id)
            .filter(|r| r.type_name.as_deref() == Some("AWS::IAM::Role"))
            .ok_or_else(|| unknown(format!("Role `{id}` is not an AWS::IAM::Role of this template")))?;
        let mut out = Vec::new();
        if let Some(m) = r.properties.and_then(|p| t.tree.get_value(p, "ManagedPolicyArns")) {
            let items = match t.value(m) {
                Value::List(items) => items,
                other => vec![other],
            };
            for item in &items {
                out.extend(self.managed(item)?);
            }
        }
        if let Some(p) = r.properties.and_then(|p| t.tree.get_value(p, "Policies")) {
            for item in t.tree.items(p) {
                let doc = t.tree.get_value(*item, "PolicyDocument");
                let doc = doc.ok_or_else(|| unknown(format!("a policy of `{id}` has no PolicyDocument")))?;
                out.extend(self.document(&t.value(doc), true)?);
            }
        }
        out.extend(self.attached_policies(&id)?);
        Ok(out)
    }

    /// `AWS::IAM::Policy`, `ManagedPolicy` and `RolePolicy` resources that name the role (or may: a
    /// `Roles` entry samwise cannot resolve counts as naming it, but then only its Allows are kept).
    fn attached_policies(&self, role_id: &str) -> Result<Vec<Statement>, Unknown> {
        let t = self.t;
        let mut out = Vec::new();
        for r in &t.resources {
            let (list_key, single) = match r.type_name.as_deref() {
                Some("AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy") => ("Roles", false),
                Some("AWS::IAM::RolePolicy") => ("RoleName", true),
                _ => continue,
            };
            let Some(props) = r.properties else { continue };
            let Some(roles) = t.tree.get_value(props, list_key) else { continue };
            let roles = match t.value(roles) {
                Value::List(items) if !single => items,
                other => vec![other],
            };
            let certain = roles.iter().any(|v| matches!(v, Value::Ref(x) if x == role_id));
            let maybe = roles.iter().any(|v| !matches!(v, Value::Ref(x) if t.resource(x).is_some()));
            if !certain && !maybe {
                continue;
            }
            let Some(doc) = t.tree.get_value(props, "PolicyDocument") else { continue };
            let stmts = match self.document(&t.value(doc), certain) {
                Ok(s) => s,
                Err(e) if certain => return Err(e),
                // A policy that may not be ours and cannot be read: it might grant anything.
                Err(_) => return Err(unknown(format!("`{}` may attach to the role and cannot be read", r.name))),
            };
            out.extend(stmts.into_iter().filter(|s| certain || s.allow));
        }
        Ok(out)
    }

    fn document(&self, doc: &Value, keep_denies: bool) -> Result<Vec<Statement>, Unknown> {
        self.document_with(doc, &[], keep_denies)
    }

    /// The statements of a policy document. An Allow whose actions cannot be resolved makes the
    /// function unknown; a Deny that cannot be resolved is dropped (it could only remove grants).
    fn document_with(
        &self,
        doc: &Value,
        locals: &[(String, Pat)],
        keep_denies: bool,
    ) -> Result<Vec<Statement>, Unknown> {
        let stmts = match field(doc, "Statement") {
            Some(Value::List(items)) => items.clone(),
            Some(one @ Value::Map(_)) => vec![one.clone()],
            _ => return Err(unknown("a policy document without a Statement list".into())),
        };
        let mut out = Vec::new();
        for s in &stmts {
            if !matches!(s, Value::Map(_)) {
                return Err(unknown("a policy statement given by an intrinsic function".into()));
            }
            let allow = match field(s, "Effect") {
                Some(Value::String(e)) if e == "Allow" => true,
                Some(Value::String(e)) if e == "Deny" => false,
                // No Effect: CloudFormation rejects the policy, so it grants nothing.
                None => continue,
                Some(_) => return Err(unknown("a policy statement whose Effect is an intrinsic function".into())),
            };
            let (not_action, actions) = match (field(s, "Action"), field(s, "NotAction")) {
                (Some(a), _) => (false, a),
                (None, Some(a)) => (true, a),
                (None, None) => continue,
            };
            let actions: Option<Vec<String>> = list(actions)
                .iter()
                .map(|a| {
                    let p = self.resolve(a, locals);
                    (p.exact && !p.text.is_empty()).then(|| p.text.to_ascii_lowercase())
                })
                .collect();
            let Some(actions) = actions else {
                if allow {
                    return Err(unknown("an Allow statement whose Action samwise cannot resolve".into()));
                }
                continue;
            };
            let (not_resource, resources) = match (field(s, "Resource"), field(s, "NotResource")) {
                (Some(r), _) => (false, r),
                (None, Some(r)) => (true, r),
                (None, None) => (false, &Value::Other("(none)".into())),
            };
            let resources: Vec<Pat> = list(resources).iter().map(|r| self.resolve(r, locals)).collect();
            let exact = resources.iter().all(|r| r.exact);
            if !allow && (!keep_denies || !exact) {
                continue;
            }
            let conditional = field(s, "Condition").is_some();
            out.push(Statement { allow, not_action, actions, not_resource, resources, conditional, exact });
        }
        Ok(out)
    }

    /// A value as a string pattern; whatever cannot be resolved becomes `*` (not exact).
    pub fn resolve(&self, v: &Value, locals: &[(String, Pat)]) -> Pat {
        match v {
            Value::String(s) => Pat::exact(s.clone()),
            Value::Ref(name) => self.resolve_ref(name, locals),
            Value::GetAtt(..) => Pat::any(),
            Value::Sub(s, vars) => {
                let mut text = String::new();
                let mut exact = true;
                let mut rest = s.as_str();
                while let Some(start) = rest.find("${") {
                    text.push_str(&rest[..start]);
                    let after = &rest[start + 2..];
                    let Some(end) = after.find('}') else {
                        text.push_str(&rest[start..]);
                        rest = "";
                        break;
                    };
                    let name = &after[..end];
                    let part = if let Some(lit) = name.strip_prefix('!') {
                        Pat::exact(format!("${{{lit}}}"))
                    } else if let Some((_, v)) = vars.iter().find(|(k, _)| k == name) {
                        self.resolve(v, locals)
                    } else if name.contains('.') {
                        Pat::any()
                    } else {
                        self.resolve_ref(name, locals)
                    };
                    text.push_str(&part.text);
                    exact &= part.exact;
                    rest = &after[end + 1..];
                }
                text.push_str(rest);
                Pat { text, exact }
            }
            Value::Join(sep, parts) => {
                let parts: Vec<Pat> = parts
                    .iter()
                    .flat_map(|p| match p {
                        Value::List(items) => items.iter().map(|i| self.resolve(i, locals)).collect(),
                        other => vec![self.resolve(other, locals)],
                    })
                    .collect();
                Pat {
                    text: parts.iter().map(|p| p.text.as_str()).collect::<Vec<_>>().join(sep),
                    exact: parts.iter().all(|p| p.exact),
                }
            }
            _ => Pat::any(),
        }
    }

    fn resolve_ref(&self, name: &str, locals: &[(String, Pat)]) -> Pat {
        if let Some((_, p)) = locals.iter().find(|(k, _)| k == name) {
            return p.clone();
        }
        let t = self.t;
        if let Some(p) = t.parameter(name) {
            // The default is what a plain deploy uses; another value at deploy time is possible, so it
            // is not exact (a Deny is never applied on its strength).
            let default = p.value.and_then(|v| t.tree.get_value(v, "Default")).and_then(|d| t.literal(d));
            return default.map_or_else(Pat::any, |d| Pat { text: d.to_owned(), exact: false });
        }
        if let Some(r) = t.resource(name) {
            // `Ref` returns the physical name for these types; it is known when the template sets it.
            let prop = match r.type_name.as_deref() {
                Some("AWS::DynamoDB::Table" | "AWS::Serverless::SimpleTable") => "TableName",
                Some("AWS::S3::Bucket") => "BucketName",
                Some("AWS::SSM::Parameter") => "Name",
                Some("AWS::Lambda::Function" | "AWS::Serverless::Function") => "FunctionName",
                Some("AWS::Kinesis::Stream") => "Name",
                _ => return Pat::any(),
            };
            let named = r.properties.and_then(|p| t.tree.get_value(p, prop)).and_then(|v| t.literal(v));
            return named.map_or_else(Pat::any, |n| Pat { text: n.to_owned(), exact: false });
        }
        Pat::any()
    }
}

fn managed_statement(name: &str) -> Option<Statement> {
    MANAGED.iter().find(|(n, _, _)| *n == name).map(|(_, actions, _)| Statement::allow(actions, &["*"]))
}

fn unknown(reason: String) -> Unknown {
    Unknown { reason }
}

/// Whether a statement's principal is only AWS services (`Principal: {Service: ...}`).
fn only_service_principal(stmt: &Value) -> bool {
    matches!(field(stmt, "Principal"), Some(Value::Map(m)) if m.iter().all(|(k, _)| k == "Service"))
}

fn field<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    match v {
        Value::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
        _ => None,
    }
}

fn list(v: &Value) -> Vec<Value> {
    match v {
        Value::List(items) => items.clone(),
        other => vec![other.clone()],
    }
}

/// A policy template's JSON (CloudFormation's JSON form of intrinsics) as a template [`Value`].
fn from_json(j: &serde_json::Value) -> Value {
    use serde_json::Value as J;
    match j {
        J::Null => Value::Null,
        J::Bool(b) => Value::String(b.to_string()),
        J::Number(n) => Value::String(n.to_string()),
        J::String(s) => Value::String(s.clone()),
        J::Array(items) => Value::List(items.iter().map(from_json).collect()),
        J::Object(m) if m.len() == 1 => {
            let (k, v) = m.iter().next().expect("one entry");
            match (k.as_str(), v) {
                ("Ref", J::String(s)) => Value::Ref(s.clone()),
                ("Fn::GetAtt", J::Array(a)) if a.len() == 2 => Value::GetAtt(
                    a[0].as_str().unwrap_or_default().to_owned(),
                    a[1].as_str().unwrap_or_default().to_owned(),
                ),
                ("Fn::Sub", J::String(s)) => Value::Sub(s.clone(), Vec::new()),
                ("Fn::Sub", J::Array(a)) if a.len() == 2 => Value::Sub(
                    a[0].as_str().unwrap_or_default().to_owned(),
                    a[1].as_object()
                        .map(|o| o.iter().map(|(k, v)| (k.clone(), from_json(v))).collect())
                        .unwrap_or_default(),
                ),
                ("Fn::Join", J::Array(a)) if a.len() == 2 => Value::Join(
                    a[0].as_str().unwrap_or_default().to_owned(),
                    a[1].as_array().map(|l| l.iter().map(from_json).collect()).unwrap_or_default(),
                ),
                (k, _) if k.starts_with("Fn::") => Value::Other(k.to_owned()),
                _ => Value::Map(vec![(k.clone(), from_json(v))]),
            }
        }
        J::Object(m) => Value::Map(m.iter().map(|(k, v)| (k.clone(), from_json(v))).collect()),
    }
}
