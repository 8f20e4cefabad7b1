//! The simulator's HTTP face: the same [`Simulator`] state served over HTTP on loopback, with
//! GitHub's REST routes, JSON shapes, errors and headers and Tide's GraphQL search, so that a
//! real GitHub client works against it — "one model, two faces" — plus webhook delivery.
//!
//! - [`HttpFace`] is the axum [`Router`] over a simulator, with a token table mapping
//!   `Authorization` tokens to logins; [`SimulatorServer`] serves one on a loopback port.
//! - Every route calls the same [`SimClient`] method the in-memory face does, so both pass
//!   the [`Faults`](super::Faults) knobs and write the call log identically; replies are then
//!   rendered from the state in GitHub's shapes.
//! - [`WebhookDeliverer`] POSTs every webhook the simulator sends to a hook, signed as GitHub
//!   signs them, in order, and keeps each delivery's outcome.
//!
//! # Routes
//!
//! | route | client method |
//! |---|---|
//! | `GET /user` | `bot_user` (answers the caller's account) |
//! | `GET /repos/{o}/{r}/issues/{n}` | `get_issue` |
//! | `POST /repos/{o}/{r}/issues` | `create_issue` (then `set_milestone` for `milestone`) |
//! | `PATCH /repos/{o}/{r}/issues/{n}` | `edit_title`, `close_issue`/`reopen_issue`, `set_milestone`/`clear_milestone` |
//! | `GET`/`POST /repos/{o}/{r}/issues/{n}/comments` | `list_issue_comments` (paged), `create_comment` |
//! | `PATCH`/`DELETE /repos/{o}/{r}/issues/comments/{id}` | `edit_comment`, `delete_comment` |
//! | `POST /repos/{o}/{r}/issues/comments/{id}/reactions` | `create_comment_reaction` |
//! | `POST /repos/{o}/{r}/issues/{n}/reactions` | `create_issue_reaction` |
//! | `GET /repos/{o}/{r}/labels` | `get_repo_labels` (paged) |
//! | `GET`/`POST /repos/{o}/{r}/issues/{n}/labels` | `get_issue_labels` (paged), `add_label` per label |
//! | `DELETE /repos/{o}/{r}/issues/{n}/labels/{name}` | `remove_label` |
//! | `POST`/`DELETE /repos/{o}/{r}/issues/{n}/assignees` | `assign_issue`, `unassign_issue` |
//! | `POST`/`DELETE /repos/{o}/{r}/pulls/{n}/requested_reviewers` | `request_review`, `unrequest_review` |
//! | `GET /repos/{o}/{r}/pulls/{n}` | `get_pull_request` |
//! | `PATCH /repos/{o}/{r}/pulls/{n}` | `edit_title`, `close_pull_request`/`reopen_pull_request` |
//! | `GET /repos/{o}/{r}/pulls/{n}/files` | `get_pull_request_changes` (paged) |
//! | `GET /repos/{o}/{r}/pulls/{n}/reviews` | `list_reviews` (paged) |
//! | `GET /repos/{o}/{r}/pulls/{n}/comments` | `list_pull_request_comments` (paged) |
//! | `GET /repos/{o}/{r}/issues/{n}/events` | `list_issue_events` (paged) |
//! | `PUT /repos/{o}/{r}/pulls/{n}/merge` | `merge` |
//! | `POST /repos/{o}/{r}/statuses/{sha}` | `create_status` |
//! | `GET /repos/{o}/{r}/commits/{ref}/status` | `get_combined_status` |
//! | `GET /repos/{o}/{r}/commits/{ref}/check-runs` | `list_check_runs` (paged) |
//! | `GET /repos/{o}/{r}/commits/{ref}` | `get_single_commit` |
//! | `POST /repos/{o}/{r}/check-runs` | `create_check_run` |
//! | `GET /repos/{o}/{r}/branches/{b}/protection` | `get_branch_protection` (404 `Branch not protected` without) |
//! | `GET /repos/{o}/{r}/actions/runs?head_sha=&branch=&event=&status=` | `list_workflow_runs` (paged, `total_count`; `event` may join events with ` OR `) |
//! | `POST /repos/{o}/{r}/actions/runs/{id}/rerun-failed-jobs` | `rerun_failed_workflow_jobs` |
//! | `POST /repos/{o}/{r}/actions/runs/{id}/approve` | `approve_workflow_run` |
//! | `GET /repos/{o}/{r}/git/ref/{ref}`, `GET /repos/{o}/{r}/git/refs/{ref}` | `get_ref` |
//! | `DELETE /repos/{o}/{r}/git/refs/{ref}` | `delete_ref` |
//! | `GET /repos/{o}/{r}/contents/{path}?ref=` | `get_file` (a directory lists its entries) |
//! | `GET /repos/{o}/{r}/collaborators/{user}` | `is_collaborator` (204 or 404) |
//! | `GET /repos/{o}/{r}/collaborators/{user}/permission` | `get_user_permission` |
//! | `GET /orgs/{org}/members/{user}` | `is_member` (204 or 404) |
//! | `GET /orgs/{org}/teams` | `list_teams` (paged) |
//! | `GET /orgs/{org}/teams/{slug}/members?role=` | `list_team_members` (paged) |
//! | `GET /repos/{o}/{r}/milestones?state=` | `list_milestones` (paged) |
//! | `GET /search/issues?q=` | `find_issues` (paged, `total_count`) |
//! | `POST /graphql` | `graphql` (Tide's `search`; `repository`, `organization` with projects; the Projects v2 item mutations) |
//!
//! As on GitHub, `POST` is taken wherever `PATCH` is. A request that changes several things (a `PATCH` with a title and a state) makes one client
//! call per change, each passing the fault knobs and logged. Paged lists take `per_page`
//! (30 by default, at most 100) and `page`, and answer with GitHub's `Link` header.
//!
//! # Headers
//!
//! Every reply carries `X-RateLimit-Limit`/`-Remaining`/`-Used`/`-Reset`/`-Resource` (from the
//! primary rate-limit knob, or a 5000-call hour when none is set; the reset is in the
//! simulator's clock; `core`, `search` and `graphql` share the one budget the knob sets). A `GET` answered 200 carries an `ETag`; `If-None-Match` with it gets
//! `304 Not Modified`, which, as on GitHub, does not count against the rate limit.
//!
//! # Errors
//!
//! GitHub's: a status and `{"message", "documentation_url", "status"}` — 404 `Not Found`,
//! 403 (access, archived repositories, the primary rate limit with `X-RateLimit-Remaining: 0`),
//! 422 `Validation Failed` with `errors`, 405 and 409 on merge, the secondary rate limit as
//! 403 (or 429, [`HttpOptions::secondary_rate_limit_status`]) with `Retry-After`, injected
//! failures with their status, 400 `Problems parsing JSON`, 401 `Bad credentials`.

mod base64;
mod delivery;
pub(crate) mod graphql;
mod render;
mod reply;
mod rest;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use delivery::{DeliveryRecord, HookTarget, WebhookDeliverer};

use super::{SimClient, Simulator};

/// How the HTTP face treats callers, beyond what the state and the fault knobs decide.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpOptions {
    /// Refuse (401) requests without a token, or with one the token table lacks, instead of
    /// acting as the bot for them. Off by default.
    pub require_token: bool,
    /// The status of a secondary rate-limit refusal: GitHub sends 403 or 429 (403 unless set).
    pub secondary_rate_limit_status: u16,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            require_token: false,
            secondary_rate_limit_status: 403,
        }
    }
}

/// What the routes share: the simulator, the options and the token table.
pub(crate) struct Face {
    pub sim: Simulator,
    pub options: HttpOptions,
    /// Token → login.
    pub tokens: RwLock<HashMap<String, String>>,
    /// The address the face is reached at, for `Link` headers (else taken from `Host`).
    pub base_url: RwLock<Option<String>>,
}

impl Face {
    /// The login `token` acts as, if the table has it.
    pub fn login_for(&self, token: &str) -> Option<String> {
        self.tokens
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(token)
            .cloned()
    }

    /// A client acting as `login` (the bot's without registering anything).
    pub fn client(&self, login: Option<&str>) -> SimClient {
        let other = login.filter(|login| !self.sim.lock().is_bot(login));
        match other {
            Some(login) => self.sim.client_as(login),
            None => self.sim.bot_client(),
        }
    }
}

/// The simulator's HTTP face: an axum [`Router`] answering GitHub's REST routes and GraphQL
/// search from a [`Simulator`]. Cheap to clone; clones share the token table.
///
/// Callers authenticate as GitHub's clients do, with `Authorization: token X` or `Bearer X`
/// (or basic authentication with the token as the password). A token set with
/// [`HttpFace::set_token`] acts as its login; any other token, and no token, acts as the bot
/// unless [`HttpOptions::require_token`] is set.
#[derive(Clone)]
pub struct HttpFace {
    face: Arc<Face>,
}

impl HttpFace {
    /// A face on `sim` with the default options.
    pub fn new(sim: Simulator) -> Self {
        HttpFace::with_options(sim, HttpOptions::default())
    }

    /// A face on `sim` with `options`.
    pub fn with_options(sim: Simulator, options: HttpOptions) -> Self {
        HttpFace {
            face: Arc::new(Face {
                sim,
                options,
                tokens: RwLock::new(HashMap::new()),
                base_url: RwLock::new(None),
            }),
        }
    }

    /// The simulator behind the face.
    pub fn simulator(&self) -> &Simulator {
        &self.face.sim
    }

    /// The options in force.
    pub fn options(&self) -> &HttpOptions {
        &self.face.options
    }

    /// Makes requests with `token` act as `login` (the account is registered on first use).
    pub fn set_token(&self, token: &str, login: &str) {
        self.face
            .tokens
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(token.to_owned(), login.to_owned());
    }

    /// Forgets a token.
    pub fn remove_token(&self, token: &str) {
        self.face
            .tokens
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(token);
    }

    /// Sets the address the face is reached at (`http://127.0.0.1:8888`), used in `Link`
    /// headers; unset, they use the request's `Host`.
    pub fn set_base_url(&self, url: &str) {
        *self
            .face
            .base_url
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) =
            Some(url.trim_end_matches('/').to_owned());
    }

    /// The router serving every route (see the [module documentation](self)).
    pub fn router(&self) -> Router {
        rest::router(Arc::clone(&self.face))
    }
}

impl std::fmt::Debug for HttpFace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpFace")
            .field("sim", &self.face.sim)
            .field("options", &self.face.options)
            .finish_non_exhaustive()
    }
}

/// A running HTTP face: a simulator served on a TCP address, on the current tokio runtime.
///
/// ```
/// use prow_github::simulator::{Simulator, SimulatorServer};
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let sim = Simulator::default();
/// let server = SimulatorServer::start(sim, "127.0.0.1:0".parse().unwrap()).await.unwrap();
/// assert!(server.base_url().starts_with("http://127.0.0.1:"));
/// // Point a GitHub client at server.base_url() ...
/// server.shutdown().await.unwrap();
/// # });
/// ```
#[derive(Debug)]
pub struct SimulatorServer {
    face: HttpFace,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<io::Result<()>>>,
}

impl SimulatorServer {
    /// Serves `sim` on `addr` (`127.0.0.1:0` for any free port) with the default options.
    /// The simulator's API links ([`Simulator::set_urls`]) are pointed at the server.
    pub async fn start(sim: Simulator, addr: SocketAddr) -> io::Result<SimulatorServer> {
        SimulatorServer::start_face(HttpFace::new(sim), addr).await
    }

    /// Serves `face` on `addr`; the simulator's API links are pointed at the server.
    pub async fn start_face(face: HttpFace, addr: SocketAddr) -> io::Result<SimulatorServer> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let base_url = format!("http://{addr}");
        face.set_base_url(&base_url);
        let web_url = face.simulator().lock().web_url.clone();
        face.simulator().set_urls(&web_url, &base_url);
        let (stop, stopped) = oneshot::channel::<()>();
        let router = face.router();
        let task = tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    // A dropped sender stops the server as a sent signal does.
                    let _ = stopped.await;
                })
                .await
        });
        tracing::debug!(%addr, "simulator HTTP face listening");
        Ok(SimulatorServer {
            face,
            addr,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// `http://ADDR`: the base URL to point a GitHub client (REST and `/graphql`) at.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The face served (for its token table).
    pub fn face(&self) -> &HttpFace {
        &self.face
    }

    /// The simulator served.
    pub fn simulator(&self) -> &Simulator {
        self.face.simulator()
    }

    /// Makes requests with `token` act as `login`.
    pub fn set_token(&self, token: &str, login: &str) {
        self.face.set_token(token, login);
    }

    /// Stops accepting connections, lets open requests finish, and waits for the server to
    /// stop. Dropping the server stops it too, without waiting.
    pub async fn shutdown(mut self) -> io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.task.take() {
            Some(task) => task.await.map_err(io::Error::other)?,
            None => Ok(()),
        }
    }
}

impl Drop for SimulatorServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
