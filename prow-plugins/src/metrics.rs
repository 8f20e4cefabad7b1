//! The hook's plugin metrics under upstream Prow's names and labels, so existing dashboards keep
//! working: `prow_plugin_handle_duration_seconds` and `prow_plugin_handle_errors`.
//!
//! Both are labelled `event_type` (the `X-GitHub-Event` header), `action` (the payload's action;
//! `none` for `push` and `status`; the generic action for generic comment calls), `plugin` and
//! `took_action` (`true` when the plugin made a call that changes something on GitHub).

use prometheus_client::encoding::{EncodeMetric, MetricEncoder};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::metrics::{MetricType, TypedMetric};
use prometheus_client::registry::Registry;

/// The buckets of `prow_plugin_handle_duration_seconds`, in seconds (upstream's).
pub const HANDLE_DURATION_BUCKETS: [f64; 17] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 40.0, 80.0, 160.0, 320.0,
    640.0,
];

/// A counter exposed under its own name.
///
/// OpenMetrics names a counter's sample `<name>_total`; Prow's Go client exposes
/// `prow_plugin_handle_errors` as is, and dashboards query that name. This counter is typed
/// `unknown` so its sample keeps the bare name (PromQL's `rate()` works on it all the same).
#[derive(Clone, Debug, Default)]
struct BareCounter(Counter);

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

/// `event_type`, `action`, `plugin`, `took_action`, in that order.
type Labels = [(&'static str, String); 4];

fn labels(event_type: &str, action: &str, plugin: &str, took_action: bool) -> Labels {
    [
        ("event_type", event_type.to_owned()),
        ("action", action.to_owned()),
        ("plugin", plugin.to_owned()),
        ("took_action", took_action.to_string()),
    ]
}

fn new_histogram() -> Histogram {
    Histogram::new(HANDLE_DURATION_BUCKETS)
}

/// The dispatcher's metrics. Clones share their values.
#[derive(Clone, Debug)]
pub struct Metrics {
    durations: Family<Labels, Histogram, fn() -> Histogram>,
    errors: Family<Labels, BareCounter>,
    /// The histograms' counts (not exposed: the histogram's `_count` is), for [`Metrics::handled`].
    calls: Family<Labels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            durations: Family::new_with_constructor(new_histogram),
            errors: Family::default(),
            calls: Family::default(),
        }
    }
}

impl Metrics {
    /// Fresh metrics, all empty.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the metrics to `registry` (to serve them with the rest of the binary's, next to
    /// the intake's `prow_webhook_counter`).
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "prow_plugin_handle_duration_seconds",
            "How long Prow took to handle an event by plugin, event type and action",
            self.durations.clone(),
        );
        registry.register(
            "prow_plugin_handle_errors",
            "Prow errors handling an event by plugin, event type and action",
            self.errors.clone(),
        );
    }

    /// These metrics alone, in the OpenMetrics text format.
    pub fn encode(&self) -> String {
        let mut registry = Registry::default();
        self.register(&mut registry);
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &registry);
        text
    }

    /// Records one plugin call: how long it took and whether it failed.
    pub fn observe(
        &self,
        event_type: &str,
        action: &str,
        plugin: &str,
        took_action: bool,
        seconds: f64,
        failed: bool,
    ) {
        let labels = labels(event_type, action, plugin, took_action);
        if failed {
            self.errors.get_or_create(&labels).0.inc();
        }
        self.durations.get_or_create(&labels).observe(seconds);
        self.calls.get_or_create(&labels).inc();
    }

    /// `prow_plugin_handle_errors`: failed calls with these labels.
    pub fn handle_errors(
        &self,
        event_type: &str,
        action: &str,
        plugin: &str,
        took_action: bool,
    ) -> u64 {
        self.errors
            .get(&labels(event_type, action, plugin, took_action))
            .map_or(0, |counter| counter.0.get())
    }

    /// The count of `prow_plugin_handle_duration_seconds`: calls with these labels.
    pub fn handled(&self, event_type: &str, action: &str, plugin: &str, took_action: bool) -> u64 {
        self.calls
            .get(&labels(event_type, action, plugin, took_action))
            .map_or(0, |counter| counter.get())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_keep_prows_names_and_labels() {
        let metrics = Metrics::new();
        metrics.observe("issue_comment", "created", "lgtm", true, 0.02, false);
        metrics.observe("issue_comment", "created", "lgtm", true, 0.5, true);
        metrics.observe("push", "none", "size", false, 700.0, false);
        let text = metrics.encode();
        for line in [
            "# HELP prow_plugin_handle_duration_seconds How long Prow took to handle an event by plugin, event type and action.\n",
            "# TYPE prow_plugin_handle_duration_seconds histogram\n",
            "prow_plugin_handle_duration_seconds_count{event_type=\"issue_comment\",action=\"created\",plugin=\"lgtm\",took_action=\"true\"} 2\n",
            "prow_plugin_handle_duration_seconds_bucket{le=\"0.025\",event_type=\"issue_comment\",action=\"created\",plugin=\"lgtm\",took_action=\"true\"} 1\n",
            "prow_plugin_handle_duration_seconds_bucket{le=\"640.0\",event_type=\"push\",action=\"none\",plugin=\"size\",took_action=\"false\"} 0\n",
            "prow_plugin_handle_errors{event_type=\"issue_comment\",action=\"created\",plugin=\"lgtm\",took_action=\"true\"} 1\n",
        ] {
            assert!(text.contains(line), "{line} missing from\n{text}");
        }
        assert!(!text.contains("prow_plugin_handle_errors_total"), "{text}");
        assert_eq!(
            metrics.handle_errors("issue_comment", "created", "lgtm", true),
            1
        );
        assert_eq!(metrics.handle_errors("push", "none", "size", false), 0);
        assert_eq!(
            metrics
                .clone()
                .handled("issue_comment", "created", "lgtm", true),
            2
        );
        assert_eq!(
            metrics.handled("issue_comment", "created", "lgtm", false),
            0
        );
    }
}
