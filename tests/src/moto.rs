//! A moto server (the local AWS endpoint of the tests) on 127.0.0.1, started from the test virtualenv
//! and killed when dropped, also when the test panics.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// The dummy secret key the tests hand to the functions; it must never appear in samwise's output.
pub const SECRET_ACCESS_KEY: &str = "dummy-secret-never-printed";

/// A moto server on 127.0.0.1 (from the test virtualenv), killed when dropped.
pub struct Moto {
    child: Child,
    pub endpoint: String,
}

impl Moto {
    pub fn start() -> Moto {
        let server = crate::repo_root().join(".venv/bin/moto_server");
        assert!(server.exists(), "{} is missing: run scripts/test-env.sh", server.display());
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut child = Command::new(server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let moto = Moto { child, endpoint: format!("http://127.0.0.1:{port}") };
        // Werkzeug announces the address once it listens; read until then, then keep draining.
        let mut lines = BufReader::new(stderr).lines();
        let ready = lines.by_ref().map_while(Result::ok).any(|l| l.contains(&format!("127.0.0.1:{port}")));
        assert!(ready, "moto_server did not start");
        std::thread::spawn(move || lines.for_each(drop));
        moto
    }

    /// Dummy credentials and the endpoint, for the adapter (and so the function) or a seeding script.
    pub fn env(&self, cmd: &mut Command) {
        cmd.env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY)
            .env("AWS_SESSION_TOKEN", "testing")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env("AWS_REGION", "us-east-1")
            .env_remove("AWS_PROFILE");
    }

    /// [`Moto::env`], plus HOME and the AWS config and credentials files pointed into `home`, so
    /// the user's own AWS files are never read; the per-service endpoint variables are cleared.
    pub fn env_isolated(&self, cmd: &mut Command, home: &std::path::Path) {
        self.env(cmd);
        cmd.env("HOME", home)
            .env("AWS_CONFIG_FILE", home.join("config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", home.join("credentials"))
            .env_remove("AWS_ENDPOINT_URL_S3")
            .env_remove("AWS_ENDPOINT_URL_CLOUDFORMATION");
    }

    /// Runs a boto3 script (`boto3` and `json` imported) against this server; returns its stdout.
    pub fn boto(&self, script: &str) -> String {
        let mut cmd = Command::new(crate::venv_python());
        cmd.arg("-c").arg(format!("import boto3, json\n{script}"));
        self.env(&mut cmd);
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "boto3 script failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    pub fn create_bucket(&self, bucket: &str) {
        self.boto(&format!("boto3.client('s3').create_bucket(Bucket={bucket:?})"));
    }

    /// The keys in `bucket`, sorted.
    pub fn bucket_keys(&self, bucket: &str) -> Vec<String> {
        let out = self.boto(&format!(
            "r = boto3.client('s3').list_objects_v2(Bucket={bucket:?})\n\
             print(json.dumps(sorted(o['Key'] for o in r.get('Contents', []))))"
        ));
        serde_json::from_str(&out).unwrap()
    }

    pub fn stack_status(&self, stack: &str) -> String {
        self.boto(&format!(
            "print(boto3.client('cloudformation').describe_stacks(StackName={stack:?})['Stacks'][0]['StackStatus'])"
        ))
    }

    /// Creates what the example project reads: the greeting parameter and the S3 template.
    pub fn seed_example(&self, prefix: &str) {
        let mut seed = Command::new(crate::venv_python());
        seed.arg("-c").arg(format!(
            r#"
import boto3
boto3.client("ssm").put_parameter(Name="parameter-store-example-greeting", Value="{prefix}", Type="String", Overwrite=True)
s3 = boto3.client("s3")
s3.create_bucket(Bucket="parameter-store-example-assets")
s3.put_object(Bucket="parameter-store-example-assets", Key="templates/greeting.txt", Body=b"{{prefix}}, {{name}}!")
"#
        ));
        self.env(&mut seed);
        let out = seed.output().unwrap();
        assert!(out.status.success(), "seeding moto failed: {}", String::from_utf8_lossy(&out.stderr));
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plain CloudFormation template moto can deploy: an IAM role and one `AWS::Lambda::Function` per
/// name (`<Name>Function`, code in the local folder `<name>` in lower case), with the first
/// function's ARN as the output `<Name>Arn`. moto does not expand the SAM transform, so the
/// deploy tests' create/update cycles run on this.
pub fn lambda_stack_template(functions: &[&str]) -> String {
    let mut t = String::from(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  FunctionRole:\n    Type: AWS::IAM::Role\n    Properties:\n      \
         AssumeRolePolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            \
         Principal: { Service: lambda.amazonaws.com }\n            Action: sts:AssumeRole\n",
    );
    for f in functions {
        t.push_str(&format!(
            "  {f}Function:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.12\n      \
             Handler: app.handler\n      Role: !GetAtt FunctionRole.Arn\n      Code: {}\n",
            f.to_lowercase()
        ));
    }
    if let Some(first) = functions.first() {
        t.push_str(&format!("Outputs:\n  {first}Arn:\n    Value: !GetAtt {first}Function.Arn\n"));
    }
    t
}

/// A recording HTTP proxy in front of moto: every request body it forwards is kept, so a test can
/// assert on what was sent (point one service at it with `AWS_ENDPOINT_URL_<SERVICE>`). Plain
/// HTTP/1.1 with Content-Length bodies, which is what the AWS SDKs send to an `http://` endpoint.
pub struct RecordingProxy {
    pub endpoint: String,
    bodies: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl RecordingProxy {
    pub fn start(upstream: &str) -> RecordingProxy {
        RecordingProxy::scripted(upstream, Script::default())
    }

    /// A proxy that, once a request with `Action=<after>` went through, answers requests whose
    /// `Action` is in `canned` itself (HTTP 200 with the given XML body) instead of forwarding them:
    /// how a test plays an outcome moto cannot produce (a stack that rolls back, say).
    pub fn scripted(upstream: &str, script: Script) -> RecordingProxy {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let upstream = upstream.trim_start_matches("http://").to_owned();
        let bodies = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let recorded = bodies.clone();
        let script = std::sync::Arc::new(script);
        // Accepts until the test process ends; each connection is served on its own thread.
        std::thread::spawn(move || {
            for conn in listener.incoming().map_while(Result::ok) {
                let (upstream, recorded, script) = (upstream.clone(), recorded.clone(), script.clone());
                std::thread::spawn(move || proxy_connection(conn, &upstream, &recorded, &script));
            }
        });
        RecordingProxy { endpoint, bodies }
    }

    /// The request bodies forwarded so far, in order.
    pub fn bodies(&self) -> Vec<String> {
        self.bodies.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// What a scripted [`RecordingProxy`] answers itself; see [`RecordingProxy::scripted`].
#[derive(Default)]
pub struct Script {
    pub after: String,
    pub canned: Vec<(String, String)>,
    triggered: std::sync::atomic::AtomicBool,
}

impl Script {
    pub fn new(after: &str, canned: &[(&str, String)]) -> Script {
        Script {
            after: after.to_owned(),
            canned: canned.iter().map(|(a, b)| ((*a).to_owned(), b.clone())).collect(),
            triggered: Default::default(),
        }
    }

    /// The canned answer for a request body, if the script applies to it now.
    fn answer(&self, body: &str) -> Option<Vec<u8>> {
        use std::sync::atomic::Ordering;
        let action = form_pairs(body).into_iter().find(|(k, _)| k == "Action").map(|(_, v)| v)?;
        let canned =
            self.triggered.load(Ordering::SeqCst).then(|| self.canned.iter().find(|(a, _)| *a == action))??;
        Some(
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n{}",
                canned.1.len(),
                canned.1
            )
            .into_bytes(),
        )
    }

    fn saw(&self, body: &str) {
        if !self.after.is_empty() && form_pairs(body).iter().any(|(k, v)| k == "Action" && *v == self.after) {
            self.triggered.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }
}

fn proxy_connection(
    conn: std::net::TcpStream,
    upstream: &str,
    recorded: &std::sync::Mutex<Vec<String>>,
    script: &Script,
) {
    use std::io::{Read, Write};
    let mut client = BufReader::new(conn.try_clone().unwrap());
    let mut out = conn;
    loop {
        // Request line and headers.
        let mut head = Vec::new();
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            match client.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let lower = line.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            }
            if lower.starts_with("connection:") {
                continue;
            }
            if line == "\r\n" {
                head.extend_from_slice(b"Connection: close\r\n\r\n");
                break;
            }
            head.extend_from_slice(line.as_bytes());
        }
        let mut body = vec![0; length];
        if client.read_exact(&mut body).is_err() {
            return;
        }
        let text = String::from_utf8_lossy(&body).into_owned();
        recorded.lock().unwrap_or_else(|e| e.into_inner()).push(text.clone());
        if let Some(answer) = script.answer(&text) {
            if out.write_all(&answer).is_err() {
                return;
            }
            continue;
        }
        script.saw(&text);
        let mut up = std::net::TcpStream::connect(upstream).unwrap();
        up.write_all(&head).and_then(|()| up.write_all(&body)).unwrap();
        let mut response = Vec::new();
        let _ = up.read_to_end(&mut response);
        // The response says `Connection: close` only if moto did; we close after one exchange anyway
        // when it does, else keep serving this connection.
        let closes = String::from_utf8_lossy(&response).to_ascii_lowercase().contains("connection: close");
        if out.write_all(&response).is_err() || closes {
            return;
        }
    }
}

/// Decodes an `application/x-www-form-urlencoded` body (the AWS query protocol) into its pairs.
pub fn form_pairs(body: &str) -> Vec<(String, String)> {
    let decode = |s: &str| {
        let s = s.replace('+', " ");
        let bytes = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%'
                && let Some(b) = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(b);
                i += 3;
                continue;
            }
            out.push(bytes[i]);
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    body.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

/// One change set as moto lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeSetSummary {
    pub name: String,
    pub status: String,
    pub execution_status: String,
}

impl Moto {
    /// Every change set moto holds (moto lists all stacks' change sets whatever the filter).
    pub fn change_sets(&self, stack: &str) -> Vec<ChangeSetSummary> {
        let out = self.boto(&format!(
            "r = boto3.client('cloudformation').list_change_sets(StackName={stack:?})\n\
             print(json.dumps([[s.get('ChangeSetName', ''), s.get('Status', ''), s.get('ExecutionStatus', '')] \
             for s in r.get('Summaries', [])]))"
        ));
        let rows: Vec<[String; 3]> = serde_json::from_str(&out).unwrap();
        rows.into_iter()
            .map(|[name, status, execution_status]| ChangeSetSummary { name, status, execution_status })
            .collect()
    }
}
