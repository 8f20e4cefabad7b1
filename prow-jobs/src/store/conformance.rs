//! The behaviour every [`JobStore`] must have, as one check: run it against your own store in
//! a test. Every store prow-rs ships passes it.

use std::time::Duration;

use prow_core::prowjob::{ProwJob, ProwJobState, ProwJobType};
use prow_core::traits::{JobSelector, JobStore, JobWatch, StoreError, WatchEvent};

/// How long a watch may take to show a change before the check fails.
const WATCH_PATIENCE: Duration = Duration::from_secs(30);

/// A job as trigger would create it, with fields a lossy store would drop.
pub fn sample_job(name: &str, job: &str, job_type: &str, state: &str) -> ProwJob {
    let raw = serde_json::json!({
        "apiVersion": "prow.k8s.io/v1",
        "kind": "ProwJob",
        "metadata": {
            "name": name,
            "namespace": "default",
            "labels": {
                "created-by-prow": "true",
                "prow.k8s.io/job": job,
                "prow.k8s.io/type": job_type,
                "prow.k8s.io/refs.org": "kubernetes",
                "prow.k8s.io/refs.repo": "test-infra",
            },
            "annotations": { "prow.k8s.io/job": job },
            "someFutureMetadataField": { "kept": true },
        },
        "spec": {
            "type": job_type,
            "agent": "kubernetes",
            "cluster": "default",
            "namespace": "test-pods",
            "job": job,
            "refs": {
                "org": "kubernetes",
                "repo": "test-infra",
                "base_ref": "master",
                "base_sha": "0123456789abcdef0123456789abcdef01234567",
                "pulls": [{ "number": 42, "author": "alice", "sha": "89abcdef" }],
            },
            "report": true,
            "context": format!("pull-{job}"),
            "rerun_command": format!("/test {job}"),
            "pod_spec": { "containers": [{ "image": "alpine", "command": ["true"] }] },
        },
        "status": {
            "startTime": "2026-01-02T03:04:05Z",
            "state": state,
            "description": "Job triggered.",
        },
    });
    serde_json::from_value(raw).expect("the sample ProwJob is valid")
}

/// Checks `store`, which must start empty, for the behaviour [`JobStore`] documents:
/// create, get, list by every selector field, optimistic concurrency on update, delete, and
/// a watch that sees every change in order. Panics with what went wrong.
pub async fn check_store(store: &dyn JobStore) {
    let mut watch = store.watch().await.expect("watch opens");

    // create
    let first = sample_job("conformance-a", "unit", "presubmit", "triggered");
    let created = store.create(first.clone()).await.expect("create");
    assert!(
        !created.metadata.resource_version.is_empty(),
        "create sets metadata.resourceVersion"
    );
    assert!(
        created.metadata.creation_timestamp.is_some(),
        "create sets metadata.creationTimestamp"
    );
    let mut expected = first.clone();
    expected.metadata.resource_version = created.metadata.resource_version.clone();
    expected.metadata.creation_timestamp = created.metadata.creation_timestamp;
    assert_eq!(
        without_server_fields(created.clone()),
        without_server_fields(expected),
        "create returns the job as given, plus server fields"
    );
    match store.create(first.clone()).await {
        Err(StoreError::AlreadyExists(name)) => assert_eq!(name, "conformance-a"),
        other => panic!("a second create of one name must be AlreadyExists, got {other:?}"),
    }
    let mut unnamed = first.clone();
    unnamed.metadata.name.clear();
    assert!(
        matches!(store.create(unnamed).await, Err(StoreError::Invalid(_))),
        "a job without a name is Invalid"
    );

    // get: lossless, unknown fields included
    let got = store.get("conformance-a").await.expect("get");
    assert_eq!(got, created, "get returns exactly what create stored");
    assert!(
        got.metadata.extra.contains_key("someFutureMetadataField"),
        "unknown fields survive the store"
    );
    assert!(matches!(
        store.get("conformance-missing").await,
        Err(StoreError::NotFound(_))
    ));

    // list
    store
        .create(sample_job("conformance-b", "e2e", "presubmit", "pending"))
        .await
        .expect("create b");
    store
        .create(sample_job(
            "conformance-c",
            "nightly",
            "periodic",
            "success",
        ))
        .await
        .expect("create c");
    let names = |jobs: Vec<ProwJob>| {
        let mut names: Vec<String> = jobs.into_iter().map(|j| j.metadata.name).collect();
        names.sort();
        names
    };
    let all = store.list(&JobSelector::default()).await.expect("list all");
    assert_eq!(
        names(all),
        ["conformance-a", "conformance-b", "conformance-c"]
    );
    let by_job = JobSelector {
        job: Some("e2e".into()),
        ..Default::default()
    };
    assert_eq!(names(store.list(&by_job).await.unwrap()), ["conformance-b"]);
    let by_type = JobSelector {
        job_type: Some(ProwJobType::Presubmit),
        ..Default::default()
    };
    assert_eq!(
        names(store.list(&by_type).await.unwrap()),
        ["conformance-a", "conformance-b"]
    );
    let by_state = JobSelector {
        state: Some(ProwJobState::Success),
        ..Default::default()
    };
    assert_eq!(
        names(store.list(&by_state).await.unwrap()),
        ["conformance-c"]
    );
    let by_label = JobSelector {
        labels: [("prow.k8s.io/job".to_string(), "unit".to_string())].into(),
        ..Default::default()
    };
    assert_eq!(
        names(store.list(&by_label).await.unwrap()),
        ["conformance-a"]
    );
    let nothing = JobSelector {
        labels: [("prow.k8s.io/job".to_string(), "unit".to_string())].into(),
        state: Some(ProwJobState::Success),
        ..Default::default()
    };
    assert!(store.list(&nothing).await.unwrap().is_empty());

    // update: optimistic concurrency
    let mut pending = got.clone();
    pending.status.state = Some(ProwJobState::Pending);
    pending.status.pod_name = "conformance-a".into();
    let updated = store.update(pending.clone()).await.expect("update");
    assert_ne!(
        updated.metadata.resource_version, got.metadata.resource_version,
        "update changes the resourceVersion"
    );
    assert_eq!(
        store.get("conformance-a").await.unwrap().status.state,
        Some(ProwJobState::Pending)
    );
    match store.update(pending.clone()).await {
        Err(StoreError::Conflict(name)) => assert_eq!(name, "conformance-a"),
        other => panic!("an update from a stale read must be a Conflict, got {other:?}"),
    }
    let mut ghost = pending.clone();
    ghost.metadata.name = "conformance-missing".into();
    assert!(matches!(
        store.update(ghost).await,
        Err(StoreError::NotFound(_))
    ));

    // delete
    store.delete("conformance-b").await.expect("delete");
    assert!(matches!(
        store.get("conformance-b").await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.delete("conformance-b").await,
        Err(StoreError::NotFound(_))
    ));

    // the watch saw all of it, in order
    let seen = [
        next_change(&mut *watch).await,
        next_change(&mut *watch).await,
        next_change(&mut *watch).await,
        next_change(&mut *watch).await,
        next_change(&mut *watch).await,
    ];
    let summary: Vec<(&str, &str)> = seen
        .iter()
        .map(|event| match event {
            WatchEvent::Added(j) => ("added", j.metadata.name.as_str()),
            WatchEvent::Modified(j) => ("modified", j.metadata.name.as_str()),
            WatchEvent::Deleted(j) => ("deleted", j.metadata.name.as_str()),
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("added", "conformance-a"),
            ("added", "conformance-b"),
            ("added", "conformance-c"),
            ("modified", "conformance-a"),
            ("deleted", "conformance-b"),
        ]
    );
    match &seen[3] {
        WatchEvent::Modified(job) => {
            assert_eq!(job, &updated, "a Modified event carries the job as stored")
        }
        other => panic!("expected Modified, got {other:?}"),
    }
}

async fn next_change(watch: &mut dyn JobWatch) -> WatchEvent {
    tokio::time::timeout(WATCH_PATIENCE, watch.next())
        .await
        .expect("the watch shows a change")
        .expect("the watch stays open")
}

fn without_server_fields(mut job: ProwJob) -> ProwJob {
    job.metadata.uid.clear();
    job.metadata.generation = 0;
    job.metadata.managed_fields.clear();
    job
}
