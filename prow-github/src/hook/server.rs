//! The intake service: hook's `/hook` endpoint as a tower service. It checks a delivery in
//! upstream Prow's order, with Prow's status codes and texts, and hands each valid one to a
//! sink service as a [`Delivery`].

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use axum::Router;
use axum::body::{Body, HttpBody};
use axum::http::header::{ALLOW, CONTENT_LENGTH, CONTENT_TYPE, HeaderName};
use axum::http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use bytes::Bytes;
use chrono::Utc;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use prow_core::event::Event;
use prow_core::traits::Delivery;
use tower::{Service, ServiceExt};
use tracing::Instrument;

use super::metrics::Metrics;
use super::recent::RecentDeliveries;
use super::secret::HmacSecrets;
use super::signature::{self, SignatureError};

/// Where upstream Prow's hook serves webhooks, and where [`Intake::router`] mounts the intake.
pub const HOOK_PATH: &str = "/hook";

/// The largest body accepted by default: 25 MiB, the most GitHub sends.
pub const DEFAULT_BODY_LIMIT: usize = 25 * 1024 * 1024;

/// How many delivery ids are remembered by default to recognise redeliveries.
pub const DEFAULT_REMEMBERED_DELIVERIES: usize = 10_000;

/// The body of the 200 reply, upstream Prow's.
pub const ACCEPTED_RESPONSE: &str = "Event received. Have a nice day.";

/// The header naming the event type (`issue_comment`, `ping`, ...).
pub const EVENT_HEADER: &str = "X-GitHub-Event";

/// The header holding the delivery's GUID, the same on every redelivery.
pub const DELIVERY_HEADER: &str = "X-GitHub-Delivery";

static EVENT: HeaderName = HeaderName::from_static("x-github-event");
static GUID: HeaderName = HeaderName::from_static("x-github-delivery");
static SIGNATURE: HeaderName = HeaderName::from_static("x-hub-signature-256");
static NOSNIFF: HeaderName = HeaderName::from_static("x-content-type-options");

/// What the intake does with a delivery whose `X-GitHub-Delivery` id it handed on recently.
///
/// GitHub redelivers on request (the "Redeliver" button, or an API call after a failed
/// delivery) with the same id and body; a replayed capture of a signed request looks the same.
/// An id counts as handed on once the sink's `call` completed successfully; a failed or
/// cancelled hand-off is forgotten, so its redelivery is handed on. The record is in memory and
/// bounded ([`IntakeBuilder::remembered_deliveries`]): it does not survive a restart, and an id
/// that arrives again while its first delivery is still being handed on counts as a redelivery.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Redeliveries {
    /// Reply 200 and count it in `prow_webhook_redeliveries`, but do not hand it to the sink
    /// again: the event was handled once already. The default.
    #[default]
    Acknowledge,
    /// Count it and hand it to the sink again, as upstream Prow does (which does not look at
    /// the id); for a sink that de-duplicates by [`Delivery::id`] itself, such as a durable
    /// inbox.
    Dispatch,
}

/// Builds an [`Intake`]; see [`Intake::builder`].
#[derive(Debug)]
#[must_use]
pub struct IntakeBuilder {
    secrets: Arc<HmacSecrets>,
    body_limit: usize,
    redeliveries: Redeliveries,
    remembered: usize,
    metrics: Metrics,
}

impl IntakeBuilder {
    /// The largest body accepted, in bytes ([`DEFAULT_BODY_LIMIT`] by default); larger ones
    /// get 413.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// What to do with redeliveries ([`Redeliveries::Acknowledge`] by default).
    pub fn redeliveries(mut self, redeliveries: Redeliveries) -> Self {
        self.redeliveries = redeliveries;
        self
    }

    /// How many delivery ids to remember ([`DEFAULT_REMEMBERED_DELIVERIES`] by default); 0
    /// turns redelivery detection off.
    pub fn remembered_deliveries(mut self, count: usize) -> Self {
        self.remembered = count;
        self
    }

    /// The metrics to count into (fresh ones by default), so the binary can serve them.
    pub fn metrics(mut self, metrics: Metrics) -> Self {
        self.metrics = metrics;
        self
    }

    /// The intake, handing valid deliveries to `sink`.
    pub fn build<S>(self, sink: S) -> Intake<S> {
        Intake {
            shared: Arc::new(Shared {
                recent: RecentDeliveries::new(self.remembered),
                secrets: self.secrets,
                body_limit: self.body_limit,
                redeliveries: self.redeliveries,
                metrics: self.metrics,
            }),
            sink: Arc::new(Mutex::new(sink)),
        }
    }
}

#[derive(Debug)]
struct Shared {
    secrets: Arc<HmacSecrets>,
    body_limit: usize,
    redeliveries: Redeliveries,
    metrics: Metrics,
    recent: RecentDeliveries,
}

/// Hook's webhook endpoint as a `tower::Service<http::Request<B>>` (mount it at [`HOOK_PATH`],
/// or take [`Intake::router`]).
///
/// A request is checked in upstream Prow's order, and the first failed check answers it:
///
/// | check | reply |
/// |---|---|
/// | method is not POST | 405 `405 Method not allowed` |
/// | no `X-GitHub-Event` | 400 `400 Bad Request: Missing X-GitHub-Event Header` |
/// | no `X-GitHub-Delivery` | 400 `400 Bad Request: Missing X-GitHub-Delivery Header` |
/// | no `X-Hub-Signature-256` | 403 `403 Forbidden: Missing X-Hub-Signature-256` |
/// | `Content-Type` is not exactly `application/json` | 400 `400 Bad Request: Hook only accepts content-type: application/json - please reconfigure this hook on GitHub` |
/// | body larger than the limit | 413 `413 Payload Too Large: ...` |
/// | body could not be read | 500 `500 Internal Server Error: Failed to read request body` |
/// | signature does not verify | 403 `403 Forbidden: Invalid X-Hub-Signature-256 - <reason>` |
/// | body is not the event type's JSON | 400 `400 Bad Request: could not parse <type> event payload: ...` |
/// | the sink failed | 500 `500 Internal Server Error: Failed to dispatch the event` |
/// | otherwise | 200 `Event received. Have a nice day.` |
///
/// Header values that are not visible ASCII count as missing (a signature as invalid). The
/// signature is checked with the tokens the secret file lists for the payload's repository
/// (see [`super::HmacConfig::tokens_for`]), taken from the parsed event so that the
/// repository the secret was chosen for is the one the rest of Prow sees. Every event type
/// is accepted: types prow-core does not model arrive as [`Event::Other`].
///
/// Unlike upstream, which replies 200 before parsing, the reply comes after the event has
/// been handed to the sink (the sink's `call` future has completed), so a payload that does
/// not parse gets 400 and a failed hand-off gets 500 and can be redelivered. GitHub gives up
/// on a delivery after 10 seconds: the sink should complete once it has queued the event,
/// not once plugins have handled it. A redelivery of a delivery handed on recently gets 200
/// and, by default, is not handed on again ([`Redeliveries`]).
///
/// Metrics: `prow_webhook_response_codes` counts every reply, `prow_webhook_counter` every
/// delivery whose signature verified (as upstream), `prow_webhook_redeliveries` every
/// redelivery recognised.
pub struct Intake<S> {
    shared: Arc<Shared>,
    // Behind a mutex so the intake is `Sync` (axum wants that) whatever the sink is; the lock
    // is held only to clone the sink.
    sink: Arc<Mutex<S>>,
}

impl<S> Clone for Intake<S> {
    fn clone(&self) -> Self {
        Intake {
            shared: Arc::clone(&self.shared),
            sink: Arc::clone(&self.sink),
        }
    }
}

impl<S> fmt::Debug for Intake<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Intake")
            .field("body_limit", &self.shared.body_limit)
            .field("redeliveries", &self.shared.redeliveries)
            .field("secrets", &self.shared.secrets)
            .finish_non_exhaustive()
    }
}

impl Intake<()> {
    /// Starts an intake that verifies with `secrets`.
    pub fn builder(secrets: Arc<HmacSecrets>) -> IntakeBuilder {
        IntakeBuilder {
            secrets,
            body_limit: DEFAULT_BODY_LIMIT,
            redeliveries: Redeliveries::default(),
            remembered: DEFAULT_REMEMBERED_DELIVERIES,
            metrics: Metrics::new(),
        }
    }
}

impl<S> Intake<S> {
    /// The metrics the intake counts into.
    pub fn metrics(&self) -> &Metrics {
        &self.shared.metrics
    }

    /// The secrets the intake verifies with (to reload them).
    pub fn secrets(&self) -> &Arc<HmacSecrets> {
        &self.shared.secrets
    }

    /// A router serving the intake at [`HOOK_PATH`] (merge or nest it into the binary's).
    pub fn router(self) -> Router
    where
        S: Service<Delivery, Response = ()> + Clone + Send + 'static,
        S::Future: Send,
        S::Error: fmt::Display,
    {
        Router::new().route_service(HOOK_PATH, self)
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl<S, B> Service<Request<B>> for Intake<S>
where
    S: Service<Delivery, Response = ()> + Clone + Send + 'static,
    S::Future: Send,
    S::Error: fmt::Display,
    B: HttpBody + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // Readiness of the sink is awaited per request, inside the response future.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let shared = Arc::clone(&self.shared);
        let sink = self
            .sink
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        Box::pin(async move {
            let (status, text) = match handle(&shared, sink, request).await {
                Ok(()) => (StatusCode::OK, ACCEPTED_RESPONSE.to_owned()),
                Err(Reject { status, text }) => {
                    tracing::debug!(status = status.as_u16(), response = %text, "rejected a webhook");
                    // Go's http.Error ends the text with a newline.
                    (status, text + "\n")
                }
            };
            shared.metrics.response(status.as_u16());
            Ok(reply(status, text))
        })
    }
}

fn reply(status: StatusCode, text: String) -> Response<Body> {
    let mut response = Response::new(Body::from(text));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(NOSNIFF.clone(), HeaderValue::from_static("nosniff"));
    if status == StatusCode::METHOD_NOT_ALLOWED {
        headers.insert(ALLOW, HeaderValue::from_static("POST"));
    }
    response
}

/// A reply other than 200.
struct Reject {
    status: StatusCode,
    text: String,
}

fn reject(status: StatusCode, text: impl Into<String>) -> Reject {
    Reject {
        status,
        text: text.into(),
    }
}

/// A header as Go's `Header.Get` sees it: the first value, absent when empty.
fn header<'h>(headers: &'h HeaderMap, name: &HeaderName) -> Option<&'h HeaderValue> {
    headers.get(name).filter(|value| !value.is_empty())
}

fn text_header<'h>(headers: &'h HeaderMap, name: &HeaderName) -> Option<&'h str> {
    header(headers, name).and_then(|value| value.to_str().ok())
}

async fn handle<S, B>(shared: &Shared, sink: S, request: Request<B>) -> Result<(), Reject>
where
    S: Service<Delivery, Response = ()> + Send,
    S::Error: fmt::Display,
    B: HttpBody,
    B::Error: Into<BoxError>,
{
    let received_at = Utc::now();
    let (parts, body) = request.into_parts();
    if parts.method != Method::POST {
        return Err(reject(
            StatusCode::METHOD_NOT_ALLOWED,
            "405 Method not allowed",
        ));
    }
    let headers = &parts.headers;
    let event_type = text_header(headers, &EVENT).ok_or_else(|| {
        reject(
            StatusCode::BAD_REQUEST,
            "400 Bad Request: Missing X-GitHub-Event Header",
        )
    })?;
    let guid = text_header(headers, &GUID).ok_or_else(|| {
        reject(
            StatusCode::BAD_REQUEST,
            "400 Bad Request: Missing X-GitHub-Delivery Header",
        )
    })?;
    let signature = header(headers, &SIGNATURE).ok_or_else(|| {
        reject(
            StatusCode::FORBIDDEN,
            "403 Forbidden: Missing X-Hub-Signature-256",
        )
    })?;
    if headers.get(CONTENT_TYPE).map(HeaderValue::as_bytes) != Some(b"application/json") {
        return Err(reject(
            StatusCode::BAD_REQUEST,
            "400 Bad Request: Hook only accepts content-type: application/json - please \
             reconfigure this hook on GitHub",
        ));
    }
    let payload = read_body(body, headers, shared.body_limit).await?;

    let span = tracing::info_span!("delivery", delivery = guid, event_type);
    async move {
        let parsed = Event::parse(event_type, &payload);
        authenticate(shared, &parsed, &payload, signature)?;
        shared.metrics.webhook(event_type);
        let event = parsed
            .map_err(|error| reject(StatusCode::BAD_REQUEST, format!("400 Bad Request: {error}")))?
            .with_guid(guid);

        let mut claim = Claim::new(&shared.recent, guid);
        if !claim.fresh {
            shared.metrics.redelivery(event_type);
            if shared.redeliveries == Redeliveries::Acknowledge {
                tracing::info!("redelivery of a delivery already handed on; not dispatched again");
                return Ok(());
            }
            tracing::info!("redelivery of a delivery already handed on; dispatching again");
        }
        let delivery = Delivery {
            id: guid.to_owned(),
            event_type: event_type.to_owned(),
            payload: Arc::from(payload.as_ref()),
            event: Arc::new(event),
            received_at,
            headers: headers
                .iter()
                .map(|(name, value)| {
                    let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                    (name.as_str().to_owned(), value)
                })
                .collect(),
        };
        match sink.oneshot(delivery).await {
            Ok(()) => {
                claim.keep();
                tracing::debug!("handed the event on");
                Ok(())
            }
            Err(error) => {
                tracing::error!(%error, "failed to hand the event on");
                Err(reject(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "500 Internal Server Error: Failed to dispatch the event",
                ))
            }
        }
    }
    .instrument(span)
    .await
}

async fn read_body<B>(body: B, headers: &HeaderMap, limit: usize) -> Result<Bytes, Reject>
where
    B: HttpBody,
    B::Error: Into<BoxError>,
{
    let too_large = || {
        reject(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("413 Payload Too Large: Hook accepts payloads of at most {limit} bytes"),
        )
    };
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(too_large());
    }
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.is::<LengthLimitError>() => Err(too_large()),
        Err(error) => {
            tracing::debug!(%error, "failed to read a webhook body");
            Err(reject(
                StatusCode::INTERNAL_SERVER_ERROR,
                "500 Internal Server Error: Failed to read request body",
            ))
        }
    }
}

/// Verifies the signature with the tokens for the payload's repository.
fn authenticate(
    shared: &Shared,
    parsed: &Result<Event, prow_core::event::EventError>,
    payload: &[u8],
    signature: &HeaderValue,
) -> Result<(), Reject> {
    let config = shared.secrets.current();
    let (org_repo, is_object) = match parsed {
        Ok(event) => (source_of(event), true),
        // Not the event type's shape: find the repository in the JSON as it is, to choose
        // the secret (the event is rejected anyway once authenticated).
        Err(_) => match serde_json::from_slice::<serde_json::Value>(payload) {
            Ok(payload @ serde_json::Value::Object(_)) => (
                source_of(&Event::Other {
                    event_type: String::new(),
                    payload,
                }),
                true,
            ),
            _ => (String::new(), false),
        },
    };
    let result = match signature.to_str() {
        Ok(signature) => signature::verify(&config, payload, signature, &org_repo),
        Err(_) => Err(SignatureError::InvalidSignature),
    };
    result.map_err(|error| {
        // Upstream reads the repository before the signature: a body that is no JSON object
        // fails as such first.
        let error = if is_object {
            error
        } else {
            SignatureError::InvalidPayload
        };
        reject(
            StatusCode::FORBIDDEN,
            format!("403 Forbidden: Invalid X-Hub-Signature-256 - {error}"),
        )
    })
}

/// The repository (`org/repo`) a delivery comes from, else its organization's login, else
/// empty: what the secret is chosen by.
fn source_of(event: &Event) -> String {
    if let Some(org_repo) = event.repo() {
        return org_repo;
    }
    let organization = match event {
        Event::Issues(e) => e.organization.as_ref(),
        Event::IssueComment(e) => e.organization.as_ref(),
        Event::PullRequest(e) => e.organization.as_ref(),
        Event::PullRequestReview(e) => e.organization.as_ref(),
        Event::PullRequestReviewComment(e) => e.organization.as_ref(),
        Event::Push(e) => e.organization.as_ref(),
        Event::Status(e) => e.organization.as_ref(),
        Event::CheckRun(e) => e.organization.as_ref(),
        Event::CheckSuite(e) => e.organization.as_ref(),
        Event::Other { payload, .. } => {
            return payload
                .get("organization")
                .and_then(|org| org.get("login"))
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
                .to_owned();
        }
    };
    organization
        .map(|org| org.login.clone())
        .unwrap_or_default()
}

/// A delivery id recorded as handed on; forgotten again when dropped before [`Claim::keep`]
/// (the hand-off failed, panicked or was cancelled), so that a redelivery is handed on.
struct Claim<'r> {
    recent: &'r RecentDeliveries,
    id: &'r str,
    fresh: bool,
    kept: bool,
}

impl<'r> Claim<'r> {
    fn new(recent: &'r RecentDeliveries, id: &'r str) -> Self {
        Claim {
            fresh: recent.claim(id),
            recent,
            id,
            kept: false,
        }
    }

    fn keep(&mut self) {
        self.kept = true;
    }
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        if self.fresh && !self.kept {
            self.recent.release(self.id);
        }
    }
}
