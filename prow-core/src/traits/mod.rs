//! The extension points of prow-rs: a small domain trait for each part that users swap or
//! extend, and an adapter from each to [`tower::Service`] so stock tower layers (timeout,
//! concurrency limit, rate limit, retry, tracing) compose around them.
//!
//! | trait | implemented by | as a tower service |
//! |---|---|---|
//! | [`Plugin`] | Prow's plugins, your own | [`PluginService`]: `Service<PluginRequest>` |
//! | [`JobExecutor`] | local process, Kubernetes pods | [`ExecutorService`]: `Service<ExecutorRequest>` |
//! | [`Reporter`] | GitHub status + comment, Slack | [`ReporterService`]: `Service<ProwJob>` |
//! | [`EventSource`] | webhook intake, a replay file | delivers into any `Service<Delivery>` ([`run_event_source`]) |
//! | [`JobStore`] | SQLite, Kubernetes CRD | (a store, not a service) |
//! | [`GitHubClient`](crate::github::GitHubClient) | octocrab client, simulator | (a client, not a service) |

mod executor;
mod plugin;
mod reporter;
mod source;
mod store;

pub use executor::{
    Execution, ExecutionState, ExecutorError, ExecutorRequest, ExecutorResponse, ExecutorService,
    JobExecutor, RunInfo,
};
pub use plugin::{
    CommandHelp, EventKind, Plugin, PluginContext, PluginError, PluginEvent, PluginHelp,
    PluginRequest, PluginService,
};
pub use reporter::{ReportOutcome, Reporter, ReporterError, ReporterService};
pub use source::{Delivery, EventSource, run_event_source};
pub use store::{JobSelector, JobStore, JobWatch, StoreError, WatchEvent};

use std::future::Future;
use std::pin::Pin;

/// The boxed future the tower adapters return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

#[cfg(test)]
mod tests;
