//! Webhooks: every change GitHub announces produces the delivery GitHub would send, and
//! `Event::parse` reads it into the right variant with the right fields.

use std::collections::HashSet;

use prow_core::event::{Event, GenericCommentAction, GenericCommentEvent, ReviewState};
use prow_core::github::{GitHubClient, RepoName, Status};

use super::super::{NewPullRequest, Simulator};
use super::{BOT, event_names, events, open_pr, open_pr_with, repo, world};

/// A world with pull request #1 (alice's fork, branch `feature`) and issue #2 (dave's), and
/// an empty webhook history.
fn with_pr_and_issue() -> Simulator {
    let sim = world();
    open_pr(&sim, "alice", "feature", "a.txt");
    sim.open_issue_as("dave", &repo(), "Bug", "broken", &[], &[])
        .unwrap();
    sim.take_webhooks();
    sim
}

type Step = fn(&Simulator);

#[test]
fn each_change_sends_its_webhooks() {
    let cases: Vec<(&str, Step, Vec<&str>)> = vec![
        (
            "open from a fork",
            |s| {
                open_pr(s, "bob", "fix", "b.txt");
            },
            vec!["pull_request.opened"],
        ),
        (
            "open from a branch",
            |s| {
                open_pr_with(
                    s,
                    "erin",
                    NewPullRequest {
                        title: "t".into(),
                        head: "branch".into(),
                        same_repo: true,
                        files: [("x", "y")].into(),
                        ..Default::default()
                    },
                );
            },
            vec!["push", "pull_request.opened"],
        ),
        (
            "push to a fork's pull request",
            |s| {
                s.push_to_pull_request(&repo(), 1, [("a.txt", "v2")])
                    .unwrap();
            },
            vec!["pull_request.synchronize"],
        ),
        (
            "close and reopen a pull request",
            |s| {
                s.close_as("alice", &repo(), 1).unwrap();
                s.reopen_as("alice", &repo(), 1).unwrap();
            },
            vec!["pull_request.closed", "pull_request.reopened"],
        ),
        (
            "label a pull request",
            |s| {
                s.add_label_as(BOT, &repo(), 1, "lgtm").unwrap();
                s.remove_label_as(BOT, &repo(), 1, "lgtm").unwrap();
            },
            vec!["pull_request.labeled", "pull_request.unlabeled"],
        ),
        (
            "edit a pull request",
            |s| {
                s.edit_title_as("alice", &repo(), 1, "Better").unwrap();
                s.edit_body_as("alice", &repo(), 1, "More").unwrap();
                s.edit_title_as("alice", &repo(), 1, "Better").unwrap();
            },
            vec!["pull_request.edited", "pull_request.edited"],
        ),
        (
            "drafts",
            |s| {
                s.set_draft_as("alice", &repo(), 1, true).unwrap();
                s.set_draft_as("alice", &repo(), 1, true).unwrap();
                s.set_draft_as("alice", &repo(), 1, false).unwrap();
            },
            vec![
                "pull_request.converted_to_draft",
                "pull_request.ready_for_review",
            ],
        ),
        (
            "assign on a pull request",
            |s| {
                s.assign_as(BOT, &repo(), 1, &["bob"]).unwrap();
                s.unassign_as(BOT, &repo(), 1, &["bob"]).unwrap();
            },
            vec!["pull_request.assigned", "pull_request.unassigned"],
        ),
        (
            "request reviews",
            |s| {
                s.request_review_as(BOT, &repo(), 1, &["bob", "kubernetes/sig-testing"])
                    .unwrap();
                s.unrequest_review_as(BOT, &repo(), 1, &["bob"]).unwrap();
            },
            vec![
                "pull_request.review_requested",
                "pull_request.review_requested",
                "pull_request.review_request_removed",
            ],
        ),
        (
            "milestone a pull request",
            |s| {
                s.set_milestone_as(BOT, &repo(), 1, Some(1)).unwrap();
                s.set_milestone_as(BOT, &repo(), 1, None).unwrap();
            },
            vec!["pull_request.milestoned", "pull_request.demilestoned"],
        ),
        (
            "change the base",
            |s| {
                s.create_branch_as(BOT, &repo(), "release", "master")
                    .unwrap();
                s.change_base_as("alice", &repo(), 1, "release").unwrap();
            },
            vec!["push", "pull_request.edited"],
        ),
        (
            "review",
            |s| {
                s.review_as("bob", &repo(), 1, ReviewState::Approved, "")
                    .unwrap();
                s.dismiss_review_as("carol", &repo(), 1, s.reviews(&repo(), 1).unwrap()[0].id)
                    .unwrap();
            },
            vec![
                "pull_request_review.submitted",
                "pull_request_review.dismissed",
            ],
        ),
        (
            "comment on the diff",
            |s| {
                s.review_comment_as("bob", &repo(), 1, "a.txt", 1, "nit")
                    .unwrap();
            },
            vec![
                "pull_request_review_comment.created",
                "pull_request_review.submitted",
            ],
        ),
        (
            "issue opened with labels and assignees",
            |s| {
                s.open_issue_as("carol", &repo(), "t", "", &["kind/bug"], &["alice"])
                    .unwrap();
            },
            vec!["issues.opened", "issues.labeled", "issues.assigned"],
        ),
        (
            "issue lifecycle",
            |s| {
                s.close_not_planned_as("dave", &repo(), 2).unwrap();
                s.reopen_as("dave", &repo(), 2).unwrap();
                s.edit_title_as("dave", &repo(), 2, "Bug!").unwrap();
            },
            vec!["issues.closed", "issues.reopened", "issues.edited"],
        ),
        (
            "issue labels, assignees, milestone",
            |s| {
                s.add_label_as(BOT, &repo(), 2, "kind/bug").unwrap();
                s.add_label_as(BOT, &repo(), 2, "kind/bug").unwrap();
                s.remove_label_as(BOT, &repo(), 2, "kind/bug").unwrap();
                s.assign_as(BOT, &repo(), 2, &["alice"]).unwrap();
                s.set_milestone_as(BOT, &repo(), 2, Some(1)).unwrap();
            },
            vec![
                "issues.labeled",
                "issues.unlabeled",
                "issues.assigned",
                "issues.milestoned",
            ],
        ),
        (
            "comments",
            |s| {
                let id = s.comment_as("bob", &repo(), 2, "/assign").unwrap();
                s.edit_comment_as("bob", &repo(), id, "/assign me").unwrap();
                s.react_to_comment_as("alice", &repo(), id, "+1").unwrap();
                s.delete_comment_as("bob", &repo(), id).unwrap();
            },
            vec![
                "issue_comment.created",
                "issue_comment.edited",
                "issue_comment.deleted",
            ],
        ),
        (
            "push to a branch",
            |s| {
                s.push_as("erin", &repo(), "master", [("x", "y")], "x")
                    .unwrap();
            },
            vec!["push"],
        ),
        (
            "status",
            |s| {
                let head = s.pull_request(&repo(), 1).unwrap().head.sha;
                let st = Status {
                    state: "pending".into(),
                    context: "ci".into(),
                    ..Default::default()
                };
                s.set_status(&repo(), &head, &st).unwrap();
            },
            vec!["status"],
        ),
        (
            "merge",
            |s| {
                s.merge_as(BOT, &repo(), 1, &Default::default()).unwrap();
            },
            vec!["push", "pull_request.closed"],
        ),
        (
            "tags",
            |s| {
                s.create_tag_as(BOT, &repo(), "v1", "master").unwrap();
                s.delete_ref_as(BOT, &repo(), "tags/v1").unwrap();
            },
            vec!["push", "push"],
        ),
        (
            "refused changes send nothing",
            |s| {
                s.remove_label_as(BOT, &repo(), 1, "lgtm").unwrap_err();
                s.merge_as("dave", &repo(), 1, &Default::default())
                    .unwrap_err();
            },
            vec![],
        ),
    ];
    for (name, step, want) in cases {
        let sim = with_pr_and_issue();
        step(&sim);
        let webhooks = sim.webhooks();
        for webhook in &webhooks {
            let event = webhook.parse().unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(event.event_type(), webhook.event_type, "{name}");
            assert_eq!(event.guid(), Some(webhook.delivery_id.as_str()), "{name}");
            assert_eq!(
                event.repo().as_deref(),
                Some("kubernetes/test-infra"),
                "{name}"
            );
        }
        assert_eq!(event_names(&sim), want, "{name}");
    }
}

#[test]
fn pull_request_payloads() {
    let sim = with_pr_and_issue();
    let before = sim.pull_request(&repo(), 1).unwrap().head.sha;
    let after = sim
        .push_to_pull_request(&repo(), 1, [("a.txt", "v2")])
        .unwrap();
    sim.add_label_as(BOT, &repo(), 1, "lgtm").unwrap();
    sim.edit_title_as("alice", &repo(), 1, "Renamed").unwrap();
    sim.assign_as(BOT, &repo(), 1, &["bob"]).unwrap();
    sim.request_review_as(BOT, &repo(), 1, &["erin"]).unwrap();
    let got = events(&sim);
    let prs: Vec<_> = got
        .iter()
        .map(|e| match e {
            Event::PullRequest(pr) => pr,
            other => panic!("{other:?}"),
        })
        .collect();
    let sync = prs[0];
    assert_eq!(sync.action.as_str(), "synchronize");
    assert_eq!(
        (sync.before.as_deref(), sync.after.as_deref()),
        (Some(before.as_str()), Some(after.as_str()))
    );
    assert_eq!(sync.pull_request.head.sha, after);
    assert_eq!(sync.number, 1);
    assert_eq!(sync.sender.login, "alice");
    assert_eq!(sync.organization.as_ref().unwrap().login, "kubernetes");
    assert_eq!(sync.repo.full_name, "kubernetes/test-infra");
    assert_eq!(prs[1].label.as_ref().unwrap().name, "lgtm");
    assert!(prs[1].pull_request.has_label("lgtm"));
    assert_eq!(prs[1].sender.login, BOT);
    assert_eq!(prs[2].change_from(&["title"]), Some("Change a.txt"));
    assert_eq!(prs[2].pull_request.title, "Renamed");
    assert_eq!(prs[3].assignee.as_ref().unwrap().login, "bob");
    assert_eq!(prs[4].requested_reviewer.as_ref().unwrap().login, "erin");

    sim.create_branch_as(BOT, &repo(), "release", "master")
        .unwrap();
    sim.take_webhooks();
    sim.change_base_as("alice", &repo(), 1, "release").unwrap();
    let got = events(&sim);
    let Event::PullRequest(edited) = &got[0] else {
        panic!()
    };
    assert!(edited.base_changed());
    assert_eq!(edited.change_from(&["base", "ref"]), Some("master"));
}

#[test]
fn issue_and_comment_payloads() {
    let sim = with_pr_and_issue();
    let id = sim.comment_as("bob", &repo(), 2, "/assign").unwrap();
    sim.edit_comment_as("bob", &repo(), id, "/assign @alice")
        .unwrap();
    sim.delete_comment_as("bob", &repo(), id).unwrap();
    let on_pr = sim.comment_as("bob", &repo(), 1, "/lgtm").unwrap();
    sim.close_not_planned_as("dave", &repo(), 2).unwrap();
    let got = events(&sim);
    let comments: Vec<_> = got[..4]
        .iter()
        .map(|e| match e {
            Event::IssueComment(c) => c,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(comments[0].comment.id, id);
    assert_eq!(comments[0].comment.body, "/assign");
    assert_eq!(comments[0].comment.user.login, "bob");
    assert_eq!(comments[0].issue.number, 2);
    assert!(!comments[0].issue.is_pull_request());
    assert_eq!(comments[1].change_from(&["body"]), Some("/assign"));
    assert_eq!(comments[1].comment.body, "/assign @alice");
    assert_eq!(comments[2].action.as_str(), "deleted");
    assert_eq!(comments[3].comment.id, on_pr);
    assert!(comments[3].issue.is_pull_request());
    // Prow's generic comment view sees a pull request comment.
    let generic = GenericCommentEvent::from_event(&got[3]).unwrap();
    assert_eq!(generic.action, GenericCommentAction::Created);
    assert!(generic.is_pr);
    assert_eq!(generic.body, "/lgtm");
    let Event::Issues(closed) = &got[4] else {
        panic!("{:?}", got[4])
    };
    assert_eq!(closed.action.as_str(), "closed");
    assert_eq!(closed.issue.state_reason.as_deref(), Some("not_planned"));
    assert_eq!(closed.sender.login, "dave");
}

#[test]
fn review_payloads() {
    let sim = with_pr_and_issue();
    sim.review_as("bob", &repo(), 1, ReviewState::ChangesRequested, "fix it")
        .unwrap();
    let id = sim
        .review_comment_as("erin", &repo(), 1, "a.txt", 1, "typo")
        .unwrap();
    let raw = sim.webhooks();
    assert_eq!(
        raw[0].payload["review"]["state"], "changes_requested",
        "webhooks use lower case"
    );
    let got = events(&sim);
    let Event::PullRequestReview(review) = &got[0] else {
        panic!("{:?}", got[0])
    };
    assert_eq!(review.review.state, ReviewState::ChangesRequested);
    assert_eq!(review.review.body.as_deref(), Some("fix it"));
    assert_eq!(review.review.user.login, "bob");
    assert_eq!(review.pull_request.number, 1);
    let Event::PullRequestReviewComment(comment) = &got[1] else {
        panic!("{:?}", got[1])
    };
    assert_eq!(comment.comment.id, id);
    assert_eq!(
        (comment.comment.path.as_str(), comment.comment.line),
        ("a.txt", Some(1))
    );
    assert_eq!(comment.comment.body, "typo");
    let Event::PullRequestReview(container) = &got[2] else {
        panic!("{:?}", got[2])
    };
    assert_eq!(container.review.id, comment.comment.pull_request_review_id);
    assert_eq!(container.review.state, ReviewState::Commented);
}

#[test]
fn push_and_status_payloads() {
    let sim = with_pr_and_issue();
    sim.add_user("erin", Some("Erin"), Some("erin@example.com"));
    let before = sim.resolve_ref(&repo(), Some("master")).unwrap();
    let after = sim
        .push_as(
            "erin",
            &repo(),
            "master",
            super::super::Files::new()
                .put("new.txt", "n")
                .put("README.md", "r")
                .delete("docs/guide.md"),
            "Tidy up",
        )
        .unwrap();
    let created = sim
        .push_as("erin", &repo(), "topic", [("t", "t")], "Topic")
        .unwrap();
    sim.delete_ref_as("erin", &repo(), "heads/topic").unwrap();
    let status = Status {
        state: "failure".into(),
        target_url: "https://prow.example/1".into(),
        description: "Job failed.".into(),
        context: "pull-unit".into(),
    };
    sim.create_status_as("erin", &repo(), &after, &status)
        .unwrap();
    let got = events(&sim);
    let pushes: Vec<_> = got[..3]
        .iter()
        .map(|e| match e {
            Event::Push(p) => p,
            other => panic!("{other:?}"),
        })
        .collect();
    let push = pushes[0];
    assert_eq!(
        (push.r#ref.as_str(), push.branch()),
        ("refs/heads/master", "master")
    );
    assert_eq!(
        (push.before.as_str(), push.after.as_str()),
        (before.as_str(), after.as_str())
    );
    assert!(!push.created && !push.deleted && !push.forced);
    assert_eq!(push.commits.len(), 1);
    let commit = &push.commits[0];
    assert_eq!(commit.message, "Tidy up");
    assert_eq!(commit.added, ["new.txt"]);
    assert_eq!(commit.removed, ["docs/guide.md"]);
    assert_eq!(commit.modified, ["README.md"]);
    assert_eq!(commit.author.as_ref().unwrap().email, "erin@example.com");
    assert_eq!(push.head_commit.as_ref().unwrap().id, after);
    assert_eq!(
        push.pusher.name.as_deref(),
        Some("erin"),
        "pushers carry name and e-mail only"
    );
    assert_eq!(push.sender.login, "erin");
    assert!(pushes[1].created);
    assert_eq!(pushes[1].after, created);
    assert_eq!(
        pushes[1].commits.len(),
        1,
        "only the commits new to the repository"
    );
    assert!(pushes[2].deleted && pushes[2].head_commit.is_none());
    let Event::Status(st) = &got[3] else {
        panic!("{:?}", got[3])
    };
    assert_eq!(st.sha, after);
    assert_eq!(st.state.as_str(), "failure");
    assert_eq!(st.context, "pull-unit");
    assert_eq!(st.description.as_deref(), Some("Job failed."));
    assert_eq!(st.target_url.as_deref(), Some("https://prow.example/1"));
    assert_eq!(st.name, "kubernetes/test-infra");
    assert_eq!(st.sender.login, "erin");
    sim.create_branch_as("erin", &repo(), "copy", "master")
        .unwrap();
    let got = events(&sim);
    let Event::Push(copy) = &got[0] else {
        panic!("{:?}", got[0])
    };
    assert!(
        copy.created && copy.commits.is_empty(),
        "a branch of known commits lists none"
    );
    assert_eq!(copy.head_commit.as_ref().unwrap().id, after);
}

#[test]
fn force_push_and_branch_deletion() {
    let sim = world();
    let new = NewPullRequest {
        title: "t".into(),
        head: "topic".into(),
        same_repo: true,
        files: [("x", "1")].into(),
        ..Default::default()
    };
    let pr = open_pr_with(&sim, "erin", new);
    let master = sim.resolve_ref(&repo(), Some("master")).unwrap();
    sim.push_to_pull_request(&repo(), pr, [("x", "2")]).unwrap();
    sim.take_webhooks();
    sim.force_push_as("erin", &repo(), "topic", &master)
        .unwrap_or_else(|e| panic!("{e}"));
    let got = events(&sim);
    let Event::Push(push) = &got[0] else {
        panic!("{:?}", got[0])
    };
    assert!(push.forced);
    let Event::PullRequest(sync) = &got[1] else {
        panic!("{:?}", got[1])
    };
    assert_eq!(sync.action.as_str(), "synchronize");
    assert_eq!(sync.after.as_deref(), Some(master.as_str()));
    sim.delete_ref_as("erin", &repo(), "heads/topic").unwrap();
    assert_eq!(event_names(&sim), ["push", "pull_request.closed"]);
}

#[tokio::test]
async fn the_bots_calls_send_webhooks_too() {
    let sim = with_pr_and_issue();
    sim.create_comment(&repo(), 1, "I am a bot").await.unwrap();
    sim.add_label(&repo(), 2, "kind/bug").await.unwrap();
    let got = events(&sim);
    let senders: Vec<&str> = got.iter().map(|e| e.sender().unwrap()).collect();
    assert_eq!(senders, [BOT, BOT]);
    assert_eq!(got[0].event_type(), "issue_comment");
    assert_eq!(got[1].event_type(), "issues");
}

#[tokio::test]
async fn subscribers_get_every_webhook_in_order() {
    let sim = world();
    let mut first = sim.subscribe();
    let pr = open_pr(&sim, "alice", "f", "a");
    let mut second = sim.subscribe();
    sim.comment_as("bob", &repo(), pr, "/lgtm").unwrap();
    drop(sim.subscribe());
    sim.add_label(&repo(), pr, "lgtm").await.unwrap();

    let mut seen = Vec::new();
    while let Ok(webhook) = first.try_recv() {
        seen.push(format!(
            "{}.{}",
            webhook.event_type,
            webhook.action().unwrap_or_default()
        ));
    }
    assert_eq!(
        seen,
        [
            "pull_request.opened",
            "issue_comment.created",
            "pull_request.labeled"
        ]
    );
    let mut later = Vec::new();
    while let Ok(webhook) = second.try_recv() {
        later.push(webhook.event_type);
    }
    assert_eq!(later, ["issue_comment", "pull_request"]);
    let ids: HashSet<String> = sim.webhooks().into_iter().map(|w| w.delivery_id).collect();
    assert_eq!(ids.len(), 3, "delivery IDs are unique");
    let again = world();
    open_pr(&again, "alice", "f", "a");
    assert_eq!(
        again.webhooks()[0].delivery_id,
        sim.webhooks()[0].delivery_id,
        "and deterministic"
    );
}

#[test]
fn installation_and_urls() {
    let sim = world();
    sim.set_installation_id(Some(42));
    sim.set_urls("http://127.0.0.1:8888/", "http://127.0.0.1:8888/api/v3");
    let other = RepoName::new("someone", "personal");
    sim.open_issue_as("someone", &other, "note", "", &[], &[])
        .unwrap();
    let got = events(&sim);
    assert_eq!(got[0].installation_id(), Some(42));
    let Event::Issues(issue) = &got[0] else {
        panic!()
    };
    assert_eq!(
        issue.issue.html_url,
        "http://127.0.0.1:8888/someone/personal/issues/1"
    );
    assert!(
        issue.organization.is_none(),
        "a user's repository has no organisation"
    );
    assert_eq!(issue.repo.owner.user_type, "User");
    assert_eq!(issue.issue.author_association.as_deref(), Some("OWNER"));
}
