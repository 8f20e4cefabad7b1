//! The `milestonestatus` plugin: `/status approved-for-milestone|in-progress|in-review` adds the
//! `status/*` label, for members of the repository's milestone maintainers team.

use async_trait::async_trait;
use prow_core::config::plugins::{Milestone, PluginsConfig};
use prow_core::github::RepoName;
use prow_core::traits::{EventKind, Plugin, PluginContext, PluginError, PluginEvent, PluginHelp};

use crate::commands::{self, Arg, Command};
use crate::plugins::milestone::{maintainers, milestone_config, must_be_authorized};
use crate::plugins::{created_comment, repo_of};

/// `/status (approved-for-milestone|in-progress|in-review)`.
pub static STATUS: Command = Command::new("status")
    .arg(Arg::Required(".+"))
    .usage("/status (approved-for-milestone|in-progress|in-review)")
    .description("Applies the 'status/' label to a PR.")
    .who_can_use(
        "Members of the milestone maintainers GitHub team can use the '/status' command. This team is specified in the config by providing the GitHub team's ID.",
    )
    .examples(&[
        "/status approved-for-milestone",
        "/status in-progress",
        "/status in-review",
    ]);

/// The label of each status.
const STATUS_LABELS: [(&str, &str); 3] = [
    ("approved-for-milestone", "status/approved-for-milestone"),
    ("in-progress", "status/in-progress"),
    ("in-review", "status/in-review"),
];

/// The `milestonestatus` plugin. It reads the `repo_milestone` section of `plugins.yaml`, as
/// the `milestone` plugin does (see [`crate::plugins::milestone::MilestonePlugin`]).
#[derive(Debug, Default)]
pub struct MilestoneStatus;

/// The `status/*` label of a status name.
pub fn status_label(status: &str) -> Option<&'static str> {
    STATUS_LABELS
        .iter()
        .find(|(name, _)| *name == status)
        .map(|(_, label)| *label)
}

#[async_trait]
impl Plugin for MilestoneStatus {
    fn name(&self) -> &str {
        "milestonestatus"
    }

    fn events(&self) -> &[EventKind] {
        &[EventKind::GenericComment]
    }

    fn help(&self) -> PluginHelp {
        self.help_for(&PluginsConfig::default(), &[])
    }

    fn help_for(&self, plugins: &PluginsConfig, repos: &[RepoName]) -> PluginHelp {
        let describe = |team: &Milestone| {
            format!(
                "The milestone maintainers team is the GitHub team {:?}",
                team.maintainers_team
            )
        };
        let config = super::milestone::maintainers_help(plugins, repos, describe);
        PluginHelp {
            description: "The milestonestatus plugin allows members of the milestone maintainers GitHub team to specify the 'status/*' label that should apply to a pull request.".to_owned(),
            config,
            commands: commands::help(&[&STATUS]),
            ..PluginHelp::default()
        }
    }

    async fn handle(&self, ctx: &PluginContext, event: &PluginEvent) -> Result<(), PluginError> {
        let Some(comment) = created_comment(event) else {
            return Ok(());
        };
        let found = STATUS.find(&comment.body);
        if found.is_empty() {
            return Ok(());
        }
        let repo = repo_of(comment);
        let config = milestone_config(&ctx.plugins, &repo);
        let members = maintainers(ctx, &repo.org, &config).await?;
        let login = comment.user.login.to_lowercase();
        if !members.iter().any(|m| m.login.to_lowercase() == login) {
            // Upstream posts this one without the standard reply wrapping.
            let text = must_be_authorized(&repo.org, &config, "add status labels", "status");
            ctx.github
                .create_comment(&repo, comment.number, &text)
                .await?;
            return Ok(());
        }
        for invocation in found {
            let Some(label) = invocation.arg.as_deref().and_then(status_label) else {
                continue;
            };
            if let Err(error) = ctx.github.add_label(&repo, comment.number, label).await {
                tracing::error!(%error, label, "could not add the status label");
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Harness;

    const NOT_LEAD: &str = "You must be a member of the [org/leads](https://github.com/orgs/org/teams/leads/members) GitHub team to add status labels. If you believe you should be able to issue the /status command, please contact your SIG Chairs/TLs and have them propose you as an additional delegate for this responsibility.";

    #[tokio::test]
    async fn status_command() {
        struct Case {
            name: &'static str,
            body: &'static str,
            commenter: &'static str,
            repo_team: bool,
            added: &'static [&'static str],
            comment: bool,
        }
        const BASE: Case = Case {
            name: "",
            body: "",
            commenter: "alice",
            repo_team: true,
            added: &[],
            comment: false,
        };
        let cases = [
            Case {
                name: "a follower cannot approve",
                body: "/status approved-for-milestone",
                commenter: "carol",
                comment: true,
                ..BASE
            },
            Case {
                name: "a follower cannot mark in progress",
                body: "/status in-progress",
                commenter: "carol",
                comment: true,
                ..BASE
            },
            Case {
                name: "a follower cannot mark in review",
                body: "/status in-review",
                commenter: "carol",
                comment: true,
                ..BASE
            },
            Case {
                name: "a lead approves",
                body: "/status approved-for-milestone",
                added: &["status/approved-for-milestone"],
                ..BASE
            },
            Case {
                name: "a lead marks in progress",
                body: "/status in-progress",
                added: &["status/in-progress"],
                ..BASE
            },
            Case {
                name: "a lead marks in review",
                body: "/status in-review",
                added: &["status/in-review"],
                ..BASE
            },
            Case {
                name: "a lead marks an invalid status",
                body: "/status in-valid",
                ..BASE
            },
            Case {
                name: "a lead marks an empty status",
                body: "/status ",
                ..BASE
            },
            Case {
                name: "several statuses in one comment",
                body: "/status in-progress\r\n/status in-review",
                added: &["status/in-progress", "status/in-review"],
                ..BASE
            },
            Case {
                name: "the default maintainers team when the repository has none",
                body: "/status in-progress",
                commenter: "bob",
                repo_team: false,
                added: &["status/in-progress"],
                ..BASE
            },
            Case {
                name: "not the default maintainers team when the repository has one",
                body: "/status in-progress",
                commenter: "bob",
                comment: true,
                ..BASE
            },
        ];
        for case in cases {
            let mut h = Harness::new();
            let mut yaml = "repo_milestone:\n  '':\n    maintainers_team: admins\n".to_owned();
            if case.repo_team {
                yaml.push_str("  org/repo:\n    maintainers_team: leads\n");
            }
            h.set_plugins_yaml(&yaml);
            for (team, member) in [("leads", "alice"), ("admins", "bob")] {
                h.sim.add_team("org", team, team).unwrap();
                h.sim.add_team_member("org", team, member, false).unwrap();
            }
            let pr = h.open_issue("author", "an issue");
            h.sim
                .comment_as(case.commenter, &h.repo, pr, case.body)
                .unwrap();
            h.deliver_ok(&MilestoneStatus).await;
            let mut want: Vec<(String, String)> = case
                .added
                .iter()
                .map(|l| ("add_label".to_owned(), (*l).to_owned()))
                .collect();
            if case.comment {
                want.push(("create_comment".to_owned(), NOT_LEAD.to_owned()));
            }
            assert_eq!(h.bot_actions(), want, "{}", case.name);
        }
    }

    #[test]
    fn status_labels() {
        assert_eq!(
            status_label("approved-for-milestone"),
            Some("status/approved-for-milestone")
        );
        assert_eq!(status_label("in-progress"), Some("status/in-progress"));
        assert_eq!(status_label("in-review"), Some("status/in-review"));
        assert_eq!(status_label("In-Review"), None);
        assert_eq!(
            MilestoneStatus.help().commands[0].usage,
            "/status (approved-for-milestone|in-progress|in-review)"
        );
    }
}
