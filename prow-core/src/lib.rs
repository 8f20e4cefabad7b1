//! The Prow vocabulary for prow-rs, sans-IO.
//!
//! Every other prow-rs crate meets through the types and traits of this crate: the YAML
//! loader with Go's semantics, Prow's configuration (`config.yaml`, job configs,
//! `plugins.yaml`), the `ProwJob` record, the webhook event model, OWNERS files, job
//! selection, and the extension traits (GitHub client, plugin, job store, executor, reporter,
//! event source) that the binary wires together as tower services.
//!
//! This crate does no network or process I/O; reading configuration files from disk is its
//! one exception.

pub mod config;
pub mod cron;
pub mod duration;
pub mod event;
pub mod github;
pub mod owners;
pub mod pod;
pub mod prowjob;
pub mod traits;
pub mod yaml;
