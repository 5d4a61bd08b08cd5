//! What a Python expression is, as far as boto3 is concerned: the `boto3` module, a session, a client
//! of some service, a resource, or an operation's response (for subscript completion).
//!
//! Inference follows names through the bindings of `index` and gives up (returns `None`) as soon as
//! anything is uncertain: two different bindings that could both reach a use, a non-literal service
//! name, a name bound by a loop. Every feature treats `None` as "not boto3, say nothing".

use std::sync::Arc;

use samwise_data::botocore::{BotocoreModels, ResourceModel, ServiceModel, ShapeId, ShapeKind};
use tree_sitter::Node;

use crate::PyFile;
use crate::index::{BindKind, Binding, ScopeKind};
use crate::literal::string_value;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Ty {
    Boto3,
    Boto3SessionModule,
    SessionClass,
    Session,
    ClientFn,
    ResourceFn,
    /// A client; `validated` is false when the client's `config=` may turn parameter validation off.
    Client {
        service: String,
        validated: bool,
    },
    Resource {
        service: String,
        resource: String,
    },
    ResourceMeta {
        service: String,
    },
    /// A value of an operation's output shape (a response or a part of one).
    Output {
        service: String,
        shape: ShapeId,
    },
}

const MAX_DEPTH: u32 = 12;

/// Loaded models for one inferred client or resource.
pub(crate) enum Target {
    Client { model: Arc<ServiceModel>, validated: bool },
    Resource { model: Arc<ServiceModel>, resources: Arc<ResourceModel>, resource: String },
}

impl PyFile {
    pub(crate) fn infer(&self, models: &BotocoreModels, n: Node<'_>) -> Option<Ty> {
        self.infer_depth(models, n, 0)
    }

    fn infer_depth(&self, models: &BotocoreModels, n: Node<'_>, depth: u32) -> Option<Ty> {
        if depth > MAX_DEPTH {
            return None;
        }
        let d = depth + 1;
        match n.kind() {
            "identifier" => self.infer_name(models, self.node_text(n), n.start_byte() as u32, d),
            "parenthesized_expression" => self.infer_depth(models, n.named_child(0)?, d),
            "attribute" => {
                let obj = n.child_by_field_name("object")?;
                let attr = self.node_text(n.child_by_field_name("attribute")?);
                if obj.kind() == "identifier" && self.node_text(obj) == "self" {
                    return self.infer_self_attr(models, attr, n.start_byte() as u32, d);
                }
                let base = self.infer_depth(models, obj, d)?;
                match (base, attr) {
                    (Ty::Boto3, "client") | (Ty::Session, "client") => Some(Ty::ClientFn),
                    (Ty::Boto3, "resource") | (Ty::Session, "resource") => Some(Ty::ResourceFn),
                    (Ty::Boto3, "Session") | (Ty::Boto3SessionModule, "Session") => Some(Ty::SessionClass),
                    (Ty::Boto3, "session") => Some(Ty::Boto3SessionModule),
                    (Ty::Resource { service, .. }, "meta") => Some(Ty::ResourceMeta { service }),
                    (Ty::ResourceMeta { service }, "client") => Some(Ty::Client { service, validated: true }),
                    _ => None,
                }
            }
            "call" => {
                let func = n.child_by_field_name("function")?;
                let args = n.child_by_field_name("arguments")?;
                if func.kind() == "attribute" {
                    let obj = func.child_by_field_name("object")?;
                    let attr = self.node_text(func.child_by_field_name("attribute")?);
                    match self.infer_depth(models, obj, d) {
                        Some(Ty::Client { service, .. }) => {
                            let model = models.service(&service)?;
                            let shape = model.operation(attr)?.output?;
                            return Some(Ty::Output { service, shape });
                        }
                        Some(Ty::Resource { service, resource }) => {
                            let res = models.resources(&service)?;
                            let r = res.resource(&resource)?;
                            return r
                                .has
                                .iter()
                                .any(|h| h == attr)
                                .then(|| Ty::Resource { service, resource: attr.to_owned() });
                        }
                        Some(_) | None => {}
                    }
                }
                match self.infer_depth(models, func, d)? {
                    Ty::ClientFn => {
                        let service = self.service_arg(args)?;
                        // `Config(parameter_validation=False)` turns botocore's checks off; a client
                        // built with a config in a file that mentions it is not checked.
                        let validated =
                            self.keyword(args, "config").is_none() || !self.text.contains("parameter_validation");
                        Some(Ty::Client { service: models.canonical_name(&service)?.to_owned(), validated })
                    }
                    Ty::ResourceFn => {
                        let service = self.service_arg(args)?;
                        let service = models.canonical_name(&service)?.to_owned();
                        models.resources(&service)?;
                        Some(Ty::Resource { service, resource: "ServiceResource".into() })
                    }
                    Ty::SessionClass => Some(Ty::Session),
                    _ => None,
                }
            }
            "subscript" => {
                let Ty::Output { service, shape } = self.infer_depth(models, n.child_by_field_name("value")?, d)?
                else {
                    return None;
                };
                let model = models.service(&service)?;
                let key = n.child_by_field_name("subscript")?;
                let next = match &model.shape(shape).kind {
                    ShapeKind::Structure { members, .. } => {
                        let k = string_value(self, key)?;
                        members.iter().find(|m| m.name == k)?.shape
                    }
                    ShapeKind::List { member } if key.kind() == "integer" || key.kind() == "unary_operator" => *member,
                    ShapeKind::Map { value, .. } => *value,
                    _ => return None,
                };
                Some(Ty::Output { service, shape: next })
            }
            _ => None,
        }
    }

    /// The service name of `client(...)`/`resource(...)`: the first positional argument or `service_name=`.
    pub(crate) fn service_arg_node<'t>(&self, args: Node<'t>) -> Option<Node<'t>> {
        if let Some(kw) = self.keyword(args, "service_name") {
            return Some(kw);
        }
        let mut c = args.walk();
        let first = args.named_children(&mut c).find(|a| a.kind() != "comment")?;
        (first.kind() != "keyword_argument").then_some(first)
    }

    fn service_arg(&self, args: Node<'_>) -> Option<String> {
        string_value(self, self.service_arg_node(args)?)
    }

    /// The value of keyword argument `name` in an argument list.
    pub(crate) fn keyword<'t>(&self, args: Node<'t>, name: &str) -> Option<Node<'t>> {
        let mut c = args.walk();
        let found = args.named_children(&mut c).find(|a| {
            a.kind() == "keyword_argument" && a.child_by_field_name("name").is_some_and(|n| self.node_text(n) == name)
        });
        found.and_then(|a| a.child_by_field_name("value"))
    }

    fn infer_name(&self, models: &BotocoreModels, name: &str, at: u32, d: u32) -> Option<Ty> {
        let ix = &self.index;
        let mut scope = ix.scope_at(at);
        let use_scope = scope;
        loop {
            let s = &ix.scopes[scope];
            // A class body's names are not visible from its methods.
            let visible = s.kind != ScopeKind::Class || scope == use_scope;
            if s.kind == ScopeKind::Function && s.globals.iter().any(|g| g == name) {
                scope = 0;
                continue;
            }
            if visible && let Some(bindings) = ix.names.get(&(scope, name.to_owned())) {
                if scope == use_scope {
                    // In the scope of the use, the last binding before it is the one in effect.
                    let b = bindings.iter().rfind(|b| b.at < at)?;
                    return self.infer_binding(models, b, d);
                }
                // From an enclosing scope, any binding may be current when the inner code runs.
                return self.agree(models, bindings, d);
            }
            match s.parent {
                Some(p) => scope = p,
                None if name == "boto3" => return Some(Ty::Boto3),
                None => return None,
            }
        }
    }

    fn infer_self_attr(&self, models: &BotocoreModels, attr: &str, at: u32, d: u32) -> Option<Ty> {
        let class = self.index.enclosing_class(at)?;
        let bindings = self.index.attrs.get(&(class, attr.to_owned()))?;
        self.agree(models, bindings, d)
    }

    /// The common type of all `bindings`, or `None` when any is unknown or they differ.
    fn agree(&self, models: &BotocoreModels, bindings: &[Binding], d: u32) -> Option<Ty> {
        let mut out: Option<Ty> = None;
        for b in bindings {
            let t = self.infer_binding(models, b, d)?;
            if out.as_ref().is_some_and(|o| *o != t) {
                return None;
            }
            out = Some(t);
        }
        out
    }

    fn infer_binding(&self, models: &BotocoreModels, b: &Binding, d: u32) -> Option<Ty> {
        match &b.kind {
            BindKind::Value(s, e) => {
                let n = self.root().named_descendant_for_byte_range(*s as usize, *e as usize)?;
                self.infer_depth(models, n, d)
            }
            BindKind::Annotation(s, e) => self.annotation_ty(models, &self.text[*s as usize..*e as usize]),
            BindKind::Import { module, name } => match (module.as_str(), name.as_deref()) {
                ("boto3", None) => Some(Ty::Boto3),
                ("boto3.session", None) => Some(Ty::Boto3SessionModule),
                ("boto3", Some("client")) => Some(Ty::ClientFn),
                ("boto3", Some("resource")) => Some(Ty::ResourceFn),
                ("boto3", Some("Session")) | ("boto3.session", Some("Session")) => Some(Ty::SessionClass),
                ("boto3", Some("session")) => Some(Ty::Boto3SessionModule),
                _ => None,
            },
            BindKind::Opaque => None,
        }
    }

    /// mypy-boto3 style annotations: `SSMClient`, `"S3Client"`, `mypy_boto3_s3.S3Client`,
    /// `DynamoDBServiceResource`, `Table` imported from `mypy_boto3_dynamodb...`.
    fn annotation_ty(&self, models: &BotocoreModels, ann: &str) -> Option<Ty> {
        let ann = ann.trim().trim_matches(['"', '\'']);
        let class = ann.rsplit('.').next()?;
        // A class of the user's own (or from another library) that happens to be called `S3Client` or
        // `Table` is not a boto3 type: only mypy-boto3 imports, or names bound nowhere, count.
        let bound_elsewhere = self.index.names.get(&(0, class.to_owned())).is_some_and(|bs| {
            bs.iter().any(|b| !matches!(&b.kind, BindKind::Import { module, .. } if module.starts_with("mypy_boto3_")))
        });
        if bound_elsewhere && !ann.contains('.') {
            return None;
        }
        // The module names the service exactly when the class was imported from one.
        let module = self
            .index
            .type_imports
            .get(class)
            .cloned()
            .or_else(|| ann.contains('.').then(|| ann.split('.').next().unwrap_or("").to_owned()));
        let from_module = module.as_deref().and_then(|m| m.strip_prefix("mypy_boto3_")).map(|m| {
            let svc = m.split('.').next().unwrap_or(m);
            svc.replace('_', "-")
        });
        let service_for = |suffix: &str| -> Option<String> {
            let stem = class.strip_suffix(suffix)?;
            if let Some(s) = &from_module {
                return models.canonical_name(s).map(str::to_owned);
            }
            models
                .services()
                .iter()
                .find(|s| s.service_id.replace([' ', '-'], "").eq_ignore_ascii_case(stem))
                .map(|s| s.name.clone())
        };
        if let Some(service) = service_for("Client") {
            return Some(Ty::Client { service, validated: true });
        }
        if let Some(service) = service_for("ServiceResource") {
            models.resources(&service)?;
            return Some(Ty::Resource { service, resource: "ServiceResource".into() });
        }
        // Other resource classes (`Table`, `Bucket`) name their service only through their module.
        let service = from_module?;
        let res = models.resources(&service)?;
        res.resource(class)?;
        Some(Ty::Resource { service, resource: class.to_owned() })
    }

    /// The loaded models behind a client or resource type.
    pub(crate) fn target(&self, models: &BotocoreModels, ty: &Ty) -> Option<Target> {
        match ty {
            Ty::Client { service, validated } => {
                Some(Target::Client { model: models.service(service)?, validated: *validated })
            }
            Ty::Resource { service, resource } => Some(Target::Resource {
                model: models.service(service)?,
                resources: models.resources(service)?,
                resource: resource.clone(),
            }),
            _ => None,
        }
    }
}
