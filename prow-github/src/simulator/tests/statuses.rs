//! Commit statuses (latest per context wins, GitHub's combined state) and check runs.

use prow_core::github::{GitHubClient, Status};

use super::super::NewCheckRun;
use super::super::refs::combined_state;
use super::{Call, kind, open_pr, outcome, repo, world};

fn status(context: &str, state: &str) -> Status {
    Status {
        state: state.to_owned(),
        target_url: format!("https://prow.example/{context}"),
        description: format!("{context} is {state}"),
        context: context.to_owned(),
    }
}

#[test]
fn combined_state_rules() {
    let cases: [(&[&str], &str); 8] = [
        (&[], "pending"),
        (&["success"], "success"),
        (&["success", "success"], "success"),
        (&["success", "pending"], "pending"),
        (&["pending", "failure"], "failure"),
        (&["success", "error"], "failure"),
        (&["error"], "failure"),
        (&["pending"], "pending"),
    ];
    for (states, want) in cases {
        assert_eq!(combined_state(states.iter().copied()), want, "{states:?}");
    }
}

#[tokio::test]
async fn latest_status_per_context_wins() {
    let sim = world();
    let pr = open_pr(&sim, "alice", "f", "a");
    let head = sim.pull_request(&repo(), pr).unwrap().head.sha;
    let steps = [
        (status("unit", "pending"), "pending"),
        (status("lint", "success"), "pending"),
        (status("unit", "failure"), "failure"),
        (status("unit", "success"), "success"),
        (status("e2e", "error"), "failure"),
        (status("e2e", "success"), "success"),
    ];
    for (set, want) in steps {
        sim.create_status(&repo(), &head, &set).await.unwrap();
        let combined = sim.get_combined_status(&repo(), &head).await.unwrap();
        assert_eq!(combined.state, want, "after {} {}", set.context, set.state);
    }
    let combined = sim
        .get_combined_status(&repo(), "pull/1/head")
        .await
        .unwrap();
    assert_eq!(combined.sha, head);
    let got: Vec<(&str, &str)> = combined
        .statuses
        .iter()
        .map(|s| (s.context.as_str(), s.state.as_str()))
        .collect();
    assert_eq!(
        got,
        [("unit", "success"), ("lint", "success"), ("e2e", "success")]
    );
    assert_eq!(combined.statuses[0].description, "unit is success");
    assert_eq!(sim.statuses(&repo(), &head).unwrap().len(), 6);
    assert_eq!(
        sim.statuses(&repo(), &head).unwrap()[0],
        status("e2e", "success")
    );
    // No statuses yet: pending.
    let master = sim.get_combined_status(&repo(), "master").await.unwrap();
    assert_eq!(
        (master.state.as_str(), master.statuses.len()),
        ("pending", 0)
    );
}

#[tokio::test]
async fn create_status_errors() {
    let sim = world();
    let master = sim.resolve_ref(&repo(), None).unwrap();
    let long = Status {
        description: "x".repeat(141),
        ..status("unit", "success")
    };
    let blank_context = Status {
        context: String::new(),
        ..status("unit", "success")
    };
    let cases = [
        ("ok", master.clone(), status("unit", "success"), "ok"),
        (
            "short sha",
            master[..12].to_owned(),
            status("unit", "success"),
            "ok",
        ),
        ("default context", master.clone(), blank_context, "ok"),
        ("bad state", master.clone(), status("unit", "passed"), "422"),
        ("long description", master.clone(), long, "422"),
        (
            "unknown sha",
            "f".repeat(40),
            status("unit", "success"),
            "422",
        ),
        (
            "a branch is not a sha",
            "master".to_owned(),
            status("unit", "success"),
            "422",
        ),
    ];
    for (name, sha, set, want) in cases {
        assert_eq!(
            outcome(&sim.create_status(&repo(), &sha, &set).await),
            want,
            "{name}"
        );
    }
    let contexts: Vec<String> = sim
        .combined_status(&repo(), &master)
        .unwrap()
        .statuses
        .into_iter()
        .map(|s| s.context)
        .collect();
    assert_eq!(contexts, ["unit", "default"]);
    let outsider = sim.client_as("dave");
    let err = outsider
        .create_status(&repo(), &master, &status("x", "success"))
        .await
        .unwrap_err();
    assert_eq!(kind(&err), "403");
    assert_eq!(
        kind(&sim.get_combined_status(&repo(), "nope").await.unwrap_err()),
        "404"
    );
    // Every attempt is in the call log, refusals with their error.
    let calls = sim.take_calls();
    assert_eq!(calls.len(), 8);
    assert!(calls.iter().all(|c: &Call| c.method() == "create_status"));
    assert_eq!(calls.iter().filter(|c| c.error.is_some()).count(), 5);
}

#[tokio::test]
async fn check_runs_by_ref() {
    let sim = world();
    let pr = open_pr(&sim, "alice", "f", "a");
    let head = sim.pull_request(&repo(), pr).unwrap().head.sha;
    let run = NewCheckRun {
        name: "build".into(),
        status: "in_progress".into(),
        ..Default::default()
    };
    let id = sim
        .create_check_run("ci-app[bot]", &repo(), &head, &run)
        .unwrap();
    let done = NewCheckRun {
        name: "lint".into(),
        status: "completed".into(),
        conclusion: Some("success".into()),
        ..Default::default()
    };
    sim.create_check_run("ci-app[bot]", &repo(), &head, &done)
        .unwrap();
    sim.complete_check_run("ci-app[bot]", &repo(), id, "failure")
        .unwrap();
    let runs = sim.list_check_runs(&repo(), "pull/1/head").await.unwrap();
    let got: Vec<(&str, &str, Option<&str>)> = runs
        .iter()
        .map(|r| (r.name.as_str(), r.status.as_str(), r.conclusion.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            ("build", "completed", Some("failure")),
            ("lint", "completed", Some("success"))
        ]
    );
    assert!(
        sim.list_check_runs(&repo(), "master")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        kind(&sim.list_check_runs(&repo(), "nope").await.unwrap_err()),
        "404"
    );
    let names: Vec<String> = sim
        .take_webhooks()
        .iter()
        .filter(|w| w.event_type == "check_run")
        .map(|w| w.action().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(names, ["created", "created", "completed", "completed"]);
    assert_eq!(sim.user("ci-app[bot]").unwrap().user_type, "Bot");
}
