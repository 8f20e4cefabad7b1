//! The simulator's in-memory client face: [`GitHubClient`] for [`SimClient`] (acting as any
//! login) and for [`Simulator`] itself (acting as the bot). Every call passes the fault knobs
//! first; every mutating call is written to the call log.

use async_trait::async_trait;
use prow_core::event::{
    CheckRun, Issue, IssueComment, Label, Milestone, PullRequest, Review, ReviewComment, Team, User,
};
use prow_core::github::{
    BranchProtection, CheckRunRequest, CombinedStatus, GitHubClient, GitHubResult,
    ListedIssueEvent, MergeDetails, Permission, PullRequestChange, RepoName, RepositoryCommit,
    Status, TeamRole, WorkflowRun, WorkflowRunFilter,
};

use super::calls::{Action, Call};
use super::faults::REFUSAL;
use super::issues::Target;
use super::state::{State, login_key, not_found, push_bounded};
use super::{SimResult, Simulator};

/// A [`GitHubClient`] that acts on the simulator as one login: the bot's, or any user's (to
/// drive the simulator as a person would through the API). Cheap to clone.
#[derive(Clone, Debug)]
pub struct SimClient {
    sim: Simulator,
    actor: String,
}

impl SimClient {
    /// The login the client acts as.
    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// The simulator the client talks to.
    pub fn simulator(&self) -> &Simulator {
        &self.sim
    }

    /// Passes the fault knobs for `method`, then reads the state.
    async fn read<T>(
        &self,
        method: &'static str,
        f: impl FnOnce(&State) -> SimResult<T> + Send,
    ) -> SimResult<T> {
        self.sim.admit(method, false).await?;
        let st = self.sim.lock();
        f(&st)
    }

    /// Passes the fault knobs for `action`'s method, then changes the state and logs the call
    /// (with the number `number_of` finds in the result, else `number`).
    async fn write<T>(
        &self,
        repo: &RepoName,
        number: Option<u64>,
        action: Action,
        number_of: impl FnOnce(&T) -> Option<u64> + Send,
        f: impl FnOnce(&mut State, &str) -> SimResult<T> + Send,
    ) -> SimResult<T> {
        self.sim.admit(action.method(), true).await?;
        let mut st = self.sim.lock();
        let result = f(&mut st, &self.actor);
        let number = result.as_ref().ok().and_then(number_of).or(number);
        let call = Call {
            actor: self.actor.clone(),
            repo: repo.clone(),
            number,
            action,
            error: result.as_ref().err().map(ToString::to_string),
        };
        let limit = st.history_limit;
        push_bounded(&mut st.calls, call, limit);
        result
    }
}

impl SimClient {
    /// Passes the fault knobs for `graphql` (a mutating call for a mutation), then answers a
    /// GraphQL request as GitHub's `POST /graphql` does: a document with `data`, or with
    /// `errors` for a request the simulator cannot answer. Mutations land in the call log.
    /// Both faces answer GraphQL through here.
    pub(crate) async fn graphql_response(
        &self,
        query: &str,
        variables: &serde_json::Value,
    ) -> SimResult<serde_json::Value> {
        let mutating = super::http::graphql::is_mutation(query);
        self.sim.admit("graphql", mutating).await?;
        let mut st = self.sim.lock();
        Ok(super::http::graphql::answer(
            &mut st,
            &self.actor,
            query,
            variables,
        ))
    }
}

impl Simulator {
    /// A client acting as `login`.
    pub fn client_as(&self, login: &str) -> SimClient {
        self.lock().ensure_user(login);
        SimClient {
            sim: self.clone(),
            actor: login.to_owned(),
        }
    }

    /// A client acting as the bot (what [`GitHubClient`] on the simulator itself does).
    pub fn bot_client(&self) -> SimClient {
        let bot = self.bot_login();
        SimClient {
            sim: self.clone(),
            actor: bot,
        }
    }

    /// Applies the latency knob, counts the call, then lets the other knobs refuse it.
    pub(crate) async fn admit(&self, method: &str, mutating: bool) -> SimResult<()> {
        let latency = {
            let mut st = self.lock();
            st.requests += 1;
            st.faults.latency
        };
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        let mut st = self.lock();
        let State {
            faults,
            fault_state,
            ..
        } = &mut *st;
        let verdict = fault_state.admit(faults, method, mutating);
        match verdict {
            Ok(()) => Ok(()),
            Err((kind, err)) => {
                tracing::debug!(method, %err, "simulated fault");
                // Outside the HTTP face's scope there is nobody to tell.
                let _ = REFUSAL.try_with(|slot| slot.set(Some(kind)));
                Err(err)
            }
        }
    }

    /// Gives back the primary rate limit's count of one admitted call (for a `304 Not
    /// Modified` reply, which GitHub does not count).
    pub(crate) fn refund_rate_limit(&self) {
        self.lock().fault_state.refund_primary();
    }
}

/// No number in the result.
fn none<T>(_: &T) -> Option<u64> {
    None
}

/// Logins as owned strings.
fn owned(logins: &[String]) -> Vec<String> {
    logins.to_vec()
}

#[async_trait]
impl GitHubClient for SimClient {
    async fn bot_user(&self) -> GitHubResult<User> {
        self.read("bot_user", |st| Ok(st.user(&st.bot))).await
    }

    async fn get_issue(&self, repo: &RepoName, number: u64) -> GitHubResult<Issue> {
        self.read("get_issue", |st| {
            let rec = st.repo(repo)?;
            Ok(st.issue_obj(rec, rec.issue(number)?))
        })
        .await
    }

    async fn create_issue(
        &self,
        repo: &RepoName,
        title: &str,
        body: &str,
        labels: &[String],
        assignees: &[String],
    ) -> GitHubResult<u64> {
        let action = Action::CreateIssue {
            title: title.to_owned(),
            body: body.to_owned(),
            labels: owned(labels),
            assignees: owned(assignees),
        };
        self.write(
            repo,
            None,
            action,
            |n| Some(*n),
            |st, actor| st.create_issue(actor, repo, title, body, labels, assignees),
        )
        .await
    }

    async fn close_issue(
        &self,
        repo: &RepoName,
        number: u64,
        not_planned: bool,
    ) -> GitHubResult<()> {
        let action = Action::CloseIssue { not_planned };
        self.write(repo, Some(number), action, none, |st, actor| {
            st.set_open(actor, repo, number, false, not_planned, Target::Any)
        })
        .await
    }

    async fn reopen_issue(&self, repo: &RepoName, number: u64) -> GitHubResult<()> {
        self.write(
            repo,
            Some(number),
            Action::ReopenIssue,
            none,
            |st, actor| st.set_open(actor, repo, number, true, false, Target::Any),
        )
        .await
    }

    async fn close_pull_request(&self, repo: &RepoName, number: u64) -> GitHubResult<()> {
        self.write(
            repo,
            Some(number),
            Action::ClosePullRequest,
            none,
            |st, actor| st.set_open(actor, repo, number, false, false, Target::PullRequest),
        )
        .await
    }

    async fn reopen_pull_request(&self, repo: &RepoName, number: u64) -> GitHubResult<()> {
        self.write(
            repo,
            Some(number),
            Action::ReopenPullRequest,
            none,
            |st, actor| st.set_open(actor, repo, number, true, false, Target::PullRequest),
        )
        .await
    }

    async fn edit_title(&self, repo: &RepoName, number: u64, title: &str) -> GitHubResult<()> {
        let action = Action::EditTitle {
            title: title.to_owned(),
        };
        self.write(repo, Some(number), action, none, |st, actor| {
            st.edit_text(actor, repo, number, Some(title), None)
        })
        .await
    }

    async fn list_issue_comments(
        &self,
        repo: &RepoName,
        number: u64,
    ) -> GitHubResult<Vec<IssueComment>> {
        self.read("list_issue_comments", |st| {
            let rec = st.repo(repo)?;
            rec.issue(number)?;
            Ok(rec
                .comments
                .values()
                .filter(|c| c.number == number)
                .map(|c| st.comment_obj(rec, c))
                .collect())
        })
        .await
    }

    async fn create_comment(&self, repo: &RepoName, number: u64, body: &str) -> GitHubResult<u64> {
        let action = Action::CreateComment {
            body: body.to_owned(),
        };
        self.write(repo, Some(number), action, none, |st, actor| {
            st.create_comment(actor, repo, number, body)
        })
        .await
    }

    async fn edit_comment(&self, repo: &RepoName, comment_id: u64, body: &str) -> GitHubResult<()> {
        let action = Action::EditComment {
            comment_id,
            body: body.to_owned(),
        };
        self.write(repo, None, action, none, |st, actor| {
            st.edit_comment(actor, repo, comment_id, body)
        })
        .await
    }

    async fn delete_comment(&self, repo: &RepoName, comment_id: u64) -> GitHubResult<()> {
        let action = Action::DeleteComment { comment_id };
        self.write(repo, None, action, none, |st, actor| {
            st.delete_comment(actor, repo, comment_id)
        })
        .await
    }

    async fn create_comment_reaction(
        &self,
        repo: &RepoName,
        comment_id: u64,
        reaction: &str,
    ) -> GitHubResult<()> {
        let action = Action::CreateCommentReaction {
            comment_id,
            reaction: reaction.to_owned(),
        };
        self.write(repo, None, action, none, |st, actor| {
            st.react(actor, repo, None, Some(comment_id), reaction)
        })
        .await
    }

    async fn create_issue_reaction(
        &self,
        repo: &RepoName,
        number: u64,
        reaction: &str,
    ) -> GitHubResult<()> {
        let action = Action::CreateIssueReaction {
            reaction: reaction.to_owned(),
        };
        self.write(repo, Some(number), action, none, |st, actor| {
            st.react(actor, repo, Some(number), None, reaction)
        })
        .await
    }

    async fn get_repo_labels(&self, repo: &RepoName) -> GitHubResult<Vec<Label>> {
        self.read("get_repo_labels", |st| {
            let rec = st.repo(repo)?;
            Ok(rec.labels.iter().map(|l| st.label_obj(rec, l)).collect())
        })
        .await
    }

    async fn get_issue_labels(&self, repo: &RepoName, number: u64) -> GitHubResult<Vec<Label>> {
        self.read("get_issue_labels", |st| {
            let rec = st.repo(repo)?;
            Ok(st.issue_labels(rec, rec.issue(number)?))
        })
        .await
    }

    async fn add_label(&self, repo: &RepoName, number: u64, label: &str) -> GitHubResult<()> {
        let action = Action::AddLabel {
            label: label.to_owned(),
        };
        self.write(repo, Some(number), action, none, |st, actor| {
            st.add_label(actor, repo, number, label)
        })
        .await
    }

    async fn remove_label(&self, repo: &RepoName, number: u64, label: &str) -> GitHubResult<()> {
        let action = Action::RemoveLabel {
            label: label.to_owned(),
        };
        self.write(repo, Some(number), action, none, |st, actor| {
            st.remove_label(actor, repo, number, label)
        })
        .await
    }

    async fn assign_issue(
        &self,
        repo: &RepoName,
        number: u64,
        logins: &[String],
    ) -> GitHubResult<()> {
        let action = Action::AssignIssue {
            logins: owned(logins),
        };
        self.write(repo, Some(number), action, none, |st, actor| {
            st.assign(actor, repo, number, logins)
        })
        .await
    }

    async fn unassign_issue(
        &self,
        repo: &RepoName,
        number: u64,
        logins: &[String],
    ) -> GitHubResult<()> {
        let action = Action::UnassignIssue {
            logins: owned(logins),
        };
        self.write(repo, Some(number), action, none, |st, actor| {
            st.unassign(actor, repo, number, logins)
        })
        .await
    }

    async fn request_review(
        &self,
        repo: &RepoName,
        number: u64,
        logins: &[String],
    ) -> GitHubResult<()> {
        let action = Action::RequestReview {
            logins: owned(logins),
        };
        self.write(repo, Some(number), action, none, |st, actor| {
            st.request_review(actor, repo, number, logins)
        })
        .await
    }

    async fn unrequest_review(
        &self,
        repo: &RepoName,
        number: u64,
        logins: &[String],
    ) -> GitHubResult<()> {
        let action = Action::UnrequestReview {
            logins: owned(logins),
        };
        self.write(repo, Some(number), action, none, |st, actor| {
            st.unrequest_review(actor, repo, number, logins)
        })
        .await
    }

    async fn get_pull_request(&self, repo: &RepoName, number: u64) -> GitHubResult<PullRequest> {
        self.read("get_pull_request", |st| {
            let rec = st.repo(repo)?;
            let (issue, pull) = rec.pull(number)?;
            Ok(st.pull_obj(rec, issue, pull))
        })
        .await
    }

    async fn get_pull_request_changes(
        &self,
        repo: &RepoName,
        number: u64,
    ) -> GitHubResult<Vec<PullRequestChange>> {
        self.read("get_pull_request_changes", |st| {
            st.pull_changes(repo, number)
        })
        .await
    }

    async fn list_reviews(&self, repo: &RepoName, number: u64) -> GitHubResult<Vec<Review>> {
        self.read("list_reviews", |st| {
            let rec = st.repo(repo)?;
            let (_, pull) = rec.pull(number)?;
            Ok(pull
                .reviews
                .iter()
                .map(|r| st.review_obj(rec, number, r))
                .collect())
        })
        .await
    }

    async fn merge(
        &self,
        repo: &RepoName,
        number: u64,
        details: &MergeDetails,
    ) -> GitHubResult<()> {
        let action = Action::Merge {
            details: details.clone(),
        };
        self.write(repo, Some(number), action, none, |st, actor| {
            st.merge(actor, repo, number, details).map(|_| ())
        })
        .await
    }

    async fn create_status(&self, repo: &RepoName, sha: &str, status: &Status) -> GitHubResult<()> {
        let action = Action::CreateStatus {
            sha: sha.to_owned(),
            status: status.clone(),
        };
        self.write(repo, None, action, none, |st, actor| {
            st.create_status(actor, repo, sha, status)
        })
        .await
    }

    async fn get_combined_status(
        &self,
        repo: &RepoName,
        reference: &str,
    ) -> GitHubResult<CombinedStatus> {
        self.read("get_combined_status", |st| {
            st.combined_status(repo, reference)
        })
        .await
    }

    async fn list_check_runs(
        &self,
        repo: &RepoName,
        reference: &str,
    ) -> GitHubResult<Vec<CheckRun>> {
        self.read("list_check_runs", |st| st.check_runs(repo, reference))
            .await
    }

    async fn get_ref(&self, repo: &RepoName, reference: &str) -> GitHubResult<String> {
        self.read("get_ref", |st| st.get_ref(repo, reference)).await
    }

    async fn delete_ref(&self, repo: &RepoName, reference: &str) -> GitHubResult<()> {
        let action = Action::DeleteRef {
            reference: reference.to_owned(),
        };
        self.write(repo, None, action, none, |st, actor| {
            st.delete_ref(actor, repo, reference)
        })
        .await
    }

    async fn get_file(
        &self,
        repo: &RepoName,
        path: &str,
        commitish: Option<&str>,
    ) -> GitHubResult<Vec<u8>> {
        self.read("get_file", |st| st.file(repo, path, commitish))
            .await
    }

    async fn is_collaborator(&self, repo: &RepoName, login: &str) -> GitHubResult<bool> {
        self.read("is_collaborator", |st| {
            // GitHub answers 404 for an unknown repository and for a non-collaborator alike;
            // Prow's client reads both as "no".
            Ok(st
                .repo(repo)
                .is_ok_and(|rec| st.permission(rec, login) > Permission::None))
        })
        .await
    }

    async fn get_user_permission(&self, repo: &RepoName, login: &str) -> GitHubResult<Permission> {
        self.read("get_user_permission", |st| {
            let rec = st.repo(repo)?;
            if !st.users.contains_key(&login_key(login)) {
                return Err(not_found(format!("user {login}")));
            }
            Ok(st.permission(rec, login))
        })
        .await
    }

    async fn is_member(&self, org: &str, login: &str) -> GitHubResult<bool> {
        self.read("is_member", |st| Ok(st.is_org_member(org, login)))
            .await
    }

    async fn list_teams(&self, org: &str) -> GitHubResult<Vec<Team>> {
        self.sim.admit("list_teams", false).await?;
        self.sim.teams(org)
    }

    async fn list_team_members(
        &self,
        org: &str,
        team_slug: &str,
        role: TeamRole,
    ) -> GitHubResult<Vec<User>> {
        self.sim.admit("list_team_members", false).await?;
        self.sim.team_members(org, team_slug, role)
    }

    async fn list_milestones(&self, repo: &RepoName) -> GitHubResult<Vec<Milestone>> {
        self.read("list_milestones", |st| {
            let rec = st.repo(repo)?;
            // GitHub lists open milestones unless asked for others.
            Ok(rec
                .milestones
                .values()
                .filter(|m| m.open)
                .map(|m| st.milestone_obj(m))
                .collect())
        })
        .await
    }

    async fn set_milestone(
        &self,
        repo: &RepoName,
        number: u64,
        milestone: u64,
    ) -> GitHubResult<()> {
        let action = Action::SetMilestone { milestone };
        self.write(repo, Some(number), action, none, |st, actor| {
            st.set_milestone(actor, repo, number, Some(milestone))
        })
        .await
    }

    async fn clear_milestone(&self, repo: &RepoName, number: u64) -> GitHubResult<()> {
        self.write(
            repo,
            Some(number),
            Action::ClearMilestone,
            none,
            |st, actor| st.set_milestone(actor, repo, number, None),
        )
        .await
    }

    async fn find_issues(&self, query: &str) -> GitHubResult<Vec<Issue>> {
        self.read("find_issues", |st| st.search(query)).await
    }

    async fn graphql(
        &self,
        query: &str,
        variables: serde_json::Value,
    ) -> GitHubResult<serde_json::Value> {
        let response = self.graphql_response(query, &variables).await?;
        super::http::graphql::data_or_error(response)
    }

    async fn list_pull_request_comments(
        &self,
        repo: &RepoName,
        number: u64,
    ) -> GitHubResult<Vec<ReviewComment>> {
        self.read("list_pull_request_comments", |st| {
            let rec = st.repo(repo)?;
            rec.pull(number)?;
            Ok(rec
                .review_comments
                .values()
                .filter(|c| c.number == number)
                .map(|c| st.review_comment_obj(rec, c))
                .collect())
        })
        .await
    }

    async fn get_single_commit(
        &self,
        repo: &RepoName,
        sha: &str,
    ) -> GitHubResult<RepositoryCommit> {
        self.read("get_single_commit", |st| st.single_commit(repo, sha))
            .await
    }

    async fn get_branch_protection(
        &self,
        repo: &RepoName,
        branch: &str,
    ) -> GitHubResult<Option<BranchProtection>> {
        self.read("get_branch_protection", |st| {
            st.branch_protection(repo, branch)
        })
        .await
    }

    async fn list_issue_events(
        &self,
        repo: &RepoName,
        number: u64,
    ) -> GitHubResult<Vec<ListedIssueEvent>> {
        self.read("list_issue_events", |st| {
            let rec = st.repo(repo)?;
            let issue = rec.issue(number)?;
            Ok(issue
                .label_events
                .iter()
                .map(|e| ListedIssueEvent {
                    id: e.id,
                    event: if e.labeled { "labeled" } else { "unlabeled" }.to_owned(),
                    actor: st.user(&e.actor),
                    // Events show a label by name and color only, as GitHub does.
                    label: Some(Label {
                        name: e.label.clone(),
                        color: rec
                            .label(&e.label)
                            .map(|l| l.color.clone())
                            .unwrap_or_default(),
                        ..Label::default()
                    }),
                    created_at: Some(e.at),
                })
                .collect())
        })
        .await
    }

    /// The simulator's clients act as a GitHub App while the simulator sends webhooks for an
    /// App installation ([`Simulator::set_installation_id`]).
    async fn uses_app_auth(&self) -> bool {
        self.sim.lock().installation_id.is_some()
    }

    async fn create_check_run(&self, repo: &RepoName, run: &CheckRunRequest) -> GitHubResult<u64> {
        let action = Action::CreateCheckRun { run: run.clone() };
        let new = super::NewCheckRun {
            name: run.name.clone(),
            status: run.status.clone(),
            conclusion: run.conclusion.clone(),
            title: run.title.clone(),
            summary: run.summary.clone(),
            details_url: run.details_url.clone(),
        };
        self.write(repo, None, action, none, |st, actor| {
            st.create_check_run(actor, repo, &run.head_sha, &new)
        })
        .await
    }

    async fn list_workflow_runs(
        &self,
        repo: &RepoName,
        filter: &WorkflowRunFilter,
    ) -> GitHubResult<Vec<WorkflowRun>> {
        self.read("list_workflow_runs", |st| {
            st.list_workflow_runs(repo, filter)
        })
        .await
    }

    async fn rerun_failed_workflow_jobs(&self, repo: &RepoName, run_id: u64) -> GitHubResult<()> {
        let action = Action::RerunFailedWorkflowJobs { run_id };
        self.write(repo, None, action, none, |st, actor| {
            st.rerun_failed_workflow_jobs(actor, repo, run_id)
        })
        .await
    }

    async fn approve_workflow_run(&self, repo: &RepoName, run_id: u64) -> GitHubResult<()> {
        let action = Action::ApproveWorkflowRun { run_id };
        self.write(repo, None, action, none, |st, actor| {
            st.approve_workflow_run(actor, repo, run_id)
        })
        .await
    }
}

/// Implements [`GitHubClient`] for [`Simulator`] by handing every call to its bot client.
macro_rules! delegate_to_bot {
    ($( fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty; )*) => {
        /// The simulator as the bot's GitHub client: every call acts as the bot, through the
        /// fault knobs and into the call log, exactly as [`Simulator::bot_client`] does.
        #[async_trait]
        impl GitHubClient for Simulator {
            $(
                async fn $name(&self $(, $arg: $ty)*) -> $ret {
                    self.bot_client().$name($($arg),*).await
                }
            )*
        }
    };
}

delegate_to_bot! {
    fn bot_user(&self) -> GitHubResult<User>;
    fn get_issue(&self, repo: &RepoName, number: u64) -> GitHubResult<Issue>;
    fn create_issue(&self, repo: &RepoName, title: &str, body: &str, labels: &[String], assignees: &[String]) -> GitHubResult<u64>;
    fn close_issue(&self, repo: &RepoName, number: u64, not_planned: bool) -> GitHubResult<()>;
    fn reopen_issue(&self, repo: &RepoName, number: u64) -> GitHubResult<()>;
    fn close_pull_request(&self, repo: &RepoName, number: u64) -> GitHubResult<()>;
    fn reopen_pull_request(&self, repo: &RepoName, number: u64) -> GitHubResult<()>;
    fn edit_title(&self, repo: &RepoName, number: u64, title: &str) -> GitHubResult<()>;
    fn list_issue_comments(&self, repo: &RepoName, number: u64) -> GitHubResult<Vec<IssueComment>>;
    fn create_comment(&self, repo: &RepoName, number: u64, body: &str) -> GitHubResult<u64>;
    fn edit_comment(&self, repo: &RepoName, comment_id: u64, body: &str) -> GitHubResult<()>;
    fn delete_comment(&self, repo: &RepoName, comment_id: u64) -> GitHubResult<()>;
    fn create_comment_reaction(&self, repo: &RepoName, comment_id: u64, reaction: &str) -> GitHubResult<()>;
    fn create_issue_reaction(&self, repo: &RepoName, number: u64, reaction: &str) -> GitHubResult<()>;
    fn get_repo_labels(&self, repo: &RepoName) -> GitHubResult<Vec<Label>>;
    fn get_issue_labels(&self, repo: &RepoName, number: u64) -> GitHubResult<Vec<Label>>;
    fn add_label(&self, repo: &RepoName, number: u64, label: &str) -> GitHubResult<()>;
    fn remove_label(&self, repo: &RepoName, number: u64, label: &str) -> GitHubResult<()>;
    fn assign_issue(&self, repo: &RepoName, number: u64, logins: &[String]) -> GitHubResult<()>;
    fn unassign_issue(&self, repo: &RepoName, number: u64, logins: &[String]) -> GitHubResult<()>;
    fn request_review(&self, repo: &RepoName, number: u64, logins: &[String]) -> GitHubResult<()>;
    fn unrequest_review(&self, repo: &RepoName, number: u64, logins: &[String]) -> GitHubResult<()>;
    fn get_pull_request(&self, repo: &RepoName, number: u64) -> GitHubResult<PullRequest>;
    fn get_pull_request_changes(&self, repo: &RepoName, number: u64) -> GitHubResult<Vec<PullRequestChange>>;
    fn list_reviews(&self, repo: &RepoName, number: u64) -> GitHubResult<Vec<Review>>;
    fn merge(&self, repo: &RepoName, number: u64, details: &MergeDetails) -> GitHubResult<()>;
    fn create_status(&self, repo: &RepoName, sha: &str, status: &Status) -> GitHubResult<()>;
    fn get_combined_status(&self, repo: &RepoName, reference: &str) -> GitHubResult<CombinedStatus>;
    fn list_check_runs(&self, repo: &RepoName, reference: &str) -> GitHubResult<Vec<CheckRun>>;
    fn get_ref(&self, repo: &RepoName, reference: &str) -> GitHubResult<String>;
    fn delete_ref(&self, repo: &RepoName, reference: &str) -> GitHubResult<()>;
    fn get_file(&self, repo: &RepoName, path: &str, commitish: Option<&str>) -> GitHubResult<Vec<u8>>;
    fn is_collaborator(&self, repo: &RepoName, login: &str) -> GitHubResult<bool>;
    fn get_user_permission(&self, repo: &RepoName, login: &str) -> GitHubResult<Permission>;
    fn is_member(&self, org: &str, login: &str) -> GitHubResult<bool>;
    fn list_teams(&self, org: &str) -> GitHubResult<Vec<Team>>;
    fn list_team_members(&self, org: &str, team_slug: &str, role: TeamRole) -> GitHubResult<Vec<User>>;
    fn list_milestones(&self, repo: &RepoName) -> GitHubResult<Vec<Milestone>>;
    fn set_milestone(&self, repo: &RepoName, number: u64, milestone: u64) -> GitHubResult<()>;
    fn clear_milestone(&self, repo: &RepoName, number: u64) -> GitHubResult<()>;
    fn find_issues(&self, query: &str) -> GitHubResult<Vec<Issue>>;
    fn graphql(&self, query: &str, variables: serde_json::Value) -> GitHubResult<serde_json::Value>;
    fn list_pull_request_comments(&self, repo: &RepoName, number: u64) -> GitHubResult<Vec<ReviewComment>>;
    fn list_issue_events(&self, repo: &RepoName, number: u64) -> GitHubResult<Vec<ListedIssueEvent>>;
    fn get_single_commit(&self, repo: &RepoName, sha: &str) -> GitHubResult<RepositoryCommit>;
    fn get_branch_protection(&self, repo: &RepoName, branch: &str) -> GitHubResult<Option<BranchProtection>>;
    fn uses_app_auth(&self) -> bool;
    fn create_check_run(&self, repo: &RepoName, run: &CheckRunRequest) -> GitHubResult<u64>;
    fn list_workflow_runs(&self, repo: &RepoName, filter: &WorkflowRunFilter) -> GitHubResult<Vec<WorkflowRun>>;
    fn rerun_failed_workflow_jobs(&self, repo: &RepoName, run_id: u64) -> GitHubResult<()>;
    fn approve_workflow_run(&self, repo: &RepoName, run_id: u64) -> GitHubResult<()>;
}
