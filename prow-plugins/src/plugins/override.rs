//! The `override` plugin: `/override <context>...` forces failed status contexts of a pull
//! request to pass (with a succeeded ProwJob for a Prow job's context), `/override-sticky`
//! does so across base-branch moves, and `/override-cancel` takes overrides back.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use prow_core::config::jobs::Presubmit;
use prow_core::config::plugins::{Override as OverrideConfig, PluginsConfig};
use prow_core::config::status_description::{
    SKIP_RETEST_SENTINEL, context_description_with_base_sha,
};
use prow_core::event::{CheckRun, GenericCommentEvent, PullRequest, norm_login};
use prow_core::github::{CheckRunRequest, Permission, RepoName, Status, TeamRole};
use prow_core::prowjob::pjutil;
use prow_core::prowjob::{ProwJobState, ProwJobStatus};
use prow_core::traits::{EventKind, Plugin, PluginContext, PluginError, PluginEvent, PluginHelp};

use crate::commands::{self, Arg, Command};
use crate::plugins::{created_comment, load_repo_owners, repo_of};
use crate::reply::format_comment_response;

/// `/override <context>...`.
pub static OVERRIDE: Command = Command::new("override")
    .arg(Arg::Optional(".+"))
    .case_insensitive()
    .usage("/override [context1] [context2]")
    .description(
        "Forces github status contexts to green (multiple can be given). If the desired context has spaces, it must be quoted. Overrides expire when the base branch moves.",
    )
    .who_can_use("Repo administrators.")
    .examples(&[
        "/override pull-repo-whatever",
        "/override \"test / Unit Tests\"",
        "/override ci/circleci",
        "/override deleted-job other-job",
    ]);

/// `/override-sticky <context>...`.
pub static OVERRIDE_STICKY: Command = Command::new("override-sticky")
    .arg(Arg::Optional(".+"))
    .case_insensitive()
    .usage("/override-sticky [context1] [context2]")
    .description(
        "Like /override, but the override persists across retests on the current HEAD SHA even when the base branch moves. Pushing a new commit clears them. Use /override-cancel to remove.",
    )
    .who_can_use("Repo administrators.")
    .examples(&[
        "/override-sticky pull-repo-whatever",
        "/override-sticky \"test / Unit Tests\"",
    ]);

/// `/override-cancel [context]...`.
pub static OVERRIDE_CANCEL: Command = Command::new("override-cancel")
    .arg(Arg::Optional(".+"))
    .case_insensitive()
    .usage("/override-cancel [context]")
    .description(
        "Removes overrides by setting the status back to failure. Works on both regular and sticky overrides. If a context is given, only that override is removed. If no context is given, all overrides on the PR are removed.",
    )
    .who_can_use("Repo administrators.")
    .examples(&["/override-cancel pull-repo-whatever", "/override-cancel"]);

/// What every override's status description starts with (and what `/override-cancel` looks
/// for).
pub const OVERRIDE_DESCRIPTION_PREFIX: &str = "Overridden by";

/// The `override` plugin.
#[derive(Debug, Default)]
pub struct Override;

/// The description of a status overridden by `user`.
pub fn description(user: &str) -> String {
    format!("{OVERRIDE_DESCRIPTION_PREFIX} {user}")
}

/// The description of a status overridden by `user` with `/override-sticky`: it carries the
/// skip-retest sentinel, so Tide keeps it across base-branch moves.
pub fn sticky_description(user: &str) -> String {
    format!("{OVERRIDE_DESCRIPTION_PREFIX} {user} {SKIP_RETEST_SENTINEL}")
}

/// Who may override in `org/repo`, as the help and the refusal say it (upstream's
/// `whoCanUse`). With an empty `org` and `repo`, every configured team is listed.
pub fn who_can_use(options: &OverrideConfig, org: &str, repo: &str) -> String {
    let mut who = "Repo administrators".to_owned();
    if options.allow_top_level_owners {
        who.push_str(", approvers in top level OWNERS file");
    }
    if !options.allowed_github_teams.is_empty() {
        let repo_ref = format!("{org}/{repo}");
        let mut teams: Vec<String> = options
            .allowed_github_teams
            .iter()
            .filter(|(key, _)| repo_ref == "/" || **key == repo_ref || *key == org)
            .map(|(key, slugs)| format!("{key}: {}", slugs.join(" ")))
            .collect();
        teams.sort();
        who.push_str(", and the following github teams:");
        who.push_str(&teams.join(", "));
    }
    who.push('.');
    who
}

/// The contexts an `/override` argument names: words separated by spaces, a double-quoted
/// run of words counting as one (`"test / Unit Tests"`), quotes removed.
pub fn parse_override_input(input: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in input.chars() {
        if c == '"' {
            quoted = !quoted;
        }
        if !quoted && c == ' ' {
            if !current.is_empty() {
                fields.push(std::mem::take(&mut current));
            }
        } else {
            current.push(c);
        }
    }
    if !current.is_empty() {
        fields.push(current);
    }
    fields
        .into_iter()
        .map(|field| field.trim().trim_matches('"').to_owned())
        .collect()
}

/// A list for a reply: `` - `item` `` lines.
fn format_list<'a>(items: impl IntoIterator<Item = &'a String>) -> String {
    items
        .into_iter()
        .map(|item| format!(" - `{item}`"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A check run's state as upstream compares them: `PENDING` until completed, `SUCCESS` for a
/// neutral conclusion, else the conclusion in capitals.
fn check_run_state(run: &CheckRun) -> String {
    if run.completed_at.is_none() {
        return "PENDING".to_owned();
    }
    let conclusion = run.conclusion.as_deref().unwrap_or_default().to_uppercase();
    if conclusion == "NEUTRAL" {
        "SUCCESS".to_owned()
    } else {
        conclusion
    }
}

/// Whether `current` is a better outcome than `previous` for check runs of one name.
fn is_state_better(previous: &str, current: &str) -> bool {
    current == "SUCCESS"
        || (current == "PENDING" && matches!(previous, "ERROR" | "FAILURE" | "EXPECTED"))
        || (previous == "EXPECTED" && matches!(current, "ERROR" | "FAILURE"))
}

/// The best state of each check run name.
fn deduplicate_check_runs(runs: &[CheckRun]) -> BTreeMap<String, String> {
    let mut best: BTreeMap<String, String> = BTreeMap::new();
    for run in runs {
        let state = check_run_state(run);
        match best.get(&run.name) {
            Some(previous) if !is_state_better(previous, &state) => {}
            _ => {
                best.insert(run.name.clone(), state);
            }
        }
    }
    best
}

/// What the comment is about, for replies.
struct Request<'a> {
    ctx: &'a PluginContext,
    comment: &'a GenericCommentEvent,
    repo: RepoName,
    options: &'a OverrideConfig,
}

impl Request<'_> {
    /// Replies to the commenter, quoting the comment.
    async fn reply(&self, text: &str) -> Result<(), PluginError> {
        let body = format_comment_response(self.comment, text);
        self.ctx
            .github
            .create_comment(&self.repo, self.comment.number, &body)
            .await?;
        Ok(())
    }

    fn user(&self) -> &str {
        &self.comment.user.login
    }

    /// Whether the commenter may override: a repository admin, a member of an allowed team,
    /// or (when allowed) a top-level OWNERS approver.
    async fn is_authorized(&self, pr: &PullRequest) -> bool {
        let user = self.user();
        match self.ctx.github.get_user_permission(&self.repo, user).await {
            Ok(permission) if permission >= Permission::Admin => return true,
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(repo = %self.repo, user, %error, "cannot tell whether the user is an admin");
            }
        }
        if !self.options.allowed_github_teams.is_empty() && self.is_team_member().await {
            return true;
        }
        if self.options.allow_top_level_owners {
            match load_repo_owners(self.ctx, &self.repo, &pr.base.r#ref, &[]).await {
                Ok(owners) => return owners.top_level_approvers().contains(&norm_login(user)),
                Err(error) => {
                    tracing::warn!(repo = %self.repo, user, %error, "cannot tell whether the user is a top-level owner");
                }
            }
        }
        false
    }

    /// Whether the commenter is in one of the teams allowed for the repository or its org.
    async fn is_team_member(&self) -> bool {
        let org = &self.repo.org;
        let user = self.user();
        let teams = match self.ctx.github.list_teams(org).await {
            Ok(teams) => teams,
            Err(error) => {
                tracing::warn!(org, %error, "cannot list the teams");
                return false;
            }
        };
        let slugs = self.options.allowed_github_teams_for(org, &self.repo.repo);
        let invalid: BTreeSet<&str> = self
            .options
            .allowed_github_teams
            .get(&self.repo.to_string())
            .into_iter()
            .flatten()
            .map(String::as_str)
            .filter(|slug| !teams.iter().any(|team| team.slug == *slug))
            .collect();
        if !invalid.is_empty() {
            tracing::warn!(repo = %self.repo, ?invalid, "invalid team slug(s) in override.allowed_github_teams");
        }
        for slug in slugs {
            match self
                .ctx
                .github
                .list_team_members(org, slug, TeamRole::All)
                .await
            {
                Ok(members) if members.iter().any(|m| m.login == user) => return true,
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(org, slug, %error, "cannot list the team's members");
                }
            }
        }
        false
    }

    /// The pull request, or the reply saying it could not be read.
    async fn pull_request(&self) -> Result<Option<PullRequest>, PluginError> {
        match self
            .ctx
            .github
            .get_pull_request(&self.repo, self.comment.number)
            .await
        {
            Ok(pr) => Ok(Some(pr)),
            Err(error) => {
                let text = format!("Cannot get PR #{} in {}", self.comment.number, self.repo);
                tracing::warn!(%error, "{text}");
                self.reply(&text).await?;
                Ok(None)
            }
        }
    }

    /// The latest status of each context on `sha`, or the reply saying they could not be read.
    async fn statuses(&self, sha: &str) -> Result<Option<Vec<Status>>, PluginError> {
        match self.ctx.github.get_combined_status(&self.repo, sha).await {
            Ok(combined) => Ok(Some(combined.statuses)),
            Err(error) => {
                let text = format!(
                    "Cannot get commit statuses for PR #{} in {}",
                    self.comment.number, self.repo
                );
                tracing::warn!(%error, "{text}");
                self.reply(&text).await?;
                Ok(None)
            }
        }
    }

    /// `/override-cancel`: every overridden status the command names (all of them without a
    /// name) goes back to failure.
    async fn cancel(&self) -> Result<(), PluginError> {
        let found = OVERRIDE_CANCEL.find(&self.comment.body);
        if found.is_empty() {
            return Ok(());
        }
        let Some(pr) = self.pull_request().await? else {
            return Ok(());
        };
        if !self.is_authorized(&pr).await {
            let text = format!(
                "{} unauthorized: /override-cancel is restricted to {}",
                self.user(),
                who_can_use(self.options, &self.repo.org, &self.repo.repo)
            );
            return self.reply(&text).await;
        }
        let cancel_all = found.iter().any(|f| f.arg.is_none());
        let named: BTreeSet<String> = found
            .iter()
            .filter_map(|f| f.arg.as_deref())
            .flat_map(parse_override_input)
            .collect();
        let sha = &pr.head.sha;
        let Some(statuses) = self.statuses(sha).await? else {
            return Ok(());
        };
        let mut cancelled = BTreeSet::new();
        for mut status in statuses {
            if !status.description.contains(OVERRIDE_DESCRIPTION_PREFIX)
                || !(cancel_all || named.contains(&status.context))
            {
                continue;
            }
            status.state = "failure".to_owned();
            status.description = format!("Override cancelled by {}", self.user());
            if let Err(error) = self
                .ctx
                .github
                .create_status(&self.repo, sha, &status)
                .await
            {
                let text = format!("Cannot update PR status for context {}", status.context);
                tracing::warn!(%error, "{text}");
                return self.reply(&text).await;
            }
            cancelled.insert(status.context);
        }
        if cancelled.is_empty() {
            return self.reply("No overrides found to cancel").await;
        }
        let text = format!(
            "Cancelled overrides on behalf of {}: {}",
            self.user(),
            cancelled.into_iter().collect::<Vec<_>>().join(", ")
        );
        self.reply(&text).await
    }

    /// `/override` (or `/override-sticky`): the named failed contexts pass.
    async fn apply(&self, sticky: bool) -> Result<(), PluginError> {
        let (command, name) = if sticky {
            (&OVERRIDE_STICKY, "/override-sticky")
        } else {
            (&OVERRIDE, "/override")
        };
        let found = command.find(&self.comment.body);
        if found.is_empty() {
            return Ok(());
        }
        let mut overrides = BTreeSet::new();
        for invocation in &found {
            let Some(arg) = &invocation.arg else {
                let text = format!(
                    "{name} requires failed status contexts to operate on, but none was given"
                );
                return self.reply(&text).await;
            };
            overrides.extend(parse_override_input(arg));
        }
        let Some(pr) = self.pull_request().await? else {
            return Ok(());
        };
        let user = self.user();
        if !self.is_authorized(&pr).await {
            let text = format!(
                "{user} unauthorized: {name} is restricted to {}",
                who_can_use(self.options, &self.repo.org, &self.repo.repo)
            );
            return self.reply(&text).await;
        }
        let sha = pr.head.sha.clone();
        let Some(mut statuses) = self.statuses(&sha).await? else {
            return Ok(());
        };

        let app = self.ctx.github.uses_app_auth().await;
        let check_runs = if app {
            match self.ctx.github.list_check_runs(&self.repo, &sha).await {
                Ok(runs) => deduplicate_check_runs(&runs),
                Err(error) => {
                    let text = format!(
                        "Cannot get commit checkruns for PR #{} in {}",
                        self.comment.number, self.repo
                    );
                    tracing::warn!(%error, "{text}");
                    return self.reply(&text).await;
                }
            }
        } else {
            BTreeMap::new()
        };

        let presubmits: Vec<&Presubmit> = self
            .ctx
            .config
            .jobs
            .presubmits_static(&self.repo.to_string());
        let presubmit_for = |context: &str| {
            presubmits
                .iter()
                .copied()
                .find(|p| p.reporter.context == context)
        };

        // What may be overridden: every context that has not passed, the job reporting it,
        // every check run that failed, and every context branch protection requires.
        let mut contexts = BTreeSet::new();
        for status in statuses.iter().filter(|s| s.state != "success") {
            contexts.insert(status.context.clone());
            if let Some(job) = presubmit_for(&status.context) {
                contexts.insert(job.job_base.name.clone());
            }
        }
        for (name, state) in &check_runs {
            if state != "SUCCESS" && state != "PENDING" {
                contexts.insert(name.clone());
            }
        }
        let branch = &pr.base.r#ref;
        match self
            .ctx
            .github
            .get_branch_protection(&self.repo, branch)
            .await
        {
            Ok(protection) => {
                let required = protection
                    .and_then(|p| p.required_status_checks)
                    .map(|checks| checks.contexts)
                    .unwrap_or_default();
                for context in required {
                    if contexts.insert(context.clone()) {
                        statuses.push(Status {
                            context,
                            ..Status::default()
                        });
                    }
                }
            }
            Err(error) => {
                let text = format!(
                    "Cannot get branch protection for branch {branch} in {}",
                    self.repo
                );
                tracing::warn!(%error, "{text}");
                return self.reply(&text).await;
            }
        }

        let unknown: Vec<&String> = overrides.difference(&contexts).collect();
        if !unknown.is_empty() {
            let text = format!(
                "{name} requires failed status contexts, check run or a prowjob name to operate on.
The following unknown contexts/checkruns were given:
{}

Only the following failed contexts/checkruns were expected:
{}

If you are trying to override a checkrun that has a space in it, you must put a double quote on the context.
",
                format_list(unknown),
                format_list(&contexts)
            );
            return self.reply(&text).await;
        }

        let base_sha = match self
            .ctx
            .github
            .get_ref(&self.repo, &format!("heads/{branch}"))
            .await
        {
            Ok(base_sha) => base_sha,
            Err(error) => {
                let text = "Cannot get base ref of PR";
                tracing::warn!(%error, "{text}");
                return self.reply(text).await;
            }
        };

        let human = if sticky {
            sticky_description(user)
        } else {
            description(user)
        };
        let mut done = BTreeSet::new();
        let failure = self
            .override_all(
                &pr,
                &base_sha,
                &human,
                statuses,
                &presubmit_for,
                &overrides,
                &check_runs,
                app,
                &mut done,
            )
            .await;
        let mut result = match failure {
            Some(text) => self.reply(&text).await,
            None => Ok(()),
        };
        if !done.is_empty() {
            let done = done.into_iter().collect::<Vec<_>>().join(", ");
            let mut text = format!("Overrode contexts on behalf of {user}: {done}");
            if sticky {
                text.push_str("\n\nThese overrides will persist across retests on the current HEAD SHA. Pushing a new commit will clear them. Use `/override-cancel` to remove them.");
            }
            tracing::info!("{text}");
            let posted = self.reply(&text).await;
            result = result.and(posted);
        }
        result
    }

    /// Overrides each named context (creating a succeeded ProwJob for a Prow job's) and each
    /// named check run; what passed goes into `done`. Returns the reply for the first
    /// failure, which stops the rest.
    #[allow(clippy::too_many_arguments)]
    async fn override_all<'p>(
        &self,
        pr: &PullRequest,
        base_sha: &str,
        human: &str,
        statuses: Vec<Status>,
        presubmit_for: &impl Fn(&str) -> Option<&'p Presubmit>,
        overrides: &BTreeSet<String>,
        check_runs: &BTreeMap<String, String>,
        app: bool,
        done: &mut BTreeSet<String>,
    ) -> Option<String> {
        let sha = &pr.head.sha;
        let mut with_jobs = BTreeSet::new();
        for mut status in statuses {
            let job = presubmit_for(&status.context);
            let named = overrides.contains(&status.context)
                || job.is_some_and(|j| overrides.contains(&j.job_base.name));
            if status.state == "success" || !named || with_jobs.contains(&status.context) {
                continue;
            }
            if let Some(job) = job {
                let now = chrono::Utc::now();
                let mut pj = pjutil::new_presubmit(
                    pr,
                    base_sha,
                    job,
                    &self.comment.guid,
                    &BTreeMap::new(),
                    now,
                );
                pj.metadata.namespace = self.ctx.config.prow.prowjob_namespace.clone();
                pj.status = ProwJobStatus {
                    start_time: Some(now),
                    completion_time: Some(now),
                    state: Some(ProwJobState::Success),
                    description: human.to_owned(),
                    url: self.comment.html_url.clone(),
                    ..ProwJobStatus::default()
                };
                tracing::info!(job = %job.job_base.name, name = %pj.metadata.name, "creating a succeeded ProwJob for the override");
                if let Err(error) = self.ctx.jobs.create(pj).await {
                    let text = format!("Failed to create override job for {}", status.context);
                    tracing::warn!(%error, "{text}");
                    return Some(text);
                }
                with_jobs.insert(status.context.clone());
            }
            status.state = "success".to_owned();
            status.description = context_description_with_base_sha(human, base_sha);
            if let Err(error) = self
                .ctx
                .github
                .create_status(&self.repo, sha, &status)
                .await
            {
                let text = format!("Cannot update PR status for context {}", status.context);
                tracing::warn!(%error, "{text}");
                return Some(text);
            }
            done.insert(status.context);
        }
        if app {
            for name in check_runs.keys().filter(|name| overrides.contains(*name)) {
                let run = CheckRunRequest {
                    name: name.clone(),
                    head_sha: sha.clone(),
                    status: "completed".to_owned(),
                    conclusion: Some("success".to_owned()),
                    title: Some(format!("Prow override - {name}")),
                    summary: Some(format!(
                        "Prow has received override command for the {name} checkrun."
                    )),
                    ..CheckRunRequest::default()
                };
                if let Err(error) = self.ctx.github.create_check_run(&self.repo, &run).await {
                    let text = format!("cannot create prow-override CheckRun {name}");
                    tracing::warn!(%error, "{text}");
                    return Some(text);
                }
                done.insert(name.clone());
            }
        }
        None
    }
}

#[async_trait]
impl Plugin for Override {
    fn name(&self) -> &str {
        "override"
    }

    fn events(&self) -> &[EventKind] {
        &[EventKind::GenericComment]
    }

    fn help(&self) -> PluginHelp {
        self.help_for(&PluginsConfig::default(), &[])
    }

    /// The commands say who may use them under `override` in `plugins.yaml`
    /// (`allow_top_level_owners`, `allowed_github_teams`); the configuration lists who may
    /// override in each repository.
    fn help_for(&self, plugins: &PluginsConfig, repos: &[RepoName]) -> PluginHelp {
        let options = &plugins.override_config;
        let who = who_can_use(options, "", "");
        let mut commands = commands::help(&[&OVERRIDE, &OVERRIDE_STICKY, &OVERRIDE_CANCEL]);
        for command in &mut commands {
            command.who_can_use = who.clone();
        }
        let config = repos
            .iter()
            .map(|repo| {
                (
                    repo.to_string(),
                    format!(
                        "Contexts may be overridden by: {}",
                        who_can_use(options, &repo.org, &repo.repo)
                    ),
                )
            })
            .collect();
        PluginHelp {
            description:
                "The override plugin allows repo admins to force a github status context to pass"
                    .to_owned(),
            config,
            commands,
            ..PluginHelp::default()
        }
    }

    async fn handle(&self, ctx: &PluginContext, event: &PluginEvent) -> Result<(), PluginError> {
        let Some(comment) = created_comment(event) else {
            return Ok(());
        };
        if !comment.is_pr || comment.issue_state != "open" {
            return Ok(());
        }
        let request = Request {
            ctx,
            comment,
            repo: repo_of(comment),
            options: &ctx.plugins.override_config,
        };
        // A comment may cancel, override sticky and override at once, in that order.
        request.cancel().await?;
        request.apply(true).await?;
        request.apply(false).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Harness;
    use prow_core::traits::{JobSelector, JobStore};
    use prow_github::simulator::{Action, Faults, Files, NewCheckRun};

    const ADMIN: &str = "admin";

    /// One `/override` scenario: the pull request's statuses, check runs, jobs and branch
    /// protection, who comments what, and what the bot must do.
    #[derive(Default)]
    struct Case {
        name: &'static str,
        comment: &'static str,
        /// Who comments; the org owner `admin` when empty.
        user: &'static str,
        /// `(context, state)` on the pull request's head, in order.
        statuses: &'static [(&'static str, &'static str)],
        /// `(job name, context)` of the repository's presubmits.
        presubmits: &'static [(&'static str, &'static str)],
        /// Contexts branch protection requires on `master`.
        required: &'static [&'static str],
        /// `(name, conclusion)` of check runs (no conclusion: still running).
        check_runs: &'static [(&'static str, Option<&'static str>)],
        /// The bot acts as a GitHub App.
        app: bool,
        /// `plugins.yaml`.
        plugins_yaml: &'static str,
        /// The root OWNERS file.
        owners: &'static str,
        /// Methods that fail once (every `fail_every`th call, when set).
        failing: &'static [&'static str],
        fail_every: u64,
        /// Contexts set to success, in order.
        want_overridden: &'static [&'static str],
        /// Contexts of the succeeded ProwJobs created.
        want_jobs: &'static [&'static str],
        /// Check runs created.
        want_check_runs: &'static [&'static str],
        /// The bot's replies, by their message (without the quote); in order.
        want_replies: &'static [&'static str],
    }

    fn presubmits_yaml(jobs: &[(&str, &str)]) -> String {
        let mut yaml = "presubmits:\n  org/repo:\n".to_owned();
        for (name, context) in jobs {
            yaml.push_str(&format!(
                "  - name: {name}\n    context: {context}\n    spec:\n      containers: [{{image: alpine}}]\n"
            ));
        }
        yaml
    }

    async fn run(case: &Case) {
        let user = if case.user.is_empty() {
            ADMIN
        } else {
            case.user
        };
        let files = Files::new().put("README.md", "# repo\n");
        let files = if case.owners.is_empty() {
            files
        } else {
            files.put("OWNERS", case.owners)
        };
        let mut h = Harness::with_files(files);
        h.sim.add_user(user, None, None);
        // OWNERS approvers count only while they are collaborators, as upstream's OWNERS
        // client filters them; `outsider` stays outside to show that.
        if case.owners.contains("code_owner") {
            h.sim
                .add_collaborator(&h.repo, "code_owner", Permission::Read)
                .unwrap();
        }
        h.sim.add_team("org", "team-foo", "team foo").unwrap();
        for member in ["user1", "user2"] {
            h.sim
                .add_team_member("org", "team-foo", member, false)
                .unwrap();
        }
        if !case.plugins_yaml.is_empty() {
            h.set_plugins_yaml(case.plugins_yaml);
        }
        if !case.presubmits.is_empty() {
            h.set_config_yaml("", Some(&presubmits_yaml(case.presubmits)));
        }
        if !case.required.is_empty() {
            h.sim
                .set_required_status_checks(&h.repo, "master", case.required)
                .unwrap();
        }
        if case.app {
            h.sim.set_installation_id(Some(1));
        }
        let pr = h.open_pr("author", "change", Files::new().put("a.txt", "a"));
        let head = h.sim.pull_request(&h.repo, pr).unwrap().head.sha;
        let base = h.sim.resolve_ref(&h.repo, Some("master")).unwrap();
        for (context, state) in case.statuses {
            let status = Status {
                state: (*state).into(),
                context: (*context).into(),
                description: "failed".into(),
                target_url: format!("https://prow.example/{context}"),
            };
            h.sim.set_status(&h.repo, &head, &status).unwrap();
        }
        for (name, conclusion) in case.check_runs {
            let run = NewCheckRun {
                name: (*name).into(),
                status: if conclusion.is_some() {
                    "completed"
                } else {
                    "in_progress"
                }
                .into(),
                conclusion: conclusion.map(str::to_owned),
                ..NewCheckRun::default()
            };
            h.sim
                .create_check_run("github-actions", &h.repo, &head, &run)
                .unwrap();
        }
        h.forget();
        if !case.failing.is_empty() {
            h.sim.set_faults(Faults {
                fail_next: u64::from(case.fail_every == 0),
                fail_every: case.fail_every,
                failure_status: 500,
                methods: case.failing.iter().map(|m| m.to_string()).collect(),
                ..Faults::default()
            });
        }
        h.sim.comment_as(user, &h.repo, pr, case.comment).unwrap();
        h.deliver_ok(&Override).await;

        let mut overridden = Vec::new();
        let mut check_runs = Vec::new();
        let mut replies = Vec::new();
        for call in h.bot_calls() {
            match call.action {
                Action::CreateStatus { sha, status } => {
                    assert_eq!(sha, head, "{}", case.name);
                    assert_eq!(status.state, "success", "{}", case.name);
                    assert_eq!(
                        status.description,
                        context_description_with_base_sha(&description(user), &base),
                        "{}",
                        case.name
                    );
                    if !case.required.contains(&status.context.as_str()) {
                        // The status keeps its link.
                        assert_eq!(
                            status.target_url,
                            format!("https://prow.example/{}", status.context),
                            "{}",
                            case.name
                        );
                    }
                    overridden.push(status.context);
                }
                Action::CreateCheckRun { run } => {
                    assert_eq!(run.head_sha, head, "{}", case.name);
                    assert_eq!(run.status, "completed", "{}", case.name);
                    assert_eq!(run.conclusion.as_deref(), Some("success"), "{}", case.name);
                    assert_eq!(
                        run.title,
                        Some(format!("Prow override - {}", run.name)),
                        "{}",
                        case.name
                    );
                    assert_eq!(
                        run.summary,
                        Some(format!(
                            "Prow has received override command for the {} checkrun.",
                            run.name
                        )),
                        "{}",
                        case.name
                    );
                    check_runs.push(run.name);
                }
                Action::CreateComment { body } => replies.push(body),
                other => panic!("{}: unexpected call {other:?}", case.name),
            }
        }
        assert_eq!(overridden, case.want_overridden, "{}", case.name);
        assert_eq!(check_runs, case.want_check_runs, "{}", case.name);
        assert_eq!(
            replies.len(),
            case.want_replies.len(),
            "{}: {replies:#?}",
            case.name
        );
        for (got, want) in replies.iter().zip(case.want_replies) {
            // A message ending in a newline is the start of a longer one; any other is whole.
            let want = if want.ends_with('\n') {
                format!("@{user}: {want}")
            } else {
                format!("@{user}: {want}\n\n<details>\n\nIn response to [this](")
            };
            assert!(
                got.starts_with(&want),
                "{}:\n{got}\nwant:\n{want}",
                case.name
            );
            assert!(
                got.contains("\n\n<details>\n\nIn response to [this]("),
                "{}",
                case.name
            );
        }
        let jobs = h.jobs.list(&JobSelector::default()).await.unwrap();
        let mut contexts: Vec<&str> = jobs.iter().map(|j| j.spec.context.as_str()).collect();
        contexts.sort();
        assert_eq!(contexts, case.want_jobs, "{}", case.name);
        for job in &jobs {
            assert_eq!(
                job.status.state,
                Some(ProwJobState::Success),
                "{}",
                case.name
            );
            assert_eq!(job.status.description, description(user), "{}", case.name);
            assert!(job.status.completion_time.is_some(), "{}", case.name);
            assert_eq!(
                job.spec.refs.as_ref().unwrap().base_sha,
                base,
                "{}",
                case.name
            );
            assert_eq!(
                job.spec.refs.as_ref().unwrap().pulls[0].sha,
                head,
                "{}",
                case.name
            );
            assert_eq!(job.metadata.namespace, "default", "{}", case.name);
        }
    }

    const UNKNOWN: &str = "/override requires failed status contexts, check run or a prowjob name to operate on.\nThe following unknown contexts/checkruns were given:\n";

    #[tokio::test]
    async fn override_contexts() {
        let cases = [
            Case {
                name: "successfully override failure",
                comment: "/override broken-test",
                statuses: &[("broken-test", "failure")],
                want_overridden: &["broken-test"],
                want_replies: &["Overrode contexts on behalf of admin: broken-test"],
                ..Case::default()
            },
            Case {
                name: "successfully override pending",
                comment: "/override hung-test",
                statuses: &[("hung-test", "pending")],
                want_overridden: &["hung-test"],
                want_replies: &["Overrode contexts on behalf of admin: hung-test"],
                ..Case::default()
            },
            Case {
                name: "command in any case",
                comment: "/OVERRIDE broken-test",
                statuses: &[("broken-test", "error")],
                want_overridden: &["broken-test"],
                want_replies: &["Overrode contexts on behalf of admin: broken-test"],
                ..Case::default()
            },
            Case {
                name: "successfully override unknown context derived from checkruns",
                comment: "/override failure-checkrun",
                app: true,
                check_runs: &[
                    ("incomplete-checkrun", None),
                    ("failure-checkrun", Some("failure")),
                ],
                want_check_runs: &["failure-checkrun"],
                want_replies: &["Overrode contexts on behalf of admin: failure-checkrun"],
                ..Case::default()
            },
            Case {
                name: "successfully override unknown context with special characters derived from checkruns",
                comment: "/override \"test / Unit Tests\"",
                app: true,
                check_runs: &[
                    ("incomplete-checkrun", None),
                    ("test / Unit Tests", Some("failure")),
                ],
                want_check_runs: &["test / Unit Tests"],
                want_replies: &["Overrode contexts on behalf of admin: test / Unit Tests"],
                ..Case::default()
            },
            Case {
                name: "successfully override a mix of checkruns and prowjobs",
                comment: "/override broken-test \"test / Unit Tests\" hung-test",
                app: true,
                check_runs: &[
                    ("incomplete-checkrun", None),
                    ("test / Unit Tests", Some("failure")),
                ],
                statuses: &[("broken-test", "failure"), ("hung-test", "pending")],
                want_overridden: &["broken-test", "hung-test"],
                want_check_runs: &["test / Unit Tests"],
                want_replies: &[
                    "Overrode contexts on behalf of admin: broken-test, hung-test, test / Unit Tests",
                ],
                ..Case::default()
            },
            Case {
                name: "a check run that ended neutral counts as passed",
                comment: "/override neutral-checkrun",
                app: true,
                check_runs: &[("neutral-checkrun", Some("neutral"))],
                want_replies: &[UNKNOWN],
                ..Case::default()
            },
            Case {
                name: "a check run that failed and passed on a rerun counts as passed",
                comment: "/override rerun-checkrun",
                app: true,
                check_runs: &[
                    ("rerun-checkrun", Some("failure")),
                    ("rerun-checkrun", Some("success")),
                ],
                want_replies: &[UNKNOWN],
                ..Case::default()
            },
            Case {
                name: "override a successful unknown context derived from checkruns",
                comment: "/override success-checkrun",
                app: true,
                check_runs: &[
                    ("incomplete-checkrun", None),
                    ("success-checkrun", Some("success")),
                ],
                want_replies: &[UNKNOWN],
                ..Case::default()
            },
            Case {
                name: "override failure-checkrun checkrun, usesAppsAuth is false",
                comment: "/override failure-checkrun",
                check_runs: &[
                    ("incomplete-checkrun", None),
                    ("failure-checkrun", Some("failure")),
                ],
                want_replies: &[UNKNOWN],
                ..Case::default()
            },
            Case {
                name: "override nonexistent checkrun",
                comment: "/override foobar",
                app: true,
                check_runs: &[
                    ("incomplete-checkrun", None),
                    ("failure-checkrun", Some("failure")),
                ],
                want_replies: &[UNKNOWN],
                ..Case::default()
            },
            Case {
                name: "comment for incorrect context",
                comment: "/override whatever-you-want",
                statuses: &[("hung-test", "pending")],
                presubmits: &[("hung-prow-job", "hung-test")],
                want_replies: &[UNKNOWN],
                ..Case::default()
            },
            Case {
                name: "refuse override from non-admin",
                comment: "/override broken-test",
                user: "rando",
                statuses: &[("broken-test", "pending")],
                want_replies: &[
                    "rando unauthorized: /override is restricted to Repo administrators.",
                ],
                ..Case::default()
            },
            Case {
                name: "refuse override from a collaborator with write access",
                comment: "/override broken-test",
                user: "alice",
                statuses: &[("broken-test", "pending")],
                want_replies: &[
                    "alice unauthorized: /override is restricted to Repo administrators.",
                ],
                ..Case::default()
            },
            Case {
                name: "comment for override with no target",
                comment: "/override",
                user: "rando",
                statuses: &[("broken-test", "pending")],
                want_replies: &[
                    "/override requires failed status contexts to operate on, but none was given",
                ],
                ..Case::default()
            },
            Case {
                name: "override multiple",
                comment: "/override broken-test\n/override hung-test",
                statuses: &[("broken-test", "failure"), ("hung-test", "pending")],
                want_overridden: &["broken-test", "hung-test"],
                want_replies: &["Overrode contexts on behalf of admin: broken-test, hung-test"],
                ..Case::default()
            },
            Case {
                name: "override multiple contexts inline",
                comment: "/override broken-test hung-test",
                statuses: &[("broken-test", "failure"), ("hung-test", "pending")],
                want_overridden: &["broken-test", "hung-test"],
                want_replies: &["Overrode contexts on behalf of admin: broken-test, hung-test"],
                ..Case::default()
            },
            Case {
                name: "override with extra whitespace",
                comment: "/override  broken-test \r\n",
                statuses: &[("broken-test", "failure")],
                want_overridden: &["broken-test"],
                want_replies: &["Overrode contexts on behalf of admin: broken-test"],
                ..Case::default()
            },
            Case {
                name: "ignore random text",
                comment: "/test broken-test",
                statuses: &[("broken-test", "pending")],
                ..Case::default()
            },
            Case {
                name: "ignore a longer command",
                comment: "/overrideall broken-test",
                statuses: &[("broken-test", "pending")],
                ..Case::default()
            },
            Case {
                name: "comment on get pr failure",
                comment: "/override broken-test",
                statuses: &[("broken-test", "failure")],
                failing: &["get_pull_request"],
                want_replies: &["Cannot get PR #1 in org/repo"],
                ..Case::default()
            },
            Case {
                name: "comment on list statuses failure",
                comment: "/override broken-test",
                statuses: &[("broken-test", "failure")],
                failing: &["get_combined_status"],
                want_replies: &["Cannot get commit statuses for PR #1 in org/repo"],
                ..Case::default()
            },
            Case {
                name: "comment on list check runs failure",
                comment: "/override broken-test",
                app: true,
                statuses: &[("broken-test", "failure")],
                failing: &["list_check_runs"],
                want_replies: &["Cannot get commit checkruns for PR #1 in org/repo"],
                ..Case::default()
            },
            Case {
                name: "comment on get branch protection failure",
                comment: "/override broken-test",
                statuses: &[("broken-test", "failure")],
                failing: &["get_branch_protection"],
                want_replies: &["Cannot get branch protection for branch master in org/repo"],
                ..Case::default()
            },
            Case {
                name: "comment on get base ref failure",
                comment: "/override broken-test",
                statuses: &[("broken-test", "failure")],
                failing: &["get_ref"],
                want_replies: &["Cannot get base ref of PR"],
                ..Case::default()
            },
            Case {
                name: "comment on status update failure",
                comment: "/override broken-test",
                statuses: &[("broken-test", "failure")],
                failing: &["create_status"],
                want_replies: &["Cannot update PR status for context broken-test"],
                ..Case::default()
            },
            Case {
                name: "a failure after an override still reports the override",
                comment: "/override a-test b-test",
                statuses: &[("a-test", "failure"), ("b-test", "failure")],
                failing: &["create_status"],
                fail_every: 2,
                want_overridden: &["a-test"],
                want_replies: &[
                    "Cannot update PR status for context b-test",
                    "Overrode contexts on behalf of admin: a-test",
                ],
                ..Case::default()
            },
            Case {
                name: "do not override passing contexts",
                comment: "/override passing-test",
                statuses: &[("passing-test", "success")],
                want_replies: &[UNKNOWN],
                ..Case::default()
            },
            Case {
                name: "create successful prow job",
                comment: "/override prow-job",
                statuses: &[("prow-job", "failure")],
                presubmits: &[("prow-job", "prow-job")],
                want_overridden: &["prow-job"],
                want_jobs: &["prow-job"],
                want_replies: &["Overrode contexts on behalf of admin: prow-job"],
                ..Case::default()
            },
            Case {
                name: "successfully override prow job name",
                comment: "/override prow-job",
                statuses: &[("ci/prow/pkg-job", "failure")],
                presubmits: &[("prow-job", "ci/prow/pkg-job")],
                want_overridden: &["ci/prow/pkg-job"],
                want_jobs: &["ci/prow/pkg-job"],
                want_replies: &["Overrode contexts on behalf of admin: ci/prow/pkg-job"],
                ..Case::default()
            },
            Case {
                name: "override prow job and context",
                comment: "/override prow-job\n/override ci/prow/context",
                statuses: &[
                    ("ci/prow/context", "failure"),
                    ("ci/prow/pkg-job", "failure"),
                ],
                presubmits: &[("prow-job", "ci/prow/pkg-job")],
                want_overridden: &["ci/prow/context", "ci/prow/pkg-job"],
                want_jobs: &["ci/prow/pkg-job"],
                want_replies: &[
                    "Overrode contexts on behalf of admin: ci/prow/context, ci/prow/pkg-job",
                ],
                ..Case::default()
            },
            Case {
                name: "override same context and prow job",
                comment: "/override ci/prow/pkg-job\n/override prow-job",
                statuses: &[("ci/prow/pkg-job", "failure")],
                presubmits: &[("prow-job", "ci/prow/pkg-job")],
                want_overridden: &["ci/prow/pkg-job"],
                want_jobs: &["ci/prow/pkg-job"],
                want_replies: &["Overrode contexts on behalf of admin: ci/prow/pkg-job"],
                ..Case::default()
            },
            Case {
                name: "override with explanation works",
                comment: "/override job\r\nobnoxious flake",
                statuses: &[("job", "failure")],
                want_overridden: &["job"],
                want_replies: &["Overrode contexts on behalf of admin: job"],
                ..Case::default()
            },
            Case {
                name: "override with allow_top_level_owners works",
                comment: "/override job",
                user: "code_owner",
                plugins_yaml: "override:\n  allow_top_level_owners: true\n",
                owners: "approvers: [code_owner]\n",
                statuses: &[("job", "failure")],
                want_overridden: &["job"],
                want_replies: &["Overrode contexts on behalf of code_owner: job"],
                ..Case::default()
            },
            Case {
                name: "override with allow_top_level_owners works for uppercase user",
                comment: "/override job",
                user: "Code_owner",
                plugins_yaml: "override:\n  allow_top_level_owners: true\n",
                owners: "approvers: [code_owner]\n",
                statuses: &[("job", "failure")],
                want_overridden: &["job"],
                want_replies: &["Overrode contexts on behalf of Code_owner: job"],
                ..Case::default()
            },
            Case {
                name: "override with allow_top_level_owners fails if user is not in OWNERS file",
                comment: "/override job",
                user: "non_code_owner",
                plugins_yaml: "override:\n  allow_top_level_owners: true\n",
                owners: "approvers: [code_owner]\n",
                statuses: &[("job", "failure")],
                want_replies: &[
                    "non_code_owner unauthorized: /override is restricted to Repo administrators, approvers in top level OWNERS file.",
                ],
                ..Case::default()
            },
            Case {
                name: "a top-level approver who is not a collaborator is not allowed",
                comment: "/override job",
                user: "outsider",
                plugins_yaml: "override:\n  allow_top_level_owners: true\n",
                owners: "approvers: [outsider]\n",
                statuses: &[("job", "failure")],
                want_replies: &[
                    "outsider unauthorized: /override is restricted to Repo administrators, approvers in top level OWNERS file.",
                ],
                ..Case::default()
            },
            Case {
                name: "top-level owners are not allowed unless configured",
                comment: "/override job",
                user: "code_owner",
                owners: "approvers: [code_owner]\n",
                statuses: &[("job", "failure")],
                want_replies: &[
                    "code_owner unauthorized: /override is restricted to Repo administrators.",
                ],
                ..Case::default()
            },
            Case {
                name: "override with allowed_github_team allowed if user is in specified github team",
                comment: "/override job",
                user: "user1",
                plugins_yaml: "override:\n  allowed_github_teams:\n    org/repo: [team-foo]\n",
                statuses: &[("job", "failure")],
                want_overridden: &["job"],
                want_replies: &["Overrode contexts on behalf of user1: job"],
                ..Case::default()
            },
            Case {
                name: "members of teams allowed for the org are authorized",
                comment: "/override job",
                user: "user2",
                plugins_yaml: "override:\n  allowed_github_teams:\n    org: [team-foo]\n",
                statuses: &[("job", "failure")],
                want_overridden: &["job"],
                want_replies: &["Overrode contexts on behalf of user2: job"],
                ..Case::default()
            },
            Case {
                name: "override does not fail due to invalid github team slug",
                comment: "/override job",
                user: "user1",
                plugins_yaml: "override:\n  allowed_github_teams:\n    org/repo: [invalid-team-slug, team-foo]\n",
                statuses: &[("job", "failure")],
                want_overridden: &["job"],
                want_replies: &["Overrode contexts on behalf of user1: job"],
                ..Case::default()
            },
            Case {
                name: "non-members of allowed teams are refused",
                comment: "/override job",
                user: "alice",
                plugins_yaml: "override:\n  allowed_github_teams:\n    org/repo: [team-foo]\n    other/repo: [team-bar]\n",
                statuses: &[("job", "failure")],
                want_replies: &[
                    "alice unauthorized: /override is restricted to Repo administrators, and the following github teams:org/repo: team-foo.",
                ],
                ..Case::default()
            },
            Case {
                name: "override with empty branch protection",
                comment: "/override job",
                want_replies: &[UNKNOWN],
                ..Case::default()
            },
            Case {
                name: "override with branch protection status checks",
                comment: "/override job",
                required: &["job"],
                want_overridden: &["job"],
                want_replies: &["Overrode contexts on behalf of admin: job"],
                ..Case::default()
            },
            Case {
                name: "override with same branch protection status check and status",
                comment: "/override job",
                required: &["job"],
                statuses: &[("job", "failure")],
                want_overridden: &["job"],
                want_replies: &["Overrode contexts on behalf of admin: job"],
                ..Case::default()
            },
            Case {
                name: "handle only one status when multiple statuses have the same context",
                comment: "/override problematic-test",
                statuses: &[
                    ("problematic-test", "pending"),
                    ("problematic-test", "failure"),
                    ("problematic-test", "pending"),
                ],
                presubmits: &[("problematic-test", "problematic-test")],
                want_overridden: &["problematic-test"],
                want_jobs: &["problematic-test"],
                want_replies: &["Overrode contexts on behalf of admin: problematic-test"],
                ..Case::default()
            },
        ];
        for case in &cases {
            run(case).await;
        }
    }

    #[tokio::test]
    async fn unknown_contexts_reply_lists_what_may_be_overridden() {
        let mut h = Harness::new();
        h.set_config_yaml(
            "",
            Some(&presubmits_yaml(&[("hung-prow-job", "hung-test")])),
        );
        let pr = h.open_pr("author", "change", Files::new().put("a.txt", "a"));
        let head = h.sim.pull_request(&h.repo, pr).unwrap().head.sha;
        for (context, state) in [("hung-test", "pending"), ("ok", "success")] {
            let status = Status {
                state: state.into(),
                context: context.into(),
                ..Status::default()
            };
            h.sim.set_status(&h.repo, &head, &status).unwrap();
        }
        h.forget();
        h.sim
            .comment_as(ADMIN, &h.repo, pr, "/override whatever-you-want ok")
            .unwrap();
        h.deliver_ok(&Override).await;
        let actions = h.bot_actions();
        assert_eq!(actions.len(), 1, "{actions:?}");
        let want = "@admin: /override requires failed status contexts, check run or a prowjob name to operate on.
The following unknown contexts/checkruns were given:
 - `ok`
 - `whatever-you-want`

Only the following failed contexts/checkruns were expected:
 - `hung-prow-job`
 - `hung-test`

If you are trying to override a checkrun that has a space in it, you must put a double quote on the context.


<details>

In response to [this](";
        assert!(actions[0].1.starts_with(want), "{}", actions[0].1);
        assert!(
            h.jobs
                .list(&JobSelector::default())
                .await
                .unwrap()
                .is_empty()
        );
    }

    #[tokio::test]
    async fn ignored_comments() {
        // Issues, closed pull requests and edits are not acted on.
        let mut h = Harness::new();
        let issue = h.open_issue("author", "bug");
        h.sim
            .comment_as(ADMIN, &h.repo, issue, "/override broken-test")
            .unwrap();
        h.deliver_ok(&Override).await;
        assert!(h.bot_calls().is_empty(), "ignore non-PRs");

        let pr = h.open_pr("author", "change", Files::new().put("a.txt", "a"));
        let id = h.sim.comment_as(ADMIN, &h.repo, pr, "soon").unwrap();
        h.forget();
        h.sim
            .edit_comment_as(ADMIN, &h.repo, id, "/override broken-test")
            .unwrap();
        h.deliver_ok(&Override).await;
        assert!(h.bot_calls().is_empty(), "ignore edits");

        h.sim.close_pull_request_as("author", &h.repo, pr).unwrap();
        h.forget();
        h.sim
            .comment_as(ADMIN, &h.repo, pr, "/override broken-test")
            .unwrap();
        h.deliver_ok(&Override).await;
        assert!(h.bot_calls().is_empty(), "ignore closed pull requests");
    }

    /// Sets `statuses` on a new pull request's head and has the admin comment `body`;
    /// returns the statuses set by the bot, as `(context, state, description)`, and the
    /// message of its last reply.
    async fn after(
        statuses: &[(&str, &str, &str)],
        body: &str,
    ) -> (Vec<(String, String, String)>, String, String) {
        let mut h = Harness::new();
        let pr = h.open_pr("author", "change", Files::new().put("a.txt", "a"));
        let head = h.sim.pull_request(&h.repo, pr).unwrap().head.sha;
        let base = h.sim.resolve_ref(&h.repo, Some("master")).unwrap();
        for (context, state, description) in statuses {
            let status = Status {
                state: (*state).into(),
                context: (*context).into(),
                description: (*description).into(),
                ..Status::default()
            };
            h.sim.set_status(&h.repo, &head, &status).unwrap();
        }
        h.forget();
        h.sim.comment_as(ADMIN, &h.repo, pr, body).unwrap();
        h.deliver_ok(&Override).await;
        let mut set = Vec::new();
        let mut reply = String::new();
        for call in h.bot_calls() {
            match call.action {
                Action::CreateStatus { status, .. } => {
                    set.push((status.context, status.state, status.description))
                }
                Action::CreateComment { body } => reply = body,
                other => panic!("unexpected call {other:?}"),
            }
        }
        (set, reply, base)
    }

    #[tokio::test]
    async fn sticky_overrides() {
        let (set, reply, base) = after(
            &[("job-a", "failure", "Build failed")],
            "/override-sticky job-a",
        )
        .await;
        let sticky =
            context_description_with_base_sha("Overridden by admin [prow:skip-retest]", &base);
        assert_eq!(set, [("job-a".into(), "success".into(), sticky)]);
        assert!(reply.starts_with(
            "@admin: Overrode contexts on behalf of admin: job-a\n\nThese overrides will persist across retests on the current HEAD SHA. Pushing a new commit will clear them. Use `/override-cancel` to remove them.\n\n<details>"
        ), "{reply}");

        let (set, _, base) =
            after(&[("job-a", "failure", "Build failed")], "/override job-a").await;
        let regular = context_description_with_base_sha("Overridden by admin", &base);
        assert_eq!(set, [("job-a".into(), "success".into(), regular)]);

        let (set, reply, _) = after(&[("job-a", "failure", "")], "/override-sticky").await;
        assert!(set.is_empty());
        assert!(reply.starts_with(
            "@admin: /override-sticky requires failed status contexts to operate on, but none was given"
        ), "{reply}");
    }

    #[tokio::test]
    async fn cancelling_overrides() {
        struct Case {
            name: &'static str,
            body: &'static str,
            statuses: &'static [(&'static str, &'static str, &'static str)],
            want: &'static [&'static str],
            reply: &'static str,
        }
        let cases = [
            Case {
                name: "cancel specific override",
                body: "/override-cancel job-a",
                statuses: &[
                    (
                        "job-a",
                        "success",
                        "Overridden by admin-user [prow:skip-retest]",
                    ),
                    (
                        "job-b",
                        "success",
                        "Overridden by admin-user [prow:skip-retest]",
                    ),
                ],
                want: &["job-a"],
                reply: "Cancelled overrides on behalf of admin: job-a",
            },
            Case {
                name: "cancel all overrides",
                body: "/override-cancel",
                statuses: &[
                    (
                        "job-a",
                        "success",
                        "Overridden by admin-user [prow:skip-retest]",
                    ),
                    (
                        "job-b",
                        "success",
                        "Overridden by admin-user [prow:skip-retest]",
                    ),
                ],
                want: &["job-a", "job-b"],
                reply: "Cancelled overrides on behalf of admin: job-a, job-b",
            },
            Case {
                name: "cancel also affects regular overrides",
                body: "/override-cancel",
                statuses: &[("job-a", "success", "Overridden by admin-user")],
                want: &["job-a"],
                reply: "Cancelled overrides on behalf of admin: job-a",
            },
            Case {
                name: "cancel does not affect non-override statuses",
                body: "/override-cancel",
                statuses: &[("job-a", "success", "Build succeeded")],
                want: &[],
                reply: "No overrides found to cancel",
            },
            Case {
                name: "cancel of a quoted context",
                body: "/override-cancel \"test / Unit\"",
                statuses: &[
                    ("test / Unit", "success", "Overridden by admin"),
                    ("job-b", "success", "Overridden by admin"),
                ],
                want: &["test / Unit"],
                reply: "Cancelled overrides on behalf of admin: test / Unit",
            },
        ];
        for case in cases {
            let (set, reply, _) = after(case.statuses, case.body).await;
            let want: Vec<(String, String, String)> = case
                .want
                .iter()
                .map(|c| {
                    (
                        c.to_string(),
                        "failure".into(),
                        "Override cancelled by admin".into(),
                    )
                })
                .collect();
            assert_eq!(set, want, "{}", case.name);
            assert!(
                reply.starts_with(&format!("@admin: {}\n\n<details>", case.reply)),
                "{}: {reply}",
                case.name
            );
        }
    }

    #[tokio::test]
    async fn cancel_then_override_in_one_comment() {
        let (set, reply, base) = after(
            &[
                ("job-a", "success", "Overridden by admin"),
                ("job-b", "failure", "Build failed"),
            ],
            "/override-cancel job-a\n/override job-b",
        )
        .await;
        assert_eq!(
            set,
            [
                (
                    "job-a".to_owned(),
                    "failure".to_owned(),
                    "Override cancelled by admin".to_owned()
                ),
                (
                    "job-b".to_owned(),
                    "success".to_owned(),
                    context_description_with_base_sha("Overridden by admin", &base)
                ),
            ]
        );
        assert!(reply.starts_with("@admin: Overrode contexts on behalf of admin: job-b"));
    }

    #[tokio::test]
    async fn cancel_is_for_those_who_may_override() {
        let mut h = Harness::new();
        let pr = h.open_pr("author", "change", Files::new().put("a.txt", "a"));
        h.sim
            .comment_as("alice", &h.repo, pr, "/override-cancel")
            .unwrap();
        h.deliver_ok(&Override).await;
        let actions = h.bot_actions();
        assert_eq!(actions.len(), 1);
        assert!(actions[0].1.starts_with(
            "@alice: alice unauthorized: /override-cancel is restricted to Repo administrators.\n\n<details>"
        ), "{}", actions[0].1);
    }

    #[test]
    fn who_can_use_lists_the_teams_for_the_repository() {
        let options: OverrideConfig = prow_core::yaml::from_str(
            "allowed_github_teams:\n  org1/repo1: [team-foo, team-bar]\n  org2/repo2: [team-bar]\n  org1: [team-foo-bar]\n",
        )
        .unwrap();
        assert_eq!(
            who_can_use(&options, "org1", "repo1"),
            "Repo administrators, and the following github teams:org1/repo1: team-foo team-bar, org1: team-foo-bar."
        );
        assert_eq!(
            who_can_use(&OverrideConfig::default(), "org", "repo"),
            "Repo administrators."
        );
        let owners = OverrideConfig {
            allow_top_level_owners: true,
            ..OverrideConfig::default()
        };
        assert_eq!(
            who_can_use(&owners, "", ""),
            "Repo administrators, approvers in top level OWNERS file."
        );
    }

    #[test]
    fn help_says_who_may_override() {
        let plugins = PluginsConfig::load(
            "override:\n  allowed_github_teams:\n    org1/repo1: [team-foo, team-bar]\n",
        )
        .unwrap();
        let help = Override.help_for(&plugins, &[RepoName::new("org1", "repo1")]);
        assert_eq!(help.commands.len(), 3);
        for command in &help.commands {
            assert_eq!(
                command.who_can_use,
                "Repo administrators, and the following github teams:org1/repo1: team-foo team-bar."
            );
        }
        assert_eq!(help.commands[0].usage, "/override [context1] [context2]");
        assert_eq!(
            help.commands[1].usage,
            "/override-sticky [context1] [context2]"
        );
        assert_eq!(help.commands[2].usage, "/override-cancel [context]");
        assert!(help.config["org1/repo1"].contains("team-foo team-bar"));
        assert_eq!(
            Override.help().commands[0].who_can_use,
            "Repo administrators."
        );
    }

    #[test]
    fn override_input_is_split_on_spaces_outside_quotes() {
        for (input, want) in [
            ("broken-test", vec!["broken-test"]),
            ("a  b", vec!["a", "b"]),
            (
                "\"test / Unit Tests\" other",
                vec!["test / Unit Tests", "other"],
            ),
            ("ci/circleci", vec!["ci/circleci"]),
        ] {
            assert_eq!(parse_override_input(input), want, "{input}");
        }
    }
}
