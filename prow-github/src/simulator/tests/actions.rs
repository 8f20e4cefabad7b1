//! GitHub Actions workflow runs: GitHub's filters, approval of runs awaiting it, re-runs of
//! failed jobs, their errors, the call log and the fault knobs.

use prow_core::github::{GitHubClient, WorkflowRun, WorkflowRunFilter};

use super::super::{Action, Call, Faults};
use super::{BOT, kind, outcome, repo, world};

fn run(id: u64, event: &str, branch: &str, status: &str, conclusion: Option<&str>) -> WorkflowRun {
    WorkflowRun {
        id,
        name: format!("run {id}"),
        status: status.into(),
        conclusion: conclusion.map(Into::into),
        head_sha: "abc123".into(),
        head_branch: branch.into(),
        event: event.into(),
    }
}

fn ids(runs: &[WorkflowRun]) -> Vec<u64> {
    runs.iter().map(|r| r.id).collect()
}

#[tokio::test]
async fn workflow_runs_are_listed_newest_first_with_githubs_filters() {
    let sim = world();
    for seeded in [
        run(1, "pull_request", "feature", "action_required", None),
        run(
            2,
            "pull_request_target",
            "feature",
            "completed",
            Some("failure"),
        ),
        run(
            3,
            "workflow_call",
            "feature",
            "completed",
            Some("action_required"),
        ),
        run(4, "push", "master", "in_progress", None),
        WorkflowRun {
            head_sha: "def456".into(),
            ..run(5, "pull_request", "feature", "completed", Some("success"))
        },
    ] {
        sim.add_workflow_run(&repo(), seeded).unwrap();
    }
    let filter =
        |head_sha: Option<&str>, events: &[&str], status: Option<&str>| WorkflowRunFilter {
            head_sha: head_sha.map(Into::into),
            branch: Some("feature".into()),
            events: events.iter().map(|e| e.to_string()).collect(),
            status: status.map(Into::into),
        };
    let cases: [(&str, WorkflowRunFilter, &[u64]); 6] = [
        ("everything", WorkflowRunFilter::default(), &[5, 4, 3, 2, 1]),
        ("branch only", filter(None, &[], None), &[5, 3, 2, 1]),
        ("one head", filter(Some("abc123"), &[], None), &[3, 2, 1]),
        (
            "events joined",
            filter(
                Some("abc123"),
                &["pull_request", "pull_request_target"],
                None,
            ),
            &[2, 1],
        ),
        (
            "status matches status or conclusion",
            filter(Some("abc123"), &[], Some("action_required")),
            &[3, 1],
        ),
        ("unknown head", filter(Some("0000"), &[], None), &[]),
    ];
    for (name, filter, want) in cases {
        let got = sim.list_workflow_runs(&repo(), &filter).await.unwrap();
        assert_eq!(ids(&got), want, "{name}");
    }
    let missing = prow_core::github::RepoName::new("kubernetes", "nope");
    let err = sim
        .list_workflow_runs(&missing, &WorkflowRunFilter::default())
        .await
        .unwrap_err();
    assert_eq!(kind(&err), "404");
    // Reads are not logged.
    assert!(sim.take_calls().is_empty());
}

#[tokio::test]
async fn approving_queues_a_run_awaiting_approval_only() {
    let sim = world();
    sim.add_workflow_run(
        &repo(),
        run(1, "pull_request", "f", "action_required", None),
    )
    .unwrap();
    sim.add_workflow_run(
        &repo(),
        run(2, "pull_request", "f", "completed", Some("action_required")),
    )
    .unwrap();
    sim.add_workflow_run(
        &repo(),
        run(3, "pull_request", "f", "completed", Some("failure")),
    )
    .unwrap();
    let cases = [
        ("pending status", BOT, 1, "ok"),
        ("approved already", BOT, 1, "404"),
        ("pending conclusion", BOT, 2, "ok"),
        ("awaits nothing", BOT, 3, "404"),
        ("unknown run", BOT, 9, "404"),
    ];
    for (name, actor, id, want) in cases {
        let got = sim.client_as(actor).approve_workflow_run(&repo(), id).await;
        assert_eq!(outcome(&got), want, "{name}");
    }
    for id in [1, 2] {
        let approved = sim.workflow_run(&repo(), id).unwrap();
        assert_eq!(
            (approved.status.as_str(), approved.conclusion),
            ("queued", None)
        );
    }
    assert_eq!(sim.workflow_run(&repo(), 3).unwrap().status, "completed");
    let calls = sim.take_calls();
    let logged: Vec<(u64, bool)> = calls
        .iter()
        .map(|c| match c.action {
            Action::ApproveWorkflowRun { run_id } => (run_id, c.error.is_some()),
            ref other => panic!("unexpected call {other:?}"),
        })
        .collect();
    assert_eq!(
        logged,
        [(1, false), (1, true), (2, false), (3, true), (9, true)]
    );
    // Approving needs write access.
    sim.add_workflow_run(
        &repo(),
        run(4, "pull_request", "f", "action_required", None),
    )
    .unwrap();
    let err = sim
        .client_as("dave")
        .approve_workflow_run(&repo(), 4)
        .await
        .unwrap_err();
    assert_eq!(kind(&err), "403");
    assert_eq!(
        sim.workflow_run(&repo(), 4).unwrap().status,
        "action_required"
    );
}

#[tokio::test]
async fn rerunning_failed_jobs_queues_a_completed_run() {
    let sim = world();
    for (id, status, conclusion) in [
        (1, "completed", Some("failure")),
        (2, "completed", Some("cancelled")),
        (3, "in_progress", None),
    ] {
        sim.add_workflow_run(&repo(), run(id, "pull_request", "f", status, conclusion))
            .unwrap();
    }
    let cases = [
        ("failed", 1, "ok"),
        ("cancelled", 2, "ok"),
        ("queued again", 1, "403"),
        ("running", 3, "403"),
        ("unknown", 9, "404"),
    ];
    for (name, id, want) in cases {
        let got = sim.rerun_failed_workflow_jobs(&repo(), id).await;
        assert_eq!(outcome(&got), want, "{name}");
    }
    for id in [1, 2] {
        let rerun = sim.workflow_run(&repo(), id).unwrap();
        assert_eq!((rerun.status.as_str(), rerun.conclusion), ("queued", None));
    }
    assert_eq!(
        sim.take_calls()[..2],
        [
            Call::new(
                BOT,
                &repo(),
                None,
                Action::RerunFailedWorkflowJobs { run_id: 1 }
            ),
            Call::new(
                BOT,
                &repo(),
                None,
                Action::RerunFailedWorkflowJobs { run_id: 2 }
            ),
        ]
    );
}

#[tokio::test]
async fn seeded_runs_get_ids_and_keep_them_unique() {
    let sim = world();
    let id = sim
        .add_workflow_run(&repo(), run(0, "pull_request", "f", "queued", None))
        .unwrap();
    assert_ne!(id, 0);
    assert_eq!(sim.workflow_run(&repo(), id).unwrap().name, "run 0");
    let err = sim
        .add_workflow_run(&repo(), run(id, "push", "f", "queued", None))
        .unwrap_err();
    assert_eq!(kind(&err), "422");
    assert_eq!(ids(&sim.workflow_runs(&repo()).unwrap()), [id]);
    let missing = prow_core::github::RepoName::new("kubernetes", "nope");
    assert_eq!(
        kind(
            &sim.add_workflow_run(&missing, run(0, "push", "f", "queued", None))
                .unwrap_err()
        ),
        "404"
    );
}

#[tokio::test]
async fn workflow_run_calls_pass_the_fault_knobs() {
    let sim = world();
    sim.add_workflow_run(
        &repo(),
        run(1, "pull_request", "f", "action_required", None),
    )
    .unwrap();
    sim.set_faults(Faults {
        fail_next: 2,
        methods: vec!["list_workflow_runs".into(), "approve_workflow_run".into()],
        ..Faults::default()
    });
    let listed = sim
        .list_workflow_runs(&repo(), &WorkflowRunFilter::default())
        .await;
    assert_eq!(outcome(&listed), "502");
    assert_eq!(outcome(&sim.approve_workflow_run(&repo(), 1).await), "502");
    // Refused calls never reached GitHub: nothing changed, nothing logged.
    assert_eq!(
        sim.workflow_run(&repo(), 1).unwrap().status,
        "action_required"
    );
    assert!(sim.take_calls().is_empty());
    assert_eq!(outcome(&sim.approve_workflow_run(&repo(), 1).await), "ok");
}
