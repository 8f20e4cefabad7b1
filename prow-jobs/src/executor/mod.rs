//! Job executors: every implementation of prow-core's
//! [`JobExecutor`](prow_core::traits::JobExecutor) that prow-rs ships.

pub mod local;

pub use local::{LocalExecutor, LocalExecutorOptions};

#[cfg(feature = "kubernetes")]
mod kube;

#[cfg(feature = "kubernetes")]
pub use self::kube::{KubeExecutor, PLANK_VERSION, TEST_CONTAINER_NAME, pod_for_job};
