//! External plugin delivery and help against a recording server on loopback.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use prow_core::config::plugins::ExternalPlugin;
use prow_core::github::RepoName;
use prow_core::traits::PluginHelp;
use tokio::net::TcpListener;

use super::*;

/// One request the test server received.
#[derive(Clone, Debug)]
pub(crate) struct Recorded {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// A server on 127.0.0.1 that records every request. It answers `/status/<code>` paths with
/// that code, paths containing `nohelp` with 404, other paths ending in `/help` with
/// [`served_help`], and everything else with 200.
#[derive(Clone)]
pub(crate) struct TestServer {
    pub addr: SocketAddr,
    requests: Arc<Mutex<Vec<Recorded>>>,
}

/// The help the test server serves.
pub(crate) fn served_help() -> PluginHelp {
    PluginHelp {
        description: "helpful-external".into(),
        ..Default::default()
    }
}

impl TestServer {
    /// Starts serving on a fresh port.
    pub async fn start() -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        TestServer::serve(listener)
    }

    /// Serves on `listener`.
    pub fn serve(listener: TcpListener) -> TestServer {
        let server = TestServer {
            addr: listener.local_addr().unwrap(),
            requests: Arc::default(),
        };
        let app = Router::new().fallback(record).with_state(server.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        server
    }

    /// `http://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The requests received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

async fn record(State(server): State<TestServer>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let path = parts.uri.path().to_owned();
    server.requests.lock().unwrap().push(Recorded {
        path: path.clone(),
        headers: parts.headers,
        body,
    });
    if let Some(code) = path.strip_prefix("/status/") {
        let status = StatusCode::from_u16(code.parse().unwrap()).unwrap();
        return (status, format!("answered {code}")).into_response();
    }
    if path.contains("nohelp") {
        return (StatusCode::NOT_FOUND, "404 Not Found").into_response();
    }
    if path.ends_with("/help") {
        let json = serde_json::to_vec(&served_help()).unwrap();
        return Response::new(Body::from(json));
    }
    (StatusCode::OK, "Event received. Have a nice day.").into_response()
}

/// A loopback address nothing listens on (bound, then released).
pub(crate) async fn closed_port() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap()
}

pub(crate) fn plugin(name: &str, endpoint: &str, events: &[&str]) -> ExternalPlugin {
    ExternalPlugin {
        name: name.into(),
        endpoint: endpoint.into(),
        events: events.iter().map(|e| e.to_string()).collect(),
    }
}

/// The headers GitHub sends with a webhook, plus some of the connection's.
pub(crate) fn webhook_headers() -> Vec<(String, String)> {
    [
        ("host", "hook.example.com"),
        ("user-agent", "GitHub-Hookshot/044aadd"),
        ("content-type", "application/json"),
        ("content-length", "999"),
        ("x-github-event", "issue_comment"),
        ("x-github-delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"),
        ("x-github-hook-id", "292430182"),
        (
            "x-hub-signature-256",
            "sha256=d57c68ca6f92289e6987922ff26938930f6e66a2d161ef06abdf1859230aa23c",
        ),
        ("connection", "close"),
    ]
    .into_iter()
    .map(|(n, v)| (n.to_owned(), v.to_owned()))
    .collect()
}

fn client(options: ExternalOptions) -> ExternalClient {
    ExternalClient::new(options).unwrap()
}

/// Guards a test against hanging (not a timing assertion).
async fn guard<F: std::future::Future>(future: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(60), future)
        .await
        .expect("the test hung")
}

#[tokio::test]
async fn a_delivery_is_forwarded_byte_identical_with_the_webhook_headers() {
    let server = TestServer::start().await;
    let payload =
        br#"{"action":"created","comment":{"body":"/meow \u00e9"},"zeta":1, "alpha" : 2}"#;
    let status = guard(client(ExternalOptions::default()).deliver(
        &plugin("cat", &server.url("/hook"), &[]),
        payload,
        &webhook_headers(),
    ))
    .await
    .unwrap();
    assert_eq!(status, 200);

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let got = &requests[0];
    assert_eq!(got.path, "/hook");
    assert_eq!(&got.body[..], &payload[..]);
    let header = |name: &str| {
        got.headers
            .get_all(name)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    for (name, value) in [
        ("x-github-event", "issue_comment"),
        ("x-github-delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"),
        ("x-github-hook-id", "292430182"),
        (
            "x-hub-signature-256",
            "sha256=d57c68ca6f92289e6987922ff26938930f6e66a2d161ef06abdf1859230aa23c",
        ),
        ("content-type", "application/json"),
        ("user-agent", USER_AGENT),
    ] {
        assert_eq!(header(name), [value], "{name}");
    }
    // The connection's own headers are the client's, not the webhook's.
    assert_eq!(header("host"), [server.addr.to_string()]);
    assert_eq!(header("content-length"), [payload.len().to_string()]);
    assert!(header("connection").is_empty());
}

#[tokio::test]
async fn dispatch_reaches_every_plugin_and_reports_each() {
    let server = TestServer::start().await;
    let closed = closed_port().await;
    let plugins = [
        plugin("ok", &server.url("/ok"), &[]),
        plugin("broken", &server.url("/status/500"), &[]),
        plugin("gone", &format!("http://{closed}"), &[]),
        plugin("bad", "ftp://example.com", &[]),
    ];
    let options = ExternalOptions::default().with_retries(1, Duration::ZERO);
    let runs = guard(client(options).dispatch(&plugins, b"{}", &webhook_headers())).await;
    let names: Vec<&str> = runs.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["ok", "broken", "gone", "bad"]);
    assert!(matches!(runs[0].result, Ok(200)), "{:?}", runs[0]);
    match &runs[1].result {
        Err(ExternalError::Status { status, body, .. }) => {
            assert_eq!((*status, body.as_str()), (500, "answered 500"));
        }
        other => panic!("a status error, got {other:?}"),
    }
    assert!(
        matches!(
            runs[2].result,
            Err(ExternalError::Transport { attempts: 1, .. })
        ),
        "{:?}",
        runs[2]
    );
    assert!(
        matches!(runs[3].result, Err(ExternalError::Endpoint { .. })),
        "{:?}",
        runs[3]
    );
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        ["/ok", "/status/500"],
        "a non-2xx answer is not retried"
    );
}

#[tokio::test]
async fn an_endpoint_left_empty_is_http_name_and_a_bad_one_is_never_sent_to() {
    assert_eq!(
        endpoint_of(&plugin("needs-rebase", "", &[])),
        "http://needs-rebase"
    );
    let options = ExternalOptions::default().with_retries(1, Duration::ZERO);
    let bad = plugin("p", "http://exa mple", &[]);
    let error = client(options).deliver(&bad, b"{}", &[]).await.unwrap_err();
    assert!(matches!(error, ExternalError::Endpoint { .. }), "{error:?}");
}

#[tokio::test(start_paused = true)]
async fn a_refused_connection_is_retried_until_the_plugin_is_up() {
    let port = closed_port().await;
    // The plugin comes up 150ms after the first attempt: the attempts at 0ms and 100ms are
    // refused, the one at 300ms (after waiting 100ms, then 200ms) gets through.
    let server = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(150)).await;
        TestServer::serve(TcpListener::bind(port).await.unwrap())
    });
    let options = ExternalOptions::default().with_request_timeout(None);
    let start = tokio::time::Instant::now();
    let status = guard(client(options).deliver(
        &plugin("late", &format!("http://{port}/late"), &[]),
        b"{\"zen\":\"late\"}",
        &webhook_headers(),
    ))
    .await
    .unwrap();
    let waited = start.elapsed();
    assert_eq!(status, 200);
    // Three attempts: a fourth would have waited another 400ms.
    assert!(
        (Duration::from_millis(300)..Duration::from_millis(700)).contains(&waited),
        "{waited:?}"
    );
    let server = server.await.unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(&requests[0].body[..], b"{\"zen\":\"late\"}");
}

#[tokio::test(start_paused = true)]
async fn a_plugin_that_never_answers_is_given_up_after_five_attempts() {
    let port = closed_port().await;
    let options = ExternalOptions::default().with_request_timeout(None);
    let start = tokio::time::Instant::now();
    let error =
        guard(client(options).deliver(&plugin("gone", &format!("http://{port}"), &[]), b"{}", &[]))
            .await
            .unwrap_err();
    match &error {
        ExternalError::Transport { attempts, .. } => assert_eq!(*attempts, DEFAULT_ATTEMPTS),
        other => panic!("a transport error, got {other:?}"),
    }
    // Waits of 100, 200, 400 and 800ms between the five attempts, none after the last.
    let waited = start.elapsed();
    assert!(
        (Duration::from_millis(1500)..Duration::from_millis(3100)).contains(&waited),
        "{waited:?}"
    );
}

#[test]
fn help_is_asked_at_the_endpoint_path_joined_with_help() {
    let cases = [
        ("http://plugin", Some("http://plugin/help")),
        ("http://plugin/", Some("http://plugin/help")),
        (
            "http://plugin:8888/base",
            Some("http://plugin:8888/base/help"),
        ),
        ("http://plugin/base/", Some("http://plugin/base/help")),
        (
            "https://plugin/base?x=1",
            Some("https://plugin/base/help?x=1"),
        ),
        ("ftp://plugin", None),
        ("plugin", None),
    ];
    for (endpoint, want) in cases {
        let got = help_url(endpoint).ok().map(|u| u.to_string());
        assert_eq!(got.as_deref(), want, "{endpoint}");
    }
}

#[tokio::test]
async fn help_posts_the_enabled_repos_and_reads_the_answer() {
    let server = TestServer::start().await;
    let repos = [RepoName::new("org1", "repo1"), RepoName::new("org2", "")];
    let help = guard(client(ExternalOptions::default()).help(&server.url("/plugin"), &repos))
        .await
        .unwrap();
    assert_eq!(help, served_help());
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, "/plugin/help");
    assert_eq!(
        std::str::from_utf8(&requests[0].body).unwrap(),
        r#"[{"Org":"org1","Repo":"repo1"},{"Org":"org2","Repo":""}]"#
    );
    assert_eq!(requests[0].headers["content-type"], "application/json");

    let error = guard(client(ExternalOptions::default()).help(&server.url("/nohelp"), &repos))
        .await
        .unwrap_err();
    assert!(
        matches!(error, ExternalError::Status { status: 404, .. }),
        "{error:?}"
    );
}
