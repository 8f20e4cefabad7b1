//! The GitHub objects that webhook payloads embed: users, repositories, issues, pull requests,
//! comments, reviews, commits and checks. Only the fields Prow's plugins, trigger and tide read
//! are modelled; anything else in the payload is ignored, and a missing or `null` field never
//! fails parsing.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::action::ReviewState;
use super::de::{lenient_time, nullable};

/// Lower-cases a GitHub login and drops a leading `@`, so logins can be compared
/// (upstream's `NormLogin`).
pub fn norm_login(login: &str) -> String {
    let lower = login.to_lowercase();
    match lower.strip_prefix('@') {
        Some(rest) => rest.to_owned(),
        None => lower,
    }
}

/// A GitHub account: a user, a bot or an organization.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// The login (`octocat`). Empty when the payload only names the account (a push's `pusher`).
    #[serde(default, deserialize_with = "nullable")]
    pub login: String,
    /// The numeric account ID.
    #[serde(default, deserialize_with = "nullable")]
    pub id: u64,
    /// The GraphQL node ID.
    #[serde(default, deserialize_with = "nullable")]
    pub node_id: String,
    /// The display name, when the payload carries one.
    #[serde(default)]
    pub name: Option<String>,
    /// The public e-mail address, when the payload carries one.
    #[serde(default)]
    pub email: Option<String>,
    /// The profile page.
    #[serde(default, deserialize_with = "nullable")]
    pub html_url: String,
    /// `User`, `Bot` or `Organization`.
    #[serde(rename = "type", default, deserialize_with = "nullable")]
    pub user_type: String,
}

impl User {
    /// Upstream's `User.Type` value for a person.
    pub const TYPE_USER: &'static str = "User";
    /// Upstream's `User.Type` value for a GitHub App's bot account.
    pub const TYPE_BOT: &'static str = "Bot";

    /// Whether `login` names this account, ignoring case and a leading `@`.
    pub fn is(&self, login: &str) -> bool {
        norm_login(&self.login) == norm_login(login)
    }
}

/// The organization block common to webhook payloads of organization-owned repositories.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Organization {
    /// The organization's login.
    #[serde(default, deserialize_with = "nullable")]
    pub login: String,
    /// The numeric organization ID.
    #[serde(default, deserialize_with = "nullable")]
    pub id: u64,
    /// The GraphQL node ID.
    #[serde(default, deserialize_with = "nullable")]
    pub node_id: String,
}

/// The GitHub App installation a payload was delivered for (present for App webhooks).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Installation {
    /// The installation ID, used to mint installation tokens.
    #[serde(default, deserialize_with = "nullable")]
    pub id: u64,
    /// The GraphQL node ID.
    #[serde(default)]
    pub node_id: Option<String>,
}

/// A repository as it appears in webhook payloads.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Repo {
    /// The numeric repository ID.
    #[serde(default, deserialize_with = "nullable")]
    pub id: u64,
    /// The GraphQL node ID.
    #[serde(default, deserialize_with = "nullable")]
    pub node_id: String,
    /// The owning user or organization.
    #[serde(default, deserialize_with = "nullable")]
    pub owner: User,
    /// The repository name without the owner.
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// `owner/name`.
    #[serde(default, deserialize_with = "nullable")]
    pub full_name: String,
    /// The repository's web page.
    #[serde(default, deserialize_with = "nullable")]
    pub html_url: String,
    /// The description, if any.
    #[serde(default)]
    pub description: Option<String>,
    /// Whether the repository is a fork.
    #[serde(default, deserialize_with = "nullable")]
    pub fork: bool,
    /// The default branch (`main`).
    #[serde(default, deserialize_with = "nullable")]
    pub default_branch: String,
    /// Whether the repository is archived.
    #[serde(default, deserialize_with = "nullable")]
    pub archived: bool,
    /// Whether the repository is private.
    #[serde(default, deserialize_with = "nullable")]
    pub private: bool,
    /// `public`, `private` or `internal`, when the payload says.
    #[serde(default)]
    pub visibility: Option<String>,
}

impl Repo {
    /// The owner's login. Push payloads of old deliveries name the owner only by `name`, which is
    /// used when the login is empty.
    pub fn org(&self) -> &str {
        if self.owner.login.is_empty() {
            self.owner.name.as_deref().unwrap_or_default()
        } else {
            &self.owner.login
        }
    }

    /// `org/repo`: `full_name` when present, else built from the owner and the name. `None` when
    /// the payload names neither.
    pub fn org_repo(&self) -> Option<String> {
        if !self.full_name.is_empty() {
            Some(self.full_name.clone())
        } else if !self.name.is_empty() && !self.org().is_empty() {
            Some(format!("{}/{}", self.org(), self.name))
        } else {
            None
        }
    }
}

/// A label on an issue or pull request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Label {
    /// The numeric label ID.
    #[serde(default, deserialize_with = "nullable")]
    pub id: u64,
    /// The API URL of the label.
    #[serde(default, deserialize_with = "nullable")]
    pub url: String,
    /// The label text (`lgtm`, `do-not-merge/hold`).
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// The description, if any.
    #[serde(default)]
    pub description: Option<String>,
    /// The colour as six hex digits.
    #[serde(default, deserialize_with = "nullable")]
    pub color: String,
}

/// Whether `labels` holds a label named `name`, ignoring case (upstream's `HasLabel`).
pub fn has_label(labels: &[Label], name: &str) -> bool {
    labels
        .iter()
        .any(|label| label.name.eq_ignore_ascii_case(name))
}

/// A repository milestone.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Milestone {
    /// The milestone title (`v1.32`).
    #[serde(default, deserialize_with = "nullable")]
    pub title: String,
    /// The milestone number within the repository.
    #[serde(default, deserialize_with = "nullable")]
    pub number: u64,
    /// `open` or `closed`.
    #[serde(default, deserialize_with = "nullable")]
    pub state: String,
}

/// A team, as named in a pull request's requested reviewers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Team {
    /// The numeric team ID.
    #[serde(default, deserialize_with = "nullable")]
    pub id: u64,
    /// The team's display name.
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// The team's slug (`sig-testing`).
    #[serde(default, deserialize_with = "nullable")]
    pub slug: String,
}

/// The marker GitHub puts on an issue that is a pull request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IssuePullRequestLinks {
    /// The pull request's API URL.
    #[serde(default)]
    pub url: Option<String>,
    /// The pull request's web page.
    #[serde(default)]
    pub html_url: Option<String>,
    /// When the pull request was merged, if it was.
    #[serde(default, deserialize_with = "lenient_time")]
    pub merged_at: Option<DateTime<Utc>>,
}

/// An issue, or a pull request seen through the issues API.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Issue {
    /// The numeric issue ID.
    #[serde(default, deserialize_with = "nullable")]
    pub id: u64,
    /// The GraphQL node ID.
    #[serde(default, deserialize_with = "nullable")]
    pub node_id: String,
    /// The issue number within the repository.
    #[serde(default, deserialize_with = "nullable")]
    pub number: u64,
    /// The title.
    #[serde(default, deserialize_with = "nullable")]
    pub title: String,
    /// The body; `None` when the author left it empty.
    #[serde(default)]
    pub body: Option<String>,
    /// `open` or `closed`.
    #[serde(default, deserialize_with = "nullable")]
    pub state: String,
    /// Why the issue was closed or reopened (`completed`, `not_planned`), if known.
    #[serde(default)]
    pub state_reason: Option<String>,
    /// The author.
    #[serde(default, deserialize_with = "nullable")]
    pub user: User,
    /// The labels.
    #[serde(default, deserialize_with = "nullable")]
    pub labels: Vec<Label>,
    /// The assignees.
    #[serde(default, deserialize_with = "nullable")]
    pub assignees: Vec<User>,
    /// The web page.
    #[serde(default, deserialize_with = "nullable")]
    pub html_url: String,
    /// Present exactly when the issue is a pull request.
    #[serde(default)]
    pub pull_request: Option<IssuePullRequestLinks>,
    /// The milestone, if any.
    #[serde(default)]
    pub milestone: Option<Milestone>,
    /// Whether the conversation is locked.
    #[serde(default, deserialize_with = "nullable")]
    pub locked: bool,
    /// The author's relation to the repository (`MEMBER`, `CONTRIBUTOR`, ...).
    #[serde(default)]
    pub author_association: Option<String>,
    /// When the issue was opened.
    #[serde(default, deserialize_with = "lenient_time")]
    pub created_at: Option<DateTime<Utc>>,
    /// When the issue last changed.
    #[serde(default, deserialize_with = "lenient_time")]
    pub updated_at: Option<DateTime<Utc>>,
    /// When the issue was closed, if it is.
    #[serde(default, deserialize_with = "lenient_time")]
    pub closed_at: Option<DateTime<Utc>>,
}

impl Issue {
    /// Whether the issue is a pull request.
    pub fn is_pull_request(&self) -> bool {
        self.pull_request.is_some()
    }

    /// Whether `login` is among the assignees, ignoring case and a leading `@`.
    pub fn is_assignee(&self, login: &str) -> bool {
        self.assignees.iter().any(|user| user.is(login))
    }

    /// Whether `login` opened the issue, ignoring case and a leading `@`.
    pub fn is_author(&self, login: &str) -> bool {
        self.user.is(login)
    }

    /// Whether the issue carries the label `name`, ignoring case.
    pub fn has_label(&self, name: &str) -> bool {
        has_label(&self.labels, name)
    }
}

/// A comment in an issue's or pull request's conversation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IssueComment {
    /// The numeric comment ID.
    #[serde(default, deserialize_with = "nullable")]
    pub id: u64,
    /// The GraphQL node ID.
    #[serde(default, deserialize_with = "nullable")]
    pub node_id: String,
    /// The comment text.
    #[serde(default, deserialize_with = "nullable")]
    pub body: String,
    /// The commenter.
    #[serde(default, deserialize_with = "nullable")]
    pub user: User,
    /// The comment's web address.
    #[serde(default, deserialize_with = "nullable")]
    pub html_url: String,
    /// The commenter's relation to the repository.
    #[serde(default)]
    pub author_association: Option<String>,
    /// When the comment was created.
    #[serde(default, deserialize_with = "lenient_time")]
    pub created_at: Option<DateTime<Utc>>,
    /// When the comment last changed.
    #[serde(default, deserialize_with = "lenient_time")]
    pub updated_at: Option<DateTime<Utc>>,
}

/// One side of a pull request: the branch it comes from (head) or goes into (base).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PullRequestBranch {
    /// The branch name (`main`, `feature`).
    #[serde(default, deserialize_with = "nullable")]
    pub r#ref: String,
    /// The commit the branch points at.
    #[serde(default, deserialize_with = "nullable")]
    pub sha: String,
    /// The `owner:branch` label.
    #[serde(default, deserialize_with = "nullable")]
    pub label: String,
    /// The repository of the branch; `None` when a fork was deleted.
    #[serde(default)]
    pub repo: Option<Repo>,
}

/// A pull request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PullRequest {
    /// The numeric pull request ID.
    #[serde(default, deserialize_with = "nullable")]
    pub id: u64,
    /// The GraphQL node ID.
    #[serde(default, deserialize_with = "nullable")]
    pub node_id: String,
    /// The pull request number within the repository.
    #[serde(default, deserialize_with = "nullable")]
    pub number: u64,
    /// The web page.
    #[serde(default, deserialize_with = "nullable")]
    pub html_url: String,
    /// The author.
    #[serde(default, deserialize_with = "nullable")]
    pub user: User,
    /// The title.
    #[serde(default, deserialize_with = "nullable")]
    pub title: String,
    /// The body; `None` when the author left it empty.
    #[serde(default)]
    pub body: Option<String>,
    /// `open` or `closed`.
    #[serde(default, deserialize_with = "nullable")]
    pub state: String,
    /// Whether the pull request is a draft.
    #[serde(default, deserialize_with = "nullable")]
    pub draft: bool,
    /// Whether the pull request was merged.
    #[serde(default, deserialize_with = "nullable")]
    pub merged: bool,
    /// Whether GitHub can merge it; `None` while GitHub is still computing that.
    #[serde(default)]
    pub mergeable: Option<bool>,
    /// The merge commit once merged, before that GitHub's test merge commit.
    #[serde(default)]
    pub merge_commit_sha: Option<String>,
    /// The labels.
    #[serde(default, deserialize_with = "nullable")]
    pub labels: Vec<Label>,
    /// The assignees.
    #[serde(default, deserialize_with = "nullable")]
    pub assignees: Vec<User>,
    /// Users whose review is requested.
    #[serde(default, deserialize_with = "nullable")]
    pub requested_reviewers: Vec<User>,
    /// Teams whose review is requested.
    #[serde(default, deserialize_with = "nullable")]
    pub requested_teams: Vec<Team>,
    /// The branch the changes go into.
    #[serde(default, deserialize_with = "nullable")]
    pub base: PullRequestBranch,
    /// The branch the changes come from.
    #[serde(default, deserialize_with = "nullable")]
    pub head: PullRequestBranch,
    /// The milestone, if any.
    #[serde(default)]
    pub milestone: Option<Milestone>,
    /// The number of commits, when the payload says.
    #[serde(default)]
    pub commits: Option<u64>,
    /// The author's relation to the repository (`MEMBER`, `FIRST_TIME_CONTRIBUTOR`, ...).
    #[serde(default)]
    pub author_association: Option<String>,
    /// When the pull request was opened.
    #[serde(default, deserialize_with = "lenient_time")]
    pub created_at: Option<DateTime<Utc>>,
    /// When the pull request last changed.
    #[serde(default, deserialize_with = "lenient_time")]
    pub updated_at: Option<DateTime<Utc>>,
    /// When the pull request was merged, if it was.
    #[serde(default, deserialize_with = "lenient_time")]
    pub merged_at: Option<DateTime<Utc>>,
}

impl PullRequest {
    /// Whether the pull request carries the label `name`, ignoring case.
    pub fn has_label(&self, name: &str) -> bool {
        has_label(&self.labels, name)
    }
}

/// A pull request review.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Review {
    /// The numeric review ID.
    #[serde(default, deserialize_with = "nullable")]
    pub id: u64,
    /// The GraphQL node ID.
    #[serde(default, deserialize_with = "nullable")]
    pub node_id: String,
    /// The reviewer.
    #[serde(default, deserialize_with = "nullable")]
    pub user: User,
    /// The review's summary text; `None` when left empty.
    #[serde(default)]
    pub body: Option<String>,
    /// The verdict.
    #[serde(default)]
    pub state: ReviewState,
    /// The review's web address.
    #[serde(default, deserialize_with = "nullable")]
    pub html_url: String,
    /// The commit the review was made on.
    #[serde(default)]
    pub commit_id: Option<String>,
    /// When the review was submitted.
    #[serde(default, deserialize_with = "lenient_time")]
    pub submitted_at: Option<DateTime<Utc>>,
}

/// A comment on a line of a pull request's diff.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReviewComment {
    /// The numeric comment ID.
    #[serde(default, deserialize_with = "nullable")]
    pub id: u64,
    /// The GraphQL node ID.
    #[serde(default, deserialize_with = "nullable")]
    pub node_id: String,
    /// The review the comment belongs to.
    #[serde(default, deserialize_with = "nullable")]
    pub pull_request_review_id: u64,
    /// The commenter.
    #[serde(default, deserialize_with = "nullable")]
    pub user: User,
    /// The comment text.
    #[serde(default, deserialize_with = "nullable")]
    pub body: String,
    /// The file the comment is on.
    #[serde(default, deserialize_with = "nullable")]
    pub path: String,
    /// The comment's web address.
    #[serde(default, deserialize_with = "nullable")]
    pub html_url: String,
    /// The line in the diff; `None` once the code changed so the comment is outdated.
    #[serde(default)]
    pub position: Option<u64>,
    /// The line in the file the comment ends on.
    #[serde(default)]
    pub line: Option<u64>,
    /// The first line of a multi-line comment.
    #[serde(default)]
    pub start_line: Option<u64>,
    /// `LEFT` or `RIGHT`: the side of the diff the comment ends on.
    #[serde(default)]
    pub side: Option<String>,
    /// The side of the diff a multi-line comment starts on.
    #[serde(default)]
    pub start_side: Option<String>,
    /// The commenter's relation to the repository.
    #[serde(default)]
    pub author_association: Option<String>,
    /// When the comment was created.
    #[serde(default, deserialize_with = "lenient_time")]
    pub created_at: Option<DateTime<Utc>>,
    /// When the comment last changed.
    #[serde(default, deserialize_with = "lenient_time")]
    pub updated_at: Option<DateTime<Utc>>,
}

/// A commit's author or committer as git records them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CommitAuthor {
    /// The name from the commit.
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// The e-mail address from the commit.
    #[serde(default, deserialize_with = "nullable")]
    pub email: String,
    /// The GitHub login matched to the address, if any.
    #[serde(default)]
    pub username: Option<String>,
}

/// A commit in a push (or a check suite's head commit).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Commit {
    /// The commit SHA.
    #[serde(default, deserialize_with = "nullable")]
    pub id: String,
    /// The SHA of the commit's tree.
    #[serde(default, deserialize_with = "nullable")]
    pub tree_id: String,
    /// The commit message.
    #[serde(default, deserialize_with = "nullable")]
    pub message: String,
    /// The commit's web address.
    #[serde(default, deserialize_with = "nullable")]
    pub url: String,
    /// Whether the commit is new to the repository with this push.
    #[serde(default, deserialize_with = "nullable")]
    pub distinct: bool,
    /// The author's time stamp.
    #[serde(default, deserialize_with = "lenient_time")]
    pub timestamp: Option<DateTime<Utc>>,
    /// The author.
    #[serde(default)]
    pub author: Option<CommitAuthor>,
    /// The committer.
    #[serde(default)]
    pub committer: Option<CommitAuthor>,
    /// Paths the commit added.
    #[serde(default, deserialize_with = "nullable")]
    pub added: Vec<String>,
    /// Paths the commit removed.
    #[serde(default, deserialize_with = "nullable")]
    pub removed: Vec<String>,
    /// Paths the commit modified.
    #[serde(default, deserialize_with = "nullable")]
    pub modified: Vec<String>,
}

/// A GitHub App, as named by check runs and suites.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct App {
    /// The numeric App ID.
    #[serde(default, deserialize_with = "nullable")]
    pub id: u64,
    /// The App's slug (`prow`).
    #[serde(default)]
    pub slug: Option<String>,
    /// The GraphQL node ID.
    #[serde(default, deserialize_with = "nullable")]
    pub node_id: String,
    /// The account that owns the App.
    #[serde(default)]
    pub owner: Option<User>,
    /// The App's display name.
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// The App's web page.
    #[serde(default, deserialize_with = "nullable")]
    pub html_url: String,
}

/// The report a check run shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CheckRunOutput {
    /// The title.
    #[serde(default)]
    pub title: Option<String>,
    /// The summary (Markdown).
    #[serde(default)]
    pub summary: Option<String>,
    /// The details (Markdown).
    #[serde(default)]
    pub text: Option<String>,
    /// How many annotations the run has.
    #[serde(default, deserialize_with = "nullable")]
    pub annotations_count: u64,
}

/// A check suite: the check runs one App made for one commit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CheckSuite {
    /// The numeric suite ID.
    #[serde(default, deserialize_with = "nullable")]
    pub id: u64,
    /// The GraphQL node ID.
    #[serde(default, deserialize_with = "nullable")]
    pub node_id: String,
    /// The branch of the head commit, if it is on one.
    #[serde(default)]
    pub head_branch: Option<String>,
    /// The commit the suite checks.
    #[serde(default, deserialize_with = "nullable")]
    pub head_sha: String,
    /// The SHA before the push that requested the suite.
    #[serde(default)]
    pub before: Option<String>,
    /// The SHA after the push that requested the suite.
    #[serde(default)]
    pub after: Option<String>,
    /// `requested`, `queued`, `in_progress` or `completed`.
    #[serde(default, deserialize_with = "nullable")]
    pub status: String,
    /// The outcome once completed (`success`, `failure`, ...).
    #[serde(default)]
    pub conclusion: Option<String>,
    /// The App that owns the suite.
    #[serde(default)]
    pub app: Option<App>,
    /// Open pull requests whose head is the suite's commit (only `number`, `head` and `base` are
    /// filled in).
    #[serde(default, deserialize_with = "nullable")]
    pub pull_requests: Vec<PullRequest>,
    /// The head commit (webhooks only).
    #[serde(default)]
    pub head_commit: Option<Commit>,
}

/// A check run: one check an App reports on a commit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CheckRun {
    /// The numeric run ID.
    #[serde(default, deserialize_with = "nullable")]
    pub id: u64,
    /// The GraphQL node ID.
    #[serde(default, deserialize_with = "nullable")]
    pub node_id: String,
    /// The check's name, as shown on the pull request.
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// The commit the run checks.
    #[serde(default, deserialize_with = "nullable")]
    pub head_sha: String,
    /// The App's own ID for the run.
    #[serde(default)]
    pub external_id: Option<String>,
    /// The run's web page.
    #[serde(default, deserialize_with = "nullable")]
    pub html_url: String,
    /// Where the App shows the run's details.
    #[serde(default)]
    pub details_url: Option<String>,
    /// `queued`, `in_progress` or `completed`.
    #[serde(default, deserialize_with = "nullable")]
    pub status: String,
    /// The outcome once completed (`success`, `failure`, `neutral`, ...).
    #[serde(default)]
    pub conclusion: Option<String>,
    /// When the run started.
    #[serde(default, deserialize_with = "lenient_time")]
    pub started_at: Option<DateTime<Utc>>,
    /// When the run completed.
    #[serde(default, deserialize_with = "lenient_time")]
    pub completed_at: Option<DateTime<Utc>>,
    /// The report.
    #[serde(default, deserialize_with = "nullable")]
    pub output: CheckRunOutput,
    /// The suite the run belongs to.
    #[serde(default)]
    pub check_suite: Option<CheckSuite>,
    /// The App that reported the run.
    #[serde(default)]
    pub app: Option<App>,
    /// Open pull requests whose head is the run's commit (only `number`, `head` and `base` are
    /// filled in).
    #[serde(default, deserialize_with = "nullable")]
    pub pull_requests: Vec<PullRequest>,
}

/// The button a user pressed on a check run (`requested_action` events).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RequestedAction {
    /// The identifier the App gave the button.
    #[serde(default, deserialize_with = "nullable")]
    pub identifier: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn norm_login_cases() {
        let cases = [
            ("Octocat", "octocat"),
            ("@Octocat", "octocat"),
            ("k8s-ci-robot", "k8s-ci-robot"),
            ("", ""),
        ];
        for (raw, want) in cases {
            assert_eq!(norm_login(raw), want, "{raw}");
        }
    }

    #[test]
    fn repo_org_and_org_repo() {
        let named_owner = User {
            name: Some("kubernetes".into()),
            ..User::default()
        };
        let cases = [
            (
                Repo {
                    full_name: "kubernetes/test-infra".into(),
                    ..Repo::default()
                },
                "",
                Some("kubernetes/test-infra"),
            ),
            (
                Repo {
                    owner: User {
                        login: "kubernetes".into(),
                        ..User::default()
                    },
                    name: "kubernetes".into(),
                    ..Repo::default()
                },
                "kubernetes",
                Some("kubernetes/kubernetes"),
            ),
            (
                Repo {
                    owner: named_owner,
                    name: "website".into(),
                    ..Repo::default()
                },
                "kubernetes",
                Some("kubernetes/website"),
            ),
            (
                Repo {
                    name: "orphan".into(),
                    ..Repo::default()
                },
                "",
                None,
            ),
        ];
        for (repo, org, org_repo) in cases {
            assert_eq!(repo.org(), org, "{repo:?}");
            assert_eq!(repo.org_repo().as_deref(), org_repo, "{repo:?}");
        }
    }

    #[test]
    fn issue_helpers() {
        let issue: Issue = serde_json::from_value(serde_json::json!({
            "number": 7,
            "user": {"login": "Author"},
            "assignees": [{"login": "Helper"}],
            "labels": [{"name": "LGTM"}],
            "pull_request": {}
        }))
        .unwrap();
        assert!(issue.is_pull_request());
        assert!(issue.is_author("@author"));
        assert!(!issue.is_author("helper"));
        assert!(issue.is_assignee("helper"));
        assert!(!issue.is_assignee("author"));
        assert!(issue.has_label("lgtm"));
        assert!(!issue.has_label("approved"));

        let plain: Issue =
            serde_json::from_value(serde_json::json!({"number": 8, "pull_request": null})).unwrap();
        assert!(!plain.is_pull_request());
    }
}
