//! Prow's engine room for prow-rs: running ProwJobs and reporting on them.
//!
//! - [`store`]: where ProwJobs live — an in-memory store, the embedded SQLite store, and the
//!   Kubernetes `prow.k8s.io/v1` custom resource — all behind prow-core's
//!   [`JobStore`](prow_core::traits::JobStore).
//! - [`executor`]: what runs them — a local process, or Kubernetes pods — behind
//!   [`JobExecutor`](prow_core::traits::JobExecutor).
//! - The controllers that drive them: `plank` (runs triggered jobs), `horologium` (starts
//!   periodics), `sinker` (garbage collection) and `crier` (reports to GitHub and Slack).

pub mod crier;
pub mod executor;
pub mod store;
