//! The event source trait: where webhook deliveries come from (the HTTP intake, a
//! replay file, a queue), and the loop that hands each one to a tower service.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tower::{Service, ServiceExt};

use crate::event::Event;

/// One webhook delivery: GitHub's headers, the raw payload and the parsed event.
#[derive(Clone, Debug)]
pub struct Delivery {
    /// `X-GitHub-Delivery`: unique per delivery, repeated when GitHub redelivers.
    pub id: String,
    /// `X-GitHub-Event`.
    pub event_type: String,
    /// The payload as received (external plugins get it unchanged).
    pub payload: Arc<[u8]>,
    /// The parsed event.
    pub event: Arc<Event>,
    /// When it was received.
    pub received_at: DateTime<Utc>,
    /// The request's HTTP headers as received, in order, names in lower case (a header sent
    /// twice appears twice); the hook forwards them to external plugins, as upstream does.
    /// Empty for deliveries that did not come over HTTP (a replay file, a test).
    pub headers: Vec<(String, String)>,
}

/// Produces deliveries, one at a time.
#[async_trait]
pub trait EventSource: Send {
    /// The next delivery; `None` when the source is exhausted or shut down.
    async fn next(&mut self) -> Option<Delivery>;
}

/// Hands every delivery of `source` to `sink` in order, waiting for the sink to be ready
/// before each (so a concurrency or rate limit layered on the sink applies back-pressure);
/// returns how many were handed over, or the sink's first error.
pub async fn run_event_source<S, K>(mut source: S, mut sink: K) -> Result<u64, K::Error>
where
    S: EventSource,
    K: Service<Delivery>,
{
    let mut handed = 0;
    while let Some(delivery) = source.next().await {
        sink.ready().await?.call(delivery).await?;
        handed += 1;
    }
    Ok(handed)
}
