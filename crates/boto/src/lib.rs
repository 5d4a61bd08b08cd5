//! samwise-boto: boto3 analysis of Python source. It recognises boto3 clients and resources with
//! tree-sitter-python (error-tolerant: a half-typed line still parses around it) and answers
//! completion, diagnostics, hover and signature help from the botocore models of `samwise-data`.
//!
//! A [`PyFile`] is parsed once per document change and holds the tree plus an index of name bindings;
//! every request reuses both. Results are plain structs shaped like `samwise-ide`'s (this crate sits
//! below `ide`, so it defines its own copies with the same fields for a 1:1 conversion).
//!
//! Code map: `index` (scopes and bindings), `infer` (what a Python expression is: a client, a resource,
//! a response), `literal` (Python literals), `complete`, `diagnostics`, `hover` (hover and signature help),
//! `cli` (AWS CLI equivalents of calls, both ways).
//!
//! DEPENDENCIES
//! - `tree-sitter`, `tree-sitter-python`: the error-tolerant, incremental Python parser the issue asks for.
//! - `samwise-data`: the embedded botocore/boto3 models; `samwise-syntax`: ranges and diagnostics.
//! - `serde`, `serde_json`: read the JSON values of pasted `aws` command lines straight into our own
//!   value type, keeping the key order the user wrote (without serde_json's `preserve_order`, which
//!   would switch every crate built alongside to slower insertion-ordered maps).

mod cli;
mod complete;
mod credentials;
mod diagnostics;
mod env;
mod hover;
mod index;
mod infer;
mod literal;

use std::path::{Path, PathBuf};

pub use cli::{BotoFromCli, CliCommand, cli_service_name};
pub use env::{EnvRead, EnvReads, PyFunction, PyImport, PyOutline};
pub use samwise_data::botocore::BotocoreModels;
pub use samwise_syntax::{Diagnostic, Fix, Severity, TextEdit, TextRange};
use tree_sitter::{InputEdit, Node, Parser, Point, Tree};

use crate::index::FileIndex;

/// One parsed Python document.
pub struct PyFile {
    text: String,
    tree: Tree,
    index: FileIndex,
}

impl std::fmt::Debug for PyFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PyFile").field("len", &self.text.len()).finish_non_exhaustive()
    }
}

fn parser() -> Parser {
    let mut p = Parser::new();
    p.set_language(&tree_sitter_python::LANGUAGE.into())
        .expect("the bundled Python grammar matches the tree-sitter version");
    p
}

impl PyFile {
    /// Parses `text`. Never fails: syntax errors leave ERROR nodes that the analysis steps around.
    pub fn parse(text: &str) -> PyFile {
        let tree = parser().parse(text, None).expect("parsing without a timeout or cancellation always yields a tree");
        PyFile::with_tree(text.to_owned(), tree)
    }

    /// Applies one edit (replace `range` of the current text by `new_text`) and reparses incrementally,
    /// reusing the unchanged parts of the previous tree.
    pub fn edit(&self, range: TextRange, new_text: &str) -> PyFile {
        self.edited(&[(range, new_text)]).expect("one edit within the text")
    }

    /// Applies `edits` in order (each range relative to the text the previous edit left, as an
    /// editor's changes are) and reparses once, reusing the unchanged parts of the previous tree.
    /// `None` when an edit's range is not within the text or not on character boundaries.
    pub fn edited<S: AsRef<str>>(&self, edits: &[(TextRange, S)]) -> Option<PyFile> {
        let mut text = self.text.clone();
        let mut old = self.tree.clone();
        for (range, new_text) in edits {
            let (start, end) = (range.start as usize, range.end as usize);
            if start > end || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
                return None;
            }
            let (start_position, old_end_position) = (point_at(&text, start), point_at(&text, end));
            let new_text = new_text.as_ref();
            text.replace_range(start..end, new_text);
            let new_end = start + new_text.len();
            old.edit(&InputEdit {
                start_byte: start,
                old_end_byte: end,
                new_end_byte: new_end,
                start_position,
                old_end_position,
                new_end_position: point_at(&text, new_end),
            });
        }
        let tree = parser().parse(&text, Some(&old)).expect("parsing always yields a tree");
        Some(PyFile::with_tree(text, tree))
    }

    fn with_tree(text: String, tree: Tree) -> PyFile {
        let index = FileIndex::build(tree.root_node(), &text);
        PyFile { text, tree, index }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub(crate) fn root(&self) -> Node<'_> {
        self.tree.root_node()
    }

    pub(crate) fn node_text(&self, n: Node<'_>) -> &str {
        &self.text[n.byte_range()]
    }

    /// Problems botocore would raise when these calls run (errors), plus enum and deprecation warnings.
    pub fn diagnostics(&self, models: &BotocoreModels) -> Vec<Diagnostic> {
        diagnostics::diagnostics(self, models)
    }

    pub fn completions(&self, models: &BotocoreModels, offset: u32) -> Vec<CompletionItem> {
        complete::completions(self, models, offset)
    }

    pub fn hover(&self, models: &BotocoreModels, offset: u32) -> Option<Hover> {
        hover::hover(self, models, offset)
    }

    pub fn signature_help(&self, models: &BotocoreModels, offset: u32) -> Option<SignatureHelp> {
        hover::signature_help(self, models, offset)
    }

    /// The AWS CLI command equivalent to the innermost boto3 client call containing `offset`.
    pub fn cli_command(&self, models: &BotocoreModels, offset: u32) -> Option<CliCommand> {
        cli::command_at(self, models, offset)
    }

    /// The boto3 call equivalent to an `aws ...` command line in the comment or string at `offset`.
    pub fn boto3_from_cli(&self, models: &BotocoreModels, offset: u32) -> Option<BotoFromCli> {
        cli::boto_at(self, models, offset)
    }

    /// Every recognised boto3 API call in the file, in source order.
    pub fn calls(&self, models: &BotocoreModels) -> Vec<BotoCall> {
        diagnostics::calls(self, models)
    }

    /// The environment variables the file reads (for the template cross-checks).
    pub fn env_reads(&self) -> EnvReads {
        env::env_reads(self)
    }

    /// Module-level names, top-level function signatures and imports (for the template cross-checks).
    pub fn outline(&self) -> PyOutline {
        env::outline(self)
    }
}

fn point_at(text: &str, offset: usize) -> Point {
    let before = &text.as_bytes()[..offset];
    let row = before.iter().filter(|&&b| b == b'\n').count();
    let col = before.iter().rev().take_while(|&&b| b != b'\n').count();
    Point { row, column: col }
}

/// A boto3 call the analysis recognised: which API it reaches and with what permission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BotoCall {
    /// botocore service name (`ssm`).
    pub service: String,
    /// API operation name (`GetParameter`).
    pub operation: String,
    /// The Python method name (`get_parameter`).
    pub method: String,
    /// The IAM action the call needs (`ssm:GetParameter`).
    pub iam_action: String,
    /// The whole call expression.
    pub range: TextRange,
    /// The method name in the call.
    pub method_range: TextRange,
    /// Whether the call goes through a boto3 resource (`table.put_item`) rather than a client.
    pub via_resource: bool,
}

/// Same variants as `samwise_ide::CompletionKind`, for a 1:1 conversion.
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

/// Same fields as `samwise_ide::CompletionItem`.
#[derive(Debug, Clone, PartialEq)]
pub struct CompletionItem {
    pub label: String,
    pub kind: CompletionKind,
    pub detail: Option<String>,
    pub documentation: Option<String>,
    pub insert_text: String,
    pub is_snippet: bool,
    pub replace_range: TextRange,
    pub sort_key: String,
    pub filter_text: Option<String>,
}

/// Same fields as `samwise_ide::Hover`.
#[derive(Debug, Clone, PartialEq)]
pub struct Hover {
    pub range: TextRange,
    pub markdown: String,
}

/// Same fields as `samwise_ide::SignatureHelp`.
#[derive(Debug, Clone, PartialEq)]
pub struct SignatureHelp {
    pub label: String,
    pub documentation: Option<String>,
    /// Parameter label ranges as byte offsets into `label`.
    pub parameters: Vec<(TextRange, Option<String>)>,
    pub active_parameter: Option<u32>,
}

/// The `botocore/data` directory of the botocore that `python` imports, for
/// [`BotocoreModels::from_botocore_data_dir`] (the "use the workspace's botocore" setting).
pub fn installed_botocore_data_dir(python: &Path) -> Result<PathBuf, String> {
    let out = std::process::Command::new(python)
        // `-c` puts the working directory (often the workspace) first on sys.path; dropped, so a
        // `botocore.py` in the project is never imported, and run there.
        .args([
            "-c",
            "import sys; sys.path = [p for p in sys.path if p not in ('', '.')]; import botocore, os; \
             print(os.path.join(os.path.dirname(botocore.__file__), 'data'))",
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    if !out.status.success() {
        return Err(format!(
            "{} cannot import botocore ({}); install boto3 in that environment or turn the setting off",
            python.display(),
            String::from_utf8_lossy(&out.stderr).trim().lines().last().unwrap_or("")
        ));
    }
    let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    if dir.is_dir() { Ok(dir) } else { Err(format!("{} is not a directory", dir.display())) }
}

/// Visits `root` and its named descendants in source order; `visit` returns whether to descend into
/// the node it was given. One tree cursor for the whole walk: a cursor and a child list per node
/// (`named_children`) cost more than the visits on a large file.
pub(crate) fn for_each_named<'t>(root: Node<'t>, mut visit: impl FnMut(Node<'t>) -> bool) {
    let mut c = root.walk();
    let mut descend = visit(root);
    loop {
        if !(descend && c.goto_first_child()) {
            // The cursor cannot leave `root`: at it, both moves fail and the walk ends.
            while !c.goto_next_sibling() {
                if !c.goto_parent() {
                    return;
                }
            }
        }
        let n = c.node();
        // Anonymous nodes (punctuation, keywords) are not visited; their children (none, in
        // practice) are.
        descend = !n.is_named() || visit(n);
    }
}

pub(crate) fn range_of(n: Node<'_>) -> TextRange {
    TextRange::new(n.start_byte() as u32, n.end_byte() as u32)
}

/// The closest candidate to `name` (case-insensitive edit distance), for "did you mean" hints.
pub(crate) fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = name.to_ascii_lowercase();
    let limit = (name.len() / 3).max(2);
    let len = name.chars().count();
    let mut best: Option<(usize, &str)> = None;
    // The distance is at least the difference in length, so a candidate farther than `limit` by
    // length alone is skipped: a long name (a 32 KB service name, found by fuzzing) then costs
    // nothing instead of seconds.
    for c in candidates.into_iter().filter(|c| c.chars().count().abs_diff(len) <= limit) {
        let d = levenshtein(&lower, &c.to_ascii_lowercase());
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.filter(|(d, _)| *d <= limit).map(|(_, c)| c)
}

/// Like [`did_you_mean`], and also a candidate that starts or ends with `name` (or the reverse):
/// `Body` -> `MessageBody`, `FileHeader` -> `FileHeaderInfo`.
pub(crate) fn did_you_mean_affix<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str> + Clone,
) -> Option<&'a str> {
    if let Some(c) = did_you_mean(name, candidates.clone()) {
        return Some(c);
    }
    if name.len() < 3 {
        return None;
    }
    let lower = name.to_ascii_lowercase();
    let mut found = candidates.into_iter().filter(|c| {
        let c = c.to_ascii_lowercase();
        c.starts_with(&lower) || c.ends_with(&lower) || lower.starts_with(&c) || lower.ends_with(&c)
    });
    let first = found.next()?;
    // Only a single match is a useful suggestion.
    found.next().is_none().then_some(first)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod did_you_mean_tests {
    use super::did_you_mean;

    /// The limit is a third of the name's length (at least 2), so it grows with the name; candidates
    /// farther than that by length alone are skipped without computing a distance.
    #[test]
    fn limit_grows_with_the_name_and_length_alone_can_rule_out() {
        let cases: &[(&str, &[&str], Option<&str>)] = &[
            ("dynamodbb", &["dynamodb", "s3"], Some("dynamodb")),
            ("s", &["s3", "sqs"], Some("s3")),
            ("abcdefghijkl", &["abcdefghijklmnop"], Some("abcdefghijklmnop")),
            ("abcdefghijkl", &["abcdefghijklmnopq"], None),
        ];
        for &(name, candidates, want) in cases {
            assert_eq!(did_you_mean(name, candidates.iter().copied()), want, "{name}");
        }
        assert_eq!(did_you_mean(&"dynamodb".repeat(4000), ["dynamodb", "s3"]), None);
    }
}

#[cfg(test)]
mod incremental_tests {
    use super::{PyFile, TextRange};

    /// Pieces of Python (and of broken Python) the random edits insert.
    const PIECES: &[&str] = &[
        "",
        "x",
        "(",
        ")",
        ":",
        "\n",
        "\r\n",
        "    ",
        "'",
        "\"\"\"",
        "#",
        "é",
        "def f(a, b):\n    return a\n",
        "ssm.get_parameter(Name='a')",
        "s3 = boto3.client('s3')\n",
        "if x:\n    pass\nelse",
    ];

    /// xorshift64*: a fixed sequence, so a failure replays.
    fn next(state: &mut u64) -> u64 {
        *state ^= *state >> 12;
        *state ^= *state << 25;
        *state ^= *state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn boundary(text: &str, state: &mut u64) -> u32 {
        let mut at = (next(state) % (text.len() as u64 + 1)) as usize;
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at as u32
    }

    /// After every burst of random edits the incrementally reparsed tree is the tree of a fresh
    /// parse of the same text (so every answer built on it is the same too).
    #[test]
    fn random_edit_bursts_reparse_to_the_fresh_tree() {
        let mut file = PyFile::parse(include_str!("../../../examples/parameter-store/src/app.py"));
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for round in 0..400 {
            let burst = 1 + next(&mut state) % 4;
            let mut edits = Vec::new();
            let mut text = file.text().to_owned();
            for _ in 0..burst {
                let (a, b) = (boundary(&text, &mut state), boundary(&text, &mut state));
                // At most about 40 bytes replaced, so that the trees share most of their nodes.
                let (start, mut end) = (a.min(b) as usize, a.max(b).min(a.min(b) + 40) as usize);
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                let range = TextRange::new(start as u32, end as u32);
                let piece = PIECES[(next(&mut state) % PIECES.len() as u64) as usize];
                text.replace_range(range.as_range(), piece);
                edits.push((range, piece));
            }
            let edited = file.edited(&edits).expect("edits within the text");
            assert_eq!(edited.text(), text, "round {round}");
            let fresh = PyFile::parse(&text);
            assert_eq!(edited.tree.root_node().to_sexp(), fresh.tree.root_node().to_sexp(), "round {round}: {edits:?}");
            file = edited;
        }
    }

    #[test]
    fn edits_outside_the_text_or_inside_a_character_are_refused() {
        let file = PyFile::parse("é = 1\n");
        assert!(file.edited(&[(TextRange::new(1, 1), "x")]).is_none(), "inside é");
        assert!(file.edited(&[(TextRange::new(7, 8), "x")]).is_none(), "past the end");
        assert_eq!(
            file.edited(&[(TextRange::new(7, 7), "x")]).map(|f| f.text().to_owned()).as_deref(),
            Some("é = 1\nx")
        );
    }
}
