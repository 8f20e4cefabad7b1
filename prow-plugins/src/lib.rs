//! Prow's hook dispatcher and plugins for prow-rs.
//!
//! The `hook` dispatcher runs the plugins `plugins.yaml` enables for a repository, each isolated
//! from the others; commands are declared as data ([`commands`]), from which their matcher and
//! their `/plugin-help` entry both come; replies use Prow's standard format ([`reply`]).

pub mod commands;
pub mod http;
pub mod plugins;
pub mod reply;

#[cfg(test)]
pub(crate) mod testing;
