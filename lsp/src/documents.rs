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
    /// For a Python document, the changes since `analysis` was built (byte ranges and new texts, in
    /// order), so that the next analysis reparses incrementally; `None` after a change replacing the
    /// whole text, or once more than [`MAX_KEPT_EDITS`] piled up: the next analysis parses afresh.
    python_edits: Option<Vec<(TextRange, String)>>,
}

/// The most changes kept for an incremental reparse; past that a fresh parse is as quick.
const MAX_KEPT_EDITS: usize = 64;

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
            python_edits: None,
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
                    if let Some(edits) = &mut self.python_edits {
                        let (start, end) = (self.rope.char_to_byte(start), self.rope.char_to_byte(end));
                        match (u32::try_from(start), u32::try_from(end)) {
                            (Ok(start), Ok(end)) if edits.len() < MAX_KEPT_EDITS => {
                                edits.push((TextRange::new(start, end), change.text.clone()));
                            }
                            _ => self.python_edits = None,
                        }
                    }
                    self.rope.remove(start..end);
                    self.rope.insert(start, &change.text);
                }
                None => {
                    self.rope = Rope::from_str(&change.text);
                    self.python_edits = None;
                }
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
            self.python_edits = None;
            return;
        }
        let text: Arc<str> = Arc::from(String::from(&self.rope));
        let path = self.path.as_deref();
        let (previous, edits) = (&self.analysis, self.python_edits.take());
        self.analysis = iso
            .run("analysis", || match (previous, &edits) {
                (Ok(previous), Some(edits)) => Analysis::after_edits(path, text, config, previous, edits),
                _ => Analysis::new(path, text, config),
            })
            .map(Arc::new);
        if python {
            self.python_edits = Some(Vec::new());
        }
        self.diagnostics = match &self.analysis {
            Ok(analysis) => iso.run("diagnostics", || analysis.diagnostics()).map(Arc::from),
            Err(e) => Err(e.clone()),
        };
    }

    pub fn text(&self) -> String {
        String::from(&self.rope)
    }
}

#[cfg(test)]
mod tests {
    use tower_lsp_server::ls_types::{Position, Range};

    use super::*;

    /// An LSP position of byte `offset` of `text` (lines end at `\n` only here).
    fn position(text: &str, offset: usize, enc: Encoding) -> Position {
        let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line = text[..offset].matches('\n').count() as u32;
        Position { line, character: enc.len(&text[line_start..offset]) }
    }

    fn boundary(text: &str, state: &mut u64) -> usize {
        *state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        let mut at = ((*state >> 33) % (text.len() as u64 + 1)) as usize;
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at
    }

    /// A Python document's edits are kept as byte ranges that lead from the analysed text to the
    /// current one (through multi-byte characters, in both encodings), so the next analysis reparses
    /// incrementally; its findings are those of a fresh analysis of the same text.
    #[test]
    fn python_edits_lead_from_the_analysed_text_to_the_current_one() {
        let text = "import boto3\n# caf\u{e9} \u{1f600}\nssm = boto3.client('ssm')\n\ndef handler(event, context):\n    \
                    return ssm.get_parameter(Name='x', Nme=1)\n";
        let pieces = ["", "x", "\u{e9}", "\u{1f600}", "\n", "(", "ssm.put_parameter(Name='a')\n", "    "];
        let (config, iso) = (Config::default(), Isolation::from_env());
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            let mut doc = Document::new(text, 1, Some(PathBuf::from("/project/src/app.py")));
            doc.ensure_analysed(&config, &iso);
            let mut state = 7_u64;
            for version in 2..200 {
                let mut changes = Vec::new();
                let mut expected = doc.text();
                for _ in 0..1 + version % 3 {
                    let (a, b) = (boundary(&expected, &mut state), boundary(&expected, &mut state));
                    let (start, end) = (a.min(b), a.max(b));
                    let piece = pieces[(state >> 40) as usize % pieces.len()];
                    let range = Range { start: position(&expected, start, enc), end: position(&expected, end, enc) };
                    changes.push(TextDocumentContentChangeEvent {
                        range: Some(range),
                        range_length: None,
                        text: piece.into(),
                    });
                    expected.replace_range(start..end, piece);
                }
                doc.apply_changes(changes, version, enc);
                assert_eq!(doc.text(), expected);
                let previous = doc.analysis.as_ref().expect("analysed").python().expect("a Python file");
                let edits = doc.python_edits.as_ref().expect("edits kept");
                let reparsed = previous.edited(edits).expect("edits within the analysed text");
                assert_eq!(reparsed.text(), expected, "{enc:?} version {version}");
                doc.ensure_analysed(&config, &iso);
                let mut fresh = Document::new(&expected, version, doc.path.clone());
                fresh.ensure_analysed(&config, &iso);
                assert_eq!(doc.diagnostics, fresh.diagnostics, "{enc:?} version {version}");
            }
        }
    }

    #[test]
    fn a_whole_text_change_drops_the_kept_edits() {
        let (config, iso) = (Config::default(), Isolation::from_env());
        let mut doc = Document::new("x = 1\n", 1, Some(PathBuf::from("/project/app.py")));
        doc.ensure_analysed(&config, &iso);
        let whole = TextDocumentContentChangeEvent { range: None, range_length: None, text: "y = 2\n".into() };
        doc.apply_changes(vec![whole], 2, Encoding::Utf8);
        assert!(doc.python_edits.is_none());
        doc.ensure_analysed(&config, &iso);
        assert_eq!(doc.analysis.as_ref().unwrap().python().unwrap().text(), "y = 2\n");
        assert_eq!(doc.python_edits.as_deref(), Some(&[][..]), "kept again from the new analysis on");
    }
}
