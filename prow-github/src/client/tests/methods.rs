//! Method details against the scripted fake: routes and bodies, and the replies upstream's
//! client reads specially (merge refusals, review requests refused whole, collaborator checks,
//! contents, ref prefixes).

use prow_core::github::{
    GitHubClient, GitHubError, MergeDetails, MergeMethod, RepoName, Status, WorkflowRun,
    WorkflowRunFilter,
};
use serde_json::json;

use super::{Answer, Fake, client_of, fake_options};

fn repo() -> RepoName {
    RepoName::new("kubernetes", "test-infra")
}

#[tokio::test]
async fn merges_map_refusals() {
    let fake = Fake::default();
    fake.push([
        Answer::json(
            200,
            json!({"sha": "abc", "merged": true, "message": "merged"}),
        ),
        Answer::json(405, json!({"message": "Pull Request is not mergeable"})),
        Answer::json(409, json!({"message": "Head branch was modified"})),
        Answer::json(422, json!({"message": "Validation Failed"})),
    ]);
    let client = client_of(&fake, fake_options()).await;
    let details = MergeDetails {
        sha: "abc".into(),
        merge_method: MergeMethod::Squash,
        commit_title: Some("Title".into()),
        commit_message: None,
    };
    client.merge(&repo(), 3, &details).await.unwrap();
    let err = client.merge(&repo(), 3, &details).await.unwrap_err();
    assert!(
        matches!(&err, GitHubError::UnmergeablePullRequest(m) if m.contains("not mergeable")),
        "{err:?}"
    );
    let err = client.merge(&repo(), 3, &details).await.unwrap_err();
    assert!(matches!(err, GitHubError::ModifiedHead(_)), "{err:?}");
    let err = client.merge(&repo(), 3, &details).await.unwrap_err();
    assert!(matches!(err, GitHubError::Unprocessable(_)), "{err:?}");
    let first = &fake.seen()[0];
    assert_eq!(
        first.line(),
        "PUT /api/v3/repos/kubernetes/test-infra/pulls/3/merge"
    );
    assert_eq!(
        first.json(),
        json!({"sha": "abc", "merge_method": "squash", "commit_title": "Title"})
    );
}

#[tokio::test]
async fn review_requests_refused_whole_are_asked_one_by_one() {
    let fake = Fake::default();
    fake.handle(|seen| {
        let body = seen.json();
        let reviewers = body["reviewers"].as_array().cloned().unwrap_or_default();
        let teams = body["team_reviewers"].as_array().cloned().unwrap_or_default();
        let bad = reviewers.iter().any(|r| r == "dave") || teams.iter().any(|t| t == "nope");
        if bad {
            Answer::json(422, json!({"message": "Reviews may only be requested from collaborators."}))
        } else {
            Answer::json(201, json!({"number": 1, "requested_reviewers": reviewers.iter().map(|r| json!({"login": r})).collect::<Vec<_>>()}))
        }
    });
    let client = client_of(&fake, fake_options()).await;
    let logins: Vec<String> = ["bob", "dave", "kubernetes/nope", "other/team", "erin"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let err = client
        .request_review(&repo(), 1, &logins)
        .await
        .unwrap_err();
    match err {
        GitHubError::MissingUsers(users) => {
            assert_eq!(users, ["dave", "kubernetes/nope", "other/team"])
        }
        other => panic!("{other:?}"),
    }
    // One try with everyone, then one per login of the organisation.
    assert_eq!(fake.seen().len(), 5);
    assert_eq!(
        fake.seen()[0].json(),
        json!({"reviewers": ["bob", "dave", "erin"], "team_reviewers": ["nope"]})
    );
}

#[tokio::test]
async fn assignments_compare_the_reply() {
    let fake = Fake::default();
    fake.push([Answer::json(
        201,
        json!({"number": 1, "assignees": [{"login": "Alice"}, {"login": "erin"}]}),
    )]);
    let client = client_of(&fake, fake_options()).await;
    let logins: Vec<String> = ["@alice", "dave", "erin"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let err = client.assign_issue(&repo(), 1, &logins).await.unwrap_err();
    assert!(matches!(err, GitHubError::MissingUsers(u) if u == ["dave"]));
    assert_eq!(
        fake.seen()[0].json(),
        json!({"assignees": ["@alice", "dave", "erin"]})
    );
    // Nothing to do: no call.
    client.assign_issue(&repo(), 1, &[]).await.unwrap();
    assert_eq!(fake.seen().len(), 1);
}

#[tokio::test]
async fn collaborator_checks() {
    let fake = Fake::default();
    fake.push([
        Answer::Reply {
            status: 204,
            headers: vec![],
            body: String::new(),
        },
        Answer::json(404, json!({"message": "Not Found"})),
        Answer::json(403, json!({"message": "Must have push access"})),
    ]);
    let client = client_of(&fake, fake_options()).await;
    assert!(client.is_collaborator(&repo(), "alice").await.unwrap());
    assert!(!client.is_collaborator(&repo(), "dave").await.unwrap());
    assert!(matches!(
        client.is_collaborator(&repo(), "erin").await,
        Err(GitHubError::Forbidden(_))
    ));
    // A personal repository's owner, without asking.
    assert!(
        client
            .is_collaborator(&RepoName::new("alice", "dotfiles"), "Alice")
            .await
            .unwrap()
    );
    assert!(client.is_member("alice", "alice").await.unwrap());
    assert_eq!(fake.seen().len(), 3);
}

#[tokio::test]
async fn files_are_decoded() {
    let fake = Fake::default();
    fake.push([
        Answer::json(
            200,
            json!({"type": "file", "encoding": "base64", "content": "aGVsbG8g\nd29ybGQK\n"}),
        ),
        Answer::json(200, json!([{"type": "file", "name": "a"}])),
    ]);
    let client = client_of(&fake, fake_options()).await;
    let got = client
        .get_file(&repo(), "/docs/my file.md", Some("release-1.0"))
        .await
        .unwrap();
    assert_eq!(got, b"hello world\n");
    let err = client.get_file(&repo(), "docs", None).await.unwrap_err();
    assert!(matches!(err, GitHubError::NotFound(_)), "{err:?}");
    assert_eq!(
        fake.lines(),
        [
            "GET /api/v3/repos/kubernetes/test-infra/contents/docs/my%20file.md?ref=release-1.0",
            "GET /api/v3/repos/kubernetes/test-infra/contents/docs",
        ]
    );
}

#[tokio::test]
async fn refs_by_exact_name() {
    let fake = Fake::default();
    fake.push([
        Answer::json(
            200,
            json!({"ref": "refs/heads/main", "object": {"sha": "aaa"}}),
        ),
        Answer::json(
            200,
            json!([
                {"ref": "refs/heads/feature-1", "object": {"sha": "bbb"}},
                {"ref": "refs/heads/feature-2", "object": {"sha": "ccc"}}
            ]),
        ),
    ]);
    let client = client_of(&fake, fake_options()).await;
    assert_eq!(
        client.get_ref(&repo(), "refs/heads/main").await.unwrap(),
        "aaa"
    );
    let err = client.get_ref(&repo(), "heads/feature").await.unwrap_err();
    assert!(matches!(err, GitHubError::NotFound(_)), "{err:?}");
    assert_eq!(
        fake.lines()[0],
        "GET /api/v3/repos/kubernetes/test-infra/git/refs/heads/main"
    );
}

#[tokio::test]
async fn write_routes_and_bodies() {
    let fake = Fake::default();
    fake.handle(|seen| match seen.method.as_str() {
        "POST" if seen.uri.path().ends_with("/issues") => Answer::json(201, json!({"number": 12})),
        "POST" => Answer::json(201, json!({})),
        "DELETE" => Answer::Reply {
            status: 204,
            headers: vec![],
            body: String::new(),
        },
        _ => Answer::json(200, json!({})),
    });
    let client = client_of(&fake, fake_options()).await;
    let r = repo();
    let n = client
        .create_issue(&r, "Title", "", &["kind/bug".into()], &[])
        .await
        .unwrap();
    assert_eq!(n, 12);
    client.close_issue(&r, 12, true).await.unwrap();
    client.reopen_issue(&r, 12).await.unwrap();
    client.close_pull_request(&r, 3).await.unwrap();
    client.edit_title(&r, 3, "New").await.unwrap();
    client.add_label(&r, 3, "lgtm").await.unwrap();
    client
        .remove_label(&r, 3, "do-not-merge/hold")
        .await
        .unwrap();
    client.set_milestone(&r, 3, 2).await.unwrap();
    client.clear_milestone(&r, 3).await.unwrap();
    client
        .create_status(
            &r,
            "abc",
            &Status {
                state: "success".into(),
                context: "tide".into(),
                ..Status::default()
            },
        )
        .await
        .unwrap();
    client.create_comment_reaction(&r, 9, "+1").await.unwrap();
    client.delete_comment(&r, 9).await.unwrap();
    client.delete_ref(&r, "refs/heads/feature").await.unwrap();
    let got: Vec<(String, serde_json::Value)> =
        fake.seen().iter().map(|s| (s.line(), s.json())).collect();
    let base = "/api/v3/repos/kubernetes/test-infra";
    let want = vec![
        (
            format!("POST {base}/issues"),
            json!({"title": "Title", "labels": ["kind/bug"]}),
        ),
        (
            format!("PATCH {base}/issues/12"),
            json!({"state": "closed", "state_reason": "not_planned"}),
        ),
        (format!("PATCH {base}/issues/12"), json!({"state": "open"})),
        (format!("PATCH {base}/pulls/3"), json!({"state": "closed"})),
        (format!("PATCH {base}/issues/3"), json!({"title": "New"})),
        (
            format!("POST {base}/issues/3/labels"),
            json!({"labels": ["lgtm"]}),
        ),
        (
            format!("DELETE {base}/issues/3/labels/do-not-merge%2Fhold"),
            serde_json::Value::Null,
        ),
        (format!("PATCH {base}/issues/3"), json!({"milestone": 2})),
        (format!("PATCH {base}/issues/3"), json!({"milestone": null})),
        (
            format!("POST {base}/statuses/abc"),
            json!({"state": "success", "context": "tide"}),
        ),
        (
            format!("POST {base}/issues/comments/9/reactions"),
            json!({"content": "+1"}),
        ),
        (
            format!("DELETE {base}/issues/comments/9"),
            serde_json::Value::Null,
        ),
        (
            format!("DELETE {base}/git/refs/heads/feature"),
            serde_json::Value::Null,
        ),
    ];
    assert_eq!(got, want);
}

#[tokio::test]
async fn workflow_runs_are_listed_rerun_and_approved_as_upstream_asks() {
    let fake = Fake::default();
    fake.push([
        Answer::json(
            200,
            json!({"total_count": 1, "workflow_runs": [{
                "id": 30433642, "name": "Build", "head_branch": "feature",
                "head_sha": "abc123", "event": "pull_request_target",
                "status": "action_required", "conclusion": null, "run_attempt": 1
            }]}),
        ),
        Answer::json(201, json!({})),
        Answer::json(201, json!({})),
        Answer::json(404, json!({"message": "Not Found"})),
        Answer::json(
            403,
            json!({"message": "Resource not accessible by integration"}),
        ),
    ]);
    let client = client_of(&fake, fake_options()).await;
    let filter = WorkflowRunFilter {
        head_sha: Some("abc123".into()),
        branch: Some("feature".into()),
        events: vec!["pull_request".into(), "pull_request_target".into()],
        status: Some("action_required".into()),
    };
    let runs = client.list_workflow_runs(&repo(), &filter).await.unwrap();
    assert_eq!(
        runs,
        [WorkflowRun {
            id: 30433642,
            name: "Build".into(),
            status: "action_required".into(),
            conclusion: None,
            head_sha: "abc123".into(),
            head_branch: "feature".into(),
            event: "pull_request_target".into(),
        }]
    );
    client
        .rerun_failed_workflow_jobs(&repo(), 30433642)
        .await
        .unwrap();
    client
        .approve_workflow_run(&repo(), 30433642)
        .await
        .unwrap();
    let err = client
        .approve_workflow_run(&repo(), 30433642)
        .await
        .unwrap_err();
    assert!(matches!(err, GitHubError::NotFound(_)), "{err:?}");
    let err = client
        .rerun_failed_workflow_jobs(&repo(), 1)
        .await
        .unwrap_err();
    assert!(matches!(err, GitHubError::Forbidden(_)), "{err:?}");
    let base = "/api/v3/repos/kubernetes/test-infra/actions/runs";
    assert_eq!(
        fake.lines(),
        [
            format!(
                "GET {base}?branch=feature&event=pull_request%20OR%20pull_request_target&head_sha=abc123&status=action_required&per_page=100"
            ),
            format!("POST {base}/30433642/rerun-failed-jobs"),
            format!("POST {base}/30433642/approve"),
            format!("POST {base}/30433642/approve"),
            format!("POST {base}/1/rerun-failed-jobs"),
        ]
    );
}
