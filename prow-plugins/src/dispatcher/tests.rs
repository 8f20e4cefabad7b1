//! The dispatcher against the GitHub simulator: which plugins run for which events, generic
//! comments, isolation, replies to user errors, metrics, external plugins, the tower service.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use prow_core::config::Config;
use prow_core::config::plugins::PluginsConfig;
use prow_core::event::{Event, ReviewState};
use prow_core::github::{GitHubClient, Permission, RepoName};
use prow_core::traits::{
    Delivery, EventKind, Plugin, PluginContext, PluginError, PluginEvent, PluginHelp,
    PluginRequest, PluginService,
};
use prow_github::simulator::{Action, Call, SimWebhook, Simulator};
use prow_jobs::store::MemoryStore;
use tokio::sync::watch;
use tower::{Service, ServiceBuilder, ServiceExt};

use super::*;
use crate::external::tests::{TestServer, webhook_headers};

const BOT: &str = "k8s-ci-robot";

/// Guards a test against hanging (not a timing assertion).
async fn guard<F: Future>(future: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(3600), future)
        .await
        .expect("the test hung")
}

/// What a recording plugin saw.
#[derive(Clone, Debug, PartialEq)]
struct Seen {
    plugin: String,
    kind: EventKind,
    /// The generic comment's action and text, for generic comment calls.
    comment: Option<(String, String)>,
}

type Log = Arc<Mutex<Vec<Seen>>>;

fn seen(log: &Log) -> Vec<Seen> {
    log.lock().unwrap().clone()
}

/// What a test plugin does when called.
#[derive(Clone)]
enum Behaviour {
    /// Records the call.
    Record,
    /// Fails with an internal error.
    Fail,
    /// Panics.
    Panic,
    /// Sleeps for an hour.
    Sleep,
    /// Reports a user error with this text.
    Scold(&'static str),
    /// Adds the label `meow` to the issue or pull request.
    Label,
    /// Waits for a permit, then records.
    Gate(Arc<tokio::sync::Semaphore>),
}

struct TestPlugin {
    name: &'static str,
    events: Vec<EventKind>,
    behaviour: Behaviour,
    log: Log,
}

fn plugin(
    name: &'static str,
    events: &[EventKind],
    behaviour: Behaviour,
    log: &Log,
) -> Arc<dyn Plugin> {
    Arc::new(TestPlugin {
        name,
        events: events.to_vec(),
        behaviour,
        log: Arc::clone(log),
    })
}

fn recorder(name: &'static str, events: &[EventKind], log: &Log) -> Arc<dyn Plugin> {
    plugin(name, events, Behaviour::Record, log)
}

#[async_trait]
impl Plugin for TestPlugin {
    fn name(&self) -> &str {
        self.name
    }

    fn events(&self) -> &[EventKind] {
        &self.events
    }

    fn help(&self) -> PluginHelp {
        PluginHelp {
            description: format!("The {} test plugin.", self.name),
            ..Default::default()
        }
    }

    async fn handle(&self, ctx: &PluginContext, event: &PluginEvent) -> Result<(), PluginError> {
        let record = || {
            self.log.lock().unwrap().push(Seen {
                plugin: self.name.to_owned(),
                kind: event.kind,
                comment: event
                    .comment
                    .as_ref()
                    .map(|c| (c.action.as_str().to_owned(), c.body.clone())),
            })
        };
        match &self.behaviour {
            Behaviour::Record => record(),
            Behaviour::Fail => return Err(PluginError::internal("the job store is down")),
            Behaviour::Panic => panic!("plugin exploded"),
            Behaviour::Sleep => tokio::time::sleep(Duration::from_secs(3600)).await,
            Behaviour::Scold(text) => return Err(PluginError::User((*text).to_owned())),
            Behaviour::Label => {
                let full = event.event.repo().unwrap();
                let repo: RepoName = full.parse().unwrap();
                let number = place_of(&event.event).number.unwrap();
                ctx.github.add_label(&repo, number, "meow").await?;
            }
            Behaviour::Gate(gate) => {
                let _permit = gate.acquire().await.unwrap();
                record();
            }
        }
        Ok(())
    }
}

/// A simulated GitHub with `org/repo`, `org/other` and `elsewhere/repo`, where `alice` and
/// `bob` may write, and a dispatcher over it.
struct World {
    sim: Simulator,
    repo: RepoName,
    plugins_tx: watch::Sender<Arc<PluginsConfig>>,
    dispatcher: Dispatcher,
}

fn plugins_config(yaml: &str) -> Arc<PluginsConfig> {
    let mut config = PluginsConfig::from_yaml(yaml).unwrap();
    config.set_defaults();
    Arc::new(config)
}

impl World {
    fn new(yaml: &str, plugins: Vec<Arc<dyn Plugin>>) -> World {
        Self::with(yaml, plugins, |builder| builder)
    }

    fn with(
        yaml: &str,
        plugins: Vec<Arc<dyn Plugin>>,
        customize: impl FnOnce(DispatcherBuilder) -> DispatcherBuilder,
    ) -> World {
        let sim = Simulator::new(BOT);
        sim.add_org("org");
        sim.add_org("elsewhere");
        for repo in ["org/repo", "org/other", "elsewhere/repo"] {
            let repo: RepoName = repo.parse().unwrap();
            sim.create_repo(&repo, "master", [("README.md", "hello\n")])
                .unwrap();
            for user in ["alice", "bob"] {
                sim.add_collaborator(&repo, user, Permission::Write)
                    .unwrap();
            }
        }
        let (_config_tx, config) = watch::channel(Arc::new(Config::default()));
        let (plugins_tx, plugins_rx) = watch::channel(plugins_config(yaml));
        let builder = Dispatcher::builder(
            Arc::new(sim.clone()),
            Arc::new(MemoryStore::new()),
            config,
            plugins_rx,
        )
        .plugins(plugins)
        .external_options(ExternalOptions::default().with_retries(1, Duration::ZERO));
        let dispatcher = customize(builder).build().unwrap();
        sim.take_webhooks();
        World {
            sim,
            repo: RepoName::new("org", "repo"),
            plugins_tx,
            dispatcher,
        }
    }

    fn issue(&self, repo: &RepoName) -> u64 {
        let number = self
            .sim
            .open_issue_as("alice", repo, "A flake", "It flakes.", &[], &[])
            .unwrap();
        self.sim.take_webhooks();
        number
    }

    fn pull(&self) -> u64 {
        let number = self
            .sim
            .open_pull_request(
                &self.repo,
                "alice",
                "Fix",
                "Fixes it.",
                "fix",
                [("a.txt", "a\n")],
            )
            .unwrap();
        self.sim.take_webhooks();
        number
    }

    /// The last webhook of this type and action since the last call.
    fn webhook(&self, event_type: &str, action: Option<&str>) -> SimWebhook {
        let hooks = self.sim.take_webhooks();
        hooks
            .iter()
            .rev()
            .find(|w| w.event_type == event_type && w.action() == action)
            .cloned()
            .unwrap_or_else(|| {
                let got: Vec<_> = hooks.iter().map(|w| (&w.event_type, w.action())).collect();
                panic!("no {event_type} {action:?} webhook among {got:?}")
            })
    }

    async fn dispatch(&self, event_type: &str, action: Option<&str>) -> DispatchReport {
        let hook = self.webhook(event_type, action);
        guard(self.dispatcher.dispatch(delivery(&hook))).await
    }
}

fn delivery(hook: &SimWebhook) -> Delivery {
    let mut headers = webhook_headers();
    for (name, value) in &mut headers {
        match name.as_str() {
            "x-github-event" => *value = hook.event_type.clone(),
            "x-github-delivery" => *value = hook.delivery_id.clone(),
            _ => {}
        }
    }
    Delivery {
        id: hook.delivery_id.clone(),
        event_type: hook.event_type.clone(),
        payload: Arc::from(hook.body()),
        event: Arc::new(hook.parse().unwrap()),
        received_at: chrono::Utc::now(),
        headers,
    }
}

fn calls(report: &DispatchReport) -> Vec<(String, EventKind)> {
    report
        .calls()
        .into_iter()
        .map(|(plugin, kind)| (plugin.to_owned(), kind))
        .collect()
}

#[tokio::test]
async fn plugins_are_enabled_by_org_by_repo_and_not_in_excluded_repos() {
    struct Case {
        name: &'static str,
        yaml: &'static str,
        repo: &'static str,
        want: &'static [&'static str],
    }
    const MAP_FORM: &str = "
plugins:
  org:
    plugins: [org-wide]
    excluded_repos: [other]
  org/other:
    plugins: [repo-only]
  elsewhere/repo:
    plugins: [repo-only, org-wide]
";
    let cases = [
        Case {
            name: "an org entry enables a plugin on the org's repos",
            yaml: MAP_FORM,
            repo: "org/repo",
            want: &["org-wide"],
        },
        Case {
            name: "excluded_repos leaves a repo out, its own entry still counts",
            yaml: MAP_FORM,
            repo: "org/other",
            want: &["repo-only"],
        },
        Case {
            name: "a repo entry alone, in its own order",
            yaml: MAP_FORM,
            repo: "elsewhere/repo",
            want: &["repo-only", "org-wide"],
        },
        Case {
            name: "the legacy list form",
            yaml: "plugins:\n  org: [repo-only, org-wide]\n",
            repo: "org/other",
            want: &["repo-only", "org-wide"],
        },
        Case {
            name: "an org entry and a repo entry add up, without repeats",
            yaml: "plugins:\n  org: [org-wide]\n  org/repo: [repo-only, org-wide]\n",
            repo: "org/repo",
            want: &["org-wide", "repo-only"],
        },
        Case {
            name: "no entry, no plugins",
            yaml: "plugins:\n  org/repo: [org-wide]\n",
            repo: "elsewhere/repo",
            want: &[],
        },
    ];
    for case in cases {
        let log = Log::default();
        let world = World::new(
            case.yaml,
            vec![
                recorder("org-wide", &[EventKind::IssueComment], &log),
                recorder("repo-only", &[EventKind::IssueComment], &log),
            ],
        );
        let repo: RepoName = case.repo.parse().unwrap();
        let number = world.issue(&repo);
        world.sim.comment_as("bob", &repo, number, "hi").unwrap();
        let report = world.dispatch("issue_comment", Some("created")).await;
        let got: Vec<String> = report.plugins.iter().map(|r| r.plugin.clone()).collect();
        assert_eq!(got, case.want, "{}", case.name);
        let logged: Vec<String> = seen(&log).into_iter().map(|s| s.plugin).collect();
        let mut want: Vec<&str> = case.want.to_vec();
        want.sort();
        let mut logged_sorted = logged.clone();
        logged_sorted.sort();
        assert_eq!(logged_sorted, want, "{}", case.name);
    }
}

#[tokio::test]
async fn unknown_plugin_names_are_skipped_and_logged_once() {
    let log = Log::default();
    let world = World::new(
        "plugins:\n  org: [nope, known, also-nope]\n",
        vec![recorder("known", &[EventKind::IssueComment], &log)],
    );
    let number = world.issue(&world.repo);
    for _ in 0..2 {
        world
            .sim
            .comment_as("bob", &world.repo, number, "hi")
            .unwrap();
        let report = world.dispatch("issue_comment", Some("created")).await;
        assert_eq!(
            calls(&report),
            [("known".to_owned(), EventKind::IssueComment)]
        );
    }
    let logged = world
        .dispatcher
        .inner
        .unknown_logged
        .lock()
        .unwrap()
        .clone();
    assert_eq!(
        logged,
        HashSet::from(["nope".to_owned(), "also-nope".to_owned()])
    );
}

/// The world's moves for one event, and the webhook to dispatch.
struct EventCase {
    name: &'static str,
    act: fn(&World),
    event_type: &'static str,
    action: Option<&'static str>,
    /// The plugin called for the event's own kind.
    kind: (&'static str, EventKind),
    /// The generic comment's action and text, when the event carries one.
    generic: Option<(&'static str, &'static str)>,
}

fn event_cases() -> Vec<EventCase> {
    use EventKind::*;
    vec![
        EventCase {
            name: "an opened issue's body is a created generic comment",
            act: |w| {
                w.sim
                    .open_issue_as("alice", &w.repo, "A flake", "/kind flake", &[], &[])
                    .unwrap();
            },
            event_type: "issues",
            action: Some("opened"),
            kind: ("issues", Issue),
            generic: Some(("created", "/kind flake")),
        },
        EventCase {
            name: "an edited issue body is an edited generic comment",
            act: |w| {
                let n = w.issue(&w.repo);
                w.sim
                    .edit_body_as("alice", &w.repo, n, "/kind bug")
                    .unwrap();
            },
            event_type: "issues",
            action: Some("edited"),
            kind: ("issues", Issue),
            generic: Some(("edited", "/kind bug")),
        },
        EventCase {
            name: "closing an issue carries no text",
            act: |w| {
                let n = w.issue(&w.repo);
                w.sim.close_as("alice", &w.repo, n).unwrap();
            },
            event_type: "issues",
            action: Some("closed"),
            kind: ("issues", Issue),
            generic: None,
        },
        EventCase {
            name: "labeling an issue carries no text",
            act: |w| {
                let n = w.issue(&w.repo);
                w.sim.add_label_as("alice", &w.repo, n, "bug").unwrap();
            },
            event_type: "issues",
            action: Some("labeled"),
            kind: ("issues", Issue),
            generic: None,
        },
        EventCase {
            name: "a new issue comment is a created generic comment",
            act: |w| {
                let n = w.issue(&w.repo);
                w.sim.comment_as("bob", &w.repo, n, "/meow").unwrap();
            },
            event_type: "issue_comment",
            action: Some("created"),
            kind: ("comments", IssueComment),
            generic: Some(("created", "/meow")),
        },
        EventCase {
            name: "an edited issue comment is an edited generic comment",
            act: |w| {
                let n = w.issue(&w.repo);
                let id = w.sim.comment_as("bob", &w.repo, n, "/meow").unwrap();
                w.sim.edit_comment_as("bob", &w.repo, id, "/woof").unwrap();
            },
            event_type: "issue_comment",
            action: Some("edited"),
            kind: ("comments", IssueComment),
            generic: Some(("edited", "/woof")),
        },
        EventCase {
            name: "a deleted issue comment is a deleted generic comment",
            act: |w| {
                let n = w.issue(&w.repo);
                let id = w.sim.comment_as("bob", &w.repo, n, "/meow").unwrap();
                w.sim.delete_comment_as("bob", &w.repo, id).unwrap();
            },
            event_type: "issue_comment",
            action: Some("deleted"),
            kind: ("comments", IssueComment),
            generic: Some(("deleted", "/meow")),
        },
        EventCase {
            name: "an opened pull request's body is a created generic comment",
            act: |w| {
                w.sim
                    .open_pull_request(&w.repo, "alice", "Fix", "/cc @bob", "fix", [("a", "a\n")])
                    .unwrap();
            },
            event_type: "pull_request",
            action: Some("opened"),
            kind: ("prs", PullRequest),
            generic: Some(("created", "/cc @bob")),
        },
        EventCase {
            name: "an edited pull request body is an edited generic comment",
            act: |w| {
                let n = w.pull();
                w.sim.edit_body_as("alice", &w.repo, n, "/hold").unwrap();
            },
            event_type: "pull_request",
            action: Some("edited"),
            kind: ("prs", PullRequest),
            generic: Some(("edited", "/hold")),
        },
        EventCase {
            name: "new commits on a pull request carry no text",
            act: |w| {
                let n = w.pull();
                w.sim
                    .push_to_pull_request(&w.repo, n, [("b", "b\n")])
                    .unwrap();
            },
            event_type: "pull_request",
            action: Some("synchronize"),
            kind: ("prs", PullRequest),
            generic: None,
        },
        EventCase {
            name: "a submitted review's body is a created generic comment",
            act: |w| {
                let n = w.pull();
                w.sim
                    .review_as("bob", &w.repo, n, ReviewState::Commented, "/lgtm")
                    .unwrap();
            },
            event_type: "pull_request_review",
            action: Some("submitted"),
            kind: ("reviews", PullRequestReview),
            generic: Some(("created", "/lgtm")),
        },
        EventCase {
            name: "a dismissed review is a deleted generic comment",
            act: |w| {
                let n = w.pull();
                let id = w
                    .sim
                    .review_as("bob", &w.repo, n, ReviewState::Approved, "/approve")
                    .unwrap();
                w.sim.dismiss_review_as("alice", &w.repo, n, id).unwrap();
            },
            event_type: "pull_request_review",
            action: Some("dismissed"),
            kind: ("reviews", PullRequestReview),
            generic: Some(("deleted", "/approve")),
        },
        EventCase {
            name: "a review comment is a created generic comment",
            act: |w| {
                let n = w.pull();
                w.sim
                    .review_comment_as("bob", &w.repo, n, "a.txt", 1, "/hold")
                    .unwrap();
            },
            event_type: "pull_request_review_comment",
            action: Some("created"),
            kind: ("review-comments", PullRequestReviewComment),
            generic: Some(("created", "/hold")),
        },
        EventCase {
            name: "a push carries no text",
            act: |w| {
                w.sim
                    .push_as("alice", &w.repo, "master", [("c", "c\n")], "more")
                    .unwrap();
            },
            event_type: "push",
            action: None,
            kind: ("pushes", Push),
            generic: None,
        },
        EventCase {
            name: "a status carries no text",
            act: |w| {
                let sha = w.sim.resolve_ref(&w.repo, None).unwrap();
                let status = prow_core::github::Status {
                    state: "success".into(),
                    context: "ci".into(),
                    description: "ok".into(),
                    target_url: String::new(),
                };
                let client = w.sim.client_as("alice");
                futures_util::FutureExt::now_or_never(client.create_status(&w.repo, &sha, &status))
                    .expect("the simulator answers at once")
                    .unwrap();
            },
            event_type: "status",
            action: None,
            kind: ("statuses", Status),
            generic: None,
        },
    ]
}

#[tokio::test]
async fn each_event_reaches_its_kind_and_comments_also_reach_generic_comment_plugins() {
    use EventKind::*;
    const YAML: &str = "plugins:\n  org: [issues, comments, prs, reviews, review-comments, pushes, statuses, checks, generic]\n";
    for case in event_cases() {
        let log = Log::default();
        let world = World::new(
            YAML,
            vec![
                recorder("issues", &[Issue], &log),
                recorder("comments", &[IssueComment], &log),
                recorder("prs", &[PullRequest], &log),
                recorder("reviews", &[PullRequestReview], &log),
                recorder("review-comments", &[PullRequestReviewComment], &log),
                recorder("pushes", &[Push], &log),
                recorder("statuses", &[Status], &log),
                recorder("checks", &[CheckRun, CheckSuite], &log),
                recorder("generic", &[GenericComment], &log),
            ],
        );
        (case.act)(&world);
        let report = world.dispatch(case.event_type, case.action).await;

        let mut want = vec![(case.kind.0.to_owned(), case.kind.1)];
        if case.generic.is_some() {
            want.push(("generic".to_owned(), GenericComment));
        }
        assert_eq!(calls(&report), want, "{}", case.name);
        let generic: Vec<_> = seen(&log)
            .into_iter()
            .filter(|s| s.kind == GenericComment)
            .map(|s| s.comment)
            .collect();
        let want_generic: Vec<_> = case
            .generic
            .map(|(action, body)| Some((action.to_owned(), body.to_owned())))
            .into_iter()
            .collect();
        assert_eq!(generic, want_generic, "{}", case.name);
        // The own-kind call carries no generic comment.
        assert!(
            seen(&log)
                .iter()
                .filter(|s| s.kind != GenericComment)
                .all(|s| s.comment.is_none()),
            "{}",
            case.name
        );
        assert!(
            report
                .plugins
                .iter()
                .all(|r| r.outcome == PluginOutcome::Ok),
            "{}: {:?}",
            case.name,
            report.plugins
        );
    }
}

#[tokio::test]
async fn a_plugin_asking_for_a_kind_and_generic_comments_is_called_for_each() {
    let log = Log::default();
    let world = World::new(
        "plugins:\n  org: [both]\n",
        vec![recorder(
            "both",
            &[EventKind::GenericComment, EventKind::IssueComment],
            &log,
        )],
    );
    let n = world.issue(&world.repo);
    world
        .sim
        .comment_as("bob", &world.repo, n, "/meow")
        .unwrap();
    let report = world.dispatch("issue_comment", Some("created")).await;
    assert_eq!(
        calls(&report),
        [
            ("both".to_owned(), EventKind::IssueComment),
            ("both".to_owned(), EventKind::GenericComment)
        ]
    );
}

#[tokio::test]
async fn events_without_a_kind_reach_no_plugin() {
    let log = Log::default();
    let world = World::new(
        "plugins:\n  org: [generic]\n  \"\": [generic]\n",
        vec![recorder("generic", &[EventKind::GenericComment], &log)],
    );
    for (event_type, payload) in [
        (
            "organization",
            r#"{"action":"member_added","organization":{"login":"org"},"sender":{"login":"admin"}}"#,
        ),
        (
            "create",
            r#"{"ref":"feature","ref_type":"branch","repository":{"name":"repo","full_name":"org/repo","owner":{"login":"org"}},"sender":{"login":"alice"}}"#,
        ),
    ] {
        let delivery = raw_delivery(event_type, payload);
        let report = guard(world.dispatcher.dispatch(delivery)).await;
        assert!(report.plugins.is_empty(), "{event_type}: {report:?}");
    }
    assert!(seen(&log).is_empty());
}

fn raw_delivery(event_type: &str, payload: &str) -> Delivery {
    Delivery {
        id: format!("{event_type}-1"),
        event_type: event_type.to_owned(),
        payload: Arc::from(payload.as_bytes()),
        event: Arc::new(Event::parse(event_type, payload.as_bytes()).unwrap()),
        received_at: chrono::Utc::now(),
        headers: vec![("x-github-event".into(), event_type.into())],
    }
}

#[tokio::test(start_paused = true)]
async fn a_failing_panicking_or_hanging_plugin_leaves_the_others_alone() {
    use EventKind::GenericComment;
    let log = Log::default();
    let world = World::with(
        "plugins:\n  org: [failing, panicking, sleeping, labeling, recording]\n",
        vec![
            plugin("failing", &[GenericComment], Behaviour::Fail, &log),
            plugin("panicking", &[GenericComment], Behaviour::Panic, &log),
            plugin("sleeping", &[GenericComment], Behaviour::Sleep, &log),
            plugin("labeling", &[GenericComment], Behaviour::Label, &log),
            recorder("recording", &[GenericComment], &log),
        ],
        |builder| builder.timeout(Duration::from_secs(10)),
    );
    let n = world.issue(&world.repo);
    world
        .sim
        .comment_as("bob", &world.repo, n, "/meow")
        .unwrap();
    let report = world.dispatch("issue_comment", Some("created")).await;

    let outcomes: Vec<(&str, &PluginOutcome, bool)> = report
        .plugins
        .iter()
        .map(|r| (r.plugin.as_str(), &r.outcome, r.took_action))
        .collect();
    assert_eq!(
        outcomes,
        [
            (
                "failing",
                &PluginOutcome::Internal {
                    error: "the job store is down".into()
                },
                false
            ),
            (
                "panicking",
                &PluginOutcome::Panic {
                    message: "plugin exploded".into()
                },
                false
            ),
            ("sleeping", &PluginOutcome::Timeout, false),
            ("labeling", &PluginOutcome::Ok, true),
            ("recording", &PluginOutcome::Ok, false),
        ]
    );
    assert_eq!(world.sim.labels(&world.repo, n), ["meow"]);
    assert_eq!(seen(&log).len(), 1, "the recorder ran");

    // prow_plugin_handle_errors and the duration histogram, under upstream's labels.
    let metrics = world.dispatcher.metrics();
    for (plugin, took_action, errors) in [
        ("failing", false, 1),
        ("panicking", false, 1),
        ("sleeping", false, 1),
        ("labeling", true, 0),
        ("recording", false, 0),
    ] {
        let labels = ("issue_comment", "created", plugin, took_action);
        assert_eq!(
            metrics.handle_errors(labels.0, labels.1, labels.2, labels.3),
            errors,
            "{plugin}"
        );
        assert_eq!(
            metrics.handled(labels.0, labels.1, labels.2, labels.3),
            1,
            "{plugin}"
        );
    }
    let text = metrics.encode();
    assert!(
        text.contains("prow_plugin_handle_errors{event_type=\"issue_comment\",action=\"created\",plugin=\"panicking\",took_action=\"false\"} 1\n"),
        "{text}"
    );
}

#[tokio::test]
async fn the_action_label_is_the_events_or_the_generic_comments_or_none() {
    let log = Log::default();
    let world = World::new(
        "plugins:\n  org: [rec]\n",
        vec![recorder(
            "rec",
            &[
                EventKind::PullRequest,
                EventKind::Push,
                EventKind::GenericComment,
            ],
            &log,
        )],
    );
    world
        .sim
        .open_pull_request(&world.repo, "alice", "Fix", "body", "fix", [("a", "a\n")])
        .unwrap();
    world.dispatch("pull_request", Some("opened")).await;
    world
        .sim
        .push_as("alice", &world.repo, "master", [("c", "c\n")], "more")
        .unwrap();
    world.dispatch("push", None).await;

    let metrics = world.dispatcher.metrics();
    assert_eq!(metrics.handled("pull_request", "opened", "rec", false), 1);
    assert_eq!(metrics.handled("pull_request", "created", "rec", false), 1);
    assert_eq!(metrics.handled("push", "none", "rec", false), 1);
}

/// The footer of Prow's replies, spelled out.
const FOOTER: &str = "Instructions for interacting with me using PR comments are available [here](https://git.k8s.io/community/contributors/guide/pull-requests.md).  If you have questions or suggestions related to my behavior, please file an issue against the [kubernetes-sigs/prow](https://github.com/kubernetes-sigs/prow/issues/new?title=Prow%20issue:) repository.";

#[tokio::test]
async fn a_user_error_on_a_comment_is_answered_quoting_it() {
    let log = Log::default();
    let world = World::new(
        "plugins:\n  org: [scold]\n",
        vec![plugin(
            "scold",
            &[EventKind::GenericComment],
            Behaviour::Scold("you may not do that."),
            &log,
        )],
    );
    let n = world.issue(&world.repo);
    world
        .sim
        .comment_as("bob", &world.repo, n, "/scold\r\nplease")
        .unwrap();
    let hook = world.webhook("issue_comment", Some("created"));
    let url = hook.payload["comment"]["html_url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!url.is_empty());
    let report = guard(world.dispatcher.dispatch(delivery(&hook))).await;

    assert_eq!(
        report.outcome("scold", EventKind::GenericComment),
        Some(&PluginOutcome::Replied {
            message: "you may not do that.".into()
        })
    );
    let body = format!(
        "@bob: you may not do that.\n\n<details>\n\nIn response to [this]({url}):\n\n>/scold\r\n>please\n\n\n{FOOTER}\n</details>"
    );
    assert_eq!(
        world.sim.take_calls(),
        [Call::new(
            BOT,
            &world.repo,
            Some(n),
            Action::CreateComment { body }
        )]
    );
    assert!(report.plugins[0].took_action);
    let metrics = world.dispatcher.metrics();
    assert_eq!(
        metrics.handle_errors("issue_comment", "created", "scold", true),
        0
    );
    assert_eq!(
        metrics.handled("issue_comment", "created", "scold", true),
        1
    );
}

#[tokio::test]
async fn a_user_error_on_an_event_without_text_is_answered_to_its_sender() {
    let log = Log::default();
    let world = World::new(
        "plugins:\n  org: [scold]\n",
        vec![plugin(
            "scold",
            &[EventKind::PullRequest, EventKind::Push],
            Behaviour::Scold("that label is not allowed."),
            &log,
        )],
    );
    let n = world.pull();
    world
        .sim
        .add_label_as("bob", &world.repo, n, "nope")
        .unwrap();
    let hook = world.webhook("pull_request", Some("labeled"));
    let url = hook.payload["pull_request"]["html_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let report = guard(world.dispatcher.dispatch(delivery(&hook))).await;
    assert!(matches!(
        report.outcome("scold", EventKind::PullRequest),
        Some(PluginOutcome::Replied { .. })
    ));
    let body = format!(
        "@bob: that label is not allowed.\n\n<details>\n\nIn response to [this]({url}).\n\n{FOOTER}\n</details>"
    );
    assert_eq!(
        world.sim.take_calls(),
        [Call::new(
            BOT,
            &world.repo,
            Some(n),
            Action::CreateComment { body }
        )]
    );

    // A push has no issue or pull request to answer on.
    world
        .sim
        .push_as("alice", &world.repo, "master", [("c", "c\n")], "more")
        .unwrap();
    let report = world.dispatch("push", None).await;
    assert_eq!(
        report.outcome("scold", EventKind::Push),
        Some(&PluginOutcome::NotReplied {
            message: "that label is not allowed.".into(),
            reason: NoReply::NoIssue
        })
    );
    assert!(world.sim.take_calls().is_empty());
}

#[tokio::test]
async fn a_reply_github_refuses_counts_as_a_failure() {
    let log = Log::default();
    let world = World::new(
        "plugins:\n  org: [scold]\n",
        vec![plugin(
            "scold",
            &[EventKind::GenericComment],
            Behaviour::Scold("no."),
            &log,
        )],
    );
    let n = world.issue(&world.repo);
    world
        .sim
        .comment_as("bob", &world.repo, n, "/scold")
        .unwrap();
    world.sim.update_faults(|faults| {
        faults.fail_next = 1;
        faults.methods = vec!["create_comment".into()];
    });
    let report = world.dispatch("issue_comment", Some("created")).await;
    assert!(
        matches!(
            report.outcome("scold", EventKind::GenericComment),
            Some(PluginOutcome::NotReplied {
                reason: NoReply::Failed(_),
                ..
            })
        ),
        "{report:?}"
    );
    assert!(world.sim.take_calls().is_empty());
    let metrics = world.dispatcher.metrics();
    assert_eq!(
        metrics.handle_errors("issue_comment", "created", "scold", true),
        1
    );
}

#[tokio::test]
async fn the_bots_own_events_are_dispatched_but_never_argued_with() {
    let log = Log::default();
    let world = World::new(
        "plugins:\n  org: [rec, scold]\n",
        vec![
            recorder(
                "rec",
                &[EventKind::IssueComment, EventKind::GenericComment],
                &log,
            ),
            plugin(
                "scold",
                &[EventKind::GenericComment],
                Behaviour::Scold("no."),
                &log,
            ),
        ],
    );
    let n = world.issue(&world.repo);
    world.sim.comment_as(BOT, &world.repo, n, "/meow").unwrap();
    let report = world.dispatch("issue_comment", Some("created")).await;
    assert_eq!(
        calls(&report),
        [
            ("rec".to_owned(), EventKind::IssueComment),
            ("rec".to_owned(), EventKind::GenericComment),
            ("scold".to_owned(), EventKind::GenericComment),
        ]
    );
    assert_eq!(
        report.outcome("scold", EventKind::GenericComment),
        Some(&PluginOutcome::NotReplied {
            message: "no.".into(),
            reason: NoReply::BotsOwn
        })
    );
    assert!(world.sim.take_calls().is_empty());
    assert_eq!(seen(&log).len(), 2);
}

#[tokio::test]
async fn a_reloaded_plugins_yaml_applies_from_the_next_delivery() {
    let log = Log::default();
    let world = World::new(
        "plugins:\n  org: [first]\n",
        vec![
            recorder("first", &[EventKind::IssueComment], &log),
            recorder("second", &[EventKind::IssueComment], &log),
        ],
    );
    let n = world.issue(&world.repo);
    world.sim.comment_as("bob", &world.repo, n, "one").unwrap();
    let before = world.dispatch("issue_comment", Some("created")).await;
    world
        .plugins_tx
        .send(plugins_config("plugins:\n  org/repo: [second]\n"))
        .unwrap();
    world.sim.comment_as("bob", &world.repo, n, "two").unwrap();
    let after = world.dispatch("issue_comment", Some("created")).await;
    assert_eq!(
        calls(&before),
        [("first".to_owned(), EventKind::IssueComment)]
    );
    assert_eq!(
        calls(&after),
        [("second".to_owned(), EventKind::IssueComment)]
    );
}

#[tokio::test]
async fn the_service_answers_at_once_and_idle_waits_for_the_plugins() {
    let log = Log::default();
    let gate = Arc::new(tokio::sync::Semaphore::new(0));
    let world = World::new(
        "plugins:\n  org: [gated]\n",
        vec![plugin(
            "gated",
            &[EventKind::IssueComment],
            Behaviour::Gate(Arc::clone(&gate)),
            &log,
        )],
    );
    let n = world.issue(&world.repo);
    world.sim.comment_as("bob", &world.repo, n, "hi").unwrap();
    let hook = world.webhook("issue_comment", Some("created"));

    let mut service = world.dispatcher.clone();
    let answered: Result<(), Infallible> =
        guard(service.ready().await.unwrap().call(delivery(&hook))).await;
    assert!(answered.is_ok());
    assert_eq!(
        world.dispatcher.in_flight(),
        1,
        "dispatching in the background"
    );
    assert!(seen(&log).is_empty(), "the plugin is still waiting");

    gate.add_permits(1);
    guard(world.dispatcher.idle()).await;
    assert_eq!(world.dispatcher.in_flight(), 0);
    assert_eq!(seen(&log).len(), 1);
    // Idle with nothing in flight returns at once.
    guard(world.dispatcher.idle()).await;
}

/// A plugin served through a stock tower stack: [`PluginService`] under a timeout layer.
struct Layered {
    inner: Arc<dyn Plugin>,
    limit: Duration,
}

#[async_trait]
impl Plugin for Layered {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn events(&self) -> &[EventKind] {
        self.inner.events()
    }

    fn help(&self) -> PluginHelp {
        self.inner.help()
    }

    async fn handle(&self, ctx: &PluginContext, event: &PluginEvent) -> Result<(), PluginError> {
        let mut service = ServiceBuilder::new()
            .timeout(self.limit)
            .service(PluginService::new(Arc::clone(&self.inner)));
        let request = PluginRequest {
            context: ctx.clone(),
            event: event.clone(),
        };
        let called = match std::future::poll_fn(|cx| service.poll_ready(cx)).await {
            Ok(()) => service.call(request).await,
            Err(error) => Err(error),
        };
        called.map_err(|error| {
            if error.is::<tower::timeout::error::Elapsed>() {
                PluginError::Timeout
            } else {
                match error.downcast::<PluginError>() {
                    Ok(error) => *error,
                    Err(error) => PluginError::Internal(error),
                }
            }
        })
    }
}

#[tokio::test(start_paused = true)]
async fn a_plugin_in_a_tower_timeout_layer_times_out_by_the_layer() {
    let log = Log::default();
    let layered = |inner| -> Arc<dyn Plugin> {
        Arc::new(Layered {
            inner,
            limit: Duration::from_secs(1),
        })
    };
    let world = World::new(
        "plugins:\n  org: [sleeping, failing, recording]\n",
        vec![
            layered(plugin(
                "sleeping",
                &[EventKind::IssueComment],
                Behaviour::Sleep,
                &log,
            )),
            layered(plugin(
                "failing",
                &[EventKind::IssueComment],
                Behaviour::Fail,
                &log,
            )),
            layered(recorder("recording", &[EventKind::IssueComment], &log)),
        ],
    );
    assert_eq!(world.dispatcher.timeout(), DEFAULT_PLUGIN_TIMEOUT);
    let n = world.issue(&world.repo);
    world.sim.comment_as("bob", &world.repo, n, "hi").unwrap();
    let start = tokio::time::Instant::now();
    let report = world.dispatch("issue_comment", Some("created")).await;
    assert!(
        start.elapsed() < DEFAULT_PLUGIN_TIMEOUT,
        "the layer's limit applied"
    );
    let kind = EventKind::IssueComment;
    assert_eq!(
        report.outcome("sleeping", kind),
        Some(&PluginOutcome::Timeout)
    );
    assert_eq!(
        report.outcome("failing", kind),
        Some(&PluginOutcome::Internal {
            error: "the job store is down".into()
        })
    );
    assert_eq!(report.outcome("recording", kind), Some(&PluginOutcome::Ok));
}

#[tokio::test]
async fn external_plugins_get_the_webhook_by_org_repo_and_event() {
    let server = TestServer::start().await;
    let yaml = format!(
        "
external_plugins:
  org:
  - name: org-ext
    endpoint: {org}
    events: [issue_comment]
  org/repo:
  - name: repo-ext
    endpoint: {repo}
  \"\":
  - name: orgless-ext
    endpoint: {orgless}
",
        org = server.url("/org-ext"),
        repo = server.url("/repo-ext"),
        orgless = server.url("/orgless-ext"),
    );
    let world = World::new(&yaml, Vec::new());
    let other = RepoName::new("org", "other");

    struct Case {
        name: &'static str,
        want: &'static [&'static str],
    }
    let mut deliveries = Vec::new();
    let n = world.issue(&world.repo);
    world.sim.comment_as("bob", &world.repo, n, "hi").unwrap();
    deliveries.push((
        Case {
            name: "a comment on org/repo: the org's and the repo's",
            want: &["/org-ext", "/repo-ext"],
        },
        delivery(&world.webhook("issue_comment", Some("created"))),
    ));
    world
        .sim
        .add_label_as("bob", &world.repo, n, "bug")
        .unwrap();
    deliveries.push((
        Case {
            name: "an issues event on org/repo: the org's wants only comments",
            want: &["/repo-ext"],
        },
        delivery(&world.webhook("issues", Some("labeled"))),
    ));
    let m = world.issue(&other);
    world.sim.comment_as("bob", &other, m, "hi").unwrap();
    deliveries.push((
        Case {
            name: "a comment on org/other: the org's only",
            want: &["/org-ext"],
        },
        delivery(&world.webhook("issue_comment", Some("created"))),
    ));
    deliveries.push((
        Case {
            name: "an event without a repository: the \"\" entry's",
            want: &["/orgless-ext"],
        },
        raw_delivery(
            "organization",
            r#"{"action":"member_added","organization":{"login":"org"},"sender":{"login":"admin"}}"#,
        ),
    ));

    let mut before = 0;
    for (case, delivery) in deliveries {
        let report = guard(world.dispatcher.dispatch(delivery.clone())).await;
        assert!(
            report
                .external
                .iter()
                .all(|run| matches!(run.result, Ok(200))),
            "{}: {:?}",
            case.name,
            report.external
        );
        let requests = server.requests();
        let new = &requests[before..];
        before = requests.len();
        let mut paths: Vec<&str> = new.iter().map(|r| r.path.as_str()).collect();
        paths.sort();
        assert_eq!(paths, case.want, "{}", case.name);
        for request in new {
            assert_eq!(&request.body[..], &delivery.payload[..], "{}", case.name);
            let header = |name: &str| request.headers[name].to_str().unwrap().to_owned();
            assert_eq!(
                header("x-github-event"),
                delivery.event_type,
                "{}",
                case.name
            );
            assert_eq!(header("user-agent"), "ProwHook", "{}", case.name);
        }
    }
}

#[tokio::test]
async fn dispatcher_help_lists_the_registered_plugins() {
    let log = Log::default();
    let world = World::new(
        "plugins:\n  org: [rec]\n",
        vec![recorder(
            "rec",
            &[EventKind::GenericComment, EventKind::Issue],
            &log,
        )],
    );
    let org_repos = crate::help::OrgRepos::from([(
        "org".to_owned(),
        ["org/repo".to_owned(), "org/other".to_owned()].into(),
    )]);
    let help = guard(world.dispatcher.help(&org_repos)).await;
    assert_eq!(help.all_repos, ["org/other", "org/repo"]);
    assert_eq!(help.repo_plugins[""], ["rec"]);
    assert_eq!(
        help.plugin_help["rec"].events,
        ["issue", "GenericCommentEvent (any event for user text)"]
    );
}
