//! Hook's front door: the webhook intake. It verifies each GitHub delivery (method, headers,
//! `X-Hub-Signature-256` HMAC against the secret file, body size) in upstream Prow's order and
//! with its replies, parses it into a [`prow_core::event::Event`], and hands it to a sink.
//!
//! - [`HmacSecrets`] reads `--hmac-secret-file` in both of Prow's forms (one token, or
//!   `org/repo` | `org` | `*` mapped to rotating token lists) and re-reads it on demand;
//! - [`Intake`] is the `tower::Service` for `POST /hook` ([`Intake::router`] mounts it),
//!   handing each delivery to any `tower::Service<Delivery>`;
//! - [`Metrics`] counts under Prow's metric names.
//!
//! ```
//! use std::convert::Infallible;
//! use std::sync::Arc;
//!
//! use axum::body::Body;
//! use axum::http::Request;
//! use prow_core::traits::Delivery;
//! use prow_github::hook::{ACCEPTED_RESPONSE, HmacSecrets, Intake, payload_signature};
//! use tower::ServiceExt;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let secrets = Arc::new(HmacSecrets::from_token("s3cret"));
//! let sink = tower::service_fn(|delivery: Delivery| async move {
//!     assert_eq!(delivery.event.event_type(), "ping");
//!     Ok::<_, Infallible>(())
//! });
//! let intake = Intake::builder(secrets).build(sink);
//!
//! let body = r#"{"zen": "Keep it logically awesome."}"#;
//! let request = Request::post("/hook")
//!     .header("X-GitHub-Event", "ping")
//!     .header("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958")
//!     .header("X-Hub-Signature-256", payload_signature(body.as_bytes(), b"s3cret"))
//!     .header("Content-Type", "application/json")
//!     .body(Body::from(body))
//!     .unwrap();
//! let response = intake.clone().oneshot(request).await.unwrap();
//! assert_eq!(response.status(), 200);
//! assert_eq!(intake.metrics().webhooks("ping"), 1);
//!
//! // In a binary: axum::serve(listener, intake.router()).await
//! # let _ = ACCEPTED_RESPONSE; }
//! ```
//!
//! # Fuzzing
//!
//! `fuzz/` holds a cargo-fuzz target that feeds arbitrary event types and bodies to
//! [`Event::parse`](prow_core::event::Event::parse), and arbitrary bytes to the secret-file and
//! signature parsers. From `prow-github/`, with a nightly toolchain and `cargo install
//! cargo-fuzz`: `cargo +nightly fuzz run webhook_parse`.

mod metrics;
mod recent;
mod secret;
mod server;
mod signature;

pub use metrics::{BareCounter, METRICS_CONTENT_TYPE, Metrics};
pub use secret::{
    GLOBAL_KEY, HmacConfig, HmacSecrets, HmacToken, Secret, SecretFileError, SecretProblem,
};
pub use server::{
    ACCEPTED_RESPONSE, DEFAULT_BODY_LIMIT, DEFAULT_REMEMBERED_DELIVERIES, DELIVERY_HEADER,
    EVENT_HEADER, HOOK_PATH, Intake, IntakeBuilder, Redeliveries,
};
pub use signature::{
    SIGNATURE_HEADER, SignatureError, parse_signature, payload_signature, signed_by_any, verify,
};
