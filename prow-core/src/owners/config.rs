//! The OWNERS and OWNERS_ALIASES file formats, the file-name settings and the
//! directory denylist, plus the parsers that turn file contents into them.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use regex::Regex;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

use super::{OwnersError, norm_login, norm_logins};

/// Default name of the files that list approvers and reviewers.
pub const DEFAULT_OWNERS_FILE: &str = "OWNERS";

/// Default name of the repository-root file that defines aliases.
pub const DEFAULT_OWNERS_ALIASES_FILE: &str = "OWNERS_ALIASES";

/// Directory patterns that are denied unless
/// [`OwnersDirDenylist::ignore_preconfigured_defaults`] is set.
pub const PRECONFIGURED_DIR_DENYLIST: [&str; 3] = ["\\.git$", "_output$", "vendor/.*/.*"];

/// Treats an explicit YAML `null` like a missing value.
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// Which file names hold OWNERS and OWNERS_ALIASES data for a repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Filenames {
    /// Name of the OWNERS files (matched against a file's base name).
    pub owners: String,
    /// Path of the aliases file, relative to the repository root.
    pub owners_aliases: String,
}

impl Default for Filenames {
    fn default() -> Self {
        Self {
            owners: DEFAULT_OWNERS_FILE.to_owned(),
            owners_aliases: DEFAULT_OWNERS_ALIASES_FILE.to_owned(),
        }
    }
}

/// Regular expressions of directories whose OWNERS files are ignored
/// (Prow's `owners_dir_denylist` setting).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OwnersDirDenylist {
    /// Extra patterns per `org` or `org/repo`.
    pub repos: BTreeMap<String, Vec<String>>,
    /// Patterns for every repository.
    pub default: Vec<String>,
    /// Leave out [`PRECONFIGURED_DIR_DENYLIST`].
    pub ignore_preconfigured_defaults: bool,
}

impl OwnersDirDenylist {
    /// The patterns that apply to `org/repo`: defaults, then the org's, then
    /// the repository's, then the preconfigured ones unless ignored.
    pub fn list_ignored_dirs(&self, org: &str, repo: &str) -> Vec<String> {
        let mut out = self.default.clone();
        if let Some(patterns) = self.repos.get(org) {
            out.extend(patterns.iter().cloned());
        }
        if let Some(patterns) = self.repos.get(&format!("{org}/{repo}")) {
            out.extend(patterns.iter().cloned());
        }
        if !self.ignore_preconfigured_defaults {
            out.extend(PRECONFIGURED_DIR_DENYLIST.iter().map(|p| (*p).to_owned()));
        }
        out
    }
}

/// The `options:` block of an OWNERS file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirOptions {
    /// Owners of parent directories do not own this directory.
    #[serde(default, deserialize_with = "null_as_default")]
    pub no_parent_owners: bool,
    /// Changes in subdirectories without an OWNERS file of their own need no
    /// approval. To be enabled with caution.
    #[serde(default, deserialize_with = "null_as_default")]
    pub auto_approve_unowned_subfolders: bool,
}

/// The people and labels of an OWNERS file, or of one of its filters. Names
/// are kept as written; they are normalized when resolved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Config {
    /// Users or aliases who may approve.
    #[serde(default, deserialize_with = "null_as_default")]
    pub approvers: Vec<String>,
    /// Users or aliases who may review.
    #[serde(default, deserialize_with = "null_as_default")]
    pub reviewers: Vec<String>,
    /// Users or aliases whose review is always requested.
    #[serde(default, deserialize_with = "null_as_default")]
    pub required_reviewers: Vec<String>,
    /// Labels applied to pull requests touching the files.
    #[serde(default, deserialize_with = "null_as_default")]
    pub labels: Vec<String>,
    /// Former approvers, kept for the record; they never approve.
    #[serde(default, deserialize_with = "null_as_default")]
    pub emeritus_approvers: Vec<String>,
}

/// An OWNERS file in the simple form: one [`Config`] for the whole directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SimpleConfig {
    /// The `options:` block.
    pub options: DirOptions,
    /// The top-level lists.
    pub config: Config,
}

impl SimpleConfig {
    /// Whether no approvers, reviewers, required reviewers or labels are set
    /// (emeritus approvers do not count), in which case the file is read in the
    /// `filters:` form.
    pub fn is_empty(&self) -> bool {
        let c = &self.config;
        c.approvers.is_empty()
            && c.reviewers.is_empty()
            && c.required_reviewers.is_empty()
            && c.labels.is_empty()
    }
}

/// An OWNERS file in the `filters:` form: a [`Config`] per regular expression
/// matched against paths relative to the file's directory; `".*"` matches all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FullConfig {
    /// The `options:` block.
    pub options: DirOptions,
    /// Pattern to configuration.
    pub filters: BTreeMap<String, Config>,
}

/// An OWNERS file in whichever form it takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnersFile {
    /// Top-level lists.
    Simple(SimpleConfig),
    /// A `filters:` map.
    Full(FullConfig),
}

impl OwnersFile {
    /// The `options:` block of either form.
    pub fn options(&self) -> DirOptions {
        match self {
            OwnersFile::Simple(s) => s.options,
            OwnersFile::Full(f) => f.options,
        }
    }
}

/// Every field either form may have, read in a single pass so that no field
/// of one form is unknown to the decoder.
#[derive(Debug, Clone, Default, Deserialize)]
struct RawOwnersFile {
    #[serde(default, deserialize_with = "null_as_default")]
    options: DirOptions,
    #[serde(default, deserialize_with = "null_as_default")]
    approvers: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    reviewers: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    required_reviewers: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    labels: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    emeritus_approvers: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    filters: BTreeMap<String, Option<Config>>,
}

impl RawOwnersFile {
    fn simple(&self) -> SimpleConfig {
        SimpleConfig {
            options: self.options,
            config: Config {
                approvers: self.approvers.clone(),
                reviewers: self.reviewers.clone(),
                required_reviewers: self.required_reviewers.clone(),
                labels: self.labels.clone(),
                emeritus_approvers: self.emeritus_approvers.clone(),
            },
        }
    }

    fn full(self) -> FullConfig {
        FullConfig {
            options: self.options,
            filters: self
                .filters
                .into_iter()
                .map(|(pattern, config)| (pattern, config.unwrap_or_default()))
                .collect(),
        }
    }
}

impl<'de> Deserialize<'de> for SimpleConfig {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        RawOwnersFile::deserialize(deserializer).map(|raw| raw.simple())
    }
}

impl<'de> Deserialize<'de> for FullConfig {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        RawOwnersFile::deserialize(deserializer).map(RawOwnersFile::full)
    }
}

/// Decodes a YAML document, an empty or `null` document giving the default.
fn decode<T: DeserializeOwned + Default>(path: &str, contents: &str) -> Result<T, OwnersError> {
    crate::yaml::from_str::<Option<T>>(contents)
        .map(Option::unwrap_or_default)
        .map_err(|err| OwnersError::Parse {
            path: path.to_owned(),
            message: err.to_string(),
        })
}

/// Parses an OWNERS file's top-level lists and options (the `filters:` block,
/// if any, is ignored). `path` only names the file in errors.
pub fn parse_simple_config(path: &str, contents: &str) -> Result<SimpleConfig, OwnersError> {
    decode(path, contents)
}

/// Parses an OWNERS file's `filters:` block and options (top-level lists, if
/// any, are ignored). `path` only names the file in errors.
pub fn parse_full_config(path: &str, contents: &str) -> Result<FullConfig, OwnersError> {
    decode(path, contents)
}

/// Parses an OWNERS file and picks its form as upstream does: the simple form
/// unless it sets no approvers, reviewers, required reviewers or labels and
/// has filters. `path` only names the file in errors.
pub fn parse_owners_file(path: &str, contents: &str) -> Result<OwnersFile, OwnersError> {
    let raw: RawOwnersFile = decode(path, contents)?;
    let simple = raw.simple();
    if simple.is_empty() && !raw.filters.is_empty() {
        Ok(OwnersFile::Full(raw.full()))
    } else {
        Ok(OwnersFile::Simple(simple))
    }
}

static MD_HEADER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new("^---\n(?:.|\n)*\n---").expect("static pattern"));

/// Parses the YAML header (between `---` lines at the very top) of a markdown
/// file as a simple OWNERS config; no header gives an empty config.
pub(crate) fn parse_md_header(path: &str, contents: &str) -> Result<SimpleConfig, OwnersError> {
    let Some(found) = MD_HEADER.find(contents) else {
        return Ok(SimpleConfig::default());
    };
    // The match spans up to the last `\n---` of the file; like a YAML decoder
    // reading only the first document, stop at the first separator line.
    let inner = &found.as_str()[4..found.len() - 3];
    let mut end = inner.len();
    let mut offset = 0;
    for line in inner.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        let separator = bare == "..."
            || bare == "---"
            || bare
                .strip_prefix("---")
                .is_some_and(|r| r.starts_with([' ', '\t']));
        if separator {
            end = offset;
            break;
        }
        offset += line.len();
    }
    decode(path, &inner[..end])
}

/// Alias name (normalized) to its members (normalized), from OWNERS_ALIASES.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepoAliases {
    groups: BTreeMap<String, BTreeSet<String>>,
}

impl RepoAliases {
    /// No aliases.
    pub fn new() -> Self {
        Self::default()
    }

    /// Defines (or replaces) an alias; name and members are normalized.
    pub fn insert<I, S>(&mut self, alias: &str, members: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.groups.insert(norm_login(alias), norm_logins(members));
    }

    /// Members of an alias, looked up case-insensitively.
    pub fn get(&self, alias: &str) -> Option<&BTreeSet<String>> {
        self.groups.get(&norm_login(alias))
    }

    /// Members of an alias; empty when it is not defined.
    pub fn expand_alias(&self, alias: &str) -> BTreeSet<String> {
        self.get(alias).cloned().unwrap_or_default()
    }

    /// Replaces every alias among `logins` with its members (one level deep,
    /// in sorted order as upstream does); other logins are kept.
    pub fn expand_aliases(&self, logins: &BTreeSet<String>) -> BTreeSet<String> {
        let mut out = logins.clone();
        for login in logins {
            if let Some(members) = self.get(login) {
                out.remove(login);
                out.extend(members.iter().cloned());
            }
        }
        out
    }

    /// Members of every alias.
    pub fn expand_all_aliases(&self) -> BTreeSet<String> {
        self.groups.values().flatten().cloned().collect()
    }

    /// Number of aliases.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    /// Whether no alias is defined.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Aliases and their members, sorted by alias.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &BTreeSet<String>)> {
        self.groups.iter().map(|(k, v)| (k.as_str(), v))
    }
}

#[derive(Default, Deserialize)]
struct RawAliasesFile {
    #[serde(default, deserialize_with = "null_as_default")]
    aliases: BTreeMap<String, serde_json::Value>,
}

/// Go's name for the type a YAML value decodes to, for error messages.
fn go_type_name(value: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match value {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Number(_) => "float64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

/// Parses an OWNERS_ALIASES file. A group may be a list, a flow mapping such
/// as `{alice, bob}` (its keys are the members) or empty. `path` only names
/// the file in errors.
pub fn parse_aliases_config(path: &str, contents: &str) -> Result<RepoAliases, OwnersError> {
    use serde_json::Value;
    let raw: RawAliasesFile = decode(path, contents)?;
    let mut out = RepoAliases::new();
    for (alias, value) in raw.aliases {
        let members: Vec<String> = match value {
            Value::Array(items) => items
                .into_iter()
                .map(|item| match item {
                    Value::String(s) => Ok(s),
                    other => Err(OwnersError::AliasMemberType {
                        path: path.to_owned(),
                        type_name: go_type_name(&other).to_owned(),
                    }),
                })
                .collect::<Result<_, _>>()?,
            Value::Object(map) => map.into_iter().map(|(k, _)| k).collect(),
            Value::Null => Vec::new(),
            Value::String(_) => {
                return Err(OwnersError::AliasGroupNotList {
                    path: path.to_owned(),
                    alias,
                });
            }
            other => {
                return Err(OwnersError::AliasGroupType {
                    path: path.to_owned(),
                    type_name: go_type_name(&other).to_owned(),
                });
            }
        };
        out.insert(&alias, members);
    }
    Ok(out)
}
