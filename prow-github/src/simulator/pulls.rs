//! Pull requests: opening one from a fork or a branch, pushing to it, drafts and base
//! changes, review requests, reviews and diff comments, changed files, mergeability, and
//! merging by merge commit, squash or rebase with GitHub's refusals (405, 409).

use std::sync::Arc;

use prow_core::event::{PullRequest, Review, ReviewComment, ReviewState};
use prow_core::github::{
    GitHubError, MergeDetails, MergeMethod, Permission, PullRequestChange, RepoName,
};
use serde_json::{Map, json};

use super::git::{Files, Tree, change_entry, diff_trees, make_commit, three_way};
use super::issues::Target;
use super::refs::{CommitInfo, combined_state};
use super::state::{
    HeadRef, IssueRec, PullRec, RepoRec, ReviewCommentRec, ReviewRec, State, login_key, not_found,
    team_obj, unprocessable,
};
use super::webhooks::{object, to_json};
use super::{SimResult, Simulator};

/// A pull request to open with [`Simulator::open_pull_request_with`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewPullRequest {
    /// The title.
    pub title: String,
    /// The body.
    pub body: String,
    /// The head branch. Created from the base branch when missing.
    pub head: String,
    /// The base branch; the default branch when `None`.
    pub base: Option<String>,
    /// Changes committed to the head branch before opening (none: the head branch must
    /// already have commits the base lacks).
    pub files: Files,
    /// The message of that commit (the title when `None`).
    pub message: Option<String>,
    /// Whether to open it as a draft.
    pub draft: bool,
    /// Whether the head branch is a branch of the repository itself (pushing it sends `push`
    /// webhooks; the author needs write access) rather than of the author's fork (the
    /// default, as for most contributions: the base repository hears no pushes).
    pub same_repo: bool,
}

/// Whether `state` needs a body (GitHub refuses comments and change requests without one).
fn needs_body(state: &ReviewState) -> bool {
    matches!(
        state,
        ReviewState::Commented | ReviewState::ChangesRequested
    )
}

impl State {
    /// The files changed between `base` (the merge base; nothing when `None`) and `head`.
    pub(crate) fn changes_between(
        &self,
        rec: &RepoRec,
        base: Option<&str>,
        head: &str,
    ) -> Vec<PullRequestChange> {
        let empty = Tree::default();
        let old = base
            .and_then(|sha| rec.commit(sha))
            .map(|c| &c.tree)
            .unwrap_or(&empty);
        let new = rec.commit(head).map(|c| &c.tree).unwrap_or(&empty);
        diff_trees(old, new).iter().map(change_entry).collect()
    }

    /// The files a pull request changes: its head against the merge base with its base.
    pub(crate) fn pull_changes(
        &self,
        repo: &RepoName,
        number: u64,
    ) -> SimResult<Vec<PullRequestChange>> {
        let rec = self.repo(repo)?;
        let (_, pull) = rec.pull(number)?;
        let head = rec.head_sha(pull);
        let base = rec.merge_base(&rec.base_sha(pull), &head);
        let mut changes = self.changes_between(rec, base.as_deref(), &head);
        for change in &mut changes {
            change.blob_url = format!(
                "{}/{}/blob/{head}/{}",
                self.web_url, rec.name, change.filename
            );
        }
        Ok(changes)
    }

    /// Opens a pull request as `actor`; returns its number.
    pub(crate) fn open_pull(
        &mut self,
        actor: &str,
        repo: &RepoName,
        new: &NewPullRequest,
    ) -> SimResult<u64> {
        self.ensure_user(actor);
        let rec = self.repo(repo)?;
        self.check_access(actor, rec, Permission::Read, None)?;
        if new.title.trim().is_empty() {
            return Err(unprocessable("title: cannot be blank"));
        }
        let base = new
            .base
            .clone()
            .unwrap_or_else(|| rec.default_branch.clone());
        let base_tip = rec
            .branches
            .get(&base)
            .cloned()
            .ok_or_else(|| unprocessable(format!("base: branch {base} does not exist")))?;
        let owner = if new.same_repo {
            rec.name.org.clone()
        } else {
            self.user(actor).login
        };
        let head = HeadRef {
            owner: owner.clone(),
            branch: new.head.clone(),
        };
        if new.same_repo && new.head == base {
            return Err(unprocessable("head and base are the same branch"));
        }
        let existing = rec.head_branch_sha(&head);
        if !new.files.is_empty() {
            if new.same_repo {
                self.check_access(actor, rec, Permission::Write, None)?;
            }
            let parent = existing.clone().unwrap_or_else(|| base_tip.clone());
            let message = new.message.clone().unwrap_or_else(|| new.title.clone());
            let sha = self.commit_files(repo, Some(&parent), &new.files, &message, actor)?;
            if new.same_repo {
                self.update_branch(actor, repo, &new.head, Some(sha), false)?;
            } else {
                self.update_fork_branch(actor, repo, &owner, &new.head, &sha)?;
            }
        }
        let rec = self.repo(repo)?;
        let head_sha = rec.head_branch_sha(&head).ok_or_else(|| {
            unprocessable(format!("head: branch {owner}:{} does not exist", new.head))
        })?;
        if rec.commits_between(&base_tip, &head_sha).is_empty() {
            return Err(unprocessable(format!(
                "no commits between {base} and {owner}:{}",
                new.head
            )));
        }
        let duplicate = rec.issues.values().any(|issue| {
            issue.open
                && issue
                    .pull
                    .as_ref()
                    .is_some_and(|p| p.head == head && p.base_ref == base)
        });
        if duplicate {
            return Err(unprocessable(format!(
                "a pull request already exists for {owner}:{}",
                new.head
            )));
        }
        let now = self.now();
        let (issue_id, pull_id) = (self.id(), self.id());
        let rec = self.repo_mut(repo)?;
        let number = rec.next_number;
        rec.next_number += 1;
        rec.issues.insert(
            number,
            IssueRec {
                id: issue_id,
                number,
                title: new.title.clone(),
                body: new.body.clone(),
                author: login_key(actor),
                open: true,
                state_reason: None,
                labels: Vec::new(),
                assignees: Vec::new(),
                milestone: None,
                locked: false,
                created: now,
                updated: now,
                closed_at: None,
                reactions: Vec::new(),
                pull: Some(PullRec {
                    id: pull_id,
                    head,
                    same_repo: new.same_repo,
                    head_sha,
                    base_ref: base,
                    closed_base_sha: None,
                    draft: new.draft,
                    merged: false,
                    merged_at: None,
                    merged_by: None,
                    merge_commit_sha: None,
                    mergeable_override: None,
                    requested_reviewers: Vec::new(),
                    requested_teams: Vec::new(),
                    reviews: Vec::new(),
                }),
                label_events: Vec::new(),
            },
        );
        self.emit_pull_request(repo, number, "opened", actor, Map::new());
        Ok(number)
    }

    /// Commits `files` on top of a pull request's head as `actor`; returns the new head SHA.
    pub(crate) fn push_to_pull(
        &mut self,
        actor: &str,
        repo: &RepoName,
        number: u64,
        files: &Files,
        message: &str,
    ) -> SimResult<String> {
        self.ensure_user(actor);
        let rec = self.repo(repo)?;
        let (_, pull) = rec.pull(number)?;
        let head = pull.head.clone();
        let same_repo = pull.same_repo;
        if same_repo {
            self.check_access(actor, rec, Permission::Write, None)?;
        }
        let parent = rec.head_branch_sha(&head).ok_or_else(|| {
            unprocessable(format!(
                "head branch {}:{} was deleted",
                head.owner, head.branch
            ))
        })?;
        let sha = self.commit_files(repo, Some(&parent), files, message, actor)?;
        if same_repo {
            self.update_branch(actor, repo, &head.branch, Some(sha.clone()), false)?;
        } else {
            self.update_fork_branch(actor, repo, &head.owner, &head.branch, &sha)?;
        }
        Ok(sha)
    }

    /// Marks a pull request as a draft or ready for review.
    pub(crate) fn set_draft(
        &mut self,
        actor: &str,
        repo: &RepoName,
        number: u64,
        draft: bool,
    ) -> SimResult<()> {
        let rec = self.repo(repo)?;
        let (issue, pull) = rec.pull(number)?;
        self.check_access(actor, rec, Permission::Write, Some(&issue.author))?;
        if !issue.open {
            return Err(unprocessable("the pull request is closed"));
        }
        if pull.draft == draft {
            return Ok(());
        }
        let now = self.now();
        let issue = self.repo_mut(repo)?.issue_mut(number)?;
        issue.updated = now;
        if let Some(pull) = &mut issue.pull {
            pull.draft = draft;
        }
        let action = if draft {
            "converted_to_draft"
        } else {
            "ready_for_review"
        };
        self.emit_pull_request(repo, number, action, actor, Map::new());
        Ok(())
    }

    /// Moves a pull request to another base branch; `edited` carries the old base.
    pub(crate) fn change_base(
        &mut self,
        actor: &str,
        repo: &RepoName,
        number: u64,
        base: &str,
    ) -> SimResult<()> {
        let rec = self.repo(repo)?;
        let (issue, pull) = rec.pull(number)?;
        self.check_access(actor, rec, Permission::Write, Some(&issue.author))?;
        if !rec.branches.contains_key(base) {
            return Err(unprocessable(format!("base: branch {base} does not exist")));
        }
        if pull.base_ref == base {
            return Ok(());
        }
        let (old_ref, old_sha) = (pull.base_ref.clone(), rec.base_sha(pull));
        let now = self.now();
        let issue = self.repo_mut(repo)?.issue_mut(number)?;
        issue.updated = now;
        if let Some(pull) = &mut issue.pull {
            pull.base_ref = base.to_owned();
        }
        let changes = json!({"base": {"ref": {"from": old_ref}, "sha": {"from": old_sha}}});
        self.emit_pull_request(
            repo,
            number,
            "edited",
            actor,
            object([("changes", changes)]),
        );
        Ok(())
    }

    /// Requests reviews from users and teams (`org/team-slug`); names those GitHub refuses
    /// (non-collaborators, the author, unknown teams) in `MissingUsers`.
    pub(crate) fn request_review(
        &mut self,
        actor: &str,
        repo: &RepoName,
        number: u64,
        logins: &[String],
    ) -> SimResult<()> {
        let rec = self.repo(repo)?;
        let (issue, pull) = rec.pull(number)?;
        self.check_access(actor, rec, Permission::Triage, None)?;
        let org = self.orgs.get(&login_key(&rec.name.org));
        let (mut users, mut teams, mut missing) = (Vec::new(), Vec::new(), Vec::new());
        for login in logins {
            let login = login.trim_start_matches('@');
            if let Some((team_org, slug)) = login.split_once('/') {
                let slug = slug.to_lowercase();
                let known = login_key(team_org) == login_key(&rec.name.org)
                    && org.is_some_and(|o| o.teams.contains_key(&slug));
                if !known {
                    missing.push(login.to_owned());
                } else if !pull.requested_teams.contains(&slug) && !teams.contains(&slug) {
                    teams.push(slug);
                }
                continue;
            }
            let key = login_key(login);
            let allowed = self.users.contains_key(&key)
                && key != login_key(&issue.author)
                && self.permission(rec, login) >= Permission::Read;
            if !allowed {
                missing.push(login.to_owned());
            } else if !pull.requested_reviewers.contains(&key) && !users.contains(&key) {
                users.push(key);
            }
        }
        let team_objs: Vec<_> = teams
            .iter()
            .filter_map(|slug| org.and_then(|o| o.teams.get(slug)))
            .map(team_obj)
            .collect();
        if !users.is_empty() || !teams.is_empty() {
            let now = self.now();
            let issue = self.repo_mut(repo)?.issue_mut(number)?;
            issue.updated = now;
            if let Some(pull) = &mut issue.pull {
                pull.requested_reviewers.extend(users.iter().cloned());
                pull.requested_teams.extend(teams.iter().cloned());
            }
        }
        for user in &users {
            let reviewer = to_json(&self.user(user));
            let extra = object([("requested_reviewer", reviewer)]);
            self.emit_pull_request(repo, number, "review_requested", actor, extra);
        }
        for team in team_objs {
            let extra = object([("requested_team", to_json(&team))]);
            self.emit_pull_request(repo, number, "review_requested", actor, extra);
        }
        GitHubError::missing_users(missing)
    }

    /// Withdraws review requests from users and teams (`org/team-slug`).
    pub(crate) fn unrequest_review(
        &mut self,
        actor: &str,
        repo: &RepoName,
        number: u64,
        logins: &[String],
    ) -> SimResult<()> {
        let rec = self.repo(repo)?;
        let (_, pull) = rec.pull(number)?;
        self.check_access(actor, rec, Permission::Triage, None)?;
        let org = self.orgs.get(&login_key(&rec.name.org));
        let mut users = Vec::new();
        let mut teams = Vec::new();
        for login in logins {
            let login = login.trim_start_matches('@');
            match login.split_once('/') {
                Some((_, slug)) => {
                    let slug = slug.to_lowercase();
                    if pull.requested_teams.contains(&slug) {
                        teams.push(slug);
                    }
                }
                None => {
                    let key = login_key(login);
                    if pull.requested_reviewers.contains(&key) {
                        users.push(key);
                    }
                }
            }
        }
        let team_objs: Vec<_> = teams
            .iter()
            .filter_map(|slug| org.and_then(|o| o.teams.get(slug)))
            .map(team_obj)
            .collect();
        if users.is_empty() && teams.is_empty() {
            return Ok(());
        }
        let issue = self.repo_mut(repo)?.issue_mut(number)?;
        if let Some(pull) = &mut issue.pull {
            pull.requested_reviewers.retain(|r| !users.contains(r));
            pull.requested_teams.retain(|t| !teams.contains(t));
        }
        for user in &users {
            let extra = object([("requested_reviewer", to_json(&self.user(user)))]);
            self.emit_pull_request(repo, number, "review_request_removed", actor, extra);
        }
        for team in team_objs {
            let extra = object([("requested_team", to_json(&team))]);
            self.emit_pull_request(repo, number, "review_request_removed", actor, extra);
        }
        Ok(())
    }

    /// Submits a review as `actor`; returns its ID.
    pub(crate) fn submit_review(
        &mut self,
        actor: &str,
        repo: &RepoName,
        number: u64,
        state: ReviewState,
        body: &str,
    ) -> SimResult<u64> {
        self.ensure_user(actor);
        let rec = self.repo(repo)?;
        let (issue, pull) = rec.pull(number)?;
        self.check_access(actor, rec, Permission::Read, None)?;
        match state {
            ReviewState::Approved | ReviewState::ChangesRequested | ReviewState::Commented => {}
            other => {
                return Err(unprocessable(format!(
                    "event: a review cannot be submitted as {other}"
                )));
            }
        }
        let own = login_key(&issue.author) == login_key(actor);
        if own && state != ReviewState::Commented {
            return Err(unprocessable(format!(
                "can not {} your own pull request",
                if state == ReviewState::Approved {
                    "approve"
                } else {
                    "request changes on"
                }
            )));
        }
        if needs_body(&state) && body.trim().is_empty() {
            return Err(unprocessable("body: a review of this kind needs a body"));
        }
        let commit_id = rec.head_sha(pull);
        let now = self.now();
        let id = self.id();
        let key = login_key(actor);
        let issue = self.repo_mut(repo)?.issue_mut(number)?;
        issue.updated = now;
        if let Some(pull) = &mut issue.pull {
            pull.requested_reviewers.retain(|r| *r != key);
            pull.reviews.push(ReviewRec {
                id,
                author: key,
                state,
                body: body.to_owned(),
                commit_id,
                submitted: now,
            });
        }
        self.emit_review(repo, number, id, "submitted", actor);
        Ok(id)
    }

    /// Dismisses an approval or change request as `actor` (write access).
    pub(crate) fn dismiss_review(
        &mut self,
        actor: &str,
        repo: &RepoName,
        number: u64,
        review_id: u64,
    ) -> SimResult<()> {
        let rec = self.repo(repo)?;
        let (_, pull) = rec.pull(number)?;
        self.check_access(actor, rec, Permission::Write, None)?;
        let review = pull
            .reviews
            .iter()
            .find(|r| r.id == review_id)
            .ok_or_else(|| not_found(format!("review {review_id} on {repo}#{number}")))?;
        if !matches!(
            review.state,
            ReviewState::Approved | ReviewState::ChangesRequested
        ) {
            return Err(unprocessable(format!(
                "can not dismiss a {} pull request review",
                review.state.as_str().to_lowercase()
            )));
        }
        let issue = self.repo_mut(repo)?.issue_mut(number)?;
        if let Some(review) = issue
            .pull
            .as_mut()
            .and_then(|p| p.reviews.iter_mut().find(|r| r.id == review_id))
        {
            review.state = ReviewState::Dismissed;
        }
        self.emit_review(repo, number, review_id, "dismissed", actor);
        Ok(())
    }

    /// Comments on a line of a pull request's diff as `actor`, in a review of its own (as a
    /// single comment on GitHub is); returns the comment's ID.
    pub(crate) fn review_comment(
        &mut self,
        actor: &str,
        repo: &RepoName,
        number: u64,
        path: &str,
        line: u64,
        body: &str,
    ) -> SimResult<u64> {
        self.ensure_user(actor);
        let rec = self.repo(repo)?;
        let (_, pull) = rec.pull(number)?;
        self.check_access(actor, rec, Permission::Read, None)?;
        if body.trim().is_empty() {
            return Err(unprocessable("body: cannot be blank"));
        }
        let changed = self
            .pull_changes(repo, number)?
            .iter()
            .any(|c| c.filename == path);
        if !changed {
            return Err(unprocessable(format!(
                "path: {path} is not part of the pull request's diff"
            )));
        }
        let commit_id = rec.head_sha(pull);
        let now = self.now();
        let (review_id, comment_id) = (self.id(), self.id());
        let key = login_key(actor);
        let rec = self.repo_mut(repo)?;
        rec.review_comments.insert(
            comment_id,
            ReviewCommentRec {
                id: comment_id,
                review_id,
                number,
                author: key.clone(),
                body: body.to_owned(),
                path: path.to_owned(),
                line: Some(line),
                created: now,
            },
        );
        let issue = rec.issue_mut(number)?;
        issue.updated = now;
        if let Some(pull) = &mut issue.pull {
            pull.reviews.push(ReviewRec {
                id: review_id,
                author: key,
                state: ReviewState::Commented,
                body: String::new(),
                commit_id,
                submitted: now,
            });
        }
        self.emit_review_comment(repo, number, comment_id, "created", actor);
        self.emit_review(repo, number, review_id, "submitted", actor);
        Ok(comment_id)
    }

    /// Merges a pull request as `actor`; returns the SHA the base branch moves to.
    pub(crate) fn merge(
        &mut self,
        actor: &str,
        repo: &RepoName,
        number: u64,
        details: &MergeDetails,
    ) -> SimResult<String> {
        let rec = self.repo(repo)?;
        let (issue, pull) = rec.pull(number)?;
        self.check_access(actor, rec, Permission::Write, None)?;
        if pull.merged || !issue.open {
            return Err(GitHubError::UnmergeablePullRequest(
                "Pull Request is not mergeable".to_owned(),
            ));
        }
        if pull.draft {
            return Err(GitHubError::UnmergeablePullRequest(
                "Pull Request is still a draft".to_owned(),
            ));
        }
        let head = rec.head_sha(pull);
        if !details.sha.is_empty() && details.sha != head {
            return Err(GitHubError::ModifiedHead(
                "Head branch was modified. Review and try the merge again.".to_owned(),
            ));
        }
        if pull.mergeable_override == Some(Some(false)) {
            return Err(GitHubError::UnmergeablePullRequest(
                "Pull Request is not mergeable".to_owned(),
            ));
        }
        let base =
            rec.branches.get(&pull.base_ref).cloned().ok_or_else(|| {
                GitHubError::UnmergeablePullRequest("base branch is gone".to_owned())
            })?;
        if let Some(required) = rec.required_contexts.get(&pull.base_ref) {
            let latest = self.latest_statuses(repo, &head)?;
            for context in required {
                let state = latest
                    .iter()
                    .find(|s| &s.context == context)
                    .map(|s| s.state.as_str());
                if combined_state(state) != "success" {
                    return Err(GitHubError::UnmergeablePullRequest(format!(
                        "Required status check \"{context}\" is {}.",
                        if state.is_none() {
                            "expected"
                        } else {
                            "failing"
                        }
                    )));
                }
            }
        }
        let merge_base = rec.merge_base(&base, &head).ok_or_else(|| {
            GitHubError::UnmergeablePullRequest("no common history with the base".to_owned())
        })?;
        let (mb_tree, base_tree, head_tree) = (
            rec.commits[&merge_base].tree.clone(),
            rec.commits[&base].tree.clone(),
            rec.commits[&head].tree.clone(),
        );
        let forced_clean = pull.mergeable_override == Some(Some(true));
        let merged_tree = match three_way(&mb_tree, &base_tree, &head_tree) {
            Ok(tree) => tree,
            Err(_) if forced_clean => {
                // Told it merges cleanly: the head's side wins every conflict.
                let mut tree = (*base_tree).clone();
                for change in diff_trees(&mb_tree, &head_tree) {
                    match change.new {
                        Some(blob) => tree.insert(change.path, blob),
                        None => tree.remove(&change.path),
                    };
                }
                Arc::new(tree)
            }
            Err(conflicts) => {
                return Err(GitHubError::UnmergeablePullRequest(format!(
                    "merge conflict in {}",
                    conflicts.join(", ")
                )));
            }
        };
        let title = issue.title.clone();
        let base_ref = pull.base_ref.clone();
        let pr_commits = rec.commits_between(&base, &head);
        let default_title = match details.merge_method {
            MergeMethod::Merge => format!(
                "Merge pull request #{number} from {}/{}",
                pull.head.owner, pull.head.branch
            ),
            _ => format!("{title} (#{number})"),
        };
        let default_message = match details.merge_method {
            MergeMethod::Merge => title.clone(),
            _ => pr_commits
                .iter()
                .filter_map(|sha| rec.commit(sha))
                .map(|c| format!("* {}", c.message.lines().next().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join("\n"),
        };
        let commit_title = details.commit_title.clone().unwrap_or(default_title);
        let commit_message = details.commit_message.clone().unwrap_or(default_message);
        let message = if commit_message.is_empty() {
            commit_title
        } else {
            format!("{commit_title}\n\n{commit_message}")
        };
        let replay: Vec<(String, String, Tree, Option<Tree>)> = pr_commits
            .iter()
            .filter_map(|sha| rec.commit(sha))
            .map(|c| {
                let parent = c
                    .parents
                    .first()
                    .and_then(|p| rec.commit(p))
                    .map(|p| p.tree.clone());
                (c.author.clone(), c.message.clone(), c.tree.clone(), parent)
            })
            .collect();
        let now = self.now();
        let author = login_key(actor);
        let mut new_commits = Vec::new();
        let new_tip = match details.merge_method {
            MergeMethod::Merge => {
                let parents = vec![base.clone(), head.clone()];
                new_commits.push(make_commit(
                    &mut self.commit_seq,
                    now,
                    parents,
                    merged_tree,
                    &message,
                    &author,
                ));
                new_commits[0].sha.clone()
            }
            MergeMethod::Squash => {
                let parents = vec![base.clone()];
                new_commits.push(make_commit(
                    &mut self.commit_seq,
                    now,
                    parents,
                    merged_tree,
                    &message,
                    &author,
                ));
                new_commits[0].sha.clone()
            }
            MergeMethod::Rebase => {
                let mut tip = base.clone();
                let mut tree = base_tree.clone();
                for (commit_author, commit_message, commit_tree, parent_tree) in replay {
                    let parent_tree = parent_tree.unwrap_or_default();
                    let mut next = (*tree).clone();
                    for change in diff_trees(&parent_tree, &commit_tree) {
                        match change.new {
                            Some(blob) => next.insert(change.path, blob),
                            None => next.remove(&change.path),
                        };
                    }
                    tree = Arc::new(next);
                    let commit = make_commit(
                        &mut self.commit_seq,
                        now,
                        vec![tip.clone()],
                        tree.clone(),
                        &commit_message,
                        &commit_author,
                    );
                    tip = commit.sha.clone();
                    new_commits.push(commit);
                }
                tip
            }
        };
        let rec = self.repo_mut(repo)?;
        for commit in new_commits {
            rec.commits.insert(commit.sha.clone(), commit);
        }
        let issue = rec.issue_mut(number)?;
        issue.open = false;
        issue.closed_at = Some(now);
        issue.updated = now;
        if let Some(pull) = &mut issue.pull {
            pull.merged = true;
            pull.merged_at = Some(now);
            pull.merged_by = Some(author);
            pull.merge_commit_sha = Some(new_tip.clone());
            pull.closed_base_sha = Some(base);
            pull.head_sha = head;
        }
        self.update_branch(actor, repo, &base_ref, Some(new_tip.clone()), false)?;
        self.emit_pull_request(repo, number, "closed", actor, Map::new());
        Ok(new_tip)
    }
}

/// Pull requests: reads, and changes made as a given user (announced by webhooks, not in the
/// call log).
impl Simulator {
    /// A pull request as the pulls API shows it.
    pub fn pull_request(&self, repo: &RepoName, number: u64) -> SimResult<PullRequest> {
        let st = self.lock();
        let rec = st.repo(repo)?;
        let (issue, pull) = rec.pull(number)?;
        Ok(st.pull_obj(rec, issue, pull))
    }

    /// The files a pull request changes (its head against the merge base with its base).
    pub fn pull_request_files(
        &self,
        repo: &RepoName,
        number: u64,
    ) -> SimResult<Vec<PullRequestChange>> {
        self.lock().pull_changes(repo, number)
    }

    /// The commits of a pull request, oldest first.
    pub fn pull_request_commits(&self, repo: &RepoName, number: u64) -> SimResult<Vec<CommitInfo>> {
        let shas = {
            let st = self.lock();
            let rec = st.repo(repo)?;
            let (_, pull) = rec.pull(number)?;
            st.pull_commits(rec, pull)
        };
        shas.iter().map(|sha| self.commit(repo, sha)).collect()
    }

    /// The reviews of a pull request, oldest first.
    pub fn reviews(&self, repo: &RepoName, number: u64) -> SimResult<Vec<Review>> {
        let st = self.lock();
        let rec = st.repo(repo)?;
        let (_, pull) = rec.pull(number)?;
        Ok(pull
            .reviews
            .iter()
            .map(|r| st.review_obj(rec, number, r))
            .collect())
    }

    /// The diff comments of a pull request, oldest first.
    pub fn review_comments(&self, repo: &RepoName, number: u64) -> SimResult<Vec<ReviewComment>> {
        let st = self.lock();
        let rec = st.repo(repo)?;
        rec.pull(number)?;
        Ok(rec
            .review_comments
            .values()
            .filter(|c| c.number == number)
            .map(|c| st.review_comment_obj(rec, c))
            .collect())
    }

    /// Opens a pull request as `author` from branch `head` of the author's fork into the
    /// default branch, committing `files` to `head` first; returns its number.
    pub fn open_pull_request(
        &self,
        repo: &RepoName,
        author: &str,
        title: &str,
        body: &str,
        head: &str,
        files: impl Into<Files>,
    ) -> SimResult<u64> {
        let new = NewPullRequest {
            title: title.to_owned(),
            body: body.to_owned(),
            head: head.to_owned(),
            files: files.into(),
            ..NewPullRequest::default()
        };
        self.open_pull_request_with(repo, author, &new)
    }

    /// Opens a pull request as `author`, as `new` describes; returns its number. Sends
    /// `pull_request` `opened` (after the `push` of a same-repository head branch).
    pub fn open_pull_request_with(
        &self,
        repo: &RepoName,
        author: &str,
        new: &NewPullRequest,
    ) -> SimResult<u64> {
        self.lock().open_pull(author, repo, new)
    }

    /// Commits `files` to a pull request's head branch as its author; sends `synchronize`.
    /// Returns the new head SHA.
    pub fn push_to_pull_request(
        &self,
        repo: &RepoName,
        number: u64,
        files: impl Into<Files>,
    ) -> SimResult<String> {
        let mut st = self.lock();
        let author = st.repo(repo)?.pull(number)?.0.author.clone();
        let message = format!("update #{number}");
        st.push_to_pull(&author, repo, number, &files.into(), &message)
    }

    /// Commits `files` to a pull request's head branch as `actor` with `message`.
    pub fn push_to_pull_request_as(
        &self,
        actor: &str,
        repo: &RepoName,
        number: u64,
        files: impl Into<Files>,
        message: &str,
    ) -> SimResult<String> {
        self.lock()
            .push_to_pull(actor, repo, number, &files.into(), message)
    }

    /// Marks a pull request as a draft (`true`) or ready for review, as `actor`.
    pub fn set_draft_as(
        &self,
        actor: &str,
        repo: &RepoName,
        number: u64,
        draft: bool,
    ) -> SimResult<()> {
        self.lock().set_draft(actor, repo, number, draft)
    }

    /// Moves a pull request onto another base branch, as `actor`; sends `edited`.
    pub fn change_base_as(
        &self,
        actor: &str,
        repo: &RepoName,
        number: u64,
        base: &str,
    ) -> SimResult<()> {
        self.lock().change_base(actor, repo, number, base)
    }

    /// Closes a pull request without merging, as `actor`.
    pub fn close_pull_request_as(
        &self,
        actor: &str,
        repo: &RepoName,
        number: u64,
    ) -> SimResult<()> {
        self.lock()
            .set_open(actor, repo, number, false, false, Target::PullRequest)
    }

    /// Reopens a pull request, as `actor`.
    pub fn reopen_pull_request_as(
        &self,
        actor: &str,
        repo: &RepoName,
        number: u64,
    ) -> SimResult<()> {
        self.lock()
            .set_open(actor, repo, number, true, false, Target::PullRequest)
    }

    /// Requests reviews from users or teams (`org/team-slug`), as `actor`.
    pub fn request_review_as(
        &self,
        actor: &str,
        repo: &RepoName,
        number: u64,
        logins: &[&str],
    ) -> SimResult<()> {
        let logins: Vec<String> = logins.iter().map(|s| s.to_string()).collect();
        self.lock().request_review(actor, repo, number, &logins)
    }

    /// Withdraws review requests, as `actor`.
    pub fn unrequest_review_as(
        &self,
        actor: &str,
        repo: &RepoName,
        number: u64,
        logins: &[&str],
    ) -> SimResult<()> {
        let logins: Vec<String> = logins.iter().map(|s| s.to_string()).collect();
        self.lock().unrequest_review(actor, repo, number, &logins)
    }

    /// Submits a review (`Approved`, `ChangesRequested` or `Commented`) as `user`; sends
    /// `pull_request_review` `submitted`. Returns the review's ID.
    pub fn review_as(
        &self,
        user: &str,
        repo: &RepoName,
        number: u64,
        state: ReviewState,
        body: &str,
    ) -> SimResult<u64> {
        self.lock().submit_review(user, repo, number, state, body)
    }

    /// Dismisses a review as `actor` (write access); sends `pull_request_review` `dismissed`.
    pub fn dismiss_review_as(
        &self,
        actor: &str,
        repo: &RepoName,
        number: u64,
        review_id: u64,
    ) -> SimResult<()> {
        self.lock().dismiss_review(actor, repo, number, review_id)
    }

    /// Comments on line `line` of `path` in a pull request's diff, as `user`; sends
    /// `pull_request_review_comment` `created` and `pull_request_review` `submitted`.
    /// Returns the comment's ID.
    pub fn review_comment_as(
        &self,
        user: &str,
        repo: &RepoName,
        number: u64,
        path: &str,
        line: u64,
        body: &str,
    ) -> SimResult<u64> {
        self.lock()
            .review_comment(user, repo, number, path, line, body)
    }

    /// Merges a pull request as `actor`; returns the SHA its base branch moved to.
    pub fn merge_as(
        &self,
        actor: &str,
        repo: &RepoName,
        number: u64,
        details: &MergeDetails,
    ) -> SimResult<String> {
        self.lock().merge(actor, repo, number, details)
    }

    /// Overrides the mergeability GitHub reports (and enforces on merge): `Some(true)`,
    /// `Some(false)`, or `None` for "still computing". [`Simulator::clear_mergeable`]
    /// goes back to computing it from the branches.
    pub fn set_mergeable(
        &self,
        repo: &RepoName,
        number: u64,
        mergeable: Option<bool>,
    ) -> SimResult<()> {
        let mut st = self.lock();
        let issue = st.repo_mut(repo)?.issue_mut(number)?;
        match &mut issue.pull {
            Some(pull) => {
                pull.mergeable_override = Some(mergeable);
                Ok(())
            }
            None => Err(not_found(format!("pull request {repo}#{number}"))),
        }
    }

    /// Drops an override set by [`Simulator::set_mergeable`].
    pub fn clear_mergeable(&self, repo: &RepoName, number: u64) -> SimResult<()> {
        let mut st = self.lock();
        let issue = st.repo_mut(repo)?.issue_mut(number)?;
        match &mut issue.pull {
            Some(pull) => {
                pull.mergeable_override = None;
                Ok(())
            }
            None => Err(not_found(format!("pull request {repo}#{number}"))),
        }
    }
}
