//! The test harness for plugins: a simulated GitHub with a small organisation, a job store,
//! the configuration, and a way to hand the webhooks the simulator sent to one plugin.
//!
//! The world [`Harness::new`] makes (bot `k8s-ci-robot`, repository `org/repo`, default
//! branch `master`):
//!
//! | login | org `org` | repository permission |
//! |---|---|---|
//! | `alice`, `bob` | member | write (collaborators) |
//! | `carol` | not a member | write (collaborator) |
//! | `admin` | owner | admin |
//! | `random`, `author` | not a member | read (public) |
//!
//! A test acts as users through the simulator (`sim.comment_as("alice", &h.repo, n, "/lgtm")`),
//! then [`Harness::deliver`] parses every webhook sent since the last delivery and offers
//! each to the plugin as the dispatcher would (the event's own kind, and the generic comment it
//! carries). Assert with [`Harness::bot_calls`]: every mutating call the bot made.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use prow_core::config::plugins::PluginsConfig;
use prow_core::config::{Config, LoadOptions, load};
use prow_core::event::GenericCommentEvent;
use prow_core::github::{Permission, RepoName};
use prow_core::traits::{EventKind, Plugin, PluginContext, PluginError};
use prow_github::simulator::{Action, Call, Files, SimWebhook, Simulator};
use prow_jobs::store::MemoryStore;
use tokio::sync::mpsc::UnboundedReceiver;

use crate::dispatcher::plugin_events;

/// The bot's login in the harness (upstream's fake's).
pub const BOT: &str = "k8s-ci-robot";

/// A simulated GitHub, job store and configuration for one test.
pub struct Harness {
    /// The simulated GitHub.
    pub sim: Simulator,
    /// `org/repo`.
    pub repo: RepoName,
    /// The ProwJob store plugins write to.
    pub jobs: Arc<MemoryStore>,
    /// `config.yaml` and job configs.
    pub config: Arc<Config>,
    /// `plugins.yaml`.
    pub plugins: Arc<PluginsConfig>,
    webhooks: UnboundedReceiver<SimWebhook>,
}

impl Harness {
    /// The world described in the module docs, with an empty configuration and a `README.md`
    /// on `master`.
    pub fn new() -> Harness {
        Harness::with_files(Files::new().put("README.md", "# repo\n"))
    }

    /// The same world, with `files` on `master`.
    pub fn with_files(files: Files) -> Harness {
        let sim = Simulator::new(BOT);
        let repo = RepoName::new("org", "repo");
        sim.add_org("org");
        for member in ["alice", "bob"] {
            sim.add_org_member("org", member, false)
                .expect("org member");
        }
        sim.add_org_member("org", "admin", true).expect("org admin");
        for user in ["carol", "random", "author"] {
            sim.add_user(user, None, None);
        }
        sim.create_repo(&repo, "master", files).expect("repo");
        for collaborator in ["alice", "bob", "carol"] {
            sim.add_collaborator(&repo, collaborator, Permission::Write)
                .expect("collaborator");
        }
        let webhooks = sim.subscribe();
        Harness {
            sim,
            repo,
            jobs: Arc::new(MemoryStore::new()),
            config: Arc::new(Config::default()),
            plugins: Arc::new(PluginsConfig::default()),
            webhooks,
        }
    }

    /// Sets `plugins.yaml` (parsed, defaulted and validated as hook loads it).
    pub fn set_plugins_yaml(&mut self, yaml: &str) {
        self.plugins = Arc::new(PluginsConfig::load(yaml).expect("plugins.yaml"));
    }

    /// Sets `config.yaml` and, when given, one job config file, loaded as `prow serve` loads
    /// them (defaults, presets, compiled regexes).
    pub fn set_config_yaml(&mut self, config: &str, jobs: Option<&str>) {
        let dir = tempfile::tempdir().expect("temporary directory");
        let config_path = dir.path().join("config.yaml");
        std::fs::write(&config_path, config).expect("write config.yaml");
        let job_config_path: Option<PathBuf> = jobs.map(|jobs| {
            let path = dir.path().join("jobs.yaml");
            std::fs::write(&path, jobs).expect("write jobs.yaml");
            path
        });
        let loaded = load(&LoadOptions {
            config_path,
            job_config_path,
            plugin_config: None,
            strict: false,
        });
        let (config, _) = loaded
            .into_result()
            .unwrap_or_else(|errors| panic!("config does not load: {errors:?}"));
        self.config = Arc::new(config);
    }

    /// What a plugin works with.
    pub fn context(&self) -> PluginContext {
        PluginContext {
            github: Arc::new(self.sim.clone()),
            jobs: self.jobs.clone(),
            config: Arc::clone(&self.config),
            plugins: Arc::clone(&self.plugins),
        }
    }

    /// Opens a pull request from `author` with `files` on branch `head`; forgets the
    /// webhooks and calls made so far. Returns its number.
    pub fn open_pr(&mut self, author: &str, title: &str, files: Files) -> u64 {
        let number = self
            .sim
            .open_pull_request(&self.repo, author, title, "", &format!("pr-{title}"), files)
            .expect("open pull request");
        self.forget();
        number
    }

    /// Opens an issue from `author`; forgets the webhooks and calls made so far.
    pub fn open_issue(&mut self, author: &str, title: &str) -> u64 {
        let number = self
            .sim
            .open_issue_as(author, &self.repo, title, "", &[], &[])
            .expect("open issue");
        self.forget();
        number
    }

    /// Forgets the webhooks sent and the calls made so far.
    pub fn forget(&mut self) {
        while self.webhooks.try_recv().is_ok() {}
        self.sim.take_calls();
    }

    /// The webhooks sent since the last delivery, parsed.
    pub fn pending(&mut self) -> Vec<(SimWebhook, prow_core::event::Event)> {
        let mut out = Vec::new();
        while let Ok(hook) = self.webhooks.try_recv() {
            let event = hook.parse().expect("simulator webhooks parse");
            out.push((hook, event));
        }
        out
    }

    /// Offers every webhook sent since the last delivery to `plugin`, as the dispatcher
    /// would: as its own kind when the plugin wants it, and as the generic comment it carries
    /// when the plugin wants [`EventKind::GenericComment`]. Returns each call's result.
    /// Webhooks the plugin's own actions cause are left for the next delivery.
    pub async fn deliver(&mut self, plugin: &dyn Plugin) -> Vec<Result<(), PluginError>> {
        let ctx = self.context();
        let mut results = Vec::new();
        for (hook, event) in self.pending() {
            let Some(kind) = EventKind::of(&event) else {
                continue;
            };
            let comment = GenericCommentEvent::from_event(&event).map(Arc::new);
            let event = Arc::new(event);
            for call in plugin_events(
                plugin.events(),
                &hook.delivery_id,
                &event,
                kind,
                comment.as_ref(),
            ) {
                results.push(plugin.handle(&ctx, &call).await);
            }
        }
        results
    }

    /// [`Harness::deliver`], failing the test on any error.
    pub async fn deliver_ok(&mut self, plugin: &dyn Plugin) {
        for result in self.deliver(plugin).await {
            if let Err(e) = result {
                panic!("the plugin failed: {e}");
            }
        }
    }

    /// Every mutating call the bot made since the last [`Harness::forget`] (or the last call
    /// of this method); the calls are forgotten.
    pub fn bot_calls(&self) -> Vec<Call> {
        self.sim
            .take_calls()
            .into_iter()
            .filter(|call| call.actor == BOT)
            .collect()
    }

    /// The bot's calls as `(method, number)` pairs with their main argument, for compact
    /// assertions: `("add_label", "lgtm")`, `("create_comment", <body>)`.
    pub fn bot_actions(&self) -> Vec<(String, String)> {
        self.bot_calls()
            .into_iter()
            .map(|call| (call.method().to_owned(), action_argument(&call.action)))
            .collect()
    }

    /// The labels on issue or pull request `number`, sorted.
    pub fn labels(&self, number: u64) -> Vec<String> {
        let mut labels = self.sim.labels(&self.repo, number);
        labels.sort();
        labels
    }

    /// The comment bodies on issue or pull request `number`, oldest first.
    pub fn comments(&self, number: u64) -> Vec<String> {
        self.sim.comments(&self.repo, number)
    }

    /// A reply in the standard format split into the login it greets and its message:
    /// `@alice: message\n\n<details>...` gives `("alice", "message")`; `None` for any other text.
    pub fn reply_parts(comment: &str) -> Option<(String, String)> {
        let rest = comment.strip_prefix('@')?;
        let (login, rest) = rest.split_once(": ")?;
        let end = rest.find("\n\n<details>\n\n")?;
        Some((login.to_owned(), rest[..end].to_owned()))
    }
}

/// The main argument of a call, as text: the label, the comment body, the logins joined by
/// commas, the status as `context=state`, the reaction, ...; the whole call otherwise.
pub fn action_argument(action: &Action) -> String {
    match action {
        Action::AddLabel { label } | Action::RemoveLabel { label } => label.clone(),
        Action::CreateComment { body } | Action::EditComment { body, .. } => body.clone(),
        Action::AssignIssue { logins }
        | Action::UnassignIssue { logins }
        | Action::RequestReview { logins }
        | Action::UnrequestReview { logins } => logins.join(","),
        Action::CreateStatus { status, .. } => format!("{}={}", status.context, status.state),
        Action::CreateCommentReaction { reaction, .. }
        | Action::CreateIssueReaction { reaction } => reaction.clone(),
        Action::DeleteRef { reference } => reference.clone(),
        Action::EditTitle { title } => title.clone(),
        Action::SetMilestone { milestone } => milestone.to_string(),
        Action::DeleteComment { comment_id } => comment_id.to_string(),
        Action::CloseIssue { not_planned } => not_planned.to_string(),
        other => format!("{other:?}"),
    }
}

impl Harness {
    /// Comments as `user` on issue or pull request `number`; returns the comment's web
    /// address (the link a reply quotes).
    pub fn comment(&self, user: &str, number: u64, body: &str) -> String {
        let id = self
            .sim
            .comment_as(user, &self.repo, number, body)
            .expect("comment");
        self.sim
            .issue_comments(&self.repo, number)
            .expect("comments")
            .into_iter()
            .find(|c| c.id == id)
            .map(|c| c.html_url)
            .expect("the new comment")
    }
}
