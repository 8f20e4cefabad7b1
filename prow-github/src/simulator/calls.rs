//! The call log: every mutating call a client made to the simulator, with its actor, target
//! and arguments, so tests can assert exactly what Prow did ("this comment, nothing else").

use prow_core::github::{CheckRunRequest, MergeDetails, RepoName, Status};

/// One mutating call made through a client face of the simulator
/// ([`GitHubClient`](prow_core::github::GitHubClient) on [`Simulator`](super::Simulator) or
/// [`SimClient`](super::SimClient)).
///
/// Calls refused by a fault knob never reached the simulated GitHub and are not logged; calls
/// GitHub refused (a 404, a 422, ...) are, with `error` set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    /// The login the call was made as.
    pub actor: String,
    /// The repository called on.
    pub repo: RepoName,
    /// The issue or pull request number, for calls about one (for `create_issue`, the number
    /// of the new issue).
    pub number: Option<u64>,
    /// What was asked for.
    pub action: Action,
    /// GitHub's refusal, when the call failed.
    pub error: Option<String>,
}

impl Call {
    /// A successful call, for comparing with the log.
    pub fn new(
        actor: impl Into<String>,
        repo: &RepoName,
        number: Option<u64>,
        action: Action,
    ) -> Self {
        Call {
            actor: actor.into(),
            repo: repo.clone(),
            number,
            action,
            error: None,
        }
    }

    /// The [`GitHubClient`](prow_core::github::GitHubClient) method called.
    pub fn method(&self) -> &'static str {
        self.action.method()
    }
}

/// The arguments of a mutating call, one variant per
/// [`GitHubClient`](prow_core::github::GitHubClient) method that changes something (and per
/// GraphQL mutation the simulator answers).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Action {
    /// `create_issue`.
    CreateIssue {
        /// The title.
        title: String,
        /// The body.
        body: String,
        /// The labels asked for.
        labels: Vec<String>,
        /// The assignees asked for.
        assignees: Vec<String>,
    },
    /// `close_issue`.
    CloseIssue {
        /// Whether closed as not planned.
        not_planned: bool,
    },
    /// `reopen_issue`.
    ReopenIssue,
    /// `close_pull_request`.
    ClosePullRequest,
    /// `reopen_pull_request`.
    ReopenPullRequest,
    /// `edit_title`.
    EditTitle {
        /// The new title.
        title: String,
    },
    /// `create_comment`.
    CreateComment {
        /// The comment's text.
        body: String,
    },
    /// `edit_comment`.
    EditComment {
        /// The comment edited.
        comment_id: u64,
        /// The new text.
        body: String,
    },
    /// `delete_comment`.
    DeleteComment {
        /// The comment deleted.
        comment_id: u64,
    },
    /// `create_comment_reaction`.
    CreateCommentReaction {
        /// The comment reacted to.
        comment_id: u64,
        /// The reaction.
        reaction: String,
    },
    /// `create_issue_reaction`.
    CreateIssueReaction {
        /// The reaction.
        reaction: String,
    },
    /// `add_label`.
    AddLabel {
        /// The label.
        label: String,
    },
    /// `remove_label`.
    RemoveLabel {
        /// The label.
        label: String,
    },
    /// `assign_issue`.
    AssignIssue {
        /// The logins asked for.
        logins: Vec<String>,
    },
    /// `unassign_issue`.
    UnassignIssue {
        /// The logins asked for.
        logins: Vec<String>,
    },
    /// `request_review`.
    RequestReview {
        /// The logins asked for.
        logins: Vec<String>,
    },
    /// `unrequest_review`.
    UnrequestReview {
        /// The logins asked for.
        logins: Vec<String>,
    },
    /// `merge`.
    Merge {
        /// The merge details given.
        details: MergeDetails,
    },
    /// `create_status`.
    CreateStatus {
        /// The commit.
        sha: String,
        /// The status set.
        status: Status,
    },
    /// `delete_ref`.
    DeleteRef {
        /// The ref (`heads/feature`).
        reference: String,
    },
    /// `set_milestone`.
    SetMilestone {
        /// The milestone number.
        milestone: u64,
    },
    /// `clear_milestone`.
    ClearMilestone,
    /// `create_check_run`.
    CreateCheckRun {
        /// The check run asked for.
        run: CheckRunRequest,
    },
    /// `rerun_failed_workflow_jobs`.
    RerunFailedWorkflowJobs {
        /// The workflow run.
        run_id: u64,
    },
    /// `approve_workflow_run`.
    ApproveWorkflowRun {
        /// The workflow run.
        run_id: u64,
    },
    /// GraphQL `addProjectV2ItemById`: an issue or pull request put on a project.
    AddProjectV2ItemById {
        /// The project's node ID.
        project_id: String,
        /// The issue's or pull request's node ID.
        content_id: String,
    },
    /// GraphQL `updateProjectV2ItemFieldValue`: a single-select field of an item set.
    UpdateProjectV2ItemFieldValue {
        /// The project's node ID.
        project_id: String,
        /// The item's node ID.
        item_id: String,
        /// The field's node ID.
        field_id: String,
        /// The option chosen (`singleSelectOptionId`).
        option_id: String,
    },
    /// GraphQL `deleteProjectV2Item`: an item taken off a project.
    DeleteProjectV2Item {
        /// The project's node ID.
        project_id: String,
        /// The item's node ID.
        item_id: String,
    },
}

impl Action {
    /// The [`GitHubClient`](prow_core::github::GitHubClient) method this action is the
    /// arguments of.
    pub fn method(&self) -> &'static str {
        match self {
            Action::CreateIssue { .. } => "create_issue",
            Action::CloseIssue { .. } => "close_issue",
            Action::ReopenIssue => "reopen_issue",
            Action::ClosePullRequest => "close_pull_request",
            Action::ReopenPullRequest => "reopen_pull_request",
            Action::EditTitle { .. } => "edit_title",
            Action::CreateComment { .. } => "create_comment",
            Action::EditComment { .. } => "edit_comment",
            Action::DeleteComment { .. } => "delete_comment",
            Action::CreateCommentReaction { .. } => "create_comment_reaction",
            Action::CreateIssueReaction { .. } => "create_issue_reaction",
            Action::AddLabel { .. } => "add_label",
            Action::RemoveLabel { .. } => "remove_label",
            Action::AssignIssue { .. } => "assign_issue",
            Action::UnassignIssue { .. } => "unassign_issue",
            Action::RequestReview { .. } => "request_review",
            Action::UnrequestReview { .. } => "unrequest_review",
            Action::Merge { .. } => "merge",
            Action::CreateStatus { .. } => "create_status",
            Action::DeleteRef { .. } => "delete_ref",
            Action::SetMilestone { .. } => "set_milestone",
            Action::ClearMilestone => "clear_milestone",
            Action::CreateCheckRun { .. } => "create_check_run",
            Action::RerunFailedWorkflowJobs { .. } => "rerun_failed_workflow_jobs",
            Action::ApproveWorkflowRun { .. } => "approve_workflow_run",
            Action::AddProjectV2ItemById { .. } => "add_project_v2_item_by_id",
            Action::UpdateProjectV2ItemFieldValue { .. } => "update_project_v2_item_field_value",
            Action::DeleteProjectV2Item { .. } => "delete_project_v2_item",
        }
    }
}
