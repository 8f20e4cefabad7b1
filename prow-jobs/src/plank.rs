//! plank: the controller that runs ProwJobs. It starts triggered jobs through a
//! [`JobExecutor`], follows their runs to a final state, enforces concurrency limits and
//! timeouts, revives evicted runs and aborts presubmits a newer run supersedes.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use futures_util::future::join_all;
use futures_util::stream::{self, StreamExt};
use prow_core::config::Config;
use prow_core::config::prow::Plank as PlankConfig;
use prow_core::prowjob::pjutil::{self, BuildIdGenerator};
use prow_core::prowjob::{ProwJob, ProwJobAgent, ProwJobState, ProwJobType, Refs};
use prow_core::traits::{
    Execution, ExecutionState, ExecutorError, JobExecutor, JobSelector, JobStore, StoreError,
    WatchEvent,
};
use tokio::sync::watch;
use tracing::{debug, error, info, warn};

/// How often plank reconciles every job even when the store reports no change (runs are
/// polled through the executor, which has no watch).
pub const DEFAULT_RESYNC_PERIOD: Duration = Duration::from_secs(5);

/// How many jobs one sync reconciles at once by default (upstream plank's worker count).
pub const DEFAULT_WORKERS: usize = 10;

/// The least time between two syncs that store changes cause: a change after a quiet spell is
/// synced at once, and the changes of a burst are gathered into one sync per this period.
const DEBOUNCE: Duration = Duration::from_millis(10);

/// How often one job's update is retried after [`StoreError::Conflict`] in one sync.
const CONFLICT_RETRIES: usize = 5;

/// How long plank waits before it opens a new store watch after one failed to open.
const WATCH_RETRY: Duration = Duration::from_secs(1);

/// The reporters whose `status.prev_report_states` entry plank sets when it aborts a
/// superseded presubmit, so crier never reports the old run over the new one: upstream's
/// GitHub and Slack reporters.
pub const DEFAULT_REPORTER_NAMES: &[&str] = &["github-reporter", "slackreporter"];

/// Upstream's default `plank.pod_pending_timeout`.
const DEFAULT_POD_PENDING_TIMEOUT: Duration = Duration::from_secs(10 * 60);
/// Upstream's default `plank.pod_running_timeout`.
const DEFAULT_POD_RUNNING_TIMEOUT: Duration = Duration::from_secs(48 * 60 * 60);
/// Upstream's default `plank.pod_unscheduled_timeout`.
const DEFAULT_POD_UNSCHEDULED_TIMEOUT: Duration = Duration::from_secs(5 * 60);
/// Upstream's default `plank.max_revivals`.
const DEFAULT_MAX_REVIVALS: i64 = 3;

/// Description of a job plank has started.
pub const DESCRIPTION_TRIGGERED: &str = "Job triggered.";
/// Description of a job whose run succeeded.
pub const DESCRIPTION_SUCCEEDED: &str = "Job succeeded.";
/// Description of a job whose run failed.
pub const DESCRIPTION_FAILED: &str = "Job failed.";
/// Description of a presubmit aborted because a newer run of it exists.
pub const DESCRIPTION_SUPERSEDED: &str = "Aborted as the newer version of this job is running.";
/// Description of a job whose run was never scheduled in time.
pub const DESCRIPTION_UNSCHEDULED_TIMEOUT: &str = "Pod scheduling timeout.";
/// Description of a job whose run stayed pending too long.
pub const DESCRIPTION_PENDING_TIMEOUT: &str = "Pod pending timeout.";
/// Description of a job whose run ran too long.
pub const DESCRIPTION_RUNNING_TIMEOUT: &str = "Pod running timeout.";
/// Description of a job with `error_on_eviction` whose run was evicted.
pub const DESCRIPTION_EVICTED: &str = "Job pod was evicted by the cluster.";
/// Description of a job whose run disappeared and may not be revived.
pub const DESCRIPTION_DELETED: &str = "Pod got deleted unexpectedly";

/// What went wrong in a plank sync as a whole (a single job's failure is logged, counted in
/// [`PlankSyncReport::errors`] and retried on the next sync).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlankError {
    /// The job store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The executor failed.
    #[error(transparent)]
    Executor(#[from] ExecutorError),
}

/// What one plank sync did: plank's counters, per sync.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlankSyncReport {
    /// Triggered jobs started (moved to `pending`).
    pub started: usize,
    /// Triggered jobs held back by `plank.max_concurrency`, the job's `max_concurrency` or
    /// its job queue's capacity.
    pub held: usize,
    /// Jobs moved to each final state.
    pub finished: BTreeMap<ProwJobState, usize>,
    /// Presubmits aborted because a newer run of the same job on the same refs exists.
    pub superseded: usize,
    /// Runs started again after an eviction or loss.
    pub revived: usize,
    /// Jobs whose sync failed (retried on the next sync).
    pub errors: usize,
}

impl PlankSyncReport {
    fn finish(&mut self, state: &ProwJobState) {
        *self.finished.entry(state.clone()).or_default() += 1;
    }
}

/// The plank controller: reconciles every non-final job of the `kubernetes` agent (the
/// default agent) in the ProwJob namespace against its run in the executor.
pub struct Plank {
    store: Arc<dyn JobStore>,
    executor: Arc<dyn JobExecutor>,
    config: watch::Receiver<Arc<Config>>,
    reporter_names: Vec<String>,
    resync_period: Duration,
    workers: usize,
    build_ids: BuildIdGenerator,
}

/// What reconciling one job did, for the report.
enum Outcome {
    Unchanged,
    Held,
    Started,
    Revived,
    Finished(ProwJobState),
}

impl Plank {
    /// A plank over `store` and `executor`, reading `plank` and `prowjob_namespace` from
    /// the newest config on every sync.
    pub fn new(
        store: Arc<dyn JobStore>,
        executor: Arc<dyn JobExecutor>,
        config: watch::Receiver<Arc<Config>>,
    ) -> Plank {
        Plank {
            store,
            executor,
            config,
            reporter_names: DEFAULT_REPORTER_NAMES
                .iter()
                .map(|s| s.to_string())
                .collect(),
            resync_period: DEFAULT_RESYNC_PERIOD,
            workers: DEFAULT_WORKERS,
            build_ids: BuildIdGenerator::default(),
        }
    }

    /// Sets the reporters (crier's reporter names) whose `prev_report_states` entry a
    /// superseded presubmit gets (default [`DEFAULT_REPORTER_NAMES`]).
    pub fn with_reporter_names<I, S>(mut self, names: I) -> Plank
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.reporter_names = names.into_iter().map(Into::into).collect();
        self
    }

    /// Sets how often [`Plank::run`] syncs without a store change (default
    /// [`DEFAULT_RESYNC_PERIOD`]).
    pub fn with_resync_period(mut self, period: Duration) -> Plank {
        self.resync_period = period;
        self
    }

    /// Sets how many jobs one sync reconciles at once — runs started or followed, and their
    /// store writes (default [`DEFAULT_WORKERS`]; at least 1). Triggered jobs are still
    /// started oldest first and the limits see every older job's outcome.
    pub fn with_workers(mut self, workers: usize) -> Plank {
        self.workers = workers.max(1);
        self
    }

    /// Syncs until `shutdown` completes: on every store change (at once after a quiet spell,
    /// else at most once per short period),
    /// every resync period, and on every config change. When the store's watch ends, plank
    /// lists again and opens a new one.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut config = self.config.clone();
        let mut config_open = true;
        loop {
            let mut watch = match self.store.watch().await {
                Ok(watch) => watch,
                Err(err) => {
                    error!(error = %err, "plank: opening the job watch failed");
                    tokio::select! {
                        _ = &mut shutdown => return,
                        _ = tokio::time::sleep(WATCH_RETRY) => continue,
                    }
                }
            };
            self.sync_logged().await;
            let mut last_sync = tokio::time::Instant::now();
            let mut next_sync = last_sync + self.resync_period;
            loop {
                tokio::select! {
                    _ = &mut shutdown => return,
                    event = watch.next() => match event {
                        None => {
                            debug!("plank: the job watch ended, listing again");
                            break;
                        }
                        Some(event) => {
                            if self.concerns_plank(&event) {
                                let soon = tokio::time::Instant::now().max(last_sync + DEBOUNCE);
                                next_sync = next_sync.min(soon);
                            }
                        }
                    },
                    changed = config.changed(), if config_open => {
                        if changed.is_err() {
                            config_open = false;
                        } else {
                            next_sync = tokio::time::Instant::now();
                        }
                    }
                    _ = tokio::time::sleep_until(next_sync) => {
                        self.sync_logged().await;
                        last_sync = tokio::time::Instant::now();
                        next_sync = last_sync + self.resync_period;
                    }
                }
            }
        }
    }

    async fn sync_logged(&self) {
        match self.sync(Utc::now()).await {
            Ok(report) => debug!(?report, "plank: sync done"),
            Err(err) => error!(error = %err, "plank: sync failed"),
        }
    }

    fn concerns_plank(&self, event: &WatchEvent) -> bool {
        match event {
            WatchEvent::Added(job) | WatchEvent::Modified(job) => {
                is_planks(job, &self.config.borrow().prow.prowjob_namespace)
            }
            WatchEvent::Deleted(_) => false,
        }
    }

    /// One level-triggered pass at time `now`: lists every non-final job plank owns and
    /// reconciles each from its current state — aborts superseded presubmits, finishes
    /// aborted jobs, follows pending jobs' runs, and starts triggered jobs the limits
    /// allow (oldest first). A job whose update conflicts is read again and reconciled
    /// again.
    pub async fn sync(&self, now: DateTime<Utc>) -> Result<PlankSyncReport, PlankError> {
        let config = Arc::clone(&self.config.borrow());
        let namespace = config.prow.prowjob_namespace.as_str();
        let plank = &config.prow.plank;
        let mut report = PlankSyncReport::default();

        let mut live = Vec::new();
        for state in [ProwJobState::Pending, ProwJobState::Triggered] {
            let selector = JobSelector {
                state: Some(state),
                ..Default::default()
            };
            live.extend(
                self.store
                    .list(&selector)
                    .await?
                    .into_iter()
                    .filter(|job| is_planks(job, namespace)),
            );
        }
        live.sort_by(|a, b| {
            (a.metadata.creation_timestamp, &a.metadata.name)
                .cmp(&(b.metadata.creation_timestamp, &b.metadata.name))
        });

        // Superseded presubmits first, so a limit never holds a newer run for an old one.
        let older = superseded(&live);
        for name in &older {
            match self.supersede(name).await {
                Ok(true) => report.superseded += 1,
                Ok(false) => {}
                Err(err) => {
                    report.errors += 1;
                    warn!(job = %name, error = %err, "plank: aborting a superseded job failed");
                }
            }
        }
        let older: HashSet<String> = older.into_iter().collect();
        live.retain(|job| !older.contains(&job.metadata.name));

        let aborted = self
            .store
            .list(&JobSelector {
                state: Some(ProwJobState::Aborted),
                ..Default::default()
            })
            .await?;
        let finished: Vec<_> = {
            let hold = Hold::Live(&live);
            stream::iter(aborted.into_iter().filter(|job| is_planks(job, namespace)))
                .map(|job| {
                    let name = job.metadata.name.clone();
                    let hold = &hold;
                    async move { (name, self.reconcile(job, now, plank, hold).await) }
                })
                .buffer_unordered(self.workers)
                .collect()
                .await
        };
        for (name, result) in finished {
            match result {
                Ok((_, outcome)) => tally(&mut report, outcome),
                Err(err) => {
                    report.errors += 1;
                    warn!(job = %name, error = %err, "plank: finishing an aborted job failed");
                }
            }
        }

        // Pending before triggered, so the limits see every finished run.
        let (pending, triggered): (Vec<usize>, Vec<usize>) = (0..live.len())
            .filter(|&i| is_planks(&live[i], namespace))
            .partition(|&i| live[i].status.state == Some(ProwJobState::Pending));

        // Pending jobs are independent of each other: up to `workers` at once.
        let followed: Vec<_> = {
            let hold = Hold::Live(&live);
            let live = &live;
            stream::iter(pending)
                .map(|index| {
                    let job = live[index].clone();
                    let hold = &hold;
                    async move { (index, self.reconcile(job, now, plank, hold).await) }
                })
                .buffer_unordered(self.workers)
                .collect()
                .await
        };
        for (index, result) in followed {
            self.record(&mut live, index, result, &mut report);
        }

        // Triggered jobs oldest first, in waves of up to `workers` started at once. Whether
        // the limits hold a job depends on what became of the older ones; a job whose fate
        // hangs on a run still being started waits for the next wave.
        let mut limits = Limits::new(plank, &live);
        let mut queue = triggered.into_iter().peekable();
        loop {
            let mut wave = Vec::new();
            while wave.len() < self.workers {
                let Some(&index) = queue.peek() else { break };
                let hold = match limits.decide(&live[index]) {
                    Decision::Start => None,
                    Decision::Held(reason) => Some(reason),
                    Decision::Unsure => break,
                };
                limits.enter(&live[index]);
                wave.push((index, Hold::Decided(hold)));
                queue.next();
            }
            if wave.is_empty() {
                break;
            }
            let results = join_all(wave.iter().map(|(index, hold)| {
                let job = live[*index].clone();
                async move { (*index, self.reconcile(job, now, plank, hold).await) }
            }))
            .await;
            let states: Vec<(usize, Option<ProwJobState>)> = results
                .iter()
                .map(|(index, result)| {
                    let state = match result {
                        Ok((job, _)) => job.status.state.clone(),
                        Err(_) => live[*index].status.state.clone(),
                    };
                    (*index, state)
                })
                .collect();
            limits.settle(&live, &states);
            for (index, result) in results {
                self.record(&mut live, index, result, &mut report);
            }
        }
        Ok(report)
    }

    /// Puts what reconciling `live[index]` gave in its place and into the report.
    fn record(
        &self,
        live: &mut [ProwJob],
        index: usize,
        result: Result<(ProwJob, Outcome), PlankError>,
        report: &mut PlankSyncReport,
    ) {
        match result {
            Ok((job, outcome)) => {
                live[index] = job;
                tally(report, outcome);
            }
            Err(err) => {
                report.errors += 1;
                warn!(job = %live[index].metadata.name, error = %err,
                    "plank: syncing the job failed");
            }
        }
    }

    /// Reconciles `job` and stores the result, reading it again and starting over when the
    /// store reports a conflict. Returns the job as stored (or as read when unchanged).
    async fn reconcile(
        &self,
        mut job: ProwJob,
        now: DateTime<Utc>,
        plank: &PlankConfig,
        hold: &Hold<'_>,
    ) -> Result<(ProwJob, Outcome), PlankError> {
        let mut attempt = 0;
        loop {
            let before = job.clone();
            let outcome = match job.status.state {
                Some(ProwJobState::Triggered) => {
                    self.sync_triggered(&mut job, now, plank, hold).await?
                }
                Some(ProwJobState::Pending) => self.sync_pending(&mut job, now, plank).await?,
                Some(ProwJobState::Aborted) if !job.complete() => {
                    self.sync_aborted(&mut job, now).await?
                }
                _ => Outcome::Unchanged,
            };
            if job == before {
                return Ok((job, outcome));
            }
            if before.status.state != job.status.state {
                info!(
                    job = %job.metadata.name,
                    name = %job.spec.job,
                    from = before.status.state.as_ref().map_or("", ProwJobState::as_str),
                    to = job.status.state.as_ref().map_or("", ProwJobState::as_str),
                    "Transitioning states."
                );
            }
            match self.store.update(job).await {
                Ok(stored) => return Ok((stored, outcome)),
                Err(StoreError::Conflict(name)) if attempt < CONFLICT_RETRIES => {
                    attempt += 1;
                    debug!(job = %name, attempt, "plank: conflict, reading the job again");
                    job = self.store.get(&name).await?;
                }
                Err(err) => return Err(err.into()),
            }
        }
    }

    /// Marks the job `name` aborted because a newer run supersedes it; false when it has
    /// finished meanwhile.
    async fn supersede(&self, name: &str) -> Result<bool, PlankError> {
        for _ in 0..=CONFLICT_RETRIES {
            let mut job = self.store.get(name).await?;
            if job.complete()
                || !matches!(
                    job.status.state,
                    Some(ProwJobState::Triggered | ProwJobState::Pending)
                )
            {
                return Ok(false);
            }
            info!(
                job = %job.metadata.name,
                name = %job.spec.job,
                from = job.status.state.as_ref().map_or("", ProwJobState::as_str),
                to = "aborted",
                "Transitioning states."
            );
            job.status.state = Some(ProwJobState::Aborted);
            job.status.description = DESCRIPTION_SUPERSEDED.to_string();
            for reporter in &self.reporter_names {
                job.status
                    .prev_report_states
                    .insert(reporter.clone(), ProwJobState::Aborted);
            }
            match self.store.update(job).await {
                Ok(_) => return Ok(true),
                Err(StoreError::Conflict(_)) => continue,
                Err(err) => return Err(err.into()),
            }
        }
        Err(StoreError::Conflict(name.to_string()).into())
    }

    /// An aborted job that is not complete: stop its run and complete it.
    async fn sync_aborted(
        &self,
        job: &mut ProwJob,
        now: DateTime<Utc>,
    ) -> Result<Outcome, PlankError> {
        self.abort_run(job).await?;
        job.set_complete(now);
        Ok(Outcome::Finished(ProwJobState::Aborted))
    }

    async fn abort_run(&self, job: &ProwJob) -> Result<(), PlankError> {
        match self.executor.abort(job).await {
            Ok(()) | Err(ExecutorError::NotFound(_)) => Ok(()),
            Err(err) => Err(err.into()),
        }
    }

    async fn sync_triggered(
        &self,
        job: &mut ProwJob,
        now: DateTime<Utc>,
        plank: &PlankConfig,
        hold: &Hold<'_>,
    ) -> Result<Outcome, PlankError> {
        let execution = match self.executor.status(job).await {
            // A run exists already (plank stopped between starting it and recording it).
            Ok(execution) => execution,
            Err(ExecutorError::NotFound(_)) => {
                let reason = match hold {
                    Hold::Decided(reason) => reason.clone(),
                    Hold::Live(live) => held_by(job, plank, live),
                };
                if let Some(reason) = reason {
                    info!(job = %job.metadata.name, name = %job.spec.job, %reason,
                        "Not starting the job yet.");
                    return Ok(Outcome::Held);
                }
                if job.status.build_id.is_empty() {
                    job.status.build_id = self.build_id(now);
                }
                match self.executor.start(job).await {
                    Ok(execution) => execution,
                    Err(err @ ExecutorError::Unsupported(_)) => {
                        return Ok(unprocessable(job, &err, now));
                    }
                    Err(err) => return Err(err.into()),
                }
            }
            Err(err) => return Err(err.into()),
        };
        if job.status.build_id.is_empty() {
            job.status.build_id = self.build_id(now);
        }
        job.status.pending_time = Some(now);
        job.status.state = Some(ProwJobState::Pending);
        job.status.pod_name = execution.name;
        job.status.description = DESCRIPTION_TRIGGERED.to_string();
        job.status.url = job_url(plank, job);
        Ok(Outcome::Started)
    }

    async fn sync_pending(
        &self,
        job: &mut ProwJob,
        now: DateTime<Utc>,
        plank: &PlankConfig,
    ) -> Result<Outcome, PlankError> {
        let outcome = match self.executor.status(job).await {
            Ok(execution) => self.follow(job, execution, now, plank).await?,
            Err(ExecutorError::NotFound(_)) if job.status.pod_name.is_empty() => {
                // Pending without a run: start one.
                self.start_again(job, now).await?
            }
            Err(ExecutorError::NotFound(_)) => {
                let lost = Execution {
                    state: ExecutionState::Lost,
                    description: DESCRIPTION_DELETED.to_string(),
                    name: job.status.pod_name.clone(),
                    started: None,
                };
                self.follow(job, lost, now, plank).await?
            }
            Err(err) => return Err(err.into()),
        };
        job.status.url = job_url(plank, job);
        Ok(outcome)
    }

    /// Applies what the executor says of a pending job's run.
    async fn follow(
        &self,
        job: &mut ProwJob,
        execution: Execution,
        now: DateTime<Utc>,
        plank: &PlankConfig,
    ) -> Result<Outcome, PlankError> {
        let finish = |job: &mut ProwJob, state: ProwJobState, description: &str| {
            job.set_complete(now);
            job.status.state = Some(state.clone());
            job.status.description = description.to_string();
            Outcome::Finished(state)
        };
        let timeouts = Timeouts::of(plank, job);
        let pending_since = job
            .status
            .pending_time
            .or(job.status.start_time)
            .or(job.metadata.creation_timestamp);
        let outcome = match execution.state {
            ExecutionState::Succeeded => finish(job, ProwJobState::Success, DESCRIPTION_SUCCEEDED),
            ExecutionState::Failed => finish(job, ProwJobState::Failure, DESCRIPTION_FAILED),
            ExecutionState::Error => {
                info!(job = %job.metadata.name, reason = %execution.description,
                    "The run cannot be completed, marking the job errored.");
                finish(job, ProwJobState::Error, &execution.description)
            }
            ExecutionState::Unscheduled => {
                if elapsed(pending_since, now) >= Some(timeouts.unscheduled) {
                    self.abort_run(job).await?;
                    info!(job = %job.metadata.name, "Marked job for stale unscheduled pod as errored.");
                    finish(job, ProwJobState::Error, DESCRIPTION_UNSCHEDULED_TIMEOUT)
                } else {
                    Outcome::Unchanged
                }
            }
            ExecutionState::Pending => {
                let since = execution.started.or(pending_since);
                if elapsed(since, now) >= Some(timeouts.pending) {
                    self.abort_run(job).await?;
                    info!(job = %job.metadata.name, "Marked job for stale pending pod as errored.");
                    finish(job, ProwJobState::Error, DESCRIPTION_PENDING_TIMEOUT)
                } else {
                    Outcome::Unchanged
                }
            }
            ExecutionState::Running => {
                if elapsed(execution.started, now) >= Some(timeouts.running) {
                    self.abort_run(job).await?;
                    info!(job = %job.metadata.name, "Aborted job for stale running pod.");
                    finish(job, ProwJobState::Aborted, DESCRIPTION_RUNNING_TIMEOUT)
                } else {
                    Outcome::Unchanged
                }
            }
            ExecutionState::Evicted if job.spec.error_on_eviction => {
                info!(job = %job.metadata.name, "Pods Node got evicted, fail job.");
                finish(job, ProwJobState::Error, DESCRIPTION_EVICTED)
            }
            ExecutionState::Evicted | ExecutionState::Lost => {
                let cause = if execution.state == ExecutionState::Evicted {
                    "evicted"
                } else {
                    "unknown"
                };
                if job.status.pod_revival_count >= timeouts.max_revivals {
                    info!(job = %job.metadata.name, cause, "Pod Node reached max retries, fail job.");
                    let description = if execution.description == DESCRIPTION_DELETED {
                        DESCRIPTION_DELETED.to_string()
                    } else {
                        format!(
                            "Job pod reached max revivals ({}) after being stopped unexpectedly ({cause})",
                            job.status.pod_revival_count
                        )
                    };
                    finish(job, ProwJobState::Error, &description)
                } else {
                    job.status.pod_revival_count += 1;
                    info!(job = %job.metadata.name, cause,
                        "Pod has stopped unexpectedly, starting it again");
                    match self.start_again(job, now).await? {
                        Outcome::Started => Outcome::Revived,
                        other => other,
                    }
                }
            }
        };
        Ok(outcome)
    }

    /// Starts a run for a pending job that has none (any more).
    async fn start_again(
        &self,
        job: &mut ProwJob,
        now: DateTime<Utc>,
    ) -> Result<Outcome, PlankError> {
        if job.status.build_id.is_empty() {
            job.status.build_id = self.build_id(now);
        }
        match self.executor.start(job).await {
            Ok(execution) => {
                info!(job = %job.metadata.name, "Pod is missing, starting a new pod");
                job.status.pod_name = execution.name;
                Ok(Outcome::Started)
            }
            Err(err @ ExecutorError::Unsupported(_)) => Ok(unprocessable(job, &err, now)),
            Err(err) => Err(err.into()),
        }
    }

    /// A new build ID (a snowflake ID, as plank hands out without a `tot` server).
    fn build_id(&self, now: DateTime<Utc>) -> String {
        self.build_ids.next_id_at(now)
    }
}

/// Errors a job the executor cannot run.
fn unprocessable(job: &mut ProwJob, err: &ExecutorError, now: DateTime<Utc>) -> Outcome {
    warn!(job = %job.metadata.name, error = %err, "Unprocessable pod.");
    job.status.state = Some(ProwJobState::Error);
    job.set_complete(now);
    job.status.description = format!("Pod can not be created: {err}");
    Outcome::Finished(ProwJobState::Error)
}

fn tally(report: &mut PlankSyncReport, outcome: Outcome) {
    match outcome {
        Outcome::Unchanged => {}
        Outcome::Held => report.held += 1,
        Outcome::Started => report.started += 1,
        Outcome::Revived => report.revived += 1,
        Outcome::Finished(state) => report.finish(&state),
    }
}

/// The URL of `job`'s results, as Deck and the reporters link it; empty (logged) when it
/// cannot be computed, as upstream.
fn job_url(plank: &PlankConfig, job: &ProwJob) -> String {
    pjutil::job_url(plank, job).unwrap_or_else(|err| {
        warn!(job = %job.metadata.name, error = %err, "failed to get jobURL");
        String::new()
    })
}

/// Whether plank owns `job`: the `kubernetes` agent (or none, which defaults to it), in
/// the ProwJob namespace (or none), not complete, and past `scheduling`.
fn is_planks(job: &ProwJob, namespace: &str) -> bool {
    let agent_ok = match &job.spec.agent {
        None => true,
        Some(agent) => *agent == ProwJobAgent::Kubernetes,
    };
    let namespace_ok = job.metadata.namespace.is_empty() || job.metadata.namespace == namespace;
    agent_ok
        && namespace_ok
        && !job.complete()
        && job.status.state != Some(ProwJobState::Scheduling)
}

/// The timeouts and revival limit in force for one job: the job's decoration config over
/// plank's config over upstream's defaults.
struct Timeouts {
    unscheduled: TimeDelta,
    pending: TimeDelta,
    running: TimeDelta,
    max_revivals: i64,
}

impl Timeouts {
    fn of(plank: &PlankConfig, job: &ProwJob) -> Timeouts {
        let dc = job.spec.decoration_config.as_ref();
        let pick = |own: Option<prow_core::duration::GoDuration>,
                    global: Option<prow_core::duration::GoDuration>,
                    default: Duration| {
            let chosen = own.or(global).map_or(default, |d| d.as_std());
            TimeDelta::from_std(chosen).unwrap_or(TimeDelta::MAX)
        };
        Timeouts {
            unscheduled: pick(
                dc.and_then(|d| d.pod_unscheduled_timeout),
                plank.pod_unscheduled_timeout,
                DEFAULT_POD_UNSCHEDULED_TIMEOUT,
            ),
            pending: pick(
                dc.and_then(|d| d.pod_pending_timeout),
                plank.pod_pending_timeout,
                DEFAULT_POD_PENDING_TIMEOUT,
            ),
            running: pick(
                dc.and_then(|d| d.pod_running_timeout),
                plank.pod_running_timeout,
                DEFAULT_POD_RUNNING_TIMEOUT,
            ),
            max_revivals: plank.max_revivals.unwrap_or(DEFAULT_MAX_REVIVALS),
        }
    }
}

fn elapsed(since: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<TimeDelta> {
    since.map(|since| now - since)
}

/// Why `job` may not start now, if a limit holds it: `plank.max_concurrency` (pending jobs
/// overall), the job's `max_concurrency` and its job queue's capacity (pending jobs of the
/// same name or queue, plus older triggered ones).
fn held_by(job: &ProwJob, plank: &PlankConfig, live: &[ProwJob]) -> Option<String> {
    Limits::new(plank, live).check(job, Bound::Upper)
}

/// How the limits weigh a triggered job in one sync, for a wave of starts.
enum Hold<'a> {
    /// Decided before the wave: the reason the job is held, if it is.
    Decided(Option<String>),
    /// Worked out from these jobs when it comes to it.
    Live(&'a [ProwJob]),
}

/// What the limits say of a triggered job while a wave of older jobs is being started.
enum Decision {
    Start,
    Held(String),
    /// It depends on how the wave's starts end.
    Unsure,
}

/// Which end of a wave's possible outcomes a count takes: every job in it started
/// (`Upper`), or none of them started nor left waiting (`Lower`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Bound {
    Lower,
    Upper,
}

/// The counts plank's limits need over one sync, kept as triggered jobs are started oldest
/// first so that each check costs a lookup instead of a pass over every job.
struct Limits<'a> {
    plank: &'a PlankConfig,
    /// Pending jobs overall.
    pending: i64,
    /// Jobs of the wave being started.
    wave: i64,
    by_job: HashMap<String, Scope>,
    by_queue: HashMap<String, Scope>,
}

/// Counts over the jobs of one name or one job queue.
#[derive(Default)]
struct Scope {
    pending: i64,
    /// Creation times of the jobs that were triggered when the counts were taken, sorted.
    triggered: Vec<Option<DateTime<Utc>>>,
    /// Creation times of those no longer triggered or in the wave, oldest first.
    gone: Vec<Option<DateTime<Utc>>>,
    /// How many of the wave's jobs are in this scope (the newest entries of `gone`).
    wave: i64,
}

impl Scope {
    /// Jobs ahead of one created at `created`: pending ones, and older triggered ones.
    fn ahead(&self, created: Option<DateTime<Utc>>, bound: Bound) -> i64 {
        let older = |times: &[Option<DateTime<Utc>>]| times.partition_point(|t| *t < created);
        let waiting = older(&self.triggered) as i64 - older(&self.gone) as i64;
        let wave = if bound == Bound::Upper { self.wave } else { 0 };
        self.pending + waiting + wave
    }

    fn enter(&mut self, created: Option<DateTime<Utc>>) {
        self.gone.push(created);
        self.wave += 1;
    }

    fn end_wave(&mut self) {
        let kept = self.gone.len() - self.wave as usize;
        self.gone.truncate(kept);
        self.wave = 0;
    }

    fn settle(&mut self, created: Option<DateTime<Utc>>, state: Option<&ProwJobState>) {
        match state {
            Some(ProwJobState::Triggered) => {}
            Some(ProwJobState::Pending) => {
                self.pending += 1;
                self.gone.push(created);
            }
            _ => self.gone.push(created),
        }
    }
}

impl<'a> Limits<'a> {
    fn new(plank: &'a PlankConfig, live: &[ProwJob]) -> Limits<'a> {
        let mut limits = Limits {
            plank,
            pending: 0,
            wave: 0,
            by_job: HashMap::new(),
            by_queue: HashMap::new(),
        };
        for job in live {
            let state = job.status.state.as_ref();
            if state == Some(&ProwJobState::Pending) {
                limits.pending += 1;
            }
            for scope in limits.scopes(job) {
                match state {
                    Some(ProwJobState::Pending) => scope.pending += 1,
                    Some(ProwJobState::Triggered) => {
                        scope.triggered.push(job.metadata.creation_timestamp);
                    }
                    _ => {}
                }
            }
        }
        for scope in limits
            .by_job
            .values_mut()
            .chain(limits.by_queue.values_mut())
        {
            scope.triggered.sort_unstable();
        }
        limits
    }

    /// The scopes `job` counts in: its name, and its job queue if it has one.
    fn scopes(&mut self, job: &ProwJob) -> impl Iterator<Item = &mut Scope> {
        let by_job = self.by_job.entry(job.spec.job.clone()).or_default();
        let queue = &job.spec.job_queue_name;
        let by_queue = (!queue.is_empty()).then(|| self.by_queue.entry(queue.clone()).or_default());
        std::iter::once(by_job).chain(by_queue)
    }

    /// Why `job` may not start, counting the wave's jobs at `bound`.
    fn check(&self, job: &ProwJob, bound: Bound) -> Option<String> {
        let wave = if bound == Bound::Upper { self.wave } else { 0 };
        let plank = self.plank;
        if plank.max_concurrency > 0 {
            let running = self.pending + wave;
            if running >= plank.max_concurrency {
                return Some(format!("already {running} running"));
            }
        }
        let created = job.metadata.creation_timestamp;
        let ahead = |scopes: &HashMap<String, Scope>, key: &str| {
            scopes.get(key).map_or(0, |s| s.ahead(created, bound))
        };
        if job.spec.max_concurrency > 0 {
            let ahead = ahead(&self.by_job, &job.spec.job);
            if ahead >= job.spec.max_concurrency {
                return Some(format!(
                    "have {ahead} instances of {} that are pending or older, {} is the limit",
                    job.spec.job, job.spec.max_concurrency
                ));
            }
        }
        let queue = &job.spec.job_queue_name;
        if !queue.is_empty() {
            match plank.job_queue_capacities.get(queue) {
                None => {
                    if bound == Bound::Upper {
                        error!(job = %job.metadata.name, queue = %queue,
                            "failed to match queue name with Plank configuration");
                    }
                    return Some(format!("job queue {queue} is not configured"));
                }
                Some(&capacity) if capacity < 0 => {}
                Some(&capacity) => {
                    let ahead = ahead(&self.by_queue, queue);
                    if ahead >= capacity {
                        return Some(format!(
                            "have {ahead} instances in queue {queue} that are pending or older, {capacity} is the limit"
                        ));
                    }
                }
            }
        }
        None
    }

    /// Whether `job`, next oldest after the wave, starts whatever becomes of the wave.
    fn decide(&self, job: &ProwJob) -> Decision {
        match self.check(job, Bound::Upper) {
            None => Decision::Start,
            Some(reason) if self.wave == 0 => Decision::Held(reason),
            Some(_) => match self.check(job, Bound::Lower) {
                Some(reason) => Decision::Held(reason),
                None => Decision::Unsure,
            },
        }
    }

    /// Adds `job` to the wave.
    fn enter(&mut self, job: &ProwJob) {
        self.wave += 1;
        let created = job.metadata.creation_timestamp;
        for scope in self.scopes(job) {
            scope.enter(created);
        }
    }

    /// Ends the wave: `states` holds, oldest first, each wave job's index in `live` (the
    /// job as it was before the wave) and the state it is in now.
    fn settle(&mut self, live: &[ProwJob], states: &[(usize, Option<ProwJobState>)]) {
        self.wave = 0;
        for (index, _) in states {
            for scope in self.scopes(&live[*index]) {
                scope.end_wave();
            }
        }
        for (index, state) in states {
            let job = &live[*index];
            if state.as_ref() == Some(&ProwJobState::Pending) {
                self.pending += 1;
            }
            let created = job.metadata.creation_timestamp;
            for scope in self.scopes(job) {
                scope.settle(created, state.as_ref());
            }
        }
    }
}

/// The presubmits among `jobs` a newer run of the same job on the same refs supersedes
/// (the newer run is the one with the later `status.startTime`).
fn superseded(jobs: &[ProwJob]) -> Vec<String> {
    let mut newest: BTreeMap<String, &ProwJob> = BTreeMap::new();
    let mut older = Vec::new();
    for job in jobs {
        if job.complete() || job.spec.type_ != Some(ProwJobType::Presubmit) {
            continue;
        }
        let key = identity(job);
        match newest.get(&key) {
            None => {
                newest.insert(key, job);
            }
            Some(prev) => {
                // Later start wins; within the same second (times are kept to the second, as
                // Kubernetes keeps them), the later name does: names are time-ordered UUIDs.
                let newer = (&job.status.start_time, &job.metadata.name)
                    > (&prev.status.start_time, &prev.metadata.name);
                if newer {
                    older.push(prev.metadata.name.clone());
                    newest.insert(key, job);
                } else {
                    older.push(job.metadata.name.clone());
                }
            }
        }
    }
    older
}

/// What makes two presubmit runs the same: type, job name, and each repository with its
/// base ref and pull numbers.
fn identity(job: &ProwJob) -> String {
    let mut parts = vec![
        job.spec
            .type_
            .as_ref()
            .map(|t| t.to_string())
            .unwrap_or_default(),
        job.spec.job.clone(),
    ];
    parts.extend(job.spec.refs.iter().map(digest_refs));
    parts.extend(job.spec.extra_refs.iter().map(digest_refs));
    parts.sort();
    parts.join(",")
}

fn digest_refs(refs: &Refs) -> String {
    let mut pulls: Vec<i64> = refs.pulls.iter().map(|p| p.number).collect();
    pulls.sort_unstable();
    format!("{}/{}@{} {:?}", refs.org, refs.repo, refs.base_ref, pulls)
}

/// A scriptable in-memory [`JobExecutor`] for the controllers' tests.
#[cfg(test)]
pub(crate) mod fake {
    use std::collections::{BTreeMap, BTreeSet};
    use std::sync::Mutex;

    use async_trait::async_trait;
    use prow_core::prowjob::ProwJob;
    use prow_core::traits::{Execution, ExecutionState, ExecutorError, JobExecutor, RunInfo};

    /// What the fake executor holds and what it was asked to do.
    #[derive(Default)]
    pub(crate) struct State {
        /// The current run of each job, by ProwJob name.
        pub runs: BTreeMap<String, Execution>,
        /// What sinker sees.
        pub infos: Vec<RunInfo>,
        /// Jobs `start` refuses as unsupported.
        pub unsupported: BTreeSet<String>,
        /// Jobs whose `start` fails in the backend.
        pub broken_start: BTreeSet<String>,
        /// Jobs whose `abort` fails in the backend.
        pub broken_abort: BTreeSet<String>,
        /// Runs whose `delete_run` fails.
        pub broken_delete: BTreeSet<String>,
        /// Names of the runs started, in order.
        pub started: Vec<String>,
        /// Jobs aborted, in order.
        pub aborted: Vec<String>,
        /// Runs deleted, in order.
        pub deleted: Vec<String>,
    }

    /// The fake executor.
    #[derive(Default)]
    pub(crate) struct FakeExecutor {
        pub state: Mutex<State>,
    }

    impl FakeExecutor {
        pub fn lock(&self) -> std::sync::MutexGuard<'_, State> {
            self.state.lock().unwrap()
        }

        /// Gives `job` a run in `state`.
        pub fn set(
            &self,
            job: &str,
            state: ExecutionState,
            started: Option<chrono::DateTime<chrono::Utc>>,
        ) {
            self.lock().runs.insert(
                job.to_string(),
                Execution {
                    state,
                    description: String::new(),
                    name: job.to_string(),
                    started,
                },
            );
        }
    }

    #[async_trait]
    impl JobExecutor for FakeExecutor {
        async fn start(&self, job: &ProwJob) -> Result<Execution, ExecutorError> {
            let name = &job.metadata.name;
            let mut state = self.lock();
            if state.unsupported.contains(name) {
                return Err(ExecutorError::Unsupported("no pod spec".into()));
            }
            if state.broken_start.contains(name) {
                return Err(ExecutorError::Backend("api server down".into()));
            }
            if let Some(run) = state.runs.get(name).filter(|r| !r.state.is_finished()) {
                return Ok(run.clone());
            }
            let prior = state.started.iter().filter(|s| s.starts_with(name)).count();
            let generation = if state.runs.contains_key(name) {
                prior.max(1)
            } else {
                prior
            };
            let run_name = if generation == 0 {
                name.clone()
            } else {
                format!("{name}-{generation}")
            };
            let run = Execution {
                state: ExecutionState::Unscheduled,
                description: String::new(),
                name: run_name.clone(),
                started: None,
            };
            state.runs.insert(name.clone(), run.clone());
            state.started.push(run_name);
            Ok(run)
        }

        async fn status(&self, job: &ProwJob) -> Result<Execution, ExecutorError> {
            self.lock()
                .runs
                .get(&job.metadata.name)
                .cloned()
                .ok_or_else(|| ExecutorError::NotFound(job.metadata.name.clone()))
        }

        async fn abort(&self, job: &ProwJob) -> Result<(), ExecutorError> {
            let name = &job.metadata.name;
            let mut state = self.lock();
            if state.broken_abort.contains(name) {
                return Err(ExecutorError::Backend("api server down".into()));
            }
            let Some(run) = state.runs.get_mut(name) else {
                return Err(ExecutorError::NotFound(name.clone()));
            };
            if !run.state.is_finished() {
                run.state = ExecutionState::Failed;
            }
            state.aborted.push(name.clone());
            Ok(())
        }

        async fn logs(&self, job: &ProwJob) -> Result<String, ExecutorError> {
            Err(ExecutorError::NotFound(job.metadata.name.clone()))
        }

        async fn runs(&self) -> Result<Vec<RunInfo>, ExecutorError> {
            Ok(self.lock().infos.clone())
        }

        async fn delete_run(&self, run: &RunInfo) -> Result<(), ExecutorError> {
            let mut state = self.lock();
            if state.broken_delete.contains(&run.name) {
                return Err(ExecutorError::Backend("api server down".into()));
            }
            let before = state.infos.len();
            state.infos.retain(|r| r.name != run.name);
            if state.infos.len() == before {
                return Err(ExecutorError::NotFound(run.name.clone()));
            }
            state.deleted.push(run.name.clone());
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use chrono::TimeZone;
    use prow_core::duration::GoDuration;
    use prow_core::prowjob::{DecorationConfig, ObjectMeta, ProwJobSpec, ProwJobStatus, Pull};

    use super::fake::FakeExecutor;
    use super::*;
    use crate::store::MemoryStore;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
    }

    fn minutes(m: i64) -> TimeDelta {
        TimeDelta::minutes(m)
    }

    /// A presubmit of `job` on kubernetes/test-infra#42, created `age` before [`now`].
    fn pj(name: &str, job: &str, state: ProwJobState, age: TimeDelta) -> ProwJob {
        let created = now() - age;
        ProwJob::new(
            ObjectMeta {
                name: name.into(),
                namespace: "default".into(),
                creation_timestamp: Some(created),
                ..Default::default()
            },
            ProwJobSpec {
                type_: Some(ProwJobType::Presubmit),
                agent: Some(ProwJobAgent::Kubernetes),
                job: job.into(),
                refs: Some(Refs {
                    org: "kubernetes".into(),
                    repo: "test-infra".into(),
                    base_ref: "master".into(),
                    pulls: vec![Pull {
                        number: 42,
                        ..Default::default()
                    }],
                    ..Default::default()
                }),
                ..Default::default()
            },
            ProwJobStatus {
                start_time: Some(created),
                state: Some(state),
                ..Default::default()
            },
        )
    }

    /// A pending job whose run plank started `age` ago.
    fn pending(name: &str, age: TimeDelta) -> ProwJob {
        let mut job = pj(name, name, ProwJobState::Pending, age);
        job.status.pending_time = Some(now() - age);
        job.status.pod_name = name.into();
        job.status.build_id = "1".into();
        job
    }

    fn defaulted() -> Config {
        let mut config = Config::default();
        config.prow.set_defaults();
        config
    }

    struct Fixture {
        store: Arc<MemoryStore>,
        executor: Arc<FakeExecutor>,
        plank: Plank,
        _config: watch::Sender<Arc<Config>>,
    }

    async fn fixture(plank_config: PlankConfig, jobs: Vec<ProwJob>) -> Fixture {
        let store = Arc::new(MemoryStore::new());
        for job in jobs {
            store.create(job).await.unwrap();
        }
        let executor = Arc::new(FakeExecutor::default());
        let mut config = Config::default();
        config.prow.plank = plank_config;
        config.prow.set_defaults();
        let (tx, rx) = watch::channel(Arc::new(config));
        let plank = Plank::new(store.clone(), executor.clone(), rx);
        Fixture {
            store,
            executor,
            plank,
            _config: tx,
        }
    }

    impl Fixture {
        async fn get(&self, name: &str) -> ProwJob {
            self.store.get(name).await.unwrap()
        }
    }

    #[tokio::test]
    async fn triggered_job_is_started() {
        let f = fixture(
            PlankConfig::default(),
            vec![pj("blabla", "unit", ProwJobState::Triggered, minutes(1))],
        )
        .await;
        let report = f.plank.sync(now()).await.unwrap();
        assert_eq!(report.started, 1);
        let job = f.get("blabla").await;
        assert_eq!(job.status.state, Some(ProwJobState::Pending));
        assert_eq!(job.status.pending_time, Some(now()));
        assert_eq!(job.status.pod_name, "blabla");
        assert_eq!(job.status.description, DESCRIPTION_TRIGGERED);
        assert!(!job.status.build_id.is_empty());
        assert!(!job.complete());
        assert_eq!(f.executor.lock().started, ["blabla"]);
    }

    #[tokio::test]
    async fn triggered_job_limits() {
        struct Case {
            name: &'static str,
            global: i64,
            job_limit: i64,
            others: Vec<ProwJob>,
            starts: bool,
        }
        let cases = [
            Case {
                name: "max concurrency 1 with a pending run of the same job holds",
                global: 0,
                job_limit: 1,
                others: vec![pending_named("same-42", "unit")],
                starts: false,
            },
            Case {
                name: "max concurrency 1 with a pending run of another job can start",
                global: 0,
                job_limit: 1,
                others: vec![pending_named("other-42", "e2e")],
                starts: true,
            },
            Case {
                name: "do not exceed global max concurrency",
                global: 1,
                job_limit: 0,
                others: vec![pending_named("other-42", "e2e")],
                starts: false,
            },
            Case {
                name: "global max concurrency allows new jobs when possible",
                global: 2,
                job_limit: 0,
                others: vec![pending_named("other-42", "e2e")],
                starts: true,
            },
        ];
        for case in cases {
            let mut job = pj("beer", "unit", ProwJobState::Triggered, minutes(1));
            job.spec.max_concurrency = case.job_limit;
            let mut jobs = case.others;
            jobs.push(job);
            let plank = PlankConfig {
                max_concurrency: case.global,
                ..Default::default()
            };
            let f = fixture(plank, jobs).await;
            let report = f.plank.sync(now()).await.unwrap();
            let state = f.get("beer").await.status.state;
            if case.starts {
                assert_eq!(state, Some(ProwJobState::Pending), "{}", case.name);
                assert_eq!(report.started, 1, "{}", case.name);
            } else {
                assert_eq!(state, Some(ProwJobState::Triggered), "{}", case.name);
                assert_eq!(report.held, 1, "{}", case.name);
            }
        }
    }

    fn pending_named(name: &str, job: &str) -> ProwJob {
        let mut p = pending(name, minutes(2));
        p.spec.job = job.into();
        // A different pull, so it supersedes nothing.
        p.spec.refs.as_mut().unwrap().pulls[0].number = 7;
        p
    }

    #[tokio::test]
    async fn job_url_comes_from_the_template() {
        let plank = PlankConfig {
            job_url_template: "https://prow.example.com/view/{{.Spec.Job}}/{{.Status.BuildID}}"
                .into(),
            ..Default::default()
        };
        let f = fixture(
            plank,
            vec![pj("blabla", "unit", ProwJobState::Triggered, minutes(1))],
        )
        .await;
        f.plank.sync(now()).await.unwrap();
        let job = f.get("blabla").await;
        assert_eq!(
            job.status.url,
            format!("https://prow.example.com/view/unit/{}", job.status.build_id)
        );
        assert_eq!(job.status.build_id.len(), 19, "a snowflake ID");
    }

    #[tokio::test]
    async fn unprocessable_job_is_errored() {
        let f = fixture(
            PlankConfig::default(),
            vec![pj("beer", "unit", ProwJobState::Triggered, minutes(1))],
        )
        .await;
        f.executor.lock().unsupported.insert("beer".into());
        let report = f.plank.sync(now()).await.unwrap();
        let job = f.get("beer").await;
        assert_eq!(job.status.state, Some(ProwJobState::Error));
        assert_eq!(job.status.completion_time, Some(now()));
        assert_eq!(
            job.status.description,
            "Pod can not be created: cannot run prowjob: no pod spec"
        );
        assert_eq!(report.finished[&ProwJobState::Error], 1);
    }

    #[tokio::test]
    async fn backend_error_starting_leaves_job_triggered() {
        let f = fixture(
            PlankConfig::default(),
            vec![pj("beer", "unit", ProwJobState::Triggered, minutes(1))],
        )
        .await;
        f.executor.lock().broken_start.insert("beer".into());
        let report = f.plank.sync(now()).await.unwrap();
        assert_eq!(report.errors, 1);
        let job = f.get("beer").await;
        assert_eq!(job.status.state, Some(ProwJobState::Triggered));
        assert!(job.status.build_id.is_empty());
    }

    #[tokio::test]
    async fn triggered_job_with_a_run_already_is_adopted_not_started_again() {
        let f = fixture(
            PlankConfig::default(),
            vec![pj("foo", "unit", ProwJobState::Triggered, minutes(1))],
        )
        .await;
        f.executor
            .set("foo", ExecutionState::Running, Some(now() - minutes(1)));
        f.plank.sync(now()).await.unwrap();
        let job = f.get("foo").await;
        assert_eq!(job.status.state, Some(ProwJobState::Pending));
        assert_eq!(job.status.pod_name, "foo");
        assert!(f.executor.lock().started.is_empty());
    }

    #[tokio::test]
    async fn a_run_that_cannot_be_completed_errors_the_job_with_its_reason() {
        let f = fixture(
            PlankConfig::default(),
            vec![pj("gone", "unit", ProwJobState::Pending, minutes(1))],
        )
        .await;
        f.executor.lock().runs.insert(
            "gone".into(),
            Execution {
                state: ExecutionState::Error,
                description: "The job's process was lost when prow restarted.".into(),
                name: "gone".into(),
                started: None,
            },
        );
        let report = f.plank.sync(now()).await.unwrap();
        assert_eq!(report.finished.get(&ProwJobState::Error), Some(&1));
        let job = f.get("gone").await;
        assert_eq!(job.status.state, Some(ProwJobState::Error));
        assert_eq!(
            job.status.description,
            "The job's process was lost when prow restarted."
        );
        assert!(job.complete());
        assert!(
            f.executor.lock().started.is_empty(),
            "an errored run is not revived"
        );
    }

    #[tokio::test]
    async fn sync_pending_job() {
        struct Case {
            name: &'static str,
            job: ProwJob,
            run: Option<(ExecutionState, Option<DateTime<Utc>>)>,
            plank: PlankConfig,
            state: ProwJobState,
            description: &'static str,
            complete: bool,
            aborted: bool,
            started: &'static [&'static str],
            revivals: i64,
        }
        let base = |name: &'static str| Case {
            name,
            job: pending("boop-42", minutes(1)),
            run: None,
            plank: PlankConfig::default(),
            state: ProwJobState::Pending,
            description: "",
            complete: false,
            aborted: false,
            started: &[],
            revivals: 0,
        };
        let running_since = |m| Some((ExecutionState::Running, Some(now() - minutes(m))));
        let evicted = Some((ExecutionState::Evicted, None));
        let lost = Some((ExecutionState::Lost, None));
        let at_max_revivals = {
            let mut job = pending("boop-42", minutes(1));
            job.status.pod_revival_count = 3;
            job
        };
        let mut cases = vec![
            Case {
                job: {
                    let mut job = pending("boop-41", minutes(1));
                    job.status.pod_name.clear();
                    job
                },
                started: &["boop-41"],
                ..base("reset when pod goes missing")
            },
            Case {
                started: &["boop-42"],
                revivals: 1,
                ..base("a vanished run is revived")
            },
            Case {
                job: at_max_revivals.clone(),
                state: ProwJobState::Error,
                description: DESCRIPTION_DELETED,
                complete: true,
                revivals: 3,
                ..base("a vanished run past max revivals errors the job")
            },
            Case {
                run: Some((ExecutionState::Succeeded, Some(now() - minutes(1)))),
                state: ProwJobState::Success,
                description: DESCRIPTION_SUCCEEDED,
                complete: true,
                ..base("succeeded pod")
            },
            Case {
                run: Some((ExecutionState::Failed, Some(now() - minutes(1)))),
                state: ProwJobState::Failure,
                description: DESCRIPTION_FAILED,
                complete: true,
                ..base("failed pod")
            },
            Case {
                run: evicted.clone(),
                started: &["boop-42-1"],
                revivals: 1,
                ..base("evicted pod is started again")
            },
            Case {
                job: {
                    let mut job = pending("boop-42", minutes(1));
                    job.spec.error_on_eviction = true;
                    job
                },
                run: evicted.clone(),
                state: ProwJobState::Error,
                description: DESCRIPTION_EVICTED,
                complete: true,
                ..base("evicted pod with error_on_eviction errors the job")
            },
            Case {
                job: at_max_revivals.clone(),
                run: evicted.clone(),
                state: ProwJobState::Error,
                description: "Job pod reached max revivals (3) after being stopped unexpectedly (evicted)",
                complete: true,
                revivals: 3,
                ..base("evicted pod with revival count at max revivals errors the job")
            },
            Case {
                run: lost.clone(),
                started: &["boop-42-1"],
                revivals: 1,
                ..base("a pod in unknown state is started again")
            },
            Case {
                job: at_max_revivals,
                run: lost,
                state: ProwJobState::Error,
                description: "Job pod reached max revivals (3) after being stopped unexpectedly (unknown)",
                complete: true,
                revivals: 3,
                ..base("a lost pod at max revivals errors the job")
            },
            Case {
                run: evicted,
                plank: PlankConfig {
                    max_revivals: Some(0),
                    ..Default::default()
                },
                state: ProwJobState::Error,
                description: "Job pod reached max revivals (0) after being stopped unexpectedly (evicted)",
                complete: true,
                ..base("max revivals 0 never revives")
            },
            Case {
                run: running_since(5),
                ..base("running pod")
            },
            Case {
                run: Some((ExecutionState::Pending, Some(now() - minutes(11)))),
                state: ProwJobState::Error,
                description: DESCRIPTION_PENDING_TIMEOUT,
                complete: true,
                aborted: true,
                ..base("stale pending prow job")
            },
            Case {
                job: with_dc(
                    pending("boop-42", minutes(3)),
                    DecorationConfig {
                        pod_pending_timeout: Some(go_minutes(2)),
                        ..Default::default()
                    },
                ),
                run: Some((ExecutionState::Pending, Some(now() - minutes(3)))),
                state: ProwJobState::Error,
                description: DESCRIPTION_PENDING_TIMEOUT,
                complete: true,
                aborted: true,
                ..base("stale pending prow job with specific podPendingTimeout")
            },
            Case {
                run: running_since(48 * 60 + 1),
                state: ProwJobState::Aborted,
                description: DESCRIPTION_RUNNING_TIMEOUT,
                complete: true,
                aborted: true,
                ..base("stale running prow job")
            },
            Case {
                job: with_dc(
                    pending("boop-42", minutes(3)),
                    DecorationConfig {
                        pod_running_timeout: Some(go_minutes(2)),
                        ..Default::default()
                    },
                ),
                run: running_since(3),
                state: ProwJobState::Aborted,
                description: DESCRIPTION_RUNNING_TIMEOUT,
                complete: true,
                aborted: true,
                ..base("stale running prow job with specific podRunningTimeout")
            },
            Case {
                job: pending("boop-42", minutes(6)),
                run: Some((ExecutionState::Unscheduled, None)),
                state: ProwJobState::Error,
                description: DESCRIPTION_UNSCHEDULED_TIMEOUT,
                complete: true,
                aborted: true,
                ..base("stale unschedulable prow job")
            },
            Case {
                job: with_dc(
                    pending("boop-42", minutes(2)),
                    DecorationConfig {
                        pod_unscheduled_timeout: Some(go_minutes(1)),
                        ..Default::default()
                    },
                ),
                run: Some((ExecutionState::Unscheduled, None)),
                state: ProwJobState::Error,
                description: DESCRIPTION_UNSCHEDULED_TIMEOUT,
                complete: true,
                aborted: true,
                ..base("stale unschedulable prow job with specific podUnscheduledTimeout")
            },
            Case {
                run: Some((ExecutionState::Pending, Some(now() - minutes(9)))),
                ..base("pending, created less than podPendingTimeout ago")
            },
            Case {
                job: pending("boop-42", minutes(4)),
                run: Some((ExecutionState::Unscheduled, None)),
                ..base("unscheduled, created less than podUnscheduledTimeout ago")
            },
            Case {
                plank: PlankConfig {
                    pod_running_timeout: Some(go_minutes(10)),
                    ..Default::default()
                },
                run: running_since(11),
                state: ProwJobState::Aborted,
                description: DESCRIPTION_RUNNING_TIMEOUT,
                complete: true,
                aborted: true,
                ..base("plank's pod_running_timeout applies")
            },
        ];
        for case in cases.drain(..) {
            let name = case.job.metadata.name.clone();
            let f = fixture(case.plank, vec![case.job.clone()]).await;
            if let Some((state, started)) = case.run {
                f.executor.set(&name, state, started);
            }
            f.plank.sync(now()).await.unwrap();
            let job = f.get(&name).await;
            assert_eq!(job.status.state, Some(case.state), "{}", case.name);
            if !case.description.is_empty() {
                assert_eq!(job.status.description, case.description, "{}", case.name);
            }
            assert_eq!(job.complete(), case.complete, "{}", case.name);
            if case.complete {
                assert_eq!(job.status.completion_time, Some(now()), "{}", case.name);
            }
            let executor = f.executor.lock();
            assert_eq!(
                executor.aborted.contains(&name),
                case.aborted,
                "{}",
                case.name
            );
            assert_eq!(executor.started, case.started, "{}", case.name);
            assert_eq!(job.status.pod_revival_count, case.revivals, "{}", case.name);
            if let Some(run) = case.started.last() {
                assert_eq!(&job.status.pod_name, run, "{}", case.name);
            }
        }
    }

    fn with_dc(mut job: ProwJob, dc: DecorationConfig) -> ProwJob {
        job.spec.decoration_config = Some(dc);
        job
    }

    fn go_minutes(m: u64) -> GoDuration {
        GoDuration::from_std(Duration::from_secs(m * 60))
    }

    #[tokio::test]
    async fn terminate_dupes() {
        let at = |name: &str, job: &str, pull: i64, age: i64, state: ProwJobState| {
            let mut j = pj(name, job, state, minutes(age));
            j.spec.refs.as_mut().unwrap().pulls[0].number = pull;
            j
        };
        let mut complete = at("complete", "j1", 1, 0, ProwJobState::Success);
        complete.status.completion_time = Some(now());
        let mut periodic = at("periodic-old", "j4", 1, 5, ProwJobState::Pending);
        periodic.spec.type_ = Some(ProwJobType::Periodic);
        let periodic_new = {
            let mut j = at("periodic-new", "j4", 1, 1, ProwJobState::Pending);
            j.spec.type_ = Some(ProwJobType::Periodic);
            j
        };
        let jobs = vec![
            at("newest", "j1", 1, 1, ProwJobState::Pending),
            at("old", "j1", 1, 5, ProwJobState::Pending),
            at("older", "j1", 1, 10, ProwJobState::Triggered),
            complete,
            at("newest_j2", "j2", 1, 1, ProwJobState::Pending),
            at("old_j2", "j2", 1, 5, ProwJobState::Pending),
            at("old_j3", "j3", 1, 5, ProwJobState::Pending),
            at("new_j3", "j3", 1, 1, ProwJobState::Pending),
            at("other_pull", "j1", 2, 10, ProwJobState::Pending),
            periodic,
            periodic_new,
        ];
        let f = fixture(PlankConfig::default(), jobs.clone()).await;
        for job in &jobs {
            if job.status.state == Some(ProwJobState::Pending) {
                f.executor
                    .set(&job.metadata.name, ExecutionState::Running, Some(now()));
            }
        }
        let report = f.plank.sync(now()).await.unwrap();
        let expected: BTreeSet<&str> = ["old", "older", "old_j2", "old_j3"].into();
        assert_eq!(report.superseded, 4);
        for job in &jobs {
            let name = job.metadata.name.as_str();
            let stored = f.get(name).await;
            if expected.contains(name) {
                assert_eq!(stored.status.state, Some(ProwJobState::Aborted), "{name}");
                assert_eq!(stored.status.description, DESCRIPTION_SUPERSEDED, "{name}");
                assert!(stored.complete(), "{name} is completed");
                for reporter in DEFAULT_REPORTER_NAMES {
                    assert_eq!(
                        stored.status.prev_report_states.get(*reporter),
                        Some(&ProwJobState::Aborted),
                        "{name}: {reporter}"
                    );
                }
            } else {
                assert_ne!(stored.status.state, Some(ProwJobState::Aborted), "{name}");
            }
        }
        let aborted: BTreeSet<String> = f.executor.lock().aborted.iter().cloned().collect();
        // "older" never started, so only the runs that exist were stopped.
        assert_eq!(
            aborted,
            ["old", "old_j2", "old_j3"].map(String::from).into()
        );
        assert!(f.executor.lock().started.is_empty(), "older is not started");
    }

    #[test]
    fn max_concurrency() {
        struct Case {
            name: &'static str,
            job_limit: i64,
            queue: &'static str,
            capacity: Option<i64>,
            others: Vec<(&'static str, ProwJobState, i64)>,
            held: bool,
        }
        let base = |name| Case {
            name,
            job_limit: 0,
            queue: "",
            capacity: None,
            others: vec![],
            held: false,
        };
        let cases = [
            Case {
                others: vec![("unit", ProwJobState::Pending, 1)],
                ..base("max concurrency 0 always runs")
            },
            Case {
                job_limit: 2,
                others: vec![
                    ("unit", ProwJobState::Pending, 1),
                    ("unit", ProwJobState::Pending, 1),
                    ("unit", ProwJobState::Pending, 1),
                ],
                held: true,
                ..base("num pending exceeds max concurrency")
            },
            Case {
                job_limit: 2,
                others: vec![
                    ("unit", ProwJobState::Pending, 1),
                    ("unit", ProwJobState::Triggered, 20),
                ],
                held: true,
                ..base("num pending plus older instances equals max concurrency")
            },
            Case {
                job_limit: 2,
                others: vec![
                    ("unit", ProwJobState::Pending, 1),
                    ("unit", ProwJobState::Triggered, 20),
                    ("unit", ProwJobState::Triggered, 30),
                ],
                held: true,
                ..base("num pending plus older instances exceeds max concurrency")
            },
            Case {
                job_limit: 2,
                others: vec![
                    ("unit", ProwJobState::Pending, 1),
                    ("unit", ProwJobState::Triggered, 1),
                    ("unit", ProwJobState::Triggered, 2),
                ],
                ..base("have other jobs that are newer, can execute")
            },
            Case {
                job_limit: 2,
                others: vec![
                    ("unit", ProwJobState::Pending, 1),
                    ("unit", ProwJobState::Success, 20),
                ],
                ..base("have older jobs that are not triggered, can execute")
            },
            Case {
                queue: "queue",
                capacity: Some(0),
                held: true,
                ..base("job queue capacity 0 never runs")
            },
            Case {
                queue: "queue",
                capacity: Some(-1),
                others: vec![("unit", ProwJobState::Pending, 1)],
                ..base("job queue capacity -1 always runs")
            },
            Case {
                job_limit: 10,
                queue: "queue",
                capacity: Some(2),
                others: vec![
                    ("unit", ProwJobState::Pending, 1),
                    ("unit", ProwJobState::Pending, 1),
                ],
                held: true,
                ..base("num pending within max concurrency but exceeds job queue concurrency")
            },
            Case {
                queue: "nowhere",
                held: true,
                ..base("an unconfigured job queue holds the job")
            },
        ];
        for case in cases {
            let mut job = pj("me", "unit", ProwJobState::Triggered, minutes(10));
            job.spec.max_concurrency = case.job_limit;
            job.spec.job_queue_name = case.queue.into();
            let mut live = vec![job.clone()];
            for (i, (name, state, age)) in case.others.iter().enumerate() {
                let mut other = pj(&format!("other-{i}"), name, state.clone(), minutes(*age));
                other.spec.job_queue_name = case.queue.into();
                live.push(other);
            }
            let mut plank = PlankConfig::default();
            if let Some(capacity) = case.capacity {
                plank
                    .job_queue_capacities
                    .insert(case.queue.into(), capacity);
            }
            let held = held_by(&job, &plank, &live).is_some();
            assert_eq!(held, case.held, "{}", case.name);
        }
    }

    #[tokio::test]
    async fn max_concurrency_with_newly_triggered_jobs() {
        let mk = |name: &str, age: i64| {
            let mut job = pj(name, "unit", ProwJobState::Triggered, minutes(age));
            job.spec.max_concurrency = 1;
            job.spec.refs.as_mut().unwrap().pulls[0].number = age;
            job
        };
        let f = fixture(
            PlankConfig::default(),
            vec![mk("second", 1), mk("first", 2)],
        )
        .await;
        let report = f.plank.sync(now()).await.unwrap();
        assert_eq!((report.started, report.held), (1, 1));
        assert_eq!(
            f.get("first").await.status.state,
            Some(ProwJobState::Pending),
            "the older job starts"
        );
        assert_eq!(
            f.get("second").await.status.state,
            Some(ProwJobState::Triggered)
        );

        // Once the first finishes, the second starts.
        f.executor.set("first", ExecutionState::Succeeded, None);
        let report = f.plank.sync(now()).await.unwrap();
        assert_eq!(report.started, 1);
        assert_eq!(
            f.get("second").await.status.state,
            Some(ProwJobState::Pending)
        );
    }

    #[tokio::test]
    async fn limits_see_every_older_start_within_a_sync() {
        struct Case {
            name: &'static str,
            global: i64,
            job_limit: i64,
            queue_capacity: Option<i64>,
            broken: &'static [&'static str],
            unsupported: &'static [&'static str],
            pending: &'static [&'static str],
        }
        let cases = [
            Case {
                name: "a failed start leaves its slot to the next job",
                global: 3,
                job_limit: 0,
                queue_capacity: None,
                broken: &["j1"],
                unsupported: &[],
                pending: &["j0", "j2", "j3"],
            },
            Case {
                name: "an unprocessable job leaves its place in the job's limit",
                global: 0,
                job_limit: 2,
                queue_capacity: None,
                broken: &[],
                unsupported: &["j0"],
                pending: &["j1", "j2"],
            },
            Case {
                name: "an older job left waiting still counts in its queue",
                global: 0,
                job_limit: 0,
                queue_capacity: Some(2),
                broken: &["j0"],
                unsupported: &[],
                pending: &["j1"],
            },
            Case {
                name: "no limits start every job",
                global: 0,
                job_limit: 0,
                queue_capacity: None,
                broken: &[],
                unsupported: &[],
                pending: &["j0", "j1", "j2", "j3", "j4", "j5"],
            },
        ];
        for case in cases {
            for workers in [1, 2, DEFAULT_WORKERS] {
                let jobs = (0..6)
                    .map(|i| {
                        let mut job = pj(
                            &format!("j{i}"),
                            "unit",
                            ProwJobState::Triggered,
                            minutes(60 - i),
                        );
                        job.spec.type_ = Some(ProwJobType::Periodic);
                        job.spec.max_concurrency = case.job_limit;
                        if case.queue_capacity.is_some() {
                            job.spec.job_queue_name = "queue".into();
                        }
                        job
                    })
                    .collect();
                let mut config = PlankConfig {
                    max_concurrency: case.global,
                    ..Default::default()
                };
                if let Some(capacity) = case.queue_capacity {
                    config.job_queue_capacities.insert("queue".into(), capacity);
                }
                let f = fixture(config, jobs).await;
                {
                    let mut state = f.executor.lock();
                    state.broken_start = case.broken.iter().map(|s| s.to_string()).collect();
                    state.unsupported = case.unsupported.iter().map(|s| s.to_string()).collect();
                }
                let Fixture {
                    store,
                    plank,
                    _config,
                    ..
                } = f;
                let report = plank.with_workers(workers).sync(now()).await.unwrap();
                let mut pending = Vec::new();
                for job in store.list(&JobSelector::default()).await.unwrap() {
                    if job.status.state == Some(ProwJobState::Pending) {
                        pending.push(job.metadata.name);
                    }
                }
                pending.sort();
                assert_eq!(pending, case.pending, "{} ({workers} workers)", case.name);
                assert_eq!(
                    report.started,
                    case.pending.len(),
                    "{} ({workers} workers)",
                    case.name
                );
                assert_eq!(
                    report.errors,
                    case.broken.len(),
                    "{} ({workers} workers)",
                    case.name
                );
            }
        }
    }

    #[tokio::test]
    async fn sync_aborted_job() {
        struct Case {
            name: &'static str,
            has_run: bool,
            broken: bool,
            complete: bool,
        }
        let cases = [
            Case {
                name: "the run is stopped",
                has_run: true,
                broken: false,
                complete: true,
            },
            Case {
                name: "no run there",
                has_run: false,
                broken: false,
                complete: true,
            },
            Case {
                name: "a failed abort does not complete the job",
                has_run: true,
                broken: true,
                complete: false,
            },
        ];
        for case in cases {
            let job = pj("my-pj", "unit", ProwJobState::Aborted, minutes(1));
            let f = fixture(PlankConfig::default(), vec![job]).await;
            if case.has_run {
                f.executor
                    .set("my-pj", ExecutionState::Running, Some(now()));
            }
            if case.broken {
                f.executor.lock().broken_abort.insert("my-pj".into());
            }
            let report = f.plank.sync(now()).await.unwrap();
            let job = f.get("my-pj").await;
            assert_eq!(job.complete(), case.complete, "{}", case.name);
            assert_eq!(
                job.status.state,
                Some(ProwJobState::Aborted),
                "{}",
                case.name
            );
            assert_eq!(report.errors, usize::from(case.broken), "{}", case.name);
            if case.has_run && !case.broken {
                assert_eq!(f.executor.lock().aborted, ["my-pj"], "{}", case.name);
            }
        }
    }

    #[tokio::test]
    async fn jobs_plank_does_not_own_are_left_alone() {
        let mut jenkins = pj("jenkins", "a", ProwJobState::Triggered, minutes(1));
        jenkins.spec.agent = Some(ProwJobAgent::Jenkins);
        let mut elsewhere = pj("elsewhere", "b", ProwJobState::Triggered, minutes(1));
        elsewhere.metadata.namespace = "other".into();
        let scheduling = pj("scheduling", "c", ProwJobState::Scheduling, minutes(1));
        let mut no_agent = pj("no-agent", "d", ProwJobState::Triggered, minutes(1));
        no_agent.spec.agent = None;
        let f = fixture(
            PlankConfig::default(),
            vec![jenkins, elsewhere, scheduling, no_agent],
        )
        .await;
        let report = f.plank.sync(now()).await.unwrap();
        assert_eq!(report.started, 1, "only the job with the default agent");
        assert_eq!(f.executor.lock().started, ["no-agent"]);
        for name in ["jenkins", "elsewhere"] {
            assert_eq!(
                f.get(name).await.status.state,
                Some(ProwJobState::Triggered)
            );
        }
    }

    /// A store whose first update of each job conflicts, after another writer changed the
    /// job's description.
    struct Contended {
        inner: MemoryStore,
        conflicted: std::sync::Mutex<BTreeSet<String>>,
    }

    #[async_trait::async_trait]
    impl JobStore for Contended {
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
            let first = self
                .conflicted
                .lock()
                .unwrap()
                .insert(job.metadata.name.clone());
            if first {
                let mut other = self.inner.get(&job.metadata.name).await?;
                other.status.description = "touched by another writer".into();
                self.inner.update(other).await?;
            }
            self.inner.update(job).await
        }
        async fn delete(&self, name: &str) -> Result<(), StoreError> {
            self.inner.delete(name).await
        }
        async fn watch(&self) -> Result<Box<dyn prow_core::traits::JobWatch>, StoreError> {
            self.inner.watch().await
        }
    }

    #[tokio::test]
    async fn a_conflicting_update_is_read_again_and_retried() {
        let store = Arc::new(Contended {
            inner: MemoryStore::new(),
            conflicted: Default::default(),
        });
        store
            .create(pj("beer", "unit", ProwJobState::Triggered, minutes(1)))
            .await
            .unwrap();
        let executor = Arc::new(FakeExecutor::default());
        let (_tx, rx) = watch::channel(Arc::new(defaulted()));
        let plank = Plank::new(store.clone(), executor.clone(), rx);
        let report = plank.sync(now()).await.unwrap();
        assert_eq!((report.started, report.errors), (1, 0));
        let job = store.get("beer").await.unwrap();
        assert_eq!(job.status.state, Some(ProwJobState::Pending));
        assert_eq!(job.status.description, DESCRIPTION_TRIGGERED);
        assert_eq!(executor.lock().started, ["beer"], "started once");
    }

    #[tokio::test]
    async fn config_changes_apply_on_the_next_sync() {
        let f = fixture(PlankConfig::default(), vec![pending("boop-42", minutes(1))]).await;
        f.executor.set(
            "boop-42",
            ExecutionState::Running,
            Some(now() - minutes(20)),
        );
        f.plank.sync(now()).await.unwrap();
        assert_eq!(
            f.get("boop-42").await.status.state,
            Some(ProwJobState::Pending)
        );
        let mut config = Config::default();
        config.prow.plank.pod_running_timeout = Some(go_minutes(15));
        config.prow.set_defaults();
        f._config.send(Arc::new(config)).unwrap();
        f.plank.sync(now()).await.unwrap();
        assert_eq!(
            f.get("boop-42").await.status.state,
            Some(ProwJobState::Aborted)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn run_starts_jobs_as_they_are_created_and_stops_on_shutdown() {
        let store = Arc::new(MemoryStore::new());
        let executor = Arc::new(FakeExecutor::default());
        let (_tx, rx) = watch::channel(Arc::new(defaulted()));
        let plank = Plank::new(store.clone(), executor.clone(), rx)
            .with_resync_period(Duration::from_secs(3600));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(plank.run(async {
            let _ = stopped.await;
        }));
        // Let plank open its watch before the job appears.
        tokio::time::sleep(Duration::from_secs(1)).await;
        let mut job = pj("beer", "unit", ProwJobState::Triggered, minutes(1));
        job.metadata.creation_timestamp = None;
        store.create(job).await.unwrap();
        let mut state = None;
        for _ in 0..100 {
            tokio::time::sleep(Duration::from_secs(1)).await;
            state = store.get("beer").await.unwrap().status.state;
            if state == Some(ProwJobState::Pending) {
                break;
            }
        }
        assert_eq!(
            state,
            Some(ProwJobState::Pending),
            "the watch event drove a sync"
        );
        stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(60), task)
            .await
            .expect("plank stops on shutdown")
            .unwrap();
    }
}
