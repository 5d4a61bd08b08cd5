//! A no-change redeploy against a local endpoint (moto): plan (packaging every artifact and
//! hashing it), HeadBucket/HeadObject for each artifact, DescribeStacks, CreateChangeSet,
//! DescribeChangeSet until "no changes", and the Outputs. Deploys once, then times N redeploys of
//! the same template and prints the median and p90. Issue 7's target: under 3 s.
//!
//! Run with `cargo bench -p samwise-deploy --bench redeploy` (needs `/work/main/.venv` with moto;
//! `REDEPLOY_SAMPLES` sets N, default 20). A measurement, not a test: it fails only if a deploy does.

use std::time::{Duration, Instant};

use aws_config::BehaviorVersion;
use aws_credential_types::Credentials;
use samwise_deploy::{ChangeSet, Clients, DeployOptions, Observer, Outcome, Progress};
use samwise_e2e::moto::{Moto, lambda_stack_template};

struct Quiet;

impl Observer for Quiet {
    fn progress(&self, _: Progress<'_>) {}
    fn confirm<'a>(&'a self, _: &'a ChangeSet) -> std::pin::Pin<Box<dyn Future<Output = bool> + Send + 'a>> {
        Box::pin(async { true })
    }
}

fn main() {
    let samples: usize = std::env::var("REDEPLOY_SAMPLES").ok().and_then(|v| v.parse().ok()).unwrap_or(20);
    let moto = Moto::start();
    moto.create_bucket("bench-artifacts");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("template.yaml"), lambda_stack_template(&["One", "Two", "Three"])).unwrap();
    for f in ["one", "two", "three"] {
        std::fs::create_dir_all(dir.path().join(f)).unwrap();
        // Some bulk, so packaging is part of the figure.
        let filler: String = (0..2_000).map(|i| format!("VALUE_{i} = {i}\n")).collect();
        std::fs::write(dir.path().join(f).join("app.py"), format!("{filler}def handler(e, c):\n    return {f:?}\n"))
            .unwrap();
    }
    let template = dir.path().join("template.yaml");
    let options = DeployOptions {
        stack_name: Some("bench".into()),
        s3_bucket: Some("bench-artifacts".into()),
        region: Some("us-east-1".into()),
        confirm_changeset: Some(false),
        ..Default::default()
    };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let clients = rt.block_on(async {
        let config = aws_config::defaults(BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .endpoint_url(&moto.endpoint)
            .credentials_provider(Credentials::new("testing", "testing", None, None, "bench"))
            .load()
            .await;
        Clients::from_config(&config).await.unwrap()
    });
    let deploy_once = || {
        let plan = samwise_deploy::plan(&template, &options, None).unwrap();
        rt.block_on(samwise_deploy::deploy(&clients, &plan, &Quiet)).unwrap()
    };
    let first = deploy_once();
    assert!(matches!(first.outcome, Outcome::Deployed { .. }), "{:?}", first.outcome);

    let mut times: Vec<Duration> = (0..samples)
        .map(|_| {
            let start = Instant::now();
            let report = deploy_once();
            let elapsed = start.elapsed();
            assert_eq!(report.outcome, Outcome::NoChanges);
            assert!(report.uploaded.is_empty());
            elapsed
        })
        .collect();
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1];
    println!(
        "no-change redeploy (3 artifacts, moto): n={samples} median {:.0} ms, p90 {:.0} ms, max {:.0} ms (target < 3000 ms)",
        at(0.5).as_secs_f64() * 1e3,
        at(0.9).as_secs_f64() * 1e3,
        times.last().unwrap().as_secs_f64() * 1e3,
    );
}
