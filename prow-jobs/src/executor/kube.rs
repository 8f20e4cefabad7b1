//! The Kubernetes executor: runs each ProwJob as a pod in its build cluster, as upstream
//! plank does, and reads the pod's phase back as the run's state.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kube::api::{ListParams, LogParams, PostParams};
use kube::core::Request;
use prow_core::prowjob::labels::{
    CREATED_BY_PROW, PLANK_VERSION_LABEL, PROW_JOB_ID_LABEL, labels_and_annotations_for_job,
};
use prow_core::prowjob::{DEFAULT_CLUSTER_ALIAS, JobSpec, ProwJob, ProwJobAgent, env_for_spec};
use prow_core::traits::{Execution, ExecutionState, ExecutorError, JobExecutor, RunInfo};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::kube::{api_code, api_message};

/// The name upstream gives the container of a single-container job, and the one whose log
/// a job's log is.
pub const TEST_CONTAINER_NAME: &str = "test";

/// The value of the `prow.k8s.io/plank-version` label on the pods this executor creates.
pub const PLANK_VERSION: &str = concat!("prow-rs-", env!("CARGO_PKG_VERSION"));

/// A [`JobExecutor`] that runs ProwJobs as Kubernetes pods, one `kube` client per build
/// cluster alias (`spec.cluster`, `default` when unset).
///
/// The pod is the job's `spec.pod_spec` as upstream plank builds an undecorated pod: named
/// after the ProwJob, in the job's `spec.namespace` (else the configured pod namespace),
/// `restartPolicy: Never`, the only container named `test`, Prow's job environment
/// (`JOB_SPEC`, `BUILD_ID`, `PULL_NUMBER`, …) appended to every container, the service
/// account token not mounted unless a service account is named, and Prow's labels and
/// annotations (`created-by-prow`, `prow.k8s.io/id`, `prow.k8s.io/job`, …).
///
/// Decoration is not done here: a job with a `decoration_config` runs its pod spec as an
/// undecorated job does, without the utility containers (clonerefs, initupload,
/// place-entrypoint, sidecar), so nothing clones its refs or uploads its artifacts.
///
/// The pod's phase maps to [`ExecutionState`] as plank reads it: `Pending` without a
/// `PodScheduled=True` condition is `Unscheduled`, `Pending` is `Pending`, `Running` is
/// `Running` (from the pod's `startTime`), `Succeeded` is `Succeeded` when every container
/// exited 0, `Failed` is `Failed` — or `Evicted` when the pod's reason is `Evicted` —,
/// `Unknown` is `Lost`, and a pod that vanished after it was created is `Lost`.
///
/// ```no_run
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// use prow_jobs::executor::KubeExecutor;
///
/// let executor = KubeExecutor::new("test-pods")
///     .with_cluster("default", kube::Client::try_default().await?);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct KubeExecutor {
    clusters: BTreeMap<String, kube::Client>,
    aliases: BTreeMap<String, String>,
    pod_namespace: String,
}

impl std::fmt::Debug for KubeExecutor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KubeExecutor")
            .field("clusters", &self.clusters.keys().collect::<Vec<_>>())
            .field("pod_namespace", &self.pod_namespace)
            .finish()
    }
}

impl KubeExecutor {
    /// An executor with no build cluster yet, creating pods in `pod_namespace` (Prow's
    /// `pod_namespace`) for jobs that name no namespace.
    pub fn new(pod_namespace: impl Into<String>) -> KubeExecutor {
        KubeExecutor {
            clusters: BTreeMap::new(),
            aliases: BTreeMap::new(),
            pod_namespace: pod_namespace.into(),
        }
    }

    /// Adds the build cluster `alias` (as jobs name it in `cluster`), reached by `client`.
    pub fn with_cluster(mut self, alias: impl Into<String>, client: kube::Client) -> KubeExecutor {
        self.add_cluster(alias, client);
        self
    }

    /// Adds (or replaces) the build cluster `alias`, reached by `client`.
    pub fn add_cluster(&mut self, alias: impl Into<String>, client: kube::Client) {
        self.clusters.insert(alias.into(), client);
    }

    /// Makes `alias` a second name of the build cluster `cluster` (a kubeconfig's current
    /// context is both `default` and its own name): jobs may use either, and the cluster's
    /// pods are listed once.
    pub fn add_alias(&mut self, alias: impl Into<String>, cluster: impl Into<String>) {
        self.aliases.insert(alias.into(), cluster.into());
    }

    /// The aliases of the build clusters this executor runs pods in (second names from
    /// [`KubeExecutor::add_alias`] not included).
    pub fn clusters(&self) -> impl Iterator<Item = &str> {
        self.clusters.keys().map(String::as_str)
    }

    /// The namespace pods of jobs without `spec.namespace` run in; also where
    /// [`JobExecutor::runs`] looks for pods.
    pub fn pod_namespace(&self) -> &str {
        &self.pod_namespace
    }

    /// The namespace `job`'s pod runs in.
    pub fn namespace_for(&self, job: &ProwJob) -> String {
        if job.spec.namespace.is_empty() {
            self.pod_namespace.clone()
        } else {
            job.spec.namespace.clone()
        }
    }

    fn client(&self, alias: &str) -> Result<&kube::Client, ExecutorError> {
        let cluster = self.aliases.get(alias).map_or(alias, String::as_str);
        self.clusters
            .get(cluster)
            .ok_or_else(|| ExecutorError::Unsupported(format!("unknown cluster alias {alias:?}")))
    }

    fn pods(namespace: &str) -> Request {
        Request::new(format!("/api/v1/namespaces/{namespace}/pods"))
    }

    async fn get_pod(&self, job: &ProwJob) -> Result<Result<PodView, kube::Error>, ExecutorError> {
        let client = self.client(job.cluster_alias())?;
        let request = Self::pods(&self.namespace_for(job))
            .get(&job.metadata.name, &Default::default())
            .map_err(|e| ExecutorError::Unsupported(e.to_string()))?;
        Ok(client.request::<PodView>(request).await)
    }
}

/// The pod upstream plank creates for an undecorated `job` in `namespace`, as JSON.
///
/// Fails with [`ExecutorError::Unsupported`] when the job has no pod spec, or lacks the refs
/// or pulls its type needs for Prow's environment.
pub fn pod_for_job(job: &ProwJob, namespace: &str) -> Result<Value, ExecutorError> {
    let name = &job.metadata.name;
    let pod_spec =
        job.spec.pod_spec.as_ref().ok_or_else(|| {
            ExecutorError::Unsupported(format!("prowjob {name:?} lacks a pod spec"))
        })?;
    let env = env_for_spec(&JobSpec::from_prowjob(job))
        .map_err(|e| ExecutorError::Unsupported(e.to_string()))?;

    let mut spec: Map<String, Value> = pod_spec.0.clone();
    spec.insert("restartPolicy".into(), json!("Never"));
    let named_account = spec
        .get("serviceAccountName")
        .and_then(Value::as_str)
        .is_some_and(|s| !s.is_empty());
    if !spec.contains_key("automountServiceAccountToken") && !named_account {
        spec.insert("automountServiceAccountToken".into(), json!(false));
    }
    let prow_env: Vec<Value> = env
        .iter()
        .map(|(name, value)| json!({ "name": name, "value": value }))
        .collect();
    if let Some(Value::Array(containers)) = spec.get_mut("containers") {
        let single = containers.len() == 1;
        for container in containers.iter_mut().filter_map(Value::as_object_mut) {
            if single {
                container.insert("name".into(), json!(TEST_CONTAINER_NAME));
            }
            match container.get_mut("env") {
                Some(Value::Array(vars)) => vars.extend(prow_env.iter().cloned()),
                _ => {
                    container.insert("env".into(), Value::Array(prow_env.clone()));
                }
            }
            fallback_termination_message(container);
        }
    }
    if let Some(Value::Array(containers)) = spec.get_mut("initContainers") {
        for container in containers.iter_mut().filter_map(Value::as_object_mut) {
            fallback_termination_message(container);
        }
    }

    let (mut labels, annotations) = labels_and_annotations_for_job(job);
    labels.insert(PLANK_VERSION_LABEL.to_string(), PLANK_VERSION.to_string());
    Ok(json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": labels,
            "annotations": annotations,
        },
        "spec": spec,
    }))
}

/// Upstream's default: a failed container's log tail becomes its termination message.
fn fallback_termination_message(container: &mut Map<String, Value>) {
    let unset = container
        .get("terminationMessagePolicy")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty);
    if unset {
        container.insert(
            "terminationMessagePolicy".into(),
            json!("FallbackToLogsOnError"),
        );
    }
}

/// The parts of a pod the executor reads.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct PodView {
    metadata: PodMeta,
    spec: PodSpecView,
    status: PodStatus,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct PodMeta {
    name: String,
    labels: BTreeMap<String, String>,
    creation_timestamp: Option<DateTime<Utc>>,
    deletion_timestamp: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct PodSpecView {
    containers: Vec<Named>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
struct Named {
    name: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct PodStatus {
    phase: String,
    reason: String,
    start_time: Option<DateTime<Utc>>,
    conditions: Vec<Condition>,
    container_statuses: Vec<ContainerStatus>,
    init_container_statuses: Vec<ContainerStatus>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
struct Condition {
    #[serde(rename = "type")]
    type_: String,
    status: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
struct ContainerStatus {
    state: ContainerState,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
struct ContainerState {
    terminated: Option<Terminated>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Terminated {
    reason: String,
    exit_code: i32,
    finished_at: Option<DateTime<Utc>>,
}

impl PodView {
    fn all_container_statuses(&self) -> impl Iterator<Item = &ContainerStatus> {
        self.status
            .container_statuses
            .iter()
            .chain(&self.status.init_container_statuses)
    }

    /// When the last container terminated, if any did.
    fn finished(&self) -> Option<DateTime<Utc>> {
        self.all_container_statuses()
            .filter_map(|c| c.state.terminated.as_ref()?.finished_at)
            .max()
    }

    /// The container whose log is the job's: `test` if there is one, else the first.
    fn log_container(&self) -> Option<&str> {
        let names = || self.spec.containers.iter().map(|c| c.name.as_str());
        names()
            .find(|n| *n == TEST_CONTAINER_NAME)
            .or_else(|| names().next())
    }
}

/// Where the run of a pod stands, as plank reads its phase.
fn execution(pod: &PodView) -> Execution {
    let (state, description) = state_of(pod);
    Execution {
        state,
        description: description.to_string(),
        name: pod.metadata.name.clone(),
        started: pod.status.start_time,
    }
}

/// The pod reason upstream reads as eviction.
const EVICTED: &str = "Evicted";
/// The pod reason of a pod whose node stopped answering.
const NODE_LOST: &str = "NodeLost";
/// The container termination reason of a container killed for lack of memory.
const OOM_KILLED: &str = "OOMKilled";

fn state_of(pod: &PodView) -> (ExecutionState, &'static str) {
    let status = &pod.status;
    if status.reason == EVICTED {
        return (
            ExecutionState::Evicted,
            "Job pod was evicted by the cluster.",
        );
    }
    if status.reason == NODE_LOST && pod.metadata.deletion_timestamp.is_some() {
        return (
            ExecutionState::Lost,
            "Job pod stopped unexpectedly (unreachable).",
        );
    }
    let deleted = pod.metadata.deletion_timestamp.is_some();
    match status.phase.as_str() {
        "Succeeded" => {
            let all_finished = pod.all_container_statuses().all(|c| {
                c.state
                    .terminated
                    .as_ref()
                    .is_some_and(|t| t.exit_code == 0 && t.finished_at.is_some())
            });
            if all_finished {
                (ExecutionState::Succeeded, "Job succeeded.")
            } else {
                (
                    ExecutionState::Failed,
                    "Pod was in succeeded phase but some containers didn't finish",
                )
            }
        }
        "Failed" => (ExecutionState::Failed, "Job failed."),
        "Unknown" => (
            ExecutionState::Lost,
            "Job pod stopped unexpectedly (unknown).",
        ),
        _ if deleted => (ExecutionState::Lost, "Pod got deleted unexpectedly"),
        "Running" => {
            let oom = pod.all_container_statuses().any(|c| {
                c.state
                    .terminated
                    .as_ref()
                    .is_some_and(|t| t.reason == OOM_KILLED)
            });
            if oom {
                (
                    ExecutionState::Failed,
                    "Job pod was OOM killed by the cluster.",
                )
            } else {
                (ExecutionState::Running, "Job triggered.")
            }
        }
        "Pending" | "" => {
            let scheduled = status
                .conditions
                .iter()
                .any(|c| c.type_ == "PodScheduled" && c.status == "True");
            if scheduled {
                (ExecutionState::Pending, "Job triggered.")
            } else {
                (ExecutionState::Unscheduled, "Job triggered.")
            }
        }
        _ => (
            ExecutionState::Lost,
            "Job pod stopped unexpectedly (unknown).",
        ),
    }
}

/// A client error of a pod request about `job` as an executor error.
fn pod_error(job: &str, error: kube::Error) -> ExecutorError {
    match api_code(&error) {
        Some(404) => ExecutorError::NotFound(job.to_string()),
        Some(400 | 403 | 422) => {
            ExecutorError::Unsupported(format!("Pod can not be created: {}", api_message(&error)))
        }
        _ => ExecutorError::Backend(api_message(&error)),
    }
}

fn request_error(error: kube::core::request::Error) -> ExecutorError {
    ExecutorError::Unsupported(error.to_string())
}

#[async_trait]
impl JobExecutor for KubeExecutor {
    async fn start(&self, job: &ProwJob) -> Result<Execution, ExecutorError> {
        if let Some(agent) = &job.spec.agent
            && *agent != ProwJobAgent::Kubernetes
        {
            return Err(ExecutorError::Unsupported(format!(
                "agent {:?} does not run as a pod",
                agent.as_str()
            )));
        }
        let client = self.client(job.cluster_alias())?;
        let namespace = self.namespace_for(job);
        let pod = pod_for_job(job, &namespace)?;
        let body = serde_json::to_vec(&pod).map_err(|e| ExecutorError::Backend(e.to_string()))?;
        let request = Self::pods(&namespace)
            .create(&PostParams::default(), body)
            .map_err(request_error)?;
        match client.request::<PodView>(request).await {
            Ok(pod) => {
                tracing::info!(job = %job.metadata.name, %namespace, cluster = job.cluster_alias(), "created pod");
                Ok(execution(&pod))
            }
            // Started before: report on the pod that exists.
            Err(error) if api_code(&error) == Some(409) => self.status(job).await,
            Err(error) => Err(pod_error(&job.metadata.name, error)),
        }
    }

    async fn status(&self, job: &ProwJob) -> Result<Execution, ExecutorError> {
        match self.get_pod(job).await? {
            Ok(pod) => Ok(execution(&pod)),
            Err(error) if api_code(&error) == Some(404) => {
                if job.status.pod_name.is_empty() {
                    Err(ExecutorError::NotFound(job.metadata.name.clone()))
                } else {
                    Ok(Execution {
                        state: ExecutionState::Lost,
                        description: "Pod got deleted unexpectedly".into(),
                        name: job.status.pod_name.clone(),
                        started: None,
                    })
                }
            }
            Err(error) => Err(ExecutorError::Backend(api_message(&error))),
        }
    }

    async fn abort(&self, job: &ProwJob) -> Result<(), ExecutorError> {
        let client = self.client(job.cluster_alias())?;
        let request = Self::pods(&self.namespace_for(job))
            .delete(&job.metadata.name, &Default::default())
            .map_err(request_error)?;
        match client.request_text(request).await {
            Ok(_) => Ok(()),
            Err(error) if api_code(&error) == Some(404) => Ok(()),
            Err(error) => Err(ExecutorError::Backend(api_message(&error))),
        }
    }

    async fn logs(&self, job: &ProwJob) -> Result<String, ExecutorError> {
        let pod = self
            .get_pod(job)
            .await?
            .map_err(|e| pod_error(&job.metadata.name, e))?;
        let params = LogParams {
            container: pod.log_container().map(str::to_string),
            ..LogParams::default()
        };
        let request = Self::pods(&self.namespace_for(job))
            .logs(&job.metadata.name, &params)
            .map_err(request_error)?;
        self.client(job.cluster_alias())?
            .request_text(request)
            .await
            .map_err(|e| match pod_error(&job.metadata.name, e) {
                ExecutorError::Unsupported(message) => ExecutorError::Backend(message),
                other => other,
            })
    }

    async fn runs(&self) -> Result<Vec<RunInfo>, ExecutorError> {
        let mut runs = Vec::new();
        for (alias, client) in &self.clusters {
            let params = ListParams::default().labels(&format!("{CREATED_BY_PROW}=true"));
            let request = Self::pods(&self.pod_namespace)
                .list(&params)
                .map_err(request_error)?;
            #[derive(Deserialize)]
            struct PodList {
                #[serde(default)]
                items: Vec<PodView>,
            }
            let list: PodList = client
                .request(request)
                .await
                .map_err(|e| ExecutorError::Backend(api_message(&e)))?;
            for pod in list.items {
                let Some(created) = pod.metadata.creation_timestamp else {
                    tracing::warn!(pod = %pod.metadata.name, "pod without a creation time");
                    continue;
                };
                let done = matches!(pod.status.phase.as_str(), "Succeeded" | "Failed");
                let finished =
                    done.then(|| pod.finished().or(pod.status.start_time).unwrap_or(created));
                runs.push(RunInfo {
                    job: pod.metadata.labels.get(PROW_JOB_ID_LABEL).cloned(),
                    name: pod.metadata.name,
                    cluster: alias.clone(),
                    created,
                    finished,
                });
            }
        }
        Ok(runs)
    }

    async fn delete_run(&self, run: &RunInfo) -> Result<(), ExecutorError> {
        let alias = if run.cluster.is_empty() {
            DEFAULT_CLUSTER_ALIAS
        } else {
            &run.cluster
        };
        let client = self
            .clusters
            .get(alias)
            .ok_or_else(|| ExecutorError::NotFound(run.name.clone()))?;
        let request = Self::pods(&self.pod_namespace)
            .delete(&run.name, &Default::default())
            .map_err(request_error)?;
        client
            .request_text(request)
            .await
            .map(drop)
            .map_err(|e| pod_error(&run.name, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::FakeApiServer;
    use crate::store::conformance::sample_job;
    use prow_core::prowjob::labels::PROW_BUILD_ID_LABEL;

    const NS: &str = "test-pods";

    async fn fake() -> (FakeApiServer, KubeExecutor) {
        let server = FakeApiServer::start()
            .await
            .expect("fake API server starts");
        let executor = KubeExecutor::new("pods-default").with_cluster("default", server.client());
        (server, executor)
    }

    /// A presubmit as plank hands it over: build ID set, to run in `test-pods`.
    fn job(name: &str) -> ProwJob {
        let mut job = sample_job(name, "unit", "presubmit", "triggered");
        job.status.build_id = "1234".into();
        job
    }

    fn env_of(container: &Value) -> BTreeMap<String, String> {
        container["env"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                (
                    v["name"].as_str().unwrap().to_string(),
                    v["value"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    }

    #[tokio::test]
    async fn start_creates_plank_s_pod_named_after_the_job_in_its_namespace() {
        let (server, executor) = fake().await;
        let execution = executor.start(&job("pj-1")).await.unwrap();
        assert_eq!(execution.name, "pj-1");
        assert_eq!(execution.state, ExecutionState::Unscheduled);

        let pod = server.pod(NS, "pj-1").expect("pod in the job's namespace");
        let labels = &pod["metadata"]["labels"];
        assert_eq!(labels[CREATED_BY_PROW], "true");
        assert_eq!(labels[PROW_JOB_ID_LABEL], "pj-1");
        assert_eq!(labels[PROW_BUILD_ID_LABEL], "1234");
        assert_eq!(labels["prow.k8s.io/job"], "unit");
        assert_eq!(labels["prow.k8s.io/type"], "presubmit");
        assert_eq!(labels["prow.k8s.io/refs.pull"], "42");
        assert_eq!(labels[PLANK_VERSION_LABEL], PLANK_VERSION);
        assert_eq!(pod["metadata"]["annotations"]["prow.k8s.io/job"], "unit");

        let spec = &pod["spec"];
        assert_eq!(spec["restartPolicy"], "Never");
        assert_eq!(spec["automountServiceAccountToken"], false);
        let container = &spec["containers"][0];
        assert_eq!(container["name"], TEST_CONTAINER_NAME);
        assert_eq!(container["image"], "alpine");
        assert_eq!(
            container["terminationMessagePolicy"],
            "FallbackToLogsOnError"
        );
        let env = env_of(container);
        assert_eq!(env["JOB_NAME"], "unit");
        assert_eq!(env["BUILD_ID"], "1234");
        assert_eq!(env["PROW_JOB_ID"], "pj-1");
        assert_eq!(env["PULL_NUMBER"], "42");
        assert_eq!(env["REPO_OWNER"], "kubernetes");
        assert!(env["JOB_SPEC"].contains("\"prowjobid\":\"pj-1\""));
    }

    #[tokio::test]
    async fn every_container_gets_prows_env_after_its_own() {
        let (server, executor) = fake().await;
        let mut job = job("pj-1");
        job.spec.pod_spec = Some(
            serde_json::from_value(json!({
                "serviceAccountName": "runner",
                "containers": [
                    { "name": "main", "image": "a", "env": [{ "name": "MINE", "value": "1" }] },
                    { "name": "helper", "image": "b" },
                ],
            }))
            .unwrap(),
        );
        executor.start(&job).await.unwrap();
        let pod = server.pod(NS, "pj-1").unwrap();
        let containers = pod["spec"]["containers"].as_array().unwrap();
        assert_eq!(
            containers[0]["name"], "main",
            "names are kept with several containers"
        );
        assert_eq!(containers[0]["env"][0]["name"], "MINE");
        assert_eq!(env_of(&containers[0])["JOB_NAME"], "unit");
        assert_eq!(env_of(&containers[1])["JOB_NAME"], "unit");
        assert!(
            pod["spec"].get("automountServiceAccountToken").is_none(),
            "a named service account keeps Kubernetes' default"
        );
    }

    #[tokio::test]
    async fn a_job_without_a_namespace_runs_in_the_configured_pod_namespace() {
        let (server, executor) = fake().await;
        let mut job = job("pj-1");
        job.spec.namespace.clear();
        executor.start(&job).await.unwrap();
        assert!(server.pod("pods-default", "pj-1").is_some());
    }

    #[tokio::test]
    async fn each_build_cluster_has_its_own_client() {
        let (default, executor) = fake().await;
        let other = FakeApiServer::start().await.unwrap();
        let executor = executor.with_cluster("gpu", other.client());
        let mut job = job("pj-1");
        job.spec.cluster = "gpu".into();
        executor.start(&job).await.unwrap();
        assert!(other.pod(NS, "pj-1").is_some());
        assert!(default.pod(NS, "pj-1").is_none());

        job.spec.cluster = "nowhere".into();
        assert!(matches!(
            executor.start(&job).await,
            Err(ExecutorError::Unsupported(message)) if message.contains("nowhere")
        ));
    }

    #[tokio::test]
    async fn starting_twice_reports_the_existing_pod() {
        let (server, executor) = fake().await;
        executor.start(&job("pj-1")).await.unwrap();
        server.set_pod_status(NS, "pj-1", json!({ "phase": "Running" }));
        let again = executor.start(&job("pj-1")).await.unwrap();
        assert_eq!(again.state, ExecutionState::Running);
        assert_eq!(server.pods().len(), 1);
    }

    #[tokio::test]
    async fn a_job_that_cannot_run_as_a_pod_is_unsupported() {
        let (_server, executor) = fake().await;
        let mut no_spec = job("pj-1");
        no_spec.spec.pod_spec = None;
        assert!(matches!(
            executor.start(&no_spec).await,
            Err(ExecutorError::Unsupported(m)) if m.contains("lacks a pod spec")
        ));
        let mut jenkins = job("pj-2");
        jenkins.spec.agent = Some(ProwJobAgent::Jenkins);
        assert!(matches!(
            executor.start(&jenkins).await,
            Err(ExecutorError::Unsupported(_))
        ));
        let mut no_pulls = job("pj-3");
        no_pulls.spec.refs.as_mut().unwrap().pulls.clear();
        assert!(matches!(
            executor.start(&no_pulls).await,
            Err(ExecutorError::Unsupported(_))
        ));
    }

    struct PhaseCase {
        name: &'static str,
        status: Value,
        deleting: bool,
        state: ExecutionState,
        description: &'static str,
    }

    fn phase_cases() -> Vec<PhaseCase> {
        let scheduled = json!([{ "type": "PodScheduled", "status": "True" }]);
        let done = |code: i32| {
            json!([{ "name": "test", "state": { "terminated": {
                "exitCode": code, "reason": "Completed", "finishedAt": "2026-01-02T03:10:00Z",
            } } }])
        };
        let case = |name, status, state, description| PhaseCase {
            name,
            status,
            deleting: false,
            state,
            description,
        };
        vec![
            case(
                "pending without a PodScheduled condition is unscheduled",
                json!({ "phase": "Pending" }),
                ExecutionState::Unscheduled,
                "Job triggered.",
            ),
            case(
                "pending with PodScheduled=False is unscheduled",
                json!({ "phase": "Pending", "conditions": [{ "type": "PodScheduled", "status": "False", "reason": "Unschedulable" }] }),
                ExecutionState::Unscheduled,
                "Job triggered.",
            ),
            case(
                "pending and scheduled is pending",
                json!({ "phase": "Pending", "conditions": scheduled, "startTime": "2026-01-02T03:04:05Z" }),
                ExecutionState::Pending,
                "Job triggered.",
            ),
            case(
                "running is running",
                json!({ "phase": "Running", "conditions": scheduled, "startTime": "2026-01-02T03:04:05Z" }),
                ExecutionState::Running,
                "Job triggered.",
            ),
            case(
                "succeeded with every container exited 0 is succeeded",
                json!({ "phase": "Succeeded", "containerStatuses": done(0) }),
                ExecutionState::Succeeded,
                "Job succeeded.",
            ),
            case(
                "succeeded with a container that did not finish is failed",
                json!({ "phase": "Succeeded", "containerStatuses": [{ "name": "test", "state": { "running": {} } }] }),
                ExecutionState::Failed,
                "Pod was in succeeded phase but some containers didn't finish",
            ),
            case(
                "failed is failed",
                json!({ "phase": "Failed", "containerStatuses": done(1) }),
                ExecutionState::Failed,
                "Job failed.",
            ),
            case(
                "failed with reason Evicted is evicted",
                json!({ "phase": "Failed", "reason": "Evicted", "message": "The node was low on resource: memory." }),
                ExecutionState::Evicted,
                "Job pod was evicted by the cluster.",
            ),
            case(
                "running with an OOM-killed container is failed",
                json!({ "phase": "Running", "containerStatuses": [{ "name": "test", "state": { "terminated": { "exitCode": 137, "reason": "OOMKilled" } } }] }),
                ExecutionState::Failed,
                "Job pod was OOM killed by the cluster.",
            ),
            case(
                "unknown phase is lost",
                json!({ "phase": "Unknown" }),
                ExecutionState::Lost,
                "Job pod stopped unexpectedly (unknown).",
            ),
            PhaseCase {
                name: "a running pod being deleted is lost",
                status: json!({ "phase": "Running" }),
                deleting: true,
                state: ExecutionState::Lost,
                description: "Pod got deleted unexpectedly",
            },
            PhaseCase {
                name: "a pod on a lost node being deleted is lost",
                status: json!({ "phase": "Running", "reason": "NodeLost" }),
                deleting: true,
                state: ExecutionState::Lost,
                description: "Job pod stopped unexpectedly (unreachable).",
            },
        ]
    }

    #[tokio::test]
    async fn pod_phases_map_to_execution_states_as_plank_reads_them() {
        let (server, executor) = fake().await;
        for (i, case) in phase_cases().into_iter().enumerate() {
            let job = job(&format!("pj-{i}"));
            executor.start(&job).await.unwrap();
            if case.deleting {
                assert!(server.mark_pod_deleting(NS, &job.metadata.name));
            }
            server.set_pod_status(NS, &job.metadata.name, case.status.clone());
            let execution = executor.status(&job).await.unwrap();
            assert_eq!(execution.state, case.state, "{}", case.name);
            assert_eq!(execution.description, case.description, "{}", case.name);
            assert_eq!(execution.name, job.metadata.name, "{}", case.name);
        }
    }

    #[tokio::test]
    async fn a_running_pod_reports_when_it_started() {
        let (server, executor) = fake().await;
        executor.start(&job("pj-1")).await.unwrap();
        server.set_pod_status(
            NS,
            "pj-1",
            json!({ "phase": "Running", "startTime": "2026-01-02T03:04:05Z" }),
        );
        let execution = executor.status(&job("pj-1")).await.unwrap();
        assert_eq!(
            execution.started,
            Some("2026-01-02T03:04:05Z".parse().unwrap())
        );
    }

    #[tokio::test]
    async fn a_pod_deleted_after_it_was_created_is_lost() {
        let (server, executor) = fake().await;
        let mut job = job("pj-1");
        let started = executor.start(&job).await.unwrap();
        job.status.pod_name = started.name;
        assert!(server.remove_pod(NS, "pj-1"));
        let execution = executor.status(&job).await.unwrap();
        assert_eq!(execution.state, ExecutionState::Lost);
        assert_eq!(execution.description, "Pod got deleted unexpectedly");
    }

    #[tokio::test]
    async fn a_job_never_started_has_no_run() {
        let (_server, executor) = fake().await;
        assert!(matches!(
            executor.status(&job("pj-1")).await,
            Err(ExecutorError::NotFound(name)) if name == "pj-1"
        ));
    }

    #[tokio::test]
    async fn logs_come_from_the_test_container_else_the_first() {
        let (server, executor) = fake().await;
        executor.start(&job("pj-1")).await.unwrap();
        server.set_pod_log(NS, "pj-1", "test", "ok\n");
        assert_eq!(executor.logs(&job("pj-1")).await.unwrap(), "ok\n");

        let mut two = job("pj-2");
        two.spec.pod_spec = Some(
            serde_json::from_value(json!({
                "containers": [{ "name": "main", "image": "a" }, { "name": "side", "image": "b" }],
            }))
            .unwrap(),
        );
        executor.start(&two).await.unwrap();
        server.set_pod_log(NS, "pj-2", "main", "from main\n");
        server.set_pod_log(NS, "pj-2", "side", "from side\n");
        assert_eq!(executor.logs(&two).await.unwrap(), "from main\n");

        assert!(matches!(
            executor.logs(&job("pj-missing")).await,
            Err(ExecutorError::NotFound(_))
        ));
    }

    #[tokio::test]
    async fn abort_deletes_the_pod_and_tolerates_a_missing_one() {
        let (server, executor) = fake().await;
        executor.start(&job("pj-1")).await.unwrap();
        executor.abort(&job("pj-1")).await.unwrap();
        assert!(server.pod(NS, "pj-1").is_none());
        executor.abort(&job("pj-1")).await.unwrap();
    }

    #[tokio::test]
    async fn runs_lists_prows_pods_and_delete_run_removes_them() {
        let (server, _) = fake().await;
        let executor = KubeExecutor::new(NS).with_cluster("default", server.client());
        executor.start(&job("pj-1")).await.unwrap();
        executor.start(&job("pj-2")).await.unwrap();
        server.set_pod_status(
            NS,
            "pj-2",
            json!({ "phase": "Succeeded", "startTime": "2026-01-02T03:04:05Z", "containerStatuses": [
                { "name": "a", "state": { "terminated": { "exitCode": 0, "finishedAt": "2026-01-02T03:10:00Z" } } },
                { "name": "b", "state": { "terminated": { "exitCode": 0, "finishedAt": "2026-01-02T03:12:00Z" } } },
            ] }),
        );
        // A pod Prow did not create is not Prow's to collect.
        let foreign = json!({ "metadata": { "name": "other" }, "spec": { "containers": [] } });
        let create = Request::new(format!("/api/v1/namespaces/{NS}/pods"))
            .create(
                &PostParams::default(),
                serde_json::to_vec(&foreign).unwrap(),
            )
            .unwrap();
        server.client().request::<Value>(create).await.unwrap();

        let mut runs = executor.runs().await.unwrap();
        runs.sort_by(|a, b| a.name.cmp(&b.name));
        assert_eq!(runs.len(), 2, "{runs:?}");
        assert_eq!(runs[0].name, "pj-1");
        assert_eq!(runs[0].job.as_deref(), Some("pj-1"));
        assert_eq!(runs[0].cluster, "default");
        assert_eq!(runs[0].finished, None);
        assert_eq!(
            runs[1].finished,
            Some("2026-01-02T03:12:00Z".parse().unwrap()),
            "a finished pod finished when its last container did"
        );

        executor.delete_run(&runs[1]).await.unwrap();
        assert!(server.pod(NS, "pj-2").is_none());
        assert!(matches!(
            executor.delete_run(&runs[1]).await,
            Err(ExecutorError::NotFound(_))
        ));
        assert_eq!(executor.runs().await.unwrap().len(), 1);
    }

    #[test]
    fn the_undecorated_pod_is_built_without_a_cluster() {
        let pod = pod_for_job(&job("pj-1"), "ns").unwrap();
        assert_eq!(pod["metadata"]["name"], "pj-1");
        assert_eq!(pod["metadata"]["namespace"], "ns");
        assert_eq!(pod["kind"], "Pod");
    }

    #[tokio::test]
    #[ignore = "needs a cluster: KUBECONFIG=… PROW_TEST_NAMESPACE=… cargo test -p prow-jobs --features kubernetes -- --ignored"]
    async fn real_cluster_runs_a_pod_to_success_and_reads_its_log() {
        let client = kube::Client::try_default()
            .await
            .expect("a cluster from KUBECONFIG");
        let namespace =
            std::env::var("PROW_TEST_NAMESPACE").unwrap_or_else(|_| "default".to_string());
        let executor = KubeExecutor::new(namespace.clone()).with_cluster("default", client);
        let name = format!(
            "prow-rs-pod-{}",
            chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0)
        );
        let mut job = job(&name);
        job.spec.namespace = namespace;
        job.spec.pod_spec = serde_json::from_value(serde_json::json!({
            "containers": [{
                "image": "busybox:1.36",
                "command": ["sh", "-c", "echo \"hello from $JOB_NAME\""],
            }],
        }))
        .unwrap();
        executor.start(&job).await.expect("start");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
        let finished = loop {
            let execution = executor.status(&job).await.expect("status");
            if execution.state.is_finished() {
                break execution;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the pod never finished"
            );
            tokio::time::sleep(std::time::Duration::from_secs(2)).await;
        };
        assert_eq!(finished.state, ExecutionState::Succeeded, "{finished:?}");
        assert_eq!(executor.logs(&job).await.unwrap(), "hello from unit\n");
        executor.abort(&job).await.expect("the pod is deleted");
    }

    #[tokio::test]
    async fn a_second_name_reaches_the_same_cluster_whose_pods_are_listed_once() {
        let (server, _) = fake().await;
        let mut executor = KubeExecutor::new(NS).with_cluster("default", server.client());
        executor.add_alias("build01", "default");
        let mut aliased = job("pj-alias");
        aliased.spec.cluster = "build01".into();
        executor.start(&aliased).await.unwrap();
        assert!(server.pod(NS, "pj-alias").is_some());
        assert_eq!(executor.clusters().collect::<Vec<_>>(), ["default"]);
        let runs = executor.runs().await.unwrap();
        assert_eq!(runs.iter().filter(|r| r.name == "pj-alias").count(), 1);
    }
}
