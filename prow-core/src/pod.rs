//! The Kubernetes `PodSpec` of a job, kept whole as JSON so that nothing upstream writes is
//! lost, with typed views of the parts Prow itself reads (containers, their command, args
//! and environment).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A Kubernetes `core/v1` `PodSpec`, field for field as written (camelCase keys).
///
/// prow-core keeps pod specs as JSON so that every Kubernetes field survives a round trip;
/// the Kubernetes executor turns it into typed `k8s-openapi` objects where it runs pods.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PodSpec(pub Map<String, Value>);

/// The string fields of a container that Go's typed decoding would turn numbers and
/// booleans into strings for.
const CONTAINER_STRING_FIELDS: &[&str] = &["name", "image", "workingDir", "imagePullPolicy"];

impl PodSpec {
    /// The containers (`containers`), empty when none are given.
    pub fn containers(&self) -> &[Value] {
        self.0
            .get("containers")
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice)
    }

    /// The containers, mutable; creates an empty list when absent.
    pub fn containers_mut(&mut self) -> &mut Vec<Value> {
        let entry = self
            .0
            .entry("containers")
            .or_insert_with(|| Value::Array(Vec::new()));
        if !entry.is_array() {
            *entry = Value::Array(Vec::new());
        }
        entry.as_array_mut().expect("just made an array")
    }

    /// The pod's volumes (`volumes`), mutable; creates an empty list when absent.
    pub fn volumes_mut(&mut self) -> &mut Vec<Value> {
        let entry = self
            .0
            .entry("volumes")
            .or_insert_with(|| Value::Array(Vec::new()));
        if !entry.is_array() {
            *entry = Value::Array(Vec::new());
        }
        entry.as_array_mut().expect("just made an array")
    }

    /// The pod's volumes, empty when none are given.
    pub fn volumes(&self) -> &[Value] {
        self.0
            .get("volumes")
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice)
    }

    /// The command of container `index` (`command`), as strings.
    pub fn command(&self, index: usize) -> Vec<String> {
        self.string_list(index, "command")
    }

    /// The arguments of container `index` (`args`), as strings.
    pub fn args(&self, index: usize) -> Vec<String> {
        self.string_list(index, "args")
    }

    /// The literal environment (`env[].name` and `env[].value`) of container `index`;
    /// variables taken from elsewhere (`valueFrom`) are left out.
    pub fn env(&self, index: usize) -> Vec<(String, String)> {
        let Some(env) = self
            .containers()
            .get(index)
            .and_then(|c| c.get("env"))
            .and_then(Value::as_array)
        else {
            return Vec::new();
        };
        env.iter()
            .filter(|e| e.get("valueFrom").is_none())
            .filter_map(|e| {
                let name = e.get("name")?.as_str()?.to_string();
                let value = e.get("value").map(go_string).unwrap_or_default();
                Some((name, value))
            })
            .collect()
    }

    fn string_list(&self, index: usize, field: &str) -> Vec<String> {
        self.containers()
            .get(index)
            .and_then(|c| c.get(field))
            .and_then(Value::as_array)
            .map(|items| items.iter().map(go_string).collect())
            .unwrap_or_default()
    }

    /// Releases the spare capacity of every list and object in the spec, which parsing and
    /// preset merging leave behind as they grow them; the content and its order are
    /// unchanged. The loader does this once a job's presets are merged, so that a loaded
    /// configuration holds no more than its pod specs need.
    pub fn shrink_to_fit(&mut self) {
        shrink_map(&mut self.0);
    }

    /// Turns numbers and booleans into strings where Kubernetes' types hold strings
    /// (container names, images, command, args, env values, node selector values, labels of
    /// the pod template), as Go's typed decoding of `sigs.k8s.io/yaml` does.
    pub fn normalize_strings(&mut self) {
        for list in ["containers", "initContainers"] {
            if let Some(Value::Array(containers)) = self.0.get_mut(list) {
                for container in containers.iter_mut().filter_map(Value::as_object_mut) {
                    normalize_container(container);
                }
            }
        }
        for field in [
            "serviceAccountName",
            "hostname",
            "nodeName",
            "schedulerName",
        ] {
            stringify(self.0.get_mut(field));
        }
        if let Some(Value::Object(selector)) = self.0.get_mut("nodeSelector") {
            selector.values_mut().for_each(|v| stringify(Some(v)));
        }
    }
}

fn shrink_map(map: &mut Map<String, Value>) {
    map.values_mut().for_each(shrink_value);
    // `Map` has no `shrink_to_fit`; collecting an exact-size iterator allocates no more
    // than its entries.
    *map = std::mem::take(map).into_iter().collect();
}

fn shrink_value(value: &mut Value) {
    match value {
        Value::Array(items) => {
            items.iter_mut().for_each(shrink_value);
            items.shrink_to_fit();
        }
        Value::Object(map) => shrink_map(map),
        _ => {}
    }
}

fn normalize_container(container: &mut Map<String, Value>) {
    for field in CONTAINER_STRING_FIELDS {
        stringify(container.get_mut(*field));
    }
    for field in ["command", "args"] {
        if let Some(Value::Array(items)) = container.get_mut(field) {
            items.iter_mut().for_each(|v| stringify(Some(v)));
        }
    }
    if let Some(Value::Array(env)) = container.get_mut("env") {
        for var in env.iter_mut().filter_map(Value::as_object_mut) {
            stringify(var.get_mut("name"));
            stringify(var.get_mut("value"));
        }
    }
}

fn stringify(value: Option<&mut Value>) {
    if let Some(v) = value
        && matches!(v, Value::Number(_) | Value::Bool(_))
    {
        *v = Value::String(go_string(v));
    }
}

/// The string Go's typed decoding gives a JSON scalar in a string field.
fn go_string(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i.to_string(),
            (_, Some(u), _) => u.to_string(),
            (_, _, Some(f)) => crate::yaml::format_go_float(f),
            _ => n.to_string(),
        },
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_views_and_go_string_normalization() {
        let text = "\
containers:
- image: gcr.io/x:1.0
  command: [runner.sh, 8080]
  args: [--flag=1, yes, 1.10]
  env:
  - {name: A, value: yes}
  - {name: B, value: 0400}
  - {name: C, valueFrom: {secretKeyRef: {name: s, key: k}}}
nodeSelector: {pool: 1}
serviceAccountName: prow
";
        let mut spec: PodSpec = crate::yaml::from_str(text).unwrap();
        spec.normalize_strings();
        assert_eq!(spec.command(0), ["runner.sh", "8080"]);
        assert_eq!(spec.args(0), ["--flag=1", "true", "1.1"]);
        assert_eq!(
            spec.env(0),
            [
                ("A".to_string(), "true".to_string()),
                ("B".to_string(), "256".to_string())
            ]
        );
        assert_eq!(spec.0["nodeSelector"]["pool"], "1");
        assert_eq!(spec.containers()[0]["env"][1]["value"], "256");
        // Everything else survives untouched.
        assert_eq!(
            spec.containers()[0]["env"][2]["valueFrom"]["secretKeyRef"]["key"],
            "k"
        );
    }

    #[test]
    fn missing_parts_are_empty() {
        let mut spec = PodSpec::default();
        assert!(spec.containers().is_empty());
        assert!(spec.command(0).is_empty());
        spec.containers_mut().push(Value::Object(Map::new()));
        assert_eq!(spec.containers().len(), 1);
        assert!(spec.volumes().is_empty());
    }

    #[test]
    fn shrink_to_fit_keeps_content_and_order() {
        let text = "{containers: [{name: a, env: [{name: X, value: '1'}, {name: Y, value: '2'}]}], volumes: [], hostname: h, affinity: {z: 1, a: 2}}";
        let mut spec: PodSpec = crate::yaml::from_str(text).unwrap();
        let before = serde_json::to_string(&spec).unwrap();
        spec.containers_mut()[0]["env"]
            .as_array_mut()
            .unwrap()
            .reserve(100);
        spec.shrink_to_fit();
        assert_eq!(serde_json::to_string(&spec).unwrap(), before);
        let env = spec.containers()[0]["env"].as_array().unwrap();
        assert_eq!(env.capacity(), env.len());
    }
}
