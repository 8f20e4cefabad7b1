//! The embedded ProwJob store: one SQLite file in WAL mode that every prow-rs process on the
//! machine can share, with group-committed writes and watches that see other processes' writes.
//!
//! Layout of the file (schema version 1, kept in `PRAGMA user_version`):
//!
//! - `prowjobs`: one row per ProwJob, its full JSON in `body` (unknown fields included), and
//!   the indexed columns the components query by: `name`, `job`, `type`, `state`, `org`,
//!   `repo`, `pull` (from the `prow.k8s.io/refs.*` labels), `started_at` and `completed_at`
//!   (Unix seconds); `created_at` beside them, and `labels`, the job's labels as a JSON
//!   object, which label selectors read among the rows the indexed columns leave.
//! - `changes`: the change log watches read (`seq`, `kind`, the job's JSON), written in the
//!   transaction that made the change and trimmed to the newest
//!   [`SqliteOptions::change_log_len`] entries.
//! - `store_state`: the global sequence that numbers both changes and `resourceVersion`s, and
//!   how far the change log has been trimmed.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use prow_core::prowjob::ProwJob;
use prow_core::prowjob::labels::{ORG_LABEL, PULL_LABEL, REPO_LABEL};
use prow_core::traits::{JobSelector, JobStore, JobWatch, StoreError, WatchEvent};
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use tokio::sync::{oneshot, watch};

/// The schema, one step per version: step `i` takes a database from `user_version` `i` to
/// `i + 1`. Steps are only ever appended.
const MIGRATIONS: &[&str] = &[
    // 1: jobs, the change log and the sequence.
    "CREATE TABLE store_state (
        id INTEGER PRIMARY KEY CHECK (id = 0),
        seq INTEGER NOT NULL,
        trimmed INTEGER NOT NULL
    );
    INSERT INTO store_state (id, seq, trimmed) VALUES (0, 0, 0);
    CREATE TABLE prowjobs (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        resource_version INTEGER NOT NULL,
        job TEXT NOT NULL,
        type TEXT,
        state TEXT,
        org TEXT,
        repo TEXT,
        pull INTEGER,
        created_at INTEGER,
        started_at INTEGER,
        completed_at INTEGER,
        labels TEXT NOT NULL,
        body TEXT NOT NULL
    );
    CREATE INDEX prowjobs_state ON prowjobs (state);
    CREATE INDEX prowjobs_job_state ON prowjobs (job, state);
    CREATE INDEX prowjobs_type_state ON prowjobs (type, state);
    CREATE INDEX prowjobs_org_repo_pull ON prowjobs (org, repo, pull);
    CREATE INDEX prowjobs_started_at ON prowjobs (started_at);
    CREATE INDEX prowjobs_completed_at ON prowjobs (completed_at);
    CREATE TABLE changes (
        seq INTEGER PRIMARY KEY,
        kind INTEGER NOT NULL,
        body TEXT NOT NULL
    );",
];

/// The size of the write-ahead log past which the checkpointer copies it into the database.
const CHECKPOINT_AT: u64 = 4 << 20;

/// The size past which the writer checkpoints between its own transactions, should a steady
/// stream of writes keep the checkpointer from ever finishing.
const CHECKPOINT_INLINE_AT: u64 = 64 << 20;

/// The most requests the writer commits in one transaction.
const MAX_BATCH: usize = 1024;

/// The most changes a watch reads from the log at once.
const WATCH_PAGE: i64 = 512;

/// The most idle read connections kept open.
const MAX_IDLE_READERS: usize = 4;

/// A change-log `kind`: the job was created.
const ADDED: i64 = 1;
/// A change-log `kind`: the job was replaced.
const MODIFIED: i64 = 2;
/// A change-log `kind`: the job was deleted.
const DELETED: i64 = 3;

/// How hard a commit pushes to the disk (SQLite's `PRAGMA synchronous` in WAL mode).
///
/// Either way a write is acknowledged only once its transaction has committed to the
/// write-ahead log, so a crash of the process — `kill -9` included — loses nothing that was
/// acknowledged. They differ when the whole machine stops (power loss, kernel panic).
///
/// `Normal` is the default because it meets the store's promise (nothing acknowledged is
/// lost when `prow serve` crashes or is killed) at a fraction of the cost: where an fsync
/// takes milliseconds, `Full` holds a single caller to a few hundred writes a second against
/// thousands with `Normal`; with many callers at once group commit narrows the gap (one fsync
/// per group). Choose `Full` where the machine itself may lose power.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Synchronous {
    /// `NORMAL`: the log is synced to the disk at checkpoints, not at every commit. Durable
    /// against a crash of the process; a power loss may roll back the last commits (the file
    /// stays consistent). Many times faster for small writes. The default.
    #[default]
    Normal,
    /// `FULL`: the log is synced to the disk at every commit (one fsync per group of writes).
    /// Durable against power loss too.
    Full,
}

impl Synchronous {
    fn pragma(self) -> &'static str {
        match self {
            Synchronous::Normal => "NORMAL",
            Synchronous::Full => "FULL",
        }
    }
}

/// How a [`SqliteStore`] uses its file. `SqliteOptions::default()` suits `prow serve`.
///
/// ```
/// use std::time::Duration;
/// use prow_jobs::store::{SqliteOptions, Synchronous};
///
/// let options = SqliteOptions {
///     synchronous: Synchronous::Full,
///     watch_poll_interval: Duration::from_millis(100),
///     ..SqliteOptions::default()
/// };
/// # let _ = options;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SqliteOptions {
    /// How hard a commit pushes to the disk. Default [`Synchronous::Normal`].
    pub synchronous: Synchronous,
    /// How long a write waits for another process that holds the file's write lock before it
    /// fails. Default 5 s.
    pub busy_timeout: Duration,
    /// How often a watch looks for changes that other processes wrote; writes of this process
    /// wake it at once. Default 250 ms.
    pub watch_poll_interval: Duration,
    /// How many of the newest changes the change log keeps for watches. A watch that falls
    /// further behind ends (its controller lists again). Default 10,000.
    pub change_log_len: u64,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        SqliteOptions {
            synchronous: Synchronous::Normal,
            busy_timeout: Duration::from_secs(5),
            watch_poll_interval: Duration::from_millis(250),
            change_log_len: 10_000,
        }
    }
}

/// A [`JobStore`] kept in one SQLite file: the embedded default of `prow serve`.
///
/// Writes go to one writer thread that commits everything queued as one transaction (group
/// commit) and acknowledges each write only after that commit; a checkpointer thread copies
/// the write-ahead log into the database beside it. Reads run on their own connections off
/// the async runtime. Several processes may open the same file: updates are
/// checked against the stored `resourceVersion` inside the write transaction, and watches
/// read a change log in the file, so `prow mkpj` in one process sees the job `prow serve`
/// runs in another.
///
/// ```
/// # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
/// use prow_core::prowjob::ProwJob;
/// use prow_core::traits::{JobSelector, JobStore};
/// use prow_jobs::store::SqliteStore;
///
/// let dir = tempfile::tempdir().unwrap();
/// let store = SqliteStore::open(dir.path().join("prowjobs.db")).unwrap();
/// let mut job = ProwJob::default();
/// job.metadata.name = "a".into();
/// let stored = store.create(job).await.unwrap();
/// assert_eq!(store.get("a").await.unwrap(), stored);
/// assert_eq!(store.list(&JobSelector::default()).await.unwrap().len(), 1);
/// # });
/// ```
pub struct SqliteStore {
    shared: Arc<Shared>,
    requests: Option<mpsc::Sender<Request>>,
    writer: Option<JoinHandle<()>>,
    checkpointer: Option<JoinHandle<()>>,
}

/// What the store's handle, its readers and its watches share.
struct Shared {
    path: PathBuf,
    readers: Mutex<Vec<Connection>>,
    /// The newest sequence this process committed; the writer thread holds the sender.
    committed: watch::Receiver<i64>,
    watch_poll_interval: Duration,
    busy_timeout: Duration,
}

enum Op {
    Create(ProwJob),
    Update(ProwJob),
    Delete(String),
}

enum Done {
    Job(Box<ProwJob>),
    Deleted,
}

struct Request {
    op: Op,
    reply: oneshot::Sender<Result<Done, StoreError>>,
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.shared.path)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens the store in the file at `path` with [`SqliteOptions::default`], creating the
    /// file or bringing its schema up to date. Errors name the file.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore, StoreError> {
        SqliteStore::open_with(path, SqliteOptions::default())
    }

    /// Opens the store in the file at `path` with `options`, creating the file or bringing its
    /// schema up to date. A file written by a newer prow-rs (a schema version this one does
    /// not know) is refused. Errors name the file.
    pub fn open_with(
        path: impl AsRef<Path>,
        options: SqliteOptions,
    ) -> Result<SqliteStore, StoreError> {
        let path = path.as_ref().to_path_buf();
        let mut conn = open_writer(&path, &options)?;
        migrate(&mut conn, &path)?;
        let seq: i64 = conn
            .query_row("SELECT seq FROM store_state", [], |row| row.get(0))
            .map_err(|e| backend(&path, "reading the sequence", e))?;
        let reader =
            open_reader(&path, options.busy_timeout).map_err(|e| backend(&path, "opening", e))?;
        let checkpointer_conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| backend(&path, "opening", e))?;
        let mut wal = OsString::from(path.as_os_str());
        wal.push("-wal");
        let wal = PathBuf::from(wal);
        let (wake_checkpointer, wakes) = mpsc::sync_channel(1);
        let checkpointer_paths = (path.clone(), wal.clone());
        let checkpointer = std::thread::Builder::new()
            .name("prowjob-sqlite-checkpointer".into())
            .spawn(move || {
                let (path, wal) = checkpointer_paths;
                run_checkpointer(checkpointer_conn, &path, &wal, wakes)
            })
            .map_err(|e| {
                StoreError::Backend(format!(
                    "{}: starting the checkpointer thread: {e}",
                    path.display()
                ))
            })?;
        let (committed_tx, committed) = watch::channel(seq);
        let (requests, queue) = mpsc::channel();
        let change_log_len = i64::try_from(options.change_log_len).unwrap_or(i64::MAX);
        let writer_path = path.clone();
        let writer = std::thread::Builder::new()
            .name("prowjob-sqlite-writer".into())
            .spawn(move || {
                let writer = Writer {
                    path: writer_path,
                    wal,
                    change_log_len,
                    committed: committed_tx,
                    wake_checkpointer,
                };
                writer.run(conn, queue)
            })
            .map_err(|e| {
                StoreError::Backend(format!(
                    "{}: starting the writer thread: {e}",
                    path.display()
                ))
            })?;
        Ok(SqliteStore {
            shared: Arc::new(Shared {
                path,
                readers: Mutex::new(vec![reader]),
                committed,
                watch_poll_interval: options.watch_poll_interval,
                busy_timeout: options.busy_timeout,
            }),
            requests: Some(requests),
            writer: Some(writer),
            checkpointer: Some(checkpointer),
        })
    }

    /// The file this store keeps its jobs in.
    pub fn path(&self) -> &Path {
        &self.shared.path
    }

    /// Sends `op` to the writer and waits until it is committed (or refused).
    async fn write(&self, op: Op) -> Result<Done, StoreError> {
        let (reply, answer) = oneshot::channel();
        let sent = self
            .requests
            .as_ref()
            .is_some_and(|requests| requests.send(Request { op, reply }).is_ok());
        if !sent {
            return Err(self.shared.writer_stopped());
        }
        answer
            .await
            .unwrap_or_else(|_| Err(self.shared.writer_stopped()))
    }

    /// Runs `read` on a read connection, off the async runtime.
    async fn read<T, F>(&self, read: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Shared, &mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        Shared::read(self.shared.clone(), read).await
    }
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        // Closing the queue stops the writer after the batch it is committing, and the writer
        // stops the checkpointer; waiting for both leaves the file closed when the store is
        // gone.
        self.requests.take();
        for thread in [self.writer.take(), self.checkpointer.take()]
            .into_iter()
            .flatten()
        {
            if thread.join().is_err() {
                tracing::error!(path = %self.shared.path.display(), "a prowjob store thread panicked");
            }
        }
    }
}

impl Shared {
    fn writer_stopped(&self) -> StoreError {
        StoreError::Backend(format!(
            "{}: the store's writer has stopped",
            self.path.display()
        ))
    }

    fn corrupt(&self, what: &str, e: serde_json::Error) -> StoreError {
        StoreError::Backend(format!(
            "{}: {what} is not a readable ProwJob: {e}",
            self.path.display()
        ))
    }

    async fn read<T, F>(shared: Arc<Shared>, read: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Shared, &mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let path = shared.path.clone();
        tokio::task::spawn_blocking(move || {
            let idle = shared
                .readers
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .pop();
            let mut conn = match idle {
                Some(conn) => conn,
                None => open_reader(&shared.path, shared.busy_timeout)
                    .map_err(|e| backend(&shared.path, "opening", e))?,
            };
            let result = read(&shared, &mut conn);
            let mut readers = shared.readers.lock().unwrap_or_else(|e| e.into_inner());
            if readers.len() < MAX_IDLE_READERS {
                readers.push(conn);
            }
            result
        })
        .await
        .unwrap_or_else(|e| {
            Err(StoreError::Backend(format!(
                "{}: a read failed: {e}",
                path.display()
            )))
        })
    }
}

fn backend(path: &Path, what: &str, e: rusqlite::Error) -> StoreError {
    StoreError::Backend(format!("{}: {what}: {e}", path.display()))
}

fn open_writer(path: &Path, options: &SqliteOptions) -> Result<Connection, StoreError> {
    let conn = open_writer_connection(path, options).map_err(|e| backend(path, "opening", e))?;
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
        .map_err(|e| backend(path, "switching to WAL mode", e))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Backend(format!(
            "{}: the file cannot be put in WAL mode (its journal mode stays {mode})",
            path.display()
        )));
    }
    Ok(conn)
}

fn open_writer_connection(path: &Path, options: &SqliteOptions) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(options.busy_timeout)?;
    conn.pragma_update(None, "synchronous", options.synchronous.pragma())?;
    // Keep the log file from staying large after a burst of writes.
    conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
    // The checkpointer thread checkpoints, so commits do not wait for it.
    conn.pragma_update(None, "wal_autocheckpoint", 0)?;
    conn.set_prepared_statement_cache_capacity(32);
    Ok(conn)
}

fn open_reader(path: &Path, busy_timeout: Duration) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(busy_timeout)?;
    conn.pragma_update(None, "query_only", true)?;
    Ok(conn)
}

/// Brings the schema of `conn` up to the newest version, in one transaction.
fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let err = |e| backend(path, "migrating the schema", e);
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(err)?;
    let version: i64 = tx
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(err)?;
    let known = MIGRATIONS.len();
    let Some(from) = usize::try_from(version).ok().filter(|v| *v <= known) else {
        return Err(StoreError::Backend(format!(
            "{}: the database has schema version {version}, but this prow-rs knows versions \
             up to {known}; open it with a newer prow-rs",
            path.display()
        )));
    };
    for step in &MIGRATIONS[from..] {
        tx.execute_batch(step).map_err(err)?;
    }
    if from < known {
        tx.pragma_update(None, "user_version", known as i64)
            .map_err(err)?;
        tracing::info!(path = %path.display(), from, to = known, "migrated the prowjob store");
    }
    tx.commit().map_err(err)
}

/// The writer thread's state: commits whatever is queued as one transaction, then answers
/// each caller.
struct Writer {
    path: PathBuf,
    wal: PathBuf,
    change_log_len: i64,
    committed: watch::Sender<i64>,
    wake_checkpointer: mpsc::SyncSender<()>,
}

impl Writer {
    fn run(self, mut conn: Connection, queue: mpsc::Receiver<Request>) {
        while let Ok(first) = queue.recv() {
            let mut ops = vec![first.op];
            let mut replies = vec![first.reply];
            while ops.len() < MAX_BATCH {
                let Ok(next) = queue.try_recv() else { break };
                ops.push(next.op);
                replies.push(next.reply);
            }
            match write_batch(&mut conn, &self.path, ops, self.change_log_len) {
                Ok((results, seq)) => {
                    if let Some(seq) = seq {
                        self.committed.send_replace(seq);
                    }
                    for (reply, result) in replies.into_iter().zip(results) {
                        let _ = reply.send(result);
                    }
                    if seq.is_some() {
                        self.after_commit(&conn);
                    }
                }
                Err(e) => {
                    tracing::warn!(path = %self.path.display(), error = %e, "a prowjob store commit failed");
                    let message = format!("{}: committing: {e}", self.path.display());
                    for reply in replies {
                        let _ = reply.send(Err(StoreError::Backend(message.clone())));
                    }
                }
            }
        }
    }

    /// Keeps the write-ahead log in check: the checkpointer copies it into the database in
    /// the background; past [`CHECKPOINT_INLINE_AT`] the writer does so itself, between its
    /// transactions, so that the log can start over.
    fn after_commit(&self, conn: &Connection) {
        let _ = self.wake_checkpointer.try_send(());
        if wal_size(&self.wal) >= CHECKPOINT_INLINE_AT {
            checkpoint(conn, &self.path);
        }
    }
}

/// The checkpointer thread: copies the write-ahead log into the database once it has grown
/// past [`CHECKPOINT_AT`], whenever the writer wakes it. Stops with the writer.
fn run_checkpointer(conn: Connection, path: &Path, wal: &Path, wakes: mpsc::Receiver<()>) {
    while wakes.recv().is_ok() {
        if wal_size(wal) >= CHECKPOINT_AT {
            checkpoint(&conn, path);
        }
    }
}

fn wal_size(wal: &Path) -> u64 {
    std::fs::metadata(wal).map_or(0, |meta| meta.len())
}

/// Copies what it can of the write-ahead log into the database without waiting for readers
/// or writers.
fn checkpoint(conn: &Connection, path: &Path) {
    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
        tracing::warn!(path = %path.display(), error = %e, "a prowjob store checkpoint failed");
    }
}

/// Applies `ops` in one transaction. Each op gets its own result; an op that fails leaves
/// nothing behind. Returns the results and the new sequence, if anything changed.
#[allow(clippy::type_complexity)]
fn write_batch(
    conn: &mut Connection,
    path: &Path,
    ops: Vec<Op>,
    change_log_len: i64,
) -> rusqlite::Result<(Vec<Result<Done, StoreError>>, Option<i64>)> {
    let mut tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let (start, trimmed): (i64, i64) =
        tx.query_row("SELECT seq, trimmed FROM store_state", [], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?;
    let mut seq = start;
    let mut results = Vec::with_capacity(ops.len());
    for op in ops {
        let savepoint = tx.savepoint()?;
        let mut next = seq;
        match apply(&savepoint, op, &mut next) {
            Ok(Ok(done)) => {
                savepoint.commit()?;
                seq = next;
                results.push(Ok(done));
            }
            // A refused op wrote nothing; dropping the savepoint rolls back regardless.
            Ok(Err(refused)) => results.push(Err(refused)),
            Err(e) => {
                drop(savepoint);
                results.push(Err(backend(path, "writing", e)));
            }
        }
    }
    if seq == start {
        tx.commit()?;
        return Ok((results, None));
    }
    let keep_from = (seq - change_log_len).max(trimmed);
    if keep_from > trimmed {
        tx.prepare_cached("DELETE FROM changes WHERE seq <= ?1")?
            .execute([keep_from])?;
    }
    tx.prepare_cached("UPDATE store_state SET seq = ?1, trimmed = ?2")?
        .execute([seq, keep_from])?;
    tx.commit()?;
    Ok((results, Some(seq)))
}

/// Applies one op inside the writer's transaction, numbering its change `seq + 1`.
fn apply(conn: &Connection, op: Op, seq: &mut i64) -> rusqlite::Result<Result<Done, StoreError>> {
    let rv = *seq + 1;
    match op {
        Op::Create(mut job) => {
            job.metadata.resource_version = rv.to_string();
            let body = match serde_json::to_string(&job) {
                Ok(body) => body,
                Err(e) => return Ok(Err(StoreError::Invalid(e.to_string()))),
            };
            let columns = match Columns::of(&job) {
                Ok(columns) => columns,
                Err(e) => return Ok(Err(StoreError::Invalid(e.to_string()))),
            };
            let inserted = conn
                .prepare_cached(
                    "INSERT INTO prowjobs (name, resource_version, job, type, state, org, repo,
                         pull, created_at, started_at, completed_at, labels, body)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
                     ON CONFLICT (name) DO NOTHING",
                )?
                .execute(params![
                    job.metadata.name,
                    rv,
                    columns.job,
                    columns.job_type,
                    columns.state,
                    columns.org,
                    columns.repo,
                    columns.pull,
                    columns.created_at,
                    columns.started_at,
                    columns.completed_at,
                    columns.labels,
                    body,
                ])?;
            if inserted == 0 {
                return Ok(Err(StoreError::AlreadyExists(job.metadata.name)));
            }
            log_change(conn, rv, ADDED, &body)?;
            *seq = rv;
            Ok(Ok(Done::Job(Box::new(job))))
        }
        Op::Update(mut job) => {
            let stored = conn
                .prepare_cached(
                    "SELECT id, resource_version, created_at FROM prowjobs WHERE name = ?1",
                )?
                .query_row([&job.metadata.name], |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, i64>(1)?,
                        row.get::<_, Option<i64>>(2)?,
                    ))
                })
                .optional()?;
            let Some((id, stored_rv, created_at)) = stored else {
                return Ok(Err(StoreError::NotFound(job.metadata.name)));
            };
            if !job.metadata.resource_version.is_empty()
                && job.metadata.resource_version != stored_rv.to_string()
            {
                return Ok(Err(StoreError::Conflict(job.metadata.name)));
            }
            job.metadata.creation_timestamp =
                created_at.and_then(|secs| DateTime::from_timestamp(secs, 0));
            job.metadata.resource_version = rv.to_string();
            let body = match serde_json::to_string(&job) {
                Ok(body) => body,
                Err(e) => return Ok(Err(StoreError::Invalid(e.to_string()))),
            };
            let columns = match Columns::of(&job) {
                Ok(columns) => columns,
                Err(e) => return Ok(Err(StoreError::Invalid(e.to_string()))),
            };
            conn.prepare_cached(
                "UPDATE prowjobs SET resource_version = ?2, job = ?3, type = ?4, state = ?5,
                     org = ?6, repo = ?7, pull = ?8, started_at = ?9, completed_at = ?10,
                     labels = ?11, body = ?12
                 WHERE id = ?1",
            )?
            .execute(params![
                id,
                rv,
                columns.job,
                columns.job_type,
                columns.state,
                columns.org,
                columns.repo,
                columns.pull,
                columns.started_at,
                columns.completed_at,
                columns.labels,
                body,
            ])?;
            log_change(conn, rv, MODIFIED, &body)?;
            *seq = rv;
            Ok(Ok(Done::Job(Box::new(job))))
        }
        Op::Delete(name) => {
            let deleted = conn
                .prepare_cached("DELETE FROM prowjobs WHERE name = ?1 RETURNING body")?
                .query_row([&name], |row| row.get::<_, String>(0))
                .optional()?;
            let Some(body) = deleted else {
                return Ok(Err(StoreError::NotFound(name)));
            };
            log_change(conn, rv, DELETED, &body)?;
            *seq = rv;
            Ok(Ok(Done::Deleted))
        }
    }
}

fn log_change(conn: &Connection, seq: i64, kind: i64, body: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT INTO changes (seq, kind, body) VALUES (?1, ?2, ?3)")?
        .execute(params![seq, kind, body])?;
    Ok(())
}

/// The indexed columns of a job's row.
struct Columns<'a> {
    job: &'a str,
    job_type: Option<&'a str>,
    state: Option<&'a str>,
    org: Option<&'a str>,
    repo: Option<&'a str>,
    pull: Option<i64>,
    created_at: Option<i64>,
    started_at: Option<i64>,
    completed_at: Option<i64>,
    labels: String,
}

impl<'a> Columns<'a> {
    fn of(job: &'a ProwJob) -> serde_json::Result<Columns<'a>> {
        let labels = &job.metadata.labels;
        Ok(Columns {
            job: &job.spec.job,
            job_type: job.spec.type_.as_ref().map(|t| t.as_str()),
            state: job.status.state.as_ref().map(|s| s.as_str()),
            org: labels.get(ORG_LABEL).map(String::as_str),
            repo: labels.get(REPO_LABEL).map(String::as_str),
            pull: labels.get(PULL_LABEL).and_then(|p| p.parse().ok()),
            created_at: job.metadata.creation_timestamp.map(|t| t.timestamp()),
            started_at: job.status.start_time.map(|t| t.timestamp()),
            completed_at: job.status.completion_time.map(|t| t.timestamp()),
            labels: serde_json::to_string(labels)?,
        })
    }
}

/// The query [`JobStore::list`] runs for `selector`, and its parameters.
fn list_query(selector: &JobSelector) -> (String, Vec<String>) {
    let mut conditions = Vec::new();
    let mut values = Vec::new();
    if let Some(state) = &selector.state {
        conditions.push("state = ?");
        values.push(state.as_str().to_string());
    }
    if let Some(job) = &selector.job {
        conditions.push("job = ?");
        values.push(job.clone());
    }
    if let Some(job_type) = &selector.job_type {
        conditions.push("type = ?");
        values.push(job_type.as_str().to_string());
    }
    for (key, value) in &selector.labels {
        conditions.push(
            "EXISTS (SELECT 1 FROM json_each(prowjobs.labels) AS label \
             WHERE label.key = ? AND label.value = ?)",
        );
        values.push(key.clone());
        values.push(value.clone());
    }
    let mut sql = String::from("SELECT body FROM prowjobs");
    if !conditions.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&conditions.join(" AND "));
    }
    sql.push_str(" ORDER BY name");
    (sql, values)
}

/// `job` exactly as it reads back from the file (times in whole seconds, as Kubernetes keeps
/// them), so that what a write returns equals what a later read returns.
fn as_stored(job: &ProwJob) -> Result<ProwJob, StoreError> {
    serde_json::to_vec(job)
        .and_then(|text| serde_json::from_slice(&text))
        .map_err(|e| StoreError::Invalid(e.to_string()))
}

#[async_trait]
impl JobStore for SqliteStore {
    async fn create(&self, mut job: ProwJob) -> Result<ProwJob, StoreError> {
        if job.metadata.name.is_empty() {
            return Err(StoreError::Invalid("metadata.name is empty".into()));
        }
        job.metadata.creation_timestamp.get_or_insert_with(Utc::now);
        match self.write(Op::Create(as_stored(&job)?)).await? {
            Done::Job(job) => Ok(*job),
            Done::Deleted => Err(self.shared.writer_stopped()),
        }
    }

    async fn get(&self, name: &str) -> Result<ProwJob, StoreError> {
        let name = name.to_string();
        self.read(move |shared, conn| {
            let body: Option<String> = conn
                .prepare_cached("SELECT body FROM prowjobs WHERE name = ?1")
                .and_then(|mut get| get.query_row([&name], |row| row.get(0)).optional())
                .map_err(|e| backend(&shared.path, "reading", e))?;
            let body = body.ok_or_else(|| StoreError::NotFound(name.clone()))?;
            serde_json::from_str(&body).map_err(|e| shared.corrupt(&format!("prowjob {name:?}"), e))
        })
        .await
    }

    async fn list(&self, selector: &JobSelector) -> Result<Vec<ProwJob>, StoreError> {
        let (sql, values) = list_query(selector);
        self.read(move |shared, conn| {
            let err = |e| backend(&shared.path, "listing", e);
            let mut list = conn.prepare_cached(&sql).map_err(err)?;
            let bodies = list
                .query_map(rusqlite::params_from_iter(&values), |row| {
                    row.get::<_, String>(0)
                })
                .map_err(err)?;
            let mut jobs = Vec::new();
            for body in bodies {
                let body = body.map_err(err)?;
                jobs.push(serde_json::from_str(&body).map_err(|e| shared.corrupt("a prowjob", e))?);
            }
            Ok(jobs)
        })
        .await
    }

    async fn update(&self, job: ProwJob) -> Result<ProwJob, StoreError> {
        match self.write(Op::Update(as_stored(&job)?)).await? {
            Done::Job(job) => Ok(*job),
            Done::Deleted => Err(self.shared.writer_stopped()),
        }
    }

    async fn delete(&self, name: &str) -> Result<(), StoreError> {
        self.write(Op::Delete(name.to_string())).await.map(|_| ())
    }

    async fn watch(&self) -> Result<Box<dyn JobWatch>, StoreError> {
        let after = self
            .read(|shared, conn| {
                conn.query_row("SELECT seq FROM store_state", [], |row| row.get(0))
                    .map_err(|e| backend(&shared.path, "opening a watch", e))
            })
            .await?;
        Ok(Box::new(SqliteWatch {
            shared: self.shared.clone(),
            committed: self.shared.committed.clone(),
            after,
            pending: VecDeque::new(),
            closing: false,
            ended: false,
        }))
    }
}

/// What one look at the change log found.
enum Fetched {
    /// The changes after the watch's position, oldest first (perhaps none).
    Changes(Vec<(i64, WatchEvent)>),
    /// Changes the watch had not seen were trimmed from the log.
    Behind,
}

/// A watch on a [`SqliteStore`]: reads the change log after the sequence current when it
/// opened, woken by this process's commits and by polling for other processes'.
struct SqliteWatch {
    shared: Arc<Shared>,
    committed: watch::Receiver<i64>,
    /// The sequence of the last change read.
    after: i64,
    pending: VecDeque<WatchEvent>,
    /// The store was dropped: hand out what is left in the log, then end.
    closing: bool,
    ended: bool,
}

impl SqliteWatch {
    async fn fetch(&self) -> Result<Fetched, StoreError> {
        let after = self.after;
        Shared::read(self.shared.clone(), move |shared, conn| {
            let err = |e| backend(&shared.path, "reading changes", e);
            // One read transaction, so the trim mark and the changes are of one moment.
            let tx = conn.transaction().map_err(err)?;
            let trimmed: i64 = tx
                .query_row("SELECT trimmed FROM store_state", [], |row| row.get(0))
                .map_err(err)?;
            if trimmed > after {
                return Ok(Fetched::Behind);
            }
            let mut changes = tx
                .prepare_cached(
                    "SELECT seq, kind, body FROM changes WHERE seq > ?1 ORDER BY seq LIMIT ?2",
                )
                .map_err(err)?;
            let rows = changes
                .query_map([after, WATCH_PAGE], |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, i64>(1)?,
                        row.get::<_, String>(2)?,
                    ))
                })
                .map_err(err)?;
            let mut events = Vec::new();
            for row in rows {
                let (seq, kind, body) = row.map_err(err)?;
                let job = serde_json::from_str(&body)
                    .map_err(|e| shared.corrupt(&format!("change {seq}"), e))?;
                let event = match kind {
                    ADDED => WatchEvent::Added(job),
                    DELETED => WatchEvent::Deleted(job),
                    _ => WatchEvent::Modified(job),
                };
                events.push((seq, event));
            }
            Ok(Fetched::Changes(events))
        })
        .await
    }
}

#[async_trait]
impl JobWatch for SqliteWatch {
    async fn next(&mut self) -> Option<WatchEvent> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Some(event);
            }
            if self.ended {
                return None;
            }
            // Mark this process's commits seen before reading, so none is missed in between.
            self.committed.borrow_and_update();
            match self.fetch().await {
                Ok(Fetched::Changes(changes)) if !changes.is_empty() => {
                    for (seq, event) in changes {
                        self.after = seq;
                        self.pending.push_back(event);
                    }
                    continue;
                }
                Ok(Fetched::Changes(_)) if self.closing => self.ended = true,
                Ok(Fetched::Changes(_)) => {}
                Ok(Fetched::Behind) => {
                    tracing::debug!(path = %self.shared.path.display(), "a prowjob watch fell behind the change log");
                    self.ended = true;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "a prowjob watch failed");
                    self.ended = true;
                }
            }
            if self.ended {
                return None;
            }
            tokio::select! {
                changed = self.committed.changed() => {
                    if changed.is_err() {
                        self.closing = true;
                    }
                }
                () = tokio::time::sleep(self.shared.watch_poll_interval) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, Stdio};

    use prow_core::prowjob::{ProwJobState, ProwJobType};

    use super::*;
    use crate::store::conformance::{check_store, sample_job};

    /// A hang guard, never an expectation of speed.
    const PATIENCE: Duration = Duration::from_secs(60);

    fn db(dir: &tempfile::TempDir) -> PathBuf {
        dir.path().join("prowjobs.db")
    }

    fn job(name: &str) -> ProwJob {
        sample_job(name, "unit", "presubmit", "triggered")
    }

    async fn names(store: &SqliteStore, selector: &JobSelector) -> Vec<String> {
        let mut names: Vec<String> = store
            .list(selector)
            .await
            .unwrap()
            .into_iter()
            .map(|j| j.metadata.name)
            .collect();
        names.sort();
        names
    }

    async fn next_event(watch: &mut dyn JobWatch) -> Option<WatchEvent> {
        tokio::time::timeout(PATIENCE, watch.next())
            .await
            .expect("the watch answers")
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn passes_the_store_conformance_suite() {
        let dir = tempfile::tempdir().unwrap();
        check_store(&SqliteStore::open(db(&dir)).unwrap()).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn passes_the_store_conformance_suite_with_full_sync() {
        let dir = tempfile::tempdir().unwrap();
        let options = SqliteOptions {
            synchronous: Synchronous::Full,
            ..SqliteOptions::default()
        };
        check_store(&SqliteStore::open_with(db(&dir), options).unwrap()).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn reopening_the_file_keeps_every_job_and_the_sequence() {
        let dir = tempfile::tempdir().unwrap();
        let (kept, updated, last_rv) = {
            let store = SqliteStore::open(db(&dir)).unwrap();
            let a = store.create(job("a")).await.unwrap();
            store.create(job("b")).await.unwrap();
            store.create(job("gone")).await.unwrap();
            let mut pending = a.clone();
            pending.status.state = Some(ProwJobState::Pending);
            pending
                .metadata
                .labels
                .insert("extra".into(), "label".into());
            let updated = store.update(pending).await.unwrap();
            store.delete("gone").await.unwrap();
            let kept = store.list(&JobSelector::default()).await.unwrap();
            let last_rv = updated.metadata.resource_version.clone();
            (kept, updated, last_rv)
        };
        let store = SqliteStore::open(db(&dir)).unwrap();
        assert_eq!(store.list(&JobSelector::default()).await.unwrap(), kept);
        assert_eq!(store.get("a").await.unwrap(), updated);
        assert!(matches!(
            store.get("gone").await,
            Err(StoreError::NotFound(_))
        ));
        let by_label = JobSelector {
            labels: [("extra".to_string(), "label".to_string())].into(),
            ..Default::default()
        };
        assert_eq!(names(&store, &by_label).await, ["a"]);
        let by_state = JobSelector {
            state: Some(ProwJobState::Pending),
            ..Default::default()
        };
        assert_eq!(names(&store, &by_state).await, ["a"]);
        // The sequence goes on where it stopped (the delete used one number too).
        let c = store.create(job("c")).await.unwrap();
        let last: i64 = last_rv.parse().unwrap();
        assert_eq!(c.metadata.resource_version, (last + 2).to_string());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_empty_file_is_migrated_to_the_current_schema() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::File::create(db(&dir)).unwrap();
        let store = SqliteStore::open(db(&dir)).unwrap();
        store.create(job("a")).await.unwrap();
        drop(store);
        let conn = Connection::open(db(&dir)).unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
        let mode: String = conn
            .pragma_query_value(None, "journal_mode", |row| row.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn a_file_from_a_newer_schema_is_refused_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let future = MIGRATIONS.len() as i64 + 1;
        Connection::open(db(&dir))
            .unwrap()
            .pragma_update(None, "user_version", future)
            .unwrap();
        match SqliteStore::open(db(&dir)) {
            Err(StoreError::Backend(message)) => {
                assert!(
                    message.contains(&db(&dir).display().to_string()),
                    "{message}"
                );
                assert!(
                    message.contains(&format!("schema version {future}")),
                    "{message}"
                );
            }
            other => panic!("a newer schema must be refused, got {other:?}"),
        }
        // Refusing it changed nothing.
        let version: i64 = Connection::open(db(&dir))
            .unwrap()
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap();
        assert_eq!(version, future);
    }

    #[test]
    fn a_file_that_is_not_a_database_is_refused_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(db(&dir), vec![b'x'; 8192]).unwrap();
        match SqliteStore::open(db(&dir)) {
            Err(StoreError::Backend(message)) => {
                assert!(
                    message.starts_with(&db(&dir).display().to_string()),
                    "{message}"
                );
            }
            other => panic!("a file that is not a database must be refused, got {other:?}"),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_watch_in_another_store_on_the_same_file_sees_its_writes() {
        let dir = tempfile::tempdir().unwrap();
        let options = SqliteOptions {
            watch_poll_interval: Duration::from_millis(20),
            ..SqliteOptions::default()
        };
        let writer = SqliteStore::open_with(db(&dir), options.clone()).unwrap();
        writer.create(job("before")).await.unwrap();
        let watcher = SqliteStore::open_with(db(&dir), options).unwrap();
        let mut watch = watcher.watch().await.unwrap();
        let created = writer.create(job("a")).await.unwrap();
        let mut pending = created.clone();
        pending.status.state = Some(ProwJobState::Pending);
        let updated = writer.update(pending).await.unwrap();
        writer.delete("a").await.unwrap();
        assert_eq!(
            next_event(&mut *watch).await,
            Some(WatchEvent::Added(created))
        );
        assert_eq!(
            next_event(&mut *watch).await,
            Some(WatchEvent::Modified(updated.clone()))
        );
        assert_eq!(
            next_event(&mut *watch).await,
            Some(WatchEvent::Deleted(updated))
        );
        // And the other way round: the watcher's writes reach a watch of the writer.
        let mut back = writer.watch().await.unwrap();
        let b = watcher.create(job("b")).await.unwrap();
        assert_eq!(next_event(&mut *back).await, Some(WatchEvent::Added(b)));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_watcher_that_falls_behind_the_change_log_is_ended_not_fed_a_gap() {
        let dir = tempfile::tempdir().unwrap();
        let options = SqliteOptions {
            change_log_len: 8,
            ..SqliteOptions::default()
        };
        let store = SqliteStore::open_with(db(&dir), options).unwrap();
        let mut behind = store.watch().await.unwrap();
        for i in 0..20 {
            store.create(job(&format!("job-{i}"))).await.unwrap();
        }
        // A watch opened now is within the log and sees the next change.
        let mut current = store.watch().await.unwrap();
        let next = store.create(job("next")).await.unwrap();
        assert_eq!(next_event(&mut *behind).await, None);
        assert_eq!(
            next_event(&mut *current).await,
            Some(WatchEvent::Added(next))
        );
        let kept: i64 = Connection::open(db(&dir))
            .unwrap()
            .query_row("SELECT count(*) FROM changes", [], |row| row.get(0))
            .unwrap();
        assert_eq!(kept, 8, "the change log is trimmed to its length");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_watch_ends_when_its_store_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(db(&dir)).unwrap();
        let mut watch = store.watch().await.unwrap();
        let a = store.create(job("a")).await.unwrap();
        drop(store);
        assert_eq!(next_event(&mut *watch).await, Some(WatchEvent::Added(a)));
        assert_eq!(next_event(&mut *watch).await, None);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_creates_are_all_stored_with_distinct_resource_versions() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(db(&dir)).unwrap());
        let tasks: Vec<_> = (0..50)
            .map(|t| {
                let store = store.clone();
                tokio::spawn(async move {
                    let mut versions = Vec::new();
                    for i in 0..20 {
                        let created = store.create(job(&format!("t{t}-{i}"))).await.unwrap();
                        versions.push(created.metadata.resource_version);
                    }
                    versions
                })
            })
            .collect();
        let mut versions = Vec::new();
        for task in tasks {
            versions.extend(task.await.unwrap());
        }
        versions.sort();
        versions.dedup();
        assert_eq!(versions.len(), 1000);
        assert_eq!(
            store.list(&JobSelector::default()).await.unwrap().len(),
            1000
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_updates_from_one_read_let_exactly_one_win() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(db(&dir)).unwrap());
        store.create(job("contended")).await.unwrap();
        let read = store.get("contended").await.unwrap();
        let tasks: Vec<_> = (0..10)
            .map(|i| {
                let store = store.clone();
                let mut job = read.clone();
                job.status.description = format!("writer {i}");
                tokio::spawn(async move { store.update(job).await })
            })
            .collect();
        let (mut won, mut conflicts) = (Vec::new(), 0);
        for task in tasks {
            match task.await.unwrap() {
                Ok(job) => won.push(job),
                Err(StoreError::Conflict(name)) => {
                    assert_eq!(name, "contended");
                    conflicts += 1;
                }
                Err(other) => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!((won.len(), conflicts), (1, 9));
        assert_eq!(store.get("contended").await.unwrap(), won[0]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_read_modify_write_loses_no_update() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(db(&dir)).unwrap());
        store.create(job("counter")).await.unwrap();
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move {
                    for _ in 0..10 {
                        loop {
                            let mut job = store.get("counter").await.unwrap();
                            let count: u64 = job.status.description.parse().unwrap_or(0);
                            job.status.description = (count + 1).to_string();
                            match store.update(job).await {
                                Ok(_) => break,
                                Err(StoreError::Conflict(_)) => continue,
                                Err(other) => panic!("unexpected {other:?}"),
                            }
                        }
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(
            store.get("counter").await.unwrap().status.description,
            "200"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_unconditional_update_replaces_whatever_is_stored() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(db(&dir)).unwrap();
        let created = store.create(job("a")).await.unwrap();
        store.update(created.clone()).await.unwrap();
        let mut blind = created.clone();
        blind.metadata.resource_version.clear();
        blind.metadata.creation_timestamp = None;
        blind.status.state = Some(ProwJobState::Aborted);
        let stored = store.update(blind).await.unwrap();
        assert_eq!(stored.status.state, Some(ProwJobState::Aborted));
        assert_eq!(
            stored.metadata.creation_timestamp, created.metadata.creation_timestamp,
            "the creation time is the stored one"
        );
        assert_eq!(store.get("a").await.unwrap(), stored);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn what_a_write_returns_is_what_a_read_returns() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(db(&dir)).unwrap();
        let mut fresh = job("a");
        // Sub-second times as a controller sets them; the file keeps whole seconds.
        fresh.status.start_time = Some(Utc::now());
        fresh.metadata.creation_timestamp = None;
        let created = store.create(fresh).await.unwrap();
        assert_eq!(store.get("a").await.unwrap(), created);
        let mut done = created;
        done.set_complete(Utc::now());
        let updated = store.update(done).await.unwrap();
        assert_eq!(store.get("a").await.unwrap(), updated);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn indexed_columns_follow_the_job() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(db(&dir)).unwrap();
        let mut a = job("a");
        a.metadata
            .labels
            .insert(PULL_LABEL.to_string(), "42".to_string());
        let created = store.create(a).await.unwrap();
        let mut done = created.clone();
        done.set_complete(Utc::now());
        done.status.state = Some(ProwJobState::Success);
        store.update(done).await.unwrap();
        let conn = Connection::open(db(&dir)).unwrap();
        let row: (String, String, String, String, String, i64, bool, bool) = conn
            .query_row(
                "SELECT job, type, state, org, repo, pull, created_at IS NOT NULL,
                     completed_at IS NOT NULL
                 FROM prowjobs WHERE name = 'a'",
                [],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                    ))
                },
            )
            .unwrap();
        assert_eq!(
            row,
            (
                "unit".into(),
                "presubmit".into(),
                "success".into(),
                "kubernetes".into(),
                "test-infra".into(),
                42,
                true,
                true
            )
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn selectors_combine_columns_and_labels() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(db(&dir)).unwrap();
        store
            .create(sample_job("a", "unit", "presubmit", "pending"))
            .await
            .unwrap();
        store
            .create(sample_job("b", "unit", "postsubmit", "pending"))
            .await
            .unwrap();
        store
            .create(sample_job("c", "e2e", "presubmit", "pending"))
            .await
            .unwrap();
        let selector = JobSelector {
            labels: [
                ("prow.k8s.io/refs.org".to_string(), "kubernetes".to_string()),
                ("prow.k8s.io/type".to_string(), "presubmit".to_string()),
            ]
            .into(),
            job: Some("unit".into()),
            job_type: Some(ProwJobType::Presubmit),
            state: Some(ProwJobState::Pending),
        };
        assert_eq!(names(&store, &selector).await, ["a"]);
        let all_pending = JobSelector {
            state: Some(ProwJobState::Pending),
            ..Default::default()
        };
        assert_eq!(names(&store, &all_pending).await, ["a", "b", "c"]);
    }

    /// The plan SQLite picks for the list query of `selector`, one line per step.
    fn plan(conn: &Connection, selector: &JobSelector) -> String {
        let (sql, values) = list_query(selector);
        let mut explain = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = explain
            .query_map(rusqlite::params_from_iter(&values), |row| {
                row.get::<_, String>(3)
            })
            .unwrap();
        rows.map(Result::unwrap).collect::<Vec<_>>().join("\n")
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_common_list_queries_use_an_index() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(db(&dir)).unwrap();
        for i in 0..50 {
            store.create(job(&format!("job-{i}"))).await.unwrap();
        }
        let conn = Connection::open(db(&dir)).unwrap();
        let cases = [
            (
                "by state",
                JobSelector {
                    state: Some(ProwJobState::Pending),
                    ..Default::default()
                },
                "prowjobs_state",
            ),
            (
                "by job and state",
                JobSelector {
                    job: Some("unit".into()),
                    state: Some(ProwJobState::Pending),
                    ..Default::default()
                },
                "prowjobs_job_state",
            ),
            (
                "by job",
                JobSelector {
                    job: Some("unit".into()),
                    ..Default::default()
                },
                "prowjobs_job_state",
            ),
            (
                "by type",
                JobSelector {
                    job_type: Some(ProwJobType::Periodic),
                    ..Default::default()
                },
                "prowjobs_type_state",
            ),
        ];
        for (case, selector, index) in cases {
            let plan = plan(&conn, &selector);
            assert!(
                plan.contains(&format!("INDEX {index}")),
                "{case}: expected a search with {index}, the plan is:\n{plan}"
            );
            assert!(
                !plan
                    .lines()
                    .any(|step| step.trim_start().starts_with("SCAN prowjobs")),
                "{case}: the plan scans the whole table:\n{plan}"
            );
        }
    }

    /// Where the child half of the kill test finds its database.
    const KILL_CHILD_DB: &str = "PROW_JOBS_SQLITE_KILL_CHILD_DB";
    /// How the child marks an acknowledged create on its stdout.
    const ACKED: &str = "acked ";

    /// The child half of [`acknowledged_writes_survive_kill_9`]: creates jobs from several
    /// tasks until it is killed, printing each name once its create returned. It does nothing
    /// unless that test started it.
    #[test]
    #[ignore = "the child half of acknowledged_writes_survive_kill_9, which starts it"]
    fn kill_9_child_creates_jobs_until_killed() {
        let Some(path) = std::env::var_os(KILL_CHILD_DB) else {
            return;
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let store = Arc::new(SqliteStore::open(PathBuf::from(path)).unwrap());
            let tasks: Vec<_> = (0..8)
                .map(|t| {
                    let store = store.clone();
                    tokio::spawn(async move {
                        for i in 0.. {
                            let name = format!("t{t}-{i}");
                            store.create(job(&name)).await.unwrap();
                            let mut out = std::io::stdout().lock();
                            writeln!(out, "{ACKED}{name}").unwrap();
                            out.flush().unwrap();
                        }
                    })
                })
                .collect();
            for task in tasks {
                task.await.unwrap();
            }
        });
    }

    #[test]
    fn acknowledged_writes_survive_kill_9() {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "store::sqlite::tests::kill_9_child_creates_jobs_until_killed",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(KILL_CHILD_DB, db(&dir))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (lines_tx, lines) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(name) = line.strip_prefix(ACKED)
                    && lines_tx.send(name.to_string()).is_err()
                {
                    break;
                }
            }
        });
        let mut acked = Vec::new();
        while acked.len() < 500 {
            match lines.recv_timeout(PATIENCE) {
                Ok(name) => acked.push(name),
                Err(e) => {
                    let _ = child.kill();
                    panic!(
                        "the child stopped acknowledging after {} jobs: {e}",
                        acked.len()
                    );
                }
            }
        }
        child.kill().unwrap();
        child.wait().unwrap();
        // Everything it printed before it died was acknowledged too.
        reader.join().unwrap();
        acked.extend(lines.try_iter());

        let conn = Connection::open(db(&dir)).unwrap();
        let integrity: String = conn
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .unwrap();
        assert_eq!(integrity, "ok");
        drop(conn);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let store = SqliteStore::open(db(&dir)).unwrap();
            let stored: std::collections::HashSet<String> = store
                .list(&JobSelector::default())
                .await
                .unwrap()
                .into_iter()
                .map(|j| j.metadata.name)
                .collect();
            let lost: Vec<&String> = acked.iter().filter(|n| !stored.contains(*n)).collect();
            assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
            // The store still takes writes after the crash.
            store.create(job("after-the-crash")).await.unwrap();
        });
    }
}
