//! The zero-false-positive bar for the credential rules (SW71xx) on real templates: no finding on
//! `tests/corpus/serverless-patterns/` (real templates from aws-samples/serverless-patterns) except
//! the ones in [`KNOWN_FINDINGS`], each verified by reading the template, and none on the example
//! project.

use std::path::{Path, PathBuf};

use samwise_data::CfnData;
use samwise_syntax::{Format, LineIndex};
use samwise_template::{CheckContext, Template, check};

/// Findings that are right: (template path under the corpus folder, code, parameter or key, why).
const KNOWN_FINDINGS: &[(&str, &str, &str, &str)] = &[
    (
        "eventbridge-pipes-sqs-enrich-with-api-destination/template.yaml",
        "SW7103",
        "ApiKeyValue",
        "an EventBridge connection's API key written into the template (`ApiKeyValue: MyAPIkey`, a placeholder, \
         but the pattern teaches hard-coding it)",
    ),
    (
        "eventbridge-api-destinations/2-slack/template.yaml",
        "SW7104",
        "MySlackToken",
        "a Slack bot token parameter without NoEcho: the token shows in the console and describe-stacks",
    ),
    (
        "apigw-rest-apigw-rest/template.yaml",
        "SW7104",
        "ApiKeyValue",
        "the value of the API Gateway API keys, passed as a parameter without NoEcho",
    ),
    (
        "appsync-notify-subscribers-of-database-updates/2-eventbridge/template.yaml",
        "SW7104",
        "AppSyncApiKey",
        "the AppSync API key (used as the connection's ApiKeyValue), passed as a parameter without NoEcho",
    ),
];

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

/// SW71xx findings of one template: (`path:line:col: CODE message`, code, key on the finding's line).
fn findings(path: &Path, rel: &str) -> Vec<(String, &'static str, String)> {
    let text = std::fs::read_to_string(path).expect("readable template");
    let t = Template::parse(&text, Format::detect(Some(path), &text));
    let ctx = CheckContext { data: CfnData::embedded(), path: Some(path) };
    let lines = LineIndex::new(&text);
    check(&t, &ctx)
        .into_iter()
        .filter(|d| d.code.starts_with("SW71"))
        .map(|d| {
            let at = lines.line_col(d.range.start);
            // The key of the finding's line names it without showing the value.
            let line_start = text[..d.range.start as usize].rfind('\n').map_or(0, |i| i + 1);
            let key = text[line_start..].split(':').next().unwrap_or("").trim().trim_matches('"').to_owned();
            (format!("{rel}:{}:{}: {} {}", at.line + 1, at.col + 1, d.code, d.message), d.code, key)
        })
        .collect()
}

#[test]
fn corpus_has_no_unexpected_credential_findings() {
    let root = corpus_dir();
    let mut files = Vec::new();
    templates(&root, &mut files);
    assert!(files.len() >= 130, "the corpus should hold 134 templates, found {}", files.len());
    let mut unexpected = Vec::new();
    let mut seen = Vec::new();
    for path in &files {
        let rel = path.strip_prefix(&root).expect("under the corpus").to_string_lossy().replace('\\', "/");
        for (shown, code, key) in findings(path, &rel) {
            match KNOWN_FINDINGS.iter().find(|(f, c, k, _)| *f == rel && *c == code && *k == key) {
                Some(known) => seen.push(known.0),
                None => unexpected.push(format!("{shown} [{key}]")),
            }
        }
    }
    assert!(unexpected.is_empty(), "unexpected credential findings:\n{}", unexpected.join("\n"));
    for (f, c, k, why) in KNOWN_FINDINGS {
        assert!(seen.contains(f), "KNOWN_FINDINGS lists {f} {c} {k} ({why}) but check no longer reports it");
    }
}

#[test]
fn example_project_has_no_credential_finding() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/parameter-store/template.yaml");
    let found = findings(&path, "examples/parameter-store/template.yaml");
    assert!(found.is_empty(), "{found:?}");
}
