//! The HTTP stack under octocrab, against the scripted fake: endpoints and headers, retries,
//! rate limits (in paused tokio time), conditional requests, pagination and dry-run.

use std::time::Duration;

use http::Method;
use prow_core::github::{GitHubClient, GitHubError, RepoName};
use serde_json::json;
use tokio::time::Instant;

use super::super::{Auth, ClientOptions, RetryOptions};
use super::{Answer, FAKE_BASE, Fake, client_of, fake_options, user_json};

fn repo() -> RepoName {
    RepoName::new("kubernetes", "test-infra")
}

#[tokio::test]
async fn requests_carry_endpoint_auth_and_headers() {
    let fake = Fake::default();
    fake.push([Answer::json(200, user_json("k8s-ci-robot"))]);
    let client = client_of(&fake, fake_options()).await;
    let bot = client.bot_user().await.unwrap();
    assert_eq!(bot.login, "k8s-ci-robot");
    // The bot is read once.
    client.bot_user().await.unwrap();
    let seen = fake.seen();
    assert_eq!(seen.len(), 1);
    let request = &seen[0];
    assert_eq!(
        request.uri.to_string(),
        "https://github.example.com/api/v3/user"
    );
    assert_eq!(request.header("authorization"), Some("Bearer secret-token"));
    assert!(
        request
            .header("user-agent")
            .unwrap()
            .starts_with("prow-rs/")
    );
    assert_eq!(
        request.header("accept"),
        Some("application/vnd.github+json")
    );
    assert_eq!(request.header("x-github-api-version"), Some("2022-11-28"));
}

#[tokio::test]
async fn anonymous_clients_send_no_authorization() {
    let fake = Fake::default();
    fake.push([Answer::json(200, user_json("someone"))]);
    let client = client_of(
        &fake,
        ClientOptions {
            auth: Auth::Anonymous,
            ..fake_options()
        },
    )
    .await;
    client.bot_user().await.unwrap();
    assert_eq!(fake.seen()[0].header("authorization"), None);
}

#[tokio::test(start_paused = true)]
async fn server_errors_are_retried_with_backoff() {
    let fake = Fake::default();
    fake.push([
        Answer::json(502, json!({"message": "bad gateway"})),
        Answer::json(503, json!({"message": "unavailable"})),
        Answer::json(200, json!({"number": 1, "title": "t"})),
    ]);
    let client = client_of(&fake, fake_options()).await;
    let issue = client.get_issue(&repo(), 1).await.unwrap();
    assert_eq!(issue.title, "t");
    let seen = fake.seen();
    assert_eq!(seen.len(), 3);
    // 100 ms, then 200 ms, in tokio time.
    assert_eq!(seen[1].at - seen[0].at, Duration::from_millis(100));
    assert_eq!(seen[2].at - seen[1].at, Duration::from_millis(200));
    let metrics = client.metrics();
    assert_eq!(metrics.retries("server_error"), 2);
    let route = "/repos/:owner/:repo/issues/:issueId";
    assert_eq!(metrics.requests(route, "502"), 1);
    assert_eq!(metrics.requests(route, "503"), 1);
    assert_eq!(metrics.requests(route, "200"), 1);
}

#[tokio::test(start_paused = true)]
async fn retries_are_bounded() {
    let fake = Fake::default();
    fake.handle(|_| Answer::json(500, json!({"message": "boom"})));
    let client = client_of(&fake, fake_options()).await;
    let err = client.get_issue(&repo(), 1).await.unwrap_err();
    assert!(
        matches!(err, GitHubError::Status { status: 500, ref message } if message == "boom"),
        "{err:?}"
    );
    assert_eq!(fake.seen().len(), 4, "the first try and 3 retries");
}

#[tokio::test(start_paused = true)]
async fn transport_errors_are_retried() {
    let fake = Fake::default();
    fake.push([
        Answer::Fail("connection reset".into()),
        Answer::json(200, json!({"number": 1})),
    ]);
    let client = client_of(&fake, fake_options()).await;
    client.get_issue(&repo(), 1).await.unwrap();
    assert_eq!(client.metrics().retries("transport"), 1);

    fake.handle(|_| Answer::Fail("connection refused".into()));
    let err = client.get_issue(&repo(), 1).await.unwrap_err();
    assert!(
        matches!(&err, GitHubError::Transport(m) if m.contains("connection refused")),
        "{err:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn client_errors_are_not_retried() {
    let cases = [
        (404, "404"),
        (401, "403"),
        (403, "403"),
        (422, "422"),
        (409, "409"),
    ];
    for (status, want) in cases {
        let fake = Fake::default();
        fake.handle(move |_| Answer::json(status, json!({"message": "no"})));
        let client = client_of(&fake, fake_options()).await;
        let err = client.get_issue(&repo(), 1).await.unwrap_err();
        let got = match err {
            GitHubError::NotFound(_) => "404".to_owned(),
            GitHubError::Forbidden(_) => "403".to_owned(),
            GitHubError::Unprocessable(_) => "422".to_owned(),
            GitHubError::Status { status, .. } => status.to_string(),
            other => format!("{other:?}"),
        };
        assert_eq!(got, want, "{status}");
        assert_eq!(fake.seen().len(), 1, "{status} was retried");
    }
}

#[tokio::test(start_paused = true)]
async fn secondary_rate_limits_honour_retry_after() {
    let fake = Fake::default();
    fake.push([
        Answer::json(
            403,
            json!({"message": "You have exceeded a secondary rate limit"}),
        )
        .with("retry-after", 30),
        Answer::json(429, json!({"message": "slow down"})).with("retry-after", 5),
        Answer::json(201, json!({"id": 77})),
    ]);
    let client = client_of(&fake, fake_options()).await;
    let start = Instant::now();
    let id = client.create_comment(&repo(), 1, "hi").await.unwrap();
    assert_eq!(id, 77);
    let seen = fake.seen();
    assert_eq!(seen.len(), 3);
    // Upstream waits a second more than GitHub asks.
    assert_eq!(seen[1].at - seen[0].at, Duration::from_secs(31));
    assert_eq!(seen[2].at - seen[1].at, Duration::from_secs(6));
    assert!(start.elapsed() >= Duration::from_secs(37));
    assert_eq!(client.metrics().retries("secondary_rate_limit"), 2);
}

#[tokio::test(start_paused = true)]
async fn rate_limit_waits_beyond_the_maximum_fail() {
    let fake = Fake::default();
    fake.handle(|_| {
        Answer::json(403, json!({"message": "secondary rate limit"})).with("retry-after", 3600)
    });
    let client = client_of(
        &fake,
        ClientOptions {
            retry: RetryOptions {
                max_rate_limit_wait: Duration::from_secs(120),
                ..fake_options().retry
            },
            ..fake_options()
        },
    )
    .await;
    let err = client.create_comment(&repo(), 1, "hi").await.unwrap_err();
    assert!(
        matches!(
            err,
            GitHubError::RateLimited {
                retry_after_seconds: Some(3600)
            }
        ),
        "{err:?}"
    );
    assert_eq!(fake.seen().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn primary_limit_refusals_wait_for_the_reset() {
    let fake = Fake::default();
    let reset = chrono::Utc::now().timestamp() + 100;
    fake.push([
        Answer::json(403, json!({"message": "API rate limit exceeded"}))
            .with("x-ratelimit-remaining", 0)
            .with("x-ratelimit-limit", 5000)
            .with("x-ratelimit-reset", reset),
        Answer::json(200, json!({"number": 1})).with("x-ratelimit-remaining", 4999),
    ]);
    let client = client_of(&fake, fake_options()).await;
    client.get_issue(&repo(), 1).await.unwrap();
    let seen = fake.seen();
    assert_eq!(seen.len(), 2);
    let waited = seen[1].at - seen[0].at;
    assert!(
        waited >= Duration::from_secs(99) && waited <= Duration::from_secs(102),
        "{waited:?}"
    );
    assert_eq!(client.metrics().retries("rate_limit"), 1);
}

#[tokio::test(start_paused = true)]
async fn a_used_up_budget_delays_the_next_call_until_the_reset() {
    let fake = Fake::default();
    let reset = chrono::Utc::now().timestamp() + 50;
    fake.push([Answer::json(200, json!({"number": 1}))
        .with("x-ratelimit-remaining", 0)
        .with("x-ratelimit-reset", reset)
        .with("x-ratelimit-resource", "core")]);
    fake.handle(|_| Answer::json(200, json!({"number": 2})).with("x-ratelimit-remaining", 4999));
    let client = client_of(&fake, fake_options()).await;
    client.get_issue(&repo(), 1).await.unwrap();
    // Search draws on another budget: not delayed.
    client.find_issues("is:pr").await.unwrap();
    client.get_issue(&repo(), 2).await.unwrap();
    let seen = fake.seen();
    assert_eq!(seen.len(), 3);
    assert!(seen[1].at - seen[0].at < Duration::from_secs(1));
    let waited = seen[2].at - seen[0].at;
    assert!(
        waited >= Duration::from_secs(49) && waited <= Duration::from_secs(52),
        "{waited:?}"
    );
    assert_eq!(client.metrics().retries("rate_limit_wait"), 1);
    let text = client.metrics().encode();
    assert!(
        text.contains("github_token_usage{token_hash=\"token:") && text.contains("} 4999"),
        "{text}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_used_up_budget_past_the_maximum_wait_fails_without_calling() {
    let fake = Fake::default();
    let reset = chrono::Utc::now().timestamp() + 3000;
    fake.push([Answer::json(200, json!({"number": 1}))
        .with("x-ratelimit-remaining", 0)
        .with("x-ratelimit-reset", reset)]);
    let client = client_of(
        &fake,
        ClientOptions {
            retry: RetryOptions {
                max_rate_limit_wait: Duration::from_secs(60),
                ..fake_options().retry
            },
            ..fake_options()
        },
    )
    .await;
    client.get_issue(&repo(), 1).await.unwrap();
    let err = client.get_issue(&repo(), 1).await.unwrap_err();
    match err {
        GitHubError::RateLimited {
            retry_after_seconds: Some(seconds),
        } => assert!((2999..=3002).contains(&seconds), "{seconds}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(fake.seen().len(), 1);
}

#[tokio::test]
async fn unchanged_reads_are_revalidated_with_their_etag() {
    let fake = Fake::default();
    fake.handle(|seen| {
        if seen.header("if-none-match") == Some("\"v1\"") {
            Answer::Reply {
                status: 304,
                headers: vec![("etag".into(), "\"v1\"".into())],
                body: String::new(),
            }
        } else {
            Answer::json(200, json!({"number": 1, "title": "cached"})).with("etag", "\"v1\"")
        }
    });
    let client = client_of(&fake, fake_options()).await;
    for _ in 0..3 {
        let issue = client.get_issue(&repo(), 1).await.unwrap();
        assert_eq!(issue.title, "cached");
    }
    let seen = fake.seen();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[0].header("if-none-match"), None);
    assert_eq!(seen[1].header("if-none-match"), Some("\"v1\""));
    let route = "/repos/:owner/:repo/issues/:issueId";
    assert_eq!(client.metrics().cache_responses("MISS", route), 1);
    assert_eq!(client.metrics().cache_responses("REVALIDATED", route), 2);
    assert_eq!(client.metrics().requests(route, "304"), 2);

    // A changed resource replaces the cached reply.
    fake.handle(|seen| {
        if seen.header("if-none-match") == Some("\"v2\"") {
            Answer::Reply {
                status: 304,
                headers: vec![],
                body: String::new(),
            }
        } else {
            Answer::json(200, json!({"number": 1, "title": "changed"})).with("etag", "\"v2\"")
        }
    });
    assert_eq!(client.get_issue(&repo(), 1).await.unwrap().title, "changed");
    assert_eq!(client.get_issue(&repo(), 1).await.unwrap().title, "changed");
    assert_eq!(client.metrics().cache_responses("CHANGED", route), 1);
}

#[tokio::test]
async fn etags_are_kept_per_credential() {
    let fake = Fake::default();
    fake.handle(|seen| {
        assert_eq!(seen.header("if-none-match"), None, "{:?}", seen.headers);
        Answer::json(200, json!({"number": 1})).with("etag", "\"v1\"")
    });
    let first = client_of(&fake, fake_options()).await;
    first.get_issue(&repo(), 1).await.unwrap();
    // Another client (another cache) and another token: no conditional request.
    let second = client_of(
        &fake,
        ClientOptions {
            auth: Auth::Token("other".into()),
            ..fake_options()
        },
    )
    .await;
    second.get_issue(&repo(), 1).await.unwrap();
}

#[tokio::test]
async fn lists_follow_next_links_below_the_base_path() {
    let fake = Fake::default();
    fake.push([
        Answer::json(200, json!([{"name": "a"}, {"name": "b"}])).with(
            "link",
            format!(
                "<{FAKE_BASE}/repositories/1/labels?per_page=100&page=2>; rel=\"next\", <{FAKE_BASE}/repositories/1/labels?per_page=100&page=3>; rel=\"last\""
            ),
        ),
        Answer::json(200, json!([{"name": "c"}])).with(
            "link",
            format!("<{FAKE_BASE}/repositories/1/labels?per_page=100&page=3>; rel=\"next\""),
        ),
        Answer::json(200, json!([{"name": "d"}])),
    ]);
    let client = client_of(&fake, fake_options()).await;
    let labels = client.get_repo_labels(&repo()).await.unwrap();
    let names: Vec<&str> = labels.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["a", "b", "c", "d"]);
    assert_eq!(
        fake.lines(),
        [
            "GET /api/v3/repos/kubernetes/test-infra/labels?per_page=100",
            "GET /api/v3/repositories/1/labels?per_page=100&page=2",
            "GET /api/v3/repositories/1/labels?per_page=100&page=3",
        ]
    );
    for seen in fake.seen() {
        assert_eq!(seen.header("authorization"), Some("Bearer secret-token"));
    }
}

#[tokio::test]
async fn dry_run_reads_but_never_writes() {
    let fake = Fake::default();
    fake.handle(|_| Answer::json(200, json!({"number": 1, "title": "read"})));
    let client = client_of(
        &fake,
        ClientOptions {
            dry_run: true,
            ..fake_options()
        },
    )
    .await;
    assert!(client.dry_run());
    assert_eq!(client.get_issue(&repo(), 1).await.unwrap().title, "read");
    assert_eq!(client.create_comment(&repo(), 1, "x").await.unwrap(), 0);
    assert_eq!(
        client
            .create_issue(&repo(), "t", "b", &[], &[])
            .await
            .unwrap(),
        0
    );
    client.add_label(&repo(), 1, "lgtm").await.unwrap();
    client.merge(&repo(), 1, &Default::default()).await.unwrap();
    client.delete_ref(&repo(), "heads/x").await.unwrap();
    client.graphql("mutation { x }", json!({})).await.unwrap();
    assert_eq!(
        fake.lines(),
        ["GET /api/v3/repos/kubernetes/test-infra/issues/1"]
    );

    // Should a write slip past a method, the stack refuses it.
    let conn = client.own_conn().clone();
    let err = client
        .send(
            &conn,
            Method::POST,
            "/repos/o/r/issues",
            Some(&json!({})),
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, GitHubError::Status { status: 0, message } if message.contains("dry run")),
        "{err:?}"
    );
    assert_eq!(fake.seen().len(), 1);
}

#[tokio::test]
async fn graphql_goes_to_its_own_endpoint() {
    let fake = Fake::default();
    fake.push([
        Answer::json(200, json!({"data": {"search": {"issueCount": 2}}})),
        Answer::json(
            200,
            json!({"data": null, "errors": [{"message": "Field 'x' doesn't exist"}]}),
        ),
    ]);
    let client = client_of(&fake, fake_options()).await;
    let data = client
        .graphql(
            "query($q: String!) { search(query: $q) { issueCount } }",
            json!({"q": "is:pr"}),
        )
        .await
        .unwrap();
    assert_eq!(data["search"]["issueCount"], 2);
    let err = client.graphql("{ x }", json!({})).await.unwrap_err();
    assert!(matches!(err, GitHubError::Unprocessable(_)), "{err:?}");
    let seen = fake.seen();
    assert_eq!(
        seen[0].uri.to_string(),
        "https://github.example.com/api/graphql"
    );
    assert_eq!(seen[0].json()["variables"]["q"], "is:pr");
    assert_eq!(seen[0].header("authorization"), Some("Bearer secret-token"));
    assert_eq!(client.metrics().requests("/graphql", "200"), 2);
}

#[tokio::test]
async fn token_files_are_read_at_start() {
    let fake = Fake::default();
    let missing = super::super::Client::with_parts(
        ClientOptions {
            auth: Auth::TokenFile(std::env::temp_dir().join("prow-no-such-dir/oauth")),
            ..fake_options()
        },
        fake.service(),
        std::sync::Arc::new(super::super::auth::SystemClock),
    )
    .await;
    assert!(matches!(missing, Err(super::super::ClientError::Token(_))));
    let bad_endpoint = super::super::Client::with_parts(
        ClientOptions {
            endpoint: "github.com".into(),
            ..fake_options()
        },
        fake.service(),
        std::sync::Arc::new(super::super::auth::SystemClock),
    )
    .await;
    assert!(matches!(
        bad_endpoint,
        Err(super::super::ClientError::InvalidEndpoint { .. })
    ));
}

#[tokio::test]
async fn a_refused_token_file_is_read_again() {
    let dir = std::env::temp_dir().join(format!(
        "prow-stack-token-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("oauth");
    std::fs::write(&path, "old-token\n").unwrap();
    let fake = Fake::default();
    fake.handle(|seen| match seen.header("authorization") {
        Some("Bearer new-token") => Answer::json(200, json!({"number": 1})),
        _ => Answer::json(401, json!({"message": "Bad credentials"})),
    });
    let client = client_of(
        &fake,
        ClientOptions {
            auth: Auth::TokenFile(path.clone()),
            // Not due for a look by itself: only the 401 makes the client read the file.
            token_reload_interval: Duration::from_secs(3600),
            ..fake_options()
        },
    )
    .await;
    // The secret was rotated (same modification time or not).
    std::fs::write(&path, "new-token\n").unwrap();
    client.get_issue(&repo(), 1).await.unwrap();
    assert_eq!(fake.seen().len(), 2);
    assert_eq!(client.metrics().retries("unauthorized"), 1);
    // A token that stays refused is not retried forever.
    std::fs::write(&path, "bad-token\n").unwrap();
    let fresh = client_of(
        &fake,
        ClientOptions {
            auth: Auth::TokenFile(path.clone()),
            ..fake_options()
        },
    )
    .await;
    let err = fresh.get_issue(&repo(), 1).await.unwrap_err();
    assert!(matches!(err, GitHubError::Forbidden(_)), "{err:?}");
    assert_eq!(fake.seen().len(), 3);
    std::fs::remove_dir_all(&dir).unwrap();
}
