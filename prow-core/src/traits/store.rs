//! The ProwJob store: where every component reads and writes ProwJobs.

use std::collections::BTreeMap;

use async_trait::async_trait;

use crate::prowjob::{ProwJob, ProwJobState, ProwJobType};

/// Which ProwJobs to list. Every field that is set must match; an empty selector matches all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JobSelector {
    /// Labels that must all be present with these values.
    pub labels: BTreeMap<String, String>,
    /// The job's name (`spec.job`).
    pub job: Option<String>,
    /// The job's type.
    pub job_type: Option<ProwJobType>,
    /// The job's state.
    pub state: Option<ProwJobState>,
}

impl JobSelector {
    /// Whether `job` is selected.
    pub fn matches(&self, job: &ProwJob) -> bool {
        self.labels
            .iter()
            .all(|(k, v)| job.metadata.labels.get(k) == Some(v))
            && self.job.as_ref().is_none_or(|name| &job.spec.job == name)
            && self
                .job_type
                .as_ref()
                .is_none_or(|t| job.spec.type_.as_ref() == Some(t))
            && self
                .state
                .as_ref()
                .is_none_or(|s| job.status.state.as_ref() == Some(s))
    }
}

/// A change seen by a [`JobWatch`].
#[derive(Clone, Debug, PartialEq)]
pub enum WatchEvent {
    /// A job was created.
    Added(ProwJob),
    /// A job was changed.
    Modified(ProwJob),
    /// A job was deleted.
    Deleted(ProwJob),
}

/// What went wrong in a job store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// No job has that name.
    #[error("prowjob {0:?} not found")]
    NotFound(String),
    /// A job with that name exists already.
    #[error("prowjob {0:?} already exists")]
    AlreadyExists(String),
    /// The job changed since it was read (its `resourceVersion` is stale): read it again.
    #[error("prowjob {0:?} was modified concurrently")]
    Conflict(String),
    /// The job cannot be stored as given (no `metadata.name`, a field the backend rejects).
    #[error("invalid prowjob: {0}")]
    Invalid(String),
    /// The backend failed (database, API server).
    #[error("job store: {0}")]
    Backend(String),
}

/// A stream of changes to the store, from the moment it was opened.
#[async_trait]
pub trait JobWatch: Send {
    /// The next change; `None` when the watch ended (the store closed it, or the watcher fell
    /// so far behind that changes were dropped). A controller then lists again and opens a
    /// new watch, as a Kubernetes informer does.
    async fn next(&mut self) -> Option<WatchEvent>;
}

/// Where ProwJobs live: created by trigger, Tide, horologium and mkpj; run by plank;
/// reported by crier; collected by sinker; shown by Deck.
///
/// Updates use optimistic concurrency: [`JobStore::update`] fails with
/// [`StoreError::Conflict`] when `metadata.resourceVersion` is not the stored one.
#[async_trait]
pub trait JobStore: Send + Sync {
    /// Stores a new job (its `metadata.name` must be set and unused); returns it as stored,
    /// with its `resourceVersion`.
    async fn create(&self, job: ProwJob) -> Result<ProwJob, StoreError>;
    /// The job named `name`.
    async fn get(&self, name: &str) -> Result<ProwJob, StoreError>;
    /// The jobs `selector` selects.
    async fn list(&self, selector: &JobSelector) -> Result<Vec<ProwJob>, StoreError>;
    /// Replaces a job; returns it as stored.
    async fn update(&self, job: ProwJob) -> Result<ProwJob, StoreError>;
    /// Deletes the job named `name`.
    async fn delete(&self, name: &str) -> Result<(), StoreError>;
    /// Watches every change from now on.
    async fn watch(&self) -> Result<Box<dyn JobWatch>, StoreError>;
}
