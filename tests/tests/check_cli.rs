//! `samwise-lsp check` end to end: the three output formats, the exit codes, directory search, and
//! bad input (binary, huge, deeply nested, alias bombs, invalid UTF-8, empty, `Resources:` without a
//! value) — each a clear message or diagnostic, never a panic, in bounded time.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use samwise_e2e::{binary, repo_root};

fn check(args: &[&str]) -> Output {
    let out = Command::new(binary("samwise-lsp")).arg("check").args(args).current_dir(repo_root()).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    out
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("samwise-check-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const BROKEN: &str = "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketNam: x\n";

fn write(dir: &Path, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn the_example_project_is_clean() {
    let o = check(&["examples/parameter-store"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(stdout(&o), "");
    assert!(stderr(&o).contains("checked 1 template(s): 0 error(s)"), "{}", stderr(&o));
}

#[test]
fn text_format_and_exit_status_one_on_errors() {
    let dir = temp_dir("text");
    let p = write(&dir, "template.yaml", BROKEN);
    let o = check(&[p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let line = stdout(&o);
    assert_eq!(
        line.trim_end(),
        format!("{}:6:7: error SW2002 unknown property 'BucketNam'; did you mean 'BucketName'?", p.display())
    );
}

#[test]
fn json_format_has_lsp_ranges() {
    let dir = temp_dir("json");
    let p = write(
        &dir,
        "t.json",
        r#"{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"B": {"Type": "AWS::S3::Bucke"}}}"#,
    );
    let o = check(&["--format", "json", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let items = v.as_array().unwrap();
    assert_eq!(items.len(), 1, "{v:#}");
    let d = &items[0];
    assert_eq!(d["path"], p.display().to_string());
    assert_eq!(d["severity"], "error");
    assert_eq!(d["code"], "SW2001");
    assert_eq!(d["source"], "samwise");
    // The range is the type name inside its quotes.
    assert_eq!(d["range"]["start"], serde_json::json!({"line": 0, "character": 72}));
    assert_eq!(d["range"]["end"], serde_json::json!({"line": 0, "character": 86}));
    assert!(d["message"].as_str().unwrap().contains("AWS::S3::Bucket"), "{}", d["message"]);
}

#[test]
fn sarif_format_is_sarif_2_1_0_with_rules() {
    let dir = temp_dir("sarif");
    let p = write(&dir, "template.yaml", BROKEN);
    let o = check(&["--format=sarif", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "samwise");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["id"] == "SW2002"));
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "SW2002");
    assert_eq!(result["level"], "error");
    assert_eq!(result["locations"][0]["physicalLocation"]["region"]["startLine"], 6);
    assert_eq!(result["locations"][0]["physicalLocation"]["region"]["startColumn"], 7);
}

#[test]
fn directories_are_searched_for_templates_only() {
    let dir = temp_dir("dir");
    write(&dir, "template.yaml", BROKEN);
    write(&dir, "docker-compose.yml", "services:\n  web:\n    image: nginx\n    ports: [80, : ]\n");
    write(&dir, "package.json", "{\"name\": \"x\", }");
    std::fs::create_dir_all(dir.join("node_modules/pkg")).unwrap();
    write(&dir.join("node_modules/pkg"), "template.yaml", BROKEN);
    let o = check(&[dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains("template.yaml:6:7"), "{out}");
    assert!(stderr(&o).contains("checked 1 template(s)"), "{}", stderr(&o));
}

#[test]
fn usage_errors_and_missing_files_exit_two() {
    let o = check(&[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no PATH given"), "{}", stderr(&o));
    let o = check(&["--format", "xml", "x.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown format 'xml'"), "{}", stderr(&o));
    let o = check(&["examples/parameter-store/template.yaml", "no/such/template.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read no/such/template.yaml: no such file or directory"), "{}", stderr(&o));
    let o = check(&["--data-dir", "/nonexistent-dir", "examples/parameter-store"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("/nonexistent-dir/cfn.bin"), "{}", stderr(&o));
}

#[test]
fn binary_invalid_utf8_and_empty_files() {
    let dir = temp_dir("bad");
    let bin = write(&dir, "blob.yaml", [0u8, 1, 2, 3, 0, 255, 254]);
    let o = check(&[bin.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is a binary file, not a template"), "{}", stderr(&o));

    let latin1 =
        write(&dir, "latin1.yaml", b"AWSTemplateFormatVersion: \"2010-09-09\"\nDescription: caf\xe9\n".as_slice());
    let o = check(&[latin1.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains(":2:17: error SW0002 the file is not valid UTF-8 (byte 55)"), "{}", stdout(&o));

    let empty = write(&dir, "empty.yaml", "");
    let o = check(&[empty.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("not a CloudFormation/SAM template"), "{}", stderr(&o));

    let no_value = write(&dir, "novalue.yaml", "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n");
    let o = check(&[no_value.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains(":2:1: error SW2012 Resources is empty"), "{}", stdout(&o));
}

#[test]
fn huge_files_are_reported_from_their_size() {
    let dir = temp_dir("huge");
    let p = dir.join("huge.yaml");
    let f = std::fs::File::create(&p).unwrap();
    f.set_len(50 * 1024 * 1024).unwrap();
    let start = Instant::now();
    let o = check(&[p.to_str().unwrap()]);
    assert!(start.elapsed() < Duration::from_secs(20));
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("error SW0003 file is 52.4 MB"), "{}", stdout(&o));
    let _ = std::fs::remove_file(&p);
}

#[test]
fn deep_nesting_and_alias_bombs_stay_bounded() {
    let dir = temp_dir("bombs");
    let mut nested = String::from(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags: ",
    );
    nested.push_str(&"[".repeat(10_000));
    nested.push_str(&"]".repeat(10_000));
    nested.push('\n');
    let p = write(&dir, "nested.yaml", &nested);
    let o = check(&[p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("SW1003 nesting deeper than 256 levels"), "{}", stdout(&o));

    // Billion laughs: 10 aliases per level, 9 levels = 10^9 nodes if expanded.
    let mut bomb = String::from(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nMetadata:\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for i in 1..10 {
        bomb.push_str(&format!("  a{i}: &a{i} [{}]\n", vec![format!("*a{}", i - 1); 10].join(", ")));
    }
    bomb.push_str(
        "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags: *a9\n      BucketName: *a9\n",
    );
    let p = write(&dir, "bomb.yaml", &bomb);
    let start = Instant::now();
    let o = check(&[p.to_str().unwrap()]);
    let took = start.elapsed();
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    // A generous bound for a shared, loaded machine: expanding the bomb would take hours.
    assert!(took < Duration::from_secs(10), "{took:?}");
}
