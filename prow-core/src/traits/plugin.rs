//! The plugin trait: one of Prow's `/commands` or automations, run by the hook dispatcher
//! for each event of a repository that enables it in `plugins.yaml`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::task::{Context, Poll};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::{BoxFuture, JobStore};
use crate::config::Config;
use crate::config::plugins::PluginsConfig;
use crate::event::{Event, GenericCommentEvent};
use crate::github::{GitHubClient, RepoName};

/// The kinds of event a plugin can ask for (upstream's handler kinds).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventKind {
    /// `issues`.
    Issue,
    /// `issue_comment`.
    IssueComment,
    /// `pull_request`.
    PullRequest,
    /// `pull_request_review`.
    PullRequestReview,
    /// `pull_request_review_comment`.
    PullRequestReviewComment,
    /// `push`.
    Push,
    /// `status`.
    Status,
    /// `check_run`.
    CheckRun,
    /// `check_suite`.
    CheckSuite,
    /// Any comment-like text: issue and PR bodies, comments, review bodies and review
    /// comments (upstream's GenericCommentEvent).
    GenericComment,
}

impl EventKind {
    /// The kind of a parsed webhook event, if a plugin can ask for it.
    pub fn of(event: &Event) -> Option<EventKind> {
        Some(match event {
            Event::Issues(_) => EventKind::Issue,
            Event::IssueComment(_) => EventKind::IssueComment,
            Event::PullRequest(_) => EventKind::PullRequest,
            Event::PullRequestReview(_) => EventKind::PullRequestReview,
            Event::PullRequestReviewComment(_) => EventKind::PullRequestReviewComment,
            Event::Push(_) => EventKind::Push,
            Event::Status(_) => EventKind::Status,
            Event::CheckRun(_) => EventKind::CheckRun,
            Event::CheckSuite(_) => EventKind::CheckSuite,
            _ => return None,
        })
    }

    /// The names upstream's `/plugin-help` lists in a plugin's `Events`.
    pub fn help_name(&self) -> &'static str {
        match self {
            EventKind::Issue => "issue",
            EventKind::IssueComment => "issue_comment",
            EventKind::PullRequest => "pull_request",
            EventKind::PullRequestReview => "pull_request_review",
            EventKind::PullRequestReviewComment => "pull_request_review_comment",
            EventKind::Push => "push",
            EventKind::Status => "status",
            EventKind::CheckRun => "check_run",
            EventKind::CheckSuite => "check_suite",
            EventKind::GenericComment => "GenericCommentEvent (any event for user text)",
        }
    }
}

/// What a plugin is asked to handle.
#[derive(Clone, Debug)]
pub struct PluginEvent {
    /// The webhook's delivery ID (`X-GitHub-Delivery`).
    pub delivery: String,
    /// The kind this call is for (a comment event is offered both as itself and as
    /// [`EventKind::GenericComment`]).
    pub kind: EventKind,
    /// The parsed webhook event.
    pub event: Arc<Event>,
    /// The generic comment derived from the event, for [`EventKind::GenericComment`].
    pub comment: Option<Arc<GenericCommentEvent>>,
}

/// What a plugin works with: GitHub, the job store, and the configuration in force.
#[derive(Clone)]
pub struct PluginContext {
    /// The GitHub client, acting as the bot.
    pub github: Arc<dyn GitHubClient>,
    /// The ProwJob store.
    pub jobs: Arc<dyn JobStore>,
    /// `config.yaml` and the job configs.
    pub config: Arc<Config>,
    /// `plugins.yaml`.
    pub plugins: Arc<PluginsConfig>,
}

/// Why a plugin did not finish its work.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PluginError {
    /// The user asked for something that cannot be done (a bad command argument, a lack of
    /// permission); the dispatcher answers with this text as a reply comment.
    #[error("{0}")]
    User(String),
    /// The system failed (GitHub, the job store); logged and counted, never shown raw.
    #[error("{0}")]
    Internal(Box<dyn std::error::Error + Send + Sync>),
    /// The plugin did not finish within its time limit.
    #[error("the plugin timed out")]
    Timeout,
}

impl PluginError {
    /// An internal error from anything that is an error.
    pub fn internal(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        PluginError::Internal(error.into())
    }
}

impl From<crate::github::GitHubError> for PluginError {
    fn from(error: crate::github::GitHubError) -> Self {
        PluginError::Internal(Box::new(error))
    }
}

impl From<super::StoreError> for PluginError {
    fn from(error: super::StoreError) -> Self {
        PluginError::Internal(Box::new(error))
    }
}

/// One command of a plugin, as `/plugin-help` shows it (upstream's `pluginhelp.Command`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandHelp {
    /// The command's form, such as `/hold [cancel]`.
    #[serde(rename = "Usage")]
    pub usage: String,
    /// Whether the command is shown first.
    #[serde(rename = "Featured")]
    pub featured: bool,
    /// What it does.
    #[serde(rename = "Description")]
    pub description: String,
    /// Examples of its use.
    #[serde(rename = "Examples")]
    pub examples: Vec<String>,
    /// Who may use it.
    #[serde(rename = "WhoCanUse")]
    pub who_can_use: String,
}

/// What a plugin tells `/plugin-help` about itself (upstream's `pluginhelp.PluginHelp`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginHelp {
    /// What the plugin does.
    #[serde(rename = "Description")]
    pub description: String,
    /// Its configuration for each repository, as text, keyed by `org/repo` or `org`.
    #[serde(rename = "Config", default, skip_serializing_if = "BTreeMap::is_empty")]
    pub config: BTreeMap<String, String>,
    /// The events it handles.
    #[serde(rename = "Events", default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<String>,
    /// Its commands.
    #[serde(rename = "Commands", default, skip_serializing_if = "Vec::is_empty")]
    pub commands: Vec<CommandHelp>,
}

/// A plugin: a name, its help, the events it wants, and what it does with one.
///
/// ```
/// use prow_core::traits::{EventKind, Plugin, PluginContext, PluginError, PluginEvent, PluginHelp};
///
/// struct Shout;
///
/// #[async_trait::async_trait]
/// impl Plugin for Shout {
///     fn name(&self) -> &str { "shout" }
///     fn events(&self) -> &[EventKind] { &[EventKind::GenericComment] }
///     fn help(&self) -> PluginHelp {
///         PluginHelp { description: "Replies in capitals.".into(), ..Default::default() }
///     }
///     async fn handle(&self, ctx: &PluginContext, event: &PluginEvent) -> Result<(), PluginError> {
///         let Some(comment) = &event.comment else { return Ok(()) };
///         let repo = prow_core::github::RepoName::new(comment.repo.org(), &comment.repo.name);
///         ctx.github.create_comment(&repo, comment.number, &comment.body.to_uppercase()).await?;
///         Ok(())
///     }
/// }
/// ```
#[async_trait]
pub trait Plugin: Send + Sync + 'static {
    /// The name `plugins.yaml` enables it by.
    fn name(&self) -> &str;
    /// The kinds of event it handles.
    fn events(&self) -> &[EventKind];
    /// Its `/plugin-help` entry.
    fn help(&self) -> PluginHelp;
    /// Handles one event.
    async fn handle(&self, ctx: &PluginContext, event: &PluginEvent) -> Result<(), PluginError>;

    /// Its `/plugin-help` entry for the given repositories, with their configuration; by
    /// default the same as [`Plugin::help`].
    fn help_for(&self, _plugins: &PluginsConfig, _repos: &[RepoName]) -> PluginHelp {
        self.help()
    }
}

/// A call of a plugin as a tower request.
#[derive(Clone)]
pub struct PluginRequest {
    /// What to work with.
    pub context: PluginContext,
    /// What to handle.
    pub event: PluginEvent,
}

/// A [`Plugin`] as a `tower::Service<PluginRequest>`.
pub struct PluginService<P: ?Sized> {
    plugin: Arc<P>,
}

impl<P: ?Sized> Clone for PluginService<P> {
    fn clone(&self) -> Self {
        PluginService {
            plugin: Arc::clone(&self.plugin),
        }
    }
}

impl<P: Plugin + ?Sized> PluginService<P> {
    /// Wraps a plugin.
    pub fn new(plugin: Arc<P>) -> Self {
        PluginService { plugin }
    }

    /// The wrapped plugin.
    pub fn plugin(&self) -> &Arc<P> {
        &self.plugin
    }
}

impl<P: Plugin + ?Sized> tower::Service<PluginRequest> for PluginService<P> {
    type Response = ();
    type Error = PluginError;
    type Future = BoxFuture<'static, Result<(), PluginError>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), PluginError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: PluginRequest) -> Self::Future {
        let plugin = Arc::clone(&self.plugin);
        Box::pin(async move { plugin.handle(&request.context, &request.event).await })
    }
}
