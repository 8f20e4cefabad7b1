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
//!
//! Read a job config as upstream Prow reads it, default it, and ask which presubmits run for
//! a pull request:
//!
//! ```
//! use prow_core::config::jobs::{JobConfig, JobDefaults};
//!
//! let mut jobs: JobConfig = prow_core::yaml::from_str(r"
//! presubmits:
//!   kubernetes/test-infra:
//!   - name: pull-test-infra-unit
//!     always_run: true
//!     spec: {containers: [{image: golang, command: [make, test]}]}
//!   - name: pull-test-infra-docs
//!     run_if_changed: '^docs/'
//!     spec: {containers: [{image: alpine, command: [make, docs]}]}
//! ").unwrap();
//! assert!(jobs.finalize(&JobDefaults::new("test-pods")).is_empty());
//!
//! let changed = vec!["prow/cmd/main.go".to_string()];
//! let run: Vec<&str> = jobs.presubmits["kubernetes/test-infra"]
//!     .iter()
//!     .filter(|job| job.should_run("master", &mut changed.as_slice(), false, false).unwrap())
//!     .map(|job| job.job_base.name.as_str())
//!     .collect();
//! assert_eq!(run, ["pull-test-infra-unit"]);
//!
//! // `/test pull-test-infra-docs` triggers the other one, with Prow's default trigger.
//! let docs = &jobs.presubmits["kubernetes/test-infra"][1];
//! assert!(docs.trigger_matches("/test pull-test-infra-docs"));
//! assert_eq!(docs.rerun_command, "/test pull-test-infra-docs");
//! ```

pub mod config;
pub mod cron;
pub mod duration;
pub mod event;
pub mod github;
pub mod gotmpl;
pub mod labels;
pub mod owners;
pub mod pod;
pub mod prowjob;
pub mod traits;
pub mod yaml;
