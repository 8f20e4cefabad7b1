//! The webhook metrics, under upstream Prow's names so that existing dashboards keep working:
//! `prow_webhook_counter{event_type}` and `prow_webhook_response_codes{response_code}`, plus
//! prow-rs's `prow_webhook_redeliveries{event_type}`.

use prometheus_client::encoding::{EncodeMetric, MetricEncoder};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::{MetricType, TypedMetric};
use prometheus_client::registry::Registry;

/// The content type of [`Metrics::encode`]'s output (OpenMetrics text).
pub const METRICS_CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// A counter exposed under its own name.
///
/// OpenMetrics names a counter's sample `<name>_total`; Prow's Go client exposes
/// `prow_webhook_counter` as is, and dashboards query that name. This counter is typed
/// `unknown` so its sample keeps the bare name (PromQL's `rate()` works on it all the same).
#[derive(Clone, Debug, Default)]
pub struct BareCounter(Counter);

impl BareCounter {
    /// Adds one.
    pub fn inc(&self) {
        self.0.inc();
    }

    /// The count.
    pub fn get(&self) -> u64 {
        self.0.get()
    }
}

impl TypedMetric for BareCounter {
    const TYPE: MetricType = MetricType::Unknown;
}

impl EncodeMetric for BareCounter {
    fn encode(&self, mut encoder: MetricEncoder) -> Result<(), std::fmt::Error> {
        encoder.encode_gauge(&self.0.get())
    }

    fn metric_type(&self) -> MetricType {
        MetricType::Unknown
    }
}

type Labels = [(&'static str, String); 1];

/// The intake's metrics. Clones share their counts.
#[derive(Clone, Debug, Default)]
pub struct Metrics {
    webhooks: Family<Labels, BareCounter>,
    responses: Family<Labels, BareCounter>,
    redeliveries: Family<Labels, BareCounter>,
}

impl Metrics {
    /// Fresh metrics, all at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the metrics to `registry` (to serve them with the rest of the binary's).
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "prow_webhook_counter",
            "A counter of the webhooks made to prow",
            self.webhooks.clone(),
        );
        registry.register(
            "prow_webhook_response_codes",
            "A counter of the different responses hook has responded to webhooks with",
            self.responses.clone(),
        );
        registry.register(
            "prow_webhook_redeliveries",
            "A counter of the webhooks received again with an X-GitHub-Delivery already handled",
            self.redeliveries.clone(),
        );
    }

    /// These metrics alone in the text format (see [`METRICS_CONTENT_TYPE`]).
    pub fn encode(&self) -> String {
        let mut registry = Registry::default();
        self.register(&mut registry);
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &registry);
        text
    }

    /// Counts a webhook whose signature was valid.
    pub(crate) fn webhook(&self, event_type: &str) {
        self.webhooks
            .get_or_create(&[("event_type", event_type.to_owned())])
            .inc();
    }

    /// Counts a response.
    pub(crate) fn response(&self, code: u16) {
        self.responses
            .get_or_create(&[("response_code", code.to_string())])
            .inc();
    }

    /// Counts a redelivery.
    pub(crate) fn redelivery(&self, event_type: &str) {
        self.redeliveries
            .get_or_create(&[("event_type", event_type.to_owned())])
            .inc();
    }

    /// `prow_webhook_counter{event_type}`: webhooks of this type whose signature was valid.
    pub fn webhooks(&self, event_type: &str) -> u64 {
        get(&self.webhooks, ("event_type", event_type))
    }

    /// `prow_webhook_response_codes{response_code}`: responses with this status code.
    pub fn responses(&self, code: u16) -> u64 {
        get(&self.responses, ("response_code", &code.to_string()))
    }

    /// `prow_webhook_redeliveries{event_type}`: deliveries of this type seen again.
    pub fn redeliveries(&self, event_type: &str) -> u64 {
        get(&self.redeliveries, ("event_type", event_type))
    }
}

fn get(family: &Family<Labels, BareCounter>, (key, value): (&'static str, &str)) -> u64 {
    family
        .get(&[(key, value.to_owned())])
        .map_or(0, |counter| counter.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_keep_prows_names() {
        let metrics = Metrics::new();
        metrics.webhook("issue_comment");
        metrics.webhook("issue_comment");
        metrics.response(200);
        metrics.redelivery("push");
        let text = metrics.encode();
        for line in [
            "prow_webhook_counter{event_type=\"issue_comment\"} 2\n",
            "prow_webhook_response_codes{response_code=\"200\"} 1\n",
            "prow_webhook_redeliveries{event_type=\"push\"} 1\n",
            "# HELP prow_webhook_counter A counter of the webhooks made to prow.\n",
        ] {
            assert!(text.contains(line), "{line} missing from\n{text}");
        }
        assert!(!text.contains("_total"), "{text}");
        assert_eq!(metrics.webhooks("issue_comment"), 2);
        assert_eq!(metrics.responses(404), 0);
        assert_eq!(metrics.clone().redeliveries("push"), 1);
    }
}
