//! Tests of the client: the HTTP stack (auth, retries, rate limits, ETags, dry-run) and the
//! GitHub App flow against a scripted fake GitHub, and every method against the simulator's
//! HTTP face.

mod app;
mod methods;
mod over_http;
mod stack;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use http::{HeaderMap, Method, Request, Response, StatusCode, Uri};
use http_body_util::{BodyExt, Full};
use tokio::time::Instant;
use tower::util::BoxCloneSyncService;

use super::auth::Clock;
use super::transport::{BoxError, HttpService};
use super::{Client, ClientOptions, RetryOptions};

/// A clock that moves only when told.
#[derive(Debug)]
pub(crate) struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    /// A clock stopped at `at`.
    pub fn new(at: DateTime<Utc>) -> Self {
        ManualClock(Mutex::new(at))
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: chrono::Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

/// A request the fake received.
#[derive(Clone, Debug)]
pub(crate) struct Seen {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// When it arrived, in tokio time.
    pub at: Instant,
}

impl Seen {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_default()
    }

    /// `METHOD path?query`.
    pub fn line(&self) -> String {
        let pq = self.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
        format!("{} {pq}", self.method)
    }
}

/// What the fake answers.
#[derive(Clone, Debug)]
pub(crate) enum Answer {
    /// A reply.
    Reply {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// No reply: a transport error.
    Fail(String),
}

impl Answer {
    /// A JSON reply.
    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Answer::Reply {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string(),
        }
    }

    /// Adds a header.
    pub fn with(mut self, name: &str, value: impl ToString) -> Self {
        if let Answer::Reply { headers, .. } = &mut self {
            headers.push((name.to_owned(), value.to_string()));
        }
        self
    }
}

type Handler = Box<dyn FnMut(&Seen) -> Answer + Send>;

#[derive(Default)]
struct FakeState {
    queue: VecDeque<Answer>,
    handler: Option<Handler>,
    seen: Vec<Seen>,
}

/// A scripted GitHub: answers from a queue, else from a handler, else 404; records every
/// request.
#[derive(Clone, Default)]
pub(crate) struct Fake {
    state: Arc<Mutex<FakeState>>,
}

impl Fake {
    /// Queues answers, used in order before the handler.
    pub fn push(&self, answers: impl IntoIterator<Item = Answer>) {
        self.state.lock().unwrap().queue.extend(answers);
    }

    /// Answers every request not queued for.
    pub fn handle(&self, handler: impl FnMut(&Seen) -> Answer + Send + 'static) {
        self.state.lock().unwrap().handler = Some(Box::new(handler));
    }

    /// Every request so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }

    /// `METHOD path` of every request so far.
    pub fn lines(&self) -> Vec<String> {
        self.seen().iter().map(Seen::line).collect()
    }

    /// The fake as the client's HTTP service.
    pub fn service(&self) -> HttpService {
        let fake = self.clone();
        BoxCloneSyncService::new(tower::service_fn(move |request: Request<Full<Bytes>>| {
            let fake = fake.clone();
            async move {
                let (parts, body) = request.into_parts();
                let body = body
                    .collect()
                    .await
                    .map_err(|e| -> BoxError { Box::new(e) })?;
                let seen = Seen {
                    method: parts.method,
                    uri: parts.uri,
                    headers: parts.headers,
                    body: body.to_bytes(),
                    at: Instant::now(),
                };
                let answer = {
                    let mut state = fake.state.lock().unwrap();
                    state.seen.push(seen.clone());
                    match state.queue.pop_front() {
                        Some(answer) => answer,
                        None => match state.handler.as_mut() {
                            Some(handler) => handler(&seen),
                            None => Answer::json(404, serde_json::json!({"message": "Not Found"})),
                        },
                    }
                };
                match answer {
                    Answer::Fail(message) => Err::<Response<_>, BoxError>(message.into()),
                    Answer::Reply {
                        status,
                        headers,
                        body,
                    } => {
                        let mut response = Response::new(
                            Full::new(Bytes::from(body))
                                .map_err(|never| -> BoxError { match never {} })
                                .boxed_unsync(),
                        );
                        *response.status_mut() = StatusCode::from_u16(status).unwrap();
                        for (name, value) in headers {
                            response.headers_mut().append(
                                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                                value.parse().unwrap(),
                            );
                        }
                        Ok(response)
                    }
                }
            }
        }))
    }
}

/// The base the fake pretends to be.
pub(crate) const FAKE_BASE: &str = "https://github.example.com/api/v3";
/// The fake's GraphQL endpoint.
pub(crate) const FAKE_GRAPHQL: &str = "https://github.example.com/api/graphql";

/// Options for a client of the fake: a token, fast retries.
pub(crate) fn fake_options() -> ClientOptions {
    ClientOptions {
        endpoint: FAKE_BASE.into(),
        graphql_endpoint: FAKE_GRAPHQL.into(),
        auth: super::Auth::Token("secret-token".into()),
        retry: RetryOptions {
            max_retries: 3,
            initial_delay: std::time::Duration::from_millis(100),
            max_delay: std::time::Duration::from_secs(1),
            max_rate_limit_wait: std::time::Duration::from_secs(600),
        },
        request_timeout: None,
        ..ClientOptions::default()
    }
}

/// A client of `fake` with `options` and the machine's clock.
pub(crate) async fn client_of(fake: &Fake, options: ClientOptions) -> Client {
    Client::with_parts(options, fake.service(), Arc::new(super::auth::SystemClock))
        .await
        .unwrap()
}

/// A client of `fake` with `options` and `clock`.
pub(crate) async fn client_with_clock(
    fake: &Fake,
    options: ClientOptions,
    clock: Arc<dyn Clock>,
) -> Client {
    Client::with_parts(options, fake.service(), clock)
        .await
        .unwrap()
}

/// A user as GitHub renders one.
pub(crate) fn user_json(login: &str) -> serde_json::Value {
    serde_json::json!({"login": login, "id": 1, "type": "User"})
}
