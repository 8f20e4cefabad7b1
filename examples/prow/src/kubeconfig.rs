//! Kubernetes clients from `--kubeconfig`: one per context, the context's name being the build
//! cluster alias (as upstream Prow names build clusters), plus `default` for the current
//! context; without a kubeconfig, the in-cluster or environment configuration is `default`.

use std::path::Path;

use anyhow::Context;
use kube::config::{KubeConfigOptions, Kubeconfig};

/// The build cluster alias every job without `cluster:` runs in.
pub const DEFAULT_ALIAS: &str = "default";

/// Clients by build cluster alias; the first is `default`.
pub async fn clients(kubeconfig: Option<&Path>) -> anyhow::Result<Vec<(String, kube::Client)>> {
    let Some(path) = kubeconfig else {
        let config = kube::Config::infer()
            .await
            .context("no --kubeconfig given, and no in-cluster or KUBECONFIG configuration")?;
        let client = kube::Client::try_from(config).context("building the Kubernetes client")?;
        return Ok(vec![(DEFAULT_ALIAS.to_string(), client)]);
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
    for context in &file.contexts {
        if context.name != DEFAULT_ALIAS {
            clients.push((
                context.name.clone(),
                client_for(&file, &context.name, path).await?,
            ));
        }
    }
    Ok(clients)
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
