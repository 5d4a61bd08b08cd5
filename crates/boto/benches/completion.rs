//! Benchmark of the boto3 analysis: cold start (open the embedded models, parse, first `ssm.` completion),
//! completion latency in a generated 2,000-line Python file (median, p99), a full parse + diagnostics pass,
//! and memory (resident set after the cold start, and peak after decoding every service model).
//!
//! Run with `cargo bench -p samwise-boto` (release profile); it prints one figure per line.

use std::time::{Duration, Instant};

use samwise_boto::{BotocoreModels, PyFile};

/// A realistic module of `functions` Lambda handlers using SSM, S3, DynamoDB and SQS clients.
fn generated_file(lines: usize) -> String {
    let mut s = String::from(
        "import json\nimport os\n\nimport boto3\n\nssm = boto3.client(\"ssm\")\ns3 = boto3.client(\"s3\")\n\
         sqs = boto3.client(\"sqs\")\ntable = boto3.resource(\"dynamodb\").Table(os.environ[\"TABLE\"])\n\n",
    );
    let mut i = 0;
    while s.lines().count() < lines {
        s.push_str(&format!(
            "\ndef handler_{i}(event, context):\n    \"\"\"Handles request kind {i}.\"\"\"\n    \
             name = event.get(\"name\", \"/app/{i}\")\n    resp = ssm.get_parameter(Name=name, WithDecryption=True)\n    \
             value = resp[\"Parameter\"][\"Value\"]\n    obj = s3.get_object(Bucket=\"bucket-{i}\", Key=f\"k/{{name}}\")\n    \
             body = json.loads(obj[\"Body\"].read())\n    table.put_item(Item={{\"id\": name, \"v\": value}})\n    \
             sqs.send_message(QueueUrl=os.environ[\"QUEUE\"], MessageBody=json.dumps(body))\n    \
             for item in body.get(\"items\", []):\n        if item:\n            print(item)\n    \
             return {{\"statusCode\": 200, \"body\": value}}\n"
        ));
        i += 1;
    }
    s
}

fn rss_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let start = Instant::now();
    let models = BotocoreModels::embedded().expect("embedded data opens");
    let opened = start.elapsed();
    let handler = "import boto3\n\nssm = boto3.client(\"ssm\")\n\ndef handler(event, context):\n    ssm.";
    let file = PyFile::parse(handler);
    let items = file.completions(&models, handler.len() as u32);
    let cold = start.elapsed();
    assert!(items.iter().any(|i| i.label == "get_parameter"), "cold completion found get_parameter");
    println!("cold: open embedded models {opened:?}, open + parse + first ssm. completion {cold:?}");
    println!("rss after cold start: {} KiB", rss_kib("VmRSS:").unwrap_or(0));

    let text = generated_file(2000);
    let t = Instant::now();
    let big = PyFile::parse(&text);
    println!("parse of {} lines ({} KiB): {:?}", text.lines().count(), text.len() / 1024, t.elapsed());
    let t = Instant::now();
    let diags = big.diagnostics(&models);
    println!("diagnostics pass: {:?} ({} diagnostics)", t.elapsed(), diags.len());
    let t = Instant::now();
    let edited = big.edit(samwise_boto::TextRange::empty(text.len() as u32), "\n# edited\n");
    println!("incremental reparse after an edit at the end: {:?}", t.elapsed());
    drop(edited);

    // Cursor positions across the file: after `ssm.`, inside `get_parameter(`, inside a response key.
    let mut offsets = Vec::new();
    for (needle, delta) in [("ssm.get_parameter(", 4usize), ("get_parameter(Name", 14), ("[\"Parameter\"][\"", 15)] {
        let mut from = 0;
        while let Some(at) = text[from..].find(needle) {
            offsets.push((from + at + delta) as u32);
            from += at + needle.len();
        }
    }
    let mut times = Vec::with_capacity(offsets.len() * 3);
    let mut n_items = 0;
    for _ in 0..3 {
        for &o in &offsets {
            let t = Instant::now();
            n_items += big.completions(&models, o).len();
            times.push(t.elapsed());
        }
    }
    times.sort();
    println!(
        "completion in the 2,000-line file: {} requests, median {:?}, p99 {:?}, max {:?} ({} items)",
        times.len(),
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        times.last().copied().unwrap_or_default(),
        n_items
    );

    let t = Instant::now();
    for s in models.services() {
        models.service(&s.name).expect("every listed service decodes");
    }
    println!("decode all {} services: {:?}", models.services().len(), t.elapsed());
    println!(
        "memory: rss {} KiB, peak rss {} KiB (every service decoded once; at most {} stay cached)",
        rss_kib("VmRSS:").unwrap_or(0),
        rss_kib("VmHWM:").unwrap_or(0),
        samwise_data::botocore::CACHED_SERVICES
    );
}
