//! The `prowjobs.prow.k8s.io` CustomResourceDefinition, described from prow-core's ProwJob
//! types, with upstream Prow's names, scope, version, printer columns and validations.

use serde_json::{Map, Value, json};

/// A string property.
fn string(description: &str) -> Value {
    json!({ "description": description, "type": "string" })
}

/// A string property limited to `values`.
fn one_of(description: &str, values: &[&str]) -> Value {
    json!({ "description": description, "enum": values, "type": "string" })
}

/// An RFC 3339 time property.
fn date_time(description: &str) -> Value {
    json!({ "description": description, "format": "date-time", "type": "string" })
}

fn boolean(description: &str) -> Value {
    json!({ "description": description, "type": "boolean" })
}

fn integer(description: &str) -> Value {
    json!({ "description": description, "type": "integer" })
}

fn strings(description: &str) -> Value {
    json!({ "description": description, "items": { "type": "string" }, "type": "array" })
}

fn array(description: &str, items: Value) -> Value {
    json!({ "description": description, "items": items, "type": "array" })
}

/// An object whose fields the API server keeps as given (pod specs, decoration settings,
/// fields newer than this schema).
fn open_object(description: &str) -> Value {
    json!({
        "description": description,
        "type": "object",
        "x-kubernetes-preserve-unknown-fields": true,
    })
}

/// An object with described `properties`; fields beyond them are kept too, since prow-core's
/// types keep every field they do not know.
fn object(description: &str, properties: &[(&str, Value)]) -> Value {
    let properties: Map<String, Value> = properties
        .iter()
        .map(|(name, schema)| (name.to_string(), schema.clone()))
        .collect();
    json!({
        "description": description,
        "properties": properties,
        "type": "object",
        "x-kubernetes-preserve-unknown-fields": true,
    })
}

/// The states a ProwJob can be in (`status.state`).
const STATES: &[&str] = &[
    "scheduling",
    "triggered",
    "pending",
    "success",
    "failure",
    "aborted",
    "error",
];

fn pull_schema() -> Value {
    object(
        "A pull request under test.",
        &[
            ("number", integer("The pull request's number.")),
            ("author", string("The login of the pull request's author.")),
            ("sha", string("The head commit under test.")),
            ("title", string("The pull request's title.")),
            (
                "ref",
                string("A git ref to fetch instead of the pull request's head (Gerrit)."),
            ),
            (
                "head_ref",
                string("The name of the branch the pull request comes from."),
            ),
            ("link", string("A link to the pull request.")),
            ("commit_link", string("A link to the head commit.")),
            ("author_link", string("A link to the author's profile.")),
        ],
    )
}

fn refs_schema(description: &str) -> Value {
    let mut schema = object(
        description,
        &[
            (
                "org",
                string("The organization (or Gerrit host) of the repository."),
            ),
            ("repo", string("The repository's name.")),
            ("repo_link", string("A link to the repository.")),
            ("base_ref", string("The branch the code is tested against.")),
            ("base_sha", string("The commit of the base branch.")),
            ("base_link", string("A link to the base commit.")),
            (
                "pulls",
                array("The pull requests merged onto the base.", pull_schema()),
            ),
            (
                "path_alias",
                string("The import path to clone into instead of github.com/org/repo."),
            ),
            (
                "workdir",
                boolean("Whether the job starts in this repository's checkout."),
            ),
            (
                "auxiliary",
                boolean(
                    "Whether the repository only provides helper files, so it is not the version the job reports.",
                ),
            ),
            (
                "clone_uri",
                string("The URI to clone from instead of GitHub."),
            ),
            (
                "skip_submodules",
                boolean("Whether to skip git submodules."),
            ),
            (
                "clone_depth",
                integer("How deep a shallow clone is; 0 for a full one."),
            ),
            (
                "skip_fetch_head",
                boolean("Whether to skip fetching the HEAD of the default branch."),
            ),
            ("blobless_fetch", boolean("Whether to fetch without blobs.")),
            (
                "sparse_checkout_files",
                strings("The files to check out sparsely; empty for all."),
            ),
        ],
    );
    schema["required"] = json!(["org", "repo"]);
    schema
}

fn spec_schema() -> Value {
    let mut schema = object(
        "What a ProwJob runs: the job, the code under test, the pod spec, decoration and reporting.",
        &[
            (
                "type",
                one_of(
                    "How the job was triggered.",
                    &["presubmit", "postsubmit", "periodic", "batch"],
                ),
            ),
            (
                "agent",
                string("The controller that runs the job (kubernetes, jenkins, tekton-pipeline)."),
            ),
            (
                "cluster",
                string("The alias of the build cluster the job runs in."),
            ),
            (
                "namespace",
                string("The namespace the job's pod or resources are created in."),
            ),
            ("job", string("The name of the job.")),
            ("refs", refs_schema("The code under test.")),
            (
                "extra_refs",
                array(
                    "More repositories to clone.",
                    refs_schema("A repository to clone."),
                ),
            ),
            ("report", boolean("Whether crier reports the job's result.")),
            (
                "context",
                string("The GitHub status context the job reports to."),
            ),
            (
                "rerun_command",
                string("The comment that runs the job again."),
            ),
            {
                let mut max = integer("How many runs of this job may run at once; 0 for no limit.");
                max["minimum"] = json!(0);
                ("max_concurrency", max)
            },
            (
                "error_on_eviction",
                boolean("Whether an evicted pod ends the job in error instead of starting again."),
            ),
            (
                "pod_spec",
                open_object("The Kubernetes pod spec the job runs."),
            ),
            (
                "jenkins_spec",
                open_object("Settings for jobs run by Jenkins."),
            ),
            (
                "pipeline_run_spec",
                open_object("A Tekton PipelineRun spec."),
            ),
            (
                "tekton_pipeline_run_spec",
                open_object("Tekton PipelineRun specs, by Tekton API version."),
            ),
            (
                "decoration_config",
                open_object(
                    "How the job's pod is decorated: utility images, GCS upload, timeouts.",
                ),
            ),
            (
                "reporter_config",
                open_object("Reporter settings, such as Slack."),
            ),
            (
                "rerun_auth_config",
                open_object("Who may run the job again."),
            ),
            ("hidden", boolean("Whether Deck hides the job.")),
            (
                "prowjob_defaults",
                open_object("Defaults from the Prow config."),
            ),
            (
                "job_queue_name",
                string("The queue whose capacity limits how many such jobs run at once."),
            ),
        ],
    );
    schema["required"] = json!(["job", "type"]);
    schema
}

fn status_schema() -> Value {
    let mut schema = object(
        "What happened so far: state, times, the pod, the build ID.",
        &[
            ("startTime", date_time("When the ProwJob was created.")),
            ("pendingTime", date_time("When the job's pod was created.")),
            ("completionTime", date_time("When the job finished.")),
            ("state", one_of("The job's state.", STATES)),
            ("description", string("A human description of the state.")),
            ("url", string("A link to the job's results.")),
            (
                "pod_revival_count",
                integer("How often the job's pod was started again after it was lost."),
            ),
            ("pod_name", string("The name of the job's pod.")),
            ("build_id", string("The job's build ID.")),
            (
                "jenkins_build_id",
                string("The build ID Jenkins gave the job."),
            ),
            (
                "prev_report_states",
                json!({
                    "additionalProperties": one_of("A job state.", STATES),
                    "description": "The last state each reporter reported, by reporter.",
                    "type": "object",
                }),
            ),
        ],
    );
    schema["required"] = json!(["state"]);
    // A finished job has a completion time.
    schema["anyOf"] = json!([
        { "not": { "properties": { "state": { "enum": ["success", "failure", "error"] } } } },
        { "required": ["completionTime"] },
    ]);
    schema
}

fn printer_column(name: &str, kind: &str, path: &str, description: &str) -> Value {
    json!({ "description": description, "jsonPath": path, "name": name, "type": kind })
}

/// The `CustomResourceDefinition` of ProwJobs (`prowjobs.prow.k8s.io`), as a JSON object to
/// apply to a cluster.
///
/// Names, scope (`Namespaced`), the single stored version `v1`, the printer columns of
/// `kubectl get prowjobs`, the required fields and the rule that finished jobs carry a
/// completion time are upstream Prow's. Like upstream, `status` is not a subresource: an
/// update writes spec and status at once. The schema describes spec, status, refs and pulls
/// field by field; the open parts (`pod_spec`, `decoration_config`, Tekton and Jenkins
/// specs) and fields newer than this schema are kept as given
/// (`x-kubernetes-preserve-unknown-fields`), so nothing a ProwJob holds is pruned.
///
/// The repository ships it rendered as `deploy/prowjob-crd.yaml`.
pub fn prowjob_crd() -> Value {
    json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {
            "annotations": {
                "api-approved.kubernetes.io": "https://github.com/kubernetes/test-infra/pull/8669",
            },
            "name": "prowjobs.prow.k8s.io",
        },
        "spec": {
            "group": "prow.k8s.io",
            "names": {
                "kind": "ProwJob",
                "listKind": "ProwJobList",
                "plural": "prowjobs",
                "singular": "prowjob",
            },
            "preserveUnknownFields": false,
            "scope": "Namespaced",
            "versions": [{
                "additionalPrinterColumns": [
                    printer_column("Job", "string", ".spec.job", "The name of the job being run"),
                    printer_column("BuildId", "string", ".status.build_id", "The ID of the job being run."),
                    printer_column("Type", "string", ".spec.type", "The type of job being run."),
                    printer_column("Org", "string", ".spec.refs.org", "The org for which the job is running."),
                    printer_column("Repo", "string", ".spec.refs.repo", "The repo for which the job is running."),
                    printer_column("Pulls", "string", ".spec.refs.pulls[*].number", "The pulls for which the job is running."),
                    printer_column("StartTime", "date", ".status.startTime", "When the job started running."),
                    printer_column("CompletionTime", "date", ".status.completionTime", "When the job finished running."),
                    printer_column("State", "string", ".status.state", "The state of the job."),
                ],
                "name": "v1",
                "schema": {
                    "openAPIV3Schema": {
                        "description": "A ProwJob: a run of a Prow job, with its spec and runtime status.",
                        "properties": {
                            "apiVersion": string("The versioned schema of this object (prow.k8s.io/v1)."),
                            "kind": string("The kind of this object (ProwJob)."),
                            "metadata": { "type": "object" },
                            "spec": spec_schema(),
                            "status": status_schema(),
                        },
                        "type": "object",
                    },
                },
                "served": true,
                "storage": true,
                "subresources": {},
            }],
        },
    })
}

/// The CRD rendered as the YAML document shipped in `deploy/prowjob-crd.yaml`.
pub fn prowjob_crd_yaml() -> String {
    let body = prow_core::yaml::to_string(&prowjob_crd()).expect("the CRD is plain JSON");
    format!(
        "# The ProwJob CustomResourceDefinition, generated by prow_jobs::kube::prowjob_crd.\n\
         # Regenerate: PROW_UPDATE_CRD=1 cargo test -p prow-jobs --features kubernetes crd\n\
         ---\n{body}"
    )
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use prow_core::pod::PodSpec;
    use prow_core::prowjob::{
        DecorationConfig, ProwJobAgent, ProwJobDefault, ProwJobSpec, ProwJobState, ProwJobStatus,
        ProwJobType, Pull, Refs, ReporterConfig, RerunAuthConfig,
    };

    /// Where the rendered CRD is shipped, from this crate's directory.
    const SHIPPED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/prowjob-crd.yaml");

    #[test]
    fn shipped_crd_matches_the_generated_one() {
        let generated = prowjob_crd_yaml();
        if std::env::var_os("PROW_UPDATE_CRD").is_some() {
            std::fs::write(SHIPPED, &generated).expect("write deploy/prowjob-crd.yaml");
        }
        let shipped = std::fs::read_to_string(SHIPPED).unwrap_or_default();
        assert!(
            shipped == generated,
            "deploy/prowjob-crd.yaml differs from prow_jobs::kube::prowjob_crd(); regenerate it \
             with: PROW_UPDATE_CRD=1 cargo test -p prow-jobs --features kubernetes crd"
        );
    }

    #[test]
    fn shipped_crd_reads_back_as_the_generated_value() {
        let shipped = prowjob_crd_yaml();
        let read = prow_core::yaml::to_json(&shipped).expect("the CRD is valid YAML");
        assert_eq!(read, prowjob_crd());
    }

    fn pull() -> Pull {
        Pull {
            number: 1,
            author: "a".into(),
            sha: "b".into(),
            title: "c".into(),
            ref_: "d".into(),
            head_ref: "e".into(),
            link: "f".into(),
            commit_link: "g".into(),
            author_link: "h".into(),
            extra: BTreeMap::new(),
        }
    }

    fn refs() -> Refs {
        Refs {
            org: "o".into(),
            repo: "r".into(),
            repo_link: "l".into(),
            base_ref: "main".into(),
            base_sha: "s".into(),
            base_link: "b".into(),
            pulls: vec![pull()],
            path_alias: "p".into(),
            workdir: true,
            auxiliary: true,
            clone_uri: "u".into(),
            skip_submodules: true,
            clone_depth: 1,
            skip_fetch_head: true,
            blobless_fetch: Some(true),
            sparse_checkout_files: vec!["f".into()],
            extra: BTreeMap::new(),
        }
    }

    /// Every field of the spec, status, refs and pulls, set (no `..Default::default()`: a new
    /// field fails to compile here until the schema describes it).
    fn every_field() -> Value {
        let spec = ProwJobSpec {
            type_: Some(ProwJobType::Presubmit),
            agent: Some(ProwJobAgent::Kubernetes),
            cluster: "c".into(),
            namespace: "n".into(),
            job: "j".into(),
            refs: Some(refs()),
            extra_refs: vec![refs()],
            report: true,
            context: "ctx".into(),
            rerun_command: "/test j".into(),
            max_concurrency: 1,
            error_on_eviction: true,
            pod_spec: Some(PodSpec::default()),
            jenkins_spec: Some(json!({})),
            pipeline_run_spec: Some(json!({})),
            tekton_pipeline_run_spec: Some(json!({})),
            decoration_config: Some(DecorationConfig::default()),
            reporter_config: Some(ReporterConfig::default()),
            rerun_auth_config: Some(RerunAuthConfig::default()),
            hidden: true,
            prowjob_defaults: Some(ProwJobDefault::default()),
            job_queue_name: "q".into(),
            extra: BTreeMap::new(),
        };
        let now = chrono::Utc::now();
        let status = ProwJobStatus {
            start_time: Some(now),
            pending_time: Some(now),
            completion_time: Some(now),
            state: Some(ProwJobState::Success),
            description: "d".into(),
            url: "u".into(),
            pod_revival_count: 1,
            pod_name: "p".into(),
            build_id: "b".into(),
            jenkins_build_id: "j".into(),
            prev_report_states: [("github-reporter".to_string(), ProwJobState::Success)].into(),
            extra: BTreeMap::new(),
        };
        json!({ "spec": spec, "status": status })
    }

    /// The fields of `value` missing from `schema`'s properties, recursively, as paths.
    fn undescribed(value: &Value, schema: &Value, path: &str, missing: &mut Vec<String>) {
        if schema.get("x-kubernetes-preserve-unknown-fields") == Some(&json!(true))
            && schema.get("properties").is_none()
        {
            return;
        }
        match value {
            Value::Object(fields) => {
                if let Some(values) = schema.get("additionalProperties") {
                    for (key, field) in fields {
                        undescribed(field, values, &format!("{path}.{key}"), missing);
                    }
                    return;
                }
                for (key, field) in fields {
                    match schema["properties"].get(key) {
                        Some(property) => {
                            undescribed(field, property, &format!("{path}.{key}"), missing)
                        }
                        None => missing.push(format!("{path}.{key}")),
                    }
                }
            }
            Value::Array(items) => {
                for item in items {
                    undescribed(item, &schema["items"], &format!("{path}[]"), missing);
                }
            }
            _ => {}
        }
    }

    #[test]
    fn the_schema_describes_every_field_of_our_types() {
        let crd = prowjob_crd();
        let schema = &crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
        let mut missing = Vec::new();
        undescribed(&every_field(), schema, "", &mut missing);
        assert!(
            missing.is_empty(),
            "fields the CRD schema lacks: {missing:?}"
        );
    }

    #[test]
    fn the_crd_has_upstreams_names_scope_columns_and_no_status_subresource() {
        let crd = prowjob_crd();
        assert_eq!(crd["metadata"]["name"], "prowjobs.prow.k8s.io");
        assert_eq!(crd["spec"]["scope"], "Namespaced");
        assert_eq!(crd["spec"]["names"]["plural"], "prowjobs");
        let version = &crd["spec"]["versions"][0];
        assert_eq!(version["name"], "v1");
        assert_eq!(version["subresources"], json!({}));
        let columns: Vec<&str> = version["additionalPrinterColumns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            columns,
            [
                "Job",
                "BuildId",
                "Type",
                "Org",
                "Repo",
                "Pulls",
                "StartTime",
                "CompletionTime",
                "State"
            ]
        );
        assert_eq!(
            version["schema"]["openAPIV3Schema"]["properties"]["spec"]["required"],
            json!(["job", "type"])
        );
    }
}
