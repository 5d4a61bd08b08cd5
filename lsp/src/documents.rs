//! The open documents: each one's text on a rope (edited in place by incremental changes) and the
//! [`Analysis`] of its current version, rebuilt once per change so that requests never parse.

use std::path::PathBuf;
use std::sync::Arc;

use ropey::Rope;
use samwise_ide::{Analysis, Config, Diagnostic};
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
}

impl Document {
    pub fn new(text: &str, version: i32, path: Option<PathBuf>) -> Document {
        Document {
            rope: Rope::from_str(text),
            version,
            path,
            analysis: Err("not analysed yet".into()),
            diagnostics: Ok(Arc::from([])),
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
    }

    /// Rebuilds the analysis and its diagnostics for the current text, each call isolated so that
    /// a panic is caught and kept as that document's error.
    pub fn reanalyse(&mut self, config: &Config, iso: &Isolation) {
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
