//! `--executor`: what runs ProwJobs — local processes (the default; no cluster needed) or
//! Kubernetes pods in the build clusters of `--kubeconfig`.

use std::path::PathBuf;
use std::sync::Arc;

use prow_core::config::Config;
use prow_core::traits::JobExecutor;
use prow_jobs::executor::{KubeExecutor, LocalExecutor, LocalExecutorOptions};

/// An executor, as `--executor` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExecutorKind {
    /// Each job a local process in its own workspace.
    Local,
    /// Each job a pod, as upstream plank runs it.
    Kubernetes,
}

/// The executor flags.
#[derive(Debug, Clone, clap::Args)]
pub struct ExecutorFlags {
    /// What runs ProwJobs.
    #[arg(long, value_enum, default_value = "local")]
    pub executor: ExecutorKind,
    /// The local executor's directory: one workspace (clones, `build-log.txt`, artifacts)
    /// per job.
    #[arg(
        long = "workspace-dir",
        value_name = "DIR",
        default_value = "prow-workspaces"
    )]
    pub workspace_dir: PathBuf,
    /// Where the local executor clones repositories from when a job's refs name no
    /// `clone_uri` (`{base}/{org}/{repo}.git`).
    #[arg(
        long = "clone-base-url",
        value_name = "URL",
        default_value = "https://github.com"
    )]
    pub clone_base_url: String,
}

impl ExecutorFlags {
    /// Builds the executor; `kubeconfig` gives the build clusters of the Kubernetes one.
    pub async fn build(
        &self,
        config: &Config,
        kubeconfig: Option<&std::path::Path>,
    ) -> anyhow::Result<Arc<dyn JobExecutor>> {
        match self.executor {
            ExecutorKind::Local => {
                let mut options = LocalExecutorOptions::new(&self.workspace_dir);
                options.clone_base_url = self.clone_base_url.clone();
                Ok(Arc::new(LocalExecutor::new(options).map_err(|e| {
                    anyhow::anyhow!(
                        "setting up the local executor in {}: {e}",
                        self.workspace_dir.display()
                    )
                })?))
            }
            ExecutorKind::Kubernetes => {
                let mut executor = KubeExecutor::new(config.prow.pod_namespace.clone());
                let clusters = crate::kubeconfig::build_clusters(kubeconfig).await?;
                for (alias, client) in clusters.clients {
                    executor.add_cluster(alias, client);
                }
                for (alias, cluster) in clusters.aliases {
                    executor.add_alias(alias, cluster);
                }
                Ok(Arc::new(executor))
            }
        }
    }
}
