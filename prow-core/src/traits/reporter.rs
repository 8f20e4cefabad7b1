//! The reporter trait: crier's outputs (GitHub statuses and comments, Slack), each told
//! about ProwJobs whose state changed.

use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use async_trait::async_trait;

use super::BoxFuture;
use crate::prowjob::ProwJob;

/// What a report did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReportOutcome {
    /// Reported; crier records the job's state in `status.prev_report_states` under the
    /// reporter's name.
    Reported,
    /// Nothing to report for this job in this state.
    Skipped,
    /// Not now (a rate limit): try again after this long.
    RetryAfter(Duration),
}

/// What went wrong in a reporter.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReporterError {
    /// The destination refused or failed (GitHub, Slack).
    #[error("report failed: {0}")]
    Failed(String),
    /// The job lacks what this reporter needs (refs for a GitHub status).
    #[error("cannot report prowjob: {0}")]
    Invalid(String),
}

/// Reports ProwJob state changes somewhere.
#[async_trait]
pub trait Reporter: Send + Sync {
    /// The reporter's name: the key in `status.prev_report_states` (upstream uses
    /// `github-reporter`, `slackreporter`, …).
    fn name(&self) -> &str;
    /// Whether this reporter reports `job` at all (by type, state and configuration).
    fn should_report(&self, job: &ProwJob) -> bool;
    /// Reports `job`'s current state.
    async fn report(&self, job: &ProwJob) -> Result<ReportOutcome, ReporterError>;
}

/// A [`Reporter`] as a `tower::Service<ProwJob>`; a job it should not report is
/// [`ReportOutcome::Skipped`].
pub struct ReporterService<R: ?Sized> {
    reporter: Arc<R>,
}

impl<R: ?Sized> Clone for ReporterService<R> {
    fn clone(&self) -> Self {
        ReporterService {
            reporter: Arc::clone(&self.reporter),
        }
    }
}

impl<R: Reporter + ?Sized> ReporterService<R> {
    /// Wraps a reporter.
    pub fn new(reporter: Arc<R>) -> Self {
        ReporterService { reporter }
    }
}

impl<R: Reporter + ?Sized + 'static> tower::Service<ProwJob> for ReporterService<R> {
    type Response = ReportOutcome;
    type Error = ReporterError;
    type Future = BoxFuture<'static, Result<ReportOutcome, ReporterError>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), ReporterError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, job: ProwJob) -> Self::Future {
        let reporter = Arc::clone(&self.reporter);
        Box::pin(async move {
            if !reporter.should_report(&job) {
                return Ok(ReportOutcome::Skipped);
            }
            reporter.report(&job).await
        })
    }
}
