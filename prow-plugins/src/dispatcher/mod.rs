//! The hook dispatcher: hands each webhook delivery to the plugins `plugins.yaml` enables for
//! its repository, each in its own task and isolated from the others, and to external plugins.
//!
//! For each [`Delivery`], as upstream's hook does:
//!
//! - the plugins enabled for the event's `org/repo` ([`PluginsConfig::plugins_for`]: the org's
//!   list unless the repo is in its `excluded_repos`, plus the repo's own list) that ask for the
//!   event's [`EventKind`] are called with it. Event types without a kind (organisation-level
//!   events, `create`, `release`, ...) reach no in-process plugin, only external ones;
//! - when the event carries comment-like text (an issue or pull request opened, edited or
//!   deleted; an issue comment; a review or review comment; see
//!   [`GenericCommentEvent::from_event`]) the plugins that ask for
//!   [`EventKind::GenericComment`] are called once more with the generic comment;
//! - the external plugins of the org or `org/repo` that want the event type get the webhook
//!   as received ([`crate::external`]).
//!
//! Every call runs in its own tokio task with a time limit ([`DEFAULT_PLUGIN_TIMEOUT`] unless
//! set). An error, a panic or the time limit is logged (span fields `delivery`, `event`,
//! `repo`, `number`, `plugin`) and counted in `prow_plugin_handle_errors`, and the other
//! plugins go on. A [`PluginError::User`] is answered with a comment on the issue or pull
//! request in Prow's reply format ([`crate::reply`]), quoting the text that asked.
//!
//! Events the bot itself caused (its own comments, labels, ...) are dispatched like any other,
//! as upstream's hook does: each plugin decides whether to ignore them (upstream's plugins ask
//! `BotUserChecker`). The dispatcher only refuses to answer a user error on the bot's own text,
//! so that a plugin can never make the bot argue with itself.
//!
//! Configuration is read from `watch` channels once per delivery: a reload applies from the
//! next delivery on, and all calls of one delivery see the same configuration.

mod tracked;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashSet};
use std::convert::Infallible;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::FutureExt;
use futures_util::future::join_all;
use prow_core::config::Config;
use prow_core::config::plugins::{ExternalPlugin, PluginsConfig};
use prow_core::event::{Event, GenericCommentEvent, comment_coercion_failure, norm_login};
use prow_core::github::{GitHubClient, RepoName};
use prow_core::traits::{
    Delivery, EventKind, JobStore, Plugin, PluginContext, PluginError, PluginEvent,
};
use tokio::sync::{OnceCell, watch};
use tracing::Instrument;

use crate::external::{ExternalClient, ExternalError, ExternalOptions, ExternalRun};
use crate::help::{HelpResponse, OrgRepos, plugin_help};
use crate::metrics::Metrics;
use crate::reply::{format_response, format_response_raw};

pub use tracked::TrackedClient;

/// How long one plugin call may run before it is abandoned and counted as failed: five
/// minutes, room for a plugin that makes many GitHub calls under rate limiting, while a call
/// that hangs still ends. Upstream has no limit.
pub const DEFAULT_PLUGIN_TIMEOUT: Duration = Duration::from_secs(300);

/// What became of one plugin call.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PluginOutcome {
    /// The plugin finished its work.
    Ok,
    /// The plugin reported a user error, answered with a reply comment.
    Replied {
        /// The plugin's message.
        message: String,
    },
    /// The plugin reported a user error that was not answered.
    NotReplied {
        /// The plugin's message.
        message: String,
        /// Why there is no reply.
        reason: NoReply,
    },
    /// The plugin failed (GitHub, the job store, ...).
    Internal {
        /// The error, as logged.
        error: String,
    },
    /// The plugin panicked.
    Panic {
        /// The panic's message.
        message: String,
    },
    /// The plugin did not finish within its time limit.
    Timeout,
}

impl PluginOutcome {
    /// Whether the call counts in `prow_plugin_handle_errors`: an internal error, a panic, a
    /// time-out, or a user error whose reply GitHub refused.
    pub fn is_failure(&self) -> bool {
        match self {
            PluginOutcome::Ok | PluginOutcome::Replied { .. } => false,
            PluginOutcome::NotReplied { reason, .. } => matches!(reason, NoReply::Failed(_)),
            PluginOutcome::Internal { .. }
            | PluginOutcome::Panic { .. }
            | PluginOutcome::Timeout => true,
        }
    }
}

/// Why a user error was not answered with a comment.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NoReply {
    /// The event concerns no issue or pull request (a push, a status).
    NoIssue,
    /// The text (or the event) is the bot's own.
    BotsOwn,
    /// GitHub refused the comment; the error.
    Failed(String),
}

/// One plugin call of a delivery.
#[derive(Clone, Debug)]
pub struct PluginRun {
    /// The plugin's name.
    pub plugin: String,
    /// The kind it was called for.
    pub kind: EventKind,
    /// What became of it.
    pub outcome: PluginOutcome,
    /// Whether it changed anything on GitHub (the reply to a user error included).
    pub took_action: bool,
}

/// Everything the dispatcher did with one delivery.
#[derive(Debug)]
pub struct DispatchReport {
    /// The delivery's `X-GitHub-Delivery`.
    pub delivery: String,
    /// The delivery's `X-GitHub-Event`.
    pub event_type: String,
    /// The plugin calls, in the order of `plugins.yaml` (a plugin's own kind before its
    /// generic comment call).
    pub plugins: Vec<PluginRun>,
    /// The external plugins it was forwarded to.
    pub external: Vec<ExternalRun>,
}

impl DispatchReport {
    /// The outcome of `plugin`'s call for `kind`, if it was called.
    pub fn outcome(&self, plugin: &str, kind: EventKind) -> Option<&PluginOutcome> {
        self.plugins
            .iter()
            .find(|run| run.plugin == plugin && run.kind == kind)
            .map(|run| &run.outcome)
    }

    /// `(plugin, kind)` of every call made.
    pub fn calls(&self) -> Vec<(&str, EventKind)> {
        self.plugins
            .iter()
            .map(|run| (run.plugin.as_str(), run.kind))
            .collect()
    }
}

/// Builds a [`Dispatcher`] (see [`Dispatcher::builder`]).
pub struct DispatcherBuilder {
    github: Arc<dyn GitHubClient>,
    jobs: Arc<dyn JobStore>,
    config: watch::Receiver<Arc<Config>>,
    plugins_config: watch::Receiver<Arc<PluginsConfig>>,
    plugins: BTreeMap<String, Arc<dyn Plugin>>,
    timeout: Duration,
    metrics: Metrics,
    external: Option<ExternalClient>,
    external_options: ExternalOptions,
}

impl DispatcherBuilder {
    /// Registers a plugin under its [`Plugin::name`]; a later plugin of the same name
    /// replaces an earlier one.
    pub fn plugin(mut self, plugin: Arc<dyn Plugin>) -> Self {
        let name = plugin.name().to_owned();
        if self.plugins.insert(name.clone(), plugin).is_some() {
            tracing::warn!(plugin = %name, "a plugin of this name was registered twice; the later one is used");
        }
        self
    }

    /// Registers several plugins (see [`DispatcherBuilder::plugin`]).
    pub fn plugins(self, plugins: impl IntoIterator<Item = Arc<dyn Plugin>>) -> Self {
        plugins.into_iter().fold(self, DispatcherBuilder::plugin)
    }

    /// The time limit of one plugin call ([`DEFAULT_PLUGIN_TIMEOUT`] unless set).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The metrics to record into (fresh ones unless set).
    pub fn metrics(mut self, metrics: Metrics) -> Self {
        self.metrics = metrics;
        self
    }

    /// The HTTP client settings for external plugins (upstream's retries unless set).
    pub fn external_options(mut self, options: ExternalOptions) -> Self {
        self.external_options = options;
        self
    }

    /// An HTTP client for external plugins, shared with other users (instead of one built
    /// from [`DispatcherBuilder::external_options`]).
    pub fn external_client(mut self, client: ExternalClient) -> Self {
        self.external = Some(client);
        self
    }

    /// The dispatcher; fails only when the HTTPS client for external plugins cannot be set up.
    pub fn build(self) -> Result<Dispatcher, ExternalError> {
        let external = match self.external {
            Some(client) => client,
            None => ExternalClient::new(self.external_options)?,
        };
        let (in_flight, _) = watch::channel(0usize);
        Ok(Dispatcher {
            inner: Arc::new(Inner {
                github: self.github,
                jobs: self.jobs,
                config: self.config,
                plugins_config: self.plugins_config,
                plugins: self.plugins,
                timeout: self.timeout,
                metrics: self.metrics,
                external,
                in_flight: Arc::new(in_flight),
                unknown_logged: Mutex::new(HashSet::new()),
                bot_login: OnceCell::new(),
            }),
        })
    }
}

struct Inner {
    github: Arc<dyn GitHubClient>,
    jobs: Arc<dyn JobStore>,
    config: watch::Receiver<Arc<Config>>,
    plugins_config: watch::Receiver<Arc<PluginsConfig>>,
    plugins: BTreeMap<String, Arc<dyn Plugin>>,
    timeout: Duration,
    metrics: Metrics,
    external: ExternalClient,
    in_flight: Arc<watch::Sender<usize>>,
    unknown_logged: Mutex<HashSet<String>>,
    bot_login: OnceCell<String>,
}

/// Counts a dispatch as in flight until dropped.
struct InFlight(Arc<watch::Sender<usize>>);

impl InFlight {
    fn new(counter: &Arc<watch::Sender<usize>>) -> Self {
        counter.send_modify(|n| *n += 1);
        InFlight(Arc::clone(counter))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n -= 1);
    }
}

/// Prow's hook dispatcher. Clones share everything (registered plugins, metrics, in-flight
/// work).
///
/// ```
/// use std::sync::Arc;
/// use prow_core::config::{Config, plugins::PluginsConfig};
/// use prow_plugins::dispatcher::Dispatcher;
/// use tokio::sync::watch;
///
/// # fn demo(
/// #     github: Arc<dyn prow_core::github::GitHubClient>,
/// #     jobs: Arc<dyn prow_core::traits::JobStore>,
/// #     plugin: Arc<dyn prow_core::traits::Plugin>,
/// # ) -> Result<(), prow_plugins::external::ExternalError> {
/// let (_config_tx, config) = watch::channel(Arc::new(Config::default()));
/// let (_plugins_tx, plugins) = watch::channel(Arc::new(PluginsConfig::default()));
/// let dispatcher = Dispatcher::builder(github, jobs, config, plugins)
///     .plugin(plugin)
///     .timeout(std::time::Duration::from_secs(60))
///     .build()?;
/// // `dispatcher` is a `tower::Service<Delivery>` for the webhook intake; it answers at once
/// // and runs the plugins in the background (`dispatcher.idle().await` waits for them).
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Dispatcher {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatcher")
            .field("plugins", &self.inner.plugins.keys().collect::<Vec<_>>())
            .field("timeout", &self.inner.timeout)
            .finish_non_exhaustive()
    }
}

/// One call to make: which plugin, with what.
struct PlannedCall {
    plugin: Arc<dyn Plugin>,
    event: PluginEvent,
}

/// Where a delivery happened, for logs and replies.
#[derive(Clone, Debug)]
struct Place {
    org: String,
    repo: String,
    number: Option<u64>,
}

impl Dispatcher {
    /// A builder from the bot's GitHub client, the job store and the two configurations
    /// (`config.yaml` with the jobs, and `plugins.yaml`), each as a `watch` channel that the
    /// configuration loader updates.
    pub fn builder(
        github: Arc<dyn GitHubClient>,
        jobs: Arc<dyn JobStore>,
        config: watch::Receiver<Arc<Config>>,
        plugins_config: watch::Receiver<Arc<PluginsConfig>>,
    ) -> DispatcherBuilder {
        DispatcherBuilder {
            github,
            jobs,
            config,
            plugins_config,
            plugins: BTreeMap::new(),
            timeout: DEFAULT_PLUGIN_TIMEOUT,
            metrics: Metrics::new(),
            external: None,
            external_options: ExternalOptions::default(),
        }
    }

    /// The metrics the dispatcher records into.
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// The registered plugins, by name.
    pub fn plugins(&self) -> Vec<Arc<dyn Plugin>> {
        self.inner.plugins.values().cloned().collect()
    }

    /// `plugins.yaml` as it is now.
    pub fn plugins_config(&self) -> Arc<PluginsConfig> {
        Arc::clone(&self.inner.plugins_config.borrow())
    }

    /// The time limit of one plugin call.
    pub fn timeout(&self) -> Duration {
        self.inner.timeout
    }

    /// The HTTP client for external plugins.
    pub fn external_client(&self) -> &ExternalClient {
        &self.inner.external
    }

    /// How many deliveries are being dispatched now.
    pub fn in_flight(&self) -> usize {
        *self.inner.in_flight.borrow()
    }

    /// Waits until no delivery is being dispatched (for tests, and for a graceful shutdown
    /// after the intake stopped accepting webhooks).
    pub async fn idle(&self) {
        let mut counter = self.inner.in_flight.subscribe();
        // The sender lives in `self`, so the channel cannot close while we wait.
        let _ = counter.wait_for(|n| *n == 0).await;
    }

    /// The `/plugin-help` data for the registered plugins and the current `plugins.yaml`
    /// (see [`crate::help::plugin_help`]).
    pub async fn help(&self, org_repos: &OrgRepos) -> HelpResponse {
        let config = self.inner.plugins_config.borrow().clone();
        plugin_help(
            &self.plugins(),
            &config,
            org_repos,
            Some(&self.inner.external),
        )
        .await
    }

    /// Dispatches one delivery and waits for every plugin call and every external plugin;
    /// the report says what became of each. The delivery counts as in flight (see
    /// [`Dispatcher::idle`]) from this call on. Runs within a tokio runtime: each plugin call
    /// is a task of its own.
    pub fn dispatch(
        &self,
        delivery: Delivery,
    ) -> impl Future<Output = DispatchReport> + Send + 'static {
        let guard = InFlight::new(&self.inner.in_flight);
        let inner = Arc::clone(&self.inner);
        async move {
            let report = inner.dispatch(delivery).await;
            drop(guard);
            report
        }
    }
}

/// The calls a plugin that wants `wants` gets for one event of `kind`: the event itself when it
/// wants that kind, and the generic comment the event carries when it wants those.
pub(crate) fn plugin_events(
    wants: &[EventKind],
    delivery: &str,
    event: &Arc<Event>,
    kind: EventKind,
    comment: Option<&Arc<GenericCommentEvent>>,
) -> Vec<PluginEvent> {
    let mut calls = Vec::new();
    if wants.contains(&kind) {
        calls.push(PluginEvent {
            delivery: delivery.to_owned(),
            kind,
            event: Arc::clone(event),
            comment: None,
        });
    }
    if let Some(comment) = comment
        && wants.contains(&EventKind::GenericComment)
    {
        calls.push(PluginEvent {
            delivery: delivery.to_owned(),
            kind: EventKind::GenericComment,
            event: Arc::clone(event),
            comment: Some(Arc::clone(comment)),
        });
    }
    calls
}

impl tower::Service<Delivery> for Dispatcher {
    type Response = ();
    type Error = Infallible;
    type Future = std::future::Ready<Result<(), Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    /// Starts dispatching in the background (a tokio task; see [`Dispatcher::idle`]) and
    /// answers at once, as upstream's hook replies to GitHub before its plugins run.
    fn call(&mut self, delivery: Delivery) -> Self::Future {
        tokio::spawn(self.dispatch(delivery));
        std::future::ready(Ok(()))
    }
}

impl Inner {
    async fn dispatch(self: Arc<Self>, delivery: Delivery) -> DispatchReport {
        let config = self.config.borrow().clone();
        let plugins_config = self.plugins_config.borrow().clone();
        let event = Arc::clone(&delivery.event);
        let place = place_of(&event);
        let repo_field = event.repo().unwrap_or_default();
        let span = tracing::info_span!(
            "dispatch",
            delivery = %delivery.id,
            event = %delivery.event_type,
            repo = %repo_field,
            number = place.number,
        );
        async move {
            let calls = self.plan(&delivery, &plugins_config, &place);
            let externals: Vec<ExternalPlugin> = plugins_config
                .external_plugins_for_event(&place.org, &place.repo, &delivery.event_type)
                .into_iter()
                .cloned()
                .collect();
            tracing::debug!(
                plugins = calls.len(),
                external_plugins = externals.len(),
                "dispatching"
            );
            let handles: Vec<_> = calls
                .into_iter()
                .map(|call| {
                    let name = call.plugin.name().to_owned();
                    let kind = call.event.kind;
                    let task = Arc::clone(&self).run(
                        call,
                        Arc::clone(&config),
                        Arc::clone(&plugins_config),
                        delivery.event_type.clone(),
                        place.clone(),
                    );
                    (name, kind, tokio::spawn(task.in_current_span()))
                })
                .collect();
            let external = async {
                if externals.is_empty() {
                    Vec::new()
                } else {
                    self.external
                        .dispatch(&externals, &delivery.payload, &delivery.headers)
                        .await
                }
            };
            let (runs, external) = tokio::join!(
                join_all(
                    handles
                        .into_iter()
                        .map(|(plugin, kind, handle)| async move {
                            handle.await.unwrap_or_else(|error| PluginRun {
                                plugin,
                                kind,
                                outcome: PluginOutcome::Internal {
                                    error: format!("the plugin's task ended: {error}"),
                                },
                                took_action: false,
                            })
                        })
                ),
                external
            );
            DispatchReport {
                delivery: delivery.id.clone(),
                event_type: delivery.event_type.clone(),
                plugins: runs,
                external,
            }
        }
        .instrument(span)
        .await
    }

    /// The calls a delivery asks for: enabled plugins that want its kind, and those that want
    /// its generic comment.
    fn plan(
        &self,
        delivery: &Delivery,
        plugins_config: &PluginsConfig,
        place: &Place,
    ) -> Vec<PlannedCall> {
        let event = &delivery.event;
        let Some(kind) = EventKind::of(event) else {
            tracing::debug!(
                "Ignoring unhandled event type. (Might still be handled by external plugins.)"
            );
            return Vec::new();
        };
        let comment = GenericCommentEvent::from_event(event).map(Arc::new);
        if comment.is_none()
            && let Some(message) = comment_coercion_failure(event)
        {
            tracing::warn!("{message}");
        }
        let mut calls = Vec::new();
        for name in plugins_config.plugins_for(&place.org, &place.repo) {
            let Some(plugin) = self.plugins.get(name) else {
                self.log_unknown(name);
                continue;
            };
            for call in plugin_events(plugin.events(), &delivery.id, event, kind, comment.as_ref())
            {
                calls.push(PlannedCall {
                    plugin: Arc::clone(plugin),
                    event: call,
                });
            }
        }
        calls
    }

    fn log_unknown(&self, name: &str) {
        let mut logged = self
            .unknown_logged
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if logged.insert(name.to_owned()) {
            tracing::warn!(
                plugin = name,
                "plugins.yaml enables a plugin that is not registered; it is ignored"
            );
        }
    }

    /// Runs one call, isolated: its outcome, the reply to a user error, its metrics.
    async fn run(
        self: Arc<Self>,
        call: PlannedCall,
        config: Arc<Config>,
        plugins_config: Arc<PluginsConfig>,
        event_type: String,
        place: Place,
    ) -> PluginRun {
        let PlannedCall { plugin, event } = call;
        let name = plugin.name().to_owned();
        let span = tracing::info_span!("plugin", plugin = %name, kind = ?event.kind);
        async move {
            let github = Arc::new(TrackedClient::new(Arc::clone(&self.github)));
            let context = PluginContext {
                github: Arc::clone(&github) as Arc<dyn GitHubClient>,
                jobs: Arc::clone(&self.jobs),
                config,
                plugins: plugins_config,
            };
            let start = tokio::time::Instant::now();
            let handled = AssertUnwindSafe(tokio::time::timeout(
                self.timeout,
                plugin.handle(&context, &event),
            ))
            .catch_unwind()
            .await;
            let outcome = match handled {
                Ok(Ok(Ok(()))) => PluginOutcome::Ok,
                Ok(Ok(Err(PluginError::User(message)))) => {
                    self.reply(&github, &event, &place, message).await
                }
                Ok(Ok(Err(PluginError::Timeout))) | Ok(Err(_)) => PluginOutcome::Timeout,
                Ok(Ok(Err(error))) => PluginOutcome::Internal {
                    error: error.to_string(),
                },
                Err(panic) => PluginOutcome::Panic {
                    message: panic_message(panic.as_ref()),
                },
            };
            let elapsed = start.elapsed();
            let action = match (&event.comment, event.event.as_ref()) {
                (Some(comment), _) if event.kind == EventKind::GenericComment => {
                    comment.action.as_str()
                }
                (_, Event::Push(_) | Event::Status(_)) => "none",
                (_, other) => other.action().unwrap_or_default(),
            };
            let took_action = github.took_action();
            let failed = outcome.is_failure();
            self.metrics.observe(
                &event_type,
                action,
                &name,
                took_action,
                elapsed.as_secs_f64(),
                failed,
            );
            log_outcome(&outcome, elapsed);
            PluginRun {
                plugin: name,
                kind: event.kind,
                outcome,
                took_action,
            }
        }
        .instrument(span)
        .await
    }

    /// Answers a user error with a comment on the issue or pull request, quoting the text
    /// that asked when there is one.
    async fn reply(
        &self,
        github: &TrackedClient,
        event: &PluginEvent,
        place: &Place,
        message: String,
    ) -> PluginOutcome {
        let not_replied = |reason: NoReply| PluginOutcome::NotReplied {
            message: message.clone(),
            reason,
        };
        let Some(number) = place.number else {
            tracing::warn!(%message, "a user error on an event without an issue or pull request");
            return not_replied(NoReply::NoIssue);
        };
        let derived;
        let comment = match &event.comment {
            Some(comment) => Some(comment.as_ref()),
            None => {
                derived = GenericCommentEvent::from_event(&event.event);
                derived.as_ref()
            }
        };
        let author = match comment {
            Some(comment) => comment.user.login.clone(),
            None => event.event.sender().unwrap_or_default().to_owned(),
        };
        if let Some(bot) = self.bot_login().await
            && norm_login(&bot) == norm_login(&author)
        {
            tracing::warn!(%message, "not replying to a user error on the bot's own event");
            return not_replied(NoReply::BotsOwn);
        }
        let body = match comment {
            Some(comment) => format_response_raw(
                &comment.body,
                &comment.html_url,
                &comment.user.login,
                &message,
            ),
            None => {
                let url = html_url(&event.event).unwrap_or_default();
                format_response(&author, &message, &format!("In response to [this]({url})."))
            }
        };
        let repo = RepoName::new(place.org.clone(), place.repo.clone());
        match github.create_comment(&repo, number, &body).await {
            Ok(_) => {
                tracing::info!(%message, "replied to a user error");
                PluginOutcome::Replied { message }
            }
            Err(error) => {
                tracing::error!(%message, %error, "failed to reply to a user error");
                not_replied(NoReply::Failed(error.to_string()))
            }
        }
    }

    /// The bot's login, asked of GitHub once; `None` while GitHub cannot tell.
    async fn bot_login(&self) -> Option<String> {
        self.bot_login
            .get_or_try_init(|| async { self.github.bot_user().await.map(|user| user.login) })
            .await
            .map_err(|error| tracing::warn!(%error, "could not learn the bot's login"))
            .ok()
            .cloned()
    }
}

fn log_outcome(outcome: &PluginOutcome, elapsed: Duration) {
    match outcome {
        PluginOutcome::Ok | PluginOutcome::Replied { .. } => {
            tracing::debug!(?elapsed, "plugin handled the event")
        }
        PluginOutcome::NotReplied { .. } => {}
        PluginOutcome::Internal { error } => {
            tracing::error!(%error, ?elapsed, "Error handling event.")
        }
        PluginOutcome::Panic { message } => {
            tracing::error!(panic = %message, ?elapsed, "plugin panicked handling event")
        }
        PluginOutcome::Timeout => {
            tracing::error!(?elapsed, "plugin did not finish handling the event in time")
        }
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = panic.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = panic.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

/// The org, repo and issue or pull request number of an event (empty org and repo for events
/// without a repository, as upstream's lookup sees them).
fn place_of(event: &Event) -> Place {
    let full = event.repo().unwrap_or_default();
    let (org, repo) = full.split_once('/').unwrap_or((full.as_str(), ""));
    let number = match event {
        Event::Issues(e) => Some(e.issue.number),
        Event::IssueComment(e) => Some(e.issue.number),
        Event::PullRequest(e) => Some(e.pull_request.number),
        Event::PullRequestReview(e) => Some(e.pull_request.number),
        Event::PullRequestReviewComment(e) => Some(e.pull_request.number),
        _ => None,
    }
    .filter(|n| *n != 0);
    Place {
        org: org.to_owned(),
        repo: repo.to_owned(),
        number,
    }
}

/// The web address of an event's issue or pull request.
fn html_url(event: &Event) -> Option<String> {
    let url = match event {
        Event::Issues(e) => &e.issue.html_url,
        Event::IssueComment(e) => &e.issue.html_url,
        Event::PullRequest(e) => &e.pull_request.html_url,
        Event::PullRequestReview(e) => &e.pull_request.html_url,
        Event::PullRequestReviewComment(e) => &e.pull_request.html_url,
        _ => return None,
    };
    Some(url.clone())
}
