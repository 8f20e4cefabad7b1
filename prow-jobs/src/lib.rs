//! Prow's engine room for prow-rs: running ProwJobs and reporting on them.
//!
//! - [`store`]: where ProwJobs live — an in-memory store, the embedded SQLite store, and the
//!   Kubernetes `prow.k8s.io/v1` custom resource — all behind prow-core's
//!   [`JobStore`](prow_core::traits::JobStore).
//! - [`executor`]: what runs them — a local process, or Kubernetes pods — behind
//!   [`JobExecutor`](prow_core::traits::JobExecutor).
//! - `kube` (cargo feature `kubernetes`): the ProwJob CustomResourceDefinition and a fake
//!   Kubernetes API server for tests; with it come `store::KubeStore` and
//!   `executor::KubeExecutor`. kube needs one `k8s-openapi` Kubernetes version feature,
//!   which the final binary enables (`k8s-openapi/v1_32`).
//! - The controllers that drive them: [`plank`] (runs triggered jobs), [`horologium`] (starts
//!   periodics), [`sinker`] (garbage collection) and `crier` (reports to GitHub and Slack).

pub mod crier;
pub mod executor;
pub mod horologium;
#[cfg(feature = "kubernetes")]
pub mod kube;
pub mod plank;
pub mod sinker;
pub mod store;
