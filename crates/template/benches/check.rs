//! Benchmark of parse + model + all diagnostics: the generated 4,000-line template and the whole
//! corpus. Run with `cargo bench -p samwise-template`; prints medians and p99 in milliseconds.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use samwise_data::CfnData;
use samwise_syntax::Format;
use samwise_template::{CheckContext, Template, check, synth};

fn stats(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (ms(samples[samples.len() / 2]), ms(samples[(samples.len() * 99 / 100).min(samples.len() - 1)]))
}

fn corpus() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus");
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if matches!(p.extension().and_then(|x| x.to_str()), Some("yaml" | "yml")) {
                out.push((p.clone(), std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    out
}

fn main() {
    let data = CfnData::embedded();
    let text = synth::template(400);
    let lines = text.lines().count();
    let run = |text: &str, path: Option<&Path>| {
        let t = Template::parse(text, Format::Yaml);
        check(&t, &CheckContext { data, path }).len()
    };
    // Warm-up decodes the resource types the template uses (a server does this once per process).
    run(&text, None);
    let samples: Vec<Duration> = (0..50)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(run(&text, None));
            start.elapsed()
        })
        .collect();
    let (median, p99) = stats(samples);
    println!(
        "generated template ({lines} lines, 400 resources): parse + model + diagnostics median {median:.2} ms, p99 {p99:.2} ms (budget 20 ms)"
    );

    let parse_only: Vec<Duration> = (0..50)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(samwise_syntax::parse(&text, Format::Yaml));
            start.elapsed()
        })
        .collect();
    let (median, _) = stats(parse_only);
    println!("  of which parsing: median {median:.2} ms");

    let files = corpus();
    for (p, t) in &files {
        run(t, Some(p));
    }
    let samples: Vec<Duration> = (0..10)
        .map(|_| {
            let start = Instant::now();
            for (p, t) in &files {
                std::hint::black_box(run(t, Some(p)));
            }
            start.elapsed()
        })
        .collect();
    let (median, _) = stats(samples);
    println!("whole corpus ({} templates): median {median:.1} ms (budget 1000 ms)", files.len());
}
