//! Model of Prow's `plugins.yaml`: which plugins run for each org or repo and
//! the configuration section of every built-in plugin, together with
//! upstream's defaulting, validation and per-repository lookup rules.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::time::Duration;

use regex::Regex;
use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};

use crate::duration::GoDuration;

// ---------------------------------------------------------------------------
// Defaults and well-known values
// ---------------------------------------------------------------------------

/// Default `help.help_guidelines_url`.
pub const DEFAULT_HELP_GUIDELINES_URL: &str =
    "https://git.k8s.io/community/contributors/guide/help-wanted.md";
/// Default `release_note.guidelines_url`.
pub const DEFAULT_RELEASE_NOTE_GUIDELINES_URL: &str =
    "https://git.k8s.io/community/contributors/guide/release-notes.md";
/// Default `approve[].commandHelpLink`, applied by [`PluginsConfig::approve_for`].
pub const DEFAULT_COMMAND_HELP_LINK: &str = "https://go.k8s.io/bot-commands";
/// Default `approve[].pr_process_link`, applied by [`PluginsConfig::approve_for`].
pub const DEFAULT_PR_PROCESS_LINK: &str =
    "https://git.k8s.io/community/contributors/guide/owners.md#the-code-review-process";
/// Default `request_count` of the blunderbuss and rifle plugins.
pub const DEFAULT_REVIEWER_COUNT: i64 = 2;
/// Default `wait_for_status.context`.
pub const DEFAULT_WAIT_FOR_STATUS_CONTEXT: &str = "tide";
/// Default `wait_for_status.state`.
pub const DEFAULT_WAIT_FOR_STATUS_STATE: &str = "pending";
/// Default `wait_for_status.description` (a regular expression).
pub const DEFAULT_WAIT_FOR_STATUS_DESCRIPTION: &str = r"Not mergeable. (PullRequest is missing sufficient approving GitHub review\(s\)|Needs (lgtm|approved|approved, lgtm) labels?)\.?";
/// Default `sigmention.regexp`.
pub const DEFAULT_SIGMENTION_REGEXP: &str = r"(?m)@kubernetes/sig-([\w-]*)-(misc|test-failures|bugs|feature-requests|proposals|pr-reviews|api-reviews)";
/// Default `owners.labels_denylist` (the `approved` and `lgtm` labels).
pub const DEFAULT_LABELS_DENYLIST: [&str; 2] = ["approved", "lgtm"];
/// Default `repo_milestone.*.maintainers_friendly_name`.
pub const DEFAULT_MILESTONE_MAINTAINERS_FRIENDLY_NAME: &str = "SIG Chairs/TLs";
/// Default `branchregexp` of the cherry-pick-approved and -unapproved plugins.
pub const DEFAULT_CHERRY_PICK_BRANCH_REGEXP: &str = "^release-.*$";
/// Default `cherry_pick_unapproved.comment`.
pub const DEFAULT_CHERRY_PICK_UNAPPROVED_COMMENT: &str = "This PR is not for the master branch but does not have the `cherry-pick-approved`  label. Adding the `do-not-merge/cherry-pick-not-approved`  label.";
/// Default `require_matching_label[].grace_period`.
pub const DEFAULT_GRACE_PERIOD: Duration = Duration::from_secs(5);
/// Cluster alias used by `config_updater` maps that name no cluster.
pub const DEFAULT_CLUSTER_ALIAS: &str = "default";
/// Default OWNERS file name.
pub const DEFAULT_OWNERS_FILE: &str = "OWNERS";
/// Default OWNERS_ALIASES file name.
pub const DEFAULT_OWNERS_ALIASES_FILE: &str = "OWNERS_ALIASES";
/// Welcome message template used when no `welcome` entry sets one.
pub const DEFAULT_WELCOME_MESSAGE: &str =
    "Welcome @{{.AuthorLogin}}! It looks like this is your first PR to {{.Org}}/{{.Repo}} 🎉";
/// Minimum golint confidence used when `golint.minimum_confidence` is unset.
pub const DEFAULT_GOLINT_MINIMUM_CONFIDENCE: f64 = 0.8;
/// Merged-PR threshold used when `org_invite.prominent.merged_pr_threshold` is unset.
pub const DEFAULT_MERGED_PR_THRESHOLD: i64 = 3;
/// Size thresholds used by the size plugin for every threshold left at zero.
pub const DEFAULT_SIZES: Size = Size {
    s: 10,
    m: 30,
    l: 100,
    xl: 500,
    xxl: 1000,
};
/// Upper bound on `config_updater.maps.*.partitioned_names`.
pub const MAX_PARTITIONED_NAMES: usize = 256;
/// Check names accepted in `invalid_commit_msg[].checks[].name`.
pub const INVALID_COMMIT_MSG_CHECKS: [&str; 2] = ["fixupPrefix", "issueClosingKeywords"];
/// API queried by the cat plugin (with the key read from `cat.key_path`).
pub const CAT_API_URL: &str =
    "https://api.thecatapi.com/v1/images/search?format=json&results_per_page=1";
/// API queried by the goose plugin (with the key read from `goose.key_path`).
pub const GOOSE_API_URL: &str = "https://api.unsplash.com/photos/random?query=goose";
/// API queried by the dog plugin (which has no configuration section).
pub const DOG_API_URL: &str = "https://random.dog/woof.json";
/// Warning emitted when the `plugins:` map uses the deprecated list form.
pub const DEPRECATED_PLUGINS_FORM_WARNING: &str = "plugins declaration uses a deprecated config style, see https://github.com/kubernetes/test-infra/issues/20631#issuecomment-787693609 for a migration guide";

// ---------------------------------------------------------------------------
// Serialization helpers
// ---------------------------------------------------------------------------

fn is_false(value: &bool) -> bool {
    !*value
}

fn is_zero(value: &i64) -> bool {
    *value == 0
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

/// Formats a list the way Go's `%v` prints a `[]string`: `[a b c]`.
fn go_list<S: AsRef<str>>(items: &[S]) -> String {
    let joined: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    format!("[{}]", joined.join(" "))
}

/// Go's `path.Base`.
fn go_path_base(path: &str) -> &str {
    if path.is_empty() {
        return ".";
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/";
    }
    match trimmed.rfind('/') {
        Some(idx) => &trimmed[idx + 1..],
        None => trimmed,
    }
}

/// Finds the entry whose `repos` names `org/repo`, falling back to the first
/// entry naming `org` (upstream's `ApproveFor`/`LgtmFor`/`TriggerFor` rule).
fn find_for_repo<'a, T>(
    items: &'a [T],
    repos: impl Fn(&T) -> &[String],
    org: &str,
    repo: &str,
) -> Option<&'a T> {
    let full = format!("{org}/{repo}");
    items
        .iter()
        .find(|item| repos(item).contains(&full))
        .or_else(|| {
            items
                .iter()
                .find(|item| repos(item).iter().any(|r| r == org))
        })
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// One problem found by [`PluginsConfig::validate`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{section}: {message}")]
pub struct ValidationError {
    /// Top-level `plugins.yaml` key the problem belongs to (e.g. `size`).
    pub section: &'static str,
    /// Description of the problem, using upstream's wording where it has one.
    pub message: String,
}

impl ValidationError {
    fn new(section: &'static str, message: impl Into<String>) -> Self {
        Self {
            section,
            message: message.into(),
        }
    }
}

/// Failure of [`PluginsConfig::load`].
#[derive(Debug)]
pub enum LoadError {
    /// The text is not a valid `plugins.yaml` document.
    Parse(crate::yaml::Error),
    /// The document parsed but failed validation.
    Invalid(Vec<ValidationError>),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Parse(err) => write!(f, "failed to parse plugins configuration: {err}"),
            LoadError::Invalid(errors) => {
                write!(f, "invalid plugins configuration:")?;
                for err in errors {
                    write!(f, "\n\t{err}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for LoadError {}

// ---------------------------------------------------------------------------
// `plugins:` map
// ---------------------------------------------------------------------------

/// Which of the two accepted shapes an entry of the `plugins:` map had.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PluginsForm {
    /// `org/repo: {plugins: [...], excluded_repos: [...]}` (current form).
    #[default]
    Map,
    /// `org/repo: [...]` (deprecated form, still accepted).
    List,
}

/// Plugins enabled for one org or `org/repo` key of the `plugins:` map.
///
/// Deserializes from either a plain list of plugin names or a map with
/// `plugins` and `excluded_repos`; serializes back in the form it was read in
/// (a list-form entry that gained `excluded_repos` is written as a map).
#[derive(Debug, Clone, Default)]
pub struct OrgPlugins {
    /// Enabled plugin names.
    pub plugins: Vec<String>,
    /// Repos of the org (bare names) that do not inherit the org's plugins;
    /// only meaningful on org-level keys.
    pub excluded_repos: Vec<String>,
    /// Shape the entry was written in; ignored by equality.
    pub form: PluginsForm,
}

impl PartialEq for OrgPlugins {
    fn eq(&self, other: &Self) -> bool {
        self.plugins == other.plugins && self.excluded_repos == other.excluded_repos
    }
}

impl<'de> Deserialize<'de> for OrgPlugins {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(OrgPluginsVisitor)
    }
}

struct OrgPluginsVisitor;

impl<'de> Visitor<'de> for OrgPluginsVisitor {
    type Value = OrgPlugins;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of plugin names or a map with `plugins` and `excluded_repos`")
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(OrgPlugins::default())
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(OrgPlugins::default())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut plugins = Vec::new();
        while let Some(name) = seq.next_element::<String>()? {
            plugins.push(name);
        }
        Ok(OrgPlugins {
            plugins,
            excluded_repos: Vec::new(),
            form: PluginsForm::List,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = OrgPlugins::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "plugins" => {
                    out.plugins = map.next_value::<Option<Vec<String>>>()?.unwrap_or_default();
                }
                "excluded_repos" => {
                    out.excluded_repos =
                        map.next_value::<Option<Vec<String>>>()?.unwrap_or_default();
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(out)
    }
}

impl Serialize for OrgPlugins {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.form == PluginsForm::List && self.excluded_repos.is_empty() {
            return self.plugins.serialize(serializer);
        }
        let len =
            usize::from(!self.excluded_repos.is_empty()) + usize::from(!self.plugins.is_empty());
        let mut state = serializer.serialize_struct("OrgPlugins", len)?;
        if self.excluded_repos.is_empty() {
            state.skip_field("excluded_repos")?;
        } else {
            state.serialize_field("excluded_repos", &self.excluded_repos)?;
        }
        if self.plugins.is_empty() {
            state.skip_field("plugins")?;
        } else {
            state.serialize_field("plugins", &self.plugins)?;
        }
        state.end()
    }
}

/// An external plugin that hook forwards webhook events to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExternalPlugin {
    /// Name of the plugin.
    pub name: String,
    /// Where events are sent; defaults to `http://{name}`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub endpoint: String,
    /// Event types forwarded to the plugin; empty means all events.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<String>,
}

impl ExternalPlugin {
    /// Whether events of type `event` are forwarded to this plugin.
    pub fn wants_event(&self, event: &str) -> bool {
        self.events.is_empty() || self.events.iter().any(|e| e == event)
    }
}

// ---------------------------------------------------------------------------
// Section types
// ---------------------------------------------------------------------------

/// `owners`: handling of OWNERS files.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Owners {
    /// Orgs or `org/repo`s whose markdown files may carry a YAML OWNERS header.
    #[serde(rename = "mdyamlrepos", skip_serializing_if = "Vec::is_empty")]
    pub mdyaml_repos: Vec<String>,
    /// Orgs or `org/repo`s where approve/lgtm rely only on OWNERS files.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skip_collaborators: Vec<String>,
    /// Labels that must not appear in OWNERS files; defaults to
    /// [`DEFAULT_LABELS_DENYLIST`] when absent (an explicit empty list stays empty).
    #[serde(rename = "labels_denylist", skip_serializing_if = "Option::is_none")]
    pub labels_denylist: Option<Vec<String>>,
    /// Per org or `org/repo` overrides of the OWNERS file names.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub filenames: BTreeMap<String, OwnersFilenames>,
}

/// File names used for OWNERS and OWNERS_ALIASES in one org or repo.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OwnersFilenames {
    /// Name of the OWNERS file.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub owners: String,
    /// Name of the OWNERS_ALIASES file.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub owners_aliases: String,
}

impl OwnersFilenames {
    /// The default `OWNERS` / `OWNERS_ALIASES` pair.
    pub fn defaults() -> Self {
        Self {
            owners: DEFAULT_OWNERS_FILE.to_string(),
            owners_aliases: DEFAULT_OWNERS_ALIASES_FILE.to_string(),
        }
    }
}

/// One `approve` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Approve {
    /// Orgs or `org/repo`s this entry applies to.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub repos: Vec<String>,
    /// Whether an associated issue is required for approval.
    #[serde(skip_serializing_if = "is_false")]
    pub issue_required: bool,
    /// Whether PR authors must approve explicitly (unset means no).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require_self_approval: Option<bool>,
    /// Whether `/lgtm` also approves.
    #[serde(skip_serializing_if = "is_false")]
    pub lgtm_acts_as_approve: bool,
    /// Whether GitHub review states are ignored (unset means no).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignore_review_state: Option<bool>,
    /// Link to the command help page; see [`DEFAULT_COMMAND_HELP_LINK`].
    #[serde(rename = "commandHelpLink", skip_serializing_if = "String::is_empty")]
    pub command_help_link: String,
    /// Link to the code review process; see [`DEFAULT_PR_PROCESS_LINK`].
    #[serde(skip_serializing_if = "String::is_empty")]
    pub pr_process_link: String,
}

impl Approve {
    /// Whether an author with approval rights implicitly approves their PR.
    pub fn has_self_approval(&self) -> bool {
        !self.require_self_approval.unwrap_or(false)
    }

    /// Whether APPROVE / REQUEST_CHANGES reviews count as approve commands.
    pub fn consider_review_state(&self) -> bool {
        !self.ignore_review_state.unwrap_or(false)
    }
}

/// One `blockades` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Blockade {
    /// Orgs or `org/repo`s this blockade applies to.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub repos: Vec<String>,
    /// Branches the blockade applies to; all branches when unset.
    #[serde(rename = "branchregexp", skip_serializing_if = "Option::is_none")]
    pub branch_regexp: Option<String>,
    /// Regular expressions of blocked file paths.
    #[serde(rename = "blockregexps", skip_serializing_if = "Vec::is_empty")]
    pub block_regexps: Vec<String>,
    /// Regular expressions of paths exempt from `blockregexps`.
    #[serde(rename = "exceptionregexps", skip_serializing_if = "Vec::is_empty")]
    pub exception_regexps: Vec<String>,
    /// Text included in the comment left on blocked PRs.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub explanation: String,
}

impl Blockade {
    /// Compiles `branchregexp`; `None` when the blockade covers every branch.
    pub fn branch_re(&self) -> Option<Result<Regex, regex::Error>> {
        self.branch_regexp.as_deref().map(Regex::new)
    }
}

/// Status context that reviewer-requesting plugins wait for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContextMatch {
    /// Context name; defaults to `tide`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub context: String,
    /// Regular expression matched against the context description.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Required context state; defaults to `pending`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub state: String,
}

impl ContextMatch {
    fn set_defaults(&mut self) {
        if self.context.is_empty() {
            self.context = DEFAULT_WAIT_FOR_STATUS_CONTEXT.to_string();
        }
        if self.state.is_empty() {
            self.state = DEFAULT_WAIT_FOR_STATUS_STATE.to_string();
        }
        if self.description.is_empty() {
            self.description = DEFAULT_WAIT_FOR_STATUS_DESCRIPTION.to_string();
        }
    }

    /// Compiles `description`.
    pub fn description_re(&self) -> Result<Regex, regex::Error> {
        Regex::new(&self.description)
    }
}

/// `blunderbuss` (and, with the same shape, `rifle`): reviewer requests.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Blunderbuss {
    /// Minimum number of reviewers to request; defaults to 2.
    #[serde(rename = "request_count", skip_serializing_if = "Option::is_none")]
    pub reviewer_count: Option<i64>,
    /// Maximum number of reviewers to request; 0 means no limit.
    #[serde(rename = "max_request_count", skip_serializing_if = "is_zero")]
    pub max_reviewer_count: i64,
    /// Never consider approvers as reviewers.
    #[serde(skip_serializing_if = "is_false")]
    pub exclude_approvers: bool,
    /// Skip reviewers whose GitHub status says they are busy.
    #[serde(skip_serializing_if = "is_false")]
    pub use_status_availability: bool,
    /// Do not request reviews on draft PRs.
    #[serde(skip_serializing_if = "is_false")]
    pub ignore_drafts: bool,
    /// Authors whose PRs get no review requests.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ignore_authors: Vec<String>,
    /// Request reviews only once this status context matches.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait_for_status: Option<ContextMatch>,
}

/// `rifle`: same options as blunderbuss, reviewers chosen from git blame.
pub type Rifle = Blunderbuss;

impl Blunderbuss {
    fn set_defaults(&mut self) {
        if self.reviewer_count.is_none() {
            self.reviewer_count = Some(DEFAULT_REVIEWER_COUNT);
        }
        if let Some(wait) = &mut self.wait_for_status {
            wait.set_defaults();
        }
    }

    fn validate(&self, section: &'static str, errors: &mut Vec<ValidationError>) {
        if let Some(count) = self.reviewer_count.filter(|c| *c < 1) {
            errors.push(ValidationError::new(
                section,
                format!("invalid request_count: {count} (needs to be positive)"),
            ));
        }
        let compiled = self
            .wait_for_status
            .as_ref()
            .map(|w| (w, w.description_re()));
        if let Some((wait, Err(err))) = compiled {
            errors.push(ValidationError::new(
                section,
                format!(
                    "failed to compile {section} wait for context description regular expression: {:?}, error: {err}",
                    wait.description
                ),
            ));
        }
    }
}

/// `branch_cleaner`: branches kept by the branchcleaner plugin.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BranchCleaner {
    /// Org or `org/repo` → branch names or regular expressions to keep.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub preserved_branches: BTreeMap<String, Vec<String>>,
}

impl BranchCleaner {
    /// Whether `branch` of `org/repo` is preserved: equal to, or matched
    /// (unanchored) by, an entry of the repo's or the org's list.
    pub fn is_preserved_branch(&self, org: &str, repo: &str, branch: &str) -> bool {
        let full = format!("{org}/{repo}");
        [full.as_str(), org]
            .iter()
            .filter_map(|key| self.preserved_branches.get(*key))
            .flatten()
            .any(|pattern| {
                pattern == branch || Regex::new(pattern).is_ok_and(|re| re.is_match(branch))
            })
    }
}

/// `cat`: the cat plugin.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Cat {
    /// File holding the thecatapi.com API key.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub key_path: String,
}

/// `goose`: the goose plugin.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Goose {
    /// File holding the unsplash.com API key.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub key_path: String,
}

/// One `cherry_pick_approved` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CherryPickApproved {
    /// GitHub org.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub org: String,
    /// Repo within `org`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub repo: String,
    /// Branches whose PRs are cherry-picks; defaults to `^release-.*$`.
    #[serde(rename = "branchregexp", skip_serializing_if = "String::is_empty")]
    pub branch_regexp: String,
    /// Logins allowed to approve a cherry-pick.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub approvers: Vec<String>,
    /// Allow approving without the `approved` label.
    #[serde(skip_serializing_if = "is_false")]
    pub allow_missing_approved_label: bool,
    /// Allow approving without the `lgtm` label.
    #[serde(rename = "allow_missing_lgtm_label", skip_serializing_if = "is_false")]
    pub allow_missing_lgtm_label: bool,
}

impl CherryPickApproved {
    /// Compiles `branchregexp` (the default when empty).
    pub fn branch_re(&self) -> Result<Regex, regex::Error> {
        Regex::new(or_default_str(
            &self.branch_regexp,
            DEFAULT_CHERRY_PICK_BRANCH_REGEXP,
        ))
    }
}

/// `cherry_pick_unapproved`: the cherry-pick-unapproved plugin.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CherryPickUnapproved {
    /// Branches whose PRs are cherry-picks; defaults to `^release-.*$`.
    #[serde(rename = "branchregexp", skip_serializing_if = "String::is_empty")]
    pub branch_regexp: String,
    /// Comment posted with the `do-not-merge/cherry-pick-not-approved` label.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub comment: String,
}

impl CherryPickUnapproved {
    /// Compiles `branchregexp` (the default when empty).
    pub fn branch_re(&self) -> Result<Regex, regex::Error> {
        Regex::new(or_default_str(
            &self.branch_regexp,
            DEFAULT_CHERRY_PICK_BRANCH_REGEXP,
        ))
    }
}

fn or_default_str<'a>(value: &'a str, default: &'a str) -> &'a str {
    if value.is_empty() { default } else { value }
}

/// Target of one `config_updater.maps` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConfigMapSpec {
    /// ConfigMap name (exclusive with `partitioned_names`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// ConfigMaps the keys are spread across (exclusive with `name`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub partitioned_names: Vec<String>,
    /// Key to update; defaults to the file's base name.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub key: String,
    /// Per-file override of the global `gzip` switch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gzip: Option<bool>,
    /// Cluster → namespaces to update (exclusive with `cluster_groups`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub clusters: BTreeMap<String, Vec<String>>,
    /// Names of `config_updater.cluster_groups` to update.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cluster_groups: Vec<String>,
    /// Use the slash-to-dash repo path as key instead of the base name.
    #[serde(skip_serializing_if = "is_false")]
    pub use_full_path_as_key: bool,
    /// Orgs or `org/repo`s allowed to update this ConfigMap (all when empty).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allowed_repos: Vec<String>,
    /// Orgs or `org/repo`s never allowed to update this ConfigMap.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub denied_repos: Vec<String>,
}

impl ConfigMapSpec {
    /// Whether changes in `repo` (`org/repo`) may update this ConfigMap:
    /// denied entries win, then an empty allow list allows everything.
    pub fn is_allowed(&self, repo: &str) -> bool {
        let org = repo.split('/').next().unwrap_or(repo);
        let matches = |entry: &String| entry == repo || entry == org;
        if self.denied_repos.iter().any(matches) {
            return false;
        }
        self.allowed_repos.is_empty() || self.allowed_repos.iter().any(matches)
    }
}

/// A named set of clusters and namespaces for `config_updater`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClusterGroup {
    /// Cluster aliases.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub clusters: Vec<String>,
    /// Namespaces in each cluster.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub namespaces: Vec<String>,
}

/// `config_updater`: files synced into ConfigMaps on merge.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConfigUpdater {
    /// Named cluster groups usable from `maps.*.cluster_groups`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub cluster_groups: BTreeMap<String, ClusterGroup>,
    /// File path (or glob) → ConfigMap to update.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub maps: BTreeMap<String, ConfigMapSpec>,
    /// Gzip file contents before storing them.
    #[serde(skip_serializing_if = "is_false")]
    pub gzip: bool,
}

impl ConfigUpdater {
    /// Upstream's defaulting: with no maps, sync `config/prow/config.yaml`
    /// and `config/prow/plugins.yaml` into `config` and `plugins`; maps
    /// naming neither clusters nor cluster groups target the default
    /// cluster's default namespace (`default: [""]`).
    pub fn set_defaults(&mut self) {
        if self.maps.is_empty() {
            for (path, name) in [
                ("config/prow/config.yaml", "config"),
                ("config/prow/plugins.yaml", "plugins"),
            ] {
                let spec = ConfigMapSpec {
                    name: name.to_string(),
                    ..ConfigMapSpec::default()
                };
                self.maps.insert(path.to_string(), spec);
            }
        }
        for spec in self.maps.values_mut() {
            if spec.clusters.is_empty() && spec.cluster_groups.is_empty() {
                spec.clusters
                    .insert(DEFAULT_CLUSTER_ALIAS.to_string(), vec![String::new()]);
            }
        }
    }

    /// Validates a defaulted copy of this section.
    pub fn validate(&self) -> Vec<ValidationError> {
        const SECTION: &str = "config_updater";
        let mut updater = self.clone();
        updater.set_defaults();
        let mut errors = Vec::new();
        let mut keys: BTreeMap<(String, String, String), BTreeSet<String>> = BTreeMap::new();
        for (file, spec) in &updater.maps {
            if !spec.name.is_empty() && !spec.partitioned_names.is_empty() {
                errors.push(ValidationError::new(
                    SECTION,
                    "'name' and 'partitioned_names' are mutually exclusive in the config_updater plugin configuration",
                ));
                continue;
            }
            let name = if spec.name.is_empty() {
                spec.partitioned_names.join(",")
            } else {
                spec.name.clone()
            };
            if spec.partitioned_names.len() > MAX_PARTITIONED_NAMES {
                errors.push(ValidationError::new(
                    SECTION,
                    format!(
                        "the PartitionedNames field in config_updater plugin config currently supports a maximum of {MAX_PARTITIONED_NAMES} partitions, but you have {} defined",
                        spec.partitioned_names.len()
                    ),
                ));
                continue;
            }
            let key = if spec.key.is_empty() {
                go_path_base(file).to_string()
            } else {
                spec.key.clone()
            };
            for (cluster, namespaces) in &spec.clusters {
                for namespace in namespaces {
                    let id = (name.clone(), namespace.clone(), cluster.clone());
                    if !keys.entry(id).or_default().insert(key.clone()) {
                        errors.push(ValidationError::new(
                            SECTION,
                            format!(
                                "key {key} in configmap {name} updated with more than one file"
                            ),
                        ));
                    }
                }
            }
        }
        for (file, spec) in &updater.maps {
            if !spec.clusters.is_empty() && !spec.cluster_groups.is_empty() {
                errors.push(ValidationError::new(
                    SECTION,
                    format!("item maps.{file} contains both clusters and cluster_groups"),
                ));
                continue;
            }
            if !spec.clusters.is_empty() {
                continue;
            }
            for (idx, group) in spec.cluster_groups.iter().enumerate() {
                if !updater.cluster_groups.contains_key(group) {
                    errors.push(ValidationError::new(
                        SECTION,
                        format!(
                            "item maps.{file}.cluster_groups.{idx} references inexistent cluster group named {group}"
                        ),
                    ));
                }
            }
        }
        errors
    }

    /// Defaults and validates, then replaces every map's `cluster_groups` by
    /// the clusters and namespaces they name and drops the `cluster_groups`
    /// section. Unlike upstream, a resolved map keeps its other settings
    /// (`use_full_path_as_key`, `allowed_repos`, `denied_repos`).
    pub fn resolve(&mut self) -> Result<(), Vec<ValidationError>> {
        self.set_defaults();
        let errors = self.validate();
        if !errors.is_empty() {
            return Err(errors);
        }
        let groups = std::mem::take(&mut self.cluster_groups);
        for spec in self.maps.values_mut() {
            if !spec.clusters.is_empty() {
                continue;
            }
            for group_name in std::mem::take(&mut spec.cluster_groups) {
                if let Some(group) = groups.get(&group_name) {
                    for cluster in &group.clusters {
                        spec.clusters
                            .entry(cluster.clone())
                            .or_default()
                            .extend(group.namespaces.iter().cloned());
                    }
                }
            }
        }
        Ok(())
    }
}

/// One `dco` entry (keyed by `*`, org or `org/repo`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Dco {
    /// Skip the DCO check for trusted org members.
    #[serde(
        rename = "skip_dco_check_for_members",
        skip_serializing_if = "is_false"
    )]
    pub skip_dco_check_for_members: bool,
    /// GitHub apps (without `[bot]`) whose commits are not checked.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub trusted_apps: Vec<String>,
    /// Org whose members are trusted; defaults to the PR's org.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub trusted_org: String,
    /// Skip the DCO check for repo collaborators.
    #[serde(
        rename = "skip_dco_check_for_collaborators",
        skip_serializing_if = "is_false"
    )]
    pub skip_dco_check_for_collaborators: bool,
    /// Repo holding CONTRIBUTING.md.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub contributing_repo: String,
    /// Branch holding CONTRIBUTING.md.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub contributing_branch: String,
    /// Path of CONTRIBUTING.md.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub contributing_path: String,
}

/// `golint`: the golint plugin.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Golint {
    /// Smallest confidence in (0,1] reported; defaults to 0.8.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum_confidence: Option<f64>,
}

impl Golint {
    /// `minimum_confidence`, or [`DEFAULT_GOLINT_MINIMUM_CONFIDENCE`].
    pub fn min_confidence(&self) -> f64 {
        self.minimum_confidence
            .unwrap_or(DEFAULT_GOLINT_MINIMUM_CONFIDENCE)
    }
}

/// `heart`: reactions for adorees' comments.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Heart {
    /// Logins whose matching comments get a reaction.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub adorees: Vec<String>,
    /// Comments matching this get a reaction; nothing is reacted to when empty.
    #[serde(rename = "commentregexp", skip_serializing_if = "String::is_empty")]
    pub comment_regexp: String,
}

impl Heart {
    /// Whether the plugin reacts to comments at all (adorees and a regexp set).
    pub fn is_enabled(&self) -> bool {
        !self.adorees.is_empty() && !self.comment_regexp.is_empty()
    }

    /// Compiles `commentregexp`.
    pub fn comment_re(&self) -> Result<Regex, regex::Error> {
        Regex::new(&self.comment_regexp)
    }
}

/// `label`: the label plugin.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Label {
    /// Labels allowed besides `kind/*`, `priority/*` and `area/*`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub additional_labels: Vec<String>,
    /// `*`, org or `org/repo` → labels only some teams or users may change.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub restricted_labels: BTreeMap<String, Vec<RestrictedLabel>>,
}

impl Label {
    /// Restricted labels that apply to `org/repo`, keyed by lower-cased label.
    /// Entries under `*`, the org and the repo are merged: allowed users and
    /// teams are unioned (sorted), `assign_on` entries are unioned by label.
    pub fn restricted_labels_for(
        &self,
        org: &str,
        repo: &str,
    ) -> BTreeMap<String, RestrictedLabel> {
        let full = format!("{org}/{repo}");
        let mut result: BTreeMap<String, RestrictedLabel> = BTreeMap::new();
        for key in ["*", org, full.as_str()] {
            for restricted in self.restricted_labels.get(key).into_iter().flatten() {
                let label_key = restricted.label.to_lowercase();
                match result.get_mut(&label_key) {
                    None => {
                        result.insert(label_key, restricted.clone());
                    }
                    Some(existing) => {
                        let union = |a: &[String], b: &[String]| -> Vec<String> {
                            a.iter()
                                .chain(b)
                                .cloned()
                                .collect::<BTreeSet<_>>()
                                .into_iter()
                                .collect()
                        };
                        existing.allowed_users =
                            union(&existing.allowed_users, &restricted.allowed_users);
                        existing.allowed_teams =
                            union(&existing.allowed_teams, &restricted.allowed_teams);
                        let mut assign_on: BTreeMap<String, AssignOnLabel> = BTreeMap::new();
                        for entry in existing.assign_on.iter().chain(&restricted.assign_on) {
                            assign_on.insert(entry.label.clone(), entry.clone());
                        }
                        existing.assign_on = assign_on.into_values().collect();
                    }
                }
            }
        }
        result
    }

    /// Whether `label` is also listed in `additional_labels`.
    pub fn is_restricted_label_in_additional_labels(&self, label: &str) -> bool {
        self.additional_labels.iter().any(|l| l == label)
    }

    fn validate(&self, errors: &mut Vec<ValidationError>) {
        let mut also_additional: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        let mut empty_label: Vec<&str> = Vec::new();
        for (org_repo, labels) in &self.restricted_labels {
            for restricted in labels {
                if self.is_restricted_label_in_additional_labels(&restricted.label) {
                    also_additional
                        .entry(restricted.label.as_str())
                        .or_default()
                        .push(org_repo);
                }
                if restricted.label.is_empty() {
                    empty_label.push(org_repo);
                }
            }
        }
        for (label, mut repos) in also_additional {
            repos.sort_unstable();
            errors.push(ValidationError::new(
                "label",
                format!(
                    "the following orgs or repos have configuration of label plugin using the restricted label {label} which is also configured as an additional label: {}",
                    repos.join(", ")
                ),
            ));
        }
        if !empty_label.is_empty() {
            empty_label.sort_unstable();
            errors.push(ValidationError::new(
                "label",
                format!(
                    "the following orgs or repos have configuration of label plugin using the empty string as label name in restricted labels: {}",
                    empty_label.join(", ")
                ),
            ));
        }
    }
}

/// A label that only some teams or users may add or remove.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RestrictedLabel {
    /// The label.
    pub label: String,
    /// Team slugs whose members may change the label.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allowed_teams: Vec<String>,
    /// Logins that may change the label.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allowed_users: Vec<String>,
    /// Labels whose addition assigns the allowed users to the PR.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assign_on: Vec<AssignOnLabel>,
}

/// A label that triggers assigning a restricted label's allowed users.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AssignOnLabel {
    /// The label.
    pub label: String,
}

/// One `lgtm` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Lgtm {
    /// Orgs or `org/repo`s this entry applies to.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub repos: Vec<String>,
    /// Whether approve / request-changes reviews add / remove `lgtm`.
    #[serde(skip_serializing_if = "is_false")]
    pub review_acts_as_lgtm: bool,
    /// Whether the tree hash is stored in a comment to survive squashes.
    #[serde(skip_serializing_if = "is_false")]
    pub store_tree_hash: bool,
    /// Team whose members' LGTM survives new pushes (sticky LGTM).
    #[serde(
        rename = "trusted_team_for_sticky_lgtm",
        skip_serializing_if = "String::is_empty"
    )]
    pub sticky_lgtm_team: String,
}

/// `jira`: the jira plugin.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Jira {
    /// Projects never linked (case-insensitive prefix before `-`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub disabled_jira_projects: Vec<String>,
}

/// Branch → milestone map of one `milestone_applier` repo.
pub type BranchToMilestone = BTreeMap<String, String>;

/// `release_note`: the release-note plugin.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReleaseNote {
    /// Release note guidelines link; see [`DEFAULT_RELEASE_NOTE_GUIDELINES_URL`].
    #[serde(rename = "guidelines_url", skip_serializing_if = "String::is_empty")]
    pub guidelines_url: String,
}

/// One `repo_milestone` entry (keyed by `org/repo`, `""` is the fallback).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Milestone {
    /// Deprecated numeric team id; use `maintainers_team`.
    #[serde(rename = "maintainers_id", skip_serializing_if = "is_zero")]
    pub maintainers_id: i64,
    /// Slug of the milestone maintainers team.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub maintainers_team: String,
    /// Name of the team used in comments.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub maintainers_friendly_name: String,
}

/// `project_config`: the project plugin.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectConfig {
    /// Org name → org-level project configuration.
    #[serde(
        rename = "project_org_configs",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub orgs: BTreeMap<String, ProjectOrgConfig>,
}

impl ProjectConfig {
    /// Maintainer team id for `org/repo` (repo entry first, then org);
    /// `None` when the org is not configured.
    pub fn maintainer_team(&self, org: &str, repo: &str) -> Option<i64> {
        let org_config = self.orgs.get(org)?;
        Some(
            org_config
                .repos
                .get(repo)
                .map_or(org_config.maintainer_team_id, |r| r.maintainer_team_id),
        )
    }

    /// Default column per project for `org/repo` (repo entry first, then org).
    pub fn column_map(&self, org: &str, repo: &str) -> Option<&BTreeMap<String, String>> {
        let org_config = self.orgs.get(org)?;
        Some(
            org_config
                .repos
                .get(repo)
                .map_or(&org_config.project_column_map, |r| &r.project_column_map),
        )
    }

    /// Org-level default column per project.
    pub fn org_column_map(&self, org: &str) -> Option<&BTreeMap<String, String>> {
        self.orgs.get(org).map(|o| &o.project_column_map)
    }
}

/// Project plugin settings of one org.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectOrgConfig {
    /// Id of the org's project maintainers team.
    #[serde(rename = "org_maintainers_team_id", skip_serializing_if = "is_zero")]
    pub maintainer_team_id: i64,
    /// Project name → default column.
    #[serde(
        rename = "org_default_column_map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub project_column_map: BTreeMap<String, String>,
    /// Repo name → repo-level overrides.
    #[serde(
        rename = "project_repo_configs",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub repos: BTreeMap<String, ProjectRepoConfig>,
}

/// Project plugin settings of one repo.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectRepoConfig {
    /// Id of the repo's project maintainers team.
    #[serde(rename = "repo_maintainers_team_id", skip_serializing_if = "is_zero")]
    pub maintainer_team_id: i64,
    /// Project name → default column.
    #[serde(
        rename = "repo_default_column_map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub project_column_map: BTreeMap<String, String>,
}

/// `project_manager`: the project-manager plugin.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectManager {
    /// Org or `org/repo` → managed projects.
    #[serde(rename = "orgsRepos", skip_serializing_if = "BTreeMap::is_empty")]
    pub org_repos: BTreeMap<String, ManagedOrgRepo>,
}

/// Projects managed for one org or repo.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ManagedOrgRepo {
    /// Project name → project.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub projects: BTreeMap<String, ManagedProject>,
}

/// One managed project.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ManagedProject {
    /// Columns cards are added to.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<ManagedColumn>,
}

/// A project column and the conditions for adding a card to it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ManagedColumn {
    /// Column id (either this or `name`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Column name (either this or `id`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// `open`, `closed` or `all`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub state: String,
    /// Labels that must all be present.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
    /// Org the event's repo must belong to.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub org: String,
}

impl ManagedColumn {
    /// Go `%v` rendering of a column without id, as upstream's message shows it.
    fn go_repr(&self) -> String {
        let id = self
            .id
            .map_or_else(|| "<nil>".to_string(), |i| i.to_string());
        format!(
            "{{{id} {} {} {} {}}}",
            self.name,
            self.state,
            go_list(&self.labels),
            self.org
        )
    }
}

impl ProjectManager {
    fn validate(&self, errors: &mut Vec<ValidationError>) {
        const SECTION: &str = "project_manager";
        for (org_repo, managed) in &self.org_repos {
            if managed.projects.is_empty() {
                errors.push(ValidationError::new(
                    SECTION,
                    format!("Org/repo: {org_repo}, has no projects configured"),
                ));
                continue;
            }
            for (project, managed_project) in &managed.projects {
                if managed_project.columns.is_empty() {
                    errors.push(ValidationError::new(
                        SECTION,
                        format!(
                            "Org/repo: {org_repo}, project {project}, has no columns configured"
                        ),
                    ));
                    continue;
                }
                let mut label_sets: Vec<BTreeSet<&str>> = Vec::new();
                for column in &managed_project.columns {
                    let name = &column.name;
                    let problem = if column.id.is_none() && name.is_empty() {
                        Some(format!(
                            "Org/repo: {org_repo}, project {project}, column {}, has no name/id configured",
                            column.go_repr()
                        ))
                    } else if column.labels.is_empty() {
                        Some(format!(
                            "Org/repo: {org_repo}, project {project}, column {name}, has no labels configured"
                        ))
                    } else if column.org.is_empty() {
                        Some(format!(
                            "Org/repo: {org_repo}, project {project}, column {name}, has no org configured"
                        ))
                    } else {
                        let set: BTreeSet<&str> =
                            column.labels.iter().map(String::as_str).collect();
                        if label_sets.contains(&set) {
                            Some(format!(
                                "Org/repo: {org_repo}, project {project}, column {name} has same labels configured as another column"
                            ))
                        } else {
                            label_sets.push(set);
                            None
                        }
                    };
                    if let Some(message) = problem {
                        errors.push(ValidationError::new(SECTION, message));
                    }
                }
            }
        }
    }
}

/// One `require_matching_label` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RequireMatchingLabel {
    /// GitHub org (required).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub org: String,
    /// Repo within `org`; every repo of the org when empty.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub repo: String,
    /// PR base branch; only with `prs: true`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub branch: String,
    /// Applies to PRs.
    #[serde(skip_serializing_if = "is_false")]
    pub prs: bool,
    /// Applies to issues.
    #[serde(skip_serializing_if = "is_false")]
    pub issues: bool,
    /// Regular expression a label must match.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub regexp: String,
    /// Label applied when no label matches.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub missing_label: String,
    /// Comment posted when `missing_label` is applied (optional).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub missing_comment: String,
    /// Wait before checking new items; defaults to 5s.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grace_period: Option<GoDuration>,
}

impl RequireMatchingLabel {
    /// Compiles `regexp`.
    pub fn re(&self) -> Result<Regex, regex::Error> {
        Regex::new(&self.regexp)
    }

    /// `grace_period`, or [`DEFAULT_GRACE_PERIOD`].
    pub fn grace_period_duration(&self) -> Duration {
        self.grace_period
            .map_or(DEFAULT_GRACE_PERIOD, GoDuration::as_std)
    }

    /// Upstream's per-entry checks; the first failing one's message.
    fn check(&self, re: &Regex) -> Option<&'static str> {
        if self.org.is_empty() {
            Some("must specify 'org'")
        } else if self.repo.contains('/') {
            Some("'repo' may not contain '/'; specify the organization with 'org'")
        } else if self.regexp.is_empty() {
            Some("must specify 'regexp'")
        } else if self.missing_label.is_empty() {
            Some("must specify 'missing_label'")
        } else if self.grace_period.is_none() {
            Some("must specify 'grace_period'")
        } else if !self.prs && !self.issues {
            Some("must specify 'prs: true' and/or 'issues: true'")
        } else if !self.prs && !self.branch.is_empty() {
            Some("branch cannot be specified without `prs: true'")
        } else if re.is_match(&self.missing_label) {
            Some("'regexp' must not match 'missing_label'")
        } else {
            None
        }
    }

    /// Human readable description of what this entry does.
    pub fn describe(&self) -> String {
        let mut out = format!("Applies the '{}' label ", self.missing_label);
        out.push_str(if self.missing_comment.is_empty() {
            "to "
        } else {
            "and comments on "
        });
        if self.issues {
            out.push_str("Issues ");
            if self.prs {
                out.push_str("and ");
            }
        }
        if self.prs {
            if !self.branch.is_empty() {
                out.push_str(&format!("'{}' branch ", self.branch));
            }
            out.push_str("PRs ");
        }
        if self.repo.is_empty() {
            out.push_str(&format!("in the '{}' GitHub org ", self.org));
        } else {
            out.push_str(&format!("in the '{}/{}' GitHub repo ", self.org, self.repo));
        }
        out.push_str(&format!(
            "that have no labels matching the regular expression '{}'.",
            self.regexp
        ));
        out
    }
}

/// `retitle`: the retitle plugin.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Retitle {
    /// Allow retitling closed issues and PRs.
    #[serde(skip_serializing_if = "is_false")]
    pub allow_closed_issues: bool,
}

/// `slack`: the slackevents plugin.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Slack {
    /// Channels whose mentions are relayed.
    #[serde(rename = "mentionchannels", skip_serializing_if = "Vec::is_empty")]
    pub mention_channels: Vec<String>,
    /// Manual-merge warnings.
    #[serde(rename = "mergewarnings", skip_serializing_if = "Vec::is_empty")]
    pub merge_warnings: Vec<MergeWarning>,
}

/// Warn Slack channels when someone pushes directly to these repos.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MergeWarning {
    /// Orgs or `org/repo`s watched.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub repos: Vec<String>,
    /// Channels warned.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<String>,
    /// Pushers never warned about.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exempt_users: Vec<String>,
    /// Branch → pushers never warned about on that branch.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub exempt_branches: BTreeMap<String, Vec<String>>,
}

/// `sigmention`: the sigmention plugin.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SigMention {
    /// Regular expression finding team mentions; see [`DEFAULT_SIGMENTION_REGEXP`].
    #[serde(skip_serializing_if = "String::is_empty")]
    pub regexp: String,
}

impl SigMention {
    /// Compiles `regexp` (the default when empty).
    pub fn re(&self) -> Result<Regex, regex::Error> {
        Regex::new(or_default_str(&self.regexp, DEFAULT_SIGMENTION_REGEXP))
    }
}

/// `size`: lower bounds (lines changed) of each size label; XS starts at 0.
/// A zero threshold means "use the default" (see [`Size::effective`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Size {
    /// Lower bound of `size/S`.
    pub s: i64,
    /// Lower bound of `size/M`.
    pub m: i64,
    /// Lower bound of `size/L`.
    pub l: i64,
    /// Lower bound of `size/XL`.
    pub xl: i64,
    /// Lower bound of `size/XXL`.
    pub xxl: i64,
}

impl Size {
    /// Thresholds the size plugin uses: each zero field replaced by its
    /// [`DEFAULT_SIZES`] value.
    pub fn effective(&self) -> Size {
        let pick = |value: i64, default: i64| if value == 0 { default } else { value };
        Size {
            s: pick(self.s, DEFAULT_SIZES.s),
            m: pick(self.m, DEFAULT_SIZES.m),
            l: pick(self.l, DEFAULT_SIZES.l),
            xl: pick(self.xl, DEFAULT_SIZES.xl),
            xxl: pick(self.xxl, DEFAULT_SIZES.xxl),
        }
    }

    /// Upstream's check on the configured (not defaulted) thresholds.
    fn validate(&self, errors: &mut Vec<ValidationError>) {
        if self.s > self.m || self.m > self.l || self.l > self.xl || self.xl > self.xxl {
            errors.push(ValidationError::new(
                "size",
                format!(
                    "invalid size plugin configuration - one of the smaller sizes is bigger than a larger one: s={}, m={}, l={}, xl={}, xxl={}",
                    self.s, self.m, self.l, self.xl, self.xxl
                ),
            ));
        }
    }
}

/// One `triggers` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Trigger {
    /// Orgs or `org/repo`s this entry applies to.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub repos: Vec<String>,
    /// GitHub apps (without `[bot]`) whose PRs are trusted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub trusted_apps: Vec<String>,
    /// Deprecated: org whose members are trusted; defaults to the PR's org.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub trusted_org: String,
    /// Where to read about joining the org; defaults from `trusted_org`.
    #[serde(rename = "join_org_url", skip_serializing_if = "String::is_empty")]
    pub join_org_url: String,
    /// Trust only org members, not repo collaborators.
    #[serde(skip_serializing_if = "is_false")]
    pub only_org_members: bool,
    /// Ignore `/ok-to-test`.
    #[serde(skip_serializing_if = "is_false")]
    pub ignore_ok_to_test: bool,
    /// Let prow drive the pull request's GitHub Actions workflow runs: a trusted
    /// `/ok-to-test` approves the runs awaiting approval, and `/retest` or `/test all` re-runs
    /// the failed jobs of completed runs that did not pass.
    #[serde(rename = "trigger_github_workflows", skip_serializing_if = "is_false")]
    pub trigger_github_workflows: bool,
    /// Invitation shown to non-members opening PRs.
    #[serde(skip_serializing_if = "is_default")]
    pub org_invite: OrgInviteConfig,
}

impl Trigger {
    /// Defaults `join_org_url` to the people page of `trusted_org`.
    pub fn set_defaults(&mut self) {
        if !self.trusted_org.is_empty() && self.join_org_url.is_empty() {
            self.join_org_url = format!("https://github.com/orgs/{}/people", self.trusted_org);
        }
    }
}

/// `triggers[].org_invite`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OrgInviteConfig {
    /// The prominent invitation for repeat contributors.
    #[serde(skip_serializing_if = "is_default")]
    pub prominent: ProminentOrgInviteConfig,
}

/// `triggers[].org_invite.prominent`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProminentOrgInviteConfig {
    /// Turn the prominent invitation off.
    #[serde(skip_serializing_if = "is_false")]
    pub disabled: bool,
    /// Merged PRs after which the prominent message is shown; defaults to 3.
    #[serde(
        rename = "merged_pr_threshold",
        skip_serializing_if = "Option::is_none"
    )]
    pub merged_pr_threshold: Option<i64>,
    /// Message template; `{join_org_url}` is substituted.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub message: String,
}

impl ProminentOrgInviteConfig {
    /// `merged_pr_threshold`, or [`DEFAULT_MERGED_PR_THRESHOLD`].
    pub fn effective_merged_pr_threshold(&self) -> i64 {
        self.merged_pr_threshold
            .unwrap_or(DEFAULT_MERGED_PR_THRESHOLD)
    }
}

/// One `welcome` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Welcome {
    /// Orgs or `org/repo`s this entry applies to.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub repos: Vec<String>,
    /// Go template of the message posted on first PRs.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub message_template: String,
    /// Post even for authors who are not new contributors.
    #[serde(skip_serializing_if = "is_false")]
    pub always_post: bool,
}

impl Welcome {
    /// `message_template`, or [`DEFAULT_WELCOME_MESSAGE`].
    pub fn message_template_or_default(&self) -> &str {
        or_default_str(&self.message_template, DEFAULT_WELCOME_MESSAGE)
    }
}

/// `override`: the override plugin.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Override {
    /// Let top-level OWNERS approvers override contexts.
    #[serde(skip_serializing_if = "is_false")]
    pub allow_top_level_owners: bool,
    /// Org or `org/repo` → team slugs whose members may override.
    #[serde(
        rename = "allowed_github_teams",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub allowed_github_teams: BTreeMap<String, Vec<String>>,
}

impl Override {
    /// Team slugs allowed for `org/repo`: the repo's, then the org's.
    pub fn allowed_github_teams_for(&self, org: &str, repo: &str) -> Vec<&str> {
        let full = format!("{org}/{repo}");
        [full.as_str(), org]
            .iter()
            .filter_map(|key| self.allowed_github_teams.get(*key))
            .flatten()
            .map(String::as_str)
            .collect()
    }
}

/// `help`: the help plugin.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Help {
    /// Help-wanted guidelines link; see [`DEFAULT_HELP_GUIDELINES_URL`].
    #[serde(
        rename = "help_guidelines_url",
        skip_serializing_if = "String::is_empty"
    )]
    pub help_guidelines_url: String,
    /// Summary of the guidelines posted with the label.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub help_guidelines_summary: String,
}

/// One `invalid_commit_msg` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InvalidCommitMsg {
    /// Orgs or `org/repo`s this entry applies to.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub repos: Vec<String>,
    /// Per-check switches.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<InvalidCommitMsgCheck>,
}

impl InvalidCommitMsg {
    /// Whether the check named `name` is disabled.
    pub fn is_check_disabled(&self, name: &str) -> bool {
        self.checks
            .iter()
            .find(|c| c.name == name)
            .is_some_and(|c| c.disabled)
    }
}

/// One check of an `invalid_commit_msg` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InvalidCommitMsgCheck {
    /// Check name (see [`INVALID_COMMIT_MSG_CHECKS`]).
    pub name: String,
    /// Skip this check.
    #[serde(skip_serializing_if = "is_false")]
    pub disabled: bool,
}

// ---------------------------------------------------------------------------
// Top level
// ---------------------------------------------------------------------------

/// The whole `plugins.yaml` document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PluginsConfig {
    /// Org or `org/repo` → enabled plugins.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub plugins: BTreeMap<String, OrgPlugins>,
    /// Org or `org/repo` → external plugins.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub external_plugins: BTreeMap<String, Vec<ExternalPlugin>>,
    /// OWNERS file handling.
    #[serde(skip_serializing_if = "is_default")]
    pub owners: Owners,
    /// approve plugin entries.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub approve: Vec<Approve>,
    /// blockade plugin entries.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub blockades: Vec<Blockade>,
    /// blunderbuss plugin.
    #[serde(skip_serializing_if = "is_default")]
    pub blunderbuss: Blunderbuss,
    /// rifle plugin.
    #[serde(skip_serializing_if = "is_default")]
    pub rifle: Rifle,
    /// bugzilla plugin, kept as raw data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bugzilla: Option<serde_json::Value>,
    /// branchcleaner plugin.
    #[serde(skip_serializing_if = "is_default")]
    pub branch_cleaner: BranchCleaner,
    /// cat plugin.
    #[serde(skip_serializing_if = "is_default")]
    pub cat: Cat,
    /// cherry-pick-approved plugin entries.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cherry_pick_approved: Vec<CherryPickApproved>,
    /// cherry-pick-unapproved plugin.
    #[serde(skip_serializing_if = "is_default")]
    pub cherry_pick_unapproved: CherryPickUnapproved,
    /// config-updater plugin.
    #[serde(skip_serializing_if = "is_default")]
    pub config_updater: ConfigUpdater,
    /// `*`, org or `org/repo` → dco plugin settings.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub dco: BTreeMap<String, Dco>,
    /// golint plugin.
    #[serde(skip_serializing_if = "is_default")]
    pub golint: Golint,
    /// goose plugin.
    #[serde(skip_serializing_if = "is_default")]
    pub goose: Goose,
    /// heart plugin.
    #[serde(skip_serializing_if = "is_default")]
    pub heart: Heart,
    /// label plugin.
    #[serde(skip_serializing_if = "is_default")]
    pub label: Label,
    /// lgtm plugin entries.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lgtm: Vec<Lgtm>,
    /// jira plugin.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jira: Option<Jira>,
    /// `org/repo` → branch → milestone (milestoneapplier plugin).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub milestone_applier: BTreeMap<String, BranchToMilestone>,
    /// release-note plugin.
    #[serde(skip_serializing_if = "is_default")]
    pub release_note: ReleaseNote,
    /// `org/repo` (or `""` for the fallback) → milestone maintainers
    /// (milestone and milestonestatus plugins).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub repo_milestone: BTreeMap<String, Milestone>,
    /// project plugin.
    #[serde(rename = "project_config", skip_serializing_if = "is_default")]
    pub project: ProjectConfig,
    /// project-manager plugin.
    #[serde(skip_serializing_if = "is_default")]
    pub project_manager: ProjectManager,
    /// require-matching-label plugin entries.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub require_matching_label: Vec<RequireMatchingLabel>,
    /// retitle plugin.
    #[serde(skip_serializing_if = "is_default")]
    pub retitle: Retitle,
    /// slackevents plugin.
    #[serde(skip_serializing_if = "is_default")]
    pub slack: Slack,
    /// sigmention plugin.
    #[serde(rename = "sigmention", skip_serializing_if = "is_default")]
    pub sig_mention: SigMention,
    /// size plugin.
    #[serde(skip_serializing_if = "is_default")]
    pub size: Size,
    /// trigger plugin entries.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub triggers: Vec<Trigger>,
    /// welcome plugin entries.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub welcome: Vec<Welcome>,
    /// override plugin.
    #[serde(rename = "override", skip_serializing_if = "is_default")]
    pub override_config: Override,
    /// help plugin.
    #[serde(skip_serializing_if = "is_default")]
    pub help: Help,
    /// invalidcommitmsg plugin entries.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub invalid_commit_msg: Vec<InvalidCommitMsg>,
}

impl PluginsConfig {
    /// Parses a `plugins.yaml` document without defaulting or validating it.
    pub fn from_yaml(text: &str) -> Result<Self, crate::yaml::Error> {
        crate::yaml::from_str(text)
    }

    /// Parses, defaults and validates a `plugins.yaml` document, as hook
    /// does when it loads the file.
    pub fn load(text: &str) -> Result<Self, LoadError> {
        let mut config = Self::from_yaml(text).map_err(LoadError::Parse)?;
        config.set_defaults();
        let errors = config.validate();
        if errors.is_empty() {
            Ok(config)
        } else {
            Err(LoadError::Invalid(errors))
        }
    }

    // -- plugins map -------------------------------------------------------

    /// Number of org and `org/repo` keys under `plugins:`.
    pub fn plugin_entries(&self) -> usize {
        self.plugins.len()
    }

    /// Plugins enabled for `org/repo`: the org's list (unless `repo` is in
    /// the org's `excluded_repos`) followed by the repo's own list, without
    /// duplicates, first occurrence kept.
    pub fn plugins_for(&self, org: &str, repo: &str) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        let full = format!("{org}/{repo}");
        let org_entry = self
            .plugins
            .get(org)
            .filter(|entry| !entry.excluded_repos.iter().any(|r| r == repo));
        for name in org_entry
            .into_iter()
            .chain(self.plugins.get(&full))
            .flat_map(|entry| &entry.plugins)
        {
            if !out.contains(&name.as_str()) {
                out.push(name);
            }
        }
        out
    }

    /// Whether `plugin` is enabled for `org/repo` (see [`Self::plugins_for`]).
    pub fn plugin_enabled(&self, org: &str, repo: &str, plugin: &str) -> bool {
        self.plugins_for(org, repo).contains(&plugin)
    }

    /// External plugins for `org/repo`: the org's entries followed by the
    /// repo's, without repeating a name.
    pub fn external_plugins_for(&self, org: &str, repo: &str) -> Vec<&ExternalPlugin> {
        let full = format!("{org}/{repo}");
        let mut out: Vec<&ExternalPlugin> = Vec::new();
        for plugin in self
            .external_plugins
            .get(org)
            .into_iter()
            .chain(self.external_plugins.get(&full))
            .flatten()
        {
            if !out.iter().any(|p| p.name == plugin.name) {
                out.push(plugin);
            }
        }
        out
    }

    /// External plugins for `org/repo` that want events of type `event`.
    pub fn external_plugins_for_event(
        &self,
        org: &str,
        repo: &str,
        event: &str,
    ) -> Vec<&ExternalPlugin> {
        self.external_plugins_for(org, repo)
            .into_iter()
            .filter(|p| p.wants_event(event))
            .collect()
    }

    /// Orgs and repos that enable `plugin`, and for each such org the
    /// `org/repo`s excluded from it (repos re-enabling it are not listed).
    pub fn enabled_repos_for_plugin(
        &self,
        plugin: &str,
    ) -> (Vec<String>, Vec<String>, BTreeMap<String, BTreeSet<String>>) {
        let mut orgs = Vec::new();
        let mut repos = Vec::new();
        let mut exceptions: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (key, entry) in &self.plugins {
            if !entry.plugins.iter().any(|p| p == plugin) {
                continue;
            }
            if key.contains('/') {
                repos.push(key.clone());
            } else {
                orgs.push(key.clone());
                let excluded = entry
                    .excluded_repos
                    .iter()
                    .map(|r| format!("{key}/{r}"))
                    .collect();
                exceptions.insert(key.clone(), excluded);
            }
        }
        for repo in &repos {
            let org = repo.split('/').next().unwrap_or_default();
            if let Some(set) = exceptions.get_mut(org) {
                set.remove(repo);
            }
        }
        (orgs, repos, exceptions)
    }

    /// Orgs and repos that enable the external plugin named `plugin`.
    pub fn enabled_repos_for_external_plugin(&self, plugin: &str) -> (Vec<String>, Vec<String>) {
        let mut orgs = Vec::new();
        let mut repos = Vec::new();
        for (key, plugins) in &self.external_plugins {
            if plugins.iter().any(|p| p.name == plugin) {
                if key.contains('/') {
                    repos.push(key.clone());
                } else {
                    orgs.push(key.clone());
                }
            }
        }
        (orgs, repos)
    }

    // -- per-repo lookups --------------------------------------------------

    /// The `approve` entry for `org/repo` (an entry naming the repo wins over
    /// one naming the org; the first match in file order otherwise), with
    /// `commandHelpLink` and `pr_process_link` defaulted.
    pub fn approve_for(&self, org: &str, repo: &str) -> Approve {
        let mut approve = find_for_repo(&self.approve, |a| &a.repos, org, repo)
            .cloned()
            .unwrap_or_default();
        if approve.command_help_link.is_empty() {
            approve.command_help_link = DEFAULT_COMMAND_HELP_LINK.to_string();
        }
        if approve.pr_process_link.is_empty() {
            approve.pr_process_link = DEFAULT_PR_PROCESS_LINK.to_string();
        }
        approve
    }

    /// The `lgtm` entry for `org/repo` (repo-level first, then org-level), or
    /// an empty entry.
    pub fn lgtm_for(&self, org: &str, repo: &str) -> Lgtm {
        find_for_repo(&self.lgtm, |l| &l.repos, org, repo)
            .cloned()
            .unwrap_or_default()
    }

    /// The `triggers` entry for `org/repo` (repo-level first, then
    /// org-level), or a defaulted empty entry.
    pub fn trigger_for(&self, org: &str, repo: &str) -> Trigger {
        find_for_repo(&self.triggers, |t| &t.repos, org, repo)
            .cloned()
            .unwrap_or_else(|| {
                let mut trigger = Trigger::default();
                trigger.set_defaults();
                trigger
            })
    }

    /// The `welcome` entry for `org/repo` (repo-level first, then
    /// org-level), or an empty entry.
    pub fn welcome_for(&self, org: &str, repo: &str) -> Welcome {
        find_for_repo(&self.welcome, |w| &w.repos, org, repo)
            .cloned()
            .unwrap_or_default()
    }

    /// The `invalid_commit_msg` entry for `org/repo`, or an empty entry.
    pub fn invalid_commit_msg_for(&self, org: &str, repo: &str) -> InvalidCommitMsg {
        find_for_repo(&self.invalid_commit_msg, |i| &i.repos, org, repo)
            .cloned()
            .unwrap_or_default()
    }

    /// The `dco` entry for `org/repo`, then the org's, then `*`'s, or an
    /// empty entry.
    pub fn dco_for(&self, org: &str, repo: &str) -> Dco {
        let full = format!("{org}/{repo}");
        [full.as_str(), org, "*"]
            .iter()
            .find_map(|key| self.dco.get(*key))
            .cloned()
            .unwrap_or_default()
    }

    /// Restricted labels applying to `org/repo` (see [`Label::restricted_labels_for`]).
    pub fn restricted_labels_for(
        &self,
        org: &str,
        repo: &str,
    ) -> BTreeMap<String, RestrictedLabel> {
        self.label.restricted_labels_for(org, repo)
    }

    /// Size thresholds in effect (see [`Size::effective`]).
    pub fn size_thresholds(&self) -> Size {
        self.size.effective()
    }

    /// Compiled `heart.commentregexp`, or `None` when the heart plugin has no
    /// adorees or no regexp (and so reacts to nothing).
    pub fn heart_regex(&self) -> Option<Result<Regex, regex::Error>> {
        self.heart.is_enabled().then(|| self.heart.comment_re())
    }

    /// OWNERS file names for `org/repo`: the repo's entry, the org's, or the
    /// defaults.
    pub fn owners_filenames(&self, org: &str, repo: &str) -> OwnersFilenames {
        let full = format!("{org}/{repo}");
        self.owners
            .filenames
            .get(&full)
            .or_else(|| self.owners.filenames.get(org))
            .cloned()
            .unwrap_or_else(OwnersFilenames::defaults)
    }

    /// Whether markdown files of `org/repo` may carry OWNERS headers.
    pub fn mdyaml_enabled(&self, org: &str, repo: &str) -> bool {
        let full = format!("{org}/{repo}");
        self.owners
            .mdyaml_repos
            .iter()
            .any(|e| *e == full || e == org)
    }

    /// Whether approve/lgtm skip collaborator checks in `org/repo`.
    pub fn skip_collaborators(&self, org: &str, repo: &str) -> bool {
        let full = format!("{org}/{repo}");
        self.owners
            .skip_collaborators
            .iter()
            .any(|e| *e == full || e == org)
    }

    /// Labels that must not appear in OWNERS files (the defaults when unset).
    pub fn labels_denylist(&self) -> Vec<&str> {
        match &self.owners.labels_denylist {
            Some(list) => list.iter().map(String::as_str).collect(),
            None => DEFAULT_LABELS_DENYLIST.to_vec(),
        }
    }

    /// Milestone maintainers for `org/repo`, falling back to the `""` entry.
    pub fn repo_milestone_for(&self, org: &str, repo: &str) -> Option<&Milestone> {
        self.repo_milestone
            .get(&format!("{org}/{repo}"))
            .or_else(|| self.repo_milestone.get(""))
    }

    /// Branch → milestone map of `org/repo` for the milestoneapplier plugin.
    pub fn milestone_applier_for(&self, org: &str, repo: &str) -> Option<&BranchToMilestone> {
        self.milestone_applier.get(&format!("{org}/{repo}"))
    }

    // -- defaulting --------------------------------------------------------

    /// Upstream's defaulting: help URL, release-note URL, config_updater
    /// maps, external plugin endpoints, blunderbuss/rifle request counts and
    /// wait-for-status context, trigger join URLs, sigmention regexp, OWNERS
    /// label denylist, milestone maintainers name, cherry-pick branch regexps
    /// and comment, require-matching-label grace periods.
    ///
    /// Size thresholds, approve links, golint confidence and the welcome
    /// message are defaulted where they are read (see [`Size::effective`],
    /// [`Self::approve_for`], [`Golint::min_confidence`],
    /// [`Welcome::message_template_or_default`]), as upstream does.
    pub fn set_defaults(&mut self) {
        if self.help.help_guidelines_url.is_empty() {
            self.help.help_guidelines_url = DEFAULT_HELP_GUIDELINES_URL.to_string();
        }
        self.config_updater.set_defaults();
        for plugin in self.external_plugins.values_mut().flatten() {
            if plugin.endpoint.is_empty() {
                plugin.endpoint = format!("http://{}", plugin.name);
            }
        }
        self.blunderbuss.set_defaults();
        self.rifle.set_defaults();
        for trigger in &mut self.triggers {
            trigger.set_defaults();
        }
        if self.sig_mention.regexp.is_empty() {
            self.sig_mention.regexp = DEFAULT_SIGMENTION_REGEXP.to_string();
        }
        if self.owners.labels_denylist.is_none() {
            self.owners.labels_denylist = Some(
                DEFAULT_LABELS_DENYLIST
                    .iter()
                    .map(|l| l.to_string())
                    .collect(),
            );
        }
        for milestone in self.repo_milestone.values_mut() {
            if milestone.maintainers_friendly_name.is_empty() {
                milestone.maintainers_friendly_name =
                    DEFAULT_MILESTONE_MAINTAINERS_FRIENDLY_NAME.to_string();
            }
        }
        if self.cherry_pick_unapproved.branch_regexp.is_empty() {
            self.cherry_pick_unapproved.branch_regexp =
                DEFAULT_CHERRY_PICK_BRANCH_REGEXP.to_string();
        }
        if self.cherry_pick_unapproved.comment.is_empty() {
            self.cherry_pick_unapproved.comment =
                DEFAULT_CHERRY_PICK_UNAPPROVED_COMMENT.to_string();
        }
        for approved in &mut self.cherry_pick_approved {
            if approved.branch_regexp.is_empty() {
                approved.branch_regexp = DEFAULT_CHERRY_PICK_BRANCH_REGEXP.to_string();
            }
        }
        for rml in &mut self.require_matching_label {
            if rml.grace_period.is_none() {
                rml.grace_period = Some(GoDuration::from_std(DEFAULT_GRACE_PERIOD));
            }
        }
        if self.release_note.guidelines_url.is_empty() {
            self.release_note.guidelines_url = DEFAULT_RELEASE_NOTE_GUIDELINES_URL.to_string();
        }
    }

    // -- validation --------------------------------------------------------

    /// Upstream's validation (plus checkconfig's label checks); every
    /// problem found, in a stable order. Run [`Self::set_defaults`] first to
    /// validate what hook would use.
    pub fn validate(&self) -> Vec<ValidationError> {
        let mut errors = Vec::new();
        self.validate_regexps(&mut errors);
        self.validate_plugin_dupes(&mut errors);
        self.validate_external_plugins(&mut errors);
        self.blunderbuss.validate("blunderbuss", &mut errors);
        self.rifle.validate("rifle", &mut errors);
        self.validate_mutually_exclusive_plugins(&mut errors);
        errors.extend(self.config_updater.validate());
        self.size.validate(&mut errors);
        self.validate_require_matching_label(&mut errors);
        self.project_manager.validate(&mut errors);
        validate_repo_dupes(
            "approve",
            "approve",
            self.approve.iter().map(|a| &a.repos),
            &mut errors,
        );
        validate_repo_dupes(
            "welcome",
            "welcome",
            self.welcome.iter().map(|w| &w.repos),
            &mut errors,
        );
        self.validate_invalid_commit_msg(&mut errors);
        validate_repo_dupes(
            "invalid_commit_msg",
            "invalidcommitmsg",
            self.invalid_commit_msg.iter().map(|i| &i.repos),
            &mut errors,
        );
        self.label.validate(&mut errors);
        errors
    }

    /// Upstream's `ValidatePluginsUnknown`: every plugin named under
    /// `plugins:` must be one of `known`.
    pub fn validate_known_plugins(&self, known: &[&str]) -> Vec<ValidationError> {
        self.plugins
            .values()
            .flat_map(|entry| &entry.plugins)
            .filter(|name| !known.contains(&name.as_str()))
            .map(|name| ValidationError::new("plugins", format!("unknown plugin: {name}")))
            .collect()
    }

    /// Non-fatal findings upstream logs as warnings (deprecated settings and
    /// an empty `plugins:` map).
    pub fn warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        if self.plugins.is_empty() {
            warnings.push("no plugins specified-- check syntax?".to_string());
        }
        if self.plugins.values().any(|e| e.form == PluginsForm::List) {
            warnings.push(DEPRECATED_PLUGINS_FORM_WARNING.to_string());
        }
        for (key, entry) in &self.plugins {
            for excluded in entry.excluded_repos.iter().filter(|r| r.contains('/')) {
                warnings.push(format!(
                    "plugins.{key}.excluded_repos: {excluded:?} contains '/', but excluded_repos lists bare repo names, so it excludes nothing"
                ));
            }
        }
        if self.triggers.iter().any(|t| !t.trusted_org.is_empty()) {
            warnings.push("trusted_org functionality is deprecated. Please ensure your configuration is updated before the end of December 2019.".to_string());
        }
        if self.repo_milestone.values().any(|m| m.maintainers_id != 0) {
            warnings.push("deprecated field: maintainers_id is configured for repo_milestone, maintainers_team should be used instead".to_string());
        }
        warnings
    }

    fn validate_regexps(&self, errors: &mut Vec<ValidationError>) {
        if let Err(err) = self.sig_mention.re() {
            errors.push(ValidationError::new(
                "sigmention",
                format!(
                    "failed to compile regexp: {:?}, error: {err}",
                    self.sig_mention.regexp
                ),
            ));
        }
        if let Err(err) = self.cherry_pick_unapproved.branch_re() {
            errors.push(ValidationError::new(
                "cherry_pick_unapproved",
                format!(
                    "failed to compile branchregexp: {:?}, error: {err}",
                    self.cherry_pick_unapproved.branch_regexp
                ),
            ));
        }
        for (idx, approved) in self.cherry_pick_approved.iter().enumerate() {
            if let Err(err) = approved.branch_re() {
                errors.push(ValidationError::new(
                    "cherry_pick_approved",
                    format!(
                        "failed to compile branchregexp of config #{idx}: {:?}, error: {err}",
                        approved.branch_regexp
                    ),
                ));
            }
        }
        for blockade in &self.blockades {
            if let Some(Err(err)) = blockade.branch_re() {
                errors.push(ValidationError::new(
                    "blockades",
                    format!(
                        "failed to compile blockade branchregexp: {:?}, error: {err}",
                        blockade.branch_regexp.as_deref().unwrap_or_default()
                    ),
                ));
            }
        }
        if let Err(err) = self.heart.comment_re() {
            errors.push(ValidationError::new(
                "heart",
                format!(
                    "failed to compile commentregexp: {:?}, error: {err}",
                    self.heart.comment_regexp
                ),
            ));
        }
    }

    fn validate_plugin_dupes(&self, errors: &mut Vec<ValidationError>) {
        for (key, entry) in &self.plugins {
            if !key.contains('/') {
                continue;
            }
            let mut parts = key.split('/');
            let org = parts.next().unwrap_or_default();
            let repo = parts.next().unwrap_or_default();
            let Some(org_entry) = self.plugins.get(org) else {
                continue;
            };
            if org_entry.excluded_repos.iter().any(|r| r == repo) {
                continue;
            }
            let dupes = duplicated(&entry.plugins, &org_entry.plugins);
            if !dupes.is_empty() {
                errors.push(ValidationError::new(
                    "plugins",
                    format!(
                        "plugins {} are duplicated for {repo} and {org}",
                        go_list(&dupes)
                    ),
                ));
            }
        }
    }

    fn validate_external_plugins(&self, errors: &mut Vec<ValidationError>) {
        for (key, plugins) in &self.external_plugins {
            let Some((org, _)) = key.split_once('/') else {
                continue;
            };
            let names = |list: &[ExternalPlugin]| -> Vec<String> {
                list.iter().map(|p| p.name.clone()).collect()
            };
            let org_names = self
                .external_plugins
                .get(org)
                .map(|l| names(l))
                .unwrap_or_default();
            let dupes = duplicated(&names(plugins), &org_names);
            if !dupes.is_empty() {
                errors.push(ValidationError::new(
                    "external_plugins",
                    format!(
                        "external plugins {} are duplicated for {key} and {org}",
                        go_list(&dupes)
                    ),
                ));
            }
        }
    }

    fn validate_mutually_exclusive_plugins(&self, errors: &mut Vec<ValidationError>) {
        let has = |entry: &OrgPlugins, name: &str| entry.plugins.iter().any(|p| p == name);
        for (key, entry) in &self.plugins {
            let blunderbuss = has(entry, "blunderbuss");
            let rifle = has(entry, "rifle");
            if blunderbuss && rifle {
                errors.push(ValidationError::new(
                    "plugins",
                    format!("{key}: blunderbuss and rifle plugins are mutually exclusive"),
                ));
                continue;
            }
            let Some((org, rest)) = key.split_once('/') else {
                continue;
            };
            let repo = rest.split('/').next().unwrap_or_default();
            let Some(org_entry) = self.plugins.get(org) else {
                continue;
            };
            if org_entry.excluded_repos.iter().any(|r| r == repo) {
                continue;
            }
            if (blunderbuss && has(org_entry, "rifle")) || (rifle && has(org_entry, "blunderbuss"))
            {
                errors.push(ValidationError::new(
                    "plugins",
                    format!(
                        "{key}: blunderbuss and rifle plugins are mutually exclusive (conflict between {org} and {key} config)"
                    ),
                ));
            }
        }
    }

    fn validate_require_matching_label(&self, errors: &mut Vec<ValidationError>) {
        for (idx, rml) in self.require_matching_label.iter().enumerate() {
            match rml.re() {
                Err(err) => errors.push(ValidationError::new(
                    "require_matching_label",
                    format!(
                        "failed to compile label regexp: {:?}, error: {err}",
                        rml.regexp
                    ),
                )),
                Ok(re) => {
                    if let Some(problem) = rml.check(&re) {
                        errors.push(ValidationError::new(
                            "require_matching_label",
                            format!(
                                "error validating require_matching_label config #{idx}: {problem}"
                            ),
                        ));
                    }
                }
            }
        }
    }

    fn validate_invalid_commit_msg(&self, errors: &mut Vec<ValidationError>) {
        const SECTION: &str = "invalid_commit_msg";
        for (i, cfg) in self.invalid_commit_msg.iter().enumerate() {
            for repo in &cfg.repos {
                if repo.trim().is_empty() {
                    errors.push(ValidationError::new(
                        SECTION,
                        format!(
                            "error validating invalid_commit_msg config #{i}: repo {repo:?} must be of form org or org/repo"
                        ),
                    ));
                }
            }
            for (j, check) in cfg.checks.iter().enumerate() {
                if check.name.trim().is_empty() {
                    errors.push(ValidationError::new(
                        SECTION,
                        format!(
                            "error validating invalid_commit_msg config #{i} check #{j}: check name cannot be empty"
                        ),
                    ));
                } else if !INVALID_COMMIT_MSG_CHECKS.contains(&check.name.as_str()) {
                    errors.push(ValidationError::new(
                        SECTION,
                        format!(
                            "error validating invalid_commit_msg config #{i} check #{j}: unknown check name {:?} (valid: {})",
                            check.name,
                            go_list(&INVALID_COMMIT_MSG_CHECKS)
                        ),
                    ));
                }
            }
        }
    }
}

/// Names present in both lists, in `repo_level` order (once per pairing, as
/// upstream reports them).
fn duplicated(repo_level: &[String], org_level: &[String]) -> Vec<String> {
    let mut dupes = Vec::new();
    for name in repo_level {
        for org_name in org_level {
            if name == org_name {
                dupes.push(name.clone());
            }
        }
    }
    dupes
}

/// Rejects an org or `org/repo` listed by more than one entry of a section.
fn validate_repo_dupes<'a>(
    section: &'static str,
    plugin: &str,
    repo_lists: impl Iterator<Item = &'a Vec<String>>,
    errors: &mut Vec<ValidationError>,
) {
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    for entry in repo_lists.flatten() {
        if !seen.insert(entry) {
            let kind = if entry.contains('/') { "repo" } else { "org" };
            errors.push(ValidationError::new(
                section,
                format!(
                    "The {kind} {entry:?} is duplicated in the '{plugin}' plugin configuration."
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REAL_PLUGINS_YAML: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/corpus/kubernetes+test-infra/config/prow/plugins.yaml"
    );

    fn parse(text: &str) -> PluginsConfig {
        PluginsConfig::from_yaml(text).expect("plugins.yaml parses")
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn messages(errors: &[ValidationError]) -> Vec<String> {
        errors.iter().map(ToString::to_string).collect()
    }

    fn org_plugins(plugins: &[&str], excluded: &[&str]) -> OrgPlugins {
        OrgPlugins {
            plugins: strings(plugins),
            excluded_repos: strings(excluded),
            form: PluginsForm::Map,
        }
    }

    fn with_plugins(entries: &[(&str, OrgPlugins)]) -> PluginsConfig {
        PluginsConfig {
            plugins: entries
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            ..PluginsConfig::default()
        }
    }

    // -- plugins map -------------------------------------------------------

    #[test]
    fn plugins_map_accepts_both_forms() {
        struct Case {
            name: &'static str,
            yaml: &'static str,
            key: &'static str,
            plugins: &'static [&'static str],
            excluded: &'static [&'static str],
            form: PluginsForm,
        }
        let cases = [
            Case {
                name: "list form",
                yaml: "plugins:\n  org/repo: [lgtm, approve]\n",
                key: "org/repo",
                plugins: &["lgtm", "approve"],
                excluded: &[],
                form: PluginsForm::List,
            },
            Case {
                name: "map form",
                yaml: "plugins:\n  org:\n    plugins: [size]\n    excluded_repos: [skipped]\n",
                key: "org",
                plugins: &["size"],
                excluded: &["skipped"],
                form: PluginsForm::Map,
            },
            Case {
                name: "map form without excluded_repos",
                yaml: "plugins:\n  org:\n    plugins:\n    - hold\n",
                key: "org",
                plugins: &["hold"],
                excluded: &[],
                form: PluginsForm::Map,
            },
            Case {
                name: "null entry",
                yaml: "plugins:\n  org:\n",
                key: "org",
                plugins: &[],
                excluded: &[],
                form: PluginsForm::Map,
            },
            Case {
                name: "null plugin list in map form",
                yaml: "plugins:\n  org:\n    plugins:\n",
                key: "org",
                plugins: &[],
                excluded: &[],
                form: PluginsForm::Map,
            },
            Case {
                name: "unknown keys in map form are ignored",
                yaml: "plugins:\n  org:\n    plugins: [wip]\n    bogus: 1\n",
                key: "org",
                plugins: &["wip"],
                excluded: &[],
                form: PluginsForm::Map,
            },
        ];
        for case in cases {
            let config = parse(case.yaml);
            let entry = &config.plugins[case.key];
            assert_eq!(entry.plugins, strings(case.plugins), "{}", case.name);
            assert_eq!(
                entry.excluded_repos,
                strings(case.excluded),
                "{}",
                case.name
            );
            assert_eq!(entry.form, case.form, "{}", case.name);
        }
    }

    #[test]
    fn plugins_map_mixed_forms_and_bad_shape() {
        let config = parse("plugins:\n  org: [trigger]\n  org/repo:\n    plugins: [lgtm]\n");
        assert_eq!(config.plugins["org"], org_plugins(&["trigger"], &[]));
        assert_eq!(config.plugins["org/repo"], org_plugins(&["lgtm"], &[]));
        assert!(PluginsConfig::from_yaml("plugins:\n  org: 3\n").is_err());
        assert!(PluginsConfig::from_yaml("plugins:\n  org:\n    plugins: lgtm\n").is_err());
    }

    #[test]
    fn org_plugins_serialize_in_their_form() {
        let list = OrgPlugins {
            plugins: strings(&["a", "b"]),
            excluded_repos: vec![],
            form: PluginsForm::List,
        };
        assert_eq!(
            serde_json::to_value(&list).unwrap(),
            serde_json::json!(["a", "b"])
        );
        let list_with_excluded = OrgPlugins {
            excluded_repos: strings(&["x"]),
            ..list.clone()
        };
        assert_eq!(
            serde_json::to_value(&list_with_excluded).unwrap(),
            serde_json::json!({"excluded_repos": ["x"], "plugins": ["a", "b"]})
        );
        let map = org_plugins(&["a"], &[]);
        assert_eq!(
            serde_json::to_value(&map).unwrap(),
            serde_json::json!({"plugins": ["a"]})
        );
        assert_eq!(
            serde_json::to_value(OrgPlugins::default()).unwrap(),
            serde_json::json!({})
        );
        // Equality ignores the form.
        assert_eq!(list, org_plugins(&["a", "b"], &[]));
    }

    #[test]
    fn plugins_for_rules() {
        let config = with_plugins(&[
            (
                "org",
                org_plugins(&["approve", "lgtm", "size"], &["excluded"]),
            ),
            (
                "org/repo",
                org_plugins(&["blockade", "lgtm", "blockade"], &[]),
            ),
            ("org/excluded", org_plugins(&["hold"], &[])),
            ("other/repo", org_plugins(&["wip"], &[])),
        ]);
        let cases: [(&str, &str, &[&str]); 6] = [
            ("org", "repo", &["approve", "lgtm", "size", "blockade"]),
            ("org", "plain", &["approve", "lgtm", "size"]),
            ("org", "excluded", &["hold"]),
            ("other", "repo", &["wip"]),
            ("other", "none", &[]),
            ("missing", "repo", &[]),
        ];
        for (org, repo, want) in cases {
            assert_eq!(config.plugins_for(org, repo), want.to_vec(), "{org}/{repo}");
        }
        assert!(config.plugin_enabled("org", "repo", "blockade"));
        assert!(!config.plugin_enabled("org", "excluded", "lgtm"));
        assert_eq!(config.plugin_entries(), 4);
    }

    #[test]
    fn external_plugins_lookup() {
        let mut config = parse(
            "external_plugins:\n  org:\n  - name: needs-rebase\n    events: [pull_request]\n  org/repo:\n  - name: cherrypicker\n    endpoint: http://cp:8080\n  - name: needs-rebase\n",
        );
        config.set_defaults();
        let names = |list: Vec<&ExternalPlugin>| -> Vec<String> {
            list.iter().map(|p| p.name.clone()).collect()
        };
        assert_eq!(
            names(config.external_plugins_for("org", "repo")),
            strings(&["needs-rebase", "cherrypicker"])
        );
        assert_eq!(
            names(config.external_plugins_for("org", "other")),
            strings(&["needs-rebase"])
        );
        assert!(config.external_plugins_for("nope", "repo").is_empty());
        assert_eq!(
            names(config.external_plugins_for_event("org", "repo", "issue_comment")),
            strings(&["cherrypicker"])
        );
        let endpoints: Vec<&str> = config
            .external_plugins_for("org", "repo")
            .iter()
            .map(|p| p.endpoint.as_str())
            .collect();
        assert_eq!(endpoints, ["http://needs-rebase", "http://cp:8080"]);
        assert_eq!(
            config.enabled_repos_for_external_plugin("needs-rebase"),
            (strings(&["org"]), strings(&["org/repo"]))
        );
    }

    #[test]
    fn enabled_repos_for_plugin_reports_exceptions() {
        let config = parse(
            "plugins:\n  orgA:\n    excluded_repos: [repoB]\n    plugins: [pluginCommon, pluginNotForRepoB]\n  orgA/repoB:\n    plugins: [pluginCommon, pluginOnlyForRepoB]\n",
        );
        let exceptions = |pairs: &[(&str, &[&str])]| -> BTreeMap<String, BTreeSet<String>> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
                .collect()
        };
        assert_eq!(
            config.enabled_repos_for_plugin("pluginCommon"),
            (
                strings(&["orgA"]),
                strings(&["orgA/repoB"]),
                exceptions(&[("orgA", &[])])
            )
        );
        assert_eq!(
            config.enabled_repos_for_plugin("pluginNotForRepoB"),
            (
                strings(&["orgA"]),
                vec![],
                exceptions(&[("orgA", &["orgA/repoB"])])
            )
        );
        assert_eq!(
            config.enabled_repos_for_plugin("pluginOnlyForRepoB"),
            (vec![], strings(&["orgA/repoB"]), exceptions(&[]))
        );
    }

    // -- defaulting --------------------------------------------------------

    fn defaulted(text: &str) -> PluginsConfig {
        let mut config = parse(text);
        config.set_defaults();
        config
    }

    #[test]
    fn defaults_help_and_release_note() {
        let config = defaulted("{}");
        assert_eq!(config.help.help_guidelines_url, DEFAULT_HELP_GUIDELINES_URL);
        assert_eq!(
            config.release_note.guidelines_url,
            DEFAULT_RELEASE_NOTE_GUIDELINES_URL
        );
        let config = defaulted(
            "help:\n  help_guidelines_url: https://example.com/help\nrelease_note:\n  guidelines_url: https://example.com/rn\n",
        );
        assert_eq!(config.help.help_guidelines_url, "https://example.com/help");
        assert_eq!(config.release_note.guidelines_url, "https://example.com/rn");
    }

    #[test]
    fn defaults_config_updater_maps() {
        let default_clusters: BTreeMap<String, Vec<String>> =
            [("default".to_string(), vec![String::new()])].into();
        type Case = (
            &'static str,
            &'static str,
            &'static [(&'static str, &'static str)],
        );
        let cases: [Case; 3] = [
            (
                "nothing",
                "{}",
                &[
                    ("config/prow/config.yaml", "config"),
                    ("config/prow/plugins.yaml", "plugins"),
                ],
            ),
            (
                "basic",
                "config_updater:\n  maps:\n    hello.yaml: {name: my-cm}\n    world.yaml: {name: you-cm}\n",
                &[("hello.yaml", "my-cm"), ("world.yaml", "you-cm")],
            ),
            (
                "explicit maps replace the defaults",
                "config_updater:\n  maps:\n    config.yaml: {name: overwrite-config}\n    plugins.yaml: {name: overwrite-plugins}\n    unconflicting.yaml: {name: ignored}\n",
                &[
                    ("config.yaml", "overwrite-config"),
                    ("plugins.yaml", "overwrite-plugins"),
                    ("unconflicting.yaml", "ignored"),
                ],
            ),
        ];
        for (name, yaml, want) in cases {
            let config = defaulted(yaml);
            let got: Vec<(&str, &str)> = config
                .config_updater
                .maps
                .iter()
                .map(|(k, v)| (k.as_str(), v.name.as_str()))
                .collect();
            assert_eq!(got, want.to_vec(), "{name}");
            for spec in config.config_updater.maps.values() {
                assert_eq!(spec.clusters, default_clusters, "{name}");
            }
        }
        // Maps naming clusters or cluster groups keep them.
        let config = defaulted(
            "config_updater:\n  maps:\n    a.yaml:\n      name: a\n      clusters: {c1: [ns]}\n    b.yaml:\n      name: b\n      cluster_groups: [g]\n",
        );
        assert_eq!(
            config.config_updater.maps["a.yaml"].clusters["c1"],
            strings(&["ns"])
        );
        assert!(config.config_updater.maps["b.yaml"].clusters.is_empty());
    }

    #[test]
    fn defaults_reviewer_plugins() {
        let config = defaulted("blunderbuss:\n  wait_for_status: {}\nrifle:\n  request_count: 4\n");
        assert_eq!(
            config.blunderbuss.reviewer_count,
            Some(DEFAULT_REVIEWER_COUNT)
        );
        assert_eq!(
            config.blunderbuss.wait_for_status,
            Some(ContextMatch {
                context: "tide".into(),
                description: DEFAULT_WAIT_FOR_STATUS_DESCRIPTION.into(),
                state: "pending".into(),
            })
        );
        assert_eq!(config.rifle.reviewer_count, Some(4));
        assert_eq!(config.rifle.wait_for_status, None);
        let re = config
            .blunderbuss
            .wait_for_status
            .unwrap()
            .description_re()
            .unwrap();
        assert!(re.is_match("Not mergeable. Needs approved, lgtm labels."));
        assert!(re.is_match(
            "Not mergeable. PullRequest is missing sufficient approving GitHub review(s)"
        ));
    }

    #[test]
    fn defaults_trigger_join_org_url() {
        let member_url = "https://git.k8s.io/community/community-membership.md#member";
        let cases = [
            (
                "kubernetes",
                "",
                "https://github.com/orgs/kubernetes/people",
            ),
            ("kubernetes", member_url, member_url),
            ("", member_url, member_url),
            ("", "", ""),
        ];
        for (trusted_org, join_org_url, want) in cases {
            let mut config = PluginsConfig {
                triggers: vec![Trigger {
                    trusted_org: trusted_org.into(),
                    join_org_url: join_org_url.into(),
                    ..Trigger::default()
                }],
                ..PluginsConfig::default()
            };
            config.set_defaults();
            assert_eq!(config.triggers[0].trusted_org, trusted_org);
            assert_eq!(config.triggers[0].join_org_url, want);
        }
    }

    #[test]
    fn defaults_cherry_pick() {
        let cases = [
            (
                "",
                "",
                DEFAULT_CHERRY_PICK_BRANCH_REGEXP,
                DEFAULT_CHERRY_PICK_UNAPPROVED_COMMENT,
            ),
            (
                "release-1.1.*$",
                "",
                "release-1.1.*$",
                DEFAULT_CHERRY_PICK_UNAPPROVED_COMMENT,
            ),
            (
                "",
                "custom comment",
                DEFAULT_CHERRY_PICK_BRANCH_REGEXP,
                "custom comment",
            ),
            (
                "release-1.1.*$",
                "custom comment",
                "release-1.1.*$",
                "custom comment",
            ),
        ];
        for (branch_regexp, comment, want_re, want_comment) in cases {
            let mut config = PluginsConfig {
                cherry_pick_unapproved: CherryPickUnapproved {
                    branch_regexp: branch_regexp.into(),
                    comment: comment.into(),
                },
                cherry_pick_approved: vec![
                    CherryPickApproved::default(),
                    CherryPickApproved {
                        branch_regexp: "^rel$".into(),
                        ..CherryPickApproved::default()
                    },
                ],
                ..PluginsConfig::default()
            };
            config.set_defaults();
            assert_eq!(config.cherry_pick_unapproved.branch_regexp, want_re);
            assert_eq!(config.cherry_pick_unapproved.comment, want_comment);
            assert_eq!(
                config.cherry_pick_approved[0].branch_regexp,
                DEFAULT_CHERRY_PICK_BRANCH_REGEXP
            );
            assert_eq!(config.cherry_pick_approved[1].branch_regexp, "^rel$");
        }
        assert_eq!(
            DEFAULT_CHERRY_PICK_UNAPPROVED_COMMENT,
            "This PR is not for the master branch but does not have the `cherry-pick-approved`  label. Adding the `do-not-merge/cherry-pick-not-approved`  label."
        );
    }

    #[test]
    fn defaults_misc_sections() {
        let config = defaulted(
            "require_matching_label:\n- {org: o, regexp: x, missing_label: y, prs: true}\n- {org: o, regexp: x, missing_label: y, prs: true, grace_period: 1m}\nrepo_milestone:\n  '':\n    maintainers_team: t\n  o/r:\n    maintainers_team: u\n    maintainers_friendly_name: U team\nowners: {}\n",
        );
        assert_eq!(config.sig_mention.regexp, DEFAULT_SIGMENTION_REGEXP);
        assert_eq!(
            config.owners.labels_denylist,
            Some(strings(&["approved", "lgtm"]))
        );
        assert_eq!(config.labels_denylist(), vec!["approved", "lgtm"]);
        assert_eq!(
            config.repo_milestone[""].maintainers_friendly_name,
            "SIG Chairs/TLs"
        );
        assert_eq!(
            config.repo_milestone["o/r"].maintainers_friendly_name,
            "U team"
        );
        assert_eq!(
            config.require_matching_label[0].grace_period_duration(),
            Duration::from_secs(5)
        );
        assert_eq!(
            config.require_matching_label[1].grace_period_duration(),
            Duration::from_secs(60)
        );

        // An explicit empty denylist stays empty; an explicit regexp is kept.
        let config = defaulted("owners:\n  labels_denylist: []\nsigmention:\n  regexp: '@x'\n");
        assert_eq!(config.owners.labels_denylist, Some(vec![]));
        assert!(config.labels_denylist().is_empty());
        assert_eq!(config.sig_mention.regexp, "@x");
        let re = SigMention::default().re().unwrap();
        assert_eq!(
            &re.captures("@kubernetes/sig-node-bugs").unwrap()[1],
            "node"
        );
    }

    #[test]
    fn defaults_applied_where_read() {
        let config = PluginsConfig::default();
        assert_eq!(config.size_thresholds(), DEFAULT_SIZES);
        let partial = Size {
            s: 5,
            xxl: 2000,
            ..Size::default()
        };
        assert_eq!(
            partial.effective(),
            Size {
                s: 5,
                m: 30,
                l: 100,
                xl: 500,
                xxl: 2000
            }
        );
        assert_eq!(config.golint.min_confidence(), 0.8);
        assert_eq!(
            Golint {
                minimum_confidence: Some(0.5)
            }
            .min_confidence(),
            0.5
        );
        assert_eq!(
            config.welcome_for("o", "r").message_template_or_default(),
            DEFAULT_WELCOME_MESSAGE
        );
        assert_eq!(
            config
                .trigger_for("o", "r")
                .org_invite
                .prominent
                .effective_merged_pr_threshold(),
            3
        );
        let prominent = ProminentOrgInviteConfig {
            merged_pr_threshold: Some(0),
            ..Default::default()
        };
        assert_eq!(prominent.effective_merged_pr_threshold(), 0);
    }

    #[test]
    fn approve_for_defaults_links() {
        let config = PluginsConfig {
            approve: vec![
                Approve {
                    repos: strings(&["kubernetes/kubernetes", "kubernetes-client"]),
                    ..Approve::default()
                },
                Approve {
                    repos: strings(&["kubernetes-sigs/cluster-api"]),
                    command_help_link: "https://prow.k8s.io/command-help".into(),
                    pr_process_link: "https://example.com/process".into(),
                    ..Approve::default()
                },
            ],
            ..PluginsConfig::default()
        };
        let cases = [
            (
                "kubernetes",
                "kubernetes",
                DEFAULT_COMMAND_HELP_LINK,
                DEFAULT_PR_PROCESS_LINK,
            ),
            (
                "kubernetes-sigs",
                "cluster-api",
                "https://prow.k8s.io/command-help",
                "https://example.com/process",
            ),
            (
                "kubernetes",
                "website",
                DEFAULT_COMMAND_HELP_LINK,
                DEFAULT_PR_PROCESS_LINK,
            ),
        ];
        for (org, repo, help, process) in cases {
            let approve = config.approve_for(org, repo);
            assert_eq!(approve.command_help_link, help, "{org}/{repo}");
            assert_eq!(approve.pr_process_link, process, "{org}/{repo}");
        }
        let approve = config.approve_for("x", "y");
        assert!(approve.has_self_approval());
        assert!(approve.consider_review_state());
        let strict = Approve {
            require_self_approval: Some(true),
            ignore_review_state: Some(true),
            ..Approve::default()
        };
        assert!(!strict.has_self_approval());
        assert!(!strict.consider_review_state());
    }

    // -- lookups -----------------------------------------------------------

    #[test]
    fn repo_entries_win_over_org_entries() {
        let mut config = PluginsConfig {
            triggers: vec![
                Trigger {
                    repos: strings(&["kuber"]),
                    trusted_org: "org1".into(),
                    ..Trigger::default()
                },
                Trigger {
                    repos: strings(&["k8s/k8s", "k8s/kuber"]),
                    trusted_org: "org2".into(),
                    ..Trigger::default()
                },
                Trigger {
                    repos: strings(&["k8s/t-i"]),
                    trusted_org: "org3".into(),
                    ..Trigger::default()
                },
                Trigger {
                    repos: strings(&["kuber/utils"]),
                    trusted_org: "org4".into(),
                    ..Trigger::default()
                },
            ],
            ..PluginsConfig::default()
        };
        config.set_defaults();
        for (org, repo, want) in [
            ("kuber", "kuber", "org1"),
            ("k8s", "t-i", "org3"),
            ("kuber", "utils", "org4"),
            ("other", "other", ""),
        ] {
            assert_eq!(
                config.trigger_for(org, repo).trusted_org,
                want,
                "{org}/{repo}"
            );
        }
        assert_eq!(
            config.trigger_for("kuber", "x").join_org_url,
            "https://github.com/orgs/org1/people"
        );

        let config = parse(
            "lgtm:\n- repos: [org]\n  review_acts_as_lgtm: true\n- repos: [org/special]\n  store_tree_hash: true\nwelcome:\n- repos: [org]\n  message_template: org\n- repos: [org/special]\n  message_template: special\n  always_post: true\ninvalid_commit_msg:\n- repos: [org]\n  checks: [{name: fixupPrefix, disabled: true}]\n",
        );
        assert!(config.lgtm_for("org", "x").review_acts_as_lgtm);
        let special = config.lgtm_for("org", "special");
        assert!(special.store_tree_hash && !special.review_acts_as_lgtm);
        assert_eq!(config.lgtm_for("nope", "x"), Lgtm::default());
        assert_eq!(config.welcome_for("org", "x").message_template, "org");
        assert!(config.welcome_for("org", "special").always_post);
        assert_eq!(config.welcome_for("nope", "x"), Welcome::default());
        assert!(
            config
                .invalid_commit_msg_for("org", "x")
                .is_check_disabled("fixupPrefix")
        );
        assert!(
            !config
                .invalid_commit_msg_for("org", "x")
                .is_check_disabled("issueClosingKeywords")
        );
        assert!(
            !config
                .invalid_commit_msg_for("nope", "x")
                .is_check_disabled("fixupPrefix")
        );
    }

    #[test]
    fn dco_owners_and_override_lookups() {
        let config = parse(
            "dco:\n  '*': {trusted_org: star}\n  org: {trusted_org: org}\n  org/repo: {trusted_org: repo}\nowners:\n  mdyamlrepos: [org/md]\n  skip_collaborators: [skip]\n  filenames:\n    kubernetes: {owners: OWNERS, owners_aliases: OWNERS_ALIASES}\n    kubernetes/test-infra: {owners: .OWNERS, owners_aliases: .OWNERS_ALIASES}\noverride:\n  allow_top_level_owners: true\n  allowed_github_teams:\n    org: [org-team]\n    org/repo: [repo-team]\n",
        );
        assert_eq!(config.dco_for("org", "repo").trusted_org, "repo");
        assert_eq!(config.dco_for("org", "other").trusted_org, "org");
        assert_eq!(config.dco_for("else", "other").trusted_org, "star");
        assert_eq!(PluginsConfig::default().dco_for("a", "b"), Dco::default());

        let filenames = config.owners_filenames("kubernetes", "test-infra");
        assert_eq!(
            (filenames.owners.as_str(), filenames.owners_aliases.as_str()),
            (".OWNERS", ".OWNERS_ALIASES")
        );
        assert_eq!(config.owners_filenames("kubernetes", "").owners, "OWNERS");
        assert_eq!(
            config.owners_filenames("x", "y"),
            OwnersFilenames::defaults()
        );
        assert!(config.mdyaml_enabled("org", "md"));
        assert!(!config.mdyaml_enabled("org", "other"));
        assert!(config.skip_collaborators("skip", "anything"));
        assert!(!config.skip_collaborators("org", "md"));

        assert_eq!(
            config
                .override_config
                .allowed_github_teams_for("org", "repo"),
            vec!["repo-team", "org-team"]
        );
        assert_eq!(
            config.override_config.allowed_github_teams_for("org", "x"),
            vec!["org-team"]
        );
        assert!(
            config
                .override_config
                .allowed_github_teams_for("y", "x")
                .is_empty()
        );
    }

    #[test]
    fn restricted_labels_merge() {
        let label = parse(
            "label:\n  restricted_labels:\n    '*':\n    - label: Test-Label\n      allowed_teams: [team1, team2]\n      allowed_users: [user1, user2]\n      assign_on: [{label: trigger1}]\n    - label: global-only\n      allowed_users: [g]\n    testorg:\n    - label: test-label\n      allowed_teams: [team2, team3]\n      allowed_users: [user2, user3]\n      assign_on: [{label: trigger1}, {label: trigger0}]\n    testorg/testrepo:\n    - label: repo-only\n      allowed_teams: [r]\n",
        )
        .label;
        let got = label.restricted_labels_for("testorg", "testrepo");
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            ["global-only", "repo-only", "test-label"]
        );
        let merged = &got["test-label"];
        assert_eq!(merged.label, "Test-Label");
        assert_eq!(merged.allowed_teams, strings(&["team1", "team2", "team3"]));
        assert_eq!(merged.allowed_users, strings(&["user1", "user2", "user3"]));
        let triggers: Vec<&str> = merged.assign_on.iter().map(|a| a.label.as_str()).collect();
        assert_eq!(triggers, ["trigger0", "trigger1"]);
        // Org config listing only users keeps the global teams.
        let other = label.restricted_labels_for("elsewhere", "r");
        assert_eq!(
            other.keys().collect::<Vec<_>>(),
            ["global-only", "test-label"]
        );
        assert_eq!(
            other["test-label"].allowed_teams,
            strings(&["team1", "team2"])
        );
    }

    #[test]
    fn misc_section_helpers() {
        let config = parse(
            "branch_cleaner:\n  preserved_branches:\n    org: [main]\n    org/repo: ['release-\\d+']\nrepo_milestone:\n  '': {maintainers_team: default-team}\n  o/r: {maintainers_team: r-team}\nmilestone_applier:\n  o/r: {main: v1.0}\nproject_config:\n  project_org_configs:\n    o:\n      org_maintainers_team_id: 1\n      org_default_column_map: {P: To do}\n      project_repo_configs:\n        r:\n          repo_maintainers_team_id: 2\n          repo_default_column_map: {P: Backlog}\nheart:\n  adorees: [a]\n  commentregexp: 'lgtm'\n",
        );
        let cleaner = &config.branch_cleaner;
        assert!(cleaner.is_preserved_branch("org", "repo", "main"));
        assert!(cleaner.is_preserved_branch("org", "repo", "release-12"));
        assert!(cleaner.is_preserved_branch("org", "repo", "my-release-1-fix"));
        assert!(!cleaner.is_preserved_branch("org", "other", "release-1"));
        assert!(!cleaner.is_preserved_branch("x", "repo", "main"));

        assert_eq!(
            config
                .repo_milestone_for("o", "r")
                .unwrap()
                .maintainers_team,
            "r-team"
        );
        assert_eq!(
            config
                .repo_milestone_for("o", "x")
                .unwrap()
                .maintainers_team,
            "default-team"
        );
        assert_eq!(
            config.milestone_applier_for("o", "r").unwrap()["main"],
            "v1.0"
        );
        assert!(config.milestone_applier_for("o", "x").is_none());

        let project = &config.project;
        assert_eq!(project.maintainer_team("o", "r"), Some(2));
        assert_eq!(project.maintainer_team("o", "x"), Some(1));
        assert_eq!(project.maintainer_team("z", "x"), None);
        assert_eq!(project.column_map("o", "r").unwrap()["P"], "Backlog");
        assert_eq!(project.column_map("o", "x").unwrap()["P"], "To do");
        assert_eq!(project.org_column_map("o").unwrap()["P"], "To do");
        assert!(project.column_map("z", "x").is_none());

        let heart = config.heart_regex().unwrap().unwrap();
        assert!(heart.is_match("/lgtm"));
        assert!(PluginsConfig::default().heart_regex().is_none());
    }

    #[test]
    fn config_map_acl() {
        let spec = |allowed: &[&str], denied: &[&str]| ConfigMapSpec {
            allowed_repos: strings(allowed),
            denied_repos: strings(denied),
            ..ConfigMapSpec::default()
        };
        let cases = [
            (spec(&[], &[]), "o/r", true),
            (spec(&["o"], &[]), "o/r", true),
            (spec(&["o/r"], &[]), "o/r", true),
            (spec(&["o/x"], &[]), "o/r", false),
            (spec(&[], &["o"]), "o/r", false),
            (spec(&[], &["o/r"]), "o/r", false),
            (spec(&["o"], &["o/r"]), "o/r", false),
            (spec(&["o"], &["o/r"]), "o/s", true),
        ];
        for (spec, repo, want) in cases {
            assert_eq!(spec.is_allowed(repo), want, "{spec:?} {repo}");
        }
    }

    #[test]
    fn require_matching_label_describe() {
        let rml = RequireMatchingLabel {
            org: "o".into(),
            repo: "r".into(),
            branch: "main".into(),
            prs: true,
            issues: true,
            regexp: "^kind/".into(),
            missing_label: "needs-kind".into(),
            missing_comment: "c".into(),
            grace_period: None,
        };
        assert_eq!(
            rml.describe(),
            "Applies the 'needs-kind' label and comments on Issues and 'main' branch PRs in the 'o/r' GitHub repo that have no labels matching the regular expression '^kind/'."
        );
        let org_only = RequireMatchingLabel {
            repo: String::new(),
            branch: String::new(),
            issues: false,
            missing_comment: String::new(),
            ..rml
        };
        assert_eq!(
            org_only.describe(),
            "Applies the 'needs-kind' label to PRs in the 'o' GitHub org that have no labels matching the regular expression '^kind/'."
        );
    }

    // -- validation --------------------------------------------------------

    fn validate_yaml(text: &str) -> Vec<String> {
        let mut config = parse(text);
        config.set_defaults();
        messages(&config.validate())
    }

    #[test]
    fn validate_plugin_dupes() {
        let cases: [(&str, PluginsConfig, &[&str]); 3] = [
            (
                "no dupes",
                with_plugins(&[
                    ("org", org_plugins(&["approve", "lgtm"], &[])),
                    ("org/repo", org_plugins(&["woof"], &[])),
                    ("org/another-repo", org_plugins(&["assign"], &[])),
                    (
                        "another-org",
                        org_plugins(&["approve", "assign", "woof"], &[]),
                    ),
                ]),
                &[],
            ),
            (
                "dupes found",
                with_plugins(&[
                    ("org", org_plugins(&["approve", "lgtm"], &[])),
                    ("org/repo", org_plugins(&["approve", "woof", "lgtm"], &[])),
                ]),
                &["plugins: plugins [approve lgtm] are duplicated for repo and org"],
            ),
            (
                "no dupes due to excluded repo",
                with_plugins(&[
                    ("org", org_plugins(&["approve", "lgtm"], &["repo"])),
                    ("org/repo", org_plugins(&["approve", "woof"], &[])),
                ]),
                &[],
            ),
        ];
        for (name, config, want) in cases {
            assert_eq!(messages(&config.validate()), want.to_vec(), "{name}");
        }
    }

    #[test]
    fn validate_external_plugin_dupes() {
        let valid = "external_plugins:\n  kubernetes/test-infra: [{name: cherrypick}, {name: configupdater}, {name: tetris}]\n  kubernetes: [{name: coffeemachine}, {name: blender}]\n";
        assert!(validate_yaml(valid).is_empty());
        let invalid = "external_plugins:\n  kubernetes/test-infra: [{name: cherrypick}, {name: configupdater}, {name: tetris}]\n  kubernetes: [{name: coffeemachine}, {name: tetris}]\n";
        assert_eq!(
            validate_yaml(invalid),
            [
                "external_plugins: external plugins [tetris] are duplicated for kubernetes/test-infra and kubernetes"
            ]
        );
    }

    #[test]
    fn validate_reviewer_plugins() {
        assert_eq!(
            validate_yaml("blunderbuss:\n  request_count: 0\nrifle:\n  request_count: -1\n"),
            [
                "blunderbuss: invalid request_count: 0 (needs to be positive)",
                "rifle: invalid request_count: -1 (needs to be positive)",
            ]
        );
        let errors =
            validate_yaml("blunderbuss:\n  wait_for_status:\n    description: '(unclosed'\n");
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].starts_with("blunderbuss: failed to compile blunderbuss wait for context description regular expression: \"(unclosed\", error: "),
            "{errors:?}"
        );
    }

    #[test]
    fn validate_mutually_exclusive_plugins() {
        let cases: [(&str, PluginsConfig, &[&str]); 6] = [
            (
                "no conflict",
                with_plugins(&[
                    ("org", org_plugins(&["approve", "blunderbuss"], &[])),
                    ("org/repo", org_plugins(&["lgtm"], &[])),
                ]),
                &[],
            ),
            (
                "both in same entry",
                with_plugins(&[("org", org_plugins(&["blunderbuss", "rifle"], &[]))]),
                &["plugins: org: blunderbuss and rifle plugins are mutually exclusive"],
            ),
            (
                "org has blunderbuss, repo has rifle",
                with_plugins(&[
                    ("org", org_plugins(&["blunderbuss"], &[])),
                    ("org/repo", org_plugins(&["rifle"], &[])),
                ]),
                &[
                    "plugins: org/repo: blunderbuss and rifle plugins are mutually exclusive (conflict between org and org/repo config)",
                ],
            ),
            (
                "org has rifle, repo has blunderbuss",
                with_plugins(&[
                    ("org", org_plugins(&["rifle"], &[])),
                    ("org/repo", org_plugins(&["blunderbuss"], &[])),
                ]),
                &[
                    "plugins: org/repo: blunderbuss and rifle plugins are mutually exclusive (conflict between org and org/repo config)",
                ],
            ),
            (
                "no conflict when repo is excluded",
                with_plugins(&[
                    ("org", org_plugins(&["blunderbuss"], &["repo"])),
                    ("org/repo", org_plugins(&["rifle"], &[])),
                ]),
                &[],
            ),
            (
                "separate orgs no conflict",
                with_plugins(&[
                    ("org-a", org_plugins(&["blunderbuss"], &[])),
                    ("org-b", org_plugins(&["rifle"], &[])),
                ]),
                &[],
            ),
        ];
        for (name, config, want) in cases {
            assert_eq!(messages(&config.validate()), want.to_vec(), "{name}");
        }
    }

    #[test]
    fn validate_config_updater() {
        let cases: [(&str, &str, &[&str]); 7] = [
            (
                "same key of different cms in different ns",
                "config_updater:\n  maps:\n    core-services/prow/02_config/_plugins.yaml: {name: plugins, key: plugins.yaml, clusters: {first: [some-namespace]}}\n    somewhere/else/plugins.yaml: {name: plugins, key: plugins.yaml, clusters: {first: [other-namespace]}}\n",
                &[],
            ),
            (
                "same key of a cm in the same ns",
                "config_updater:\n  maps:\n    core-services/prow/02_config/_plugins.yaml: {name: plugins, key: plugins.yaml, clusters: {first: [some-namespace]}}\n    somewhere/else/plugins.yaml: {name: plugins, key: plugins.yaml, clusters: {first: [some-namespace]}}\n",
                &[
                    "config_updater: key plugins.yaml in configmap plugins updated with more than one file",
                ],
            ),
            (
                "same base name without explicit key",
                "config_updater:\n  maps:\n    a/plugins.yaml: {name: plugins}\n    b/plugins.yaml: {name: plugins}\n",
                &[
                    "config_updater: key plugins.yaml in configmap plugins updated with more than one file",
                ],
            ),
            (
                "same key of a cm in the same ns different clusters",
                "config_updater:\n  maps:\n    core-services/prow/02_config/_plugins.yaml: {name: plugins, key: plugins.yaml, clusters: {first: [some-namespace]}}\n    somewhere/else/plugins.yaml: {name: plugins, key: plugins.yaml, clusters: {other: [some-namespace]}}\n",
                &[],
            ),
            (
                "name and partitioned_names",
                "config_updater:\n  maps:\n    a.yaml: {name: a, partitioned_names: [b, c]}\n",
                &[
                    "config_updater: 'name' and 'partitioned_names' are mutually exclusive in the config_updater plugin configuration",
                ],
            ),
            (
                "both clusters and cluster_groups",
                "config_updater:\n  maps:\n    map: {name: m, clusters: {cluster: [ns]}, cluster_groups: [group]}\n",
                &["config_updater: item maps.map contains both clusters and cluster_groups"],
            ),
            (
                "inexistent cluster group",
                "config_updater:\n  maps:\n    map: {name: m, cluster_groups: [group]}\n",
                &[
                    "config_updater: item maps.map.cluster_groups.0 references inexistent cluster group named group",
                ],
            ),
        ];
        for (name, yaml, want) in cases {
            assert_eq!(validate_yaml(yaml), want.to_vec(), "{name}");
        }
        let too_many: Vec<String> = (0..=MAX_PARTITIONED_NAMES)
            .map(|i| format!("p{i}"))
            .collect();
        let config = PluginsConfig {
            config_updater: ConfigUpdater {
                maps: [(
                    "dir/".to_string(),
                    ConfigMapSpec {
                        partitioned_names: too_many,
                        ..ConfigMapSpec::default()
                    },
                )]
                .into(),
                ..ConfigUpdater::default()
            },
            ..PluginsConfig::default()
        };
        assert_eq!(
            messages(&config.validate()),
            [
                "config_updater: the PartitionedNames field in config_updater plugin config currently supports a maximum of 256 partitions, but you have 257 defined"
            ]
        );
    }

    #[test]
    fn config_updater_resolve() {
        let mut updater = parse(
            "config_updater:\n  cluster_groups:\n    some-group: {clusters: [cluster-a], namespaces: [namespace-a]}\n    another-group: {clusters: [cluster-b, cluster-a], namespaces: [namespace-b]}\n  maps:\n    map: {name: name, key: key, gzip: true, cluster_groups: [some-group, another-group]}\n",
        )
        .config_updater;
        updater.resolve().expect("resolves");
        assert!(updater.cluster_groups.is_empty());
        let spec = &updater.maps["map"];
        assert_eq!(
            (spec.name.as_str(), spec.key.as_str(), spec.gzip),
            ("name", "key", Some(true))
        );
        assert!(spec.cluster_groups.is_empty());
        assert_eq!(
            spec.clusters["cluster-a"],
            strings(&["namespace-a", "namespace-b"])
        );
        assert_eq!(spec.clusters["cluster-b"], strings(&["namespace-b"]));

        let mut broken =
            parse("config_updater:\n  maps:\n    map: {cluster_groups: [group]}\n").config_updater;
        let errors = broken.resolve().unwrap_err();
        assert_eq!(
            messages(&errors),
            [
                "config_updater: item maps.map.cluster_groups.0 references inexistent cluster group named group"
            ]
        );
    }

    #[test]
    fn validate_size() {
        assert!(validate_yaml("size: {s: 10, m: 30, l: 100, xl: 500, xxl: 1000}").is_empty());
        assert!(validate_yaml("size: {s: 10, m: 10, l: 10, xl: 10, xxl: 10}").is_empty());
        assert!(validate_yaml("{}").is_empty());
        assert_eq!(
            validate_yaml("size: {s: 10, m: 5, l: 100, xl: 500, xxl: 1000}"),
            [
                "size: invalid size plugin configuration - one of the smaller sizes is bigger than a larger one: s=10, m=5, l=100, xl=500, xxl=1000"
            ]
        );
        // Upstream checks the configured values, so a partial config fails.
        assert_eq!(validate_yaml("size: {m: 5}").len(), 1);
    }

    #[test]
    fn validate_require_matching_label() {
        let prefix = "require_matching_label: error validating require_matching_label config #0: ";
        let cases = [
            (
                "{regexp: x, missing_label: y, prs: true}",
                "must specify 'org'",
            ),
            (
                "{org: o, repo: o/r, regexp: x, missing_label: y, prs: true}",
                "'repo' may not contain '/'; specify the organization with 'org'",
            ),
            (
                "{org: o, missing_label: y, prs: true}",
                "must specify 'regexp'",
            ),
            (
                "{org: o, regexp: x, prs: true}",
                "must specify 'missing_label'",
            ),
            (
                "{org: o, regexp: x, missing_label: y}",
                "must specify 'prs: true' and/or 'issues: true'",
            ),
            (
                "{org: o, regexp: x, missing_label: y, issues: true, branch: main}",
                "branch cannot be specified without `prs: true'",
            ),
            (
                "{org: o, regexp: '^needs', missing_label: needs-kind, prs: true}",
                "'regexp' must not match 'missing_label'",
            ),
        ];
        for (entry, want) in cases {
            assert_eq!(
                validate_yaml(&format!("require_matching_label:\n- {entry}\n")),
                [format!("{prefix}{want}")],
                "{entry}"
            );
        }
        // Without defaulting the grace period is required.
        let config =
            parse("require_matching_label:\n- {org: o, regexp: x, missing_label: y, prs: true}\n");
        assert_eq!(
            messages(&config.validate()),
            [format!("{prefix}must specify 'grace_period'")]
        );
        let errors = validate_yaml(
            "require_matching_label:\n- {org: o, regexp: '(', missing_label: y, prs: true}\n",
        );
        assert!(
            errors[0].starts_with(
                "require_matching_label: failed to compile label regexp: \"(\", error: "
            ),
            "{errors:?}"
        );
        assert!(validate_yaml("require_matching_label:\n- {org: o, repo: r, regexp: ^kind/, missing_label: needs-kind, prs: true, branch: main, grace_period: 10s}\n").is_empty());
        assert!(
            PluginsConfig::from_yaml("require_matching_label:\n- {grace_period: soon}\n").is_err()
        );
    }

    #[test]
    fn validate_project_manager() {
        let prefix = "project_manager: Org/repo: o/r";
        let cases = [
            ("o/r: {}", format!("{prefix}, has no projects configured")),
            (
                "o/r: {projects: {p: {}}}",
                format!("{prefix}, project p, has no columns configured"),
            ),
            (
                "o/r: {projects: {p: {columns: [{state: open, labels: [a, b], org: o}]}}}",
                format!(
                    "{prefix}, project p, column {{<nil>  open [a b] o}}, has no name/id configured"
                ),
            ),
            (
                "o/r: {projects: {p: {columns: [{name: c, org: o}]}}}",
                format!("{prefix}, project p, column c, has no labels configured"),
            ),
            (
                "o/r: {projects: {p: {columns: [{id: 3, labels: [a]}]}}}",
                format!("{prefix}, project p, column , has no org configured"),
            ),
            (
                "o/r: {projects: {p: {columns: [{name: c1, labels: [a, b], org: o}, {name: c2, labels: [b, a], org: o}]}}}",
                format!(
                    "{prefix}, project p, column c2 has same labels configured as another column"
                ),
            ),
        ];
        for (entry, want) in cases {
            assert_eq!(
                validate_yaml(&format!("project_manager:\n  orgsRepos:\n    {entry}\n")),
                [want],
                "{entry}"
            );
        }
        assert!(validate_yaml("project_manager:\n  orgsRepos:\n    o/r: {projects: {p: {columns: [{id: 1, labels: [a], org: o}, {name: c, labels: [b], org: o}]}}}\n").is_empty());
    }

    #[test]
    fn validate_repo_duplicates() {
        assert_eq!(
            validate_yaml(
                "approve:\n- repos: [org, org/repo]\n- repos: [org/repo, org]\nwelcome:\n- repos: [o/r]\n- repos: [o/r]\ninvalid_commit_msg:\n- repos: [k]\n- repos: [k]\n"
            ),
            [
                "approve: The repo \"org/repo\" is duplicated in the 'approve' plugin configuration.",
                "approve: The org \"org\" is duplicated in the 'approve' plugin configuration.",
                "welcome: The repo \"o/r\" is duplicated in the 'welcome' plugin configuration.",
                "invalid_commit_msg: The org \"k\" is duplicated in the 'invalidcommitmsg' plugin configuration.",
            ]
        );
        // lgtm and triggers are not checked upstream.
        assert!(
            validate_yaml(
                "lgtm:\n- repos: [o]\n- repos: [o]\ntriggers:\n- repos: [o]\n- repos: [o]\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn validate_invalid_commit_msg() {
        assert_eq!(
            validate_yaml(
                "invalid_commit_msg:\n- repos: ['  ']\n  checks: [{name: fixupPrefix}, {name: ''}, {name: bogus}]\n"
            ),
            [
                "invalid_commit_msg: error validating invalid_commit_msg config #0: repo \"  \" must be of form org or org/repo",
                "invalid_commit_msg: error validating invalid_commit_msg config #0 check #1: check name cannot be empty",
                "invalid_commit_msg: error validating invalid_commit_msg config #0 check #2: unknown check name \"bogus\" (valid: [fixupPrefix issueClosingKeywords])",
            ]
        );
    }

    #[test]
    fn validate_label() {
        assert_eq!(
            validate_yaml(
                "label:\n  additional_labels: [api-review, refactor]\n  restricted_labels:\n    o/r: [{label: api-review}, {label: ''}]\n    o: [{label: api-review}]\n    '*': [{label: ''}, {label: fine}]\n"
            ),
            [
                "label: the following orgs or repos have configuration of label plugin using the restricted label api-review which is also configured as an additional label: o, o/r",
                "label: the following orgs or repos have configuration of label plugin using the empty string as label name in restricted labels: *, o/r",
            ]
        );
    }

    #[test]
    fn validate_regexps() {
        let errors = validate_yaml(
            "sigmention: {regexp: '('}\ncherry_pick_unapproved: {branchregexp: '['}\ncherry_pick_approved:\n- {org: o, branchregexp: '+'}\nblockades:\n- {repos: [o], branchregexp: '(?'}\n- {repos: [o], branchregexp: '^release-'}\nheart: {commentregexp: ')'}\n",
        );
        let prefixes = [
            "sigmention: failed to compile regexp: \"(\", error: ",
            "cherry_pick_unapproved: failed to compile branchregexp: \"[\", error: ",
            "cherry_pick_approved: failed to compile branchregexp of config #0: \"+\", error: ",
            "blockades: failed to compile blockade branchregexp: \"(?\", error: ",
            "heart: failed to compile commentregexp: \")\", error: ",
        ];
        assert_eq!(errors.len(), prefixes.len(), "{errors:?}");
        for (error, prefix) in errors.iter().zip(prefixes) {
            assert!(error.starts_with(prefix), "{error} vs {prefix}");
        }
    }

    #[test]
    fn validate_known_plugins_and_warnings() {
        let config = parse(
            "plugins:\n  org: [lgtm, bogus]\n  org/repo:\n    plugins: [approve]\ntriggers:\n- {repos: [org], trusted_org: org}\nrepo_milestone:\n  '': {maintainers_id: 12}\n",
        );
        assert_eq!(
            messages(&config.validate_known_plugins(&["lgtm", "approve"])),
            ["plugins: unknown plugin: bogus"]
        );
        assert_eq!(
            config.warnings(),
            [
                DEPRECATED_PLUGINS_FORM_WARNING,
                "trusted_org functionality is deprecated. Please ensure your configuration is updated before the end of December 2019.",
                "deprecated field: maintainers_id is configured for repo_milestone, maintainers_team should be used instead",
            ]
        );
        assert_eq!(
            PluginsConfig::default().warnings(),
            ["no plugins specified-- check syntax?"]
        );
        let config =
            parse("plugins:\n  org:\n    plugins: [lgtm]\n    excluded_repos: [org/repo, repo]\n");
        assert_eq!(
            config.warnings(),
            [
                "plugins.org.excluded_repos: \"org/repo\" contains '/', but excluded_repos lists bare repo names, so it excludes nothing"
            ]
        );
    }

    #[test]
    fn load_reports_parse_and_validation_errors() {
        match PluginsConfig::load("size: [") {
            Err(LoadError::Parse(_)) => {}
            other => panic!("expected a parse error, got {other:?}"),
        }
        let err = PluginsConfig::load("blunderbuss: {request_count: 0}\nsize: {s: 2, m: 1}\n")
            .unwrap_err();
        let LoadError::Invalid(errors) = &err else {
            panic!("expected validation errors, got {err:?}");
        };
        assert_eq!(errors.len(), 2);
        assert!(err.to_string().starts_with(
            "invalid plugins configuration:\n\tblunderbuss: invalid request_count: 0"
        ));
    }

    // -- fixture covering every section ----------------------------------

    const FIXTURE: &str = r#"
plugins:
  acme:
    excluded_repos: [legacy]
    plugins: [approve, lgtm, trigger, size, label, help, welcome, blunderbuss, heart, hold]
  acme/web:
    plugins: [blockade, milestone, milestonestatus, project, override, dco, cherry-pick-approved, cherry-pick-unapproved, require-matching-label, retitle, sigmention, config-updater]
  acme/legacy: [trigger]
external_plugins:
  acme:
  - name: needs-rebase
    events: [pull_request]
  acme/web:
  - name: cherrypicker
    endpoint: http://cherrypicker:8080
    events: [issue_comment, pull_request]
owners:
  mdyamlrepos: [acme/docs]
  skip_collaborators: [acme/web]
  labels_denylist: [approved]
  filenames:
    acme/web: {owners: .OWNERS, owners_aliases: .OWNERS_ALIASES}
approve:
- repos: [acme]
  require_self_approval: false
- repos: [acme/web]
  issue_required: true
  require_self_approval: true
  lgtm_acts_as_approve: true
  ignore_review_state: true
  commandHelpLink: https://prow.acme.dev/command-help
  pr_process_link: https://acme.dev/process
blockades:
- repos: [acme/web]
  branchregexp: ^release-
  blockregexps: [^vendor/]
  exceptionregexps: [^vendor/README.md$]
  explanation: vendor is read-only
blunderbuss:
  max_request_count: 3
  request_count: 1
  exclude_approvers: true
  use_status_availability: true
  ignore_drafts: true
  ignore_authors: [acme-bot]
  wait_for_status:
    context: tide
rifle:
  request_count: 2
bugzilla:
  default:
    '*':
      is_open: true
      target_release: v1
branch_cleaner:
  preserved_branches:
    acme: [main]
    acme/web: [gh-pages]
cat:
  key_path: /etc/cat/key
goose:
  key_path: /etc/goose/key
golint:
  minimum_confidence: 0.9
heart:
  adorees: [alice]
  commentregexp: (?i)thanks
cherry_pick_approved:
- org: acme
  repo: web
  approvers: [rm1, rm2]
  allow_missing_approved_label: true
  allow_missing_lgtm_label: true
cherry_pick_unapproved:
  branchregexp: ^stable-.*$
  comment: Needs cherry-pick approval.
config_updater:
  gzip: true
  cluster_groups:
    build: {clusters: [b1, b2], namespaces: [test-pods]}
  maps:
    prow/config.yaml:
      name: config
      clusters: {default: [prow]}
    prow/jobs/**/*.yaml:
      name: job-config
      gzip: false
      use_full_path_as_key: true
      cluster_groups: [build]
      allowed_repos: [acme/web]
      denied_repos: [acme/legacy]
    prow/sharded/*.yaml:
      partitioned_names: [shard-a, shard-b]
dco:
  acme/web:
    skip_dco_check_for_members: true
    skip_dco_check_for_collaborators: true
    trusted_apps: [dependabot]
    trusted_org: acme
    contributing_repo: acme/community
    contributing_branch: main
    contributing_path: docs/CONTRIBUTING.md
label:
  additional_labels: [tide/merge-method-squash]
  restricted_labels:
    acme/web:
    - label: security
      allowed_teams: [security]
      allowed_users: [alice]
      assign_on: [{label: needs-security-review}]
lgtm:
- repos: [acme]
  review_acts_as_lgtm: true
- repos: [acme/web]
  store_tree_hash: true
  trusted_team_for_sticky_lgtm: core
jira:
  disabled_jira_projects: [enterprise]
milestone_applier:
  acme/web:
    main: v2.0
    release-1.9: 1.9
release_note:
  guidelines_url: https://acme.dev/release-notes
repo_milestone:
  '':
    maintainers_team: milestone-maintainers
  acme/web:
    maintainers_team: web-maintainers
    maintainers_friendly_name: Web Maintainers
project_config:
  project_org_configs:
    acme:
      org_maintainers_team_id: 7
      org_default_column_map: {Roadmap: To do}
      project_repo_configs:
        web:
          repo_maintainers_team_id: 8
          repo_default_column_map: {Roadmap: Backlog}
project_manager:
  orgsRepos:
    acme/web:
      projects:
        Roadmap:
          columns:
          - {id: 1, state: open, labels: [kind/feature], org: acme}
require_matching_label:
- org: acme
  repo: web
  prs: true
  regexp: ^kind/
  missing_label: needs-kind
  missing_comment: Please add a kind label.
  grace_period: 30s
retitle:
  allow_closed_issues: true
slack:
  mentionchannels: [acme-dev]
  mergewarnings:
  - repos: [acme/web]
    channels: [web-ops]
    exempt_users: [acme-bot]
    exempt_branches:
      gh-pages: [docs-bot]
sigmention:
  regexp: (?m)@acme/team-([\w-]*)
size:
  s: 5
  m: 20
  l: 50
  xl: 200
  xxl: 800
triggers:
- repos: [acme]
  trusted_apps: [dependabot]
  join_org_url: https://acme.dev/join
  only_org_members: true
  ignore_ok_to_test: true
  trigger_github_workflows: true
  org_invite:
    prominent:
      merged_pr_threshold: 5
      message: Join us at {join_org_url}
- repos: [acme/web]
  trusted_org: acme-trusted
welcome:
- repos: [acme]
  message_template: Welcome @{{.AuthorLogin}}!
  always_post: true
override:
  allow_top_level_owners: true
  allowed_github_teams:
    acme/web: [release-managers]
help:
  help_guidelines_url: https://acme.dev/help
  help_guidelines_summary: Explain why.
invalid_commit_msg:
- repos: [acme/web]
  checks:
  - name: fixupPrefix
    disabled: true
  - name: issueClosingKeywords
"#;

    #[test]
    fn fixture_covers_every_section() {
        let config = PluginsConfig::load(FIXTURE).expect("fixture is valid");
        assert_eq!(config.plugin_entries(), 3);
        assert_eq!(config.plugins["acme/legacy"].form, PluginsForm::List);
        assert_eq!(config.plugins_for("acme", "legacy"), ["trigger"]);
        assert_eq!(config.plugins_for("acme", "web").len(), 22);
        let names: Vec<&str> = config
            .external_plugins_for_event("acme", "web", "pull_request")
            .iter()
            .map(|p| p.endpoint.as_str())
            .collect();
        assert_eq!(names, ["http://needs-rebase", "http://cherrypicker:8080"]);

        assert!(config.mdyaml_enabled("acme", "docs"));
        assert!(config.skip_collaborators("acme", "web"));
        assert_eq!(config.labels_denylist(), ["approved"]);
        assert_eq!(config.owners_filenames("acme", "web").owners, ".OWNERS");

        let approve = config.approve_for("acme", "web");
        assert!(approve.issue_required && approve.lgtm_acts_as_approve);
        assert!(!approve.has_self_approval() && !approve.consider_review_state());
        assert_eq!(
            approve.command_help_link,
            "https://prow.acme.dev/command-help"
        );
        assert!(config.approve_for("acme", "api").has_self_approval());

        let blockade = &config.blockades[0];
        assert!(
            blockade
                .branch_re()
                .unwrap()
                .unwrap()
                .is_match("release-1.0")
        );
        assert_eq!(blockade.exception_regexps, ["^vendor/README.md$"]);

        let bb = &config.blunderbuss;
        assert_eq!((bb.reviewer_count, bb.max_reviewer_count), (Some(1), 3));
        assert!(bb.exclude_approvers && bb.use_status_availability && bb.ignore_drafts);
        assert_eq!(bb.wait_for_status.as_ref().unwrap().state, "pending");
        assert_eq!(config.rifle.reviewer_count, Some(2));
        assert_eq!(
            config.bugzilla.as_ref().unwrap()["default"]["*"]["target_release"],
            "v1"
        );
        assert!(
            config
                .branch_cleaner
                .is_preserved_branch("acme", "web", "gh-pages")
        );
        assert_eq!(config.cat.key_path, "/etc/cat/key");
        assert_eq!(config.goose.key_path, "/etc/goose/key");
        assert_eq!(config.golint.min_confidence(), 0.9);
        assert!(config.heart_regex().unwrap().unwrap().is_match("Thanks!"));

        let cpa = &config.cherry_pick_approved[0];
        assert_eq!(cpa.branch_regexp, DEFAULT_CHERRY_PICK_BRANCH_REGEXP);
        assert!(cpa.allow_missing_approved_label && cpa.allow_missing_lgtm_label);
        assert!(
            config
                .cherry_pick_unapproved
                .branch_re()
                .unwrap()
                .is_match("stable-2")
        );

        let cu = &config.config_updater;
        assert!(cu.gzip);
        assert_eq!(cu.maps["prow/jobs/**/*.yaml"].gzip, Some(false));
        assert!(cu.maps["prow/jobs/**/*.yaml"].is_allowed("acme/web"));
        assert!(!cu.maps["prow/jobs/**/*.yaml"].is_allowed("acme/legacy"));
        assert_eq!(cu.maps["prow/sharded/*.yaml"].clusters["default"], [""]);
        let mut resolved = cu.clone();
        resolved.resolve().unwrap();
        let jobs = &resolved.maps["prow/jobs/**/*.yaml"];
        assert_eq!(jobs.clusters["b2"], ["test-pods"]);
        assert!(jobs.cluster_groups.is_empty() && jobs.use_full_path_as_key);
        assert_eq!(jobs.allowed_repos, ["acme/web"]);

        let dco = config.dco_for("acme", "web");
        assert!(dco.skip_dco_check_for_members && dco.skip_dco_check_for_collaborators);
        assert_eq!(dco.contributing_path, "docs/CONTRIBUTING.md");
        assert_eq!(
            config.restricted_labels_for("acme", "web")["security"].assign_on,
            [AssignOnLabel {
                label: "needs-security-review".into()
            }]
        );
        assert_eq!(config.lgtm_for("acme", "web").sticky_lgtm_team, "core");
        assert!(config.lgtm_for("acme", "api").review_acts_as_lgtm);
        assert_eq!(
            config.jira.as_ref().unwrap().disabled_jira_projects,
            ["enterprise"]
        );
        let applier = config.milestone_applier_for("acme", "web").unwrap();
        assert_eq!(applier["release-1.9"], "1.9");
        assert_eq!(
            config.release_note.guidelines_url,
            "https://acme.dev/release-notes"
        );
        assert_eq!(
            config
                .repo_milestone_for("acme", "api")
                .unwrap()
                .maintainers_friendly_name,
            "SIG Chairs/TLs"
        );
        assert_eq!(config.project.maintainer_team("acme", "web"), Some(8));
        assert_eq!(
            config.project_manager.org_repos["acme/web"].projects["Roadmap"].columns[0].id,
            Some(1)
        );
        let rml = &config.require_matching_label[0];
        assert_eq!(rml.grace_period_duration(), Duration::from_secs(30));
        assert!(config.retitle.allow_closed_issues);
        assert_eq!(
            config.slack.merge_warnings[0].exempt_branches["gh-pages"],
            ["docs-bot"]
        );
        assert_eq!(config.slack.mention_channels, ["acme-dev"]);
        assert!(config.sig_mention.re().unwrap().is_match("@acme/team-web"));
        assert_eq!(
            config.size_thresholds(),
            Size {
                s: 5,
                m: 20,
                l: 50,
                xl: 200,
                xxl: 800
            }
        );

        let trigger = config.trigger_for("acme", "api");
        assert!(
            trigger.only_org_members
                && trigger.ignore_ok_to_test
                && trigger.trigger_github_workflows
        );
        assert_eq!(
            trigger.org_invite.prominent.effective_merged_pr_threshold(),
            5
        );
        assert_eq!(
            config.trigger_for("acme", "web").join_org_url,
            "https://github.com/orgs/acme-trusted/people"
        );
        assert!(config.welcome_for("acme", "web").always_post);
        assert!(config.override_config.allow_top_level_owners);
        assert_eq!(config.help.help_guidelines_summary, "Explain why.");
        assert!(
            config
                .invalid_commit_msg_for("acme", "web")
                .is_check_disabled("fixupPrefix")
        );
        assert_eq!(
            config.warnings(),
            [
                DEPRECATED_PLUGINS_FORM_WARNING,
                "trusted_org functionality is deprecated. Please ensure your configuration is updated before the end of December 2019."
            ]
        );
    }

    #[test]
    fn fixture_round_trips_through_serialization() {
        let config = PluginsConfig::load(FIXTURE).expect("fixture is valid");
        let value = serde_json::to_value(&config).unwrap();
        assert_eq!(
            value["plugins"]["acme/legacy"],
            serde_json::json!(["trigger"])
        );
        assert_eq!(
            value["plugins"]["acme"]["excluded_repos"],
            serde_json::json!(["legacy"])
        );
        assert_eq!(value["override"]["allow_top_level_owners"], true);
        assert_eq!(
            value["approve"][1]["commandHelpLink"],
            "https://prow.acme.dev/command-help"
        );
        let back: PluginsConfig = serde_json::from_value(value).unwrap();
        assert_eq!(back, config);
        assert_eq!(back.plugins["acme/legacy"].form, PluginsForm::List);
        // Empty sections are left out entirely.
        assert_eq!(
            serde_json::to_value(PluginsConfig::default()).unwrap(),
            serde_json::json!({})
        );
    }

    // -- the Kubernetes project's real file --------------------------------

    #[test]
    fn kubernetes_plugins_yaml() {
        let Ok(text) = std::fs::read_to_string(REAL_PLUGINS_YAML) else {
            eprintln!("note: {REAL_PLUGINS_YAML} not found; skipping the real plugins.yaml test");
            return;
        };
        let config = PluginsConfig::load(&text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.plugin_entries(), 82);
        let orgs = config.plugins.keys().filter(|k| !k.contains('/')).count();
        assert_eq!(orgs, 5);
        assert!(config.warnings().is_empty(), "{:?}", config.warnings());

        let k8s = config.plugins_for("kubernetes", "kubernetes");
        assert_eq!(k8s.len(), 32 + 9);
        assert_eq!(k8s[..3], ["approve", "assign", "blunderbuss"]);
        assert_eq!(
            k8s[32..],
            [
                "blockade",
                "cherry-pick-approved",
                "cherry-pick-unapproved",
                "mergecommitblocker",
                "milestone",
                "milestonestatus",
                "override",
                "release-note",
                "require-matching-label",
            ]
        );
        let kind = config.plugins_for("kubernetes-sigs", "kind");
        assert_eq!(kind.last(), Some(&"override"));
        assert_eq!(kind.len(), 28 + 1);
        assert_eq!(
            config.plugins_for("containerd", "containerd"),
            [
                "assign",
                "trigger",
                "label",
                "mergecommitblocker",
                "size",
                "skip",
                "wip",
            ]
        );
        assert_eq!(config.plugins_for("etcd-io", "etcd").len(), 15);
        assert!(config.plugins_for("nobody", "nothing").is_empty());

        let approve = config.approve_for("kubernetes", "kubernetes");
        assert_eq!(
            approve.repos[..2],
            ["kubernetes/enhancements", "kubernetes/kubernetes"]
        );
        assert_eq!(approve.require_self_approval, Some(false));
        assert!(!approve.lgtm_acts_as_approve);
        assert_eq!(approve.command_help_link, DEFAULT_COMMAND_HELP_LINK);
        let capi = config.approve_for("kubernetes-sigs", "cluster-api");
        assert_eq!(capi.require_self_approval, Some(true));
        assert_eq!(capi.ignore_review_state, Some(true));
        let sigs_default = config.approve_for("kubernetes-sigs", "some-new-repo");
        assert_eq!(
            sigs_default.repos.last().map(String::as_str),
            Some("kubernetes-sigs")
        );

        let lgtm = config.lgtm_for("kubernetes", "kubernetes");
        assert!(lgtm.store_tree_hash && !lgtm.review_acts_as_lgtm);
        assert!(
            config
                .lgtm_for("kubernetes-sigs", "kind")
                .review_acts_as_lgtm
        );
        assert_eq!(
            config.lgtm_for("kubernetes-sigs", "some-new-repo"),
            Lgtm::default()
        );

        let trigger = config.trigger_for("kubernetes", "kubernetes");
        assert!(trigger.only_org_members && !trigger.trigger_github_workflows);
        assert_eq!(
            trigger.join_org_url,
            "https://git.k8s.io/community/community-membership.md#member"
        );
        let capi_trigger = config.trigger_for("kubernetes-sigs", "cluster-api");
        assert!(capi_trigger.trigger_github_workflows);
        assert_eq!(capi_trigger.repos[0], "kubernetes-sigs/cluster-api");
        assert!(!config.trigger_for("google", "cadvisor").only_org_members);

        let external: Vec<(&str, &str)> = config
            .external_plugins_for("kubernetes-sigs", "cluster-api")
            .iter()
            .map(|p| (p.name.as_str(), p.endpoint.as_str()))
            .collect();
        assert_eq!(
            external,
            [
                ("needs-rebase", "http://needs-rebase"),
                ("cherrypicker", "http://cherrypicker")
            ]
        );

        assert_eq!(config.size_thresholds(), DEFAULT_SIZES);
        assert_eq!(config.welcome_for("kubernetes-sigs", "kind").repos.len(), 4);
        assert_eq!(
            config
                .milestone_applier_for("kubernetes", "website")
                .unwrap()["dev-1.37"],
            "1.37"
        );
        assert_eq!(
            config
                .repo_milestone_for("kubernetes", "kubernetes")
                .unwrap()
                .maintainers_team,
            "milestone-maintainers"
        );
        assert_eq!(
            config.restricted_labels_for("kubernetes", "kubernetes")["official-cve-feed"]
                .allowed_users,
            ["pushkarj"]
        );
        assert!(config.heart_regex().unwrap().unwrap().is_match("anything"));
        assert_eq!(config.require_matching_label.len(), 50);
        assert_eq!(
            config.config_updater.maps["config/jobs/**/*.{yaml,yml}"].gzip,
            Some(true)
        );
        assert_eq!(
            config.project.maintainer_team("kubernetes", "website"),
            Some(3175912)
        );
        assert!(config.branch_cleaner.is_preserved_branch(
            "kubernetes-sigs",
            "cloud-provider-azure",
            "release-1.26"
        ));
    }
}
