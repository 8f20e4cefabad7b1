//! One model, two faces: the same actions through the in-memory client and over HTTP leave the
//! same call log and send the same webhooks.

use prow_core::github::{GitHubClient, MergeDetails, MergeMethod, Status};
use serde_json::{Value, json};

use super::super::super::Simulator;
use super::super::super::tests::repo;
use super::{Fixture, Http, Reply, http_world, serve};

const R: &str = "/repos/kubernetes/test-infra";

/// One action Prow might take.
#[derive(Clone, Copy, Debug)]
enum Step {
    CreateIssue,
    EditTitle,
    CloseIssue,
    ReopenIssue,
    Comment,
    EditComment,
    ReactToComment,
    ReactToIssue,
    AddLabel,
    RemoveLabel,
    RemoveAbsentLabel,
    AddLabelToMissingIssue,
    Assign,
    Unassign,
    RequestReview,
    RequestReviewFromOutsider,
    UnrequestReview,
    SetMilestone,
    ClearMilestone,
    CreateStatus,
    CreateBadStatus,
    ClosePullRequest,
    ReopenPullRequest,
    MergeMovedHead,
    Merge,
    DeleteComment,
    DeleteRef,
}

const STEPS: [Step; 27] = [
    Step::CreateIssue,
    Step::EditTitle,
    Step::CloseIssue,
    Step::ReopenIssue,
    Step::Comment,
    Step::EditComment,
    Step::ReactToComment,
    Step::ReactToIssue,
    Step::AddLabel,
    Step::RemoveLabel,
    Step::RemoveAbsentLabel,
    Step::AddLabelToMissingIssue,
    Step::Assign,
    Step::Unassign,
    Step::RequestReview,
    Step::RequestReviewFromOutsider,
    Step::UnrequestReview,
    Step::SetMilestone,
    Step::ClearMilestone,
    Step::CreateStatus,
    Step::CreateBadStatus,
    Step::ClosePullRequest,
    Step::ReopenPullRequest,
    Step::MergeMovedHead,
    Step::Merge,
    Step::DeleteComment,
    Step::DeleteRef,
];

/// The comment the steps make (the same ID in both worlds: they are built alike).
fn new_comment(sim: &Simulator, fx: &Fixture) -> u64 {
    sim.issue_comments(&repo(), fx.issue).unwrap()[0].id
}

fn ci() -> Status {
    Status {
        state: "pending".into(),
        target_url: String::new(),
        description: "Running".into(),
        context: "ci/test".into(),
    }
}

/// The step through the in-memory face (its outcome is not the point: the log is).
async fn in_memory(sim: &Simulator, fx: &Fixture, step: Step) {
    let r = repo();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let _ = match step {
        Step::CreateIssue => sim
            .create_issue(&r, "New", "text", &s(&["kind/bug"]), &s(&["alice"]))
            .await
            .map(|_| ()),
        Step::EditTitle => sim.edit_title(&r, fx.issue, "Renamed").await,
        Step::CloseIssue => sim.close_issue(&r, fx.issue, true).await,
        Step::ReopenIssue => sim.reopen_issue(&r, fx.issue).await,
        Step::Comment => sim.create_comment(&r, fx.issue, "hello").await.map(|_| ()),
        Step::EditComment => sim.edit_comment(&r, new_comment(sim, fx), "edited").await,
        Step::ReactToComment => sim.create_comment_reaction(&r, fx.comment, "+1").await,
        Step::ReactToIssue => sim.create_issue_reaction(&r, fx.issue, "eyes").await,
        Step::AddLabel => sim.add_label(&r, fx.pr, "lgtm").await,
        Step::RemoveLabel => sim.remove_label(&r, fx.pr, "lgtm").await,
        Step::RemoveAbsentLabel => sim.remove_label(&r, fx.pr, "lgtm").await,
        Step::AddLabelToMissingIssue => sim.add_label(&r, 99, "lgtm").await,
        Step::Assign => sim.assign_issue(&r, fx.pr, &s(&["alice", "dave"])).await,
        Step::Unassign => sim.unassign_issue(&r, fx.pr, &s(&["alice"])).await,
        Step::RequestReview => sim.request_review(&r, fx.pr, &s(&["erin"])).await,
        Step::RequestReviewFromOutsider => sim.request_review(&r, fx.pr, &s(&["dave"])).await,
        Step::UnrequestReview => sim.unrequest_review(&r, fx.pr, &s(&["erin"])).await,
        Step::SetMilestone => sim.set_milestone(&r, fx.issue, 1).await,
        Step::ClearMilestone => sim.clear_milestone(&r, fx.issue).await,
        Step::CreateStatus => sim.create_status(&r, &fx.head, &ci()).await,
        Step::CreateBadStatus => {
            let status = Status {
                state: "great".into(),
                ..ci()
            };
            sim.create_status(&r, &fx.head, &status).await
        }
        Step::ClosePullRequest => sim.close_pull_request(&r, fx.pr).await,
        Step::ReopenPullRequest => sim.reopen_pull_request(&r, fx.pr).await,
        Step::MergeMovedHead => {
            let details = MergeDetails {
                sha: "0".repeat(40),
                ..MergeDetails::default()
            };
            sim.merge(&r, fx.pr, &details).await
        }
        Step::Merge => {
            let details = MergeDetails {
                sha: fx.head.clone(),
                merge_method: MergeMethod::Squash,
                commit_title: Some("Squashed".into()),
                commit_message: None,
            };
            sim.merge(&r, fx.pr, &details).await
        }
        Step::DeleteComment => sim.delete_comment(&r, new_comment(sim, fx)).await,
        Step::DeleteRef => sim.delete_ref(&r, "heads/master").await,
    };
}

/// The step as a GitHub client sends it.
async fn over_http(http: &Http, sim: &Simulator, fx: &Fixture, step: Step) -> Reply {
    let (pr, issue) = (fx.pr, fx.issue);
    let ci = serde_json::to_value(ci()).unwrap();
    match step {
        Step::CreateIssue => {
            http.post(
                &format!("{R}/issues"),
                json!({"title": "New", "body": "text", "labels": ["kind/bug"], "assignees": ["alice"]}),
            )
            .await
        }
        Step::EditTitle => {
            http.patch(&format!("{R}/issues/{issue}"), json!({"title": "Renamed"}))
                .await
        }
        Step::CloseIssue => {
            http.patch(
                &format!("{R}/issues/{issue}"),
                json!({"state": "closed", "state_reason": "not_planned"}),
            )
            .await
        }
        Step::ReopenIssue => {
            http.patch(&format!("{R}/issues/{issue}"), json!({"state": "open"}))
                .await
        }
        Step::Comment => {
            http.post(&format!("{R}/issues/{issue}/comments"), json!({"body": "hello"}))
                .await
        }
        Step::EditComment => {
            let id = new_comment(sim, fx);
            http.patch(&format!("{R}/issues/comments/{id}"), json!({"body": "edited"}))
                .await
        }
        Step::ReactToComment => {
            http.post(
                &format!("{R}/issues/comments/{}/reactions", fx.comment),
                json!({"content": "+1"}),
            )
            .await
        }
        Step::ReactToIssue => {
            http.post(&format!("{R}/issues/{issue}/reactions"), json!({"content": "eyes"}))
                .await
        }
        Step::AddLabel => http.post(&format!("{R}/issues/{pr}/labels"), json!(["lgtm"])).await,
        Step::RemoveLabel | Step::RemoveAbsentLabel => {
            http.delete(&format!("{R}/issues/{pr}/labels/lgtm"), None)
                .await
        }
        Step::AddLabelToMissingIssue => {
            http.post(&format!("{R}/issues/99/labels"), json!(["lgtm"]))
                .await
        }
        Step::Assign => {
            http.post(
                &format!("{R}/issues/{pr}/assignees"),
                json!({"assignees": ["alice", "dave"]}),
            )
            .await
        }
        Step::Unassign => {
            http.delete(
                &format!("{R}/issues/{pr}/assignees"),
                Some(json!({"assignees": ["alice"]})),
            )
            .await
        }
        Step::RequestReview => {
            http.post(
                &format!("{R}/pulls/{pr}/requested_reviewers"),
                json!({"reviewers": ["erin"]}),
            )
            .await
        }
        Step::RequestReviewFromOutsider => {
            http.post(
                &format!("{R}/pulls/{pr}/requested_reviewers"),
                json!({"reviewers": ["dave"]}),
            )
            .await
        }
        Step::UnrequestReview => {
            http.delete(
                &format!("{R}/pulls/{pr}/requested_reviewers"),
                Some(json!({"reviewers": ["erin"]})),
            )
            .await
        }
        Step::SetMilestone => {
            http.patch(&format!("{R}/issues/{issue}"), json!({"milestone": 1}))
                .await
        }
        Step::ClearMilestone => {
            http.patch(&format!("{R}/issues/{issue}"), json!({"milestone": null}))
                .await
        }
        Step::CreateStatus => http.post(&format!("{R}/statuses/{}", fx.head), ci).await,
        Step::CreateBadStatus => {
            let mut bad = ci;
            bad["state"] = Value::from("great");
            http.post(&format!("{R}/statuses/{}", fx.head), bad).await
        }
        Step::ClosePullRequest => {
            http.patch(&format!("{R}/pulls/{pr}"), json!({"state": "closed"}))
                .await
        }
        Step::ReopenPullRequest => {
            http.patch(&format!("{R}/pulls/{pr}"), json!({"state": "open"}))
                .await
        }
        Step::MergeMovedHead => {
            http.put(
                &format!("{R}/pulls/{pr}/merge"),
                json!({"sha": "0".repeat(40)}),
            )
            .await
        }
        Step::Merge => {
            http.put(
                &format!("{R}/pulls/{pr}/merge"),
                json!({"sha": fx.head, "merge_method": "squash", "commit_title": "Squashed"}),
            )
            .await
        }
        Step::DeleteComment => {
            let id = new_comment(sim, fx);
            http.delete(&format!("{R}/issues/comments/{id}"), None).await
        }
        Step::DeleteRef => http.delete(&format!("{R}/git/refs/heads/master"), None).await,
    }
}

/// `event_type.action` of every webhook since the last call.
fn events(sim: &Simulator) -> Vec<String> {
    sim.take_webhooks()
        .iter()
        .map(|w| format!("{}.{}", w.event_type, w.action().unwrap_or_default()))
        .collect()
}

#[tokio::test]
async fn both_faces_record_the_same_call_log() {
    let (memory, fx) = http_world();
    let (served, served_fx) = http_world();
    assert_eq!(fx.head, served_fx.head, "the worlds are built alike");
    let server = serve(&served).await;
    let http = Http::new(&server);
    let mut errors = 0;
    for step in STEPS {
        in_memory(&memory, &fx, step).await;
        let reply = over_http(&http, &served, &fx, step).await;
        let want = memory.take_calls();
        let got = served.take_calls();
        assert_eq!(got, want, "{step:?}: HTTP {}", reply.status);
        assert_eq!(got.len(), 1, "{step:?}: one call each");
        errors += usize::from(got[0].error.is_some());
        assert_eq!(events(&served), events(&memory), "{step:?}: webhooks");
    }
    assert_eq!(errors, 7, "the refused calls are logged too");
    assert_eq!(served.request_count(), memory.request_count());
    server.shutdown().await.unwrap();
}
