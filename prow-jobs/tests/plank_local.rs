//! plank with the local executor on a real git repository: a presubmit clones the base
//! branch with the pull request merged, sees Prow's environment, and is aborted when a new
//! push to the pull request triggers a newer run.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use prow_core::config::Config;
use prow_core::prowjob::{ProwJob, ProwJobState};
use prow_core::traits::{JobExecutor, JobStore};
use prow_jobs::executor::{LocalExecutor, LocalExecutorOptions};
use prow_jobs::plank::Plank;
use prow_jobs::store::MemoryStore;

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=dev", "-c", "user.email=dev@example.com"])
        .args(args)
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A repository with `main` and a pull request #1 at `refs/pull/1/head`; returns the base
/// SHA and the pull request's head.
fn repository(dir: &Path) -> (String, String) {
    std::fs::create_dir_all(dir).unwrap();
    git(dir, &["init", "-q", "-b", "main"]);
    std::fs::write(dir.join("README.md"), "hello\n").unwrap();
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "base"]);
    let base = git(dir, &["rev-parse", "HEAD"]);
    git(dir, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(dir.join("first.txt"), "first push\n").unwrap();
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "first push"]);
    let head = git(dir, &["rev-parse", "HEAD"]);
    git(dir, &["update-ref", "refs/pull/1/head", &head]);
    git(dir, &["checkout", "-q", "main"]);
    (base, head)
}

/// A new push to the pull request: returns its head.
fn push(dir: &Path) -> String {
    git(dir, &["checkout", "-q", "feature"]);
    std::fs::write(dir.join("second.txt"), "second push\n").unwrap();
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "second push"]);
    let head = git(dir, &["rev-parse", "HEAD"]);
    git(dir, &["update-ref", "refs/pull/1/head", &head]);
    git(dir, &["checkout", "-q", "main"]);
    head
}

/// The presubmit `unit` on pull request #1 at `head`, as trigger would create it.
fn presubmit(name: &str, repo: &Path, base: &str, head: &str, script: &str) -> ProwJob {
    serde_json::from_value(serde_json::json!({
        "apiVersion": "prow.k8s.io/v1",
        "kind": "ProwJob",
        "metadata": { "name": name, "namespace": "default" },
        "spec": {
            "type": "presubmit",
            "agent": "kubernetes",
            "job": "unit",
            "context": "unit",
            "rerun_command": "/test unit",
            "refs": {
                "org": "demo-org",
                "repo": "hello",
                "base_ref": "main",
                "base_sha": base,
                "clone_uri": repo.display().to_string(),
                "pulls": [{ "number": 1, "author": "alice", "sha": head }],
            },
            "pod_spec": { "containers": [{ "image": "alpine", "command": ["sh", "-c", script] }] },
        },
        "status": { "startTime": chrono::Utc::now().to_rfc3339(), "state": "triggered" },
    }))
    .unwrap()
}

async fn eventually<T>(what: &str, mut probe: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_push_aborts_the_running_presubmit_and_runs_the_new_head() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("hello");
    let (base, first) = repository(&repo);

    let store: Arc<dyn JobStore> = Arc::new(MemoryStore::new());
    let executor = Arc::new(
        LocalExecutor::new(LocalExecutorOptions::new(dir.path().join("workspaces"))).unwrap(),
    );
    let mut config = Config::default();
    config.prow.prowjob_namespace = "default".into();
    let (_config_tx, config_rx) = tokio::sync::watch::channel(Arc::new(config));
    let plank = Plank::new(
        Arc::clone(&store),
        Arc::clone(&executor) as Arc<dyn JobExecutor>,
        config_rx,
    )
    .with_resync_period(Duration::from_millis(100));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(plank.run(async {
        let _ = stopped.await;
    }));

    // The first run: the pull request's first push merged into main; it waits to be stopped.
    let script = r#"test -f first.txt && test -f README.md && env > "$ARTIFACTS/env" && sleep 600"#;
    let old = store
        .create(presubmit("run-1", &repo, &base, &first, script))
        .await
        .unwrap();
    let env_file = executor.artifacts_dir(&old).join("env");
    let env = eventually("the first run's environment", async || {
        std::fs::read_to_string(&env_file)
            .ok()
            .filter(|e| !e.is_empty())
    })
    .await;
    for expected in [
        "JOB_NAME=unit".to_string(),
        "JOB_TYPE=presubmit".to_string(),
        "PROW_JOB_ID=run-1".to_string(),
        "REPO_OWNER=demo-org".to_string(),
        "REPO_NAME=hello".to_string(),
        "PULL_BASE_REF=main".to_string(),
        format!("PULL_BASE_SHA={base}"),
        "PULL_NUMBER=1".to_string(),
        format!("PULL_PULL_SHA={first}"),
        format!("PULL_REFS=main:{base},1:{first}"),
        "CI=true".to_string(),
    ] {
        assert!(
            env.lines().any(|l| l == expected),
            "{expected} missing from:\n{env}"
        );
    }
    assert!(env.lines().any(|l| l.starts_with("BUILD_ID=")));
    assert!(env.lines().any(|l| l.starts_with("JOB_SPEC={")));

    // A new push: trigger creates a newer run of the same presubmit.
    let second = push(&repo);
    let new = store
        .create(presubmit(
            "run-2",
            &repo,
            &base,
            &second,
            "test -f first.txt && test -f second.txt",
        ))
        .await
        .unwrap();

    let old = eventually("the first run to be aborted", async || {
        let job = store.get("run-1").await.unwrap();
        job.complete().then_some(job)
    })
    .await;
    assert_eq!(old.status.state, Some(ProwJobState::Aborted));
    assert!(
        old.status.description.contains("newer version"),
        "{:?}",
        old.status.description
    );
    assert!(
        !old.status.prev_report_states.is_empty()
            && old
                .status
                .prev_report_states
                .values()
                .all(|s| *s == ProwJobState::Aborted),
        "the superseded run is marked reported, so it never overwrites the new status"
    );
    let ended = executor.status(&old).await.unwrap();
    assert!(
        ended.state.is_finished(),
        "the first run's process was stopped: {ended:?}"
    );

    let new = eventually("the second run to finish", async || {
        let job = store.get(&new.metadata.name).await.unwrap();
        job.complete().then_some(job)
    })
    .await;
    assert_eq!(
        new.status.state,
        Some(ProwJobState::Success),
        "the new head was cloned: {}",
        executor.logs(&new).await.unwrap_or_default()
    );

    let _ = stop.send(());
    running.await.unwrap();
}
