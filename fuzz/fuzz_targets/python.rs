//! Fuzz target `python`: A Python file: tree-sitter parse, boto3 diagnostics, completion, hover, signature help.
//! The body is `samwise_fuzzing::python`, shared with the stable regression test.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| samwise_fuzzing::python(data));
