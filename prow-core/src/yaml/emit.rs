//! Writing YAML: block style as `kubectl` and go-yaml write it, with strings quoted whenever
//! Go's YAML 1.1 reading would take them for something else.

use serde::Serialize;
use serde_json::Value;

use super::resolve::{Resolved, Style, resolve};

/// Writes `value` as a YAML document (block style, keys in the order serde gives them).
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    let value = serde_json::to_value(value)?;
    let mut out = String::new();
    match &value {
        Value::Object(map) if !map.is_empty() => write_map(&mut out, map, 0),
        Value::Array(items) if !items.is_empty() => write_seq(&mut out, items, 0),
        scalar => {
            out.push_str(&scalar_text(scalar));
            out.push('\n');
        }
    }
    Ok(out)
}

fn indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

fn write_map(out: &mut String, map: &serde_json::Map<String, Value>, level: usize) {
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 {
            indent(out, level);
        }
        out.push_str(&quote(key));
        out.push(':');
        write_value_after_key(out, value, level);
    }
}

fn write_value_after_key(out: &mut String, value: &Value, level: usize) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            indent(out, level + 2);
            write_map(out, map, level + 2);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            indent(out, level);
            write_seq(out, items, level);
        }
        scalar => {
            out.push(' ');
            out.push_str(&scalar_text(scalar));
            out.push('\n');
        }
    }
}

fn write_seq(out: &mut String, items: &[Value], level: usize) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            indent(out, level);
        }
        out.push_str("- ");
        match item {
            Value::Object(map) if !map.is_empty() => write_map(out, map, level + 2),
            Value::Array(inner) if !inner.is_empty() => write_seq(out, inner, level + 2),
            scalar => {
                out.push_str(&scalar_text(scalar));
                out.push('\n');
            }
        }
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => quote(s),
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
    }
}

/// The string as a plain scalar when that reads back as the same string, else double-quoted.
fn quote(s: &str) -> String {
    if needs_quotes(s) {
        serde_json::to_string(s).expect("a string always serializes")
    } else {
        s.to_string()
    }
}

fn needs_quotes(s: &str) -> bool {
    if s.is_empty() || s != s.trim() {
        return true;
    }
    if !matches!(resolve(s, Style::Plain), Resolved::Str(_)) || s == "<<" {
        return true;
    }
    let mut chars = s.chars();
    let first = chars.next().expect("not empty");
    let second = chars.next();
    if ",[]{}#&*!|>'\"%@`".contains(first) {
        return true;
    }
    // `-x`, `?x` and `:x` read back as plain strings; a lone indicator or one followed by a
    // space does not.
    if "-?:".contains(first) && second.is_none_or(|c| c == ' ') {
        return true;
    }
    s.contains(": ")
        || s.contains(" #")
        || s.ends_with(':')
        || s.chars().any(|c| c.is_control() || c == '\u{feff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_block_yaml_that_reads_back_the_same() {
        let value = serde_json::json!({
            "apiVersion": "prow.k8s.io/v1",
            "metadata": {"labels": {"a": "yes", "b": "0400", "c": "1.10", "d": ""}, "empty": {}},
            "spec": {
                "containers": [
                    {"image": "x:1", "args": ["--a=1", "- dash", "key: value", "#hash"], "env": []},
                    {"image": "y"}
                ],
                "nested": [[1, 2], [true, null]],
                "text": "line one\nline two",
                "n": 3, "f": 1.5
            }
        });
        let text = to_string(&value).unwrap();
        let back: Value = super::super::from_str(&text).unwrap();
        assert_eq!(back, value, "{text}");
        // Keys keep the order they were written in.
        assert!(
            text.starts_with("apiVersion: prow.k8s.io/v1\nmetadata:\n  labels:\n    a: \"yes\"\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "  containers:\n  - image: x:1\n    args:\n    - --a=1\n    - \"- dash\"\n"
            ),
            "{text}"
        );
    }
}
