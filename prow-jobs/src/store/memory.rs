//! An in-memory ProwJob store: everything a store does, nothing kept across restarts. For
//! tests, demos and bots that need no history.

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::Utc;
use prow_core::prowjob::ProwJob;
use prow_core::traits::{JobSelector, JobStore, JobWatch, StoreError, WatchEvent};
use tokio::sync::broadcast;

/// How many changes a watcher may fall behind before its watch ends.
const WATCH_BUFFER: usize = 4096;

/// A [`JobStore`] held in memory, with the same semantics as the persistent stores:
/// `resourceVersion` checks on update, a creation timestamp on create, and watches.
///
/// ```
/// # tokio_test_block_on(async {
/// use prow_core::prowjob::ProwJob;
/// use prow_core::traits::{JobSelector, JobStore};
/// use prow_jobs::store::MemoryStore;
///
/// let store = MemoryStore::new();
/// let mut job = ProwJob::default();
/// job.metadata.name = "a".into();
/// let stored = store.create(job).await.unwrap();
/// assert!(!stored.metadata.resource_version.is_empty());
/// assert_eq!(store.list(&JobSelector::default()).await.unwrap().len(), 1);
/// # });
/// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// ```
pub struct MemoryStore {
    state: Mutex<State>,
    changes: broadcast::Sender<WatchEvent>,
}

struct State {
    jobs: BTreeMap<String, ProwJob>,
    version: u64,
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::new()
    }
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        let (changes, _) = broadcast::channel(WATCH_BUFFER);
        MemoryStore {
            state: Mutex::new(State {
                jobs: BTreeMap::new(),
                version: 0,
            }),
            changes,
        }
    }

    /// How many jobs the store holds.
    pub fn len(&self) -> usize {
        self.lock().jobs.len()
    }

    /// Whether the store holds no job.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock leaves the map consistent (every change is one
        // insert or remove), so a poisoned lock is still usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl State {
    fn next_version(&mut self) -> String {
        self.version += 1;
        self.version.to_string()
    }
}

#[async_trait]
impl JobStore for MemoryStore {
    async fn create(&self, mut job: ProwJob) -> Result<ProwJob, StoreError> {
        if job.metadata.name.is_empty() {
            return Err(StoreError::Invalid("metadata.name is empty".into()));
        }
        let mut state = self.lock();
        if state.jobs.contains_key(&job.metadata.name) {
            return Err(StoreError::AlreadyExists(job.metadata.name));
        }
        job.metadata.resource_version = state.next_version();
        job.metadata.creation_timestamp.get_or_insert_with(Utc::now);
        state.jobs.insert(job.metadata.name.clone(), job.clone());
        let _ = self.changes.send(WatchEvent::Added(job.clone()));
        Ok(job)
    }

    async fn get(&self, name: &str) -> Result<ProwJob, StoreError> {
        self.lock()
            .jobs
            .get(name)
            .cloned()
            .ok_or_else(|| StoreError::NotFound(name.into()))
    }

    async fn list(&self, selector: &JobSelector) -> Result<Vec<ProwJob>, StoreError> {
        Ok(self
            .lock()
            .jobs
            .values()
            .filter(|job| selector.matches(job))
            .cloned()
            .collect())
    }

    async fn update(&self, mut job: ProwJob) -> Result<ProwJob, StoreError> {
        let mut state = self.lock();
        let Some(stored) = state.jobs.get(&job.metadata.name) else {
            return Err(StoreError::NotFound(job.metadata.name));
        };
        if !job.metadata.resource_version.is_empty()
            && job.metadata.resource_version != stored.metadata.resource_version
        {
            return Err(StoreError::Conflict(job.metadata.name));
        }
        job.metadata.creation_timestamp = stored.metadata.creation_timestamp;
        job.metadata.resource_version = state.next_version();
        state.jobs.insert(job.metadata.name.clone(), job.clone());
        let _ = self.changes.send(WatchEvent::Modified(job.clone()));
        Ok(job)
    }

    async fn delete(&self, name: &str) -> Result<(), StoreError> {
        let mut state = self.lock();
        let job = state
            .jobs
            .remove(name)
            .ok_or_else(|| StoreError::NotFound(name.into()))?;
        let _ = self.changes.send(WatchEvent::Deleted(job));
        Ok(())
    }

    async fn watch(&self) -> Result<Box<dyn JobWatch>, StoreError> {
        Ok(Box::new(MemoryWatch {
            changes: self.changes.subscribe(),
        }))
    }
}

struct MemoryWatch {
    changes: broadcast::Receiver<WatchEvent>,
}

#[async_trait]
impl JobWatch for MemoryWatch {
    async fn next(&mut self) -> Option<WatchEvent> {
        // A lagging watcher has lost changes: end its watch so it lists again.
        self.changes.recv().await.ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passes_the_store_conformance_suite() {
        crate::store::conformance::check_store(&MemoryStore::new()).await;
    }

    #[tokio::test]
    async fn a_watcher_that_falls_behind_is_ended_not_fed_a_gap() {
        let store = MemoryStore::new();
        let mut watch = store.watch().await.unwrap();
        for i in 0..=WATCH_BUFFER {
            let mut job = ProwJob::default();
            job.metadata.name = format!("job-{i}");
            store.create(job).await.unwrap();
        }
        assert_eq!(watch.next().await, None);
    }
}
