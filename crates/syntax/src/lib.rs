//! samwise-syntax: error-tolerant parsing of YAML and JSON templates into a tree that keeps the byte
//! range of every key and value, plus the small shared vocabulary of the analysis crates
//! (text ranges, line index, diagnostics with fixes).
//!
//! Parsing never fails: a broken document yields a partial tree and syntax diagnostics.

mod diagnostic;
mod line_index;

pub use diagnostic::{Diagnostic, Fix, Severity, TextEdit};
pub use line_index::{LineCol, LineIndex};

/// A half-open byte range `start..end` into the document text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct TextRange {
    pub start: u32,
    pub end: u32,
}

impl TextRange {
    pub fn new(start: u32, end: u32) -> TextRange {
        debug_assert!(start <= end);
        TextRange { start, end }
    }

    pub fn empty(at: u32) -> TextRange {
        TextRange { start: at, end: at }
    }

    pub fn len(self) -> u32 {
        self.end - self.start
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// Whether `offset` lies inside the range or touches its end (the cursor right after a word is in it).
    pub fn contains_inclusive(self, offset: u32) -> bool {
        self.start <= offset && offset <= self.end
    }

    pub fn contains_range(self, other: TextRange) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    pub fn cover(self, other: TextRange) -> TextRange {
        TextRange { start: self.start.min(other.start), end: self.end.max(other.end) }
    }

    pub fn as_range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}
