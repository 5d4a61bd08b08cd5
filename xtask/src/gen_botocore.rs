//! Generates `crates/data/assets/botocore.bin`: the compact botocore service models (newest API
//! version of every service) and boto3's resource models, from the pinned PyPI wheels.
//!
//! The wheels are fetched with `python3 -m pip download --no-deps` into `<root>/.cache/gen-data/`
//! and read with the `zip` crate; the conversion itself lives in `samwise_data::botocore` so the
//! language server's "use the installed botocore" option converts exactly the same way.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use samwise_data::botocore::{RawService, ServiceInfo, convert_resources, convert_service, parse_xform_cache};
use samwise_data::container::ContainerWriter;
use serde_json::{Value, json};

const BOTOCORE: (&str, &str) = ("botocore", "1.44.8");
const BOTO3: (&str, &str) = ("boto3", "1.44.8");

pub fn run(root: &Path) -> Result<(), String> {
    let cache = root.join(".cache/gen-data");
    let botocore = wheel(&cache, BOTOCORE)?;
    let boto3 = wheel(&cache, BOTO3)?;

    let mut core = Wheel::open(&botocore)?;
    let special = parse_xform_cache(&core.text("botocore/__init__.py")?);
    if special.is_empty() {
        return Err("botocore/__init__.py: found no _xform_cache entries; has botocore changed its layout?".into());
    }

    // service -> version -> file names present, from the wheel's listing.
    let mut layout: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for name in core.names() {
        let parts: Vec<&str> = name.split('/').collect();
        if let ["botocore", "data", svc, ver, file] = parts[..] {
            layout.entry(svc.to_owned()).or_default().entry(ver.to_owned()).or_default().push(file.to_owned());
        }
    }

    let mut out = ContainerWriter::new();
    let mut services = Vec::new();
    for (svc, versions) in &layout {
        let has_model = |files: &Vec<String>| files.iter().any(|f| f == "service-2.json" || f == "service-2.json.gz");
        let Some((ver, _)) = versions.iter().rev().find(|(_, files)| has_model(files)) else {
            continue;
        };
        let dir = format!("botocore/data/{svc}/{ver}");
        let service = core.json_maybe_gz(&format!("{dir}/service-2.json"))?.expect("listed above");
        let paginators = core.json_maybe_gz(&format!("{dir}/paginators-1.json"))?;
        let waiters = core.json_maybe_gz(&format!("{dir}/waiters-2.json"))?;
        let raw =
            RawService { name: svc, service: &service, paginators: paginators.as_ref(), waiters: waiters.as_ref() };
        let model = convert_service(&raw, &special).map_err(|e| format!("{dir}: {e}"))?;
        services.push(ServiceInfo {
            name: svc.clone(),
            full_name: model.full_name.clone(),
            service_id: model.service_id.clone(),
        });
        out.add(&format!("svc/{svc}"), &serde_json::to_vec(&model).map_err(|e| e.to_string())?);
    }

    let mut b3 = Wheel::open(&boto3)?;
    let mut res: BTreeMap<String, String> = BTreeMap::new();
    for name in b3.names() {
        let parts: Vec<&str> = name.split('/').collect();
        if let ["boto3", "data", svc, ver, "resources-1.json"] = parts[..] {
            let e = res.entry(svc.to_owned()).or_default();
            if ver > e.as_str() {
                *e = ver.to_owned();
            }
        }
    }
    for (svc, ver) in &res {
        let raw: Value = serde_json::from_str(&b3.text(&format!("boto3/data/{svc}/{ver}/resources-1.json"))?)
            .map_err(|e| format!("boto3 resources of {svc}: {e}"))?;
        let model = convert_resources(svc, &raw, &special);
        out.add(&format!("res/{svc}"), &serde_json::to_vec(&model).map_err(|e| e.to_string())?);
    }

    out.meta("botocore_version", json!(BOTOCORE.1));
    out.meta("boto3_version", json!(BOTO3.1));
    out.meta(
        "license",
        json!("botocore and boto3 models: Apache-2.0, Copyright Amazon.com, Inc. (see crates/data/NOTICE)"),
    );
    out.meta("services", serde_json::to_value(&services).map_err(|e| e.to_string())?);
    out.meta("aliases", json!({"runtime.sagemaker": "sagemaker-runtime"}));
    write_notice(root, &mut core, &mut b3)?;
    let bytes = out.finish();
    let dest = root.join("crates/data/assets/botocore.bin");
    std::fs::create_dir_all(dest.parent().expect("has a parent")).map_err(|e| e.to_string())?;
    std::fs::write(&dest, &bytes).map_err(|e| format!("cannot write {}: {e}", dest.display()))?;
    eprintln!(
        "wrote {} ({} services, {} resource models, {} KiB)",
        dest.display(),
        services.len(),
        res.len(),
        bytes.len() / 1024
    );
    Ok(())
}

/// Marks the start of this generator's section of `crates/data/NOTICE`; `gen-data-cfn` writes the part above.
pub(crate) const NOTICE_MARKER: &str =
    "# The botocore/boto3 section below is written by `cargo xtask gen-data-botocore`.";

/// Appends (or replaces) the botocore and boto3 licence notices at the end of `crates/data/NOTICE`.
fn write_notice(root: &Path, core: &mut Wheel, b3: &mut Wheel) -> Result<(), String> {
    let path = root.join("crates/data/NOTICE");
    let existing = std::fs::read_to_string(&path).unwrap_or_default();
    let mut notice = match existing.find(NOTICE_MARKER) {
        Some(at) => existing[..at].to_owned(),
        None => existing,
    };
    if !notice.is_empty() && !notice.ends_with('\n') {
        notice.push('\n');
    }
    notice.push('\n');
    notice.push_str(NOTICE_MARKER);
    notice.push('\n');
    for ((package, version), wheel, files) in
        [(BOTOCORE, core, ["NOTICE", "LICENSE.txt"]), (BOTO3, b3, ["NOTICE", "LICENSE"])]
    {
        notice.push_str(&format!("\n{}\n{package} {version}\n{}\n", "=".repeat(78), "=".repeat(78)));
        for file in files {
            let name = format!("{package}-{version}.dist-info/{file}");
            notice.push_str(&format!("\n--- {file} ---\n\n"));
            notice.push_str(wheel.text(&name)?.trim_end());
            notice.push('\n');
        }
    }
    std::fs::write(&path, notice).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The pinned wheel in the cache, downloaded with pip when missing.
fn wheel(cache: &Path, (name, version): (&str, &str)) -> Result<PathBuf, String> {
    let path = cache.join(format!("{name}-{version}-py3-none-any.whl"));
    if path.exists() {
        return Ok(path);
    }
    std::fs::create_dir_all(cache).map_err(|e| format!("cannot create {}: {e}", cache.display()))?;
    let status = Command::new("python3")
        .args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-d"])
        .arg(cache)
        .arg(format!("{name}=={version}"))
        .status()
        .map_err(|e| format!("cannot run python3 -m pip: {e}"))?;
    if !status.success() || !path.exists() {
        return Err(format!("pip could not download {name}=={version} into {}", cache.display()));
    }
    Ok(path)
}

struct Wheel {
    path: PathBuf,
    zip: zip::ZipArchive<std::fs::File>,
}

impl Wheel {
    fn open(path: &Path) -> Result<Wheel, String> {
        let file = std::fs::File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        let zip = zip::ZipArchive::new(file).map_err(|e| format!("{} is not a wheel: {e}", path.display()))?;
        Ok(Wheel { path: path.to_path_buf(), zip })
    }

    fn names(&self) -> Vec<String> {
        self.zip.file_names().map(str::to_owned).collect()
    }

    fn bytes(&mut self, name: &str) -> Result<Option<Vec<u8>>, String> {
        let mut f = match self.zip.by_name(name) {
            Ok(f) => f,
            Err(zip::result::ZipError::FileNotFound) => return Ok(None),
            Err(e) => return Err(format!("{}: {name}: {e}", self.path.display())),
        };
        let mut out = Vec::new();
        f.read_to_end(&mut out).map_err(|e| format!("{}: {name}: {e}", self.path.display()))?;
        Ok(Some(out))
    }

    fn text(&mut self, name: &str) -> Result<String, String> {
        let b = self.bytes(name)?.ok_or_else(|| format!("{}: {name} is missing", self.path.display()))?;
        String::from_utf8(b).map_err(|e| format!("{name}: {e}"))
    }

    /// `name` or `name.gz`, parsed as JSON; `None` when neither exists.
    fn json_maybe_gz(&mut self, name: &str) -> Result<Option<Value>, String> {
        let bytes = match self.bytes(name)? {
            Some(b) => b,
            None => match self.bytes(&format!("{name}.gz"))? {
                Some(gz) => {
                    let mut out = Vec::new();
                    flate2::read::GzDecoder::new(&gz[..])
                        .read_to_end(&mut out)
                        .map_err(|e| format!("{name}.gz: {e}"))?;
                    out
                }
                None => return Ok(None),
            },
        };
        serde_json::from_slice(&bytes).map(Some).map_err(|e| format!("{name}: {e}"))
    }
}
