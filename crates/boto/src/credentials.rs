//! Credential hygiene in Python (issue 12): AWS credentials written into the source instead of coming
//! from the default credential chain (environment, shared config/profile, container or instance role).
//!
//! Three shapes, all warnings (the code runs; the risk is the key leaking through version control):
//! - SW7001: a literal `aws_access_key_id` / `aws_secret_access_key` / `aws_session_token` keyword
//!   argument to `boto3.client`/`boto3.resource`/`boto3.Session`/`session.client`/`session.resource`;
//!   the fix removes those keyword arguments so boto3 falls back to the default chain.
//! - SW7002: any string literal containing an access key id (`AKIA…`/`ASIA…` and 16 more characters).
//! - SW7003: a 40-character secret-key-shaped literal in the same call or in the same or an adjacent
//!   statement as an access key id.
//!
//! Messages never repeat the value: a diagnostic ends up in logs, CI output and screenshots.
//! AWS's documentation placeholders (ids ending in `EXAMPLE`, such as `AKIAIOSFODNN7EXAMPLE`) are
//! not keys and are skipped, as are empty strings and values not known statically.

use std::collections::HashSet;

use samwise_data::botocore::BotocoreModels;
use samwise_syntax::{Diagnostic, Fix, TextEdit, TextRange};
use tree_sitter::Node;

use crate::infer::Ty;
use crate::literal::string_value;
use crate::{PyFile, range_of};

pub(crate) const CREDENTIAL_ARGUMENT: &str = "SW7001";
pub(crate) const ACCESS_KEY_ID: &str = "SW7002";
pub(crate) const SECRET_KEY: &str = "SW7003";

const CREDENTIAL_KEYWORDS: &[&str] = &["aws_access_key_id", "aws_secret_access_key", "aws_session_token"];

pub(crate) fn diagnostics(file: &PyFile, models: &BotocoreModels) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // String nodes already reported, so one literal gets one finding.
    let mut reported: HashSet<TextRange> = HashSet::new();
    for call in crate::diagnostics::all_calls(file.root()) {
        check_credential_arguments(file, models, call, &mut out, &mut reported);
    }
    for s in strings(file.root()) {
        let Some(v) = string_value(file, s) else { continue };
        if find_access_key_id(&v).is_none() {
            continue;
        }
        if !reported.contains(&range_of(s)) {
            reported.insert(range_of(s));
            out.push(Diagnostic::warning(
                ACCESS_KEY_ID,
                range_of(s),
                format!(
                    "hard-coded AWS access key id ({}…); read credentials from the environment, a profile or a role instead",
                    &v[find_access_key_id(&v).unwrap_or(0)..][..4]
                ),
            ));
        }
        for secret in neighbour_secrets(file, s) {
            if !reported.contains(&range_of(secret)) {
                reported.insert(range_of(secret));
                out.push(Diagnostic::warning(
                    SECRET_KEY,
                    range_of(secret),
                    "hard-coded AWS secret access key (40 characters next to an access key id); read credentials from the environment, a profile or a role instead",
                ));
            }
        }
    }
    out
}

/// SW7001 on `boto3.client("s3", aws_access_key_id="…")` and the other credential-taking factories.
fn check_credential_arguments(
    file: &PyFile,
    models: &BotocoreModels,
    call: Node<'_>,
    out: &mut Vec<Diagnostic>,
    reported: &mut HashSet<TextRange>,
) {
    let (Some(func), Some(args)) = (call.child_by_field_name("function"), call.child_by_field_name("arguments")) else {
        return;
    };
    if args.kind() != "argument_list"
        || !matches!(file.infer(models, func), Some(Ty::ClientFn | Ty::ResourceFn | Ty::SessionClass))
    {
        return;
    }
    let mut c = args.walk();
    let all: Vec<Node<'_>> = args.named_children(&mut c).filter(|a| a.kind() != "comment").collect();
    let is_literal_credential = |a: &Node<'_>| {
        a.kind() == "keyword_argument"
            && a.child_by_field_name("name").is_some_and(|k| CREDENTIAL_KEYWORDS.contains(&file.node_text(k)))
            && a.child_by_field_name("value").and_then(|v| string_value(file, v)).is_some_and(|v| !v.is_empty())
    };
    let flagged: Vec<bool> = all.iter().map(is_literal_credential).collect();
    if !flagged.contains(&true) {
        return;
    }
    let fix = remove_arguments(args, &all, &flagged);
    for (a, _) in all.iter().zip(&flagged).filter(|(_, f)| **f) {
        let (Some(k), Some(v)) = (a.child_by_field_name("name"), a.child_by_field_name("value")) else { continue };
        reported.insert(range_of(v));
        out.push(
            Diagnostic::warning(
                CREDENTIAL_ARGUMENT,
                range_of(v),
                format!(
                    "hard-coded AWS credential in '{}'; omit it so boto3 uses the default credential chain (environment, profile, role)",
                    file.node_text(k)
                ),
            )
            .with_fix(fix.clone()),
        );
    }
}

/// Edits deleting the flagged arguments with their separating commas, leaving the others as written.
fn remove_arguments(list: Node<'_>, all: &[Node<'_>], flagged: &[bool]) -> Fix {
    let title = "Remove the credentials (use the default credential chain)";
    let mut edits = Vec::new();
    let last_kept = flagged.iter().rposition(|f| !f);
    match last_kept {
        None => {
            // Everything goes: empty the parentheses (also drops a trailing comma).
            let start = list.start_byte() as u32 + 1;
            let end = (list.end_byte() as u32).saturating_sub(1).max(start);
            edits.push(TextEdit { range: TextRange::new(start, end), new_text: String::new() });
        }
        Some(k) => {
            // Flagged arguments before the last kept one: delete up to the next argument.
            for i in 0..k {
                if flagged[i] {
                    let r = TextRange::new(all[i].start_byte() as u32, all[i + 1].start_byte() as u32);
                    edits.push(TextEdit { range: r, new_text: String::new() });
                }
            }
            // Flagged arguments after it: delete from its end to the last one's end.
            if k + 1 < all.len() {
                let r = TextRange::new(all[k].end_byte() as u32, all[all.len() - 1].end_byte() as u32);
                edits.push(TextEdit { range: r, new_text: String::new() });
            }
        }
    }
    Fix { title: title.into(), edits }
}

/// All string literal nodes, in source order (f-strings included; `string_value` skips dynamic ones).
fn strings(root: Node<'_>) -> Vec<Node<'_>> {
    let mut out = Vec::new();
    crate::for_each_named(root, |n| {
        let string = n.kind() == "string";
        if string {
            out.push(n);
        }
        !string
    });
    out
}

/// Secret-key-shaped literals near the access key id literal `key`: in the same argument list or
/// dict, or in the statement holding it and the statements right before and after it.
fn neighbour_secrets<'t>(file: &PyFile, key: Node<'t>) -> Vec<Node<'t>> {
    let mut scopes = Vec::new();
    let mut n = key;
    while let Some(p) = n.parent() {
        if matches!(p.kind(), "argument_list" | "dictionary") && scopes.is_empty() {
            scopes.push(p);
        }
        if p.kind() == "expression_statement" {
            scopes.push(p);
            scopes.extend(p.prev_named_sibling());
            scopes.extend(p.next_named_sibling());
            break;
        }
        if p.kind().ends_with("definition") || p.kind() == "module" {
            break;
        }
        n = p;
    }
    let mut out = Vec::new();
    for scope in scopes {
        for s in strings(scope) {
            if s.id() != key.id()
                && string_value(file, s).is_some_and(|v| is_secret_key_shaped(&v))
                && !out.iter().any(|o: &Node<'_>| o.id() == s.id())
            {
                out.push(s);
            }
        }
    }
    out
}

/// Byte offset of an access key id inside `s`: `AKIA` (long-term) or `ASIA` (temporary) followed by
/// 16 upper-case letters or digits, not inside a longer word. Documentation placeholders are skipped.
pub(crate) fn find_access_key_id(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric();
    (0..b.len().saturating_sub(19)).find(|&i| {
        let cand = &b[i..i + 20];
        (cand.starts_with(b"AKIA") || cand.starts_with(b"ASIA"))
            && cand[4..].iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            && !cand.ends_with(b"EXAMPLE")
            && (i == 0 || !word(b[i - 1]))
            && b.get(i + 20).is_none_or(|&c| !word(c))
    })
}

/// A whole value of 40 characters from the secret access key alphabet, with both a letter and a digit
/// (so a 40-character word or number is not taken for one).
pub(crate) fn is_secret_key_shaped(s: &str) -> bool {
    s.len() == 40
        && s.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'/' | b'+' | b'='))
        && s.bytes().any(|c| c.is_ascii_alphabetic())
        && s.bytes().any(|c| c.is_ascii_digit())
        && !s.ends_with("EXAMPLEKEY")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_key_id_shape() {
        assert_eq!(find_access_key_id("AKIAZZZZZZZZZZZZZZZ1"), Some(0));
        assert_eq!(find_access_key_id("key=ASIAZZZZZZZZZZZZZZZ1;"), Some(4));
        assert_eq!(find_access_key_id("AKIAIOSFODNN7EXAMPLE"), None);
        assert_eq!(find_access_key_id("XAKIAZZZZZZZZZZZZZZZ1"), None);
        assert_eq!(find_access_key_id("AKIAZZZZZZZZZZZZZZZ12"), None);
        assert_eq!(find_access_key_id("akiazzzzzzzzzzzzzzz1"), None);
        assert_eq!(find_access_key_id("AKIA"), None);
    }

    #[test]
    fn secret_key_shape() {
        assert!(is_secret_key_shaped("abcdEFGH1234abcdEFGH1234abcdEFGH1234ab/+"));
        assert!(!is_secret_key_shaped("abcdEFGH1234abcdEFGH1234abcdEFGH1234ab/"));
        assert!(!is_secret_key_shaped("abcdefghijabcdefghijabcdefghijabcdefghij"));
        assert!(!is_secret_key_shaped("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));
    }
}
