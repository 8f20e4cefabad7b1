//! The local executor: runs each ProwJob as a process on this machine, in a workspace of its
//! own, the way a decorated Prow pod runs it (clonerefs, then the test container).
//!
//! For a job named `NAME` the workspace is `<root>/NAME`, laid out like a decorated pod's
//! volumes:
//!
//! | path | what |
//! |---|---|
//! | `src/<host>/<org>/<repo>` (or `src/<path_alias>`) | the refs, cloned as clonerefs does; the workspace is the job's `GOPATH` |
//! | `artifacts/` | `$ARTIFACTS` |
//! | `build-log.txt` | the clone log, then everything the process writes to stdout and stderr |
//! | `run.json` | the run's state, so that a restarted server knows what became of it |
//!
//! The process is the first container's `command` + `args`, started in the clone of the
//! ref marked `workdir` (else the first ref; without refs, the container's `workingDir`
//! inside the workspace, else the workspace). Its environment, later entries winning: the
//! server's variables named in [`LocalExecutorOptions::inherit_env`], then
//! [`LocalExecutorOptions::extra_env`], the container's literal `env`, Prow's job
//! variables (`JOB_NAME`, `JOB_SPEC`, `BUILD_ID`, `PULL_NUMBER`, ...) and the decoration's
//! `ARTIFACTS` and `GOPATH`. `$(NAME)` references in command, args and env values are
//! expanded as the kubelet does.
//!
//! The process runs in its own process group; on timeout (counted from the spawn, as
//! upstream's entrypoint does) or abort the whole group gets SIGTERM, then SIGKILL after
//! the grace period, and when the process exits whatever it left running is killed, as
//! with a container. One executor at a time may own a root.

mod clonerefs;
mod state;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use futures_util::Stream;
use nix::sys::signal::Signal;
use prow_core::duration::GoDuration;
use prow_core::prowjob::{JobSpec, ProwJob, ProwJobAgent, Refs, env_for_spec};
use prow_core::traits::{Execution, ExecutorError, JobExecutor, RunInfo};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::watch;
use tokio::task::AbortHandle;
use tokio::time::Instant;

use self::clonerefs::CloneSettings;
use self::state::{RunRecord, RunResult};

/// Name of the job log in a workspace, as upstream's.
pub const BUILD_LOG: &str = "build-log.txt";
/// Name of the artifacts directory in a workspace (`$ARTIFACTS`).
pub const ARTIFACTS_DIR: &str = "artifacts";
/// The build cluster alias the local executor's runs live in.
pub const LOCAL_CLUSTER: &str = "default";

/// Default time a job may run before it is terminated, as upstream's entrypoint (2h).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2 * 60 * 60);
/// Default time between SIGTERM and SIGKILL, as upstream's entrypoint (15s).
pub const DEFAULT_GRACE_PERIOD: Duration = Duration::from_secs(15);
/// Default base of repository URLs (`<base>/<org>/<repo>.git`).
pub const DEFAULT_CLONE_BASE_URL: &str = "https://github.com";
/// Default committer name of merges, as upstream's clonerefs.
pub const DEFAULT_GIT_USER_NAME: &str = "ci-robot";
/// Default committer email of merges, as upstream's clonerefs.
pub const DEFAULT_GIT_USER_EMAIL: &str = "ci-robot@k8s.io";

/// Description of a run whose process was lost with the server that ran it.
pub const LOST_DESCRIPTION: &str = "The job's process was lost when prow restarted.";
/// Description of an aborted run.
pub const ABORTED_DESCRIPTION: &str = "Job aborted.";
/// Description of a run that exited 0.
pub const SUCCEEDED_DESCRIPTION: &str = "Job succeeded.";

/// How long to wait between checks that a terminated process group is gone.
const GROUP_POLL: Duration = Duration::from_millis(50);
/// How often a followed log is read again while its run goes on.
const FOLLOW_POLL: Duration = Duration::from_millis(100);

/// Settings of a [`LocalExecutor`]. [`LocalExecutorOptions::new`] gives the defaults.
#[derive(Clone, Debug)]
pub struct LocalExecutorOptions {
    /// Directory holding one workspace per job, named after the ProwJob. Created if missing.
    pub root: PathBuf,
    /// The git binary used to clone refs (default `git`, looked up on `PATH`).
    pub git: PathBuf,
    /// Base of the URL refs are fetched from when they have neither `clone_uri` nor
    /// `repo_link`: `<clone_base_url>/<org>/<repo>.git` (default `https://github.com`). A
    /// local directory of `<org>/<repo>.git` repositories works too.
    pub clone_base_url: String,
    /// How long a job may run when its `decoration_config.timeout` is unset or zero
    /// (default [`DEFAULT_TIMEOUT`], 2h as upstream).
    pub default_timeout: Duration,
    /// How long a terminated job has between SIGTERM and SIGKILL when its
    /// `decoration_config.grace_period` is unset or zero (default [`DEFAULT_GRACE_PERIOD`],
    /// 15s as upstream).
    pub default_grace_period: Duration,
    /// Variables of the server's own environment passed on to git and to jobs (default
    /// `PATH`, `HOME`, `USER`, `LANG`, `TZ`, `TMPDIR`); nothing else of it is.
    pub inherit_env: Vec<String>,
    /// Variables set for git and for every job, over the inherited ones (default none). A
    /// job's own `env` and Prow's variables override them.
    pub extra_env: BTreeMap<String, String>,
    /// `user.name` configured in every clone, the committer of merges (default
    /// `ci-robot`; empty skips it).
    pub git_user_name: String,
    /// `user.email` configured in every clone (default `ci-robot@k8s.io`; empty skips it).
    pub git_user_email: String,
    /// Pauses between the retries of a failed `git fetch` (default upstream's: 100ms,
    /// 200ms, 400ms, 800ms, 2s, 5s, 10s, 15s, 30s; empty for no retries).
    pub fetch_retries: Vec<Duration>,
}

impl LocalExecutorOptions {
    /// The default options for workspaces under `root`.
    pub fn new(root: impl Into<PathBuf>) -> LocalExecutorOptions {
        LocalExecutorOptions {
            root: root.into(),
            git: PathBuf::from("git"),
            clone_base_url: DEFAULT_CLONE_BASE_URL.to_string(),
            default_timeout: DEFAULT_TIMEOUT,
            default_grace_period: DEFAULT_GRACE_PERIOD,
            inherit_env: ["PATH", "HOME", "USER", "LANG", "TZ", "TMPDIR"]
                .into_iter()
                .map(String::from)
                .collect(),
            extra_env: BTreeMap::new(),
            git_user_name: DEFAULT_GIT_USER_NAME.to_string(),
            git_user_email: DEFAULT_GIT_USER_EMAIL.to_string(),
            fetch_retries: [100, 200, 400, 800, 2_000, 5_000, 10_000, 15_000, 30_000]
                .into_iter()
                .map(Duration::from_millis)
                .collect(),
        }
    }
}

/// Runs ProwJobs as local processes: prow-rs's default [`JobExecutor`].
///
/// [`start`](JobExecutor::start) makes the job's workspace and returns at once (the run is
/// `Pending`); a background task clones the refs, spawns the first container's
/// `command`/`args` with Prow's job environment, and enforces the timeout. The run is
/// `Running` from the spawn and ends `Succeeded` or `Failed` with the exit code.
///
/// [`abort`](JobExecutor::abort) ends the run at once (`status` reports it `Failed`, "Job
/// aborted.") and terminates its process group in the background;
/// [`delete_run`](JobExecutor::delete_run) waits for the group to be gone before it removes
/// the workspace.
///
/// Dropping the executor leaves its processes running, as a killed server would; a new
/// executor over the same root kills such orphans and reports their runs as
/// [`Error`](prow_core::traits::ExecutionState::Error) ([`LOST_DESCRIPTION`]) when asked
/// about them, so plank marks their jobs `error` instead of leaving them pending.
///
/// ```no_run
/// use prow_core::prowjob::ProwJob;
/// use prow_core::traits::{ExecutorError, JobExecutor};
/// use prow_jobs::executor::{LocalExecutor, LocalExecutorOptions};
///
/// # async fn run(job: ProwJob) -> Result<(), ExecutorError> {
/// let executor = LocalExecutor::new(LocalExecutorOptions::new("/var/lib/prow/jobs"))?;
/// let execution = executor.start(&job).await?;
/// println!("{} is {:?}", execution.name, execution.state);
/// println!("log so far: {}", executor.logs(&job).await?);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct LocalExecutor {
    inner: Arc<Inner>,
}

struct Inner {
    options: LocalExecutorOptions,
    runs: Mutex<HashMap<String, Arc<Run>>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        let runs = self.runs.get_mut().unwrap_or_else(|e| e.into_inner());
        for run in runs.values() {
            if let Some(task) = lock(&run.task).take() {
                task.abort();
            }
        }
    }
}

/// A run this executor started and drives.
struct Run {
    workspace: PathBuf,
    record: Mutex<RunRecord>,
    abort: watch::Sender<bool>,
    done: watch::Sender<bool>,
    task: Mutex<Option<AbortHandle>>,
}

impl Run {
    fn execution(&self) -> Execution {
        lock(&self.record).execution()
    }

    /// Changes the record and persists it.
    fn update(&self, change: impl FnOnce(&mut RunRecord)) {
        let mut record = lock(&self.record);
        change(&mut record);
        if let Err(e) = record.store(&self.workspace) {
            tracing::warn!(job = %record.job, error = %e, "cannot write the run's state file");
        }
    }

    /// Marks the run aborted (unless it ended already) and tells its task to terminate.
    fn abort(&self) {
        self.update(|r| r.decide(RunResult::Failed, ABORTED_DESCRIPTION));
        self.abort.send_replace(true);
    }

    async fn wait_done(&self) {
        let mut done = self.done.subscribe();
        let _ = done.wait_for(|d| *d).await;
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Everything a run needs, worked out from the ProwJob before anything starts.
struct RunPlan {
    job: String,
    workspace: PathBuf,
    program: String,
    args: Vec<String>,
    env: BTreeMap<String, String>,
    refs: Vec<Refs>,
    work_dir: PathBuf,
    timeout: Duration,
    grace: Duration,
    clone: CloneSettings,
}

impl RunPlan {
    fn log_path(&self) -> PathBuf {
        self.workspace.join(BUILD_LOG)
    }
}

/// How a run's task ended it.
struct Outcome {
    result: RunResult,
    description: String,
    exit_code: Option<i32>,
}

impl Outcome {
    fn failed(description: impl Into<String>) -> Outcome {
        Outcome {
            result: RunResult::Failed,
            description: description.into(),
            exit_code: None,
        }
    }
}

impl LocalExecutor {
    /// An executor keeping workspaces under `options.root`, which is created if missing.
    pub fn new(mut options: LocalExecutorOptions) -> Result<Self, ExecutorError> {
        std::fs::create_dir_all(&options.root)
            .map_err(|e| backend(format!("cannot create {}", options.root.display()), e))?;
        options.root = std::fs::canonicalize(&options.root)
            .map_err(|e| backend(format!("cannot resolve {}", options.root.display()), e))?;
        Ok(LocalExecutor {
            inner: Arc::new(Inner {
                options,
                runs: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// The options in force (with `root` made absolute).
    pub fn options(&self) -> &LocalExecutorOptions {
        &self.inner.options
    }

    /// The workspace of `job`: `<root>/<ProwJob name>`.
    pub fn workspace(&self, job: &ProwJob) -> PathBuf {
        self.inner.options.root.join(&job.metadata.name)
    }

    /// The job log of `job`: `<workspace>/build-log.txt`.
    pub fn log_path(&self, job: &ProwJob) -> PathBuf {
        self.workspace(job).join(BUILD_LOG)
    }

    /// The artifacts directory of `job` (its `$ARTIFACTS`): `<workspace>/artifacts`.
    pub fn artifacts_dir(&self, job: &ProwJob) -> PathBuf {
        self.workspace(job).join(ARTIFACTS_DIR)
    }

    /// Follows `job`'s log: a stream of chunks of the log as it grows, which ends once the
    /// run has ended and everything it wrote was read. For a run this executor does not
    /// drive (one from before a restart), the log as it is now.
    pub fn follow_logs(
        &self,
        job: &ProwJob,
    ) -> Result<impl Stream<Item = io::Result<Vec<u8>>> + Send + 'static, ExecutorError> {
        let name = job_name(job)?;
        let done = match self.run(name) {
            Some(run) => Some(run.done.subscribe()),
            None => {
                self.disk_record(name)?;
                None
            }
        };
        let follow = Follow {
            path: self.log_path(job),
            file: None,
            done,
            draining: false,
            ended: false,
        };
        Ok(futures_util::stream::unfold(follow, Follow::next))
    }

    fn run(&self, name: &str) -> Option<Arc<Run>> {
        lock(&self.inner.runs).get(name).cloned()
    }

    fn workspace_of(&self, name: &str) -> PathBuf {
        self.inner.options.root.join(name)
    }

    /// The state record of a run no task of this executor drives; NotFound when none.
    fn disk_record(&self, name: &str) -> Result<RunRecord, ExecutorError> {
        RunRecord::load(&self.workspace_of(name))
            .map_err(|e| backend(format!("cannot read the state of {name}"), e))?
            .ok_or_else(|| ExecutorError::NotFound(name.to_string()))
    }

    /// Settles a run no task of this executor drives: kills its orphaned process group and,
    /// if it had not ended, ends it with `result`.
    fn settle(
        &self,
        name: &str,
        result: RunResult,
        description: &str,
    ) -> Result<RunRecord, ExecutorError> {
        let mut record = self.disk_record(name)?;
        let before = record.clone();
        state::kill_orphan(&mut record);
        record.decide(result, description);
        if record != before {
            record
                .store(&self.workspace_of(name))
                .map_err(|e| backend(format!("cannot write the state of {name}"), e))?;
        }
        Ok(record)
    }

    /// Works out how `job` runs, refusing jobs it cannot run.
    fn plan(&self, job: &ProwJob, name: &str) -> Result<RunPlan, ExecutorError> {
        let options = &self.inner.options;
        if let Some(agent) = &job.spec.agent
            && *agent != ProwJobAgent::Kubernetes
        {
            return Err(ExecutorError::Unsupported(format!(
                "the local executor runs pod specs, not {agent} jobs"
            )));
        }
        let pod_spec = job
            .spec
            .pod_spec
            .as_ref()
            .filter(|p| !p.containers().is_empty())
            .ok_or_else(|| ExecutorError::Unsupported("the job has no containers".into()))?;
        let mut command = pod_spec.command(0);
        command.extend(pod_spec.args(0));
        if command.is_empty() {
            return Err(ExecutorError::Unsupported(
                "the job's container has no command: the local executor runs no images".into(),
            ));
        }

        let workspace = self.workspace_of(name);
        let decoration = job.spec.decoration_config.as_ref();
        let refs: Vec<Refs> = if decoration.and_then(|d| d.skip_cloning) == Some(true) {
            Vec::new()
        } else {
            job.spec
                .refs
                .iter()
                .chain(&job.spec.extra_refs)
                .cloned()
                .collect()
        };
        let work_dir = if refs.is_empty() {
            match pod_spec.containers()[0]
                .get("workingDir")
                .and_then(|w| w.as_str())
                .filter(|w| !w.is_empty())
            {
                Some(dir) => workspace.join(dir),
                None => workspace.clone(),
            }
        } else {
            clonerefs::work_dir(&workspace, &refs).ok_or_else(|| {
                ExecutorError::Unsupported("a ref's clone path leaves the workspace".into())
            })?
        };

        let timeout = decoration
            .and_then(|d| d.timeout)
            .map(GoDuration::as_std)
            .filter(|d| !d.is_zero())
            .unwrap_or(options.default_timeout);
        let grace = decoration
            .and_then(|d| d.grace_period)
            .map(GoDuration::as_std)
            .filter(|d| !d.is_zero())
            .unwrap_or(options.default_grace_period);

        let mut base_env: BTreeMap<String, String> = options
            .inherit_env
            .iter()
            .filter_map(|k| std::env::var(k).ok().map(|v| (k.clone(), v)))
            .collect();
        base_env.extend(options.extra_env.clone());

        let prow_env = env_for_spec(&JobSpec::from_prowjob(job))
            .map_err(|e| ExecutorError::Unsupported(e.to_string()))?;
        let mut env = base_env.clone();
        let mut container_env = BTreeMap::new();
        for (key, value) in pod_spec.env(0) {
            let value = expand_references(&value, &container_env);
            container_env.insert(key, value);
        }
        env.extend(container_env);
        env.extend(prow_env);
        env.insert(
            "ARTIFACTS".into(),
            workspace.join(ARTIFACTS_DIR).display().to_string(),
        );
        env.insert("GOPATH".into(), workspace.display().to_string());
        let mut command: Vec<String> = command
            .iter()
            .map(|arg| expand_references(arg, &env))
            .collect();
        let program = command.remove(0);

        Ok(RunPlan {
            job: name.to_string(),
            program,
            args: command,
            env,
            refs,
            work_dir,
            timeout,
            grace,
            clone: CloneSettings {
                git: options.git.clone(),
                clone_base_url: options.clone_base_url.clone(),
                user_name: options.git_user_name.clone(),
                user_email: options.git_user_email.clone(),
                env: base_env.into_iter().collect(),
                fetch_retries: options.fetch_retries.clone(),
            },
            workspace,
        })
    }
}

/// Expands Kubernetes' `$(NAME)` references to variables of `env`, as the kubelet does in
/// a container's command, args and env values: `$$` is a literal `$`, and a reference to
/// an unknown variable stays as written.
fn expand_references(text: &str, env: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(inner) = after.strip_prefix('(')
            && let Some(close) = inner.find(')')
        {
            let name = &inner[..close];
            match env.get(name) {
                Some(value) => out.push_str(value),
                None => {
                    out.push_str("$(");
                    out.push_str(name);
                    out.push(')');
                }
            }
            rest = &inner[close + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

fn backend(what: String, error: io::Error) -> ExecutorError {
    ExecutorError::Backend(format!("{what}: {error}"))
}

/// The ProwJob's name, which names its workspace; refused when it cannot be a directory
/// name.
fn job_name(job: &ProwJob) -> Result<&str, ExecutorError> {
    let name = job.metadata.name.as_str();
    if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\0']) {
        return Err(ExecutorError::Unsupported(format!(
            "{name:?} cannot name a workspace"
        )));
    }
    Ok(name)
}

#[async_trait]
impl JobExecutor for LocalExecutor {
    async fn start(&self, job: &ProwJob) -> Result<Execution, ExecutorError> {
        let name = job_name(job)?;
        let mut runs = lock(&self.inner.runs);
        if let Some(run) = runs.get(name) {
            return Ok(run.execution());
        }
        let plan = self.plan(job, name)?;
        let workspace = plan.workspace.clone();
        // A run from before a restart: report a finished one, replace a lost one.
        if let Some(mut previous) = RunRecord::load(&workspace)
            .map_err(|e| backend(format!("cannot read the state of {name}"), e))?
        {
            let killed = state::kill_orphan(&mut previous);
            if matches!(
                previous.result,
                Some(RunResult::Succeeded | RunResult::Failed)
            ) {
                if killed {
                    previous
                        .store(&workspace)
                        .map_err(|e| backend(format!("cannot write the state of {name}"), e))?;
                }
                return Ok(previous.execution());
            }
            tracing::info!(job = %name, "replacing a run lost in a restart");
        }
        match std::fs::remove_dir_all(&workspace) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(backend(format!("cannot clear {}", workspace.display()), e)),
        }
        std::fs::create_dir_all(&workspace)
            .map_err(|e| backend(format!("cannot create {}", workspace.display()), e))?;
        let record = RunRecord::new(name);
        record
            .store(&workspace)
            .map_err(|e| backend(format!("cannot write the state of {name}"), e))?;
        let run = Arc::new(Run {
            workspace,
            record: Mutex::new(record),
            abort: watch::channel(false).0,
            done: watch::channel(false).0,
            task: Mutex::new(None),
        });
        let task = tokio::spawn(drive(Arc::clone(&run), plan));
        *lock(&run.task) = Some(task.abort_handle());
        runs.insert(name.to_string(), Arc::clone(&run));
        tracing::info!(job = %name, "started local run");
        Ok(run.execution())
    }

    async fn status(&self, job: &ProwJob) -> Result<Execution, ExecutorError> {
        let name = job_name(job)?;
        if let Some(run) = self.run(name) {
            return Ok(run.execution());
        }
        Ok(self
            .settle(name, RunResult::Lost, LOST_DESCRIPTION)?
            .execution())
    }

    async fn abort(&self, job: &ProwJob) -> Result<(), ExecutorError> {
        let name = job_name(job)?;
        if let Some(run) = self.run(name) {
            run.abort();
            return Ok(());
        }
        self.settle(name, RunResult::Failed, ABORTED_DESCRIPTION)?;
        Ok(())
    }

    async fn logs(&self, job: &ProwJob) -> Result<String, ExecutorError> {
        let name = job_name(job)?;
        if self.run(name).is_none() {
            self.disk_record(name)?;
        }
        match tokio::fs::read(self.log_path(job)).await {
            Ok(bytes) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(String::new()),
            Err(e) => Err(backend(format!("cannot read the log of {name}"), e)),
        }
    }

    async fn runs(&self) -> Result<Vec<RunInfo>, ExecutorError> {
        let root = &self.inner.options.root;
        let entries = std::fs::read_dir(root)
            .map_err(|e| backend(format!("cannot list {}", root.display()), e))?;
        let mut runs = Vec::new();
        for entry in entries.flatten() {
            let Ok(Some(record)) = RunRecord::load(&entry.path()) else {
                continue;
            };
            runs.push(RunInfo {
                name: entry.file_name().to_string_lossy().into_owned(),
                job: Some(record.job),
                cluster: LOCAL_CLUSTER.to_string(),
                created: record.created,
                finished: record.finished,
            });
        }
        runs.sort_by(|a, b| a.created.cmp(&b.created).then(a.name.cmp(&b.name)));
        Ok(runs)
    }

    async fn delete_run(&self, run: &RunInfo) -> Result<(), ExecutorError> {
        let name = run.name.as_str();
        if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\0']) {
            return Err(ExecutorError::NotFound(name.to_string()));
        }
        let workspace = self.workspace_of(name);
        if let Some(active) = self.run(name) {
            active.abort();
            active.wait_done().await;
            lock(&self.inner.runs).remove(name);
        } else if !workspace.exists() {
            return Err(ExecutorError::NotFound(name.to_string()));
        } else if let Ok(Some(mut record)) = RunRecord::load(&workspace) {
            state::kill_orphan(&mut record);
        }
        match tokio::fs::remove_dir_all(&workspace).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(backend(format!("cannot remove {}", workspace.display()), e)),
        }
    }
}

/// The task driving one run from cloning to its end.
async fn drive(run: Arc<Run>, plan: RunPlan) {
    let outcome = execute(&run, &plan).await;
    tracing::info!(job = %plan.job, description = %outcome.description, "local run ended");
    run.update(|r| {
        r.decide(outcome.result, outcome.description);
        r.exit_code = outcome.exit_code;
        r.process_gone = true;
    });
    run.done.send_replace(true);
}

/// Resolves once the run is asked to abort.
async fn aborted(abort: &mut watch::Receiver<bool>) {
    if abort.wait_for(|a| *a).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Appends our own lines (the clone log, timeout notes) to the job log.
async fn append_log(path: &Path, text: &str) {
    let written = async {
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .await?;
        file.write_all(text.as_bytes()).await?;
        file.flush().await
    }
    .await;
    if let Err(e) = written {
        tracing::warn!(path = %path.display(), error = %e, "cannot write the job log");
    }
}

async fn execute(run: &Run, plan: &RunPlan) -> Outcome {
    let mut abort = run.abort.subscribe();
    let log = plan.log_path();

    for refs in &plan.refs {
        let record = tokio::select! {
            record = clonerefs::clone_refs(refs, &plan.workspace, &plan.clone) => record,
            () = aborted(&mut abort) => return Outcome::failed(ABORTED_DESCRIPTION),
        };
        append_log(&log, &record.format()).await;
        if let Some(failure) = record.failure() {
            return Outcome::failed(failure);
        }
    }

    let mut child = match spawn(plan) {
        Ok(child) => child,
        Err(e) => {
            let message = format!("could not start the process: {e}");
            append_log(&log, &format!("{message}\n")).await;
            return Outcome::failed(format!("Job failed: {message}."));
        }
    };
    let Some(pgid) = child.id().and_then(|p| i32::try_from(p).ok()) else {
        return Outcome::failed("Job failed: the process vanished as it started.");
    };
    run.update(|r| {
        r.pid = Some(pgid);
        r.started = Some(chrono::Utc::now());
    });

    enum End {
        Exited(io::Result<ExitStatus>),
        TimedOut,
        Aborted,
    }
    let end = tokio::select! {
        status = child.wait() => End::Exited(status),
        () = tokio::time::sleep(plan.timeout) => End::TimedOut,
        () = aborted(&mut abort) => End::Aborted,
    };
    match end {
        End::Exited(status) => {
            // Like a container's end: nothing the job left behind keeps running.
            state::signal_group(pgid, Signal::SIGKILL);
            match status {
                Ok(status) => exit_outcome(status),
                Err(e) => Outcome::failed(format!("Job failed: cannot wait for the process: {e}.")),
            }
        }
        End::TimedOut => {
            let description = format!(
                "Process did not finish before {} timeout",
                GoDuration::from_std(plan.timeout)
            );
            append_log(&log, &format!("{description}\n")).await;
            let status = terminate(&mut child, pgid, plan.grace, &log).await;
            Outcome {
                result: RunResult::Failed,
                description,
                exit_code: status.map(exit_code),
            }
        }
        End::Aborted => {
            let status = terminate(&mut child, pgid, plan.grace, &log).await;
            Outcome {
                result: RunResult::Failed,
                description: ABORTED_DESCRIPTION.to_string(),
                exit_code: status.map(exit_code),
            }
        }
    }
}

/// Spawns the job's process in its own process group, writing to the job log.
fn spawn(plan: &RunPlan) -> io::Result<tokio::process::Child> {
    std::fs::create_dir_all(plan.workspace.join(ARTIFACTS_DIR))?;
    std::fs::create_dir_all(&plan.work_dir)?;
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(plan.log_path())?;
    let program = resolve_program(&plan.program, plan.env.get("PATH"), &plan.work_dir);
    tokio::process::Command::new(program)
        .arg0(&plan.program)
        .args(&plan.args)
        .env_clear()
        .envs(&plan.env)
        .current_dir(&plan.work_dir)
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .process_group(0)
        .spawn()
}

/// The file a bare program name (no `/`) runs: the first executable regular file named
/// `program` in the job's `PATH` (relative entries, the empty one included, taken from
/// `work_dir`, where the process starts), as `execvp` finds it in the new process. Any
/// other program, or one not found, is returned as it is and left to the spawn.
///
/// Looking it up here lets the spawn use `posix_spawn` (a `vfork`) rather than copying
/// this process's page tables with `fork`, which the standard library falls back to when
/// a changed `PATH` and a working directory both apply; `argv[0]` stays the name.
fn resolve_program(program: &str, path: Option<&String>, work_dir: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    if program.is_empty() || program.contains('/') {
        return PathBuf::from(program);
    }
    let Some(path) = path else {
        return PathBuf::from(program);
    };
    for dir in path.split(':') {
        let candidate = work_dir.join(dir).join(program);
        if let Ok(meta) = std::fs::metadata(&candidate)
            && meta.is_file()
            && meta.permissions().mode() & 0o111 != 0
        {
            return candidate;
        }
    }
    PathBuf::from(program)
}

/// Terminates the job's process group: SIGTERM, then SIGKILL to whatever is left after the
/// grace period. Returns the process's exit status.
async fn terminate(
    child: &mut tokio::process::Child,
    pgid: i32,
    grace: Duration,
    log: &Path,
) -> Option<ExitStatus> {
    state::signal_group(pgid, Signal::SIGTERM);
    let deadline = Instant::now() + grace;
    let mut status = tokio::select! {
        status = child.wait() => status.ok(),
        () = tokio::time::sleep_until(deadline) => None,
    };
    if status.is_some() {
        while state::group_alive(pgid) && Instant::now() < deadline {
            tokio::time::sleep(GROUP_POLL).await;
        }
    }
    if status.is_none() || state::group_alive(pgid) {
        append_log(
            log,
            &format!(
                "Process did not exit before {} grace period\n",
                GoDuration::from_std(grace)
            ),
        )
        .await;
        state::signal_group(pgid, Signal::SIGKILL);
    }
    if status.is_none() {
        status = child.wait().await.ok();
    }
    status
}

fn exit_code(status: ExitStatus) -> i32 {
    status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(-1)
}

fn exit_outcome(status: ExitStatus) -> Outcome {
    if status.success() {
        return Outcome {
            result: RunResult::Succeeded,
            description: SUCCEEDED_DESCRIPTION.to_string(),
            exit_code: Some(0),
        };
    }
    let description = match (status.code(), status.signal()) {
        (Some(code), _) => format!("Job failed: the process exited with code {code}."),
        (None, Some(signal)) => {
            let name = Signal::try_from(signal)
                .map(|s| s.to_string())
                .unwrap_or_else(|_| signal.to_string());
            format!("Job failed: the process was killed by {name}.")
        }
        (None, None) => "Job failed.".to_string(),
    };
    Outcome {
        result: RunResult::Failed,
        description,
        exit_code: Some(exit_code(status)),
    }
}

/// The state of a followed log.
struct Follow {
    path: PathBuf,
    file: Option<tokio::fs::File>,
    done: Option<watch::Receiver<bool>>,
    draining: bool,
    ended: bool,
}

impl Follow {
    async fn next(mut self) -> Option<(io::Result<Vec<u8>>, Follow)> {
        if self.ended {
            return None;
        }
        loop {
            if self.file.is_none() {
                match tokio::fs::File::open(&self.path).await {
                    Ok(file) => self.file = Some(file),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(e) => {
                        self.ended = true;
                        return Some((Err(e), self));
                    }
                }
            }
            if let Some(file) = self.file.as_mut() {
                let mut chunk = vec![0; 8192];
                match file.read(&mut chunk).await {
                    Ok(0) => {}
                    Ok(n) => {
                        chunk.truncate(n);
                        return Some((Ok(chunk), self));
                    }
                    Err(e) => {
                        self.ended = true;
                        return Some((Err(e), self));
                    }
                }
            }
            // At the end of what is written so far.
            if self.draining {
                return None;
            }
            match self.done.as_mut() {
                None => return None,
                Some(done) if *done.borrow() => self.draining = true,
                Some(done) => {
                    tokio::select! {
                        changed = done.changed() => if changed.is_err() { self.draining = true },
                        () = tokio::time::sleep(FOLLOW_POLL) => {}
                    }
                }
            }
        }
    }
}
