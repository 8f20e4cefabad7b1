//! An in-process fake Kubernetes API server over HTTP, serving ProwJobs and pods with the API
//! server's semantics (resource versions, conflicts, label selectors, watches) for tests.

use std::collections::{BTreeMap, VecDeque};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use serde_json::{Map, Value, json};
use tokio::sync::{broadcast, mpsc, watch};
use tokio::task::JoinHandle;

/// How many changes the fake keeps for watches that resume from a `resourceVersion`; a watch
/// from an older version gets `410 Gone`, as from a compacted etcd.
const HISTORY: usize = 1000;

/// How long a watch stays open when the request does not say (`timeoutSeconds`).
const DEFAULT_WATCH_TIMEOUT: Duration = Duration::from_secs(1800);

/// A kind of object the fake serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Resource {
    ProwJob,
    Pod,
}

impl Resource {
    /// The resource name as the API server spells it in messages (`prowjobs.prow.k8s.io`).
    fn qualified(self) -> &'static str {
        match self {
            Resource::ProwJob => "prowjobs.prow.k8s.io",
            Resource::Pod => "pods",
        }
    }

    fn api_version(self) -> &'static str {
        match self {
            Resource::ProwJob => "prow.k8s.io/v1",
            Resource::Pod => "v1",
        }
    }

    fn kind(self) -> &'static str {
        match self {
            Resource::ProwJob => "ProwJob",
            Resource::Pod => "Pod",
        }
    }

    fn group(self) -> &'static str {
        match self {
            Resource::ProwJob => "prow.k8s.io",
            Resource::Pod => "",
        }
    }

    fn plural(self) -> &'static str {
        match self {
            Resource::ProwJob => "prowjobs",
            Resource::Pod => "pods",
        }
    }
}

/// One change to an object, as a watch reports it.
#[derive(Clone, Debug)]
struct Change {
    revision: u64,
    resource: Resource,
    namespace: String,
    kind: &'static str,
    object: Value,
}

type Key = (Resource, String, String);

#[derive(Default)]
struct Inner {
    revision: u64,
    objects: BTreeMap<Key, Value>,
    logs: BTreeMap<(String, String, String), String>,
    history: VecDeque<Change>,
    /// Changes up to this revision are no longer in `history`.
    compacted: u64,
    requests: Vec<String>,
    generated: u64,
}

struct Shared {
    inner: Mutex<Inner>,
    changes: broadcast::Sender<Change>,
    /// Bumped to end every open watch.
    watch_epoch: watch::Sender<u64>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Every change under the lock is a single insert or remove: a poisoned lock still
        // holds consistent data.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records a change under the lock held in `inner`.
    fn record(&self, inner: &mut Inner, change: Change) {
        if inner.history.len() == HISTORY
            && let Some(dropped) = inner.history.pop_front()
        {
            inner.compacted = dropped.revision;
        }
        inner.history.push_back(change.clone());
        let _ = self.changes.send(change);
    }
}

/// A fake Kubernetes API server on `127.0.0.1`, serving `prow.k8s.io/v1` ProwJobs and core
/// `v1` pods over HTTP, for tests of the Kubernetes store and executor through the real
/// `kube` client.
///
/// It keeps objects as JSON (nothing is lost), assigns `resourceVersion`s from one counter
/// like etcd, answers `409 Conflict` to a stale update and `410 Gone` to a watch from a
/// compacted version, and filters lists and watches by `labelSelector`. Nothing runs pods:
/// tests play the kubelet with [`FakeApiServer::set_pod_status`] and
/// [`FakeApiServer::set_pod_log`].
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use prow_jobs::kube::FakeApiServer;
///
/// let server = FakeApiServer::start().await.unwrap();
/// let client = server.client();
/// let jobs = kube::core::Request::new("/apis/prow.k8s.io/v1/namespaces/default/prowjobs");
/// let list: serde_json::Value = client
///     .request(jobs.list(&Default::default()).unwrap())
///     .await
///     .unwrap();
/// assert_eq!(list["kind"], "ProwJobList");
/// # });
/// ```
pub struct FakeApiServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl Drop for FakeApiServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeApiServer {
    /// Starts a server on a free port of `127.0.0.1`.
    pub async fn start() -> std::io::Result<FakeApiServer> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let (changes, _) = broadcast::channel(HISTORY);
        let (watch_epoch, _) = watch::channel(0);
        let shared = Arc::new(Shared {
            inner: Mutex::new(Inner::default()),
            changes,
            watch_epoch,
        });
        let router = router(Arc::clone(&shared));
        let task = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, router).await {
                tracing::error!(%error, "fake API server stopped");
            }
        });
        Ok(FakeApiServer { addr, shared, task })
    }

    /// The server's base URL (`http://127.0.0.1:PORT`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A `kube` client configuration for this server: its URL, no authentication, the
    /// `default` namespace.
    pub fn config(&self) -> kube::Config {
        let uri = self.url().parse().expect("a loopback URL is a valid URI");
        kube::Config::new(uri)
    }

    /// A `kube` client talking to this server.
    pub fn client(&self) -> kube::Client {
        kube::Client::try_from(self.config()).expect("a client for a plain HTTP URL builds")
    }

    /// The pod `namespace/name`, as stored.
    pub fn pod(&self, namespace: &str, name: &str) -> Option<Value> {
        self.object(Resource::Pod, namespace, name)
    }

    /// Every pod, in namespace then name order.
    pub fn pods(&self) -> Vec<Value> {
        self.objects(Resource::Pod)
    }

    /// The ProwJob `namespace/name`, as stored.
    pub fn prowjob(&self, namespace: &str, name: &str) -> Option<Value> {
        self.object(Resource::ProwJob, namespace, name)
    }

    /// Every ProwJob, in namespace then name order.
    pub fn prowjobs(&self) -> Vec<Value> {
        self.objects(Resource::ProwJob)
    }

    /// Plays the kubelet: replaces the `status` of pod `namespace/name` (phase, conditions,
    /// reason, start time, container states) as a new revision. Returns whether the pod
    /// exists.
    pub fn set_pod_status(&self, namespace: &str, name: &str, status: Value) -> bool {
        let mut inner = self.shared.lock();
        let key = (Resource::Pod, namespace.to_string(), name.to_string());
        let Some(pod) = inner.objects.get(&key).cloned() else {
            return false;
        };
        let mut pod = pod;
        inner.revision += 1;
        let revision = inner.revision;
        pod["status"] = status;
        pod["metadata"]["resourceVersion"] = Value::String(revision.to_string());
        inner.objects.insert(key, pod.clone());
        self.shared.record(
            &mut inner,
            Change {
                revision,
                resource: Resource::Pod,
                namespace: namespace.to_string(),
                kind: "MODIFIED",
                object: pod,
            },
        );
        true
    }

    /// Marks pod `namespace/name` as being deleted (`metadata.deletionTimestamp`), as the
    /// API server does while a deleted pod's containers stop. Returns whether the pod exists.
    pub fn mark_pod_deleting(&self, namespace: &str, name: &str) -> bool {
        let mut inner = self.shared.lock();
        let key = (Resource::Pod, namespace.to_string(), name.to_string());
        let Some(mut pod) = inner.objects.get(&key).cloned() else {
            return false;
        };
        inner.revision += 1;
        let revision = inner.revision;
        pod["metadata"]["deletionTimestamp"] = Value::String(now());
        pod["metadata"]["resourceVersion"] = Value::String(revision.to_string());
        inner.objects.insert(key, pod.clone());
        self.shared.record(
            &mut inner,
            Change {
                revision,
                resource: Resource::Pod,
                namespace: namespace.to_string(),
                kind: "MODIFIED",
                object: pod,
            },
        );
        true
    }

    /// Sets what the log API returns for `container` of pod `namespace/name`.
    pub fn set_pod_log(&self, namespace: &str, name: &str, container: &str, log: &str) {
        self.shared.lock().logs.insert(
            (
                namespace.to_string(),
                name.to_string(),
                container.to_string(),
            ),
            log.to_string(),
        );
    }

    /// Removes pod `namespace/name` behind the clients' backs (a person or the cluster
    /// deleted it). Returns whether it existed.
    pub fn remove_pod(&self, namespace: &str, name: &str) -> bool {
        let shared = &self.shared;
        let mut inner = shared.lock();
        delete_object(shared, &mut inner, Resource::Pod, namespace, name).is_some()
    }

    /// Forgets every recorded change, as etcd compaction does: a watch from any version seen
    /// so far then gets `410 Gone`.
    pub fn compact(&self) {
        let mut inner = self.shared.lock();
        inner.history.clear();
        inner.compacted = inner.revision;
    }

    /// Ends every open watch, as an API server does when it restarts or a watch times out.
    pub fn end_watches(&self) {
        self.shared.watch_epoch.send_modify(|epoch| *epoch += 1);
    }

    /// Every request served so far, as `METHOD path?query`.
    pub fn requests(&self) -> Vec<String> {
        self.shared.lock().requests.clone()
    }

    fn object(&self, resource: Resource, namespace: &str, name: &str) -> Option<Value> {
        self.shared
            .lock()
            .objects
            .get(&(resource, namespace.to_string(), name.to_string()))
            .cloned()
    }

    fn objects(&self, resource: Resource) -> Vec<Value> {
        self.shared
            .lock()
            .objects
            .iter()
            .filter(|((r, _, _), _)| *r == resource)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(
            "/apis/prow.k8s.io/v1/namespaces/{ns}/prowjobs",
            get(|s, p, q| collection_get(Resource::ProwJob, s, p, q))
                .post(|s, p, b| create(Resource::ProwJob, s, p, b)),
        )
        .route(
            "/apis/prow.k8s.io/v1/namespaces/{ns}/prowjobs/{name}",
            get(|s, p| object_get(Resource::ProwJob, s, p))
                .put(|s, p, b| replace(Resource::ProwJob, s, p, b))
                .delete(|s, p| delete(Resource::ProwJob, s, p)),
        )
        .route(
            "/api/v1/namespaces/{ns}/pods",
            get(|s, p, q| collection_get(Resource::Pod, s, p, q))
                .post(|s, p, b| create(Resource::Pod, s, p, b)),
        )
        .route(
            "/api/v1/namespaces/{ns}/pods/{name}",
            get(|s, p| object_get(Resource::Pod, s, p))
                .put(|s, p, b| replace(Resource::Pod, s, p, b))
                .delete(|s, p| delete(Resource::Pod, s, p)),
        )
        .route("/api/v1/namespaces/{ns}/pods/{name}/log", get(pod_log))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&shared),
            record_request,
        ))
        .with_state(shared)
}

async fn record_request(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let line = format!(
        "{} {}",
        request.method(),
        request
            .uri()
            .path_and_query()
            .map_or_else(|| request.uri().path().to_string(), |pq| pq.to_string())
    );
    shared.lock().requests.push(line);
    next.run(request).await
}

fn json_response(code: StatusCode, body: &Value) -> Response {
    (
        code,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// A `metav1.Status` failure, as the API server answers errors.
fn failure(
    code: StatusCode,
    reason: &str,
    message: String,
    resource: Resource,
    name: &str,
) -> Response {
    let mut details = json!({ "kind": resource.plural() });
    if !name.is_empty() {
        details["name"] = Value::String(name.to_string());
    }
    if !resource.group().is_empty() {
        details["group"] = Value::String(resource.group().to_string());
    }
    json_response(
        code,
        &json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": message,
            "reason": reason,
            "details": details,
            "code": code.as_u16(),
        }),
    )
}

fn not_found(resource: Resource, name: &str) -> Response {
    failure(
        StatusCode::NOT_FOUND,
        "NotFound",
        format!("{} {name:?} not found", resource.qualified()),
        resource,
        name,
    )
}

fn bad_request(resource: Resource, message: String) -> Response {
    failure(StatusCode::BAD_REQUEST, "BadRequest", message, resource, "")
}

fn invalid(resource: Resource, name: &str, message: String) -> Response {
    failure(
        StatusCode::UNPROCESSABLE_ENTITY,
        "Invalid",
        format!("{} {name:?} is invalid: {message}", resource.kind()),
        resource,
        name,
    )
}

/// The query parameters of a request, percent-decoded.
fn query_params(query: Option<&str>) -> BTreeMap<String, String> {
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    query
        .unwrap_or("")
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(pair), String::new()),
        })
        .collect()
}

fn now() -> String {
    Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

async fn collection_get(
    resource: Resource,
    State(shared): State<Arc<Shared>>,
    Path(namespace): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let params = query_params(query.as_deref());
    let selector =
        match LabelSelector::parse(params.get("labelSelector").map_or("", String::as_str)) {
            Ok(selector) => selector,
            Err(message) => return bad_request(resource, message),
        };
    if params.get("watch").is_some_and(|w| w == "true" || w == "1") {
        return watch(resource, &shared, namespace, selector, &params);
    }
    let inner = shared.lock();
    let mut items: Vec<&Value> = inner
        .objects
        .range((resource, namespace.clone(), String::new())..)
        .take_while(|((r, ns, _), _)| *r == resource && *ns == namespace)
        .filter(|((_, _, name), _)| params.get("continue").is_none_or(|after| name > after))
        .map(|(_, object)| object)
        .filter(|object| selector.matches(object))
        .collect();
    let mut metadata = json!({ "resourceVersion": inner.revision.to_string() });
    if let Some(limit) = params.get("limit").and_then(|l| l.parse::<usize>().ok())
        && limit > 0
        && items.len() > limit
    {
        let remaining = items.len() - limit;
        items.truncate(limit);
        let last = items[limit - 1]["metadata"]["name"].clone();
        metadata["continue"] = last;
        metadata["remainingItemCount"] = json!(remaining);
    }
    json_response(
        StatusCode::OK,
        &json!({
            "apiVersion": resource.api_version(),
            "kind": format!("{}List", resource.kind()),
            "metadata": metadata,
            "items": items,
        }),
    )
}

fn watch(
    resource: Resource,
    shared: &Arc<Shared>,
    namespace: String,
    selector: LabelSelector,
    params: &BTreeMap<String, String>,
) -> Response {
    let timeout = params
        .get("timeoutSeconds")
        .and_then(|t| t.parse().ok())
        .map_or(DEFAULT_WATCH_TIMEOUT, Duration::from_secs);
    let from = params
        .get("resourceVersion")
        .map(String::as_str)
        .unwrap_or("");
    let (tx, rx) = mpsc::channel::<Bytes>(64);
    let line = |kind: &str, object: &Value| {
        let mut text = json!({ "type": kind, "object": object }).to_string();
        text.push('\n');
        Bytes::from(text)
    };

    let inner = shared.lock();
    let mut first: Vec<Bytes> = Vec::new();
    let since = if from.is_empty() || from == "0" {
        // "Start at most recent", after an ADDED event for every object that exists.
        for ((r, ns, _), object) in &inner.objects {
            if *r == resource && *ns == namespace && selector.matches(object) {
                first.push(line("ADDED", object));
            }
        }
        inner.revision
    } else {
        let Ok(since) = from.parse::<u64>() else {
            return bad_request(resource, format!("invalid resource version {from:?}"));
        };
        if since < inner.compacted {
            let gone = json!({
                "kind": "Status",
                "apiVersion": "v1",
                "metadata": {},
                "status": "Failure",
                "message": format!("too old resource version: {since} ({})", inner.compacted + 1),
                "reason": "Expired",
                "code": 410,
            });
            first.push(line("ERROR", &gone));
            drop(inner);
            let body = stream_body(rx);
            tokio::spawn(async move {
                for chunk in first {
                    let _ = tx.send(chunk).await;
                }
            });
            return watch_response(body);
        }
        for change in &inner.history {
            if change.revision > since
                && change.resource == resource
                && change.namespace == namespace
                && selector.matches(&change.object)
            {
                first.push(line(change.kind, &change.object));
            }
        }
        since
    };
    let mut changes = shared.changes.subscribe();
    let mut epoch = shared.watch_epoch.subscribe();
    let last_replayed = inner.revision;
    drop(inner);

    tokio::spawn(async move {
        for chunk in first {
            if tx.send(chunk).await.is_err() {
                return;
            }
        }
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        let floor = since.max(last_replayed);
        loop {
            tokio::select! {
                change = changes.recv() => match change {
                    Ok(change) => {
                        if change.revision > floor
                            && change.resource == resource
                            && change.namespace == namespace
                            && selector.matches(&change.object)
                            && tx.send(line(change.kind, &change.object)).await.is_err()
                        {
                            return;
                        }
                    }
                    // A watcher this far behind is closed; it lists and watches again.
                    Err(_) => return,
                },
                _ = epoch.changed() => return,
                _ = &mut deadline => return,
            }
        }
    });
    watch_response(stream_body(rx))
}

fn stream_body(rx: mpsc::Receiver<Bytes>) -> Body {
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|chunk| (Ok::<_, Infallible>(chunk), rx))
    });
    Body::from_stream(stream)
}

fn watch_response(body: Body) -> Response {
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body)
        .expect("a static response builds")
}

async fn object_get(
    resource: Resource,
    State(shared): State<Arc<Shared>>,
    Path((namespace, name)): Path<(String, String)>,
) -> Response {
    let inner = shared.lock();
    match inner.objects.get(&(resource, namespace, name.clone())) {
        Some(object) => json_response(StatusCode::OK, object),
        None => not_found(resource, &name),
    }
}

fn parse_object(resource: Resource, body: &[u8]) -> Result<Map<String, Value>, Box<Response>> {
    let message = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(object)) => return Ok(object),
        Ok(_) => "the body is not a JSON object".to_string(),
        Err(e) => format!("the body is not JSON: {e}"),
    };
    Err(Box::new(bad_request(resource, message)))
}

fn metadata_str<'a>(object: &'a Map<String, Value>, field: &str) -> &'a str {
    object
        .get("metadata")
        .and_then(|m| m.get(field))
        .and_then(Value::as_str)
        .unwrap_or("")
}

async fn create(
    resource: Resource,
    State(shared): State<Arc<Shared>>,
    Path(namespace): Path<String>,
    body: Bytes,
) -> Response {
    let mut object = match parse_object(resource, &body) {
        Ok(object) => object,
        Err(response) => return *response,
    };
    let given_namespace = metadata_str(&object, "namespace");
    if !given_namespace.is_empty() && given_namespace != namespace {
        return bad_request(
            resource,
            "the namespace of the provided object does not match the namespace sent on the request"
                .into(),
        );
    }
    let mut inner = shared.lock();
    let mut name = metadata_str(&object, "name").to_string();
    if name.is_empty() {
        let prefix = metadata_str(&object, "generateName").to_string();
        if prefix.is_empty() {
            return invalid(
                resource,
                "",
                "metadata.name: Required value: name or generateName is required".into(),
            );
        }
        inner.generated += 1;
        name = format!("{prefix}{:05x}", inner.generated);
    }
    let key = (resource, namespace.clone(), name.clone());
    if inner.objects.contains_key(&key) {
        return failure(
            StatusCode::CONFLICT,
            "AlreadyExists",
            format!("{} {name:?} already exists", resource.qualified()),
            resource,
            &name,
        );
    }
    inner.revision += 1;
    let revision = inner.revision;
    let metadata = object
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    if !metadata.is_object() {
        *metadata = Value::Object(Map::new());
    }
    metadata["name"] = Value::String(name.clone());
    metadata["namespace"] = Value::String(namespace.clone());
    metadata["uid"] = Value::String(format!("00000000-0000-4000-8000-{revision:012x}"));
    metadata["resourceVersion"] = Value::String(revision.to_string());
    metadata["creationTimestamp"] = Value::String(now());
    if resource == Resource::ProwJob {
        metadata["generation"] = json!(1);
    }
    if resource == Resource::Pod && !object.contains_key("status") {
        object.insert("status".into(), json!({ "phase": "Pending" }));
    }
    let object = Value::Object(object);
    inner.objects.insert(key, object.clone());
    shared.record(
        &mut inner,
        Change {
            revision,
            resource,
            namespace,
            kind: "ADDED",
            object: object.clone(),
        },
    );
    json_response(StatusCode::CREATED, &object)
}

async fn replace(
    resource: Resource,
    State(shared): State<Arc<Shared>>,
    Path((namespace, name)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let mut object = match parse_object(resource, &body) {
        Ok(object) => object,
        Err(response) => return *response,
    };
    let given_name = metadata_str(&object, "name");
    if !given_name.is_empty() && given_name != name {
        return bad_request(
            resource,
            "the name of the object does not match the name on the URL".into(),
        );
    }
    let mut inner = shared.lock();
    let key = (resource, namespace.clone(), name.clone());
    let Some(stored) = inner.objects.get(&key).cloned() else {
        return not_found(resource, &name);
    };
    let version = metadata_str(&object, "resourceVersion");
    if version.is_empty() {
        return invalid(
            resource,
            &name,
            "metadata.resourceVersion: Invalid value: 0x0: must be specified for an update".into(),
        );
    }
    if version != stored["metadata"]["resourceVersion"].as_str().unwrap_or("") {
        return failure(
            StatusCode::CONFLICT,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {} {name:?}: the object has been modified; \
                 please apply your changes to the latest version and try again",
                resource.qualified()
            ),
            resource,
            &name,
        );
    }
    inner.revision += 1;
    let revision = inner.revision;
    let changed_beyond_metadata = {
        let strip = |o: &Map<String, Value>| {
            let mut o = o.clone();
            o.remove("metadata");
            o
        };
        stored.as_object().map(strip) != Some(strip(&object))
    };
    let metadata = object
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    if !metadata.is_object() {
        *metadata = Value::Object(Map::new());
    }
    for field in ["name", "namespace", "uid", "creationTimestamp"] {
        metadata[field] = stored["metadata"][field].clone();
    }
    metadata["resourceVersion"] = Value::String(revision.to_string());
    if resource == Resource::ProwJob {
        let generation = stored["metadata"]["generation"].as_i64().unwrap_or(1);
        metadata["generation"] = json!(generation + i64::from(changed_beyond_metadata));
    }
    let object = Value::Object(object);
    inner.objects.insert(key, object.clone());
    shared.record(
        &mut inner,
        Change {
            revision,
            resource,
            namespace,
            kind: "MODIFIED",
            object: object.clone(),
        },
    );
    json_response(StatusCode::OK, &object)
}

/// Removes an object under the lock held in `inner`, recording the deletion.
fn delete_object(
    shared: &Shared,
    inner: &mut Inner,
    resource: Resource,
    namespace: &str,
    name: &str,
) -> Option<Value> {
    let mut object = inner
        .objects
        .remove(&(resource, namespace.to_string(), name.to_string()))?;
    inner.revision += 1;
    let revision = inner.revision;
    object["metadata"]["resourceVersion"] = Value::String(revision.to_string());
    shared.record(
        inner,
        Change {
            revision,
            resource,
            namespace: namespace.to_string(),
            kind: "DELETED",
            object: object.clone(),
        },
    );
    Some(object)
}

async fn delete(
    resource: Resource,
    State(shared): State<Arc<Shared>>,
    Path((namespace, name)): Path<(String, String)>,
) -> Response {
    let mut inner = shared.lock();
    match delete_object(&shared, &mut inner, resource, &namespace, &name) {
        Some(object) => json_response(StatusCode::OK, &object),
        None => not_found(resource, &name),
    }
}

async fn pod_log(
    State(shared): State<Arc<Shared>>,
    Path((namespace, name)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Response {
    let params = query_params(query.as_deref());
    let inner = shared.lock();
    let Some(pod) = inner
        .objects
        .get(&(Resource::Pod, namespace.clone(), name.clone()))
    else {
        return not_found(Resource::Pod, &name);
    };
    let containers: Vec<String> = pod["spec"]["containers"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .filter_map(|c| c["name"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let container = match params.get("container") {
        Some(container) if containers.contains(container) => container.clone(),
        Some(container) => {
            return bad_request(
                Resource::Pod,
                format!("container {container} is not valid for pod {name}"),
            );
        }
        None if containers.len() == 1 => containers[0].clone(),
        None => {
            return bad_request(
                Resource::Pod,
                format!(
                    "a container name must be specified for pod {name}, choose one of: [{}]",
                    containers.join(" ")
                ),
            );
        }
    };
    let log = inner
        .logs
        .get(&(namespace, name, container))
        .cloned()
        .unwrap_or_default();
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain")], log).into_response()
}

/// A parsed `labelSelector`: `k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`.
#[derive(Clone, Debug, Default)]
struct LabelSelector {
    requirements: Vec<Requirement>,
}

#[derive(Clone, Debug)]
enum Requirement {
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

impl LabelSelector {
    fn parse(text: &str) -> Result<LabelSelector, String> {
        let mut requirements = Vec::new();
        let mut depth = 0;
        let mut start = 0;
        let mut parts = Vec::new();
        for (i, c) in text.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                ',' if depth == 0 => {
                    parts.push(&text[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        parts.push(&text[start..]);
        for part in parts.into_iter().map(str::trim).filter(|p| !p.is_empty()) {
            let set = |rest: &str| -> Result<Vec<String>, String> {
                let rest = rest.trim();
                let inner = rest
                    .strip_prefix('(')
                    .and_then(|r| r.strip_suffix(')'))
                    .ok_or_else(|| format!("unable to parse requirement: {part:?}"))?;
                Ok(inner.split(',').map(|v| v.trim().to_string()).collect())
            };
            let requirement = if let Some((key, value)) = part.split_once("!=") {
                Requirement::NotIn(key.trim().into(), vec![value.trim().into()])
            } else if let Some((key, value)) = part.split_once("==") {
                Requirement::In(key.trim().into(), vec![value.trim().into()])
            } else if let Some((key, value)) = part.split_once('=') {
                Requirement::In(key.trim().into(), vec![value.trim().into()])
            } else if let Some((key, rest)) = part.split_once(" notin ") {
                Requirement::NotIn(key.trim().into(), set(rest)?)
            } else if let Some((key, rest)) = part.split_once(" in ") {
                Requirement::In(key.trim().into(), set(rest)?)
            } else if let Some(key) = part.strip_prefix('!') {
                Requirement::DoesNotExist(key.trim().into())
            } else if part.contains(char::is_whitespace) {
                return Err(format!("unable to parse requirement: {part:?}"));
            } else {
                Requirement::Exists(part.into())
            };
            requirements.push(requirement);
        }
        Ok(LabelSelector { requirements })
    }

    fn matches(&self, object: &Value) -> bool {
        let labels = &object["metadata"]["labels"];
        self.requirements
            .iter()
            .all(|requirement| match requirement {
                Requirement::In(key, values) => labels[key]
                    .as_str()
                    .is_some_and(|v| values.iter().any(|w| w == v)),
                Requirement::NotIn(key, values) => labels[key]
                    .as_str()
                    .is_none_or(|v| values.iter().all(|w| w != v)),
                Requirement::Exists(key) => labels.get(key).is_some(),
                Requirement::DoesNotExist(key) => labels.get(key).is_none(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_selectors_parse_and_match_like_the_api_server() {
        let object = json!({ "metadata": { "labels": { "a": "1", "b": "2" } } });
        let cases = [
            ("", true),
            ("a=1", true),
            ("a==1", true),
            ("a=2", false),
            ("a!=2", true),
            ("c!=2", true),
            ("a", true),
            ("c", false),
            ("!c", true),
            ("!a", false),
            ("a in (1,3)", true),
            ("a notin (1,3)", false),
            ("a=1,b=2", true),
            ("a=1,b=3", false),
        ];
        for (selector, expected) in cases {
            let parsed = LabelSelector::parse(selector).unwrap();
            assert_eq!(parsed.matches(&object), expected, "selector {selector:?}");
        }
        assert!(LabelSelector::parse("a b").is_err());
    }

    #[test]
    fn query_parameters_are_percent_decoded() {
        let params = query_params(Some("labelSelector=prow.k8s.io%2Fjob%3Dunit&watch=true"));
        assert_eq!(params["labelSelector"], "prow.k8s.io/job=unit");
        assert_eq!(params["watch"], "true");
    }
}
