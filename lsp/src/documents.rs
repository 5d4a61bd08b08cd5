//! The open documents: each one's text on a rope (edited in place by incremental changes) and the
//! [`Analysis`] of its current version. A change only edits the rope and marks the analysis stale;
//! it is rebuilt when something needs it (a request, or the diagnostics push once the queued edits
//! are applied), at most once per version, so a burst of edits costs one analysis, not one each.
//!
//! Resource limits: a document larger than [`MAX_ANALYSED_BYTES`], or a Python file with more than
//! [`MAX_PYTHON_LINES`] lines, is not parsed or even copied: its analysis is that of an empty
//! text (features answer empty) and its diagnostics are one Information finding saying why.

use std::path::PathBuf;
use std::sync::Arc;

use ropey::Rope;
use samwise_ide::{Analysis, Config, Diagnostic, Severity, TextRange};
use tower_lsp_server::ls_types::TextDocumentContentChangeEvent;

use crate::convert::{Encoding, from_proto};
use crate::isolate::Isolation;

/// One open document.
pub struct Document {
    pub rope: Rope,
    pub version: i32,
    pub path: Option<PathBuf>,
    /// The analysis of the current text, or the message of the panic that prevented building it
    /// (requests on this document then answer that error until the next change).
    pub analysis: Result<Arc<Analysis>, String>,
    /// The findings of the current analysis, computed once so that pushed and pulled diagnostics
    /// are the same.
    pub diagnostics: Result<Arc<[Diagnostic]>, String>,
    /// The text changed (or the settings did) since `analysis` was built.
    stale: bool,
}

/// Documents above this size are not analysed. Analysis runs on the one thread that also answers
/// requests; a template costs about 0.7 s per MB to analyse in a debug build (1.9 MB, 69,000 lines:
/// 1.4 s), and templates CloudFormation accepts are at most 1 MB. So a generated file costs one
/// notice instead of stalling the session on every edit.
pub const MAX_ANALYSED_BYTES: usize = 2 * 1024 * 1024;
/// Python files with more lines than this are not analysed either: the boto3 analysis is linear in
/// the file's size but dearer per byte than a template's (debug build: 9,000 lines 0.38 s CPU;
/// release about 35 ms per 1,000 lines, `cargo bench -p samwise-lsp --bench python_scaling`), and it
/// runs again after every edit on the thread that answers requests.
pub const MAX_PYTHON_LINES: usize = 10_000;
/// The code of the Information finding on a document too large to analyse.
pub const TOO_LARGE_CODE: &str = "SW0010";

impl Document {
    pub fn new(text: &str, version: i32, path: Option<PathBuf>) -> Document {
        Document {
            rope: Rope::from_str(text),
            version,
            path,
            analysis: Err("not analysed yet".into()),
            diagnostics: Ok(Arc::from([])),
            stale: true,
        }
    }

    /// Marks the analysis out of date (the settings changed); it is rebuilt when next needed.
    pub fn mark_stale(&mut self) {
        self.stale = true;
    }

    /// Rebuilds the analysis if the text or the settings changed since it was built.
    pub fn ensure_analysed(&mut self, config: &Config, iso: &Isolation) {
        if self.stale {
            self.reanalyse(config, iso);
        }
    }

    /// Applies one didChange's content changes, in order, each relative to the text the previous
    /// one produced (as LSP specifies).
    pub fn apply_changes(&mut self, changes: Vec<TextDocumentContentChangeEvent>, version: i32, enc: Encoding) {
        for change in changes {
            match change.range {
                Some(range) => {
                    let start = from_proto::rope_char(&self.rope, range.start, enc);
                    let end = from_proto::rope_char(&self.rope, range.end, enc).max(start);
                    self.rope.remove(start..end);
                    self.rope.insert(start, &change.text);
                }
                None => self.rope = Rope::from_str(&change.text),
            }
        }
        self.version = version;
        self.stale = true;
    }

    /// Rebuilds the analysis and its diagnostics for the current text, each call isolated so that
    /// a panic is caught and kept as that document's error.
    fn reanalyse(&mut self, config: &Config, iso: &Isolation) {
        self.stale = false;
        let (bytes, lines) = (self.rope.len_bytes(), self.rope.len_lines());
        let python = self.path.as_deref().and_then(|p| p.extension()).is_some_and(|e| e.eq_ignore_ascii_case("py"));
        if bytes > MAX_ANALYSED_BYTES || (python && lines > MAX_PYTHON_LINES) {
            // Not even copied: the analysis of an empty text without a path (kind Other) answers
            // every request empty, and a position in it clamps to the start.
            self.analysis = iso.run("analysis", || Analysis::new(None, Arc::from(""), config)).map(Arc::new);
            let message = format!(
                "samwise: this file is too large to analyse ({:.1} MB, {lines} lines; the limits are {} MB, and \
                 {MAX_PYTHON_LINES} lines for Python), so it has no diagnostics, completion or hover.",
                bytes as f64 / (1024.0 * 1024.0),
                MAX_ANALYSED_BYTES / (1024 * 1024),
            );
            let notice = Diagnostic::new(TOO_LARGE_CODE, Severity::Information, TextRange::new(0, 0), message);
            self.diagnostics = Ok(Arc::from([notice]));
            return;
        }
        let text: Arc<str> = Arc::from(String::from(&self.rope));
        let path = self.path.as_deref();
        self.analysis = iso.run("analysis", || Analysis::new(path, text, config)).map(Arc::new);
        self.diagnostics = match &self.analysis {
            Ok(analysis) => iso.run("diagnostics", || analysis.diagnostics()).map(Arc::from),
            Err(e) => Err(e.clone()),
        };
    }

    pub fn text(&self) -> String {
        String::from(&self.rope)
    }
}
