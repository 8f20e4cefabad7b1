//! Tests of the HTTP face over real HTTP on 127.0.0.1, with hyper's client: every route with
//! its GitHub errors, paging and `Link`, `ETag`/304, rate-limit headers and fault knobs,
//! GraphQL search, webhook delivery into hook's intake, and the call log both faces share.

mod delivery;
mod faults;
mod graphql;
mod parity;
mod rest;

use std::net::SocketAddr;

use axum::http::header::{CONTENT_TYPE, HOST};
use axum::http::{HeaderMap, Method, Request};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use prow_core::event::ReviewState;
use prow_core::github::Status;
use serde_json::Value;
use tokio::net::TcpStream;

use super::super::refs::NewCheckRun;
use super::super::tests::{BOT, open_pr, repo, world};
use super::super::{Simulator, SimulatorServer};
use super::{HttpFace, HttpOptions};

/// What an HTTP reply brought back.
#[derive(Debug)]
pub(super) struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    /// The body as JSON (`null` for an empty body).
    pub fn json(&self) -> Value {
        if self.body.is_empty() {
            return Value::Null;
        }
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}

/// One request over a fresh HTTP/1.1 connection.
pub(super) async fn send(
    addr: SocketAddr,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Vec<u8>>,
) -> Reply {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    let driver = tokio::spawn(connection);
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(HOST, addr.to_string());
    if body.is_some() {
        request = request.header(CONTENT_TYPE, "application/json");
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request
        .body(Full::new(Bytes::from(body.unwrap_or_default())))
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    drop(sender);
    let _ = driver.await;
    Reply {
        status,
        headers,
        body,
    }
}

/// A client of a served simulator, sending one token.
pub(super) struct Http {
    pub addr: SocketAddr,
    pub token: String,
}

impl Http {
    /// A client of `server` with the bot's token.
    pub fn new(server: &SimulatorServer) -> Self {
        Http {
            addr: server.local_addr(),
            token: "bot-token".to_owned(),
        }
    }

    /// The same client with another token.
    pub fn with_token(&self, token: &str) -> Self {
        Http {
            addr: self.addr,
            token: token.to_owned(),
        }
    }

    /// A request with a JSON body (or none) and extra headers.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let auth = format!("token {}", self.token);
        let mut all = vec![("Authorization", auth.as_str())];
        all.extend_from_slice(headers);
        let body = body.map(|b| serde_json::to_vec(b).unwrap());
        send(self.addr, method, path, &all, body).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.request(Method::GET, path, None, &[]).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.request(Method::POST, path, Some(&body), &[]).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Reply {
        self.request(Method::PATCH, path, Some(&body), &[]).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.request(Method::PUT, path, Some(&body), &[]).await
    }

    pub async fn delete(&self, path: &str, body: Option<Value>) -> Reply {
        self.request(Method::DELETE, path, body.as_ref(), &[]).await
    }
}

/// Serves `sim` on 127.0.0.1 with tokens `alice-token`, `dave-token` and `erin-token`.
pub(super) async fn serve(sim: &Simulator) -> SimulatorServer {
    serve_with(sim, HttpOptions::default()).await
}

/// Serves `sim` with `options`, with the tokens of [`serve`] (and `bot-token` for the bot).
pub(super) async fn serve_with(sim: &Simulator, options: HttpOptions) -> SimulatorServer {
    let face = HttpFace::with_options(sim.clone(), options);
    for login in ["alice", "dave", "erin"] {
        face.set_token(&format!("{login}-token"), login);
    }
    face.set_token("bot-token", BOT);
    SimulatorServer::start_face(face, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

/// The objects a test world holds beyond [`world`]'s.
#[derive(Clone, Debug)]
pub(super) struct Fixture {
    /// Pull request #1 by alice from her fork's `feature`, changing `a.txt`.
    pub pr: u64,
    /// Issue #2 by dave.
    pub issue: u64,
    /// bob's `/lgtm` comment on the pull request.
    pub comment: u64,
    /// The pull request's head.
    pub head: String,
}

/// [`world`] with a pull request (approved by bob, with a `ci` status and a `build` check
/// run on its head), an issue, and a comment; webhooks and calls so far forgotten.
pub(super) fn http_world() -> (Simulator, Fixture) {
    let sim = world();
    let pr = open_pr(&sim, "alice", "feature", "a.txt");
    let issue = sim
        .open_issue_as("dave", &repo(), "Bug", "it breaks", &[], &[])
        .unwrap();
    let comment = sim.comment_as("bob", &repo(), pr, "/lgtm").unwrap();
    sim.review_as("bob", &repo(), pr, ReviewState::Approved, "")
        .unwrap();
    let head = sim.pull_request(&repo(), pr).unwrap().head.sha;
    let status = Status {
        state: "success".into(),
        target_url: "https://ci/1".into(),
        description: "passed".into(),
        context: "ci".into(),
    };
    sim.set_status(&repo(), &head, &status).unwrap();
    let run = NewCheckRun {
        name: "build".into(),
        status: "completed".into(),
        conclusion: Some("success".into()),
        ..NewCheckRun::default()
    };
    sim.create_check_run("ci-app[bot]", &repo(), &head, &run)
        .unwrap();
    sim.take_webhooks();
    sim.take_calls();
    (
        sim,
        Fixture {
            pr,
            issue,
            comment,
            head,
        },
    )
}

/// The message of a GitHub error body, checking its shape.
pub(super) fn error_message(reply: &Reply) -> String {
    let body = reply.json();
    assert_eq!(
        body["documentation_url"].as_str(),
        Some(super::reply::DOCS),
        "{body}"
    );
    assert_eq!(
        body["status"],
        Value::String(reply.status.to_string()),
        "{body}"
    );
    body["message"].as_str().unwrap_or_default().to_owned()
}
