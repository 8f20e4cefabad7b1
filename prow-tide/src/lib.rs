//! Tide for prow-rs: Prow's merge automation.
//!
//! This crate will hold Tide: the GitHub search for the pull requests that match the
//! configured `tide.queries`, their division into pools per repository and branch, the `tide`
//! status context on each pull request, batch jobs, merges with the configured
//! `merge_method`, and the history of what Tide did.
//!
//! Nothing is implemented here yet: see `docs/architecture.md` for the crate map.
