//! Fixtures for the feature tests: a template with a `$0` cursor marker (or several, for tests that
//! ask the same question at many places), optionally with more files after `//- file: <path>`
//! headers, written to a fresh temporary folder so paths such as `CodeUri` resolve; and renderers
//! that print ranges as `line:col` (1-based) with the text they cover, one item per line.

#![allow(dead_code, reason = "each test file uses a different subset of the helpers")]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use samwise_ide::{Analysis, Config, FileEdit, TextEdit, TextRange};

/// A temporary folder removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("samwise-ide-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub struct Fixture {
    pub dir: TempDir,
    /// The main document: the file holding the cursor, else the first file.
    pub analysis: Analysis,
    /// Cursor offsets in the main document's clean text, in order.
    pub cursors: Vec<u32>,
}

impl Fixture {
    pub fn text(&self) -> &str {
        self.analysis.text()
    }

    pub fn cursor(&self) -> u32 {
        assert_eq!(self.cursors.len(), 1, "the fixture needs exactly one $0");
        self.cursors[0]
    }

    /// A path relative to the fixture folder, for snapshots.
    pub fn rel(&self, path: &Path) -> String {
        path.strip_prefix(&self.dir.0).unwrap_or(path).display().to_string()
    }
}

/// Builds a fixture. Without `//- file:` headers the text is `template.yaml` (or `template.json`
/// when it starts with `{`).
pub fn fixture(text: &str) -> Fixture {
    let mut files: Vec<(String, String)> = Vec::new();
    if text.trim_start().starts_with("//- file:") {
        for chunk in text.trim_start().split("//- file:").skip(1) {
            let (name, body) = chunk.split_once('\n').unwrap_or((chunk, ""));
            files.push((name.trim().to_owned(), body.to_owned()));
        }
    } else {
        let name = if text.trim_start().starts_with('{') { "template.json" } else { "template.yaml" };
        files.push((name.to_owned(), text.to_owned()));
    }
    let dir = TempDir::new();
    let main = files.iter().position(|(_, body)| body.contains("$0")).unwrap_or(0);
    let mut main_text = String::new();
    let mut cursors = Vec::new();
    for (i, (name, body)) in files.iter().enumerate() {
        let mut clean = String::new();
        let mut rest = body.as_str();
        while let Some(at) = rest.find("$0") {
            clean.push_str(&rest[..at]);
            if i == main {
                cursors.push(clean.len() as u32);
            }
            rest = &rest[at + 2..];
        }
        clean.push_str(rest);
        let path = dir.0.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &clean).unwrap();
        if i == main {
            main_text = clean;
        }
    }
    let path = dir.0.join(&files[main].0);
    let analysis = Analysis::new(Some(&path), Arc::from(main_text), &Config::default());
    Fixture { dir, analysis, cursors }
}

/// `line:col` (1-based, columns in bytes) of an offset.
pub fn pos(text: &str, offset: u32) -> String {
    let before = &text[..offset as usize];
    let line = before.matches('\n').count() + 1;
    let col = offset as usize - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    format!("{line}:{col}")
}

/// `line:col-line:col "text"` for a range.
pub fn show(text: &str, range: TextRange) -> String {
    format!("{}-{} {:?}", pos(text, range.start), pos(text, range.end), &text[range.as_range()])
}

/// The text with the edits applied (edits must not overlap).
pub fn apply(text: &str, edits: &[TextEdit]) -> String {
    let mut edits = edits.to_vec();
    edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
    let mut out = text.to_owned();
    for e in edits {
        out.replace_range(e.range.as_range(), &e.new_text);
    }
    out
}

/// The main document's text after the edits to it (`path: None`); edits to other files are an error here.
pub fn apply_file_edits(text: &str, edits: &[FileEdit]) -> String {
    let mut all = Vec::new();
    for fe in edits {
        assert!(fe.path.is_none(), "edit to another file: {:?}", fe.path);
        all.extend(fe.edits.iter().cloned());
    }
    apply(text, &all)
}

/// Applies the first quick fix whose diagnostic code `code` accepts, offered at the `$0` cursor of a
/// code file, to the template it edits; checks the edit was computed against the template on disk
/// and compares the action's title and the edited template with `expect`.
pub fn template_fix(text: &str, code: impl Fn(&str) -> bool, expect: expect_test::Expect) {
    let f = fixture(text);
    let actions = f.analysis.code_actions(TextRange::empty(f.cursor()));
    let Some(action) = actions.iter().find(|a| a.diagnostic_code.as_deref().is_some_and(&code)) else {
        panic!("no fix among {actions:?}");
    };
    let edit = &action.edits[0];
    let path = edit.path.as_ref().expect("the fix edits the template");
    let template = std::fs::read_to_string(path).unwrap();
    assert_eq!(edit.target_text.as_deref(), Some(template.as_str()));
    expect.assert_eq(&format!("{}\n{}", action.title, apply(&template, &edit.edits)));
}
