//! The GitHub client trait: every call Prow's components make to GitHub, in one interface
//! that the octocrab-based client and the GitHub simulator both implement.
//!
//! Method names follow upstream Prow's GitHub client (`GetPullRequest` → `get_pull_request`).
//! Objects come back as the same types webhook payloads use ([`crate::event`]).

use std::fmt;
use std::str::FromStr;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::event::{
    CheckRun, Issue, IssueComment, Label, Milestone, PullRequest, Review, ReviewComment, Team, User,
};

/// A repository's full name: `org/repo`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RepoName {
    /// The owner: an organisation or a user.
    pub org: String,
    /// The repository's name within its owner.
    pub repo: String,
}

impl RepoName {
    /// `org/repo` from its two parts.
    pub fn new(org: impl Into<String>, repo: impl Into<String>) -> Self {
        RepoName {
            org: org.into(),
            repo: repo.into(),
        }
    }
}

impl fmt::Display for RepoName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.org, self.repo)
    }
}

impl FromStr for RepoName {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once('/') {
            Some((org, repo)) if !org.is_empty() && !repo.is_empty() && !repo.contains('/') => {
                Ok(RepoName::new(org, repo))
            }
            _ => Err(format!("invalid repository name {s:?}: want org/repo")),
        }
    }
}

/// One file changed by a pull request (`GET /repos/{org}/{repo}/pulls/{n}/files`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullRequestChange {
    /// The blob SHA of the file after the change.
    #[serde(default)]
    pub sha: String,
    /// The file's path.
    pub filename: String,
    /// `added`, `removed`, `modified`, `renamed`, `copied`, `changed` or `unchanged`.
    #[serde(default)]
    pub status: String,
    /// Lines added.
    #[serde(default)]
    pub additions: u64,
    /// Lines removed.
    #[serde(default)]
    pub deletions: u64,
    /// Lines changed (additions + deletions).
    #[serde(default)]
    pub changes: u64,
    /// The unified diff of the file, when GitHub sends it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patch: Option<String>,
    /// The file's earlier path, for a rename.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_filename: Option<String>,
    /// The web page of the file at the pull request's head.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub blob_url: String,
}

/// One event of an issue's or pull request's timeline
/// (`GET /repos/{org}/{repo}/issues/{n}/events`, upstream's `ListedIssueEvent`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ListedIssueEvent {
    /// The event's ID.
    #[serde(default)]
    pub id: u64,
    /// What happened: `labeled`, `unlabeled`, `closed`, `assigned`, ...
    #[serde(default)]
    pub event: String,
    /// Who did it.
    #[serde(default)]
    pub actor: User,
    /// The label, for `labeled` and `unlabeled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<Label>,
    /// When.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A commit status to set, or one read back.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// `error`, `failure`, `pending` or `success`.
    pub state: String,
    /// The link shown beside the status.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub target_url: String,
    /// The text shown beside the context (GitHub keeps at most 140 characters).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The status's name, such as a job's context or `tide`.
    pub context: String,
}

/// The combined status of a ref (`GET /repos/{org}/{repo}/commits/{ref}/status`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CombinedStatus {
    /// The commit the statuses are for.
    #[serde(default)]
    pub sha: String,
    /// The combined state.
    #[serde(default)]
    pub state: String,
    /// The latest status of each context.
    #[serde(default)]
    pub statuses: Vec<Status>,
}

/// A user's permission on a repository, weakest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Permission {
    /// No access.
    None,
    /// Read.
    Read,
    /// Triage: manage issues and pull requests without write access.
    Triage,
    /// Write.
    Write,
    /// Maintain.
    Maintain,
    /// Admin.
    Admin,
}

/// How a pull request is merged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MergeMethod {
    /// A merge commit.
    #[default]
    Merge,
    /// One squashed commit.
    Squash,
    /// The commits rebased onto the base branch.
    Rebase,
}

impl MergeMethod {
    /// The name GitHub and Prow's config use: `merge`, `squash` or `rebase`.
    pub fn as_str(&self) -> &'static str {
        match self {
            MergeMethod::Merge => "merge",
            MergeMethod::Squash => "squash",
            MergeMethod::Rebase => "rebase",
        }
    }
}

impl FromStr for MergeMethod {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "merge" => Ok(MergeMethod::Merge),
            "squash" => Ok(MergeMethod::Squash),
            "rebase" => Ok(MergeMethod::Rebase),
            other => Err(format!(
                "merge method {other:?} is not one of merge, squash, rebase"
            )),
        }
    }
}

/// What to merge, and how.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeDetails {
    /// The head SHA the merge must be of; GitHub refuses when the head moved.
    pub sha: String,
    /// How to merge.
    pub merge_method: MergeMethod,
    /// The merge commit's title, when not GitHub's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit_title: Option<String>,
    /// The merge commit's message, when not GitHub's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit_message: Option<String>,
}

/// A commit as GitHub's commits API shows it (`GET /repos/{org}/{repo}/commits/{sha}`,
/// upstream's `RepositoryCommit`): the parts Prow reads.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepositoryCommit {
    /// The commit's SHA.
    pub sha: String,
    /// The SHA of the commit's tree: its content, whatever history led to it (the lgtm
    /// plugin keeps `lgtm` across a squash that leaves it unchanged).
    pub tree_sha: String,
    /// The parents' SHAs.
    #[serde(default)]
    pub parents: Vec<String>,
    /// The commit message.
    #[serde(default)]
    pub message: String,
}

/// The protection of a branch, as GitHub reports it: the part Prow reads.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BranchProtection {
    /// The status checks a pull request into the branch must pass, when any are required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_status_checks: Option<RequiredStatusChecks>,
}

/// The status checks a protected branch requires.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequiredStatusChecks {
    /// Whether a pull request must be up to date with the branch before merging.
    #[serde(default)]
    pub strict: bool,
    /// The contexts that must be `success`.
    #[serde(default)]
    pub contexts: Vec<String>,
}

/// A check run to create (`POST /repos/{org}/{repo}/check-runs`; only a GitHub App may).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckRunRequest {
    /// The check's name.
    pub name: String,
    /// The commit it is for.
    pub head_sha: String,
    /// `queued`, `in_progress` or `completed`.
    pub status: String,
    /// The outcome, for a completed check run (`success`, `failure`, `neutral`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conclusion: Option<String>,
    /// Where the details are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details_url: Option<String>,
    /// The report's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The report's summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

/// A GitHub Actions workflow run (`GET /repos/{org}/{repo}/actions/runs`, upstream's
/// `WorkflowRun`): the parts Prow reads. GitHub's `null`s read as empty strings, except for
/// `conclusion`, which is `None` until the run completes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkflowRun {
    /// The run's ID.
    pub id: u64,
    /// The workflow's name.
    #[serde(default, deserialize_with = "crate::event::de::nullable")]
    pub name: String,
    /// `queued`, `in_progress`, `completed`, `waiting`, `requested`, `pending`, or
    /// `action_required` (a run from a fork's pull request awaiting approval).
    #[serde(default, deserialize_with = "crate::event::de::nullable")]
    pub status: String,
    /// The outcome of a completed run: `success`, `failure`, `cancelled`, `skipped`,
    /// `neutral`, `timed_out`, `action_required`, `stale`, ...
    #[serde(default)]
    pub conclusion: Option<String>,
    /// The commit the run tests.
    #[serde(default, deserialize_with = "crate::event::de::nullable")]
    pub head_sha: String,
    /// The branch the run tests (a pull request's head branch).
    #[serde(default, deserialize_with = "crate::event::de::nullable")]
    pub head_branch: String,
    /// The event that started the run (`pull_request`, `pull_request_target`, `push`, ...).
    #[serde(default, deserialize_with = "crate::event::de::nullable")]
    pub event: String,
}

/// Which workflow runs of a repository to list: the query of
/// `GET /repos/{org}/{repo}/actions/runs`. Unset parts select everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkflowRunFilter {
    /// Only runs of this commit (`head_sha`).
    pub head_sha: Option<String>,
    /// Only runs of this head branch (`branch`).
    pub branch: Option<String>,
    /// Only runs started by one of these events (`event`, sent joined with ` OR `).
    pub events: Vec<String>,
    /// Only runs with this status or this conclusion (`status`: GitHub matches either).
    pub status: Option<String>,
}

impl WorkflowRunFilter {
    /// How the events are joined in the `event` parameter.
    pub const EVENT_SEPARATOR: &'static str = " OR ";

    /// Whether the filter selects `run`, as GitHub applies it.
    pub fn matches(&self, run: &WorkflowRun) -> bool {
        self.head_sha
            .as_ref()
            .is_none_or(|sha| *sha == run.head_sha)
            && self
                .branch
                .as_ref()
                .is_none_or(|branch| *branch == run.head_branch)
            && (self.events.is_empty() || self.events.contains(&run.event))
            && self.status.as_ref().is_none_or(|status| {
                *status == run.status || run.conclusion.as_deref() == Some(status.as_str())
            })
    }
}

/// Which members of a team to list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum TeamRole {
    /// Everyone.
    #[default]
    All,
    /// Maintainers only.
    Maintainer,
    /// Plain members only.
    Member,
}

/// What went wrong talking to GitHub.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GitHubError {
    /// The object does not exist (404).
    #[error("not found: {0}")]
    NotFound(String),
    /// The credentials were refused (401) or lack the permission (403).
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The request is invalid (422), with GitHub's message.
    #[error("unprocessable: {0}")]
    Unprocessable(String),
    /// Some of the users could not be assigned or asked for review: they lack access.
    #[error("GitHub didn't allow these users: {}", .0.join(", "))]
    MissingUsers(Vec<String>),
    /// The pull request's head moved since it was read (409 on merge).
    #[error("head modified: {0}")]
    ModifiedHead(String),
    /// The pull request cannot be merged (405 on merge).
    #[error("pull request is not mergeable: {0}")]
    UnmergeablePullRequest(String),
    /// The rate limit is used up; `retry_after_seconds` tells when to try again, if known.
    #[error("rate limited (retry after {retry_after_seconds:?} s)")]
    RateLimited {
        /// Seconds to wait before retrying, when GitHub said.
        retry_after_seconds: Option<u64>,
    },
    /// A reply GitHub gave that none of the above covers.
    #[error("GitHub replied {status}: {message}")]
    Status {
        /// The HTTP status code.
        status: u16,
        /// GitHub's message.
        message: String,
    },
    /// The request never got a reply (connection, TLS, timeout, bad body).
    #[error("transport error: {0}")]
    Transport(String),
}

impl GitHubError {
    /// `Ok` when GitHub accepted every user, else [`GitHubError::MissingUsers`] naming those
    /// it refused.
    pub fn missing_users(missing: Vec<String>) -> GitHubResult<()> {
        if missing.is_empty() {
            Ok(())
        } else {
            Err(GitHubError::MissingUsers(missing))
        }
    }
}

/// The result of a GitHub call.
pub type GitHubResult<T> = Result<T, GitHubError>;

/// Every GitHub operation Prow's components use.
///
/// Implemented by prow-github's octocrab client (real GitHub and GitHub Enterprise) and by
/// its GitHub simulator; plugins, Tide and the reporters only ever see this trait.
#[async_trait]
pub trait GitHubClient: Send + Sync {
    /// The account the client acts as (the bot).
    async fn bot_user(&self) -> GitHubResult<User>;

    /// An issue or pull request as an issue.
    async fn get_issue(&self, repo: &RepoName, number: u64) -> GitHubResult<Issue>;
    /// Opens an issue; returns its number.
    async fn create_issue(
        &self,
        repo: &RepoName,
        title: &str,
        body: &str,
        labels: &[String],
        assignees: &[String],
    ) -> GitHubResult<u64>;
    /// Closes an issue (`not_planned` sets GitHub's state reason).
    async fn close_issue(
        &self,
        repo: &RepoName,
        number: u64,
        not_planned: bool,
    ) -> GitHubResult<()>;
    /// Reopens an issue.
    async fn reopen_issue(&self, repo: &RepoName, number: u64) -> GitHubResult<()>;
    /// Closes a pull request without merging it.
    async fn close_pull_request(&self, repo: &RepoName, number: u64) -> GitHubResult<()>;
    /// Reopens a pull request.
    async fn reopen_pull_request(&self, repo: &RepoName, number: u64) -> GitHubResult<()>;
    /// Changes an issue's or pull request's title.
    async fn edit_title(&self, repo: &RepoName, number: u64, title: &str) -> GitHubResult<()>;

    /// All comments of an issue or pull request, oldest first.
    async fn list_issue_comments(
        &self,
        repo: &RepoName,
        number: u64,
    ) -> GitHubResult<Vec<IssueComment>>;
    /// Comments on an issue or pull request; returns the new comment's ID.
    async fn create_comment(&self, repo: &RepoName, number: u64, body: &str) -> GitHubResult<u64>;
    /// Replaces a comment's body.
    async fn edit_comment(&self, repo: &RepoName, comment_id: u64, body: &str) -> GitHubResult<()>;
    /// Deletes a comment.
    async fn delete_comment(&self, repo: &RepoName, comment_id: u64) -> GitHubResult<()>;
    /// Reacts to a comment (`+1`, `-1`, `laugh`, `confused`, `heart`, `hooray`, `rocket`, `eyes`).
    async fn create_comment_reaction(
        &self,
        repo: &RepoName,
        comment_id: u64,
        reaction: &str,
    ) -> GitHubResult<()>;
    /// Reacts to an issue's or pull request's body.
    async fn create_issue_reaction(
        &self,
        repo: &RepoName,
        number: u64,
        reaction: &str,
    ) -> GitHubResult<()>;

    /// The labels defined in a repository.
    async fn get_repo_labels(&self, repo: &RepoName) -> GitHubResult<Vec<Label>>;
    /// The labels on an issue or pull request.
    async fn get_issue_labels(&self, repo: &RepoName, number: u64) -> GitHubResult<Vec<Label>>;
    /// Adds a label to an issue or pull request.
    async fn add_label(&self, repo: &RepoName, number: u64, label: &str) -> GitHubResult<()>;
    /// Removes a label from an issue or pull request.
    async fn remove_label(&self, repo: &RepoName, number: u64, label: &str) -> GitHubResult<()>;

    /// Assigns users; [`GitHubError::MissingUsers`] names those GitHub refused.
    async fn assign_issue(
        &self,
        repo: &RepoName,
        number: u64,
        logins: &[String],
    ) -> GitHubResult<()>;
    /// Unassigns users.
    async fn unassign_issue(
        &self,
        repo: &RepoName,
        number: u64,
        logins: &[String],
    ) -> GitHubResult<()>;
    /// Requests reviews; [`GitHubError::MissingUsers`] names those GitHub refused.
    async fn request_review(
        &self,
        repo: &RepoName,
        number: u64,
        logins: &[String],
    ) -> GitHubResult<()>;
    /// Withdraws review requests.
    async fn unrequest_review(
        &self,
        repo: &RepoName,
        number: u64,
        logins: &[String],
    ) -> GitHubResult<()>;

    /// A pull request.
    async fn get_pull_request(&self, repo: &RepoName, number: u64) -> GitHubResult<PullRequest>;
    /// The files a pull request changes.
    async fn get_pull_request_changes(
        &self,
        repo: &RepoName,
        number: u64,
    ) -> GitHubResult<Vec<PullRequestChange>>;
    /// The reviews of a pull request, oldest first.
    async fn list_reviews(&self, repo: &RepoName, number: u64) -> GitHubResult<Vec<Review>>;
    /// Merges a pull request.
    async fn merge(&self, repo: &RepoName, number: u64, details: &MergeDetails)
    -> GitHubResult<()>;

    /// Sets a commit status on `sha`.
    async fn create_status(&self, repo: &RepoName, sha: &str, status: &Status) -> GitHubResult<()>;
    /// The combined status of a ref or SHA.
    async fn get_combined_status(
        &self,
        repo: &RepoName,
        reference: &str,
    ) -> GitHubResult<CombinedStatus>;
    /// The check runs of a ref or SHA.
    async fn list_check_runs(
        &self,
        repo: &RepoName,
        reference: &str,
    ) -> GitHubResult<Vec<CheckRun>>;

    /// The SHA a ref points at (`heads/main`).
    async fn get_ref(&self, repo: &RepoName, reference: &str) -> GitHubResult<String>;
    /// Deletes a ref (`heads/feature`).
    async fn delete_ref(&self, repo: &RepoName, reference: &str) -> GitHubResult<()>;
    /// A file's contents at a commit-ish (the default branch when `None`).
    async fn get_file(
        &self,
        repo: &RepoName,
        path: &str,
        commitish: Option<&str>,
    ) -> GitHubResult<Vec<u8>>;

    /// Whether `login` is a collaborator of the repository.
    async fn is_collaborator(&self, repo: &RepoName, login: &str) -> GitHubResult<bool>;
    /// `login`'s permission on the repository.
    async fn get_user_permission(&self, repo: &RepoName, login: &str) -> GitHubResult<Permission>;
    /// Whether `login` is a member of the organisation.
    async fn is_member(&self, org: &str, login: &str) -> GitHubResult<bool>;
    /// The organisation's teams.
    async fn list_teams(&self, org: &str) -> GitHubResult<Vec<Team>>;
    /// The members of a team, by its slug.
    async fn list_team_members(
        &self,
        org: &str,
        team_slug: &str,
        role: TeamRole,
    ) -> GitHubResult<Vec<User>>;

    /// The repository's milestones.
    async fn list_milestones(&self, repo: &RepoName) -> GitHubResult<Vec<Milestone>>;
    /// Sets an issue's or pull request's milestone, by milestone number.
    async fn set_milestone(&self, repo: &RepoName, number: u64, milestone: u64)
    -> GitHubResult<()>;
    /// Clears an issue's or pull request's milestone.
    async fn clear_milestone(&self, repo: &RepoName, number: u64) -> GitHubResult<()>;

    /// Issues and pull requests matching a search query (`is:pr is:open label:lgtm`).
    async fn find_issues(&self, query: &str) -> GitHubResult<Vec<Issue>>;
    /// Runs a GraphQL query (as Tide's search does) and returns its `data`.
    async fn graphql(
        &self,
        query: &str,
        variables: serde_json::Value,
    ) -> GitHubResult<serde_json::Value>;

    /// The review comments (comments on the diff) of a pull request, oldest first.
    async fn list_pull_request_comments(
        &self,
        repo: &RepoName,
        number: u64,
    ) -> GitHubResult<Vec<ReviewComment>>;
    /// The timeline events of an issue or pull request (labels added and removed, ...),
    /// oldest first.
    async fn list_issue_events(
        &self,
        repo: &RepoName,
        number: u64,
    ) -> GitHubResult<Vec<ListedIssueEvent>>;
    /// A commit, with its tree's SHA (upstream's `GetSingleCommit`).
    async fn get_single_commit(&self, repo: &RepoName, sha: &str)
    -> GitHubResult<RepositoryCommit>;
    /// The protection of a branch; `None` when the branch is not protected.
    async fn get_branch_protection(
        &self,
        repo: &RepoName,
        branch: &str,
    ) -> GitHubResult<Option<BranchProtection>>;
    /// Whether the client acts as a GitHub App (only an App may create check runs).
    async fn uses_app_auth(&self) -> bool;
    /// Creates a check run; returns its ID.
    async fn create_check_run(&self, repo: &RepoName, run: &CheckRunRequest) -> GitHubResult<u64>;
    /// The GitHub Actions workflow runs of a repository that `filter` selects, newest first
    /// (`GET /repos/{org}/{repo}/actions/runs`).
    async fn list_workflow_runs(
        &self,
        repo: &RepoName,
        filter: &WorkflowRunFilter,
    ) -> GitHubResult<Vec<WorkflowRun>>;
    /// Re-runs the failed jobs of a completed workflow run, and the jobs that depend on them
    /// (`POST /repos/{org}/{repo}/actions/runs/{run_id}/rerun-failed-jobs`, upstream's
    /// `TriggerFailedGitHubWorkflow`).
    async fn rerun_failed_workflow_jobs(&self, repo: &RepoName, run_id: u64) -> GitHubResult<()>;
    /// Approves a workflow run of a fork's pull request that awaits approval
    /// (`POST /repos/{org}/{repo}/actions/runs/{run_id}/approve`, upstream's
    /// `ApproveGitHubWorkflowRun`); not found when the run awaits none.
    async fn approve_workflow_run(&self, repo: &RepoName, run_id: u64) -> GitHubResult<()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_names_parse_and_print() {
        let name: RepoName = "kubernetes/test-infra".parse().unwrap();
        assert_eq!(name, RepoName::new("kubernetes", "test-infra"));
        assert_eq!(name.to_string(), "kubernetes/test-infra");
        for bad in ["kubernetes", "/x", "x/", "a/b/c", ""] {
            assert!(bad.parse::<RepoName>().is_err(), "{bad}");
        }
    }

    #[test]
    fn merge_methods_and_permissions() {
        assert_eq!(
            "squash".parse::<MergeMethod>().unwrap(),
            MergeMethod::Squash
        );
        assert!("fast-forward".parse::<MergeMethod>().is_err());
        assert!(Permission::Admin > Permission::Write);
        assert!(Permission::Triage < Permission::Write);
        let p: Permission = serde_json::from_str("\"maintain\"").unwrap();
        assert_eq!(p, Permission::Maintain);
    }

    #[test]
    fn workflow_runs_read_nulls_and_filter_as_github_does() {
        let run: WorkflowRun = serde_json::from_value(serde_json::json!({
            "id": 30433642,
            "name": null,
            "node_id": "MDEyOldvcmtmbG93IFJ1bjI2OTI4OQ==",
            "head_branch": "feature",
            "head_sha": "acb5820ced9479c074f688cc328bf03f341a511d",
            "event": "pull_request",
            "status": "completed",
            "conclusion": null,
            "run_attempt": 1
        }))
        .unwrap();
        assert_eq!(run.name, "");
        assert_eq!(run.conclusion, None);
        let run = WorkflowRun {
            conclusion: Some("action_required".into()),
            ..run
        };
        let all = WorkflowRunFilter::default();
        assert!(all.matches(&run));
        let selects = |filter: WorkflowRunFilter| filter.matches(&run);
        assert!(selects(WorkflowRunFilter {
            head_sha: Some(run.head_sha.clone()),
            branch: Some("feature".into()),
            events: vec!["pull_request_target".into(), "pull_request".into()],
            status: Some("completed".into()),
        }));
        // GitHub's `status` parameter matches the conclusion too.
        assert!(selects(WorkflowRunFilter {
            status: Some("action_required".into()),
            ..WorkflowRunFilter::default()
        }));
        for filter in [
            WorkflowRunFilter {
                head_sha: Some("0123".into()),
                ..WorkflowRunFilter::default()
            },
            WorkflowRunFilter {
                branch: Some("master".into()),
                ..WorkflowRunFilter::default()
            },
            WorkflowRunFilter {
                events: vec!["push".into()],
                ..WorkflowRunFilter::default()
            },
            WorkflowRunFilter {
                status: Some("queued".into()),
                ..WorkflowRunFilter::default()
            },
        ] {
            assert!(!filter.matches(&run), "{filter:?}");
        }
    }

    #[test]
    fn missing_users_error_names_them() {
        let e = GitHubError::MissingUsers(vec!["a".into(), "b".into()]);
        assert_eq!(e.to_string(), "GitHub didn't allow these users: a, b");
    }
}
