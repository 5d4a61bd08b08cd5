//! Fuzz target `template`: A template (YAML or JSON): parse, model, all diagnostics, completion and hover.
//! The body is `samwise_fuzzing::template`, shared with the stable regression test.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| samwise_fuzzing::template(data));
