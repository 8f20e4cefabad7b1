//! GitHub Actions on pull requests (`trigger_github_workflows`): `/ok-to-test` approves the
//! head's runs awaiting approval; `/retest` and `/test all` re-run its failed ones.

use prow_core::config::plugins::Trigger as TriggerConfig;
use prow_core::event::PullRequest;
use prow_core::github::{GitHubClient, GitHubError, RepoName, WorkflowRun, WorkflowRunFilter};

use super::{RETEST, TEST_ALL};

/// The conclusions of completed workflow runs that passed and are not re-run (upstream's
/// `passedWorkflowRunConclusions`).
pub const PASSED_WORKFLOW_RUN_CONCLUSIONS: [&str; 2] = ["success", "skipped"];

/// The events of the runs awaiting approval that `/ok-to-test` approves.
const APPROVED_EVENTS: [&str; 2] = ["pull_request", "pull_request_target"];
/// The events of the runs `/retest` and `/test all` re-run (`workflow_call`: workflows
/// called by the pull request's workflows).
const RERUN_EVENTS: [&str; 3] = ["pull_request", "pull_request_target", "workflow_call"];

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// On a honoured `/ok-to-test` (`ok_to_test`), with `trigger_github_workflows`: approves the
/// workflow runs of the pull request's head that await approval (upstream's
/// `approveGitHubActionsWorkflowRuns`). Failures are logged; they never fail the comment.
pub(super) async fn approve_on_ok_to_test(
    github: &dyn GitHubClient,
    trigger: &TriggerConfig,
    ok_to_test: bool,
    repo: &RepoName,
    pr: &PullRequest,
) {
    if !ok_to_test || !trigger.trigger_github_workflows {
        return;
    }
    let (branch, sha) = (&pr.head.r#ref, &pr.head.sha);
    let filter = WorkflowRunFilter {
        head_sha: Some(sha.clone()),
        branch: Some(branch.clone()),
        events: strings(&APPROVED_EVENTS),
        status: Some("action_required".to_owned()),
    };
    let pending = match github.list_workflow_runs(repo, &filter).await {
        Ok(runs) => runs,
        Err(error) => {
            tracing::error!(%repo, branch, sha, %error, "unable to get pending approval workflow runs");
            return;
        }
    };
    for run in pending {
        let (id, name) = (run.id, run.name.as_str());
        match github.approve_workflow_run(repo, id).await {
            Ok(()) => tracing::info!(%repo, id, name, sha, "approved workflow run"),
            // Someone else approved it first, or it finished.
            Err(error @ GitHubError::NotFound(_)) => tracing::info!(
                %repo, id, name, sha, %error,
                "workflow run not pending approval (already approved or completed)"
            ),
            Err(error @ GitHubError::Forbidden(_)) => tracing::warn!(
                %repo, id, name, sha, %error,
                "permission denied approving workflow run (check token scopes)"
            ),
            Err(error) => {
                tracing::error!(%repo, id, name, sha, %error, "failed to approve workflow run")
            }
        }
    }
}

/// Whether a workflow run completed without passing, so that its failed jobs can be re-run.
pub fn needs_rerun(run: &WorkflowRun) -> bool {
    run.status == "completed"
        && !PASSED_WORKFLOW_RUN_CONCLUSIONS.contains(&run.conclusion.as_deref().unwrap_or_default())
}

/// On `/retest` or `/test all` (in `text`), with `trigger_github_workflows`: re-runs the failed
/// jobs of the pull request head's completed workflow runs that did not pass (upstream's
/// `GetFailedActionRunsByHeadBranch` and `TriggerFailedGitHubWorkflow`). Failures are
/// logged; they never fail the comment.
pub(super) async fn rerun_on_retest(
    github: &dyn GitHubClient,
    trigger: &TriggerConfig,
    text: &str,
    repo: &RepoName,
    pr: &PullRequest,
) {
    if !trigger.trigger_github_workflows || !(RETEST.is_in(text) || TEST_ALL.is_in(text)) {
        return;
    }
    let (branch, sha) = (&pr.head.r#ref, &pr.head.sha);
    let filter = WorkflowRunFilter {
        head_sha: Some(sha.clone()),
        branch: Some(branch.clone()),
        events: strings(&RERUN_EVENTS),
        status: None,
    };
    let runs = match github.list_workflow_runs(repo, &filter).await {
        Ok(runs) => runs,
        Err(error) => {
            tracing::error!(%repo, branch, %error, "unable to get failed github action runs");
            return;
        }
    };
    for run in runs.iter().filter(|run| needs_rerun(run)) {
        let (id, name) = (run.id, run.name.as_str());
        match github.rerun_failed_workflow_jobs(repo, id).await {
            Ok(()) => tracing::info!(%repo, id, name, "successfully triggered action run"),
            Err(error) => {
                tracing::error!(%repo, id, name, %error, "attempt to trigger github run failed")
            }
        }
    }
}
