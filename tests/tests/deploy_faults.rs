//! `samwise-lsp deploy` under faults, end to end: the binary talks to moto through
//! [`FaultProxy`], which cuts uploads off part way, throttles, turns change sets into FAILED ones
//! and holds ExecuteChangeSet while the test kills the deploy. Each test ends with a run that
//! converges (the stack complete, no change set left over) and checks that samconfig.toml is either
//! untouched or whole.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use samwise_e2e::fault_proxy::{Fault, FaultProxy, Match, Rule};
use samwise_e2e::moto::{Moto, SECRET_ACCESS_KEY, lambda_stack_template};

/// What the SDK's standard retry mode is configured to try per request (see the pipeline).
const ATTEMPTS: usize = 5;

/// A deploy project (template, two function folders, samconfig.toml naming the stack and the
/// bucket) with moto behind a fault proxy.
struct Faulty {
    moto: Moto,
    proxy: FaultProxy,
    dir: PathBuf,
    stack: &'static str,
}

/// The samconfig.toml every project starts with; the comment must survive every run.
fn samconfig(stack: &str) -> String {
    format!(
        "version = 0.1\n# Written by hand; samwise must keep this comment.\n[default.deploy.parameters]\n\
         stack_name = \"{stack}\"\ns3_bucket = \"artifacts\"\n"
    )
}

impl Faulty {
    fn new(stack: &'static str, rules: Vec<Rule>) -> Faulty {
        let moto = Moto::start();
        moto.create_bucket("artifacts");
        let proxy = FaultProxy::start(&moto.endpoint, rules);
        let dir = samwise_e2e::lsp_client::scratch_dir(&format!("faults-{stack}"));
        std::fs::write(dir.join("template.yaml"), lambda_stack_template(&["Hello", "Other"])).unwrap();
        for name in ["hello", "other"] {
            std::fs::create_dir_all(dir.join(name)).unwrap();
            std::fs::write(dir.join(name).join("app.py"), format!("def handler(e, c):\n    return {name:?}\n"))
                .unwrap();
        }
        std::fs::write(dir.join("samconfig.toml"), samconfig(stack)).unwrap();
        std::fs::create_dir_all(dir.join("home")).unwrap();
        Faulty { moto, proxy, dir, stack }
    }

    /// The deploy command, every AWS request going through the proxy.
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(samwise_e2e::binary("samwise-lsp"));
        cmd.arg("deploy").arg("--template").arg(self.dir.join("template.yaml")).arg("--no-confirm").args(args);
        self.moto.env_isolated(&mut cmd, &self.dir.join("home"));
        cmd.env("AWS_ENDPOINT_URL", &self.proxy.endpoint).stdin(Stdio::null());
        cmd
    }

    /// Runs a deploy to its end; asserts the exit status and that no secret was printed.
    fn deploy(&self, args: &[&str], expect: i32) -> (String, String) {
        let out = self.command(args).output().unwrap();
        let (stdout, stderr) =
            (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned());
        assert_eq!(out.status.code(), Some(expect), "--- stdout\n{stdout}\n--- stderr\n{stderr}");
        assert!(!stdout.contains(SECRET_ACCESS_KEY) && !stderr.contains(SECRET_ACCESS_KEY), "{stdout}\n{stderr}");
        (stdout, stderr)
    }

    /// Starts a deploy whose ExecuteChangeSet the proxy holds, and SIGKILLs it once the request
    /// is held: the change set exists and was never executed.
    fn deploy_killed_before_execution(&self, args: &[&str]) {
        self.deploy_killed_while_held(args, || {});
    }

    /// Starts a deploy whose ExecuteChangeSet the proxy holds, runs `meanwhile` once the request is
    /// held, then SIGKILLs the deploy.
    fn deploy_killed_while_held(&self, args: &[&str], meanwhile: impl FnOnce()) {
        self.proxy.set_rules(vec![Rule::first(1, Match::Action("ExecuteChangeSet"), Fault::Hold)]);
        let before = self.proxy.log().len();
        let mut child = self.command(args).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        let held = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.proxy.wait_for(before, Duration::from_secs(120), |s| s.fault.as_deref() == Some("hold"));
            meanwhile();
        }));
        child.kill().unwrap();
        child.wait().unwrap();
        held.unwrap();
        assert_eq!(
            self.proxy.log()[before..].iter().filter(|s| s.fault.as_deref() == Some("hold")).count(),
            1,
            "exactly one held ExecuteChangeSet"
        );
        self.proxy.set_rules(Vec::new());
    }

    fn samconfig(&self) -> String {
        std::fs::read_to_string(self.dir.join("samconfig.toml")).unwrap()
    }

    /// Files in the project folder that are not the project's: temporary files of a write.
    fn stray_files(&self) -> Vec<String> {
        let ours = ["template.yaml", "samconfig.toml", "hello", "other", "home"];
        std::fs::read_dir(&self.dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| !ours.contains(&n.as_str()))
            .collect()
    }

    /// The change sets moto still holds that were never executed.
    fn pending_change_sets(&self) -> Vec<String> {
        let sets = self.moto.change_sets(self.stack);
        sets.into_iter().filter(|c| c.execution_status != "EXECUTE_COMPLETE").map(|c| c.name).collect()
    }

    /// Asserts every artifact in the bucket is a whole zip holding `app.py`.
    fn assert_artifacts_whole(&self) {
        let keys = self.moto.bucket_keys("artifacts");
        assert_eq!(keys.len(), 2, "{keys:?}");
        for key in keys {
            let names = self.moto.boto(&format!(
                "import io, zipfile\n\
                 body = boto3.client('s3').get_object(Bucket='artifacts', Key={key:?})['Body'].read()\n\
                 print(json.dumps(zipfile.ZipFile(io.BytesIO(body)).namelist()))"
            ));
            assert_eq!(names, r#"["app.py"]"#, "{key}");
        }
    }
}

/// A throttling error in the AWS query protocol (CloudFormation).
fn throttled() -> Fault {
    Fault::Respond {
        status: 429,
        body: "<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><Error><Type>Sender</Type>\
               <Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r</RequestId></ErrorResponse>"
            .to_owned(),
    }
}

/// S3's "reduce your request rate" answer.
fn slow_down() -> Fault {
    Fault::Respond {
        status: 503,
        body: "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>".to_owned(),
    }
}

/// CloudFormation's transient "try again" answer.
fn unavailable() -> Fault {
    Fault::Respond {
        status: 503,
        body: "<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code>\
               <Message>Service is unavailable</Message></Error><RequestId>r</RequestId></ErrorResponse>"
            .to_owned(),
    }
}

/// Turns moto's complete change set into a FAILED one with `reason`.
fn failed_change_set(reason: &str) -> Fault {
    Fault::Rewrite {
        from: "<Status>CREATE_COMPLETE</Status>".to_owned(),
        to: format!("<Status>FAILED</Status><StatusReason>{reason}</StatusReason>"),
    }
}

fn count(proxy: &FaultProxy, pred: impl Fn(&samwise_e2e::fault_proxy::Seen) -> bool) -> usize {
    proxy.log().iter().filter(|s| pred(s)).count()
}

#[test]
fn an_upload_cut_off_mid_body_is_retried_and_the_deploy_completes() {
    let f = Faulty::new("dropped", vec![Rule::first(1, Match::S3Put, Fault::DropAfter(64))]);
    let (stdout, _) = f.deploy(&[], 0);
    assert!(stdout.contains("Stack dropped is CREATE_COMPLETE"), "{stdout}");
    let puts: Vec<Option<String>> = f.proxy.log().into_iter().filter(|s| s.method == "PUT").map(|s| s.fault).collect();
    assert_eq!(puts, [Some("drop".to_owned()), None, None], "one cut-off upload, retried; then the other");
    f.assert_artifacts_whole();
    assert_eq!(f.moto.stack_status("dropped"), "CREATE_COMPLETE");
}

#[test]
fn an_upload_that_keeps_failing_is_reported_and_a_rerun_uploads_only_what_is_missing() {
    // The second upload is cut off on every attempt.
    let f = Faulty::new("cutoff", vec![Rule::from_nth(2, Match::S3Put, Fault::DropAfter(64))]);
    let (stdout, stderr) = f.deploy(&[], 1);
    let dropped = count(&f.proxy, |s| s.fault.as_deref() == Some("drop"));
    assert_eq!(dropped, ATTEMPTS, "every attempt of the second upload: {:?}", f.proxy.log());
    assert_eq!(stdout.matches("Uploaded ").count(), 1, "{stdout}");
    assert!(
        stderr.contains(&format!("cannot reach {}: PutObject failed after {ATTEMPTS} attempts", f.proxy.endpoint)),
        "the failed call and the endpoint are named: {stderr}"
    );
    assert_eq!(f.samconfig(), samconfig("cutoff"), "a failed deploy leaves samconfig.toml alone");
    assert!(f.pending_change_sets().is_empty());

    f.proxy.set_rules(Vec::new());
    let (stdout, _) = f.deploy(&[], 0);
    assert_eq!(stdout.matches("Already uploaded ").count(), 1, "{stdout}");
    assert_eq!(stdout.matches("Uploaded ").count(), 1, "{stdout}");
    assert!(stdout.contains("Stack cutoff is CREATE_COMPLETE"), "{stdout}");
    f.assert_artifacts_whole();
}

#[test]
fn throttling_and_unavailable_answers_are_retried_with_backoff() {
    let f = Faulty::new(
        "throttled",
        vec![
            // More throttled attempts than the SDK's default 3 allow.
            Rule::first(ATTEMPTS - 2, Match::CloudFormation, throttled()),
            Rule::first(1, Match::S3Put, slow_down()),
            Rule::first(2, Match::Action("CreateChangeSet"), unavailable()),
            Rule::first(1, Match::Action("ExecuteChangeSet"), throttled()),
        ],
    );
    let (stdout, _) = f.deploy(&[], 0);
    assert!(stdout.contains("Stack throttled is CREATE_COMPLETE"), "{stdout}");
    let log = f.proxy.log();
    let first_calls: Vec<(Option<&str>, Option<&str>)> =
        log.iter().filter(|s| s.action.is_some()).take(4).map(|s| (s.action.as_deref(), s.fault.as_deref())).collect();
    let throttle = (Some("DescribeStacks"), Some("respond 429"));
    assert_eq!(first_calls, [throttle, throttle, throttle, (Some("DescribeStacks"), None)]);
    for (action, answered) in [("CreateChangeSet", 2), ("ExecuteChangeSet", 1)] {
        let faults = count(&f.proxy, |s| s.action.as_deref() == Some(action) && s.fault.is_some());
        let passed = count(&f.proxy, |s| s.action.as_deref() == Some(action) && s.fault.is_none());
        assert_eq!((faults, passed), (answered, 1), "{action}");
    }
    assert_eq!(count(&f.proxy, |s| s.fault.as_deref() == Some("respond 503") && s.method == "PUT"), 1);
    f.assert_artifacts_whole();
    assert_eq!(f.moto.stack_status("throttled"), "CREATE_COMPLETE");
}

#[test]
fn throttling_that_does_not_stop_is_a_clear_error_after_the_configured_attempts() {
    let f = Faulty::new("choked", vec![Rule::from_nth(1, Match::Action("CreateChangeSet"), throttled())]);
    let (_, stderr) = f.deploy(&[], 1);
    assert_eq!(stderr.trim(), "samwise-lsp deploy: CreateChangeSet failed: Throttling: Rate exceeded");
    assert_eq!(count(&f.proxy, |s| s.action.as_deref() == Some("CreateChangeSet")), ATTEMPTS);
    f.proxy.set_rules(Vec::new());
    let (stdout, _) = f.deploy(&[], 0);
    assert!(stdout.contains("Stack choked is CREATE_COMPLETE"), "{stdout}");
}

#[test]
fn a_cloudformation_call_that_is_never_answered_times_out_and_is_retried() {
    let f = Faulty::new("stalled", vec![Rule::first(1, Match::Action("DescribeStacks"), Fault::Hold)]);
    let (stdout, _) = f.deploy(&[], 0);
    assert!(stdout.contains("Stack stalled is CREATE_COMPLETE"), "{stdout}");
    let calls: Vec<_> = f.proxy.log().into_iter().filter(|s| s.action.as_deref() == Some("DescribeStacks")).collect();
    assert_eq!(calls[0].fault.as_deref(), Some("hold"));
    assert_eq!(calls[1].fault, None);
    // The SDK gave up on the held attempt after the read timeout (30 s), not at once.
    let waited = calls[1].at - calls[0].at;
    assert!(waited >= Duration::from_secs(29), "retried after {waited:?}");
}

#[test]
fn s3_calls_that_are_never_answered_time_out_and_are_retried() {
    let f = Faulty::new(
        "s3stall",
        vec![Rule::first(1, Match::S3Head, Fault::Hold), Rule::first(1, Match::S3Put, Fault::Hold)],
    );
    let (stdout, _) = f.deploy(&[], 0);
    assert!(stdout.contains("Stack s3stall is CREATE_COMPLETE"), "{stdout}");
    f.assert_artifacts_whole();
    let log = f.proxy.log();
    for method in ["HEAD", "PUT"] {
        let calls: Vec<_> = log.iter().filter(|s| s.method == method && s.action.is_none()).collect();
        assert_eq!(calls[0].fault.as_deref(), Some("hold"), "{method}");
        assert_eq!(calls[1].fault, None, "{method}");
        // The held attempt was given up after the read timeout (30 s; an upload of a few KB gets
        // well under a second more), not at once.
        let waited = calls[1].at - calls[0].at;
        assert!(waited >= Duration::from_secs(29), "{method} retried after {waited:?}");
    }
}

#[test]
fn a_failed_change_set_is_reported_deleted_and_a_rerun_converges() {
    let reason = "Template error: instance of Fn::GetAtt references undefined resource Nowhere";
    let f = Faulty::new("refused", vec![Rule::first(1, Match::Action("DescribeChangeSet"), failed_change_set(reason))]);
    let (_, stderr) = f.deploy(&[], 1);
    assert_eq!(
        stderr.trim(),
        format!(
            "samwise-lsp deploy: CloudFormation could not create a change set for stack refused: {reason} \
             (the failed change set was deleted; fix the cause and deploy again)"
        )
    );
    assert_eq!(count(&f.proxy, |s| s.fault.as_deref() == Some("rewrite")), 1);
    assert_eq!(count(&f.proxy, |s| s.action.as_deref() == Some("DeleteChangeSet")), 1);
    assert!(f.pending_change_sets().is_empty(), "{:?}", f.moto.change_sets("refused"));
    assert_eq!(f.samconfig(), samconfig("refused"));

    // The first run left an empty stack under review; the re-run replaces it and creates the stack.
    let (stdout, _) = f.deploy(&[], 0);
    assert!(stdout.contains("Deleting the empty stack"), "{stdout}");
    assert!(stdout.contains("Stack refused is CREATE_COMPLETE"), "{stdout}");
    assert_eq!(f.moto.stack_status("refused"), "CREATE_COMPLETE");
}

#[test]
fn a_change_set_without_changes_is_success_with_a_notice_and_is_deleted() {
    let f = Faulty::new("unchanged", Vec::new());
    f.deploy(&[], 0);

    // moto's own answer to an identical update: a FAILED change set saying so.
    let (stdout, stderr) = f.deploy(&[], 0);
    assert!(stdout.contains("No changes to deploy: stack unchanged is up to date"), "{stdout}");
    assert!(stderr.is_empty(), "{stderr}");
    assert!(f.pending_change_sets().is_empty(), "the empty change set was deleted: {:?}", f.moto.change_sets(""));

    // CloudFormation's wording for a change set that turned out empty (here a real update the
    // proxy reports as such).
    std::fs::write(f.dir.join("hello/app.py"), "def handler(e, c):\n    return 'new'\n").unwrap();
    let empty =
        "The submitted information didn't contain changes. Submit different information to create a change set.";
    f.proxy.set_rules(vec![Rule::first(1, Match::Action("DescribeChangeSet"), failed_change_set(empty))]);
    let (stdout, _) = f.deploy(&[], 0);
    assert!(stdout.contains("No changes to deploy"), "{stdout}");
    assert!(f.pending_change_sets().is_empty(), "{:?}", f.moto.change_sets(""));
    assert_eq!(f.moto.stack_status("unchanged"), "CREATE_COMPLETE");
    assert_eq!(f.samconfig(), samconfig("unchanged"), "nothing new to save");
}

/// A second deploy of a stack while the first waits on CloudFormation is refused at once: it would
/// delete the first one's change set as abandoned. Once the first is gone (killed here: the system
/// drops its lock), deploying works again.
#[test]
fn a_second_deploy_of_the_same_stack_is_refused_while_the_first_runs() {
    let f = Faulty::new("twice", Vec::new());
    f.deploy_killed_while_held(&[], || {
        let before = f.proxy.log().len();
        let (_, stderr) = f.deploy(&[], 1);
        assert!(stderr.contains("another samwise deploy of stack twice is running on this machine"), "{stderr}");
        assert_eq!(f.proxy.log().len(), before, "refused before any request");
    });
    let (stdout, _) = f.deploy(&[], 0);
    assert!(stdout.contains("Stack twice is CREATE_COMPLETE"), "{stdout}");
}

#[test]
fn a_deploy_killed_between_change_set_and_execution_converges_on_rerun() {
    let f = Faulty::new("killed", Vec::new());
    // A new choice (the prefix) would be saved by a successful run, and only then.
    let args = ["--s3-prefix", "custom"];

    // First deploy: the stack exists only as REVIEW_IN_PROGRESS with a change set nobody executes.
    f.deploy_killed_before_execution(&args);
    assert_eq!(f.moto.stack_status("killed"), "REVIEW_IN_PROGRESS");
    assert_eq!(f.pending_change_sets().len(), 1);
    assert_eq!(f.samconfig(), samconfig("killed"), "samconfig.toml is untouched by a killed deploy");
    assert!(f.stray_files().is_empty(), "{:?}", f.stray_files());

    let (stdout, _) = f.deploy(&args, 0);
    assert!(stdout.contains("Deleted the change set samwise-deploy-"), "{stdout}");
    assert!(stdout.contains("Deleting the empty stack"), "{stdout}");
    assert!(stdout.contains("Stack killed is CREATE_COMPLETE"), "{stdout}");
    assert_eq!(f.moto.stack_status("killed"), "CREATE_COMPLETE");
    assert!(f.pending_change_sets().is_empty(), "{:?}", f.moto.change_sets(""));
    let saved = f.samconfig();
    assert!(saved.contains("s3_prefix = \"custom\"") && saved.contains("# Written by hand"), "{saved}");
    assert!(f.stray_files().is_empty(), "{:?}", f.stray_files());

    // An update killed the same way: the stack keeps its state, the re-run replaces the change set.
    std::fs::write(f.dir.join("hello/app.py"), "def handler(e, c):\n    return 'v2'\n").unwrap();
    f.deploy_killed_before_execution(&[]);
    assert_eq!(f.moto.stack_status("killed"), "CREATE_COMPLETE");
    assert_eq!(f.pending_change_sets().len(), 1);
    assert_eq!(f.samconfig(), saved);

    let (stdout, _) = f.deploy(&[], 0);
    assert!(stdout.contains("Deleted the change set samwise-deploy-"), "{stdout}");
    assert!(!stdout.contains("Uploaded "), "the new zip was uploaded before the kill: {stdout}");
    assert!(stdout.contains("Stack killed is UPDATE_COMPLETE"), "{stdout}");
    assert!(f.pending_change_sets().is_empty(), "{:?}", f.moto.change_sets(""));
    assert_eq!(f.samconfig(), saved);
    assert!(f.stray_files().is_empty(), "{:?}", f.stray_files());
}
