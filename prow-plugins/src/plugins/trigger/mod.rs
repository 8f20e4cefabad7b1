//! The `trigger` plugin: starts presubmits on trusted pull requests and on `/test`, `/retest`
//! and `/ok-to-test`, and postsubmits on pushes, as ProwJobs in the job store.
//!
//! A pull request is trusted when its author is trusted (the bot itself, a member of the
//! repository's organisation, a collaborator unless `only_org_members`, a GitHub App listed in
//! `trusted_apps`, or a member of `trusted_org`), or when it carries the `ok-to-test` label.
//! Untrusted pull requests get the `needs-ok-to-test` label and a welcome comment.
//!
//! Its commands ([`TEST`], [`RETEST`], [`OK_TO_TEST`] ...) are declared as [`Command`]s that
//! read a comment as upstream's patterns do, quirks included (`/test?` is `/test ?`, `/test all`
//! takes one space, `/retest-required` is not `/retest`); fenced code blocks are ignored, as
//! upstream's trigger drops them. Each job's `trigger` regex from the job config still applies.
//!
//! Its `plugins.yaml` section, `triggers`, is a list of entries, each for the orgs and
//! `org/repo`s in its `repos` (a repository's own entry wins over its org's):
//!
//! ```yaml
//! triggers:
//! - repos: [org/repo1, org/repo2]
//!   trusted_apps: [dependabot]   # GitHub Apps (without "[bot]") whose pull requests are trusted
//!   trusted_org: other-org       # deprecated: a second org whose members are trusted
//!   join_org_url: https://github.com/kubernetes/community/blob/master/community-membership.md
//!   only_org_members: true       # collaborators who are not org members are not trusted
//!   ignore_ok_to_test: true      # /ok-to-test does nothing; only trusted users test
//!   trigger_github_workflows: true # /ok-to-test, /retest and /test all act on GitHub Actions
//!   org_invite:                  # the invitation in the welcome comment
//!     prominent: {disabled: false, merged_pr_threshold: 3, message: "..."}
//! ```
//!
//! Jobs come from the static job config (`.prow.yaml` in-repository jobs are not read).
//! With `trigger_github_workflows`, trigger also drives the pull request's GitHub Actions
//! workflow runs: a trusted `/ok-to-test` approves the head's runs awaiting approval, and
//! `/retest` or `/test all` re-runs the failed jobs of its completed runs that did not pass
//! (GitHub Actions errors are logged and never keep jobs from starting).
//! Like upstream since `elide_skipped_contexts` was removed, trigger posts no "Skipped"
//! status for jobs it does not run.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use prow_core::config::jobs::Presubmit;
use prow_core::config::plugins::{PluginsConfig, Trigger as TriggerConfig};
use prow_core::config::selection::{ChangedFiles, PresubmitFilter, filter_presubmits};
use prow_core::event::{Event, Label, PullRequest, has_label};
use prow_core::github::{GitHubClient, GitHubResult, RepoName};
use prow_core::labels;
use prow_core::prowjob::ProwJob;
use prow_core::prowjob::pjutil::{new_presubmit, require_scheduling};
use prow_core::traits::{
    EventKind, JobStore, Plugin, PluginContext, PluginError, PluginEvent, PluginHelp, StoreError,
};

use crate::commands::{self, Arg, Command};
pub use crate::plugins::BotUser;

mod generic_comment;
mod pull_request;
mod push;
mod workflows;

pub use generic_comment::{
    RETEST_WITH_TARGET_NOTE, TARGET_NOT_FOUND_NOTE, TEST_WITHOUT_TARGET_NOTE,
    THERE_ARE_NO_TEST_ALL_JOBS_NOTE, help_message, is_help_comment, presubmits_for_comment,
    should_respond_with_help,
};
pub use pull_request::{ABORTED_DESCRIPTION, abort_all_jobs};
pub use push::push_changed_files;
pub use workflows::{PASSED_WORKFLOW_RUN_CONCLUSIONS, needs_rerun};

/// The plugin's name in `plugins.yaml`.
pub const PLUGIN_NAME: &str = "trigger";

// Each command below is read as upstream's pattern (quoted in its doc) reads it, on a line of
// its own outside fenced code blocks; the `/plugin-help` entries are those of `help()`.

/// `/ok-to-test` (`^/ok-to-test\s*$`).
pub static OK_TO_TEST: Command = Command::new("ok-to-test")
    .description("Marks a PR as 'trusted' and starts tests.")
    .who_can_use("Members of the trusted organization for the repo.")
    .examples(&["/ok-to-test"]);

/// `/ok-to-test cancel` (`^/ok-to-test\s+cancel\s*$`).
pub static OK_TO_TEST_CANCEL: Command = Command::new("ok-to-test")
    .arg(Arg::Required("cancel"))
    .usage("/ok-to-test cancel")
    .description(
        "Revokes trusted status previously granted by '/ok-to-test', removing the 'ok-to-test' label and restoring 'needs-ok-to-test'.",
    )
    .who_can_use("Members of the trusted organization for the repo.")
    .examples(&["/ok-to-test cancel"]);

/// `/test <job>` and `/test all` in the help; as a matcher, `/test` with any target
/// (`^/test[ \t]+\S+`), which earns the job list when it names no job.
pub static TEST: Command = Command::new("test")
    .arg(Arg::Required(NOT_SPACE_THEN_ANYTHING))
    .usage("/test [<job name>|all]")
    .featured()
    .description(
        "Manually starts a/all automatically triggered test job(s). Lists all possible job(s) when no jobs/an invalid job are specified.",
    )
    .who_can_use("Anyone can trigger this command on a trusted PR.")
    .examples(&["/test all", "/test pull-bazel-test"]);

/// `/retest` (`^/retest\s*$`).
pub static RETEST: Command = Command::new("retest")
    .featured()
    .description("Rerun test jobs that have failed.")
    .who_can_use("Anyone can trigger this command on a trusted PR.")
    .examples(&["/retest"]);

/// `/test-manual-required` (`^/test-manual-required\s*$`).
pub static TEST_MANUAL_REQUIRED: Command = Command::new("test-manual-required")
    .featured()
    .description(
        "Manually starts required presubmit jobs that require an explicit trigger and do not use file change conditions.",
    )
    .who_can_use("Anyone can trigger this command on a trusted PR.")
    .examples(&["/test-manual-required"]);

/// `/test ?` (`^/test[ \t]*\?\s*$`): the space is optional, so `/test?` asks too.
pub static TEST_HELP: Command = Command::new("test")
    .arg(Arg::Required(r"\?"))
    .arg_separator(r"[ \t]*")
    .usage("/test ?")
    .featured()
    .description("List available test job(s) for a trusted PR.")
    .who_can_use("Anyone can trigger this command on a trusted PR.")
    .examples(&["/test ?"]);

/// `/retest-required` (`^/retest-required\s*$`): reruns the failed required jobs. Upstream's
/// help does not list it, nor does ours.
pub static RETEST_REQUIRED: Command = Command::new("retest-required");

/// `/test all` (`^/test all,?($|\s.*)`): exactly one space before `all`, then an optional
/// comma, then the end of the line or whitespace and anything (`/test all, please`).
pub static TEST_ALL: Command = Command::new("test")
    .arg(Arg::Required(r"all,?(?:[\t\x0C\r ].*)?"))
    .arg_separator(" ");

/// `/test` without a target (`^/test\s*$`), which earns the job list.
pub static TEST_WITHOUT_TARGET: Command = Command::new("test");

/// `/retest` with a target (`^/retest[ \t]+\S+`), which earns the job list: `/retest` takes
/// none.
pub static RETEST_WITH_TARGET: Command =
    Command::new("retest").arg(Arg::Required(NOT_SPACE_THEN_ANYTHING));

/// Any `/test` or `/retest` (`^/(?:re)?test\b`): the name followed by an ASCII word boundary
/// and anything (`/test-e2e`, `/retest-required`, `/test?`). A comment with one makes the
/// bot's earlier job lists stale.
pub static ANY_TEST: Command = Command::new("test")
    .aliases(&["retest"])
    .arg(Arg::Any)
    .arg_separator(r"(?-u:\b)");

/// Go's `\S` (not ASCII whitespace; a line holds no `\n`) followed by the rest of the line.
const NOT_SPACE_THEN_ANYTHING: &str = r"[^\t\x0C\r ].*";

const DESCRIPTION: &str = "The trigger plugin starts jobs in reaction to various events.
<br>Presubmit jobs are run automatically on pull requests that are trusted and not in a draft state with file changes matching the file filters and targeting a branch matching the branch filters.
<br>A pull request is considered trusted if the author is a member of the 'trusted organization' for the repository or if such a member has left an '/ok-to-test' command on the PR.
<br>Trusted status granted by '/ok-to-test' can be revoked by a trusted user with '/ok-to-test cancel', which restores the 'needs-ok-to-test' label.
<br>Trigger will not automatically start jobs for a PR in draft state, and if a PR is changed to draft it cancels pending jobs.
<br>If jobs are not run automatically for a PR because it is not trusted or is in draft state, a trusted user can still start jobs manually via the '/test' command.
<br>The '/retest' command can be used to rerun jobs that have reported failure.
<br>The '/test-manual-required' command can be used to start required manually triggered presubmit jobs.
<br>Trigger starts postsubmit jobs when commits are pushed if the filters on the job match files and branches affected by that push.";

/// The `trigger` plugin.
///
/// Its commands are the [`Command`] declarations above, which give both the matchers
/// (upstream's patterns, quirks included) and the `/plugin-help` entries; each job's `trigger`
/// regex from the job config is matched as configured. Fenced code blocks are ignored.
#[derive(Debug, Default)]
pub struct Trigger;

#[async_trait]
impl Plugin for Trigger {
    fn name(&self) -> &str {
        PLUGIN_NAME
    }

    fn events(&self) -> &[EventKind] {
        &[
            EventKind::GenericComment,
            EventKind::PullRequest,
            EventKind::Push,
        ]
    }

    fn help(&self) -> PluginHelp {
        PluginHelp {
            description: DESCRIPTION.to_owned(),
            commands: commands::help(&[
                &OK_TO_TEST,
                &OK_TO_TEST_CANCEL,
                &TEST,
                &RETEST,
                &TEST_MANUAL_REQUIRED,
                &TEST_HELP,
            ]),
            ..PluginHelp::default()
        }
    }

    fn help_for(&self, plugins: &PluginsConfig, repos: &[RepoName]) -> PluginHelp {
        let mut help = self.help();
        for repo in repos {
            let trigger = plugins.trigger_for(&repo.org, &repo.repo);
            let org = if trigger.trusted_org.is_empty() {
                repo.org.as_str()
            } else {
                trigger.trusted_org.as_str()
            };
            help.config.insert(
                repo.to_string(),
                format!("The trusted GitHub organization for this repository is {org:?}."),
            );
        }
        help
    }

    async fn handle(&self, ctx: &PluginContext, event: &PluginEvent) -> Result<(), PluginError> {
        match event.kind {
            EventKind::GenericComment => {
                let Some(comment) = event.comment.as_deref() else {
                    return Ok(());
                };
                let trigger = ctx
                    .plugins
                    .trigger_for(comment.repo.org(), &comment.repo.name);
                generic_comment::handle(ctx, &trigger, comment).await
            }
            EventKind::PullRequest => {
                let Event::PullRequest(pe) = event.event.as_ref() else {
                    return Ok(());
                };
                let (org, repo) = pr_org_repo(&pe.pull_request, &pe.repo);
                let trigger = ctx.plugins.trigger_for(&org, &repo);
                pull_request::handle(ctx, &trigger, pe).await
            }
            EventKind::Push => {
                let Event::Push(pe) = event.event.as_ref() else {
                    return Ok(());
                };
                push::handle(ctx, pe).await
            }
            _ => Ok(()),
        }
    }
}

/// The org and repository a pull request targets: its base repository, or the event's.
fn pr_org_repo(pr: &PullRequest, event_repo: &prow_core::event::Repo) -> (String, String) {
    match &pr.base.repo {
        Some(base) if !base.name.is_empty() => (base.owner.login.clone(), base.name.clone()),
        _ => (event_repo.org().to_owned(), event_repo.name.clone()),
    }
}

// ---------------------------------------------------------------------------
// Trust
// ---------------------------------------------------------------------------

/// Who `trigger` trusts besides members of the repository's org (the trust part of a
/// `triggers` entry; other plugins pass their own, as `dco` does).
#[derive(Clone, Copy, Debug, Default)]
pub struct TrustPolicy<'a> {
    /// Collaborators who are not org members are not trusted.
    pub only_org_members: bool,
    /// GitHub Apps (their name without `[bot]`) whose accounts are trusted.
    pub trusted_apps: &'a [String],
    /// A second org whose members are trusted (empty: none).
    pub trusted_org: &'a str,
}

impl<'a> TrustPolicy<'a> {
    /// The policy of a `triggers` entry.
    pub fn of(trigger: &'a TriggerConfig) -> Self {
        TrustPolicy {
            only_org_members: trigger.only_org_members,
            trusted_apps: &trigger.trusted_apps,
            trusted_org: &trigger.trusted_org,
        }
    }
}

/// Whether a user is trusted, and if not, why (upstream's `TrustedUserResponse`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedUserResponse {
    /// The user is trusted.
    pub is_trusted: bool,
    /// Why the user is not trusted (empty when trusted).
    pub reason: String,
}

impl TrustedUserResponse {
    fn trusted() -> Self {
        TrustedUserResponse {
            is_trusted: true,
            reason: String::new(),
        }
    }

    fn untrusted(not_member: bool, not_collaborator: bool, not_secondary_member: bool) -> Self {
        let mut reason = String::new();
        if not_member {
            reason.push_str("User is not a member of the org. ");
        }
        if not_collaborator {
            reason.push_str("User is not a collaborator. ");
        }
        if not_secondary_member {
            reason.push_str("User is not a member of the trusted secondary org. ");
        }
        reason.push_str("Satisfy at least one of these conditions to make the user trusted.");
        TrustedUserResponse {
            is_trusted: false,
            reason,
        }
    }
}

/// Whether `user` is trusted in `org/repo` (upstream's `TrustedUser`): the bot itself, an
/// org member, a collaborator (unless `only_org_members`), a trusted GitHub App's account
/// (`app[bot]`), or a member of the trusted org.
pub async fn trusted_user(
    github: &dyn GitHubClient,
    policy: &TrustPolicy<'_>,
    user: &str,
    org: &str,
    repo: &str,
) -> GitHubResult<TrustedUserResponse> {
    if BotUser::of(github).await?.is(user) {
        return Ok(TrustedUserResponse::trusted());
    }
    if github.is_member(org, user).await? {
        return Ok(TrustedUserResponse::trusted());
    }
    if !policy.only_org_members
        && github
            .is_collaborator(&RepoName::new(org, repo), user)
            .await?
    {
        return Ok(TrustedUserResponse::trusted());
    }
    if let Some(app) = user.strip_suffix("[bot]")
        && policy.trusted_apps.iter().any(|trusted| trusted == app)
    {
        return Ok(TrustedUserResponse::trusted());
    }
    let not_collaborator = !policy.only_org_members;
    if policy.trusted_org.is_empty() || policy.trusted_org == org {
        return Ok(TrustedUserResponse::untrusted(
            true,
            not_collaborator,
            false,
        ));
    }
    if github.is_member(policy.trusted_org, user).await? {
        return Ok(TrustedUserResponse::trusted());
    }
    Ok(TrustedUserResponse::untrusted(true, not_collaborator, true))
}

/// Whether a pull request may be tested (upstream's `TrustedPullRequest`): its author is
/// trusted, or it has the `ok-to-test` label. `labels` are the pull request's labels when
/// already known; they are read only when needed. Returns the labels when they were known or
/// read, and the verdict.
pub async fn trusted_pull_request(
    github: &dyn GitHubClient,
    policy: &TrustPolicy<'_>,
    author: &str,
    repo: &RepoName,
    number: u64,
    labels: Option<Vec<Label>>,
) -> GitHubResult<(Option<Vec<Label>>, bool)> {
    if trusted_user(github, policy, author, &repo.org, &repo.repo)
        .await?
        .is_trusted
    {
        return Ok((labels, true));
    }
    let labels = match labels {
        Some(labels) => labels,
        None => github.get_issue_labels(repo, number).await?,
    };
    let trusted = has_label(&labels, labels::OK_TO_TEST);
    Ok((Some(labels), trusted))
}

/// Whether `/ok-to-test` counts in a repository (its `triggers` entry does not set
/// `ignore_ok_to_test`).
pub fn honor_ok_to_test(trigger: &TriggerConfig) -> bool {
    !trigger.ignore_ok_to_test
}

// ---------------------------------------------------------------------------
// Selecting and starting presubmits
// ---------------------------------------------------------------------------

/// The presubmits configured for `org/repo`.
fn presubmits_of<'c>(ctx: &'c PluginContext, repo: &RepoName) -> &'c [Presubmit] {
    ctx.config.jobs.presubmits_for(&repo.to_string())
}

/// Changed files not read yet: consulting them tells the caller to read them first.
struct NotRead;

impl ChangedFiles for NotRead {
    type Error = NotRead;

    fn changed_files(&mut self) -> Result<&[String], NotRead> {
        Err(NotRead)
    }
}

/// The files a pull request changes, read from GitHub only when a job's `run_if_changed` or
/// `skip_if_only_changed` needs them, and then once.
pub(crate) struct PullRequestChanges<'a> {
    github: &'a dyn GitHubClient,
    repo: &'a RepoName,
    number: u64,
    files: Option<Vec<String>>,
}

impl<'a> PullRequestChanges<'a> {
    /// The changes of pull request `number` of `repo`, not read yet.
    pub(crate) fn new(github: &'a dyn GitHubClient, repo: &'a RepoName, number: u64) -> Self {
        PullRequestChanges {
            github,
            repo,
            number,
            files: None,
        }
    }

    /// The presubmits the filter `make` builds selects that should run against `branch`
    /// (upstream's `FilterPresubmits` with a deferred changed-files provider). The filter is
    /// built anew rather than kept across the read, as filters need not be `Send`.
    pub(crate) async fn select<'p, P: PresubmitFilter>(
        &mut self,
        make: impl Fn() -> P,
        branch: &str,
        presubmits: &'p [Presubmit],
    ) -> GitHubResult<Vec<&'p Presubmit>> {
        if let Some(selected) = self.try_select(&make(), branch, presubmits) {
            return Ok(selected);
        }
        self.read().await?;
        Ok(self
            .try_select(&make(), branch, presubmits)
            .unwrap_or_default())
    }

    /// The selection, when it can be made with what is known: the changed files once read,
    /// or without them when no job needs them.
    fn try_select<'p>(
        &self,
        filter: &dyn PresubmitFilter,
        branch: &str,
        presubmits: &'p [Presubmit],
    ) -> Option<Vec<&'p Presubmit>> {
        match self.files.as_deref() {
            Some(mut files) => Some(
                filter_presubmits(filter, &mut files, branch, presubmits)
                    .unwrap_or_else(|e| match e.source {}),
            ),
            None => filter_presubmits(filter, &mut NotRead, branch, presubmits).ok(),
        }
    }

    /// The changed files, read now when not yet read.
    pub(crate) async fn files(&mut self) -> GitHubResult<&[String]> {
        if self.files.is_none() {
            self.read().await?;
        }
        Ok(self.files.as_deref().unwrap_or_default())
    }

    async fn read(&mut self) -> GitHubResult<()> {
        let changes = self
            .github
            .get_pull_request_changes(self.repo, self.number)
            .await?;
        self.files = Some(changes.into_iter().map(|c| c.filename).collect());
        Ok(())
    }
}

/// Starts `jobs` as presubmits of `pr` at base commit `base_sha` (upstream's
/// `RunRequested`): one ProwJob each, labelled with `extra_labels` and the event's GUID, in
/// the configured `prowjob_namespace`. Starts nothing when GitHub says the pull request
/// cannot be merged. A job that cannot be created does not keep the others from starting;
/// the failures are returned together. Returns the jobs created.
pub async fn run_requested(
    ctx: &PluginContext,
    pr: &PullRequest,
    base_sha: &str,
    jobs: &[&Presubmit],
    event_guid: &str,
    extra_labels: &BTreeMap<String, String>,
) -> Result<Vec<ProwJob>, PluginError> {
    if pr.mergeable == Some(false) {
        tracing::info!(
            number = pr.number,
            "not starting jobs: the pull request cannot be merged"
        );
        return Ok(Vec::new());
    }
    let mut created = Vec::new();
    let mut failures = Vec::new();
    for job in jobs {
        tracing::info!(job = %job.job_base.name, number = pr.number, "starting a presubmit");
        let mut pj = new_presubmit(
            pr,
            base_sha,
            job,
            event_guid,
            extra_labels,
            chrono::Utc::now(),
        );
        pj.metadata.namespace = ctx.config.prow.prowjob_namespace.clone();
        require_scheduling(&mut pj, ctx.config.prow.scheduler.enabled);
        match create_with_retry(ctx.jobs.as_ref(), pj).await {
            Ok(pj) => created.push(pj),
            Err(error) => {
                tracing::error!(job = %job.job_base.name, %error, "could not create the prowjob");
                failures.push(format!("{}: {error}", job.job_base.name));
            }
        }
    }
    if failures.is_empty() {
        Ok(created)
    } else {
        Err(PluginError::internal(format!(
            "could not create prowjobs: {}",
            failures.join("; ")
        )))
    }
}

/// How many times a ProwJob's creation is tried.
const CREATE_ATTEMPTS: u32 = 8;
/// The wait before the second try; it doubles after each failure.
const CREATE_FIRST_BACKOFF: Duration = Duration::from_millis(250);

/// Creates a ProwJob, retrying with exponential back-off when the store fails (upstream's
/// `createWithRetry`). A job that exists already counts as created: an earlier try may have
/// succeeded despite its error. A job the store refuses as invalid is not retried.
pub async fn create_with_retry(store: &dyn JobStore, pj: ProwJob) -> Result<ProwJob, StoreError> {
    let mut backoff = CREATE_FIRST_BACKOFF;
    let mut attempt = 1;
    loop {
        match store.create(pj.clone()).await {
            Ok(created) => return Ok(created),
            Err(StoreError::AlreadyExists(_)) => return Ok(pj),
            Err(error @ StoreError::Invalid(_)) => return Err(error),
            Err(error) if attempt >= CREATE_ATTEMPTS => return Err(error),
            Err(error) => {
                tracing::warn!(job = %pj.spec.job, %error, attempt, "creating the prowjob failed; retrying");
                tokio::time::sleep(backoff).await;
                backoff *= 2;
                attempt += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests;
