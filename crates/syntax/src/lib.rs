//! samwise-syntax: error-tolerant parsing of YAML and JSON templates into a tree that keeps the byte
//! range of every key and value, plus the small shared vocabulary of the analysis crates
//! (text ranges, line index, diagnostics with fixes).
//!
//! Parsing never fails: a broken document yields a partial tree and syntax diagnostics.

mod diagnostic;
mod dump;
mod json;
mod line_index;
mod tree;
mod yaml;

pub use diagnostic::{Diagnostic, Fix, Severity, TextEdit};
pub use dump::dump;
pub use line_index::{LineCol, LineIndex};
pub use tree::{Alias, Entry, Format, Mapping, Node, NodeId, NodeKind, Scalar, ScalarStyle, Sequence, Tag, Tree};
pub use yaml::MAX_DEPTH;

/// Parses a template in the given format. Never fails: problems are in [`Tree::diagnostics`].
pub fn parse(text: &str, format: Format) -> Tree {
    match format {
        Format::Yaml => yaml::parse(text),
        Format::Json => json::parse(text),
    }
}

impl Format {
    /// JSON for `.json` files and for text whose first non-blank character is `{`; YAML otherwise.
    pub fn detect(path: Option<&std::path::Path>, text: &str) -> Format {
        match path.and_then(|p| p.extension()).and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("json") => Format::Json,
            Some(e) if e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml") => Format::Yaml,
            _ if text.trim_start_matches('\u{feff}').trim_start().starts_with('{') => Format::Json,
            _ => Format::Yaml,
        }
    }
}

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
