//! Setting up the simulated world as GitHub's admins would: accounts, organisations and their
//! members and teams, repositories with their first commit, collaborators, labels, milestones
//! and required status checks; and reading them back.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use prow_core::event::{Label, Milestone, Repo, Team, User};
use prow_core::github::{Permission, RepoName, TeamRole};

use super::git::Files;
use super::issues::DEFAULT_LABEL_COLOR;
use super::state::{
    LabelRec, MilestoneRec, OrgRec, RepoRec, TeamRec, login_key, not_found, repo_key, team_obj,
    unprocessable,
};
use super::{SimResult, Simulator};

impl Simulator {
    /// Registers an account (or updates its name and e-mail). Accounts acting through the
    /// simulator are registered on first use; only registered accounts can be assigned or
    /// asked for review.
    pub fn add_user(&self, login: &str, name: Option<&str>, email: Option<&str>) {
        let mut st = self.lock();
        let key = st.ensure_user(login);
        if let Some(user) = st.users.get_mut(&key) {
            if name.is_some() {
                user.name = name.map(str::to_owned);
            }
            if email.is_some() {
                user.email = email.map(str::to_owned);
            }
        }
    }

    /// An account.
    pub fn user(&self, login: &str) -> SimResult<User> {
        let st = self.lock();
        if !st.users.contains_key(&login_key(login)) {
            return Err(not_found(format!("user {login}")));
        }
        Ok(st.user(login))
    }

    /// Creates an organisation (members read its repositories by default). Creating one
    /// that exists changes nothing.
    pub fn add_org(&self, login: &str) {
        let mut st = self.lock();
        let key = st.ensure_user(login);
        if let Some(user) = st.users.get_mut(&key) {
            user.kind = "Organization".to_owned();
        }
        st.orgs.entry(key).or_insert_with(|| OrgRec {
            login: login.to_owned(),
            members: BTreeSet::new(),
            admins: BTreeSet::new(),
            default_permission: Permission::Read,
            teams: BTreeMap::new(),
        });
    }

    /// Makes `login` a member (or with `admin`, an owner) of organisation `org`.
    pub fn add_org_member(&self, org: &str, login: &str, admin: bool) -> SimResult<()> {
        let mut st = self.lock();
        let key = st.ensure_user(login);
        let org = st
            .orgs
            .get_mut(&login_key(org))
            .ok_or_else(|| not_found(format!("organization {org}")))?;
        org.members.insert(key.clone());
        if admin {
            org.admins.insert(key);
        }
        Ok(())
    }

    /// Removes `login` from organisation `org` and its teams.
    pub fn remove_org_member(&self, org: &str, login: &str) -> SimResult<()> {
        let mut st = self.lock();
        let key = login_key(login);
        let org = st
            .orgs
            .get_mut(&login_key(org))
            .ok_or_else(|| not_found(format!("organization {org}")))?;
        org.members.remove(&key);
        org.admins.remove(&key);
        for team in org.teams.values_mut() {
            team.members.remove(&key);
            team.maintainers.remove(&key);
        }
        Ok(())
    }

    /// Sets the permission every member of `org` has on its repositories.
    pub fn set_org_default_permission(&self, org: &str, permission: Permission) -> SimResult<()> {
        let mut st = self.lock();
        let org = st
            .orgs
            .get_mut(&login_key(org))
            .ok_or_else(|| not_found(format!("organization {org}")))?;
        org.default_permission = permission;
        Ok(())
    }

    /// Whether `login` is a member of organisation `org` (false for an unknown one, as
    /// GitHub's 404 reads).
    pub fn org_member(&self, org: &str, login: &str) -> bool {
        self.lock().is_org_member(org, login)
    }

    /// Creates team `slug` in `org`; returns its ID (the existing one's, when it exists).
    pub fn add_team(&self, org: &str, slug: &str, name: &str) -> SimResult<u64> {
        let mut st = self.lock();
        let id = st.id();
        let org = st
            .orgs
            .get_mut(&login_key(org))
            .ok_or_else(|| not_found(format!("organization {org}")))?;
        let team = org
            .teams
            .entry(slug.to_lowercase())
            .or_insert_with(|| TeamRec {
                id,
                slug: slug.to_lowercase(),
                name: name.to_owned(),
                members: BTreeSet::new(),
                maintainers: BTreeSet::new(),
                repos: BTreeMap::new(),
            });
        Ok(team.id)
    }

    /// Adds `login` to a team as a member or (with `maintainer`) a maintainer; they join
    /// the organisation too, as on GitHub.
    pub fn add_team_member(
        &self,
        org: &str,
        slug: &str,
        login: &str,
        maintainer: bool,
    ) -> SimResult<()> {
        let mut st = self.lock();
        let key = st.ensure_user(login);
        let org_rec = st
            .orgs
            .get_mut(&login_key(org))
            .ok_or_else(|| not_found(format!("organization {org}")))?;
        org_rec.members.insert(key.clone());
        let team = org_rec
            .teams
            .get_mut(&slug.to_lowercase())
            .ok_or_else(|| not_found(format!("team {org}/{slug}")))?;
        if maintainer {
            team.members.remove(&key);
            team.maintainers.insert(key);
        } else if !team.maintainers.contains(&key) {
            team.members.insert(key);
        }
        Ok(())
    }

    /// Gives a team `permission` on repository `repo` of its organisation.
    pub fn set_team_repo_permission(
        &self,
        org: &str,
        slug: &str,
        repo: &str,
        permission: Permission,
    ) -> SimResult<()> {
        let mut st = self.lock();
        let team = st
            .orgs
            .get_mut(&login_key(org))
            .and_then(|o| o.teams.get_mut(&slug.to_lowercase()))
            .ok_or_else(|| not_found(format!("team {org}/{slug}")))?;
        team.repos.insert(repo.to_lowercase(), permission);
        Ok(())
    }

    /// The teams of an organisation.
    pub fn teams(&self, org: &str) -> SimResult<Vec<Team>> {
        let st = self.lock();
        let org = st
            .orgs
            .get(&login_key(org))
            .ok_or_else(|| not_found(format!("organization {org}")))?;
        Ok(org.teams.values().map(team_obj).collect())
    }

    /// The members of a team with the given role.
    pub fn team_members(&self, org: &str, slug: &str, role: TeamRole) -> SimResult<Vec<User>> {
        let st = self.lock();
        let team = st
            .orgs
            .get(&login_key(org))
            .and_then(|o| o.teams.get(&slug.to_lowercase()))
            .ok_or_else(|| not_found(format!("team {org}/{slug}")))?;
        let logins: Vec<&String> = match role {
            TeamRole::All => team.maintainers.union(&team.members).collect(),
            TeamRole::Maintainer => team.maintainers.iter().collect(),
            TeamRole::Member => team.members.iter().collect(),
        };
        Ok(logins.into_iter().map(|l| st.user(l)).collect())
    }

    /// Creates repository `repo` whose default branch `default_branch` holds one commit of
    /// `files`; returns that commit's SHA. The owner is an organisation made with
    /// [`Simulator::add_org`], or else a user account. 422 when the repository exists.
    pub fn create_repo(
        &self,
        repo: &RepoName,
        default_branch: &str,
        files: impl Into<Files>,
    ) -> SimResult<String> {
        let files = files.into();
        let mut st = self.lock();
        if st.repos.contains_key(&repo_key(repo)) {
            return Err(unprocessable(format!("name already exists: {repo}")));
        }
        let owner = st.ensure_user(&repo.org);
        let id = st.id();
        st.repos.insert(
            repo_key(repo),
            RepoRec {
                name: repo.clone(),
                id,
                description: None,
                default_branch: default_branch.to_owned(),
                private: false,
                archived: false,
                collaborators: BTreeMap::new(),
                branches: BTreeMap::new(),
                tags: BTreeMap::new(),
                forks: BTreeMap::new(),
                commits: HashMap::new(),
                labels: Vec::new(),
                issues: BTreeMap::new(),
                next_number: 1,
                comments: BTreeMap::new(),
                review_comments: BTreeMap::new(),
                statuses: HashMap::new(),
                check_runs: Vec::new(),
                workflow_runs: Vec::new(),
                milestones: BTreeMap::new(),
                required_contexts: BTreeMap::new(),
            },
        );
        let author = st
            .users
            .get(&owner)
            .map(|u| u.login.clone())
            .unwrap_or(owner);
        let sha = st.commit_files(repo, None, &files, "Initial commit", &author)?;
        st.repo_mut(repo)?
            .branches
            .insert(default_branch.to_owned(), sha.clone());
        Ok(sha)
    }

    /// A repository.
    pub fn repo(&self, repo: &RepoName) -> SimResult<Repo> {
        let st = self.lock();
        Ok(st.repo_obj(st.repo(repo)?))
    }

    /// The names of every repository, sorted.
    pub fn repos(&self) -> Vec<RepoName> {
        self.lock().repos.values().map(|r| r.name.clone()).collect()
    }

    /// Makes a repository private or public.
    pub fn set_private(&self, repo: &RepoName, private: bool) -> SimResult<()> {
        self.lock().repo_mut(repo)?.private = private;
        Ok(())
    }

    /// Archives (read-only: every change is a 403) or unarchives a repository.
    pub fn set_archived(&self, repo: &RepoName, archived: bool) -> SimResult<()> {
        self.lock().repo_mut(repo)?.archived = archived;
        Ok(())
    }

    /// Sets a repository's description.
    pub fn set_description(&self, repo: &RepoName, description: Option<&str>) -> SimResult<()> {
        self.lock().repo_mut(repo)?.description = description.map(str::to_owned);
        Ok(())
    }

    /// Makes `login` a collaborator with `permission` (`Permission::None` removes them).
    pub fn add_collaborator(
        &self,
        repo: &RepoName,
        login: &str,
        permission: Permission,
    ) -> SimResult<()> {
        let mut st = self.lock();
        let key = st.ensure_user(login);
        let rec = st.repo_mut(repo)?;
        if permission == Permission::None {
            rec.collaborators.remove(&key);
        } else {
            rec.collaborators.insert(key, permission);
        }
        Ok(())
    }

    /// `login`'s permission on a repository, from every source GitHub grants one. 404 for an
    /// unknown account.
    pub fn permission(&self, repo: &RepoName, login: &str) -> SimResult<Permission> {
        let st = self.lock();
        let rec = st.repo(repo)?;
        if !st.users.contains_key(&login_key(login)) {
            return Err(not_found(format!("user {login}")));
        }
        Ok(st.permission(rec, login))
    }

    /// Sets the least permission the bot has on every repository (`Admin` unless set).
    pub fn set_bot_permission(&self, permission: Permission) {
        self.lock().bot_permission = permission;
    }

    /// Creates a repository label; 422 when one of that name exists.
    pub fn create_label(
        &self,
        repo: &RepoName,
        name: &str,
        color: Option<&str>,
        description: Option<&str>,
    ) -> SimResult<()> {
        let mut st = self.lock();
        if st.repo(repo)?.label(name).is_some() {
            return Err(unprocessable(format!(
                "label {name:?} already exists in {repo}"
            )));
        }
        let id = st.id();
        st.repo_mut(repo)?.labels.push(LabelRec {
            id,
            name: name.to_owned(),
            color: color
                .unwrap_or(DEFAULT_LABEL_COLOR)
                .trim_start_matches('#')
                .to_owned(),
            description: description.map(str::to_owned),
        });
        Ok(())
    }

    /// The labels defined in a repository.
    pub fn repo_labels(&self, repo: &RepoName) -> SimResult<Vec<Label>> {
        let st = self.lock();
        let rec = st.repo(repo)?;
        Ok(rec.labels.iter().map(|l| st.label_obj(rec, l)).collect())
    }

    /// Creates an open milestone; returns its number.
    pub fn create_milestone(&self, repo: &RepoName, title: &str) -> SimResult<u64> {
        let mut st = self.lock();
        let rec = st.repo_mut(repo)?;
        if rec.milestones.values().any(|m| m.title == title) {
            return Err(unprocessable(format!(
                "milestone {title:?} already exists in {repo}"
            )));
        }
        let number = rec.milestones.keys().next_back().copied().unwrap_or(0) + 1;
        rec.milestones.insert(
            number,
            MilestoneRec {
                number,
                title: title.to_owned(),
                open: true,
            },
        );
        Ok(number)
    }

    /// Opens or closes a milestone.
    pub fn set_milestone_open(&self, repo: &RepoName, number: u64, open: bool) -> SimResult<()> {
        let mut st = self.lock();
        let milestone = st
            .repo_mut(repo)?
            .milestones
            .get_mut(&number)
            .ok_or_else(|| not_found(format!("milestone {number} in {repo}")))?;
        milestone.open = open;
        Ok(())
    }

    /// Every milestone of a repository, open and closed.
    pub fn milestones(&self, repo: &RepoName) -> SimResult<Vec<Milestone>> {
        let st = self.lock();
        let rec = st.repo(repo)?;
        Ok(rec
            .milestones
            .values()
            .map(|m| st.milestone_obj(m))
            .collect())
    }

    /// Requires the contexts to be `success` on a pull request's head before it can be merged
    /// into `branch` (GitHub's branch protection); empty removes the rule.
    pub fn set_required_status_checks(
        &self,
        repo: &RepoName,
        branch: &str,
        contexts: &[&str],
    ) -> SimResult<()> {
        let mut st = self.lock();
        let rec = st.repo_mut(repo)?;
        if contexts.is_empty() {
            rec.required_contexts.remove(branch);
        } else {
            rec.required_contexts.insert(
                branch.to_owned(),
                contexts.iter().map(|c| c.to_string()).collect(),
            );
        }
        Ok(())
    }

    /// Locks or unlocks an issue's conversation (only collaborators with write access may
    /// comment on a locked one).
    pub fn set_locked(&self, repo: &RepoName, number: u64, locked: bool) -> SimResult<()> {
        self.lock().repo_mut(repo)?.issue_mut(number)?.locked = locked;
        Ok(())
    }
}
