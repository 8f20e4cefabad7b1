//! The REST routes: each reads its path, query and body as GitHub's API does, makes the
//! matching [`GitHubClient`] call on a [`SimClient`](super::super::SimClient) acting as the
//! caller (so the fault knobs and the call log see it as the in-memory face's), and renders
//! the answer in GitHub's shape.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::http::header::{HeaderValue, LOCATION};
use axum::response::Response;
use axum::routing::{get, post, put};
use prow_core::github::{
    CheckRunRequest, GitHubClient, GitHubError, MergeDetails, MergeMethod, RepoName, Status,
    TeamRole, WorkflowRunFilter,
};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value, json};

use super::super::state::login_key;
use super::Face;
use super::render;
use super::reply::{
    Ctx, empty, envelope, github_error, json_reply, not_found, parse_body, validation_failed,
};

/// The router of every route, with the envelope middleware around them.
pub(crate) fn router(face: Arc<Face>) -> Router {
    let repos = "/repos/{owner}/{repo}";
    let r = |path: &str| format!("{repos}{path}");
    Router::new()
        .route("/user", get(get_user))
        .route("/graphql", post(graphql))
        .route("/search/issues", get(search_issues))
        .route("/orgs/{org}/members/{user}", get(org_member))
        .route("/orgs/{org}/teams", get(list_teams))
        .route("/orgs/{org}/teams/{slug}/members", get(team_members))
        .route(&r("/labels"), get(repo_labels))
        .route(&r("/milestones"), get(milestones))
        .route(&r("/issues"), post(create_issue))
        // GitHub takes POST wherever it takes PATCH (for clients that cannot send PATCH).
        .route(
            &r("/issues/{number}"),
            get(get_issue).patch(patch_issue).post(patch_issue),
        )
        .route(
            &r("/issues/{number}/comments"),
            get(list_comments).post(create_comment),
        )
        .route(
            &r("/issues/comments/{id}"),
            axum::routing::patch(edit_comment)
                .post(edit_comment)
                .delete(delete_comment),
        )
        .route(
            &r("/issues/comments/{id}/reactions"),
            post(comment_reaction),
        )
        .route(&r("/issues/{number}/reactions"), post(issue_reaction))
        .route(
            &r("/issues/{number}/labels"),
            get(issue_labels).post(add_labels),
        )
        .route(
            &r("/issues/{number}/labels/{*name}"),
            axum::routing::delete(remove_label),
        )
        .route(
            &r("/issues/{number}/assignees"),
            post(assign).delete(unassign),
        )
        .route(
            &r("/pulls/{number}/requested_reviewers"),
            post(request_review).delete(unrequest_review),
        )
        .route(
            &r("/pulls/{number}"),
            get(get_pull).patch(patch_pull).post(patch_pull),
        )
        .route(&r("/pulls/{number}/files"), get(pull_files))
        .route(&r("/pulls/{number}/reviews"), get(pull_reviews))
        .route(&r("/pulls/{number}/comments"), get(pull_review_comments))
        .route(&r("/issues/{number}/events"), get(issue_events))
        .route(&r("/pulls/{number}/merge"), put(merge))
        .route(&r("/statuses/{sha}"), post(create_status))
        .route(&r("/commits/{*rest}"), get(commit_reads))
        .route(&r("/check-runs"), post(create_check_run))
        .route(&r("/branches/{branch}/protection"), get(branch_protection))
        .route(&r("/actions/runs"), get(workflow_runs))
        .route(
            &r("/actions/runs/{id}/rerun-failed-jobs"),
            post(rerun_failed_workflow_jobs),
        )
        .route(&r("/actions/runs/{id}/approve"), post(approve_workflow_run))
        .route(&r("/git/ref/{*reference}"), get(get_ref))
        .route(
            &r("/git/refs/{*reference}"),
            get(get_refs).delete(delete_ref),
        )
        .route(&r("/contents"), get(root_contents))
        .route(&r("/contents/"), get(root_contents))
        .route(&r("/contents/{*path}"), get(contents))
        .route(&r("/collaborators/{user}"), get(is_collaborator))
        .route(&r("/collaborators/{user}/permission"), get(permission))
        .fallback(unknown)
        .method_not_allowed_fallback(unknown)
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&face),
            envelope,
        ))
        .with_state(face)
}

/// Anything else: GitHub's 404.
async fn unknown() -> Response {
    not_found()
}

/// A path's number, or `None` (GitHub answers 404 for `/issues/abc`).
fn number(text: &str) -> Option<u64> {
    text.parse().ok()
}

/// Reads `Some(value)` for a present field, so that `Option<Option<T>>` tells an explicit
/// `null` (`Some(None)`) from a missing field (`None`).
fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// A label given by name or as `{"name": ...}`.
#[derive(Deserialize)]
#[serde(untagged)]
enum LabelArg {
    Name(String),
    Object { name: String },
}

impl LabelArg {
    fn name(self) -> String {
        match self {
            LabelArg::Name(name) | LabelArg::Object { name } => name,
        }
    }
}

/// 422 for fields the simulator does not change through this route.
fn unsupported(resource: &str, extra: &Map<String, Value>) -> Option<Response> {
    if extra.is_empty() {
        return None;
    }
    let names: Vec<&str> = extra.keys().map(String::as_str).collect();
    Some(validation_failed(
        resource,
        &format!(
            "{}: the simulator does not change this through this route",
            names.join(", ")
        ),
    ))
}

async fn get_user(ctx: Ctx) -> Response {
    // The client face answers the bot; the route answers the caller, as GitHub's does.
    match ctx.client.bot_user().await {
        Ok(_) => {
            let st = ctx.sim().lock();
            json_reply(StatusCode::OK, &render::private_user(&st, &ctx.actor))
        }
        Err(err) => ctx.error(&err, "User"),
    }
}

async fn get_issue(ctx: Ctx, Path((o, r, n)): Path<(String, String, String)>) -> Response {
    let (repo, Some(number)) = (RepoName::new(o, r), number(&n)) else {
        return not_found();
    };
    match ctx.client.get_issue(&repo, number).await {
        Ok(issue) => {
            let st = ctx.sim().lock();
            json_reply(StatusCode::OK, &render::issue(&st, &repo, &issue))
        }
        Err(err) => ctx.error(&err, "Issue"),
    }
}

/// `POST /repos/{o}/{r}/issues`.
#[derive(Deserialize)]
struct NewIssue {
    title: Option<Value>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    labels: Vec<LabelArg>,
    #[serde(default)]
    assignees: Vec<String>,
    #[serde(default)]
    assignee: Option<String>,
    #[serde(default)]
    milestone: Option<u64>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

async fn create_issue(ctx: Ctx, Path((o, r)): Path<(String, String)>, body: Bytes) -> Response {
    let repo = RepoName::new(o, r);
    let new: NewIssue = match parse_body(&body) {
        Ok(new) => new,
        Err(reply) => return *reply,
    };
    if let Some(reply) = unsupported("Issue", &new.extra) {
        return reply;
    }
    let title = match new.title {
        Some(Value::String(title)) => title,
        Some(Value::Number(n)) => n.to_string(),
        _ => return validation_failed("Issue", "title: missing_field"),
    };
    if let Some(milestone) = new.milestone
        && ctx
            .sim()
            .milestones(&repo)
            .is_ok_and(|all| !all.iter().any(|m| m.number == milestone))
    {
        // GitHub checks the milestone before it opens the issue.
        return validation_failed(
            "Issue",
            &format!("milestone: {milestone} is not a milestone of {repo}"),
        );
    }
    let labels: Vec<String> = new.labels.into_iter().map(LabelArg::name).collect();
    let mut assignees = new.assignees;
    assignees.extend(new.assignee);
    let created = ctx
        .client
        .create_issue(
            &repo,
            &title,
            new.body.as_deref().unwrap_or_default(),
            &labels,
            &assignees,
        )
        .await;
    let number = match created {
        Ok(number) => number,
        Err(err) => return ctx.error(&err, "Issue"),
    };
    if let Some(milestone) = new.milestone
        && let Err(err) = ctx.client.set_milestone(&repo, number, milestone).await
    {
        return ctx.error(&err, "Issue");
    }
    let st = ctx.sim().lock();
    let mut reply = json_reply(StatusCode::CREATED, &render::issue_now(&st, &repo, number));
    let location = format!("{}/issues/{number}", render::repo_api(&st, &repo));
    if let Ok(value) = HeaderValue::from_str(&location) {
        reply.headers_mut().insert(LOCATION, value);
    }
    reply
}

/// `PATCH /repos/{o}/{r}/issues/{n}` and `PATCH /repos/{o}/{r}/pulls/{n}`.
#[derive(Deserialize)]
struct Edit {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    state_reason: Option<String>,
    #[serde(default, deserialize_with = "present")]
    milestone: Option<Option<u64>>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

/// Which API an edit came through.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Api {
    Issues,
    Pulls,
}

/// Applies an edit, one client call per change.
async fn apply_edit(ctx: &Ctx, repo: &RepoName, number: u64, edit: Edit, api: Api) -> Response {
    let resource = if api == Api::Issues {
        "Issue"
    } else {
        "PullRequest"
    };
    if let Some(reply) = unsupported(resource, &edit.extra) {
        return reply;
    }
    if api == Api::Pulls && edit.milestone.is_some() {
        return validation_failed(resource, "milestone: set it through the issues API");
    }
    let state_reason = edit.state_reason.as_deref();
    if let Some(reason) = state_reason
        && !["completed", "not_planned", "reopened"].contains(&reason)
    {
        return validation_failed(
            resource,
            &format!("state_reason: {reason:?} is not one of completed, not_planned, reopened"),
        );
    }
    let mut called = false;
    if let Some(title) = &edit.title {
        called = true;
        if let Err(err) = ctx.client.edit_title(repo, number, title).await {
            return ctx.error(&err, resource);
        }
    }
    if let Some(state) = &edit.state {
        called = true;
        let result = match (state.as_str(), api) {
            ("closed", Api::Issues) => {
                ctx.client
                    .close_issue(repo, number, state_reason == Some("not_planned"))
                    .await
            }
            ("open", Api::Issues) => ctx.client.reopen_issue(repo, number).await,
            ("closed", Api::Pulls) => ctx.client.close_pull_request(repo, number).await,
            ("open", Api::Pulls) => ctx.client.reopen_pull_request(repo, number).await,
            (other, _) => {
                return validation_failed(
                    resource,
                    &format!("state: {other:?} is not one of open, closed"),
                );
            }
        };
        if let Err(err) = result {
            return ctx.error(&err, resource);
        }
    }
    if let Some(milestone) = edit.milestone {
        called = true;
        let result = match milestone {
            Some(m) => ctx.client.set_milestone(repo, number, m).await,
            None => ctx.client.clear_milestone(repo, number).await,
        };
        if let Err(err) = result {
            return ctx.error(&err, resource);
        }
    }
    if !called {
        // Nothing to change: GitHub answers with the object, as a read.
        let read = match api {
            Api::Issues => ctx.client.get_issue(repo, number).await.map(|_| ()),
            Api::Pulls => ctx.client.get_pull_request(repo, number).await.map(|_| ()),
        };
        if let Err(err) = read {
            return ctx.error(&err, resource);
        }
    }
    let st = ctx.sim().lock();
    let value = match api {
        Api::Issues => render::issue_now(&st, repo, number),
        Api::Pulls => render::pull(&st, repo, number),
    };
    json_reply(StatusCode::OK, &value)
}

async fn patch_issue(
    ctx: Ctx,
    Path((o, r, n)): Path<(String, String, String)>,
    body: Bytes,
) -> Response {
    let (repo, Some(number)) = (RepoName::new(o, r), number(&n)) else {
        return not_found();
    };
    match parse_body::<Edit>(&body) {
        Ok(edit) => apply_edit(&ctx, &repo, number, edit, Api::Issues).await,
        Err(reply) => *reply,
    }
}

async fn patch_pull(
    ctx: Ctx,
    Path((o, r, n)): Path<(String, String, String)>,
    body: Bytes,
) -> Response {
    let (repo, Some(number)) = (RepoName::new(o, r), number(&n)) else {
        return not_found();
    };
    match parse_body::<Edit>(&body) {
        Ok(edit) => apply_edit(&ctx, &repo, number, edit, Api::Pulls).await,
        Err(reply) => *reply,
    }
}

async fn list_comments(ctx: Ctx, Path((o, r, n)): Path<(String, String, String)>) -> Response {
    let (repo, Some(number)) = (RepoName::new(o, r), number(&n)) else {
        return not_found();
    };
    match ctx.client.list_issue_comments(&repo, number).await {
        Ok(comments) => {
            let items = {
                let st = ctx.sim().lock();
                comments
                    .iter()
                    .map(|c| render::comment(&st, &repo, number, c))
                    .collect()
            };
            ctx.page(items)
        }
        Err(err) => ctx.error(&err, "IssueComment"),
    }
}

/// A comment's body.
#[derive(Deserialize)]
struct CommentBody {
    body: Option<String>,
}

async fn create_comment(
    ctx: Ctx,
    Path((o, r, n)): Path<(String, String, String)>,
    body: Bytes,
) -> Response {
    let (repo, Some(number)) = (RepoName::new(o, r), number(&n)) else {
        return not_found();
    };
    let text = match parse_body::<CommentBody>(&body) {
        Ok(CommentBody { body: Some(text) }) => text,
        Ok(_) => return validation_failed("IssueComment", "body: missing_field"),
        Err(reply) => return *reply,
    };
    match ctx.client.create_comment(&repo, number, &text).await {
        Ok(id) => {
            let st = ctx.sim().lock();
            let mut reply = json_reply(StatusCode::CREATED, &render::comment_now(&st, &repo, id));
            let location = format!("{}/issues/comments/{id}", render::repo_api(&st, &repo));
            if let Ok(value) = HeaderValue::from_str(&location) {
                reply.headers_mut().insert(LOCATION, value);
            }
            reply
        }
        Err(err) => ctx.error(&err, "IssueComment"),
    }
}

async fn edit_comment(
    ctx: Ctx,
    Path((o, r, id)): Path<(String, String, String)>,
    body: Bytes,
) -> Response {
    let (repo, Some(id)) = (RepoName::new(o, r), number(&id)) else {
        return not_found();
    };
    let text = match parse_body::<CommentBody>(&body) {
        Ok(CommentBody { body: Some(text) }) => text,
        Ok(_) => return validation_failed("IssueComment", "body: missing_field"),
        Err(reply) => return *reply,
    };
    match ctx.client.edit_comment(&repo, id, &text).await {
        Ok(()) => {
            let st = ctx.sim().lock();
            json_reply(StatusCode::OK, &render::comment_now(&st, &repo, id))
        }
        Err(err) => ctx.error(&err, "IssueComment"),
    }
}

async fn delete_comment(ctx: Ctx, Path((o, r, id)): Path<(String, String, String)>) -> Response {
    let (repo, Some(id)) = (RepoName::new(o, r), number(&id)) else {
        return not_found();
    };
    match ctx.client.delete_comment(&repo, id).await {
        Ok(()) => empty(StatusCode::NO_CONTENT),
        Err(err) => ctx.error(&err, "IssueComment"),
    }
}

/// A reaction's body.
#[derive(Deserialize)]
struct ReactionBody {
    content: Option<String>,
}

/// Renders the caller's `content` reaction among `reactions` of subject `subject_id`: 201 when
/// it is new (absent from `before`), 200 when it was there already, as GitHub answers.
fn reaction_reply(
    ctx: &Ctx,
    subject_id: u64,
    before: &[(String, String)],
    after: &[(String, String)],
    content: &str,
) -> Response {
    let entry = (login_key(&ctx.actor), content.to_owned());
    let index = after.iter().position(|e| *e == entry).unwrap_or_default();
    let status = if before.contains(&entry) {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let st = ctx.sim().lock();
    json_reply(
        status,
        &render::reaction(&st, subject_id, index, &ctx.actor, content),
    )
}

async fn comment_reaction(
    ctx: Ctx,
    Path((o, r, id)): Path<(String, String, String)>,
    body: Bytes,
) -> Response {
    let (repo, Some(id)) = (RepoName::new(o, r), number(&id)) else {
        return not_found();
    };
    let content = match parse_body::<ReactionBody>(&body) {
        Ok(ReactionBody {
            content: Some(content),
        }) => content,
        Ok(_) => return validation_failed("Reaction", "content: missing_field"),
        Err(reply) => return *reply,
    };
    let before = ctx.sim().reactions(&repo, 0, Some(id)).unwrap_or_default();
    match ctx
        .client
        .create_comment_reaction(&repo, id, &content)
        .await
    {
        Ok(()) => {
            let after = ctx.sim().reactions(&repo, 0, Some(id)).unwrap_or_default();
            reaction_reply(&ctx, id, &before, &after, &content)
        }
        Err(err) => ctx.error(&err, "Reaction"),
    }
}

async fn issue_reaction(
    ctx: Ctx,
    Path((o, r, n)): Path<(String, String, String)>,
    body: Bytes,
) -> Response {
    let (repo, Some(number)) = (RepoName::new(o, r), number(&n)) else {
        return not_found();
    };
    let content = match parse_body::<ReactionBody>(&body) {
        Ok(ReactionBody {
            content: Some(content),
        }) => content,
        Ok(_) => return validation_failed("Reaction", "content: missing_field"),
        Err(reply) => return *reply,
    };
    let before = ctx.sim().reactions(&repo, number, None).unwrap_or_default();
    match ctx
        .client
        .create_issue_reaction(&repo, number, &content)
        .await
    {
        Ok(()) => {
            let after = ctx.sim().reactions(&repo, number, None).unwrap_or_default();
            let subject = ctx
                .sim()
                .issue(&repo, number)
                .map(|i| i.id)
                .unwrap_or_default();
            reaction_reply(&ctx, subject, &before, &after, &content)
        }
        Err(err) => ctx.error(&err, "Reaction"),
    }
}

async fn repo_labels(ctx: Ctx, Path((o, r)): Path<(String, String)>) -> Response {
    let repo = RepoName::new(o, r);
    match ctx.client.get_repo_labels(&repo).await {
        Ok(labels) => ctx.page(labels.iter().map(render::label).collect()),
        Err(err) => ctx.error(&err, "Label"),
    }
}

async fn issue_labels(ctx: Ctx, Path((o, r, n)): Path<(String, String, String)>) -> Response {
    let (repo, Some(number)) = (RepoName::new(o, r), number(&n)) else {
        return not_found();
    };
    match ctx.client.get_issue_labels(&repo, number).await {
        Ok(labels) => ctx.page(labels.iter().map(render::label).collect()),
        Err(err) => ctx.error(&err, "Label"),
    }
}

/// The labels of an issue as a JSON array, read from the state after a change.
fn labels_now(ctx: &Ctx, repo: &RepoName, number: u64) -> Response {
    let labels = ctx.sim().issue_labels(repo, number).unwrap_or_default();
    let items: Vec<Value> = labels.iter().map(render::label).collect();
    json_reply(StatusCode::OK, &Value::Array(items))
}

/// `POST .../labels`: a bare array (as upstream Prow sends) or `{"labels": [...]}`.
#[derive(Deserialize)]
#[serde(untagged)]
enum LabelsBody {
    List(Vec<LabelArg>),
    Object { labels: Vec<LabelArg> },
}

async fn add_labels(
    ctx: Ctx,
    Path((o, r, n)): Path<(String, String, String)>,
    body: Bytes,
) -> Response {
    let (repo, Some(number)) = (RepoName::new(o, r), number(&n)) else {
        return not_found();
    };
    let labels = match parse_body::<LabelsBody>(&body) {
        Ok(LabelsBody::List(labels) | LabelsBody::Object { labels }) => labels,
        Err(reply) => return *reply,
    };
    if labels.is_empty() {
        return match ctx.client.get_issue_labels(&repo, number).await {
            Ok(_) => labels_now(&ctx, &repo, number),
            Err(err) => ctx.error(&err, "Label"),
        };
    }
    for label in labels {
        if let Err(err) = ctx.client.add_label(&repo, number, &label.name()).await {
            return ctx.error(&err, "Label");
        }
    }
    labels_now(&ctx, &repo, number)
}

async fn remove_label(
    ctx: Ctx,
    Path((o, r, n, name)): Path<(String, String, String, String)>,
) -> Response {
    let (repo, Some(number)) = (RepoName::new(o, r), number(&n)) else {
        return not_found();
    };
    match ctx.client.remove_label(&repo, number, &name).await {
        Ok(()) => labels_now(&ctx, &repo, number),
        Err(GitHubError::NotFound(what)) if ctx.sim().issue(&repo, number).is_ok() => {
            // The issue exists, so it is the label that does not: GitHub's own words, which
            // upstream Prow reads to tell this 404 from the others.
            tracing::debug!(what, "simulated 404");
            github_error(StatusCode::NOT_FOUND, "Label does not exist")
        }
        Err(err) => ctx.error(&err, "Label"),
    }
}

/// `POST`/`DELETE .../assignees`.
#[derive(Deserialize)]
struct AssigneesBody {
    #[serde(default)]
    assignees: Vec<String>,
}

async fn assign(
    ctx: Ctx,
    Path((o, r, n)): Path<(String, String, String)>,
    body: Bytes,
) -> Response {
    let (repo, Some(number)) = (RepoName::new(o, r), number(&n)) else {
        return not_found();
    };
    let logins = match parse_body::<AssigneesBody>(&body) {
        Ok(body) => body.assignees,
        Err(reply) => return *reply,
    };
    match ctx.client.assign_issue(&repo, number, &logins).await {
        // GitHub assigns whom it can and answers 201 with the issue: the caller compares.
        Ok(()) | Err(GitHubError::MissingUsers(_)) => {
            let st = ctx.sim().lock();
            json_reply(StatusCode::CREATED, &render::issue_now(&st, &repo, number))
        }
        Err(err) => ctx.error(&err, "Issue"),
    }
}

async fn unassign(
    ctx: Ctx,
    Path((o, r, n)): Path<(String, String, String)>,
    body: Bytes,
) -> Response {
    let (repo, Some(number)) = (RepoName::new(o, r), number(&n)) else {
        return not_found();
    };
    let logins = match parse_body::<AssigneesBody>(&body) {
        Ok(body) => body.assignees,
        Err(reply) => return *reply,
    };
    match ctx.client.unassign_issue(&repo, number, &logins).await {
        Ok(()) => {
            let st = ctx.sim().lock();
            json_reply(StatusCode::OK, &render::issue_now(&st, &repo, number))
        }
        Err(err) => ctx.error(&err, "Issue"),
    }
}

/// `POST`/`DELETE .../requested_reviewers`.
#[derive(Deserialize)]
struct ReviewersBody {
    #[serde(default)]
    reviewers: Vec<String>,
    #[serde(default)]
    team_reviewers: Vec<String>,
}

impl ReviewersBody {
    /// Users, then teams as `org/slug` (as the client trait names them).
    fn logins(self, org: &str) -> Vec<String> {
        let mut logins = self.reviewers;
        logins.extend(
            self.team_reviewers
                .into_iter()
                .map(|slug| format!("{org}/{slug}")),
        );
        logins
    }
}

async fn request_review(
    ctx: Ctx,
    Path((o, r, n)): Path<(String, String, String)>,
    body: Bytes,
) -> Response {
    let (repo, Some(number)) = (RepoName::new(o, r), number(&n)) else {
        return not_found();
    };
    let logins = match parse_body::<ReviewersBody>(&body) {
        Ok(body) => body.logins(&repo.org),
        Err(reply) => return *reply,
    };
    match ctx.client.request_review(&repo, number, &logins).await {
        Ok(()) => {
            let st = ctx.sim().lock();
            json_reply(StatusCode::CREATED, &render::pull(&st, &repo, number))
        }
        Err(GitHubError::MissingUsers(users)) => {
            tracing::debug!(?users, "review request refused");
            github_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!(
                    "Reviews may only be requested from collaborators. One or more of the users \
                     or teams you specified is not a collaborator of the {repo} repository."
                ),
            )
        }
        Err(err) => ctx.error(&err, "PullRequest"),
    }
}

async fn unrequest_review(
    ctx: Ctx,
    Path((o, r, n)): Path<(String, String, String)>,
    body: Bytes,
) -> Response {
    let (repo, Some(number)) = (RepoName::new(o, r), number(&n)) else {
        return not_found();
    };
    let logins = match parse_body::<ReviewersBody>(&body) {
        Ok(body) => body.logins(&repo.org),
        Err(reply) => return *reply,
    };
    match ctx.client.unrequest_review(&repo, number, &logins).await {
        Ok(()) => {
            let st = ctx.sim().lock();
            json_reply(StatusCode::OK, &render::pull(&st, &repo, number))
        }
        Err(err) => ctx.error(&err, "PullRequest"),
    }
}

async fn get_pull(ctx: Ctx, Path((o, r, n)): Path<(String, String, String)>) -> Response {
    let (repo, Some(number)) = (RepoName::new(o, r), number(&n)) else {
        return not_found();
    };
    match ctx.client.get_pull_request(&repo, number).await {
        Ok(_) => {
            let st = ctx.sim().lock();
            json_reply(StatusCode::OK, &render::pull(&st, &repo, number))
        }
        Err(err) => ctx.error(&err, "PullRequest"),
    }
}

async fn pull_files(ctx: Ctx, Path((o, r, n)): Path<(String, String, String)>) -> Response {
    let (repo, Some(number)) = (RepoName::new(o, r), number(&n)) else {
        return not_found();
    };
    match ctx.client.get_pull_request_changes(&repo, number).await {
        Ok(changes) => {
            let items = {
                let st = ctx.sim().lock();
                let head = st
                    .repo(&repo)
                    .and_then(|rec| rec.pull(number).map(|(_, p)| rec.head_sha(p)))
                    .unwrap_or_default();
                changes
                    .iter()
                    .map(|c| render::file(&st, &repo, &head, c))
                    .collect()
            };
            ctx.page(items)
        }
        Err(err) => ctx.error(&err, "PullRequest"),
    }
}

async fn pull_reviews(ctx: Ctx, Path((o, r, n)): Path<(String, String, String)>) -> Response {
    let (repo, Some(number)) = (RepoName::new(o, r), number(&n)) else {
        return not_found();
    };
    match ctx.client.list_reviews(&repo, number).await {
        Ok(reviews) => {
            let items = {
                let st = ctx.sim().lock();
                reviews
                    .iter()
                    .map(|review| render::review(&st, &repo, number, review))
                    .collect()
            };
            ctx.page(items)
        }
        Err(err) => ctx.error(&err, "PullRequestReview"),
    }
}

/// `GET .../pulls/{n}/comments`: the comments on the diff.
async fn pull_review_comments(
    ctx: Ctx,
    Path((o, r, n)): Path<(String, String, String)>,
) -> Response {
    let (repo, Some(number)) = (RepoName::new(o, r), number(&n)) else {
        return not_found();
    };
    match ctx.client.list_pull_request_comments(&repo, number).await {
        Ok(comments) => {
            let items = {
                let st = ctx.sim().lock();
                comments
                    .iter()
                    .map(|comment| render::review_comment(&st, &repo, number, comment))
                    .collect()
            };
            ctx.page(items)
        }
        Err(err) => ctx.error(&err, "PullRequestReviewComment"),
    }
}

/// `GET .../issues/{n}/events`: the issue's timeline events.
async fn issue_events(ctx: Ctx, Path((o, r, n)): Path<(String, String, String)>) -> Response {
    let (repo, Some(number)) = (RepoName::new(o, r), number(&n)) else {
        return not_found();
    };
    match ctx.client.list_issue_events(&repo, number).await {
        Ok(events) => {
            let items = {
                let st = ctx.sim().lock();
                events
                    .iter()
                    .map(|event| render::issue_event(&st, event))
                    .collect()
            };
            ctx.page(items)
        }
        Err(err) => ctx.error(&err, "IssueEvent"),
    }
}

/// `PUT .../merge`.
#[derive(Deserialize)]
struct MergeBody {
    #[serde(default)]
    sha: Option<String>,
    #[serde(default)]
    merge_method: Option<String>,
    #[serde(default)]
    commit_title: Option<String>,
    #[serde(default)]
    commit_message: Option<String>,
}

async fn merge(ctx: Ctx, Path((o, r, n)): Path<(String, String, String)>, body: Bytes) -> Response {
    let (repo, Some(number)) = (RepoName::new(o, r), number(&n)) else {
        return not_found();
    };
    let body = match parse_body::<MergeBody>(&body) {
        Ok(body) => body,
        Err(reply) => return *reply,
    };
    let merge_method = match body.merge_method.as_deref().map(str::parse::<MergeMethod>) {
        None => MergeMethod::Merge,
        Some(Ok(method)) => method,
        Some(Err(message)) => {
            return validation_failed("PullRequest", &format!("merge_method: {message}"));
        }
    };
    let details = MergeDetails {
        sha: body.sha.unwrap_or_default(),
        merge_method,
        commit_title: body.commit_title,
        commit_message: body.commit_message,
    };
    match ctx.client.merge(&repo, number, &details).await {
        Ok(()) => {
            let sha = ctx
                .sim()
                .pull_request(&repo, number)
                .ok()
                .and_then(|pr| pr.merge_commit_sha)
                .unwrap_or_default();
            json_reply(
                StatusCode::OK,
                &json!({ "sha": sha, "merged": true, "message": "Pull Request successfully merged" }),
            )
        }
        Err(err) => ctx.error(&err, "PullRequest"),
    }
}

/// `POST .../statuses/{sha}`.
#[derive(Deserialize)]
struct StatusBody {
    state: Option<String>,
    #[serde(default)]
    target_url: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    context: Option<String>,
}

async fn create_status(
    ctx: Ctx,
    Path((o, r, sha)): Path<(String, String, String)>,
    body: Bytes,
) -> Response {
    let repo = RepoName::new(o, r);
    let body = match parse_body::<StatusBody>(&body) {
        Ok(body) => body,
        Err(reply) => return *reply,
    };
    let Some(state) = body.state else {
        return validation_failed("Status", "state: missing_field");
    };
    let status = Status {
        state,
        target_url: body.target_url.unwrap_or_default(),
        description: body.description.unwrap_or_default(),
        context: body.context.unwrap_or_else(|| "default".to_owned()),
    };
    match ctx.client.create_status(&repo, &sha, &status).await {
        Ok(()) => {
            let st = ctx.sim().lock();
            let full = st.resolve(&repo, Some(&sha)).unwrap_or(sha);
            let rec = st
                .repo(&repo)
                .ok()
                .and_then(|rec| render::latest_status_rec(rec, &full, &status.context));
            let value = render::status(&st, &repo, &full, rec, &status, Some(&ctx.actor));
            json_reply(StatusCode::CREATED, &value)
        }
        Err(err) => ctx.error(&err, "Status"),
    }
}

/// `GET .../commits/{ref}/status` and `GET .../commits/{ref}/check-runs` (refs may hold
/// slashes, so the route takes the rest of the path).
async fn commit_reads(ctx: Ctx, Path((o, r, rest)): Path<(String, String, String)>) -> Response {
    let repo = RepoName::new(o, r);
    if let Some(reference) = rest.strip_suffix("/status") {
        return match ctx.client.get_combined_status(&repo, reference).await {
            Ok(combined) => {
                let st = ctx.sim().lock();
                let value = render::combined_status(
                    &st,
                    &repo,
                    &combined.sha,
                    &combined.state,
                    &combined.statuses,
                );
                json_reply(StatusCode::OK, &value)
            }
            Err(err) => ctx.error(&err, "Commit"),
        };
    }
    if let Some(reference) = rest.strip_suffix("/check-runs") {
        return match ctx.client.list_check_runs(&repo, reference).await {
            Ok(runs) => {
                let name = ctx.param("check_name");
                let status = ctx.param("status");
                let items = {
                    let st = ctx.sim().lock();
                    runs.iter()
                        .filter(|run| name.as_ref().is_none_or(|n| *n == run.name))
                        .filter(|run| status.as_ref().is_none_or(|s| *s == run.status))
                        .map(|run| render::check_run(&st, &repo, run))
                        .collect()
                };
                ctx.page_with(
                    items,
                    |runs, total| json!({ "total_count": total, "check_runs": runs }),
                )
            }
            Err(err) => ctx.error(&err, "CheckRun"),
        };
    }
    match ctx.client.get_single_commit(&repo, &rest).await {
        Ok(commit) => {
            let st = ctx.sim().lock();
            json_reply(StatusCode::OK, &render::single_commit(&st, &repo, &commit))
        }
        Err(err) => ctx.error(&err, "Commit"),
    }
}

/// `GET .../branches/{branch}/protection`: 404 `Branch not protected` without protection.
async fn branch_protection(
    ctx: Ctx,
    Path((o, r, branch)): Path<(String, String, String)>,
) -> Response {
    let repo = RepoName::new(o, r);
    match ctx.client.get_branch_protection(&repo, &branch).await {
        Ok(Some(protection)) => {
            let st = ctx.sim().lock();
            let value = render::branch_protection(&st, &repo, &branch, &protection);
            json_reply(StatusCode::OK, &value)
        }
        Ok(None) => github_error(StatusCode::NOT_FOUND, "Branch not protected"),
        Err(err) => ctx.error(&err, "Branch"),
    }
}

/// The body of `POST .../check-runs`.
#[derive(Deserialize)]
struct CheckRunBody {
    name: Option<String>,
    head_sha: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    conclusion: Option<String>,
    #[serde(default)]
    details_url: Option<String>,
    #[serde(default)]
    output: Option<CheckRunOutputBody>,
}

/// The `output` of a check run to create.
#[derive(Deserialize)]
struct CheckRunOutputBody {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    summary: Option<String>,
}

async fn create_check_run(ctx: Ctx, Path((o, r)): Path<(String, String)>, body: Bytes) -> Response {
    let repo = RepoName::new(o, r);
    let body = match parse_body::<CheckRunBody>(&body) {
        Ok(body) => body,
        Err(reply) => return *reply,
    };
    let (Some(name), Some(head_sha)) = (body.name, body.head_sha) else {
        return validation_failed("CheckRun", "name: missing_field");
    };
    let (title, summary) = body
        .output
        .map(|o| (o.title, o.summary))
        .unwrap_or_default();
    let run = CheckRunRequest {
        name,
        head_sha,
        status: body.status.unwrap_or_default(),
        conclusion: body.conclusion,
        details_url: body.details_url,
        title,
        summary,
    };
    match ctx.client.create_check_run(&repo, &run).await {
        Ok(id) => {
            let st = ctx.sim().lock();
            let created = st
                .repo(&repo)
                .ok()
                .and_then(|rec| rec.check_runs.iter().find(|run| run.id == id));
            match created {
                Some(run) => json_reply(StatusCode::CREATED, &render::check_run(&st, &repo, run)),
                None => not_found(),
            }
        }
        Err(err) => ctx.error(&err, "CheckRun"),
    }
}

/// `GET .../actions/runs?head_sha=&branch=&event=&status=`: `event` may name several events
/// joined with ` OR `.
async fn workflow_runs(ctx: Ctx, Path((o, r)): Path<(String, String)>) -> Response {
    let repo = RepoName::new(o, r);
    let filter = WorkflowRunFilter {
        head_sha: ctx.param("head_sha"),
        branch: ctx.param("branch"),
        events: ctx
            .param("event")
            .map(|events| {
                events
                    .split(WorkflowRunFilter::EVENT_SEPARATOR)
                    .map(|e| e.trim().to_owned())
                    .filter(|e| !e.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
        status: ctx.param("status"),
    };
    match ctx.client.list_workflow_runs(&repo, &filter).await {
        Ok(runs) => {
            let items = {
                let st = ctx.sim().lock();
                runs.iter()
                    .map(|run| render::workflow_run(&st, &repo, run))
                    .collect()
            };
            ctx.page_with(
                items,
                |runs, total| json!({ "total_count": total, "workflow_runs": runs }),
            )
        }
        Err(err) => ctx.error(&err, "WorkflowRun"),
    }
}

/// `POST .../actions/runs/{id}/rerun-failed-jobs`: 201.
async fn rerun_failed_workflow_jobs(ctx: Ctx, path: Path<(String, String, String)>) -> Response {
    workflow_run_action(ctx, path, false).await
}

/// `POST .../actions/runs/{id}/approve`: 201, or 404 for a run awaiting no approval.
async fn approve_workflow_run(ctx: Ctx, path: Path<(String, String, String)>) -> Response {
    workflow_run_action(ctx, path, true).await
}

/// Approves run `id` (`approve`) or re-runs its failed jobs: 201 with an empty object.
async fn workflow_run_action(
    ctx: Ctx,
    Path((o, r, id)): Path<(String, String, String)>,
    approve: bool,
) -> Response {
    let Some(id) = number(&id) else {
        return not_found();
    };
    let repo = RepoName::new(o, r);
    let done = if approve {
        ctx.client.approve_workflow_run(&repo, id).await
    } else {
        ctx.client.rerun_failed_workflow_jobs(&repo, id).await
    };
    match done {
        Ok(()) => json_reply(StatusCode::CREATED, &json!({})),
        Err(err) => ctx.error(&err, "WorkflowRun"),
    }
}

/// `refs/…` for a ref named with or without the prefix.
fn full_ref(reference: &str) -> String {
    if reference.starts_with("refs/") {
        reference.to_owned()
    } else {
        format!("refs/{reference}")
    }
}

async fn get_ref(ctx: Ctx, Path((o, r, reference)): Path<(String, String, String)>) -> Response {
    let repo = RepoName::new(o, r);
    match ctx.client.get_ref(&repo, &reference).await {
        Ok(sha) => {
            let st = ctx.sim().lock();
            json_reply(
                StatusCode::OK,
                &render::git_ref(&st, &repo, &full_ref(&reference), &sha),
            )
        }
        Err(err) => ctx.error(&err, "Reference"),
    }
}

/// `GET .../git/refs/{ref}`: the ref itself, or (GitHub's older behaviour, still served) the
/// refs it is a prefix of, as an array.
async fn get_refs(ctx: Ctx, Path((o, r, reference)): Path<(String, String, String)>) -> Response {
    let repo = RepoName::new(o, r);
    match ctx.client.get_ref(&repo, &reference).await {
        Ok(sha) => {
            let st = ctx.sim().lock();
            json_reply(
                StatusCode::OK,
                &render::git_ref(&st, &repo, &full_ref(&reference), &sha),
            )
        }
        Err(GitHubError::NotFound(what)) => {
            let prefix = full_ref(&reference);
            let st = ctx.sim().lock();
            let Ok(rec) = st.repo(&repo) else {
                return not_found();
            };
            let refs: Vec<Value> = rec
                .branches
                .iter()
                .map(|(name, sha)| (format!("refs/heads/{name}"), sha))
                .chain(
                    rec.tags
                        .iter()
                        .map(|(name, sha)| (format!("refs/tags/{name}"), sha)),
                )
                .filter(|(name, _)| name.starts_with(&prefix))
                .map(|(name, sha)| render::git_ref(&st, &repo, &name, sha))
                .collect();
            if refs.is_empty() {
                tracing::debug!(what, "simulated 404");
                not_found()
            } else {
                json_reply(StatusCode::OK, &Value::Array(refs))
            }
        }
        Err(err) => ctx.error(&err, "Reference"),
    }
}

async fn delete_ref(ctx: Ctx, Path((o, r, reference)): Path<(String, String, String)>) -> Response {
    let repo = RepoName::new(o, r);
    match ctx.client.delete_ref(&repo, &reference).await {
        Ok(()) => empty(StatusCode::NO_CONTENT),
        Err(GitHubError::Unprocessable(message))
            if message.starts_with("reference does not exist") =>
        {
            github_error(StatusCode::UNPROCESSABLE_ENTITY, "Reference does not exist")
        }
        Err(err) => ctx.error(&err, "Reference"),
    }
}

async fn root_contents(ctx: Ctx, Path((o, r)): Path<(String, String)>) -> Response {
    contents_of(ctx, RepoName::new(o, r), String::new()).await
}

async fn contents(ctx: Ctx, Path((o, r, path)): Path<(String, String, String)>) -> Response {
    contents_of(ctx, RepoName::new(o, r), path).await
}

/// A file's contents, or a directory's entries.
async fn contents_of(ctx: Ctx, repo: RepoName, path: String) -> Response {
    let path = path.trim_matches('/').to_owned();
    let reference = ctx.param("ref").filter(|r| !r.is_empty());
    let result = ctx
        .client
        .get_file(&repo, &path, reference.as_deref())
        .await;
    let shown_ref = |ctx: &Ctx| {
        reference.clone().unwrap_or_else(|| {
            ctx.sim()
                .repo(&repo)
                .map(|r| r.default_branch)
                .unwrap_or_default()
        })
    };
    match result {
        Ok(bytes) => {
            let shown = shown_ref(&ctx);
            let st = ctx.sim().lock();
            json_reply(
                StatusCode::OK,
                &render::content(&st, &repo, &path, &shown, &bytes),
            )
        }
        Err(GitHubError::NotFound(what)) => {
            // Not a file: perhaps a directory, whose entries GitHub lists.
            let Ok(tree) = ctx.sim().tree(&repo, reference.as_deref()) else {
                tracing::debug!(what, "simulated 404");
                return not_found();
            };
            let prefix = if path.is_empty() {
                String::new()
            } else {
                format!("{path}/")
            };
            let mut entries: Vec<(String, Option<Vec<u8>>)> = Vec::new();
            for (file, bytes) in &tree {
                let Some(rest) = file.strip_prefix(&prefix) else {
                    continue;
                };
                match rest.split_once('/') {
                    Some((dir, _)) => {
                        let dir = format!("{prefix}{dir}");
                        if !entries.iter().any(|(name, _)| *name == dir) {
                            entries.push((dir, None));
                        }
                    }
                    None => entries.push((file.clone(), Some(bytes.clone()))),
                }
            }
            if entries.is_empty() {
                tracing::debug!(what, "simulated 404");
                return not_found();
            }
            let shown = shown_ref(&ctx);
            let st = ctx.sim().lock();
            let items: Vec<Value> = entries
                .iter()
                .map(|(name, bytes)| {
                    render::content_entry(&st, &repo, name, &shown, bytes.as_deref())
                })
                .collect();
            json_reply(StatusCode::OK, &Value::Array(items))
        }
        Err(err) => ctx.error(&err, "Content"),
    }
}

async fn is_collaborator(ctx: Ctx, Path((o, r, user)): Path<(String, String, String)>) -> Response {
    let repo = RepoName::new(o, r);
    match ctx.client.is_collaborator(&repo, &user).await {
        Ok(true) => empty(StatusCode::NO_CONTENT),
        Ok(false) => not_found(),
        Err(err) => ctx.error(&err, "Collaborator"),
    }
}

async fn permission(ctx: Ctx, Path((o, r, user)): Path<(String, String, String)>) -> Response {
    let repo = RepoName::new(o, r);
    match ctx.client.get_user_permission(&repo, &user).await {
        Ok(permission) => {
            let st = ctx.sim().lock();
            json_reply(StatusCode::OK, &render::permission(&st, &user, permission))
        }
        Err(err) => ctx.error(&err, "Collaborator"),
    }
}

async fn org_member(ctx: Ctx, Path((org, user)): Path<(String, String)>) -> Response {
    match ctx.client.is_member(&org, &user).await {
        Ok(true) => empty(StatusCode::NO_CONTENT),
        Ok(false) => not_found(),
        Err(err) => ctx.error(&err, "Membership"),
    }
}

async fn list_teams(ctx: Ctx, Path(org): Path<String>) -> Response {
    match ctx.client.list_teams(&org).await {
        Ok(teams) => {
            let items = {
                let st = ctx.sim().lock();
                teams.iter().map(|t| render::team(&st, &org, t)).collect()
            };
            ctx.page(items)
        }
        Err(err) => ctx.error(&err, "Team"),
    }
}

async fn team_members(ctx: Ctx, Path((org, slug)): Path<(String, String)>) -> Response {
    let role = match ctx.param("role").as_deref() {
        None | Some("all") => TeamRole::All,
        Some("maintainer") => TeamRole::Maintainer,
        Some("member") => TeamRole::Member,
        Some(other) => {
            return validation_failed(
                "Team",
                &format!("role: {other:?} is not one of all, maintainer, member"),
            );
        }
    };
    match ctx.client.list_team_members(&org, &slug, role).await {
        Ok(users) => {
            let items = {
                let st = ctx.sim().lock();
                users.iter().map(|u| render::user(&st, u)).collect()
            };
            ctx.page(items)
        }
        Err(err) => ctx.error(&err, "Team"),
    }
}

async fn milestones(ctx: Ctx, Path((o, r)): Path<(String, String)>) -> Response {
    let repo = RepoName::new(o, r);
    let state = ctx.param("state").unwrap_or_else(|| "open".to_owned());
    if !["open", "closed", "all"].contains(&state.as_str()) {
        return validation_failed(
            "Milestone",
            &format!("state: {state:?} is not one of open, closed, all"),
        );
    }
    match ctx.client.list_milestones(&repo).await {
        Ok(open) => {
            let items = {
                let st = ctx.sim().lock();
                match st.repo(&repo) {
                    // The client face lists the open ones; the others come from the state.
                    Ok(rec) if state != "open" => render::milestones(&st, rec, &state),
                    Ok(rec) => open
                        .iter()
                        .map(|m| render::milestone(&st, rec, m.number))
                        .collect(),
                    Err(_) => Vec::new(),
                }
            };
            ctx.page(items)
        }
        Err(err) => ctx.error(&err, "Milestone"),
    }
}

async fn search_issues(ctx: Ctx) -> Response {
    let Some(mut query) = ctx.param("q").filter(|q| !q.trim().is_empty()) else {
        return validation_failed("Search", "q: missing_field");
    };
    if let Some(sort) = ctx.param("sort") {
        let order = ctx.param("order").unwrap_or_else(|| "desc".to_owned());
        query.push_str(&format!(" sort:{sort}-{order}"));
    }
    match ctx.client.find_issues(&query).await {
        Ok(issues) => {
            let items = {
                let st = ctx.sim().lock();
                issues
                    .iter()
                    .map(|issue| {
                        let repo = render::repo_of_issue(&st, issue)
                            .unwrap_or_else(|| RepoName::new("", ""));
                        let mut value = render::issue(&st, &repo, issue);
                        if let Value::Object(map) = &mut value {
                            map.insert("score".to_owned(), json!(1.0));
                        }
                        value
                    })
                    .collect()
            };
            ctx.page_with(items, |items, total| {
                json!({ "total_count": total, "incomplete_results": false, "items": items })
            })
        }
        Err(err) => ctx.error(&err, "Search"),
    }
}

/// `POST /graphql`.
#[derive(Deserialize)]
struct GraphqlBody {
    query: Option<Value>,
    #[serde(default)]
    variables: Option<Value>,
}

async fn graphql(ctx: Ctx, body: Bytes) -> Response {
    let body = match parse_body::<GraphqlBody>(&body) {
        Ok(body) => body,
        Err(reply) => return *reply,
    };
    let Some(Value::String(query)) = body.query else {
        return json_reply(
            StatusCode::OK,
            &json!({ "errors": [{ "message": "A query attribute must be specified and must be a string." }] }),
        );
    };
    let variables = body.variables.unwrap_or(Value::Null);
    match ctx.client.graphql_response(&query, &variables).await {
        Ok(answer) => json_reply(StatusCode::OK, &answer),
        Err(err) => ctx.error(&err, "Query"),
    }
}
