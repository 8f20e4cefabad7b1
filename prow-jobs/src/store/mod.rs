//! ProwJob stores: every implementation of prow-core's
//! [`JobStore`](prow_core::traits::JobStore) that prow-rs ships.

#[cfg(feature = "kubernetes")]
mod kube;
mod memory;
mod sqlite;

#[cfg(feature = "kubernetes")]
pub use self::kube::KubeStore;
pub use memory::MemoryStore;
pub use sqlite::{SqliteOptions, SqliteStore, Synchronous};

pub mod conformance;
