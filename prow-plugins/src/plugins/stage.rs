//! The `stage` plugin: `/stage alpha|beta|stable` labels the stage of a feature (`stage/beta`),
//! replacing any other stage label; `/remove-stage <stage>` takes it off. Anyone may use them.

use async_trait::async_trait;
use prow_core::event::has_label;
use prow_core::traits::{EventKind, Plugin, PluginContext, PluginError, PluginEvent, PluginHelp};

use crate::commands::{self, Arg, Command};
use crate::plugins::{created_comment, repo_of};

/// The stage labels, earliest first.
pub const STAGE_LABELS: [&str; 3] = ["stage/alpha", "stage/beta", "stage/stable"];

/// `/stage <alpha|beta|stable>` and `/remove-stage <alpha|beta|stable>`.
pub static STAGE: Command = Command::new("stage")
    .aliases(&["remove-stage"])
    .arg(Arg::Required("alpha|beta|stable"))
    .case_insensitive()
    .usage("/[remove-]stage <alpha|beta|stable>")
    .description("Labels the stage of an issue as alpha/beta/stable")
    .who_can_use("Anyone can trigger this command.")
    .examples(&["/stage alpha", "/remove-stage alpha"]);

/// The `stage` plugin.
#[derive(Debug, Default)]
pub struct Stage;

#[async_trait]
impl Plugin for Stage {
    fn name(&self) -> &str {
        "stage"
    }

    fn events(&self) -> &[EventKind] {
        &[EventKind::GenericComment]
    }

    fn help(&self) -> PluginHelp {
        commands::plugin_help(
            "Label the stage of an issue as alpha/beta/stable",
            &[&STAGE],
        )
    }

    async fn handle(&self, ctx: &PluginContext, event: &PluginEvent) -> Result<(), PluginError> {
        let Some(comment) = created_comment(event) else {
            return Ok(());
        };
        let repo = repo_of(comment);
        let number = comment.number;
        // Each command in turn, reading the labels afresh, as the previous one may have
        // changed them.
        for invocation in STAGE.find(&comment.body) {
            let remove = invocation.name.eq_ignore_ascii_case("remove-stage");
            // The stage as written: `/stage ALPHA` asks for `stage/ALPHA`, which GitHub matches
            // to `stage/alpha` without regard to case, as upstream does.
            let label = format!("stage/{}", invocation.arg.as_deref().unwrap_or_default());
            let current = match ctx.github.get_issue_labels(&repo, number).await {
                Ok(current) => current,
                Err(error) => {
                    tracing::warn!(%repo, number, %error, "could not read the labels");
                    Vec::new()
                }
            };
            let has = has_label(&current, &label);
            if has && remove {
                ctx.github.remove_label(&repo, number, &label).await?;
            } else if !has && !remove {
                for other in STAGE_LABELS {
                    if other != label
                        && has_label(&current, other)
                        && let Err(error) = ctx.github.remove_label(&repo, number, other).await
                    {
                        tracing::warn!(%repo, number, label = other, %error, "could not remove a stage label");
                    }
                }
                if let Err(error) = ctx.github.add_label(&repo, number, &label).await {
                    tracing::warn!(%repo, number, %label, %error, "could not add the stage label");
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Harness;

    #[tokio::test]
    async fn stage_labels() {
        struct Case {
            name: &'static str,
            body: &'static str,
            labels: &'static [&'static str],
            added: &'static [&'static str],
            removed: &'static [&'static str],
        }
        let cases = [
            Case {
                name: "random command -> no-op",
                body: "/random-command",
                labels: &[],
                added: &[],
                removed: &[],
            },
            Case {
                name: "remove stage but don't specify state -> no-op",
                body: "/remove-stage",
                labels: &[],
                added: &[],
                removed: &[],
            },
            Case {
                name: "add stage but don't specify state -> no-op",
                body: "/stage",
                labels: &[],
                added: &[],
                removed: &[],
            },
            Case {
                name: "add stage random -> no-op",
                body: "/stage random",
                labels: &[],
                added: &[],
                removed: &[],
            },
            Case {
                name: "remove stage random -> no-op",
                body: "/remove-stage random",
                labels: &[],
                added: &[],
                removed: &[],
            },
            Case {
                name: "add alpha and beta with single command -> no-op",
                body: "/stage alpha beta",
                labels: &[],
                added: &[],
                removed: &[],
            },
            Case {
                name: "add alpha and random with single command -> no-op",
                body: "/stage alpha random",
                labels: &[],
                added: &[],
                removed: &[],
            },
            Case {
                name: "add alpha, don't have it -> alpha added",
                body: "/stage alpha",
                labels: &[],
                added: &["stage/alpha"],
                removed: &[],
            },
            Case {
                name: "add beta, don't have it -> beta added",
                body: "/stage beta",
                labels: &[],
                added: &["stage/beta"],
                removed: &[],
            },
            Case {
                name: "add stable, don't have it -> stable added",
                body: "/stage stable",
                labels: &[],
                added: &["stage/stable"],
                removed: &[],
            },
            Case {
                name: "remove alpha, have it -> alpha removed",
                body: "/remove-stage alpha",
                labels: &["stage/alpha"],
                added: &[],
                removed: &["stage/alpha"],
            },
            Case {
                name: "remove beta, have it -> beta removed",
                body: "/remove-stage beta",
                labels: &["stage/beta"],
                added: &[],
                removed: &["stage/beta"],
            },
            Case {
                name: "remove stable, have it -> stable removed",
                body: "/remove-stage stable",
                labels: &["stage/stable"],
                added: &[],
                removed: &["stage/stable"],
            },
            Case {
                name: "remove alpha, don't have it -> no-op",
                body: "/remove-stage alpha",
                labels: &["stage/beta"],
                added: &[],
                removed: &[],
            },
            Case {
                name: "add alpha but have it -> no-op",
                body: "/stage alpha",
                labels: &["stage/alpha"],
                added: &[],
                removed: &[],
            },
            Case {
                name: "add beta, have alpha -> beta added, alpha removed",
                body: "/stage beta",
                labels: &["stage/alpha"],
                added: &["stage/beta"],
                removed: &["stage/alpha"],
            },
            Case {
                name: "add stable, have beta -> stable added, beta removed",
                body: "/stage stable",
                labels: &["stage/beta"],
                added: &["stage/stable"],
                removed: &["stage/beta"],
            },
            Case {
                name: "add stable, have alpha and beta -> stable added, alpha and beta removed",
                body: "/stage stable",
                labels: &["stage/alpha", "stage/beta"],
                added: &["stage/stable"],
                removed: &["stage/alpha", "stage/beta"],
            },
            Case {
                name: "remove alpha, then remove beta and then add stable -> alpha and beta removed, stable added",
                body: "/remove-stage alpha\n/remove-stage beta\n/stage stable",
                labels: &["stage/alpha", "stage/beta"],
                added: &["stage/stable"],
                removed: &["stage/alpha", "stage/beta"],
            },
            Case {
                name: "command in any case -> label as written",
                body: "/STAGE Beta",
                labels: &[],
                added: &["stage/Beta"],
                removed: &[],
            },
        ];
        for case in cases {
            let mut h = Harness::new();
            let issue = h.open_issue("author", "feature");
            for label in case.labels {
                h.sim.add_label_as("alice", &h.repo, issue, label).unwrap();
            }
            h.forget();
            h.sim
                .comment_as("random", &h.repo, issue, case.body)
                .unwrap();
            h.deliver_ok(&Stage).await;
            let actions = h.bot_actions();
            let of = |method: &str| -> Vec<String> {
                actions
                    .iter()
                    .filter(|(m, _)| m == method)
                    .map(|(_, label)| label.clone())
                    .collect()
            };
            assert_eq!(of("add_label"), case.added, "{}", case.name);
            assert_eq!(of("remove_label"), case.removed, "{}", case.name);
            assert_eq!(
                actions.len(),
                case.added.len() + case.removed.len(),
                "{}: {actions:?}",
                case.name
            );
        }
    }
}
