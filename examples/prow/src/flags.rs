//! Flag groups several commands share, named as upstream Prow's: the configuration paths,
//! the GitHub client, and (in `store`) the ProwJob store.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use prow_core::config::plugins::PluginsConfig;
use prow_core::config::{Config, LoadOptions, Loaded, load};
use prow_github::client::{Auth, Client, ClientOptions};

/// Where the configuration lives.
#[derive(Debug, Clone, clap::Args)]
pub struct ConfigFlags {
    /// Path to config.yaml.
    #[arg(long = "config-path", value_name = "FILE")]
    pub config_path: PathBuf,
    /// Path to the job config: a file, or a directory searched recursively.
    #[arg(long = "job-config-path", value_name = "PATH")]
    pub job_config_path: Option<PathBuf>,
}

impl ConfigFlags {
    /// Loads the configuration (and `plugins.yaml`, when given), logging every warning;
    /// any error fails with each one listed by file, line and field.
    pub fn load(&self, plugin_config: Option<PathBuf>) -> anyhow::Result<Loaded> {
        let loaded = load(&LoadOptions {
            config_path: self.config_path.clone(),
            job_config_path: self.job_config_path.clone(),
            plugin_config,
            strict: false,
        });
        for warning in &loaded.warnings {
            tracing::warn!(%warning, "configuration");
        }
        if !loaded.errors.is_empty() {
            let listed: Vec<String> = loaded.errors.iter().map(ToString::to_string).collect();
            bail!(
                "the configuration has {} error(s):\n  {}",
                listed.len(),
                listed.join("\n  ")
            );
        }
        Ok(loaded)
    }

    /// Loads config.yaml and the job config only.
    pub fn load_config(&self) -> anyhow::Result<Arc<Config>> {
        Ok(Arc::new(self.load(None)?.config))
    }
}

/// How to reach GitHub.
#[derive(Debug, Clone, clap::Args)]
pub struct GitHubFlags {
    /// GitHub's REST API (GitHub Enterprise: `https://HOST/api/v3`; the simulator's URL in a
    /// demo).
    #[arg(long = "github-endpoint", value_name = "URL", default_value = prow_github::client::DEFAULT_ENDPOINT)]
    pub github_endpoint: String,
    /// GitHub's GraphQL API; by default derived from `--github-endpoint` (`…/graphql`).
    #[arg(long = "github-graphql-endpoint", value_name = "URL")]
    pub github_graphql_endpoint: Option<String>,
    /// File holding a personal access token (re-read when it changes).
    #[arg(
        long = "github-token-path",
        value_name = "FILE",
        conflicts_with = "github_app_id"
    )]
    pub github_token_path: Option<PathBuf>,
    /// The GitHub App's ID (with `--github-app-private-key-path`).
    #[arg(
        long = "github-app-id",
        value_name = "ID",
        requires = "github_app_private_key_path"
    )]
    pub github_app_id: Option<u64>,
    /// The GitHub App's private key (PEM).
    #[arg(
        long = "github-app-private-key-path",
        value_name = "FILE",
        requires = "github_app_id"
    )]
    pub github_app_private_key_path: Option<PathBuf>,
    /// Make no change on GitHub: every write is logged instead.
    #[arg(long = "dry-run")]
    pub dry_run: bool,
}

impl GitHubFlags {
    /// The client options these flags describe.
    pub fn options(&self) -> ClientOptions {
        let endpoint = self.github_endpoint.trim_end_matches('/').to_string();
        let graphql_endpoint = self.github_graphql_endpoint.clone().unwrap_or_else(|| {
            if endpoint == prow_github::client::DEFAULT_ENDPOINT {
                prow_github::client::DEFAULT_GRAPHQL_ENDPOINT.to_string()
            } else if let Some(host) = endpoint.strip_suffix("/api/v3") {
                format!("{host}/api/graphql")
            } else {
                format!("{endpoint}/graphql")
            }
        });
        let auth = match (&self.github_token_path, self.github_app_id) {
            (Some(path), _) => Auth::TokenFile(path.clone()),
            (None, Some(app_id)) => Auth::App {
                app_id,
                private_key_path: self.github_app_private_key_path.clone().unwrap_or_default(),
            },
            (None, None) => Auth::Anonymous,
        };
        ClientOptions {
            endpoint,
            graphql_endpoint,
            auth,
            dry_run: self.dry_run,
            ..ClientOptions::default()
        }
    }

    /// A GitHub client.
    pub async fn client(&self) -> anyhow::Result<Client> {
        Client::new(self.options())
            .await
            .with_context(|| format!("setting up the GitHub client for {}", self.github_endpoint))
    }
}

/// Keeps the configuration current: loads it once (an error is fatal), then checks its files
/// every period and loads them again when one changed. A reload with errors is logged and
/// the configuration in use stays.
pub struct ConfigReloader {
    current: tokio::sync::watch::Receiver<Arc<Config>>,
    plugins: tokio::sync::watch::Receiver<Arc<PluginsConfig>>,
    task: tokio::task::JoinHandle<()>,
}

impl ConfigReloader {
    /// Loads the configuration and starts watching its files.
    pub fn start(
        flags: ConfigFlags,
        plugin_config: Option<PathBuf>,
        period: std::time::Duration,
    ) -> anyhow::Result<ConfigReloader> {
        let mut seen = fingerprint(&flags, plugin_config.as_deref());
        let loaded = flags.load(plugin_config.clone())?;
        let (send, current) = tokio::sync::watch::channel(Arc::new(loaded.config));
        let (send_plugins, plugins) =
            tokio::sync::watch::channel(Arc::new(loaded.plugins.unwrap_or_default()));
        let task = tokio::spawn(async move {
            let mut ticks = tokio::time::interval(period);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            ticks.tick().await;
            loop {
                ticks.tick().await;
                let now = fingerprint(&flags, plugin_config.as_deref());
                if now == seen {
                    continue;
                }
                seen = now;
                let (flags, plugins) = (flags.clone(), plugin_config.clone());
                match tokio::task::spawn_blocking(move || flags.load(plugins)).await {
                    Ok(Ok(loaded)) => {
                        tracing::info!("configuration reloaded");
                        if let Some(plugins) = loaded.plugins {
                            send_plugins.send_replace(Arc::new(plugins));
                        }
                        if send.send(Arc::new(loaded.config)).is_err() {
                            return;
                        }
                    }
                    Ok(Err(e)) => {
                        tracing::error!(error = %format!("{e:#}"), "configuration reload failed; keeping the one in use");
                    }
                    Err(e) => tracing::error!(error = %e, "configuration reload panicked"),
                }
            }
        });
        Ok(ConfigReloader {
            current,
            plugins,
            task,
        })
    }

    /// A receiver of the configuration in use, told of every reload.
    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<Arc<Config>> {
        self.current.clone()
    }

    /// A receiver of `plugins.yaml` in use (empty without `--plugin-config`), told of every
    /// reload.
    pub fn subscribe_plugins(&self) -> tokio::sync::watch::Receiver<Arc<PluginsConfig>> {
        self.plugins.clone()
    }
}

impl Drop for ConfigReloader {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Names, sizes and modification times of every configuration file, sorted.
fn fingerprint(
    flags: &ConfigFlags,
    plugin_config: Option<&std::path::Path>,
) -> Vec<(PathBuf, u64, Option<std::time::SystemTime>)> {
    let mut files = Vec::new();
    let mut roots = vec![flags.config_path.clone()];
    roots.extend(flags.job_config_path.clone());
    roots.extend(plugin_config.map(PathBuf::from));
    while let Some(path) = roots.pop() {
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            if let Ok(entries) = std::fs::read_dir(&path) {
                roots.extend(entries.filter_map(|e| e.ok()).map(|e| e.path()));
            }
        } else {
            files.push((path, meta.len(), meta.modified().ok()));
        }
    }
    files.sort();
    files
}
