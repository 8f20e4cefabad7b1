//! Seeds: a YAML description of a starting world (accounts, organisations and teams,
//! repositories with files, branches, labels, milestones, pull requests and issues) and its
//! loading into a fresh simulator. `simulator-seed.example.yaml` documents every field.

use std::collections::BTreeMap;

use prow_core::event::ReviewState;
use prow_core::github::{GitHubError, MergeDetails, MergeMethod, Permission, RepoName, Status};
use serde::{Deserialize, Serialize};

use super::git::Files;
use super::pulls::NewPullRequest;
use super::state::unprocessable;
use super::{SimResult, Simulator};

/// Why a seed could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SeedError {
    /// The YAML could not be read into a [`Seed`].
    #[error("invalid seed: {0}")]
    Yaml(#[from] prow_core::yaml::Error),
    /// A step of building the world failed as GitHub would have refused it.
    #[error("seed step {step} failed: {source}")]
    Step {
        /// What was being done (`repo kubernetes/test-infra: pull request "Fix"`).
        step: String,
        /// GitHub's refusal.
        #[source]
        source: GitHubError,
    },
}

/// A starting world. Every field may be left out.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Seed {
    /// The bot's login (`k8s-ci-robot` when empty).
    pub bot: String,
    /// The least permission the bot has on every repository (`admin` when unset).
    pub bot_permission: Option<Permission>,
    /// Accounts to register up front (accounts named elsewhere are registered anyway).
    pub users: Vec<SeedUser>,
    /// Organisations.
    pub orgs: Vec<SeedOrg>,
    /// Repositories.
    pub repos: Vec<SeedRepo>,
}

/// An account.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SeedUser {
    /// The login.
    pub login: String,
    /// The display name.
    pub name: Option<String>,
    /// The public e-mail address.
    pub email: Option<String>,
}

/// An organisation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SeedOrg {
    /// The organisation's login.
    pub login: String,
    /// Members.
    pub members: Vec<String>,
    /// Owners (members with admin on every repository).
    pub admins: Vec<String>,
    /// What members may do on every repository (`read` when unset).
    pub default_permission: Option<Permission>,
    /// Teams.
    pub teams: Vec<SeedTeam>,
}

/// A team.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SeedTeam {
    /// The slug (`sig-testing`).
    pub slug: String,
    /// The display name (the slug when unset).
    pub name: Option<String>,
    /// Plain members.
    pub members: Vec<String>,
    /// Maintainers.
    pub maintainers: Vec<String>,
    /// Repository name (without the organisation) → the team's permission on it.
    pub repos: BTreeMap<String, Permission>,
}

/// A repository.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SeedRepo {
    /// `org/repo`.
    pub name: String,
    /// The default branch (`main` when unset).
    pub default_branch: Option<String>,
    /// The description.
    pub description: Option<String>,
    /// Whether only collaborators can see it.
    pub private: bool,
    /// Whether it is archived (read-only; applied after everything else).
    pub archived: bool,
    /// Login → permission.
    pub collaborators: BTreeMap<String, Permission>,
    /// The files of the default branch's first commit: path → contents.
    pub files: BTreeMap<String, String>,
    /// More branches.
    pub branches: Vec<SeedBranch>,
    /// Labels.
    pub labels: Vec<SeedLabel>,
    /// Milestones, numbered from 1 in this order.
    pub milestones: Vec<SeedMilestone>,
    /// Branch → contexts that must succeed before merging into it.
    pub required_status_checks: BTreeMap<String, Vec<String>>,
    /// Pull requests (numbered before the issues unless numbers are given).
    pub pull_requests: Vec<SeedPullRequest>,
    /// Issues.
    pub issues: Vec<SeedIssue>,
}

/// A branch.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SeedBranch {
    /// The branch's name.
    pub name: String,
    /// The branch or SHA it starts from (the default branch when unset).
    pub from: Option<String>,
    /// Files committed on it: path → contents (nothing: no commit).
    pub files: BTreeMap<String, String>,
    /// Paths deleted in that commit.
    pub deleted: Vec<String>,
    /// The commit message.
    pub message: Option<String>,
}

/// A label.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SeedLabel {
    /// The name.
    pub name: String,
    /// Six hex digits (`ededed` when unset).
    pub color: Option<String>,
    /// The description.
    pub description: Option<String>,
}

/// A milestone.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SeedMilestone {
    /// The title.
    pub title: String,
    /// `open` (when unset) or `closed`.
    pub state: Option<String>,
}

/// A conversation comment.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SeedComment {
    /// The commenter.
    pub user: String,
    /// The text.
    pub body: String,
}

/// A review.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SeedReview {
    /// The reviewer.
    pub user: String,
    /// `APPROVED`, `CHANGES_REQUESTED` or `COMMENTED` (any case).
    pub state: ReviewState,
    /// The review's text.
    pub body: String,
}

/// A commit status on a pull request's head.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SeedStatus {
    /// The context.
    pub context: String,
    /// `error`, `failure`, `pending` or `success`.
    pub state: String,
    /// The description.
    pub description: String,
    /// The link.
    pub target_url: String,
}

/// A pull request.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SeedPullRequest {
    /// Its number (the next free one when unset; must exceed those already used).
    pub number: Option<u64>,
    /// The author.
    pub author: String,
    /// The title.
    pub title: String,
    /// The body.
    pub body: String,
    /// The head branch (`<author>-pr-<n>` when unset).
    pub head: Option<String>,
    /// The base branch (the default branch when unset).
    pub base: Option<String>,
    /// Whether the head branch is in the repository itself rather than the author's fork.
    pub same_repo: bool,
    /// Whether it is a draft.
    pub draft: bool,
    /// Files its one commit writes: path → contents.
    pub files: BTreeMap<String, String>,
    /// Paths its commit deletes.
    pub deleted: Vec<String>,
    /// Labels (added by the bot).
    pub labels: Vec<String>,
    /// Assignees (assigned by the bot).
    pub assignees: Vec<String>,
    /// Users or `org/team` slugs asked for review (by the bot).
    pub requested_reviewers: Vec<String>,
    /// The milestone's title.
    pub milestone: Option<String>,
    /// Conversation comments, in order.
    pub comments: Vec<SeedComment>,
    /// Reviews, in order.
    pub reviews: Vec<SeedReview>,
    /// Statuses on the head commit (set by the bot), in order.
    pub statuses: Vec<SeedStatus>,
    /// `open` (when unset), `closed` or `merged`.
    pub state: Option<String>,
    /// How a `merged` pull request was merged (`merge` when unset).
    pub merge_method: Option<MergeMethod>,
    /// Overrides the mergeability GitHub computes.
    pub mergeable: Option<bool>,
}

/// An issue.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SeedIssue {
    /// Its number (the next free one when unset; must exceed those already used).
    pub number: Option<u64>,
    /// The author.
    pub author: String,
    /// The title.
    pub title: String,
    /// The body.
    pub body: String,
    /// Labels (added by the bot).
    pub labels: Vec<String>,
    /// Assignees (assigned by the bot).
    pub assignees: Vec<String>,
    /// The milestone's title.
    pub milestone: Option<String>,
    /// Conversation comments, in order.
    pub comments: Vec<SeedComment>,
    /// `open` (when unset) or `closed`.
    pub state: Option<String>,
}

impl Seed {
    /// Reads a seed from YAML (Prow's YAML semantics; unknown fields are ignored).
    pub fn from_yaml(text: &str) -> Result<Seed, SeedError> {
        Ok(prow_core::yaml::from_str(text)?)
    }
}

/// Labels a failed step.
fn step<T>(what: impl FnOnce() -> String, result: SimResult<T>) -> Result<T, SeedError> {
    result.map_err(|source| SeedError::Step {
        step: what(),
        source,
    })
}

/// Changed files from a seed's `files` and `deleted`.
fn files_of(files: &BTreeMap<String, String>, deleted: &[String]) -> Files {
    deleted
        .iter()
        .fold(Files::from(files.clone()), |all, path| {
            all.delete(path.clone())
        })
}

impl Simulator {
    /// A simulator holding the world `seed` describes, with an empty webhook history and
    /// call log.
    pub fn from_seed(seed: &Seed) -> Result<Simulator, SeedError> {
        let bot = if seed.bot.is_empty() {
            Simulator::DEFAULT_BOT
        } else {
            &seed.bot
        };
        let sim = Simulator::new(bot);
        sim.apply_seed(seed)?;
        sim.take_webhooks();
        sim.take_calls();
        Ok(sim)
    }

    /// A simulator holding the world the YAML seed `text` describes.
    pub fn from_seed_yaml(text: &str) -> Result<Simulator, SeedError> {
        Simulator::from_seed(&Seed::from_yaml(text)?)
    }

    /// Adds the world `seed` describes to this simulator (its `bot` is ignored). Webhooks
    /// are sent for what it creates, as if it happened now.
    pub fn apply_seed(&self, seed: &Seed) -> Result<(), SeedError> {
        if let Some(permission) = seed.bot_permission {
            self.set_bot_permission(permission);
        }
        for user in &seed.users {
            self.add_user(&user.login, user.name.as_deref(), user.email.as_deref());
        }
        for org in &seed.orgs {
            self.seed_org(org)?;
        }
        for repo in &seed.repos {
            self.seed_repo(repo)?;
        }
        Ok(())
    }

    fn seed_org(&self, org: &SeedOrg) -> Result<(), SeedError> {
        let at = |what: &str| format!("org {}: {what}", org.login);
        self.add_org(&org.login);
        for member in &org.members {
            step(
                || at(member),
                self.add_org_member(&org.login, member, false),
            )?;
        }
        for admin in &org.admins {
            step(|| at(admin), self.add_org_member(&org.login, admin, true))?;
        }
        if let Some(permission) = org.default_permission {
            step(
                || at("default_permission"),
                self.set_org_default_permission(&org.login, permission),
            )?;
        }
        for team in &org.teams {
            let name = team.name.clone().unwrap_or_else(|| team.slug.clone());
            step(
                || at(&team.slug),
                self.add_team(&org.login, &team.slug, &name),
            )?;
            for (logins, maintainer) in [(&team.members, false), (&team.maintainers, true)] {
                for login in logins {
                    step(
                        || at(&format!("team {} member {login}", team.slug)),
                        self.add_team_member(&org.login, &team.slug, login, maintainer),
                    )?;
                }
            }
            for (repo, permission) in &team.repos {
                step(
                    || at(&format!("team {} repo {repo}", team.slug)),
                    self.set_team_repo_permission(&org.login, &team.slug, repo, *permission),
                )?;
            }
        }
        Ok(())
    }

    fn seed_repo(&self, seed: &SeedRepo) -> Result<(), SeedError> {
        let at = |what: &str| format!("repo {}: {what}", seed.name);
        let repo: RepoName = step(|| at("name"), seed.name.parse().map_err(unprocessable))?;
        let default_branch = seed.default_branch.as_deref().unwrap_or("main");
        step(
            || at("create"),
            self.create_repo(&repo, default_branch, Files::from(seed.files.clone())),
        )?;
        step(|| at("private"), self.set_private(&repo, seed.private))?;
        step(
            || at("description"),
            self.set_description(&repo, seed.description.as_deref()),
        )?;
        for (login, permission) in &seed.collaborators {
            step(
                || at(&format!("collaborator {login}")),
                self.add_collaborator(&repo, login, *permission),
            )?;
        }
        for label in &seed.labels {
            step(
                || at(&format!("label {}", label.name)),
                self.create_label(
                    &repo,
                    &label.name,
                    label.color.as_deref(),
                    label.description.as_deref(),
                ),
            )?;
        }
        for milestone in &seed.milestones {
            let number = step(
                || at(&format!("milestone {}", milestone.title)),
                self.create_milestone(&repo, &milestone.title),
            )?;
            if milestone.state.as_deref() == Some("closed") {
                step(
                    || at("milestone state"),
                    self.set_milestone_open(&repo, number, false),
                )?;
            }
        }
        let bot = self.bot_login();
        for branch in &seed.branches {
            let what = || at(&format!("branch {}", branch.name));
            let from = branch.from.as_deref().unwrap_or(default_branch);
            step(what, self.create_branch_as(&bot, &repo, &branch.name, from))?;
            let files = files_of(&branch.files, &branch.deleted);
            if !files.is_empty() {
                let message = branch
                    .message
                    .clone()
                    .unwrap_or_else(|| format!("Update {}", branch.name));
                step(
                    what,
                    self.push_as(&bot, &repo, &branch.name, files, &message),
                )?;
            }
        }
        for (branch, contexts) in &seed.required_status_checks {
            let contexts: Vec<&str> = contexts.iter().map(String::as_str).collect();
            step(
                || at(&format!("required_status_checks {branch}")),
                self.set_required_status_checks(&repo, branch, &contexts),
            )?;
        }
        for pull in &seed.pull_requests {
            self.seed_pull(&repo, pull)?;
        }
        for issue in &seed.issues {
            self.seed_issue(&repo, issue)?;
        }
        step(|| at("archived"), self.set_archived(&repo, seed.archived))?;
        Ok(())
    }

    /// Moves the next issue number to `number`, which must not be used yet.
    fn reserve_number(&self, repo: &RepoName, number: Option<u64>) -> SimResult<()> {
        let Some(number) = number else { return Ok(()) };
        let mut st = self.lock();
        let rec = st.repo_mut(repo)?;
        if number < rec.next_number {
            return Err(unprocessable(format!(
                "number {number} is taken (next free: {})",
                rec.next_number
            )));
        }
        rec.next_number = number;
        Ok(())
    }

    /// The milestone titled `title`.
    fn milestone_number(&self, repo: &RepoName, title: &str) -> SimResult<u64> {
        self.milestones(repo)?
            .into_iter()
            .find(|m| m.title == title)
            .map(|m| m.number)
            .ok_or_else(|| unprocessable(format!("no milestone titled {title:?}")))
    }

    /// What issues and pull requests share: labels, assignees, milestone and comments, set
    /// by the bot and the commenters.
    fn seed_common(
        &self,
        repo: &RepoName,
        number: u64,
        labels: &[String],
        assignees: &[String],
        milestone: Option<&str>,
        comments: &[SeedComment],
    ) -> SimResult<()> {
        let bot = self.bot_login();
        for label in labels {
            self.add_label_as(&bot, repo, number, label)?;
        }
        if !assignees.is_empty() {
            let logins: Vec<&str> = assignees.iter().map(String::as_str).collect();
            self.assign_as(&bot, repo, number, &logins)?;
        }
        if let Some(title) = milestone {
            let milestone = self.milestone_number(repo, title)?;
            self.set_milestone_as(&bot, repo, number, Some(milestone))?;
        }
        for comment in comments {
            self.comment_as(&comment.user, repo, number, &comment.body)?;
        }
        Ok(())
    }

    fn seed_pull(&self, repo: &RepoName, seed: &SeedPullRequest) -> Result<(), SeedError> {
        let what = || format!("repo {repo}: pull request {:?}", seed.title);
        let bot = self.bot_login();
        let result = (|| -> SimResult<()> {
            self.reserve_number(repo, seed.number)?;
            let next = self.lock().repo(repo)?.next_number;
            let head = seed
                .head
                .clone()
                .unwrap_or_else(|| format!("{}-pr-{next}", seed.author));
            let new = NewPullRequest {
                title: seed.title.clone(),
                body: seed.body.clone(),
                head,
                base: seed.base.clone(),
                files: files_of(&seed.files, &seed.deleted),
                message: None,
                draft: seed.draft,
                same_repo: seed.same_repo,
            };
            let number = self.open_pull_request_with(repo, &seed.author, &new)?;
            self.seed_common(
                repo,
                number,
                &seed.labels,
                &seed.assignees,
                seed.milestone.as_deref(),
                &seed.comments,
            )?;
            if !seed.requested_reviewers.is_empty() {
                let logins: Vec<&str> = seed
                    .requested_reviewers
                    .iter()
                    .map(String::as_str)
                    .collect();
                self.request_review_as(&bot, repo, number, &logins)?;
            }
            for review in &seed.reviews {
                self.review_as(
                    &review.user,
                    repo,
                    number,
                    review.state.clone(),
                    &review.body,
                )?;
            }
            let head_sha = self.pull_request(repo, number)?.head.sha;
            for status in &seed.statuses {
                let status = Status {
                    state: status.state.clone(),
                    target_url: status.target_url.clone(),
                    description: status.description.clone(),
                    context: status.context.clone(),
                };
                self.create_status_as(&bot, repo, &head_sha, &status)?;
            }
            match seed.state.as_deref().unwrap_or("open") {
                "open" => {}
                "closed" => self.close_pull_request_as(&bot, repo, number)?,
                "merged" => {
                    let details = MergeDetails {
                        sha: head_sha,
                        merge_method: seed.merge_method.unwrap_or_default(),
                        commit_title: None,
                        commit_message: None,
                    };
                    self.merge_as(&bot, repo, number, &details)?;
                }
                other => {
                    return Err(unprocessable(format!(
                        "state {other:?} is not open, closed or merged"
                    )));
                }
            }
            if let Some(mergeable) = seed.mergeable {
                self.set_mergeable(repo, number, Some(mergeable))?;
            }
            Ok(())
        })();
        step(what, result)
    }

    fn seed_issue(&self, repo: &RepoName, seed: &SeedIssue) -> Result<(), SeedError> {
        let what = || format!("repo {repo}: issue {:?}", seed.title);
        let result = (|| -> SimResult<()> {
            self.reserve_number(repo, seed.number)?;
            let number =
                self.open_issue_as(&seed.author, repo, &seed.title, &seed.body, &[], &[])?;
            self.seed_common(
                repo,
                number,
                &seed.labels,
                &seed.assignees,
                seed.milestone.as_deref(),
                &seed.comments,
            )?;
            match seed.state.as_deref().unwrap_or("open") {
                "open" => Ok(()),
                "closed" => self.close_as(&self.bot_login(), repo, number),
                other => Err(unprocessable(format!(
                    "state {other:?} is not open or closed"
                ))),
            }
        })();
        step(what, result)
    }
}
