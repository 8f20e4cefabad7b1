//! The `branch-protection` section of Prow's `config.yaml`: protection policies
//! set globally, per org, per repo and per branch, and how a child level
//! inherits from (and merges into) its parent, as the branchprotector does.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::prow::{ValidationError, compile_go_regex, go_quote};

/// Which status contexts GitHub requires before merging.
///
/// When policies merge, contexts are added to the parent's list; `strict`
/// replaces the parent's value when set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContextPolicy {
    /// Contexts that must be green to merge.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contexts: Option<Vec<String>>,
    /// Whether the PR must be up to date with the base branch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strict: Option<bool>,
}

/// GitHub review requirements; unset values inherit from the parent, lists
/// are added to the parent's.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReviewPolicy {
    /// Users and teams who may dismiss reviews.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dismissal_restrictions: Option<DismissalRestrictions>,
    /// Whether new commits dismiss earlier approvals.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dismiss_stale_reviews: Option<bool>,
    /// Whether CODEOWNERS must approve.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require_code_owner_reviews: Option<bool>,
    /// How many approvals are required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required_approving_review_count: Option<i64>,
    /// Users and teams who may bypass the pull request requirements.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bypass_pull_request_allowances: Option<BypassRestrictions>,
}

/// Users and teams allowed to dismiss reviews (added to the parent's lists).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DismissalRestrictions {
    /// GitHub user logins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub users: Option<Vec<String>>,
    /// GitHub team slugs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub teams: Option<Vec<String>>,
}

/// Users and teams allowed to bypass pull request requirements.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BypassRestrictions {
    /// GitHub user logins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub users: Option<Vec<String>>,
    /// GitHub team slugs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub teams: Option<Vec<String>>,
}

/// Who may push to the branch. An explicitly empty list (`users: []`) means
/// "nobody but admins", which is why the lists keep "unset" apart from "empty".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Restrictions {
    /// GitHub App slugs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub apps: Option<Vec<String>>,
    /// GitHub user logins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub users: Option<Vec<String>>,
    /// GitHub team slugs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub teams: Option<Vec<String>>,
}

/// Child value if set, else the parent's.
fn select<T: Clone>(parent: &Option<T>, child: &Option<T>) -> Option<T> {
    child.clone().or_else(|| parent.clone())
}

/// Union of two optional lists, sorted and deduplicated when both are set;
/// an unset side yields the other side unchanged.
fn union_strings(parent: &Option<Vec<String>>, child: &Option<Vec<String>>) -> Option<Vec<String>> {
    match (parent, child) {
        (_, None) => parent.clone(),
        (None, _) => child.clone(),
        (Some(p), Some(c)) => {
            let set: BTreeSet<&String> = p.iter().chain(c.iter()).collect();
            Some(set.into_iter().cloned().collect())
        }
    }
}

/// Merges two optional parts with `merge` when both are set.
fn merge_with<T: Clone>(
    parent: &Option<T>,
    child: &Option<T>,
    merge: impl FnOnce(&T, &T) -> T,
) -> Option<T> {
    match (parent, child) {
        (_, None) => parent.clone(),
        (None, _) => child.clone(),
        (Some(p), Some(c)) => Some(merge(p, c)),
    }
}

fn merge_context_policy(p: &ContextPolicy, c: &ContextPolicy) -> ContextPolicy {
    ContextPolicy {
        contexts: union_strings(&p.contexts, &c.contexts),
        strict: select(&p.strict, &c.strict),
    }
}

fn merge_review_policy(p: &ReviewPolicy, c: &ReviewPolicy) -> ReviewPolicy {
    ReviewPolicy {
        dismissal_restrictions: merge_with(
            &p.dismissal_restrictions,
            &c.dismissal_restrictions,
            |p, c| DismissalRestrictions {
                users: union_strings(&p.users, &c.users),
                teams: union_strings(&p.teams, &c.teams),
            },
        ),
        dismiss_stale_reviews: select(&p.dismiss_stale_reviews, &c.dismiss_stale_reviews),
        require_code_owner_reviews: select(
            &p.require_code_owner_reviews,
            &c.require_code_owner_reviews,
        ),
        required_approving_review_count: select(
            &p.required_approving_review_count,
            &c.required_approving_review_count,
        ),
        bypass_pull_request_allowances: merge_with(
            &p.bypass_pull_request_allowances,
            &c.bypass_pull_request_allowances,
            |p, c| BypassRestrictions {
                users: union_strings(&p.users, &c.users),
                teams: union_strings(&p.teams, &c.teams),
            },
        ),
    }
}

fn merge_restrictions(p: &Restrictions, c: &Restrictions) -> Restrictions {
    Restrictions {
        apps: union_strings(&p.apps, &c.apps),
        users: union_strings(&p.users, &c.users),
        teams: union_strings(&p.teams, &c.teams),
    }
}

/// Declares a struct that carries every [`Policy`] field inline (upstream
/// embeds `Policy` with `json:",inline"`), followed by the given extra fields,
/// plus `policy()`/`set_policy()` to move between the two shapes.
macro_rules! with_policy_fields {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        #[serde(default)]
        pub struct $name {
            /// Makes the branchprotector leave the protection alone.
            #[serde(skip_serializing_if = "Option::is_none")]
            pub unmanaged: Option<bool>,
            /// Whether branch protection is enabled.
            #[serde(skip_serializing_if = "Option::is_none")]
            pub protect: Option<bool>,
            /// Required GitHub status contexts.
            #[serde(skip_serializing_if = "Option::is_none")]
            pub required_status_checks: Option<ContextPolicy>,
            /// Whether the protection also applies to admins.
            #[serde(skip_serializing_if = "Option::is_none")]
            pub enforce_admins: Option<bool>,
            /// Who may push.
            #[serde(skip_serializing_if = "Option::is_none")]
            pub restrictions: Option<Restrictions>,
            /// Also require contexts of jobs that only run when triggered by hand.
            #[serde(skip_serializing_if = "Option::is_none")]
            pub require_manually_triggered_jobs: Option<bool>,
            /// Review requirements.
            #[serde(skip_serializing_if = "Option::is_none")]
            pub required_pull_request_reviews: Option<ReviewPolicy>,
            /// Forbid merge commits on the branch.
            #[serde(skip_serializing_if = "Option::is_none")]
            pub required_linear_history: Option<bool>,
            /// Allow force pushes by anyone with write access.
            #[serde(skip_serializing_if = "Option::is_none")]
            pub allow_force_pushes: Option<bool>,
            /// Allow deleting the branch by anyone with write access.
            #[serde(skip_serializing_if = "Option::is_none")]
            pub allow_deletions: Option<bool>,
            /// Require signed commits.
            #[serde(skip_serializing_if = "Option::is_none")]
            pub require_signed_commits: Option<bool>,
            /// Regexes of branches left out of the policy (exclusive with `include`).
            #[serde(skip_serializing_if = "Option::is_none")]
            pub exclude: Option<Vec<String>>,
            /// Regexes of the only branches the policy covers (exclusive with `exclude`).
            #[serde(skip_serializing_if = "Option::is_none")]
            pub include: Option<Vec<String>>,
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        impl $name {
            /// The policy part of this level, without its children.
            pub fn policy(&self) -> Policy {
                Policy {
                    unmanaged: self.unmanaged,
                    protect: self.protect,
                    required_status_checks: self.required_status_checks.clone(),
                    enforce_admins: self.enforce_admins,
                    restrictions: self.restrictions.clone(),
                    require_manually_triggered_jobs: self.require_manually_triggered_jobs,
                    required_pull_request_reviews: self.required_pull_request_reviews.clone(),
                    required_linear_history: self.required_linear_history,
                    allow_force_pushes: self.allow_force_pushes,
                    allow_deletions: self.allow_deletions,
                    require_signed_commits: self.require_signed_commits,
                    exclude: self.exclude.clone(),
                    include: self.include.clone(),
                }
            }

            /// Replaces the policy part of this level, keeping its children.
            pub fn set_policy(&mut self, p: Policy) {
                self.unmanaged = p.unmanaged;
                self.protect = p.protect;
                self.required_status_checks = p.required_status_checks;
                self.enforce_admins = p.enforce_admins;
                self.restrictions = p.restrictions;
                self.require_manually_triggered_jobs = p.require_manually_triggered_jobs;
                self.required_pull_request_reviews = p.required_pull_request_reviews;
                self.required_linear_history = p.required_linear_history;
                self.allow_force_pushes = p.allow_force_pushes;
                self.allow_deletions = p.allow_deletions;
                self.require_signed_commits = p.require_signed_commits;
                self.exclude = p.exclude;
                self.include = p.include;
            }
        }
    };
}

with_policy_fields! {
    /// A protection policy for the whole config, an org, a repo or a branch.
    /// Unset values inherit the parent's policy when merged.
    pub struct Policy {}
}

impl Policy {
    /// True only when `unmanaged` is explicitly `false`.
    pub fn managed(&self) -> bool {
        self.unmanaged == Some(false)
    }

    /// Whether any protection setting (other than include/exclude/unmanaged)
    /// is set.
    pub fn defined(&self) -> bool {
        self.protect.is_some()
            || self.required_status_checks.is_some()
            || self.enforce_admins.is_some()
            || self.restrictions.is_some()
            || self.require_manually_triggered_jobs.is_some()
            || self.required_pull_request_reviews.is_some()
            || self.required_linear_history.is_some()
            || self.allow_force_pushes.is_some()
            || self.allow_deletions.is_some()
            || self.require_signed_commits.is_some()
    }

    /// Merges `child` into `self` (the parent): scalars set in the child
    /// win, lists are united, nested parts are merged field by field.
    pub fn apply(&self, child: &Policy) -> Policy {
        Policy {
            unmanaged: select(&self.unmanaged, &child.unmanaged),
            protect: select(&self.protect, &child.protect),
            required_status_checks: merge_with(
                &self.required_status_checks,
                &child.required_status_checks,
                merge_context_policy,
            ),
            enforce_admins: select(&self.enforce_admins, &child.enforce_admins),
            restrictions: merge_with(&self.restrictions, &child.restrictions, merge_restrictions),
            require_manually_triggered_jobs: select(
                &self.require_manually_triggered_jobs,
                &child.require_manually_triggered_jobs,
            ),
            required_pull_request_reviews: merge_with(
                &self.required_pull_request_reviews,
                &child.required_pull_request_reviews,
                merge_review_policy,
            ),
            required_linear_history: select(
                &self.required_linear_history,
                &child.required_linear_history,
            ),
            allow_force_pushes: select(&self.allow_force_pushes, &child.allow_force_pushes),
            allow_deletions: select(&self.allow_deletions, &child.allow_deletions),
            require_signed_commits: select(
                &self.require_signed_commits,
                &child.require_signed_commits,
            ),
            exclude: union_strings(&self.exclude, &child.exclude),
            include: union_strings(&self.include, &child.include),
        }
    }
}

with_policy_fields! {
    /// The global branch protection policy and its per-org overrides.
    pub struct BranchProtection {
        /// Protect every repo Prow has jobs for, even when not listed here.
        #[serde(rename = "protect-tested-repos", skip_serializing_if = "Option::is_none")]
        pub protect_tested: Option<bool>,
        /// Per-org policies.
        #[serde(skip_serializing_if = "BTreeMap::is_empty")]
        pub orgs: BTreeMap<String, Org>,
        /// Let a child disable protection that it inherited.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub allow_disabled_policies: Option<bool>,
        /// Let a branch opt out of protection although Prow requires jobs on it.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub allow_disabled_job_policies: Option<bool>,
        /// Also manage required contexts of repos that only have optional jobs.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub protect_repos_with_optional_jobs: Option<bool>,
    }
}

with_policy_fields! {
    /// An org's policy and its per-repo overrides.
    pub struct Org {
        /// Per-repo policies.
        #[serde(skip_serializing_if = "BTreeMap::is_empty")]
        pub repos: BTreeMap<String, Repo>,
    }
}

with_policy_fields! {
    /// A repo's policy and its per-branch overrides.
    pub struct Repo {
        /// Per-branch policies.
        #[serde(skip_serializing_if = "BTreeMap::is_empty")]
        pub branches: BTreeMap<String, Branch>,
    }
}

with_policy_fields! {
    /// A single branch's policy.
    pub struct Branch {}
}

impl BranchProtection {
    /// The org's configuration with the global policy merged in (the global
    /// policy alone when the org is not listed).
    pub fn get_org(&self, name: &str) -> Org {
        let top = self.policy();
        match self.orgs.get(name) {
            Some(o) => {
                let mut o = o.clone();
                o.set_policy(top.apply(&o.policy()));
                o
            }
            None => {
                let mut o = Org::default();
                o.set_policy(top);
                o
            }
        }
    }

    /// The merged policy of one branch, as the branchprotector computes it
    /// before adding the contexts of Prow's own jobs (which live in the job
    /// config, not here). `Ok(None)` means the branch is not protected by
    /// this config: its org is not listed, or nothing is defined.
    pub fn branch_policy(
        &self,
        org: &str,
        repo: &str,
        branch: &str,
    ) -> Result<Option<Policy>, String> {
        if !self.orgs.contains_key(org) {
            return Ok(None);
        }
        let b = self.get_org(org).get_repo(repo).get_branch(branch)?;
        self.finish_policy(org, repo, branch, b.policy())
    }

    /// Applies the `protect: false` rules to a merged branch policy.
    fn finish_policy(
        &self,
        org: &str,
        repo: &str,
        branch: &str,
        policy: Policy,
    ) -> Result<Option<Policy>, String> {
        if policy.protect == Some(false) {
            let mut without = policy.clone();
            without.protect = None;
            if without.defined() && self.allow_disabled_policies != Some(true) {
                return Err(format!(
                    "{org}/{repo}={branch} defines a policy, which requires protect: true"
                ));
            }
        }
        if !policy.defined() {
            return Ok(None);
        }
        Ok(Some(policy))
    }

    /// Whether any org has a repo with a managed branch.
    pub fn has_managed_branches(&self) -> bool {
        self.orgs.values().any(Org::has_managed_branches)
    }

    /// Whether any org sets `unmanaged: false`.
    pub fn has_managed_orgs(&self) -> bool {
        self.orgs.values().any(|o| o.policy().managed())
    }

    /// Whether any repo sets `unmanaged: false`.
    pub fn has_managed_repos(&self) -> bool {
        self.orgs.values().any(Org::has_managed_repos)
    }

    /// Repos (`org/repo`, sorted) whose merged policy defines protection
    /// settings but has `protect: false`; upstream logs these as a warning.
    pub fn repos_with_disabled_policy(&self) -> Vec<String> {
        let allow = self.allow_disabled_policies == Some(true);
        let mut out = BTreeSet::new();
        for (org_name, org) in &self.orgs {
            let merged_org = self.get_org(org_name);
            for repo_name in org.repos.keys() {
                let policy = merged_org.get_repo(repo_name).policy();
                if policy.protect == Some(false) && allow {
                    let mut without = policy.clone();
                    without.protect = None;
                    if without.defined() {
                        out.insert(format!("{org_name}/{repo_name}"));
                    }
                }
            }
        }
        out.into_iter().collect()
    }

    /// Visits every configured level (global, org, repo, branch) with its
    /// path, its own policy, and its merged policy and its parent's.
    fn walk(&self, mut visit: impl FnMut(Level<'_>)) {
        let top = self.policy();
        let top_path = "branch-protection".to_string();
        visit(Level {
            path: &top_path,
            branch: None,
            own: &top,
            parent: None,
            merged: &top,
        });
        for (org_name, org) in &self.orgs {
            let org_path = format!("{top_path}.orgs[{}]", go_quote(org_name));
            let merged_org = self.get_org(org_name);
            let org_policy = merged_org.policy();
            visit(Level {
                path: &org_path,
                branch: None,
                own: &org.policy(),
                parent: Some(&top),
                merged: &org_policy,
            });
            for (repo_name, repo) in &org.repos {
                let repo_path = format!("{org_path}.repos[{}]", go_quote(repo_name));
                let repo_policy = merged_org.get_repo(repo_name).policy();
                visit(Level {
                    path: &repo_path,
                    branch: None,
                    own: &repo.policy(),
                    parent: Some(&org_policy),
                    merged: &repo_policy,
                });
                for (branch_name, branch) in &repo.branches {
                    let own = branch.policy();
                    visit(Level {
                        path: &format!("{repo_path}.branches[{}]", go_quote(branch_name)),
                        branch: Some((org_name, repo_name, branch_name)),
                        own: &own,
                        parent: Some(&repo_policy),
                        merged: &repo_policy.apply(&own),
                    });
                }
            }
        }
    }

    /// Checks the section; each error names the level it was found at.
    /// Besides upstream's load-time check (include and exclude both set
    /// globally) this reports what the branchprotector, Tide and
    /// `checkconfig` reject: include/exclude regexes that don't compile,
    /// listed branches without `protect` or `unmanaged: true`, policies
    /// under `protect: false` (unless `allow_disabled_policies`), and
    /// settings under `unmanaged: true`.
    pub fn validate(&self) -> Vec<ValidationError> {
        let mut errs = Vec::new();
        let top = self.policy();
        if has_include_and_exclude(&top) {
            errs.push(ValidationError::new(
                "branch-protection",
                "Forbidden to set both Policy.Include and Policy.Exclude, Please use either Include or Exclude!",
            ));
        }
        self.walk(|level| {
            for (field, list) in [
                ("exclude", &level.own.exclude),
                ("include", &level.own.include),
            ] {
                for (i, re) in list.iter().flatten().enumerate() {
                    if let Err(e) = compile_go_regex(re) {
                        errs.push(ValidationError::new(
                            &format!("{}.{field}[{i}]", level.path),
                            e,
                        ));
                    }
                }
            }
            if let Some((org, repo, branch)) = level.branch {
                let merged = level.merged;
                if merged.protect.is_none() && merged.unmanaged != Some(true) {
                    errs.push(ValidationError::new(
                        level.path,
                        "defined branch policies must set protect or unmanaged=true",
                    ));
                } else if let Err(e) = self.finish_policy(org, repo, branch, merged.clone()) {
                    errs.push(ValidationError::new(level.path, e));
                }
            }
        });
        self.validate_unmanaged(&mut errs);
        errs
    }

    /// `checkconfig`'s rule: a level set to `unmanaged: true` must not
    /// configure anything below it unless that part is managed again.
    fn validate_unmanaged(&self, errs: &mut Vec<ValidationError>) {
        let top_path = "branch-protection";
        if self.unmanaged == Some(true) {
            if has_settings(&self.policy())
                && !self.has_managed_orgs()
                && !self.has_managed_repos()
                && !self.has_managed_branches()
            {
                errs.push(ValidationError::new(
                    top_path,
                    "branch protection is globally set to unmanaged, but has configuration",
                ));
            }
            for (org_name, org) in &self.orgs {
                if org.has_managed_repos() {
                    continue;
                }
                errs.push(ValidationError::new(
                    &format!("{top_path}.orgs[{}]", go_quote(org_name)),
                    format!("branch protection config is globally set to unmanaged but has configuration for org {org_name} without setting the org to unmanaged: false"),
                ));
            }
        }
        for (org_name, org) in &self.orgs {
            let org_path = format!("{top_path}.orgs[{}]", go_quote(org_name));
            if org.unmanaged == Some(true) {
                if has_settings(&org.policy())
                    && !org.has_managed_repos()
                    && !org.has_managed_branches()
                {
                    errs.push(ValidationError::new(
                        &org_path,
                        format!("branch protection config for org {org_name} is set to unmanaged, but it defines settings"),
                    ));
                }
                for (repo_name, repo) in &org.repos {
                    if repo.has_managed_branches() {
                        continue;
                    }
                    errs.push(ValidationError::new(
                        &format!("{org_path}.repos[{}]", go_quote(repo_name)),
                        format!("branch protection config for repo {org_name}/{repo_name} is defined, but branch protection is unmanaged for org {org_name} without setting the repo to unmanaged: false"),
                    ));
                }
            }
            for (repo_name, repo) in &org.repos {
                let repo_path = format!("{org_path}.repos[{}]", go_quote(repo_name));
                if repo.unmanaged == Some(true) {
                    if has_settings(&repo.policy()) && !repo.has_managed_branches() {
                        errs.push(ValidationError::new(
                            &repo_path,
                            format!("branch protection config for repo {org_name}/{repo_name} is set to unmanaged, but it defines settings"),
                        ));
                    }
                    for (branch_name, branch) in &repo.branches {
                        if branch.policy().managed() {
                            continue;
                        }
                        errs.push(ValidationError::new(
                            &format!("{repo_path}.branches[{}]", go_quote(branch_name)),
                            format!("branch protection for repo {org_name}/{repo_name} is set to unmanaged, but it defines settings for branch {branch_name} without setting the branch to unmanaged: false"),
                        ));
                    }
                }
                for (branch_name, branch) in &repo.branches {
                    if branch.unmanaged == Some(true) && has_settings(&branch.policy()) {
                        errs.push(ValidationError::new(
                            &format!("{repo_path}.branches[{}]", go_quote(branch_name)),
                            format!("branch protection config for branch {branch_name} in repo {org_name}/{repo_name} is set to unmanaged but defines settings"),
                        ));
                    }
                }
            }
        }
    }

    /// Advice upstream logs rather than rejects: repos whose policy is
    /// disabled with `protect: false`, and levels below the top where include
    /// and exclude are both in force (the branchprotector then uses include).
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        let repos = self.repos_with_disabled_policy();
        if !repos.is_empty() {
            out.push(format!(
                "The following repos define a policy, but have protect: false: {}",
                repos.join(",")
            ));
        }
        self.walk(|level| {
            if level.parent.is_some()
                && has_include_and_exclude(level.merged)
                && !level.parent.is_some_and(has_include_and_exclude)
            {
                out.push(format!(
                    "{}: both include and exclude are in force; include takes precedence",
                    level.path
                ));
            }
        });
        out
    }
}

/// One configured level seen by [`BranchProtection::walk`].
struct Level<'a> {
    path: &'a str,
    /// `(org, repo, branch)` for a branch level.
    branch: Option<(&'a str, &'a str, &'a str)>,
    own: &'a Policy,
    parent: Option<&'a Policy>,
    merged: &'a Policy,
}

fn has_include_and_exclude(p: &Policy) -> bool {
    p.include.as_ref().is_some_and(|v| !v.is_empty())
        && p.exclude.as_ref().is_some_and(|v| !v.is_empty())
}

/// Whether anything but `unmanaged` is set.
fn has_settings(p: &Policy) -> bool {
    let only_unmanaged = Policy {
        unmanaged: p.unmanaged,
        ..Default::default()
    };
    *p != only_unmanaged
}

impl Org {
    /// The repo's configuration with this (already merged) org policy merged
    /// in; the org policy alone when the repo is not listed.
    pub fn get_repo(&self, name: &str) -> Repo {
        let org = self.policy();
        match self.repos.get(name) {
            Some(r) => {
                let mut r = r.clone();
                r.set_policy(org.apply(&r.policy()));
                r
            }
            None => {
                let mut r = Repo::default();
                r.set_policy(org);
                r
            }
        }
    }

    /// Whether any repo sets `unmanaged: false`.
    pub fn has_managed_repos(&self) -> bool {
        self.repos.values().any(|r| r.policy().managed())
    }

    /// Whether any repo has a branch with `unmanaged: false`.
    pub fn has_managed_branches(&self) -> bool {
        self.repos.values().any(Repo::has_managed_branches)
    }
}

impl Repo {
    /// The branch's configuration with this (already merged) repo policy
    /// merged in. A listed branch must end up with `protect` set or
    /// `unmanaged: true`.
    pub fn get_branch(&self, name: &str) -> Result<Branch, String> {
        let repo = self.policy();
        let mut b = Branch::default();
        match self.branches.get(name) {
            Some(own) => {
                let merged = repo.apply(&own.policy());
                if merged.protect.is_none() && merged.unmanaged != Some(true) {
                    return Err("defined branch policies must set protect or unmanaged=true".into());
                }
                b.set_policy(merged);
            }
            None => b.set_policy(repo),
        }
        Ok(b)
    }

    /// Whether any branch sets `unmanaged: false`.
    pub fn has_managed_branches(&self) -> bool {
        self.branches.values().any(|b| b.policy().managed())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strs(v: &[&str]) -> Option<Vec<String>> {
        Some(v.iter().map(|s| s.to_string()).collect())
    }

    fn parse(yaml: &str) -> BranchProtection {
        crate::yaml::from_str(yaml).expect("valid branch-protection yaml")
    }

    #[test]
    fn union_strings_table() {
        type List = Option<Vec<String>>;
        let cases: Vec<(List, List, List)> = vec![
            (None, None, None),
            (strs(&["a"]), None, strs(&["a"])),
            (None, strs(&["b"]), strs(&["b"])),
            (strs(&["b", "a"]), strs(&["a", "c"]), strs(&["a", "b", "c"])),
            (strs(&["a"]), Some(vec![]), strs(&["a"])),
            (None, Some(vec![]), Some(vec![])),
        ];
        for (p, c, want) in cases {
            assert_eq!(union_strings(&p, &c), want, "{p:?} + {c:?}");
        }
    }

    #[test]
    fn apply_merges_child_into_parent() {
        let parent = Policy {
            protect: Some(true),
            required_status_checks: Some(ContextPolicy {
                contexts: strs(&["cla"]),
                strict: Some(false),
            }),
            restrictions: Some(Restrictions {
                users: strs(&["bob"]),
                ..Default::default()
            }),
            exclude: strs(&["^revert-"]),
            ..Default::default()
        };
        let child = Policy {
            protect: Some(false),
            required_status_checks: Some(ContextPolicy {
                contexts: strs(&["build"]),
                strict: None,
            }),
            restrictions: Some(Restrictions {
                teams: Some(vec![]),
                ..Default::default()
            }),
            enforce_admins: Some(true),
            ..Default::default()
        };
        let got = parent.apply(&child);
        assert_eq!(got.protect, Some(false));
        assert_eq!(got.enforce_admins, Some(true));
        let rsc = got.required_status_checks.unwrap();
        assert_eq!(rsc.contexts, strs(&["build", "cla"]));
        assert_eq!(rsc.strict, Some(false));
        let r = got.restrictions.unwrap();
        assert_eq!(r.users, strs(&["bob"]));
        assert_eq!(r.teams, Some(vec![]));
        assert_eq!(got.exclude, strs(&["^revert-"]));
        // Nothing set in either side stays unset.
        assert_eq!(
            Policy::default().apply(&Policy::default()),
            Policy::default()
        );
    }

    #[test]
    fn review_policy_merge() {
        let parent = Policy {
            required_pull_request_reviews: Some(ReviewPolicy {
                required_approving_review_count: Some(1),
                dismissal_restrictions: Some(DismissalRestrictions {
                    users: strs(&["a"]),
                    teams: None,
                }),
                ..Default::default()
            }),
            ..Default::default()
        };
        let child = Policy {
            required_pull_request_reviews: Some(ReviewPolicy {
                required_approving_review_count: Some(2),
                dismiss_stale_reviews: Some(true),
                dismissal_restrictions: Some(DismissalRestrictions {
                    users: strs(&["b"]),
                    teams: strs(&["t"]),
                }),
                ..Default::default()
            }),
            ..Default::default()
        };
        let got = parent.apply(&child).required_pull_request_reviews.unwrap();
        assert_eq!(got.required_approving_review_count, Some(2));
        assert_eq!(got.dismiss_stale_reviews, Some(true));
        let d = got.dismissal_restrictions.unwrap();
        assert_eq!(d.users, strs(&["a", "b"]));
        assert_eq!(d.teams, strs(&["t"]));
    }

    const NESTED: &str = r#"
protect: true
required_status_checks:
  contexts: [global]
orgs:
  kubernetes:
    required_status_checks:
      contexts: [cla]
    repos:
      test-infra:
        enforce_admins: true
        branches:
          gh-pages:
            protect: false
          release:
            required_status_checks:
              contexts: [release-check]
      website:
        restrictions:
          users: []
          teams: [bots]
"#;

    #[test]
    fn nesting_and_lookup() {
        let bp = parse(NESTED);
        // Unlisted org: the global policy only.
        let other = bp.get_org("other");
        assert_eq!(other.protect, Some(true));
        assert!(other.repos.is_empty());

        let org = bp.get_org("kubernetes");
        assert_eq!(
            org.required_status_checks.as_ref().unwrap().contexts,
            strs(&["cla", "global"])
        );
        let repo = org.get_repo("test-infra");
        assert_eq!(repo.enforce_admins, Some(true));
        let release = repo.get_branch("release").unwrap();
        assert_eq!(release.protect, Some(true));
        assert_eq!(
            release.required_status_checks.unwrap().contexts,
            strs(&["cla", "global", "release-check"])
        );
        let pages = repo.get_branch("gh-pages").unwrap();
        assert_eq!(pages.protect, Some(false));
        // Unlisted branch inherits the repo policy.
        let main = repo.get_branch("main").unwrap();
        assert_eq!(main.enforce_admins, Some(true));

        let website = org.get_repo("website");
        let r = website.restrictions.unwrap();
        assert_eq!(r.users, Some(vec![]));
        assert_eq!(r.teams, strs(&["bots"]));
    }

    #[test]
    fn branch_policy_rules() {
        let bp = parse(NESTED);
        assert_eq!(bp.branch_policy("unknown", "r", "main"), Ok(None));
        let p = bp
            .branch_policy("kubernetes", "test-infra", "main")
            .unwrap()
            .unwrap();
        assert_eq!(p.protect, Some(true));
        // gh-pages: protect false but inherits required contexts.
        assert_eq!(
            bp.branch_policy("kubernetes", "test-infra", "gh-pages"),
            Err(
                "kubernetes/test-infra=gh-pages defines a policy, which requires protect: true"
                    .into()
            )
        );
        let mut allowed = bp.clone();
        allowed.allow_disabled_policies = Some(true);
        let p = allowed
            .branch_policy("kubernetes", "test-infra", "gh-pages")
            .unwrap()
            .unwrap();
        assert_eq!(p.protect, Some(false));
        // Nothing defined at all gives None.
        assert_eq!(
            BranchProtection {
                orgs: [("o".to_string(), Org::default())].into(),
                ..Default::default()
            }
            .branch_policy("o", "r", "b"),
            Ok(None)
        );
    }

    #[test]
    fn managed_flags() {
        let bp = parse(
            r#"
orgs:
  a:
    repos:
      r:
        branches:
          main:
            unmanaged: false
            protect: true
  b:
    unmanaged: false
"#,
        );
        assert!(bp.has_managed_branches());
        assert!(bp.has_managed_orgs());
        assert!(!bp.has_managed_repos());
        assert!(
            Policy {
                unmanaged: Some(false),
                ..Default::default()
            }
            .managed()
        );
        assert!(
            !Policy {
                unmanaged: Some(true),
                ..Default::default()
            }
            .managed()
        );
        assert!(!Policy::default().managed());
    }

    #[test]
    fn warnings_list_disabled_repos_and_include_exclude() {
        let bp = parse(
            r#"
allow_disabled_policies: true
include: [main]
orgs:
  o:
    required_status_checks:
      contexts: [x]
    exclude: [tmp]
    repos:
      offrepo:
        protect: false
"#,
        );
        assert_eq!(
            bp.warnings(),
            vec![
                "The following repos define a policy, but have protect: false: o/offrepo".to_string(),
                r#"branch-protection.orgs["o"]: both include and exclude are in force; include takes precedence"#.to_string(),
            ]
        );
        assert!(parse(NESTED).warnings().is_empty());
    }

    #[test]
    fn repos_with_disabled_policy_lists_repos() {
        let bp = parse(
            r#"
allow_disabled_policies: true
orgs:
  o:
    required_status_checks:
      contexts: [x]
    repos:
      offrepo:
        protect: false
      on:
        protect: true
"#,
        );
        assert_eq!(
            bp.repos_with_disabled_policy(),
            vec!["o/offrepo".to_string()]
        );
    }

    fn messages(bp: &BranchProtection) -> Vec<String> {
        bp.validate().iter().map(|e| e.to_string()).collect()
    }

    #[test]
    fn validation_errors() {
        let cases: Vec<(&str, &str, Vec<&str>)> = vec![
            (
                "nested",
                NESTED,
                vec![
                    r#"branch-protection.orgs["kubernetes"].repos["test-infra"].branches["gh-pages"]: kubernetes/test-infra=gh-pages defines a policy, which requires protect: true"#,
                ],
            ),
            (
                "include and exclude at top",
                "include: [a]\nexclude: [b]\n",
                vec![
                    "branch-protection: Forbidden to set both Policy.Include and Policy.Exclude, Please use either Include or Exclude!",
                ],
            ),
            (
                "include and exclude across levels is only a warning",
                "include: [a]\norgs:\n  o:\n    exclude: [b]\n    repos:\n      r: {}\n",
                vec![],
            ),
            (
                "globally unmanaged with settings",
                "unmanaged: true\nprotect: true\norgs:\n  o:\n    protect: true\n  m:\n    repos:\n      r:\n        unmanaged: false\n",
                vec![
                    r#"branch-protection.orgs["o"]: branch protection config is globally set to unmanaged but has configuration for org o without setting the org to unmanaged: false"#,
                ],
            ),
            (
                "globally unmanaged with only settings",
                "unmanaged: true\nprotect: true\n",
                vec![
                    "branch-protection: branch protection is globally set to unmanaged, but has configuration",
                ],
            ),
            (
                "unmanaged org",
                "orgs:\n  o:\n    unmanaged: true\n    enforce_admins: true\n    repos:\n      r:\n        protect: true\n",
                vec![
                    r#"branch-protection.orgs["o"]: branch protection config for org o is set to unmanaged, but it defines settings"#,
                    r#"branch-protection.orgs["o"].repos["r"]: branch protection config for repo o/r is defined, but branch protection is unmanaged for org o without setting the repo to unmanaged: false"#,
                ],
            ),
            (
                "unmanaged repo and branch",
                "orgs:\n  o:\n    repos:\n      r:\n        unmanaged: true\n        protect: true\n        branches:\n          main:\n            unmanaged: true\n            protect: true\n",
                vec![
                    r#"branch-protection.orgs["o"].repos["r"]: branch protection config for repo o/r is set to unmanaged, but it defines settings"#,
                    r#"branch-protection.orgs["o"].repos["r"].branches["main"]: branch protection for repo o/r is set to unmanaged, but it defines settings for branch main without setting the branch to unmanaged: false"#,
                    r#"branch-protection.orgs["o"].repos["r"].branches["main"]: branch protection config for branch main in repo o/r is set to unmanaged but defines settings"#,
                ],
            ),
            (
                "bad regex",
                "orgs:\n  o:\n    exclude: ['[']\n",
                vec![
                    r#"branch-protection.orgs["o"].exclude[0]: error parsing regexp "[": unclosed character class"#,
                ],
            ),
            (
                "branch without protect",
                "orgs:\n  o:\n    repos:\n      r:\n        branches:\n          main:\n            enforce_admins: true\n",
                vec![
                    r#"branch-protection.orgs["o"].repos["r"].branches["main"]: defined branch policies must set protect or unmanaged=true"#,
                ],
            ),
            (
                "branch unmanaged is fine",
                "orgs:\n  o:\n    repos:\n      r:\n        branches:\n          main:\n            unmanaged: true\n",
                vec![],
            ),
        ];
        for (name, yaml, want) in cases {
            assert_eq!(messages(&parse(yaml)), want, "{name}");
        }
    }

    #[test]
    fn round_trips_through_json() {
        let bp = parse(NESTED);
        let json = serde_json::to_value(&bp).unwrap();
        assert_eq!(
            json["orgs"]["kubernetes"]["repos"]["website"]["restrictions"]["users"],
            serde_json::json!([])
        );
        let back: BranchProtection = serde_json::from_value(json).unwrap();
        assert_eq!(back, bp);
    }
}
