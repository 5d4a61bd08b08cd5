//! `samwise-dap invoke`: runs one function of a SAM template locally and prints its response.
//!
//! Conversion only: flags and files in, [`samwise_runtime`] does the work, JSON and log lines out.

use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use samwise_runtime::environment::{EnvVarsFile, parse_parameter_overrides};
use samwise_runtime::{InvokeError, InvokeResult, LaunchOptions, OutputLine, template};

use super::usage_error;

#[derive(Default)]
struct Args {
    template: Option<PathBuf>,
    function: Option<String>,
    event: Option<PathBuf>,
    env_vars: Option<PathBuf>,
    overrides: Vec<String>,
    interpreter: Option<PathBuf>,
    region: Option<String>,
}

fn parse(args: Vec<OsString>) -> Result<Args, lexopt::Error> {
    use lexopt::prelude::*;
    let mut out = Args::default();
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = parser.next()? {
        match arg {
            Short('t') | Long("template") | Long("template-file") => out.template = Some(parser.value()?.into()),
            Short('f') | Long("function") => out.function = Some(parser.value()?.string()?),
            Short('e') | Long("event") => out.event = Some(parser.value()?.into()),
            Short('n') | Long("env-vars") => out.env_vars = Some(parser.value()?.into()),
            Long("parameter-overrides") => {
                for value in parser.values()? {
                    out.overrides.push(value.string()?);
                }
            }
            Long("interpreter") => out.interpreter = Some(parser.value()?.into()),
            Long("region") => out.region = Some(parser.value()?.string()?),
            // `sam local invoke` takes the function as a positional argument; accept that too.
            Value(v) if out.function.is_none() => out.function = Some(v.string()?),
            _ => return Err(arg.unexpected()),
        }
    }
    Ok(out)
}

pub fn run(raw: Vec<OsString>) -> ExitCode {
    let args = match parse(raw) {
        Ok(a) => a,
        Err(e) => return usage_error(&format!("invoke: {e}")),
    };
    let template_path = match args.template.clone().or_else(default_template) {
        Some(p) => p,
        None => return usage_error("invoke: no --template given and no template.yaml here"),
    };
    let text = match std::fs::read_to_string(&template_path) {
        Ok(t) => t,
        Err(e) => return usage_error(&format!("cannot read template {}: {e}", template_path.display())),
    };
    let overrides = match parse_parameter_overrides(&args.overrides) {
        Ok(o) => o,
        Err(e) => return usage_error(&format!("--parameter-overrides: {e}")),
    };
    let region = args
        .region
        .clone()
        .or_else(|| std::env::var("AWS_REGION").ok().filter(|r| !r.is_empty()))
        .or_else(|| std::env::var("AWS_DEFAULT_REGION").ok().filter(|r| !r.is_empty()))
        .unwrap_or_else(|| "us-east-1".to_owned());
    let functions = match template::functions(&template_path, &text, &overrides, &region) {
        Ok(f) => f,
        Err(e) => return usage_error(&e),
    };

    let chosen = match &args.function {
        Some(id) => id.clone(),
        None if functions.names().len() == 1 => functions.names()[0].to_owned(),
        None => {
            return usage_error(&function_list(
                "the template has several functions; choose one with --function",
                &functions,
            ));
        }
    };
    if let Some(bad) = functions.unrunnable.iter().find(|u| u.logical_id == chosen) {
        return usage_error(&format!("function {chosen} cannot run locally: {}", bad.reason));
    }
    let Some(function) = functions.runnable.iter().find(|f| f.logical_id == chosen) else {
        return usage_error(&function_list(
            &format!("no function `{chosen}` in {}", template_path.display()),
            &functions,
        ));
    };
    let mut config = function.config.clone();
    let mut warnings = function.warnings.clone();
    if let Some(path) = &args.env_vars {
        let file = match std::fs::read_to_string(path).map_err(|e| e.to_string()).and_then(|t| EnvVarsFile::parse(&t)) {
            Ok(f) => f,
            Err(e) => return usage_error(&format!("--env-vars {}: {e}", path.display())),
        };
        warnings.extend(file.apply(&chosen, &mut config.env));
    }
    config.interpreter = args.interpreter.clone();
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    let event = match read_event(args.event.as_deref()) {
        Ok(e) => e,
        Err(e) => return usage_error(&e),
    };

    let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("samwise-dap: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    rt.block_on(invoke(config, event))
}

async fn invoke(config: samwise_runtime::FunctionConfig, event: Vec<u8>) -> ExitCode {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<OutputLine>();
    let printer = tokio::spawn(async move {
        // Logs go to stderr line by line as they arrive, function output and Lambda's lines alike.
        while let Some(line) = rx.recv().await {
            let _ = writeln!(std::io::stderr().lock(), "{}", line.text);
        }
    });
    let options = LaunchOptions { output: Some(tx), ..LaunchOptions::default() };
    let running = match samwise_runtime::start(config, event, options).await {
        Ok(r) => r,
        Err(InvokeError::EventTooLarge(size)) => {
            let payload = format!(
                r#"{{"errorMessage": "Request must be smaller than {} bytes for the InvokeFunction operation (the event is {size} bytes)", "errorType": "RequestEntityTooLargeException"}}"#,
                samwise_runtime::api::MAX_PAYLOAD
            );
            println!("{payload}");
            return ExitCode::from(1);
        }
        Err(e) => return usage_error(&e.to_string()),
    };
    let handle = running.handle();
    let outcome = tokio::select! {
        outcome = running.wait() => outcome,
        _ = tokio::signal::ctrl_c() => {
            // The function runs in its own process group, so the terminal's SIGINT reached only us:
            // cancelling (and dropping the invocation) kills the function's processes.
            handle.cancel();
            eprintln!("samwise-dap: interrupted; the function's processes were ended");
            return ExitCode::from(130);
        }
    };
    let _ = printer.await;
    if let Some(payload) = outcome.result.payload() {
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(payload);
        let _ = stdout.write_all(b"\n");
    }
    match outcome.result {
        InvokeResult::Response(_) => ExitCode::SUCCESS,
        InvokeResult::Cancelled => ExitCode::from(130),
        _ => ExitCode::from(1),
    }
}

fn default_template() -> Option<PathBuf> {
    ["template.yaml", "template.yml", "template.json"].into_iter().map(PathBuf::from).find(|p| p.is_file())
}

fn read_event(path: Option<&Path>) -> Result<Vec<u8>, String> {
    match path {
        None => Ok(b"{}".to_vec()),
        Some(p) if p == Path::new("-") => {
            let mut buf = Vec::new();
            std::io::stdin().read_to_end(&mut buf).map_err(|e| format!("cannot read the event from stdin: {e}"))?;
            Ok(buf)
        }
        Some(p) => std::fs::read(p).map_err(|e| format!("cannot read event file {}: {e}", p.display())),
    }
}

fn function_list(message: &str, functions: &template::Functions) -> String {
    let mut out = format!("{message}\nfunctions in the template:");
    for f in &functions.runnable {
        out.push_str(&format!("\n  {} ({}, {})", f.logical_id, f.config.runtime, f.config.handler));
    }
    for u in &functions.unrunnable {
        out.push_str(&format!("\n  {} (cannot run locally: {})", u.logical_id, u.reason));
    }
    if functions.names().is_empty() {
        out.push_str("\n  (none: the template has no AWS::Serverless::Function)");
    }
    out
}
