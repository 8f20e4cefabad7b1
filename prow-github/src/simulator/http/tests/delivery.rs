//! Webhook delivery: into hook's real intake (signatures verify, events arrive in order), and
//! failures kept and redeliverable.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use prow_core::traits::Delivery;
use tokio::net::TcpListener;

use super::super::super::tests::{BOT, open_pr, repo, world};
use super::super::{HookTarget, WebhookDeliverer};
use crate::hook::{HmacSecrets, Intake, Metrics};

/// Serves `router` on a free loopback port.
async fn serve_router(router: Router) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    addr
}

/// An intake verifying with `secret`, and what its sink received: (event type, delivery ID).
async fn intake(secret: &str) -> (SocketAddr, Arc<Mutex<Vec<(String, String)>>>, Metrics) {
    let received = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&received);
    let sink = tower::service_fn(move |delivery: Delivery| {
        seen.lock()
            .unwrap()
            .push((delivery.event_type.clone(), delivery.id.clone()));
        async { Ok::<_, Infallible>(()) }
    });
    let secrets = Arc::new(HmacSecrets::from_token(secret));
    let built = Intake::builder(secrets).build(sink);
    let metrics = built.metrics().clone();
    let addr = serve_router(built.router()).await;
    (addr, received, metrics)
}

#[tokio::test]
async fn webhooks_reach_the_intake_signed_and_in_order() {
    let (addr, received, metrics) = intake("s3cret").await;
    let sim = world();
    sim.take_webhooks();
    let deliverer = WebhookDeliverer::start(
        &sim,
        HookTarget::new(format!("http://{addr}/hook"), "s3cret"),
    );
    let pr = open_pr(&sim, "alice", "feature", "a.txt");
    sim.comment_as("bob", &repo(), pr, "/lgtm").unwrap();
    sim.add_label_as(BOT, &repo(), pr, "lgtm").unwrap();
    sim.push_as(BOT, &repo(), "master", [("b.txt", "b\n")], "push")
        .unwrap();
    sim.merge_as(BOT, &repo(), pr, &Default::default()).unwrap();
    deliverer.flush().await;

    let sent: Vec<(String, String)> = sim
        .take_webhooks()
        .iter()
        .map(|w| (w.event_type.clone(), w.delivery_id.clone()))
        .collect();
    assert!(sent.len() >= 6, "{sent:?}");
    let records = deliverer.deliveries();
    let delivered: Vec<(String, String)> = records
        .iter()
        .map(|r| (r.event_type().to_owned(), r.delivery_id().to_owned()))
        .collect();
    assert_eq!(delivered, sent, "every webhook, in order");
    assert!(
        records
            .iter()
            .all(|r| r.status == Some(200) && r.delivered())
    );
    assert!(deliverer.failures().is_empty());
    assert_eq!(
        *received.lock().unwrap(),
        sent,
        "the intake verified and parsed each"
    );
    assert_eq!(metrics.responses(200), sent.len() as u64);

    // Redelivery: the same ID and body; the intake acknowledges it without dispatching.
    let first = records[0].delivery_id().to_owned();
    let again = deliverer.redeliver(&first).await.unwrap();
    assert_eq!(again.status, Some(200));
    assert_eq!(again.delivery_id(), first);
    assert_eq!(received.lock().unwrap().len(), sent.len());
    assert!(deliverer.redeliver("no-such-delivery").await.is_none());
    let all = deliverer.stop().await;
    assert_eq!(all.len(), sent.len() + 1);
}

#[tokio::test]
async fn deliveries_carry_githubs_headers() {
    let seen: Arc<Mutex<Vec<HeaderMap>>> = Arc::default();
    let capture = Arc::clone(&seen);
    let router = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap| {
            let capture = Arc::clone(&capture);
            async move {
                capture.lock().unwrap().push(headers);
                StatusCode::OK
            }
        }),
    );
    let addr = serve_router(router).await;
    let sim = world();
    sim.set_installation_id(Some(42));
    let deliverer = WebhookDeliverer::start(
        &sim,
        HookTarget {
            hook_id: 7,
            ..HookTarget::new(format!("http://{addr}/hook"), "s3cret")
        },
    );
    sim.comment_as("bob", &repo(), open_pr(&sim, "alice", "x", "x.txt"), "hi")
        .unwrap();
    deliverer.flush().await;
    let webhooks = sim.take_webhooks();
    let headers = seen.lock().unwrap().clone();
    assert_eq!(headers.len(), webhooks.len());
    for (headers, webhook) in headers.iter().zip(&webhooks) {
        let get = |name: &str| headers.get(name).unwrap().to_str().unwrap().to_owned();
        assert_eq!(get("x-github-event"), webhook.event_type);
        assert_eq!(get("x-github-delivery"), webhook.delivery_id);
        assert_eq!(
            get("x-hub-signature-256"),
            crate::hook::payload_signature(&webhook.body(), b"s3cret")
        );
        assert_eq!(get("content-type"), "application/json");
        assert!(get("user-agent").starts_with("GitHub-Hookshot/"));
        assert_eq!(get("x-github-hook-id"), "7");
        assert_eq!(get("x-github-hook-installation-target-type"), "integration");
        assert_eq!(get("x-github-hook-installation-target-id"), "42");
    }
}

#[tokio::test]
async fn failures_are_kept_and_delivery_goes_on() {
    // A hook that fails its first answer, then takes everything.
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let router = Router::new().route(
        "/hook",
        post(move || {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            async move {
                if n == 0 {
                    (StatusCode::INTERNAL_SERVER_ERROR, "boom")
                } else {
                    (StatusCode::OK, "ok")
                }
            }
        }),
    );
    let flaky = serve_router(router).await;
    // An address nobody listens on.
    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap()
    };
    let (wrong_secret, received, _) = intake("other").await;

    let sim = world();
    let to_flaky =
        WebhookDeliverer::start(&sim, HookTarget::new(format!("http://{flaky}/hook"), "s"));
    let to_closed =
        WebhookDeliverer::start(&sim, HookTarget::new(format!("http://{closed}/hook"), "s"));
    let to_wrong = WebhookDeliverer::start(
        &sim,
        HookTarget::new(format!("http://{wrong_secret}/hook"), "s3cret"),
    );
    let bad_url = WebhookDeliverer::start(&sim, HookTarget::new("https://example.invalid/", "s"));
    let pr = open_pr(&sim, "alice", "feature", "a.txt");
    sim.comment_as("bob", &repo(), pr, "one").unwrap();
    sim.comment_as("bob", &repo(), pr, "two").unwrap();
    let sent = sim.take_webhooks().len();
    for deliverer in [&to_flaky, &to_closed, &to_wrong, &bad_url] {
        deliverer.flush().await;
        assert_eq!(deliverer.deliveries().len(), sent, "{deliverer:?}");
    }

    assert_eq!(
        to_flaky.statuses(),
        [Some(500), Some(200), Some(200)][..sent].to_vec()
    );
    let failed = to_flaky.failures();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].response, "boom");
    assert!(failed[0].error.as_deref().unwrap().contains("500"));
    let retried = to_flaky.redeliver(failed[0].delivery_id()).await.unwrap();
    assert!(retried.delivered());

    assert!(to_closed.statuses().iter().all(Option::is_none));
    assert!(
        to_closed.failures()[0]
            .error
            .as_deref()
            .unwrap()
            .contains("connecting")
    );
    assert!(to_wrong.statuses().iter().all(|s| *s == Some(403)));
    assert!(received.lock().unwrap().is_empty());
    assert!(
        bad_url.failures()[0]
            .error
            .as_deref()
            .unwrap()
            .contains("plain http")
    );
}

#[tokio::test]
async fn a_silent_hook_times_out() {
    let router = Router::new().route(
        "/hook",
        post(|| async {
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
            StatusCode::OK
        }),
    );
    let addr = serve_router(router).await;
    let sim = world();
    let deliverer = WebhookDeliverer::start(
        &sim,
        HookTarget {
            timeout: Some(std::time::Duration::from_millis(50)),
            ..HookTarget::new(format!("http://{addr}/hook"), "s")
        },
    );
    sim.comment_as("bob", &repo(), open_pr(&sim, "alice", "x", "x.txt"), "hi")
        .unwrap();
    deliverer.flush().await;
    let failures = deliverer.failures();
    assert!(!failures.is_empty());
    assert!(failures[0].error.as_deref().unwrap().contains("no answer"));
}
