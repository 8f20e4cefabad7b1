//! The GitHub simulator: one stateful, in-memory model of GitHub that every prow-rs component
//! is tested against. Its plain methods are the state API (also served over HTTP: [`http`]); it
//! implements [`GitHubClient`](prow_core::github::GitHubClient) as the bot, and sends the
//! webhooks GitHub would send for every change.
//!
//! - **State**: accounts, organisations (members, owners, teams, projects), repositories (branches,
//!   tags, commits with whole trees, collaborators, labels, milestones, required checks),
//!   issues and pull requests sharing one number sequence per repository, comments, reviews,
//!   diff comments, reactions, commit statuses, check runs and GitHub Actions workflow runs.
//! - **Faces**: [`Simulator`] is the bot's [`GitHubClient`](prow_core::github::GitHubClient);
//!   [`Simulator::client_as`] gives one for any login. Their calls pass the [`Faults`] knobs
//!   and mutating ones land in the call log ([`Simulator::calls`]). [`SimulatorServer`]
//!   serves the same state over GitHub's REST and GraphQL APIs through the same client code
//!   (the HTTP face, [`http`]), and [`WebhookDeliverer`] POSTs the webhooks to a hook.
//! - **World**: methods ending in `_as` (and [`Simulator::open_pull_request`],
//!   [`Simulator::push_to_pull_request`], ...) act as a named user: they emit webhooks but
//!   bypass the fault knobs and the call log, so a test's own moves never muddle what it
//!   asserts about Prow's.
//! - **Webhooks**: [`Simulator::subscribe`] hands out a receiver of every [`SimWebhook`] from
//!   then on; [`Simulator::webhooks`] keeps them all.
//! - **Seeds**: [`Simulator::from_seed`] builds a world from a [`Seed`] (YAML, see
//!   `simulator-seed.example.yaml`).
//!
//! ```
//! use prow_core::github::{GitHubClient, RepoName};
//! use prow_github::simulator::{Action, Call, Simulator};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let sim = Simulator::new("k8s-ci-robot");
//! let repo = RepoName::new("kubernetes", "test-infra");
//! sim.add_org("kubernetes");
//! sim.create_repo(&repo, "master", [("OWNERS", "approvers: [alice]\n")]).unwrap();
//! let pr = sim
//!     .open_pull_request(&repo, "alice", "Fix the docs", "", "docs", [("README.md", "hi\n")])
//!     .unwrap();
//! sim.comment_as("bob", &repo, pr, "/lgtm").unwrap();
//!
//! // What Prow would do, through the trait:
//! sim.add_label(&repo, pr, "lgtm").await.unwrap();
//!
//! assert_eq!(sim.labels(&repo, pr), ["lgtm"]);
//! let action = Action::AddLabel { label: "lgtm".into() };
//! assert_eq!(sim.take_calls(), [Call::new("k8s-ci-robot", &repo, Some(pr), action)]);
//! let events: Vec<_> = sim.webhooks().iter().map(|w| w.event_type.clone()).collect();
//! assert_eq!(events, ["pull_request", "issue_comment", "pull_request"]);
//! # });
//! ```

mod actions;
mod admin;
mod calls;
mod client;
mod faults;
mod git;
pub mod http;
mod issues;
mod projects;
mod pulls;
mod refs;
mod search;
mod seed;
mod state;
mod webhooks;

#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use prow_core::github::GitHubError;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

pub use calls::{Action, Call};
pub use client::SimClient;
pub use faults::{Faults, PrimaryRateLimit, RateLimitStatus, SecondaryRateLimit};
pub use git::Files;
pub use http::{
    DeliveryRecord, HookTarget, HttpFace, HttpOptions, SimulatorServer, WebhookDeliverer,
};
pub use projects::{ProjectItem, STATUS_FIELD};
pub use pulls::NewPullRequest;
pub use refs::{CommitInfo, NewCheckRun};
pub use seed::{
    Seed, SeedBranch, SeedComment, SeedError, SeedIssue, SeedLabel, SeedMilestone, SeedOrg,
    SeedPullRequest, SeedRepo, SeedReview, SeedStatus, SeedTeam, SeedUser,
};
pub use webhooks::SimWebhook;

use state::{Clock, State};

/// The result of a simulator operation: GitHub's answer, or its refusal.
pub type SimResult<T> = Result<T, GitHubError>;

/// A handle on one simulated GitHub. Clones share the same state, so a test, the components
/// under test and the HTTP face can all hold one.
#[derive(Clone)]
pub struct Simulator {
    state: Arc<Mutex<State>>,
}

impl Simulator {
    /// The bot login [`Simulator::default`] uses (upstream Prow's fake's).
    pub const DEFAULT_BOT: &'static str = "k8s-ci-robot";

    /// An empty GitHub whose bot is `bot_login`. The bot has admin access to every
    /// repository unless told otherwise ([`Simulator::set_bot_permission`]).
    pub fn new(bot_login: &str) -> Self {
        Simulator {
            state: Arc::new(Mutex::new(State::new(bot_login))),
        }
    }

    /// The state, locked. No lock is ever held across an `await`.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The bot's login.
    pub fn bot_login(&self) -> String {
        self.lock().bot.clone()
    }

    /// A receiver of every webhook sent from now on, in order. Any number of subscribers
    /// may listen; dropped receivers are forgotten.
    pub fn subscribe(&self) -> UnboundedReceiver<SimWebhook> {
        let (sender, receiver) = unbounded_channel();
        self.lock().subscribers.push(sender);
        receiver
    }

    /// A receiver of every webhook sent from now on, with how many webhooks were sent before
    /// it (so a reader can tell when it has seen all sent so far: see [`Simulator::webhook_count`]).
    pub(crate) fn subscribe_counted(&self) -> (u64, UnboundedReceiver<SimWebhook>) {
        let (sender, receiver) = unbounded_channel();
        let mut st = self.lock();
        st.subscribers.push(sender);
        (st.delivery_seq, receiver)
    }

    /// How many webhooks the simulator has sent since it was made (history limits and
    /// [`Simulator::take_webhooks`] aside).
    pub(crate) fn webhook_count(&self) -> u64 {
        self.lock().delivery_seq
    }

    /// Every webhook sent so far, oldest first (the last
    /// [`history limit`](Simulator::set_history_limit) of them).
    pub fn webhooks(&self) -> Vec<SimWebhook> {
        self.lock().webhooks.iter().cloned().collect()
    }

    /// Every webhook sent since the last call, oldest first; forgets them.
    pub fn take_webhooks(&self) -> Vec<SimWebhook> {
        std::mem::take(&mut self.lock().webhooks).into()
    }

    /// Every mutating call made through a client face so far, oldest first (the last
    /// [`history limit`](Simulator::set_history_limit) of them).
    pub fn calls(&self) -> Vec<Call> {
        self.lock().calls.iter().cloned().collect()
    }

    /// Every mutating call since the last call, oldest first; forgets them.
    pub fn take_calls(&self) -> Vec<Call> {
        std::mem::take(&mut self.lock().calls).into()
    }

    /// How many webhooks and calls the history keeps (100 000 unless set); the oldest go
    /// first. Subscribers get every webhook regardless.
    pub fn set_history_limit(&self, limit: usize) {
        let mut st = self.lock();
        st.history_limit = limit;
        while st.webhooks.len() > limit {
            st.webhooks.pop_front();
        }
        while st.calls.len() > limit {
            st.calls.pop_front();
        }
    }

    /// How many calls the client faces received, reads and refused ones included.
    pub fn request_count(&self) -> u64 {
        self.lock().requests
    }

    /// The fault knobs in force.
    pub fn faults(&self) -> Faults {
        self.lock().faults.clone()
    }

    /// Replaces the fault knobs and restarts their counters and rate-limit windows.
    pub fn set_faults(&self, faults: Faults) {
        let mut st = self.lock();
        st.faults = faults;
        st.fault_state = Default::default();
    }

    /// Changes the fault knobs in place (counters and windows keep running).
    pub fn update_faults(&self, change: impl FnOnce(&mut Faults)) {
        change(&mut self.lock().faults);
    }

    /// Where the primary rate limit stands, when one is set (for `X-RateLimit-*` headers).
    pub fn rate_limit(&self) -> Option<RateLimitStatus> {
        let st = self.lock();
        st.fault_state.rate_limit(&st.faults)
    }

    /// The simulated time: the machine's clock, or the manual clock once set.
    pub fn now(&self) -> DateTime<Utc> {
        self.lock().now()
    }

    /// Stops the clock at `start`; from now on it moves only with
    /// [`Simulator::advance_clock`], so timestamps are deterministic.
    pub fn use_manual_clock(&self, start: DateTime<Utc>) {
        self.lock().clock = Clock::Manual(start);
    }

    /// Moves the manual clock forward (starting it at the current time if it was the
    /// machine's).
    pub fn advance_clock(&self, by: chrono::Duration) {
        let mut st = self.lock();
        let now = st.now();
        st.clock = Clock::Manual(now + by);
    }

    /// Sets the addresses objects link to: the web (`https://github.com`) and the REST API
    /// (`https://api.github.com`), so an HTTP face can point them at itself.
    pub fn set_urls(&self, web_url: &str, api_url: &str) {
        let mut st = self.lock();
        st.web_url = web_url.trim_end_matches('/').to_owned();
        st.api_url = api_url.trim_end_matches('/').to_owned();
    }

    /// Puts `installation: {id}` into every webhook (as a GitHub App's deliveries carry), or
    /// stops doing so.
    pub fn set_installation_id(&self, id: Option<u64>) {
        self.lock().installation_id = id;
    }
}

impl Default for Simulator {
    fn default() -> Self {
        Simulator::new(Simulator::DEFAULT_BOT)
    }
}

impl fmt::Debug for Simulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.lock();
        f.debug_struct("Simulator")
            .field("bot", &st.bot)
            .field("repos", &st.repos.len())
            .field("webhooks", &st.webhooks.len())
            .field("calls", &st.calls.len())
            .finish()
    }
}
