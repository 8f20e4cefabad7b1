//! `deploy/prow.yaml` grants the Kubernetes store and executor what they call, and runs
//! `prow serve` with them: read with prow-core's YAML reader, checked object by object.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::Value;

/// Where ProwJobs live (config.yaml's `prowjob_namespace` in the documented deployment).
const PROWJOB_NAMESPACE: &str = "prow";
/// Where test pods run (config.yaml's `pod_namespace` in the documented deployment).
const POD_NAMESPACE: &str = "test-pods";

/// Every (namespace, API group, resource, verb) the Kubernetes store (`KubeStore`: create,
/// get, list, update with `PUT`, delete, watch) and executor (`KubeExecutor`: create a pod,
/// read it, list Prow's pods, delete one, read its log) send to the API server.
const REQUIRED: &[(&str, &str, &str, &str)] = &[
    (PROWJOB_NAMESPACE, "prow.k8s.io", "prowjobs", "get"),
    (PROWJOB_NAMESPACE, "prow.k8s.io", "prowjobs", "list"),
    (PROWJOB_NAMESPACE, "prow.k8s.io", "prowjobs", "watch"),
    (PROWJOB_NAMESPACE, "prow.k8s.io", "prowjobs", "create"),
    (PROWJOB_NAMESPACE, "prow.k8s.io", "prowjobs", "update"),
    (PROWJOB_NAMESPACE, "prow.k8s.io", "prowjobs", "delete"),
    (POD_NAMESPACE, "", "pods", "create"),
    (POD_NAMESPACE, "", "pods", "get"),
    (POD_NAMESPACE, "", "pods", "list"),
    (POD_NAMESPACE, "", "pods", "delete"),
    (POD_NAMESPACE, "", "pods/log", "get"),
];

fn manifest_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../deploy/prow.yaml")
}

/// The objects of `deploy/prow.yaml`, one per YAML document.
fn documents() -> Vec<Value> {
    let path = manifest_path();
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    text.split("\n---\n")
        .enumerate()
        .map(|(i, document)| {
            prow_core::yaml::from_str::<Value>(document)
                .unwrap_or_else(|e| panic!("document {i} of {}: {e}", path.display()))
        })
        .collect()
}

fn str_at<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

fn strings(value: Option<&Value>) -> Vec<&str> {
    value
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn of_kind<'a>(documents: &'a [Value], kind: &str) -> Vec<&'a Value> {
    documents
        .iter()
        .filter(|d| str_at(d, "/kind") == kind)
        .collect()
}

/// The one Deployment, which runs `prow serve`.
fn deployment(documents: &[Value]) -> &Value {
    let deployments = of_kind(documents, "Deployment");
    assert_eq!(deployments.len(), 1, "one Deployment");
    deployments[0]
}

/// Whether `rule` grants `verb` on `group`/`resource`.
fn grants(rule: &Value, group: &str, resource: &str, verb: &str) -> bool {
    let any_or = |list: Vec<&str>, want: &str| list.iter().any(|v| *v == want || *v == "*");
    any_or(strings(rule.get("apiGroups")), group)
        && any_or(strings(rule.get("resources")), resource)
        && any_or(strings(rule.get("verbs")), verb)
}

/// Every (namespace, rule) the service account `namespace/name` is granted through the
/// manifest's bindings; a ClusterRoleBinding's rules hold in every namespace (`*`).
fn rules_for(documents: &[Value], namespace: &str, name: &str) -> Vec<(String, Value)> {
    let mut granted = Vec::new();
    for binding in documents
        .iter()
        .filter(|d| matches!(str_at(d, "/kind"), "RoleBinding" | "ClusterRoleBinding"))
    {
        let binds_us = binding
            .get("subjects")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .any(|s| {
                str_at(s, "/kind") == "ServiceAccount"
                    && str_at(s, "/name") == name
                    && str_at(s, "/namespace") == namespace
            });
        if !binds_us {
            continue;
        }
        let cluster_wide = str_at(binding, "/kind") == "ClusterRoleBinding";
        let scope = if cluster_wide {
            "*".to_string()
        } else {
            str_at(binding, "/metadata/namespace").to_string()
        };
        let role_kind = str_at(binding, "/roleRef/kind");
        let role_name = str_at(binding, "/roleRef/name");
        let role = documents
            .iter()
            .find(|d| {
                str_at(d, "/kind") == role_kind
                    && str_at(d, "/metadata/name") == role_name
                    && (role_kind == "ClusterRole"
                        || str_at(d, "/metadata/namespace") == scope.as_str())
            })
            .unwrap_or_else(|| {
                panic!(
                    "{} {} binds {role_kind} {role_name}, which the manifest lacks",
                    str_at(binding, "/kind"),
                    str_at(binding, "/metadata/name")
                )
            });
        for rule in role
            .get("rules")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            granted.push((scope.clone(), rule.clone()));
        }
    }
    granted
}

#[test]
fn every_document_is_a_named_kubernetes_object() {
    let documents = documents();
    assert!(documents.len() >= 8, "the manifest has its objects");
    for (i, document) in documents.iter().enumerate() {
        for field in ["/apiVersion", "/kind", "/metadata/name"] {
            assert!(
                !str_at(document, field).is_empty(),
                "document {i} has no {field}: {document}"
            );
        }
    }
}

#[test]
fn both_namespaces_are_created() {
    let documents = documents();
    let namespaces: BTreeSet<&str> = of_kind(&documents, "Namespace")
        .into_iter()
        .map(|n| str_at(n, "/metadata/name"))
        .collect();
    assert!(namespaces.contains(PROWJOB_NAMESPACE), "{namespaces:?}");
    assert!(namespaces.contains(POD_NAMESPACE), "{namespaces:?}");
}

#[test]
fn rbac_covers_every_call_of_the_kubernetes_store_and_executor() {
    let documents = documents();
    let deployment = deployment(&documents);
    let namespace = str_at(deployment, "/metadata/namespace");
    let account = str_at(deployment, "/spec/template/spec/serviceAccountName");
    assert!(
        !account.is_empty(),
        "the Deployment names its service account"
    );
    assert!(
        of_kind(&documents, "ServiceAccount")
            .iter()
            .any(|a| str_at(a, "/metadata/name") == account
                && str_at(a, "/metadata/namespace") == namespace),
        "the service account {namespace}/{account} is in the manifest"
    );
    let granted = rules_for(&documents, namespace, account);
    let missing: Vec<_> = REQUIRED
        .iter()
        .filter(|(ns, group, resource, verb)| {
            !granted.iter().any(|(scope, rule)| {
                (scope == "*" || scope == ns) && grants(rule, group, resource, verb)
            })
        })
        .collect();
    assert!(
        missing.is_empty(),
        "{namespace}/{account} lacks (namespace, group, resource, verb): {missing:?}"
    );
}

#[test]
fn the_deployment_runs_serve_with_the_kubernetes_store_and_executor() {
    let documents = documents();
    let deployment = deployment(&documents);
    let containers = deployment
        .pointer("/spec/template/spec/containers")
        .and_then(Value::as_array)
        .expect("containers");
    let args = strings(containers[0].get("args"));
    assert_eq!(args.first(), Some(&"serve"), "{args:?}");
    let has_flag = |flag: &str, value: &str| {
        args.contains(&format!("{flag}={value}").as_str())
            || args.windows(2).any(|pair| pair == [flag, value])
    };
    assert!(has_flag("--store", "kubernetes"), "{args:?}");
    assert!(has_flag("--executor", "kubernetes"), "{args:?}");
}

#[test]
fn the_deployment_mounts_every_volume_it_names_and_a_service_selects_it() {
    let documents = documents();
    let deployment = deployment(&documents);
    let spec = deployment.pointer("/spec/template/spec").expect("pod spec");
    let volumes: BTreeSet<&str> = spec
        .get("volumes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|v| str_at(v, "/name"))
        .collect();
    for container in spec["containers"].as_array().expect("containers") {
        for mount in container["volumeMounts"].as_array().into_iter().flatten() {
            assert!(
                volumes.contains(str_at(mount, "/name")),
                "mount {mount} has no volume"
            );
        }
    }
    let labels = deployment
        .pointer("/spec/template/metadata/labels")
        .and_then(Value::as_object)
        .expect("pod labels");
    let services = of_kind(&documents, "Service");
    assert!(
        services.iter().any(|s| {
            s.pointer("/spec/selector")
                .and_then(Value::as_object)
                .is_some_and(|selector| {
                    !selector.is_empty() && selector.iter().all(|(k, v)| labels.get(k) == Some(v))
                })
        }),
        "a Service selects the Deployment's pods"
    );
}
