//! Completion and hover latency on a generated 4,000-line template (400 resources of mixed types
//! with Refs, Subs, GetAtts and Conditions): median and p99 over many cursor positions.
//!
//! Run with `cargo bench -p samwise-ide --bench completion` (release profile). The template is
//! built deterministically, so runs compare.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use samwise_ide::{Analysis, Config};

/// The template: parameters, conditions, a mapping, a Globals section, then 400 resources cycling
/// through a queue, a SAM function with an event, a bucket and a table.
fn template() -> String {
    let mut s =
        String::from("AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nParameters:\n");
    for i in 0..10 {
        s.push_str(&format!("  Param{i}:\n    Type: String\n    Default: value{i}\n"));
    }
    s.push_str("Conditions:\n");
    for i in 0..10 {
        s.push_str(&format!("  Cond{i}: !Equals [!Ref Param{i}, prod]\n"));
    }
    s.push_str("Mappings:\n  RegionMap:\n    us-east-1:\n      Size: small\n    eu-west-1:\n      Size: large\n");
    s.push_str("Globals:\n  Function:\n    Runtime: python3.12\n    Timeout: 10\n    MemorySize: 256\n");
    s.push_str("Resources:\n");
    for i in 0..400 {
        let prev = if i == 0 { 0 } else { i - 1 };
        match i % 4 {
            0 => s.push_str(&format!(
                "  Queue{i}:\n    Type: AWS::SQS::Queue\n    Condition: Cond{c}\n    Properties:\n      QueueName: !Sub \"${{AWS::StackName}}-queue-{i}\"\n      VisibilityTimeout: 30\n      DelaySeconds: 0\n      MessageRetentionPeriod: 345600\n      Tags:\n        - Key: Name\n          Value: !Ref Param{p}\n",
                c = i % 10,
                p = i % 10
            )),
            1 => s.push_str(&format!(
                "  Function{i}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n      CodeUri: src/\n      Environment:\n        Variables:\n          QUEUE_URL: !Ref Queue{prev}\n          QUEUE_ARN: !GetAtt Queue{prev}.Arn\n      Events:\n        Get:\n          Type: Api\n          Properties:\n            Path: /item{i}\n            Method: get\n"
            )),
            2 => s.push_str(&format!(
                "  Bucket{i}:\n    Type: AWS::S3::Bucket\n    DependsOn: Function{prev}\n    Properties:\n      BucketName: !Sub \"${{Param{p}}}-bucket-{i}-${{AWS::Region}}\"\n      VersioningConfiguration:\n        Status: Enabled\n      Tags:\n        - Key: Size\n          Value: !FindInMap [RegionMap, !Ref AWS::Region, Size]\n",
                p = i % 10
            )),
            _ => s.push_str(&format!(
                "  Table{i}:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      BillingMode: PAY_PER_REQUEST\n      AttributeDefinitions:\n        - AttributeName: id\n          AttributeType: S\n      KeySchema:\n        - AttributeName: id\n          KeyType: HASH\n      StreamSpecification:\n        StreamViewType: !If [Cond1, NEW_IMAGE, KEYS_ONLY]\n"
            )),
        }
    }
    s.push_str("Outputs:\n  FirstQueue:\n    Value: !GetAtt Queue0.Arn\n");
    s
}

/// Offsets just after each occurrence of `needle` (where an editor's cursor sits after typing it).
fn positions(text: &str, needle: &str, shift: isize, limit: usize) -> Vec<u32> {
    text.match_indices(needle).take(limit).map(|(i, _)| (i as isize + needle.len() as isize + shift) as u32).collect()
}

fn stats(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let pct = |p: f64| samples[((samples.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "{name:<34} n={:<5} median {:>8.1} us   p99 {:>8.1} us   max {:>8.1} us",
        samples.len(),
        pct(0.5).as_secs_f64() * 1e6,
        pct(0.99).as_secs_f64() * 1e6,
        samples.last().unwrap().as_secs_f64() * 1e6
    );
}

fn main() {
    let text = template();
    let lines = text.lines().count();
    let t0 = Instant::now();
    let a = Analysis::new(Some(Path::new("/nonexistent/template.yaml")), Arc::from(text.as_str()), &Config::default());
    println!("template: {lines} lines, {} bytes; Analysis::new {:.2} ms", text.len(), t0.elapsed().as_secs_f64() * 1e3);

    // First use builds the process-wide resource type list; report it apart from the steady state.
    let type_pos = positions(&text, "Type: AWS::SQS::Qu", 0, 1)[0];
    let t1 = Instant::now();
    let n = a.completions(type_pos).len();
    println!(
        "first resource-type completion (builds the type list once): {:.1} ms, {n} items",
        t1.elapsed().as_secs_f64() * 1e3
    );

    let cases: Vec<(&str, Vec<u32>)> = vec![
        ("property key (half word)", positions(&text, "      Visibility", 0, 200)),
        ("nested property key", positions(&text, "        Status", -2, 200)),
        ("resource type, nothing typed", positions(&text, "    Type: ", 0, 100)),
        ("resource type value", positions(&text, "Type: AWS::S3::B", 0, 100)),
        ("!Ref, nothing typed", positions(&text, "!Ref ", 0, 200)),
        ("enum value (BillingMode)", positions(&text, "BillingMode: PAY", 0, 100)),
        ("!Ref target", positions(&text, "!Ref Queue", 0, 200)),
        ("!GetAtt attribute", positions(&text, ".Arn", -2, 200)),
        ("Sub ${} variable", positions(&text, "${Param", 0, 200)),
        ("FindInMap second level", positions(&text, "AWS::Region, S", 0, 100)),
        ("Condition name", positions(&text, "Condition: Co", 0, 100)),
        ("DependsOn target", positions(&text, "DependsOn: Fun", 0, 100)),
        ("Event property", positions(&text, "            Meth", 0, 100)),
    ];
    let mut all = Vec::new();
    for (name, offsets) in &cases {
        let mut samples = Vec::new();
        for _round in 0..5 {
            for &o in offsets {
                let t = Instant::now();
                let items = a.completions(o);
                samples.push(t.elapsed());
                assert!(!items.is_empty(), "{name}: no completion at {o}");
            }
        }
        all.extend(samples.iter().copied());
        stats(&format!("completion: {name}"), samples);
    }
    stats("completion: all positions", all);

    let hover_cases: Vec<(&str, Vec<u32>)> = vec![
        ("resource type", positions(&text, "Type: AWS::DynamoDB::Ta", 0, 100)),
        ("property key", positions(&text, "      VisibilityTime", 0, 100)),
        ("Ref target", positions(&text, "!Ref Param", 0, 200)),
        ("GetAtt attribute", positions(&text, ".Ar", 0, 200)),
        ("Sub variable", positions(&text, "${AWS::Reg", 0, 200)),
        ("intrinsic name", positions(&text, "!FindIn", 0, 100)),
    ];
    let mut all = Vec::new();
    for (name, offsets) in &hover_cases {
        let mut samples = Vec::new();
        for _round in 0..5 {
            for &o in offsets {
                let t = Instant::now();
                let h = a.hover(o);
                samples.push(t.elapsed());
                assert!(h.is_some(), "{name}: no hover at {o}");
            }
        }
        all.extend(samples.iter().copied());
        stats(&format!("hover: {name}"), samples);
    }
    stats("hover: all positions", all);
}
