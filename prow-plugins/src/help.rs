//! The `/plugin-help` data: every plugin's help, where each is enabled, and the help of the
//! external plugins, in upstream's `pluginhelp.Help` JSON shape (what Deck's command help reads).
//!
//! As upstream's hook computes it: `RepoPlugins` maps each `plugins.yaml` key (org or
//! `org/repo`) to its plugin list and the key `""` to every registered plugin;
//! `RepoExternalPlugins` does the same for external plugins; `AllRepos` is every `org/repo`
//! key plus the repositories of every org key (given by the caller: upstream lists them from
//! GitHub); each plugin's help comes from [`Plugin::help_for`] with the repositories it is
//! enabled on, its `Events` filled in by the hook; external plugins are asked over HTTP
//! ([`ExternalClient::help`]) and those that fail or are late are left out.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use futures_util::future::join_all;
use prow_core::config::plugins::{ExternalPlugin, PluginsConfig};
use prow_core::github::RepoName;
use prow_core::traits::{EventKind, Plugin, PluginHelp};
use serde::{Deserialize, Serialize};

use crate::external::ExternalClient;

/// Each org's repositories, as `org/repo` full names: how org keys of `plugins.yaml` expand
/// to repositories. An org missing here expands to nothing (as upstream when listing its
/// repositories fails).
pub type OrgRepos = BTreeMap<String, BTreeSet<String>>;

/// All plugin help (upstream's `pluginhelp.Help`), served as JSON at `/plugin-help`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpResponse {
    /// Every repository that uses plugins, as `org/repo`, sorted (org keys expanded).
    #[serde(rename = "AllRepos")]
    pub all_repos: Vec<String>,
    /// Org or `org/repo` → the plugins `plugins.yaml` lists for it; `""` → every plugin.
    #[serde(rename = "RepoPlugins")]
    pub repo_plugins: BTreeMap<String, Vec<String>>,
    /// Org or `org/repo` → its external plugins; `""` → every external plugin.
    #[serde(rename = "RepoExternalPlugins")]
    pub repo_external_plugins: BTreeMap<String, Vec<String>>,
    /// Plugin name → its help.
    #[serde(rename = "PluginHelp")]
    pub plugin_help: BTreeMap<String, PluginHelp>,
    /// External plugin name → its help, for those that answered.
    #[serde(rename = "ExternalPluginHelp")]
    pub external_plugin_help: BTreeMap<String, PluginHelp>,
}

/// The names upstream's hook lists in a plugin's help `Events`, in upstream's order.
pub fn event_names(events: &[EventKind]) -> Vec<String> {
    const ORDER: [EventKind; 10] = [
        EventKind::Issue,
        EventKind::IssueComment,
        EventKind::PullRequest,
        EventKind::Push,
        EventKind::PullRequestReview,
        EventKind::PullRequestReviewComment,
        EventKind::Status,
        EventKind::GenericComment,
        EventKind::CheckRun,
        EventKind::CheckSuite,
    ];
    ORDER
        .iter()
        .filter(|kind| events.contains(kind))
        .map(|kind| kind.help_name().to_owned())
        .collect()
}

/// `org/repo` or a bare org as upstream's `config.NewOrgRepo` reads a key (`repo` empty).
fn org_repo(key: &str) -> RepoName {
    match key.split_once('/') {
        Some((org, repo)) => RepoName::new(org, repo),
        None => RepoName::new(key, ""),
    }
}

/// The repositories of an org key, sorted.
fn expand(org_repos: &OrgRepos, org: &str) -> Option<Vec<RepoName>> {
    org_repos
        .get(org)
        .map(|repos| repos.iter().map(|full| org_repo(full)).collect())
}

/// Builds the `/plugin-help` data for `plugins` (the registered plugins) under `config`.
///
/// `org_repos` expands org keys to their repositories. With `external`, external plugins
/// are asked for their help, all together within the client's help time limit.
pub async fn plugin_help(
    plugins: &[Arc<dyn Plugin>],
    config: &PluginsConfig,
    org_repos: &OrgRepos,
    external: Option<&ExternalClient>,
) -> HelpResponse {
    // Plugin name → the repositories it is enabled on (org keys expanded; a repo excluded
    // from its org still counts, as upstream does).
    let mut enabled: BTreeMap<&str, Vec<RepoName>> = BTreeMap::new();
    for (key, entry) in &config.plugins {
        let repos = if key.contains('/') {
            vec![org_repo(key)]
        } else {
            expand(org_repos, key).unwrap_or_default()
        };
        for plugin in &entry.plugins {
            enabled
                .entry(plugin)
                .or_default()
                .extend(repos.iter().cloned());
        }
    }
    let mut external_enabled: BTreeMap<&str, Vec<RepoName>> = BTreeMap::new();
    for (key, externals) in &config.external_plugins {
        let repos = expand(org_repos, key).unwrap_or_else(|| vec![org_repo(key)]);
        for plugin in externals {
            external_enabled
                .entry(&plugin.name)
                .or_default()
                .extend(repos.iter().cloned());
        }
    }

    let mut names: Vec<String> = plugins.iter().map(|p| p.name().to_owned()).collect();
    names.sort();
    names.dedup();
    let mut plugin_help = BTreeMap::new();
    for plugin in plugins {
        let repos = enabled.get(plugin.name()).map_or(&[][..], Vec::as_slice);
        let mut help = plugin.help_for(config, repos);
        help.events = event_names(plugin.events());
        plugin_help.insert(plugin.name().to_owned(), help);
    }

    // The last definition of a name wins, as upstream's map of external plugins.
    let mut externals: BTreeMap<&str, &ExternalPlugin> = BTreeMap::new();
    for plugin in config.external_plugins.values().flatten() {
        externals.insert(&plugin.name, plugin);
    }
    let external_plugin_help = match external {
        Some(client) => external_help(client, &externals, &external_enabled).await,
        None => BTreeMap::new(),
    };

    let mut repo_plugins = BTreeMap::from([(String::new(), names)]);
    for (key, entry) in &config.plugins {
        repo_plugins.insert(key.clone(), entry.plugins.clone());
    }
    let mut repo_external_plugins = BTreeMap::from([(
        String::new(),
        externals.keys().map(|name| (*name).to_owned()).collect(),
    )]);
    for (key, plugins) in &config.external_plugins {
        repo_external_plugins.insert(
            key.clone(),
            plugins.iter().map(|plugin| plugin.name.clone()).collect(),
        );
    }

    HelpResponse {
        all_repos: all_repos(config, org_repos),
        repo_plugins,
        repo_external_plugins,
        plugin_help,
        external_plugin_help,
    }
}

/// Every `org/repo` key, and the repositories of every org key.
fn all_repos(config: &PluginsConfig, org_repos: &OrgRepos) -> Vec<String> {
    let mut all = BTreeSet::new();
    for key in config.plugins.keys().chain(config.external_plugins.keys()) {
        if key.contains('/') {
            all.insert(key.clone());
        } else if let Some(repos) = org_repos.get(key) {
            all.extend(repos.iter().cloned());
        }
    }
    all.into_iter().collect()
}

/// Asks each external plugin for its help, concurrently, within the client's help time limit;
/// the help of those that answered in time, `Events` set from `plugins.yaml`.
async fn external_help(
    client: &ExternalClient,
    externals: &BTreeMap<&str, &ExternalPlugin>,
    enabled: &BTreeMap<&str, Vec<RepoName>>,
) -> BTreeMap<String, PluginHelp> {
    let answers = Arc::new(std::sync::Mutex::new(BTreeMap::new()));
    let asks = externals.iter().map(|(name, plugin)| {
        let answers = Arc::clone(&answers);
        let repos = enabled.get(name).map_or(&[][..], Vec::as_slice);
        async move {
            let endpoint = if plugin.endpoint.is_empty() {
                format!("http://{name}")
            } else {
                plugin.endpoint.clone()
            };
            match client.help(&endpoint, repos).await {
                Ok(mut help) => {
                    help.events = plugin.events.clone();
                    answers
                        .lock()
                        .unwrap_or_else(|poisoned| poisoned.into_inner())
                        .insert((*name).to_owned(), help);
                }
                Err(error) => tracing::error!(
                    external_plugin = %name,
                    %error,
                    "Getting help from external plugin."
                ),
            }
        }
    });
    let limit = client.options().help_timeout;
    if tokio::time::timeout(limit, join_all(asks)).await.is_err() {
        tracing::warn!(
            ?limit,
            "some external plugins did not send their help in time; left out"
        );
    }
    let answers = answers
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    answers.clone()
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::time::Duration;

    use async_trait::async_trait;
    use prow_core::traits::{PluginContext, PluginError, PluginEvent};

    use super::*;
    use crate::external::ExternalOptions;
    use crate::external::tests::{TestServer, closed_port, served_help};

    /// A plugin that only has help, and remembers the repositories it was asked about.
    struct HelpOnly {
        name: &'static str,
        events: Vec<EventKind>,
        help: PluginHelp,
        asked: Mutex<Option<Vec<String>>>,
    }

    #[async_trait]
    impl Plugin for HelpOnly {
        fn name(&self) -> &str {
            self.name
        }

        fn events(&self) -> &[EventKind] {
            &self.events
        }

        fn help(&self) -> PluginHelp {
            self.help.clone()
        }

        async fn handle(&self, _: &PluginContext, _: &PluginEvent) -> Result<(), PluginError> {
            Ok(())
        }

        fn help_for(&self, _plugins: &PluginsConfig, repos: &[RepoName]) -> PluginHelp {
            let mut asked: Vec<String> = repos.iter().map(RepoName::to_string).collect();
            asked.sort();
            *self.asked.lock().unwrap() = Some(asked);
            self.help.clone()
        }
    }

    fn help_only(
        name: &'static str,
        events: &[EventKind],
        description: &str,
        config: &[(&str, &str)],
    ) -> Arc<HelpOnly> {
        Arc::new(HelpOnly {
            name,
            events: events.to_vec(),
            help: PluginHelp {
                description: description.into(),
                config: config
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
                ..Default::default()
            },
            asked: Mutex::default(),
        })
    }

    fn sorted(mut names: Vec<String>) -> Vec<String> {
        names.sort();
        names
    }

    /// Upstream's `TestGeneratePluginHelp`, case for case.
    #[tokio::test]
    async fn help_lists_repos_plugins_their_help_and_external_help() {
        use EventKind::*;
        let server = TestServer::start().await;
        let closed = closed_port().await;
        let org_repos: OrgRepos = [
            ("org1", &["org1/repo1", "org1/repo2", "org1/repo3"][..]),
            ("org2", &["org2/repo1"][..]),
        ]
        .into_iter()
        .map(|(org, repos)| {
            (
                org.to_owned(),
                repos.iter().map(|r| r.to_string()).collect(),
            )
        })
        .collect();
        let plugins = [
            help_only(
                "org-plugin",
                &[IssueComment],
                "org-plugin",
                &[("", "overall config")],
            ),
            help_only(
                "repo-plugin1",
                &[Issue],
                "repo-plugin1",
                &[
                    ("org1/repo1", "repo1 config"),
                    ("org1/repo2", "repo2 config"),
                ],
            ),
            help_only("repo-plugin2", &[PullRequest], "repo-plugin2", &[]),
            help_only(
                "repo-plugin3",
                &[PullRequestReview, PullRequestReviewComment],
                "repo-plugin3",
                &[],
            ),
            help_only("no-help-plugin", &[IssueComment], "", &[]),
        ];
        let yaml = format!(
            "
plugins:
  org1: [org-plugin]
  org1/repo1: [repo-plugin1, no-help-plugin]
  org1/repo2: [repo-plugin1, repo-plugin2]
  org2/repo1: [repo-plugin3]
external_plugins:
  org1/repo1:
  - name: no-endpoint-external
    endpoint: http://{closed}
    events: [issue_comment]
  - name: no-help-external
    endpoint: {nohelp}
    events: [issue_comment]
  - name: helpful-external
    endpoint: {helpful}
    events: [pull_request, issue]
",
            nohelp = server.url("/nohelp"),
            helpful = server.url("/helpful"),
        );
        let config = PluginsConfig::from_yaml(&yaml).unwrap();
        let registered: Vec<Arc<dyn Plugin>> = plugins
            .iter()
            .map(|p| Arc::clone(p) as Arc<dyn Plugin>)
            .collect();
        let client = ExternalClient::new(ExternalOptions::default()).unwrap();
        let help = tokio::time::timeout(
            Duration::from_secs(60),
            plugin_help(&registered, &config, &org_repos, Some(&client)),
        )
        .await
        .expect("the test hung");

        assert_eq!(
            help.all_repos,
            ["org1/repo1", "org1/repo2", "org1/repo3", "org2/repo1"]
        );
        let want_repos_for_plugin: [(&str, &[&str]); 5] = [
            ("org-plugin", &["org1/repo1", "org1/repo2", "org1/repo3"]),
            ("repo-plugin1", &["org1/repo1", "org1/repo2"]),
            ("repo-plugin2", &["org1/repo2"]),
            ("repo-plugin3", &["org2/repo1"]),
            ("no-help-plugin", &["org1/repo1"]),
        ];
        for (plugin, want) in want_repos_for_plugin {
            let asked = plugins.iter().find(|p| p.name == plugin).unwrap();
            let asked = asked.asked.lock().unwrap().clone();
            let want: Vec<String> = want.iter().map(|r| r.to_string()).collect();
            assert_eq!(asked, Some(want), "{plugin}");
        }
        let want_plugins_for_repo: [(&str, &[&str]); 5] = [
            (
                "",
                &[
                    "no-help-plugin",
                    "org-plugin",
                    "repo-plugin1",
                    "repo-plugin2",
                    "repo-plugin3",
                ],
            ),
            ("org1", &["org-plugin"]),
            ("org1/repo1", &["no-help-plugin", "repo-plugin1"]),
            ("org1/repo2", &["repo-plugin1", "repo-plugin2"]),
            ("org2/repo1", &["repo-plugin3"]),
        ];
        let got: Vec<(String, Vec<String>)> = help
            .repo_plugins
            .clone()
            .into_iter()
            .map(|(k, v)| (k, sorted(v)))
            .collect();
        let want: Vec<(String, Vec<String>)> = want_plugins_for_repo
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.iter().map(|s| s.to_string()).collect()))
            .collect();
        assert_eq!(got, want);
        let externals = [
            "helpful-external",
            "no-endpoint-external",
            "no-help-external",
        ];
        assert_eq!(sorted(help.repo_external_plugins[""].clone()), externals);
        assert_eq!(
            sorted(help.repo_external_plugins["org1/repo1"].clone()),
            externals
        );
        assert_eq!(help.repo_external_plugins.len(), 2);

        let want_events: [(&str, &[&str]); 5] = [
            ("org-plugin", &["issue_comment"]),
            ("repo-plugin1", &["issue"]),
            ("repo-plugin2", &["pull_request"]),
            (
                "repo-plugin3",
                &["pull_request_review", "pull_request_review_comment"],
            ),
            ("no-help-plugin", &["issue_comment"]),
        ];
        for (plugin, events) in want_events {
            let got = &help.plugin_help[plugin];
            assert_eq!(got.events, events, "{plugin}");
            let mut rest = got.clone();
            rest.events.clear();
            let given = plugins.iter().find(|p| p.name == plugin).unwrap();
            assert_eq!(rest, given.help, "{plugin}");
        }
        assert_eq!(help.plugin_help.len(), 5);

        let mut want_external = served_help();
        want_external.events = vec!["pull_request".into(), "issue".into()];
        assert_eq!(
            help.external_plugin_help,
            BTreeMap::from([("helpful-external".to_owned(), want_external)])
        );
        let asked: Vec<_> = server
            .requests()
            .into_iter()
            .filter(|r| r.path == "/helpful/help")
            .map(|r| String::from_utf8(r.body.to_vec()).unwrap())
            .collect();
        assert_eq!(asked, [r#"[{"Org":"org1","Repo":"repo1"}]"#]);
    }

    #[tokio::test]
    async fn the_json_has_upstreams_shape() {
        let plugin = help_only(
            "hold",
            &[EventKind::GenericComment],
            "Holds a PR.",
            &[("", "none")],
        );
        let config = PluginsConfig::from_yaml(
            "plugins:\n  kubernetes: [hold]\nexternal_plugins:\n  kubernetes/test-infra:\n  - name: cherrypicker\n",
        )
        .unwrap();
        let help = plugin_help(
            &[plugin as Arc<dyn Plugin>],
            &config,
            &OrgRepos::new(),
            None,
        )
        .await;
        let json = serde_json::to_string(&help).unwrap();
        assert_eq!(
            json,
            concat!(
                r#"{"AllRepos":["kubernetes/test-infra"],"#,
                r#""RepoPlugins":{"":["hold"],"kubernetes":["hold"]},"#,
                r#""RepoExternalPlugins":{"":["cherrypicker"],"kubernetes/test-infra":["cherrypicker"]},"#,
                r#""PluginHelp":{"hold":{"Description":"Holds a PR.","Config":{"":"none"},"Events":["GenericCommentEvent (any event for user text)"]}},"#,
                r#""ExternalPluginHelp":{}}"#
            )
        );
        let back: HelpResponse = serde_json::from_str(&json).unwrap();
        assert_eq!(back, help);
    }

    #[test]
    fn events_are_named_in_upstreams_order() {
        use EventKind::*;
        assert_eq!(
            event_names(&[
                GenericComment,
                Status,
                PullRequestReview,
                Push,
                Issue,
                CheckRun
            ]),
            [
                "issue",
                "push",
                "pull_request_review",
                "status",
                "GenericCommentEvent (any event for user text)",
                "check_run"
            ]
        );
        assert!(event_names(&[]).is_empty());
    }
}
