//! Template diagnostics: one module per rule family, each with a valid and an invalid fixture in
//! its tests. [`check`] runs them all; every rule has a stable code listed in [`RULES`].
//!
//! The bar is zero false positives: when the model or the schema cannot tell (an intrinsic function
//! where a literal is expected, an imported value, a SAM-generated resource), a rule says nothing.

mod credentials;
mod escape;
mod references;
mod sam;
mod schema;
mod sections;
mod suppress;

use std::path::Path;

use samwise_data::CfnData;
use samwise_syntax::{Diagnostic, Severity};

use crate::model::Template;

/// What a rule needs besides the template.
pub struct CheckContext<'a> {
    pub data: &'a CfnData,
    /// The template's path on disk, when it has one: relative paths (`CodeUri`) resolve against its
    /// folder. Without it, file-system rules are skipped.
    pub path: Option<&'a Path>,
}

/// A rule's stable code, default severity and one-line summary (for SARIF and the docs).
#[derive(Debug, Clone, Copy)]
pub struct RuleInfo {
    pub code: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
}

/// Every rule, in code order.
pub fn rules() -> Vec<RuleInfo> {
    let mut all: Vec<RuleInfo> = [
        SYNTAX_RULES,
        sections::RULES,
        references::RULES,
        schema::RULES,
        sam::RULES,
        credentials::RULES,
        escape::RULES,
    ]
    .into_iter()
    .flatten()
    .copied()
    .collect();
    all.sort_by_key(|r| r.code);
    all
}

const SYNTAX_RULES: &[RuleInfo] = &[
    RuleInfo { code: "SW0002", severity: Severity::Error, summary: "file is not valid UTF-8" },
    RuleInfo { code: "SW0003", severity: Severity::Error, summary: "file too large to analyse" },
    RuleInfo { code: "SW1001", severity: Severity::Error, summary: "YAML/JSON syntax error" },
    RuleInfo { code: "SW1002", severity: Severity::Error, summary: "duplicate key" },
    RuleInfo { code: "SW1003", severity: Severity::Error, summary: "nesting too deep to analyse" },
    RuleInfo { code: "SW1004", severity: Severity::Error, summary: "alias without an anchor" },
];

/// All findings for a template (none when the document is not a template).
pub fn check(t: &Template, ctx: &CheckContext) -> Vec<Diagnostic> {
    if !t.is_template {
        return Vec::new();
    }
    let mut out: Vec<Diagnostic> = t.tree.diagnostics().to_vec();
    out.extend(t.model_diagnostics.iter().cloned());
    sections::check(t, ctx, &mut out);
    references::check(t, ctx, &mut out);
    schema::check(t, ctx, &mut out);
    sam::check(t, ctx, &mut out);
    credentials::check(t, ctx, &mut out);
    escape::check(t, ctx, &mut out);
    suppress::apply(t, &mut out);
    out.sort_by(|a, b| a.range.start.cmp(&b.range.start).then(a.code.cmp(b.code)));
    out.dedup_by(|a, b| a.range == b.range && a.code == b.code && a.message == b.message);
    out
}

/// The closest candidate to `word` by edit distance, when it is close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let len = word.chars().count();
    let max = (len / 3).clamp(1, 4);
    let lower = word.to_ascii_lowercase();
    candidates
        .into_iter()
        // The distance is at least the difference in length: skipping candidates that cannot be
        // close keeps a long word (a 12 KB resource type, found by fuzzing) from costing
        // len × candidate × 1,500 types, a minute, instead of nothing.
        .filter(|c| c.chars().count().abs_diff(len) <= max)
        .map(|c| (edit_distance(&lower, &c.to_ascii_lowercase()), c))
        .filter(|(d, _)| *d <= max)
        .min_by_key(|(d, c)| (*d, c.len()))
        .map(|(_, c)| c)
}

/// Levenshtein distance over chars, with transpositions counting as one edit.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev2: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
pub(crate) mod fixture {
    //! Diagnostics fixtures: the template text with expectation lines under the offending line,
    //! `# ^^^^ error SW2001: message` (carets under the range, then severity, code, message; a range
    //! starting in the first two columns is marked by a line starting with the carets themselves).
    //! Expectation lines are removed before checking, so positions refer to the clean text.

    use std::path::Path;

    use samwise_data::CfnData;
    use samwise_syntax::Format;

    use super::{CheckContext, check};
    use crate::model::Template;

    /// Checks a fixture: every diagnostic must be announced by an expectation line and vice versa.
    /// Only codes starting with `only` are compared (so a rule's fixture ignores other rules).
    pub fn check_fixture(fixture: &str, only: &str) {
        check_fixture_at(fixture, only, None);
    }

    /// [`check_fixture`] as if the template sat at `path` (file-system rules resolve paths against
    /// its folder).
    pub fn check_fixture_at(fixture: &str, only: &str, path: Option<&Path>) {
        let mut clean = String::new();
        let mut expected = Vec::new();
        let mut last_line_start = 0usize;
        for line in fixture.split_inclusive('\n') {
            let trimmed = line.trim_start();
            let after_hash = trimmed.strip_prefix('#').map(str::trim_start);
            if trimmed.starts_with('^') || after_hash.is_some_and(|r| r.starts_with('^')) {
                let col = line.find('^').expect("caret");
                let carets = line[col..].chars().take_while(|&c| c == '^').count();
                let text = line[col + carets..].trim();
                let start = last_line_start + col;
                expected.push(format!("{}..{} {}", start, start + carets, text));
                continue;
            }
            last_line_start = clean.len();
            clean.push_str(line);
        }
        let t = Template::parse(&clean, Format::detect(None, &clean));
        let ctx = CheckContext { data: CfnData::embedded(), path };
        let mut actual: Vec<String> = check(&t, &ctx)
            .into_iter()
            .filter(|d| d.code.starts_with(only))
            .map(|d| format!("{}..{} {} {}: {}", d.range.start, d.range.end, d.severity.as_str(), d.code, d.message))
            .collect();
        actual.sort();
        expected.sort();
        assert_eq!(actual.join("\n"), expected.join("\n"), "\n--- template ---\n{clean}");
    }
}

#[cfg(test)]
mod did_you_mean_tests {
    use super::did_you_mean;

    #[test]
    fn finds_typos_up_to_the_length_difference_the_limit_allows() {
        // 12 chars allow 4 edits: four insertions still match, five do not.
        assert_eq!(did_you_mean("abcdefghijkl", ["abcdefghijklmnop"]), Some("abcdefghijklmnop"));
        assert_eq!(did_you_mean("abcdefghijkl", ["abcdefghijklmnopq"]), None);
        assert_eq!(did_you_mean("AWS::S3::Bukcet", ["AWS::S3::Bucket", "AWS::SNS::Topic"]), Some("AWS::S3::Bucket"));
        assert_eq!(did_you_mean("ÄWS::S3::Bucket", ["AWS::S3::Bucket"]), Some("AWS::S3::Bucket"));
    }

    #[test]
    fn a_long_word_matches_nothing() {
        let long = "AWS::S3::Bucket".repeat(1000);
        assert_eq!(did_you_mean(&long, ["AWS::S3::Bucket"]), None);
    }
}
