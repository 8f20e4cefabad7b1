//! The `heart` plugin: reacts with a celebrating emoji to pull request comments of the
//! configured adorees that match `heart.commentregexp`, and to pull requests adding OWNERS lines.

use std::collections::BTreeMap;

use async_trait::async_trait;
use prow_core::config::plugins::PluginsConfig;
use prow_core::event::{Event, IssueCommentEventAction, PullRequestEventAction};
use prow_core::github::RepoName;
use prow_core::traits::{EventKind, Plugin, PluginContext, PluginError, PluginEvent, PluginHelp};

/// The reactions the plugin celebrates with.
pub const REACTIONS: [&str; 3] = ["+1", "heart", "hooray"];

/// The `heart` plugin.
///
/// Its `plugins.yaml` section:
///
/// ```yaml
/// heart:
///   adorees: [alice, bob]     # whose pull request comments get a reaction
///   commentregexp: ".*"       # which of their comments
/// ```
#[derive(Debug, Default)]
pub struct Heart;

/// The reaction for the object with ID `id`: one of [`REACTIONS`], spread by the ID
/// (upstream picks one at random).
pub fn reaction_for(id: u64) -> &'static str {
    // The ID is reduced first, so the index always fits.
    REACTIONS[(id % REACTIONS.len() as u64) as usize]
}

impl Heart {
    async fn handle_issue_comment(
        &self,
        ctx: &PluginContext,
        event: &Event,
    ) -> Result<(), PluginError> {
        let Event::IssueComment(ic) = event else {
            return Ok(());
        };
        if !ic.issue.is_pull_request() || ic.action != IssueCommentEventAction::Created {
            return Ok(());
        }
        let Some(regex) = ctx.plugins.heart_regex() else {
            return Ok(());
        };
        let regex = regex.map_err(PluginError::internal)?;
        let heart = &ctx.plugins.heart;
        if !heart.adorees.contains(&ic.comment.user.login) {
            return Ok(());
        }
        if !regex.is_match(&ic.comment.body) {
            return Ok(());
        }
        tracing::info!("This is a wonderful thing!");
        let repo = RepoName::new(ic.repo.org(), &ic.repo.name);
        ctx.github
            .create_comment_reaction(&repo, ic.comment.id, reaction_for(ic.comment.id))
            .await?;
        Ok(())
    }

    async fn handle_pull_request(
        &self,
        ctx: &PluginContext,
        event: &Event,
    ) -> Result<(), PluginError> {
        let Event::PullRequest(pr) = event else {
            return Ok(());
        };
        if pr.action != PullRequestEventAction::Opened {
            return Ok(());
        }
        let repo = RepoName::new(pr.repo.org(), &pr.repo.name);
        let names = ctx.plugins.owners_filenames(&repo.org, &repo.repo);
        let changes = ctx
            .github
            .get_pull_request_changes(&repo, pr.number)
            .await?;
        let adds_owners = changes.iter().any(|change| {
            let file = change.filename.rsplit('/').next().unwrap_or_default();
            (file == names.owners || file == names.owners_aliases) && change.additions > 0
        });
        if adds_owners {
            tracing::info!("Adding new OWNERS makes me happy!");
            ctx.github
                .create_issue_reaction(&repo, pr.number, reaction_for(pr.pull_request.id))
                .await?;
        }
        Ok(())
    }
}

#[async_trait]
impl Plugin for Heart {
    fn name(&self) -> &str {
        "heart"
    }

    fn events(&self) -> &[EventKind] {
        &[EventKind::IssueComment, EventKind::PullRequest]
    }

    fn help(&self) -> PluginHelp {
        self.help_for(&PluginsConfig::default(), &[])
    }

    fn help_for(&self, plugins: &PluginsConfig, _repos: &[RepoName]) -> PluginHelp {
        PluginHelp {
            description: "The heart plugin celebrates certain GitHub actions with the reaction emojis. Emojis are added to pull requests that make additions to OWNERS or OWNERS_ALIASES files and to comments left by specified \"adorees\".".to_owned(),
            config: BTreeMap::from([(
                String::new(),
                format!(
                    "The heart plugin is configured to react to comments,  satisfying the regular expression {}, left by the following GitHub users: {}.",
                    plugins.heart.comment_regexp,
                    plugins.heart.adorees.join(", ")
                ),
            )]),
            ..PluginHelp::default()
        }
    }

    async fn handle(&self, ctx: &PluginContext, event: &PluginEvent) -> Result<(), PluginError> {
        match event.kind {
            EventKind::IssueComment => self.handle_issue_comment(ctx, &event.event).await,
            EventKind::PullRequest => self.handle_pull_request(ctx, &event.event).await,
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use prow_github::simulator::Files;

    use super::*;
    use crate::testing::Harness;

    #[tokio::test]
    async fn pull_requests_adding_owners() {
        struct Case {
            name: &'static str,
            files: Files,
            reopen: bool,
            plugins: &'static str,
            react: bool,
        }
        let cases = [
            Case {
                name: "adds a line to an OWNERS file",
                files: Files::new().put("foo/bar/OWNERS", "approvers:\n- a\n- b\n"),
                reopen: false,
                plugins: "",
                react: true,
            },
            Case {
                name: "only deletes lines from an OWNERS file",
                files: Files::new().put("foo/bar/OWNERS", "approvers:\n"),
                reopen: false,
                plugins: "",
                react: false,
            },
            Case {
                name: "no change to OWNERS",
                files: Files::new().put("foo/bar/foo.go", "package foo\n"),
                reopen: false,
                plugins: "",
                react: false,
            },
            Case {
                name: "reopened, not opened",
                files: Files::new().put("foo/bar/OWNERS", "approvers:\n- a\n- b\n"),
                reopen: true,
                plugins: "",
                react: false,
            },
            Case {
                name: "adds a line to an OWNERS_ALIASES file",
                files: Files::new().put("OWNERS_ALIASES", "aliases:\n  team: [a]\n"),
                reopen: false,
                plugins: "",
                react: true,
            },
            Case {
                name: "the repository's own OWNERS file name",
                files: Files::new().put("foo/REVIEWERS", "approvers:\n- a\n"),
                reopen: false,
                plugins: "owners:\n  filenames:\n    org/repo:\n      owners: REVIEWERS\n",
                react: true,
            },
            Case {
                name: "a file merely named like OWNERS",
                files: Files::new().put("foo/OWNERS.md", "approvers:\n- a\n"),
                reopen: false,
                plugins: "",
                react: false,
            },
        ];
        for case in cases {
            let mut h = Harness::with_files(
                Files::new()
                    .put("README.md", "# repo\n")
                    .put("foo/bar/OWNERS", "approvers:\n- a\n"),
            );
            if !case.plugins.is_empty() {
                h.set_plugins_yaml(case.plugins);
            }
            h.sim
                .open_pull_request(&h.repo, "alice", "owners", "", "owners", case.files)
                .unwrap();
            let number = 1;
            if case.reopen {
                h.forget();
                h.sim
                    .close_pull_request_as("alice", &h.repo, number)
                    .unwrap();
                h.sim
                    .reopen_pull_request_as("alice", &h.repo, number)
                    .unwrap();
            }
            h.deliver_ok(&Heart).await;
            let id = h.sim.pull_request(&h.repo, number).unwrap().id;
            let want: Vec<(String, String)> = if case.react {
                vec![("create_issue_reaction".into(), reaction_for(id).into())]
            } else {
                Vec::new()
            };
            assert_eq!(h.bot_actions(), want, "{}", case.name);
            let reactions = h.sim.reactions(&h.repo, number, None).unwrap();
            assert_eq!(reactions.len(), usize::from(case.react), "{}", case.name);
        }
    }

    #[tokio::test]
    async fn adorees_comments() {
        struct Case {
            name: &'static str,
            plugins: &'static str,
            is_pr: bool,
            commenter: &'static str,
            body: &'static str,
            edit: bool,
            react: bool,
        }
        const CONFIG: &str = "heart:\n  adorees: [alice, bob]\n  commentregexp: \"(?i)thank\"\n";
        const BASE: Case = Case {
            name: "",
            plugins: CONFIG,
            is_pr: true,
            commenter: "alice",
            body: "Thanks!",
            edit: false,
            react: true,
        };
        let cases = [
            Case {
                name: "an adoree's matching comment on a pull request",
                ..BASE
            },
            Case {
                name: "another adoree",
                commenter: "bob",
                body: "thank you",
                ..BASE
            },
            Case {
                name: "not an adoree",
                commenter: "carol",
                react: false,
                ..BASE
            },
            Case {
                name: "adorees are matched exactly",
                plugins: "heart:\n  adorees: [Alice]\n  commentregexp: \".*\"\n",
                react: false,
                ..BASE
            },
            Case {
                name: "a comment not matching the regexp",
                body: "looks fine",
                react: false,
                ..BASE
            },
            Case {
                name: "a comment on an issue",
                is_pr: false,
                react: false,
                ..BASE
            },
            Case {
                name: "an edited comment",
                edit: true,
                react: false,
                ..BASE
            },
            Case {
                name: "no adorees configured",
                plugins: "heart:\n  commentregexp: \".*\"\n",
                react: false,
                ..BASE
            },
            Case {
                name: "no regexp configured",
                plugins: "heart:\n  adorees: [alice]\n",
                react: false,
                ..BASE
            },
        ];
        for case in cases {
            let mut h = Harness::new();
            h.set_plugins_yaml(case.plugins);
            let number = if case.is_pr {
                h.open_pr("author", "change", Files::new().put("a.txt", "a"))
            } else {
                h.open_issue("author", "an issue")
            };
            let id = h
                .sim
                .comment_as(case.commenter, &h.repo, number, case.body)
                .unwrap();
            if case.edit {
                h.forget();
                h.sim
                    .edit_comment_as(case.commenter, &h.repo, id, case.body)
                    .unwrap();
            }
            h.deliver_ok(&Heart).await;
            let want: Vec<(String, String)> = if case.react {
                vec![("create_comment_reaction".into(), reaction_for(id).into())]
            } else {
                Vec::new()
            };
            assert_eq!(h.bot_actions(), want, "{}", case.name);
        }
    }

    #[test]
    fn reactions_are_spread_over_the_three() {
        let picked: std::collections::BTreeSet<&str> = (0..3).map(reaction_for).collect();
        assert_eq!(picked.len(), 3);
        assert!(picked.iter().all(|r| REACTIONS.contains(r)));
    }

    #[test]
    fn help_names_the_adorees() {
        let plugins =
            PluginsConfig::load("heart:\n  adorees: [alice, bob]\n  commentregexp: \".*\"\n")
                .unwrap();
        assert_eq!(
            Heart.help_for(&plugins, &[]).config[""],
            "The heart plugin is configured to react to comments,  satisfying the regular expression .*, left by the following GitHub users: alice, bob."
        );
    }
}
