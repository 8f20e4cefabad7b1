//! The `branchcleaner` plugin: deletes the head branch of a pull request merged from a branch
//! of the same repository, unless `branch_cleaner.preserved_branches` keeps it.

use async_trait::async_trait;
use prow_core::config::plugins::PluginsConfig;
use prow_core::event::{Event, PullRequestEventAction};
use prow_core::github::RepoName;
use prow_core::traits::{EventKind, Plugin, PluginContext, PluginError, PluginEvent, PluginHelp};

/// The `branchcleaner` plugin.
#[derive(Debug, Default)]
pub struct BranchCleaner;

/// Go's `%v` of a list of strings: `[a b]`.
fn go_list(items: &[String]) -> String {
    format!("[{}]", items.join(" "))
}

#[async_trait]
impl Plugin for BranchCleaner {
    fn name(&self) -> &str {
        "branchcleaner"
    }

    fn events(&self) -> &[EventKind] {
        &[EventKind::PullRequest]
    }

    fn help(&self) -> PluginHelp {
        PluginHelp {
            description: "The branchcleaner plugin automatically deletes source branches for merged PRs between two branches on the same repository. This is helpful to keep repos that don't allow forking clean.".to_owned(),
            ..PluginHelp::default()
        }
    }

    fn help_for(&self, plugins: &PluginsConfig, repos: &[RepoName]) -> PluginHelp {
        let mut help = self.help();
        for repo in repos {
            let name = repo.to_string();
            if let Some(branches) = plugins.branch_cleaner.preserved_branches.get(&name) {
                help.config.insert(
                    name.clone(),
                    format!(
                        "The preserved branches for repo {name} is {}",
                        go_list(branches)
                    ),
                );
            }
        }
        help
    }

    async fn handle(&self, ctx: &PluginContext, event: &PluginEvent) -> Result<(), PluginError> {
        let Event::PullRequest(pe) = event.event.as_ref() else {
            return Ok(());
        };
        let pr = &pe.pull_request;
        if pe.action != PullRequestEventAction::Closed || !pr.merged {
            return Ok(());
        }
        let Some(base) = pr.base.repo.as_ref() else {
            return Ok(());
        };
        let same_repo = pr
            .head
            .repo
            .as_ref()
            .is_some_and(|head| head.full_name == base.full_name);
        if !same_repo {
            return Ok(());
        }
        let (org, name) = (&base.owner.login, &base.name);
        let branch = &pr.head.r#ref;
        if ctx
            .plugins
            .branch_cleaner
            .is_preserved_branch(org, name, branch)
        {
            return Ok(());
        }
        let repo = RepoName::new(org.clone(), name.clone());
        if let Err(error) = ctx
            .github
            .delete_ref(&repo, &format!("heads/{branch}"))
            .await
        {
            return Err(PluginError::internal(format!(
                "failed to delete branch {branch} on repo {org}/{name} after Pull Request #{} got merged: {error}",
                pr.number
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Harness;
    use prow_core::github::MergeDetails;
    use prow_github::simulator::{Files, NewPullRequest};

    #[derive(Clone, Copy, PartialEq)]
    enum Outcome {
        Open,
        ClosedUnmerged,
        Merged,
    }

    struct Case {
        name: &'static str,
        outcome: Outcome,
        same_repo: bool,
        branch: &'static str,
        plugins_yaml: &'static str,
        want_deleted: bool,
    }

    #[tokio::test]
    async fn deletes_merged_branches() {
        let cases = [
            Case {
                name: "Opened PR nothing to do",
                outcome: Outcome::Open,
                same_repo: true,
                branch: "my-feature1",
                plugins_yaml: "",
                want_deleted: false,
            },
            Case {
                name: "Closed PR unmerged nothing to do",
                outcome: Outcome::ClosedUnmerged,
                same_repo: true,
                branch: "my-feature2",
                plugins_yaml: "",
                want_deleted: false,
            },
            Case {
                name: "PR from different repo nothing to do",
                outcome: Outcome::Merged,
                same_repo: false,
                branch: "my-fix1",
                plugins_yaml: "",
                want_deleted: false,
            },
            Case {
                name: "PR from same repo with preserved branch in org",
                outcome: Outcome::Merged,
                same_repo: true,
                branch: "betatest",
                plugins_yaml: "branch_cleaner:\n  preserved_branches:\n    org: [release, betatest]\n",
                want_deleted: false,
            },
            Case {
                name: "PR from same repo with preserved branch regex match",
                outcome: Outcome::Merged,
                same_repo: true,
                branch: "betatest-1",
                plugins_yaml: "branch_cleaner:\n  preserved_branches:\n    org: [release, betatest-.*]\n",
                want_deleted: false,
            },
            Case {
                name: "PR from same repo without preserved branch regex match",
                outcome: Outcome::Merged,
                same_repo: true,
                branch: "betatest1",
                plugins_yaml: "branch_cleaner:\n  preserved_branches:\n    org: [release, betatest-.*]\n",
                want_deleted: true,
            },
            Case {
                name: "PR from same repo with preserved branch in repo",
                outcome: Outcome::Merged,
                same_repo: true,
                branch: "betatest",
                plugins_yaml: "branch_cleaner:\n  preserved_branches:\n    org/repo: [release, betatest]\n",
                want_deleted: false,
            },
            Case {
                name: "PR from same repo with other repo preserved branch",
                outcome: Outcome::Merged,
                same_repo: true,
                branch: "release",
                plugins_yaml: "branch_cleaner:\n  preserved_branches:\n    org/other-repo: [release, betatest]\n",
                want_deleted: true,
            },
            Case {
                name: "PR from same repo without preserved branch",
                outcome: Outcome::Merged,
                same_repo: true,
                branch: "release",
                plugins_yaml: "",
                want_deleted: true,
            },
            Case {
                name: "PR from same repo delete head ref",
                outcome: Outcome::Merged,
                same_repo: true,
                branch: "my-chore1",
                plugins_yaml: "",
                want_deleted: true,
            },
        ];
        for case in cases {
            let mut h = Harness::new();
            if !case.plugins_yaml.is_empty() {
                h.set_plugins_yaml(case.plugins_yaml);
            }
            let new = NewPullRequest {
                title: "change".into(),
                head: case.branch.into(),
                files: Files::new().put("a.txt", "a\n"),
                same_repo: case.same_repo,
                ..NewPullRequest::default()
            };
            let pr = h
                .sim
                .open_pull_request_with(&h.repo, "alice", &new)
                .unwrap();
            match case.outcome {
                Outcome::Open => {}
                Outcome::ClosedUnmerged => {
                    h.sim.close_pull_request_as("alice", &h.repo, pr).unwrap();
                }
                Outcome::Merged => {
                    let sha = h.sim.pull_request(&h.repo, pr).unwrap().head.sha;
                    let details = MergeDetails {
                        sha,
                        ..MergeDetails::default()
                    };
                    h.sim.merge_as("admin", &h.repo, pr, &details).unwrap();
                }
            }
            h.sim.take_calls();
            h.deliver_ok(&BranchCleaner).await;
            let want: Vec<(String, String)> = if case.want_deleted {
                vec![("delete_ref".into(), format!("heads/{}", case.branch))]
            } else {
                Vec::new()
            };
            assert_eq!(h.bot_actions(), want, "{}", case.name);
            if case.same_repo {
                let branches = h.sim.branches(&h.repo).unwrap();
                assert_eq!(
                    branches.contains_key(case.branch),
                    !case.want_deleted,
                    "{}",
                    case.name
                );
            }
        }
    }

    #[test]
    fn help_shows_the_preserved_branches() {
        let plugins = PluginsConfig::load(
            "branch_cleaner:\n  preserved_branches:\n    kubernetes/kubernetes: [master]\n    kubernetes-sigs: [master]\n",
        )
        .unwrap();
        let repos = [
            RepoName::new("kubernetes", "kubernetes"),
            RepoName::new("kubernetes-sigs", "kind"),
        ];
        let help = BranchCleaner.help_for(&plugins, &repos);
        assert_eq!(
            help.config,
            [(
                "kubernetes/kubernetes".to_owned(),
                "The preserved branches for repo kubernetes/kubernetes is [master]".to_owned()
            )]
            .into()
        );
    }
}
