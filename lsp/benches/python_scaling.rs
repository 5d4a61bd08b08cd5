//! How the analysis of a Python file (parse, scopes, boto3 calls, diagnostics) grows with its
//! size: a generated module of N lines of handlers that each create an S3 client and call it.
//! Prints the median of 5 runs per size and the ratio to the previous size; a linear analysis
//! shows ratios near the size ratio (2).
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
    let mut previous: Option<Duration> = None;
    for lines in [1_000, 2_000, 4_000, 8_000, 16_000] {
        let text: Arc<str> = Arc::from(samwise_e2e::big_python(lines).as_str());
        let mut samples: Vec<Duration> = (0..5)
            .map(|_| {
                let started = Instant::now();
                let findings = Analysis::new(Some(path), text.clone(), &Config::default()).diagnostics();
                assert_eq!(findings.len(), lines / 250, "one misspelt call per 50 handlers");
                started.elapsed()
            })
            .collect();
        samples.sort();
        let median = samples[samples.len() / 2];
        let ratio = previous
            .map_or(String::new(), |p| format!("   x{:.2} the previous size", median.as_secs_f64() / p.as_secs_f64()));
        println!("{lines:>6} lines: analysis + diagnostics median {:>8.1} ms{ratio}", median.as_secs_f64() * 1e3);
        previous = Some(median);
    }
}
