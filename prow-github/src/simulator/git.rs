//! The simulator's git: trees of whole files, commits, deterministic SHAs, ref resolution,
//! merge bases, file-level three-way merges and line diffs. Enough git for OWNERS lookups,
//! changed-file lists, mergeability and merges; not a byte-compatible git.

use std::collections::{BTreeMap, BTreeSet, HashSet, VecDeque};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use prow_core::github::PullRequestChange;
use sha2::{Digest, Sha256};

use super::state::{Blob, CommitRec, RepoRec};

/// A commit's whole tree: path → contents.
pub(crate) type Tree = Arc<BTreeMap<String, Blob>>;

/// A SHA-like 40-hex-digit digest of `parts` (SHA-256, truncated). Deterministic: the same
/// parts give the same SHA in every run.
pub(crate) fn hash(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    let digest = hasher.finalize();
    digest
        .iter()
        .take(20)
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The blob SHA of file contents.
pub(crate) fn blob_sha(contents: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"blob ");
    hasher.update(contents);
    hasher
        .finalize()
        .iter()
        .take(20)
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The SHA of a tree.
pub(crate) fn tree_sha(tree: &Tree) -> String {
    let listing: Vec<String> = tree
        .iter()
        .map(|(path, blob)| format!("{path} {}", blob_sha(blob)))
        .collect();
    hash(&["tree", &listing.join("\n")])
}

/// File changes to commit: contents to write, paths to delete.
///
/// ```
/// use prow_github::simulator::Files;
///
/// let files = Files::from([("README.md", "# hello\n"), ("OWNERS", "approvers: [alice]\n")])
///     .delete("old.txt");
/// assert_eq!(files.len(), 3);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Files {
    changes: BTreeMap<String, Option<Vec<u8>>>,
}

impl Files {
    /// No changes.
    pub fn new() -> Self {
        Files::default()
    }

    /// Writes `contents` to `path` (the last write of a path wins).
    pub fn put(mut self, path: impl Into<String>, contents: impl Into<Vec<u8>>) -> Self {
        self.changes.insert(path.into(), Some(contents.into()));
        self
    }

    /// Deletes `path`.
    pub fn delete(mut self, path: impl Into<String>) -> Self {
        self.changes.insert(path.into(), None);
        self
    }

    /// How many paths change.
    pub fn len(&self) -> usize {
        self.changes.len()
    }

    /// Whether nothing changes.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The tree `tree` becomes with these changes.
    pub(crate) fn apply(&self, tree: &Tree) -> Tree {
        let mut next = (**tree).clone();
        for (path, contents) in &self.changes {
            match contents {
                Some(contents) => {
                    next.insert(path.clone(), Blob::from(contents.as_slice()));
                }
                None => {
                    next.remove(path);
                }
            }
        }
        Arc::new(next)
    }
}

impl<P: Into<String>, C: Into<Vec<u8>>, const N: usize> From<[(P, C); N]> for Files {
    fn from(entries: [(P, C); N]) -> Self {
        entries
            .into_iter()
            .fold(Files::new(), |files, (path, contents)| {
                files.put(path, contents)
            })
    }
}

impl<P: Into<String>, C: Into<Vec<u8>>> From<Vec<(P, C)>> for Files {
    fn from(entries: Vec<(P, C)>) -> Self {
        entries
            .into_iter()
            .fold(Files::new(), |files, (path, contents)| {
                files.put(path, contents)
            })
    }
}

impl From<BTreeMap<String, String>> for Files {
    fn from(entries: BTreeMap<String, String>) -> Self {
        entries
            .into_iter()
            .fold(Files::new(), |files, (path, contents)| {
                files.put(path, contents)
            })
    }
}

/// A new commit, with its SHA worked out from its contents and `seq`.
pub(crate) fn make_commit(
    seq: &mut u64,
    time: DateTime<Utc>,
    parents: Vec<String>,
    tree: Tree,
    message: &str,
    author: &str,
) -> CommitRec {
    *seq += 1;
    let sha = hash(&[
        "commit",
        &tree_sha(&tree),
        &parents.join(" "),
        author,
        message,
        &seq.to_string(),
    ]);
    CommitRec {
        sha,
        parents,
        message: message.to_owned(),
        author: author.to_owned(),
        tree,
        time,
    }
}

/// One path that differs between two trees.
#[derive(Clone, Debug)]
pub(crate) struct PathChange {
    pub path: String,
    pub old: Option<Blob>,
    pub new: Option<Blob>,
}

/// The paths that differ between `old` and `new`, in path order.
pub(crate) fn diff_trees(
    old: &BTreeMap<String, Blob>,
    new: &BTreeMap<String, Blob>,
) -> Vec<PathChange> {
    let paths: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    paths
        .into_iter()
        .filter_map(|path| {
            let (o, n) = (old.get(path), new.get(path));
            (o != n).then(|| PathChange {
                path: path.clone(),
                old: o.cloned(),
                new: n.cloned(),
            })
        })
        .collect()
}

/// Merges `theirs` into `ours` given their merge base, file by file: a file changed on one
/// side only takes that side; changed on both sides to different contents it conflicts.
/// Returns the merged tree, or the conflicting paths.
pub(crate) fn three_way(base: &Tree, ours: &Tree, theirs: &Tree) -> Result<Tree, Vec<String>> {
    let paths: BTreeSet<&String> = base
        .keys()
        .chain(ours.keys())
        .chain(theirs.keys())
        .collect();
    let mut merged = BTreeMap::new();
    let mut conflicts = Vec::new();
    for path in paths {
        let (b, o, t) = (base.get(path), ours.get(path), theirs.get(path));
        let pick = if o == t || t == b {
            o
        } else if o == b {
            t
        } else {
            conflicts.push(path.clone());
            continue;
        };
        if let Some(blob) = pick {
            merged.insert(path.clone(), blob.clone());
        }
    }
    if conflicts.is_empty() {
        Ok(Arc::new(merged))
    } else {
        Err(conflicts)
    }
}

/// Line counts and a unified diff (one hunk, whole-file context) between two texts.
pub(crate) fn line_diff(old: &str, new: &str) -> (u64, u64, String) {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    // Longest common subsequence; files in tests are small, and huge ones fall back to a
    // replace-everything diff.
    let ops: Vec<(char, &str)> = if a.len().saturating_mul(b.len()) <= 4_000_000 {
        let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
        for i in (0..a.len()).rev() {
            for j in (0..b.len()).rev() {
                lcs[i][j] = if a[i] == b[j] {
                    lcs[i + 1][j + 1] + 1
                } else {
                    lcs[i + 1][j].max(lcs[i][j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        let mut ops = Vec::new();
        while i < a.len() || j < b.len() {
            if i < a.len() && j < b.len() && a[i] == b[j] {
                ops.push((' ', a[i]));
                i += 1;
                j += 1;
            } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
                ops.push(('-', a[i]));
                i += 1;
            } else {
                ops.push(('+', b[j]));
                j += 1;
            }
        }
        ops
    } else {
        a.iter()
            .map(|line| ('-', *line))
            .chain(b.iter().map(|line| ('+', *line)))
            .collect()
    };
    let additions = ops.iter().filter(|(op, _)| *op == '+').count() as u64;
    let deletions = ops.iter().filter(|(op, _)| *op == '-').count() as u64;
    let old_start = if a.is_empty() { 0 } else { 1 };
    let new_start = if b.is_empty() { 0 } else { 1 };
    let mut patch = format!("@@ -{old_start},{} +{new_start},{} @@", a.len(), b.len());
    for (op, line) in ops {
        patch.push('\n');
        patch.push(op);
        patch.push_str(line);
    }
    (additions, deletions, patch)
}

/// The pull-request file entry for one changed path.
pub(crate) fn change_entry(change: &PathChange) -> PullRequestChange {
    let status = match (&change.old, &change.new) {
        (None, Some(_)) => "added",
        (Some(_), None) => "removed",
        _ => "modified",
    };
    let old = change
        .old
        .as_ref()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default();
    let new = change
        .new
        .as_ref()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default();
    let (additions, deletions, patch) = line_diff(&old, &new);
    PullRequestChange {
        sha: change
            .new
            .as_ref()
            .map(|b| blob_sha(b))
            .unwrap_or_else(|| super::state::ZERO_SHA.to_owned()),
        filename: change.path.clone(),
        status: status.to_owned(),
        additions,
        deletions,
        changes: additions + deletions,
        patch: Some(patch),
        previous_filename: None,
        blob_url: String::new(),
    }
}

impl RepoRec {
    /// The SHA a commit-ish names: a full or abbreviated (7+ digits) SHA, a branch or tag
    /// (`main`, `heads/main`, `refs/heads/main`, `tags/v1`, `refs/tags/v1`), or a pull
    /// request's head (`pull/7/head`, `refs/pull/7/head`).
    pub(crate) fn resolve(&self, commitish: &str) -> Option<String> {
        let name = commitish.strip_prefix("refs/").unwrap_or(commitish);
        if let Some(branch) = name.strip_prefix("heads/") {
            return self.branches.get(branch).cloned();
        }
        if let Some(tag) = name.strip_prefix("tags/") {
            return self.tags.get(tag).cloned();
        }
        if let Some(rest) = name.strip_prefix("pull/") {
            let number = rest.strip_suffix("/head")?.parse::<u64>().ok()?;
            let issue = self.issues.get(&number)?;
            return issue.pull.as_ref().map(|pull| self.head_sha(pull));
        }
        if let Some(sha) = self.branches.get(name).or_else(|| self.tags.get(name)) {
            return Some(sha.clone());
        }
        if self.commits.contains_key(name) {
            return Some(name.to_owned());
        }
        if name.len() >= 7 && name.chars().all(|c| c.is_ascii_hexdigit()) {
            let lower = name.to_ascii_lowercase();
            let mut matches = self.commits.keys().filter(|sha| sha.starts_with(&lower));
            if let (Some(only), None) = (matches.next(), matches.next()) {
                return Some(only.clone());
            }
        }
        None
    }

    /// Every commit reachable from `sha`, itself included.
    pub(crate) fn ancestors(&self, sha: &str) -> HashSet<String> {
        let mut seen = HashSet::new();
        let mut todo = vec![sha.to_owned()];
        while let Some(next) = todo.pop() {
            if let Some(commit) = self.commits.get(&next)
                && seen.insert(next)
            {
                todo.extend(commit.parents.iter().cloned());
            }
        }
        seen
    }

    /// The nearest common ancestor of `a` and `b`.
    pub(crate) fn merge_base(&self, a: &str, b: &str) -> Option<String> {
        let of_a = self.ancestors(a);
        let mut queue = VecDeque::from([b.to_owned()]);
        let mut seen = HashSet::new();
        while let Some(next) = queue.pop_front() {
            if of_a.contains(&next) {
                return Some(next);
            }
            if let Some(commit) = self.commits.get(&next)
                && seen.insert(next)
            {
                queue.extend(commit.parents.iter().cloned());
            }
        }
        None
    }

    /// The commits reachable from `head` but not from `base`, oldest first (parents before
    /// children).
    pub(crate) fn commits_between(&self, base: &str, head: &str) -> Vec<String> {
        let excluded = if base.is_empty() {
            HashSet::new()
        } else {
            self.ancestors(base)
        };
        self.commits_excluding(&excluded, head)
    }

    /// The commits reachable from `head` but not in `excluded`, oldest first.
    pub(crate) fn commits_excluding(&self, excluded: &HashSet<String>, head: &str) -> Vec<String> {
        let mut order = Vec::new();
        let mut seen = HashSet::new();
        // Iterative post-order walk: parents are emitted before their children.
        let mut stack = vec![(head.to_owned(), false)];
        while let Some((sha, expanded)) = stack.pop() {
            if excluded.contains(&sha) || !self.commits.contains_key(&sha) {
                continue;
            }
            if expanded {
                order.push(sha);
                continue;
            }
            if !seen.insert(sha.clone()) {
                continue;
            }
            stack.push((sha.clone(), true));
            for parent in self.commits[&sha].parents.iter().rev() {
                if !seen.contains(parent) {
                    stack.push((parent.clone(), false));
                }
            }
        }
        order
    }

    /// The paths a commit changed against its first parent: (added, removed, modified).
    pub(crate) fn commit_changes(&self, sha: &str) -> (Vec<String>, Vec<String>, Vec<String>) {
        let Some(commit) = self.commits.get(sha) else {
            return Default::default();
        };
        let empty = BTreeMap::new();
        let parent_tree = commit
            .parents
            .first()
            .and_then(|p| self.commits.get(p))
            .map(|p| &*p.tree)
            .unwrap_or(&empty);
        let (mut added, mut removed, mut modified) = (Vec::new(), Vec::new(), Vec::new());
        for change in diff_trees(parent_tree, &commit.tree) {
            match (&change.old, &change.new) {
                (None, _) => added.push(change.path),
                (_, None) => removed.push(change.path),
                _ => modified.push(change.path),
            }
        }
        (added, removed, modified)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(entries: &[(&str, &str)]) -> Tree {
        Files::from(entries.to_vec()).apply(&Tree::default())
    }

    #[test]
    fn three_way_merges_file_by_file() {
        let base = tree(&[("a", "1"), ("b", "1"), ("c", "1")]);
        let cases = [
            // (ours, theirs, merged or conflicting paths)
            (
                tree(&[("a", "2"), ("b", "1"), ("c", "1")]),
                tree(&[("a", "1"), ("b", "2"), ("c", "1")]),
                Ok(tree(&[("a", "2"), ("b", "2"), ("c", "1")])),
            ),
            (
                tree(&[("a", "2"), ("b", "1"), ("c", "1")]),
                tree(&[("a", "3"), ("b", "1"), ("c", "1")]),
                Err(vec!["a".to_owned()]),
            ),
            (
                tree(&[("a", "1"), ("b", "1")]),
                tree(&[("a", "1"), ("b", "1"), ("c", "1"), ("d", "new")]),
                Ok(tree(&[("a", "1"), ("b", "1"), ("d", "new")])),
            ),
            (
                tree(&[("a", "same"), ("b", "1"), ("c", "1")]),
                tree(&[("a", "same"), ("b", "1"), ("c", "1")]),
                Ok(tree(&[("a", "same"), ("b", "1"), ("c", "1")])),
            ),
        ];
        for (i, (ours, theirs, want)) in cases.into_iter().enumerate() {
            assert_eq!(three_way(&base, &ours, &theirs), want, "case {i}");
        }
    }

    #[test]
    fn line_diffs_count_lines() {
        let cases = [
            ("", "a\nb\n", 2, 0),
            ("a\nb\n", "", 0, 2),
            ("a\nb\nc\n", "a\nB\nc\n", 1, 1),
            ("a\nb\n", "a\nb\nc\n", 1, 0),
        ];
        for (old, new, additions, deletions) in cases {
            let (a, d, patch) = line_diff(old, new);
            assert_eq!((a, d), (additions, deletions), "{old:?} -> {new:?}");
            assert!(patch.starts_with("@@ -"), "{patch}");
        }
        let (_, _, patch) = line_diff("a\nb\n", "a\nc\n");
        assert_eq!(patch, "@@ -1,2 +1,2 @@\n a\n-b\n+c");
    }

    #[test]
    fn hashes_are_deterministic_and_distinct() {
        assert_eq!(hash(&["a", "b"]), hash(&["a", "b"]));
        assert_ne!(hash(&["ab", ""]), hash(&["a", "b"]));
        assert_eq!(hash(&["x"]).len(), 40);
    }
}
