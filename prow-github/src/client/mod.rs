//! The GitHub client: prow-core's [`GitHubClient`](prow_core::github::GitHubClient) on
//! octocrab, for github.com and GitHub Enterprise, authenticated with a personal token file or
//! as a GitHub App, with rate-limit handling, retries, an ETag cache, dry-run and metrics.
//!
//! Every call goes through octocrab — its typed APIs where they fit, its generic
//! `build_request`/`execute` with prow-core's serde types elsewhere — and under octocrab
//! through this module's own tower service (the transport), which:
//!
//! - resolves octocrab's relative routes against `--github-endpoint` (`/graphql` against
//!   `--github-graphql-endpoint`) and authenticates each request with its credential;
//! - waits for the primary rate limit to reset when `X-RateLimit-Remaining` reached 0 (at
//!   most [`RetryOptions::max_rate_limit_wait`], else [`GitHubError::RateLimited`]), honours
//!   `Retry-After` (secondary limits), retries 5xx replies and transport errors with
//!   exponential backoff, and never retries other 4xx replies;
//! - sends `If-None-Match` for GETs it has an ETag for and serves the cached body on 304, so
//!   repeated reads cost no rate-limit budget (upstream needs ghproxy for that);
//! - counts requests, rate-limit budgets, cache outcomes and retries ([`ClientMetrics`]).
//!
//! With a GitHub App, the installation of each organisation is looked up once
//! (`GET /app/installations`), and each installation gets its own octocrab whose token is
//! minted on first use and refreshed a minute before it expires; every call picks the
//! octocrab of its repository's organisation.
//!
//! In dry-run mode reads go to GitHub and every mutating method only logs (at `info`) what it
//! would do and succeeds; methods that return an ID (`create_issue`, `create_comment`) return
//! 0, and a GraphQL mutation returns `null`. As a GitHub App, the bot is the App's account,
//! `{slug}[bot]`.
//!
//! ```no_run
//! use prow_core::github::{GitHubClient, RepoName};
//! use prow_github::client::{Auth, Client, ClientOptions};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::new(ClientOptions {
//!     auth: Auth::TokenFile("/etc/github/oauth".into()),
//!     ..ClientOptions::default()
//! })
//! .await?;
//! let repo = RepoName::new("kubernetes", "test-infra");
//! let pr = client.get_pull_request(&repo, 1).await?;
//! println!("{}", pr.title);
//! # Ok(())
//! # }
//! ```

mod api;
mod auth;
mod cache;
mod error;
mod metrics;
mod options;
mod transport;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::{HeaderValue, Uri};
use octocrab::{AuthState, Octocrab, OctocrabBuilder};
use prow_core::github::{GitHubError, GitHubResult};
use tokio::time::Instant;

pub use metrics::{CacheLabels, ClientMetrics, RequestLabels, RetryLabels, TokenLabels};
pub use options::{
    Auth, CacheOptions, ClientOptions, DEFAULT_ENDPOINT, DEFAULT_GRAPHQL_ENDPOINT, RetryOptions,
};

use auth::{
    Clock, Credential, InstallationMap, InstallationToken, MintedToken, SystemClock, TokenFile,
    TokenMinter,
};
use cache::EtagCache;
use error::StackError;
use transport::{HttpService, RateLimits, Shared, Transport};

/// A boxed, sendable future.
pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Why a client could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// An endpoint is not an absolute `http(s)://` URL.
    #[error("invalid GitHub endpoint {url:?}: {reason}")]
    InvalidEndpoint {
        /// The endpoint given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The token file cannot be read or holds no token.
    #[error("GitHub token: {0}")]
    Token(String),
    /// The App's private key cannot be read or parsed.
    #[error("GitHub App private key: {0}")]
    AppKey(String),
    /// The user agent is not a valid header value.
    #[error("invalid user agent {0:?}")]
    UserAgent(String),
    /// TLS could not be set up.
    #[error("TLS: {0}")]
    Tls(String),
}

/// Parses an endpoint URL.
fn endpoint(url: &str) -> Result<Uri, ClientError> {
    let invalid = |reason: &str| ClientError::InvalidEndpoint {
        url: url.to_owned(),
        reason: reason.to_owned(),
    };
    let uri: Uri = url
        .trim()
        .trim_end_matches('/')
        .parse()
        .map_err(|e: http::uri::InvalidUri| invalid(&e.to_string()))?;
    match uri.scheme_str() {
        Some("http" | "https") if uri.authority().is_some() => Ok(uri),
        _ => Err(invalid("want an absolute http:// or https:// URL")),
    }
}

/// One octocrab and the identity of its credential.
#[derive(Clone, Debug)]
pub(crate) struct Conn {
    crab: Octocrab,
    identity: Arc<str>,
}

/// An octocrab whose requests go through a [`Transport`] with `credential`.
fn build_crab(shared: &Arc<Shared>, credential: Credential, auth: AuthState) -> Conn {
    let identity = credential.identity();
    let transport = Transport::new(shared.clone(), credential);
    let crab = match OctocrabBuilder::new_empty()
        .with_service(transport)
        .with_auth(auth)
        .build()
    {
        Ok(crab) => crab,
        Err(never) => match never {},
    };
    Conn { crab, identity }
}

/// Mints installation tokens as the App.
#[derive(Debug)]
struct AppMinter {
    app: Octocrab,
}

impl TokenMinter for AppMinter {
    fn mint(&self, installation_id: u64) -> BoxFuture<'_, Result<MintedToken, StackError>> {
        Box::pin(async move {
            let route = format!("/app/installations/{installation_id}/access_tokens");
            self.app
                .post::<_, MintedToken>(route, None::<&()>)
                .await
                .map_err(|err| {
                    let err = error::error_from_octocrab(err, chrono::Utc::now());
                    StackError::Credentials(format!(
                        "minting a token for installation {installation_id}: {err}"
                    ))
                })
        })
    }
}

/// A GitHub App: its own octocrab (JWT), the installations, one octocrab per installation.
struct AppState {
    app_id: u64,
    app: Conn,
    minter: Arc<AppMinter>,
    installations: InstallationMap,
    conns: Mutex<HashMap<u64, Conn>>,
    listed: tokio::sync::Mutex<Option<Instant>>,
}

/// How often, at most, the App's installations are listed again to find a missing org.
const INSTALLATIONS_RELIST: Duration = Duration::from_secs(60);

/// How the client authenticates, resolved.
enum Mode {
    /// One octocrab for everything (anonymous or a personal token).
    Single(Conn),
    /// A GitHub App.
    App(Box<AppState>),
}

struct Inner {
    shared: Arc<Shared>,
    mode: Mode,
    bot: tokio::sync::OnceCell<prow_core::event::User>,
}

/// prow-core's [`GitHubClient`](prow_core::github::GitHubClient) on octocrab: see the
/// [module documentation](self). Cheap to clone; clones share connections, caches, rate-limit
/// state and metrics.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mode = match &self.inner.mode {
            Mode::Single(conn) => conn.identity.to_string(),
            Mode::App(app) => format!("app:{}", app.app_id),
        };
        f.debug_struct("Client")
            .field("endpoint", &self.inner.shared.rest_base)
            .field("graphql", &self.inner.shared.graphql)
            .field("auth", &mode)
            .field("dry_run", &self.inner.shared.dry_run)
            .finish()
    }
}

impl Client {
    /// A client with `options`. Reads the token file or the App's key now (so that a
    /// misconfiguration fails at start), but calls GitHub only when used.
    pub async fn new(options: ClientOptions) -> Result<Client, ClientError> {
        let http = transport::hyper_service().map_err(|e| ClientError::Tls(e.to_string()))?;
        Client::with_parts(options, http, Arc::new(SystemClock)).await
    }

    /// A client over any HTTP service and clock (tests).
    pub(crate) async fn with_parts(
        options: ClientOptions,
        http: HttpService,
        clock: Arc<dyn Clock>,
    ) -> Result<Client, ClientError> {
        let rest_base = endpoint(&options.endpoint)?;
        let graphql = endpoint(&options.graphql_endpoint)?;
        let user_agent = HeaderValue::from_str(&options.user_agent)
            .map_err(|_| ClientError::UserAgent(options.user_agent.clone()))?;
        let shared = Arc::new(Shared {
            http,
            rest_base,
            graphql,
            retry: options.retry.clone(),
            timeout: options.request_timeout,
            user_agent,
            dry_run: options.dry_run,
            cache: EtagCache::new(&options.cache),
            limits: RateLimits::default(),
            metrics: ClientMetrics::new(),
            clock: clock.clone(),
        });
        let mode = match &options.auth {
            Auth::Anonymous => Mode::Single(build_crab(
                &shared,
                Credential::None {
                    identity: "anonymous".into(),
                },
                AuthState::None,
            )),
            Auth::Token(token) => {
                let token = token.trim();
                if token.is_empty() {
                    return Err(ClientError::Token("the token is empty".into()));
                }
                Mode::Single(build_crab(
                    &shared,
                    Credential::token(token),
                    AuthState::None,
                ))
            }
            Auth::TokenFile(path) => {
                let file = Arc::new(TokenFile::new(path.clone(), options.token_reload_interval));
                file.load()
                    .await
                    .map_err(|e| ClientError::Token(e.to_string()))?;
                Mode::Single(build_crab(
                    &shared,
                    Credential::TokenFile(file),
                    AuthState::None,
                ))
            }
            Auth::App {
                app_id,
                private_key_path,
            } => {
                let pem = tokio::fs::read(private_key_path).await.map_err(|e| {
                    ClientError::AppKey(format!("reading {}: {e}", private_key_path.display()))
                })?;
                let key = octocrab::EncodingKey::from_rsa_pem(&pem)
                    .map_err(|e| ClientError::AppKey(e.to_string()))?;
                let app_auth = octocrab::auth::AppAuth {
                    app_id: (*app_id).into(),
                    key,
                };
                let app = build_crab(
                    &shared,
                    Credential::None {
                        identity: format!("app:{app_id}").into(),
                    },
                    AuthState::App(app_auth),
                );
                Mode::App(Box::new(AppState {
                    app_id: *app_id,
                    minter: Arc::new(AppMinter {
                        app: app.crab.clone(),
                    }),
                    app,
                    installations: InstallationMap::default(),
                    conns: Mutex::new(HashMap::new()),
                    listed: tokio::sync::Mutex::new(None),
                }))
            }
        };
        Ok(Client {
            inner: Arc::new(Inner {
                shared,
                mode,
                bot: tokio::sync::OnceCell::new(),
            }),
        })
    }

    /// The client's metrics (register them with the binary's registry).
    pub fn metrics(&self) -> &ClientMetrics {
        &self.inner.shared.metrics
    }

    /// Whether the client is in dry-run mode.
    pub fn dry_run(&self) -> bool {
        self.inner.shared.dry_run
    }

    /// Whether the client authenticates as a GitHub App.
    pub fn uses_app_auth(&self) -> bool {
        matches!(self.inner.mode, Mode::App(_))
    }

    /// The octocrab calls about `org` go through (an App's installation's for an App).
    pub async fn octocrab_for(&self, org: &str) -> GitHubResult<Octocrab> {
        Ok(self.conn(org).await?.crab)
    }

    /// The connection for calls about `org`.
    pub(crate) async fn conn(&self, org: &str) -> GitHubResult<Conn> {
        match &self.inner.mode {
            Mode::Single(conn) => Ok(conn.clone()),
            Mode::App(app) => self.installation_conn(app, org).await,
        }
    }

    /// The connection of the App itself (JWT), or the single one.
    pub(crate) fn own_conn(&self) -> &Conn {
        match &self.inner.mode {
            Mode::Single(conn) => conn,
            Mode::App(app) => &app.app,
        }
    }

    /// The installation connection of `org`, listing the App's installations when the org is
    /// not known yet (at most once a minute).
    async fn installation_conn(&self, app: &AppState, org: &str) -> GitHubResult<Conn> {
        let id = match app.installations.get(org) {
            Some(id) => id,
            None => {
                let mut listed = app.listed.lock().await;
                match app.installations.get(org) {
                    Some(id) => id,
                    None => {
                        let stale = listed.is_none_or(|at| at.elapsed() >= INSTALLATIONS_RELIST);
                        if stale {
                            let all = self.list_installations(&app.app).await?;
                            *listed = Some(Instant::now());
                            app.installations.replace(all);
                        }
                        app.installations.get(org).ok_or_else(|| {
                            GitHubError::Forbidden(format!(
                                "the GitHub App {} is not installed in {org}",
                                app.app_id
                            ))
                        })?
                    }
                }
            }
        };
        let mut conns = app.conns.lock().unwrap_or_else(|p| p.into_inner());
        let conn = conns.entry(id).or_insert_with(|| {
            let identity = format!("app:{}:{}", app.app_id, org.to_lowercase());
            let token = InstallationToken::new(
                id,
                &identity,
                app.minter.clone(),
                self.inner.shared.clock.clone(),
            );
            build_crab(
                &self.inner.shared,
                Credential::Installation(Arc::new(token)),
                AuthState::None,
            )
        });
        Ok(conn.clone())
    }

    /// The organisations the App is installed in, when it is an App.
    pub async fn app_installations(&self) -> GitHubResult<Vec<(String, u64)>> {
        match &self.inner.mode {
            Mode::Single(_) => Ok(Vec::new()),
            Mode::App(app) => {
                let all = self.list_installations(&app.app).await?;
                app.installations.replace(all);
                *app.listed.lock().await = Some(Instant::now());
                Ok(app.installations.all())
            }
        }
    }
}
