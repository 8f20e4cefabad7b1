//! `prow simulator`: the GitHub simulator as a standalone server on loopback, for local bot
//! development and black-box tests: GitHub's REST routes and the GraphQL search, seeded from a
//! YAML file, delivering its signed webhooks to a hook.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use prow_github::simulator::Simulator;
use prow_github::simulator::http::{HookTarget, SimulatorServer, WebhookDeliverer};

/// The flags of `prow simulator`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Port to listen on (0 picks a free one; the address is printed).
    #[arg(long, default_value_t = 8889)]
    pub port: u16,
    /// Address to bind (loopback by default: the simulator is for local use).
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// A seed file (see `prow-github/simulator-seed.example.yaml`): the orgs, members, teams,
    /// repositories, files, branches, pull requests, issues and labels to start with.
    #[arg(long, value_name = "FILE")]
    pub seed: Option<PathBuf>,
    /// Where to deliver the webhooks the simulator emits (e.g. `http://localhost:8888/hook`).
    #[arg(long = "hook-url", value_name = "URL", requires = "hmac_secret_file")]
    pub hook_url: Option<String>,
    /// The file holding the HMAC token the webhooks are signed with.
    #[arg(long = "hmac-secret-file", value_name = "FILE")]
    pub hmac_secret_file: Option<PathBuf>,
}

/// `prow simulator`.
pub fn main(args: &Args) -> ExitCode {
    crate::cli::block_on(
        async { run(args).await.map(|()| ExitCode::SUCCESS) },
        ExitCode::FAILURE,
    )
}

async fn run(args: &Args) -> anyhow::Result<()> {
    let sim = match &args.seed {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading seed {}", path.display()))?;
            Simulator::from_seed_yaml(&text)
                .with_context(|| format!("loading seed {}", path.display()))?
        }
        None => Simulator::default(),
    };
    let deliverer = match (&args.hook_url, &args.hmac_secret_file) {
        (Some(url), Some(secret_file)) => {
            let secret = std::fs::read_to_string(secret_file)
                .with_context(|| format!("reading {}", secret_file.display()))?;
            let secret = secret.trim();
            if secret.is_empty() {
                bail!("{} is empty", secret_file.display());
            }
            Some(WebhookDeliverer::start(
                &sim,
                HookTarget::new(url.clone(), secret.as_bytes()),
            ))
        }
        _ => None,
    };
    let server = SimulatorServer::start(sim, SocketAddr::new(args.bind, args.port))
        .await
        .with_context(|| format!("binding {}:{}", args.bind, args.port))?;
    println!("prow simulator: GitHub API at {}", server.base_url());
    tracing::info!(base_url = %server.base_url(), hook = ?args.hook_url, "simulating GitHub");
    crate::serve::shutdown_signal().await;
    drop(deliverer);
    server.shutdown().await.context("stopping")?;
    Ok(())
}
