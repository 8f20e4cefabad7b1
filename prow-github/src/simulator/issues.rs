//! Issues and what issues and pull requests share: opening, closing and reopening, titles and
//! bodies, conversation comments, reactions, labels, assignees and milestones.

use prow_core::event::{Issue, IssueComment, Label};
use prow_core::github::{Permission, RepoName};
use serde_json::{Map, json};

use super::state::{
    CommentRec, IssueRec, LabelEventRec, RepoRec, State, forbidden, login_key, not_found,
    unprocessable,
};
use super::webhooks::{object, to_json};
use super::{SimResult, Simulator};

/// The reactions GitHub accepts.
pub(crate) const REACTIONS: [&str; 8] = [
    "+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes",
];

/// The colour GitHub gives a label created without one.
pub(crate) const DEFAULT_LABEL_COLOR: &str = "ededed";

/// Which kinds of issue an operation accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// Issues and pull requests (the issues API).
    Any,
    /// Pull requests only (the pulls API).
    PullRequest,
}

impl State {
    /// The issue `number` of `repo`, checked to be of the kind `target`.
    fn target<'a>(
        &'a self,
        repo: &RepoName,
        number: u64,
        target: Target,
    ) -> SimResult<(&'a RepoRec, &'a IssueRec)> {
        let rec = self.repo(repo)?;
        let issue = match target {
            Target::Any => rec.issue(number)?,
            Target::PullRequest => rec.pull(number)?.0,
        };
        Ok((rec, issue))
    }

    /// Whether GitHub lets `login` be assigned to `issue`: anyone with triage access or
    /// more, organisation members who can read the repository, and the issue's author and
    /// commenters. Unknown accounts never.
    pub(crate) fn assignable(&self, rec: &RepoRec, issue: Option<&IssueRec>, login: &str) -> bool {
        let key = login_key(login);
        if !self.users.contains_key(&key) {
            return false;
        }
        let permission = self.permission(rec, login);
        permission >= Permission::Triage
            || (self.is_org_member(&rec.name.org, login) && permission >= Permission::Read)
            || issue.is_some_and(|issue| {
                login_key(&issue.author) == key
                    || rec
                        .comments
                        .values()
                        .any(|c| c.number == issue.number && login_key(&c.author) == key)
            })
    }

    /// The repository's label `name` (ignoring case), created with GitHub's default colour
    /// when the repository lacks it. Returns the label's name as the repository spells it.
    pub(crate) fn ensure_label(&mut self, repo: &RepoName, name: &str) -> SimResult<String> {
        if let Some(label) = self.repo(repo)?.label(name) {
            return Ok(label.name.clone());
        }
        let id = self.id();
        self.repo_mut(repo)?.labels.push(super::state::LabelRec {
            id,
            name: name.to_owned(),
            color: DEFAULT_LABEL_COLOR.to_owned(),
            description: None,
        });
        Ok(name.to_owned())
    }

    /// Opens an issue; returns its number.
    pub(crate) fn create_issue(
        &mut self,
        actor: &str,
        repo: &RepoName,
        title: &str,
        body: &str,
        labels: &[String],
        assignees: &[String],
    ) -> SimResult<u64> {
        self.ensure_user(actor);
        let rec = self.repo(repo)?;
        self.check_access(actor, rec, Permission::Read, None)?;
        if title.trim().is_empty() {
            return Err(unprocessable("title: cannot be blank"));
        }
        let invalid: Vec<String> = assignees
            .iter()
            .filter(|login| !self.assignable(rec, None, login))
            .cloned()
            .collect();
        if !invalid.is_empty() {
            return Err(unprocessable(format!(
                "assignees: invalid: {}",
                invalid.join(", ")
            )));
        }
        // GitHub silently drops labels and assignees set by users without triage access.
        let privileged = self.permission(rec, actor) >= Permission::Triage;
        let mut label_names = Vec::new();
        if privileged {
            for label in labels {
                let name = self.ensure_label(repo, label)?;
                if !label_names
                    .iter()
                    .any(|l: &String| l.eq_ignore_ascii_case(&name))
                {
                    label_names.push(name);
                }
            }
        }
        let mut assignee_keys: Vec<String> = Vec::new();
        if privileged {
            for login in assignees {
                let key = login_key(login);
                if !assignee_keys.contains(&key) {
                    assignee_keys.push(key);
                }
            }
        }
        let now = self.now();
        let id = self.id();
        let rec = self.repo_mut(repo)?;
        let number = rec.next_number;
        rec.next_number += 1;
        rec.issues.insert(
            number,
            IssueRec {
                id,
                number,
                title: title.to_owned(),
                body: body.to_owned(),
                author: login_key(actor),
                open: true,
                state_reason: None,
                labels: label_names.clone(),
                assignees: assignee_keys.clone(),
                milestone: None,
                locked: false,
                created: now,
                updated: now,
                closed_at: None,
                reactions: Vec::new(),
                pull: None,
                label_events: Vec::new(),
            },
        );
        self.emit_issues(repo, number, "opened", actor, Map::new());
        self.announce_labels_and_assignees(repo, number, actor, &label_names, &assignee_keys);
        Ok(number)
    }

    /// The `labeled` and `assigned` events GitHub sends after an issue or pull request is
    /// opened with labels and assignees.
    pub(crate) fn announce_labels_and_assignees(
        &mut self,
        repo: &RepoName,
        number: u64,
        actor: &str,
        labels: &[String],
        assignees: &[String],
    ) {
        for name in labels {
            self.record_label_event(repo, number, actor, name, true);
            let Ok(rec) = self.repo(repo) else { return };
            let Some(label) = rec.label(name) else {
                continue;
            };
            let label = to_json(&self.label_obj(rec, label));
            self.emit_issue_change(repo, number, "labeled", actor, object([("label", label)]));
        }
        for login in assignees {
            let assignee = to_json(&self.user(login));
            self.emit_issue_change(
                repo,
                number,
                "assigned",
                actor,
                object([("assignee", assignee)]),
            );
        }
    }

    /// Writes a label change into the issue's timeline.
    fn record_label_event(
        &mut self,
        repo: &RepoName,
        number: u64,
        actor: &str,
        label: &str,
        labeled: bool,
    ) {
        let at = self.now();
        let Ok(issue) = self.repo_mut(repo).and_then(|rec| rec.issue_mut(number)) else {
            return;
        };
        let id = issue.label_events.len() as u64 + 1;
        issue.label_events.push(LabelEventRec {
            id,
            labeled,
            label: label.to_owned(),
            actor: login_key(actor),
            at,
        });
    }

    /// Closes or reopens an issue or pull request. No change, no event.
    pub(crate) fn set_open(
        &mut self,
        actor: &str,
        repo: &RepoName,
        number: u64,
        open: bool,
        not_planned: bool,
        target: Target,
    ) -> SimResult<()> {
        let (rec, issue) = self.target(repo, number, target)?;
        self.check_access(actor, rec, Permission::Triage, Some(&issue.author))?;
        if issue.open == open {
            return Ok(());
        }
        if let Some(pull) = &issue.pull
            && open
        {
            if pull.merged {
                return Err(unprocessable(
                    "state cannot be changed: the pull request was merged",
                ));
            }
            if rec.head_branch_sha(&pull.head).is_none() {
                return Err(unprocessable(
                    "state cannot be changed: the head branch was deleted",
                ));
            }
        }
        let now = self.now();
        let rec = self.repo_mut(repo)?;
        let base_tip = rec
            .issues
            .get(&number)
            .and_then(|i| i.pull.as_ref())
            .and_then(|p| rec.branches.get(&p.base_ref).cloned());
        let head_tip = rec
            .issues
            .get(&number)
            .and_then(|i| i.pull.as_ref())
            .and_then(|p| rec.head_branch_sha(&p.head));
        let issue = rec.issue_mut(number)?;
        issue.open = open;
        issue.updated = now;
        let is_pull = issue.pull.is_some();
        if open {
            issue.closed_at = None;
            issue.state_reason = (!is_pull).then(|| "reopened".to_owned());
        } else {
            issue.closed_at = Some(now);
            issue.state_reason = (!is_pull).then(|| {
                if not_planned {
                    "not_planned"
                } else {
                    "completed"
                }
                .to_owned()
            });
        }
        if let Some(pull) = &mut issue.pull {
            if let Some(head) = head_tip {
                pull.head_sha = head;
            }
            pull.closed_base_sha = if open { None } else { base_tip };
        }
        let action = if open { "reopened" } else { "closed" };
        self.emit_issue_change(repo, number, action, actor, Map::new());
        Ok(())
    }

    /// Changes an issue's title or body; `edited` carries the old value.
    pub(crate) fn edit_text(
        &mut self,
        actor: &str,
        repo: &RepoName,
        number: u64,
        title: Option<&str>,
        body: Option<&str>,
    ) -> SimResult<()> {
        let (rec, issue) = self.target(repo, number, Target::Any)?;
        self.check_access(actor, rec, Permission::Triage, Some(&issue.author))?;
        if title.is_some_and(|t| t.trim().is_empty()) {
            return Err(unprocessable("title: cannot be blank"));
        }
        let mut changes = Map::new();
        if let Some(title) = title
            && title != issue.title
        {
            changes.insert("title".into(), json!({ "from": issue.title }));
        }
        if let Some(body) = body
            && body != issue.body
        {
            changes.insert("body".into(), json!({ "from": issue.body }));
        }
        if changes.is_empty() {
            return Ok(());
        }
        let now = self.now();
        let issue = self.repo_mut(repo)?.issue_mut(number)?;
        if let Some(title) = title {
            issue.title = title.to_owned();
        }
        if let Some(body) = body {
            issue.body = body.to_owned();
        }
        issue.updated = now;
        let extra = object([("changes", serde_json::Value::Object(changes))]);
        self.emit_issue_change(repo, number, "edited", actor, extra);
        Ok(())
    }

    /// Comments on an issue or pull request; returns the comment's ID.
    pub(crate) fn create_comment(
        &mut self,
        actor: &str,
        repo: &RepoName,
        number: u64,
        body: &str,
    ) -> SimResult<u64> {
        self.ensure_user(actor);
        let (rec, issue) = self.target(repo, number, Target::Any)?;
        self.check_access(actor, rec, Permission::Read, None)?;
        if issue.locked && self.permission(rec, actor) < Permission::Write {
            return Err(forbidden(format!("issue {repo}#{number} is locked")));
        }
        if body.trim().is_empty() {
            return Err(unprocessable("body: cannot be blank"));
        }
        let now = self.now();
        let id = self.id();
        let rec = self.repo_mut(repo)?;
        rec.comments.insert(
            id,
            CommentRec {
                id,
                number,
                author: login_key(actor),
                body: body.to_owned(),
                created: now,
                updated: now,
                reactions: Vec::new(),
            },
        );
        rec.issue_mut(number)?.updated = now;
        let comment = self.comment_json(repo, id)?;
        self.emit_issue_comment(repo, number, comment, "created", actor, None);
        Ok(id)
    }

    /// A comment rendered for a payload.
    fn comment_json(&self, repo: &RepoName, id: u64) -> SimResult<serde_json::Value> {
        let rec = self.repo(repo)?;
        let comment = rec
            .comments
            .get(&id)
            .ok_or_else(|| not_found(format!("comment {id} in {repo}")))?;
        Ok(to_json(&self.comment_obj(rec, comment)))
    }

    /// The comment `id`, checked to be changeable by `actor` (its author, or anyone with
    /// write access).
    fn changeable_comment(&self, actor: &str, repo: &RepoName, id: u64) -> SimResult<&CommentRec> {
        let rec = self.repo(repo)?;
        let comment = rec
            .comments
            .get(&id)
            .ok_or_else(|| not_found(format!("comment {id} in {repo}")))?;
        self.check_access(actor, rec, Permission::Write, Some(&comment.author))?;
        Ok(comment)
    }

    /// Replaces a comment's body.
    pub(crate) fn edit_comment(
        &mut self,
        actor: &str,
        repo: &RepoName,
        id: u64,
        body: &str,
    ) -> SimResult<()> {
        let comment = self.changeable_comment(actor, repo, id)?;
        if body.trim().is_empty() {
            return Err(unprocessable("body: cannot be blank"));
        }
        let (number, old) = (comment.number, comment.body.clone());
        let now = self.now();
        let rec = self.repo_mut(repo)?;
        if let Some(comment) = rec.comments.get_mut(&id) {
            comment.body = body.to_owned();
            comment.updated = now;
        }
        let comment = self.comment_json(repo, id)?;
        let changes = json!({ "body": { "from": old } });
        self.emit_issue_comment(repo, number, comment, "edited", actor, Some(changes));
        Ok(())
    }

    /// Deletes a comment.
    pub(crate) fn delete_comment(
        &mut self,
        actor: &str,
        repo: &RepoName,
        id: u64,
    ) -> SimResult<()> {
        let number = self.changeable_comment(actor, repo, id)?.number;
        let comment = self.comment_json(repo, id)?;
        self.repo_mut(repo)?.comments.remove(&id);
        self.emit_issue_comment(repo, number, comment, "deleted", actor, None);
        Ok(())
    }

    /// Reacts to a comment (`Some(id)`) or to an issue's body (`None`, with `number`).
    pub(crate) fn react(
        &mut self,
        actor: &str,
        repo: &RepoName,
        number: Option<u64>,
        comment_id: Option<u64>,
        reaction: &str,
    ) -> SimResult<()> {
        self.ensure_user(actor);
        let rec = self.repo(repo)?;
        self.check_access(actor, rec, Permission::Read, None)?;
        if !REACTIONS.contains(&reaction) {
            return Err(unprocessable(format!(
                "content: {reaction:?} is not a valid reaction"
            )));
        }
        let key = login_key(actor);
        let rec = self.repo_mut(repo)?;
        let reactions = match (comment_id, number) {
            (Some(id), _) => {
                &mut rec
                    .comments
                    .get_mut(&id)
                    .ok_or_else(|| not_found(format!("comment {id} in {repo}")))?
                    .reactions
            }
            (None, Some(number)) => &mut rec.issue_mut(number)?.reactions,
            (None, None) => return Err(not_found("nothing to react to")),
        };
        let entry = (key, reaction.to_owned());
        if !reactions.contains(&entry) {
            reactions.push(entry);
        }
        Ok(())
    }

    /// Adds a label, creating it in the repository when missing. Adding a label the issue
    /// has already changes nothing.
    pub(crate) fn add_label(
        &mut self,
        actor: &str,
        repo: &RepoName,
        number: u64,
        label: &str,
    ) -> SimResult<()> {
        let (rec, issue) = self.target(repo, number, Target::Any)?;
        self.check_access(actor, rec, Permission::Triage, None)?;
        if label.trim().is_empty() {
            return Err(unprocessable("labels: a label name cannot be blank"));
        }
        if issue.labels.iter().any(|l| l.eq_ignore_ascii_case(label)) {
            return Ok(());
        }
        let name = self.ensure_label(repo, label)?;
        let now = self.now();
        let issue = self.repo_mut(repo)?.issue_mut(number)?;
        issue.labels.push(name.clone());
        issue.updated = now;
        self.announce_labels_and_assignees(repo, number, actor, &[name], &[]);
        Ok(())
    }

    /// Removes a label; a label the issue lacks is GitHub's 404.
    pub(crate) fn remove_label(
        &mut self,
        actor: &str,
        repo: &RepoName,
        number: u64,
        label: &str,
    ) -> SimResult<()> {
        let (rec, issue) = self.target(repo, number, Target::Any)?;
        self.check_access(actor, rec, Permission::Triage, None)?;
        let Some(position) = issue
            .labels
            .iter()
            .position(|l| l.eq_ignore_ascii_case(label))
        else {
            return Err(not_found(format!(
                "label {label:?} does not exist on {repo}#{number}"
            )));
        };
        let label_json = rec
            .label(label)
            .map(|l| to_json(&self.label_obj(rec, l)))
            .unwrap_or_else(|| json!({ "name": label }));
        let now = self.now();
        let issue = self.repo_mut(repo)?.issue_mut(number)?;
        issue.labels.remove(position);
        issue.updated = now;
        self.record_label_event(repo, number, actor, label, false);
        self.emit_issue_change(
            repo,
            number,
            "unlabeled",
            actor,
            object([("label", label_json)]),
        );
        Ok(())
    }

    /// Assigns the assignable logins; names the others in [`GitHubError::MissingUsers`].
    ///
    /// [`GitHubError::MissingUsers`]: prow_core::github::GitHubError::MissingUsers
    pub(crate) fn assign(
        &mut self,
        actor: &str,
        repo: &RepoName,
        number: u64,
        logins: &[String],
    ) -> SimResult<()> {
        let (rec, issue) = self.target(repo, number, Target::Any)?;
        self.check_access(actor, rec, Permission::Triage, None)?;
        let mut added = Vec::new();
        let mut missing = Vec::new();
        for login in logins {
            let login = login.trim_start_matches('@');
            let key = login_key(login);
            if issue.assignees.contains(&key) || added.contains(&key) {
                continue;
            }
            if self.assignable(rec, Some(issue), login) {
                added.push(key);
            } else if !missing.iter().any(|m: &String| login_key(m) == key) {
                missing.push(login.to_owned());
            }
        }
        if !added.is_empty() {
            let now = self.now();
            let issue = self.repo_mut(repo)?.issue_mut(number)?;
            issue.assignees.extend(added.iter().cloned());
            issue.updated = now;
            self.announce_labels_and_assignees(repo, number, actor, &[], &added);
        }
        if missing.is_empty() {
            Ok(())
        } else {
            Err(prow_core::github::GitHubError::MissingUsers(missing))
        }
    }

    /// Unassigns logins; logins not assigned are ignored, as GitHub does.
    pub(crate) fn unassign(
        &mut self,
        actor: &str,
        repo: &RepoName,
        number: u64,
        logins: &[String],
    ) -> SimResult<()> {
        let (rec, issue) = self.target(repo, number, Target::Any)?;
        self.check_access(actor, rec, Permission::Triage, None)?;
        let removed: Vec<String> = issue
            .assignees
            .iter()
            .filter(|a| logins.iter().any(|l| login_key(l) == **a))
            .cloned()
            .collect();
        if removed.is_empty() {
            return Ok(());
        }
        let now = self.now();
        let issue = self.repo_mut(repo)?.issue_mut(number)?;
        issue.assignees.retain(|a| !removed.contains(a));
        issue.updated = now;
        for login in removed {
            let assignee = to_json(&self.user(&login));
            self.emit_issue_change(
                repo,
                number,
                "unassigned",
                actor,
                object([("assignee", assignee)]),
            );
        }
        Ok(())
    }

    /// Sets (`Some`) or clears (`None`) an issue's milestone.
    pub(crate) fn set_milestone(
        &mut self,
        actor: &str,
        repo: &RepoName,
        number: u64,
        milestone: Option<u64>,
    ) -> SimResult<()> {
        let (rec, issue) = self.target(repo, number, Target::Any)?;
        self.check_access(actor, rec, Permission::Triage, None)?;
        if let Some(m) = milestone
            && !rec.milestones.contains_key(&m)
        {
            return Err(unprocessable(format!(
                "milestone: {m} is not a milestone of {repo}"
            )));
        }
        if issue.milestone == milestone {
            return Ok(());
        }
        let previous = issue
            .milestone
            .and_then(|m| rec.milestones.get(&m))
            .map(|m| self.milestone_obj(m));
        let now = self.now();
        let issue = self.repo_mut(repo)?.issue_mut(number)?;
        issue.milestone = milestone;
        issue.updated = now;
        let (action, shown) = match milestone {
            Some(m) => (
                "milestoned",
                self.repo(repo)?
                    .milestones
                    .get(&m)
                    .map(|m| self.milestone_obj(m)),
            ),
            None => ("demilestoned", previous),
        };
        self.emit_issue_change(
            repo,
            number,
            action,
            actor,
            object([("milestone", to_json(&shown))]),
        );
        Ok(())
    }
}

/// Issues: reads, and changes made as a given user. Changes emit the webhooks GitHub would
/// send, with that user as the sender, and are not in the call log (the client faces log
/// theirs).
impl Simulator {
    /// An issue or pull request as the issues API shows it.
    pub fn issue(&self, repo: &RepoName, number: u64) -> SimResult<Issue> {
        let st = self.lock();
        let rec = st.repo(repo)?;
        Ok(st.issue_obj(rec, rec.issue(number)?))
    }

    /// The conversation comments of an issue or pull request, oldest first.
    pub fn issue_comments(&self, repo: &RepoName, number: u64) -> SimResult<Vec<IssueComment>> {
        let st = self.lock();
        let rec = st.repo(repo)?;
        rec.issue(number)?;
        Ok(rec
            .comments
            .values()
            .filter(|c| c.number == number)
            .map(|c| st.comment_obj(rec, c))
            .collect())
    }

    /// The bodies of an issue's comments, oldest first (empty for an unknown issue).
    pub fn comments(&self, repo: &RepoName, number: u64) -> Vec<String> {
        self.issue_comments(repo, number)
            .map(|all| all.into_iter().map(|c| c.body).collect())
            .unwrap_or_default()
    }

    /// The names of an issue's labels, in the order added (empty for an unknown issue).
    pub fn labels(&self, repo: &RepoName, number: u64) -> Vec<String> {
        let st = self.lock();
        st.repo(repo)
            .and_then(|rec| rec.issue(number))
            .map(|issue| issue.labels.clone())
            .unwrap_or_default()
    }

    /// The logins assigned to an issue, in the order assigned (empty for an unknown issue).
    pub fn assignees(&self, repo: &RepoName, number: u64) -> Vec<String> {
        self.issue(repo, number)
            .map(|issue| issue.assignees.into_iter().map(|u| u.login).collect())
            .unwrap_or_default()
    }

    /// The labels of an issue as GitHub shows them.
    pub fn issue_labels(&self, repo: &RepoName, number: u64) -> SimResult<Vec<Label>> {
        let st = self.lock();
        let rec = st.repo(repo)?;
        Ok(st.issue_labels(rec, rec.issue(number)?))
    }

    /// The (login, reaction) pairs on a comment (`Some(id)`) or an issue's body.
    pub fn reactions(
        &self,
        repo: &RepoName,
        number: u64,
        comment_id: Option<u64>,
    ) -> SimResult<Vec<(String, String)>> {
        let st = self.lock();
        let rec = st.repo(repo)?;
        match comment_id {
            Some(id) => rec
                .comments
                .get(&id)
                .map(|c| c.reactions.clone())
                .ok_or_else(|| not_found(format!("comment {id} in {repo}"))),
            None => Ok(rec.issue(number)?.reactions.clone()),
        }
    }

    /// Opens an issue as `actor`; returns its number. Labels are created when missing;
    /// labels and assignees are dropped, as GitHub drops them, unless `actor` has triage
    /// access. An assignee GitHub would refuse is a 422.
    pub fn open_issue_as(
        &self,
        actor: &str,
        repo: &RepoName,
        title: &str,
        body: &str,
        labels: &[&str],
        assignees: &[&str],
    ) -> SimResult<u64> {
        let labels: Vec<String> = labels.iter().map(|s| s.to_string()).collect();
        let assignees: Vec<String> = assignees.iter().map(|s| s.to_string()).collect();
        self.lock()
            .create_issue(actor, repo, title, body, &labels, &assignees)
    }

    /// Closes an issue or pull request as `actor` (its author, or someone with triage
    /// access). Closing a closed one changes nothing.
    pub fn close_as(&self, actor: &str, repo: &RepoName, number: u64) -> SimResult<()> {
        self.lock()
            .set_open(actor, repo, number, false, false, Target::Any)
    }

    /// Closes an issue as not planned, as `actor`.
    pub fn close_not_planned_as(&self, actor: &str, repo: &RepoName, number: u64) -> SimResult<()> {
        self.lock()
            .set_open(actor, repo, number, false, true, Target::Any)
    }

    /// Reopens an issue or pull request as `actor`. A merged pull request, or one whose head
    /// branch is gone, cannot be reopened (422).
    pub fn reopen_as(&self, actor: &str, repo: &RepoName, number: u64) -> SimResult<()> {
        self.lock()
            .set_open(actor, repo, number, true, false, Target::Any)
    }

    /// Changes an issue's or pull request's title as `actor`.
    pub fn edit_title_as(
        &self,
        actor: &str,
        repo: &RepoName,
        number: u64,
        title: &str,
    ) -> SimResult<()> {
        self.lock()
            .edit_text(actor, repo, number, Some(title), None)
    }

    /// Changes an issue's or pull request's body as `actor`.
    pub fn edit_body_as(
        &self,
        actor: &str,
        repo: &RepoName,
        number: u64,
        body: &str,
    ) -> SimResult<()> {
        self.lock().edit_text(actor, repo, number, None, Some(body))
    }

    /// Comments on an issue or pull request as `actor`; returns the comment's ID.
    pub fn comment_as(
        &self,
        actor: &str,
        repo: &RepoName,
        number: u64,
        body: &str,
    ) -> SimResult<u64> {
        self.lock().create_comment(actor, repo, number, body)
    }

    /// Edits comment `id` as `actor` (its author, or someone with write access).
    pub fn edit_comment_as(
        &self,
        actor: &str,
        repo: &RepoName,
        id: u64,
        body: &str,
    ) -> SimResult<()> {
        self.lock().edit_comment(actor, repo, id, body)
    }

    /// Deletes comment `id` as `actor` (its author, or someone with write access).
    pub fn delete_comment_as(&self, actor: &str, repo: &RepoName, id: u64) -> SimResult<()> {
        self.lock().delete_comment(actor, repo, id)
    }

    /// Reacts to comment `id` as `actor`.
    pub fn react_to_comment_as(
        &self,
        actor: &str,
        repo: &RepoName,
        id: u64,
        reaction: &str,
    ) -> SimResult<()> {
        self.lock().react(actor, repo, None, Some(id), reaction)
    }

    /// Reacts to an issue's or pull request's body as `actor`.
    pub fn react_to_issue_as(
        &self,
        actor: &str,
        repo: &RepoName,
        number: u64,
        reaction: &str,
    ) -> SimResult<()> {
        self.lock().react(actor, repo, Some(number), None, reaction)
    }

    /// Adds a label as `actor` (triage access), creating it in the repository if missing.
    pub fn add_label_as(
        &self,
        actor: &str,
        repo: &RepoName,
        number: u64,
        label: &str,
    ) -> SimResult<()> {
        self.lock().add_label(actor, repo, number, label)
    }

    /// Removes a label as `actor`; 404 when the issue lacks it.
    pub fn remove_label_as(
        &self,
        actor: &str,
        repo: &RepoName,
        number: u64,
        label: &str,
    ) -> SimResult<()> {
        self.lock().remove_label(actor, repo, number, label)
    }

    /// Assigns users as `actor`; those GitHub refuses come back in `MissingUsers`, the
    /// others are assigned.
    pub fn assign_as(
        &self,
        actor: &str,
        repo: &RepoName,
        number: u64,
        logins: &[&str],
    ) -> SimResult<()> {
        let logins: Vec<String> = logins.iter().map(|s| s.to_string()).collect();
        self.lock().assign(actor, repo, number, &logins)
    }

    /// Unassigns users as `actor`.
    pub fn unassign_as(
        &self,
        actor: &str,
        repo: &RepoName,
        number: u64,
        logins: &[&str],
    ) -> SimResult<()> {
        let logins: Vec<String> = logins.iter().map(|s| s.to_string()).collect();
        self.lock().unassign(actor, repo, number, &logins)
    }

    /// Sets (`Some(milestone number)`) or clears an issue's milestone as `actor`.
    pub fn set_milestone_as(
        &self,
        actor: &str,
        repo: &RepoName,
        number: u64,
        milestone: Option<u64>,
    ) -> SimResult<()> {
        self.lock().set_milestone(actor, repo, number, milestone)
    }
}
