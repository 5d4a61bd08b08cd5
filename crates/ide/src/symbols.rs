//! Document symbols, workspace symbols and folding ranges.
//!
//! Document symbols are hierarchical: one symbol per top-level section, with the section's entries
//! as children (parameters with their `Type`, resources with their resource type, outputs,
//! conditions, mappings, the SAM `Globals` sections). Lambda functions get the function kind so
//! editors show them with a function icon. Workspace symbols are the same entries, flattened,
//! across every template the server hands in. Folding ranges are every mapping, sequence and block
//! scalar that spans more than one line.

use std::path::PathBuf;

use samwise_syntax::{NodeId, NodeKind, ScalarStyle, TextRange};
use samwise_template::Template;
use samwise_template::intrinsics::value_range;

use crate::{Analysis, Symbol, SymbolKind};

pub(crate) fn document_symbols(a: &Analysis) -> Vec<Symbol> {
    let Some(t) = a.template() else { return Vec::new() };
    let Some(root) = t.root() else { return Vec::new() };
    t.tree
        .entries(root)
        .iter()
        .map(|e| {
            let name = t.tree.key_str(e);
            Symbol {
                name: name.to_owned(),
                detail: None,
                kind: SymbolKind::Section,
                range: t.tree.entry_range(e),
                selection_range: value_range(&t.tree, e.key),
                children: e.value.map(|v| section_children(t, name, v)).unwrap_or_default(),
            }
        })
        .collect()
}

fn section_children(t: &Template, section: &str, value: NodeId) -> Vec<Symbol> {
    let kind = match section {
        "Parameters" => SymbolKind::Parameter,
        "Resources" => SymbolKind::Resource,
        "Outputs" => SymbolKind::Output,
        "Conditions" => SymbolKind::Condition,
        "Mappings" => SymbolKind::Mapping,
        "Globals" => SymbolKind::Section,
        _ => return Vec::new(),
    };
    let tree = &t.tree;
    tree.entries(value)
        .iter()
        .map(|e| {
            let name = tree.key_str(e);
            let attr = |key: &str| e.value.and_then(|v| tree.get_value(v, key)).and_then(|n| t.literal(n));
            let (kind, detail) = match kind {
                SymbolKind::Parameter => (kind, attr("Type")),
                SymbolKind::Resource => {
                    let ty = attr("Type");
                    let lambda = matches!(ty, Some("AWS::Serverless::Function" | "AWS::Lambda::Function"));
                    (if lambda { SymbolKind::Function } else { kind }, ty)
                }
                SymbolKind::Output => (kind, attr("Description")),
                _ => (kind, None),
            };
            Symbol {
                name: name.to_owned(),
                detail: detail.map(str::to_owned),
                kind,
                range: tree.entry_range(e),
                selection_range: value_range(tree, e.key),
                children: Vec::new(),
            }
        })
        .collect()
}

/// A symbol found by [`workspace_symbols`], flattened, with the template it is in.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkspaceSymbol {
    /// The template's path (`None` for a document without one).
    pub path: Option<PathBuf>,
    pub name: String,
    pub kind: SymbolKind,
    pub detail: Option<String>,
    /// The name's range in that template's text.
    pub range: TextRange,
    /// The section the symbol is in (`Resources`, `Parameters`, ...).
    pub container: Option<String>,
}

/// Entries of every template in `analyses` whose name matches `query` (its characters in order,
/// ignoring case; an empty query matches everything). Sections (and the `Globals` sections) are
/// left out: every template has a `Resources`, so they would only bury the entries. Best matches come first: exact
/// names, then prefixes, then the rest, each in template and position order.
pub fn workspace_symbols(analyses: &[&Analysis], query: &str) -> Vec<WorkspaceSymbol> {
    let query = query.to_lowercase();
    let mut out: Vec<(u8, WorkspaceSymbol)> = Vec::new();
    for a in analyses {
        for section in document_symbols(a) {
            for s in section.children.into_iter().filter(|s| s.kind != SymbolKind::Section) {
                let Some(rank) = crate::match_rank(&s.name, &query) else { continue };
                out.push((
                    rank,
                    WorkspaceSymbol {
                        path: a.path().map(PathBuf::from),
                        name: s.name,
                        kind: s.kind,
                        detail: s.detail,
                        range: s.selection_range,
                        container: Some(section.name.clone()),
                    },
                ));
            }
        }
    }
    // A stable sort keeps the template and position order within one rank.
    out.sort_by_key(|(rank, _)| *rank);
    out.into_iter().map(|(_, s)| s).collect()
}

/// Every mapping, sequence and block scalar spanning several lines, in any YAML or JSON document. A value under a key folds from
/// the key's line, so the key stays visible when folded; the document's root is not folded.
pub(crate) fn folding_ranges(a: &Analysis) -> Vec<TextRange> {
    let Some(t) = a.template.as_ref() else { return Vec::new() };
    let tree = &t.tree;
    let index = a.line_index();
    let multi_line = |r: TextRange| {
        // A range ending at a line start (a block collection's trailing newline) ends on the line before.
        let end = index.line_col(r.end);
        let end_line = if end.col == 0 { end.line.saturating_sub(1) } else { end.line };
        end_line > index.line_col(r.start).line
    };
    let foldable = |id: NodeId| match &tree.node(id).kind {
        NodeKind::Mapping(_) | NodeKind::Sequence(_) => true,
        NodeKind::Scalar(s) => matches!(s.style, ScalarStyle::Literal | ScalarStyle::Folded),
        NodeKind::Alias(_) => false,
    };
    let mut out = Vec::new();
    for id in tree.ids() {
        match &tree.node(id).kind {
            NodeKind::Mapping(m) => {
                for e in &m.entries {
                    if let Some(v) = e.value.filter(|&v| foldable(v)) {
                        out.push(tree.node(e.key).full_range().cover(tree.node(v).full_range()));
                    }
                }
            }
            NodeKind::Sequence(s) => {
                out.extend(s.items.iter().filter(|&&i| foldable(i)).map(|&i| tree.node(i).full_range()));
            }
            _ => {}
        }
    }
    out.retain(|&r| multi_line(r));
    out.sort();
    out.dedup();
    out
}
