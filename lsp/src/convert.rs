//! Every conversion between the protocol and the analysis lives here: `from_proto` turns LSP
//! positions and URIs into byte offsets and paths, `to_proto` turns the analysis' plain structs into
//! LSP types. The position encoding is negotiated once at initialisation ([`Encoding::negotiate`])
//! and passed in, so no handler counts columns itself.

use std::path::{Path, PathBuf};

use samwise_ide::{LineIndex, TextRange};
use tower_lsp_server::ls_types::{ClientCapabilities, PositionEncodingKind};

/// How LSP columns are counted on this connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

impl Encoding {
    /// UTF-8 when the client offers it (no conversion needed, byte columns are what the analysis
    /// uses); otherwise UTF-16, which every client supports and is the protocol's default.
    pub fn negotiate(caps: &ClientCapabilities) -> Encoding {
        let offered = caps.general.as_ref().and_then(|g| g.position_encodings.as_ref());
        match offered {
            Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
            _ => Encoding::Utf16,
        }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }

    /// The length of `s` in this encoding's code units.
    pub fn len(self, s: &str) -> u32 {
        match self {
            Encoding::Utf8 => s.len() as u32,
            Encoding::Utf16 => s.encode_utf16().count() as u32,
        }
    }
}

/// A text with its line index and the connection's encoding: what every position conversion needs.
#[derive(Clone, Copy)]
pub struct TextView<'a> {
    pub text: &'a str,
    pub index: &'a LineIndex,
    pub enc: Encoding,
}

pub mod from_proto {
    use super::*;
    use ropey::Rope;
    use samwise_syntax::LineCol;
    use tower_lsp_server::ls_types::{Position, Range, Uri};

    /// The byte offset of an LSP position. Positions past the end of a line mean the line's end
    /// (before its line break) and lines past the end mean the end of the text, as LSP specifies.
    pub fn offset(view: TextView<'_>, pos: Position) -> u32 {
        let Some(start) = view.index.line_start(pos.line) else { return view.text.len() as u32 };
        let end = line_content_end(view.text, view.index, pos.line);
        let lc = LineCol { line: pos.line, col: pos.character };
        let off = match view.enc {
            Encoding::Utf8 => view.index.offset(view.text, lc),
            Encoding::Utf16 => view.index.offset_utf16(view.text, lc),
        };
        off.clamp(start, end)
    }

    pub fn range(view: TextView<'_>, range: Range) -> TextRange {
        let start = offset(view, range.start);
        let end = offset(view, range.end).max(start);
        TextRange::new(start, end)
    }

    /// The char index in `rope` of an LSP position, with the same clamping as [`offset`]. Used to
    /// apply incremental changes; the rope counts `\n`, `\r\n` and `\r` as line breaks, as LSP does.
    pub fn rope_char(rope: &Rope, pos: Position, enc: Encoding) -> usize {
        let line = pos.line as usize;
        if line >= rope.len_lines() {
            return rope.len_chars();
        }
        let start = rope.line_to_char(line);
        let slice = rope.line(line);
        let mut len = slice.len_chars();
        if len > 0 && slice.char(len - 1) == '\n' {
            len -= 1;
        }
        if len > 0 && slice.char(len - 1) == '\r' {
            len -= 1;
        }
        let content = slice.slice(..len);
        let col = pos.character as usize;
        start
            + match enc {
                Encoding::Utf8 => content.byte_to_char(col.min(content.len_bytes())),
                Encoding::Utf16 => content.utf16_cu_to_char(col.min(content.len_utf16_cu())),
            }
    }

    /// The file path of a `file:` URI; other schemes (untitled documents) have none.
    pub fn path(uri: &Uri) -> Option<PathBuf> {
        uri.to_file_path().map(|p| p.into_owned())
    }

    /// The end of line `line`'s content: before `\n`, `\r\n` or a lone `\r`.
    fn line_content_end(text: &str, index: &LineIndex, line: u32) -> u32 {
        let end = index.line_start(line + 1).unwrap_or(text.len() as u32);
        let bytes = text.as_bytes();
        let mut end = end as usize;
        let start = index.line_start(line).unwrap_or(0) as usize;
        if end > start && bytes[end - 1] == b'\n' {
            end -= 1;
            if end > start && bytes[end - 1] == b'\r' {
                end -= 1;
            }
        } else if end > start && bytes[end - 1] == b'\r' {
            // A lone `\r` ends the line too (see `LineIndex::new`).
            end -= 1;
        }
        end as u32
    }
}

pub mod to_proto {
    use super::*;
    use samwise_ide as ide;
    use serde_json::json;
    use tower_lsp_server::ls_types as lsp;

    /// The LSP position of `offset`. An offset inside a character (an analysis range that counted
    /// bytes past a multi-byte character) or between `\r` and `\n` has no position; it moves back
    /// to the character's start (to the `\r`).
    pub fn position(view: TextView<'_>, offset: u32) -> lsp::Position {
        let offset = point(view.text, offset, false);
        let lc = match view.enc {
            Encoding::Utf8 => view.index.line_col(offset),
            Encoding::Utf16 => view.index.line_col_utf16(view.text, offset),
        };
        lsp::Position::new(lc.line, lc.col)
    }

    /// Ranges keep what they cover: the start moves back and the end forward to a position.
    pub fn range(view: TextView<'_>, range: TextRange) -> lsp::Range {
        let start = point(view.text, range.start, false);
        let end = point(view.text, range.end, true).max(start);
        lsp::Range::new(position(view, start), position(view, end))
    }

    /// `offset` clamped to the text and moved to a char boundary (forward when `up`), never
    /// between `\r` and `\n`.
    fn point(text: &str, offset: u32, up: bool) -> u32 {
        let mut at = (offset as usize).min(text.len());
        while !text.is_char_boundary(at) {
            if up { at += 1 } else { at -= 1 }
        }
        let b = text.as_bytes();
        if at > 0 && b[at - 1] == b'\r' && b.get(at) == Some(&b'\n') {
            at -= 1;
        }
        at as u32
    }

    pub fn severity(severity: ide::Severity) -> lsp::DiagnosticSeverity {
        match severity {
            ide::Severity::Error => lsp::DiagnosticSeverity::ERROR,
            ide::Severity::Warning => lsp::DiagnosticSeverity::WARNING,
            ide::Severity::Information => lsp::DiagnosticSeverity::INFORMATION,
            ide::Severity::Hint => lsp::DiagnosticSeverity::HINT,
        }
    }

    pub fn diagnostic(view: TextView<'_>, d: &ide::Diagnostic) -> lsp::Diagnostic {
        lsp::Diagnostic {
            range: range(view, d.range),
            severity: Some(severity(d.severity)),
            code: Some(lsp::NumberOrString::String(d.code.to_owned())),
            source: Some("samwise".to_owned()),
            message: d.message.clone(),
            ..Default::default()
        }
    }

    fn markdown(value: String) -> lsp::MarkupContent {
        lsp::MarkupContent { kind: lsp::MarkupKind::Markdown, value }
    }

    pub fn completion_kind(kind: ide::CompletionKind) -> lsp::CompletionItemKind {
        use ide::CompletionKind as K;
        match kind {
            K::Section => lsp::CompletionItemKind::MODULE,
            K::ResourceType => lsp::CompletionItemKind::CLASS,
            K::Property => lsp::CompletionItemKind::PROPERTY,
            K::Value => lsp::CompletionItemKind::VALUE,
            K::EnumMember => lsp::CompletionItemKind::ENUM_MEMBER,
            K::Function => lsp::CompletionItemKind::FUNCTION,
            K::Reference => lsp::CompletionItemKind::REFERENCE,
            K::Keyword => lsp::CompletionItemKind::KEYWORD,
            K::Snippet => lsp::CompletionItemKind::SNIPPET,
            K::File => lsp::CompletionItemKind::FILE,
            K::Folder => lsp::CompletionItemKind::FOLDER,
            K::Module => lsp::CompletionItemKind::MODULE,
            K::Method => lsp::CompletionItemKind::METHOD,
            K::Field => lsp::CompletionItemKind::FIELD,
        }
    }

    /// A completion item, without `data`: `completionItem/resolve` finds the analysis item again by
    /// label, sort text and detail (see `Server::completion_resolve`), which keeps each of the
    /// hundreds of items in a large answer small. `range` is the item's replace range, converted by
    /// the caller once for all the items that share it. Clients without snippet support get the
    /// snippet's text with its placeholders filled by their defaults.
    pub fn completion_item(item: &ide::CompletionItem, range: lsp::Range, snippets: bool) -> lsp::CompletionItem {
        let (format, new_text) = match (item.is_snippet, snippets) {
            (true, true) => (Some(lsp::InsertTextFormat::SNIPPET), item.insert_text.clone()),
            (true, false) => (None, snippet_to_plain(&item.insert_text)),
            // Plain text is the protocol's default format, so it is not spelled out.
            (false, _) => (None, item.insert_text.clone()),
        };
        lsp::CompletionItem {
            label: item.label.clone(),
            kind: Some(completion_kind(item.kind)),
            detail: item.detail.clone(),
            documentation: item.documentation.clone().map(|d| lsp::Documentation::MarkupContent(markdown(d))),
            sort_text: Some(item.sort_key.clone()),
            filter_text: item.filter_text.clone(),
            insert_text_format: format,
            text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit { range, new_text })),
            ..Default::default()
        }
    }

    /// The text a snippet inserts with every placeholder at its default: `${1:x}` is `x`, `$1` and
    /// `$0` are nothing, `${1|a,b|}` is `a`, and `\$` is `$`.
    pub fn snippet_to_plain(snippet: &str) -> String {
        let mut out = String::with_capacity(snippet.len());
        let mut chars = snippet.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' => out.extend(chars.next()),
                '$' if chars.peek().is_some_and(char::is_ascii_digit) => {
                    while chars.next_if(char::is_ascii_digit).is_some() {}
                }
                '$' if chars.peek() == Some(&'{') => {
                    chars.next();
                    while chars.next_if(char::is_ascii_alphanumeric).is_some() {}
                    match chars.next() {
                        // `${1:default}`: keep the default, which may itself hold placeholders.
                        Some(':') => {
                            let mut depth = 1;
                            let mut inner = String::new();
                            for c in chars.by_ref() {
                                match c {
                                    '{' => depth += 1,
                                    '}' => depth -= 1,
                                    _ => {}
                                }
                                if depth == 0 {
                                    break;
                                }
                                inner.push(c);
                            }
                            out.push_str(&snippet_to_plain(&inner));
                        }
                        // `${1|a,b|}`: the first choice.
                        Some('|') => {
                            let choices: String = chars.by_ref().take_while(|&c| c != '|').collect();
                            out.push_str(choices.split(',').next().unwrap_or(""));
                            chars.next_if_eq(&'}');
                        }
                        _ => {}
                    }
                }
                c => out.push(c),
            }
        }
        out
    }

    pub fn documentation(markdown_text: String) -> lsp::Documentation {
        lsp::Documentation::MarkupContent(markdown(markdown_text))
    }

    pub fn hover(view: TextView<'_>, hover: ide::Hover) -> lsp::Hover {
        lsp::Hover {
            contents: lsp::HoverContents::Markup(markdown(hover.markdown)),
            range: Some(range(view, hover.range)),
        }
    }

    /// Signature help; parameter labels are offsets into the signature label counted in the
    /// connection's encoding, as the protocol counts them like positions.
    pub fn signature_help(enc: Encoding, help: ide::SignatureHelp) -> lsp::SignatureHelp {
        let label_offset = |byte: u32| -> u32 {
            let byte = (byte as usize).min(help.label.len());
            let byte = (0..=byte).rev().find(|&b| help.label.is_char_boundary(b)).unwrap_or(0);
            enc.len(&help.label[..byte])
        };
        let parameters = help
            .parameters
            .iter()
            .map(|(r, doc)| lsp::ParameterInformation {
                label: lsp::ParameterLabel::LabelOffsets([label_offset(r.start), label_offset(r.end)]),
                documentation: doc.clone().map(documentation),
            })
            .collect();
        lsp::SignatureHelp {
            signatures: vec![lsp::SignatureInformation {
                label: help.label.clone(),
                documentation: help.documentation.map(documentation),
                parameters: Some(parameters),
                active_parameter: help.active_parameter,
            }],
            active_signature: Some(0),
            active_parameter: help.active_parameter,
        }
    }

    pub fn location(uri: lsp::Uri, view: TextView<'_>, range_: TextRange) -> lsp::Location {
        lsp::Location { uri, range: range(view, range_) }
    }

    pub fn text_edits(view: TextView<'_>, edits: &[ide::TextEdit]) -> Vec<lsp::TextEdit> {
        edits.iter().map(|e| lsp::TextEdit { range: range(view, e.range), new_text: e.new_text.clone() }).collect()
    }

    pub fn symbol_kind(kind: ide::SymbolKind) -> lsp::SymbolKind {
        use ide::SymbolKind as K;
        match kind {
            K::Section => lsp::SymbolKind::MODULE,
            K::Parameter => lsp::SymbolKind::VARIABLE,
            K::Resource => lsp::SymbolKind::OBJECT,
            K::Output => lsp::SymbolKind::FIELD,
            K::Condition => lsp::SymbolKind::BOOLEAN,
            K::Mapping => lsp::SymbolKind::STRUCT,
            K::Function => lsp::SymbolKind::FUNCTION,
        }
    }

    #[allow(deprecated, reason = "DocumentSymbol's `deprecated` field must still be written")]
    pub fn document_symbol(view: TextView<'_>, symbol: &ide::Symbol) -> lsp::DocumentSymbol {
        // LSP requires the selection range to lie inside the full range; the analysis promises
        // it, but a client rejects the whole answer when it does not, so enforce it here.
        let full = symbol.range.cover(symbol.selection_range);
        lsp::DocumentSymbol {
            name: symbol.name.clone(),
            detail: symbol.detail.clone(),
            kind: symbol_kind(symbol.kind),
            tags: None,
            deprecated: None,
            range: range(view, full),
            selection_range: range(view, symbol.selection_range),
            children: Some(symbol.children.iter().map(|c| document_symbol(view, c)).collect()),
        }
    }

    /// Flattens symbols for clients without hierarchical document symbols and for workspace symbols.
    #[allow(deprecated, reason = "SymbolInformation's `deprecated` field must still be written")]
    pub fn flat_symbols(
        uri: &lsp::Uri,
        view: TextView<'_>,
        symbols: &[ide::Symbol],
        container: Option<&str>,
        out: &mut Vec<lsp::SymbolInformation>,
    ) {
        for s in symbols {
            out.push(lsp::SymbolInformation {
                name: s.name.clone(),
                kind: symbol_kind(s.kind),
                tags: None,
                deprecated: None,
                location: location(uri.clone(), view, s.selection_range),
                container_name: container.map(str::to_owned),
            });
            flat_symbols(uri, view, &s.children, Some(&s.name), out);
        }
    }

    /// A folding range by lines; a range ending at the start of a line folds up to the line before.
    pub fn folding_range(view: TextView<'_>, r: TextRange) -> Option<lsp::FoldingRange> {
        let start = view.index.line_col(r.start);
        let end = view.index.line_col(r.end);
        let end_line = if end.col == 0 && end.line > start.line { end.line - 1 } else { end.line };
        (end_line > start.line).then(|| lsp::FoldingRange {
            start_line: start.line,
            end_line,
            kind: Some(lsp::FoldingRangeKind::Region),
            ..Default::default()
        })
    }

    pub fn code_lens(view: TextView<'_>, lens: ide::CodeLens) -> lsp::CodeLens {
        lsp::CodeLens {
            range: range(view, lens.range),
            command: Some(lsp::Command {
                title: lens.title,
                command: lens.command,
                arguments: Some(lens.arguments.into_iter().map(|a| json!(a)).collect()),
            }),
            data: None,
        }
    }

    /// A path as a `file:` URI; `None` for paths that cannot be expressed (relative paths).
    pub fn uri(path: &Path) -> Option<lsp::Uri> {
        lsp::Uri::from_file_path(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ropey::Rope;
    use tower_lsp_server::ls_types::Position;

    #[test]
    fn positions_round_trip_in_both_encodings() {
        let text = "a: \"😀é\"\r\nb: 1\n";
        let index = LineIndex::new(text);
        let e_acute = text.find('é').unwrap() as u32;
        for (enc, col) in [(Encoding::Utf8, 8), (Encoding::Utf16, 6)] {
            let view = TextView { text, index: &index, enc };
            let pos = to_proto::position(view, e_acute);
            assert_eq!(pos, Position::new(0, col), "{enc:?}");
            assert_eq!(from_proto::offset(view, pos), e_acute, "{enc:?}");
            // Past the end of a CRLF line means the end of its content, before `\r\n`.
            assert_eq!(from_proto::offset(view, Position::new(0, 99)), text.find('\r').unwrap() as u32);
            assert_eq!(from_proto::offset(view, Position::new(9, 0)), text.len() as u32);
        }
        // An analysis range inside a character covers the whole character; a point moves back.
        let text = "a: é\r\nb";
        let index = LineIndex::new(text);
        for (enc, end) in [(Encoding::Utf8, 5), (Encoding::Utf16, 4)] {
            let view = TextView { text, index: &index, enc };
            let range = to_proto::range(view, TextRange::new(3, 4));
            assert_eq!((range.start, range.end), (Position::new(0, 3), Position::new(0, end)), "{enc:?}");
            assert_eq!(to_proto::position(view, 4), Position::new(0, 3), "{enc:?}");
            assert_eq!(to_proto::position(view, 6), Position::new(0, end), "between CR and LF: {enc:?}");
        }
        // And past the end of a line ended by a lone `\r`, before the `\r` (not on the next line).
        let text = "ab\rc\n";
        let index = LineIndex::new(text);
        let view = TextView { text, index: &index, enc: Encoding::Utf16 };
        assert_eq!(from_proto::offset(view, Position::new(0, 9)), 2);
    }

    #[test]
    fn rope_positions_agree_with_text_positions() {
        let text = "x: 😀\r\ny: é\nz";
        let rope = Rope::from_str(text);
        let index = LineIndex::new(text);
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            let view = TextView { text, index: &index, enc };
            for (offset, _) in text.char_indices().filter(|&(i, _)| !text[..i].ends_with('\r')) {
                let pos = to_proto::position(view, offset as u32);
                let char_idx = from_proto::rope_char(&rope, pos, enc);
                assert_eq!(rope.char_to_byte(char_idx), offset, "{enc:?} {pos:?}");
            }
            assert_eq!(
                from_proto::rope_char(&rope, Position::new(0, 99), enc),
                rope.byte_to_char(text.find('\r').unwrap())
            );
        }
    }

    #[test]
    fn snippets_become_plain_text_for_clients_without_snippet_support() {
        let plain = to_proto::snippet_to_plain;
        assert_eq!(plain("Type: ${1:AWS::S3::Bucket}\nProperties:\n  $0"), "Type: AWS::S3::Bucket\nProperties:\n  ");
        assert_eq!(plain("!Sub '\\${${1:Stage}}'"), "!Sub '${Stage}'");
        assert_eq!(plain("Runtime: ${2|python3.12,python3.13|}$0"), "Runtime: python3.12");
        assert_eq!(plain("${1:outer ${2:inner}}"), "outer inner");
    }

    #[test]
    fn signature_parameter_offsets_count_in_the_negotiated_encoding() {
        let help = samwise_ide::SignatureHelp {
            label: "f(é, x)".into(),
            documentation: None,
            parameters: vec![(TextRange::new(6, 7), None)],
            active_parameter: Some(0),
        };
        let utf16 = to_proto::signature_help(Encoding::Utf16, help.clone());
        let utf8 = to_proto::signature_help(Encoding::Utf8, help);
        let label = |h: &tower_lsp_server::ls_types::SignatureHelp| {
            h.signatures[0].parameters.as_ref().unwrap()[0].label.clone()
        };
        use tower_lsp_server::ls_types::ParameterLabel::LabelOffsets;
        assert_eq!(label(&utf16), LabelOffsets([5, 6]));
        assert_eq!(label(&utf8), LabelOffsets([6, 7]));
    }
}
