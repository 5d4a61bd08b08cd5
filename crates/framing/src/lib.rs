//! Content-Length framing, the base protocol LSP and DAP share: a header block (`Content-Length: N`,
//! other headers, an empty line) and an N-byte body. Only bytes in and bytes out; what a body means
//! is the binaries' business.
//!
//! Two readers, because the two binaries answer bad framing differently: [`lenient`] (samwise-lsp)
//! skips what is not a header so one malformed message costs only itself, and [`strict`]
//! (samwise-dap, to the editor and to debugpy) reports a malformed header as an error. They live
//! here, outside the binaries, so the fuzz targets (`fuzz/`, `crates/fuzzing`) can drive them.
//!
//! DEPENDENCIES
//! - tokio (`io-util`): both binaries read their streams with tokio's `AsyncBufRead`.

pub mod lenient;
pub mod strict;
