//! Cloning a job's refs into its workspace the way Prow's clonerefs utility does: one
//! repository per ref under `src/`, the base checked out and each pull merged in order.

use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use prow_core::duration::GoDuration;
use prow_core::prowjob::Refs;

/// Host a ref without a path alias or repo link is laid out under, as upstream.
const DEFAULT_HOST: &str = "github.com";

/// How refs are cloned: the git binary, where repositories live and who merges.
#[derive(Clone, Debug)]
pub(crate) struct CloneSettings {
    /// The git binary.
    pub git: PathBuf,
    /// Base of repository URLs for refs without `clone_uri` or `repo_link`.
    pub clone_base_url: String,
    /// `user.name` configured in each clone (skipped when empty).
    pub user_name: String,
    /// `user.email` configured in each clone (skipped when empty).
    pub user_email: String,
    /// The environment of every git command.
    pub env: Vec<(String, String)>,
    /// Pauses between retries of a failed fetch.
    pub fetch_retries: Vec<Duration>,
}

/// One command clonerefs ran, for the clone log.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct CloneCommand {
    /// The command line as logged.
    pub command: String,
    /// Its combined output.
    pub output: String,
    /// Why it failed, empty when it did not.
    pub error: String,
    /// How long it ran.
    pub duration: Duration,
}

/// What cloning one ref did, as upstream's clone record.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct CloneRecord {
    /// The ref that was cloned.
    pub refs: Refs,
    /// The commands run, in order; the last one failed when `failed` is set.
    pub commands: Vec<CloneCommand>,
    /// Whether cloning failed.
    pub failed: bool,
    /// `HEAD` after the merges, when cloning succeeded.
    pub final_sha: String,
    /// How long cloning took.
    pub duration: Duration,
}

impl CloneRecord {
    /// The record as upstream prints it into build logs.
    pub fn format(&self) -> String {
        let mut out = String::new();
        if self.failed {
            out.push_str("# FAILED\n");
        }
        if self.refs.repo.is_empty() {
            out.push_str("Environment setup");
        } else {
            let _ = write!(
                out,
                "# Cloning {}/{} at {}",
                self.refs.org, self.refs.repo, self.refs.base_ref
            );
        }
        if !self.refs.base_sha.is_empty() {
            let _ = write!(out, "({})", self.refs.base_sha);
        }
        out.push('\n');
        if !self.refs.pulls.is_empty() {
            out.push_str("# Checking out pulls:\n");
            for pull in &self.refs.pulls {
                let _ = write!(out, "#\t{}", pull.number);
                if !pull.sha.is_empty() {
                    let _ = write!(out, "({})", pull.sha);
                }
                out.push('\n');
            }
        }
        for command in &self.commands {
            let _ = write!(out, "$ {}", command.command);
            if !command.duration.is_zero() {
                let _ = write!(
                    out,
                    " (runtime: {})",
                    GoDuration::from_std(command.duration)
                );
            }
            out.push('\n');
            out.push_str(&command.output);
            if !command.error.is_empty() {
                let _ = writeln!(out, "# Error: {}", command.error);
            }
        }
        let _ = writeln!(out, "# Final SHA: {}", self.final_sha);
        let _ = writeln!(
            out,
            "# Total runtime: {}",
            GoDuration::from_std(self.duration)
        );
        out
    }

    /// Why cloning failed, naming the repository and the failed command; `None` when it
    /// succeeded.
    pub fn failure(&self) -> Option<String> {
        if !self.failed {
            return None;
        }
        let what = match self.commands.last() {
            Some(c) => format!("`{}` failed: {}", c.command, c.error),
            None => "unknown error".to_string(),
        };
        Some(format!(
            "Failed to clone {}/{}: {what}",
            self.refs.org, self.refs.repo
        ))
    }
}

/// The path of `refs` under `src/`, as upstream's `PathForRefs`: the path alias, else the
/// repo link without its scheme, else `github.com/org/repo`.
pub(crate) fn relative_clone_path(refs: &Refs) -> String {
    if !refs.path_alias.is_empty() {
        refs.path_alias.clone()
    } else if !refs.repo_link.is_empty() {
        refs.repo_link
            .rsplit("://")
            .next()
            .unwrap_or_default()
            .to_string()
    } else {
        format!("{DEFAULT_HOST}/{}/{}", refs.org, refs.repo)
    }
}

/// Where `refs` is cloned inside a workspace (the job's `GOPATH`): `<workspace>/src/<path>`.
/// `None` when the path would leave the workspace (`..`, an absolute alias).
pub(crate) fn clone_path(workspace: &Path, refs: &Refs) -> Option<PathBuf> {
    let relative = relative_clone_path(refs);
    let mut path = workspace.join("src");
    for component in Path::new(&relative).components() {
        match component {
            Component::Normal(part) => path.push(part),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(path)
}

/// The working directory of a decorated job: the clone of the first ref marked `workdir`,
/// else of the first ref, as upstream's `DetermineWorkDir`.
pub(crate) fn work_dir(workspace: &Path, refs: &[Refs]) -> Option<PathBuf> {
    let chosen = refs.iter().find(|r| r.workdir).or_else(|| refs.first())?;
    clone_path(workspace, chosen)
}

/// The URL a ref is fetched from: its `clone_uri`, else its repo link plus `.git`, else
/// `<clone_base_url>/<org>/<repo>.git`.
pub(crate) fn repository_uri(refs: &Refs, clone_base_url: &str) -> String {
    if !refs.clone_uri.is_empty() {
        refs.clone_uri.clone()
    } else if !refs.repo_link.is_empty() {
        format!("{}.git", refs.repo_link)
    } else {
        format!(
            "{}/{}/{}.git",
            clone_base_url.trim_end_matches('/'),
            refs.org,
            refs.repo
        )
    }
}

/// Runs the commands of one clone, recording each.
struct Cloner<'a> {
    settings: &'a CloneSettings,
    dir: PathBuf,
    record: CloneRecord,
}

impl Cloner<'_> {
    /// Runs one step in the clone, records it and says whether it succeeded.
    async fn step(&mut self, step: &GitStep) -> bool {
        let args: Vec<&str> = step.args.iter().map(String::as_str).collect();
        let (args, env, retry) = (args.as_slice(), step.env.as_slice(), step.retry);
        let started = Instant::now();
        let (mut output, mut error) = self.run_git(args, env).await;
        if retry {
            for pause in &self.settings.fetch_retries {
                if error.is_empty() {
                    break;
                }
                tracing::debug!(?args, %error, ?pause, "retrying git fetch");
                tokio::time::sleep(*pause).await;
                (output, error) = self.run_git(args, env).await;
            }
        }
        let mut command = format!("PWD={} ", self.dir.display());
        for (key, value) in env {
            let _ = write!(command, "{key}={value} ");
        }
        let _ = write!(
            command,
            "{} {}",
            self.settings.git.display(),
            args.join(" ")
        );
        self.push(command, output, error, started)
    }

    fn push(&mut self, command: String, output: String, error: String, started: Instant) -> bool {
        let ok = error.is_empty();
        if !ok {
            self.record.failed = true;
        }
        self.record.commands.push(CloneCommand {
            command,
            output,
            error,
            duration: started.elapsed(),
        });
        ok
    }

    /// Runs git, returning its combined output and an error text (empty on success).
    async fn run_git(&self, args: &[&str], env: &[(String, String)]) -> (String, String) {
        match self.git_output(args, env).await {
            Ok(output) => {
                let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
                text.push_str(&String::from_utf8_lossy(&output.stderr));
                let error = if output.status.success() {
                    String::new()
                } else {
                    output.status.to_string()
                };
                (text, error)
            }
            Err(e) => (String::new(), e.to_string()),
        }
    }

    async fn git_output(
        &self,
        args: &[&str],
        env: &[(String, String)],
    ) -> std::io::Result<std::process::Output> {
        tokio::process::Command::new(&self.settings.git)
            .args(args)
            .current_dir(&self.dir)
            .env_clear()
            .envs(self.settings.env.iter().map(|(k, v)| (k, v)))
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .output()
            .await
    }

    /// Output of a git query that is not part of the record (`None` when it fails).
    async fn query(&self, args: &[&str]) -> Option<String> {
        let output = self.git_output(args, &[]).await.ok()?;
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
    }
}

/// The environment git needs to stay non-interactive and reproducible in a job workspace:
/// no prompts, no editor for merge messages, no commit signing.
fn git_quiet_env() -> Vec<(String, String)> {
    [
        ("GIT_TERMINAL_PROMPT", "0"),
        ("GIT_MERGE_AUTOEDIT", "no"),
        ("GIT_CONFIG_COUNT", "1"),
        ("GIT_CONFIG_KEY_0", "commit.gpgsign"),
        ("GIT_CONFIG_VALUE_0", "false"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// Clones `refs` into `<workspace>/src/...` as clonerefs does: `git init`, the committer
/// identity, a fetch of tags (unless `skip_fetch_head`), a fetch of the base SHA (or base
/// ref), a checkout of the base branch at it, then for each pull a fetch of its ref and a
/// `git merge --no-ff` with commit dates one second apart after the base commit, and
/// finally the submodules (unless `skip_submodules`).
pub(crate) async fn clone_refs(
    refs: &Refs,
    workspace: &Path,
    settings: &CloneSettings,
) -> CloneRecord {
    let started = Instant::now();
    let mut settings = settings.clone();
    settings.env.extend(git_quiet_env());
    let mut cloner = Cloner {
        settings: &settings,
        dir: PathBuf::new(),
        record: CloneRecord {
            refs: refs.clone(),
            ..CloneRecord::default()
        },
    };
    let mut record = clone_into(&mut cloner, refs, workspace).await;
    record.duration = started.elapsed();
    record
}

async fn clone_into(cloner: &mut Cloner<'_>, refs: &Refs, workspace: &Path) -> CloneRecord {
    let step_started = Instant::now();
    let Some(dir) = clone_path(workspace, refs) else {
        cloner.push(
            format!("mkdir -p src/{}", relative_clone_path(refs)),
            String::new(),
            "the clone path leaves the workspace".to_string(),
            step_started,
        );
        return std::mem::take(&mut cloner.record);
    };
    let mkdir = tokio::fs::create_dir_all(&dir).await;
    let ok = cloner.push(
        format!("mkdir -p {}", dir.display()),
        String::new(),
        mkdir.err().map(|e| e.to_string()).unwrap_or_default(),
        step_started,
    );
    if !ok {
        return std::mem::take(&mut cloner.record);
    }
    cloner.dir = dir;
    if run_steps(cloner, refs).await {
        cloner.record.final_sha = cloner
            .query(&["rev-parse", "HEAD"])
            .await
            .unwrap_or_default();
    }
    std::mem::take(&mut cloner.record)
}

/// Runs the git commands of one clone; false as soon as one fails.
async fn run_steps(cloner: &mut Cloner<'_>, refs: &Refs) -> bool {
    let uri = repository_uri(refs, &cloner.settings.clone_base_url);
    let base = base_ref_steps(
        refs,
        &uri,
        &cloner.settings.user_name,
        &cloner.settings.user_email,
    );
    for step in &base {
        if !cloner.step(step).await {
            return false;
        }
    }
    let timestamp = match cloner
        .query(&["show", "-s", "--format=format:%ct", "HEAD"])
        .await
        .and_then(|t| t.parse().ok())
    {
        Some(t) => t,
        None => chrono::Utc::now().timestamp(),
    };
    for step in &pull_ref_steps(refs, &uri, timestamp) {
        if !cloner.step(step).await {
            return false;
        }
    }
    true
}

/// One git command of a clone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct GitStep {
    /// Arguments after `git`.
    pub args: Vec<String>,
    /// Environment added for this command.
    pub env: Vec<(String, String)>,
    /// Whether a failure is retried (fetches).
    pub retry: bool,
}

impl GitStep {
    fn new(args: &[&str]) -> GitStep {
        GitStep {
            args: args.iter().map(|a| a.to_string()).collect(),
            env: Vec::new(),
            retry: false,
        }
    }

    fn fetch(args: Vec<&str>) -> GitStep {
        let mut all = vec!["fetch"];
        all.extend(args);
        GitStep {
            retry: true,
            ..GitStep::new(&all)
        }
    }
}

/// The commands that set up a clone and check out its base, as upstream's
/// `commandsForBaseRef`: `git init`, the identity, a sparse checkout if asked, a fetch of
/// tags (unless `skip_fetch_head` or sparse), a fetch of the base SHA (else the base ref),
/// a checkout of it, and the base branch moved there and checked out.
pub(crate) fn base_ref_steps(
    refs: &Refs,
    uri: &str,
    user_name: &str,
    user_email: &str,
) -> Vec<GitStep> {
    let mut steps = vec![GitStep::new(&["init"])];
    if !user_name.is_empty() {
        steps.push(GitStep::new(&["config", "user.name", user_name]));
    }
    if !user_email.is_empty() {
        steps.push(GitStep::new(&["config", "user.email", user_email]));
    }
    let sparse = !refs.sparse_checkout_files.is_empty();
    if sparse {
        steps.push(GitStep::new(&["sparse-checkout", "init"]));
    }
    let depth = refs.clone_depth.to_string();
    let mut shaping: Vec<&str> = Vec::new();
    if refs.clone_depth > 0 {
        shaping.extend(["--depth", &depth]);
    }
    if refs.blobless_fetch == Some(true) || sparse {
        shaping.push("--filter=blob:none");
    }
    if !(refs.skip_fetch_head || sparse) {
        let mut args = shaping.clone();
        args.extend([uri, "--tags", "--prune"]);
        steps.push(GitStep::fetch(args));
    }
    let (fetch_ref, target) = if refs.base_sha.is_empty() {
        (refs.base_ref.as_str(), "FETCH_HEAD")
    } else {
        (refs.base_sha.as_str(), refs.base_sha.as_str())
    };
    let mut args = shaping;
    if sparse {
        args.push("--no-tags");
    }
    args.extend([uri, fetch_ref]);
    steps.push(GitStep::fetch(args));
    if sparse {
        let mut args = vec!["sparse-checkout", "set"];
        args.extend(refs.sparse_checkout_files.iter().map(String::as_str));
        steps.push(GitStep::new(&args));
    }
    // Check out the target first so that the base branch can be moved even when it is the
    // branch checked out, then move the branch and check it out.
    steps.push(GitStep::new(&["checkout", target]));
    steps.push(GitStep::new(&["branch", "--force", &refs.base_ref, target]));
    steps.push(GitStep::new(&["checkout", &refs.base_ref]));
    steps
}

/// The commands that merge the pulls and update submodules, as upstream's
/// `commandsForPullRefs`: per pull a fetch of its `ref` (else its SHA, else
/// `pull/N/head`) and a `git merge --no-ff` of its SHA (else `FETCH_HEAD`) dated one second
/// after the previous commit, starting from `timestamp`; then `git submodule update` unless
/// `skip_submodules`.
pub(crate) fn pull_ref_steps(refs: &Refs, uri: &str, mut timestamp: i64) -> Vec<GitStep> {
    let blobless = refs.blobless_fetch == Some(true) || !refs.sparse_checkout_files.is_empty();
    let mut steps = Vec::new();
    for pull in &refs.pulls {
        let default_ref = format!("pull/{}/head", pull.number);
        let pull_ref = if !pull.ref_.is_empty() {
            pull.ref_.as_str()
        } else if !pull.sha.is_empty() {
            pull.sha.as_str()
        } else {
            default_ref.as_str()
        };
        let mut args = Vec::new();
        if blobless {
            args.push("--filter=blob:none");
        }
        args.extend([uri, pull_ref]);
        steps.push(GitStep::fetch(args));
        let checkout = if pull.sha.is_empty() {
            "FETCH_HEAD"
        } else {
            pull.sha.as_str()
        };
        timestamp += 1;
        let mut merge = GitStep::new(&["merge", "--no-ff", checkout]);
        merge.env = vec![
            ("GIT_AUTHOR_DATE".to_string(), timestamp.to_string()),
            ("GIT_COMMITTER_DATE".to_string(), timestamp.to_string()),
        ];
        steps.push(merge);
    }
    if !refs.skip_submodules {
        steps.push(GitStep::new(&[
            "submodule",
            "update",
            "--init",
            "--recursive",
        ]));
    }
    steps
}
