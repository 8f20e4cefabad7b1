//! plank throughput: 10,000 triggered ProwJobs in the SQLite store, run by plank's own loop
//! with the local executor until every one has finished; against the same run over the
//! in-memory store (the store's share) and a bare spawn loop of the same process (the floor).
//!
//! Figures: the store's create rate, wall time, jobs scheduled (triggered → pending) and
//! completed per second, and the latency from trigger to pending and to the process's start
//! (p50/p99/max). Every job is triggered before plank starts, so a job's latency is its wait
//! in the backlog plus its own start; the executor's own share (its `start` call to the
//! process's spawn) is printed apart.
//!
//! Run with `cargo bench -p prow-benches --bench plank -- [--jobs N] [--max-concurrency N]
//! [--workers N] [--sqlite-only]`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use prow_benches::{cpu_time, ms};
use prow_core::config::Config;
use prow_core::config::jobs::Periodic;
use prow_core::pod::PodSpec;
use prow_core::prowjob::pjutil::{new_prowjob, periodic_spec};
use prow_core::prowjob::{ProwJob, ProwJobState};
use prow_core::traits::{
    Execution, ExecutorError, JobExecutor, JobSelector, JobStore, JobWatch, RunInfo, StoreError,
};
use prow_jobs::executor::{LocalExecutor, LocalExecutorOptions};
use prow_jobs::plank::{DEFAULT_RESYNC_PERIOD, DEFAULT_WORKERS, Plank};
use prow_jobs::store::{MemoryStore, SqliteStore};
use tokio::sync::{Notify, watch};

const NAMESPACE: &str = "prowjobs";

struct Args {
    jobs: usize,
    max_concurrency: i64,
    workers: usize,
    skip_memory: bool,
}

fn args() -> Args {
    let mut args = Args {
        jobs: 10_000,
        max_concurrency: 0,
        workers: DEFAULT_WORKERS,
        skip_memory: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--jobs" => args.jobs = it.next().and_then(|n| n.parse().ok()).expect("--jobs N"),
            "--max-concurrency" => {
                args.max_concurrency = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .expect("--max-concurrency N")
            }
            "--workers" => {
                args.workers = it.next().and_then(|n| n.parse().ok()).expect("--workers N")
            }
            "--sqlite-only" => args.skip_memory = true,
            // cargo bench passes `--bench`.
            _ => {}
        }
    }
    args
}

/// A periodic-style job without refs whose container runs `true`.
fn triggered_job(index: usize) -> ProwJob {
    let mut periodic = Periodic::default();
    periodic.job_base.name = format!("bench-{}", index % 100);
    let pod: PodSpec = serde_json::from_value(serde_json::json!({
        "containers": [{"name": "test", "image": "none", "command": ["true"]}]
    }))
    .unwrap();
    periodic.job_base.spec = Some(pod);
    let mut job = new_prowjob(
        periodic_spec(&periodic),
        &Default::default(),
        &Default::default(),
        Utc::now(),
    );
    job.metadata.namespace = NAMESPACE.into();
    job
}

/// When each job reached pending and a final state, as plank wrote it, with the time and
/// count of the store calls plank made.
#[derive(Default)]
struct Record {
    pending: Mutex<HashMap<String, Instant>>,
    finished: Mutex<HashMap<String, Instant>>,
    done: AtomicUsize,
    all_done: Notify,
    target: usize,
    lists: AtomicUsize,
    list_nanos: AtomicU64,
    updates: AtomicUsize,
    update_nanos: AtomicU64,
}

/// The store plank runs over, recording the transitions it writes.
struct Recording {
    inner: Arc<dyn JobStore>,
    record: Arc<Record>,
}

#[async_trait]
impl JobStore for Recording {
    async fn create(&self, job: ProwJob) -> Result<ProwJob, StoreError> {
        self.inner.create(job).await
    }
    async fn get(&self, name: &str) -> Result<ProwJob, StoreError> {
        self.inner.get(name).await
    }
    async fn list(&self, selector: &JobSelector) -> Result<Vec<ProwJob>, StoreError> {
        let start = Instant::now();
        let out = self.inner.list(selector).await;
        let r = &self.record;
        r.lists.fetch_add(1, Ordering::Relaxed);
        r.list_nanos
            .fetch_add(start.elapsed().as_nanos() as u64, Ordering::Relaxed);
        out
    }
    async fn update(&self, job: ProwJob) -> Result<ProwJob, StoreError> {
        let start = Instant::now();
        let out = self.inner.update(job).await;
        let now = Instant::now();
        let r = &self.record;
        r.updates.fetch_add(1, Ordering::Relaxed);
        r.update_nanos
            .fetch_add((now - start).as_nanos() as u64, Ordering::Relaxed);
        if let Ok(job) = &out {
            let name = &job.metadata.name;
            if job.complete() {
                let mut finished = r.finished.lock().unwrap();
                if finished.insert(name.clone(), now).is_none()
                    && r.done.fetch_add(1, Ordering::SeqCst) + 1 == r.target
                {
                    r.all_done.notify_one();
                }
            } else if job.status.state == Some(ProwJobState::Pending) {
                r.pending.lock().unwrap().entry(name.clone()).or_insert(now);
            }
        }
        out
    }
    async fn delete(&self, name: &str) -> Result<(), StoreError> {
        self.inner.delete(name).await
    }
    async fn watch(&self) -> Result<Box<dyn JobWatch>, StoreError> {
        self.inner.watch().await
    }
}

/// The executor plank runs with, recording when each `start` was asked for.
struct StartTimes {
    inner: LocalExecutor,
    started: Mutex<HashMap<String, DateTime<Utc>>>,
}

#[async_trait]
impl JobExecutor for StartTimes {
    async fn start(&self, job: &ProwJob) -> Result<Execution, ExecutorError> {
        self.started
            .lock()
            .unwrap()
            .entry(job.metadata.name.clone())
            .or_insert_with(Utc::now);
        self.inner.start(job).await
    }
    async fn status(&self, job: &ProwJob) -> Result<Execution, ExecutorError> {
        self.inner.status(job).await
    }
    async fn abort(&self, job: &ProwJob) -> Result<(), ExecutorError> {
        self.inner.abort(job).await
    }
    async fn logs(&self, job: &ProwJob) -> Result<String, ExecutorError> {
        self.inner.logs(job).await
    }
    async fn runs(&self) -> Result<Vec<RunInfo>, ExecutorError> {
        self.inner.runs().await
    }
    async fn delete_run(&self, run: &RunInfo) -> Result<(), ExecutorError> {
        self.inner.delete_run(run).await
    }
}

/// p50, p99 and max of `values` (milliseconds).
fn percentiles(mut values: Vec<f64>) -> String {
    if values.is_empty() {
        return "no samples".into();
    }
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
    format!(
        "p50 {:8.1} ms  p99 {:8.1} ms  max {:8.1} ms",
        at(0.5),
        at(0.99),
        values[values.len() - 1]
    )
}

fn rate(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64()
}

/// Creates `n` triggered jobs in `store` (all requests in flight at once, as a burst of
/// triggers makes them) and returns their names.
async fn create_jobs(store: &dyn JobStore, n: usize, label: &str) -> Vec<String> {
    let jobs: Vec<ProwJob> = (0..n).map(triggered_job).collect();
    let names = jobs.iter().map(|j| j.metadata.name.clone()).collect();
    let start = Instant::now();
    let creates = jobs.into_iter().map(|job| store.create(job));
    for created in futures_util::future::join_all(creates).await {
        created.expect("create a job");
    }
    let took = start.elapsed();
    println!(
        "  {label}: created {n} triggered jobs in {:.1} ms: {:.0} creates/s",
        ms(took),
        rate(n, took)
    );
    names
}

/// Runs plank over `store` until all `names` are final; prints the figures.
async fn run_plank(store: Arc<dyn JobStore>, names: &[String], args: &Args, label: &str) {
    let workspaces = tempfile::tempdir().unwrap();
    let executor = Arc::new(StartTimes {
        inner: LocalExecutor::new(LocalExecutorOptions::new(workspaces.path())).unwrap(),
        started: Mutex::default(),
    });
    let record = Arc::new(Record {
        target: names.len(),
        ..Record::default()
    });
    let recording: Arc<dyn JobStore> = Arc::new(Recording {
        inner: store,
        record: Arc::clone(&record),
    });
    let mut config = Config::default();
    config.prow.prowjob_namespace = NAMESPACE.into();
    config.prow.plank.max_concurrency = args.max_concurrency;
    config.prow.set_defaults();
    let (_config_tx, config_rx) = watch::channel(Arc::new(config));
    let plank = Plank::new(
        Arc::clone(&recording),
        Arc::clone(&executor) as Arc<dyn JobExecutor>,
        config_rx,
    )
    .with_workers(args.workers);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();

    let cpu_before = cpu_time();
    let t0 = Instant::now();
    let t0_utc = Utc::now();
    let task = tokio::spawn(plank.run(async {
        let _ = stopped.await;
    }));
    record.all_done.notified().await;
    let wall = t0.elapsed();
    let cpu = cpu_time().zip(cpu_before).map(|(a, b)| a.saturating_sub(b));
    stop.send(()).unwrap();
    task.await.unwrap();

    let pending = record.pending.lock().unwrap().clone();
    let finished = record.finished.lock().unwrap().clone();
    let last_pending = pending.values().max().map_or(wall, |t| *t - t0);
    let since = |t: &Instant| ms(*t - t0);
    let to_pending: Vec<f64> = pending.values().map(since).collect();
    let to_finished: Vec<f64> = finished.values().map(since).collect();
    let asked = executor.started.lock().unwrap().clone();
    let mut to_process = Vec::new();
    let mut spawn_share = Vec::new();
    let mut succeeded = 0;
    for name in names {
        let mut job = ProwJob::default();
        job.metadata.name = name.clone();
        let execution = executor.status(&job).await.expect("a run of every job");
        if execution.state == prow_core::traits::ExecutionState::Succeeded {
            succeeded += 1;
        }
        let Some(started) = execution.started else {
            continue;
        };
        to_process.push((started - t0_utc).as_seconds_f64() * 1000.0);
        if let Some(asked) = asked.get(name) {
            spawn_share.push((started - *asked).as_seconds_f64() * 1000.0);
        }
    }
    assert_eq!(succeeded, names.len(), "every run succeeded");
    let lists = record.lists.load(Ordering::Relaxed);
    let updates = record.updates.load(Ordering::Relaxed);
    println!(
        "  {label}: {} jobs final in {:.1} ms wall{}",
        names.len(),
        ms(wall),
        cpu.map_or(String::new(), |c| format!(", CPU {:.1} ms", ms(c)))
    );
    println!(
        "    scheduled (triggered -> pending): {:8.0} jobs/s   completed: {:8.0} jobs/s",
        rate(pending.len(), last_pending),
        rate(finished.len(), wall)
    );
    println!(
        "    triggered -> pending          {}",
        percentiles(to_pending)
    );
    println!(
        "    triggered -> process started  {}",
        percentiles(to_process)
    );
    println!(
        "    triggered -> final            {}",
        percentiles(to_finished)
    );
    println!(
        "    executor start -> spawn       {}",
        percentiles(spawn_share)
    );
    println!(
        "    store calls by plank: {lists} lists ({:.1} ms), {updates} updates ({:.1} ms awaited)",
        record.list_nanos.load(Ordering::Relaxed) as f64 / 1e6,
        record.update_nanos.load(Ordering::Relaxed) as f64 / 1e6,
    );
}

/// The floor: spawning `true` and waiting for it, `n` times in a row.
fn spawn_floor(n: usize) {
    let start = Instant::now();
    for _ in 0..n {
        let status = std::process::Command::new("true").status().unwrap();
        assert!(status.success());
    }
    let took = start.elapsed();
    println!(
        "  floor: std::process::Command `true` x{n}, spawn + wait in a row: {:.1} ms, {:.0} processes/s",
        ms(took),
        rate(n, took)
    );
}

fn main() {
    let args = args();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "plank: {} triggered jobs running `true`, local executor, plank.max_concurrency {}, resync every {:?}, {} plank workers, {threads} runtime threads",
        args.jobs,
        if args.max_concurrency > 0 {
            args.max_concurrency.to_string()
        } else {
            "0 (unlimited)".to_string()
        },
        DEFAULT_RESYNC_PERIOD,
        args.workers,
    );
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let sqlite: Arc<dyn JobStore> =
            Arc::new(SqliteStore::open(dir.path().join("prowjobs.db")).unwrap());
        let names = create_jobs(sqlite.as_ref(), args.jobs, "sqlite").await;
        run_plank(sqlite, &names, &args, "sqlite").await;

        if !args.skip_memory {
            let memory: Arc<dyn JobStore> = Arc::new(MemoryStore::new());
            let names = create_jobs(memory.as_ref(), args.jobs, "memory").await;
            run_plank(memory, &names, &args, "memory").await;
        }
    });
    spawn_floor(args.jobs);
}
