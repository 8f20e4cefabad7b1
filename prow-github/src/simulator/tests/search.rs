//! `find_issues`: the qualifiers Prow uses, positive and negated.

use chrono::Duration;
use prow_core::event::ReviewState;
use prow_core::github::{GitHubClient, RepoName, Status};

use super::super::{NewPullRequest, Simulator};
use super::{BOT, kind, open_pr, open_pr_with, repo, world};

/// A world with a spread of issues and pull requests, one day apart:
///
/// test-infra: #1 PR alice open lgtm (approved review, ci success, milestone v1.0);
/// #2 PR bob draft; #3 issue dave "Flaky test" kind/bug assigned erin, commented by bob;
/// #4 PR erin merged; #5 PR alice closed; #6 issue carol closed; #7 PR alice into release.
/// website: #1 PR alice lgtm. someone/personal (archived): #1 issue someone.
fn searchable() -> Simulator {
    let sim = world();
    let day = || sim.advance_clock(Duration::days(1));
    let one = open_pr(&sim, "alice", "feature-x", "x.txt");
    sim.add_label_as(BOT, &repo(), one, "lgtm").unwrap();
    sim.review_as("bob", &repo(), one, ReviewState::Approved, "")
        .unwrap();
    sim.set_milestone_as(BOT, &repo(), one, Some(1)).unwrap();
    let head = sim.pull_request(&repo(), one).unwrap().head.sha;
    let ok = Status {
        state: "success".into(),
        context: "ci".into(),
        ..Default::default()
    };
    sim.set_status(&repo(), &head, &ok).unwrap();
    day();
    open_pr_with(
        &sim,
        "bob",
        NewPullRequest {
            title: "WIP".into(),
            head: "wip".into(),
            files: [("wip", "1")].into(),
            draft: true,
            ..Default::default()
        },
    );
    day();
    let three = sim
        .open_issue_as("dave", &repo(), "Flaky test", "it flakes", &[], &[])
        .unwrap();
    sim.add_label_as(BOT, &repo(), three, "kind/bug").unwrap();
    sim.assign_as(BOT, &repo(), three, &["erin"]).unwrap();
    sim.comment_as("bob", &repo(), three, "seen it too")
        .unwrap();
    day();
    let four = open_pr(&sim, "erin", "erin-fix", "e.txt");
    sim.merge_as(BOT, &repo(), four, &Default::default())
        .unwrap();
    day();
    let five = open_pr(&sim, "alice", "abandoned", "z.txt");
    sim.close_as("alice", &repo(), five).unwrap();
    day();
    let six = sim
        .open_issue_as("carol", &repo(), "Old", "", &[], &[])
        .unwrap();
    sim.close_as("carol", &repo(), six).unwrap();
    day();
    sim.create_branch_as(BOT, &repo(), "release", "master")
        .unwrap();
    open_pr_with(
        &sim,
        "alice",
        NewPullRequest {
            title: "Backport".into(),
            head: "backport".into(),
            base: Some("release".into()),
            files: [("bp", "1")].into(),
            ..Default::default()
        },
    );
    let website = RepoName::new("kubernetes", "website");
    let web = sim
        .open_pull_request(&website, "alice", "Docs", "", "docs", [("d", "1")])
        .unwrap();
    sim.add_label_as(BOT, &website, web, "lgtm").unwrap();
    let personal = RepoName::new("someone", "personal");
    sim.open_issue_as("someone", &personal, "Note", "", &[], &[])
        .unwrap();
    sim.set_archived(&personal, true).unwrap();
    sim
}

fn short(name: &str) -> &str {
    match name {
        "kubernetes/test-infra" => "ti",
        "kubernetes/website" => "web",
        _ => "me",
    }
}

#[tokio::test]
async fn qualifiers() {
    let sim = searchable();
    let cases: [(&str, &[&str]); 30] = [
        (
            "is:pr is:open repo:kubernetes/test-infra",
            &["ti#1", "ti#2", "ti#7"],
        ),
        ("is:issue", &["ti#3", "ti#6", "me#1"]),
        ("type:pr state:closed", &["ti#4", "ti#5"]),
        ("is:merged", &["ti#4"]),
        ("is:pr is:unmerged is:closed", &["ti#5"]),
        ("is:draft", &["ti#2"]),
        (
            "is:pr is:open draft:false repo:kubernetes/test-infra",
            &["ti#1", "ti#7"],
        ),
        ("label:lgtm", &["ti#1", "web#1"]),
        ("label:lgtm -repo:kubernetes/website", &["ti#1"]),
        ("label:LGTM,kind/bug", &["ti#1", "ti#3", "web#1"]),
        ("label:lgtm label:kind/bug", &[]),
        ("is:pr -label:lgtm is:open", &["ti#2", "ti#7"]),
        ("no:label is:issue", &["ti#6", "me#1"]),
        ("author:alice is:pr", &["ti#1", "ti#5", "ti#7", "web#1"]),
        ("-author:alice is:pr", &["ti#2", "ti#4"]),
        ("assignee:erin", &["ti#3"]),
        ("no:assignee is:issue is:open", &["me#1"]),
        ("base:release", &["ti#7"]),
        ("head:feature-x", &["ti#1"]),
        ("head:alice:abandoned", &["ti#5"]),
        ("milestone:v1.0", &["ti#1"]),
        (
            "no:milestone is:pr is:open org:kubernetes",
            &["ti#2", "ti#7", "web#1"],
        ),
        ("org:kubernetes is:issue", &["ti#3", "ti#6"]),
        ("user:someone", &["me#1"]),
        ("repo:kubernetes/website org:someone", &["web#1", "me#1"]),
        ("archived:true", &["me#1"]),
        ("archived:false is:issue", &["ti#3", "ti#6"]),
        ("review:approved", &["ti#1"]),
        ("status:success", &["ti#1"]),
        ("flaky in:title", &["ti#3"]),
    ];
    for (query, want) in cases {
        let got: Vec<String> = sim
            .find_issues(query)
            .await
            .unwrap_or_else(|e| panic!("{query}: {e}"))
            .iter()
            .map(|i| {
                let name = i
                    .html_url
                    .split('/')
                    .skip(3)
                    .take(2)
                    .collect::<Vec<_>>()
                    .join("/");
                format!("{}#{}", short(&name), i.number)
            })
            .collect();
        assert_eq!(got, want, "{query}");
    }
}

#[tokio::test]
async fn people_dates_and_sorting() {
    let sim = searchable();
    let numbers = |query: &str| -> Vec<u64> {
        sim.search(query)
            .unwrap_or_else(|e| panic!("{query}: {e}"))
            .iter()
            .map(|i| i.number)
            .collect()
    };
    let cases: [(&str, &[u64]); 9] = [
        ("commenter:bob repo:kubernetes/test-infra", &[3]),
        ("involves:erin repo:kubernetes/test-infra", &[3, 4]),
        ("created:2024-01-01 repo:kubernetes/test-infra", &[1]),
        ("created:>=2024-01-06 repo:kubernetes/test-infra", &[6, 7]),
        ("created:<2024-01-02 repo:kubernetes/test-infra", &[1]),
        (
            "created:2024-01-02..2024-01-03 repo:kubernetes/test-infra",
            &[2, 3],
        ),
        ("merged:>=2024-01-01", &[4]),
        (
            "sort:created-desc is:pr repo:kubernetes/test-infra",
            &[7, 5, 4, 2, 1],
        ),
        (
            "sort:created-asc is:issue repo:kubernetes/test-infra",
            &[3, 6],
        ),
    ];
    for (query, want) in cases {
        assert_eq!(numbers(query), want, "{query}");
    }
}

#[tokio::test]
async fn bad_queries_are_422() {
    let sim = searchable();
    for query in ["is:banana", "draft:perhaps", "updated:>=tomorrow"] {
        let err = sim.find_issues(query).await.unwrap_err();
        assert_eq!(kind(&err), "422", "{query}");
    }
}
