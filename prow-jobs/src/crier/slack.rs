//! Crier's Slack reporter (`slackreporter`): posts a message rendered from the job's report
//! template to the channel `slack_reporter_configs` and the job's `reporter_config.slack` name.
//!
//! As upstream, each Slack host (workspace; `*` by default) has a bot token, and messages go to
//! `chat.postMessage` as the `prow` user with the `:prow:` icon. A host may instead have an
//! incoming-webhook URL, which gets the same message as JSON.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use http::header::{CONTENT_TYPE, RETRY_AFTER};
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use prow_core::config::prow::{
    DEFAULT_SLACK_REPORT_TEMPLATE, ProwConfig, SlackReporter as SlackConfig,
};
use prow_core::prowjob::{ProwJob, SlackReporterConfig};
use prow_core::traits::{ReportOutcome, Reporter, ReporterError};
use serde::Serialize;
use tracing::debug;

use super::ConfigGetter;
use super::template::render_report_template;

/// The reporter's name, its key in `status.prev_report_states` (upstream's).
pub const SLACK_REPORTER_NAME: &str = "slackreporter";

/// The host a config that names none posts to (upstream's `DefaultHostName`).
pub const DEFAULT_HOST_NAME: &str = "*";

/// Slack's `chat.postMessage` method, where token hosts post.
pub const CHAT_POST_MESSAGE_URL: &str = "https://slack.com/api/chat.postMessage";

/// The name messages are posted as.
pub const BOT_NAME: &str = "prow";

/// The icon messages are posted with.
pub const BOT_ICON_EMOJI: &str = ":prow:";

/// How long to wait on a 429 that names no time.
const DEFAULT_RATE_LIMIT_WAIT: Duration = Duration::from_secs(60);

/// Bytes Go's `url.QueryEscape` escapes: all but ASCII letters, digits and `-_.~`.
const QUERY_ESCAPE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A secret (a Slack token or webhook URL) that never shows in logs or `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct SlackSecret(String);

impl SlackSecret {
    /// A secret held in memory.
    pub fn new(secret: impl Into<String>) -> Self {
        SlackSecret(secret.into())
    }

    /// A secret read from a file (a mounted Kubernetes secret), without surrounding
    /// whitespace, as upstream's secret agent reads it.
    pub fn from_file(path: impl AsRef<Path>) -> std::io::Result<Self> {
        Ok(SlackSecret(
            std::fs::read_to_string(path)?.trim().to_owned(),
        ))
    }

    fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SlackSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SlackSecret(<redacted>)")
    }
}

/// How crier posts to one Slack host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SlackCredential {
    /// A bot token: messages go to `chat.postMessage` (upstream's `--slack-token-file` and
    /// `--additional-slack-token-files host=path`).
    Token(SlackSecret),
    /// An incoming-webhook URL: messages are POSTed to it as JSON.
    Webhook(SlackSecret),
}

/// What went wrong building the Slack reporter.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SlackError {
    /// The TLS setup failed.
    #[error("cannot set up TLS for Slack: {0}")]
    Tls(#[from] rustls::Error),
}

type HttpClient = Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>;

/// Reports jobs to Slack.
///
/// Configuration read: `slack_reporter_configs` (the entry for the job's `org/repo`, else its
/// `org`, else `*`; the job's `spec.refs`, or its first `extra_refs`) with its
/// `job_types_to_report`, `job_states_to_report`, `channel`, `host`, `report` and
/// `report_template`, under the job's `reporter_config.slack`, whose fields win. A job is
/// reported when its state is in the merged `job_states_to_report` (and `report` is not
/// false), and its type is in `job_types_to_report` or the job names its own channel. An
/// empty template is upstream's default,
/// [`DEFAULT_SLACK_REPORT_TEMPLATE`].
pub struct SlackReporter {
    config: ConfigGetter,
    hosts: BTreeMap<String, SlackCredential>,
    api_url: String,
    timeout: Duration,
    http: HttpClient,
}

impl fmt::Debug for SlackReporter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SlackReporter")
            .field("hosts", &self.hosts)
            .field("api_url", &self.api_url)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl SlackReporter {
    /// A reporter with a fixed configuration and no host yet (add them with
    /// [`SlackReporter::with_host`]).
    pub fn new(config: Arc<ProwConfig>) -> Result<Self, SlackError> {
        Self::with_config_getter(Arc::new(move || Arc::clone(&config)))
    }

    /// A reporter that reads the configuration from `config` on every job.
    pub fn with_config_getter(config: ConfigGetter) -> Result<Self, SlackError> {
        Ok(SlackReporter {
            config,
            hosts: BTreeMap::new(),
            api_url: CHAT_POST_MESSAGE_URL.to_owned(),
            timeout: Duration::from_secs(30),
            http: http_client()?,
        })
    }

    /// Posts messages for `host` (`*` for configs that name none) with `credential`.
    pub fn with_host(mut self, host: impl Into<String>, credential: SlackCredential) -> Self {
        self.hosts.insert(host.into(), credential);
        self
    }

    /// Posts token hosts' messages to this URL instead of Slack's `chat.postMessage`.
    pub fn with_api_url(mut self, url: impl Into<String>) -> Self {
        self.api_url = url.into();
        self
    }

    /// Gives up on a post after this long (default 30s); crier retries it.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The `slack_reporter_configs` entry for the job, and the job's own Slack settings.
    fn configs(&self, job: &ProwJob) -> (SlackConfig, Option<SlackReporterConfig>) {
        let config = (self.config)();
        let refs = job.spec.refs.as_ref().or(job.spec.extra_refs.first());
        let global = match refs {
            Some(r) => config
                .slack_reporter_configs
                .get_slack_reporter(&r.org, &r.repo),
            None => config.slack_reporter_configs.0.get("*"),
        };
        let job_config = job
            .spec
            .reporter_config
            .as_ref()
            .and_then(|c| c.slack.clone());
        (global.cloned().unwrap_or_default(), job_config)
    }

    async fn post(&self, credential: &SlackCredential, channel: &str, text: &str) -> Posted {
        let request = match credential {
            SlackCredential::Token(token) => {
                let form = [
                    ("channel", channel),
                    ("icon_emoji", BOT_ICON_EMOJI),
                    ("text", text),
                    ("token", token.expose()),
                    ("username", BOT_NAME),
                ];
                Request::builder()
                    .method(Method::POST)
                    .uri(&self.api_url)
                    .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Full::new(Bytes::from(go_form_encode(&form))))
            }
            SlackCredential::Webhook(url) => {
                let payload = WebhookMessage {
                    channel,
                    text,
                    username: BOT_NAME,
                    icon_emoji: BOT_ICON_EMOJI,
                };
                let body = serde_json::to_vec(&payload).unwrap_or_default();
                Request::builder()
                    .method(Method::POST)
                    .uri(url.expose())
                    .header(CONTENT_TYPE, "application/json")
                    .body(Full::new(Bytes::from(body)))
            }
        };
        let request = match request {
            Ok(r) => r,
            Err(e) => return Posted::Failed(format!("invalid Slack URL: {e}")),
        };
        let reply = match tokio::time::timeout(self.timeout, async {
            let response = self.http.request(request).await?;
            let status = response.status();
            let retry_after = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            let body = response.into_body().collect().await?.to_bytes();
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>((status, retry_after, body))
        })
        .await
        {
            Err(_) => return Posted::Failed(format!("no reply within {:?}", self.timeout)),
            Ok(Err(e)) => return Posted::Failed(e.to_string()),
            Ok(Ok(reply)) => reply,
        };
        let (status, retry_after, body) = reply;
        if status == StatusCode::TOO_MANY_REQUESTS {
            return Posted::RateLimited(
                retry_after
                    .map(Duration::from_secs)
                    .unwrap_or(DEFAULT_RATE_LIMIT_WAIT),
            );
        }
        match credential {
            SlackCredential::Token(_) => {
                #[derive(serde::Deserialize)]
                struct ApiResponse {
                    #[serde(default)]
                    ok: bool,
                    #[serde(default)]
                    error: String,
                }
                let api: ApiResponse = match serde_json::from_slice(&body) {
                    Ok(api) => api,
                    Err(e) => {
                        return Posted::Failed(format!(
                            "API returned invalid JSON ({:?}): {e}",
                            String::from_utf8_lossy(&body)
                        ));
                    }
                };
                if status != StatusCode::OK || !api.ok {
                    return Posted::Failed(format!("request failed: {}", api.error));
                }
            }
            SlackCredential::Webhook(_) => {
                if !status.is_success() {
                    return Posted::Failed(format!(
                        "request failed: {status}: {}",
                        String::from_utf8_lossy(&body).trim()
                    ));
                }
            }
        }
        Posted::Ok
    }
}

/// How a post went.
enum Posted {
    Ok,
    RateLimited(Duration),
    Failed(String),
}

/// An incoming webhook's message.
#[derive(Serialize)]
struct WebhookMessage<'a> {
    #[serde(skip_serializing_if = "str::is_empty")]
    channel: &'a str,
    text: &'a str,
    username: &'a str,
    icon_emoji: &'a str,
}

/// The form body Go's `url.Values.Encode` writes: keys in order, values query-escaped.
fn go_form_encode(pairs: &[(&str, &str)]) -> String {
    let escape = |s: &str| {
        utf8_percent_encode(s, QUERY_ESCAPE)
            .to_string()
            .replace("%20", "+")
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", escape(k), escape(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The slack config of a `slack_reporter_configs` entry, in the job-level form.
fn as_job_config(global: &SlackConfig) -> SlackReporterConfig {
    SlackReporterConfig {
        host: global.host.clone(),
        channel: global.channel.clone(),
        job_states_to_report: (!global.job_states_to_report.is_empty())
            .then(|| global.job_states_to_report.clone()),
        report_template: global.report_template.clone(),
        report: global.report,
    }
}

fn merged(global: &SlackConfig, job: Option<&SlackReporterConfig>) -> SlackReporterConfig {
    let global = as_job_config(global);
    match job {
        Some(job) => job.apply_default(&global),
        None => global,
    }
}

#[async_trait]
impl Reporter for SlackReporter {
    fn name(&self) -> &str {
        SLACK_REPORTER_NAME
    }

    fn should_report(&self, job: &ProwJob) -> bool {
        let (global, job_config) = self.configs(job);
        let type_should_report = job
            .spec
            .type_
            .as_ref()
            .is_some_and(|t| global.job_types_to_report.contains(t));
        // A job that names its own channel is reported whatever its type.
        let job_should_report = job_config.as_ref().is_some_and(|c| !c.channel.is_empty());
        let merged = merged(&global, job_config.as_ref());
        let Some(states) = &merged.job_states_to_report else {
            return false;
        };
        if merged.report == Some(false) {
            debug!("skip slack reporting as 'report: false'");
            return false;
        }
        let state_should_report = job
            .status
            .state
            .as_ref()
            .is_some_and(|s| states.contains(s));
        state_should_report && (type_should_report || job_should_report)
    }

    async fn report(&self, job: &ProwJob) -> Result<ReportOutcome, ReporterError> {
        let (global, job_config) = self.configs(job);
        let merged = merged(&global, job_config.as_ref());
        let host = if merged.host.is_empty() {
            DEFAULT_HOST_NAME
        } else {
            merged.host.as_str()
        };
        let Some(credential) = self.hosts.get(host) else {
            return Err(ReporterError::Invalid(format!(
                "host '{host}' not supported"
            )));
        };
        let template = if merged.report_template.is_empty() {
            DEFAULT_SLACK_REPORT_TEMPLATE
        } else {
            merged.report_template.as_str()
        };
        let text = render_report_template("", template, job).map_err(|e| {
            let what = match e.kind {
                prow_core::gotmpl::ErrorKind::Parse => "failed to parse template",
                prow_core::gotmpl::ErrorKind::Exec => "failed to execute report template",
            };
            ReporterError::Invalid(format!("{what}: {e}"))
        })?;
        match self.post(credential, &merged.channel, &text).await {
            Posted::Ok => Ok(ReportOutcome::Reported),
            Posted::RateLimited(wait) => Ok(ReportOutcome::RetryAfter(wait)),
            Posted::Failed(err) => Err(ReporterError::Failed(format!(
                "failed to write Slack message: failed to post message to {}: {err}",
                merged.channel
            ))),
        }
    }
}

/// The hyper client with rustls (ring) and the machine's root certificates; plain `http://`
/// is allowed (a proxy or a test server on loopback).
fn http_client() -> Result<HttpClient, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = match hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_native_roots(provider.clone())
    {
        Ok(builder) => builder,
        Err(err) => {
            tracing::warn!(%err, "no root certificates found; HTTPS to Slack will fail");
            let config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()?
                .with_root_certificates(rustls::RootCertStore::empty())
                .with_no_client_auth();
            hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(config)
        }
    };
    let connector = builder.https_or_http().enable_http1().build();
    Ok(Client::builder(hyper_util::rt::TokioExecutor::new()).build(connector))
}

#[cfg(test)]
mod tests;
