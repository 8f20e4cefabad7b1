//! Building ProwJobs from configured jobs and events (upstream's `pjutil`): specs for
//! each job type, fresh ProwJobs, refs from pull requests and pushes, build IDs, job URLs.

use std::collections::BTreeMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};

use super::labels::{IS_OPTIONAL_LABEL, labels_and_annotations_for_spec};
use super::{
    GCSConfiguration, ObjectMeta, PATH_STRATEGY_EXPLICIT, PATH_STRATEGY_LEGACY,
    PATH_STRATEGY_SINGLE, ProwJob, ProwJobAgent, ProwJobSpec, ProwJobState, ProwJobStatus,
    ProwJobType, Pull, Refs,
};
use crate::config::jobs::{JenkinsSpec, JobBase, Periodic, Postsubmit, Presubmit};
use crate::event::{PullRequest, PushEvent};

/// Label carrying the GUID of the webhook delivery that created a ProwJob.
pub const EVENT_GUID_LABEL: &str = "event-GUID";

/// Directory of the logs of presubmit and batch jobs in the job bucket.
pub const PR_LOGS: &str = "pr-logs";
/// Directory of the logs of postsubmit and periodic jobs in the job bucket.
pub const NON_PR_LOGS: &str = "logs";

/// The spec shared by every job type: what [`JobBase`] says about running the job.
///
/// Extra refs get the decoration config's `blobless_fetch` when they do not set it.
/// The type, refs, context and reporting are left to the type-specific builders.
pub fn spec_from_job_base(jb: &JobBase) -> ProwJobSpec {
    ProwJobSpec {
        job: jb.name.clone(),
        agent: (!jb.agent.is_empty()).then(|| ProwJobAgent::from(jb.agent.as_str())),
        cluster: jb.cluster.clone(),
        namespace: jb.namespace.clone().unwrap_or_default(),
        max_concurrency: jb.max_concurrency,
        error_on_eviction: jb.error_on_eviction,
        extra_refs: decorate_extra_refs(&jb.utility_config.extra_refs, jb),
        decoration_config: jb.utility_config.decoration_config.as_deref().cloned(),
        pod_spec: jb.spec.clone(),
        pipeline_run_spec: jb.pipeline_run_spec.clone(),
        tekton_pipeline_run_spec: jb.tekton_pipeline_run_spec.clone(),
        reporter_config: jb.reporter_config.clone(),
        rerun_auth_config: jb.rerun_auth_config.clone(),
        hidden: jb.hidden,
        prowjob_defaults: jb.prowjob_defaults.clone(),
        job_queue_name: jb.job_queue_name.clone(),
        ..ProwJobSpec::default()
    }
}

/// Extra refs of a job with its decoration defaults applied (see [`decorate_refs`]);
/// unchanged for an undecorated job.
pub fn decorate_extra_refs(refs: &[Refs], jb: &JobBase) -> Vec<Refs> {
    refs.iter().cloned().map(|r| decorate_refs(r, jb)).collect()
}

/// Refs with the job's decoration defaults applied: `blobless_fetch` from the decoration
/// config when the refs leave it unset.
pub fn decorate_refs(mut refs: Refs, jb: &JobBase) -> Refs {
    if let Some(dc) = &jb.utility_config.decoration_config
        && refs.blobless_fetch.is_none()
    {
        refs.blobless_fetch = dc.blobless_fetch;
    }
    refs
}

/// The primary refs of a job: the job's clone settings (`path_alias`, `clone_uri`,
/// `skip_submodules`, `clone_depth`, `skip_fetch_head`) override what the caller set,
/// then decoration defaults and sparse checkout files are applied.
pub fn complete_primary_refs(mut refs: Refs, jb: &JobBase) -> Refs {
    let uc = &jb.utility_config;
    if !uc.path_alias.is_empty() {
        refs.path_alias = uc.path_alias.clone();
    }
    if !uc.clone_uri.is_empty() {
        refs.clone_uri = uc.clone_uri.clone();
    }
    if uc.skip_submodules {
        refs.skip_submodules = true;
    }
    if uc.clone_depth > 0 {
        refs.clone_depth = uc.clone_depth;
    }
    if uc.skip_fetch_head {
        refs.skip_fetch_head = true;
    }
    let mut refs = decorate_refs(refs, jb);
    if let Some(dc) = &uc.decoration_config
        && !dc.sparse_checkout_files.is_empty()
    {
        refs.sparse_checkout_files = dc.sparse_checkout_files.clone();
    }
    refs
}

fn jenkins_spec(spec: &Option<JenkinsSpec>) -> Option<serde_json::Value> {
    spec.as_ref().map(|j| {
        let mut m = serde_json::Map::new();
        if j.github_branch_source_job {
            m.insert("github_branch_source_job".into(), true.into());
        }
        serde_json::Value::Object(m)
    })
}

/// The ProwJob spec of a presubmit run on `refs`: type `presubmit`, the job's context,
/// reporting unless `skip_report`, its rerun command and Jenkins spec.
pub fn presubmit_spec(job: &Presubmit, refs: Refs) -> ProwJobSpec {
    let mut spec = spec_from_job_base(&job.job_base);
    spec.type_ = Some(ProwJobType::Presubmit);
    spec.context = job.reporter.context.clone();
    spec.report = !job.reporter.skip_report;
    spec.rerun_command = job.rerun_command.clone();
    spec.jenkins_spec = jenkins_spec(&job.jenkins_spec);
    spec.refs = Some(complete_primary_refs(refs, &job.job_base));
    spec
}

/// The ProwJob spec of a postsubmit run on `refs`: type `postsubmit`, the job's
/// context, reporting unless `skip_report`, its Jenkins spec.
pub fn postsubmit_spec(job: &Postsubmit, refs: Refs) -> ProwJobSpec {
    let mut spec = spec_from_job_base(&job.job_base);
    spec.type_ = Some(ProwJobType::Postsubmit);
    spec.context = job.reporter.context.clone();
    spec.report = !job.reporter.skip_report;
    spec.refs = Some(complete_primary_refs(refs, &job.job_base));
    spec.jenkins_spec = jenkins_spec(&job.jenkins_spec);
    spec
}

/// The ProwJob spec of a periodic run: type `periodic`, always reporting (periodics
/// cannot turn reporting off).
pub fn periodic_spec(job: &Periodic) -> ProwJobSpec {
    let mut spec = spec_from_job_base(&job.job_base);
    spec.report = true;
    spec.type_ = Some(ProwJobType::Periodic);
    spec
}

/// The ProwJob spec of a batch run of a presubmit over several pull requests in
/// `refs`: type `batch`, the job's context, no reporting.
pub fn batch_spec(job: &Presubmit, refs: Refs) -> ProwJobSpec {
    let mut spec = spec_from_job_base(&job.job_base);
    spec.type_ = Some(ProwJobType::Batch);
    spec.context = job.reporter.context.clone();
    spec.refs = Some(complete_primary_refs(refs, &job.job_base));
    spec
}

/// Settles the Slack `report` flag of a spec: left alone when set; otherwise `false`
/// when `job_states_to_report` is an explicit empty list and `true` in every other
/// case, so the choice survives a round trip that drops empty lists.
pub fn set_report_default(spec: &mut ProwJobSpec) {
    let Some(slack) = spec
        .reporter_config
        .as_mut()
        .and_then(|rc| rc.slack.as_mut())
    else {
        return;
    };
    if slack.report.is_some() {
        return;
    }
    let none_to_report = slack
        .job_states_to_report
        .as_ref()
        .is_some_and(Vec::is_empty);
    slack.report = Some(!none_to_report);
}

/// A fresh ProwJob for `spec`, in state `triggered`, started at `now`.
///
/// Its name is a new random UUID; labels and annotations are those of
/// [`labels_and_annotations_for_spec`] with the extras on top; the Slack report flag is
/// settled by [`set_report_default`]. Like upstream, `metadata.namespace` stays empty:
/// the caller (which knows `prowjob_namespace` from the config) sets it before
/// creating the job. See [`require_scheduling`] for the `scheduling` initial state.
pub fn new_prowjob(
    spec: ProwJobSpec,
    extra_labels: &BTreeMap<String, String>,
    extra_annotations: &BTreeMap<String, String>,
    now: DateTime<Utc>,
) -> ProwJob {
    let (labels, annotations) =
        labels_and_annotations_for_spec(&spec, extra_labels, extra_annotations);
    let mut spec = spec;
    set_report_default(&mut spec);
    let metadata = ObjectMeta {
        // Time-ordered (version 7) UUIDs: names sort in creation order, to the millisecond,
        // which breaks ties between runs created within the same second.
        name: uuid::Uuid::now_v7().to_string(),
        labels,
        annotations,
        ..ObjectMeta::default()
    };
    let status = ProwJobStatus {
        start_time: Some(now),
        state: Some(ProwJobState::Triggered),
        ..ProwJobStatus::default()
    };
    ProwJob::new(metadata, spec, status)
}

/// Puts a new ProwJob in the `scheduling` state when the scheduler is enabled
/// (upstream's `RequireScheduling` modifier); leaves it `triggered` otherwise.
pub fn require_scheduling(pj: &mut ProwJob, scheduler_enabled: bool) {
    if scheduler_enabled {
        pj.status.state = Some(ProwJobState::Scheduling);
    }
}

/// The refs of a pull request at base commit `base_sha`, with the links Deck and the
/// reporters show: repository, base commit, pull request, its head commit and author.
pub fn refs_for_pull_request(pr: &PullRequest, base_sha: &str) -> Refs {
    let (org, repo, repo_link) = match &pr.base.repo {
        Some(r) => (r.owner.login.clone(), r.name.clone(), r.html_url.clone()),
        None => Default::default(),
    };
    let number = pr.number as i64;
    Refs {
        base_link: format!("{repo_link}/commit/{base_sha}"),
        pulls: vec![Pull {
            number,
            author: pr.user.login.clone(),
            sha: pr.head.sha.clone(),
            head_ref: pr.head.r#ref.clone(),
            title: pr.title.clone(),
            link: pr.html_url.clone(),
            author_link: pr.user.html_url.clone(),
            commit_link: format!("{repo_link}/pull/{number}/commits/{}", pr.head.sha),
            ..Pull::default()
        }],
        org,
        repo,
        repo_link,
        base_ref: pr.base.r#ref.clone(),
        base_sha: base_sha.to_string(),
        ..Refs::default()
    }
}

/// The refs of a push: the pushed branch (or tag) at the new head, linked to the
/// compare page. The org is the repository owner's `name` as push payloads carry it,
/// or its login when the payload has no name.
pub fn refs_for_push(pe: &PushEvent) -> Refs {
    let owner = &pe.repo.owner;
    let org = owner
        .name
        .clone()
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| owner.login.clone());
    Refs {
        org,
        repo: pe.repo.name.clone(),
        repo_link: pe.repo.html_url.clone(),
        base_ref: pe.branch().to_string(),
        base_sha: pe.after.clone(),
        base_link: pe.compare.clone(),
        ..Refs::default()
    }
}

/// A ProwJob for a presubmit on a pull request at base commit `base_sha`.
///
/// Labels: the job's labels, then `extra_labels`, then `event-GUID` and
/// `prow.k8s.io/is-optional`; annotations: the job's.
pub fn new_presubmit(
    pr: &PullRequest,
    base_sha: &str,
    job: &Presubmit,
    event_guid: &str,
    extra_labels: &BTreeMap<String, String>,
    now: DateTime<Utc>,
) -> ProwJob {
    let refs = refs_for_pull_request(pr, base_sha);
    let mut labels = job.job_base.labels.clone();
    labels.extend(extra_labels.iter().map(|(k, v)| (k.clone(), v.clone())));
    labels.insert(EVENT_GUID_LABEL.to_string(), event_guid.to_string());
    labels.insert(IS_OPTIONAL_LABEL.to_string(), job.optional.to_string());
    new_prowjob(
        presubmit_spec(job, refs),
        &labels,
        &job.job_base.annotations,
        now,
    )
}

/// A ProwJob for a postsubmit triggered by a push, as the trigger plugin makes it:
/// refs from [`refs_for_push`], the job's labels plus `event-GUID` (the push's
/// delivery GUID), the job's annotations.
pub fn new_postsubmit(pe: &PushEvent, job: &Postsubmit, now: DateTime<Utc>) -> ProwJob {
    let mut labels = job.job_base.labels.clone();
    labels.insert(EVENT_GUID_LABEL.to_string(), pe.guid.clone());
    new_prowjob(
        postsubmit_spec(job, refs_for_push(pe)),
        &labels,
        &job.job_base.annotations,
        now,
    )
}

/// The active ProwJobs split by state, in input order: `pending`, `triggered`, and
/// `aborted` ones that are not complete yet. Everything else is left out. Controllers
/// handle pending jobs first to honour concurrency limits.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ActiveJobs<'a> {
    /// Jobs in state `pending`.
    pub pending: Vec<&'a ProwJob>,
    /// Jobs in state `triggered`.
    pub triggered: Vec<&'a ProwJob>,
    /// Jobs in state `aborted` without a completion time.
    pub aborted: Vec<&'a ProwJob>,
}

/// Splits `jobs` into [`ActiveJobs`] (upstream's `PartitionActive`).
pub fn partition_active(jobs: &[ProwJob]) -> ActiveJobs<'_> {
    let mut out = ActiveJobs::default();
    for pj in jobs {
        match pj.status.state {
            Some(ProwJobState::Pending) => out.pending.push(pj),
            Some(ProwJobState::Triggered) => out.triggered.push(pj),
            Some(ProwJobState::Aborted) if !pj.complete() => out.aborted.push(pj),
            _ => {}
        }
    }
    out
}

/// The newest ProwJob (latest start time) of each job name, keyed by job name.
///
/// With `job_type`, only jobs of that type count. Of jobs started at the same instant
/// the first wins; a job without a start time never wins.
pub fn latest_jobs(jobs: &[ProwJob], job_type: Option<ProwJobType>) -> BTreeMap<String, ProwJob> {
    let mut latest: BTreeMap<String, ProwJob> = BTreeMap::new();
    for pj in jobs {
        if let Some(t) = &job_type
            && pj.spec.type_.as_ref() != Some(t)
        {
            continue;
        }
        let Some(start) = pj.status.start_time else {
            continue;
        };
        let newer = latest
            .get(&pj.spec.job)
            .and_then(|cur| cur.status.start_time)
            .is_none_or(|cur| start > cur);
        if newer {
            latest.insert(pj.spec.job.clone(), pj.clone());
        }
    }
    latest
}

// ---------------------------------------------------------------------------
// Build IDs

/// Milliseconds from the Unix epoch to the epoch of snowflake IDs (2010-11-04T01:42:54.657Z).
pub const SNOWFLAKE_EPOCH_MS: i64 = 1_288_834_974_657;
const NODE_BITS: u32 = 10;
const STEP_BITS: u32 = 12;
const STEP_MASK: i64 = (1 << STEP_BITS) - 1;

/// Hands out build IDs (`status.build_id`) the way plank does without a `tot` server:
/// snowflake IDs, i.e. milliseconds since [`SNOWFLAKE_EPOCH_MS`] shifted left by 22
/// bits, then a 10-bit node number (plank uses node 1) and a 12-bit sequence, printed in
/// decimal (19 digits today).
///
/// IDs are unique and strictly increasing within one generator, even when more than
/// 4096 are asked for in one millisecond (the generator then runs ahead of the clock)
/// or when the clock steps back. The generator is safe to share between threads.
#[derive(Debug)]
pub struct BuildIdGenerator {
    node: i64,
    /// Last (milliseconds since the snowflake epoch, sequence) handed out.
    last: Mutex<(i64, i64)>,
}

impl Default for BuildIdGenerator {
    fn default() -> Self {
        BuildIdGenerator::new(1)
    }
}

impl BuildIdGenerator {
    /// A generator for `node` (only the low 10 bits are used; plank uses 1).
    pub fn new(node: u16) -> Self {
        BuildIdGenerator {
            node: i64::from(node) & ((1 << NODE_BITS) - 1),
            last: Mutex::new((-1, 0)),
        }
    }

    /// The next build ID, stamped with the current time.
    pub fn next_id(&self) -> String {
        self.next_id_at(Utc::now())
    }

    /// The next build ID, stamped with `now` (or just after the last ID handed out, if
    /// that is later).
    pub fn next_id_at(&self, now: DateTime<Utc>) -> String {
        let now_ms = (now.timestamp_millis() - SNOWFLAKE_EPOCH_MS).max(0);
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let (mut ms, mut step) = *last;
        if now_ms > ms {
            ms = now_ms;
            step = 0;
        } else {
            step = (step + 1) & STEP_MASK;
            if step == 0 {
                ms += 1;
            }
        }
        *last = (ms, step);
        let id = (ms << (NODE_BITS + STEP_BITS)) | (self.node << STEP_BITS) | step;
        id.to_string()
    }
}

// ---------------------------------------------------------------------------
// Blob storage paths and job URLs

/// Go's `path.Clean`: the shortest equivalent slash path.
pub(crate) fn clean_path(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

/// Go's `path.Join`: the non-empty elements joined by `/` and cleaned; empty when all
/// elements are empty.
pub(crate) fn join_path(elems: &[&str]) -> String {
    let parts: Vec<&str> = elems.iter().copied().filter(|e| !e.is_empty()).collect();
    if parts.is_empty() {
        return String::new();
    }
    clean_path(&parts.join("/"))
}

/// The `org_repo` path segment of a repository under a GCS path strategy (`explicit`,
/// `legacy`, `single`); `None` for an unknown strategy. Gerrit orgs lose their
/// `https://` or `http://` prefix and trailing slashes; slashes in repo names become `_`.
pub fn repo_path_segment(gcs: &GCSConfiguration, org: &str, repo: &str) -> Option<String> {
    let explicit = || {
        let org = org.strip_prefix("https://").unwrap_or(org);
        let org = org
            .strip_prefix("http://")
            .unwrap_or(org)
            .trim_end_matches('/');
        format!("{org}_{}", repo.replace('/', "_"))
    };
    match gcs.path_strategy.as_str() {
        PATH_STRATEGY_EXPLICIT => Some(explicit()),
        PATH_STRATEGY_LEGACY => Some(if org == gcs.default_org {
            if repo == gcs.default_repo {
                String::new()
            } else {
                repo.to_string()
            }
        } else {
            explicit()
        }),
        PATH_STRATEGY_SINGLE => Some(if org == gcs.default_org && repo == gcs.default_repo {
            String::new()
        } else {
            explicit()
        }),
        _ => None,
    }
}

/// Why a job's URL or storage path cannot be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum JobUrlError {
    /// The job has no type, or one without a storage layout.
    #[error("unknown job spec type: {0:?}")]
    UnknownJobType(String),
    /// A presubmit without refs or without a pull request.
    #[error("presubmit job {0:?} has no pull request in its refs")]
    MissingPull(String),
    /// The decoration config's bucket does not parse.
    #[error("calculating joburl: {0}")]
    Bucket(String),
    /// `plank.job_url_template` failed to parse or execute.
    #[error("error executing URL template: {0}")]
    Template(String),
}

/// The path of a job's artifacts inside its bucket (upstream's `gcs.PathForSpec` with
/// the `gcs_configuration` path prefix): `logs/JOB/BUILD` for postsubmits and periodics,
/// `pr-logs/pull/ORG_REPO/PR/JOB/BUILD` for presubmits, `pr-logs/pull/batch/JOB/BUILD`
/// for batches.
pub fn job_storage_path(gcs: &GCSConfiguration, pj: &ProwJob) -> Result<String, JobUrlError> {
    let spec = &pj.spec;
    let build_id = pj.status.build_id.as_str();
    let job = spec.job.as_str();
    let base = match &spec.type_ {
        Some(ProwJobType::Periodic | ProwJobType::Postsubmit) => {
            join_path(&[NON_PR_LOGS, job, build_id])
        }
        Some(ProwJobType::Presubmit) => {
            let refs = spec.refs.as_ref();
            let number = refs
                .and_then(|r| r.pulls.first())
                .map(|p| p.number)
                .ok_or_else(|| JobUrlError::MissingPull(job.to_string()))?;
            let (org, repo) = refs.map(|r| (&*r.org, &*r.repo)).unwrap_or_default();
            let segment = repo_path_segment(gcs, org, repo).unwrap_or_default();
            join_path(&[
                PR_LOGS,
                "pull",
                &segment,
                &number.to_string(),
                job,
                build_id,
            ])
        }
        Some(ProwJobType::Batch) => join_path(&[PR_LOGS, "pull", "batch", job, build_id]),
        other => {
            return Err(JobUrlError::UnknownJobType(
                other.as_ref().map(|t| t.to_string()).unwrap_or_default(),
            ));
        }
    };
    Ok(if gcs.path_prefix.is_empty() {
        base
    } else {
        join_path(&[&gcs.path_prefix, &base])
    })
}

/// The job URL prefix for a ProwJob (upstream's `Plank.GetJobURLPrefix`): the one in
/// the job's own GCS configuration, else `plank.job_url_prefix_config` looked up by
/// the org and repo of the refs (or first extra refs): `org/repo`, `org`, `*`.
pub fn job_url_prefix<'a>(plank: &'a crate::config::prow::Plank, pj: &'a ProwJob) -> &'a str {
    if let Some(prefix) = pj
        .spec
        .decoration_config
        .as_ref()
        .and_then(|dc| dc.gcs_configuration.as_ref())
        .map(|g| g.job_url_prefix.as_str())
        .filter(|p| !p.is_empty())
    {
        return prefix;
    }
    let refs = pj.spec.refs.as_ref().or(pj.spec.extra_refs.first());
    let (org, repo) = refs.map(|r| (&*r.org, &*r.repo)).unwrap_or_default();
    plank.get_job_url_prefix(org, repo).unwrap_or_default()
}

/// The URL of a job's results page for `status.url` (upstream's `JobURL`).
///
/// A decorated job with a job URL prefix (see [`job_url_prefix`]) gets
/// `PREFIX/PROVIDER/BUCKET/PATH`, where `PATH` is [`job_storage_path`]; the storage
/// provider (`gs`, `s3`) is left out when `plank.jobURLPrefixDisableAppendStorageProvider`
/// is set. Other jobs get `plank.job_url_template` rendered over the ProwJob (empty
/// fields print as nothing, as over Go's struct). Where upstream logs a failing template
/// and leaves the URL empty, this returns [`JobUrlError::Template`]; callers that want
/// upstream's behaviour use `unwrap_or_default()`.
pub fn job_url(plank: &crate::config::prow::Plank, pj: &ProwJob) -> Result<String, JobUrlError> {
    let prefix = job_url_prefix(plank, pj);
    if let Some(dc) = &pj.spec.decoration_config
        && !prefix.is_empty()
    {
        let gcs = dc.gcs_configuration.clone().unwrap_or_default();
        let storage_path = job_storage_path(&gcs, pj)?;
        let bucket =
            super::parse_path(&gcs.bucket).map_err(|e| JobUrlError::Bucket(e.to_string()))?;
        // Split the prefix into `scheme://host`, path, and `?query#fragment`.
        let (origin, rest) = match prefix.find("://") {
            Some(i) => {
                let after = i + 3;
                let path_at = prefix[after..]
                    .find(['/', '?', '#'])
                    .map_or(prefix.len(), |j| after + j);
                prefix.split_at(path_at)
            }
            None => ("", prefix),
        };
        let (path, tail) = rest.split_at(rest.find(['?', '#']).unwrap_or(rest.len()));
        let full = bucket.full_path();
        let joined = if plank.job_url_prefix_disable_append_storage_provider {
            join_path(&[path, &full, &storage_path])
        } else {
            join_path(&[path, bucket.storage_provider(), &full, &storage_path])
        };
        let sep = if !origin.is_empty() && !joined.is_empty() && !joined.starts_with('/') {
            "/"
        } else {
            ""
        };
        return Ok(format!("{origin}{sep}{joined}{tail}"));
    }
    if plank.job_url_template.is_empty() {
        return Ok(String::new());
    }
    let template = crate::gotmpl::Template::parse_named("JobURL", &plank.job_url_template)
        .map_err(|e| JobUrlError::Template(e.to_string()))?;
    template
        .render_serialize(pj)
        .map_err(|e| JobUrlError::Template(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::jobs::{Reporter, UtilityConfig};
    use crate::event::{Repo, User};
    use crate::prowjob::labels::{
        BASE_REF_LABEL, CONTEXT_ANNOTATION, CREATED_BY_PROW, ORG_LABEL, PROW_JOB_ANNOTATION,
        PROW_JOB_TYPE_LABEL, PULL_LABEL, REPO_LABEL,
    };
    use crate::prowjob::{DecorationConfig, ReporterConfig, RerunAuthConfig, SlackReporterConfig};
    use chrono::TimeZone;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn clone_settings(path_alias: &str, clone_uri: &str, depth: i64, flags: bool) -> UtilityConfig {
        UtilityConfig {
            path_alias: path_alias.into(),
            clone_uri: clone_uri.into(),
            clone_depth: depth,
            skip_submodules: flags,
            skip_fetch_head: flags,
            ..UtilityConfig::default()
        }
    }

    fn refs_with(path_alias: &str, clone_uri: &str, depth: i64, flags: bool) -> Refs {
        Refs {
            path_alias: path_alias.into(),
            clone_uri: clone_uri.into(),
            clone_depth: depth,
            skip_submodules: flags,
            skip_fetch_head: flags,
            ..Refs::default()
        }
    }

    fn base(uc: UtilityConfig) -> JobBase {
        JobBase {
            utility_config: uc,
            ..JobBase::default()
        }
    }

    /// (name, job clone settings, controller refs, expected refs)
    fn override_cases() -> Vec<(&'static str, UtilityConfig, Refs, Refs)> {
        vec![
            (
                "can override fields",
                clone_settings("foo", "bar", 7, true),
                Refs::default(),
                refs_with("foo", "bar", 7, true),
            ),
            (
                "controller can default fields",
                UtilityConfig::default(),
                refs_with("fancy", "cats", 8, true),
                refs_with("fancy", "cats", 8, true),
            ),
            (
                "job overrides take precedence over controller defaults",
                clone_settings("foo", "bar", 3, false),
                refs_with("fancy", "cats", 1, false),
                refs_with("foo", "bar", 3, false),
            ),
        ]
    }

    #[test]
    fn postsubmit_spec_cases() {
        for (name, uc, refs, want) in override_cases() {
            let job = Postsubmit {
                job_base: base(uc),
                ..Postsubmit::default()
            };
            let spec = postsubmit_spec(&job, refs);
            let expected = ProwJobSpec {
                type_: Some(ProwJobType::Postsubmit),
                refs: Some(want),
                report: true,
                ..ProwJobSpec::default()
            };
            assert_eq!(spec, expected, "{name}");
        }
    }

    #[test]
    fn presubmit_spec_cases() {
        for (name, uc, refs, want) in override_cases() {
            let job = Presubmit {
                job_base: base(uc),
                ..Presubmit::default()
            };
            let expected = ProwJobSpec {
                type_: Some(ProwJobType::Presubmit),
                refs: Some(want),
                report: true,
                ..ProwJobSpec::default()
            };
            assert_eq!(presubmit_spec(&job, refs), expected, "{name}");
        }
    }

    #[test]
    fn batch_spec_cases() {
        for (name, uc, refs, want) in override_cases() {
            let job = Presubmit {
                job_base: base(uc),
                ..Presubmit::default()
            };
            let expected = ProwJobSpec {
                type_: Some(ProwJobType::Batch),
                refs: Some(want),
                report: false,
                ..ProwJobSpec::default()
            };
            assert_eq!(batch_spec(&job, refs), expected, "{name}");
        }
    }

    #[test]
    fn presubmit_spec_carries_reporting_and_rerun_command() {
        let job = Presubmit {
            job_base: JobBase {
                name: "pull-unit".into(),
                agent: "kubernetes".into(),
                cluster: "build01".into(),
                namespace: Some("test-pods".into()),
                max_concurrency: 3,
                error_on_eviction: true,
                job_queue_name: "q".into(),
                ..JobBase::default()
            },
            rerun_command: "/test unit".into(),
            reporter: Reporter {
                context: "ci/unit".into(),
                skip_report: true,
            },
            jenkins_spec: Some(JenkinsSpec {
                github_branch_source_job: true,
            }),
            ..Presubmit::default()
        };
        let spec = presubmit_spec(&job, Refs::default());
        assert_eq!(spec.job, "pull-unit");
        assert_eq!(spec.agent, Some(ProwJobAgent::Kubernetes));
        assert_eq!(spec.cluster, "build01");
        assert_eq!(spec.namespace, "test-pods");
        assert_eq!(spec.max_concurrency, 3);
        assert!(spec.error_on_eviction);
        assert_eq!(spec.job_queue_name, "q");
        assert_eq!(spec.context, "ci/unit");
        assert!(!spec.report);
        assert_eq!(spec.rerun_command, "/test unit");
        assert_eq!(
            spec.jenkins_spec,
            Some(serde_json::json!({"github_branch_source_job": true}))
        );
    }

    #[test]
    fn complete_primary_refs_cases() {
        let blobless = |b: bool| {
            Some(DecorationConfig {
                blobless_fetch: Some(b),
                ..DecorationConfig::default()
            })
        };
        let cases: Vec<(&str, Refs, JobBase, Refs)> = vec![
            (
                "basically works",
                Refs::default(),
                JobBase::default(),
                Refs::default(),
            ),
            (
                "use values from refs",
                refs_with("this", "that", 1, true),
                JobBase::default(),
                refs_with("this", "that", 1, true),
            ),
            (
                "use values from job base",
                Refs::default(),
                base(UtilityConfig {
                    decoration_config: blobless(true).map(std::sync::Arc::new),
                    ..clone_settings("more", "fun", 2, true)
                }),
                Refs {
                    blobless_fetch: Some(true),
                    ..refs_with("more", "fun", 2, true)
                },
            ),
            (
                "prefer job base values",
                refs_with("this", "that", 1, false),
                base(clone_settings("more", "fun", 2, false)),
                refs_with("more", "fun", 2, false),
            ),
            (
                "sparse checkout files from decoration config are applied to ref",
                Refs {
                    org: "org".into(),
                    repo: "repo".into(),
                    base_ref: "main".into(),
                    ..Refs::default()
                },
                base(UtilityConfig {
                    decoration_config: Some(std::sync::Arc::new(DecorationConfig {
                        sparse_checkout_files: vec!["Dockerfile".into()],
                        ..DecorationConfig::default()
                    })),
                    ..UtilityConfig::default()
                }),
                Refs {
                    org: "org".into(),
                    repo: "repo".into(),
                    base_ref: "main".into(),
                    sparse_checkout_files: vec!["Dockerfile".into()],
                    ..Refs::default()
                },
            ),
        ];
        for (name, refs, jb, want) in cases {
            assert_eq!(complete_primary_refs(refs, &jb), want, "{name}");
        }
    }

    fn extra_refs_blobless() -> Vec<Refs> {
        [
            ("true-org", Some(true)),
            ("false-org", Some(false)),
            ("default-org", None),
        ]
        .into_iter()
        .map(|(org, b)| Refs {
            org: org.into(),
            blobless_fetch: b,
            ..Refs::default()
        })
        .collect()
    }

    #[test]
    fn spec_from_job_base_cases() {
        let rerun = RerunAuthConfig {
            github_team_ids: vec![1234, 5678],
            github_users: vec!["authorized_user".into()],
            github_orgs: vec!["kubernetes".into()],
            ..RerunAuthConfig::default()
        };
        let slack = ReporterConfig {
            slack: Some(SlackReporterConfig {
                channel: "my-channel".into(),
                ..SlackReporterConfig::default()
            }),
        };
        let with_dc = |dc: Option<bool>| {
            base(UtilityConfig {
                decoration_config: dc.map(|b| {
                    std::sync::Arc::new(DecorationConfig {
                        blobless_fetch: Some(b),
                        ..DecorationConfig::default()
                    })
                }),
                extra_refs: extra_refs_blobless(),
                ..UtilityConfig::default()
            })
        };
        type Check = Box<dyn Fn(&ProwJobSpec) -> bool>;
        let cases: Vec<(&str, JobBase, Check)> = vec![
            (
                "reporter config gets copied",
                JobBase {
                    reporter_config: Some(slack.clone()),
                    ..JobBase::default()
                },
                Box::new(move |s| s.reporter_config.as_ref() == Some(&slack)),
            ),
            (
                "rerun permissions get copied",
                JobBase {
                    rerun_auth_config: Some(rerun.clone()),
                    ..JobBase::default()
                },
                Box::new(move |s| s.rerun_auth_config.as_ref() == Some(&rerun)),
            ),
            (
                "hidden property gets copied",
                JobBase {
                    hidden: true,
                    ..JobBase::default()
                },
                Box::new(|s| s.hidden),
            ),
            (
                "decorate extra refs default true",
                with_dc(Some(true)),
                Box::new(|s| {
                    s.extra_refs
                        .iter()
                        .all(|r| r.blobless_fetch == Some(r.org != "false-org"))
                }),
            ),
            (
                "decorate extra refs default false",
                with_dc(Some(false)),
                Box::new(|s| {
                    s.extra_refs
                        .iter()
                        .all(|r| r.blobless_fetch == Some(r.org == "true-org"))
                }),
            ),
            (
                "no decoration preserves existing extra refs",
                with_dc(None),
                Box::new(|s| s.extra_refs == extra_refs_blobless()),
            ),
            (
                "unset namespace and agent stay empty",
                JobBase::default(),
                Box::new(|s| s.namespace.is_empty() && s.agent.is_none()),
            ),
        ];
        for (name, jb, check) in cases {
            assert!(check(&spec_from_job_base(&jb)), "{name}");
        }
    }

    #[test]
    fn periodic_spec_always_reports() {
        let spec = periodic_spec(&Periodic::default());
        assert!(spec.report);
        assert_eq!(spec.type_, Some(ProwJobType::Periodic));
        assert_eq!(spec.refs, None);
    }

    #[test]
    fn set_report_default_cases() {
        let slack = |states: Option<Vec<ProwJobState>>, report: Option<bool>| ProwJobSpec {
            reporter_config: Some(ReporterConfig {
                slack: Some(SlackReporterConfig {
                    job_states_to_report: states,
                    report,
                    ..SlackReporterConfig::default()
                }),
            }),
            ..ProwJobSpec::default()
        };
        let aborted = || Some(vec![ProwJobState::Aborted]);
        let cases = vec![
            (
                "base case",
                slack(Some(vec![]), None),
                slack(Some(vec![]), Some(false)),
            ),
            (
                "to report",
                slack(aborted(), None),
                slack(aborted(), Some(true)),
            ),
            (
                "no states at all",
                slack(None, None),
                slack(None, Some(true)),
            ),
            (
                "explicit report",
                slack(Some(vec![]), Some(true)),
                slack(Some(vec![]), Some(true)),
            ),
            (
                "explicit no report",
                slack(None, Some(false)),
                slack(None, Some(false)),
            ),
            (
                "explicit no report with states",
                slack(aborted(), Some(false)),
                slack(aborted(), Some(false)),
            ),
            (
                "no slack report",
                ProwJobSpec {
                    reporter_config: Some(ReporterConfig::default()),
                    ..ProwJobSpec::default()
                },
                ProwJobSpec {
                    reporter_config: Some(ReporterConfig::default()),
                    ..ProwJobSpec::default()
                },
            ),
        ];
        for (name, mut spec, want) in cases {
            set_report_default(&mut spec);
            assert_eq!(spec, want, "{name}");
        }
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 2, 27, 0, 0, 0).unwrap()
    }

    #[test]
    fn new_prowjob_cases() {
        let spec = |type_: ProwJobType, refs: Option<Refs>, extra: Vec<Refs>| ProwJobSpec {
            job: "job".into(),
            context: "job-context".into(),
            type_: Some(type_),
            refs,
            extra_refs: extra,
            ..ProwJobSpec::default()
        };
        let org_refs = |pulls: Vec<i64>| Refs {
            org: "org".into(),
            repo: "repo".into(),
            base_ref: "main".into(),
            pulls: pulls
                .into_iter()
                .map(|number| Pull {
                    number,
                    ..Pull::default()
                })
                .collect(),
            ..Refs::default()
        };
        let common = |t: &str| {
            map(&[
                (CREATED_BY_PROW, "true"),
                (PROW_JOB_ANNOTATION, "job"),
                (CONTEXT_ANNOTATION, "job-context"),
                (PROW_JOB_TYPE_LABEL, t),
            ])
        };
        let with = |mut m: BTreeMap<String, String>, more: &[(&str, &str)]| {
            m.extend(map(more));
            m
        };
        let annotations = map(&[
            (PROW_JOB_ANNOTATION, "job"),
            (CONTEXT_ANNOTATION, "job-context"),
        ]);
        let cases = vec![
            (
                "periodic job, no extra labels",
                spec(ProwJobType::Periodic, None, vec![]),
                map(&[]),
                common("periodic"),
            ),
            (
                "periodic job, extra labels",
                spec(ProwJobType::Periodic, None, vec![]),
                map(&[("extra", "stuff")]),
                with(common("periodic"), &[("extra", "stuff")]),
            ),
            (
                "periodic job with extra refs",
                spec(ProwJobType::Periodic, None, vec![org_refs(vec![])]),
                map(&[]),
                with(
                    common("periodic"),
                    &[
                        (ORG_LABEL, "org"),
                        (REPO_LABEL, "repo"),
                        (BASE_REF_LABEL, "main"),
                    ],
                ),
            ),
            (
                "presubmit job",
                spec(ProwJobType::Presubmit, Some(org_refs(vec![1])), vec![]),
                map(&[]),
                with(
                    common("presubmit"),
                    &[
                        (ORG_LABEL, "org"),
                        (REPO_LABEL, "repo"),
                        (BASE_REF_LABEL, "main"),
                        (PULL_LABEL, "1"),
                    ],
                ),
            ),
        ];
        for (name, spec, extra, want_labels) in cases {
            let pj = new_prowjob(spec.clone(), &extra, &BTreeMap::new(), now());
            assert_eq!(pj.metadata.labels, want_labels, "{name}");
            assert_eq!(pj.metadata.annotations, annotations, "{name}");
            assert_eq!(pj.spec, spec, "{name}");
            assert_eq!(pj.status.start_time, Some(now()), "{name}");
            assert_eq!(pj.status.state, Some(ProwJobState::Triggered), "{name}");
            assert_eq!(pj.api_version, "prow.k8s.io/v1", "{name}");
            assert_eq!(pj.kind, "ProwJob", "{name}");
            assert!(pj.metadata.namespace.is_empty(), "{name}");
            assert!(uuid::Uuid::parse_str(&pj.metadata.name).is_ok(), "{name}");
        }
    }

    #[test]
    fn new_prowjob_extra_annotations_and_unique_names() {
        let spec = ProwJobSpec {
            job: "job".into(),
            type_: Some(ProwJobType::Periodic),
            ..ProwJobSpec::default()
        };
        let extra = map(&[("annotation", "foo")]);
        let a = new_prowjob(spec.clone(), &BTreeMap::new(), &extra, now());
        let b = new_prowjob(spec, &BTreeMap::new(), &extra, now());
        assert_eq!(a.metadata.annotations.get("annotation").unwrap(), "foo");
        assert_ne!(a.metadata.name, b.metadata.name);
    }

    #[test]
    fn require_scheduling_sets_scheduling_state() {
        for (enabled, want) in [
            (true, ProwJobState::Scheduling),
            (false, ProwJobState::Triggered),
        ] {
            let mut pj = new_prowjob(ProwJobSpec::default(), &map(&[]), &map(&[]), now());
            require_scheduling(&mut pj, enabled);
            assert_eq!(pj.status.state, Some(want), "enabled={enabled}");
        }
    }

    fn sample_pr() -> PullRequest {
        PullRequest {
            number: 42,
            title: "hello world".into(),
            html_url: "https://github.example.com/kubernetes/Hello-World/pull/42".into(),
            head: crate::event::PullRequestBranch {
                sha: "123456".into(),
                r#ref: "my-great-change".into(),
                ..Default::default()
            },
            base: crate::event::PullRequestBranch {
                r#ref: "master".into(),
                repo: Some(Repo {
                    name: "Hello-World".into(),
                    html_url: "https://github.example.com/kubernetes/Hello-World".into(),
                    owner: User {
                        login: "kubernetes".into(),
                        ..User::default()
                    },
                    ..Repo::default()
                }),
                ..Default::default()
            },
            user: User {
                login: "ibzib".into(),
                html_url: "https://github.example.com/ibzib".into(),
                ..User::default()
            },
            ..PullRequest::default()
        }
    }

    fn sample_pr_refs() -> Refs {
        Refs {
            org: "kubernetes".into(),
            repo: "Hello-World".into(),
            repo_link: "https://github.example.com/kubernetes/Hello-World".into(),
            base_ref: "master".into(),
            base_sha: "abcdef".into(),
            base_link: "https://github.example.com/kubernetes/Hello-World/commit/abcdef".into(),
            pulls: vec![Pull {
                number: 42,
                author: "ibzib".into(),
                sha: "123456".into(),
                head_ref: "my-great-change".into(),
                title: "hello world".into(),
                link: "https://github.example.com/kubernetes/Hello-World/pull/42".into(),
                author_link: "https://github.example.com/ibzib".into(),
                commit_link:
                    "https://github.example.com/kubernetes/Hello-World/pull/42/commits/123456"
                        .into(),
                ..Pull::default()
            }],
            ..Refs::default()
        }
    }

    #[test]
    fn refs_for_pull_request_builds_links() {
        assert_eq!(
            refs_for_pull_request(&sample_pr(), "abcdef"),
            sample_pr_refs()
        );
    }

    #[test]
    fn new_presubmit_labels_refs_and_spec() {
        let job = Presubmit {
            job_base: JobBase {
                name: "job".into(),
                labels: map(&[("job-label", "x")]),
                annotations: map(&[("job-annotation", "y")]),
                ..JobBase::default()
            },
            reporter: Reporter {
                context: "job-context".into(),
                skip_report: false,
            },
            optional: true,
            ..Presubmit::default()
        };
        let pj = new_presubmit(
            &sample_pr(),
            "abcdef",
            &job,
            "guid-1",
            &map(&[("extra-label", "foo")]),
            now(),
        );
        let want_labels = map(&[
            (CREATED_BY_PROW, "true"),
            (PROW_JOB_ANNOTATION, "job"),
            (CONTEXT_ANNOTATION, "job-context"),
            (PROW_JOB_TYPE_LABEL, "presubmit"),
            (ORG_LABEL, "kubernetes"),
            (REPO_LABEL, "Hello-World"),
            (BASE_REF_LABEL, "master"),
            (PULL_LABEL, "42"),
            ("extra-label", "foo"),
            ("job-label", "x"),
            (EVENT_GUID_LABEL, "guid-1"),
            (IS_OPTIONAL_LABEL, "true"),
        ]);
        assert_eq!(pj.metadata.labels, want_labels);
        assert_eq!(
            pj.metadata.annotations,
            map(&[
                (PROW_JOB_ANNOTATION, "job"),
                (CONTEXT_ANNOTATION, "job-context"),
                ("job-annotation", "y"),
            ])
        );
        assert_eq!(pj.spec.refs, Some(sample_pr_refs()));
        assert!(pj.spec.report);
        assert_eq!(pj.spec.type_, Some(ProwJobType::Presubmit));
    }

    fn sample_push() -> PushEvent {
        PushEvent {
            r#ref: "refs/heads/main".into(),
            after: "abc123".into(),
            compare: "https://github.com/o/r/compare/1...abc123".into(),
            repo: Repo {
                name: "r".into(),
                html_url: "https://github.com/o/r".into(),
                owner: User {
                    login: "o".into(),
                    name: Some("o".into()),
                    ..User::default()
                },
                ..Repo::default()
            },
            guid: "push-guid".into(),
            ..PushEvent::default()
        }
    }

    #[test]
    fn refs_for_push_cases() {
        let want = Refs {
            org: "o".into(),
            repo: "r".into(),
            repo_link: "https://github.com/o/r".into(),
            base_ref: "main".into(),
            base_sha: "abc123".into(),
            base_link: "https://github.com/o/r/compare/1...abc123".into(),
            ..Refs::default()
        };
        assert_eq!(refs_for_push(&sample_push()), want, "owner name");
        let mut no_name = sample_push();
        no_name.repo.owner.name = None;
        assert_eq!(refs_for_push(&no_name), want, "owner login fallback");
        let mut tag = sample_push();
        tag.r#ref = "refs/tags/v1.0".into();
        assert_eq!(refs_for_push(&tag).base_ref, "v1.0", "tag push");
    }

    #[test]
    fn new_postsubmit_from_push() {
        let job = Postsubmit {
            job_base: JobBase {
                name: "post".into(),
                labels: map(&[("l", "v")]),
                ..JobBase::default()
            },
            ..Postsubmit::default()
        };
        let pj = new_postsubmit(&sample_push(), &job, now());
        assert_eq!(pj.metadata.labels[EVENT_GUID_LABEL], "push-guid");
        assert_eq!(pj.metadata.labels["l"], "v");
        assert_eq!(pj.spec.type_, Some(ProwJobType::Postsubmit));
        assert_eq!(pj.spec.refs.unwrap().base_sha, "abc123");
    }

    fn job(name: &str, state: ProwJobState, completed: bool) -> ProwJob {
        let mut pj = ProwJob::default();
        pj.metadata.name = name.into();
        pj.status.state = Some(state);
        if completed {
            pj.status.completion_time = Some(now());
        }
        pj
    }

    #[test]
    fn partition_active_cases() {
        let jobs = vec![
            job("foo", ProwJobState::Triggered, false),
            job("bar", ProwJobState::Pending, false),
            job("baz", ProwJobState::Success, true),
            job("error", ProwJobState::Error, true),
            job("bak", ProwJobState::Pending, false),
            job("aborted", ProwJobState::Aborted, false),
            job("aborted-and-completed", ProwJobState::Aborted, true),
        ];
        let active = partition_active(&jobs);
        let names = |v: &[&ProwJob]| {
            v.iter()
                .map(|p| p.metadata.name.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&active.pending), ["bar", "bak"]);
        assert_eq!(names(&active.triggered), ["foo"]);
        assert_eq!(names(&active.aborted), ["aborted"]);
    }

    #[test]
    fn latest_jobs_cases() {
        let at = |name: &str, job: &str, t: ProwJobType, hour: u32| {
            let mut pj = ProwJob::default();
            pj.metadata.name = name.into();
            pj.spec.job = job.into();
            pj.spec.type_ = Some(t);
            pj.status.start_time = Some(Utc.with_ymd_and_hms(2017, 10, 26, hour, 22, 19).unwrap());
            pj
        };
        let jobs = vec![
            at("831c7df0", "ext", ProwJobType::Presubmit, 23),
            at("0079d4d3", "ext", ProwJobType::Presubmit, 22),
            at("later-periodic", "ext", ProwJobType::Periodic, 23),
            at("other", "unit", ProwJobType::Presubmit, 1),
        ];
        let names = |m: BTreeMap<String, ProwJob>| {
            m.into_iter()
                .map(|(k, v)| (k, v.metadata.name))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(latest_jobs(&jobs, Some(ProwJobType::Presubmit))),
            [
                ("ext".into(), "831c7df0".into()),
                ("unit".into(), "other".into())
            ]
        );
        assert_eq!(
            names(latest_jobs(&jobs[1..], None)),
            [
                ("ext".into(), "later-periodic".into()),
                ("unit".into(), "other".into())
            ]
        );
        assert!(latest_jobs(&jobs, Some(ProwJobType::Batch)).is_empty());
    }

    #[test]
    fn build_ids_are_snowflakes() {
        let t = Utc.with_ymd_and_hms(2025, 12, 6, 9, 0, 0).unwrap();
        let g = BuildIdGenerator::default();
        let first: i64 = g.next_id_at(t).parse().unwrap();
        let ms = t.timestamp_millis() - SNOWFLAKE_EPOCH_MS;
        assert_eq!(first, (ms << 22) | (1 << 12), "time, node 1, step 0");
        assert_eq!(first.to_string().len(), 19);
        let second: i64 = g.next_id_at(t).parse().unwrap();
        assert_eq!(second, first + 1, "same millisecond bumps the step");
        let earlier: i64 = g
            .next_id_at(t - chrono::Duration::seconds(5))
            .parse()
            .unwrap();
        assert!(earlier > second, "clock stepping back stays monotonic");
    }

    #[test]
    fn build_ids_overflowing_a_millisecond_stay_unique_and_increasing() {
        let t = Utc.with_ymd_and_hms(2025, 12, 6, 9, 0, 0).unwrap();
        let g = BuildIdGenerator::new(7);
        let ids: Vec<i64> = (0..10_000)
            .map(|_| g.next_id_at(t).parse().unwrap())
            .collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        assert!(ids.iter().all(|id| (id >> 12) & 0x3ff == 7), "node bits");
    }

    #[test]
    fn build_ids_are_unique_across_threads() {
        let g = std::sync::Arc::new(BuildIdGenerator::default());
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let g = g.clone();
                std::thread::spawn(move || (0..2000).map(|_| g.next_id()).collect::<Vec<_>>())
            })
            .collect();
        let mut all: Vec<String> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        let n = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), n);
    }

    #[test]
    fn go_path_join_and_clean() {
        let cases = [
            (vec!["", ""], ""),
            (vec!["a", "b"], "a/b"),
            (
                vec!["/view/", "gs", "bucket/a://x", "pr-logs"],
                "/view/gs/bucket/a:/x/pr-logs",
            ),
            (vec!["a", "", "b/../c"], "a/c"),
            (vec!["/", ".."], "/"),
            (vec!["..", "a"], "../a"),
        ];
        for (elems, want) in cases {
            assert_eq!(join_path(&elems), want, "{elems:?}");
        }
    }

    fn url_job(bucket: &str) -> ProwJob {
        let spec = ProwJobSpec {
            type_: Some(ProwJobType::Presubmit),
            refs: Some(Refs {
                org: "org".into(),
                repo: "repo".into(),
                pulls: vec![Pull {
                    number: 1,
                    ..Pull::default()
                }],
                ..Refs::default()
            }),
            decoration_config: Some(DecorationConfig {
                gcs_configuration: Some(GCSConfiguration {
                    bucket: bucket.into(),
                    path_strategy: PATH_STRATEGY_EXPLICIT.into(),
                    ..GCSConfiguration::default()
                }),
                ..DecorationConfig::default()
            }),
            ..ProwJobSpec::default()
        };
        ProwJob {
            spec,
            ..ProwJob::default()
        }
    }

    #[test]
    fn job_url_cases() {
        use crate::config::prow::Plank;
        let template = |t: &str| Plank {
            job_url_template: t.into(),
            ..Plank::default()
        };
        let prefix = |p: &str, disable: bool| Plank {
            job_url_prefix_config: map(&[("*", p)]),
            job_url_prefix_disable_append_storage_provider: disable,
            ..Plank::default()
        };
        let mut periodic = ProwJob::default();
        periodic.spec.type_ = Some(ProwJobType::Periodic);
        let mut decorated_periodic = url_job("gs://bucket");
        decorated_periodic.spec.type_ = Some(ProwJobType::Periodic);
        decorated_periodic.spec.job = "ci-job".into();
        decorated_periodic.status.build_id = "123".into();
        let cases: Vec<(&str, Plank, ProwJob, Result<&str, &str>)> = vec![
            (
                "non-decorated job uses template",
                template("{{.Spec.Type}}"),
                periodic.clone(),
                Ok("periodic"),
            ),
            (
                "non-decorated job with unknown field gives empty string",
                template("{{.Garbage}}"),
                ProwJob::default(),
                Ok(""),
            ),
            (
                "decorated job without prefix uses template",
                template("{{.Spec.Type}}"),
                {
                    let mut pj = url_job("gs://bucket");
                    pj.spec.type_ = Some(ProwJobType::Periodic);
                    pj
                },
                Ok("periodic"),
            ),
            (
                "decorated job with prefix uses gcsupload",
                prefix("https://gubernator.com/build", true),
                url_job("bucket"),
                Ok("https://gubernator.com/build/bucket/pr-logs/pull/org_repo/1"),
            ),
            (
                "decorated job with prefix and gcs bucket (new job url format)",
                prefix("https://prow.k8s.io/view/", false),
                url_job("gs://bucket"),
                Ok("https://prow.k8s.io/view/gs/bucket/pr-logs/pull/org_repo/1"),
            ),
            (
                "decorated job with prefix and s3 bucket",
                prefix("https://prow.k8s.io/view/", false),
                url_job("s3://bucket"),
                Ok("https://prow.k8s.io/view/s3/bucket/pr-logs/pull/org_repo/1"),
            ),
            (
                "decorated job with valid bucket with multiple separators",
                prefix("https://prow.k8s.io/view/", false),
                url_job("gs://my-floppy-backup/a://doom2.wad.006"),
                Ok(
                    "https://prow.k8s.io/view/gs/my-floppy-backup/a:/doom2.wad.006/pr-logs/pull/org_repo/1",
                ),
            ),
            (
                "decorated periodic with job and build id",
                prefix("https://prow.k8s.io/view/", false),
                decorated_periodic,
                Ok("https://prow.k8s.io/view/gs/bucket/logs/ci-job/123"),
            ),
            (
                "job's own gcs prefix wins",
                prefix("https://prow.k8s.io/view/", false),
                {
                    let mut pj = url_job("gs://bucket");
                    let gcs = pj
                        .spec
                        .decoration_config
                        .as_mut()
                        .and_then(|d| d.gcs_configuration.as_mut())
                        .unwrap();
                    gcs.job_url_prefix = "https://mine.example.com".into();
                    pj
                },
                Ok("https://mine.example.com/gs/bucket/pr-logs/pull/org_repo/1"),
            ),
            (
                "broken template is an error",
                template("{{.Spec.Type | nope}}"),
                periodic,
                Err(
                    "error executing URL template: template: JobURL:1: function \"nope\" not defined",
                ),
            ),
        ];
        for (name, plank, pj, want) in cases {
            let got = job_url(&plank, &pj).map_err(|e| e.to_string());
            assert_eq!(got.as_deref().map_err(String::as_str), want, "{name}");
        }
    }

    #[test]
    fn storage_paths_per_strategy() {
        let gcs = |strategy: &str| GCSConfiguration {
            path_strategy: strategy.into(),
            default_org: "kubernetes".into(),
            default_repo: "kubernetes".into(),
            ..GCSConfiguration::default()
        };
        let cases = [
            (
                PATH_STRATEGY_EXPLICIT,
                "kubernetes",
                "kubernetes",
                Some("kubernetes_kubernetes"),
            ),
            (PATH_STRATEGY_LEGACY, "kubernetes", "kubernetes", Some("")),
            (
                PATH_STRATEGY_LEGACY,
                "kubernetes",
                "test-infra",
                Some("test-infra"),
            ),
            (PATH_STRATEGY_LEGACY, "other", "repo", Some("other_repo")),
            (
                PATH_STRATEGY_SINGLE,
                "kubernetes",
                "test-infra",
                Some("kubernetes_test-infra"),
            ),
            (PATH_STRATEGY_SINGLE, "kubernetes", "kubernetes", Some("")),
            (
                PATH_STRATEGY_EXPLICIT,
                "https://gerrit.example.com/",
                "a/b",
                Some("gerrit.example.com_a_b"),
            ),
            ("bogus", "o", "r", None),
        ];
        for (strategy, org, repo, want) in cases {
            assert_eq!(
                repo_path_segment(&gcs(strategy), org, repo).as_deref(),
                want,
                "{strategy} {org}/{repo}"
            );
        }
        let mut pj = url_job("gs://bucket");
        pj.spec.job = "pull-unit".into();
        pj.status.build_id = "42".into();
        let mut g = gcs(PATH_STRATEGY_EXPLICIT);
        g.path_prefix = "prefix".into();
        assert_eq!(
            job_storage_path(&g, &pj).unwrap(),
            "prefix/pr-logs/pull/org_repo/1/pull-unit/42"
        );
        pj.spec.type_ = Some(ProwJobType::Batch);
        assert_eq!(
            job_storage_path(&gcs(PATH_STRATEGY_EXPLICIT), &pj).unwrap(),
            "pr-logs/pull/batch/pull-unit/42"
        );
        pj.spec.type_ = Some(ProwJobType::Presubmit);
        pj.spec.refs = None;
        assert_eq!(
            job_storage_path(&gcs(PATH_STRATEGY_EXPLICIT), &pj),
            Err(JobUrlError::MissingPull("pull-unit".into()))
        );
    }
}
