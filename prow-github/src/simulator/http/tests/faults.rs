//! Paging and `Link`, `ETag`/304, the rate-limit headers, and the fault knobs over HTTP.

use std::time::Duration;

use axum::http::Method;
use serde_json::json;

use super::super::super::tests::{BOT, repo};
use super::super::super::{Faults, PrimaryRateLimit, SecondaryRateLimit};
use super::super::HttpOptions;
use super::{Http, error_message, http_world, serve, serve_with};

const R: &str = "/repos/kubernetes/test-infra";

/// The `(page, rel)` pairs of a `Link` header, checking each URL's other parameters.
fn links(header: Option<String>, base: &str, path: &str) -> Vec<(String, String)> {
    let Some(header) = header else {
        return Vec::new();
    };
    header
        .split(", ")
        .map(|link| {
            let (url, rel) = link.split_once(">; rel=\"").unwrap();
            let url = url.trim_start_matches('<');
            let rest = url
                .strip_prefix(&format!("{base}{path}?"))
                .unwrap_or_else(|| panic!("{url} is not under {base}{path}"));
            let page = rest
                .split('&')
                .find_map(|pair| pair.strip_prefix("page="))
                .unwrap()
                .to_owned();
            (page, rel.trim_end_matches('"').to_owned())
        })
        .collect()
}

#[tokio::test]
async fn lists_page_with_link_headers() {
    let (sim, fx) = http_world();
    for i in 1..75 {
        sim.comment_as("bob", &repo(), fx.issue, &format!("comment {i}"))
            .unwrap();
    }
    let server = serve(&sim).await;
    let http = Http::new(&server);
    let base = server.base_url();
    let path = format!("{R}/issues/{}/comments", fx.issue);

    let first = http.get(&path).await;
    assert_eq!(first.json().as_array().unwrap().len(), 30, "30 by default");
    assert_eq!(
        links(first.header("link"), &base, &path),
        [("2".into(), "next".into()), ("3".into(), "last".into())]
    );
    let second = http.get(&format!("{path}?per_page=30&page=2")).await;
    assert_eq!(second.json()[0]["body"], "comment 31");
    assert_eq!(
        links(second.header("link"), &base, &path),
        [
            ("3".into(), "next".into()),
            ("3".into(), "last".into()),
            ("1".into(), "first".into()),
            ("1".into(), "prev".into()),
        ]
    );
    assert!(second.header("link").unwrap().contains("per_page=30"));
    let last = http.get(&format!("{path}?page=3")).await;
    assert_eq!(last.json().as_array().unwrap().len(), 14);
    assert_eq!(
        links(last.header("link"), &base, &path),
        [("1".into(), "first".into()), ("2".into(), "prev".into())]
    );
    let all = http.get(&format!("{path}?per_page=500")).await;
    assert_eq!(
        all.json().as_array().unwrap().len(),
        74,
        "at most 100 a page"
    );
    assert_eq!(all.header("link"), None);
    let beyond = http.get(&format!("{path}?page=9")).await;
    assert_eq!(beyond.json().as_array().unwrap().len(), 0);

    // Search pages the same way, keeping its query.
    let search = "/search/issues";
    let reply = http
        .get(&format!("{search}?q=commenter%3Abob&per_page=1"))
        .await;
    let body = reply.json();
    assert_eq!(body["total_count"], 2);
    assert_eq!(body["items"].as_array().unwrap().len(), 1);
    let link = reply.header("link").unwrap();
    assert!(link.contains("q=commenter%3Abob"), "{link}");
    assert_eq!(
        links(Some(link), &base, search),
        [("2".into(), "next".into()), ("2".into(), "last".into())]
    );
    server.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn conditional_requests_get_304_and_cost_nothing() {
    let (sim, fx) = http_world();
    sim.set_faults(Faults {
        primary_rate_limit: Some(PrimaryRateLimit {
            limit: 10,
            window: Duration::from_secs(3600),
        }),
        ..Faults::default()
    });
    let server = serve(&sim).await;
    let http = Http::new(&server);
    let path = format!("{R}/issues/{}", fx.issue);
    let first = http.get(&path).await;
    assert_eq!(first.status, 200);
    let etag = first.header("etag").unwrap();
    assert!(etag.starts_with("W/\""), "{etag}");
    assert_eq!(first.header("x-ratelimit-remaining").as_deref(), Some("9"));

    let again = http
        .request(Method::GET, &path, None, &[("If-None-Match", &etag)])
        .await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), Some(etag.clone()));
    assert_eq!(
        again.header("x-ratelimit-remaining").as_deref(),
        Some("9"),
        "a 304 is not counted"
    );

    sim.edit_title_as("dave", &repo(), fx.issue, "Changed")
        .unwrap();
    let changed = http
        .request(Method::GET, &path, None, &[("If-None-Match", &etag)])
        .await;
    assert_eq!(changed.status, 200);
    assert_ne!(changed.header("etag"), Some(etag));
    assert_eq!(
        changed.header("x-ratelimit-remaining").as_deref(),
        Some("8")
    );

    // Writes carry no ETag.
    let posted = http
        .post(&format!("{path}/comments"), json!({"body": "hi"}))
        .await;
    assert_eq!(posted.status, 201);
    assert_eq!(posted.header("etag"), None);
    server.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn primary_rate_limit_is_a_403_with_headers() {
    let (sim, fx) = http_world();
    let now = sim.now().timestamp();
    sim.set_faults(Faults {
        primary_rate_limit: Some(PrimaryRateLimit {
            limit: 2,
            window: Duration::from_secs(60),
        }),
        ..Faults::default()
    });
    let server = serve(&sim).await;
    let http = Http::new(&server);
    let path = format!("{R}/issues/{}", fx.issue);
    for remaining in ["1", "0"] {
        let reply = http.get(&path).await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.header("x-ratelimit-limit").as_deref(), Some("2"));
        assert_eq!(
            reply.header("x-ratelimit-remaining").as_deref(),
            Some(remaining)
        );
        assert_eq!(
            reply.header("x-ratelimit-reset"),
            Some((now + 60).to_string())
        );
        assert_eq!(
            reply.header("x-ratelimit-resource").as_deref(),
            Some("core")
        );
    }
    let refused = http.get(&path).await;
    assert_eq!(refused.status, 403);
    let id = sim.user(BOT).unwrap().id;
    assert_eq!(
        error_message(&refused),
        format!("API rate limit exceeded for user ID {id}.")
    );
    assert_eq!(
        refused.header("x-ratelimit-remaining").as_deref(),
        Some("0")
    );
    assert_eq!(refused.header("retry-after"), None);

    tokio::time::advance(Duration::from_secs(30)).await;
    let later = http.get(&path).await;
    assert_eq!(later.status, 403);
    assert_eq!(
        later.header("x-ratelimit-reset"),
        Some((now + 30).to_string()),
        "the reset counts down in tokio time"
    );
    tokio::time::advance(Duration::from_secs(30)).await;
    let reset = http.get(&path).await;
    assert_eq!(reset.status, 200);
    assert_eq!(reset.header("x-ratelimit-remaining").as_deref(), Some("1"));
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn rate_limit_headers_without_a_limit() {
    let (sim, _) = http_world();
    let server = serve(&sim).await;
    let reply = Http::new(&server).get("/search/issues?q=is:pr").await;
    assert_eq!(reply.header("x-ratelimit-limit").as_deref(), Some("5000"));
    assert_eq!(
        reply.header("x-ratelimit-remaining").as_deref(),
        Some("5000")
    );
    assert_eq!(
        reply.header("x-ratelimit-resource").as_deref(),
        Some("search")
    );
    let reset: i64 = reply.header("x-ratelimit-reset").unwrap().parse().unwrap();
    assert_eq!(reset, sim.now().timestamp() + 3600);
    server.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn secondary_rate_limit_sends_retry_after() {
    for status in [403u16, 429] {
        let (sim, fx) = http_world();
        sim.set_faults(Faults {
            secondary_rate_limit: Some(SecondaryRateLimit {
                limit: 1,
                window: Duration::from_secs(60),
                retry_after: Duration::from_secs(30),
            }),
            ..Faults::default()
        });
        let options = HttpOptions {
            secondary_rate_limit_status: status,
            ..HttpOptions::default()
        };
        let server = serve_with(&sim, options).await;
        let http = Http::new(&server);
        let path = format!("{R}/issues/{}/comments", fx.issue);
        assert_eq!(http.post(&path, json!({"body": "one"})).await.status, 201);
        let refused = http.post(&path, json!({"body": "two"})).await;
        assert_eq!(refused.status, status);
        assert!(error_message(&refused).starts_with("You have exceeded a secondary rate limit"));
        assert_eq!(refused.header("retry-after").as_deref(), Some("30"));
        // Reads are not limited by it.
        assert_eq!(http.get(&path).await.status, 200);
        tokio::time::advance(Duration::from_secs(60)).await;
        assert_eq!(http.post(&path, json!({"body": "three"})).await.status, 201);
        assert_eq!(sim.comments(&repo(), fx.issue), ["one", "three"]);
        server.shutdown().await.unwrap();
    }
}

#[tokio::test]
async fn injected_failures_answer_their_status() {
    let (sim, fx) = http_world();
    sim.set_faults(Faults {
        fail_next: 1,
        failure_status: 503,
        methods: vec!["create_comment".into()],
        ..Faults::default()
    });
    let server = serve(&sim).await;
    let http = Http::new(&server);
    let path = format!("{R}/issues/{}/comments", fx.issue);
    assert_eq!(http.get(&path).await.status, 200, "other methods pass");
    let failed = http.post(&path, json!({"body": "x"})).await;
    assert_eq!(failed.status, 503);
    assert_eq!(
        error_message(&failed),
        "simulated failure of create_comment"
    );
    assert!(sim.take_calls().is_empty(), "refused calls are not logged");
    assert_eq!(http.post(&path, json!({"body": "x"})).await.status, 201);

    sim.set_faults(Faults {
        fail_every: 2,
        ..Faults::default()
    });
    let statuses: Vec<u16> = {
        let mut out = Vec::new();
        for _ in 0..4 {
            out.push(http.get(&path).await.status);
        }
        out
    };
    assert_eq!(statuses, [200, 502, 200, 502]);
    server.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn latency_delays_replies_in_tokio_time() {
    let (sim, fx) = http_world();
    sim.set_faults(Faults {
        latency: Duration::from_secs(5),
        ..Faults::default()
    });
    let server = serve(&sim).await;
    let http = Http::new(&server);
    let started = tokio::time::Instant::now();
    let reply = http.get(&format!("{R}/issues/{}", fx.issue)).await;
    assert_eq!(reply.status, 200);
    assert!(started.elapsed() >= Duration::from_secs(5));
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn requests_are_counted_like_the_in_memory_faces() {
    let (sim, fx) = http_world();
    let server = serve(&sim).await;
    let http = Http::new(&server);
    let before = sim.request_count();
    http.get(&format!("{R}/issues/{}", fx.issue)).await;
    http.get(&format!("{R}/labels")).await;
    http.get("/nowhere").await;
    assert_eq!(
        sim.request_count() - before,
        2,
        "unknown routes reach no client"
    );
    server.shutdown().await.unwrap();
}
