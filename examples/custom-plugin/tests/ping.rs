//! The custom plugin runs beside Prow's own: one comment with `/ping` and `/hold` gets the
//! `pong` reply from `ping` and the hold label from the built-in `hold`, through the hook's
//! dispatcher, and `/plugin-help` lists `ping` with its command.

use std::sync::Arc;

use prow_core::config::Config;
use prow_core::config::plugins::PluginsConfig;
use prow_core::github::{Permission, RepoName};
use prow_core::traits::Delivery;
use prow_github::simulator::{Action, Files, Simulator};
use prow_jobs::store::MemoryStore;
use prow_plugins::dispatcher::Dispatcher;
use prow_plugins::help::OrgRepos;

#[tokio::test]
async fn ping_runs_beside_the_built_in_plugins() {
    let sim = Simulator::new(Simulator::DEFAULT_BOT);
    let repo = RepoName::new("org", "repo");
    sim.add_org("org");
    sim.create_repo(&repo, "master", Files::new().put("README.md", "hi\n"))
        .unwrap();
    sim.add_collaborator(&repo, "alice", Permission::Write)
        .unwrap();
    let number = sim
        .open_pull_request(
            &repo,
            "alice",
            "A change",
            "",
            "change",
            Files::new().put("a", "a\n"),
        )
        .unwrap();
    let plugins =
        PluginsConfig::load("plugins:\n  org/repo:\n    plugins: [ping, hold]\n").unwrap();
    let (_config_tx, config) = tokio::sync::watch::channel(Arc::new(Config::default()));
    let (_plugins_tx, plugins_config) = tokio::sync::watch::channel(Arc::new(plugins));
    let mut all = prow_plugins::plugins::builtin();
    all.push(Arc::new(custom_plugin::Ping));
    let hook = Dispatcher::builder(
        Arc::new(sim.clone()),
        Arc::new(MemoryStore::new()),
        config,
        plugins_config,
    )
    .plugins(all)
    .build()
    .unwrap();

    let mut webhooks = sim.subscribe();
    sim.comment_as("alice", &repo, number, "/ping\n/hold")
        .unwrap();
    let hook_event = webhooks.recv().await.unwrap();
    sim.take_calls();
    let report = hook
        .dispatch(Delivery {
            id: hook_event.delivery_id.clone(),
            event_type: hook_event.event_type.clone(),
            payload: Arc::from(hook_event.body()),
            event: Arc::new(hook_event.parse().unwrap()),
            received_at: chrono::Utc::now(),
            headers: Vec::new(),
        })
        .await;
    assert!(
        report.plugins.iter().all(|run| !run.outcome.is_failure()),
        "{report:?}"
    );

    let actions: Vec<Action> = sim.take_calls().into_iter().map(|c| c.action).collect();
    assert_eq!(actions.len(), 2, "{actions:#?}");
    assert!(actions.contains(&Action::AddLabel {
        label: "do-not-merge/hold".into()
    }));
    assert!(actions.iter().any(|a| matches!(
        a,
        Action::CreateComment { body } if body.starts_with("@alice: pong\n\n<details>")
    )));

    let help = hook.help(&OrgRepos::new()).await;
    let ping = &help.plugin_help["ping"];
    assert_eq!(ping.commands[0].usage, "/ping");
    assert_eq!(help.repo_plugins["org/repo"], vec!["ping", "hold"]);
}
