//! Job configuration as written in Prow's job config files: presubmits,
//! postsubmits, periodics and presets, with the defaulting, preset merging,
//! regex compilation and validation upstream Prow applies after loading.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::config::go_regex::{RegexCache, SharedRegex};
use crate::cron::CronSchedule;
use crate::duration::GoDuration;
use crate::pod::PodSpec;
use crate::prowjob::env::env_for_type;
use crate::prowjob::labels::{
    CREATED_BY_PROW, GERRIT_REPORT_LABEL, PROW_JOB_ID_LABEL, PROW_JOB_TYPE_LABEL,
};
use crate::prowjob::{
    DEFAULT_CLUSTER_ALIAS, DecorationConfig, ProwJobDefault, ProwJobType, Refs, ReporterConfig,
    RerunAuthConfig,
};

/// Agent running jobs as Kubernetes pods (the default).
pub const KUBERNETES_AGENT: &str = "kubernetes";
/// Agent running jobs on Jenkins.
pub const JENKINS_AGENT: &str = "jenkins";
/// Agent running jobs as Tekton pipeline runs.
pub const TEKTON_AGENT: &str = "tekton-pipeline";
/// Tenant id given to jobs whose defaults name none.
pub const DEFAULT_TENANT_ID: &str = "GlobalDefaultID";
/// Pattern a job name must match (other than Jenkins jobs).
pub const JOB_NAME_PATTERN: &str = "^[A-Za-z0-9-._]+$";
/// Pattern a Jenkins job name must match (folders allowed).
pub const JENKINS_JOB_NAME_PATTERN: &str = "^[A-Za-z0-9-._]([A-Za-z0-9-._/]*[A-Za-z0-9-_])?$";
/// Tekton task name replaced by the job's own git ref.
pub const PROW_IMPLICIT_GIT_RESOURCE: &str = "PROW_IMPLICIT_GIT_REF";

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

// ---------------------------------------------------------------------------
// Presets
// ---------------------------------------------------------------------------

/// Settings shared by every job whose labels include all of the preset's
/// labels (a preset without labels applies to every job).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Preset {
    /// Labels a job must carry (all of them) for the preset to apply.
    pub labels: BTreeMap<String, String>,
    /// Environment variables added to every container.
    pub env: Vec<Value>,
    /// Volumes added to the pod.
    pub volumes: Vec<Value>,
    /// Volume mounts added to every container.
    #[serde(rename = "volumeMounts")]
    pub volume_mounts: Vec<Value>,
    /// Tolerations added to the pod.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tolerations: Vec<Value>,
}

impl Preset {
    /// Whether every label of the preset is set to the same value in `labels`.
    pub fn applies_to(&self, labels: &BTreeMap<String, String>) -> bool {
        self.labels.iter().all(|(k, v)| labels.get(k) == Some(v))
    }

    /// Merges the preset into `spec` when it applies to `labels` (upstream's
    /// `mergePreset`). Conflicts are errors: an env var or volume mount whose
    /// name a container already has, a volume whose name the pod already
    /// has, or an identical toleration.
    pub fn merge_into(
        &self,
        labels: &BTreeMap<String, String>,
        spec: &mut PodSpec,
    ) -> Result<(), String> {
        if !self.applies_to(labels) {
            return Ok(());
        }
        for env in &self.env {
            let name = name_of(env);
            for container in containers_mut(spec) {
                let list = array_field_mut(container, "env");
                if list.iter().any(|e| name_of(e) == name) {
                    return Err(format!("env var duplicated in pod spec: {name}"));
                }
                list.push(compact_clone(env));
            }
        }
        for volume in &self.volumes {
            let name = name_of(volume);
            let list = array_field_mut(&mut spec.0, "volumes");
            if list.iter().any(|v| name_of(v) == name) {
                return Err(format!("volume duplicated in pod spec: {name}"));
            }
            list.push(compact_clone(volume));
        }
        for mount in &self.volume_mounts {
            let name = name_of(mount);
            for container in containers_mut(spec) {
                let list = array_field_mut(container, "volumeMounts");
                if list.iter().any(|m| name_of(m) == name) {
                    return Err(format!("volume mount duplicated in pod spec: {name}"));
                }
                list.push(compact_clone(mount));
            }
        }
        for toleration in &self.tolerations {
            let list = array_field_mut(&mut spec.0, "tolerations");
            let wanted = Toleration::of(toleration);
            if list.iter().any(|t| Toleration::of(t) == wanted) {
                return Err(format!("toleration duplicated in pod spec: {wanted}"));
            }
            list.push(compact_clone(toleration));
        }
        Ok(())
    }
}

/// A toleration reduced to the fields Go compares.
#[derive(PartialEq)]
struct Toleration<'a> {
    key: &'a str,
    operator: &'a str,
    value: &'a str,
    effect: &'a str,
    seconds: Option<&'a Value>,
}

impl<'a> Toleration<'a> {
    fn of(v: &'a Value) -> Toleration<'a> {
        let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("");
        Toleration {
            key: s("key"),
            operator: s("operator"),
            value: s("value"),
            effect: s("effect"),
            seconds: v.get("tolerationSeconds").filter(|s| !s.is_null()),
        }
    }
}

impl fmt::Display for Toleration<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seconds = self.seconds.map_or("<nil>".to_string(), Value::to_string);
        write!(
            f,
            "{{{} {} {} {} {}}}",
            self.key, self.operator, self.value, self.effect, seconds
        )
    }
}

/// Applies every preset to `spec` (upstream's `resolvePresets`). A job
/// without a pod spec is left alone.
pub fn resolve_presets(
    name: &str,
    labels: &BTreeMap<String, String>,
    spec: Option<&mut PodSpec>,
    presets: &[Preset],
) -> Result<(), String> {
    let Some(spec) = spec else {
        return Ok(());
    };
    for preset in presets {
        preset
            .merge_into(labels, spec)
            .map_err(|e| format!("job {name} failed to merge presets for podspec: {e}"))?;
    }
    Ok(())
}

/// A deep copy of `v` whose lists and objects hold no spare capacity (`Value::clone`
/// gives every object as many entry slots as its hash table has room for).
fn compact_clone(v: &Value) -> Value {
    match v {
        Value::Array(items) => Value::Array(items.iter().map(compact_clone).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), compact_clone(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Releases the spare capacity of the lists preset merging grows.
fn shrink_merged_lists(spec: &mut PodSpec) {
    for key in ["volumes", "tolerations"] {
        if let Some(Value::Array(list)) = spec.0.get_mut(key) {
            list.shrink_to_fit();
        }
    }
    for container in containers_mut(spec) {
        for key in ["env", "volumeMounts"] {
            if let Some(Value::Array(list)) = container.get_mut(key) {
                list.shrink_to_fit();
            }
        }
    }
}

fn name_of(v: &Value) -> &str {
    v.get("name").and_then(Value::as_str).unwrap_or("")
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn array_of<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn array_field_mut<'a>(obj: &'a mut Map<String, Value>, key: &str) -> &'a mut Vec<Value> {
    // Look up before inserting: `entry` would allocate the key on every call.
    if !obj.contains_key(key) {
        obj.insert(key.to_string(), Value::Array(Vec::new()));
    }
    let slot = obj.get_mut(key).expect("just inserted");
    if !slot.is_array() {
        *slot = Value::Array(Vec::new());
    }
    match slot {
        Value::Array(list) => list,
        _ => unreachable!("slot was just made an array"),
    }
}

fn containers_mut(spec: &mut PodSpec) -> impl Iterator<Item = &mut Map<String, Value>> {
    spec.0
        .get_mut("containers")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object_mut)
}

/// The containers of a pod spec (empty when it has none).
pub fn pod_containers(spec: &PodSpec) -> &[Value] {
    spec.0
        .get("containers")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

// ---------------------------------------------------------------------------
// Shared pieces of a job
// ---------------------------------------------------------------------------

/// How a job's pod is decorated and what it clones (upstream's
/// `UtilityConfig`, embedded in every job).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UtilityConfig {
    /// Whether the pod is decorated; unset means the Prow-wide default.
    pub decorate: Option<bool>,
    /// Where under `$GOPATH/src` the repository is cloned.
    pub path_alias: String,
    /// URI to clone from instead of `https://github.com/org/repo.git`.
    pub clone_uri: String,
    /// Whether submodules are skipped.
    pub skip_submodules: bool,
    /// Clone depth; 0 is a full clone.
    pub clone_depth: i64,
    /// Whether to skip `git fetch <remote>`.
    pub skip_fetch_head: bool,
    /// Additional repositories to clone.
    pub extra_refs: Vec<Refs>,
    /// Decoration settings (filled from the Prow defaults when decorated); shared by the
    /// jobs whose settings are the defaults of their repository and cluster.
    pub decoration_config: Option<Arc<DecorationConfig>>,
}

/// Settings common to every kind of job (upstream's `JobBase`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JobBase {
    /// Job name; must match [`JOB_NAME_PATTERN`].
    pub name: String,
    /// Labels added to the ProwJobs and pods of this job.
    pub labels: BTreeMap<String, String>,
    /// Maximum number of concurrent runs; 0 is unlimited.
    pub max_concurrency: i64,
    /// Agent running the job; defaults to `kubernetes`.
    pub agent: String,
    /// Build cluster alias; defaults to `default`.
    pub cluster: String,
    /// Namespace of the pods; unset or empty defaults to the pod namespace.
    pub namespace: Option<String>,
    /// Whether an evicted pod ends the job in error instead of being replaced.
    pub error_on_eviction: bool,
    /// File the job was read from (set by the loader, never serialized).
    pub source_path: String,
    /// Pod spec for the `kubernetes` agent.
    pub spec: Option<PodSpec>,
    /// Tekton pipeline run spec (kept raw).
    pub pipeline_run_spec: Option<Value>,
    /// Versioned Tekton pipeline run spec (kept raw; `v1beta1` is read).
    pub tekton_pipeline_run_spec: Option<Value>,
    /// Annotations for other automation.
    pub annotations: BTreeMap<String, String>,
    /// Reporter settings of the job.
    pub reporter_config: Option<ReporterConfig>,
    /// Who may rerun the job.
    pub rerun_auth_config: Option<RerunAuthConfig>,
    /// Whether only Deck instances showing hidden jobs show this one.
    pub hidden: bool,
    /// ProwJob defaults (filled from the Prow config).
    pub prowjob_defaults: Option<ProwJobDefault>,
    /// Job queue limiting concurrency together with `max_concurrency`.
    pub job_queue_name: String,
    /// Decoration and cloning settings.
    pub utility_config: UtilityConfig,
}

impl JobBase {
    /// Whether a Tekton pipeline run spec is configured.
    pub fn has_pipeline_run_spec(&self) -> bool {
        self.tekton_v1beta1().is_some() || self.pipeline_run_spec.is_some()
    }

    /// The Tekton pipeline run spec: `tekton_pipeline_run_spec.v1beta1`
    /// first, else `pipeline_run_spec`.
    pub fn get_pipeline_run_spec(&self) -> Result<&Value, String> {
        self.tekton_v1beta1()
            .or(self.pipeline_run_spec.as_ref())
            .ok_or_else(|| "pipeline run spec not found".to_string())
    }

    fn tekton_v1beta1(&self) -> Option<&Value> {
        self.tekton_pipeline_run_spec
            .as_ref()
            .and_then(|t| t.get("v1beta1"))
            .filter(|v| !v.is_null())
    }

    /// Whether the job is decorated (after defaulting, `decorate` is set).
    pub fn is_decorated(&self) -> bool {
        self.utility_config.decorate == Some(true)
    }
}

/// A compiled regex cached on a job. It is derived from the job's pattern
/// strings, so equality ignores it.
#[derive(Clone, Debug, Default)]
pub(crate) struct RegexSlot(pub(crate) Option<Arc<SharedRegex>>);

impl RegexSlot {
    pub(crate) fn is_match(&self, text: &str) -> bool {
        self.0.as_ref().is_some_and(|re| re.is_match(text))
    }
}

impl PartialEq for RegexSlot {
    fn eq(&self, _: &RegexSlot) -> bool {
        true
    }
}

/// Branch filters shared by presubmits and postsubmits. Patterns are Go
/// regexes matched anywhere in the branch name (upstream joins them with `|`
/// without anchors, so `main` also matches `maintenance`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Brancher {
    /// Do not run against branches matching any of these.
    pub skip_branches: Vec<String>,
    /// Only run against branches matching one of these.
    pub branches: Vec<String>,
    pub(crate) re: RegexSlot,
    pub(crate) re_skip: RegexSlot,
}

impl Brancher {
    /// A brancher with the given filters (call [`Brancher::compile`] before use).
    pub fn new(branches: Vec<String>, skip_branches: Vec<String>) -> Brancher {
        Brancher {
            skip_branches,
            branches,
            re: RegexSlot::default(),
            re_skip: RegexSlot::default(),
        }
    }

    /// Compiles the branch regexes (upstream's `setBrancherRegexes`).
    pub fn compile(&mut self, cache: &mut RegexCache) -> Result<(), FieldError> {
        self.re = RegexSlot::default();
        self.re_skip = RegexSlot::default();
        if !self.branches.is_empty() {
            let re = cache.get(&self.branches.join("|")).map_err(|e| {
                FieldError::new(
                    "branches",
                    format!("could not compile positive branch regex: {e}"),
                )
            })?;
            self.re = RegexSlot(Some(re));
        }
        if !self.skip_branches.is_empty() {
            let re = cache.get(&self.skip_branches.join("|")).map_err(|e| {
                FieldError::new(
                    "skip_branches",
                    format!("could not compile negative branch regex: {e}"),
                )
            })?;
            self.re_skip = RegexSlot(Some(re));
        }
        Ok(())
    }
}

/// File-change filters shared by presubmits and postsubmits.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RegexpChangeMatcher {
    /// Run when any changed file matches this regex.
    pub run_if_changed: String,
    /// Skip when every changed file matches this regex.
    pub skip_if_only_changed: String,
    pub(crate) re_changes: RegexSlot,
}

impl RegexpChangeMatcher {
    /// A matcher with the given patterns (call [`RegexpChangeMatcher::compile`] before use).
    pub fn new(run_if_changed: &str, skip_if_only_changed: &str) -> RegexpChangeMatcher {
        RegexpChangeMatcher {
            run_if_changed: run_if_changed.to_string(),
            skip_if_only_changed: skip_if_only_changed.to_string(),
            re_changes: RegexSlot::default(),
        }
    }

    /// Compiles `run_if_changed`, or else `skip_if_only_changed` (upstream's
    /// `setChangeRegexes`).
    pub fn compile(&mut self, cache: &mut RegexCache) -> Result<(), FieldError> {
        self.re_changes = RegexSlot::default();
        let (pattern, prop) = if !self.run_if_changed.is_empty() {
            (&self.run_if_changed, "run_if_changed")
        } else if !self.skip_if_only_changed.is_empty() {
            (&self.skip_if_only_changed, "skip_if_only_changed")
        } else {
            return Ok(());
        };
        let re = cache
            .get(pattern)
            .map_err(|e| FieldError::new(prop, format!("could not compile {prop} regex: {e}")))?;
        self.re_changes = RegexSlot(Some(re));
        Ok(())
    }
}

/// GitHub status reporting of a job.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reporter {
    /// Status context; defaults to the job name.
    pub context: String,
    /// Whether to skip commenting and setting statuses.
    pub skip_report: bool,
}

/// Jenkins-specific settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct JenkinsSpec {
    /// Whether the job is managed by the GitHub branch source plugin.
    #[serde(skip_serializing_if = "is_false")]
    pub github_branch_source_job: bool,
}

/// Retrying of failed periodic runs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Retry {
    /// Whether every attempt runs, not only until the first success.
    #[serde(skip_serializing_if = "is_false")]
    pub run_all: bool,
    /// Maximum number of attempts.
    #[serde(skip_serializing_if = "is_zero")]
    pub attempts: i64,
    /// Go duration between attempts.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub interval: String,
    #[serde(skip)]
    parsed_interval: Option<Duration>,
}

impl Retry {
    /// The parsed `interval`, once the job config is finalized.
    pub fn interval_duration(&self) -> Option<Duration> {
        self.parsed_interval
    }
}

// ---------------------------------------------------------------------------
// Wire forms: upstream embeds JobBase & co. inline, so each job kind is
// (de)serialized through a flat struct listing every field.
// ---------------------------------------------------------------------------

macro_rules! job_wire {
    (
        $(#[$meta:meta])*
        $wire:ident { $( $(#[$fmeta:meta])* $field:ident : $ty:ty ),* $(,)? }
    ) => {
        #[derive(Clone, Default, Serialize, Deserialize)]
        #[serde(default)]
        $(#[$meta])*
        struct $wire {
            name: String,
            #[serde(skip_serializing_if = "BTreeMap::is_empty")]
            labels: BTreeMap<String, String>,
            #[serde(skip_serializing_if = "is_zero")]
            max_concurrency: i64,
            #[serde(skip_serializing_if = "String::is_empty")]
            agent: String,
            #[serde(skip_serializing_if = "String::is_empty")]
            cluster: String,
            #[serde(skip_serializing_if = "Option::is_none")]
            namespace: Option<String>,
            #[serde(skip_serializing_if = "is_false")]
            error_on_eviction: bool,
            #[serde(skip_serializing_if = "Option::is_none")]
            spec: Option<PodSpec>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pipeline_run_spec: Option<Value>,
            #[serde(skip_serializing_if = "Option::is_none")]
            tekton_pipeline_run_spec: Option<Value>,
            #[serde(skip_serializing_if = "BTreeMap::is_empty")]
            annotations: BTreeMap<String, String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            reporter_config: Option<ReporterConfig>,
            #[serde(skip_serializing_if = "Option::is_none")]
            rerun_auth_config: Option<RerunAuthConfig>,
            #[serde(skip_serializing_if = "is_false")]
            hidden: bool,
            #[serde(skip_serializing_if = "Option::is_none")]
            prowjob_defaults: Option<ProwJobDefault>,
            #[serde(skip_serializing_if = "String::is_empty")]
            job_queue_name: String,
            #[serde(skip_serializing_if = "Option::is_none")]
            decorate: Option<bool>,
            #[serde(skip_serializing_if = "String::is_empty")]
            path_alias: String,
            #[serde(skip_serializing_if = "String::is_empty")]
            clone_uri: String,
            #[serde(skip_serializing_if = "is_false")]
            skip_submodules: bool,
            #[serde(skip_serializing_if = "is_zero")]
            clone_depth: i64,
            #[serde(skip_serializing_if = "is_false")]
            skip_fetch_head: bool,
            #[serde(skip_serializing_if = "Vec::is_empty")]
            extra_refs: Vec<Refs>,
            #[serde(skip_serializing_if = "Option::is_none")]
            decoration_config: Option<DecorationConfig>,
            $( $(#[$fmeta])* $field: $ty, )*
        }

        impl $wire {
            fn take_base(&mut self) -> JobBase {
                use std::mem::take;
                JobBase {
                    name: take(&mut self.name),
                    labels: take(&mut self.labels),
                    max_concurrency: self.max_concurrency,
                    agent: take(&mut self.agent),
                    cluster: take(&mut self.cluster),
                    namespace: self.namespace.take(),
                    error_on_eviction: self.error_on_eviction,
                    source_path: String::new(),
                    spec: self.spec.take(),
                    pipeline_run_spec: self.pipeline_run_spec.take(),
                    tekton_pipeline_run_spec: self.tekton_pipeline_run_spec.take(),
                    annotations: take(&mut self.annotations),
                    reporter_config: self.reporter_config.take(),
                    rerun_auth_config: self.rerun_auth_config.take(),
                    hidden: self.hidden,
                    prowjob_defaults: self.prowjob_defaults.take(),
                    job_queue_name: take(&mut self.job_queue_name),
                    utility_config: UtilityConfig {
                        decorate: self.decorate,
                        path_alias: take(&mut self.path_alias),
                        clone_uri: take(&mut self.clone_uri),
                        skip_submodules: self.skip_submodules,
                        clone_depth: self.clone_depth,
                        skip_fetch_head: self.skip_fetch_head,
                        extra_refs: take(&mut self.extra_refs),
                        decoration_config: self.decoration_config.take().map(Arc::new),
                    },
                }
            }

            fn put_base(&mut self, base: JobBase) {
                self.name = base.name;
                self.labels = base.labels;
                self.max_concurrency = base.max_concurrency;
                self.agent = base.agent;
                self.cluster = base.cluster;
                self.namespace = base.namespace;
                self.error_on_eviction = base.error_on_eviction;
                self.spec = base.spec;
                self.pipeline_run_spec = base.pipeline_run_spec;
                self.tekton_pipeline_run_spec = base.tekton_pipeline_run_spec;
                self.annotations = base.annotations;
                self.reporter_config = base.reporter_config;
                self.rerun_auth_config = base.rerun_auth_config;
                self.hidden = base.hidden;
                self.prowjob_defaults = base.prowjob_defaults;
                self.job_queue_name = base.job_queue_name;
                let u = base.utility_config;
                self.decorate = u.decorate;
                self.path_alias = u.path_alias;
                self.clone_uri = u.clone_uri;
                self.skip_submodules = u.skip_submodules;
                self.clone_depth = u.clone_depth;
                self.skip_fetch_head = u.skip_fetch_head;
                self.extra_refs = u.extra_refs;
                self.decoration_config = u.decoration_config.map(Arc::unwrap_or_clone);
            }
        }
    };
}

job_wire! {
    #[serde(rename = "Presubmit")]
    PresubmitWire {
        always_run: bool,
        #[serde(skip_serializing_if = "is_false")]
        optional: bool,
        #[serde(skip_serializing_if = "String::is_empty")]
        trigger: String,
        #[serde(skip_serializing_if = "String::is_empty")]
        rerun_command: String,
        #[serde(skip_serializing_if = "is_false")]
        run_before_merge: bool,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        skip_branches: Vec<String>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        branches: Vec<String>,
        #[serde(skip_serializing_if = "String::is_empty")]
        run_if_changed: String,
        #[serde(skip_serializing_if = "String::is_empty")]
        skip_if_only_changed: String,
        #[serde(skip_serializing_if = "String::is_empty")]
        context: String,
        #[serde(skip_serializing_if = "is_false")]
        skip_report: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        jenkins_spec: Option<JenkinsSpec>,
    }
}

job_wire! {
    #[serde(rename = "Postsubmit")]
    PostsubmitWire {
        #[serde(skip_serializing_if = "Option::is_none")]
        always_run: Option<bool>,
        #[serde(skip_serializing_if = "String::is_empty")]
        run_if_changed: String,
        #[serde(skip_serializing_if = "String::is_empty")]
        skip_if_only_changed: String,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        skip_branches: Vec<String>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        branches: Vec<String>,
        #[serde(skip_serializing_if = "String::is_empty")]
        context: String,
        #[serde(skip_serializing_if = "is_false")]
        skip_report: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        jenkins_spec: Option<JenkinsSpec>,
    }
}

job_wire! {
    #[serde(rename = "Periodic")]
    PeriodicWire {
        #[serde(skip_serializing_if = "String::is_empty")]
        interval: String,
        #[serde(skip_serializing_if = "String::is_empty")]
        minimum_interval: String,
        #[serde(skip_serializing_if = "String::is_empty")]
        cron: String,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        tags: Vec<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        retry: Option<Retry>,
    }
}

// ---------------------------------------------------------------------------
// Jobs
// ---------------------------------------------------------------------------

/// Access to the [`JobBase`] every kind of job embeds.
pub trait Job {
    /// The ProwJob type this kind of job creates.
    const JOB_TYPE: &'static str;
    /// The shared job settings.
    fn job_base(&self) -> &JobBase;
    /// The shared job settings, mutably.
    fn job_base_mut(&mut self) -> &mut JobBase;
    /// The job name.
    fn name(&self) -> &str {
        &self.job_base().name
    }
    /// [`Job::JOB_TYPE`] as a [`ProwJobType`].
    fn job_type(&self) -> ProwJobType {
        ProwJobType::from(Self::JOB_TYPE)
    }
}

/// A job run against pull requests.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "PresubmitWire", into = "PresubmitWire")]
pub struct Presubmit {
    /// Shared job settings.
    pub job_base: JobBase,
    /// Run on every pull request instead of only when triggered.
    pub always_run: bool,
    /// The status context is not required for merging.
    pub optional: bool,
    /// Go regex of comments triggering the job; defaults to
    /// [`default_trigger_for`] the name.
    pub trigger: String,
    /// Command shown to users to rerun the job; must match `trigger`.
    pub rerun_command: String,
    /// Tide always runs the job before merging when the brancher matches.
    pub run_before_merge: bool,
    /// Branch filters.
    pub brancher: Brancher,
    /// File-change filters.
    pub regexp_change_matcher: RegexpChangeMatcher,
    /// Status reporting.
    pub reporter: Reporter,
    /// Jenkins settings.
    pub jenkins_spec: Option<JenkinsSpec>,
    pub(crate) trigger_re: RegexSlot,
}

impl From<PresubmitWire> for Presubmit {
    fn from(mut w: PresubmitWire) -> Presubmit {
        Presubmit {
            job_base: w.take_base(),
            always_run: w.always_run,
            optional: w.optional,
            trigger: w.trigger,
            rerun_command: w.rerun_command,
            run_before_merge: w.run_before_merge,
            brancher: Brancher::new(w.branches, w.skip_branches),
            regexp_change_matcher: RegexpChangeMatcher {
                run_if_changed: w.run_if_changed,
                skip_if_only_changed: w.skip_if_only_changed,
                re_changes: RegexSlot::default(),
            },
            reporter: Reporter {
                context: w.context,
                skip_report: w.skip_report,
            },
            jenkins_spec: w.jenkins_spec,
            trigger_re: RegexSlot::default(),
        }
    }
}

impl From<Presubmit> for PresubmitWire {
    fn from(p: Presubmit) -> PresubmitWire {
        let mut w = PresubmitWire {
            always_run: p.always_run,
            optional: p.optional,
            trigger: p.trigger,
            rerun_command: p.rerun_command,
            run_before_merge: p.run_before_merge,
            skip_branches: p.brancher.skip_branches,
            branches: p.brancher.branches,
            run_if_changed: p.regexp_change_matcher.run_if_changed,
            skip_if_only_changed: p.regexp_change_matcher.skip_if_only_changed,
            context: p.reporter.context,
            skip_report: p.reporter.skip_report,
            jenkins_spec: p.jenkins_spec,
            ..PresubmitWire::default()
        };
        w.put_base(p.job_base);
        w
    }
}

impl Job for Presubmit {
    const JOB_TYPE: &'static str = "presubmit";
    fn job_base(&self) -> &JobBase {
        &self.job_base
    }
    fn job_base_mut(&mut self) -> &mut JobBase {
        &mut self.job_base
    }
}

/// A job run after pushes to a branch.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "PostsubmitWire", into = "PostsubmitWire")]
pub struct Postsubmit {
    /// Shared job settings.
    pub job_base: JobBase,
    /// Whether to run; unset means run (unless change filters decide).
    pub always_run: Option<bool>,
    /// File-change filters.
    pub regexp_change_matcher: RegexpChangeMatcher,
    /// Branch filters.
    pub brancher: Brancher,
    /// Status reporting.
    pub reporter: Reporter,
    /// Jenkins settings.
    pub jenkins_spec: Option<JenkinsSpec>,
}

impl From<PostsubmitWire> for Postsubmit {
    fn from(mut w: PostsubmitWire) -> Postsubmit {
        Postsubmit {
            job_base: w.take_base(),
            always_run: w.always_run,
            regexp_change_matcher: RegexpChangeMatcher {
                run_if_changed: w.run_if_changed,
                skip_if_only_changed: w.skip_if_only_changed,
                re_changes: RegexSlot::default(),
            },
            brancher: Brancher::new(w.branches, w.skip_branches),
            reporter: Reporter {
                context: w.context,
                skip_report: w.skip_report,
            },
            jenkins_spec: w.jenkins_spec,
        }
    }
}

impl From<Postsubmit> for PostsubmitWire {
    fn from(p: Postsubmit) -> PostsubmitWire {
        let mut w = PostsubmitWire {
            always_run: p.always_run,
            run_if_changed: p.regexp_change_matcher.run_if_changed,
            skip_if_only_changed: p.regexp_change_matcher.skip_if_only_changed,
            skip_branches: p.brancher.skip_branches,
            branches: p.brancher.branches,
            context: p.reporter.context,
            skip_report: p.reporter.skip_report,
            jenkins_spec: p.jenkins_spec,
            ..PostsubmitWire::default()
        };
        w.put_base(p.job_base);
        w
    }
}

impl Job for Postsubmit {
    const JOB_TYPE: &'static str = "postsubmit";
    fn job_base(&self) -> &JobBase {
        &self.job_base
    }
    fn job_base_mut(&mut self) -> &mut JobBase {
        &mut self.job_base
    }
}

/// A job run on a schedule.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "PeriodicWire", into = "PeriodicWire")]
pub struct Periodic {
    /// Shared job settings.
    pub job_base: JobBase,
    /// (Deprecated) Go duration between the starts of two runs.
    pub interval: String,
    /// Go duration between the end of a run and the start of the next.
    pub minimum_interval: String,
    /// Cron schedule.
    pub cron: String,
    /// Free-form tags.
    pub tags: Vec<String>,
    /// Retrying of failed runs.
    pub retry: Option<Retry>,
    interval_duration: Option<Duration>,
    minimum_interval_duration: Option<Duration>,
}

impl From<PeriodicWire> for Periodic {
    fn from(mut w: PeriodicWire) -> Periodic {
        Periodic {
            job_base: w.take_base(),
            interval: w.interval,
            minimum_interval: w.minimum_interval,
            cron: w.cron,
            tags: w.tags,
            retry: w.retry,
            interval_duration: None,
            minimum_interval_duration: None,
        }
    }
}

impl From<Periodic> for PeriodicWire {
    fn from(p: Periodic) -> PeriodicWire {
        let mut w = PeriodicWire {
            interval: p.interval,
            minimum_interval: p.minimum_interval,
            cron: p.cron,
            tags: p.tags,
            retry: p.retry,
            ..PeriodicWire::default()
        };
        w.put_base(p.job_base);
        w
    }
}

impl Job for Periodic {
    const JOB_TYPE: &'static str = "periodic";
    fn job_base(&self) -> &JobBase {
        &self.job_base
    }
    fn job_base_mut(&mut self) -> &mut JobBase {
        &mut self.job_base
    }
}

impl Periodic {
    /// The parsed interval, once finalized (upstream's `GetInterval`).
    ///
    /// As upstream does, a `retry.interval` overrides it.
    pub fn interval_duration(&self) -> Option<Duration> {
        self.interval_duration
    }

    /// The parsed minimum interval, once finalized.
    pub fn minimum_interval_duration(&self) -> Option<Duration> {
        self.minimum_interval_duration
    }

    /// Sets the interval used by the scheduler (upstream's `SetInterval`).
    pub fn set_interval_duration(&mut self, d: Duration) {
        self.interval_duration = Some(d);
    }

    /// Sets the minimum interval (upstream's `SetMinimumInterval`).
    pub fn set_minimum_interval_duration(&mut self, d: Duration) {
        self.minimum_interval_duration = Some(d);
    }

    /// Parses `interval`, `retry.interval` and `minimum_interval` (the part of
    /// upstream's `validatePeriodics` that stores durations). Parse errors
    /// are reported by [`validate_periodics`].
    pub fn parse_intervals(&mut self) {
        let parse = |s: &str| GoDuration::parse(s).ok().map(|d| d.as_std());
        let set = [&self.cron, &self.interval, &self.minimum_interval]
            .iter()
            .filter(|s| !s.is_empty())
            .count();
        if set != 1 {
            return;
        }
        if !self.interval.is_empty() {
            self.interval_duration = parse(&self.interval);
        }
        if let Some(retry) = &mut self.retry {
            retry.parsed_interval = parse(&retry.interval);
            // Upstream stores the retry interval as the job's interval.
            self.interval_duration = retry.parsed_interval;
        }
        if !self.minimum_interval.is_empty() {
            self.minimum_interval_duration = parse(&self.minimum_interval);
        }
    }

    /// The `org/repo` defaults are looked up for: `extra_refs[0]`, or empty.
    pub fn defaults_repo(&self) -> String {
        self.job_base
            .utility_config
            .extra_refs
            .first()
            .map(|r| format!("{}/{}", r.org, r.repo))
            .unwrap_or_default()
    }
}

// ---------------------------------------------------------------------------
// Job config
// ---------------------------------------------------------------------------

/// The jobs of one or more job config files.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct JobConfig {
    /// Presets, applying to every kind of job.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub presets: Vec<Preset>,
    /// Presubmits by `org/repo`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub presubmits: BTreeMap<String, Vec<Presubmit>>,
    /// Postsubmits by `org/repo`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub postsubmits: BTreeMap<String, Vec<Postsubmit>>,
    /// Periodics.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub periodics: Vec<Periodic>,
    /// Decorate every job that does not say otherwise (meaningful in the
    /// Prow config file; ignored when merging job files, like upstream).
    #[serde(skip_serializing_if = "is_false")]
    pub decorate_all_jobs: bool,
    /// Settings of job generators, accepted and ignored.
    #[serde(skip_serializing)]
    pub prow_ignored: Option<IgnoredAny>,
}

impl JobConfig {
    /// Records `path` as the source of every job (upstream does this for
    /// each file it reads).
    pub fn set_source_path(&mut self, path: &str) {
        for base in self.job_bases_mut() {
            base.source_path = path.to_string();
        }
    }

    /// The common part of every job: presubmits, then postsubmits, then periodics.
    pub fn job_bases_mut(&mut self) -> impl Iterator<Item = &mut JobBase> {
        self.presubmits
            .values_mut()
            .flatten()
            .map(|j| &mut j.job_base)
            .chain(
                self.postsubmits
                    .values_mut()
                    .flatten()
                    .map(|j| &mut j.job_base),
            )
            .chain(self.periodics.iter_mut().map(|j| &mut j.job_base))
    }

    /// Appends the presets and jobs of `other` (upstream's
    /// `mergeJobConfigs`). Fails, leaving `self` unchanged, when two presets
    /// share a `label:value` pair.
    pub fn merge(&mut self, other: JobConfig) -> Result<(), String> {
        let mut pairs = HashSet::new();
        for preset in self.presets.iter().chain(&other.presets) {
            for (label, value) in &preset.labels {
                let pair = format!("{label}:{value}");
                if !pairs.insert(pair.clone()) {
                    return Err(format!("duplicated preset 'label:value' pair : {pair}"));
                }
            }
        }
        self.presets.extend(other.presets);
        self.periodics.extend(other.periodics);
        for (repo, jobs) in other.presubmits {
            self.presubmits.entry(repo).or_default().extend(jobs);
        }
        for (repo, jobs) in other.postsubmits {
            self.postsubmits.entry(repo).or_default().extend(jobs);
        }
        Ok(())
    }

    /// Every `org/repo` with a presubmit or postsubmit.
    pub fn all_repos(&self) -> BTreeSet<&str> {
        self.presubmits
            .keys()
            .chain(self.postsubmits.keys())
            .map(String::as_str)
            .collect()
    }

    /// Number of presubmits, postsubmits and periodics.
    pub fn job_count(&self) -> usize {
        self.presubmits.values().map(Vec::len).sum::<usize>()
            + self.postsubmits.values().map(Vec::len).sum::<usize>()
            + self.periodics.len()
    }
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// The job an error is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobRef {
    /// `presubmit`, `postsubmit` or `periodic`.
    pub job_type: ProwJobType,
    /// Job name.
    pub name: String,
    /// `org/repo` of presubmits and postsubmits.
    pub repo: Option<String>,
}

/// An error found while finalizing or validating job configs, naming the
/// file, the job and the offending field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobConfigError {
    /// File the job came from (empty when unknown).
    pub source_path: String,
    /// The job concerned.
    pub job: Option<JobRef>,
    /// The config field at fault, e.g. `run_if_changed`.
    pub field: Option<&'static str>,
    /// Upstream's message text.
    pub message: String,
    /// Upstream's wrapping prefix, e.g. `invalid presubmit job foo`.
    pub context: Option<String>,
}

impl JobConfigError {
    /// The error text upstream Prow would print (its wrapping prefix, then
    /// the message).
    pub fn upstream_message(&self) -> String {
        match &self.context {
            Some(ctx) => format!("{ctx}: {}", self.message),
            None => self.message.clone(),
        }
    }

    fn for_job(
        base: &JobBase,
        job_type: &str,
        repo: Option<&str>,
        field: &'static str,
        message: String,
    ) -> JobConfigError {
        JobConfigError {
            source_path: base.source_path.clone(),
            job: Some(JobRef {
                job_type: ProwJobType::from(job_type),
                name: base.name.clone(),
                repo: repo.map(str::to_string),
            }),
            field: Some(field),
            message,
            context: None,
        }
    }

    fn wrapped(mut self, context: String) -> JobConfigError {
        self.context = Some(context);
        self
    }
}

impl fmt::Display for JobConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.source_path.is_empty() {
            write!(f, "{}: ", self.source_path)?;
        }
        if let Some(job) = &self.job {
            write!(f, "{} {:?}", job.job_type, job.name)?;
            if let Some(repo) = &job.repo {
                write!(f, " ({repo})")?;
            }
            f.write_str(": ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for JobConfigError {}

/// A problem with one field of a job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The config field at fault.
    pub field: &'static str,
    /// Upstream's message text.
    pub message: String,
}

impl FieldError {
    fn new(field: &'static str, message: impl Into<String>) -> FieldError {
        FieldError {
            field,
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

// ---------------------------------------------------------------------------
// Defaulting
// ---------------------------------------------------------------------------

/// What defaulting needs from the Prow config.
pub struct JobDefaults<'a> {
    /// `pod_namespace`: the namespace jobs run in by default.
    pub pod_namespace: &'a str,
    /// `decorate_all_jobs`: decorate jobs that leave `decorate` unset.
    pub decorate_all_jobs: bool,
    /// The merged default decoration config for an `org/repo` (empty for a
    /// periodic without extra refs) and a cluster: upstream's
    /// `plank.default_decoration_config_entries` lookup.
    pub default_decoration: &'a dyn Fn(&str, &str) -> Option<Arc<DecorationConfig>>,
    /// The merged `prowjob_default_entries` for an `org/repo` and cluster.
    pub default_prowjob: &'a dyn Fn(&str, &str) -> Option<ProwJobDefault>,
}

fn no_decoration_defaults(_: &str, _: &str) -> Option<Arc<DecorationConfig>> {
    None
}

fn no_prowjob_defaults(_: &str, _: &str) -> Option<ProwJobDefault> {
    None
}

impl<'a> JobDefaults<'a> {
    /// Defaults with the given pod namespace and no decoration or ProwJob
    /// default entries.
    pub fn new(pod_namespace: &'a str) -> JobDefaults<'a> {
        JobDefaults {
            pod_namespace,
            decorate_all_jobs: false,
            default_decoration: &no_decoration_defaults,
            default_prowjob: &no_prowjob_defaults,
        }
    }
}

impl fmt::Debug for JobDefaults<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JobDefaults")
            .field("pod_namespace", &self.pod_namespace)
            .field("decorate_all_jobs", &self.decorate_all_jobs)
            .finish_non_exhaustive()
    }
}

/// Prow's default trigger regex for a job: `/test <name>` (or `/test` with
/// several names) at the start of a line.
pub fn default_trigger_for(name: &str) -> String {
    format!(r"(?m)^/test( | .* ){name},?($|\s.*)")
}

/// Prow's default rerun command for a job: `/test <name>`.
pub fn default_rerun_command_for(name: &str) -> String {
    format!("/test {name}")
}

const TRIGGER_PREFIX: &str = "(?m)^/test( | .* )";
const TRIGGER_SUFFIX: &str = r",?($|\s.*)";

/// Whether the trigger/rerun pair is the default one for a name that is
/// safe to splice into it, so that it is known to compile and to match the
/// rerun command (it is then compiled lazily, on first use).
fn is_safe_default_trigger(trigger: &str, rerun: &str, name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'/'))
        && trigger.len() == TRIGGER_PREFIX.len() + name.len() + TRIGGER_SUFFIX.len()
        && trigger.starts_with(TRIGGER_PREFIX)
        && trigger.ends_with(TRIGGER_SUFFIX)
        && &trigger[TRIGGER_PREFIX.len()..TRIGGER_PREFIX.len() + name.len()] == name
        && rerun.strip_prefix("/test ") == Some(name)
}

impl JobBase {
    /// Upstream's `defaultJobBase`: agent `kubernetes`, namespace the pod
    /// namespace, cluster `default`.
    pub fn set_base_defaults(&mut self, pod_namespace: &str) {
        if self.agent.is_empty() {
            self.agent = KUBERNETES_AGENT.to_string();
        }
        if self.namespace.as_deref().is_none_or(str::is_empty) {
            self.namespace = Some(pod_namespace.to_string());
        }
        if self.cluster.is_empty() {
            self.cluster = DEFAULT_CLUSTER_ALIAS.to_string();
        }
    }

    /// Settles `decorate` and, for decorated jobs, lays the job's decoration
    /// config over the default one for `repo` and the job's cluster.
    pub fn set_decoration_defaults(&mut self, repo: &str, d: &JobDefaults<'_>) {
        let util = &mut self.utility_config;
        if *util.decorate.get_or_insert(d.decorate_all_jobs) {
            let def = (d.default_decoration)(repo, &self.cluster);
            // A job without settings of its own shares the default config.
            util.decoration_config = Some(match (util.decoration_config.take(), def) {
                (Some(own), Some(def)) => Arc::new(own.apply_default(&def)),
                (Some(only), None) | (None, Some(only)) => only,
                (None, None) => Arc::default(),
            });
        }
    }

    /// Lays the job's ProwJob defaults over the Prow config's for `repo`
    /// and the job's cluster; the tenant id defaults to [`DEFAULT_TENANT_ID`].
    pub fn set_prowjob_defaults(&mut self, repo: &str, d: &JobDefaults<'_>) {
        let def = (d.default_prowjob)(repo, &self.cluster);
        let mut merged = match (self.prowjob_defaults.take(), def) {
            (Some(own), Some(def)) => own.apply_default(&def),
            (Some(own), None) => own,
            (None, Some(def)) => def,
            (None, None) => ProwJobDefault::default(),
        };
        if merged.tenant_id.is_empty() {
            merged.tenant_id = DEFAULT_TENANT_ID.to_string();
        }
        self.prowjob_defaults = Some(merged);
    }

    fn apply_presets(&mut self, presets: &[Preset]) -> Result<(), FieldError> {
        // A loaded configuration keeps its pod specs compact: the parse left spare
        // capacity in the job's own parts, the merges in the lists they grew (what they
        // added is copied compact).
        if let Some(spec) = &mut self.spec {
            spec.shrink_to_fit();
        }
        resolve_presets(&self.name, &self.labels, self.spec.as_mut(), presets)
            .map_err(|e| FieldError::new("spec", e))?;
        if let Some(spec) = &mut self.spec {
            shrink_merged_lists(spec);
        }
        Ok(())
    }
}

/// Compiles a job's branch and change regexes, naming the job in errors.
fn compile_filters(
    name: &str,
    brancher: &mut Brancher,
    changes: &mut RegexpChangeMatcher,
    cache: &mut RegexCache,
) -> Result<(), FieldError> {
    brancher.compile(cache).map_err(|e| {
        FieldError::new(
            e.field,
            format!("could not set branch regexes for {name}: {}", e.message),
        )
    })?;
    changes.compile(cache).map_err(|e| {
        FieldError::new(
            e.field,
            format!("could not set change regexes for {name}: {}", e.message),
        )
    })
}

impl Presubmit {
    /// Upstream's presubmit defaulting for a job of `repo`: job base,
    /// context (the name), trigger and rerun command (when both are unset),
    /// decoration, ProwJob defaults, then presets.
    pub fn set_defaults(
        &mut self,
        repo: &str,
        d: &JobDefaults<'_>,
        presets: &[Preset],
    ) -> Result<(), FieldError> {
        self.job_base.set_base_defaults(d.pod_namespace);
        if self.reporter.context.is_empty() {
            self.reporter.context = self.job_base.name.clone();
        }
        if self.trigger.is_empty() && self.rerun_command.is_empty() {
            self.trigger = default_trigger_for(&self.job_base.name);
            self.rerun_command = default_rerun_command_for(&self.job_base.name);
        }
        self.job_base.set_decoration_defaults(repo, d);
        self.job_base.set_prowjob_defaults(repo, d);
        self.job_base.apply_presets(presets)
    }

    /// Compiles the trigger, branch and change regexes (upstream's
    /// `SetPresubmitRegexes` for one job) and checks that the rerun command
    /// matches the trigger.
    pub fn compile_regexes(&mut self, cache: &mut RegexCache) -> Result<(), FieldError> {
        let name = &self.job_base.name;
        let re = if is_safe_default_trigger(&self.trigger, &self.rerun_command, name) {
            Arc::new(SharedRegex::new_unchecked(self.trigger.clone()))
        } else {
            let re = cache.get(&self.trigger).map_err(|e| {
                FieldError::new(
                    "trigger",
                    format!("could not compile trigger regex for {name}: {e}"),
                )
            })?;
            if !re.is_match(&self.rerun_command) {
                return Err(FieldError::new(
                    "rerun_command",
                    format!(
                        "for job {name}, rerun command \"{}\" does not match trigger \"{}\"",
                        self.rerun_command, self.trigger
                    ),
                ));
            }
            re
        };
        self.trigger_re = RegexSlot(Some(re));
        compile_filters(
            name,
            &mut self.brancher,
            &mut self.regexp_change_matcher,
            cache,
        )
    }
}

impl Postsubmit {
    /// Upstream's postsubmit defaulting for a job of `repo`: job base,
    /// context (the name), decoration, ProwJob defaults, then presets.
    pub fn set_defaults(
        &mut self,
        repo: &str,
        d: &JobDefaults<'_>,
        presets: &[Preset],
    ) -> Result<(), FieldError> {
        self.job_base.set_base_defaults(d.pod_namespace);
        if self.reporter.context.is_empty() {
            self.reporter.context = self.job_base.name.clone();
        }
        self.job_base.set_decoration_defaults(repo, d);
        self.job_base.set_prowjob_defaults(repo, d);
        self.job_base.apply_presets(presets)
    }

    /// Compiles the branch and change regexes (upstream's
    /// `SetPostsubmitRegexes` for one job).
    pub fn compile_regexes(&mut self, cache: &mut RegexCache) -> Result<(), FieldError> {
        let name = &self.job_base.name;
        compile_filters(
            name,
            &mut self.brancher,
            &mut self.regexp_change_matcher,
            cache,
        )
    }
}

impl Periodic {
    /// Upstream's `DefaultPeriodic`: job base, decoration and ProwJob
    /// defaults (looked up for `extra_refs[0]`), then presets.
    pub fn set_defaults(
        &mut self,
        d: &JobDefaults<'_>,
        presets: &[Preset],
    ) -> Result<(), FieldError> {
        let repo = self.defaults_repo();
        self.job_base.set_base_defaults(d.pod_namespace);
        self.job_base.set_decoration_defaults(&repo, d);
        self.job_base.set_prowjob_defaults(&repo, d);
        self.job_base.apply_presets(presets)
    }
}

impl JobConfig {
    /// Defaults every job and merges the presets into it. `decorate_all_jobs`
    /// is taken from `d` or, when set, from `self`.
    pub fn set_defaults(&mut self, d: &JobDefaults<'_>) -> Vec<JobConfigError> {
        let presets = std::mem::take(&mut self.presets);
        let errs = self.set_defaults_with_presets(d, &presets);
        self.presets = presets;
        errs
    }

    /// [`JobConfig::set_defaults`] with the presets given rather than this config's own:
    /// the loader gathers the presets of every file first, then defaults each file's jobs.
    pub fn set_defaults_with_presets(
        &mut self,
        d: &JobDefaults<'_>,
        presets: &[Preset],
    ) -> Vec<JobConfigError> {
        let d = JobDefaults {
            decorate_all_jobs: d.decorate_all_jobs || self.decorate_all_jobs,
            ..*d
        };
        let mut errs = Vec::new();
        for (repo, jobs) in &mut self.presubmits {
            for job in jobs {
                if let Err(e) = job.set_defaults(repo, &d, presets) {
                    errs.push(JobConfigError::for_job(
                        &job.job_base,
                        Presubmit::JOB_TYPE,
                        Some(repo),
                        e.field,
                        e.message,
                    ));
                }
            }
        }
        for (repo, jobs) in &mut self.postsubmits {
            for job in jobs {
                if let Err(e) = job.set_defaults(repo, &d, presets) {
                    errs.push(JobConfigError::for_job(
                        &job.job_base,
                        Postsubmit::JOB_TYPE,
                        Some(repo),
                        e.field,
                        e.message,
                    ));
                }
            }
        }
        for job in &mut self.periodics {
            if let Err(e) = job.set_defaults(&d, presets) {
                errs.push(JobConfigError::for_job(
                    &job.job_base,
                    Periodic::JOB_TYPE,
                    None,
                    e.field,
                    e.message,
                ));
            }
        }
        errs
    }

    /// Compiles every job's regexes, sharing them through `cache`, and
    /// parses periodic intervals.
    pub fn compile_regexes(&mut self, cache: &mut RegexCache) -> Vec<JobConfigError> {
        let mut errs = Vec::new();
        for (repo, jobs) in &mut self.presubmits {
            for job in jobs {
                if let Err(e) = job.compile_regexes(cache) {
                    errs.push(
                        JobConfigError::for_job(
                            &job.job_base,
                            Presubmit::JOB_TYPE,
                            Some(repo),
                            e.field,
                            e.message,
                        )
                        .wrapped("could not set regex".to_string()),
                    );
                }
            }
        }
        for (repo, jobs) in &mut self.postsubmits {
            for job in jobs {
                if let Err(e) = job.compile_regexes(cache) {
                    errs.push(
                        JobConfigError::for_job(
                            &job.job_base,
                            Postsubmit::JOB_TYPE,
                            Some(repo),
                            e.field,
                            e.message,
                        )
                        .wrapped("could not set regex".to_string()),
                    );
                }
            }
        }
        for job in &mut self.periodics {
            job.parse_intervals();
        }
        errs
    }

    /// Defaults, merges presets and compiles regexes (upstream's
    /// `finalizeJobConfig`), returning every error instead of the first.
    pub fn finalize(&mut self, d: &JobDefaults<'_>) -> Vec<JobConfigError> {
        self.finalize_with_cache(d, &mut RegexCache::new())
    }

    /// [`JobConfig::finalize`] reusing `cache`, e.g. across config reloads.
    pub fn finalize_with_cache(
        &mut self,
        d: &JobDefaults<'_>,
        cache: &mut RegexCache,
    ) -> Vec<JobConfigError> {
        let mut errs = self.set_defaults(d);
        errs.extend(self.compile_regexes(cache));
        errs
    }

    /// [`JobConfig::finalize_with_cache`] with the presets given rather than this config's
    /// own (see [`JobConfig::set_defaults_with_presets`]).
    pub fn finalize_with_presets(
        &mut self,
        d: &JobDefaults<'_>,
        cache: &mut RegexCache,
        presets: &[Preset],
    ) -> Vec<JobConfigError> {
        let mut errs = self.set_defaults_with_presets(d, presets);
        errs.extend(self.compile_regexes(cache));
        errs
    }
}

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

/// What validation needs from the Prow config.
pub struct ValidationOptions<'a> {
    /// `pod_namespace`: jobs may not use another namespace (except Tekton).
    pub pod_namespace: &'a str,
    /// Whether `plank.job_queue_capacities` defines a queue name.
    pub job_queue_defined: &'a dyn Fn(&str) -> bool,
}

fn no_job_queues(_: &str) -> bool {
    false
}

impl<'a> ValidationOptions<'a> {
    /// Options with the given pod namespace and no job queues.
    pub fn new(pod_namespace: &'a str) -> ValidationOptions<'a> {
        ValidationOptions {
            pod_namespace,
            job_queue_defined: &no_job_queues,
        }
    }
}

impl fmt::Debug for ValidationOptions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ValidationOptions")
            .field("pod_namespace", &self.pod_namespace)
            .finish_non_exhaustive()
    }
}

impl JobConfig {
    /// Validates every job (upstream's `ValidateJobConfig`), after
    /// [`JobConfig::finalize`].
    pub fn validate(&self, opts: &ValidationOptions<'_>) -> Vec<JobConfigError> {
        let mut errs = Vec::new();
        for (repo, jobs) in &self.presubmits {
            errs.extend(validate_presubmits(repo, jobs, opts));
        }
        for (repo, jobs) in &self.postsubmits {
            errs.extend(validate_postsubmits(repo, jobs, opts));
        }
        errs.extend(validate_periodics(&self.periodics, opts));
        errs
    }
}

/// Indices of jobs by key, in order.
fn index_by<'a, T>(jobs: &'a [T], key: impl Fn(&'a T) -> &'a str) -> HashMap<&'a str, Vec<usize>> {
    let mut map: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, job) in jobs.iter().enumerate() {
        map.entry(key(job)).or_default().push(i);
    }
    map
}

/// The duplicate-name and shared-context checks of upstream's
/// `validatePresubmits`/`validatePostsubmits`.
fn check_names_and_contexts<'a, T: Job>(
    repo: &str,
    jobs: &'a [T],
    brancher: impl Fn(&'a T) -> &'a Brancher,
    context: impl Fn(&'a T) -> &'a str,
    errs: &mut Vec<JobConfigError>,
) {
    let by_name = index_by(jobs, |j| &j.job_base().name);
    let by_context = index_by(jobs, &context);
    let mut reported = HashSet::new();
    for (i, job) in jobs.iter().enumerate() {
        let name = job.name();
        let earlier = by_name[name].iter().take_while(|&&j| j < i);
        if !reported.contains(name)
            && earlier
                .into_iter()
                .any(|&j| brancher(&jobs[j]).intersects(brancher(job)))
        {
            reported.insert(name);
            errs.push(JobConfigError::for_job(
                job.job_base(),
                T::JOB_TYPE,
                Some(repo),
                "name",
                format!(
                    "duplicated {} jobs (consider both inrepo and central config): [{name}]",
                    T::JOB_TYPE
                ),
            ));
        }
        let ctx = context(job);
        for &j in &by_context[ctx] {
            let other = &jobs[j];
            if other.name() == name || !brancher(other).intersects(brancher(job)) {
                continue;
            }
            errs.push(JobConfigError::for_job(
                job.job_base(),
                T::JOB_TYPE,
                Some(repo),
                "context",
                format!(
                    "jobs {} and {name} report to the same GitHub context {ctx:?}",
                    other.name()
                ),
            ));
        }
    }
}

fn job_base_errors(
    base: &JobBase,
    job_type: &str,
    repo: Option<&str>,
    opts: &ValidationOptions<'_>,
    errs: &mut Vec<JobConfigError>,
) {
    if let Err(field_errs) = validate_job_base(base, &ProwJobType::from(job_type), opts) {
        for e in field_errs {
            errs.push(
                JobConfigError::for_job(base, job_type, repo, e.field, e.message)
                    .wrapped(format!("invalid {job_type} job {}", base.name)),
            );
        }
    }
}

/// Validates the presubmits of one repo (upstream's `validatePresubmits`):
/// duplicate names on intersecting branches, shared contexts, the job base,
/// triggering and reporting.
pub fn validate_presubmits(
    repo: &str,
    jobs: &[Presubmit],
    opts: &ValidationOptions<'_>,
) -> Vec<JobConfigError> {
    validate_repo_jobs(
        repo,
        jobs,
        opts,
        |j| (&j.brancher, &j.reporter),
        validate_triggering,
    )
}

/// Validates the postsubmits of one repo (upstream's `validatePostsubmits`).
pub fn validate_postsubmits(
    repo: &str,
    jobs: &[Postsubmit],
    opts: &ValidationOptions<'_>,
) -> Vec<JobConfigError> {
    validate_repo_jobs(
        repo,
        jobs,
        opts,
        |j| (&j.brancher, &j.reporter),
        validate_always_run,
    )
}

/// What presubmits and postsubmits share: names and contexts, the job base, the check of
/// their own kind (`own_check`), and reporting.
fn validate_repo_jobs<T: Job>(
    repo: &str,
    jobs: &[T],
    opts: &ValidationOptions<'_>,
    parts: impl Fn(&T) -> (&Brancher, &Reporter),
    own_check: impl Fn(&T) -> Result<(), FieldError>,
) -> Vec<JobConfigError> {
    let mut errs = Vec::new();
    check_names_and_contexts(
        repo,
        jobs,
        |j| parts(j).0,
        |j| &parts(j).1.context,
        &mut errs,
    );
    for job in jobs {
        let base = job.job_base();
        job_base_errors(base, T::JOB_TYPE, Some(repo), opts, &mut errs);
        if let Err(e) = own_check(job) {
            errs.push(JobConfigError::for_job(
                base,
                T::JOB_TYPE,
                Some(repo),
                e.field,
                e.message,
            ));
        }
        if let Err(e) = validate_reporting(base, parts(job).1) {
            errs.push(
                JobConfigError::for_job(base, T::JOB_TYPE, Some(repo), e.field, e.message)
                    .wrapped(format!("invalid {} job {}", T::JOB_TYPE, base.name)),
            );
        }
    }
    sort_by_job_order(&mut errs, jobs);
    errs
}

/// Orders errors by the position of their job (stable), so each job's
/// errors come together.
fn sort_by_job_order<T: Job>(errs: &mut [JobConfigError], jobs: &[T]) {
    let mut first: HashMap<(&str, &str), usize> = HashMap::new();
    for (i, job) in jobs.iter().enumerate() {
        first
            .entry((job.name(), job.job_base().source_path.as_str()))
            .or_insert(i);
    }
    errs.sort_by_key(|e| {
        let name = e.job.as_ref().map_or("", |j| j.name.as_str());
        first
            .get(&(name, e.source_path.as_str()))
            .copied()
            .unwrap_or(usize::MAX)
    });
}

/// Validates periodics (upstream's `validatePeriodics`): duplicate names,
/// the job base, exactly one of cron/interval/minimum_interval, and
/// parseable cron and durations.
pub fn validate_periodics(jobs: &[Periodic], opts: &ValidationOptions<'_>) -> Vec<JobConfigError> {
    let mut errs = Vec::new();
    let mut seen = HashSet::new();
    for job in jobs {
        let base = &job.job_base;
        let name = &base.name;
        let err = |field, message: String| {
            JobConfigError::for_job(base, Periodic::JOB_TYPE, None, field, message)
        };
        if !seen.insert(name.as_str()) {
            errs.push(err("name", format!("duplicated periodic job: {name}")));
        }
        job_base_errors(base, Periodic::JOB_TYPE, None, opts, &mut errs);
        let set = [&job.cron, &job.interval, &job.minimum_interval]
            .iter()
            .filter(|s| !s.is_empty())
            .count();
        if set > 1 {
            errs.push(err(
                "cron",
                format!(
                    "cron, interval, and minimum_interval are mutually exclusive in periodic {name}"
                ),
            ));
            continue;
        }
        if set == 0 {
            errs.push(err(
                "cron",
                format!(
                    "at least one of cron, interval, or minimum_interval must be set in periodic {name}"
                ),
            ));
            continue;
        }
        if !job.cron.is_empty()
            && let Err(e) = CronSchedule::parse(&job.cron)
        {
            errs.push(err(
                "cron",
                format!("invalid cron string {} in periodic {name}: {e}", job.cron),
            ));
        }
        if !job.interval.is_empty()
            && let Err(e) = GoDuration::parse(&job.interval)
        {
            errs.push(err(
                "interval",
                format!("cannot parse duration for {name}: {e}"),
            ));
        }
        if let Some(retry) = &job.retry
            && let Err(e) = GoDuration::parse(&retry.interval)
        {
            errs.push(err(
                "retry",
                format!("cannot parse Retry duration for {name}: {e}"),
            ));
        }
        if !job.minimum_interval.is_empty()
            && let Err(e) = GoDuration::parse(&job.minimum_interval)
        {
            errs.push(err(
                "minimum_interval",
                format!("cannot parse duration for {name}: {e}"),
            ));
        }
    }
    errs
}

/// Checks a job name against [`JOB_NAME_PATTERN`] (or
/// [`JENKINS_JOB_NAME_PATTERN`] for Jenkins jobs).
pub fn validate_job_name(base: &JobBase) -> Result<(), FieldError> {
    let plain = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_');
    let name = base.name.as_bytes();
    let (ok, pattern) = if base.agent == JENKINS_AGENT {
        let ok = match name {
            [] => false,
            [only] => plain(*only),
            [first, middle @ .., last] => {
                plain(*first)
                    && middle.iter().all(|&b| plain(b) || b == b'/')
                    && (last.is_ascii_alphanumeric() || matches!(last, b'-' | b'_'))
            }
        };
        (ok, JENKINS_JOB_NAME_PATTERN)
    } else {
        (
            !name.is_empty() && name.iter().all(|&b| plain(b)),
            JOB_NAME_PATTERN,
        )
    };
    if ok {
        Ok(())
    } else {
        Err(FieldError::new(
            "name",
            format!("name: must match regex {pattern:?}"),
        ))
    }
}

/// Upstream's `validateJobBase`: name, max_concurrency, agent, pod spec,
/// Tekton spec, labels, annotations, job queue and, for jobs with
/// containers, rerun auth, clone URIs and decoration. Stops at the first
/// failing check (the pod spec check may report several problems).
pub fn validate_job_base(
    base: &JobBase,
    job_type: &ProwJobType,
    opts: &ValidationOptions<'_>,
) -> Result<(), Vec<FieldError>> {
    let one = |e: FieldError| vec![e];
    validate_job_name(base).map_err(one)?;
    if base.max_concurrency < 0 {
        return Err(one(FieldError::new(
            "max_concurrency",
            format!(
                "max_concurrency: {} must be a non-negative number",
                base.max_concurrency
            ),
        )));
    }
    validate_agent(base, opts.pod_namespace).map_err(one)?;
    let dc = base.utility_config.decoration_config.as_deref();
    let spec_errs = validate_pod_spec(job_type, base.spec.as_ref(), dc);
    if !spec_errs.is_empty() {
        return Err(spec_errs
            .into_iter()
            .map(|m| FieldError::new("spec", m))
            .collect());
    }
    if base.agent == TEKTON_AGENT {
        let spec = base
            .get_pipeline_run_spec()
            .map_err(|e| one(FieldError::new("pipeline_run_spec", e)))?;
        validate_pipeline_run_spec(job_type, &base.utility_config.extra_refs, Some(spec))
            .map_err(|e| one(FieldError::new("pipeline_run_spec", e)))?;
    }
    validate_labels(&base.labels).map_err(|e| one(FieldError::new("labels", e)))?;
    validate_annotations(&base.annotations).map_err(|e| one(FieldError::new("annotations", e)))?;
    if !base.job_queue_name.is_empty() && !(opts.job_queue_defined)(&base.job_queue_name) {
        return Err(one(FieldError::new(
            "job_queue_name",
            format!("invalid job queue name {}", base.job_queue_name),
        )));
    }
    let Some(spec) = &base.spec else {
        return Ok(());
    };
    let containers = pod_containers(spec);
    if containers.is_empty() {
        return Ok(());
    }
    if let Some(rac) = &base.rerun_auth_config {
        rac.validate()
            .map_err(|e| one(FieldError::new("rerun_auth_config", e.to_string())))?;
    }
    base.utility_config.validate().map_err(one)?;
    for container in containers {
        validate_decoration(container, dc)
            .map_err(|e| one(FieldError::new("decoration_config", e)))?;
    }
    Ok(())
}

/// Upstream's `validateAgent`. Unknown agents are accepted (upstream only
/// logs a warning for them).
pub fn validate_agent(base: &JobBase, pod_namespace: &str) -> Result<(), FieldError> {
    let agent = base.agent.as_str();
    let (k, p) = (KUBERNETES_AGENT, TEKTON_AGENT);
    if ![k, JENKINS_AGENT, p].contains(&agent) {
        return Ok(());
    }
    let err = |field, msg: String| Err(FieldError::new(field, msg));
    if base.spec.is_some() && agent != k {
        return err(
            "agent",
            format!("job specs require agent: {k} (found {agent:?})"),
        );
    }
    if agent == k && base.spec.is_none() {
        return err("spec", "kubernetes jobs require a spec".to_string());
    }
    if base.has_pipeline_run_spec() && agent != p {
        return err(
            "agent",
            format!("job pipeline_run_spec require agent: {p} (found {agent:?})"),
        );
    }
    if agent == p && !base.has_pipeline_run_spec() {
        return err(
            "pipeline_run_spec",
            format!("agent: {p} jobs require a pipeline_run_spec"),
        );
    }
    if base.utility_config.decoration_config.is_some() && agent != k {
        return err(
            "decoration_config",
            format!("decoration requires agent: {k} (found {agent:?})"),
        );
    }
    if base.error_on_eviction && agent != k {
        return err(
            "error_on_eviction",
            format!("error_on_eviction only applies to agent: {k} (found {agent:?})"),
        );
    }
    match base.namespace.as_deref() {
        None | Some("") => err("namespace", "failed to default namespace".to_string()),
        Some(ns) if ns != pod_namespace && agent != p => err(
            "namespace",
            format!("namespace customization requires agent: {p} (found {agent:?})"),
        ),
        Some(_) => Ok(()),
    }
}

/// Upstream's `ValidatePipelineRunSpec`: every extra ref is used by some
/// task through `PROW_EXTRA_GIT_REF_<n>`, and periodics do not use the
/// implicit git ref.
pub fn validate_pipeline_run_spec(
    job_type: &ProwJobType,
    extra_refs: &[Refs],
    spec: Option<&Value>,
) -> Result<(), String> {
    let Some(spec) = spec else {
        return Ok(());
    };
    let mut used = BTreeSet::new();
    let tasks = spec
        .get("pipelineSpec")
        .map_or(&[][..], |ps| array_of(ps, "tasks"));
    for task in tasks {
        let task_ref = task.get("taskRef").map_or("", |r| str_of(r, "name"));
        if *job_type == ProwJobType::Periodic && task_ref == PROW_IMPLICIT_GIT_RESOURCE {
            return Err(format!(
                "periodic jobs do not have an implicit git ref to replace {PROW_IMPLICIT_GIT_RESOURCE}"
            ));
        }
        let Some(digits) = extra_ref_index(task_ref) else {
            continue;
        };
        if digits.len() > 1 && digits.starts_with('0') {
            return Err(format!(
                "task {:?}: leading zeros are not allowed in PROW_EXTRA_GIT_REF_* indexes",
                str_of(task, "name")
            ));
        }
        used.insert(digits.parse::<usize>().unwrap_or(usize::MAX));
    }
    for i in 0..extra_refs.len() {
        if !used.contains(&i) {
            return Err(format!(
                "extra_refs[{i}] is not used; some task must reference PROW_EXTRA_GIT_REF_{i}"
            ));
        }
    }
    if extra_refs.len() != used.len() {
        let list: Vec<String> = used.iter().map(usize::to_string).collect();
        return Err(format!(
            "{} extra_refs are specified, but the following PROW_EXTRA_GIT_REF_* indexes are used: {}",
            extra_refs.len(),
            list.join(", ")
        ));
    }
    Ok(())
}

/// The digits of the first `PROW_EXTRA_GIT_REF_<digits>` in `s`.
fn extra_ref_index(s: &str) -> Option<&str> {
    const PREFIX: &str = "PROW_EXTRA_GIT_REF_";
    let mut from = 0;
    while let Some(pos) = s[from..].find(PREFIX) {
        let start = from + pos + PREFIX.len();
        let len = s[start..].bytes().take_while(u8::is_ascii_digit).count();
        if len > 0 {
            return Some(&s[start..start + len]);
        }
        from = start;
    }
    None
}

/// Volume names the pod utilities add (upstream's `decorate.VolumeMounts`).
fn decoration_volume_names(dc: Option<&DecorationConfig>) -> Vec<&str> {
    let mut names = vec!["logs", "code", "tools", "gcs-credentials", "s3-credentials"];
    if let Some(dc) = dc {
        if let Some(secret) = &dc.oauth_token_secret {
            names.push(&secret.name);
        }
        names.extend(dc.ssh_key_secrets.iter().map(String::as_str));
    }
    names
}

/// Mount names the pod utilities put on the test container.
const TEST_CONTAINER_MOUNT_NAMES: [&str; 3] = ["logs", "code", "tools"];
/// Mount paths the pod utilities put on the test container.
const TEST_CONTAINER_MOUNT_PATHS: [&str; 3] = ["/logs", "/home/prow/go", "/tools"];
/// Names of the pod utility containers.
const POD_UTILS_CONTAINER_NAMES: [&str; 4] =
    ["clonerefs", "initupload", "place-entrypoint", "sidecar"];
/// Labels the pod utilities set.
const DECORATION_LABELS: [&str; 3] = [PROW_JOB_TYPE_LABEL, CREATED_BY_PROW, PROW_JOB_ID_LABEL];

/// Upstream's `validatePodSpec`: no plain init containers, at least one
/// container, several only when decorated (named, uniquely, not like a pod
/// utility), no duplicate or reserved env vars, no duplicate or reserved
/// volumes, mounts of defined volumes away from decoration mounts. Returns
/// every problem found.
pub fn validate_pod_spec(
    job_type: &ProwJobType,
    spec: Option<&PodSpec>,
    dc: Option<&DecorationConfig>,
) -> Vec<String> {
    let Some(spec) = spec else {
        return Vec::new();
    };
    let spec_value = |key: &str| {
        spec.0
            .get(key)
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice)
    };
    let mut errs = Vec::new();
    let unsupported: Vec<&str> = spec_value("initContainers")
        .iter()
        .filter(|c| str_of(c, "restartPolicy") != "Always")
        .map(name_of)
        .collect();
    if !unsupported.is_empty() {
        errs.push(format!(
            "pod spec may not use init containers(sidecar container is supported): [{}]",
            unsupported.join(" ")
        ));
    }
    let containers = spec_value("containers");
    if containers.is_empty() {
        errs.push("pod spec must specify at least 1 container, found: 0".to_string());
        return errs;
    }
    if containers.len() > 1 && dc.is_none() {
        errs.push(format!(
            "pod utility decoration must be enabled to use multiple containers: {}",
            containers.len()
        ));
        return errs;
    }
    if containers.len() > 1 {
        let mut names = HashSet::new();
        for container in containers {
            let name = name_of(container);
            if name.is_empty() {
                errs.push("container does not have name. all containers must have names when defining multiple containers".to_string());
            }
            if !names.insert(name) {
                errs.push(format!(
                    "container named {name:?} is defined more than once"
                ));
            }
            if POD_UTILS_CONTAINER_NAMES.contains(&name) {
                errs.push(format!("container name {name} is a reserved for decoration. please specify a different container name that does not conflict with pod utility container names"));
            }
        }
    }
    let reserved_env = env_for_type(job_type);
    for container in containers {
        let mut names = HashSet::new();
        for env in array_of(container, "env") {
            let name = name_of(env);
            if !names.insert(name) {
                errs.push(format!("env var named {name:?} is defined more than once"));
            }
            if reserved_env.contains(&name) {
                errs.push(format!("env {name} is reserved"));
            }
        }
    }
    let decorated_volumes = decoration_volume_names(dc);
    let mut volumes = HashSet::new();
    for volume in spec_value("volumes") {
        let name = name_of(volume);
        if !volumes.insert(name) {
            errs.push(format!("volume named {name:?} is defined more than once"));
        }
        if decorated_volumes.contains(&name) {
            errs.push(format!("volume {name} is a reserved for decoration"));
        }
    }
    for container in containers {
        for mount in array_of(container, "volumeMounts") {
            let name = name_of(mount);
            let path = str_of(mount, "mountPath");
            if !volumes.contains(name) && !decorated_volumes.contains(&name) {
                errs.push(format!("volumeMount named {name:?} is undefined"));
            }
            if TEST_CONTAINER_MOUNT_NAMES.contains(&name) {
                errs.push(format!(
                    "volumeMount name {name} is reserved for decoration"
                ));
            }
            if TEST_CONTAINER_MOUNT_PATHS.contains(&path) {
                errs.push(format!(
                    "mount {name} at {path} conflicts with decoration mount"
                ));
            }
        }
    }
    errs
}

/// Upstream's `validateDecoration`: a decorated container needs a valid
/// decoration config and a command or args.
pub fn validate_decoration(container: &Value, dc: Option<&DecorationConfig>) -> Result<(), String> {
    let Some(dc) = dc else {
        return Ok(());
    };
    dc.validate()
        .map_err(|e| format!("invalid decoration config: {e}"))?;
    let first = array_of(container, "command")
        .iter()
        .chain(array_of(container, "args"))
        .next();
    match first {
        Some(arg) if arg.as_str().is_some_and(|s| !s.is_empty()) => Ok(()),
        _ => Err("decorated job containers must specify command and/or args".to_string()),
    }
}

/// Upstream's `validateLabels`: no decoration labels, Kubernetes label key
/// and value syntax.
pub fn validate_labels(labels: &BTreeMap<String, String>) -> Result<(), String> {
    for (label, value) in labels {
        if DECORATION_LABELS.contains(&label.as_str()) {
            return Err(format!("label {label} is reserved for decoration"));
        }
        let errs = k8s::is_qualified_name(label);
        if !errs.is_empty() {
            return Err(format!("invalid label {label}: [{}]", errs.join(" ")));
        }
        let errs = k8s::is_valid_label_value(value);
        if !errs.is_empty() {
            return Err(format!(
                "label {label} has invalid value {value}: [{}]",
                errs.join(" ")
            ));
        }
    }
    Ok(())
}

/// Upstream's `validateAnnotation`: keys are Kubernetes qualified names.
pub fn validate_annotations(annotations: &BTreeMap<String, String>) -> Result<(), String> {
    for key in annotations.keys() {
        let errs = k8s::is_qualified_name(key);
        if !errs.is_empty() {
            return Err(format!(
                "invalid annotation key {key:?}: [{}]",
                errs.join(" ")
            ));
        }
    }
    Ok(())
}

/// Upstream's `validateTriggering`: `always_run`, `run_if_changed` and
/// `skip_if_only_changed` are mutually exclusive, and `trigger` and
/// `rerun_command` are set together.
pub fn validate_triggering(job: &Presubmit) -> Result<(), FieldError> {
    let name = &job.job_base.name;
    check_change_exclusivity(name, job.always_run, &job.regexp_change_matcher)?;
    if job.trigger.is_empty() != job.rerun_command.is_empty() {
        let field = if job.trigger.is_empty() {
            "trigger"
        } else {
            "rerun_command"
        };
        return Err(FieldError::new(
            field,
            format!(
                "either both of job.Trigger and job.RerunCommand must be set, wasnt the case for job {name:?}"
            ),
        ));
    }
    Ok(())
}

/// Upstream's `validateAlwaysRun` for postsubmits.
pub fn validate_always_run(job: &Postsubmit) -> Result<(), FieldError> {
    check_change_exclusivity(
        &job.job_base.name,
        job.always_run == Some(true),
        &job.regexp_change_matcher,
    )
}

fn check_change_exclusivity(
    name: &str,
    always_run: bool,
    cm: &RegexpChangeMatcher,
) -> Result<(), FieldError> {
    if always_run {
        if !cm.run_if_changed.is_empty() {
            return Err(FieldError::new(
                "run_if_changed",
                format!(
                    "job {name} is set to always run but also declares run_if_changed targets, which are mutually exclusive"
                ),
            ));
        }
        if !cm.skip_if_only_changed.is_empty() {
            return Err(FieldError::new(
                "skip_if_only_changed",
                format!(
                    "job {name} is set to always run but also declares skip_if_only_changed targets, which are mutually exclusive"
                ),
            ));
        }
    }
    if !cm.run_if_changed.is_empty() && !cm.skip_if_only_changed.is_empty() {
        return Err(FieldError::new(
            "skip_if_only_changed",
            format!(
                "job {name} declares run_if_changed and skip_if_only_changed, which are mutually exclusive"
            ),
        ));
    }
    Ok(())
}

/// Upstream's `validateReporting`: a reporting job needs a context, and a
/// job skipping reports may not set the Gerrit report label.
pub fn validate_reporting(base: &JobBase, reporter: &Reporter) -> Result<(), FieldError> {
    if !reporter.skip_report && reporter.context.is_empty() {
        return Err(FieldError::new(
            "context",
            "job is set to report but has no context configured",
        ));
    }
    if !reporter.skip_report {
        return Ok(());
    }
    match base.labels.get(GERRIT_REPORT_LABEL) {
        Some(value) if !value.is_empty() => Err(FieldError::new(
            "labels",
            format!(
                "gerrit report label {GERRIT_REPORT_LABEL} set to non-empty string but job is configured to skip reporting."
            ),
        )),
        _ => Ok(()),
    }
}

/// Upstream's `ValidateRefs`: no repository (including the job's own) is
/// cloned twice.
pub fn validate_refs(repo: &str, base: &JobBase) -> Result<(), String> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    counts.insert(repo.to_string(), 1);
    for r in &base.utility_config.extra_refs {
        *counts.entry(format!("{}/{}", r.org, r.repo)).or_default() += 1;
    }
    let dupes: Vec<&str> = counts
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(k, _)| k.as_str())
        .collect();
    if dupes.is_empty() {
        return Ok(());
    }
    Err(format!(
        "invalid job {} on repo {repo}: the following refs specified more than once: {}",
        base.name,
        dupes.join(",")
    ))
}

impl UtilityConfig {
    /// Upstream's `UtilityConfig.Validate`: clone URIs parse as URLs (once
    /// any user part is dropped) and, with an OAuth token secret, use http
    /// or https. As upstream does, nothing is checked unless the job's own
    /// `clone_uri` is set.
    pub fn validate(&self) -> Result<(), FieldError> {
        let check = |clone_uri: &str| -> Result<(), String> {
            let uri = clone_uri
                .find('@')
                .map_or(clone_uri, |i| &clone_uri[i + 1..]);
            if self.clone_uri.is_empty() {
                return Ok(());
            }
            let scheme = go_url::parse_scheme(uri)
                .map_err(|e| format!("couldn't parse uri from clone_uri: {e}"))?;
            let oauth = self
                .decoration_config
                .as_ref()
                .is_some_and(|dc| dc.oauth_token_secret.is_some());
            if oauth && scheme != "http" && scheme != "https" {
                return Err(format!(
                    "scheme must be http or https when OAuth secret is specified: {uri}"
                ));
            }
            Ok(())
        };
        check(&self.clone_uri).map_err(|e| FieldError::new("clone_uri", e))?;
        for (i, r) in self.extra_refs.iter().enumerate() {
            check(&r.clone_uri)
                .map_err(|e| FieldError::new("extra_refs", format!("extra_ref[{i}]: {e}")))?;
        }
        Ok(())
    }
}

/// Kubernetes name syntax checks with apimachinery's messages.
mod k8s {
    const QUALIFIED_NAME_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    const QUALIFIED_NAME_ERR: &str = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    const QUALIFIED_NAME_MAX: usize = 63;
    const LABEL_VALUE_FMT: &str = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
    const LABEL_VALUE_ERR: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    const LABEL_VALUE_MAX: usize = 63;
    const DNS1123_SUBDOMAIN_FMT: &str =
        r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
    const DNS1123_SUBDOMAIN_ERR: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
    const DNS1123_SUBDOMAIN_MAX: usize = 253;

    fn regex_error(msg: &str, fmt: &str, examples: &[&str]) -> String {
        let examples: Vec<String> = examples.iter().map(|e| format!("'{e}', ")).collect();
        format!(
            "{msg} (e.g. {}regex used for validation is '{fmt}')",
            examples.join(" or ")
        )
    }

    fn max_len_error(n: usize) -> String {
        format!("must be no more than {n} characters")
    }

    fn is_qualified_part(s: &str) -> bool {
        let b = s.as_bytes();
        match b {
            [] => false,
            [only] => only.is_ascii_alphanumeric(),
            [first, middle @ .., last] => {
                first.is_ascii_alphanumeric()
                    && last.is_ascii_alphanumeric()
                    && middle
                        .iter()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
            }
        }
    }

    fn is_dns1123_label(s: &str) -> bool {
        let b = s.as_bytes();
        let ok = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
        match b {
            [] => false,
            [only] => ok(only),
            [first, middle @ .., last] => {
                ok(first) && ok(last) && middle.iter().all(|c| ok(c) || *c == b'-')
            }
        }
    }

    fn is_dns1123_subdomain(value: &str) -> Vec<String> {
        let mut errs = Vec::new();
        if value.len() > DNS1123_SUBDOMAIN_MAX {
            errs.push(max_len_error(DNS1123_SUBDOMAIN_MAX));
        }
        if !value.split('.').all(is_dns1123_label) {
            errs.push(regex_error(
                DNS1123_SUBDOMAIN_ERR,
                DNS1123_SUBDOMAIN_FMT,
                &["example.com"],
            ));
        }
        errs
    }

    /// apimachinery's `IsQualifiedName`.
    pub(super) fn is_qualified_name(value: &str) -> Vec<String> {
        let mut errs = Vec::new();
        let parts: Vec<&str> = value.split('/').collect();
        let name = match parts.as_slice() {
            [name] => *name,
            [prefix, name] => {
                if prefix.is_empty() {
                    errs.push("prefix part must be non-empty".to_string());
                } else {
                    errs.extend(
                        is_dns1123_subdomain(prefix)
                            .into_iter()
                            .map(|m| format!("prefix part {m}")),
                    );
                }
                *name
            }
            _ => {
                return vec![format!(
                    "a qualified name {} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
                    regex_error(
                        QUALIFIED_NAME_ERR,
                        QUALIFIED_NAME_FMT,
                        &["MyName", "my.name", "123-abc"]
                    )
                )];
            }
        };
        if name.is_empty() {
            errs.push("name part must be non-empty".to_string());
        } else if name.len() > QUALIFIED_NAME_MAX {
            errs.push(format!("name part {}", max_len_error(QUALIFIED_NAME_MAX)));
        }
        if !is_qualified_part(name) {
            errs.push(format!(
                "name part {}",
                regex_error(
                    QUALIFIED_NAME_ERR,
                    QUALIFIED_NAME_FMT,
                    &["MyName", "my.name", "123-abc"]
                )
            ));
        }
        errs
    }

    /// apimachinery's `IsValidLabelValue`.
    pub(super) fn is_valid_label_value(value: &str) -> Vec<String> {
        let mut errs = Vec::new();
        if value.len() > LABEL_VALUE_MAX {
            errs.push(max_len_error(LABEL_VALUE_MAX));
        }
        if !value.is_empty() && !is_qualified_part(value) {
            errs.push(regex_error(
                LABEL_VALUE_ERR,
                LABEL_VALUE_FMT,
                &["MyValue", "my_value", "12345"],
            ));
        }
        errs
    }
}

/// The part of Go's `net/url.Parse` that decides whether a URL is
/// accepted, with Go's error texts.
mod go_url {
    /// Parses `raw` like Go's `url.Parse`, returning the lower-cased scheme.
    pub(super) fn parse_scheme(raw: &str) -> Result<String, String> {
        let (u, frag) = raw
            .split_once('#')
            .map_or((raw, None), |(u, f)| (u, Some(f)));
        let scheme = parse(u).map_err(|e| format!("parse {u:?}: {e}"))?;
        if let Some(frag) = frag {
            unescape(frag, Mode::Fragment).map_err(|e| format!("parse {raw:?}: {e}"))?;
        }
        Ok(scheme)
    }

    #[derive(PartialEq, Clone, Copy)]
    enum Mode {
        Path,
        Host,
        Fragment,
    }

    fn parse(raw: &str) -> Result<String, String> {
        if raw.bytes().any(|b| b < 0x20 || b == 0x7f) {
            return Err("net/url: invalid control character in URL".to_string());
        }
        if raw == "*" {
            return Ok(String::new());
        }
        let (scheme, rest) = get_scheme(raw)?;
        let scheme = scheme.to_ascii_lowercase();
        let rest = if rest.ends_with('?') && rest.matches('?').count() == 1 {
            &rest[..rest.len() - 1]
        } else {
            rest.split_once('?').map_or(rest, |(r, _)| r)
        };
        if !rest.starts_with('/') {
            if !scheme.is_empty() {
                // Opaque URL such as `mailto:x`: nothing more is checked.
                return Ok(scheme);
            }
            let segment = rest.split_once('/').map_or(rest, |(s, _)| s);
            if segment.contains(':') {
                return Err("first path segment in URL cannot contain colon".to_string());
            }
        }
        let mut path = rest;
        if (!scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
            let authority_and_path = &rest[2..];
            let (authority, p) = match authority_and_path.find('/') {
                Some(i) => (&authority_and_path[..i], &authority_and_path[i..]),
                None => (authority_and_path, ""),
            };
            parse_authority(authority)?;
            path = p;
        }
        unescape(path, Mode::Path)?;
        Ok(scheme)
    }

    fn get_scheme(raw: &str) -> Result<(&str, &str), String> {
        for (i, c) in raw.bytes().enumerate() {
            match c {
                b'a'..=b'z' | b'A'..=b'Z' => {}
                b'0'..=b'9' | b'+' | b'-' | b'.' => {
                    if i == 0 {
                        return Ok(("", raw));
                    }
                }
                b':' => {
                    if i == 0 {
                        return Err("missing protocol scheme".to_string());
                    }
                    return Ok((&raw[..i], &raw[i + 1..]));
                }
                _ => return Ok(("", raw)),
            }
        }
        Ok(("", raw))
    }

    fn parse_authority(authority: &str) -> Result<(), String> {
        let host = match authority.rfind('@') {
            None => authority,
            Some(i) => {
                if !valid_userinfo(&authority[..i]) {
                    return Err("net/url: invalid userinfo".to_string());
                }
                &authority[i + 1..]
            }
        };
        parse_host(host)
    }

    fn valid_userinfo(s: &str) -> bool {
        s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'-' | b'.'
                        | b'_'
                        | b':'
                        | b'~'
                        | b'!'
                        | b'$'
                        | b'&'
                        | b'\''
                        | b'('
                        | b')'
                        | b'*'
                        | b'+'
                        | b','
                        | b';'
                        | b'='
                        | b'%'
                        | b'@'
                )
                || b >= 0x80
        })
    }

    fn valid_optional_port(port: &str) -> bool {
        port.is_empty()
            || port
                .strip_prefix(':')
                .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
    }

    fn parse_host(host: &str) -> Result<(), String> {
        if host.starts_with('[') {
            let Some(i) = host.rfind(']') else {
                return Err("missing ']' in host".to_string());
            };
            let port = &host[i + 1..];
            if !valid_optional_port(port) {
                return Err(format!("invalid port {port:?} after host"));
            }
        } else if let Some(i) = host.rfind(':') {
            let port = &host[i..];
            if !valid_optional_port(port) {
                return Err(format!("invalid port {port:?} after host"));
            }
        }
        unescape(host, Mode::Host)
    }

    fn is_hex(b: u8) -> bool {
        b.is_ascii_hexdigit()
    }

    fn unescape(s: &str, mode: Mode) -> Result<(), String> {
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'%' => {
                    if i + 2 >= b.len() || !is_hex(b[i + 1]) || !is_hex(b[i + 2]) {
                        let end = (i + 3).min(b.len());
                        return Err(format!("invalid URL escape {:?}", &s[i..end]));
                    }
                    if mode == Mode::Host && b[i + 1] < b'8' && &s[i..i + 3] != "%25" {
                        return Err(format!("invalid URL escape {:?}", &s[i..i + 3]));
                    }
                    i += 3;
                }
                c if mode == Mode::Host && c < 0x80 && !host_char_ok(c) => {
                    return Err(format!(
                        "invalid character {:?} in host name",
                        (c as char).to_string()
                    ));
                }
                _ => i += 1,
            }
        }
        Ok(())
    }

    fn host_char_ok(c: u8) -> bool {
        c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'-' | b'_'
                    | b'.'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b':'
                    | b'['
                    | b']'
                    | b'<'
                    | b'>'
                    | b'"'
            )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    type BaseCase = (&'static str, JobBase, Option<(&'static str, &'static str)>);
    type PodCase<'a> = (
        &'static str,
        &'a ProwJobType,
        Option<Value>,
        Option<&'a DecorationConfig>,
        Vec<&'static str>,
    );
    type ReportCase = (
        &'static str,
        BTreeMap<String, String>,
        Reporter,
        Option<&'static str>,
    );
    type PipelineCase<'a> = (
        &'static str,
        &'a ProwJobType,
        Vec<Refs>,
        Value,
        Option<&'static str>,
    );

    fn yaml<T: serde::de::DeserializeOwned>(text: &str) -> T {
        crate::yaml::from_str(text).unwrap_or_else(|e| panic!("bad test yaml: {e}\n{text}"))
    }

    fn json_to<T: serde::de::DeserializeOwned>(v: Value) -> T {
        serde_json::from_value(v).expect("bad test json")
    }

    fn pod(v: Value) -> PodSpec {
        json_to(v)
    }

    fn good_decoration() -> DecorationConfig {
        json_to(json!({
            "utility_images": {
                "clonerefs": "clone-me",
                "initupload": "upload-me",
                "entrypoint": "enter-me",
                "sidecar": "official-drink-of-the-org"
            },
            "gcs_credentials_secret": "upload-secret",
            "gcs_configuration": {
                "path_strategy": "explicit",
                "default_org": "so-org",
                "default_repo": "very-repo"
            }
        }))
    }

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn ps(name: &str) -> Presubmit {
        let mut p = Presubmit::default();
        p.job_base.name = name.to_string();
        p
    }

    fn post(name: &str) -> Postsubmit {
        let mut p = Postsubmit::default();
        p.job_base.name = name.to_string();
        p
    }

    fn periodic(name: &str) -> Periodic {
        let mut p = Periodic::default();
        p.job_base.name = name.to_string();
        p
    }

    fn upstream(errs: &[JobConfigError]) -> Vec<String> {
        errs.iter().map(JobConfigError::upstream_message).collect()
    }

    const CONFIG: &str = r#"
presets:
- labels:
    preset-service-account: "true"
  env:
  - name: GOOGLE_APPLICATION_CREDENTIALS
    value: /etc/service-account/service-account.json
  volumes:
  - name: service
    secret:
      secretName: service-account
  volumeMounts:
  - name: service
    mountPath: /etc/service-account
    readOnly: true
presubmits:
  kubernetes/kubernetes:
  - name: pull-kubernetes-unit
    always_run: true
    optional: false
    decorate: true
    labels:
      preset-service-account: "true"
    branches: [master]
    max_concurrency: 10
    annotations:
      testgrid-dashboards: sig-testing
    extra_refs:
    - org: kubernetes
      repo: test-infra
      base_ref: master
      path_alias: k8s.io/test-infra
    spec:
      containers:
      - image: golang
        command: [make, test]
  - name: pull-kubernetes-docs
    run_if_changed: '^docs/'
    context: docs
    skip_report: true
    run_before_merge: true
    spec:
      containers:
      - image: golang
postsubmits:
  kubernetes/kubernetes:
  - name: ci-kubernetes-build
    always_run: false
    skip_branches: ['release-\d+\.\d+']
    cluster: build
    spec:
      containers:
      - image: golang
periodics:
- name: ci-periodic
  cron: "0 * * * *"
  tags: [a, b]
  retry:
    attempts: 3
    interval: 10m
  reporter_config:
    slack:
      channel: chan
  spec:
    containers:
    - image: golang
prow_ignored:
  anything: [goes, here]
"#;

    #[test]
    fn parses_embedded_fields_into_nested_structs() {
        let jc: JobConfig = yaml(CONFIG);
        let pre = &jc.presubmits["kubernetes/kubernetes"];
        assert_eq!(pre.len(), 2);
        let unit = &pre[0];
        assert_eq!(unit.job_base.name, "pull-kubernetes-unit");
        assert!(unit.always_run);
        assert_eq!(unit.job_base.max_concurrency, 10);
        assert_eq!(unit.job_base.utility_config.decorate, Some(true));
        assert_eq!(unit.brancher.branches, vec!["master"]);
        assert_eq!(
            unit.job_base.utility_config.extra_refs[0].path_alias,
            "k8s.io/test-infra"
        );
        assert_eq!(
            unit.job_base.annotations["testgrid-dashboards"],
            "sig-testing"
        );
        let docs = &pre[1];
        assert_eq!(docs.regexp_change_matcher.run_if_changed, "^docs/");
        assert_eq!(docs.reporter.context, "docs");
        assert!(docs.reporter.skip_report);
        assert!(docs.run_before_merge);
        let build = &jc.postsubmits["kubernetes/kubernetes"][0];
        assert_eq!(build.always_run, Some(false));
        assert_eq!(build.brancher.skip_branches, vec![r"release-\d+\.\d+"]);
        assert_eq!(build.job_base.cluster, "build");
        let p = &jc.periodics[0];
        assert_eq!(p.cron, "0 * * * *");
        assert_eq!(p.tags, vec!["a", "b"]);
        assert_eq!(p.retry.as_ref().map(|r| r.attempts), Some(3));
        assert!(p.job_base.reporter_config.is_some());
        assert!(jc.prow_ignored.is_some());
        assert_eq!(jc.presets[0].volume_mounts.len(), 1);
        assert_eq!(jc.job_count(), 4);
        assert_eq!(
            jc.all_repos().into_iter().collect::<Vec<_>>(),
            vec!["kubernetes/kubernetes"]
        );
    }

    #[test]
    fn serializes_flat_with_upstream_names() {
        let jc: JobConfig = yaml(CONFIG);
        let v = serde_json::to_value(&jc).unwrap();
        let unit = &v["presubmits"]["kubernetes/kubernetes"][0];
        assert_eq!(unit["name"], "pull-kubernetes-unit");
        assert_eq!(unit["always_run"], true);
        assert_eq!(unit["decorate"], true);
        assert_eq!(unit["branches"], json!(["master"]));
        assert_eq!(unit["extra_refs"][0]["repo"], "test-infra");
        assert!(unit.get("optional").is_none(), "omitempty");
        assert!(unit.get("source_path").is_none());
        let docs = &v["presubmits"]["kubernetes/kubernetes"][1];
        assert_eq!(
            docs["always_run"], false,
            "presubmit always_run is not omitempty"
        );
        let build = &v["postsubmits"]["kubernetes/kubernetes"][0];
        assert_eq!(build["always_run"], false);
        assert!(v.get("prow_ignored").is_none());
        assert_eq!(v["periodics"][0]["retry"]["interval"], "10m");
        assert!(v["presets"][0].get("volumeMounts").is_some());
        // Round trip.
        let back: JobConfig = serde_json::from_value(v).unwrap();
        let mut expected: JobConfig = yaml(CONFIG);
        expected.prow_ignored = None;
        assert_eq!(back, expected);
    }

    #[test]
    fn source_path_and_merge() {
        let mut a: JobConfig = yaml(CONFIG);
        a.set_source_path("config/jobs/a.yaml");
        assert_eq!(a.periodics[0].job_base.source_path, "config/jobs/a.yaml");
        let mut b: JobConfig = yaml(
            r#"
presubmits:
  kubernetes/kubernetes:
  - name: pull-extra
  org/other:
  - name: pull-other
periodics:
- name: p2
  interval: 1h
"#,
        );
        b.set_source_path("config/jobs/b.yaml");
        a.merge(b).unwrap();
        assert_eq!(a.presubmits["kubernetes/kubernetes"].len(), 3);
        assert_eq!(
            a.presubmits["org/other"][0].job_base.source_path,
            "config/jobs/b.yaml"
        );
        assert_eq!(a.periodics.len(), 2);

        let dup: JobConfig = yaml(
            r#"
presets:
- labels:
    preset-service-account: "true"
"#,
        );
        let before = a.clone();
        assert_eq!(
            a.merge(dup).unwrap_err(),
            "duplicated preset 'label:value' pair : preset-service-account:true"
        );
        assert_eq!(a, before);
    }

    // ---- defaulting -------------------------------------------------------

    #[test]
    fn default_job_base() {
        let filled = JobBase {
            agent: "foo".into(),
            namespace: Some("bar".into()),
            cluster: "build".into(),
            ..JobBase::default()
        };
        type Edit = fn(&mut JobBase);
        let cases: &[(&str, Edit, Edit)] = &[
            ("no changes when fields are already set", |_| {}, |_| {}),
            (
                "empty agent results in kubernetes",
                |j| j.agent.clear(),
                |j| j.agent = "kubernetes".into(),
            ),
            (
                "nil namespace becomes PodNamespace",
                |j| j.namespace = None,
                |j| j.namespace = Some("pod-namespace".into()),
            ),
            (
                "empty namespace becomes PodNamespace",
                |j| j.namespace = Some(String::new()),
                |j| j.namespace = Some("pod-namespace".into()),
            ),
            (
                "empty cluster becomes DefaultClusterAlias",
                |j| j.cluster.clear(),
                |j| j.cluster = "default".into(),
            ),
        ];
        for (name, base, expected) in cases {
            let mut actual = filled.clone();
            base(&mut actual);
            let mut want = actual.clone();
            expected(&mut want);
            actual.set_base_defaults("pod-namespace");
            assert_eq!(actual, want, "{name}");
        }
    }

    #[test]
    fn default_trigger_and_rerun_command() {
        assert_eq!(
            default_trigger_for("foo"),
            r"(?m)^/test( | .* )foo,?($|\s.*)"
        );
        assert_eq!(default_rerun_command_for("foo"), "/test foo");
    }

    #[test]
    fn presubmit_and_postsubmit_field_defaults() {
        let d = JobDefaults::new("pods");
        let mut p = ps("pull-foo");
        p.set_defaults("org/repo", &d, &[]).unwrap();
        assert_eq!(p.reporter.context, "pull-foo");
        assert_eq!(p.trigger, default_trigger_for("pull-foo"));
        assert_eq!(p.rerun_command, "/test pull-foo");
        assert_eq!(p.job_base.agent, "kubernetes");
        assert_eq!(p.job_base.cluster, "default");
        assert_eq!(p.job_base.namespace.as_deref(), Some("pods"));
        assert_eq!(p.job_base.utility_config.decorate, Some(false));
        assert_eq!(p.job_base.utility_config.decoration_config, None);

        // Only one of trigger/rerun_command set: left for validation to reject.
        let mut p = ps("pull-foo");
        p.trigger = "custom".into();
        p.reporter.context = "ctx".into();
        p.set_defaults("org/repo", &d, &[]).unwrap();
        assert_eq!(p.trigger, "custom");
        assert_eq!(p.rerun_command, "");
        assert_eq!(p.reporter.context, "ctx");

        let mut p = post("post-foo");
        p.set_defaults("org/repo", &d, &[]).unwrap();
        assert_eq!(p.reporter.context, "post-foo");
        assert_eq!(p.always_run, None);

        let mut p = periodic("per-foo");
        p.set_defaults(&d, &[]).unwrap();
        assert_eq!(p.job_base.agent, "kubernetes");
    }

    #[test]
    fn decoration_defaults() {
        let lookup = |repo: &str, cluster: &str| -> Option<Arc<DecorationConfig>> {
            let mut dc = good_decoration();
            dc.gcs_credentials_secret = Some(format!("{repo}@{cluster}"));
            dc.timeout = Some(GoDuration::parse("2h").unwrap());
            Some(Arc::new(dc))
        };
        let mut d = JobDefaults::new("pods");
        d.default_decoration = &lookup;
        struct Case {
            name: &'static str,
            decorate: Option<bool>,
            all: bool,
            own: Option<DecorationConfig>,
            want_decorate: bool,
        }
        let own: DecorationConfig = json_to(json!({"timeout": "1h", "skip_cloning": true}));
        let cases = [
            Case {
                name: "explicit true",
                decorate: Some(true),
                all: false,
                own: None,
                want_decorate: true,
            },
            Case {
                name: "unset, not all",
                decorate: None,
                all: false,
                own: None,
                want_decorate: false,
            },
            Case {
                name: "unset, all",
                decorate: None,
                all: true,
                own: None,
                want_decorate: true,
            },
            Case {
                name: "explicit false beats all",
                decorate: Some(false),
                all: true,
                own: None,
                want_decorate: false,
            },
            Case {
                name: "own config over default",
                decorate: Some(true),
                all: false,
                own: Some(own.clone()),
                want_decorate: true,
            },
        ];
        for c in cases {
            d.decorate_all_jobs = c.all;
            let mut p = ps("pull-foo");
            p.job_base.cluster = "build".into();
            p.job_base.utility_config.decorate = c.decorate;
            p.job_base.utility_config.decoration_config = c.own.clone().map(Arc::new);
            p.set_defaults("org/repo", &d, &[]).unwrap();
            let u = &p.job_base.utility_config;
            assert_eq!(u.decorate, Some(c.want_decorate), "{}", c.name);
            if !c.want_decorate {
                assert_eq!(u.decoration_config.as_deref(), c.own.as_ref(), "{}", c.name);
                continue;
            }
            let dc = u.decoration_config.as_ref().unwrap();
            assert_eq!(
                dc.gcs_credentials_secret.as_deref(),
                Some("org/repo@build"),
                "{}",
                c.name
            );
            assert!(dc.utility_images.is_some(), "{}", c.name);
            let want_timeout = if c.own.is_some() { "1h" } else { "2h" };
            assert_eq!(
                dc.timeout,
                Some(GoDuration::parse(want_timeout).unwrap()),
                "{}",
                c.name
            );
        }

        // No defaults at all: an empty decoration config.
        let d = JobDefaults::new("pods");
        let mut p = ps("pull-foo");
        p.job_base.utility_config.decorate = Some(true);
        p.set_defaults("org/repo", &d, &[]).unwrap();
        assert_eq!(
            p.job_base.utility_config.decoration_config.as_deref(),
            Some(&DecorationConfig::default())
        );

        // Periodics look defaults up by extra_refs[0], else the empty repo.
        let seen = std::cell::RefCell::new(Vec::new());
        let record = |repo: &str, cluster: &str| -> Option<Arc<DecorationConfig>> {
            seen.borrow_mut().push(format!("{repo}|{cluster}"));
            None
        };
        let mut d = JobDefaults::new("pods");
        d.decorate_all_jobs = true;
        d.default_decoration = &record;
        let mut with_ref: Periodic = yaml("name: p\nextra_refs:\n- org: o\n  repo: r\n");
        with_ref.set_defaults(&d, &[]).unwrap();
        periodic("q").set_defaults(&d, &[]).unwrap();
        assert_eq!(*seen.borrow(), vec!["o/r|default", "|default"]);
    }

    #[test]
    fn decorate_all_jobs_from_the_job_config_counts_too() {
        let mut jc: JobConfig =
            yaml("decorate_all_jobs: true\nperiodics:\n- name: p\n  interval: 1h\n");
        assert!(jc.finalize(&JobDefaults::new("pods")).is_empty());
        assert_eq!(jc.periodics[0].job_base.utility_config.decorate, Some(true));
    }

    #[test]
    fn prowjob_defaults() {
        let d = JobDefaults::new("pods");
        let mut p = ps("pull-foo");
        p.set_defaults("org/repo", &d, &[]).unwrap();
        assert_eq!(
            p.job_base.prowjob_defaults.as_ref().unwrap().tenant_id,
            DEFAULT_TENANT_ID
        );

        let lookup = |repo: &str, _: &str| -> Option<ProwJobDefault> {
            (repo == "org/repo").then(|| {
                json_to(
                    json!({"tenant_id": "from-config", "resultstore_config": {"project_id": "p"}}),
                )
            })
        };
        let mut d = JobDefaults::new("pods");
        d.default_prowjob = &lookup;
        let mut p = ps("pull-foo");
        p.job_base.prowjob_defaults = Some(json_to(json!({"tenant_id": "own"})));
        p.set_defaults("org/repo", &d, &[]).unwrap();
        let pjd = p.job_base.prowjob_defaults.as_ref().unwrap();
        assert_eq!(pjd.tenant_id, "own");
        assert!(pjd.resultstore_config.is_some());
        let mut p = ps("pull-foo");
        p.set_defaults("org/repo", &d, &[]).unwrap();
        assert_eq!(
            p.job_base.prowjob_defaults.as_ref().unwrap().tenant_id,
            "from-config"
        );
    }

    // ---- presets ----------------------------------------------------------

    #[test]
    fn merge_preset_table() {
        struct Case {
            name: &'static str,
            job_labels: &'static [(&'static str, &'static str)],
            pod: Value,
            presets: Value,
            error: Option<&'static str>,
            env: usize,
            vol: usize,
            mounts: usize,
            tolerations: usize,
        }
        let c = |name, job_labels, pod, presets| Case {
            name,
            job_labels,
            pod,
            presets,
            error: None,
            env: 0,
            vol: 0,
            mounts: 0,
            tolerations: 0,
        };
        let foo_bar: &[(&str, &str)] = &[("foo", "bar")];
        let toleration = json!({"key": "kubernetes.io/arch", "operator": "Equal", "value": "arm64", "effect": "NoSchedule"});
        let cases = vec![
            Case {
                vol: 1,
                ..c(
                    "one volume",
                    foo_bar,
                    json!({}),
                    json!([{"labels": {"foo": "bar"}, "volumes": [{"name": "baz"}]}]),
                )
            },
            c(
                "wrong label",
                &[("foo", "nope")],
                json!({}),
                json!([{"labels": {"foo": "bar"}, "volumes": [{"name": "baz"}]}]),
            ),
            Case {
                error: Some(
                    "job foo failed to merge presets for podspec: volume duplicated in pod spec: baz",
                ),
                ..c(
                    "conflicting volume name for podspec",
                    foo_bar,
                    json!({"volumes": [{"name": "baz"}]}),
                    json!([{"labels": {"foo": "bar"}, "volumes": [{"name": "baz"}]}]),
                )
            },
            Case {
                vol: 2,
                ..c(
                    "non conflicting volume name",
                    foo_bar,
                    json!({"volumes": [{"name": "baz"}]}),
                    json!([{"labels": {"foo": "bar"}, "volumes": [{"name": "qux"}]}]),
                )
            },
            Case {
                env: 1,
                ..c(
                    "one env",
                    foo_bar,
                    json!({"containers": [{}]}),
                    json!([{"labels": {"foo": "bar"}, "env": [{"name": "baz"}]}]),
                )
            },
            Case {
                error: Some(
                    "job foo failed to merge presets for podspec: env var duplicated in pod spec: baz",
                ),
                ..c(
                    "conflicting env",
                    foo_bar,
                    json!({"containers": [{"env": [{"name": "baz"}]}]}),
                    json!([{"labels": {"foo": "bar"}, "env": [{"name": "baz"}]}]),
                )
            },
            Case {
                mounts: 1,
                ..c(
                    "one vm",
                    foo_bar,
                    json!({"containers": [{}]}),
                    json!([{"labels": {"foo": "bar"}, "volumeMounts": [{"name": "baz"}]}]),
                )
            },
            Case {
                env: 1,
                vol: 1,
                mounts: 1,
                tolerations: 1,
                ..c(
                    "one of each",
                    foo_bar,
                    json!({"containers": [{}]}),
                    json!([{"labels": {"foo": "bar"}, "env": [{"name": "baz"}], "volumeMounts": [{"name": "baz"}], "volumes": [{"name": "qux"}], "tolerations": [{"key": "foo", "operator": "Equal", "value": "bar", "effect": "NoSchedule"}]}]),
                )
            },
            Case {
                mounts: 2,
                ..c(
                    "two vm",
                    foo_bar,
                    json!({"containers": [{}]}),
                    json!([{"labels": {"foo": "bar"}, "volumeMounts": [{"name": "baz"}, {"name": "foo"}]}]),
                )
            },
            Case {
                error: Some(
                    "job foo failed to merge presets for podspec: volume mount duplicated in pod spec: baz",
                ),
                ..c(
                    "conflicting volume mount name",
                    foo_bar,
                    json!({"containers": [{"volumeMounts": [{"name": "baz", "mountPath": "/a"}]}]}),
                    json!([{"volumeMounts": [{"name": "baz", "mountPath": "/b"}]}]),
                )
            },
            Case {
                env: 1,
                ..c(
                    "default preset only",
                    foo_bar,
                    json!({"containers": [{}]}),
                    json!([{"env": [{"name": "baz"}]}]),
                )
            },
            Case {
                env: 1,
                vol: 1,
                ..c(
                    "default and matching presets",
                    foo_bar,
                    json!({"containers": [{}]}),
                    json!([{"env": [{"name": "baz"}]}, {"labels": {"foo": "bar"}, "volumes": [{"name": "qux"}]}]),
                )
            },
            Case {
                env: 1,
                ..c(
                    "default and non-matching presets",
                    foo_bar,
                    json!({"containers": [{}]}),
                    json!([{"env": [{"name": "baz"}]}, {"labels": {"no": "match"}, "volumes": [{"name": "qux"}]}]),
                )
            },
            Case {
                env: 2,
                vol: 1,
                ..c(
                    "multiple default presets",
                    foo_bar,
                    json!({"containers": [{}]}),
                    json!([{"env": [{"name": "baz"}]}, {"env": [{"name": "foo"}]}, {"volumes": [{"name": "qux"}]}]),
                )
            },
            Case {
                error: Some(
                    "job foo failed to merge presets for podspec: volume duplicated in pod spec: baz",
                ),
                ..c(
                    "default preset conflicts with job",
                    foo_bar,
                    json!({"volumes": [{"name": "baz"}]}),
                    json!([{"volumes": [{"name": "baz"}]}]),
                )
            },
            Case {
                error: Some(
                    "job foo failed to merge presets for podspec: toleration duplicated in pod spec: {kubernetes.io/arch Equal arm64 NoSchedule <nil>}",
                ),
                ..c(
                    "duplicate tolerations",
                    foo_bar,
                    json!({"tolerations": [toleration.clone()]}),
                    json!([{"tolerations": [toleration]}]),
                )
            },
            Case {
                env: 1,
                mounts: 1,
                ..c(
                    "every container gets env and mounts",
                    foo_bar,
                    json!({"containers": [{}, {}]}),
                    json!([{"env": [{"name": "a"}], "volumeMounts": [{"name": "m"}]}]),
                )
            },
        ];
        for case in cases {
            let presets: Vec<Preset> = json_to(case.presets);
            let mut spec = pod(case.pod);
            let res = resolve_presets("foo", &labels(case.job_labels), Some(&mut spec), &presets);
            match (case.error, res) {
                (Some(want), Err(got)) => {
                    assert_eq!(got, want, "{}", case.name);
                    continue;
                }
                (None, Ok(())) => {}
                (want, got) => panic!("{}: want {want:?}, got {got:?}", case.name),
            }
            let spec = Value::Object(spec.0);
            assert_eq!(
                array_of(&spec, "volumes").len(),
                case.vol,
                "{} volumes",
                case.name
            );
            assert_eq!(
                array_of(&spec, "tolerations").len(),
                case.tolerations,
                "{} tolerations",
                case.name
            );
            for container in array_of(&spec, "containers") {
                assert_eq!(
                    array_of(container, "env").len(),
                    case.env,
                    "{} env",
                    case.name
                );
                assert_eq!(
                    array_of(container, "volumeMounts").len(),
                    case.mounts,
                    "{} mounts",
                    case.name
                );
            }
        }
        // No pod spec: nothing to do.
        let presets: Vec<Preset> = json_to(json!([{"env": [{"name": "baz"}]}]));
        assert_eq!(
            resolve_presets("foo", &BTreeMap::new(), None, &presets),
            Ok(())
        );
    }

    #[test]
    fn presets_apply_through_finalize() {
        let mut jc: JobConfig = yaml(CONFIG);
        jc.set_source_path("config/jobs/k.yaml");
        assert_eq!(jc.finalize(&JobDefaults::new("test-pods")), vec![]);
        let unit = &jc.presubmits["kubernetes/kubernetes"][0];
        let spec = Value::Object(unit.job_base.spec.clone().unwrap().0);
        assert_eq!(spec["volumes"][0]["name"], "service");
        assert_eq!(
            spec["containers"][0]["env"][0]["name"],
            "GOOGLE_APPLICATION_CREDENTIALS"
        );
        assert_eq!(
            spec["containers"][0]["volumeMounts"][0]["mountPath"],
            "/etc/service-account"
        );
        // The docs job lacks the label.
        let docs = &jc.presubmits["kubernetes/kubernetes"][1];
        assert!(
            docs.job_base
                .spec
                .as_ref()
                .unwrap()
                .0
                .get("volumes")
                .is_none()
        );

        let mut jc: JobConfig = yaml(
            r#"
presets:
- env: [{name: X}]
periodics:
- name: p
  interval: 1h
  spec:
    containers:
    - env: [{name: X}]
"#,
        );
        jc.set_source_path("config/jobs/p.yaml");
        let errs = jc.finalize(&JobDefaults::new("pods"));
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field, Some("spec"));
        assert_eq!(
            errs[0].to_string(),
            r#"config/jobs/p.yaml: periodic "p": job p failed to merge presets for podspec: env var duplicated in pod spec: X"#
        );
    }

    // ---- regex compilation ------------------------------------------------

    #[test]
    fn regex_compile_errors() {
        struct Case {
            name: &'static str,
            edit: fn(&mut Presubmit),
            field: &'static str,
            message: &'static str,
        }
        let cases = [
            Case {
                name: "bad trigger",
                edit: |p| {
                    p.trigger = "(".into();
                    p.rerun_command = "/test x".into();
                },
                field: "trigger",
                message: "could not compile trigger regex for job: error parsing regexp: missing closing ): `(`",
            },
            Case {
                name: "rerun command must match trigger",
                edit: |p| {
                    p.trigger = "^/go$".into();
                    p.rerun_command = "/test job".into();
                },
                field: "rerun_command",
                message: r#"for job job, rerun command "/test job" does not match trigger "^/go$""#,
            },
            Case {
                name: "bad branches",
                edit: |p| p.brancher.branches = vec!["ma(in".into()],
                field: "branches",
                message: "could not set branch regexes for job: could not compile positive branch regex: error parsing regexp: missing closing ): `ma(in`",
            },
            Case {
                name: "bad skip_branches",
                edit: |p| p.brancher.skip_branches = vec!["a".into(), "*".into()],
                field: "skip_branches",
                message: "could not set branch regexes for job: could not compile negative branch regex: error parsing regexp: missing argument to repetition operator: `*`",
            },
            Case {
                name: "bad run_if_changed",
                edit: |p| p.regexp_change_matcher.run_if_changed = "[".into(),
                field: "run_if_changed",
                message: "could not set change regexes for job: could not compile run_if_changed regex: error parsing regexp: missing closing ]: `[`",
            },
            Case {
                name: "bad skip_if_only_changed",
                edit: |p| p.regexp_change_matcher.skip_if_only_changed = "a)".into(),
                field: "skip_if_only_changed",
                message: "could not set change regexes for job: could not compile skip_if_only_changed regex: error parsing regexp: unexpected ): `a)`",
            },
        ];
        for case in cases {
            let mut jc = JobConfig::default();
            let mut p = ps("job");
            (case.edit)(&mut p);
            p.job_base.source_path = "jobs.yaml".into();
            jc.presubmits.insert("org/repo".into(), vec![p]);
            let errs = jc.finalize(&JobDefaults::new("pods"));
            assert_eq!(errs.len(), 1, "{}: {errs:?}", case.name);
            assert_eq!(errs[0].field, Some(case.field), "{}", case.name);
            assert_eq!(errs[0].message, case.message, "{}", case.name);
            assert_eq!(
                errs[0].upstream_message(),
                format!("could not set regex: {}", case.message),
                "{}",
                case.name
            );
        }
        // Postsubmits too.
        let mut p = post("job");
        p.regexp_change_matcher.run_if_changed = "(".into();
        let err = p.compile_regexes(&mut RegexCache::new()).unwrap_err();
        assert_eq!(
            err.message,
            "could not set change regexes for job: could not compile run_if_changed regex: error parsing regexp: missing closing ): `(`"
        );
    }

    #[test]
    fn compiled_regexes_are_shared_and_lazy() {
        let mut jc: JobConfig = yaml(
            r#"
presubmits:
  org/repo:
  - name: a
    branches: [main]
    run_if_changed: '\.go$'
  - name: b
    branches: [main]
    run_if_changed: '\.go$'
  - name: c
    trigger: '(?m)^/test (c|all)$'
    rerun_command: /test c
  - name: d
    trigger: '(?m)^/test (c|all)$'
    rerun_command: /test all
"#,
        );
        assert!(jc.finalize(&JobDefaults::new("pods")).is_empty());
        let jobs = &jc.presubmits["org/repo"];
        let (a, b) = (&jobs[0], &jobs[1]);
        assert!(Arc::ptr_eq(
            a.brancher.re.0.as_ref().unwrap(),
            b.brancher.re.0.as_ref().unwrap()
        ));
        assert!(Arc::ptr_eq(
            a.regexp_change_matcher.re_changes.0.as_ref().unwrap(),
            b.regexp_change_matcher.re_changes.0.as_ref().unwrap()
        ));
        assert!(Arc::ptr_eq(
            jobs[2].trigger_re.0.as_ref().unwrap(),
            jobs[3].trigger_re.0.as_ref().unwrap()
        ));
        // Default triggers are not compiled until used.
        let trig = a.trigger_re.0.as_ref().unwrap();
        assert_eq!(trig.pattern(), default_trigger_for("a"));
        assert!(a.trigger_matches("/test a"));
        assert!(!a.trigger_matches("/test b"));
        // Compiled regexes are caches: equality ignores them.
        let mut raw = a.clone();
        raw.trigger_re = RegexSlot::default();
        raw.brancher.re = RegexSlot::default();
        assert_eq!(&raw, a);
    }

    #[test]
    fn periodic_intervals_are_parsed() {
        let mut jc: JobConfig = yaml(
            r#"
periodics:
- name: a
  interval: 10ns
- name: b
  minimum_interval: 1h30m
- name: c
  interval: 6h
  retry:
    interval: 10m
- name: d
  cron: "@daily"
"#,
        );
        assert!(jc.finalize(&JobDefaults::new("pods")).is_empty());
        let p = &jc.periodics;
        assert_eq!(p[0].interval_duration(), Some(Duration::from_nanos(10)));
        assert_eq!(
            p[1].minimum_interval_duration(),
            Some(Duration::from_secs(5400))
        );
        // Upstream quirk: the retry interval replaces the job's interval.
        assert_eq!(p[2].interval_duration(), Some(Duration::from_secs(600)));
        assert_eq!(
            p[2].retry.as_ref().unwrap().interval_duration(),
            Some(Duration::from_secs(600))
        );
        assert_eq!(p[3].interval_duration(), None);
    }

    // ---- validation -------------------------------------------------------

    fn no_opts() -> ValidationOptions<'static> {
        ValidationOptions::new("")
    }

    #[test]
    fn validate_presubmits_table() {
        let with = |name: &str, context: &str, branches: &[&str]| {
            let mut p = ps(name);
            p.reporter.context = context.into();
            p.brancher = Brancher::new(branches.iter().map(|s| s.to_string()).collect(), vec![]);
            p
        };
        let mut always_ric = with("a", "foo", &[]);
        always_ric.always_run = true;
        always_ric.regexp_change_matcher.run_if_changed = r"\.go$".into();
        let mut always_sioc = with("a", "foo", &[]);
        always_sioc.always_run = true;
        always_sioc.regexp_change_matcher.skip_if_only_changed = r"\.go$".into();
        let mut ric_sioc = with("a", "foo", &[]);
        ric_sioc.regexp_change_matcher = RegexpChangeMatcher::new(r"\.go$", r"\.md");
        let mut trig = with("my-job", "foo", &[]);
        trig.trigger = "some-trigger".into();
        let cases: Vec<(&str, Vec<Presubmit>, Vec<&str>)> = vec![
            (
                "Duplicate context causes error",
                vec![with("a", "repeated", &[]), with("b", "repeated", &[])],
                vec![
                    r#"jobs b and a report to the same GitHub context "repeated""#,
                    r#"jobs a and b report to the same GitHub context "repeated""#,
                ],
            ),
            (
                "Duplicate context on different branch doesn't cause error",
                vec![
                    with("a", "repeated", &["master"]),
                    with("b", "repeated", &["next"]),
                ],
                vec![],
            ),
            (
                "Duplicate jobname causes error",
                vec![with("a", "foo", &[]), with("a", "bar", &[])],
                vec!["duplicated presubmit jobs (consider both inrepo and central config): [a]"],
            ),
            (
                "Duplicate jobname on different branches doesn't cause error",
                vec![with("a", "foo", &["master"]), with("a", "foo", &["next"])],
                vec![],
            ),
            (
                "Invalid JobBase causes error",
                vec![with("", "foo", &[])],
                vec![r#"invalid presubmit job : name: must match regex "^[A-Za-z0-9-._]+$""#],
            ),
            (
                "Invalid triggering config causes error",
                vec![trig],
                vec![
                    r#"either both of job.Trigger and job.RerunCommand must be set, wasnt the case for job "my-job""#,
                ],
            ),
            (
                "Invalid reporting config causes error",
                vec![ps("my-job")],
                vec![
                    "invalid presubmit job my-job: job is set to report but has no context configured",
                ],
            ),
            (
                "Mutually exclusive settings: always_run and run_if_changed",
                vec![always_ric],
                vec![
                    "job a is set to always run but also declares run_if_changed targets, which are mutually exclusive",
                ],
            ),
            (
                "Mutually exclusive settings: always_run and skip_if_only_changed",
                vec![always_sioc],
                vec![
                    "job a is set to always run but also declares skip_if_only_changed targets, which are mutually exclusive",
                ],
            ),
            (
                "Mutually exclusive settings: run_if_changed and skip_if_only_changed",
                vec![ric_sioc],
                vec![
                    "job a declares run_if_changed and skip_if_only_changed, which are mutually exclusive",
                ],
            ),
        ];
        let mut cache = RegexCache::new();
        for (name, mut jobs, want) in cases {
            for j in &mut jobs {
                j.brancher.compile(&mut cache).unwrap();
            }
            let errs = validate_presubmits("org/repo", &jobs, &no_opts());
            assert_eq!(upstream(&errs), want, "{name}");
        }
    }

    #[test]
    fn validate_postsubmits_table() {
        let with = |name: &str, context: &str, branches: &[&str]| {
            let mut p = post(name);
            p.reporter.context = context.into();
            p.brancher = Brancher::new(branches.iter().map(|s| s.to_string()).collect(), vec![]);
            p
        };
        let mut always_ric = with("a", "foo", &[]);
        always_ric.always_run = Some(true);
        always_ric.regexp_change_matcher.run_if_changed = r"\.go$".into();
        let mut always_sioc = with("a", "foo", &[]);
        always_sioc.always_run = Some(true);
        always_sioc.regexp_change_matcher.skip_if_only_changed = r"\.go$".into();
        let mut ric_sioc = with("a", "foo", &[]);
        ric_sioc.regexp_change_matcher = RegexpChangeMatcher::new(r"\.go$", r"\.md");
        let mut false_ric = with("a", "foo", &[]);
        false_ric.always_run = Some(false);
        false_ric.regexp_change_matcher.run_if_changed = r"\.go$".into();
        let cases: Vec<(&str, Vec<Postsubmit>, Vec<&str>)> = vec![
            (
                "Duplicate context causes error",
                vec![with("a", "repeated", &[]), with("b", "repeated", &[])],
                vec![
                    r#"jobs b and a report to the same GitHub context "repeated""#,
                    r#"jobs a and b report to the same GitHub context "repeated""#,
                ],
            ),
            (
                "Duplicate context on different branch doesn't cause error",
                vec![
                    with("a", "repeated", &["master"]),
                    with("b", "repeated", &["next"]),
                ],
                vec![],
            ),
            (
                "Duplicate jobname causes error",
                vec![with("a", "foo", &[]), with("a", "bar", &[])],
                vec!["duplicated postsubmit jobs (consider both inrepo and central config): [a]"],
            ),
            (
                "Invalid JobBase causes error",
                vec![with("", "foo", &[])],
                vec![r#"invalid postsubmit job : name: must match regex "^[A-Za-z0-9-._]+$""#],
            ),
            (
                "Invalid reporting config causes error",
                vec![post("my-job")],
                vec![
                    "invalid postsubmit job my-job: job is set to report but has no context configured",
                ],
            ),
            (
                "Mutually exclusive settings: always_run and run_if_changed",
                vec![always_ric],
                vec![
                    "job a is set to always run but also declares run_if_changed targets, which are mutually exclusive",
                ],
            ),
            (
                "Mutually exclusive settings: always_run and skip_if_only_changed",
                vec![always_sioc],
                vec![
                    "job a is set to always run but also declares skip_if_only_changed targets, which are mutually exclusive",
                ],
            ),
            (
                "Mutually exclusive settings: run_if_changed and skip_if_only_changed",
                vec![ric_sioc],
                vec![
                    "job a declares run_if_changed and skip_if_only_changed, which are mutually exclusive",
                ],
            ),
            (
                "always_run: false with run_if_changed is fine",
                vec![false_ric],
                vec![],
            ),
        ];
        let mut cache = RegexCache::new();
        for (name, mut jobs, want) in cases {
            for j in &mut jobs {
                j.brancher.compile(&mut cache).unwrap();
            }
            let errs = validate_postsubmits("org/repo", &jobs, &no_opts());
            assert_eq!(upstream(&errs), want, "{name}");
        }
    }

    #[test]
    fn same_name_on_disjoint_branch_regexes_is_not_a_duplicate() {
        // The real corpus: one job per release branch plus a catch-all that
        // skips every release branch.
        let mut jc: JobConfig = yaml(
            r#"
presubmits:
  kubernetes/kubernetes:
  - name: pull-kubernetes-e2e
    branches: [release-1.37]
    spec: {containers: [{image: x}]}
  - name: pull-kubernetes-e2e
    skip_branches: ['release-\d+\.\d+']
    spec: {containers: [{image: x}]}
  - name: pull-kubernetes-e2e
    branches: [release-1.36]
    spec: {containers: [{image: x}]}
postsubmits:
  kubernetes/kubernetes:
  - name: ci-build
    branches: [release-1.37]
    spec: {containers: [{image: x}]}
  - name: ci-build
    skip_branches: ['release-\d+\.\d+']
    spec: {containers: [{image: x}]}
"#,
        );
        assert!(jc.finalize(&JobDefaults::new("pods")).is_empty());
        assert_eq!(jc.validate(&ValidationOptions::new("pods")), vec![]);

        // A branch the skip list does not cover does overlap.
        jc.presubmits.get_mut("kubernetes/kubernetes").unwrap()[0].brancher =
            Brancher::new(vec!["release-next".into()], vec![]);
        jc.set_source_path("config/jobs/k.yaml");
        assert!(jc.finalize(&JobDefaults::new("pods")).is_empty());
        let errs = jc.validate(&ValidationOptions::new("pods"));
        assert_eq!(
            errs.iter().map(ToString::to_string).collect::<Vec<_>>(),
            vec![
                r#"config/jobs/k.yaml: presubmit "pull-kubernetes-e2e" (kubernetes/kubernetes): duplicated presubmit jobs (consider both inrepo and central config): [pull-kubernetes-e2e]"#
            ]
        );
        assert_eq!(errs[0].field, Some("name"));
    }

    #[test]
    fn validate_periodics_table() {
        let mk = |name: &str, edit: fn(&mut Periodic)| {
            let mut p = periodic(name);
            edit(&mut p);
            p
        };
        let cases: Vec<(&str, Vec<Periodic>, Vec<&str>)> = vec![
            (
                "Duplicate jobname causes error",
                vec![
                    mk("a", |p| p.interval = "6h".into()),
                    mk("a", |p| p.interval = "12h".into()),
                ],
                vec!["duplicated periodic job: a"],
            ),
            (
                "Mutually exclusive settings: cron, interval, and minimal_interval",
                vec![mk("a", |p| {
                    p.interval = "6h".into();
                    p.minimum_interval = "6h".into();
                })],
                vec!["cron, interval, and minimum_interval are mutually exclusive in periodic a"],
            ),
            (
                "Required settings: cron, interval, or minimal_interval",
                vec![mk("a", |_| {})],
                vec![
                    "at least one of cron, interval, or minimum_interval must be set in periodic a",
                ],
            ),
            (
                "Invalid cron string",
                vec![mk("a", |p| p.cron = "hello".into())],
                vec![
                    "invalid cron string hello in periodic a: expected 5 to 6 fields, found 1: [hello]",
                ],
            ),
            (
                "Invalid interval",
                vec![mk("a", |p| p.interval = "hello".into())],
                vec![r#"cannot parse duration for a: time: invalid duration "hello""#],
            ),
            (
                "Invalid Retry interval",
                vec![mk("a", |p| {
                    p.interval = "6h".into();
                    p.retry = Some(Retry {
                        interval: "hello".into(),
                        ..Retry::default()
                    });
                })],
                vec![r#"cannot parse Retry duration for a: time: invalid duration "hello""#],
            ),
            (
                "Invalid minimum_interval",
                vec![mk("a", |p| p.minimum_interval = "hello".into())],
                vec![r#"cannot parse duration for a: time: invalid duration "hello""#],
            ),
            (
                "Valid 5-field cron",
                vec![mk("a", |p| p.cron = "05 15 * * 1-5".into())],
                vec![],
            ),
            (
                "Valid 6-field cron",
                vec![mk("a", |p| p.cron = "0 05 15 * * 1-5".into())],
                vec![],
            ),
        ];
        for (name, jobs, want) in cases {
            let errs = validate_periodics(&jobs, &no_opts());
            assert_eq!(upstream(&errs), want, "{name}");
        }
    }

    #[test]
    fn validate_job_base_table() {
        let good_spec = pod(json!({"containers": [{}]}));
        let ns = Some("target-namespace".to_string());
        let base = |name: &str, agent: &str| JobBase {
            name: name.into(),
            agent: agent.into(),
            namespace: ns.clone(),
            ..JobBase::default()
        };
        let k8s = |name: &str| JobBase {
            spec: Some(good_spec.clone()),
            ..base(name, "kubernetes")
        };
        let queue_defined = |q: &str| q == "queue";
        let opts = ValidationOptions {
            pod_namespace: "target-namespace",
            job_queue_defined: &queue_defined,
        };
        let cases: Vec<BaseCase> = vec![
            ("valid kubernetes job", k8s("name"), None),
            ("valid jenkins job", base("name", "jenkins"), None),
            (
                "valid jenkins job - nested job",
                base("folder/job", "jenkins"),
                None,
            ),
            (
                "invalid jenkins job",
                base("job.", "jenkins"),
                Some((
                    "name",
                    r#"name: must match regex "^[A-Za-z0-9-._]([A-Za-z0-9-._/]*[A-Za-z0-9-_])?$""#,
                )),
            ),
            (
                "invalid concurrency",
                JobBase {
                    max_concurrency: -1,
                    ..k8s("name")
                },
                Some((
                    "max_concurrency",
                    "max_concurrency: -1 must be a non-negative number",
                )),
            ),
            (
                "invalid pod spec",
                JobBase {
                    spec: Some(pod(json!({}))),
                    ..k8s("name")
                },
                Some((
                    "spec",
                    "pod spec must specify at least 1 container, found: 0",
                )),
            ),
            (
                "invalid decoration",
                JobBase {
                    utility_config: UtilityConfig {
                        decoration_config: Some(Arc::default()),
                        ..UtilityConfig::default()
                    },
                    ..k8s("name")
                },
                Some((
                    "decoration_config",
                    "invalid decoration config: utility image config is not specified",
                )),
            ),
            (
                "invalid labels",
                JobBase {
                    labels: labels(&[("_leading_underscore", "_rejected")]),
                    ..k8s("name")
                },
                Some((
                    "labels",
                    "invalid label _leading_underscore: [name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')]",
                )),
            ),
            (
                "invalid annotations",
                JobBase {
                    annotations: labels(&[("a/b/c", "x")]),
                    ..k8s("name")
                },
                Some((
                    "annotations",
                    "invalid annotation key \"a/b/c\": [a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')]",
                )),
            ),
            (
                "invalid name",
                k8s("a/b"),
                Some(("name", r#"name: must match regex "^[A-Za-z0-9-._]+$""#)),
            ),
            ("valid complex name", k8s("a-b.c"), None),
            (
                "invalid rerun_permissions",
                JobBase {
                    rerun_auth_config: Some(json_to(
                        json!({"allow_anyone": true, "github_users": ["user"]}),
                    )),
                    ..k8s("name")
                },
                Some((
                    "rerun_auth_config",
                    "allow anyone is set to true and permitted users or groups are specified",
                )),
            ),
            (
                "valid job queue name",
                JobBase {
                    job_queue_name: "queue".into(),
                    ..k8s("name")
                },
                None,
            ),
            (
                "invalid job queue name",
                JobBase {
                    job_queue_name: "invalid-queue".into(),
                    ..k8s("name")
                },
                Some(("job_queue_name", "invalid job queue name invalid-queue")),
            ),
            (
                "bad clone uri",
                JobBase {
                    utility_config: UtilityConfig {
                        clone_uri: "://notvalidURI".into(),
                        ..UtilityConfig::default()
                    },
                    ..k8s("name")
                },
                Some((
                    "clone_uri",
                    r#"couldn't parse uri from clone_uri: parse "://notvalidURI": missing protocol scheme"#,
                )),
            ),
        ];
        for (name, job, want) in cases {
            let got = validate_job_base(&job, &ProwJobType::Presubmit, &opts);
            match (want, got) {
                (None, Ok(())) => {}
                (Some((field, message)), Err(errs)) => {
                    assert_eq!(errs, vec![FieldError::new(field, message)], "{name}");
                }
                (want, got) => panic!("{name}: want {want:?}, got {got:?}"),
            }
        }
    }

    #[test]
    fn validate_multiple_containers() {
        let dc = Some(good_decoration());
        let base = |spec: Value, dc: Option<DecorationConfig>| JobBase {
            name: "name".into(),
            agent: "kubernetes".into(),
            namespace: Some("target-namespace".into()),
            spec: Some(pod(spec)),
            utility_config: UtilityConfig {
                decorate: Some(true),
                decoration_config: dc.map(Arc::new),
                ..UtilityConfig::default()
            },
            ..JobBase::default()
        };
        let good = json!({"containers": [
            {"name": "test1", "command": ["hello", "world"]},
            {"name": "test2", "args": ["hello", "world"]}
        ]});
        let cases: Vec<(&str, JobBase, Vec<&str>)> = vec![
            (
                "valid kubernetes job with multiple containers",
                base(good.clone(), dc.clone()),
                vec![],
            ),
            (
                "invalid: containers with no cmd or args",
                base(
                    json!({"containers": [{"name": "test1"}, {"name": "test2"}]}),
                    dc.clone(),
                ),
                vec!["decorated job containers must specify command and/or args"],
            ),
            (
                "invalid: containers with no names",
                base(
                    json!({"containers": [{"command": ["hello"]}, {"args": ["hello"]}]}),
                    dc.clone(),
                ),
                vec![
                    "container does not have name. all containers must have names when defining multiple containers",
                    "container does not have name. all containers must have names when defining multiple containers",
                    "container named \"\" is defined more than once",
                ],
            ),
            (
                "invalid: no decoration enabled",
                base(good, None),
                vec!["pod utility decoration must be enabled to use multiple containers: 2"],
            ),
            (
                "invalid: container names reserved for decoration",
                base(
                    json!({"containers": [
                        {"name": "place-entrypoint", "command": ["hello"]},
                        {"name": "sidecar", "args": ["hello"]}
                    ]}),
                    dc,
                ),
                vec![
                    "container name place-entrypoint is a reserved for decoration. please specify a different container name that does not conflict with pod utility container names",
                    "container name sidecar is a reserved for decoration. please specify a different container name that does not conflict with pod utility container names",
                ],
            ),
        ];
        let opts = ValidationOptions::new("target-namespace");
        for (name, job, want) in cases {
            let got = validate_job_base(&job, &ProwJobType::Presubmit, &opts)
                .err()
                .unwrap_or_default();
            let got: Vec<&str> = got.iter().map(|e| e.message.as_str()).collect();
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn validate_agent_table() {
        let base = JobBase {
            agent: "kubernetes".into(),
            namespace: Some("default".into()),
            spec: Some(PodSpec::default()),
            utility_config: UtilityConfig {
                decoration_config: Some(Arc::default()),
                ..UtilityConfig::default()
            },
            ..JobBase::default()
        };
        type Edit = fn(&mut JobBase);
        let cases: &[(&str, Edit, Option<&str>)] = &[
            (
                "accept unknown agent",
                |j| j.agent = "random-agent".into(),
                None,
            ),
            (
                "kubernetes agent requires spec",
                |j| j.spec = None,
                Some("kubernetes jobs require a spec"),
            ),
            (
                "non-nil namespace required",
                |j| j.namespace = None,
                Some("failed to default namespace"),
            ),
            (
                "filled namespace required",
                |j| j.namespace = Some(String::new()),
                Some("failed to default namespace"),
            ),
            (
                "custom namespace requires knative-build agent",
                |j| j.namespace = Some("custom-namespace".into()),
                Some(
                    r#"namespace customization requires agent: tekton-pipeline (found "kubernetes")"#,
                ),
            ),
            ("accept kubernetes agent", |_| {}, None),
            (
                "accept kubernetes agent without decoration",
                |j| j.utility_config.decoration_config = None,
                None,
            ),
            (
                "accept jenkins agent",
                |j| {
                    j.agent = "jenkins".into();
                    j.spec = None;
                    j.utility_config.decoration_config = None;
                },
                None,
            ),
            (
                "error_on_eviction allowed for kubernetes agent",
                |j| j.error_on_eviction = true,
                None,
            ),
            (
                "spec requires kubernetes agent",
                |j| j.agent = "jenkins".into(),
                Some(r#"job specs require agent: kubernetes (found "jenkins")"#),
            ),
            (
                "decoration requires kubernetes agent",
                |j| {
                    j.agent = "jenkins".into();
                    j.spec = None;
                },
                Some(r#"decoration requires agent: kubernetes (found "jenkins")"#),
            ),
            (
                "error_on_eviction requires kubernetes agent",
                |j| {
                    j.agent = "jenkins".into();
                    j.spec = None;
                    j.utility_config.decoration_config = None;
                    j.error_on_eviction = true;
                },
                Some(r#"error_on_eviction only applies to agent: kubernetes (found "jenkins")"#),
            ),
            (
                "pipeline_run_spec requires tekton agent",
                |j| j.pipeline_run_spec = Some(json!({})),
                Some(
                    r#"job pipeline_run_spec require agent: tekton-pipeline (found "kubernetes")"#,
                ),
            ),
            (
                "tekton agent requires pipeline_run_spec",
                |j| {
                    j.agent = "tekton-pipeline".into();
                    j.spec = None;
                },
                Some("agent: tekton-pipeline jobs require a pipeline_run_spec"),
            ),
            (
                "tekton may use another namespace",
                |j| {
                    j.agent = "tekton-pipeline".into();
                    j.spec = None;
                    j.utility_config.decoration_config = None;
                    j.tekton_pipeline_run_spec = Some(json!({"v1beta1": {}}));
                    j.namespace = Some("elsewhere".into());
                },
                None,
            ),
        ];
        for (name, edit, want) in cases {
            let mut job = base.clone();
            edit(&mut job);
            let got = validate_agent(&job, "default").err().map(|e| e.message);
            assert_eq!(got.as_deref(), *want, "{name}");
        }
    }

    #[test]
    fn validate_pod_spec_table() {
        let pre = ProwJobType::Presubmit;
        let post_t = ProwJobType::Postsubmit;
        let per = ProwJobType::Periodic;
        let oauth: DecorationConfig = json_to(
            json!({"oauth_token_secret": {"name": "my-oauth-secret-name", "key": "oauth"}}),
        );
        let oauth_ssh: DecorationConfig = json_to(json!({
            "oauth_token_secret": {"name": "my-oauth-secret-name", "key": "oauth"},
            "ssh_key_secrets": ["ssh-private-1", "ssh-private-2"]
        }));
        let c = |extra: Value| {
            let mut container = json!({});
            if let (Value::Object(m), Value::Object(e)) = (&mut container, extra) {
                m.extend(e);
            }
            container
        };
        let cases: Vec<PodCase> = vec![
            ("allow nil spec", &pre, None, None, vec![]),
            (
                "happy case",
                &pre,
                Some(json!({"containers": [{}]})),
                None,
                vec![],
            ),
            (
                "reject init containers",
                &pre,
                Some(json!({"containers": [{}], "initContainers": [{"name": "init"}]})),
                None,
                vec![
                    "pod spec may not use init containers(sidecar container is supported): [init]",
                ],
            ),
            (
                "accept sidecar init containers",
                &pre,
                Some(
                    json!({"containers": [{}], "initContainers": [{"name": "side", "restartPolicy": "Always"}]}),
                ),
                None,
                vec![],
            ),
            (
                "reject 0 containers",
                &pre,
                Some(json!({"containers": []})),
                None,
                vec!["pod spec must specify at least 1 container, found: 0"],
            ),
            (
                "reject 2 containers",
                &pre,
                Some(json!({"containers": [{}, {}]})),
                None,
                vec!["pod utility decoration must be enabled to use multiple containers: 2"],
            ),
            (
                "reject reserved presubmit env",
                &pre,
                Some(
                    json!({"containers": [c(json!({"env": [{"name": "PULL_NUMBER", "value": "x"}]}))]}),
                ),
                None,
                vec!["env PULL_NUMBER is reserved"],
            ),
            (
                "presubmit env is fine for postsubmits",
                &post_t,
                Some(
                    json!({"containers": [c(json!({"env": [{"name": "PULL_NUMBER", "value": "x"}]}))]}),
                ),
                None,
                vec![],
            ),
            (
                "reject reserved postsubmit env",
                &post_t,
                Some(json!({"containers": [c(json!({"env": [{"name": "PULL_BASE_REF"}]}))]})),
                None,
                vec!["env PULL_BASE_REF is reserved"],
            ),
            (
                "reject reserved periodic env",
                &per,
                Some(
                    json!({"containers": [c(json!({"env": [{"name": "JOB_NAME"}, {"name": "BUILD_ID"}]}))]}),
                ),
                None,
                vec!["env JOB_NAME is reserved", "env BUILD_ID is reserved"],
            ),
            (
                "reject reserved mount name",
                &pre,
                Some(
                    json!({"containers": [c(json!({"volumeMounts": [{"name": "code", "mountPath": "/whatever"}]}))]}),
                ),
                None,
                vec!["volumeMount name code is reserved for decoration"],
            ),
            (
                "reject reserved mount path",
                &pre,
                Some(
                    json!({"containers": [c(json!({"volumeMounts": [{"name": "fun", "mountPath": "/home/prow/go"}]}))], "volumes": [{"name": "fun"}]}),
                ),
                None,
                vec!["mount fun at /home/prow/go conflicts with decoration mount"],
            ),
            (
                "accept conflicting mount path parent",
                &pre,
                Some(
                    json!({"containers": [c(json!({"volumeMounts": [{"name": "foo", "mountPath": "/home/prow"}]}))], "volumes": [{"name": "foo"}]}),
                ),
                None,
                vec![],
            ),
            (
                "accept conflicting mount path child",
                &pre,
                Some(
                    json!({"containers": [c(json!({"volumeMounts": [{"name": "foo", "mountPath": "/home/prow/go/extra"}]}))], "volumes": [{"name": "foo"}]}),
                ),
                None,
                vec![],
            ),
            (
                "accept mount path that works only through decoration volume",
                &pre,
                Some(
                    json!({"containers": [c(json!({"volumeMounts": [{"name": "gcs-credentials", "mountPath": "/secrets/gcs"}]}))]}),
                ),
                None,
                vec![],
            ),
            (
                "accept mount path that works only through decoration volume specified by user",
                &pre,
                Some(
                    json!({"containers": [c(json!({"volumeMounts": [{"name": "my-oauth-secret-name", "mountPath": "/secrets/oauth"}]}))]}),
                ),
                Some(&oauth),
                vec![],
            ),
            (
                "accept multiple mount paths that works only through decoration volume specified by user",
                &pre,
                Some(json!({"containers": [c(json!({"volumeMounts": [
                    {"name": "my-oauth-secret-name", "mountPath": "/secrets/oauth"},
                    {"name": "ssh-private-1", "mountPath": "/secrets/ssh-private-1"},
                    {"name": "ssh-private-2", "mountPath": "/secrets/ssh-private-2"}
                ]}))]})),
                Some(&oauth_ssh),
                vec![],
            ),
            (
                "reject reserved volume",
                &pre,
                Some(json!({"containers": [{}], "volumes": [{"name": "code"}]})),
                None,
                vec!["volume code is a reserved for decoration"],
            ),
            (
                "reject duplicate env",
                &pre,
                Some(
                    json!({"containers": [c(json!({"env": [{"name": "foo", "value": "bar"}, {"name": "foo", "value": "baz"}]}))]}),
                ),
                None,
                vec![r#"env var named "foo" is defined more than once"#],
            ),
            (
                "reject duplicate volume",
                &pre,
                Some(json!({"containers": [{}], "volumes": [{"name": "foo"}, {"name": "foo"}]})),
                None,
                vec![r#"volume named "foo" is defined more than once"#],
            ),
            (
                "reject undefined volume reference",
                &pre,
                Some(
                    json!({"containers": [c(json!({"volumeMounts": [{"name": "foo", "mountPath": "/not-used-by-decoration-utils"}]}))]}),
                ),
                None,
                vec![r#"volumeMount named "foo" is undefined"#],
            ),
        ];
        for (name, job_type, spec, dc, want) in cases {
            let spec = spec.map(pod);
            let got = validate_pod_spec(job_type, spec.as_ref(), dc);
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn validate_decoration_table() {
        let dc = good_decoration();
        let cases: Vec<(&str, Value, Option<DecorationConfig>, Option<&str>)> = vec![
            ("allow no decoration", json!({}), None, None),
            (
                "happy case with cmd",
                json!({"command": ["hello", "world"]}),
                Some(dc.clone()),
                None,
            ),
            (
                "happy case with args",
                json!({"args": ["hello", "world"]}),
                Some(dc.clone()),
                None,
            ),
            (
                "reject invalid decoration config",
                json!({"command": ["hello", "world"]}),
                Some(DecorationConfig::default()),
                Some("invalid decoration config: utility image config is not specified"),
            ),
            (
                "reject container that has no cmd, no args",
                json!({}),
                Some(dc.clone()),
                Some("decorated job containers must specify command and/or args"),
            ),
            (
                "reject empty first arg",
                json!({"command": [""], "args": ["x"]}),
                Some(dc),
                Some("decorated job containers must specify command and/or args"),
            ),
        ];
        for (name, container, dc, want) in cases {
            let got = validate_decoration(&container, dc.as_ref()).err();
            assert_eq!(got.as_deref(), want, "{name}");
        }
    }

    #[test]
    fn validate_labels_table() {
        let cases: Vec<(&str, BTreeMap<String, String>, Option<&str>)> = vec![
            (
                "happy case",
                labels(&[("foo", "bar"), ("example.com/x", "")]),
                None,
            ),
            (
                "reject reserved label",
                labels(&[("prow.k8s.io/type", "anything")]),
                Some("label prow.k8s.io/type is reserved for decoration"),
            ),
            (
                "reject created-by-prow",
                labels(&[("created-by-prow", "true")]),
                Some("label created-by-prow is reserved for decoration"),
            ),
            (
                "reject bad label key",
                labels(&[("_underscore-prefix", "annoying")]),
                Some(
                    "invalid label _underscore-prefix: [name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')]",
                ),
            ),
            (
                "reject bad label value",
                labels(&[("whatever", "_private-is-rejected")]),
                Some(
                    "label whatever has invalid value _private-is-rejected: [a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')]",
                ),
            ),
            (
                "reject bad prefix",
                labels(&[("Example.com/x", "y")]),
                Some(
                    "invalid label Example.com/x: [prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')]",
                ),
            ),
            (
                "reject empty prefix",
                labels(&[("/x", "y")]),
                Some("invalid label /x: [prefix part must be non-empty]"),
            ),
            (
                "reject long value",
                labels(&[("k", &"v".repeat(64))]),
                Some(
                    "label k has invalid value vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv: [must be no more than 63 characters]",
                ),
            ),
        ];
        for (name, l, want) in cases {
            assert_eq!(validate_labels(&l).err().as_deref(), want, "{name}");
        }
    }

    #[test]
    fn validate_refs_table() {
        let refs = |pairs: &[(&str, &str)]| -> Vec<Refs> {
            pairs
                .iter()
                .map(|(o, r)| json_to(json!({"org": o, "repo": r})))
                .collect()
        };
        let cases: Vec<(&str, Vec<Refs>, Option<&str>)> = vec![
            (
                "validation error for extra ref specifying the same repo for which the job is configured",
                refs(&[("org", "repo")]),
                Some(
                    "invalid job test on repo org/repo: the following refs specified more than once: org/repo",
                ),
            ),
            (
                "validation error lists all duplications",
                refs(&[
                    ("org", "repo"),
                    ("org", "foo"),
                    ("org", "bar"),
                    ("org", "foo"),
                ]),
                Some(
                    "invalid job test on repo org/repo: the following refs specified more than once: org/foo,org/repo",
                ),
            ),
            (
                "no errors if there are no duplications",
                refs(&[("org", "foo")]),
                None,
            ),
        ];
        for (name, extra_refs, want) in cases {
            let job = JobBase {
                name: "test".into(),
                utility_config: UtilityConfig {
                    extra_refs,
                    ..UtilityConfig::default()
                },
                ..JobBase::default()
            };
            assert_eq!(
                validate_refs("org/repo", &job).err().as_deref(),
                want,
                "{name}"
            );
        }
    }

    #[test]
    fn validate_reporting_with_gerrit_label() {
        let cases: Vec<ReportCase> = vec![
            (
                "no errors if job is set to report",
                labels(&[(GERRIT_REPORT_LABEL, "label")]),
                Reporter {
                    context: "context".into(),
                    skip_report: false,
                },
                None,
            ),
            (
                "no errors if Gerrit report label is not defined",
                labels(&[("label", "value")]),
                Reporter {
                    context: String::new(),
                    skip_report: true,
                },
                None,
            ),
            (
                "no errors if job is set to skip report and Gerrit report label is empty",
                labels(&[(GERRIT_REPORT_LABEL, "")]),
                Reporter {
                    context: String::new(),
                    skip_report: true,
                },
                None,
            ),
            (
                "error if job is set to skip report and Gerrit report label is set to non-empty",
                labels(&[(GERRIT_REPORT_LABEL, "label")]),
                Reporter {
                    context: String::new(),
                    skip_report: true,
                },
                Some(
                    "gerrit report label prow.k8s.io/gerrit-report-label set to non-empty string but job is configured to skip reporting.",
                ),
            ),
        ];
        for (name, l, reporter, want) in cases {
            let mut pre = ps("test-job");
            pre.job_base.labels = l.clone();
            pre.reporter = reporter.clone();
            let errs = validate_presubmits(
                "org/repo",
                &[pre],
                &ValidationOptions::new("default-namespace"),
            );
            let want_pre: Vec<String> = want
                .iter()
                .map(|w| format!("invalid presubmit job test-job: {w}"))
                .collect();
            assert_eq!(upstream(&errs), want_pre, "{name}");
            let mut po = post("test-job");
            po.job_base.labels = l;
            po.reporter = reporter;
            let errs = validate_postsubmits(
                "org/repo",
                &[po],
                &ValidationOptions::new("default-namespace"),
            );
            let want_post: Vec<String> = want
                .iter()
                .map(|w| format!("invalid postsubmit job test-job: {w}"))
                .collect();
            assert_eq!(upstream(&errs), want_post, "{name}");
        }
    }

    #[test]
    fn validate_triggering_table() {
        let mk = |trigger: &str, rerun: &str| {
            let mut p = ps("job");
            p.trigger = trigger.into();
            p.rerun_command = rerun.into();
            p.reporter.context = "my-context".into();
            p
        };
        assert_eq!(
            validate_triggering(&mk("my-trigger", "")).unwrap_err(),
            FieldError::new(
                "rerun_command",
                "either both of job.Trigger and job.RerunCommand must be set, wasnt the case for job \"job\""
            )
        );
        assert_eq!(
            validate_triggering(&mk("", "my-rerun-command"))
                .unwrap_err()
                .field,
            "trigger"
        );
        assert_eq!(
            validate_triggering(&mk("my-trigger", "my-rerun-command")),
            Ok(())
        );
        assert_eq!(validate_triggering(&mk("", "")), Ok(()));
    }

    #[test]
    fn validate_always_run_postsubmit_table() {
        let mk = |always: Option<bool>, ric: &str, sioc: &str| {
            let mut p = post("job");
            p.always_run = always;
            p.regexp_change_matcher = RegexpChangeMatcher::new(ric, sioc);
            p
        };
        assert_eq!(
            validate_always_run(&mk(Some(true), "foo", ""))
                .unwrap_err()
                .field,
            "run_if_changed"
        );
        assert_eq!(
            validate_always_run(&mk(Some(true), "", "foo"))
                .unwrap_err()
                .field,
            "skip_if_only_changed"
        );
        assert_eq!(
            validate_always_run(&mk(None, "foo", "foo"))
                .unwrap_err()
                .field,
            "skip_if_only_changed"
        );
        assert_eq!(validate_always_run(&mk(Some(false), "foo", "")), Ok(()));
        assert_eq!(validate_always_run(&mk(None, "", "")), Ok(()));
    }

    #[test]
    fn utility_config_validation() {
        let refs = |uris: &[&str]| -> Vec<Refs> {
            uris.iter()
                .enumerate()
                .map(|(i, u)| json_to(json!({"org": format!("org{i}"), "repo": "r", "base_sha": "master", "clone_uri": u})))
                .collect()
        };
        let ssh = || {
            Some(json_to::<DecorationConfig>(
                json!({"ssh_key_secrets": ["ssh-secret"]}),
            ))
        };
        let oauth = || {
            Some(json_to::<DecorationConfig>(
                json!({"oauth_token_secret": {"name": "secret", "key": "token"}}),
            ))
        };
        let uc = |clone_uri: &str, extra: Vec<Refs>, dc: Option<DecorationConfig>| UtilityConfig {
            clone_uri: clone_uri.into(),
            extra_refs: extra,
            decoration_config: dc.map(Arc::new),
            ..UtilityConfig::default()
        };
        let cases: Vec<(&str, UtilityConfig, Option<&str>)> = vec![
            (
                "empty UtilityConfig, no error",
                UtilityConfig::default(),
                None,
            ),
            (
                "clone_uri is a not valid, error",
                uc("://notvalidURI", vec![], None),
                Some(
                    r#"couldn't parse uri from clone_uri: parse "://notvalidURI": missing protocol scheme"#,
                ),
            ),
            (
                "one of the clone_uri is not valid, error",
                uc(
                    "https://github.com/kubernetes/test-infra.git",
                    refs(&[
                        "https://github.com/kubernetes/test-infra.git",
                        "://notvalidURI",
                    ]),
                    None,
                ),
                Some(
                    r#"extra_ref[1]: couldn't parse uri from clone_uri: parse "://notvalidURI": missing protocol scheme"#,
                ),
            ),
            (
                "extra refs are not checked without the job's clone_uri (as upstream)",
                uc("", refs(&["://notvalidURI"]), None),
                None,
            ),
            (
                "ssh_keys specified but clone_uri is empty, no error",
                uc("", vec![], ssh()),
                None,
            ),
            (
                "ssh_keys specified but clone_uri is invalid, error",
                uc("://notvalidURI", vec![], ssh()),
                Some(
                    r#"couldn't parse uri from clone_uri: parse "://notvalidURI": missing protocol scheme"#,
                ),
            ),
            (
                "ssh_keys specified and clone_uri is valid, no error",
                uc("git@github.com:kubernetes/test-infra.git", vec![], ssh()),
                None,
            ),
            (
                "ssh_keys specified and all of clone_uri are valid, no error",
                uc(
                    "git@github.com:kubernetes/test-infra.git",
                    refs(&["github.com:org1/repo1.git", "git@github.com:org2/repo2.git"]),
                    ssh(),
                ),
                None,
            ),
            (
                "ssh_keys specified and one of the clone_uri is invalid, error",
                uc(
                    "git@github.com:kubernetes/test-infra.git",
                    refs(&["git@github.com:org1/repo1.git", "://notvalidURI"]),
                    ssh(),
                ),
                Some(
                    r#"extra_ref[1]: couldn't parse uri from clone_uri: parse "://notvalidURI": missing protocol scheme"#,
                ),
            ),
            (
                "clone_uri contains a user and decoration config is nil, no error",
                uc("git@github.com:kubernetes/test-infra.git", vec![], None),
                None,
            ),
            (
                "oauth token secret provided and all clone_uri have valid http(s) a scheme, no error",
                uc(
                    "http://github.com/kubernetes/test-infra.git",
                    refs(&[
                        "https://github.com/org1/repo1.git",
                        "http://github.com/org1/repo1.git",
                    ]),
                    oauth(),
                ),
                None,
            ),
            (
                "oauth token secret provided but clone_uri doesn't contain a scheme, error",
                uc("github.com/kubernetes/test-infra.git", vec![], oauth()),
                Some(
                    "scheme must be http or https when OAuth secret is specified: github.com/kubernetes/test-infra.git",
                ),
            ),
            (
                "oauth token secret provided but one of the clone_uri doesn't contain a scheme, error",
                uc(
                    "https://github.com/kubernetes/test-infra.git",
                    refs(&[
                        "github.com/org1/repo1.git",
                        "http://github.com/org1/repo1.git",
                    ]),
                    oauth(),
                ),
                Some(
                    "extra_ref[0]: scheme must be http or https when OAuth secret is specified: github.com/org1/repo1.git",
                ),
            ),
            (
                "oauth token secret provided but clone_uri doesn't contain a http(s) scheme, error",
                uc(
                    "ssh://github.com/kubernetes/test-infra.git",
                    vec![],
                    oauth(),
                ),
                Some(
                    "scheme must be http or https when OAuth secret is specified: ssh://github.com/kubernetes/test-infra.git",
                ),
            ),
            (
                "oauth token secret provided but one of the clone_uri doesn't contain a http(s) scheme, error",
                uc(
                    "https://github.com/kubernetes/test-infra.git",
                    refs(&[
                        "ssh://git@github.com:org1/repo1.git",
                        "http://github.com/org1/repo1.git",
                    ]),
                    oauth(),
                ),
                Some(
                    "extra_ref[0]: scheme must be http or https when OAuth secret is specified: github.com:org1/repo1.git",
                ),
            ),
            ("first path segment colon", uc("a:b", vec![], None), None),
            (
                "first path segment colon without scheme",
                uc("1a:b", vec![], None),
                Some(
                    r#"couldn't parse uri from clone_uri: parse "1a:b": first path segment in URL cannot contain colon"#,
                ),
            ),
            (
                "bad port",
                uc("https://host:port/x", vec![], None),
                Some(
                    r#"couldn't parse uri from clone_uri: parse "https://host:port/x": invalid port ":port" after host"#,
                ),
            ),
            (
                "bad escape",
                uc("https://host/a%zzb", vec![], None),
                Some(
                    r#"couldn't parse uri from clone_uri: parse "https://host/a%zzb": invalid URL escape "%zz""#,
                ),
            ),
            (
                "control character",
                uc("https://host/a\nb", vec![], None),
                Some(
                    "couldn't parse uri from clone_uri: parse \"https://host/a\\nb\": net/url: invalid control character in URL",
                ),
            ),
        ];
        for (name, u, want) in cases {
            let got = u.validate().err().map(|e| e.message);
            assert_eq!(got.as_deref(), want, "{name}");
        }
    }

    #[test]
    fn pipeline_run_spec_validation() {
        let refs = |n: usize| -> Vec<Refs> {
            (0..n)
                .map(|i| json_to(json!({"org": "o", "repo": format!("r{i}")})))
                .collect()
        };
        let spec = |names: &[&str]| {
            let tasks: Vec<Value> = names
                .iter()
                .enumerate()
                .map(|(i, n)| json!({"name": format!("task{i}"), "taskRef": {"name": n}}))
                .collect();
            json!({"pipelineSpec": {"tasks": tasks}})
        };
        let pre = ProwJobType::Presubmit;
        let per = ProwJobType::Periodic;
        let cases: Vec<PipelineCase> = vec![
            (
                "implicit ref is fine for presubmits",
                &pre,
                refs(0),
                spec(&["PROW_IMPLICIT_GIT_REF"]),
                None,
            ),
            (
                "periodics have no implicit ref",
                &per,
                refs(0),
                spec(&["PROW_IMPLICIT_GIT_REF"]),
                Some(
                    "periodic jobs do not have an implicit git ref to replace PROW_IMPLICIT_GIT_REF",
                ),
            ),
            (
                "extra refs used",
                &pre,
                refs(2),
                spec(&["PROW_EXTRA_GIT_REF_0", "x-PROW_EXTRA_GIT_REF_1"]),
                None,
            ),
            (
                "unused extra ref",
                &pre,
                refs(2),
                spec(&["PROW_EXTRA_GIT_REF_0"]),
                Some("extra_refs[1] is not used; some task must reference PROW_EXTRA_GIT_REF_1"),
            ),
            (
                "reference without extra ref",
                &pre,
                refs(1),
                spec(&["PROW_EXTRA_GIT_REF_0", "PROW_EXTRA_GIT_REF_3"]),
                Some(
                    "1 extra_refs are specified, but the following PROW_EXTRA_GIT_REF_* indexes are used: 0, 3",
                ),
            ),
            (
                "leading zeros",
                &pre,
                refs(1),
                spec(&["PROW_EXTRA_GIT_REF_00"]),
                Some(
                    r#"task "task0": leading zeros are not allowed in PROW_EXTRA_GIT_REF_* indexes"#,
                ),
            ),
        ];
        for (name, job_type, extra, s, want) in cases {
            let got = validate_pipeline_run_spec(job_type, &extra, Some(&s)).err();
            assert_eq!(got.as_deref(), want, "{name}");
        }
        // Through validate_job_base: tekton jobs need a spec.
        let job = JobBase {
            name: "t".into(),
            agent: "tekton-pipeline".into(),
            namespace: Some("ns".into()),
            pipeline_run_spec: Some(spec(&["PROW_EXTRA_GIT_REF_0"])),
            ..JobBase::default()
        };
        let errs = validate_job_base(&job, &pre, &ValidationOptions::new("ns")).unwrap_err();
        assert_eq!(errs[0].field, "pipeline_run_spec");
        assert_eq!(
            errs[0].message,
            "0 extra_refs are specified, but the following PROW_EXTRA_GIT_REF_* indexes are used: 0"
        );
        let mut ok = job.clone();
        ok.pipeline_run_spec = None;
        ok.tekton_pipeline_run_spec = Some(json!({"v1beta1": spec(&[])}));
        assert!(ok.has_pipeline_run_spec());
        assert_eq!(
            validate_job_base(&ok, &pre, &ValidationOptions::new("ns")),
            Ok(())
        );
        assert_eq!(
            JobBase::default().get_pipeline_run_spec(),
            Err("pipeline run spec not found".to_string())
        );
    }

    #[test]
    fn job_name_rules() {
        let ok = |name: &str, agent: &str| {
            validate_job_name(&JobBase {
                name: name.into(),
                agent: agent.into(),
                ..JobBase::default()
            })
            .is_ok()
        };
        assert!(ok("a-b.c_d", "kubernetes"));
        assert!(!ok("", "kubernetes"));
        assert!(!ok("a b", "kubernetes"));
        assert!(!ok("é", "kubernetes"));
        assert!(ok("folder/job", "jenkins"));
        assert!(ok("j", "jenkins"));
        assert!(!ok("job.", "jenkins"));
        assert!(!ok("job/", "jenkins"));
        assert!(!ok("/job", "jenkins"));
    }

    #[test]
    fn error_display_names_file_job_and_field() {
        let mut jc: JobConfig = yaml(
            r#"
presubmits:
  kubernetes/kubernetes:
  - name: pull-foo
    run_if_changed: a
    skip_if_only_changed: b
    spec: {containers: [{image: x}]}
periodics:
- name: per
  max_concurrency: -1
  interval: 1h
  spec: {containers: [{image: x}]}
"#,
        );
        jc.set_source_path("config/jobs/foo.yaml");
        assert!(jc.finalize(&JobDefaults::new("pods")).is_empty());
        let errs = jc.validate(&ValidationOptions::new("pods"));
        let shown: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            vec![
                r#"config/jobs/foo.yaml: presubmit "pull-foo" (kubernetes/kubernetes): job pull-foo declares run_if_changed and skip_if_only_changed, which are mutually exclusive"#,
                r#"config/jobs/foo.yaml: periodic "per": max_concurrency: -1 must be a non-negative number"#,
            ]
        );
        assert_eq!(errs[0].field, Some("skip_if_only_changed"));
        assert_eq!(errs[1].field, Some("max_concurrency"));
        assert_eq!(
            errs[1].upstream_message(),
            "invalid periodic job per: max_concurrency: -1 must be a non-negative number"
        );
        let job = errs[0].job.as_ref().unwrap();
        assert_eq!(job.job_type, ProwJobType::Presubmit);
        assert_eq!(job.repo.as_deref(), Some("kubernetes/kubernetes"));
    }

    #[test]
    fn whole_config_finalizes_and_validates_cleanly() {
        let mut jc: JobConfig = yaml(CONFIG);
        jc.set_source_path("config/jobs/k.yaml");
        let lookup = |_: &str, _: &str| Some(Arc::new(good_decoration()));
        let mut d = JobDefaults::new("test-pods");
        d.default_decoration = &lookup;
        assert_eq!(jc.finalize(&d), vec![]);
        assert_eq!(jc.validate(&ValidationOptions::new("test-pods")), vec![]);
        // The docs job has no command, so decorating it must fail validation.
        let mut jc: JobConfig = yaml(CONFIG);
        d.decorate_all_jobs = true;
        assert_eq!(jc.finalize(&d), vec![]);
        let errs = jc.validate(&ValidationOptions::new("test-pods"));
        assert_eq!(
            upstream(&errs),
            vec![
                "invalid presubmit job pull-kubernetes-docs: decorated job containers must specify command and/or args",
                "invalid postsubmit job ci-kubernetes-build: decorated job containers must specify command and/or args",
                "invalid periodic job ci-periodic: decorated job containers must specify command and/or args",
            ]
        );
    }

    /// A synthetic corpus the size of the real one (4,376 jobs) must
    /// finalize and validate quickly even in a debug build.
    #[test]
    fn large_corpus_is_fast() {
        let mut text = String::from("presubmits:\n");
        for repo in 0..40 {
            text.push_str(&format!("  org/repo{repo}:\n"));
            for i in 0..50 {
                let name = format!("pull-repo{repo}-job{i}");
                text.push_str(&format!(
                    "  - name: {name}\n    decorate: true\n    labels: {{preset-a: \"true\"}}\n"
                ));
                match i % 4 {
                    0 => text.push_str("    always_run: true\n"),
                    1 => text.push_str(&format!(
                        "    run_if_changed: '^pkg/part{}/.*\\.go$'\n",
                        i % 20
                    )),
                    2 => text.push_str("    branches: [release-1.37]\n"),
                    _ => text.push_str("    skip_branches: ['release-\\d+\\.\\d+']\n"),
                }
                text.push_str("    spec: {containers: [{image: golang, command: [make]}]}\n");
            }
        }
        text.push_str("periodics:\n");
        for i in 0..2376 {
            text.push_str(&format!(
                "- name: ci-periodic-{i}\n  interval: 1h\n  decorate: true\n  extra_refs: [{{org: o, repo: r, base_ref: main}}]\n  spec: {{containers: [{{image: golang, command: [make]}}]}}\n"
            ));
        }
        text.push_str("presets:\n- labels: {preset-a: \"true\"}\n  env: [{name: A, value: b}]\n");
        let mut jc: JobConfig = yaml(&text);
        assert_eq!(jc.job_count(), 4376);
        let lookup = |_: &str, _: &str| Some(Arc::new(good_decoration()));
        let mut d = JobDefaults::new("pods");
        d.default_decoration = &lookup;
        let errs = jc.finalize(&d);
        assert_eq!(errs, vec![]);
        let errs = jc.validate(&ValidationOptions::new("pods"));
        assert_eq!(errs, vec![]);
    }
}
