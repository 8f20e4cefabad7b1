//! Plain HTTP(S) requests to the public picture and joke APIs the `cat`, `dog`, `pony` and
//! `yuks` plugins quote: GETs of JSON and upstream's image size check, with redirects followed.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use ::http::header::{ACCEPT, CONTENT_LENGTH, LOCATION, USER_AGENT};
use ::http::{HeaderMap, Method, Request, StatusCode, Uri};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Limited};
use hyper_rustls::ConfigBuilderExt;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use serde::de::DeserializeOwned;

/// The largest image GitHub shows inline, in bytes (5 MiB, upstream's `ImageSizeLimit`).
pub const IMAGE_SIZE_LIMIT: u64 = 5_242_880;

/// The most bytes of a reply body read.
const MAX_BODY: usize = 4 << 20;

/// How many redirects are followed, as Go's HTTP client does.
const MAX_REDIRECTS: usize = 10;

/// How long one request may take, redirects included.
const TIMEOUT: Duration = Duration::from_secs(30);

/// What went wrong fetching something.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HttpError {
    /// The address is not a valid absolute `http` or `https` URL.
    #[error("invalid URL {0:?}")]
    InvalidUrl(String),
    /// The TLS configuration could not be built.
    #[error("TLS setup failed: {0}")]
    Tls(#[from] rustls::Error),
    /// The request never got a reply.
    #[error("request to {url} failed: {message}")]
    Transport {
        /// The address asked.
        url: String,
        /// What failed.
        message: String,
    },
    /// No reply within the time limit.
    #[error("request to {0} timed out")]
    Timeout(String),
    /// More redirects than Go's client follows.
    #[error("stopped after {MAX_REDIRECTS} redirects at {0}")]
    TooManyRedirects(String),
    /// The reply body could not be read.
    #[error("reading the reply from {url} failed: {message}")]
    Body {
        /// The address asked.
        url: String,
        /// What failed.
        message: String,
    },
    /// The reply body is not the JSON expected.
    #[error("bad JSON from {url}: {source}")]
    Json {
        /// The address asked.
        url: String,
        /// The decoding error.
        source: serde_json::Error,
    },
    /// The reply had a status other than the one wanted.
    #[error("failing {status} response from {url}")]
    Status {
        /// The HTTP status code.
        status: u16,
        /// The address asked.
        url: String,
    },
}

/// One reply: its status, headers and (for a GET) body.
#[derive(Clone, Debug)]
pub struct HttpReply {
    /// The status of the last reply (after redirects).
    pub status: StatusCode,
    /// Its headers.
    pub headers: HeaderMap,
    /// Its body (empty for a HEAD).
    pub body: Bytes,
}

impl HttpReply {
    /// The body decoded as JSON.
    pub fn json<T: DeserializeOwned>(&self, url: &str) -> Result<T, HttpError> {
        serde_json::from_slice(&self.body).map_err(|source| HttpError::Json {
            url: url.to_owned(),
            source,
        })
    }
}

type HyperClient = Client<hyper_rustls::HttpsConnector<HttpConnector>, Empty<Bytes>>;

/// The TLS settings of the plugins' HTTP clients (external plugins, the public APIs): ring,
/// the machine's root certificates, read once per process.
pub(crate) fn tls_config() -> Result<rustls::ClientConfig, rustls::Error> {
    static CONFIG: OnceLock<rustls::ClientConfig> = OnceLock::new();
    if let Some(config) = CONFIG.get() {
        return Ok(config.clone());
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?;
    let config = match builder.clone().with_native_roots() {
        Ok(builder) => builder.with_no_client_auth(),
        Err(error) => {
            tracing::warn!(%error, "no root certificates found; HTTPS requests will fail");
            builder
                .with_root_certificates(rustls::RootCertStore::empty())
                .with_no_client_auth()
        }
    };
    Ok(CONFIG.get_or_init(|| config).clone())
}

/// An HTTP(S) client for the public APIs plugins quote: rustls (ring) with the machine's
/// roots, plain `http://` allowed, redirects followed as Go's client follows them, a time limit
/// per request. Cheap to clone.
#[derive(Clone, Debug)]
pub struct HttpGetter {
    client: HyperClient,
}

impl HttpGetter {
    /// A new client.
    pub fn new() -> Result<Self, HttpError> {
        let builder = hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(tls_config()?);
        let connector = builder.https_or_http().enable_http1().build();
        // No idle connections are kept: the APIs are asked rarely, and a kept connection
        // would outlive the runtime that made it.
        let client = Client::builder(hyper_util::rt::TokioExecutor::new())
            .pool_max_idle_per_host(0)
            .build(connector);
        Ok(HttpGetter { client })
    }

    /// The client every plugin shares, made on first use.
    pub fn shared() -> Result<&'static HttpGetter, HttpError> {
        static SHARED: OnceLock<HttpGetter> = OnceLock::new();
        if let Some(getter) = SHARED.get() {
            return Ok(getter);
        }
        let getter = HttpGetter::new()?;
        Ok(SHARED.get_or_init(|| getter))
    }

    /// GETs `url` (asking for JSON when `json` is set), whatever the reply's status.
    pub async fn get(&self, url: &str, json: bool) -> Result<HttpReply, HttpError> {
        self.fetch(Method::GET, url, json).await
    }

    /// HEADs `url`, whatever the reply's status.
    pub async fn head(&self, url: &str) -> Result<HttpReply, HttpError> {
        self.fetch(Method::HEAD, url, false).await
    }

    /// GETs `url` asking for JSON and decodes the body, whatever the reply's status.
    pub async fn get_json<T: DeserializeOwned>(&self, url: &str) -> Result<T, HttpError> {
        self.get(url, true).await?.json(url)
    }

    /// Upstream's `ImageTooBig`: whether the image at `url` is over [`IMAGE_SIZE_LIMIT`]
    /// by the `Content-Length` of a HEAD (a missing or unreadable length counts as small);
    /// an error when the HEAD fails or is not answered `200`.
    pub async fn image_too_big(&self, url: &str) -> Result<bool, HttpError> {
        let reply = self.head(url).await?;
        if reply.status != StatusCode::OK {
            return Err(HttpError::Status {
                status: reply.status.as_u16(),
                url: url.to_owned(),
            });
        }
        let size = reply
            .headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(0);
        Ok(size > IMAGE_SIZE_LIMIT)
    }

    async fn fetch(&self, method: Method, url: &str, json: bool) -> Result<HttpReply, HttpError> {
        match tokio::time::timeout(TIMEOUT, self.follow(method, url, json)).await {
            Ok(result) => result,
            Err(_) => Err(HttpError::Timeout(url.to_owned())),
        }
    }

    async fn follow(&self, method: Method, url: &str, json: bool) -> Result<HttpReply, HttpError> {
        let mut current = parse_url(url)?;
        for _ in 0..=MAX_REDIRECTS {
            let mut request = Request::builder()
                .method(method.clone())
                .uri(current.clone())
                .header(
                    USER_AGENT,
                    concat!("prow-plugins/", env!("CARGO_PKG_VERSION")),
                );
            if json {
                request = request.header(ACCEPT, "application/json");
            }
            let request = request
                .body(Empty::new())
                .map_err(|_| HttpError::InvalidUrl(current.to_string()))?;
            let response =
                self.client
                    .request(request)
                    .await
                    .map_err(|error| HttpError::Transport {
                        url: current.to_string(),
                        message: error_chain(&error),
                    })?;
            let status = response.status();
            if status.is_redirection()
                && let Some(location) = response
                    .headers()
                    .get(LOCATION)
                    .and_then(|l| l.to_str().ok())
            {
                current = resolve(&current, location)?;
                continue;
            }
            let (parts, body) = response.into_parts();
            let body = if method == Method::HEAD {
                Bytes::new()
            } else {
                Limited::new(body, MAX_BODY)
                    .collect()
                    .await
                    .map_err(|error| HttpError::Body {
                        url: current.to_string(),
                        message: error.to_string(),
                    })?
                    .to_bytes()
            };
            return Ok(HttpReply {
                status,
                headers: parts.headers,
                body,
            });
        }
        Err(HttpError::TooManyRedirects(current.to_string()))
    }
}

/// An absolute `http`/`https` URL.
fn parse_url(url: &str) -> Result<Uri, HttpError> {
    let uri: Uri = url
        .parse()
        .map_err(|_| HttpError::InvalidUrl(url.to_owned()))?;
    match (uri.scheme_str(), uri.authority()) {
        (Some("http" | "https"), Some(_)) => Ok(uri),
        _ => Err(HttpError::InvalidUrl(url.to_owned())),
    }
}

/// Where a redirect's `Location` points, relative to the address that sent it.
fn resolve(base: &Uri, location: &str) -> Result<Uri, HttpError> {
    if location.starts_with("http://") || location.starts_with("https://") {
        return parse_url(location);
    }
    let scheme = base.scheme_str().unwrap_or("http");
    let authority = base.authority().map(|a| a.as_str()).unwrap_or_default();
    if let Some(rest) = location.strip_prefix("//") {
        return parse_url(&format!("{scheme}://{rest}"));
    }
    let path = if location.starts_with('/') {
        location.to_owned()
    } else {
        let dir = base
            .path()
            .rsplit_once('/')
            .map_or("", |(dir, _)| dir)
            .to_owned();
        format!("{dir}/{location}")
    };
    parse_url(&format!("{scheme}://{authority}{path}"))
}

/// An error with its causes, for a log line.
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

/// Go's `url.QueryEscape`: a value for a URL query, spaces as `+`, every byte but letters,
/// digits and `-_.~` percent-encoded.
pub fn query_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// Whether `url` is an absolute URL or an absolute path with no character a URL cannot
/// hold (Go's `url.ParseRequestURI`, as the picture plugins check the links they post).
pub fn is_request_uri(url: &str) -> bool {
    !url.is_empty() && (url.starts_with('/') || url.contains(':')) && url.parse::<Uri>().is_ok()
}

#[cfg(test)]
pub(crate) mod testing {
    //! A picture and JSON server on 127.0.0.1 for the plugins' tests.

    use std::collections::HashMap;
    use std::net::SocketAddr;
    use std::sync::{Arc, Mutex};

    use axum::Router;
    use axum::extract::{Request, State};
    use axum::http::{HeaderValue, Method, StatusCode, header};
    use axum::response::{IntoResponse, Response};

    /// One canned reply.
    #[derive(Clone, Debug)]
    pub(crate) enum Canned {
        /// `200` with this JSON text.
        Json(String),
        /// This status with this body.
        Status(u16, String),
        /// An image of this many bytes (its `Content-Length`; the body is a short stand-in
        /// for a GET, nothing for a HEAD).
        Image(u64),
        /// A redirect to this address.
        Redirect(String),
    }

    /// The replies of a [`Server`] (`404` for any other path) and the requests it saw.
    #[derive(Clone)]
    pub(crate) struct Routes {
        routes: Arc<Mutex<HashMap<String, Canned>>>,
        seen: Arc<Mutex<Vec<(Method, String)>>>,
    }

    /// A running canned server.
    pub(crate) struct Server {
        /// `http://127.0.0.1:PORT`.
        pub url: String,
        state: Routes,
        task: tokio::task::JoinHandle<()>,
    }

    impl Server {
        /// Starts a server with these replies (paths without the query).
        pub(crate) async fn start(routes: &[(&str, Canned)]) -> Server {
            let state = Routes {
                routes: Arc::new(Mutex::new(
                    routes
                        .iter()
                        .map(|(path, reply)| ((*path).to_owned(), reply.clone()))
                        .collect(),
                )),
                seen: Arc::default(),
            };
            let app = Router::new().fallback(answer).with_state(state.clone());
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind 127.0.0.1");
            let addr: SocketAddr = listener.local_addr().expect("local address");
            let task = tokio::spawn(async move {
                axum::serve(listener, app).await.expect("serve");
            });
            Server {
                url: format!("http://{addr}"),
                state,
                task,
            }
        }

        /// Adds or replaces a reply.
        pub(crate) fn set(&self, path: &str, reply: Canned) {
            self.state
                .routes
                .lock()
                .unwrap()
                .insert(path.to_owned(), reply);
        }

        /// Every request so far: method and path with query.
        pub(crate) fn seen(&self) -> Vec<(Method, String)> {
            self.state.seen.lock().unwrap().clone()
        }
    }

    /// An address on 127.0.0.1 where nothing listens (a port just freed): an API that is down.
    pub(crate) async fn dead_url() -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local address");
        drop(listener);
        format!("http://{addr}")
    }

    impl Drop for Server {
        fn drop(&mut self) {
            self.task.abort();
        }
    }

    async fn answer(State(state): State<Routes>, request: Request) -> Response {
        let path_and_query = request
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default();
        state
            .seen
            .lock()
            .unwrap()
            .push((request.method().clone(), path_and_query));
        let reply = state
            .routes
            .lock()
            .unwrap()
            .get(request.uri().path())
            .cloned();
        let head = request.method() == Method::HEAD;
        match reply {
            None => (StatusCode::NOT_FOUND, "not found").into_response(),
            Some(Canned::Json(text)) => {
                ([(header::CONTENT_TYPE, "application/json")], text).into_response()
            }
            Some(Canned::Status(status, body)) => {
                (StatusCode::from_u16(status).expect("status code"), body).into_response()
            }
            Some(Canned::Redirect(to)) => {
                (StatusCode::FOUND, [(header::LOCATION, to)]).into_response()
            }
            Some(Canned::Image(size)) => {
                if head {
                    let mut response = StatusCode::OK.into_response();
                    response.headers_mut().insert(
                        header::CONTENT_LENGTH,
                        HeaderValue::from_str(&size.to_string()).expect("length"),
                    );
                    response
                } else {
                    "binary image".into_response()
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{Canned, Server};
    use super::*;

    #[test]
    fn query_escape_is_gos() {
        assert_eq!(query_escape("Twilight Sparkle"), "Twilight+Sparkle");
        assert_eq!(query_escape("a&b=c/d"), "a%26b%3Dc%2Fd");
        assert_eq!(query_escape("-_.~"), "-_.~");
        assert_eq!(query_escape("é"), "%C3%A9");
    }

    #[test]
    fn request_uris() {
        assert!(is_request_uri("http://example.com/a.png"));
        assert!(is_request_uri("/a.png"));
        assert!(!is_request_uri(""));
        assert!(!is_request_uri("http://this is not a url"));
        assert!(!is_request_uri("not a url.."));
    }

    #[tokio::test]
    async fn image_size_and_redirects() {
        let server = Server::start(&[
            ("/small.jpg", Canned::Image(717_987)),
            ("/big.jpg", Canned::Image(12_647_753)),
            ("/limit.jpg", Canned::Image(IMAGE_SIZE_LIMIT)),
            ("/moved.jpg", Canned::Redirect("/big.jpg".into())),
            ("/gone.jpg", Canned::Status(410, "gone".into())),
        ])
        .await;
        let getter = HttpGetter::new().unwrap();
        let url = |p: &str| format!("{}{p}", server.url);
        assert!(!getter.image_too_big(&url("/small.jpg")).await.unwrap());
        assert!(getter.image_too_big(&url("/big.jpg")).await.unwrap());
        assert!(!getter.image_too_big(&url("/limit.jpg")).await.unwrap());
        assert!(getter.image_too_big(&url("/moved.jpg")).await.unwrap());
        match getter.image_too_big(&url("/gone.jpg")).await {
            Err(HttpError::Status { status: 410, .. }) => {}
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            getter.image_too_big("not a url").await,
            Err(HttpError::InvalidUrl(_))
        ));
        let heads = server
            .seen()
            .iter()
            .filter(|(m, _)| m == Method::HEAD)
            .count();
        assert_eq!(heads, 6);
    }

    #[tokio::test]
    async fn json_and_errors() {
        let server = Server::start(&[
            ("/ok", Canned::Json(r#"{"url":"x"}"#.into())),
            ("/bad", Canned::Json("{".into())),
            ("/loop", Canned::Redirect("/loop".into())),
        ])
        .await;
        let getter = HttpGetter::new().unwrap();
        let value: serde_json::Value = getter
            .get_json(&format!("{}/ok", server.url))
            .await
            .unwrap();
        assert_eq!(value["url"], "x");
        assert!(matches!(
            getter
                .get_json::<serde_json::Value>(&format!("{}/bad", server.url))
                .await,
            Err(HttpError::Json { .. })
        ));
        assert!(matches!(
            getter.get(&format!("{}/loop", server.url), false).await,
            Err(HttpError::TooManyRedirects(_))
        ));
        let reply = getter
            .get(&format!("{}/nothing", server.url), false)
            .await
            .unwrap();
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        let dead = super::testing::dead_url().await;
        assert!(matches!(
            getter.get(&format!("{dead}/ok"), true).await,
            Err(HttpError::Transport { .. })
        ));
    }
}
