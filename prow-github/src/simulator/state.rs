//! The simulator's data: every record GitHub keeps (users, organisations, repositories,
//! commits, issues, pull requests, comments, reviews, statuses) and the lookups, permission
//! rules and renderings into `prow_core` objects that every operation shares.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use prow_core::event::{
    CheckRun, Issue, IssueComment, IssuePullRequestLinks, Label, Milestone, Organization,
    PullRequest, PullRequestBranch, Repo, Review, ReviewComment, ReviewState, Team, User,
};
use prow_core::github::{GitHubError, Permission, RepoName, WorkflowRun};
use tokio::sync::mpsc::UnboundedSender;

use super::SimResult;
use super::calls::Call;
use super::faults::{FaultState, Faults};
use super::git::{Tree, three_way};
use super::webhooks::SimWebhook;

/// File contents, shared between the trees of commits that did not change the file.
pub(crate) type Blob = Arc<[u8]>;

/// The 40 zeros GitHub puts in a push's `before` (created ref) or `after` (deleted ref).
pub(crate) const ZERO_SHA: &str = "0000000000000000000000000000000000000000";

/// How many webhooks and calls the simulator keeps unless told otherwise.
pub(crate) const DEFAULT_HISTORY_LIMIT: usize = 100_000;

/// Appends `item`, dropping the oldest items beyond `limit`.
pub(crate) fn push_bounded<T>(queue: &mut VecDeque<T>, item: T, limit: usize) {
    queue.push_back(item);
    while queue.len() > limit {
        queue.pop_front();
    }
}

/// The key a login is stored under: GitHub logins compare ignoring case.
pub(crate) fn login_key(login: &str) -> String {
    prow_core::event::norm_login(login)
}

/// The key a repository is stored under: `org/repo`, lower-cased.
pub(crate) fn repo_key(repo: &RepoName) -> String {
    format!("{}/{}", repo.org, repo.repo).to_lowercase()
}

/// What the simulated time is taken from.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Clock {
    /// The machine's clock.
    Wall,
    /// A clock that moves only when told to.
    Manual(DateTime<Utc>),
}

/// An account.
#[derive(Clone, Debug)]
pub(crate) struct UserRec {
    pub login: String,
    pub id: u64,
    pub name: Option<String>,
    pub email: Option<String>,
    /// `User`, `Bot` or `Organization`.
    pub kind: String,
}

/// A team of an organisation.
#[derive(Clone, Debug)]
pub(crate) struct TeamRec {
    pub id: u64,
    pub slug: String,
    pub name: String,
    /// Plain members (login keys), maintainers excluded.
    pub members: BTreeSet<String>,
    /// Maintainers (login keys).
    pub maintainers: BTreeSet<String>,
    /// Repository name (lower-cased, without the org) → the team's permission on it.
    pub repos: BTreeMap<String, Permission>,
}

/// An organisation.
#[derive(Clone, Debug)]
pub(crate) struct OrgRec {
    pub login: String,
    /// Members, admins included (login keys).
    pub members: BTreeSet<String>,
    /// Owners (login keys).
    pub admins: BTreeSet<String>,
    /// The permission every member has on every repository of the organisation.
    pub default_permission: Permission,
    /// Teams by slug.
    pub teams: BTreeMap<String, TeamRec>,
}

/// A commit.
#[derive(Clone, Debug)]
pub(crate) struct CommitRec {
    pub sha: String,
    pub parents: Vec<String>,
    pub message: String,
    /// The author's login.
    pub author: String,
    /// The whole tree at this commit.
    pub tree: Tree,
    pub time: DateTime<Utc>,
}

/// A repository label.
#[derive(Clone, Debug)]
pub(crate) struct LabelRec {
    pub id: u64,
    pub name: String,
    pub color: String,
    pub description: Option<String>,
}

/// A comment in an issue's or pull request's conversation.
#[derive(Clone, Debug)]
pub(crate) struct CommentRec {
    pub id: u64,
    pub number: u64,
    pub author: String,
    pub body: String,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    /// (login, reaction) pairs.
    pub reactions: Vec<(String, String)>,
}

/// A pull request review.
#[derive(Clone, Debug)]
pub(crate) struct ReviewRec {
    pub id: u64,
    pub author: String,
    pub state: ReviewState,
    pub body: String,
    pub commit_id: String,
    pub submitted: DateTime<Utc>,
}

/// A comment on a pull request's diff.
#[derive(Clone, Debug)]
pub(crate) struct ReviewCommentRec {
    pub id: u64,
    pub review_id: u64,
    pub number: u64,
    pub author: String,
    pub body: String,
    pub path: String,
    pub line: Option<u64>,
    pub created: DateTime<Utc>,
}

/// Where a pull request's head branch lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct HeadRef {
    /// The owner of the head repository: the base repository's owner for a branch of the
    /// repository itself, the author for a branch of their fork.
    pub owner: String,
    pub branch: String,
}

/// The pull-request part of an issue.
#[derive(Clone, Debug)]
pub(crate) struct PullRec {
    pub id: u64,
    pub head: HeadRef,
    /// Whether the head branch is a branch of the base repository (not of a fork).
    pub same_repo: bool,
    /// The head SHA, kept so that a pull request whose head branch is gone still has one.
    pub head_sha: String,
    pub base_ref: String,
    /// The base SHA once closed; open pull requests show the base branch's tip.
    pub closed_base_sha: Option<String>,
    pub draft: bool,
    pub merged: bool,
    pub merged_at: Option<DateTime<Utc>>,
    /// Who merged it (login key).
    pub merged_by: Option<String>,
    pub merge_commit_sha: Option<String>,
    /// `Some(v)`: report `v` instead of computing mergeability.
    pub mergeable_override: Option<Option<bool>>,
    /// Login keys.
    pub requested_reviewers: Vec<String>,
    /// Team slugs.
    pub requested_teams: Vec<String>,
    pub reviews: Vec<ReviewRec>,
}

/// A label added to or removed from an issue or pull request, for its timeline.
#[derive(Clone, Debug)]
pub(crate) struct LabelEventRec {
    /// Position in the issue's timeline, from 1.
    pub id: u64,
    /// Added (`labeled`) or removed (`unlabeled`).
    pub labeled: bool,
    pub label: String,
    /// The login key of who did it.
    pub actor: String,
    pub at: DateTime<Utc>,
}

/// An issue or pull request.
#[derive(Clone, Debug)]
pub(crate) struct IssueRec {
    pub id: u64,
    pub number: u64,
    pub title: String,
    pub body: String,
    pub author: String,
    pub open: bool,
    pub state_reason: Option<String>,
    /// Label names, as the repository spells them, in the order added.
    pub labels: Vec<String>,
    /// Login keys, in the order assigned.
    pub assignees: Vec<String>,
    pub milestone: Option<u64>,
    pub locked: bool,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub reactions: Vec<(String, String)>,
    pub pull: Option<PullRec>,
    /// Labels added and removed, oldest first.
    pub label_events: Vec<LabelEventRec>,
}

/// A commit status.
#[derive(Clone, Debug)]
pub(crate) struct StatusRec {
    pub id: u64,
    pub state: String,
    pub context: String,
    pub description: String,
    pub target_url: String,
    pub created: DateTime<Utc>,
}

/// A milestone.
#[derive(Clone, Debug)]
pub(crate) struct MilestoneRec {
    pub number: u64,
    pub title: String,
    pub open: bool,
}

/// A fork of a repository, as far as pull requests need one: its branches.
#[derive(Clone, Debug)]
pub(crate) struct ForkRec {
    pub id: u64,
    pub branches: BTreeMap<String, String>,
}

/// A repository.
#[derive(Clone, Debug)]
pub(crate) struct RepoRec {
    pub name: RepoName,
    pub id: u64,
    pub description: Option<String>,
    pub default_branch: String,
    pub private: bool,
    pub archived: bool,
    /// Login key → explicit collaborator permission.
    pub collaborators: BTreeMap<String, Permission>,
    pub branches: BTreeMap<String, String>,
    pub tags: BTreeMap<String, String>,
    /// Owner login key → fork.
    pub forks: BTreeMap<String, ForkRec>,
    pub commits: HashMap<String, CommitRec>,
    pub labels: Vec<LabelRec>,
    pub issues: BTreeMap<u64, IssueRec>,
    pub next_number: u64,
    pub comments: BTreeMap<u64, CommentRec>,
    pub review_comments: BTreeMap<u64, ReviewCommentRec>,
    /// SHA → every status set on it, oldest first.
    pub statuses: HashMap<String, Vec<StatusRec>>,
    pub check_runs: Vec<CheckRun>,
    /// GitHub Actions workflow runs, oldest first.
    pub workflow_runs: Vec<WorkflowRun>,
    pub milestones: BTreeMap<u64, MilestoneRec>,
    /// Branch → contexts that must be `success` before a merge.
    pub required_contexts: BTreeMap<String, Vec<String>>,
}

impl RepoRec {
    /// The label named `name`, ignoring case.
    pub fn label(&self, name: &str) -> Option<&LabelRec> {
        self.labels
            .iter()
            .find(|label| label.name.eq_ignore_ascii_case(name))
    }

    /// The issue or pull request `number`.
    pub fn issue(&self, number: u64) -> SimResult<&IssueRec> {
        self.issues
            .get(&number)
            .ok_or_else(|| not_found(format!("issue {}#{number}", self.name)))
    }

    /// The issue or pull request `number`, to change.
    pub fn issue_mut(&mut self, number: u64) -> SimResult<&mut IssueRec> {
        let name = &self.name;
        self.issues
            .get_mut(&number)
            .ok_or_else(|| not_found(format!("issue {name}#{number}")))
    }

    /// The pull request `number` (an issue that is not one is not found, as on GitHub's
    /// pulls endpoints).
    pub fn pull(&self, number: u64) -> SimResult<(&IssueRec, &PullRec)> {
        let issue = self
            .issues
            .get(&number)
            .ok_or_else(|| not_found(format!("pull request {}#{number}", self.name)))?;
        match &issue.pull {
            Some(pull) => Ok((issue, pull)),
            None => Err(not_found(format!("pull request {}#{number}", self.name))),
        }
    }

    /// The commit `sha`.
    pub fn commit(&self, sha: &str) -> Option<&CommitRec> {
        self.commits.get(sha)
    }

    /// The SHA a pull request's head branch points at now (the recorded head SHA once the
    /// branch is gone).
    pub fn head_sha(&self, pull: &PullRec) -> String {
        self.head_branch_sha(&pull.head)
            .unwrap_or_else(|| pull.head_sha.clone())
    }

    /// Where a head branch points, if it still exists.
    pub fn head_branch_sha(&self, head: &HeadRef) -> Option<String> {
        if login_key(&head.owner) == login_key(&self.name.org) {
            self.branches.get(&head.branch).cloned()
        } else {
            self.forks
                .get(&login_key(&head.owner))
                .and_then(|fork| fork.branches.get(&head.branch).cloned())
        }
    }

    /// The base SHA shown for a pull request: the base branch's tip while open.
    pub fn base_sha(&self, pull: &PullRec) -> String {
        pull.closed_base_sha
            .clone()
            .or_else(|| self.branches.get(&pull.base_ref).cloned())
            .unwrap_or_default()
    }

    /// Whether GitHub could merge the pull request now: whether head and base merge without
    /// a file changed differently on both sides since their merge base.
    pub fn compute_mergeable(&self, pull: &PullRec) -> bool {
        let Some(base) = self.branches.get(&pull.base_ref) else {
            return false;
        };
        let head = self.head_sha(pull);
        let Some(merge_base) = self.merge_base(base, &head) else {
            return false;
        };
        let (Some(mb), Some(ours), Some(theirs)) = (
            self.commit(&merge_base),
            self.commit(base),
            self.commit(&head),
        ) else {
            return false;
        };
        three_way(&mb.tree, &ours.tree, &theirs.tree).is_ok()
    }

    /// Mergeability as GitHub reports it: `None` once merged, the override when one is set.
    pub fn mergeable(&self, issue: &IssueRec, pull: &PullRec) -> Option<bool> {
        if pull.merged {
            return None;
        }
        if let Some(forced) = pull.mergeable_override {
            return forced;
        }
        if !issue.open {
            return None;
        }
        Some(self.compute_mergeable(pull))
    }
}

/// GitHub's 404.
pub(crate) fn not_found(what: impl Into<String>) -> GitHubError {
    GitHubError::NotFound(what.into())
}

/// GitHub's 422.
pub(crate) fn unprocessable(what: impl Into<String>) -> GitHubError {
    GitHubError::Unprocessable(what.into())
}

/// GitHub's 403.
pub(crate) fn forbidden(what: impl Into<String>) -> GitHubError {
    GitHubError::Forbidden(what.into())
}

/// The whole simulated GitHub, behind the simulator's lock.
#[derive(Debug)]
pub(crate) struct State {
    /// The bot's login.
    pub bot: String,
    /// The least permission the bot has on every repository.
    pub bot_permission: Permission,
    /// The web address GitHub pages hang under (`https://github.com`).
    pub web_url: String,
    /// The REST API's address (`https://api.github.com`).
    pub api_url: String,
    pub clock: Clock,
    /// The next object ID.
    pub next_id: u64,
    /// A counter mixed into every commit SHA, so identical commits still differ.
    pub commit_seq: u64,
    /// A counter behind the delivery IDs.
    pub delivery_seq: u64,
    pub installation_id: Option<u64>,
    pub users: BTreeMap<String, UserRec>,
    pub orgs: BTreeMap<String, OrgRec>,
    pub repos: BTreeMap<String, RepoRec>,
    /// Projects (v2) of organisations, by ID.
    pub projects: BTreeMap<u64, super::projects::ProjectRec>,
    pub subscribers: Vec<UnboundedSender<SimWebhook>>,
    /// The webhooks sent, oldest first (at most `history_limit`).
    pub webhooks: VecDeque<SimWebhook>,
    /// The mutating client calls, oldest first (at most `history_limit`).
    pub calls: VecDeque<Call>,
    /// How many webhooks and calls are kept.
    pub history_limit: usize,
    pub faults: Faults,
    pub fault_state: FaultState,
    /// Client calls made (reads and writes), refused ones included.
    pub requests: u64,
}

impl State {
    /// A GitHub with only the bot's account.
    pub fn new(bot: &str) -> Self {
        let mut state = State {
            bot: bot.to_owned(),
            bot_permission: Permission::Admin,
            web_url: "https://github.com".to_owned(),
            api_url: "https://api.github.com".to_owned(),
            clock: Clock::Wall,
            next_id: 1000,
            commit_seq: 0,
            delivery_seq: 0,
            installation_id: None,
            users: BTreeMap::new(),
            orgs: BTreeMap::new(),
            repos: BTreeMap::new(),
            projects: BTreeMap::new(),
            subscribers: Vec::new(),
            webhooks: VecDeque::new(),
            calls: VecDeque::new(),
            history_limit: DEFAULT_HISTORY_LIMIT,
            faults: Faults::default(),
            fault_state: FaultState::default(),
            requests: 0,
        };
        state.ensure_user(bot);
        state
    }

    /// The current simulated time, to the second as GitHub reports it.
    pub fn now(&self) -> DateTime<Utc> {
        let now = match self.clock {
            Clock::Wall => Utc::now(),
            Clock::Manual(now) => now,
        };
        Utc.timestamp_opt(now.timestamp(), 0)
            .single()
            .unwrap_or(now)
    }

    /// A fresh object ID.
    pub fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Registers `login` if it is new; returns its key.
    pub fn ensure_user(&mut self, login: &str) -> String {
        let key = login_key(login);
        if !self.users.contains_key(&key) {
            let id = self.id();
            let kind = if key.ends_with("[bot]") {
                User::TYPE_BOT
            } else {
                User::TYPE_USER
            };
            self.users.insert(
                key.clone(),
                UserRec {
                    login: login.trim_start_matches('@').to_owned(),
                    id,
                    name: None,
                    email: None,
                    kind: kind.to_owned(),
                },
            );
        }
        key
    }

    /// Whether `login` is the bot.
    pub fn is_bot(&self, login: &str) -> bool {
        login_key(login) == login_key(&self.bot)
    }

    /// The repository `repo`.
    pub fn repo(&self, repo: &RepoName) -> SimResult<&RepoRec> {
        self.repos
            .get(&repo_key(repo))
            .ok_or_else(|| not_found(format!("repository {repo}")))
    }

    /// The repository `repo`, to change.
    pub fn repo_mut(&mut self, repo: &RepoName) -> SimResult<&mut RepoRec> {
        self.repos
            .get_mut(&repo_key(repo))
            .ok_or_else(|| not_found(format!("repository {repo}")))
    }

    /// `login`'s permission on `repo`, from every source GitHub grants one: ownership,
    /// organisation ownership and base permission, teams and explicit collaboration. The bot
    /// has at least its configured permission everywhere.
    pub fn permission(&self, repo: &RepoRec, login: &str) -> Permission {
        let key = login_key(login);
        let mut best = self.explicit_permission(repo, &key);
        if self.is_bot(login) {
            best = best.max(self.bot_permission);
        }
        best
    }

    /// The permission `key` has without the bot's bonus.
    fn explicit_permission(&self, repo: &RepoRec, key: &str) -> Permission {
        let mut best = Permission::None;
        let owner = login_key(&repo.name.org);
        if owner == key {
            return Permission::Admin;
        }
        if let Some(org) = self.orgs.get(&owner) {
            if org.admins.contains(key) {
                return Permission::Admin;
            }
            if org.members.contains(key) {
                best = best.max(org.default_permission);
            }
            let repo_name = repo.name.repo.to_lowercase();
            for team in org.teams.values() {
                if (team.members.contains(key) || team.maintainers.contains(key))
                    && let Some(permission) = team.repos.get(&repo_name)
                {
                    best = best.max(*permission);
                }
            }
        }
        if let Some(permission) = repo.collaborators.get(key) {
            best = best.max(*permission);
        }
        best
    }

    /// Whether `login` belongs to the organisation that owns `repo`.
    pub fn is_org_member(&self, org: &str, login: &str) -> bool {
        self.orgs
            .get(&login_key(org))
            .is_some_and(|o| o.members.contains(&login_key(login)))
    }

    /// Refuses a change to `repo` by `actor` unless the repository is writable and `actor`
    /// has at least `need` (or is `allowed_author`, the issue's author, for changes authors
    /// may make to their own issues).
    pub fn check_access(
        &self,
        actor: &str,
        repo: &RepoRec,
        need: Permission,
        allowed_author: Option<&str>,
    ) -> SimResult<()> {
        let mut permission = self.permission(repo, actor);
        if repo.private && permission == Permission::None {
            return Err(not_found(format!("repository {}", repo.name)));
        }
        if repo.archived {
            return Err(forbidden(format!(
                "repository {} was archived so is read-only",
                repo.name
            )));
        }
        if !repo.private {
            // Everyone can read a public repository (and so comment and open issues).
            permission = permission.max(Permission::Read);
        }
        if permission >= need
            || allowed_author.is_some_and(|author| login_key(author) == login_key(actor))
        {
            Ok(())
        } else {
            Err(forbidden(format!(
                "{actor} needs {need:?} permission on {}",
                repo.name
            )))
        }
    }

    /// The relation of `login` to `repo`, as GitHub's `author_association` names it.
    pub fn author_association(&self, repo: &RepoRec, login: &str) -> String {
        let key = login_key(login);
        let association = if login_key(&repo.name.org) == key {
            "OWNER"
        } else if self.is_org_member(&repo.name.org, login) {
            "MEMBER"
        } else if self.permission(repo, login) > Permission::None {
            "COLLABORATOR"
        } else if repo.issues.values().any(|issue| {
            login_key(&issue.author) == key && issue.pull.as_ref().is_some_and(|p| p.merged)
        }) {
            "CONTRIBUTOR"
        } else {
            "NONE"
        };
        association.to_owned()
    }

    /// The account `login` as GitHub shows it.
    pub fn user(&self, login: &str) -> User {
        let key = login_key(login);
        match self.users.get(&key) {
            Some(user) => User {
                login: user.login.clone(),
                id: user.id,
                node_id: node_id("U", user.id),
                name: user.name.clone(),
                email: user.email.clone(),
                html_url: format!("{}/{}", self.web_url, user.login),
                user_type: user.kind.clone(),
            },
            None => User {
                login: login.to_owned(),
                html_url: format!("{}/{login}", self.web_url),
                user_type: User::TYPE_USER.to_owned(),
                ..User::default()
            },
        }
    }

    /// The organisation block of payloads for `repo`, when an organisation owns it.
    pub fn organization(&self, repo: &RepoRec) -> Option<Organization> {
        let org = self.orgs.get(&login_key(&repo.name.org))?;
        let id = self
            .users
            .get(&login_key(&org.login))
            .map(|u| u.id)
            .unwrap_or_default();
        Some(Organization {
            login: org.login.clone(),
            id,
            node_id: node_id("O", id),
        })
    }

    /// The repository as GitHub shows it.
    pub fn repo_obj(&self, repo: &RepoRec) -> Repo {
        let mut owner = self.user(&repo.name.org);
        if self.orgs.contains_key(&login_key(&repo.name.org)) {
            owner.user_type = "Organization".to_owned();
        }
        Repo {
            id: repo.id,
            node_id: node_id("R", repo.id),
            owner,
            name: repo.name.repo.clone(),
            full_name: repo.name.to_string(),
            html_url: format!("{}/{}", self.web_url, repo.name),
            description: repo.description.clone(),
            fork: false,
            default_branch: repo.default_branch.clone(),
            archived: repo.archived,
            private: repo.private,
            visibility: Some(if repo.private { "private" } else { "public" }.to_owned()),
        }
    }

    /// The repository a pull request's head branch lives in.
    pub fn head_repo_obj(&self, repo: &RepoRec, pull: &PullRec) -> Repo {
        if pull.same_repo {
            return self.repo_obj(repo);
        }
        let fork = repo.forks.get(&login_key(&pull.head.owner));
        let id = fork.map(|f| f.id).unwrap_or_default();
        let full_name = format!("{}/{}", pull.head.owner, repo.name.repo);
        Repo {
            id,
            node_id: node_id("R", id),
            owner: self.user(&pull.head.owner),
            name: repo.name.repo.clone(),
            html_url: format!("{}/{full_name}", self.web_url),
            full_name,
            description: repo.description.clone(),
            fork: true,
            default_branch: repo.default_branch.clone(),
            archived: false,
            private: repo.private,
            visibility: Some(if repo.private { "private" } else { "public" }.to_owned()),
        }
    }

    /// A repository label as GitHub shows it.
    pub fn label_obj(&self, repo: &RepoRec, label: &LabelRec) -> Label {
        Label {
            id: label.id,
            url: format!(
                "{}/repos/{}/labels/{}",
                self.api_url,
                repo.name,
                label.name.replace(' ', "%20")
            ),
            name: label.name.clone(),
            description: label.description.clone(),
            color: label.color.clone(),
        }
    }

    /// The labels of an issue, as GitHub shows them.
    pub fn issue_labels(&self, repo: &RepoRec, issue: &IssueRec) -> Vec<Label> {
        issue
            .labels
            .iter()
            .filter_map(|name| repo.label(name))
            .map(|label| self.label_obj(repo, label))
            .collect()
    }

    /// A milestone as GitHub shows it.
    pub fn milestone_obj(&self, milestone: &MilestoneRec) -> Milestone {
        Milestone {
            title: milestone.title.clone(),
            number: milestone.number,
            state: if milestone.open { "open" } else { "closed" }.to_owned(),
        }
    }

    /// An issue (or a pull request seen as one) as GitHub's issues API shows it.
    pub fn issue_obj(&self, repo: &RepoRec, issue: &IssueRec) -> Issue {
        let kind = if issue.pull.is_some() {
            "pull"
        } else {
            "issues"
        };
        Issue {
            id: issue.id,
            node_id: node_id(if issue.pull.is_some() { "PR" } else { "I" }, issue.id),
            number: issue.number,
            title: issue.title.clone(),
            body: non_empty(&issue.body),
            state: open_closed(issue.open),
            state_reason: issue.state_reason.clone(),
            user: self.user(&issue.author),
            labels: self.issue_labels(repo, issue),
            assignees: issue.assignees.iter().map(|a| self.user(a)).collect(),
            html_url: format!("{}/{}/{kind}/{}", self.web_url, repo.name, issue.number),
            pull_request: issue.pull.as_ref().map(|pull| IssuePullRequestLinks {
                url: Some(format!(
                    "{}/repos/{}/pulls/{}",
                    self.api_url, repo.name, issue.number
                )),
                html_url: Some(format!(
                    "{}/{}/pull/{}",
                    self.web_url, repo.name, issue.number
                )),
                merged_at: pull.merged_at,
            }),
            milestone: issue
                .milestone
                .and_then(|n| repo.milestones.get(&n))
                .map(|m| self.milestone_obj(m)),
            locked: issue.locked,
            author_association: Some(self.author_association(repo, &issue.author)),
            created_at: Some(issue.created),
            updated_at: Some(issue.updated),
            closed_at: issue.closed_at,
        }
    }

    /// A pull request as GitHub's pulls API shows it.
    pub fn pull_obj(&self, repo: &RepoRec, issue: &IssueRec, pull: &PullRec) -> PullRequest {
        let head_sha = repo.head_sha(pull);
        let base_sha = repo.base_sha(pull);
        let org = self.orgs.get(&login_key(&repo.name.org));
        let requested_teams = pull
            .requested_teams
            .iter()
            .filter_map(|slug| org.and_then(|o| o.teams.get(slug)))
            .map(team_obj)
            .collect();
        let commits = self.pull_commits(repo, pull).len() as u64;
        let merge_commit_sha = match &pull.merge_commit_sha {
            Some(sha) => Some(sha.clone()),
            None if issue.open && repo.mergeable(issue, pull) == Some(true) => {
                Some(super::git::hash(&["test-merge", &base_sha, &head_sha]))
            }
            None => None,
        };
        PullRequest {
            id: pull.id,
            node_id: node_id("PR", pull.id),
            number: issue.number,
            html_url: format!("{}/{}/pull/{}", self.web_url, repo.name, issue.number),
            user: self.user(&issue.author),
            title: issue.title.clone(),
            body: non_empty(&issue.body),
            state: open_closed(issue.open),
            draft: pull.draft,
            merged: pull.merged,
            mergeable: repo.mergeable(issue, pull),
            merge_commit_sha,
            labels: self.issue_labels(repo, issue),
            assignees: issue.assignees.iter().map(|a| self.user(a)).collect(),
            requested_reviewers: pull
                .requested_reviewers
                .iter()
                .map(|r| self.user(r))
                .collect(),
            requested_teams,
            base: PullRequestBranch {
                r#ref: pull.base_ref.clone(),
                sha: base_sha,
                label: format!("{}:{}", repo.name.org, pull.base_ref),
                repo: Some(self.repo_obj(repo)),
            },
            head: PullRequestBranch {
                r#ref: pull.head.branch.clone(),
                sha: head_sha,
                label: format!("{}:{}", pull.head.owner, pull.head.branch),
                repo: Some(self.head_repo_obj(repo, pull)),
            },
            milestone: issue
                .milestone
                .and_then(|n| repo.milestones.get(&n))
                .map(|m| self.milestone_obj(m)),
            commits: Some(commits),
            author_association: Some(self.author_association(repo, &issue.author)),
            created_at: Some(issue.created),
            updated_at: Some(issue.updated),
            merged_at: pull.merged_at,
        }
    }

    /// The commits of a pull request, oldest first: those of its head not on its base.
    pub fn pull_commits(&self, repo: &RepoRec, pull: &PullRec) -> Vec<String> {
        let head = repo.head_sha(pull);
        let base = repo.base_sha(pull);
        repo.commits_between(&base, &head)
    }

    /// A conversation comment as GitHub shows it.
    pub fn comment_obj(&self, repo: &RepoRec, comment: &CommentRec) -> IssueComment {
        IssueComment {
            id: comment.id,
            node_id: node_id("IC", comment.id),
            body: comment.body.clone(),
            user: self.user(&comment.author),
            html_url: format!(
                "{}/{}/issues/{}#issuecomment-{}",
                self.web_url, repo.name, comment.number, comment.id
            ),
            author_association: Some(self.author_association(repo, &comment.author)),
            created_at: Some(comment.created),
            updated_at: Some(comment.updated),
        }
    }

    /// A review as GitHub's REST API shows it.
    pub fn review_obj(&self, repo: &RepoRec, number: u64, review: &ReviewRec) -> Review {
        Review {
            id: review.id,
            node_id: node_id("PRR", review.id),
            user: self.user(&review.author),
            body: non_empty(&review.body),
            state: review.state.clone(),
            html_url: format!(
                "{}/{}/pull/{number}#pullrequestreview-{}",
                self.web_url, repo.name, review.id
            ),
            commit_id: Some(review.commit_id.clone()),
            submitted_at: Some(review.submitted),
        }
    }

    /// A diff comment as GitHub shows it.
    pub fn review_comment_obj(&self, repo: &RepoRec, comment: &ReviewCommentRec) -> ReviewComment {
        ReviewComment {
            id: comment.id,
            node_id: node_id("PRRC", comment.id),
            pull_request_review_id: comment.review_id,
            user: self.user(&comment.author),
            body: comment.body.clone(),
            path: comment.path.clone(),
            html_url: format!(
                "{}/{}/pull/{}#discussion_r{}",
                self.web_url, repo.name, comment.number, comment.id
            ),
            position: comment.line,
            line: comment.line,
            start_line: None,
            side: Some("RIGHT".to_owned()),
            start_side: None,
            author_association: Some(self.author_association(repo, &comment.author)),
            created_at: Some(comment.created),
            updated_at: Some(comment.created),
        }
    }
}

/// A team as pull requests name it.
pub(crate) fn team_obj(team: &TeamRec) -> Team {
    Team {
        id: team.id,
        name: team.name.clone(),
        slug: team.slug.clone(),
    }
}

/// A GraphQL node ID in GitHub's style (`PR_kwDO…`), unique per kind and ID.
pub(crate) fn node_id(kind: &str, id: u64) -> String {
    format!("{kind}_kwDO{id:08X}")
}

/// `open` or `closed`.
pub(crate) fn open_closed(open: bool) -> String {
    if open { "open" } else { "closed" }.to_owned()
}

/// `None` for an empty text, as GitHub sends an empty body.
pub(crate) fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}
