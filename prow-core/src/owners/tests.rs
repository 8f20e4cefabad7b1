//! Table tests after upstream's repoowners tests, on small OWNERS trees
//! written inline, plus one fixture per feature.

use std::collections::{BTreeMap, BTreeSet};

use super::repo::RuleDump;
use super::*;

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// `{dir: {"": entries}}`, the shape of a tree without filters.
fn all(entries: &[(&str, &[&str])]) -> RuleDump {
    entries
        .iter()
        .map(|(dir, names)| {
            (
                (*dir).to_owned(),
                BTreeMap::from([(String::new(), set(names))]),
            )
        })
        .collect()
}

fn load(files: &[(&str, &str)]) -> RepoOwners {
    let owners = RepoOwners::load(files.iter().copied(), &LoadOptions::default());
    assert_eq!(owners.problems(), &[] as &[OwnersError]);
    owners
}

const TEST_ALIASES: &str =
    "aliases:\n  Best-approvers:\n  - carl\n  - cjwagner\n  best-reviewers:\n  - Carl\n  - BOB";

const TEST_FILES: &[(&str, &str)] = &[
    ("foo", "approvers:\n- bob"),
    (
        "OWNERS",
        "approvers:\n- cjwagner\nreviewers:\n- Alice\n- bob\nrequired_reviewers:\n- chris\nlabels:\n- EVERYTHING",
    ),
    ("src/OWNERS", "approvers:\n- Best-Approvers"),
    (
        "src/dir/OWNERS",
        "approvers:\n- bob\nreviewers:\n- alice\n- \"@CJWagner\"\n- jakub\nrequired_reviewers:\n- ben\nlabels:\n- src-code",
    ),
    (
        "src/dir/subdir/OWNERS",
        "approvers:\n- bob\n- alice\nreviewers:\n- bob\n- alice",
    ),
    (
        "src/dir/conformance/OWNERS",
        "options:\n  no_parent_owners: true\n  auto_approve_unowned_subfolders: true\napprovers:\n- mml",
    ),
    (
        "docs/file.md",
        "---\napprovers:\n- ALICE\n\nlabels:\n- docs\n---",
    ),
    ("vendor/OWNERS", "approvers:\n- alice"),
    ("vendor/k8s.io/client-go/OWNERS", "approvers:\n- bob"),
];

const COLLABORATORS: &[&str] = &[
    "cjwagner",
    "k8s-ci-robot",
    "alice",
    "bob",
    "carl",
    "mml",
    "maggie",
];

#[test]
fn load_repo_owners_table() {
    struct Case {
        name: &'static str,
        md_enabled: bool,
        aliases: bool,
        skip_collaborators: bool,
        approvers: RuleDump,
        reviewers: RuleDump,
    }
    let base_approvers = |src: &[&str], md: bool| {
        let mut out = all(&[
            ("", &["cjwagner"]),
            ("src", src),
            ("src/dir", &["bob"]),
            ("src/dir/conformance", &["mml"]),
            ("src/dir/subdir", &["alice", "bob"]),
            ("vendor", &["alice"]),
        ]);
        if md {
            out.extend(all(&[("docs/file.md", &["alice"])]));
        }
        out
    };
    let reviewers = |src_dir: &[&str]| {
        all(&[
            ("", &["alice", "bob"]),
            ("src/dir", src_dir),
            ("src/dir/subdir", &["alice", "bob"]),
        ])
    };
    let cases = [
        Case {
            name: "no alias, no md",
            md_enabled: false,
            aliases: false,
            skip_collaborators: false,
            approvers: base_approvers(&[], false),
            reviewers: reviewers(&["alice", "cjwagner"]),
        },
        Case {
            name: "alias, no md",
            md_enabled: false,
            aliases: true,
            skip_collaborators: false,
            approvers: base_approvers(&["carl", "cjwagner"], false),
            reviewers: reviewers(&["alice", "cjwagner"]),
        },
        Case {
            name: "alias, md",
            md_enabled: true,
            aliases: true,
            skip_collaborators: false,
            approvers: base_approvers(&["carl", "cjwagner"], true),
            reviewers: reviewers(&["alice", "cjwagner"]),
        },
        Case {
            name: "Skip collaborator checks, use only OWNERS files",
            md_enabled: false,
            aliases: false,
            skip_collaborators: true,
            approvers: base_approvers(&["best-approvers"], false),
            reviewers: reviewers(&["alice", "cjwagner", "jakub"]),
        },
    ];
    for case in cases {
        let mut files = TEST_FILES.to_vec();
        if case.aliases {
            files.push(("OWNERS_ALIASES", TEST_ALIASES));
        }
        let options = LoadOptions {
            enable_md_yaml: case.md_enabled,
            ..LoadOptions::default()
        };
        let mut owners = RepoOwners::load(files, &options);
        assert!(
            owners.problems().is_empty(),
            "{}: {:?}",
            case.name,
            owners.problems()
        );
        if !case.skip_collaborators {
            owners = owners.filter_collaborators(COLLABORATORS);
        }
        assert_eq!(
            owners.dump_rules("approvers"),
            case.approvers,
            "{}",
            case.name
        );
        assert_eq!(
            owners.dump_rules("reviewers"),
            case.reviewers,
            "{}",
            case.name
        );
        assert_eq!(
            owners.dump_rules("required_reviewers"),
            all(&[("", &["chris"]), ("src/dir", &["ben"])]),
            "{}",
            case.name
        );
        let mut labels = all(&[("", &["EVERYTHING"]), ("src/dir", &["src-code"])]);
        if case.md_enabled {
            labels.extend(all(&[("docs/file.md", &["docs"])]));
        }
        assert_eq!(owners.dump_rules("labels"), labels, "{}", case.name);
        let conformance = DirOptions {
            no_parent_owners: true,
            auto_approve_unowned_subfolders: true,
        };
        assert_eq!(
            owners.dump_options(),
            &BTreeMap::from([("src/dir/conformance".to_owned(), conformance)]),
            "{}",
            case.name
        );
        assert_eq!(owners.aliases().is_empty(), !case.aliases, "{}", case.name);
        assert_eq!(owners.md_yaml_enabled(), case.md_enabled);
    }
}

#[test]
fn owners_dir_denylist_table() {
    struct Case {
        name: &'static str,
        default: &'static [&'static str],
        repos: &'static [(&'static str, &'static [&'static str])],
        ignore_preconfigured: bool,
        include: &'static [&'static str],
        exclude: &'static [&'static str],
    }
    const SRC_ALL: &[&str] = &["src", "src/dir", "src/dir/conformance", "src/dir/subdir"];
    const ALL: &[&str] = &[
        "",
        "src",
        "src/dir",
        "src/dir/conformance",
        "src/dir/subdir",
    ];
    let cases = [
        Case {
            name: "denylist by org",
            default: &[],
            repos: &[("org", &["src"])],
            ignore_preconfigured: false,
            include: &[""],
            exclude: SRC_ALL,
        },
        Case {
            name: "denylist by org/repo",
            default: &[],
            repos: &[("org/repo", &["src"])],
            ignore_preconfigured: false,
            include: &[""],
            exclude: SRC_ALL,
        },
        Case {
            name: "denylist by default",
            default: &["src"],
            repos: &[],
            ignore_preconfigured: false,
            include: &[""],
            exclude: SRC_ALL,
        },
        Case {
            name: "subdir denylist",
            default: &["dir"],
            repos: &[],
            ignore_preconfigured: false,
            include: &["", "src"],
            exclude: &["src/dir", "src/dir/conformance", "src/dir/subdir"],
        },
        Case {
            name: "no denylist setup",
            default: &[],
            repos: &[],
            ignore_preconfigured: false,
            include: ALL,
            exclude: &[],
        },
        Case {
            name: "denylist setup but not matching this repo",
            default: &[],
            repos: &[("not_org/not_repo", &["src"]), ("not_org", &["src"])],
            ignore_preconfigured: false,
            include: ALL,
            exclude: &[],
        },
        Case {
            name: "non-matching denylist",
            default: &["sr$"],
            repos: &[],
            ignore_preconfigured: false,
            include: ALL,
            exclude: &[],
        },
        Case {
            name: "path denylist",
            default: &["src/dir"],
            repos: &[],
            ignore_preconfigured: false,
            include: &["", "src"],
            exclude: &["src/dir", "src/dir/conformance", "src/dir/subdir"],
        },
        Case {
            name: "regexp denylist path",
            default: &["src/dir/."],
            repos: &[],
            ignore_preconfigured: false,
            include: &["", "src", "src/dir"],
            exclude: &["src/dir/conformance", "src/dir/subdir"],
        },
        Case {
            name: "path substring",
            default: &["/c"],
            repos: &[],
            ignore_preconfigured: false,
            include: &["", "src", "src/dir", "src/dir/subdir"],
            exclude: &["src/dir/conformance"],
        },
        Case {
            name: "exclude preconfigured defaults",
            default: &[],
            repos: &[],
            ignore_preconfigured: false,
            include: &["", "src", "src/dir", "src/dir/subdir", "vendor"],
            exclude: &["vendor/k8s.io/client-go"],
        },
        Case {
            name: "ignore preconfigured defaults",
            default: &[],
            repos: &[],
            ignore_preconfigured: true,
            include: &[
                "",
                "src",
                "src/dir",
                "src/dir/subdir",
                "vendor",
                "vendor/k8s.io/client-go",
            ],
            exclude: &[],
        },
    ];
    let mut files = TEST_FILES.to_vec();
    files.push(("OWNERS_ALIASES", TEST_ALIASES));
    for case in cases {
        let denylist = OwnersDirDenylist {
            repos: case
                .repos
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.iter().map(|p| (*p).to_owned()).collect()))
                .collect(),
            default: case.default.iter().map(|p| (*p).to_owned()).collect(),
            ignore_preconfigured_defaults: case.ignore_preconfigured,
        };
        let options = LoadOptions {
            enable_md_yaml: true,
            dir_denylist: denylist.list_ignored_dirs("org", "repo"),
            ..LoadOptions::default()
        };
        let owners = RepoOwners::load(files.iter().copied(), &options);
        let mut dirs: BTreeSet<String> = owners.dump_rules("approvers").into_keys().collect();
        dirs.extend(owners.dump_rules("reviewers").into_keys());
        for dir in case.exclude {
            assert!(
                !dirs.contains(*dir),
                "{}: {dir} should be excluded",
                case.name
            );
        }
        for dir in case.include {
            assert!(
                dirs.contains(*dir),
                "{}: {dir} should be included",
                case.name
            );
        }
    }
}

#[test]
fn denied_dirs_refuse_parsing() {
    let options = LoadOptions {
        dir_denylist: vec!["^src/dir$".to_owned()],
        ..LoadOptions::default()
    };
    let owners = RepoOwners::load(TEST_FILES.iter().copied(), &options);
    let err = owners
        .parse_simple_config("src/dir/subdir/OWNERS", "approvers: [x]")
        .unwrap_err();
    assert_eq!(
        err,
        OwnersError::DeniedDir {
            path: "src/dir/subdir/OWNERS".to_owned()
        }
    );
    assert!(owners.parse_full_config("src/dir/OWNERS", "").is_err());
    let simple = owners
        .parse_simple_config("src/OWNERS", "approvers: [X]")
        .unwrap();
    assert_eq!(simple.config.approvers, vec!["X"]);
}

#[test]
fn invalid_denylist_pattern_is_reported() {
    let options = LoadOptions {
        dir_denylist: vec!["(".to_owned()],
        ..LoadOptions::default()
    };
    let owners = RepoOwners::load([("OWNERS", "approvers: [a]")], &options);
    assert!(matches!(
        owners.problems(),
        [OwnersError::InvalidDenylistRegex { pattern, .. }] if pattern == "("
    ));
    assert_eq!(owners.top_level_approvers(), set(&["a"]));
}

#[test]
fn owners_regexp_filtering() {
    let owners = load(&[
        (
            "re/OWNERS",
            "filters:\n  \".*\":\n    labels:\n    - re/all\n  \"\\\\.go$\":\n    labels:\n    - re/go",
        ),
        (
            "re/a/OWNERS",
            "filters:\n  \"\\\\.md$\":\n    labels:\n    - re/md-in-a\n  \"\\\\.go$\":\n    labels:\n    - re/go-in-a",
        ),
    ]);
    for (file, want) in [
        ("re/a/go.go", &["re/all", "re/go", "re/go-in-a"][..]),
        ("re/a/md.md", &["re/all", "re/md-in-a"]),
        ("re/a/txt.txt", &["re/all"]),
        ("re/go.go", &["re/all", "re/go"]),
        ("re/txt.txt", &["re/all"]),
        ("re/b/md.md", &["re/all"]),
    ] {
        assert_eq!(owners.find_labels_for_file(file), set(want), "{file}");
    }
}

/// The tree of upstream's `TestGetApprovers`, written as OWNERS files.
fn approvers_tree() -> RepoOwners {
    load(&[
        ("OWNERS", "approvers: [alice, bob]"),
        ("a/b/c/OWNERS", "approvers: [carl, dave]"),
        (
            "a/b/e/OWNERS",
            "filters:\n  '.*\\.md':\n    approvers: [carl, dave]\n  '.*\\.txt':\n    approvers: [elic]",
        ),
        (
            "d/OWNERS",
            "options:\n  no_parent_owners: true\napprovers: [mml]",
        ),
        (
            "f/OWNERS",
            "options:\n  no_parent_owners: true\nfilters:\n  '.*\\.md':\n    approvers: [carl, dave]\n  '.*\\.txt':\n    approvers: [flex]",
        ),
    ])
}

#[test]
fn get_approvers_table() {
    let owners = approvers_tree();
    let root = &["alice", "bob"][..];
    // (name, file, expected OWNERS dir, leaf approvers, all approvers)
    type Case = (
        &'static str,
        &'static str,
        &'static str,
        &'static [&'static str],
        &'static [&'static str],
    );
    let cases: &[Case] = &[
        ("Modified Base Dir Only", "testFile.md", "", root, root),
        (
            "Modified Leaf Dir Only",
            "a/b/c/testFile.md",
            "a/b/c",
            &["carl", "dave"],
            &["alice", "bob", "carl", "dave"],
        ),
        (
            "Modified regexp matched file in Leaf Dir Only",
            "a/b/e/testFile.md",
            "a/b/e",
            &["carl", "dave"],
            &["alice", "bob", "carl", "dave"],
        ),
        (
            "Modified not regexp matched file in Leaf Dir Only",
            "a/b/e/testFile.dat",
            "",
            root,
            root,
        ),
        (
            "Modified NoParentOwners Dir Only",
            "d/testFile.go",
            "d",
            &["mml"],
            &["mml"],
        ),
        (
            "Modified regexp matched file NoParentOwners Dir Only",
            "f/testFile.txt",
            "f",
            &["flex"],
            &["flex"],
        ),
        (
            "Modified regexp not matched file in NoParentOwners Dir Only",
            "f/testFile.go_to_parent",
            "",
            root,
            root,
        ),
        (
            "Modified Nonexistent Dir (Default to Base)",
            "DELETED_DIR/testFile.md",
            "",
            root,
            root,
        ),
    ];
    for (name, file, owners_dir, leaf, every) in cases {
        assert_eq!(owners.leaf_approvers(file), set(leaf), "{name}: leaf");
        assert_eq!(owners.approvers(file).set(), set(every), "{name}: all");
        assert_eq!(
            owners.find_approver_owners_for_file(file),
            *owners_dir,
            "{name}: dir"
        );
    }
}

#[test]
fn approvers_are_layered_nearest_first() {
    let owners = approvers_tree();
    let layered = owners.approvers("a/b/c/file.go");
    // Layer 0 is the file itself, 1 is a/b/c, then a/b, a and the root.
    assert_eq!(layered.layers()[1], set(&["carl", "dave"]));
    assert_eq!(layered.layers()[4], set(&["alice", "bob"]));
    assert_eq!(layered.list(), vec!["carl", "dave", "alice", "bob"]);
}

#[test]
fn find_labels_for_path_table() {
    let owners = load(&[
        ("OWNERS", "labels: [sig/godzilla]"),
        ("a/b/c/OWNERS", "labels: [wg/save-tokyo]"),
    ]);
    for (name, path, want) in [
        ("base 1", "foo.txt", &["sig/godzilla"][..]),
        ("base 2", "./foo.txt", &["sig/godzilla"]),
        ("base 3", "", &["sig/godzilla"]),
        ("base 4", ".", &["sig/godzilla"]),
        (
            "leaf 1",
            "a/b/c/foo.txt",
            &["sig/godzilla", "wg/save-tokyo"],
        ),
        ("leaf 2", "a/b/foo.txt", &["sig/godzilla"]),
    ] {
        assert_eq!(owners.find_labels_for_file(path), set(want), "{name}");
    }
}

#[test]
fn expand_aliases_table() {
    let mut aliases = RepoAliases::new();
    aliases.insert("team/t1", ["u1", "u2"]);
    aliases.insert("team/t2", ["u1", "u3"]);
    aliases.insert("team/t3", Vec::<&str>::new());
    for (name, input, want) in [
        ("No expansions.", &["abc", "def"][..], &["abc", "def"][..]),
        (
            "One alias to be expanded",
            &["abc", "team/t1"],
            &["abc", "u1", "u2"],
        ),
        (
            "Duplicates inside and outside alias.",
            &["u1", "team/t1"],
            &["u1", "u2"],
        ),
        (
            "Duplicates in multiple aliases.",
            &["u1", "team/t1", "team/t2"],
            &["u1", "u2", "u3"],
        ),
        ("Mixed casing in aliases.", &["Team/T1"], &["u1", "u2"]),
        ("Empty team.", &["Team/T3"], &[]),
    ] {
        assert_eq!(aliases.expand_aliases(&set(input)), set(want), "{name}");
    }
    assert_eq!(aliases.expand_alias("TEAM/t2"), set(&["u1", "u3"]));
    assert!(aliases.expand_alias("nobody").is_empty());
    assert_eq!(aliases.expand_all_aliases(), set(&["u1", "u2", "u3"]));
}

#[test]
fn parse_aliases_config_table() {
    // (name, input, expected alias groups)
    type Groups = &'static [(&'static str, &'static [&'static str])];
    let ok_cases: &[(&str, &str, Groups)] = &[
        (
            "valid aliases",
            "\naliases:\n  team1:\n    - alice\n    - bob\n  team2:\n    - nikhilnishad\n",
            &[("team1", &["alice", "bob"]), ("team2", &["nikhilnishad"])],
        ),
        (
            "valid aliases in flow style mapping syntax",
            "\naliases:\n  team1: {alice, bob}\n",
            &[("team1", &["alice", "bob"])],
        ),
        (
            "empty alias group with braces",
            "\naliases:\n  empty-alias-group-with-braces: {}\n",
            &[("empty-alias-group-with-braces", &[])],
        ),
        (
            "empty alias group",
            "\naliases:\n  empty-alias-group:\n",
            &[("empty-alias-group", &[])],
        ),
        (
            "names are normalized",
            "aliases:\n  Sig-Leads:\n  - '@Alice'\n  - BOB\n",
            &[("sig-leads", &["alice", "bob"])],
        ),
        ("no aliases at all", "# nothing here\n", &[]),
    ];
    for (name, input, want) in ok_cases {
        let got =
            parse_aliases_config("OWNERS_ALIASES", input).unwrap_or_else(|e| panic!("{name}: {e}"));
        let got: Vec<(&str, BTreeSet<String>)> = got.iter().map(|(k, v)| (k, v.clone())).collect();
        let want: Vec<(&str, BTreeSet<String>)> = want.iter().map(|(k, v)| (*k, set(v))).collect();
        assert_eq!(got, want, "{name}");
    }

    let err = parse_aliases_config(
        "OWNERS_ALIASES",
        "\naliases:\n  alias-group-1:\n    - user1\n    alias-group-2:\n    - user2\n",
    )
    .unwrap_err();
    assert!(matches!(err, OwnersError::Parse { ref path, .. } if path == "OWNERS_ALIASES"));
    assert!(
        err.to_string().starts_with("cannot parse OWNERS_ALIASES: "),
        "{err}"
    );

    let err =
        parse_aliases_config("OWNERS_ALIASES", "\naliases:\n  alias-group-1: \"\"\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "OWNERS_ALIASES: alias group 'alias-group-1' must contain a list of members"
    );
    let err = parse_aliases_config("OWNERS_ALIASES", "aliases:\n  g: [alice, 3]\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "OWNERS_ALIASES: unexpected type for alias group member: float64"
    );
    let err = parse_aliases_config("OWNERS_ALIASES", "aliases:\n  g: true\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "OWNERS_ALIASES: unexpected type for alias group: bool"
    );
}

#[test]
fn top_level_approvers() {
    let owners = load(&[
        ("OWNERS", "approvers: [alice, bob]"),
        ("a/b/c/OWNERS", "approvers: [carl, dave]"),
    ]);
    assert_eq!(owners.top_level_approvers(), set(&["alice", "bob"]));
}

#[test]
fn top_level_approvers_ignore_narrow_root_filters() {
    let owners = load(&[(
        "OWNERS",
        "filters:\n  '.*':\n    approvers: [alice]\n  '\\.go$':\n    approvers: [gopher]",
    )]);
    assert_eq!(owners.top_level_approvers(), set(&["alice"]));
    assert_eq!(owners.leaf_approvers("main.go"), set(&["alice", "gopher"]));
}

#[test]
fn all_owners_approvers_reviewers() {
    let owners = load(&[
        ("OWNERS", "approvers: [cjwagner]\nreviewers: [alice, bob]"),
        (
            "src/dir/OWNERS",
            "approvers: [bob]\nreviewers: [alice, matthyx]",
        ),
        ("src/dir/conformance/OWNERS", "approvers: [mml]"),
        (
            "src/dir/subdir/OWNERS",
            "approvers: [alice, bob]\nreviewers: [alice, bob]",
        ),
        ("vendor/OWNERS", "approvers: [alice]"),
    ]);
    assert_eq!(
        owners.all_owners(),
        set(&["alice", "bob", "cjwagner", "matthyx", "mml"])
    );
    assert_eq!(
        owners.all_approvers(),
        set(&["alice", "bob", "cjwagner", "mml"])
    );
    assert_eq!(owners.all_reviewers(), set(&["alice", "bob", "matthyx"]));
}

#[test]
fn emeritus_approvers_never_approve() {
    let owners = load(&[
        (
            "OWNERS",
            "approvers: [alice]\nemeritus_approvers: [Old-Timer]",
        ),
        ("retired/OWNERS", "emeritus_approvers: [gone]"),
        (
            "filtered/OWNERS",
            "filters:\n  '.*':\n    approvers: [carol]\n    emeritus_approvers: [former]",
        ),
    ]);
    assert_eq!(owners.all_approvers(), set(&["alice", "carol"]));
    assert_eq!(
        owners.all_emeritus_approvers(),
        set(&["former", "gone", "old-timer"])
    );
    assert_eq!(owners.approvers("retired/x.go").set(), set(&["alice"]));
    assert_eq!(owners.find_approver_owners_for_file("retired/x.go"), "");
    assert!(!owners.all_owners().contains("old-timer"));

    match parse_owners_file("retired/OWNERS", "emeritus_approvers: [gone]").unwrap() {
        OwnersFile::Simple(simple) => {
            assert!(simple.is_empty());
            assert_eq!(simple.config.emeritus_approvers, vec!["gone"]);
        }
        other => panic!("expected the simple form, got {other:?}"),
    }
}

#[test]
fn names_are_case_folded_labels_are_not() {
    let owners = load(&[
        ("OWNERS_ALIASES", "aliases:\n  Core-Team: ['@Dana', Eve]\n"),
        (
            "OWNERS",
            "approvers: ['@Alice', BOB, core-team]\nreviewers: [CORE-TEAM]\nrequired_reviewers: ['@Chris']\nlabels: [Area/Mixed-Case]",
        ),
    ]);
    assert_eq!(
        owners.top_level_approvers(),
        set(&["alice", "bob", "dana", "eve"])
    );
    assert_eq!(owners.reviewers("x").set(), set(&["dana", "eve"]));
    assert_eq!(owners.required_reviewers("x"), set(&["chris"]));
    assert_eq!(owners.find_labels_for_file("x"), set(&["Area/Mixed-Case"]));
    assert_eq!(norm_login("@MixedCase"), "mixedcase");
}

#[test]
fn labels_accumulate_up_to_no_parent_owners() {
    let owners = load(&[
        ("OWNERS", "approvers: [root]\nlabels: [sig/root]"),
        ("a/OWNERS", "labels: [area/a]"),
        ("a/b/OWNERS", "approvers: [b-owner]\nlabels: [area/b]"),
        (
            "a/b/fence/OWNERS",
            "options:\n  no_parent_owners: true\napprovers: [fenced]\nlabels: [area/fence]",
        ),
        (
            "a/b/open/OWNERS",
            "options:\n  no_parent_owners: true\napprovers: [open-owner]",
        ),
    ]);
    assert_eq!(
        owners.find_labels_for_file("a/b/c/file.go"),
        set(&["area/a", "area/b", "sig/root"])
    );
    assert_eq!(
        owners.find_labels_for_file("a/b/fence/x/y.go"),
        set(&["area/fence"])
    );
    // No labels of its own: no_parent_owners stops nothing yet.
    assert_eq!(
        owners.find_labels_for_file("a/b/open/z.go"),
        set(&["area/a", "area/b", "sig/root"])
    );
    assert_eq!(
        owners.approvers("a/b/open/z.go").set(),
        set(&["open-owner"])
    );
    assert_eq!(
        owners.approvers("a/b/c/file.go").set(),
        set(&["b-owner", "root"])
    );
    assert!(owners.is_no_parent_owners("a/b/fence"));
    assert!(!owners.is_no_parent_owners("a/b"));
    assert!(!owners.is_no_parent_owners("a/b/fence/x"));
}

#[test]
fn no_parent_owners_only_stops_once_something_was_found() {
    let owners = load(&[
        ("OWNERS", "approvers: [root]\nreviewers: [root-reviewer]"),
        (
            "api/OWNERS",
            "options:\n  no_parent_owners: true\nreviewers: [api-reviewer]",
        ),
    ]);
    // The directory has reviewers but no approvers: approvers come from above.
    assert_eq!(owners.approvers("api/types.go").set(), set(&["root"]));
    assert_eq!(
        owners.reviewers("api/types.go").set(),
        set(&["api-reviewer"])
    );
    assert_eq!(owners.find_approver_owners_for_file("api/types.go"), "");
    assert_eq!(owners.find_reviewers_owners_for_file("api/types.go"), "api");
}

#[test]
fn auto_approve_unowned_subfolders_option() {
    let owners = load(&[
        ("OWNERS", "approvers: [root]"),
        (
            "gen/OWNERS",
            "options:\n  auto_approve_unowned_subfolders: true\napprovers: [gen]",
        ),
    ]);
    assert!(owners.is_auto_approve_unowned_subfolders("gen"));
    assert!(!owners.is_auto_approve_unowned_subfolders(""));
    assert!(!owners.is_no_parent_owners("gen"));
}

#[test]
fn filters_match_the_path_relative_to_the_owners_dir() {
    let owners = load(&[
        ("OWNERS", "approvers: [root]"),
        (
            "jobs/OWNERS",
            "filters:\n  '.*':\n    approvers: [jobs]\n  '^sig-':\n    required_reviewers: [sig-lead]\n    labels: [sig/any]\n  '(config|plugins)\\.yaml':\n    required_reviewers: [config-guard]",
        ),
    ]);
    assert_eq!(
        owners.required_reviewers("jobs/sig-node.yaml"),
        set(&["sig-lead"])
    );
    assert_eq!(
        owners.find_labels_for_file("jobs/sig-node.yaml"),
        set(&["sig/any"])
    );
    // '^' anchors at the OWNERS directory: nested files do not match.
    assert!(
        owners
            .required_reviewers("jobs/nested/sig-node.yaml")
            .is_empty()
    );
    assert!(
        owners
            .find_labels_for_file("jobs/nested/sig-node.yaml")
            .is_empty()
    );
    assert_eq!(
        owners.required_reviewers("jobs/config.yaml"),
        set(&["config-guard"])
    );
    assert_eq!(
        owners.required_reviewers("jobs/sub/plugins.yaml"),
        set(&["config-guard"])
    );
    assert!(owners.required_reviewers("jobs/jobs.yaml").is_empty());
    assert_eq!(owners.leaf_approvers("jobs/anything"), set(&["jobs"]));
    assert_eq!(
        owners.approvers("jobs/anything").set(),
        set(&["jobs", "root"])
    );
}

#[test]
fn simple_form_wins_over_filters() {
    let text = "approvers: [simple]\nfilters:\n  '.*':\n    approvers: [filtered]";
    assert!(matches!(
        parse_owners_file("OWNERS", text).unwrap(),
        OwnersFile::Simple(_)
    ));
    let owners = load(&[("OWNERS", text)]);
    assert_eq!(owners.all_approvers(), set(&["simple"]));
    let full = parse_full_config("OWNERS", text).unwrap();
    assert_eq!(full.filters[".*"].approvers, vec!["filtered"]);
}

#[test]
fn parse_forms_and_nulls() {
    let full = parse_owners_file(
        "x/OWNERS",
        "options:\n  no_parent_owners: true\nfilters:\n  'a':\n  'b':\n    labels: [l]\n",
    )
    .unwrap();
    let OwnersFile::Full(full) = full else {
        panic!("expected the filters form");
    };
    assert!(full.options.no_parent_owners);
    assert_eq!(full.filters["a"], Config::default());
    assert_eq!(full.filters["b"].labels, vec!["l"]);

    let simple = parse_simple_config("OWNERS", "approvers:\nreviewers: [r]\noptions:\n").unwrap();
    assert!(simple.config.approvers.is_empty());
    assert_eq!(simple.config.reviewers, vec!["r"]);
    assert_eq!(simple.options, DirOptions::default());

    for empty in ["", "# only a comment\n", "~\n"] {
        let parsed = parse_owners_file("OWNERS", empty).unwrap();
        assert_eq!(
            parsed,
            OwnersFile::Simple(SimpleConfig::default()),
            "{empty:?}"
        );
    }
}

#[test]
fn broken_files_are_skipped_and_named() {
    let owners = RepoOwners::load(
        [
            ("OWNERS", "approvers: [root]"),
            ("bad/OWNERS", "approvers: [unclosed"),
            (
                "badre/OWNERS",
                "filters:\n  '(':\n    approvers: [x]\n  '.*':\n    approvers: [yolanda]",
            ),
            ("typed/OWNERS", "approvers: alice"),
        ],
        &LoadOptions::default(),
    );
    let problems = owners.problems();
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(matches!(&problems[0], OwnersError::Parse { path, .. } if path == "bad/OWNERS"));
    assert!(
        problems[0]
            .to_string()
            .starts_with("cannot parse bad/OWNERS: ")
    );
    assert!(matches!(
        &problems[1],
        OwnersError::InvalidFilterRegex { path, pattern, .. } if path == "badre/OWNERS" && pattern == "("
    ));
    assert!(matches!(&problems[2], OwnersError::Parse { path, .. } if path == "typed/OWNERS"));
    assert_eq!(owners.approvers("bad/x").set(), set(&["root"]));
    // The valid filter of a file with a broken one still applies.
    assert_eq!(owners.leaf_approvers("badre/x"), set(&["yolanda"]));
}

#[test]
fn broken_aliases_file_leaves_no_aliases() {
    let owners = RepoOwners::load(
        [
            ("OWNERS_ALIASES", "aliases:\n  team: nope\n"),
            ("OWNERS", "approvers: [team]"),
        ],
        &LoadOptions::default(),
    );
    assert!(
        matches!(owners.problems(), [OwnersError::AliasGroupNotList { alias, .. }] if alias == "team")
    );
    assert_eq!(owners.top_level_approvers(), set(&["team"]));
}

#[test]
fn only_root_aliases_and_exact_owners_names_count() {
    let owners = load(&[
        ("OWNERS", "approvers: [team]"),
        ("sub/OWNERS_ALIASES", "aliases:\n  team: [ignored]\n"),
        ("sub/OWNERS.md", "approvers: [nobody]"),
        ("sub/NOT_OWNERS", "approvers: [nobody]"),
    ]);
    assert_eq!(owners.all_approvers(), set(&["team"]));
}

#[test]
fn custom_filenames() {
    let options = LoadOptions {
        filenames: Filenames {
            owners: "REVIEWERS".to_owned(),
            owners_aliases: "config/ALIASES".to_owned(),
        },
        ..LoadOptions::default()
    };
    let owners = RepoOwners::load(
        [
            ("config/ALIASES", "aliases:\n  t: [u1]\n"),
            ("REVIEWERS", "approvers: [t]"),
            ("OWNERS", "approvers: [ignored]"),
        ],
        &options,
    );
    assert!(owners.problems().is_empty());
    assert_eq!(owners.all_approvers(), set(&["u1"]));
    assert_eq!(owners.filenames().owners, "REVIEWERS");
}

#[test]
fn md_headers_apply_to_their_file_only() {
    let options = LoadOptions {
        enable_md_yaml: true,
        ..LoadOptions::default()
    };
    let owners = RepoOwners::load(
        [
            ("OWNERS", "approvers: [root]"),
            (
                "docs/guide.md",
                "---\napprovers:\n- Writer\nlabels:\n- kind/docs\n---\n# Guide\n\ntext\n\n---\n\nmore",
            ),
            ("docs/plain.md", "# No header\n"),
        ],
        &options,
    );
    assert!(owners.problems().is_empty(), "{:?}", owners.problems());
    assert_eq!(owners.leaf_approvers("docs/guide.md"), set(&["writer"]));
    assert_eq!(
        owners.approvers("docs/guide.md").layers()[0],
        set(&["writer"])
    );
    assert_eq!(
        owners.find_labels_for_file("docs/guide.md"),
        set(&["kind/docs"])
    );
    assert_eq!(owners.leaf_approvers("docs/plain.md"), set(&["root"]));
    assert_eq!(owners.leaf_approvers("docs/other.txt"), set(&["root"]));

    let disabled = load(&[
        ("OWNERS", "approvers: [root]"),
        ("docs/guide.md", "---\napprovers: [w]\n---"),
    ]);
    assert_eq!(disabled.leaf_approvers("docs/guide.md"), set(&["root"]));
}

#[test]
fn paths_outside_the_repository_are_rejected() {
    let owners = RepoOwners::load(
        [("../OWNERS", "approvers: [evil]")],
        &LoadOptions::default(),
    );
    assert!(matches!(
        owners.problems(),
        [OwnersError::InvalidPath { .. }]
    ));
    assert!(owners.all_approvers().is_empty());
    // Paths are cleaned before use.
    let owners = load(&[("./a//OWNERS", "approvers: [x]")]);
    assert_eq!(owners.find_approver_owners_for_file("a/file"), "a");
}

#[test]
fn collaborator_filter_keeps_required_reviewers() {
    let owners = load(&[(
        "OWNERS",
        "approvers: [a, outsider]\nreviewers: [outsider, b]\nrequired_reviewers: [outsider]",
    )]);
    let filtered = owners.filter_collaborators(["A", "b"]);
    assert_eq!(filtered.top_level_approvers(), set(&["a"]));
    assert_eq!(filtered.reviewers("x").set(), set(&["b"]));
    assert_eq!(filtered.required_reviewers("x"), set(&["outsider"]));
    // An OWNERS file left with no approvers no longer owns its files.
    let owners = load(&[
        ("OWNERS", "approvers: [a]"),
        ("sub/OWNERS", "approvers: [outsider]"),
    ]);
    let filtered = owners.filter_collaborators(["a"]);
    assert_eq!(filtered.find_approver_owners_for_file("sub/x"), "");
    assert_eq!(filtered.leaf_approvers("sub/x"), set(&["a"]));
}

#[test]
fn owners_for_a_set_of_files() {
    let owners = load(&[
        (
            "OWNERS",
            "approvers: [root]\nreviewers: [root-rev]\nlabels: [all]",
        ),
        (
            "api/OWNERS",
            "approvers: [api]\nreviewers: [api-rev]\nrequired_reviewers: [api-guard]\nlabels: [area/api]",
        ),
        (
            "ui/OWNERS",
            "options:\n  no_parent_owners: true\napprovers: [ui]\nreviewers: [ui-rev]",
        ),
    ]);
    let change = owners.owners_for_files(["api/types.go", "ui/app.js", "README.md"]);
    assert_eq!(change.approvers, set(&["api", "root", "ui"]));
    assert_eq!(change.leaf_approvers, set(&["api", "root", "ui"]));
    assert_eq!(change.reviewers, set(&["api-rev", "root-rev", "ui-rev"]));
    assert_eq!(
        change.leaf_reviewers,
        set(&["api-rev", "root-rev", "ui-rev"])
    );
    assert_eq!(change.required_reviewers, set(&["api-guard"]));
    assert_eq!(change.labels, set(&["all", "area/api"]));
    assert_eq!(
        change.approvers_by_owners_file,
        BTreeMap::from([
            (String::new(), set(&["root"])),
            ("api".to_owned(), set(&["api", "root"])),
            ("ui".to_owned(), set(&["ui"])),
        ])
    );
    assert_eq!(change.leaf_approvers_by_owners_file["api"], set(&["api"]));
    assert_eq!(change.reviewer_owners_files, set(&["", "api", "ui"]));
    assert_eq!(
        owners.owners_for_files(Vec::<String>::new()),
        ChangeOwners::default()
    );
}

#[test]
fn empty_repository_resolves_to_nothing() {
    let owners = RepoOwners::default();
    assert!(owners.approvers("a/b").is_empty());
    assert!(owners.top_level_approvers().is_empty());
    assert_eq!(owners.find_approver_owners_for_file("a/b"), "");
    assert!(owners.find_labels_for_file("/abs/path").is_empty());
}
