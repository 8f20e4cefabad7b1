//! External plugins: services that `plugins.yaml`'s `external_plugins:` names, to which the hook
//! forwards each webhook as received (payload and headers), and asks for `/plugin-help` entries.
//!
//! As upstream's hook does, a delivery is POSTed unchanged to every external plugin of its org
//! or `org/repo` whose `events` list its type (all types when the list is empty), with the
//! original request headers and `User-Agent: ProwHook`. A transport error (refused connection,
//! reset) is retried up to five attempts in all, waiting 100ms, 200ms, 400ms, 800ms between
//! them; a reply other than 2xx is logged and not retried.
//!
//! ```no_run
//! use prow_plugins::external::{ExternalClient, ExternalOptions};
//!
//! # async fn demo(delivery: prow_core::traits::Delivery) -> Result<(), Box<dyn std::error::Error>> {
//! let client = ExternalClient::new(ExternalOptions::default())?;
//! let plugin = prow_core::config::plugins::ExternalPlugin {
//!     name: "needs-rebase".into(),
//!     endpoint: "http://needs-rebase".into(),
//!     events: vec!["pull_request".into()],
//! };
//! let status = client.deliver(&plugin, &delivery.payload, &delivery.headers).await?;
//! assert!(http::StatusCode::from_u16(status)?.is_success());
//! # Ok(()) }
//! ```

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::future::join_all;
use http::header::{CONTENT_TYPE, HeaderName, HeaderValue, USER_AGENT as USER_AGENT_HEADER};
use http::{Method, Request, Uri};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use prow_core::config::plugins::ExternalPlugin;
use prow_core::github::RepoName;
use prow_core::traits::PluginHelp;
use serde::Serialize;

/// The `User-Agent` of every request the hook sends to an external plugin (upstream's).
pub const USER_AGENT: &str = "ProwHook";

/// Attempts at delivering to an external plugin when the transport fails (upstream's).
pub const DEFAULT_ATTEMPTS: u32 = 5;

/// The wait after the first failed attempt; it doubles after each further one (upstream's).
pub const DEFAULT_BACKOFF: Duration = Duration::from_millis(100);

/// How long one attempt at delivering may take before it is given up (not retried: the plugin
/// may have received it). Upstream waits without limit; a bound keeps a hung plugin from
/// holding the hook's graceful shutdown forever.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// How long `/plugin-help` waits for all external plugins' help together (upstream's): a
/// user is waiting for the page, so help that comes later is left out.
pub const DEFAULT_HELP_TIMEOUT: Duration = Duration::from_secs(1);

/// Headers never forwarded: they describe the incoming connection, or the client sets them.
const NOT_FORWARDED: [&str; 10] = [
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "upgrade",
    "user-agent",
];

type HttpClient = Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>;

/// The HTTP client settings for external plugins.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ExternalOptions {
    /// Attempts at one delivery when the transport fails ([`DEFAULT_ATTEMPTS`]; at least one
    /// is always made).
    pub attempts: u32,
    /// The wait after the first failed attempt, doubled after each further one
    /// ([`DEFAULT_BACKOFF`]).
    pub backoff: Duration,
    /// How long one attempt may take ([`DEFAULT_REQUEST_TIMEOUT`]); `None`: no limit, as
    /// upstream.
    pub request_timeout: Option<Duration>,
    /// How long help requests may take, all together ([`DEFAULT_HELP_TIMEOUT`]).
    pub help_timeout: Duration,
}

impl Default for ExternalOptions {
    fn default() -> Self {
        ExternalOptions {
            attempts: DEFAULT_ATTEMPTS,
            backoff: DEFAULT_BACKOFF,
            request_timeout: Some(DEFAULT_REQUEST_TIMEOUT),
            help_timeout: DEFAULT_HELP_TIMEOUT,
        }
    }
}

impl ExternalOptions {
    /// Sets the attempts and the first wait between them.
    pub fn with_retries(mut self, attempts: u32, backoff: Duration) -> Self {
        self.attempts = attempts;
        self.backoff = backoff;
        self
    }

    /// Sets the limit of one attempt (`None`: no limit).
    pub fn with_request_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Sets how long help requests may take, all together.
    pub fn with_help_timeout(mut self, timeout: Duration) -> Self {
        self.help_timeout = timeout;
        self
    }
}

/// Why a request to an external plugin failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExternalError {
    /// The TLS configuration could not be built.
    #[error("could not set up TLS for external plugins: {0}")]
    Tls(#[from] rustls::Error),
    /// The endpoint is not a URL the client can send to.
    #[error("invalid external plugin endpoint {endpoint:?}: {reason}")]
    Endpoint {
        /// The endpoint.
        endpoint: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The request never got an answer: every attempt failed in transport.
    #[error("posting to {endpoint} failed after {attempts} attempts: {reason}")]
    Transport {
        /// The endpoint.
        endpoint: String,
        /// How many attempts were made.
        attempts: u32,
        /// The last attempt's failure.
        reason: String,
    },
    /// No answer within the time limit.
    #[error("no answer from {endpoint} within {limit:?}")]
    Timeout {
        /// The endpoint.
        endpoint: String,
        /// The limit.
        limit: Duration,
    },
    /// The answer's body could not be read or decoded.
    #[error("reading the answer of {endpoint}: {reason}")]
    Body {
        /// The endpoint.
        endpoint: String,
        /// What went wrong.
        reason: String,
    },
    /// The plugin answered with a status other than 2xx.
    #[error("response has status {status} and body {body:?}")]
    Status {
        /// The endpoint.
        endpoint: String,
        /// The HTTP status code.
        status: u16,
        /// The body of the answer, as text.
        body: String,
    },
}

/// What became of forwarding one delivery to one external plugin.
#[derive(Debug)]
pub struct ExternalRun {
    /// The plugin's name.
    pub name: String,
    /// Where it was sent.
    pub endpoint: String,
    /// The 2xx status it answered with, or why it failed.
    pub result: Result<u16, ExternalError>,
}

/// A repository as upstream's `config.OrgRepo` serialises in help requests.
#[derive(Serialize)]
struct OrgRepo<'a> {
    #[serde(rename = "Org")]
    org: &'a str,
    #[serde(rename = "Repo")]
    repo: &'a str,
}

/// The HTTP client that talks to external plugins (HTTPS with rustls and the machine's root
/// certificates, or plain HTTP). Clones share connections.
#[derive(Clone)]
pub struct ExternalClient {
    http: HttpClient,
    options: Arc<ExternalOptions>,
}

impl std::fmt::Debug for ExternalClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExternalClient")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl ExternalClient {
    /// A client with these settings.
    pub fn new(options: ExternalOptions) -> Result<Self, ExternalError> {
        Ok(ExternalClient {
            http: http_client()?,
            options: Arc::new(options),
        })
    }

    /// The client's settings.
    pub fn options(&self) -> &ExternalOptions {
        &self.options
    }

    /// Forwards a delivery to every plugin of `plugins`, concurrently; one result each, in
    /// order. Failures are logged.
    pub async fn dispatch(
        &self,
        plugins: &[ExternalPlugin],
        payload: &[u8],
        headers: &[(String, String)],
    ) -> Vec<ExternalRun> {
        let payload = Bytes::copy_from_slice(payload);
        join_all(plugins.iter().map(|plugin| {
            let payload = payload.clone();
            async move {
                let endpoint = endpoint_of(plugin);
                let result = self.post_with_retries(&endpoint, payload, headers).await;
                match &result {
                    Ok(_) => tracing::info!(
                        external_plugin = %plugin.name,
                        "Dispatched event to external plugin."
                    ),
                    Err(error) => tracing::error!(
                        external_plugin = %plugin.name,
                        %error,
                        "Error dispatching event to external plugin."
                    ),
                }
                ExternalRun {
                    name: plugin.name.clone(),
                    endpoint,
                    result,
                }
            }
        }))
        .await
    }

    /// POSTs `payload` with `headers` (a webhook's, see
    /// [`Delivery::headers`](prow_core::traits::Delivery::headers)) to one plugin, retrying
    /// transport failures; the 2xx status it answered with.
    pub async fn deliver(
        &self,
        plugin: &ExternalPlugin,
        payload: &[u8],
        headers: &[(String, String)],
    ) -> Result<u16, ExternalError> {
        let endpoint = endpoint_of(plugin);
        self.post_with_retries(&endpoint, Bytes::copy_from_slice(payload), headers)
            .await
    }

    async fn post_with_retries(
        &self,
        endpoint: &str,
        payload: Bytes,
        headers: &[(String, String)],
    ) -> Result<u16, ExternalError> {
        let uri = parse_endpoint(endpoint)?;
        let attempts = self.options.attempts.max(1);
        let mut backoff = self.options.backoff;
        let mut attempt = 1;
        loop {
            let request = forward_request(&uri, payload.clone(), headers);
            match self
                .send(endpoint, request, self.options.request_timeout)
                .await
            {
                Err(SendError::Transport(reason)) if attempt < attempts => {
                    tracing::debug!(endpoint, attempt, %reason, "retrying an external plugin");
                    tokio::time::sleep(backoff).await;
                    backoff *= 2;
                    attempt += 1;
                }
                Err(SendError::Transport(reason)) => {
                    return Err(ExternalError::Transport {
                        endpoint: endpoint.to_owned(),
                        attempts,
                        reason,
                    });
                }
                Err(SendError::Other(error)) => return Err(error),
                Ok((status, _)) => return Ok(status),
            }
        }
    }

    /// Sends one request; a 2xx status and the body, or why not.
    async fn send(
        &self,
        endpoint: &str,
        request: Request<Full<Bytes>>,
        limit: Option<Duration>,
    ) -> Result<(u16, Bytes), SendError> {
        let exchange = async {
            let response = self
                .http
                .request(request)
                .await
                .map_err(|error| SendError::Transport(error_chain(&error)))?;
            let status = response.status();
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(|error| {
                    SendError::Other(ExternalError::Body {
                        endpoint: endpoint.to_owned(),
                        reason: error_chain(&error),
                    })
                })?
                .to_bytes();
            if !status.is_success() {
                return Err(SendError::Other(ExternalError::Status {
                    endpoint: endpoint.to_owned(),
                    status: status.as_u16(),
                    body: String::from_utf8_lossy(&body).into_owned(),
                }));
            }
            Ok((status.as_u16(), body))
        };
        match limit {
            None => exchange.await,
            Some(limit) => tokio::time::timeout(limit, exchange)
                .await
                .unwrap_or_else(|_| {
                    Err(SendError::Other(ExternalError::Timeout {
                        endpoint: endpoint.to_owned(),
                        limit,
                    }))
                }),
        }
    }

    /// Asks the external plugin at `endpoint` for its help, as upstream's hook does: a POST
    /// to `<endpoint>/help` with the repositories it is enabled on (`[{"Org": .., "Repo": ..}]`,
    /// `Repo` empty for a whole org), once, without retries. The result's `Events` is as the
    /// plugin sent it (the caller sets it from `plugins.yaml`).
    pub async fn help(
        &self,
        endpoint: &str,
        enabled_repos: &[RepoName],
    ) -> Result<PluginHelp, ExternalError> {
        let url = help_url(endpoint)?;
        let repos: Vec<OrgRepo<'_>> = enabled_repos
            .iter()
            .map(|r| OrgRepo {
                org: &r.org,
                repo: &r.repo,
            })
            .collect();
        // Serialising strings cannot fail.
        let body = serde_json::to_vec(&repos).unwrap_or_default();
        let request = Request::builder()
            .method(Method::POST)
            .uri(url.clone())
            .header(CONTENT_TYPE, "application/json")
            .header(USER_AGENT_HEADER, USER_AGENT)
            .body(Full::new(Bytes::from(body)))
            .map_err(|error| ExternalError::Endpoint {
                endpoint: endpoint.to_owned(),
                reason: error.to_string(),
            })?;
        let url = url.to_string();
        let (_, body) = match self.send(&url, request, None).await {
            Ok(reply) => reply,
            Err(SendError::Transport(reason)) => {
                return Err(ExternalError::Transport {
                    endpoint: url,
                    attempts: 1,
                    reason,
                });
            }
            Err(SendError::Other(error)) => return Err(error),
        };
        serde_json::from_slice(&body).map_err(|error| ExternalError::Body {
            endpoint: url,
            reason: format!("failed to decode json response: {error}"),
        })
    }
}

enum SendError {
    /// No answer: worth another attempt.
    Transport(String),
    /// An answer that will not change, or a time limit.
    Other(ExternalError),
}

/// The plugin's endpoint, `http://<name>` when `plugins.yaml` gave none (upstream's default).
fn endpoint_of(plugin: &ExternalPlugin) -> String {
    if plugin.endpoint.is_empty() {
        format!("http://{}", plugin.name)
    } else {
        plugin.endpoint.clone()
    }
}

fn parse_endpoint(endpoint: &str) -> Result<Uri, ExternalError> {
    let invalid = |reason: String| ExternalError::Endpoint {
        endpoint: endpoint.to_owned(),
        reason,
    };
    let uri: Uri = endpoint
        .parse()
        .map_err(|e: http::uri::InvalidUri| invalid(e.to_string()))?;
    match uri.scheme_str() {
        Some("http" | "https") if uri.authority().is_some() => Ok(uri),
        _ => Err(invalid("not an http:// or https:// URL".into())),
    }
}

/// `<endpoint>/help`: `/help` joined to the endpoint's path, its query kept.
fn help_url(endpoint: &str) -> Result<Uri, ExternalError> {
    let uri = parse_endpoint(endpoint)?;
    let mut parts = uri.into_parts();
    let (path, query) = parts
        .path_and_query
        .as_ref()
        .map_or(("", None), |pq| (pq.path(), pq.query()));
    let mut joined = format!("{}/help", path.trim_end_matches('/'));
    if let Some(query) = query {
        joined.push('?');
        joined.push_str(query);
    }
    parts.path_and_query =
        Some(
            joined
                .parse()
                .map_err(|e: http::uri::InvalidUri| ExternalError::Endpoint {
                    endpoint: endpoint.to_owned(),
                    reason: e.to_string(),
                })?,
        );
    Uri::from_parts(parts).map_err(|e| ExternalError::Endpoint {
        endpoint: endpoint.to_owned(),
        reason: e.to_string(),
    })
}

/// The request forwarding a webhook: its headers (but those of the connection), the hook's
/// user agent, the payload unchanged.
fn forward_request(
    uri: &Uri,
    payload: Bytes,
    headers: &[(String, String)],
) -> Request<Full<Bytes>> {
    let mut request = Request::new(Full::new(payload));
    *request.method_mut() = Method::POST;
    *request.uri_mut() = uri.clone();
    let map = request.headers_mut();
    for (name, value) in headers {
        if NOT_FORWARDED.iter().any(|n| name.eq_ignore_ascii_case(n)) {
            continue;
        }
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) else {
            tracing::debug!(header = %name, "not forwarding a header that is not valid HTTP");
            continue;
        };
        map.append(name, value);
    }
    map.insert(USER_AGENT_HEADER, HeaderValue::from_static(USER_AGENT));
    request
}

/// An error with its causes, `: `-separated.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The hyper client with rustls (ring) and the machine's root certificates; plain `http://`
/// is allowed (external plugins usually run as in-cluster services).
fn http_client() -> Result<HttpClient, rustls::Error> {
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(crate::http::tls_config()?)
        .https_or_http()
        .enable_http1()
        .build();
    Ok(Client::builder(hyper_util::rt::TokioExecutor::new()).build(connector))
}

#[cfg(test)]
pub(crate) mod tests;
