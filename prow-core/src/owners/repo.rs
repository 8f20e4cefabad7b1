//! Resolution of OWNERS data over a repository tree: which approvers,
//! reviewers, required reviewers and labels apply to a given path.

use std::collections::{BTreeMap, BTreeSet};

use regex::Regex;

use super::config::{
    Config, DirOptions, Filenames, FullConfig, OwnersDirDenylist, OwnersFile, RepoAliases,
    SimpleConfig, parse_aliases_config, parse_full_config, parse_md_header, parse_owners_file,
    parse_simple_config,
};
use super::layered::LayeredSet;
use super::paths::{canonicalize, clean, dir, parent_key, rel};
use super::{OwnersError, norm_logins};

/// How to read a repository's OWNERS data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadOptions {
    /// Names of the OWNERS and OWNERS_ALIASES files.
    pub filenames: Filenames,
    /// Also read owners from the YAML header of `*.md` files; such owners
    /// apply to that one file only.
    pub enable_md_yaml: bool,
    /// Regular expressions of directories (relative to the root, which is `.`)
    /// whose OWNERS files, and those below, are ignored.
    pub dir_denylist: Vec<String>,
}

impl Default for LoadOptions {
    /// Default file names, no markdown headers, and the preconfigured denylist.
    fn default() -> Self {
        Self {
            filenames: Filenames::default(),
            enable_md_yaml: false,
            dir_denylist: OwnersDirDenylist::default().list_ignored_dirs("", ""),
        }
    }
}

/// One set of users (or labels) of an OWNERS file, limited to the files whose
/// path relative to the OWNERS directory matches `pattern` (none: all files).
#[derive(Debug, Clone)]
struct Rule {
    pattern: Option<Regex>,
    entries: BTreeSet<String>,
}

impl Rule {
    fn applies_to(&self, relative: &str) -> bool {
        self.pattern.as_ref().is_none_or(|re| re.is_match(relative))
    }
}

/// Directory key (`""` for the root) to the rules of the OWNERS file there.
type RuleMap = BTreeMap<String, Vec<Rule>>;

/// The approvers and reviewers of a set of changed files, as the approve and
/// blunderbuss plugins use them. Every set is a union over the files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeOwners {
    /// Everyone who may approve some of the files, parents included.
    pub approvers: BTreeSet<String>,
    /// The closest approvers of each file.
    pub leaf_approvers: BTreeSet<String>,
    /// Everyone who may review some of the files, parents included.
    pub reviewers: BTreeSet<String>,
    /// The closest reviewers of each file.
    pub leaf_reviewers: BTreeSet<String>,
    /// Reviewers whose review is required for some of the files.
    pub required_reviewers: BTreeSet<String>,
    /// Labels for the change.
    pub labels: BTreeSet<String>,
    /// OWNERS directory that approves a file (see
    /// [`RepoOwners::find_approver_owners_for_file`]) to all approvers of the
    /// files it approves.
    pub approvers_by_owners_file: BTreeMap<String, BTreeSet<String>>,
    /// The same directories to the closest approvers of their files.
    pub leaf_approvers_by_owners_file: BTreeMap<String, BTreeSet<String>>,
    /// OWNERS directories that provide reviewers for the files.
    pub reviewer_owners_files: BTreeSet<String>,
}

/// The resolved OWNERS data of one repository.
///
/// Directory keys follow upstream: repository-relative, `/`-separated, no
/// trailing slash, and `""` for the root.
#[derive(Debug, Clone, Default)]
pub struct RepoOwners {
    aliases: RepoAliases,
    approvers: RuleMap,
    reviewers: RuleMap,
    required_reviewers: RuleMap,
    labels: RuleMap,
    emeritus_approvers: RuleMap,
    options: BTreeMap<String, DirOptions>,
    enable_md_yaml: bool,
    dir_denylist: Vec<Regex>,
    filenames: Filenames,
    problems: Vec<OwnersError>,
}

impl RepoOwners {
    /// Builds the OWNERS data of a repository from `(path, contents)` pairs,
    /// paths relative to the repository root. Files other than OWNERS files,
    /// the root aliases file and (if enabled) markdown files are ignored, so
    /// the caller may pass every file it has.
    ///
    /// Like upstream, a broken file does not stop loading: it is skipped (a
    /// broken aliases file leaves no aliases) and the problem is kept in
    /// [`RepoOwners::problems`].
    pub fn load<I, P, C>(files: I, options: &LoadOptions) -> RepoOwners
    where
        I: IntoIterator<Item = (P, C)>,
        P: AsRef<str>,
        C: AsRef<str>,
    {
        let mut owners = RepoOwners {
            enable_md_yaml: options.enable_md_yaml,
            filenames: options.filenames.clone(),
            ..RepoOwners::default()
        };
        for pattern in &options.dir_denylist {
            match Regex::new(pattern) {
                Ok(re) => owners.dir_denylist.push(re),
                Err(err) => owners.problems.push(OwnersError::InvalidDenylistRegex {
                    pattern: pattern.clone(),
                    message: err.to_string(),
                }),
            }
        }

        let mut files: Vec<(String, C)> = files
            .into_iter()
            .map(|(path, contents)| (clean(path.as_ref()), contents))
            .collect();
        files.sort_by(|a, b| a.0.cmp(&b.0));

        let aliases_path = clean(&owners.filenames.owners_aliases);
        if let Some((path, contents)) = files.iter().find(|(path, _)| *path == aliases_path) {
            match parse_aliases_config(path, contents.as_ref()) {
                Ok(aliases) => owners.aliases = aliases,
                Err(err) => owners.problems.push(err),
            }
        }

        for (path, contents) in &files {
            owners.add_file(path, contents.as_ref());
        }
        owners
    }

    /// Reads one file of the tree, if it is an OWNERS or markdown file.
    fn add_file(&mut self, path: &str, contents: &str) {
        let base = path.rsplit('/').next().unwrap_or(path);
        let is_md = self.enable_md_yaml && base.ends_with(".md");
        if !is_md && base != self.filenames.owners {
            return;
        }
        if path == ".." || path.starts_with("../") || path.starts_with('/') {
            self.problems.push(OwnersError::InvalidPath {
                path: path.to_owned(),
            });
            return;
        }
        if self.in_denied_dir(path) {
            return;
        }
        if is_md {
            match parse_md_header(path, contents) {
                Ok(simple) => {
                    self.apply_config(path, None, &simple.config);
                    self.apply_options(path, simple.options);
                }
                Err(err) => self.problems.push(err),
            }
            return;
        }
        let key = canonicalize(&dir(path));
        match parse_owners_file(path, contents) {
            Ok(OwnersFile::Simple(simple)) => {
                self.apply_config(&key, None, &simple.config);
                self.apply_options(&key, simple.options);
            }
            Ok(OwnersFile::Full(full)) => {
                for (pattern, config) in &full.filters {
                    let regex = if pattern == ".*" {
                        None
                    } else {
                        match Regex::new(pattern) {
                            Ok(re) => Some(re),
                            Err(err) => {
                                self.problems.push(OwnersError::InvalidFilterRegex {
                                    path: path.to_owned(),
                                    pattern: pattern.clone(),
                                    message: err.to_string(),
                                });
                                continue;
                            }
                        }
                    };
                    self.apply_config(&key, regex, config);
                }
                self.apply_options(&key, full.options);
            }
            Err(err) => self.problems.push(err),
        }
    }

    /// Whether the file's directory, or one above it, matches the denylist.
    /// Directories are tested as upstream's tree walk sees them: `.` for the
    /// root, then `a`, `a/b`, ...
    fn in_denied_dir(&self, file: &str) -> bool {
        if self.dir_denylist.is_empty() {
            return false;
        }
        let parent = dir(file);
        let mut candidates = vec![".".to_owned()];
        if parent != "." {
            let mut prefix = String::new();
            for part in parent.split('/') {
                if !prefix.is_empty() {
                    prefix.push('/');
                }
                prefix.push_str(part);
                candidates.push(prefix.clone());
            }
        }
        candidates
            .iter()
            .any(|d| self.dir_denylist.iter().any(|re| re.is_match(d)))
    }

    /// Records the lists of one OWNERS config (or filter) under `key`.
    fn apply_config(&mut self, key: &str, pattern: Option<Regex>, config: &Config) {
        let add = |map: &mut RuleMap, entries: BTreeSet<String>| {
            map.entry(key.to_owned()).or_default().push(Rule {
                pattern: pattern.clone(),
                entries,
            });
        };
        if !config.approvers.is_empty() {
            let entries = self.expand(&config.approvers);
            add(&mut self.approvers, entries);
        }
        if !config.reviewers.is_empty() {
            let entries = self.expand(&config.reviewers);
            add(&mut self.reviewers, entries);
        }
        if !config.required_reviewers.is_empty() {
            let entries = self.expand(&config.required_reviewers);
            add(&mut self.required_reviewers, entries);
        }
        if !config.labels.is_empty() {
            add(&mut self.labels, config.labels.iter().cloned().collect());
        }
        if !config.emeritus_approvers.is_empty() {
            let entries = self.expand(&config.emeritus_approvers);
            add(&mut self.emeritus_approvers, entries);
        }
    }

    /// Normalizes logins and replaces aliases by their members.
    fn expand(&self, logins: &[String]) -> BTreeSet<String> {
        self.aliases.expand_aliases(&norm_logins(logins))
    }

    fn apply_options(&mut self, key: &str, options: DirOptions) {
        if options != DirOptions::default() {
            self.options.insert(key.to_owned(), options);
        }
    }

    /// Problems met while loading (unparsable files, bad patterns); empty when
    /// everything was read.
    pub fn problems(&self) -> &[OwnersError] {
        &self.problems
    }

    /// The aliases in use.
    pub fn aliases(&self) -> &RepoAliases {
        &self.aliases
    }

    /// The file names in use.
    pub fn filenames(&self) -> &Filenames {
        &self.filenames
    }

    /// Whether markdown headers were read.
    pub fn md_yaml_enabled(&self) -> bool {
        self.enable_md_yaml
    }

    /// Parses an OWNERS file's simple form, refusing files in denied
    /// directories with [`OwnersError::DeniedDir`].
    pub fn parse_simple_config(
        &self,
        path: &str,
        contents: &str,
    ) -> Result<SimpleConfig, OwnersError> {
        self.check_denied(path)?;
        parse_simple_config(path, contents)
    }

    /// Parses an OWNERS file's `filters:` form, refusing files in denied
    /// directories with [`OwnersError::DeniedDir`].
    pub fn parse_full_config(&self, path: &str, contents: &str) -> Result<FullConfig, OwnersError> {
        self.check_denied(path)?;
        parse_full_config(path, contents)
    }

    fn check_denied(&self, path: &str) -> Result<(), OwnersError> {
        if self.in_denied_dir(&clean(path)) {
            Err(OwnersError::DeniedDir {
                path: path.to_owned(),
            })
        } else {
            Ok(())
        }
    }

    /// Keeps only the given collaborators among approvers and reviewers, as
    /// upstream does before answering for a repository.
    pub fn filter_collaborators<I, S>(&self, collaborators: I) -> RepoOwners
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let keep = norm_logins(collaborators);
        let filter = |map: &RuleMap| -> RuleMap {
            map.iter()
                .map(|(key, rules)| {
                    let rules = rules
                        .iter()
                        .map(|rule| Rule {
                            pattern: rule.pattern.clone(),
                            entries: rule.entries.intersection(&keep).cloned().collect(),
                        })
                        .collect();
                    (key.clone(), rules)
                })
                .collect()
        };
        RepoOwners {
            approvers: filter(&self.approvers),
            reviewers: filter(&self.reviewers),
            ..self.clone()
        }
    }

    /// The closest directory at or above `path` whose OWNERS data gives
    /// `path` a non-empty set; `""` for the root or when there is none.
    fn find_owners_for_file(path: &str, map: &RuleMap) -> String {
        let mut d = path.to_owned();
        while !d.is_empty() {
            let Some(relative) = rel(&d, path) else {
                return String::new();
            };
            let found = map.get(&d).is_some_and(|rules| {
                rules
                    .iter()
                    .any(|rule| rule.applies_to(&relative) && !rule.entries.is_empty())
            });
            if found {
                return d;
            }
            d = parent_key(&d);
        }
        String::new()
    }

    /// Entries of `map` for `path`, one layer per directory level starting at
    /// the path itself, stopping at the first hit when `leaf_only`, and at a
    /// `no_parent_owners` directory once something was found.
    fn entries_for_file(&self, path: &str, map: &RuleMap, leaf_only: bool) -> LayeredSet {
        let mut d = if self.enable_md_yaml && path.ends_with(".md") {
            path.to_owned()
        } else {
            canonicalize(path)
        };
        let mut out = LayeredSet::new();
        let mut layer = 0;
        loop {
            let Some(relative) = rel(&d, path) else {
                return LayeredSet::new();
            };
            for rule in map.get(&d).into_iter().flatten() {
                if rule.applies_to(&relative) {
                    out.insert(layer, rule.entries.iter().cloned());
                }
            }
            if leaf_only && !out.is_empty() {
                break;
            }
            if d.is_empty() {
                break;
            }
            if self.is_no_parent_owners(&d) && !out.is_empty() {
                break;
            }
            d = parent_key(&d);
            layer += 1;
        }
        out
    }

    /// Directory of the closest OWNERS file with approvers for `path`
    /// (`""` for the root).
    pub fn find_approver_owners_for_file(&self, path: &str) -> String {
        Self::find_owners_for_file(path, &self.approvers)
    }

    /// Directory of the closest OWNERS file with reviewers for `path`
    /// (`""` for the root).
    pub fn find_reviewers_owners_for_file(&self, path: &str) -> String {
        Self::find_owners_for_file(path, &self.reviewers)
    }

    /// Labels for pull requests touching `path`, accumulated up the tree.
    pub fn find_labels_for_file(&self, path: &str) -> BTreeSet<String> {
        self.entries_for_file(path, &self.labels, false).set()
    }

    /// Whether the OWNERS file of directory `dir` sets `no_parent_owners`.
    pub fn is_no_parent_owners(&self, dir: &str) -> bool {
        self.options.get(dir).is_some_and(|o| o.no_parent_owners)
    }

    /// Whether the OWNERS file of directory `dir` sets
    /// `auto_approve_unowned_subfolders`.
    pub fn is_auto_approve_unowned_subfolders(&self, dir: &str) -> bool {
        self.options
            .get(dir)
            .is_some_and(|o| o.auto_approve_unowned_subfolders)
    }

    /// The closest approvers of `path`: if `pkg/OWNERS` names user1 and
    /// `pkg/util/OWNERS` user2, `pkg/util/sets/file.go` gives only user2.
    pub fn leaf_approvers(&self, path: &str) -> BTreeSet<String> {
        self.entries_for_file(path, &self.approvers, true).set()
    }

    /// All approvers of `path`, parents included (up to a `no_parent_owners`
    /// directory), layered nearest first.
    pub fn approvers(&self, path: &str) -> LayeredSet {
        self.entries_for_file(path, &self.approvers, false)
    }

    /// The closest reviewers of `path`.
    pub fn leaf_reviewers(&self, path: &str) -> BTreeSet<String> {
        self.entries_for_file(path, &self.reviewers, true).set()
    }

    /// All reviewers of `path`, parents included, layered nearest first.
    pub fn reviewers(&self, path: &str) -> LayeredSet {
        self.entries_for_file(path, &self.reviewers, false)
    }

    /// All required reviewers of `path`, parents included.
    pub fn required_reviewers(&self, path: &str) -> BTreeSet<String> {
        self.entries_for_file(path, &self.required_reviewers, false)
            .set()
    }

    /// Approvers of the root OWNERS file that apply to the root itself.
    pub fn top_level_approvers(&self) -> BTreeSet<String> {
        self.entries_for_file(".", &self.approvers, true).set()
    }

    /// Every approver and reviewer named anywhere in the repository.
    pub fn all_owners(&self) -> BTreeSet<String> {
        let mut out = self.all_approvers();
        out.extend(self.all_reviewers());
        out
    }

    /// Every approver named anywhere in the repository.
    pub fn all_approvers(&self) -> BTreeSet<String> {
        Self::all_entries(&self.approvers)
    }

    /// Every reviewer named anywhere in the repository.
    pub fn all_reviewers(&self) -> BTreeSet<String> {
        Self::all_entries(&self.reviewers)
    }

    /// Every emeritus approver named anywhere in the repository (these are
    /// never approvers).
    pub fn all_emeritus_approvers(&self) -> BTreeSet<String> {
        Self::all_entries(&self.emeritus_approvers)
    }

    fn all_entries(map: &RuleMap) -> BTreeSet<String> {
        map.values()
            .flatten()
            .flat_map(|rule| rule.entries.iter().cloned())
            .collect()
    }

    /// Approvers, reviewers and labels of a set of changed files.
    pub fn owners_for_files<I, S>(&self, files: I) -> ChangeOwners
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut out = ChangeOwners::default();
        for file in files {
            let file = file.as_ref();
            let approvers = self.approvers(file).set();
            let leaf_approvers = self.leaf_approvers(file);
            let owners_file = self.find_approver_owners_for_file(file);
            out.approvers_by_owners_file
                .entry(owners_file.clone())
                .or_default()
                .extend(approvers.iter().cloned());
            out.leaf_approvers_by_owners_file
                .entry(owners_file)
                .or_default()
                .extend(leaf_approvers.iter().cloned());
            out.approvers.extend(approvers);
            out.leaf_approvers.extend(leaf_approvers);
            out.reviewers.extend(self.reviewers(file).set());
            out.leaf_reviewers.extend(self.leaf_reviewers(file));
            out.required_reviewers.extend(self.required_reviewers(file));
            out.labels.extend(self.find_labels_for_file(file));
            out.reviewer_owners_files
                .insert(self.find_reviewers_owners_for_file(file));
        }
        out
    }
}

/// Directory → pattern (`""` for none) → entries: the raw maps, for tests.
#[cfg(test)]
pub(super) type RuleDump = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

#[cfg(test)]
impl RepoOwners {
    /// The raw rules of one kind: `approvers`, `reviewers`,
    /// `required_reviewers`, `labels` or `emeritus_approvers`.
    pub(super) fn dump_rules(&self, kind: &str) -> RuleDump {
        let map = match kind {
            "approvers" => &self.approvers,
            "reviewers" => &self.reviewers,
            "required_reviewers" => &self.required_reviewers,
            "labels" => &self.labels,
            "emeritus_approvers" => &self.emeritus_approvers,
            other => panic!("unknown rule kind {other}"),
        };
        map.iter()
            .map(|(dir, rules)| {
                let by_pattern = rules
                    .iter()
                    .map(|rule| {
                        let pattern = rule.pattern.as_ref().map_or("", Regex::as_str);
                        (pattern.to_owned(), rule.entries.clone())
                    })
                    .collect();
                (dir.clone(), by_pattern)
            })
            .collect()
    }

    /// The recorded directory options.
    pub(super) fn dump_options(&self) -> &BTreeMap<String, DirOptions> {
        &self.options
    }
}
