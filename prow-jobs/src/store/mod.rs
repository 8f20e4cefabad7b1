//! ProwJob stores: every implementation of prow-core's
//! [`JobStore`](prow_core::traits::JobStore) that prow-rs ships.

mod memory;

pub use memory::MemoryStore;

pub mod conformance;
