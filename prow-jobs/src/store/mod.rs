//! ProwJob stores: every implementation of prow-core's
//! [`JobStore`](prow_core::traits::JobStore) that prow-rs ships.

mod memory;
mod sqlite;

pub use memory::MemoryStore;
pub use sqlite::{SqliteOptions, SqliteStore, Synchronous};

pub mod conformance;
