//! The ProwJob custom resource (`prow.k8s.io/v1`) and the configuration types it embeds.
//!
//! Every type (de)serializes field for field like upstream Prow's JSON; documents written by
//! machines keep unknown fields so that reading and writing a ProwJob loses nothing.

pub mod env;
pub mod labels;
pub mod pjutil;

pub use env::{EnvError, JobSpec, env_for_spec};
pub use labels::{labels_and_annotations_for_job, labels_and_annotations_for_spec};

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::duration::GoDuration;
use crate::pod::PodSpec;

/// The `apiVersion` of ProwJob objects.
pub const API_VERSION: &str = "prow.k8s.io/v1";
/// The `kind` of ProwJob objects.
pub const KIND: &str = "ProwJob";
/// The cluster alias used when a job does not name a build cluster.
pub const DEFAULT_CLUSTER_ALIAS: &str = "default";
/// Name of the JSON file describing a build when it starts.
pub const STARTED_STATUS_FILE: &str = "started.json";
/// Name of the JSON file describing a build once it has finished.
pub const FINISHED_STATUS_FILE: &str = "finished.json";
/// Name of the JSON file holding the serialized ProwJob.
pub const PROWJOB_FILE: &str = "prowjob.json";
/// Name of the JSON file holding the clone records of a ProwJob.
pub const CLONE_RECORD_FILE: &str = "clone-records.json";
/// GCS path strategy `legacy`.
pub const PATH_STRATEGY_LEGACY: &str = "legacy";
/// GCS path strategy `single`.
pub const PATH_STRATEGY_SINGLE: &str = "single";
/// GCS path strategy `explicit`.
pub const PATH_STRATEGY_EXPLICIT: &str = "explicit";

// ---------------------------------------------------------------------------
// String-valued enums that keep values they do not know.
// ---------------------------------------------------------------------------

macro_rules! open_string_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $value:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this crate does not know, kept verbatim so it round-trips.
            /// Values built through `From`/`FromStr`/serde never put a known value here.
            Other(String),
        }

        impl $name {
            /// The value as written on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $value, )+
                    Self::Other(s) => s,
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $( $value => Self::$variant, )+
                    other => Self::Other(other.to_string()),
                }
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                match s.as_str() {
                    $( $value => Self::$variant, )+
                    _ => Self::Other(s),
                }
            }
        }

        impl FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(s))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        // Equality, ordering and hashing go through the wire value so that a
        // hand-built `Other("success")` still equals the named variant.
        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.as_str() == other.as_str()
            }
        }
        impl Eq for $name {}
        impl PartialOrd for $name {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }
        impl Ord for $name {
            fn cmp(&self, other: &Self) -> std::cmp::Ordering {
                self.as_str().cmp(other.as_str())
            }
        }
        impl std::hash::Hash for $name {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                self.as_str().hash(state)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                String::deserialize(d).map(Self::from)
            }
        }
    };
}

open_string_enum! {
    /// How a job is triggered (`spec.type`).
    ProwJobType {
        /// Runs on unmerged pull requests.
        Presubmit => "presubmit",
        /// Runs on each new commit of a branch.
        Postsubmit => "postsubmit",
        /// Runs on a schedule, unrelated to git changes.
        Periodic => "periodic",
        /// Tests several unmerged pull requests together.
        Batch => "batch",
    }
}

open_string_enum! {
    /// The controller that fulfils a job (`spec.agent`).
    ProwJobAgent {
        /// A pod is created to run the job.
        Kubernetes => "kubernetes",
        /// The job is scheduled on Jenkins.
        Jenkins => "jenkins",
        /// The job runs as a Tekton PipelineRun.
        TektonPipeline => "tekton-pipeline",
    }
}

open_string_enum! {
    /// Where a job is in its life cycle (`status.state`).
    ProwJobState {
        /// Created and waiting to be scheduled.
        Scheduling => "scheduling",
        /// Scheduled but not running yet.
        Triggered => "triggered",
        /// Running; the outcome is not known yet.
        Pending => "pending",
        /// Finished without error.
        Success => "success",
        /// Finished with errors.
        Failure => "failure",
        /// Stopped early by Prow (for example a newer commit was pushed).
        Aborted => "aborted",
        /// Could not run (bad configuration, for example).
        Error => "error",
    }
}

impl ProwJobState {
    /// Whether the state is final: success, failure, aborted or error.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            ProwJobState::Success
                | ProwJobState::Failure
                | ProwJobState::Aborted
                | ProwJobState::Error
        )
    }

    /// The states upstream lists as "all states" (every known state but `scheduling`),
    /// in upstream's order.
    pub fn all() -> [ProwJobState; 6] {
        [
            ProwJobState::Triggered,
            ProwJobState::Pending,
            ProwJobState::Success,
            ProwJobState::Failure,
            ProwJobState::Aborted,
            ProwJobState::Error,
        ]
    }
}

// ---------------------------------------------------------------------------
// serde helpers
// ---------------------------------------------------------------------------

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

/// Kubernetes `metav1.Time`: RFC 3339 in UTC with whole seconds; `null` reads as absent.
mod k8s_time {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Secs, true)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(s) => DateTime::parse_from_rfc3339(&s)
                .map(|t| Some(t.with_timezone(&Utc)))
                .map_err(|e| serde::de::Error::custom(format!("invalid time {s:?}: {e}"))),
        }
    }
}

fn merge_opt<T: Clone>(own: &Option<T>, def: &Option<T>, merge: impl Fn(&T, &T) -> T) -> Option<T> {
    match (own, def) {
        (Some(o), Some(d)) => Some(merge(o, d)),
        (Some(o), None) => Some(o.clone()),
        (None, d) => d.clone(),
    }
}

fn fill_opt<T: Clone>(own: &mut Option<T>, def: &Option<T>) {
    if own.is_none() {
        own.clone_from(def);
    }
}

fn fill_str(own: &mut String, def: &str) {
    if own.is_empty() {
        *own = def.to_string();
    }
}

fn fill_vec<T: Clone>(own: &mut Vec<T>, def: &[T]) {
    if own.is_empty() {
        *own = def.to_vec();
    }
}

/// Quotes a string the way Go's `%q` verb (`strconv.Quote`) does.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() && (c as u32) < 0x10000 => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c if c.is_control() => out.push_str(&format!("\\U{:08x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Formats a list of strings like Go's `%q` on a `[]string`: `["a" "b"]`.
pub fn go_quote_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| go_quote(s)).collect();
    format!("[{}]", quoted.join(" "))
}

// ---------------------------------------------------------------------------
// ProwJob and metadata
// ---------------------------------------------------------------------------

/// A ProwJob custom resource: metadata, the job's spec and its runtime status.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProwJob {
    /// `apiVersion`, normally [`API_VERSION`].
    #[serde(
        rename = "apiVersion",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub api_version: String,
    /// `kind`, normally [`KIND`].
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kind: String,
    /// Standard Kubernetes object metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// What to run and how.
    #[serde(default)]
    pub spec: ProwJobSpec,
    /// What happened so far.
    #[serde(default)]
    pub status: ProwJobStatus,
    /// Top-level fields this crate does not know.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl ProwJob {
    /// A ProwJob with `apiVersion` and `kind` filled in.
    pub fn new(metadata: ObjectMeta, spec: ProwJobSpec, status: ProwJobStatus) -> Self {
        ProwJob {
            api_version: API_VERSION.to_string(),
            kind: KIND.to_string(),
            metadata,
            spec,
            status,
            extra: BTreeMap::new(),
        }
    }

    /// Whether the job has finished, i.e. has a completion time.
    pub fn complete(&self) -> bool {
        self.status.completion_time.is_some()
    }

    /// Marks the job as completed at `now`.
    pub fn set_complete(&mut self, now: DateTime<Utc>) {
        self.status.completion_time = Some(now);
    }

    /// The build cluster alias to schedule on: `spec.cluster`, or
    /// [`DEFAULT_CLUSTER_ALIAS`] when unset.
    pub fn cluster_alias(&self) -> &str {
        if self.spec.cluster.is_empty() {
            DEFAULT_CLUSTER_ALIAS
        } else {
            &self.spec.cluster
        }
    }
}

/// A list of ProwJobs as returned by the Kubernetes API.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProwJobList {
    /// `apiVersion` of the list.
    #[serde(
        rename = "apiVersion",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub api_version: String,
    /// `kind` of the list, normally `ProwJobList`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kind: String,
    /// Kubernetes list metadata (resourceVersion, continue, ...), kept raw.
    #[serde(default)]
    pub metadata: serde_json::Map<String, Value>,
    /// The ProwJobs.
    #[serde(default)]
    pub items: Vec<ProwJob>,
}

/// Kubernetes object metadata (`metav1.ObjectMeta`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectMeta {
    /// Object name, unique within the namespace.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Prefix the server uses to generate a name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub generate_name: String,
    /// Namespace of the object.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// Deprecated self link.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub self_link: String,
    /// Server-assigned unique id.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub uid: String,
    /// Opaque version used for optimistic concurrency.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub resource_version: String,
    /// Sequence number of the desired state.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub generation: i64,
    /// When the object was created.
    #[serde(default, with = "k8s_time", skip_serializing_if = "Option::is_none")]
    pub creation_timestamp: Option<DateTime<Utc>>,
    /// When the object is going to be deleted.
    #[serde(default, with = "k8s_time", skip_serializing_if = "Option::is_none")]
    pub deletion_timestamp: Option<DateTime<Utc>>,
    /// Grace period of a pending deletion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_grace_period_seconds: Option<i64>,
    /// Labels.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Annotations.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// Owner references, kept raw.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub owner_references: Vec<Value>,
    /// Finalizers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub finalizers: Vec<String>,
    /// Server-side apply bookkeeping, kept raw.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub managed_fields: Vec<Value>,
    /// Metadata fields this crate does not know.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

// ---------------------------------------------------------------------------
// Spec
// ---------------------------------------------------------------------------

/// What a ProwJob runs: job name and type, code under test, pod spec, decoration, reporting.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProwJobSpec {
    /// How the job is triggered.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<ProwJobType>,
    /// Which controller runs the job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<ProwJobAgent>,
    /// Alias of the build cluster the job runs in.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cluster: String,
    /// Namespace in which pods and other resources are created.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// Name of the job.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub job: String,
    /// Code under test, determined by Prow at trigger time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refs: Option<Refs>,
    /// Further repositories to clone, from the job config.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra_refs: Vec<Refs>,
    /// Whether the result is reported (GitHub status, Slack, ...).
    #[serde(default, skip_serializing_if = "is_false")]
    pub report: bool,
    /// Status context used when reporting.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub context: String,
    /// Comment a user writes to re-trigger the job.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub rerun_command: String,
    /// Maximum number of instances of this job running at once (0: unlimited).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub max_concurrency: i64,
    /// Whether an evicted pod ends the job in the error state instead of being replaced.
    #[serde(default, skip_serializing_if = "is_false")]
    pub error_on_eviction: bool,
    /// Pod to run for the kubernetes agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_spec: Option<PodSpec>,
    /// Jenkins-specific options, kept raw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jenkins_spec: Option<Value>,
    /// Tekton PipelineRun spec, kept raw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline_run_spec: Option<Value>,
    /// Tekton PipelineRun spec by API version (`{"v1beta1": ...}`), kept raw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tekton_pipeline_run_spec: Option<Value>,
    /// How to decorate the pod with the pod utilities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decoration_config: Option<DecorationConfig>,
    /// Reporter-specific settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reporter_config: Option<ReporterConfig>,
    /// Who may rerun the job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rerun_auth_config: Option<RerunAuthConfig>,
    /// Whether the job is only shown by deck instances that show hidden jobs.
    #[serde(default, skip_serializing_if = "is_false")]
    pub hidden: bool,
    /// Defaults from the Prow config.
    #[serde(
        rename = "prowjob_defaults",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub prowjob_defaults: Option<ProwJobDefault>,
    /// Name of the queue limiting this job's concurrency.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub job_queue_name: String,
    /// Spec fields this crate does not know.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl ProwJobSpec {
    /// Whether a Tekton PipelineRun spec is present (in `tekton_pipeline_run_spec.v1beta1`
    /// or `pipeline_run_spec`).
    pub fn has_pipeline_run_spec(&self) -> bool {
        self.pipeline_run_spec().is_some()
    }

    /// The PipelineRun spec to use: `tekton_pipeline_run_spec.v1beta1` first, then
    /// `pipeline_run_spec`.
    pub fn pipeline_run_spec(&self) -> Option<&Value> {
        self.tekton_pipeline_run_spec
            .as_ref()
            .and_then(|t| t.get("v1beta1"))
            .filter(|v| !v.is_null())
            .or(self.pipeline_run_spec.as_ref().filter(|v| !v.is_null()))
    }
}

/// A pull request at a particular point in time.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Pull {
    /// Pull request (or change) number.
    #[serde(default)]
    pub number: i64,
    /// Login of the author.
    #[serde(default)]
    pub author: String,
    /// Head commit SHA.
    #[serde(default)]
    pub sha: String,
    /// Title of the pull request.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// Git ref that can be checked out for the change (`pull/123/head`, `refs/changes/...`).
    #[serde(rename = "ref", default, skip_serializing_if = "String::is_empty")]
    pub ref_: String,
    /// Branch name of the proposed change.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub head_ref: String,
    /// Link to the pull request.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub link: String,
    /// Link to the commit identified by `sha`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub commit_link: String,
    /// Link to the author.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub author_link: String,
    /// Fields this crate does not know.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// A repository to check out: base ref plus the pulls merged on top.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Refs {
    /// Organisation (or Gerrit host), e.g. `kubernetes`.
    #[serde(default)]
    pub org: String,
    /// Repository, e.g. `test-infra`.
    #[serde(default)]
    pub repo: String,
    /// Link to the repository.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub repo_link: String,
    /// Base branch.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub base_ref: String,
    /// Base commit SHA.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub base_sha: String,
    /// Link to the base commit.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub base_link: String,
    /// Pull requests merged on top of the base.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pulls: Vec<Pull>,
    /// Location under `$GOPATH/src` to clone into instead of `github.com/org/repo`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path_alias: String,
    /// Whether the clone becomes the working directory.
    #[serde(default, skip_serializing_if = "is_false")]
    pub workdir: bool,
    /// Whether the repository only provides auxiliary files.
    #[serde(default, skip_serializing_if = "is_false")]
    pub auxiliary: bool,
    /// URI to clone from, default `https://github.com/org/repo.git`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub clone_uri: String,
    /// Whether submodules are skipped.
    #[serde(default, skip_serializing_if = "is_false")]
    pub skip_submodules: bool,
    /// Clone depth; 0 is a full clone.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub clone_depth: i64,
    /// Whether to skip `git fetch <remote>`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub skip_fetch_head: bool,
    /// Whether to clone with `--filter=blob:none`; unset defers to the decoration config.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blobless_fetch: Option<bool>,
    /// Paths for a sparse checkout.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sparse_checkout_files: Vec<String>,
    /// Fields this crate does not know.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl Refs {
    /// `org/repo`, or just `org` when there is no repo.
    pub fn org_repo_string(&self) -> String {
        if self.repo.is_empty() {
            self.org.clone()
        } else {
            format!("{}/{}", self.org, self.repo)
        }
    }
}

/// Formats as `base_ref[:base_sha]` followed by `,number:sha[:ref]` per pull
/// (the `PULL_REFS` format).
impl fmt::Display for Refs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.base_ref)?;
        if !self.base_sha.is_empty() {
            write!(f, ":{}", self.base_sha)?;
        }
        for pull in &self.pulls {
            write!(f, ",{}:{}", pull.number, pull.sha)?;
            if !pull.ref_.is_empty() {
                write!(f, ":{}", pull.ref_)?;
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Status
// ---------------------------------------------------------------------------

/// Runtime state of a ProwJob.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProwJobStatus {
    /// When the ProwJob was created.
    #[serde(
        rename = "startTime",
        default,
        with = "k8s_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub start_time: Option<DateTime<Utc>>,
    /// When the job went from triggered to pending.
    #[serde(
        rename = "pendingTime",
        default,
        with = "k8s_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub pending_time: Option<DateTime<Utc>>,
    /// When the job reached a final state.
    #[serde(
        rename = "completionTime",
        default,
        with = "k8s_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub completion_time: Option<DateTime<Utc>>,
    /// Current state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<ProwJobState>,
    /// Human-readable description of the state.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Link to the job's results.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub url: String,
    /// How many times the pod was recreated after an unexpected stop.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub pod_revival_count: i64,
    /// Name of the pod running the job.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub pod_name: String,
    /// Build identifier grouping the job's artifacts.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub build_id: String,
    /// Build number Jenkins assigned.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub jenkins_build_id: String,
    /// Last state reported, per reporter.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub prev_report_states: BTreeMap<String, ProwJobState>,
    /// Status fields this crate does not know.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

// ---------------------------------------------------------------------------
// Reporter, rerun and default configuration
// ---------------------------------------------------------------------------

/// Reporter-specific job settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReporterConfig {
    /// Slack reporting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slack: Option<SlackReporterConfig>,
}

/// Slack reporting settings of a job.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SlackReporterConfig {
    /// Slack host.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub host: String,
    /// Channel to report to.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub channel: String,
    /// States to report; an explicitly empty list differs from an absent one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_states_to_report: Option<Vec<ProwJobState>>,
    /// Go template of the message.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub report_template: String,
    /// Explicit on/off switch, derived from `job_states_to_report` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<bool>,
}

impl SlackReporterConfig {
    /// Fills every field unset in `self` from `def`.
    pub fn apply_default(&self, def: &SlackReporterConfig) -> SlackReporterConfig {
        let mut merged = self.clone();
        fill_str(&mut merged.channel, &def.channel);
        fill_str(&mut merged.host, &def.host);
        fill_opt(&mut merged.job_states_to_report, &def.job_states_to_report);
        fill_str(&mut merged.report_template, &def.report_template);
        fill_opt(&mut merged.report, &def.report);
        merged
    }
}

/// A GitHub team named by org and slug.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitHubTeamSlug {
    /// Team slug.
    #[serde(default)]
    pub slug: String,
    /// Organisation of the team.
    #[serde(default)]
    pub org: String,
}

/// Who may rerun a job.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RerunAuthConfig {
    /// Anyone may rerun the job.
    #[serde(default, skip_serializing_if = "is_false")]
    pub allow_anyone: bool,
    /// Ids of GitHub teams whose members may rerun the job.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub github_team_ids: Vec<i64>,
    /// GitHub teams, by slug, whose members may rerun the job.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub github_team_slugs: Vec<GitHubTeamSlug>,
    /// GitHub users who may rerun the job.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub github_users: Vec<String>,
    /// GitHub organisations whose members may rerun the job.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub github_orgs: Vec<String>,
}

/// Error from [`RerunAuthConfig::validate`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RerunAuthConfigError {
    /// `allow_anyone` together with an allow list.
    #[error("allow anyone is set to true and permitted users or groups are specified")]
    AllowAnyoneWithAllowList,
}

impl RerunAuthConfig {
    /// Rejects `allow_anyone` combined with users, teams or orgs.
    pub fn validate(&self) -> Result<(), RerunAuthConfigError> {
        let has_allow_list = !self.github_users.is_empty()
            || !self.github_team_ids.is_empty()
            || !self.github_team_slugs.is_empty()
            || !self.github_orgs.is_empty();
        if self.allow_anyone && has_allow_list {
            return Err(RerunAuthConfigError::AllowAnyoneWithAllowList);
        }
        Ok(())
    }

    /// Whether anyone may rerun the job.
    pub fn is_allow_anyone(&self) -> bool {
        self.allow_anyone
    }
}

/// Job fields the Prow config can default.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProwJobDefault {
    /// ResultStore upload settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resultstore_config: Option<ResultStoreConfig>,
    /// Tenant the job belongs to.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub tenant_id: String,
}

impl ProwJobDefault {
    /// Fills every field unset in `self` from `def`.
    pub fn apply_default(&self, def: &ProwJobDefault) -> ProwJobDefault {
        let mut merged = self.clone();
        fill_opt(&mut merged.resultstore_config, &def.resultstore_config);
        fill_str(&mut merged.tenant_id, &def.tenant_id);
        merged
    }
}

/// ResultStore upload settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultStoreConfig {
    /// ResultStore project id.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub project_id: String,
}

// ---------------------------------------------------------------------------
// Decoration
// ---------------------------------------------------------------------------

/// How to decorate a job's pod with the pod utilities.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DecorationConfig {
    /// How long to wait before interrupting the test.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<GoDuration>,
    /// How long to wait after the interrupt before killing the test.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grace_period: Option<GoDuration>,
    /// Images of the utility containers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utility_images: Option<UtilityImages>,
    /// Resource requirements of the utility containers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
    /// Where logs and artifacts are uploaded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gcs_configuration: Option<GCSConfiguration>,
    /// Secret holding GCS credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gcs_credentials_secret: Option<String>,
    /// Secret holding S3 credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3_credentials_secret: Option<String>,
    /// Service account used when the pod spec names none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_service_account_name: Option<String>,
    /// Secrets holding SSH keys for cloning.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ssh_key_secrets: Vec<String>,
    /// Trusted SSH host fingerprints.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ssh_host_fingerprints: Vec<String>,
    /// Whether to clone with `--filter=blob:none`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blobless_fetch: Option<bool>,
    /// Paths for a sparse checkout of the primary ref.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sparse_checkout_files: Vec<String>,
    /// Whether to skip cloning the refs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_cloning: Option<bool>,
    /// Secret holding a git http cookie file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cookiefile_secret: Option<String>,
    /// Secret holding an OAuth token for private repositories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth_token_secret: Option<OauthTokenSecret>,
    /// GitHub API endpoints.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub github_api_endpoints: Vec<String>,
    /// GitHub App id used to fetch private repositories.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub github_app_id: String,
    /// Secret holding the GitHub App private key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub github_app_private_key_secret: Option<GitHubAppPrivateKeySecret>,
    /// Whether secrets are censored from logs and artifacts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub censor_secrets: Option<bool>,
    /// Censoring options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub censoring_options: Option<CensoringOptions>,
    /// Whether the sidecar ignores interrupts while uploading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_ignores_interrupts: Option<bool>,
    /// Whether the test container's memory limit equals its request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_limit_equals_memory_request: Option<bool>,
    /// Default memory request (a Kubernetes quantity), kept raw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_memory_request: Option<Value>,
    /// Pod scheduling settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduling_options: Option<SchedulingOptions>,
    /// How long a pod may stay pending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_pending_timeout: Option<GoDuration>,
    /// How long a pod may run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_running_timeout: Option<GoDuration>,
    /// How long a pod may stay unscheduled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_unscheduled_timeout: Option<GoDuration>,
    /// UID of the pod's processes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_as_user: Option<i64>,
    /// GID of the pod's processes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_as_group: Option<i64>,
    /// Supplemental group of the pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs_group: Option<i64>,
}

/// Error from [`DecorationConfig::validate`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecorationConfigError {
    /// No `utility_images`.
    #[error("utility image config is not specified")]
    MissingUtilityImages,
    /// Some utility images are empty.
    #[error("the following utility images are not specified: {}", go_quote_list(.0))]
    MissingUtilityImageFields(Vec<String>),
    /// No `gcs_configuration`.
    #[error("GCS upload configuration is not specified")]
    MissingGcsConfiguration,
    /// The GCS configuration is invalid.
    #[error("GCS configuration is invalid: {0}")]
    InvalidGcsConfiguration(GCSConfigurationError),
    /// Both an OAuth token and SSH keys are configured.
    #[error("both OAuth token and SSH key secrets are specified")]
    OauthTokenAndSshKeys,
}

impl DecorationConfig {
    /// Returns a copy where every field unset in `self` is taken from `def`.
    ///
    /// Utility images, resources, GCS configuration, censoring and scheduling options
    /// are merged field by field; optional scalars are taken when `None`; lists are
    /// taken when empty; `github_app_id` when empty.
    pub fn apply_default(&self, def: &DecorationConfig) -> DecorationConfig {
        let mut m = self.clone();
        m.utility_images = merge_opt(
            &self.utility_images,
            &def.utility_images,
            UtilityImages::apply_default,
        );
        m.resources = merge_opt(&self.resources, &def.resources, Resources::apply_default);
        m.gcs_configuration = merge_opt(
            &self.gcs_configuration,
            &def.gcs_configuration,
            GCSConfiguration::apply_default,
        );
        m.censoring_options = merge_opt(
            &self.censoring_options,
            &def.censoring_options,
            CensoringOptions::apply_default,
        );
        m.scheduling_options = merge_opt(
            &self.scheduling_options,
            &def.scheduling_options,
            SchedulingOptions::apply_default,
        );

        fill_opt(&mut m.timeout, &def.timeout);
        fill_opt(&mut m.grace_period, &def.grace_period);
        fill_opt(&mut m.gcs_credentials_secret, &def.gcs_credentials_secret);
        fill_opt(&mut m.s3_credentials_secret, &def.s3_credentials_secret);
        fill_opt(
            &mut m.default_service_account_name,
            &def.default_service_account_name,
        );
        fill_vec(&mut m.ssh_key_secrets, &def.ssh_key_secrets);
        fill_vec(&mut m.ssh_host_fingerprints, &def.ssh_host_fingerprints);
        fill_opt(&mut m.skip_cloning, &def.skip_cloning);
        fill_opt(&mut m.cookiefile_secret, &def.cookiefile_secret);
        fill_opt(&mut m.oauth_token_secret, &def.oauth_token_secret);
        fill_vec(&mut m.github_api_endpoints, &def.github_api_endpoints);
        fill_str(&mut m.github_app_id, &def.github_app_id);
        fill_opt(
            &mut m.github_app_private_key_secret,
            &def.github_app_private_key_secret,
        );
        fill_opt(&mut m.censor_secrets, &def.censor_secrets);
        fill_opt(
            &mut m.upload_ignores_interrupts,
            &def.upload_ignores_interrupts,
        );
        fill_opt(
            &mut m.set_limit_equals_memory_request,
            &def.set_limit_equals_memory_request,
        );
        fill_opt(&mut m.default_memory_request, &def.default_memory_request);
        fill_opt(&mut m.pod_pending_timeout, &def.pod_pending_timeout);
        fill_opt(&mut m.pod_running_timeout, &def.pod_running_timeout);
        fill_opt(&mut m.pod_unscheduled_timeout, &def.pod_unscheduled_timeout);
        fill_opt(&mut m.run_as_user, &def.run_as_user);
        fill_opt(&mut m.run_as_group, &def.run_as_group);
        fill_opt(&mut m.fs_group, &def.fs_group);
        fill_opt(&mut m.blobless_fetch, &def.blobless_fetch);
        fill_vec(&mut m.sparse_checkout_files, &def.sparse_checkout_files);
        m
    }

    /// Applies `def` to an optional config: `None` on both sides stays `None`, one side
    /// present is used as is, both present are merged with [`DecorationConfig::apply_default`].
    pub fn apply_default_opt(
        own: Option<&DecorationConfig>,
        def: Option<&DecorationConfig>,
    ) -> Option<DecorationConfig> {
        match (own, def) {
            (Some(own), Some(def)) => Some(own.apply_default(def)),
            (Some(only), None) | (None, Some(only)) => Some(only.clone()),
            (None, None) => None,
        }
    }

    /// Checks that utility images and the GCS configuration are complete and valid and
    /// that OAuth and SSH cloning are not both configured.
    pub fn validate(&self) -> Result<(), DecorationConfigError> {
        let images = self
            .utility_images
            .as_ref()
            .ok_or(DecorationConfigError::MissingUtilityImages)?;
        let missing: Vec<String> = [
            ("clonerefs", &images.clonerefs),
            ("initupload", &images.initupload),
            ("entrypoint", &images.entrypoint),
            ("sidecar", &images.sidecar),
        ]
        .into_iter()
        .filter(|(_, image)| image.is_empty())
        .map(|(name, _)| name.to_string())
        .collect();
        if !missing.is_empty() {
            return Err(DecorationConfigError::MissingUtilityImageFields(missing));
        }
        let gcs = self
            .gcs_configuration
            .as_ref()
            .ok_or(DecorationConfigError::MissingGcsConfiguration)?;
        // Missing GCS/S3 credential secrets are fine: workload identity may provide access.
        gcs.validate()
            .map_err(DecorationConfigError::InvalidGcsConfiguration)?;
        if self.oauth_token_secret.is_some() && !self.ssh_key_secrets.is_empty() {
            return Err(DecorationConfigError::OauthTokenAndSshKeys);
        }
        Ok(())
    }
}

/// Pull specs of the utility images.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UtilityImages {
    /// Image of clonerefs.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub clonerefs: String,
    /// Image of initupload.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub initupload: String,
    /// Image of entrypoint.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub entrypoint: String,
    /// Image of sidecar.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sidecar: String,
}

impl UtilityImages {
    /// Fills every empty image from `def`.
    pub fn apply_default(&self, def: &UtilityImages) -> UtilityImages {
        let mut m = self.clone();
        fill_str(&mut m.clonerefs, &def.clonerefs);
        fill_str(&mut m.initupload, &def.initupload);
        fill_str(&mut m.entrypoint, &def.entrypoint);
        fill_str(&mut m.sidecar, &def.sidecar);
        m
    }
}

/// Resource requirements (Kubernetes `ResourceRequirements`, kept raw) of the utility containers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Resources {
    /// Requirements of clonerefs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clonerefs: Option<Value>,
    /// Requirements of initupload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initupload: Option<Value>,
    /// Requirements of the container placing entrypoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place_entrypoint: Option<Value>,
    /// Requirements of sidecar.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sidecar: Option<Value>,
}

impl Resources {
    /// Fills every unset requirement from `def`.
    pub fn apply_default(&self, def: &Resources) -> Resources {
        let mut m = self.clone();
        fill_opt(&mut m.clonerefs, &def.clonerefs);
        fill_opt(&mut m.initupload, &def.initupload);
        fill_opt(&mut m.place_entrypoint, &def.place_entrypoint);
        fill_opt(&mut m.sidecar, &def.sidecar);
        m
    }
}

/// Name and key of the secret holding an OAuth token.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OauthTokenSecret {
    /// Secret name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Key within the secret.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub key: String,
}

/// Name and key of the secret holding a GitHub App private key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitHubAppPrivateKeySecret {
    /// Secret name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Key within the secret.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub key: String,
}

/// Options for censoring secrets out of logs and artifacts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CensoringOptions {
    /// Maximum number of files censored concurrently (default 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub censoring_concurrency: Option<i64>,
    /// Buffer size in bytes per censored file (default 10MiB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub censoring_buffer_size: Option<i64>,
    /// Globs (relative to `$ARTIFACTS`) whose content is censored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_directories: Option<Vec<String>>,
    /// Globs (relative to `$ARTIFACTS`) whose content is not censored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude_directories: Option<Vec<String>>,
    /// Secrets shorter than this are not censored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_secret_length: Option<i64>,
}

impl CensoringOptions {
    /// Fills every unset option from `def` (an explicitly empty list counts as set).
    pub fn apply_default(&self, def: &CensoringOptions) -> CensoringOptions {
        let mut m = self.clone();
        fill_opt(&mut m.censoring_concurrency, &def.censoring_concurrency);
        fill_opt(&mut m.censoring_buffer_size, &def.censoring_buffer_size);
        fill_opt(&mut m.include_directories, &def.include_directories);
        fill_opt(&mut m.exclude_directories, &def.exclude_directories);
        fill_opt(&mut m.minimum_secret_length, &def.minimum_secret_length);
        m
    }
}

/// Pod scheduling settings applied when the pod spec has none.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SchedulingOptions {
    /// Kubernetes `Affinity`, kept raw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity: Option<Value>,
    /// Kubernetes `Toleration`s, kept raw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerations: Option<Vec<Value>>,
}

impl SchedulingOptions {
    /// Fills every unset option from `def`.
    pub fn apply_default(&self, def: &SchedulingOptions) -> SchedulingOptions {
        let mut m = self.clone();
        fill_opt(&mut m.affinity, &def.affinity);
        fill_opt(&mut m.tolerations, &def.tolerations);
        m
    }
}

/// Where and how logs and artifacts are uploaded.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GCSConfiguration {
    /// Bucket: `gs://name`, `s3://name`, or a bare (GCS) name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub bucket: String,
    /// Path after the bucket, before any structure.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path_prefix: String,
    /// `legacy`, `single` or `explicit`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path_strategy: String,
    /// Org omitted from paths by the legacy and single strategies.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub default_org: String,
    /// Repo omitted from paths by the legacy and single strategies.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub default_repo: String,
    /// Extra extension → media type mappings.
    #[serde(
        rename = "mediaTypes",
        default,
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub media_types: BTreeMap<String, String>,
    /// Base URL under which job output can be viewed.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub job_url_prefix: String,
    /// Directory to copy files to instead of uploading.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub local_output_dir: String,
    /// File types gzipped before upload (`*` for all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compress_file_types: Option<Vec<String>>,
}

/// Error from [`GCSConfiguration::validate`] and [`parse_path`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GCSConfigurationError {
    /// The bucket is not a valid URL (the value includes the implied `gs://`).
    #[error(
        "path {} has invalid format, expected either <bucket-name>[/<path>] or <storage-provider>://<bucket-name>[/<path>]",
        go_quote(.0)
    )]
    InvalidPath(String),
    /// A media type does not parse.
    #[error("invalid extension media type {}: {reason}", go_quote(media_type))]
    InvalidMediaType {
        /// The offending media type.
        media_type: String,
        /// Why it does not parse.
        reason: String,
    },
    /// Unknown path strategy.
    #[error("gcs_path_strategy must be one of \"legacy\", \"explicit\", or \"single\"")]
    InvalidPathStrategy,
    /// Default org or repo missing for a non-explicit strategy.
    #[error("default org and repo must be provided for GCS strategy {}", go_quote(.0))]
    MissingDefaultOrgRepo(String),
}

impl GCSConfiguration {
    /// Fills every empty field from `def`. Media types are merged and, as upstream
    /// does, entries of `def` win over entries of `self` with the same extension.
    pub fn apply_default(&self, def: &GCSConfiguration) -> GCSConfiguration {
        let mut m = self.clone();
        fill_str(&mut m.bucket, &def.bucket);
        fill_str(&mut m.path_prefix, &def.path_prefix);
        fill_str(&mut m.path_strategy, &def.path_strategy);
        fill_str(&mut m.default_org, &def.default_org);
        fill_str(&mut m.default_repo, &def.default_repo);
        m.media_types
            .extend(def.media_types.iter().map(|(k, v)| (k.clone(), v.clone())));
        fill_str(&mut m.job_url_prefix, &def.job_url_prefix);
        fill_str(&mut m.local_output_dir, &def.local_output_dir);
        fill_opt(&mut m.compress_file_types, &def.compress_file_types);
        m
    }

    /// Checks the bucket, the media types, the path strategy and, for non-explicit
    /// strategies, the default org and repo.
    pub fn validate(&self) -> Result<(), GCSConfigurationError> {
        parse_path(&self.bucket)?;
        for media_type in self.media_types.values() {
            if let Err(reason) = check_media_type(media_type) {
                return Err(GCSConfigurationError::InvalidMediaType {
                    media_type: media_type.clone(),
                    reason: reason.to_string(),
                });
            }
        }
        let strategy = self.path_strategy.as_str();
        if ![
            PATH_STRATEGY_LEGACY,
            PATH_STRATEGY_EXPLICIT,
            PATH_STRATEGY_SINGLE,
        ]
        .contains(&strategy)
        {
            return Err(GCSConfigurationError::InvalidPathStrategy);
        }
        if strategy != PATH_STRATEGY_EXPLICIT
            && (self.default_org.is_empty() || self.default_repo.is_empty())
        {
            return Err(GCSConfigurationError::MissingDefaultOrgRepo(
                strategy.to_string(),
            ));
        }
        Ok(())
    }
}

/// A parsed blob storage location such as `gs://bucket/some/path`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProwPath {
    /// Storage provider (URL scheme), e.g. `gs` or `s3`.
    pub scheme: String,
    /// Bucket (URL host).
    pub host: String,
    /// Path after the bucket, percent-decoded, starting with `/` when present.
    pub path: String,
    /// Query string without the `?`.
    pub raw_query: String,
    /// Fragment without the `#`, as written.
    pub fragment: String,
}

impl ProwPath {
    /// The storage provider, e.g. `gs`.
    pub fn storage_provider(&self) -> &str {
        &self.scheme
    }

    /// The bucket name.
    pub fn bucket(&self) -> &str {
        &self.host
    }

    /// `provider://bucket`.
    pub fn bucket_with_scheme(&self) -> String {
        format!("{}://{}", self.scheme, self.host)
    }

    /// Bucket followed by the path.
    pub fn full_path(&self) -> String {
        format!("{}{}", self.host, self.path)
    }
}

impl fmt::Display for ProwPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}{}", self.scheme, self.host, self.path)?;
        if !self.raw_query.is_empty() {
            write!(f, "?{}", self.raw_query)?;
        }
        if !self.fragment.is_empty() {
            write!(f, "#{}", self.fragment)?;
        }
        Ok(())
    }
}

/// Parses a bucket given as `<bucket-name>[/<path>]` (GCS implied) or
/// `<storage-provider>://<bucket-name>[/<path>]`, rejecting what Go's URL parser rejects
/// (control characters, bad escapes, bad hosts or ports, missing scheme).
pub fn parse_path(bucket: &str) -> Result<ProwPath, GCSConfigurationError> {
    let full = if bucket.contains("://") {
        bucket.to_string()
    } else {
        format!("gs://{bucket}")
    };
    parse_url(&full).ok_or(GCSConfigurationError::InvalidPath(full))
}

/// A simplified port of Go's `url.Parse`, enough to decide validity and split
/// scheme, host and path.
fn parse_url(raw: &str) -> Option<ProwPath> {
    if raw.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return None;
    }
    let (rest, fragment) = match raw.split_once('#') {
        Some((r, f)) => (r, f),
        None => (raw, ""),
    };
    percent_decode(fragment)?;
    // Scheme.
    let mut scheme = "";
    let mut rest = rest;
    for (i, c) in rest.char_indices() {
        match c {
            'a'..='z' | 'A'..='Z' => {}
            '0'..='9' | '+' | '-' | '.' if i > 0 => {}
            ':' => {
                if i == 0 {
                    return None; // missing protocol scheme
                }
                scheme = &rest[..i];
                rest = &rest[i + 1..];
                break;
            }
            _ => break,
        }
    }
    let (rest, raw_query) = match rest.split_once('?') {
        Some((r, q)) => (r, q),
        None => (rest, ""),
    };
    if !rest.starts_with('/') {
        if !scheme.is_empty() {
            // Opaque URL such as `gs:bucket`.
            return Some(ProwPath {
                scheme: scheme.to_ascii_lowercase(),
                raw_query: raw_query.to_string(),
                fragment: fragment.to_string(),
                ..ProwPath::default()
            });
        }
        let first_segment = rest.split('/').next().unwrap_or("");
        if first_segment.contains(':') {
            return None; // first path segment in URL cannot contain colon
        }
    }
    let mut host = String::new();
    let mut path = rest;
    if let Some(after) = rest
        .strip_prefix("//")
        .filter(|_| !scheme.is_empty() || !rest.starts_with("///"))
    {
        let (authority, p) = match after.find('/') {
            Some(i) => (&after[..i], &after[i..]),
            None => (after, ""),
        };
        host = parse_authority(authority)?;
        path = p;
    }
    let path = percent_decode(path)?;
    Some(ProwPath {
        scheme: scheme.to_ascii_lowercase(),
        host,
        path: String::from_utf8_lossy(&path).into_owned(),
        raw_query: raw_query.to_string(),
        fragment: fragment.to_string(),
    })
}

fn parse_authority(authority: &str) -> Option<String> {
    let host = match authority.rfind('@') {
        Some(i) => {
            let userinfo = &authority[..i];
            let ok = userinfo.bytes().all(|b| {
                b.is_ascii_alphanumeric() || b"-._:~!$&'()*+,;=%@".contains(&b) || b >= 0x80
            });
            if !ok {
                return None;
            }
            percent_decode(userinfo)?;
            &authority[i + 1..]
        }
        None => authority,
    };
    let valid_port = |p: &str| {
        p.is_empty()
            || p.strip_prefix(':')
                .is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()))
    };
    if host.starts_with('[') {
        let close = host.find(']')?;
        if !valid_port(&host[close + 1..]) {
            return None;
        }
    } else if let Some(i) = host.rfind(':')
        && !valid_port(&host[i..])
    {
        return None;
    }
    // Host characters Go accepts unescaped; `%XX` is only allowed for non-ASCII bytes or `%25`.
    let bytes = host.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hi = hex_val(*bytes.get(i + 1)?)?;
            let lo = hex_val(*bytes.get(i + 2)?)?;
            if hi < 8 && &host[i..i + 3] != "%25" {
                return None;
            }
            out.push(hi * 16 + lo);
            i += 3;
            continue;
        }
        let allowed =
            b >= 0x80 || b.is_ascii_alphanumeric() || b"-_.~!$&'()*+,;=:[]<>\"".contains(&b);
        if !allowed {
            return None;
        }
        out.push(b);
        i += 1;
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

fn hex_val(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hi = hex_val(*bytes.get(i + 1)?)?;
            let lo = hex_val(*bytes.get(i + 2)?)?;
            out.push(hi * 16 + lo);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

/// Checks a media type the way Go's `mime.ParseMediaType` does, returning its error text.
fn check_media_type(v: &str) -> Result<(), &'static str> {
    fn is_tspecial(c: char) -> bool {
        "()<>@,;:\\\"/[]?=".contains(c)
    }
    fn is_token_char(c: char) -> bool {
        (c as u32) > 0x20 && (c as u32) < 0x7f && !is_tspecial(c)
    }
    fn consume_token(v: &str) -> (&str, &str) {
        let end = v.find(|c: char| !is_token_char(c)).unwrap_or(v.len());
        (&v[..end], &v[end..])
    }
    // Returns (value, rest); an empty value with unchanged rest means failure.
    fn consume_value(v: &str) -> (String, &str) {
        let Some(quoted) = v.strip_prefix('"') else {
            let (tok, rest) = consume_token(v);
            return (tok.to_string(), rest);
        };
        let mut buf = String::new();
        let mut chars = quoted.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => return (buf, &quoted[i + 1..]),
                '\\' if chars.peek().is_some_and(|&(_, n)| is_tspecial(n)) => {
                    let (_, n) = chars.next().unwrap_or((i, c));
                    buf.push(n);
                }
                '\r' | '\n' => return (String::new(), v),
                c => buf.push(c),
            }
        }
        (String::new(), v)
    }
    fn trim_left(s: &str) -> &str {
        s.trim_start_matches(char::is_whitespace)
    }

    let base = v.split(';').next().unwrap_or("");
    let media_type = base.to_lowercase();
    let media_type = media_type.trim();
    let (typ, rest) = consume_token(media_type);
    if typ.is_empty() {
        return Err("mime: no media type");
    }
    if !rest.is_empty() {
        let Some(rest) = rest.strip_prefix('/') else {
            return Err("mime: expected slash after first token");
        };
        let (subtype, rest) = consume_token(rest);
        if subtype.is_empty() {
            return Err("mime: expected token after slash");
        }
        if !rest.is_empty() {
            return Err("mime: unexpected content after media subtype");
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut v = &v[base.len()..];
    loop {
        v = trim_left(v);
        if v.is_empty() {
            return Ok(());
        }
        let parsed = (|| {
            let rest = trim_left(v).strip_prefix(';')?;
            let (param, rest) = consume_token(trim_left(rest));
            if param.is_empty() {
                return None;
            }
            let rest = trim_left(rest).strip_prefix('=')?;
            let rest = trim_left(rest);
            let (value, rest2) = consume_value(rest);
            if value.is_empty() && rest2.len() == rest.len() {
                return None;
            }
            Some((param.to_lowercase(), rest2))
        })();
        match parsed {
            Some((param, rest)) => {
                if !seen.insert(param) {
                    return Err("mime: duplicate parameter name");
                }
                v = rest;
            }
            None if v.trim() == ";" => return Ok(()),
            None => return Err("mime: invalid media parameter"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::time::Duration;

    const PRESUBMIT_YAML: &str = r#"
apiVersion: prow.k8s.io/v1
kind: ProwJob
metadata:
  annotations:
    prow.k8s.io/context: pull-test-infra-unit-test
    prow.k8s.io/job: pull-test-infra-unit-test
  creationTimestamp: "2024-03-05T10:11:12Z"
  generation: 5
  labels:
    created-by-prow: "true"
    event-GUID: 1b2c3d40-dac1-11ee-8d4f-3f8a5a0e6d21
    prow.k8s.io/build-id: "1765012345678901234"
    prow.k8s.io/context: pull-test-infra-unit-test
    prow.k8s.io/id: 0a1b2c3d-4e5f-6789-abcd-ef0123456789
    prow.k8s.io/is-optional: "false"
    prow.k8s.io/job: pull-test-infra-unit-test
    prow.k8s.io/refs.base_ref: master
    prow.k8s.io/refs.org: kubernetes
    prow.k8s.io/refs.pull: "31234"
    prow.k8s.io/refs.repo: test-infra
    prow.k8s.io/type: presubmit
  name: 0a1b2c3d-4e5f-6789-abcd-ef0123456789
  namespace: default
  resourceVersion: "1085091611"
  uid: 35197a85-9518-41a9-bc60-66ec48cfcf5f
  someFutureMetadata: kept
spec:
  agent: kubernetes
  cluster: k8s-infra-prow-build
  context: pull-test-infra-unit-test
  decoration_config:
    censor_secrets: true
    censoring_options:
      include_directories: []
      minimum_secret_length: 4
    default_memory_request: 4Gi
    gcs_configuration:
      bucket: gs://kubernetes-ci-logs
      mediaTypes:
        log: text/plain
      path_strategy: explicit
    gcs_credentials_secret: gcs-credentials
    github_api_endpoints:
    - http://ghproxy
    - https://api.github.com
    github_app_id: "607555"
    github_app_private_key_secret:
      key: cert
      name: github-token
    grace_period: 15m0s
    pod_pending_timeout: 10m0s
    resources:
      clonerefs:
        limits:
          memory: 3Gi
        requests:
          cpu: 100m
          memory: 500Mi
      sidecar:
        requests:
          cpu: 100m
    run_as_user: 2000
    scheduling_options:
      tolerations:
      - effect: NoSchedule
        key: dedicated
        operator: Equal
        value: ci
    timeout: 2h0m0s
    utility_images:
      clonerefs: us-docker.pkg.dev/k8s-infra-prow/images/clonerefs:v20240301-a1b2c3d
      entrypoint: us-docker.pkg.dev/k8s-infra-prow/images/entrypoint:v20240301-a1b2c3d
      initupload: us-docker.pkg.dev/k8s-infra-prow/images/initupload:v20240301-a1b2c3d
      sidecar: us-docker.pkg.dev/k8s-infra-prow/images/sidecar:v20240301-a1b2c3d
  job: pull-test-infra-unit-test
  max_concurrency: 10
  namespace: test-pods
  pod_spec:
    containers:
    - args:
      - make
      - test
      command:
      - runner.sh
      image: gcr.io/k8s-staging-test-infra/kubekins-e2e:v20240301-master
      name: ""
      resources:
        limits:
          cpu: "4"
          memory: 8Gi
        requests:
          cpu: "4"
          memory: 8Gi
  prowjob_defaults:
    tenant_id: GlobalDefaultID
  refs:
    base_link: https://github.com/kubernetes/test-infra/commit/4e1e5b2c0f3d
    base_ref: master
    base_sha: 4e1e5b2c0f3d
    org: kubernetes
    path_alias: k8s.io/test-infra
    pulls:
    - author: someone
      author_link: https://github.com/someone
      commit_link: https://github.com/kubernetes/test-infra/pull/31234/commits/9f8e7d6c
      head_ref: fix-things
      link: https://github.com/kubernetes/test-infra/pull/31234
      number: 31234
      sha: 9f8e7d6c
      title: Fix <things> & stuff
      pullExtra: true
    repo: test-infra
    repo_link: https://github.com/kubernetes/test-infra
    refsExtra: [1, 2]
  report: true
  rerun_auth_config:
    github_team_slugs:
    - org: kubernetes
      slug: test-infra-admins
    github_users:
    - someone
  rerun_command: /test pull-test-infra-unit-test
  reporter_config:
    slack:
      channel: testing-ops
      job_states_to_report:
      - failure
      - error
      report: true
  type: presubmit
  future_spec_field:
    nested: [1, 2]
status:
  build_id: "1765012345678901234"
  completionTime: "2024-03-05T10:41:02Z"
  description: Job succeeded.
  pendingTime: "2024-03-05T10:11:14Z"
  pod_name: 0a1b2c3d-4e5f-6789-abcd-ef0123456789
  prev_report_states:
    gcsk8sreporter: success
    gcsreporter: success
    github-reporter: success
    slackreporter: success
  startTime: "2024-03-05T10:11:12Z"
  state: success
  url: https://prow.k8s.io/view/gs/kubernetes-ci-logs/pr-logs/pull/test-infra/31234/pull-test-infra-unit-test/1765012345678901234
  someNewStatusField: 3
topLevelExtra: yes-really
"#;

    const PERIODIC_YAML: &str = r#"
apiVersion: prow.k8s.io/v1
kind: ProwJob
metadata:
  creationTimestamp: "2022-07-18T20:30:22Z"
  finalizers:
  - example.com/keep
  labels:
    prow.k8s.io/type: periodic
  name: test-job2
  namespace: default
  ownerReferences:
  - apiVersion: v1
    kind: ConfigMap
    name: owner
    uid: 11111111-2222-3333-4444-555555555555
spec:
  agent: tekton-pipeline
  cluster: default
  extra_refs:
  - base_ref: master
    org: kubernetes
    repo: test-infra
    workdir: true
    clone_depth: 1
    skip_submodules: true
    blobless_fetch: false
  - auxiliary: true
    base_ref: main
    org: kubernetes-sigs
    repo: prow
    sparse_checkout_files: [Makefile]
  hidden: true
  job: ci-periodic-thing
  job_queue_name: nightly
  tekton_pipeline_run_spec:
    v1beta1:
      pipelineRef:
        name: build
  type: nightly
status:
  prev_report_states:
    gcsreporter: waiting-for-godot
  startTime: "2022-07-18T20:30:22Z"
  state: scheduling
"#;

    fn yaml_value(doc: &str) -> Value {
        crate::yaml::from_str(doc).expect("valid yaml")
    }

    #[test]
    fn realistic_documents_round_trip_losslessly() {
        for (name, doc) in [("presubmit", PRESUBMIT_YAML), ("periodic", PERIODIC_YAML)] {
            let original = yaml_value(doc);

            // serde_json: Value -> ProwJob -> Value, and through a JSON string.
            let pj: ProwJob = serde_json::from_value(original.clone()).unwrap();
            assert_eq!(
                serde_json::to_value(&pj).unwrap(),
                original,
                "{name}: json value"
            );
            let text = serde_json::to_string(&pj).unwrap();
            let again: ProwJob = serde_json::from_str(&text).unwrap();
            assert_eq!(again, pj, "{name}: json string");

            // Our YAML: text -> ProwJob -> text -> Value.
            let from_yaml: ProwJob = crate::yaml::from_str(doc).unwrap();
            assert_eq!(from_yaml, pj, "{name}: yaml and json agree");
            let yaml_out = crate::yaml::to_string(&from_yaml).unwrap();
            assert_eq!(yaml_value(&yaml_out), original, "{name}: yaml");
        }
    }

    #[test]
    fn realistic_presubmit_is_parsed_into_typed_fields() {
        let pj: ProwJob = crate::yaml::from_str(PRESUBMIT_YAML).unwrap();
        assert_eq!(pj.spec.type_, Some(ProwJobType::Presubmit));
        assert_eq!(pj.spec.agent, Some(ProwJobAgent::Kubernetes));
        assert_eq!(pj.status.state, Some(ProwJobState::Success));
        assert_eq!(
            pj.status.start_time,
            Some(
                DateTime::parse_from_rfc3339("2024-03-05T10:11:12Z")
                    .unwrap()
                    .with_timezone(&Utc)
            )
        );
        assert_eq!(pj.metadata.generation, 5);
        assert_eq!(
            pj.metadata.extra.get("someFutureMetadata"),
            Some(&json!("kept"))
        );
        assert_eq!(pj.extra.get("topLevelExtra"), Some(&json!("yes-really")));
        assert_eq!(
            pj.spec.extra.get("future_spec_field"),
            Some(&json!({"nested": [1, 2]}))
        );
        assert_eq!(pj.status.extra.get("someNewStatusField"), Some(&json!(3)));
        let refs = pj.spec.refs.as_ref().unwrap();
        assert_eq!(refs.extra.get("refsExtra"), Some(&json!([1, 2])));
        assert_eq!(refs.pulls[0].extra.get("pullExtra"), Some(&json!(true)));
        assert_eq!(refs.to_string(), "master:4e1e5b2c0f3d,31234:9f8e7d6c");
        let dc = pj.spec.decoration_config.as_ref().unwrap();
        assert_eq!(
            dc.timeout.map(GoDuration::as_std),
            Some(Duration::from_secs(7200))
        );
        assert_eq!(
            dc.censoring_options.as_ref().unwrap().include_directories,
            Some(vec![])
        );
        assert_eq!(dc.run_as_user, Some(2000));
        assert_eq!(dc.validate(), Ok(()));
        let slack = pj
            .spec
            .reporter_config
            .as_ref()
            .unwrap()
            .slack
            .as_ref()
            .unwrap();
        assert_eq!(
            slack.job_states_to_report,
            Some(vec![ProwJobState::Failure, ProwJobState::Error])
        );
        assert!(pj.complete());
        assert_eq!(pj.cluster_alias(), "k8s-infra-prow-build");
        assert_eq!(
            pj.spec.pod_spec.as_ref().unwrap().0["containers"][0]["command"],
            json!(["runner.sh"])
        );
    }

    #[test]
    fn unknown_enum_values_are_kept() {
        let pj: ProwJob = crate::yaml::from_str(PERIODIC_YAML).unwrap();
        assert_eq!(pj.spec.type_, Some(ProwJobType::Other("nightly".into())));
        assert_eq!(pj.status.state, Some(ProwJobState::Scheduling));
        assert_eq!(
            pj.status.prev_report_states.get("gcsreporter"),
            Some(&ProwJobState::Other("waiting-for-godot".into()))
        );
        assert!(pj.spec.has_pipeline_run_spec());
        assert_eq!(
            pj.spec.pipeline_run_spec(),
            Some(&json!({"pipelineRef": {"name": "build"}}))
        );
        assert!(!pj.complete());
    }

    #[test]
    fn enums_parse_display_and_compare() {
        let states = [
            ("scheduling", ProwJobState::Scheduling, false),
            ("triggered", ProwJobState::Triggered, false),
            ("pending", ProwJobState::Pending, false),
            ("success", ProwJobState::Success, true),
            ("failure", ProwJobState::Failure, true),
            ("aborted", ProwJobState::Aborted, true),
            ("error", ProwJobState::Error, true),
            ("queued", ProwJobState::Other("queued".into()), false),
        ];
        for (text, state, terminal) in states {
            assert_eq!(text.parse::<ProwJobState>().unwrap(), state, "{text}");
            assert_eq!(state.to_string(), text);
            assert_eq!(state.is_terminal(), terminal, "{text}");
            assert_eq!(serde_json::to_value(&state).unwrap(), json!(text));
            assert_eq!(
                serde_json::from_value::<ProwJobState>(json!(text)).unwrap(),
                state
            );
        }
        // A hand-built Other holding a known value still equals the variant.
        assert_eq!(ProwJobState::Other("success".into()), ProwJobState::Success);
        assert!(!ProwJobState::all().contains(&ProwJobState::Scheduling));

        let types = [
            ("presubmit", ProwJobType::Presubmit),
            ("postsubmit", ProwJobType::Postsubmit),
            ("periodic", ProwJobType::Periodic),
            ("batch", ProwJobType::Batch),
            ("", ProwJobType::Other(String::new())),
        ];
        for (text, t) in types {
            assert_eq!(ProwJobType::from(text), t);
            assert_eq!(t.as_str(), text);
        }
        let agents = [
            ("kubernetes", ProwJobAgent::Kubernetes),
            ("jenkins", ProwJobAgent::Jenkins),
            ("tekton-pipeline", ProwJobAgent::TektonPipeline),
            ("knative-build", ProwJobAgent::Other("knative-build".into())),
        ];
        for (text, a) in agents {
            assert_eq!(text.parse::<ProwJobAgent>().unwrap(), a);
            assert_eq!(serde_json::to_string(&a).unwrap(), format!("\"{text}\""));
        }
    }

    #[test]
    fn serialization_emits_only_what_is_set() {
        let cases: Vec<(&str, Value, Value)> = vec![
            (
                "empty prowjob keeps metadata, spec and status",
                serde_json::to_value(ProwJob::default()).unwrap(),
                json!({"metadata": {}, "spec": {}, "status": {}}),
            ),
            (
                "pull always has number, author and sha",
                serde_json::to_value(Pull {
                    number: 3,
                    ..Pull::default()
                })
                .unwrap(),
                json!({"number": 3, "author": "", "sha": ""}),
            ),
            (
                "refs always have org and repo",
                serde_json::to_value(Refs {
                    base_ref: "main".into(),
                    ..Refs::default()
                })
                .unwrap(),
                json!({"org": "", "repo": "", "base_ref": "main"}),
            ),
            (
                "decoration config with pointers to zero values",
                serde_json::to_value(DecorationConfig {
                    timeout: Some(GoDuration::from_std(Duration::from_secs(90))),
                    skip_cloning: Some(false),
                    gcs_credentials_secret: Some(String::new()),
                    ..DecorationConfig::default()
                })
                .unwrap(),
                json!({"timeout": "1m30s", "gcs_credentials_secret": "", "skip_cloning": false}),
            ),
            (
                "explicitly empty states to report",
                serde_json::to_value(SlackReporterConfig {
                    job_states_to_report: Some(vec![]),
                    ..SlackReporterConfig::default()
                })
                .unwrap(),
                json!({"job_states_to_report": []}),
            ),
            (
                "github team slug fields are always present",
                serde_json::to_value(GitHubTeamSlug::default()).unwrap(),
                json!({"slug": "", "org": ""}),
            ),
            (
                "new prowjob has apiVersion and kind",
                serde_json::to_value(ProwJob::new(
                    ObjectMeta::default(),
                    ProwJobSpec::default(),
                    ProwJobStatus::default(),
                ))
                .unwrap(),
                json!({"apiVersion": "prow.k8s.io/v1", "kind": "ProwJob", "metadata": {}, "spec": {}, "status": {}}),
            ),
        ];
        for (name, actual, expected) in cases {
            assert_eq!(actual, expected, "{name}");
        }
    }

    #[test]
    fn timestamps_are_written_like_kubernetes() {
        let cases = [
            ("2017-05-10T23:34:22.567457715Z", "2017-05-10T23:34:22Z"),
            ("2024-03-05T12:11:12+02:00", "2024-03-05T10:11:12Z"),
            ("2024-03-05T10:11:12Z", "2024-03-05T10:11:12Z"),
        ];
        for (input, output) in cases {
            let status: ProwJobStatus =
                serde_json::from_value(json!({"startTime": input})).unwrap();
            assert_eq!(
                serde_json::to_value(&status).unwrap(),
                json!({"startTime": output}),
                "{input}"
            );
        }
        let status: ProwJobStatus =
            serde_json::from_value(json!({"startTime": null, "pendingTime": null})).unwrap();
        assert_eq!(status.start_time, None);
        assert!(
            serde_json::from_value::<ProwJobStatus>(json!({"startTime": "yesterday"})).is_err()
        );

        let mut pj = ProwJob::default();
        let now = Utc::now();
        pj.set_complete(now);
        assert_eq!(pj.status.completion_time, Some(now));
        assert_eq!(pj.cluster_alias(), DEFAULT_CLUSTER_ALIAS);
    }

    fn secs(s: u64) -> Option<GoDuration> {
        Some(GoDuration::from_std(Duration::from_secs(s)))
    }

    fn full_default() -> DecorationConfig {
        DecorationConfig {
            timeout: secs(60),
            grace_period: secs(10),
            utility_images: Some(UtilityImages {
                clonerefs: "clonerefs".into(),
                initupload: "initupload".into(),
                entrypoint: "entrypoint".into(),
                sidecar: "sidecar".into(),
            }),
            resources: Some(Resources {
                clonerefs: Some(json!({"requests": {"cpu": "100m"}})),
                initupload: Some(json!({"requests": {"cpu": "200m"}})),
                place_entrypoint: Some(json!({"requests": {"cpu": "300m"}})),
                sidecar: Some(json!({"requests": {"cpu": "400m"}})),
            }),
            gcs_configuration: Some(GCSConfiguration {
                bucket: "bucket".into(),
                path_prefix: "prefix".into(),
                path_strategy: PATH_STRATEGY_LEGACY.into(),
                default_org: "org".into(),
                default_repo: "repo".into(),
                media_types: [("log".to_string(), "text/plain".to_string())].into(),
                job_url_prefix: "https://prow/view/".into(),
                local_output_dir: "local-output".into(),
                compress_file_types: Some(vec!["txt".into()]),
            }),
            gcs_credentials_secret: Some("secretName".into()),
            s3_credentials_secret: Some("s3-secret".into()),
            default_service_account_name: Some("sa".into()),
            ssh_key_secrets: vec!["first".into(), "second".into()],
            ssh_host_fingerprints: vec!["primero".into(), "segundo".into()],
            blobless_fetch: Some(true),
            sparse_checkout_files: vec!["Makefile".into()],
            skip_cloning: Some(true),
            cookiefile_secret: Some("cookie".into()),
            oauth_token_secret: Some(OauthTokenSecret {
                name: "oauth".into(),
                key: "token".into(),
            }),
            github_api_endpoints: vec!["http://ghproxy".into()],
            github_app_id: "123".into(),
            github_app_private_key_secret: Some(GitHubAppPrivateKeySecret {
                name: "app".into(),
                key: "cert".into(),
            }),
            censor_secrets: Some(true),
            censoring_options: Some(CensoringOptions {
                censoring_concurrency: Some(5),
                censoring_buffer_size: Some(1024),
                include_directories: Some(vec!["a".into()]),
                exclude_directories: Some(vec!["b".into()]),
                minimum_secret_length: Some(3),
            }),
            upload_ignores_interrupts: Some(true),
            set_limit_equals_memory_request: Some(true),
            default_memory_request: Some(json!("1Gi")),
            scheduling_options: Some(SchedulingOptions {
                affinity: Some(json!({"nodeAffinity": {}})),
                tolerations: Some(vec![json!({"key": "k"})]),
            }),
            pod_pending_timeout: secs(600),
            pod_running_timeout: secs(3600),
            pod_unscheduled_timeout: secs(300),
            run_as_user: Some(1000),
            run_as_group: Some(1001),
            fs_group: Some(1002),
        }
    }

    #[test]
    fn apply_default_fills_every_field() {
        let def = full_default();
        let cases = [
            ("nothing set", DecorationConfig::default()),
            (
                "empty sub-structs are merged field by field",
                DecorationConfig {
                    utility_images: Some(UtilityImages::default()),
                    resources: Some(Resources::default()),
                    gcs_configuration: Some(GCSConfiguration::default()),
                    censoring_options: Some(CensoringOptions::default()),
                    scheduling_options: Some(SchedulingOptions::default()),
                    ..DecorationConfig::default()
                },
            ),
        ];
        for (name, own) in cases {
            assert_eq!(own.apply_default(&def), def, "{name}");
        }
        // And a fully set config is left alone by an empty default.
        assert_eq!(def.apply_default(&DecorationConfig::default()), def);
    }

    #[test]
    fn apply_default_does_not_overwrite() {
        type Expect = fn(&DecorationConfig, &mut DecorationConfig);
        let cases: Vec<(&str, DecorationConfig, Expect)> = vec![
            ("nothing provided", DecorationConfig::default(), |_, _| {}),
            (
                "timeout provided",
                DecorationConfig {
                    timeout: secs(600),
                    ..Default::default()
                },
                |o, d| d.timeout.clone_from(&o.timeout),
            ),
            (
                "grace period provided",
                DecorationConfig {
                    grace_period: secs(36000),
                    ..Default::default()
                },
                |o, d| d.grace_period.clone_from(&o.grace_period),
            ),
            (
                "utility images provided",
                DecorationConfig {
                    utility_images: Some(UtilityImages {
                        clonerefs: "clonerefs-special".into(),
                        initupload: "initupload-special".into(),
                        entrypoint: "entrypoint-special".into(),
                        sidecar: "sidecar-special".into(),
                    }),
                    ..Default::default()
                },
                |o, d| d.utility_images = o.utility_images.clone(),
            ),
            (
                "utility images partially provided",
                DecorationConfig {
                    utility_images: Some(UtilityImages {
                        clonerefs: "clonerefs-special".into(),
                        initupload: "initupload-special".into(),
                        ..Default::default()
                    }),
                    ..Default::default()
                },
                |_, d| {
                    let images = d.utility_images.as_mut().unwrap();
                    images.clonerefs = "clonerefs-special".into();
                    images.initupload = "initupload-special".into();
                },
            ),
            (
                "gcs configuration partially provided",
                DecorationConfig {
                    gcs_configuration: Some(GCSConfiguration {
                        bucket: "bucket-1".into(),
                        compress_file_types: Some(vec![]),
                        ..Default::default()
                    }),
                    ..Default::default()
                },
                |_, d| {
                    let gcs = d.gcs_configuration.as_mut().unwrap();
                    gcs.bucket = "bucket-1".into();
                    gcs.compress_file_types = Some(vec![]);
                },
            ),
            (
                "gcs secret name set to empty",
                DecorationConfig {
                    gcs_credentials_secret: Some(String::new()),
                    ..Default::default()
                },
                |o, d| d.gcs_credentials_secret = o.gcs_credentials_secret.clone(),
            ),
            (
                "s3 secret name provided",
                DecorationConfig {
                    s3_credentials_secret: Some("overwritten".into()),
                    ..Default::default()
                },
                |o, d| d.s3_credentials_secret = o.s3_credentials_secret.clone(),
            ),
            (
                "ssh secrets provided",
                DecorationConfig {
                    ssh_key_secrets: vec!["my".into(), "special".into()],
                    ..Default::default()
                },
                |o, d| d.ssh_key_secrets = o.ssh_key_secrets.clone(),
            ),
            (
                "skip_cloning false is kept",
                DecorationConfig {
                    skip_cloning: Some(false),
                    ..Default::default()
                },
                |o, d| d.skip_cloning = o.skip_cloning,
            ),
            (
                "do not ignore interrupts",
                DecorationConfig {
                    upload_ignores_interrupts: Some(false),
                    ..Default::default()
                },
                |o, d| d.upload_ignores_interrupts = o.upload_ignores_interrupts,
            ),
            (
                "explicitly empty censoring directories are kept",
                DecorationConfig {
                    censoring_options: Some(CensoringOptions {
                        include_directories: Some(vec![]),
                        ..Default::default()
                    }),
                    ..Default::default()
                },
                |_, d| d.censoring_options.as_mut().unwrap().include_directories = Some(vec![]),
            ),
            (
                "resources provided per container",
                DecorationConfig {
                    resources: Some(Resources {
                        sidecar: Some(json!({})),
                        ..Default::default()
                    }),
                    ..Default::default()
                },
                |_, d| d.resources.as_mut().unwrap().sidecar = Some(json!({})),
            ),
        ];
        for (name, provided, expect) in cases {
            let mut expected = full_default();
            expect(&provided, &mut expected);
            assert_eq!(provided.apply_default(&full_default()), expected, "{name}");
        }
    }

    #[test]
    fn gcs_media_types_merge_with_default_winning() {
        let own = GCSConfiguration {
            media_types: [("log", "text/x-log"), ("md", "text/markdown")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Default::default()
        };
        let def = GCSConfiguration {
            media_types: [("log".to_string(), "text/plain".to_string())].into(),
            ..Default::default()
        };
        let merged = own.apply_default(&def);
        assert_eq!(
            merged.media_types.get("log").map(String::as_str),
            Some("text/plain")
        );
        assert_eq!(
            merged.media_types.get("md").map(String::as_str),
            Some("text/markdown")
        );
    }

    #[test]
    fn apply_default_opt_handles_absent_sides() {
        let def = full_default();
        let own = DecorationConfig {
            timeout: secs(5),
            ..Default::default()
        };
        assert_eq!(DecorationConfig::apply_default_opt(None, None), None);
        assert_eq!(
            DecorationConfig::apply_default_opt(None, Some(&def)),
            Some(def.clone())
        );
        assert_eq!(
            DecorationConfig::apply_default_opt(Some(&own), None),
            Some(own.clone())
        );
        assert_eq!(
            DecorationConfig::apply_default_opt(Some(&own), Some(&def))
                .and_then(|d| d.grace_period),
            secs(10)
        );
    }

    #[test]
    fn prowjob_default_apply_default() {
        let rs = |p: &str| {
            Some(ResultStoreConfig {
                project_id: p.into(),
            })
        };
        let pd = |r: Option<ResultStoreConfig>, t: &str| ProwJobDefault {
            resultstore_config: r,
            tenant_id: t.into(),
        };
        let cases = [
            ("nothing provided", pd(None, ""), pd(None, ""), pd(None, "")),
            (
                "all provided, no default",
                pd(rs("project"), "tenant"),
                pd(None, ""),
                pd(rs("project"), "tenant"),
            ),
            (
                "all provided, no override",
                pd(rs("project"), "tenant"),
                pd(rs("default-project"), "default-tenant"),
                pd(rs("project"), "tenant"),
            ),
            (
                "empty provided, use default",
                pd(None, ""),
                pd(rs("default-project"), "default-tenant"),
                pd(rs("default-project"), "default-tenant"),
            ),
            (
                "this provided, that default",
                pd(rs("project"), ""),
                pd(None, "default-tenant"),
                pd(rs("project"), "default-tenant"),
            ),
        ];
        for (name, own, def, expected) in cases {
            assert_eq!(own.apply_default(&def), expected, "{name}");
        }
    }

    #[test]
    fn slack_apply_default_fills_every_field() {
        let def = SlackReporterConfig {
            host: "h".into(),
            channel: "c".into(),
            job_states_to_report: Some(vec![ProwJobState::Failure]),
            report_template: "t".into(),
            report: Some(false),
        };
        assert_eq!(SlackReporterConfig::default().apply_default(&def), def);
        let own = SlackReporterConfig {
            job_states_to_report: Some(vec![]),
            ..Default::default()
        };
        assert_eq!(own.apply_default(&def).job_states_to_report, Some(vec![]));
    }

    #[test]
    fn decoration_config_validation() {
        let valid = || DecorationConfig {
            utility_images: full_default().utility_images,
            gcs_configuration: Some(GCSConfiguration {
                bucket: "gs://bucket".into(),
                path_strategy: PATH_STRATEGY_EXPLICIT.into(),
                ..Default::default()
            }),
            ..Default::default()
        };
        type Change = fn(&mut DecorationConfig);
        let cases: Vec<(&str, Change, Option<&str>)> = vec![
            ("valid", |_| {}, None),
            (
                "no utility images",
                |d| d.utility_images = None,
                Some("utility image config is not specified"),
            ),
            (
                "some utility images missing",
                |d| {
                    let u = d.utility_images.as_mut().unwrap();
                    u.clonerefs.clear();
                    u.sidecar.clear();
                },
                Some(r#"the following utility images are not specified: ["clonerefs" "sidecar"]"#),
            ),
            (
                "no gcs configuration",
                |d| d.gcs_configuration = None,
                Some("GCS upload configuration is not specified"),
            ),
            (
                "bad path strategy",
                |d| d.gcs_configuration.as_mut().unwrap().path_strategy = "nope".into(),
                Some(
                    r#"GCS configuration is invalid: gcs_path_strategy must be one of "legacy", "explicit", or "single""#,
                ),
            ),
            (
                "legacy without default org",
                |d| d.gcs_configuration.as_mut().unwrap().path_strategy = "legacy".into(),
                Some(
                    r#"GCS configuration is invalid: default org and repo must be provided for GCS strategy "legacy""#,
                ),
            ),
            (
                "bad media type",
                |d| {
                    d.gcs_configuration
                        .as_mut()
                        .unwrap()
                        .media_types
                        .insert("log".into(), "text/".into());
                },
                Some(
                    r#"GCS configuration is invalid: invalid extension media type "text/": mime: expected token after slash"#,
                ),
            ),
            (
                "bad bucket",
                |d| d.gcs_configuration.as_mut().unwrap().bucket = "bucket:port".into(),
                Some(
                    r#"GCS configuration is invalid: path "gs://bucket:port" has invalid format, expected either <bucket-name>[/<path>] or <storage-provider>://<bucket-name>[/<path>]"#,
                ),
            ),
            (
                "oauth and ssh",
                |d| {
                    d.oauth_token_secret = Some(OauthTokenSecret::default());
                    d.ssh_key_secrets = vec!["ssh".into()];
                },
                Some("both OAuth token and SSH key secrets are specified"),
            ),
        ];
        for (name, change, expected) in cases {
            let mut dc = valid();
            change(&mut dc);
            let actual = dc.validate().err().map(|e| e.to_string());
            assert_eq!(actual.as_deref(), expected, "{name}");
        }
    }

    #[test]
    fn media_type_checks() {
        let cases = [
            ("text/plain", Ok(())),
            ("text", Ok(())),
            ("text/plain; charset=utf-8", Ok(())),
            ("text/plain; charset=\"utf-8\";", Ok(())),
            ("", Err("mime: no media type")),
            ("text/", Err("mime: expected token after slash")),
            ("text plain", Err("mime: expected slash after first token")),
            (
                "text/plain/x",
                Err("mime: unexpected content after media subtype"),
            ),
            ("text/plain; charset", Err("mime: invalid media parameter")),
            (
                "text/plain; a=1; A=2",
                Err("mime: duplicate parameter name"),
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(check_media_type(input), expected, "{input:?}");
        }
    }

    #[test]
    fn parse_path_table() {
        let ok = [
            (
                "prow-artifacts",
                "gs",
                "prow-artifacts",
                "prow-artifacts",
                "",
            ),
            (
                "gs://prow-artifacts",
                "gs",
                "prow-artifacts",
                "prow-artifacts",
                "",
            ),
            (
                "gs://my-floppy-backup/a://doom2.wad.006",
                "gs",
                "my-floppy-backup",
                "my-floppy-backup/a://doom2.wad.006",
                "/a://doom2.wad.006",
            ),
            (
                "s3://prow-artifacts",
                "s3",
                "prow-artifacts",
                "prow-artifacts",
                "",
            ),
            (
                "bucket/some%20path",
                "gs",
                "bucket",
                "bucket/some path",
                "/some path",
            ),
            (
                "minio://host:9000/b",
                "minio",
                "host:9000",
                "host:9000/b",
                "/b",
            ),
        ];
        for (input, provider, bucket, full_path, path) in ok {
            let p = parse_path(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(
                (
                    p.storage_provider(),
                    p.bucket(),
                    p.full_path().as_str(),
                    p.path.as_str()
                ),
                (provider, bucket, full_path, path),
                "{input}"
            );
        }
        assert_eq!(
            parse_path("s3://b/x").unwrap().bucket_with_scheme(),
            "s3://b"
        );
        assert_eq!(parse_path("s3://b/x").unwrap().to_string(), "s3://b/x");
        let bad = [
            "bucket\n",
            "://bucket",
            "gs://bucket:abc",
            "gs://buc ket",
            "gs://bucket/%zz",
            "1s3://bucket",
            "gs://[::1/x",
        ];
        for input in bad {
            assert!(parse_path(input).is_err(), "{input:?} should be rejected");
        }
    }

    #[test]
    fn refs_to_string() {
        let pull = |number, sha: &str, r: &str| Pull {
            number,
            sha: sha.into(),
            ref_: r.into(),
            ..Pull::default()
        };
        let cases = [
            (
                "with pull",
                "master",
                "deadbeef",
                vec![pull(123, "abcd1234", "")],
                "master:deadbeef,123:abcd1234",
            ),
            (
                "with multiple pulls",
                "master",
                "deadbeef",
                vec![pull(123, "abcd1234", ""), pull(456, "dcba4321", "")],
                "master:deadbeef,123:abcd1234,456:dcba4321",
            ),
            ("base ref only", "master", "", vec![], "master"),
            (
                "base ref and sha",
                "master",
                "deadbeef",
                vec![],
                "master:deadbeef",
            ),
            (
                "pull with git ref",
                "master",
                "",
                vec![pull(7, "abc", "refs/changes/00/7/1")],
                "master,7:abc:refs/changes/00/7/1",
            ),
        ];
        for (name, base_ref, base_sha, pulls, expected) in cases {
            let refs = Refs {
                base_ref: base_ref.into(),
                base_sha: base_sha.into(),
                pulls,
                ..Refs::default()
            };
            assert_eq!(refs.to_string(), expected, "{name}");
        }
        let org_repo = |org: &str, repo: &str| Refs {
            org: org.into(),
            repo: repo.into(),
            ..Refs::default()
        };
        assert_eq!(org_repo("o", "r").org_repo_string(), "o/r");
        assert_eq!(org_repo("o", "").org_repo_string(), "o");
    }

    #[test]
    fn rerun_auth_config() {
        let cases = [
            ("disallow all", RerunAuthConfig::default(), false, false),
            (
                "allow any",
                RerunAuthConfig {
                    allow_anyone: true,
                    ..Default::default()
                },
                false,
                true,
            ),
            (
                "restrict orgs and users",
                RerunAuthConfig {
                    github_orgs: vec!["istio".into(), "kubernetes".into()],
                    github_users: vec!["clarketm".into()],
                    ..Default::default()
                },
                false,
                false,
            ),
            (
                "allow any and has restriction",
                RerunAuthConfig {
                    allow_anyone: true,
                    github_orgs: vec!["istio".into()],
                    ..Default::default()
                },
                true,
                true,
            ),
            (
                "allow any and team ids",
                RerunAuthConfig {
                    allow_anyone: true,
                    github_team_ids: vec![42],
                    ..Default::default()
                },
                true,
                true,
            ),
        ];
        for (name, config, err, anyone) in cases {
            assert_eq!(config.validate().is_err(), err, "{name}");
            assert_eq!(config.is_allow_anyone(), anyone, "{name}");
        }
        assert_eq!(
            RerunAuthConfigError::AllowAnyoneWithAllowList.to_string(),
            "allow anyone is set to true and permitted users or groups are specified"
        );
    }

    #[test]
    fn pipeline_run_spec_lookup() {
        let cases = [
            ("none", None, None, None),
            (
                "legacy field",
                Some(json!({"a": 1})),
                None,
                Some(json!({"a": 1})),
            ),
            (
                "v1beta1 wins",
                Some(json!({"a": 1})),
                Some(json!({"v1beta1": {"b": 2}})),
                Some(json!({"b": 2})),
            ),
            ("empty tekton spec", None, Some(json!({})), None),
            (
                "null v1beta1 falls back",
                Some(json!({"a": 1})),
                Some(json!({"v1beta1": null})),
                Some(json!({"a": 1})),
            ),
        ];
        for (name, legacy, tekton, expected) in cases {
            let spec = ProwJobSpec {
                pipeline_run_spec: legacy,
                tekton_pipeline_run_spec: tekton,
                ..ProwJobSpec::default()
            };
            assert_eq!(spec.pipeline_run_spec(), expected.as_ref(), "{name}");
            assert_eq!(spec.has_pipeline_run_spec(), expected.is_some(), "{name}");
        }
    }

    /// A deserializer that only records what `deserialize_struct` receives, to check that
    /// config types expose their field list (no flatten, no untagged).
    struct FieldRecorder<'a>(&'a mut Option<(&'static str, &'static [&'static str])>);

    impl<'de> Deserializer<'de> for FieldRecorder<'_> {
        type Error = serde::de::value::Error;

        fn deserialize_any<V: serde::de::Visitor<'de>>(
            self,
            _: V,
        ) -> Result<V::Value, Self::Error> {
            Err(serde::de::Error::custom("not a struct request"))
        }

        fn deserialize_struct<V: serde::de::Visitor<'de>>(
            self,
            name: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            *self.0 = Some((name, fields));
            Err(serde::de::Error::custom("recorded"))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf option unit unit_struct newtype_struct seq tuple
            tuple_struct map enum identifier ignored_any
        }
    }

    fn struct_fields<T: for<'de> Deserialize<'de>>()
    -> Option<(&'static str, &'static [&'static str])> {
        let mut seen = None;
        let _ = T::deserialize(FieldRecorder(&mut seen));
        seen
    }

    #[test]
    fn config_types_expose_their_field_lists() {
        let cases = [
            (
                "DecorationConfig",
                struct_fields::<DecorationConfig>(),
                "timeout",
                30,
            ),
            (
                "UtilityImages",
                struct_fields::<UtilityImages>(),
                "clonerefs",
                4,
            ),
            (
                "Resources",
                struct_fields::<Resources>(),
                "place_entrypoint",
                4,
            ),
            (
                "GCSConfiguration",
                struct_fields::<GCSConfiguration>(),
                "mediaTypes",
                9,
            ),
            (
                "CensoringOptions",
                struct_fields::<CensoringOptions>(),
                "minimum_secret_length",
                5,
            ),
            (
                "SchedulingOptions",
                struct_fields::<SchedulingOptions>(),
                "tolerations",
                2,
            ),
            (
                "OauthTokenSecret",
                struct_fields::<OauthTokenSecret>(),
                "key",
                2,
            ),
            (
                "GitHubAppPrivateKeySecret",
                struct_fields::<GitHubAppPrivateKeySecret>(),
                "name",
                2,
            ),
            (
                "ReporterConfig",
                struct_fields::<ReporterConfig>(),
                "slack",
                1,
            ),
            (
                "SlackReporterConfig",
                struct_fields::<SlackReporterConfig>(),
                "job_states_to_report",
                5,
            ),
            (
                "RerunAuthConfig",
                struct_fields::<RerunAuthConfig>(),
                "github_team_slugs",
                5,
            ),
            (
                "GitHubTeamSlug",
                struct_fields::<GitHubTeamSlug>(),
                "slug",
                2,
            ),
            (
                "ProwJobDefault",
                struct_fields::<ProwJobDefault>(),
                "resultstore_config",
                2,
            ),
            (
                "ResultStoreConfig",
                struct_fields::<ResultStoreConfig>(),
                "project_id",
                1,
            ),
        ];
        for (name, seen, field, count) in cases {
            let (struct_name, fields) =
                seen.unwrap_or_else(|| panic!("{name}: no deserialize_struct"));
            assert_eq!(struct_name, name);
            assert!(fields.contains(&field), "{name}: {fields:?}");
            assert_eq!(fields.len(), count, "{name}: {fields:?}");
        }
    }

    #[test]
    fn go_quote_escapes() {
        let cases = [
            ("plain", r#""plain""#),
            ("a\"b", r#""a\"b""#),
            ("tab\there", r#""tab\there""#),
            ("nul\u{0}", r#""nul\x00""#),
            ("ünï", "\"ünï\""),
        ];
        for (input, expected) in cases {
            assert_eq!(go_quote(input), expected);
        }
    }
}
