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
/// Only when the list is too long: items whose filter text does not contain the typed word as a
/// subsequence (ignoring case) are dropped — editors filter at least that strictly, so none of
/// them would have been shown — then items that start with the typed word move first, keeping the
/// analysis' order otherwise, and the list is cut.
pub fn apply(text: &str, offset: u32, items: &mut Vec<ide::CompletionItem>, limit: usize) -> bool {
    if items.len() <= limit {
        return false;
    }
    let typed = |item: &ide::CompletionItem| {
        let r = item.replace_range;
        let end = offset.min(r.end);
        text.get(r.start as usize..end as usize).filter(|_| r.start <= end).unwrap_or("").to_lowercase()
    };
    let mut ranked: Vec<(bool, ide::CompletionItem)> = std::mem::take(items)
        .into_iter()
        .filter_map(|item| {
            let typed = typed(&item);
            let candidate = item.filter_text.as_deref().unwrap_or(&item.label).to_lowercase();
            // A typed `!` (a YAML short-form tag) is not part of labels such as logical ids.
            let word = match typed.strip_prefix('!') {
                Some(rest) if !candidate.starts_with('!') => rest,
                _ => typed.as_str(),
            };
            is_subsequence(word, &candidate).then(|| (!candidate.starts_with(word), item))
        })
        .collect();
    // Stable: the analysis' order stays within each group.
    ranked.sort_by_key(|(later, _)| *later);
    let incomplete = ranked.len() > limit;
    ranked.truncate(limit);
    *items = ranked.into_iter().map(|(_, item)| item).collect();
    incomplete
}

fn is_subsequence(word: &str, candidate: &str) -> bool {
    let mut rest = candidate.chars();
    word.chars().all(|w| rest.any(|c| c == w))
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
