//! Benchmark: from the `launch` request to the first breakpoint stop, for the example project's Python
//! function under debugpy, driven by the end-to-end tests' DAP client over stdio; median of N runs.
//!
//! Run with `cargo bench -p samwise-dap --bench dap_first_stop` (`BENCH_RUNS=N` to change the count,
//! default 10; `BENCH_JUST_MY_CODE=0` to measure with library code traced; `BENCH_COMPARE=PATH` to
//! alternate runs with another samwise-dap binary, such as a build of an earlier commit, and report
//! both). It needs the test virtualenv (`scripts/test-env.sh`) for debugpy and boto3.
//!
//! Each run prints a timeline in milliseconds from the launch request. The editor's side: the
//! adapter's `initialized` event (debugpy's adapter started and the debuggee connected), the answers
//! to setBreakpoints and configurationDone, the launch response and the `stopped` event. The
//! debuggee's side, from the runtime client's `SAMWISE_DAP_TIMING=1` marks (wall clock, arriving as
//! output events): the process started, the runtime client began, the handler's libraries imported
//! before the tracer starts (how many), debugpy imported, connected and configured (`debugpy.connect`
//! returns after configurationDone), handler imported, handler called. The summary gives each
//! point's median.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use samwise_e2e::dap_client::{DapClient, marker_line};
use serde_json::{Value, json};

/// The timeline's points, in the order they happen.
const POINTS: &[&str] = &[
    "process-start",
    "bootstrap",
    "preimported",
    "initialized",
    "setBreakpoints",
    "configurationDone",
    "configured",
    "launch response",
    "handler-imported",
    "invoke",
    "stopped",
];

fn median(samples: &mut [f64]) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn epoch_ms() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs_f64() * 1000.0
}

/// The runtime client's marks (`samwise-timing: NAME EPOCH_MS` in output events), relative to `start`.
/// A mark's name may carry a detail in parentheses, `preimported(1)`, which is kept apart.
fn debuggee_marks(events: &[Value], start: f64) -> (BTreeMap<String, f64>, Vec<String>) {
    let mut marks = BTreeMap::new();
    let mut details = Vec::new();
    let text: String =
        events.iter().filter(|e| e["event"] == "output").filter_map(|e| e["body"]["output"].as_str()).collect();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("samwise-timing: ") else { continue };
        let Some((name, at)) = rest.rsplit_once(' ') else { continue };
        let Ok(at) = at.parse::<f64>() else { continue };
        let key = match name.split_once('(') {
            Some((key, _)) => {
                details.push(name.to_owned());
                key
            }
            None => name,
        };
        marks.insert(key.to_owned(), at - start);
    }
    (marks, details)
}

fn main() {
    let runs: usize = std::env::var("BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(10);
    let just_my_code = std::env::var("BENCH_JUST_MY_CODE").map_or(true, |v| v != "0");
    let example = samwise_e2e::repo_root().join("examples/parameter-store");
    let app = example.join("src/app.py").canonicalize().unwrap();
    let line = marker_line(&app, "# BP: entry");
    let mut binaries = vec![("this build", samwise_e2e::binary("samwise-dap"))];
    if let Some(other) = std::env::var_os("BENCH_COMPARE") {
        binaries.push(("BENCH_COMPARE", PathBuf::from(other)));
    }
    let python = samwise_e2e::venv_python();
    let config = json!({
        "invokeTarget": {"target": "template", "templatePath": "template.yaml", "logicalId": "GreetingFunction"},
        "lambda": {"payload": {"path": "events/event.json"}},
        "pythonPath": python,
        "cwd": example,
        "justMyCode": just_my_code,
    });

    // Per binary: each point's samples, and the adapter's start-up.
    let mut timelines: Vec<BTreeMap<&str, Vec<f64>>> = vec![BTreeMap::new(); binaries.len()];
    let mut adapter_start = vec![Vec::new(); binaries.len()];
    for run in 0..runs * binaries.len() {
        // Alternating, so that changes in the machine's load hit every binary alike.
        let which = run % binaries.len();
        let spawned = Instant::now();
        let mut client = DapClient::start(&binaries[which].1, |cmd| {
            cmd.env("AWS_DEFAULT_REGION", "us-east-1").env("SAMWISE_DAP_TIMING", "1");
        });
        client.ok(
            "initialize",
            json!({"clientID": "bench", "adapterID": "samwise", "linesStartAt1": true, "pathFormat": "path"}),
        );
        adapter_start[which].push(ms(spawned.elapsed()));
        let start = Instant::now();
        let start_epoch = epoch_ms();
        let launch = client.send("launch", config.clone());
        let mut points: BTreeMap<String, f64> = BTreeMap::new();
        client.event("initialized");
        points.insert("initialized".into(), ms(start.elapsed()));
        client.ok("setBreakpoints", json!({"source": {"path": app}, "breakpoints": [{"line": line}]}));
        points.insert("setBreakpoints".into(), ms(start.elapsed()));
        client.ok("configurationDone", json!({}));
        points.insert("configurationDone".into(), ms(start.elapsed()));
        let response = client.response(launch);
        assert_eq!(response["success"], true, "{response}");
        points.insert("launch response".into(), ms(start.elapsed()));
        let stopped = client.event("stopped");
        points.insert("stopped".into(), ms(start.elapsed()));
        assert_eq!(stopped["body"]["reason"], "breakpoint");
        // A round trip, so that output events the function wrote before the stop have arrived.
        client.ok("threads", json!({}));
        let (marks, details) = debuggee_marks(&client.events, start_epoch);
        points.extend(marks);

        let mut row = format!("run {run:2} ({}):", binaries[which].0);
        for name in POINTS {
            if let Some(at) = points.get(*name) {
                row.push_str(&format!(" {name} {at:.0}"));
                timelines[which].entry(name).or_default().push(*at);
            }
        }
        if !details.is_empty() {
            row.push_str(&format!(" [{}]", details.join(", ")));
        }
        println!("{row}");
        client.ok("disconnect", json!({}));
        client.wait_exit();
    }
    println!("runs: {runs} per binary, justMyCode: {just_my_code}");
    for (which, (label, path)) in binaries.iter().enumerate() {
        println!("{label} ({}):", path.display());
        println!(
            "  adapter start (spawn -> initialize response), median: {:7.1} ms",
            median(&mut adapter_start[which])
        );
        println!("  medians from the launch request:");
        for name in POINTS {
            if let Some(samples) = timelines[which].get_mut(name) {
                println!("    {name:<18} {:7.1} ms  ({} runs)", median(samples), samples.len());
            }
        }
        let total = timelines[which].get_mut("stopped").map(|s| median(s)).unwrap_or(f64::NAN);
        println!("  launch -> first breakpoint stop (median): {total:8.1} ms (target: < 1500 ms)");
    }
}
