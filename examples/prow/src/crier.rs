//! crier's flags, named as upstream's: which reporters run and with how many workers.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::Context;
use prow_core::config::Config;
use prow_core::config::prow::ProwConfig;
use prow_core::github::GitHubClient;
use prow_core::traits::JobStore;
use prow_jobs::crier::github::{GITHUB_REPORTER_NAME, GitHubReporter};
use prow_jobs::crier::slack::{
    DEFAULT_HOST_NAME, SLACK_REPORTER_NAME, SlackCredential, SlackReporter, SlackSecret,
};
use prow_jobs::crier::{ConfigGetter, Crier, CrierReporter};
use tokio::sync::watch;

use crate::flags::GitHubFlags;

/// The crier flags.
#[derive(Debug, Clone, clap::Args)]
pub struct CrierFlags {
    /// How many jobs the GitHub reporter reports at once; 0 turns it off.
    #[arg(long = "github-workers", default_value_t = 1, value_name = "N")]
    pub github_workers: usize,
    /// How many jobs the Slack reporter reports at once; 0 (the default) turns it off.
    #[arg(long = "slack-workers", default_value_t = 0, value_name = "N")]
    pub slack_workers: usize,
    /// File holding the Slack bot token of the default host (`chat.postMessage`).
    #[arg(long = "slack-token-file", value_name = "FILE")]
    pub slack_token_file: Option<PathBuf>,
    /// More Slack hosts' token files, as `host=path` (a job picks one with
    /// `reporter_config.slack.host`).
    #[arg(
        long = "additional-slack-token-files",
        value_name = "HOST=FILE",
        value_delimiter = ','
    )]
    pub additional_slack_token_files: Vec<String>,
    /// File holding a Slack incoming-webhook URL for the default host, instead of a token.
    #[arg(
        long = "slack-webhook-file",
        value_name = "FILE",
        conflicts_with = "slack_token_file"
    )]
    pub slack_webhook_file: Option<PathBuf>,
}

impl CrierFlags {
    /// The names of the reporters that run (plank marks superseded jobs as reported to
    /// each).
    pub fn reporter_names(&self) -> Vec<String> {
        let mut names = Vec::new();
        if self.github_workers > 0 {
            names.push(GITHUB_REPORTER_NAME.to_string());
        }
        if self.slack_workers > 0 {
            names.push(SLACK_REPORTER_NAME.to_string());
        }
        names
    }

    /// crier over `store`, with the reporters these flags turn on.
    pub async fn build(
        &self,
        store: Arc<dyn JobStore>,
        github: &GitHubFlags,
        config: watch::Receiver<Arc<Config>>,
    ) -> anyhow::Result<Crier> {
        let mut crier = Crier::new(Arc::clone(&store));
        if self.slack_workers > 0 {
            let mut reporter =
                SlackReporter::with_config_getter(prow_config_getter(config.clone()))
                    .context("setting up the Slack reporter")?;
            if let Some(path) = &self.slack_token_file {
                reporter =
                    reporter.with_host(DEFAULT_HOST_NAME, SlackCredential::Token(secret(path)?));
            }
            if let Some(path) = &self.slack_webhook_file {
                reporter =
                    reporter.with_host(DEFAULT_HOST_NAME, SlackCredential::Webhook(secret(path)?));
            }
            for entry in &self.additional_slack_token_files {
                let (host, path) = entry.split_once('=').with_context(|| {
                    format!("--additional-slack-token-files: {entry:?} is not host=path")
                })?;
                reporter = reporter.with_host(host, SlackCredential::Token(secret(path.as_ref())?));
            }
            crier = crier.with_reporter(
                CrierReporter::new(Arc::new(reporter)).with_workers(self.slack_workers),
            );
        }
        if self.github_workers > 0 {
            let client: Arc<dyn GitHubClient> = Arc::new(github.client().await?);
            let reporter = GitHubReporter::with_config_getter(client, prow_config_getter(config))
                .with_job_store(store);
            crier = crier.with_reporter(
                CrierReporter::new(Arc::new(reporter)).with_workers(self.github_workers),
            );
        }
        Ok(crier)
    }
}

fn secret(path: &Path) -> anyhow::Result<SlackSecret> {
    SlackSecret::from_file(path).with_context(|| format!("reading {}", path.display()))
}

/// The current `ProwConfig`, copied once per reload rather than once per report.
fn prow_config_getter(config: watch::Receiver<Arc<Config>>) -> ConfigGetter {
    let cached: Mutex<Option<(Arc<Config>, Arc<ProwConfig>)>> = Mutex::new(None);
    Arc::new(move || {
        let current = Arc::clone(&config.borrow());
        let mut cached = cached.lock().unwrap_or_else(|e| e.into_inner());
        match &*cached {
            Some((seen, prow)) if Arc::ptr_eq(seen, &current) => Arc::clone(prow),
            _ => {
                let prow = Arc::new(current.prow.clone());
                *cached = Some((current, Arc::clone(&prow)));
                prow
            }
        }
    })
}
