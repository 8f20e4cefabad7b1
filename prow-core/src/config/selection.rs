//! Which jobs run for a change: branch and changed-file filters, comment
//! triggers, and the presubmit filters behind `/test`, `/retest` and
//! `/test all`, as shared by trigger and tide.

use std::collections::BTreeSet;
use std::collections::HashSet;
use std::convert::Infallible;
use std::fmt;
use std::sync::LazyLock;

use regex::Regex;

use crate::config::go_regex::go_regex;
use crate::config::jobs::{
    Brancher, JobConfig, Periodic, Postsubmit, Presubmit, RegexpChangeMatcher,
};

// ---------------------------------------------------------------------------
// Changed files
// ---------------------------------------------------------------------------

/// A source of the files a change touches, consulted only when a job's
/// `run_if_changed`/`skip_if_only_changed` needs them (upstream's
/// `ChangedFilesProvider`).
pub trait ChangedFiles {
    /// Error fetching the list.
    type Error;
    /// The changed file paths.
    fn changed_files(&mut self) -> Result<&[String], Self::Error>;
}

impl ChangedFiles for &[String] {
    type Error = Infallible;
    fn changed_files(&mut self) -> Result<&[String], Infallible> {
        Ok(self)
    }
}

impl ChangedFiles for Vec<String> {
    type Error = Infallible;
    fn changed_files(&mut self) -> Result<&[String], Infallible> {
        Ok(self)
    }
}

/// Fetches the changed files on first need and remembers them (a failed
/// fetch is retried on the next need), like upstream's
/// `NewGitHubDeferredChangedFilesProvider`.
pub struct LazyChangedFiles<F> {
    fetch: F,
    files: Option<Vec<String>>,
}

impl<F, E> LazyChangedFiles<F>
where
    F: FnMut() -> Result<Vec<String>, E>,
{
    /// Wraps `fetch`, which is called at most once successfully.
    pub fn new(fetch: F) -> LazyChangedFiles<F> {
        LazyChangedFiles { fetch, files: None }
    }

    /// Whether the files have been fetched.
    pub fn fetched(&self) -> bool {
        self.files.is_some()
    }
}

impl<F, E> ChangedFiles for LazyChangedFiles<F>
where
    F: FnMut() -> Result<Vec<String>, E>,
{
    type Error = E;
    fn changed_files(&mut self) -> Result<&[String], E> {
        if self.files.is_none() {
            self.files = Some((self.fetch)()?);
        }
        Ok(self.files.as_deref().unwrap_or_default())
    }
}

impl<F> fmt::Debug for LazyChangedFiles<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LazyChangedFiles")
            .field("files", &self.files)
            .finish_non_exhaustive()
    }
}

// ---------------------------------------------------------------------------
// Filters of one job
// ---------------------------------------------------------------------------

impl Brancher {
    /// Whether neither `branches` nor `skip_branches` is set.
    pub fn runs_against_all_branch(&self) -> bool {
        self.skip_branches.is_empty() && self.branches.is_empty()
    }

    /// Whether the job runs against `branch`: `skip_branches` wins over
    /// `branches`; both are unanchored Go regexes. Needs compiled regexes
    /// (a filter that was not compiled matches nothing).
    pub fn should_run(&self, branch: &str) -> bool {
        if self.runs_against_all_branch() {
            return true;
        }
        if !self.skip_branches.is_empty() && self.re_skip.is_match(branch) {
            return false;
        }
        self.branches.is_empty() || self.re.is_match(branch)
    }

    /// Whether both branchers could run against the same branch (upstream's
    /// rule: explicit branch lists intersect by name; a branch list is tested
    /// against the other's skip regexes; two skip-only branchers intersect).
    pub fn intersects(&self, other: &Brancher) -> bool {
        if self.runs_against_all_branch() || other.runs_against_all_branch() {
            return true;
        }
        if !self.branches.is_empty() {
            if !other.branches.is_empty() {
                return self.branches.iter().any(|b| other.branches.contains(b));
            }
            return self.branches.iter().any(|b| other.should_run(b));
        }
        if other.branches.is_empty() {
            return true;
        }
        other.intersects(self)
    }
}

impl RegexpChangeMatcher {
    /// Whether the job depends on the changed files at all.
    pub fn could_run(&self) -> bool {
        !self.run_if_changed.is_empty() || !self.skip_if_only_changed.is_empty()
    }

    /// `Ok(None)` when the matcher cannot decide (no change filter),
    /// `Ok(Some(run))` otherwise; fetches the changed files only then.
    pub fn should_run<C: ChangedFiles + ?Sized>(
        &self,
        changes: &mut C,
    ) -> Result<Option<bool>, C::Error> {
        if !self.could_run() {
            return Ok(None);
        }
        let files = changes.changed_files()?;
        Ok(Some(self.runs_against_changes(files)))
    }

    /// Whether any changed file matches `run_if_changed`, or any does not
    /// match `skip_if_only_changed`.
    pub fn runs_against_changes<S: AsRef<str>>(&self, changes: &[S]) -> bool {
        let run = !self.run_if_changed.is_empty();
        let skip = !self.skip_if_only_changed.is_empty();
        changes.iter().any(|change| {
            let change = change.as_ref();
            if run {
                self.re_changes.is_match(change)
            } else {
                skip && !self.re_changes.is_match(change)
            }
        })
    }
}

impl Presubmit {
    /// Whether the job may run against `base_ref` (its brancher matches).
    pub fn could_run(&self, base_ref: &str) -> bool {
        self.brancher.should_run(base_ref)
    }

    /// Upstream's `Presubmit.ShouldRun`: false off-branch; true when
    /// `always_run` or `forced`; else the change filter's verdict, or
    /// `defaults` when it has none or says no. On an error fetching the
    /// changed files the error is returned (upstream's accompanying bool is
    /// then `defaults`).
    pub fn should_run<C: ChangedFiles + ?Sized>(
        &self,
        base_ref: &str,
        changes: &mut C,
        forced: bool,
        defaults: bool,
    ) -> Result<bool, C::Error> {
        if !self.could_run(base_ref) {
            return Ok(false);
        }
        if self.always_run || forced {
            return Ok(true);
        }
        let decided = self.regexp_change_matcher.should_run(changes)?;
        Ok(decided == Some(true) || defaults)
    }

    /// Whether the job may or may not be triggered automatically.
    pub fn triggers_conditionally(&self) -> bool {
        self.needs_explicit_trigger() || self.regexp_change_matcher.could_run()
    }

    /// Whether only a comment triggers the job.
    pub fn needs_explicit_trigger(&self) -> bool {
        !self.always_run && !self.regexp_change_matcher.could_run()
    }

    /// Whether a comment body triggers the job (its trigger regex matches
    /// anywhere in the body). Needs compiled regexes.
    pub fn trigger_matches(&self, body: &str) -> bool {
        !self.trigger.is_empty() && self.trigger_re.is_match(body)
    }

    /// Whether the job's status is required for merging.
    pub fn context_required(&self) -> bool {
        !self.optional && !self.reporter.skip_report
    }
}

impl Postsubmit {
    /// Whether the job may run against `base_ref` (its brancher matches).
    pub fn could_run(&self, base_ref: &str) -> bool {
        self.brancher.should_run(base_ref)
    }

    /// Upstream's `Postsubmit.ShouldRun`: false off-branch; else the change
    /// filter's verdict; else `always_run`, which defaults to true.
    pub fn should_run<C: ChangedFiles + ?Sized>(
        &self,
        base_ref: &str,
        changes: &mut C,
    ) -> Result<bool, C::Error> {
        if !self.could_run(base_ref) {
            return Ok(false);
        }
        if let Some(run) = self.regexp_change_matcher.should_run(changes)? {
            return Ok(run);
        }
        Ok(self.always_run.unwrap_or(true))
    }
}

// ---------------------------------------------------------------------------
// Lookups
// ---------------------------------------------------------------------------

/// Job-config keys for an identifier: Gerrit repos may be configured with
/// or without their `https://` prefix.
fn keys_for(identifier: &str) -> Vec<&str> {
    let mut keys = vec![identifier];
    if identifier.starts_with("https://") || identifier.starts_with("http://") {
        let trimmed = identifier
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .trim_end_matches('/');
        keys.push(trimmed);
    }
    keys
}

impl JobConfig {
    /// The presubmits configured for `org/repo` (exact key).
    pub fn presubmits_for(&self, org_repo: &str) -> &[Presubmit] {
        self.presubmits.get(org_repo).map_or(&[], Vec::as_slice)
    }

    /// The postsubmits configured for `org/repo` (exact key).
    pub fn postsubmits_for(&self, org_repo: &str) -> &[Postsubmit] {
        self.postsubmits.get(org_repo).map_or(&[], Vec::as_slice)
    }

    /// Upstream's `GetPresubmitsStatic`: the presubmits of an identifier,
    /// also under its key without `https://` for Gerrit repos.
    pub fn presubmits_static(&self, identifier: &str) -> Vec<&Presubmit> {
        keys_for(identifier)
            .into_iter()
            .flat_map(|k| self.presubmits_for(k))
            .collect()
    }

    /// Upstream's `GetPostsubmitsStatic`.
    pub fn postsubmits_static(&self, identifier: &str) -> Vec<&Postsubmit> {
        keys_for(identifier)
            .into_iter()
            .flat_map(|k| self.postsubmits_for(k))
            .collect()
    }

    /// Presubmits of the given repos, or of every repo when `repos` is empty.
    pub fn all_static_presubmits(&self, repos: &[&str]) -> Vec<&Presubmit> {
        self.presubmits
            .iter()
            .filter(|(repo, _)| repos.is_empty() || repos.contains(&repo.as_str()))
            .flat_map(|(_, jobs)| jobs)
            .collect()
    }

    /// Postsubmits of the given repos, or of every repo when `repos` is empty.
    pub fn all_static_postsubmits(&self, repos: &[&str]) -> Vec<&Postsubmit> {
        self.postsubmits
            .iter()
            .filter(|(repo, _)| repos.is_empty() || repos.contains(&repo.as_str()))
            .flat_map(|(_, jobs)| jobs)
            .collect()
    }

    /// Every periodic.
    pub fn all_periodics(&self) -> &[Periodic] {
        &self.periodics
    }

    /// Periodics cloning `org/repo` as an extra ref (once per such ref, as
    /// upstream lists them).
    pub fn periodics_matching_extra_refs(&self, org: &str, repo: &str) -> Vec<&Periodic> {
        self.periodics
            .iter()
            .flat_map(|p| {
                p.job_base
                    .utility_config
                    .extra_refs
                    .iter()
                    .filter(|r| r.org == org && r.repo == repo)
                    .map(move |_| p)
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------
// Presubmit filters (upstream's pjutil filters)
// ---------------------------------------------------------------------------

fn command_re(pattern: &str) -> Regex {
    go_regex(pattern).unwrap_or_else(|e| panic!("built-in pattern {pattern}: {e}"))
}

static TEST_ALL_RE: LazyLock<Regex> = LazyLock::new(|| command_re(r"(?m)^/test all,?($|\s.*)"));
static RETEST_RE: LazyLock<Regex> = LazyLock::new(|| command_re(r"(?m)^/retest\s*$"));
static RETEST_REQUIRED_RE: LazyLock<Regex> =
    LazyLock::new(|| command_re(r"(?m)^/retest-required\s*$"));
static TEST_MANUAL_REQUIRED_RE: LazyLock<Regex> =
    LazyLock::new(|| command_re(r"(?m)^/test-manual-required\s*$"));
static OK_TO_TEST_RE: LazyLock<Regex> = LazyLock::new(|| command_re(r"(?m)^/ok-to-test\s*$"));
static OK_TO_TEST_CANCEL_RE: LazyLock<Regex> =
    LazyLock::new(|| command_re(r"(?m)^/ok-to-test\s+cancel\s*$"));

/// Whether a comment has a `/test all` line.
pub fn is_test_all(body: &str) -> bool {
    TEST_ALL_RE.is_match(body)
}

/// Whether a comment has a `/retest` line.
pub fn is_retest(body: &str) -> bool {
    RETEST_RE.is_match(body)
}

/// Whether a comment has a `/retest-required` line.
pub fn is_retest_required(body: &str) -> bool {
    RETEST_REQUIRED_RE.is_match(body)
}

/// Whether a comment has a `/test-manual-required` line.
pub fn is_test_manual_required(body: &str) -> bool {
    TEST_MANUAL_REQUIRED_RE.is_match(body)
}

/// Whether a comment has an `/ok-to-test` line.
pub fn is_ok_to_test(body: &str) -> bool {
    OK_TO_TEST_RE.is_match(body)
}

/// Whether a comment has an `/ok-to-test cancel` line.
pub fn is_ok_to_test_cancel(body: &str) -> bool {
    OK_TO_TEST_CANCEL_RE.is_match(body)
}

/// What a filter says about one presubmit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FilterDecision {
    /// The filter selects the job.
    pub matches: bool,
    /// The job runs whatever its conditions say.
    pub forced: bool,
    /// Whether a conditional job runs when its conditions do not match.
    pub defaults: bool,
}

impl FilterDecision {
    const NO: FilterDecision = FilterDecision {
        matches: false,
        forced: false,
        defaults: false,
    };
}

/// Selects presubmits to run in response to an event (upstream's
/// `pjutil.Filter`).
pub trait PresubmitFilter {
    /// The decision for `p`.
    fn decide(&self, p: &Presubmit) -> FilterDecision;
    /// A name for logs.
    fn name(&self) -> String;
}

/// Selects the jobs whose trigger matches a comment (`/test foo`).
#[derive(Clone, Debug)]
pub struct CommandFilter<'a> {
    body: &'a str,
}

impl<'a> CommandFilter<'a> {
    /// A filter for the comment `body`.
    pub fn new(body: &'a str) -> CommandFilter<'a> {
        CommandFilter { body }
    }
}

impl PresubmitFilter for CommandFilter<'_> {
    fn decide(&self, p: &Presubmit) -> FilterDecision {
        let hit = p.trigger_matches(self.body);
        FilterDecision {
            matches: hit,
            forced: hit,
            defaults: true,
        }
    }

    fn name(&self) -> String {
        const HALF: usize = 70;
        let body = self.body;
        if body.len() <= HALF * 2 {
            return format!("command-filter: {body}");
        }
        let head = body
            .char_indices()
            .nth(HALF)
            .map_or(body, |(i, _)| &body[..i]);
        let tail_start = body
            .char_indices()
            .rev()
            .nth(HALF - 1)
            .map_or(0, |(i, _)| i);
        format!("command-filter: {head}\n...\n{}", &body[tail_start..])
    }
}

/// `/test all`: every job that does not need an explicit trigger, subject
/// to its branch and change filters.
#[derive(Clone, Copy, Debug, Default)]
pub struct TestAllFilter;

impl PresubmitFilter for TestAllFilter {
    fn decide(&self, p: &Presubmit) -> FilterDecision {
        FilterDecision {
            matches: !p.needs_explicit_trigger(),
            forced: false,
            defaults: false,
        }
    }

    fn name(&self) -> String {
        "test-all-filter".to_string()
    }
}

/// `/retest`: failed jobs, plus automatic jobs that never reported.
#[derive(Clone, Debug, Default)]
pub struct RetestFilter {
    failed_contexts: HashSet<String>,
    all_contexts: HashSet<String>,
}

impl RetestFilter {
    /// A filter from the failed and all status contexts of the pull request.
    pub fn new(failed_contexts: HashSet<String>, all_contexts: HashSet<String>) -> RetestFilter {
        RetestFilter {
            failed_contexts,
            all_contexts,
        }
    }
}

impl PresubmitFilter for RetestFilter {
    fn decide(&self, p: &Presubmit) -> FilterDecision {
        let failed = self.failed_contexts.contains(&p.reporter.context);
        FilterDecision {
            matches: failed
                || (!p.needs_explicit_trigger()
                    && !self.all_contexts.contains(&p.reporter.context)),
            forced: false,
            defaults: failed,
        }
    }

    fn name(&self) -> String {
        "retest-filter".to_string()
    }
}

/// `/retest-required`: like `/retest` but only for required jobs.
#[derive(Clone, Debug, Default)]
pub struct RetestRequiredFilter(RetestFilter);

impl RetestRequiredFilter {
    /// A filter from the failed and all status contexts of the pull request.
    pub fn new(
        failed_contexts: HashSet<String>,
        all_contexts: HashSet<String>,
    ) -> RetestRequiredFilter {
        RetestRequiredFilter(RetestFilter::new(failed_contexts, all_contexts))
    }
}

impl PresubmitFilter for RetestRequiredFilter {
    fn decide(&self, p: &Presubmit) -> FilterDecision {
        if p.optional {
            return FilterDecision::NO;
        }
        self.0.decide(p)
    }

    fn name(&self) -> String {
        "retest-required-filter".to_string()
    }
}

/// `/test-manual-required`: required jobs that only run when asked.
#[derive(Clone, Copy, Debug, Default)]
pub struct TestManualRequiredFilter;

impl PresubmitFilter for TestManualRequiredFilter {
    fn decide(&self, p: &Presubmit) -> FilterDecision {
        let cm = &p.regexp_change_matcher;
        if p.optional
            || !p.needs_explicit_trigger()
            || !cm.run_if_changed.is_empty()
            || !cm.skip_if_only_changed.is_empty()
        {
            return FilterDecision::NO;
        }
        FilterDecision {
            matches: true,
            forced: true,
            defaults: false,
        }
    }

    fn name(&self) -> String {
        "test-manual-required-filter".to_string()
    }
}

/// The first child filter that selects a job decides for it.
#[derive(Default)]
pub struct AggregateFilter<'a> {
    filters: Vec<Box<dyn PresubmitFilter + 'a>>,
}

impl<'a> AggregateFilter<'a> {
    /// An aggregate of `filters`, in order of precedence.
    pub fn new(filters: Vec<Box<dyn PresubmitFilter + 'a>>) -> AggregateFilter<'a> {
        AggregateFilter { filters }
    }

    /// Adds a filter with the lowest precedence.
    pub fn push(&mut self, filter: impl PresubmitFilter + 'a) {
        self.filters.push(Box::new(filter));
    }
}

impl PresubmitFilter for AggregateFilter<'_> {
    fn decide(&self, p: &Presubmit) -> FilterDecision {
        self.filters
            .iter()
            .map(|f| f.decide(p))
            .find(|d| d.matches)
            .unwrap_or(FilterDecision::NO)
    }

    fn name(&self) -> String {
        let names: Vec<String> = self.filters.iter().map(|f| f.name()).collect();
        names.join("::")
    }
}

impl fmt::Debug for AggregateFilter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("AggregateFilter")
            .field(&self.name())
            .finish()
    }
}

/// Failed and all status contexts of a pull request.
pub type Contexts = (HashSet<String>, HashSet<String>);

/// The filter for a comment (upstream's `PresubmitFilter`): its commands
/// first, then `/retest`, `/retest-required`, `/test-manual-required`, and
/// `/test all` (or `/ok-to-test` when `honor_ok_to_test`). `contexts`
/// (failed and all status contexts of the pull request) is called only when
/// a retest command needs it.
pub fn presubmit_filter<'a, E>(
    honor_ok_to_test: bool,
    contexts: impl FnOnce() -> Result<Contexts, E>,
    body: &'a str,
) -> Result<AggregateFilter<'a>, E> {
    let mut getter = Some(contexts);
    let mut fetched: Option<Contexts> = None;
    let mut get = || -> Result<Contexts, E> {
        if let Some(c) = &fetched {
            return Ok(c.clone());
        }
        let c = match getter.take() {
            Some(g) => g()?,
            None => Contexts::default(),
        };
        fetched = Some(c.clone());
        Ok(c)
    };
    let mut filter = AggregateFilter::default();
    filter.push(CommandFilter::new(body));
    if is_retest(body) {
        let (failed, all) = get()?;
        filter.push(RetestFilter::new(failed, all));
    }
    if is_retest_required(body) {
        let (failed, all) = get()?;
        filter.push(RetestRequiredFilter::new(failed, all));
    }
    if is_test_manual_required(body) {
        filter.push(TestManualRequiredFilter);
    }
    if (honor_ok_to_test && is_ok_to_test(body)) || is_test_all(body) {
        filter.push(TestAllFilter);
    }
    Ok(filter)
}

/// A failure to decide whether a presubmit runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterError<E> {
    /// The presubmit concerned.
    pub job: String,
    /// Why the changed files could not be had.
    pub source: E,
}

impl<E: fmt::Display> fmt::Display for FilterError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: should run: {}", self.job, self.source)
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for FilterError<E> {}

/// The presubmits `filter` selects that should run against `branch`
/// (upstream's `FilterPresubmits`).
pub fn filter_presubmits<'p, C: ChangedFiles + ?Sized>(
    filter: &dyn PresubmitFilter,
    changes: &mut C,
    branch: &str,
    presubmits: &'p [Presubmit],
) -> Result<Vec<&'p Presubmit>, FilterError<C::Error>> {
    let mut selected = Vec::new();
    for p in presubmits {
        let d = filter.decide(p);
        if !d.matches {
            continue;
        }
        let run = p
            .should_run(branch, changes, d.forced, d.defaults)
            .map_err(|source| FilterError {
                job: p.job_base.name.clone(),
                source,
            })?;
        if run {
            selected.push(p);
        }
    }
    Ok(selected)
}

/// What can be run on a pull request (upstream's `AvailablePresubmits`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AvailablePresubmits {
    /// Names of the jobs `/test all` runs.
    pub test_all: BTreeSet<String>,
    /// Rerun commands of optional jobs that can be triggered.
    pub optional_commands: BTreeSet<String>,
    /// Rerun commands of required jobs that can be triggered.
    pub required_commands: BTreeSet<String>,
}

/// Lists the jobs `/test all` runs against `branch` and the rerun commands
/// usable on it.
pub fn available_presubmits<C: ChangedFiles + ?Sized>(
    changes: &mut C,
    branch: &str,
    presubmits: &[Presubmit],
) -> Result<AvailablePresubmits, FilterError<C::Error>> {
    let mut out = AvailablePresubmits::default();
    for p in filter_presubmits(&TestAllFilter, changes, branch, presubmits)? {
        out.test_all.insert(p.job_base.name.clone());
    }
    let mut by_command = AggregateFilter::default();
    for p in presubmits {
        by_command.push(CommandFilter::new(&p.rerun_command));
    }
    for p in filter_presubmits(&by_command, changes, branch, presubmits)? {
        let set = if p.optional {
            &mut out.optional_commands
        } else {
            &mut out.required_commands
        };
        set.insert(p.rerun_command.clone());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::go_regex::RegexCache;
    use crate::config::jobs::{JobDefaults, default_rerun_command_for, default_trigger_for};

    fn yaml<T: serde::de::DeserializeOwned>(text: &str) -> T {
        crate::yaml::from_str(text).unwrap_or_else(|e| panic!("bad test yaml: {e}\n{text}"))
    }

    fn compiled_presubmit(yaml_text: &str) -> Presubmit {
        let mut p: Presubmit = yaml(yaml_text);
        p.compile_regexes(&mut RegexCache::new())
            .unwrap_or_else(|e| panic!("{e}"));
        p
    }

    fn compiled_postsubmit(yaml_text: &str) -> Postsubmit {
        let mut p: Postsubmit = yaml(yaml_text);
        p.compile_regexes(&mut RegexCache::new())
            .unwrap_or_else(|e| panic!("{e}"));
        p
    }

    fn brancher(branches: &[&str], skip: &[&str]) -> Brancher {
        let mut b = Brancher::new(
            branches.iter().map(|s| s.to_string()).collect(),
            skip.iter().map(|s| s.to_string()).collect(),
        );
        b.compile(&mut RegexCache::new()).unwrap();
        b
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn run_if_changed() {
        let pattern = r"(Makefile|\.sh|_(windows|linux|osx|unknown)(_test)?\.go)$";
        let pre = compiled_presubmit(&format!("name: cross build\nrun_if_changed: '{pattern}'\n"));
        let post =
            compiled_postsubmit(&format!("name: cross build\nrun_if_changed: '{pattern}'\n"));
        let cases: &[(&[&str], bool)] = &[
            (&["some random file"], false),
            (&["./pkg/util/rlimit/rlimit_linux.go"], true),
            (&["./pkg/util/rlimit/rlimit_unknown_test.go"], true),
            (&["build.sh"], true),
            (&["build.shoo"], false),
            (&["Makefile"], true),
        ];
        for (changes, want) in cases {
            assert_eq!(
                pre.regexp_change_matcher.runs_against_changes(changes),
                *want,
                "{changes:?}"
            );
            assert_eq!(
                post.regexp_change_matcher.runs_against_changes(changes),
                *want,
                "{changes:?}"
            );
        }
    }

    #[test]
    fn skip_if_only_changed() {
        let pattern = r"^docs/|\.(md|adoc)$|/?(README|OWNERS)$";
        let pre = compiled_presubmit(&format!(
            "name: cross build\nskip_if_only_changed: '{pattern}'\n"
        ));
        let post = compiled_postsubmit(&format!(
            "name: cross build\nskip_if_only_changed: '{pattern}'\n"
        ));
        let cases: &[(&[&str], bool)] = &[
            (&["some random file"], true),
            (&["./pkg/util/rlimit/rlimit_linux.go"], true),
            (&["docs/cobragen.go"], false),
            (&["./docs/cobragen.go"], true),
            (
                &[
                    "README",
                    "README.md",
                    "OWNERS",
                    "path/to/something.adoc",
                    "path/to/README",
                ],
                false,
            ),
            (
                &[
                    "README",
                    "README.md",
                    "OWNERS",
                    "path/to/something.adoc",
                    "path/to/README",
                    "foo",
                ],
                true,
            ),
            (&[], false),
        ];
        for (changes, want) in cases {
            assert_eq!(
                pre.regexp_change_matcher.runs_against_changes(changes),
                *want,
                "{changes:?}"
            );
            assert_eq!(
                post.regexp_change_matcher.runs_against_changes(changes),
                *want,
                "{changes:?}"
            );
        }
    }

    #[test]
    fn run_against_branch() {
        let jobs = [
            ("a", brancher(&[], &["s"])),
            ("b", brancher(&["r"], &[])),
            ("c", brancher(&["r"], &["s"])),
            ("d", brancher(&["s", "r"], &["s"])),
            ("default", brancher(&[], &[])),
        ];
        for (name, b) in &jobs {
            assert_eq!(b.should_run("s"), *name == "default", "{name} on s");
            assert!(b.should_run("r"), "{name} on r");
        }
    }

    #[test]
    fn branch_patterns_are_unanchored_like_upstream() {
        // Upstream joins the patterns with `|` and matches anywhere.
        let b = brancher(&["main"], &[]);
        assert!(b.should_run("main"));
        assert!(b.should_run("maintenance"));
        assert!(b.should_run("not-main"));
        assert!(!b.should_run("master"));
        let b = brancher(&["^main$"], &[]);
        assert!(!b.should_run("maintenance"));
        let b = brancher(&[], &[r"release-\d+\.\d+"]);
        assert!(!b.should_run("release-1.37"));
        assert!(!b.should_run("my-release-1.37-fork"));
        assert!(b.should_run("release-next"));
        // Go's \d is ASCII-only.
        assert!(b.should_run("release-١.٢"));
    }

    #[test]
    fn brancher_intersects() {
        let cases: &[(&str, Brancher, Brancher, bool)] = &[
            (
                "TwodifferentBranches",
                brancher(&["a"], &[]),
                brancher(&["b"], &[]),
                false,
            ),
            (
                "Opposite",
                brancher(&[], &["b"]),
                brancher(&["b"], &[]),
                false,
            ),
            (
                "BothRunOnAllBranches",
                brancher(&[], &[]),
                brancher(&[], &[]),
                true,
            ),
            (
                "RunsOnAllBranchesAndSpecified",
                brancher(&[], &[]),
                brancher(&["b"], &[]),
                true,
            ),
            (
                "SkipBranchesAndSet",
                brancher(&[], &["a", "b", "c"]),
                brancher(&["a"], &[]),
                false,
            ),
            (
                "SkipBranchesAndSet",
                brancher(&["c"], &[]),
                brancher(&["a"], &[]),
                false,
            ),
            (
                "BothSkipBranches",
                brancher(&[], &["a", "b", "c"]),
                brancher(&[], &["d", "e", "f"]),
                true,
            ),
            (
                "BothSkipCommonBranches",
                brancher(&[], &["a", "b", "c"]),
                brancher(&[], &["b", "e", "f"]),
                true,
            ),
            (
                "NoIntersectionBecauseRegexSkip",
                brancher(&[], &[r"release-\d+\.\d+"]),
                brancher(&["release-1.14", "release-1.13"], &[]),
                false,
            ),
            (
                "IntersectionDespiteRegexSkip",
                brancher(&[], &[r"release-\d+\.\d+"]),
                brancher(&["release-1.14", "master"], &[]),
                true,
            ),
            (
                "SharedBranch",
                brancher(&["a", "b"], &[]),
                brancher(&["b"], &[]),
                true,
            ),
        ];
        for (name, a, b, want) in cases {
            assert_eq!(a.intersects(b), *want, "{name} a∩b");
            assert_eq!(b.intersects(a), *want, "{name} b∩a");
        }
    }

    #[derive(Debug, PartialEq)]
    struct Oops;

    fn provider(
        files: &[&str],
        fail: bool,
    ) -> LazyChangedFiles<impl FnMut() -> Result<Vec<String>, Oops>> {
        let files = strings(files);
        LazyChangedFiles::new(move || if fail { Err(Oops) } else { Ok(files.clone()) })
    }

    #[test]
    fn presubmit_should_run() {
        const TRIGGER: &str =
            "trigger: '(?m)^/test (?:.*? )?foo(?: .*?)?$'\nrerun_command: /test foo\n";
        struct Case {
            name: &'static str,
            job: String,
            files: &'static [&'static str],
            fail: bool,
            r#ref: &'static str,
            forced: bool,
            defaults: bool,
            want: Result<bool, Oops>,
        }
        let case = |name, job: &str, r#ref| Case {
            name,
            job: format!("name: foo\n{job}"),
            files: &[],
            fail: false,
            r#ref,
            forced: false,
            defaults: false,
            want: Ok(false),
        };
        let cases = vec![
            case(
                "job skipped on the branch won't run",
                "skip_branches: [master]\n",
                "master",
            ),
            Case {
                want: Ok(true),
                ..case(
                    "job enabled on the branch will run",
                    "branches: [something]\nalways_run: true\n",
                    "something",
                )
            },
            case(
                "job running only on other branches won't run",
                "branches: [master]\n",
                "release-1.11",
            ),
            Case {
                want: Ok(true),
                ..case(
                    "job on a branch that's not skipped will run",
                    "skip_branches: [master]\nalways_run: true\n",
                    "other",
                )
            },
            Case {
                want: Ok(true),
                ..case(
                    "job with always_run: true should run",
                    "always_run: true\n",
                    "master",
                )
            },
            case(
                "job with always_run: false and no run_if_changed or skip_if_only_changed should not run",
                &format!("always_run: false\n{TRIGGER}"),
                "master",
            ),
            Case {
                fail: true,
                want: Err(Oops),
                ..case(
                    "job with run_if_changed but file get errors should not run",
                    &format!("{TRIGGER}run_if_changed: file\n"),
                    "master",
                )
            },
            Case {
                files: &["something"],
                fail: true,
                want: Err(Oops),
                ..case(
                    "job with skip_if_only_changed but file get errors should not run",
                    &format!("{TRIGGER}skip_if_only_changed: file\n"),
                    "master",
                )
            },
            Case {
                files: &["something"],
                ..case(
                    "job with run_if_changed not matching should not run",
                    &format!("{TRIGGER}run_if_changed: ^file$\n"),
                    "master",
                )
            },
            Case {
                files: &["onefile", "two-file", "pkg/controller/three_file"],
                ..case(
                    "job with skip_if_only_changed all matching should not run",
                    &format!("{TRIGGER}skip_if_only_changed: file$\n"),
                    "master",
                )
            },
            Case {
                files: &["something"],
                defaults: true,
                want: Ok(true),
                ..case(
                    "job with run_if_changed not matching should run when default=true",
                    &format!("{TRIGGER}run_if_changed: ^file$\n"),
                    "master",
                )
            },
            Case {
                files: &["onefile", "two-file", "pkg/controller/three_file"],
                defaults: true,
                want: Ok(true),
                ..case(
                    "job with skip_if_only_changed all matching should run when default=true",
                    &format!("{TRIGGER}skip_if_only_changed: file$\n"),
                    "master",
                )
            },
            Case {
                files: &["file"],
                want: Ok(true),
                ..case(
                    "job with run_if_changed matching should run",
                    &format!("{TRIGGER}run_if_changed: ^file$\n"),
                    "master",
                )
            },
            Case {
                files: &["onefile", "two-file", "pkg/controller/three_file.go"],
                want: Ok(true),
                ..case(
                    "job with skip_if_all_changed partially matching should run",
                    &format!("{TRIGGER}skip_if_only_changed: file$\n"),
                    "master",
                )
            },
            Case {
                forced: true,
                want: Ok(true),
                ..case(
                    "forced job runs without consulting files",
                    &format!("{TRIGGER}run_if_changed: ^file$\n"),
                    "master",
                )
            },
            Case {
                forced: true,
                ..case(
                    "forced job still respects branches",
                    "branches: [main]\n",
                    "master",
                )
            },
            Case {
                defaults: true,
                want: Ok(true),
                ..case("defaults apply to manual jobs", TRIGGER, "master")
            },
        ];
        for c in cases {
            let job = compiled_presubmit(&c.job);
            let mut files = provider(c.files, c.fail);
            let got = job.should_run(c.r#ref, &mut files, c.forced, c.defaults);
            assert_eq!(got, c.want, "{}", c.name);
        }
    }

    #[test]
    fn postsubmit_should_run() {
        struct Case {
            name: &'static str,
            job: &'static str,
            files: &'static [&'static str],
            fail: bool,
            r#ref: &'static str,
            want: Result<bool, Oops>,
        }
        let case = |name, job, r#ref, want| Case {
            name,
            job,
            files: &[],
            fail: false,
            r#ref,
            want,
        };
        let cases = vec![
            case(
                "job skipped on the branch won't run",
                "skip_branches: [master]",
                "master",
                Ok(false),
            ),
            case(
                "job enabled on the branch will run",
                "branches: [something]",
                "something",
                Ok(true),
            ),
            case(
                "job running only on other branches won't run",
                "branches: [master]",
                "release-1.11",
                Ok(false),
            ),
            case(
                "job on a branch that's not skipped will run",
                "skip_branches: [master]",
                "other",
                Ok(true),
            ),
            case(
                "job with no run_if_changed should run",
                "{}",
                "master",
                Ok(true),
            ),
            Case {
                fail: true,
                ..case(
                    "job with run_if_changed but file get errors should not run",
                    "run_if_changed: file",
                    "master",
                    Err(Oops),
                )
            },
            Case {
                files: &["something"],
                fail: true,
                ..case(
                    "job with skip_if_only_changed but file get errors should not run",
                    "skip_if_only_changed: file",
                    "master",
                    Err(Oops),
                )
            },
            Case {
                files: &["something"],
                ..case(
                    "job with run_if_changed not matching should not run",
                    "run_if_changed: ^file$",
                    "master",
                    Ok(false),
                )
            },
            Case {
                files: &["onefile", "two-file", "pkg/controller/three_file"],
                ..case(
                    "job with skip_if_only_changed all matching should not run",
                    "skip_if_only_changed: file$",
                    "master",
                    Ok(false),
                )
            },
            Case {
                files: &["file"],
                ..case(
                    "job with run_if_changed matching should run",
                    "run_if_changed: ^file$",
                    "master",
                    Ok(true),
                )
            },
            Case {
                files: &["onefile", "two-file", "pkg/controller/three_file.go"],
                ..case(
                    "job with skip_if_only_changed partially matching should run",
                    "skip_if_only_changed: file$",
                    "master",
                    Ok(true),
                )
            },
            Case {
                files: &["file"],
                ..case(
                    "job with run_if_changed matching (and `always_run` explicitly set to false) should run",
                    "{always_run: false, run_if_changed: ^file$}",
                    "master",
                    Ok(true),
                )
            },
            Case {
                files: &["onefile", "two-file", "pkg/controller/three_file.go"],
                ..case(
                    "job with skip_if_only_changed partially matching (and `always_run` explicitly set to false) should run",
                    "{always_run: false, skip_if_only_changed: file$}",
                    "master",
                    Ok(true),
                )
            },
            case(
                "job with `always_run` explicitly set to true will run",
                "always_run: true",
                "master",
                Ok(true),
            ),
            case(
                "job with `always_run` explicitly set to false will not run",
                "always_run: false",
                "master",
                Ok(false),
            ),
            case(
                "job skipped on the branch will not run, even if `always_run` set to true explicitly",
                "{always_run: true, skip_branches: [master]}",
                "master",
                Ok(false),
            ),
            case(
                "job enabled on the branch (with `always_run` explicitly set to false explicitly) will not run",
                "{always_run: false, branches: [something]}",
                "something",
                Ok(false),
            ),
        ];
        for c in cases {
            let job = compiled_postsubmit(c.job);
            let mut files = provider(c.files, c.fail);
            assert_eq!(job.should_run(c.r#ref, &mut files), c.want, "{}", c.name);
        }
    }

    #[test]
    fn changed_files_are_fetched_lazily_and_once() {
        let calls = std::cell::Cell::new(0);
        let mut files = LazyChangedFiles::new(|| {
            calls.set(calls.get() + 1);
            Ok::<_, Oops>(strings(&["a.go"]))
        });
        let always = compiled_presubmit("name: a\nalways_run: true\n");
        let ric = compiled_presubmit("name: b\nrun_if_changed: '\\.go$'\n");
        assert_eq!(
            always.should_run("main", &mut files, false, false),
            Ok(true)
        );
        assert_eq!(calls.get(), 0);
        assert!(!files.fetched());
        assert_eq!(ric.should_run("main", &mut files, false, false), Ok(true));
        assert_eq!(ric.should_run("main", &mut files, false, false), Ok(true));
        assert_eq!(calls.get(), 1);
        // Plain slices work too.
        let list = strings(&["docs/x.md"]);
        assert_eq!(
            ric.should_run("main", &mut list.as_slice(), false, false),
            Ok(false)
        );
    }

    #[test]
    fn default_trigger_matching() {
        let mut job: Presubmit = yaml("name: pull-foo\n");
        job.set_defaults("org/repo", &JobDefaults::new("pods"), &[])
            .unwrap();
        job.compile_regexes(&mut RegexCache::new()).unwrap();
        assert_eq!(job.trigger, default_trigger_for("pull-foo"));
        assert_eq!(job.rerun_command, default_rerun_command_for("pull-foo"));
        let cases: &[(&str, bool)] = &[
            ("/test pull-foo", true),
            ("/test pull-foo,", true),
            ("/test pull-foo pull-bar", true),
            ("/test pull-bar pull-foo", true),
            ("/test pull-bar, pull-foo, pull-baz", true),
            ("please\n/test pull-foo\nthanks", true),
            ("/test pull-foo\t", true),
            ("/test pull-foobar", false),
            ("/test pull-foo-bar", false),
            ("/testpull-foo", false),
            (" /test pull-foo", false),
            ("/test all", false),
            ("/retest", false),
            ("", false),
        ];
        for (body, want) in cases {
            assert_eq!(job.trigger_matches(body), *want, "{body:?}");
        }
        // A job with no trigger never matches.
        let mut none = job.clone();
        none.trigger.clear();
        assert!(!none.trigger_matches("/test pull-foo"));
    }

    #[test]
    fn conditional_triggering_predicates() {
        let manual = compiled_presubmit("name: a\n");
        let auto = compiled_presubmit("name: b\nalways_run: true\n");
        let ric = compiled_presubmit("name: c\nrun_if_changed: x\n");
        assert!(manual.needs_explicit_trigger() && manual.triggers_conditionally());
        assert!(!auto.needs_explicit_trigger() && !auto.triggers_conditionally());
        assert!(!ric.needs_explicit_trigger() && ric.triggers_conditionally());
        let optional = compiled_presubmit("name: d\noptional: true\n");
        let skip = compiled_presubmit("name: e\nskip_report: true\n");
        assert!(manual.context_required());
        assert!(!optional.context_required());
        assert!(!skip.context_required());
        assert!(manual.could_run("anything"));
    }

    fn config() -> JobConfig {
        yaml(
            r#"
presubmits:
  r1: [{name: a}, {name: b}]
  r2: [{name: c}, {name: d}]
  gerrit.example.com/repo: [{name: g}]
postsubmits:
  r1: [{name: e}]
  r2: [{name: e2}]
periodics:
- name: c
  extra_refs: [{org: o, repo: r1}]
- name: d
- name: e
  extra_refs: [{org: x, repo: y}, {org: o, repo: r1}]
"#,
        )
    }

    fn names<'a, T: crate::config::jobs::Job + 'a>(
        jobs: impl IntoIterator<Item = &'a T>,
    ) -> Vec<&'a str> {
        let mut v: Vec<&str> = jobs.into_iter().map(|j| j.name()).collect();
        v.sort();
        v
    }

    #[test]
    fn listing_jobs() {
        let c = config();
        assert_eq!(
            names(c.all_static_presubmits(&[])),
            vec!["a", "b", "c", "d", "g"]
        );
        assert_eq!(names(c.all_static_presubmits(&["r2"])), vec!["c", "d"]);
        assert_eq!(names(c.all_static_postsubmits(&[])), vec!["e", "e2"]);
        assert_eq!(names(c.all_static_postsubmits(&["r2"])), vec!["e2"]);
        assert_eq!(names(c.all_periodics()), vec!["c", "d", "e"]);
        assert_eq!(
            names(c.periodics_matching_extra_refs("o", "r1")),
            vec!["c", "e"]
        );
        assert_eq!(names(c.presubmits_for("r1")), vec!["a", "b"]);
        assert!(c.presubmits_for("nope").is_empty());
        assert_eq!(names(c.postsubmits_for("r1")), vec!["e"]);
        assert_eq!(
            names(c.presubmits_static("https://gerrit.example.com/repo")),
            vec!["g"]
        );
        assert_eq!(names(c.presubmits_static("r2")), vec!["c", "d"]);
        assert_eq!(names(c.postsubmits_static("r2")), vec!["e2"]);
    }

    fn repo_jobs() -> Vec<Presubmit> {
        let mut jc: JobConfig = yaml(
            r#"
presubmits:
  org/repo:
  - name: auto
    always_run: true
  - name: manual
  - name: manual-optional
    optional: true
  - name: go
    run_if_changed: '\.go$'
  - name: docs
    run_if_changed: '^docs/'
    optional: true
  - name: release-only
    always_run: true
    branches: [release]
  - name: all-too
    trigger: '(?m)^/test (all|all-too)$'
    rerun_command: /test all-too
"#,
        );
        assert!(jc.finalize(&JobDefaults::new("pods")).is_empty());
        jc.presubmits.remove("org/repo").unwrap()
    }

    fn selected(
        filter: &dyn PresubmitFilter,
        files: &[&str],
        branch: &str,
        jobs: &[Presubmit],
    ) -> Vec<String> {
        let mut files = strings(files);
        filter_presubmits(filter, &mut files, branch, jobs)
            .unwrap()
            .into_iter()
            .map(|p| p.job_base.name.clone())
            .collect()
    }

    fn comment_filter(body: &str, failed: &[&str], all: &[&str]) -> AggregateFilter<'static> {
        let body: &'static str = Box::leak(body.to_string().into_boxed_str());
        let failed: HashSet<String> = failed.iter().map(|s| s.to_string()).collect();
        let all: HashSet<String> = all.iter().map(|s| s.to_string()).collect();
        presubmit_filter::<Infallible>(false, || Ok((failed, all)), body).unwrap()
    }

    #[test]
    fn comment_filters() {
        let jobs = repo_jobs();
        let go = ["main.go"];
        // `/test all` runs automatic jobs whose conditions hold, plus jobs
        // whose trigger matches it explicitly.
        assert_eq!(
            selected(&comment_filter("/test all", &[], &[]), &go, "main", &jobs),
            vec!["auto", "go", "all-too"]
        );
        assert_eq!(
            selected(
                &comment_filter("/test all", &[], &[]),
                &["docs/a.md"],
                "release",
                &jobs
            ),
            vec!["auto", "docs", "release-only", "all-too"]
        );
        // `/test <name>` forces the named job, whatever its conditions.
        assert_eq!(
            selected(&comment_filter("/test docs", &[], &[]), &go, "main", &jobs),
            vec!["docs"]
        );
        assert_eq!(
            selected(
                &comment_filter("/test manual manual-optional", &[], &[]),
                &go,
                "main",
                &jobs
            ),
            vec!["manual", "manual-optional"]
        );
        // ... but not on branches it does not run against.
        assert!(
            selected(
                &comment_filter("/test release-only", &[], &[]),
                &go,
                "main",
                &jobs
            )
            .is_empty()
        );
        // `/retest`: failed jobs, plus automatic jobs that never reported.
        assert_eq!(
            selected(
                &comment_filter("/retest", &["manual", "docs"], &["manual", "docs", "auto"]),
                &go,
                "main",
                &jobs
            ),
            vec!["manual", "go", "docs"]
        );
        // `/retest-required` leaves optional jobs out.
        assert_eq!(
            selected(
                &comment_filter(
                    "/retest-required",
                    &["manual", "docs"],
                    &["manual", "docs", "auto", "go"]
                ),
                &go,
                "main",
                &jobs
            ),
            vec!["manual"]
        );
        // `/test-manual-required`: required jobs that need a trigger.
        assert_eq!(
            selected(
                &comment_filter("/test-manual-required", &[], &[]),
                &go,
                "main",
                &jobs
            ),
            vec!["manual", "all-too"]
        );
        assert!(selected(&comment_filter("looks good", &[], &[]), &go, "main", &jobs).is_empty());
        // `/ok-to-test` only counts when honoured.
        let filter =
            presubmit_filter::<Infallible>(true, || Ok(Contexts::default()), "/ok-to-test")
                .unwrap();
        assert_eq!(selected(&filter, &go, "main", &jobs), vec!["auto", "go"]);
        assert_eq!(
            filter.name(),
            "command-filter: /ok-to-test::test-all-filter"
        );
    }

    #[test]
    fn contexts_are_fetched_only_for_retests() {
        let called = std::cell::Cell::new(0);
        let get = || {
            called.set(called.get() + 1);
            Ok::<_, String>(Contexts::default())
        };
        presubmit_filter(false, get, "/test foo").unwrap();
        assert_eq!(called.get(), 0);
        presubmit_filter(false, get, "/retest\n/retest-required").unwrap();
        assert_eq!(called.get(), 1);
        let err = presubmit_filter(false, || Err::<Contexts, _>("boom".to_string()), "/retest")
            .unwrap_err();
        assert_eq!(err, "boom");
    }

    #[test]
    fn filter_errors_name_the_job() {
        let jobs = repo_jobs();
        let mut files = LazyChangedFiles::new(|| Err::<Vec<String>, _>("rate limited"));
        let err = filter_presubmits(&TestAllFilter, &mut files, "main", &jobs).unwrap_err();
        assert_eq!(err.to_string(), "go: should run: rate limited");
    }

    #[test]
    fn available_presubmits_lists_commands() {
        let jobs = repo_jobs();
        let mut files = strings(&["main.go"]);
        let got = available_presubmits(&mut files, "main", &jobs).unwrap();
        let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
        assert_eq!(got.test_all, set(&["auto", "go"]));
        assert_eq!(
            got.optional_commands,
            set(&["/test docs", "/test manual-optional"])
        );
        assert_eq!(
            got.required_commands,
            set(&["/test all-too", "/test auto", "/test go", "/test manual"])
        );
    }

    #[test]
    fn command_recognizers() {
        assert!(is_test_all("/test all"));
        assert!(is_test_all("hi\n/test all, please"));
        assert!(!is_test_all("/test allx"));
        assert!(is_retest("/retest  "));
        assert!(!is_retest("/retest foo"));
        assert!(is_retest_required("/retest-required"));
        assert!(is_test_manual_required("/test-manual-required"));
        assert!(is_ok_to_test("/ok-to-test"));
        assert!(is_ok_to_test_cancel("/ok-to-test  cancel"));
        assert!(!is_ok_to_test("/ok-to-test cancel"));
        let long = "x".repeat(200);
        let name = CommandFilter::new(&long).name();
        assert_eq!(
            name,
            format!(
                "command-filter: {}\n...\n{}",
                "x".repeat(70),
                "x".repeat(70)
            )
        );
    }
}
