//! Config load: the whole Kubernetes Prow configuration loaded, defaulted and validated,
//! against a bare YAML parse of the same files in the same run; and the peak RSS of
//! `prow checkconfig` on it.
//!
//! Target (DESIGN §7): ≤ 0.5 s, and ≤ 1.5x a bare YAML parse of the same files.
//!
//! Run with `cargo bench -p prow-benches --bench config_load`.

use std::path::{Path, PathBuf};

use prow_benches::{Samples, kubernetes_corpus, ms, peak_rss_bytes, rss_bytes, workspace};

const RUNS: usize = 15;

fn yaml_files(config: &Path, jobs: &Path, plugins: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(Result::ok)
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                out.push(path);
            }
        }
    }
    let mut files = vec![config.to_path_buf(), plugins.to_path_buf()];
    walk(jobs, &mut files);
    files
}

/// Runs `f` over the files on all cores, as the loader reads them.
fn on_all_cores(texts: &[String], f: impl Fn(&str) + Sync) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(text) = texts.get(i) else { break };
                    f(text);
                }
            });
        }
    });
}

fn main() {
    let (root, label) = match kubernetes_corpus() {
        Some(root) => (root, "the Kubernetes corpus"),
        None => {
            eprintln!("note: ../shared is absent; measuring the example config instead");
            (
                workspace().join("examples/prow/config"),
                "the example config",
            )
        }
    };
    let (config, jobs, plugins) = if label == "the Kubernetes corpus" {
        (
            root.join("prow/config.yaml"),
            root.join("jobs"),
            root.join("prow/plugins.yaml"),
        )
    } else {
        (
            root.join("config.yaml"),
            root.join("jobs"),
            root.join("plugins.yaml"),
        )
    };

    // Peak RSS is measured in a child that does exactly what `prow checkconfig` does.
    if std::env::args().any(|a| a == "--rss-child") {
        let loaded = prow::checkconfig::run(&prow::checkconfig::Args {
            config_path: config,
            job_config_path: Some(jobs),
            plugin_config: Some(plugins),
            strict: false,
            output: "json".into(),
        });
        assert!(loaded.errors.is_empty());
        println!(
            "{} {}",
            peak_rss_bytes().unwrap_or(0),
            rss_bytes().unwrap_or(0)
        );
        std::hint::black_box(&loaded);
        return;
    }

    let files = yaml_files(&config, &jobs, &plugins);
    let texts: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    println!(
        "config_load: {label}: {} YAML files, {:.1} MB",
        files.len(),
        bytes as f64 / 1e6
    );

    let options = prow_core::config::LoadOptions {
        config_path: config.clone(),
        job_config_path: Some(jobs.clone()),
        plugin_config: Some(plugins.clone()),
        strict: false,
    };
    // The four measurements are interleaved round by round, so that a noisy neighbour on
    // the machine weighs on all of them alike; best and median of each are reported.
    let load_once = || {
        let loaded = prow_core::config::load(&options);
        assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
        loaded
    };
    // Bare parses of the same text (in memory; the load also reads the files), on all cores
    // as the loader parses.
    let events_once = || {
        on_all_cores(&texts, |text| {
            let mut parser = saphyr_parser::Parser::new_from_str(text);
            while let Some(event) = parser.next_event() {
                std::hint::black_box(event.unwrap());
            }
        })
    };
    let serde_yaml_once = || {
        on_all_cores(&texts, |text| {
            let value: serde_yaml::Value = serde_yaml::from_str(text).unwrap();
            std::hint::black_box(value);
        })
    };
    let tree_once = || {
        on_all_cores(&texts, |text| {
            let value: serde_json::Value = prow_core::yaml::from_str(text).unwrap();
            std::hint::black_box(value);
        })
    };
    let mut load = Samples::default();
    let mut serde_yaml = Samples::default();
    let mut tree = Samples::default();
    let mut events = Samples::default();
    // One warm-up round, not recorded.
    drop((load_once(), serde_yaml_once(), tree_once(), events_once()));
    for _ in 0..RUNS {
        load.run(load_once);
        serde_yaml.run(serde_yaml_once);
        tree.run(tree_once);
        events.run(events_once);
    }

    let row = |name: &str, s: &Samples| {
        println!(
            "  {name:<36} best {:7.1} ms  median {:7.1} ms  CPU {:7.1} ms/run",
            ms(s.best()),
            ms(s.median()),
            ms(s.cpu_per_run())
        );
    };
    row("prow-rs load + default + validate", &load);
    row("bare parse: serde_yaml::Value", &serde_yaml);
    row("bare parse: prow-core YAML to JSON", &tree);
    row("parser events alone (saphyr)", &events);
    println!(
        "  load: median {:.1} ms (target <= 500 ms); {:.2}x the bare serde_yaml parse (median of per-round ratios; target <= 1.5x), CPU {:.2}x",
        ms(load.median()),
        load.median_ratio_to(&serde_yaml),
        load.cpu_per_run().as_secs_f64() / serde_yaml.cpu_per_run().as_secs_f64()
    );

    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .arg("--rss-child")
        .output()
        .expect("run the RSS child");
    let figures: Vec<u64> = String::from_utf8_lossy(&child.stdout)
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    if let [peak, resident] = figures[..] {
        println!(
            "  prow checkconfig: peak RSS {:.1} MB; resident with the loaded config held {:.1} MB",
            peak as f64 / 1e6,
            resident as f64 / 1e6
        );
    }
}
