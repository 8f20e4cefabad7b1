//! `prow checkconfig` as a user runs it: the binary, its flags, its output and exit code.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn prow(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_prow"))
        .args(args)
        .output()
        .expect("run prow")
}

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("config")
}

fn example_args(root: &Path) -> Vec<String> {
    vec![
        "checkconfig".into(),
        "--config-path".into(),
        root.join("config.yaml").display().to_string(),
        "--job-config-path".into(),
        root.join("jobs").display().to_string(),
        "--plugin-config".into(),
        root.join("plugins.yaml").display().to_string(),
    ]
}

fn run(args: &[String]) -> Output {
    prow(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn example_config_prints_one_summary_line_and_succeeds() {
    let out = run(&example_args(&example()));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "5 files, 3 presubmits, 1 postsubmits, 2 periodics, 1 presets, 2 plugin entries, 0 warnings, 0 errors\n"
    );
}

#[test]
fn json_output_is_one_object_with_the_documented_keys() {
    let mut args = example_args(&example());
    args.extend(["--output".into(), "json".into(), "--strict".into()]);
    let out = run(&args);
    assert!(out.status.success());
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        summary,
        serde_json::json!({
            "files": 5, "presubmits": 3, "postsubmits": 1, "periodics": 2, "presets": 1,
            "plugin_entries": 2, "warnings": [], "errors": []
        })
    );
}

#[test]
fn kubernetes_corpus_counts() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/kubernetes+test-infra/config");
    if !root.exists() {
        eprintln!(
            "note: {} is absent; the corpus run is skipped",
            root.display()
        );
        return;
    }
    let out = prow(&[
        "checkconfig",
        "--config-path",
        &root.join("prow/config.yaml").display().to_string(),
        "--job-config-path",
        &root.join("jobs").display().to_string(),
        "--plugin-config",
        &root.join("prow/plugins.yaml").display().to_string(),
        "--output",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["presubmits"], 2261);
    assert_eq!(summary["postsubmits"], 253);
    assert_eq!(summary["periodics"], 1862);
    assert_eq!(summary["presets"], 70);
    assert_eq!(summary["plugin_entries"], 82);
    assert_eq!(summary["errors"], serde_json::json!([]));
}

#[test]
fn errors_name_file_line_and_field_and_fail_the_command() {
    let dir = std::env::temp_dir().join(format!("prow-checkconfig-test-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("jobs")).unwrap();
    std::fs::write(
        dir.join("config.yaml"),
        "pod_namespace: test-pods\nplank:\n  bogus: 1\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("jobs/bad.yaml"),
        "presubmits:\n  o/r:\n  - name: a\n    run_if_changed: x\n    skip_if_only_changed: y\n    spec:\n      containers:\n      - image: alpine\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("plugins.yaml"),
        "plugins:\n  o/r:\n    plugins: [size]\n",
    )
    .unwrap();
    let out = run(&example_args(&dir));
    let stderr = String::from_utf8_lossy(&out.stderr).replace(&format!("{}/", dir.display()), "");
    let stdout = String::from_utf8_lossy(&out.stdout);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("warning: config.yaml:3:3: plank: unknown field `bogus`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("error: jobs/bad.yaml:3: presubmit \"a\" (o/r)"),
        "{stderr}"
    );
    assert!(stderr.contains("mutually exclusive"), "{stderr}");
    assert!(stdout.ends_with("1 warnings, 1 errors\n"), "{stdout}");
}

#[test]
fn missing_required_flag_is_a_usage_error() {
    let out = prow(&["checkconfig"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--config-path"));
}
