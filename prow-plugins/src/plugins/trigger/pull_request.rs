//! Pull request events: test trusted pull requests when opened, reopened, pushed to, rebased
//! onto another base, marked ready or labelled; welcome untrusted authors; abort stale runs.

use std::collections::BTreeMap;

use prow_core::config::jobs::Presubmit;
use prow_core::config::plugins::{OrgInviteConfig, Trigger as TriggerConfig};
use prow_core::config::selection::TestAllFilter;
use prow_core::event::{PullRequest, PullRequestEvent, PullRequestEventAction, User, has_label};
use prow_core::github::{GitHubError, RepoName};
use prow_core::labels;
use prow_core::prowjob::labels::{ORG_LABEL, PROW_JOB_TYPE_LABEL, PULL_LABEL, REPO_LABEL};
use prow_core::prowjob::{ProwJobState, ProwJobType};
use prow_core::traits::{JobSelector, PluginContext, PluginError, StoreError};

use super::{
    BotUser, PullRequestChanges, TrustPolicy, pr_org_repo, presubmits_of, run_requested,
    trusted_pull_request, trusted_user,
};
use crate::reply::ABOUT_THIS_BOT_WITHOUT_COMMANDS;

/// The description trigger gives the presubmits it aborts.
pub const ABORTED_DESCRIPTION: &str = "Aborted by trigger plugin.";

/// The comment on a draft pull request opened by a trusted author.
const DRAFT_MESSAGE: &str = "Skipping CI for Draft Pull Request.\nIf you want CI signal for your change, please convert it to an actual PR.\nYou can still manually trigger a test run with `/test all`";

/// Handles a `pull_request` event.
pub(super) async fn handle(
    ctx: &PluginContext,
    trigger: &TriggerConfig,
    pe: &PullRequestEvent,
) -> Result<(), PluginError> {
    let pr = &pe.pull_request;
    let (org, name) = pr_org_repo(pr, &pe.repo);
    let repo = RepoName::new(org, name);
    let presubmits = presubmits_of(ctx, &repo);
    if presubmits.is_empty() {
        return Ok(());
    }
    let base_sha = ctx
        .github
        .get_ref(&repo, &format!("heads/{}", pr.base.r#ref))
        .await?;
    let policy = TrustPolicy::of(trigger);
    let build = Build {
        ctx,
        repo: &repo,
        pr,
        base_sha: &base_sha,
        guid: &pe.guid,
        presubmits,
    };
    match &pe.action {
        PullRequestEventAction::Opened => {
            let author = pr.user.login.as_str();
            let trusted =
                trusted_user(ctx.github.as_ref(), &policy, author, &repo.org, &repo.repo).await?;
            if trusted.is_trusted {
                if pr.draft {
                    tracing::info!(number = pr.number, "skipping all jobs for a draft PR");
                    ctx.github
                        .create_comment(&repo, pr.number, DRAFT_MESSAGE)
                        .await?;
                    return Ok(());
                }
                return build.all_but_drafts().await;
            }
            tracing::info!(author, "welcoming the author of an untrusted PR");
            welcome(ctx, trigger, &repo, pr).await
        }
        PullRequestEventAction::Reopened | PullRequestEventAction::ReadyForReview => {
            build.all_if_trusted(&policy).await
        }
        PullRequestEventAction::Edited if pe.base_changed() => build.all_if_trusted(&policy).await,
        PullRequestEventAction::Synchronize => {
            let aborted = abort_all_jobs(ctx, &repo, pr.number).await;
            let built = build.all_if_trusted(&policy).await;
            match (aborted, built) {
                (Ok(()), built) => built,
                (Err(error), Ok(())) => Err(PluginError::internal(format!(
                    "failed to abort jobs: {error}"
                ))),
                (Err(abort), Err(build)) => Err(PluginError::internal(format!(
                    "failed to abort jobs: {abort}; {build}"
                ))),
            }
        }
        PullRequestEventAction::Labeled => {
            let label = pe.label.as_ref().map_or("", |l| l.name.as_str());
            if label == labels::LGTM {
                let (_, trusted) = trusted_pull_request(
                    ctx.github.as_ref(),
                    &policy,
                    &pr.user.login,
                    &repo,
                    pr.number,
                    None,
                )
                .await?;
                if !trusted {
                    tracing::info!(
                        number = pr.number,
                        "starting all jobs for an untrusted PR with lgtm"
                    );
                    return build.all_but_drafts().await;
                }
            }
            if label == labels::OK_TO_TEST {
                // The bot adds the label for `/ok-to-test`, whose comment starts the tests.
                if BotUser::of(ctx.github.as_ref()).await?.is(&pe.sender.login) {
                    return Ok(());
                }
                return build.all_but_drafts().await;
            }
            Ok(())
        }
        PullRequestEventAction::Closed | PullRequestEventAction::ConvertedToDraft => {
            abort_all_jobs(ctx, &repo, pr.number).await?;
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Starting the presubmits of one pull request event.
struct Build<'a> {
    ctx: &'a PluginContext,
    repo: &'a RepoName,
    pr: &'a PullRequest,
    base_sha: &'a str,
    guid: &'a str,
    presubmits: &'a [Presubmit],
}

impl Build<'_> {
    /// Tests the pull request when it is trusted (its author is, or it has `ok-to-test`),
    /// removing a `needs-ok-to-test` label left over.
    async fn all_if_trusted(&self, policy: &TrustPolicy<'_>) -> Result<(), PluginError> {
        let github = self.ctx.github.as_ref();
        let (labels, trusted) = trusted_pull_request(
            github,
            policy,
            &self.pr.user.login,
            self.repo,
            self.pr.number,
            None,
        )
        .await?;
        if !trusted {
            return Ok(());
        }
        if labels.is_some_and(|l| has_label(&l, labels::NEEDS_OK_TO_TEST)) {
            github
                .remove_label(self.repo, self.pr.number, labels::NEEDS_OK_TO_TEST)
                .await?;
        }
        tracing::info!(
            number = self.pr.number,
            "starting all jobs for an updated PR"
        );
        self.all_but_drafts().await
    }

    /// Starts every presubmit that runs without being asked, unless the pull request is a
    /// draft.
    async fn all_but_drafts(&self) -> Result<(), PluginError> {
        if self.pr.draft {
            tracing::info!(number = self.pr.number, "skipping all jobs for a draft PR");
            return Ok(());
        }
        let mut changes =
            PullRequestChanges::new(self.ctx.github.as_ref(), self.repo, self.pr.number);
        let jobs = changes
            .select(|| TestAllFilter, &self.pr.base.r#ref, self.presubmits)
            .await?;
        run_requested(
            self.ctx,
            self.pr,
            self.base_sha,
            &jobs,
            self.guid,
            &BTreeMap::new(),
        )
        .await?;
        Ok(())
    }
}

/// Aborts the presubmits of pull request `number` that have not completed: their state
/// becomes `aborted` with [`ABORTED_DESCRIPTION`], for plank to stop them. A job changed
/// meanwhile by another writer is left alone.
pub async fn abort_all_jobs(
    ctx: &PluginContext,
    repo: &RepoName,
    number: u64,
) -> Result<(), StoreError> {
    let selector = JobSelector {
        labels: BTreeMap::from([
            (ORG_LABEL.to_owned(), repo.org.clone()),
            (REPO_LABEL.to_owned(), repo.repo.clone()),
            (PULL_LABEL.to_owned(), number.to_string()),
            (
                PROW_JOB_TYPE_LABEL.to_owned(),
                ProwJobType::Presubmit.to_string(),
            ),
        ]),
        ..JobSelector::default()
    };
    let jobs = ctx.jobs.list(&selector).await?;
    let mut failures = Vec::new();
    for mut job in jobs {
        if job.complete() {
            continue;
        }
        job.status.state = Some(ProwJobState::Aborted);
        job.status.description = ABORTED_DESCRIPTION.to_owned();
        let name = job.metadata.name.clone();
        match ctx.jobs.update(job).await {
            Ok(_) | Err(StoreError::Conflict(_)) => {}
            Err(error) => failures.push(format!("failed to abort job {name}: {error}")),
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Backend(failures.join("; ")))
    }
}

/// Welcomes the author of an untrusted pull request: asks for `/ok-to-test` (and adds
/// `needs-ok-to-test` unless `ok-to-test` is there already), or, when `/ok-to-test` is
/// ignored, explains that only collaborators can start tests.
async fn welcome(
    ctx: &PluginContext,
    trigger: &TriggerConfig,
    repo: &RepoName,
    pr: &PullRequest,
) -> Result<(), PluginError> {
    let github = ctx.github.as_ref();
    let org = repo.org.as_str();
    let author = pr.user.login.as_str();
    let full_name = pr
        .base
        .repo
        .as_ref()
        .map(|r| r.full_name.clone())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| repo.to_string());
    let encoded_repo = query_escape(&full_name);
    let mut errors: Vec<GitHubError> = Vec::new();
    let comment = if trigger.ignore_ok_to_test {
        format!(
            "Hi @{author}. Thanks for your PR.\n\nPRs from untrusted users cannot be marked as trusted with `/ok-to-test` in this repo meaning untrusted PR authors can never trigger tests themselves. Collaborators can still trigger tests on the PR using `/test all`.\n\nI understand the commands that are listed [here](https://go.k8s.io/bot-commands?repo={encoded_repo}).\n\n<details>\n\n{ABOUT_THIS_BOT_WITHOUT_COMMANDS}\n</details>\n"
        )
    } else {
        let more = if !trigger.trusted_org.is_empty() && trigger.trusted_org != org {
            let trusted = &trigger.trusted_org;
            format!("or [{trusted}](https://github.com/orgs/{trusted}/people) ")
        } else {
            String::new()
        };
        let join_org_url = if trigger.join_org_url.is_empty() {
            format!("https://github.com/orgs/{org}/people")
        } else {
            trigger.join_org_url.clone()
        };
        let guidance =
            org_invitation_guidance(ctx, org, &pr.user, &join_org_url, &trigger.org_invite).await;
        let ok_to_test = labels::OK_TO_TEST;
        let comment = format!(
            "Hi @{author}. Thanks for your PR.\n\nI'm waiting for a [{org}](https://github.com/orgs/{org}/people) {more}member to verify that this patch is reasonable to test. If it is, they should reply with `/ok-to-test` on its own line. Until that is done, I will not automatically test new commits in this PR, but the usual testing commands by org members will still work.\n\n{guidance}\n\nOnce the patch is verified, the new status will be reflected by the `{ok_to_test}` label.\n\nI understand the commands that are listed [here](https://go.k8s.io/bot-commands?repo={encoded_repo}).\n\n<details>\n\n{ABOUT_THIS_BOT_WITHOUT_COMMANDS}\n</details>\n"
        );
        match github.get_issue_labels(repo, pr.number).await {
            Err(error) => errors.push(error),
            // Automation may have added ok-to-test already; then the PR needs nothing more.
            Ok(current) if has_label(&current, labels::OK_TO_TEST) => {}
            Ok(_) => {
                if let Err(error) = github
                    .add_label(repo, pr.number, labels::NEEDS_OK_TO_TEST)
                    .await
                {
                    errors.push(error);
                }
            }
        }
        comment
    };
    if let Err(error) = github.create_comment(repo, pr.number, &comment).await {
        errors.push(error);
    }
    match errors.len() {
        0 => Ok(()),
        1 => Err(errors.remove(0).into()),
        _ => Err(PluginError::internal(format!(
            "could not welcome non-org member {author:?}: {}",
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        ))),
    }
}

/// The welcome comment's line about joining the org: prominent for an author who has had
/// enough pull requests merged in the org (unless turned off), plain otherwise.
async fn org_invitation_guidance(
    ctx: &PluginContext,
    org: &str,
    author: &User,
    join_org_url: &str,
    config: &OrgInviteConfig,
) -> String {
    let plain =
        || format!("Regular contributors should [join the org]({join_org_url}) to skip this step.");
    if config.prominent.disabled || !should_highlight_join_org(ctx, org, author, config).await {
        return plain();
    }
    if !config.prominent.message.is_empty() {
        return config
            .prominent
            .message
            .replace("{join_org_url}", join_org_url);
    }
    format!(
        ">[!TIP]\n>**We noticed you've done this a few times! Consider [joining the org]({join_org_url}) to skip this step and gain `/lgtm` and other bot rights.** We recommend asking approvers on your previous PRs to sponsor you."
    )
}

/// Whether the author (a person, not an app) has had at least the configured number of pull
/// requests merged in the org. A failed search counts as no.
async fn should_highlight_join_org(
    ctx: &PluginContext,
    org: &str,
    author: &User,
    config: &OrgInviteConfig,
) -> bool {
    if author.user_type == User::TYPE_BOT {
        return false;
    }
    let query = format!("type:pr is:merged org:{org} author:{}", author.login);
    match ctx.github.find_issues(&query).await {
        Ok(merged) => {
            i64::try_from(merged.len()).unwrap_or(i64::MAX)
                >= config.prominent.effective_merged_pr_threshold()
        }
        Err(error) => {
            tracing::debug!(%error, author = %author.login, org, "could not count merged PRs");
            false
        }
    }
}

/// Go's `url.QueryEscape`: everything but ASCII letters, digits and `-_.~` percent-encoded,
/// spaces as `+`.
fn query_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::query_escape;

    #[test]
    fn query_escape_matches_go() {
        assert_eq!(query_escape("org/repo"), "org%2Frepo");
        assert_eq!(query_escape("a b~c.d_e-f"), "a+b~c.d_e-f");
    }
}
