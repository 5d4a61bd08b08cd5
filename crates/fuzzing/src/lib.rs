//! The bodies of the fuzz targets: each takes the fuzzer's bytes and drives one entry point the way
//! the binaries do. `fuzz/fuzz_targets/*.rs` (cargo-fuzz, nightly) call these, and
//! `tests/regressions.rs` (stable, part of `cargo test --workspace`) replays every committed seed and
//! kept crash input under `fuzz/seeds/<target>/` and `fuzz/regressions/<target>/` through them, so a
//! crash once found stays fixed without nightly.
//!
//! A body panics only where the code under test panics (or, for the framing readers, where an
//! invariant stated below does not hold); whatever it returns is otherwise ignored.
//!
//! DEPENDENCIES
//! - samwise-ide, samwise-framing: what is fuzzed.
//! - tokio (`io-util`): the framing readers read a tokio `AsyncBufRead`.

use std::future::Future;
use std::path::Path;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use samwise_ide::{Analysis, Config, DocKind};

/// A target body: the fuzzer's bytes in, a panic out when something is wrong.
pub type Target = fn(&[u8]);

/// The fuzz targets by name, as the directories under `fuzz/seeds` and `fuzz/regressions` are named.
pub const TARGETS: &[(&str, Target)] =
    &[("template", template), ("python", python), ("lsp_frame", lsp_frame), ("dap_frame", dap_frame)];

/// A template as `samwise-lsp check` and the server see it: parsed as JSON when it starts with `{`
/// (as `check` decides for a file without a template extension), else as YAML; the model, every
/// diagnostic, then completion and hover at a position derived from the input.
///
/// The path is in a directory that does not exist, so rules that look at files next to the
/// template (CodeUri, cross-references to Python handlers) run but find nothing, quickly.
pub fn template(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let name = if text.trim_start().starts_with('{') { "template.json" } else { "template.yaml" };
    let analysis = analyse(name, &text);
    if analysis.kind() != DocKind::Template {
        return;
    }
    at_derived_position(&analysis, data);
}

/// A Python file as the server sees it: tree-sitter parse, boto3 diagnostics, then completion,
/// hover and signature help at a position derived from the input.
pub fn python(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let analysis = analyse("app.py", &text);
    at_derived_position(&analysis, data);
}

/// samwise-lsp's lenient frame reader over the whole input, until the stream ends.
pub fn lsp_frame(data: &[u8]) {
    let mut reader = tokio::io::BufReader::new(data);
    while let Ok(Some(_)) = ready(samwise_framing::lenient::read_frame(&mut reader)) {}
}

/// samwise-dap's strict reader over the whole input, until the stream ends or a frame is refused.
/// Each body read must survive a round trip through the writer.
pub fn dap_frame(data: &[u8]) {
    use samwise_framing::strict::{read_body, write_body};
    let mut reader = tokio::io::BufReader::new(data);
    while let Ok(Some(body)) = ready(read_body(&mut reader)) {
        let mut framed = Vec::new();
        ready(write_body(&mut framed, &body)).expect("writing to a Vec cannot fail");
        let again = ready(read_body(&mut tokio::io::BufReader::new(&framed[..])));
        assert_eq!(again.ok().flatten().as_deref(), Some(&body[..]), "the writer's frame reads back");
    }
}

fn analyse(name: &str, text: &str) -> Analysis {
    let path = Path::new("/samwise-fuzz-nonexistent").join(name);
    let analysis = Analysis::new(Some(&path), Arc::from(text), &Config::default());
    let _ = analysis.diagnostics();
    analysis
}

/// Completion, hover and signature help at an offset the input chooses (a hash of its bytes, so
/// each mutation moves the cursor) — an offset the server could pass: on a char boundary and not
/// between the `\r` and `\n` of a line break (the server clamps positions to the line's content).
fn at_derived_position(analysis: &Analysis, data: &[u8]) {
    let text = analysis.text();
    let mut offset = (fnv1a(data) % (text.len() as u64 + 1)) as usize;
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    if offset > 0 && text.as_bytes()[offset - 1] == b'\r' && text.as_bytes().get(offset) == Some(&b'\n') {
        offset -= 1;
    }
    let offset = offset as u32;
    let _ = analysis.completions(offset);
    let _ = analysis.hover(offset);
    let _ = analysis.signature_help(offset);
}

fn fnv1a(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// The result of a future that is ready at its first poll, as the framing readers are over an
/// in-memory input (reading a `&[u8]` never waits). No runtime: a fuzz iteration stays cheap.
fn ready<F: Future>(future: F) -> F::Output {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("an in-memory read waited"),
    }
}
