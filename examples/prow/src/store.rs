//! `--store`: which ProwJob store a command uses — the embedded SQLite file (the default), the
//! Kubernetes `prow.k8s.io/v1` custom resource, or memory (nothing kept; demos and tests).

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use anyhow::Context;
use prow_core::config::Config;
use prow_core::traits::JobStore;

/// A store, as `--store` names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreSpec {
    /// `sqlite:PATH`: one SQLite file.
    Sqlite(PathBuf),
    /// `kubernetes`: ProwJob custom resources in `prowjob_namespace`.
    Kubernetes,
    /// `memory`: held in this process only.
    Memory,
}

impl FromStr for StoreSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "kubernetes" => Ok(StoreSpec::Kubernetes),
            "memory" => Ok(StoreSpec::Memory),
            _ => match s.strip_prefix("sqlite:") {
                Some(path) if !path.is_empty() => Ok(StoreSpec::Sqlite(PathBuf::from(path))),
                _ => Err(format!(
                    "{s:?} is not a store: use sqlite:PATH, kubernetes or memory"
                )),
            },
        }
    }
}

/// The store flags.
#[derive(Debug, Clone, clap::Args)]
pub struct StoreFlags {
    /// Where ProwJobs live: `sqlite:PATH`, `kubernetes` (the ProwJob custom resource in
    /// `prowjob_namespace`) or `memory`.
    #[arg(long, value_name = "STORE", default_value = "sqlite:prow.db")]
    pub store: StoreSpec,
    /// Kubeconfig for `--store kubernetes` and `--executor kubernetes`; in a pod, the
    /// in-cluster config is used when unset.
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
}

impl StoreFlags {
    /// Opens the store.
    pub async fn open(&self, config: &Config) -> anyhow::Result<Arc<dyn JobStore>> {
        match &self.store {
            StoreSpec::Sqlite(path) => {
                let store = prow_jobs::store::SqliteStore::open(path)
                    .with_context(|| format!("opening the SQLite store {}", path.display()))?;
                Ok(Arc::new(store))
            }
            StoreSpec::Memory => Ok(Arc::new(prow_jobs::store::MemoryStore::new())),
            StoreSpec::Kubernetes => {
                let clusters =
                    crate::kubeconfig::build_clusters(self.kubeconfig.as_deref()).await?;
                let (_, client) = clusters
                    .clients
                    .into_iter()
                    .next()
                    .context("a Kubernetes client")?;
                Ok(Arc::new(prow_jobs::store::KubeStore::new(
                    client,
                    config.prow.prowjob_namespace.clone(),
                )))
            }
        }
    }
}
