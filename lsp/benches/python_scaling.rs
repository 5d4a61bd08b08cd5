//! How the analysis of a Python file (parse, scopes, boto3 calls, diagnostics) grows with its
//! size: a generated module of N lines of handlers that each create an S3 client and call it.
//! Prints the median of 5 runs per size and the ratio to the previous size; a linear analysis
//! shows ratios near the size ratio (2). Then, per size, the analysis of the next version after a
//! one-character edit in the middle of the file (what the server does as the user types): the
//! incremental reparse of `Analysis::after_edits` beside a fresh `Analysis::new`.
//!
//! Run with `cargo bench -p samwise-lsp --bench python_scaling` (the analysis the server runs per
//! version of a Python document).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use samwise_ide::{Analysis, Config};

fn main() {
    let path = Path::new("/nonexistent/app.py");
    // Loads the embedded botocore models once, outside the samples.
    Analysis::new(Some(path), Arc::from("import boto3\n"), &Config::default()).diagnostics();
    let mut previous: Option<f64> = None;
    for lines in [1_000, 2_000, 4_000, 8_000, 16_000] {
        let text: Arc<str> = Arc::from(samwise_e2e::big_python(lines).as_str());
        let median = median_ms(
            (0..5)
                .map(|_| {
                    let started = Instant::now();
                    let findings = Analysis::new(Some(path), text.clone(), &Config::default()).diagnostics();
                    assert_eq!(findings.len(), lines / 250, "one misspelt call per 50 handlers");
                    started.elapsed()
                })
                .collect(),
        );
        let ratio = previous.map_or(String::new(), |p| format!("   x{:.2} the previous size", median / p));
        println!("{lines:>6} lines: analysis + diagnostics median {median:>8.1} ms{ratio}");
        previous = Some(median);
    }
    println!("the next version after a one-character edit in the middle:");
    for lines in [1_000, 4_000, 16_000] {
        let text = samwise_e2e::big_python(lines);
        let before = Analysis::new(Some(path), Arc::from(text.as_str()), &Config::default());
        let at = text.len() / 2;
        let at = (at..).find(|&i| text.as_bytes()[i] == b'\n').expect("a line end after the middle") as u32;
        let edit = [(samwise_ide::TextRange::empty(at), "#")];
        let mut next = text.clone();
        next.insert(at as usize, '#');
        let next: Arc<str> = Arc::from(next);
        // Medians of 9 runs: (building the analysis, building it plus its diagnostics), in ms.
        let time = |incremental: bool| {
            let mut build = Vec::new();
            let mut total = Vec::new();
            for _ in 0..9 {
                let started = Instant::now();
                let a = if incremental {
                    Analysis::after_edits(Some(path), next.clone(), &Config::default(), &before, &edit)
                } else {
                    Analysis::new(Some(path), next.clone(), &Config::default())
                };
                build.push(started.elapsed());
                assert_eq!(a.diagnostics().len(), lines / 250);
                total.push(started.elapsed());
            }
            (median_ms(build), median_ms(total))
        };
        let (fresh, incremental) = (time(false), time(true));
        println!(
            "{lines:>6} lines: parse + index fresh {:>6.1} ms, incremental {:>6.1} ms (x{:.2}); \
             with diagnostics fresh {:>6.1} ms, incremental {:>6.1} ms (x{:.2})",
            fresh.0,
            incremental.0,
            incremental.0 / fresh.0,
            fresh.1,
            incremental.1,
            incremental.1 / fresh.1
        );
    }
}

/// The median of `samples`, in milliseconds.
fn median_ms(mut samples: Vec<Duration>) -> f64 {
    samples.sort();
    samples[samples.len() / 2].as_secs_f64() * 1e3
}
