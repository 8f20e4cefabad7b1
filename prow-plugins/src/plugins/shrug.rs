//! The `shrug` plugin: `/shrug` adds the `¯\_(ツ)_/¯` label to an issue or pull request,
//! `/unshrug` removes it with a shrug in reply.

use async_trait::async_trait;
use prow_core::labels;
use prow_core::traits::{EventKind, Plugin, PluginContext, PluginError, PluginEvent, PluginHelp};

use crate::commands::{self, Command};
use crate::plugins::{created_comment, has_label};
use crate::reply::format_comment_response;

/// `/shrug`.
pub static SHRUG: Command = Command::new("shrug")
    .case_insensitive()
    .usage("/[un]shrug")
    .description(labels::SHRUG)
    .who_can_use("Anyone, ¯\\_(ツ)_/¯")
    .examples(&["/shrug", "/unshrug"]);

/// `/unshrug` (documented with [`SHRUG`]).
pub static UNSHRUG: Command = Command::new("unshrug").case_insensitive();

/// The `shrug` plugin.
#[derive(Debug, Default)]
pub struct Shrug;

#[async_trait]
impl Plugin for Shrug {
    fn name(&self) -> &str {
        "shrug"
    }

    fn events(&self) -> &[EventKind] {
        &[EventKind::GenericComment]
    }

    fn help(&self) -> PluginHelp {
        PluginHelp {
            description: labels::SHRUG.to_owned(),
            commands: commands::help(&[&SHRUG]),
            ..PluginHelp::default()
        }
    }

    async fn handle(&self, ctx: &PluginContext, event: &PluginEvent) -> Result<(), PluginError> {
        let Some(comment) = created_comment(event) else {
            return Ok(());
        };
        let want = if SHRUG.is_in(&comment.body) {
            true
        } else if UNSHRUG.is_in(&comment.body) {
            false
        } else {
            return Ok(());
        };
        let repo = crate::plugins::repo_of(comment);
        let has = has_label(ctx, &repo, comment.number, labels::SHRUG).await;
        if has && !want {
            let reply = format_comment_response(comment, "¯\\\\\\_(ツ)\\_/¯");
            ctx.github
                .create_comment(&repo, comment.number, &reply)
                .await?;
            ctx.github
                .remove_label(&repo, comment.number, labels::SHRUG)
                .await?;
        } else if !has && want {
            ctx.github
                .add_label(&repo, comment.number, labels::SHRUG)
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Harness;
    use prow_github::simulator::Files;

    #[tokio::test]
    async fn shrug_and_unshrug() {
        struct Case {
            name: &'static str,
            body: &'static str,
            has_shrug: bool,
            want_added: bool,
            want_removed: bool,
        }
        let cases = [
            Case {
                name: "no command",
                body: "no shrug",
                has_shrug: false,
                want_added: false,
                want_removed: false,
            },
            Case {
                name: "shrug",
                body: "/shrug",
                has_shrug: false,
                want_added: true,
                want_removed: false,
            },
            Case {
                name: "shrug in any case",
                body: "/SHRUG",
                has_shrug: false,
                want_added: true,
                want_removed: false,
            },
            Case {
                name: "already shrugged",
                body: "/shrug",
                has_shrug: true,
                want_added: false,
                want_removed: false,
            },
            Case {
                name: "unshrug",
                body: "/unshrug",
                has_shrug: true,
                want_added: false,
                want_removed: true,
            },
            Case {
                name: "unshrug without the label",
                body: "/unshrug",
                has_shrug: false,
                want_added: false,
                want_removed: false,
            },
            Case {
                name: "shrug mid-sentence",
                body: "why /shrug",
                has_shrug: false,
                want_added: false,
                want_removed: false,
            },
        ];
        for case in cases {
            let mut h = Harness::new();
            let pr = h.open_pr("author", "change", Files::new().put("a.txt", "a"));
            if case.has_shrug {
                h.sim
                    .add_label_as("alice", &h.repo, pr, labels::SHRUG)
                    .unwrap();
            }
            h.forget();
            h.sim.comment_as("random", &h.repo, pr, case.body).unwrap();
            h.deliver_ok(&Shrug).await;
            let actions = h.bot_actions();
            let added = actions.contains(&("add_label".into(), labels::SHRUG.into()));
            let removed = actions.contains(&("remove_label".into(), labels::SHRUG.into()));
            assert_eq!(added, case.want_added, "{}", case.name);
            assert_eq!(removed, case.want_removed, "{}", case.name);
            let comments = actions
                .iter()
                .filter(|(m, _)| m == "create_comment")
                .count();
            assert_eq!(comments, usize::from(case.want_removed), "{}", case.name);
            if case.want_removed {
                let body = &actions[0].1;
                assert!(
                    body.starts_with("@random: ¯\\\\\\_(ツ)\\_/¯\n\n<details>"),
                    "{body}"
                );
            }
            assert_eq!(
                actions.len(),
                usize::from(case.want_added) + 2 * usize::from(case.want_removed),
                "{}",
                case.name
            );
        }
    }
}
