//! Conversion between byte offsets and line/column positions (UTF-8 or UTF-16 columns).

use crate::TextRange;

/// Zero-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

/// Line start offsets of one text; built in one pass, queried by binary search.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<u32>,
    len: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        // LSP's line breaks: `\n`, `\r\n` and a lone `\r` (the editors and the server's rope count all
        // three), so positions agree with the client's even in files with old Mac line endings.
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                starts.push(i as u32 + 1);
            }
        }
        LineIndex { starts, len: text.len() as u32 }
    }

    pub fn line_count(&self) -> u32 {
        self.starts.len() as u32
    }

    pub fn line_start(&self, line: u32) -> Option<u32> {
        self.starts.get(line as usize).copied()
    }

    /// Line and UTF-8 byte column of `offset` (clamped to the text).
    pub fn line_col(&self, offset: u32) -> LineCol {
        let offset = offset.min(self.len);
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        LineCol { line: line as u32, col: offset - self.starts[line] }
    }

    /// Line and UTF-16 column of `offset`, as LSP clients count by default.
    pub fn line_col_utf16(&self, text: &str, offset: u32) -> LineCol {
        let LineCol { line, col } = self.line_col(offset);
        let start = self.starts[line as usize] as usize;
        let prefix = text.get(start..start + col as usize).unwrap_or("");
        LineCol { line, col: prefix.encode_utf16().count() as u32 }
    }

    /// Byte offset of a UTF-8 line/column (clamped to the line's end and to char boundaries).
    pub fn offset(&self, text: &str, pos: LineCol) -> u32 {
        let Some(start) = self.line_start(pos.line) else { return self.len };
        let end = self.line_start(pos.line + 1).unwrap_or(self.len);
        let mut off = (start + pos.col).min(end);
        while off > start && !text.is_char_boundary(off as usize) {
            off -= 1;
        }
        off
    }

    /// Byte offset of a UTF-16 line/column (clamped to the line's end).
    pub fn offset_utf16(&self, text: &str, pos: LineCol) -> u32 {
        let Some(start) = self.line_start(pos.line) else { return self.len };
        let end = self.line_start(pos.line + 1).unwrap_or(self.len);
        let line = &text[start as usize..end as usize];
        let mut units = 0u32;
        for (i, c) in line.char_indices() {
            if units >= pos.col {
                return start + i as u32;
            }
            units += c.len_utf16() as u32;
        }
        end
    }

    /// The 1-based `line:col` used in command-line output (UTF-8 columns counted in characters).
    pub fn display(&self, text: &str, offset: u32) -> (u32, u32) {
        let LineCol { line, col } = self.line_col(offset);
        let start = self.starts[line as usize] as usize;
        let chars = text.get(start..start + col as usize).map_or(col as usize, |s| s.chars().count());
        (line + 1, chars as u32 + 1)
    }

    pub fn range_lines(&self, range: TextRange) -> (LineCol, LineCol) {
        (self.line_col(range.start), self.line_col(range.end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_and_utf8_columns_differ_after_astral_chars() {
        let text = "a: 😀x\nb: 1\n";
        let idx = LineIndex::new(text);
        let x = text.find('x').unwrap() as u32;
        assert_eq!(idx.line_col(x), LineCol { line: 0, col: 7 });
        assert_eq!(idx.line_col_utf16(text, x), LineCol { line: 0, col: 5 });
        assert_eq!(idx.offset_utf16(text, LineCol { line: 0, col: 5 }), x);
        assert_eq!(idx.offset(text, LineCol { line: 1, col: 3 }), text.find('1').unwrap() as u32);
        assert_eq!(idx.display(text, x), (1, 5));
    }

    #[test]
    fn a_lone_carriage_return_breaks_a_line_as_in_lsp() {
        let text = "a: 1\rb: 2\r\nc: 3\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 4);
        assert_eq!(idx.line_col(5), LineCol { line: 1, col: 0 });
        assert_eq!(idx.line_col(11), LineCol { line: 2, col: 0 });
        // Inside a CRLF pair is still the first line's end.
        assert_eq!(idx.line_col(10), LineCol { line: 1, col: 5 });
    }

    #[test]
    fn positions_past_the_end_are_clamped() {
        let text = "ab\ncd";
        let idx = LineIndex::new(text);
        assert_eq!(idx.offset(text, LineCol { line: 9, col: 0 }), 5);
        assert_eq!(idx.offset(text, LineCol { line: 0, col: 99 }), 3);
        assert_eq!(idx.line_col(99), LineCol { line: 1, col: 2 });
    }
}
