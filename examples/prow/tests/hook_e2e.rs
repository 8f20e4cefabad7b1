//! The hook end to end: the GitHub simulator over HTTP delivers signed webhooks to a running
//! `prow serve --components hook`, whose dispatcher runs `lgtm`, `hold` and `size`, which
//! answer through the octocrab client back to the simulator. The simulator's call log must
//! hold exactly what upstream Prow would have done, and nothing else.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use prow_core::github::{Permission, RepoName};
use prow_github::simulator::{
    Action, Call, Files, HookTarget, Simulator, SimulatorServer, WebhookDeliverer,
};

const SECRET: &str = "e2e-secret";

struct Serve(Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `prow serve --components hook` against the simulator; returns it and its hook URL.
fn start_hook(dir: &Path, github: &str) -> (Serve, String) {
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let hmac = write("hmac", SECRET);
    let token = write("token", "bot-token");
    let config = write("config.yaml", "prowjob_namespace: default\n");
    let plugins = write(
        "plugins.yaml",
        "plugins:\n  org/repo:\n    plugins: [lgtm, hold, size]\n",
    );
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
        .args(["--hmac-secret-file", &hmac, "--config-path", &config])
        .args(["--plugin-config", &plugins, "--store", "memory"])
        .args(["--github-endpoint", github, "--github-token-path", &token])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start prow serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("prow serve: hook listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    (Serve(child), url)
}

/// The bot's calls once `want` of them were made (a hang guard, not a timing assertion),
/// and after the hook had time to make any extra one.
async fn bot_calls(sim: &Simulator, deliverer: &WebhookDeliverer, want: usize) -> Vec<Call> {
    let bot = sim.bot_login();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        deliverer.flush().await;
        let calls: Vec<Call> = sim.calls().into_iter().filter(|c| c.actor == bot).collect();
        if calls.len() >= want || Instant::now() > deadline {
            // Let anything the last webhooks set off arrive before the caller looks.
            tokio::time::sleep(Duration::from_millis(500)).await;
            deliverer.flush().await;
            return sim.calls().into_iter().filter(|c| c.actor == bot).collect();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lgtm_hold_and_size_through_the_real_client() {
    let sim = Simulator::new(Simulator::DEFAULT_BOT);
    let repo = RepoName::new("org", "repo");
    sim.add_org("org");
    sim.add_org_member("org", "alice", false).unwrap();
    sim.add_user("bob", None, None);
    sim.create_repo(&repo, "master", Files::new().put("README.md", "# repo\n"))
        .unwrap();
    sim.add_collaborator(&repo, "alice", Permission::Write)
        .unwrap();
    sim.add_collaborator(&repo, "bob", Permission::Write)
        .unwrap();
    let server = SimulatorServer::start(sim.clone(), SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (_serve, hook_url) = start_hook(dir.path(), &server.base_url());
    let deliverer = WebhookDeliverer::start(&sim, HookTarget::new(hook_url.clone(), SECRET));

    // A new pull request of 30 added lines gets its size label: size/M (upstream's default
    // thresholds: under 10 XS, under 30 S, under 100 M).
    let lines: String = (0..30).map(|i| format!("line {i}\n")).collect();
    let pr = sim
        .open_pull_request(
            &repo,
            "bob",
            "Add notes",
            "",
            "notes",
            Files::new().put("notes.txt", lines),
        )
        .unwrap();
    let calls = bot_calls(&sim, &deliverer, 1).await;
    assert_eq!(
        calls,
        vec![Call::new(
            "k8s-ci-robot",
            &repo,
            Some(pr),
            Action::AddLabel {
                label: "size/M".into()
            }
        )],
        "a new pull request gets its size label, and nothing else"
    );
    sim.take_calls();

    // The author's /lgtm is refused with upstream's reply.
    let comment = sim.comment_as("bob", &repo, pr, "/lgtm").unwrap();
    let calls = bot_calls(&sim, &deliverer, 1).await;
    assert_eq!(calls.len(), 1, "one reply and nothing else: {calls:#?}");
    let Action::CreateComment { body } = &calls[0].action else {
        panic!("expected a reply, got {calls:#?}");
    };
    let url = sim
        .issue_comments(&repo, pr)
        .unwrap()
        .into_iter()
        .find(|c| c.id == comment)
        .unwrap()
        .html_url;
    assert_eq!(
        body,
        &prow_plugins::reply::format_response_raw(
            "/lgtm",
            &url,
            "bob",
            "you cannot LGTM your own PR."
        )
    );
    assert!(!sim.labels(&repo, pr).contains(&"lgtm".to_owned()));
    sim.take_calls();

    // A collaborator's /lgtm assigns the reviewer (upstream makes sure they are assignable)
    // and adds the label.
    sim.comment_as("alice", &repo, pr, "/lgtm").unwrap();
    let calls = bot_calls(&sim, &deliverer, 2).await;
    let actions: Vec<Action> = calls.into_iter().map(|c| c.action).collect();
    assert_eq!(
        actions,
        vec![
            Action::AssignIssue {
                logins: vec!["alice".into()]
            },
            Action::AddLabel {
                label: "lgtm".into()
            },
        ]
    );
    sim.take_calls();

    // /hold adds do-not-merge/hold.
    sim.comment_as("alice", &repo, pr, "/hold").unwrap();
    let calls = bot_calls(&sim, &deliverer, 1).await;
    assert_eq!(
        calls,
        vec![Call::new(
            "k8s-ci-robot",
            &repo,
            Some(pr),
            Action::AddLabel {
                label: "do-not-merge/hold".into()
            }
        )]
    );
    let mut labels = sim.labels(&repo, pr);
    labels.sort();
    assert_eq!(labels, vec!["do-not-merge/hold", "lgtm", "size/M"]);
    assert!(
        deliverer.failures().is_empty(),
        "every webhook was accepted"
    );

    // GET /plugin-help: upstream's JSON, every built-in plugin with its help.
    let address = hook_url
        .trim_start_matches("http://")
        .trim_end_matches("/hook");
    let body = get(address, "/plugin-help");
    let help: serde_json::Value = serde_json::from_str(&body).unwrap();
    for key in [
        "AllRepos",
        "RepoPlugins",
        "RepoExternalPlugins",
        "PluginHelp",
        "ExternalPluginHelp",
    ] {
        assert!(help.get(key).is_some(), "{key} missing from {body}");
    }
    assert_eq!(
        help["RepoPlugins"]["org/repo"],
        serde_json::json!(["lgtm", "hold", "size"])
    );
    for plugin in prow_plugins::plugins::builtin() {
        let entry = &help["PluginHelp"][plugin.name()];
        assert!(
            entry["Description"].as_str().is_some_and(|d| !d.is_empty()),
            "{} has no help: {entry}",
            plugin.name()
        );
    }
    // /metrics carries the intake's and the plugins' metrics under Prow's names.
    let metrics = get(address, "/metrics");
    for name in [
        "prow_webhook_counter",
        "prow_plugin_handle_duration_seconds",
        "plugin=\"hold\"",
    ] {
        assert!(
            metrics.contains(name),
            "{name} missing from /metrics:\n{metrics}"
        );
    }
    assert_eq!(
        help["PluginHelp"]["hold"]["Commands"][0]["Usage"],
        "/[remove-][un]hold [cancel]"
    );
}

/// A GET over plain HTTP/1.1; the body.
fn get(address: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    body.to_owned()
}
