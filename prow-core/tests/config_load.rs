//! Loading whole configurations: the Kubernetes project's real one, the example shipped in
//! this repository, and small broken ones, checking every problem names its file, line and
//! field.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use prow_core::config::{LoadOptions, Loaded, load};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn counts(loaded: &Loaded) -> (usize, usize, usize, usize) {
    let jobs = &loaded.config.jobs;
    (
        jobs.presubmits.values().map(Vec::len).sum(),
        jobs.postsubmits.values().map(Vec::len).sum(),
        jobs.periodics.len(),
        jobs.presets.len(),
    )
}

#[test]
fn kubernetes_corpus_loads_with_exact_counts_and_no_problem() {
    let root = workspace().join("../shared/corpus/kubernetes+test-infra/config");
    if !root.exists() {
        eprintln!(
            "note: {} is absent; the Kubernetes corpus test is skipped",
            root.display()
        );
        return;
    }
    let loaded = load(&LoadOptions {
        config_path: root.join("prow/config.yaml"),
        job_config_path: Some(root.join("jobs")),
        plugin_config: Some(root.join("prow/plugins.yaml")),
        strict: true,
    });
    assert!(loaded.errors.is_empty(), "{:#?}", loaded.errors);
    assert!(loaded.warnings.is_empty(), "{:#?}", loaded.warnings);
    assert_eq!(counts(&loaded), (2261, 253, 1862, 70));
    assert_eq!(loaded.plugins.as_ref().unwrap().plugin_entries(), 82);
    // config.yaml + plugins.yaml + 603 job files, less the one .prowignore skips.
    assert_eq!(loaded.files, 604);
    let jobs = &loaded.config.jobs;
    assert_eq!(jobs.presubmits.len(), 159);
    assert_eq!(jobs.postsubmits.len(), 136);
    // Every job got its defaults.
    for (repo, presubmits) in &jobs.presubmits {
        for job in presubmits {
            assert!(
                !job.reporter.context.is_empty(),
                "{repo} {}",
                job.job_base.name
            );
            assert!(
                !job.rerun_command.is_empty(),
                "{repo} {}",
                job.job_base.name
            );
            assert!(!job.job_base.cluster.is_empty());
        }
    }
}

fn example() -> Loaded {
    let root = workspace().join("examples/prow/config");
    load(&LoadOptions {
        config_path: root.join("config.yaml"),
        job_config_path: Some(root.join("jobs")),
        plugin_config: Some(root.join("plugins.yaml")),
        strict: true,
    })
}

#[test]
fn example_config_loads_and_is_defaulted_as_upstream() {
    let loaded = example();
    assert!(loaded.errors.is_empty(), "{:#?}", loaded.errors);
    assert!(loaded.warnings.is_empty(), "{:#?}", loaded.warnings);
    assert_eq!(counts(&loaded), (3, 1, 2, 1));
    // config.yaml, plugins.yaml and three job files: notes/ is skipped by .prowignore.
    assert_eq!(loaded.files, 5);

    let presubmits = &loaded.config.jobs.presubmits["demo-org/hello"];
    let unit = presubmits
        .iter()
        .find(|j| j.job_base.name == "pull-hello-unit")
        .unwrap();
    assert_eq!(unit.reporter.context, "pull-hello-unit");
    assert_eq!(unit.rerun_command, "/test pull-hello-unit");
    assert!(unit.trigger.contains("pull-hello-unit"), "{}", unit.trigger);
    assert_eq!(unit.job_base.agent, "kubernetes");
    assert_eq!(unit.job_base.cluster, "default");
    assert_eq!(unit.job_base.namespace.as_deref(), Some("test-pods"));
    // The preset matched by label added its env var, volume and mount.
    let spec = unit.job_base.spec.as_ref().unwrap();
    assert!(
        spec.env(0)
            .contains(&("GOCACHE".to_string(), "/cache/go-build".to_string()))
    );
    assert_eq!(spec.volumes()[0]["name"], "go-cache");
    // Decoration comes from plank's default entries.
    let decoration = unit
        .job_base
        .utility_config
        .decoration_config
        .as_ref()
        .unwrap();
    assert_eq!(decoration.timeout.unwrap().to_string(), "2h0m0s");
    assert_eq!(decoration.grace_period.unwrap().to_string(), "15s");
    // Job selection on the loaded config.
    let plugins = loaded.plugins.as_ref().unwrap();
    assert_eq!(
        plugins.plugins_for("demo-org", "hello"),
        [
            "approve",
            "assign",
            "help",
            "hold",
            "label",
            "lgtm",
            "lifecycle",
            "size",
            "trigger",
            "wip",
            "cat",
            "welcome"
        ]
    );
    assert!(plugins.plugins_for("demo-org", "archive").is_empty());
}

/// A scratch directory of config files, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(files: &[(&str, &str)]) -> Scratch {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "prow-core-config-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        for (name, text) in files {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        Scratch(dir)
    }

    fn load(&self, strict: bool) -> Loaded {
        load(&LoadOptions {
            config_path: self.0.join("config.yaml"),
            job_config_path: Some(self.0.join("jobs")),
            plugin_config: self
                .0
                .join("plugins.yaml")
                .exists()
                .then(|| self.0.join("plugins.yaml")),
            strict,
        })
    }

    fn rel(&self, text: &str) -> String {
        text.replace(&format!("{}/", self.0.display()), "")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn errors(scratch: &Scratch, loaded: &Loaded) -> Vec<String> {
    loaded
        .errors
        .iter()
        .map(|e| scratch.rel(&e.to_string()))
        .collect()
}

const CONFIG: &str = "pod_namespace: test-pods\n";

const JOB: &str = "    spec:\n      containers:\n      - image: alpine\n";

#[test]
fn yaml_syntax_errors_name_file_and_line() {
    let s = Scratch::new(&[
        ("config.yaml", CONFIG),
        ("jobs/a.yaml", "presubmits:\n  o/r:\n  - name: [x\n"),
    ]);
    let e = errors(&s, &s.load(false));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].starts_with("jobs/a.yaml:"), "{e:?}");
    assert!(e[0].contains("invalid YAML"), "{e:?}");
}

#[test]
fn type_errors_name_file_line_and_field() {
    let job = format!("presubmits:\n  o/r:\n  - name: a\n    always_run: maybe\n{JOB}");
    let s = Scratch::new(&[("config.yaml", CONFIG), ("jobs/a.yaml", &job)]);
    let e = errors(&s, &s.load(false));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with("jobs/a.yaml:4:17: presubmits.o/r[0].always_run: invalid type"),
        "{e:?}"
    );
}

#[test]
fn bad_durations_are_errors_with_go_messages() {
    let job = format!(
        "presubmits:\n  o/r:\n  - name: a\n    decoration_config:\n      timeout: 2 hours\n{JOB}"
    );
    let s = Scratch::new(&[("config.yaml", CONFIG), ("jobs/a.yaml", &job)]);
    let e = errors(&s, &s.load(false));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with("jobs/a.yaml:5:16: presubmits.o/r[0].decoration_config.timeout:"),
        "{e:?}"
    );
    assert!(e[0].contains("time: "), "{e:?}");
}

#[test]
fn validation_errors_name_file_line_job_and_field() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "presubmits:\n  o/r:\n  - name: a\n    run_if_changed: x\n    skip_if_only_changed: y\n",
            "jobs/a.yaml:3: presubmit \"a\" (o/r)",
            "mutually exclusive",
        ),
        (
            "presubmits:\n  o/r:\n  - name: a\n    branches: ['(']\n",
            "jobs/a.yaml:3: presubmit \"a\" (o/r)",
            "error parsing regexp",
        ),
        (
            "periodics:\n- name: p\n  cron: '61 * * * *'\n",
            "jobs/a.yaml:2: periodic \"p\"",
            "above maximum",
        ),
        (
            "periodics:\n- name: p\n  cron: '@daily'\n  interval: 1h\n",
            "jobs/a.yaml:2: periodic \"p\"",
            "interval",
        ),
        (
            "presubmits:\n  o/r:\n  - name: a\n    always_run: true\n    run_if_changed: x\n",
            "jobs/a.yaml:3: presubmit \"a\" (o/r)",
            "run_if_changed",
        ),
        (
            "presubmits:\n  o/r:\n  - name: a\n    max_concurrency: -1\n",
            "jobs/a.yaml:3: presubmit \"a\" (o/r)",
            "max_concurrency",
        ),
        (
            "postsubmits:\n  o/r:\n  - name: 'bad name!'\n",
            "jobs/a.yaml:3: postsubmit \"bad name!\" (o/r)",
            "name",
        ),
    ];
    for (jobs, prefix, needle) in cases {
        let text = format!(
            "{jobs}{}",
            JOB.replace(
                "    ",
                if jobs.starts_with("periodics") {
                    "  "
                } else {
                    "    "
                }
            )
        );
        let s = Scratch::new(&[("config.yaml", CONFIG), ("jobs/a.yaml", &text)]);
        let e = errors(&s, &s.load(false));
        assert!(
            e.iter()
                .any(|e| e.starts_with(prefix) && e.contains(needle)),
            "want {prefix:?} … {needle:?} in {e:?}"
        );
    }
}

#[test]
fn duplicate_names_are_errors_only_when_branches_overlap() {
    let overlapping =
        format!("presubmits:\n  o/r:\n  - name: a\n{JOB}  - name: a\n    branches: [main]\n{JOB}");
    let s = Scratch::new(&[("config.yaml", CONFIG), ("jobs/a.yaml", &overlapping)]);
    let e = errors(&s, &s.load(false));
    assert!(
        e.iter()
            .any(|e| e.contains("duplicated presubmit job") || e.contains("duplicate")),
        "{e:?}"
    );

    let disjoint = format!(
        "presubmits:\n  o/r:\n  - name: a\n    branches: [release-1.37]\n{JOB}  - name: a\n    skip_branches: ['release-\\d+\\.\\d+']\n{JOB}"
    );
    let s = Scratch::new(&[("config.yaml", CONFIG), ("jobs/a.yaml", &disjoint)]);
    let loaded = s.load(false);
    assert!(loaded.errors.is_empty(), "{:?}", errors(&s, &loaded));
}

#[test]
fn unknown_fields_are_warnings_and_errors_when_strict() {
    let job = format!("presubmits:\n  o/r:\n  - name: a\n    alwyas_run: true\n{JOB}");
    let s = Scratch::new(&[
        (
            "config.yaml",
            "pod_namespace: test-pods\nplank:\n  bogus: 1\n",
        ),
        ("jobs/a.yaml", &job),
    ]);
    let loaded = s.load(false);
    assert!(loaded.errors.is_empty(), "{:?}", errors(&s, &loaded));
    let warnings: Vec<String> = loaded
        .warnings
        .iter()
        .map(|w| s.rel(&w.to_string()))
        .collect();
    assert_eq!(
        warnings,
        [
            "config.yaml:3:3: plank: unknown field `bogus`",
            "jobs/a.yaml:4:5: presubmits.o/r[0]: unknown field `alwyas_run`"
        ]
    );
    let strict = s.load(true);
    assert_eq!(strict.errors.len(), 2);
    assert!(strict.warnings.is_empty());
}

#[test]
fn config_yaml_may_hold_jobs_and_presets_without_warnings() {
    let config = format!(
        "pod_namespace: test-pods\npresets:\n- labels: {{preset-a: 'true'}}\n  env: [{{name: A, value: x}}]\nperiodics:\n- name: p\n  interval: 1h\n  labels: {{preset-a: 'true'}}\n{}",
        JOB.replace("    ", "  ")
    );
    let s = Scratch::new(&[("config.yaml", &config), ("jobs/empty.yaml", "")]);
    let loaded = s.load(true);
    assert!(loaded.errors.is_empty(), "{:?}", errors(&s, &loaded));
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert_eq!(counts(&loaded), (0, 0, 1, 1));
    let spec = loaded.config.jobs.periodics[0]
        .job_base
        .spec
        .as_ref()
        .unwrap();
    assert_eq!(spec.env(0), [("A".to_string(), "x".to_string())]);
}

#[test]
fn nested_prowignore_files_apply_below_their_directory() {
    let job = format!(
        "periodics:\n- name: p\n  interval: 1h\n{}",
        JOB.replace("    ", "  ")
    );
    let s = Scratch::new(&[
        ("config.yaml", CONFIG),
        ("jobs/a.yaml", &job),
        ("jobs/registry/.prowignore", "default.yaml\n"),
        ("jobs/registry/default.yaml", "notAJob: true\n"),
        ("jobs/other/default2.yaml", "alsoNotAJob: true\n"),
        ("jobs/.prowignore", "other/\n"),
        ("jobs/..data/ignored.yaml", "neither: true\n"),
        ("jobs/readme.md", "not yaml"),
    ]);
    let loaded = s.load(true);
    assert!(loaded.errors.is_empty(), "{:?}", errors(&s, &loaded));
    assert_eq!(loaded.files, 2);
}

#[test]
fn duplicate_basenames_and_preset_pairs_are_errors() {
    let s = Scratch::new(&[
        ("config.yaml", CONFIG),
        ("jobs/x/a.yaml", ""),
        ("jobs/y/a.yaml", ""),
    ]);
    let e = errors(&s, &s.load(false));
    assert_eq!(
        e,
        ["jobs/y/a.yaml: duplicated basename is not allowed: a.yaml"]
    );

    let preset = "presets:\n- labels: {preset-a: 'true'}\n";
    let s = Scratch::new(&[
        ("config.yaml", CONFIG),
        ("jobs/a.yaml", preset),
        ("jobs/b.yaml", preset),
    ]);
    let e = errors(&s, &s.load(false));
    assert_eq!(
        e,
        ["jobs/b.yaml: duplicated preset 'label:value' pair : preset-a:true"]
    );
}

#[test]
fn plugin_config_problems_name_the_section() {
    let s = Scratch::new(&[
        ("config.yaml", CONFIG),
        ("jobs/a.yaml", ""),
        (
            "plugins.yaml",
            "size:\n  s: 10\n  m: 5\n  l: 100\n  xl: 500\n  xxl: 1000\nplugins:\n  o/r: [size]\n",
        ),
    ]);
    let e = errors(&s, &s.load(false));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].starts_with("plugins.yaml:1: size: "), "{e:?}");
}

#[test]
fn a_missing_file_is_an_error_not_a_panic() {
    let s = Scratch::new(&[("jobs/a.yaml", "")]);
    let e = errors(&s, &s.load(false));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with("config.yaml: error reading config"),
        "{e:?}"
    );
}

#[test]
fn prow_config_problems_name_file_line_and_field() {
    let config = "pod_namespace: test-pods\ntide:\n  queries:\n  - repos: [o/r]\n    labels: [lgtm]\n  - repos: [o/r]\n    labels: [lgtm]\n    missingLabels: [lgtm]\n";
    let s = Scratch::new(&[("config.yaml", config), ("jobs/a.yaml", "")]);
    let e = errors(&s, &s.load(false));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with("config.yaml:6: tide.queries[1]: "),
        "{e:?}"
    );
    assert!(e[0].contains("lgtm"), "{e:?}");
}
