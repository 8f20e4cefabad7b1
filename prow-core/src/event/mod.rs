//! GitHub webhook events as Prow sees them: typed payloads for the event types hook, trigger and
//! tide handle, every other event type kept as raw JSON (accepted, never rejected), and the
//! generic comment view that comment-driven plugins share.
//!
//! ```
//! use prow_core::event::{Event, GenericCommentAction, GenericCommentEvent};
//!
//! let body = br#"{
//!     "action": "created",
//!     "issue": {"number": 7, "user": {"login": "author"}, "state": "open"},
//!     "comment": {"id": 99, "body": "/retest", "user": {"login": "reviewer"}},
//!     "repository": {"name": "test-infra", "full_name": "kubernetes/test-infra"},
//!     "sender": {"login": "reviewer"}
//! }"#;
//! let event = Event::parse("issue_comment", body)?.with_guid("delivery-1");
//! assert_eq!(event.repo().as_deref(), Some("kubernetes/test-infra"));
//! assert_eq!(event.action(), Some("created"));
//!
//! let comment = GenericCommentEvent::from_event(&event).expect("a comment");
//! assert_eq!(comment.action, GenericCommentAction::Created);
//! assert_eq!(comment.body, "/retest");
//! assert_eq!(comment.guid, "delivery-1");
//! # Ok::<(), prow_core::event::EventError>(())
//! ```

mod action;
pub(crate) mod de;
mod generic_comment;
mod payloads;
mod types;

#[cfg(test)]
mod tests;

use serde::de::DeserializeOwned;

pub use action::{
    CheckRunEventAction, CheckSuiteEventAction, IssueCommentEventAction, IssueEventAction,
    PullRequestEventAction, ReviewCommentEventAction, ReviewEventAction, ReviewState, StatusState,
};
pub use generic_comment::{GenericCommentAction, GenericCommentEvent, comment_coercion_failure};
pub use payloads::{
    CheckRunEvent, CheckSuiteEvent, IssueCommentEvent, IssueEvent, PullRequestEvent, PushEvent,
    ReviewCommentEvent, ReviewEvent, StatusEvent,
};
pub use types::{
    App, CheckRun, CheckRunOutput, CheckSuite, Commit, CommitAuthor, Installation, Issue,
    IssueComment, IssuePullRequestLinks, Label, Milestone, Organization, PullRequest,
    PullRequestBranch, Repo, RequestedAction, Review, ReviewComment, Team, User, has_label,
    norm_login,
};

/// The `X-GitHub-Event` values parsed into a typed [`Event`] variant; every other value becomes
/// [`Event::Other`].
pub const HANDLED_EVENT_TYPES: [&str; 9] = [
    "issues",
    "issue_comment",
    "pull_request",
    "pull_request_review",
    "pull_request_review_comment",
    "push",
    "status",
    "check_run",
    "check_suite",
];

/// Why a webhook body could not be read as its event type (answer the delivery with 400).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EventError {
    /// The body is not JSON, or a field holds a type GitHub never sends there.
    #[error("could not parse {event_type} event payload: {source}")]
    Malformed {
        /// The `X-GitHub-Event` value of the delivery.
        event_type: String,
        /// What the JSON parser reported, with line and column.
        #[source]
        source: serde_json::Error,
    },
    /// The body is JSON but not an object.
    #[error("could not parse {event_type} event payload: expected a JSON object")]
    NotAnObject {
        /// The `X-GitHub-Event` value of the delivery.
        event_type: String,
    },
}

impl EventError {
    /// The `X-GitHub-Event` value of the delivery that failed.
    pub fn event_type(&self) -> &str {
        match self {
            Self::Malformed { event_type, .. } | Self::NotAnObject { event_type } => event_type,
        }
    }
}

/// A webhook delivery, parsed by its `X-GitHub-Event` type.
///
/// Typed payloads are boxed: they are large and an `Event` is moved between tasks.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// `issues`.
    Issues(Box<IssueEvent>),
    /// `issue_comment`.
    IssueComment(Box<IssueCommentEvent>),
    /// `pull_request`.
    PullRequest(Box<PullRequestEvent>),
    /// `pull_request_review`.
    PullRequestReview(Box<ReviewEvent>),
    /// `pull_request_review_comment`.
    PullRequestReviewComment(Box<ReviewCommentEvent>),
    /// `push`.
    Push(Box<PushEvent>),
    /// `status`.
    Status(Box<StatusEvent>),
    /// `check_run`.
    CheckRun(Box<CheckRunEvent>),
    /// `check_suite`.
    CheckSuite(Box<CheckSuiteEvent>),
    /// Any other event type, kept as received (for external plugins and logging).
    Other {
        /// The `X-GitHub-Event` value.
        event_type: String,
        /// The whole body.
        payload: serde_json::Value,
    },
}

/// Parses `body` as `T`, requiring a JSON object.
fn typed<T: DeserializeOwned>(event_type: &str, body: &[u8]) -> Result<Box<T>, EventError> {
    let parsed = serde_json::from_slice::<T>(body).map_err(|source| EventError::Malformed {
        event_type: event_type.to_owned(),
        source,
    })?;
    // serde also fills a struct from a JSON array; GitHub only ever sends objects.
    if body.trim_ascii_start().first() != Some(&b'{') {
        return Err(EventError::NotAnObject {
            event_type: event_type.to_owned(),
        });
    }
    Ok(Box::new(parsed))
}

impl Event {
    /// Parses a webhook body by its `X-GitHub-Event` type.
    ///
    /// The types in [`HANDLED_EVENT_TYPES`] become their typed variant; any other type becomes
    /// [`Event::Other`]. Unknown fields and unknown action values are accepted; only a body that
    /// is not a JSON object, or a field with an impossible type, is an error.
    pub fn parse(event_type: &str, body: &[u8]) -> Result<Event, EventError> {
        Ok(match event_type {
            "issues" => Event::Issues(typed(event_type, body)?),
            "issue_comment" => Event::IssueComment(typed(event_type, body)?),
            "pull_request" => Event::PullRequest(typed(event_type, body)?),
            "pull_request_review" => Event::PullRequestReview(typed(event_type, body)?),
            "pull_request_review_comment" => {
                Event::PullRequestReviewComment(typed(event_type, body)?)
            }
            "push" => Event::Push(typed(event_type, body)?),
            "status" => Event::Status(typed(event_type, body)?),
            "check_run" => Event::CheckRun(typed(event_type, body)?),
            "check_suite" => Event::CheckSuite(typed(event_type, body)?),
            _ => {
                let payload: serde_json::Value =
                    serde_json::from_slice(body).map_err(|source| EventError::Malformed {
                        event_type: event_type.to_owned(),
                        source,
                    })?;
                if !payload.is_object() {
                    return Err(EventError::NotAnObject {
                        event_type: event_type.to_owned(),
                    });
                }
                Event::Other {
                    event_type: event_type.to_owned(),
                    payload,
                }
            }
        })
    }

    /// Records the delivery GUID (the `X-GitHub-Delivery` header) on a typed payload. An
    /// [`Event::Other`] has nowhere to keep it and is returned unchanged.
    pub fn with_guid(mut self, guid: impl Into<String>) -> Self {
        let guid = guid.into();
        match &mut self {
            Event::Issues(e) => e.guid = guid,
            Event::IssueComment(e) => e.guid = guid,
            Event::PullRequest(e) => e.guid = guid,
            Event::PullRequestReview(e) => e.guid = guid,
            Event::PullRequestReviewComment(e) => e.guid = guid,
            Event::Push(e) => e.guid = guid,
            Event::Status(e) => e.guid = guid,
            Event::CheckRun(e) => e.guid = guid,
            Event::CheckSuite(e) => e.guid = guid,
            Event::Other { .. } => {}
        }
        self
    }

    /// The delivery GUID set by [`Event::with_guid`], if any.
    pub fn guid(&self) -> Option<&str> {
        let guid = match self {
            Event::Issues(e) => &e.guid,
            Event::IssueComment(e) => &e.guid,
            Event::PullRequest(e) => &e.guid,
            Event::PullRequestReview(e) => &e.guid,
            Event::PullRequestReviewComment(e) => &e.guid,
            Event::Push(e) => &e.guid,
            Event::Status(e) => &e.guid,
            Event::CheckRun(e) => &e.guid,
            Event::CheckSuite(e) => &e.guid,
            Event::Other { .. } => return None,
        };
        (!guid.is_empty()).then_some(guid.as_str())
    }

    /// The `X-GitHub-Event` value this event was parsed as.
    pub fn event_type(&self) -> &str {
        match self {
            Event::Issues(_) => "issues",
            Event::IssueComment(_) => "issue_comment",
            Event::PullRequest(_) => "pull_request",
            Event::PullRequestReview(_) => "pull_request_review",
            Event::PullRequestReviewComment(_) => "pull_request_review_comment",
            Event::Push(_) => "push",
            Event::Status(_) => "status",
            Event::CheckRun(_) => "check_run",
            Event::CheckSuite(_) => "check_suite",
            Event::Other { event_type, .. } => event_type,
        }
    }

    /// The payload's `action`, as GitHub spelled it. `None` for event types without actions
    /// (`push`, `status`) and when the payload has none.
    pub fn action(&self) -> Option<&str> {
        let action = match self {
            Event::Issues(e) => e.action.as_str(),
            Event::IssueComment(e) => e.action.as_str(),
            Event::PullRequest(e) => e.action.as_str(),
            Event::PullRequestReview(e) => e.action.as_str(),
            Event::PullRequestReviewComment(e) => e.action.as_str(),
            Event::CheckRun(e) => e.action.as_str(),
            Event::CheckSuite(e) => e.action.as_str(),
            Event::Push(_) | Event::Status(_) => return None,
            Event::Other { payload, .. } => payload.get("action")?.as_str()?,
        };
        (!action.is_empty()).then_some(action)
    }

    /// The typed payload's repository. `None` for [`Event::Other`] and when the payload names no
    /// repository.
    pub fn repository(&self) -> Option<&Repo> {
        let repo = match self {
            Event::Issues(e) => &e.repo,
            Event::IssueComment(e) => &e.repo,
            Event::PullRequest(e) => &e.repo,
            Event::PullRequestReview(e) => &e.repo,
            Event::PullRequestReviewComment(e) => &e.repo,
            Event::Push(e) => &e.repo,
            Event::Status(e) => &e.repo,
            Event::CheckRun(e) => &e.repo,
            Event::CheckSuite(e) => &e.repo,
            Event::Other { .. } => return None,
        };
        (*repo != Repo::default()).then_some(repo)
    }

    /// `org/repo` of the payload's repository, for every event type; `None` when the payload
    /// has no repository (organization-level events).
    pub fn repo(&self) -> Option<String> {
        match self {
            Event::Other { payload, .. } => {
                let repo = payload.get("repository")?;
                if let Some(full_name) = repo.get("full_name").and_then(|v| v.as_str())
                    && !full_name.is_empty()
                {
                    return Some(full_name.to_owned());
                }
                let name = repo.get("name")?.as_str()?;
                let owner = repo.get("owner")?;
                let org = ["login", "name"]
                    .iter()
                    .filter_map(|key| owner.get(key)?.as_str())
                    .find(|org| !org.is_empty())?;
                (!name.is_empty()).then(|| format!("{org}/{name}"))
            }
            typed => typed.repository()?.org_repo(),
        }
    }

    /// The login of the account that caused the event (the payload's `sender`).
    pub fn sender(&self) -> Option<&str> {
        let login = match self {
            Event::Other { payload, .. } => payload.get("sender")?.get("login")?.as_str()?,
            typed => typed.sender_user()?.login.as_str(),
        };
        (!login.is_empty()).then_some(login)
    }

    /// The typed payload's `sender`. `None` for [`Event::Other`].
    pub fn sender_user(&self) -> Option<&User> {
        match self {
            Event::Issues(e) => Some(&e.sender),
            Event::IssueComment(e) => Some(&e.sender),
            Event::PullRequest(e) => Some(&e.sender),
            Event::PullRequestReview(e) => Some(&e.sender),
            Event::PullRequestReviewComment(e) => Some(&e.sender),
            Event::Push(e) => Some(&e.sender),
            Event::Status(e) => Some(&e.sender),
            Event::CheckRun(e) => Some(&e.sender),
            Event::CheckSuite(e) => Some(&e.sender),
            Event::Other { .. } => None,
        }
    }

    /// The App installation ID the delivery is for, when the payload names one.
    pub fn installation_id(&self) -> Option<u64> {
        let installation = match self {
            Event::Issues(e) => e.installation.as_ref(),
            Event::IssueComment(e) => e.installation.as_ref(),
            Event::PullRequest(e) => e.installation.as_ref(),
            Event::PullRequestReview(e) => e.installation.as_ref(),
            Event::PullRequestReviewComment(e) => e.installation.as_ref(),
            Event::Push(e) => e.installation.as_ref(),
            Event::Status(e) => e.installation.as_ref(),
            Event::CheckRun(e) => e.installation.as_ref(),
            Event::CheckSuite(e) => e.installation.as_ref(),
            Event::Other { payload, .. } => {
                return payload.get("installation")?.get("id")?.as_u64();
            }
        };
        installation.map(|installation| installation.id)
    }
}
