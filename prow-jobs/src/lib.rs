//! Prow's engine room for prow-rs: running ProwJobs and reporting on them.
//!
//! This crate will hold the ProwJob stores (an embedded SQLite store and the Kubernetes
//! `prow.k8s.io/v1` custom resource), the executors (a local process and Kubernetes pods),
//! and the controllers that drive them: `plank` (runs triggered jobs), `horologium` (starts
//! periodics), `sinker` (garbage collection) and `crier` (reports to GitHub and Slack).
//!
//! Nothing is implemented here yet: see `docs/architecture.md` for the crate map.
