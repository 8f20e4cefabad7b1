//! GitHub for prow-rs: the boundary between Prow and GitHub.
//!
//! This crate holds, on top of the traits and types of [`prow_core`]:
//!
//! - the **webhook intake** ([`hook`], hook's front door): a tower service that checks the
//!   method, the `X-GitHub-Event` / `X-GitHub-Delivery` headers and the `X-Hub-Signature-256`
//!   HMAC (with Prow's per-repository, rotating secret file), limits the body size, parses the
//!   payload into `prow_core` events and hands them to a dispatcher service;
//! - the **GitHub client** ([`client`]): prow-core's GitHub client trait implemented on
//!   octocrab, with personal-token and GitHub App authentication, rate-limit handling,
//!   retries, an ETag cache, dry-run and metrics;
//! - the **GitHub simulator** ([`simulator`]): one stateful model of orgs, repositories,
//!   pull requests, issues, labels, comments, reviews and statuses; in memory it implements
//!   the GitHub client trait, records every mutating call, has fault knobs, and emits the
//!   webhooks GitHub would send; its HTTP face ([`simulator::http`]) serves the same state
//!   over GitHub's REST and GraphQL APIs on loopback and delivers the webhooks to a hook.
//!
//! See `docs/architecture.md` for the crate map.

pub mod client;
pub mod hook;
pub mod simulator;
