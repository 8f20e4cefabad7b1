//! Shared helpers for the prow-rs benchmarks.
