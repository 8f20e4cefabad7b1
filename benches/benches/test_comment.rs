//! `/test` latency: a signed `issue_comment` webhook with `/test bench` is POSTed to `prow serve`
//! (hook + plank, the SQLite store, the local executor, the GitHub simulator over HTTP with the
//! octocrab client); the time is measured until the job's process has started (it writes the
//! wall clock as its first act). One comment at a time, 1,000 times; p50, p99 and max.
//!
//! The floor printed beside it: the same webhook POSTed to a hook whose sink does nothing (the
//! HTTP + HMAC + parse share), and a bare spawn of the same process.
//!
//! Run with `cargo bench -p prow-benches --bench test_comment -- [--comments N]`.

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::Parser;
use prow_benches::ms;
use prow_core::github::{Permission, RepoName};
use prow_github::hook::payload_signature;
use prow_github::simulator::{Files, SimWebhook, Simulator, SimulatorServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const SECRET: &str = "bench-secret";

#[derive(Parser)]
struct Serve {
    #[command(flatten)]
    args: prow::serve::Args,
}

fn comments() -> usize {
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        if arg == "--comments" {
            return it
                .next()
                .and_then(|n| n.parse().ok())
                .expect("--comments N");
        }
    }
    1_000
}

fn now_micros() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_micros()
}

/// POSTs `hook` to `url` signed, and returns the status line.
async fn post(address: SocketAddr, hook: &SimWebhook) -> String {
    let body = hook.body();
    let signature = payload_signature(&body, SECRET.as_bytes());
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.set_nodelay(true).unwrap();
    let head = format!(
        "POST /hook HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nX-GitHub-Event: {}\r\nX-GitHub-Delivery: {}\r\nX-Hub-Signature-256: {signature}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        hook.event_type,
        hook.delivery_id,
        body.len()
    );
    let mut request = head.into_bytes();
    request.extend_from_slice(&body);
    stream.write_all(&request).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    String::from_utf8_lossy(&response)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

/// Waits until `marker` has `lines` lines; returns the last one.
async fn wait_for_line(marker: &Path, lines: usize) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(text) = std::fs::read_to_string(marker) {
            let all: Vec<&str> = text.lines().collect();
            if all.len() >= lines {
                return all[lines - 1].to_owned();
            }
        }
        assert!(Instant::now() < deadline, "the job never started");
        tokio::time::sleep(Duration::from_micros(200)).await;
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let comments = comments();
    // Warnings and errors only, unless RUST_LOG says otherwise.
    prow::logging::init(prow::logging::LogFormat::Text, "warn");
    let sim = Simulator::new(Simulator::DEFAULT_BOT);
    let repo = RepoName::new("org", "repo");
    sim.add_org("org");
    sim.add_org_member("org", "alice", false).unwrap();
    sim.create_repo(&repo, "master", Files::new().put("README.md", "# repo\n"))
        .unwrap();
    sim.add_collaborator(&repo, "alice", Permission::Write)
        .unwrap();
    let pr = sim
        .open_pull_request(
            &repo,
            "alice",
            "Change",
            "",
            "change",
            Files::new().put("a.txt", "a\n"),
        )
        .unwrap();
    let server = SimulatorServer::start(sim.clone(), SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("started");
    let config = write(
        dir.path(),
        "config.yaml",
        r#"prowjob_namespace: default
plank:
  job_url_prefix_config:
    '*': https://prow.example.com/view/
  default_decoration_configs:
    '*':
      utility_images:
        clonerefs: clonerefs:bench
        initupload: initupload:bench
        entrypoint: entrypoint:bench
        sidecar: sidecar:bench
      gcs_configuration:
        bucket: bench
        path_strategy: explicit
      gcs_credentials_secret: gcs
"#,
    );
    let jobs = write(
        dir.path(),
        "jobs.yaml",
        &format!(
            r#"presubmits:
  org/repo:
  - name: bench
    always_run: false
    decorate: true
    decoration_config:
      skip_cloning: true
    spec:
      containers:
      - image: none
        command: ["/bin/bash", "-c", "echo $EPOCHREALTIME >> {}"]
"#,
            marker.display()
        ),
    );
    let plugins = write(
        dir.path(),
        "plugins.yaml",
        "plugins:\n  org/repo:\n    plugins: [trigger]\n",
    );
    let hmac = write(dir.path(), "hmac", SECRET);
    let token = write(dir.path(), "token", "bench-token");
    let db = format!("sqlite:{}", dir.path().join("prow.db").display());
    let workspaces = dir.path().join("workspaces").display().to_string();
    let base_url = server.base_url();
    let serve = Serve::parse_from([
        "serve",
        "--components",
        "hook,plank",
        "--port",
        "0",
        "--bind",
        "127.0.0.1",
        "--hmac-secret-file",
        &hmac,
        "--config-path",
        &config,
        "--job-config-path",
        &jobs,
        "--plugin-config",
        &plugins,
        "--store",
        &db,
        "--workspace-dir",
        &workspaces,
        "--github-endpoint",
        &base_url,
        "--github-token-path",
        &token,
    ]);
    let (ready, listening) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let until = std::future::pending::<()>();
        let announce = |serving: prow::serve::Serving| {
            let _ = ready.send(serving.address);
        };
        if let Err(e) = prow::serve::run_until(&serve.args, Vec::new(), until, announce).await {
            eprintln!("prow serve failed: {e:#}");
            std::process::exit(1);
        }
    });
    let address = listening.await.expect("prow serve started");

    let mut hooks = sim.subscribe();
    let mut latencies = Vec::with_capacity(comments);
    let mut acks = Vec::with_capacity(comments);
    let started = Instant::now();
    for i in 0..comments {
        sim.comment_as("alice", &repo, pr, "/test bench").unwrap();
        let hook = loop {
            let hook = hooks.recv().await.unwrap();
            if hook.event_type == "issue_comment" {
                break hook;
            }
        };
        let sent = now_micros();
        let t0 = Instant::now();
        let status = post(address, &hook).await;
        acks.push(t0.elapsed());
        assert!(status.contains(" 200 "), "the hook answered {status}");
        let line = wait_for_line(&marker, i + 1).await;
        let (secs, micros) = line.trim().split_once(['.', ',']).expect("EPOCHREALTIME");
        let process = secs.parse::<u128>().unwrap() * 1_000_000 + micros.parse::<u128>().unwrap();
        latencies.push(Duration::from_micros(process.saturating_sub(sent) as u64));
        // The bot's replies and labels are not part of the measure.
        while hooks.try_recv().is_ok() {}
    }
    let wall = started.elapsed();

    // The floor: a bare spawn of the same process.
    let mut spawns = Vec::with_capacity(200);
    let floor_marker = dir.path().join("floor");
    for i in 0..200 {
        let sent = now_micros();
        tokio::process::Command::new("/bin/bash")
            .args([
                "-c",
                &format!("echo $EPOCHREALTIME >> {}", floor_marker.display()),
            ])
            .spawn()
            .unwrap();
        let line = wait_for_line(&floor_marker, i + 1).await;
        let (secs, micros) = line.trim().split_once(['.', ',']).unwrap();
        let process = secs.parse::<u128>().unwrap() * 1_000_000 + micros.parse::<u128>().unwrap();
        spawns.push(Duration::from_micros(process.saturating_sub(sent) as u64));
    }

    latencies.sort();
    acks.sort();
    spawns.sort();
    println!(
        "/test comment -> job process started ({comments} comments, one at a time; hook + plank, SQLite store, local executor, simulator over HTTP)"
    );
    println!(
        "  latency: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms   (target p50 <= 50 ms)",
        ms(percentile(&latencies, 0.5)),
        ms(percentile(&latencies, 0.99)),
        ms(*latencies.last().unwrap())
    );
    println!(
        "  hook's 200 reply: p50 {:.2} ms, p99 {:.2} ms",
        ms(percentile(&acks, 0.5)),
        ms(percentile(&acks, 0.99))
    );
    println!(
        "  floor, a bare spawn of the same process: p50 {:.1} ms, p99 {:.1} ms",
        ms(percentile(&spawns, 0.5)),
        ms(percentile(&spawns, 0.99))
    );
    println!("  wall time {:.1} s", wall.as_secs_f64());
    std::process::exit(0);
}
