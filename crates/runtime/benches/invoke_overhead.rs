//! Benchmark: the overhead of a local invoke (emulator, runtime client, process lifecycle, REPORT)
//! over running the same handler directly with the same Python, as the median of N runs each.
//!
//! Run with `cargo bench -p samwise-runtime --bench invoke_overhead` (`BENCH_RUNS=N` to change the
//! count, `SAMWISE_BENCH_PYTHON` to choose the interpreter; default: `python3` from PATH, resolved to the
//! real executable so that version-manager shims do not count).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use samwise_runtime::{FunctionConfig, LaunchOptions, invoke};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let runs: usize = std::env::var("BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(30);
    let code = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/invoke/python").canonicalize().unwrap();
    let python = std::env::var_os("SAMWISE_BENCH_PYTHON").map(PathBuf::from).unwrap_or_else(|| {
        let out =
            Command::new("python3").args(["-c", "import sys; print(sys.executable)"]).output().expect("python3 runs");
        PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
    });
    println!("interpreter: {}", python.display());

    // Direct: import the handler's module, call it with the event, print the JSON result.
    let script = format!(
        "import json, sys; sys.path.insert(0, {:?}); import functions; print(json.dumps(functions.noop({{}}, None)))",
        code.display().to_string()
    );
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (mut direct, mut local, mut init, mut rest) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    // Direct and local runs alternate, so that a change in machine load affects both alike.
    for _ in 0..runs {
        let start = Instant::now();
        let out = Command::new(&python).args(["-c", &script]).output().unwrap();
        direct.push(start.elapsed());
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), r#"{"ok": true}"#);

        let mut config = FunctionConfig::new("Bench", &code, "functions.noop", "python3.12");
        config.interpreter = Some(python.clone());
        let start = Instant::now();
        let outcome = rt.block_on(invoke(config, b"{}".to_vec(), LaunchOptions::default())).unwrap();
        let total = start.elapsed();
        assert!(outcome.result.is_success(), "{:?}", outcome.result);
        local.push(total);
        init.push(outcome.report.init_duration);
        // Emulator start, client install, settling, killing and reaping: everything but the runtime's run.
        rest.push(total.saturating_sub(outcome.report.init_duration + outcome.report.duration));
    }

    let (d, l) = (median(direct), median(local));
    println!("runs: {runs}");
    println!("direct python (median):      {:8.1} ms", ms(d));
    println!("local invoke (median):       {:8.1} ms", ms(l));
    println!(
        "  of which init (median):    {:8.1} ms  (interpreter start-up, client, handler import)",
        ms(median(init))
    );
    println!("  of which set-up and teardown (median): {:5.1} ms", ms(median(rest)));
    println!("overhead (median difference): {:7.1} ms (target: < 150 ms)", ms(l.saturating_sub(d)));
}
