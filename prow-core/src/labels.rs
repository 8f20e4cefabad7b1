//! The GitHub label names Prow's plugins and Tide share (upstream's `pkg/labels`): the words
//! users see on issues and pull requests, and that Tide's queries name.

/// Approved by an approver in OWNERS (`/approve`).
pub const APPROVED: &str = "approved";
/// The pull request touches paths a blockade forbids.
pub const BLOCKED_PATHS: &str = "do-not-merge/blocked-paths";
/// A bug (`/kind bug`).
pub const BUG: &str = "kind/bug";
/// The CLA is not signed.
pub const CLA_NO: &str = "cncf-cla: no";
/// The CLA is signed.
pub const CLA_YES: &str = "cncf-cla: yes";
/// A cherry-pick approved for a release branch.
pub const CP_APPROVED: &str = "cherry-pick-approved";
/// A cherry-pick not (yet) approved for a release branch.
pub const CP_UNAPPROVED: &str = "do-not-merge/cherry-pick-not-approved";
/// A deprecation (`/kind deprecation`).
pub const DEPRECATION: &str = "kind/deprecation";
/// A good first issue for new contributors (`/good-first-issue`).
pub const GOOD_FIRST_ISSUE: &str = "good first issue";
/// Help is wanted (`/help`).
pub const HELP: &str = "help wanted";
/// Held from merging (`/hold`).
pub const HOLD: &str = "do-not-merge/hold";
/// An OWNERS file in the pull request is invalid.
pub const INVALID_OWNERS: &str = "do-not-merge/invalid-owners-file";
/// Looks good to a reviewer (`/lgtm`).
pub const LGTM: &str = "lgtm";
/// Actively worked on (`/lifecycle active`).
pub const LIFECYCLE_ACTIVE: &str = "lifecycle/active";
/// Kept open regardless of activity (`/lifecycle frozen`).
pub const LIFECYCLE_FROZEN: &str = "lifecycle/frozen";
/// Stale for long, about to be closed (`/lifecycle rotten`).
pub const LIFECYCLE_ROTTEN: &str = "lifecycle/rotten";
/// No recent activity (`/lifecycle stale`).
pub const LIFECYCLE_STALE: &str = "lifecycle/stale";
/// The pull request contains merge commits.
pub const MERGE_COMMITS: &str = "do-not-merge/contains-merge-commits";
/// The author is not trusted: a member must `/ok-to-test` before tests run.
pub const NEEDS_OK_TO_TEST: &str = "needs-ok-to-test";
/// The pull request does not merge cleanly.
pub const NEEDS_REBASE: &str = "needs-rebase";
/// A trusted member said the pull request may be tested (`/ok-to-test`).
pub const OK_TO_TEST: &str = "ok-to-test";
/// The release-note block is missing.
pub const RELEASE_NOTE_LABEL_NEEDED: &str = "do-not-merge/release-note-label-needed";
/// The pull request has a release note.
pub const RELEASE_NOTE: &str = "release-note";
/// The pull request needs no release note.
pub const RELEASE_NOTE_NONE: &str = "release-note-none";
/// The release note asks users to act.
pub const RELEASE_NOTE_ACTION_REQUIRED: &str = "release-note-action-required";
/// `/shrug`.
pub const SHRUG: &str = "¯\\_(ツ)_/¯";
/// Triaged and accepted (`/triage accepted`).
pub const TRIAGE_ACCEPTED: &str = "triage/accepted";
/// Work in progress: a draft, or `WIP` in the title.
pub const WORK_IN_PROGRESS: &str = "do-not-merge/work-in-progress";
