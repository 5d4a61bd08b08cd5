//! `samwise-lsp deploy` end to end against a local moto server: the create/no-change/update cycle
//! on a plain CloudFormation template, a failing resource, missing credentials and bucket, an
//! interrupted deploy run again, and a SAM template (moto does not expand the transform, so the SAM
//! case asserts on what was uploaded and on the CreateChangeSet request). The dummy secret key must
//! never appear in the output.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use samwise_e2e::moto::{Moto, RecordingProxy, SECRET_ACCESS_KEY, Script, form_pairs, lambda_stack_template};

fn plain_template() -> String {
    lambda_stack_template(&["Hello", "Other"])
}

/// A project folder with the template and two function folders.
fn project(name: &str, template: &str) -> PathBuf {
    let dir = samwise_e2e::lsp_client::scratch_dir(name);
    std::fs::write(dir.join("template.yaml"), template).unwrap();
    for f in ["hello", "other"] {
        std::fs::create_dir_all(dir.join(f)).unwrap();
        std::fs::write(dir.join(f).join("app.py"), format!("def handler(event, context):\n    return {f:?}\n"))
            .unwrap();
    }
    std::fs::create_dir_all(dir.join("home")).unwrap();
    dir
}

fn deploy_cmd(moto: &Moto, dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(samwise_e2e::binary("samwise-lsp"));
    cmd.arg("deploy").arg("--template").arg(dir.join("template.yaml")).args(args);
    moto.env_isolated(&mut cmd, &dir.join("home"));
    cmd.stdin(Stdio::null());
    cmd
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(mut cmd: Command) -> Run {
    let Output { status, stdout, stderr } = cmd.output().unwrap();
    let run = Run {
        code: status.code(),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    };
    assert!(
        !run.stdout.contains(SECRET_ACCESS_KEY) && !run.stderr.contains(SECRET_ACCESS_KEY),
        "the secret key was printed:\n{}\n{}",
        run.stdout,
        run.stderr
    );
    run
}

impl Run {
    fn expect(self, code: i32) -> Run {
        assert_eq!(self.code, Some(code), "exit status\n--- stdout\n{}\n--- stderr\n{}", self.stdout, self.stderr);
        self
    }
}

fn uploaded_lines(stdout: &str) -> Vec<&str> {
    stdout.lines().filter(|l| l.starts_with("Uploaded ")).collect()
}

#[test]
fn first_deploy_creates_then_no_changes_then_only_the_changed_function_is_uploaded() {
    let moto = Moto::start();
    let dir = project("deploy-cycle", &plain_template());
    moto.create_bucket("artifacts");

    let first =
        run(deploy_cmd(&moto, &dir, &["--stack-name", "cycle", "--s3-bucket", "artifacts", "--no-confirm"])).expect(0);
    assert_eq!(uploaded_lines(&first.stdout).len(), 2, "{}", first.stdout);
    assert!(first.stdout.contains("Add") && first.stdout.contains("HelloFunction"), "change table: {}", first.stdout);
    assert!(first.stdout.contains("CREATE_COMPLETE"), "{}", first.stdout);
    // moto computes no Outputs for stacks made by change sets, so none are printed here.
    assert_eq!(moto.stack_status("cycle"), "CREATE_COMPLETE");
    let keys = moto.bucket_keys("artifacts");
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(keys.iter().all(|k| k.starts_with("cycle/") && k.ends_with(".zip")), "{keys:?}");
    // The user's choices were written back, so the next runs need no flags.
    let samconfig = std::fs::read_to_string(dir.join("samconfig.toml")).unwrap();
    assert!(
        samconfig.contains("stack_name = \"cycle\"") && samconfig.contains("s3_bucket = \"artifacts\""),
        "{samconfig}"
    );
    assert!(!samconfig.contains("confirm_changeset"), "--no-confirm is not a standing choice: {samconfig}");

    let second = run(deploy_cmd(&moto, &dir, &["--no-confirm"])).expect(0);
    assert!(second.stdout.contains("No changes to deploy: stack cycle is up to date"), "{}", second.stdout);
    assert!(uploaded_lines(&second.stdout).is_empty(), "{}", second.stdout);
    assert_eq!(second.stdout.matches("Already uploaded").count(), 2, "{}", second.stdout);
    assert_eq!(moto.bucket_keys("artifacts"), keys);

    std::fs::write(dir.join("hello/app.py"), "def handler(event, context):\n    return 'changed'\n").unwrap();
    let third = run(deploy_cmd(&moto, &dir, &["--no-confirm"])).expect(0);
    let uploaded = uploaded_lines(&third.stdout);
    assert_eq!(uploaded.len(), 1, "{}", third.stdout);
    assert!(uploaded[0].ends_with("for HelloFunction"), "{}", third.stdout);
    assert!(
        third.stdout.contains("for OtherFunction") && third.stdout.contains("Already uploaded"),
        "{}",
        third.stdout
    );
    assert!(third.stdout.contains("UPDATE_COMPLETE"), "{}", third.stdout);
    assert_eq!(moto.bucket_keys("artifacts").len(), 3);
    assert_eq!(moto.stack_status("cycle"), "UPDATE_COMPLETE");
}

const STACK_ID: &str = "arn:aws:cloudformation:us-east-1:123456789012:stack/failing/1";

/// CloudFormation's answers after a create that rolled back (moto fails resources synchronously
/// inside ExecuteChangeSet instead, with an HTTP 500 and no reason).
fn rolled_back() -> Script {
    let ns = "http://cloudformation.amazonaws.com/doc/2010-05-15/";
    let stacks = format!(
        r#"<DescribeStacksResponse xmlns="{ns}"><DescribeStacksResult><Stacks><member>
<StackName>failing</StackName><StackId>{STACK_ID}</StackId><CreationTime>2026-01-01T00:00:00Z</CreationTime>
<StackStatus>ROLLBACK_COMPLETE</StackStatus></member></Stacks></DescribeStacksResult>
<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></DescribeStacksResponse>"#
    );
    let event = |id: &str, logical: &str, kind: &str, status: &str, reason: &str| {
        format!(
            "<member><EventId>{id}</EventId><StackName>failing</StackName><StackId>{STACK_ID}</StackId>\
             <LogicalResourceId>{logical}</LogicalResourceId><ResourceType>{kind}</ResourceType>\
             <Timestamp>2026-01-01T00:00:0{}Z</Timestamp><ResourceStatus>{status}</ResourceStatus>\
             <ResourceStatusReason>{reason}</ResourceStatusReason></member>",
            id.len()
        )
    };
    // Newest first, as CloudFormation lists them.
    let events = [
        event("e-4444", "failing", "AWS::CloudFormation::Stack", "ROLLBACK_COMPLETE", ""),
        event("e-333", "OtherFunction", "AWS::Lambda::Function", "CREATE_FAILED", "Resource creation cancelled"),
        event(
            "e-22",
            "HelloFunction",
            "AWS::Lambda::Function",
            "CREATE_FAILED",
            "The role defined for the function cannot be assumed by Lambda.",
        ),
        event("e-1", "failing", "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS", "User Initiated"),
    ]
    .concat();
    let events = format!(
        r#"<DescribeStackEventsResponse xmlns="{ns}"><DescribeStackEventsResult><StackEvents>{events}</StackEvents>
</DescribeStackEventsResult><ResponseMetadata><RequestId>2</RequestId></ResponseMetadata></DescribeStackEventsResponse>"#
    );
    Script::new("ExecuteChangeSet", &[("DescribeStacks", stacks), ("DescribeStackEvents", events)])
}

#[test]
fn a_failing_resource_reports_its_reason() {
    let moto = Moto::start();
    let dir = project("deploy-fail", &plain_template());
    moto.create_bucket("artifacts");
    let proxy = RecordingProxy::scripted(&moto.endpoint, rolled_back());
    let mut cmd = deploy_cmd(&moto, &dir, &["--stack-name", "failing", "--s3-bucket", "artifacts", "--no-confirm"]);
    cmd.env("AWS_ENDPOINT_URL_CLOUDFORMATION", &proxy.endpoint);
    let failed = run(cmd).expect(1);
    // Every event is shown once, oldest first; the error names the first resource that failed for
    // its own reason (not the one cancelled because of it).
    let events: Vec<&str> = failed.stdout.lines().filter(|l| l.starts_with("2026-01-01")).collect();
    assert_eq!(events.len(), 4, "{}", failed.stdout);
    assert!(events[0].contains("CREATE_IN_PROGRESS") && events[3].contains("ROLLBACK_COMPLETE"), "{events:?}");
    assert_eq!(
        failed.stderr.trim(),
        "samwise-lsp deploy: stack failing ended in ROLLBACK_COMPLETE: HelloFunction (AWS::Lambda::Function) \
         failed: The role defined for the function cannot be assumed by Lambda."
    );
    assert!(!dir.join("samconfig.toml").exists(), "a failed deploy saves no settings");
}

#[test]
fn a_resource_moto_refuses_fails_the_deploy() {
    let moto = Moto::start();
    // moto refuses a function whose role does not exist, as Lambda does, but inside
    // ExecuteChangeSet and without a reason: the deploy fails and says which call failed.
    let template = plain_template().replace("!GetAtt FunctionRole.Arn", "arn:aws:iam::123456789012:role/missing");
    let dir = project("deploy-moto-fail", &template);
    moto.create_bucket("artifacts");
    let failed = run(deploy_cmd(&moto, &dir, &["--stack-name", "refused", "--s3-bucket", "artifacts", "--no-confirm"]))
        .expect(1);
    assert!(failed.stderr.contains("ExecuteChangeSet failed: the endpoint answered HTTP 400"), "{}", failed.stderr);
}

#[test]
fn missing_credentials_and_missing_bucket_are_clear_errors() {
    let moto = Moto::start();
    let dir = project("deploy-config-errors", &plain_template());

    let mut cmd = deploy_cmd(&moto, &dir, &["--stack-name", "nocreds", "--s3-bucket", "artifacts", "--no-confirm"]);
    cmd.env_remove("AWS_ACCESS_KEY_ID").env_remove("AWS_SECRET_ACCESS_KEY").env_remove("AWS_SESSION_TOKEN");
    let nocreds = run(cmd).expect(2);
    assert!(nocreds.stderr.contains("no usable AWS credentials"), "{}", nocreds.stderr);
    assert!(
        nocreds.stderr.contains("AWS_ACCESS_KEY_ID") && nocreds.stderr.contains("aws configure"),
        "{}",
        nocreds.stderr
    );

    let nobucket =
        run(deploy_cmd(&moto, &dir, &["--stack-name", "nobucket", "--s3-bucket", "no-such-bucket", "--no-confirm"]))
            .expect(2);
    assert!(nobucket.stderr.contains("\"no-such-bucket\" does not exist"), "{}", nobucket.stderr);
    assert!(nobucket.stderr.contains("--s3-bucket"), "{}", nobucket.stderr);

    // Nothing listens on a port just released: the deploy names the endpoint it could not reach.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut cmd = deploy_cmd(&moto, &dir, &["--stack-name", "unreachable", "--s3-bucket", "artifacts", "--no-confirm"]);
    cmd.env("AWS_ENDPOINT_URL_S3", format!("http://127.0.0.1:{closed}"));
    let unreachable = run(cmd).expect(1);
    assert!(unreachable.stderr.contains(&format!("cannot reach http://127.0.0.1:{closed}")), "{}", unreachable.stderr);

    // Without a terminal the change set cannot be confirmed: refused before anything is sent.
    let unconfirmed =
        run(deploy_cmd(&moto, &dir, &["--stack-name", "noconfirm", "--s3-bucket", "artifacts"])).expect(2);
    assert!(unconfirmed.stderr.contains("--no-confirm"), "{}", unconfirmed.stderr);

    let usage = run(deploy_cmd(&moto, &dir, &["--bogus"])).expect(2);
    assert!(usage.stderr.contains("unknown argument `--bogus`"), "{}", usage.stderr);
}

#[test]
fn an_interrupted_deploy_can_be_run_again() {
    let moto = Moto::start();
    let dir = project("deploy-interrupted", &plain_template());
    moto.create_bucket("artifacts");
    let args = ["--stack-name", "interrupted", "--s3-bucket", "artifacts", "--no-confirm"];
    let mut cmd = deploy_cmd(&moto, &dir, &args);
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    // Killed once the change set exists: before, during or just after its execution.
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let reached = stdout.lines().map_while(Result::ok).any(|l| l.starts_with("Change set "));
    assert!(reached, "the deploy never reached its change set");
    child.kill().unwrap();
    child.wait().unwrap();

    let again = run(deploy_cmd(&moto, &dir, &args)).expect(0);
    assert!(
        again.stdout.contains("CREATE_COMPLETE")
            || again.stdout.contains("UPDATE_COMPLETE")
            || again.stdout.contains("No changes to deploy"),
        "{}",
        again.stdout
    );
    assert!(uploaded_lines(&again.stdout).is_empty(), "the artifacts were uploaded before the kill: {}", again.stdout);
}

#[test]
fn a_template_over_the_inline_limit_is_uploaded_and_sent_as_a_url() {
    let moto = Moto::start();
    // Comments are kept by the rewrite, so they make the template large without changing it.
    let padding: String = (0..1200).map(|i| format!("# padding line {i:04} to pass the 51,200-byte limit\n")).collect();
    let dir = project("deploy-large", &format!("{padding}{}", plain_template()));
    moto.create_bucket("artifacts");
    let proxy = RecordingProxy::start(&moto.endpoint);
    let mut cmd = deploy_cmd(&moto, &dir, &["--stack-name", "large", "--s3-bucket", "artifacts", "--no-confirm"]);
    cmd.env("AWS_ENDPOINT_URL_CLOUDFORMATION", &proxy.endpoint);
    // moto reads a path-style TemplateURL only on a host named localhost (or amazonaws.com).
    let s3 = moto.endpoint.replace("127.0.0.1", "localhost");
    cmd.env("AWS_ENDPOINT_URL_S3", &s3);
    let done = run(cmd).expect(0);
    assert!(done.stdout.contains("CREATE_COMPLETE"), "{}", done.stdout);
    let keys = moto.bucket_keys("artifacts");
    let template_key = keys.iter().find(|k| k.ends_with(".template")).expect("the template was uploaded");
    assert!(done.stdout.contains(&format!("Uploaded {template_key} (")), "{}", done.stdout);
    let create = proxy
        .bodies()
        .iter()
        .map(|b| form_pairs(b))
        .find(|r| r.iter().any(|(k, v)| k == "Action" && v == "CreateChangeSet"));
    let create = create.expect("a CreateChangeSet request");
    let url = create.iter().find(|(k, _)| k == "TemplateURL").map(|(_, v)| v.clone());
    assert_eq!(url, Some(format!("{s3}/artifacts/{template_key}")));
    assert!(!create.iter().any(|(k, _)| k == "TemplateBody"));
}

/// Runs the deploy on a pseudo-terminal (Python's `pty`), answers the confirmation with `answer`,
/// and returns (exit status, everything the terminal showed).
fn deploy_on_terminal(moto: &Moto, dir: &Path, args: &[&str], answer: &str) -> (i32, String) {
    let script = r#"
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
seen, answered = b"", False
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
    if not answered and b"Deploy this change set? [y/N]" in seen:
        os.write(fd, os.environ["ANSWER"].encode() + b"\n")
        answered = True
_, status = os.waitpid(pid, 0)
sys.stdout.write(seen.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
"#;
    let mut cmd = Command::new(samwise_e2e::venv_python());
    cmd.arg("-c").arg(script).arg(samwise_e2e::binary("samwise-lsp")).arg("deploy").arg("--template");
    cmd.arg(dir.join("template.yaml")).args(args).env("ANSWER", answer);
    moto.env_isolated(&mut cmd, &dir.join("home"));
    let out = cmd.output().unwrap();
    let shown = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(!shown.contains(SECRET_ACCESS_KEY), "{shown}");
    (out.status.code().unwrap_or(-1), shown)
}

#[test]
fn on_a_terminal_the_change_set_is_confirmed_or_declined() {
    let moto = Moto::start();
    let dir = project("deploy-terminal", &plain_template());
    moto.create_bucket("artifacts");
    let args = ["--stack-name", "asked", "--s3-bucket", "artifacts"];

    let (code, shown) = deploy_on_terminal(&moto, &dir, &args, "n");
    assert_eq!(code, 1, "{shown}");
    assert!(shown.contains("Deploy cancelled: the change set was deleted"), "{shown}");
    // The CREATE change set left an empty stack under review; nothing was created.
    assert_eq!(moto.stack_status("asked"), "REVIEW_IN_PROGRESS");
    assert!(!dir.join("samconfig.toml").exists(), "a declined deploy saves no settings");

    let (code, shown) = deploy_on_terminal(&moto, &dir, &args, "y");
    assert_eq!(code, 0, "{shown}");
    assert!(shown.contains("CREATE_COMPLETE"), "{shown}");
}

const SAM_TEMPLATE: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: hello/
"#;

#[test]
fn a_sam_template_is_packaged_and_sent_with_its_transform() {
    let moto = Moto::start();
    let dir = project("deploy-sam", SAM_TEMPLATE);
    moto.create_bucket("sam-artifacts");
    // CloudFormation goes through a recording proxy (which also shows the per-service endpoint
    // variable is honoured); S3 goes to moto directly.
    let proxy = RecordingProxy::start(&moto.endpoint);
    let mut cmd = deploy_cmd(&moto, &dir, &["--stack-name", "sam", "--s3-bucket", "sam-artifacts", "--no-confirm"]);
    cmd.env("AWS_ENDPOINT_URL_CLOUDFORMATION", &proxy.endpoint);
    let result = run(cmd);

    let keys = moto.bucket_keys("sam-artifacts");
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert!(keys[0].starts_with("sam/") && keys[0].ends_with(".zip"), "{keys:?}");
    let listing = moto.boto(&format!(
        "import io, zipfile\n\
             body = boto3.client('s3').get_object(Bucket='sam-artifacts', Key={:?})['Body'].read()\n\
             print(json.dumps(zipfile.ZipFile(io.BytesIO(body)).namelist()))",
        keys[0]
    ));
    assert_eq!(listing, r#"["app.py"]"#);

    let requests: Vec<Vec<(String, String)>> = proxy.bodies().iter().map(|b| form_pairs(b)).collect();
    let create = requests
        .iter()
        .find(|r| r.iter().any(|(k, v)| k == "Action" && v == "CreateChangeSet"))
        .unwrap_or_else(|| panic!("no CreateChangeSet went through the proxy: {requests:?}\n{}", result.stderr));
    let field =
        |name: &str| create.iter().filter(|(k, _)| k.starts_with(name)).map(|(_, v)| v.as_str()).collect::<Vec<_>>();
    let capabilities = field("Capabilities.member.");
    for c in ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"] {
        assert!(capabilities.contains(&c), "{capabilities:?}");
    }
    assert_eq!(field("ChangeSetType"), ["CREATE"]);
    let body = field("TemplateBody");
    assert_eq!(body.len(), 1);
    assert!(body[0].contains("Transform: AWS::Serverless-2016-10-31"), "{}", body[0]);
    assert!(body[0].contains(&format!("CodeUri: s3://sam-artifacts/{}", keys[0])), "{}", body[0]);

    // What moto does with an unexpanded SAM resource is moto's business; samwise must end cleanly
    // either way, with a deploy result or a reported failure, never a usage error or a crash.
    assert!(matches!(result.code, Some(0 | 1)), "{}\n{}", result.stdout, result.stderr);
}
