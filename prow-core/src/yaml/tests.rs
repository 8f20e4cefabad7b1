//! One test per rule of Go's YAML semantics that prow-rs reproduces.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::*;

#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
struct Job {
    name: String,
    branches: Vec<String>,
    optional: bool,
    max_concurrency: u32,
    labels: BTreeMap<String, String>,
    args: Vec<String>,
    nested: Option<Box<Job>>,
}

fn job(text: &str) -> (Job, Vec<Warning>) {
    from_str_with_warnings(text).unwrap()
}

#[test]
fn anchors_and_aliases_copy_values() {
    let (j, w) = job("labels: &l {a: b}\nnested: {labels: *l, name: x}\n");
    assert!(w.is_empty());
    assert_eq!(j.nested.unwrap().labels["a"], "b");
}

#[test]
fn merge_key_brings_in_missing_fields() {
    let (j, _) =
        job("base: &base {name: from-base, optional: true}\n<<: *base\nmax_concurrency: 2\n");
    assert_eq!(j.name, "from-base");
    assert!(j.optional);
    assert_eq!(j.max_concurrency, 2);
}

#[test]
fn merge_key_is_applied_in_order_so_later_keys_win() {
    let (j, w) = job("base: &base {name: from-base}\n<<: *base\nname: own\n");
    assert_eq!(j.name, "own");
    // A key that overrides a merged key is not a duplicate.
    assert!(
        !w.iter()
            .any(|w| matches!(w.kind, WarningKind::DuplicateKey(_)))
    );
}

#[test]
fn merge_key_with_a_list_gives_earlier_maps_precedence() {
    let text = "a: &a {name: first}\nb: &b {name: second, optional: true}\n<<: [*a, *b]\n";
    let (j, _) = job(text);
    assert_eq!(j.name, "first");
    assert!(j.optional);
}

#[test]
fn merge_key_inside_list_items() {
    #[derive(Deserialize)]
    struct Doc {
        jobs: Vec<Job>,
    }
    let text = "\
common: &common
  optional: true
  labels: {preset-x: \"true\"}
jobs:
- <<: *common
  name: one
- <<: *common
  name: two
  optional: false
";
    let doc: Doc = from_str(text).unwrap();
    assert_eq!(doc.jobs.len(), 2);
    assert!(doc.jobs[0].optional);
    assert_eq!(doc.jobs[0].labels["preset-x"], "true");
    assert_eq!(doc.jobs[1].name, "two");
    assert!(!doc.jobs[1].optional);
}

#[test]
fn merge_key_of_a_scalar_is_an_error() {
    let err = from_str::<Job>("<<: 3\n").unwrap_err();
    assert!(err.to_string().contains("map merge requires map"), "{err}");
}

#[test]
fn duplicate_keys_last_one_wins_with_a_warning() {
    let (j, w) = job("name: first\nname: second\n");
    assert_eq!(j.name, "second");
    assert_eq!(w.len(), 1);
    assert_eq!(
        w[0].to_string(),
        "line 2, column 1: duplicate key `name`, the last one wins"
    );
}

#[test]
fn yaml_1_1_octal_is_read_as_octal() {
    let (j, _) = job("max_concurrency: 0400\n");
    assert_eq!(j.max_concurrency, 256);
    let v: serde_json::Value = from_str("mode: 0o17\nhex: 0x1F\nbin: 0b101\nplain: 08\n").unwrap();
    assert_eq!(v["mode"], 15);
    assert_eq!(v["hex"], 31);
    assert_eq!(v["bin"], 5);
    // Not valid octal: go-yaml falls back to a float.
    assert_eq!(v["plain"], 8.0);
}

#[test]
fn yaml_1_1_booleans() {
    let v: serde_json::Value = from_str("a: yes\nb: No\nc: on\nd: OFF\ne: y\nf: 'yes'\n").unwrap();
    assert_eq!(v["a"], true);
    assert_eq!(v["b"], false);
    assert_eq!(v["c"], true);
    assert_eq!(v["d"], false);
    assert_eq!(v["e"], true);
    assert_eq!(v["f"], "yes");
}

#[test]
fn numbers_and_bools_in_string_fields_become_go_strings() {
    let (j, _) = job("name: 1.10\nbranches: [1.0, 2, yes, 0400, 1e10, 0.00001, 'quoted']\n");
    assert_eq!(j.name, "1.1");
    assert_eq!(
        j.branches,
        ["1", "2", "true", "256", "1e+10", "1e-05", "quoted"]
    );
    let (j, _) = job("labels: {a: true, b: 12, c: 1.5}\n");
    assert_eq!(j.labels["a"], "true");
    assert_eq!(j.labels["b"], "12");
    assert_eq!(j.labels["c"], "1.5");
}

#[test]
fn non_string_keys_become_go_strings() {
    let v: BTreeMap<String, String> = from_str("1: a\ntrue: b\n0x10: c\n").unwrap();
    assert_eq!(v["1"], "a");
    assert_eq!(v["true"], "b");
    assert_eq!(v["16"], "c");
}

#[test]
fn null_list_items_are_empty_values() {
    let (j, _) = job("branches: [main, null, ~]\nargs:\n-\n- x\n");
    assert_eq!(j.branches, ["main", "", ""]);
    assert_eq!(j.args, ["", "x"]);
    let jobs: Vec<Job> = from_str("- name: a\n-\n").unwrap();
    assert_eq!(jobs[1], Job::default());
}

#[test]
fn null_in_a_plain_field_is_its_zero_value() {
    let (j, _) = job("name:\noptional: null\nmax_concurrency: ~\nbranches:\nlabels:\n");
    assert_eq!(j, Job::default());
}

#[test]
fn empty_files_are_empty_values() {
    for text in ["", "\n", "# only a comment\n", "---\n", "null\n"] {
        let (j, w) = job(text);
        assert_eq!(j, Job::default(), "{text:?}");
        assert!(w.is_empty());
        assert!(Document::parse(text).unwrap().is_empty());
    }
}

#[test]
fn unknown_fields_are_warnings_with_line_and_path() {
    let text = "name: x\nnested:\n  name: why\n  bogus: 1\nspelling: 2\n";
    let (j, w) = job(text);
    assert_eq!(j.nested.unwrap().name, "why");
    let shown: Vec<String> = w.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        [
            "line 4, column 3: nested: unknown field `bogus`",
            "line 5, column 1: unknown field `spelling`"
        ]
    );
}

#[test]
fn field_names_match_case_insensitively_like_go_json() {
    let (j, w) = job("Name: x\nMAX_CONCURRENCY: 3\n");
    assert_eq!(j.name, "x");
    assert_eq!(j.max_concurrency, 3);
    assert!(w.is_empty());
}

#[test]
fn type_errors_name_line_and_path() {
    let err = from_str::<Job>("name: x\nnested:\n  optional: maybe\n").unwrap_err();
    assert_eq!(err.location().unwrap().line, 3);
    assert_eq!(err.location().unwrap().path, "nested.optional");
    assert!(
        err.message()
            .contains("invalid type: string \"maybe\", expected a boolean"),
        "{err}"
    );
    let err = from_str::<Job>("branches: main\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 1, column 11: branches: invalid type: string \"main\", expected a sequence"
    );
}

#[test]
fn missing_required_fields_name_the_mapping() {
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Strict {
        name: String,
    }
    let err = from_str::<Vec<Strict>>("- name: a\n- other: b\n").unwrap_err();
    assert_eq!(err.location().unwrap().path, "[1]");
    assert!(err.message().contains("missing field `name`"));
}

#[test]
fn syntax_errors_carry_a_location() {
    let err = from_str::<Job>("name: [unclosed\n").unwrap_err();
    assert!(err.location().is_some());
    assert!(err.message().starts_with("invalid YAML"), "{err}");
}

#[test]
fn only_the_first_document_is_read() {
    let (j, w) = job("name: first\n---\nname: second\n");
    assert_eq!(j.name, "first");
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].kind, WarningKind::ExtraDocuments);
}

#[test]
fn quoted_and_tagged_scalars() {
    let v: serde_json::Value =
        from_str("a: '0400'\nb: !!str 12\nc: !!int \"12\"\nd: |\n  text\n").unwrap();
    assert_eq!(v["a"], "0400");
    assert_eq!(v["b"], "12");
    assert_eq!(v["c"], 12);
    assert_eq!(v["d"], "text\n");
}

#[test]
fn special_floats_and_underscores() {
    let v: serde_json::Value = from_str("a: 1_000\nb: +12\nc: -0x10\nd: 1.5e3\n").unwrap();
    assert_eq!(v["a"], 1000);
    assert_eq!(v["b"], 12);
    assert_eq!(v["c"], -16);
    assert_eq!(v["d"], 1500.0);
    let f: f64 = from_str(".inf").unwrap();
    assert!(f.is_infinite());
    let s: String = from_str("-.inf").unwrap();
    assert_eq!(s, "-.inf");
}

#[test]
fn go_float_formatting() {
    use super::resolve::format_go_float32 as f;
    assert_eq!(f(1.1), "1.1");
    assert_eq!(f(1.0), "1");
    assert_eq!(f(100000.0), "100000");
    assert_eq!(f(1234567.0), "1.234567e+06");
    assert_eq!(f(0.0001), "0.0001");
    assert_eq!(f(0.00001), "1e-05");
    assert_eq!(f(-2.5), "-2.5");
    assert_eq!(f(3.0e20), "3e+20");
}

#[test]
fn enums_from_scalars_and_single_key_maps() {
    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "lowercase")]
    enum Method {
        Merge,
        Squash,
        Custom(String),
    }
    let m: Vec<Method> = from_str("[merge, squash, {custom: x}]").unwrap();
    assert_eq!(
        m,
        [Method::Merge, Method::Squash, Method::Custom("x".into())]
    );
    let err = from_str::<Method>("rebase").unwrap_err();
    assert!(err.message().contains("unknown variant `rebase`"));
}

#[test]
fn deep_nesting_is_refused_not_a_crash() {
    let text = "[".repeat(10_000);
    assert!(from_str::<serde_json::Value>(&text).is_err());
}

#[test]
fn unknown_anchor_is_an_error() {
    assert!(from_str::<serde_json::Value>("a: *nothing\n").is_err());
}

#[test]
fn line_of_finds_paths_and_their_deepest_existing_part() {
    let doc = Document::parse(
        "tide:\n  queries:\n  - repos: [a]\n  - repos: [b]\n    labels: [lgtm]\nbranch-protection:\n  orgs:\n    kubernetes.io:\n      protect: true\n",
    )
    .unwrap();
    assert_eq!(doc.line_of("tide"), Some(1));
    assert_eq!(doc.line_of("tide.queries[1]"), Some(4));
    assert_eq!(doc.line_of("tide.queries[1].labels"), Some(5));
    assert_eq!(
        doc.line_of("branch-protection.orgs[\"kubernetes.io\"].protect"),
        Some(9)
    );
    // The deepest part that exists.
    assert_eq!(doc.line_of("tide.queries[7]"), Some(2));
    assert_eq!(doc.line_of("nothing.here"), None);
}
