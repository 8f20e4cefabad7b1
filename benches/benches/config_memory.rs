//! Memory of a loaded configuration: the resident size of a process holding the whole
//! Kubernetes Prow configuration (as `prow serve` does when idle), the live heap bytes
//! behind it, and where those bytes go.
//!
//! Target (DESIGN §7): `prow serve` idle RSS with the Kubernetes corpus loaded ≤ 60 MB.
//!
//! Each figure is taken in a fresh child process: loaded on all cores (as `load` does), on
//! one core (`taskset`, when present), and with one malloc arena (`MALLOC_ARENA_MAX=1`).
//!
//! Run with `cargo bench -p prow-benches --bench config_memory`.

use std::alloc::System;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use prow_benches::{kubernetes_corpus, rss_bytes, workspace};
use prow_core::config::jobs::{JobBase, Preset};
use prow_core::config::{LoadOptions, Loaded};
use serde_json::Value;
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Live heap: requested bytes and blocks not yet freed.
#[derive(Clone, Copy)]
struct Heap {
    bytes: i64,
    blocks: i64,
}

fn heap() -> Heap {
    let s = GLOBAL.stats();
    Heap {
        bytes: s.bytes_allocated as i64 - s.bytes_deallocated as i64,
        blocks: s.allocations as i64 - s.deallocations as i64,
    }
}

fn mb(bytes: i64) -> f64 {
    bytes as f64 / 1e6
}

fn options() -> (LoadOptions, &'static str) {
    match kubernetes_corpus() {
        Some(root) => (
            LoadOptions {
                config_path: root.join("prow/config.yaml"),
                job_config_path: Some(root.join("jobs")),
                plugin_config: Some(root.join("prow/plugins.yaml")),
                strict: false,
            },
            "the Kubernetes corpus",
        ),
        None => {
            let root: PathBuf = workspace().join("examples/prow/config");
            (
                LoadOptions {
                    config_path: root.join("config.yaml"),
                    job_config_path: Some(root.join("jobs")),
                    plugin_config: Some(root.join("plugins.yaml")),
                    strict: false,
                },
                "the example config",
            )
        }
    }
}

fn all_bases(loaded: &mut Loaded) -> impl Iterator<Item = &mut JobBase> {
    loaded.config.jobs.job_bases_mut()
}

/// Counts of a JSON tree: nodes, objects, arrays, strings (keys included) and their bytes.
#[derive(Default)]
struct Tree {
    nodes: usize,
    objects: usize,
    arrays: usize,
    strings: usize,
    string_bytes: usize,
}

impl Tree {
    fn add(&mut self, v: &Value) {
        self.nodes += 1;
        match v {
            Value::String(s) => {
                self.strings += 1;
                self.string_bytes += s.len();
            }
            Value::Array(items) => {
                self.arrays += 1;
                items.iter().for_each(|i| self.add(i));
            }
            Value::Object(map) => {
                self.objects += 1;
                for (k, v) in map {
                    self.strings += 1;
                    self.string_bytes += k.len();
                    self.add(v);
                }
            }
            _ => {}
        }
    }
}

/// Takes out of `base`'s pod spec what the presets merged into it.
fn take_preset_parts(base: &mut JobBase, presets: &[Preset]) -> Vec<Value> {
    let mut taken = Vec::new();
    let Some(spec) = base.spec.as_mut() else {
        return taken;
    };
    let applying: Vec<&Preset> = presets
        .iter()
        .filter(|p| p.applies_to(&base.labels))
        .collect();
    let names = |values: &mut dyn Iterator<Item = &Vec<Value>>| -> BTreeSet<String> {
        values
            .flatten()
            .filter_map(|v| v.get("name").and_then(Value::as_str).map(str::to_string))
            .collect()
    };
    let env = names(&mut applying.iter().map(|p| &p.env));
    let volumes = names(&mut applying.iter().map(|p| &p.volumes));
    let mounts = names(&mut applying.iter().map(|p| &p.volume_mounts));
    let tolerations: Vec<&Value> = applying.iter().flat_map(|p| &p.tolerations).collect();
    let mut take = |list: Option<&mut Value>, pick: &dyn Fn(&Value) -> bool| {
        if let Some(Value::Array(items)) = list {
            let (out, keep): (Vec<Value>, Vec<Value>) =
                std::mem::take(items).into_iter().partition(|v| pick(v));
            *items = keep;
            taken.extend(out);
        }
    };
    let named = |set: &BTreeSet<String>| {
        let set = set.clone();
        move |v: &Value| {
            v.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| set.contains(n))
        }
    };
    take(spec.0.get_mut("volumes"), &named(&volumes));
    take(spec.0.get_mut("tolerations"), &|v| tolerations.contains(&v));
    for container in spec.containers_mut().iter_mut() {
        take(container.get_mut("env"), &named(&env));
        take(container.get_mut("volumeMounts"), &named(&mounts));
    }
    taken
}

fn child(single: bool) {
    let (options, _) = options();
    let start = heap();
    let mut loaded = prow_core::config::load(&options);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let after = heap();
    let rss = rss_bytes().unwrap_or(0);
    let live = after.bytes - start.bytes;
    let blocks = after.blocks - start.blocks;
    println!(
        "  resident {:.1} MB; live heap {:.1} MB in {} blocks (+{:.1} MB malloc headers at 16 B/block)",
        mb(rss as i64),
        mb(live),
        blocks,
        mb(blocks * 16)
    );
    if single {
        return;
    }

    // What the compaction done while loading costs, on one core: shrinking every pod
    // spec again (the same walk and rebuilds) and keying every decoration config.
    let start = std::time::Instant::now();
    for base in all_bases(&mut loaded) {
        if let Some(spec) = &mut base.spec {
            spec.shrink_to_fit();
        }
    }
    let shrink = start.elapsed();
    let start = std::time::Instant::now();
    let mut keyed = 0;
    for base in all_bases(&mut loaded) {
        if let Some(dc) = &base.utility_config.decoration_config {
            keyed += serde_json::to_string(&**dc).map_or(0, |k| k.len());
        }
    }
    println!(
        "  on one core: every pod spec shrunk whole {:.1} ms (the loader shrinks the jobs' own parts); decoration configs keyed {:.1} ms ({keyed} bytes)",
        shrink.as_secs_f64() * 1000.0,
        start.elapsed().as_secs_f64() * 1000.0,
    );

    // Where the live bytes go: take each part out and drop it, measuring what is freed.
    let presets = loaded.config.jobs.presets.clone();
    let mut parts: Vec<(&str, Heap)> = Vec::new();
    let mut measure = |name: &'static str, f: &mut dyn FnMut(&mut Loaded)| {
        let before = heap();
        f(&mut loaded);
        let after = heap();
        parts.push((
            name,
            Heap {
                bytes: before.bytes - after.bytes,
                blocks: before.blocks - after.blocks,
            },
        ));
    };
    let mut jobs = 0;
    let mut tree = Tree::default();
    let mut preset_tree = Tree::default();
    measure("pod specs: parts merged from presets", &mut |l| {
        for base in all_bases(l) {
            jobs += 1;
            for v in take_preset_parts(base, &presets) {
                preset_tree.add(&v);
            }
        }
    });
    measure("pod specs: the jobs' own", &mut |l| {
        for base in all_bases(l) {
            if let Some(spec) = base.spec.take() {
                tree.add(&Value::Object(spec.0));
            }
        }
    });
    measure("decoration configs", &mut |l| {
        for base in all_bases(l) {
            base.utility_config.decoration_config = None;
        }
    });
    measure("prowjob defaults + reporter/rerun configs", &mut |l| {
        for base in all_bases(l) {
            base.prowjob_defaults = None;
            base.reporter_config = None;
            base.rerun_auth_config = None;
        }
    });
    measure("labels + annotations", &mut |l| {
        for base in all_bases(l) {
            base.labels.clear();
            base.annotations.clear();
        }
    });
    measure("job structs and remaining fields", &mut |l| {
        let jobs = &mut l.config.jobs;
        jobs.presubmits.clear();
        jobs.postsubmits.clear();
        jobs.periodics.clear();
    });
    measure("plugins.yaml", &mut |l| l.plugins = None);
    measure("config.yaml (Prow config) + presets", &mut |l| {
        l.config = Default::default();
    });
    measure("warnings", &mut |l| l.warnings.clear());
    println!("  where the live heap goes ({jobs} jobs):");
    for (name, h) in &parts {
        println!(
            "    {name:<44} {:6.1} MB in {:8} blocks ({:5.0} B/job)",
            mb(h.bytes),
            h.blocks,
            h.bytes as f64 / jobs.max(1) as f64
        );
    }
    for (name, t) in [("preset parts", &preset_tree), ("own pod specs", &tree)] {
        println!(
            "    {name}: {} JSON nodes ({} objects, {} arrays), {} strings of {:.1} MB",
            t.nodes,
            t.objects,
            t.arrays,
            t.strings,
            mb(t.string_bytes as i64)
        );
    }
    println!(
        "    size_of: Presubmit {} B, Periodic {} B, JobBase {} B, serde_json::Value {} B",
        size_of::<prow_core::config::jobs::Presubmit>(),
        size_of::<prow_core::config::jobs::Periodic>(),
        size_of::<JobBase>(),
        size_of::<Value>()
    );
}

fn run_child(label: &str, wrap: &[&str], env: &[(&str, &str)], single: bool) {
    let exe = std::env::current_exe().unwrap();
    let mut args: Vec<String> = wrap.iter().map(|s| s.to_string()).collect();
    args.push(exe.display().to_string());
    args.push(if single { "--child-brief" } else { "--child" }.into());
    let mut command = Command::new(&args[0]);
    command.args(&args[1..]).envs(env.iter().copied());
    match command.output() {
        Ok(out) if out.status.success() => {
            println!("{label}:");
            print!("{}", String::from_utf8_lossy(&out.stdout));
        }
        Ok(out) => println!(
            "{label}: failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(e) => println!("{label}: not run: {e}"),
    }
}

fn main() {
    if std::env::args().any(|a| a == "--child") {
        return child(false);
    }
    if std::env::args().any(|a| a == "--child-brief") {
        return child(true);
    }
    let (_, label) = options();
    println!("config_memory: {label} loaded and held (target: resident <= 60 MB)");
    run_child("loaded on all cores", &[], &[], false);
    run_child(
        "loaded on all cores, MALLOC_ARENA_MAX=1",
        &[],
        &[("MALLOC_ARENA_MAX", "1")],
        true,
    );
    run_child("loaded on one core", &["taskset", "-c", "0"], &[], true);
}
