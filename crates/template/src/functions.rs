//! The Lambda functions of a template with SAM Globals applied, as plain values: what local
//! invocation, code lenses and the handler cross-checks need.

use samwise_syntax::{NodeId, NodeKind, TextRange};

use crate::intrinsics::intrinsic_at;
use crate::model::{ALIAS_BUDGET, Resource, Template};

/// A value read from the template, with intrinsic functions kept symbolic.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Any scalar, as written (numbers and booleans too).
    String(String),
    Null,
    List(Vec<Value>),
    Map(Vec<(String, Value)>),
    Ref(String),
    GetAtt(String, String),
    /// A `Fn::Sub` string with its local variables.
    Sub(String, Vec<(String, Value)>),
    Join(String, Vec<Value>),
    /// Another intrinsic function (name), not evaluated locally.
    Other(String),
}

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
}

impl Template {
    /// Reads a node as a [`Value`], following aliases within [`ALIAS_BUDGET`] nodes.
    pub fn value(&self, id: NodeId) -> Value {
        let mut budget = ALIAS_BUDGET;
        self.value_inner(id, &mut budget, 0)
    }

    fn value_inner(&self, id: NodeId, budget: &mut usize, depth: u32) -> Value {
        if *budget == 0 || depth > samwise_syntax::MAX_DEPTH + 64 {
            return Value::Other("(too large)".into());
        }
        *budget -= 1;
        let id = self.tree.resolve(id);
        if let Some(call) = intrinsic_at(&self.tree, id) {
            return self.call_value(&call, budget, depth);
        }
        match &self.tree.node(id).kind {
            NodeKind::Scalar(s) if s.is_null() => Value::Null,
            NodeKind::Scalar(s) => Value::String(s.value.clone()),
            NodeKind::Sequence(s) => {
                Value::List(s.items.iter().map(|&i| self.value_inner(i, budget, depth + 1)).collect())
            }
            NodeKind::Mapping(m) => Value::Map(
                m.entries
                    .iter()
                    .map(|e| {
                        let v = e.value.map_or(Value::Null, |v| self.value_inner(v, budget, depth + 1));
                        (self.tree.key_str(e).to_owned(), v)
                    })
                    .collect(),
            ),
            NodeKind::Alias(_) => Value::Null,
        }
    }

    fn call_value(&self, call: &crate::Intrinsic, budget: &mut usize, depth: u32) -> Value {
        let Some(args) = call.args else { return Value::Other(call.name.clone()) };
        let str_of = |id: NodeId| self.tree.as_str(id).map(str::to_owned);
        match call.name.as_str() {
            "Ref" => str_of(args).map_or(Value::Other(call.name.clone()), Value::Ref),
            "Fn::GetAtt" => {
                if let Some(s) = str_of(args).filter(|_| self.tree.sequence(args).is_none())
                    && let Some((r, a)) = s.split_once('.')
                {
                    return Value::GetAtt(r.to_owned(), a.to_owned());
                }
                let items = self.tree.items(args);
                match (items.first().and_then(|&i| str_of(i)), items.get(1).and_then(|&i| str_of(i))) {
                    (Some(r), Some(a)) => Value::GetAtt(r, a),
                    _ => Value::Other(call.name.clone()),
                }
            }
            "Fn::Sub" => {
                if self.tree.sequence(args).is_none() {
                    return str_of(args).map_or(Value::Other(call.name.clone()), |s| Value::Sub(s, Vec::new()));
                }
                let items = self.tree.items(args);
                let Some(s) = items.first().and_then(|&i| str_of(i)) else { return Value::Other(call.name.clone()) };
                let vars = items
                    .get(1)
                    .map(|&v| {
                        self.tree
                            .entries(v)
                            .iter()
                            .map(|e| {
                                let val = e.value.map_or(Value::Null, |x| self.value_inner(x, budget, depth + 1));
                                (self.tree.key_str(e).to_owned(), val)
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                Value::Sub(s, vars)
            }
            "Fn::Join" => {
                let items = self.tree.items(args);
                let sep = items.first().and_then(|&i| str_of(i)).unwrap_or_default();
                let parts = items
                    .get(1)
                    .map(|&l| self.tree.items(l).iter().map(|&i| self.value_inner(i, budget, depth + 1)).collect())
                    .unwrap_or_default();
                Value::Join(sep, parts)
            }
            other => Value::Other(other.to_owned()),
        }
    }
}

/// A Lambda function declared by the template (`AWS::Serverless::Function` or `AWS::Lambda::Function`).
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionDef {
    pub logical_id: String,
    pub key_range: TextRange,
    pub resource_type: String,
    /// `CodeUri` (SAM) or `Code` when it is a local path string (Lambda), as written.
    pub code_uri: Option<Value>,
    /// `InlineCode` (SAM) or `Code.ZipFile` (Lambda).
    pub inline_code: Option<String>,
    pub handler: Option<Value>,
    pub runtime: Option<Value>,
    pub timeout: Option<Value>,
    pub memory_size: Option<Value>,
    pub architectures: Vec<Value>,
    pub package_type: Option<Value>,
    /// `Environment.Variables`, Globals first then the function's own (which win).
    pub environment: Vec<(String, Value)>,
    pub layers: Vec<Value>,
    /// Event name and `Type` of each SAM event.
    pub events: Vec<(String, String)>,
    /// Node of the `Handler` value (for navigation and diagnostics).
    pub handler_node: Option<NodeId>,
    pub code_uri_node: Option<NodeId>,
}

impl Template {
    /// A list property with SAM's Globals rule for lists: the Globals entries come first, then the
    /// resource's own.
    fn merged_list(&self, r: &Resource, name: &str) -> Vec<Value> {
        let items = |id: Option<NodeId>| match id.map(|i| self.value(i)) {
            Some(Value::List(items)) => items,
            Some(other) => vec![other],
            None => Vec::new(),
        };
        let own = items(r.properties.and_then(|p| self.tree.get_value(p, name)));
        let global = if self.is_sam && r.is_sam() {
            items(r.type_name.as_deref().and_then(|t| self.globals_for(t)).and_then(|g| self.tree.get_value(g, name)))
        } else {
            Vec::new()
        };
        global.into_iter().chain(own).collect()
    }

    /// Every Lambda function in the template, with SAM Globals applied.
    pub fn functions(&self) -> Vec<FunctionDef> {
        self.resources
            .iter()
            .filter(|r| matches!(r.type_name.as_deref(), Some("AWS::Serverless::Function" | "AWS::Lambda::Function")))
            .map(|r| self.function(r))
            .collect()
    }

    fn function(&self, r: &Resource) -> FunctionDef {
        let sam = r.is_sam();
        let prop = |name: &str| self.effective_property(r, name);
        let val = |name: &str| prop(name).map(|id| self.value(id));
        let code_key = if sam { "CodeUri" } else { "Code" };
        let code_node = prop(code_key);
        let (code_uri, inline_code) = match code_node {
            Some(id) if !sam && self.tree.mapping(id).is_some() => {
                (None, self.tree.get_value(id, "ZipFile").and_then(|z| self.tree.as_str(z)).map(str::to_owned))
            }
            Some(id) => (Some(self.value(id)), None),
            None => {
                (None, if sam { prop("InlineCode").and_then(|z| self.tree.as_str(z)).map(str::to_owned) } else { None })
            }
        };
        let list = |name: &str| match val(name) {
            Some(Value::List(items)) => items,
            Some(other) => vec![other],
            None => Vec::new(),
        };
        let mut environment: Vec<(String, Value)> = Vec::new();
        let mut env_from = |env: Option<NodeId>| {
            let vars = env.and_then(|e| self.tree.get_value(e, "Variables"));
            if let Some(Value::Map(entries)) = vars.map(|v| self.value(v)) {
                for (k, v) in entries {
                    environment.retain(|(ek, _)| *ek != k);
                    environment.push((k, v));
                }
            }
        };
        // SAM merges Environment maps from Globals and the function; the function wins per key.
        if sam && self.is_sam {
            env_from(self.globals_for("AWS::Serverless::Function").and_then(|g| self.tree.get_value(g, "Environment")));
        }
        env_from(r.properties.and_then(|p| self.tree.get_value(p, "Environment")));
        let events = r
            .properties
            .and_then(|p| self.tree.get_value(p, "Events"))
            .map(|ev| {
                self.tree
                    .entries(ev)
                    .iter()
                    .map(|e| {
                        let t = e
                            .value
                            .and_then(|v| self.tree.get_value(v, "Type"))
                            .and_then(|t| self.tree.as_str(t))
                            .unwrap_or("");
                        (self.tree.key_str(e).to_owned(), t.to_owned())
                    })
                    .collect()
            })
            .unwrap_or_default();
        FunctionDef {
            logical_id: r.name.clone(),
            key_range: r.key_range,
            resource_type: r.type_name.clone().unwrap_or_default(),
            code_uri,
            inline_code,
            handler: val("Handler"),
            runtime: val("Runtime"),
            timeout: val("Timeout"),
            memory_size: val("MemorySize"),
            architectures: list("Architectures"),
            package_type: val("PackageType"),
            environment,
            layers: self.merged_list(r, "Layers"),
            events,
            handler_node: prop("Handler"),
            code_uri_node: code_node,
        }
    }
}
