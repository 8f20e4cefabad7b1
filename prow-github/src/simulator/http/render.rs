//! GitHub's REST shapes: the simulator's objects (as the client faces return them) dressed in
//! every field GitHub's own JSON carries (API and web links, node IDs, counts), so that a real
//! GitHub client's models read them.

use chrono::{DateTime, TimeZone, Utc};
use prow_core::event::{
    CheckRun, Issue, IssueComment, Label, Repo, Review, ReviewComment, Team, User,
};
use prow_core::github::{
    BranchProtection, ListedIssueEvent, Permission, PullRequestChange, RepoName, RepositoryCommit,
    Status, WorkflowRun,
};
use serde_json::{Value, json};

use super::super::state::{RepoRec, State, StatusRec, node_id};
use super::super::webhooks::to_json;

/// The time shown where the simulator keeps none (a milestone's or repository's creation).
fn epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2008, 4, 10, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

/// Inserts `entries` into `value` when it is an object.
fn extend(value: &mut Value, entries: impl IntoIterator<Item = (&'static str, Value)>) {
    if let Value::Object(map) = value {
        for (key, entry) in entries {
            map.insert(key.to_owned(), entry);
        }
    }
}

/// Replaces `value[key]` by `f(value[key])` when present and not null.
fn map_field(value: &mut Value, key: &str, f: impl FnOnce(&Value) -> Value) {
    if let Some(slot) = value.get_mut(key)
        && !slot.is_null()
    {
        *slot = f(slot);
    }
}

/// Replaces every element of the array `value[key]` by `f(element)`.
fn map_array(value: &mut Value, key: &str, f: impl Fn(&Value) -> Value) {
    if let Some(Value::Array(items)) = value.get_mut(key) {
        for item in items.iter_mut() {
            *item = f(item);
        }
    }
}

/// The REST API address of a repository (`{api}/repos/org/repo`).
pub(crate) fn repo_api(st: &State, repo: &RepoName) -> String {
    format!("{}/repos/{repo}", st.api_url)
}

/// An account as GitHub's "simple user" shows it.
pub(crate) fn user(st: &State, user: &User) -> Value {
    let api = format!("{}/users/{}", st.api_url, user.login);
    let user_type = if user.user_type.is_empty() {
        User::TYPE_USER
    } else {
        &user.user_type
    };
    let html_url = if user.html_url.is_empty() {
        format!("{}/{}", st.web_url, user.login)
    } else {
        user.html_url.clone()
    };
    json!({
        "login": user.login,
        "id": user.id,
        "node_id": user.node_id,
        "avatar_url": format!("{}/avatars/u/{}?v=4", st.web_url, user.id),
        "gravatar_id": "",
        "url": api,
        "html_url": html_url,
        "followers_url": format!("{api}/followers"),
        "following_url": format!("{api}/following{{/other_user}}"),
        "gists_url": format!("{api}/gists{{/gist_id}}"),
        "starred_url": format!("{api}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": format!("{api}/subscriptions"),
        "organizations_url": format!("{api}/orgs"),
        "repos_url": format!("{api}/repos"),
        "events_url": format!("{api}/events{{/privacy}}"),
        "received_events_url": format!("{api}/received_events"),
        "type": user_type,
        "site_admin": false,
        "user_view_type": "public",
    })
}

/// An account by login.
pub(crate) fn user_by_login(st: &State, login: &str) -> Value {
    user(st, &st.user(login))
}

/// A user's JSON from a serialised `prow_core` user.
fn user_value(st: &State, value: &Value) -> Value {
    let parsed: User = serde_json::from_value(value.clone()).unwrap_or_default();
    user(st, &parsed)
}

/// The authenticated account (`GET /user`): the simple user and its profile.
pub(crate) fn private_user(st: &State, login: &str) -> Value {
    let shown = st.user(login);
    let mut value = user(st, &shown);
    extend(
        &mut value,
        [
            ("name", json!(shown.name)),
            ("email", json!(shown.email)),
            ("company", Value::Null),
            ("blog", json!("")),
            ("location", Value::Null),
            ("hireable", Value::Null),
            ("bio", Value::Null),
            ("twitter_username", Value::Null),
            ("public_repos", json!(0)),
            ("public_gists", json!(0)),
            ("followers", json!(0)),
            ("following", json!(0)),
            ("created_at", json!(epoch())),
            ("updated_at", json!(epoch())),
        ],
    );
    value
}

/// A repository as the REST API shows it.
pub(crate) fn repo(st: &State, repo: &Repo) -> Value {
    let api = format!("{}/repos/{}", st.api_url, repo.full_name);
    let html = if repo.html_url.is_empty() {
        format!("{}/{}", st.web_url, repo.full_name)
    } else {
        repo.html_url.clone()
    };
    let open_issues = st
        .repos
        .get(&repo.full_name.to_lowercase())
        .map(|rec| rec.issues.values().filter(|i| i.open).count())
        .unwrap_or_default();
    let visibility = repo
        .visibility
        .clone()
        .unwrap_or_else(|| if repo.private { "private" } else { "public" }.to_owned());
    let web_host = st
        .web_url
        .split_once("://")
        .map(|(_, host)| host)
        .unwrap_or(&st.web_url);
    let templates = [
        ("forks_url", "forks"),
        ("keys_url", "keys{/key_id}"),
        ("collaborators_url", "collaborators{/collaborator}"),
        ("teams_url", "teams"),
        ("hooks_url", "hooks"),
        ("issue_events_url", "issues/events{/number}"),
        ("events_url", "events"),
        ("assignees_url", "assignees{/user}"),
        ("branches_url", "branches{/branch}"),
        ("tags_url", "tags"),
        ("blobs_url", "git/blobs{/sha}"),
        ("git_tags_url", "git/tags{/sha}"),
        ("git_refs_url", "git/refs{/sha}"),
        ("trees_url", "git/trees{/sha}"),
        ("statuses_url", "statuses/{sha}"),
        ("languages_url", "languages"),
        ("stargazers_url", "stargazers"),
        ("contributors_url", "contributors"),
        ("subscribers_url", "subscribers"),
        ("subscription_url", "subscription"),
        ("commits_url", "commits{/sha}"),
        ("git_commits_url", "git/commits{/sha}"),
        ("comments_url", "comments{/number}"),
        ("issue_comment_url", "issues/comments{/number}"),
        ("contents_url", "contents/{+path}"),
        ("compare_url", "compare/{base}...{head}"),
        ("merges_url", "merges"),
        ("archive_url", "{archive_format}{/ref}"),
        ("downloads_url", "downloads"),
        ("issues_url", "issues{/number}"),
        ("pulls_url", "pulls{/number}"),
        ("milestones_url", "milestones{/number}"),
        (
            "notifications_url",
            "notifications{?since,all,participating}",
        ),
        ("labels_url", "labels{/name}"),
        ("releases_url", "releases{/id}"),
        ("deployments_url", "deployments"),
    ];
    let mut value = json!({
        "id": repo.id,
        "node_id": repo.node_id,
        "name": repo.name,
        "full_name": repo.full_name,
        "private": repo.private,
        "owner": user(st, &repo.owner),
        "html_url": html,
        "description": repo.description,
        "fork": repo.fork,
        "url": api,
    });
    if let Value::Object(map) = &mut value {
        for (key, tail) in templates {
            map.insert(key.to_owned(), json!(format!("{api}/{tail}")));
        }
    }
    extend(
        &mut value,
        [
            (
                "git_url",
                json!(format!("git://{web_host}/{}.git", repo.full_name)),
            ),
            (
                "ssh_url",
                json!(format!("git@{web_host}:{}.git", repo.full_name)),
            ),
            ("clone_url", json!(format!("{html}.git"))),
            ("svn_url", json!(html)),
            ("homepage", Value::Null),
            ("size", json!(0)),
            ("stargazers_count", json!(0)),
            ("watchers_count", json!(0)),
            ("language", Value::Null),
            ("has_issues", json!(true)),
            ("has_projects", json!(true)),
            ("has_downloads", json!(true)),
            ("has_wiki", json!(true)),
            ("has_pages", json!(false)),
            ("has_discussions", json!(false)),
            ("forks_count", json!(0)),
            ("mirror_url", Value::Null),
            ("archived", json!(repo.archived)),
            ("disabled", json!(false)),
            ("open_issues_count", json!(open_issues)),
            ("license", Value::Null),
            ("allow_forking", json!(true)),
            ("is_template", json!(false)),
            ("web_commit_signoff_required", json!(false)),
            ("topics", json!([])),
            ("visibility", json!(visibility)),
            ("forks", json!(0)),
            ("open_issues", json!(open_issues)),
            ("watchers", json!(0)),
            ("default_branch", json!(repo.default_branch)),
            ("created_at", json!(epoch())),
            ("updated_at", json!(epoch())),
            ("pushed_at", json!(epoch())),
        ],
    );
    value
}

/// A label with the fields the simulator's label lacks.
pub(crate) fn label(label: &Label) -> Value {
    let mut value = to_json(label);
    extend(
        &mut value,
        [
            ("node_id", json!(node_id("LA", label.id))),
            ("default", json!(false)),
        ],
    );
    value
}

/// A label's JSON from a serialised `prow_core` label.
fn label_value(value: &Value) -> Value {
    let parsed: Label = serde_json::from_value(value.clone()).unwrap_or_default();
    label(&parsed)
}

/// A milestone of `rec`, with its issue counts.
pub(crate) fn milestone(st: &State, rec: &RepoRec, number: u64) -> Value {
    let Some(m) = rec.milestones.get(&number) else {
        return Value::Null;
    };
    let api = format!("{}/milestones/{number}", repo_api(st, &rec.name));
    let (open, closed) = rec
        .issues
        .values()
        .filter(|i| i.milestone == Some(number))
        .fold(
            (0u64, 0u64),
            |(o, c), i| {
                if i.open { (o + 1, c) } else { (o, c + 1) }
            },
        );
    let id = rec.id * 1000 + number;
    json!({
        "url": api,
        "html_url": format!("{}/{}/milestone/{number}", st.web_url, rec.name),
        "labels_url": format!("{api}/labels"),
        "id": id,
        "node_id": node_id("MI", id),
        "number": number,
        "title": m.title,
        "description": Value::Null,
        "creator": Value::Null,
        "open_issues": open,
        "closed_issues": closed,
        "state": if m.open { "open" } else { "closed" },
        "created_at": epoch(),
        "updated_at": epoch(),
        "closed_at": if m.open { Value::Null } else { json!(epoch()) },
        "due_on": Value::Null,
    })
}

/// An issue (or a pull request seen as one) of `repo`, from the issue the client face
/// returned.
pub(crate) fn issue(st: &State, repo: &RepoName, issue: &Issue) -> Value {
    let rec = st.repo(repo).ok();
    let mut value = to_json(issue);
    let api = format!("{}/issues/{}", repo_api(st, repo), issue.number);
    let comments = rec
        .map(|rec| {
            rec.comments
                .values()
                .filter(|c| c.number == issue.number)
                .count()
        })
        .unwrap_or_default();
    map_field(&mut value, "user", |u| user_value(st, u));
    map_array(&mut value, "assignees", |u| user_value(st, u));
    map_array(&mut value, "labels", label_value);
    let assignee = value
        .get("assignees")
        .and_then(|a| a.get(0))
        .cloned()
        .unwrap_or(Value::Null);
    let milestone_value = match (rec, &issue.milestone) {
        (Some(rec), Some(m)) => milestone(st, rec, m.number),
        _ => Value::Null,
    };
    map_field(&mut value, "pull_request", |links| {
        let mut links = links.clone();
        let html = format!("{}/{}/pull/{}", st.web_url, repo, issue.number);
        extend(
            &mut links,
            [
                ("diff_url", json!(format!("{html}.diff"))),
                ("patch_url", json!(format!("{html}.patch"))),
            ],
        );
        links
    });
    if value.get("pull_request").is_some_and(Value::is_null)
        && let Value::Object(map) = &mut value
    {
        map.remove("pull_request");
    }
    extend(
        &mut value,
        [
            ("url", json!(api)),
            ("repository_url", json!(repo_api(st, repo))),
            ("labels_url", json!(format!("{api}/labels{{/name}}"))),
            ("comments_url", json!(format!("{api}/comments"))),
            ("events_url", json!(format!("{api}/events"))),
            ("timeline_url", json!(format!("{api}/timeline"))),
            ("assignee", assignee),
            ("milestone", milestone_value),
            ("comments", json!(comments)),
            ("active_lock_reason", Value::Null),
            ("closed_by", Value::Null),
            ("performed_via_github_app", Value::Null),
        ],
    );
    value
}

/// Issue `number` of `repo` as the issues API shows it now (after a change).
pub(crate) fn issue_now(st: &State, repo: &RepoName, number: u64) -> Value {
    let Ok(rec) = st.repo(repo) else {
        return Value::Null;
    };
    let Ok(found) = rec.issue(number) else {
        return Value::Null;
    };
    issue(st, repo, &st.issue_obj(rec, found))
}

/// The repository an issue's `html_url` names (`{web}/org/repo/issues/7`), for search items.
pub(crate) fn repo_of_issue(st: &State, issue: &Issue) -> Option<RepoName> {
    let path = issue.html_url.strip_prefix(&st.web_url)?;
    let mut parts = path.trim_start_matches('/').split('/');
    let org = parts.next()?;
    let name = parts.next()?;
    Some(RepoName::new(org, name))
}

/// A conversation comment on issue `number` of `repo`.
pub(crate) fn comment(st: &State, repo: &RepoName, number: u64, comment: &IssueComment) -> Value {
    let mut value = to_json(comment);
    map_field(&mut value, "user", |u| user_value(st, u));
    extend(
        &mut value,
        [
            (
                "url",
                json!(format!(
                    "{}/issues/comments/{}",
                    repo_api(st, repo),
                    comment.id
                )),
            ),
            (
                "issue_url",
                json!(format!("{}/issues/{number}", repo_api(st, repo))),
            ),
            ("performed_via_github_app", Value::Null),
        ],
    );
    value
}

/// Comment `id` of `repo` as it stands now.
pub(crate) fn comment_now(st: &State, repo: &RepoName, id: u64) -> Value {
    let Ok(rec) = st.repo(repo) else {
        return Value::Null;
    };
    match rec.comments.get(&id) {
        Some(found) => comment(st, repo, found.number, &st.comment_obj(rec, found)),
        None => Value::Null,
    }
}

/// A reaction `content` by `login`, the `index`th on its subject `subject_id`.
pub(crate) fn reaction(
    st: &State,
    subject_id: u64,
    index: usize,
    login: &str,
    content: &str,
) -> Value {
    let id = subject_id * 100 + index as u64 + 1;
    json!({
        "id": id,
        "node_id": node_id("REA", id),
        "user": user_by_login(st, login),
        "content": content,
        "created_at": st.now(),
    })
}

/// A team of `org`.
pub(crate) fn team(st: &State, org: &str, team: &Team) -> Value {
    let api = format!("{}/orgs/{org}/teams/{}", st.api_url, team.slug);
    json!({
        "id": team.id,
        "node_id": node_id("T", team.id),
        "url": api,
        "html_url": format!("{}/orgs/{org}/teams/{}", st.web_url, team.slug),
        "name": team.name,
        "slug": team.slug,
        "description": Value::Null,
        "privacy": "closed",
        "notification_setting": "notifications_enabled",
        "permission": "pull",
        "members_url": format!("{api}/members{{/member}}"),
        "repositories_url": format!("{api}/repos"),
        "parent": Value::Null,
    })
}

/// Pull request `number` of `repo` as the pulls API shows it now.
pub(crate) fn pull(st: &State, repo: &RepoName, number: u64) -> Value {
    let Ok(rec) = st.repo(repo) else {
        return Value::Null;
    };
    let Ok((issue_rec, pull_rec)) = rec.pull(number) else {
        return Value::Null;
    };
    let mut value = st.pull_json(rec, number);
    let api = format!("{}/pulls/{number}", repo_api(st, repo));
    let issue_api = format!("{}/issues/{number}", repo_api(st, repo));
    let html = format!("{}/{}/pull/{number}", st.web_url, repo);
    let head_sha = rec.head_sha(pull_rec);
    map_field(&mut value, "user", |u| user_value(st, u));
    map_field(&mut value, "merged_by", |u| user_value(st, u));
    map_array(&mut value, "assignees", |u| user_value(st, u));
    map_array(&mut value, "requested_reviewers", |u| user_value(st, u));
    map_array(&mut value, "labels", label_value);
    let org = repo.org.clone();
    map_array(&mut value, "requested_teams", |t| {
        let parsed: Team = serde_json::from_value(t.clone()).unwrap_or_default();
        team(st, &org, &parsed)
    });
    for side in ["head", "base"] {
        if let Some(branch) = value.get_mut(side) {
            let owner = branch
                .get("label")
                .and_then(Value::as_str)
                .and_then(|label| label.split_once(':'))
                .map(|(owner, _)| owner.to_owned())
                .unwrap_or_default();
            map_field(branch, "repo", |r| {
                let parsed: Repo = serde_json::from_value(r.clone()).unwrap_or_default();
                self::repo(st, &parsed)
            });
            extend(branch, [("user", user_by_login(st, &owner))]);
        }
    }
    let assignee = value
        .get("assignees")
        .and_then(|a| a.get(0))
        .cloned()
        .unwrap_or(Value::Null);
    let mergeable = rec.mergeable(issue_rec, pull_rec);
    let mergeable_state = if pull_rec.merged || !issue_rec.open {
        "unknown"
    } else if pull_rec.draft {
        "draft"
    } else {
        match mergeable {
            Some(true) => "clean",
            Some(false) => "dirty",
            None => "unknown",
        }
    };
    let milestone_value = issue_rec
        .milestone
        .map(|m| milestone(st, rec, m))
        .unwrap_or(Value::Null);
    let link = |href: String| json!({ "href": href });
    extend(
        &mut value,
        [
            ("url", json!(api)),
            ("diff_url", json!(format!("{html}.diff"))),
            ("patch_url", json!(format!("{html}.patch"))),
            ("issue_url", json!(issue_api)),
            ("commits_url", json!(format!("{api}/commits"))),
            ("review_comments_url", json!(format!("{api}/comments"))),
            (
                "review_comment_url",
                json!(format!("{}/pulls/comments{{/number}}", repo_api(st, repo))),
            ),
            ("comments_url", json!(format!("{issue_api}/comments"))),
            (
                "statuses_url",
                json!(format!("{}/statuses/{head_sha}", repo_api(st, repo))),
            ),
            ("assignee", assignee),
            ("milestone", milestone_value),
            ("closed_at", json!(issue_rec.closed_at)),
            ("active_lock_reason", Value::Null),
            ("mergeable_state", json!(mergeable_state)),
            ("rebaseable", json!(mergeable)),
            ("maintainer_can_modify", json!(false)),
            ("auto_merge", Value::Null),
            (
                "_links",
                json!({
                    "self": link(api.clone()),
                    "html": link(html.clone()),
                    "issue": link(issue_api.clone()),
                    "comments": link(format!("{issue_api}/comments")),
                    "review_comments": link(format!("{api}/comments")),
                    "review_comment": link(format!("{}/pulls/comments{{/number}}", repo_api(st, repo))),
                    "commits": link(format!("{api}/commits")),
                    "statuses": link(format!("{}/statuses/{head_sha}", repo_api(st, repo))),
                }),
            ),
        ],
    );
    value
}

/// A review of pull request `number` of `repo`.
pub(crate) fn review(st: &State, repo: &RepoName, number: u64, review: &Review) -> Value {
    let mut value = to_json(review);
    map_field(&mut value, "user", |u| user_value(st, u));
    let association = st
        .repo(repo)
        .map(|rec| st.author_association(rec, &review.user.login))
        .unwrap_or_else(|_| "NONE".to_owned());
    let api = format!("{}/pulls/{number}", repo_api(st, repo));
    if value.get("body").is_some_and(Value::is_null) {
        extend(&mut value, [("body", json!(""))]);
    }
    extend(
        &mut value,
        [
            ("pull_request_url", json!(api)),
            ("author_association", json!(association)),
            (
                "_links",
                json!({
                    "html": { "href": review.html_url },
                    "pull_request": { "href": api },
                }),
            ),
        ],
    );
    value
}

/// A changed file of a pull request whose head is `head_sha`.
pub(crate) fn file(
    st: &State,
    repo: &RepoName,
    head_sha: &str,
    change: &PullRequestChange,
) -> Value {
    let mut value = to_json(change);
    let encoded = encode_path(&change.filename);
    extend(
        &mut value,
        [
            (
                "blob_url",
                json!(format!("{}/{repo}/blob/{head_sha}/{encoded}", st.web_url)),
            ),
            (
                "raw_url",
                json!(format!("{}/{repo}/raw/{head_sha}/{encoded}", st.web_url)),
            ),
            (
                "contents_url",
                json!(format!(
                    "{}/contents/{encoded}?ref={head_sha}",
                    repo_api(st, repo)
                )),
            ),
        ],
    );
    value
}

/// A commit status as GitHub shows it.
pub(crate) fn status(
    st: &State,
    repo: &RepoName,
    sha: &str,
    rec: Option<&StatusRec>,
    shown: &Status,
    creator: Option<&str>,
) -> Value {
    let (id, created) = rec.map(|r| (r.id, r.created)).unwrap_or((0, epoch()));
    json!({
        "url": format!("{}/statuses/{sha}", repo_api(st, repo)),
        "avatar_url": Value::Null,
        "id": id,
        "node_id": node_id("SC", id),
        "state": shown.state,
        "description": if shown.description.is_empty() { Value::Null } else { json!(shown.description) },
        "target_url": if shown.target_url.is_empty() { Value::Null } else { json!(shown.target_url) },
        "context": shown.context,
        "created_at": created,
        "updated_at": created,
        "creator": creator.map(|login| user_by_login(st, login)).unwrap_or(Value::Null),
    })
}

/// The latest status record of `context` on `sha`.
pub(crate) fn latest_status_rec<'a>(
    rec: &'a RepoRec,
    sha: &str,
    context: &str,
) -> Option<&'a StatusRec> {
    rec.statuses
        .get(sha)
        .and_then(|all| all.iter().rev().find(|s| s.context == context))
}

/// The combined status of `repo` at `sha`, from the statuses the client face returned.
pub(crate) fn combined_status(
    st: &State,
    repo: &RepoName,
    sha: &str,
    state: &str,
    statuses: &[Status],
) -> Value {
    let rec = st.repo(repo).ok();
    let shown: Vec<Value> = statuses
        .iter()
        .map(|s| {
            let found = rec.and_then(|rec| latest_status_rec(rec, sha, &s.context));
            status(st, repo, sha, found, s, None)
        })
        .collect();
    let repository = rec
        .map(|rec| self::repo(st, &st.repo_obj(rec)))
        .unwrap_or(Value::Null);
    json!({
        "state": state,
        "statuses": shown,
        "sha": sha,
        "total_count": statuses.len(),
        "repository": repository,
        "commit_url": format!("{}/commits/{sha}", repo_api(st, repo)),
        "url": format!("{}/commits/{sha}/status", repo_api(st, repo)),
    })
}

/// A check run as GitHub shows it.
pub(crate) fn check_run(st: &State, repo: &RepoName, run: &CheckRun) -> Value {
    let mut value = to_json(run);
    let api = format!("{}/check-runs/{}", repo_api(st, repo), run.id);
    if let Some(output) = value.get_mut("output") {
        extend(
            output,
            [("annotations_url", json!(format!("{api}/annotations")))],
        );
    }
    extend(&mut value, [("url", json!(api))]);
    value
}

/// A GitHub Actions workflow run as GitHub shows it, with its API and web links.
pub(crate) fn workflow_run(st: &State, repo: &RepoName, run: &WorkflowRun) -> Value {
    let mut value = to_json(run);
    extend(
        &mut value,
        [
            ("node_id", json!(node_id("WFR", run.id))),
            (
                "url",
                json!(format!("{}/actions/runs/{}", repo_api(st, repo), run.id)),
            ),
            (
                "html_url",
                json!(format!("{}/{repo}/actions/runs/{}", st.web_url, run.id)),
            ),
        ],
    );
    value
}

/// A commit as `GET /repos/{o}/{r}/commits/{sha}` shows it: its SHA, message, tree and
/// parents.
pub(crate) fn single_commit(st: &State, repo: &RepoName, commit: &RepositoryCommit) -> Value {
    let api = repo_api(st, repo);
    json!({
        "sha": commit.sha,
        "node_id": format!("C_{}", &commit.sha[..commit.sha.len().min(20)]),
        "url": format!("{api}/commits/{}", commit.sha),
        "html_url": format!("{}/{repo}/commit/{}", st.web_url, commit.sha),
        "commit": {
            "message": commit.message,
            "url": format!("{api}/git/commits/{}", commit.sha),
            "tree": {
                "sha": commit.tree_sha,
                "url": format!("{api}/git/trees/{}", commit.tree_sha),
            },
        },
        "parents": commit.parents.iter().map(|sha| json!({
            "sha": sha,
            "url": format!("{api}/commits/{sha}"),
        })).collect::<Vec<_>>(),
    })
}

/// A branch's protection (`GET /repos/{o}/{r}/branches/{b}/protection`).
pub(crate) fn branch_protection(
    st: &State,
    repo: &RepoName,
    branch: &str,
    protection: &BranchProtection,
) -> Value {
    let url = format!("{}/branches/{branch}/protection", repo_api(st, repo));
    let mut value = json!({ "url": url });
    if let Some(checks) = &protection.required_status_checks {
        value["required_status_checks"] = json!({
            "url": format!("{url}/required_status_checks"),
            "strict": checks.strict,
            "contexts": checks.contexts,
            "checks": checks.contexts.iter().map(|c| json!({ "context": c, "app_id": null })).collect::<Vec<_>>(),
        });
    }
    value
}

/// A ref (`refs/heads/main`) pointing at `sha`.
pub(crate) fn git_ref(st: &State, repo: &RepoName, full_ref: &str, sha: &str) -> Value {
    json!({
        "ref": full_ref,
        "node_id": format!("REF_{}", &super::super::git::hash(&["ref", &repo.to_string(), full_ref])[..20]),
        "url": format!("{}/git/{full_ref}", repo_api(st, repo)),
        "object": {
            "type": "commit",
            "sha": sha,
            "url": format!("{}/git/commits/{sha}", repo_api(st, repo)),
        },
    })
}

/// A file's contents (`GET /repos/{o}/{r}/contents/{path}`), base64 in lines of 60 as GitHub
/// sends it.
pub(crate) fn content(
    st: &State,
    repo: &RepoName,
    path: &str,
    reference: &str,
    bytes: &[u8],
) -> Value {
    let mut value = content_entry(st, repo, path, reference, Some(bytes));
    let encoded = super::base64::encode(bytes);
    let wrapped: Vec<&str> = encoded
        .as_bytes()
        .chunks(60)
        .map(|chunk| std::str::from_utf8(chunk).unwrap_or_default())
        .collect();
    let mut content = wrapped.join("\n");
    if !content.is_empty() {
        content.push('\n');
    }
    extend(
        &mut value,
        [("content", json!(content)), ("encoding", json!("base64"))],
    );
    value
}

/// One entry of a directory listing (a file with its contents, or a directory with `None`).
pub(crate) fn content_entry(
    st: &State,
    repo: &RepoName,
    path: &str,
    reference: &str,
    bytes: Option<&[u8]>,
) -> Value {
    let name = path.rsplit('/').next().unwrap_or(path);
    let encoded = encode_path(path);
    let api = format!("{}/contents/{encoded}?ref={reference}", repo_api(st, repo));
    let (kind, sha, size, html, git) = match bytes {
        Some(bytes) => {
            let sha = super::super::git::blob_sha(bytes);
            (
                "file",
                sha.clone(),
                bytes.len(),
                format!("{}/{repo}/blob/{reference}/{encoded}", st.web_url),
                format!("{}/git/blobs/{sha}", repo_api(st, repo)),
            )
        }
        None => {
            let sha = super::super::git::hash(&["dir", &repo.to_string(), reference, path]);
            (
                "dir",
                sha.clone(),
                0,
                format!("{}/{repo}/tree/{reference}/{encoded}", st.web_url),
                format!("{}/git/trees/{sha}", repo_api(st, repo)),
            )
        }
    };
    let download = bytes.map(|_| format!("{}/{repo}/raw/{reference}/{encoded}", st.web_url));
    json!({
        "type": kind,
        "size": size,
        "name": name,
        "path": path,
        "sha": sha,
        "url": api,
        "git_url": git,
        "html_url": html,
        "download_url": download,
        "_links": { "self": api, "git": git, "html": html },
    })
}

/// `login`'s permission on a repository (`GET .../collaborators/{user}/permission`).
pub(crate) fn permission(st: &State, login: &str, permission: Permission) -> Value {
    // `permission` is GitHub's legacy field: maintain reads as write, triage as read.
    let (legacy, role) = match permission {
        Permission::Admin => ("admin", "admin"),
        Permission::Maintain => ("write", "maintain"),
        Permission::Write => ("write", "write"),
        Permission::Triage => ("read", "triage"),
        Permission::Read => ("read", "read"),
        Permission::None => ("none", "none"),
    };
    let mut shown = user_by_login(st, login);
    extend(
        &mut shown,
        [
            (
                "permissions",
                json!({
                    "admin": permission >= Permission::Admin,
                    "maintain": permission >= Permission::Maintain,
                    "push": permission >= Permission::Write,
                    "triage": permission >= Permission::Triage,
                    "pull": permission >= Permission::Read,
                }),
            ),
            ("role_name", json!(role)),
        ],
    );
    json!({ "permission": legacy, "role_name": role, "user": shown })
}

/// Every milestone of `rec` in the given state (`open`, `closed` or `all`).
pub(crate) fn milestones(st: &State, rec: &RepoRec, state: &str) -> Vec<Value> {
    rec.milestones
        .values()
        .filter(|m| match state {
            "closed" => !m.open,
            "all" => true,
            _ => m.open,
        })
        .map(|m| milestone(st, rec, m.number))
        .collect()
}

/// Percent-encodes a path for a URL, keeping its slashes.
pub(crate) fn encode_path(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            percent_encoding::utf8_percent_encode(segment, super::reply::SEGMENT).to_string()
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// A comment on a pull request's diff, as `GET .../pulls/{n}/comments` lists it.
pub(crate) fn review_comment(
    st: &State,
    repo: &RepoName,
    number: u64,
    comment: &ReviewComment,
) -> Value {
    let mut value = to_json(comment);
    map_field(&mut value, "user", |u| user_value(st, u));
    let api = format!("{}/pulls/{number}", repo_api(st, repo));
    extend(&mut value, [("pull_request_url", json!(api))]);
    value
}

/// A timeline event, as `GET .../issues/{n}/events` lists it.
pub(crate) fn issue_event(st: &State, event: &ListedIssueEvent) -> Value {
    let mut value = to_json(event);
    map_field(&mut value, "actor", |u| user_value(st, u));
    if let Some(label) = &event.label {
        // Events show a label by name and color only.
        extend(
            &mut value,
            [("label", json!({ "name": label.name, "color": label.color }))],
        );
    }
    value
}
