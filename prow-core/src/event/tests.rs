//! Parsing tests: our own compact fixtures (always present) and, when the workspace has them,
//! the real payloads published by the octokit project.

use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::*;

/// Where the workspace keeps the octokit webhook examples (beside the workspace root).
const OCTOKIT_EXAMPLES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/fixtures/octokit-webhooks-examples"
);

/// Our hand-written fixtures, named `<X-GitHub-Event>[.<case>].json`.
const FIXTURES: &[(&str, &str)] = &[
    (
        "check_run.rerequested.json",
        include_str!("../../tests/fixtures/events/check_run.rerequested.json"),
    ),
    (
        "check_suite.requested.json",
        include_str!("../../tests/fixtures/events/check_suite.requested.json"),
    ),
    (
        "issue_comment.created.json",
        include_str!("../../tests/fixtures/events/issue_comment.created.json"),
    ),
    (
        "issues.opened.json",
        include_str!("../../tests/fixtures/events/issues.opened.json"),
    ),
    (
        "pull_request.nulls.json",
        include_str!("../../tests/fixtures/events/pull_request.nulls.json"),
    ),
    (
        "pull_request.synchronize.json",
        include_str!("../../tests/fixtures/events/pull_request.synchronize.json"),
    ),
    (
        "pull_request.unknown_action.json",
        include_str!("../../tests/fixtures/events/pull_request.unknown_action.json"),
    ),
    (
        "pull_request_review.submitted.json",
        include_str!("../../tests/fixtures/events/pull_request_review.submitted.json"),
    ),
    (
        "pull_request_review_comment.created.json",
        include_str!("../../tests/fixtures/events/pull_request_review_comment.created.json"),
    ),
    (
        "push.json",
        include_str!("../../tests/fixtures/events/push.json"),
    ),
    (
        "status.json",
        include_str!("../../tests/fixtures/events/status.json"),
    ),
    (
        "workflow_job.queued.json",
        include_str!("../../tests/fixtures/events/workflow_job.queued.json"),
    ),
];

fn fixture(name: &str) -> Event {
    let (_, body) = FIXTURES.iter().find(|(file, _)| *file == name).expect(name);
    let event_type = name.split('.').next().unwrap();
    Event::parse(event_type, body.as_bytes()).unwrap_or_else(|err| panic!("{name}: {err}"))
}

/// Serialising a typed payload and parsing it again gives the same value.
fn assert_round_trip<T>(payload: &T, what: &str)
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let json = serde_json::to_vec(payload).unwrap();
    let again: T = serde_json::from_slice(&json).unwrap_or_else(|err| panic!("{what}: {err}"));
    assert_eq!(&again, payload, "{what}");
}

fn assert_typed_round_trip(event: &Event, what: &str) {
    match event {
        Event::Issues(e) => assert_round_trip(e.as_ref(), what),
        Event::IssueComment(e) => assert_round_trip(e.as_ref(), what),
        Event::PullRequest(e) => assert_round_trip(e.as_ref(), what),
        Event::PullRequestReview(e) => assert_round_trip(e.as_ref(), what),
        Event::PullRequestReviewComment(e) => assert_round_trip(e.as_ref(), what),
        Event::Push(e) => assert_round_trip(e.as_ref(), what),
        Event::Status(e) => assert_round_trip(e.as_ref(), what),
        Event::CheckRun(e) => assert_round_trip(e.as_ref(), what),
        Event::CheckSuite(e) => assert_round_trip(e.as_ref(), what),
        Event::Other { .. } => {}
    }
}

#[test]
fn fixture_table_lists_every_fixture_file() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/events");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".json"))
        .collect();
    on_disk.sort();
    let listed: Vec<&str> = FIXTURES.iter().map(|(name, _)| *name).collect();
    assert_eq!(on_disk, listed);
}

/// Every fixture parses, into a typed variant exactly when its type is handled, and the common
/// accessors read it.
#[test]
fn fixtures_parse_with_common_accessors() {
    let cases = [
        (
            "check_run.rerequested.json",
            Some("rerequested"),
            Some("carol"),
        ),
        ("check_suite.requested.json", Some("requested"), Some("bob")),
        ("issue_comment.created.json", Some("created"), Some("carol")),
        ("issues.opened.json", Some("opened"), Some("alice")),
        ("pull_request.nulls.json", Some("closed"), None),
        (
            "pull_request.synchronize.json",
            Some("synchronize"),
            Some("bob"),
        ),
        (
            "pull_request.unknown_action.json",
            Some("enqueued"),
            Some("merge-queue-bot"),
        ),
        (
            "pull_request_review.submitted.json",
            Some("submitted"),
            Some("dave"),
        ),
        (
            "pull_request_review_comment.created.json",
            Some("created"),
            Some("erin"),
        ),
        ("push.json", None, Some("bob")),
        ("status.json", None, Some("k8s-ci-robot")),
        ("workflow_job.queued.json", Some("queued"), Some("bob")),
    ];
    assert_eq!(cases.len(), FIXTURES.len());
    for (name, action, sender) in cases {
        let event = fixture(name);
        let event_type = name.split('.').next().unwrap();
        assert_eq!(event.event_type(), event_type, "{name}");
        let typed = !matches!(event, Event::Other { .. });
        assert_eq!(typed, HANDLED_EVENT_TYPES.contains(&event_type), "{name}");
        assert_eq!(event.action(), action, "{name}");
        assert_eq!(event.sender(), sender, "{name}");
        assert_eq!(
            event.repo().as_deref(),
            Some("kubernetes/test-infra"),
            "{name}"
        );
        assert_eq!(event.repository().is_some(), typed, "{name}");
        assert_typed_round_trip(&event, name);
    }
}

#[test]
fn issues_fixture_fields() {
    let Event::Issues(e) = fixture("issues.opened.json") else {
        panic!("not issues")
    };
    assert_eq!(e.action, IssueEventAction::Opened);
    assert_eq!(e.issue.number, 3101);
    assert_eq!(e.issue.user.login, "alice");
    assert_eq!(
        e.issue.body.as_deref(),
        Some("It failed twice today.\n\n/kind flake\n/sig testing")
    );
    assert!(!e.issue.is_pull_request());
    assert!(e.issue.has_label("Needs-Triage"));
    assert_eq!(e.issue.author_association.as_deref(), Some("MEMBER"));
    assert_eq!(
        e.issue.created_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2024-03-01T09:30:00+00:00")
    );
    assert_eq!(e.repo.default_branch, "master");
    assert_eq!(e.repo.visibility.as_deref(), Some("public"));
    assert!(!e.repo.private && !e.repo.archived && !e.repo.fork);
    assert_eq!(
        e.organization.as_ref().map(|o| o.login.as_str()),
        Some("kubernetes")
    );
    let event = Event::Issues(e);
    assert_eq!(event.installation_id(), Some(123456));
}

#[test]
fn issue_comment_fixture_fields() {
    let Event::IssueComment(e) = fixture("issue_comment.created.json") else {
        panic!("not issue_comment")
    };
    assert_eq!(e.action, IssueCommentEventAction::Created);
    assert!(e.issue.is_pull_request());
    assert_eq!(e.issue.body, None);
    assert!(e.issue.is_assignee("Carol"));
    assert_eq!(e.comment.id, 880001);
    assert_eq!(e.comment.body, "/retest");
    assert_eq!(e.comment.user.login, "carol");
    assert_eq!(
        e.issue.pull_request.as_ref().and_then(|p| p.merged_at),
        None
    );
}

#[test]
fn pull_request_fixture_fields() {
    let Event::PullRequest(e) = fixture("pull_request.synchronize.json") else {
        panic!("not pull_request")
    };
    let pr = &e.pull_request;
    assert_eq!(e.action, PullRequestEventAction::Synchronize);
    assert_eq!(e.number, 3102);
    assert_eq!(
        e.before.as_deref(),
        Some("1111111111111111111111111111111111111111")
    );
    assert_eq!(pr.head.sha, "2222222222222222222222222222222222222222");
    assert_eq!(pr.head.r#ref, "go-bump");
    assert_eq!(pr.head.repo.as_ref().map(|r| r.fork), Some(true));
    assert_eq!(pr.base.r#ref, "master");
    assert_eq!(pr.base.repo.as_ref().map(|r| r.org()), Some("kubernetes"));
    assert_eq!(pr.mergeable, Some(true));
    assert_eq!(
        pr.merge_commit_sha.as_deref(),
        Some("3333333333333333333333333333333333333333")
    );
    assert!(!pr.draft && !pr.merged);
    assert_eq!(pr.requested_reviewers[0].login, "dave");
    assert_eq!(pr.requested_teams[0].slug, "sig-testing");
    assert_eq!(pr.author_association.as_deref(), Some("CONTRIBUTOR"));
    assert_eq!(pr.commits, Some(2));
    assert!(pr.has_label("size/s"));
}

#[test]
fn review_fixture_fields() {
    let Event::PullRequestReview(e) = fixture("pull_request_review.submitted.json") else {
        panic!("not pull_request_review")
    };
    assert_eq!(e.action, ReviewEventAction::Submitted);
    assert_eq!(e.review.state, ReviewState::Approved);
    assert_eq!(e.review.user.login, "dave");
    assert_eq!(
        e.review.commit_id.as_deref(),
        Some("2222222222222222222222222222222222222222")
    );
    assert_eq!(e.pull_request.number, 3102);
    assert_eq!(e.pull_request.head.repo, None);
}

#[test]
fn review_comment_fixture_fields() {
    let Event::PullRequestReviewComment(e) = fixture("pull_request_review_comment.created.json")
    else {
        panic!("not pull_request_review_comment")
    };
    assert_eq!(e.action, ReviewCommentEventAction::Created);
    assert_eq!(e.comment.pull_request_review_id, 990002);
    assert_eq!(e.comment.path, "go.mod");
    assert_eq!(e.comment.position, Some(3));
    assert_eq!(e.comment.side.as_deref(), Some("RIGHT"));
    assert_eq!(e.comment.start_line, None);
}

#[test]
fn push_fixture_fields() {
    let Event::Push(e) = fixture("push.json") else {
        panic!("not push")
    };
    assert_eq!(e.branch(), "master");
    assert_eq!(e.after, "5555555555555555555555555555555555555555");
    assert!(!e.created && !e.deleted && !e.forced);
    assert_eq!(e.head_commit, None);
    assert_eq!(e.pusher.name.as_deref(), Some("bob"));
    assert_eq!(e.pusher.login, "");
    let commit = &e.commits[0];
    assert_eq!(commit.added, ["hack/tools/go.sum"]);
    assert!(commit.removed.is_empty());
    assert_eq!(commit.modified, ["go.mod", "go.sum"]);
    assert_eq!(
        commit.timestamp.map(|t| t.to_rfc3339()).as_deref(),
        Some("2024-03-02T13:15:00+00:00")
    );
    assert_eq!(
        commit.author.as_ref().and_then(|a| a.username.as_deref()),
        Some("bob")
    );
    assert_eq!(e.repo.org(), "kubernetes");
}

#[test]
fn status_fixture_fields() {
    let Event::Status(e) = fixture("status.json") else {
        panic!("not status")
    };
    assert_eq!(e.state, StatusState::Failure);
    assert_eq!(e.context, "pull-test-infra-unit-test");
    assert_eq!(e.sha, "2222222222222222222222222222222222222222");
    assert_eq!(e.description.as_deref(), Some("Job failed."));
    assert!(
        e.target_url
            .as_deref()
            .is_some_and(|url| url.starts_with("https://prow.k8s.io/"))
    );
}

#[test]
fn check_fixture_fields() {
    let Event::CheckRun(run) = fixture("check_run.rerequested.json") else {
        panic!("not check_run")
    };
    assert_eq!(run.action, CheckRunEventAction::Rerequested);
    assert_eq!(run.check_run.name, "pull-test-infra-unit-test");
    assert_eq!(run.check_run.conclusion.as_deref(), Some("failure"));
    assert_eq!(
        run.check_run.output.summary.as_deref(),
        Some("3 tests failed")
    );
    assert_eq!(run.check_run.pull_requests[0].number, 3102);
    assert_eq!(
        run.check_run.app.as_ref().and_then(|a| a.slug.as_deref()),
        Some("prow")
    );
    assert_eq!(run.installation.as_ref().map(|i| i.id), Some(123456));

    let Event::CheckSuite(suite) = fixture("check_suite.requested.json") else {
        panic!("not check_suite")
    };
    assert_eq!(suite.action, CheckSuiteEventAction::Requested);
    assert_eq!(suite.check_suite.head_branch.as_deref(), Some("go-bump"));
    assert_eq!(suite.check_suite.conclusion, None);
    assert_eq!(suite.check_suite.pull_requests[0].base.r#ref, "master");
    assert_eq!(
        suite
            .check_suite
            .head_commit
            .as_ref()
            .map(|c| c.message.as_str()),
        Some("Bump Go to 1.22")
    );
}

#[test]
fn unknown_action_is_data() {
    let Event::PullRequest(e) = fixture("pull_request.unknown_action.json") else {
        panic!("not pull_request")
    };
    assert_eq!(
        e.action,
        PullRequestEventAction::Other("enqueued".to_owned())
    );
    assert_eq!(e.sender.user_type, User::TYPE_BOT);
}

#[test]
fn nulls_take_defaults() {
    let Event::PullRequest(e) = fixture("pull_request.nulls.json") else {
        panic!("not pull_request")
    };
    let pr = &e.pull_request;
    assert_eq!(e.number, 0);
    assert_eq!(pr.number, 3103);
    assert_eq!(pr.title, "");
    assert_eq!(pr.body, None);
    assert!(!pr.draft && !pr.merged);
    assert_eq!(pr.mergeable, None);
    assert_eq!(pr.user, User::default());
    assert!(pr.labels.is_empty() && pr.assignees.is_empty() && pr.requested_reviewers.is_empty());
    assert_eq!(pr.head.repo, None);
    assert_eq!(pr.base.sha, "");
    assert_eq!(e.label, None);
    assert_eq!(e.changes, None);
    assert_eq!(e.repo.owner, User::default());
    assert_eq!(e.sender, User::default());
}

#[test]
fn unhandled_type_keeps_the_payload() {
    let event = fixture("workflow_job.queued.json");
    let Event::Other {
        event_type,
        payload,
    } = &event
    else {
        panic!("not other")
    };
    assert_eq!(event_type, "workflow_job");
    assert_eq!(payload["workflow_job"]["name"], "build");
    assert_eq!(event.guid(), None);
    assert_eq!(event.clone().with_guid("ignored"), event);
    assert_eq!(event.installation_id(), None);
}

#[test]
fn guid_is_recorded_on_typed_events() {
    for (name, _) in FIXTURES {
        let event = fixture(name);
        if matches!(event, Event::Other { .. }) {
            continue;
        }
        assert_eq!(event.guid(), None, "{name}");
        let event = event.with_guid("7d2c1f00-0000-0000-0000-000000000000");
        assert_eq!(
            event.guid(),
            Some("7d2c1f00-0000-0000-0000-000000000000"),
            "{name}"
        );
    }
}

#[test]
fn accessors_on_minimal_payloads() {
    let cases = [
        // (event type, body, action, repo, sender)
        ("issues", json!({}), None, None, None),
        (
            "push",
            json!({"repository": {"name": "r", "owner": {"name": "o"}}}),
            None,
            Some("o/r"),
            None,
        ),
        (
            "organization",
            json!({"action": "member_added", "organization": {"login": "o"}}),
            Some("member_added"),
            None,
            None,
        ),
        (
            "fork",
            json!({"repository": {"name": "r", "owner": {"login": "o"}}, "sender": {"login": "s"}}),
            None,
            Some("o/r"),
            Some("s"),
        ),
        (
            "ping",
            json!({"zen": "Keep it logically awesome.", "action": 7}),
            None,
            None,
            None,
        ),
    ];
    for (event_type, body, action, repo, sender) in cases {
        let event = Event::parse(event_type, body.to_string().as_bytes()).unwrap();
        assert_eq!(event.action(), action, "{event_type}");
        assert_eq!(event.repo().as_deref(), repo, "{event_type}");
        assert_eq!(event.sender(), sender, "{event_type}");
    }
}

#[test]
fn parse_errors_name_the_event_type() {
    let cases: [(&str, &[u8], &str); 7] = [
        (
            "pull_request",
            b"{not json",
            "could not parse pull_request event payload: key must be a string",
        ),
        (
            "issues",
            b"",
            "could not parse issues event payload: EOF while parsing",
        ),
        (
            "push",
            br#"{"commits": "many"}"#,
            "could not parse push event payload: invalid type: string",
        ),
        (
            "status",
            br#"{"id": "seven"}"#,
            "could not parse status event payload: invalid type: string",
        ),
        (
            "issue_comment",
            b"[]",
            "could not parse issue_comment event payload: expected a JSON object",
        ),
        (
            "watch",
            b"{\"action\": ",
            "could not parse watch event payload: EOF while parsing",
        ),
        (
            "watch",
            b"\"starred\"",
            "could not parse watch event payload: expected a JSON object",
        ),
    ];
    for (event_type, body, message) in cases {
        let err = Event::parse(event_type, body).unwrap_err();
        assert_eq!(err.event_type(), event_type);
        let text = err.to_string();
        assert!(text.starts_with(message), "{event_type}: {text}");
    }
}

/// Every octokit example of a handled type parses into its typed variant, with the action and
/// repository the payload names; every other type is accepted as `Event::Other`.
#[test]
fn octokit_examples_parse() {
    let dir = Path::new(OCTOKIT_EXAMPLES);
    if !dir.is_dir() {
        eprintln!("note: {OCTOKIT_EXAMPLES} is absent; skipping the octokit webhook examples");
        return;
    }
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no example files in {OCTOKIT_EXAMPLES}");

    let mut typed = 0;
    let mut other = 0;
    let mut generic_comments = 0;
    for file in &files {
        let index: Vec<Value> = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
        for entry in &index {
            let event_type = entry["name"].as_str().unwrap();
            let examples = entry["examples"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default();
            for (i, example) in examples.iter().enumerate() {
                let what = format!("{}: {event_type} example {i}", file.display());
                let body = serde_json::to_vec(example).unwrap();
                let event =
                    Event::parse(event_type, &body).unwrap_or_else(|err| panic!("{what}: {err}"));
                assert_eq!(event.event_type(), event_type, "{what}");
                if HANDLED_EVENT_TYPES.contains(&event_type) {
                    assert!(!matches!(event, Event::Other { .. }), "{what}: not typed");
                    typed += 1;
                } else {
                    assert!(matches!(event, Event::Other { .. }), "{what}: typed");
                    other += 1;
                }
                let action = example
                    .get("action")
                    .and_then(Value::as_str)
                    .filter(|a| !a.is_empty());
                if !matches!(event_type, "push" | "status") {
                    assert_eq!(event.action(), action, "{what}: action");
                }
                if let Some(full_name) = example
                    .pointer("/repository/full_name")
                    .and_then(Value::as_str)
                {
                    assert_eq!(event.repo().as_deref(), Some(full_name), "{what}: repo");
                }
                let sender = example.pointer("/sender/login").and_then(Value::as_str);
                assert_eq!(event.sender(), sender, "{what}: sender");
                assert_typed_round_trip(&event, &what);
                check_generic_comment(&event, example, &what);
                if GenericCommentEvent::from_event(&event).is_some() {
                    generic_comments += 1;
                }
            }
        }
    }
    eprintln!(
        "octokit examples: {typed} typed, {other} other, {generic_comments} generic comments"
    );
    assert!(typed > 0 && other > 0 && generic_comments > 0);
}

/// The generic comment derived from a real payload carries the text the payload holds.
fn check_generic_comment(event: &Event, example: &Value, what: &str) {
    let text = |pointer: &str| {
        example
            .pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let action = example
        .get("action")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let want_body = match (event.event_type(), action) {
        ("issue_comment", _) | ("pull_request_review_comment", _) => Some(text("/comment/body")),
        ("issues", "opened" | "edited" | "deleted") => Some(text("/issue/body")),
        ("pull_request", "opened" | "edited") => Some(text("/pull_request/body")),
        ("pull_request_review", "submitted" | "edited" | "dismissed") => Some(text("/review/body")),
        _ => None,
    };
    let gce = GenericCommentEvent::from_event(event);
    assert_eq!(
        gce.as_ref().map(|gce| gce.body.clone()),
        want_body,
        "{what}: generic comment body"
    );
    if let Some(gce) = gce {
        assert_eq!(
            gce.action,
            GenericCommentAction::generalize(action).unwrap(),
            "{what}"
        );
        assert_eq!(
            Some(gce.repo.full_name.as_str()),
            example
                .pointer("/repository/full_name")
                .and_then(Value::as_str)
        );
    }
}
