//! The GitHub client each plugin call gets: the bot's client, delegated to call by call, that
//! remembers whether the plugin changed anything on GitHub (the `took_action` metric label).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use prow_core::event::{
    CheckRun, Issue, IssueComment, Label, Milestone, PullRequest, Review, ReviewComment, Team, User,
};
use prow_core::github::{
    BranchProtection, CheckRunRequest, CombinedStatus, GitHubClient, GitHubResult,
    ListedIssueEvent, MergeDetails, Permission, PullRequestChange, RepoName, RepositoryCommit,
    Status, TeamRole, WorkflowRun, WorkflowRunFilter,
};

/// A [`GitHubClient`] that delegates every call and counts the mutating ones (comments,
/// labels, assignments, review requests, merges, statuses, refs, milestones, issues, check
/// runs, workflow-run approvals and re-runs, and GraphQL documents that are mutations),
/// successful or not.
///
/// Upstream marks a plugin's client as used on any call, reads included; prow-rs counts only
/// calls that change something, so `took_action="true"` means the plugin acted.
pub struct TrackedClient {
    inner: Arc<dyn GitHubClient>,
    mutations: AtomicU64,
}

impl TrackedClient {
    /// Wraps `inner`, with no calls counted yet.
    pub fn new(inner: Arc<dyn GitHubClient>) -> Self {
        TrackedClient {
            inner,
            mutations: AtomicU64::new(0),
        }
    }

    /// How many mutating calls were made through this client.
    pub fn mutations(&self) -> u64 {
        self.mutations.load(Ordering::Relaxed)
    }

    /// Whether any mutating call was made through this client.
    pub fn took_action(&self) -> bool {
        self.mutations() > 0
    }

    fn mutating(&self) -> &dyn GitHubClient {
        self.mutations.fetch_add(1, Ordering::Relaxed);
        &*self.inner
    }

    fn reading(&self) -> &dyn GitHubClient {
        &*self.inner
    }
}

/// Whether a GraphQL document is a mutation (its first word, after comments).
fn is_mutation(query: &str) -> bool {
    let mut rest = query;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ',' || c == '\u{feff}');
        match rest.strip_prefix('#') {
            Some(comment) => rest = comment.split_once('\n').map_or("", |(_, after)| after),
            None => break,
        }
    }
    rest.strip_prefix("mutation")
        .is_some_and(|after| !after.starts_with(|c: char| c.is_alphanumeric() || c == '_'))
}

#[async_trait]
impl GitHubClient for TrackedClient {
    async fn bot_user(&self) -> GitHubResult<User> {
        self.reading().bot_user().await
    }

    async fn get_issue(&self, repo: &RepoName, number: u64) -> GitHubResult<Issue> {
        self.reading().get_issue(repo, number).await
    }

    async fn create_issue(
        &self,
        repo: &RepoName,
        title: &str,
        body: &str,
        labels: &[String],
        assignees: &[String],
    ) -> GitHubResult<u64> {
        self.mutating()
            .create_issue(repo, title, body, labels, assignees)
            .await
    }

    async fn close_issue(
        &self,
        repo: &RepoName,
        number: u64,
        not_planned: bool,
    ) -> GitHubResult<()> {
        self.mutating().close_issue(repo, number, not_planned).await
    }

    async fn reopen_issue(&self, repo: &RepoName, number: u64) -> GitHubResult<()> {
        self.mutating().reopen_issue(repo, number).await
    }

    async fn close_pull_request(&self, repo: &RepoName, number: u64) -> GitHubResult<()> {
        self.mutating().close_pull_request(repo, number).await
    }

    async fn reopen_pull_request(&self, repo: &RepoName, number: u64) -> GitHubResult<()> {
        self.mutating().reopen_pull_request(repo, number).await
    }

    async fn edit_title(&self, repo: &RepoName, number: u64, title: &str) -> GitHubResult<()> {
        self.mutating().edit_title(repo, number, title).await
    }

    async fn list_issue_comments(
        &self,
        repo: &RepoName,
        number: u64,
    ) -> GitHubResult<Vec<IssueComment>> {
        self.reading().list_issue_comments(repo, number).await
    }

    async fn create_comment(&self, repo: &RepoName, number: u64, body: &str) -> GitHubResult<u64> {
        self.mutating().create_comment(repo, number, body).await
    }

    async fn edit_comment(&self, repo: &RepoName, comment_id: u64, body: &str) -> GitHubResult<()> {
        self.mutating().edit_comment(repo, comment_id, body).await
    }

    async fn delete_comment(&self, repo: &RepoName, comment_id: u64) -> GitHubResult<()> {
        self.mutating().delete_comment(repo, comment_id).await
    }

    async fn create_comment_reaction(
        &self,
        repo: &RepoName,
        comment_id: u64,
        reaction: &str,
    ) -> GitHubResult<()> {
        self.mutating()
            .create_comment_reaction(repo, comment_id, reaction)
            .await
    }

    async fn create_issue_reaction(
        &self,
        repo: &RepoName,
        number: u64,
        reaction: &str,
    ) -> GitHubResult<()> {
        self.mutating()
            .create_issue_reaction(repo, number, reaction)
            .await
    }

    async fn get_repo_labels(&self, repo: &RepoName) -> GitHubResult<Vec<Label>> {
        self.reading().get_repo_labels(repo).await
    }

    async fn get_issue_labels(&self, repo: &RepoName, number: u64) -> GitHubResult<Vec<Label>> {
        self.reading().get_issue_labels(repo, number).await
    }

    async fn add_label(&self, repo: &RepoName, number: u64, label: &str) -> GitHubResult<()> {
        self.mutating().add_label(repo, number, label).await
    }

    async fn remove_label(&self, repo: &RepoName, number: u64, label: &str) -> GitHubResult<()> {
        self.mutating().remove_label(repo, number, label).await
    }

    async fn assign_issue(
        &self,
        repo: &RepoName,
        number: u64,
        logins: &[String],
    ) -> GitHubResult<()> {
        self.mutating().assign_issue(repo, number, logins).await
    }

    async fn unassign_issue(
        &self,
        repo: &RepoName,
        number: u64,
        logins: &[String],
    ) -> GitHubResult<()> {
        self.mutating().unassign_issue(repo, number, logins).await
    }

    async fn request_review(
        &self,
        repo: &RepoName,
        number: u64,
        logins: &[String],
    ) -> GitHubResult<()> {
        self.mutating().request_review(repo, number, logins).await
    }

    async fn unrequest_review(
        &self,
        repo: &RepoName,
        number: u64,
        logins: &[String],
    ) -> GitHubResult<()> {
        self.mutating().unrequest_review(repo, number, logins).await
    }

    async fn get_pull_request(&self, repo: &RepoName, number: u64) -> GitHubResult<PullRequest> {
        self.reading().get_pull_request(repo, number).await
    }

    async fn get_pull_request_changes(
        &self,
        repo: &RepoName,
        number: u64,
    ) -> GitHubResult<Vec<PullRequestChange>> {
        self.reading().get_pull_request_changes(repo, number).await
    }

    async fn list_reviews(&self, repo: &RepoName, number: u64) -> GitHubResult<Vec<Review>> {
        self.reading().list_reviews(repo, number).await
    }

    async fn merge(
        &self,
        repo: &RepoName,
        number: u64,
        details: &MergeDetails,
    ) -> GitHubResult<()> {
        self.mutating().merge(repo, number, details).await
    }

    async fn create_status(&self, repo: &RepoName, sha: &str, status: &Status) -> GitHubResult<()> {
        self.mutating().create_status(repo, sha, status).await
    }

    async fn get_combined_status(
        &self,
        repo: &RepoName,
        reference: &str,
    ) -> GitHubResult<CombinedStatus> {
        self.reading().get_combined_status(repo, reference).await
    }

    async fn list_check_runs(
        &self,
        repo: &RepoName,
        reference: &str,
    ) -> GitHubResult<Vec<CheckRun>> {
        self.reading().list_check_runs(repo, reference).await
    }

    async fn get_ref(&self, repo: &RepoName, reference: &str) -> GitHubResult<String> {
        self.reading().get_ref(repo, reference).await
    }

    async fn delete_ref(&self, repo: &RepoName, reference: &str) -> GitHubResult<()> {
        self.mutating().delete_ref(repo, reference).await
    }

    async fn get_file(
        &self,
        repo: &RepoName,
        path: &str,
        commitish: Option<&str>,
    ) -> GitHubResult<Vec<u8>> {
        self.reading().get_file(repo, path, commitish).await
    }

    async fn is_collaborator(&self, repo: &RepoName, login: &str) -> GitHubResult<bool> {
        self.reading().is_collaborator(repo, login).await
    }

    async fn get_user_permission(&self, repo: &RepoName, login: &str) -> GitHubResult<Permission> {
        self.reading().get_user_permission(repo, login).await
    }

    async fn is_member(&self, org: &str, login: &str) -> GitHubResult<bool> {
        self.reading().is_member(org, login).await
    }

    async fn list_teams(&self, org: &str) -> GitHubResult<Vec<Team>> {
        self.reading().list_teams(org).await
    }

    async fn list_team_members(
        &self,
        org: &str,
        team_slug: &str,
        role: TeamRole,
    ) -> GitHubResult<Vec<User>> {
        self.reading().list_team_members(org, team_slug, role).await
    }

    async fn list_milestones(&self, repo: &RepoName) -> GitHubResult<Vec<Milestone>> {
        self.reading().list_milestones(repo).await
    }

    async fn set_milestone(
        &self,
        repo: &RepoName,
        number: u64,
        milestone: u64,
    ) -> GitHubResult<()> {
        self.mutating().set_milestone(repo, number, milestone).await
    }

    async fn clear_milestone(&self, repo: &RepoName, number: u64) -> GitHubResult<()> {
        self.mutating().clear_milestone(repo, number).await
    }

    async fn find_issues(&self, query: &str) -> GitHubResult<Vec<Issue>> {
        self.reading().find_issues(query).await
    }

    async fn graphql(
        &self,
        query: &str,
        variables: serde_json::Value,
    ) -> GitHubResult<serde_json::Value> {
        let client = if is_mutation(query) {
            self.mutating()
        } else {
            self.reading()
        };
        client.graphql(query, variables).await
    }

    async fn list_pull_request_comments(
        &self,
        repo: &RepoName,
        number: u64,
    ) -> GitHubResult<Vec<ReviewComment>> {
        self.reading()
            .list_pull_request_comments(repo, number)
            .await
    }

    async fn list_issue_events(
        &self,
        repo: &RepoName,
        number: u64,
    ) -> GitHubResult<Vec<ListedIssueEvent>> {
        self.reading().list_issue_events(repo, number).await
    }

    async fn get_single_commit(
        &self,
        repo: &RepoName,
        sha: &str,
    ) -> GitHubResult<RepositoryCommit> {
        self.reading().get_single_commit(repo, sha).await
    }

    async fn get_branch_protection(
        &self,
        repo: &RepoName,
        branch: &str,
    ) -> GitHubResult<Option<BranchProtection>> {
        self.reading().get_branch_protection(repo, branch).await
    }

    async fn uses_app_auth(&self) -> bool {
        self.inner.uses_app_auth().await
    }

    async fn create_check_run(&self, repo: &RepoName, run: &CheckRunRequest) -> GitHubResult<u64> {
        self.mutating().create_check_run(repo, run).await
    }

    async fn list_workflow_runs(
        &self,
        repo: &RepoName,
        filter: &WorkflowRunFilter,
    ) -> GitHubResult<Vec<WorkflowRun>> {
        self.reading().list_workflow_runs(repo, filter).await
    }

    async fn rerun_failed_workflow_jobs(&self, repo: &RepoName, run_id: u64) -> GitHubResult<()> {
        self.mutating()
            .rerun_failed_workflow_jobs(repo, run_id)
            .await
    }

    async fn approve_workflow_run(&self, repo: &RepoName, run_id: u64) -> GitHubResult<()> {
        self.mutating().approve_workflow_run(repo, run_id).await
    }
}

#[cfg(test)]
mod tests {
    use super::is_mutation;

    #[test]
    fn graphql_mutations_are_told_from_queries() {
        let cases = [
            ("mutation { addStar }", true),
            ("  mutation AddLabel($id: ID!) { x }", true),
            ("# a comment\nmutation{x}", true),
            ("query { viewer { login } }", false),
            ("{ viewer { login } }", false),
            ("mutationless { x }", false),
            ("# mutation\nquery { x }", false),
        ];
        for (query, want) in cases {
            assert_eq!(is_mutation(query), want, "{query:?}");
        }
    }
}
