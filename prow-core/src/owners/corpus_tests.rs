//! Tests on real OWNERS trees from the shared corpus (kubernetes/test-infra
//! and kubernetes-sigs/prow); skipped with a note when the corpus is absent.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use super::*;

const SAMPLES_DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/corpus/owners-samples"
);

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// The samples folder, or `None` (after a note) when this checkout has none.
fn samples_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(SAMPLES_DIR);
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("note: {SAMPLES_DIR} not found; skipping the OWNERS corpus test");
        None
    }
}

/// Every file under `root` as (path relative to `root` with `/`, contents).
fn read_tree(root: &Path) -> Vec<(String, String)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
        let mut entries: Vec<_> = fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
            .map(|entry| entry.expect("directory entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let relative = path.strip_prefix(root).expect("under root");
                let relative: Vec<String> = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                let contents = fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
                out.push((relative.join("/"), contents));
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out
}

fn load_sample(root: &Path, repo: &str) -> RepoOwners {
    let files = read_tree(&root.join(repo));
    assert!(!files.is_empty(), "{repo} has no files");
    let owners = RepoOwners::load(files, &LoadOptions::default());
    assert!(
        owners.problems().is_empty(),
        "{repo}: {:?}",
        owners.problems()
    );
    owners
}

#[test]
fn every_sample_file_parses() {
    let Some(root) = samples_dir() else { return };
    let files = read_tree(&root);
    let mut owners_files = 0;
    let mut alias_files = 0;
    for (path, contents) in &files {
        let name = path.rsplit('/').next().unwrap_or(path);
        match name {
            DEFAULT_OWNERS_FILE => {
                parse_owners_file(path, contents).unwrap_or_else(|e| panic!("{e}"));
                owners_files += 1;
            }
            DEFAULT_OWNERS_ALIASES_FILE => {
                let aliases =
                    parse_aliases_config(path, contents).unwrap_or_else(|e| panic!("{e}"));
                assert!(!aliases.is_empty(), "{path} defines no alias");
                alias_files += 1;
            }
            _ => {}
        }
    }
    assert!(owners_files >= 2, "only {owners_files} OWNERS files found");
    assert!(alias_files >= 1, "no OWNERS_ALIASES file found");
}

#[test]
fn test_infra_layout_resolves() {
    let Some(root) = samples_dir() else { return };
    let owners = load_sample(&root, "kubernetes+test-infra");

    let root_approvers = set(&["aojea", "bentheelder", "dims", "michelle192837", "upodroid"]);
    assert_eq!(owners.top_level_approvers(), root_approvers);
    assert_eq!(
        owners.leaf_reviewers("README.md"),
        set(&["aojea", "bentheelder", "dims", "upodroid"])
    );

    // Aliases expand, and the alias names themselves disappear.
    let sig_node_leads = set(&[
        "sergeykanzhelev",
        "dchen1107",
        "derekwaynecarr",
        "haircommander",
        "mrunalp",
    ]);
    assert_eq!(
        owners.aliases().get("SIG-Node-Leads"),
        Some(&sig_node_leads)
    );
    let node_file = "config/jobs/kubernetes/sig-node/node-kubelet.yaml";
    let leaf = owners.leaf_approvers(node_file);
    assert!(leaf.is_superset(&sig_node_leads), "{leaf:?}");
    assert!(
        leaf.contains("random-liu") && leaf.contains("kannon92"),
        "{leaf:?}"
    );
    assert!(!leaf.contains("sig-node-leads") && !leaf.contains("sig-node-test-approvers"));
    assert_eq!(
        owners.find_approver_owners_for_file(node_file),
        "config/jobs/kubernetes/sig-node"
    );
    let all_node = owners.approvers(node_file).set();
    assert!(all_node.is_superset(&root_approvers) && all_node.is_superset(&leaf));
    assert!(owners.leaf_reviewers(node_file).contains("bart0sh"));
    assert_eq!(
        owners.find_labels_for_file(node_file),
        set(&["sig/node", "area/jobs", "sig/testing"])
    );
    assert!(
        owners
            .leaf_approvers("config/jobs/containerd/containerd/containerd.yaml")
            .contains("samuelkarp")
    );

    // no_parent_owners stops inheritance; emeritus approvers never approve.
    let pushing = "config/jobs/image-pushing/k8s-staging-foo.yaml";
    assert!(owners.is_no_parent_owners("config/jobs/image-pushing"));
    assert_eq!(
        owners.approvers(pushing).set(),
        set(&["ameukam", "upodroid", "xmudrii", "hakman"])
    );
    assert_eq!(
        owners.find_labels_for_file(pushing),
        set(&["area/jobs", "sig/testing"])
    );
    for emeritus in ["fejta", "spiffxp", "ixdy", "krzyzacy", "stevekuznetsov"] {
        assert!(
            !owners.all_approvers().contains(emeritus),
            "{emeritus} approves"
        );
        assert!(
            owners.all_emeritus_approvers().contains(emeritus),
            "{emeritus} not kept"
        );
    }
    assert_eq!(
        owners
            .approvers("config/tests/jobs/policy/policy_test.go")
            .set(),
        set(&["bentheelder", "aojea", "pohly"])
    );
    assert_eq!(
        owners.find_labels_for_file("config/tests/jobs/jobs_test.go"),
        set(&["sig/testing"])
    );

    // A filters regex applies to its files only.
    let infra_leads = set(&["ameukam", "genpage", "hakman", "upodroid", "xmudrii"]);
    let contribex_tls = set(&["madhavjivrajani", "priyankasaggu11929"]);
    let trusted = "config/jobs/kubernetes/sig-k8s-infra/trusted";
    let triage = format!("{trusted}/sig-contribex-k8s-triage-robot.yaml");
    assert_eq!(owners.approvers(&triage).set(), infra_leads);
    assert_eq!(owners.required_reviewers(&triage), contribex_tls);
    assert_eq!(
        owners.find_labels_for_file(&triage),
        set(&["sig/contributor-experience"])
    );
    let other = format!("{trusted}/sig-k8s-infra-gcb.yaml");
    assert_eq!(owners.approvers(&other).set(), infra_leads);
    assert!(owners.required_reviewers(&other).is_empty());
    assert_eq!(
        owners.find_labels_for_file(&other),
        set(&["area/jobs", "sig/testing"])
    );

    let prow_guard = set(&["cblecker", "madhavjivrajani", "priyankasaggu11929"]);
    assert_eq!(
        owners.required_reviewers("config/prow/config.yaml"),
        prow_guard
    );
    assert_eq!(
        owners.required_reviewers("config/prow/plugins.yaml"),
        prow_guard
    );
    assert!(
        owners
            .required_reviewers("config/prow/jobs.yaml")
            .is_empty()
    );
    assert!(owners.required_reviewers("config/prow/Makefile").is_empty());
    assert_eq!(
        owners.find_approver_owners_for_file("config/prow/config.yaml"),
        ""
    );
    assert_eq!(
        owners.leaf_approvers("config/prow/config.yaml"),
        root_approvers
    );

    assert_eq!(
        owners.required_reviewers("label_sync/labels.yaml"),
        contribex_tls
    );
    assert!(owners.required_reviewers("label_sync/main.go").is_empty());
    assert_eq!(
        owners.leaf_approvers("label_sync/main.go"),
        set(&["cblecker", "madhavjivrajani", "priyankasaggu11929"])
    );
    assert_eq!(
        owners.find_labels_for_file("label_sync/main.go"),
        set(&[
            "area/label_sync",
            "sig/contributor-experience",
            "sig/testing"
        ])
    );

    let change = owners.owners_for_files([pushing, "config/prow/plugins.yaml"]);
    assert_eq!(change.required_reviewers, prow_guard);
    assert!(change.approvers.contains("xmudrii") && change.approvers.contains("dims"));
    assert_eq!(
        change
            .approvers_by_owners_file
            .keys()
            .cloned()
            .collect::<Vec<_>>(),
        vec!["".to_owned(), "config/jobs/image-pushing".to_owned()]
    );
}

#[test]
fn prow_layout_resolves() {
    let Some(root) = samples_dir() else { return };
    let owners = load_sample(&root, "kubernetes-sigs+prow");

    let root_approvers = set(&[
        "cblecker",
        "petr-muller",
        "matthyx",
        "droslean",
        "krzyzacy",
        "smg247",
    ]);
    assert_eq!(owners.top_level_approvers(), root_approvers);
    // Emeritus at the root; cjwagner still approves where listed as approver.
    assert!(!owners.top_level_approvers().contains("cjwagner"));
    assert!(owners.all_approvers().contains("cjwagner"));
    for emeritus in [
        "alvaroaleman",
        "stevekuznetsov",
        "timwangmusic",
        "clarketm",
        "chaodaig",
        "listx",
    ] {
        assert!(!owners.all_owners().contains(emeritus), "{emeritus} owns");
    }

    // OWNERS files with only emeritus approvers give no owners of their own.
    assert_eq!(
        owners.find_approver_owners_for_file("pkg/genyaml/genyaml.go"),
        ""
    );
    assert_eq!(
        owners.leaf_approvers("pkg/genyaml/genyaml.go"),
        root_approvers
    );
    assert_eq!(
        owners.leaf_approvers("test/integration/main_test.go"),
        root_approvers
    );

    let approve = "pkg/plugins/approve/approve.go";
    assert_eq!(owners.leaf_approvers(approve), set(&["cjwagner"]));
    let layered = owners.approvers(approve);
    assert_eq!(layered.layers()[2], set(&["cjwagner"]));
    assert_eq!(layered.set().len(), root_approvers.len() + 1);
    assert_eq!(
        owners.required_reviewers(approve),
        set(&["madhavjivrajani", "priyankasaggu11929"])
    );
    assert_eq!(owners.find_labels_for_file(approve), set(&["area/plugins"]));
    assert_eq!(
        owners.find_reviewers_owners_for_file(approve),
        "pkg/plugins"
    );

    let cherry = "cmd/external-plugins/cherrypicker/server.go";
    assert_eq!(owners.leaf_approvers(cherry), set(&["matthyx"]));
    assert_eq!(
        owners.find_approver_owners_for_file(cherry),
        "cmd/external-plugins/cherrypicker"
    );
    assert!(owners.reviewers(cherry).is_empty());
    assert_eq!(owners.find_reviewers_owners_for_file(cherry), "");

    assert_eq!(
        owners.find_labels_for_file("cmd/branchprotector/protect.go"),
        set(&["area/branchprotector"])
    );
    assert_eq!(
        owners.find_labels_for_file("pkg/tide/tide.go"),
        set(&["area/tide"])
    );
    assert!(
        owners
            .find_labels_for_file("pkg/config/config.go")
            .is_empty()
    );
}
