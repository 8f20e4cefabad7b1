//! The webhook intake over real HTTP on loopback: every reply code, the secret file's forms,
//! redeliveries, sink failures and GitHub's real payloads.

mod common;

use std::sync::Arc;

use common::{Recorder, accept_all, deliver, send, serve, temp_path};
use prow_core::event::{Event, HANDLED_EVENT_TYPES};
use prow_github::hook::{
    ACCEPTED_RESPONSE, HmacConfig, HmacSecrets, Intake, Redeliveries, payload_signature,
};

/// The secret file of upstream's `TestServeHTTPErrors`.
const UPSTREAM_SECRET: &str = "
'*':
  - value: abc
    created_at: 2019-10-02T15:00:00Z
  - value: key2
    created_at: 2020-10-02T15:00:00Z
foo/bar:
  - value: 123abc
    created_at: 2019-10-02T15:00:00Z
  - value: key6
    created_at: 2020-10-02T15:00:00Z
";

fn upstream_secrets() -> Arc<HmacSecrets> {
    Arc::new(HmacSecrets::new(
        HmacConfig::parse(UPSTREAM_SECRET.as_bytes()).unwrap(),
    ))
}

struct Case {
    name: &'static str,
    method: &'static str,
    headers: Vec<(&'static str, String)>,
    body: &'static str,
    status: u16,
    reply: String,
}

/// Headers of a delivery of `body` signed with `key`, minus those named in `without`.
fn headers(body: &str, key: &str, without: &[&str]) -> Vec<(&'static str, String)> {
    [
        ("X-GitHub-Event", "ping".to_owned()),
        ("X-GitHub-Delivery", "I am unique".to_owned()),
        (
            "X-Hub-Signature-256",
            payload_signature(body.as_bytes(), key.as_bytes()),
        ),
        ("content-type", "application/json".to_owned()),
    ]
    .into_iter()
    .filter(|(name, _)| !without.contains(name))
    .collect()
}

fn with(
    mut headers: Vec<(&'static str, String)>,
    name: &'static str,
    value: &str,
) -> Vec<(&'static str, String)> {
    headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    headers.push((name, value.to_owned()));
    headers
}

fn error(text: &str) -> String {
    format!("{text}\n")
}

#[tokio::test]
async fn every_reply_code_over_http() {
    const REPO_BODY: &str = r#"{"repository": {"full_name": "foo/bar"}}"#;
    const BIG: &str = concat!(
        r#"{"padding": ""#,
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        r#""}"#
    );
    let cases = vec![
        Case {
            name: "DELETE is not allowed",
            method: "DELETE",
            headers: headers("{}", "abc", &[]),
            body: "{}",
            status: 405,
            reply: error("405 Method not allowed"),
        },
        Case {
            name: "GET is not allowed, whatever the headers",
            method: "GET",
            headers: vec![("content-type", "application/json".into())],
            body: "{}",
            status: 405,
            reply: error("405 Method not allowed"),
        },
        Case {
            name: "no event type",
            method: "POST",
            headers: headers("{}", "abc", &["X-GitHub-Event"]),
            body: "{}",
            status: 400,
            reply: error("400 Bad Request: Missing X-GitHub-Event Header"),
        },
        Case {
            name: "an empty event type is missing",
            method: "POST",
            headers: with(headers("{}", "abc", &[]), "X-GitHub-Event", ""),
            body: "{}",
            status: 400,
            reply: error("400 Bad Request: Missing X-GitHub-Event Header"),
        },
        Case {
            name: "no delivery id",
            method: "POST",
            headers: headers("{}", "abc", &["X-GitHub-Delivery"]),
            body: "{}",
            status: 400,
            reply: error("400 Bad Request: Missing X-GitHub-Delivery Header"),
        },
        Case {
            name: "no signature",
            method: "POST",
            headers: headers("{}", "abc", &["X-Hub-Signature-256"]),
            body: "{}",
            status: 403,
            reply: error("403 Forbidden: Missing X-Hub-Signature-256"),
        },
        Case {
            name: "no content type",
            method: "POST",
            headers: headers("{}", "abc", &["content-type"]),
            body: "{}",
            status: 400,
            reply: error(
                "400 Bad Request: Hook only accepts content-type: application/json - please \
                 reconfigure this hook on GitHub",
            ),
        },
        Case {
            name: "form-encoded content",
            method: "POST",
            headers: with(
                headers("{}", "abc", &[]),
                "content-type",
                "application/x-www-form-urlencoded",
            ),
            body: "{}",
            status: 400,
            reply: error(
                "400 Bad Request: Hook only accepts content-type: application/json - please \
                 reconfigure this hook on GitHub",
            ),
        },
        Case {
            name: "a charset parameter is not application/json either (as upstream)",
            method: "POST",
            headers: with(
                headers("{}", "abc", &[]),
                "content-type",
                "application/json; charset=utf-8",
            ),
            body: "{}",
            status: 400,
            reply: error(
                "400 Bad Request: Hook only accepts content-type: application/json - please \
                 reconfigure this hook on GitHub",
            ),
        },
        Case {
            name: "a signature that is not sha256=hex",
            method: "POST",
            headers: with(
                headers("{}", "abc", &[]),
                "X-Hub-Signature-256",
                "this doesn't work",
            ),
            body: "{}",
            status: 403,
            reply: error("403 Forbidden: Invalid X-Hub-Signature-256 - invalid signature"),
        },
        Case {
            name: "signed with an unknown key",
            method: "POST",
            headers: headers("{}", "wrong", &[]),
            body: "{}",
            status: 403,
            reply: error(
                "403 Forbidden: Invalid X-Hub-Signature-256 - misconfigured webhook secret from \
                 organization/repo: ",
            ),
        },
        Case {
            name: "a repository with its own list does not take the global token",
            method: "POST",
            headers: headers(REPO_BODY, "abc", &[]),
            body: REPO_BODY,
            status: 403,
            reply: error(
                "403 Forbidden: Invalid X-Hub-Signature-256 - misconfigured webhook secret from \
                 organization/repo: foo/bar",
            ),
        },
        Case {
            name: "a body that is not JSON, unsigned",
            method: "POST",
            headers: headers("{}", "abc", &[]),
            body: "not json",
            status: 403,
            reply: error("403 Forbidden: Invalid X-Hub-Signature-256 - invalid payload"),
        },
        Case {
            name: "a body over the limit",
            method: "POST",
            headers: headers(BIG, "abc", &[]),
            body: BIG,
            status: 413,
            reply: error("413 Payload Too Large: Hook accepts payloads of at most 100 bytes"),
        },
        Case {
            name: "a signed body that is not JSON",
            method: "POST",
            headers: headers("{", "abc", &[]),
            body: "{",
            status: 400,
            reply: error(
                "400 Bad Request: could not parse ping event payload: EOF while parsing an \
                 object at line 1 column 1",
            ),
        },
        Case {
            name: "a signed body that is JSON but not an object",
            method: "POST",
            headers: headers("[1]", "abc", &[]),
            body: "[1]",
            status: 400,
            reply: error(
                "400 Bad Request: could not parse ping event payload: expected a JSON object",
            ),
        },
        Case {
            name: "a signed issue_comment of the wrong shape, signed for its repository",
            method: "POST",
            headers: with(
                headers(
                    r#"{"issue": 7, "repository": {"full_name": "foo/bar"}}"#,
                    "key6",
                    &[],
                ),
                "X-GitHub-Event",
                "issue_comment",
            ),
            body: r#"{"issue": 7, "repository": {"full_name": "foo/bar"}}"#,
            status: 400,
            reply: error(
                "400 Bad Request: could not parse issue_comment event payload: invalid type: \
                 integer `7`, expected struct Issue at line 1 column 11",
            ),
        },
        Case {
            name: "good: a global token",
            method: "POST",
            headers: headers("{}", "key2", &[]),
            body: "{}",
            status: 200,
            reply: ACCEPTED_RESPONSE.to_owned(),
        },
        Case {
            name: "good: the repository's second token",
            method: "POST",
            headers: with(headers(REPO_BODY, "key6", &[]), "X-GitHub-Delivery", "2"),
            body: REPO_BODY,
            status: 200,
            reply: ACCEPTED_RESPONSE.to_owned(),
        },
        Case {
            name: "good: header names in any case",
            method: "POST",
            headers: headers("{}", "abc", &[])
                .into_iter()
                .map(|(name, value)| {
                    let lower: &'static str = Box::leak(name.to_ascii_lowercase().into_boxed_str());
                    (lower, value)
                })
                .map(|(name, value)| {
                    if name == "x-github-delivery" {
                        (name, "3".to_owned())
                    } else {
                        (name, value)
                    }
                })
                .collect(),
            body: "{}",
            status: 200,
            reply: ACCEPTED_RESPONSE.to_owned(),
        },
    ];

    let sink = Recorder::default();
    let intake = Intake::builder(upstream_secrets())
        .body_limit(100)
        .build(sink.clone());
    let metrics = intake.metrics().clone();
    let addr = serve(intake).await;
    let mut codes = std::collections::BTreeMap::<u16, u64>::new();
    for case in &cases {
        let headers: Vec<(&str, &str)> = case
            .headers
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        let reply = send(addr, case.method, "/hook", &headers, case.body.as_bytes()).await;
        assert_eq!(
            (reply.status, reply.body.as_str()),
            (case.status, case.reply.as_str()),
            "{}",
            case.name
        );
        if case.status == 405 {
            assert!(
                reply.headers.contains(&("allow".into(), "POST".into())),
                "{}: {:?}",
                case.name,
                reply.headers
            );
        }
        *codes.entry(case.status).or_default() += 1;
    }
    for (code, count) in codes {
        assert_eq!(metrics.responses(code), count, "responses with {code}");
    }
    // Valid signatures: the 3 good ones and the 2 signed malformed pings.
    assert_eq!(metrics.webhooks("ping"), 5);
    assert_eq!(metrics.webhooks("issue_comment"), 1);
    assert_eq!(sink.count(), 3);

    // Other paths are not the hook.
    let reply = send(addr, "POST", "/", &[], b"{}").await;
    assert_eq!(reply.status, 404);
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_or_without_a_length() {
    let intake = Intake::builder(Arc::new(HmacSecrets::from_token("abc")))
        .body_limit(1024)
        .build(accept_all());
    let addr = serve(intake).await;
    let body = format!(r#"{{"padding": "{}"}}"#, "x".repeat(4096));
    let reply = deliver(addr, "ping", "big", body.as_bytes(), b"abc").await;
    assert_eq!(reply.status, 413);

    // Chunked: the limit is enforced while reading.
    let signature = payload_signature(body.as_bytes(), b"abc");
    let mut raw = format!(
        "POST /hook HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-GitHub-Event: ping\r\n\
         X-GitHub-Delivery: chunked\r\nX-Hub-Signature-256: {signature}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    for piece in body.as_bytes().chunks(512) {
        raw.push_str(&format!(
            "{:x}\r\n{}\r\n",
            piece.len(),
            std::str::from_utf8(piece).unwrap()
        ));
    }
    raw.push_str("0\r\n\r\n");
    let reply = raw_exchange(addr, raw.as_bytes()).await;
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");

    // Exactly at the limit is fine.
    let body = format!(r#"{{"padding": "{}"}}"#, "x".repeat(1024 - 15));
    assert_eq!(body.len(), 1024);
    let reply = deliver(addr, "ping", "at-limit", body.as_bytes(), b"abc").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
}

#[tokio::test]
async fn a_body_cut_short_is_500() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr =
        serve(Intake::builder(Arc::new(HmacSecrets::from_token("abc"))).build(accept_all())).await;
    let signature = payload_signature(b"{}", b"abc");
    let head = format!(
        "POST /hook HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-GitHub-Event: ping\r\n\
         X-GitHub-Delivery: short\r\nX-Hub-Signature-256: {signature}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{}}"
    );
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.shutdown().await.unwrap();
    let mut reply = String::new();
    tokio::time::timeout(common::STEP, stream.read_to_string(&mut reply))
        .await
        .unwrap()
        .unwrap();
    assert!(reply.starts_with("HTTP/1.1 500"), "{reply}");
    assert!(
        reply.ends_with("\r\n\r\n500 Internal Server Error: Failed to read request body\n"),
        "{reply}"
    );
}

async fn raw_exchange(addr: std::net::SocketAddr, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let _ = stream.write_all(request).await;
    let mut reply = vec![0; 1024];
    let n = tokio::time::timeout(common::STEP, stream.read(&mut reply))
        .await
        .unwrap()
        .unwrap();
    String::from_utf8_lossy(&reply[..n]).into_owned()
}

#[tokio::test]
async fn secret_file_forms_rotation_and_fallback() {
    let path = temp_path("hmac");
    std::fs::write(
        &path,
        "
'*':
- value: global-token
org1:
- value: org1-old
  created_at: 2023-01-01T00:00:00Z
- value: org1-new
  created_at: 2024-01-01T00:00:00Z
org1/special:
- value: special-token
",
    )
    .unwrap();
    let secrets = Arc::new(HmacSecrets::from_file(&path).unwrap());
    let sink = Recorder::default();
    let addr = serve(Intake::builder(Arc::clone(&secrets)).build(sink.clone())).await;

    let body_for =
        |repo: &str| format!(r#"{{"action": "opened", "repository": {{"full_name": "{repo}"}}}}"#);
    let org_level = r#"{"action": "member_added", "organization": {"login": "org1"}}"#.to_owned();
    let no_repo = r#"{"zen": "Design for failure."}"#.to_owned();
    let cases: [(&str, String, &str, u16); 11] = [
        (
            "rotation: the old org token",
            body_for("org1/app"),
            "org1-old",
            200,
        ),
        (
            "rotation: the new org token",
            body_for("org1/app"),
            "org1-new",
            200,
        ),
        ("org beats *", body_for("org1/app"), "global-token", 403),
        (
            "repo beats org",
            body_for("org1/special"),
            "special-token",
            200,
        ),
        (
            "the org list does not open a repo with its own",
            body_for("org1/special"),
            "org1-new",
            403,
        ),
        (
            "* for another org",
            body_for("org2/app"),
            "global-token",
            200,
        ),
        (
            "no org token for another org",
            body_for("org2/app"),
            "org1-new",
            403,
        ),
        (
            "org-level event: the org list",
            org_level.clone(),
            "org1-new",
            200,
        ),
        (
            "org-level event: not *",
            org_level.clone(),
            "global-token",
            403,
        ),
        ("no repository: *", no_repo.clone(), "global-token", 200),
        (
            "no repository: not an org list",
            no_repo.clone(),
            "org1-new",
            403,
        ),
    ];
    for (i, (name, body, key, status)) in cases.iter().enumerate() {
        let reply = deliver(
            addr,
            "thing",
            &format!("d{i}"),
            body.as_bytes(),
            key.as_bytes(),
        )
        .await;
        assert_eq!(reply.status, *status, "{name}: {}", reply.body);
    }
    assert_eq!(sink.count(), 6);

    // Rotation finished: the old token goes; a reload picks the file up.
    std::fs::write(&path, "org1:\n- value: org1-new\n").unwrap();
    secrets.reload().unwrap();
    let body = body_for("org1/app");
    let reply = deliver(addr, "thing", "r1", body.as_bytes(), b"org1-old").await;
    assert_eq!(reply.status, 403);
    let reply = deliver(addr, "thing", "r2", body.as_bytes(), b"org1-new").await;
    assert_eq!(reply.status, 200);
    // No '*' any more: a repository outside org1 has no secret.
    let body = body_for("org2/app");
    let reply = deliver(addr, "thing", "r3", body.as_bytes(), b"global-token").await;
    assert_eq!(
        reply.body,
        "403 Forbidden: Invalid X-Hub-Signature-256 - failed to get an appropriate hmac secret\n"
    );

    // A broken rewrite is reported without its content and the secrets in force stay.
    std::fs::write(&path, "org1:\n  value: brand-new-secret-value\n").unwrap();
    let error = secrets.reload().unwrap_err().to_string();
    assert!(error.contains("invalid hmac secret file"), "{error}");
    assert!(error.contains("line 2"), "{error}");
    assert!(!error.contains("brand-new-secret-value"), "{error}");
    let body = body_for("org1/app");
    let reply = deliver(addr, "thing", "r4", body.as_bytes(), b"org1-new").await;
    assert_eq!(reply.status, 200);

    // The legacy form: one token, trimmed.
    std::fs::write(&path, "  legacy-token\n").unwrap();
    assert!(secrets.reload_if_changed().unwrap());
    assert!(!secrets.reload_if_changed().unwrap());
    let reply = deliver(addr, "thing", "r5", body.as_bytes(), b"legacy-token").await;
    assert_eq!(reply.status, 200);
    std::fs::remove_file(&path).unwrap();

    let missing = HmacSecrets::from_file(&path).unwrap_err().to_string();
    assert!(
        missing.starts_with("could not read the hmac secret file"),
        "{missing}"
    );
}

#[tokio::test]
async fn a_malformed_secret_file_is_a_clear_error_without_the_secret() {
    let path = temp_path("hmac-bad");
    let cases = [
        (
            "org/repo:\n  value: s3cr3t-token-1\n",
            "org/repo: invalid type, expected a sequence",
        ),
        (
            "org:\n- value: s3cr3t-token-2\n  created_at: yesterday\n",
            "org[0].created_at",
        ),
        (
            "s3cr3t-token-3\nsecond line: [\n",
            "not a single-line token",
        ),
        ("\n\n", "the file holds no token"),
    ];
    for (content, want) in cases {
        std::fs::write(&path, content).unwrap();
        let error = HmacSecrets::from_file(&path).unwrap_err();
        let shown = format!("{error} / {error:?}");
        assert!(shown.contains(want), "{content:?}: {shown}");
        assert!(!shown.contains("s3cr3t"), "{content:?} leaks: {shown}");
        assert!(shown.contains(&path.display().to_string()), "{shown}");
    }
    std::fs::remove_file(&path).unwrap();
}

#[tokio::test]
async fn our_issue_comment_fixture_reaches_the_sink_typed() {
    let body = include_bytes!("fixtures/issue_comment.json");
    let sink = Recorder::default();
    let addr =
        serve(Intake::builder(Arc::new(HmacSecrets::from_token("abc"))).build(sink.clone())).await;
    let reply = deliver(addr, "issue_comment", "fixture-1", body, b"abc").await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (200, ACCEPTED_RESPONSE)
    );

    let delivered = sink.taken();
    assert_eq!(delivered.len(), 1);
    let delivery = &delivered[0];
    assert_eq!(delivery.id, "fixture-1");
    assert_eq!(delivery.event_type, "issue_comment");
    assert_eq!(&*delivery.payload, &body[..]);
    // The request's headers ride along (external plugins get them forwarded).
    let header = |name: &str| {
        delivery
            .headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(header("x-github-event"), Some("issue_comment"));
    assert_eq!(header("x-github-delivery"), Some("fixture-1"));
    assert_eq!(header("content-type"), Some("application/json"));
    assert!(header("x-hub-signature-256").is_some_and(|s| s.starts_with("sha256=")));
    let Event::IssueComment(comment) = &*delivery.event else {
        panic!(
            "an issue_comment event, got {:?}",
            delivery.event.event_type()
        );
    };
    assert_eq!(comment.guid, "fixture-1");
    assert_eq!(comment.comment.body, "/retest\n/lgtm");
    assert_eq!(comment.issue.number, 32145);
    assert_eq!(
        delivery.event.repo().as_deref(),
        Some("kubernetes/test-infra")
    );
    assert_eq!(delivery.event.sender(), Some("reviewer-one"));
    assert_eq!(delivery.event.action(), Some("created"));
}

#[tokio::test]
async fn redeliveries_are_acknowledged_and_not_dispatched_twice() {
    let body = include_bytes!("fixtures/issue_comment.json");
    let sink = Recorder::default();
    let intake = Intake::builder(Arc::new(HmacSecrets::from_token("abc"))).build(sink.clone());
    let metrics = intake.metrics().clone();
    let addr = serve(intake).await;
    for _ in 0..3 {
        let reply = deliver(addr, "issue_comment", "same-guid", body, b"abc").await;
        assert_eq!(
            (reply.status, reply.body.as_str()),
            (200, ACCEPTED_RESPONSE)
        );
    }
    let reply = deliver(addr, "issue_comment", "other-guid", body, b"abc").await;
    assert_eq!(reply.status, 200);
    let ids: Vec<String> = sink.taken().into_iter().map(|d| d.id).collect();
    assert_eq!(ids, ["same-guid", "other-guid"]);
    assert_eq!(metrics.redeliveries("issue_comment"), 2);
    assert_eq!(metrics.webhooks("issue_comment"), 4);
    assert_eq!(metrics.responses(200), 4);
    let text = metrics.encode();
    assert!(
        text.contains("prow_webhook_redeliveries{event_type=\"issue_comment\"} 2\n"),
        "{text}"
    );
}

#[tokio::test]
async fn redeliveries_can_be_dispatched_again() {
    let sink = Recorder::default();
    let intake = Intake::builder(Arc::new(HmacSecrets::from_token("abc")))
        .redeliveries(Redeliveries::Dispatch)
        .build(sink.clone());
    let metrics = intake.metrics().clone();
    let addr = serve(intake).await;
    for _ in 0..2 {
        let reply = deliver(addr, "ping", "same-guid", b"{}", b"abc").await;
        assert_eq!(reply.status, 200);
    }
    assert_eq!(sink.count(), 2);
    assert_eq!(metrics.redeliveries("ping"), 1);
}

#[tokio::test]
async fn a_failed_hand_off_is_500_and_its_redelivery_is_dispatched() {
    let sink = Recorder::failing(&[0]);
    let intake = Intake::builder(Arc::new(HmacSecrets::from_token("abc"))).build(sink.clone());
    let metrics = intake.metrics().clone();
    let addr = serve(intake).await;
    let reply = deliver(addr, "ping", "flaky", b"{}", b"abc").await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (
            500,
            "500 Internal Server Error: Failed to dispatch the event\n"
        )
    );
    assert!(!reply.body.contains("dispatcher unavailable"));
    assert_eq!(sink.count(), 0);
    let reply = deliver(addr, "ping", "flaky", b"{}", b"abc").await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (200, ACCEPTED_RESPONSE)
    );
    assert_eq!(sink.count(), 1);
    assert_eq!(metrics.redeliveries("ping"), 0);
    assert_eq!(metrics.responses(500), 1);
}

/// Where `shared/` is: beside the workspace, or `PROW_SHARED_DIR`.
fn shared_dir() -> std::path::PathBuf {
    std::env::var_os("PROW_SHARED_DIR")
        .map(Into::into)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared").into())
}

#[tokio::test]
async fn every_octokit_example_is_accepted_as_its_event() {
    let folder = shared_dir().join("fixtures/octokit-webhooks-examples");
    if !folder.is_dir() {
        eprintln!("skipped: {} is absent", folder.display());
        return;
    }
    let sink = Recorder::default();
    let addr =
        serve(Intake::builder(Arc::new(HmacSecrets::from_token("octokit"))).build(sink.clone()))
            .await;
    let mut total = 0;
    for file in ["api.github.com.json", "ghes-35.json"] {
        let text = std::fs::read(folder.join(file)).unwrap();
        let types: Vec<serde_json::Value> = serde_json::from_slice(&text).unwrap();
        for event_type in types {
            let name = event_type["name"].as_str().unwrap().to_owned();
            let examples = event_type["examples"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            for (i, example) in examples.into_iter().enumerate() {
                let body = serde_json::to_vec(&example).unwrap();
                let guid = format!("{file}-{name}-{i}");
                let reply = deliver(addr, &name, &guid, &body, b"octokit").await;
                assert_eq!(
                    (reply.status, reply.body.as_str()),
                    (200, ACCEPTED_RESPONSE),
                    "{file}: {name} example {i}"
                );
                let delivered = sink.taken();
                assert_eq!(delivered.len(), 1, "{guid}");
                let event = &delivered[0].event;
                assert_eq!(event.event_type(), name, "{guid}");
                let typed = !matches!(**event, Event::Other { .. });
                assert_eq!(
                    typed,
                    HANDLED_EVENT_TYPES.contains(&name.as_str()),
                    "{guid}"
                );
                if typed {
                    assert_eq!(event.guid(), Some(guid.as_str()));
                }
                assert_eq!(&*delivered[0].payload, &body[..]);
                total += 1;
            }
        }
    }
    eprintln!("{total} octokit examples accepted");
    assert!(total >= 329, "only {total} examples");
}
