//! The HTTP stack under octocrab: a tower service that resolves octocrab's relative URIs
//! against the REST or GraphQL endpoint, authenticates, revalidates cached GETs with their
//! ETag, honours GitHub's primary and secondary rate limits, retries 5xx replies and transport
//! errors with exponential backoff, refuses writes in dry-run mode, and counts it all.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::header::{ACCEPT, AUTHORIZATION, ETAG, IF_NONE_MATCH, USER_AGENT};
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode, Uri};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full};
use octocrab::OctoBody;
use tokio::time::Instant;
use tower::util::BoxCloneSyncService;
use tower::{Service, ServiceExt};

use super::BoxFuture;
use super::auth::{Clock, Credential};
use super::cache::{CachedReply, EtagCache};
use super::error::{StackError, header, rate_limit_of, reply_message};
use super::metrics::{ClientMetrics, route_template};
use super::options::RetryOptions;

/// A boxed error, as tower passes them.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;
/// A reply body from the HTTP client.
pub(crate) type HttpBody = UnsyncBoxBody<Bytes, BoxError>;
/// The HTTP client at the bottom of the stack (hyper, or a fake in tests).
pub(crate) type HttpService =
    BoxCloneSyncService<Request<Full<Bytes>>, Response<HttpBody>, BoxError>;

/// The default `Accept` header (upstream's).
const ACCEPT_JSON: &str = "application/vnd.github+json";
/// The header a reply served from the ETag cache carries (ghproxy's name).
pub(crate) const CACHE_MODE_HEADER: &str = "x-cache-mode";
/// How long to wait on a rate-limit refusal that names no time (GitHub: at least a minute).
const UNNAMED_RATE_LIMIT_WAIT: Duration = Duration::from_secs(60);

/// The hyper client with rustls (ring) and the machine's root certificates; plain `http://`
/// is allowed for simulators and proxies on loopback.
pub(crate) fn hyper_service() -> Result<HttpService, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = match hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_native_roots(provider.clone())
    {
        Ok(builder) => builder,
        Err(err) => {
            tracing::warn!(%err, "no root certificates found; HTTPS to GitHub will fail");
            let config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()?
                .with_root_certificates(rustls::RootCertStore::empty())
                .with_no_client_auth();
            hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(config)
        }
    };
    let connector = builder.https_or_http().enable_http1().build();
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build::<_, Full<Bytes>>(connector);
    let service = tower::ServiceBuilder::new()
        .map_err(|e: hyper_util::client::legacy::Error| -> BoxError { Box::new(e) })
        .map_response(|r: Response<hyper::body::Incoming>| {
            r.map(|body| body.map_err(|e| -> BoxError { Box::new(e) }).boxed_unsync())
        })
        .service(client);
    Ok(BoxCloneSyncService::new(service))
}

/// What the rate-limit headers of the last reply said, per credential and resource.
#[derive(Clone, Copy, Debug)]
struct Budget {
    remaining: u64,
    reset_at: Instant,
}

/// The primary rate limit as GitHub last reported it for each credential and resource.
#[derive(Debug, Default)]
pub(crate) struct RateLimits {
    budgets: Mutex<HashMap<(String, String), Budget>>,
}

impl RateLimits {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), Budget>> {
        self.budgets.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Notes a reply's `X-RateLimit-*` headers (and reports them to the metrics).
    fn observe(
        &self,
        identity: &str,
        graphql: bool,
        resource: &str,
        headers: &HeaderMap,
        clock: &dyn Clock,
        metrics: &ClientMetrics,
    ) {
        let Some(remaining) =
            header(headers, "x-ratelimit-remaining").and_then(|v| v.parse::<u64>().ok())
        else {
            return;
        };
        // The request's resource when GitHub does not name it.
        let resource = header(headers, "x-ratelimit-resource")
            .unwrap_or(resource)
            .to_owned();
        let reset_in = header(headers, "x-ratelimit-reset")
            .and_then(|v| v.parse::<i64>().ok())
            .map(|reset| (reset - clock.now().timestamp()).max(0) as u64)
            .map(Duration::from_secs)
            .unwrap_or_default();
        metrics.token(
            identity,
            graphql,
            &resource,
            i64::try_from(remaining).unwrap_or(i64::MAX),
            i64::try_from(reset_in.as_nanos()).unwrap_or(i64::MAX),
        );
        // The reset is a whole second: the window may end anywhere within it.
        let reset_at = Instant::now() + reset_in + Duration::from_secs(1);
        self.lock().insert(
            (identity.to_owned(), resource),
            Budget {
                remaining,
                reset_at,
            },
        );
    }

    /// How long a request of `identity` on `resource` must wait for the budget to reset.
    fn wait_for(&self, identity: &str, resource: &str) -> Option<Duration> {
        let now = Instant::now();
        let mut budgets = self.lock();
        let key = (identity.to_owned(), resource.to_owned());
        let budget = budgets.get(&key)?;
        if budget.reset_at <= now {
            budgets.remove(&key);
            return None;
        }
        (budget.remaining == 0).then(|| budget.reset_at - now)
    }
}

/// Which rate-limit resource a request draws on.
fn resource_of(graphql: bool, path: &str) -> &'static str {
    if graphql {
        "graphql"
    } else if path.starts_with("/search/") {
        "search"
    } else {
        "core"
    }
}

/// Whole seconds, rounded up.
fn ceil_secs(d: Duration) -> u64 {
    d.as_millis().div_ceil(1000) as u64
}

/// What all the stacks of one client share: the HTTP client, the endpoints, the cache, the
/// rate-limit state, the metrics.
#[derive(Debug)]
pub(crate) struct Shared {
    pub http: HttpService,
    pub rest_base: Uri,
    pub graphql: Uri,
    pub retry: RetryOptions,
    pub timeout: Option<Duration>,
    pub user_agent: HeaderValue,
    pub dry_run: bool,
    pub cache: EtagCache,
    pub limits: RateLimits,
    pub metrics: ClientMetrics,
    pub clock: Arc<dyn Clock>,
}

impl Shared {
    /// The absolute URI of a request octocrab built with a relative one.
    fn resolve(&self, uri: &Uri) -> Result<Uri, StackError> {
        if uri.authority().is_some() {
            return Ok(uri.clone());
        }
        let (base, path) = if uri.path() == "/graphql" {
            let mut path = self.graphql.path().to_owned();
            if let Some(query) = uri.query() {
                path.push('?');
                path.push_str(query);
            }
            (&self.graphql, path)
        } else {
            let base_path = self.rest_base.path().trim_end_matches('/');
            let path_and_query = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
            (&self.rest_base, format!("{base_path}{path_and_query}"))
        };
        let mut parts = base.clone().into_parts();
        parts.path_and_query = Some(
            path.parse()
                .map_err(|e| StackError::Transport(format!("bad URI {path}: {e}")))?,
        );
        Uri::from_parts(parts).map_err(|e| StackError::Transport(format!("bad URI: {e}")))
    }

    /// Whether `uri` is the GraphQL endpoint.
    fn is_graphql(&self, uri: &Uri) -> bool {
        uri.authority() == self.graphql.authority() && uri.path() == self.graphql.path()
    }

    /// The path of `uri` below the REST base (`/repos/...`), for route templates.
    pub fn api_path<'u>(&self, uri: &'u Uri) -> &'u str {
        let base_path = self.rest_base.path().trim_end_matches('/');
        if uri.authority() == self.rest_base.authority()
            && let Some(rest) = uri.path().strip_prefix(base_path)
            && (rest.is_empty() || rest.starts_with('/'))
        {
            return if rest.is_empty() { "/" } else { rest };
        }
        uri.path()
    }

    /// One exchange: the request sent, the whole reply read (within the timeout).
    async fn exchange(
        &self,
        request: Request<Full<Bytes>>,
    ) -> Result<(http::response::Parts, Bytes), String> {
        let http = self.http.clone();
        let exchange = async move {
            let response = http.oneshot(request).await.map_err(|e| error_chain(&*e))?;
            let (parts, body) = response.into_parts();
            let body = body
                .collect()
                .await
                .map_err(|e| format!("reading the reply: {}", error_chain(&*e)))?
                .to_bytes();
            Ok((parts, body))
        };
        match self.timeout {
            Some(limit) => tokio::time::timeout(limit, exchange)
                .await
                .map_err(|_| format!("no reply within {limit:?}"))?,
            None => exchange.await,
        }
    }
}

/// An error and its sources, as one line.
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(e) = source {
        let more = e.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = e.source();
    }
    text
}

/// Whether dry-run mode lets a request through: reads, GraphQL queries (not mutations) and
/// the minting of App installation tokens (upstream's one exception).
fn dry_run_allows(method: &Method, graphql: bool, path: &str, body: &[u8]) -> bool {
    if method == Method::GET || method == Method::HEAD {
        return true;
    }
    if method != Method::POST {
        return false;
    }
    if graphql {
        let query = serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v.get("query").and_then(|q| q.as_str()).map(str::to_owned))
            .unwrap_or_default();
        return !query.trim_start().starts_with("mutation");
    }
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    matches!(
        segments.as_slice(),
        ["app", "installations", _, "access_tokens"]
    )
}

/// The tower service octocrab sends its requests through: one per credential, all sharing
/// a [`Shared`].
#[derive(Clone, Debug)]
pub(crate) struct Transport {
    shared: Arc<Shared>,
    credential: Credential,
}

impl Transport {
    /// A stack for `credential`.
    pub fn new(shared: Arc<Shared>, credential: Credential) -> Self {
        Transport { shared, credential }
    }

    /// Sends one request octocrab built: see the module's documentation.
    async fn send(self, request: Request<OctoBody>) -> Result<Response<Full<Bytes>>, StackError> {
        let shared = &self.shared;
        let (mut parts, body) = request.into_parts();
        let body = body
            .collect()
            .await
            .map_err(|e| StackError::Transport(format!("request body: {e}")))?
            .to_bytes();
        parts.uri = shared.resolve(&parts.uri)?;
        let graphql = shared.is_graphql(&parts.uri);
        let api_path = if graphql {
            "/graphql".to_owned()
        } else {
            shared.api_path(&parts.uri).to_owned()
        };
        let route = route_template(&api_path);
        let method = parts.method.clone();
        if shared.dry_run && !dry_run_allows(&method, graphql, &api_path, &body) {
            tracing::error!(%method, path = %api_path, "dry run: a write reached the HTTP stack; refused");
            return Err(StackError::DryRun(format!("{method} {api_path}")));
        }

        if !parts.headers.contains_key(USER_AGENT) {
            parts.headers.insert(USER_AGENT, shared.user_agent.clone());
        }
        if !parts.headers.contains_key(ACCEPT) {
            parts
                .headers
                .insert(ACCEPT, HeaderValue::from_static(ACCEPT_JSON));
        }
        let (authorization, mut identity) = self.credential.authorize().await?;
        let octocrab_authorized = parts.headers.contains_key(AUTHORIZATION);
        if let Some(value) = &authorization
            && !octocrab_authorized
        {
            set_authorization(&mut parts.headers, value)?;
        }

        // Conditional requests.
        let cacheable = method == Method::GET
            && shared.cache.enabled()
            && !parts.headers.contains_key(IF_NONE_MATCH);
        let cache_key = cacheable.then(|| {
            let accept = header(&parts.headers, ACCEPT.as_str()).unwrap_or_default();
            EtagCache::key(&identity, method.as_str(), accept, &parts.uri.to_string())
        });
        let cached = cache_key.as_deref().and_then(|k| shared.cache.get(k));
        if let Some(cached) = &cached
            && let Ok(etag) = HeaderValue::from_str(&cached.etag)
        {
            parts.headers.insert(IF_NONE_MATCH, etag);
        }

        let resource = resource_of(graphql, &api_path);
        let retry = &shared.retry;
        let mut attempt = 0u32;
        let mut refreshed_credentials = false;
        loop {
            if let Some(wait) = shared.limits.wait_for(&identity, resource) {
                if wait > retry.max_rate_limit_wait {
                    return Err(StackError::RateLimited {
                        retry_after_seconds: Some(ceil_secs(wait)),
                    });
                }
                tracing::info!(?wait, %identity, resource, "GitHub rate limit used up; waiting for it to reset");
                shared.metrics.retry("rate_limit_wait");
                tokio::time::sleep(wait).await;
            }

            let request = Request::from_parts(parts.clone(), Full::new(body.clone()));
            let (reply, reply_body) = match shared.exchange(request).await {
                Ok(reply) => reply,
                Err(err) => {
                    shared.metrics.request(&route, "error");
                    if attempt < retry.max_retries {
                        let delay = retry.backoff(attempt);
                        tracing::debug!(%err, ?delay, path = %api_path, "GitHub request failed; retrying");
                        shared.metrics.retry("transport");
                        attempt += 1;
                        tokio::time::sleep(delay).await;
                        continue;
                    }
                    return Err(StackError::Transport(err));
                }
            };
            let status = reply.status;
            tracing::debug!(%method, path = %api_path, %status, %identity, "GitHub replied");
            shared.metrics.request(&route, status.as_str());
            shared.limits.observe(
                &identity,
                graphql,
                resource,
                &reply.headers,
                shared.clock.as_ref(),
                &shared.metrics,
            );

            if status == StatusCode::UNAUTHORIZED
                && !refreshed_credentials
                && !octocrab_authorized
                && self.credential.refresh(&identity).await
            {
                refreshed_credentials = true;
                let (authorization, fresh_identity) = self.credential.authorize().await?;
                identity = fresh_identity;
                if let Some(value) = &authorization {
                    set_authorization(&mut parts.headers, value)?;
                }
                shared.metrics.retry("unauthorized");
                continue;
            }
            if status.is_server_error() && attempt < retry.max_retries {
                let delay = retry.backoff(attempt);
                tracing::debug!(%status, ?delay, path = %api_path, "GitHub answered a server error; retrying");
                shared.metrics.retry("server_error");
                attempt += 1;
                tokio::time::sleep(delay).await;
                continue;
            }
            if status == StatusCode::FORBIDDEN || status == StatusCode::TOO_MANY_REQUESTS {
                let message = reply_message(status.as_u16(), &reply_body);
                let limited = rate_limit_of(
                    status.as_u16(),
                    &reply.headers,
                    &message,
                    shared.clock.now(),
                );
                if let Some(seconds) = limited {
                    let primary = header(&reply.headers, "x-ratelimit-remaining") == Some("0")
                        && header(&reply.headers, "retry-after").is_none();
                    let wait = match seconds {
                        // Upstream sleeps a second more than GitHub says.
                        Some(s) => Duration::from_secs(s + 1),
                        None => UNNAMED_RATE_LIMIT_WAIT,
                    };
                    if wait <= retry.max_rate_limit_wait && attempt < retry.max_retries {
                        let reason = if primary {
                            "rate_limit"
                        } else {
                            "secondary_rate_limit"
                        };
                        tracing::info!(?wait, %status, path = %api_path, reason, "rate limited by GitHub; waiting");
                        shared.metrics.retry(reason);
                        attempt += 1;
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                }
            }

            if let (Some(key), Some(cached)) = (&cache_key, &cached) {
                if status == StatusCode::NOT_MODIFIED {
                    shared.metrics.cache("REVALIDATED", &route);
                    let mut response = Response::new(Full::new(cached.body.clone()));
                    *response.headers_mut() = cached.headers.clone();
                    response
                        .headers_mut()
                        .insert(CACHE_MODE_HEADER, HeaderValue::from_static("REVALIDATED"));
                    return Ok(response);
                }
                if !status.is_success() {
                    shared.cache.remove(key);
                }
            }
            if let Some(key) = &cache_key {
                let mode = if cached.is_some() { "CHANGED" } else { "MISS" };
                shared.metrics.cache(mode, &route);
                if status == StatusCode::OK
                    && let Some(etag) = header(&reply.headers, ETAG.as_str())
                {
                    shared.cache.insert(
                        key,
                        CachedReply {
                            etag: etag.to_owned(),
                            body: reply_body.clone(),
                            headers: CachedReply::kept_headers(&reply.headers),
                        },
                    );
                }
            } else if method != Method::GET {
                shared.metrics.cache("SKIP", &route);
            }
            return Ok(Response::from_parts(reply, Full::new(reply_body)));
        }
    }
}

/// Puts a (sensitive) `Authorization` header on a request.
fn set_authorization(headers: &mut HeaderMap, value: &str) -> Result<(), StackError> {
    let mut value = HeaderValue::from_str(value)
        .map_err(|_| StackError::Credentials("the token is not a valid header value".into()))?;
    value.set_sensitive(true);
    headers.insert(AUTHORIZATION, value);
    Ok(())
}

impl Service<Request<OctoBody>> for Transport {
    type Response = Response<Full<Bytes>>;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<OctoBody>) -> Self::Future {
        let this = self.clone();
        Box::pin(async move {
            this.send(request)
                .await
                .map_err(|e| -> BoxError { Box::new(e) })
        })
    }
}
