//! Fault knobs: latency in tokio time, deterministic failures, rate limits.

use std::time::Duration;

use prow_core::github::GitHubClient;
use tokio::time::Instant;

use super::super::{Faults, PrimaryRateLimit, RateLimitStatus, SecondaryRateLimit};
use super::{kind, outcome, repo, world};

#[tokio::test(start_paused = true)]
async fn latency_is_slept_in_tokio_time() {
    let sim = world();
    sim.update_faults(|f| f.latency = Duration::from_millis(250));
    let start = Instant::now();
    sim.get_repo_labels(&repo()).await.unwrap();
    sim.create_issue(&repo(), "t", "", &[], &[]).await.unwrap();
    assert_eq!(start.elapsed(), Duration::from_millis(500));
    // The world's own moves are not slowed down.
    let start = Instant::now();
    sim.comment_as("alice", &repo(), 1, "hi").unwrap();
    assert_eq!(start.elapsed(), Duration::ZERO);
}

#[tokio::test]
async fn every_nth_call_fails() {
    let sim = world();
    sim.set_faults(Faults {
        fail_every: 3,
        ..Faults::default()
    });
    let mut got = Vec::new();
    for _ in 0..7 {
        got.push(outcome(&sim.get_repo_labels(&repo()).await));
    }
    assert_eq!(got, ["ok", "ok", "502", "ok", "ok", "502", "ok"]);
}

#[tokio::test]
async fn the_next_calls_of_some_methods_fail() {
    let sim = world();
    let issue = sim
        .open_issue_as("alice", &repo(), "t", "", &[], &[])
        .unwrap();
    sim.set_faults(Faults {
        fail_next: 2,
        failure_status: 503,
        methods: vec!["create_comment".into()],
        ..Faults::default()
    });
    let mut got = Vec::new();
    for _ in 0..3 {
        got.push(outcome(&sim.get_issue(&repo(), issue).await));
        got.push(outcome(
            &sim.create_comment(&repo(), issue, "retry me").await,
        ));
    }
    assert_eq!(got, ["ok", "503", "ok", "503", "ok", "ok"]);
    assert_eq!(sim.comments(&repo(), issue), ["retry me"]);
    assert_eq!(sim.faults().fail_next, 0);
    assert_eq!(sim.request_count(), 6);
}

#[tokio::test(start_paused = true)]
async fn primary_rate_limit_resets_with_its_window() {
    let sim = world();
    sim.set_faults(Faults {
        primary_rate_limit: Some(PrimaryRateLimit {
            limit: 3,
            window: Duration::from_secs(60),
        }),
        ..Faults::default()
    });
    let status = |remaining, reset| RateLimitStatus {
        limit: 3,
        remaining,
        reset_in: Duration::from_secs(reset),
    };
    assert_eq!(sim.rate_limit(), Some(status(3, 60)));
    for _ in 0..3 {
        sim.get_repo_labels(&repo()).await.unwrap();
    }
    assert_eq!(sim.rate_limit(), Some(status(0, 60)));
    let err = sim.get_repo_labels(&repo()).await.unwrap_err();
    assert_eq!(kind(&err), "rate limited Some(60)");
    tokio::time::advance(Duration::from_secs(45)).await;
    let err = sim
        .create_issue(&repo(), "t", "", &[], &[])
        .await
        .unwrap_err();
    assert_eq!(kind(&err), "rate limited Some(15)");
    assert!(sim.calls().is_empty(), "refused calls never reached GitHub");
    tokio::time::advance(Duration::from_secs(15)).await;
    sim.get_repo_labels(&repo()).await.unwrap();
    assert_eq!(sim.rate_limit(), Some(status(2, 60)));
}

#[tokio::test(start_paused = true)]
async fn secondary_rate_limit_applies_to_writes() {
    let sim = world();
    let issue = sim
        .open_issue_as("alice", &repo(), "t", "", &[], &[])
        .unwrap();
    sim.set_faults(Faults {
        secondary_rate_limit: Some(SecondaryRateLimit {
            limit: 2,
            window: Duration::from_secs(60),
            retry_after: Duration::from_secs(30),
        }),
        ..Faults::default()
    });
    let mut got = Vec::new();
    for _ in 0..3 {
        got.push(outcome(&sim.create_comment(&repo(), issue, "spam").await));
        got.push(outcome(&sim.get_issue(&repo(), issue).await));
    }
    assert_eq!(got, ["ok", "ok", "ok", "ok", "rate limited Some(30)", "ok"]);
    tokio::time::advance(Duration::from_secs(60)).await;
    sim.create_comment(&repo(), issue, "later").await.unwrap();
    assert_eq!(sim.rate_limit(), None, "no primary limit set");
}

#[tokio::test]
async fn faults_can_be_turned_off_again() {
    let sim = world();
    sim.update_faults(|f| f.fail_every = 1);
    assert_eq!(kind(&sim.bot_user().await.unwrap_err()), "502");
    sim.set_faults(Faults::default());
    sim.bot_user().await.unwrap();
}
