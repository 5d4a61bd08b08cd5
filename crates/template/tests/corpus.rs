//! The zero-false-positive bar on real templates: `check` over every template of
//! `tests/corpus/serverless-patterns/` (real templates from aws-samples/serverless-patterns) must
//! report no error-severity finding except the ones listed in [`KNOWN_ERRORS`], each verified by
//! reading the template. Warnings are counted per code and printed (`cargo test -- --nocapture`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use samwise_data::CfnData;
use samwise_syntax::{Format, LineIndex, Severity};
use samwise_template::{CheckContext, Template, check};

/// Error findings that are real mistakes in the corpus: (template path under the corpus folder,
/// code, why it is right).
const KNOWN_ERRORS: &[(&str, &str, &str)] = &[
    ("rds-sns-event-notification/template.yaml", "SW1001", "a YAML syntax error in the template"),
    (
        "apigw-lambda-sagemaker-jumpstartendpoint-cdk-python/template.yaml",
        "SW2012",
        "a skeleton: Globals and Resources are empty, and CloudFormation needs a resource",
    ),
    (
        "codecommit-s3/template.yaml",
        "SW2013",
        "`Description` is not a resource attribute (cfn-lint E3001 agrees); it belongs in Properties or a comment",
    ),
    (
        "eventbridge-schedule-to-lambda-sam-go/template.yaml",
        "SW2006",
        "go1.x: new functions cannot be created with it since 2024-02-08 (cfn-lint E2531 agrees)",
    ),
];

/// Templates whose Lambda runtime is deprecated: SW2006 is a warning until the runtime's
/// create-block date and an error after it (dotnet8: 2027-02-01), so either severity is accepted
/// here and the test does not start failing on that date.
const DATED_RUNTIMES: &[(&str, &str)] =
    &[("apigw-rest-api-lambda-dotnet/template.yaml", "dotnet8"), ("sns-lambda-dotnet-sam/template.yaml", "dotnet8")];

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus/serverless-patterns")
}

fn templates(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(dir).expect("corpus folder").flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            templates(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "json") {
            out.push(p);
        }
    }
}

#[test]
fn corpus_has_no_unexpected_errors() {
    let root = corpus_dir();
    let mut files = Vec::new();
    templates(&root, &mut files);
    assert!(files.len() >= 130, "the corpus should hold 134 templates, found {}", files.len());
    let mut unexpected = Vec::new();
    let mut seen_known = Vec::new();
    let mut warnings: BTreeMap<&str, usize> = BTreeMap::new();
    for path in &files {
        let rel = path.strip_prefix(&root).expect("under the corpus").to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(path).expect("readable template");
        let t = Template::parse(&text, Format::detect(Some(path), &text));
        assert!(t.is_template, "{rel} should be detected as a template");
        let ctx = CheckContext { data: CfnData::embedded(), path: Some(path) };
        let lines = LineIndex::new(&text);
        for d in check(&t, &ctx) {
            if d.severity != Severity::Error {
                *warnings.entry(d.code).or_default() += 1;
                continue;
            }
            if d.code == "SW2006" && DATED_RUNTIMES.iter().any(|(f, r)| *f == rel && d.message.contains(r)) {
                continue;
            }
            if KNOWN_ERRORS.iter().any(|(f, c, _)| *f == rel && *c == d.code) {
                seen_known.push((rel.clone(), d.code));
                continue;
            }
            let at = lines.line_col(d.range.start);
            unexpected.push(format!("{rel}:{}:{}: {} {}", at.line + 1, at.col + 1, d.code, d.message));
        }
    }
    println!("warnings per code over {} templates: {warnings:?}", files.len());
    assert!(unexpected.is_empty(), "unexpected errors:\n{}", unexpected.join("\n"));
    for (f, c, why) in KNOWN_ERRORS {
        assert!(
            seen_known.iter().any(|(sf, sc)| sf == f && sc == c),
            "KNOWN_ERRORS lists {f} {c} ({why}) but check no longer reports it: remove the entry"
        );
    }
}

/// The other side of the bar: the rules must still see real mistakes in real templates. In each
/// corpus template, the first property of the first resource whose type the data closes (no
/// additional properties) is misspelt; `check` must report exactly that key as unknown.
#[test]
fn a_misspelt_property_is_found_in_every_corpus_template() {
    let root = corpus_dir();
    let mut files = Vec::new();
    templates(&root, &mut files);
    let data = CfnData::embedded();
    let mut tried = 0;
    let mut missed = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("readable template");
        let t = Template::parse(&text, Format::detect(Some(path), &text));
        let target = t.resources.iter().find_map(|r| {
            let rt = data.resource_type(r.type_name.as_deref()?)?;
            let closed = matches!(
                &rt.shapes[rt.properties as usize].kind,
                samwise_data::cfn::ShapeKind::Object { additional: false, .. }
            );
            let props = r.properties.filter(|_| closed)?;
            let first = t.tree.entries(props).first()?;
            let key = t.tree.node(first.key).range;
            // Only plain keys: a quoted key would be misspelt inside its quotes.
            text[key.as_range()].chars().all(|c| c.is_ascii_alphanumeric()).then_some(key)
        });
        let Some(key) = target else { continue };
        tried += 1;
        let mut mutated = text.clone();
        mutated.insert_str(key.end as usize, "Zq");
        let t = Template::parse(&mutated, Format::detect(Some(path), &mutated));
        let ctx = CheckContext { data, path: None };
        let found = check(&t, &ctx).iter().any(|d| d.code == "SW2002" && d.range.start == key.start);
        if !found {
            missed.push(format!("{}: {}", path.display(), &text[key.as_range()]));
        }
    }
    assert!(tried >= 100, "only {tried} templates had a resource to mutate");
    assert!(missed.is_empty(), "misspelt properties not reported:\n{}", missed.join("\n"));
}
