//! The client against the simulator's HTTP face: every method with the same outcomes as the
//! in-memory simulator on an identical world (and the same call log), the token sent, the
//! fault knobs (server errors, primary and secondary rate limits) in paused tokio time, ETag
//! revalidation that costs no budget, and dry-run writing nothing.

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use prow_core::event::ReviewState;
use prow_core::github::{
    CheckRunRequest, GitHubClient, GitHubError, GitHubResult, MergeDetails, MergeMethod,
    Permission, RepoName, Status, TeamRole, WorkflowRun, WorkflowRunFilter,
};
use serde::Serialize;
use serde_json::json;
use tokio::time::Instant;

use super::super::auth::SystemClock;
use super::super::transport::hyper_service;
use super::super::{Auth, Client, ClientOptions, RetryOptions};
use crate::simulator::{
    Faults, HttpFace, HttpOptions, NewCheckRun, PrimaryRateLimit, SecondaryRateLimit, Simulator,
    SimulatorServer,
};

const BOT: &str = "k8s-ci-robot";

fn repo() -> RepoName {
    RepoName::new("kubernetes", "test-infra")
}

fn logins(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// The simulator tests' world: org `kubernetes` (members alice, bob, owner carol; team
/// sig-testing with alice and maintainer bob, write on test-infra; team empty), repo
/// `kubernetes/test-infra` (OWNERS, labels lgtm and approved, milestones v1.0 open and v0.9
/// closed, collaborator erin), outsider dave, repos `kubernetes/website` and
/// `someone/personal`.
fn world(manual_clock: bool) -> Simulator {
    let sim = Simulator::new(BOT);
    if manual_clock {
        sim.use_manual_clock(Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap());
    }
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

/// Client options for a served simulator: its address for REST and GraphQL, a token, quick
/// retries, no request timeout (time may be paused).
fn options(server: &SimulatorServer, token: &str) -> ClientOptions {
    ClientOptions {
        endpoint: server.base_url(),
        graphql_endpoint: format!("{}/graphql", server.base_url()),
        auth: Auth::Token(token.into()),
        retry: RetryOptions {
            max_retries: 4,
            initial_delay: Duration::from_millis(50),
            max_delay: Duration::from_secs(1),
            max_rate_limit_wait: Duration::from_secs(300),
        },
        request_timeout: None,
        ..ClientOptions::default()
    }
}

/// A client of `server` over real HTTP, as `login` (through the face's token table).
async fn client_as(server: &SimulatorServer, login: &str) -> Client {
    let token = format!("token-of-{login}");
    server.set_token(&token, login);
    Client::with_parts(
        options(server, &token),
        hyper_service().unwrap(),
        Arc::new(SystemClock),
    )
    .await
    .unwrap()
}

/// Two identical worlds: one in memory, one served over HTTP with a client for it.
struct Pair {
    mem: Simulator,
    served: Simulator,
    server: SimulatorServer,
    client: Client,
}

impl Pair {
    async fn new() -> Pair {
        let mem = world(true);
        let served = world(true);
        let server = SimulatorServer::start(served.clone(), "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let client = client_as(&server, BOT).await;
        Pair {
            mem,
            served,
            server,
            client,
        }
    }

    /// Does the same to both worlds.
    fn both<T>(&self, f: impl Fn(&Simulator) -> T) -> T {
        f(&self.mem);
        f(&self.served)
    }

    /// An outcome as text, with the served world's address replaced by the in-memory one's.
    fn show<T: Serialize>(&self, result: &GitHubResult<T>) -> String {
        match result {
            Ok(value) => {
                let mut value = serde_json::to_value(value).unwrap();
                normalize(&mut value);
                let text = value.to_string();
                format!(
                    "ok {}",
                    text.replace(&self.server.base_url(), "https://api.github.com")
                )
            }
            Err(err) => kind(err),
        }
    }

    /// Both call logs since the last look, compared.
    fn same_calls(&self, context: &str) {
        let mem = self.mem.take_calls();
        let served = self.served.take_calls();
        assert_eq!(served, mem, "call log after {context}");
    }
}

/// Smooths over two rendering differences between the simulator's faces that are not the
/// client's: accounts embedded in objects carry no `name`/`email` over HTTP (as on GitHub),
/// and an empty review body is `""` over HTTP but `None` in memory.
fn normalize(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            if map.contains_key("login") && map.contains_key("type") {
                map.remove("name");
                map.remove("email");
            }
            if map.get("body").and_then(|b| b.as_str()) == Some("") {
                map.insert("body".into(), serde_json::Value::Null);
            }
            map.values_mut().for_each(normalize);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(normalize),
        _ => {}
    }
}

/// A short name for an error's kind (the simulator tests' `kind`).
fn kind(err: &GitHubError) -> String {
    match err {
        GitHubError::NotFound(_) => "404".into(),
        GitHubError::Forbidden(_) => "403".into(),
        GitHubError::Unprocessable(_) => "422".into(),
        GitHubError::MissingUsers(users) => format!("missing {}", users.join(",")),
        GitHubError::ModifiedHead(_) => "409".into(),
        GitHubError::UnmergeablePullRequest(_) => "405".into(),
        GitHubError::RateLimited { .. } => "rate limited".into(),
        GitHubError::Status { status, .. } => status.to_string(),
        other => format!("{other}"),
    }
}

/// Runs the same call on the in-memory simulator (as the bot) and on the client over HTTP,
/// asserts the outcomes are the same, and returns the outcome.
macro_rules! same {
    ($pair:expr, |$c:ident| $call:expr) => {{
        let pair = &$pair;
        let want = {
            let $c = &pair.mem;
            pair.show(&$call.await)
        };
        let got = {
            let $c = &pair.client;
            pair.show(&$call.await)
        };
        assert_eq!(got, want, "{}", stringify!($call));
        got
    }};
}

/// As `same!`, acting as `login` on both sides.
macro_rules! same_as {
    ($pair:expr, $login:expr, |$c:ident| $call:expr) => {{
        let pair = &$pair;
        let login: &str = $login;
        let mem_client = pair.mem.client_as(login);
        let http_client = client_as(&pair.server, login).await;
        let want = {
            let $c = &mem_client;
            pair.show(&$call.await)
        };
        let got = {
            let $c = &http_client;
            pair.show(&$call.await)
        };
        assert_eq!(got, want, "{} as {login}", stringify!($call));
        got
    }};
}

fn open_pr(sim: &Simulator, author: &str, head: &str, path: &str) -> u64 {
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

#[tokio::test]
async fn issues_comments_reactions_labels_and_milestones_match_the_simulator() {
    let pair = Pair::new().await;
    let r = repo();
    same!(pair, |c| c.bot_user());
    let pr = pair.both(|sim| open_pr(sim, "alice", "feature", "a.txt"));
    let issue = pair.both(|sim| {
        sim.open_issue_as("dave", &r, "Bug", "it breaks", &[], &[])
            .unwrap()
    });
    for number in [pr, issue, 99] {
        same!(pair, |c| c.get_issue(&r, number));
    }
    same!(pair, |c| c
        .get_issue(&RepoName::new("kubernetes", "nope"), 1));

    // create_issue
    let archived = RepoName::new("kubernetes", "website");
    pair.both(|sim| sim.set_archived(&archived, true).unwrap());
    let cases = [
        ("plain", r.clone(), "Title", logins(&[]), logins(&[])),
        (
            "labels and assignees",
            r.clone(),
            "Title",
            logins(&["lgtm", "kind/bug"]),
            logins(&["alice", "erin"]),
        ),
        ("blank title", r.clone(), " ", logins(&[]), logins(&[])),
        (
            "outsider",
            r.clone(),
            "Title",
            logins(&[]),
            logins(&["dave"]),
        ),
        (
            "unknown repo",
            RepoName::new("x", "y"),
            "Title",
            logins(&[]),
            logins(&[]),
        ),
        (
            "archived",
            archived.clone(),
            "Title",
            logins(&[]),
            logins(&[]),
        ),
    ];
    let mut outcomes = Vec::new();
    for (_, target, title, labels, assignees) in &cases {
        outcomes.push(same!(pair, |c| c
            .create_issue(target, title, "body", labels, assignees)));
    }
    assert_eq!(
        outcomes,
        ["ok 3", "ok 4", "422", "422", "404", "403"],
        "{:?}",
        cases.iter().map(|c| c.0).collect::<Vec<_>>()
    );
    assert_eq!(pair.served.labels(&r, 4), ["lgtm", "kind/bug"]);
    same_as!(pair, "dave", |c| c.create_issue(
        &r,
        "From dave",
        "",
        &logins(&["lgtm"]),
        &[]
    ));
    pair.same_calls("create_issue");

    // close and reopen
    same!(pair, |c| c.close_issue(&r, issue, true));
    same!(pair, |c| c.get_issue(&r, issue));
    same!(pair, |c| c.reopen_issue(&r, issue));
    same!(pair, |c| c.close_issue(&r, 42, false));
    same!(pair, |c| c.reopen_issue(&r, 42));
    assert_eq!(
        same_as!(pair, "frank", |c| c.close_issue(&r, issue, false)),
        "403"
    );
    assert_eq!(
        same_as!(pair, "dave", |c| c.close_issue(&r, issue, false)),
        "ok null"
    );
    same!(pair, |c| c.reopen_issue(&r, issue));
    let merged = pair.both(|sim| {
        let n = open_pr(sim, "bob", "g", "b");
        sim.merge_as(BOT, &r, n, &MergeDetails::default()).unwrap();
        n
    });
    for (number, close) in [
        (pr, true),
        (pr, true),
        (pr, false),
        (issue, true),
        (issue, false),
        (merged, false),
        (99, true),
    ] {
        if close {
            same!(pair, |c| c.close_pull_request(&r, number));
        } else {
            same!(pair, |c| c.reopen_pull_request(&r, number));
        }
    }
    for (number, title) in [(pr, "New title"), (pr, ""), (99, "x")] {
        same!(pair, |c| c.edit_title(&r, number, title));
    }
    pair.same_calls("close, reopen, edit_title");

    // comments
    let theirs = pair.both(|sim| sim.comment_as("alice", &r, pr, "mine").unwrap());
    let id = same!(pair, |c| c.create_comment(&r, pr, "hello"));
    let id: u64 = id.trim_start_matches("ok ").parse().unwrap();
    same!(pair, |c| c.list_issue_comments(&r, pr));
    for (number, body) in [(pr, "x"), (pr, "  "), (99, "x")] {
        same!(pair, |c| c.create_comment(&r, number, body));
    }
    same!(pair, |c| c.list_issue_comments(&r, 99));
    same!(pair, |c| c.edit_comment(&r, id, "edited"));
    same!(pair, |c| c.edit_comment(&r, 1, "x"));
    same!(pair, |c| c.edit_comment(&r, id, ""));
    assert_eq!(
        same_as!(pair, "dave", |c| c.edit_comment(&r, theirs, "x")),
        "403"
    );
    same!(pair, |c| c.edit_comment(&r, theirs, "fixed typo"));
    assert_eq!(same_as!(pair, "dave", |c| c.delete_comment(&r, id)), "403");
    assert_eq!(same!(pair, |c| c.delete_comment(&r, id)), "ok null");
    assert_eq!(same!(pair, |c| c.delete_comment(&r, id)), "404");
    assert_eq!(pair.served.comments(&r, pr), ["fixed typo", "x"]);
    pair.same_calls("comments");

    // reactions
    for (comment, reaction) in [
        (theirs, "+1"),
        (theirs, "+1"),
        (theirs, "thumbsup"),
        (7, "eyes"),
    ] {
        same!(pair, |c| c.create_comment_reaction(&r, comment, reaction));
    }
    for number in [pr, 99] {
        same!(pair, |c| c.create_issue_reaction(&r, number, "eyes"));
    }
    pair.same_calls("reactions");

    // labels
    let label_cases = [
        (true, pr, "lgtm"),
        (true, pr, "LGTM"),
        (true, pr, "needs-rebase"),
        (true, pr, ""),
        (true, 99, "lgtm"),
        (false, pr, "approved"),
        (false, pr, "nope"),
        (false, pr, "needs-rebase"),
        (false, pr, "needs-rebase"),
    ];
    for (add, number, label) in label_cases {
        if add {
            same!(pair, |c| c.add_label(&r, number, label));
        } else {
            same!(pair, |c| c.remove_label(&r, number, label));
        }
    }
    assert_eq!(
        same_as!(pair, "dave", |c| c.add_label(&r, pr, "approved")),
        "403"
    );
    same!(pair, |c| c.add_label(&r, pr, "do-not-merge/hold"));
    same!(pair, |c| c.remove_label(&r, pr, "do-not-merge/hold"));
    same!(pair, |c| c.get_issue_labels(&r, pr));
    same!(pair, |c| c.get_issue_labels(&r, 99));
    same!(pair, |c| c.get_repo_labels(&r));
    same!(pair, |c| c.get_repo_labels(&RepoName::new("a", "b")));
    pair.same_calls("labels");

    // milestones
    same!(pair, |c| c.list_milestones(&r));
    for milestone in [Some(1), Some(2), Some(9), None, None] {
        match milestone {
            Some(m) => same!(pair, |c| c.set_milestone(&r, issue, m)),
            None => same!(pair, |c| c.clear_milestone(&r, issue)),
        };
    }
    same!(pair, |c| c.set_milestone(&r, 99, 1));
    same!(pair, |c| c.get_issue(&r, issue));
    pair.same_calls("milestones");
}

#[tokio::test]
async fn assignees_reviews_and_pull_requests_match_the_simulator() {
    let pair = Pair::new().await;
    let r = repo();
    let pr = pair.both(|sim| open_pr(sim, "frank", "f", "a"));
    pair.both(|sim| sim.comment_as("grace", &r, pr, "me too").unwrap());
    let outcomes: Vec<String> = {
        let mut v = Vec::new();
        for who in [
            logins(&["alice"]),
            logins(&["dave", "erin", "nobody"]),
            logins(&["@Alice"]),
            logins(&["frank", "grace"]),
        ] {
            v.push(same!(pair, |c| c.assign_issue(&r, pr, &who)));
        }
        v
    };
    assert_eq!(
        outcomes,
        ["ok null", "missing dave,nobody", "ok null", "ok null"]
    );
    assert_eq!(
        pair.served.assignees(&r, pr),
        ["alice", "erin", "frank", "grace"]
    );
    same!(pair, |c| c.assign_issue(&r, 99, &logins(&["alice"])));
    same!(pair, |c| c.unassign_issue(
        &r,
        pr,
        &logins(&["alice", "nobody", "frank"])
    ));
    assert_eq!(
        same_as!(pair, "dave", |c| c.unassign_issue(
            &r,
            pr,
            &logins(&["erin"])
        )),
        "403"
    );
    pair.same_calls("assignees");

    let pr = pair.both(|sim| open_pr(sim, "alice", "g", "b"));
    let got = same!(pair, |c| c.request_review(
        &r,
        pr,
        &logins(&[
            "bob",
            "alice",
            "dave",
            "kubernetes/sig-testing",
            "kubernetes/nope"
        ])
    ));
    assert_eq!(got, "missing alice,dave,kubernetes/nope");
    same!(pair, |c| c.get_pull_request(&r, pr));
    same!(pair, |c| c.request_review(&r, pr, &logins(&["erin"])));
    same!(pair, |c| c.unrequest_review(
        &r,
        pr,
        &logins(&["bob", "kubernetes/sig-testing", "carol"])
    ));
    same!(pair, |c| c.get_pull_request(&r, pr));
    same!(pair, |c| c.request_review(&r, 99, &logins(&["bob"])));
    // The review request refused whole is asked for again one login at a time over HTTP, so
    // the logs differ there; the state does not.
    pair.mem.take_calls();
    pair.served.take_calls();
    assert_eq!(
        pair.served
            .pull_request(&r, pr)
            .unwrap()
            .requested_reviewers,
        pair.mem.pull_request(&r, pr).unwrap().requested_reviewers
    );

    // reads of pull requests
    let docs = pair.both(|sim| {
        sim.open_pull_request(
            &r,
            "alice",
            "Update docs",
            "",
            "docs",
            crate::simulator::Files::new()
                .put("docs/guide.md", "guide\nmore\n")
                .put("docs/new.md", "new\n")
                .delete("README.md"),
        )
        .unwrap()
    });
    let issue = pair.both(|sim| sim.open_issue_as("dave", &r, "Bug", "", &[], &[]).unwrap());
    for number in [docs, issue, 99] {
        same!(pair, |c| c.get_pull_request(&r, number));
        same!(pair, |c| c.get_pull_request_changes(&r, number));
        same!(pair, |c| c.list_reviews(&r, number));
    }
    for (user, state, body) in [
        ("bob", ReviewState::Approved, ""),
        ("erin", ReviewState::ChangesRequested, "please fix"),
        ("dave", ReviewState::Commented, "nice"),
    ] {
        pair.both(|sim| sim.review_as(user, &r, docs, state.clone(), body).unwrap());
    }
    same!(pair, |c| c.list_reviews(&r, docs));
}

#[tokio::test]
async fn merges_statuses_refs_and_files_match_the_simulator() {
    let pair = Pair::new().await;
    let r = repo();
    let details = |sha: String| MergeDetails {
        sha,
        merge_method: MergeMethod::Squash,
        commit_title: None,
        commit_message: None,
    };
    let good = pair.both(|sim| open_pr(sim, "alice", "good", "good.txt"));
    let stale = pair.both(|sim| open_pr(sim, "alice", "stale", "stale.txt"));
    let forced = pair.both(|sim| {
        let n = open_pr(sim, "alice", "forced", "forced.txt");
        sim.set_mergeable(&r, n, Some(false)).unwrap();
        n
    });
    let head_of = |n: u64| pair.mem.pull_request(&r, n).unwrap().head.sha;
    let stale_sha = head_of(stale);
    pair.both(|sim| {
        sim.push_to_pull_request(&r, stale, [("more.txt", "more")])
            .unwrap()
    });
    let cases = [
        (good, head_of(good), "ok null"),
        (stale, stale_sha, "409"),
        (forced, head_of(forced), "405"),
        (good, head_of(good), "405"),
        (99, String::new(), "404"),
    ];
    for (number, sha, want) in cases {
        let details = details(sha);
        assert_eq!(same!(pair, |c| c.merge(&r, number, &details)), want);
    }
    assert_eq!(
        same_as!(pair, "dave", |c| c.merge(
            &r,
            stale,
            &MergeDetails::default()
        )),
        "403"
    );
    pair.same_calls("merge");

    // statuses and check runs
    let head = head_of(stale);
    for (state, context) in [
        ("pending", "ci/unit"),
        ("success", "ci/unit"),
        ("failure", "tide"),
    ] {
        let status = Status {
            state: state.into(),
            context: context.into(),
            description: "d".into(),
            target_url: "https://prow.example/x".into(),
        };
        same!(pair, |c| c.create_status(&r, &head, &status));
    }
    let bad = Status {
        state: "weird".into(),
        context: "x".into(),
        ..Status::default()
    };
    same!(pair, |c| c.create_status(&r, &head, &bad));
    same!(pair, |c| c.create_status(
        &r,
        "0123456789012345678901234567890123456789",
        &bad
    ));
    same!(pair, |c| c.get_combined_status(&r, &head));
    same!(pair, |c| c.get_combined_status(&r, "stale"));
    same!(pair, |c| c.get_combined_status(&r, "nope"));
    pair.both(|sim| {
        sim.create_check_run(
            "github-actions",
            &r,
            &head,
            &NewCheckRun {
                name: "build".into(),
                status: "completed".into(),
                conclusion: Some("success".into()),
                ..NewCheckRun::default()
            },
        )
        .unwrap()
    });
    same!(pair, |c| c.list_check_runs(&r, &head));
    same!(pair, |c| c.list_check_runs(&r, "nope"));
    pair.same_calls("statuses");

    // refs and files
    let pr = pair.both(|sim| open_pr(sim, "alice", "f", "OWNERS"));
    pair.both(|sim| {
        sim.push_as("erin", &r, "release-1.0", [("VERSION", "1.0\n")], "release")
            .unwrap();
        sim.create_tag_as("erin", &r, "v1.0", "release-1.0")
            .unwrap();
    });
    for reference in [
        "heads/master",
        "refs/heads/master",
        "heads/release-1.0",
        "tags/v1.0",
        "pull/1/head",
        "master",
        "heads/nope",
        "heads/rel",
    ] {
        same!(pair, |c| c.get_ref(&r, reference));
    }
    let head = head_of(pr);
    let short = head[..10].to_owned();
    for (path, commitish) in [
        ("OWNERS", None),
        ("/OWNERS", Some("master")),
        ("OWNERS", Some(head.as_str())),
        ("OWNERS", Some(short.as_str())),
        ("OWNERS", Some("refs/pull/1/head")),
        ("VERSION", Some("v1.0")),
        ("VERSION", None),
        ("docs", None),
        ("docs/guide.md", None),
        ("OWNERS", Some("no-such-branch")),
    ] {
        same!(pair, |c| c.get_file(&r, path, commitish));
    }
    for reference in [
        "heads/release-1.0",
        "heads/release-1.0",
        "tags/v1.0",
        "heads/master",
        "bogus",
    ] {
        same!(pair, |c| c.delete_ref(&r, reference));
    }
    assert_eq!(
        same_as!(pair, "dave", |c| c.delete_ref(&r, "heads/master")),
        "403"
    );
    pair.same_calls("refs");
}

#[tokio::test]
async fn commits_branch_protection_and_check_runs_match_the_simulator() {
    let pair = Pair::new().await;
    let r = repo();
    let pr = pair.both(|sim| open_pr(sim, "alice", "tree", "tree.txt"));
    let head = pair.mem.pull_request(&r, pr).unwrap().head.sha;
    let commit = same!(pair, |c| c.get_single_commit(&r, &head));
    let tree = pair.mem.commit(&r, &head).unwrap().tree_sha;
    assert!(commit.contains(&tree), "{commit}");
    same!(pair, |c| c.get_single_commit(&r, "master"));
    assert_eq!(same!(pair, |c| c.get_single_commit(&r, "nope")), "404");

    assert_eq!(
        same!(pair, |c| c.get_branch_protection(&r, "master")),
        "ok null"
    );
    pair.both(|sim| {
        sim.set_required_status_checks(&r, "master", &["ci/unit", "tide"])
            .unwrap()
    });
    let protection = same!(pair, |c| c.get_branch_protection(&r, "master"));
    assert!(
        protection.contains(r#""contexts":["ci/unit","tide"]"#),
        "{protection}"
    );
    assert_eq!(
        same!(pair, |c| c.get_branch_protection(&r, "no-such-branch")),
        "404"
    );

    assert!(!GitHubClient::uses_app_auth(&pair.client).await);
    assert!(!GitHubClient::uses_app_auth(&pair.mem).await);
    let run = CheckRunRequest {
        name: "override".into(),
        head_sha: head.clone(),
        status: "completed".into(),
        conclusion: Some("success".into()),
        title: Some("Prow override - override".into()),
        summary: Some("overridden".into()),
        ..CheckRunRequest::default()
    };
    same!(pair, |c| GitHubClient::create_check_run(c, &r, &run));
    let runs = same!(pair, |c| c.list_check_runs(&r, &head));
    assert!(runs.contains("Prow override - override"), "{runs}");
    pair.same_calls("commits, protection and check runs");
}

#[tokio::test]
async fn workflow_runs_match_the_simulator() {
    let pair = Pair::new().await;
    let r = repo();
    let pr = pair.both(|sim| open_pr(sim, "dave", "flaky", "a.txt"));
    let head = pair.mem.pull_request(&r, pr).unwrap().head.sha;
    let runs = [
        ("pull_request", "flaky", "action_required", None),
        ("pull_request_target", "flaky", "completed", Some("failure")),
        ("pull_request", "flaky", "completed", Some("success")),
        ("push", "master", "completed", Some("cancelled")),
    ];
    for (id, (event, branch, status, conclusion)) in (1..).zip(runs) {
        let run = WorkflowRun {
            id,
            name: format!("workflow {id}"),
            status: status.into(),
            conclusion: conclusion.map(Into::into),
            head_sha: head.clone(),
            head_branch: branch.into(),
            event: event.into(),
        };
        pair.both(|sim| sim.add_workflow_run(&r, run.clone()).unwrap());
    }
    let pending = WorkflowRunFilter {
        head_sha: Some(head.clone()),
        branch: Some("flaky".into()),
        events: vec!["pull_request".into(), "pull_request_target".into()],
        status: Some("action_required".into()),
    };
    let for_pr = WorkflowRunFilter {
        status: None,
        events: vec![
            "pull_request".into(),
            "pull_request_target".into(),
            "workflow_call".into(),
        ],
        ..pending.clone()
    };
    let listed = same!(pair, |c| c.list_workflow_runs(&r, &pending));
    assert!(listed.contains(r#""id":1,"#), "{listed}");
    assert!(!listed.contains(r#""id":2,"#), "{listed}");
    let listed = same!(pair, |c| c.list_workflow_runs(&r, &for_pr));
    // Newest first; the push of master is left out.
    let at = |name: &str| listed.find(name);
    assert!(at("workflow 3") < at("workflow 2"), "{listed}");
    assert!(at("workflow 2") < at("workflow 1"), "{listed}");
    assert_eq!(at("workflow 4"), None, "{listed}");
    same!(pair, |c| c
        .list_workflow_runs(&r, &WorkflowRunFilter::default()));
    same!(pair, |c| c.list_workflow_runs(
        &RepoName::new("kubernetes", "nope"),
        &pending
    ));
    same!(pair, |c| c.approve_workflow_run(&r, 1));
    assert_eq!(same!(pair, |c| c.approve_workflow_run(&r, 1)), "404");
    assert_eq!(same!(pair, |c| c.approve_workflow_run(&r, 2)), "404");
    same!(pair, |c| c.rerun_failed_workflow_jobs(&r, 2));
    assert_eq!(same!(pair, |c| c.rerun_failed_workflow_jobs(&r, 2)), "403");
    assert_eq!(same!(pair, |c| c.rerun_failed_workflow_jobs(&r, 99)), "404");
    assert_eq!(
        same_as!(pair, "dave", |c| c.rerun_failed_workflow_jobs(&r, 4)),
        "403"
    );
    same!(pair, |c| c
        .list_workflow_runs(&r, &WorkflowRunFilter::default()));
    assert_eq!(
        pair.served.workflow_run(&r, 2).unwrap(),
        pair.mem.workflow_run(&r, 2).unwrap()
    );
    pair.same_calls("workflow runs");
}

#[tokio::test]
async fn people_teams_and_search_match_the_simulator() {
    let pair = Pair::new().await;
    let r = repo();
    let personal = RepoName::new("someone", "personal");
    let website = RepoName::new("kubernetes", "website");
    for (name, login) in [
        (&r, "carol"),
        (&r, "alice"),
        (&r, "erin"),
        (&r, "dave"),
        (&r, BOT),
        (&website, "alice"),
        (&personal, "someone"),
        (&personal, "alice"),
        (&r, "nobody"),
        (&RepoName::new("a", "b"), "alice"),
    ] {
        same!(pair, |c| c.get_user_permission(name, login));
        same!(pair, |c| c.is_collaborator(name, login));
    }
    for (org, login) in [
        ("kubernetes", "alice"),
        ("kubernetes", "carol"),
        ("Kubernetes", "ALICE"),
        ("kubernetes", "dave"),
        ("nope", "alice"),
    ] {
        same!(pair, |c| c.is_member(org, login));
    }
    same!(pair, |c| c.list_teams("kubernetes"));
    same!(pair, |c| c.list_teams("nope"));
    for role in [TeamRole::All, TeamRole::Maintainer, TeamRole::Member] {
        same!(pair, |c| c.list_team_members(
            "kubernetes",
            "sig-testing",
            role
        ));
    }
    same!(pair, |c| c.list_team_members(
        "kubernetes",
        "nope",
        TeamRole::All
    ));

    pair.both(|sim| {
        let pr = open_pr(sim, "alice", "f", "a");
        sim.add_label_as("carol", &r, pr, "lgtm").unwrap();
        open_pr(sim, "bob", "g", "b");
        sim.open_issue_as("dave", &r, "Bug", "", &[], &[]).unwrap();
    });
    for query in [
        "is:pr is:open repo:kubernetes/test-infra",
        "is:pr label:lgtm",
        "is:issue author:dave",
        "is:pr -label:lgtm org:kubernetes",
        "is:banana",
    ] {
        same!(pair, |c| c.find_issues(query));
    }
}

#[tokio::test]
async fn many_pages_are_read_in_full() {
    let pair = Pair::new().await;
    let r = repo();
    let pr = pair.both(|sim| open_pr(sim, "alice", "f", "a"));
    pair.both(|sim| {
        for i in 0..230 {
            sim.comment_as("bob", &r, pr, &format!("comment {i}"))
                .unwrap();
        }
    });
    let got = pair.client.list_issue_comments(&r, pr).await.unwrap();
    assert_eq!(got.len(), 230);
    assert_eq!(got[229].body, "comment 229");
    let metrics = pair.client.metrics();
    assert_eq!(
        metrics.requests("/repos/:owner/:repo/issues/:issueId/comments", "200"),
        3
    );
}

#[tokio::test]
async fn graphql_search_over_http() {
    let sim = world(false);
    let pr = open_pr(&sim, "alice", "f", "a");
    sim.add_label_as("carol", &repo(), pr, "lgtm").unwrap();
    let server = SimulatorServer::start(sim.clone(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let client = client_as(&server, BOT).await;
    let query = "query($query: String!) { search(type: ISSUE, first: 100, query: $query) { issueCount nodes { ... on PullRequest { number title } } } }";
    let data = client
        .graphql(
            query,
            json!({"query": "is:pr is:open org:kubernetes label:lgtm"}),
        )
        .await
        .unwrap();
    assert_eq!(data["search"]["issueCount"], 1, "{data}");
    assert_eq!(data["search"]["nodes"][0]["number"], pr);
    assert_eq!(client.metrics().requests("/graphql", "200"), 1);
}

#[tokio::test]
async fn the_token_is_sent_and_names_the_actor() {
    let sim = world(false);
    let face = HttpFace::with_options(
        sim.clone(),
        HttpOptions {
            require_token: true,
            ..HttpOptions::default()
        },
    );
    let server = SimulatorServer::start_face(face, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let alice = client_as(&server, "alice").await;
    assert_eq!(alice.bot_user().await.unwrap().login, "alice");
    let pr = open_pr(&sim, "bob", "f", "a");
    alice
        .create_comment(&repo(), pr, "from alice")
        .await
        .unwrap();
    assert_eq!(sim.take_calls()[0].actor, "alice");

    // Without a token the face refuses: 401 is forbidden.
    let anonymous = Client::with_parts(
        ClientOptions {
            auth: Auth::Anonymous,
            ..options(&server, "unused")
        },
        hyper_service().unwrap(),
        Arc::new(SystemClock),
    )
    .await
    .unwrap();
    assert!(matches!(
        anonymous.get_issue(&repo(), pr).await,
        Err(GitHubError::Forbidden(_))
    ));

    // A token file, re-read when it changes.
    let dir = std::env::temp_dir().join(format!(
        "prow-http-token-{}-{}",
        std::process::id(),
        Utc::now().timestamp_nanos_opt().unwrap_or_default()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("oauth");
    server.set_token("bob-token", "bob");
    server.set_token("carol-token", "carol");
    std::fs::write(&path, "bob-token\n").unwrap();
    let from_file = Client::with_parts(
        ClientOptions {
            auth: Auth::TokenFile(path.clone()),
            token_reload_interval: Duration::ZERO,
            ..options(&server, "unused")
        },
        hyper_service().unwrap(),
        Arc::new(SystemClock),
    )
    .await
    .unwrap();
    from_file
        .create_comment(&repo(), pr, "as bob")
        .await
        .unwrap();
    std::fs::write(&path, "carol-token\n").unwrap();
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(std::time::SystemTime::now() + Duration::from_secs(10))
        .unwrap();
    from_file
        .create_comment(&repo(), pr, "as carol")
        .await
        .unwrap();
    let actors: Vec<String> = sim.take_calls().into_iter().map(|c| c.actor).collect();
    assert_eq!(actors, ["bob", "carol"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(start_paused = true)]
async fn server_errors_are_retried_until_they_pass() {
    let sim = world(false);
    let server = SimulatorServer::start(sim.clone(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let client = client_as(&server, BOT).await;
    let pr = open_pr(&sim, "alice", "f", "a");
    sim.set_faults(Faults {
        fail_next: 2,
        failure_status: 502,
        ..Faults::default()
    });
    let before = sim.request_count();
    client.add_label(&repo(), pr, "lgtm").await.unwrap();
    assert_eq!(sim.request_count() - before, 3);
    assert_eq!(sim.labels(&repo(), pr), ["lgtm"]);
    assert_eq!(client.metrics().retries("server_error"), 2);
    // Only the call that went through is logged.
    assert_eq!(sim.take_calls().len(), 1);

    // More failures than retries: the status comes back.
    sim.set_faults(Faults {
        fail_next: 10,
        failure_status: 503,
        ..Faults::default()
    });
    let err = client.get_issue(&repo(), pr).await.unwrap_err();
    assert!(
        matches!(err, GitHubError::Status { status: 503, .. }),
        "{err:?}"
    );
    // 4xx are not retried: a 404 is asked once.
    sim.set_faults(Faults::default());
    let before = sim.request_count();
    assert!(matches!(
        client.get_issue(&repo(), 99).await,
        Err(GitHubError::NotFound(_))
    ));
    assert_eq!(sim.request_count() - before, 1);
}

#[tokio::test(start_paused = true)]
async fn the_primary_rate_limit_is_waited_out() {
    let sim = world(false);
    let server = SimulatorServer::start(sim.clone(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let client = client_as(&server, BOT).await;
    let pr = open_pr(&sim, "alice", "f", "a");
    sim.set_faults(Faults {
        primary_rate_limit: Some(PrimaryRateLimit {
            limit: 3,
            window: Duration::from_secs(60),
        }),
        ..Faults::default()
    });
    let start = Instant::now();
    for n in 0..5 {
        client
            .create_comment(&repo(), pr, &format!("comment {n}"))
            .await
            .unwrap();
    }
    // Five calls on a budget of three a minute: the client waited for a reset.
    assert!(
        start.elapsed() >= Duration::from_secs(60),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(sim.comments(&repo(), pr).len(), 5);
    let waits =
        client.metrics().retries("rate_limit_wait") + client.metrics().retries("rate_limit");
    assert!(waits >= 1);

    // A reset farther away than the client may wait: rate limited, without another call.
    let impatient = Client::with_parts(
        ClientOptions {
            retry: RetryOptions {
                max_rate_limit_wait: Duration::from_secs(5),
                ..options(&server, "x").retry
            },
            ..options(&server, "token-of-k8s-ci-robot")
        },
        hyper_service().unwrap(),
        Arc::new(SystemClock),
    )
    .await
    .unwrap();
    sim.set_faults(Faults {
        primary_rate_limit: Some(PrimaryRateLimit {
            limit: 1,
            window: Duration::from_secs(600),
        }),
        ..Faults::default()
    });
    impatient.get_issue(&repo(), pr).await.unwrap();
    let before = sim.request_count();
    let err = impatient.get_issue(&repo(), pr).await.unwrap_err();
    assert!(matches!(err, GitHubError::RateLimited { .. }), "{err:?}");
    assert_eq!(
        sim.request_count(),
        before,
        "the used-up budget was not spent on"
    );
}

#[tokio::test(start_paused = true)]
async fn the_secondary_rate_limit_honours_retry_after() {
    for status in [403, 429] {
        let sim = world(false);
        let face = HttpFace::with_options(
            sim.clone(),
            HttpOptions {
                secondary_rate_limit_status: status,
                ..HttpOptions::default()
            },
        );
        let server = SimulatorServer::start_face(face, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let client = client_as(&server, BOT).await;
        let pr = open_pr(&sim, "alice", "f", "a");
        sim.set_faults(Faults {
            secondary_rate_limit: Some(SecondaryRateLimit {
                limit: 2,
                window: Duration::from_secs(20),
                retry_after: Duration::from_secs(15),
            }),
            ..Faults::default()
        });
        let start = Instant::now();
        for n in 0..3 {
            client
                .create_comment(&repo(), pr, &format!("c{n}"))
                .await
                .unwrap();
        }
        assert!(start.elapsed() >= Duration::from_secs(15), "{status}");
        assert_eq!(sim.comments(&repo(), pr), ["c0", "c1", "c2"]);
        assert!(
            client.metrics().retries("secondary_rate_limit") >= 1,
            "{status}"
        );
    }
}

#[tokio::test]
async fn repeated_reads_cost_no_budget() {
    let sim = world(false);
    let server = SimulatorServer::start(sim.clone(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let client = client_as(&server, BOT).await;
    let pr = open_pr(&sim, "alice", "f", "a");
    sim.set_faults(Faults {
        primary_rate_limit: Some(PrimaryRateLimit {
            limit: 100,
            window: Duration::from_secs(3600),
        }),
        ..Faults::default()
    });
    let first = client.get_pull_request(&repo(), pr).await.unwrap();
    let after_first = sim.rate_limit().unwrap().remaining;
    assert_eq!(after_first, 99);
    for _ in 0..5 {
        assert_eq!(client.get_pull_request(&repo(), pr).await.unwrap(), first);
    }
    assert_eq!(sim.rate_limit().unwrap().remaining, 99, "304s are free");
    let route = "/repos/:owner/:repo/pulls/:pullId";
    assert_eq!(client.metrics().cache_responses("REVALIDATED", route), 5);
    // A change is seen at once (and costs one call).
    sim.edit_title_as("alice", &repo(), pr, "New title")
        .unwrap();
    let changed = client.get_pull_request(&repo(), pr).await.unwrap();
    assert_eq!(changed.title, "New title");
    assert_eq!(sim.rate_limit().unwrap().remaining, 98);
}

#[tokio::test]
async fn dry_run_writes_nothing() {
    let sim = world(false);
    let server = SimulatorServer::start(sim.clone(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    server.set_token("bot", BOT);
    let client = Client::with_parts(
        ClientOptions {
            dry_run: true,
            ..options(&server, "bot")
        },
        hyper_service().unwrap(),
        Arc::new(SystemClock),
    )
    .await
    .unwrap();
    let r = repo();
    let pr = open_pr(&sim, "alice", "f", "a");
    sim.take_calls();
    let before = sim.request_count();
    let webhooks = sim.webhooks().len();
    assert_eq!(client.get_pull_request(&r, pr).await.unwrap().number, pr);
    let head = sim.pull_request(&r, pr).unwrap().head.sha;
    assert_eq!(
        client.create_issue(&r, "t", "b", &[], &[]).await.unwrap(),
        0
    );
    assert_eq!(client.create_comment(&r, pr, "x").await.unwrap(), 0);
    client.close_issue(&r, pr, false).await.unwrap();
    client.reopen_issue(&r, pr).await.unwrap();
    client.close_pull_request(&r, pr).await.unwrap();
    client.reopen_pull_request(&r, pr).await.unwrap();
    client.edit_title(&r, pr, "x").await.unwrap();
    client.edit_comment(&r, 1, "x").await.unwrap();
    client.delete_comment(&r, 1).await.unwrap();
    client.create_comment_reaction(&r, 1, "+1").await.unwrap();
    client.create_issue_reaction(&r, pr, "+1").await.unwrap();
    client.add_label(&r, pr, "lgtm").await.unwrap();
    client.remove_label(&r, pr, "lgtm").await.unwrap();
    client
        .assign_issue(&r, pr, &logins(&["alice"]))
        .await
        .unwrap();
    client
        .unassign_issue(&r, pr, &logins(&["alice"]))
        .await
        .unwrap();
    client
        .request_review(&r, pr, &logins(&["bob"]))
        .await
        .unwrap();
    client
        .unrequest_review(&r, pr, &logins(&["bob"]))
        .await
        .unwrap();
    client
        .merge(
            &r,
            pr,
            &MergeDetails {
                sha: head.clone(),
                ..MergeDetails::default()
            },
        )
        .await
        .unwrap();
    let status = Status {
        state: "success".into(),
        context: "tide".into(),
        ..Status::default()
    };
    client.create_status(&r, &head, &status).await.unwrap();
    client.delete_ref(&r, "heads/master").await.unwrap();
    client.set_milestone(&r, pr, 1).await.unwrap();
    client.clear_milestone(&r, pr).await.unwrap();
    client.rerun_failed_workflow_jobs(&r, 1).await.unwrap();
    client.approve_workflow_run(&r, 1).await.unwrap();
    assert!(sim.calls().is_empty(), "{:?}", sim.calls());
    assert_eq!(
        sim.request_count() - before,
        1,
        "only the read reached GitHub"
    );
    assert_eq!(sim.webhooks().len(), webhooks);
    assert!(sim.labels(&r, pr).is_empty());
    assert!(!sim.pull_request(&r, pr).unwrap().merged);
}

#[tokio::test]
async fn review_comments_and_issue_events_match_the_simulator() {
    let pair = Pair::new().await;
    let r = repo();
    let pr = pair.both(|sim| open_pr(sim, "frank", "f", "a"));
    pair.both(|sim| {
        sim.review_comment_as("bob", &r, pr, "a", 1, "/approve")
            .unwrap()
    });
    pair.both(|sim| sim.add_label_as("alice", &r, pr, "approved").unwrap());
    pair.both(|sim| sim.remove_label_as(BOT, &r, pr, "approved").unwrap());
    for number in [pr, 99] {
        same!(pair, |c| c.list_pull_request_comments(&r, number));
        same!(pair, |c| c.list_issue_events(&r, number));
    }
    let events = pair.client.list_issue_events(&r, pr).await.unwrap();
    let got: Vec<(&str, &str)> = events
        .iter()
        .map(|e| (e.event.as_str(), e.actor.login.as_str()))
        .collect();
    assert_eq!(got, [("labeled", "alice"), ("unlabeled", BOT)]);
    pair.same_calls("reading comments and events");
}
