//! Shared helpers of the fixture tests: the embedded models (decoded once per test binary), the `$0`
//! cursor marker, and renderers that print results one item per line for expect-test snapshots.

#![allow(dead_code)]

use std::sync::OnceLock;

use samwise_boto::{BotocoreModels, CompletionItem, Diagnostic, PyFile};

pub fn models() -> &'static BotocoreModels {
    static M: OnceLock<BotocoreModels> = OnceLock::new();
    M.get_or_init(|| BotocoreModels::embedded().expect("embedded botocore data opens"))
}

/// Removes the `$0` marker and returns the text and the cursor's byte offset.
pub fn cursor(fixture: &str) -> (String, u32) {
    let at = fixture.find("$0").expect("fixture has a $0 cursor marker");
    (fixture.replacen("$0", "", 1), at as u32)
}

/// Completion items at the cursor, one per line, in sort order: `kind label (detail)`.
pub fn complete(fixture: &str) -> String {
    let (text, at) = cursor(fixture);
    let mut items = PyFile::parse(&text).completions(models(), at);
    items.sort_by(|a, b| a.sort_key.cmp(&b.sort_key).then(a.label.cmp(&b.label)));
    render_items(&items, usize::MAX)
}

/// Like [`complete`] but only the first `n` items and the total count.
pub fn complete_head(fixture: &str, n: usize) -> String {
    let (text, at) = cursor(fixture);
    let mut items = PyFile::parse(&text).completions(models(), at);
    items.sort_by(|a, b| a.sort_key.cmp(&b.sort_key).then(a.label.cmp(&b.label)));
    format!("{} items\n{}", items.len(), render_items(&items, n))
}

pub fn render_items(items: &[CompletionItem], n: usize) -> String {
    let mut out = String::new();
    for i in items.iter().take(n) {
        let kind = format!("{:?}", i.kind).to_lowercase();
        out.push_str(&format!("{kind} {}", i.label));
        if let Some(d) = &i.detail {
            out.push_str(&format!(" ({d})"));
        }
        if i.insert_text != i.label {
            out.push_str(&format!(" => {:?}", i.insert_text));
        }
        out.push('\n');
    }
    out
}

/// The text with each diagnostic shown under its line as `# ^^^ severity CODE: message`.
pub fn annotate(text: &str) -> String {
    let diags = PyFile::parse(text).diagnostics(models());
    render_diagnostics(text, &diags)
}

pub fn render_diagnostics(text: &str, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    let mut line_start = 0usize;
    for line in text.split_inclusive('\n') {
        let line_end = line_start + line.len();
        out.push_str(line);
        if !line.ends_with('\n') {
            out.push('\n');
        }
        for d in diags.iter().filter(|d| (d.range.start as usize) >= line_start && (d.range.start as usize) < line_end)
        {
            let col = d.range.start as usize - line_start;
            let width =
                (d.range.end as usize).min(line_end.saturating_sub(1)).saturating_sub(d.range.start as usize).max(1);
            let pad = " ".repeat(col.saturating_sub(2));
            let fixes: Vec<&str> = d.fixes.iter().map(|f| f.title.as_str()).collect();
            let fix = if fixes.is_empty() { String::new() } else { format!(" [fix: {}]", fixes.join("; ")) };
            if col >= 2 {
                out.push_str(&format!(
                    "{pad}# {} {} {}: {}{fix}\n",
                    "^".repeat(width),
                    d.severity.as_str(),
                    d.code,
                    d.message
                ));
            } else {
                out.push_str(&format!(
                    "# {}{} {} {}: {}{fix}\n",
                    " ".repeat(col),
                    "^".repeat(width),
                    d.severity.as_str(),
                    d.code,
                    d.message
                ));
            }
        }
        line_start = line_end;
    }
    out
}
