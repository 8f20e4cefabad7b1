//! The `lifecycle` plugin: `/close [not-planned]` and `/reopen` for authors and collaborators,
//! and `/[remove-]lifecycle active|frozen|stale|rotten` for anyone.

use async_trait::async_trait;
use prow_core::event::{GenericCommentEvent, has_label};
use prow_core::github::{GitHubError, RepoName};
use prow_core::labels;
use prow_core::traits::{EventKind, Plugin, PluginContext, PluginError, PluginEvent, PluginHelp};

use crate::commands::{self, Arg, Command};
use crate::plugins::{created_comment, repo_of};
use crate::reply::format_comment_response;

/// `/close [not-planned]`.
pub static CLOSE: Command = Command::new("close")
    .arg(Arg::Optional("not-planned"))
    .case_insensitive()
    .description("Closes an issue or PR.")
    .who_can_use("Authors and collaborators on the repository can trigger this command.")
    .examples(&["/close", "/close not-planned"]);

/// `/reopen`.
pub static REOPEN: Command = Command::new("reopen")
    .case_insensitive()
    .description("Reopens an issue or PR")
    .who_can_use("Authors and collaborators on the repository can trigger this command.")
    .examples(&["/reopen"]);

/// `/[remove-]lifecycle <frozen|stale|rotten>`.
pub static LIFECYCLE: Command = Command::new("lifecycle")
    .aliases(&["remove-lifecycle"])
    .arg(Arg::Required("active|frozen|stale|rotten"))
    .case_insensitive()
    .usage("/[remove-]lifecycle <frozen|stale|rotten>")
    .description("Flags an issue or PR as frozen/stale/rotten")
    .who_can_use("Anyone can trigger this command.")
    .examples(&["/lifecycle frozen", "/remove-lifecycle stale"]);

/// The lifecycle labels; adding one removes the others.
const LIFECYCLE_LABELS: [&str; 4] = [
    labels::LIFECYCLE_ACTIVE,
    labels::LIFECYCLE_FROZEN,
    labels::LIFECYCLE_STALE,
    labels::LIFECYCLE_ROTTEN,
];

/// GitHub's reason for refusing to reopen (a merged pull request, a deleted branch).
const STATE_CANNOT_BE_CHANGED: &str = "state cannot be changed";

/// The `lifecycle` plugin. It has no `plugins.yaml` section.
#[derive(Debug, Default)]
pub struct Lifecycle;

/// Whether the commenter authored the issue or collaborates on the repository (a failed
/// look-up counts as not collaborating).
async fn author_or_collaborator(
    ctx: &PluginContext,
    repo: &RepoName,
    comment: &GenericCommentEvent,
) -> bool {
    let login = &comment.user.login;
    if comment.issue_author.login == *login {
        return true;
    }
    match ctx.github.is_collaborator(repo, login).await {
        Ok(collaborator) => collaborator,
        Err(error) => {
            tracing::error!(%error, %repo, login, "could not check collaborator status");
            false
        }
    }
}

/// Replies to the comment with `text`.
async fn reply(
    ctx: &PluginContext,
    repo: &RepoName,
    comment: &GenericCommentEvent,
    text: &str,
) -> Result<(), PluginError> {
    let body = format_comment_response(comment, text);
    ctx.github
        .create_comment(repo, comment.number, &body)
        .await?;
    Ok(())
}

/// Whether GitHub refused a state change, with its message.
fn state_cannot_be_changed(error: &GitHubError) -> Option<&str> {
    match error {
        GitHubError::Unprocessable(message) if message.contains(STATE_CANNOT_BE_CHANGED) => {
            Some(message)
        }
        _ => None,
    }
}

impl Lifecycle {
    async fn handle_reopen(
        &self,
        ctx: &PluginContext,
        comment: &GenericCommentEvent,
    ) -> Result<(), PluginError> {
        if comment.issue_state != "closed" || !REOPEN.is_in(&comment.body) {
            return Ok(());
        }
        let repo = repo_of(comment);
        if !author_or_collaborator(ctx, &repo, comment).await {
            return reply(
                ctx,
                &repo,
                comment,
                "You can't reopen an issue/PR unless you authored it or you are a collaborator.",
            )
            .await;
        }
        let (result, kind) = if comment.is_pr {
            let result = ctx.github.reopen_pull_request(&repo, comment.number).await;
            (result, "PR")
        } else {
            let result = ctx.github.reopen_issue(&repo, comment.number).await;
            (result, "Issue")
        };
        if let Err(error) = result {
            return match state_cannot_be_changed(&error) {
                Some(message) => {
                    let text = format!("Failed to re-open {kind}: {message}");
                    reply(ctx, &repo, comment, &text).await
                }
                None => Err(error.into()),
            };
        }
        let text = if comment.is_pr {
            "Reopened this PR."
        } else {
            "Reopened this issue."
        };
        reply(ctx, &repo, comment, text).await
    }

    async fn handle_close(
        &self,
        ctx: &PluginContext,
        comment: &GenericCommentEvent,
    ) -> Result<(), PluginError> {
        if comment.issue_state != "open" {
            return Ok(());
        }
        let found = CLOSE.find(&comment.body);
        if found.is_empty() {
            return Ok(());
        }
        let not_planned = found.iter().any(|c| c.arg.is_some());
        let repo = repo_of(comment);
        let allowed = author_or_collaborator(ctx, &repo, comment).await;
        // Anyone may close an issue that has gone stale or rotten; a failed look-up counts as
        // active.
        let active = match ctx.github.get_issue_labels(&repo, comment.number).await {
            Ok(labels) => ![labels::LIFECYCLE_STALE, labels::LIFECYCLE_ROTTEN]
                .iter()
                .any(|l| has_label(&labels, l)),
            Err(error) => {
                tracing::info!(%error, "cannot determine whether the issue is active");
                true
            }
        };
        if !allowed && active {
            return reply(
                ctx,
                &repo,
                comment,
                "You can't close an active issue/PR unless you authored it or you are a collaborator.",
            )
            .await;
        }
        if comment.is_pr {
            if not_planned {
                return reply(ctx, &repo, comment, "PRs cannot be closed as Not Planned.").await;
            }
            ctx.github.close_pull_request(&repo, comment.number).await?;
            return reply(ctx, &repo, comment, "Closed this PR.").await;
        }
        ctx.github
            .close_issue(&repo, comment.number, not_planned)
            .await?;
        let text = if not_planned {
            "Closing this issue, marking it as \"Not Planned\"."
        } else {
            "Closing this issue."
        };
        reply(ctx, &repo, comment, text).await
    }

    async fn handle_lifecycle(
        &self,
        ctx: &PluginContext,
        comment: &GenericCommentEvent,
    ) -> Result<(), PluginError> {
        let repo = repo_of(comment);
        for invocation in LIFECYCLE.find(&comment.body) {
            let remove = invocation.name.to_ascii_lowercase().starts_with("remove-");
            let state = invocation.arg.as_deref().unwrap_or_default().to_lowercase();
            let label = format!("lifecycle/{state}");
            if comment.is_pr && label == labels::LIFECYCLE_FROZEN && !remove {
                let text = format!(
                    "The `{}` label cannot be applied to Pull Requests.",
                    labels::LIFECYCLE_FROZEN
                );
                return reply(ctx, &repo, comment, &text).await;
            }
            let current = match ctx.github.get_issue_labels(&repo, comment.number).await {
                Ok(labels) => labels,
                Err(error) => {
                    tracing::error!(%error, "could not read the labels");
                    Vec::new()
                }
            };
            let has = has_label(&current, &label);
            if has && remove {
                ctx.github
                    .remove_label(&repo, comment.number, &label)
                    .await?;
                continue;
            }
            if !has && !remove {
                let others = LIFECYCLE_LABELS
                    .into_iter()
                    .filter(|other| *other != label && has_label(&current, other));
                for other in others {
                    if let Err(error) = ctx.github.remove_label(&repo, comment.number, other).await
                    {
                        tracing::error!(%error, label = other, "GitHub failed to remove the label");
                    }
                }
                if let Err(error) = ctx.github.add_label(&repo, comment.number, &label).await {
                    tracing::error!(%error, label, "GitHub failed to add the label");
                }
            }
        }
        Ok(())
    }
}

#[async_trait]
impl Plugin for Lifecycle {
    fn name(&self) -> &str {
        "lifecycle"
    }

    fn events(&self) -> &[EventKind] {
        &[EventKind::GenericComment]
    }

    fn help(&self) -> PluginHelp {
        PluginHelp {
            description: "Close, reopen, flag and/or unflag an issue or PR as frozen/stale/rotten"
                .to_owned(),
            commands: commands::help(&[&CLOSE, &REOPEN, &LIFECYCLE]),
            ..PluginHelp::default()
        }
    }

    async fn handle(&self, ctx: &PluginContext, event: &PluginEvent) -> Result<(), PluginError> {
        let Some(comment) = created_comment(event) else {
            return Ok(());
        };
        self.handle_reopen(ctx, comment).await?;
        self.handle_close(ctx, comment).await?;
        self.handle_lifecycle(ctx, comment).await
    }
}

#[cfg(test)]
mod tests {
    use prow_core::github::MergeDetails;
    use prow_github::simulator::{Faults, Files};

    use super::*;
    use crate::testing::Harness;

    /// Opens an issue or a pull request by `author`.
    fn open(h: &mut Harness, is_pr: bool) -> u64 {
        if is_pr {
            h.open_pr("author", "change", Files::new().put("a.txt", "a"))
        } else {
            h.open_issue("author", "an issue")
        }
    }

    /// The bot's calls other than comments, and the messages of its replies to `to`.
    fn outcome(h: &Harness, to: &str, name: &str) -> (Vec<(String, String)>, Vec<String>) {
        let mut calls = Vec::new();
        let mut replies = Vec::new();
        for (method, argument) in h.bot_actions() {
            if method == "create_comment" {
                let (login, message) = Harness::reply_parts(&argument)
                    .unwrap_or_else(|| panic!("{name}: not a reply: {argument}"));
                assert_eq!(login, to, "{name}");
                replies.push(message);
            } else {
                calls.push((method, argument));
            }
        }
        (calls, replies)
    }

    fn pairs(calls: &[(&str, &str)]) -> Vec<(String, String)> {
        calls
            .iter()
            .map(|(m, a)| ((*m).to_owned(), (*a).to_owned()))
            .collect()
    }

    #[tokio::test]
    async fn close() {
        struct Case {
            name: &'static str,
            body: &'static str,
            commenter: &'static str,
            closed: bool,
            edited: bool,
            labels: &'static [&'static str],
            labels_fail: bool,
            is_pr: bool,
            calls: &'static [(&'static str, &'static str)],
            replies: &'static [&'static str],
            state_reason: Option<&'static str>,
        }
        const BASE: Case = Case {
            name: "",
            body: "/close",
            commenter: "author",
            closed: false,
            edited: false,
            labels: &[],
            labels_fail: false,
            is_pr: false,
            calls: &[],
            replies: &[],
            state_reason: None,
        };
        const CLOSING: &str = "Closing this issue.";
        const NOT_PLANNED: &str = "Closing this issue, marking it as \"Not Planned\".";
        const CANNOT: &str =
            "You can't close an active issue/PR unless you authored it or you are a collaborator.";
        let cases = [
            Case {
                name: "non-close comment",
                body: "uh oh",
                commenter: "random",
                ..BASE
            },
            Case {
                name: "close by author",
                calls: &[("close_issue", "false")],
                replies: &[CLOSING],
                state_reason: Some("completed"),
                ..BASE
            },
            Case {
                name: "close by author, trailing space",
                body: "/close \r",
                calls: &[("close_issue", "false")],
                replies: &[CLOSING],
                state_reason: Some("completed"),
                ..BASE
            },
            Case {
                name: "close in any case",
                body: "/CLOSE",
                calls: &[("close_issue", "false")],
                replies: &[CLOSING],
                state_reason: Some("completed"),
                ..BASE
            },
            Case {
                name: "close by collaborator",
                commenter: "carol",
                calls: &[("close_issue", "false")],
                replies: &[CLOSING],
                state_reason: Some("completed"),
                ..BASE
            },
            Case {
                name: "close edited by author",
                edited: true,
                ..BASE
            },
            Case {
                name: "close by author on closed issue",
                closed: true,
                state_reason: Some("completed"),
                ..BASE
            },
            Case {
                name: "close by non-collaborator on active issue, cannot close",
                commenter: "random",
                replies: &[CANNOT],
                ..BASE
            },
            Case {
                name: "close by non-collaborator on stale issue",
                commenter: "random",
                labels: &[labels::LIFECYCLE_STALE],
                calls: &[("close_issue", "false")],
                replies: &[CLOSING],
                state_reason: Some("completed"),
                ..BASE
            },
            Case {
                name: "close by non-collaborator on rotten issue",
                commenter: "random",
                labels: &[labels::LIFECYCLE_ROTTEN],
                calls: &[("close_issue", "false")],
                replies: &[CLOSING],
                state_reason: Some("completed"),
                ..BASE
            },
            Case {
                name: "cannot close stale issue by non-collaborator when listing labels fails",
                commenter: "random",
                labels: &[labels::LIFECYCLE_STALE],
                labels_fail: true,
                replies: &[CANNOT],
                ..BASE
            },
            Case {
                name: "close by author as not planned",
                body: "/close not-planned",
                calls: &[("close_issue", "true")],
                replies: &[NOT_PLANNED],
                state_reason: Some("not_planned"),
                ..BASE
            },
            Case {
                name: "close by author as not planned, trailing space",
                body: "/close not-planned \r",
                calls: &[("close_issue", "true")],
                replies: &[NOT_PLANNED],
                state_reason: Some("not_planned"),
                ..BASE
            },
            Case {
                name: "close as not planned by non-collaborator on active issue, cannot close",
                body: "/close not-planned",
                commenter: "random",
                replies: &[CANNOT],
                ..BASE
            },
            Case {
                name: "close as not planned by non-collaborator on stale issue",
                body: "/close not-planned",
                commenter: "random",
                labels: &[labels::LIFECYCLE_STALE],
                calls: &[("close_issue", "true")],
                replies: &[NOT_PLANNED],
                state_reason: Some("not_planned"),
                ..BASE
            },
            Case {
                name: "close as not planned by non-collaborator on rotten issue",
                body: "/close not-planned",
                commenter: "random",
                labels: &[labels::LIFECYCLE_ROTTEN],
                calls: &[("close_issue", "true")],
                replies: &[NOT_PLANNED],
                state_reason: Some("not_planned"),
                ..BASE
            },
            Case {
                name: "cannot close as not planned by non-collaborator when listing labels fails",
                body: "/close not-planned",
                commenter: "random",
                labels: &[labels::LIFECYCLE_ROTTEN],
                labels_fail: true,
                replies: &[CANNOT],
                ..BASE
            },
            Case {
                name: "close PR by author",
                is_pr: true,
                calls: &[("close_pull_request", "ClosePullRequest")],
                replies: &["Closed this PR."],
                ..BASE
            },
            Case {
                name: "cannot close PR as not planned",
                body: "/close not-planned",
                is_pr: true,
                replies: &["PRs cannot be closed as Not Planned."],
                ..BASE
            },
        ];
        for case in cases {
            let mut h = Harness::new();
            let number = open(&mut h, case.is_pr);
            for label in case.labels {
                h.sim.add_label_as("admin", &h.repo, number, label).unwrap();
            }
            if case.closed {
                h.sim.close_as("admin", &h.repo, number).unwrap();
            }
            let id = h
                .sim
                .comment_as(case.commenter, &h.repo, number, case.body)
                .unwrap();
            if case.edited {
                h.forget();
                h.sim
                    .edit_comment_as(case.commenter, &h.repo, id, case.body)
                    .unwrap();
            }
            if case.labels_fail {
                h.sim.set_faults(Faults {
                    fail_next: 100,
                    methods: vec!["get_issue_labels".to_owned()],
                    ..Faults::default()
                });
            }
            h.deliver_ok(&Lifecycle).await;
            let (calls, replies) = outcome(&h, case.commenter, case.name);
            assert_eq!(calls, pairs(case.calls), "{}", case.name);
            assert_eq!(replies, case.replies, "{}", case.name);
            if !case.is_pr {
                let issue = h.sim.issue(&h.repo, number).unwrap();
                assert_eq!(
                    issue.state_reason.as_deref(),
                    case.state_reason,
                    "{}",
                    case.name
                );
            }
        }
    }

    #[tokio::test]
    async fn reopen() {
        struct Case {
            name: &'static str,
            body: &'static str,
            commenter: &'static str,
            closed: bool,
            edited: bool,
            is_pr: bool,
            merged: bool,
            calls: &'static [(&'static str, &'static str)],
            replies: &'static [&'static str],
            open_after: bool,
        }
        const BASE: Case = Case {
            name: "",
            body: "/reopen",
            commenter: "author",
            closed: true,
            edited: false,
            is_pr: false,
            merged: false,
            calls: &[],
            replies: &[],
            open_after: false,
        };
        let cases = [
            Case {
                name: "non-open comment",
                body: "does not matter",
                commenter: "random",
                closed: false,
                open_after: true,
                ..BASE
            },
            Case {
                name: "re-open by author",
                calls: &[("reopen_issue", "ReopenIssue")],
                replies: &["Reopened this issue."],
                open_after: true,
                ..BASE
            },
            Case {
                name: "re-open by collaborator",
                commenter: "carol",
                calls: &[("reopen_issue", "ReopenIssue")],
                replies: &["Reopened this issue."],
                open_after: true,
                ..BASE
            },
            Case {
                name: "re-open by collaborator, trailing space",
                body: "/reopen \r",
                commenter: "carol",
                calls: &[("reopen_issue", "ReopenIssue")],
                replies: &["Reopened this issue."],
                open_after: true,
                ..BASE
            },
            Case {
                name: "re-open edited by author",
                edited: true,
                ..BASE
            },
            Case {
                name: "open by author on already open issue",
                closed: false,
                open_after: true,
                ..BASE
            },
            Case {
                name: "re-open by non-collaborator, cannot reopen",
                commenter: "random",
                replies: &[
                    "You can't reopen an issue/PR unless you authored it or you are a collaborator.",
                ],
                ..BASE
            },
            Case {
                name: "re-open PR by author",
                is_pr: true,
                calls: &[("reopen_pull_request", "ReopenPullRequest")],
                replies: &["Reopened this PR."],
                open_after: true,
                ..BASE
            },
            Case {
                name: "re-open merged PR fails with GitHub's reason",
                is_pr: true,
                merged: true,
                calls: &[("reopen_pull_request", "ReopenPullRequest")],
                replies: &[
                    "Failed to re-open PR: state cannot be changed: the pull request was merged",
                ],
                ..BASE
            },
        ];
        for case in cases {
            let mut h = Harness::new();
            let number = open(&mut h, case.is_pr);
            if case.merged {
                let sha = h.sim.pull_request(&h.repo, number).unwrap().head.sha;
                let details = MergeDetails {
                    sha,
                    ..MergeDetails::default()
                };
                h.sim.merge_as("admin", &h.repo, number, &details).unwrap();
            } else if case.closed {
                h.sim.close_as("admin", &h.repo, number).unwrap();
            }
            let id = h
                .sim
                .comment_as(case.commenter, &h.repo, number, case.body)
                .unwrap();
            if case.edited {
                h.forget();
                h.sim
                    .edit_comment_as(case.commenter, &h.repo, id, case.body)
                    .unwrap();
            }
            h.deliver_ok(&Lifecycle).await;
            let (calls, replies) = outcome(&h, case.commenter, case.name);
            assert_eq!(calls, pairs(case.calls), "{}", case.name);
            assert_eq!(replies, case.replies, "{}", case.name);
            let state = h.sim.issue(&h.repo, number).unwrap().state;
            assert_eq!(state == "open", case.open_after, "{}", case.name);
        }
    }

    #[tokio::test]
    async fn lifecycle_labels() {
        struct Case {
            name: &'static str,
            is_pr: bool,
            body: &'static str,
            labels: &'static [&'static str],
            added: &'static [&'static str],
            removed: &'static [&'static str],
            replies: &'static [&'static str],
        }
        const BASE: Case = Case {
            name: "",
            is_pr: false,
            body: "",
            labels: &[],
            added: &[],
            removed: &[],
            replies: &[],
        };
        use labels::{LIFECYCLE_ACTIVE, LIFECYCLE_FROZEN, LIFECYCLE_ROTTEN, LIFECYCLE_STALE};
        let cases = [
            Case {
                name: "random command -> no-op",
                body: "/random-command",
                ..BASE
            },
            Case {
                name: "remove lifecycle but don't specify state -> no-op",
                body: "/remove-lifecycle",
                ..BASE
            },
            Case {
                name: "add lifecycle but don't specify state -> no-op",
                body: "/lifecycle",
                ..BASE
            },
            Case {
                name: "add lifecycle random -> no-op",
                body: "/lifecycle random",
                ..BASE
            },
            Case {
                name: "remove lifecycle random -> no-op",
                body: "/remove-lifecycle random",
                ..BASE
            },
            Case {
                name: "add frozen and stale with single command -> no-op",
                body: "/lifecycle frozen stale",
                ..BASE
            },
            Case {
                name: "add frozen and random with single command -> no-op",
                body: "/lifecycle frozen random",
                ..BASE
            },
            Case {
                name: "add frozen, don't have it -> frozen added",
                body: "/lifecycle frozen",
                added: &[LIFECYCLE_FROZEN],
                ..BASE
            },
            Case {
                name: "add stale, don't have it -> stale added",
                body: "/lifecycle stale",
                added: &[LIFECYCLE_STALE],
                ..BASE
            },
            Case {
                name: "add rotten, don't have it -> rotten added",
                body: "/lifecycle rotten",
                added: &[LIFECYCLE_ROTTEN],
                ..BASE
            },
            Case {
                name: "add active in any case -> active added",
                body: "/LIFECYCLE Active",
                added: &[LIFECYCLE_ACTIVE],
                ..BASE
            },
            Case {
                name: "remove frozen, have it -> frozen removed",
                body: "/remove-lifecycle frozen",
                labels: &[LIFECYCLE_FROZEN],
                removed: &[LIFECYCLE_FROZEN],
                ..BASE
            },
            Case {
                name: "remove stale, have it -> stale removed",
                body: "/remove-lifecycle stale",
                labels: &[LIFECYCLE_STALE],
                removed: &[LIFECYCLE_STALE],
                ..BASE
            },
            Case {
                name: "remove rotten, have it -> rotten removed",
                body: "/remove-lifecycle rotten",
                labels: &[LIFECYCLE_ROTTEN],
                removed: &[LIFECYCLE_ROTTEN],
                ..BASE
            },
            Case {
                name: "remove stale, don't have it -> no-op",
                body: "/remove-lifecycle stale",
                ..BASE
            },
            Case {
                name: "add frozen but have it -> no-op",
                body: "/lifecycle frozen",
                labels: &[LIFECYCLE_FROZEN],
                ..BASE
            },
            Case {
                name: "add stale, have active -> stale added, active removed",
                body: "/lifecycle stale",
                labels: &[LIFECYCLE_ACTIVE],
                added: &[LIFECYCLE_STALE],
                removed: &[LIFECYCLE_ACTIVE],
                ..BASE
            },
            Case {
                name: "add frozen, have rotten -> frozen added, rotten removed",
                body: "/lifecycle frozen",
                labels: &[LIFECYCLE_ROTTEN],
                added: &[LIFECYCLE_FROZEN],
                removed: &[LIFECYCLE_ROTTEN],
                ..BASE
            },
            Case {
                name: "add rotten, have stale -> rotten added, stale removed",
                body: "/lifecycle rotten",
                labels: &[LIFECYCLE_STALE],
                added: &[LIFECYCLE_ROTTEN],
                removed: &[LIFECYCLE_STALE],
                ..BASE
            },
            Case {
                name: "add frozen, have stale and rotten -> frozen added, stale and rotten removed",
                body: "/lifecycle frozen",
                labels: &[LIFECYCLE_STALE, LIFECYCLE_ROTTEN],
                added: &[LIFECYCLE_FROZEN],
                removed: &[LIFECYCLE_STALE, LIFECYCLE_ROTTEN],
                ..BASE
            },
            Case {
                name: "remove stale, then rotten, then add frozen",
                body: "/remove-lifecycle stale\n/remove-lifecycle rotten\n/lifecycle frozen",
                labels: &[LIFECYCLE_STALE, LIFECYCLE_ROTTEN],
                added: &[LIFECYCLE_FROZEN],
                removed: &[LIFECYCLE_STALE, LIFECYCLE_ROTTEN],
                ..BASE
            },
            Case {
                name: "add frozen on PR -> comment",
                is_pr: true,
                body: "/lifecycle frozen",
                replies: &["The `lifecycle/frozen` label cannot be applied to Pull Requests."],
                ..BASE
            },
            Case {
                name: "remove frozen on PR, have it -> frozen removed",
                is_pr: true,
                body: "/remove-lifecycle frozen",
                labels: &[LIFECYCLE_FROZEN],
                removed: &[LIFECYCLE_FROZEN],
                ..BASE
            },
            Case {
                name: "add stale on PR, don't have it -> stale added",
                is_pr: true,
                body: "/lifecycle stale",
                added: &[LIFECYCLE_STALE],
                ..BASE
            },
        ];
        for case in cases {
            let mut h = Harness::new();
            let number = open(&mut h, case.is_pr);
            for label in case.labels {
                h.sim.add_label_as("admin", &h.repo, number, label).unwrap();
            }
            h.forget();
            h.sim
                .comment_as("random", &h.repo, number, case.body)
                .unwrap();
            h.deliver_ok(&Lifecycle).await;
            let (calls, replies) = outcome(&h, "random", case.name);
            let mut want: Vec<(String, String)> = case
                .removed
                .iter()
                .map(|l| ("remove_label".to_owned(), (*l).to_owned()))
                .collect();
            want.extend(
                case.added
                    .iter()
                    .map(|l| ("add_label".to_owned(), (*l).to_owned())),
            );
            assert_eq!(calls, want, "{}", case.name);
            assert_eq!(replies, case.replies, "{}", case.name);
        }
    }
}
