//! How the analysis of a Python file (parse, scopes, boto3 calls, diagnostics) grows with its
//! size: a generated module of N lines of handlers that each create an S3 client and call it.
//! Prints the median of 5 runs per size and the ratio to the previous size; a linear analysis
//! shows ratios near the size ratio (2).
//!
//! Run with `cargo bench -p samwise-ide --bench python_scaling`.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use samwise_ide::{Analysis, Config};

fn module(lines: usize) -> String {
    let mut text = String::from("import boto3\n\n");
    let mut i = 0;
    while 2 + 5 * i < lines {
        let call = if i % 50 == 0 { "put_objekt" } else { "put_object" };
        text.push_str(&format!(
            "def handler_{i}(event, context):\n    s3 = boto3.client(\"s3\")\n    s3.{call}(Bucket=\"b{i}\", Key=\"k\", Body=b\"x\")\n    return {{\"ok\": {i}}}\n\n"
        ));
        i += 1;
    }
    text
}

fn main() {
    let path = Path::new("/nonexistent/app.py");
    // Loads the embedded botocore models once, outside the samples.
    Analysis::new(Some(path), Arc::from("import boto3\n"), &Config::default()).diagnostics();
    let mut previous: Option<Duration> = None;
    for lines in [1_000, 2_000, 4_000, 8_000, 16_000] {
        let text: Arc<str> = Arc::from(module(lines).as_str());
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
