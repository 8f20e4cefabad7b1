//! The call log: what the client faces did, and nothing the world did.

use prow_core::github::{GitHubClient, MergeDetails, MergeMethod, Status};

use super::super::{Action, Call, Faults};
use super::{BOT, open_pr, repo, world};

#[tokio::test]
async fn this_comment_and_nothing_else() {
    let sim = world();
    let pr = open_pr(&sim, "alice", "f", "a");
    // The world's moves are not logged.
    sim.comment_as("bob", &repo(), pr, "/lgtm").unwrap();
    sim.add_label_as("carol", &repo(), pr, "approved").unwrap();
    assert!(sim.calls().is_empty());

    sim.create_comment(&repo(), pr, "LGTM label has been added.")
        .await
        .unwrap();
    let comment = Action::CreateComment {
        body: "LGTM label has been added.".into(),
    };
    assert_eq!(
        sim.take_calls(),
        [Call::new(BOT, &repo(), Some(pr), comment)]
    );
    assert!(sim.take_calls().is_empty(), "take_calls forgets");
}

#[tokio::test]
async fn every_mutating_method_is_logged_with_its_arguments() {
    let sim = world();
    let pr = open_pr(&sim, "alice", "f", "a");
    let head = sim.pull_request(&repo(), pr).unwrap().head.sha;
    let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let status = Status {
        state: "success".into(),
        context: "ci".into(),
        ..Default::default()
    };
    let merge = MergeDetails {
        sha: head.clone(),
        merge_method: MergeMethod::Squash,
        ..Default::default()
    };
    // Reads are not logged.
    sim.get_issue(&repo(), pr).await.unwrap();
    sim.find_issues("is:pr").await.unwrap();

    let issue = sim
        .create_issue(&repo(), "T", "B", &s(&["x"]), &[])
        .await
        .unwrap();
    let comment = sim.create_comment(&repo(), issue, "c").await.unwrap();
    sim.edit_comment(&repo(), comment, "d").await.unwrap();
    sim.create_comment_reaction(&repo(), comment, "+1")
        .await
        .unwrap();
    sim.create_issue_reaction(&repo(), issue, "eyes")
        .await
        .unwrap();
    sim.delete_comment(&repo(), comment).await.unwrap();
    sim.edit_title(&repo(), issue, "T2").await.unwrap();
    sim.add_label(&repo(), issue, "y").await.unwrap();
    sim.remove_label(&repo(), issue, "y").await.unwrap();
    sim.assign_issue(&repo(), issue, &s(&["alice"]))
        .await
        .unwrap();
    sim.unassign_issue(&repo(), issue, &s(&["alice"]))
        .await
        .unwrap();
    sim.set_milestone(&repo(), issue, 1).await.unwrap();
    sim.clear_milestone(&repo(), issue).await.unwrap();
    sim.close_issue(&repo(), issue, true).await.unwrap();
    sim.reopen_issue(&repo(), issue).await.unwrap();
    sim.request_review(&repo(), pr, &s(&["bob"])).await.unwrap();
    sim.unrequest_review(&repo(), pr, &s(&["bob"]))
        .await
        .unwrap();
    sim.close_pull_request(&repo(), pr).await.unwrap();
    sim.reopen_pull_request(&repo(), pr).await.unwrap();
    sim.create_status(&repo(), &head, &status).await.unwrap();
    sim.merge(&repo(), pr, &merge).await.unwrap();
    sim.push_as("erin", &repo(), "tmp", [("t", "t")], "tmp")
        .unwrap();
    sim.delete_ref(&repo(), "heads/tmp").await.unwrap();

    let calls = sim.take_calls();
    let methods: Vec<&str> = calls.iter().map(Call::method).collect();
    assert_eq!(
        methods,
        [
            "create_issue",
            "create_comment",
            "edit_comment",
            "create_comment_reaction",
            "create_issue_reaction",
            "delete_comment",
            "edit_title",
            "add_label",
            "remove_label",
            "assign_issue",
            "unassign_issue",
            "set_milestone",
            "clear_milestone",
            "close_issue",
            "reopen_issue",
            "request_review",
            "unrequest_review",
            "close_pull_request",
            "reopen_pull_request",
            "create_status",
            "merge",
            "delete_ref",
        ]
    );
    assert!(
        calls
            .iter()
            .all(|c| c.actor == BOT && c.repo == repo() && c.error.is_none())
    );
    let want_create = Action::CreateIssue {
        title: "T".into(),
        body: "B".into(),
        labels: s(&["x"]),
        assignees: vec![],
    };
    assert_eq!(calls[0], Call::new(BOT, &repo(), Some(issue), want_create));
    assert_eq!(
        calls[2].number, None,
        "comment calls name the comment, not the issue"
    );
    assert_eq!(
        calls[2].action,
        Action::EditComment {
            comment_id: comment,
            body: "d".into()
        }
    );
    assert_eq!(calls[20].action, Action::Merge { details: merge });
    assert_eq!(
        calls[21].action,
        Action::DeleteRef {
            reference: "heads/tmp".into()
        }
    );
}

#[tokio::test]
async fn refusals_are_logged_and_faults_are_not() {
    let sim = world();
    let alice = sim.client_as("alice");
    let err = alice.add_label(&repo(), 99, "lgtm").await.unwrap_err();
    sim.set_faults(Faults {
        fail_next: 1,
        ..Faults::default()
    });
    alice.add_label(&repo(), 98, "lgtm").await.unwrap_err();
    let calls = sim.take_calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].actor, "alice");
    assert_eq!(calls[0].error.as_deref(), Some(err.to_string().as_str()));
    assert_eq!(sim.request_count(), 2);
}

#[tokio::test]
async fn history_is_bounded() {
    let sim = world();
    let issue = sim
        .open_issue_as("dave", &repo(), "t", "", &[], &[])
        .unwrap();
    let mut receiver = sim.subscribe();
    sim.set_history_limit(2);
    assert_eq!(sim.webhooks().len(), 1, "trimmed at once");
    for body in ["a", "b", "c"] {
        sim.create_comment(&repo(), issue, body).await.unwrap();
    }
    let bodies: Vec<String> = sim
        .calls()
        .into_iter()
        .map(|call| match call.action {
            Action::CreateComment { body } => body,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(bodies, ["b", "c"]);
    assert_eq!(sim.webhooks().len(), 2);
    let mut delivered = 0;
    while receiver.try_recv().is_ok() {
        delivered += 1;
    }
    assert_eq!(delivered, 3, "subscribers miss nothing");
    // The bot's own comments count it as a collaborator.
    let comments = sim.issue_comments(&repo(), issue).unwrap();
    assert_eq!(
        comments[0].author_association.as_deref(),
        Some("COLLABORATOR")
    );
}
