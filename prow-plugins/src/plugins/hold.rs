//! The `hold` plugin: `/hold` adds `do-not-merge/hold` to a pull request so that it does not
//! merge; `/hold cancel`, `/unhold` and `/remove-hold` take it off. Anyone may use them.

use async_trait::async_trait;
use prow_core::labels;
use prow_core::traits::{EventKind, Plugin, PluginContext, PluginError, PluginEvent, PluginHelp};

use crate::commands::{self, Arg, Command};
use crate::plugins::{created_comment, repo_of};

/// `/hold [reason]` and `/hold cancel [reason]`.
pub static HOLD: Command = Command::new("hold")
    .arg(Arg::Optional(".*"))
    .case_insensitive()
    .usage("/[remove-][un]hold [cancel]")
    .description(
        "Adds or removes the `do-not-merge/hold` Label which is used to indicate that the PR should not be automatically merged.",
    )
    .who_can_use("Anyone can use the /hold command to add or remove the 'do-not-merge/hold' Label.")
    .examples(&["/hold", "/hold cancel", "/unhold", "/remove-hold"]);

/// `/unhold [reason]` and `/remove-hold [reason]` (documented with [`HOLD`]).
pub static UNHOLD: Command = Command::new("unhold")
    .aliases(&["remove-hold"])
    .arg(Arg::Optional(".*"))
    .case_insensitive();

/// The `hold` plugin.
#[derive(Debug, Default)]
pub struct Hold;

/// What a comment asks of the hold label: `Some(true)` to hold, `Some(false)` to release,
/// `None` when it says nothing about it. A release anywhere in the comment wins.
fn wanted(body: &str) -> Option<bool> {
    let holds = HOLD.find(body);
    let cancels = holds.iter().any(|hold| {
        hold.args()
            .first()
            .is_some_and(|word| word.eq_ignore_ascii_case("cancel"))
    });
    if cancels || UNHOLD.is_in(body) {
        Some(false)
    } else if !holds.is_empty() {
        Some(true)
    } else {
        None
    }
}

#[async_trait]
impl Plugin for Hold {
    fn name(&self) -> &str {
        "hold"
    }

    fn events(&self) -> &[EventKind] {
        &[EventKind::GenericComment]
    }

    fn help(&self) -> PluginHelp {
        PluginHelp {
            description: format!(
                "The hold plugin allows anyone to add or remove the '{}' Label from a pull request in order to temporarily prevent the PR from merging without withholding approval.",
                labels::HOLD
            ),
            commands: commands::help(&[&HOLD]),
            ..PluginHelp::default()
        }
    }

    async fn handle(&self, ctx: &PluginContext, event: &PluginEvent) -> Result<(), PluginError> {
        let Some(comment) = created_comment(event).filter(|c| c.is_pr) else {
            return Ok(());
        };
        let Some(want) = wanted(&comment.body) else {
            return Ok(());
        };
        let repo = repo_of(comment);
        let current = ctx.github.get_issue_labels(&repo, comment.number).await?;
        let has = prow_core::event::has_label(&current, labels::HOLD);
        if has && !want {
            tracing::info!(%repo, number = comment.number, "removing {}", labels::HOLD);
            ctx.github
                .remove_label(&repo, comment.number, labels::HOLD)
                .await?;
        } else if !has && want {
            tracing::info!(%repo, number = comment.number, "adding {}", labels::HOLD);
            ctx.github
                .add_label(&repo, comment.number, labels::HOLD)
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
    async fn hold_and_release() {
        struct Case {
            name: &'static str,
            body: &'static str,
            has_label: bool,
            is_pr: bool,
            want_added: bool,
            want_removed: bool,
        }
        let case = |name, body, has_label, want_added, want_removed| Case {
            name,
            body,
            has_label,
            is_pr: true,
            want_added,
            want_removed,
        };
        let cases = [
            case("nothing to do", "noise", false, false, false),
            case("quoted hold in a reply", "> /hold", false, false, false),
            case("requested hold", "/hold", false, true, false),
            case("requested hold in any case", "/HOLD", false, true, false),
            case(
                "requested hold with reason",
                "/hold for further review",
                false,
                true,
                false,
            ),
            case(
                "requested hold, Label already exists",
                "/hold",
                true,
                false,
                false,
            ),
            case(
                "requested hold with reason, Label already exists",
                "/hold for further review",
                true,
                false,
                false,
            ),
            case("requested hold cancel", "/hold cancel", true, false, true),
            case(
                "requested hold cancel in any case",
                "/Hold CANCEL",
                true,
                false,
                true,
            ),
            case(
                "requested hold cancel with a reason",
                "/hold   cancel  further review has happened and I have whitespace",
                true,
                false,
                true,
            ),
            case(
                "requested hold cancel, Label already gone",
                "/hold cancel",
                false,
                false,
                false,
            ),
            case(
                "hold with a reason starting with cancel-like word holds",
                "/hold cancelled tests must pass first",
                false,
                true,
                false,
            ),
            case("requested unhold", "/unhold", true, false, true),
            case(
                "requested unhold with a reason",
                "/unhold   further review has happened and I have whitespace",
                true,
                false,
                true,
            ),
            case(
                "requested unhold, Label already gone",
                "/unhold",
                false,
                false,
                false,
            ),
            case(
                "requested remove hold label",
                "/remove-hold",
                true,
                false,
                true,
            ),
            case(
                "requested remove hold label with whitespaces in between",
                "/remove -    hold",
                false,
                false,
                false,
            ),
            case(
                "requested remove hold label with no separating hyphen",
                "/removehold",
                false,
                false,
                false,
            ),
            case(
                "hold and cancel in one comment: the cancel wins",
                "/hold\n/hold cancel",
                true,
                false,
                true,
            ),
            case(
                "hold inside a code block is ignored",
                "```\n/hold\n```",
                false,
                false,
                false,
            ),
            Case {
                name: "requested hold for issues",
                body: "/hold",
                has_label: false,
                is_pr: false,
                want_added: false,
                want_removed: false,
            },
            Case {
                name: "requested unhold for issues",
                body: "/unhold",
                has_label: true,
                is_pr: false,
                want_added: false,
                want_removed: false,
            },
        ];
        for case in cases {
            let mut h = Harness::new();
            let number = if case.is_pr {
                h.open_pr("author", "change", Files::new().put("a.txt", "a"))
            } else {
                h.open_issue("author", "bug")
            };
            if case.has_label {
                h.sim
                    .add_label_as("alice", &h.repo, number, labels::HOLD)
                    .unwrap();
            }
            h.forget();
            h.sim
                .comment_as("random", &h.repo, number, case.body)
                .unwrap();
            h.deliver_ok(&Hold).await;
            let mut want = Vec::new();
            if case.want_added {
                want.push(("add_label".to_owned(), labels::HOLD.to_owned()));
            }
            if case.want_removed {
                want.push(("remove_label".to_owned(), labels::HOLD.to_owned()));
            }
            assert_eq!(h.bot_actions(), want, "{}", case.name);
            let has = h.labels(number).contains(&labels::HOLD.to_owned());
            assert_eq!(
                has,
                (case.has_label || case.want_added) && !case.want_removed,
                "{}",
                case.name
            );
        }
    }

    #[tokio::test]
    async fn edited_comments_are_ignored() {
        let mut h = Harness::new();
        let pr = h.open_pr("author", "change", Files::new().put("a.txt", "a"));
        let id = h.sim.comment_as("random", &h.repo, pr, "later").unwrap();
        h.forget();
        h.sim
            .edit_comment_as("random", &h.repo, id, "/hold")
            .unwrap();
        h.deliver_ok(&Hold).await;
        assert!(h.bot_calls().is_empty());
    }

    #[test]
    fn help_lists_the_one_command() {
        let help = Hold.help();
        assert_eq!(help.commands.len(), 1);
        assert_eq!(help.commands[0].usage, "/[remove-][un]hold [cancel]");
        assert!(help.description.contains("'do-not-merge/hold' Label"));
    }
}
