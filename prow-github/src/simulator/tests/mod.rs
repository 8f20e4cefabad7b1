//! Tests of the simulator: every client method with its GitHub errors, merges, statuses,
//! search, the call log, webhooks, fault knobs and seeds.

mod actions;
mod calls;
mod client;
mod faults;
mod merge;
pub(crate) mod projects;
mod search;
mod seed;
mod statuses;
mod webhooks;

use chrono::{TimeZone, Utc};
use prow_core::event::Event;
use prow_core::github::{GitHubError, Permission, RepoName};

use super::{Call, NewPullRequest, Simulator};

/// The bot of every test world.
pub(super) const BOT: &str = "k8s-ci-robot";

/// The repository most tests use.
pub(super) fn repo() -> RepoName {
    RepoName::new("kubernetes", "test-infra")
}

/// A small world, on a manual clock:
///
/// - org `kubernetes`: members `alice`, `bob`, owner `carol`; team `sig-testing` (member
///   `alice`, maintainer `bob`, write on test-infra); team `empty`;
/// - repo `kubernetes/test-infra` (default branch `master`) with an OWNERS file, labels `lgtm`
///   and `approved`, milestones `v1.0` (open) and `v0.9` (closed); collaborator `erin`
///   (write); registered outsider `dave`;
/// - repo `kubernetes/website`, and `someone/personal` owned by a user.
pub(super) fn world() -> Simulator {
    let sim = Simulator::new(BOT);
    sim.use_manual_clock(Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap());
    sim.add_org("kubernetes");
    for (login, admin) in [("alice", false), ("bob", false), ("carol", true)] {
        sim.add_org_member("kubernetes", login, admin).unwrap();
    }
    sim.add_team("kubernetes", "sig-testing", "SIG Testing")
        .unwrap();
    sim.add_team("kubernetes", "empty", "Empty").unwrap();
    sim.add_team_member("kubernetes", "sig-testing", "alice", false)
        .unwrap();
    sim.add_team_member("kubernetes", "sig-testing", "bob", true)
        .unwrap();
    sim.set_team_repo_permission("kubernetes", "sig-testing", "test-infra", Permission::Write)
        .unwrap();
    sim.add_user("dave", Some("Dave"), None);
    sim.create_repo(
        &repo(),
        "master",
        [
            ("OWNERS", "approvers:\n- alice\n"),
            ("README.md", "# test-infra\n"),
            ("docs/guide.md", "guide\n"),
        ],
    )
    .unwrap();
    sim.add_collaborator(&repo(), "erin", Permission::Write)
        .unwrap();
    sim.create_label(&repo(), "lgtm", Some("15dd18"), Some("Looks good"))
        .unwrap();
    sim.create_label(&repo(), "approved", None, None).unwrap();
    sim.create_milestone(&repo(), "v1.0").unwrap();
    let old = sim.create_milestone(&repo(), "v0.9").unwrap();
    sim.set_milestone_open(&repo(), old, false).unwrap();
    sim.create_repo(
        &RepoName::new("kubernetes", "website"),
        "main",
        [("index.md", "hi\n")],
    )
    .unwrap();
    sim.create_repo(&RepoName::new("someone", "personal"), "main", [("a", "b")])
        .unwrap();
    sim
}

/// Opens a pull request from `author`'s fork changing `path`.
pub(super) fn open_pr(sim: &Simulator, author: &str, head: &str, path: &str) -> u64 {
    sim.open_pull_request(
        &repo(),
        author,
        &format!("Change {path}"),
        "body",
        head,
        [(path, "new\n")],
    )
    .unwrap()
}

/// Opens a pull request as `open_pr` does, with `NewPullRequest` fields.
pub(super) fn open_pr_with(sim: &Simulator, author: &str, new: NewPullRequest) -> u64 {
    sim.open_pull_request_with(&repo(), author, &new).unwrap()
}

/// A short name for an error's kind, to compare in tables.
pub(super) fn kind(err: &GitHubError) -> String {
    match err {
        GitHubError::NotFound(_) => "404".into(),
        GitHubError::Forbidden(_) => "403".into(),
        GitHubError::Unprocessable(_) => "422".into(),
        GitHubError::MissingUsers(users) => format!("missing {}", users.join(",")),
        GitHubError::ModifiedHead(_) => "409".into(),
        GitHubError::UnmergeablePullRequest(_) => "405".into(),
        GitHubError::RateLimited {
            retry_after_seconds,
        } => format!("rate limited {retry_after_seconds:?}"),
        GitHubError::Status { status, .. } => status.to_string(),
        other => format!("{other}"),
    }
}

/// `Ok` as "ok", an error as its kind.
pub(super) fn outcome<T>(result: &Result<T, GitHubError>) -> String {
    match result {
        Ok(_) => "ok".into(),
        Err(err) => kind(err),
    }
}

/// Every webhook since the last call, parsed as Prow parses it.
pub(super) fn events(sim: &Simulator) -> Vec<Event> {
    sim.take_webhooks()
        .iter()
        .map(|w| {
            w.parse()
                .unwrap_or_else(|e| panic!("{}: {e}", w.event_type))
        })
        .collect()
}

/// `event_type` or `event_type.action` of every webhook since the last call.
pub(super) fn event_names(sim: &Simulator) -> Vec<String> {
    sim.take_webhooks()
        .iter()
        .map(|w| match w.action() {
            Some(action) => format!("{}.{action}", w.event_type),
            None => w.event_type.clone(),
        })
        .collect()
}
