//! horologium: starts periodic ProwJobs when they are due — by `interval` since the last
//! start, `minimum_interval` since the last completion, or a `cron` schedule — and retries.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use prow_core::config::Config;
use prow_core::config::jobs::Periodic;
use prow_core::cron::CronSchedule;
use prow_core::duration::GoDuration;
use prow_core::prowjob::labels::RE_RUN_LABEL;
use prow_core::prowjob::pjutil::{latest_jobs, new_prowjob, periodic_spec, require_scheduling};
use prow_core::prowjob::{ProwJob, ProwJobState, ProwJobType};
use prow_core::traits::{JobSelector, JobStore, StoreError};
use tokio::sync::watch;
use tracing::{debug, error, info, warn};

/// Upstream's cap on the attempts of a retried periodic, whatever `retry.attempts` says.
pub const MAX_RETRIES: i64 = 10;

/// What went wrong in a horologium pass as a whole (a failed create is counted in
/// [`HorologiumReport::errors`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HorologiumError {
    /// Listing the ProwJobs failed.
    #[error("error listing prow jobs: {0}")]
    Store(#[from] StoreError),
}

/// What one horologium pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HorologiumReport {
    /// The periodics a new run was created for, in config order, with the new ProwJob's
    /// name.
    pub triggered: Vec<(String, String)>,
    /// Periodics skipped because their schedule does not parse or they have none.
    pub invalid: Vec<String>,
    /// Creates that failed.
    pub errors: usize,
}

/// A cron periodic as horologium follows it: its schedule, and the instant up to which
/// its ticks have been looked at.
struct CronEntry {
    schedule: CronSchedule,
    checked: DateTime<Utc>,
}

/// The horologium controller.
pub struct Horologium {
    store: Arc<dyn JobStore>,
    config: watch::Receiver<Arc<Config>>,
    crons: BTreeMap<String, CronEntry>,
}

impl Horologium {
    /// A horologium creating periodics in `store` as the newest config's `periodics` say.
    pub fn new(store: Arc<dyn JobStore>, config: watch::Receiver<Arc<Config>>) -> Horologium {
        Horologium {
            store,
            config,
            crons: BTreeMap::new(),
        }
    }

    /// Syncs now, then every `horologium.tick_interval` (one minute by default, read again
    /// after each pass), until `shutdown` completes.
    pub async fn run(mut self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            match self.sync(Utc::now()).await {
                Ok(report) => debug!(?report, "horologium: sync done"),
                Err(err) => error!(error = %err, "Error syncing periodic jobs."),
            }
            let tick = self
                .config
                .borrow()
                .prow
                .horologium
                .effective_tick_interval();
            tokio::select! {
                _ = &mut shutdown => return,
                _ = tokio::time::sleep(tick) => {}
            }
        }
    }

    /// One pass at time `now`: for every configured periodic, looks at its newest ProwJob
    /// and creates a new run when one is due.
    ///
    /// - `interval`: the last run is complete and started more than `interval` ago;
    /// - `minimum_interval`: the last run is complete and completed more than
    ///   `minimum_interval` ago;
    /// - `cron`: a scheduled tick fell since the last pass (on the first pass, since the
    ///   last run started; `@every` schedules with no run yet are due at once) and the
    ///   last run is complete — a tick that falls while a run is going is skipped;
    /// - a periodic that never ran is due on its first interval pass or cron tick;
    /// - `retry`: a failed (or, with `run_all`, any) last run is run again after
    ///   `retry.interval`, up to `retry.attempts` (at most [`MAX_RETRIES`]), counting in the
    ///   `prow.k8s.io/re-run` label.
    pub async fn sync(&mut self, now: DateTime<Utc>) -> Result<HorologiumReport, HorologiumError> {
        let config = Arc::clone(&self.config.borrow());
        let namespace = config.prow.prowjob_namespace.clone();
        let jobs: Vec<ProwJob> = self
            .store
            .list(&JobSelector {
                job_type: Some(ProwJobType::Periodic),
                ..Default::default()
            })
            .await?
            .into_iter()
            .filter(|j| j.metadata.namespace.is_empty() || j.metadata.namespace == namespace)
            .collect();
        let latest = latest_jobs(&jobs, Some(ProwJobType::Periodic));
        let mut report = HorologiumReport::default();

        self.crons.retain(|name, _| {
            config
                .jobs
                .periodics
                .iter()
                .any(|p| &p.job_base.name == name && !p.cron.is_empty())
        });

        for periodic in &config.jobs.periodics {
            let name = &periodic.job_base.name;
            let previous = latest.get(name);
            let complete = previous.is_some_and(ProwJob::complete);
            let should_trigger = if periodic.cron.is_empty() {
                match interval_due(periodic, previous, now) {
                    Some(due) => due,
                    None => {
                        warn!(job = %name, "periodic has neither cron, interval nor minimum_interval");
                        report.invalid.push(name.clone());
                        continue;
                    }
                }
            } else {
                match self.cron_due(periodic, previous, now) {
                    Some(true) => complete,
                    Some(false) => {
                        debug!(job = %name, "Skipping cron periodic");
                        continue;
                    }
                    None => {
                        report.invalid.push(name.clone());
                        continue;
                    }
                }
            };
            let mut labels = periodic.job_base.labels.clone();
            let due = match previous {
                None => true,
                Some(_) if should_trigger => true,
                Some(previous) => match retry_attempt(periodic, previous, now) {
                    Some(attempt) => {
                        labels.insert(RE_RUN_LABEL.to_string(), attempt.to_string());
                        true
                    }
                    None => false,
                },
            };
            if !due {
                debug!(job = %name, "Trigger time has not yet been reached.");
                continue;
            }
            let mut job = new_prowjob(
                periodic_spec(periodic),
                &labels,
                &periodic.job_base.annotations,
                now,
            );
            require_scheduling(&mut job, config.prow.scheduler.enabled);
            job.metadata.namespace = namespace.clone();
            let job_name = job.metadata.name.clone();
            match self.store.create(job).await {
                Ok(_) => {
                    info!(job = %name, prowjob = %job_name, should_trigger,
                        previous_found = previous.is_some(), "Triggering new run.");
                    report.triggered.push((name.clone(), job_name));
                }
                Err(err) => {
                    error!(job = %name, error = %err, "Error creating prowjob.");
                    report.errors += 1;
                }
            }
        }
        Ok(report)
    }

    /// Whether a tick of `periodic`'s cron schedule fell since it was last looked at;
    /// `None` when the schedule does not parse.
    fn cron_due(
        &mut self,
        periodic: &Periodic,
        previous: Option<&ProwJob>,
        now: DateTime<Utc>,
    ) -> Option<bool> {
        let name = &periodic.job_base.name;
        let known = self
            .crons
            .get(name)
            .is_some_and(|e| e.schedule.as_str() == periodic.cron);
        if !known {
            let schedule = match CronSchedule::parse(&periodic.cron) {
                Ok(schedule) => schedule,
                Err(err) => {
                    error!(job = %name, cron = %periodic.cron, error = %err,
                        "cronAgent fails to add job");
                    self.crons.remove(name);
                    return None;
                }
            };
            // Ticks since the last run started are still owed; a periodic that never ran
            // waits for its next tick, except `@every`, which runs at once.
            let every = periodic.cron.trim_start().starts_with("@every");
            let since = previous
                .and_then(|p| p.status.start_time)
                .map(|t| t.min(now));
            let checked = match since {
                Some(start) => start,
                None if every => DateTime::<Utc>::MIN_UTC,
                None => now,
            };
            info!(job = %name, cron = %periodic.cron, "Added new cron job.");
            self.crons
                .insert(name.clone(), CronEntry { schedule, checked });
        }
        let entry = self.crons.get_mut(name)?;
        let due = if entry.checked == DateTime::<Utc>::MIN_UTC {
            true
        } else {
            entry
                .schedule
                .next_after(entry.checked)
                .is_some_and(|t| t <= now)
        };
        entry.checked = now;
        Some(due)
    }
}

fn go_duration(parsed: Option<Duration>, text: &str) -> Option<TimeDelta> {
    let duration = match parsed {
        Some(d) => d,
        None if text.is_empty() => return None,
        None => GoDuration::parse(text).ok()?.as_std(),
    };
    TimeDelta::from_std(duration).ok()
}

/// Whether an interval or minimum-interval periodic is due; `None` when it has neither.
fn interval_due(
    periodic: &Periodic,
    previous: Option<&ProwJob>,
    now: DateTime<Utc>,
) -> Option<bool> {
    let minimum = go_duration(
        periodic.minimum_interval_duration(),
        &periodic.minimum_interval,
    );
    let interval = go_duration(periodic.interval_duration(), &periodic.interval);
    let (reference, wait) = match (minimum, interval) {
        (Some(minimum), _) => (previous.and_then(|p| p.status.completion_time), minimum),
        (None, Some(interval)) => (previous.and_then(|p| p.status.start_time), interval),
        (None, None) => return None,
    };
    let complete = previous.is_some_and(ProwJob::complete);
    Some(complete && reference.is_none_or(|at| now - at > wait))
}

/// The attempt number of a retry of `previous` that is due now, if one is.
fn retry_attempt(periodic: &Periodic, previous: &ProwJob, now: DateTime<Utc>) -> Option<i64> {
    let retry = periodic.retry.as_ref()?;
    if !previous.complete() && !retry.run_all {
        return None;
    }
    let attempt = match previous.metadata.labels.get(RE_RUN_LABEL) {
        None => 1,
        Some(count) => match count.parse::<i64>() {
            Ok(count) => count + 1,
            Err(_) => {
                warn!(prowjob = %previous.metadata.name, "Failed to convert label value.");
                return None;
            }
        },
    };
    if attempt > retry.attempts.min(MAX_RETRIES) {
        return None;
    }
    let wait = go_duration(retry.interval_duration(), &retry.interval).unwrap_or_default();
    if previous
        .status
        .start_time
        .is_some_and(|started| now - started <= wait)
    {
        return None;
    }
    if !retry.run_all && previous.status.state == Some(ProwJobState::Success) {
        return None;
    }
    Some(attempt)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use prow_core::config::jobs::Retry;
    use prow_core::prowjob::labels::{CREATED_BY_PROW, PROW_JOB_ANNOTATION, PROW_JOB_TYPE_LABEL};
    use prow_core::prowjob::{ObjectMeta, ProwJobSpec, ProwJobStatus};

    use super::*;
    use crate::store::MemoryStore;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
    }

    const SECOND: TimeDelta = TimeDelta::seconds(1);
    const MINUTE: TimeDelta = TimeDelta::minutes(1);
    const HOUR: TimeDelta = TimeDelta::hours(1);

    /// The last run of `job`: started `started_ago`, completed `completed_ago` if set.
    fn last_run(
        job: &str,
        started_ago: TimeDelta,
        completed_ago: Option<TimeDelta>,
        state: ProwJobState,
    ) -> ProwJob {
        ProwJob::new(
            ObjectMeta {
                name: "previous".into(),
                namespace: "prowjobs".into(),
                ..Default::default()
            },
            ProwJobSpec {
                type_: Some(ProwJobType::Periodic),
                job: job.into(),
                ..Default::default()
            },
            ProwJobStatus {
                start_time: Some(now() - started_ago),
                completion_time: completed_ago.map(|c| now() - c),
                state: Some(state),
                ..Default::default()
            },
        )
    }

    fn periodic(edit: impl FnOnce(&mut Periodic)) -> Periodic {
        let mut p = Periodic::default();
        p.job_base.name = "j".into();
        edit(&mut p);
        p
    }

    fn config(periodics: Vec<Periodic>) -> Config {
        let mut config = Config::default();
        config.prow.prowjob_namespace = "prowjobs".into();
        config.jobs.periodics = periodics;
        config
    }

    struct Fixture {
        store: Arc<MemoryStore>,
        horologium: Horologium,
        config: watch::Sender<Arc<Config>>,
    }

    async fn fixture(config: Config, jobs: Vec<ProwJob>) -> Fixture {
        let store = Arc::new(MemoryStore::new());
        for job in jobs {
            store.create(job).await.unwrap();
        }
        let (tx, rx) = watch::channel(Arc::new(config));
        let horologium = Horologium::new(store.clone(), rx);
        Fixture {
            store,
            horologium,
            config: tx,
        }
    }

    /// The jobs created besides the seeded `previous`.
    async fn created(store: &MemoryStore) -> Vec<ProwJob> {
        store
            .list(&JobSelector::default())
            .await
            .unwrap()
            .into_iter()
            .filter(|j| j.metadata.name != "previous")
            .collect()
    }

    fn retry(run_all: bool, attempts: i64, interval: &str) -> Retry {
        let mut r = Retry::default();
        r.run_all = run_all;
        r.attempts = attempts;
        r.interval = interval.into();
        r
    }

    #[tokio::test]
    async fn sync_interval() {
        struct Case {
            name: &'static str,
            previous: Option<ProwJob>,
            retry: Option<Retry>,
            should_start: bool,
            retry_label: Option<&'static str>,
        }
        let run = |job: &str, ago, complete: bool, state| {
            last_run(job, ago, complete.then_some(SECOND), state)
        };
        let with_label = |mut job: ProwJob, n: &str| {
            job.metadata.labels.insert(RE_RUN_LABEL.into(), n.into());
            job
        };
        let failure = ProwJobState::Failure;
        let success = ProwJobState::Success;
        let cases = [
            Case {
                name: "no job",
                previous: None,
                retry: None,
                should_start: true,
                retry_label: None,
            },
            Case {
                name: "job with other name",
                previous: Some(run("not-j", HOUR, true, success.clone())),
                retry: None,
                should_start: true,
                retry_label: None,
            },
            Case {
                name: "old, complete job",
                previous: Some(run("j", HOUR, true, success.clone())),
                retry: None,
                should_start: true,
                retry_label: None,
            },
            Case {
                name: "old, incomplete job",
                previous: Some(run("j", HOUR, false, ProwJobState::Pending)),
                retry: None,
                should_start: false,
                retry_label: None,
            },
            Case {
                name: "new, complete job",
                previous: Some(run("j", SECOND, true, success.clone())),
                retry: None,
                should_start: false,
                retry_label: None,
            },
            Case {
                name: "new, incomplete job",
                previous: Some(run("j", SECOND, false, ProwJobState::Pending)),
                retry: None,
                should_start: false,
                retry_label: None,
            },
            Case {
                name: "complete job meant to be re-run",
                previous: Some(with_label(run("j", MINUTE, true, failure.clone()), "1")),
                retry: Some(retry(false, 3, "30s")),
                should_start: true,
                retry_label: Some("2"),
            },
            Case {
                name: "first retry of a failed job",
                previous: Some(run("j", MINUTE, true, failure.clone())),
                retry: Some(retry(false, 3, "30s")),
                should_start: true,
                retry_label: Some("1"),
            },
            Case {
                name: "failed job but horologium limit is reached",
                previous: Some(with_label(run("j", MINUTE, true, failure.clone()), "10")),
                retry: Some(retry(false, 13, "30s")),
                should_start: false,
                retry_label: None,
            },
            Case {
                name: "running job not meant to be re-run",
                previous: Some(with_label(
                    run("j", MINUTE, false, ProwJobState::Pending),
                    "1",
                )),
                retry: Some(retry(false, 3, "30s")),
                should_start: false,
                retry_label: None,
            },
            Case {
                name: "running job meant to be re-run when RunAll",
                previous: Some(with_label(
                    run("j", MINUTE, false, ProwJobState::Pending),
                    "1",
                )),
                retry: Some(retry(true, 3, "30s")),
                should_start: true,
                retry_label: Some("2"),
            },
            Case {
                name: "complete job meant to be re-run even if success state",
                previous: Some(with_label(run("j", MINUTE, true, success.clone()), "1")),
                retry: Some(retry(true, 3, "30s")),
                should_start: true,
                retry_label: Some("2"),
            },
            Case {
                name: "complete job not meant to be re-run after 3 attempts",
                previous: Some(with_label(run("j", MINUTE, true, success.clone()), "3")),
                retry: Some(retry(true, 3, "30s")),
                should_start: false,
                retry_label: None,
            },
            Case {
                name: "complete job not meant to be re-run with until_success after success state",
                previous: Some(with_label(run("j", MINUTE, true, success.clone()), "2")),
                retry: Some(retry(false, 3, "30s")),
                should_start: false,
                retry_label: None,
            },
            Case {
                name: "a retry waits for its interval",
                previous: Some(run("j", MINUTE, true, failure.clone())),
                retry: Some(retry(false, 3, "2m")),
                should_start: false,
                retry_label: None,
            },
            Case {
                name: "a bad retry label stops retries",
                previous: Some(with_label(run("j", MINUTE, true, failure), "many")),
                retry: Some(retry(false, 3, "30s")),
                should_start: false,
                retry_label: None,
            },
        ];
        for case in cases {
            let p = periodic(|p| {
                p.interval = "30m".into();
                p.retry = case.retry.clone();
            });
            let f = fixture(config(vec![p]), case.previous.into_iter().collect()).await;
            let mut horologium = f.horologium;
            let report = horologium.sync(now()).await.unwrap();
            let created = created(&f.store).await;
            assert_eq!(!created.is_empty(), case.should_start, "{}", case.name);
            assert_eq!(report.triggered.len(), created.len(), "{}", case.name);
            if let Some(job) = created.first() {
                assert_eq!(
                    job.metadata.labels.get(RE_RUN_LABEL).map(String::as_str),
                    case.retry_label,
                    "{}",
                    case.name
                );
            }
        }
    }

    #[tokio::test]
    async fn sync_minimum_interval() {
        let cases = [
            ("no job", None, true),
            (
                "job with other name",
                Some(last_run("not-j", HOUR, Some(HOUR), ProwJobState::Success)),
                true,
            ),
            (
                "old, complete job",
                Some(last_run(
                    "j",
                    HOUR,
                    Some(TimeDelta::minutes(30)),
                    ProwJobState::Success,
                )),
                true,
            ),
            (
                "old, recently complete job",
                Some(last_run(
                    "j",
                    HOUR,
                    Some(TimeDelta::milliseconds(1)),
                    ProwJobState::Success,
                )),
                false,
            ),
            (
                "old, incomplete job",
                Some(last_run("j", HOUR, None, ProwJobState::Pending)),
                false,
            ),
            (
                "new, complete job",
                Some(last_run(
                    "j",
                    SECOND,
                    Some(TimeDelta::milliseconds(1)),
                    ProwJobState::Success,
                )),
                false,
            ),
            (
                "new, incomplete job",
                Some(last_run("j", SECOND, None, ProwJobState::Pending)),
                false,
            ),
        ];
        for (name, previous, should_start) in cases {
            let p = periodic(|p| p.minimum_interval = "1m".into());
            let f = fixture(config(vec![p]), previous.into_iter().collect()).await;
            let mut horologium = f.horologium;
            horologium.sync(now()).await.unwrap();
            assert_eq!(!created(&f.store).await.is_empty(), should_start, "{name}");
        }
    }

    #[tokio::test]
    async fn sync_cron() {
        struct Case {
            name: &'static str,
            cron: &'static str,
            previous: Option<ProwJob>,
            /// When the first pass runs, relative to [`now`].
            first: TimeDelta,
            should_start: bool,
        }
        let finished = |started| last_run("j", started, Some(MINUTE), ProwJobState::Success);
        let cases = [
            Case {
                name: "no job: waits for the first tick",
                cron: "@hourly",
                previous: None,
                first: TimeDelta::minutes(-30),
                should_start: true,
            },
            Case {
                name: "job with other name",
                cron: "@hourly",
                previous: Some(last_run("not-j", HOUR, Some(HOUR), ProwJobState::Success)),
                first: TimeDelta::minutes(-30),
                should_start: true,
            },
            Case {
                name: "job still running",
                cron: "@hourly",
                previous: Some(last_run(
                    "j",
                    TimeDelta::minutes(35),
                    None,
                    ProwJobState::Pending,
                )),
                first: TimeDelta::minutes(-30),
                should_start: false,
            },
            Case {
                name: "job finished",
                cron: "@hourly",
                previous: Some(finished(TimeDelta::minutes(35))),
                first: TimeDelta::minutes(-30),
                should_start: true,
            },
            Case {
                name: "no tick since the last pass",
                cron: "30 * * * *",
                previous: Some(finished(TimeDelta::minutes(20))),
                first: TimeDelta::minutes(-10),
                should_start: false,
            },
            Case {
                name: "six fields with seconds",
                cron: "30 59 11 * * *",
                previous: Some(finished(MINUTE)),
                first: TimeDelta::seconds(-50),
                should_start: true,
            },
            Case {
                name: "six fields, the tick is still ahead",
                cron: "45 0 12 * * *",
                previous: Some(finished(MINUTE)),
                first: TimeDelta::seconds(-50),
                should_start: false,
            },
            Case {
                name: "@daily waits for midnight UTC",
                cron: "@daily",
                previous: Some(finished(HOUR * 11)),
                first: TimeDelta::hours(-1),
                should_start: false,
            },
        ];
        for case in cases {
            let p = periodic(|p| p.cron = case.cron.into());
            let f = fixture(config(vec![p]), case.previous.into_iter().collect()).await;
            let mut horologium = f.horologium;
            horologium.sync(now() + case.first).await.unwrap();
            let early = created(&f.store).await.len();
            // The first pass only registers schedules whose job never ran.
            horologium.sync(now()).await.unwrap();
            let created = created(&f.store).await.len();
            assert_eq!(
                (early, created > 0),
                (0, case.should_start),
                "{}",
                case.name
            );
        }
    }

    #[tokio::test]
    async fn cron_tick_missed_while_down_is_run_after_a_restart() {
        // Ticks at 11:00; the last run started at 10:00; horologium starts at 11:30.
        let previous = last_run("j", HOUR * 2, Some(HOUR), ProwJobState::Success);
        let p = periodic(|p| p.cron = "0 * * * *".into());
        let f = fixture(config(vec![p]), vec![previous]).await;
        let mut horologium = f.horologium;
        let report = horologium
            .sync(now() - TimeDelta::minutes(30))
            .await
            .unwrap();
        assert_eq!(report.triggered.len(), 1);

        // The same for `@daily`: yesterday's run, today's midnight tick.
        let previous = last_run("j", HOUR * 36, Some(HOUR * 35), ProwJobState::Success);
        let p = periodic(|p| p.cron = "@daily".into());
        let f = fixture(config(vec![p]), vec![previous]).await;
        let mut horologium = f.horologium;
        let report = horologium.sync(now()).await.unwrap();
        assert_eq!(report.triggered.len(), 1);
    }

    #[tokio::test]
    async fn cron_tick_while_running_is_skipped() {
        let p = periodic(|p| p.cron = "0 * * * *".into());
        let running = last_run("j", TimeDelta::minutes(90), None, ProwJobState::Pending);
        let f = fixture(config(vec![p]), vec![running]).await;
        let mut horologium = f.horologium;
        // The 11:00 tick falls while the run goes on.
        horologium
            .sync(now() - TimeDelta::minutes(5))
            .await
            .unwrap();
        // It completes at 11:58; no tick since the last pass, so nothing runs.
        let mut done = f.store.get("previous").await.unwrap();
        done.status.completion_time = Some(now() - TimeDelta::minutes(2));
        done.status.state = Some(ProwJobState::Success);
        f.store.update(done).await.unwrap();
        let report = horologium.sync(now() - SECOND).await.unwrap();
        assert!(report.triggered.is_empty());
        // The 12:00 tick runs it.
        let report = horologium.sync(now()).await.unwrap();
        assert_eq!(report.triggered.len(), 1);
    }

    #[tokio::test]
    async fn every_schedule_without_a_run_starts_at_once() {
        let p = periodic(|p| p.cron = "@every 1h".into());
        let f = fixture(config(vec![p]), vec![]).await;
        let mut horologium = f.horologium;
        let report = horologium.sync(now()).await.unwrap();
        assert_eq!(report.triggered.len(), 1);
    }

    #[tokio::test]
    async fn invalid_schedules_are_reported_and_skipped() {
        let bad_cron = periodic(|p| p.cron = "61 * * * *".into());
        let mut nothing = periodic(|_| {});
        nothing.job_base.name = "nothing".into();
        let f = fixture(config(vec![bad_cron, nothing]), vec![]).await;
        let mut horologium = f.horologium;
        let report = horologium.sync(now()).await.unwrap();
        assert_eq!(report.invalid, ["j", "nothing"]);
        assert!(created(&f.store).await.is_empty());
    }

    #[tokio::test]
    async fn a_changed_schedule_is_followed() {
        let p = periodic(|p| p.cron = "0 0 1 1 *".into());
        let f = fixture(config(vec![p]), vec![]).await;
        let mut horologium = f.horologium;
        horologium.sync(now() - HOUR).await.unwrap();
        let hourly = periodic(|p| p.cron = "@hourly".into());
        f.config.send(Arc::new(config(vec![hourly]))).unwrap();
        // Registered anew at the next pass, due at the following tick.
        assert!(
            horologium
                .sync(now() - HOUR + SECOND)
                .await
                .unwrap()
                .triggered
                .is_empty()
        );
        assert_eq!(horologium.sync(now()).await.unwrap().triggered.len(), 1);
    }

    #[tokio::test]
    async fn the_new_run_is_a_triggered_periodic_prowjob() {
        let p = periodic(|p| {
            p.interval = "1h".into();
            p.job_base.labels.insert("team".into(), "infra".into());
            p.job_base.annotations.insert("note".into(), "hi".into());
        });
        let f = fixture(config(vec![p.clone()]), vec![]).await;
        let mut horologium = f.horologium;
        let report = horologium.sync(now()).await.unwrap();
        let job = f.store.get(&report.triggered[0].1).await.unwrap();
        assert_eq!(report.triggered[0].0, "j");
        assert_eq!(job.metadata.namespace, "prowjobs");
        assert_eq!(job.spec.job, "j");
        assert_eq!(job.spec.type_, Some(ProwJobType::Periodic));
        assert_eq!(job.status.state, Some(ProwJobState::Triggered));
        assert_eq!(job.status.start_time, Some(now()));
        let labels = &job.metadata.labels;
        assert_eq!(
            labels.get(CREATED_BY_PROW).map(String::as_str),
            Some("true")
        );
        assert_eq!(
            labels.get(PROW_JOB_TYPE_LABEL).map(String::as_str),
            Some("periodic")
        );
        assert_eq!(
            labels.get(PROW_JOB_ANNOTATION).map(String::as_str),
            Some("j")
        );
        assert_eq!(labels.get("team").map(String::as_str), Some("infra"));
        assert_eq!(
            job.metadata.annotations.get("note").map(String::as_str),
            Some("hi")
        );

        // With the scheduler enabled, new runs wait in `scheduling`.
        let mut scheduled = config(vec![p]);
        scheduled.prow.scheduler.enabled = true;
        let f = fixture(scheduled, vec![]).await;
        let mut horologium = f.horologium;
        let report = horologium.sync(now()).await.unwrap();
        let job = f.store.get(&report.triggered[0].1).await.unwrap();
        assert_eq!(job.status.state, Some(ProwJobState::Scheduling));
    }

    #[tokio::test(start_paused = true)]
    async fn run_ticks_until_shutdown() {
        let p = periodic(|p| p.interval = "1h".into());
        let mut cfg = config(vec![p]);
        cfg.prow.horologium.tick_interval = Some(GoDuration::from_std(Duration::from_secs(60)));
        let f = fixture(cfg, vec![]).await;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(f.horologium.run(async {
            let _ = stopped.await;
        }));
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(
            created(&f.store).await.len(),
            1,
            "the first pass runs at once"
        );
        // The run is still going: later ticks create nothing.
        tokio::time::sleep(Duration::from_secs(5 * 60)).await;
        assert_eq!(created(&f.store).await.len(), 1);
        stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(60), task)
            .await
            .expect("horologium stops on shutdown")
            .unwrap();
    }
}
