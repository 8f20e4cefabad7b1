//! Crier: watches the ProwJob store and tells each reporter (GitHub, Slack, your own) about
//! every job state it has not reported yet, recording what it reported in the job.
//!
//! A reporter is any [`Reporter`] or any `tower::Service<ProwJob>` answering
//! [`ReportOutcome`], so stock tower layers (timeout, concurrency limit, rate limit, retry)
//! wrap it. Each reporter gets its own work queue and pool of workers:
//!
//! - every change the store's watch sends, and every job of a full listing (at start, each
//!   time the watch ends, and every [`CrierOptions::resync_period`]), is queued for each
//!   reporter that should report it and whose `status.prev_report_states[name]` differs from
//!   the job's `status.state`;
//! - a worker reads the job again and calls the reporter. On [`ReportOutcome::Reported`] the
//!   reported state is written to `prev_report_states` under the reporter's name (read again
//!   and retried on a conflict, touching no other reporter's entry);
//!   [`ReportOutcome::RetryAfter`] queues the job again after that long; an error is logged
//!   and retried with exponential backoff.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! use std::sync::Arc;
//! use std::time::Duration;
//!
//! use prow_core::prowjob::ProwJob;
//! use prow_core::traits::{ReportOutcome, ReporterError};
//! use prow_jobs::crier::{Crier, CrierReporter};
//! use prow_jobs::store::MemoryStore;
//!
//! // Any tower service can report; here a closure, behind a stock timeout layer.
//! let print = tower::service_fn(|job: ProwJob| async move {
//!     println!("{} is {:?}", job.spec.job, job.status.state);
//!     Ok::<_, ReporterError>(ReportOutcome::Reported)
//! });
//! let reporter = CrierReporter::from_service("printer", print)
//!     .layer(tower::timeout::TimeoutLayer::new(Duration::from_secs(30)))
//!     .with_workers(2);
//!
//! let crier = Crier::new(Arc::new(MemoryStore::new())).with_reporter(reporter);
//! // Runs until the future passed resolves.
//! crier.run(async {}).await.unwrap();
//! # });
//! ```

pub mod github;
mod queue;
pub mod slack;
mod template;

pub use template::prowjob_template_data;

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use prow_core::prowjob::{ProwJob, Refs};
use prow_core::traits::{
    JobSelector, JobStore, JobWatch, ReportOutcome, Reporter, ReporterError, ReporterService,
    StoreError, WatchEvent,
};
use tokio::task::JoinSet;
use tower::util::BoxCloneService;
use tower::{Layer, Service, ServiceExt};
use tracing::{Instrument, debug, error, info, warn};

use queue::WorkQueue;

/// Where a reporter reads Prow's configuration: a getter returning the current one, so a
/// configuration reloaded while crier runs takes effect on the next report.
pub type ConfigGetter = Arc<dyn Fn() -> Arc<prow_core::config::prow::ProwConfig> + Send + Sync>;

/// The error type tower layers (timeout, load shedding) answer with.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A reporter as crier holds it: a boxed, cloneable tower service.
pub type ReporterBoxService = BoxCloneService<ProwJob, ReportOutcome, ReporterError>;

/// Whether a reporter reports a job at all (its `should_report`).
type Filter = Arc<dyn Fn(&ProwJob) -> bool + Send + Sync>;

/// Whether reporting is enabled for an `org`/`repo` (upstream's GitHub enablement options).
type Enablement = Arc<dyn Fn(&str, &str) -> bool + Send + Sync>;

/// One reporter as crier runs it: its name (the key in `status.prev_report_states`), the
/// service that reports, an optional `should_report` filter, and how many workers call it.
#[derive(Clone)]
pub struct CrierReporter {
    name: String,
    service: ReporterBoxService,
    filter: Option<Filter>,
    workers: usize,
}

impl fmt::Debug for CrierReporter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CrierReporter")
            .field("name", &self.name)
            .field("filter", &self.filter.is_some())
            .field("workers", &self.workers)
            .finish_non_exhaustive()
    }
}

impl CrierReporter {
    /// A [`Reporter`]: named by [`Reporter::name`], filtered by [`Reporter::should_report`],
    /// called through [`ReporterService`]. One worker until [`CrierReporter::with_workers`].
    pub fn new<R: Reporter + ?Sized + 'static>(reporter: Arc<R>) -> Self {
        let name = reporter.name().to_owned();
        let filter_reporter = Arc::clone(&reporter);
        CrierReporter {
            name,
            service: BoxCloneService::new(ReporterService::new(reporter)),
            filter: Some(Arc::new(move |job: &ProwJob| {
                filter_reporter.should_report(job)
            })),
            workers: 1,
        }
    }

    /// Any tower service that reports a ProwJob, named `name` (its key in
    /// `status.prev_report_states`). Errors that are not a [`ReporterError`] (a tower
    /// timeout, say) become [`ReporterError::Failed`]. The service is cloned once per worker:
    /// layers whose clones share state (concurrency limit) limit across workers.
    pub fn from_service<S>(name: impl Into<String>, service: S) -> Self
    where
        S: Service<ProwJob, Response = ReportOutcome> + Clone + Send + 'static,
        S::Error: Into<BoxError>,
        S::Future: Send + 'static,
    {
        CrierReporter {
            name: name.into(),
            service: box_service(service),
            filter: None,
            workers: 1,
        }
    }

    /// Wraps the reporter's service in a tower layer (timeout, concurrency limit, rate
    /// limit, retry, tracing).
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: Layer<ReporterBoxService>,
        L::Service: Service<ProwJob, Response = ReportOutcome> + Clone + Send + 'static,
        <L::Service as Service<ProwJob>>::Error: Into<BoxError>,
        <L::Service as Service<ProwJob>>::Future: Send + 'static,
    {
        self.service = box_service(layer.layer(self.service));
        self
    }

    /// Only jobs `filter` accepts are reported (in addition to a [`Reporter`]'s own
    /// `should_report`).
    pub fn with_filter(
        mut self,
        filter: impl Fn(&ProwJob) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.filter = Some(match self.filter.take() {
            Some(before) => Arc::new(move |job: &ProwJob| before(job) && filter(job)),
            None => Arc::new(filter),
        });
        self
    }

    /// How many jobs this reporter reports at once (upstream's `--github-workers`,
    /// `--slack-workers`); at least one.
    pub fn with_workers(mut self, workers: usize) -> Self {
        self.workers = workers.max(1);
        self
    }

    /// The reporter's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// How many workers call the reporter.
    pub fn workers(&self) -> usize {
        self.workers
    }
}

fn box_service<S>(service: S) -> ReporterBoxService
where
    S: Service<ProwJob, Response = ReportOutcome> + Clone + Send + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
{
    BoxCloneService::new(service.map_err(|e: S::Error| into_reporter_error(e.into())))
}

fn into_reporter_error(err: BoxError) -> ReporterError {
    match err.downcast::<ReporterError>() {
        Ok(err) => *err,
        Err(other) => ReporterError::Failed(other.to_string()),
    }
}

/// How crier paces itself.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CrierOptions {
    /// How often every job is listed and looked at again, besides the watch (default 1h).
    pub resync_period: Duration,
    /// The first retry delay after a failure; doubled on each failure in a row (default 5ms,
    /// as a Kubernetes controller's queue).
    pub backoff_base: Duration,
    /// The longest retry delay (default 1000s).
    pub backoff_max: Duration,
    /// How often recording a report is retried on a conflict before it is given up (and the
    /// job reported again later) (default 5).
    pub conflict_retries: u32,
}

impl Default for CrierOptions {
    fn default() -> Self {
        CrierOptions {
            resync_period: Duration::from_secs(3600),
            backoff_base: Duration::from_millis(5),
            backoff_max: Duration::from_secs(1000),
            conflict_retries: 5,
        }
    }
}

impl CrierOptions {
    /// Sets [`CrierOptions::resync_period`].
    pub fn with_resync_period(mut self, period: Duration) -> Self {
        self.resync_period = period;
        self
    }

    /// Sets [`CrierOptions::backoff_base`] and [`CrierOptions::backoff_max`].
    pub fn with_backoff(mut self, base: Duration, max: Duration) -> Self {
        self.backoff_base = base;
        self.backoff_max = max;
        self
    }

    /// Sets [`CrierOptions::conflict_retries`].
    pub fn with_conflict_retries(mut self, retries: u32) -> Self {
        self.conflict_retries = retries;
        self
    }
}

/// Why crier cannot start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CrierError {
    /// No reporter was added (upstream: "crier need to have at least one report worker").
    #[error("crier need to have at least one report worker to start")]
    NoReporters,
    /// Two reporters share a name, and so one entry of `prev_report_states`.
    #[error("two reporters are named {0:?}")]
    DuplicateReporter(String),
}

/// The crier controller: a job store and the reporters it feeds.
pub struct Crier {
    store: Arc<dyn JobStore>,
    reporters: Vec<CrierReporter>,
    options: CrierOptions,
    enablement: Option<Enablement>,
}

impl fmt::Debug for Crier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Crier")
            .field("reporters", &self.reporters)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Crier {
    /// A crier over `store`, with no reporter yet and default options.
    pub fn new(store: Arc<dyn JobStore>) -> Self {
        Crier {
            store,
            reporters: Vec::new(),
            options: CrierOptions::default(),
            enablement: None,
        }
    }

    /// Adds a reporter.
    pub fn with_reporter(mut self, reporter: CrierReporter) -> Self {
        self.reporters.push(reporter);
        self
    }

    /// Sets the options.
    pub fn with_options(mut self, options: CrierOptions) -> Self {
        self.options = options;
        self
    }

    /// Reports only jobs with a ref (`spec.refs` or `spec.extra_refs`) whose `org`/`repo`
    /// `enabled` accepts; jobs without refs are always reported (upstream's GitHub
    /// enablement options). By default every repository is enabled.
    pub fn with_enablement(
        mut self,
        enabled: impl Fn(&str, &str) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.enablement = Some(Arc::new(enabled));
        self
    }

    /// Runs until `shutdown` resolves: watches the store, lists it at start, whenever the
    /// watch ends and every resync period, and reports through every reporter's workers.
    /// Store and reporter failures are logged and retried, never returned. On shutdown the
    /// workers finish the report they are making, then `run` returns.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) -> Result<(), CrierError> {
        if self.reporters.is_empty() {
            return Err(CrierError::NoReporters);
        }
        let mut names = std::collections::BTreeSet::new();
        for r in &self.reporters {
            if !names.insert(r.name.clone()) {
                return Err(CrierError::DuplicateReporter(r.name.clone()));
            }
        }

        let shared = Arc::new(Shared {
            store: self.store,
            enablement: self.enablement,
            options: self.options,
        });
        let mut tasks = JoinSet::new();
        let mut lanes = Vec::new();
        for reporter in self.reporters {
            let queue = Arc::new(WorkQueue::new(
                shared.options.backoff_base,
                shared.options.backoff_max,
            ));
            let lane = Arc::new(Lane {
                name: reporter.name,
                filter: reporter.filter,
                queue,
            });
            tasks.spawn({
                let lane = Arc::clone(&lane);
                async move { lane.queue.run_timer().await }
            });
            for worker in 0..reporter.workers {
                let lane = Arc::clone(&lane);
                let shared = Arc::clone(&shared);
                let service = reporter.service.clone();
                let span = tracing::info_span!("crier", reporter = %lane.name, worker);
                tasks.spawn(async move { lane.work(&shared, service).await }.instrument(span));
            }
            lanes.push(lane);
        }
        info!(
            reporters = ?lanes.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(),
            "crier started"
        );

        tokio::select! {
            _ = shutdown => {}
            _ = informer(&shared, &lanes) => {}
        }

        for lane in &lanes {
            lane.queue.shut_down();
        }
        while let Some(joined) = tasks.join_next().await {
            if let Err(err) = joined
                && err.is_panic()
            {
                error!(%err, "a crier worker panicked");
            }
        }
        info!("crier stopped");
        Ok(())
    }
}

/// What every worker shares.
struct Shared {
    store: Arc<dyn JobStore>,
    enablement: Option<Enablement>,
    options: CrierOptions,
}

impl Shared {
    /// Whether reporting is enabled for the job's repositories (upstream's `shouldHandle`):
    /// a job without refs always is; otherwise one enabled ref is enough.
    fn enabled(&self, job: &ProwJob) -> bool {
        let Some(enabled) = &self.enablement else {
            return true;
        };
        let refs: Vec<&Refs> = job.spec.refs.iter().chain(&job.spec.extra_refs).collect();
        refs.is_empty() || refs.iter().any(|r| enabled(&r.org, &r.repo))
    }
}

/// One reporter's name, filter and queue (its service lives in its workers).
struct Lane {
    name: String,
    filter: Option<Filter>,
    queue: Arc<WorkQueue>,
}

/// Whether `reporter` has reported `job`'s current state already. A job without a state has
/// nothing to report (nor could the report be recorded).
fn already_reported(job: &ProwJob, reporter: &str) -> bool {
    match &job.status.state {
        None => true,
        Some(state) => job.status.prev_report_states.get(reporter) == Some(state),
    }
}

impl Lane {
    /// Whether the job is worth queueing for this reporter.
    fn needs_report(&self, shared: &Shared, job: &ProwJob) -> bool {
        !already_reported(job, &self.name)
            && shared.enabled(job)
            && self.filter.as_ref().is_none_or(|f| f(job))
    }

    fn offer(&self, shared: &Shared, job: &ProwJob) {
        if self.needs_report(shared, job) {
            self.queue.add(&job.metadata.name);
        }
    }

    async fn work(&self, shared: &Shared, mut service: ReporterBoxService) {
        while let Some(name) = self.queue.get().await {
            let span = tracing::info_span!("report", prowjob = %name);
            self.process(shared, &mut service, &name)
                .instrument(span)
                .await;
            self.queue.done(&name);
        }
    }

    async fn process(&self, shared: &Shared, service: &mut ReporterBoxService, name: &str) {
        let reporter = self.name.as_str();
        let job = match shared.store.get(name).await {
            Ok(job) => job,
            Err(StoreError::NotFound(_)) => {
                debug!("prowjob no longer exists");
                self.queue.forget(name);
                return;
            }
            Err(err) => {
                let delay = self.queue.add_rate_limited(name);
                warn!(%err, ?delay, "failed to get prowjob; will retry");
                return;
            }
        };
        if !self.needs_report(shared, &job) {
            self.queue.forget(name);
            return;
        }
        let Some(state) = job.status.state.clone() else {
            return;
        };
        info!(job = %job.spec.job, state = %state, "will report state");
        let outcome = match service.ready().await {
            Ok(ready) => ready.call(job).await,
            Err(err) => Err(err),
        };
        match outcome {
            Ok(ReportOutcome::Reported) => {
                match record_report(shared, name, reporter, &state).await {
                    Ok(()) => {
                        info!(state = %state, "reported; recorded in prev_report_states");
                        self.queue.forget(name);
                    }
                    Err(err) => {
                        let delay = self.queue.add_rate_limited(name);
                        error!(%err, ?delay, "failed to update report state on prowjob");
                    }
                }
            }
            Ok(ReportOutcome::Skipped) => {
                debug!("reporter skipped the job");
                self.queue.forget(name);
            }
            Ok(ReportOutcome::RetryAfter(delay)) => {
                debug!(?delay, "reporter asked to retry later");
                self.queue.forget(name);
                self.queue.add_after(name, delay);
            }
            Err(err) => {
                let delay = self.queue.add_rate_limited(name);
                match err {
                    ReporterError::Invalid(_) => warn!(%err, ?delay, "failed to report job"),
                    _ => error!(%err, ?delay, "failed to report job"),
                }
            }
        }
    }
}

/// Records that `reporter` reported `state` on the job `name`: reads the job afresh, sets
/// only this reporter's entry, and retries on a conflict.
async fn record_report(
    shared: &Shared,
    name: &str,
    reporter: &str,
    state: &prow_core::prowjob::ProwJobState,
) -> Result<(), StoreError> {
    let mut attempt = 0;
    loop {
        let mut job = match shared.store.get(name).await {
            Ok(job) => job,
            // Deleted since: nothing left to record on.
            Err(StoreError::NotFound(_)) => return Ok(()),
            Err(err) => return Err(err),
        };
        if job.status.prev_report_states.get(reporter) == Some(state) {
            return Ok(());
        }
        job.status
            .prev_report_states
            .insert(reporter.to_owned(), state.clone());
        match shared.store.update(job).await {
            Ok(_) => return Ok(()),
            Err(StoreError::Conflict(n)) if attempt < shared.options.conflict_retries => {
                attempt += 1;
                debug!(prowjob = %n, attempt, "conflict recording report state; reading again");
            }
            Err(StoreError::NotFound(_)) => return Ok(()),
            Err(err) => return Err(err),
        }
    }
}

/// Feeds the queues: a listing, then the watch, listing again whenever the watch ends and
/// every resync period. Never returns.
async fn informer(shared: &Shared, lanes: &[Arc<Lane>]) {
    let mut failures: u32 = 0;
    let mut resync = tokio::time::interval_at(
        tokio::time::Instant::now() + shared.options.resync_period,
        shared.options.resync_period,
    );
    resync.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        // Watch first, then list, so no change between the two is missed.
        let watch = match shared.store.watch().await {
            Ok(watch) => watch,
            Err(err) => {
                let delay = informer_backoff(shared, &mut failures);
                warn!(%err, ?delay, "failed to watch prowjobs; will retry");
                tokio::time::sleep(delay).await;
                continue;
            }
        };
        if let Err(err) = list_all(shared, lanes).await {
            let delay = informer_backoff(shared, &mut failures);
            warn!(%err, ?delay, "failed to list prowjobs; will retry");
            tokio::time::sleep(delay).await;
            continue;
        }
        failures = 0;
        follow(shared, lanes, watch, &mut resync).await;
        debug!("prowjob watch ended; listing again");
    }
}

fn informer_backoff(shared: &Shared, failures: &mut u32) -> Duration {
    let exp = (*failures).min(31);
    *failures = failures.saturating_add(1);
    let base = shared.options.backoff_base.max(Duration::from_millis(100));
    base.checked_mul(1u32 << exp)
        .unwrap_or(shared.options.backoff_max)
        .min(shared.options.backoff_max)
}

async fn list_all(shared: &Shared, lanes: &[Arc<Lane>]) -> Result<(), StoreError> {
    let jobs = shared.store.list(&JobSelector::default()).await?;
    debug!(jobs = jobs.len(), "listed prowjobs");
    for job in &jobs {
        for lane in lanes {
            lane.offer(shared, job);
        }
    }
    Ok(())
}

/// Follows one watch until it ends, listing every resync period meanwhile.
async fn follow(
    shared: &Shared,
    lanes: &[Arc<Lane>],
    mut watch: Box<dyn JobWatch>,
    resync: &mut tokio::time::Interval,
) {
    loop {
        tokio::select! {
            event = watch.next() => match event {
                Some(WatchEvent::Added(job)) | Some(WatchEvent::Modified(job)) => {
                    for lane in lanes {
                        lane.offer(shared, &job);
                    }
                }
                Some(WatchEvent::Deleted(_)) => {}
                None => return,
            },
            _ = resync.tick() => {
                if let Err(err) = list_all(shared, lanes).await {
                    warn!(%err, "failed to list prowjobs for the resync");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
