//! The network half of a deploy: executes a [`Plan`] with the AWS SDK for Rust. Uploads the
//! artifacts (skipping keys that already exist), creates a CREATE or UPDATE change set, reports its
//! changes, asks the caller to confirm, executes it and streams the stack events until a final
//! status. Protocol-free: progress and the confirmation go through an [`Observer`], so the CLI
//! prompts on the terminal and the language server asks the editor.
//!
//! Credentials come from the SDK's standard chain and are never logged: no message built here
//! contains anything the credential provider returned, and SDK errors are reduced to their service
//! error code and message before they reach the user.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_config::BehaviorVersion;
use aws_credential_types::provider::ProvideCredentials;
use aws_sdk_cloudformation::Client as CfnClient;
use aws_sdk_cloudformation::config::http::HttpResponse;
use aws_sdk_cloudformation::error::ProvideErrorMetadata;
use aws_sdk_cloudformation::error::SdkError;
use aws_sdk_cloudformation::primitives::DateTimeFormat;
use aws_sdk_cloudformation::types::{Capability, ChangeSetStatus, ChangeSetType, Parameter, Tag};
use aws_sdk_s3::Client as S3Client;
use aws_sdk_s3::primitives::ByteStream;
use samwise_syntax::Format;
use samwise_template::Template;

use crate::fsutil::deploy_lock;
use crate::{DeployError, DeployParameters, Plan, SamConfig};

/// One resource change of a change set, as CloudFormation describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceChange {
    /// `Add`, `Modify`, `Remove`, `Import` or `Dynamic`.
    pub action: String,
    pub logical_id: String,
    pub resource_type: String,
    /// `True`, `False` or `Conditional` for a `Modify`; `None` otherwise.
    pub replacement: Option<String>,
}

/// A created change set waiting for confirmation.
#[derive(Debug, Clone)]
pub struct ChangeSet {
    pub stack_name: String,
    /// The stack's id (ARN): polled after execution, as a name can refer to a newer stack.
    pub stack_id: String,
    pub id: String,
    /// `true` for a new stack (CREATE change set), `false` for an update.
    pub creates_stack: bool,
    pub changes: Vec<ResourceChange>,
}

/// One stack event, oldest first in the order the observer receives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackEvent {
    pub event_id: String,
    /// RFC 3339, as CloudFormation reports it.
    pub timestamp: String,
    pub logical_id: String,
    pub resource_type: String,
    pub status: String,
    pub reason: Option<String>,
}

/// What happened to one artifact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadStatus {
    Uploaded,
    /// The key already exists (content-hash keys: the same bytes are there).
    Exists,
}

/// Progress reports, in the order they happen.
#[derive(Debug, Clone)]
pub enum Progress<'a> {
    /// One artifact (or the template, `resources` empty) was uploaded or found in the bucket.
    Artifact {
        key: &'a str,
        bytes: usize,
        resources: &'a [String],
        status: UploadStatus,
    },
    /// The stack is busy with an earlier operation; the deploy waits for it to end.
    WaitingForStack {
        status: &'a str,
    },
    /// A stack left by a failed first create (ROLLBACK_COMPLETE) is deleted before creating it again.
    DeletingFailedStack,
    /// A change set an earlier, interrupted or failed, samwise deploy left on the stack was deleted.
    AbandonedChangeSetDeleted {
        name: &'a str,
    },
    /// An empty stack under review (REVIEW_IN_PROGRESS, no change set left) from an interrupted
    /// first deploy is deleted before creating it again.
    DeletingEmptyStack,
    ChangeSetCreated {
        change_set: &'a ChangeSet,
    },
    Event(&'a StackEvent),
}

/// Receives progress and decides whether to execute a change set.
pub trait Observer: Send + Sync {
    fn progress(&self, progress: Progress<'_>);
    /// Called only when the plan asks for confirmation (`confirm_changeset`). `false` cancels the
    /// deploy; the change set is then deleted.
    fn confirm<'a>(&'a self, change_set: &'a ChangeSet) -> Pin<Box<dyn Future<Output = bool> + Send + 'a>>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackOutput {
    pub key: String,
    pub value: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The change set was executed and the stack reached `status` (CREATE_COMPLETE/UPDATE_COMPLETE).
    Deployed { status: String },
    /// CloudFormation found nothing to change.
    NoChanges,
    /// The observer declined the change set.
    Cancelled,
}

#[derive(Debug, Clone)]
pub struct DeployReport {
    pub stack_name: String,
    pub outcome: Outcome,
    /// Keys uploaded by this deploy (artifacts and the template).
    pub uploaded: Vec<String>,
    /// Keys that already existed.
    pub skipped: Vec<String>,
    pub outputs: Vec<StackOutput>,
}

/// The two service clients with the user's region and endpoints.
pub struct Clients {
    s3: S3Client,
    cfn: CfnClient,
    /// Where CloudFormation requests go, for "cannot reach" messages.
    endpoint: String,
    /// Where S3 requests go.
    s3_endpoint: String,
    /// Attempts per request of the retry configuration in use, for error messages.
    attempts: u32,
    /// The S3 client's timeouts, which each upload grows by its size ([`upload_timeouts`]).
    s3_timeouts: aws_config::timeout::TimeoutConfig,
}

fn env_set(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| !v.is_empty())
}

impl Clients {
    /// Loads the SDK configuration: the standard credential chain, `region` or the default region
    /// chain, `AWS_ENDPOINT_URL` and the per-service `AWS_ENDPOINT_URL_S3`/`_CLOUDFORMATION`
    /// (the SDK's loader reads these). Fails with [`DeployError::NoCredentials`] when the chain finds
    /// nothing, before any request is sent.
    pub async fn load(region: Option<&str>) -> Result<Clients, DeployError> {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(r) = region {
            loader = loader.region(aws_config::Region::new(r.to_owned()));
        }
        let chosen = env_set("AWS_MAX_ATTEMPTS") || env_set("AWS_RETRY_MODE");
        Clients::from_config(&with_deploy_retries(loader.load().await, chosen)).await
    }

    /// Clients from a configuration the caller built (an embedder with its own credentials or
    /// endpoint, the benchmark). The checks and the S3 addressing rule are those of [`Clients::load`].
    pub async fn from_config(config: &aws_config::SdkConfig) -> Result<Clients, DeployError> {
        let Some(region) = config.region().map(|r| r.to_string()) else {
            return Err(DeployError::NoRegion);
        };
        let Some(provider) = config.credentials_provider() else {
            return Err(DeployError::NoCredentials { detail: "no credential provider is configured".to_owned() });
        };
        if let Err(e) = provider.provide_credentials().await {
            // The provider's error names the sources it tried, never a secret.
            return Err(DeployError::NoCredentials { detail: error_chain(&e) });
        }
        // A local endpoint (moto, LocalStack) serves buckets under paths, not as subdomains.
        let local_s3 = config.endpoint_url().is_some() || env_set("AWS_ENDPOINT_URL_S3");
        let s3_timeouts = timeouts(config);
        let s3_config = aws_sdk_s3::config::Builder::from(config)
            .force_path_style(local_s3)
            .timeout_config(s3_timeouts.clone())
            .build();
        let endpoint = std::env::var("AWS_ENDPOINT_URL_CLOUDFORMATION")
            .ok()
            .filter(|v| !v.is_empty())
            .or_else(|| config.endpoint_url().map(str::to_owned))
            .unwrap_or_else(|| format!("https://cloudformation.{region}.amazonaws.com"));
        let s3_endpoint = std::env::var("AWS_ENDPOINT_URL_S3")
            .ok()
            .filter(|v| !v.is_empty())
            .or_else(|| config.endpoint_url().map(str::to_owned))
            .unwrap_or_else(|| format!("https://s3.{region}.amazonaws.com"));
        let attempts = config.retry_config().map_or(3, |r| r.max_attempts());
        let cfn = CfnClient::from_conf(cloudformation_config(config));
        Ok(Clients { s3: S3Client::from_conf(s3_config), cfn, endpoint, s3_endpoint, attempts, s3_timeouts })
    }
}

/// Attempts per request when the user configured nothing: the SDK's standard mode (exponential
/// backoff with full jitter from 1 s, at most 20 s; throttling codes, 500/502/503/504 and dropped
/// connections are retried) allows 3, which a throttled deploy burns through in a few seconds. A
/// deploy is a long sequence of calls where giving up costs the user a re-run, so 5, as botocore's
/// legacy mode (and so the SAM CLI) uses.
pub const DEPLOY_MAX_ATTEMPTS: u32 = 5;

/// The loaded configuration with [`DEPLOY_MAX_ATTEMPTS`] unless the user chose a retry
/// configuration: `chosen` (`AWS_MAX_ATTEMPTS`/`AWS_RETRY_MODE` set), or a profile's
/// `max_attempts`/`retry_mode` that differs from the SDK's default (standard, 3 attempts).
fn with_deploy_retries(config: aws_config::SdkConfig, chosen: bool) -> aws_config::SdkConfig {
    use aws_config::retry::{RetryConfig, RetryMode};
    let default = config.retry_config().is_none_or(|r| r.mode() == RetryMode::Standard && r.max_attempts() == 3);
    if chosen || !default {
        return config;
    }
    let retry = config.retry_config().cloned().unwrap_or_else(RetryConfig::standard);
    config.into_builder().retry_config(retry.with_max_attempts(DEPLOY_MAX_ATTEMPTS)).build()
}

/// How long one attempt of a CloudFormation call or an S3 HEAD may wait for its answer. They answer
/// within a second or two; without a limit an endpoint that takes a request and never answers
/// stalls the deploy for ever (the SDK sets only a connect timeout). A timed-out attempt is retried
/// like a broken connection.
pub const READ_TIMEOUT: Duration = Duration::from_secs(30);

/// The slowest upload a PutObject attempt is given time for: its answer comes only after its whole
/// body, so its read timeout is [`READ_TIMEOUT`] plus the body's size at this rate (a 10 MB zip
/// gets 3 min). Stalled-stream protection already ends a body that stops moving; this bounds the
/// wait for the answer after it.
pub const SLOWEST_UPLOAD_BYTES_PER_SEC: u64 = 64 * 1024;

/// `config`'s timeouts with [`READ_TIMEOUT`], unless it sets (or explicitly disables) a read timeout
/// itself.
fn timeouts(config: &aws_config::SdkConfig) -> aws_config::timeout::TimeoutConfig {
    use aws_config::timeout::TimeoutConfig;
    let ours = TimeoutConfig::builder().read_timeout(READ_TIMEOUT);
    let given = config.timeout_config().map(TimeoutConfig::to_builder).unwrap_or_else(TimeoutConfig::builder);
    given.take_unset_from(ours).build()
}

/// The CloudFormation client configuration: `config` with [`timeouts`].
fn cloudformation_config(config: &aws_config::SdkConfig) -> aws_sdk_cloudformation::Config {
    aws_sdk_cloudformation::config::Builder::from(config).timeout_config(timeouts(config)).build()
}

/// The timeouts of one PutObject attempt of `bytes`: the client's, with the read timeout grown by
/// the upload's time at [`SLOWEST_UPLOAD_BYTES_PER_SEC`] when it is samwise's own [`READ_TIMEOUT`].
fn upload_timeouts(client: &aws_config::timeout::TimeoutConfig, bytes: usize) -> aws_config::timeout::TimeoutConfig {
    let mut builder = client.to_builder();
    if client.read_timeout() == Some(READ_TIMEOUT) {
        let upload = Duration::from_secs_f64(bytes as f64 / SLOWEST_UPLOAD_BYTES_PER_SEC as f64);
        builder = builder.read_timeout(READ_TIMEOUT + upload);
    }
    builder.build()
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

/// Turns an SDK error into a user-facing [`DeployError`]: the service's error code and message,
/// or what went wrong on the way (unreachable endpoint, credentials); never the request itself.
fn sdk_error<E>(clients: &Clients, action: &'static str, e: SdkError<E, HttpResponse>) -> DeployError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    use aws_config::retry::ErrorKind;
    let status = e.raw_response().map(|r| r.status().as_u16());
    match &e {
        // A connection that broke off (hyper's "connection closed before message completed" is a
        // transient `other` error) was retried like an unreachable endpoint, so it is reported so.
        SdkError::DispatchFailure(d) if d.is_user() || d.as_other().is_some_and(|k| k != ErrorKind::TransientError) => {
            DeployError::Aws { action, code: None, message: error_chain(&e) }
        }
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => {
            let s3 = matches!(action, "HeadBucket" | "HeadObject" | "PutObject");
            let endpoint = if s3 { &clients.s3_endpoint } else { &clients.endpoint };
            // The call and the attempts are named: after a dropped connection, which upload or
            // step failed, and that it was not for want of retrying, is what the user needs.
            let attempts = match clients.attempts {
                1 => "1 attempt".to_owned(),
                n => format!("{n} attempts"),
            };
            let detail = format!("{action} failed after {attempts}: {}", error_chain(&e));
            DeployError::EndpointUnreachable { endpoint: endpoint.clone(), detail }
        }
        // An error body the SDK could not parse (moto passing on another service's JSON error, a
        // proxy's error page): its text, when short, is the best account there is.
        _ if e.code().is_none() && e.message().is_none() && status.is_some() => {
            let body = e
                .raw_response()
                .and_then(|r| r.body().bytes())
                .map(|b| String::from_utf8_lossy(b).trim().to_owned())
                .filter(|b| !b.is_empty() && b.len() <= 1_000);
            let status = status.unwrap_or_default();
            let message = match body {
                Some(body) => format!("the endpoint answered HTTP {status}: {body}"),
                None => format!("the endpoint answered HTTP {status} without error details"),
            };
            DeployError::Aws { action, code: None, message }
        }
        _ => {
            let code = e.code().map(str::to_owned);
            let message = e.message().map(str::to_owned).unwrap_or_else(|| error_chain(&e));
            let denied = status == Some(403)
                || code.as_deref().is_some_and(|c| c.contains("AccessDenied") || c == "UnauthorizedOperation");
            if denied {
                DeployError::AccessDenied { action, detail: message }
            } else if code.as_deref().is_some_and(|c| {
                matches!(
                    c,
                    "InvalidClientTokenId" | "UnrecognizedClientException" | "ExpiredToken" | "SignatureDoesNotMatch"
                )
            }) {
                DeployError::NoCredentials { detail: format!("{action} was refused: {message}") }
            } else {
                DeployError::Aws { action, code, message }
            }
        }
    }
}

/// A change-set name unique per deploy: CloudFormation names start with a letter and are at most
/// 128 characters of letters, digits and hyphens.
fn change_set_name() -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    format!("{CHANGE_SET_PREFIX}{}-{:09}-{}", now.as_secs(), now.subsec_nanos(), std::process::id())
}

/// Polls with backoff: 100 ms doubling up to 5 s. The first poll happens immediately.
struct Backoff(Duration);

impl Backoff {
    fn new() -> Backoff {
        Backoff(Duration::ZERO)
    }
    async fn wait(&mut self) {
        tokio::time::sleep(self.0).await;
        self.0 = (self.0 * 2).clamp(Duration::from_millis(100), Duration::from_secs(5));
    }
}

fn is_in_progress(status: &str) -> bool {
    status.ends_with("_IN_PROGRESS") && status != "REVIEW_IN_PROGRESS"
}

fn is_success(status: &str) -> bool {
    matches!(status, "CREATE_COMPLETE" | "UPDATE_COMPLETE" | "IMPORT_COMPLETE")
}

/// Describes the stack; `None` when it does not exist (or was deleted).
async fn stack_status(clients: &Clients, stack: &str) -> Result<Option<(String, String)>, DeployError> {
    match clients.cfn.describe_stacks().stack_name(stack).send().await {
        Ok(out) => Ok(out.stacks().first().and_then(|s| {
            let status = s.stack_status()?.as_str().to_owned();
            (status != "DELETE_COMPLETE").then(|| (s.stack_id().unwrap_or(stack).to_owned(), status))
        })),
        Err(e) if e.message().is_some_and(|m| m.contains("does not exist")) => Ok(None),
        Err(e) => Err(sdk_error(clients, "DescribeStacks", e)),
    }
}

/// Waits until the stack is in no `_IN_PROGRESS` state; returns the final (id, status).
async fn wait_until_idle(
    clients: &Clients,
    stack: &str,
    observer: &dyn Observer,
) -> Result<Option<(String, String)>, DeployError> {
    let mut backoff = Backoff::new();
    let mut reported = false;
    loop {
        let current = stack_status(clients, stack).await?;
        match &current {
            Some((_, status)) if is_in_progress(status) => {
                if !reported {
                    observer.progress(Progress::WaitingForStack { status });
                    reported = true;
                }
                backoff.wait().await;
            }
            _ => return Ok(current),
        }
    }
}

async fn upload_artifacts(
    clients: &Clients,
    plan: &Plan,
    observer: &dyn Observer,
    report: &mut DeployReport,
) -> Result<(), DeployError> {
    let mut uploads: Vec<(&str, &[u8], Vec<String>)> = Vec::new();
    for a in &plan.artifacts {
        match uploads.iter_mut().find(|(k, _, _)| *k == a.key) {
            Some((_, _, resources)) => resources.push(a.artifact.resource.clone()),
            None => uploads.push((&a.key, &a.packaged.bytes, vec![a.artifact.resource.clone()])),
        }
    }
    if let Some(key) = &plan.template_key {
        uploads.push((key, plan.template_body.as_bytes(), Vec::new()));
    }
    let Some(bucket) = plan.bucket.as_deref() else { return Ok(()) };
    if uploads.is_empty() {
        return Ok(());
    }
    // HeadObject answers 404 both for a missing key and a missing bucket; ask about the bucket once.
    if let Err(e) = clients.s3.head_bucket().bucket(bucket).send().await {
        return Err(match e.raw_response().map(|r| r.status().as_u16()) {
            Some(404) => DeployError::MissingBucket { bucket: bucket.to_owned() },
            _ => sdk_error(clients, "HeadBucket", e),
        });
    }
    for (key, bytes, resources) in uploads {
        let exists = match clients.s3.head_object().bucket(bucket).key(key).send().await {
            Ok(_) => true,
            Err(e) if e.raw_response().is_some_and(|r| r.status().as_u16() == 404) => false,
            Err(e) => return Err(sdk_error(clients, "HeadObject", e)),
        };
        let status = if exists {
            report.skipped.push(key.to_owned());
            UploadStatus::Exists
        } else {
            let timeouts = upload_timeouts(&clients.s3_timeouts, bytes.len());
            clients
                .s3
                .put_object()
                .bucket(bucket)
                .key(key)
                .body(ByteStream::from(bytes.to_vec()))
                .customize()
                .config_override(aws_sdk_s3::config::Builder::default().timeout_config(timeouts))
                .send()
                .await
                .map_err(|e| sdk_error(clients, "PutObject", e))?;
            report.uploaded.push(key.to_owned());
            UploadStatus::Uploaded
        };
        observer.progress(Progress::Artifact { key, bytes: bytes.len(), resources: &resources, status });
    }
    Ok(())
}

/// The template's parameter names, so an update keeps the previous value of parameters the user
/// did not override (as the SAM CLI does).
fn template_parameters(body: &str) -> Vec<String> {
    let template = Template::parse(body, Format::detect(None, body));
    template.parameters.iter().map(|p| p.name.clone()).collect()
}

/// The TemplateURL of an uploaded template: path-style on the S3 endpoint in use (the regional AWS
/// endpoint, or the override a local endpoint set).
fn template_url(clients: &Clients, plan: &Plan, key: &str) -> String {
    let bucket = plan.bucket.as_deref().unwrap_or_default();
    format!("{}/{bucket}/{key}", clients.s3_endpoint.trim_end_matches('/'))
}

fn resource_change(rc: &aws_sdk_cloudformation::types::ResourceChange) -> ResourceChange {
    ResourceChange {
        action: rc.action().map(|a| a.as_str().to_owned()).unwrap_or_default(),
        logical_id: rc.logical_resource_id().unwrap_or_default().to_owned(),
        resource_type: rc.resource_type().unwrap_or_default().to_owned(),
        replacement: rc.replacement().map(|r| r.as_str().to_owned()),
    }
}

/// CloudFormation's ways of saying there is nothing to change.
fn is_no_changes(reason: &str) -> bool {
    reason.contains("didn't contain changes") || reason.contains("No updates are to be performed")
}

/// Creates the change set and waits for it. `Ok(None)`: CloudFormation found no changes (the
/// empty change set is deleted).
async fn create_change_set(
    clients: &Clients,
    plan: &Plan,
    existing: Option<&(String, String)>,
) -> Result<Option<ChangeSet>, DeployError> {
    // A stack created by a change set that was never executed (an interrupted deploy) is still
    // created with a CREATE change set.
    let creates = existing.is_none_or(|(_, status)| status == "REVIEW_IN_PROGRESS");
    let mut parameters: Vec<Parameter> = plan
        .parameter_overrides
        .iter()
        .map(|(k, v)| Parameter::builder().parameter_key(k).parameter_value(v).build())
        .collect();
    if !creates {
        let previous = clients
            .cfn
            .describe_stacks()
            .stack_name(&plan.stack_name)
            .send()
            .await
            .map_err(|e| sdk_error(clients, "DescribeStacks", e))?;
        let declared = template_parameters(&plan.template_body);
        for p in previous.stacks().first().map(|s| s.parameters()).unwrap_or_default() {
            let Some(key) = p.parameter_key() else { continue };
            if declared.iter().any(|d| d == key) && !plan.parameter_overrides.iter().any(|(k, _)| k == key) {
                parameters.push(Parameter::builder().parameter_key(key).use_previous_value(true).build());
            }
        }
    }
    let mut request = clients
        .cfn
        .create_change_set()
        .stack_name(&plan.stack_name)
        .change_set_name(change_set_name())
        .change_set_type(if creates { ChangeSetType::Create } else { ChangeSetType::Update })
        .description("Created by samwise deploy")
        .set_parameters(Some(parameters))
        .set_capabilities(Some(plan.capabilities.iter().map(|c| Capability::from(c.as_str())).collect()))
        .set_tags(Some(plan.tags.iter().map(|(k, v)| Tag::builder().key(k).value(v).build()).collect()));
    request = match &plan.template_key {
        Some(key) => request.template_url(template_url(clients, plan, key)),
        None => request.template_body(&plan.template_body),
    };
    let created = match request.send().await {
        Ok(created) => created,
        // Some endpoints (moto; CloudFormation for some requests) refuse an identical update
        // outright instead of creating a FAILED change set.
        Err(e) if e.message().is_some_and(is_no_changes) => return Ok(None),
        Err(e) => return Err(sdk_error(clients, "CreateChangeSet", e)),
    };
    let id = created.id().unwrap_or_default().to_owned();
    let stack_id = created.stack_id().unwrap_or(&plan.stack_name).to_owned();

    let mut backoff = Backoff::new();
    let described = loop {
        let described = clients
            .cfn
            .describe_change_set()
            .change_set_name(&id)
            .send()
            .await
            .map_err(|e| sdk_error(clients, "DescribeChangeSet", e))?;
        match described.status() {
            Some(ChangeSetStatus::CreateComplete) => break described,
            Some(ChangeSetStatus::Failed) => {
                let reason = described.status_reason().unwrap_or_default().to_owned();
                if is_no_changes(&reason) {
                    // Best effort: an empty change set left behind only clutters the console.
                    let _ = clients.cfn.delete_change_set().change_set_name(&id).send().await;
                    return Ok(None);
                }
                // A failed change set cannot be executed, only looked at; deleting it keeps the
                // stack's list to the ones that matter, and a re-run creates a new one anyway.
                let deleted = clients.cfn.delete_change_set().change_set_name(&id).send().await.is_ok();
                let reason = if deleted {
                    format!("{reason} (the failed change set was deleted; fix the cause and deploy again)")
                } else {
                    format!("{reason} (the failed change set {id} could not be deleted; delete it in the console)")
                };
                return Err(DeployError::ChangeSetFailed { stack: plan.stack_name.clone(), reason });
            }
            _ => backoff.wait().await,
        }
    };
    let mut changes: Vec<ResourceChange> =
        described.changes().iter().filter_map(|c| c.resource_change()).map(resource_change).collect();
    // Further pages of the same (complete) change set.
    let mut token = described.next_token().map(str::to_owned);
    while let Some(t) = token.take() {
        let page = clients
            .cfn
            .describe_change_set()
            .change_set_name(&id)
            .next_token(t)
            .send()
            .await
            .map_err(|e| sdk_error(clients, "DescribeChangeSet", e))?;
        changes.extend(page.changes().iter().filter_map(|c| c.resource_change()).map(resource_change));
        token = page.next_token().map(str::to_owned);
    }
    Ok(Some(ChangeSet { stack_name: plan.stack_name.clone(), stack_id, id, creates_stack: creates, changes }))
}

/// The stack's events newer than those in `seen`, oldest first; adds them to `seen`.
async fn new_events(
    clients: &Clients,
    stack: &str,
    seen: &mut HashSet<String>,
) -> Result<Vec<StackEvent>, DeployError> {
    let mut fresh = Vec::new();
    let mut token: Option<String> = None;
    'pages: loop {
        let page = clients
            .cfn
            .describe_stack_events()
            .stack_name(stack)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| sdk_error(clients, "DescribeStackEvents", e))?;
        // Newest first: stop at the first event already reported.
        for e in page.stack_events() {
            let id = e.event_id().unwrap_or_default();
            if seen.contains(id) {
                break 'pages;
            }
            fresh.push(StackEvent {
                event_id: id.to_owned(),
                timestamp: e.timestamp().and_then(|t| t.fmt(DateTimeFormat::DateTime).ok()).unwrap_or_default(),
                logical_id: e.logical_resource_id().unwrap_or_default().to_owned(),
                resource_type: e.resource_type().unwrap_or_default().to_owned(),
                status: e.resource_status().map(|s| s.as_str().to_owned()).unwrap_or_default(),
                reason: e.resource_status_reason().filter(|r| !r.is_empty()).map(str::to_owned),
            });
        }
        match page.next_token() {
            Some(t) => token = Some(t.to_owned()),
            None => break,
        }
    }
    fresh.reverse();
    // A page boundary can repeat an event; report each once.
    fresh.retain(|e| seen.insert(e.event_id.clone()));
    Ok(fresh)
}

/// Every event id the stack has now, so only later events are reported.
async fn all_event_ids(clients: &Clients, stack: &str) -> Result<HashSet<String>, DeployError> {
    let mut seen = HashSet::new();
    new_events(clients, stack, &mut seen).await?;
    Ok(seen)
}

async fn outputs(clients: &Clients, stack: &str) -> Result<Vec<StackOutput>, DeployError> {
    let described = clients
        .cfn
        .describe_stacks()
        .stack_name(stack)
        .send()
        .await
        .map_err(|e| sdk_error(clients, "DescribeStacks", e))?;
    Ok(described
        .stacks()
        .first()
        .map(|s| {
            s.outputs()
                .iter()
                .map(|o| StackOutput {
                    key: o.output_key().unwrap_or_default().to_owned(),
                    value: o.output_value().unwrap_or_default().to_owned(),
                    description: o.description().map(str::to_owned),
                })
                .collect()
        })
        .unwrap_or_default())
}

/// The prefix of the change sets this pipeline creates (see [`change_set_name`]).
const CHANGE_SET_PREFIX: &str = "samwise-deploy-";

/// Whether a change set is one an earlier samwise deploy left behind: ours by name, and failed or
/// never executed (a deploy killed or cut off between creating and executing it).
fn is_abandoned(name: &str, status: Option<&str>, execution: Option<&str>) -> bool {
    name.starts_with(CHANGE_SET_PREFIX)
        && (status == Some("FAILED") || matches!(execution, Some("AVAILABLE" | "UNAVAILABLE" | "OBSOLETE")))
}

/// Deletes the change sets earlier samwise deploys left on the stack; returns how many change sets
/// (anyone's) remain. Others' change sets are left alone.
async fn remove_abandoned_change_sets(
    clients: &Clients,
    stack_id: &str,
    observer: &dyn Observer,
) -> Result<usize, DeployError> {
    let mut left = 0;
    let mut summaries = clients.cfn.list_change_sets().stack_name(stack_id).into_paginator().items().send();
    while let Some(summary) = summaries.next().await {
        let summary = summary.map_err(|e| sdk_error(clients, "ListChangeSets", e))?;
        // Some endpoints (moto) list every stack's change sets.
        if summary.stack_id().is_some_and(|s| s != stack_id) {
            continue;
        }
        let name = summary.change_set_name().unwrap_or_default();
        let status = summary.status().map(|s| s.as_str());
        let execution = summary.execution_status().map(|s| s.as_str());
        if !is_abandoned(name, status, execution) {
            // An executed change set no longer counts as pending work on the stack.
            left += usize::from(!matches!(execution, Some("EXECUTE_COMPLETE" | "EXECUTE_FAILED")));
            continue;
        }
        let id = summary.change_set_id().unwrap_or(name);
        clients
            .cfn
            .delete_change_set()
            .change_set_name(id)
            .send()
            .await
            .map_err(|e| sdk_error(clients, "DeleteChangeSet", e))?;
        observer.progress(Progress::AbandonedChangeSetDeleted { name });
    }
    Ok(left)
}

/// Deletes a stack and waits until it is gone; `failure` says what failed if it ends DELETE_FAILED.
async fn delete_stack(clients: &Clients, stack_id: &str, failure: &str) -> Result<(), DeployError> {
    clients.cfn.delete_stack().stack_name(stack_id).send().await.map_err(|e| sdk_error(clients, "DeleteStack", e))?;
    let mut backoff = Backoff::new();
    loop {
        match stack_status(clients, stack_id).await? {
            Some((_, status)) if status == "DELETE_FAILED" => {
                return Err(DeployError::StackFailed {
                    stack: stack_id.to_owned(),
                    status,
                    resource: None,
                    reason: format!("{failure}; delete it in the console"),
                });
            }
            Some((_, status)) if status != "DELETE_COMPLETE" => backoff.wait().await,
            _ => return Ok(()),
        }
    }
}

/// Whether an event is the cause of a failed deploy: a resource that failed for its own reason, not
/// one CloudFormation cancelled because another failed.
fn is_cause(event: &StackEvent) -> bool {
    event.status.ends_with("_FAILED")
        && !event.reason.as_deref().is_some_and(|r| r.contains("cancelled") || r.contains("canceled"))
}

fn stack_failed(stack: &str, status: String, first_failure: Option<StackEvent>) -> DeployError {
    DeployError::StackFailed {
        stack: stack.to_owned(),
        status,
        resource: first_failure.as_ref().map(|e| format!("{} ({})", e.logical_id, e.resource_type)),
        reason: first_failure
            .and_then(|e| e.reason)
            .unwrap_or_else(|| "CloudFormation gave no reason; see the stack events".to_owned()),
    }
}

/// Executes `plan`: uploads, change set, confirmation, execution, events, outputs.
pub async fn deploy(clients: &Clients, plan: &Plan, observer: &dyn Observer) -> Result<DeployReport, DeployError> {
    // Two deploys of one stack would interfere: each deletes the change sets it takes for abandoned,
    // so one would delete the other's while that one waits for its confirmation.
    let stack = &plan.stack_name;
    let _lock = deploy_lock(&format!("stack\n{}\n{stack}", clients.endpoint), || format!("of stack {stack}"))?;
    let mut report = DeployReport {
        stack_name: plan.stack_name.clone(),
        outcome: Outcome::NoChanges,
        uploaded: Vec::new(),
        skipped: Vec::new(),
        outputs: Vec::new(),
    };
    upload_artifacts(clients, plan, observer, &mut report).await?;

    let mut existing = wait_until_idle(clients, &plan.stack_name, observer).await?;
    if let Some((id, status)) = &existing
        && status == "ROLLBACK_COMPLETE"
    {
        observer.progress(Progress::DeletingFailedStack);
        delete_stack(clients, id, "deleting the stack left by a failed create failed").await?;
        existing = None;
    }
    if let Some((id, status)) = &existing {
        let left = remove_abandoned_change_sets(clients, id, observer).await?;
        // A stack under review with no change set is the empty shell of an interrupted first
        // deploy. CloudFormation would take another CREATE change set on it; deleting it first
        // means the re-run starts as the first run did, and no endpoint ends up with two stacks
        // of one name (moto makes a new stack per CREATE change set).
        if status == "REVIEW_IN_PROGRESS" && left == 0 {
            observer.progress(Progress::DeletingEmptyStack);
            delete_stack(clients, id, "deleting the empty stack left by an interrupted deploy failed").await?;
            existing = None;
        }
    }
    let Some(change_set) = create_change_set(clients, plan, existing.as_ref()).await? else {
        report.outputs = outputs(clients, &plan.stack_name).await?;
        return Ok(report);
    };
    observer.progress(Progress::ChangeSetCreated { change_set: &change_set });
    if plan.confirm_changeset && !observer.confirm(&change_set).await {
        let _ = clients.cfn.delete_change_set().change_set_name(&change_set.id).send().await;
        report.outcome = Outcome::Cancelled;
        return Ok(report);
    }

    let stack = change_set.stack_id.as_str();
    let mut seen = all_event_ids(clients, stack).await?;
    let executed = clients.cfn.execute_change_set().change_set_name(&change_set.id).send().await;
    if let Err(e) = executed {
        // Events written before the failure still explain it.
        for event in new_events(clients, stack, &mut seen).await.unwrap_or_default() {
            observer.progress(Progress::Event(&event));
        }
        return Err(sdk_error(clients, "ExecuteChangeSet", e));
    }
    let mut first_failure: Option<StackEvent> = None;
    let mut backoff = Backoff::new();
    let status = loop {
        let status = stack_status(clients, stack).await?.map(|(_, s)| s).unwrap_or_default();
        // Events after reading the status, so the final ones are always reported.
        for event in new_events(clients, stack, &mut seen).await? {
            if first_failure.is_none() && is_cause(&event) {
                first_failure = Some(event.clone());
            }
            observer.progress(Progress::Event(&event));
        }
        if !is_in_progress(&status) && status != "REVIEW_IN_PROGRESS" {
            break status;
        }
        backoff.wait().await;
    };
    if !is_success(&status) {
        return Err(stack_failed(&plan.stack_name, status, first_failure));
    }
    report.outcome = Outcome::Deployed { status };
    report.outputs = outputs(clients, stack).await?;
    Ok(report)
}

/// The choices to write back to samconfig.toml after a successful deploy: the settings the user
/// passed for this deploy that the file's environment does not already hold with the same value.
/// `None` when there is nothing to write. Only explicit choices are written (never defaults the
/// plan derived, such as the prefix or the always-added capabilities), so the file stays as the
/// user would have written it.
pub fn choices_to_save(
    options: &crate::DeployOptions,
    config: Option<&SamConfig>,
) -> Result<Option<DeployParameters>, DeployError> {
    let env = options.config_env.as_deref().unwrap_or("default");
    let current = match config {
        Some(c) => c.deploy_parameters(env)?,
        None => DeployParameters::default(),
    };
    fn pick<T: Clone + PartialEq>(given: &Option<T>, have: &Option<T>) -> Option<T> {
        given.as_ref().filter(|g| have.as_ref() != Some(*g)).cloned()
    }
    let update = DeployParameters {
        stack_name: pick(&options.stack_name, &current.stack_name),
        region: pick(&options.region, &current.region),
        s3_bucket: pick(&options.s3_bucket, &current.s3_bucket),
        s3_prefix: pick(&options.s3_prefix, &current.s3_prefix),
        capabilities: pick(&options.capabilities, &current.capabilities),
        parameter_overrides: pick(&options.parameter_overrides, &current.parameter_overrides),
        // `--no-confirm` is a choice for one run (a script, a test), not a standing setting.
        confirm_changeset: None,
        tags: pick(&options.tags, &current.tags),
    };
    Ok((update != DeployParameters::default()).then_some(update))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(logical_id: &str, status: &str, reason: Option<&str>) -> StackEvent {
        StackEvent {
            event_id: format!("{logical_id}-{status}"),
            timestamp: String::new(),
            logical_id: logical_id.to_owned(),
            resource_type: "AWS::Lambda::Function".to_owned(),
            status: status.to_owned(),
            reason: reason.map(str::to_owned),
        }
    }

    #[test]
    fn the_first_resource_that_failed_for_its_own_reason_is_reported() {
        let events = [
            event("Stack", "CREATE_IN_PROGRESS", Some("User Initiated")),
            event("Role", "CREATE_FAILED", Some("Resource creation cancelled")),
            event("Fn", "CREATE_FAILED", Some("The role defined for the function cannot be assumed by Lambda.")),
            event("Other", "CREATE_FAILED", Some("later failure")),
        ];
        let cause = events.iter().find(|e| is_cause(e)).cloned();
        let message = stack_failed("app", "ROLLBACK_COMPLETE".to_owned(), cause).to_string();
        assert_eq!(
            message,
            "stack app ended in ROLLBACK_COMPLETE: Fn (AWS::Lambda::Function) failed: \
             The role defined for the function cannot be assumed by Lambda."
        );
        let none = stack_failed("app", "UPDATE_ROLLBACK_COMPLETE".to_owned(), None).to_string();
        assert!(none.ends_with("CloudFormation gave no reason; see the stack events"), "{none}");
    }

    #[test]
    fn the_default_retry_configuration_is_raised_and_a_chosen_one_kept() {
        use aws_config::retry::{RetryConfig, RetryMode};
        let attempts = |c: aws_config::SdkConfig| c.retry_config().map(|r| (r.mode(), r.max_attempts()));
        let with = |r: RetryConfig| aws_config::SdkConfig::builder().retry_config(r).build();
        let raised = Some((RetryMode::Standard, DEPLOY_MAX_ATTEMPTS));
        assert_eq!(attempts(with_deploy_retries(with(RetryConfig::standard()), false)), raised);
        assert_eq!(attempts(with_deploy_retries(aws_config::SdkConfig::builder().build(), false)), raised);
        let three = Some((RetryMode::Standard, 3));
        assert_eq!(attempts(with_deploy_retries(with(RetryConfig::standard()), true)), three);
        let seven = with(RetryConfig::standard().with_max_attempts(7));
        assert_eq!(attempts(with_deploy_retries(seven, false)), Some((RetryMode::Standard, 7)));
        let adaptive = with(RetryConfig::adaptive());
        assert_eq!(attempts(with_deploy_retries(adaptive, false)), Some((RetryMode::Adaptive, 3)));
    }

    #[test]
    fn calls_get_a_read_timeout_unless_one_is_configured() {
        use aws_config::timeout::TimeoutConfig;
        let read = |c: aws_config::SdkConfig| cloudformation_config(&c).timeout_config().and_then(|t| t.read_timeout());
        let connect_only = TimeoutConfig::builder().connect_timeout(Duration::from_secs(3)).build();
        let with = |t: TimeoutConfig| aws_config::SdkConfig::builder().timeout_config(t).build();
        assert_eq!(read(with(connect_only.clone())), Some(READ_TIMEOUT));
        assert_eq!(read(aws_config::SdkConfig::builder().build()), Some(READ_TIMEOUT));
        let own = TimeoutConfig::builder().read_timeout(Duration::from_secs(90)).build();
        assert_eq!(read(with(own.clone())), Some(Duration::from_secs(90)));
        assert_eq!(read(with(TimeoutConfig::disabled())), None);

        // Uploads get time for their body on top, keeping the other timeouts; a configured read
        // timeout is the user's choice and stays.
        let client = timeouts(&with(connect_only));
        let upload = upload_timeouts(&client, 10 * 64 * 1024);
        assert_eq!(upload.read_timeout(), Some(READ_TIMEOUT + Duration::from_secs(10)));
        assert_eq!(upload.connect_timeout(), Some(Duration::from_secs(3)));
        assert_eq!(upload_timeouts(&own, 10 << 20).read_timeout(), Some(Duration::from_secs(90)));
    }

    #[test]
    fn only_samwise_change_sets_that_were_not_executed_are_abandoned() {
        let ours = "samwise-deploy-1700000000-000000001-42";
        assert!(is_abandoned(ours, Some("CREATE_COMPLETE"), Some("AVAILABLE")));
        assert!(is_abandoned(ours, Some("FAILED"), Some("UNAVAILABLE")));
        assert!(!is_abandoned(ours, Some("CREATE_COMPLETE"), Some("EXECUTE_IN_PROGRESS")));
        assert!(!is_abandoned(ours, Some("CREATE_COMPLETE"), Some("EXECUTE_COMPLETE")));
        assert!(!is_abandoned(ours, Some("CREATE_IN_PROGRESS"), None));
        assert!(!is_abandoned("reviewed-by-alice", Some("CREATE_COMPLETE"), Some("AVAILABLE")));
        assert!(change_set_name().starts_with(CHANGE_SET_PREFIX));
    }

    #[test]
    fn no_changes_is_recognised_in_both_wordings() {
        assert!(is_no_changes(
            "The submitted information didn't contain changes. Submit different information to create a change set."
        ));
        assert!(is_no_changes("No updates are to be performed."));
        assert!(!is_no_changes("Template format error: unsupported structure."));
    }

    #[test]
    fn only_explicit_differing_choices_are_saved() {
        let path = std::path::Path::new("samconfig.toml");
        let config = SamConfig::parse(
            path,
            "version = 0.1\n[default.deploy.parameters]\nstack_name = \"app\"\ns3_bucket = \"b\"\n",
        )
        .unwrap();
        let same = crate::DeployOptions {
            stack_name: Some("app".into()),
            confirm_changeset: Some(false),
            ..Default::default()
        };
        assert_eq!(choices_to_save(&same, Some(&config)).unwrap(), None);
        let new = crate::DeployOptions {
            stack_name: Some("app".into()),
            s3_bucket: Some("other".into()),
            region: Some("eu-west-1".into()),
            ..Default::default()
        };
        let saved = choices_to_save(&new, Some(&config)).unwrap().unwrap();
        assert_eq!(
            saved,
            DeployParameters {
                s3_bucket: Some("other".into()),
                region: Some("eu-west-1".into()),
                ..Default::default()
            }
        );
    }
}
