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
    /// ISO date after which existing functions can no longer be updated with it.
    pub update_blocked: Option<String>,
    /// The runtime to move to, when the source says.
    pub successor: Option<String>,
}

/// The keys one SAM `Globals` section accepts (`Function` -> `Runtime`, `Timeout`, ...).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GlobalsSection {
    pub section: String,
    pub properties: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use crate::container::{Container, ContainerError};

/// The data file generated by `cargo xtask gen-data-cfn` (see `crates/data/NOTES.md`).
static EMBEDDED_BYTES: &[u8] = include_bytes!("../assets/cfn.bin");

/// The layout version of `cfn.bin` this loader reads; the generator stamps it into the index, and
/// it changes whenever the data types above change incompatibly.
pub const FORMAT: u64 = 1;

/// Entry-name prefix of the per-type entries; the rest of the name is the type name.
const TYPE_PREFIX: &str = "type/";

/// CloudFormation and SAM data: resource types, regions, SAM policy templates, managed policies,
/// Lambda runtimes and SAM `Globals` keys.
///
/// Opening reads only the container's index; each resource type is decoded the first time it is
/// asked for and then shared, and each table is decoded on its first use.
///
/// In [`ResourceType::attributes`], a name ending in `*` is a wildcard taken from cfn-lint:
/// `Outputs.*` (nested stacks and SAM applications accept any `Outputs.<name>`) and `*` (custom
/// resources accept any attribute).
pub struct CfnData {
    container: Container,
    type_names: Vec<String>,
    regions: Vec<String>,
    types: Mutex<HashMap<String, Arc<ResourceType>>>,
    region_masks: OnceLock<HashMap<String, u64>>,
    policy_templates: OnceLock<Vec<PolicyTemplate>>,
    managed_policies: OnceLock<BTreeMap<String, String>>,
    runtimes: OnceLock<Vec<RuntimeInfo>>,
    required: OnceLock<HashMap<String, Vec<String>>>,
    sam_globals: OnceLock<Vec<GlobalsSection>>,
}

impl std::fmt::Debug for CfnData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CfnData")
            .field("types", &self.type_names.len())
            .field("decoded", &self.decoded_type_count())
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct RegionTable {
    regions: Vec<String>,
    /// Type name -> bit `i` set when the type exists in `regions[i]`.
    masks: HashMap<String, u64>,
}

impl CfnData {
    /// The data built into this binary.
    pub fn embedded() -> &'static CfnData {
        static DATA: OnceLock<CfnData> = OnceLock::new();
        DATA.get_or_init(|| {
            CfnData::open(Container::open(EMBEDDED_BYTES).and_then(CfnData::check))
                .expect("the embedded cfn.bin is produced by the generator and must open")
        })
    }

    /// Reads `dir/cfn.bin`, a file written by `cargo xtask gen-data-cfn`, in place of the embedded data.
    pub fn from_dir(dir: &Path) -> Result<CfnData, ContainerError> {
        let path = dir.join("cfn.bin");
        let bytes = std::fs::read(&path).map_err(|e| {
            ContainerError(format!(
                "cannot read CloudFormation data {}: {e}; point the data directory at a folder \
                 holding a cfn.bin from `cargo xtask gen-data-cfn`",
                path.display()
            ))
        })?;
        CfnData::open(Container::open(bytes).and_then(CfnData::check))
            .map_err(|e| ContainerError(format!("{}: {e}", path.display())))
    }

    /// Refuses containers that are not CloudFormation data (for instance a botocore file).
    fn check(container: Container) -> Result<Container, ContainerError> {
        for table in ["table/regions", "table/policy_templates", "table/runtimes"] {
            if !container.contains(table) {
                return Err(ContainerError(format!("not a CloudFormation data file (no '{table}' entry)")));
            }
        }
        let format = container.meta("format").and_then(serde_json::Value::as_u64);
        if format != Some(FORMAT) {
            return Err(ContainerError(format!(
                "CloudFormation data format {} does not match this build's format {FORMAT}; \
                 regenerate it with `cargo xtask gen-data-cfn`",
                format.map_or_else(|| "(none)".to_owned(), |f| f.to_string())
            )));
        }
        Ok(container)
    }

    fn open(container: Result<Container, ContainerError>) -> Result<CfnData, ContainerError> {
        let container = container?;
        let type_names = container.names().filter_map(|n| n.strip_prefix(TYPE_PREFIX)).map(str::to_owned).collect();
        let regions =
            container.meta("regions").and_then(|v| serde_json::from_value(v.clone()).ok()).unwrap_or_default();
        Ok(CfnData {
            container,
            type_names,
            regions,
            types: Mutex::default(),
            region_masks: OnceLock::new(),
            policy_templates: OnceLock::new(),
            managed_policies: OnceLock::new(),
            runtimes: OnceLock::new(),
            required: OnceLock::new(),
            sam_globals: OnceLock::new(),
        })
    }

    /// All resource type names, CloudFormation and SAM, sorted.
    pub fn type_names(&self) -> &[String] {
        &self.type_names
    }

    /// One resource type, decoded on first use and cached; `None` for unknown names (and for an
    /// entry that does not decode, which only a damaged data directory can hold).
    pub fn resource_type(&self, name: &str) -> Option<Arc<ResourceType>> {
        if let Some(found) = self.lock_types().get(name) {
            return Some(found.clone());
        }
        // Decoded without holding the lock, so requests for different types do not queue behind
        // each other; if two threads race on one type, the first stored copy wins.
        let bytes = self.container.get(&format!("{TYPE_PREFIX}{name}")).ok()??;
        let decoded: ResourceType = serde_json::from_slice(&bytes).ok()?;
        Some(self.lock_types().entry(name.to_owned()).or_insert_with(|| Arc::new(decoded)).clone())
    }

    fn lock_types(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<ResourceType>>> {
        // The map is only ever inserted into, so a panic elsewhere cannot leave it inconsistent.
        self.types.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How many resource types have been decoded so far (the rest are still compressed).
    pub fn decoded_type_count(&self) -> usize {
        self.lock_types().len()
    }

    /// The regions cfn-lint has provider schemas for, sorted (`us-east-1`, ...).
    pub fn regions(&self) -> &[String] {
        &self.regions
    }

    /// Whether CloudFormation offers `type_name` in `region`. SAM types count as available
    /// wherever CloudFormation is, as in cfn-lint.
    pub fn type_in_region(&self, type_name: &str, region: &str) -> bool {
        let Some(index) = self.regions.iter().position(|r| r == region) else {
            return false;
        };
        let masks = self.region_masks.get_or_init(|| {
            self.table::<RegionTable>("table/regions")
                .filter(|t| t.regions == self.regions)
                .map(|t| t.masks)
                .unwrap_or_default()
        });
        masks.get(type_name).is_some_and(|m| m & (1 << index) != 0)
    }

    /// The SAM policy templates, in name order.
    pub fn policy_templates(&self) -> &[PolicyTemplate] {
        self.policy_templates.get_or_init(|| {
            let mut all: Vec<PolicyTemplate> = self.table("table/policy_templates").unwrap_or_default();
            // Sorted here, not trusted from the file, because `policy_template` searches by name.
            all.sort_by(|a, b| a.name.cmp(&b.name));
            all
        })
    }

    pub fn policy_template(&self, name: &str) -> Option<&PolicyTemplate> {
        let all = self.policy_templates();
        all.binary_search_by(|t| t.name.as_str().cmp(name)).ok().map(|i| &all[i])
    }

    /// The ARN (`aws` partition) of an AWS managed policy SAM accepts by name in `Policies`.
    pub fn managed_policy_arn(&self, name: &str) -> Option<&str> {
        self.managed_policies().get(name).map(String::as_str)
    }

    /// Names of the AWS managed policies SAM knows, sorted.
    pub fn managed_policy_names(&self) -> impl Iterator<Item = &str> {
        self.managed_policies().keys().map(String::as_str)
    }

    fn managed_policies(&self) -> &BTreeMap<String, String> {
        self.managed_policies.get_or_init(|| self.table("table/managed_policies").unwrap_or_default())
    }

    /// Lambda runtimes with their lifecycle dates, sorted by name.
    pub fn runtimes(&self) -> &[RuntimeInfo] {
        self.runtimes.get_or_init(|| self.table("table/runtimes").unwrap_or_default())
    }

    /// The unconditionally required top-level properties of a type, from a small table, so that
    /// listing every type with its required properties decodes no type. Data files written before
    /// the table existed fall back to decoding the type.
    pub fn required_properties(&self, type_name: &str) -> Vec<String> {
        let table = self.required.get_or_init(|| self.table("table/required").unwrap_or_default());
        if let Some(r) = table.get(type_name) {
            return r.clone();
        }
        if !table.is_empty() {
            return Vec::new();
        }
        self.resource_type(type_name)
            .and_then(|rt| match &rt.shapes.get(rt.properties as usize)?.kind {
                ShapeKind::Object { required, .. } => Some(required.clone()),
                _ => None,
            })
            .unwrap_or_default()
    }

    /// The keys each SAM `Globals` section accepts.
    pub fn sam_globals(&self) -> &[GlobalsSection] {
        self.sam_globals.get_or_init(|| self.table("table/sam_globals").unwrap_or_default())
    }

    /// The packages (and versions) the data was generated from.
    pub fn provenance(&self) -> Vec<(String, String)> {
        self.container.meta("provenance").and_then(|v| serde_json::from_value(v.clone()).ok()).unwrap_or_default()
    }

    /// Decodes a table entry. A missing or undecodable table reads as empty: a data directory
    /// that passed [`CfnData::check`] but is damaged degrades answers instead of failing them.
    fn table<T: serde::de::DeserializeOwned>(&self, name: &str) -> Option<T> {
        let bytes = self.container.get(name).ok()??;
        serde_json::from_slice(&bytes).ok()
    }
}
