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
