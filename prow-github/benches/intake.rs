//! Signed `issue_comment` deliveries per second through the webhook intake, called in-process
//! as a tower service (headers, HMAC, parse, hand-off to a no-op sink), against the floor: the
//! HMAC check and `serde_json::from_slice::<serde_json::Value>` of the same payload alone.
//! Target (DESIGN.md §7): the intake reaches at least half of the floor.
//!
//! `cargo bench --bench intake`

use std::convert::Infallible;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use bytes::Bytes;
use hmac::{Hmac, Mac};
use prow_core::traits::Delivery;
use prow_github::hook::{HmacSecrets, Intake, payload_signature};
use sha2::Sha256;
use tower::{Service, ServiceExt};

const KEY: &[u8] = b"0123456789abcdef0123456789abcdef01234567";
const ROUND: Duration = Duration::from_secs(2);
const ROUNDS: usize = 3;

/// Runs `step` repeatedly for about [`ROUND`]; returns calls per second.
fn rate(mut step: impl FnMut(u64)) -> f64 {
    for i in 0..1_000 {
        step(i);
    }
    let start = Instant::now();
    let mut done = 0u64;
    while start.elapsed() < ROUND {
        for _ in 0..256 {
            step(done);
            done += 1;
        }
    }
    done as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let pretty = include_bytes!("../tests/fixtures/issue_comment.json");
    let value: serde_json::Value = serde_json::from_slice(pretty).expect("fixture is JSON");
    let payload = Bytes::from(serde_json::to_vec(&value).expect("serializes"));
    let signature = payload_signature(&payload, KEY);

    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    let sink = tower::service_fn(|delivery: Delivery| async move {
        black_box(delivery);
        Ok::<_, Infallible>(())
    });
    let mut intake = Intake::builder(Arc::new(HmacSecrets::from_token(KEY))).build(sink);

    let mut intake_step = |i: u64| {
        let request = Request::post("/hook")
            .header("X-GitHub-Event", "issue_comment")
            .header("X-GitHub-Delivery", format!("d3f1c0de-{i:016x}"))
            .header("X-Hub-Signature-256", signature.as_str())
            .header("Content-Type", "application/json")
            .header("Content-Length", payload.len())
            .body(Body::from(payload.clone()))
            .expect("a request");
        let response = runtime.block_on(async {
            ServiceExt::<Request<Body>>::ready(&mut intake)
                .await
                .expect("ready");
            intake.call(request).await.expect("infallible")
        });
        assert_eq!(response.status(), 200);
        black_box(response);
    };

    let floor_step = |_: u64| {
        let digits = signature.strip_prefix("sha256=").expect("prefix");
        let expected = hex::decode(digits).expect("hex");
        let mut mac = Hmac::<Sha256>::new_from_slice(KEY).expect("any key");
        mac.update(black_box(&payload));
        mac.verify_slice(&expected).expect("valid");
        let parsed: serde_json::Value = serde_json::from_slice(black_box(&payload)).expect("JSON");
        black_box(parsed);
    };
    let mut floor_step = floor_step;

    let (mut best_intake, mut best_floor) = (0f64, 0f64);
    for _ in 0..ROUNDS {
        best_floor = best_floor.max(rate(&mut floor_step));
        best_intake = best_intake.max(rate(&mut intake_step));
    }
    println!(
        "payload: signed issue_comment, {} bytes; best of {ROUNDS} rounds of {}s each",
        payload.len(),
        ROUND.as_secs()
    );
    println!(
        "floor  (HMAC verify + serde_json::Value parse): {best_floor:>10.0} deliveries/s ({:.1} us each)",
        1e6 / best_floor
    );
    println!(
        "intake (headers + HMAC + typed parse + sink):   {best_intake:>10.0} deliveries/s ({:.1} us each)",
        1e6 / best_intake
    );
    let ratio = best_intake / best_floor;
    println!(
        "intake / floor: {:.0}% (target >= 50%: {})",
        ratio * 100.0,
        if ratio >= 0.5 { "met" } else { "NOT met" }
    );
}
