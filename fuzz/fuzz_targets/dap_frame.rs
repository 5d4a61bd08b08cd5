//! Fuzz target `dap_frame`: samwise-dap's strict Content-Length frame reader and writer.
//! The body is `samwise_fuzzing::dap_frame`, shared with the stable regression test.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| samwise_fuzzing::dap_frame(data));
