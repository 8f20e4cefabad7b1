//! GitHub for prow-rs: the boundary between Prow and GitHub.
//!
//! This crate will hold, on top of the traits and types of [`prow_core`]:
//!
//! - the **webhook intake** (`hook`'s front door): a tower service that checks the method,
//!   the `X-GitHub-Event` / `X-GitHub-Delivery` headers and the `X-Hub-Signature-256` HMAC,
//!   limits the body size and parses the payload into `prow_core` events;
//! - the **GitHub client**: prow-core's GitHub client trait implemented on octocrab, with
//!   personal-token and GitHub App authentication, rate-limit handling and an ETag cache;
//! - the **GitHub simulator**: one stateful model of orgs, repositories, pull requests,
//!   issues, labels, comments, reviews and statuses, usable in memory and over HTTP on
//!   loopback, emitting the signed webhooks GitHub would send.
//!
//! Nothing is implemented here yet: see `docs/architecture.md` for the crate map.
