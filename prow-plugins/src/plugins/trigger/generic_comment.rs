//! Comments on pull requests: `/ok-to-test` (and `cancel`), `/test <job>`, `/test all`,
//! `/test ?`, `/retest`, `/retest-required`, `/test-manual-required` and each job's trigger.

use std::collections::{BTreeMap, HashSet};
use std::convert::Infallible;

use prow_core::config::jobs::Presubmit;
use prow_core::config::plugins::Trigger as TriggerConfig;
use prow_core::config::selection::{AvailablePresubmits, available_presubmits, presubmit_filter};
use prow_core::event::{GenericCommentAction, GenericCommentEvent, PullRequest, has_label};
use prow_core::github::{GitHubClient, GitHubResult, RepoName};
use prow_core::labels;
use prow_core::prowjob::labels::RETEST_LABEL;
use prow_core::traits::{PluginContext, PluginError};

use super::{
    ANY_TEST, BotUser, NotRead, OK_TO_TEST, OK_TO_TEST_CANCEL, PullRequestChanges, RETEST,
    RETEST_REQUIRED, RETEST_WITH_TARGET, TEST, TEST_ALL, TEST_HELP, TEST_MANUAL_REQUIRED,
    TEST_WITHOUT_TARGET, TrustPolicy, honor_ok_to_test, presubmits_of, run_requested,
    trusted_pull_request, trusted_user,
};
use crate::commands::strip_code_blocks;
use crate::plugins::repo_of;
use crate::reply::format_comment_response;

/// The note before the job list when `/test` names no job.
pub const TEST_WITHOUT_TARGET_NOTE: &str = "The `/test` command needs one or more targets.\n";
/// The note before the job list when `/retest` names a job.
pub const RETEST_WITH_TARGET_NOTE: &str = "The `/retest` command does not accept any targets.\n";
/// The note before the job list when `/test` names no job that exists.
pub const TARGET_NOT_FOUND_NOTE: &str = "The specified target(s) for `/test` were not found.\n";
/// The note before the job list when `/test all` has nothing to run.
pub const THERE_ARE_NO_TEST_ALL_JOBS_NOTE: &str = "No jobs can be run with `/test all`.\n";

const AVAILABLE_REQUIRED_TESTS_NOTE: &str =
    "The following commands are available to trigger required jobs:";
const AVAILABLE_OPTIONAL_TESTS_NOTE: &str =
    "The following commands are available to trigger optional jobs:";

/// The reply to an untrusted user's command on an untrusted pull request.
const UNTRUSTED_REPLY: &str = "Cannot trigger testing until a trusted user reviews the PR and leaves an `/ok-to-test` message.";
/// The same reply where `/ok-to-test` is ignored.
const UNTRUSTED_REPLY_IGNORING_OK_TO_TEST: &str = "PRs from untrusted users cannot be marked as trusted with `/ok-to-test` in this repo meaning untrusted PR authors can never trigger tests themselves. Collaborators can still trigger tests on the PR using `/test`.";
/// The reply to `/ok-to-test cancel` from an untrusted user.
const ONLY_TRUSTED_CAN_REVOKE: &str = "Only trusted users can revoke `/ok-to-test`.";

/// Handles a comment (or pull request body) as trigger reads it.
pub(super) async fn handle(
    ctx: &PluginContext,
    trigger: &TriggerConfig,
    gc: &GenericCommentEvent,
) -> Result<(), PluginError> {
    if gc.action != GenericCommentAction::Created || !gc.is_pr || gc.issue_state != "open" {
        return Ok(());
    }
    let github = ctx.github.as_ref();
    let bot = BotUser::of(github).await?;
    if bot.is(&gc.user.login) {
        return Ok(());
    }
    let repo = repo_of(gc);
    let presubmits = presubmits_of(ctx, &repo);
    let text = strip_code_blocks(&gc.body);
    if !comment_matches_trigger(&text, presubmits) {
        return Ok(());
    }

    let policy = TrustPolicy::of(trigger);
    let commenter = trusted_user(github, &policy, &gc.user.login, &repo.org, &repo.repo).await?;
    let mut known_labels = None;
    if !commenter.is_trusted {
        let (labels, trusted) = trusted_pull_request(
            github,
            &policy,
            &gc.issue_author.login,
            &repo,
            gc.number,
            None,
        )
        .await?;
        if !trusted {
            let reply = if trigger.ignore_ok_to_test {
                UNTRUSTED_REPLY_IGNORING_OK_TO_TEST
            } else {
                UNTRUSTED_REPLY
            };
            github
                .create_comment(&repo, gc.number, &format_comment_response(gc, reply))
                .await?;
            return Ok(());
        }
        known_labels = labels;
    }

    // The pull request can be tested: bring its labels up to date.
    let current = match known_labels {
        Some(labels) => labels,
        None => github.get_issue_labels(&repo, gc.number).await?,
    };
    let has_ok_to_test = has_label(&current, labels::OK_TO_TEST);
    let has_needs_ok_to_test = has_label(&current, labels::NEEDS_OK_TO_TEST);
    let honor = honor_ok_to_test(trigger);
    let ok_to_test = honor && OK_TO_TEST.is_in(&text);
    if ok_to_test && !has_ok_to_test {
        github
            .add_label(&repo, gc.number, labels::OK_TO_TEST)
            .await?;
    }
    if (ok_to_test || has_ok_to_test) && has_needs_ok_to_test {
        github
            .remove_label(&repo, gc.number, labels::NEEDS_OK_TO_TEST)
            .await?;
    }
    if honor && OK_TO_TEST_CANCEL.is_in(&text) {
        if !commenter.is_trusted {
            github
                .create_comment(
                    &repo,
                    gc.number,
                    &format_comment_response(gc, ONLY_TRUSTED_CAN_REVOKE),
                )
                .await?;
            return Ok(());
        }
        if has_ok_to_test {
            github
                .remove_label(&repo, gc.number, labels::OK_TO_TEST)
                .await?;
        }
        if !has_needs_ok_to_test {
            github
                .add_label(&repo, gc.number, labels::NEEDS_OK_TO_TEST)
                .await?;
        }
        return Ok(());
    }

    let pr = github.get_pull_request(&repo, gc.number).await?;
    let base_sha = github
        .get_ref(&repo, &format!("heads/{}", pr.base.r#ref))
        .await?;
    super::workflows::approve_on_ok_to_test(github, trigger, ok_to_test, &repo, &pr).await;
    let mut changes = PullRequestChanges::new(github, &repo, pr.number);
    let to_test =
        select_for_comment(github, honor, &text, &pr, &repo, presubmits, &mut changes).await?;

    if let Some(note) = should_respond_with_help(&text, to_test.len()) {
        let available = available(&mut changes, &pr.base.r#ref, presubmits).await?;
        let reply = help_message(&repo.org, &repo.repo, &pr.base.r#ref, note, &available);
        github
            .create_comment(&repo, gc.number, &format_comment_response(gc, &reply))
            .await?;
        return Ok(());
    }

    // Retests are labelled so they can be told from first runs.
    let mut extra_labels = BTreeMap::new();
    if RETEST.is_in(&text) || RETEST_REQUIRED.is_in(&text) {
        extra_labels.insert(RETEST_LABEL.to_owned(), "true".to_owned());
    }
    // The jobs start while the GitHub-side chores go on: re-running failed workflow runs, and
    // pruning earlier help replies, which a `/test` or `/retest` that runs makes stale (a
    // listing of every comment of the pull request, which must not delay the jobs).
    let chores = async {
        super::workflows::rerun_on_retest(github, trigger, &text, &repo, &pr).await;
        if ANY_TEST.is_in(&text) {
            prune_help_comments(github, &bot, &repo, gc.number).await;
        }
    };
    let run = run_requested(ctx, &pr, &base_sha, &to_test, &gc.guid, &extra_labels);
    let ((), started) = futures_util::future::join(chores, run).await;
    started?;
    Ok(())
}

/// Whether a comment concerns trigger: one of its commands, something that earns a help
/// reply, or a job's trigger.
fn comment_matches_trigger(text: &str, presubmits: &[Presubmit]) -> bool {
    [
        &RETEST,
        &RETEST_REQUIRED,
        &TEST_MANUAL_REQUIRED,
        &OK_TO_TEST,
        &OK_TO_TEST_CANCEL,
        &TEST_ALL,
    ]
    .iter()
    .any(|command| command.is_in(text))
        || may_need_help_comment(text)
        || presubmits.iter().any(|p| p.trigger_matches(text))
}

fn may_need_help_comment(text: &str) -> bool {
    [&TEST_WITHOUT_TARGET, &RETEST_WITH_TARGET, &TEST, &TEST_HELP]
        .iter()
        .any(|command| command.is_in(text))
}

/// Whether a comment earns the list of available jobs instead of a run, and the note that
/// goes before the list: `/test ?`; `/test` without a job; `/retest` with one; `/test all`
/// or `/test <job>` that selected nothing (`selected` jobs).
pub fn should_respond_with_help(text: &str, selected: usize) -> Option<&'static str> {
    if TEST_HELP.is_in(text) {
        Some("")
    } else if TEST_WITHOUT_TARGET.is_in(text) {
        Some(TEST_WITHOUT_TARGET_NOTE)
    } else if RETEST_WITH_TARGET.is_in(text) {
        Some(RETEST_WITH_TARGET_NOTE)
    } else if selected == 0 && TEST_ALL.is_in(text) {
        Some(THERE_ARE_NO_TEST_ALL_JOBS_NOTE)
    } else if selected == 0 && TEST.is_in(text) {
        Some(TARGET_NOT_FOUND_NOTE)
    } else {
        None
    }
}

/// Whether a comment of the bot is one of its job-list replies.
pub fn is_help_comment(body: &str) -> bool {
    [
        TEST_WITHOUT_TARGET_NOTE,
        RETEST_WITH_TARGET_NOTE,
        TARGET_NOT_FOUND_NOTE,
        THERE_ARE_NO_TEST_ALL_JOBS_NOTE,
        AVAILABLE_REQUIRED_TESTS_NOTE,
        AVAILABLE_OPTIONAL_TESTS_NOTE,
    ]
    .iter()
    .any(|note| body.contains(note))
}

/// The list of jobs that can be started on a pull request into `org/repo@branch`, after
/// `note` (upstream's `HelpMessage`).
pub fn help_message(
    org: &str,
    repo: &str,
    branch: &str,
    note: &str,
    available: &AvailablePresubmits,
) -> String {
    let test_all = &available.test_all;
    let optional = &available.optional_commands;
    let required = &available.required_commands;
    if test_all.len() + optional.len() + required.len() == 0 {
        return format!("No presubmit jobs available for {org}/{repo}@{branch}");
    }
    let list = |names: &std::collections::BTreeSet<String>| -> String {
        names.iter().map(|n| format!("\n```\n{n}\n```")).collect()
    };
    let mut reply = note.to_owned();
    if !required.is_empty() {
        reply.push_str(AVAILABLE_REQUIRED_TESTS_NOTE);
        reply.push_str(&list(required));
        reply.push_str("\n\n");
    }
    if !optional.is_empty() {
        reply.push_str(AVAILABLE_OPTIONAL_TESTS_NOTE);
        reply.push_str(&list(optional));
        reply.push_str("\n\n");
    }
    if test_all.len() == optional.len() + required.len() {
        reply.push_str("Use `/test all` to run all jobs.\n");
    } else if !test_all.is_empty() {
        reply.push_str(&format!(
            "Use `/test all` to run the following jobs that were automatically triggered:{}\n\n",
            list(test_all)
        ));
    }
    reply
}

/// The presubmits a comment asks for on a pull request (upstream's `FilterPresubmits` of the
/// trigger plugin): those whose trigger matches; for `/retest`, the failed ones and the
/// automatic ones that never reported (`/retest-required`: of the required jobs); for
/// `/test-manual-required`, the required manual ones; for `/test all` (or `/ok-to-test` when
/// honoured), the automatic ones; each subject to its branch and changed-file filters.
pub async fn presubmits_for_comment<'p>(
    github: &dyn GitHubClient,
    honor_ok_to_test: bool,
    text: &str,
    pr: &PullRequest,
    repo: &RepoName,
    presubmits: &'p [Presubmit],
) -> GitHubResult<Vec<&'p Presubmit>> {
    let mut changes = PullRequestChanges::new(github, repo, pr.number);
    select_for_comment(
        github,
        honor_ok_to_test,
        text,
        pr,
        repo,
        presubmits,
        &mut changes,
    )
    .await
}

async fn select_for_comment<'p>(
    github: &dyn GitHubClient,
    honor_ok_to_test: bool,
    text: &str,
    pr: &PullRequest,
    repo: &RepoName,
    presubmits: &'p [Presubmit],
    changes: &mut PullRequestChanges<'_>,
) -> GitHubResult<Vec<&'p Presubmit>> {
    let contexts = if RETEST.is_in(text) || RETEST_REQUIRED.is_in(text) {
        let combined = github.get_combined_status(repo, &pr.head.sha).await?;
        let mut failed = HashSet::new();
        let mut all = HashSet::new();
        for status in combined.statuses {
            if status.state == "error" || status.state == "failure" {
                failed.insert(status.context.clone());
            }
            all.insert(status.context);
        }
        (failed, all)
    } else {
        Default::default()
    };
    let make = || {
        presubmit_filter(
            honor_ok_to_test,
            || Ok::<_, Infallible>(contexts.clone()),
            text,
        )
        .unwrap_or_else(|never| match never {})
    };
    changes.select(make, &pr.base.r#ref, presubmits).await
}

/// What can be run on the pull request, reading its changed files only when needed.
async fn available(
    changes: &mut PullRequestChanges<'_>,
    branch: &str,
    presubmits: &[Presubmit],
) -> GitHubResult<AvailablePresubmits> {
    if let Ok(available) = available_presubmits(&mut NotRead, branch, presubmits) {
        return Ok(available);
    }
    let mut files = changes.files().await?;
    Ok(available_presubmits(&mut files, branch, presubmits).unwrap_or_else(|e| match e.source {}))
}

/// Deletes the bot's earlier job-list replies on the pull request; failures are logged.
async fn prune_help_comments(
    github: &dyn GitHubClient,
    bot: &BotUser,
    repo: &RepoName,
    number: u64,
) {
    let comments = match github.list_issue_comments(repo, number).await {
        Ok(comments) => comments,
        Err(error) => {
            tracing::error!(%repo, number, %error, "could not list the comments to prune");
            return;
        }
    };
    for comment in comments {
        if bot.is(&comment.user.login)
            && is_help_comment(&comment.body)
            && let Err(error) = github.delete_comment(repo, comment.id).await
        {
            tracing::error!(%repo, number, id = comment.id, %error, "could not delete a stale help comment");
        }
    }
}
