//! The Slack reporter against upstream's tables (`reporter_test.go`) and a Slack stand-in on
//! loopback that records every POST.

use std::collections::VecDeque;
use std::sync::Mutex;

use axum::body::Bytes as AxumBytes;
use axum::http::{HeaderMap, Uri};
use axum::response::IntoResponse;
use prow_core::prowjob::{ProwJobState, ProwJobType, Refs, ReporterConfig};
use prow_core::traits::JobStore;
use tokio::sync::mpsc;

use super::*;
use crate::crier::{Crier, CrierReporter};
use crate::store::MemoryStore;

/// One POST the stand-in received.
#[derive(Debug)]
struct Posted {
    path: String,
    content_type: String,
    body: String,
}

/// A scripted reply: status, headers, body.
type Reply = (u16, Vec<(&'static str, &'static str)>, &'static str);

/// A Slack stand-in: answers each POST with the next scripted reply (`200 {"ok":true}` when
/// none is left) and records it.
struct Slack {
    base: String,
    posts: mpsc::UnboundedReceiver<Posted>,
    replies: Arc<Mutex<VecDeque<Reply>>>,
}

impl Slack {
    async fn start() -> Slack {
        let (tx, posts) = mpsc::unbounded_channel();
        let replies: Arc<Mutex<VecDeque<Reply>>> = Arc::default();
        let script = Arc::clone(&replies);
        let app =
            axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap, body: AxumBytes| {
                let tx = tx.clone();
                let script = Arc::clone(&script);
                async move {
                    let _ = tx.send(Posted {
                        path: uri.path().to_owned(),
                        content_type: headers
                            .get("content-type")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_owned(),
                        body: String::from_utf8_lossy(&body).into_owned(),
                    });
                    let (status, headers, body) = script.lock().unwrap().pop_front().unwrap_or((
                        200,
                        vec![],
                        r#"{"ok":true}"#,
                    ));
                    let mut response = (
                        axum::http::StatusCode::from_u16(status).unwrap(),
                        body.to_owned(),
                    )
                        .into_response();
                    for (k, v) in headers {
                        response.headers_mut().insert(k, v.parse().unwrap());
                    }
                    response
                }
            });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Slack {
            base,
            posts,
            replies,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn webhook(&self, path: &str) -> SlackCredential {
        SlackCredential::Webhook(SlackSecret::new(self.url(path)))
    }

    fn posts(&mut self) -> Vec<Posted> {
        let mut out = Vec::new();
        while let Ok(p) = self.posts.try_recv() {
            out.push(p);
        }
        out
    }
}

fn cfg(entries: &[(&str, SlackConfig)]) -> ProwConfig {
    let mut c = ProwConfig::default();
    for (k, v) in entries {
        c.slack_reporter_configs.0.insert((*k).into(), v.clone());
    }
    c
}

fn slack_config(
    types: &[ProwJobType],
    states: &[ProwJobState],
    channel: &str,
    report: Option<bool>,
) -> SlackConfig {
    SlackConfig {
        job_types_to_report: types.to_vec(),
        job_states_to_report: states.to_vec(),
        channel: channel.into(),
        report,
        ..SlackConfig::default()
    }
}

fn pj(job_type: ProwJobType, state: ProwJobState, slack: Option<SlackReporterConfig>) -> ProwJob {
    let mut j = ProwJob::default();
    j.metadata.name = "abc".into();
    j.spec.job = "my-job".into();
    j.spec.type_ = Some(job_type);
    j.status.state = Some(state);
    j.status.url = "https://prow.example.com/view/abc".into();
    j.spec.reporter_config = slack.map(|s| ReporterConfig { slack: Some(s) });
    j
}

fn job_slack(channel: &str, states: Option<Vec<ProwJobState>>) -> SlackReporterConfig {
    SlackReporterConfig {
        channel: channel.into(),
        job_states_to_report: states,
        ..SlackReporterConfig::default()
    }
}

fn reporter(config: ProwConfig) -> SlackReporter {
    SlackReporter::new(Arc::new(config)).unwrap()
}

#[test]
fn should_report_table() {
    use ProwJobState::*;
    use ProwJobType::*;
    let cases: Vec<(&str, SlackConfig, ProwJob, bool)> = vec![
        (
            "Presubmit Job should report",
            slack_config(&[Presubmit], &[Success], "", None),
            pj(Presubmit, Success, None),
            true,
        ),
        (
            "Wrong job type  should not report",
            slack_config(&[Postsubmit], &[Success], "", None),
            pj(Presubmit, Success, None),
            false,
        ),
        (
            "Successful Job should report",
            slack_config(&[Postsubmit], &[Success], "", None),
            pj(Postsubmit, Success, None),
            true,
        ),
        (
            "Successful Job with report:false should not report",
            slack_config(&[Postsubmit], &[Success], "", Some(false)),
            pj(Postsubmit, Success, None),
            false,
        ),
        (
            "Successful Job with report:true should report",
            slack_config(&[Postsubmit], &[Success], "", Some(true)),
            pj(Postsubmit, Success, None),
            true,
        ),
        (
            "Empty job config settings negate global",
            slack_config(&[Postsubmit], &[Success], "", None),
            pj(Postsubmit, Success, Some(job_slack("", Some(vec![])))),
            false,
        ),
        (
            "Nil job config settings does not negate global",
            slack_config(&[Postsubmit], &[Success], "", None),
            pj(Postsubmit, Success, Some(job_slack("", None))),
            true,
        ),
        (
            "Successful Job should not report",
            slack_config(&[Postsubmit], &[Pending], "", None),
            pj(Postsubmit, Success, None),
            false,
        ),
        (
            "Job with channel config should ignore the JobTypesToReport config",
            slack_config(&[], &[Success], "", None),
            pj(
                Postsubmit,
                Success,
                Some(job_slack("whatever-channel", None)),
            ),
            true,
        ),
        (
            "JobStatesToReport in Job config should override the one in Prow config",
            slack_config(&[], &[Success], "", None),
            pj(
                Postsubmit,
                Failure,
                Some(job_slack("whatever-channel", Some(vec![Failure, Pending]))),
            ),
            true,
        ),
        (
            "Job with channel config but does not have matched state in Prow config should not report",
            slack_config(&[], &[Success], "", None),
            pj(
                Postsubmit,
                Pending,
                Some(job_slack("whatever-channel", None)),
            ),
            false,
        ),
        (
            "Job with channel and state config where the state does not match, should not report",
            slack_config(&[], &[Success], "", None),
            pj(
                Postsubmit,
                Success,
                Some(job_slack("whatever-channel", Some(vec![Failure, Pending]))),
            ),
            false,
        ),
        (
            "Empty config should not report",
            SlackConfig::default(),
            pj(Postsubmit, Success, None),
            false,
        ),
    ];
    for (name, config, job, want) in cases {
        let r = reporter(cfg(&[("*", config)]));
        assert_eq!(r.should_report(&job), want, "{name}");
    }
    let r = reporter(ProwConfig::default());
    assert!(
        !r.should_report(&pj(Postsubmit, Success, None)),
        "no config at all"
    );
    assert_eq!(r.name(), "slackreporter");
}

#[test]
fn reloads_config() {
    let current = Arc::new(Mutex::new(Arc::new(ProwConfig::default())));
    let getter = {
        let current = Arc::clone(&current);
        Arc::new(move || Arc::clone(&current.lock().unwrap())) as ConfigGetter
    };
    let r = SlackReporter::with_config_getter(getter).unwrap();
    let job = pj(ProwJobType::Postsubmit, ProwJobState::Failure, None);
    assert!(
        !r.should_report(&job),
        "did expect shouldReport to be false"
    );
    *current.lock().unwrap() = Arc::new(cfg(&[(
        "*",
        slack_config(
            &[ProwJobType::Postsubmit],
            &[ProwJobState::Failure],
            "",
            None,
        ),
    )]));
    assert!(
        r.should_report(&job),
        "did expect shouldReport to be true after config change"
    );
}

#[test]
fn should_report_defaults_to_extra_refs() {
    let mut job = pj(ProwJobType::Periodic, ProwJobState::Success, None);
    job.spec.extra_refs = vec![Refs {
        org: "org".into(),
        ..Refs::default()
    }];
    let r = reporter(cfg(&[(
        "org",
        slack_config(&[ProwJobType::Periodic], &[ProwJobState::Success], "", None),
    )]));
    assert!(r.should_report(&job));
}

fn with_refs(mut job: ProwJob, org: &str, repo: &str, extra: bool) -> ProwJob {
    let refs = Refs {
        org: org.into(),
        repo: repo.into(),
        ..Refs::default()
    };
    if extra {
        job.spec.extra_refs = vec![refs];
    } else {
        job.spec.refs = Some(refs);
    }
    job
}

fn channel_config(host: &str, channel: &str) -> SlackConfig {
    SlackConfig {
        host: host.into(),
        channel: channel.into(),
        ..SlackConfig::default()
    }
}

#[tokio::test]
async fn uses_channel_override_from_job() {
    let plain = || pj(ProwJobType::Postsubmit, ProwJobState::Success, None);
    let standard = || {
        vec![
            ("*", channel_config("", "global-default")),
            ("istio", channel_config("", "org-config")),
            ("istio/proxy", channel_config("", "org-repo-config")),
        ]
    };
    /// Name, configs, job, host posted to, channel in the payload.
    type Case<'a> = (
        &'a str,
        Vec<(&'a str, SlackConfig)>,
        ProwJob,
        &'a str,
        &'a str,
    );
    let cases: Vec<Case> = vec![
        (
            "No job-level config, use global default",
            vec![("*", channel_config("global-default-host", "global-default"))],
            plain(),
            "/global-default-host",
            "global-default",
        ),
        (
            "org/repo for ref exists in config, use it",
            vec![
                ("*", channel_config("", "global-default")),
                (
                    "istio/proxy",
                    channel_config("global-default-host", "org-repo-config"),
                ),
            ],
            with_refs(plain(), "istio", "proxy", false),
            "/global-default-host",
            "org-repo-config",
        ),
        (
            "org for ref exists in config, use it",
            vec![
                ("*", channel_config("", "global-default")),
                ("istio", channel_config("", "org-config")),
            ],
            with_refs(plain(), "istio", "proxy", false),
            "/default-host",
            "org-config",
        ),
        (
            "org/repo takes precedence over org",
            standard(),
            with_refs(plain(), "istio", "proxy", false),
            "/default-host",
            "org-repo-config",
        ),
        (
            "Job-level config present, use it",
            standard(),
            pj(
                ProwJobType::Postsubmit,
                ProwJobState::Success,
                Some(job_slack("team-a", None)),
            ),
            "/default-host",
            "team-a",
        ),
        (
            "No matching slack config",
            vec![
                ("istio", channel_config("", "org-config")),
                ("istio/proxy", channel_config("", "org-repo-config")),
            ],
            with_refs(plain(), "unknownorg", "unknownrepo", false),
            "/default-host",
            "",
        ),
        (
            "Refs unset but extra refs exist, use it",
            vec![("istio/proxy", channel_config("", "org-repo-config"))],
            with_refs(plain(), "istio", "proxy", true),
            "/default-host",
            "org-repo-config",
        ),
    ];
    let mut slack = Slack::start().await;
    for (name, configs, job, path, channel) in cases {
        let r = reporter(cfg(&configs))
            .with_host("*", slack.webhook("/default-host"))
            .with_host("global-default-host", slack.webhook("/global-default-host"));
        assert_eq!(
            r.report(&job).await.unwrap(),
            ReportOutcome::Reported,
            "{name}"
        );
        let posts = slack.posts();
        assert_eq!(posts.len(), 1, "{name}");
        assert_eq!(posts[0].path, path, "{name}");
        let payload: serde_json::Value = serde_json::from_str(&posts[0].body).unwrap();
        assert_eq!(
            payload
                .get("channel")
                .and_then(|c| c.as_str())
                .unwrap_or(""),
            channel,
            "{name}"
        );
    }
}

#[tokio::test]
async fn token_hosts_post_upstreams_chat_post_message_form() {
    let mut slack = Slack::start().await;
    let mut job = pj(ProwJobType::Periodic, ProwJobState::Success, None);
    job.spec.extra_refs = vec![Refs {
        org: "org".into(),
        ..Refs::default()
    }];
    let mut config = slack_config(
        &[ProwJobType::Periodic],
        &[ProwJobState::Success],
        "emercengy",
        None,
    );
    config.report_template = "there you go".into();
    let r = reporter(cfg(&[("org", config)]))
        .with_host("*", SlackCredential::Token(SlackSecret::new("xoxb-1/2+3")))
        .with_api_url(slack.url("/api/chat.postMessage"));
    assert_eq!(r.report(&job).await.unwrap(), ReportOutcome::Reported);
    let posts = slack.posts();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].path, "/api/chat.postMessage");
    assert_eq!(posts[0].content_type, "application/x-www-form-urlencoded");
    assert_eq!(
        posts[0].body,
        "channel=emercengy&icon_emoji=%3Aprow%3A&text=there+you+go&token=xoxb-1%2F2%2B3&username=prow"
    );

    // Slack's refusal comes back as upstream words it.
    slack.replies.lock().unwrap().push_back((
        200,
        vec![],
        r#"{"ok":false,"error":"channel_not_found"}"#,
    ));
    let err = r.report(&job).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "report failed: failed to write Slack message: failed to post message to emercengy: request failed: channel_not_found"
    );
    slack
        .replies
        .lock()
        .unwrap()
        .push_back((502, vec![], "<html>bad gateway</html>"));
    let err = r.report(&job).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("API returned invalid JSON (\"<html>bad gateway</html>\")"),
        "{err}"
    );
}

#[tokio::test]
async fn webhook_hosts_get_the_message_as_json() {
    let mut slack = Slack::start().await;
    let config = cfg(&[(
        "*",
        slack_config(
            &[ProwJobType::Presubmit],
            &[ProwJobState::Failure],
            "ci-alerts",
            None,
        ),
    )]);
    let r = reporter(config).with_host("*", slack.webhook("/services/T0/B0/x"));
    let job = pj(ProwJobType::Presubmit, ProwJobState::Failure, None);
    r.report(&job).await.unwrap();
    let posts = slack.posts();
    assert_eq!(posts[0].path, "/services/T0/B0/x");
    assert_eq!(posts[0].content_type, "application/json");
    // The default template, exactly upstream's.
    assert_eq!(
        posts[0].body,
        r#"{"channel":"ci-alerts","text":"Job my-job of type presubmit ended with state failure. <https://prow.example.com/view/abc|View logs>","username":"prow","icon_emoji":":prow:"}"#
    );

    slack
        .replies
        .lock()
        .unwrap()
        .push_back((404, vec![], "no_service"));
    let err = r.report(&job).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "report failed: failed to write Slack message: failed to post message to ci-alerts: request failed: 404 Not Found: no_service"
    );
}

#[tokio::test]
async fn report_templates_render_and_the_job_can_override_them() {
    let mut slack = Slack::start().await;
    let mut global = slack_config(
        &[ProwJobType::Periodic],
        &[ProwJobState::Failure],
        "c",
        None,
    );
    global.report_template =
        "{{.Spec.Job}} is {{.Status.State}}{{if .Spec.Refs}} on {{.Spec.Refs.Org}}{{end}}".into();
    let r = reporter(cfg(&[("*", global)])).with_host("*", slack.webhook("/hook"));
    let text = |posts: Vec<Posted>| -> String {
        let v: serde_json::Value = serde_json::from_str(&posts[0].body).unwrap();
        v["text"].as_str().unwrap().to_owned()
    };

    r.report(&pj(ProwJobType::Periodic, ProwJobState::Failure, None))
        .await
        .unwrap();
    assert_eq!(text(slack.posts()), "my-job is failure");

    let mut own = job_slack("", None);
    own.report_template = "custom: {{.ObjectMeta.Name}}".into();
    r.report(&pj(ProwJobType::Periodic, ProwJobState::Failure, Some(own)))
        .await
        .unwrap();
    assert_eq!(text(slack.posts()), "custom: abc");

    let mut broken = job_slack("", None);
    broken.report_template = "{{ if .Spec.Job }}".into();
    let err = r
        .report(&pj(
            ProwJobType::Periodic,
            ProwJobState::Failure,
            Some(broken),
        ))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot report prowjob: failed to parse template: template: :1: unexpected EOF"
    );
    assert!(slack.posts().is_empty());
}

#[tokio::test]
async fn an_unknown_host_is_refused_and_a_429_asks_to_retry() {
    let mut slack = Slack::start().await;
    let mut config = slack_config(
        &[ProwJobType::Periodic],
        &[ProwJobState::Failure],
        "c",
        None,
    );
    config.host = "other-workspace".into();
    let job = pj(ProwJobType::Periodic, ProwJobState::Failure, None);
    let r = reporter(cfg(&[("*", config.clone())])).with_host("*", slack.webhook("/hook"));
    assert_eq!(
        r.report(&job).await.unwrap_err().to_string(),
        "cannot report prowjob: host 'other-workspace' not supported"
    );

    let r = reporter(cfg(&[("*", config)])).with_host("other-workspace", slack.webhook("/hook"));
    slack
        .replies
        .lock()
        .unwrap()
        .push_back((429, vec![("retry-after", "7")], "rate_limited"));
    assert_eq!(
        r.report(&job).await.unwrap(),
        ReportOutcome::RetryAfter(Duration::from_secs(7))
    );
    assert_eq!(slack.posts().len(), 1);
}

#[tokio::test]
async fn crier_posts_once_per_reported_state_in_the_configured_states() {
    let mut slack = Slack::start().await;
    let config = cfg(&[(
        "*",
        slack_config(
            &[ProwJobType::Periodic],
            &[ProwJobState::Failure, ProwJobState::Error],
            "alerts",
            None,
        ),
    )]);
    let r = Arc::new(reporter(config).with_host("*", slack.webhook("/hook")));
    let store = Arc::new(MemoryStore::new());
    let crier = Crier::new(store.clone() as Arc<dyn JobStore>)
        .with_reporter(CrierReporter::new(r).with_workers(2));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let run = tokio::spawn(crier.run(async {
        let _ = stopped.await;
    }));

    let mut job = pj(ProwJobType::Periodic, ProwJobState::Pending, None);
    job = store.create(job).await.unwrap();
    job.status.state = Some(ProwJobState::Failure);
    store.update(job).await.unwrap();
    let post = tokio::time::timeout(Duration::from_secs(60), slack.posts.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        post.body,
        r#"{"channel":"alerts","text":"Job my-job of type periodic ended with state failure. <https://prow.example.com/view/abc|View logs>","username":"prow","icon_emoji":":prow:"}"#
    );
    tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            let stored = store.get("abc").await.unwrap();
            if stored.status.prev_report_states.get(SLACK_REPORTER_NAME)
                == Some(&ProwJobState::Failure)
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .unwrap();
    let _ = stop.send(());
    run.await.unwrap().unwrap();
    // Pending was not in job_states_to_report: the failure was the only post.
    assert!(slack.posts().is_empty());
}

#[test]
fn secrets_are_read_trimmed_and_never_shown() {
    let dir = std::env::temp_dir().join(format!("prow-slack-secret-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("token");
    std::fs::write(&path, "  xoxb-secret\n").unwrap();
    let secret = SlackSecret::from_file(&path).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(secret, SlackSecret::new("xoxb-secret"));
    assert_eq!(format!("{secret:?}"), "SlackSecret(<redacted>)");
    let cred = format!("{:?}", SlackCredential::Token(secret));
    assert!(!cred.contains("xoxb"), "{cred}");
}

#[test]
fn forms_are_encoded_as_go_encodes_them() {
    assert_eq!(
        go_form_encode(&[("a b", "x*y~z-_.é&=")]),
        "a+b=x%2Ay~z-_.%C3%A9%26%3D"
    );
}
