//! Branches, tags and commits: pushes (with their `push` and `synchronize` webhooks), ref
//! reads and deletion, files at a commit-ish, commit statuses with GitHub's combined state, and
//! check runs.

use std::collections::BTreeMap;

use prow_core::event::{CheckRun, CheckRunOutput};
use prow_core::github::{
    BranchProtection, CombinedStatus, Permission, RepoName, RepositoryCommit, RequiredStatusChecks,
    Status,
};

use super::git::{Files, make_commit, tree_sha};
use super::issues::Target;
use super::state::{ForkRec, State, StatusRec, ZERO_SHA, login_key, not_found, unprocessable};
use super::webhooks::object;
use super::{SimResult, Simulator};

/// The commit states GitHub accepts.
const STATUS_STATES: [&str; 4] = ["error", "failure", "pending", "success"];

/// A commit of a repository, as the simulator shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitInfo {
    /// The SHA.
    pub sha: String,
    /// The SHA of its tree (the same for commits with the same files).
    pub tree_sha: String,
    /// The parents' SHAs.
    pub parents: Vec<String>,
    /// The message.
    pub message: String,
    /// The author's login.
    pub author: String,
    /// Paths added, removed and modified against the first parent.
    pub added: Vec<String>,
    /// Paths removed against the first parent.
    pub removed: Vec<String>,
    /// Paths modified against the first parent.
    pub modified: Vec<String>,
}

/// A check run to create with [`Simulator::create_check_run`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewCheckRun {
    /// The check's name.
    pub name: String,
    /// `queued`, `in_progress` or `completed` (`queued` when empty).
    pub status: String,
    /// The outcome once completed (`success`, `failure`, `neutral`, ...).
    pub conclusion: Option<String>,
    /// The report's title.
    pub title: Option<String>,
    /// The report's summary.
    pub summary: Option<String>,
    /// Where the details are.
    pub details_url: Option<String>,
}

/// GitHub's combined state of the latest statuses: `failure` if any is `error` or
/// `failure`, else `pending` if any is pending or there are none, else `success`.
pub(crate) fn combined_state<'a>(states: impl IntoIterator<Item = &'a str>) -> &'static str {
    let mut any = false;
    let mut pending = false;
    for state in states {
        any = true;
        match state {
            "error" | "failure" => return "failure",
            "pending" => pending = true,
            _ => {}
        }
    }
    if pending || !any {
        "pending"
    } else {
        "success"
    }
}

impl State {
    /// Makes a commit of `files` on top of `parent` (an empty tree when `None`); returns its
    /// SHA. Moves no ref.
    pub(crate) fn commit_files(
        &mut self,
        repo: &RepoName,
        parent: Option<&str>,
        files: &Files,
        message: &str,
        author: &str,
    ) -> SimResult<String> {
        let now = self.now();
        let rec = self.repo(repo)?;
        let tree = match parent {
            Some(sha) => rec
                .commit(sha)
                .ok_or_else(|| unprocessable(format!("no commit {sha} in {repo}")))?
                .tree
                .clone(),
            None => Default::default(),
        };
        let tree = files.apply(&tree);
        let parents = parent.map(|p| vec![p.to_owned()]).unwrap_or_default();
        let commit = make_commit(&mut self.commit_seq, now, parents, tree, message, author);
        let sha = commit.sha.clone();
        self.repo_mut(repo)?.commits.insert(sha.clone(), commit);
        Ok(sha)
    }

    /// Points branch `branch` of `repo` at `new` (or deletes it for `None`) and announces it
    /// as GitHub does: a `push`, then `synchronize` for the open pull requests whose head it
    /// is, or for a deletion the closing of the pull requests from or into it.
    pub(crate) fn update_branch(
        &mut self,
        actor: &str,
        repo: &RepoName,
        branch: &str,
        new: Option<String>,
        forced: bool,
    ) -> SimResult<()> {
        let rec = self.repo_mut(repo)?;
        let before = rec.branches.get(branch).cloned();
        if before == new {
            return Ok(());
        }
        match &new {
            Some(sha) => rec.branches.insert(branch.to_owned(), sha.clone()),
            None => rec.branches.remove(branch),
        };
        let owner = rec.name.org.clone();
        let before_sha = before.clone().unwrap_or_else(|| ZERO_SHA.to_owned());
        let after_sha = new.clone().unwrap_or_else(|| ZERO_SHA.to_owned());
        self.emit_push(
            repo,
            &format!("refs/heads/{branch}"),
            &before_sha,
            &after_sha,
            actor,
            forced,
        );
        match (before, new) {
            (Some(before), Some(after)) => {
                self.synchronize(actor, repo, &owner, branch, &before, &after)?;
            }
            (Some(_), None) => {
                let rec = self.repo(repo)?;
                let doomed: Vec<u64> = rec
                    .issues
                    .values()
                    .filter(|issue| issue.open)
                    .filter(|issue| {
                        issue.pull.as_ref().is_some_and(|pull| {
                            (pull.same_repo && pull.head.branch == branch)
                                || pull.base_ref == branch
                        })
                    })
                    .map(|issue| issue.number)
                    .collect();
                for number in doomed {
                    self.set_open(actor, repo, number, false, false, Target::PullRequest)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Points branch `branch` of `owner`'s fork at `sha`; the base repository hears only the
    /// `synchronize` of its pull requests from that branch.
    pub(crate) fn update_fork_branch(
        &mut self,
        actor: &str,
        repo: &RepoName,
        owner: &str,
        branch: &str,
        sha: &str,
    ) -> SimResult<()> {
        let id = self.id();
        let rec = self.repo_mut(repo)?;
        let fork = rec
            .forks
            .entry(login_key(owner))
            .or_insert_with(|| ForkRec {
                id,
                branches: BTreeMap::new(),
            });
        let before = fork.branches.insert(branch.to_owned(), sha.to_owned());
        if let Some(before) = before
            && before != sha
        {
            self.synchronize(actor, repo, owner, branch, &before, sha)?;
        }
        Ok(())
    }

    /// Sends `synchronize` for every open pull request whose head is `owner:branch`.
    fn synchronize(
        &mut self,
        actor: &str,
        repo: &RepoName,
        owner: &str,
        branch: &str,
        before: &str,
        after: &str,
    ) -> SimResult<()> {
        let now = self.now();
        let rec = self.repo_mut(repo)?;
        let mut numbers = Vec::new();
        for issue in rec.issues.values_mut().filter(|issue| issue.open) {
            if let Some(pull) = &mut issue.pull
                && login_key(&pull.head.owner) == login_key(owner)
                && pull.head.branch == branch
            {
                pull.head_sha = after.to_owned();
                issue.updated = now;
                numbers.push(issue.number);
            }
        }
        for number in numbers {
            let extra = object([
                ("before", serde_json::json!(before)),
                ("after", serde_json::json!(after)),
            ]);
            self.emit_pull_request(repo, number, "synchronize", actor, extra);
        }
        Ok(())
    }

    /// Commits `files` to `branch` as `actor` (creating the branch from the default branch
    /// when missing) and announces the push; returns the new SHA.
    pub(crate) fn push(
        &mut self,
        actor: &str,
        repo: &RepoName,
        branch: &str,
        files: &Files,
        message: &str,
    ) -> SimResult<String> {
        self.ensure_user(actor);
        let rec = self.repo(repo)?;
        self.check_access(actor, rec, Permission::Write, None)?;
        let parent = rec
            .branches
            .get(branch)
            .or_else(|| rec.branches.get(&rec.default_branch))
            .cloned();
        let sha = self.commit_files(repo, parent.as_deref(), files, message, actor)?;
        self.update_branch(actor, repo, branch, Some(sha.clone()), false)?;
        Ok(sha)
    }

    /// The SHA a ref names: `heads/…`, `tags/…` or `pull/N/head`, with or without `refs/`.
    pub(crate) fn get_ref(&self, repo: &RepoName, reference: &str) -> SimResult<String> {
        let rec = self.repo(repo)?;
        let name = reference.strip_prefix("refs/").unwrap_or(reference);
        let qualified = ["heads/", "tags/", "pull/"]
            .iter()
            .any(|prefix| name.starts_with(prefix));
        qualified
            .then(|| rec.resolve(name))
            .flatten()
            .ok_or_else(|| not_found(format!("ref {reference} in {repo}")))
    }

    /// Deletes a branch (`heads/…`) or tag (`tags/…`).
    pub(crate) fn delete_ref(
        &mut self,
        actor: &str,
        repo: &RepoName,
        reference: &str,
    ) -> SimResult<()> {
        let rec = self.repo(repo)?;
        self.check_access(actor, rec, Permission::Write, None)?;
        let name = reference.strip_prefix("refs/").unwrap_or(reference);
        if let Some(branch) = name.strip_prefix("heads/") {
            if !rec.branches.contains_key(branch) {
                return Err(unprocessable(format!(
                    "reference does not exist: {reference}"
                )));
            }
            if branch == rec.default_branch {
                return Err(unprocessable(format!(
                    "cannot delete the default branch {branch}"
                )));
            }
            return self.update_branch(actor, repo, branch, None, false);
        }
        if let Some(tag) = name.strip_prefix("tags/") {
            let before =
                self.repo_mut(repo)?.tags.remove(tag).ok_or_else(|| {
                    unprocessable(format!("reference does not exist: {reference}"))
                })?;
            self.emit_push(
                repo,
                &format!("refs/tags/{tag}"),
                &before,
                ZERO_SHA,
                actor,
                false,
            );
            return Ok(());
        }
        Err(unprocessable(format!(
            "reference does not exist: {reference}"
        )))
    }

    /// The SHA `commitish` names, or the default branch's tip for `None`.
    pub(crate) fn resolve(&self, repo: &RepoName, commitish: Option<&str>) -> SimResult<String> {
        let rec = self.repo(repo)?;
        let commitish = commitish.unwrap_or(&rec.default_branch);
        rec.resolve(commitish)
            .ok_or_else(|| not_found(format!("no commit found for the ref {commitish} in {repo}")))
    }

    /// A file's contents at a commit-ish.
    pub(crate) fn file(
        &self,
        repo: &RepoName,
        path: &str,
        commitish: Option<&str>,
    ) -> SimResult<Vec<u8>> {
        let sha = self.resolve(repo, commitish)?;
        let rec = self.repo(repo)?;
        let tree = &rec.commit(&sha).ok_or_else(|| not_found(sha.clone()))?.tree;
        let path = path.trim_start_matches('/');
        tree.get(path)
            .map(|blob| blob.to_vec())
            .ok_or_else(|| not_found(format!("{path} at {sha} in {repo}")))
    }

    /// Sets a commit status as `actor` (write access).
    pub(crate) fn create_status(
        &mut self,
        actor: &str,
        repo: &RepoName,
        sha: &str,
        status: &Status,
    ) -> SimResult<()> {
        self.ensure_user(actor);
        let rec = self.repo(repo)?;
        self.check_access(actor, rec, Permission::Write, None)?;
        let sha = match rec.resolve(sha) {
            Some(full) if full.starts_with(&sha.to_ascii_lowercase()) => full,
            _ => return Err(unprocessable(format!("no commit found for SHA: {sha}"))),
        };
        if !STATUS_STATES.contains(&status.state.as_str()) {
            return Err(unprocessable(format!(
                "state: {:?} is not one of error, failure, pending, success",
                status.state
            )));
        }
        if status.description.chars().count() > 140 {
            return Err(unprocessable(
                "description is too long (maximum is 140 characters)",
            ));
        }
        let context = if status.context.is_empty() {
            "default".to_owned()
        } else {
            status.context.clone()
        };
        let now = self.now();
        let id = self.id();
        self.repo_mut(repo)?
            .statuses
            .entry(sha.clone())
            .or_default()
            .push(StatusRec {
                id,
                state: status.state.clone(),
                context,
                description: status.description.clone(),
                target_url: status.target_url.clone(),
                created: now,
            });
        self.emit_status(repo, &sha, id, actor);
        Ok(())
    }

    /// The latest status of each context on `sha`, in the order contexts first appeared.
    pub(crate) fn latest_statuses(&self, repo: &RepoName, sha: &str) -> SimResult<Vec<Status>> {
        let rec = self.repo(repo)?;
        let mut latest: Vec<Status> = Vec::new();
        for status in rec.statuses.get(sha).into_iter().flatten() {
            let shown = Status {
                state: status.state.clone(),
                target_url: status.target_url.clone(),
                description: status.description.clone(),
                context: status.context.clone(),
            };
            match latest.iter_mut().find(|s| s.context == status.context) {
                Some(slot) => *slot = shown,
                None => latest.push(shown),
            }
        }
        Ok(latest)
    }

    /// The combined status of a commit-ish.
    pub(crate) fn combined_status(
        &self,
        repo: &RepoName,
        reference: &str,
    ) -> SimResult<CombinedStatus> {
        let sha = self.resolve(repo, Some(reference))?;
        let statuses = self.latest_statuses(repo, &sha)?;
        let state = combined_state(statuses.iter().map(|s| s.state.as_str()));
        Ok(CombinedStatus {
            sha,
            state: state.to_owned(),
            statuses,
        })
    }

    /// A commit, with the SHA of its tree.
    pub(crate) fn single_commit(
        &self,
        repo: &RepoName,
        commitish: &str,
    ) -> SimResult<RepositoryCommit> {
        let sha = self.resolve(repo, Some(commitish))?;
        let rec = self.repo(repo)?;
        let commit = rec
            .commit(&sha)
            .ok_or_else(|| not_found(format!("no commit found for SHA: {sha}")))?;
        Ok(RepositoryCommit {
            sha: commit.sha.clone(),
            tree_sha: tree_sha(&commit.tree),
            parents: commit.parents.clone(),
            message: commit.message.clone(),
        })
    }

    /// The protection of `branch`: the status checks it requires, or `None` when it requires
    /// none (the only protection the simulator models). An unknown branch is 404.
    pub(crate) fn branch_protection(
        &self,
        repo: &RepoName,
        branch: &str,
    ) -> SimResult<Option<BranchProtection>> {
        let rec = self.repo(repo)?;
        if !rec.branches.contains_key(branch) {
            return Err(not_found(format!("branch {branch} in {repo}")));
        }
        Ok(rec
            .required_contexts
            .get(branch)
            .map(|contexts| BranchProtection {
                required_status_checks: Some(RequiredStatusChecks {
                    strict: false,
                    contexts: contexts.clone(),
                }),
            }))
    }

    /// Creates a check run on the commit `sha` names, as the App `app`; sends `check_run`
    /// `created` (and `completed` when created completed). Returns its ID.
    pub(crate) fn create_check_run(
        &mut self,
        app: &str,
        repo: &RepoName,
        sha: &str,
        run: &NewCheckRun,
    ) -> SimResult<u64> {
        self.ensure_user(app);
        let rec = self.repo(repo)?;
        self.check_access(app, rec, Permission::Read, None)?;
        let sha = self.resolve(repo, Some(sha))?;
        let now = self.now();
        let id = self.id();
        let status = if run.status.is_empty() {
            "queued".to_owned()
        } else {
            run.status.clone()
        };
        let completed = status == "completed";
        let web_url = self.web_url.clone();
        let rec = self.repo_mut(repo)?;
        rec.check_runs.push(CheckRun {
            id,
            node_id: super::state::node_id("CR", id),
            name: run.name.clone(),
            head_sha: sha,
            external_id: None,
            html_url: format!("{web_url}/{repo}/runs/{id}"),
            details_url: run.details_url.clone(),
            status,
            conclusion: run.conclusion.clone(),
            started_at: Some(now),
            completed_at: completed.then_some(now),
            output: CheckRunOutput {
                title: run.title.clone(),
                summary: run.summary.clone(),
                text: None,
                annotations_count: 0,
            },
            check_suite: None,
            app: None,
            pull_requests: Vec::new(),
        });
        self.emit_check_run(repo, id, "created", app);
        if completed {
            self.emit_check_run(repo, id, "completed", app);
        }
        Ok(id)
    }

    /// The check runs of a commit-ish, oldest first.
    pub(crate) fn check_runs(&self, repo: &RepoName, reference: &str) -> SimResult<Vec<CheckRun>> {
        let sha = self.resolve(repo, Some(reference))?;
        let rec = self.repo(repo)?;
        Ok(rec
            .check_runs
            .iter()
            .filter(|run| run.head_sha == sha)
            .cloned()
            .collect())
    }
}

/// Branches, commits, files, statuses and check runs: reads, and changes made as a given
/// user (announced by webhooks, not in the call log).
impl Simulator {
    /// The branches of a repository and their tips.
    pub fn branches(&self, repo: &RepoName) -> SimResult<BTreeMap<String, String>> {
        Ok(self.lock().repo(repo)?.branches.clone())
    }

    /// The SHA a commit-ish names (SHA, abbreviated SHA, branch, tag, `heads/…`,
    /// `pull/N/head`), or the default branch's tip for `None`.
    pub fn resolve_ref(&self, repo: &RepoName, commitish: Option<&str>) -> SimResult<String> {
        self.lock().resolve(repo, commitish)
    }

    /// A commit.
    pub fn commit(&self, repo: &RepoName, commitish: &str) -> SimResult<CommitInfo> {
        let st = self.lock();
        let sha = st.resolve(repo, Some(commitish))?;
        let rec = st.repo(repo)?;
        let commit = rec.commit(&sha).ok_or_else(|| not_found(sha.clone()))?;
        let (added, removed, modified) = rec.commit_changes(&sha);
        Ok(CommitInfo {
            sha: commit.sha.clone(),
            tree_sha: tree_sha(&commit.tree),
            parents: commit.parents.clone(),
            message: commit.message.clone(),
            author: st.user(&commit.author).login,
            added,
            removed,
            modified,
        })
    }

    /// A file's contents at a commit-ish (the default branch for `None`).
    pub fn file(&self, repo: &RepoName, path: &str, commitish: Option<&str>) -> SimResult<Vec<u8>> {
        self.lock().file(repo, path, commitish)
    }

    /// Every file at a commit-ish (the default branch for `None`): path → contents.
    pub fn tree(
        &self,
        repo: &RepoName,
        commitish: Option<&str>,
    ) -> SimResult<BTreeMap<String, Vec<u8>>> {
        let st = self.lock();
        let sha = st.resolve(repo, commitish)?;
        let rec = st.repo(repo)?;
        let commit = rec.commit(&sha).ok_or_else(|| not_found(sha.clone()))?;
        Ok(commit
            .tree
            .iter()
            .map(|(path, blob)| (path.clone(), blob.to_vec()))
            .collect())
    }

    /// Commits `files` to `branch` as `actor` (write access), creating the branch from the
    /// default branch when missing; sends `push`, and `synchronize` for pull requests from
    /// that branch. Returns the new SHA.
    pub fn push_as(
        &self,
        actor: &str,
        repo: &RepoName,
        branch: &str,
        files: impl Into<Files>,
        message: &str,
    ) -> SimResult<String> {
        self.lock()
            .push(actor, repo, branch, &files.into(), message)
    }

    /// Creates branch `branch` at the commit `from` names, as `actor` (write access).
    pub fn create_branch_as(
        &self,
        actor: &str,
        repo: &RepoName,
        branch: &str,
        from: &str,
    ) -> SimResult<String> {
        let mut st = self.lock();
        let rec = st.repo(repo)?;
        st.check_access(actor, rec, Permission::Write, None)?;
        if rec.branches.contains_key(branch) {
            return Err(unprocessable(format!(
                "reference already exists: heads/{branch}"
            )));
        }
        let sha = st.resolve(repo, Some(from))?;
        st.update_branch(actor, repo, branch, Some(sha.clone()), false)?;
        Ok(sha)
    }

    /// Moves branch `branch` to the commit `to` names, as `actor` (write access): a force
    /// push when `to` does not descend from the branch's tip.
    pub fn force_push_as(
        &self,
        actor: &str,
        repo: &RepoName,
        branch: &str,
        to: &str,
    ) -> SimResult<()> {
        let mut st = self.lock();
        let rec = st.repo(repo)?;
        st.check_access(actor, rec, Permission::Write, None)?;
        let sha = st.resolve(repo, Some(to))?;
        let rec = st.repo(repo)?;
        let forced = rec
            .branches
            .get(branch)
            .is_some_and(|tip| !rec.ancestors(&sha).contains(tip));
        st.update_branch(actor, repo, branch, Some(sha), forced)
    }

    /// Creates tag `tag` at the commit `at` names, as `actor` (write access); sends a `push`.
    pub fn create_tag_as(
        &self,
        actor: &str,
        repo: &RepoName,
        tag: &str,
        at: &str,
    ) -> SimResult<String> {
        let mut st = self.lock();
        let rec = st.repo(repo)?;
        st.check_access(actor, rec, Permission::Write, None)?;
        let sha = st.resolve(repo, Some(at))?;
        let rec = st.repo_mut(repo)?;
        if rec.tags.contains_key(tag) {
            return Err(unprocessable(format!(
                "reference already exists: tags/{tag}"
            )));
        }
        rec.tags.insert(tag.to_owned(), sha.clone());
        st.emit_push(
            repo,
            &format!("refs/tags/{tag}"),
            ZERO_SHA,
            &sha,
            actor,
            false,
        );
        Ok(sha)
    }

    /// Deletes a ref (`heads/feature`, `tags/v1`) as `actor` (write access); open pull
    /// requests from or into a deleted branch are closed.
    pub fn delete_ref_as(&self, actor: &str, repo: &RepoName, reference: &str) -> SimResult<()> {
        self.lock().delete_ref(actor, repo, reference)
    }

    /// Sets a commit status as `actor` (write access); sends `status`.
    pub fn create_status_as(
        &self,
        actor: &str,
        repo: &RepoName,
        sha: &str,
        status: &Status,
    ) -> SimResult<()> {
        self.lock().create_status(actor, repo, sha, status)
    }

    /// Sets a commit status as the bot (as Prow's reporters do).
    pub fn set_status(&self, repo: &RepoName, sha: &str, status: &Status) -> SimResult<()> {
        let mut st = self.lock();
        let bot = st.bot.clone();
        st.create_status(&bot, repo, sha, status)
    }

    /// The combined status of a commit-ish.
    pub fn combined_status(&self, repo: &RepoName, reference: &str) -> SimResult<CombinedStatus> {
        self.lock().combined_status(repo, reference)
    }

    /// Every status set on a commit-ish, newest first (as GitHub lists them).
    pub fn statuses(&self, repo: &RepoName, reference: &str) -> SimResult<Vec<Status>> {
        let st = self.lock();
        let sha = st.resolve(repo, Some(reference))?;
        let rec = st.repo(repo)?;
        Ok(rec
            .statuses
            .get(&sha)
            .into_iter()
            .flatten()
            .rev()
            .map(|s| Status {
                state: s.state.clone(),
                target_url: s.target_url.clone(),
                description: s.description.clone(),
                context: s.context.clone(),
            })
            .collect())
    }

    /// The check runs of a commit-ish.
    pub fn check_runs(&self, repo: &RepoName, reference: &str) -> SimResult<Vec<CheckRun>> {
        self.lock().check_runs(repo, reference)
    }

    /// Creates a check run on the commit `sha` names, as the App `app` would; sends
    /// `check_run` `created` (and `completed` when created completed). Returns its ID.
    pub fn create_check_run(
        &self,
        app: &str,
        repo: &RepoName,
        sha: &str,
        run: &NewCheckRun,
    ) -> SimResult<u64> {
        self.lock().create_check_run(app, repo, sha, run)
    }

    /// Completes check run `id` with `conclusion`; sends `check_run` `completed`.
    pub fn complete_check_run(
        &self,
        app: &str,
        repo: &RepoName,
        id: u64,
        conclusion: &str,
    ) -> SimResult<()> {
        let mut st = self.lock();
        let now = st.now();
        let rec = st.repo_mut(repo)?;
        let run = rec
            .check_runs
            .iter_mut()
            .find(|run| run.id == id)
            .ok_or_else(|| not_found(format!("check run {id} in {repo}")))?;
        run.status = "completed".to_owned();
        run.conclusion = Some(conclusion.to_owned());
        run.completed_at = Some(now);
        st.emit_check_run(repo, id, "completed", app);
        Ok(())
    }
}
