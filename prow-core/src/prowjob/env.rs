//! The downward API of a job: the `JOB_SPEC` document and the environment variables
//! (`JOB_NAME`, `BUILD_ID`, `PULL_REFS`, ...) Prow exposes to the code a ProwJob runs.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{DecorationConfig, ProwJob, ProwJobAgent, ProwJobSpec, ProwJobType, Refs};

/// Always `true` inside a job.
pub const CI_ENV: &str = "CI";
/// The serialized [`JobSpec`].
pub const JOB_SPEC_ENV: &str = "JOB_SPEC";
/// Name of the job.
pub const JOB_NAME_ENV: &str = "JOB_NAME";
/// Type of the job.
pub const JOB_TYPE_ENV: &str = "JOB_TYPE";
/// Name of the ProwJob.
pub const PROW_JOB_ID_ENV: &str = "PROW_JOB_ID";
/// Build id.
pub const BUILD_ID_ENV: &str = "BUILD_ID";
/// Deprecated copy of the build id, set for the kubernetes agent only.
pub const PROW_BUILD_ID_ENV: &str = "BUILD_NUMBER";
/// Org of the refs.
pub const REPO_OWNER_ENV: &str = "REPO_OWNER";
/// Repo of the refs.
pub const REPO_NAME_ENV: &str = "REPO_NAME";
/// Path of the repository under its host (e.g. `org/repo`).
pub const SRC_BASE_ENV: &str = "SRC_BASE";
/// Host of the repository (e.g. `github.com`).
pub const SRC_HOST_ENV: &str = "SRC_HOST";
/// Base branch.
pub const PULL_BASE_REF_ENV: &str = "PULL_BASE_REF";
/// Base commit.
pub const PULL_BASE_SHA_ENV: &str = "PULL_BASE_SHA";
/// All refs, as `base_ref:base_sha,number:sha,...`.
pub const PULL_REFS_ENV: &str = "PULL_REFS";
/// Number of the pull request.
pub const PULL_NUMBER_ENV: &str = "PULL_NUMBER";
/// Head commit of the pull request.
pub const PULL_PULL_SHA_ENV: &str = "PULL_PULL_SHA";
/// Head branch of the pull request.
pub const PULL_HEAD_REF_ENV: &str = "PULL_HEAD_REF";
/// Title of the pull request.
pub const PULL_TITLE_ENV: &str = "PULL_TITLE";

/// Host assumed for repositories without a path alias or repo link.
const DEFAULT_SRC_HOST: &str = "github.com";

/// What a job learns about itself, serialized into `$JOB_SPEC`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct JobSpec {
    /// Type of the job.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<ProwJobType>,
    /// Name of the job.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub job: String,
    /// Build id.
    #[serde(rename = "buildid", default, skip_serializing_if = "String::is_empty")]
    pub build_id: String,
    /// Name of the ProwJob.
    #[serde(
        rename = "prowjobid",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub prow_job_id: String,
    /// Code under test.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refs: Option<Refs>,
    /// Further repositories.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra_refs: Vec<Refs>,
    /// Decoration settings of the job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decoration_config: Option<DecorationConfig>,
    /// Agent of the job; decides whether `BUILD_NUMBER` is set. Never serialized.
    #[serde(skip)]
    pub agent: Option<ProwJobAgent>,
}

/// Errors computing or reading the job environment.
#[derive(Debug, thiserror::Error)]
pub enum EnvError {
    /// The job spec could not be serialized.
    #[error("failed to marshal job spec: {0}")]
    Marshal(serde_json::Error),
    /// A job type other than periodic has no refs.
    #[error("{0} job spec has no refs")]
    MissingRefs(String),
    /// A presubmit has no pulls.
    #[error("presubmit job spec has no pulls")]
    MissingPulls,
    /// `$JOB_SPEC` is not set.
    #[error("$JOB_SPEC unset")]
    Unset,
    /// `$JOB_SPEC` does not parse.
    #[error("malformed $JOB_SPEC: {0}")]
    Malformed(serde_json::Error),
}

impl JobSpec {
    /// The job spec of a ProwJob spec with the given build id and ProwJob name.
    pub fn new(spec: &ProwJobSpec, build_id: &str, prow_job_id: &str) -> JobSpec {
        JobSpec {
            type_: spec.type_.clone(),
            job: spec.job.clone(),
            build_id: build_id.to_string(),
            prow_job_id: prow_job_id.to_string(),
            refs: spec.refs.clone(),
            extra_refs: spec.extra_refs.clone(),
            decoration_config: spec.decoration_config.clone(),
            agent: spec.agent.clone(),
        }
    }

    /// The job spec of a ProwJob: its spec, `status.build_id` and `metadata.name`.
    pub fn from_prowjob(pj: &ProwJob) -> JobSpec {
        JobSpec::new(&pj.spec, &pj.status.build_id, &pj.metadata.name)
    }

    /// Serializes the spec as upstream's `$JOB_SPEC`: compact JSON, fields in upstream's
    /// order, with `<`, `>`, `&`, U+2028 and U+2029 escaped as Go's encoder does.
    pub fn to_json(&self) -> Result<String, EnvError> {
        serde_json::to_string(self)
            .map(|s| go_html_escape(&s))
            .map_err(EnvError::Marshal)
    }

    /// Parses a `$JOB_SPEC` value.
    pub fn from_json(raw: &str) -> Result<JobSpec, EnvError> {
        serde_json::from_str(raw).map_err(EnvError::Malformed)
    }

    /// Reads the job spec from the `JOB_SPEC` environment variable.
    pub fn resolve_from_env() -> Result<JobSpec, EnvError> {
        let raw = std::env::var(JOB_SPEC_ENV).map_err(|_| EnvError::Unset)?;
        JobSpec::from_json(&raw)
    }

    /// The refs deciding the job's version: `refs`, else the first non-auxiliary extra ref.
    pub fn main_refs(&self) -> Option<&Refs> {
        main_refs(self.refs.as_ref(), &self.extra_refs)
    }

    /// The revision under test: first pull's SHA, else base SHA, else base ref, of
    /// [`JobSpec::main_refs`]; empty when there are none.
    pub fn revision(&self) -> String {
        revision_from_refs(self.refs.as_ref(), &self.extra_refs)
    }
}

fn main_refs<'a>(refs: Option<&'a Refs>, extra: &'a [Refs]) -> Option<&'a Refs> {
    refs.or_else(|| extra.iter().find(|r| !r.auxiliary))
}

/// The revision under test of `refs` (or the first non-auxiliary of `extra`): first
/// pull's SHA, else base SHA, else base ref; empty when there are no refs.
pub fn revision_from_refs(refs: Option<&Refs>, extra: &[Refs]) -> String {
    let Some(r) = main_refs(refs, extra) else {
        return String::new();
    };
    if let Some(pull) = r.pulls.first() {
        pull.sha.clone()
    } else if !r.base_sha.is_empty() {
        r.base_sha.clone()
    } else {
        r.base_ref.clone()
    }
}

/// Escapes characters Go's JSON encoder escapes by default but serde_json does not.
/// They can only occur inside JSON strings, so a plain replacement is safe.
fn go_html_escape(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// The environment variables a job with this spec gets.
///
/// Every job gets `CI`, `JOB_NAME`, `JOB_TYPE`, `JOB_SPEC`, `BUILD_ID`, `PROW_JOB_ID`
/// (and `BUILD_NUMBER` for the kubernetes agent). Jobs other than periodics add
/// `REPO_OWNER`, `REPO_NAME`, `SRC_HOST`, `SRC_BASE`, `PULL_BASE_REF`, `PULL_BASE_SHA`
/// and `PULL_REFS`; presubmits (and unknown types) also `PULL_NUMBER`, `PULL_PULL_SHA`,
/// `PULL_HEAD_REF` and `PULL_TITLE` of the first pull. Where upstream would crash on
/// missing refs or pulls this returns an error.
pub fn env_for_spec(spec: &JobSpec) -> Result<BTreeMap<String, String>, EnvError> {
    let mut env = BTreeMap::new();
    let mut set = |k: &str, v: &str| {
        env.insert(k.to_string(), v.to_string());
    };
    let type_str = spec.type_.as_ref().map(|t| t.as_str()).unwrap_or("");
    set(CI_ENV, "true");
    set(JOB_NAME_ENV, &spec.job);
    set(BUILD_ID_ENV, &spec.build_id);
    set(PROW_JOB_ID_ENV, &spec.prow_job_id);
    set(JOB_TYPE_ENV, type_str);
    if spec.agent == Some(ProwJobAgent::Kubernetes) {
        set(PROW_BUILD_ID_ENV, &spec.build_id);
    }
    set(JOB_SPEC_ENV, &spec.to_json()?);

    if spec.type_ == Some(ProwJobType::Periodic) {
        return Ok(env);
    }

    let refs = spec
        .refs
        .as_ref()
        .ok_or_else(|| EnvError::MissingRefs(type_str.to_string()))?;
    set(REPO_OWNER_ENV, &refs.org);
    set(REPO_NAME_ENV, &refs.repo);

    let (src_host, src_base) = src_host_and_base(refs);
    set(SRC_HOST_ENV, &src_host);
    set(SRC_BASE_ENV, &src_base);

    set(PULL_BASE_REF_ENV, &refs.base_ref);
    set(PULL_BASE_SHA_ENV, &refs.base_sha);
    set(PULL_REFS_ENV, &refs.to_string());

    if matches!(
        spec.type_,
        Some(ProwJobType::Postsubmit | ProwJobType::Batch)
    ) {
        return Ok(env);
    }

    let pull = refs.pulls.first().ok_or(EnvError::MissingPulls)?;
    set(PULL_NUMBER_ENV, &pull.number.to_string());
    set(PULL_PULL_SHA_ENV, &pull.sha);
    set(PULL_HEAD_REF_ENV, &pull.head_ref);
    set(PULL_TITLE_ENV, &pull.title);
    Ok(env)
}

/// Host and path of the repository, as clonerefs lays it out: from the path alias
/// (`host/base`), else from the repo link, else `github.com` and `org/repo`.
fn src_host_and_base(refs: &Refs) -> (String, String) {
    let split = |s: &str| match s.split_once('/') {
        Some((host, base)) => (host.to_string(), base.to_string()),
        None => (s.to_string(), format!("{}/{}", refs.org, refs.repo)),
    };
    if !refs.path_alias.is_empty() {
        split(&refs.path_alias)
    } else if !refs.repo_link.is_empty() {
        let host_and_path = refs.repo_link.rsplit("://").next().unwrap_or("");
        split(host_and_path)
    } else {
        (
            DEFAULT_SRC_HOST.to_string(),
            format!("{}/{}", refs.org, refs.repo),
        )
    }
}

/// The names of the variables [`env_for_spec`] sets for a job type (empty for unknown
/// types).
pub fn env_for_type(job_type: &ProwJobType) -> Vec<&'static str> {
    let base = [
        CI_ENV,
        JOB_NAME_ENV,
        JOB_SPEC_ENV,
        JOB_TYPE_ENV,
        PROW_JOB_ID_ENV,
        BUILD_ID_ENV,
        PROW_BUILD_ID_ENV,
    ];
    let refs = [
        REPO_OWNER_ENV,
        REPO_NAME_ENV,
        SRC_BASE_ENV,
        SRC_HOST_ENV,
        PULL_BASE_REF_ENV,
        PULL_BASE_SHA_ENV,
        PULL_REFS_ENV,
    ];
    let pull = [
        PULL_NUMBER_ENV,
        PULL_PULL_SHA_ENV,
        PULL_HEAD_REF_ENV,
        PULL_TITLE_ENV,
    ];
    match job_type {
        ProwJobType::Periodic => base.to_vec(),
        ProwJobType::Postsubmit | ProwJobType::Batch => [&base[..], &refs[..]].concat(),
        ProwJobType::Presubmit => [&base[..], &refs[..], &pull[..]].concat(),
        ProwJobType::Other(_) => Vec::new(),
    }
}

/// Whether the `CI` environment variable is set to something non-empty.
pub fn in_ci() -> bool {
    std::env::var_os(CI_ENV).is_some_and(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::duration::GoDuration;
    use crate::prowjob::{GCSConfiguration, Pull};

    fn refs(base_ref: &str, base_sha: &str, pulls: Vec<Pull>) -> Refs {
        Refs {
            org: "org-name".into(),
            repo: "repo-name".into(),
            base_ref: base_ref.into(),
            base_sha: base_sha.into(),
            pulls,
            ..Refs::default()
        }
    }

    fn pull(number: i64, author: &str, sha: &str, head_ref: &str, title: &str) -> Pull {
        Pull {
            number,
            author: author.into(),
            sha: sha.into(),
            head_ref: head_ref.into(),
            title: title.into(),
            ..Pull::default()
        }
    }

    fn spec(type_: ProwJobType, refs: Option<Refs>, agent: Option<ProwJobAgent>) -> JobSpec {
        JobSpec {
            type_: Some(type_),
            job: "job-name".into(),
            build_id: "0".into(),
            prow_job_id: "prowjob".into(),
            refs,
            agent,
            ..JobSpec::default()
        }
    }

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn base_env(type_: &str, job_spec: &str, more: &[(&str, &str)]) -> BTreeMap<String, String> {
        let mut m = env(&[
            ("CI", "true"),
            ("JOB_NAME", "job-name"),
            ("BUILD_ID", "0"),
            ("PROW_JOB_ID", "prowjob"),
            ("JOB_TYPE", type_),
            ("JOB_SPEC", job_spec),
        ]);
        m.extend(env(more));
        m
    }

    #[test]
    fn environment_for_spec() {
        let refs_env = |base: &str, host: &str, refs: &str| {
            vec![
                ("REPO_OWNER", "org-name".to_string()),
                ("REPO_NAME", "repo-name".to_string()),
                ("SRC_BASE", base.to_string()),
                ("SRC_HOST", host.to_string()),
                ("PULL_BASE_REF", "base-ref".to_string()),
                ("PULL_BASE_SHA", "base-sha".to_string()),
                ("PULL_REFS", refs.to_string()),
            ]
        };
        let with = |type_: &str, job_spec: &str, more: Vec<(&str, String)>| {
            let more: Vec<(&str, &str)> = more.iter().map(|(k, v)| (*k, v.as_str())).collect();
            base_env(type_, job_spec, &more)
        };

        let mut alias_refs = refs("base-ref", "base-sha", vec![]);
        alias_refs.path_alias = "k8s.io/repo-name".into();
        let mut link_refs = refs("base-ref", "base-sha", vec![]);
        link_refs.repo_link = "https://gitlab.com/org-name/repo-name".into();

        let cases: Vec<(&str, JobSpec, BTreeMap<String, String>)> = vec![
            (
                "periodic job",
                spec(ProwJobType::Periodic, None, None),
                base_env(
                    "periodic",
                    r#"{"type":"periodic","job":"job-name","buildid":"0","prowjobid":"prowjob"}"#,
                    &[],
                ),
            ),
            (
                "postsubmit job",
                spec(
                    ProwJobType::Postsubmit,
                    Some(refs("base-ref", "base-sha", vec![])),
                    None,
                ),
                with(
                    "postsubmit",
                    r#"{"type":"postsubmit","job":"job-name","buildid":"0","prowjobid":"prowjob","refs":{"org":"org-name","repo":"repo-name","base_ref":"base-ref","base_sha":"base-sha"}}"#,
                    refs_env("org-name/repo-name", "github.com", "base-ref:base-sha"),
                ),
            ),
            (
                "batch job",
                spec(
                    ProwJobType::Batch,
                    Some(refs(
                        "base-ref",
                        "base-sha",
                        vec![
                            pull(1, "author-name", "pull-sha", "branch-name-1", ""),
                            pull(
                                2,
                                "other-author-name",
                                "second-pull-sha",
                                "branch-name-2",
                                "",
                            ),
                        ],
                    )),
                    None,
                ),
                with(
                    "batch",
                    r#"{"type":"batch","job":"job-name","buildid":"0","prowjobid":"prowjob","refs":{"org":"org-name","repo":"repo-name","base_ref":"base-ref","base_sha":"base-sha","pulls":[{"number":1,"author":"author-name","sha":"pull-sha","head_ref":"branch-name-1"},{"number":2,"author":"other-author-name","sha":"second-pull-sha","head_ref":"branch-name-2"}]}}"#,
                    refs_env(
                        "org-name/repo-name",
                        "github.com",
                        "base-ref:base-sha,1:pull-sha,2:second-pull-sha",
                    ),
                ),
            ),
            (
                "presubmit job",
                spec(
                    ProwJobType::Presubmit,
                    Some(refs(
                        "base-ref",
                        "base-sha",
                        vec![pull(
                            1,
                            "author-name",
                            "pull-sha",
                            "branch-name",
                            "pull-title",
                        )],
                    )),
                    None,
                ),
                with(
                    "presubmit",
                    r#"{"type":"presubmit","job":"job-name","buildid":"0","prowjobid":"prowjob","refs":{"org":"org-name","repo":"repo-name","base_ref":"base-ref","base_sha":"base-sha","pulls":[{"number":1,"author":"author-name","sha":"pull-sha","title":"pull-title","head_ref":"branch-name"}]}}"#,
                    [
                        refs_env(
                            "org-name/repo-name",
                            "github.com",
                            "base-ref:base-sha,1:pull-sha",
                        ),
                        vec![
                            ("PULL_HEAD_REF", "branch-name".to_string()),
                            ("PULL_NUMBER", "1".to_string()),
                            ("PULL_PULL_SHA", "pull-sha".to_string()),
                            ("PULL_TITLE", "pull-title".to_string()),
                        ],
                    ]
                    .concat(),
                ),
            ),
            (
                "postsubmit job with path alias",
                spec(ProwJobType::Postsubmit, Some(alias_refs), None),
                with(
                    "postsubmit",
                    r#"{"type":"postsubmit","job":"job-name","buildid":"0","prowjobid":"prowjob","refs":{"org":"org-name","repo":"repo-name","base_ref":"base-ref","base_sha":"base-sha","path_alias":"k8s.io/repo-name"}}"#,
                    refs_env("repo-name", "k8s.io", "base-ref:base-sha"),
                ),
            ),
            (
                "postsubmit job with repo link",
                spec(ProwJobType::Postsubmit, Some(link_refs), None),
                with(
                    "postsubmit",
                    r#"{"type":"postsubmit","job":"job-name","buildid":"0","prowjobid":"prowjob","refs":{"org":"org-name","repo":"repo-name","repo_link":"https://gitlab.com/org-name/repo-name","base_ref":"base-ref","base_sha":"base-sha"}}"#,
                    refs_env("org-name/repo-name", "gitlab.com", "base-ref:base-sha"),
                ),
            ),
            (
                "kubernetes agent",
                spec(ProwJobType::Periodic, None, Some(ProwJobAgent::Kubernetes)),
                base_env(
                    "periodic",
                    r#"{"type":"periodic","job":"job-name","buildid":"0","prowjobid":"prowjob"}"#,
                    &[("BUILD_NUMBER", "0")],
                ),
            ),
            (
                "jenkins agent",
                spec(ProwJobType::Periodic, None, Some(ProwJobAgent::Jenkins)),
                base_env(
                    "periodic",
                    r#"{"type":"periodic","job":"job-name","buildid":"0","prowjobid":"prowjob"}"#,
                    &[],
                ),
            ),
        ];

        for (name, spec, expected) in cases {
            let actual = env_for_spec(&spec).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(actual, expected, "{name}");
        }
    }

    #[test]
    fn job_spec_escapes_like_go_and_reads_back() {
        let mut s = spec(
            ProwJobType::Presubmit,
            Some(refs(
                "main",
                "abc",
                vec![pull(7, "me", "def", "fix", "Use <T> & friends\u{2028}")],
            )),
            Some(ProwJobAgent::Kubernetes),
        );
        s.decoration_config = Some(DecorationConfig {
            timeout: Some(GoDuration::from_std(std::time::Duration::from_secs(7200))),
            gcs_configuration: Some(GCSConfiguration {
                bucket: "gs://bucket".into(),
                path_strategy: "explicit".into(),
                ..GCSConfiguration::default()
            }),
            ..DecorationConfig::default()
        });
        let json = s.to_json().unwrap();
        assert!(
            json.contains(r#""title":"Use \u003cT\u003e \u0026 friends\u2028""#),
            "{json}"
        );
        assert!(
            json.ends_with(r#""decoration_config":{"timeout":"2h0m0s","gcs_configuration":{"bucket":"gs://bucket","path_strategy":"explicit"}}}"#),
            "{json}"
        );
        let back = JobSpec::from_json(&json).unwrap();
        // The agent is not part of the document.
        assert_eq!(back.agent, None);
        assert_eq!(back, JobSpec { agent: None, ..s });
    }

    #[test]
    fn missing_refs_or_pulls_are_errors() {
        let cases = [
            (
                spec(ProwJobType::Postsubmit, None, None),
                "postsubmit job spec has no refs",
            ),
            (
                spec(ProwJobType::Presubmit, Some(refs("main", "", vec![])), None),
                "presubmit job spec has no pulls",
            ),
        ];
        for (spec, message) in cases {
            let err = env_for_spec(&spec).unwrap_err();
            assert_eq!(err.to_string(), message);
        }
    }

    #[test]
    fn malformed_job_spec() {
        let err = JobSpec::from_json("{not json").unwrap_err();
        assert!(
            err.to_string().starts_with("malformed $JOB_SPEC: "),
            "{err}"
        );
    }

    #[test]
    fn from_prowjob_takes_build_id_and_name() {
        let mut pj = ProwJob::default();
        pj.metadata.name = "pj-name".into();
        pj.status.build_id = "42".into();
        pj.spec.job = "j".into();
        pj.spec.type_ = Some(ProwJobType::Periodic);
        pj.spec.agent = Some(ProwJobAgent::Kubernetes);
        let js = JobSpec::from_prowjob(&pj);
        assert_eq!(
            (
                js.build_id.as_str(),
                js.prow_job_id.as_str(),
                js.job.as_str()
            ),
            ("42", "pj-name", "j")
        );
        let env = env_for_spec(&js).unwrap();
        assert_eq!(env.get("BUILD_NUMBER").map(String::as_str), Some("42"));
    }

    #[test]
    fn revision_from_spec() {
        let bare = |base_ref: &str, base_sha: &str, auxiliary: bool| Refs {
            base_ref: base_ref.into(),
            base_sha: base_sha.into(),
            auxiliary,
            ..Refs::default()
        };
        let with_pull = Refs {
            pulls: vec![Pull {
                number: 123,
                sha: "abcd1234".into(),
                ..Pull::default()
            }],
            ..bare("master", "deadbeef", false)
        };
        let cases: Vec<(&str, Option<Refs>, Vec<Refs>, &str)> = vec![
            ("Refs with Pull", Some(with_pull), vec![], "abcd1234"),
            (
                "Refs with BaseSHA",
                Some(bare("master", "deadbeef", false)),
                vec![],
                "deadbeef",
            ),
            (
                "Refs with BaseRef",
                Some(bare("master", "", false)),
                vec![],
                "master",
            ),
            (
                "Refs from extra_refs",
                None,
                vec![bare("master", "", false)],
                "master",
            ),
            (
                "Refs from many extra_refs",
                None,
                vec![bare("master", "", false), bare("main", "", false)],
                "master",
            ),
            (
                "Skip auxiliary extra ref",
                None,
                vec![bare("master", "", true), bare("main", "", false)],
                "main",
            ),
            ("No refs", None, vec![], ""),
        ];
        for (name, refs, extra_refs, expected) in cases {
            let spec = JobSpec {
                refs,
                extra_refs,
                ..JobSpec::default()
            };
            assert_eq!(spec.revision(), expected, "{name}");
        }
    }

    #[test]
    fn env_names_per_type() {
        let cases = [
            (ProwJobType::Periodic, 7, false, false),
            (ProwJobType::Postsubmit, 14, true, false),
            (ProwJobType::Batch, 14, true, false),
            (ProwJobType::Presubmit, 18, true, true),
            (ProwJobType::Other("custom".into()), 0, false, false),
        ];
        for (t, len, has_refs, has_pull) in cases {
            let names = env_for_type(&t);
            assert_eq!(names.len(), len, "{t}");
            assert_eq!(names.contains(&PULL_REFS_ENV), has_refs, "{t}");
            assert_eq!(names.contains(&PULL_NUMBER_ENV), has_pull, "{t}");
        }
    }
}
