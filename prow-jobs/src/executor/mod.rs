//! Job executors: every implementation of prow-core's
//! [`JobExecutor`](prow_core::traits::JobExecutor) that prow-rs ships.

pub mod local;

pub use local::{LocalExecutor, LocalExecutorOptions};
