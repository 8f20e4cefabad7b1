//! Webhook delivery: a task that takes every webhook the simulator sends and POSTs it to a hook
//! as GitHub does (its headers, signed with the hook's secret), one at a time and in order,
//! keeping each delivery's outcome; failures are logged and kept, never dropped.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::header::{CONTENT_TYPE, HOST, USER_AGENT};
use axum::http::{Request, Uri};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::super::{SimWebhook, Simulator};
use crate::hook::{DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, payload_signature};

/// The `User-Agent` GitHub's deliveries carry.
const USER_AGENT_VALUE: &str = "GitHub-Hookshot/5f4a1b8";

/// Where to deliver webhooks, and how.
#[derive(Clone, PartialEq, Eq)]
pub struct HookTarget {
    /// The hook's address, `http://host:port/path` (plain HTTP: the simulator serves loopback).
    pub url: String,
    /// The secret deliveries are signed with (`X-Hub-Signature-256`).
    pub secret: Vec<u8>,
    /// The hook's ID, sent as `X-GitHub-Hook-ID`.
    pub hook_id: u64,
    /// How long to wait for the hook's answer before counting the delivery as failed
    /// (GitHub waits 10 seconds); `None` waits as long as it takes.
    pub timeout: Option<Duration>,
}

impl HookTarget {
    /// A hook at `url` with `secret`, hook ID 1 and GitHub's 10-second timeout.
    pub fn new(url: impl Into<String>, secret: impl Into<Vec<u8>>) -> Self {
        HookTarget {
            url: url.into(),
            secret: secret.into(),
            hook_id: 1,
            timeout: Some(Duration::from_secs(10)),
        }
    }
}

impl std::fmt::Debug for HookTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HookTarget")
            .field("url", &self.url)
            .field("secret", &"<redacted>")
            .field("hook_id", &self.hook_id)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// The outcome of one delivery.
#[derive(Clone, Debug, PartialEq)]
pub struct DeliveryRecord {
    /// The webhook delivered (to redeliver or inspect).
    pub webhook: SimWebhook,
    /// The status the hook answered with; `None` when it never answered.
    pub status: Option<u16>,
    /// The hook's answer, as text.
    pub response: String,
    /// Why the delivery failed: no answer (connection refused, timeout), or a status other
    /// than 2xx.
    pub error: Option<String>,
}

impl DeliveryRecord {
    /// Whether the hook answered 2xx.
    pub fn delivered(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }

    /// The delivery's ID (`X-GitHub-Delivery`).
    pub fn delivery_id(&self) -> &str {
        &self.webhook.delivery_id
    }

    /// The event type (`X-GitHub-Event`).
    pub fn event_type(&self) -> &str {
        &self.webhook.event_type
    }
}

/// What the delivery task and its handle share.
struct Shared {
    target: HookTarget,
    records: Mutex<Vec<DeliveryRecord>>,
    /// How many webhooks the task has handled (delivered or failed).
    handled: watch::Sender<u64>,
}

/// A running webhook delivery: every webhook the simulator sends after [`start`] is POSTed to
/// the hook, in order, each only once the one before it was answered (or failed).
///
/// [`start`]: WebhookDeliverer::start
pub struct WebhookDeliverer {
    sim: Simulator,
    shared: Arc<Shared>,
    /// The simulator's webhook count when delivery started.
    start: u64,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for WebhookDeliverer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookDeliverer")
            .field("target", &self.shared.target)
            .field("handled", &*self.shared.handled.borrow())
            .finish_non_exhaustive()
    }
}

impl WebhookDeliverer {
    /// Starts delivering `sim`'s webhooks to `target` on the current tokio runtime.
    pub fn start(sim: &Simulator, target: HookTarget) -> WebhookDeliverer {
        let (start, receiver) = sim.subscribe_counted();
        let (handled, _) = watch::channel(0);
        let shared = Arc::new(Shared {
            target,
            records: Mutex::new(Vec::new()),
            handled,
        });
        let task = tokio::spawn(run(Arc::clone(&shared), receiver));
        WebhookDeliverer {
            sim: sim.clone(),
            shared,
            start,
            task,
        }
    }

    /// Every delivery so far, oldest first.
    pub fn deliveries(&self) -> Vec<DeliveryRecord> {
        self.records().clone()
    }

    /// The deliveries that failed, oldest first.
    pub fn failures(&self) -> Vec<DeliveryRecord> {
        self.records()
            .iter()
            .filter(|r| !r.delivered())
            .cloned()
            .collect()
    }

    /// The status code of every delivery so far (`None` for no answer), oldest first.
    pub fn statuses(&self) -> Vec<Option<u16>> {
        self.records().iter().map(|r| r.status).collect()
    }

    fn records(&self) -> std::sync::MutexGuard<'_, Vec<DeliveryRecord>> {
        self.shared
            .records
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Waits until every webhook the simulator sent before this call has been delivered or
    /// has failed.
    pub async fn flush(&self) {
        let target = self.sim.webhook_count().saturating_sub(self.start);
        let mut handled = self.shared.handled.subscribe();
        // The task never stops while the handle lives, so the channel stays open.
        let _ = handled.wait_for(|&n| n >= target).await;
    }

    /// Delivers a delivery again (GitHub's "Redeliver"), with the same delivery ID, body and
    /// signature; records and returns the outcome. `None` for an unknown delivery ID.
    pub async fn redeliver(&self, delivery_id: &str) -> Option<DeliveryRecord> {
        let webhook = self
            .records()
            .iter()
            .find(|r| r.webhook.delivery_id == delivery_id)
            .map(|r| r.webhook.clone())?;
        let record = deliver(&self.shared.target, webhook).await;
        self.records().push(record.clone());
        Some(record)
    }

    /// Delivers what the simulator sent so far ([`flush`](WebhookDeliverer::flush)), then
    /// stops; returns every delivery's record.
    pub async fn stop(self) -> Vec<DeliveryRecord> {
        self.flush().await;
        self.task.abort();
        self.deliveries()
    }
}

impl Drop for WebhookDeliverer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The delivery loop.
async fn run(shared: Arc<Shared>, mut receiver: UnboundedReceiver<SimWebhook>) {
    while let Some(webhook) = receiver.recv().await {
        let record = deliver(&shared.target, webhook).await;
        shared
            .records
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(record);
        shared.handled.send_modify(|n| *n += 1);
    }
}

/// POSTs one webhook and records what came of it.
async fn deliver(target: &HookTarget, webhook: SimWebhook) -> DeliveryRecord {
    let attempt = post(target, &webhook);
    let outcome = match target.timeout {
        Some(limit) => tokio::time::timeout(limit, attempt)
            .await
            .unwrap_or_else(|_| Err(format!("no answer within {limit:?}"))),
        None => attempt.await,
    };
    let record = match outcome {
        Ok((status, response)) => {
            let error = (!(200..300).contains(&status))
                .then(|| format!("the hook answered {status}: {}", response.trim()));
            DeliveryRecord {
                webhook,
                status: Some(status),
                response,
                error,
            }
        }
        Err(error) => DeliveryRecord {
            webhook,
            status: None,
            response: String::new(),
            error: Some(error),
        },
    };
    match &record.error {
        Some(error) => tracing::warn!(
            delivery = %record.webhook.delivery_id,
            event_type = %record.webhook.event_type,
            url = %target.url,
            %error,
            "webhook delivery failed"
        ),
        None => tracing::debug!(
            delivery = %record.webhook.delivery_id,
            event_type = %record.webhook.event_type,
            status = record.status,
            "webhook delivered"
        ),
    }
    record
}

/// The headers GitHub sends with a delivery (besides `Host` and `Content-Length`).
pub(crate) fn delivery_headers(
    target: &HookTarget,
    webhook: &SimWebhook,
    body: &[u8],
) -> Vec<(String, String)> {
    let installation = webhook
        .payload
        .get("installation")
        .and_then(|i| i.get("id"))
        .and_then(serde_json::Value::as_u64);
    let (target_type, target_id) = match installation {
        Some(id) => ("integration", id),
        None => (
            "repository",
            webhook
                .payload
                .get("repository")
                .and_then(|r| r.get("id"))
                .and_then(serde_json::Value::as_u64)
                .unwrap_or_default(),
        ),
    };
    vec![
        (EVENT_HEADER.to_owned(), webhook.event_type.clone()),
        (DELIVERY_HEADER.to_owned(), webhook.delivery_id.clone()),
        (
            SIGNATURE_HEADER.to_owned(),
            payload_signature(body, &target.secret),
        ),
        (CONTENT_TYPE.to_string(), "application/json".to_owned()),
        (USER_AGENT.to_string(), USER_AGENT_VALUE.to_owned()),
        ("X-GitHub-Hook-ID".to_owned(), target.hook_id.to_string()),
        (
            "X-GitHub-Hook-Installation-Target-Type".to_owned(),
            target_type.to_owned(),
        ),
        (
            "X-GitHub-Hook-Installation-Target-ID".to_owned(),
            target_id.to_string(),
        ),
    ]
}

/// One HTTP/1.1 POST of the webhook: the hook's status and body, or why there was none.
async fn post(target: &HookTarget, webhook: &SimWebhook) -> Result<(u16, String), String> {
    let uri: Uri = target
        .url
        .parse()
        .map_err(|e| format!("invalid hook URL {:?}: {e}", target.url))?;
    if uri.scheme_str() != Some("http") {
        return Err(format!(
            "hook URL {:?}: the simulator delivers over plain http only",
            target.url
        ));
    }
    let authority = uri
        .authority()
        .ok_or_else(|| format!("hook URL {:?} names no host", target.url))?
        .clone();
    let port = authority.port_u16().unwrap_or(80);
    let stream = TcpStream::connect((authority.host(), port))
        .await
        .map_err(|e| format!("connecting to {authority}: {e}"))?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("HTTP handshake with {authority}: {e}"))?;
    let driver = tokio::spawn(connection);
    let body = webhook.body();
    let mut request = Request::post(
        uri.path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".to_owned()),
    )
    .header(HOST, authority.as_str());
    for (name, value) in delivery_headers(target, webhook, &body) {
        request = request.header(name, value);
    }
    let request = request
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| format!("building the request: {e}"))?;
    let result = async {
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| format!("sending to {authority}: {e}"))?;
        let status = response.status().as_u16();
        let text = response
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("reading the answer of {authority}: {e}"))?
            .to_bytes();
        Ok((status, String::from_utf8_lossy(&text).into_owned()))
    }
    .await;
    drop(sender);
    driver.abort();
    result
}
