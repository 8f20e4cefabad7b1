//! Tests of the local executor: real processes, real git, repositories made in a temporary
//! directory.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use futures_util::StreamExt;
use prow_core::duration::GoDuration;
use prow_core::pod::PodSpec;
use prow_core::prowjob::{DecorationConfig, ProwJob, ProwJobAgent, ProwJobType, Pull, Refs};
use prow_core::traits::{Execution, ExecutionState, ExecutorError, JobExecutor};
use serde_json::json;

use super::clonerefs::{
    CloneCommand, CloneRecord, GitStep, base_ref_steps, clone_path, pull_ref_steps, repository_uri,
};
use super::*;

/// Hang guard for anything that waits on a process.
const GUARD: Duration = Duration::from_secs(120);

async fn guarded<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(GUARD, future)
        .await
        .unwrap_or_else(|_| panic!("hung waiting for {what}"))
}

/// Runs git in `dir` with a fixed identity, returning its trimmed stdout.
fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Author")
        .env("GIT_AUTHOR_EMAIL", "author@example.com")
        .env("GIT_COMMITTER_NAME", "Author")
        .env("GIT_COMMITTER_EMAIL", "author@example.com")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// A repository standing in for GitHub's: `main` with a README, and pull request 1 adding
/// `pr.txt`, reachable as `refs/pull/1/head` only.
struct Remote {
    path: PathBuf,
    base_sha: String,
    pr_sha: String,
}

fn remote(remotes: &Path, org: &str, repo: &str) -> Remote {
    let path = remotes.join(org).join(format!("{repo}.git"));
    std::fs::create_dir_all(&path).unwrap();
    git(&path, &["init", "-q", "-b", "main"]);
    std::fs::write(path.join("README"), format!("{org}/{repo}\n")).unwrap();
    git(&path, &["add", "README"]);
    git(&path, &["commit", "-q", "-m", "base"]);
    let base_sha = git(&path, &["rev-parse", "HEAD"]);
    git(&path, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(path.join("pr.txt"), "from the pull request\n").unwrap();
    git(&path, &["add", "pr.txt"]);
    git(&path, &["commit", "-q", "-m", "pull request"]);
    let pr_sha = git(&path, &["rev-parse", "HEAD"]);
    git(&path, &["update-ref", "refs/pull/1/head", &pr_sha]);
    git(&path, &["checkout", "-q", "main"]);
    git(&path, &["branch", "-q", "-D", "feature"]);
    Remote {
        path,
        base_sha,
        pr_sha,
    }
}

/// A temporary root with `remotes/` (the fake GitHub) and `work/` (the executor's root).
struct Fixture {
    dir: tempfile::TempDir,
}

/// Nothing a test started outlives it, even when it fails half-way.
impl Drop for Fixture {
    fn drop(&mut self) {
        let Ok(entries) = std::fs::read_dir(self.dir.path().join("work")) else {
            return;
        };
        for entry in entries.flatten() {
            if let Ok(Some(mut record)) = RunRecord::load(&entry.path()) {
                record.process_gone = false;
                state::kill_orphan(&mut record);
            }
        }
    }
}

impl Fixture {
    fn new() -> Fixture {
        Fixture {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn remotes(&self) -> PathBuf {
        self.dir.path().join("remotes")
    }

    fn options(&self) -> LocalExecutorOptions {
        LocalExecutorOptions {
            clone_base_url: self.remotes().display().to_string(),
            fetch_retries: Vec::new(),
            default_grace_period: Duration::from_secs(5),
            ..LocalExecutorOptions::new(self.dir.path().join("work"))
        }
    }

    fn executor(&self) -> LocalExecutor {
        LocalExecutor::new(self.options()).unwrap()
    }
}

fn pod_spec(script: &str) -> PodSpec {
    serde_json::from_value(json!({
        "containers": [{
            "image": "ignored:latest",
            "command": ["sh", "-c"],
            "args": [script],
            "env": [
                {"name": "FROM_POD", "value": "pod-value"},
                {"name": "DERIVED", "value": "$(FROM_POD)-derived"},
                {"name": "JOB_NAME", "value": "overridden"},
            ],
        }]
    }))
    .unwrap()
}

fn periodic(name: &str, script: &str) -> ProwJob {
    let mut job = ProwJob::default();
    job.metadata.name = name.to_string();
    job.spec.type_ = Some(ProwJobType::Periodic);
    job.spec.agent = Some(ProwJobAgent::Kubernetes);
    job.spec.job = format!("{name}-job");
    job.spec.pod_spec = Some(pod_spec(script));
    job.status.build_id = "4242".to_string();
    job
}

fn refs(org: &str, repo: &str, remote: &Remote) -> Refs {
    Refs {
        org: org.to_string(),
        repo: repo.to_string(),
        base_ref: "main".to_string(),
        base_sha: remote.base_sha.clone(),
        ..Refs::default()
    }
}

fn presubmit(name: &str, script: &str, remote: &Remote) -> ProwJob {
    let mut job = periodic(name, script);
    job.spec.type_ = Some(ProwJobType::Presubmit);
    let mut refs = refs("org", "repo", remote);
    refs.pulls = vec![Pull {
        number: 1,
        author: "contributor".to_string(),
        sha: remote.pr_sha.clone(),
        ..Pull::default()
    }];
    job.spec.refs = Some(refs);
    job
}

fn with_timeouts(mut job: ProwJob, timeout: Duration, grace: Duration) -> ProwJob {
    job.spec.decoration_config = Some(DecorationConfig {
        timeout: Some(GoDuration::from_std(timeout)),
        grace_period: Some(GoDuration::from_std(grace)),
        ..DecorationConfig::default()
    });
    job
}

async fn wait_for(
    executor: &LocalExecutor,
    job: &ProwJob,
    what: &str,
    done: impl Fn(&Execution) -> bool,
) -> Execution {
    guarded(what, async {
        loop {
            let execution = executor.status(job).await.unwrap();
            if done(&execution) {
                return execution;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
}

async fn finish(executor: &LocalExecutor, job: &ProwJob) -> Execution {
    wait_for(executor, job, "the run to finish", |e| {
        e.state.is_finished()
    })
    .await
}

async fn running(executor: &LocalExecutor, job: &ProwJob) -> Execution {
    wait_for(executor, job, "the run to start", |e| {
        assert!(!e.state.is_finished(), "ended early: {e:?}");
        e.state == ExecutionState::Running
    })
    .await
}

/// Waits for a file the job writes, returning its contents.
async fn wait_file(path: &Path) -> String {
    guarded(&format!("{}", path.display()), async {
        loop {
            if let Ok(text) = std::fs::read_to_string(path)
                && text.ends_with('\n')
            {
                return text.trim().to_string();
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
}

/// Whether process `pid` is gone (or a zombie, dead but not yet reaped).
fn process_gone(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z')),
        Err(_) => nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_err(),
    }
}

async fn wait_gone(pid: i32) {
    guarded(&format!("process {pid} to die"), async {
        while !process_gone(pid) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
}

fn env_file(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A job that starts a background grandchild (its pid in `$ARTIFACTS/bg.pid`), notes its
/// shell's pid in `$ARTIFACTS/sh.pid`, and sleeps. `$$$$` is the shell's `$$` once the
/// kubelet-style expansion has unescaped it.
const SLEEPER: &str =
    r#"sleep 1000 & echo $! > "$ARTIFACTS/bg.pid"; echo $$$$ > "$ARTIFACTS/sh.pid"; sleep 1000"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clones_the_base_and_merges_the_pull() {
    let fixture = Fixture::new();
    let remote = remote(&fixture.remotes(), "org", "repo");
    let executor = fixture.executor();
    let job = presubmit(
        "merge",
        r#"cat pr.txt README > "$ARTIFACTS/seen.txt"; pwd > "$ARTIFACTS/pwd.txt"; git log -1 --format='%P|%cn|%ce' > "$ARTIFACTS/head.txt"; git rev-parse --abbrev-ref HEAD >> "$ARTIFACTS/head.txt""#,
        &remote,
    );
    let started = executor.start(&job).await.unwrap();
    assert_eq!(started.name, "merge");
    let end = finish(&executor, &job).await;
    let log = executor.logs(&job).await.unwrap();
    assert_eq!(end.state, ExecutionState::Succeeded, "{end:?}\n{log}");
    assert!(end.started.is_some());

    let artifacts = executor.artifacts_dir(&job);
    let seen = std::fs::read_to_string(artifacts.join("seen.txt")).unwrap();
    assert_eq!(seen, "from the pull request\norg/repo\n");
    let pwd = std::fs::read_to_string(artifacts.join("pwd.txt")).unwrap();
    assert_eq!(
        Path::new(pwd.trim()),
        executor.workspace(&job).join("src/github.com/org/repo")
    );
    let head = std::fs::read_to_string(artifacts.join("head.txt")).unwrap();
    assert_eq!(
        head,
        format!(
            "{} {}|ci-robot|ci-robot@k8s.io\nmain\n",
            remote.base_sha, remote.pr_sha
        )
    );
    // The clone log leads the job log, in upstream's format.
    assert!(
        log.starts_with(&format!(
            "# Cloning org/repo at main({})\n",
            remote.base_sha
        )),
        "{log}"
    );
    assert!(log.contains(&format!("#\t1({})", remote.pr_sha)), "{log}");
    assert!(log.contains("merge --no-ff"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_job_sees_prow_environment() {
    let fixture = Fixture::new();
    let remote = remote(&fixture.remotes(), "org", "repo");
    let mut options = fixture.options();
    options
        .extra_env
        .insert("FROM_OPTIONS".to_string(), "options-value".to_string());
    let executor = LocalExecutor::new(options).unwrap();
    // The kubelet expands `$(BUILD_ID)` before the shell sees the script.
    let job = presubmit(
        "env",
        r#"env > "$ARTIFACTS/env.txt"; echo "expanded=$(BUILD_ID)" >> "$ARTIFACTS/env.txt""#,
        &remote,
    );
    executor.start(&job).await.unwrap();
    let end = finish(&executor, &job).await;
    assert_eq!(end.state, ExecutionState::Succeeded, "{end:?}");

    let env =
        env_file(&std::fs::read_to_string(executor.artifacts_dir(&job).join("env.txt")).unwrap());
    let workspace = executor.workspace(&job).display().to_string();
    let artifacts = executor.artifacts_dir(&job).display().to_string();
    let expected = [
        ("JOB_NAME", "env-job"),
        ("JOB_TYPE", "presubmit"),
        ("BUILD_ID", "4242"),
        ("BUILD_NUMBER", "4242"),
        ("PROW_JOB_ID", "env"),
        ("CI", "true"),
        ("REPO_OWNER", "org"),
        ("REPO_NAME", "repo"),
        ("PULL_BASE_REF", "main"),
        ("PULL_BASE_SHA", remote.base_sha.as_str()),
        ("PULL_NUMBER", "1"),
        ("PULL_PULL_SHA", remote.pr_sha.as_str()),
        ("SRC_HOST", "github.com"),
        ("SRC_BASE", "org/repo"),
        ("ARTIFACTS", artifacts.as_str()),
        ("GOPATH", workspace.as_str()),
        ("FROM_POD", "pod-value"),
        ("FROM_OPTIONS", "options-value"),
        ("DERIVED", "pod-value-derived"),
        ("expanded", "4242"),
    ];
    for (key, value) in expected {
        assert_eq!(env.get(key).map(String::as_str), Some(value), "{key}");
    }
    let job_spec = JobSpec::from_json(&env["JOB_SPEC"]).unwrap();
    assert_eq!(job_spec.prow_job_id, "env");
    assert_eq!(job_spec.refs.unwrap().pulls[0].number, 1);
    assert!(env.contains_key("PATH"));
    assert!(std::path::Path::new(&artifacts).is_dir());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extra_refs_follow_path_alias_clone_uri_and_workdir() {
    let fixture = Fixture::new();
    let main = remote(&fixture.remotes(), "org", "repo");
    // Not under the clone base URL: only its clone_uri finds it.
    let tool = remote(&fixture.dir.path().join("elsewhere"), "tools", "tool");
    let executor = fixture.executor();
    let mut job = periodic(
        "extra",
        r#"pwd > "$ARTIFACTS/pwd.txt"; ls "$GOPATH/src/github.com/org/repo" > "$ARTIFACTS/main.txt""#,
    );
    job.spec.type_ = Some(ProwJobType::Postsubmit);
    job.spec.refs = Some(refs("org", "repo", &main));
    let mut extra = refs("tools", "tool", &tool);
    extra.base_sha = String::new();
    extra.path_alias = "example.com/tool".to_string();
    extra.clone_uri = tool.path.display().to_string();
    extra.workdir = true;
    job.spec.extra_refs = vec![extra];
    executor.start(&job).await.unwrap();
    let end = finish(&executor, &job).await;
    let log = executor.logs(&job).await.unwrap();
    assert_eq!(end.state, ExecutionState::Succeeded, "{end:?}\n{log}");

    let workspace = executor.workspace(&job);
    let pwd = std::fs::read_to_string(executor.artifacts_dir(&job).join("pwd.txt")).unwrap();
    assert_eq!(
        Path::new(pwd.trim()),
        workspace.join("src/example.com/tool")
    );
    assert_eq!(
        std::fs::read_to_string(workspace.join("src/example.com/tool/README")).unwrap(),
        "tools/tool\n"
    );
    let main_files =
        std::fs::read_to_string(executor.artifacts_dir(&job).join("main.txt")).unwrap();
    assert_eq!(main_files, "README\n");
    assert!(log.contains("# Cloning tools/tool at main\n"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_command_fails_the_run() {
    let fixture = Fixture::new();
    let executor = fixture.executor();
    let job = periodic("fails", "echo boom; exit 3");
    executor.start(&job).await.unwrap();
    let end = finish(&executor, &job).await;
    assert_eq!(end.state, ExecutionState::Failed);
    assert_eq!(
        end.description,
        "Job failed: the process exited with code 3."
    );
    assert_eq!(executor.logs(&job).await.unwrap(), "boom\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_that_cannot_start_fails_the_run() {
    let fixture = Fixture::new();
    let executor = fixture.executor();
    let mut job = periodic("nostart", "");
    job.spec.pod_spec = Some(
        serde_json::from_value(json!({"containers": [{"command": ["./no-such-program"]}]}))
            .unwrap(),
    );
    executor.start(&job).await.unwrap();
    let end = finish(&executor, &job).await;
    assert_eq!(end.state, ExecutionState::Failed);
    assert!(
        end.description
            .starts_with("Job failed: could not start the process: "),
        "{end:?}"
    );
    assert!(
        executor
            .logs(&job)
            .await
            .unwrap()
            .starts_with("could not start the process: ")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clone_failure_fails_the_run_and_logs_the_clone() {
    let fixture = Fixture::new();
    let remote = remote(&fixture.remotes(), "org", "repo");
    let executor = fixture.executor();
    let mut job = presubmit("noclone", "echo should not run", &remote);
    job.spec.refs.as_mut().unwrap().repo = "missing".to_string();
    executor.start(&job).await.unwrap();
    let end = finish(&executor, &job).await;
    assert_eq!(end.state, ExecutionState::Failed);
    assert!(
        end.description
            .starts_with("Failed to clone org/missing: `PWD="),
        "{end:?}"
    );
    assert!(end.description.contains(" fetch "), "{end:?}");
    assert_eq!(end.started, None);
    let log = executor.logs(&job).await.unwrap();
    assert!(log.starts_with("# FAILED\n# Cloning org/missing"), "{log}");
    assert!(log.contains("# Error: "), "{log}");
    assert!(!log.contains("should not run"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timeout_terminates_the_whole_process_group() {
    let fixture = Fixture::new();
    let executor = fixture.executor();
    let job = with_timeouts(
        periodic("timeout", SLEEPER),
        Duration::from_secs(1),
        Duration::from_secs(30),
    );
    executor.start(&job).await.unwrap();
    let end = finish(&executor, &job).await;
    assert_eq!(end.state, ExecutionState::Failed);
    assert_eq!(end.description, "Process did not finish before 1s timeout");
    let artifacts = executor.artifacts_dir(&job);
    let grandchild: i32 = wait_file(&artifacts.join("bg.pid")).await.parse().unwrap();
    let shell: i32 = wait_file(&artifacts.join("sh.pid")).await.parse().unwrap();
    wait_gone(grandchild).await;
    wait_gone(shell).await;
    let log = executor.logs(&job).await.unwrap();
    assert!(
        log.contains("Process did not finish before 1s timeout\n"),
        "{log}"
    );
    // SIGTERM was enough: no SIGKILL after the grace period.
    assert!(!log.contains("grace period"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_ignoring_sigterm_is_killed_after_the_grace_period() {
    let fixture = Fixture::new();
    let executor = fixture.executor();
    let job = with_timeouts(
        periodic(
            "stubborn",
            r#"trap 'echo got TERM' TERM; echo $$$$ > "$ARTIFACTS/sh.pid"; while true; do sleep 0.1; done"#,
        ),
        Duration::from_secs(1),
        Duration::from_secs(1),
    );
    executor.start(&job).await.unwrap();
    let end = finish(&executor, &job).await;
    assert_eq!(end.state, ExecutionState::Failed);
    assert_eq!(end.description, "Process did not finish before 1s timeout");
    let shell: i32 = wait_file(&executor.artifacts_dir(&job).join("sh.pid"))
        .await
        .parse()
        .unwrap();
    wait_gone(shell).await;
    let log = executor.logs(&job).await.unwrap();
    let term = log.find("got TERM").expect("the job saw SIGTERM");
    let kill = log
        .find("Process did not exit before 1s grace period")
        .expect("the job was killed after the grace period");
    assert!(term < kill, "{log}");
    let record = RunRecord::load(&executor.workspace(&job)).unwrap().unwrap();
    assert_eq!(record.exit_code, Some(128 + 9));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abort_kills_the_process_group() {
    let fixture = Fixture::new();
    let executor = fixture.executor();
    let job = periodic("abort", SLEEPER);
    executor.start(&job).await.unwrap();
    running(&executor, &job).await;
    let artifacts = executor.artifacts_dir(&job);
    let grandchild: i32 = wait_file(&artifacts.join("bg.pid")).await.parse().unwrap();
    executor.abort(&job).await.unwrap();
    let end = executor.status(&job).await.unwrap();
    assert_eq!(end.state, ExecutionState::Failed);
    assert_eq!(end.description, ABORTED_DESCRIPTION);
    wait_gone(grandchild).await;
    // Aborting a finished run changes nothing.
    executor.abort(&job).await.unwrap();
    assert_eq!(executor.status(&job).await.unwrap(), end);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abort_while_cloning_ends_the_run() {
    use std::os::unix::fs::PermissionsExt;
    let fixture = Fixture::new();
    let remote = remote(&fixture.remotes(), "org", "repo");
    // A git that never finishes: the run stays in its clone phase.
    let hanging_git = fixture.dir.path().join("hanging-git");
    std::fs::write(&hanging_git, "#!/bin/sh\nexec sleep 1000\n").unwrap();
    std::fs::set_permissions(&hanging_git, std::fs::Permissions::from_mode(0o755)).unwrap();
    let executor = LocalExecutor::new(LocalExecutorOptions {
        git: hanging_git,
        ..fixture.options()
    })
    .unwrap();
    let job = presubmit("abort-clone", "echo should not run", &remote);
    let pending = executor.start(&job).await.unwrap();
    assert_eq!(pending.state, ExecutionState::Pending);
    assert_eq!(pending.started, None);
    executor.abort(&job).await.unwrap();
    let end = executor.status(&job).await.unwrap();
    assert_eq!(end.state, ExecutionState::Failed);
    assert_eq!(end.description, ABORTED_DESCRIPTION);
    let run = executor.run("abort-clone").unwrap();
    guarded("the run to end", run.wait_done()).await;
    assert_eq!(executor.logs(&job).await.unwrap(), "");
    assert_eq!(executor.status(&job).await.unwrap(), end);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_of_a_running_job_and_following_them() {
    let fixture = Fixture::new();
    let executor = fixture.executor();
    let job = periodic(
        "follow",
        r#"echo first; while [ ! -f "$ARTIFACTS/go" ]; do sleep 0.05; done; echo second"#,
    );
    executor.start(&job).await.unwrap();
    let follow = executor.follow_logs(&job).unwrap();
    let collected = tokio::spawn(async move {
        let chunks: Vec<Vec<u8>> = follow.map(|c| c.unwrap()).collect().await;
        String::from_utf8(chunks.concat()).unwrap()
    });
    running(&executor, &job).await;
    guarded("the first line", async {
        while executor.logs(&job).await.unwrap() != "first\n" {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    // The job waits for `go`: it is still running with half its log written.
    assert_eq!(
        executor.status(&job).await.unwrap().state,
        ExecutionState::Running
    );
    std::fs::write(executor.artifacts_dir(&job).join("go"), "").unwrap();
    let followed = guarded("the followed log to end", collected).await.unwrap();
    assert_eq!(followed, "first\nsecond\n");
    assert_eq!(
        executor.status(&job).await.unwrap().state,
        ExecutionState::Succeeded
    );
    // Following a finished run gives its whole log and ends.
    let again: Vec<_> = guarded(
        "a finished log",
        executor.follow_logs(&job).unwrap().collect(),
    )
    .await;
    let again: Vec<u8> = again.into_iter().flat_map(Result::unwrap).collect();
    assert_eq!(again, b"first\nsecond\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_executor_kills_orphans_and_reports_them_errored() {
    let fixture = Fixture::new();
    let job = periodic("orphan", SLEEPER);
    let first = fixture.executor();
    first.start(&job).await.unwrap();
    running(&first, &job).await;
    let artifacts = first.artifacts_dir(&job);
    let grandchild: i32 = wait_file(&artifacts.join("bg.pid")).await.parse().unwrap();
    let shell: i32 = wait_file(&artifacts.join("sh.pid")).await.parse().unwrap();
    // The server goes away; its processes do not.
    drop(first);
    assert!(!process_gone(grandchild));

    let second = fixture.executor();
    let lost = second.status(&job).await.unwrap();
    assert_eq!(lost.state, ExecutionState::Error);
    assert_eq!(lost.description, LOST_DESCRIPTION);
    wait_gone(grandchild).await;
    wait_gone(shell).await;
    assert_eq!(second.status(&job).await.unwrap(), lost);
    let runs = second.runs().await.unwrap();
    assert_eq!(runs.len(), 1);
    assert!(runs[0].finished.is_some());

    // Starting it again (a rerun under the same name) runs it afresh.
    let revived = second.start(&job).await.unwrap();
    assert!(!revived.state.is_finished(), "{revived:?}");
    running(&second, &job).await;
    second.abort(&job).await.unwrap();
    guarded(
        "the revived run to end",
        second.run("orphan").unwrap().wait_done(),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_executor_reports_a_finished_run() {
    let fixture = Fixture::new();
    let job = periodic("finished", "echo done");
    let first = fixture.executor();
    first.start(&job).await.unwrap();
    let end = finish(&first, &job).await;
    assert_eq!(end.state, ExecutionState::Succeeded);
    drop(first);

    let second = fixture.executor();
    assert_eq!(second.status(&job).await.unwrap(), end);
    assert_eq!(second.logs(&job).await.unwrap(), "done\n");
    // Starting it again does not run it again.
    assert_eq!(second.start(&job).await.unwrap(), end);
    assert_eq!(second.logs(&job).await.unwrap(), "done\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_lost_while_cloning_is_reported_errored() {
    let fixture = Fixture::new();
    let first = fixture.executor();
    let job = periodic("pending", "true");
    // A workspace as a server leaves it when it dies before the process started.
    let workspace = first.workspace(&job);
    std::fs::create_dir_all(&workspace).unwrap();
    RunRecord::new("pending").store(&workspace).unwrap();
    let lost = first.status(&job).await.unwrap();
    assert_eq!(lost.state, ExecutionState::Error);
    assert_eq!(lost.started, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_is_idempotent() {
    let fixture = Fixture::new();
    let executor = fixture.executor();
    let job = periodic("once", "echo ran");
    let first = executor.start(&job).await.unwrap();
    let second = executor.start(&job).await.unwrap();
    assert_eq!(first.name, second.name);
    let end = finish(&executor, &job).await;
    assert_eq!(executor.start(&job).await.unwrap(), end);
    assert_eq!(executor.logs(&job).await.unwrap(), "ran\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_jobs_are_not_found() {
    let fixture = Fixture::new();
    let executor = fixture.executor();
    let job = periodic("unknown", "true");
    let not_found = |r: Result<(), ExecutorError>| {
        assert!(
            matches!(r, Err(ExecutorError::NotFound(ref n)) if n == "unknown"),
            "{r:?}"
        )
    };
    not_found(executor.status(&job).await.map(drop));
    not_found(executor.abort(&job).await);
    not_found(executor.logs(&job).await.map(drop));
    not_found(executor.follow_logs(&job).map(drop));
    not_found(
        executor
            .delete_run(&RunInfo {
                name: "unknown".to_string(),
                job: None,
                cluster: LOCAL_CLUSTER.to_string(),
                created: chrono::Utc::now(),
                finished: None,
            })
            .await,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_it_cannot_run_are_unsupported() {
    let fixture = Fixture::new();
    let executor = fixture.executor();
    let mut no_pod = periodic("no-pod", "true");
    no_pod.spec.pod_spec = None;
    let mut jenkins = periodic("jenkins", "true");
    jenkins.spec.agent = Some(ProwJobAgent::Jenkins);
    let mut image_only = periodic("image-only", "true");
    image_only.spec.pod_spec =
        Some(serde_json::from_value(json!({"containers": [{"image": "x"}]})).unwrap());
    let mut no_refs = periodic("no-refs", "true");
    no_refs.spec.type_ = Some(ProwJobType::Presubmit);
    let bad_name = periodic("../escape", "true");
    for job in [no_pod, jenkins, image_only, no_refs, bad_name] {
        let result = executor.start(&job).await;
        assert!(
            matches!(result, Err(ExecutorError::Unsupported(_))),
            "{}: {result:?}",
            job.metadata.name
        );
    }
    assert!(executor.runs().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_are_listed_and_deleted() {
    let fixture = Fixture::new();
    let executor = fixture.executor();
    let done = periodic("done", "true");
    executor.start(&done).await.unwrap();
    finish(&executor, &done).await;
    let busy = periodic("busy", SLEEPER);
    executor.start(&busy).await.unwrap();
    running(&executor, &busy).await;
    let grandchild: i32 = wait_file(&executor.artifacts_dir(&busy).join("bg.pid"))
        .await
        .parse()
        .unwrap();

    let runs = executor.runs().await.unwrap();
    let names: Vec<_> = runs.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["done", "busy"]);
    assert_eq!(runs[0].job.as_deref(), Some("done"));
    assert!(runs[0].finished.is_some());
    assert_eq!(runs[1].finished, None);
    assert_eq!(runs[1].cluster, LOCAL_CLUSTER);

    guarded("deleting a running run", executor.delete_run(&runs[1]))
        .await
        .unwrap();
    wait_gone(grandchild).await;
    assert!(!executor.workspace(&busy).exists());
    executor.delete_run(&runs[0]).await.unwrap();
    assert!(!executor.workspace(&done).exists());
    assert!(executor.runs().await.unwrap().is_empty());
    assert!(matches!(
        executor.status(&busy).await,
        Err(ExecutorError::NotFound(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn working_dir_without_refs_is_relative_to_the_workspace() {
    let fixture = Fixture::new();
    let executor = fixture.executor();
    let mut job = periodic("workdir", "");
    job.spec.pod_spec = Some(
        serde_json::from_value(json!({"containers": [{
            "command": ["sh", "-c", "pwd > \"$ARTIFACTS/pwd.txt\""],
            "workingDir": "sub/dir",
        }]}))
        .unwrap(),
    );
    executor.start(&job).await.unwrap();
    assert_eq!(
        finish(&executor, &job).await.state,
        ExecutionState::Succeeded
    );
    let pwd = std::fs::read_to_string(executor.artifacts_dir(&job).join("pwd.txt")).unwrap();
    assert_eq!(
        Path::new(pwd.trim()),
        executor.workspace(&job).join("sub/dir")
    );
}

// ---------------------------------------------------------------------------
// clonerefs, as upstream's clone tests.
// ---------------------------------------------------------------------------

fn minimal_refs() -> Refs {
    Refs {
        org: "org".to_string(),
        repo: "repo".to_string(),
        base_ref: "master".to_string(),
        ..Refs::default()
    }
}

#[test]
fn path_for_refs() {
    let cases = [
        (
            "literal override",
            "k8s.io/infra",
            "",
            "/go/src/k8s.io/infra",
        ),
        ("default generated", "", "", "/go/src/github.com/org/repo"),
        (
            "repo link without scheme",
            "",
            "https://gitlab.example.com/org/repo",
            "/go/src/gitlab.example.com/org/repo",
        ),
    ];
    for (name, alias, link, expected) in cases {
        let refs = Refs {
            path_alias: alias.to_string(),
            repo_link: link.to_string(),
            ..minimal_refs()
        };
        assert_eq!(
            clone_path(Path::new("/go"), &refs),
            Some(PathBuf::from(expected)),
            "{name}"
        );
    }
    let escaping = Refs {
        path_alias: "../../etc".to_string(),
        ..minimal_refs()
    };
    assert_eq!(clone_path(Path::new("/go"), &escaping), None);
}

#[test]
fn repository_uris() {
    let cases = [
        ("default", "", "", "https://github.com/org/repo.git"),
        (
            "clone uri override",
            "git@github.com:org/repo.git",
            "https://gitlab.example.com/org/repo",
            "git@github.com:org/repo.git",
        ),
        (
            "repo link",
            "",
            "https://gitlab.example.com/org/repo",
            "https://gitlab.example.com/org/repo.git",
        ),
    ];
    for (name, clone_uri, link, expected) in cases {
        let refs = Refs {
            clone_uri: clone_uri.to_string(),
            repo_link: link.to_string(),
            ..minimal_refs()
        };
        assert_eq!(
            repository_uri(&refs, "https://github.com/"),
            expected,
            "{name}"
        );
    }
}

/// Git argument lists, one per command.
type Steps = Vec<Vec<String>>;

fn steps(list: &[&[&str]]) -> Steps {
    list.iter()
        .map(|s| s.iter().map(|a| a.to_string()).collect())
        .collect()
}

fn args(steps: &[GitStep]) -> Vec<Vec<String>> {
    steps.iter().map(|s| s.args.clone()).collect()
}

#[test]
fn commands_for_base_ref() {
    const URI: &str = "https://github.com/org/repo.git";
    let with = |change: fn(&mut Refs)| {
        let mut refs = minimal_refs();
        change(&mut refs);
        refs
    };
    let checkout = |target: &str| -> Vec<Vec<String>> {
        steps(&[
            &["checkout", target],
            &["branch", "--force", "master", target],
            &["checkout", "master"],
        ])
    };
    let cases: Vec<(&str, Refs, &str, Steps)> = vec![
        (
            "simplest case, minimal refs",
            minimal_refs(),
            "",
            [
                steps(&[
                    &["init"],
                    &["fetch", URI, "--tags", "--prune"],
                    &["fetch", URI, "master"],
                ]),
                checkout("FETCH_HEAD"),
            ]
            .concat(),
        ),
        (
            "minimal refs with git user name and email",
            minimal_refs(),
            "user",
            [
                steps(&[
                    &["init"],
                    &["config", "user.name", "user"],
                    &["config", "user.email", "user@example.com"],
                    &["fetch", URI, "--tags", "--prune"],
                    &["fetch", URI, "master"],
                ]),
                checkout("FETCH_HEAD"),
            ]
            .concat(),
        ),
        (
            "refs with specific base sha",
            with(|r| r.base_sha = "abcdef".into()),
            "",
            [
                steps(&[
                    &["init"],
                    &["fetch", URI, "--tags", "--prune"],
                    &["fetch", URI, "abcdef"],
                ]),
                checkout("abcdef"),
            ]
            .concat(),
        ),
        (
            "skip fetch head",
            with(|r| r.skip_fetch_head = true),
            "",
            [
                steps(&[&["init"], &["fetch", URI, "master"]]),
                checkout("FETCH_HEAD"),
            ]
            .concat(),
        ),
        (
            "shallow and blobless fetch",
            with(|r| {
                r.clone_depth = 2;
                r.blobless_fetch = Some(true);
            }),
            "",
            [
                steps(&[
                    &["init"],
                    &[
                        "fetch",
                        "--depth",
                        "2",
                        "--filter=blob:none",
                        URI,
                        "--tags",
                        "--prune",
                    ],
                    &["fetch", "--depth", "2", "--filter=blob:none", URI, "master"],
                ]),
                checkout("FETCH_HEAD"),
            ]
            .concat(),
        ),
        (
            "sparse checkout multiple dirs",
            with(|r| r.sparse_checkout_files = vec!["a".into(), "b".into()]),
            "",
            [
                steps(&[
                    &["init"],
                    &["sparse-checkout", "init"],
                    &["fetch", "--filter=blob:none", "--no-tags", URI, "master"],
                    &["sparse-checkout", "set", "a", "b"],
                ]),
                checkout("FETCH_HEAD"),
            ]
            .concat(),
        ),
    ];
    for (name, refs, user, expected) in cases {
        let email = if user.is_empty() {
            String::new()
        } else {
            format!("{user}@example.com")
        };
        let actual = base_ref_steps(&refs, URI, user, &email);
        assert_eq!(args(&actual), expected, "{name}");
        for step in &actual {
            assert_eq!(step.retry, step.args[0] == "fetch", "{name}: {step:?}");
        }
    }
}

#[test]
fn commands_for_pull_refs() {
    const URI: &str = "https://github.com/org/repo.git";
    let pull = |number: i64, sha: &str, ref_: &str| Pull {
        number,
        sha: sha.to_string(),
        ref_: ref_.to_string(),
        ..Pull::default()
    };
    let submodules: &[&str] = &["submodule", "update", "--init", "--recursive"];
    let cases: Vec<(&str, Vec<Pull>, bool, Steps)> = vec![
        ("no pulls", vec![], false, steps(&[submodules])),
        ("no pulls, no submodules", vec![], true, vec![]),
        (
            "refs with simple pr ref",
            vec![pull(1, "", "")],
            false,
            steps(&[
                &["fetch", URI, "pull/1/head"],
                &["merge", "--no-ff", "FETCH_HEAD"],
                submodules,
            ]),
        ),
        (
            "sha takes precedence over virtual pull ref",
            vec![pull(1, "abcd", "")],
            true,
            steps(&[&["fetch", URI, "abcd"], &["merge", "--no-ff", "abcd"]]),
        ),
        (
            "refs with pr ref override",
            vec![pull(1, "", "pull-me")],
            true,
            steps(&[
                &["fetch", URI, "pull-me"],
                &["merge", "--no-ff", "FETCH_HEAD"],
            ]),
        ),
        (
            "refs with pr ref with specific sha",
            vec![pull(1, "abcd", "pull-me")],
            true,
            steps(&[&["fetch", URI, "pull-me"], &["merge", "--no-ff", "abcd"]]),
        ),
        (
            "refs with multiple simple pr refs",
            vec![pull(1, "", ""), pull(2, "", "")],
            true,
            steps(&[
                &["fetch", URI, "pull/1/head"],
                &["merge", "--no-ff", "FETCH_HEAD"],
                &["fetch", URI, "pull/2/head"],
                &["merge", "--no-ff", "FETCH_HEAD"],
            ]),
        ),
    ];
    for (name, pulls, skip_submodules, expected) in cases {
        let refs = Refs {
            pulls,
            skip_submodules,
            ..minimal_refs()
        };
        let actual = pull_ref_steps(&refs, URI, 100);
        assert_eq!(args(&actual), expected, "{name}");
        // Merges are dated one second apart after the base commit.
        let dates: Vec<_> = actual
            .iter()
            .filter(|s| s.args[0] == "merge")
            .map(|s| s.env.clone())
            .collect();
        for (i, env) in dates.iter().enumerate() {
            let when = (101 + i).to_string();
            assert_eq!(
                env,
                &[
                    ("GIT_AUTHOR_DATE".to_string(), when.clone()),
                    ("GIT_COMMITTER_DATE".to_string(), when)
                ],
                "{name}"
            );
        }
    }
}

#[test]
fn format_record() {
    let record = |change: fn(&mut CloneRecord)| {
        let mut r = CloneRecord::default();
        change(&mut r);
        r
    };
    let cases: Vec<(&str, CloneRecord, &[&str], &[&str])> = vec![
        ("basically works", CloneRecord::default(), &[], &[]),
        (
            "no repo creates an environment setup record",
            CloneRecord::default(),
            &["Environment setup"],
            &["Cloning"],
        ),
        (
            "setting repo creates a cloning record",
            record(|r| {
                r.refs.org = "foo".into();
                r.refs.repo = "bar".into();
                r.refs.base_ref = "deadbeef".into();
            }),
            &["Cloning foo/bar at deadbeef"],
            &["Environment setup"],
        ),
        (
            "include base sha when set",
            record(|r| {
                r.refs.repo = "bar".into();
                r.refs.base_sha = "abcdef".into();
            }),
            &["abcdef"],
            &[],
        ),
        (
            "include passing commands",
            record(|r| {
                r.commands = vec![
                    CloneCommand {
                        command: "cat spam".into(),
                        output: "eggs".into(),
                        ..CloneCommand::default()
                    },
                    CloneCommand {
                        command: "more".into(),
                        output: "fun".into(),
                        ..CloneCommand::default()
                    },
                ]
            }),
            &["cat spam", "eggs", "more", "fun"],
            &["Error:"],
        ),
        (
            "include failing command",
            record(|r| {
                r.commands = vec![CloneCommand {
                    command: "rm /something".into(),
                    output: "barf".into(),
                    error: "command failed".into(),
                    ..CloneCommand::default()
                }]
            }),
            &["rm /something", "barf", "# Error: command failed"],
            &[],
        ),
        (
            "skip pulls when missing",
            CloneRecord::default(),
            &[],
            &["Checking out pulls"],
        ),
        (
            "include pulls when present",
            record(|r| {
                r.refs.pulls = vec![
                    Pull {
                        number: 42,
                        sha: "food".into(),
                        ..Pull::default()
                    },
                    Pull {
                        number: 13,
                        ..Pull::default()
                    },
                ]
            }),
            &["42", "food", "13"],
            &[],
        ),
        (
            "include durations when present",
            record(|r| {
                r.commands = vec![CloneCommand {
                    command: "rm /something".into(),
                    output: "barf".into(),
                    duration: Duration::from_secs(23),
                    ..CloneCommand::default()
                }];
                r.duration = Duration::from_secs(12);
            }),
            &["12s", "23s"],
            &[],
        ),
    ];
    for (name, record, require, deny) in cases {
        let text = record.format();
        for r in require {
            assert!(text.contains(r), "{name}: {text:?} lacks {r:?}");
        }
        for d in deny {
            assert!(!text.contains(d), "{name}: {text:?} has {d:?}");
        }
    }
}

#[test]
fn kubernetes_variable_references() {
    let env: BTreeMap<String, String> = [("A", "apple"), ("EMPTY", "")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let cases = [
        ("no references", "plain text", "plain text"),
        ("a known variable", "x-$(A)-y", "x-apple-y"),
        ("an empty variable", "[$(EMPTY)]", "[]"),
        (
            "an unknown variable stays",
            "$(B) and $(A)",
            "$(B) and apple",
        ),
        ("an escaped reference", "$$(A)", "$(A)"),
        ("a lone dollar", "cost $5 $", "cost $5 $"),
        ("an unclosed reference", "$(A", "$(A"),
        ("shell syntax is left alone", "${A} $A", "${A} $A"),
    ];
    for (name, text, expected) in cases {
        assert_eq!(expand_references(text, &env), expected, "{name}");
    }
}

#[test]
fn default_options_match_upstream() {
    let options = LocalExecutorOptions::new("/root");
    assert_eq!(options.default_timeout, Duration::from_secs(7200));
    assert_eq!(options.default_grace_period, Duration::from_secs(15));
    assert_eq!(options.clone_base_url, "https://github.com");
    assert_eq!(options.git, PathBuf::from("git"));
    assert_eq!(
        (
            options.git_user_name.as_str(),
            options.git_user_email.as_str()
        ),
        ("ci-robot", "ci-robot@k8s.io")
    );
    assert_eq!(options.fetch_retries.len(), 9);
}

#[test]
fn bare_program_names_are_found_on_the_jobs_path() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for sub in ["first", "second", "work/bin"] {
        std::fs::create_dir_all(root.join(sub)).unwrap();
    }
    let make = |path: PathBuf, mode: u32| {
        std::fs::write(&path, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        path
    };
    make(root.join("first/tool"), 0o644);
    let executable = make(root.join("second/tool"), 0o755);
    let local = make(root.join("work/bin/local-tool"), 0o755);
    std::fs::create_dir_all(root.join("first/dir-tool")).unwrap();
    let path = format!(
        "{}:{}:bin",
        root.join("first").display(),
        root.join("second").display()
    );
    let work = root.join("work");
    let cases: [(&str, &str, Option<&str>, PathBuf); 6] = [
        (
            "first executable match wins",
            "tool",
            Some(&path),
            executable,
        ),
        (
            "relative entries are taken from the working directory",
            "local-tool",
            Some(&path),
            local,
        ),
        (
            "not found stays as written",
            "missing",
            Some(&path),
            PathBuf::from("missing"),
        ),
        (
            "directories do not match",
            "dir-tool",
            Some(&path),
            PathBuf::from("dir-tool"),
        ),
        (
            "paths are left alone",
            "./tool",
            Some(&path),
            PathBuf::from("./tool"),
        ),
        (
            "no PATH leaves the lookup to the spawn",
            "tool",
            None,
            PathBuf::from("tool"),
        ),
    ];
    for (name, program, path, expected) in cases {
        let path = path.map(str::to_string);
        assert_eq!(
            resolve_program(program, path.as_ref(), &work),
            expected,
            "{name}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_program_found_on_path_keeps_its_name_as_argv0() {
    let fixture = Fixture::new();
    let executor = fixture.executor();
    let mut job = periodic("argv0", "");
    job.spec.pod_spec = Some(
        serde_json::from_value(json!({"containers": [{"command": ["sh", "-c", "echo \"$0\""]}]}))
            .unwrap(),
    );
    executor.start(&job).await.unwrap();
    let end = finish(&executor, &job).await;
    assert_eq!(end.state, ExecutionState::Succeeded, "{end:?}");
    assert_eq!(executor.logs(&job).await.unwrap(), "sh\n");
}
