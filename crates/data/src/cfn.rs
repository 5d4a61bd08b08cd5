//! The CloudFormation and SAM resource schemas, normalised into a small shape graph.
//!
//! Every resource type (CloudFormation provider schemas from cfn-lint, and the `AWS::Serverless::*`
//! types from aws-sam-translator's schema) becomes one [`ResourceType`]: a table of [`Shape`]s that
//! refer to each other by index, so recursive definitions need no special handling and one type is
//! decoded on its own, only when something asks for it.

use serde::{Deserialize, Serialize};

/// Index of a [`Shape`] in [`ResourceType::shapes`].
pub type ShapeId = u32;

/// One resource type, such as `AWS::S3::Bucket` or `AWS::Serverless::Function`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResourceType {
    pub name: String,
    /// One paragraph of documentation (plain text or Markdown).
    pub description: String,
    /// Link to the AWS documentation page, when known.
    pub doc_url: Option<String>,
    /// The shape of the `Properties` map (always an [`ShapeKind::Object`]).
    pub properties: ShapeId,
    pub shapes: Vec<Shape>,
    /// Attributes valid in `Fn::GetAtt`, dotted for nested ones (`Endpoint.Address`).
    pub attributes: Vec<Attribute>,
    /// Top-level property names whose change replaces the resource (createOnlyProperties).
    pub create_only: Vec<String>,
    /// Top-level property names that CloudFormation reports but the template may not set.
    pub read_only: Vec<String>,
    /// Property names (top level) marked deprecated by the schema.
    pub deprecated: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Attribute {
    pub name: String,
    /// `String`, `Integer`, `List`, ... as the schema says; empty when unknown.
    pub type_name: String,
    pub doc: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Shape {
    pub kind: ShapeKind,
    pub doc: String,
    /// Allowed values for a string (or number) shape; empty means any.
    pub enum_values: Vec<String>,
    pub pattern: Option<String>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub enum ShapeKind {
    /// Anything goes (no type stated, or a JSON document such as a policy).
    #[default]
    Any,
    String,
    Integer,
    Number,
    Boolean,
    /// A JSON object whose content the schema does not constrain (`type: object` without properties).
    Json,
    List {
        item: ShapeId,
    },
    /// A map with free-form keys (patternProperties / typed additionalProperties).
    Map {
        value: ShapeId,
    },
    Object {
        properties: Vec<Property>,
        /// Names that must be present (unconditional `required` only).
        required: Vec<String>,
        /// Whether keys other than `properties` are allowed.
        additional: bool,
    },
    /// A value that may take any of several shapes (`type: [a, b]`, `oneOf`/`anyOf` of typed branches).
    OneOf(Vec<ShapeId>),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Property {
    pub name: String,
    pub shape: ShapeId,
    /// One paragraph of documentation for this property.
    pub doc: String,
}

/// A SAM policy template (`SQSPollerPolicy`, ...), used in a function's `Policies`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PolicyTemplate {
    pub name: String,
    pub description: String,
    /// Parameter names the template requires (`QueueName`, ...).
    pub parameters: Vec<PolicyParameter>,
    /// The policy document's `Statement` list, as JSON text with `${Param}` placeholders kept.
    pub statements_json: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PolicyParameter {
    pub name: String,
    pub description: String,
}

/// A Lambda runtime identifier and its lifecycle.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RuntimeInfo {
    pub name: String,
    /// ISO date after which the runtime is deprecated (a warning), when scheduled or past.
    pub deprecated: Option<String>,
    /// ISO date after which new functions can no longer be created with it.
    pub create_blocked: Option<String>,
    /// The runtime to move to, when the source says.
    pub successor: Option<String>,
}

/// The keys one SAM `Globals` section accepts (`Function` -> `Runtime`, `Timeout`, ...).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GlobalsSection {
    pub section: String,
    pub properties: Vec<String>,
}
