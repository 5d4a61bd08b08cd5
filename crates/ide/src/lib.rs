//! samwise-ide: the facade the language server calls. One [`Analysis`] is built per document version
//! (parsing once per change, never per request); every feature is a method that takes byte offsets
//! and returns plain structs. Nothing here knows LSP: `lsp/` converts in and out.
//!
//! Features are filled in module by module; a method that has no results for a document kind
//! returns an empty answer rather than an error.

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use samwise_syntax::{Diagnostic, Fix, LineIndex, Severity, TextEdit, TextRange};

/// What kind of document an [`Analysis`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    /// A CloudFormation/SAM template (YAML or JSON).
    Template,
    /// A Python source file (boto3 analysis).
    Python,
    /// Anything else: no findings, no completions.
    Other,
}

/// User settings that change analysis results.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    /// A directory holding newer generated data files (`cfn.bin`, `botocore.bin`).
    pub data_dir: Option<PathBuf>,
    /// Rule codes never reported.
    pub disabled_rules: Vec<String>,
    /// Per-code severity overrides.
    pub severity_overrides: Vec<(String, Severity)>,
}

/// The analysis of one document version.
#[derive(Debug)]
pub struct Analysis {
    path: Option<PathBuf>,
    text: Arc<str>,
    kind: DocKind,
    line_index: LineIndex,
}

impl Analysis {
    /// Analyses `text`; `path` (when the document is a file) decides the kind by extension and
    /// anchors relative paths such as `CodeUri`.
    pub fn new(path: Option<&Path>, text: Arc<str>, _config: &Config) -> Analysis {
        let kind = match path.and_then(Path::extension).and_then(|e| e.to_str()) {
            Some("py") => DocKind::Python,
            Some("yaml" | "yml" | "json" | "template") => DocKind::Template,
            _ => DocKind::Other,
        };
        let line_index = LineIndex::new(&text);
        Analysis { path: path.map(Path::to_path_buf), text, kind, line_index }
    }

    pub fn kind(&self) -> DocKind {
        self.kind
    }

    pub fn text(&self) -> &Arc<str> {
        &self.text
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn line_index(&self) -> &LineIndex {
        &self.line_index
    }

    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        Vec::new()
    }

    pub fn completions(&self, _offset: u32) -> Vec<CompletionItem> {
        Vec::new()
    }

    /// Documentation for a completion item, computed only when the editor asks (completionItem/resolve).
    pub fn resolve_completion(&self, _item: &CompletionItem) -> Option<String> {
        None
    }

    pub fn hover(&self, _offset: u32) -> Option<Hover> {
        None
    }

    pub fn signature_help(&self, _offset: u32) -> Option<SignatureHelp> {
        None
    }

    pub fn definition(&self, _offset: u32) -> Vec<Location> {
        Vec::new()
    }

    pub fn references(&self, _offset: u32, _include_declaration: bool) -> Vec<Location> {
        Vec::new()
    }

    /// The range of the name under the cursor that can be renamed, or why it cannot.
    pub fn prepare_rename(&self, _offset: u32) -> Result<TextRange, String> {
        Err("nothing to rename here".into())
    }

    pub fn rename(&self, _offset: u32, _new_name: &str) -> Result<Vec<FileEdit>, String> {
        Err("nothing to rename here".into())
    }

    pub fn document_symbols(&self) -> Vec<Symbol> {
        Vec::new()
    }

    pub fn folding_ranges(&self) -> Vec<TextRange> {
        Vec::new()
    }

    /// Code actions for the given range: quick fixes of diagnostics overlapping it and refactorings.
    pub fn code_actions(&self, _range: TextRange) -> Vec<CodeAction> {
        Vec::new()
    }

    pub fn code_lenses(&self) -> Vec<CodeLens> {
        Vec::new()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionKind {
    Section,
    ResourceType,
    Property,
    Value,
    EnumMember,
    Function,
    Reference,
    Keyword,
    Snippet,
    File,
    Folder,
    Module,
    Method,
    Field,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CompletionItem {
    pub label: String,
    pub kind: CompletionKind,
    /// Short text shown beside the label (a type, a resource type).
    pub detail: Option<String>,
    /// Markdown documentation when cheap; otherwise filled by [`Analysis::resolve_completion`].
    pub documentation: Option<String>,
    /// The text that replaces `replace_range`; a snippet (`$1`, `${1:x}`) when `is_snippet`.
    pub insert_text: String,
    pub is_snippet: bool,
    /// The range the insert text replaces (the partial word under the cursor).
    pub replace_range: TextRange,
    /// Sorts before other items with a smaller key (required properties first, ...).
    pub sort_key: String,
    /// Text the editor filters on when it differs from the label.
    pub filter_text: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hover {
    pub range: TextRange,
    pub markdown: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SignatureHelp {
    pub label: String,
    pub documentation: Option<String>,
    /// Parameter label ranges as byte offsets into `label`.
    pub parameters: Vec<(TextRange, Option<String>)>,
    pub active_parameter: Option<u32>,
}

/// A place in this document (`path: None`) or in another file.
#[derive(Debug, Clone, PartialEq)]
pub struct Location {
    pub path: Option<PathBuf>,
    pub range: TextRange,
    /// For locations in other files, the target range is in that file's text; the server converts it
    /// with that file's line index.
    pub target_text: Option<Arc<str>>,
}

/// Edits to one file (`path: None` = this document).
#[derive(Debug, Clone, PartialEq)]
pub struct FileEdit {
    pub path: Option<PathBuf>,
    pub edits: Vec<TextEdit>,
    pub target_text: Option<Arc<str>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    Section,
    Parameter,
    Resource,
    Output,
    Condition,
    Mapping,
    Function,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Symbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    pub range: TextRange,
    pub selection_range: TextRange,
    pub children: Vec<Symbol>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CodeAction {
    pub title: String,
    /// Whether this fixes a diagnostic (quickfix) rather than being a refactoring.
    pub is_quickfix: bool,
    /// Code of the diagnostic this fixes, if any.
    pub diagnostic_code: Option<String>,
    pub edits: Vec<FileEdit>,
    pub is_preferred: bool,
}

/// A code lens: a command shown above a range. `command` is one of the server's command ids
/// (`samwise.invokeLocally`, `samwise.debugLocally`, `samwise.deploy`); `arguments` are plain strings
/// (the template path, the function's logical id).
#[derive(Debug, Clone, PartialEq)]
pub struct CodeLens {
    pub range: TextRange,
    pub title: String,
    pub command: String,
    pub arguments: Vec<String>,
}
