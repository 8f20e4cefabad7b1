//! The `milestone` plugin: `/milestone <title>` and `/milestone clear` set or clear an issue's or
//! pull request's milestone, for members of the repository's milestone maintainers team.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use prow_core::config::plugins::{Milestone, PluginsConfig};
use prow_core::event::User;
use prow_core::github::{GitHubError, RepoName, TeamRole};
use prow_core::traits::{EventKind, Plugin, PluginContext, PluginError, PluginEvent, PluginHelp};

use crate::commands::{self, Arg, Command};
use crate::plugins::{created_comment, repo_of};
use crate::reply::format_comment_response;

/// GitHub's host, as the replies link to it.
pub(crate) const GITHUB_HOST: &str = "github.com";

/// The argument that clears the milestone.
const CLEAR: &str = "clear";

/// `/milestone <version>` or `/milestone clear`.
pub static MILESTONE: Command = Command::new("milestone")
    .arg(Arg::Required(".+"))
    .usage("/milestone <version> or /milestone clear")
    .description("Updates the milestone for an issue or PR")
    .who_can_use(
        "Members of the milestone maintainers GitHub team can use the '/milestone' command.",
    )
    .examples(&["/milestone v1.10", "/milestone v1.9", "/milestone clear"]);

/// The `milestone` plugin.
///
/// Its `plugins.yaml` section, shared with `milestonestatus` (`""` is every other repository):
///
/// ```yaml
/// repo_milestone:
///   "":
///     maintainers_team: milestone-maintainers     # team slug
///     maintainers_friendly_name: SIG Chairs/TLs   # named in the replies
///   org/repo:
///     maintainers_team: release-team
/// ```
#[derive(Debug, Default)]
pub struct MilestonePlugin;

/// The milestone maintainers entry of `org/repo`: its own, or the `""` fallback.
pub(crate) fn milestone_config(plugins: &PluginsConfig, repo: &RepoName) -> Milestone {
    plugins
        .repo_milestone_for(&repo.org, &repo.repo)
        .cloned()
        .unwrap_or_default()
}

/// The members of the milestone maintainers team of `config` in `org`: by slug, or by the
/// deprecated numeric team ID.
pub(crate) async fn maintainers(
    ctx: &PluginContext,
    org: &str,
    config: &Milestone,
) -> Result<Vec<User>, GitHubError> {
    let slug = if config.maintainers_team.is_empty() {
        let id = u64::try_from(config.maintainers_id).ok();
        let teams = ctx.github.list_teams(org).await?;
        match teams.into_iter().find(|t| Some(t.id) == id) {
            Some(team) => team.slug,
            None => {
                return Err(GitHubError::NotFound(format!(
                    "team with ID {} in {org}",
                    config.maintainers_id
                )));
            }
        }
    } else {
        config.maintainers_team.clone()
    };
    ctx.github
        .list_team_members(org, &slug, TeamRole::All)
        .await
}

/// The reply to someone outside the milestone maintainers team (`action`: what they tried,
/// `command`: the command's name).
pub(crate) fn must_be_authorized(
    org: &str,
    config: &Milestone,
    action: &str,
    command: &str,
) -> String {
    let team = &config.maintainers_team;
    format!(
        "You must be a member of the [{org}/{team}](https://{GITHUB_HOST}/orgs/{org}/teams/{team}/members) GitHub team to {action}. If you believe you should be able to issue the /{command} command, please contact your {} and have them propose you as an additional delegate for this responsibility.",
        config.maintainers_friendly_name
    )
}

#[async_trait]
impl Plugin for MilestonePlugin {
    fn name(&self) -> &str {
        "milestone"
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
                "The milestone maintainers team is the GitHub team {:?} with ID: {}.",
                team.maintainers_team, team.maintainers_id
            )
        };
        let config = maintainers_help(plugins, repos, describe);
        PluginHelp {
            description: "The milestone plugin allows members of a configurable GitHub team to set the milestone on an issue or pull request.".to_owned(),
            config,
            commands: commands::help(&[&MILESTONE]),
            ..PluginHelp::default()
        }
    }

    async fn handle(&self, ctx: &PluginContext, event: &PluginEvent) -> Result<(), PluginError> {
        let Some(comment) = created_comment(event) else {
            return Ok(());
        };
        let Some(invocation) = MILESTONE.find(&comment.body).into_iter().next() else {
            return Ok(());
        };
        let proposed = invocation.arg.unwrap_or_default();
        let repo = repo_of(comment);
        let config = milestone_config(&ctx.plugins, &repo);
        let members = maintainers(ctx, &repo.org, &config).await?;
        if !members.iter().any(|m| m.is(&comment.user.login)) {
            let text = must_be_authorized(&repo.org, &config, "set the milestone", "milestone");
            let reply = format_comment_response(comment, &text);
            ctx.github
                .create_comment(&repo, comment.number, &reply)
                .await?;
            return Ok(());
        }
        let milestones = ctx.github.list_milestones(&repo).await?;
        if proposed == CLEAR {
            if let Err(error) = ctx.github.clear_milestone(&repo, comment.number).await {
                tracing::error!(%error, "could not clear the milestone");
            }
            return Ok(());
        }
        let Some(milestone) = milestones.iter().find(|m| m.title == proposed) else {
            let titles: BTreeSet<String> = milestones
                .iter()
                .map(|m| format!("`{}`", m.title))
                .collect();
            let text = format!(
                "The provided milestone is not valid for this repository. Milestones in this repository: [{}]\n\nUse `/milestone {CLEAR}` to clear the milestone.",
                titles.into_iter().collect::<Vec<_>>().join(", ")
            );
            let reply = format_comment_response(comment, &text);
            ctx.github
                .create_comment(&repo, comment.number, &reply)
                .await?;
            return Ok(());
        };
        if let Err(error) = ctx
            .github
            .set_milestone(&repo, comment.number, milestone.number)
            .await
        {
            tracing::error!(%error, milestone = %proposed, "could not set the milestone");
        }
        Ok(())
    }
}

/// The `/plugin-help` configuration text of the milestone maintainers team of each of `repos`
/// that has one, and of the fallback (`""`), as `describe` words it.
pub(crate) fn maintainers_help(
    plugins: &PluginsConfig,
    repos: &[RepoName],
    describe: impl Fn(&Milestone) -> String,
) -> BTreeMap<String, String> {
    let mut config = BTreeMap::new();
    for repo in repos {
        if let Some(team) = plugins.repo_milestone.get(&repo.to_string()) {
            config.insert(repo.to_string(), describe(team));
        }
    }
    let fallback = plugins.repo_milestone.get("").cloned().unwrap_or_default();
    config.insert(String::new(), describe(&fallback));
    config
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Harness;

    const INVALID: &str = "The provided milestone is not valid for this repository. Milestones in this repository: [`v0.9`, `v1.0`]\n\nUse `/milestone clear` to clear the milestone.";
    const NOT_LEAD: &str = "You must be a member of the [org/leads](https://github.com/orgs/org/teams/leads/members) GitHub team to set the milestone. If you believe you should be able to issue the /milestone command, please contact your SIG Chairs/TLs and have them propose you as an additional delegate for this responsibility.";

    #[tokio::test]
    async fn milestone_command() {
        struct Case {
            name: &'static str,
            body: &'static str,
            commenter: &'static str,
            /// Whether `org/repo` has its own maintainers team (`leads`), besides the
            /// fallback (`admins`).
            repo_team: bool,
            previous: Option<&'static str>,
            edit: bool,
            calls: &'static [(&'static str, &'static str)],
            replies: &'static [&'static str],
            want: Option<&'static str>,
        }
        const BASE: Case = Case {
            name: "",
            body: "/milestone v1.0",
            commenter: "alice",
            repo_team: true,
            previous: None,
            edit: false,
            calls: &[],
            replies: &[],
            want: None,
        };
        let cases = [
            Case {
                name: "a lead sets the milestone",
                calls: &[("set_milestone", "2")],
                want: Some("v1.0"),
                ..BASE
            },
            Case {
                name: "a lead names a milestone the repository lacks",
                body: "/milestone v2.0",
                replies: &[INVALID],
                ..BASE
            },
            Case {
                name: "a lead names an invalid milestone",
                body: "/milestone abc",
                replies: &[INVALID],
                ..BASE
            },
            Case {
                name: "closed milestones are not offered",
                body: "/milestone v0.1",
                replies: &[INVALID],
                ..BASE
            },
            Case {
                name: "a follower cannot set the milestone",
                commenter: "carol",
                replies: &[NOT_LEAD],
                ..BASE
            },
            Case {
                name: "a lead clears the milestone",
                body: "/milestone clear",
                previous: Some("v1.0"),
                calls: &[("clear_milestone", "ClearMilestone")],
                ..BASE
            },
            Case {
                name: "a follower cannot clear the milestone",
                body: "/milestone clear",
                commenter: "carol",
                previous: Some("v0.9"),
                replies: &[NOT_LEAD],
                want: Some("v0.9"),
                ..BASE
            },
            Case {
                name: "multiline comment",
                body: "Foo\n/milestone v1.0\r\n/priority critical-urgent",
                previous: Some("v0.9"),
                calls: &[("set_milestone", "2")],
                want: Some("v1.0"),
                ..BASE
            },
            Case {
                name: "the default maintainers team when the repository has none",
                body: "Foo\n/milestone v1.0\r\n/priority critical-urgent",
                commenter: "bob",
                repo_team: false,
                previous: Some("v0.9"),
                calls: &[("set_milestone", "2")],
                want: Some("v1.0"),
                ..BASE
            },
            Case {
                name: "not the default maintainers team when the repository has one",
                body: "Foo\n/milestone v1.0\r\n/priority critical-urgent",
                commenter: "bob",
                previous: Some("v0.9"),
                replies: &[NOT_LEAD],
                want: Some("v0.9"),
                ..BASE
            },
            Case {
                name: "the command is case-sensitive",
                body: "/Milestone v1.0",
                ..BASE
            },
            Case {
                name: "an edited comment",
                edit: true,
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
            let closed = h.sim.create_milestone(&h.repo, "v0.1").unwrap();
            h.sim.set_milestone_open(&h.repo, closed, false).unwrap();
            let v10 = h.sim.create_milestone(&h.repo, "v1.0").unwrap();
            let v09 = h.sim.create_milestone(&h.repo, "v0.9").unwrap();
            assert_eq!(v10, 2);
            let issue = h.open_issue("author", "an issue");
            if let Some(previous) = case.previous {
                let number = if previous == "v1.0" { v10 } else { v09 };
                h.sim
                    .set_milestone_as("admin", &h.repo, issue, Some(number))
                    .unwrap();
            }
            let id = h
                .sim
                .comment_as(case.commenter, &h.repo, issue, case.body)
                .unwrap();
            if case.edit {
                h.forget();
                h.sim
                    .edit_comment_as(case.commenter, &h.repo, id, case.body)
                    .unwrap();
            }
            h.deliver_ok(&MilestonePlugin).await;
            let mut calls = Vec::new();
            let mut replies = Vec::new();
            for (method, argument) in h.bot_actions() {
                if method == "create_comment" {
                    let (to, message) = Harness::reply_parts(&argument).unwrap();
                    assert_eq!(to, case.commenter, "{}", case.name);
                    replies.push(message);
                } else {
                    calls.push((method, argument));
                }
            }
            let want_calls: Vec<(String, String)> = case
                .calls
                .iter()
                .map(|(m, a)| ((*m).to_owned(), (*a).to_owned()))
                .collect();
            assert_eq!(calls, want_calls, "{}", case.name);
            assert_eq!(replies, case.replies, "{}", case.name);
            let milestone = h.sim.issue(&h.repo, issue).unwrap().milestone;
            assert_eq!(
                milestone.map(|m| m.title).as_deref(),
                case.want,
                "{}",
                case.name
            );
        }
    }

    #[tokio::test]
    async fn the_deprecated_team_id_finds_the_team() {
        let mut h = Harness::new();
        let id = h.sim.add_team("org", "leads", "Leads").unwrap();
        h.sim
            .add_team_member("org", "leads", "alice", false)
            .unwrap();
        h.set_plugins_yaml(&format!(
            "repo_milestone:\n  org/repo:\n    maintainers_id: {id}\n"
        ));
        let v1 = h.sim.create_milestone(&h.repo, "v1.0").unwrap();
        let issue = h.open_issue("author", "an issue");
        h.sim
            .comment_as("alice", &h.repo, issue, "/milestone v1.0")
            .unwrap();
        h.deliver_ok(&MilestonePlugin).await;
        assert_eq!(
            h.bot_actions(),
            vec![("set_milestone".to_owned(), v1.to_string())]
        );
    }

    #[test]
    fn help_names_the_teams() {
        let plugins = PluginsConfig::load(
            "repo_milestone:\n  '':\n    maintainers_team: admins\n  org/repo:\n    maintainers_team: leads\n",
        )
        .unwrap();
        let help = MilestonePlugin.help_for(&plugins, &[RepoName::new("org", "repo")]);
        assert_eq!(
            help.config["org/repo"],
            "The milestone maintainers team is the GitHub team \"leads\" with ID: 0."
        );
        assert_eq!(
            help.config[""],
            "The milestone maintainers team is the GitHub team \"admins\" with ID: 0."
        );
    }
}
