//! The `tide` section of Prow's `config.yaml`: the merge pool's GitHub search
//! queries, merge methods, batch limits and status-context policies, with the
//! lookups Tide performs on them (most specific key first) and their checks.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use regex::Regex;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::prow::{ValidationError, check_go_template, compile_go_regex, go_quote, go_quote_list};
use crate::duration::GoDuration;

/// The merge method used when nothing more specific is configured.
pub const DEFAULT_MERGE_METHOD: &str = "merge";

/// The GitHub-merge-blocks policy used when nothing is configured.
pub const DEFAULT_GITHUB_MERGE_BLOCKS_POLICY: &str = "permit";

/// The merge methods GitHub accepts.
pub const VALID_MERGE_METHODS: [&str; 3] = ["merge", "squash", "rebase"];

/// One GitHub search that selects pull requests eligible for merging.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TideQuery {
    /// Only PRs by this author.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub author: String,
    /// Labels the PR must have; an entry `a,b` means either label.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
    /// Labels the PR must not have.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing_labels: Vec<String>,
    /// Base branches to leave out (exclusive with `includedBranches`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub excluded_branches: Vec<String>,
    /// The only base branches to consider.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub included_branches: Vec<String>,
    /// The milestone the PR must be in.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub milestone: String,
    /// Require an approving GitHub review.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub review_approved_required: bool,
    /// Orgs whose repos are all covered.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub orgs: Vec<String>,
    /// Individual `org/repo`s covered.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub repos: Vec<String>,
    /// `org/repo`s of the listed orgs to leave out.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub excluded_repos: Vec<String>,
}

fn split_org_repo(s: &str) -> Option<(&str, &str)> {
    let mut parts = s.split('/');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(o), Some(r), None) => Some((o, r)),
        _ => None,
    }
}

/// Duplicate check used by [`TideQuery::validate`].
fn duplicates(field: &str, list: &[String]) -> Option<String> {
    let mut seen = BTreeSet::new();
    let mut dups = BTreeSet::new();
    for e in list {
        if !seen.insert(e.as_str()) {
            dups.insert(e.as_str());
        }
    }
    let count = list.len() - seen.len();
    (count > 0).then(|| {
        format!(
            "{} contains {count} duplicate entries: {}",
            go_quote(field),
            dups.into_iter().collect::<Vec<_>>().join(", ")
        )
    })
}

impl TideQuery {
    /// The query parts scoped to each org, and the rest of the search string.
    fn construct_query(&self) -> (BTreeMap<String, Vec<String>>, String) {
        let mut scoped: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for o in &self.orgs {
            scoped
                .entry(o.clone())
                .or_insert_with(|| vec![format!("org:\"{o}\"")]);
        }
        for r in &self.repos {
            if let Some((org, _)) = split_org_repo(r) {
                scoped
                    .entry(org.to_string())
                    .or_default()
                    .push(format!("repo:\"{r}\""));
            }
        }
        for r in &self.excluded_repos {
            if let Some((org, _)) = split_org_repo(r) {
                scoped
                    .entry(org.to_string())
                    .or_default()
                    .push(format!("-repo:\"{r}\""));
            }
        }
        let mut q = vec![
            "is:pr".to_string(),
            "state:open".to_string(),
            "archived:false".to_string(),
        ];
        if !self.author.is_empty() {
            q.push(format!("author:\"{}\"", self.author));
        }
        for b in &self.excluded_branches {
            q.push(format!("-base:\"{b}\""));
        }
        for b in &self.included_branches {
            q.push(format!("base:\"{b}\""));
        }
        for l in &self.labels {
            let alts: Vec<String> = l.split(',').map(|a| format!("\"{a}\"")).collect();
            q.push(format!("label:{}", alts.join(",")));
        }
        for l in &self.missing_labels {
            q.push(format!("-label:\"{l}\""));
        }
        if !self.milestone.is_empty() {
            q.push(format!("milestone:\"{}\"", self.milestone));
        }
        if self.review_approved_required {
            q.push("review:approved".to_string());
        }
        (scoped, q.join(" "))
    }

    /// The GitHub search string for this query (org scopes in org order).
    pub fn query(&self) -> String {
        let (scoped, base) = self.construct_query();
        let mut toks = vec![base];
        for ids in scoped.into_values() {
            toks.extend(ids);
        }
        toks.join(" ")
    }

    /// The GitHub search string sharded by org.
    pub fn org_queries(&self) -> BTreeMap<String, String> {
        let (scoped, base) = self.construct_query();
        scoped
            .into_iter()
            .map(|(org, ids)| (org, format!("{base} {}", ids.join(" "))))
            .collect()
    }

    /// Whether the query covers `org/repo`.
    pub fn for_repo(&self, org: &str, repo: &str) -> bool {
        let full = format!("{org}/{repo}");
        if self.orgs.iter().any(|o| o == org) {
            return !self.excluded_repos.contains(&full);
        }
        self.repos.contains(&full)
    }

    /// Checks the query, returning every problem found, in upstream's words.
    pub fn validate(&self) -> Vec<String> {
        let mut errs = Vec::new();
        let mut orgs = BTreeSet::new();
        for (i, o) in self.orgs.iter().enumerate() {
            if o.contains('/') {
                errs.push(format!(
                    "orgs[{i}]: {} contains a '/' which is not valid",
                    go_quote(o)
                ));
            } else if o.is_empty() {
                errs.push(format!("orgs[{i}]: is an empty string"));
            }
            orgs.insert(o.as_str());
        }
        errs.extend(duplicates("orgs", &self.orgs));

        for (i, r) in self.repos.iter().enumerate() {
            match split_org_repo(r) {
                Some((o, n)) if !o.is_empty() && !n.is_empty() => {
                    if orgs.contains(o) {
                        errs.push(format!(
                            "repos[{i}]: {} is already included via org: {}",
                            go_quote(r),
                            go_quote(o)
                        ));
                    }
                }
                _ => errs.push(format!(
                    "repos[{i}]: {} is not of the form \"org/repo\"",
                    go_quote(r)
                )),
            }
        }
        errs.extend(duplicates("repos", &self.repos));

        if self.orgs.is_empty() && self.repos.is_empty() {
            errs.push("'orgs' and 'repos' cannot both be empty".to_string());
        }

        for (i, r) in self.excluded_repos.iter().enumerate() {
            match split_org_repo(r) {
                Some((o, n)) if !o.is_empty() && !n.is_empty() => {
                    if !orgs.contains(o) {
                        errs.push(format!(
                            "excludedRepos[{i}]: {} has no effect because org {} is not included",
                            go_quote(r),
                            go_quote(o)
                        ));
                    }
                }
                _ => errs.push(format!(
                    "excludedRepos[{i}]: {} is not of the form \"org/repo\"",
                    go_quote(r)
                )),
            }
        }
        errs.extend(duplicates("excludedRepos", &self.excluded_repos));

        let labels: BTreeSet<&String> = self.labels.iter().collect();
        let both: Vec<String> = self
            .missing_labels
            .iter()
            .filter(|l| labels.contains(l))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .cloned()
            .collect();
        if !both.is_empty() {
            errs.push(format!(
                "the labels: {} are both required and forbidden",
                go_quote_list(&both)
            ));
        }
        errs.extend(duplicates("labels", &self.labels));
        errs.extend(duplicates("missingLabels", &self.missing_labels));

        if !self.excluded_branches.is_empty() && !self.included_branches.is_empty() {
            errs.push(
                "both 'includedBranches' and 'excludedBranches' are specified ('excludedBranches' have no effect)"
                    .to_string(),
            );
        }
        errs.extend(duplicates("includedBranches", &self.included_branches));
        errs.extend(duplicates("excludedBranches", &self.excluded_branches));
        errs
    }
}

/// Merge methods of one org: either one method for the whole org
/// (`kubernetes: squash`) or per-repo settings (`kubernetes: {test-infra: squash}`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TideOrgMergeType {
    /// Per-repo settings (`*` matches any repo of the org).
    pub repos: BTreeMap<String, TideRepoMergeType>,
    /// Org-wide method; empty when `repos` is used.
    pub merge_type: String,
}

/// Merge methods of one repo: either one method (`test-infra: squash`) or
/// per-branch settings keyed by branch regex (`test-infra: {main: squash}`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TideRepoMergeType {
    /// Branch regex → merge method.
    pub branches: BTreeMap<String, String>,
    /// Repo-wide method; empty when `branches` is used.
    pub merge_type: String,
}

fn serialize_method_or_map<S: Serializer, V: Serialize>(
    serializer: S,
    method: &str,
    map: &BTreeMap<String, V>,
) -> Result<S::Ok, S::Error> {
    if !method.is_empty() || map.is_empty() {
        serializer.serialize_str(method)
    } else {
        map.serialize(serializer)
    }
}

impl Serialize for TideOrgMergeType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_method_or_map(serializer, &self.merge_type, &self.repos)
    }
}

impl Serialize for TideRepoMergeType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_method_or_map(serializer, &self.merge_type, &self.branches)
    }
}

impl<'de> Deserialize<'de> for TideOrgMergeType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TideOrgMergeType;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a merge method or a map of repos to merge methods")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(TideOrgMergeType {
                    merge_type: v.to_string(),
                    ..Default::default()
                })
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(TideOrgMergeType::default())
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(TideOrgMergeType::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut repos = BTreeMap::new();
                while let Some(k) = map.next_key::<String>()? {
                    let v = map.next_value::<TideRepoMergeType>()?;
                    repos.insert(k, v);
                }
                Ok(TideOrgMergeType {
                    repos,
                    merge_type: String::new(),
                })
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for TideRepoMergeType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TideRepoMergeType;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a merge method or a map of branch regexes to merge methods")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(TideRepoMergeType {
                    merge_type: v.to_string(),
                    ..Default::default()
                })
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(TideRepoMergeType::default())
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(TideRepoMergeType::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut branches = BTreeMap::new();
                while let Some(k) = map.next_key::<String>()? {
                    let v = map.next_value::<String>()?;
                    branches.insert(k, v);
                }
                Ok(TideRepoMergeType {
                    branches,
                    merge_type: String::new(),
                })
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// Declares a struct carrying every [`TideContextPolicy`] field inline
/// (upstream embeds it with `json:",inline"`) plus the given extra fields.
macro_rules! with_context_policy_fields {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        #[serde(default, rename_all = "kebab-case")]
        pub struct $name {
            /// Treat contexts that are neither required nor optional as optional.
            #[serde(skip_serializing_if = "Option::is_none")]
            pub skip_unknown_contexts: Option<bool>,
            /// Contexts that must be present and green.
            #[serde(skip_serializing_if = "Vec::is_empty")]
            pub required_contexts: Vec<String>,
            /// Contexts that must be green when present.
            #[serde(skip_serializing_if = "Vec::is_empty")]
            pub required_if_present_contexts: Vec<String>,
            /// Contexts that are ignored.
            #[serde(skip_serializing_if = "Vec::is_empty")]
            pub optional_contexts: Vec<String>,
            /// Regexes of contexts that are ignored.
            #[serde(skip_serializing_if = "Vec::is_empty")]
            pub optional_regex_contexts: Vec<String>,
            /// Take required contexts from the branch protection config.
            #[serde(skip_serializing_if = "Option::is_none")]
            pub from_branch_protection: Option<bool>,
            /// Report pending contexts as success when merging a green batch.
            #[serde(skip_serializing_if = "Option::is_none")]
            pub overwrite_pending_contexts: Option<bool>,
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        impl $name {
            /// The context policy of this level alone.
            pub fn policy(&self) -> TideContextPolicy {
                TideContextPolicy {
                    skip_unknown_contexts: self.skip_unknown_contexts,
                    required_contexts: self.required_contexts.clone(),
                    required_if_present_contexts: self.required_if_present_contexts.clone(),
                    optional_contexts: self.optional_contexts.clone(),
                    optional_regex_contexts: self.optional_regex_contexts.clone(),
                    from_branch_protection: self.from_branch_protection,
                    overwrite_pending_contexts: self.overwrite_pending_contexts,
                }
            }
        }
    };
}

with_context_policy_fields! {
    /// How Tide treats status contexts on a PR.
    pub struct TideContextPolicy {}
}

with_context_policy_fields! {
    /// The top-level context policy (`tide.context_options`) and org overrides.
    pub struct TideContextPolicyOptions {
        /// Per-org overrides.
        #[serde(skip_serializing_if = "BTreeMap::is_empty")]
        pub orgs: BTreeMap<String, TideOrgContextPolicy>,
    }
}

with_context_policy_fields! {
    /// An org's context policy and its repo overrides.
    pub struct TideOrgContextPolicy {
        /// Per-repo overrides.
        #[serde(skip_serializing_if = "BTreeMap::is_empty")]
        pub repos: BTreeMap<String, TideRepoContextPolicy>,
    }
}

with_context_policy_fields! {
    /// A repo's context policy and its branch overrides.
    pub struct TideRepoContextPolicy {
        /// Per-branch overrides.
        #[serde(skip_serializing_if = "BTreeMap::is_empty")]
        pub branches: BTreeMap<String, TideContextPolicy>,
    }
}

fn sorted_union(a: &[String], b: &[String]) -> Vec<String> {
    a.iter()
        .chain(b.iter())
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

fn sorted_intersection(a: &[String], b: &[String]) -> Vec<String> {
    let b: BTreeSet<&String> = b.iter().collect();
    a.iter()
        .filter(|x| b.contains(x))
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

impl TideContextPolicy {
    /// Merges `child` over `self`: flags set in the child win, context lists
    /// are united (sorted).
    pub fn merge(&self, child: &TideContextPolicy) -> TideContextPolicy {
        TideContextPolicy {
            from_branch_protection: child.from_branch_protection.or(self.from_branch_protection),
            skip_unknown_contexts: child.skip_unknown_contexts.or(self.skip_unknown_contexts),
            overwrite_pending_contexts: child
                .overwrite_pending_contexts
                .or(self.overwrite_pending_contexts),
            required_contexts: sorted_union(&self.required_contexts, &child.required_contexts),
            required_if_present_contexts: sorted_union(
                &self.required_if_present_contexts,
                &child.required_if_present_contexts,
            ),
            optional_contexts: sorted_union(&self.optional_contexts, &child.optional_contexts),
            optional_regex_contexts: sorted_union(
                &self.optional_regex_contexts,
                &child.optional_regex_contexts,
            ),
        }
    }

    /// Checks that no context is listed in two categories and that the
    /// optional regexes compile and match no required context.
    pub fn validate(&self) -> Result<(), String> {
        let pairs = [
            (
                &self.required_contexts,
                &self.optional_contexts,
                "required and optional",
            ),
            (
                &self.required_contexts,
                &self.required_if_present_contexts,
                "required and required if present",
            ),
            (
                &self.optional_contexts,
                &self.required_if_present_contexts,
                "optional and required if present",
            ),
        ];
        for (a, b, what) in pairs {
            let inter = sorted_intersection(a, b);
            if !inter.is_empty() {
                return Err(format!(
                    "contexts {} are defined as {what}",
                    inter.join(", ")
                ));
            }
        }
        for pattern in &self.optional_regex_contexts {
            let re = compile_go_regex(pattern).map_err(|e| {
                format!(
                    "optional context regex {} doesn't compile: {e}",
                    go_quote(pattern)
                )
            })?;
            if let Some(c) = self.required_contexts.iter().find(|c| re.is_match(c)) {
                return Err(format!(
                    "optional context regex {} matches required context {c}",
                    go_quote(pattern)
                ));
            }
            if let Some(c) = self
                .required_if_present_contexts
                .iter()
                .find(|c| re.is_match(c))
            {
                return Err(format!(
                    "optional context regex {} matches required if present context {c}",
                    go_quote(pattern)
                ));
            }
        }
        Ok(())
    }

    /// Whether the context `c` may be ignored: it is optional (by name or
    /// regex), or unknown while `skip-unknown-contexts` is on.
    pub fn is_optional(&self, c: &str) -> bool {
        if self.optional_contexts.iter().any(|o| o == c) {
            return true;
        }
        if self
            .optional_regex_contexts
            .iter()
            .filter_map(|p| Regex::new(p).ok())
            .any(|re| re.is_match(c))
        {
            return true;
        }
        if self.required_contexts.iter().any(|r| r == c)
            || self.required_if_present_contexts.iter().any(|r| r == c)
        {
            return false;
        }
        self.skip_unknown_contexts == Some(true)
    }

    /// Required contexts missing from `contexts` (sorted).
    pub fn missing_required_contexts(&self, contexts: &[String]) -> Vec<String> {
        let have: BTreeSet<&String> = contexts.iter().collect();
        self.required_contexts
            .iter()
            .filter(|c| !have.contains(c))
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    }
}

/// Templates for merge commit messages (Go templates over the pull request).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TideMergeCommitTemplate {
    /// Title template.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// Body template.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub body: String,
}

/// A set of labels that, all present, put a PR ahead of others.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TidePriority {
    /// Labels the PR must all have.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
}

/// Which branches of a Gerrit repo Tide looks at.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GerritQueryFilter {
    /// Branches to consider.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub branches: Vec<String>,
    /// Branches to leave out.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub excluded_branches: Vec<String>,
    /// Consider every change unless `Prow-Auto-Submit` is voted -1.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub opt_in_by_default: bool,
}

/// Repos of one Gerrit host.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GerritOrgRepoConfig {
    /// The Gerrit host, with its `https://` prefix.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub org: String,
    /// Repos on that host.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub repos: Vec<String>,
    /// Don't answer `/test ?` and similar with help comments.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub opt_out_help: bool,
    /// Branch filters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filters: Option<GerritQueryFilter>,
}

/// Tide's Gerrit settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TideGerritConfig {
    /// Repos to merge, per host.
    pub queries: Vec<GerritOrgRepoConfig>,
    /// Changes fetched per Gerrit API call; defaults to 5.
    #[serde(skip_serializing_if = "is_zero")]
    pub ratelimit: i64,
}

fn is_zero(v: &i64) -> bool {
    *v == 0
}

/// Configuration of Tide, the merge pool.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Tide {
    /// Gerrit settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gerrit: Option<TideGerritConfig>,
    /// How often Tide syncs with GitHub; defaults to 1m.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sync_period: Option<GoDuration>,
    /// Pools handled in parallel; defaults to 20.
    #[serde(skip_serializing_if = "is_zero")]
    pub max_goroutines: i64,
    /// Batch size limit per `*`, org or `org/repo`: 0 unlimited, -1 no batches.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub batch_size_limit: BTreeMap<String, i64>,
    /// Keep testing an existing batch rather than start a new one, per `*`,
    /// org or `org/repo`; defaults to true.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub prioritize_existing_batches: BTreeMap<String, bool>,
    /// How to treat GitHub's BLOCKED merge state, per `*`, org or `org/repo`:
    /// `ignore`, `permit` (default) or `block`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub github_merge_blocks_policy: BTreeMap<String, String>,
    /// How often status contexts are updated; defaults to `sync_period`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_update_period: Option<GoDuration>,
    /// The searches selecting mergeable PRs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub queries: Vec<TideQuery>,
    /// Merge method per org, `org/repo` or `org/repo@branch`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub merge_method: BTreeMap<String, TideOrgMergeType>,
    /// Merge commit templates per org or `org/repo`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub merge_commit_template: BTreeMap<String, TideMergeCommitTemplate>,
    /// Link of Tide's status context (exclusive with `target_urls`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub target_url: String,
    /// Link of Tide's status context per `*`, org or `org/repo`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub target_urls: BTreeMap<String, String>,
    /// Deprecated single PR status page base URL.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub pr_status_base_url: String,
    /// PR status page base URL per `*`, org or `org/repo`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub pr_status_base_urls: BTreeMap<String, String>,
    /// Label of issues that block merging.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub blocker_label: String,
    /// Label forcing a squash merge.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub squash_label: String,
    /// Label forcing a rebase merge.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub rebase_label: String,
    /// Label forcing a merge commit.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub merge_label: String,
    /// Status context policies.
    pub context_options: TideContextPolicyOptions,
    /// Label sets that put PRs first, highest priority first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub priority: Vec<TidePriority>,
    /// Mention every query in the status, not just the closest one.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub display_all_tide_queries_in_status: bool,
}

/// Looks `org/repo`, then `org`, then `*` up in `map`.
fn lookup_org_repo<'a, V>(map: &'a BTreeMap<String, V>, org: &str, repo: &str) -> Option<&'a V> {
    map.get(&format!("{org}/{repo}"))
        .or_else(|| map.get(org))
        .or_else(|| map.get("*"))
}

impl Tide {
    /// Fills in upstream's defaults and moves deprecated single values into
    /// their map forms (clearing the old field, so defaulting is idempotent).
    pub fn set_defaults(&mut self) {
        if self.sync_period.is_none() {
            self.sync_period = Some(GoDuration::from_std(std::time::Duration::from_secs(60)));
        }
        if self.status_update_period.is_none() {
            self.status_update_period = self
                .sync_period
                .as_ref()
                .map(|d| GoDuration::from_std(d.as_std()));
        }
        if self.max_goroutines == 0 {
            self.max_goroutines = 20;
        }
        if !self.target_url.is_empty() && self.target_urls.is_empty() {
            self.target_urls
                .insert("*".to_string(), std::mem::take(&mut self.target_url));
        }
        if !self.pr_status_base_url.is_empty() && self.pr_status_base_urls.is_empty() {
            self.pr_status_base_urls.insert(
                "*".to_string(),
                std::mem::take(&mut self.pr_status_base_url),
            );
        }
        if let Some(g) = &mut self.gerrit
            && g.ratelimit == 0
        {
            g.ratelimit = 5;
        }
    }

    /// The merge method of a repo (branch-independent settings only);
    /// `merge` unless overridden.
    pub fn merge_method(&self, org: &str, repo: &str) -> &str {
        self.org_repo_branch_merge_method(org, repo, "")
    }

    /// The merge method for a branch, most specific first:
    /// `org/repo@branch`, a branch regex under `org: repo:`, `org/repo`,
    /// `org: repo: method` (or `org: "*": method`), `org: method`, then `merge`.
    pub fn org_repo_branch_merge_method(&self, org: &str, repo: &str, branch: &str) -> &str {
        let org_cfg = if org.is_empty() {
            None
        } else {
            self.merge_method.get(org)
        };
        let repo_cfg = match org_cfg {
            Some(o) if !repo.is_empty() => o.repos.get(repo).or_else(|| o.repos.get("*")),
            _ => None,
        };
        if !org.is_empty()
            && !repo.is_empty()
            && !branch.is_empty()
            && let Some(m) = self.merge_method.get(&format!("{org}/{repo}@{branch}"))
            && !m.merge_type.is_empty()
        {
            return &m.merge_type;
        }
        if let Some(r) = repo_cfg {
            for (pattern, method) in &r.branches {
                if Regex::new(pattern).is_ok_and(|re| re.is_match(branch)) {
                    return method;
                }
            }
        }
        if !org.is_empty()
            && !repo.is_empty()
            && let Some(m) = self.merge_method.get(&format!("{org}/{repo}"))
            && !m.merge_type.is_empty()
        {
            return &m.merge_type;
        }
        if let Some(r) = repo_cfg
            && !r.merge_type.is_empty()
        {
            return &r.merge_type;
        }
        if let Some(o) = org_cfg
            && !o.merge_type.is_empty()
        {
            return &o.merge_type;
        }
        DEFAULT_MERGE_METHOD
    }

    /// The merge commit template of `org/repo`, else of `org`.
    pub fn merge_commit_template(&self, org: &str, repo: &str) -> Option<&TideMergeCommitTemplate> {
        self.merge_commit_template
            .get(&format!("{org}/{repo}"))
            .or_else(|| self.merge_commit_template.get(org))
    }

    /// The batch size limit of `org/repo`, `org` or `*`; 0 (unlimited) when
    /// none is set, -1 means batches are disabled.
    pub fn batch_size_limit(&self, org: &str, repo: &str) -> i64 {
        lookup_org_repo(&self.batch_size_limit, org, repo)
            .copied()
            .unwrap_or(0)
    }

    /// Whether existing batches are kept (`org/repo`, `org`, `*`, else true).
    pub fn prioritize_existing_batches(&self, org: &str, repo: &str) -> bool {
        lookup_org_repo(&self.prioritize_existing_batches, org, repo)
            .copied()
            .unwrap_or(true)
    }

    /// The GitHub-merge-blocks policy (`org/repo`, `org`, `*`, else `permit`).
    pub fn github_merge_blocks_policy(&self, org: &str, repo: &str) -> &str {
        lookup_org_repo(&self.github_merge_blocks_policy, org, repo)
            .map(String::as_str)
            .unwrap_or(DEFAULT_GITHUB_MERGE_BLOCKS_POLICY)
    }

    /// The PR status page base URL (`org/repo`, `org`, `*`).
    pub fn get_pr_status_base_url(&self, org: &str, repo: &str) -> Option<&str> {
        lookup_org_repo(&self.pr_status_base_urls, org, repo).map(String::as_str)
    }

    /// The status context link (`org/repo`, `org`, `*`); reads `target_url`
    /// when defaults have not been applied yet.
    pub fn get_target_url(&self, org: &str, repo: &str) -> Option<&str> {
        lookup_org_repo(&self.target_urls, org, repo)
            .map(String::as_str)
            .or_else(|| (!self.target_url.is_empty()).then_some(self.target_url.as_str()))
    }

    /// The configured context policy of a branch: the top-level policy,
    /// merged with the org's, the repo's and the branch's when present.
    pub fn context_policy(&self, org: &str, repo: &str, branch: &str) -> TideContextPolicy {
        let opts = &self.context_options;
        let mut policy = opts.policy();
        if let Some(o) = opts.orgs.get(org) {
            policy = policy.merge(&o.policy());
            if let Some(r) = o.repos.get(repo) {
                policy = policy.merge(&r.policy());
                if let Some(b) = r.branches.get(branch) {
                    policy = policy.merge(b);
                }
            }
        }
        policy
    }

    /// Which orgs and repos the queries cover: each covered org with the
    /// repos excluded from it by every query that names the org (minus repos
    /// another query names explicitly), and the explicitly named repos.
    pub fn org_exceptions_and_repos(
        &self,
    ) -> (BTreeMap<String, BTreeSet<String>>, BTreeSet<String>) {
        let mut orgs: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for q in &self.queries {
            for org in &q.orgs {
                let prefix = format!("{org}/");
                let applicable: BTreeSet<String> = q
                    .excluded_repos
                    .iter()
                    .filter(|r| r.starts_with(&prefix))
                    .cloned()
                    .collect();
                match orgs.get_mut(org) {
                    None => {
                        orgs.insert(org.clone(), applicable);
                    }
                    Some(excepts) => excepts.retain(|r| applicable.contains(r)),
                }
            }
        }
        let repos: BTreeSet<String> = self
            .queries
            .iter()
            .flat_map(|q| q.repos.iter().cloned())
            .collect();
        for excepts in orgs.values_mut() {
            excepts.retain(|r| !repos.contains(r));
        }
        (orgs, repos)
    }

    /// The queries covering `org/repo`.
    pub fn queries_for_repo(&self, org: &str, repo: &str) -> Vec<&TideQuery> {
        self.queries
            .iter()
            .filter(|q| q.for_repo(org, repo))
            .collect()
    }

    /// Checks the section (upstream's wording, each error under its field).
    pub fn validate(&self) -> Vec<ValidationError> {
        let mut errs = Vec::new();
        if self.max_goroutines < 0 {
            errs.push(ValidationError::new(
                "tide.max_goroutines",
                format!(
                    "tide has invalid max_goroutines ({}), it needs to be a positive number",
                    self.max_goroutines
                ),
            ));
        }
        if !self.target_urls.is_empty() && !self.target_url.is_empty() {
            errs.push(ValidationError::new(
                "tide",
                "tide.target_url and tide.target_urls are mutually exclusive",
            ));
        }
        if !self.pr_status_base_url.is_empty() && !self.pr_status_base_urls.is_empty() {
            errs.push(ValidationError::new(
                "tide",
                "both pr_status_base_url and pr_status_base_urls are defined",
            ));
        } else if !self.pr_status_base_urls.is_empty()
            && !self.pr_status_base_urls.contains_key("*")
        {
            errs.push(ValidationError::new(
                "tide.pr_status_base_urls",
                "pr_status_base_urls is defined but the default value ('*') is missing",
            ));
        }
        self.validate_merge_methods(&mut errs);
        for (key, t) in &self.merge_commit_template {
            let field = format!("tide.merge_commit_template[{}]", go_quote(key));
            if !t.title.is_empty()
                && let Err(e) = check_go_template("CommitTitle", &t.title)
            {
                errs.push(ValidationError::new(
                    &field,
                    format!("parsing template for commit title: {e}"),
                ));
            }
            if !t.body.is_empty()
                && let Err(e) = check_go_template("CommitBody", &t.body)
            {
                errs.push(ValidationError::new(
                    &field,
                    format!("parsing template for commit body: {e}"),
                ));
            }
        }
        for (i, q) in self.queries.iter().enumerate() {
            for e in q.validate() {
                errs.push(ValidationError::new(&format!("tide.queries[{i}]"), e));
            }
        }
        for (key, policy) in &self.github_merge_blocks_policy {
            if !["ignore", "permit", "block"].contains(&policy.as_str()) {
                errs.push(ValidationError::new(
                    "tide",
                    format!(
                        "tide.github_merge_blocks_policy[{}] has invalid value {}, must be one of: ignore, permit, block",
                        go_quote(key),
                        go_quote(policy)
                    ),
                ));
            }
        }
        self.validate_context_options(&mut errs);
        errs
    }

    fn validate_merge_methods(&self, errs: &mut Vec<ValidationError>) {
        let valid = |m: &str| VALID_MERGE_METHODS.contains(&m);
        let field = "tide.merge_method";
        for (org, org_cfg) in &self.merge_method {
            if !org_cfg.merge_type.is_empty() && !valid(&org_cfg.merge_type) {
                errs.push(ValidationError::new(
                    field,
                    format!(
                        "merge type {} for {org} is not a valid type",
                        go_quote(&org_cfg.merge_type)
                    ),
                ));
            }
            for (repo, repo_cfg) in &org_cfg.repos {
                if !repo_cfg.merge_type.is_empty() && !valid(&repo_cfg.merge_type) {
                    errs.push(ValidationError::new(
                        field,
                        format!(
                            "merge type {} for {org}/{repo} is not a valid type",
                            go_quote(&repo_cfg.merge_type)
                        ),
                    ));
                }
                for (branch, method) in &repo_cfg.branches {
                    if compile_go_regex(branch).is_err() {
                        errs.push(ValidationError::new(
                            field,
                            format!("regex {} is not valid", go_quote(branch)),
                        ));
                    }
                    if !valid(method) {
                        errs.push(ValidationError::new(
                            field,
                            format!(
                                "merge type {} for {org}/{repo}@{branch} is not a valid type",
                                go_quote(method)
                            ),
                        ));
                    }
                }
            }
        }
    }

    /// Validates the merged context policy at every configured level, so a
    /// conflict is reported where it first appears.
    fn validate_context_options(&self, errs: &mut Vec<ValidationError>) {
        let opts = &self.context_options;
        let base = "tide.context_options".to_string();
        let top = opts.policy();
        let top_err = top.validate().err();
        if let Some(e) = &top_err {
            errs.push(ValidationError::new(&base, e.clone()));
        }
        for (org, o) in &opts.orgs {
            let org_path = format!("{base}.orgs[{}]", go_quote(org));
            let org_policy = top.merge(&o.policy());
            let org_err = org_policy.validate().err();
            if org_err.is_some() && org_err != top_err {
                errs.push(ValidationError::new(
                    &org_path,
                    org_err.clone().unwrap_or_default(),
                ));
            }
            for (repo, r) in &o.repos {
                let repo_path = format!("{org_path}.repos[{}]", go_quote(repo));
                let repo_policy = org_policy.merge(&r.policy());
                let repo_err = repo_policy.validate().err();
                if repo_err.is_some() && repo_err != org_err {
                    errs.push(ValidationError::new(
                        &repo_path,
                        repo_err.clone().unwrap_or_default(),
                    ));
                }
                for (branch, b) in &r.branches {
                    let branch_err = repo_policy.merge(b).validate().err();
                    if let Some(e) = branch_err.filter(|e| Some(e) != repo_err.as_ref()) {
                        errs.push(ValidationError::new(
                            &format!("{repo_path}.branches[{}]", go_quote(branch)),
                            e,
                        ));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    fn tide(yaml: &str) -> Tide {
        crate::yaml::from_str(yaml).expect("valid tide yaml")
    }

    #[test]
    fn merge_method_shorthands() {
        let t = tide(
            r#"
merge_method:
  kubernetes/kops: rebase
  kubernetes-helm: squash
  kubernetes-helm/chartmuseum: merge
"#,
        );
        for (org, repo, want) in [
            ("kubernetes", "kubernetes", "merge"),
            ("kubernetes", "kops", "rebase"),
            ("kubernetes-helm", "monocular", "squash"),
            ("kubernetes-helm", "chartmuseum", "merge"),
            ("", "", "merge"),
        ] {
            assert_eq!(t.merge_method(org, repo), want, "{org}/{repo}");
        }
    }

    #[test]
    fn merge_method_branch_precedence() {
        let t = tide(
            r#"
merge_method:
  kubernetes/test-infra@main: squash
  kubernetes/test-infra: rebase
  kubernetes:
    test-infra:
      ma(ster|in): merge
      release-.*: squash
    website: squash
    "*": rebase
  golang: squash
  golang/go: merge
"#,
        );
        let cases = [
            (
                "org/repo@branch shorthand wins",
                "kubernetes",
                "test-infra",
                "main",
                "squash",
            ),
            (
                "branch regex beats org/repo shorthand",
                "kubernetes",
                "test-infra",
                "master",
                "merge",
            ),
            (
                "branch regex",
                "kubernetes",
                "test-infra",
                "release-1.0",
                "squash",
            ),
            (
                "org/repo shorthand when no regex matches",
                "kubernetes",
                "test-infra",
                "dev",
                "rebase",
            ),
            ("repo-wide", "kubernetes", "website", "main", "squash"),
            ("wildcard repo", "kubernetes", "other", "main", "rebase"),
            (
                "org/repo shorthand over org shorthand",
                "golang",
                "go",
                "main",
                "merge",
            ),
            ("org shorthand", "golang", "tools", "main", "squash"),
            ("default", "other", "repo", "main", "merge"),
            (
                "no branch skips branch level",
                "kubernetes",
                "test-infra",
                "",
                "rebase",
            ),
        ];
        for (name, org, repo, branch, want) in cases {
            assert_eq!(
                t.org_repo_branch_merge_method(org, repo, branch),
                want,
                "{name}"
            );
        }
    }

    #[test]
    fn merge_method_shapes_round_trip() {
        let t =
            tide("merge_method:\n  a: squash\n  b:\n    r: rebase\n    s:\n      main: merge\n");
        assert_eq!(t.merge_method["a"].merge_type, "squash");
        assert_eq!(t.merge_method["b"].repos["r"].merge_type, "rebase");
        assert_eq!(t.merge_method["b"].repos["s"].branches["main"], "merge");
        let json = serde_json::to_value(&t.merge_method).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"a": "squash", "b": {"r": "rebase", "s": {"main": "merge"}}})
        );
        let back: BTreeMap<String, TideOrgMergeType> = serde_json::from_value(json).unwrap();
        assert_eq!(back, t.merge_method);
    }

    #[test]
    fn batch_size_and_other_lookups() {
        let t = tide(
            r#"
batch_size_limit:
  "*": 5
  kubernetes: 10
  kubernetes/kubernetes: 15
  kubernetes/enhancements: -1
prioritize_existing_batches:
  kubernetes: false
  kubernetes/test-infra: true
github_merge_blocks_policy:
  "*": ignore
  kubernetes/kubernetes: block
pr_status_base_urls:
  "*": https://prow/pr
  kubernetes: https://k8s/pr
target_urls:
  kubernetes/test-infra: https://ti/tide
merge_commit_template:
  kubernetes:
    title: "{{ .Title }}"
  kubernetes/test-infra:
    body: "{{ .Body }}"
"#,
        );
        for (org, repo, want) in [
            ("kubernetes", "kubernetes", 15),
            ("kubernetes", "enhancements", -1),
            ("kubernetes", "test-infra", 10),
            ("other", "repo", 5),
        ] {
            assert_eq!(t.batch_size_limit(org, repo), want, "{org}/{repo}");
        }
        assert_eq!(Tide::default().batch_size_limit("a", "b"), 0);
        assert!(!t.prioritize_existing_batches("kubernetes", "kubernetes"));
        assert!(t.prioritize_existing_batches("kubernetes", "test-infra"));
        assert!(t.prioritize_existing_batches("other", "x"));
        assert_eq!(
            t.github_merge_blocks_policy("kubernetes", "kubernetes"),
            "block"
        );
        assert_eq!(t.github_merge_blocks_policy("a", "b"), "ignore");
        assert_eq!(
            Tide::default().github_merge_blocks_policy("a", "b"),
            "permit"
        );
        assert_eq!(
            t.get_pr_status_base_url("kubernetes", "x"),
            Some("https://k8s/pr")
        );
        assert_eq!(
            t.get_pr_status_base_url("other", "x"),
            Some("https://prow/pr")
        );
        assert_eq!(
            t.get_target_url("kubernetes", "test-infra"),
            Some("https://ti/tide")
        );
        assert_eq!(t.get_target_url("kubernetes", "other"), None);
        assert_eq!(
            t.merge_commit_template("kubernetes", "test-infra")
                .unwrap()
                .body,
            "{{ .Body }}"
        );
        assert_eq!(
            t.merge_commit_template("kubernetes", "website")
                .unwrap()
                .title,
            "{{ .Title }}"
        );
        assert!(t.merge_commit_template("other", "x").is_none());
    }

    #[test]
    fn defaults() {
        let mut t =
            tide("target_url: https://t\npr_status_base_url: https://p\ngerrit:\n  queries: []\n");
        t.set_defaults();
        assert_eq!(t.sync_period.as_ref().unwrap().as_std().as_secs(), 60);
        assert_eq!(
            t.status_update_period.as_ref().unwrap().as_std().as_secs(),
            60
        );
        assert_eq!(t.max_goroutines, 20);
        assert_eq!(t.target_urls["*"], "https://t");
        assert!(t.target_url.is_empty());
        assert_eq!(t.pr_status_base_urls["*"], "https://p");
        assert_eq!(t.gerrit.as_ref().unwrap().ratelimit, 5);
        assert!(t.validate().is_empty());

        let mut t = tide("sync_period: 2m\nmax_goroutines: 3\n");
        t.set_defaults();
        assert_eq!(
            t.status_update_period.as_ref().unwrap().as_std().as_secs(),
            120
        );
        assert_eq!(t.max_goroutines, 3);
        let again = {
            let mut c = t.clone();
            c.set_defaults();
            c
        };
        assert_eq!(again, t);
    }

    #[test]
    fn context_policy_merges_levels() {
        let t = tide(
            r#"
context_options:
  skip-unknown-contexts: false
  required-contexts: [top]
  orgs:
    org:
      optional-contexts: [org-opt]
      from-branch-protection: true
      repos:
        repo:
          required-if-present-contexts: [rip]
          skip-unknown-contexts: true
          branches:
            main:
              required-contexts: [branch-req]
              optional-regex-contexts: ["^lint"]
"#,
        );
        let p = t.context_policy("other", "repo", "main");
        assert_eq!(p.required_contexts, s(&["top"]));
        assert_eq!(p.skip_unknown_contexts, Some(false));
        assert_eq!(p.from_branch_protection, None);

        let p = t.context_policy("org", "other", "main");
        assert_eq!(p.optional_contexts, s(&["org-opt"]));
        assert_eq!(p.from_branch_protection, Some(true));
        assert!(p.required_if_present_contexts.is_empty());

        let p = t.context_policy("org", "repo", "dev");
        assert_eq!(p.skip_unknown_contexts, Some(true));
        assert_eq!(p.required_if_present_contexts, s(&["rip"]));
        assert_eq!(p.required_contexts, s(&["top"]));

        let p = t.context_policy("org", "repo", "main");
        assert_eq!(p.required_contexts, s(&["branch-req", "top"]));
        assert_eq!(p.optional_regex_contexts, s(&["^lint"]));
        assert!(p.is_optional("lint-go"));
        assert!(p.is_optional("org-opt"));
        assert!(!p.is_optional("top"));
        assert!(!p.is_optional("rip"));
        assert!(p.is_optional("unknown"));
        assert_eq!(
            p.missing_required_contexts(&s(&["top"])),
            s(&["branch-req"])
        );
    }

    #[test]
    fn context_policy_validate_messages() {
        let cases = [
            (
                TideContextPolicy {
                    required_contexts: s(&["a", "b"]),
                    optional_contexts: s(&["b", "a"]),
                    ..Default::default()
                },
                "contexts a, b are defined as required and optional",
            ),
            (
                TideContextPolicy {
                    required_contexts: s(&["a"]),
                    required_if_present_contexts: s(&["a"]),
                    ..Default::default()
                },
                "contexts a are defined as required and required if present",
            ),
            (
                TideContextPolicy {
                    optional_contexts: s(&["a"]),
                    required_if_present_contexts: s(&["a"]),
                    ..Default::default()
                },
                "contexts a are defined as optional and required if present",
            ),
            (
                TideContextPolicy {
                    optional_regex_contexts: s(&["("]),
                    ..Default::default()
                },
                "optional context regex \"(\" doesn't compile: error parsing regexp \"(\": unclosed group",
            ),
            (
                TideContextPolicy {
                    required_contexts: s(&["lint"]),
                    optional_regex_contexts: s(&["li"]),
                    ..Default::default()
                },
                "optional context regex \"li\" matches required context lint",
            ),
            (
                TideContextPolicy {
                    required_if_present_contexts: s(&["lint"]),
                    optional_regex_contexts: s(&["^l"]),
                    ..Default::default()
                },
                "optional context regex \"^l\" matches required if present context lint",
            ),
        ];
        for (p, want) in cases {
            assert_eq!(p.validate(), Err(want.to_string()));
        }
        assert_eq!(TideContextPolicy::default().validate(), Ok(()));
    }

    #[test]
    fn query_validation_messages() {
        let q = |yaml: &str| -> TideQuery { crate::yaml::from_str(yaml).unwrap() };
        let cases: Vec<(&str, Vec<&str>)> = vec![
            ("orgs: [a]\nrepos: [b/c]\n", vec![]),
            (
                "orgs: [a/b]\n",
                vec![r#"orgs[0]: "a/b" contains a '/' which is not valid"#],
            ),
            ("orgs: ['']\n", vec!["orgs[0]: is an empty string"]),
            (
                "orgs: [a, a, a]\n",
                vec![r#""orgs" contains 2 duplicate entries: a"#],
            ),
            (
                "repos: [abc]\n",
                vec![r#"repos[0]: "abc" is not of the form "org/repo""#],
            ),
            (
                "orgs: [a]\nrepos: [a/b]\n",
                vec![r#"repos[0]: "a/b" is already included via org: "a""#],
            ),
            (
                "repos: [a/b, a/b]\n",
                vec![r#""repos" contains 1 duplicate entries: a/b"#],
            ),
            (
                "labels: [x]\n",
                vec!["'orgs' and 'repos' cannot both be empty"],
            ),
            (
                "orgs: [a]\nexcludedRepos: [b/c]\n",
                vec![r#"excludedRepos[0]: "b/c" has no effect because org "b" is not included"#],
            ),
            (
                "orgs: [a]\nexcludedRepos: [a]\n",
                vec![r#"excludedRepos[0]: "a" is not of the form "org/repo""#],
            ),
            (
                "orgs: [a]\nexcludedRepos: [a/b, a/b]\n",
                vec![r#""excludedRepos" contains 1 duplicate entries: a/b"#],
            ),
            (
                "orgs: [a]\nlabels: [foo, bar]\nmissingLabels: [foo, bar]\n",
                vec![r#"the labels: ["bar" "foo"] are both required and forbidden"#],
            ),
            (
                "orgs: [a]\nlabels: [x, x]\n",
                vec![r#""labels" contains 1 duplicate entries: x"#],
            ),
            (
                "orgs: [a]\nmissingLabels: [x, x]\n",
                vec![r#""missingLabels" contains 1 duplicate entries: x"#],
            ),
            (
                "orgs: [a]\nincludedBranches: [m]\nexcludedBranches: [n]\n",
                vec![
                    "both 'includedBranches' and 'excludedBranches' are specified ('excludedBranches' have no effect)",
                ],
            ),
            (
                "orgs: [a]\nincludedBranches: [m, m]\n",
                vec![r#""includedBranches" contains 1 duplicate entries: m"#],
            ),
            (
                "orgs: [a]\nexcludedBranches: [m, m]\n",
                vec![r#""excludedBranches" contains 1 duplicate entries: m"#],
            ),
        ];
        for (yaml, want) in cases {
            assert_eq!(q(yaml).validate(), want, "{yaml}");
        }
    }

    #[test]
    fn query_strings_and_repo_matching() {
        let q: TideQuery = crate::yaml::from_str(
            r#"
orgs: [kubernetes]
repos: [other/repo]
excludedRepos: [kubernetes/kubernetes]
author: bot
labels: [lgtm, "approved,skip-review"]
missingLabels: [hold]
includedBranches: [main]
milestone: v1
reviewApprovedRequired: true
"#,
        )
        .unwrap();
        let base = r#"is:pr state:open archived:false author:"bot" base:"main" label:"lgtm" label:"approved","skip-review" -label:"hold" milestone:"v1" review:approved"#;
        assert_eq!(
            q.query(),
            format!(r#"{base} org:"kubernetes" -repo:"kubernetes/kubernetes" repo:"other/repo""#)
        );
        let oq = q.org_queries();
        assert_eq!(
            oq["kubernetes"],
            format!(r#"{base} org:"kubernetes" -repo:"kubernetes/kubernetes""#)
        );
        assert_eq!(oq["other"], format!(r#"{base} repo:"other/repo""#));
        assert!(q.for_repo("kubernetes", "test-infra"));
        assert!(!q.for_repo("kubernetes", "kubernetes"));
        assert!(q.for_repo("other", "repo"));
        assert!(!q.for_repo("other", "else"));
    }

    #[test]
    fn org_exceptions_and_repos() {
        let t = tide(
            r#"
queries:
- orgs: [k8s, sigs]
  excludedRepos: [k8s/a, k8s/b, k8s/c, other/x]
- orgs: [k8s]
  excludedRepos: [k8s/b, k8s/c]
- repos: [k8s/c, solo/repo]
"#,
        );
        let (orgs, repos) = t.org_exceptions_and_repos();
        assert_eq!(orgs["k8s"], BTreeSet::from(["k8s/b".to_string()]));
        assert!(orgs["sigs"].is_empty());
        assert_eq!(
            repos,
            BTreeSet::from(["k8s/c".to_string(), "solo/repo".to_string()])
        );
    }

    fn messages(t: &Tide) -> Vec<String> {
        t.validate().iter().map(|e| e.to_string()).collect()
    }

    #[test]
    fn tide_validation_messages() {
        let cases: Vec<(&str, Vec<&str>)> = vec![
            (
                "max_goroutines: -1\n",
                vec![
                    "tide.max_goroutines: tide has invalid max_goroutines (-1), it needs to be a positive number",
                ],
            ),
            (
                "target_url: a\ntarget_urls:\n  '*': b\n",
                vec!["tide: tide.target_url and tide.target_urls are mutually exclusive"],
            ),
            (
                "pr_status_base_url: a\npr_status_base_urls:\n  '*': b\n",
                vec!["tide: both pr_status_base_url and pr_status_base_urls are defined"],
            ),
            (
                "pr_status_base_urls:\n  org: b\n",
                vec![
                    "tide.pr_status_base_urls: pr_status_base_urls is defined but the default value ('*') is missing",
                ],
            ),
            (
                "merge_method:\n  k8s: fake-org-mm\n  kubernetes:\n    test-infra: fake-repo-mm\n    kubernetes:\n      main: fake-br-mm\n      invalid-regex[: merge\n",
                vec![
                    r#"tide.merge_method: merge type "fake-org-mm" for k8s is not a valid type"#,
                    r#"tide.merge_method: regex "invalid-regex[" is not valid"#,
                    r#"tide.merge_method: merge type "fake-br-mm" for kubernetes/kubernetes@main is not a valid type"#,
                    r#"tide.merge_method: merge type "fake-repo-mm" for kubernetes/test-infra is not a valid type"#,
                ],
            ),
            (
                "merge_commit_template:\n  k:\n    title: '{{ .Title'\n",
                vec![
                    r#"tide.merge_commit_template["k"]: parsing template for commit title: template: CommitTitle:1: unclosed action"#,
                ],
            ),
            (
                "merge_commit_template:\n  k:\n    body: '{{ if .X }}'\n",
                vec![
                    r#"tide.merge_commit_template["k"]: parsing template for commit body: template: CommitBody:1: unexpected EOF"#,
                ],
            ),
            (
                "queries:\n- orgs: [a]\n- orgs: [a]\n  labels: [foo]\n  missingLabels: [foo]\n",
                vec![r#"tide.queries[1]: the labels: ["foo"] are both required and forbidden"#],
            ),
            (
                "github_merge_blocks_policy:\n  '*': nope\n",
                vec![
                    r#"tide: tide.github_merge_blocks_policy["*"] has invalid value "nope", must be one of: ignore, permit, block"#,
                ],
            ),
            (
                "context_options:\n  required-contexts: [a]\n  orgs:\n    o:\n      optional-contexts: [a]\n      repos:\n        r:\n          branches:\n            b:\n              optional-regex-contexts: ['[']\n",
                vec![
                    r#"tide.context_options.orgs["o"]: contexts a are defined as required and optional"#,
                ],
            ),
            (
                "context_options:\n  orgs:\n    o:\n      repos:\n        r:\n          branches:\n            b:\n              optional-regex-contexts: ['[']\n",
                vec![
                    r#"tide.context_options.orgs["o"].repos["r"].branches["b"]: optional context regex "[" doesn't compile: error parsing regexp "[": unclosed character class"#,
                ],
            ),
        ];
        for (yaml, want) in cases {
            assert_eq!(messages(&tide(yaml)), want, "{yaml}");
        }
    }
}
