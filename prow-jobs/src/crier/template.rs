//! The data crier's Go templates see: a ProwJob shaped as upstream's Go struct, so templates
//! written for Prow (`{{.Spec.Job}}`, `{{.Status.URL}}`, `{{.ObjectMeta.Name}}`) work unchanged.

use chrono::{DateTime, Utc};
use prow_core::gotmpl::{MissingKey, Template, TemplateError, go_time_string};
use prow_core::prowjob::ProwJob;
use serde_json::Value;

/// Fields that hold Kubernetes times, printed as Go prints a `time.Time`.
const TIME_FIELDS: &[&str] = &[
    "creationTimestamp",
    "deletionTimestamp",
    "startTime",
    "pendingTime",
    "completionTime",
];

/// `job` as a Go template sees upstream's `ProwJob`. Field names match Go's through
/// [`prow_core::gotmpl`]'s loose matching (`.Spec.Refs.BaseSHA` reads `spec.refs.base_sha`);
/// on top of the serde form, the metadata is also reachable as `.ObjectMeta` and, as Go
/// promotes an embedded struct's fields, at the top (`.Name`, `.Labels`); times read in Go's
/// `time.Time` form (`2024-01-02 03:04:05 +0000 UTC`).
pub fn prowjob_template_data(job: &ProwJob) -> Value {
    let mut data = go_times(serde_json::to_value(job).unwrap_or(Value::Null), None);
    if let Value::Object(top) = &mut data
        && let Some(meta) = top.get("metadata").cloned()
    {
        if let Value::Object(fields) = &meta {
            for (k, v) in fields {
                top.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        top.insert("ObjectMeta".into(), meta);
    }
    data
}

fn go_times(value: Value, key: Option<&str>) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let v = go_times(v, Some(&k));
                    (k, v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(|v| go_times(v, None)).collect()),
        Value::String(s) if key.is_some_and(|k| TIME_FIELDS.contains(&k)) => {
            match DateTime::parse_from_rfc3339(&s) {
                Ok(t) => Value::String(go_time_string(&t.with_timezone(&Utc))),
                Err(_) => Value::String(s),
            }
        }
        other => other,
    }
}

/// Renders a Go template (`plank.report_templates`, a Slack `report_template`) named `name`
/// over `job`, as Go renders a struct (fields left out of the serde form print as nothing).
pub(crate) fn render_report_template(
    name: &str,
    template: &str,
    job: &ProwJob,
) -> Result<String, TemplateError> {
    Template::parse_named(name, template)?
        .with_missing_key(MissingKey::Zero)
        .render(&prowjob_template_data(job))
}

#[cfg(test)]
mod tests {
    use super::*;
    use prow_core::gotmpl::ErrorKind;
    use prow_core::prowjob::{ProwJobState, ProwJobType, Pull, Refs};

    fn job() -> ProwJob {
        let mut job = ProwJob::default();
        job.metadata.name = "abc".into();
        job.metadata
            .labels
            .insert("prow.k8s.io/type".into(), "presubmit".into());
        job.spec.job = "pull-test".into();
        job.spec.type_ = Some(ProwJobType::Presubmit);
        job.spec.refs = Some(Refs {
            org: "o".into(),
            base_sha: "b1".into(),
            pulls: vec![Pull {
                number: 7,
                sha: "h1".into(),
                ..Pull::default()
            }],
            ..Refs::default()
        });
        job.status.state = Some(ProwJobState::Failure);
        job.status.url = "https://prow/view/1".into();
        job.status.start_time = Some("2024-01-02T03:04:05Z".parse().unwrap());
        job
    }

    #[test]
    fn templates_read_a_prowjob_as_upstreams_go_struct() {
        let j = job();
        for (template, want) in [
            ("{{.Spec.Job}}", "pull-test"),
            ("{{.Spec.Type}}", "presubmit"),
            ("{{.Status.State}}", "failure"),
            ("{{.Status.URL}}", "https://prow/view/1"),
            ("{{.Spec.Refs.BaseSHA}}", "b1"),
            ("{{(index .Spec.Refs.Pulls 0).SHA}}", "h1"),
            ("{{.ObjectMeta.Name}} {{.Name}}", "abc abc"),
            ("{{index .Labels \"prow.k8s.io/type\"}}", "presubmit"),
            ("{{.Status.StartTime}}", "2024-01-02 03:04:05 +0000 UTC"),
            // Empty fields print as nothing, as Go's zero values do.
            ("<{{.Status.Description}}|{{.Spec.Refs.Repo}}>", "<|>"),
        ] {
            assert_eq!(
                render_report_template("t", template, &j).unwrap(),
                want,
                "{template}"
            );
        }
    }

    #[test]
    fn template_errors_are_gos() {
        let err = render_report_template("", "{{ if .Spec.Job }}", &job()).unwrap_err();
        assert_eq!(err.to_string(), "template: :1: unexpected EOF");
        assert_eq!(err.kind, ErrorKind::Parse);
        let err =
            render_report_template("Report", "{{ index .Spec.Job 1 2 }}", &job()).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Exec);
        assert!(err.to_string().starts_with("template: Report:1:"), "{err}");
    }
}
