//! `prow mkpj` and `prow serve --components plank` together, as processes sharing one SQLite
//! store: printed ProwJobs, jobs triggered and waited for, and a server killed with `kill -9`
//! in the middle of a run that, restarted, loses no job and leaves none pending.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use prow_core::prowjob::ProwJobState;
use prow_core::traits::{JobSelector, JobStore};
use prow_jobs::store::SqliteStore;

const CONFIG: &str = "prowjob_namespace: default\npod_namespace: test-pods\n";

const JOBS: &str = r#"periodics:
  - name: passes
    interval: 24h
    spec:
      containers:
        - image: alpine
          command: [sh, -c, 'test "$JOB_NAME" = passes && test -n "$BUILD_ID"']
  - name: fails
    interval: 24h
    spec:
      containers:
        - image: alpine
          command: ["false"]
  - name: slow
    interval: 24h
    spec:
      containers:
        - image: alpine
          command: [sh, -c, 'touch "$ARTIFACTS/started"; sleep 600']
postsubmits:
  demo-org/hello:
    - name: post-hello-build
      spec:
        containers:
          - image: alpine
            command: ["true"]
presubmits:
  demo-org/hello:
    - name: pull-hello-unit
      always_run: true
      spec:
        containers:
          - image: alpine
            command: ["true"]
"#;

/// A temporary deployment: config, job config, store and workspaces.
struct Deployment {
    dir: tempfile::TempDir,
}

impl Deployment {
    fn new() -> Deployment {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.yaml"), CONFIG).unwrap();
        std::fs::create_dir(dir.path().join("jobs")).unwrap();
        std::fs::write(dir.path().join("jobs/jobs.yaml"), JOBS).unwrap();
        Deployment { dir }
    }

    fn path(&self, rest: &str) -> PathBuf {
        self.dir.path().join(rest)
    }

    fn config_args(&self) -> Vec<String> {
        vec![
            "--config-path".into(),
            self.path("config.yaml").display().to_string(),
            "--job-config-path".into(),
            self.path("jobs").display().to_string(),
        ]
    }

    fn store_arg(&self) -> String {
        format!("--store=sqlite:{}", self.path("prow.db").display())
    }

    fn mkpj(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_prow"));
        command
            .arg("mkpj")
            .args(self.config_args())
            .arg(self.store_arg())
            .args(args);
        command
    }

    fn serve(&self) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_prow"))
            .args([
                "serve",
                "--components",
                "plank",
                "--port",
                "0",
                "--bind",
                "127.0.0.1",
            ])
            .args(self.config_args())
            .arg(self.store_arg())
            .arg("--workspace-dir")
            .arg(self.path("workspaces"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start prow serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .expect("read the announcement");
        assert!(
            line.contains("plank running"),
            "unexpected first line {line:?}"
        );
        Server { child }
    }

    fn store(&self) -> SqliteStore {
        SqliteStore::open(self.path("prow.db")).unwrap()
    }
}

struct Server {
    child: Child,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Waits (as a hang guard, not a timing check) until `done` holds.
fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn mkpj_prints_a_prowjob_for_each_kind_of_job() {
    let d = Deployment::new();
    let out = d
        .mkpj(&[
            "--job=pull-hello-unit",
            "--base-ref=main",
            "--base-sha=1111111",
            "--pull-number=7",
            "--pull-sha=2222222",
            "--pull-author=alice",
        ])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    for expected in [
        "kind: ProwJob",
        "prow.k8s.io/refs.pull: \"7\"",
        "type: presubmit",
        "job: pull-hello-unit",
        "base_sha: \"1111111\"",
        "author: alice",
        "state: triggered",
    ] {
        assert!(
            stdout.contains(expected),
            "{expected:?} missing from:\n{stdout}"
        );
    }

    let out = d
        .mkpj(&[
            "--job=post-hello-build",
            "--base-ref=main",
            "--base-sha=abc",
        ])
        .output()
        .unwrap();
    let (stdout, _) = text(&out);
    assert!(out.status.success());
    assert!(stdout.contains("type: postsubmit"), "{stdout}");

    let out = d.mkpj(&["--job=passes"]).output().unwrap();
    let (stdout, _) = text(&out);
    assert!(out.status.success());
    assert!(stdout.contains("type: periodic"), "{stdout}");
}

#[test]
fn mkpj_asks_github_for_what_the_flags_leave_out() {
    let d = Deployment::new();
    let seed = d.path("seed.yaml");
    std::fs::write(
        &seed,
        "users:\n- login: alice\norgs:\n- login: demo-org\n  members: [alice]\nrepos:\n- name: demo-org/hello\n  files:\n    README.md: hello\n  pull_requests:\n  - author: alice\n    title: Add a test\n    head: add-test\n    files:\n      test.sh: 'true'\n",
    )
    .unwrap();
    let mut simulator = Command::new(env!("CARGO_BIN_EXE_prow"))
        .args(["simulator", "--port", "0", "--seed"])
        .arg(&seed)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(simulator.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let endpoint = line
        .trim()
        .strip_prefix("prow simulator: GitHub API at ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .trim_end_matches('/')
        .to_string();

    let out = d
        .mkpj(&["--job=pull-hello-unit", "--pull-number=1"])
        .arg(format!("--github-endpoint={endpoint}"))
        .output()
        .unwrap();
    let _ = simulator.kill();
    let _ = simulator.wait();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let job: prow_core::prowjob::ProwJob = prow_core::yaml::from_str(&stdout).unwrap();
    let refs = job.spec.refs.expect("refs");
    assert_eq!(refs.base_ref, "main");
    assert_eq!(refs.base_sha.len(), 40, "the base branch's head: {refs:?}");
    assert_eq!(refs.pulls[0].author, "alice");
    assert_eq!(refs.pulls[0].head_ref, "add-test");
    assert_eq!(
        refs.pulls[0].sha.len(),
        40,
        "the pull request's head: {refs:?}"
    );
    assert_ne!(refs.pulls[0].sha, refs.base_sha);
}

#[test]
fn mkpj_explains_what_it_cannot_do() {
    let d = Deployment::new();
    let out = d.mkpj(&["--job=no-such-job"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).1.contains("job \"no-such-job\" not found"),
        "{:?}",
        text(&out)
    );

    let out = d.mkpj(&["--job=pull-hello-unit"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).1.contains("--pull-number is required"),
        "{:?}",
        text(&out)
    );
}

#[test]
fn mkpj_trigger_waits_for_the_job_and_exits_with_its_result() {
    let d = Deployment::new();
    let _server = d.serve();

    let out = d.mkpj(&["--job=passes", "--trigger"]).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("success Job succeeded."), "{stdout}");

    let out = d.mkpj(&["--job=fails", "--trigger"]).output().unwrap();
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("failure Job failed."), "{stdout}");

    let jobs = runtime()
        .block_on(d.store().list(&JobSelector::default()))
        .unwrap();
    let mut states: Vec<(String, ProwJobState)> = jobs
        .into_iter()
        .map(|j| (j.spec.job, j.status.state.unwrap()))
        .collect();
    states.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        states,
        [
            ("fails".to_string(), ProwJobState::Failure),
            ("passes".to_string(), ProwJobState::Success)
        ]
    );
}

#[test]
fn a_server_killed_mid_run_loses_no_job_and_leaves_none_pending() {
    let d = Deployment::new();
    let mut server = d.serve();

    // A job that runs until killed, and a waiting mkpj in another process.
    let mut waiting = d
        .mkpj(&["--job=slow", "--trigger"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut output = BufReader::new(waiting.stdout.take().unwrap());
    let mut created = String::new();
    output.read_line(&mut created).unwrap();
    let name = created
        .strip_prefix("prowjob ")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("unexpected line {created:?}"))
        .to_string();
    let started = d.path("workspaces").join(&name).join("artifacts/started");
    eventually("the slow job's process to start", || started.exists());

    // The server dies without a chance to clean up.
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let restarted = d.serve();

    let mut rest = String::new();
    output.read_to_string(&mut rest).unwrap();
    let status = waiting.wait().unwrap();
    assert_eq!(
        status.code(),
        Some(1),
        "the waiting mkpj sees the job end: {rest}"
    );
    assert!(rest.contains("error The job's process was lost"), "{rest}");

    let store = d.store();
    let job = runtime().block_on(store.get(&name)).unwrap();
    assert_eq!(job.status.state, Some(ProwJobState::Error));
    assert_eq!(
        job.status.description,
        "The job's process was lost when prow restarted."
    );
    assert!(job.complete());

    // And the restarted server runs new work as before.
    let out = d.mkpj(&["--job=passes", "--trigger"]).output().unwrap();
    assert!(out.status.success(), "{:?}", text(&out));
    let all = runtime()
        .block_on(store.list(&JobSelector::default()))
        .unwrap();
    assert_eq!(all.len(), 2);
    assert!(all.iter().all(|j| j.complete()), "{all:?}");
    drop(restarted);
}
