//! Smoke test with Neovim's built-in LSP client (Debian's neovim 0.7): `tests/nvim/smoke.lua` opens a
//! template, waits for its diagnostics, asks for completions and prints what it got. This checks that
//! a client other than our own test client (and other than VS Code) can use the server.
//!
//! Needs `nvim` on PATH (CI installs it: `apt-get install -y neovim`); without it the test prints
//! why it did nothing and passes.

use std::process::Command;

use samwise_e2e::lsp_client::scratch_dir;

const TEMPLATE: &str = "\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      
  Broken: [
";

#[test]
fn neovim_gets_diagnostics_and_completions_from_the_server() {
    if Command::new("nvim").arg("--version").output().is_err() {
        println!("SKIPPED: `nvim` is not installed (apt-get install -y neovim); the Neovim smoke test did not run");
        return;
    }
    let dir = scratch_dir("nvim");
    let template = dir.join("template.yaml");
    std::fs::write(&template, TEMPLATE).unwrap();
    let script = samwise_e2e::repo_root().join("tests/nvim/smoke.lua");
    // The cursor sits on the empty line under `Properties:` (1-based row, 0-based byte column).
    let out = Command::new("nvim")
        .args(["--headless", "-u", "NONE", "-i", "NONE", "-n", "-c"])
        .arg(format!("luafile {}", script.display()))
        .env("SAMWISE_LSP", samwise_e2e::binary("samwise-lsp"))
        .env("SAMWISE_TEMPLATE", &template)
        .env("SAMWISE_CURSOR", "8,6")
        .env("XDG_STATE_HOME", dir.join("state"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .output()
        .expect("nvim runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "nvim failed ({}):\n{stdout}\n{stderr}", out.status);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.contains(&"server: samwise-lsp"), "{stdout}");
    // Neovim 0.7 predates positionEncodings, so it gets the protocol's default.
    assert!(lines.contains(&"encoding: utf-16"), "{stdout}");
    assert!(lines.contains(&"completion provider: true"), "{stdout}");
    // The unclosed `[` on line 9 is a syntax error, reported at its 1-based line:column.
    assert!(lines.iter().any(|l| l.starts_with("diagnostic: 9:11 SW1001 ")), "{stdout}");
    assert!(lines.iter().any(|l| l.starts_with("completion: ")), "{stdout}");
    // Under `Properties:` of a function: its property names.
    assert!(lines.contains(&"label: Runtime"), "{stdout}");
    assert_eq!(lines.last(), Some(&"done"), "{stdout}");
    std::fs::remove_dir_all(dir).unwrap();
}
