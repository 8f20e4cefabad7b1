//! prow-core's [`GitHubClient`] on [`Client`]: each method's route, body and reply as
//! upstream Prow's client has them, with GitHub's replies mapped onto [`GitHubError`],
//! list calls paginated in full (`per_page=100`), and dry-run for every mutating method.

use async_trait::async_trait;
use base64::Engine;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use http::header::{ACCEPT, LINK};
use http::{HeaderMap, Method, StatusCode};
use http_body_util::BodyExt;
use octocrab::models::CommentId;
use octocrab::params::pulls::MergeMethod as OctoMergeMethod;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use prow_core::event::{
    CheckRun, Issue, IssueComment, Label, Milestone, PullRequest, Review, ReviewComment, Team,
    User, norm_login,
};
use prow_core::github::{
    BranchProtection, CheckRunRequest, CombinedStatus, GitHubClient, GitHubError, GitHubResult,
    ListedIssueEvent, MergeDetails, MergeMethod, Permission, PullRequestChange, RepoName,
    RepositoryCommit, Status, TeamRole, WorkflowRun, WorkflowRunFilter,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::error::{error_from_octocrab, error_from_reply, graphql_error};
use super::{Client, Conn};

/// What a path segment may keep unescaped: RFC 3986's unreserved characters.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');
/// The same, keeping `/` (file paths, refs).
const PATH: &AsciiSet = &SEGMENT.remove(b'/');

/// One path segment, escaped.
fn seg(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

/// A query value, escaped.
fn query(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

/// `/repos/{org}/{repo}`.
fn repo_path(repo: &RepoName) -> String {
    format!("/repos/{}/{}", seg(&repo.org), seg(&repo.repo))
}

/// The most pages a list call follows (GitHub's search stops at 10 anyway).
const MAX_PAGES: usize = 1000;

/// A reply, read whole.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// A reply's body as `T`.
fn parse<T: DeserializeOwned>(body: &[u8]) -> GitHubResult<T> {
    serde_json::from_slice(body).map_err(|e| {
        let text = String::from_utf8_lossy(body);
        let text: String = text.chars().take(200).collect();
        GitHubError::Transport(format!("unexpected reply from GitHub ({e}): {text}"))
    })
}

/// The `rel="next"` URL of a `Link` header.
pub(crate) fn next_link(headers: &HeaderMap) -> Option<String> {
    let link = headers.get(LINK)?.to_str().ok()?;
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        let is_next = params
            .split(';')
            .any(|p| p.trim().replace(' ', "") == "rel=\"next\"" || p.trim() == "rel=next");
        let url = url.trim().strip_prefix('<')?.strip_suffix('>')?;
        is_next.then(|| url.to_owned())
    })
}

/// The organisation a search query is about (`org:`, `repo:`, `user:` qualifiers).
pub(crate) fn org_of_query(text: &str) -> Option<String> {
    text.split(|c: char| c.is_whitespace() || c == '"' || c == '\\')
        .find_map(|token| {
            let token = token.trim_start_matches(['(', '-']);
            if let Some(org) = token.strip_prefix("org:") {
                Some(org.to_owned())
            } else if let Some(repo) = token.strip_prefix("repo:") {
                repo.split('/').next().map(str::to_owned)
            } else {
                token.strip_prefix("user:").map(str::to_owned)
            }
        })
        .filter(|org| !org.is_empty())
}

/// Every string in a JSON value.
fn strings_of(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings_of(v, out)),
        Value::Object(map) => map.values().for_each(|v| strings_of(v, out)),
        _ => {}
    }
}

/// A file as the contents API sends it.
#[derive(Deserialize)]
struct Content {
    #[serde(default)]
    content: String,
    #[serde(default)]
    encoding: String,
    #[serde(default, rename = "type")]
    kind: String,
}

/// A ref as the git API sends it.
#[derive(Deserialize)]
struct GitRef {
    #[serde(rename = "ref", default)]
    name: String,
    object: GitObject,
}

#[derive(Deserialize)]
struct GitObject {
    sha: String,
}

/// A permission reply.
#[derive(Deserialize)]
struct PermissionReply {
    #[serde(default)]
    permission: String,
    #[serde(default)]
    role_name: Option<String>,
}

/// GitHub's permission names onto [`Permission`]: the finer `role_name` when it is one of
/// the built-in roles, else the coarse `permission`.
fn permission_of(reply: &PermissionReply) -> Permission {
    let parse = |s: &str| match s {
        "admin" => Some(Permission::Admin),
        "maintain" => Some(Permission::Maintain),
        "write" | "push" => Some(Permission::Write),
        "triage" => Some(Permission::Triage),
        "read" | "pull" => Some(Permission::Read),
        "none" => Some(Permission::None),
        _ => None,
    };
    reply
        .role_name
        .as_deref()
        .and_then(parse)
        .or_else(|| parse(&reply.permission))
        .unwrap_or(Permission::None)
}

/// The request body of a review request: users and teams of `org` (`org/slug`); teams of
/// other organisations are returned apart (GitHub cannot request them).
fn reviewers_body(logins: &[String], org: &str) -> (Value, Vec<String>) {
    let mut reviewers = Vec::new();
    let mut teams = Vec::new();
    let mut foreign = Vec::new();
    for login in logins {
        match login.split_once('/') {
            None => reviewers.push(login.clone()),
            Some((team_org, slug)) if team_org.eq_ignore_ascii_case(org) => {
                teams.push(slug.to_owned())
            }
            Some(_) => foreign.push(login.clone()),
        }
    }
    let mut body = serde_json::Map::new();
    if !reviewers.is_empty() {
        body.insert("reviewers".into(), json!(reviewers));
    }
    if !teams.is_empty() {
        body.insert("team_reviewers".into(), json!(teams));
    }
    (Value::Object(body), foreign)
}

impl Client {
    /// The current time (the client's clock).
    fn now(&self) -> DateTime<Utc> {
        self.inner.shared.clock.now()
    }

    /// Maps an octocrab error.
    fn octo_err(&self, err: octocrab::Error) -> GitHubError {
        error_from_octocrab(err, self.now())
    }

    /// Sends a request through `conn`'s octocrab and reads the whole reply, whatever its
    /// status.
    pub(crate) async fn send(
        &self,
        conn: &Conn,
        method: Method,
        path: &str,
        body: Option<&Value>,
        accept: Option<&str>,
    ) -> GitHubResult<Reply> {
        let mut builder = http::Request::builder().method(method).uri(path);
        if let Some(accept) = accept {
            builder = builder.header(ACCEPT, accept);
        }
        let request = conn
            .crab
            .build_request(builder, body)
            .map_err(|e| self.octo_err(e))?;
        let response = conn
            .crab
            .execute(request)
            .await
            .map_err(|e| self.octo_err(e))?;
        let (parts, body) = response.into_parts();
        let body = body
            .collect()
            .await
            .map_err(|e| self.octo_err(e))?
            .to_bytes();
        Ok(Reply {
            status: parts.status,
            headers: parts.headers,
            body,
        })
    }

    /// The reply when it is a success, else its error.
    fn check(&self, reply: Reply) -> GitHubResult<Reply> {
        if reply.status.is_success() {
            Ok(reply)
        } else {
            Err(error_from_reply(
                reply.status.as_u16(),
                &reply.headers,
                &reply.body,
                self.now(),
            ))
        }
    }

    /// A request whose successful reply is read as `T`.
    async fn request<T: DeserializeOwned>(
        &self,
        conn: &Conn,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> GitHubResult<T> {
        let reply = self.check(self.send(conn, method, path, body, None).await?)?;
        parse(&reply.body)
    }

    /// A request whose successful reply is not needed.
    async fn call(
        &self,
        conn: &Conn,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> GitHubResult<()> {
        self.check(self.send(conn, method, path, body, None).await?)?;
        Ok(())
    }

    /// Every page of a list: `path` with `per_page=100`, then each `rel="next"` link;
    /// `items` takes a page's items out of its body.
    pub(crate) async fn list<T: DeserializeOwned>(
        &self,
        conn: &Conn,
        path: &str,
        items: impl Fn(Value) -> GitHubResult<Vec<T>>,
    ) -> GitHubResult<Vec<T>> {
        let separator = if path.contains('?') { '&' } else { '?' };
        let mut next = Some(format!("{path}{separator}per_page=100"));
        let mut all = Vec::new();
        let mut pages = 0;
        while let Some(path) = next.take() {
            let reply = self.check(self.send(conn, Method::GET, &path, None, None).await?)?;
            all.extend(items(parse(&reply.body)?)?);
            pages += 1;
            if pages >= MAX_PAGES {
                tracing::warn!(path, "stopping after {MAX_PAGES} pages");
                break;
            }
            next = next_link(&reply.headers).map(|url| self.inner.shared.relative_link(&url));
        }
        Ok(all)
    }

    /// A list whose pages are JSON arrays.
    async fn list_array<T: DeserializeOwned>(
        &self,
        conn: &Conn,
        path: &str,
    ) -> GitHubResult<Vec<T>> {
        self.list(conn, path, |page| {
            serde_json::from_value(page)
                .map_err(|e| GitHubError::Transport(format!("unexpected reply from GitHub: {e}")))
        })
        .await
    }

    /// A list whose pages are objects holding the items under `field`.
    async fn list_field<T: DeserializeOwned>(
        &self,
        conn: &Conn,
        path: &str,
        field: &'static str,
    ) -> GitHubResult<Vec<T>> {
        self.list(conn, path, move |mut page| {
            let items = page.get_mut(field).map(Value::take).unwrap_or(json!([]));
            serde_json::from_value(items)
                .map_err(|e| GitHubError::Transport(format!("unexpected reply from GitHub: {e}")))
        })
        .await
    }

    /// Lists the App's installations: lower-cased account login → installation ID.
    pub(crate) async fn list_installations(
        &self,
        app: &Conn,
    ) -> GitHubResult<std::collections::HashMap<String, u64>> {
        #[derive(Deserialize)]
        struct Installation {
            id: u64,
            account: Option<User>,
        }
        let installations: Vec<Installation> = self.list_array(app, "/app/installations").await?;
        Ok(installations
            .into_iter()
            .filter_map(|i| i.account.map(|a| (a.login.to_lowercase(), i.id)))
            .collect())
    }

    /// In dry-run mode, logs the change a method would make and returns `true`.
    fn dry(&self, method: &'static str, repo: Option<&RepoName>, what: &str) -> bool {
        if self.dry_run() {
            let repo = repo.map(ToString::to_string).unwrap_or_default();
            tracing::info!(method, repo, what, "dry run: not changing GitHub");
        }
        self.dry_run()
    }

    /// The connection for a query without an explicit organisation (search, GraphQL): the
    /// one the query names, else the only installation of an App.
    async fn conn_for_query(&self, texts: &[String]) -> GitHubResult<Conn> {
        if !self.uses_app_auth() {
            return Ok(self.own_conn().clone());
        }
        if let Some(org) = texts.iter().find_map(|t| org_of_query(t)) {
            return self.conn(&org).await;
        }
        let installations = self.app_installations().await?;
        match installations.as_slice() {
            [(org, _)] => self.conn(org).await,
            _ => Err(GitHubError::Unprocessable(
                "with GitHub App authentication a search must name an org: or repo:".into(),
            )),
        }
    }

    /// Requests reviews from `logins` in one call; the logins GitHub refused when it
    /// refused (422), `Err` for any other failure.
    async fn try_request_review(
        &self,
        conn: &Conn,
        path: &str,
        body: &Value,
    ) -> GitHubResult<Result<PullRequest, ()>> {
        let reply = self
            .send(conn, Method::POST, path, Some(body), None)
            .await?;
        if reply.status == StatusCode::UNPROCESSABLE_ENTITY {
            return Ok(Err(()));
        }
        let reply = self.check(reply)?;
        Ok(Ok(parse(&reply.body)?))
    }
}

impl super::transport::Shared {
    /// A `Link` URL as octocrab should request it: relative when it is below the REST base
    /// (so that the credential and base path apply as for the first page), else as is.
    pub(crate) fn relative_link(&self, url: &str) -> String {
        let Ok(uri) = url.parse::<http::Uri>() else {
            return url.to_owned();
        };
        if uri.authority().is_none() {
            return url.to_owned();
        }
        if uri.authority() != self.rest_base.authority() {
            return url.to_owned();
        }
        let path = self.api_path(&uri);
        match uri.query() {
            Some(q) => format!("{path}?{q}"),
            None => path.to_owned(),
        }
    }
}

#[async_trait]
impl GitHubClient for Client {
    async fn bot_user(&self) -> GitHubResult<User> {
        self.inner
            .bot
            .get_or_try_init(|| async {
                let conn = self.own_conn();
                if self.uses_app_auth() {
                    #[derive(Deserialize)]
                    struct App {
                        #[serde(default)]
                        id: u64,
                        #[serde(default)]
                        slug: String,
                        #[serde(default)]
                        name: String,
                        #[serde(default)]
                        node_id: String,
                        #[serde(default)]
                        html_url: String,
                    }
                    let app: App = self.request(conn, Method::GET, "/app", None).await?;
                    Ok(User {
                        login: format!("{}[bot]", app.slug),
                        id: app.id,
                        node_id: app.node_id,
                        name: Some(app.name),
                        email: Some(format!("{}[bot]@users.noreply.github.com", app.slug)),
                        html_url: app.html_url,
                        user_type: User::TYPE_BOT.to_owned(),
                    })
                } else {
                    self.request(conn, Method::GET, "/user", None).await
                }
            })
            .await
            .cloned()
    }

    async fn get_issue(&self, repo: &RepoName, number: u64) -> GitHubResult<Issue> {
        let conn = self.conn(&repo.org).await?;
        let path = format!("{}/issues/{number}", repo_path(repo));
        self.request(&conn, Method::GET, &path, None).await
    }

    async fn create_issue(
        &self,
        repo: &RepoName,
        title: &str,
        body: &str,
        labels: &[String],
        assignees: &[String],
    ) -> GitHubResult<u64> {
        if self.dry(
            "create_issue",
            Some(repo),
            &format!("open issue {title:?} labels={labels:?} assignees={assignees:?}"),
        ) {
            return Ok(0);
        }
        let conn = self.conn(&repo.org).await?;
        let mut request = serde_json::Map::new();
        request.insert("title".into(), json!(title));
        if !body.is_empty() {
            request.insert("body".into(), json!(body));
        }
        if !labels.is_empty() {
            request.insert("labels".into(), json!(labels));
        }
        if !assignees.is_empty() {
            request.insert("assignees".into(), json!(assignees));
        }
        #[derive(Deserialize)]
        struct Created {
            number: u64,
        }
        let path = format!("{}/issues", repo_path(repo));
        let created: Created = self
            .request(&conn, Method::POST, &path, Some(&Value::Object(request)))
            .await?;
        Ok(created.number)
    }

    async fn close_issue(
        &self,
        repo: &RepoName,
        number: u64,
        not_planned: bool,
    ) -> GitHubResult<()> {
        let reason = if not_planned {
            "not_planned"
        } else {
            "completed"
        };
        if self.dry(
            "close_issue",
            Some(repo),
            &format!("close #{number} as {reason}"),
        ) {
            return Ok(());
        }
        let conn = self.conn(&repo.org).await?;
        let path = format!("{}/issues/{number}", repo_path(repo));
        let body = json!({ "state": "closed", "state_reason": reason });
        self.call(&conn, Method::PATCH, &path, Some(&body)).await
    }

    async fn reopen_issue(&self, repo: &RepoName, number: u64) -> GitHubResult<()> {
        if self.dry("reopen_issue", Some(repo), &format!("reopen #{number}")) {
            return Ok(());
        }
        let conn = self.conn(&repo.org).await?;
        let path = format!("{}/issues/{number}", repo_path(repo));
        self.call(
            &conn,
            Method::PATCH,
            &path,
            Some(&json!({ "state": "open" })),
        )
        .await
    }

    async fn close_pull_request(&self, repo: &RepoName, number: u64) -> GitHubResult<()> {
        if self.dry(
            "close_pull_request",
            Some(repo),
            &format!("close pull request #{number}"),
        ) {
            return Ok(());
        }
        let conn = self.conn(&repo.org).await?;
        let path = format!("{}/pulls/{number}", repo_path(repo));
        self.call(
            &conn,
            Method::PATCH,
            &path,
            Some(&json!({ "state": "closed" })),
        )
        .await
    }

    async fn reopen_pull_request(&self, repo: &RepoName, number: u64) -> GitHubResult<()> {
        if self.dry(
            "reopen_pull_request",
            Some(repo),
            &format!("reopen pull request #{number}"),
        ) {
            return Ok(());
        }
        let conn = self.conn(&repo.org).await?;
        let path = format!("{}/pulls/{number}", repo_path(repo));
        self.call(
            &conn,
            Method::PATCH,
            &path,
            Some(&json!({ "state": "open" })),
        )
        .await
    }

    async fn edit_title(&self, repo: &RepoName, number: u64, title: &str) -> GitHubResult<()> {
        if self.dry(
            "edit_title",
            Some(repo),
            &format!("retitle #{number} to {title:?}"),
        ) {
            return Ok(());
        }
        let conn = self.conn(&repo.org).await?;
        let path = format!("{}/issues/{number}", repo_path(repo));
        self.call(
            &conn,
            Method::PATCH,
            &path,
            Some(&json!({ "title": title })),
        )
        .await
    }

    async fn list_issue_comments(
        &self,
        repo: &RepoName,
        number: u64,
    ) -> GitHubResult<Vec<IssueComment>> {
        let conn = self.conn(&repo.org).await?;
        let path = format!("{}/issues/{number}/comments", repo_path(repo));
        self.list_array(&conn, &path).await
    }

    async fn create_comment(&self, repo: &RepoName, number: u64, body: &str) -> GitHubResult<u64> {
        if self.dry(
            "create_comment",
            Some(repo),
            &format!("comment on #{number}: {body:?}"),
        ) {
            return Ok(0);
        }
        let conn = self.conn(&repo.org).await?;
        #[derive(Deserialize)]
        struct Created {
            id: u64,
        }
        let path = format!("{}/issues/{number}/comments", repo_path(repo));
        let created: Created = self
            .request(&conn, Method::POST, &path, Some(&json!({ "body": body })))
            .await?;
        Ok(created.id)
    }

    async fn edit_comment(&self, repo: &RepoName, comment_id: u64, body: &str) -> GitHubResult<()> {
        if self.dry(
            "edit_comment",
            Some(repo),
            &format!("edit comment {comment_id}: {body:?}"),
        ) {
            return Ok(());
        }
        let conn = self.conn(&repo.org).await?;
        let path = format!("{}/issues/comments/{comment_id}", repo_path(repo));
        self.call(&conn, Method::PATCH, &path, Some(&json!({ "body": body })))
            .await
    }

    async fn delete_comment(&self, repo: &RepoName, comment_id: u64) -> GitHubResult<()> {
        if self.dry(
            "delete_comment",
            Some(repo),
            &format!("delete comment {comment_id}"),
        ) {
            return Ok(());
        }
        let conn = self.conn(&repo.org).await?;
        conn.crab
            .issues(&repo.org, &repo.repo)
            .delete_comment(CommentId(comment_id))
            .await
            .map_err(|e| self.octo_err(e))
    }

    async fn create_comment_reaction(
        &self,
        repo: &RepoName,
        comment_id: u64,
        reaction: &str,
    ) -> GitHubResult<()> {
        if self.dry(
            "create_comment_reaction",
            Some(repo),
            &format!("react {reaction:?} to comment {comment_id}"),
        ) {
            return Ok(());
        }
        let conn = self.conn(&repo.org).await?;
        let path = format!("{}/issues/comments/{comment_id}/reactions", repo_path(repo));
        let body = json!({ "content": reaction });
        self.call(&conn, Method::POST, &path, Some(&body)).await
    }

    async fn create_issue_reaction(
        &self,
        repo: &RepoName,
        number: u64,
        reaction: &str,
    ) -> GitHubResult<()> {
        if self.dry(
            "create_issue_reaction",
            Some(repo),
            &format!("react {reaction:?} to #{number}"),
        ) {
            return Ok(());
        }
        let conn = self.conn(&repo.org).await?;
        let path = format!("{}/issues/{number}/reactions", repo_path(repo));
        let body = json!({ "content": reaction });
        self.call(&conn, Method::POST, &path, Some(&body)).await
    }

    async fn get_repo_labels(&self, repo: &RepoName) -> GitHubResult<Vec<Label>> {
        let conn = self.conn(&repo.org).await?;
        self.list_array(&conn, &format!("{}/labels", repo_path(repo)))
            .await
    }

    async fn get_issue_labels(&self, repo: &RepoName, number: u64) -> GitHubResult<Vec<Label>> {
        let conn = self.conn(&repo.org).await?;
        let path = format!("{}/issues/{number}/labels", repo_path(repo));
        self.list_array(&conn, &path).await
    }

    async fn add_label(&self, repo: &RepoName, number: u64, label: &str) -> GitHubResult<()> {
        if self.dry(
            "add_label",
            Some(repo),
            &format!("label #{number} {label:?}"),
        ) {
            return Ok(());
        }
        let conn = self.conn(&repo.org).await?;
        let path = format!("{}/issues/{number}/labels", repo_path(repo));
        let body = json!({ "labels": [label] });
        self.call(&conn, Method::POST, &path, Some(&body)).await
    }

    async fn remove_label(&self, repo: &RepoName, number: u64, label: &str) -> GitHubResult<()> {
        if self.dry(
            "remove_label",
            Some(repo),
            &format!("unlabel #{number} {label:?}"),
        ) {
            return Ok(());
        }
        let conn = self.conn(&repo.org).await?;
        let path = format!("{}/issues/{number}/labels/{}", repo_path(repo), seg(label));
        self.call(&conn, Method::DELETE, &path, None).await
    }

    async fn assign_issue(
        &self,
        repo: &RepoName,
        number: u64,
        logins: &[String],
    ) -> GitHubResult<()> {
        if logins.is_empty()
            || self.dry(
                "assign_issue",
                Some(repo),
                &format!("assign #{number} to {logins:?}"),
            )
        {
            return Ok(());
        }
        let conn = self.conn(&repo.org).await?;
        let path = format!("{}/issues/{number}/assignees", repo_path(repo));
        let reply = self
            .send(
                &conn,
                Method::POST,
                &path,
                Some(&json!({ "assignees": logins })),
                None,
            )
            .await?;
        if reply.status == StatusCode::UNPROCESSABLE_ENTITY {
            return Err(GitHubError::MissingUsers(logins.to_vec()));
        }
        let issue: Issue = parse(&self.check(reply)?.body)?;
        // GitHub assigns whom it can and answers with the issue: compare (as upstream does).
        let missing: Vec<String> = logins
            .iter()
            .filter(|login| !issue.is_assignee(login))
            .cloned()
            .collect();
        GitHubError::missing_users(missing)
    }

    async fn unassign_issue(
        &self,
        repo: &RepoName,
        number: u64,
        logins: &[String],
    ) -> GitHubResult<()> {
        if logins.is_empty()
            || self.dry(
                "unassign_issue",
                Some(repo),
                &format!("unassign {logins:?} from #{number}"),
            )
        {
            return Ok(());
        }
        let conn = self.conn(&repo.org).await?;
        let path = format!("{}/issues/{number}/assignees", repo_path(repo));
        let body = json!({ "assignees": logins });
        let issue: Issue = self
            .request(&conn, Method::DELETE, &path, Some(&body))
            .await?;
        let left: Vec<&String> = logins.iter().filter(|l| issue.is_assignee(l)).collect();
        if !left.is_empty() {
            tracing::warn!(%repo, number, ?left, "GitHub kept some assignees");
        }
        Ok(())
    }

    async fn request_review(
        &self,
        repo: &RepoName,
        number: u64,
        logins: &[String],
    ) -> GitHubResult<()> {
        if logins.is_empty()
            || self.dry(
                "request_review",
                Some(repo),
                &format!("request reviews on #{number} from {logins:?}"),
            )
        {
            return Ok(());
        }
        let conn = self.conn(&repo.org).await?;
        let path = format!("{}/pulls/{number}/requested_reviewers", repo_path(repo));
        let (body, foreign) = reviewers_body(logins, &repo.org);
        let mut missing: Vec<String> = Vec::new();
        let asked: Vec<&String> = logins.iter().filter(|l| !foreign.contains(l)).collect();
        if !asked.is_empty() {
            match self.try_request_review(&conn, &path, &body).await? {
                Ok(pull) => {
                    // Compare what GitHub now has requested with what was asked for.
                    for login in &asked {
                        let requested = match login.split_once('/') {
                            Some((_, slug)) => pull
                                .requested_teams
                                .iter()
                                .any(|t| t.slug.eq_ignore_ascii_case(slug)),
                            None => pull.requested_reviewers.iter().any(|u| u.is(login)),
                        };
                        if !requested {
                            missing.push((*login).clone());
                        }
                    }
                }
                Err(()) => {
                    // GitHub refuses the whole request when one login is not a collaborator,
                    // without saying which: ask for each alone (as upstream does).
                    for login in &asked {
                        let (one, _) = reviewers_body(std::slice::from_ref(login), &repo.org);
                        if self.try_request_review(&conn, &path, &one).await?.is_err() {
                            missing.push((*login).clone());
                        }
                    }
                }
            }
        }
        missing.extend(foreign);
        // Report them in the order asked.
        missing.sort_by_key(|m| logins.iter().position(|l| l == m));
        GitHubError::missing_users(missing)
    }

    async fn unrequest_review(
        &self,
        repo: &RepoName,
        number: u64,
        logins: &[String],
    ) -> GitHubResult<()> {
        if logins.is_empty()
            || self.dry(
                "unrequest_review",
                Some(repo),
                &format!("withdraw review requests on #{number} from {logins:?}"),
            )
        {
            return Ok(());
        }
        let (body, foreign) = reviewers_body(logins, &repo.org);
        if !foreign.is_empty() {
            tracing::warn!(%repo, number, ?foreign, "teams of other organisations cannot be unrequested");
        }
        if body.as_object().is_none_or(|b| b.is_empty()) {
            return Ok(());
        }
        let conn = self.conn(&repo.org).await?;
        let path = format!("{}/pulls/{number}/requested_reviewers", repo_path(repo));
        let pull: PullRequest = self
            .request(&conn, Method::DELETE, &path, Some(&body))
            .await?;
        let left: Vec<&String> = logins
            .iter()
            .filter(|l| pull.requested_reviewers.iter().any(|u| u.is(l)))
            .collect();
        if !left.is_empty() {
            tracing::warn!(%repo, number, ?left, "GitHub kept some review requests");
        }
        Ok(())
    }

    async fn get_pull_request(&self, repo: &RepoName, number: u64) -> GitHubResult<PullRequest> {
        let conn = self.conn(&repo.org).await?;
        let path = format!("{}/pulls/{number}", repo_path(repo));
        self.request(&conn, Method::GET, &path, None).await
    }

    async fn get_pull_request_changes(
        &self,
        repo: &RepoName,
        number: u64,
    ) -> GitHubResult<Vec<PullRequestChange>> {
        let conn = self.conn(&repo.org).await?;
        let path = format!("{}/pulls/{number}/files", repo_path(repo));
        self.list_array(&conn, &path).await
    }

    async fn list_reviews(&self, repo: &RepoName, number: u64) -> GitHubResult<Vec<Review>> {
        let conn = self.conn(&repo.org).await?;
        let path = format!("{}/pulls/{number}/reviews", repo_path(repo));
        self.list_array(&conn, &path).await
    }

    async fn merge(
        &self,
        repo: &RepoName,
        number: u64,
        details: &MergeDetails,
    ) -> GitHubResult<()> {
        if self.dry(
            "merge",
            Some(repo),
            &format!(
                "merge #{number} at {} by {}",
                details.sha,
                details.merge_method.as_str()
            ),
        ) {
            return Ok(());
        }
        let conn = self.conn(&repo.org).await?;
        let pulls = conn.crab.pulls(&repo.org, &repo.repo);
        let mut merge = pulls.merge(number).method(match details.merge_method {
            MergeMethod::Merge => OctoMergeMethod::Merge,
            MergeMethod::Squash => OctoMergeMethod::Squash,
            MergeMethod::Rebase => OctoMergeMethod::Rebase,
        });
        if !details.sha.is_empty() {
            merge = merge.sha(details.sha.clone());
        }
        if let Some(title) = &details.commit_title {
            merge = merge.title(title.clone());
        }
        if let Some(message) = &details.commit_message {
            merge = merge.message(message.clone());
        }
        match merge.send().await {
            Ok(result) if result.merged => Ok(()),
            Ok(result) => Err(GitHubError::UnmergeablePullRequest(
                result.message.unwrap_or_else(|| "not merged".into()),
            )),
            Err(err) => Err(match self.octo_err(err) {
                GitHubError::Status {
                    status: 405,
                    message,
                } => GitHubError::UnmergeablePullRequest(message),
                GitHubError::Status {
                    status: 409,
                    message,
                } => GitHubError::ModifiedHead(message),
                other => other,
            }),
        }
    }

    async fn create_status(&self, repo: &RepoName, sha: &str, status: &Status) -> GitHubResult<()> {
        if self.dry(
            "create_status",
            Some(repo),
            &format!("set {} to {} on {sha}", status.context, status.state),
        ) {
            return Ok(());
        }
        let conn = self.conn(&repo.org).await?;
        let path = format!("{}/statuses/{}", repo_path(repo), seg(sha));
        let body = serde_json::to_value(status)
            .map_err(|e| GitHubError::Transport(format!("encoding the status: {e}")))?;
        self.call(&conn, Method::POST, &path, Some(&body)).await
    }

    async fn get_combined_status(
        &self,
        repo: &RepoName,
        reference: &str,
    ) -> GitHubResult<CombinedStatus> {
        let conn = self.conn(&repo.org).await?;
        let path = format!(
            "{}/commits/{}/status",
            repo_path(repo),
            utf8_percent_encode(reference, PATH)
        );
        // Every page repeats the combined state and carries more statuses.
        let combined = std::sync::Mutex::new(CombinedStatus::default());
        self.list(&conn, &path, |page| {
            let page: CombinedStatus = serde_json::from_value(page).map_err(|e| {
                GitHubError::Transport(format!("unexpected reply from GitHub: {e}"))
            })?;
            let mut all = combined.lock().unwrap_or_else(|p| p.into_inner());
            all.sha = page.sha;
            all.state = page.state;
            all.statuses.extend(page.statuses);
            Ok(Vec::<()>::new())
        })
        .await?;
        Ok(combined.into_inner().unwrap_or_else(|p| p.into_inner()))
    }

    async fn list_check_runs(
        &self,
        repo: &RepoName,
        reference: &str,
    ) -> GitHubResult<Vec<CheckRun>> {
        let conn = self.conn(&repo.org).await?;
        let path = format!(
            "{}/commits/{}/check-runs",
            repo_path(repo),
            utf8_percent_encode(reference, PATH)
        );
        self.list_field(&conn, &path, "check_runs").await
    }

    async fn get_ref(&self, repo: &RepoName, reference: &str) -> GitHubResult<String> {
        let conn = self.conn(&repo.org).await?;
        let reference = reference.strip_prefix("refs/").unwrap_or(reference);
        let path = format!(
            "{}/git/refs/{}",
            repo_path(repo),
            utf8_percent_encode(reference, PATH)
        );
        let reply: Value = self.request(&conn, Method::GET, &path, None).await?;
        match reply {
            // GitHub answers a prefix of several refs with all of them.
            Value::Array(refs) => {
                let want = format!("refs/{reference}");
                refs.into_iter()
                    .filter_map(|r| serde_json::from_value::<GitRef>(r).ok())
                    .find(|r| r.name == want)
                    .map(|r| r.object.sha)
                    .ok_or_else(|| GitHubError::NotFound(format!("ref {reference} in {repo}")))
            }
            other => {
                let found: GitRef = serde_json::from_value(other).map_err(|e| {
                    GitHubError::Transport(format!("unexpected reply from GitHub: {e}"))
                })?;
                Ok(found.object.sha)
            }
        }
    }

    async fn delete_ref(&self, repo: &RepoName, reference: &str) -> GitHubResult<()> {
        if self.dry("delete_ref", Some(repo), &format!("delete ref {reference}")) {
            return Ok(());
        }
        let conn = self.conn(&repo.org).await?;
        let reference = reference.strip_prefix("refs/").unwrap_or(reference);
        let path = format!(
            "{}/git/refs/{}",
            repo_path(repo),
            utf8_percent_encode(reference, PATH)
        );
        self.call(&conn, Method::DELETE, &path, None).await
    }

    async fn get_file(
        &self,
        repo: &RepoName,
        path: &str,
        commitish: Option<&str>,
    ) -> GitHubResult<Vec<u8>> {
        let conn = self.conn(&repo.org).await?;
        let file = path.trim_start_matches('/');
        let mut route = format!(
            "{}/contents/{}",
            repo_path(repo),
            utf8_percent_encode(file, PATH)
        );
        if let Some(commitish) = commitish.filter(|c| !c.is_empty()) {
            route.push_str("?ref=");
            route.push_str(&query(commitish));
        }
        let reply: Value = self.request(&conn, Method::GET, &route, None).await?;
        if reply.is_array() {
            return Err(GitHubError::NotFound(format!(
                "{repo}/{file} is a directory"
            )));
        }
        let content: Content = serde_json::from_value(reply)
            .map_err(|e| GitHubError::Transport(format!("unexpected reply from GitHub: {e}")))?;
        if !content.kind.is_empty() && content.kind != "file" {
            return Err(GitHubError::NotFound(format!(
                "{repo}/{file} is a {}, not a file",
                content.kind
            )));
        }
        match content.encoding.as_str() {
            "base64" | "" => {
                let compact: String = content
                    .content
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect();
                base64::engine::general_purpose::STANDARD
                    .decode(compact)
                    .map_err(|e| GitHubError::Transport(format!("decoding {file}: {e}")))
            }
            // Files over a megabyte come without content: fetch them raw.
            _ => {
                let reply = self
                    .send(
                        &conn,
                        Method::GET,
                        &route,
                        None,
                        Some("application/vnd.github.raw"),
                    )
                    .await?;
                Ok(self.check(reply)?.body.to_vec())
            }
        }
    }

    async fn is_collaborator(&self, repo: &RepoName, login: &str) -> GitHubResult<bool> {
        if norm_login(&repo.org) == norm_login(login) {
            // Make plugins work on personal repositories (as upstream does).
            return Ok(true);
        }
        let conn = self.conn(&repo.org).await?;
        let path = format!("{}/collaborators/{}", repo_path(repo), seg(login));
        let reply = self.send(&conn, Method::GET, &path, None, None).await?;
        match reply.status {
            StatusCode::NO_CONTENT => Ok(true),
            StatusCode::NOT_FOUND => Ok(false),
            _ => Err(self
                .check(reply)
                .err()
                .unwrap_or_else(|| GitHubError::Status {
                    status: 0,
                    message: "unexpected reply to a collaborator check".into(),
                })),
        }
    }

    async fn get_user_permission(&self, repo: &RepoName, login: &str) -> GitHubResult<Permission> {
        let conn = self.conn(&repo.org).await?;
        let path = format!(
            "{}/collaborators/{}/permission",
            repo_path(repo),
            seg(login)
        );
        let reply: PermissionReply = self.request(&conn, Method::GET, &path, None).await?;
        Ok(permission_of(&reply))
    }

    async fn is_member(&self, org: &str, login: &str) -> GitHubResult<bool> {
        if norm_login(org) == norm_login(login) {
            return Ok(true);
        }
        let conn = self.conn(org).await?;
        conn.crab
            .orgs(org)
            .check_membership(login)
            .await
            .map_err(|e| self.octo_err(e))
    }

    async fn list_teams(&self, org: &str) -> GitHubResult<Vec<Team>> {
        let conn = self.conn(org).await?;
        self.list_array(&conn, &format!("/orgs/{}/teams", seg(org)))
            .await
    }

    async fn list_team_members(
        &self,
        org: &str,
        team_slug: &str,
        role: TeamRole,
    ) -> GitHubResult<Vec<User>> {
        let conn = self.conn(org).await?;
        let role = match role {
            TeamRole::All => "all",
            TeamRole::Maintainer => "maintainer",
            TeamRole::Member => "member",
        };
        let path = format!(
            "/orgs/{}/teams/{}/members?role={role}",
            seg(org),
            seg(team_slug)
        );
        self.list_array(&conn, &path).await
    }

    async fn list_milestones(&self, repo: &RepoName) -> GitHubResult<Vec<Milestone>> {
        let conn = self.conn(&repo.org).await?;
        self.list_array(&conn, &format!("{}/milestones", repo_path(repo)))
            .await
    }

    async fn set_milestone(
        &self,
        repo: &RepoName,
        number: u64,
        milestone: u64,
    ) -> GitHubResult<()> {
        if self.dry(
            "set_milestone",
            Some(repo),
            &format!("set the milestone of #{number} to {milestone}"),
        ) {
            return Ok(());
        }
        let conn = self.conn(&repo.org).await?;
        let path = format!("{}/issues/{number}", repo_path(repo));
        let body = json!({ "milestone": milestone });
        self.call(&conn, Method::PATCH, &path, Some(&body)).await
    }

    async fn clear_milestone(&self, repo: &RepoName, number: u64) -> GitHubResult<()> {
        if self.dry(
            "clear_milestone",
            Some(repo),
            &format!("clear the milestone of #{number}"),
        ) {
            return Ok(());
        }
        let conn = self.conn(&repo.org).await?;
        let path = format!("{}/issues/{number}", repo_path(repo));
        let body = json!({ "milestone": null });
        self.call(&conn, Method::PATCH, &path, Some(&body)).await
    }

    async fn find_issues(&self, query_text: &str) -> GitHubResult<Vec<Issue>> {
        let conn = self.conn_for_query(&[query_text.to_owned()]).await?;
        let path = format!("/search/issues?q={}", query(query_text));
        self.list_field(&conn, &path, "items").await
    }

    async fn graphql(&self, query_text: &str, variables: Value) -> GitHubResult<Value> {
        if query_text.trim_start().starts_with("mutation")
            && self.dry("graphql", None, &format!("run mutation {query_text:?}"))
        {
            return Ok(Value::Null);
        }
        let mut texts = Vec::new();
        strings_of(&variables, &mut texts);
        texts.push(query_text.to_owned());
        let conn = self.conn_for_query(&texts).await?;
        let payload = json!({ "query": query_text, "variables": variables });
        conn.crab
            .graphql::<Value>(&payload)
            .await
            .map_err(|err| match err {
                octocrab::Error::Graphql { source, .. } => graphql_error(&source.to_string()),
                other => self.octo_err(other),
            })
    }

    async fn list_pull_request_comments(
        &self,
        repo: &RepoName,
        number: u64,
    ) -> GitHubResult<Vec<ReviewComment>> {
        let conn = self.conn(&repo.org).await?;
        let path = format!("{}/pulls/{number}/comments", repo_path(repo));
        self.list_array(&conn, &path).await
    }

    async fn list_issue_events(
        &self,
        repo: &RepoName,
        number: u64,
    ) -> GitHubResult<Vec<ListedIssueEvent>> {
        let conn = self.conn(&repo.org).await?;
        let path = format!("{}/issues/{number}/events", repo_path(repo));
        self.list_array(&conn, &path).await
    }

    async fn get_single_commit(
        &self,
        repo: &RepoName,
        sha: &str,
    ) -> GitHubResult<RepositoryCommit> {
        #[derive(Deserialize)]
        struct Sha {
            #[serde(default)]
            sha: String,
        }
        #[derive(Deserialize)]
        struct Git {
            #[serde(default)]
            message: String,
            tree: Sha,
        }
        #[derive(Deserialize)]
        struct Reply {
            sha: String,
            commit: Git,
            #[serde(default)]
            parents: Vec<Sha>,
        }
        let conn = self.conn(&repo.org).await?;
        let path = format!(
            "{}/commits/{}",
            repo_path(repo),
            utf8_percent_encode(sha, PATH)
        );
        let reply: Reply = self.request(&conn, Method::GET, &path, None).await?;
        Ok(RepositoryCommit {
            sha: reply.sha,
            tree_sha: reply.commit.tree.sha,
            parents: reply.parents.into_iter().map(|p| p.sha).collect(),
            message: reply.commit.message,
        })
    }

    async fn get_branch_protection(
        &self,
        repo: &RepoName,
        branch: &str,
    ) -> GitHubResult<Option<BranchProtection>> {
        let conn = self.conn(&repo.org).await?;
        let path = format!("{}/branches/{}/protection", repo_path(repo), seg(branch));
        // GitHub answers 404 "Branch not protected" for a branch without protection, and a
        // plain 404 for an unknown branch or a token that may not see the protection.
        match self.request(&conn, Method::GET, &path, None).await {
            Ok(protection) => Ok(Some(protection)),
            Err(GitHubError::NotFound(message)) if message.starts_with("Branch not protected") => {
                Ok(None)
            }
            Err(other) => Err(other),
        }
    }

    async fn uses_app_auth(&self) -> bool {
        Client::uses_app_auth(self)
    }

    async fn create_check_run(&self, repo: &RepoName, run: &CheckRunRequest) -> GitHubResult<u64> {
        #[derive(Deserialize)]
        struct Created {
            id: u64,
        }
        if self.dry(
            "create_check_run",
            Some(repo),
            &format!("create check run {} on {}", run.name, run.head_sha),
        ) {
            return Ok(0);
        }
        let conn = self.conn(&repo.org).await?;
        let path = format!("{}/check-runs", repo_path(repo));
        let mut body = json!({ "name": run.name, "head_sha": run.head_sha });
        if !run.status.is_empty() {
            body["status"] = json!(run.status);
        }
        if let Some(conclusion) = &run.conclusion {
            body["conclusion"] = json!(conclusion);
        }
        if let Some(url) = &run.details_url {
            body["details_url"] = json!(url);
        }
        if run.title.is_some() || run.summary.is_some() {
            body["output"] = json!({
                "title": run.title.clone().unwrap_or_default(),
                "summary": run.summary.clone().unwrap_or_default(),
            });
        }
        let created: Created = self
            .request(&conn, Method::POST, &path, Some(&body))
            .await?;
        Ok(created.id)
    }

    async fn list_workflow_runs(
        &self,
        repo: &RepoName,
        filter: &WorkflowRunFilter,
    ) -> GitHubResult<Vec<WorkflowRun>> {
        let conn = self.conn(&repo.org).await?;
        let path = format!(
            "{}/actions/runs{}",
            repo_path(repo),
            workflow_runs_query(filter)
        );
        self.list_field(&conn, &path, "workflow_runs").await
    }

    async fn rerun_failed_workflow_jobs(&self, repo: &RepoName, run_id: u64) -> GitHubResult<()> {
        if self.dry(
            "rerun_failed_workflow_jobs",
            Some(repo),
            &format!("re-run the failed jobs of workflow run {run_id}"),
        ) {
            return Ok(());
        }
        let conn = self.conn(&repo.org).await?;
        let path = format!(
            "{}/actions/runs/{run_id}/rerun-failed-jobs",
            repo_path(repo)
        );
        self.call(&conn, Method::POST, &path, None).await
    }

    async fn approve_workflow_run(&self, repo: &RepoName, run_id: u64) -> GitHubResult<()> {
        if self.dry(
            "approve_workflow_run",
            Some(repo),
            &format!("approve workflow run {run_id}"),
        ) {
            return Ok(());
        }
        let conn = self.conn(&repo.org).await?;
        let path = format!("{}/actions/runs/{run_id}/approve", repo_path(repo));
        self.call(&conn, Method::POST, &path, None).await
    }
}

/// The query string of a workflow-run listing (`?branch=...&event=...&head_sha=...&status=...`,
/// the parameters in upstream's order, `event` joining the events with ` OR `), or nothing.
fn workflow_runs_query(filter: &WorkflowRunFilter) -> String {
    let events = filter.events.join(WorkflowRunFilter::EVENT_SEPARATOR);
    let params = [
        ("branch", filter.branch.as_deref()),
        ("event", (!events.is_empty()).then_some(events.as_str())),
        ("head_sha", filter.head_sha.as_deref()),
        ("status", filter.status.as_deref()),
    ];
    let query: Vec<String> = params
        .iter()
        .filter_map(|(key, value)| value.map(|v| format!("{key}={}", query(v))))
        .collect();
    if query.is_empty() {
        String::new()
    } else {
        format!("?{}", query.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_links() {
        let mut headers = HeaderMap::new();
        headers.insert(
            LINK,
            "<https://api.github.com/repositories/1/issues?page=2&per_page=100>; rel=\"next\", <https://api.github.com/repositories/1/issues?page=5>; rel=\"last\""
                .parse()
                .unwrap(),
        );
        assert_eq!(
            next_link(&headers).as_deref(),
            Some("https://api.github.com/repositories/1/issues?page=2&per_page=100")
        );
        headers.insert(
            LINK,
            "<https://x/?page=1>; rel=\"prev\", <https://x/?page=1>; rel=\"first\""
                .parse()
                .unwrap(),
        );
        assert_eq!(next_link(&headers), None);
        assert_eq!(next_link(&HeaderMap::new()), None);
    }

    #[test]
    fn orgs_of_queries() {
        let cases = [
            (
                "is:pr is:open org:kubernetes label:lgtm",
                Some("kubernetes"),
            ),
            ("repo:kubernetes-sigs/prow is:pr", Some("kubernetes-sigs")),
            ("is:pr user:alice", Some("alice")),
            ("is:pr -org:kubernetes", Some("kubernetes")),
            ("is:pr \"org:quoted\"", Some("quoted")),
            ("is:pr label:lgtm", None),
            ("org:", None),
        ];
        for (query, want) in cases {
            assert_eq!(org_of_query(query).as_deref(), want, "{query}");
        }
    }

    #[test]
    fn reviewer_bodies() {
        let logins: Vec<String> = ["bob", "kubernetes/sig-testing", "other/team"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let (body, foreign) = reviewers_body(&logins, "kubernetes");
        assert_eq!(
            body,
            json!({ "reviewers": ["bob"], "team_reviewers": ["sig-testing"] })
        );
        assert_eq!(foreign, ["other/team"]);
    }

    #[test]
    fn permissions() {
        let cases = [
            ("admin", None, Permission::Admin),
            ("write", Some("maintain"), Permission::Maintain),
            ("read", Some("triage"), Permission::Triage),
            ("write", Some("write"), Permission::Write),
            ("write", Some("custom-role"), Permission::Write),
            ("read", None, Permission::Read),
            ("none", None, Permission::None),
        ];
        for (permission, role_name, want) in cases {
            let reply = PermissionReply {
                permission: permission.into(),
                role_name: role_name.map(Into::into),
            };
            assert_eq!(permission_of(&reply), want, "{permission} {role_name:?}");
        }
    }

    #[test]
    fn escaping() {
        assert_eq!(seg("do-not-merge/hold"), "do-not-merge%2Fhold");
        assert_eq!(seg("kind/bug fix"), "kind%2Fbug%20fix");
        assert_eq!(
            utf8_percent_encode("docs/a b.md", PATH).to_string(),
            "docs/a%20b.md"
        );
        assert_eq!(query("is:pr label:lgtm"), "is%3Apr%20label%3Algtm");
    }

    #[test]
    fn workflow_run_queries() {
        assert_eq!(workflow_runs_query(&WorkflowRunFilter::default()), "");
        let filter = WorkflowRunFilter {
            head_sha: Some("abc123".into()),
            branch: Some("fix/flake".into()),
            events: vec!["pull_request".into(), "pull_request_target".into()],
            status: Some("action_required".into()),
        };
        assert_eq!(
            workflow_runs_query(&filter),
            "?branch=fix%2Fflake&event=pull_request%20OR%20pull_request_target&head_sha=abc123&status=action_required"
        );
    }
}
