//! Crier's GitHub reporter (`github-reporter`): sets each presubmit's and postsubmit's commit
//! status, and keeps one failure-table comment per pull request up to date.
//!
//! The texts GitHub shows match upstream Prow byte for byte: the status description with its
//! ` BaseSHA:` suffix, the `@author: The following tests **failed**…` table, its hidden
//! `<!-- test report -->` marker and the instructions footer.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use prow_core::config::prow::ProwConfig;
use prow_core::event::IssueComment;
use prow_core::github::{GitHubClient, GitHubError, RepoName, Status};
use prow_core::prowjob::labels::{
    GERRIT_REPORT_LABEL, IS_OPTIONAL_LABEL, ORG_LABEL, PULL_LABEL, REPO_LABEL,
};
use prow_core::prowjob::{ProwJob, ProwJobAgent, ProwJobState, ProwJobType, Refs};
use prow_core::traits::{JobSelector, JobStore, ReportOutcome, Reporter, ReporterError};
use tracing::debug;

use super::ConfigGetter;
use super::template::render_report_template;

pub use prow_core::config::status_description::{
    CONTEXT_DESCRIPTION_BASE_SHA_DELIMITER, CONTEXT_DESCRIPTION_MAX_LEN,
    context_description_with_base_sha, truncate,
};

/// The reporter's name, its key in `status.prev_report_states` (upstream's).
pub const GITHUB_REPORTER_NAME: &str = "github-reporter";

/// The hidden marker that identifies the bot's test-report comment on a pull request.
pub const COMMENT_TAG: &str = "<!-- test report -->";

/// The footer explaining how to talk to the bot (upstream's `AboutThisBot`).
pub const ABOUT_THIS_BOT: &str = "Instructions for interacting with me using PR comments are available [here](https://git.k8s.io/community/contributors/guide/pull-requests.md).  If you have questions or suggestions related to my behavior, please file an issue against the [kubernetes-sigs/prow](https://github.com/kubernetes-sigs/prow/issues/new?title=Prow%20issue:) repository. I understand the commands that are listed [here](https://go.k8s.io/bot-commands).";

/// How long to wait on a rate limit that names no time.
const DEFAULT_RATE_LIMIT_WAIT: Duration = Duration::from_secs(60);

/// Reports presubmits and postsubmits to GitHub: a commit status per job, and for
/// presubmits the failure-table comment once a job finished.
///
/// Configuration read (from `config.yaml`): `github_reporter.job_types_to_report`,
/// `github_reporter.no_comment_repos`, `github_reporter.summary_comment_repos` and
/// `plank.report_templates` (appended to the comment). A job is reported when its
/// `spec.report` is set (a presubmit's or postsubmit's `skip_report` clears it) and it has a
/// `spec.context`; `Presubmit.optional` shows as the table's Required column through the
/// `prow.k8s.io/is-optional` label.
pub struct GitHubReporter {
    github: Arc<dyn GitHubClient>,
    config: ConfigGetter,
    report_agent: Option<ProwJobAgent>,
    store: Option<Arc<dyn JobStore>>,
    pr_locks: PrLocks,
}

impl GitHubReporter {
    /// A reporter through `github` with a fixed configuration.
    pub fn new(github: Arc<dyn GitHubClient>, config: Arc<ProwConfig>) -> Self {
        Self::with_config_getter(github, Arc::new(move || Arc::clone(&config)))
    }

    /// A reporter through `github` that reads the configuration from `config` on every
    /// report.
    pub fn with_config_getter(github: Arc<dyn GitHubClient>, config: ConfigGetter) -> Self {
        GitHubReporter {
            github,
            config,
            report_agent: None,
            store: None,
            pr_locks: PrLocks::default(),
        }
    }

    /// Reports only jobs run by `agent` (upstream's `--report-agent`).
    pub fn with_report_agent(mut self, agent: ProwJobAgent) -> Self {
        self.report_agent = Some(agent);
        self
    }

    /// The job store, read for `github_reporter.summary_comment_repos`: there the comment
    /// waits until every job of the pull request finished and sums them all up. Without a
    /// store, such a comment covers the reported job only.
    pub fn with_job_store(mut self, store: Arc<dyn JobStore>) -> Self {
        self.store = Some(store);
        self
    }

    async fn report_job(&self, job: &ProwJob) -> Result<ReportOutcome, ReporterError> {
        let config = (self.config)();
        let gh = &config.github_reporter;
        let refs = job
            .spec
            .refs
            .as_ref()
            .ok_or_else(|| ReporterError::Invalid("prowjob has no refs".into()))?;
        let repo = RepoName::new(&refs.org, &refs.repo);

        match report_status(&*self.github, job, &gh.job_types_to_report).await {
            Ok(()) => {}
            Err(StatusError::NotReportable) => return Ok(ReportOutcome::Skipped),
            Err(StatusError::GitHub(err)) => {
                if let GitHubError::RateLimited {
                    retry_after_seconds,
                } = err
                {
                    let wait = retry_after_seconds
                        .map(Duration::from_secs)
                        .unwrap_or(DEFAULT_RATE_LIMIT_WAIT);
                    return Ok(ReportOutcome::RetryAfter(wait));
                }
                if swallowed_status_error(&err) {
                    // A commit gone after a force push, or a context with too many
                    // statuses: retrying cannot help, so count it as reported.
                    debug!(%err, "could not set status; not retrying");
                    return Ok(ReportOutcome::Reported);
                }
                return Err(ReporterError::Failed(format!(
                    "error setting status: {err}"
                )));
            }
            Err(StatusError::Invalid(msg)) => return Err(ReporterError::Invalid(msg)),
        }

        // Comments are per pull request: jobs of one PR take turns.
        let _guard = if job.spec.type_ == Some(ProwJobType::Presubmit) {
            let key = lock_key(job)?;
            Some(self.pr_locks.lock(key).await)
        } else {
            None
        };

        let full_repo = format!("{}/{}", refs.org, refs.repo);
        if gh
            .no_comment_repos
            .iter()
            .any(|ident| *ident == refs.org || *ident == full_repo)
        {
            return Ok(ReportOutcome::Reported);
        }
        let mut to_report = vec![job.clone()];
        let mut must_create = false;
        if gh
            .summary_comment_repos
            .iter()
            .any(|ident| *ident == refs.org || *ident == full_repo)
        {
            must_create = true;
            if let Some(store) = &self.store {
                to_report = jobs_to_summarize(&**store, job).await.map_err(|e| {
                    ReporterError::Failed(format!("cannot list prowjobs of the PR: {e}"))
                })?;
            }
        }
        let template = config
            .plank
            .report_template_for_repo(&refs.org, &refs.repo)
            .map(str::to_owned);
        let result = report_comment(
            &*self.github,
            &repo,
            template.as_deref(),
            &to_report,
            &gh.job_types_to_report,
            must_create,
        )
        .await;
        match result {
            Ok(()) => {}
            Err(err) => {
                if let Some(retry_after_seconds) = err.rate_limited() {
                    let wait = retry_after_seconds
                        .map(Duration::from_secs)
                        .unwrap_or(DEFAULT_RATE_LIMIT_WAIT);
                    return Ok(ReportOutcome::RetryAfter(wait));
                }
                return Err(ReporterError::Failed(err.to_string()));
            }
        }
        Ok(ReportOutcome::Reported)
    }
}

#[async_trait]
impl Reporter for GitHubReporter {
    fn name(&self) -> &str {
        GITHUB_REPORTER_NAME
    }

    /// Presubmits and postsubmits with `spec.report` and a context, of a type in
    /// `github_reporter.job_types_to_report`, not meant for Gerrit, of the agent asked for.
    fn should_report(&self, job: &ProwJob) -> bool {
        if !job.spec.report || job.spec.context.is_empty() {
            return false;
        }
        if job
            .metadata
            .labels
            .get(GERRIT_REPORT_LABEL)
            .is_some_and(|v| !v.is_empty())
        {
            return false;
        }
        let Some(job_type) = &job.spec.type_ else {
            return false;
        };
        if !matches!(job_type, ProwJobType::Presubmit | ProwJobType::Postsubmit) {
            return false;
        }
        if let Some(agent) = &self.report_agent
            && job.spec.agent.as_ref() != Some(agent)
        {
            return false;
        }
        let config = (self.config)();
        let types = &config.github_reporter.job_types_to_report;
        // An unset list means upstream's default: presubmit and postsubmit.
        types.is_empty() || types.contains(job_type)
    }

    async fn report(&self, job: &ProwJob) -> Result<ReportOutcome, ReporterError> {
        self.report_job(job).await
    }
}

/// Whether a failed status is not worth retrying (upstream swallows these): the commit is gone
/// (a force push), or the context has all the statuses GitHub allows.
fn swallowed_status_error(err: &GitHubError) -> bool {
    let msg = err.to_string();
    matches!(err, GitHubError::NotFound(_))
        || msg.contains("This SHA and context has reached the maximum number of statuses")
        || msg.contains("\"message\":\"Not Found\"")
        || msg.to_ascii_lowercase().contains("no commit found for sha")
}

/// A pull request: org, repo, number.
type PrKey = (String, String, i64);

/// One lock per pull request, dropped when nobody holds or waits for it.
#[derive(Default)]
struct PrLocks {
    locks: Mutex<HashMap<PrKey, Arc<tokio::sync::Mutex<()>>>>,
}

struct PrGuard<'a> {
    locks: &'a PrLocks,
    key: PrKey,
    guard: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl PrLocks {
    async fn lock(&self, key: PrKey) -> PrGuard<'_> {
        let lock = {
            let mut locks = self.locks.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(locks.entry(key.clone()).or_default())
        };
        let guard = lock.lock_owned().await;
        PrGuard {
            locks: self,
            key,
            guard: Some(guard),
        }
    }
}

impl Drop for PrGuard<'_> {
    fn drop(&mut self) {
        self.guard.take();
        let mut locks = self.locks.locks.lock().unwrap_or_else(|e| e.into_inner());
        if locks
            .get(&self.key)
            .is_some_and(|lock| Arc::strong_count(lock) == 1)
        {
            locks.remove(&self.key);
        }
    }
}

fn lock_key(job: &ProwJob) -> Result<PrKey, ReporterError> {
    let refs = job
        .spec
        .refs
        .as_ref()
        .ok_or_else(|| ReporterError::Invalid("pj.Spec.Refs is nil".into()))?;
    match refs.pulls.as_slice() {
        [pull] => Ok((refs.org.clone(), refs.repo.clone(), pull.number)),
        pulls => Err(ReporterError::Invalid(format!(
            "failed to get lockkey for job: prowjob doesn't have one but {} pulls",
            pulls.len()
        ))),
    }
}

/// The jobs a summary comment sums up: the latest reported job of each name among the pull
/// request's jobs, or none while any of them still runs.
async fn jobs_to_summarize(
    store: &dyn JobStore,
    job: &ProwJob,
) -> Result<Vec<ProwJob>, prow_core::traits::StoreError> {
    if job.spec.refs.as_ref().is_none_or(|r| r.pulls.len() != 1) {
        return Ok(Vec::new());
    }
    let mut selector = JobSelector::default();
    for label in [ORG_LABEL, REPO_LABEL, PULL_LABEL] {
        selector.labels.insert(
            label.to_owned(),
            job.metadata.labels.get(label).cloned().unwrap_or_default(),
        );
    }
    let mut latest: BTreeMap<String, ProwJob> = BTreeMap::new();
    for other in store.list(&selector).await? {
        if !other.complete() {
            return Ok(Vec::new());
        }
        if !other.spec.report {
            continue;
        }
        match latest.get(&other.spec.job) {
            Some(seen) if other.metadata.creation_timestamp <= seen.metadata.creation_timestamp => {
            }
            _ => {
                latest.insert(other.spec.job.clone(), other);
            }
        }
    }
    Ok(latest.into_values().collect())
}

// ---------------------------------------------------------------------------------------------
// Statuses

/// The GitHub status state of a ProwJob state: triggered and pending are `pending`, success
/// is `success`, failure and aborted are `failure`, error is `error`; `None` for a state
/// GitHub is not told about (scheduling).
fn github_status_state(state: &ProwJobState) -> Result<Option<&'static str>, String> {
    match state {
        ProwJobState::Scheduling => Ok(None),
        ProwJobState::Triggered | ProwJobState::Pending => Ok(Some("pending")),
        ProwJobState::Success => Ok(Some("success")),
        ProwJobState::Error => Ok(Some("error")),
        ProwJobState::Failure | ProwJobState::Aborted => Ok(Some("failure")),
        ProwJobState::Other(s) => Err(format!("Unknown prowjob state: {s}")),
    }
}

/// Whether the GitHub reporter handles `job` by type (`job_types_to_report`, unset meaning
/// presubmit and postsubmit) and `spec.report` (upstream's `report.ShouldReport`).
fn should_report_type(job: &ProwJob, types: &[ProwJobType]) -> bool {
    let Some(job_type) = &job.spec.type_ else {
        return false;
    };
    let valid = if types.is_empty() {
        matches!(job_type, ProwJobType::Presubmit | ProwJobType::Postsubmit)
    } else {
        types.contains(job_type)
    };
    valid && job.spec.report
}

enum StatusError {
    NotReportable,
    Invalid(String),
    GitHub(GitHubError),
}

/// Sets the job's status: its context, the state, the description with the base SHA and the
/// job's URL, on the pull request's head (or the base SHA without a pull request). Batches
/// (more than one pull) get none.
async fn report_status(
    github: &dyn GitHubClient,
    job: &ProwJob,
    types: &[ProwJobType],
) -> Result<(), StatusError> {
    if !should_report_type(job, types) {
        return Ok(());
    }
    let Some(refs) = &job.spec.refs else {
        return Err(StatusError::Invalid("prowjob has no refs".into()));
    };
    if refs.pulls.len() > 1 {
        return Ok(());
    }
    let state = job
        .status
        .state
        .as_ref()
        .ok_or_else(|| StatusError::Invalid("Unknown prowjob state: ".into()))?;
    let Some(state) = github_status_state(state).map_err(StatusError::Invalid)? else {
        return Err(StatusError::NotReportable);
    };
    let sha = status_sha(refs);
    let status = Status {
        state: state.to_owned(),
        target_url: job.status.url.clone(),
        description: context_description_with_base_sha(&job.status.description, &refs.base_sha),
        context: job.spec.context.clone(),
    };
    github
        .create_status(&RepoName::new(&refs.org, &refs.repo), sha, &status)
        .await
        .map_err(StatusError::GitHub)
}

/// The commit a job's status goes on: the pull request's head, or the base SHA.
fn status_sha(refs: &Refs) -> &str {
    match refs.pulls.first() {
        Some(pull) => &pull.sha,
        None => &refs.base_sha,
    }
}

// ---------------------------------------------------------------------------------------------
// The failure-table comment

#[derive(Debug, thiserror::Error)]
enum CommentError {
    #[error("error listing comments: {0}")]
    List(GitHubError),
    #[error("error getting bot name checker: {0}")]
    BotUser(GitHubError),
    #[error("error deleting comment: {0}")]
    Delete(GitHubError),
    #[error("generating comment: {0}")]
    Template(String),
    #[error("error creating comment: {0}")]
    Create(GitHubError),
    #[error("error updating comment: {0}")]
    Edit(GitHubError),
}

impl CommentError {
    /// GitHub's wait, when the error is a rate limit.
    fn rate_limited(&self) -> Option<Option<u64>> {
        match self {
            CommentError::List(e)
            | CommentError::BotUser(e)
            | CommentError::Delete(e)
            | CommentError::Create(e)
            | CommentError::Edit(e) => match e {
                GitHubError::RateLimited {
                    retry_after_seconds,
                } => Some(*retry_after_seconds),
                _ => None,
            },
            CommentError::Template(_) => None,
        }
    }
}

/// Creates, updates or deletes the test-report comment of the pull request the `jobs` (all of
/// one pull request) belong to, as upstream's `ReportComment`: finished jobs only; failures
/// are added to the table, other results of the same context leave it; the comment is
/// deleted when nothing fails any more; a new failure replaces the old comment with a new one
/// (so GitHub notifies), a fixed one edits it in place. `must_create` writes the comment even
/// when everything passed (summary repos), unless a job was aborted.
async fn report_comment(
    github: &dyn GitHubClient,
    repo: &RepoName,
    template: Option<&str>,
    jobs: &[ProwJob],
    types: &[ProwJobType],
    must_create: bool,
) -> Result<(), CommentError> {
    let valid: Vec<&ProwJob> = jobs
        .iter()
        .filter(|j| should_report_type(j, types) && j.complete())
        .collect();
    let Some(first) = valid.first() else {
        return Ok(());
    };
    let Some(refs) = first.spec.refs.as_ref().filter(|r| r.pulls.len() == 1) else {
        return Ok(());
    };
    let number = u64::try_from(refs.pulls[0].number).unwrap_or_default();
    let comments = github
        .list_issue_comments(repo, number)
        .await
        .map_err(CommentError::List)?;
    let bot = github
        .bot_user()
        .await
        .map_err(CommentError::BotUser)?
        .login;
    let is_bot = |login: &str| strip_bot_suffix(login) == strip_bot_suffix(&bot);
    let parsed = parse_issue_comments(&valid, is_bot, &comments);
    for id in &parsed.deletes {
        github
            .delete_comment(repo, *id)
            .await
            .map_err(CommentError::Delete)?;
    }
    let aborted = valid
        .iter()
        .any(|j| j.status.state == Some(ProwJobState::Aborted));
    if !parsed.entries.is_empty() || (must_create && !aborted) {
        let rendered = match template {
            Some(t) => Some(
                render_report_template("Report", t, first)
                    .map_err(|e| CommentError::Template(e.to_string()))?,
            ),
            None => None,
        };
        let body = create_comment(rendered.as_deref(), &valid, &parsed.entries);
        match parsed.update {
            None => github
                .create_comment(repo, number, &body)
                .await
                .map(drop)
                .map_err(CommentError::Create)?,
            Some(id) => github
                .edit_comment(repo, id, &body)
                .await
                .map_err(CommentError::Edit)?,
        }
    }
    Ok(())
}

fn strip_bot_suffix(login: &str) -> &str {
    login.strip_suffix("[bot]").unwrap_or(login)
}

/// What to do with the pull request's test-report comments.
#[derive(Debug, Default, PartialEq, Eq)]
struct ParsedComments {
    /// Comments to delete.
    deletes: Vec<u64>,
    /// The table rows the comment should have.
    entries: Vec<String>,
    /// The comment to edit; `None`: create one (if there are rows).
    update: Option<u64>,
}

/// Reads the bot's earlier test-report comments: keeps the newest row of each test that
/// none of `jobs` replaces, adds a row for each failed job, and decides which comments go.
fn parse_issue_comments(
    jobs: &[&ProwJob],
    is_bot: impl Fn(&str) -> bool,
    comments: &[IssueComment],
) -> ParsedComments {
    let mut previous = Vec::new();
    let mut latest: Option<u64> = None;
    let mut entries: Vec<String> = Vec::new();
    for comment in comments {
        if !is_bot(&comment.user.login) || !comment.body.contains(COMMENT_TAG) {
            continue;
        }
        if let Some(id) = latest {
            previous.push(id);
        }
        latest = Some(comment.id);
        let mut tracking = false;
        for line in comment.body.split('\n') {
            let line = line.trim();
            if line.starts_with("---") {
                tracking = true;
            } else if line.is_empty() {
                tracking = false;
            } else if tracking {
                entries.push(line.to_owned());
            }
        }
    }
    let contexts: Vec<&str> = jobs.iter().map(|j| j.spec.context.as_str()).collect();
    let test_name = |entry: &str| entry.split(" | ").next().unwrap_or("").to_owned();
    let mut kept = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let name = test_name(entry);
        // A newer row of the same test wins; so does this report's result.
        let newer = entries[i + 1..].iter().any(|e| test_name(e) == name);
        if !newer && !contexts.contains(&name.as_str()) {
            kept.push(entry.clone());
        }
    }
    let mut new_failure = false;
    for job in jobs {
        if job.status.state == Some(ProwJobState::Failure) {
            kept.push(create_entry(job));
            new_failure = true;
        }
    }
    let mut deletes = previous;
    if (new_failure || kept.is_empty())
        && let Some(id) = latest.take()
    {
        deletes.push(id);
    }
    ParsedComments {
        deletes,
        entries: kept,
        update: latest,
    }
}

/// A table row: test name, commit, details link, whether required, rerun command.
fn create_entry(job: &ProwJob) -> String {
    let mut required = "unknown".to_owned();
    if job.spec.type_ == Some(ProwJobType::Presubmit)
        && let Some(optional) = job
            .metadata
            .labels
            .get(IS_OPTIONAL_LABEL)
            .and_then(|l| go_parse_bool(l))
    {
        required = (!optional).to_string();
    }
    let sha = job
        .spec
        .refs
        .as_ref()
        .and_then(|r| r.pulls.first())
        .map(|p| p.sha.as_str())
        .unwrap_or_default();
    [
        job.spec.context.clone(),
        sha.to_owned(),
        format!("[link]({})", job.status.url),
        required,
        format!("`{}`", job.spec.rerun_command),
    ]
    .join(" | ")
}

/// Go's `strconv.ParseBool`.
fn go_parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// The comment's text: the failure table (or "all tests **passed!**"), the rendered report
/// template, and the instructions footer with the hidden marker.
fn create_comment(
    rendered_template: Option<&str>,
    jobs: &[&ProwJob],
    entries: &[String],
) -> String {
    let Some(first) = jobs.first() else {
        return String::new();
    };
    let author = first
        .spec
        .refs
        .as_ref()
        .and_then(|r| r.pulls.first())
        .map(|p| p.author.as_str())
        .unwrap_or_default();
    let plural = if entries.len() > 1 { "s" } else { "" };
    let mut lines: Vec<String> = if entries.is_empty() {
        vec![format!("@{author}: all tests **passed!**"), String::new()]
    } else {
        vec![
            format!(
                "@{author}: The following test{plural} **failed**, say `/retest` to rerun all failed tests or `/retest-required` to rerun all mandatory failed tests:"
            ),
            String::new(),
            "Test name | Commit | Details | Required | Rerun command".into(),
            "--- | --- | --- | --- | ---".into(),
        ]
    };
    lines.extend(entries.iter().cloned());
    if let Some(rendered) = rendered_template {
        lines.push(String::new());
        lines.push(rendered.to_owned());
    }
    lines.extend([
        String::new(),
        "<details>".into(),
        String::new(),
        ABOUT_THIS_BOT.into(),
        "</details>".into(),
        COMMENT_TAG.into(),
    ]);
    lines.join("\n")
}

#[cfg(test)]
mod tests;
