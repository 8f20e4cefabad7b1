//! The webhooks the simulator sends: one [`SimWebhook`] for every change GitHub would announce,
//! its payload shaped like GitHub's so that `prow_core::event::Event::parse` reads it, handed
//! to every subscriber and kept in a history.

use std::collections::HashSet;

use prow_core::event::{Commit, CommitAuthor, Event, EventError};
use prow_core::github::RepoName;
use serde_json::{Map, Value, json};

use super::git::{hash, tree_sha};
use super::state::{RepoRec, State, ZERO_SHA, push_bounded};

/// One webhook delivery: what GitHub would POST to a hook.
#[derive(Clone, Debug, PartialEq)]
pub struct SimWebhook {
    /// The `X-GitHub-Event` header (`pull_request`, `issue_comment`, ...).
    pub event_type: String,
    /// The `X-GitHub-Delivery` header: unique per delivery, deterministic per simulator.
    pub delivery_id: String,
    /// The JSON body.
    pub payload: Value,
}

impl SimWebhook {
    /// The body as sent over HTTP.
    pub fn body(&self) -> Vec<u8> {
        serde_json::to_vec(&self.payload).unwrap_or_default()
    }

    /// The payload's `action`, if it has one.
    pub fn action(&self) -> Option<&str> {
        self.payload.get("action").and_then(Value::as_str)
    }

    /// The delivery read as Prow reads it, with its delivery ID as the GUID.
    pub fn parse(&self) -> Result<Event, EventError> {
        Ok(Event::parse(&self.event_type, &self.body())?.with_guid(self.delivery_id.clone()))
    }
}

/// Serialises a `prow_core` object (they always serialise).
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or_default()
}

/// Builds a JSON object from `(key, value)` pairs.
pub(crate) fn object<const N: usize>(entries: [(&str, Value); N]) -> Map<String, Value> {
    entries
        .into_iter()
        .map(|(key, value)| (key.to_owned(), value))
        .collect()
}

impl State {
    /// Sends a webhook to every subscriber and keeps it in the history.
    pub(crate) fn emit(&mut self, event_type: &str, payload: Value) {
        self.delivery_seq += 1;
        let digest = hash(&["delivery", &self.delivery_seq.to_string()]);
        let delivery_id = format!(
            "{}-{}-4{}-8{}-{}",
            &digest[0..8],
            &digest[8..12],
            &digest[12..15],
            &digest[15..18],
            &digest[18..30]
        );
        let webhook = SimWebhook {
            event_type: event_type.to_owned(),
            delivery_id,
            payload,
        };
        tracing::debug!(
            event_type,
            action = webhook.action().unwrap_or_default(),
            delivery = %webhook.delivery_id,
            "simulated webhook"
        );
        self.subscribers
            .retain(|subscriber| subscriber.send(webhook.clone()).is_ok());
        let limit = self.history_limit;
        push_bounded(&mut self.webhooks, webhook, limit);
    }

    /// Adds the blocks every repository event carries: `repository`, `sender`, and
    /// `organization` and `installation` when there are ones.
    fn envelope(&self, repo: &RepoRec, sender: &str, mut body: Map<String, Value>) -> Value {
        body.insert("repository".into(), to_json(&self.repo_obj(repo)));
        body.insert("sender".into(), to_json(&self.user(sender)));
        if let Some(org) = self.organization(repo) {
            body.insert("organization".into(), to_json(&org));
        }
        if let Some(id) = self.installation_id {
            body.insert("installation".into(), json!({ "id": id }));
        }
        Value::Object(body)
    }

    /// An issue as the issues API and webhooks show it, with the URL fields and counts
    /// GitHub adds.
    pub(crate) fn issue_json(&self, repo: &RepoRec, number: u64) -> Value {
        let Some(issue) = repo.issues.get(&number) else {
            return Value::Null;
        };
        let mut value = to_json(&self.issue_obj(repo, issue));
        if let Value::Object(map) = &mut value {
            let url = format!("{}/repos/{}/issues/{number}", self.api_url, repo.name);
            map.insert(
                "repository_url".into(),
                json!(format!("{}/repos/{}", self.api_url, repo.name)),
            );
            map.insert("comments_url".into(), json!(format!("{url}/comments")));
            map.insert("url".into(), json!(url));
            let comments = repo
                .comments
                .values()
                .filter(|c| c.number == number)
                .count();
            map.insert("comments".into(), json!(comments));
        }
        value
    }

    /// A pull request as the pulls API and webhooks show it, with the URL fields and counts
    /// GitHub adds.
    pub(crate) fn pull_json(&self, repo: &RepoRec, number: u64) -> Value {
        let Ok((issue, pull)) = repo.pull(number) else {
            return Value::Null;
        };
        let mut value = to_json(&self.pull_obj(repo, issue, pull));
        if let Value::Object(map) = &mut value {
            map.insert(
                "url".into(),
                json!(format!(
                    "{}/repos/{}/pulls/{number}",
                    self.api_url, repo.name
                )),
            );
            let base = repo.merge_base(&repo.base_sha(pull), &repo.head_sha(pull));
            let changes = self.changes_between(repo, base.as_deref(), &repo.head_sha(pull));
            map.insert("changed_files".into(), json!(changes.len()));
            map.insert(
                "additions".into(),
                json!(changes.iter().map(|c| c.additions).sum::<u64>()),
            );
            map.insert(
                "deletions".into(),
                json!(changes.iter().map(|c| c.deletions).sum::<u64>()),
            );
            let comments = repo
                .comments
                .values()
                .filter(|c| c.number == number)
                .count();
            map.insert("comments".into(), json!(comments));
            let review_comments = repo
                .review_comments
                .values()
                .filter(|c| c.number == number)
                .count();
            map.insert("review_comments".into(), json!(review_comments));
            map.insert("locked".into(), json!(issue.locked));
            map.insert("merged_by".into(), Value::Null);
            if pull.merged
                && let Some(by) = &pull.merged_by
            {
                map.insert("merged_by".into(), to_json(&self.user(by)));
            }
        }
        value
    }

    /// Announces a change to an issue or pull request: a `pull_request` event for a pull
    /// request, an `issues` event for an issue. `extra` holds the action's own fields
    /// (`label`, `assignee`, `changes`, ...).
    pub(crate) fn emit_issue_change(
        &mut self,
        repo: &RepoName,
        number: u64,
        action: &str,
        sender: &str,
        extra: Map<String, Value>,
    ) {
        let Ok(rec) = self.repo(repo) else { return };
        let is_pull = rec.issues.get(&number).is_some_and(|i| i.pull.is_some());
        if is_pull {
            self.emit_pull_request(repo, number, action, sender, extra);
        } else {
            self.emit_issues(repo, number, action, sender, extra);
        }
    }

    /// Sends an `issues` event.
    pub(crate) fn emit_issues(
        &mut self,
        repo: &RepoName,
        number: u64,
        action: &str,
        sender: &str,
        extra: Map<String, Value>,
    ) {
        let Ok(rec) = self.repo(repo) else { return };
        let mut body = object([
            ("action", json!(action)),
            ("issue", self.issue_json(rec, number)),
        ]);
        body.extend(extra);
        let payload = self.envelope(rec, sender, body);
        self.emit("issues", payload);
    }

    /// Sends a `pull_request` event.
    pub(crate) fn emit_pull_request(
        &mut self,
        repo: &RepoName,
        number: u64,
        action: &str,
        sender: &str,
        extra: Map<String, Value>,
    ) {
        let Ok(rec) = self.repo(repo) else { return };
        let mut body = object([
            ("action", json!(action)),
            ("number", json!(number)),
            ("pull_request", self.pull_json(rec, number)),
        ]);
        body.extend(extra);
        let payload = self.envelope(rec, sender, body);
        self.emit("pull_request", payload);
    }

    /// Sends an `issue_comment` event about `comment` (already rendered: a deleted comment
    /// is gone from the state).
    pub(crate) fn emit_issue_comment(
        &mut self,
        repo: &RepoName,
        number: u64,
        comment: Value,
        action: &str,
        sender: &str,
        changes: Option<Value>,
    ) {
        let Ok(rec) = self.repo(repo) else { return };
        let mut body = object([
            ("action", json!(action)),
            ("issue", self.issue_json(rec, number)),
            ("comment", comment),
        ]);
        if let Some(changes) = changes {
            body.insert("changes".into(), changes);
        }
        let payload = self.envelope(rec, sender, body);
        self.emit("issue_comment", payload);
    }

    /// Sends a `pull_request_review` event about review `review_id`.
    pub(crate) fn emit_review(
        &mut self,
        repo: &RepoName,
        number: u64,
        review_id: u64,
        action: &str,
        sender: &str,
    ) {
        let Ok(rec) = self.repo(repo) else { return };
        let Ok((_, pull)) = rec.pull(number) else {
            return;
        };
        let Some(review) = pull.reviews.iter().find(|r| r.id == review_id) else {
            return;
        };
        let mut review = to_json(&self.review_obj(rec, number, review));
        // Webhooks spell review states in lower case (the REST API in upper case).
        if let Some(state) = review.get_mut("state")
            && let Some(text) = state.as_str()
        {
            *state = json!(text.to_lowercase());
        }
        let body = object([
            ("action", json!(action)),
            ("review", review),
            ("pull_request", self.pull_json(rec, number)),
        ]);
        let payload = self.envelope(rec, sender, body);
        self.emit("pull_request_review", payload);
    }

    /// Sends a `pull_request_review_comment` event about diff comment `comment_id`.
    pub(crate) fn emit_review_comment(
        &mut self,
        repo: &RepoName,
        number: u64,
        comment_id: u64,
        action: &str,
        sender: &str,
    ) {
        let Ok(rec) = self.repo(repo) else { return };
        let Some(comment) = rec.review_comments.get(&comment_id) else {
            return;
        };
        let body = object([
            ("action", json!(action)),
            ("comment", to_json(&self.review_comment_obj(rec, comment))),
            ("pull_request", self.pull_json(rec, number)),
        ]);
        let payload = self.envelope(rec, sender, body);
        self.emit("pull_request_review_comment", payload);
    }

    /// A commit as a push payload lists it.
    fn push_commit(&self, rec: &RepoRec, sha: &str) -> Option<Commit> {
        let commit = rec.commit(sha)?;
        let (added, removed, modified) = rec.commit_changes(sha);
        let author = self.user(&commit.author);
        let who = CommitAuthor {
            name: author.name.clone().unwrap_or_else(|| author.login.clone()),
            email: author
                .email
                .clone()
                .unwrap_or_else(|| format!("{}@users.noreply.github.com", author.login)),
            username: Some(author.login.clone()),
        };
        Some(Commit {
            id: commit.sha.clone(),
            tree_id: tree_sha(&commit.tree),
            message: commit.message.clone(),
            url: format!("{}/{}/commit/{}", self.web_url, rec.name, commit.sha),
            distinct: true,
            timestamp: Some(commit.time),
            author: Some(who.clone()),
            committer: Some(who),
            added,
            removed,
            modified,
        })
    }

    /// Sends a `push` event: `reference` (`refs/heads/main`) moved from `before` to `after`
    /// (either may be [`ZERO_SHA`] for a created or deleted ref).
    pub(crate) fn emit_push(
        &mut self,
        repo: &RepoName,
        reference: &str,
        before: &str,
        after: &str,
        pusher: &str,
        forced: bool,
    ) {
        let Ok(rec) = self.repo(repo) else { return };
        let created = before == ZERO_SHA;
        let deleted = after == ZERO_SHA;
        let shas = if deleted {
            Vec::new()
        } else if created {
            // A new ref lists only the commits no other branch or tag has.
            let pushed = reference
                .strip_prefix("refs/heads/")
                .or_else(|| reference.strip_prefix("refs/tags/"))
                .unwrap_or(reference);
            let known: HashSet<String> = rec
                .branches
                .iter()
                .chain(rec.tags.iter())
                .filter(|(name, _)| name.as_str() != pushed)
                .flat_map(|(_, tip)| rec.ancestors(tip))
                .collect();
            rec.commits_excluding(&known, after)
        } else {
            rec.commits_between(before, after)
        };
        let commits: Vec<Commit> = shas
            .iter()
            .filter_map(|sha| self.push_commit(rec, sha))
            .collect();
        let head_commit = if deleted {
            Value::Null
        } else {
            self.push_commit(rec, after)
                .map(|c| to_json(&c))
                .unwrap_or(Value::Null)
        };
        let user = self.user(pusher);
        let pusher_json = json!({
            "name": user.login,
            "email": user.email.clone().unwrap_or_else(|| format!("{}@users.noreply.github.com", user.login)),
        });
        let body = object([
            ("ref", json!(reference)),
            ("before", json!(before)),
            ("after", json!(after)),
            ("created", json!(created)),
            ("deleted", json!(deleted)),
            ("forced", json!(forced)),
            ("base_ref", Value::Null),
            (
                "compare",
                json!(format!(
                    "{}/{}/compare/{}...{}",
                    self.web_url,
                    rec.name,
                    &before[..12.min(before.len())],
                    &after[..12.min(after.len())]
                )),
            ),
            ("commits", to_json(&commits)),
            ("head_commit", head_commit),
            ("pusher", pusher_json),
        ]);
        let payload = self.envelope(rec, pusher, body);
        self.emit("push", payload);
    }

    /// Sends a `status` event for status `status_id` on `sha`.
    pub(crate) fn emit_status(&mut self, repo: &RepoName, sha: &str, status_id: u64, sender: &str) {
        let Ok(rec) = self.repo(repo) else { return };
        let Some(status) = rec
            .statuses
            .get(sha)
            .and_then(|all| all.iter().find(|s| s.id == status_id))
        else {
            return;
        };
        let branches: Vec<Value> = rec
            .branches
            .iter()
            .filter(|(_, tip)| *tip == sha)
            .map(|(name, tip)| json!({"name": name, "commit": {"sha": tip}, "protected": false}))
            .collect();
        let commit = rec
            .commit(sha)
            .map(|c| {
                json!({
                    "sha": c.sha,
                    "commit": {"message": c.message},
                    "author": to_json(&self.user(&c.author)),
                })
            })
            .unwrap_or(Value::Null);
        let none_if_empty = |text: &str| {
            if text.is_empty() {
                Value::Null
            } else {
                json!(text)
            }
        };
        let body = object([
            ("id", json!(status.id)),
            ("sha", json!(sha)),
            ("name", json!(rec.name.to_string())),
            ("target_url", none_if_empty(&status.target_url)),
            ("context", json!(status.context)),
            ("description", none_if_empty(&status.description)),
            ("state", json!(status.state)),
            ("commit", commit),
            ("branches", Value::Array(branches)),
            ("created_at", to_json(&status.created)),
            ("updated_at", to_json(&status.created)),
        ]);
        let payload = self.envelope(rec, sender, body);
        self.emit("status", payload);
    }

    /// Sends a `check_run` event about the run with ID `run_id`.
    pub(crate) fn emit_check_run(
        &mut self,
        repo: &RepoName,
        run_id: u64,
        action: &str,
        sender: &str,
    ) {
        let Ok(rec) = self.repo(repo) else { return };
        let Some(run) = rec.check_runs.iter().find(|r| r.id == run_id) else {
            return;
        };
        let body = object([("action", json!(action)), ("check_run", to_json(run))]);
        let payload = self.envelope(rec, sender, body);
        self.emit("check_run", payload);
    }
}
