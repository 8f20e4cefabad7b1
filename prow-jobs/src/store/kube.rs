//! The Kubernetes ProwJob store: ProwJobs as `prow.k8s.io/v1` custom resources in one
//! namespace of a cluster, as upstream Prow keeps them, read and written through `kube`.

use std::pin::Pin;

use async_trait::async_trait;
use futures_util::{Stream, StreamExt};
use kube::api::{ListParams, PostParams, WatchParams};
use kube::core::{Request, WatchEvent as KubeWatchEvent};
use prow_core::prowjob::labels::{PROW_JOB_ANNOTATION, PROW_JOB_TYPE_LABEL, is_valid_label_value};
use prow_core::prowjob::{API_VERSION, KIND, ProwJob, ProwJobList};
use prow_core::traits::{JobSelector, JobStore, JobWatch, StoreError, WatchEvent};

use crate::kube::{api_code, api_message};

/// A [`JobStore`] backed by a Kubernetes API server: each ProwJob is a `ProwJob` custom
/// resource (see [`prowjob_crd`](crate::kube::prowjob_crd)) in the namespace Prow's config
/// names `prowjob_namespace`.
///
/// Jobs travel as prow-core's own [`ProwJob`] JSON, so every field, known or not, reaches
/// the API server as given. Updates are `PUT`s carrying `metadata.resourceVersion`: the API
/// server's `409 Conflict` becomes [`StoreError::Conflict`]. An update without a
/// `resourceVersion` first reads the stored one (an unconditional update, as the other stores
/// allow). Lists select by labels on the server: [`JobSelector::labels`], and the job name
/// and type through Prow's `prow.k8s.io/job` and `prow.k8s.io/type` labels, which every
/// ProwJob Prow creates carries; the state (not a label) and long job names (cut in labels)
/// are then checked here. Watches are API server watches: when the server ends one (a
/// timeout, a restart, `410 Gone` for a version it no longer has), [`JobWatch::next`]
/// returns `None` and the caller lists and watches again.
///
/// ```no_run
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// use prow_core::traits::{JobSelector, JobStore};
/// use prow_jobs::store::KubeStore;
///
/// let client = kube::Client::try_default().await?;
/// let store = KubeStore::new(client, "prow-jobs");
/// let jobs = store.list(&JobSelector::default()).await?;
/// println!("{} ProwJobs", jobs.len());
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct KubeStore {
    client: kube::Client,
    namespace: String,
    jobs: String,
}

impl std::fmt::Debug for KubeStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KubeStore")
            .field("namespace", &self.namespace)
            .finish_non_exhaustive()
    }
}

impl KubeStore {
    /// A store of the ProwJobs in `namespace` (Prow's `prowjob_namespace`) of the cluster
    /// `client` talks to.
    pub fn new(client: kube::Client, namespace: impl Into<String>) -> KubeStore {
        let namespace = namespace.into();
        let jobs = format!("/apis/prow.k8s.io/v1/namespaces/{namespace}/prowjobs");
        KubeStore {
            client,
            namespace,
            jobs,
        }
    }

    /// The namespace the ProwJobs live in.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    fn request(&self) -> Request {
        Request::new(self.jobs.clone())
    }

    /// Fills in what the API server requires of a ProwJob sent to it.
    fn prepare(&self, job: &mut ProwJob) {
        if job.api_version.is_empty() {
            job.api_version = API_VERSION.to_string();
        }
        if job.kind.is_empty() {
            job.kind = KIND.to_string();
        }
        if job.metadata.namespace.is_empty() {
            job.metadata.namespace = self.namespace.clone();
        }
    }

    fn body(job: &ProwJob) -> Result<Vec<u8>, StoreError> {
        serde_json::to_vec(job).map_err(|e| StoreError::Invalid(e.to_string()))
    }
}

/// A client error as a store error about job `name`.
fn store_error(name: &str, error: kube::Error) -> StoreError {
    match api_code(&error) {
        Some(404) => StoreError::NotFound(name.to_string()),
        Some(409) => match &error {
            kube::Error::Api(status) if status.reason == "AlreadyExists" => {
                StoreError::AlreadyExists(name.to_string())
            }
            _ => StoreError::Conflict(name.to_string()),
        },
        Some(400 | 422) => StoreError::Invalid(api_message(&error)),
        _ => StoreError::Backend(api_message(&error)),
    }
}

fn build_error(error: kube::core::request::Error) -> StoreError {
    StoreError::Invalid(error.to_string())
}

/// The server-side part of `selector`: its labels, plus Prow's job name and type labels
/// where the value is a valid label value (long job names are cut in labels).
fn label_selector(selector: &JobSelector) -> Option<String> {
    let mut terms: Vec<String> = selector
        .labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if let Some(job) = &selector.job
        && is_valid_label_value(job)
        && !selector.labels.contains_key(PROW_JOB_ANNOTATION)
    {
        terms.push(format!("{PROW_JOB_ANNOTATION}={job}"));
    }
    if let Some(job_type) = &selector.job_type
        && is_valid_label_value(job_type.as_str())
        && !selector.labels.contains_key(PROW_JOB_TYPE_LABEL)
    {
        terms.push(format!("{PROW_JOB_TYPE_LABEL}={}", job_type.as_str()));
    }
    (!terms.is_empty()).then(|| terms.join(","))
}

#[async_trait]
impl JobStore for KubeStore {
    async fn create(&self, mut job: ProwJob) -> Result<ProwJob, StoreError> {
        if job.metadata.name.is_empty() {
            return Err(StoreError::Invalid("metadata.name is empty".into()));
        }
        self.prepare(&mut job);
        let request = self
            .request()
            .create(&PostParams::default(), Self::body(&job)?)
            .map_err(build_error)?;
        self.client
            .request::<ProwJob>(request)
            .await
            .map_err(|e| store_error(&job.metadata.name, e))
    }

    async fn get(&self, name: &str) -> Result<ProwJob, StoreError> {
        let request = self
            .request()
            .get(name, &Default::default())
            .map_err(|_| StoreError::NotFound(name.to_string()))?;
        self.client
            .request::<ProwJob>(request)
            .await
            .map_err(|e| store_error(name, e))
    }

    async fn list(&self, selector: &JobSelector) -> Result<Vec<ProwJob>, StoreError> {
        let params = ListParams {
            label_selector: label_selector(selector),
            ..ListParams::default()
        };
        let request = self.request().list(&params).map_err(build_error)?;
        let list: ProwJobList = self
            .client
            .request(request)
            .await
            .map_err(|e| store_error("", e))?;
        Ok(list
            .items
            .into_iter()
            .filter(|job| selector.matches(job))
            .collect())
    }

    async fn update(&self, mut job: ProwJob) -> Result<ProwJob, StoreError> {
        let name = job.metadata.name.clone();
        if name.is_empty() {
            return Err(StoreError::Invalid("metadata.name is empty".into()));
        }
        if job.metadata.resource_version.is_empty() {
            job.metadata.resource_version = self.get(&name).await?.metadata.resource_version;
        }
        self.prepare(&mut job);
        let request = self
            .request()
            .replace(&name, &PostParams::default(), Self::body(&job)?)
            .map_err(build_error)?;
        self.client
            .request::<ProwJob>(request)
            .await
            .map_err(|e| match store_error(&name, e) {
                StoreError::AlreadyExists(name) => StoreError::Conflict(name),
                other => other,
            })
    }

    async fn delete(&self, name: &str) -> Result<(), StoreError> {
        let request = self
            .request()
            .delete(name, &Default::default())
            .map_err(|_| StoreError::NotFound(name.to_string()))?;
        self.client
            .request_text(request)
            .await
            .map(drop)
            .map_err(|e| store_error(name, e))
    }

    async fn watch(&self) -> Result<Box<dyn JobWatch>, StoreError> {
        // The collection's current resourceVersion: the watch starts there, so it reports
        // every change from now on and none from before.
        let params = ListParams::default().limit(1);
        let request = self.request().list(&params).map_err(build_error)?;
        let list: ProwJobList = self
            .client
            .request(request)
            .await
            .map_err(|e| store_error("", e))?;
        let version = list
            .metadata
            .get("resourceVersion")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string();
        let request = self
            .request()
            .watch(&WatchParams::default(), &version)
            .map_err(build_error)?;
        let events = self
            .client
            .request_events::<ProwJob>(request)
            .await
            .map_err(|e| store_error("", e))?;
        Ok(Box::new(KubeWatch {
            events: Some(Box::pin(events)),
        }))
    }
}

type Events = Pin<Box<dyn Stream<Item = Result<KubeWatchEvent<ProwJob>, kube::Error>> + Send>>;

/// A watch on the API server; `None` once the server ended it.
struct KubeWatch {
    events: Option<Events>,
}

#[async_trait]
impl JobWatch for KubeWatch {
    async fn next(&mut self) -> Option<WatchEvent> {
        loop {
            let events = self.events.as_mut()?;
            let event = match events.next().await {
                Some(Ok(KubeWatchEvent::Added(job))) => WatchEvent::Added(job),
                Some(Ok(KubeWatchEvent::Modified(job))) => WatchEvent::Modified(job),
                Some(Ok(KubeWatchEvent::Deleted(job))) => WatchEvent::Deleted(job),
                Some(Ok(KubeWatchEvent::Bookmark(_))) => continue,
                Some(Ok(KubeWatchEvent::Error(status))) => {
                    tracing::info!(code = status.code, message = %status.message, "ProwJob watch ended by the API server");
                    self.events = None;
                    return None;
                }
                Some(Err(error)) => {
                    tracing::warn!(%error, "ProwJob watch failed");
                    self.events = None;
                    return None;
                }
                None => {
                    tracing::debug!("ProwJob watch closed by the API server");
                    self.events = None;
                    return None;
                }
            };
            return Some(event);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::FakeApiServer;
    use crate::store::conformance::{check_store, sample_job};
    use prow_core::prowjob::{ProwJobState, ProwJobType};
    use std::time::Duration;

    /// A hang guard: no test here waits on time, but a broken watch must not hang the run.
    const PATIENCE: Duration = Duration::from_secs(30);

    async fn fake() -> (FakeApiServer, KubeStore) {
        let server = FakeApiServer::start()
            .await
            .expect("fake API server starts");
        let store = KubeStore::new(server.client(), "default");
        (server, store)
    }

    async fn next(watch: &mut dyn JobWatch) -> Option<WatchEvent> {
        tokio::time::timeout(PATIENCE, watch.next())
            .await
            .expect("the watch answers")
    }

    #[tokio::test]
    async fn passes_the_store_conformance_suite_against_the_fake_api_server() {
        let (_server, store) = fake().await;
        check_store(&store).await;
    }

    #[tokio::test]
    async fn jobs_are_stored_as_prowjob_custom_resources_in_the_namespace() {
        let (server, store) = fake().await;
        let mut job = sample_job("a", "unit", "presubmit", "triggered");
        job.metadata.namespace.clear();
        job.api_version.clear();
        job.kind.clear();
        let created = store.create(job).await.unwrap();
        assert_eq!(created.metadata.namespace, "default");
        let stored = server.prowjob("default", "a").expect("stored as a ProwJob");
        assert_eq!(stored["apiVersion"], "prow.k8s.io/v1");
        assert_eq!(stored["kind"], "ProwJob");
        assert_eq!(stored["spec"]["job"], "unit");
        assert_eq!(stored["metadata"]["someFutureMetadataField"]["kept"], true);
    }

    #[tokio::test]
    async fn lists_select_job_and_type_by_prows_labels_on_the_server() {
        let (server, store) = fake().await;
        store
            .create(sample_job("a", "unit", "presubmit", "triggered"))
            .await
            .unwrap();
        let selector = JobSelector {
            job: Some("unit".into()),
            job_type: Some(ProwJobType::Presubmit),
            state: Some(ProwJobState::Triggered),
            ..Default::default()
        };
        assert_eq!(store.list(&selector).await.unwrap().len(), 1);
        let lists: Vec<String> = server
            .requests()
            .into_iter()
            .filter(|r| r.starts_with("GET ") && r.contains("labelSelector"))
            .collect();
        assert_eq!(lists.len(), 1, "{lists:?}");
        assert!(
            lists[0].contains("prow.k8s.io%2Fjob%3Dunit")
                && lists[0].contains("prow.k8s.io%2Ftype%3Dpresubmit"),
            "{lists:?}"
        );
    }

    #[tokio::test]
    async fn long_job_names_are_selected_here_not_by_their_cut_label() {
        let (_server, store) = fake().await;
        let long = "a-job-name-so-long-that-its-label-value-is-cut-at-sixty-three-characters";
        let mut job = sample_job("a", long, "presubmit", "triggered");
        job.metadata
            .labels
            .insert(PROW_JOB_ANNOTATION.into(), long[..63].into());
        store.create(job).await.unwrap();
        let selector = JobSelector {
            job: Some(long.into()),
            ..Default::default()
        };
        assert_eq!(store.list(&selector).await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn a_status_update_reaches_watchers_and_readers() {
        let (_server, store) = fake().await;
        let created = store
            .create(sample_job("a", "unit", "presubmit", "triggered"))
            .await
            .unwrap();
        let mut watch = store.watch().await.unwrap();
        let mut pending = created.clone();
        pending.status.state = Some(ProwJobState::Pending);
        pending.status.pod_name = "a".into();
        pending.status.description = "Job triggered.".into();
        let updated = store.update(pending).await.unwrap();
        assert_eq!(
            next(&mut *watch).await,
            Some(WatchEvent::Modified(updated.clone()))
        );
        assert_eq!(store.get("a").await.unwrap(), updated);
    }

    #[tokio::test]
    async fn an_update_without_a_resource_version_replaces_the_stored_job() {
        let (_server, store) = fake().await;
        let created = store
            .create(sample_job("a", "unit", "presubmit", "triggered"))
            .await
            .unwrap();
        let mut blind = created.clone();
        blind.metadata.resource_version.clear();
        blind.status.state = Some(ProwJobState::Aborted);
        let updated = store.update(blind).await.unwrap();
        assert_eq!(updated.status.state, Some(ProwJobState::Aborted));
        assert_ne!(
            updated.metadata.resource_version,
            created.metadata.resource_version
        );
    }

    #[tokio::test]
    async fn a_watch_ends_when_the_api_server_ends_it() {
        let (server, store) = fake().await;
        let mut watch = store.watch().await.unwrap();
        server.end_watches();
        assert_eq!(next(&mut *watch).await, None);
        assert_eq!(next(&mut *watch).await, None, "an ended watch stays ended");
    }

    #[tokio::test]
    async fn a_watch_from_a_compacted_version_ends_with_gone() {
        let (server, store) = fake().await;
        let a = store
            .create(sample_job("a", "unit", "presubmit", "triggered"))
            .await
            .unwrap();
        store
            .create(sample_job("b", "unit", "presubmit", "triggered"))
            .await
            .unwrap();
        server.compact();
        // Resuming after `a` needs the change that created `b`, which compaction dropped.
        let stale = store
            .request()
            .watch(&WatchParams::default(), &a.metadata.resource_version)
            .unwrap();
        let events = store.client.request_events::<ProwJob>(stale).await.unwrap();
        let mut watch = KubeWatch {
            events: Some(Box::pin(events)),
        };
        assert_eq!(next(&mut watch).await, None);
    }

    #[tokio::test]
    async fn watches_see_only_their_namespace() {
        let (server, store) = fake().await;
        let other = KubeStore::new(server.client(), "elsewhere");
        let mut watch = store.watch().await.unwrap();
        let mut job = sample_job("x", "unit", "presubmit", "triggered");
        job.metadata.namespace.clear();
        other.create(job).await.unwrap();
        let mine = store
            .create(sample_job("a", "unit", "presubmit", "triggered"))
            .await
            .unwrap();
        assert_eq!(next(&mut *watch).await, Some(WatchEvent::Added(mine)));
        assert!(store.get("x").await.is_err());
    }

    #[tokio::test]
    async fn a_job_for_another_namespace_is_invalid() {
        let (_server, store) = fake().await;
        let mut job = sample_job("a", "unit", "presubmit", "triggered");
        job.metadata.namespace = "elsewhere".into();
        assert!(matches!(
            store.create(job).await,
            Err(StoreError::Invalid(_))
        ));
    }

    /// A store on the cluster `KUBECONFIG` names, in `PROW_TEST_NAMESPACE` (`default`
    /// otherwise), which must have the ProwJob CRD (`kubectl apply -f deploy/prowjob-crd.yaml`).
    async fn real_cluster() -> KubeStore {
        let client = kube::Client::try_default()
            .await
            .expect("a cluster from KUBECONFIG");
        let namespace =
            std::env::var("PROW_TEST_NAMESPACE").unwrap_or_else(|_| "default".to_string());
        KubeStore::new(client, namespace)
    }

    fn unique_name(prefix: &str) -> String {
        format!(
            "{prefix}-{}",
            chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0)
        )
    }

    #[tokio::test]
    #[ignore = "needs a cluster: KUBECONFIG=… cargo test -p prow-jobs --features kubernetes -- --ignored"]
    async fn real_cluster_create_get_update_delete() {
        let store = real_cluster().await;
        let name = unique_name("prow-rs-crud");
        let mut job = sample_job(&name, "unit", "presubmit", "triggered");
        job.metadata.namespace.clear();
        job.metadata.extra.clear();
        let created = store.create(job).await.expect("create");
        assert!(!created.metadata.resource_version.is_empty());
        let got = store.get(&name).await.expect("get");
        assert_eq!(got.spec, created.spec);
        let mut pending = got.clone();
        pending.status.state = Some(ProwJobState::Pending);
        let updated = store.update(pending).await.expect("update");
        assert_eq!(updated.status.state, Some(ProwJobState::Pending));
        assert!(matches!(
            store.update(got).await,
            Err(StoreError::Conflict(_))
        ));
        store.delete(&name).await.expect("delete");
        assert!(matches!(
            store.get(&name).await,
            Err(StoreError::NotFound(_))
        ));
    }

    #[tokio::test]
    #[ignore = "needs a cluster: KUBECONFIG=… cargo test -p prow-jobs --features kubernetes -- --ignored"]
    async fn real_cluster_watch_sees_create_update_delete() {
        let store = real_cluster().await;
        let mut watch = store.watch().await.expect("watch");
        let name = unique_name("prow-rs-watch");
        let mut job = sample_job(&name, "unit", "presubmit", "triggered");
        job.metadata.namespace.clear();
        job.metadata.extra.clear();
        let created = store.create(job).await.expect("create");
        let mut pending = created.clone();
        pending.status.state = Some(ProwJobState::Pending);
        let updated = store.update(pending).await.expect("update");
        store.delete(&name).await.expect("delete");
        let mut seen = Vec::new();
        while seen.len() < 3 {
            match next(&mut *watch).await.expect("the watch stays open") {
                WatchEvent::Added(j) if j.metadata.name == name => seen.push(("added", j)),
                WatchEvent::Modified(j) if j.metadata.name == name => seen.push(("modified", j)),
                WatchEvent::Deleted(j) if j.metadata.name == name => seen.push(("deleted", j)),
                _ => {}
            }
        }
        assert_eq!(seen[0].0, "added");
        assert_eq!(seen[1], ("modified", updated));
        assert_eq!(seen[2].0, "deleted");
    }
}
