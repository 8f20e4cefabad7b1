//! GitHub App authentication against the scripted fake: the App's JWT on `/app` routes,
//! installations looked up per organisation, installation tokens minted, cached, refreshed
//! before expiry and after a 401.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use prow_core::github::{GitHubClient, GitHubError, RepoName};
use serde_json::json;

use super::super::auth::Clock;
use super::super::{Auth, ClientOptions};
use super::{Answer, Fake, ManualClock, Seen, client_with_clock, fake_options};

/// A throwaway RSA key made for these tests only.
const TEST_KEY: &str = include_str!("fixtures/test-app-key.pem");

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-05-01T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// A fake GitHub with App `42` installed in `kubernetes` (1) and `kubernetes-sigs` (2); it
/// mints `inst{ID}-{N}` tokens valid for an hour on `clock`, and answers repository calls
/// only with a current installation token of the repository's organisation.
fn app_world(fake: &Fake, clock: Arc<ManualClock>) -> Arc<Mutex<Vec<String>>> {
    let minted = Arc::new(AtomicU64::new(0));
    let valid = Arc::new(Mutex::new(Vec::<String>::new()));
    let tokens = valid.clone();
    fake.handle(move |seen: &Seen| {
        let auth = seen.header("authorization").unwrap_or_default().to_owned();
        let path = seen.uri.path().trim_start_matches("/api/v3").to_owned();
        let is_jwt = auth.starts_with("Bearer ") && auth.matches('.').count() == 2;
        if path.starts_with("/app") {
            if !is_jwt {
                return Answer::json(
                    401,
                    json!({"message": "A JSON web token could not be decoded"}),
                );
            }
            if path == "/app" {
                return Answer::json(
                    200,
                    json!({"id": 42, "slug": "prow-bot", "name": "Prow Bot"}),
                );
            }
            if path == "/app/installations" {
                return Answer::json(
                    200,
                    json!([
                        {"id": 1, "account": {"login": "kubernetes"}},
                        {"id": 2, "account": {"login": "Kubernetes-SIGs"}}
                    ]),
                );
            }
            if let Some(id) = path
                .strip_prefix("/app/installations/")
                .and_then(|rest| rest.strip_suffix("/access_tokens"))
            {
                let n = minted.fetch_add(1, Ordering::SeqCst) + 1;
                let token = format!("inst{id}-{n}");
                tokens.lock().unwrap().push(token.clone());
                let expires = clock.now() + chrono::Duration::hours(1);
                return Answer::json(
                    201,
                    json!({"token": token, "expires_at": expires.to_rfc3339()}),
                );
            }
        }
        let Some(token) = auth.strip_prefix("Bearer ") else {
            return Answer::json(401, json!({"message": "Requires authentication"}));
        };
        if !tokens.lock().unwrap().iter().any(|t| t == token) {
            return Answer::json(401, json!({"message": "Bad credentials"}));
        }
        let org = path.split('/').nth(2).unwrap_or_default();
        let want = if org == "kubernetes" {
            "inst1-"
        } else {
            "inst2-"
        };
        if !token.starts_with(want) {
            return Answer::json(
                403,
                json!({"message": "Resource not accessible by integration"}),
            );
        }
        Answer::json(200, json!({"number": 1, "title": org}))
    });
    valid
}

fn app_options(key_path: &std::path::Path) -> ClientOptions {
    ClientOptions {
        auth: Auth::App {
            app_id: 42,
            private_key_path: key_path.to_owned(),
        },
        ..fake_options()
    }
}

fn key_file() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "prow-app-key-{}-{}",
        std::process::id(),
        Utc::now().timestamp_nanos_opt().unwrap_or_default()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("key.pem");
    std::fs::write(&path, TEST_KEY).unwrap();
    path
}

#[tokio::test]
async fn installation_tokens_per_org_cached_and_refreshed() {
    let fake = Fake::default();
    let clock = Arc::new(ManualClock::new(start()));
    let valid = app_world(&fake, clock.clone());
    let key = key_file();
    let client = client_with_clock(&fake, app_options(&key), clock.clone()).await;
    assert!(client.uses_app_auth());

    let k8s = RepoName::new("kubernetes", "test-infra");
    let sigs = RepoName::new("kubernetes-sigs", "prow");
    assert_eq!(client.get_issue(&k8s, 1).await.unwrap().title, "kubernetes");
    assert_eq!(
        client.get_issue(&sigs, 1).await.unwrap().title,
        "kubernetes-sigs"
    );
    assert_eq!(client.get_issue(&k8s, 1).await.unwrap().title, "kubernetes");
    let lines: Vec<String> = fake
        .lines()
        .into_iter()
        .map(|l| l.replace("/api/v3", ""))
        .collect();
    assert_eq!(
        lines,
        [
            "GET /app/installations?per_page=100",
            "POST /app/installations/1/access_tokens",
            "GET /repos/kubernetes/test-infra/issues/1",
            "POST /app/installations/2/access_tokens",
            "GET /repos/kubernetes-sigs/prow/issues/1",
            "GET /repos/kubernetes/test-infra/issues/1",
        ]
    );

    // 59 minutes later the token has a minute left: a new one is minted first.
    clock.advance(chrono::Duration::minutes(59));
    client.get_issue(&k8s, 1).await.unwrap();
    assert_eq!(*valid.lock().unwrap(), ["inst1-1", "inst2-2", "inst1-3"]);
    let last = fake.seen().last().unwrap().clone();
    assert_eq!(last.header("authorization"), Some("Bearer inst1-3"));

    // GitHub revoking the token (401) gets a fresh one and one retry.
    valid.lock().unwrap().retain(|t| t != "inst1-3");
    assert_eq!(client.get_issue(&k8s, 1).await.unwrap().title, "kubernetes");
    assert_eq!(client.metrics().retries("unauthorized"), 1);

    // The bot is the App's bot account.
    let bot = client.bot_user().await.unwrap();
    assert_eq!(bot.login, "prow-bot[bot]");
    assert_eq!(bot.user_type, "Bot");

    // An organisation without the App.
    let err = client
        .get_issue(&RepoName::new("elsewhere", "x"), 1)
        .await
        .unwrap_err();
    assert!(matches!(err, GitHubError::Forbidden(m) if m.contains("not installed")));
    std::fs::remove_dir_all(key.parent().unwrap()).unwrap();
}

#[tokio::test]
async fn app_searches_use_the_named_org() {
    let fake = Fake::default();
    let clock = Arc::new(ManualClock::new(start()));
    app_world(&fake, clock.clone());
    let key = key_file();
    let client = client_with_clock(&fake, app_options(&key), clock).await;
    // The fake answers searches as it answers repositories: by the org in the path, which a
    // search lacks; what matters is the token used.
    let _ = client.find_issues("is:pr org:kubernetes-sigs").await;
    let search = fake
        .seen()
        .into_iter()
        .find(|s| s.uri.path().ends_with("/search/issues"))
        .unwrap();
    assert!(
        search
            .header("authorization")
            .unwrap()
            .starts_with("Bearer inst2-")
    );
    let err = client.find_issues("is:pr label:lgtm").await.unwrap_err();
    assert!(matches!(err, GitHubError::Unprocessable(_)), "{err:?}");
    std::fs::remove_dir_all(key.parent().unwrap()).unwrap();
}

#[tokio::test]
async fn bad_keys_fail_at_start() {
    let fake = Fake::default();
    let dir = std::env::temp_dir().join(format!("prow-bad-key-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("key.pem");
    std::fs::write(&path, "not a key").unwrap();
    let got = super::super::Client::with_parts(
        app_options(&path),
        fake.service(),
        Arc::new(ManualClock::new(start())),
    )
    .await;
    assert!(matches!(got, Err(super::super::ClientError::AppKey(_))));
    std::fs::remove_dir_all(&dir).unwrap();
}
