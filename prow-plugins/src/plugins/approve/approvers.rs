//! Who must approve a pull request and who has: the OWNERS files its changes need approval
//! from, the approvals given, and the approvers to suggest (upstream's `approvers` package).
//!
//! [`Owners`] resolves the changed files against a repository's OWNERS data ([`OwnersRepo`]);
//! [`Approvers`] records approvals and answers whether every OWNERS file is covered.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use prow_core::owners::RepoOwners;

use super::shuffle::GoRand;

/// The OWNERS data the approval computation asks about (implemented by
/// [`RepoOwners`]; tests use a fake).
pub trait OwnersRepo {
    /// Every approver of `path`, parent directories included (lower-case logins).
    fn approvers(&self, path: &str) -> BTreeSet<String>;
    /// The closest approvers of `path`.
    fn leaf_approvers(&self, path: &str) -> BTreeSet<String>;
    /// The directory of the closest OWNERS file with approvers for `path` (`""`: the root).
    fn find_approver_owners_for_file(&self, path: &str) -> String;
    /// Whether the OWNERS file of `dir` sets `no_parent_owners`.
    fn is_no_parent_owners(&self, dir: &str) -> bool;
    /// Whether the OWNERS file of `dir` sets `auto_approve_unowned_subfolders`.
    fn is_auto_approve_unowned_subfolders(&self, dir: &str) -> bool;
    /// The name of OWNERS files (`OWNERS`).
    fn owners_filename(&self) -> String;
}

impl OwnersRepo for RepoOwners {
    fn approvers(&self, path: &str) -> BTreeSet<String> {
        RepoOwners::approvers(self, path).set()
    }

    fn leaf_approvers(&self, path: &str) -> BTreeSet<String> {
        RepoOwners::leaf_approvers(self, path)
    }

    fn find_approver_owners_for_file(&self, path: &str) -> String {
        RepoOwners::find_approver_owners_for_file(self, path)
    }

    fn is_no_parent_owners(&self, dir: &str) -> bool {
        RepoOwners::is_no_parent_owners(self, dir)
    }

    fn is_auto_approve_unowned_subfolders(&self, dir: &str) -> bool {
        RepoOwners::is_auto_approve_unowned_subfolders(self, dir)
    }

    fn owners_filename(&self) -> String {
        self.filenames().owners.clone()
    }
}

/// Go's `filepath.Dir` for the slash-separated relative paths GitHub reports.
fn go_dir(path: &str) -> String {
    match path.rfind('/') {
        Some(0) => "/".to_owned(),
        Some(idx) => {
            let parent = path[..idx].trim_end_matches('/');
            if parent.is_empty() {
                "/".to_owned()
            } else {
                parent.to_owned()
            }
        }
        None => ".".to_owned(),
    }
}

/// The root directory is `""`, not `.`.
fn canonical_dir(dir: &str) -> &str {
    if dir == "." { "" } else { dir }
}

/// One changed file, resolved once against the OWNERS data.
#[derive(Clone, Debug)]
struct ChangedFile {
    owners_file: String,
    approvers: BTreeSet<String>,
    leaf_approvers: BTreeSet<String>,
}

/// The changed files of a pull request and the OWNERS files that must approve them.
#[derive(Clone, Debug)]
pub struct Owners {
    files: Vec<ChangedFile>,
    /// Whether the pull request changes any file at all (including files that need no
    /// approval).
    has_files: bool,
    owners_set: BTreeSet<String>,
    owners_filename: String,
    seed: i64,
}

impl Owners {
    /// Resolves `filenames` (the changed files) against `repo`; `seed` (the pull request's
    /// number) varies which approvers are suggested.
    pub fn new(filenames: &[String], repo: &dyn OwnersRepo, seed: i64) -> Owners {
        let files: Vec<ChangedFile> = filenames
            .iter()
            .map(|name| ChangedFile {
                owners_file: repo.find_approver_owners_for_file(name),
                approvers: repo.approvers(name),
                leaf_approvers: repo.leaf_approvers(name),
            })
            .collect();
        let mut owners_set = BTreeSet::new();
        for (name, file) in filenames.iter().zip(&files) {
            // A file in a subdirectory (without OWNERS of its own) of a directory that
            // auto-approves its unowned subfolders needs no approval.
            let grandparent = go_dir(&go_dir(name));
            if grandparent.contains(file.owners_file.as_str())
                && repo.is_auto_approve_unowned_subfolders(&file.owners_file)
            {
                continue;
            }
            owners_set.insert(file.owners_file.clone());
        }
        remove_subdirs(&mut owners_set, repo);
        Owners {
            files,
            has_files: !filenames.is_empty(),
            owners_set,
            owners_filename: repo.owners_filename(),
            seed,
        }
    }

    /// The name of OWNERS files in the repository.
    pub fn owners_filename(&self) -> &str {
        &self.owners_filename
    }

    /// The OWNERS directories whose approval the pull request needs.
    pub fn owners_set(&self) -> &BTreeSet<String> {
        &self.owners_set
    }

    /// OWNERS directory → everyone who may approve the files it covers.
    pub fn approvers(&self) -> BTreeMap<String, BTreeSet<String>> {
        self.by_owners_file(|f| &f.approvers)
    }

    /// OWNERS directory → the closest approvers of the files it covers.
    pub fn leaf_approvers(&self) -> BTreeMap<String, BTreeSet<String>> {
        self.by_owners_file(|f| &f.leaf_approvers)
    }

    fn by_owners_file(
        &self,
        people: impl Fn(&ChangedFile) -> &BTreeSet<String>,
    ) -> BTreeMap<String, BTreeSet<String>> {
        let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for file in &self.files {
            if self.owners_set.contains(&file.owners_file) {
                out.entry(file.owners_file.clone())
                    .or_default()
                    .extend(people(file).iter().cloned());
            }
        }
        out
    }

    /// The closest approvers of every OWNERS file needed, sorted, a login once per file.
    pub fn all_potential_approvers(&self) -> Vec<String> {
        let mut out: Vec<String> = self.leaf_approvers().into_values().flatten().collect();
        out.sort();
        out
    }

    /// Person → the OWNERS directories (keys of `approvers`) they may approve.
    pub fn reverse_map(
        approvers: &BTreeMap<String, BTreeSet<String>>,
    ) -> BTreeMap<String, BTreeSet<String>> {
        let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (owners_file, people) in approvers {
            for person in people {
                out.entry(person.clone())
                    .or_default()
                    .insert(owners_file.clone());
            }
        }
        out
    }

    /// The potential approvers in an order that depends on the seed.
    pub fn shuffled_approvers(&self) -> Vec<String> {
        let approvers = self.all_potential_approvers();
        GoRand::new(self.seed)
            .perm(approvers.len())
            .into_iter()
            .map(|i| approvers[i].clone())
            .collect()
    }

    /// The OWNERS files still unapproved if exactly `approvers` had approved.
    fn unapproved_with(&self, approvers: &BTreeSet<String>) -> BTreeSet<String> {
        let mut ap = Approvers::new(self);
        for approver in approvers {
            ap.add_approver(approver, "", false);
        }
        ap.unapproved_files()
    }

    /// A set of approvers, picked greedily from `potential` in order, that covers every
    /// OWNERS file (or as many as possible).
    pub fn suggested_approvers(
        &self,
        reverse_map: &BTreeMap<String, BTreeSet<String>>,
        potential: &[String],
    ) -> BTreeSet<String> {
        let mut ap = Approvers::new(self);
        while !ap.requirements_met() {
            let current = ap.current_approvers_set();
            let Some(next) =
                most_covering_approver(potential, &current, reverse_map, &ap.unapproved_files())
            else {
                return current;
            };
            ap.add_approver(&next, "", false);
        }
        ap.current_approvers_set()
    }

    /// The suggested approvers still useful once `known` have approved.
    pub fn keep_covering_approvers(
        &self,
        reverse_map: &BTreeMap<String, BTreeSet<String>>,
        known: &BTreeSet<String>,
        potential: &[String],
    ) -> BTreeSet<String> {
        let unapproved = self.unapproved_with(known);
        self.suggested_approvers(reverse_map, potential)
            .into_iter()
            .filter(|person| {
                reverse_map
                    .get(person)
                    .is_some_and(|files| !files.is_disjoint(&unapproved))
            })
            .collect()
    }
}

/// Removes every directory that has an ancestor in the set, unless a `no_parent_owners`
/// directory lies between: `[a, a/b/c, d/e, d/e/f]` → `[a, d/e]`.
fn remove_subdirs(dirs: &mut BTreeSet<String>, repo: &dyn OwnersRepo) {
    let snapshot: Vec<String> = dirs.iter().cloned().collect();
    for dir in snapshot {
        let mut path = dir.clone();
        while !repo.is_no_parent_owners(&path) && !canonical_dir(&path).is_empty() {
            path = go_dir(&path);
            if dirs.contains(canonical_dir(&path)) {
                dirs.remove(&dir);
                break;
            }
        }
    }
}

/// The first of `approvers` (in order) who covers more unapproved OWNERS files than those
/// before them and has not approved yet. As upstream, the bar it sets is the number of files
/// the person can approve, not only unapproved ones.
fn most_covering_approver(
    approvers: &[String],
    covered: &BTreeSet<String>,
    reverse_map: &BTreeMap<String, BTreeSet<String>>,
    unapproved: &BTreeSet<String>,
) -> Option<String> {
    let mut max_covered = 0;
    let mut best = None;
    let empty = BTreeSet::new();
    for approver in approvers {
        let files = reverse_map.get(approver).unwrap_or(&empty);
        if files.intersection(unapproved).count() > max_covered && !covered.contains(approver) {
            max_covered = files.len();
            best = Some(approver.clone());
        }
    }
    best
}

/// `one` ∩ `other` ignoring ASCII case, keeping the spelling of `one`.
pub fn case_insensitive_intersection(
    one: &BTreeSet<String>,
    other: &BTreeSet<String>,
) -> BTreeSet<String> {
    let lower: BTreeSet<String> = other.iter().map(|s| s.to_lowercase()).collect();
    one.iter()
        .filter(|item| lower.contains(&item.to_lowercase()))
        .cloned()
        .collect()
}

/// One approval of a pull request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Approval {
    /// The approver's login as GitHub spells it.
    pub login: String,
    /// How they approved: `Approved`, `LGTM` or `Author self-approved`.
    pub how: String,
    /// Where: the link of the comment or review.
    pub reference: String,
    /// Whether the approval also waives the associated issue (`/approve no-issue`).
    pub no_issue: bool,
}

impl fmt::Display for Approval {
    /// The approval as the notification links it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            r#"*<a href="{}" title="{}">{}</a>*"#,
            self.reference, self.how, self.login
        )
    }
}

/// One line of the notification's list of OWNERS files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnersFileStatus {
    /// The OWNERS directory (`""` for the root), or a markdown file with its own owners.
    pub path: String,
    /// Whether one of its approvers approved.
    pub approved: bool,
    /// Those of its approvers who approved, as GitHub spells them.
    pub approvers: BTreeSet<String>,
}

impl OwnersFileStatus {
    /// The line: struck through when approved, bold otherwise, linked to the file at
    /// `base_url` (`https://github.com/org/repo`) on `branch`.
    pub fn render(&self, base_url: &str, branch: &str, owners_filename: &str) -> String {
        let full_path = if self.path.ends_with(".md") {
            self.path.clone()
        } else if self.path.is_empty() {
            owners_filename.to_owned()
        } else {
            format!("{}/{owners_filename}", self.path.trim_end_matches('/'))
        };
        let link = format!("{base_url}/blob/{branch}/{full_path}");
        let approvers = self.approvers.iter().cloned().collect::<Vec<_>>().join(",");
        if self.approved {
            format!("- ~~[{full_path}]({link})~~ [{approvers}]\n")
        } else if !self.approvers.is_empty() {
            format!(
                "- **[{full_path}]({link})** [{approvers}]\n  > Need more approvers for rest parts.\n"
            )
        } else {
            format!("- **[{full_path}]({link})**\n")
        }
    }
}

/// The approvals of a pull request against the OWNERS files its changes need.
#[derive(Clone, Debug)]
pub struct Approvers<'a> {
    owners: &'a Owners,
    /// Lower-case login → approval.
    approvals: BTreeMap<String, Approval>,
    assignees: BTreeSet<String>,
    /// The issue the pull request's body references (0: none).
    pub associated_issue: i64,
    /// Whether approval needs an associated issue (or `/approve no-issue`).
    pub require_issue: bool,
    /// Whether a person (not the bot) added the `approved` label, which approves whatever
    /// the OWNERS files say. Only consulted when the requirements are not met.
    pub manually_approved: bool,
}

impl<'a> Approvers<'a> {
    /// No approvals yet.
    pub fn new(owners: &'a Owners) -> Approvers<'a> {
        Approvers {
            owners,
            approvals: BTreeMap::new(),
            assignees: BTreeSet::new(),
            associated_issue: 0,
            require_issue: false,
            manually_approved: false,
        }
    }

    /// The changed files and their OWNERS files.
    pub fn owners(&self) -> &Owners {
        self.owners
    }

    /// A later approval replaces an earlier one, except that a `no-issue` approval is not
    /// replaced by a plain one.
    fn keeps_earlier(&self, login: &str, no_issue: bool) -> bool {
        self.approvals
            .get(&login.to_lowercase())
            .is_some_and(|a| a.no_issue && !no_issue)
    }

    fn add(&mut self, login: &str, how: &str, reference: &str, no_issue: bool) {
        if self.keeps_earlier(login, no_issue) {
            return;
        }
        self.approvals.insert(
            login.to_lowercase(),
            Approval {
                login: login.to_owned(),
                how: how.to_owned(),
                reference: reference.to_owned(),
                no_issue,
            },
        );
    }

    /// Records an `/lgtm` that counts as approval.
    pub fn add_lgtmer(&mut self, login: &str, reference: &str, no_issue: bool) {
        self.add(login, "LGTM", reference, no_issue);
    }

    /// Records an `/approve` (or an approving review).
    pub fn add_approver(&mut self, login: &str, reference: &str, no_issue: bool) {
        self.add(login, "Approved", reference, no_issue);
    }

    /// Records the author's own approval.
    pub fn add_author_self_approver(&mut self, login: &str, reference: &str, no_issue: bool) {
        self.add(login, "Author self-approved", reference, no_issue);
    }

    /// Withdraws someone's approval.
    pub fn remove_approver(&mut self, login: &str) {
        self.approvals.remove(&login.to_lowercase());
    }

    /// Records assignees, who are preferred when suggesting approvers.
    pub fn add_assignees<S: AsRef<str>>(&mut self, logins: impl IntoIterator<Item = S>) {
        self.assignees
            .extend(logins.into_iter().map(|l| l.as_ref().to_lowercase()));
    }

    /// The approvers' logins, lower-case.
    pub fn current_approvers_set(&self) -> BTreeSet<String> {
        self.approvals.keys().cloned().collect()
    }

    /// The approvers' logins as GitHub spells them.
    pub fn current_approvers_set_cased(&self) -> BTreeSet<String> {
        self.approvals.values().map(|a| a.login.clone()).collect()
    }

    /// OWNERS directory → those of its approvers who approved.
    pub fn files_approvers(&self) -> BTreeMap<String, BTreeSet<String>> {
        let current = self.current_approvers_set_cased();
        self.owners
            .approvers()
            .into_iter()
            .map(|(file, potential)| (file, case_insensitive_intersection(&current, &potential)))
            .collect()
    }

    /// The `no-issue` approvals of people who may approve some of the files.
    pub fn no_issue_approvers(&self) -> BTreeMap<String, Approval> {
        let reverse = Owners::reverse_map(&self.owners.approvers());
        self.approvals
            .iter()
            .filter(|(login, approval)| {
                approval.no_issue && reverse.get(*login).is_some_and(|f| !f.is_empty())
            })
            .map(|(login, approval)| (login.clone(), approval.clone()))
            .collect()
    }

    /// The OWNERS directories still waiting for an approver.
    pub fn unapproved_files(&self) -> BTreeSet<String> {
        let current = self.current_approvers_set_cased();
        self.owners
            .files
            .iter()
            .filter(|file| self.owners.owners_set.contains(&file.owners_file))
            .filter(|file| case_insensitive_intersection(&file.approvers, &current).is_empty())
            .map(|file| file.owners_file.clone())
            .collect()
    }

    /// Every needed OWNERS file with its approval status, sorted by path.
    pub fn files(&self) -> Vec<OwnersFileStatus> {
        let mut approvers = self.files_approvers();
        let unapproved = self.unapproved_files();
        self.owners
            .owners_set
            .iter()
            .map(|path| OwnersFileStatus {
                path: path.clone(),
                approved: !unapproved.contains(path),
                approvers: approvers.remove(path).unwrap_or_default(),
            })
            .collect()
    }

    /// The approvers to ask for (lower-case, sorted): suggested approvers of the closest
    /// OWNERS files not covered by current approvers and assignees, plus the assignees (and
    /// suggested approvers) still useful given those.
    pub fn ccs(&self) -> Vec<String> {
        let randomized = self.owners.shuffled_approvers();
        let current = self.current_approvers_set();
        let approvers_and_assignees: BTreeSet<String> =
            current.union(&self.assignees).cloned().collect();
        let leaf_reverse = Owners::reverse_map(&self.owners.leaf_approvers());
        let suggested = self.owners.keep_covering_approvers(
            &leaf_reverse,
            &approvers_and_assignees,
            &randomized,
        );
        let approvers_and_suggested: BTreeSet<String> =
            current.union(&suggested).cloned().collect();
        let everyone: Vec<String> = approvers_and_suggested
            .union(&self.assignees)
            .cloned()
            .collect();
        let full_reverse = Owners::reverse_map(&self.owners.approvers());
        let keep_assignees =
            self.owners
                .keep_covering_approvers(&full_reverse, &approvers_and_suggested, &everyone);
        suggested.union(&keep_assignees).cloned().collect()
    }

    /// Whether every needed OWNERS file has an approver (a pull request without files is
    /// not approved).
    pub fn are_files_approved(&self) -> bool {
        self.owners.has_files && self.unapproved_files().is_empty()
    }

    /// Whether the files are approved and, when an issue is required, the pull request
    /// references one or an approver waived it.
    pub fn requirements_met(&self) -> bool {
        self.are_files_approved()
            && (!self.require_issue
                || self.associated_issue != 0
                || !self.no_issue_approvers().is_empty())
    }

    /// Whether the pull request is approved: the requirements are met, or a person added
    /// the `approved` label.
    pub fn is_approved(&self) -> bool {
        self.requirements_met() || self.manually_approved
    }

    /// The approvals, by lower-case login.
    pub fn list_approvals(&self) -> Vec<Approval> {
        self.approvals.values().cloned().collect()
    }

    /// The `no-issue` approvals that count, by lower-case login.
    pub fn list_no_issue_approvals(&self) -> Vec<Approval> {
        self.no_issue_approvers().into_values().collect()
    }

    /// Suggested approvers who are assigned already.
    pub fn assigned_ccs(&self) -> Vec<String> {
        self.ccs()
            .into_iter()
            .filter(|cc| self.assignees.contains(cc))
            .collect()
    }

    /// Suggested approvers who are not assigned.
    pub fn suggested_ccs(&self) -> Vec<String> {
        self.ccs()
            .into_iter()
            .filter(|cc| !self.assignees.contains(cc))
            .collect()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Sorted set of lower-cased logins.
    pub(crate) fn lower(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_lowercase()).collect()
    }

    /// Set as written.
    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    /// Logins or paths of a case.
    type Names = &'static [&'static str];
    /// Directories with their approvers.
    type Dirs = &'static [(&'static str, &'static [&'static str])];

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    /// OWNERS data as upstream's tests fake it: each directory's closest approvers, and all
    /// approvers of a directory being its own and its parents'.
    #[derive(Default)]
    pub(crate) struct FakeRepo {
        leaf: BTreeMap<String, BTreeSet<String>>,
        all: BTreeMap<String, BTreeSet<String>>,
        no_parent_owners: BTreeSet<String>,
        auto_approve: BTreeSet<String>,
    }

    pub(crate) fn fake_repo(dirs: &[(&str, &[&str])]) -> FakeRepo {
        let leaf: BTreeMap<String, BTreeSet<String>> = dirs
            .iter()
            .map(|(dir, people)| ((*dir).to_owned(), lower(people)))
            .collect();
        let mut all = BTreeMap::new();
        for (dir, people) in &leaf {
            let mut union = people.clone();
            let mut d = dir.clone();
            loop {
                d = canonical_dir(&go_dir(&d)).to_owned();
                if let Some(parent) = leaf.get(&d) {
                    union.extend(parent.iter().cloned());
                }
                if d.is_empty() {
                    break;
                }
            }
            all.insert(dir.clone(), union);
        }
        FakeRepo {
            leaf,
            all,
            ..FakeRepo::default()
        }
    }

    impl FakeRepo {
        fn walk(map: &BTreeMap<String, BTreeSet<String>>, path: &str) -> BTreeSet<String> {
            let found = map.get(path).cloned().unwrap_or_default();
            if !found.is_empty() || path.is_empty() {
                return found;
            }
            Self::walk(map, canonical_dir(&go_dir(path)))
        }
    }

    impl OwnersRepo for FakeRepo {
        fn approvers(&self, path: &str) -> BTreeSet<String> {
            Self::walk(&self.all, path)
        }
        fn leaf_approvers(&self, path: &str) -> BTreeSet<String> {
            Self::walk(&self.leaf, path)
        }
        fn find_approver_owners_for_file(&self, path: &str) -> String {
            let mut dir = path.to_owned();
            while dir != "." {
                if self.leaf.contains_key(&dir) {
                    return dir;
                }
                dir = go_dir(&dir);
            }
            String::new()
        }
        fn is_no_parent_owners(&self, dir: &str) -> bool {
            self.no_parent_owners.contains(dir)
        }
        fn is_auto_approve_unowned_subfolders(&self, dir: &str) -> bool {
            self.auto_approve.contains(dir)
        }
        fn owners_filename(&self) -> String {
            "OWNERS".to_owned()
        }
    }

    const ROOT: &[&str] = &["Alice", "Bob"];
    const A: &[&str] = &["Art", "Anne"];
    const B: &[&str] = &["Bill", "Ben", "Barbara"];
    const C: &[&str] = &["Chris", "Carol"];
    const D: &[&str] = &["David", "Dan", "Debbie"];
    const E: &[&str] = &["Eve", "Erin"];
    const EDC: &[&str] = &["Eve", "Erin", "David", "Dan", "Debbie", "Chris", "Carol"];
    const ED: &[&str] = &["Eve", "Erin", "David", "Dan", "Debbie"];

    /// Upstream's usual tree: root, a, b, c, a/d and a/combo (approvers of e, d and c).
    fn full_repo() -> FakeRepo {
        fake_repo(&[
            ("", ROOT),
            ("a", A),
            ("b", B),
            ("c", C),
            ("a/d", D),
            ("a/combo", EDC),
        ])
    }

    fn owners(files: &[&str], repo: &FakeRepo, seed: i64) -> Owners {
        Owners::new(&strings(files), repo, seed)
    }

    #[test]
    fn leaf_approvers_by_owners_file() {
        let repo = fake_repo(&[("", ROOT), ("a", A), ("b", B), ("a/d", D)]);
        let cases: &[(&str, Names, Dirs)] = &[
            ("empty PR", &[], &[]),
            ("single root file", &["kubernetes.go"], &[("", ROOT)]),
            ("internal node file", &["a/test.go"], &[("a", A)]),
            (
                "two leaf files",
                &["a/d/test.go", "b/test.go"],
                &[("a/d", D), ("b", B)],
            ),
            (
                "leaf and parent",
                &["a/test.go", "a/d/test.go"],
                &[("a", A)],
            ),
        ];
        for (name, files, want) in cases {
            let want: BTreeMap<String, BTreeSet<String>> = want
                .iter()
                .map(|(dir, people)| ((*dir).to_owned(), lower(people)))
                .collect();
            assert_eq!(owners(files, &repo, 0).leaf_approvers(), want, "{name}");
        }
    }

    #[test]
    fn owners_set() {
        let repo = fake_repo(&[("", ROOT), ("a", A), ("b", B), ("a/d", D)]);
        let cases: &[(&str, &[&str], &[&str])] = &[
            ("empty PR", &[], &[]),
            ("single root file", &["kubernetes.go"], &[""]),
            ("multiple root files", &["test.go", "kubernetes.go"], &[""]),
            ("internal node file", &["a/test.go"], &["a"]),
            ("two leaf files", &["a/test.go", "b/test.go"], &["a", "b"]),
            ("leaf and parent", &["a/test.go", "a/c/test.go"], &["a"]),
        ];
        for (name, files, want) in cases {
            assert_eq!(owners(files, &repo, 0).owners_set(), &set(want), "{name}");
        }
    }

    #[test]
    fn suggested_approvers_cover_every_owners_file() {
        let repo = fake_repo(&[("", ROOT), ("a", A), ("b", B), ("a/d", D), ("a/combo", ED)]);
        let cases: &[(&str, Names, &[Names])] = &[
            ("empty PR", &[], &[]),
            ("single root file", &["kubernetes.go"], &[ROOT]),
            ("internal node file", &["a/test.go"], &[A]),
            (
                "multiple files in one node",
                &["a/test.go", "a/test1.go"],
                &[A],
            ),
            ("two leaf files", &["a/test.go", "b/test.go"], &[A, B]),
            ("leaf and parent", &["a/test.go", "a/d/test.go"], &[A]),
            ("combo and b", &["a/combo/test.go", "b/test.go"], &[ED, B]),
            ("lowest leaf", &["a/combo/test.go"], &[ED]),
        ];
        for (name, files, want) in cases {
            let o = owners(files, &repo, 0);
            let reverse = Owners::reverse_map(&o.leaf_approvers());
            let suggested = o.suggested_approvers(&reverse, &o.shuffled_approvers());
            for group in *want {
                assert!(
                    !lower(group).is_disjoint(&suggested),
                    "{name}: {suggested:?}"
                );
            }
        }
    }

    #[test]
    fn all_potential_approvers() {
        let repo = full_repo();
        let cases: &[(&str, &[&str], &[&str])] = &[
            ("empty PR", &[], &[]),
            ("single root file", &["kubernetes.go"], ROOT),
            ("internal node file", &["a/test.go"], A),
            (
                "one leaf one internal node",
                &["a/test.go", "b/test.go"],
                &["Art", "Anne", "Bill", "Ben", "Barbara"],
            ),
            (
                "two leaf files",
                &["a/d/test.go", "c/test.go"],
                &["David", "Dan", "Debbie", "Chris", "Carol"],
            ),
            ("leaf and parent", &["a/test.go", "a/combo/test.go"], A),
            (
                "two leaves",
                &["a/d/test.go", "b/test.go"],
                &["David", "Dan", "Debbie", "Bill", "Ben", "Barbara"],
            ),
            ("lowest leaf", &["a/combo/test.go"], EDC),
            (
                "root and everything else",
                &["a/combo/test.go", "b/test.go", "c/test.go", "d/test.go"],
                ROOT,
            ),
        ];
        for (name, files, want) in cases {
            let want: Vec<String> = lower(want).into_iter().collect();
            assert_eq!(
                owners(files, &repo, 0).all_potential_approvers(),
                want,
                "{name}"
            );
        }
    }

    #[test]
    fn most_covering_approver_covers_most_unapproved_files() {
        let repo = full_repo();
        let cases: &[(&str, Names, Names, Names)] = &[
            ("empty PR", &[], &[], &[]),
            ("single root file", &["kubernetes.go"], &[""], ROOT),
            ("internal node file", &["a/test.go"], &["a"], A),
            (
                "combo and intersecting leaf",
                &["a/combo/test.go", "a/d/test.go"],
                &["a/combo", "a/d"],
                D,
            ),
            (
                "three leaves, only b approved",
                &["a/combo/test.go", "c/test.go", "b/test.go"],
                &["a/combo", "c/"],
                C,
            ),
            (
                "three leaves, only b unapproved",
                &["a/combo/test.go", "a/d/test.go", "b/test.go"],
                &["b"],
                B,
            ),
            (
                "leaf and parent",
                &["a/test.go", "a/d/test.go"],
                &["a", "a/d"],
                &["Art", "Anne", "David", "Dan", "Debbie"],
            ),
        ];
        for (name, files, unapproved, want) in cases {
            let o = owners(files, &repo, 0);
            let best = most_covering_approver(
                &o.all_potential_approvers(),
                &BTreeSet::new(),
                &Owners::reverse_map(&o.leaf_approvers()),
                &set(unapproved),
            );
            match best {
                Some(person) => assert!(lower(want).contains(&person), "{name}: {person}"),
                None => assert!(want.is_empty(), "{name}: nobody"),
            }
        }
    }

    #[test]
    fn reverse_map() {
        let repo = fake_repo(&[("", ROOT), ("a", A), ("c", C), ("a/d", D), ("a/combo", EDC)]);
        const BOTH: &[&str] = &["a/d", "a/combo"];
        const COMBO: &[&str] = &["a/combo"];
        let cases: &[(&str, Names, Dirs)] = &[
            ("empty PR", &[], &[]),
            (
                "single root file",
                &["kubernetes.go"],
                &[("alice", &[""]), ("bob", &[""])],
            ),
            (
                "two leaf files",
                &["a/combo/test.go", "a/d/test.go"],
                &[
                    ("david", BOTH),
                    ("dan", BOTH),
                    ("debbie", BOTH),
                    ("eve", COMBO),
                    ("erin", COMBO),
                    ("chris", COMBO),
                    ("carol", COMBO),
                ],
            ),
        ];
        for (name, files, want) in cases {
            let want: BTreeMap<String, BTreeSet<String>> = want
                .iter()
                .map(|(p, f)| ((*p).to_owned(), set(f)))
                .collect();
            let o = owners(files, &repo, 0);
            assert_eq!(Owners::reverse_map(&o.leaf_approvers()), want, "{name}");
        }
    }

    #[test]
    fn shuffled_approvers_follow_the_seed() {
        let repo = full_repo();
        let cases: &[(&str, &[&str], i64, &[&str])] = &[
            ("empty PR", &[], 0, &[]),
            ("single root file", &["kubernetes.go"], 0, &["bob", "alice"]),
            (
                "combo and b",
                &["a/combo/test.go", "b/test.go"],
                0,
                &[
                    "erin", "bill", "carol", "barbara", "dan", "debbie", "ben", "david", "eve",
                    "chris",
                ],
            ),
            (
                "combo and d, seed 0",
                &["a/combo/test.go", "a/d/test.go"],
                0,
                &[
                    "erin", "dan", "dan", "carol", "david", "debbie", "chris", "debbie", "eve",
                    "david",
                ],
            ),
            (
                "combo and d, seed 2",
                &["a/combo/test.go", "a/d/test.go"],
                2,
                &[
                    "dan", "carol", "debbie", "dan", "erin", "chris", "eve", "david", "debbie",
                    "david",
                ],
            ),
        ];
        for (name, files, seed, want) in cases {
            assert_eq!(
                owners(files, &repo, *seed).shuffled_approvers(),
                strings(want),
                "{name}"
            );
        }
    }

    #[test]
    fn subdirectories_are_covered_by_their_parents() {
        let cases: &[(&str, Names, Names, Names)] = &[
            ("empty PR", &[], &[], &[]),
            ("root and one level below", &["", "a/"], &[], &[""]),
            ("two separate branches", &["a/", "c/"], &[], &["a/", "c/"]),
            (
                "lots of branches and leaves",
                &["a", "a/combo", "a/d", "b", "c"],
                &[],
                &["a", "b", "c"],
            ),
            (
                "no_parent_owners",
                &["a", "a/combo"],
                &["a/combo"],
                &["a", "a/combo"],
            ),
            (
                "no_parent_owners in between",
                &["a", "a/b/combo"],
                &["a/b"],
                &["a", "a/b/combo"],
            ),
            (
                "no_parent_owners with a child",
                &["a", "a/b", "a/b/combo"],
                &["a/b"],
                &["a", "a/b"],
            ),
        ];
        for (name, dirs, no_parent, want) in cases {
            let repo = FakeRepo {
                no_parent_owners: set(no_parent),
                ..FakeRepo::default()
            };
            let mut dirs = set(dirs);
            remove_subdirs(&mut dirs, &repo);
            assert_eq!(dirs, set(want), "{name}");
        }
    }

    #[test]
    fn unapproved_files() {
        let repo = full_repo();
        let cases: &[(&str, Names, Names, Names)] = &[
            ("empty PR", &[], &[], &[]),
            (
                "single root file approved",
                &["kubernetes.go"],
                &["Alice"],
                &[],
            ),
            (
                "single root file, nobody approved",
                &["kubernetes.go"],
                &[],
                &[""],
            ),
            ("no files", &[], B, &[]),
            (
                "b files approved at the root",
                &["b/test.go", "b/test_1.go"],
                ROOT,
                &[],
            ),
            ("b unapproved", &["b/test_1.go", "b/test.go"], &[], &["b"]),
            (
                "combo and other, neither approved",
                &["a/combo/test.go", "a/d/test.go"],
                &[],
                &["a/combo", "a/d"],
            ),
            (
                "combo and other, combo approved",
                &["a/combo/test.go", "a/d/test.go"],
                &["Eve", "Erin", "Chris", "Carol"],
                &["a/d"],
            ),
            (
                "combo and other, both approved",
                &["a/combo/test.go", "a/d/test.go"],
                D,
                &[],
            ),
        ];
        for (name, files, approved, want) in cases {
            let o = owners(files, &repo, 0);
            let mut ap = Approvers::new(&o);
            for login in *approved {
                ap.add_approver(login, "REFERENCE", false);
            }
            assert_eq!(ap.unapproved_files(), set(want), "{name}");
        }
    }

    #[test]
    fn files_with_their_status() {
        let repo = full_repo();
        type Status<'a> = (&'a str, bool, &'a [&'a str]);
        let cases: &[(&str, Names, Names, &[Status])] = &[
            ("empty PR", &[], &[], &[]),
            (
                "single root file approved",
                &["kubernetes.go"],
                &["Alice"],
                &[("", true, &["Alice"])],
            ),
            (
                "single file in b, nobody approved",
                &["b/test.go"],
                &[],
                &[("b", false, &[])],
            ),
            (
                "single file in b approved",
                &["b/test.go"],
                B,
                &[("b", true, B)],
            ),
            (
                "single root file, nobody approved",
                &["kubernetes.go"],
                &[],
                &[("", false, &[])],
            ),
            (
                "combo and other, neither approved",
                &["a/combo/test.go", "a/d/test.go"],
                &[],
                &[("a/combo", false, &[]), ("a/d", false, &[])],
            ),
            (
                "combo and other, combo approved",
                &["a/combo/test.go", "a/d/test.go"],
                E,
                &[("a/combo", true, E), ("a/d", false, &[])],
            ),
            (
                "combo and other, both approved",
                &["a/combo/test.go", "a/d/test.go"],
                D,
                &[("a/combo", true, D), ("a/d", true, D)],
            ),
            (
                "combo, c and d; combo and c approved",
                &["a/combo/test.go", "a/d/test.go", "c/test"],
                C,
                &[("a/combo", true, C), ("a/d", false, &[]), ("c", true, C)],
            ),
            (
                "files approved several times",
                &["a/test.go", "a/d/test.go", "b/test"],
                &["Alice", "Bob", "Art", "Anne", "Bill", "Ben", "Barbara"],
                &[
                    ("a", true, &["Alice", "Bob", "Art", "Anne"]),
                    ("b", true, &["Alice", "Bob", "Bill", "Ben", "Barbara"]),
                ],
            ),
        ];
        for (name, files, approved, want) in cases {
            let o = owners(files, &repo, 0);
            let mut ap = Approvers::new(&o);
            for login in *approved {
                ap.add_approver(login, "REFERENCE", false);
            }
            let want: Vec<OwnersFileStatus> = want
                .iter()
                .map(|(path, approved, people)| OwnersFileStatus {
                    path: (*path).to_owned(),
                    approved: *approved,
                    approvers: set(people),
                })
                .collect();
            assert_eq!(ap.files(), want, "{name}");
        }
    }

    #[test]
    fn ccs_prefer_assignees_and_follow_the_seed() {
        let repo = full_repo();
        struct Case {
            name: &'static str,
            files: &'static [&'static str],
            approved: &'static [&'static str],
            seed: i64,
            assignees: &'static [&'static str],
            ccs: &'static [&'static str],
            assigned: &'static [&'static str],
            suggested: &'static [&'static str],
        }
        let abc: &[&str] = &["a/test.go", "b/test.go", "c/test"];
        let cases = [
            Case {
                name: "empty PR",
                files: &[],
                approved: &[],
                seed: 0,
                assignees: &[],
                ccs: &[],
                assigned: &[],
                suggested: &[],
            },
            Case {
                name: "single root file approved",
                files: &["kubernetes.go"],
                approved: &["Alice"],
                seed: 13,
                assignees: &[],
                ccs: &[],
                assigned: &[],
                suggested: &[],
            },
            Case {
                name: "single root file unapproved, seed 13",
                files: &["kubernetes.go"],
                approved: &[],
                seed: 13,
                assignees: &[],
                ccs: &["alice"],
                assigned: &[],
                suggested: &["alice"],
            },
            Case {
                name: "single root file unapproved, seed 10",
                files: &["kubernetes.go"],
                approved: &[],
                seed: 10,
                assignees: &[],
                ccs: &["bob"],
                assigned: &[],
                suggested: &["bob"],
            },
            Case {
                name: "combo and other, neither approved",
                files: &["a/combo/test.go", "a/d/test.go"],
                approved: &[],
                seed: 0,
                assignees: &[],
                ccs: &["dan"],
                assigned: &[],
                suggested: &["dan"],
            },
            Case {
                name: "combo and other, combo approved",
                files: &["a/combo/test.go", "a/d/test.go"],
                approved: E,
                seed: 0,
                assignees: &[],
                ccs: &["dan"],
                assigned: &[],
                suggested: &["dan"],
            },
            Case {
                name: "combo and other, both approved",
                files: &["a/combo/test.go", "a/d/test.go"],
                approved: D,
                seed: 0,
                assignees: &[],
                ccs: &[],
                assigned: &[],
                suggested: &[],
            },
            Case {
                name: "combo, c, d; none approved",
                files: &["a/combo/test.go", "a/d/test.go", "c/test"],
                approved: &[],
                seed: 0,
                assignees: &[],
                ccs: &["chris", "debbie"],
                assigned: &[],
                suggested: &["chris", "debbie"],
            },
            Case {
                name: "a, b, c; nothing approved",
                files: abc,
                approved: &[],
                seed: 0,
                assignees: &[],
                ccs: &["anne", "bill", "carol"],
                assigned: &[],
                suggested: &["anne", "bill", "carol"],
            },
            Case {
                name: "a, b, c; partly approved by approvers not suggested",
                files: abc,
                approved: &["Art", "Ben"],
                seed: 0,
                assignees: &[],
                ccs: &["carol"],
                assigned: &[],
                suggested: &["carol"],
            },
            Case {
                name: "a, b, c; assignees can approve",
                files: abc,
                approved: &[],
                seed: 0,
                assignees: &["Art", "Ben"],
                ccs: &["art", "ben", "carol"],
                assigned: &["art", "ben"],
                suggested: &["carol"],
            },
            Case {
                name: "a, b, c; some assignees can approve",
                files: abc,
                approved: &[],
                seed: 0,
                assignees: &["Art", "Ben", "John", "Jack"],
                ccs: &["art", "ben", "carol"],
                assigned: &["art", "ben"],
                suggested: &["carol"],
            },
            Case {
                name: "assignee is a root approver",
                files: &["a/test.go"],
                approved: &[],
                seed: 0,
                assignees: &["alice"],
                ccs: &["alice"],
                assigned: &["alice"],
                suggested: &[],
            },
        ];
        for case in cases {
            let o = owners(case.files, &repo, case.seed);
            let mut ap = Approvers::new(&o);
            for login in case.approved {
                ap.add_approver(login, "REFERENCE", false);
            }
            ap.add_assignees(case.assignees);
            assert_eq!(ap.ccs(), strings(case.ccs), "{}", case.name);
            assert_eq!(ap.assigned_ccs(), strings(case.assigned), "{}", case.name);
            assert_eq!(ap.suggested_ccs(), strings(case.suggested), "{}", case.name);
        }
    }

    #[test]
    fn approval_of_files() {
        let mut repo = fake_repo(&[
            ("", ROOT),
            ("a", A),
            ("b", B),
            ("c", C),
            ("a/d", D),
            ("a/combo", EDC),
            ("d", &[]),
        ]);
        let abc: &[&str] = &["a/test.go", "b/test.go", "c/test"];
        let cases: &[(&str, Names, Names, Names, bool)] = &[
            ("empty PR", &[], &[], &[], false),
            (
                "single root file approved",
                &["kubernetes.go"],
                &[],
                &["Alice"],
                true,
            ),
            (
                "single root file, nobody approved",
                &["kubernetes.go"],
                &[],
                &[],
                false,
            ),
            (
                "combo and other, neither approved",
                &["a/combo/test.go", "a/d/test.go"],
                &[],
                &[],
                false,
            ),
            (
                "combo and other, both approved",
                &["a/combo/test.go", "a/d/test.go"],
                &[],
                D,
                true,
            ),
            ("a, b, c; nothing approved", abc, &[], &[], false),
            (
                "a, b, c; partly approved",
                abc,
                &[],
                &["Art", "Anne", "Bill", "Ben", "Barbara"],
                false,
            ),
            ("a, b, c; approved at the root", abc, &[], ROOT, true),
            (
                "a, b, c; approved at the leaves",
                abc,
                &[],
                &["Anne", "Ben", "Carol"],
                true,
            ),
            (
                "file in a folder that auto-approves unowned subfolders is not approved",
                &["a/test.go"],
                &["a"],
                &[],
                false,
            ),
            (
                "unowned subfolder of an auto-approving folder is approved",
                &["a/new-folder/test.go"],
                &["a"],
                &[],
                true,
            ),
            (
                "unowned subfolder of an auto-approving folder without approvers is approved",
                &["d/new-folder/test.go"],
                &["d"],
                &[],
                true,
            ),
            (
                "auto-approved subfolder and an unapproved file are not approved",
                &["b/unapproved.go", "a/new-folder/test.go"],
                &["a"],
                &[],
                false,
            ),
            (
                "auto-approved subfolder and an approved file are approved",
                &["b/approved.go", "a/new-folder/test.go"],
                &["a"],
                &["Barbara"],
                true,
            ),
            (
                "nested subfolder of an auto-approving folder is approved",
                &["a/new-folder/child/grandchild/test.go"],
                &["a"],
                &[],
                true,
            ),
            (
                "owned subfolder of an auto-approving folder is not approved",
                &["a/d/new-file.go"],
                &["a"],
                &[],
                false,
            ),
        ];
        for (name, files, auto_approve, approved, want) in cases {
            repo.auto_approve = set(auto_approve);
            let o = owners(files, &repo, 0);
            let mut ap = Approvers::new(&o);
            for login in *approved {
                ap.add_approver(login, "REFERENCE", false);
            }
            assert_eq!(ap.is_approved(), *want, "{name}");
        }
    }

    #[test]
    fn approval_with_a_required_issue() {
        let repo = fake_repo(&[("a", &["Author", "Anne", "Carl"]), ("b", &["Bill", "Carl"])]);
        let ab: &[&str] = &["a/file.go", "b/file2.go"];
        let a: &[&str] = &["a/file.go"];
        /// Approvers and whether they waived the issue.
        type Given = &'static [(&'static str, bool)];
        let cases: &[(&str, Names, Given, i64, bool)] = &[
            ("empty PR", &[], &[], 0, false),
            ("single file missing issue", a, &[("Carl", false)], 0, false),
            ("single file no-issue", a, &[("Carl", true)], 0, true),
            ("single file with issue", a, &[("Carl", false)], 100, true),
            ("two files missing issue", ab, &[("Carl", false)], 0, false),
            ("two files no-issue", ab, &[("Carl", true)], 0, true),
            (
                "two files, two no-issue approvers",
                ab,
                &[("Anne", true), ("Bill", true)],
                0,
                true,
            ),
            (
                "two files, one no-issue approver of two",
                ab,
                &[("Anne", true), ("Bill", false)],
                0,
                true,
            ),
            (
                "two files missing issue, two approvers",
                ab,
                &[("Anne", false), ("Bill", false)],
                0,
                false,
            ),
            ("implicit self approval missing issue", a, &[], 0, false),
            ("implicit self approval with issue", a, &[], 10, true),
            (
                "explicit self approval missing issue",
                a,
                &[("Author", false)],
                0,
                false,
            ),
            (
                "explicit self approval no-issue",
                a,
                &[("Author", true)],
                0,
                true,
            ),
            (
                "explicit self approval missing issue, two files",
                ab,
                &[("Author", false), ("Bill", false)],
                0,
                false,
            ),
            (
                "no-issue from the author, two files",
                ab,
                &[("Author", true), ("Bill", false)],
                0,
                true,
            ),
            (
                "no-issue from a friend, two files",
                ab,
                &[("Author", false), ("Bill", true)],
                0,
                true,
            ),
        ];
        for (name, files, approved, issue, want) in cases {
            let o = owners(files, &repo, 0);
            let mut ap = Approvers::new(&o);
            ap.require_issue = true;
            ap.associated_issue = *issue;
            for (login, no_issue) in *approved {
                ap.add_approver(login, "REFERENCE", *no_issue);
            }
            ap.add_author_self_approver("Author", "REFERENCE", false);
            assert_eq!(ap.is_approved(), *want, "{name}");
        }
    }

    #[test]
    fn files_approvers_keep_github_spelling() {
        let cases: &[(&str, Names, Names, Dirs, Dirs)] = &[
            ("empty PR", &[], &[], &[], &[]),
            (
                "no approvers",
                &["a/a", "c"],
                &[],
                &[("", &["RootOwner"])],
                &[("", &[])],
            ),
            (
                "approver approves some",
                &["a/a", "c/c"],
                &["CApprover"],
                &[("a", &["AApprover"]), ("c", &["CApprover"])],
                &[("a", &[]), ("c", &["CApprover"])],
            ),
            (
                "several approvers",
                &["a/a", "c/c"],
                &["RootApprover", "CApprover"],
                &[
                    ("", &["RootApprover"]),
                    ("a", &["AApprover"]),
                    ("c", &["CApprover"]),
                ],
                &[
                    ("a", &["RootApprover"]),
                    ("c", &["RootApprover", "CApprover"]),
                ],
            ),
            (
                "case-insensitive approvers",
                &["file"],
                &["RootApprover"],
                &[("", &["rOOtaPProver"])],
                &[("", &["RootApprover"])],
            ),
        ];
        for (name, files, approved, dirs, want) in cases {
            let repo = fake_repo(dirs);
            let o = owners(files, &repo, 0);
            let mut ap = Approvers::new(&o);
            for login in *approved {
                ap.add_approver(login, "REFERENCE", false);
            }
            let want: BTreeMap<String, BTreeSet<String>> = want
                .iter()
                .map(|(d, p)| ((*d).to_owned(), set(p)))
                .collect();
            assert_eq!(ap.files_approvers(), want, "{name}");
        }
    }

    #[test]
    fn later_approvals_replace_earlier_ones_except_no_issue() {
        let repo = fake_repo(&[("", ROOT)]);
        let o = owners(&["x.go"], &repo, 0);
        let mut ap = Approvers::new(&o);
        ap.add_approver("Alice", "first", true);
        ap.add_lgtmer("alice", "second", false);
        assert_eq!(ap.list_approvals()[0].reference, "first");
        ap.add_lgtmer("ALICE", "third", true);
        assert_eq!(ap.list_approvals()[0].how, "LGTM");
        assert_eq!(ap.list_approvals()[0].login, "ALICE");
        ap.remove_approver("aLiCe");
        assert!(ap.list_approvals().is_empty());
        assert_eq!(
            Approval {
                login: "Bob".into(),
                how: "Approved".into(),
                reference: "url".into(),
                no_issue: false
            }
            .to_string(),
            r#"*<a href="url" title="Approved">Bob</a>*"#
        );
    }
}
