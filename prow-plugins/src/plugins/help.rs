//! The `help` plugin: `/help` and `/good-first-issue` add the `help wanted` and
//! `good first issue` labels to open issues with the guidelines; `/remove-*` take them off.

use std::collections::BTreeMap;

use async_trait::async_trait;
use prow_core::config::plugins::DEFAULT_HELP_GUIDELINES_URL;
use prow_core::event::{GenericCommentEvent, has_label};
use prow_core::github::RepoName;
use prow_core::labels;
use prow_core::traits::{EventKind, Plugin, PluginContext, PluginError, PluginEvent, PluginHelp};

use crate::commands::{self, Command};
use crate::plugins::{created_comment, is_bot_login, repo_of};
use crate::reply::format_response_raw;

/// `/help`.
pub static HELP: Command = Command::new("help")
    .case_insensitive()
    .usage("/[remove-](help|good-first-issue)")
    .description("Applies or removes the 'help wanted' and 'good first issue' labels to an issue.")
    .who_can_use("Anyone can trigger this command on a PR.")
    .examples(&[
        "/help",
        "/remove-help",
        "/good-first-issue",
        "/remove-good-first-issue",
    ]);

/// `/remove-help` (documented with [`HELP`]).
pub static REMOVE_HELP: Command = Command::new("remove-help").case_insensitive();

/// `/good-first-issue` (documented with [`HELP`]).
pub static GOOD_FIRST_ISSUE: Command = Command::new("good-first-issue").case_insensitive();

/// `/remove-good-first-issue` (documented with [`HELP`]).
pub static REMOVE_GOOD_FIRST_ISSUE: Command =
    Command::new("remove-good-first-issue").case_insensitive();

/// The sentence that marks the bot's `help wanted` comment (for pruning it).
const HELP_MARKER: &str = "This request has been marked as needing help from a contributor.";
/// The sentence that marks the bot's `good first issue` comment (for pruning it).
const GOOD_FIRST_ISSUE_MARKER: &str =
    "This request has been marked as suitable for new contributors.";

/// The guidelines the plugin's comments point to (`help.help_guidelines_url` and
/// `help.help_guidelines_summary` in `plugins.yaml`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssueGuidelines {
    /// Where the guidelines are.
    pub url: String,
    /// A summary quoted in the comments, when set.
    pub summary: String,
}

impl IssueGuidelines {
    /// The guidelines configured in `help`, with upstream's default link.
    pub fn from_config(config: &prow_core::config::plugins::Help) -> Self {
        let url = if config.help_guidelines_url.is_empty() {
            DEFAULT_HELP_GUIDELINES_URL.to_owned()
        } else {
            config.help_guidelines_url.clone()
        };
        IssueGuidelines {
            url,
            summary: config.help_guidelines_summary.clone(),
        }
    }

    /// The comment posted with `help wanted`.
    pub fn help_message(&self) -> String {
        self.message(HELP_MARKER, "", "/remove-help")
    }

    /// The comment posted with `good first issue`.
    pub fn good_first_issue_message(&self) -> String {
        self.message(
            GOOD_FIRST_ISSUE_MARKER,
            "#good-first-issue",
            "/remove-good-first-issue",
        )
    }

    fn message(&self, marker: &str, anchor: &str, remove: &str) -> String {
        let url = &self.url;
        let middle = if self.summary.is_empty() {
            format!(
                "Please ensure the request meets the requirements listed [here]({url}{anchor})."
            )
        } else {
            format!(
                "### Guidelines\n{}\n\nFor more details on the requirements of such an issue, please see [here]({url}{anchor}) and ensure that they are met.",
                self.summary
            )
        };
        format!(
            "\n\t{marker}\n\n{middle}\n\nIf this request no longer meets these requirements, the label can be removed\nby commenting with the `{remove}` command.\n"
        )
    }
}

/// The `help` plugin.
///
/// Its `plugins.yaml` section:
///
/// ```yaml
/// help:
///   help_guidelines_url: https://git.k8s.io/community/contributors/guide/help-wanted.md
///   help_guidelines_summary: |   # quoted in the comments when set
///     ...
/// ```
#[derive(Debug, Default)]
pub struct Help;

/// Deletes the bot's comments on `number` that contain `marker` (upstream's comment pruning);
/// failures are logged.
async fn prune_comments(ctx: &PluginContext, repo: &RepoName, number: u64, marker: &str) {
    let bot = match ctx.github.bot_user().await {
        Ok(bot) => bot.login,
        Err(error) => {
            tracing::error!(%error, "could not read the bot's login");
            return;
        }
    };
    let comments = match ctx.github.list_issue_comments(repo, number).await {
        Ok(comments) => comments,
        Err(error) => {
            tracing::error!(%error, %repo, number, "could not list the comments to prune");
            return;
        }
    };
    for comment in comments {
        if !is_bot_login(&bot, &comment.user.login) || !comment.body.contains(marker) {
            continue;
        }
        if let Err(error) = ctx.github.delete_comment(repo, comment.id).await {
            tracing::error!(%error, %repo, id = comment.id, "could not delete a comment");
        }
    }
}

impl Help {
    async fn handle_comment(
        &self,
        ctx: &PluginContext,
        comment: &GenericCommentEvent,
    ) -> Result<(), PluginError> {
        if comment.is_pr || comment.issue_state != "open" {
            return Ok(());
        }
        let body = &comment.body;
        let wants = [
            &HELP,
            &REMOVE_HELP,
            &GOOD_FIRST_ISSUE,
            &REMOVE_GOOD_FIRST_ISSUE,
        ];
        if !wants.iter().any(|c| c.is_in(body)) {
            return Ok(());
        }
        let repo = repo_of(comment);
        let number = comment.number;
        let current = match ctx.github.get_issue_labels(&repo, number).await {
            Ok(labels) => labels,
            Err(error) => {
                tracing::error!(%error, "could not read the labels");
                Vec::new()
            }
        };
        let has_help = has_label(&current, labels::HELP);
        let has_good_first_issue = has_label(&current, labels::GOOD_FIRST_ISSUE);
        let guidelines = IssueGuidelines::from_config(&ctx.plugins.help);
        // The replies quote the comment but link to the issue.
        let reply = |text: &str| {
            format_response_raw(body, &comment.issue_html_url, &comment.user.login, text)
        };

        if has_help && REMOVE_HELP.is_in(body) {
            remove_label(ctx, &repo, number, labels::HELP).await;
            prune_comments(ctx, &repo, number, HELP_MARKER).await;
            if has_good_first_issue {
                remove_label(ctx, &repo, number, labels::GOOD_FIRST_ISSUE).await;
                prune_comments(ctx, &repo, number, GOOD_FIRST_ISSUE_MARKER).await;
            }
            return Ok(());
        }
        if !has_good_first_issue && GOOD_FIRST_ISSUE.is_in(body) {
            let text = reply(&guidelines.good_first_issue_message());
            if let Err(error) = ctx.github.create_comment(&repo, number, &text).await {
                tracing::error!(%error, "could not comment");
            }
            add_label(ctx, &repo, number, labels::GOOD_FIRST_ISSUE).await;
            if !has_help {
                add_label(ctx, &repo, number, labels::HELP).await;
            }
            return Ok(());
        }
        if !has_help && HELP.is_in(body) {
            let text = reply(&guidelines.help_message());
            if let Err(error) = ctx.github.create_comment(&repo, number, &text).await {
                tracing::error!(%error, "could not comment");
            }
            add_label(ctx, &repo, number, labels::HELP).await;
            return Ok(());
        }
        if has_good_first_issue && REMOVE_GOOD_FIRST_ISSUE.is_in(body) {
            remove_label(ctx, &repo, number, labels::GOOD_FIRST_ISSUE).await;
            prune_comments(ctx, &repo, number, GOOD_FIRST_ISSUE_MARKER).await;
        }
        Ok(())
    }
}

/// Adds `label`, logging a failure.
async fn add_label(ctx: &PluginContext, repo: &RepoName, number: u64, label: &str) {
    if let Err(error) = ctx.github.add_label(repo, number, label).await {
        tracing::error!(%error, label, "GitHub failed to add the label");
    }
}

/// Removes `label`, logging a failure.
async fn remove_label(ctx: &PluginContext, repo: &RepoName, number: u64, label: &str) {
    if let Err(error) = ctx.github.remove_label(repo, number, label).await {
        tracing::error!(%error, label, "GitHub failed to remove the label");
    }
}

#[async_trait]
impl Plugin for Help {
    fn name(&self) -> &str {
        "help"
    }

    fn events(&self) -> &[EventKind] {
        &[EventKind::GenericComment]
    }

    fn help(&self) -> PluginHelp {
        PluginHelp {
            description: format!(
                "The help plugin provides commands that add or remove the '{}' and the '{}' labels from issues.",
                labels::HELP,
                labels::GOOD_FIRST_ISSUE
            ),
            commands: commands::help(&[&HELP]),
            ..PluginHelp::default()
        }
    }

    fn help_for(
        &self,
        plugins: &prow_core::config::plugins::PluginsConfig,
        _repos: &[RepoName],
    ) -> PluginHelp {
        let guidelines = IssueGuidelines::from_config(&plugins.help);
        let mut help = self.help();
        help.config = BTreeMap::from([(
            String::new(),
            format!(
                "The help plugin links to the issue guidelines at {}.",
                guidelines.url
            ),
        )]);
        help
    }

    async fn handle(&self, ctx: &PluginContext, event: &PluginEvent) -> Result<(), PluginError> {
        match created_comment(event) {
            Some(comment) => self.handle_comment(ctx, comment).await,
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use prow_github::simulator::Files;

    use super::*;
    use crate::testing::{BOT, Harness};

    const URL: &str = "https://git.k8s.io/community/contributors/guide/help-wanted.md";

    /// Which guidelines comment the bot posts.
    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Posted {
        Nothing,
        Help,
        GoodFirstIssue,
    }

    #[tokio::test]
    async fn help_labels() {
        struct Case {
            name: &'static str,
            is_pr: bool,
            closed: bool,
            edited: bool,
            body: &'static str,
            labels: &'static [&'static str],
            added: &'static [&'static str],
            removed: &'static [&'static str],
            posted: Posted,
        }
        const BASE: Case = Case {
            name: "",
            is_pr: false,
            closed: false,
            edited: false,
            body: "",
            labels: &[],
            added: &[],
            removed: &[],
            posted: Posted::Nothing,
        };
        use labels::{GOOD_FIRST_ISSUE, HELP};
        let cases = [
            Case {
                name: "ignore irrelevant comment",
                body: "irrelelvant",
                ..BASE
            },
            Case {
                name: "ignore a PR",
                is_pr: true,
                body: "/help",
                ..BASE
            },
            Case {
                name: "ignore a closed issue",
                closed: true,
                body: "/help",
                ..BASE
            },
            Case {
                name: "ignore a non-created comment",
                edited: true,
                body: "/help",
                ..BASE
            },
            Case {
                name: "want help label",
                body: "/help",
                added: &[HELP],
                posted: Posted::Help,
                ..BASE
            },
            Case {
                name: "want help label, in any case",
                body: "/HELP",
                added: &[HELP],
                posted: Posted::Help,
                ..BASE
            },
            Case {
                name: "want help label, already have it",
                body: "/help",
                labels: &[HELP],
                ..BASE
            },
            Case {
                name: "want to remove help label, have it",
                body: "/remove-help",
                labels: &[HELP],
                removed: &[HELP],
                ..BASE
            },
            Case {
                name: "want to remove help label, don't have it",
                body: "/remove-help",
                ..BASE
            },
            Case {
                name: "remove help label removes good-first-issue too",
                body: "/remove-help",
                labels: &[HELP, GOOD_FIRST_ISSUE],
                removed: &[HELP, GOOD_FIRST_ISSUE],
                ..BASE
            },
            Case {
                name: "want good-first-issue and help labels, have neither",
                body: "/good-first-issue",
                added: &[GOOD_FIRST_ISSUE, HELP],
                posted: Posted::GoodFirstIssue,
                ..BASE
            },
            Case {
                name: "want good-first-issue, have help",
                body: "/good-first-issue",
                labels: &[HELP],
                added: &[GOOD_FIRST_ISSUE],
                posted: Posted::GoodFirstIssue,
                ..BASE
            },
            Case {
                name: "want good-first-issue, have both",
                body: "/good-first-issue",
                labels: &[HELP, GOOD_FIRST_ISSUE],
                ..BASE
            },
            Case {
                name: "remove good-first-issue, have help and good-first-issue",
                body: "/remove-good-first-issue",
                labels: &[HELP, GOOD_FIRST_ISSUE],
                removed: &[GOOD_FIRST_ISSUE],
                ..BASE
            },
            Case {
                name: "remove good-first-issue, have it",
                body: "/remove-good-first-issue",
                labels: &[GOOD_FIRST_ISSUE],
                removed: &[GOOD_FIRST_ISSUE],
                ..BASE
            },
            Case {
                name: "remove good-first-issue, have help only",
                body: "/remove-good-first-issue",
                labels: &[HELP],
                ..BASE
            },
            Case {
                name: "remove good-first-issue, have neither",
                body: "/remove-good-first-issue",
                ..BASE
            },
        ];
        for case in cases {
            let mut h = Harness::new();
            let number = if case.is_pr {
                h.open_pr("author", "change", Files::new().put("a.txt", "a"))
            } else {
                h.open_issue("author", "an issue")
            };
            for label in case.labels {
                h.sim.add_label_as("admin", &h.repo, number, label).unwrap();
            }
            if case.closed {
                h.sim.close_as("admin", &h.repo, number).unwrap();
            }
            let id = h
                .sim
                .comment_as("alice", &h.repo, number, case.body)
                .unwrap();
            if case.edited {
                h.forget();
                h.sim
                    .edit_comment_as("alice", &h.repo, id, case.body)
                    .unwrap();
            }
            h.deliver_ok(&Help).await;
            let mut added = Vec::new();
            let mut removed = Vec::new();
            let mut posted = Posted::Nothing;
            let guidelines = IssueGuidelines::from_config(&Default::default());
            for (method, argument) in h.bot_actions() {
                match method.as_str() {
                    "add_label" => added.push(argument),
                    "remove_label" => removed.push(argument),
                    "create_comment" => {
                        let (to, message) = Harness::reply_parts(&argument).unwrap();
                        assert_eq!(to, "alice", "{}", case.name);
                        assert_eq!(posted, Posted::Nothing, "{}: two comments", case.name);
                        posted = if message == guidelines.help_message() {
                            Posted::Help
                        } else if message == guidelines.good_first_issue_message() {
                            Posted::GoodFirstIssue
                        } else {
                            panic!("{}: unexpected reply {message}", case.name)
                        };
                    }
                    other => panic!("{}: unexpected call {other}({argument})", case.name),
                }
            }
            assert_eq!(added, case.added, "{}: added", case.name);
            assert_eq!(removed, case.removed, "{}: removed", case.name);
            assert_eq!(posted, case.posted, "{}: posted", case.name);
        }
    }

    #[tokio::test]
    async fn replies_link_to_the_issue() {
        let mut h = Harness::new();
        let issue = h.open_issue("author", "an issue");
        h.sim.comment_as("alice", &h.repo, issue, "/help").unwrap();
        h.deliver_ok(&Help).await;
        let issue_url = h.sim.issue(&h.repo, issue).unwrap().html_url;
        let comments = h.comments(issue);
        let guidelines = IssueGuidelines::from_config(&Default::default());
        let want = format_response_raw("/help", &issue_url, "alice", &guidelines.help_message());
        assert_eq!(comments.last(), Some(&want));
    }

    #[tokio::test]
    async fn removal_prunes_the_bots_guideline_comments() {
        struct Case {
            name: &'static str,
            body: &'static str,
            labels: &'static [&'static str],
            /// The guideline comments that stay, of the bot's help and good-first-issue
            /// comments and a user's quote of both.
            remaining: &'static [&'static str],
        }
        let cases = [
            Case {
                name: "remove-help prunes both of the bot's comments",
                body: "/remove-help",
                labels: &[labels::HELP, labels::GOOD_FIRST_ISSUE],
                remaining: &["user"],
            },
            Case {
                name: "remove-help without good-first-issue prunes the help comment",
                body: "/remove-help",
                labels: &[labels::HELP],
                remaining: &["good first issue", "user"],
            },
            Case {
                name: "remove-good-first-issue prunes its comment",
                body: "/remove-good-first-issue",
                labels: &[labels::HELP, labels::GOOD_FIRST_ISSUE],
                remaining: &["help", "user"],
            },
        ];
        for case in cases {
            let mut h = Harness::new();
            let issue = h.open_issue("author", "an issue");
            for label in case.labels {
                h.sim.add_label_as("admin", &h.repo, issue, label).unwrap();
            }
            let help = h
                .sim
                .comment_as(BOT, &h.repo, issue, &format!("help\n{HELP_MARKER}"))
                .unwrap();
            let gfi = h
                .sim
                .comment_as(
                    BOT,
                    &h.repo,
                    issue,
                    &format!("good first issue\n{GOOD_FIRST_ISSUE_MARKER}"),
                )
                .unwrap();
            h.sim
                .comment_as(
                    "bob",
                    &h.repo,
                    issue,
                    &format!("user\n{HELP_MARKER}\n{GOOD_FIRST_ISSUE_MARKER}"),
                )
                .unwrap();
            h.forget();
            h.sim
                .comment_as("alice", &h.repo, issue, case.body)
                .unwrap();
            h.deliver_ok(&Help).await;
            let deleted: Vec<String> = h
                .bot_actions()
                .into_iter()
                .filter(|(m, _)| m == "delete_comment")
                .map(|(_, id)| id)
                .collect();
            let want_deleted: Vec<String> = [("help", help), ("good first issue", gfi)]
                .iter()
                .filter(|(tag, _)| !case.remaining.contains(tag))
                .map(|(_, id)| id.to_string())
                .collect();
            assert_eq!(deleted, want_deleted, "{}", case.name);
            let remaining: Vec<String> = h
                .comments(issue)
                .iter()
                .filter(|c| c.contains(HELP_MARKER) || c.contains(GOOD_FIRST_ISSUE_MARKER))
                .map(|c| c.lines().next().unwrap_or_default().to_owned())
                .collect();
            assert_eq!(remaining, case.remaining, "{}", case.name);
        }
    }

    #[test]
    fn guideline_messages() {
        let summary = "This is a guideline";
        let cases = [
            (
                "help message with guidelines summary",
                IssueGuidelines {
                    url: URL.into(),
                    summary: summary.into(),
                }
                .help_message(),
                format!(
                    "\n\tThis request has been marked as needing help from a contributor.\n\n### Guidelines\n{summary}\n\nFor more details on the requirements of such an issue, please see [here]({URL}) and ensure that they are met.\n\nIf this request no longer meets these requirements, the label can be removed\nby commenting with the `/remove-help` command.\n"
                ),
            ),
            (
                "help message without guidelines summary",
                IssueGuidelines {
                    url: URL.into(),
                    summary: String::new(),
                }
                .help_message(),
                format!(
                    "\n\tThis request has been marked as needing help from a contributor.\n\nPlease ensure the request meets the requirements listed [here]({URL}).\n\nIf this request no longer meets these requirements, the label can be removed\nby commenting with the `/remove-help` command.\n"
                ),
            ),
            (
                "good first issue message with guidelines summary",
                IssueGuidelines {
                    url: URL.into(),
                    summary: summary.into(),
                }
                .good_first_issue_message(),
                format!(
                    "\n\tThis request has been marked as suitable for new contributors.\n\n### Guidelines\n{summary}\n\nFor more details on the requirements of such an issue, please see [here]({URL}#good-first-issue) and ensure that they are met.\n\nIf this request no longer meets these requirements, the label can be removed\nby commenting with the `/remove-good-first-issue` command.\n"
                ),
            ),
            (
                "good first issue message without guidelines summary",
                IssueGuidelines {
                    url: URL.into(),
                    summary: String::new(),
                }
                .good_first_issue_message(),
                format!(
                    "\n\tThis request has been marked as suitable for new contributors.\n\nPlease ensure the request meets the requirements listed [here]({URL}#good-first-issue).\n\nIf this request no longer meets these requirements, the label can be removed\nby commenting with the `/remove-good-first-issue` command.\n"
                ),
            ),
        ];
        for (name, got, want) in cases {
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn guidelines_come_from_the_config() {
        let config = prow_core::config::plugins::Help {
            help_guidelines_url: "https://example.com/guide".into(),
            help_guidelines_summary: "Be kind.".into(),
        };
        let guidelines = IssueGuidelines::from_config(&config);
        assert_eq!(guidelines.url, "https://example.com/guide");
        assert!(
            guidelines
                .help_message()
                .contains("### Guidelines\nBe kind.\n")
        );
        let defaulted = IssueGuidelines::from_config(&Default::default());
        assert_eq!(defaulted.url, URL);
    }
}
