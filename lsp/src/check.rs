//! `samwise-lsp check`: the command-line checker. It reports the same findings as the language
//! server (both call `samwise_ide::Analysis::diagnostics`) as text, JSON or SARIF 2.1.0.
//!
//! Exit status: 0 when no error-severity finding, 1 when there is one, 2 for usage errors and
//! unreadable input (a missing file is reported with its path; the other files are still checked).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use samwise_ide::{Analysis, Config, Diagnostic, DocKind, LineIndex, Severity, TextRange};
use serde_json::json;

const HELP: &str = "\
samwise-lsp check: check AWS SAM/CloudFormation templates

USAGE:
    samwise-lsp check [OPTIONS] PATH...

PATH may be a template file or a directory, which is searched for *.yaml, *.yml, *.json and
*.template files that are templates (other YAML/JSON files are skipped).

OPTIONS:
    --format text|json|sarif   output format (default: text)
    --data-dir DIR             use the schema data in DIR (cfn.bin) instead of the built-in data
    --disable CODE             do not report rule CODE (repeatable), e.g. --disable SW3009
    -h, --help                 print this help

EXIT STATUS: 0 no errors, 1 errors found, 2 usage error or unreadable input.
";

/// Files larger than this are not analysed. CloudFormation itself accepts at most 1 MB (templates
/// uploaded to S3; 51,200 bytes inline); the margin leaves room for SAM templates before transform.
pub const MAX_TEMPLATE_BYTES: u64 = 8 * 1024 * 1024;

const SKIP_DIRS: &[&str] =
    &["node_modules", ".git", ".aws-sam", "target", ".venv", "venv", "__pycache__", "cdk.out", ".tox", ".idea"];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Json,
    Sarif,
}

struct Options {
    format: Format,
    config: Config,
    paths: Vec<PathBuf>,
}

/// One checked file and its findings.
struct Report {
    path: PathBuf,
    text: Arc<str>,
    diagnostics: Vec<Diagnostic>,
}

pub fn main(args: Vec<String>) -> ExitCode {
    let opts = match parse_args(args) {
        Ok(Some(o)) => o,
        Ok(None) => {
            print!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Err(msg) => {
            eprintln!("samwise-lsp check: {msg}\n\n{HELP}");
            return ExitCode::from(2);
        }
    };
    if let Some(err) = samwise_ide::load_error(&opts.config) {
        eprintln!("samwise-lsp check: {err}");
        return ExitCode::from(2);
    }
    let mut unreadable = false;
    let mut reports = Vec::new();
    for path in &opts.paths {
        match std::fs::metadata(path) {
            Err(e) => {
                eprintln!("samwise-lsp check: cannot read {}: {}", path.display(), io_reason(&e));
                unreadable = true;
            }
            Ok(m) if m.is_dir() => {
                let mut files = Vec::new();
                walk(path, &mut files);
                files.sort();
                for f in files {
                    // Found by searching: only templates count, everything unreadable is skipped.
                    if let Ok(Some(r)) = check_file(&f, &opts.config, false) {
                        reports.push(r);
                    }
                }
            }
            Ok(_) => match check_file(path, &opts.config, true) {
                Ok(Some(r)) => reports.push(r),
                Ok(None) => {}
                Err(msg) => {
                    eprintln!("samwise-lsp check: {msg}");
                    unreadable = true;
                }
            },
        }
    }
    let out = match opts.format {
        Format::Text => render_text(&reports),
        Format::Json => serde_json::to_string_pretty(&render_json(&reports)).expect("JSON values serialise") + "\n",
        Format::Sarif => serde_json::to_string_pretty(&render_sarif(&reports)).expect("JSON values serialise") + "\n",
    };
    let mut stdout = std::io::stdout().lock();
    if stdout.write_all(out.as_bytes()).and_then(|()| stdout.flush()).is_err() {
        return ExitCode::from(2);
    }
    let errors = reports.iter().flat_map(|r| &r.diagnostics).filter(|d| d.severity == Severity::Error).count();
    if opts.format == Format::Text && !reports.is_empty() {
        let total: usize = reports.iter().map(|r| r.diagnostics.len()).sum();
        eprintln!("checked {} template(s): {errors} error(s), {} other finding(s)", reports.len(), total - errors);
    }
    if unreadable {
        ExitCode::from(2)
    } else if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn parse_args(args: Vec<String>) -> Result<Option<Options>, String> {
    let mut opts = Options { format: Format::Text, config: Config::default(), paths: Vec::new() };
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match a.as_str() {
            "-h" | "--help" => return Ok(None),
            "--format" => {
                opts.format = match value("--format")?.as_str() {
                    "text" => Format::Text,
                    "json" => Format::Json,
                    "sarif" => Format::Sarif,
                    other => return Err(format!("unknown format '{other}': use text, json or sarif")),
                }
            }
            "--data-dir" => opts.config.data_dir = Some(PathBuf::from(value("--data-dir")?)),
            "--disable" => opts.config.disabled_rules.push(value("--disable")?),
            s if s.starts_with("--format=") => {
                return parse_args(
                    std::iter::once("--format".to_owned())
                        .chain(std::iter::once(s["--format=".len()..].to_owned()))
                        .chain(opts.paths.iter().map(|p| p.display().to_string()))
                        .chain(it)
                        .collect(),
                );
            }
            s if s.starts_with('-') && s.len() > 1 => return Err(format!("unknown option '{s}'")),
            _ => opts.paths.push(PathBuf::from(a)),
        }
    }
    if opts.paths.is_empty() {
        return Err("no PATH given: name template files or directories to check".into());
    }
    Ok(Some(opts))
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            let name = e.file_name();
            if !SKIP_DIRS.iter().any(|s| name == *s) {
                walk(&p, out);
            }
        } else if ft.is_file()
            && matches!(
                p.extension().and_then(|x| x.to_str()).map(str::to_ascii_lowercase).as_deref(),
                Some("yaml" | "yml" | "json" | "template")
            )
        {
            out.push(p);
        }
    }
}

/// Checks one file. `Ok(None)`: not a template. `Err`: unreadable (explicitly named files only;
/// a file found in a directory that cannot be read is skipped).
fn check_file(path: &Path, config: &Config, explicit: bool) -> Result<Option<Report>, String> {
    let shown = path.display();
    let mut file = std::fs::File::open(path).map_err(|e| format!("cannot read {shown}: {}", io_reason(&e)))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if size > MAX_TEMPLATE_BYTES {
        if !explicit {
            return Ok(None);
        }
        // Reading 50 MB to say it is too large would defeat the point: report from the size alone.
        let d = Diagnostic::error(
            "SW0003",
            TextRange::empty(0),
            format!(
                "file is {:.1} MB: CloudFormation accepts templates up to 1 MB and samwise analyses files up to {} MB; \
                 split the template (nested stacks) or check that this is the right file",
                size as f64 / 1e6,
                MAX_TEMPLATE_BYTES / (1024 * 1024)
            ),
        );
        return Ok(Some(Report { path: path.to_path_buf(), text: Arc::from(""), diagnostics: vec![d] }));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.read_to_end(&mut bytes).map_err(|e| format!("cannot read {shown}: {}", io_reason(&e)))?;
    if bytes.iter().take(8192).any(|&b| b == 0) {
        return if explicit {
            Err(format!("{shown} is a binary file, not a template (it contains NUL bytes)"))
        } else {
            Ok(None)
        };
    }
    let text: Arc<str> = match String::from_utf8(bytes) {
        Ok(s) => Arc::from(s),
        Err(e) => {
            if !explicit {
                return Ok(None);
            }
            let at = e.utf8_error().valid_up_to();
            let valid = String::from_utf8_lossy(&e.as_bytes()[..at]).into_owned();
            let d = Diagnostic::error(
                "SW0002",
                TextRange::new(at as u32, at as u32),
                format!("the file is not valid UTF-8 (byte {at}): templates must be UTF-8; re-save the file as UTF-8"),
            );
            return Ok(Some(Report { path: path.to_path_buf(), text: Arc::from(valid), diagnostics: vec![d] }));
        }
    };
    // The checker looks at template extensions only; an explicitly named file with another
    // extension is read as YAML (or JSON when it starts with '{').
    let analysed_path = match path.extension().and_then(|e| e.to_str()) {
        Some("yaml" | "yml" | "json" | "template" | "YAML" | "YML" | "JSON") => path.to_path_buf(),
        _ => path.with_extension(if text.trim_start().starts_with('{') { "json" } else { "yaml" }),
    };
    let analysis = Analysis::new(Some(&analysed_path), text.clone(), config);
    if analysis.kind() != DocKind::Template {
        if explicit {
            eprintln!(
                "samwise-lsp check: {shown}: not a CloudFormation/SAM template (no AWSTemplateFormatVersion, SAM \
                 Transform or AWS:: resources); skipped"
            );
        }
        return Ok(None);
    }
    Ok(Some(Report { path: path.to_path_buf(), text, diagnostics: analysis.diagnostics() }))
}

fn render_text(reports: &[Report]) -> String {
    let mut out = String::new();
    for r in reports {
        let idx = LineIndex::new(&r.text);
        for d in &r.diagnostics {
            let (line, col) = idx.display(&r.text, d.range.start);
            out.push_str(&format!(
                "{}:{line}:{col}: {} {} {}\n",
                r.path.display(),
                d.severity.as_str(),
                d.code,
                d.message
            ));
        }
    }
    out
}

fn lsp_range(idx: &LineIndex, text: &str, range: TextRange) -> serde_json::Value {
    let s = idx.line_col_utf16(text, range.start);
    let e = idx.line_col_utf16(text, range.end);
    json!({"start": {"line": s.line, "character": s.col}, "end": {"line": e.line, "character": e.col}})
}

fn render_json(reports: &[Report]) -> serde_json::Value {
    let mut items = Vec::new();
    for r in reports {
        let idx = LineIndex::new(&r.text);
        for d in &r.diagnostics {
            items.push(json!({
                "path": r.path.display().to_string(),
                "range": lsp_range(&idx, &r.text, d.range),
                "severity": d.severity.as_str(),
                "code": d.code,
                "message": d.message,
                "source": "samwise",
            }));
        }
    }
    serde_json::Value::Array(items)
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Information | Severity::Hint => "note",
    }
}

fn render_sarif(reports: &[Report]) -> serde_json::Value {
    let rules: Vec<serde_json::Value> = samwise_template_rules()
        .iter()
        .map(|r| {
            json!({
                "id": r.code,
                "shortDescription": {"text": r.summary},
                "defaultConfiguration": {"level": sarif_level(r.severity)},
            })
        })
        .collect();
    let mut results = Vec::new();
    for r in reports {
        let idx = LineIndex::new(&r.text);
        for d in &r.diagnostics {
            let (sl, sc) = idx.display(&r.text, d.range.start);
            let (el, ec) = idx.display(&r.text, d.range.end);
            results.push(json!({
                "ruleId": d.code,
                "level": sarif_level(d.severity),
                "message": {"text": d.message},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri_of(&r.path)},
                        "region": {"startLine": sl, "startColumn": sc, "endLine": el, "endColumn": ec},
                    }
                }],
            }));
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "samwise",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    })
}

/// A relative path as a SARIF artifact URI (forward slashes, percent-encoding spaces).
fn uri_of(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/").replace(' ', "%20")
}

fn samwise_template_rules() -> Vec<samwise_ide::RuleInfo> {
    samwise_ide::rules()
}
