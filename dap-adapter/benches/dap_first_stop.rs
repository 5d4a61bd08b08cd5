//! Benchmark: from the `launch` request to the first breakpoint stop, for the example project's Python
//! function under debugpy, driven by the end-to-end tests' DAP client over stdio; median of N runs.
//!
//! Run with `cargo bench -p samwise-dap --bench dap_first_stop` (`BENCH_RUNS=N` to change the count,
//! default 10). It needs the test virtualenv (`scripts/test-env.sh`) for debugpy and boto3. Each run
//! also prints its phases: `initialized` (debugpy connected), the launch response (debuggee
//! configured and running) and the stop.

use std::time::{Duration, Instant};

use samwise_e2e::dap_client::{DapClient, marker_line};
use serde_json::json;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let runs: usize = std::env::var("BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(10);
    let example = samwise_e2e::repo_root().join("examples/parameter-store");
    let app = example.join("src/app.py").canonicalize().unwrap();
    let line = marker_line(&app, "# BP: entry");
    let binary = samwise_e2e::binary("samwise-dap");
    let python = samwise_e2e::venv_python();
    let config = json!({
        "invokeTarget": {"target": "template", "templatePath": "template.yaml", "logicalId": "GreetingFunction"},
        "lambda": {"payload": {"path": "events/event.json"}},
        "pythonPath": python,
        "cwd": example,
    });

    let mut totals = Vec::new();
    for run in 0..runs {
        let mut client = DapClient::start(&binary, |cmd| {
            cmd.env("AWS_DEFAULT_REGION", "us-east-1");
        });
        client.ok(
            "initialize",
            json!({"clientID": "bench", "adapterID": "samwise", "linesStartAt1": true, "pathFormat": "path"}),
        );
        let start = Instant::now();
        let launch = client.send("launch", config.clone());
        client.event("initialized");
        let initialized = start.elapsed();
        client.ok("setBreakpoints", json!({"source": {"path": app}, "breakpoints": [{"line": line}]}));
        client.ok("configurationDone", json!({}));
        let response = client.response(launch);
        assert_eq!(response["success"], true, "{response}");
        let launched = start.elapsed();
        let stopped = client.event("stopped");
        let total = start.elapsed();
        assert_eq!(stopped["body"]["reason"], "breakpoint");
        println!(
            "run {run:2}: initialized {:7.1} ms  launch response {:7.1} ms  stopped {:7.1} ms",
            ms(initialized),
            ms(launched),
            ms(total)
        );
        totals.push(total);
        client.ok("disconnect", json!({}));
        client.wait_exit();
    }
    println!("runs: {runs}");
    println!("launch -> first breakpoint stop (median): {:8.1} ms (target: < 1500 ms)", ms(median(totals)));
}
