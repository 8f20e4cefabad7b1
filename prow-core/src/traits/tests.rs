//! Each extension point wrapped in stock tower layers.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use tower::{Service, ServiceBuilder, ServiceExt};

use super::*;
use crate::config::Config;
use crate::config::plugins::PluginsConfig;
use crate::event::{
    CheckRun, Event, GenericCommentEvent, Issue, IssueComment, Label, Milestone, PullRequest,
    Review, Team, User,
};
use crate::github::*;
use crate::prowjob::{ProwJob, ProwJobState};

fn unsupported<T>(what: &str) -> GitHubResult<T> {
    Err(GitHubError::Transport(format!(
        "{what} is not used in these tests"
    )))
}

/// A GitHub that only records comments.
#[derive(Default)]
struct CommentRecorder {
    comments: Mutex<Vec<(RepoName, u64, String)>>,
}

#[async_trait]
impl GitHubClient for CommentRecorder {
    async fn bot_user(&self) -> GitHubResult<User> {
        unsupported("bot_user")
    }
    async fn get_issue(&self, _repo: &RepoName, _number: u64) -> GitHubResult<Issue> {
        unsupported("get_issue")
    }
    async fn create_issue(
        &self,
        _repo: &RepoName,
        _title: &str,
        _body: &str,
        _labels: &[String],
        _assignees: &[String],
    ) -> GitHubResult<u64> {
        unsupported("create_issue")
    }
    async fn close_issue(
        &self,
        _repo: &RepoName,
        _number: u64,
        _not_planned: bool,
    ) -> GitHubResult<()> {
        unsupported("close_issue")
    }
    async fn reopen_issue(&self, _repo: &RepoName, _number: u64) -> GitHubResult<()> {
        unsupported("reopen_issue")
    }
    async fn close_pull_request(&self, _repo: &RepoName, _number: u64) -> GitHubResult<()> {
        unsupported("close_pull_request")
    }
    async fn reopen_pull_request(&self, _repo: &RepoName, _number: u64) -> GitHubResult<()> {
        unsupported("reopen_pull_request")
    }
    async fn edit_title(&self, _repo: &RepoName, _number: u64, _title: &str) -> GitHubResult<()> {
        unsupported("edit_title")
    }
    async fn list_issue_comments(
        &self,
        _repo: &RepoName,
        _number: u64,
    ) -> GitHubResult<Vec<IssueComment>> {
        unsupported("list_issue_comments")
    }
    async fn create_comment(&self, repo: &RepoName, number: u64, body: &str) -> GitHubResult<u64> {
        let mut comments = self.comments.lock().unwrap();
        comments.push((repo.clone(), number, body.to_string()));
        Ok(comments.len() as u64)
    }
    async fn edit_comment(
        &self,
        _repo: &RepoName,
        _comment_id: u64,
        _body: &str,
    ) -> GitHubResult<()> {
        unsupported("edit_comment")
    }
    async fn delete_comment(&self, _repo: &RepoName, _comment_id: u64) -> GitHubResult<()> {
        unsupported("delete_comment")
    }
    async fn create_comment_reaction(
        &self,
        _repo: &RepoName,
        _comment_id: u64,
        _reaction: &str,
    ) -> GitHubResult<()> {
        unsupported("create_comment_reaction")
    }
    async fn create_issue_reaction(
        &self,
        _repo: &RepoName,
        _number: u64,
        _reaction: &str,
    ) -> GitHubResult<()> {
        unsupported("create_issue_reaction")
    }
    async fn get_repo_labels(&self, _repo: &RepoName) -> GitHubResult<Vec<Label>> {
        unsupported("get_repo_labels")
    }
    async fn get_issue_labels(&self, _repo: &RepoName, _number: u64) -> GitHubResult<Vec<Label>> {
        unsupported("get_issue_labels")
    }
    async fn add_label(&self, _repo: &RepoName, _number: u64, _label: &str) -> GitHubResult<()> {
        unsupported("add_label")
    }
    async fn remove_label(&self, _repo: &RepoName, _number: u64, _label: &str) -> GitHubResult<()> {
        unsupported("remove_label")
    }
    async fn assign_issue(
        &self,
        _repo: &RepoName,
        _number: u64,
        _logins: &[String],
    ) -> GitHubResult<()> {
        unsupported("assign_issue")
    }
    async fn unassign_issue(
        &self,
        _repo: &RepoName,
        _number: u64,
        _logins: &[String],
    ) -> GitHubResult<()> {
        unsupported("unassign_issue")
    }
    async fn request_review(
        &self,
        _repo: &RepoName,
        _number: u64,
        _logins: &[String],
    ) -> GitHubResult<()> {
        unsupported("request_review")
    }
    async fn unrequest_review(
        &self,
        _repo: &RepoName,
        _number: u64,
        _logins: &[String],
    ) -> GitHubResult<()> {
        unsupported("unrequest_review")
    }
    async fn get_pull_request(&self, _repo: &RepoName, _number: u64) -> GitHubResult<PullRequest> {
        unsupported("get_pull_request")
    }
    async fn get_pull_request_changes(
        &self,
        _repo: &RepoName,
        _number: u64,
    ) -> GitHubResult<Vec<PullRequestChange>> {
        unsupported("get_pull_request_changes")
    }
    async fn list_reviews(&self, _repo: &RepoName, _number: u64) -> GitHubResult<Vec<Review>> {
        unsupported("list_reviews")
    }
    async fn merge(
        &self,
        _repo: &RepoName,
        _number: u64,
        _details: &MergeDetails,
    ) -> GitHubResult<()> {
        unsupported("merge")
    }
    async fn create_status(
        &self,
        _repo: &RepoName,
        _sha: &str,
        _status: &Status,
    ) -> GitHubResult<()> {
        unsupported("create_status")
    }
    async fn get_combined_status(
        &self,
        _repo: &RepoName,
        _reference: &str,
    ) -> GitHubResult<CombinedStatus> {
        unsupported("get_combined_status")
    }
    async fn list_check_runs(
        &self,
        _repo: &RepoName,
        _reference: &str,
    ) -> GitHubResult<Vec<CheckRun>> {
        unsupported("list_check_runs")
    }
    async fn get_ref(&self, _repo: &RepoName, _reference: &str) -> GitHubResult<String> {
        unsupported("get_ref")
    }
    async fn delete_ref(&self, _repo: &RepoName, _reference: &str) -> GitHubResult<()> {
        unsupported("delete_ref")
    }
    async fn get_file(
        &self,
        _repo: &RepoName,
        _path: &str,
        _commitish: Option<&str>,
    ) -> GitHubResult<Vec<u8>> {
        unsupported("get_file")
    }
    async fn is_collaborator(&self, _repo: &RepoName, _login: &str) -> GitHubResult<bool> {
        unsupported("is_collaborator")
    }
    async fn get_user_permission(
        &self,
        _repo: &RepoName,
        _login: &str,
    ) -> GitHubResult<Permission> {
        unsupported("get_user_permission")
    }
    async fn is_member(&self, _org: &str, _login: &str) -> GitHubResult<bool> {
        unsupported("is_member")
    }
    async fn list_teams(&self, _org: &str) -> GitHubResult<Vec<Team>> {
        unsupported("list_teams")
    }
    async fn list_team_members(
        &self,
        _org: &str,
        _team_slug: &str,
        _role: TeamRole,
    ) -> GitHubResult<Vec<User>> {
        unsupported("list_team_members")
    }
    async fn list_milestones(&self, _repo: &RepoName) -> GitHubResult<Vec<Milestone>> {
        unsupported("list_milestones")
    }
    async fn set_milestone(
        &self,
        _repo: &RepoName,
        _number: u64,
        _milestone: u64,
    ) -> GitHubResult<()> {
        unsupported("set_milestone")
    }
    async fn clear_milestone(&self, _repo: &RepoName, _number: u64) -> GitHubResult<()> {
        unsupported("clear_milestone")
    }
    async fn find_issues(&self, _query: &str) -> GitHubResult<Vec<Issue>> {
        unsupported("find_issues")
    }
    async fn graphql(
        &self,
        _query: &str,
        _variables: serde_json::Value,
    ) -> GitHubResult<serde_json::Value> {
        unsupported("graphql")
    }
    async fn list_pull_request_comments(
        &self,
        _repo: &RepoName,
        _number: u64,
    ) -> GitHubResult<Vec<crate::event::ReviewComment>> {
        unsupported("list_pull_request_comments")
    }
    async fn list_issue_events(
        &self,
        _repo: &RepoName,
        _number: u64,
    ) -> GitHubResult<Vec<ListedIssueEvent>> {
        unsupported("list_issue_events")
    }
    async fn get_single_commit(
        &self,
        _repo: &RepoName,
        _sha: &str,
    ) -> GitHubResult<crate::github::RepositoryCommit> {
        unsupported("get_single_commit")
    }
    async fn get_branch_protection(
        &self,
        _repo: &RepoName,
        _branch: &str,
    ) -> GitHubResult<Option<crate::github::BranchProtection>> {
        unsupported("get_branch_protection")
    }
    async fn uses_app_auth(&self) -> bool {
        false
    }
    async fn create_check_run(
        &self,
        _repo: &RepoName,
        _run: &crate::github::CheckRunRequest,
    ) -> GitHubResult<u64> {
        unsupported("create_check_run")
    }
    async fn list_workflow_runs(
        &self,
        _repo: &RepoName,
        _filter: &WorkflowRunFilter,
    ) -> GitHubResult<Vec<WorkflowRun>> {
        unsupported("list_workflow_runs")
    }
    async fn rerun_failed_workflow_jobs(&self, _repo: &RepoName, _run_id: u64) -> GitHubResult<()> {
        unsupported("rerun_failed_workflow_jobs")
    }
    async fn approve_workflow_run(&self, _repo: &RepoName, _run_id: u64) -> GitHubResult<()> {
        unsupported("approve_workflow_run")
    }
}

/// An in-memory job store, enough for these tests.
#[derive(Default)]
struct MemoryStore {
    jobs: Mutex<BTreeMap<String, ProwJob>>,
}

struct NoChanges;

#[async_trait]
impl JobWatch for NoChanges {
    async fn next(&mut self) -> Option<WatchEvent> {
        None
    }
}

#[async_trait]
impl JobStore for MemoryStore {
    async fn create(&self, job: ProwJob) -> Result<ProwJob, StoreError> {
        let name = job.metadata.name.clone();
        let mut jobs = self.jobs.lock().unwrap();
        if jobs.contains_key(&name) {
            return Err(StoreError::AlreadyExists(name));
        }
        jobs.insert(name, job.clone());
        Ok(job)
    }
    async fn get(&self, name: &str) -> Result<ProwJob, StoreError> {
        self.jobs
            .lock()
            .unwrap()
            .get(name)
            .cloned()
            .ok_or_else(|| StoreError::NotFound(name.into()))
    }
    async fn list(&self, selector: &JobSelector) -> Result<Vec<ProwJob>, StoreError> {
        Ok(self
            .jobs
            .lock()
            .unwrap()
            .values()
            .filter(|j| selector.matches(j))
            .cloned()
            .collect())
    }
    async fn update(&self, job: ProwJob) -> Result<ProwJob, StoreError> {
        self.jobs
            .lock()
            .unwrap()
            .insert(job.metadata.name.clone(), job.clone());
        Ok(job)
    }
    async fn delete(&self, name: &str) -> Result<(), StoreError> {
        self.jobs
            .lock()
            .unwrap()
            .remove(name)
            .map(|_| ())
            .ok_or_else(|| StoreError::NotFound(name.into()))
    }
    async fn watch(&self) -> Result<Box<dyn JobWatch>, StoreError> {
        Ok(Box::new(NoChanges))
    }
}

/// Replies with the comment in capitals, after an optional delay.
struct Shout {
    delay: Duration,
}

#[async_trait]
impl Plugin for Shout {
    fn name(&self) -> &str {
        "shout"
    }
    fn events(&self) -> &[EventKind] {
        &[EventKind::GenericComment]
    }
    fn help(&self) -> PluginHelp {
        PluginHelp {
            description: "Replies in capitals.".into(),
            ..Default::default()
        }
    }
    async fn handle(&self, ctx: &PluginContext, event: &PluginEvent) -> Result<(), PluginError> {
        tokio::time::sleep(self.delay).await;
        let comment = event
            .comment
            .as_ref()
            .ok_or_else(|| PluginError::User("no comment".into()))?;
        let repo = RepoName::new(comment.repo.org(), &comment.repo.name);
        ctx.github
            .create_comment(&repo, comment.number, &comment.body.to_uppercase())
            .await?;
        Ok(())
    }
}

const COMMENT_PAYLOAD: &str =
    include_str!("../../tests/fixtures/events/issue_comment.created.json");

fn comment_request(github: Arc<CommentRecorder>) -> PluginRequest {
    let event = Event::parse("issue_comment", COMMENT_PAYLOAD.as_bytes()).unwrap();
    let comment =
        GenericCommentEvent::from_event(&event).expect("a created comment is a generic comment");
    PluginRequest {
        context: PluginContext {
            github,
            jobs: Arc::new(MemoryStore::default()),
            config: Arc::new(Config::default()),
            plugins: Arc::new(PluginsConfig::default()),
        },
        event: PluginEvent {
            delivery: "d-1".into(),
            kind: EventKind::GenericComment,
            event: Arc::new(event),
            comment: Some(Arc::new(comment)),
        },
    }
}

#[tokio::test]
async fn plugin_runs_as_a_service_under_timeout_and_concurrency_limit() {
    let github = Arc::new(CommentRecorder::default());
    let service = ServiceBuilder::new()
        .timeout(Duration::from_secs(5))
        .concurrency_limit(1)
        .service(PluginService::new(Arc::new(Shout {
            delay: Duration::ZERO,
        })));
    let request = comment_request(Arc::clone(&github));
    let body = request.event.comment.as_ref().unwrap().body.to_uppercase();
    service.oneshot(request).await.unwrap();
    let comments = github.comments.lock().unwrap();
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0].2, body);
}

#[tokio::test(start_paused = true)]
async fn a_slow_plugin_is_cut_off_by_a_timeout_layer() {
    let github = Arc::new(CommentRecorder::default());
    let service = ServiceBuilder::new()
        .timeout(Duration::from_millis(50))
        .service(PluginService::new(Arc::new(Shout {
            delay: Duration::from_secs(60),
        })));
    let error = service
        .oneshot(comment_request(Arc::clone(&github)))
        .await
        .unwrap_err();
    assert!(error.is::<tower::timeout::error::Elapsed>(), "{error}");
    assert!(github.comments.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_user_error_stays_a_user_error_through_the_service() {
    let github = Arc::new(CommentRecorder::default());
    let mut request = comment_request(github);
    request.event.comment = None;
    let mut service = PluginService::new(Arc::new(Shout {
        delay: Duration::ZERO,
    }));
    let error = service
        .ready()
        .await
        .unwrap()
        .call(request)
        .await
        .unwrap_err();
    assert!(matches!(error, PluginError::User(ref text) if text == "no comment"));
}

struct FakeExecutor {
    started: Mutex<Vec<String>>,
}

#[async_trait]
impl JobExecutor for FakeExecutor {
    async fn start(&self, job: &ProwJob) -> Result<Execution, ExecutorError> {
        self.started.lock().unwrap().push(job.metadata.name.clone());
        Ok(Execution {
            state: ExecutionState::Running,
            started: None,
            description: String::new(),
            name: format!("pod-{}", job.metadata.name),
        })
    }
    async fn status(&self, job: &ProwJob) -> Result<Execution, ExecutorError> {
        Err(ExecutorError::NotFound(job.metadata.name.clone()))
    }
    async fn abort(&self, _job: &ProwJob) -> Result<(), ExecutorError> {
        Ok(())
    }
    async fn logs(&self, _job: &ProwJob) -> Result<String, ExecutorError> {
        Ok("hello\n".into())
    }
}

fn job(name: &str, state: ProwJobState) -> ProwJob {
    let mut job = ProwJob::default();
    job.metadata.name = name.into();
    job.spec.job = name.into();
    job.status.state = Some(state);
    job
}

#[tokio::test]
async fn executor_runs_as_a_service_under_a_concurrency_limit() {
    let executor = Arc::new(FakeExecutor {
        started: Mutex::new(Vec::new()),
    });
    let mut service = ServiceBuilder::new()
        .concurrency_limit(2)
        .service(ExecutorService::new(Arc::clone(&executor)));
    let started = service
        .ready()
        .await
        .unwrap()
        .call(ExecutorRequest::Start(job("a", ProwJobState::Triggered)))
        .await
        .unwrap();
    assert_eq!(
        started,
        ExecutorResponse::Execution(Execution {
            state: ExecutionState::Running,
            started: None,
            description: String::new(),
            name: "pod-a".into()
        })
    );
    let logs = service
        .ready()
        .await
        .unwrap()
        .call(ExecutorRequest::Logs(job("a", ProwJobState::Pending)))
        .await
        .unwrap();
    assert_eq!(logs, ExecutorResponse::Logs("hello\n".into()));
    let missing = service
        .ready()
        .await
        .unwrap()
        .call(ExecutorRequest::Status(job("b", ProwJobState::Pending)))
        .await;
    assert!(matches!(missing, Err(ExecutorError::NotFound(name)) if name == "b"));
    assert_eq!(*executor.started.lock().unwrap(), ["a"]);
}

struct OnlyFailures {
    reported: Mutex<Vec<String>>,
}

#[async_trait]
impl Reporter for OnlyFailures {
    fn name(&self) -> &str {
        "failures"
    }
    fn should_report(&self, job: &ProwJob) -> bool {
        job.status.state == Some(ProwJobState::Failure)
    }
    async fn report(&self, job: &ProwJob) -> Result<ReportOutcome, ReporterError> {
        self.reported
            .lock()
            .unwrap()
            .push(job.metadata.name.clone());
        Ok(ReportOutcome::Reported)
    }
}

#[tokio::test]
async fn reporter_runs_as_a_service_and_skips_what_it_should_not_report() {
    let reporter = Arc::new(OnlyFailures {
        reported: Mutex::new(Vec::new()),
    });
    let mut service = ServiceBuilder::new()
        .timeout(Duration::from_secs(5))
        .service(ReporterService::new(Arc::clone(&reporter)));
    let passed = service
        .ready()
        .await
        .unwrap()
        .call(job("ok", ProwJobState::Success))
        .await
        .unwrap();
    let failed = service
        .ready()
        .await
        .unwrap()
        .call(job("bad", ProwJobState::Failure))
        .await
        .unwrap();
    assert_eq!(passed, ReportOutcome::Skipped);
    assert_eq!(failed, ReportOutcome::Reported);
    assert_eq!(*reporter.reported.lock().unwrap(), ["bad"]);
}

struct Replay {
    deliveries: Vec<Delivery>,
}

#[async_trait]
impl EventSource for Replay {
    async fn next(&mut self) -> Option<Delivery> {
        if self.deliveries.is_empty() {
            None
        } else {
            Some(self.deliveries.remove(0))
        }
    }
}

#[tokio::test]
async fn event_source_delivers_into_a_layered_service() {
    let event = Arc::new(Event::parse("issue_comment", COMMENT_PAYLOAD.as_bytes()).unwrap());
    let deliveries = (0..3)
        .map(|i| Delivery {
            id: format!("d-{i}"),
            event_type: "issue_comment".into(),
            payload: Arc::from(COMMENT_PAYLOAD.as_bytes()),
            event: Arc::clone(&event),
            received_at: chrono::Utc::now(),
            headers: Vec::new(),
        })
        .collect();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = {
        let seen = Arc::clone(&seen);
        ServiceBuilder::new()
            .concurrency_limit(1)
            .service(tower::service_fn(move |d: Delivery| {
                let seen = Arc::clone(&seen);
                async move {
                    seen.lock().unwrap().push(d.id);
                    Ok::<_, std::convert::Infallible>(())
                }
            }))
    };
    let handed = run_event_source(Replay { deliveries }, sink).await.unwrap();
    assert_eq!(handed, 3);
    assert_eq!(*seen.lock().unwrap(), ["d-0", "d-1", "d-2"]);
}

#[tokio::test]
async fn job_selector_filters_a_store() {
    let store = MemoryStore::default();
    let mut labelled = job("a", ProwJobState::Pending);
    labelled
        .metadata
        .labels
        .insert("prow.k8s.io/type".into(), "presubmit".into());
    store.create(labelled).await.unwrap();
    store.create(job("b", ProwJobState::Success)).await.unwrap();
    assert!(matches!(
        store.create(job("b", ProwJobState::Success)).await,
        Err(StoreError::AlreadyExists(_))
    ));
    let by_label = JobSelector {
        labels: [("prow.k8s.io/type".to_string(), "presubmit".to_string())].into(),
        ..Default::default()
    };
    let names = |jobs: Vec<ProwJob>| {
        jobs.into_iter()
            .map(|j| j.metadata.name)
            .collect::<Vec<_>>()
    };
    assert_eq!(names(store.list(&by_label).await.unwrap()), ["a"]);
    let by_state = JobSelector {
        state: Some(ProwJobState::Success),
        ..Default::default()
    };
    assert_eq!(names(store.list(&by_state).await.unwrap()), ["b"]);
    assert_eq!(
        names(store.list(&JobSelector::default()).await.unwrap()),
        ["a", "b"]
    );
}

#[test]
fn event_kinds_of_webhook_events() {
    let event = Event::parse("issue_comment", COMMENT_PAYLOAD.as_bytes()).unwrap();
    assert_eq!(EventKind::of(&event), Some(EventKind::IssueComment));
    let other = Event::parse("workflow_job", b"{}").unwrap();
    assert_eq!(EventKind::of(&other), None);
    assert_eq!(EventKind::PullRequest.help_name(), "pull_request");
}

#[test]
fn plugin_help_serializes_with_upstreams_names() {
    let help = PluginHelp {
        description: "d".into(),
        commands: vec![CommandHelp {
            usage: "/hold".into(),
            featured: true,
            ..Default::default()
        }],
        ..Default::default()
    };
    let json = serde_json::to_value(&help).unwrap();
    assert_eq!(json["Description"], "d");
    assert_eq!(json["Commands"][0]["Usage"], "/hold");
    assert_eq!(json["Commands"][0]["WhoCanUse"], "");
    // Keep the imports used in every configuration of this file.
    let _ = (std::any::type_name::<(
        CheckRun,
        Issue,
        IssueComment,
        Label,
        Milestone,
        PullRequest,
        Review,
        Team,
        User,
    )>(),);
}
