//! samwise-ide: the facade the language server calls. One [`Analysis`] is built per document version
//! (parsing once per change, never per request); every feature is a method that takes byte offsets
//! and returns plain structs. Nothing here knows LSP: `lsp/` converts in and out.
//!
//! One module per feature (`completion`, `hover`, `navigation`, `rename`, `symbols`, `actions`,
//! `lens`, `signature`, `diagnostics`); a feature that has nothing for a document kind returns an
//! empty answer rather than an error.

mod actions;
mod completion;
mod crossref;
mod data;
mod diagnostics;
mod hover;
mod iam;
mod lens;
mod navigation;
mod python;
mod rename;
mod symbols;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use samwise_data::CfnData;
use samwise_syntax::Format;
use samwise_template::Template;

pub use data::load_error;
pub use python::botocore_load_error;
pub use samwise_syntax::{Diagnostic, Fix, LineIndex, Severity, TextEdit, TextRange};
pub use samwise_template::RuleInfo;
pub use symbols::{WorkspaceSymbol, workspace_symbols};

/// How `name` matches what the user typed, `query` (already lower-case), ignoring case: 0 for the
/// same name, 1 for a prefix, 2 for the query's characters in order; `None` when it does not match.
/// Editors filter completion lists at least this strictly. Completion, the server's completion
/// item limit and workspace symbols all rank by it.
pub fn match_rank(name: &str, query: &str) -> Option<u8> {
    let lower = || name.chars().flat_map(char::to_lowercase);
    if lower().eq(query.chars()) {
        return Some(0);
    }
    let mut chars = lower();
    if query.chars().all(|q| chars.next() == Some(q)) {
        return Some(1);
    }
    matches_typed(name, query).then_some(2)
}

/// Whether `name` holds the characters of `query` (already lower-case) in order, ignoring case:
/// [`match_rank`] without the rank, for filtering long lists.
pub fn matches_typed(name: &str, query: &str) -> bool {
    let mut chars = name.chars().flat_map(char::to_lowercase);
    query.chars().all(|q| chars.any(|c| c == q))
}

/// Every rule `samwise-lsp check` and the server report, in code order: the template rules and
/// the template/code cross-checks.
pub fn rules() -> Vec<RuleInfo> {
    let mut all = samwise_template::rules();
    all.extend_from_slice(crossref::RULES);
    all.extend_from_slice(iam::RULES);
    all.sort_by_key(|r| r.code);
    all
}

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
    /// The workspace's Python interpreter (for the installed-botocore option and local runs).
    pub python_path: Option<PathBuf>,
    /// Use the botocore installed for `python_path` instead of the embedded models.
    pub prefer_installed_botocore: bool,
}

/// The analysis of one document version.
#[derive(Debug)]
pub struct Analysis {
    path: Option<PathBuf>,
    text: Arc<str>,
    kind: DocKind,
    line_index: LineIndex,
    config: Config,
    /// The template model (for YAML/JSON documents; `is_template` tells whether it is one).
    template: Option<Template>,
    /// The parsed Python file (for `.py` documents).
    python: Option<samwise_boto::PyFile>,
}

impl Analysis {
    /// Analyses `text`; `path` (when the document is a file) decides the kind by extension and
    /// anchors relative paths such as `CodeUri`. Parsing happens here, once per document version.
    pub fn new(path: Option<&Path>, text: Arc<str>, config: &Config) -> Analysis {
        Analysis::build(path, text, config, None)
    }

    /// Like [`Analysis::new`], for the next version of the document `previous` analysed: a Python
    /// file is reparsed incrementally, reusing the unchanged parts of `previous`'s syntax tree,
    /// through `edits` (each a byte range of the text the edit before it left and the range's new
    /// text, in the editor's order). Anything else, or edits that do not lead from `previous`'s text
    /// to `text`, is analysed from scratch.
    pub fn after_edits<S: AsRef<str>>(
        path: Option<&Path>,
        text: Arc<str>,
        config: &Config,
        previous: &Analysis,
        edits: &[(TextRange, S)],
    ) -> Analysis {
        let reparsed = previous.python.as_ref().and_then(|py| py.edited(edits)).filter(|py| py.text() == &*text);
        Analysis::build(path, text, config, reparsed)
    }

    /// [`Analysis::new`], taking `reparsed` as the parse of a Python file's `text` when given.
    fn build(path: Option<&Path>, text: Arc<str>, config: &Config, reparsed: Option<samwise_boto::PyFile>) -> Analysis {
        let ext = path.and_then(Path::extension).and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        let mut python = None;
        let (kind, template) = match ext.as_deref() {
            Some("py") => {
                python = Some(reparsed.unwrap_or_else(|| python::parse(&text)));
                (DocKind::Python, None)
            }
            Some("yaml" | "yml" | "json" | "template") => {
                let format = Format::detect(path, &text);
                let t = Template::new(text.clone(), format);
                (if t.is_template { DocKind::Template } else { DocKind::Other }, Some(t))
            }
            _ => (DocKind::Other, None),
        };
        let line_index = LineIndex::new(&text);
        Analysis { path: path.map(Path::to_path_buf), text, kind, line_index, config: config.clone(), template, python }
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

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The template model, when this document is a template.
    pub fn template(&self) -> Option<&Template> {
        self.template.as_ref().filter(|t| t.is_template)
    }

    /// The schema data in effect (the configured data directory, else the embedded data).
    pub fn data(&self) -> &'static CfnData {
        data::cfn(&self.config)
    }

    /// The parsed Python file, when this document is Python.
    pub fn python(&self) -> Option<&samwise_boto::PyFile> {
        self.python.as_ref()
    }

    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut out = match &self.python {
            Some(py) => python::diagnostics(self, py),
            None => diagnostics::diagnostics(self),
        };
        out.extend(crossref::diagnostics(self));
        out.extend(iam::diagnostics(self));
        out
    }

    pub fn completions(&self, offset: u32) -> Vec<CompletionItem> {
        match &self.python {
            Some(py) => python::completions(self, py, offset),
            None => completion::completions(self, offset),
        }
    }

    /// Documentation for a completion item, computed only when the editor asks (completionItem/resolve).
    pub fn resolve_completion(&self, item: &CompletionItem) -> Option<String> {
        completion::resolve(self, item)
    }

    pub fn hover(&self, offset: u32) -> Option<Hover> {
        match &self.python {
            Some(py) => iam::hover(self, py, offset, python::hover(self, py, offset)),
            None => crossref::hover(self, offset).or_else(|| hover::hover(self, offset)),
        }
    }

    pub fn signature_help(&self, offset: u32) -> Option<SignatureHelp> {
        self.python.as_ref().and_then(|py| python::signature_help(self, py, offset))
    }

    pub fn definition(&self, offset: u32) -> Vec<Location> {
        navigation::definition(self, offset)
    }

    pub fn references(&self, offset: u32, include_declaration: bool) -> Vec<Location> {
        navigation::references(self, offset, include_declaration)
    }

    /// The range of the name under the cursor that can be renamed, or why it cannot.
    pub fn prepare_rename(&self, offset: u32) -> Result<TextRange, String> {
        rename::prepare_rename(self, offset)
    }

    pub fn rename(&self, offset: u32, new_name: &str) -> Result<Vec<FileEdit>, String> {
        rename::rename(self, offset, new_name)
    }

    pub fn document_symbols(&self) -> Vec<Symbol> {
        symbols::document_symbols(self)
    }

    pub fn folding_ranges(&self) -> Vec<TextRange> {
        symbols::folding_ranges(self)
    }

    /// Code actions for the given range: quick fixes of diagnostics overlapping it and refactorings.
    pub fn code_actions(&self, range: TextRange) -> Vec<CodeAction> {
        let mut out = actions::code_actions(self, range);
        out.extend(crossref::code_actions(self, range));
        out.extend(iam::code_actions(self, range));
        out
    }

    pub fn code_lenses(&self) -> Vec<CodeLens> {
        lens::code_lenses(self)
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
