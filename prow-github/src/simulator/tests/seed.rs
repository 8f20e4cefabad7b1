//! Seeds: the documented example loads into the world it describes; bad seeds name their
//! failing step.

use prow_core::event::ReviewState;
use prow_core::github::{GitHubClient, Permission, RepoName, TeamRole};

use super::super::{Seed, SeedError, Simulator};
use super::kind;

const EXAMPLE: &str = include_str!("../../../simulator-seed.example.yaml");

#[tokio::test]
async fn the_example_seed_loads() {
    let sim = Simulator::from_seed_yaml(EXAMPLE).unwrap();
    let repo = RepoName::new("kubernetes", "test-infra");
    assert_eq!(sim.bot_login(), "k8s-ci-robot");
    assert!(sim.webhooks().is_empty() && sim.calls().is_empty());
    assert_eq!(
        sim.user("alice").unwrap().name.as_deref(),
        Some("Alice Liddell")
    );

    // Organisation, teams, permissions.
    assert!(sim.is_member("kubernetes", "bob").await.unwrap());
    assert!(!sim.is_member("kubernetes", "dave").await.unwrap());
    let maintainers: Vec<String> = sim
        .list_team_members("kubernetes", "sig-testing", TeamRole::Maintainer)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.login)
        .collect();
    assert_eq!(maintainers, ["bob"]);
    let permissions = [
        ("alice", Permission::Write),
        ("carol", Permission::Admin),
        ("erin", Permission::Write),
        ("dave", Permission::None),
    ];
    for (login, want) in permissions {
        assert_eq!(sim.permission(&repo, login).unwrap(), want, "{login}");
    }

    // Files and branches.
    let owners = sim.get_file(&repo, "OWNERS", None).await.unwrap();
    assert!(String::from_utf8(owners).unwrap().contains("- bob"));
    assert!(sim.file(&repo, ".gitattributes", Some("master")).is_ok());
    assert_eq!(
        sim.file(&repo, "VERSION", Some("release-1.0")).unwrap(),
        b"1.0.1\n"
    );
    assert_eq!(
        kind(
            &sim.file(&repo, "README.md", Some("release-1.0"))
                .unwrap_err()
        ),
        "404"
    );
    assert_eq!(
        sim.commit(&repo, "heads/release-1.0")
            .unwrap()
            .parents
            .len(),
        1
    );

    // Labels and milestones.
    let labels = sim.repo_labels(&repo).unwrap();
    let lgtm = labels.iter().find(|l| l.name == "lgtm").unwrap();
    assert_eq!(
        (lgtm.color.as_str(), lgtm.description.as_deref()),
        ("15dd18", Some("Looks good to me"))
    );
    assert_eq!(
        labels.iter().find(|l| l.name == "kind/bug").unwrap().color,
        "ededed"
    );
    let milestones: Vec<(String, String)> = sim
        .milestones(&repo)
        .unwrap()
        .into_iter()
        .map(|m| (m.title, m.state))
        .collect();
    assert_eq!(
        milestones,
        [
            ("v1.0".into(), "open".into()),
            ("v0.9".into(), "closed".into())
        ]
    );

    // The open pull request.
    let pr = sim.get_pull_request(&repo, 1).await.unwrap();
    assert_eq!(
        (pr.user.login.as_str(), pr.head.r#ref.as_str()),
        ("alice", "add-test")
    );
    assert_eq!(pr.head.repo.as_ref().unwrap().full_name, "alice/test-infra");
    assert!(pr.has_label("lgtm"));
    assert_eq!(pr.assignees[0].login, "bob");
    let requested: Vec<&str> = pr
        .requested_reviewers
        .iter()
        .map(|u| u.login.as_str())
        .collect();
    assert_eq!(requested, ["erin"]);
    assert_eq!(pr.requested_teams[0].slug, "sig-testing");
    assert_eq!(pr.milestone.as_ref().unwrap().title, "v1.0");
    assert_eq!(pr.mergeable, Some(true));
    assert_eq!(sim.comments(&repo, 1), ["/lgtm"]);
    assert_eq!(
        sim.reviews(&repo, 1).unwrap()[0].state,
        ReviewState::Approved
    );
    let combined = sim.get_combined_status(&repo, &pr.head.sha).await.unwrap();
    assert_eq!(combined.state, "success");

    // The merged one landed on its base.
    let bump = sim.get_pull_request(&repo, 2).await.unwrap();
    assert!(bump.merged);
    assert_eq!(bump.base.r#ref, "release-1.0");
    assert_eq!(
        sim.resolve_ref(&repo, Some("release-1.0")).unwrap(),
        bump.merge_commit_sha.unwrap()
    );

    // Issues: numbered 10 as asked, then the next one.
    let flaky = sim.get_issue(&repo, 10).await.unwrap();
    assert_eq!(
        (flaky.title.as_str(), flaky.user.login.as_str()),
        ("Flaky test", "dave")
    );
    assert!(flaky.has_label("kind/bug") && flaky.is_assignee("alice"));
    assert_eq!(sim.comments(&repo, 10), ["/assign"]);
    let old = sim.get_issue(&repo, 11).await.unwrap();
    assert_eq!(old.state, "closed");
    assert_eq!(kind(&sim.get_issue(&repo, 3).await.unwrap_err()), "404");

    // The second repository got the defaults.
    let website = sim.repo(&RepoName::new("kubernetes", "website")).unwrap();
    assert_eq!(website.default_branch, "main");

    // Required checks hold: the seeded pull request may merge, a new one may not.
    let unchecked = sim
        .open_pull_request(&repo, "alice", "Unchecked", "", "unchecked", [("u", "u")])
        .unwrap();
    let err = sim
        .merge(&repo, unchecked, &Default::default())
        .await
        .unwrap_err();
    assert_eq!(kind(&err), "405");
    sim.merge(&repo, 1, &Default::default()).await.unwrap();
}

#[test]
fn an_empty_seed_is_an_empty_world() {
    let sim = Simulator::from_seed_yaml("").unwrap();
    assert_eq!(sim.bot_login(), Simulator::DEFAULT_BOT);
    assert!(sim.repos().is_empty());
    let sim = Simulator::from_seed(&Seed {
        bot: "my-bot".into(),
        ..Seed::default()
    })
    .unwrap();
    assert_eq!(sim.bot_login(), "my-bot");
}

#[test]
fn bad_seeds_name_the_failing_step() {
    let cases = [
        ("repos: [{name: not-a-repo}]", "repo not-a-repo: name"),
        (
            "repos: [{name: o/r, issues: [{author: a, title: t, milestone: nope}]}]",
            "repo o/r: issue \"t\"",
        ),
        (
            "repos: [{name: o/r, issues: [{author: a, title: one}, {number: 1, author: a, title: two}]}]",
            "repo o/r: issue \"two\"",
        ),
        (
            "repos: [{name: o/r, pull_requests: [{author: a, title: t, state: weird, files: {x: y}}]}]",
            "repo o/r: pull request \"t\"",
        ),
        (
            "repos: [{name: o/r, pull_requests: [{author: a, title: empty}]}]",
            "repo o/r: pull request \"empty\"",
        ),
        (
            "repos: [{name: o/r, issues: [{author: a, title: t, assignees: [stranger]}]}]",
            "repo o/r: issue \"t\"",
        ),
        ("repos: [{name: o/r}, {name: o/r}]", "repo o/r: create"),
    ];
    for (yaml, want) in cases {
        match Simulator::from_seed_yaml(yaml) {
            Err(SeedError::Step { step, .. }) => assert_eq!(step, want, "{yaml}"),
            other => panic!("{yaml}: {other:?}"),
        }
    }
    assert!(matches!(
        Simulator::from_seed_yaml("repos: {not: a list}"),
        Err(SeedError::Yaml(_))
    ));
}
