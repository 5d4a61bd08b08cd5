//! Deploying a template: the `samwise-lsp deploy` subcommand and the `samwise.deploy` LSP command.
//! Both build a `samwise_deploy::Plan` and run `samwise_deploy::deploy`; they differ only in their
//! `Observer` (the terminal, or `$/progress` and `window/showMessageRequest`).
//!
//! CLI exit status: 0 deployed or nothing to change, 1 the deploy failed or was declined, 2 usage,
//! configuration or credential errors (nothing was changed in AWS).
//!
//! samconfig.toml write-back: after a successful deploy (or "no changes"), the options the user gave
//! that differ from the file's environment (stack name, region, bucket, prefix, parameter
//! overrides) are written to `[<env>.deploy.parameters]`; `--no-confirm` is never written, as it is
//! a choice for one run.

use std::future::Future;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::ExitCode;

use samwise_deploy::samconfig::parse_key_values;
use samwise_deploy::{
    ChangeSet, Clients, DeployError, DeployOptions, DeployReport, Observer, Outcome, Plan, Progress, SamConfig,
    UploadStatus,
};
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot, watch};
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::notification::Progress as ProgressNotification;
use tower_lsp_server::ls_types::request::WorkDoneProgressCreate;
use tower_lsp_server::ls_types::*;

const HELP: &str = "\
samwise-lsp deploy: deploy an AWS SAM/CloudFormation template with a change set

USAGE:
    samwise-lsp deploy --template T [OPTIONS]

Packages the template's local code (CodeUri, Code, ContentUri, DefinitionUri...) into zip files named
by their content hash, uploads the ones not yet in the bucket, creates a change set, shows it, asks
to confirm, executes it and prints the stack events and the Outputs. Settings not given here are
read from samconfig.toml next to the template ([default.deploy.parameters], or the --config-env).

OPTIONS:
    --template T                  the template file (required)
    --stack-name S                the stack to create or update
    --region R                    the AWS region (else samconfig.toml, AWS_REGION or the profile)
    --s3-bucket B                 the bucket for artifacts (it must exist)
    --s3-prefix P                 the key prefix in the bucket (default: the stack name)
    --parameter-overrides K=V...  template parameter values (one or more K=V words)
    --no-confirm                  execute the change set without asking
    --config-env E                the samconfig.toml environment (default: default)
    --config-file F               the samconfig.toml to use (default: next to the template)
    --python P                    the Python whose pip builds requirements.txt (default: python3)
    -h, --help                    print this help

Credentials come from the standard AWS chain (environment, profiles, SSO, instance metadata).
AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_S3/_CLOUDFORMATION point the deploy at another endpoint.

EXIT STATUS: 0 deployed or no changes, 1 deploy failed or declined, 2 usage or configuration error.
";

struct CliArgs {
    template: PathBuf,
    options: DeployOptions,
    config_file: Option<PathBuf>,
}

fn parse_args(args: Vec<String>) -> Result<Option<CliArgs>, String> {
    let mut template = None;
    let mut config_file = None;
    let mut options = DeployOptions::default();
    let mut it = args.into_iter().peekable();
    while let Some(arg) = it.next() {
        // `--name=value` is the same as `--name value`.
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let value = |it: &mut std::iter::Peekable<std::vec::IntoIter<String>>| {
            inline.clone().or_else(|| it.next()).ok_or_else(|| format!("{name} needs a value"))
        };
        match name.as_str() {
            "-h" | "--help" => return Ok(None),
            "--template" | "--template-file" | "-t" => template = Some(PathBuf::from(value(&mut it)?)),
            "--stack-name" => options.stack_name = Some(value(&mut it)?),
            "--region" => options.region = Some(value(&mut it)?),
            "--s3-bucket" => options.s3_bucket = Some(value(&mut it)?),
            "--s3-prefix" => options.s3_prefix = Some(value(&mut it)?),
            "--config-env" => options.config_env = Some(value(&mut it)?),
            "--config-file" => config_file = Some(PathBuf::from(value(&mut it)?)),
            "--python" => options.python = Some(PathBuf::from(value(&mut it)?)),
            "--no-confirm" | "--no-confirm-changeset" => options.confirm_changeset = Some(false),
            "--parameter-overrides" => {
                let mut words: Vec<String> = inline.clone().into_iter().collect();
                while let Some(next) = it.next_if(|w| !w.starts_with("--")) {
                    words.push(next);
                }
                if words.is_empty() {
                    return Err("--parameter-overrides needs at least one Key=Value".to_owned());
                }
                let mut pairs = Vec::new();
                for w in words {
                    pairs.extend(parse_key_values("--parameter-overrides", &w).map_err(|e| e.to_string())?);
                }
                options.parameter_overrides.get_or_insert_with(Vec::new).extend(pairs);
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let template = template.ok_or("--template is required")?;
    Ok(Some(CliArgs { template, options, config_file }))
}

/// samconfig.toml next to the template unless another file is named.
fn samconfig_path(template: &Path, explicit: Option<&Path>) -> PathBuf {
    explicit.map(Path::to_path_buf).unwrap_or_else(|| {
        template.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).join("samconfig.toml")
    })
}

/// The user's Python when none is named: `python3` on PATH (only used for requirements.txt builds).
fn default_python() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join("python3")).find(|p| p.is_file())
}

fn print_plan(plan: &Plan) {
    println!("Deploying stack {} from {}", plan.stack_name, plan.template_path.display());
    if let Some(region) = &plan.region {
        println!("  region: {region}");
    }
    if let Some(bucket) = &plan.bucket {
        println!("  artifacts: s3://{bucket}/{}", plan.prefix);
    }
    println!("  capabilities: {}", plan.capabilities.join(" "));
}

fn change_table(change_set: &ChangeSet) -> String {
    let mut rows = vec![["Action", "Logical ID", "Type", "Replacement"].map(str::to_owned)];
    for c in &change_set.changes {
        rows.push([
            c.action.clone(),
            c.logical_id.clone(),
            c.resource_type.clone(),
            c.replacement.clone().unwrap_or_else(|| "-".to_owned()),
        ]);
    }
    let widths: Vec<usize> = (0..4).map(|i| rows.iter().map(|r| r[i].len()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for row in rows {
        let line: Vec<String> = row.iter().zip(&widths).map(|(cell, w)| format!("{cell:<w$}")).collect();
        out.push_str("  ");
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// The changes as sentences, one per line, for the editor's confirmation question: editors that
/// fold a message onto one line (VS Code's notifications) still read it, where a table would not.
fn change_sentences(change_set: &ChangeSet) -> String {
    let sentences: Vec<String> = change_set
        .changes
        .iter()
        .map(|c| {
            let replacement = match c.replacement.as_deref() {
                Some("True") => ", replacing it",
                Some("Conditional") => ", possibly replacing it",
                _ => "",
            };
            format!("{} {} ({}){replacement}.", c.action, c.logical_id, c.resource_type)
        })
        .collect();
    sentences.join("\n")
}

fn describe_progress(progress: &Progress<'_>) -> String {
    match progress {
        Progress::Artifact { key, bytes, resources, status } => {
            let what = if resources.is_empty() { "template".to_owned() } else { resources.join(", ") };
            match status {
                UploadStatus::Uploaded => format!("Uploaded {key} ({bytes} bytes) for {what}"),
                UploadStatus::Exists => format!("Already uploaded {key} for {what}"),
            }
        }
        Progress::WaitingForStack { status } => format!("Waiting for the stack's current operation ({status}) to end"),
        Progress::DeletingFailedStack => {
            "Deleting the stack left by a failed first create (ROLLBACK_COMPLETE) before creating it again".to_owned()
        }
        Progress::AbandonedChangeSetDeleted { name } => {
            format!("Deleted the change set {name} an earlier deploy left unexecuted")
        }
        Progress::DeletingEmptyStack => "Deleting the empty stack an interrupted first deploy left under review \
                                         (REVIEW_IN_PROGRESS) before creating it again"
            .to_owned(),
        Progress::ChangeSetCreated { change_set } => {
            format!("Change set {} ({}):", change_set.id, if change_set.creates_stack { "new stack" } else { "update" })
        }
        Progress::Event(e) => {
            let mut line = format!("{} {} {} {}", e.timestamp, e.status, e.resource_type, e.logical_id);
            if let Some(reason) = &e.reason {
                line.push_str(": ");
                line.push_str(reason);
            }
            line
        }
    }
}

struct Terminal;

impl Observer for Terminal {
    fn progress(&self, progress: Progress<'_>) {
        println!("{}", describe_progress(&progress));
        if let Progress::ChangeSetCreated { change_set } = progress {
            print!("{}", change_table(change_set));
        }
        let _ = std::io::stdout().flush();
    }

    fn confirm<'a>(&'a self, _: &'a ChangeSet) -> Pin<Box<dyn Future<Output = bool> + Send + 'a>> {
        Box::pin(async {
            print!("Deploy this change set? [y/N] ");
            let _ = std::io::stdout().flush();
            // The CLI does nothing else meanwhile, so a blocking read is fine here.
            let mut answer = String::new();
            let _ = std::io::stdin().lock().read_line(&mut answer);
            matches!(answer.trim(), "y" | "Y" | "yes" | "Yes")
        })
    }
}

fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    // The SDK needs the IO and time drivers; one thread is enough for a sequence of requests.
    tokio::runtime::Builder::new_current_thread().enable_all().build()
}

/// Writes the user's choices back (see the module doc); returns the keys written.
fn save_choices(
    options: &DeployOptions,
    samconfig: Option<SamConfig>,
    path: &Path,
    template_text: &str,
) -> Result<Vec<&'static str>, DeployError> {
    let Some(mut update) = samwise_deploy::choices_to_save(options, samconfig.as_ref())? else { return Ok(Vec::new()) };
    // NoEcho values are secrets and samconfig.toml is usually committed: they are never saved.
    update.parameter_overrides = samwise_deploy::artifacts::without_no_echo(update.parameter_overrides, template_text);
    let mut config = match samconfig {
        Some(c) => c,
        None => SamConfig::load(path)?,
    };
    config.set_deploy_parameters(options.config_env.as_deref().unwrap_or("default"), &update);
    config.save()?;
    let mut keys = Vec::new();
    for (key, set) in [
        ("stack_name", update.stack_name.is_some()),
        ("region", update.region.is_some()),
        ("s3_bucket", update.s3_bucket.is_some()),
        ("s3_prefix", update.s3_prefix.is_some()),
        ("capabilities", update.capabilities.is_some()),
        ("parameter_overrides", update.parameter_overrides.is_some()),
        ("tags", update.tags.is_some()),
    ] {
        if set {
            keys.push(key);
        }
    }
    Ok(keys)
}

/// Errors that mean "fix your settings" rather than "the deploy failed".
fn is_config_error(e: &DeployError) -> bool {
    matches!(e, DeployError::NoCredentials { .. } | DeployError::NoRegion | DeployError::MissingBucket { .. })
}

fn load_samconfig(path: &Path) -> Result<Option<SamConfig>, DeployError> {
    if path.exists() { SamConfig::load(path).map(Some) } else { Ok(None) }
}

pub fn main(args: Vec<String>) -> ExitCode {
    let cli = match parse_args(args) {
        Ok(Some(c)) => c,
        Ok(None) => {
            print!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Err(msg) => {
            eprintln!("samwise-lsp deploy: {msg}\n\n{HELP}");
            return ExitCode::from(2);
        }
    };
    let mut options = cli.options;
    if options.python.is_none() {
        options.python = default_python();
    }
    let config_path = samconfig_path(&cli.template, cli.config_file.as_deref());
    let fail = |e: &dyn std::fmt::Display, code: u8| {
        eprintln!("samwise-lsp deploy: {e}");
        ExitCode::from(code)
    };
    let samconfig = match load_samconfig(&config_path) {
        Ok(c) => c,
        Err(e) => return fail(&e, 2),
    };
    let plan = match samwise_deploy::plan(&cli.template, &options, samconfig.as_ref()) {
        Ok(p) => p,
        Err(e) => return fail(&e, 2),
    };
    if plan.confirm_changeset && !std::io::stdin().is_terminal() {
        return fail(
            &"standard input is not a terminal, so the change set cannot be confirmed: pass --no-confirm \
              (or set confirm_changeset = false in samconfig.toml) to deploy without asking",
            2,
        );
    }
    print_plan(&plan);
    let runtime = match runtime() {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("cannot start the async runtime: {e}"), 2),
    };
    let result = runtime.block_on(async {
        let clients = Clients::load(plan.region.as_deref()).await?;
        samwise_deploy::deploy(&clients, &plan, &Terminal).await
    });
    let report = match result {
        Ok(r) => r,
        Err(e) => return fail(&e, if is_config_error(&e) { 2 } else { 1 }),
    };
    print_report(&report);
    if report.outcome == Outcome::Cancelled {
        return ExitCode::from(1);
    }
    match save_choices(&options, samconfig, &config_path, &plan.template_body) {
        Ok(keys) if !keys.is_empty() => println!("Saved {} to {}", keys.join(", "), config_path.display()),
        Ok(_) => {}
        // The stack is deployed; only remembering the settings failed.
        Err(e) => eprintln!("samwise-lsp deploy: warning: could not save the settings: {e}"),
    }
    ExitCode::SUCCESS
}

fn print_report(report: &DeployReport) {
    match &report.outcome {
        Outcome::NoChanges => println!("No changes to deploy: stack {} is up to date", report.stack_name),
        Outcome::Cancelled => println!("Deploy cancelled: the change set was deleted"),
        Outcome::Deployed { status } => println!("Stack {} is {status}", report.stack_name),
    }
    if !report.outputs.is_empty() && report.outcome != Outcome::Cancelled {
        println!("Outputs:");
        for o in &report.outputs {
            match &o.description {
                Some(d) => println!("  {} = {}  ({d})", o.key, o.value),
                None => println!("  {} = {}", o.key, o.value),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The LSP command.

/// Options of `samwise.deploy` after the template path.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct CommandOptions {
    stack_name: Option<String>,
    region: Option<String>,
    s3_bucket: Option<String>,
    s3_prefix: Option<String>,
    /// `{"Name": "value"}` or `["Name=value", ...]`.
    parameter_overrides: Option<Value>,
    config_env: Option<String>,
    /// `false` executes without asking.
    confirm: Option<bool>,
    /// The editor asks the user for a missing stack name, bucket or region itself: such a failure
    /// is not shown, and its error answer names the setting (`data.missingSetting`).
    ask_for_missing: bool,
}

/// A failed `samwise.deploy`: the message, and the setting the user did not give when that is why.
#[derive(Debug)]
pub struct DeployFailure {
    pub message: String,
    /// The command option to ask for: `stackName`, `s3Bucket` or `region`.
    pub missing: Option<&'static str>,
}

impl From<String> for DeployFailure {
    fn from(message: String) -> DeployFailure {
        DeployFailure { message, missing: None }
    }
}

impl From<DeployError> for DeployFailure {
    fn from(e: DeployError) -> DeployFailure {
        let missing = match &e {
            DeployError::MissingSetting { field: "stack_name", .. } => Some("stackName"),
            DeployError::MissingSetting { field: "s3_bucket", .. } => Some("s3Bucket"),
            DeployError::NoRegion => Some("region"),
            _ => None,
        };
        DeployFailure { message: e.to_string(), missing }
    }
}

/// What the deploy thread asks of the message loop.
enum Request {
    Progress(String),
    Confirm(ChangeSet, oneshot::Sender<bool>),
}

/// The observer of a deploy run for the editor: it runs on the deploy thread and hands everything
/// to the LSP message loop, which owns the connection.
struct Editor(mpsc::UnboundedSender<Request>);

impl Observer for Editor {
    fn progress(&self, progress: Progress<'_>) {
        let _ = self.0.send(Request::Progress(describe_progress(&progress)));
    }

    fn confirm<'a>(&'a self, change_set: &'a ChangeSet) -> Pin<Box<dyn Future<Output = bool> + Send + 'a>> {
        let (tx, rx) = oneshot::channel();
        let sent = self.0.send(Request::Confirm(change_set.clone(), tx)).is_ok();
        // A dropped answer (the editor went away) declines.
        Box::pin(async move { sent && rx.await.unwrap_or(false) })
    }
}

fn parse_command(arguments: &[Value]) -> Result<(PathBuf, DeployOptions, bool), String> {
    let path = match arguments.first() {
        Some(Value::String(s)) => s.strip_prefix("file://").map(percent_decode).unwrap_or_else(|| s.clone()),
        _ => return Err("samwise.deploy needs the template path as its first argument".to_owned()),
    };
    let opts: CommandOptions = match arguments.get(1) {
        None | Some(Value::Null) => CommandOptions::default(),
        Some(v) => serde_json::from_value(v.clone()).map_err(|e| format!("samwise.deploy options: {e}"))?,
    };
    let parameter_overrides = match opts.parameter_overrides {
        None | Some(Value::Null) => None,
        Some(Value::Object(map)) => Some(
            map.into_iter()
                .map(|(k, v)| match v {
                    Value::String(s) => (k, s),
                    other => (k, other.to_string()),
                })
                .collect(),
        ),
        Some(Value::Array(words)) => {
            let mut pairs = Vec::new();
            for w in words {
                let w = w.as_str().ok_or("parameterOverrides: expected strings of the form Key=Value")?.to_owned();
                pairs.extend(parse_key_values("parameterOverrides", &w).map_err(|e| e.to_string())?);
            }
            Some(pairs)
        }
        Some(_) => return Err("parameterOverrides: expected an object or a list of Key=Value strings".to_owned()),
    };
    let options = DeployOptions {
        stack_name: opts.stack_name,
        region: opts.region,
        s3_bucket: opts.s3_bucket,
        s3_prefix: opts.s3_prefix,
        parameter_overrides,
        confirm_changeset: opts.confirm,
        config_env: opts.config_env,
        python: default_python(),
        ..Default::default()
    };
    Ok((PathBuf::from(path), options, opts.ask_for_missing))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (bytes.get(i + 1).and_then(|b| hex(*b)), bytes.get(i + 2).and_then(|b| hex(*b)))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn report_json(report: &DeployReport) -> Value {
    let (status, stack_status) = match &report.outcome {
        Outcome::Deployed { status } => ("deployed", Some(status.clone())),
        Outcome::NoChanges => ("noChanges", None),
        Outcome::Cancelled => ("cancelled", None),
    };
    json!({
        "status": status,
        "stack": report.stack_name,
        "stackStatus": stack_status,
        "outputs": report.outputs.iter().map(|o| (o.key.clone(), Value::String(o.value.clone()))).collect::<serde_json::Map<_, _>>(),
        "uploaded": report.uploaded,
        "skipped": report.skipped,
    })
}

/// Runs the whole deploy on its own thread and runtime: the SDK needs tokio's IO and time drivers,
/// which the server's message-loop runtime does not enable, and packaging blocks.
fn spawn_deploy(
    template: PathBuf,
    options: DeployOptions,
    tx: mpsc::UnboundedSender<Request>,
) -> oneshot::Receiver<Result<(DeployReport, Vec<&'static str>), DeployFailure>> {
    let (done, result) = oneshot::channel();
    std::thread::spawn(move || {
        let run = || -> Result<(DeployReport, Vec<&'static str>), DeployFailure> {
            let config_path = samconfig_path(&template, None);
            let samconfig = load_samconfig(&config_path)?;
            let plan = samwise_deploy::plan(&template, &options, samconfig.as_ref())?;
            let rt = runtime().map_err(|e| format!("cannot start the async runtime: {e}"))?;
            let observer = Editor(tx);
            let report = rt.block_on(async {
                let clients = Clients::load(plan.region.as_deref()).await?;
                samwise_deploy::deploy(&clients, &plan, &observer).await
            })?;
            let saved = if report.outcome == Outcome::Cancelled {
                Vec::new()
            } else {
                save_choices(&options, samconfig, &config_path, &plan.template_body).unwrap_or_default()
            };
            Ok((report, saved))
        };
        let _ = done.send(run());
    });
    result
}

/// Resolves when the session ends (`shutdown`, or the editor closed our stdin).
async fn session_end(stopping: &mut watch::Receiver<bool>) {
    let _ = stopping.wait_for(|stop| *stop).await;
}

/// `workspace/executeCommand` `samwise.deploy`: `Ok` is the command's result, `Err` the message of
/// the error answer (also shown to the user). Waiting stops when `stopping` turns true, so a
/// question the editor will never answer does not keep the server alive.
pub async fn execute(
    client: &Client,
    arguments: Vec<Value>,
    work_done_token: Option<ProgressToken>,
    mut stopping: watch::Receiver<bool>,
) -> Result<Value, DeployFailure> {
    let (template, options, ask_for_missing) = parse_command(&arguments)?;
    let title = format!("Deploying {}", template.file_name().map(|n| n.to_string_lossy()).unwrap_or_default());
    let token = match work_done_token {
        Some(t) => Some(t),
        None => {
            // A new token per run: a token may not be reused while the editor still shows it.
            static RUNS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
            let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let token = ProgressToken::String(format!("samwise.deploy/{run}"));
            let created = client
                .send_request::<WorkDoneProgressCreate>(WorkDoneProgressCreateParams { token: token.clone() })
                .await;
            created.is_ok().then_some(token)
        }
    };
    let progress = |value: WorkDoneProgress| {
        let token = token.clone();
        async move {
            if let Some(token) = token {
                client
                    .send_notification::<ProgressNotification>(ProgressParams {
                        token,
                        value: ProgressParamsValue::WorkDone(value),
                    })
                    .await;
            }
        }
    };
    progress(WorkDoneProgress::Begin(WorkDoneProgressBegin { title: title.clone(), ..Default::default() })).await;

    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut result = spawn_deploy(template, options, tx);
    let outcome = loop {
        tokio::select! {
            // Progress first, so every report is sent before the end.
            biased;
            Some(request) = rx.recv() => match request {
                Request::Progress(message) => {
                    // Also logged: the client's log (VS Code's output channel) keeps every stack event, while a
                    // progress report shows only the latest.
                    client.log_message(MessageType::INFO, &message).await;
                    progress(WorkDoneProgress::Report(WorkDoneProgressReport { message: Some(message), ..Default::default() })).await;
                }
                Request::Confirm(change_set, answer) => {
                    let message = format!(
                        "Deploy this change set to stack {}?\n{}",
                        change_set.stack_name,
                        change_sentences(&change_set)
                    );
                    let actions = ["Deploy", "Cancel"]
                        .map(|t| MessageActionItem { title: t.to_owned(), properties: Default::default() })
                        .to_vec();
                    let choice = tokio::select! {
                        c = client.show_message_request(MessageType::INFO, message, Some(actions)) => c,
                        () = session_end(&mut stopping) => Ok(None),
                    };
                    let _ = answer.send(matches!(choice, Ok(Some(item)) if item.title == "Deploy"));
                }
            },
            r = &mut result => {
                break r.unwrap_or_else(|_| Err("the deploy thread ended without an answer (a bug)".to_owned().into()))
            }
            () = session_end(&mut stopping) => break Err("the session ended during the deploy".to_owned().into()),
        }
    };
    // The editor asks the user for a missing setting and runs the deploy again: not a failure to show.
    let asking = matches!(&outcome, Err(e) if ask_for_missing && e.missing.is_some());
    let end = match &outcome {
        Ok((report, _)) => match &report.outcome {
            Outcome::Deployed { status } => format!("Stack {} is {status}", report.stack_name),
            Outcome::NoChanges => format!("No changes to deploy: stack {} is up to date", report.stack_name),
            Outcome::Cancelled => "Deploy cancelled".to_owned(),
        },
        Err(e) if asking => format!("Deploy stopped to ask for a setting: {}", e.message),
        Err(e) => format!("Deploy failed: {}", e.message),
    };
    let level = if outcome.is_ok() || asking { MessageType::INFO } else { MessageType::ERROR };
    client.log_message(level, &end).await;
    progress(WorkDoneProgress::End(WorkDoneProgressEnd { message: Some(end.clone()) })).await;
    match outcome {
        Ok((report, saved)) => {
            client.show_message(MessageType::INFO, &end).await;
            let mut value = report_json(&report);
            value["savedToSamconfig"] = json!(saved);
            Ok(value)
        }
        Err(e) if asking => Err(e),
        Err(e) => {
            client.show_message(MessageType::ERROR, &end).await;
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use samwise_deploy::ResourceChange;

    #[test]
    fn the_confirmation_question_lists_one_sentence_per_change() {
        let change = |action: &str, id: &str, ty: &str, replacement: Option<&str>| ResourceChange {
            action: action.into(),
            logical_id: id.into(),
            resource_type: ty.into(),
            replacement: replacement.map(Into::into),
        };
        let change_set = ChangeSet {
            stack_name: "s".into(),
            stack_id: "arn".into(),
            id: "cs".into(),
            creates_stack: false,
            changes: vec![
                change("Add", "Fn", "AWS::Lambda::Function", None),
                change("Modify", "Table", "AWS::DynamoDB::Table", Some("True")),
                change("Modify", "Queue", "AWS::SQS::Queue", Some("Conditional")),
                change("Modify", "Role", "AWS::IAM::Role", Some("False")),
            ],
        };
        assert_eq!(
            change_sentences(&change_set),
            "Add Fn (AWS::Lambda::Function).\nModify Table (AWS::DynamoDB::Table), replacing it.\n\
             Modify Queue (AWS::SQS::Queue), possibly replacing it.\nModify Role (AWS::IAM::Role)."
        );
    }
}
