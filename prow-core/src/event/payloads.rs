//! One struct per webhook event type Prow handles, named as upstream names them (`IssueEvent`,
//! `ReviewEvent`, ...). Each holds the payload's action and objects plus the delivery GUID, which
//! comes from the `X-GitHub-Delivery` header rather than the body.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::action::{
    CheckRunEventAction, CheckSuiteEventAction, IssueCommentEventAction, IssueEventAction,
    PullRequestEventAction, ReviewCommentEventAction, ReviewEventAction, StatusState,
};
use super::de::{lenient_time, nullable};
use super::types::{
    CheckRun, CheckSuite, Commit, Installation, Issue, IssueComment, Label, Organization,
    PullRequest, Repo, RequestedAction, Review, ReviewComment, Team, User,
};

/// Looks up `changes.<path...>.from` in an `edited` event's raw `changes` object.
fn change_from<'a>(changes: Option<&'a serde_json::Value>, path: &[&str]) -> Option<&'a str> {
    let mut node = changes?;
    for key in path {
        node = node.get(key)?;
    }
    node.get("from")?.as_str()
}

/// An `issues` event: something happened to an issue (or to a pull request as an issue).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IssueEvent {
    /// What happened.
    #[serde(default)]
    pub action: IssueEventAction,
    /// The issue after the change.
    #[serde(default, deserialize_with = "nullable")]
    pub issue: Issue,
    /// The repository of the issue.
    #[serde(rename = "repository", default, deserialize_with = "nullable")]
    pub repo: Repo,
    /// The label added or removed (`labeled`, `unlabeled`).
    #[serde(default)]
    pub label: Option<Label>,
    /// The user assigned or unassigned (`assigned`, `unassigned`).
    #[serde(default)]
    pub assignee: Option<User>,
    /// The previous values of what an `edited` event changed, as sent.
    #[serde(default)]
    pub changes: Option<serde_json::Value>,
    /// Who caused the event.
    #[serde(default, deserialize_with = "nullable")]
    pub sender: User,
    /// The owning organization, for organization repositories.
    #[serde(default)]
    pub organization: Option<Organization>,
    /// The App installation the delivery is for.
    #[serde(default)]
    pub installation: Option<Installation>,
    /// The delivery GUID (`X-GitHub-Delivery`); empty unless set by the receiver.
    #[serde(skip)]
    pub guid: String,
}

impl IssueEvent {
    /// The previous value of `changes.<path>.from` in an `edited` event (`["title"]`,
    /// `["body"]`).
    pub fn change_from(&self, path: &[&str]) -> Option<&str> {
        change_from(self.changes.as_ref(), path)
    }
}

/// An `issue_comment` event: a comment on an issue or pull request conversation changed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IssueCommentEvent {
    /// What happened to the comment.
    #[serde(default)]
    pub action: IssueCommentEventAction,
    /// The issue (or pull request) the comment is on.
    #[serde(default, deserialize_with = "nullable")]
    pub issue: Issue,
    /// The comment.
    #[serde(default, deserialize_with = "nullable")]
    pub comment: IssueComment,
    /// The repository of the issue.
    #[serde(rename = "repository", default, deserialize_with = "nullable")]
    pub repo: Repo,
    /// The previous values of what an `edited` event changed, as sent.
    #[serde(default)]
    pub changes: Option<serde_json::Value>,
    /// Who caused the event.
    #[serde(default, deserialize_with = "nullable")]
    pub sender: User,
    /// The owning organization, for organization repositories.
    #[serde(default)]
    pub organization: Option<Organization>,
    /// The App installation the delivery is for.
    #[serde(default)]
    pub installation: Option<Installation>,
    /// The delivery GUID (`X-GitHub-Delivery`); empty unless set by the receiver.
    #[serde(skip)]
    pub guid: String,
}

impl IssueCommentEvent {
    /// The previous value of `changes.<path>.from` in an `edited` event (`["body"]`).
    pub fn change_from(&self, path: &[&str]) -> Option<&str> {
        change_from(self.changes.as_ref(), path)
    }
}

/// A `pull_request` event: something happened to a pull request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PullRequestEvent {
    /// What happened.
    #[serde(default)]
    pub action: PullRequestEventAction,
    /// The pull request number.
    #[serde(default, deserialize_with = "nullable")]
    pub number: u64,
    /// The pull request after the change.
    #[serde(default, deserialize_with = "nullable")]
    pub pull_request: PullRequest,
    /// The repository the pull request targets.
    #[serde(rename = "repository", default, deserialize_with = "nullable")]
    pub repo: Repo,
    /// The label added or removed (`labeled`, `unlabeled`).
    #[serde(default)]
    pub label: Option<Label>,
    /// The user assigned or unassigned (`assigned`, `unassigned`).
    #[serde(default)]
    pub assignee: Option<User>,
    /// The user whose review was requested or unrequested.
    #[serde(default)]
    pub requested_reviewer: Option<User>,
    /// The team whose review was requested or unrequested.
    #[serde(default)]
    pub requested_team: Option<Team>,
    /// The head SHA before a `synchronize`.
    #[serde(default)]
    pub before: Option<String>,
    /// The head SHA after a `synchronize`.
    #[serde(default)]
    pub after: Option<String>,
    /// The previous values of what an `edited` event changed, as sent (its shape depends on what
    /// changed: `title`, `body`, `base`).
    #[serde(default)]
    pub changes: Option<serde_json::Value>,
    /// Who caused the event.
    #[serde(default, deserialize_with = "nullable")]
    pub sender: User,
    /// The owning organization, for organization repositories.
    #[serde(default)]
    pub organization: Option<Organization>,
    /// The App installation the delivery is for.
    #[serde(default)]
    pub installation: Option<Installation>,
    /// The delivery GUID (`X-GitHub-Delivery`); empty unless set by the receiver.
    #[serde(skip)]
    pub guid: String,
}

impl PullRequestEvent {
    /// The previous value of `changes.<path>.from` in an `edited` event: `["title"]`,
    /// `["body"]`, `["base", "ref"]`, `["base", "sha"]`.
    pub fn change_from(&self, path: &[&str]) -> Option<&str> {
        change_from(self.changes.as_ref(), path)
    }

    /// Whether an `edited` event moved the pull request to another base branch or base commit
    /// (trigger re-tests such a pull request).
    pub fn base_changed(&self) -> bool {
        [["base", "ref"], ["base", "sha"]]
            .iter()
            .any(|path| self.change_from(path).is_some_and(|from| !from.is_empty()))
    }
}

/// A `pull_request_review` event: a review was submitted, edited or dismissed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReviewEvent {
    /// What happened to the review.
    #[serde(default)]
    pub action: ReviewEventAction,
    /// The reviewed pull request.
    #[serde(default, deserialize_with = "nullable")]
    pub pull_request: PullRequest,
    /// The repository the pull request targets.
    #[serde(rename = "repository", default, deserialize_with = "nullable")]
    pub repo: Repo,
    /// The review.
    #[serde(default, deserialize_with = "nullable")]
    pub review: Review,
    /// The previous values of what an `edited` event changed, as sent.
    #[serde(default)]
    pub changes: Option<serde_json::Value>,
    /// Who caused the event.
    #[serde(default, deserialize_with = "nullable")]
    pub sender: User,
    /// The owning organization, for organization repositories.
    #[serde(default)]
    pub organization: Option<Organization>,
    /// The App installation the delivery is for.
    #[serde(default)]
    pub installation: Option<Installation>,
    /// The delivery GUID (`X-GitHub-Delivery`); empty unless set by the receiver.
    #[serde(skip)]
    pub guid: String,
}

/// A `pull_request_review_comment` event: a comment on a pull request's diff changed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReviewCommentEvent {
    /// What happened to the comment.
    #[serde(default)]
    pub action: ReviewCommentEventAction,
    /// The pull request the comment is on.
    #[serde(default, deserialize_with = "nullable")]
    pub pull_request: PullRequest,
    /// The repository the pull request targets.
    #[serde(rename = "repository", default, deserialize_with = "nullable")]
    pub repo: Repo,
    /// The comment.
    #[serde(default, deserialize_with = "nullable")]
    pub comment: ReviewComment,
    /// The previous values of what an `edited` event changed, as sent.
    #[serde(default)]
    pub changes: Option<serde_json::Value>,
    /// Who caused the event.
    #[serde(default, deserialize_with = "nullable")]
    pub sender: User,
    /// The owning organization, for organization repositories.
    #[serde(default)]
    pub organization: Option<Organization>,
    /// The App installation the delivery is for.
    #[serde(default)]
    pub installation: Option<Installation>,
    /// The delivery GUID (`X-GitHub-Delivery`); empty unless set by the receiver.
    #[serde(skip)]
    pub guid: String,
}

/// A `push` event: commits were pushed to a branch or tag, or a ref was created or deleted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PushEvent {
    /// The full ref pushed (`refs/heads/main`, `refs/tags/v1.0`).
    #[serde(rename = "ref", default, deserialize_with = "nullable")]
    pub r#ref: String,
    /// The ref's SHA before the push (all zeros when created).
    #[serde(default, deserialize_with = "nullable")]
    pub before: String,
    /// The ref's SHA after the push (all zeros when deleted).
    #[serde(default, deserialize_with = "nullable")]
    pub after: String,
    /// Whether the push created the ref.
    #[serde(default, deserialize_with = "nullable")]
    pub created: bool,
    /// Whether the push deleted the ref.
    #[serde(default, deserialize_with = "nullable")]
    pub deleted: bool,
    /// Whether the push was forced.
    #[serde(default, deserialize_with = "nullable")]
    pub forced: bool,
    /// For a new tag or branch, the branch it was created from, if GitHub knows.
    #[serde(default)]
    pub base_ref: Option<String>,
    /// The web address comparing `before` and `after`.
    #[serde(default, deserialize_with = "nullable")]
    pub compare: String,
    /// The pushed commits (at most 2048).
    #[serde(default, deserialize_with = "nullable")]
    pub commits: Vec<Commit>,
    /// The commit the ref now points at.
    #[serde(default)]
    pub head_commit: Option<Commit>,
    /// Who pushed (only `name` and `email` are filled in).
    #[serde(default, deserialize_with = "nullable")]
    pub pusher: User,
    /// Who pushed, as a full account.
    #[serde(default, deserialize_with = "nullable")]
    pub sender: User,
    /// The repository pushed to.
    #[serde(rename = "repository", default, deserialize_with = "nullable")]
    pub repo: Repo,
    /// The owning organization, for organization repositories.
    #[serde(default)]
    pub organization: Option<Organization>,
    /// The App installation the delivery is for.
    #[serde(default)]
    pub installation: Option<Installation>,
    /// The delivery GUID (`X-GitHub-Delivery`); empty unless set by the receiver.
    #[serde(skip)]
    pub guid: String,
}

impl PushEvent {
    /// The branch or tag name pushed: the ref without `refs/heads/` or `refs/tags/`.
    pub fn branch(&self) -> &str {
        let name = self
            .r#ref
            .strip_prefix("refs/heads/")
            .unwrap_or(&self.r#ref);
        name.strip_prefix("refs/tags/").unwrap_or(name)
    }
}

/// A `status` event: a commit status was set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StatusEvent {
    /// The status ID.
    #[serde(default, deserialize_with = "nullable")]
    pub id: u64,
    /// The commit the status is on.
    #[serde(default, deserialize_with = "nullable")]
    pub sha: String,
    /// The repository's full name.
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// The new state.
    #[serde(default)]
    pub state: StatusState,
    /// The status line's description.
    #[serde(default)]
    pub description: Option<String>,
    /// Where the status links to.
    #[serde(default)]
    pub target_url: Option<String>,
    /// The context (`pull-kubernetes-unit`).
    #[serde(default, deserialize_with = "nullable")]
    pub context: String,
    /// Who set the status.
    #[serde(default, deserialize_with = "nullable")]
    pub sender: User,
    /// The repository of the commit.
    #[serde(rename = "repository", default, deserialize_with = "nullable")]
    pub repo: Repo,
    /// The owning organization, for organization repositories.
    #[serde(default)]
    pub organization: Option<Organization>,
    /// The App installation the delivery is for.
    #[serde(default)]
    pub installation: Option<Installation>,
    /// When the status was created.
    #[serde(default, deserialize_with = "lenient_time")]
    pub created_at: Option<DateTime<Utc>>,
    /// When the status last changed.
    #[serde(default, deserialize_with = "lenient_time")]
    pub updated_at: Option<DateTime<Utc>>,
    /// The delivery GUID (`X-GitHub-Delivery`); empty unless set by the receiver.
    #[serde(skip)]
    pub guid: String,
}

/// A `check_run` event: a check run was created, completed or re-requested.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CheckRunEvent {
    /// What happened.
    #[serde(default)]
    pub action: CheckRunEventAction,
    /// The check run.
    #[serde(default, deserialize_with = "nullable")]
    pub check_run: CheckRun,
    /// The button pressed (`requested_action`).
    #[serde(default)]
    pub requested_action: Option<RequestedAction>,
    /// The repository of the checked commit.
    #[serde(rename = "repository", default, deserialize_with = "nullable")]
    pub repo: Repo,
    /// Who caused the event.
    #[serde(default, deserialize_with = "nullable")]
    pub sender: User,
    /// The owning organization, for organization repositories.
    #[serde(default)]
    pub organization: Option<Organization>,
    /// The App installation the delivery is for.
    #[serde(default)]
    pub installation: Option<Installation>,
    /// The delivery GUID (`X-GitHub-Delivery`); empty unless set by the receiver.
    #[serde(skip)]
    pub guid: String,
}

/// A `check_suite` event: a check suite was requested, re-requested or completed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CheckSuiteEvent {
    /// What happened.
    #[serde(default)]
    pub action: CheckSuiteEventAction,
    /// The check suite.
    #[serde(default, deserialize_with = "nullable")]
    pub check_suite: CheckSuite,
    /// The repository of the checked commit.
    #[serde(rename = "repository", default, deserialize_with = "nullable")]
    pub repo: Repo,
    /// Who caused the event.
    #[serde(default, deserialize_with = "nullable")]
    pub sender: User,
    /// The owning organization, for organization repositories.
    #[serde(default)]
    pub organization: Option<Organization>,
    /// The App installation the delivery is for.
    #[serde(default)]
    pub installation: Option<Installation>,
    /// The delivery GUID (`X-GitHub-Delivery`); empty unless set by the receiver.
    #[serde(skip)]
    pub guid: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_branch_strips_ref_prefixes() {
        let cases = [
            ("refs/heads/main", "main"),
            ("refs/heads/release-1.32", "release-1.32"),
            ("refs/tags/v1.0.0", "v1.0.0"),
            ("refs/pull/1/head", "refs/pull/1/head"),
            ("", ""),
        ];
        for (full_ref, want) in cases {
            let push = PushEvent {
                r#ref: full_ref.to_owned(),
                ..PushEvent::default()
            };
            assert_eq!(push.branch(), want, "{full_ref}");
        }
    }

    #[test]
    fn pull_request_edit_changes() {
        let cases = [
            (
                serde_json::json!({"base": {"ref": {"from": "master"}}}),
                Some("master"),
                true,
            ),
            (
                serde_json::json!({"base": {"sha": {"from": "abc123"}}}),
                None,
                true,
            ),
            (serde_json::json!({"title": {"from": "old"}}), None, false),
            (
                serde_json::json!({"base": {"ref": {"from": ""}}}),
                Some(""),
                false,
            ),
            (serde_json::Value::Null, None, false),
        ];
        for (changes, base_ref_from, base_changed) in cases {
            let event: PullRequestEvent = serde_json::from_value(serde_json::json!({
                "action": "edited",
                "changes": changes,
            }))
            .unwrap();
            assert_eq!(
                event.change_from(&["base", "ref"]),
                base_ref_from,
                "{changes}"
            );
            assert_eq!(event.base_changed(), base_changed, "{changes}");
        }
    }
}
