//! Security checks (issue 11), end to end on the real binaries:
//! - every listening socket of a debug session (socket-mode adapter, Runtime API, debugpy) is bound
//!   to 127.0.0.1, read from /proc/net/tcp and tcp6 by the sockets' inodes;
//! - opening a workspace runs nothing from it: a configured `pythonPath`, a `python` first on PATH,
//!   and a `sitecustomize.py`/`.pth`/`botocore.py` in the project would each leave a marker file;
//!   the opt-in `preferInstalledBotocore` does run the configured interpreter (the control that shows
//!   the markers work);
//! - secrets (a NoEcho parameter's value, the secret access key and session token) appear in no
//!   output of a local invoke;
//! - a template path leading out of the template's folder is refused by local invoke and deploy.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use samwise_e2e::dap_client::{DapClient, SocketAdapter, descendants, marker_line};
use samwise_e2e::lsp_client::{LspClient, editor_capabilities, file_uri, scratch_dir};
use serde_json::{Value, json};

fn fixtures() -> PathBuf {
    samwise_e2e::repo_root().join("tests/fixtures/security")
}

const DB_PASSWORD: &str = "noecho-db-password-7f3a";
const SECRET_KEY: &str = "secret-access-key-never-shown-91c2";
const SESSION_TOKEN: &str = "session-token-never-shown-5be0";

// ---------------------------------------------------------------------------------------------
// Listeners
// ---------------------------------------------------------------------------------------------

/// The socket inodes the processes hold open.
fn socket_inodes(pids: &[u32]) -> HashSet<String> {
    let mut out = HashSet::new();
    for pid in pids {
        for fd in std::fs::read_dir(format!("/proc/{pid}/fd")).into_iter().flatten().flatten() {
            let Ok(target) = std::fs::read_link(fd.path()) else { continue };
            let target = target.to_string_lossy().into_owned();
            if let Some(inode) = target.strip_prefix("socket:[").and_then(|s| s.strip_suffix(']')) {
                out.insert(inode.to_owned());
            }
        }
    }
    out
}

/// An address of /proc/net/tcp (`0100007F:1F90`, IPv4 in host byte order) or tcp6 (four
/// host-order words) as `ip:port`.
fn decode_address(hex: &str) -> String {
    let (ip, port) = hex.split_once(':').expect("ip:port");
    let port = u16::from_str_radix(port, 16).expect("hex port");
    let bytes: Vec<u8> = (0..ip.len())
        .step_by(8)
        .flat_map(|i| u32::from_str_radix(&ip[i..i + 8], 16).expect("hex word").to_le_bytes())
        .collect();
    let ip = match bytes.len() {
        4 => std::net::IpAddr::from([bytes[0], bytes[1], bytes[2], bytes[3]]),
        _ => std::net::IpAddr::from(<[u8; 16]>::try_from(bytes).expect("16 bytes")),
    };
    format!("{ip}:{port}")
}

/// The local addresses of the listening TCP sockets the processes hold.
fn listening_addresses(pids: &[u32]) -> Vec<String> {
    let tables: String =
        ["/proc/net/tcp", "/proc/net/tcp6"].map(|t| std::fs::read_to_string(t).unwrap_or_default()).concat();
    listening_in(&tables, &socket_inodes(pids))
}

/// The local addresses of the listening sockets in /proc/net/tcp{,6} text whose inode is in `inodes`.
fn listening_in(tables: &str, inodes: &HashSet<String>) -> Vec<String> {
    let mut out = Vec::new();
    for line in tables.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        // sl local rem st tx:rx tr:when retrnsmt uid timeout inode; 0A is LISTEN (headers never match).
        if fields.len() > 9 && fields[3] == "0A" && inodes.contains(fields[9]) {
            out.push(decode_address(fields[1]));
        }
    }
    out
}

/// An interpreter for `pythonPath` that, when started as the debuggee, first records the relay's
/// address, its parent's (the adapter's) open files and the TCP tables into `dir`: at that moment
/// the relay the debuggee is about to connect to is listening. The debuggee learns the relay from
/// `-m debugpy --connect ADDRESS` or from the runtime client's `_SAMWISE_DEBUGPY` variable.
fn snapshotting_python(dir: &Path) -> PathBuf {
    let path = dir.join("python");
    let d = dir.display();
    let script = format!(
        "#!/bin/sh\nrelay=$(echo \"$*\" | sed -n 's/.*--connect \\([^ ]*\\).*/\\1/p')\n\
         [ -n \"$_SAMWISE_DEBUGPY\" ] && relay=\"$_SAMWISE_DEBUGPY\"\n\
         if [ -n \"$relay\" ]; then\n  echo \"$relay\" > '{d}/relay'\n  ls -l /proc/$PPID/fd > '{d}/fds'\n  \
         cat /proc/net/tcp /proc/net/tcp6 > '{d}/tcp'\nfi\nexec '{}' \"$@\"\n",
        samwise_e2e::venv_python().display()
    );
    std::fs::write(&path, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
fn addresses_decode() {
    assert_eq!(decode_address("0100007F:1F90"), "127.0.0.1:8080");
    assert_eq!(decode_address("00000000:0050"), "0.0.0.0:80");
    assert_eq!(decode_address("00000000000000000000000001000000:0016"), "::1:22");
    assert_eq!(decode_address("0000000000000000FFFF00000100007F:0016"), "::ffff:127.0.0.1:22");
}

#[test]
fn every_listener_of_a_debug_session_binds_loopback_only() {
    let server = SocketAdapter::start();
    let server_pid = server.pid();
    let mut client = server.connect();
    let snapshot = scratch_dir("security-listeners");
    let code = fixtures().join("project/src");
    let app = code.join("app.py").canonicalize().unwrap();
    client.ok("initialize", json!({"clientID": "samwise-e2e", "adapterID": "samwise", "linesStartAt1": true}));
    let launch = client.send(
        "launch",
        json!({
            "invokeTarget": {"target": "code", "lambdaHandler": "app.handler", "projectRoot": code},
            "lambda": {"runtime": "python3.12", "payload": {"json": {}}},
            "pythonPath": snapshotting_python(&snapshot),
        }),
    );
    client.event("initialized");
    let line = marker_line(&app, "# BP: stop");
    client.ok("setBreakpoints", json!({"source": {"path": app}, "breakpoints": [{"line": line}]}));
    client.ok("configurationDone", json!({}));
    assert_eq!(client.response(launch)["success"], true, "{}", client.output());
    let stopped = client.event("stopped");
    assert_eq!(stopped["body"]["reason"], "breakpoint", "{stopped}");

    // Stopped in the handler: the adapter's own listener, the Runtime API the function polls, and
    // debugpy's adapter (listening for the debuggee) are all up.
    let mut pids = vec![server_pid];
    pids.extend(descendants(server_pid));
    let listening = listening_addresses(&pids);
    assert!(listening.len() >= 3, "expected the adapter's, the Runtime API's and debugpy's listeners: {listening:?}");
    let exposed: Vec<&String> = listening.iter().filter(|a| !a.starts_with("127.0.0.1:")).collect();
    assert!(exposed.is_empty(), "listeners not bound to 127.0.0.1: {exposed:?} (all: {listening:?})");
    assert!(listening.contains(&format!("127.0.0.1:{}", server.port)), "{listening:?}");

    // The relay the debuggee connects to (closed once it has): listening on 127.0.0.1 when the
    // debuggee started, like everything else the adapter held then.
    let read = |name: &str| std::fs::read_to_string(snapshot.join(name)).unwrap();
    let relay = read("relay");
    let relay = relay.trim();
    let inodes: HashSet<String> =
        read("fds").lines().filter_map(|l| l.split("socket:[").nth(1)?.strip_suffix(']').map(str::to_owned)).collect();
    let then = listening_in(&read("tcp"), &inodes);
    assert!(then.iter().any(|a| a == relay), "the relay {relay} was not listening: {then:?}");
    assert!(then.iter().all(|a| a.starts_with("127.0.0.1:")), "{then:?}");

    client.ok("continue", json!({"threadId": stopped["body"]["threadId"]}));
    client.event("terminated");
    client.ok("disconnect", json!({}));
}

// ---------------------------------------------------------------------------------------------
// Nothing runs on workspace open
// ---------------------------------------------------------------------------------------------

/// A workspace whose every way of running code leaves a marker in `markers/`: the configured
/// interpreter, `python`/`python3` first on PATH, and Python files that run when a Python started
/// in the project imports them.
struct Trapped {
    root: PathBuf,
    markers: PathBuf,
    bin: PathBuf,
    configured_python: PathBuf,
}

fn trapped_workspace(name: &str) -> Trapped {
    let root = scratch_dir(name);
    let markers = root.join("markers");
    let bin = root.join("bin");
    std::fs::create_dir_all(&markers).unwrap();
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::copy(fixtures().join("project/template.yaml"), root.join("template.yaml")).unwrap();
    std::fs::copy(fixtures().join("project/src/app.py"), root.join("src/app.py")).unwrap();
    std::fs::write(root.join("src/requirements.txt"), "boto3\n").unwrap();
    let script = |path: &Path, marker: &str| {
        // The configured interpreter answers like the real one after leaving its marker, so the
        // control case below sees the server use it.
        let text = format!(
            "#!/bin/sh\ntouch '{}'\nexec '{}' \"$@\"\n",
            markers.join(marker).display(),
            samwise_e2e::venv_python().display()
        );
        std::fs::write(path, text).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    };
    let configured_python = root.join("venv-python");
    script(&configured_python, "configured-python");
    script(&bin.join("python"), "python-on-path");
    script(&bin.join("python3"), "python3-on-path");
    let touch = |marker: &str| format!("open({:?}, 'w').close()\n", markers.join(marker).display().to_string());
    for (file, marker) in [
        ("sitecustomize.py", "sitecustomize"),
        ("usercustomize.py", "usercustomize"),
        ("botocore.py", "botocore-module"),
        ("src/boto3.py", "boto3-module"),
    ] {
        std::fs::write(root.join(file), touch(marker)).unwrap();
    }
    std::fs::write(root.join("trap.pth"), format!("import os; {}", touch("pth").trim_end())).unwrap();
    Trapped { root, markers, bin, configured_python }
}

impl Trapped {
    fn markers(&self) -> Vec<String> {
        let mut m: Vec<String> = std::fs::read_dir(&self.markers)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        m.sort();
        m
    }

    /// The server started in the workspace with the trap interpreters first on PATH.
    fn server(&self, settings: Value) -> LspClient {
        let mut cmd = Command::new(samwise_e2e::binary("samwise-lsp"));
        let path = format!("{}:{}", self.bin.display(), std::env::var("PATH").unwrap_or_default());
        cmd.current_dir(&self.root).env("PATH", path);
        let client = LspClient::spawn(cmd);
        client.set_configuration(settings.clone());
        client.initialize(editor_capabilities(true), settings, Some(&self.root));
        client
    }

    fn open(&self, client: &LspClient, rel: &str, language: &str) -> String {
        let path = self.root.join(rel);
        let uri = file_uri(&path);
        client.open(&uri, language, &std::fs::read_to_string(&path).unwrap());
        client.notification("textDocument/publishDiagnostics", |p| p["uri"] == uri.as_str());
        uri
    }
}

#[test]
fn opening_a_workspace_runs_nothing_from_it() {
    let ws = trapped_workspace("security-open");
    let settings = json!({"pythonPath": ws.configured_python});
    let client = ws.server(settings);
    let template = ws.open(&client, "template.yaml", "yaml");
    let app = ws.open(&client, "src/app.py", "python");

    let at = |uri: &str, line: u32, character: u32| json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}});
    // `return boto3.client("s3", ...).list_buckets()` is line 12.
    for (method, params) in [
        ("textDocument/completion", at(&app, 12, 55)),
        ("textDocument/hover", at(&app, 12, 22)),
        ("textDocument/signatureHelp", at(&app, 12, 30)),
        ("textDocument/completion", at(&template, 13, 16)),
        ("textDocument/hover", at(&template, 9, 12)),
        ("textDocument/codeLens", json!({"textDocument": {"uri": template}})),
        ("textDocument/documentSymbol", json!({"textDocument": {"uri": template}})),
        ("textDocument/documentSymbol", json!({"textDocument": {"uri": app}})),
        ("workspace/symbol", json!({"query": ""})),
    ] {
        let answer = client.request(method, params);
        assert!(answer.is_ok(), "{method}: {answer:?}");
    }
    client.shutdown();
    assert_eq!(ws.markers(), Vec::<String>::new(), "workspace code ran while the workspace was only read");
}

#[test]
fn prefer_installed_botocore_is_the_opt_in_that_runs_the_configured_interpreter() {
    // The control for the test above: with the setting on, the server runs `pythonPath` (and only
    // it: not python on PATH, and the project's own files are not imported).
    let ws = trapped_workspace("security-opt-in");
    let client = ws.server(json!({"pythonPath": ws.configured_python, "preferInstalledBotocore": true}));
    ws.open(&client, "src/app.py", "python");
    client.shutdown();
    assert_eq!(ws.markers(), ["configured-python"]);
}

// ---------------------------------------------------------------------------------------------
// Secrets
// ---------------------------------------------------------------------------------------------

fn assert_no_secret(what: &str, text: &str) {
    for secret in [DB_PASSWORD, SECRET_KEY, SESSION_TOKEN] {
        assert!(!text.contains(secret), "{what} shows the secret {secret:?}:\n{text}");
    }
}

fn invoke(template: &Path, extra: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(samwise_e2e::binary("samwise-dap"))
        .arg("invoke")
        .arg("--template")
        .arg(template)
        .args(["--function", "Fn", "--interpreter"])
        .arg(samwise_e2e::venv_python())
        .args(extra)
        .env("AWS_ACCESS_KEY_ID", "AKIDSECURITYTEST")
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .env("AWS_SESSION_TOKEN", SESSION_TOKEN)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_no_secret("invoke's stdout", &stdout);
    assert_no_secret("invoke's stderr", &stderr);
    (out.status.code(), stdout, stderr)
}

#[test]
fn local_invoke_never_shows_secrets() {
    let template = fixtures().join("project/template.yaml");
    let overrides = format!("DbPassword={DB_PASSWORD}");
    let (code, stdout, stderr) = invoke(&template, &["--parameter-overrides", &overrides]);
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    // The value reached the function (its length is returned), it just was not shown.
    assert!(stdout.contains(&format!("\"password_length\": {}", DB_PASSWORD.len())), "{stdout}\n{stderr}");

    // A failing run (an unknown parameter among the overrides, a missing event file) explains
    // itself without echoing the values.
    let overrides = format!("Unknown={DB_PASSWORD}");
    let (_, stdout, stderr) = invoke(&template, &["--parameter-overrides", &overrides, "--event", "/nonexistent.json"]);
    assert!(!stderr.trim().is_empty(), "{stdout}");
}

#[test]
fn a_debug_session_never_shows_secrets() {
    let mut client = DapClient::start(&samwise_e2e::binary("samwise-dap"), |cmd| {
        cmd.env("AWS_ACCESS_KEY_ID", "AKIDSECURITYTEST")
            .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
            .env("AWS_SESSION_TOKEN", SESSION_TOKEN)
            .stderr(Stdio::piped());
    });
    let stderr = client.child.as_mut().and_then(|c| c.stderr.take()).expect("piped stderr");
    let stderr = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    client.ok("initialize", json!({"clientID": "samwise-e2e", "adapterID": "samwise", "linesStartAt1": true}));
    // A launch the adapter refuses: the error names the field, not the value next to it.
    let refused = client.request(
        "launch",
        json!({
            "invokeTarget": {"target": "template", "templatePath": fixtures().join("project/template.yaml"), "logicalId": "Fn"},
            "sam": {"template": {"parameters": {"DbPassword": DB_PASSWORD}}},
            "lambda": {"environmentVariables": {"API_TOKEN": SESSION_TOKEN}, "memoryMb": "lots"},
            "pythonPath": samwise_e2e::venv_python(),
        }),
    );
    assert_eq!(refused["success"], false, "{refused}");
    assert_no_secret("the refused launch", &refused.to_string());

    // The function runs under the debugger with the NoEcho parameter and a secret variable.
    let launch = client.send(
        "launch",
        json!({
            "invokeTarget": {"target": "template", "templatePath": fixtures().join("project/template.yaml"), "logicalId": "Fn"},
            "sam": {"template": {"parameters": {"DbPassword": DB_PASSWORD}}},
            "lambda": {"environmentVariables": {"API_TOKEN": SESSION_TOKEN}, "payload": {"json": {}}},
            "pythonPath": samwise_e2e::venv_python(),
        }),
    );
    client.event("initialized");
    client.ok("configurationDone", json!({}));
    let response = client.response(launch);
    assert_eq!(response["success"], true, "{response}");
    let exited = client.event("exited");
    client.event("terminated");
    client.ok("disconnect", json!({}));
    let output = client.output();
    assert_eq!(exited["body"]["exitCode"], 0, "{output}");
    assert!(output.contains(&format!("\"password_length\": {}", DB_PASSWORD.len())), "{output}");
    let everything: String = client.events.iter().map(|e| e.to_string()).collect();
    assert_no_secret("the session's events", &everything);
    client.close();
    client.wait_exit();
    assert_no_secret("the adapter's stderr", &stderr.join().unwrap());
}

#[test]
fn deploy_never_shows_secrets() {
    let moto = samwise_e2e::moto::Moto::start();
    let dir = scratch_dir("security-deploy-secrets");
    std::fs::create_dir_all(dir.join("home")).unwrap();
    std::fs::write(
        dir.join("template.yaml"),
        "Parameters:\n  DbPassword:\n    Type: String\n    NoEcho: true\nResources:\n  Queue:\n    Type: AWS::SQS::Queue\n",
    )
    .unwrap();
    let mut cmd = Command::new(samwise_e2e::binary("samwise-lsp"));
    cmd.arg("deploy").arg("--template").arg(dir.join("template.yaml"));
    cmd.args([
        "--stack-name",
        "secrets",
        "--no-confirm",
        "--parameter-overrides",
        &format!("DbPassword={DB_PASSWORD}"),
    ]);
    moto.env_isolated(&mut cmd, &dir.join("home"));
    cmd.env("AWS_SECRET_ACCESS_KEY", SECRET_KEY).env("AWS_SESSION_TOKEN", SESSION_TOKEN).stdin(Stdio::null());
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert_no_secret("deploy's output", &format!("{stdout}{stderr}"));
    let saved = std::fs::read_to_string(dir.join("samconfig.toml")).unwrap_or_default();
    assert_no_secret("samconfig.toml", &saved);
}

// ---------------------------------------------------------------------------------------------
// Paths out of the project
// ---------------------------------------------------------------------------------------------

#[test]
fn local_invoke_refuses_code_outside_the_template_folder() {
    let (code, stdout, stderr) = invoke(&fixtures().join("escape/template.yaml"), &[]);
    assert_ne!(code, Some(0), "{stdout}\n{stderr}");
    assert!(stderr.contains("CodeUri '../project/src' leads outside the template's folder"), "{stdout}\n{stderr}");
    assert!(!stdout.contains("password_length"), "the function ran: {stdout}");
}

#[test]
fn deploy_refuses_code_outside_the_template_folder_before_uploading() {
    let home = scratch_dir("security-deploy-home");
    let template = fixtures().join("escape/template.yaml");
    let out = Command::new(samwise_e2e::binary("samwise-lsp"))
        .arg("deploy")
        .arg("--template")
        .arg(&template)
        .args(["--stack-name", "escape", "--s3-bucket", "bucket", "--region", "us-east-1", "--no-confirm"])
        .env("HOME", &home)
        .env("AWS_CONFIG_FILE", home.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("credentials"))
        .env("AWS_ACCESS_KEY_ID", "AKIDSECURITYTEST")
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .env("AWS_SESSION_TOKEN", SESSION_TOKEN)
        // Nothing listens here: a request would fail with "cannot reach", not with the refusal.
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_no_secret("deploy's output", &format!("{stdout}{stderr}"));
    assert_ne!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("Fn.CodeUri: the path \"../project/src\" leads outside the project directory"),
        "{stdout}\n{stderr}"
    );
    assert!(!stderr.contains("cannot reach"), "deploy contacted the endpoint first:\n{stderr}");
    assert!(!fixtures().join("escape/samconfig.toml").exists(), "a refused deploy wrote samconfig.toml");
}
