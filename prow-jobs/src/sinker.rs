//! sinker: Prow's garbage collector. Deletes completed ProwJobs past `max_prowjob_age`
//! (keeping each configured periodic's newest run) and the executor runs nobody needs.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use prow_core::config::Config;
use prow_core::prowjob::pjutil::latest_jobs;
use prow_core::prowjob::{ProwJob, ProwJobType};
use prow_core::traits::{ExecutorError, JobExecutor, JobSelector, JobStore, RunInfo, StoreError};
use tokio::sync::watch;
use tracing::{debug, error, info, warn};

/// A completed non-periodic ProwJob, or a run, older than its maximum age.
pub const REASON_AGED: &str = "aged";
/// A completed periodic ProwJob older than `max_prowjob_age` that is not the newest run of
/// a configured periodic.
pub const REASON_AGED_PERIODIC: &str = "aged-periodic";
/// A run whose ProwJob is gone.
pub const REASON_ORPHANED: &str = "orphaned";
/// A run that finished more than `terminated_pod_ttl` ago.
pub const REASON_TTLED: &str = "ttled";
/// A run still holding resources although its ProwJob completed (an abort that did not
/// take).
pub const REASON_COMPLETED: &str = "completed";

/// Upstream's default `sinker.resync_period`.
pub const DEFAULT_RESYNC_PERIOD: Duration = Duration::from_secs(60 * 60);
/// Upstream's default `sinker.max_prowjob_age`.
const DEFAULT_MAX_PROWJOB_AGE: Duration = Duration::from_secs(7 * 24 * 60 * 60);
/// Upstream's default `sinker.max_pod_age`.
const DEFAULT_MAX_POD_AGE: Duration = Duration::from_secs(24 * 60 * 60);

/// How old a run must be before sinker calls it orphaned or completed: younger runs may
/// belong to a ProwJob the store has not shown yet, or one whose abort is under way.
const GRACE: TimeDelta = TimeDelta::seconds(30);

/// What went wrong in a sinker pass as a whole.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SinkerError {
    /// Listing the ProwJobs failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What one sinker pass did, by reason (upstream's `sinker_*` metrics).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SinkerReport {
    /// ProwJobs in the namespace when the pass began (`sinker_prow_jobs_existing`).
    pub prowjobs_existing: usize,
    /// ProwJobs deleted, by reason: [`REASON_AGED`], [`REASON_AGED_PERIODIC`]
    /// (`sinker_prow_jobs_cleaned`).
    pub prowjobs_cleaned: BTreeMap<String, usize>,
    /// ProwJob deletions that failed, by error kind (`sinker_prow_jobs_cleaning_errors`).
    pub prowjob_cleaning_errors: BTreeMap<String, usize>,
    /// Runs the executor listed outside excluded clusters (`sinker_pods_existing`).
    pub runs_existing: usize,
    /// Runs deleted, by reason: [`REASON_AGED`], [`REASON_TTLED`], [`REASON_ORPHANED`],
    /// [`REASON_COMPLETED`] (`sinker_pods_removed`).
    pub runs_removed: BTreeMap<String, usize>,
    /// Run deletions that failed, by error kind (`sinker_pod_removal_errors`).
    pub run_removal_errors: BTreeMap<String, usize>,
}

fn bump(map: &mut BTreeMap<String, usize>, key: &str) {
    *map.entry(key.to_string()).or_default() += 1;
}

/// The sinker controller.
pub struct Sinker {
    store: Arc<dyn JobStore>,
    executor: Arc<dyn JobExecutor>,
    config: watch::Receiver<Arc<Config>>,
}

impl Sinker {
    /// A sinker over `store` and `executor`, reading `sinker`, `prowjob_namespace` and the
    /// periodics from the newest config on every pass.
    pub fn new(
        store: Arc<dyn JobStore>,
        executor: Arc<dyn JobExecutor>,
        config: watch::Receiver<Arc<Config>>,
    ) -> Sinker {
        Sinker {
            store,
            executor,
            config,
        }
    }

    /// Cleans now, then every `sinker.resync_period` (read again after each pass), until
    /// `shutdown` completes.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            let started = tokio::time::Instant::now();
            match self.sync(Utc::now()).await {
                Ok(report) => info!(?report, elapsed = ?started.elapsed(),
                    "Sinker reconciliation complete."),
                Err(err) => error!(error = %err, "Error listing prow jobs."),
            }
            let period = self
                .config
                .borrow()
                .prow
                .sinker
                .resync_period
                .map_or(DEFAULT_RESYNC_PERIOD, |d| d.as_std());
            tokio::select! {
                _ = &mut shutdown => return,
                _ = tokio::time::sleep(period) => {}
            }
        }
    }

    /// One pass at time `now`: deletes aged ProwJobs, then the runs that are aged, past
    /// their TTL, orphaned or left over from a completed job.
    pub async fn sync(&self, now: DateTime<Utc>) -> Result<SinkerReport, SinkerError> {
        let config = Arc::clone(&self.config.borrow());
        let sinker = &config.prow.sinker;
        let namespace = config.prow.prowjob_namespace.as_str();
        let max_prowjob_age = delta(sinker.max_prowjob_age, DEFAULT_MAX_PROWJOB_AGE);
        let max_pod_age = delta(sinker.max_pod_age, DEFAULT_MAX_POD_AGE);
        let ttl = delta(
            sinker.terminated_pod_ttl.or(sinker.max_pod_age),
            DEFAULT_MAX_POD_AGE,
        );
        let mut report = SinkerReport::default();

        let jobs: Vec<ProwJob> = self
            .store
            .list(&JobSelector::default())
            .await?
            .into_iter()
            .filter(|job| job.metadata.namespace.is_empty() || job.metadata.namespace == namespace)
            .collect();
        report.prowjobs_existing = jobs.len();
        let by_name: BTreeMap<&str, &ProwJob> =
            jobs.iter().map(|j| (j.metadata.name.as_str(), j)).collect();
        let finished: BTreeSet<&str> = jobs
            .iter()
            .filter(|j| j.complete())
            .map(|j| j.metadata.name.as_str())
            .collect();

        let active: BTreeSet<&str> = config
            .jobs
            .periodics
            .iter()
            .map(|p| p.job_base.name.as_str())
            .collect();
        let latest = latest_jobs(&jobs, Some(ProwJobType::Periodic));
        let aged = |job: &ProwJob| {
            job.status
                .start_time
                .or(job.metadata.creation_timestamp)
                .is_none_or(|start| now - start > max_prowjob_age)
        };
        for job in jobs.iter().filter(|j| j.complete() && aged(j)) {
            let reason = if job.spec.type_ == Some(ProwJobType::Periodic) {
                let newest = latest
                    .get(&job.spec.job)
                    .is_some_and(|l| l.metadata.name == job.metadata.name);
                if newest && active.contains(job.spec.job.as_str()) {
                    continue;
                }
                REASON_AGED_PERIODIC
            } else {
                REASON_AGED
            };
            match self.store.delete(&job.metadata.name).await {
                Ok(()) => {
                    info!(job = %job.metadata.name, name = %job.spec.job, reason, "Deleted prowjob.");
                    bump(&mut report.prowjobs_cleaned, reason);
                }
                Err(err) => {
                    error!(job = %job.metadata.name, error = %err, "Error deleting prowjob.");
                    bump(&mut report.prowjob_cleaning_errors, store_error_kind(&err));
                }
            }
        }

        let runs = match self.executor.runs().await {
            Ok(runs) => runs,
            Err(err) => {
                error!(error = %err, "Error listing pods.");
                return Ok(report);
            }
        };
        for run in runs {
            if sinker.exclude_clusters.contains(&run.cluster) {
                debug!(run = %run.name, cluster = %run.cluster,
                    "Cluster is excluded, skipping pods deletion.");
                continue;
            }
            report.runs_existing += 1;
            let job_name = run.job.clone().unwrap_or_else(|| run.name.clone());
            let job = by_name.get(job_name.as_str()).copied();
            let mut reason = None;
            if finished.contains(job_name.as_str()) {
                let terminated = run
                    .finished
                    .or_else(|| job.and_then(|j| j.status.completion_time));
                let completed = job.and_then(|j| j.status.completion_time);
                if now - run.created > max_pod_age {
                    reason = Some(REASON_AGED);
                } else if terminated.is_some_and(|t| now - t > ttl) {
                    reason = Some(REASON_TTLED);
                } else if run.finished.is_none() && completed.is_some_and(|t| now - t > GRACE) {
                    reason = Some(REASON_COMPLETED);
                }
            }
            if now - run.created > GRACE && self.is_orphaned(&job_name).await {
                reason = Some(REASON_ORPHANED);
            }
            if let Some(reason) = reason {
                self.delete_run(&run, reason, &mut report).await;
            }
        }
        Ok(report)
    }

    /// Whether the ProwJob `name` is gone, asking the store afresh (the list may be stale,
    /// and this pass may have deleted it).
    async fn is_orphaned(&self, name: &str) -> bool {
        match self.store.get(name).await {
            Err(StoreError::NotFound(_)) => true,
            Err(err) => {
                error!(job = %name, error = %err, "Failed to get prowjob");
                false
            }
            Ok(_) => false,
        }
    }

    async fn delete_run(&self, run: &RunInfo, reason: &str, report: &mut SinkerReport) {
        match self.executor.delete_run(run).await {
            Ok(()) => {
                info!(run = %run.name, cluster = %run.cluster, reason, "Deleted old completed pod.");
                bump(&mut report.runs_removed, reason);
            }
            Err(err) => {
                if matches!(err, ExecutorError::NotFound(_)) {
                    info!(run = %run.name, error = %err, "Could not delete missing pod.");
                } else {
                    warn!(run = %run.name, error = %err, "Error deleting pod.");
                }
                bump(&mut report.run_removal_errors, executor_error_kind(&err));
            }
        }
    }
}

fn delta(configured: Option<prow_core::duration::GoDuration>, default: Duration) -> TimeDelta {
    let duration = configured.map_or(default, |d| d.as_std());
    TimeDelta::from_std(duration).unwrap_or(TimeDelta::MAX)
}

/// The kind of a store error, as a metric label (Kubernetes' reason names).
fn store_error_kind(err: &StoreError) -> &'static str {
    match err {
        StoreError::NotFound(_) => "NotFound",
        StoreError::AlreadyExists(_) => "AlreadyExists",
        StoreError::Conflict(_) => "Conflict",
        StoreError::Invalid(_) => "Invalid",
        _ => "InternalError",
    }
}

/// The kind of an executor error, as a metric label.
fn executor_error_kind(err: &ExecutorError) -> &'static str {
    match err {
        ExecutorError::NotFound(_) => "NotFound",
        ExecutorError::Unsupported(_) => "Unsupported",
        _ => "InternalError",
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use prow_core::config::jobs::Periodic;
    use prow_core::duration::GoDuration;
    use prow_core::prowjob::{ObjectMeta, ProwJobSpec, ProwJobState, ProwJobStatus};

    use super::*;
    use crate::plank::fake::FakeExecutor;
    use crate::store::MemoryStore;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
    }

    const HOUR: TimeDelta = TimeDelta::hours(1);
    const MAX_PROWJOB_AGE: TimeDelta = TimeDelta::days(2);
    const MAX_POD_AGE: TimeDelta = TimeDelta::hours(12);
    const TTL: TimeDelta = TimeDelta::minutes(30);
    const SECOND: TimeDelta = TimeDelta::seconds(1);

    /// A job started `age` ago, completed `completed` ago (or not at all).
    fn job(name: &str, periodic: bool, age: TimeDelta, completed: Option<TimeDelta>) -> ProwJob {
        ProwJob::new(
            ObjectMeta {
                name: name.into(),
                namespace: "ns".into(),
                ..Default::default()
            },
            ProwJobSpec {
                type_: Some(if periodic {
                    ProwJobType::Periodic
                } else {
                    ProwJobType::Presubmit
                }),
                job: if periodic {
                    "retester".into()
                } else {
                    name.into()
                },
                ..Default::default()
            },
            ProwJobStatus {
                start_time: Some(now() - age),
                completion_time: completed.map(|c| now() - c),
                state: Some(if completed.is_some() {
                    ProwJobState::Success
                } else {
                    ProwJobState::Pending
                }),
                ..Default::default()
            },
        )
    }

    /// A run for `job`, created `age` ago, finished `finished` ago (or still running).
    fn run(name: &str, job: Option<&str>, age: TimeDelta, finished: Option<TimeDelta>) -> RunInfo {
        RunInfo {
            name: name.into(),
            job: job.map(String::from),
            cluster: "default".into(),
            created: now() - age,
            finished: finished.map(|f| now() - f),
        }
    }

    fn config() -> Config {
        let mut config = Config::default();
        config.prow.prowjob_namespace = "ns".into();
        config.prow.sinker.max_prowjob_age = Some(go(MAX_PROWJOB_AGE));
        config.prow.sinker.max_pod_age = Some(go(MAX_POD_AGE));
        config.prow.sinker.terminated_pod_ttl = Some(go(TTL));
        config.prow.sinker.exclude_clusters = vec!["excluded".into()];
        let mut retester = Periodic::default();
        retester.job_base.name = "retester".into();
        config.jobs.periodics = vec![retester];
        config
    }

    fn go(d: TimeDelta) -> GoDuration {
        GoDuration::from_std(d.to_std().unwrap())
    }

    struct Fixture {
        store: Arc<MemoryStore>,
        executor: Arc<FakeExecutor>,
        sinker: Sinker,
        _config: watch::Sender<Arc<Config>>,
    }

    async fn fixture(config: Config, jobs: Vec<ProwJob>, runs: Vec<RunInfo>) -> Fixture {
        let store = Arc::new(MemoryStore::new());
        for job in jobs {
            store.create(job).await.unwrap();
        }
        let executor = Arc::new(FakeExecutor::default());
        executor.lock().infos = runs;
        let (tx, rx) = watch::channel(Arc::new(config));
        let sinker = Sinker::new(store.clone(), executor.clone(), rx);
        Fixture {
            store,
            executor,
            sinker,
            _config: tx,
        }
    }

    #[tokio::test]
    async fn clean() {
        let old = MAX_PROWJOB_AGE + SECOND;
        let jobs = vec![
            // Completed long ago: deleted, and its runs become orphans.
            job("job-complete", false, old, Some(old)),
            // Still running: kept, and so are its runs.
            job("job-running", false, old, None),
            job("old-incomplete", false, old, None),
            // Completed recently: kept.
            job("new", false, HOUR, Some(HOUR)),
            job("new-failed", false, HOUR, Some(HOUR)),
            job("old-pod-job", false, HOUR, Some(HOUR)),
            job("ttl-expired", false, HOUR, Some(TTL + SECOND)),
            job("ttl-not-expired", false, HOUR, Some(TTL - SECOND)),
            job(
                "ttl-expired-while-pod-still-pending",
                false,
                HOUR,
                Some(TTL + SECOND),
            ),
            job(
                "completed-run-still-running",
                false,
                HOUR,
                Some(TimeDelta::minutes(5)),
            ),
            job(
                "just-completed-run-still-running",
                false,
                HOUR,
                Some(SECOND),
            ),
            // Periodics: the newest run of a configured periodic stays however old.
            job("newer-periodic", true, old, Some(old)),
            job("older-periodic", true, old + HOUR, Some(old + HOUR)),
            job(
                "oldest-periodic",
                true,
                old + HOUR * 2,
                Some(old + HOUR * 2),
            ),
            {
                let mut j = job("new-periodic-incomplete", true, HOUR, None);
                j.spec.job = "another-periodic".into();
                j
            },
            {
                let mut j = job("unconfigured-periodic", true, old, Some(old));
                j.spec.job = "gone-from-config".into();
                j
            },
            // Another namespace is not sinker's.
            {
                let mut j = job("other-namespace", false, old, Some(old));
                j.metadata.namespace = "elsewhere".into();
                j
            },
        ];
        let runs = vec![
            run(
                "job-complete-pod-succeeded",
                Some("job-complete"),
                HOUR,
                Some(HOUR),
            ),
            run("job-complete-pod-pending", Some("job-complete"), HOUR, None),
            run(
                "job-running-pod-failed",
                Some("job-running"),
                MAX_POD_AGE + SECOND,
                Some(HOUR),
            ),
            run("job-running-pod-running", Some("job-running"), HOUR, None),
            run(
                "job-unknown-pod-failed",
                Some("job-unknown"),
                HOUR,
                Some(HOUR),
            ),
            run("new-running-no-pj", None, TimeDelta::minutes(1), None),
            run(
                "very-young-orphaned-pod-is-kept",
                Some("nobody"),
                SECOND,
                None,
            ),
            run(
                "old-pod",
                Some("old-pod-job"),
                MAX_POD_AGE + SECOND,
                Some(HOUR),
            ),
            run("new-failed", None, HOUR, Some(TimeDelta::minutes(5))),
            run("ttl-expired", None, HOUR, Some(TTL + SECOND)),
            run("ttl-not-expired", None, HOUR, Some(TTL - SECOND)),
            run("ttl-expired-while-pod-still-pending", None, HOUR, None),
            run("completed-run-still-running", None, HOUR, None),
            run("just-completed-run-still-running", None, HOUR, None),
            run("newer-periodic", None, MAX_POD_AGE + SECOND, Some(old)),
            {
                let mut r = run("excluded-orphan", None, MAX_POD_AGE + SECOND, Some(old));
                r.cluster = "excluded".into();
                r
            },
        ];
        let f = fixture(config(), jobs.clone(), runs).await;
        let report = f.sinker.sync(now()).await.unwrap();

        let mut remaining: Vec<String> = f
            .store
            .list(&JobSelector::default())
            .await
            .unwrap()
            .into_iter()
            .map(|j| j.metadata.name)
            .collect();
        remaining.sort();
        let deleted: BTreeSet<&str> = jobs
            .iter()
            .map(|j| j.metadata.name.as_str())
            .filter(|n| !remaining.iter().any(|r| r == n))
            .collect();
        assert_eq!(
            deleted,
            BTreeSet::from([
                "job-complete",
                "older-periodic",
                "oldest-periodic",
                "unconfigured-periodic",
            ]),
            "deleted prowjobs"
        );
        assert_eq!(
            report.prowjobs_cleaned,
            BTreeMap::from([
                (REASON_AGED.to_string(), 1),
                (REASON_AGED_PERIODIC.to_string(), 3),
            ])
        );
        assert_eq!(report.prowjobs_existing, 16);

        let deleted_runs: BTreeSet<String> = f.executor.lock().deleted.iter().cloned().collect();
        let expected: BTreeSet<String> = [
            "job-complete-pod-succeeded",
            "job-complete-pod-pending",
            "job-unknown-pod-failed",
            "new-running-no-pj",
            "old-pod",
            "ttl-expired",
            "ttl-expired-while-pod-still-pending",
            "completed-run-still-running",
            "newer-periodic",
        ]
        .map(String::from)
        .into();
        assert_eq!(deleted_runs, expected, "deleted runs");
        assert_eq!(
            report.runs_removed,
            BTreeMap::from([
                (REASON_ORPHANED.to_string(), 4),
                (REASON_AGED.to_string(), 2),
                (REASON_TTLED.to_string(), 2),
                (REASON_COMPLETED.to_string(), 1),
            ])
        );
        assert_eq!(
            report.runs_existing, 15,
            "the excluded cluster is not counted"
        );
        assert!(report.run_removal_errors.is_empty());
    }

    #[tokio::test]
    async fn not_clean_in_excluded_clusters() {
        let old = MAX_PROWJOB_AGE + SECOND;
        let jobs = vec![job("job-complete", false, HOUR, Some(old))];
        let mut excluded = run(
            "job-complete-pod-succeeded-on-excluded-cluster",
            Some("job-complete"),
            MAX_POD_AGE + SECOND,
            Some(old),
        );
        excluded.cluster = "excluded".into();
        let valid = run(
            "job-complete-pod-succeeded",
            Some("job-complete"),
            MAX_POD_AGE + SECOND,
            Some(old),
        );
        let f = fixture(config(), jobs, vec![excluded, valid]).await;
        f.sinker.sync(now()).await.unwrap();
        assert_eq!(f.executor.lock().deleted, ["job-complete-pod-succeeded"]);
    }

    #[tokio::test]
    async fn failed_deletions_are_counted_by_kind() {
        let f = fixture(
            config(),
            vec![],
            vec![run("orphan", None, HOUR, Some(HOUR))],
        )
        .await;
        f.executor.lock().broken_delete.insert("orphan".into());
        let report = f.sinker.sync(now()).await.unwrap();
        assert_eq!(
            report.run_removal_errors,
            BTreeMap::from([("InternalError".to_string(), 1)])
        );
        assert!(report.runs_removed.is_empty());
    }

    #[tokio::test]
    async fn defaults_are_upstreams() {
        // A week old is kept, a week and a second is not.
        let week = TimeDelta::days(7);
        let jobs = vec![
            job("week-old", false, week, Some(week)),
            job("older", false, week + SECOND, Some(week + SECOND)),
        ];
        let mut config = Config::default();
        config.prow.prowjob_namespace = "ns".into();
        config.prow.set_defaults();
        let f = fixture(config, jobs, vec![]).await;
        f.sinker.sync(now()).await.unwrap();
        assert!(f.store.get("week-old").await.is_ok());
        assert!(f.store.get("older").await.is_err());
    }

    #[tokio::test(start_paused = true)]
    async fn run_cleans_every_resync_period_until_shutdown() {
        let mut config = config();
        config.prow.sinker.resync_period = Some(go(HOUR));
        let f = fixture(config, vec![], vec![run("orphan-1", None, HOUR, None)]).await;
        let executor = f.executor.clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(f.sinker.run(async {
            let _ = stopped.await;
        }));
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(executor.lock().deleted, ["orphan-1"]);
        // Runs are created with the real clock's view of "now"; make the next orphan old.
        executor.lock().infos.push(RunInfo {
            created: Utc::now() - HOUR,
            ..run("orphan-2", None, HOUR, None)
        });
        tokio::time::sleep(Duration::from_secs(30 * 60)).await;
        assert_eq!(
            executor.lock().deleted,
            ["orphan-1"],
            "not before the period"
        );
        tokio::time::sleep(Duration::from_secs(31 * 60)).await;
        assert_eq!(executor.lock().deleted, ["orphan-1", "orphan-2"]);
        stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(60), task)
            .await
            .expect("sinker stops on shutdown")
            .unwrap();
    }
}
