//! The item limit of one completion answer (setting `completionLimit`, default 100).
//!
//! Most lists are short, but a few are not: every `!Ref` target of a large template (hundreds of
//! logical ids), every resource type (1,900). Encoding such an answer costs far more than finding
//! it (tower-lsp-server builds a JSON tree of every item before writing it), and an editor shows a
//! dozen items at a time. So a longer list keeps only the items an editor could still show for the
//! word typed so far, best first, cut at the limit, and is marked incomplete: the editor asks
//! again as the word grows, and the narrower list then fits. clangd does the same (limit 100).

use samwise_ide as ide;

/// Applies `limit` to `items` (sorted by the analysis, best first) for a cursor at byte `offset` of
/// `text`. Returns whether items were left out, which the answer reports as `isIncomplete`.
///
/// Only when the list is too long: items whose filter text does not match the typed word
/// ([`ide::match_rank`]: its characters in order, ignoring case) are dropped — editors filter at
/// least that strictly, so none of them would have been shown — then items that start with the
/// typed word move first, keeping the analysis' order otherwise, and the list is cut.
pub fn apply(text: &str, offset: u32, items: &mut Vec<ide::CompletionItem>, limit: usize) -> bool {
    if items.len() <= limit {
        return false;
    }
    // The word typed before the cursor, lower-cased; items mostly share one replace range, so it
    // is read once per distinct range.
    let mut typed: Option<(ide::TextRange, String)> = None;
    let mut ranked: Vec<(bool, ide::CompletionItem)> = Vec::with_capacity(items.len());
    for item in std::mem::take(items) {
        let r = item.replace_range;
        let word = match &typed {
            Some((range, word)) if *range == r => word,
            _ => {
                let end = offset.min(r.end);
                let word = text.get(r.start as usize..end as usize).filter(|_| r.start <= end).unwrap_or("");
                &typed.insert((r, word.to_lowercase())).1
            }
        };
        let candidate = item.filter_text.as_deref().unwrap_or(&item.label);
        // A typed `!` (a YAML short-form tag) is not part of labels such as logical ids.
        let word = match word.strip_prefix('!') {
            Some(rest) if !candidate.starts_with('!') => rest,
            _ => word.as_str(),
        };
        // Exact and prefix matches (ranks 0 and 1) first, then the other matches.
        if let Some(rank) = ide::match_rank(candidate, word) {
            ranked.push((rank == 2, item));
        }
    }
    // Stable: the analysis' order stays within each group.
    ranked.sort_by_key(|(later, _)| *later);
    let incomplete = ranked.len() > limit;
    ranked.truncate(limit);
    *items = ranked.into_iter().map(|(_, item)| item).collect();
    incomplete
}

#[cfg(test)]
mod tests {
    use super::*;
    use samwise_syntax::TextRange;

    fn item(label: &str, range: TextRange) -> ide::CompletionItem {
        ide::CompletionItem {
            label: label.into(),
            kind: ide::CompletionKind::Reference,
            detail: None,
            documentation: None,
            insert_text: label.into(),
            is_snippet: false,
            replace_range: range,
            sort_key: label.into(),
            filter_text: None,
        }
    }

    fn labels(items: &[ide::CompletionItem]) -> Vec<&str> {
        items.iter().map(|i| i.label.as_str()).collect()
    }

    #[test]
    fn short_lists_are_left_alone() {
        let text = "X: !Ref Ta";
        let range = TextRange { start: 3, end: 10 };
        let mut items = vec![item("Bucket", range), item("Table", range)];
        assert!(!apply(text, 10, &mut items, 2));
        assert_eq!(labels(&items), ["Bucket", "Table"]);
    }

    #[test]
    fn long_lists_keep_what_the_editor_could_show_prefix_matches_first() {
        // `!Ref ta|` replaces `ta`: case is ignored, `Bucket` cannot match, the two `Ta...` ids
        // come before `DataTable` (a subsequence match sorted earlier by the analysis).
        let text = "X: !Ref ta";
        let range = TextRange { start: 8, end: 10 };
        let mut items: Vec<_> =
            ["Bucket", "DataTable", "Table", "Tags", "Queue"].iter().map(|l| item(l, range)).collect();
        assert!(apply(text, 10, &mut items, 2));
        assert_eq!(labels(&items), ["Table", "Tags"]);

        let mut items: Vec<_> =
            ["Bucket", "DataTable", "Table", "Tags", "Queue"].iter().map(|l| item(l, range)).collect();
        assert!(!apply(text, 10, &mut items, 3), "three items match, so the list is complete");
        assert_eq!(labels(&items), ["Table", "Tags", "DataTable"]);
    }

    #[test]
    fn a_typed_tag_mark_matches_labels_with_and_without_it() {
        let text = "X: !su";
        let range = TextRange { start: 3, end: 6 };
        let mut items: Vec<_> =
            ["!Base64", "!Select", "!SplitUp", "!Sub", "Sub", "Base64"].iter().map(|l| item(l, range)).collect();
        assert!(!apply(text, 6, &mut items, 4));
        assert_eq!(labels(&items), ["!Sub", "Sub", "!SplitUp"]);
    }

    #[test]
    fn only_the_text_before_the_cursor_counts() {
        // Cursor after `T` in `Txyz`: the typed word is `t`.
        let text = "Txyz";
        let range = TextRange { start: 0, end: 4 };
        let mut items: Vec<_> = ["Alpha", "Beta", "Table", "Tags"].iter().map(|l| item(l, range)).collect();
        assert!(!apply(text, 1, &mut items, 3));
        assert_eq!(labels(&items), ["Table", "Tags", "Beta"]);
    }
}
