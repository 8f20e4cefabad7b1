//! The job executor trait: what runs a ProwJob (a local process, a Kubernetes pod) for
//! plank.

use std::sync::Arc;
use std::task::{Context, Poll};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::BoxFuture;
use crate::prowjob::ProwJob;

/// Where a job's run stands, as the executor sees it. plank maps these to ProwJob states the
/// way upstream plank maps pod phases.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExecutionState {
    /// Accepted but not yet placed anywhere (a pod no node has taken): plank errors the job
    /// after `plank.pod_unscheduled_timeout`.
    Unscheduled,
    /// Placed, not yet running (images pulling, refs cloning): plank errors the job after
    /// `plank.pod_pending_timeout`.
    Pending,
    /// Running: plank aborts the job after `plank.pod_running_timeout`.
    Running,
    /// Finished with success.
    Succeeded,
    /// Finished with failure (a non-zero exit).
    Failed,
    /// Evicted by the cluster: plank starts the run again, up to `plank.max_revivals`, unless
    /// the job sets `error_on_eviction`.
    Evicted,
    /// The run vanished (its pod was deleted, its process died with the server, its phase is
    /// unknown): plank starts it again up to `plank.max_revivals`, else marks it `error`.
    Lost,
    /// The run ended in a way that starting it again cannot mend (the pod cannot be created,
    /// the job's process died with the server that ran it): plank marks the job `error`,
    /// with [`Execution::description`] as the reason.
    Error,
}

impl ExecutionState {
    /// Whether the run has finished, one way or another.
    pub fn is_finished(&self) -> bool {
        matches!(
            self,
            ExecutionState::Succeeded
                | ExecutionState::Failed
                | ExecutionState::Evicted
                | ExecutionState::Lost
                | ExecutionState::Error
        )
    }
}

/// What the executor knows of a job's run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Execution {
    /// The state.
    pub state: ExecutionState,
    /// A human description (why it failed or was lost).
    pub description: String,
    /// The executor's name for the run (a pod name, a process ID); plank stores it in
    /// `status.pod_name`.
    pub name: String,
    /// When the run started running (a pod's `status.startTime`, a process's spawn), if it
    /// has; plank measures `pod_running_timeout` from it.
    pub started: Option<DateTime<Utc>>,
}

/// One run an executor holds resources for (a pod, a job's workspace and process), as
/// sinker sees it when it collects garbage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunInfo {
    /// The executor's name for the run (as in [`Execution::name`]).
    pub name: String,
    /// The name of the ProwJob it runs for (the `prow.k8s.io/id` label), if known.
    pub job: Option<String>,
    /// The build cluster alias it lives in (`default` for a local executor).
    pub cluster: String,
    /// When the run was created.
    pub created: DateTime<Utc>,
    /// When it finished, if it has (a pod's containers terminated, a process exited).
    pub finished: Option<DateTime<Utc>>,
}

/// What went wrong in an executor.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExecutorError {
    /// The job cannot run here (no pod spec, an agent this executor does not run).
    #[error("cannot run prowjob: {0}")]
    Unsupported(String),
    /// The executor has no run for this job.
    #[error("no run found for prowjob {0:?}")]
    NotFound(String),
    /// The executor's backend failed (process spawn, API server).
    #[error("executor: {0}")]
    Backend(String),
}

/// Runs ProwJobs: plank starts, polls and aborts runs through this trait.
#[async_trait]
pub trait JobExecutor: Send + Sync {
    /// Starts a run of `job` (idempotent for a job already started).
    async fn start(&self, job: &ProwJob) -> Result<Execution, ExecutorError>;
    /// Where `job`'s run stands.
    async fn status(&self, job: &ProwJob) -> Result<Execution, ExecutorError>;
    /// Stops `job`'s run (a no-op for a finished one).
    async fn abort(&self, job: &ProwJob) -> Result<(), ExecutorError>;
    /// The run's log so far.
    async fn logs(&self, job: &ProwJob) -> Result<String, ExecutorError>;
    /// Every run this executor holds resources for, for sinker. An executor that holds
    /// nothing after a run ends has none to list.
    async fn runs(&self) -> Result<Vec<RunInfo>, ExecutorError> {
        Ok(Vec::new())
    }
    /// Frees a run's resources (deletes a pod, removes a workspace), killing it first if it
    /// still runs.
    async fn delete_run(&self, run: &RunInfo) -> Result<(), ExecutorError> {
        Err(ExecutorError::NotFound(run.name.clone()))
    }
}

/// One executor operation as a tower request.
#[derive(Clone, Debug)]
pub enum ExecutorRequest {
    /// [`JobExecutor::start`].
    Start(ProwJob),
    /// [`JobExecutor::status`].
    Status(ProwJob),
    /// [`JobExecutor::abort`].
    Abort(ProwJob),
    /// [`JobExecutor::logs`].
    Logs(ProwJob),
}

/// The answer to an [`ExecutorRequest`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExecutorResponse {
    /// From `Start` and `Status`.
    Execution(Execution),
    /// From `Abort`.
    Aborted,
    /// From `Logs`.
    Logs(String),
}

/// A [`JobExecutor`] as a `tower::Service<ExecutorRequest>`.
pub struct ExecutorService<E: ?Sized> {
    executor: Arc<E>,
}

impl<E: ?Sized> Clone for ExecutorService<E> {
    fn clone(&self) -> Self {
        ExecutorService {
            executor: Arc::clone(&self.executor),
        }
    }
}

impl<E: JobExecutor + ?Sized> ExecutorService<E> {
    /// Wraps an executor.
    pub fn new(executor: Arc<E>) -> Self {
        ExecutorService { executor }
    }
}

impl<E: JobExecutor + ?Sized + 'static> tower::Service<ExecutorRequest> for ExecutorService<E> {
    type Response = ExecutorResponse;
    type Error = ExecutorError;
    type Future = BoxFuture<'static, Result<ExecutorResponse, ExecutorError>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), ExecutorError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: ExecutorRequest) -> Self::Future {
        let executor = Arc::clone(&self.executor);
        Box::pin(async move {
            match request {
                ExecutorRequest::Start(job) => {
                    executor.start(&job).await.map(ExecutorResponse::Execution)
                }
                ExecutorRequest::Status(job) => {
                    executor.status(&job).await.map(ExecutorResponse::Execution)
                }
                ExecutorRequest::Abort(job) => executor
                    .abort(&job)
                    .await
                    .map(|()| ExecutorResponse::Aborted),
                ExecutorRequest::Logs(job) => executor.logs(&job).await.map(ExecutorResponse::Logs),
            }
        })
    }
}
