//! Prow's hook dispatcher and plugins for prow-rs.
//!
//! The `hook` dispatcher runs the plugins `plugins.yaml` enables for a repository, each isolated
//! from the others; commands are declared as data ([`commands`]), from which their matcher and
//! their `/plugin-help` entry both come; replies use Prow's standard format ([`reply`]).

pub mod commands;
pub mod dispatcher;
pub mod external;
pub mod help;
pub mod http;
pub mod metrics;
pub mod plugins;
pub mod reply;

#[cfg(test)]
pub(crate) mod testing;

/// Everything a plugin author needs, in one import: `use prow_plugins::prelude::*;`.
pub mod prelude {
    pub use crate::commands::{self, Arg, Command, Invocation};
    pub use crate::plugins::{created_comment, has_label, reply, repo_of};
    pub use crate::reply::{format_comment_response, format_response, format_response_raw};
    pub use async_trait::async_trait;
    pub use prow_core::event::{Event, GenericCommentAction, GenericCommentEvent};
    pub use prow_core::github::{GitHubClient, RepoName};
    pub use prow_core::labels;
    pub use prow_core::traits::{
        CommandHelp, EventKind, Plugin, PluginContext, PluginError, PluginEvent, PluginHelp,
    };
    pub use std::sync::Arc;
}
