//! The `size` plugin: keeps one `size/XS` … `size/XXL` label on each pull request, from the
//! lines it adds and deletes, leaving out generated files (`.generated_files`, `.gitattributes`).
//!
//! Generated files are those the repository names, at the pull request's base commit:
//! `.generated_files` at the root ([`genfiles`]) and paths marked `linguist-generated=true` in
//! the root `.gitattributes` ([`gitattributes`]). The thresholds are the `size:` section of
//! `plugins.yaml` (lower bounds of S, M, L, XL and XXL; zero keeps the default).

use async_trait::async_trait;
use prow_core::config::plugins::{PluginsConfig, Size as Thresholds};
use prow_core::event::{Event, PullRequestEventAction};
use prow_core::github::{GitHubClient, GitHubError, RepoName};
use prow_core::traits::{EventKind, Plugin, PluginContext, PluginError, PluginEvent, PluginHelp};

/// Every size label starts with this.
pub const LABEL_PREFIX: &str = "size/";
/// Fewer lines than the S threshold.
pub const LABEL_XS: &str = "size/XS";
/// From the S threshold.
pub const LABEL_S: &str = "size/S";
/// From the M threshold.
pub const LABEL_M: &str = "size/M";
/// From the L threshold.
pub const LABEL_L: &str = "size/L";
/// From the XL threshold.
pub const LABEL_XL: &str = "size/XL";
/// From the XXL threshold.
pub const LABEL_XXL: &str = "size/XXL";

/// The size label for `lines` changed lines under `sizes` (thresholds already defaulted).
pub fn bucket(lines: u64, sizes: &Thresholds) -> &'static str {
    let lines = i64::try_from(lines).unwrap_or(i64::MAX);
    if lines < sizes.s {
        LABEL_XS
    } else if lines < sizes.m {
        LABEL_S
    } else if lines < sizes.l {
        LABEL_M
    } else if lines < sizes.xl {
        LABEL_L
    } else if lines < sizes.xxl {
        LABEL_XL
    } else {
        LABEL_XXL
    }
}

pub mod genfiles {
    //! The `.generated_files` file at a repository's root (upstream's `genfiles`): lines of
    //! `<kind> <value>`, `#` comments and blank lines ignored, where the kind is
    //! `path`, `file-name`, `path-prefix` (or `prefix`), `file-prefix` or `paths-from-repo`
    //! (a file of the same repository listing paths, one a line).

    use std::collections::BTreeSet;

    /// Where a repository names its generated files.
    pub const CONFIG_FILE: &str = ".generated_files";

    /// A line of `.generated_files` that is not `<kind> <value>` of a known kind.
    #[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
    #[error("invalid config line: {line:?}")]
    pub struct ParseError {
        /// The line, trimmed.
        pub line: String,
    }

    /// The generated files of a repository.
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct Group {
        /// Exact paths (from `paths-from-repo` files).
        pub paths: BTreeSet<String>,
        /// Exact file names, wherever they are (`file-name`; `path` lines land here too, as
        /// upstream reads them).
        pub file_names: BTreeSet<String>,
        /// Path prefixes (`path-prefix`, `prefix`).
        pub path_prefixes: BTreeSet<String>,
        /// File name prefixes (`file-prefix`).
        pub file_prefixes: BTreeSet<String>,
    }

    impl Group {
        /// Reads a `.generated_files` text into the group; returns the `paths-from-repo`
        /// files to read with [`Group::load_paths`]. Stops at the first bad line: what came
        /// before it stays loaded, the error says which line it was.
        pub fn load(&mut self, text: &str) -> Result<Vec<String>, (Vec<String>, ParseError)> {
            let mut repo_paths = Vec::new();
            for line in text.lines() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let fields: Vec<&str> = line.split_whitespace().collect();
                let bad = || ParseError {
                    line: line.to_owned(),
                };
                let [kind, value] = fields[..] else {
                    return Err((repo_paths, bad()));
                };
                let value = value.to_owned();
                match kind {
                    "prefix" | "path-prefix" => {
                        self.path_prefixes.insert(value);
                    }
                    "file-prefix" => {
                        self.file_prefixes.insert(value);
                    }
                    "file-name" | "path" => {
                        self.file_names.insert(value);
                    }
                    "paths-from-repo" => repo_paths.push(value),
                    _ => return Err((repo_paths, bad())),
                }
            }
            Ok(repo_paths)
        }

        /// Reads a file of paths, one a line (`#` comments and blank lines ignored).
        pub fn load_paths(&mut self, text: &str) {
            for line in text.lines() {
                let line = line.trim();
                if !line.is_empty() && !line.starts_with('#') {
                    self.paths.insert(line.to_owned());
                }
            }
        }

        /// Whether the file at `path` is generated.
        pub fn matches(&self, path: &str) -> bool {
            if self.paths.contains(path)
                || self
                    .path_prefixes
                    .iter()
                    .any(|p| path.starts_with(p.as_str()))
            {
                return true;
            }
            let base = base_name(path);
            self.file_names.contains(base)
                || self
                    .file_prefixes
                    .iter()
                    .any(|p| base.starts_with(p.as_str()))
        }
    }

    /// The last element of a slash-separated path (Go's `filepath.Base`).
    fn base_name(path: &str) -> &str {
        let trimmed = path.trim_end_matches('/');
        if trimmed.is_empty() {
            return if path.is_empty() { "." } else { "/" };
        }
        trimmed.rsplit('/').next().unwrap_or(trimmed)
    }
}

pub mod gitattributes {
    //! The `linguist-generated=true` patterns of a `.gitattributes` file (upstream's
    //! `gitattributes`): git's patterns without negation or directory-only forms.

    /// A pattern of `.gitattributes` that cannot be used.
    #[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
    #[non_exhaustive]
    pub enum PatternError {
        /// `!pattern`.
        #[error("negative patterns are forbidden: <{0}>")]
        Negative(String),
        /// `dir/`.
        #[error("directory patterns are not matched recursively, use path/** instead: <{0}>")]
        Directory(String),
    }

    /// One pattern: a file name glob (no `/`), or a path of globs with `**` for any number
    /// of directories.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct Pattern {
        elements: Vec<String>,
        is_path: bool,
    }

    impl Pattern {
        /// Parses a pattern as `.gitattributes` writes it.
        pub fn parse(pattern: &str) -> Result<Pattern, PatternError> {
            if pattern.starts_with('!') {
                return Err(PatternError::Negative(pattern.to_owned()));
            }
            let pattern = if pattern.ends_with("\\ ") {
                pattern
            } else {
                pattern.trim_end_matches(' ')
            };
            if pattern.ends_with('/') {
                return Err(PatternError::Directory(pattern.to_owned()));
            }
            Ok(Pattern {
                elements: pattern.split('/').map(str::to_owned).collect(),
                is_path: pattern.contains('/'),
            })
        }

        /// Whether `path` (slash-separated, from the repository's root) matches.
        pub fn matches(&self, path: &str) -> bool {
            let elements: Vec<&str> = path.split('/').collect();
            if self.is_path {
                self.path_match(&elements)
            } else {
                elements
                    .iter()
                    .any(|name| glob_match(&self.elements[0], name).unwrap_or(false))
            }
        }

        fn path_match(&self, mut path: &[&str]) -> bool {
            let mut matched = false;
            let mut can_traverse = false;
            for (i, element) in self.elements.iter().enumerate() {
                if element.is_empty() {
                    can_traverse = false;
                    continue;
                }
                if element == "**" {
                    if i == self.elements.len() - 1 {
                        break;
                    }
                    can_traverse = true;
                    continue;
                }
                if element.contains("**") || path.is_empty() {
                    return false;
                }
                if can_traverse {
                    can_traverse = false;
                    while let Some((first, rest)) = path.split_first() {
                        path = rest;
                        match glob_match(element, first) {
                            Err(BadPattern) => return false,
                            Ok(true) => {
                                matched = true;
                                break;
                            }
                            Ok(false) if path.is_empty() => matched = false,
                            Ok(false) => {}
                        }
                    }
                } else {
                    if glob_match(element, path[0]) != Ok(true) {
                        return false;
                    }
                    matched = true;
                    path = &path[1..];
                }
            }
            matched
        }
    }

    /// The generated-file patterns of a `.gitattributes` file.
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct Group {
        /// Patterns whose attributes include `linguist-generated=true`.
        pub linguist_generated: Vec<Pattern>,
    }

    impl Group {
        /// Reads a `.gitattributes` text (`<pattern> <attribute>...` lines).
        pub fn load(text: &str) -> Result<Group, PatternError> {
            let mut group = Group::default();
            for line in text.lines() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let fields: Vec<&str> = line.split_whitespace().collect();
                if fields.len() < 2 {
                    continue;
                }
                if fields[1..].contains(&"linguist-generated=true") {
                    group.linguist_generated.push(Pattern::parse(fields[0])?);
                }
            }
            Ok(group)
        }

        /// Whether the file at `path` is marked generated.
        pub fn is_linguist_generated(&self, path: &str) -> bool {
            self.linguist_generated.iter().any(|p| p.matches(path))
        }
    }

    /// A glob that is not well formed (an unclosed class, a trailing `\\`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
    #[error("syntax error in pattern")]
    pub struct BadPattern;

    /// Go's `filepath.Match` for one path element: `*`, `?`, `[class]` (ranges, `^`
    /// negation) and `\` escapes; `Err` for a malformed pattern.
    pub fn glob_match(pattern: &str, name: &str) -> Result<bool, BadPattern> {
        let pattern: Vec<char> = pattern.chars().collect();
        let name: Vec<char> = name.chars().collect();
        validate(&pattern)?;
        Ok(match_from(&pattern, &name))
    }

    /// Checks that every class is closed and no escape is cut off.
    fn validate(pattern: &[char]) -> Result<(), BadPattern> {
        let mut i = 0;
        while i < pattern.len() {
            match pattern[i] {
                '\\' => {
                    if i + 1 >= pattern.len() {
                        return Err(BadPattern);
                    }
                    i += 2;
                }
                '[' => {
                    let (_, next) = class(pattern, i, None)?;
                    i = next;
                }
                _ => i += 1,
            }
        }
        Ok(())
    }

    /// Reads the class starting at `pattern[start] == '['`; with a character, whether the
    /// class takes it. Returns that and the index after the class.
    fn class(pattern: &[char], start: usize, c: Option<char>) -> Result<(bool, usize), BadPattern> {
        let mut i = start + 1;
        let negated = pattern.get(i) == Some(&'^');
        if negated {
            i += 1;
        }
        let mut matched = false;
        let mut ranges = 0;
        loop {
            match pattern.get(i) {
                None => return Err(BadPattern),
                Some(']') if ranges > 0 => {
                    i += 1;
                    break;
                }
                _ => {}
            }
            let (lo, next) = class_char(pattern, i)?;
            i = next;
            let mut hi = lo;
            if pattern.get(i) == Some(&'-') {
                let (h, next) = class_char(pattern, i + 1)?;
                hi = h;
                i = next;
            }
            if let Some(c) = c
                && lo <= c
                && c <= hi
            {
                matched = true;
            }
            ranges += 1;
        }
        Ok((matched != negated, i))
    }

    /// One character of a class (escapes resolved); `-` and `]` must be escaped.
    fn class_char(pattern: &[char], i: usize) -> Result<(char, usize), BadPattern> {
        match pattern.get(i) {
            None | Some('-') | Some(']') => Err(BadPattern),
            Some('\\') => pattern.get(i + 1).map(|c| (*c, i + 2)).ok_or(BadPattern),
            Some(c) => Ok((*c, i + 1)),
        }
    }

    fn match_from(pattern: &[char], name: &[char]) -> bool {
        let Some(&first) = pattern.first() else {
            return name.is_empty();
        };
        match first {
            '*' => (0..=name.len()).any(|skip| match_from(&pattern[1..], &name[skip..])),
            '?' => !name.is_empty() && match_from(&pattern[1..], &name[1..]),
            '[' => {
                let Some(&c) = name.first() else {
                    return false;
                };
                match class(pattern, 0, Some(c)) {
                    Ok((true, next)) => match_from(&pattern[next..], &name[1..]),
                    _ => false,
                }
            }
            '\\' => name.first() == pattern.get(1) && match_from(&pattern[2..], &name[1..]),
            literal => name.first() == Some(&literal) && match_from(&pattern[1..], &name[1..]),
        }
    }
}

/// The `size` plugin.
#[derive(Debug, Default)]
pub struct SizePlugin;

/// A repository file at a commit; `None` when it does not exist.
async fn file_at(
    github: &dyn GitHubClient,
    repo: &RepoName,
    path: &str,
    sha: &str,
) -> Result<Option<String>, GitHubError> {
    match github.get_file(repo, path, Some(sha)).await {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(GitHubError::NotFound(_)) => Ok(None),
        Err(error) => Err(error),
    }
}

/// The generated files `.generated_files` names at `sha`.
async fn generated_files(
    github: &dyn GitHubClient,
    repo: &RepoName,
    sha: &str,
) -> Result<genfiles::Group, PluginError> {
    let mut group = genfiles::Group::default();
    let Some(text) = file_at(github, repo, genfiles::CONFIG_FILE, sha).await? else {
        return Ok(group);
    };
    let repo_files = match group.load(&text) {
        Ok(files) => files,
        Err((files, error)) => {
            tracing::warn!(%repo, %error, "error while parsing .generated_files");
            files
        }
    };
    for path in repo_files {
        let text = github.get_file(repo, &path, Some(sha)).await?;
        group.load_paths(&String::from_utf8_lossy(&text));
    }
    Ok(group)
}

#[async_trait]
impl Plugin for SizePlugin {
    fn name(&self) -> &str {
        "size"
    }

    fn events(&self) -> &[EventKind] {
        &[EventKind::PullRequest]
    }

    fn help(&self) -> PluginHelp {
        self.help_for(&PluginsConfig::default(), &[])
    }

    fn help_for(&self, plugins: &PluginsConfig, _repos: &[RepoName]) -> PluginHelp {
        let s = plugins.size_thresholds();
        let mut help = PluginHelp {
            description: "The size plugin manages the 'size/*' labels, maintaining the appropriate label on each pull request as it is updated. Generated files identified by the config file '.generated_files' at the repo root are ignored. Labels are applied based on the total number of lines of changes (additions and deletions).".to_owned(),
            ..PluginHelp::default()
        };
        help.config.insert(
            String::new(),
            format!(
                "The plugin has the following thresholds:<ul>\n<li>size/XS:  0-{}</li>\n<li>size/S:   {}-{}</li>\n<li>size/M:   {}-{}</li>\n<li>size/L:   {}-{}</li>\n<li>size/XL:  {}-{}</li>\n<li>size/XXL: {}+</li>\n</ul>",
                s.s - 1,
                s.s,
                s.m - 1,
                s.m,
                s.l - 1,
                s.l,
                s.xl - 1,
                s.xl,
                s.xxl - 1,
                s.xxl
            ),
        );
        help
    }

    async fn handle(&self, ctx: &PluginContext, event: &PluginEvent) -> Result<(), PluginError> {
        let Event::PullRequest(pe) = event.event.as_ref() else {
            return Ok(());
        };
        if !matches!(
            pe.action,
            PullRequestEventAction::Opened
                | PullRequestEventAction::Reopened
                | PullRequestEventAction::Synchronize
                | PullRequestEventAction::Edited
        ) {
            return Ok(());
        }
        let pr = &pe.pull_request;
        let base_repo = pr.base.repo.as_ref().unwrap_or(&pe.repo);
        let repo = RepoName::new(base_repo.owner.login.clone(), base_repo.name.clone());
        let number = pr.number;
        let sha = &pr.base.sha;
        let github = ctx.github.as_ref();

        let generated = generated_files(github, &repo, sha).await?;
        let attributes = match file_at(github, &repo, ".gitattributes", sha).await? {
            Some(text) => gitattributes::Group::load(&text).map_err(PluginError::internal)?,
            None => gitattributes::Group::default(),
        };
        let changes = github.get_pull_request_changes(&repo, number).await?;
        let lines: u64 = changes
            .iter()
            .filter(|c| {
                !generated.matches(&c.filename) && !attributes.is_linguist_generated(&c.filename)
            })
            .map(|c| c.additions + c.deletions)
            .sum();

        let labels = match github.get_issue_labels(&repo, number).await {
            Ok(labels) => labels,
            Err(error) => {
                tracing::warn!(%repo, number, %error, "while retrieving labels");
                Vec::new()
            }
        };
        let wanted = bucket(lines, &ctx.plugins.size_thresholds());
        let mut has_label = false;
        for label in &labels {
            if label.name == wanted {
                has_label = true;
            } else if label.name.starts_with(LABEL_PREFIX)
                && let Err(error) = github.remove_label(&repo, number, &label.name).await
            {
                tracing::warn!(%repo, number, label = %label.name, %error, "error while removing a label");
            }
        }
        if !has_label {
            github.add_label(&repo, number, wanted).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::gitattributes::{BadPattern, Pattern, glob_match};
    use super::*;
    use crate::testing::Harness;
    use prow_core::config::plugins::DEFAULT_SIZES;
    use prow_github::simulator::Files;

    /// `n` lines of text.
    fn lines(n: usize, tag: &str) -> String {
        (0..n).map(|i| format!("{tag} {i}\n")).collect()
    }

    /// How the pull request moves after it is opened.
    #[derive(Clone, Copy, PartialEq)]
    enum Then {
        Nothing,
        Close,
        Reopen,
        EditTitle,
        Push,
    }

    struct Case {
        name: &'static str,
        /// Files on `master` besides the README.
        base: Vec<(&'static str, String)>,
        /// The pull request's changes.
        change: Vec<(&'static str, String)>,
        /// Labels the pull request has before.
        labels: &'static [&'static str],
        then: Then,
        plugins_yaml: &'static str,
        /// The lines the simulator counts in the change (a guard on the fixture).
        total_lines: u64,
        /// The bot's calls after the event: `("add_label" | "remove_label", label)`.
        want: &'static [(&'static str, &'static str)],
        want_error: bool,
    }

    impl Default for Case {
        fn default() -> Self {
            Case {
                name: "",
                base: Vec::new(),
                change: Vec::new(),
                labels: &[],
                then: Then::Nothing,
                plugins_yaml: "",
                total_lines: 0,
                want: &[],
                want_error: false,
            }
        }
    }

    /// foobar (10 + 10), barfoo (50), generated/what.txt (30), generated/my/file.txt (300).
    fn generated_change() -> Vec<(&'static str, String)> {
        vec![
            ("foobar", lines(10, "new")),
            ("barfoo", lines(50, "b")),
            ("generated/what.txt", lines(30, "w")),
            ("generated/my/file.txt", lines(300, "f")),
        ]
    }

    /// As [`generated_change`] with barfoo at 5 lines, plus mypath1 (300) and mydir/mypath3
    /// (300).
    fn paths_from_repo_change() -> Vec<(&'static str, String)> {
        vec![
            ("foobar", lines(10, "new")),
            ("barfoo", lines(5, "b")),
            ("generated/what.txt", lines(30, "w")),
            ("generated/my/file.txt", lines(300, "f")),
            ("mypath1", lines(300, "p")),
            ("mydir/mypath3", lines(300, "p")),
        ]
    }

    const GENERATED_FILES_WITH_REPO_PATHS: &str = "
        # Comments
        file-name foobar

        path-prefix generated

        paths-from-repo docs/.generated_docs
    ";

    const GENERATED_DOCS: &str = "
    # Comments work

    # And empty lines don't matter
    foobar
    mypath1
    mypath2
    mydir/mypath3
    ";

    #[tokio::test]
    async fn labels_pull_requests_by_size() {
        let cases = vec![
            Case {
                name: "simple size/S, no .generated_files",
                base: vec![("foobar", lines(10, "old"))],
                change: vec![("foobar", lines(10, "new")), ("barfoo", lines(7, "b"))],
                total_lines: 27,
                want: &[("add_label", LABEL_S)],
                ..Case::default()
            },
            Case {
                name: "simple size/M, with .generated_files",
                base: vec![
                    ("foobar", lines(10, "old")),
                    (
                        ".generated_files",
                        "\n\t\t\t\t\t\tfile-name foobar\n\n\t\t\t\t\t\tpath-prefix generated\n"
                            .to_owned(),
                    ),
                ],
                change: generated_change(),
                total_lines: 400,
                want: &[("add_label", LABEL_M)],
                ..Case::default()
            },
            Case {
                name: "simple size/M, with .gitattributes",
                base: vec![
                    ("foobar", lines(10, "old")),
                    (
                        ".gitattributes",
                        "\n# comments\nfoobar linguist-generated=true\ngenerated/**/*.txt linguist-generated=true\n"
                            .to_owned(),
                    ),
                ],
                change: generated_change(),
                total_lines: 400,
                want: &[("add_label", LABEL_M)],
                ..Case::default()
            },
            Case {
                name: "simple size/XS, with .generated_files and paths-from-repo",
                base: vec![
                    ("foobar", lines(10, "old")),
                    (".generated_files", GENERATED_FILES_WITH_REPO_PATHS.to_owned()),
                    ("docs/.generated_docs", GENERATED_DOCS.to_owned()),
                ],
                change: paths_from_repo_change(),
                total_lines: 955,
                want: &[("add_label", LABEL_XS)],
                ..Case::default()
            },
            Case {
                name: "pr closed event",
                change: vec![("barfoo", lines(7, "b"))],
                then: Then::Close,
                total_lines: 7,
                want: &[],
                ..Case::default()
            },
            Case {
                name: "already labelled with the right size: nothing written",
                base: vec![
                    ("foobar", lines(10, "old")),
                    (".generated_files", GENERATED_FILES_WITH_REPO_PATHS.to_owned()),
                    ("docs/.generated_docs", GENERATED_DOCS.to_owned()),
                ],
                change: paths_from_repo_change(),
                labels: &["irrelevant", LABEL_XS],
                total_lines: 955,
                want: &[],
                ..Case::default()
            },
            Case {
                name: "a stale size label is replaced",
                change: vec![("barfoo", lines(20, "b"))],
                labels: &["irrelevant", LABEL_XS, LABEL_XXL],
                total_lines: 20,
                want: &[
                    ("remove_label", LABEL_XS),
                    ("remove_label", LABEL_XXL),
                    ("add_label", LABEL_S),
                ],
                ..Case::default()
            },
            Case {
                name: "pull request reopened",
                base: vec![("foobar", lines(10, "old"))],
                change: vec![("foobar", lines(10, "new")), ("barfoo", lines(7, "b"))],
                then: Then::Reopen,
                total_lines: 27,
                want: &[("add_label", LABEL_S)],
                ..Case::default()
            },
            Case {
                name: "pull request edited",
                base: vec![("foobar", lines(40, "old"))],
                change: vec![("foobar", lines(30, "new"))],
                then: Then::EditTitle,
                total_lines: 70,
                want: &[("add_label", LABEL_M)],
                ..Case::default()
            },
            Case {
                name: "pull request synchronized: the size follows the new commits",
                change: vec![("barfoo", lines(5, "b"))],
                labels: &[LABEL_XS],
                then: Then::Push,
                total_lines: 5,
                want: &[("remove_label", LABEL_XS), ("add_label", LABEL_M)],
                ..Case::default()
            },
            Case {
                name: "different label constraints",
                base: vec![("foobar", lines(10, "old"))],
                change: vec![("foobar", lines(10, "new")), ("barfoo", lines(7, "b"))],
                plugins_yaml: "size:\n  s: 0\n  m: 1\n  l: 2\n  xl: 3\n  xxl: 4\n",
                total_lines: 27,
                want: &[("add_label", LABEL_XXL)],
                ..Case::default()
            },
            Case {
                name: "configured thresholds",
                change: vec![("barfoo", lines(27, "b"))],
                plugins_yaml: "size:\n  s: 5\n  m: 20\n  l: 25\n  xl: 50\n  xxl: 60\n",
                total_lines: 27,
                want: &[("add_label", LABEL_L)],
                ..Case::default()
            },
            Case {
                name: ".generated_files is read at the base, not from the pull request",
                change: vec![
                    (".generated_files", "path-prefix gen/\n".to_owned()),
                    ("gen/big.txt", lines(40, "g")),
                ],
                total_lines: 41,
                want: &[("add_label", LABEL_M)],
                ..Case::default()
            },
            Case {
                name: "a malformed .generated_files keeps the lines before the bad one",
                base: vec![(
                    ".generated_files",
                    "path-prefix gen/\nwhat is this line anyway?\nfile-name barfoo\n".to_owned(),
                )],
                change: vec![("gen/big.txt", lines(40, "g")), ("barfoo", lines(12, "b"))],
                total_lines: 52,
                want: &[("add_label", LABEL_S)],
                ..Case::default()
            },
            Case {
                name: "an unusable .gitattributes pattern fails without labelling",
                base: vec![(".gitattributes", "gen/ linguist-generated=true\n".to_owned())],
                change: vec![("barfoo", lines(12, "b"))],
                total_lines: 12,
                want: &[],
                want_error: true,
                ..Case::default()
            },
            Case {
                name: "a missing paths-from-repo file fails without labelling",
                base: vec![(".generated_files", "paths-from-repo nope.txt\n".to_owned())],
                change: vec![("barfoo", lines(12, "b"))],
                total_lines: 12,
                want: &[],
                want_error: true,
                ..Case::default()
            },
        ];
        for case in cases {
            let mut files = Files::new().put("README.md", "# repo\n");
            for (path, text) in &case.base {
                files = files.put(*path, text.as_str());
            }
            let mut h = Harness::with_files(files);
            if !case.plugins_yaml.is_empty() {
                h.set_plugins_yaml(case.plugins_yaml);
            }
            let mut change = Files::new();
            for (path, text) in &case.change {
                change = change.put(*path, text.as_str());
            }
            let pr = h
                .sim
                .open_pull_request(&h.repo, "author", "change", "", "feature", change)
                .unwrap();
            for label in case.labels {
                h.sim.add_label_as("alice", &h.repo, pr, label).unwrap();
            }
            if case.then == Then::Push {
                h.forget();
                h.sim
                    .push_to_pull_request(&h.repo, pr, Files::new().put("more.txt", lines(30, "m")))
                    .unwrap();
            }
            let total: u64 = h
                .sim
                .pull_request_files(&h.repo, pr)
                .unwrap()
                .iter()
                .map(|c| c.additions + c.deletions)
                .sum();
            let want_total = case.total_lines + if case.then == Then::Push { 30 } else { 0 };
            assert_eq!(total, want_total, "{}: the fixture", case.name);
            match case.then {
                Then::Close => {
                    h.forget();
                    h.sim.close_pull_request_as("author", &h.repo, pr).unwrap();
                }
                Then::Reopen => {
                    h.sim.close_pull_request_as("author", &h.repo, pr).unwrap();
                    h.forget();
                    h.sim.reopen_pull_request_as("author", &h.repo, pr).unwrap();
                }
                Then::EditTitle => {
                    h.forget();
                    h.sim
                        .edit_title_as("author", &h.repo, pr, "a better title")
                        .unwrap();
                }
                Then::Nothing | Then::Push => {}
            }
            h.sim.take_calls();
            let results = h.deliver(&SizePlugin).await;
            assert!(!results.is_empty(), "{}", case.name);
            assert_eq!(
                results.iter().any(Result::is_err),
                case.want_error,
                "{}: {results:?}",
                case.name
            );
            let want: Vec<(String, String)> = case
                .want
                .iter()
                .map(|(m, l)| ((*m).to_owned(), (*l).to_owned()))
                .collect();
            assert_eq!(h.bot_actions(), want, "{}", case.name);
        }
    }

    #[test]
    fn buckets() {
        let cases = [
            (0, LABEL_XS),
            (9, LABEL_XS),
            (10, LABEL_S),
            (29, LABEL_S),
            (30, LABEL_M),
            (99, LABEL_M),
            (100, LABEL_L),
            (499, LABEL_L),
            (500, LABEL_XL),
            (999, LABEL_XL),
            (1000, LABEL_XXL),
            (u64::MAX, LABEL_XXL),
        ];
        for (lines, want) in cases {
            assert_eq!(bucket(lines, &DEFAULT_SIZES), want, "{lines}");
        }
    }

    #[test]
    fn sizes_or_default() {
        let cases = [
            ("", DEFAULT_SIZES),
            (
                "size:\n  s: 12\n  m: 15\n  l: 17\n  xl: 21\n  xxl: 51\n",
                Thresholds {
                    s: 12,
                    m: 15,
                    l: 17,
                    xl: 21,
                    xxl: 51,
                },
            ),
            ("size: {}\n", DEFAULT_SIZES),
        ];
        for (yaml, want) in cases {
            let plugins = PluginsConfig::load(yaml).unwrap();
            assert_eq!(plugins.size_thresholds(), want, "{yaml}");
        }
    }

    #[test]
    fn help_lists_the_thresholds() {
        let help = SizePlugin.help();
        assert_eq!(
            help.config[""],
            "The plugin has the following thresholds:<ul>\n<li>size/XS:  0-9</li>\n<li>size/S:   10-29</li>\n<li>size/M:   30-99</li>\n<li>size/L:   100-499</li>\n<li>size/XL:  500-999</li>\n<li>size/XXL: 1000+</li>\n</ul>"
        );
        let plugins =
            PluginsConfig::load("size:\n  s: 12\n  m: 15\n  l: 17\n  xl: 21\n  xxl: 51\n").unwrap();
        assert!(SizePlugin.help_for(&plugins, &[]).config[""].contains("<li>size/S:   12-14</li>"));
    }

    #[test]
    fn generated_files_load() {
        let k8s = "# Files that should be ignored by tools which do not want to consider generated
# code.

file-prefix zz_generated.

file-name   BUILD
file-name   types.generated.go
file-name   generated.pb.go
file-name   generated.proto
file-name   types_swagger_doc_generated.go

path-prefix Godeps/
path-prefix vendor/
path-prefix api/swagger-spec/
path-prefix pkg/generated/

paths-from-repo docs/.generated_docs";
        let mut group = genfiles::Group::default();
        assert_eq!(group.load(k8s).unwrap(), ["docs/.generated_docs"]);
        assert_eq!(group.file_names.len(), 5);
        assert_eq!(group.path_prefixes.len(), 4);
        assert_eq!(
            group.file_prefixes.iter().collect::<Vec<_>>(),
            ["zz_generated."]
        );
        assert!(group.paths.is_empty());

        let mut group = genfiles::Group::default();
        let (paths, error) = group
            .load("# This is an invalid .generated_files\n\nwhat is this line anyway?")
            .unwrap_err();
        assert!(paths.is_empty());
        assert_eq!(
            error.to_string(),
            "invalid config line: \"what is this line anyway?\""
        );

        let mut group = genfiles::Group::default();
        let partial = "# Good lines\n\nfile-prefix     myprefix\nfile-name mypath\n\npaths-from-repo myrepo\n\n# Bad lines\n\nbadline\n\ninvalid command";
        let (paths, error) = group.load(partial).unwrap_err();
        assert_eq!(paths, ["myrepo"]);
        assert_eq!(error.line, "badline");
        assert!(group.file_names.contains("mypath"));
        assert!(group.file_prefixes.contains("myprefix"));

        let mut group = genfiles::Group::default();
        group.load_paths(
            "# first 3 lines of kubernetes/docs/.generated_docs\ndocs/.generated_docs\ndocs/admin/cloud-controller-manager.md\ndocs/admin/federation-apiserver.md\n# ...",
        );
        assert_eq!(group.paths.len(), 3);
    }

    #[test]
    fn generated_files_match() {
        let group = genfiles::Group {
            paths: ["foo", "bar/", "foo/bar"].map(String::from).into(),
            path_prefixes: ["kubernetes/generated"].map(String::from).into(),
            file_names: ["generated.txt"].map(String::from).into(),
            file_prefixes: ["mygen"].map(String::from).into(),
        };
        let cases = [
            ("", false),
            ("foo", true),
            ("foo/bar", true),
            ("foo/baz", false),
            ("kubernetes/generated/one.txt", true),
            ("kubernetes/generated/two.txt", true),
            ("kubernetes/not_generated.txt", false),
            ("kubernetes/generated.txt", true),
            ("generated.txt", true),
            ("/any/old/path/generated.txt", true),
            ("/everywhere/generated.txt", true),
            ("/and/nowhere/generated.txt", true),
            ("/and/nowhere/NOT_generated.txt", false),
            ("mygen.proto", true),
            ("/any/path/mygen.go", true),
            ("/any/mygenWithAName.go", true),
            ("notmygen.go", false),
        ];
        for (path, want) in cases {
            assert_eq!(group.matches(path), want, "{path:?}");
        }
    }

    #[test]
    fn gitattributes_patterns() {
        let parse_cases = [
            ("abc.json", true),
            ("!abc.json", false),
            ("abc/", false),
            ("abc/**", true),
            ("a/*/c", true),
            ("abc.json ", true),
        ];
        for (pattern, ok) in parse_cases {
            assert_eq!(Pattern::parse(pattern).is_ok(), ok, "{pattern}");
        }
        let match_cases = [
            ("file", "abc.json", "abc.json", true),
            ("file in dir", "abc.json", "a/abc.json", true),
            ("file fail", "abc.js", "abc.json", false),
            ("glob", "*.json", "abc.json", true),
            ("glob in dir", "a/*.json", "a/abc.json", true),
            ("glob dir", "*/abc.json", "a/abc.json", true),
            ("glob dir fail", "*/abc.json", "a/b/abc.json", false),
            ("recursive file", "**/abc.json", "a/b/abc.json", true),
            ("recursive file fail", "**/abc.js", "a/b/abc.json", false),
            ("recursive dir", "a/**", "a/b/abc.json", true),
            ("class", "file[0-9].txt", "d/file7.txt", true),
            ("negated class", "file[^0-9].txt", "file7.txt", false),
            ("question mark", "?.go", "x/a.go", true),
        ];
        for (name, pattern, path, want) in match_cases {
            assert_eq!(
                Pattern::parse(pattern).unwrap().matches(path),
                want,
                "{name}"
            );
        }
        assert_eq!(glob_match("[a-", "a"), Err(BadPattern));
        assert_eq!(glob_match("a\\", "a"), Err(BadPattern));
        assert_eq!(glob_match("\\*", "*"), Ok(true));
        assert_eq!(glob_match("[]a]", "a"), Err(BadPattern));
    }

    #[test]
    fn gitattributes_load() {
        let kubernetes = "hack/verify-flags/known-flags.txt merge=union

**/zz_generated.*.go linguist-generated=true
**/types.generated.go linguist-generated=true
**/generated.pb.go linguist-generated=true
**/generated.proto
**/types_swagger_doc_generated.go linguist-generated=true
docs/api-reference/** linguist-generated=true
api/swagger-spec/*.json linguist-generated=true
api/openapi-spec/*.json linguist-generated=true";
        let group = gitattributes::Group::load(kubernetes).unwrap();
        assert_eq!(group.linguist_generated.len(), 7);
        let cases = [
            ("hack/verify-flags/known-flags.txt", false),
            ("a/generated.proto", false),
            ("a/b/generated.pb.go", true),
            ("docs/api-reference/a/b/c/abc.xml", true),
            ("api/openapi-spec/abc.json", true),
        ];
        for (path, want) in cases {
            assert_eq!(group.is_linguist_generated(path), want, "{path}");
        }
        let others = [
            (
                "*.bash    text eol=lf core.whitespace whitespace=tab-in-indent\n.git*     text eol=auto",
                0,
            ),
            (
                "# https://tools.ietf.org/html/rfc5545#section-3.1\n*.ics text eol=crlf",
                0,
            ),
            (
                "# Treat webhook fixtures as generated\n*.json linguist-generated=true",
                1,
            ),
        ];
        for (text, want) in others {
            assert_eq!(
                gitattributes::Group::load(text)
                    .unwrap()
                    .linguist_generated
                    .len(),
                want
            );
        }
        assert!(gitattributes::Group::load("abc/ linguist-generated=true").is_err());
    }
}
