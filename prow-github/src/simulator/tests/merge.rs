//! Merging: the three methods, and GitHub's refusals (405, 409).

use prow_core::event::Event;
use prow_core::github::{GitHubClient, MergeDetails, MergeMethod, Status};

use super::super::NewPullRequest;
use super::{BOT, events, kind, open_pr, open_pr_with, outcome, repo, world};

fn details(sha: &str, method: MergeMethod) -> MergeDetails {
    MergeDetails {
        sha: sha.to_owned(),
        merge_method: method,
        commit_title: None,
        commit_message: None,
    }
}

#[tokio::test]
async fn each_method_moves_the_base_branch() {
    for method in [MergeMethod::Merge, MergeMethod::Squash, MergeMethod::Rebase] {
        let sim = world();
        let base_before = sim.resolve_ref(&repo(), Some("master")).unwrap();
        let pr = open_pr(&sim, "alice", "feature", "a.txt");
        sim.push_to_pull_request(&repo(), pr, [("b.txt", "b\n")])
            .unwrap();
        // The base moves on meanwhile, without conflict.
        sim.push_as("carol", &repo(), "master", [("c.txt", "c\n")], "c")
            .unwrap();
        let base_mid = sim.resolve_ref(&repo(), Some("master")).unwrap();
        let head = sim.pull_request(&repo(), pr).unwrap().head.sha;

        sim.merge(&repo(), pr, &details(&head, method))
            .await
            .unwrap();

        let tip = sim.resolve_ref(&repo(), Some("master")).unwrap();
        assert_ne!(tip, base_mid, "{method:?}");
        let commit = sim.commit(&repo(), &tip).unwrap();
        match method {
            MergeMethod::Merge => {
                assert_eq!(commit.parents, [base_mid.clone(), head.clone()]);
                assert_eq!(
                    commit.message,
                    "Merge pull request #1 from alice/feature\n\nChange a.txt"
                );
            }
            MergeMethod::Squash => {
                assert_eq!(commit.parents, std::slice::from_ref(&base_mid));
                assert_eq!(
                    commit.message,
                    "Change a.txt (#1)\n\n* Change a.txt\n* update #1"
                );
            }
            MergeMethod::Rebase => {
                let parent = sim.commit(&repo(), &commit.parents[0]).unwrap();
                assert_eq!(
                    parent.parents,
                    std::slice::from_ref(&base_mid),
                    "two commits replayed"
                );
                assert_eq!(commit.added, ["b.txt"]);
                assert_eq!(parent.added, ["a.txt"]);
            }
        }
        for (path, contents) in [("a.txt", "new\n"), ("b.txt", "b\n"), ("c.txt", "c\n")] {
            let got = sim.get_file(&repo(), path, None).await.unwrap();
            assert_eq!(got, contents.as_bytes(), "{method:?} {path}");
        }
        let pull = sim.get_pull_request(&repo(), pr).await.unwrap();
        assert!(pull.merged, "{method:?}");
        assert_eq!(pull.state, "closed");
        assert_eq!(pull.merge_commit_sha.as_deref(), Some(tip.as_str()));
        assert!(pull.merged_at.is_some());
        assert_eq!(pull.mergeable, None);
        assert_ne!(base_before, tip);
    }
}

#[tokio::test]
async fn merged_authors_become_contributors() {
    let sim = world();
    let pr = open_pr(&sim, "frank", "feature", "a.txt");
    let association =
        |sim: &super::super::Simulator| sim.issue(&repo(), pr).unwrap().author_association.unwrap();
    assert_eq!(association(&sim), "NONE");
    sim.merge(&repo(), pr, &MergeDetails::default())
        .await
        .unwrap();
    assert_eq!(association(&sim), "CONTRIBUTOR");
}

#[tokio::test]
async fn merge_announces_push_then_closed() {
    let sim = world();
    let pr = open_pr(&sim, "alice", "feature", "a.txt");
    sim.take_webhooks();
    let title = Some("Custom title".to_owned());
    let merge = MergeDetails {
        commit_title: title,
        commit_message: Some("Body".to_owned()),
        ..Default::default()
    };
    sim.merge(&repo(), pr, &merge).await.unwrap();
    let got = events(&sim);
    assert_eq!(got.len(), 2);
    let Event::Push(push) = &got[0] else {
        panic!("{:?}", got[0])
    };
    assert_eq!(push.r#ref, "refs/heads/master");
    assert_eq!(push.sender.login, BOT);
    assert_eq!(
        push.head_commit.as_ref().unwrap().message,
        "Custom title\n\nBody"
    );
    assert_eq!(
        push.commits.len(),
        2,
        "the pull request's commit and the merge commit"
    );
    let Event::PullRequest(closed) = &got[1] else {
        panic!("{:?}", got[1])
    };
    assert_eq!(closed.action.as_str(), "closed");
    assert!(closed.pull_request.merged);
    assert_eq!(
        closed.pull_request.merge_commit_sha.as_deref(),
        Some(push.after.as_str())
    );
}

#[tokio::test]
async fn merge_refusals() {
    let sim = world();
    sim.set_required_status_checks(&repo(), "release", &["ci/unit"])
        .unwrap();
    sim.create_branch_as(BOT, &repo(), "release", "master")
        .unwrap();
    let make = |head: &str, path: &str| open_pr(&sim, "alice", head, path);

    let good = make("good", "good.txt");
    let stale = make("stale", "stale.txt");
    let closed = make("closed", "closed.txt");
    sim.close_as("alice", &repo(), closed).unwrap();
    let merged = make("merged", "merged.txt");
    sim.merge_as(BOT, &repo(), merged, &MergeDetails::default())
        .unwrap();
    let draft = open_pr_with(
        &sim,
        "alice",
        NewPullRequest {
            title: "Draft".into(),
            head: "draft".into(),
            files: [("draft.txt", "x")].into(),
            draft: true,
            ..Default::default()
        },
    );
    let forced = make("forced", "forced.txt");
    sim.set_mergeable(&repo(), forced, Some(false)).unwrap();
    let conflict = make("conflict", "README.md");
    sim.push_as(
        "carol",
        &repo(),
        "master",
        [("README.md", "theirs\n")],
        "readme",
    )
    .unwrap();
    let to_release = |head: &str| {
        open_pr_with(
            &sim,
            "alice",
            NewPullRequest {
                title: format!("To release: {head}"),
                head: head.into(),
                base: Some("release".into()),
                files: [(format!("{head}.txt"), "x")].into(),
                ..Default::default()
            },
        )
    };
    let unchecked = to_release("unchecked");
    let failing = to_release("failing");
    let passing = to_release("passing");
    for (number, state) in [(failing, "failure"), (passing, "success")] {
        let head = sim.pull_request(&repo(), number).unwrap().head.sha;
        let status = Status {
            state: state.into(),
            context: "ci/unit".into(),
            ..Default::default()
        };
        sim.set_status(&repo(), &head, &status).unwrap();
    }
    let issue = sim
        .open_issue_as("dave", &repo(), "Bug", "", &[], &[])
        .unwrap();
    let head_of = |n: u64| sim.pull_request(&repo(), n).unwrap().head.sha;
    let stale_sha = head_of(stale);
    sim.push_to_pull_request(&repo(), stale, [("more.txt", "more")])
        .unwrap();

    let cases = [
        ("good", good, head_of(good), "ok"),
        ("required check missing", unchecked, String::new(), "405"),
        ("head moved", stale, stale_sha, "409"),
        ("closed", closed, head_of(closed), "405"),
        ("merged", merged, head_of(merged), "405"),
        ("draft", draft, head_of(draft), "405"),
        ("mergeable overridden", forced, head_of(forced), "405"),
        ("conflict", conflict, head_of(conflict), "405"),
        ("required check failing", failing, head_of(failing), "405"),
        ("required check passing", passing, head_of(passing), "ok"),
        ("an issue", issue, String::new(), "404"),
        ("unknown", 99, String::new(), "404"),
    ];
    for (name, number, sha, want) in cases {
        let got = sim
            .merge(&repo(), number, &details(&sha, MergeMethod::Squash))
            .await;
        assert_eq!(outcome(&got), want, "{name}");
    }
    let outsider = sim.client_as("dave");
    let err = outsider
        .merge(&repo(), stale, &MergeDetails::default())
        .await
        .unwrap_err();
    assert_eq!(kind(&err), "403");
}

#[tokio::test]
async fn mergeability_is_computed_and_overridable() {
    let sim = world();
    let pr = open_pr(&sim, "alice", "feature", "README.md");
    assert_eq!(sim.pull_request(&repo(), pr).unwrap().mergeable, Some(true));
    sim.push_as(
        "carol",
        &repo(),
        "master",
        [("README.md", "theirs\n")],
        "readme",
    )
    .unwrap();
    assert_eq!(
        sim.pull_request(&repo(), pr).unwrap().mergeable,
        Some(false)
    );
    let cases = [
        (Some(true), Some(true)),
        (None, None),
        (Some(false), Some(false)),
    ];
    for (set, want) in cases {
        sim.set_mergeable(&repo(), pr, set).unwrap();
        assert_eq!(
            sim.pull_request(&repo(), pr).unwrap().mergeable,
            want,
            "{set:?}"
        );
    }
    sim.clear_mergeable(&repo(), pr).unwrap();
    assert_eq!(
        sim.pull_request(&repo(), pr).unwrap().mergeable,
        Some(false)
    );
    // Told it merges, the head's side wins the conflict.
    sim.set_mergeable(&repo(), pr, Some(true)).unwrap();
    sim.merge(&repo(), pr, &MergeDetails::default())
        .await
        .unwrap();
    assert_eq!(sim.file(&repo(), "README.md", None).unwrap(), b"new\n");
}
