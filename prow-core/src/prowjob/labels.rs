//! Label and annotation keys Prow puts on ProwJobs and the resources they own, and the
//! computation of a ProwJob's labels and annotations from its spec.

use std::collections::BTreeMap;

use super::{ProwJob, ProwJobSpec, Refs};

/// Label on every resource Prow creates.
pub const CREATED_BY_PROW: &str = "created-by-prow";
/// Label tide puts on the jobs it triggers.
pub const CREATED_BY_TIDE_LABEL: &str = "created-by-tide";
/// Label carrying the job type.
pub const PROW_JOB_TYPE_LABEL: &str = "prow.k8s.io/type";
/// Label carrying the name (id) of the ProwJob a resource belongs to.
pub const PROW_JOB_ID_LABEL: &str = "prow.k8s.io/id";
/// Label carrying the build id of the ProwJob.
pub const PROW_BUILD_ID_LABEL: &str = "prow.k8s.io/build-id";
/// Annotation (and truncated label) carrying the job name.
pub const PROW_JOB_ANNOTATION: &str = "prow.k8s.io/job";
/// Annotation (and truncated label) carrying the job's status context.
pub const CONTEXT_ANNOTATION: &str = "prow.k8s.io/context";
/// Label carrying the version of Prow that decorated the job.
pub const PLANK_VERSION_LABEL: &str = "prow.k8s.io/plank-version";
/// Label carrying the org of the job's refs.
pub const ORG_LABEL: &str = "prow.k8s.io/refs.org";
/// Label carrying the repo of the job's refs.
pub const REPO_LABEL: &str = "prow.k8s.io/refs.repo";
/// Label carrying the base ref of the job's refs.
pub const BASE_REF_LABEL: &str = "prow.k8s.io/refs.base_ref";
/// Label carrying the number of the first pull of the job's refs.
pub const PULL_LABEL: &str = "prow.k8s.io/refs.pull";
/// Label telling whether the job was created by a retest request.
pub const RETEST_LABEL: &str = "prow.k8s.io/retest";
/// Label carrying whether a presubmit is optional.
pub const IS_OPTIONAL_LABEL: &str = "prow.k8s.io/is-optional";
/// Label counting the re-runs of a periodic, starting at 0.
pub const RE_RUN_LABEL: &str = "prow.k8s.io/re-run";
/// Gerrit change id.
pub const GERRIT_ID: &str = "prow.k8s.io/gerrit-id";
/// Gerrit host URL.
pub const GERRIT_INSTANCE: &str = "prow.k8s.io/gerrit-instance";
/// SHA of the current Gerrit patchset.
pub const GERRIT_REVISION: &str = "prow.k8s.io/gerrit-revision";
/// Number of the current Gerrit patchset.
pub const GERRIT_PATCHSET: &str = "prow.k8s.io/gerrit-patchset";
/// Gerrit label Prow votes on (Code-Review when unset).
pub const GERRIT_REPORT_LABEL: &str = "prow.k8s.io/gerrit-report-label";

/// Maximum length of a Kubernetes label value.
pub const LABEL_VALUE_MAX_LENGTH: usize = 63;

/// Whether `value` is a valid Kubernetes label value: at most 63 characters, empty or
/// alphanumeric at both ends with only `-`, `_`, `.` and alphanumerics between.
pub fn is_valid_label_value(value: &str) -> bool {
    is_valid_label_value_bytes(value.as_bytes())
}

fn is_valid_label_value_bytes(v: &[u8]) -> bool {
    if v.len() > LABEL_VALUE_MAX_LENGTH {
        return false;
    }
    match (v.first(), v.last()) {
        (None, _) | (_, None) => true,
        (Some(first), Some(last)) => {
            first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && v.iter()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        }
    }
}

/// Last element of a slash-separated path, like Go's `filepath.Base` on Unix.
fn path_base(path: &[u8]) -> &[u8] {
    if path.is_empty() {
        return b".";
    }
    let trimmed = match path.iter().rposition(|&b| b != b'/') {
        Some(end) => &path[..=end],
        None => return b"/",
    };
    match trimmed.iter().rposition(|&b| b == b'/') {
        Some(i) => &trimmed[i + 1..],
        None => trimmed,
    }
}

/// Cuts `value` to 63 bytes and strips trailing `.`, `_` and `-`. Works on bytes as
/// upstream does; a cut inside a multi-byte character yields an invalid label value
/// that the cleaning step then handles.
fn truncate_label_value(value: &str) -> Vec<u8> {
    let bytes = value.as_bytes();
    if bytes.len() <= LABEL_VALUE_MAX_LENGTH {
        return bytes.to_vec();
    }
    let mut cut = &bytes[..LABEL_VALUE_MAX_LENGTH];
    while let Some((last, rest)) = cut.split_last() {
        if matches!(last, b'.' | b'_' | b'-') {
            cut = rest;
        } else {
            break;
        }
    }
    cut.to_vec()
}

/// Valid label values are kept; otherwise the last path element is used if that is
/// valid (e.g. `https://host/org` becomes `org`); otherwise the label is dropped.
fn clean_label_value(value: &[u8]) -> Option<String> {
    let chosen = if is_valid_label_value_bytes(value) {
        value
    } else {
        let base = path_base(value);
        if !is_valid_label_value_bytes(base) {
            return None;
        }
        base
    };
    // Valid label values are ASCII.
    String::from_utf8(chosen.to_vec()).ok()
}

/// The minimal labels and annotations for a ProwJob (or a resource it owns) with this spec.
///
/// Labels: `created-by-prow`, the job type, the job name and context (cut to 63
/// characters; the annotations keep the full values), and org, repo, base ref and first
/// pull number of `refs` (or of the first extra ref). `extra_labels` and
/// `extra_annotations` override the computed values. Invalid label values are replaced
/// by their last path element when that is valid, and dropped otherwise.
pub fn labels_and_annotations_for_spec(
    spec: &ProwJobSpec,
    extra_labels: &BTreeMap<String, String>,
    extra_annotations: &BTreeMap<String, String>,
) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let mut raw: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    raw.insert(CREATED_BY_PROW.to_string(), b"true".to_vec());
    raw.insert(
        PROW_JOB_TYPE_LABEL.to_string(),
        spec.type_
            .as_ref()
            .map(|t| t.as_str().as_bytes().to_vec())
            .unwrap_or_default(),
    );
    let mut annotations = BTreeMap::new();
    for (key, value) in [
        (PROW_JOB_ANNOTATION, &spec.job),
        (CONTEXT_ANNOTATION, &spec.context),
    ] {
        raw.insert(key.to_string(), truncate_label_value(value));
        annotations.insert(key.to_string(), value.clone());
    }

    let refs: Option<&Refs> = spec.refs.as_ref().or(spec.extra_refs.first());
    if let Some(refs) = refs {
        raw.insert(ORG_LABEL.to_string(), refs.org.as_bytes().to_vec());
        raw.insert(REPO_LABEL.to_string(), refs.repo.as_bytes().to_vec());
        raw.insert(
            BASE_REF_LABEL.to_string(),
            refs.base_ref.as_bytes().to_vec(),
        );
        if let Some(pull) = refs.pulls.first() {
            raw.insert(PULL_LABEL.to_string(), pull.number.to_string().into_bytes());
        }
    }
    for (key, value) in extra_labels {
        raw.insert(key.clone(), value.as_bytes().to_vec());
    }

    let labels = raw
        .into_iter()
        .filter_map(|(key, value)| clean_label_value(&value).map(|v| (key, v)))
        .collect();

    annotations.extend(
        extra_annotations
            .iter()
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    (labels, annotations)
}

/// The standard labels and annotations for resources (pods, PipelineRuns, ...) of a
/// ProwJob: those of [`labels_and_annotations_for_spec`] with the job's own labels and
/// annotations as extras, plus `prow.k8s.io/id` (the ProwJob's name) and
/// `prow.k8s.io/build-id` (its build id).
pub fn labels_and_annotations_for_job(
    pj: &ProwJob,
) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let mut extra_labels = pj.metadata.labels.clone();
    extra_labels.insert(PROW_JOB_ID_LABEL.to_string(), pj.metadata.name.clone());
    extra_labels.insert(PROW_BUILD_ID_LABEL.to_string(), pj.status.build_id.clone());
    labels_and_annotations_for_spec(&pj.spec, &extra_labels, &pj.metadata.annotations)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prowjob::{ProwJobType, Pull};

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn refs(org: &str, repo: &str, pulls: &[i64]) -> Refs {
        Refs {
            org: org.into(),
            repo: repo.into(),
            base_ref: "main".into(),
            pulls: pulls
                .iter()
                .map(|&number| Pull {
                    number,
                    ..Pull::default()
                })
                .collect(),
            ..Refs::default()
        }
    }

    const LONG_JOB: &str = "job-created-by-someone-who-loves-very-very-very-long-names-so-long-that-it-does-not-fit-into-the-Kubernetes-label-so-it-needs-to-be-truncated-to-63-characters";
    const LONG_CONTEXT: &str = "context-created-by-someone-who-loves-very-very-very-long-names-so-long-that-it-does-not-fit-into-the-Kubernetes-label-so-it-needs-to-be-truncated-to-63-characters";

    struct Case {
        name: &'static str,
        job: &'static str,
        context: &'static str,
        type_: ProwJobType,
        refs: Option<Refs>,
        extra_refs: Vec<Refs>,
        labels: BTreeMap<String, String>,
        annotations: BTreeMap<String, String>,
        expected_labels: BTreeMap<String, String>,
        expected_annotations: BTreeMap<String, String>,
    }

    fn base_labels(
        job: &str,
        context: &str,
        type_: &str,
        more: &[(&str, &str)],
    ) -> BTreeMap<String, String> {
        let mut m = map(&[
            (CREATED_BY_PROW, "true"),
            (PROW_JOB_ANNOTATION, job),
            (CONTEXT_ANNOTATION, context),
            (PROW_JOB_TYPE_LABEL, type_),
        ]);
        m.extend(map(more));
        m
    }

    fn base_annotations(
        job: &str,
        context: &str,
        more: &[(&str, &str)],
    ) -> BTreeMap<String, String> {
        let mut m = map(&[(PROW_JOB_ANNOTATION, job), (CONTEXT_ANNOTATION, context)]);
        m.extend(map(more));
        m
    }

    #[test]
    fn labels_and_annotations_table() {
        let refs_labels = [
            (ORG_LABEL, "org"),
            (REPO_LABEL, "repo"),
            (BASE_REF_LABEL, "main"),
            (PULL_LABEL, "1"),
        ];
        let cases = vec![
            Case {
                name: "periodic job, no extra labels",
                job: "job",
                context: "job-context",
                type_: ProwJobType::Periodic,
                refs: None,
                extra_refs: vec![],
                labels: map(&[]),
                annotations: map(&[]),
                expected_labels: base_labels("job", "job-context", "periodic", &[]),
                expected_annotations: base_annotations("job", "job-context", &[]),
            },
            Case {
                name: "periodic job, extra labels",
                job: "job",
                context: "job-context",
                type_: ProwJobType::Periodic,
                refs: None,
                extra_refs: vec![],
                labels: map(&[("extra", "stuff")]),
                annotations: map(&[]),
                expected_labels: base_labels(
                    "job",
                    "job-context",
                    "periodic",
                    &[("extra", "stuff")],
                ),
                expected_annotations: base_annotations("job", "job-context", &[]),
            },
            Case {
                name: "periodic job with extra refs",
                job: "job",
                context: "job-context",
                type_: ProwJobType::Periodic,
                refs: None,
                extra_refs: vec![refs("org", "repo", &[])],
                labels: map(&[]),
                annotations: map(&[]),
                expected_labels: base_labels("job", "job-context", "periodic", &refs_labels[..3]),
                expected_annotations: base_annotations("job", "job-context", &[]),
            },
            Case {
                name: "presubmit job",
                job: "job",
                context: "job-context",
                type_: ProwJobType::Presubmit,
                refs: Some(refs("org", "repo", &[1])),
                extra_refs: vec![],
                labels: map(&[]),
                annotations: map(&[]),
                expected_labels: base_labels("job", "job-context", "presubmit", &refs_labels),
                expected_annotations: base_annotations("job", "job-context", &[]),
            },
            Case {
                name: "non-github presubmit job",
                job: "job",
                context: "job-context",
                type_: ProwJobType::Presubmit,
                refs: Some(refs(
                    "https://some-gerrit-instance.foo.com",
                    "some/invalid/repo",
                    &[1],
                )),
                extra_refs: vec![],
                labels: map(&[]),
                annotations: map(&[]),
                expected_labels: base_labels(
                    "job",
                    "job-context",
                    "presubmit",
                    &[
                        (ORG_LABEL, "some-gerrit-instance.foo.com"),
                        (REPO_LABEL, "repo"),
                        (BASE_REF_LABEL, "main"),
                        (PULL_LABEL, "1"),
                    ],
                ),
                expected_annotations: base_annotations("job", "job-context", &[]),
            },
            Case {
                name: "job with name too long to fit in a label",
                job: LONG_JOB,
                context: "job-context",
                type_: ProwJobType::Presubmit,
                refs: Some(refs("org", "repo", &[1])),
                extra_refs: vec![],
                labels: map(&[]),
                annotations: map(&[]),
                expected_labels: base_labels(
                    "job-created-by-someone-who-loves-very-very-very-long-names-so-l",
                    "job-context",
                    "presubmit",
                    &refs_labels,
                ),
                expected_annotations: base_annotations(LONG_JOB, "job-context", &[]),
            },
            Case {
                name: "job with context too long to fit in a label",
                job: "job",
                context: LONG_CONTEXT,
                type_: ProwJobType::Presubmit,
                refs: Some(refs("org", "repo", &[1])),
                extra_refs: vec![],
                labels: map(&[]),
                annotations: map(&[]),
                // The cut lands on "names-" and the trailing '-' is stripped.
                expected_labels: base_labels(
                    "job",
                    "context-created-by-someone-who-loves-very-very-very-long-names",
                    "presubmit",
                    &refs_labels,
                ),
                expected_annotations: base_annotations("job", LONG_CONTEXT, &[]),
            },
            Case {
                name: "periodic job, extra labels, extra annotations",
                job: "job",
                context: "job-context",
                type_: ProwJobType::Periodic,
                refs: None,
                extra_refs: vec![],
                labels: map(&[("extra", "stuff")]),
                annotations: map(&[("extraannotation", "foo")]),
                expected_labels: base_labels(
                    "job",
                    "job-context",
                    "periodic",
                    &[("extra", "stuff")],
                ),
                expected_annotations: base_annotations(
                    "job",
                    "job-context",
                    &[("extraannotation", "foo")],
                ),
            },
            Case {
                name: "extra labels override computed ones; invalid extras are cleaned or dropped",
                job: "job",
                context: "job-context",
                type_: ProwJobType::Periodic,
                refs: None,
                extra_refs: vec![],
                labels: map(&[
                    (PROW_JOB_ANNOTATION, "other-job"),
                    ("path", "a/b/c"),
                    ("bad", "not valid!"),
                    ("trailing-dash", "value-"),
                ]),
                annotations: map(&[(PROW_JOB_ANNOTATION, "annotation-override")]),
                expected_labels: base_labels(
                    "other-job",
                    "job-context",
                    "periodic",
                    &[("path", "c")],
                ),
                expected_annotations: base_annotations("annotation-override", "job-context", &[]),
            },
            Case {
                name: "empty context keeps an empty label and annotation",
                job: "job",
                context: "",
                type_: ProwJobType::Postsubmit,
                refs: None,
                extra_refs: vec![],
                labels: map(&[]),
                annotations: map(&[]),
                expected_labels: base_labels("job", "", "postsubmit", &[]),
                expected_annotations: base_annotations("job", "", &[]),
            },
            Case {
                name: "long non-ASCII job name is cut on bytes and dropped as invalid",
                job: "äääääääääääääääääääääääääääääääääääääääääääääääääääääääääääääääää",
                context: "ctx",
                type_: ProwJobType::Periodic,
                refs: None,
                extra_refs: vec![],
                labels: map(&[]),
                annotations: map(&[]),
                expected_labels: map(&[
                    (CREATED_BY_PROW, "true"),
                    (CONTEXT_ANNOTATION, "ctx"),
                    (PROW_JOB_TYPE_LABEL, "periodic"),
                ]),
                expected_annotations: base_annotations(
                    "äääääääääääääääääääääääääääääääääääääääääääääääääääääääääääääääää",
                    "ctx",
                    &[],
                ),
            },
            Case {
                name: "long path-like job name falls back to the last element of the cut value",
                job: "ü-prefix/0123456789012345678901234567890123456789012345678901234567890123",
                context: "ctx",
                type_: ProwJobType::Periodic,
                refs: None,
                extra_refs: vec![],
                labels: map(&[]),
                annotations: map(&[]),
                // 63 bytes: "ü-prefix/" is 10 bytes, leaving 53 digits.
                expected_labels: base_labels(
                    "01234567890123456789012345678901234567890123456789012",
                    "ctx",
                    "periodic",
                    &[],
                ),
                expected_annotations: base_annotations(
                    "ü-prefix/0123456789012345678901234567890123456789012345678901234567890123",
                    "ctx",
                    &[],
                ),
            },
        ];

        for case in cases {
            let spec = ProwJobSpec {
                job: case.job.into(),
                context: case.context.into(),
                type_: Some(case.type_),
                refs: case.refs,
                extra_refs: case.extra_refs,
                ..ProwJobSpec::default()
            };
            let (labels, annotations) =
                labels_and_annotations_for_spec(&spec, &case.labels, &case.annotations);
            assert_eq!(labels, case.expected_labels, "{}: labels", case.name);
            assert_eq!(
                annotations, case.expected_annotations,
                "{}: annotations",
                case.name
            );
        }
    }

    #[test]
    fn labels_for_job_add_id_and_build_id() {
        let mut pj = ProwJob::default();
        pj.metadata.name = "abc-123".into();
        pj.metadata.labels = map(&[("custom", "yes")]);
        pj.metadata.annotations = map(&[("note", "kept")]);
        pj.status.build_id = "1549129474832863232".into();
        pj.spec.job = "job".into();
        pj.spec.type_ = Some(ProwJobType::Periodic);

        let (labels, annotations) = labels_and_annotations_for_job(&pj);
        assert_eq!(
            labels,
            base_labels(
                "job",
                "",
                "periodic",
                &[
                    ("custom", "yes"),
                    (PROW_JOB_ID_LABEL, "abc-123"),
                    (PROW_BUILD_ID_LABEL, "1549129474832863232"),
                ]
            )
        );
        assert_eq!(
            annotations,
            base_annotations("job", "", &[("note", "kept")])
        );
        // The job itself is left untouched.
        assert!(!pj.metadata.labels.contains_key(PROW_JOB_ID_LABEL));
    }

    #[test]
    fn label_value_validity() {
        let cases = [
            ("", true),
            ("a", true),
            ("a.b-c_d", true),
            ("-a", false),
            ("a-", false),
            ("a b", false),
            ("ü", false),
            (&"x".repeat(63), true),
            (&"x".repeat(64), false),
        ];
        for (value, valid) in cases {
            assert_eq!(is_valid_label_value(value), valid, "{value:?}");
        }
    }

    #[test]
    fn path_base_matches_go() {
        let cases: [(&str, &str); 6] = [
            ("", "."),
            ("/", "/"),
            ("///", "/"),
            ("a/b/", "b"),
            ("https://host.example", "host.example"),
            ("plain", "plain"),
        ];
        for (input, expected) in cases {
            assert_eq!(
                path_base(input.as_bytes()),
                expected.as_bytes(),
                "{input:?}"
            );
        }
    }
}
