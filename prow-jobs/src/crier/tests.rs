//! Crier's controller tests: upstream's `TestReconcile` table, plus the controller loop
//! (watch, relist, resync), retries, conflicts and tower layers. Time is tokio's paused clock.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use prow_core::prowjob::{ProwJobState, ProwJobType};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::*;
use crate::store::MemoryStore;

/// Hang guard for waits (virtual time: the clock is paused).
const HANG_GUARD: Duration = Duration::from_secs(24 * 3600);

fn job(name: &str, state: Option<ProwJobState>) -> ProwJob {
    let mut job = ProwJob::default();
    job.metadata.name = name.into();
    job.spec.job = name.into();
    job.spec.report = true;
    job.spec.type_ = Some(ProwJobType::Presubmit);
    job.status.state = state;
    job
}

/// What the fake reporter answers, in order; `Reported` once the script runs out.
type Script = Arc<Mutex<VecDeque<Result<ReportOutcome, String>>>>;

/// A reporter that records each report (job name, state) on a channel.
struct FakeReporter {
    name: String,
    should_report: fn(&ProwJob) -> bool,
    script: Script,
    reports: mpsc::UnboundedSender<(String, Option<ProwJobState>)>,
}

#[async_trait]
impl Reporter for FakeReporter {
    fn name(&self) -> &str {
        &self.name
    }
    fn should_report(&self, job: &ProwJob) -> bool {
        (self.should_report)(job)
    }
    async fn report(&self, job: &ProwJob) -> Result<ReportOutcome, ReporterError> {
        let _ = self
            .reports
            .send((job.metadata.name.clone(), job.status.state.clone()));
        let next = self.script.lock().unwrap().pop_front();
        match next {
            None | Some(Ok(ReportOutcome::Reported)) => Ok(ReportOutcome::Reported),
            Some(Ok(other)) => Ok(other),
            Some(Err(msg)) => Err(ReporterError::Failed(msg)),
        }
    }
}

struct Harness {
    store: Arc<MemoryStore>,
    reports: mpsc::UnboundedReceiver<(String, Option<ProwJobState>)>,
    script: Script,
    stop: Option<oneshot::Sender<()>>,
    run: tokio::task::JoinHandle<Result<(), CrierError>>,
}

impl Harness {
    fn start(should_report: fn(&ProwJob) -> bool, configure: impl FnOnce(Crier) -> Crier) -> Self {
        Self::start_on(Arc::new(MemoryStore::new()), should_report, configure)
    }

    fn start_on(
        store: Arc<MemoryStore>,
        should_report: fn(&ProwJob) -> bool,
        configure: impl FnOnce(Crier) -> Crier,
    ) -> Self {
        let (tx, reports) = mpsc::unbounded_channel();
        let script = Script::default();
        let reporter = Arc::new(FakeReporter {
            name: "fakeReporter".into(),
            should_report,
            script: Arc::clone(&script),
            reports: tx,
        });
        let crier = configure(
            Crier::new(store.clone() as Arc<dyn JobStore>)
                .with_reporter(CrierReporter::new(reporter)),
        );
        let (stop, stopped) = oneshot::channel::<()>();
        let run = tokio::spawn(crier.run(async {
            let _ = stopped.await;
        }));
        Harness {
            store,
            reports,
            script,
            stop: Some(stop),
            run,
        }
    }

    async fn next_report(&mut self) -> (String, Option<ProwJobState>) {
        tokio::time::timeout(HANG_GUARD, self.reports.recv())
            .await
            .expect("no report came")
            .expect("reporter gone")
    }

    async fn stop(mut self) -> Vec<(String, Option<ProwJobState>)> {
        let _ = self.stop.take().unwrap().send(());
        self.run.await.unwrap().unwrap();
        let mut rest = Vec::new();
        while let Ok(r) = self.reports.try_recv() {
            rest.push(r);
        }
        rest
    }
}

/// Waits until the stored job's `prev_report_states` has `reporter` at `state`.
async fn recorded(store: &dyn JobStore, name: &str, reporter: &str, state: ProwJobState) {
    tokio::time::timeout(HANG_GUARD, async {
        loop {
            if let Ok(job) = store.get(name).await
                && job.status.prev_report_states.get(reporter) == Some(&state)
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("report state never recorded");
}

fn always(_: &ProwJob) -> bool {
    true
}

fn never(_: &ProwJob) -> bool {
    false
}

// --- upstream's TestReconcile table -------------------------------------------------------

/// One case of upstream's table: the job (absent: none stored), the enablement checker, the
/// reporter's `should_report`, and whether the job is reported and recorded.
struct Case {
    name: &'static str,
    job: Option<ProwJob>,
    enabled: Option<fn(&str, &str) -> bool>,
    should_report: fn(&ProwJob) -> bool,
    expect_report: bool,
}

fn with_refs(mut j: ProwJob, refs: Option<(&str, &str)>, extra: &[(&str, &str)]) -> ProwJob {
    let refs_of = |(org, repo): (&str, &str)| Refs {
        org: org.into(),
        repo: repo.into(),
        ..Refs::default()
    };
    j.spec.refs = refs.map(refs_of);
    j.spec.extra_refs = extra.iter().copied().map(refs_of).collect();
    j
}

fn org_repo_enabled(org: &str, repo: &str) -> bool {
    org == "org" && repo == "repo"
}

fn reconcile_cases() -> Vec<Case> {
    let triggered = || job("foo", Some(ProwJobState::Triggered));
    let mut completed = with_refs(
        job("foo", Some(ProwJobState::Success)),
        None,
        &[("org", "repo")],
    );
    completed.status.completion_time = Some(chrono::Utc::now());
    let mut previously = triggered();
    previously
        .status
        .prev_report_states
        .insert("fakeReporter".into(), ProwJobState::Triggered);
    let mut skip_report = job("foo", None);
    skip_report.spec.report = false;
    vec![
        Case {
            name: "reports/patches known job",
            job: Some(triggered()),
            enabled: None,
            should_report: always,
            expect_report: true,
        },
        Case {
            name: "reports/patches job whose org/repo in refs enabled",
            job: Some(with_refs(triggered(), Some(("org", "repo")), &[])),
            enabled: Some(org_repo_enabled),
            should_report: always,
            expect_report: true,
        },
        Case {
            name: "reports/patches job whose org/repo in extra refs enabled",
            job: Some(with_refs(triggered(), None, &[("org", "repo")])),
            enabled: Some(org_repo_enabled),
            should_report: always,
            expect_report: true,
        },
        Case {
            name: "reports/patches job whose org/repo in extra refs enabled, completed",
            job: Some(completed),
            enabled: Some(org_repo_enabled),
            should_report: always,
            expect_report: true,
        },
        Case {
            name: "reports/patches job whose org/repo in extra refs and refs have conflicting settings",
            job: Some(with_refs(
                triggered(),
                Some(("org", "repo")),
                &[("other-org", "other-repo")],
            )),
            enabled: Some(org_repo_enabled),
            should_report: always,
            expect_report: true,
        },
        Case {
            name: "doesn't reports/patches job whose org/repo is not enabled",
            job: Some(with_refs(triggered(), Some(("org", "repo")), &[])),
            enabled: Some(|_, _| false),
            should_report: always,
            expect_report: false,
        },
        Case {
            name: "doesn't report when it shouldn't",
            job: Some(triggered()),
            enabled: None,
            should_report: never,
            expect_report: false,
        },
        Case {
            name: "doesn't report nonexistent job",
            job: None,
            enabled: None,
            should_report: always,
            expect_report: false,
        },
        Case {
            name: "doesn't report when SkipReport=true (i.e. Spec.Report=false)",
            job: Some(skip_report),
            enabled: None,
            should_report: always,
            expect_report: false,
        },
        Case {
            name: "doesn't report empty job",
            job: Some(job("foo", None)),
            enabled: None,
            should_report: always,
            expect_report: false,
        },
        Case {
            name: "previously-reported job isn't reported",
            job: Some(previously),
            enabled: None,
            should_report: always,
            expect_report: false,
        },
    ]
}

/// A job every case's reporter reports (its name marks it), created after the case's job:
/// with one worker and a first-in-first-out queue, once it is reported the case's job has
/// been dealt with.
fn sentinel() -> ProwJob {
    job("sentinel", Some(ProwJobState::Pending))
}

fn case_filter(case_filter: fn(&ProwJob) -> bool) -> impl Fn(&ProwJob) -> bool + Send + Sync {
    move |j: &ProwJob| j.metadata.name == "sentinel" || case_filter(j)
}

#[tokio::test(start_paused = true)]
async fn reconcile_table() {
    for case in reconcile_cases() {
        let (tx, mut reports) = mpsc::unbounded_channel();
        let reporter = Arc::new(FakeReporter {
            name: "fakeReporter".into(),
            should_report: always,
            script: Script::default(),
            reports: tx,
        });
        let store = Arc::new(MemoryStore::new());
        let mut crier = Crier::new(store.clone() as Arc<dyn JobStore>).with_reporter(
            CrierReporter::new(reporter).with_filter(case_filter(case.should_report)),
        );
        if let Some(enabled) = case.enabled {
            crier = crier.with_enablement(enabled);
        }
        let (stop, stopped) = oneshot::channel::<()>();
        let run = tokio::spawn(crier.run(async {
            let _ = stopped.await;
        }));
        if let Some(j) = &case.job {
            store.create(j.clone()).await.unwrap();
        }
        store.create(sentinel()).await.unwrap();

        let mut seen = Vec::new();
        loop {
            let (name, _) = tokio::time::timeout(HANG_GUARD, reports.recv())
                .await
                .unwrap()
                .unwrap();
            if name == "sentinel" {
                break;
            }
            seen.push(name);
        }
        if case.expect_report {
            assert_eq!(seen, ["foo"], "{}", case.name);
            let state = case.job.as_ref().unwrap().status.state.clone().unwrap();
            recorded(&*store, "foo", "fakeReporter", state).await;
        } else {
            assert!(seen.is_empty(), "{}: reported {seen:?}", case.name);
            if let Ok(stored) = store.get("foo").await {
                assert_eq!(
                    stored.status.prev_report_states,
                    case.job.unwrap().status.prev_report_states,
                    "{}: report state patched",
                    case.name
                );
            }
        }
        let _ = stop.send(());
        run.await.unwrap().unwrap();
    }
}

#[tokio::test(start_paused = true)]
async fn error_is_logged_and_retried_with_backoff() {
    let mut h = Harness::start(always, |c| c);
    h.script
        .lock()
        .unwrap()
        .extend([Err("some-err".to_string()), Err("some-err".to_string())]);
    let start = Instant::now();
    h.store
        .create(job("foo", Some(ProwJobState::Triggered)))
        .await
        .unwrap();
    assert_eq!(h.next_report().await.0, "foo");
    let first = start.elapsed();
    assert_eq!(h.next_report().await.0, "foo");
    assert_eq!(start.elapsed() - first, Duration::from_millis(5));
    assert_eq!(h.next_report().await.0, "foo");
    assert_eq!(start.elapsed() - first, Duration::from_millis(15));
    recorded(&*h.store, "foo", "fakeReporter", ProwJobState::Triggered).await;
    assert!(h.stop().await.is_empty());
}

#[tokio::test(start_paused = true)]
async fn retry_after_requeues_after_that_long_without_recording() {
    let mut h = Harness::start(always, |c| c);
    h.script
        .lock()
        .unwrap()
        .push_back(Ok(ReportOutcome::RetryAfter(Duration::from_secs(60))));
    h.store
        .create(job("foo", Some(ProwJobState::Triggered)))
        .await
        .unwrap();
    assert_eq!(h.next_report().await.0, "foo");
    let asked = Instant::now();
    assert!(
        h.store
            .get("foo")
            .await
            .unwrap()
            .status
            .prev_report_states
            .is_empty()
    );
    assert_eq!(h.next_report().await.0, "foo");
    assert_eq!(asked.elapsed(), Duration::from_secs(60));
    recorded(&*h.store, "foo", "fakeReporter", ProwJobState::Triggered).await;
    h.stop().await;
}

#[tokio::test(start_paused = true)]
async fn each_new_state_is_reported_once() {
    let mut h = Harness::start(always, |c| c);
    let created = h
        .store
        .create(job("foo", Some(ProwJobState::Triggered)))
        .await
        .unwrap();
    assert_eq!(
        h.next_report().await,
        ("foo".into(), Some(ProwJobState::Triggered))
    );
    recorded(&*h.store, "foo", "fakeReporter", ProwJobState::Triggered).await;
    let _ = created;
    let mut j = h.store.get("foo").await.unwrap();
    j.status.state = Some(ProwJobState::Success);
    h.store.update(j).await.unwrap();
    assert_eq!(
        h.next_report().await,
        ("foo".into(), Some(ProwJobState::Success))
    );
    recorded(&*h.store, "foo", "fakeReporter", ProwJobState::Success).await;
    // The update recording the report is itself a change: it must not report again.
    h.store.create(sentinel()).await.unwrap();
    assert_eq!(h.next_report().await.0, "sentinel");
    assert!(h.stop().await.is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_failing_job_does_not_stop_other_jobs() {
    let mut h = Harness::start(always, |c| c);
    h.script
        .lock()
        .unwrap()
        .extend((0..20).map(|_| Err("boom".to_string())));
    h.store
        .create(job("bad", Some(ProwJobState::Pending)))
        .await
        .unwrap();
    assert_eq!(h.next_report().await.0, "bad");
    h.store
        .create(job("good", Some(ProwJobState::Pending)))
        .await
        .unwrap();
    // "bad" keeps failing while "good" gets its turn; with the script spent, both end up
    // recorded.
    recorded(&*h.store, "good", "fakeReporter", ProwJobState::Pending).await;
    recorded(&*h.store, "bad", "fakeReporter", ProwJobState::Pending).await;
    h.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_job_deleted_before_its_retry_is_dropped() {
    let mut h = Harness::start(always, |c| c);
    h.script.lock().unwrap().push_back(Err("x".into()));
    h.store
        .create(job("foo", Some(ProwJobState::Pending)))
        .await
        .unwrap();
    assert_eq!(h.next_report().await.0, "foo");
    h.store.delete("foo").await.unwrap();
    tokio::time::sleep(Duration::from_secs(10)).await;
    h.store.create(sentinel()).await.unwrap();
    assert_eq!(h.next_report().await.0, "sentinel");
    assert!(h.stop().await.is_empty());
}

#[tokio::test(start_paused = true)]
async fn jobs_stored_before_start_are_listed_and_reported() {
    let store = Arc::new(MemoryStore::new());
    store
        .create(job("old", Some(ProwJobState::Failure)))
        .await
        .unwrap();
    let mut h = Harness::start_on(store, always, |c| c);
    assert_eq!(
        h.next_report().await,
        ("old".into(), Some(ProwJobState::Failure))
    );
    recorded(&*h.store, "old", "fakeReporter", ProwJobState::Failure).await;
    h.stop().await;
}

#[tokio::test]
async fn run_refuses_no_reporters_and_duplicate_names() {
    let store: Arc<dyn JobStore> = Arc::new(MemoryStore::new());
    let err = Crier::new(store.clone()).run(async {}).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "crier need to have at least one report worker to start"
    );
    let svc =
        || tower::service_fn(|_: ProwJob| async { Ok::<_, ReporterError>(ReportOutcome::Skipped) });
    let err = Crier::new(store)
        .with_reporter(CrierReporter::from_service("a", svc()))
        .with_reporter(CrierReporter::from_service("a", svc()))
        .run(async {})
        .await
        .unwrap_err();
    assert!(matches!(err, CrierError::DuplicateReporter(n) if n == "a"));
}

// --- conflicts and two reporters -------------------------------------------------------------

/// A store that answers the first `conflicts` updates with a conflict.
struct ConflictingStore {
    inner: MemoryStore,
    conflicts: AtomicUsize,
}

#[async_trait]
impl JobStore for ConflictingStore {
    async fn create(&self, job: ProwJob) -> Result<ProwJob, StoreError> {
        self.inner.create(job).await
    }
    async fn get(&self, name: &str) -> Result<ProwJob, StoreError> {
        self.inner.get(name).await
    }
    async fn list(&self, selector: &JobSelector) -> Result<Vec<ProwJob>, StoreError> {
        self.inner.list(selector).await
    }
    async fn update(&self, job: ProwJob) -> Result<ProwJob, StoreError> {
        let left = self.conflicts.load(Ordering::SeqCst);
        if left > 0 {
            self.conflicts.store(left - 1, Ordering::SeqCst);
            return Err(StoreError::Conflict(job.metadata.name));
        }
        self.inner.update(job).await
    }
    async fn delete(&self, name: &str) -> Result<(), StoreError> {
        self.inner.delete(name).await
    }
    async fn watch(&self) -> Result<Box<dyn JobWatch>, StoreError> {
        self.inner.watch().await
    }
}

fn recording_service(
    name: &'static str,
    log: Arc<Mutex<Vec<(&'static str, String)>>>,
) -> CrierReporter {
    CrierReporter::from_service(
        name,
        tower::service_fn(move |job: ProwJob| {
            let log = Arc::clone(&log);
            async move {
                log.lock().unwrap().push((name, job.metadata.name.clone()));
                Ok::<_, ReporterError>(ReportOutcome::Reported)
            }
        }),
    )
}

#[tokio::test(start_paused = true)]
async fn conflicts_are_retried_and_no_reporter_loses_its_entry() {
    let store = Arc::new(ConflictingStore {
        inner: MemoryStore::new(),
        conflicts: AtomicUsize::new(3),
    });
    let log = Arc::new(Mutex::new(Vec::new()));
    let crier = Crier::new(store.clone() as Arc<dyn JobStore>)
        .with_reporter(recording_service("github-reporter", Arc::clone(&log)))
        .with_reporter(recording_service("slackreporter", Arc::clone(&log)))
        .with_reporter(recording_service("gcsreporter", Arc::clone(&log)));
    let (stop, stopped) = oneshot::channel::<()>();
    let run = tokio::spawn(crier.run(async {
        let _ = stopped.await;
    }));
    let mut j = job("foo", Some(ProwJobState::Success));
    j.status
        .prev_report_states
        .insert("other".into(), ProwJobState::Pending);
    store.create(j).await.unwrap();
    for reporter in ["github-reporter", "slackreporter", "gcsreporter"] {
        recorded(&*store, "foo", reporter, ProwJobState::Success).await;
    }
    let stored = store.get("foo").await.unwrap();
    assert_eq!(
        stored.status.prev_report_states.get("other"),
        Some(&ProwJobState::Pending)
    );
    assert_eq!(stored.status.prev_report_states.len(), 4);
    let _ = stop.send(());
    run.await.unwrap().unwrap();
    // Each reporter reported exactly once: conflicts re-read, they do not re-report.
    let mut reports = log.lock().unwrap().clone();
    reports.sort();
    assert_eq!(
        reports,
        [
            ("gcsreporter", "foo".to_string()),
            ("github-reporter", "foo".to_string()),
            ("slackreporter", "foo".to_string()),
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn the_state_reported_is_recorded_not_a_later_one() {
    let store = Arc::new(MemoryStore::new());
    let store_dyn: Arc<dyn JobStore> = store.clone();
    let (tx, mut reported) = mpsc::unbounded_channel();
    let (release_tx, release) = tokio::sync::watch::channel(false);
    let slow = tower::service_fn(move |job: ProwJob| {
        let tx = tx.clone();
        let mut release = release.clone();
        async move {
            let _ = tx.send(job.status.state.clone());
            let _ = release.wait_for(|r| *r).await;
            Ok::<_, ReporterError>(ReportOutcome::Reported)
        }
    });
    let crier = Crier::new(store_dyn).with_reporter(CrierReporter::from_service("slow", slow));
    let (stop, stopped) = oneshot::channel::<()>();
    let run = tokio::spawn(crier.run(async {
        let _ = stopped.await;
    }));
    store
        .create(job("foo", Some(ProwJobState::Pending)))
        .await
        .unwrap();
    assert_eq!(reported.recv().await.unwrap(), Some(ProwJobState::Pending));
    // The job finishes while its pending state is being reported.
    let mut j = store.get("foo").await.unwrap();
    j.status.state = Some(ProwJobState::Success);
    store.update(j).await.unwrap();
    release_tx.send(true).unwrap();
    // Pending is recorded; success differs from it, so it is reported next.
    assert_eq!(reported.recv().await.unwrap(), Some(ProwJobState::Success));
    recorded(&*store, "foo", "slow", ProwJobState::Success).await;
    let _ = stop.send(());
    run.await.unwrap().unwrap();
}

// --- the informer: relist when the watch ends, periodic resync -------------------------------

/// A store whose watches see nothing: the first ends when told to, later ones never end.
struct BlindStore {
    inner: MemoryStore,
    end_first: Mutex<Option<oneshot::Receiver<()>>>,
    lists: AtomicUsize,
}

struct BlindWatch(Option<oneshot::Receiver<()>>);

#[async_trait]
impl JobWatch for BlindWatch {
    async fn next(&mut self) -> Option<WatchEvent> {
        match self.0.take() {
            Some(end) => {
                let _ = end.await;
                None
            }
            None => std::future::pending().await,
        }
    }
}

#[async_trait]
impl JobStore for BlindStore {
    async fn create(&self, job: ProwJob) -> Result<ProwJob, StoreError> {
        self.inner.create(job).await
    }
    async fn get(&self, name: &str) -> Result<ProwJob, StoreError> {
        self.inner.get(name).await
    }
    async fn list(&self, selector: &JobSelector) -> Result<Vec<ProwJob>, StoreError> {
        self.lists.fetch_add(1, Ordering::SeqCst);
        self.inner.list(selector).await
    }
    async fn update(&self, job: ProwJob) -> Result<ProwJob, StoreError> {
        self.inner.update(job).await
    }
    async fn delete(&self, name: &str) -> Result<(), StoreError> {
        self.inner.delete(name).await
    }
    async fn watch(&self) -> Result<Box<dyn JobWatch>, StoreError> {
        Ok(Box::new(BlindWatch(self.end_first.lock().unwrap().take())))
    }
}

fn blind_crier(
    store: Arc<BlindStore>,
    resync: Duration,
) -> (
    mpsc::UnboundedReceiver<String>,
    oneshot::Sender<()>,
    tokio::task::JoinHandle<Result<(), CrierError>>,
) {
    let (tx, rx) = mpsc::unbounded_channel();
    let svc = tower::service_fn(move |job: ProwJob| {
        let _ = tx.send(job.metadata.name.clone());
        async { Ok::<_, ReporterError>(ReportOutcome::Reported) }
    });
    let options = CrierOptions::default().with_resync_period(resync);
    let crier = Crier::new(store as Arc<dyn JobStore>)
        .with_options(options)
        .with_reporter(CrierReporter::from_service("r", svc));
    let (stop, stopped) = oneshot::channel::<()>();
    let run = tokio::spawn(crier.run(async {
        let _ = stopped.await;
    }));
    (rx, stop, run)
}

#[tokio::test(start_paused = true)]
async fn when_the_watch_ends_jobs_are_listed_again() {
    let (end, end_rx) = oneshot::channel();
    let store = Arc::new(BlindStore {
        inner: MemoryStore::new(),
        end_first: Mutex::new(Some(end_rx)),
        lists: AtomicUsize::new(0),
    });
    let (mut reports, stop, run) = blind_crier(Arc::clone(&store), Duration::from_secs(3600));
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(store.lists.load(Ordering::SeqCst), 1);
    // Created while the watch misses it.
    store
        .create(job("missed", Some(ProwJobState::Success)))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(reports.try_recv().is_err());
    end.send(()).unwrap();
    assert_eq!(reports.recv().await.unwrap(), "missed");
    assert_eq!(store.lists.load(Ordering::SeqCst), 2);
    let _ = stop.send(());
    run.await.unwrap().unwrap();
}

#[tokio::test(start_paused = true)]
async fn the_periodic_resync_finds_what_the_watch_missed() {
    let store = Arc::new(BlindStore {
        inner: MemoryStore::new(),
        end_first: Mutex::new(None),
        lists: AtomicUsize::new(0),
    });
    let start = Instant::now();
    let (mut reports, stop, run) = blind_crier(Arc::clone(&store), Duration::from_secs(600));
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(store.lists.load(Ordering::SeqCst), 1);
    store
        .create(job("missed", Some(ProwJobState::Failure)))
        .await
        .unwrap();
    assert_eq!(reports.recv().await.unwrap(), "missed");
    assert_eq!(start.elapsed(), Duration::from_secs(600));
    assert_eq!(store.lists.load(Ordering::SeqCst), 2);
    let _ = stop.send(());
    run.await.unwrap().unwrap();
}

// --- worker pools and tower layers -----------------------------------------------------------

/// A service that counts reports in flight and holds each until released.
#[derive(Clone)]
struct Gate {
    in_flight: Arc<AtomicUsize>,
    max_in_flight: Arc<AtomicUsize>,
    done: mpsc::UnboundedSender<String>,
    hold: Duration,
}

impl Service<ProwJob> for Gate {
    type Response = ReportOutcome;
    type Error = ReporterError;
    type Future = prow_core::traits::BoxFuture<'static, Result<ReportOutcome, ReporterError>>;

    fn poll_ready(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), ReporterError>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, job: ProwJob) -> Self::Future {
        let gate = self.clone();
        Box::pin(async move {
            let now = gate.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            gate.max_in_flight.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(gate.hold).await;
            gate.in_flight.fetch_sub(1, Ordering::SeqCst);
            let _ = gate.done.send(job.metadata.name.clone());
            Ok(ReportOutcome::Reported)
        })
    }
}

async fn max_concurrency(reporter: impl FnOnce(Gate) -> CrierReporter) -> (usize, Vec<String>) {
    let store = Arc::new(MemoryStore::new());
    let (done, mut done_rx) = mpsc::unbounded_channel();
    let gate = Gate {
        in_flight: Arc::default(),
        max_in_flight: Arc::default(),
        done,
        hold: Duration::from_secs(1),
    };
    let max = Arc::clone(&gate.max_in_flight);
    let crier = Crier::new(store.clone() as Arc<dyn JobStore>).with_reporter(reporter(gate));
    let (stop, stopped) = oneshot::channel::<()>();
    let run = tokio::spawn(crier.run(async {
        let _ = stopped.await;
    }));
    for i in 0..4 {
        store
            .create(job(&format!("job-{i}"), Some(ProwJobState::Pending)))
            .await
            .unwrap();
    }
    let mut names = Vec::new();
    for _ in 0..4 {
        names.push(done_rx.recv().await.unwrap());
    }
    names.sort();
    let _ = stop.send(());
    run.await.unwrap().unwrap();
    (max.load(Ordering::SeqCst), names)
}

#[tokio::test(start_paused = true)]
async fn each_reporter_has_a_pool_of_workers() {
    let (max, names) =
        max_concurrency(|gate| CrierReporter::from_service("gate", gate).with_workers(4)).await;
    assert_eq!(max, 4);
    assert_eq!(names, ["job-0", "job-1", "job-2", "job-3"]);
    let (max, _) = max_concurrency(|gate| CrierReporter::from_service("gate", gate)).await;
    assert_eq!(max, 1);
}

#[tokio::test(start_paused = true)]
async fn a_stock_concurrency_limit_layer_limits_across_workers() {
    let (max, names) = max_concurrency(|gate| {
        CrierReporter::from_service("gate", gate)
            .layer(tower::limit::ConcurrencyLimitLayer::new(2))
            .with_workers(4)
    })
    .await;
    assert_eq!(max, 2);
    assert_eq!(names.len(), 4);
}

/// A reporter whose first report hangs: a stock timeout layer turns that into an error, and
/// crier retries.
struct HangsOnce {
    calls: AtomicUsize,
}

#[async_trait]
impl Reporter for HangsOnce {
    fn name(&self) -> &str {
        "hangs-once"
    }
    fn should_report(&self, _: &ProwJob) -> bool {
        true
    }
    async fn report(&self, _: &ProwJob) -> Result<ReportOutcome, ReporterError> {
        if self.calls.fetch_add(1, Ordering::SeqCst) == 0 {
            std::future::pending::<()>().await;
        }
        Ok(ReportOutcome::Reported)
    }
}

#[tokio::test(start_paused = true)]
async fn a_stock_timeout_layer_around_a_reporter_turns_a_hang_into_a_retry() {
    let store = Arc::new(MemoryStore::new());
    let reporter = Arc::new(HangsOnce {
        calls: AtomicUsize::new(0),
    });
    let crier = Crier::new(store.clone() as Arc<dyn JobStore>).with_reporter(
        CrierReporter::new(Arc::clone(&reporter))
            .layer(tower::timeout::TimeoutLayer::new(Duration::from_secs(30))),
    );
    let (stop, stopped) = oneshot::channel::<()>();
    let run = tokio::spawn(crier.run(async {
        let _ = stopped.await;
    }));
    let start = Instant::now();
    store
        .create(job("foo", Some(ProwJobState::Pending)))
        .await
        .unwrap();
    recorded(&*store, "foo", "hangs-once", ProwJobState::Pending).await;
    assert_eq!(reporter.calls.load(Ordering::SeqCst), 2);
    assert!(start.elapsed() >= Duration::from_secs(30));
    let _ = stop.send(());
    run.await.unwrap().unwrap();
}

#[test]
fn a_layer_error_that_is_a_reporter_error_is_kept() {
    let err: BoxError = Box::new(ReporterError::Invalid("no refs".into()));
    assert!(matches!(into_reporter_error(err), ReporterError::Invalid(m) if m == "no refs"));
    let err: BoxError = "request timed out".into();
    assert!(
        matches!(into_reporter_error(err), ReporterError::Failed(m) if m == "request timed out")
    );
}
