//! The embedded models against the botocore installed in the test virtualenv (the same 1.44.8):
//! botocore's own `xform_name` for every operation, and the "use the workspace's botocore" source
//! (`BotocoreModels::from_botocore_data_dir`) giving the same models as the embedded data.

mod common;

use std::path::PathBuf;
use std::process::Command;

use samwise_boto::{BotocoreModels, installed_botocore_data_dir};

fn venv_python() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python");
    assert!(
        p.exists(),
        "{} is missing: run scripts/test-env.sh to create the test virtualenv (botocore 1.44.8)",
        p.display()
    );
    p
}

#[test]
fn method_names_match_botocore_xform_name_for_every_operation() {
    let models = common::models();
    let mut api = Vec::new();
    let mut ours = Vec::new();
    for s in models.services() {
        let m = models.service(&s.name).unwrap();
        for op in &m.operations {
            api.push(op.name.clone());
            ours.push(op.python_name.clone());
        }
    }
    assert!(api.len() > 15_000, "only {} operations", api.len());
    let dir = std::env::temp_dir().join(format!("samwise-boto-xform-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("names.txt");
    std::fs::write(&input, api.join("\n")).unwrap();
    let out = Command::new(venv_python())
        .args([
            "-c",
            "import sys, botocore\nfor n in open(sys.argv[1]).read().split('\\n'): print(botocore.xform_name(n))",
        ])
        .arg(&input)
        .output()
        .expect("python runs");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let theirs: Vec<String> = String::from_utf8(out.stdout).unwrap().lines().map(str::to_owned).collect();
    assert_eq!(theirs.len(), api.len());
    let diffs: Vec<String> = api
        .iter()
        .zip(ours.iter().zip(&theirs))
        .filter(|(_, (o, t))| o != t)
        .map(|(a, (o, t))| format!("{a}: ours {o}, botocore {t}"))
        .collect();
    assert!(diffs.is_empty(), "{} differences:\n{}", diffs.len(), diffs.join("\n"));
}

#[test]
fn installed_botocore_gives_the_embedded_models() {
    let dir = installed_botocore_data_dir(&venv_python()).expect("the venv has botocore");
    let installed = BotocoreModels::from_botocore_data_dir(&dir).expect("data dir opens");
    let embedded = common::models();
    assert_eq!(installed.services().len(), embedded.services().len());
    for name in ["ssm", "s3", "dynamodb", "sqs", "ec2", "storagegateway"] {
        let a = installed.service(name).unwrap();
        let b = embedded.service(name).unwrap();
        assert_eq!(a.api_version, b.api_version, "{name}");
        let names = |m: &samwise_data::botocore::ServiceModel| {
            m.operations.iter().map(|o| (o.python_name.clone(), o.input, o.doc.clone())).collect::<Vec<_>>()
        };
        assert_eq!(names(&a), names(&b), "{name}");
        assert_eq!(a.shapes.len(), b.shapes.len(), "{name}");
        assert_eq!(a.paginators, b.paginators, "{name}");
    }
    assert!(installed.resources("dynamodb").is_some(), "resource models still come from the embedded data");
    let err = BotocoreModels::from_botocore_data_dir(&std::env::temp_dir().join("no-such-botocore")).unwrap_err();
    assert!(err.contains("cannot read"), "{err}");
}
