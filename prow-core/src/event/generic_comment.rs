//! Prow's generic comment view: the one shape comment-driven plugins see, whether the text came
//! from an issue comment, a review, a review comment, or the body of an issue or pull request
//! (upstream `GenericCommentEvent`, built by `GeneralizeComment` and the hook's event handlers).

use std::fmt;

use super::Event;
use super::types::{Repo, User};

/// What happened to the text of a [`GenericCommentEvent`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GenericCommentAction {
    /// The text appeared: a comment was created, an issue or pull request opened, a review
    /// submitted.
    Created,
    /// The text was edited.
    Edited,
    /// The text went away: a comment was deleted, a review dismissed (or an issue deleted).
    Deleted,
}

impl GenericCommentAction {
    /// Maps an event's action to the generic one (upstream `GeneralizeCommentAction`):
    /// `created`, `opened` and `submitted` become [`Created`](Self::Created); `edited` becomes
    /// [`Edited`](Self::Edited); `deleted` and `dismissed` become [`Deleted`](Self::Deleted).
    /// Any other action does not concern the text (`labeled`, `closed`, ...) and yields `None`.
    pub fn generalize(action: &str) -> Option<Self> {
        match action {
            "created" | "opened" | "submitted" => Some(Self::Created),
            "edited" => Some(Self::Edited),
            "deleted" | "dismissed" => Some(Self::Deleted),
            _ => None,
        }
    }

    /// The generic action as upstream spells it: `created`, `edited` or `deleted`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Edited => "edited",
            Self::Deleted => "deleted",
        }
    }
}

impl fmt::Display for GenericCommentAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Comment-like text from any of the events that carry it, for plugins that react to commands
/// (`/lgtm`, `/retest`, ...) wherever they are written.
///
/// Built by [`GenericCommentEvent::from_event`] from `issue_comment`, `pull_request_review`,
/// `pull_request_review_comment`, and `issues` and `pull_request` events whose action concerns
/// the body. Closing an issue or pull request is not a deletion: the text is still there.
#[derive(Debug, Clone, PartialEq)]
pub struct GenericCommentEvent {
    /// The ID of the issue or pull request; `None` when the text is a review or review comment
    /// (upstream leaves it zero there).
    pub id: Option<u64>,
    /// The GraphQL node ID of the issue or pull request, or of the review or review comment.
    pub node_id: String,
    /// The ID of the comment, for issue comments and review comments.
    pub comment_id: Option<u64>,
    /// Whether the text is on a pull request.
    pub is_pr: bool,
    /// What happened to the text.
    pub action: GenericCommentAction,
    /// The text (empty when GitHub sent none).
    pub body: String,
    /// The web address of the text (the comment, the review, or the issue or pull request).
    pub html_url: String,
    /// The issue or pull request number.
    pub number: u64,
    /// The repository.
    pub repo: Repo,
    /// Who wrote the text.
    pub user: User,
    /// Who opened the issue or pull request.
    pub issue_author: User,
    /// The assignees of the issue or pull request.
    pub assignees: Vec<User>,
    /// The state of the issue or pull request (`open`, `closed`).
    pub issue_state: String,
    /// The title of the issue or pull request.
    pub issue_title: String,
    /// The body of the issue or pull request.
    pub issue_body: String,
    /// The web address of the issue or pull request.
    pub issue_html_url: String,
    /// The delivery GUID (see [`Event::with_guid`]).
    pub guid: String,
}

impl GenericCommentEvent {
    /// Derives the generic comment an event carries, if any.
    ///
    /// Yields `None` for event types without comment-like text (`push`, `status`, checks, every
    /// [`Event::Other`]) and for actions [`GenericCommentAction::generalize`] does not map
    /// (a label change, a close, a `synchronize`, an unknown action). An event yields at most one
    /// generic comment.
    pub fn from_event(event: &Event) -> Option<Self> {
        let action = GenericCommentAction::generalize(event.action()?)?;
        Some(match event {
            Event::Issues(e) => {
                let issue = &e.issue;
                let body = issue.body.clone().unwrap_or_default();
                GenericCommentEvent {
                    id: Some(issue.id),
                    node_id: issue.node_id.clone(),
                    comment_id: None,
                    is_pr: issue.is_pull_request(),
                    action,
                    body: body.clone(),
                    html_url: issue.html_url.clone(),
                    number: issue.number,
                    repo: e.repo.clone(),
                    user: issue.user.clone(),
                    issue_author: issue.user.clone(),
                    assignees: issue.assignees.clone(),
                    issue_state: issue.state.clone(),
                    issue_title: issue.title.clone(),
                    issue_body: body,
                    issue_html_url: issue.html_url.clone(),
                    guid: e.guid.clone(),
                }
            }
            Event::IssueComment(e) => {
                let issue = &e.issue;
                GenericCommentEvent {
                    id: Some(issue.id),
                    node_id: issue.node_id.clone(),
                    comment_id: Some(e.comment.id),
                    is_pr: issue.is_pull_request(),
                    action,
                    body: e.comment.body.clone(),
                    html_url: e.comment.html_url.clone(),
                    number: issue.number,
                    repo: e.repo.clone(),
                    user: e.comment.user.clone(),
                    issue_author: issue.user.clone(),
                    assignees: issue.assignees.clone(),
                    issue_state: issue.state.clone(),
                    issue_title: issue.title.clone(),
                    issue_body: issue.body.clone().unwrap_or_default(),
                    issue_html_url: issue.html_url.clone(),
                    guid: e.guid.clone(),
                }
            }
            Event::PullRequest(e) => {
                let pr = &e.pull_request;
                let body = pr.body.clone().unwrap_or_default();
                GenericCommentEvent {
                    id: Some(pr.id),
                    node_id: pr.node_id.clone(),
                    comment_id: None,
                    is_pr: true,
                    action,
                    body: body.clone(),
                    html_url: pr.html_url.clone(),
                    number: pr.number,
                    repo: e.repo.clone(),
                    user: pr.user.clone(),
                    issue_author: pr.user.clone(),
                    assignees: pr.assignees.clone(),
                    issue_state: pr.state.clone(),
                    issue_title: pr.title.clone(),
                    issue_body: body,
                    issue_html_url: pr.html_url.clone(),
                    guid: e.guid.clone(),
                }
            }
            Event::PullRequestReview(e) => {
                let pr = &e.pull_request;
                GenericCommentEvent {
                    id: None,
                    node_id: e.review.node_id.clone(),
                    comment_id: None,
                    is_pr: true,
                    action,
                    body: e.review.body.clone().unwrap_or_default(),
                    html_url: e.review.html_url.clone(),
                    number: pr.number,
                    repo: e.repo.clone(),
                    user: e.review.user.clone(),
                    issue_author: pr.user.clone(),
                    assignees: pr.assignees.clone(),
                    issue_state: pr.state.clone(),
                    issue_title: pr.title.clone(),
                    issue_body: pr.body.clone().unwrap_or_default(),
                    issue_html_url: pr.html_url.clone(),
                    guid: e.guid.clone(),
                }
            }
            Event::PullRequestReviewComment(e) => {
                let pr = &e.pull_request;
                GenericCommentEvent {
                    id: None,
                    node_id: e.comment.node_id.clone(),
                    comment_id: Some(e.comment.id),
                    is_pr: true,
                    action,
                    body: e.comment.body.clone(),
                    html_url: e.comment.html_url.clone(),
                    number: pr.number,
                    repo: e.repo.clone(),
                    user: e.comment.user.clone(),
                    issue_author: pr.user.clone(),
                    assignees: pr.assignees.clone(),
                    issue_state: pr.state.clone(),
                    issue_title: pr.title.clone(),
                    issue_body: pr.body.clone().unwrap_or_default(),
                    issue_html_url: pr.html_url.clone(),
                    guid: e.guid.clone(),
                }
            }
            Event::Push(_)
            | Event::Status(_)
            | Event::CheckRun(_)
            | Event::CheckSuite(_)
            | Event::Other { .. } => return None,
        })
    }
}

/// The message upstream's hook logs when a comment-like event's action can be neither turned
/// into a generic comment nor recognised as one that carries no text (upstream
/// `FailedCommentCoerceFmt`). `None` when there is nothing to report: the event yields a generic
/// comment, is not comment-like, or has a known action such as `labeled` or `synchronize`.
pub fn comment_coercion_failure(event: &Event) -> Option<String> {
    let action_known = match event {
        Event::Issues(e) => e.action.is_known(),
        Event::PullRequest(e) => e.action.is_known(),
        // Every known action of these three maps to a generic action; only unknown ones fail.
        Event::IssueComment(e) => e.action.is_known(),
        Event::PullRequestReview(e) => e.action.is_known(),
        Event::PullRequestReviewComment(e) => e.action.is_known(),
        Event::Push(_)
        | Event::Status(_)
        | Event::CheckRun(_)
        | Event::CheckSuite(_)
        | Event::Other { .. } => return None,
    };
    let action = event.action().unwrap_or_default();
    if action_known || GenericCommentAction::generalize(action).is_some() {
        return None;
    }
    Some(format!(
        "Could not coerce {} event to a GenericCommentEvent. Unknown 'action': {action:?}.",
        event.event_type()
    ))
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn issue(pull_request: bool) -> Value {
        let mut issue = json!({
            "id": 1001,
            "node_id": "I_issue",
            "number": 42,
            "title": "Flaky test",
            "body": "/assign\n/kind flake",
            "state": "open",
            "html_url": "https://github.com/kubernetes/test-infra/issues/42",
            "user": {"login": "issue-author"},
            "assignees": [{"login": "assignee-a"}, {"login": "assignee-b"}]
        });
        if pull_request {
            issue["pull_request"] =
                json!({"url": "https://api.github.com/repos/kubernetes/test-infra/pulls/42"});
        }
        issue
    }

    fn pull_request() -> Value {
        json!({
            "id": 2002,
            "node_id": "PR_pull",
            "number": 77,
            "title": "Add a plugin",
            "body": "/cc @reviewer",
            "state": "open",
            "html_url": "https://github.com/kubernetes/test-infra/pull/77",
            "user": {"login": "pr-author"},
            "assignees": [{"login": "assignee-c"}]
        })
    }

    fn repository() -> Value {
        json!({"name": "test-infra", "full_name": "kubernetes/test-infra", "owner": {"login": "kubernetes"}})
    }

    fn issues(action: &str) -> Event {
        let body = json!({"action": action, "issue": issue(false), "repository": repository()});
        Event::parse("issues", body.to_string().as_bytes()).unwrap()
    }

    fn issue_comment(action: &str, on_pr: bool) -> Event {
        let body = json!({
            "action": action,
            "issue": issue(on_pr),
            "comment": {
                "id": 3003,
                "node_id": "IC_comment",
                "body": "/retest",
                "html_url": "https://github.com/kubernetes/test-infra/issues/42#issuecomment-3003",
                "user": {"login": "commenter"}
            },
            "repository": repository()
        });
        Event::parse("issue_comment", body.to_string().as_bytes()).unwrap()
    }

    fn pull_request_event(action: &str) -> Event {
        let body = json!({"action": action, "number": 77, "pull_request": pull_request(), "repository": repository()});
        Event::parse("pull_request", body.to_string().as_bytes()).unwrap()
    }

    fn review(action: &str) -> Event {
        let body = json!({
            "action": action,
            "pull_request": pull_request(),
            "review": {
                "id": 4004,
                "node_id": "PRR_review",
                "body": "/lgtm",
                "state": "approved",
                "html_url": "https://github.com/kubernetes/test-infra/pull/77#pullrequestreview-4004",
                "user": {"login": "reviewer"}
            },
            "repository": repository()
        });
        Event::parse("pull_request_review", body.to_string().as_bytes()).unwrap()
    }

    fn review_comment(action: &str) -> Event {
        let body = json!({
            "action": action,
            "pull_request": pull_request(),
            "comment": {
                "id": 5005,
                "node_id": "PRRC_comment",
                "body": "/hold",
                "path": "main.go",
                "html_url": "https://github.com/kubernetes/test-infra/pull/77#discussion_r5005",
                "user": {"login": "line-commenter"}
            },
            "repository": repository()
        });
        Event::parse("pull_request_review_comment", body.to_string().as_bytes()).unwrap()
    }

    #[test]
    fn generalize_actions() {
        let cases = [
            ("created", Some(GenericCommentAction::Created)),
            ("opened", Some(GenericCommentAction::Created)),
            ("submitted", Some(GenericCommentAction::Created)),
            ("edited", Some(GenericCommentAction::Edited)),
            ("deleted", Some(GenericCommentAction::Deleted)),
            ("dismissed", Some(GenericCommentAction::Deleted)),
            ("closed", None),
            ("reopened", None),
            ("labeled", None),
            ("synchronize", None),
            ("Created", None),
            ("", None),
        ];
        for (action, want) in cases {
            assert_eq!(GenericCommentAction::generalize(action), want, "{action}");
        }
        assert_eq!(GenericCommentAction::Deleted.to_string(), "deleted");
    }

    /// Which actions of which event types yield a generic comment, and with which action.
    #[test]
    fn which_events_yield_a_generic_comment() {
        use GenericCommentAction::{Created, Deleted, Edited};
        let cases: Vec<(&str, Event, Option<GenericCommentAction>)> = vec![
            ("issue opened", issues("opened"), Some(Created)),
            ("issue edited", issues("edited"), Some(Edited)),
            (
                "issue deleted counts as deleted text",
                issues("deleted"),
                Some(Deleted),
            ),
            ("issue closed keeps its text", issues("closed"), None),
            ("issue reopened", issues("reopened"), None),
            ("issue labeled", issues("labeled"), None),
            ("issue assigned", issues("assigned"), None),
            ("issue transferred", issues("transferred"), None),
            ("issue unknown action", issues("frobnicated"), None),
            (
                "issue comment created",
                issue_comment("created", false),
                Some(Created),
            ),
            (
                "issue comment edited",
                issue_comment("edited", false),
                Some(Edited),
            ),
            (
                "issue comment deleted",
                issue_comment("deleted", false),
                Some(Deleted),
            ),
            (
                "issue comment unknown action",
                issue_comment("pinned", false),
                None,
            ),
            ("pr opened", pull_request_event("opened"), Some(Created)),
            ("pr edited", pull_request_event("edited"), Some(Edited)),
            (
                "pr closed keeps its text",
                pull_request_event("closed"),
                None,
            ),
            ("pr synchronize", pull_request_event("synchronize"), None),
            ("pr labeled", pull_request_event("labeled"), None),
            (
                "pr review requested",
                pull_request_event("review_requested"),
                None,
            ),
            (
                "pr ready for review",
                pull_request_event("ready_for_review"),
                None,
            ),
            (
                "pr converted to draft",
                pull_request_event("converted_to_draft"),
                None,
            ),
            ("pr unknown action", pull_request_event("enqueued"), None),
            ("review submitted", review("submitted"), Some(Created)),
            ("review edited", review("edited"), Some(Edited)),
            ("review dismissed", review("dismissed"), Some(Deleted)),
            (
                "review comment created",
                review_comment("created"),
                Some(Created),
            ),
            (
                "review comment edited",
                review_comment("edited"),
                Some(Edited),
            ),
            (
                "review comment deleted",
                review_comment("deleted"),
                Some(Deleted),
            ),
        ];
        for (name, event, want) in cases {
            let got = GenericCommentEvent::from_event(&event).map(|gce| gce.action);
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn events_without_comment_text_yield_nothing() {
        let cases = [
            (
                "push",
                json!({"ref": "refs/heads/main", "repository": repository()}),
            ),
            (
                "status",
                json!({"sha": "abc", "state": "success", "repository": repository()}),
            ),
            (
                "check_run",
                json!({"action": "created", "repository": repository()}),
            ),
            (
                "check_suite",
                json!({"action": "requested", "repository": repository()}),
            ),
            (
                "commit_comment",
                json!({"action": "created", "comment": {"body": "/lgtm"}}),
            ),
            (
                "discussion_comment",
                json!({"action": "created", "comment": {"body": "/lgtm"}}),
            ),
        ];
        for (event_type, body) in cases {
            let event = Event::parse(event_type, body.to_string().as_bytes()).unwrap();
            assert_eq!(
                GenericCommentEvent::from_event(&event),
                None,
                "{event_type}"
            );
        }
    }

    /// The fields each source contributes, following upstream `GeneralizeComment`.
    #[test]
    fn fields_taken_from_each_source() {
        struct Want {
            id: Option<u64>,
            node_id: &'static str,
            comment_id: Option<u64>,
            is_pr: bool,
            body: &'static str,
            html_url: &'static str,
            number: u64,
            user: &'static str,
            issue_author: &'static str,
            assignees: &'static [&'static str],
            issue_title: &'static str,
            issue_body: &'static str,
            issue_html_url: &'static str,
        }
        const ISSUE_URL: &str = "https://github.com/kubernetes/test-infra/issues/42";
        const PR_URL: &str = "https://github.com/kubernetes/test-infra/pull/77";
        let cases = [
            (
                "issue body",
                issues("opened"),
                Want {
                    id: Some(1001),
                    node_id: "I_issue",
                    comment_id: None,
                    is_pr: false,
                    body: "/assign\n/kind flake",
                    html_url: ISSUE_URL,
                    number: 42,
                    user: "issue-author",
                    issue_author: "issue-author",
                    assignees: &["assignee-a", "assignee-b"],
                    issue_title: "Flaky test",
                    issue_body: "/assign\n/kind flake",
                    issue_html_url: ISSUE_URL,
                },
            ),
            (
                "comment on an issue",
                issue_comment("created", false),
                Want {
                    id: Some(1001),
                    node_id: "I_issue",
                    comment_id: Some(3003),
                    is_pr: false,
                    body: "/retest",
                    html_url: "https://github.com/kubernetes/test-infra/issues/42#issuecomment-3003",
                    number: 42,
                    user: "commenter",
                    issue_author: "issue-author",
                    assignees: &["assignee-a", "assignee-b"],
                    issue_title: "Flaky test",
                    issue_body: "/assign\n/kind flake",
                    issue_html_url: ISSUE_URL,
                },
            ),
            (
                "comment on a pull request conversation",
                issue_comment("edited", true),
                Want {
                    id: Some(1001),
                    node_id: "I_issue",
                    comment_id: Some(3003),
                    is_pr: true,
                    body: "/retest",
                    html_url: "https://github.com/kubernetes/test-infra/issues/42#issuecomment-3003",
                    number: 42,
                    user: "commenter",
                    issue_author: "issue-author",
                    assignees: &["assignee-a", "assignee-b"],
                    issue_title: "Flaky test",
                    issue_body: "/assign\n/kind flake",
                    issue_html_url: ISSUE_URL,
                },
            ),
            (
                "pull request body",
                pull_request_event("edited"),
                Want {
                    id: Some(2002),
                    node_id: "PR_pull",
                    comment_id: None,
                    is_pr: true,
                    body: "/cc @reviewer",
                    html_url: PR_URL,
                    number: 77,
                    user: "pr-author",
                    issue_author: "pr-author",
                    assignees: &["assignee-c"],
                    issue_title: "Add a plugin",
                    issue_body: "/cc @reviewer",
                    issue_html_url: PR_URL,
                },
            ),
            (
                "review body",
                review("submitted"),
                Want {
                    id: None,
                    node_id: "PRR_review",
                    comment_id: None,
                    is_pr: true,
                    body: "/lgtm",
                    html_url: "https://github.com/kubernetes/test-infra/pull/77#pullrequestreview-4004",
                    number: 77,
                    user: "reviewer",
                    issue_author: "pr-author",
                    assignees: &["assignee-c"],
                    issue_title: "Add a plugin",
                    issue_body: "/cc @reviewer",
                    issue_html_url: PR_URL,
                },
            ),
            (
                "review comment",
                review_comment("created"),
                Want {
                    id: None,
                    node_id: "PRRC_comment",
                    comment_id: Some(5005),
                    is_pr: true,
                    body: "/hold",
                    html_url: "https://github.com/kubernetes/test-infra/pull/77#discussion_r5005",
                    number: 77,
                    user: "line-commenter",
                    issue_author: "pr-author",
                    assignees: &["assignee-c"],
                    issue_title: "Add a plugin",
                    issue_body: "/cc @reviewer",
                    issue_html_url: PR_URL,
                },
            ),
        ];
        for (name, event, want) in cases {
            let gce = GenericCommentEvent::from_event(&event.with_guid("guid-1")).expect(name);
            assert_eq!(gce.id, want.id, "{name}: id");
            assert_eq!(gce.node_id, want.node_id, "{name}: node_id");
            assert_eq!(gce.comment_id, want.comment_id, "{name}: comment_id");
            assert_eq!(gce.is_pr, want.is_pr, "{name}: is_pr");
            assert_eq!(gce.body, want.body, "{name}: body");
            assert_eq!(gce.html_url, want.html_url, "{name}: html_url");
            assert_eq!(gce.number, want.number, "{name}: number");
            assert_eq!(gce.user.login, want.user, "{name}: user");
            assert_eq!(
                gce.issue_author.login, want.issue_author,
                "{name}: issue_author"
            );
            let assignees: Vec<&str> = gce.assignees.iter().map(|u| u.login.as_str()).collect();
            assert_eq!(assignees, want.assignees, "{name}: assignees");
            assert_eq!(gce.issue_state, "open", "{name}: issue_state");
            assert_eq!(gce.issue_title, want.issue_title, "{name}: issue_title");
            assert_eq!(gce.issue_body, want.issue_body, "{name}: issue_body");
            assert_eq!(
                gce.issue_html_url, want.issue_html_url,
                "{name}: issue_html_url"
            );
            assert_eq!(gce.repo.full_name, "kubernetes/test-infra", "{name}: repo");
            assert_eq!(gce.guid, "guid-1", "{name}: guid");
        }
    }

    #[test]
    fn missing_bodies_become_empty_text() {
        let body = json!({
            "action": "submitted",
            "pull_request": {"number": 3, "body": null, "user": {"login": "a"}},
            "review": {"id": 1, "body": null, "state": "approved", "user": {"login": "b"}}
        });
        let event = Event::parse("pull_request_review", body.to_string().as_bytes()).unwrap();
        let gce = GenericCommentEvent::from_event(&event).unwrap();
        assert_eq!(gce.body, "");
        assert_eq!(gce.issue_body, "");
        assert_eq!(gce.guid, "");
    }

    #[test]
    fn coercion_failures_are_reported_only_for_unknown_actions() {
        let cases = [
            (issues("opened"), None),
            (issues("labeled"), None),
            (issues("closed"), None),
            (
                issues("frobnicated"),
                Some(
                    "Could not coerce issues event to a GenericCommentEvent. Unknown 'action': \"frobnicated\".",
                ),
            ),
            (pull_request_event("synchronize"), None),
            (pull_request_event("auto_merge_enabled"), None),
            (
                pull_request_event("enqueued"),
                Some(
                    "Could not coerce pull_request event to a GenericCommentEvent. Unknown 'action': \"enqueued\".",
                ),
            ),
            (issue_comment("created", true), None),
            (
                issue_comment("pinned", false),
                Some(
                    "Could not coerce issue_comment event to a GenericCommentEvent. Unknown 'action': \"pinned\".",
                ),
            ),
            (review("dismissed"), None),
            (
                review("resolved"),
                Some(
                    "Could not coerce pull_request_review event to a GenericCommentEvent. Unknown 'action': \"resolved\".",
                ),
            ),
            (
                review_comment("moved"),
                Some(
                    "Could not coerce pull_request_review_comment event to a GenericCommentEvent. Unknown 'action': \"moved\".",
                ),
            ),
        ];
        for (event, want) in cases {
            assert_eq!(
                comment_coercion_failure(&event).as_deref(),
                want,
                "{} {:?}",
                event.event_type(),
                event.action()
            );
        }
        let push = Event::parse("push", br#"{"ref": "refs/heads/main"}"#).unwrap();
        assert_eq!(comment_coercion_failure(&push), None);
    }
}
