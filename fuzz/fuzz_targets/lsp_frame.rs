//! Fuzz target `lsp_frame`: samwise-lsp's lenient Content-Length frame reader.
//! The body is `samwise_fuzzing::lsp_frame`, shared with the stable regression test.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| samwise_fuzzing::lsp_frame(data));
