//! `prow simulator` as a process: seeded from the documented example seed, serving GitHub's
//! REST API on loopback, and delivering its signed webhooks to a running `prow serve` hook.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Running {
    child: Child,
    address: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `prow <args>` and reads the address from its first line, after `marker`.
fn start(args: &[String], marker: &str) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_prow"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start prow");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let address = line
        .trim()
        .strip_prefix(marker)
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .trim_end_matches("/hook")
        .to_string();
    Running { child, address }
}

fn request(address: &str, method: &str, path: &str, body: &str) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: token anything\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

fn path(p: &Path) -> String {
    p.display().to_string()
}

#[test]
fn simulator_serves_the_api_and_delivers_signed_webhooks_to_the_hook() {
    let dir = std::env::temp_dir().join(format!("prow-simulator-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let secret = dir.join("hmac");
    std::fs::write(&secret, "shared-secret\n").unwrap();
    let config: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    let seed =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../prow-github/simulator-seed.example.yaml");

    let hook = start(
        &[
            "serve".into(),
            "--components".into(),
            "hook".into(),
            "--port".into(),
            "0".into(),
            "--bind".into(),
            "127.0.0.1".into(),
            "--hmac-secret-file".into(),
            path(&secret),
            "--config-path".into(),
            path(&config.join("config.yaml")),
        ],
        "prow serve: hook listening on ",
    );
    let github = start(
        &[
            "simulator".into(),
            "--port".into(),
            "0".into(),
            "--seed".into(),
            path(&seed),
            "--hook-url".into(),
            format!("http://{}/hook", hook.address),
            "--hmac-secret-file".into(),
            path(&secret),
        ],
        "prow simulator: GitHub API at ",
    );

    // The seeded world is there.
    let pr = request(
        &github.address,
        "GET",
        "/repos/kubernetes/test-infra/pulls/1",
        "",
    );
    assert!(pr.starts_with("HTTP/1.1 200"), "{pr}");
    assert!(pr.contains("\"title\":\"Add a unit test\""), "{pr}");

    // A comment through the API becomes a signed issue_comment webhook the hook accepts.
    let created = request(
        &github.address,
        "POST",
        "/repos/kubernetes/test-infra/issues/1/comments",
        r#"{"body":"/hold"}"#,
    );
    assert!(created.starts_with("HTTP/1.1 201"), "{created}");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let metrics = request(&hook.address, "GET", "/metrics", "");
        if metrics.contains("prow_webhook_counter{event_type=\"issue_comment\"} 1") {
            assert!(!metrics.contains("response_code=\"403\""), "{metrics}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the webhook never reached the hook: {metrics}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(github);
    drop(hook);
    std::fs::remove_dir_all(&dir).unwrap();
}
