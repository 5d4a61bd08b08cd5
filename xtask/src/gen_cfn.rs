//! `cargo xtask gen-data-cfn`: builds `crates/data/assets/cfn.bin` (and `crates/data/NOTICE`) from
//! pinned PyPI packages.
//!
//! Inputs, all pinned below: the cfn-lint wheel (CloudFormation resource provider schemas per region,
//! Lambda runtime lifecycle, GetAtt exceptions) and the aws-sam-translator wheel (policy templates,
//! managed policy names). aws-sam-translator ships its SAM schema only as pydantic models, so the
//! schema and the `Globals` table are rendered by running Python in a private virtualenv under
//! `.cache/gen-data/` with exactly pinned dependencies.
//!
//! Every JSON schema is normalised into the `ResourceType`/`Shape` graph of `samwise_data::cfn`; the
//! rules (which `oneOf` branches are unions, how `$ref` becomes a shared shape, ...) are in [`Converter`].

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use samwise_data::cfn::{
    Attribute, GlobalsSection, PolicyParameter, PolicyTemplate, Property, ResourceType, RuntimeInfo, Shape, ShapeId,
    ShapeKind,
};
use samwise_data::container::ContainerWriter;
use serde_json::{Map, Value, json};

const CFN_LINT: (&str, &str) = ("cfn-lint", "1.58.0");
const SAM_TRANSLATOR: (&str, &str) = ("aws-sam-translator", "1.115.0");

/// The complete dependency closure of aws-sam-translator, installed with `--no-deps` so that the
/// rendered SAM schema cannot change unless these pins do. pydantic renders the schema; the rest is
/// imported by `samtranslator.plugins.globals`.
const SAM_VENV_PINS: &[&str] = &[
    "pydantic==2.13.5",
    "pydantic-core==2.46.5",
    "annotated-types==0.8.0",
    "typing-extensions==4.16.0",
    "typing-inspection==0.4.5",
    "boto3==1.44.8",
    "botocore==1.44.8",
    "jmespath==1.1.0",
    "s3transfer==0.19.3",
    "python-dateutil==2.9.0.post0",
    "six==1.17.0",
    "urllib3==2.8.0",
    "jsonschema==4.26.0",
    "jsonschema-specifications==2025.9.1",
    "referencing==0.37.0",
    "rpds-py==2026.9.1",
    "attrs==26.1.0",
];

/// Run inside the SAM virtualenv. Reads cfn-lint's `_getatts.py` on stdin (its GetAtt exception
/// tables live in Python source, so they are read with `ast.literal_eval`, never executed) and prints
/// one JSON object: the SAM schema, the Globals table, and cfn-lint's GetAtt tables.
const SAM_SCRIPT: &str = r#"
import ast, json, sys
from samtranslator.internal.schema_source.schema import SamModel, get_schema
from samtranslator.plugins.globals.globals import Globals

getatts = {}
for node in ast.parse(sys.stdin.read()).body:
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        if node.targets[0].id in ("_all_property_types", "_exceptions", "_unnamed_unknown_types"):
            getatts[node.targets[0].id] = ast.literal_eval(node.value)

globals_table = {}
for resource_type, props in Globals.supported_properties.items():
    if resource_type in Globals.unreleased_resource_types:
        continue
    hidden = Globals.unreleased_properties.get(resource_type, [])
    section = resource_type.replace(Globals._RESOURCE_PREFIX, "")
    globals_table[section] = [p for p in props if p not in hidden]

json.dump({"sam_schema": get_schema(SamModel), "globals": globals_table, "getatts": getatts}, sys.stdout)
"#;

pub fn run(root: &Path) -> Result<(), String> {
    let started = Instant::now();
    let cache = root.join(".cache/gen-data");
    std::fs::create_dir_all(&cache).map_err(|e| format!("cannot create {}: {e}", cache.display()))?;
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());

    let cfn_lint_whl = download(&python, &cache, CFN_LINT)?;
    let sam_whl = download(&python, &cache, SAM_TRANSLATOR)?;
    let mut cfn_lint = Wheel::open(&cfn_lint_whl)?;
    let mut sam = Wheel::open(&sam_whl)?;

    let getatts_src = cfn_lint.text("cfnlint/schema/_getatts.py")?;
    let py = run_sam_python(&python, &cache, &sam_whl, &getatts_src)?;
    let getatts = GetAttRules::from_json(&py["getatts"])?;

    // Regions: one provider file per region mapping type name -> schema file hash.
    let provider_dir = "cfnlint/data/schemas/providers/";
    let mut regions: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    let mut sam_hashes = Map::new();
    for name in cfn_lint.names_under(provider_dir) {
        let Some(stem) = name[provider_dir.len()..].strip_suffix(".json") else {
            continue;
        };
        let table = as_object(cfn_lint.json(&name)?, &name)?;
        if stem == "sam" {
            sam_hashes = table;
        } else {
            regions.insert(stem.to_owned(), table);
        }
    }
    let region_names: Vec<String> = regions.keys().cloned().collect();
    if region_names.len() > 64 || !regions.contains_key("us-east-1") {
        return Err(format!("unexpected provider layout in cfn-lint: {} regions", region_names.len()));
    }

    // Each type's schema comes from us-east-1 when it exists there, otherwise from the first region
    // (alphabetically) that has it, so types missing from us-east-1 are still known.
    let mut schema_hash: BTreeMap<String, String> = BTreeMap::new();
    let mut masks: BTreeMap<String, u64> = BTreeMap::new();
    // Each type's required top-level properties, so completion can offer snippets for all ~1,900
    // types without decoding them.
    let mut required: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (i, (region, table)) in regions.iter().enumerate() {
        for (type_name, hash) in table {
            *masks.entry(type_name.clone()).or_default() |= 1 << i;
            let hash = hash.as_str().unwrap_or_default().to_owned();
            if region == "us-east-1" || !schema_hash.contains_key(type_name) {
                schema_hash.insert(type_name.clone(), hash);
            }
        }
    }
    let mut cfn_schemas: HashMap<String, Value> = HashMap::new();
    for (type_name, hash) in &schema_hash {
        let schema = cfn_lint.json(&format!("cfnlint/data/schemas/resources/{hash}.json"))?;
        cfn_schemas.insert(type_name.clone(), schema);
    }

    let mut out = ContainerWriter::new();
    let mut type_count = 0;
    for (type_name, schema) in sorted(&cfn_schemas) {
        let rt = convert_cfn_type(type_name, schema, &getatts);
        out.add(&format!("type/{type_name}"), &to_json(&rt));
        required.insert(type_name.clone(), top_level_required(&rt));
        type_count += 1;
    }

    // SAM types: shapes from aws-sam-translator's schema; GetAtt attributes from cfn-lint's SAM
    // schemas (the translator's schema has none); `Fn::GetAtt` on a SAM type is valid in every region.
    let sam_schema = &py["sam_schema"];
    let sam_docs = sam.json("samtranslator/internal/schema_source/sam-docs.json")?;
    let mut passthrough_misses = Vec::new();
    let mut sam_types = Vec::new();
    for (type_name, resource) in sam_resources(sam_schema)? {
        let lint_schema = match sam_hashes.get(&type_name).and_then(Value::as_str) {
            Some(hash) => Some(cfn_lint.json(&format!("cfnlint/data/schemas/resources/{hash}.json"))?),
            None => None,
        };
        let rt = convert_sam_type(
            &type_name,
            sam_schema,
            resource,
            lint_schema.as_ref(),
            &sam_docs,
            &cfn_schemas,
            &getatts,
            &mut passthrough_misses,
        );
        out.add(&format!("type/{type_name}"), &to_json(&rt));
        required.insert(type_name.clone(), top_level_required(&rt));
        masks.insert(type_name.clone(), u64::MAX >> (64 - region_names.len()));
        sam_types.push(type_name);
        type_count += 1;
    }
    for miss in &passthrough_misses {
        eprintln!("note: SAM pass-through {miss} not found in the CloudFormation schemas; left untyped");
    }

    out.add("table/required", &to_json(&required));
    out.add("table/regions", &to_json(&json!({ "regions": region_names, "masks": masks })));

    let policy_templates = policy_templates(&sam.json("samtranslator/policy_templates_data/policy_templates.json")?)?;
    out.add("table/policy_templates", &to_json(&policy_templates));

    let managed = sam.json("samtranslator/internal/data/aws_managed_policies.json")?;
    let managed =
        managed.get("aws").and_then(Value::as_object).ok_or("aws_managed_policies.json has no 'aws' partition")?;
    out.add("table/managed_policies", &to_json(managed));

    let runtimes = runtimes(
        &cfn_lint.json("cfnlint/data/AdditionalSpecs/LmbdRuntimeLifecycle.json")?,
        cfn_schemas.get("AWS::Lambda::Function"),
    )?;
    out.add("table/runtimes", &to_json(&runtimes));

    let globals: Vec<GlobalsSection> = as_object(py["globals"].clone(), "globals table")?
        .into_iter()
        .map(|(section, props)| GlobalsSection { section, properties: string_list(&props) })
        .collect();
    out.add("table/sam_globals", &to_json(&globals));

    let schema_date = cfn_lint
        .json("cfnlint/data/schemas/version.json")
        .ok()
        .and_then(|v| v.get("schema_date").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_default();
    out.meta("format", json!(samwise_data::cfn::FORMAT));
    out.meta("regions", json!(region_names));
    out.meta(
        "provenance",
        json!([
            [CFN_LINT.0, CFN_LINT.1],
            [SAM_TRANSLATOR.0, SAM_TRANSLATOR.1],
            ["cfn-lint schema date", schema_date],
            ["pydantic (renders the SAM schema)", pin_version("pydantic")],
        ]),
    );

    let bytes = out.finish();
    let assets = root.join("crates/data/assets");
    std::fs::create_dir_all(&assets).map_err(|e| format!("cannot create {}: {e}", assets.display()))?;
    let target = assets.join("cfn.bin");
    std::fs::write(&target, &bytes).map_err(|e| format!("cannot write {}: {e}", target.display()))?;
    write_notice(root, &mut cfn_lint, &mut sam)?;

    println!(
        "wrote {} ({} bytes): {} types ({} SAM), {} regions, {} policy templates, {} managed policies, \
         {} runtimes, {} Globals sections in {:.1}s",
        target.display(),
        bytes.len(),
        type_count,
        sam_types.len(),
        region_names.len(),
        policy_templates.len(),
        managed.len(),
        runtimes.len(),
        globals.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn pin_version(package: &str) -> &'static str {
    SAM_VENV_PINS.iter().find_map(|pin| pin.strip_prefix(package)?.strip_prefix("==")).unwrap_or("")
}

/// A JSON object's entries in key order. serde_json's map is sorted unless a crate in the same build
/// enables its `preserve_order` feature (samwise-boto does), so the output must not depend on it.
fn by_key(map: &serde_json::Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut items: Vec<_> = map.iter().collect();
    items.sort_by(|a, b| a.0.cmp(b.0));
    items
}

fn sorted<V>(map: &HashMap<String, V>) -> Vec<(&String, &V)> {
    let mut items: Vec<_> = map.iter().collect();
    items.sort_by(|a, b| a.0.cmp(b.0));
    items
}

fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("generated data serialises")
}

fn as_object(value: Value, what: &str) -> Result<Map<String, Value>, String> {
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(format!("{what}: expected a JSON object")),
    }
}

fn string_list(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
        Value::String(s) => vec![s.clone()],
        _ => Vec::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Inputs: wheels and the SAM virtualenv
// ---------------------------------------------------------------------------------------------

/// Downloads `package==version` into the cache unless the wheel is already there.
fn download(python: &str, cache: &Path, (package, version): (&str, &str)) -> Result<PathBuf, String> {
    let prefix = format!("{}-{version}-", package.replace('-', "_"));
    let find = || -> Option<PathBuf> {
        std::fs::read_dir(cache).ok()?.flatten().map(|e| e.path()).find(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".whl"))
        })
    };
    if let Some(found) = find() {
        return Ok(found);
    }
    let status = Command::new(python)
        .args(["-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:", "-d"])
        .arg(cache)
        .arg(format!("{package}=={version}"))
        .status()
        .map_err(|e| format!("cannot run {python} -m pip: {e} (is Python 3 with pip installed?)"))?;
    if !status.success() {
        return Err(format!("pip download {package}=={version} failed ({status})"));
    }
    find().ok_or_else(|| format!("pip reported success but no {prefix}*.whl is in {}", cache.display()))
}

/// Creates (once) a virtualenv with aws-sam-translator and its pinned dependencies, then runs
/// [`SAM_SCRIPT`] in it.
fn run_sam_python(python: &str, cache: &Path, sam_whl: &Path, getatts_src: &str) -> Result<Value, String> {
    let venv = cache.join(format!("sam-venv-{}", SAM_TRANSLATOR.1));
    let venv_python = venv.join("bin/python");
    let marker = venv.join(".samwise-pins");
    let wanted = SAM_VENV_PINS.join("\n");
    if std::fs::read_to_string(&marker).ok().as_deref() != Some(wanted.as_str()) {
        if venv.exists() {
            std::fs::remove_dir_all(&venv).map_err(|e| format!("cannot remove {}: {e}", venv.display()))?;
        }
        run_checked(Command::new(python).args(["-m", "venv"]).arg(&venv), "python -m venv")?;
        run_checked(
            Command::new(&venv_python)
                .args(["-m", "pip", "install", "--quiet", "--no-deps", "--only-binary", ":all:"])
                .arg(sam_whl)
                .args(SAM_VENV_PINS),
            "pip install into the SAM virtualenv",
        )?;
        std::fs::write(&marker, &wanted).map_err(|e| format!("cannot write {}: {e}", marker.display()))?;
    }
    let mut child = Command::new(&venv_python)
        .args(["-c", SAM_SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", venv_python.display()))?;
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin is piped");
        stdin.write_all(getatts_src.as_bytes()).map_err(|e| format!("cannot feed the SAM script: {e}"))?;
    }
    let output = child.wait_with_output().map_err(|e| format!("SAM script did not finish: {e}"))?;
    if !output.status.success() {
        return Err(format!("the SAM schema script failed ({})", output.status));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| format!("SAM script printed bad JSON: {e}"))
}

fn run_checked(cmd: &mut Command, what: &str) -> Result<(), String> {
    let status = cmd.status().map_err(|e| format!("{what}: cannot start: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("{what} failed ({status})")) }
}

struct Wheel {
    path: PathBuf,
    zip: zip::ZipArchive<std::fs::File>,
}

impl Wheel {
    fn open(path: &Path) -> Result<Wheel, String> {
        let file = std::fs::File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        let zip = zip::ZipArchive::new(file).map_err(|e| format!("{} is not a wheel: {e}", path.display()))?;
        Ok(Wheel { path: path.to_owned(), zip })
    }

    fn names_under(&self, dir: &str) -> Vec<String> {
        let mut names: Vec<String> = self
            .zip
            .file_names()
            .filter(|n| n.starts_with(dir) && !n[dir.len()..].contains('/'))
            .map(str::to_owned)
            .collect();
        names.sort();
        names
    }

    fn find(&self, suffix: &str) -> Option<String> {
        self.zip.file_names().find(|n| n.ends_with(suffix)).map(str::to_owned)
    }

    fn text(&mut self, name: &str) -> Result<String, String> {
        let mut entry = self.zip.by_name(name).map_err(|e| format!("{} has no {name}: {e}", self.path.display()))?;
        let mut text = String::new();
        entry.read_to_string(&mut text).map_err(|e| format!("cannot read {name} from {}: {e}", self.path.display()))?;
        Ok(text)
    }

    fn json(&mut self, name: &str) -> Result<Value, String> {
        let text = self.text(name)?;
        serde_json::from_str(&text).map_err(|e| format!("{name} in {}: {e}", self.path.display()))
    }
}

/// The unconditionally required top-level property names of a converted type.
fn top_level_required(rt: &ResourceType) -> Vec<String> {
    match rt.shapes.get(rt.properties as usize).map(|s| &s.kind) {
        Some(ShapeKind::Object { required, .. }) => required.clone(),
        _ => Vec::new(),
    }
}

fn write_notice(root: &Path, cfn_lint: &mut Wheel, sam: &mut Wheel) -> Result<(), String> {
    let mut notice = String::from(
        "samwise embeds data generated from the following packages (see crates/data/NOTES.md).\n\
         This file is written by `cargo xtask gen-data-cfn`; do not edit it by hand.\n",
    );
    for ((package, version), wheel) in [(CFN_LINT, cfn_lint), (SAM_TRANSLATOR, sam)] {
        notice.push_str(&format!("\n{}\n{package} {version}\n{}\n", "=".repeat(78), "=".repeat(78)));
        for file in ["licenses/NOTICE", "licenses/LICENSE"] {
            let name =
                wheel.find(&format!(".dist-info/{file}")).ok_or_else(|| format!("{package} wheel has no {file}"))?;
            notice.push_str(&format!("\n--- {file} ---\n\n"));
            notice.push_str(wheel.text(&name)?.trim_end());
            notice.push('\n');
        }
    }
    let path = root.join("crates/data/NOTICE");
    // Keep the section `gen-data-botocore` appends (from its marker on), so either generator can
    // run alone without dropping the other's licence notices.
    let existing = std::fs::read_to_string(&path).unwrap_or_default();
    if let Some(at) = existing.find(crate::gen_botocore::NOTICE_MARKER) {
        notice.push('\n');
        notice.push_str(&existing[at..]);
    }
    std::fs::write(&path, notice).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

// ---------------------------------------------------------------------------------------------
// Tables
// ---------------------------------------------------------------------------------------------

fn policy_templates(doc: &Value) -> Result<Vec<PolicyTemplate>, String> {
    let templates = doc.get("Templates").and_then(Value::as_object).ok_or("policy_templates.json has no Templates")?;
    Ok(templates
        .iter()
        .map(|(name, t)| PolicyTemplate {
            name: name.clone(),
            description: str_of(t, "Description"),
            parameters: t
                .get("Parameters")
                .and_then(Value::as_object)
                .map(|params| {
                    params
                        .iter()
                        .map(|(name, p)| PolicyParameter { name: name.clone(), description: str_of(p, "Description") })
                        .collect()
                })
                .unwrap_or_default(),
            statements_json: t
                .pointer("/Definition/Statement")
                .map(|s| s.to_string())
                .unwrap_or_else(|| "[]".to_owned()),
        })
        .collect())
}

/// Lambda runtimes: every runtime cfn-lint's lifecycle table knows, plus any other value the
/// `AWS::Lambda::Function` `Runtime` enum allows (those have no announced lifecycle dates).
fn runtimes(lifecycle: &Value, lambda: Option<&Value>) -> Result<Vec<RuntimeInfo>, String> {
    let lifecycle = lifecycle.as_object().ok_or("LmbdRuntimeLifecycle.json is not an object")?;
    let date = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
    let mut out: BTreeMap<String, RuntimeInfo> = lifecycle
        .iter()
        .map(|(name, v)| {
            let info = RuntimeInfo {
                name: name.clone(),
                deprecated: date(v, "deprecated"),
                create_blocked: date(v, "create-block"),
                update_blocked: date(v, "update-block"),
                successor: date(v, "successor"),
            };
            (name.clone(), info)
        })
        .collect();
    let runtime_enum = lambda.and_then(|s| s.pointer("/properties/Runtime/enum")).map(string_list).unwrap_or_default();
    for name in runtime_enum {
        out.entry(name.clone()).or_insert(RuntimeInfo {
            name,
            deprecated: None,
            create_blocked: None,
            update_blocked: None,
            successor: None,
        });
    }
    Ok(out.into_values().collect())
}

// ---------------------------------------------------------------------------------------------
// GetAtt attributes, following cfn-lint's `cfnlint/schema/_getatts.py`
// ---------------------------------------------------------------------------------------------

struct GetAttRules {
    /// Types whose every (scalar or scalar-list) property, at any depth, is a GetAtt attribute.
    all_property_types: BTreeSet<String>,
    /// Extra attributes for non-registry types whose readOnlyProperties are incomplete.
    exceptions: BTreeMap<String, Vec<String>>,
    /// Type name prefixes (custom resources) that accept any attribute.
    unnamed_prefixes: Vec<String>,
}

impl GetAttRules {
    fn from_json(v: &Value) -> Result<GetAttRules, String> {
        let rules = GetAttRules {
            all_property_types: string_list(&v["_all_property_types"]).into_iter().collect(),
            exceptions: v["_exceptions"]
                .as_object()
                .map(|m| m.iter().map(|(k, v)| (k.clone(), string_list(v))).collect())
                .unwrap_or_default(),
            unnamed_prefixes: string_list(&v["_unnamed_unknown_types"]),
        };
        if rules.all_property_types.is_empty() || rules.exceptions.is_empty() {
            return Err("cfn-lint's _getatts.py no longer has _all_property_types / _exceptions; \
                        check how this cfn-lint version computes GetAtt attributes"
                .into());
        }
        Ok(rules)
    }

    fn attributes(&self, type_name: &str, schema: &Value) -> Vec<Attribute> {
        let mut attrs: BTreeMap<String, Attribute> = BTreeMap::new();
        let add_pointer = |attrs: &mut BTreeMap<String, Attribute>, pointer: &str| {
            let name = pointer_to_attr(pointer);
            if name.is_empty() {
                return;
            }
            let node = resolve_property_pointer(schema, pointer);
            attrs.insert(
                name.clone(),
                Attribute {
                    name,
                    type_name: node.map(|n| attr_type(schema, n)).unwrap_or_default(),
                    doc: node.map(|n| doc_of(schema, n)).unwrap_or_default(),
                },
            );
        };
        let wildcard =
            |name: &str| Attribute { name: name.to_owned(), type_name: "String".to_owned(), doc: String::new() };
        if self.all_property_types.contains(type_name) {
            let mut pointers = Vec::new();
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (name, value) in by_key(props) {
                    all_property_pointers(schema, value, format!("/properties/{name}"), &mut pointers, 0);
                }
            }
            for p in pointers {
                add_pointer(&mut attrs, &p);
            }
            return attrs.into_values().collect();
        }
        for name in self.exceptions.get(type_name).into_iter().flatten() {
            add_pointer(&mut attrs, &format!("/properties/{name}"));
        }
        if matches!(type_name, "AWS::CloudFormation::Stack" | "AWS::Serverless::Application") {
            attrs.insert("Outputs.*".into(), wildcard("Outputs.*"));
            return attrs.into_values().collect();
        }
        for ro in string_list(schema.get("readOnlyProperties").unwrap_or(&Value::Null)) {
            if type_name == "AWS::ServiceCatalog::CloudFormationProvisionedProduct" && ro == "/properties/Outputs" {
                attrs.insert("Outputs.*".into(), wildcard("Outputs.*"));
            } else {
                add_pointer(&mut attrs, &ro);
            }
        }
        if self.unnamed_prefixes.iter().any(|p| type_name.starts_with(p.as_str())) {
            attrs.insert("*".into(), wildcard("*"));
        }
        attrs.into_values().collect()
    }
}

/// `/properties/Endpoint/Address` -> `Endpoint.Address`.
fn pointer_to_attr(pointer: &str) -> String {
    pointer.split('/').skip(2).collect::<Vec<_>>().join(".")
}

/// cfn-lint's `_process_schema`: objects are walked into, arrays of scalars and scalars are attributes.
fn all_property_pointers(schema: &Value, node: &Value, path: String, out: &mut Vec<String>, depth: usize) {
    if depth > 16 {
        return;
    }
    let types = string_list(node.get("type").unwrap_or(&Value::Null));
    if types.iter().any(|t| t == "object") {
        if let Some(props) = node.get("properties").and_then(Value::as_object) {
            for (name, value) in by_key(props) {
                all_property_pointers(schema, value, format!("{path}/{name}"), out, depth + 1);
            }
        }
    } else if types.iter().any(|t| t == "array") {
        let item_type = node.pointer("/items/type").and_then(Value::as_str);
        if !matches!(item_type, Some("object" | "array")) {
            out.push(path);
        }
    } else if let Some(target) = node.get("$ref").and_then(Value::as_str).and_then(|r| resolve_ref(schema, r)) {
        all_property_pointers(schema, target, path, out, depth + 1);
    } else {
        out.push(path);
    }
}

/// Follows a `/properties/A/B` pointer through nested properties, `$ref`s and (for `*`) array items.
fn resolve_property_pointer<'a>(schema: &'a Value, pointer: &str) -> Option<&'a Value> {
    let mut parts = pointer.split('/').skip(1);
    if parts.next() != Some("properties") {
        return None;
    }
    let mut node = schema;
    for part in parts {
        node = deref(schema, node);
        node = if part == "*" { node.get("items")? } else { node.get("properties")?.get(part)? };
    }
    Some(deref(schema, node))
}

fn deref<'a>(schema: &'a Value, mut node: &'a Value) -> &'a Value {
    for _ in 0..8 {
        match node.get("$ref").and_then(Value::as_str).and_then(|r| resolve_ref(schema, r)) {
            Some(target) => node = target,
            None => break,
        }
    }
    node
}

fn attr_type(schema: &Value, node: &Value) -> String {
    let types = string_list(node.get("type").unwrap_or(&Value::Null));
    let name = match types.first().map(String::as_str) {
        Some("string") => "String",
        Some("integer") => "Integer",
        Some("number") => "Number",
        Some("boolean") => "Boolean",
        Some("array") => "List",
        Some("object") => "Json",
        _ if node.get("$ref").is_some() => return attr_type(schema, deref(schema, node)),
        _ => "",
    };
    name.to_owned()
}

// ---------------------------------------------------------------------------------------------
// Resource types
// ---------------------------------------------------------------------------------------------

fn convert_cfn_type(type_name: &str, schema: &Value, getatts: &GetAttRules) -> ResourceType {
    let docs = Documents { roots: vec![schema], sam_passthrough: None };
    let mut conv = Converter::new(&docs);
    let properties = conv.shape(schema, 0);
    let top = |key: &str| -> Vec<String> {
        let mut names: Vec<String> = string_list(schema.get(key).unwrap_or(&Value::Null))
            .iter()
            .filter_map(|p| {
                let rest = p.strip_prefix("/properties/")?;
                (!rest.contains('/')).then(|| rest.to_owned())
            })
            .collect();
        names.sort();
        names.dedup();
        names
    };
    ResourceType {
        name: type_name.to_owned(),
        description: first_paragraph(str_of(schema, "description").as_str()),
        doc_url: schema.get("documentationUrl").and_then(Value::as_str).map(str::to_owned),
        properties,
        shapes: conv.shapes,
        attributes: getatts.attributes(type_name, schema),
        create_only: top("createOnlyProperties"),
        read_only: top("readOnlyProperties"),
        deprecated: top("deprecatedProperties"),
    }
}

/// The SAM resource definitions in the translator's schema: `Resources` values that fix `Type` to
/// one `AWS::Serverless::*` name.
fn sam_resources(sam_schema: &Value) -> Result<Vec<(String, &Value)>, String> {
    let branches = sam_schema
        .pointer("/properties/Resources/additionalProperties/anyOf")
        .and_then(Value::as_array)
        .ok_or("SAM schema: no Resources union")?;
    let mut out = Vec::new();
    for branch in branches {
        let Some(def) = branch.get("$ref").and_then(Value::as_str).and_then(|r| resolve_ref(sam_schema, r)) else {
            continue;
        };
        let type_enum = string_list(def.pointer("/properties/Type/enum").unwrap_or(&Value::Null));
        if let [name] = type_enum.as_slice()
            && name.starts_with("AWS::Serverless::")
        {
            out.push((name.clone(), def));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    if out.len() < 9 {
        return Err(format!("SAM schema: only {} AWS::Serverless types found", out.len()));
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn convert_sam_type(
    type_name: &str,
    sam_schema: &Value,
    resource: &Value,
    lint_schema: Option<&Value>,
    sam_docs: &Value,
    cfn_schemas: &HashMap<String, Value>,
    getatts: &GetAttRules,
    misses: &mut Vec<String>,
) -> ResourceType {
    let empty = json!({});
    let docs = Documents { roots: vec![sam_schema, lint_schema.unwrap_or(&empty)], sam_passthrough: Some(cfn_schemas) };
    let mut conv = Converter::new(&docs);
    let properties = match resource.pointer("/properties/Properties") {
        Some(node) => conv.shape(node, 0),
        None => conv.push(Shape {
            kind: ShapeKind::Object { properties: Vec::new(), required: Vec::new(), additional: false },
            ..Shape::default()
        }),
    };
    type_untyped_passthroughs(&mut conv, properties, lint_schema);
    misses.extend(conv.passthrough_misses.iter().map(|m| format!("{type_name}: {m}")));
    let short = type_name.trim_start_matches("AWS::Serverless::").to_lowercase();
    let page = format!("sam-resource-{short}");
    let doc_url = sam_docs
        .pointer(&format!("/properties/{page}"))
        .map(|_| format!("https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/{page}.html"));
    let (attributes, read_only) = match lint_schema {
        Some(schema) => {
            let ro = string_list(schema.get("readOnlyProperties").unwrap_or(&Value::Null))
                .iter()
                .filter_map(|p| p.strip_prefix("/properties/").filter(|r| !r.contains('/')).map(str::to_owned))
                .collect();
            (getatts.attributes(type_name, schema), ro)
        }
        None => (getatts.attributes(type_name, &json!({})), Vec::new()),
    };
    ResourceType {
        name: type_name.to_owned(),
        description: format!(
            "The AWS SAM resource `{type_name}`, expanded into CloudFormation resources by the \
             `AWS::Serverless-2016-10-31` transform."
        ),
        doc_url,
        properties,
        shapes: conv.shapes,
        attributes,
        create_only: Vec::new(),
        read_only,
        deprecated: Vec::new(),
    }
}

/// Many SAM properties are plain pass-throughs without a `schemaPath` (`MemorySize`, `Timeout`,
/// `VpcConfig`, ...), so the translator's schema leaves them untyped. cfn-lint's SAM schema (document
/// 1) types them like the CloudFormation property they become; use that shape, keeping SAM's docs.
fn type_untyped_passthroughs(conv: &mut Converter<'_>, properties: ShapeId, lint_schema: Option<&Value>) {
    let Some(lint_props) = lint_schema.and_then(|s| s.get("properties")) else {
        return;
    };
    let ShapeKind::Object { properties: props, .. } = &conv.shapes[properties as usize].kind else {
        return;
    };
    let untyped: Vec<(usize, String)> = props
        .iter()
        .enumerate()
        .filter(|(_, p)| matches!(conv.shapes[p.shape as usize].kind, ShapeKind::Any))
        .map(|(i, p)| (i, p.name.clone()))
        .collect();
    for (i, name) in untyped {
        let Some(node) = lint_props.get(&name) else { continue };
        let typed = conv.shape(node, 1);
        if matches!(conv.shapes[typed as usize].kind, ShapeKind::Any) {
            continue;
        }
        if let ShapeKind::Object { properties: props, .. } = &mut conv.shapes[properties as usize].kind {
            props[i].shape = typed;
        }
    }
}

/// The JSON documents a converter may resolve `$ref`s in. Document 0 is the schema being
/// converted; SAM pass-through properties add the CloudFormation schemas they point into.
struct Documents<'a> {
    roots: Vec<&'a Value>,
    sam_passthrough: Option<&'a HashMap<String, Value>>,
}

/// Turns one JSON schema document into a shape table.
///
/// Rules (they mirror how cfn-lint reads the same schemas):
/// - a `$ref` becomes one shared shape per target, so recursive definitions are just cycles;
/// - `allOf` branches are merged into their parent;
/// - `type: [a, b]` and `oneOf`/`anyOf` whose branches state a type (or `$ref`) become `OneOf`;
///   branches that only restate `required` (or constrain properties of the parent object) are
///   conditions, not alternatives, and are ignored, as are `dependencies` and `if`/`then`: we
///   must never report a property missing that is only conditionally required;
/// - `patternProperties` or a schema in `additionalProperties` without `properties` is a `Map`.
struct Converter<'a> {
    docs: &'a Documents<'a>,
    shapes: Vec<Shape>,
    /// (document, `$ref` target) -> shape; filled before the target is converted so cycles close.
    by_ref: HashMap<(usize, String), ShapeId>,
    /// CloudFormation schemas reached through SAM pass-through properties; document ids follow
    /// those of `docs.roots`.
    passthrough_docs: Vec<&'a Value>,
    passthrough_misses: Vec<String>,
}

/// Bounds recursion through inline (non-`$ref`) nesting; real schemas stay far below it.
const MAX_DEPTH: usize = 64;

impl<'a> Converter<'a> {
    fn new(docs: &'a Documents<'a>) -> Converter<'a> {
        Converter {
            docs,
            shapes: Vec::new(),
            by_ref: HashMap::new(),
            passthrough_docs: Vec::new(),
            passthrough_misses: Vec::new(),
        }
    }

    fn root(&self, doc: usize) -> &'a Value {
        match self.docs.roots.get(doc) {
            Some(root) => root,
            None => self.passthrough_docs[doc - self.docs.roots.len()],
        }
    }

    fn push(&mut self, shape: Shape) -> ShapeId {
        self.shapes.push(shape);
        (self.shapes.len() - 1) as ShapeId
    }

    /// The shape of `node`, a schema inside document `doc`.
    fn shape(&mut self, node: &Value, doc: usize) -> ShapeId {
        self.shape_at(node, doc, 0)
    }

    fn shape_at(&mut self, node: &Value, doc: usize, depth: usize) -> ShapeId {
        if depth > MAX_DEPTH {
            return self.push(Shape::default());
        }
        if let Some((target, target_doc)) = self.passthrough(node) {
            return self.shape_at(target, target_doc, depth + 1);
        }
        if let Some(r) = lone_ref(node) {
            return self.shape_of_ref(r, doc, depth);
        }
        let id = self.push(Shape::default());
        let shape = self.build(node, doc, depth);
        self.shapes[id as usize] = shape;
        id
    }

    fn shape_of_ref(&mut self, r: &str, doc: usize, depth: usize) -> ShapeId {
        // Definitions that only alias another one share the final target's shape.
        let root = self.root(doc);
        let mut r = r.to_owned();
        for _ in 0..8 {
            match resolve_ref(root, &r).and_then(|t| lone_ref(t).filter(|_| t.get("__samPassThrough").is_none())) {
                Some(next) => r = next.to_owned(),
                None => break,
            }
        }
        let key = (doc, r.clone());
        if let Some(&id) = self.by_ref.get(&key) {
            return id;
        }
        let Some(target) = resolve_ref(root, &r) else {
            let id = self.push(Shape::default());
            self.by_ref.insert(key, id);
            return id;
        };
        if let Some((pt, pt_doc)) = self.passthrough(target) {
            // Pass-throughs lead into another document, so they cannot close a cycle here.
            let id = self.shape_at(pt, pt_doc, depth + 1);
            self.by_ref.insert(key, id);
            return id;
        }
        let id = self.push(Shape::default());
        self.by_ref.insert(key, id);
        let shape = self.build(target, doc, depth + 1);
        self.shapes[id as usize] = shape;
        id
    }

    /// Resolves a SAM `__samPassThrough` (a property passed unchanged to a CloudFormation resource)
    /// to the CloudFormation schema node it names.
    fn passthrough(&mut self, node: &Value) -> Option<(&'a Value, usize)> {
        let pt = node.get("__samPassThrough")?;
        let cfn = self.docs.sam_passthrough?;
        let path = string_list(pt.get("schemaPath").unwrap_or(&Value::Null));
        let found = (|| {
            let [first, def, rest @ ..] = path.as_slice() else {
                return None;
            };
            if first != "definitions" {
                return None;
            }
            let (type_name, sub) = match def.split_once('.') {
                Some((t, s)) => (t, Some(s)),
                None => (def.as_str(), None),
            };
            let root = cfn.get(type_name)?;
            let mut n = match sub {
                Some(sub) => root.get("definitions")?.get(sub)?,
                None => root,
            };
            let mut rest = rest;
            // The translator addresses the old CloudFormation spec schema, where a resource's
            // properties sit under `properties/Properties`; provider schemas have them at the top.
            if sub.is_none()
                && let [p, pp, tail @ ..] = rest
                && p == "properties"
                && pp == "Properties"
            {
                rest = tail;
            }
            for part in rest {
                n = n.get(part.as_str())?;
            }
            Some((root, n))
        })();
        match found {
            Some((root, n)) => {
                let known = self.passthrough_docs.iter().position(|d| std::ptr::eq(*d, root));
                let index = known.unwrap_or_else(|| {
                    self.passthrough_docs.push(root);
                    self.passthrough_docs.len() - 1
                });
                Some((n, self.docs.roots.len() + index))
            }
            None => {
                self.passthrough_misses.push(path.join("/"));
                None
            }
        }
    }

    fn build(&mut self, node: &Value, doc: usize, depth: usize) -> Shape {
        if node.get("allOf").is_some() {
            let merged = self.merge_all_of(node, doc, 0);
            return self.build_plain(&merged, doc, depth);
        }
        self.build_plain(node, doc, depth)
    }

    fn build_plain(&mut self, node: &Value, doc: usize, depth: usize) -> Shape {
        let mut shape = Shape { doc: doc_text(node), ..Shape::default() };
        let types = string_list(node.get("type").unwrap_or(&Value::Null));
        if types.len() > 1 {
            let mut branches = Vec::new();
            for t in &types {
                let mut single = node.clone();
                single["type"] = Value::String(t.clone());
                let id = self.push(Shape::default());
                let s = self.build_plain(&single, doc, depth + 1);
                self.shapes[id as usize] = s;
                branches.push(id);
            }
            shape.kind = ShapeKind::OneOf(branches);
            return shape;
        }
        let has_props = node.get("properties").is_some();
        let branches = typed_branches(node);
        if !has_props && let Some(mut alternatives) = self.alternatives(node, types.first().map(String::as_str), doc) {
            if alternatives.len() == 1
                && let Some(Alternative::Merged(only)) = alternatives.pop()
            {
                let mut one = self.build(&only, doc, depth + 1);
                if one.doc.is_empty() {
                    one.doc = shape.doc;
                }
                return one;
            }
            let ids = alternatives
                .into_iter()
                .map(|alt| match alt {
                    Alternative::Shared(branch) => self.shape_at(branch, doc, depth + 1),
                    Alternative::Merged(merged) => {
                        let id = self.push(Shape::default());
                        let built = self.build(&merged, doc, depth + 1);
                        self.shapes[id as usize] = built;
                        id
                    }
                })
                .collect();
            shape.kind = ShapeKind::OneOf(ids);
            return shape;
        }
        let ty = types.first().map(String::as_str).or_else(|| {
            if has_props
                || node.get("patternProperties").is_some()
                || node.get("additionalProperties").is_some_and(Value::is_object)
            {
                Some("object")
            } else if node.get("items").is_some() {
                Some("array")
            } else if node.get("enum").is_some() || node.get("const").is_some() || node.get("pattern").is_some() {
                Some("string")
            } else {
                None
            }
        });
        copy_constraints(node, &mut shape);
        shape.kind = match ty {
            Some("string") => ShapeKind::String,
            Some("integer") => ShapeKind::Integer,
            Some("number") => ShapeKind::Number,
            Some("boolean") => ShapeKind::Boolean,
            Some("array") => {
                let item = match node.get("items") {
                    Some(items) if items.is_object() => self.shape_at(items, doc, depth + 1),
                    _ => self.push(Shape::default()),
                };
                ShapeKind::List { item }
            }
            Some("object") => self.object_kind(node, doc, depth, &branches),
            _ => ShapeKind::Any,
        };
        shape
    }

    /// The alternatives a `oneOf`/`anyOf` offers, or `None` when the keywords do not make the value a
    /// union. Under an untyped parent, branches that state a type (or `$ref`) are alternatives and
    /// keep their shared shapes; under an object type, only such typed branches count (the others
    /// are `required` conditions). Under a scalar or array type every branch refines the parent
    /// (`type: string` with `anyOf: [{enum}, {pattern}]`, as cfn-lint writes case-insensitive
    /// enums), so each is merged with it; a branch that constrains nothing we model makes the
    /// union as wide as the parent, which is then returned alone.
    fn alternatives<'n>(&self, node: &'n Value, ty: Option<&str>, doc: usize) -> Option<Vec<Alternative<'n>>> {
        let all: Vec<&'n Value> =
            ["oneOf", "anyOf"].iter().filter_map(|k| node.get(*k).and_then(Value::as_array)).flatten().collect();
        if all.is_empty() {
            return None;
        }
        let mut parent = node.clone();
        if let Some(obj) = parent.as_object_mut() {
            for key in ["oneOf", "anyOf", "description", "markdownDescription", "title"] {
                obj.remove(key);
            }
        }
        let merged = |branch: &Value| {
            let mut merged = deref(self.root(doc), branch).clone();
            if let Some(obj) = merged.as_object_mut() {
                // Both may list `required`; the parent's unconditional list is what survives.
                obj.remove("required");
                merge_into(obj, &parent);
            }
            Alternative::Merged(merged)
        };
        let alternatives: Vec<Alternative<'n>> = match ty {
            None => typed_branches(node).into_iter().map(Alternative::Shared).collect(),
            Some("object") => typed_branches(node).into_iter().map(merged).collect(),
            Some(ty) => {
                let mut out = Vec::new();
                for branch in all {
                    let resolved = deref(self.root(doc), branch);
                    if let Some(t) = resolved.get("type")
                        && !string_list(t).iter().any(|t| t == ty)
                    {
                        // The alternative for another member of a `type` array.
                        continue;
                    }
                    if !CONSTRAINING.iter().any(|k| resolved.get(*k).is_some()) {
                        return None;
                    }
                    out.push(merged(branch));
                }
                out
            }
        };
        (!alternatives.is_empty()).then_some(alternatives)
    }

    fn object_kind(&mut self, node: &Value, doc: usize, depth: usize, branches: &[&Value]) -> ShapeKind {
        let pattern_values: Vec<&Value> =
            node.get("patternProperties").and_then(Value::as_object).map(|m| m.values().collect()).unwrap_or_default();
        let additional = node.get("additionalProperties");
        let Some(props) = node.get("properties").and_then(Value::as_object) else {
            if !pattern_values.is_empty() {
                let value = if let [only] = pattern_values.as_slice() {
                    self.shape_at(only, doc, depth + 1)
                } else {
                    let ids = pattern_values.iter().map(|v| self.shape_at(v, doc, depth + 1)).collect();
                    self.push(Shape { kind: ShapeKind::OneOf(ids), ..Shape::default() })
                };
                return ShapeKind::Map { value };
            }
            if let Some(schema) = additional.filter(|a| a.is_object()) {
                return ShapeKind::Map { value: self.shape_at(schema, doc, depth + 1) };
            }
            if additional == Some(&Value::Bool(false)) {
                return ShapeKind::Object {
                    properties: Vec::new(),
                    required: string_list(node.get("required").unwrap_or(&Value::Null)),
                    additional: false,
                };
            }
            return ShapeKind::Json;
        };
        let mut properties = Vec::new();
        let mut seen = BTreeSet::new();
        for (name, value) in by_key(props) {
            seen.insert(name.clone());
            properties.push(self.property(name, value, doc, depth));
        }
        // Properties named only inside typed oneOf/anyOf branches of an object are still valid keys;
        // they are added (never as required) so no valid key is reported as unknown.
        for branch in branches {
            let branch = deref(self.root(doc), branch);
            if let Some(extra) = branch.get("properties").and_then(Value::as_object) {
                for (name, value) in extra {
                    if seen.insert(name.clone()) {
                        properties.push(self.property(name, value, doc, depth));
                    }
                }
            }
        }
        ShapeKind::Object {
            properties,
            required: string_list(node.get("required").unwrap_or(&Value::Null)),
            additional: additional != Some(&Value::Bool(false)) || !pattern_values.is_empty(),
        }
    }

    fn property(&mut self, name: &str, value: &Value, doc: usize, depth: usize) -> Property {
        let mut text = doc_text(value);
        if text.is_empty()
            && let Some(pt) = value.get("__samPassThrough")
        {
            text = first_paragraph(&str_of(pt, "markdownDescriptionOverride"));
        }
        let shape = self.shape_at(value, doc, depth + 1);
        let shape_doc = &mut self.shapes[shape as usize].doc;
        if text.is_empty() {
            text = shape_doc.clone();
        } else if lone_ref(value).is_none() && *shape_doc == text {
            // An inline shape documented by its property: keep the text once, on the property.
            shape_doc.clear();
        }
        Property { name: name.to_owned(), shape, doc: text }
    }

    /// Merges `allOf` branches (following `$ref`s) into one schema node.
    fn merge_all_of(&self, node: &Value, doc: usize, depth: usize) -> Value {
        let mut out = node.clone();
        let Some(obj) = out.as_object_mut() else {
            return out;
        };
        let branches = obj.remove("allOf");
        if depth > 8 {
            return out;
        }
        for branch in branches.as_ref().and_then(Value::as_array).into_iter().flatten() {
            let resolved = deref(self.root(doc), branch);
            let resolved = if resolved.get("allOf").is_some() {
                self.merge_all_of(resolved, doc, depth + 1)
            } else {
                resolved.clone()
            };
            merge_into(obj, &resolved);
        }
        out
    }
}

/// The reference a node stands for: its `$ref`, or, on a node that adds no type of its own, an
/// `allOf` holding a single `$ref` (pydantic's way of attaching a description to a reference).
fn lone_ref(node: &Value) -> Option<&str> {
    if let Some(r) = node.get("$ref").and_then(Value::as_str) {
        return Some(r);
    }
    if node.get("type").is_some() || node.get("properties").is_some() {
        return None;
    }
    if let Some(all_of) = node.get("allOf").and_then(Value::as_array) {
        if let [only] = all_of.as_slice() {
            return only.get("$ref").and_then(Value::as_str);
        }
        return None;
    }
    // A union with a single typed alternative that is a reference (the other branches being
    // `required` conditions) is that reference.
    if let [only] = typed_branches(node).as_slice()
        && only.as_object().is_some_and(|o| o.len() == 1)
    {
        return only.get("$ref").and_then(Value::as_str);
    }
    None
}

fn merge_into(target: &mut Map<String, Value>, from: &Value) {
    let Some(from) = from.as_object() else { return };
    for (key, value) in from {
        match (key.as_str(), target.get_mut(key)) {
            ("properties", Some(Value::Object(existing))) => {
                if let Some(more) = value.as_object() {
                    for (k, v) in more {
                        existing.entry(k.clone()).or_insert_with(|| v.clone());
                    }
                }
            }
            ("required", Some(Value::Array(existing))) => {
                for v in value.as_array().into_iter().flatten() {
                    if !existing.contains(v) {
                        existing.push(v.clone());
                    }
                }
            }
            (_, Some(_)) => {}
            (_, None) => {
                target.insert(key.clone(), value.clone());
            }
        }
    }
}

/// Keywords that narrow a scalar or array value in a way the shape graph records.
const CONSTRAINING: &[&str] = &[
    "$ref",
    "enum",
    "const",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "items",
    "minItems",
    "maxItems",
    "allOf",
    "oneOf",
    "anyOf",
];

/// One alternative of a union: a branch converted as it is (keeping a shared `$ref` shape), or a
/// branch merged with the parent it refines.
enum Alternative<'n> {
    Shared(&'n Value),
    Merged(Value),
}

/// `oneOf`/`anyOf` branches that describe a value (a type, a `$ref`, ...) rather than a condition
/// such as `{ "required": [...] }`.
fn typed_branches(node: &Value) -> Vec<&Value> {
    const TYPED: &[&str] = &["type", "$ref", "items", "enum", "const", "__samPassThrough", "allOf"];
    ["oneOf", "anyOf"]
        .iter()
        .filter_map(|k| node.get(*k).and_then(Value::as_array))
        .flatten()
        .filter(|b| TYPED.iter().any(|k| b.get(*k).is_some()))
        .collect()
}

fn copy_constraints(node: &Value, shape: &mut Shape) {
    let u = |k: &str| node.get(k).and_then(Value::as_u64);
    let f = |k: &str| node.get(k).and_then(Value::as_f64);
    let mut values: Vec<String> =
        node.get("enum").and_then(Value::as_array).into_iter().flatten().filter_map(scalar_text).collect();
    if let Some(c) = node.get("const").and_then(scalar_text) {
        values.push(c);
    }
    shape.enum_values = values;
    shape.pattern = node.get("pattern").and_then(Value::as_str).map(str::to_owned);
    shape.min_length = u("minLength");
    shape.max_length = u("maxLength");
    shape.minimum = f("minimum");
    shape.maximum = f("maximum");
    shape.min_items = u("minItems");
    shape.max_items = u("maxItems");
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Resolves a local `#/definitions/Name` style reference.
fn resolve_ref<'v>(root: &'v Value, r: &str) -> Option<&'v Value> {
    let pointer = r.strip_prefix('#')?;
    if pointer.is_empty() {
        return Some(root);
    }
    root.pointer(pointer)
}

fn str_of(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or_default().to_owned()
}

/// The node's own documentation (SAM's `markdownDescription` wins over `description`).
fn doc_text(node: &Value) -> String {
    let md = str_of(node, "markdownDescription");
    let text = if md.is_empty() { str_of(node, "description") } else { md };
    first_paragraph(&text)
}

fn doc_of(schema: &Value, node: &Value) -> String {
    let text = doc_text(node);
    if text.is_empty() { doc_text(deref(schema, node)) } else { text }
}

/// The first paragraph: schema descriptions put one paragraph per line (Markdown hard breaks in
/// SAM's docs), so this is the first non-empty line.
fn first_paragraph(text: &str) -> String {
    text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or_default().to_owned()
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;

    /// One line per shape: `id kind constraints`, with `*` marking required properties.
    fn render(rt: &ResourceType) -> String {
        let mut out = format!("properties = {}\n", rt.properties);
        for (id, s) in rt.shapes.iter().enumerate() {
            let kind = match &s.kind {
                ShapeKind::Object { properties, required, additional } => {
                    let props: Vec<String> = properties
                        .iter()
                        .map(|p| {
                            let star = if required.contains(&p.name) { "*" } else { "" };
                            format!("{}{star}:{}", p.name, p.shape)
                        })
                        .collect();
                    format!("Object{{{}}}{}", props.join(" "), if *additional { " +more" } else { "" })
                }
                ShapeKind::List { item } => format!("List<{item}>"),
                ShapeKind::Map { value } => format!("Map<{value}>"),
                ShapeKind::OneOf(branches) => {
                    format!("OneOf({})", branches.iter().map(|b| b.to_string()).collect::<Vec<_>>().join("|"))
                }
                other => format!("{other:?}"),
            };
            let mut line = format!("{id} {kind}");
            if !s.enum_values.is_empty() {
                line.push_str(&format!(" enum={}", s.enum_values.join("|")));
            }
            if let Some(p) = &s.pattern {
                line.push_str(&format!(" pattern={p}"));
            }
            if s.min_length.is_some() || s.max_length.is_some() {
                line.push_str(&format!(" len={:?}..{:?}", s.min_length, s.max_length));
            }
            if s.minimum.is_some() || s.maximum.is_some() {
                line.push_str(&format!(" range={:?}..{:?}", s.minimum, s.maximum));
            }
            out.push_str(&line);
            out.push('\n');
        }
        out
    }

    fn check(schema: Value, expected: Expect) {
        let rules = GetAttRules {
            all_property_types: BTreeSet::new(),
            exceptions: BTreeMap::new(),
            unnamed_prefixes: vec!["Custom::".to_owned()],
        };
        let rt = convert_cfn_type("Test::Thing::Type", &schema, &rules);
        expected.assert_eq(&render(&rt));
    }

    #[test]
    fn required_only_branches_are_conditions_not_unions() {
        check(
            json!({
                "type": "object",
                "additionalProperties": false,
                "properties": {"A": {"type": "string"}, "B": {"type": "string"}, "C": {"type": "integer"}},
                "required": ["C"],
                "oneOf": [{"required": ["A"]}, {"required": ["B"]}],
                "dependencies": {"A": ["C"]}
            }),
            expect![[r#"
                properties = 0
                0 Object{A:1 B:2 C*:3}
                1 String
                2 String
                3 Integer
            "#]],
        );
    }

    #[test]
    fn refs_are_shared_and_cycles_close() {
        check(
            json!({
                "properties": {
                    "Left": {"$ref": "#/definitions/Node"},
                    "Right": {"$ref": "#/definitions/Node"}
                },
                "additionalProperties": false,
                "definitions": {
                    "Node": {
                        "type": "object",
                        "properties": {"Children": {"type": "array", "items": {"$ref": "#/definitions/Node"}}}
                    }
                }
            }),
            expect![[r#"
                properties = 0
                0 Object{Left:1 Right:1}
                1 Object{Children:2} +more
                2 List<1>
            "#]],
        );
    }

    #[test]
    fn type_arrays_and_typed_branches_become_unions() {
        check(
            json!({
                "properties": {
                    "Either": {"type": ["string", "object"]},
                    "Choice": {"oneOf": [{"type": "integer", "minimum": 1}, {"$ref": "#/definitions/Obj"}]},
                    "Mode": {
                        "type": "string",
                        "anyOf": [{"enum": ["ON", "OFF"]}, {"pattern": "^[Oo][Nn]$"}]
                    },
                    "Arn": {"type": "string", "anyOf": [{"format": "arn"}, {"format": "id"}]}
                },
                "additionalProperties": false,
                "definitions": {"Obj": {"type": "object", "properties": {"X": {"type": "boolean"}}}}
            }),
            expect![[r#"
                properties = 0
                0 Object{Arn:1 Choice:2 Either:6 Mode:9}
                1 String
                2 OneOf(3|4)
                3 Integer range=Some(1.0)..None
                4 Object{X:5} +more
                5 Boolean
                6 OneOf(7|8)
                7 String
                8 Json
                9 OneOf(10|11)
                10 String enum=ON|OFF
                11 String pattern=^[Oo][Nn]$
            "#]],
        );
    }

    #[test]
    fn all_of_merges_and_maps_come_from_pattern_or_additional_properties() {
        check(
            json!({
                "properties": {
                    "Merged": {"allOf": [
                        {"$ref": "#/definitions/Base"},
                        {"properties": {"Extra": {"type": "string", "maxLength": 5}}, "required": ["Extra"]}
                    ]},
                    "Tags": {"type": "object", "patternProperties": {".*": {"type": "string"}}},
                    "Env": {"type": "object", "additionalProperties": {"type": "integer"}},
                    "Doc": {"type": "object"}
                },
                "additionalProperties": false,
                "definitions": {"Base": {"type": "object", "properties": {"Name": {"type": "string"}}, "required": ["Name"]}}
            }),
            expect![[r#"
                properties = 0
                0 Object{Doc:1 Env:2 Merged:4 Tags:7}
                1 Json
                2 Map<3>
                3 Integer
                4 Object{Extra*:5 Name*:6} +more
                5 String len=None..Some(5)
                6 String
                7 Map<8>
                8 String
            "#]],
        );
    }

    #[test]
    fn attributes_come_from_read_only_pointers() {
        let schema = json!({
            "properties": {
                "Arn": {"type": "string", "description": "The ARN.\nMore text."},
                "Endpoint": {"$ref": "#/definitions/Endpoint"},
                "Name": {"type": "string"}
            },
            "definitions": {"Endpoint": {"type": "object", "properties": {"Port": {"type": "integer"}}}},
            "readOnlyProperties": ["/properties/Arn", "/properties/Endpoint/Port"],
            "createOnlyProperties": ["/properties/Name", "/properties/Endpoint/Port"]
        });
        let rules = GetAttRules {
            all_property_types: BTreeSet::new(),
            exceptions: BTreeMap::new(),
            unnamed_prefixes: Vec::new(),
        };
        let rt = convert_cfn_type("Test::Thing::Type", &schema, &rules);
        let attrs: Vec<String> =
            rt.attributes.iter().map(|a| format!("{} {} {}", a.name, a.type_name, a.doc)).collect();
        assert_eq!(attrs, ["Arn String The ARN.", "Endpoint.Port Integer "]);
        assert_eq!(rt.read_only, ["Arn"]);
        assert_eq!(rt.create_only, ["Name"]);
    }
}
