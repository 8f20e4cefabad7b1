//! The `blockade` plugin: labels `do-not-merge/blocked-paths` the pull requests that touch
//! paths a `blockades:` entry protects, explains why in a comment, and lifts both when cleared.
//!
//! A file is blocked by a blockade that applies to the repository (and, with `branchregexp`,
//! to the base branch) when it matches one of the blockade's `blockregexps` and none of its
//! `exceptionregexps`.

use async_trait::async_trait;
use prow_core::config::plugins::{Blockade as BlockadeConfig, PluginsConfig};
use prow_core::event::{Event, PullRequestEventAction};
use prow_core::github::{PullRequestChange, RepoName};
use prow_core::labels;
use prow_core::traits::{EventKind, Plugin, PluginContext, PluginError, PluginEvent, PluginHelp};
use regex::Regex;

use crate::reply::format_response;
use prow_core::prowjob::go_quote_list;

/// The sentence every blockade comment opens with (and by which the plugin finds its own
/// comments again).
pub fn blocked_paths_body() -> String {
    format!(
        "Adding label: `{}` because PR changes a protected file.",
        labels::BLOCKED_PATHS
    )
}

/// The explanation of a blockade that gives none.
const DEFAULT_EXPLANATION: &str = "Files are protected";

/// A blockade that applies, its regular expressions compiled.
#[derive(Debug)]
struct Compiled {
    block: Vec<Regex>,
    exceptions: Vec<Regex>,
    explanation: String,
}

impl Compiled {
    fn blocks(&self, file: &str) -> bool {
        self.block.iter().any(|r| r.is_match(file))
            && !self.exceptions.iter().any(|r| r.is_match(file))
    }
}

/// The blocked files by explanation, explanations in the order the blockades come in.
#[derive(Debug, Default, PartialEq)]
struct Summary(Vec<(String, Vec<PullRequestChange>)>);

impl Summary {
    fn add(&mut self, explanation: &str, change: &PullRequestChange) {
        match self.0.iter_mut().find(|(e, _)| e == explanation) {
            Some((_, files)) => files.push(change.clone()),
            None => self.0.push((explanation.to_owned(), vec![change.clone()])),
        }
    }

    /// The comment's details: each reason with its files linked.
    fn render(&self) -> String {
        if self.0.is_empty() {
            return String::new();
        }
        let mut out = String::from("#### Reasons for blocking this PR:\n");
        for (reason, files) in &self.0 {
            out.push_str(&format!("[{reason}]\n"));
            for file in files {
                out.push_str(&format!("- [{}]({})\n\n", file.filename, file.blob_url));
            }
        }
        out
    }
}

/// Compiles the blockades that apply to `org/repo` on `branch`; a regular expression that
/// does not compile is logged and left out, a blockade left without one is skipped.
fn applicable(org: &str, repo: &str, branch: &str, blockades: &[BlockadeConfig]) -> Vec<Compiled> {
    let full = format!("{org}/{repo}");
    let compile = |patterns: &[String]| -> Vec<Regex> {
        patterns
            .iter()
            .filter_map(|p| match Regex::new(p) {
                Ok(re) => Some(re),
                Err(error) => {
                    tracing::error!(%error, pattern = %p, "failed to compile the blockade regexp");
                    None
                }
            })
            .collect()
    };
    blockades
        .iter()
        .filter(|b| b.repos.iter().any(|r| *r == org || *r == full))
        .filter(|b| match b.branch_re() {
            None => true,
            Some(Ok(re)) => re.is_match(branch),
            Some(Err(error)) => {
                tracing::error!(%error, "failed to compile the blockade branch regexp");
                false
            }
        })
        .filter_map(|b| {
            let block = compile(&b.block_regexps);
            if block.is_empty() {
                return None;
            }
            Some(Compiled {
                block,
                exceptions: compile(&b.exception_regexps),
                explanation: if b.explanation.is_empty() {
                    DEFAULT_EXPLANATION.to_owned()
                } else {
                    b.explanation.clone()
                },
            })
        })
        .collect()
}

/// Which of `changes` the blockades block, and why.
fn calculate_blocks(changes: &[PullRequestChange], blockades: &[Compiled]) -> Summary {
    let mut summary = Summary::default();
    for change in changes {
        for blockade in blockades {
            if blockade.blocks(&change.filename) {
                summary.add(&blockade.explanation, change);
            }
        }
    }
    summary
}

/// The `blockade` plugin.
#[derive(Debug, Default)]
pub struct Blockade;

#[async_trait]
impl Plugin for Blockade {
    fn name(&self) -> &str {
        "blockade"
    }

    fn events(&self) -> &[EventKind] {
        &[EventKind::PullRequest]
    }

    fn help(&self) -> PluginHelp {
        PluginHelp {
            description: format!(
                "The blockade plugin blocks pull requests from merging if they touch specific files. The plugin applies the '{}' label to pull requests that touch files that match a blockade's block regular expression and none of the corresponding exception regular expressions.",
                labels::BLOCKED_PATHS
            ),
            ..PluginHelp::default()
        }
    }

    fn help_for(&self, plugins: &PluginsConfig, repos: &[RepoName]) -> PluginHelp {
        let mut help = self.help();
        for repo in repos {
            let full = repo.to_string();
            let mut text = String::from("The following blockades apply in this repository:");
            for blockade in &plugins.blockades {
                if !blockade.repos.iter().any(|r| *r == repo.org || *r == full) {
                    continue;
                }
                let block = go_quote_list(&blockade.block_regexps);
                let exceptions = go_quote_list(&blockade.exception_regexps);
                match &blockade.branch_regexp {
                    Some(branch) => text.push_str(&format!(
                        "<br>BranchRegexp: '{branch}'<br>&nbsp&nbsp&nbsp&nbspBlock reason: '{}'<br>&nbsp&nbsp&nbsp&nbspBlock regexps: {block}<br>&nbsp&nbsp&nbsp&nbspException regexps: {exceptions}<br>",
                        blockade.explanation
                    )),
                    None => text.push_str(&format!(
                        "<br>Block reason: '{}'<br>&nbsp&nbsp&nbsp&nbspBlock regexps: {block}<br>&nbsp&nbsp&nbsp&nbspException regexps: {exceptions}<br>",
                        blockade.explanation
                    )),
                }
            }
            help.config.insert(full, text);
        }
        help
    }

    async fn handle(&self, ctx: &PluginContext, event: &PluginEvent) -> Result<(), PluginError> {
        let Event::PullRequest(pe) = event.event.as_ref() else {
            return Ok(());
        };
        if !matches!(
            pe.action,
            PullRequestEventAction::Synchronize
                | PullRequestEventAction::Opened
                | PullRequestEventAction::Reopened
        ) {
            return Ok(());
        }
        let repo = RepoName::new(pe.repo.owner.login.clone(), pe.repo.name.clone());
        let number = pe.number;
        let github = ctx.github.as_ref();
        let labels = github.get_issue_labels(&repo, number).await?;
        let labelled = prow_core::event::has_label(&labels, labels::BLOCKED_PATHS);
        let blockades = applicable(
            &repo.org,
            &repo.repo,
            &pe.pull_request.base.r#ref,
            &ctx.plugins.blockades,
        );
        if blockades.is_empty() && !labelled {
            return Ok(());
        }
        let summary = if blockades.is_empty() {
            Summary::default()
        } else {
            let changes = github.get_pull_request_changes(&repo, number).await?;
            calculate_blocks(&changes, &blockades)
        };
        let block = !summary.0.is_empty();
        if block && !labelled {
            github
                .add_label(&repo, number, labels::BLOCKED_PATHS)
                .await?;
            let message = format_response(
                &pe.pull_request.user.login,
                &blocked_paths_body(),
                &summary.render(),
            );
            github.create_comment(&repo, number, &message).await?;
        } else if !block && labelled {
            github
                .remove_label(&repo, number, labels::BLOCKED_PATHS)
                .await?;
            prune_comments(ctx, &repo, number).await;
        }
        Ok(())
    }
}

/// Deletes the bot's blockade comments on the pull request (failures are logged).
async fn prune_comments(ctx: &PluginContext, repo: &RepoName, number: u64) {
    let bot = match ctx.github.bot_user().await {
        Ok(bot) => bot.login,
        Err(error) => {
            tracing::error!(%repo, number, %error, "could not learn the bot's login");
            return;
        }
    };
    let comments = match ctx.github.list_issue_comments(repo, number).await {
        Ok(comments) => comments,
        Err(error) => {
            tracing::error!(%repo, number, %error, "could not list comments to prune");
            return;
        }
    };
    let body = blocked_paths_body();
    for comment in comments {
        if comment.user.login.eq_ignore_ascii_case(&bot)
            && comment.body.contains(&body)
            && let Err(error) = ctx.github.delete_comment(repo, comment.id).await
        {
            tracing::error!(%repo, number, %error, "could not delete a blockade comment");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Harness;
    use prow_github::simulator::{Files, NewPullRequest};
    use std::collections::BTreeMap;

    fn change(file: &str) -> PullRequestChange {
        PullRequestChange {
            filename: file.to_owned(),
            blob_url: format!("<{file}>"),
            ..PullRequestChange::default()
        }
    }

    const DOC_FILE: &str = "docs/documentation.md";
    const DOC_OWNERS: &str = "docs/OWNERS";
    const DOC_OWNERS2: &str = "docs/2/OWNERS";
    const SRC_GO: &str = "src/code.go";
    const SRC_SH: &str = "src/shell.sh";
    const DOC_SH: &str = "docs/shell.sh";
    const CONFORMANCE: &str = "test/conformance/testdata/conformance.yaml";

    fn blockade(
        repos: &[&str],
        branch: Option<&str>,
        block: &[&str],
        except: &[&str],
        explanation: &str,
    ) -> BlockadeConfig {
        BlockadeConfig {
            repos: repos.iter().map(|s| (*s).to_owned()).collect(),
            branch_regexp: branch.map(str::to_owned),
            block_regexps: block.iter().map(|s| (*s).to_owned()).collect(),
            exception_regexps: except.iter().map(|s| (*s).to_owned()).collect(),
            explanation: explanation.to_owned(),
        }
    }

    fn block_docs() -> BlockadeConfig {
        blockade(&["org/repo"], None, &["docs/.*"], &[], "1")
    }
    fn block_docs_except_owners() -> BlockadeConfig {
        blockade(&["org/repo"], None, &["docs/.*"], &[".*OWNERS"], "2")
    }
    fn block_shell() -> BlockadeConfig {
        blockade(&["org/repo"], None, &[r".*\.sh"], &[], "3")
    }
    fn block_conformance_on_release() -> BlockadeConfig {
        blockade(
            &["org/repo"],
            Some("^release-*"),
            &["test/conformance/testdata/.*"],
            &[],
            "6",
        )
    }

    #[test]
    fn calculate_blocks_cases() {
        struct Case {
            name: &'static str,
            branch: &'static str,
            config: Vec<BlockadeConfig>,
            changes: &'static [&'static str],
            want: &'static [(&'static str, &'static [&'static str])],
        }
        let cases = [
            Case {
                name: "no changes",
                branch: "",
                config: vec![block_conformance_on_release()],
                changes: &[],
                want: &[],
            },
            Case {
                name: "blocked by 1/1 blockade (no exceptions), extra file",
                branch: "",
                config: vec![block_docs()],
                changes: &[DOC_FILE, DOC_OWNERS, SRC_GO],
                want: &[("1", &[DOC_FILE, DOC_OWNERS])],
            },
            Case {
                name: "blocked by 1/1 blockade (1/2 files are exceptions), extra file",
                branch: "",
                config: vec![block_docs_except_owners()],
                changes: &[DOC_FILE, DOC_OWNERS, SRC_GO],
                want: &[("2", &[DOC_FILE])],
            },
            Case {
                name: "blocked by 0/1 blockades (2/2 exceptions), extra file",
                branch: "",
                config: vec![block_docs_except_owners()],
                changes: &[DOC_OWNERS, DOC_OWNERS2, SRC_GO],
                want: &[],
            },
            Case {
                name: "blocked by 0/1 blockades (no exceptions), extra file",
                branch: "",
                config: vec![block_docs_except_owners()],
                changes: &[SRC_GO, SRC_SH],
                want: &[],
            },
            Case {
                name: "blocked by 2/2 blockades (no exceptions), extra file",
                branch: "",
                config: vec![block_docs_except_owners(), block_shell()],
                changes: &[SRC_GO, SRC_SH, DOC_FILE],
                want: &[("3", &[SRC_SH]), ("2", &[DOC_FILE])],
            },
            Case {
                name: "blocked by 2/2 blockades w/ single file",
                branch: "",
                config: vec![block_docs_except_owners(), block_shell()],
                changes: &[DOC_SH],
                want: &[("2", &[DOC_SH]), ("3", &[DOC_SH])],
            },
            Case {
                name: "blocked by 2/2 blockades w/ single file (1/2 exceptions)",
                branch: "",
                config: vec![block_docs_except_owners(), block_shell()],
                changes: &[DOC_SH, DOC_OWNERS],
                want: &[("2", &[DOC_SH]), ("3", &[DOC_SH])],
            },
            Case {
                name: "blocked by 1/2 blockades (1/2 exceptions), extra file",
                branch: "",
                config: vec![block_docs_except_owners(), block_shell()],
                changes: &[SRC_SH, DOC_OWNERS, SRC_GO],
                want: &[("3", &[SRC_SH])],
            },
            Case {
                name: "blocked by 0/2 blockades (1/2 exceptions), extra file",
                branch: "",
                config: vec![block_docs_except_owners(), block_shell()],
                changes: &[DOC_OWNERS, SRC_GO],
                want: &[],
            },
            Case {
                name: "blocked by 1/1 blockade on release branch w/ single file",
                branch: "release-1.20",
                config: vec![block_conformance_on_release()],
                changes: &[CONFORMANCE],
                want: &[("6", &[CONFORMANCE])],
            },
            Case {
                name: "don't block conformance on main branch",
                branch: "main",
                config: vec![block_conformance_on_release()],
                changes: &[CONFORMANCE],
                want: &[],
            },
            Case {
                name: "blocked by 2/2 blockades on release branch (no exceptions), extra file",
                branch: "release-1.20",
                config: vec![block_conformance_on_release(), block_docs_except_owners()],
                changes: &[CONFORMANCE, DOC_FILE, SRC_GO],
                want: &[("6", &[CONFORMANCE]), ("2", &[DOC_FILE])],
            },
            Case {
                name: "a blockade of another org does not apply",
                branch: "",
                config: vec![blockade(&["org2"], None, &[".*"], &[], "5")],
                changes: &[SRC_GO],
                want: &[],
            },
            Case {
                name: "an org-wide blockade applies",
                branch: "",
                config: vec![blockade(&["org"], None, &[".*"], &[], "4")],
                changes: &[SRC_GO],
                want: &[("4", &[SRC_GO])],
            },
            Case {
                name: "a blockade without a valid block regexp is skipped",
                branch: "",
                config: vec![blockade(&["org"], None, &["("], &[], "7")],
                changes: &[SRC_GO],
                want: &[],
            },
            Case {
                name: "without an explanation, files are protected",
                branch: "",
                config: vec![blockade(&["org"], None, &[".*"], &[], "")],
                changes: &[SRC_GO],
                want: &[(DEFAULT_EXPLANATION, &[SRC_GO])],
            },
        ];
        for case in cases {
            let blockades = applicable("org", "repo", case.branch, &case.config);
            let changes: Vec<PullRequestChange> = case.changes.iter().map(|f| change(f)).collect();
            let summary = calculate_blocks(&changes, &blockades);
            let want = Summary(
                case.want
                    .iter()
                    .map(|(reason, files)| {
                        (
                            (*reason).to_owned(),
                            files.iter().map(|f| change(f)).collect(),
                        )
                    })
                    .collect(),
            );
            let mut got = summary.0.clone();
            let mut want_sorted = want.0.clone();
            got.sort_by(|a, b| a.0.cmp(&b.0));
            want_sorted.sort_by(|a, b| a.0.cmp(&b.0));
            assert_eq!(got, want_sorted, "{}", case.name);
        }
    }

    #[test]
    fn summary_text() {
        let summary = Summary(vec![
            ("reason A".to_owned(), vec![change(DOC_FILE)]),
            ("reason B".to_owned(), vec![change(SRC_GO), change(SRC_SH)]),
        ]);
        assert_eq!(
            summary.render(),
            "#### Reasons for blocking this PR:\n[reason A]\n- [docs/documentation.md](<docs/documentation.md>)\n\n[reason B]\n- [src/code.go](<src/code.go>)\n\n- [src/shell.sh](<src/shell.sh>)\n\n"
        );
        assert_eq!(Summary::default().render(), "");
    }

    #[derive(Clone, Copy, PartialEq)]
    enum Then {
        Open,
        Push,
        Reopen,
        EditTitle,
    }

    struct Case {
        name: &'static str,
        plugins_yaml: &'static str,
        files: &'static [&'static str],
        base: &'static str,
        has_label: bool,
        then: Then,
        want_added: bool,
        want_removed: bool,
        /// The comment's reasons, as rendered.
        want_comment: Option<&'static str>,
    }

    const BLOCK_DOCS: &str = "blockades:\n- repos: [org/repo]\n  blockregexps: ['docs/.*']\n  exceptionregexps: ['.*OWNERS']\n  explanation: docs are frozen\n";

    #[tokio::test]
    async fn handles_pull_requests() {
        let cases = [
            Case {
                name: "Boring action",
                plugins_yaml: BLOCK_DOCS,
                files: &["docs/a.md"],
                base: "master",
                has_label: false,
                then: Then::EditTitle,
                want_added: false,
                want_removed: false,
                want_comment: None,
            },
            Case {
                name: "Basic block",
                plugins_yaml: BLOCK_DOCS,
                files: &["docs/a.md", "docs/OWNERS", "src/code.go"],
                base: "master",
                has_label: false,
                then: Then::Open,
                want_added: true,
                want_removed: false,
                want_comment: Some(
                    "#### Reasons for blocking this PR:\n[docs are frozen]\n- [docs/a.md](https://github.com/org/repo/blob/{HEAD}/docs/a.md)\n\n",
                ),
            },
            Case {
                name: "Basic block, already labeled",
                plugins_yaml: BLOCK_DOCS,
                files: &["docs/a.md"],
                base: "master",
                has_label: true,
                then: Then::Push,
                want_added: false,
                want_removed: false,
                want_comment: None,
            },
            Case {
                name: "Not blocked, not labeled",
                plugins_yaml: BLOCK_DOCS,
                files: &["docs/OWNERS", "src/code.go"],
                base: "master",
                has_label: false,
                then: Then::Open,
                want_added: false,
                want_removed: false,
                want_comment: None,
            },
            Case {
                name: "Not blocked, has label",
                plugins_yaml: BLOCK_DOCS,
                files: &["src/code.go"],
                base: "master",
                has_label: true,
                then: Then::Push,
                want_added: false,
                want_removed: true,
                want_comment: None,
            },
            Case {
                name: "No blockade, not labeled",
                plugins_yaml: "",
                files: &["docs/a.md"],
                base: "master",
                has_label: false,
                then: Then::Open,
                want_added: false,
                want_removed: false,
                want_comment: None,
            },
            Case {
                name: "No blockade, has label",
                plugins_yaml: "",
                files: &["docs/a.md"],
                base: "master",
                has_label: true,
                then: Then::Reopen,
                want_added: false,
                want_removed: true,
                want_comment: None,
            },
            Case {
                name: "Basic block (org scoped blockade)",
                plugins_yaml: "blockades:\n- repos: [org]\n  blockregexps: ['.*']\n",
                files: &["src/code.go"],
                base: "master",
                has_label: false,
                then: Then::Open,
                want_added: true,
                want_removed: false,
                want_comment: Some(
                    "#### Reasons for blocking this PR:\n[Files are protected]\n- [src/code.go](https://github.com/org/repo/blob/{HEAD}/src/code.go)\n\n",
                ),
            },
            Case {
                name: "Would be blocked, but blockade is not applicable; not labeled",
                plugins_yaml: "blockades:\n- repos: [org2]\n  blockregexps: ['.*']\n",
                files: &["src/code.go"],
                base: "master",
                has_label: false,
                then: Then::Open,
                want_added: false,
                want_removed: false,
                want_comment: None,
            },
            Case {
                name: "A branch blockade applies to its branches only",
                plugins_yaml: "blockades:\n- repos: [org/repo]\n  branchregexp: '^release-'\n  blockregexps: ['.*']\n",
                files: &["src/code.go"],
                base: "master",
                has_label: false,
                then: Then::Open,
                want_added: false,
                want_removed: false,
                want_comment: None,
            },
            Case {
                name: "A branch blockade blocks on its branch",
                plugins_yaml: "blockades:\n- repos: [org/repo]\n  branchregexp: '^release-'\n  blockregexps: ['.*']\n  explanation: release is frozen\n",
                files: &["src/code.go"],
                base: "release-1.0",
                has_label: false,
                then: Then::Open,
                want_added: true,
                want_removed: false,
                want_comment: Some(
                    "#### Reasons for blocking this PR:\n[release is frozen]\n- [src/code.go](https://github.com/org/repo/blob/{HEAD}/src/code.go)\n\n",
                ),
            },
        ];
        for case in cases {
            let mut h = Harness::new();
            if !case.plugins_yaml.is_empty() {
                h.set_plugins_yaml(case.plugins_yaml);
            }
            if case.base != "master" {
                h.sim
                    .create_branch_as("admin", &h.repo, case.base, "master")
                    .unwrap();
            }
            let mut files = Files::new();
            for file in case.files {
                files = files.put(*file, "x\n");
            }
            let new = NewPullRequest {
                title: "change".into(),
                head: "feature".into(),
                base: Some(case.base.to_owned()),
                files,
                ..NewPullRequest::default()
            };
            let pr = h
                .sim
                .open_pull_request_with(&h.repo, "author", &new)
                .unwrap();
            let mut old_comment = None;
            if case.has_label {
                h.sim
                    .add_label_as(crate::testing::BOT, &h.repo, pr, labels::BLOCKED_PATHS)
                    .unwrap();
                let body = format_response("author", &blocked_paths_body(), "old reasons");
                old_comment = Some(
                    h.sim
                        .comment_as(crate::testing::BOT, &h.repo, pr, &body)
                        .unwrap(),
                );
                // Someone quoting the bot keeps their comment.
                h.sim
                    .comment_as("alice", &h.repo, pr, &format!("> {}", blocked_paths_body()))
                    .unwrap();
            }
            if case.then != Then::Open {
                h.forget();
            }
            match case.then {
                Then::Open => {}
                Then::Push => {
                    h.sim
                        .push_to_pull_request(&h.repo, pr, Files::new().put("more.txt", "m\n"))
                        .unwrap();
                }
                Then::Reopen => {
                    h.sim.close_pull_request_as("author", &h.repo, pr).unwrap();
                    h.sim.reopen_pull_request_as("author", &h.repo, pr).unwrap();
                }
                Then::EditTitle => {
                    h.sim
                        .edit_title_as("author", &h.repo, pr, "better")
                        .unwrap();
                }
            }
            h.sim.take_calls();
            h.deliver_ok(&Blockade).await;
            let head = h.sim.pull_request(&h.repo, pr).unwrap().head.sha;
            let mut want = Vec::new();
            if case.want_added {
                want.push(("add_label".to_owned(), labels::BLOCKED_PATHS.to_owned()));
            }
            if let Some(reasons) = case.want_comment {
                let reasons = reasons.replace("{HEAD}", &head);
                want.push((
                    "create_comment".to_owned(),
                    format_response("author", &blocked_paths_body(), &reasons),
                ));
            }
            if case.want_removed {
                want.push(("remove_label".to_owned(), labels::BLOCKED_PATHS.to_owned()));
                want.push((
                    "delete_comment".to_owned(),
                    old_comment.expect("an old comment").to_string(),
                ));
            }
            assert_eq!(h.bot_actions(), want, "{}", case.name);
            let labelled = h.labels(pr).contains(&labels::BLOCKED_PATHS.to_owned());
            assert_eq!(
                labelled,
                (case.has_label && !case.want_removed) || case.want_added,
                "{}",
                case.name
            );
        }
    }

    #[test]
    fn the_comment_opens_with_upstreams_sentence() {
        assert_eq!(
            blocked_paths_body(),
            "Adding label: `do-not-merge/blocked-paths` because PR changes a protected file."
        );
    }

    #[test]
    fn help_lists_the_blockades() {
        let plugins = PluginsConfig::load(
            "blockades:\n- repos: [org2/repo]\n  branchregexp: '^release-*'\n  blockregexps: ['no', nope]\n  exceptionregexps: [except, exceptional]\n  explanation: Because I have decided so.\n",
        )
        .unwrap();
        let repos = [RepoName::new("org1", "repo"), RepoName::new("org2", "repo")];
        let help = Blockade.help_for(&plugins, &repos);
        let want: BTreeMap<String, String> = [
            (
                "org1/repo".to_owned(),
                "The following blockades apply in this repository:".to_owned(),
            ),
            (
                "org2/repo".to_owned(),
                "The following blockades apply in this repository:<br>BranchRegexp: '^release-*'<br>&nbsp&nbsp&nbsp&nbspBlock reason: 'Because I have decided so.'<br>&nbsp&nbsp&nbsp&nbspBlock regexps: [\"no\" \"nope\"]<br>&nbsp&nbsp&nbsp&nbspException regexps: [\"except\" \"exceptional\"]<br>".to_owned(),
            ),
        ]
        .into();
        assert_eq!(help.config, want);
    }
}
