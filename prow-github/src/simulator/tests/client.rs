//! Every `GitHubClient` method: what it returns, and the errors GitHub answers with.

use prow_core::event::ReviewState;
use prow_core::github::{GitHubClient, Permission, RepoName, TeamRole};

use super::super::{NewPullRequest, Simulator};
use super::{BOT, kind, open_pr, open_pr_with, outcome, repo, world};

#[tokio::test]
async fn bot_user_is_the_bot() {
    let sim = world();
    let bot = sim.bot_user().await.unwrap();
    assert_eq!(bot.login, BOT);
    assert!(bot.id > 0);
    assert_eq!(sim.bot_client().actor(), BOT);
    assert_eq!(Simulator::default().bot_login(), Simulator::DEFAULT_BOT);
}

#[tokio::test]
async fn get_issue_reads_issues_and_pull_requests() {
    let sim = world();
    let pr = open_pr(&sim, "alice", "feature", "a.txt");
    let issue = sim
        .open_issue_as("dave", &repo(), "Bug", "it breaks", &[], &[])
        .unwrap();
    assert_eq!(
        (pr, issue),
        (1, 2),
        "issues and pull requests share numbers"
    );
    let cases = [
        (repo(), pr, Ok(true)),
        (repo(), issue, Ok(false)),
        (repo(), 99, Err("404")),
        (RepoName::new("kubernetes", "nope"), 1, Err("404")),
    ];
    for (name, number, want) in cases {
        let got = sim.get_issue(&name, number).await;
        match want {
            Ok(is_pr) => {
                let got = got.unwrap();
                assert_eq!(got.number, number);
                assert_eq!(got.is_pull_request(), is_pr, "#{number}");
                assert_eq!(got.state, "open");
            }
            Err(code) => assert_eq!(kind(&got.unwrap_err()), code, "{name}#{number}"),
        }
    }
    let got = sim.get_issue(&repo(), issue).await.unwrap();
    assert_eq!(got.user.login, "dave");
    assert_eq!(got.body.as_deref(), Some("it breaks"));
    assert_eq!(got.author_association.as_deref(), Some("NONE"));
    let got = sim.get_issue(&repo(), pr).await.unwrap();
    assert_eq!(got.author_association.as_deref(), Some("MEMBER"));
    assert!(got.html_url.ends_with("/kubernetes/test-infra/pull/1"));
}

#[tokio::test]
async fn create_issue_cases() {
    let sim = world();
    let archived = RepoName::new("kubernetes", "website");
    sim.set_archived(&archived, true).unwrap();
    let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let cases = [
        ("plain", repo(), "Title", s(&[]), s(&[]), "ok"),
        (
            "labels and assignees",
            repo(),
            "Title",
            s(&["lgtm", "kind/bug"]),
            s(&["alice", "erin"]),
            "ok",
        ),
        ("blank title", repo(), " ", s(&[]), s(&[]), "422"),
        (
            "outsider assignee",
            repo(),
            "Title",
            s(&[]),
            s(&["dave"]),
            "422",
        ),
        (
            "unknown repo",
            RepoName::new("x", "y"),
            "Title",
            s(&[]),
            s(&[]),
            "404",
        ),
        ("archived", archived, "Title", s(&[]), s(&[]), "403"),
    ];
    for (name, target, title, labels, assignees, want) in cases {
        let got = sim
            .create_issue(&target, title, "body", &labels, &assignees)
            .await;
        assert_eq!(outcome(&got), want, "{name}");
    }
    // The second issue has both labels (kind/bug created with GitHub's default colour).
    assert_eq!(sim.labels(&repo(), 2), ["lgtm", "kind/bug"]);
    assert_eq!(sim.assignees(&repo(), 2), ["alice", "erin"]);
    let created = sim.repo_labels(&repo()).unwrap();
    let bug = created.iter().find(|l| l.name == "kind/bug").unwrap();
    assert_eq!(bug.color, "ededed");
    // Users without triage access may open issues, but their labels are dropped.
    let dave = sim.client_as("dave");
    let n = dave
        .create_issue(&repo(), "From dave", "", &s(&["lgtm"]), &[])
        .await
        .unwrap();
    assert!(sim.labels(&repo(), n).is_empty());
}

#[tokio::test]
async fn close_and_reopen_issues() {
    let sim = world();
    let issue = sim
        .open_issue_as("dave", &repo(), "Bug", "", &[], &[])
        .unwrap();
    sim.close_issue(&repo(), issue, true).await.unwrap();
    let got = sim.get_issue(&repo(), issue).await.unwrap();
    assert_eq!(got.state, "closed");
    assert_eq!(got.state_reason.as_deref(), Some("not_planned"));
    assert!(got.closed_at.is_some());
    sim.reopen_issue(&repo(), issue).await.unwrap();
    let got = sim.get_issue(&repo(), issue).await.unwrap();
    assert_eq!((got.state.as_str(), got.closed_at), ("open", None));
    assert_eq!(
        kind(&sim.close_issue(&repo(), 42, false).await.unwrap_err()),
        "404"
    );
    assert_eq!(
        kind(&sim.reopen_issue(&repo(), 42).await.unwrap_err()),
        "404"
    );
    // The author may close their own issue; another outsider may not.
    let dave = sim.client_as("dave");
    let frank = sim.client_as("frank");
    assert_eq!(
        kind(&frank.close_issue(&repo(), issue, false).await.unwrap_err()),
        "403"
    );
    dave.close_issue(&repo(), issue, false).await.unwrap();
    // The issues API closes pull requests too.
    let pr = open_pr(&sim, "alice", "f", "a");
    sim.close_issue(&repo(), pr, false).await.unwrap();
    assert!(!sim.pull_request(&repo(), pr).unwrap().merged);
    assert_eq!(sim.pull_request(&repo(), pr).unwrap().state, "closed");
}

#[tokio::test]
async fn close_and_reopen_pull_requests() {
    let sim = world();
    let pr = open_pr(&sim, "alice", "f", "a");
    let issue = sim
        .open_issue_as("dave", &repo(), "Bug", "", &[], &[])
        .unwrap();
    let merged = open_pr(&sim, "bob", "g", "b");
    sim.merge_as(BOT, &repo(), merged, &Default::default())
        .unwrap();
    let cases = [
        ("close", pr, true, "ok"),
        ("close again", pr, true, "ok"),
        ("reopen", pr, false, "ok"),
        ("close an issue", issue, true, "404"),
        ("reopen an issue", issue, false, "404"),
        ("reopen a merged one", merged, false, "422"),
        ("unknown", 99, true, "404"),
    ];
    for (name, number, close, want) in cases {
        let got = if close {
            sim.close_pull_request(&repo(), number).await
        } else {
            sim.reopen_pull_request(&repo(), number).await
        };
        assert_eq!(outcome(&got), want, "{name}");
    }
    assert_eq!(sim.pull_request(&repo(), pr).unwrap().state, "open");
}

#[tokio::test]
async fn reopening_needs_the_head_branch() {
    let sim = world();
    let new = NewPullRequest {
        title: "Same repo".into(),
        head: "feature".into(),
        same_repo: true,
        files: [("a", "1")].into(),
        ..Default::default()
    };
    let pr = open_pr_with(&sim, "erin", new);
    sim.delete_ref(&repo(), "heads/feature").await.unwrap();
    let got = sim.pull_request(&repo(), pr).unwrap();
    assert_eq!(
        got.state, "closed",
        "deleting the head branch closes the pull request"
    );
    assert_eq!(
        kind(&sim.reopen_pull_request(&repo(), pr).await.unwrap_err()),
        "422"
    );
}

#[tokio::test]
async fn edit_title_cases() {
    let sim = world();
    let pr = open_pr(&sim, "alice", "f", "a");
    let cases = [(pr, "New title", "ok"), (pr, "", "422"), (99, "x", "404")];
    for (number, title, want) in cases {
        assert_eq!(
            outcome(&sim.edit_title(&repo(), number, title).await),
            want,
            "{title:?}"
        );
    }
    assert_eq!(sim.pull_request(&repo(), pr).unwrap().title, "New title");
}

#[tokio::test]
async fn comments_create_list_edit_delete() {
    let sim = world();
    let pr = open_pr(&sim, "alice", "f", "a");
    let theirs = sim.comment_as("alice", &repo(), pr, "mine").unwrap();
    let id = sim.create_comment(&repo(), pr, "hello").await.unwrap();
    assert_ne!(id, theirs);
    let listed = sim.list_issue_comments(&repo(), pr).await.unwrap();
    let listed: Vec<(u64, &str, &str)> = listed
        .iter()
        .map(|c| (c.id, c.user.login.as_str(), c.body.as_str()))
        .collect();
    assert_eq!(listed, [(theirs, "alice", "mine"), (id, BOT, "hello")]);

    let creates = [(pr, "x", "ok"), (pr, "  ", "422"), (99, "x", "404")];
    for (number, body, want) in creates {
        assert_eq!(
            outcome(&sim.create_comment(&repo(), number, body).await),
            want,
            "{body:?}"
        );
    }
    assert_eq!(
        kind(&sim.list_issue_comments(&repo(), 99).await.unwrap_err()),
        "404"
    );

    let dave = sim.client_as("dave");
    let edits = [
        ("own", sim.edit_comment(&repo(), id, "edited").await),
        ("unknown", sim.edit_comment(&repo(), 1, "x").await),
        ("blank", sim.edit_comment(&repo(), id, "").await),
        (
            "someone else's without write",
            dave.edit_comment(&repo(), theirs, "x").await,
        ),
        (
            "someone else's with write",
            sim.edit_comment(&repo(), theirs, "fixed typo").await,
        ),
    ];
    let got: Vec<(&str, String)> = edits.iter().map(|(n, r)| (*n, outcome(r))).collect();
    assert_eq!(
        got,
        [
            ("own", "ok".into()),
            ("unknown", "404".into()),
            ("blank", "422".into()),
            ("someone else's without write", "403".into()),
            ("someone else's with write", "ok".into()),
        ]
    );
    assert_eq!(sim.comments(&repo(), pr), ["fixed typo", "edited", "x"]);

    assert_eq!(
        kind(&dave.delete_comment(&repo(), id).await.unwrap_err()),
        "403"
    );
    sim.delete_comment(&repo(), id).await.unwrap();
    assert_eq!(
        kind(&sim.delete_comment(&repo(), id).await.unwrap_err()),
        "404"
    );
    assert_eq!(sim.comments(&repo(), pr), ["fixed typo", "x"]);
}

#[tokio::test]
async fn reactions() {
    let sim = world();
    let pr = open_pr(&sim, "alice", "f", "a");
    let id = sim.comment_as("alice", &repo(), pr, "/lgtm").unwrap();
    let cases = [
        (
            "comment",
            sim.create_comment_reaction(&repo(), id, "+1").await,
            "ok",
        ),
        (
            "again",
            sim.create_comment_reaction(&repo(), id, "+1").await,
            "ok",
        ),
        (
            "bad reaction",
            sim.create_comment_reaction(&repo(), id, "thumbsup").await,
            "422",
        ),
        (
            "unknown comment",
            sim.create_comment_reaction(&repo(), 7, "eyes").await,
            "404",
        ),
        (
            "issue",
            sim.create_issue_reaction(&repo(), pr, "eyes").await,
            "ok",
        ),
        (
            "unknown issue",
            sim.create_issue_reaction(&repo(), 99, "eyes").await,
            "404",
        ),
    ];
    for (name, got, want) in cases {
        assert_eq!(outcome(&got), want, "{name}");
    }
    assert_eq!(
        sim.reactions(&repo(), pr, Some(id)).unwrap(),
        [(BOT.to_owned(), "+1".to_owned())]
    );
    assert_eq!(
        sim.reactions(&repo(), pr, None).unwrap(),
        [(BOT.to_owned(), "eyes".to_owned())]
    );
}

#[tokio::test]
async fn labels_add_remove_list() {
    let sim = world();
    let pr = open_pr(&sim, "alice", "f", "a");
    let dave = sim.client_as("dave");
    let cases = [
        (
            "add existing repo label",
            sim.add_label(&repo(), pr, "lgtm").await,
            "ok",
        ),
        (
            "add again (no-op)",
            sim.add_label(&repo(), pr, "LGTM").await,
            "ok",
        ),
        (
            "add new label",
            sim.add_label(&repo(), pr, "needs-rebase").await,
            "ok",
        ),
        ("add blank", sim.add_label(&repo(), pr, "").await, "422"),
        (
            "add to unknown",
            sim.add_label(&repo(), 99, "lgtm").await,
            "404",
        ),
        (
            "add without triage",
            dave.add_label(&repo(), pr, "approved").await,
            "403",
        ),
        (
            "remove absent",
            sim.remove_label(&repo(), pr, "approved").await,
            "404",
        ),
        (
            "remove unknown label",
            sim.remove_label(&repo(), pr, "nope").await,
            "404",
        ),
        (
            "remove present",
            sim.remove_label(&repo(), pr, "needs-rebase").await,
            "ok",
        ),
        (
            "remove twice",
            sim.remove_label(&repo(), pr, "needs-rebase").await,
            "404",
        ),
    ];
    for (name, got, want) in cases {
        assert_eq!(outcome(&got), want, "{name}");
    }
    let on_pr = sim.get_issue_labels(&repo(), pr).await.unwrap();
    assert_eq!(on_pr.len(), 1);
    assert_eq!(
        (on_pr[0].name.as_str(), on_pr[0].color.as_str()),
        ("lgtm", "15dd18")
    );
    let names: Vec<String> = sim
        .get_repo_labels(&repo())
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.name)
        .collect();
    assert_eq!(names, ["lgtm", "approved", "needs-rebase"]);
    assert_eq!(
        kind(&sim.get_issue_labels(&repo(), 99).await.unwrap_err()),
        "404"
    );
    assert_eq!(
        kind(
            &sim.get_repo_labels(&RepoName::new("a", "b"))
                .await
                .unwrap_err()
        ),
        "404"
    );
}

#[tokio::test]
async fn assign_and_unassign() {
    let sim = world();
    let pr = open_pr(&sim, "frank", "f", "a");
    sim.comment_as("grace", &repo(), pr, "me too").unwrap();
    let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let cases = [
        // (logins, outcome, assignees after)
        (s(&["alice"]), "ok", vec!["alice"]),
        (
            s(&["dave", "erin", "nobody"]),
            "missing dave,nobody",
            vec!["alice", "erin"],
        ),
        (s(&["@Alice"]), "ok", vec!["alice", "erin"]),
        // The author and commenters can be assigned, whatever their access.
        (
            s(&["frank", "grace"]),
            "ok",
            vec!["alice", "erin", "frank", "grace"],
        ),
    ];
    for (logins, want, after) in cases {
        let got = sim.assign_issue(&repo(), pr, &logins).await;
        assert_eq!(outcome(&got), want, "{logins:?}");
        assert_eq!(sim.assignees(&repo(), pr), after, "{logins:?}");
    }
    assert_eq!(
        kind(
            &sim.assign_issue(&repo(), 99, &s(&["alice"]))
                .await
                .unwrap_err()
        ),
        "404"
    );
    sim.unassign_issue(&repo(), pr, &s(&["alice", "nobody", "frank"]))
        .await
        .unwrap();
    assert_eq!(sim.assignees(&repo(), pr), ["erin", "grace"]);
    assert_eq!(
        kind(
            &sim.client_as("dave")
                .unassign_issue(&repo(), pr, &s(&["erin"]))
                .await
                .unwrap_err()
        ),
        "403"
    );
}

#[tokio::test]
async fn request_and_unrequest_reviews() {
    let sim = world();
    let pr = open_pr(&sim, "alice", "f", "a");
    let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let got = sim
        .request_review(
            &repo(),
            pr,
            &s(&[
                "bob",
                "alice",
                "dave",
                "kubernetes/sig-testing",
                "kubernetes/nope",
            ]),
        )
        .await;
    assert_eq!(outcome(&got), "missing alice,dave,kubernetes/nope");
    let pull = sim.get_pull_request(&repo(), pr).await.unwrap();
    let reviewers: Vec<&str> = pull
        .requested_reviewers
        .iter()
        .map(|u| u.login.as_str())
        .collect();
    assert_eq!(reviewers, ["bob"]);
    assert_eq!(pull.requested_teams[0].slug, "sig-testing");
    sim.request_review(&repo(), pr, &s(&["erin"]))
        .await
        .unwrap();
    sim.unrequest_review(&repo(), pr, &s(&["bob", "kubernetes/sig-testing", "carol"]))
        .await
        .unwrap();
    let pull = sim.get_pull_request(&repo(), pr).await.unwrap();
    let reviewers: Vec<&str> = pull
        .requested_reviewers
        .iter()
        .map(|u| u.login.as_str())
        .collect();
    assert_eq!(reviewers, ["erin"]);
    assert!(pull.requested_teams.is_empty());
    assert_eq!(
        kind(
            &sim.request_review(&repo(), 99, &s(&["bob"]))
                .await
                .unwrap_err()
        ),
        "404"
    );
    // A review submitted clears its reviewer's request.
    sim.review_as("erin", &repo(), pr, ReviewState::Approved, "")
        .unwrap();
    assert!(
        sim.pull_request(&repo(), pr)
            .unwrap()
            .requested_reviewers
            .is_empty()
    );
}

#[tokio::test]
async fn pull_requests_read() {
    let sim = world();
    let pr = sim
        .open_pull_request(
            &repo(),
            "alice",
            "Update docs",
            "",
            "docs",
            super::super::Files::new()
                .put("docs/guide.md", "guide\nmore\n")
                .put("docs/new.md", "new\n")
                .delete("README.md"),
        )
        .unwrap();
    let issue = sim
        .open_issue_as("dave", &repo(), "Bug", "", &[], &[])
        .unwrap();
    let pull = sim.get_pull_request(&repo(), pr).await.unwrap();
    assert_eq!(pull.number, pr);
    assert_eq!(pull.user.login, "alice");
    assert_eq!(pull.body, None);
    assert_eq!(pull.base.r#ref, "master");
    assert_eq!(
        pull.base.sha,
        sim.resolve_ref(&repo(), Some("master")).unwrap()
    );
    assert_eq!(pull.head.r#ref, "docs");
    assert_eq!(pull.head.label, "alice:docs");
    let head_repo = pull.head.repo.as_ref().unwrap();
    assert_eq!(
        (head_repo.full_name.as_str(), head_repo.fork),
        ("alice/test-infra", true)
    );
    assert_eq!(pull.mergeable, Some(true));
    assert_eq!(pull.commits, Some(1));
    assert!(pull.merge_commit_sha.is_some());

    let changes = sim.get_pull_request_changes(&repo(), pr).await.unwrap();
    let got: Vec<(&str, &str, u64, u64)> = changes
        .iter()
        .map(|c| {
            (
                c.filename.as_str(),
                c.status.as_str(),
                c.additions,
                c.deletions,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("README.md", "removed", 0, 1),
            ("docs/guide.md", "modified", 1, 0),
            ("docs/new.md", "added", 1, 0),
        ]
    );
    assert_eq!(
        changes[1].patch.as_deref(),
        Some("@@ -1,1 +1,2 @@\n guide\n+more")
    );

    for number in [issue, 99] {
        assert_eq!(
            kind(&sim.get_pull_request(&repo(), number).await.unwrap_err()),
            "404"
        );
        assert_eq!(
            kind(
                &sim.get_pull_request_changes(&repo(), number)
                    .await
                    .unwrap_err()
            ),
            "404"
        );
        assert_eq!(
            kind(&sim.list_reviews(&repo(), number).await.unwrap_err()),
            "404"
        );
    }
}

#[tokio::test]
async fn changed_files_follow_pushes_and_ignore_base_moves() {
    let sim = world();
    let pr = open_pr(&sim, "alice", "f", "a.txt");
    sim.push_to_pull_request(&repo(), pr, [("b.txt", "b\n")])
        .unwrap();
    // A commit on the base branch is not part of the pull request's changes.
    sim.push_as("carol", &repo(), "master", [("c.txt", "c\n")], "c")
        .unwrap();
    let names: Vec<String> = sim
        .pull_request_files(&repo(), pr)
        .unwrap()
        .into_iter()
        .map(|c| c.filename)
        .collect();
    assert_eq!(names, ["a.txt", "b.txt"]);
    let commits = sim.pull_request_commits(&repo(), pr).unwrap();
    assert_eq!(commits.len(), 2);
    assert_eq!(commits[1].added, ["b.txt"]);
    assert_eq!(sim.pull_request(&repo(), pr).unwrap().commits, Some(2));
}

#[tokio::test]
async fn reviews_list_and_rules() {
    let sim = world();
    let pr = open_pr(&sim, "alice", "f", "a");
    let cases = [
        ("bob", ReviewState::Approved, "", "ok"),
        ("erin", ReviewState::ChangesRequested, "please fix", "ok"),
        ("dave", ReviewState::Commented, "nice", "ok"),
        ("erin", ReviewState::ChangesRequested, "", "422"),
        ("dave", ReviewState::Commented, "", "422"),
        ("alice", ReviewState::Approved, "", "422"),
        ("alice", ReviewState::Commented, "replying", "ok"),
        ("bob", ReviewState::Pending, "", "422"),
    ];
    for (user, state, body, want) in cases {
        let got = sim.review_as(user, &repo(), pr, state.clone(), body);
        assert_eq!(outcome(&got), want, "{user} {state}");
    }
    let reviews = sim.list_reviews(&repo(), pr).await.unwrap();
    let got: Vec<(&str, &str)> = reviews
        .iter()
        .map(|r| (r.user.login.as_str(), r.state.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("bob", "APPROVED"),
            ("erin", "CHANGES_REQUESTED"),
            ("dave", "COMMENTED"),
            ("alice", "COMMENTED"),
        ]
    );
    let head = sim.pull_request(&repo(), pr).unwrap().head.sha;
    assert_eq!(reviews[0].commit_id.as_deref(), Some(head.as_str()));
    sim.dismiss_review_as("carol", &repo(), pr, reviews[1].id)
        .unwrap();
    assert_eq!(
        kind(
            &sim.dismiss_review_as("carol", &repo(), pr, reviews[2].id)
                .unwrap_err()
        ),
        "422"
    );
    assert_eq!(
        kind(
            &sim.dismiss_review_as("dave", &repo(), pr, reviews[0].id)
                .unwrap_err()
        ),
        "403"
    );
    assert_eq!(
        sim.reviews(&repo(), pr).unwrap()[1].state,
        ReviewState::Dismissed
    );
}

#[tokio::test]
async fn refs_and_files() {
    let sim = world();
    let master = sim.resolve_ref(&repo(), None).unwrap();
    let pr = open_pr(&sim, "alice", "f", "OWNERS");
    let head = sim.pull_request(&repo(), pr).unwrap().head.sha;
    sim.push_as(
        "erin",
        &repo(),
        "release-1.0",
        [("VERSION", "1.0\n")],
        "release",
    )
    .unwrap();
    sim.create_tag_as("erin", &repo(), "v1.0", "release-1.0")
        .unwrap();
    let refs = [
        ("heads/master", Some(master.clone())),
        ("refs/heads/master", Some(master.clone())),
        (
            "heads/release-1.0",
            sim.resolve_ref(&repo(), Some("release-1.0")).ok(),
        ),
        (
            "tags/v1.0",
            sim.resolve_ref(&repo(), Some("release-1.0")).ok(),
        ),
        ("pull/1/head", Some(head.clone())),
        ("master", None),
        ("heads/nope", None),
    ];
    for (reference, want) in refs {
        let got = sim.get_ref(&repo(), reference).await;
        match want {
            Some(sha) => assert_eq!(got.unwrap(), sha, "{reference}"),
            None => assert_eq!(kind(&got.unwrap_err()), "404", "{reference}"),
        }
    }
    let short = &head[..10];
    let files = [
        ("OWNERS", None, Ok("approvers:\n- alice\n")),
        ("/OWNERS", Some("master"), Ok("approvers:\n- alice\n")),
        ("OWNERS", Some(head.as_str()), Ok("new\n")),
        ("OWNERS", Some(short), Ok("new\n")),
        ("OWNERS", Some("refs/pull/1/head"), Ok("new\n")),
        ("VERSION", Some("v1.0"), Ok("1.0\n")),
        ("VERSION", None, Err("404")),
        ("docs", None, Err("404")),
        ("OWNERS", Some("no-such-branch"), Err("404")),
    ];
    for (path, commitish, want) in files {
        let got = sim.get_file(&repo(), path, commitish).await;
        match want {
            Ok(text) => assert_eq!(got.unwrap(), text.as_bytes(), "{path}@{commitish:?}"),
            Err(code) => assert_eq!(kind(&got.unwrap_err()), code, "{path}@{commitish:?}"),
        }
    }
    let deletes = [
        ("heads/release-1.0", "ok"),
        ("heads/release-1.0", "422"),
        ("tags/v1.0", "ok"),
        ("heads/master", "422"),
        ("bogus", "422"),
    ];
    for (reference, want) in deletes {
        assert_eq!(
            outcome(&sim.delete_ref(&repo(), reference).await),
            want,
            "{reference}"
        );
    }
    assert_eq!(
        kind(
            &sim.client_as("dave")
                .delete_ref(&repo(), "heads/master")
                .await
                .unwrap_err()
        ),
        "403"
    );
    assert!(!sim.branches(&repo()).unwrap().contains_key("release-1.0"));
}

#[tokio::test]
async fn collaborators_members_and_permissions() {
    let sim = world();
    let personal = RepoName::new("someone", "personal");
    let cases = [
        // (repo, login, permission, collaborator)
        (repo(), "carol", Permission::Admin, true),
        (repo(), "alice", Permission::Write, true),
        (repo(), "bob", Permission::Write, true),
        (repo(), "erin", Permission::Write, true),
        (repo(), "dave", Permission::None, false),
        (repo(), BOT, Permission::Admin, true),
        (
            RepoName::new("kubernetes", "website"),
            "alice",
            Permission::Read,
            true,
        ),
        (personal.clone(), "someone", Permission::Admin, true),
        (personal, "alice", Permission::None, false),
    ];
    for (name, login, permission, collaborator) in cases {
        assert_eq!(
            sim.get_user_permission(&name, login).await.unwrap(),
            permission,
            "{name} {login}"
        );
        assert_eq!(
            sim.is_collaborator(&name, login).await.unwrap(),
            collaborator,
            "{name} {login}"
        );
    }
    assert_eq!(
        kind(
            &sim.get_user_permission(&repo(), "nobody")
                .await
                .unwrap_err()
        ),
        "404"
    );
    assert_eq!(
        kind(
            &sim.get_user_permission(&RepoName::new("a", "b"), "alice")
                .await
                .unwrap_err()
        ),
        "404"
    );
    assert!(
        !sim.is_collaborator(&RepoName::new("a", "b"), "alice")
            .await
            .unwrap()
    );

    let members = [
        ("kubernetes", "alice", true),
        ("kubernetes", "carol", true),
        ("Kubernetes", "ALICE", true),
        ("kubernetes", "dave", false),
        ("nope", "alice", false),
    ];
    for (org, login, want) in members {
        assert_eq!(
            sim.is_member(org, login).await.unwrap(),
            want,
            "{org} {login}"
        );
    }

    let teams: Vec<String> = sim
        .list_teams("kubernetes")
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.slug)
        .collect();
    assert_eq!(teams, ["empty", "sig-testing"]);
    assert_eq!(kind(&sim.list_teams("nope").await.unwrap_err()), "404");
    let roles = [
        (TeamRole::All, vec!["alice", "bob"]),
        (TeamRole::Maintainer, vec!["bob"]),
        (TeamRole::Member, vec!["alice"]),
    ];
    for (role, want) in roles {
        let got: Vec<String> = sim
            .list_team_members("kubernetes", "sig-testing", role)
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.login)
            .collect();
        assert_eq!(got, want, "{role:?}");
    }
    assert_eq!(
        kind(
            &sim.list_team_members("kubernetes", "nope", TeamRole::All)
                .await
                .unwrap_err()
        ),
        "404"
    );
}

#[tokio::test]
async fn milestones() {
    let sim = world();
    let issue = sim
        .open_issue_as("dave", &repo(), "Bug", "", &[], &[])
        .unwrap();
    let open: Vec<String> = sim
        .list_milestones(&repo())
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.title)
        .collect();
    assert_eq!(open, ["v1.0"], "only open milestones are listed");
    assert_eq!(sim.milestones(&repo()).unwrap().len(), 2);
    let cases = [
        (Some(1), "ok"),
        (Some(2), "ok"),
        (Some(9), "422"),
        (None, "ok"),
        (None, "ok"),
    ];
    for (milestone, want) in cases {
        let got = match milestone {
            Some(m) => sim.set_milestone(&repo(), issue, m).await,
            None => sim.clear_milestone(&repo(), issue).await,
        };
        assert_eq!(outcome(&got), want, "{milestone:?}");
    }
    assert_eq!(sim.issue(&repo(), issue).unwrap().milestone, None);
    sim.set_milestone(&repo(), issue, 1).await.unwrap();
    assert_eq!(
        sim.issue(&repo(), issue).unwrap().milestone.unwrap().title,
        "v1.0"
    );
    assert_eq!(
        kind(&sim.set_milestone(&repo(), 99, 1).await.unwrap_err()),
        "404"
    );
    assert_eq!(
        kind(
            &sim.list_milestones(&RepoName::new("a", "b"))
                .await
                .unwrap_err()
        ),
        "404"
    );
}

#[tokio::test]
async fn graphql_answers_in_memory_too() {
    let sim = world();
    let data = sim
        .graphql("query { viewer { login } }", serde_json::json!({}))
        .await
        .unwrap();
    assert_eq!(data, serde_json::json!({ "viewer": { "login": BOT } }));
    let err = sim
        .graphql("query { nope }", serde_json::json!({}))
        .await
        .unwrap_err();
    assert_eq!(kind(&err), "422");
}

#[tokio::test]
async fn private_repositories_hide_from_outsiders() {
    let sim = world();
    sim.set_private(&repo(), true).unwrap();
    let dave = sim.client_as("dave");
    let pr = open_pr(&sim, "alice", "f", "a");
    assert_eq!(
        kind(&dave.create_comment(&repo(), pr, "hi").await.unwrap_err()),
        "404"
    );
    sim.client_as("alice")
        .create_comment(&repo(), pr, "hi")
        .await
        .unwrap();
    assert_eq!(
        sim.repo(&repo()).unwrap().visibility.as_deref(),
        Some("private")
    );
}

#[tokio::test]
async fn locked_conversations_take_only_writers() {
    let sim = world();
    let issue = sim
        .open_issue_as("dave", &repo(), "Bug", "", &[], &[])
        .unwrap();
    sim.set_locked(&repo(), issue, true).unwrap();
    assert_eq!(
        kind(&sim.comment_as("dave", &repo(), issue, "hey").unwrap_err()),
        "403"
    );
    sim.comment_as("erin", &repo(), issue, "locked for a reason")
        .unwrap();
    assert!(sim.issue(&repo(), issue).unwrap().locked);
}

#[tokio::test]
async fn issue_events_record_who_labeled() {
    let sim = world();
    let pr = open_pr(&sim, "alice", "f", "a");
    sim.add_label(&repo(), pr, "lgtm").await.unwrap();
    sim.add_label_as("bob", &repo(), pr, "approved").unwrap();
    sim.remove_label(&repo(), pr, "lgtm").await.unwrap();
    let events = sim.list_issue_events(&repo(), pr).await.unwrap();
    let got: Vec<(&str, &str, &str)> = events
        .iter()
        .map(|e| {
            let label = e.label.as_ref().map_or("", |l| l.name.as_str());
            (e.event.as_str(), e.actor.login.as_str(), label)
        })
        .collect();
    assert_eq!(
        got,
        [
            ("labeled", BOT, "lgtm"),
            ("labeled", "bob", "approved"),
            ("unlabeled", BOT, "lgtm"),
        ]
    );
    assert!(events.iter().all(|e| e.created_at.is_some()));
    assert_eq!(
        kind(&sim.list_issue_events(&repo(), 99).await.unwrap_err()),
        "404"
    );
}

#[tokio::test]
async fn review_comments_list_per_pull_request() {
    let sim = world();
    let first = open_pr(&sim, "alice", "f", "a.txt");
    let second = open_pr(&sim, "alice", "g", "b.txt");
    sim.review_comment_as("bob", &repo(), first, "a.txt", 1, "/approve")
        .unwrap();
    sim.review_comment_as("dave", &repo(), second, "b.txt", 1, "typo")
        .unwrap();
    let got = sim
        .list_pull_request_comments(&repo(), first)
        .await
        .unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(
        (
            got[0].user.login.as_str(),
            got[0].body.as_str(),
            got[0].path.as_str()
        ),
        ("bob", "/approve", "a.txt")
    );
    assert!(got[0].html_url.contains("#discussion_r"));
    assert_eq!(
        kind(
            &sim.list_pull_request_comments(&repo(), 99)
                .await
                .unwrap_err()
        ),
        "404"
    );
}
