//! Prow's plugins for prow-rs.
//!
//! This crate will hold the plugin framework — the `hook` dispatcher that runs the plugins
//! enabled for a repository by `plugins.yaml`, each isolated from the others, the command
//! declarations from which the matcher and `/plugin-help` are derived, and the standard reply
//! format — and Prow's plugins themselves, one file each: `trigger`, `lgtm`, `approve`,
//! `hold`, `label`, `size`, `assign`, `lifecycle`, `wip`, `help`, `override` and the rest.
//!
//! Nothing is implemented here yet: see `docs/architecture.md` for the crate map.
