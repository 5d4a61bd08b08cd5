//! DAP's base protocol: messages framed by a header block (`Content-Length: N`, then an empty line) and
//! an N-byte JSON body, the same framing to the editor and to debugpy. The reader and writer are
//! `samwise-framing`'s strict ones (see `crates/framing/src/strict.rs`), kept outside this binary so
//! the fuzz targets can drive them.

pub use samwise_framing::strict::{read_body, write_body};
