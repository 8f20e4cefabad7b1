//! Kubernetes clients from `--kubeconfig`: one per context, the context's name being the build
//! cluster alias (as upstream Prow names build clusters), plus `default` for the current
//! context; without a kubeconfig, the in-cluster or environment configuration is `default`.

use std::path::Path;

use anyhow::Context;
use kube::config::{KubeConfigOptions, Kubeconfig};

/// The build cluster alias every job without `cluster:` runs in.
pub const DEFAULT_ALIAS: &str = "default";

/// The build clusters of a kubeconfig.
pub struct BuildClusters {
    /// Clients by build cluster alias; the first is `default`.
    pub clients: Vec<(String, kube::Client)>,
    /// Second names: the current context's own name for `default`.
    pub aliases: Vec<(String, String)>,
}

/// The build clusters of `kubeconfig`.
pub async fn build_clusters(kubeconfig: Option<&Path>) -> anyhow::Result<BuildClusters> {
    let Some(path) = kubeconfig else {
        let config = kube::Config::infer()
            .await
            .context("no --kubeconfig given, and no in-cluster or KUBECONFIG configuration")?;
        let client = kube::Client::try_from(config).context("building the Kubernetes client")?;
        return Ok(BuildClusters {
            clients: vec![(DEFAULT_ALIAS.to_string(), client)],
            aliases: Vec::new(),
        });
    };
    let file = Kubeconfig::read_from(path)
        .with_context(|| format!("reading the kubeconfig {}", path.display()))?;
    let current = file.current_context.clone();
    let mut clients = Vec::new();
    let default_context = current
        .clone()
        .or_else(|| file.contexts.first().map(|c| c.name.clone()))
        .with_context(|| format!("{} names no context", path.display()))?;
    clients.push((
        DEFAULT_ALIAS.to_string(),
        client_for(&file, &default_context, path).await?,
    ));
    let mut aliases = Vec::new();
    for context in &file.contexts {
        if context.name == DEFAULT_ALIAS {
            continue;
        }
        if context.name == default_context {
            aliases.push((context.name.clone(), DEFAULT_ALIAS.to_string()));
        } else {
            clients.push((
                context.name.clone(),
                client_for(&file, &context.name, path).await?,
            ));
        }
    }
    Ok(BuildClusters { clients, aliases })
}

async fn client_for(file: &Kubeconfig, context: &str, path: &Path) -> anyhow::Result<kube::Client> {
    let options = KubeConfigOptions {
        context: Some(context.to_string()),
        ..KubeConfigOptions::default()
    };
    let config = kube::Config::from_custom_kubeconfig(file.clone(), &options)
        .await
        .with_context(|| format!("context {context:?} of {}", path.display()))?;
    kube::Client::try_from(config)
        .with_context(|| format!("building the client for context {context:?}"))
}
