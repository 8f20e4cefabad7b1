//! `prow serve --components hook` and `prow phony` together, as processes: a valid signed
//! payload gets 200, a wrong key 403, and the intake counts what it accepted.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

struct Server {
    child: Child,
    address: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("config")
}

fn start(secret_file: &Path) -> Server {
    let config = example();
    let mut child = Command::new(env!("CARGO_BIN_EXE_prow"))
        .args([
            "serve",
            "--components",
            "hook",
            "--port",
            "0",
            "--bind",
            "127.0.0.1",
        ])
        .arg("--hmac-secret-file")
        .arg(secret_file)
        .arg("--config-path")
        .arg(config.join("config.yaml"))
        .arg("--job-config-path")
        .arg(config.join("jobs"))
        .arg("--plugin-config")
        .arg(config.join("plugins.yaml"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start prow serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .expect("read the listening line");
    let address = line
        .trim()
        .strip_prefix("prow serve: hook listening on http://")
        .and_then(|rest| rest.strip_suffix("/hook"))
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    Server { child, address }
}

fn phony(server: &Server, key: &str, payload: &Path) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_prow"))
        .args(["phony", "--event", "issue_comment", "--hmac", key])
        .arg("--address")
        .arg(format!("http://{}/hook", server.address))
        .arg("--payload")
        .arg(payload)
        .output()
        .expect("run prow phony");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
    )
}

fn get(server: &Server, path: &str) -> String {
    let mut stream = TcpStream::connect(&server.address).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        server.address
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn phony_against_a_running_intake() {
    let dir = std::env::temp_dir().join(format!("prow-serve-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let secret = dir.join("hmac");
    std::fs::write(&secret, "s3cret-token\n").unwrap();
    let payload = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../prow-core/tests/fixtures/events/issue_comment.created.json");

    let server = start(&secret);
    assert!(get(&server, "/healthz").ends_with("OK"));

    let (code, out) = phony(&server, "s3cret-token", &payload);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(out, "200 Event received. Have a nice day.");

    let (code, out) = phony(&server, "wrong-key", &payload);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.starts_with("403 "), "{out}");

    let metrics = get(&server, "/metrics");
    assert!(
        metrics.contains("prow_webhook_counter{event_type=\"issue_comment\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("prow_webhook_response_codes{response_code=\"403\"} 1"),
        "{metrics}"
    );
    drop(server);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn serve_refuses_a_component_it_does_not_have() {
    let config = example();
    let out = Command::new(env!("CARGO_BIN_EXE_prow"))
        .args(["serve", "--components", "hook,tide", "--port", "0"])
        .arg("--config-path")
        .arg(config.join("config.yaml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("component \"tide\" is not available yet")
    );
}

#[test]
fn phony_reports_an_unreachable_hook() {
    let out = Command::new(env!("CARGO_BIN_EXE_prow"))
        .args(["phony", "--address", "http://127.0.0.1:9/hook"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("could not connect"));
}
