//! The `wip` plugin: a draft pull request, or one whose title starts with `WIP`, gets
//! `do-not-merge/work-in-progress`; the label goes once it is ready and the prefix is gone.

use std::sync::LazyLock;

use async_trait::async_trait;
use prow_core::event::{Event, PullRequestEventAction};
use prow_core::github::RepoName;
use prow_core::labels;
use prow_core::traits::{EventKind, Plugin, PluginContext, PluginError, PluginEvent, PluginHelp};
use regex::Regex;

/// A title that says the work is in progress: `WIP`, optionally after one non-word character
/// (`[WIP]`, `(wip)`), followed by a non-word character. Word characters are ASCII ones, as
/// in Go's `\W`.
static TITLE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^[^0-9A-Za-z_]?WIP[^0-9A-Za-z_]").expect("the WIP title pattern compiles")
});

/// Whether a pull request title marks it as a work in progress.
pub fn has_wip_prefix(title: &str) -> bool {
    TITLE_RE.is_match(title)
}

/// The `wip` plugin.
#[derive(Debug, Default)]
pub struct Wip;

#[async_trait]
impl Plugin for Wip {
    fn name(&self) -> &str {
        "wip"
    }

    fn events(&self) -> &[EventKind] {
        &[EventKind::PullRequest]
    }

    fn help(&self) -> PluginHelp {
        let label = labels::WORK_IN_PROGRESS;
        PluginHelp {
            description: format!(
                "The wip (Work In Progress) plugin applies the '{label}' Label to pull requests whose title starts with 'WIP' or are in the 'draft' stage, and removes it from pull requests when they remove the title prefix or become ready for review. The '{label}' Label is typically used to block a pull request from merging while it is still in progress."
            ),
            ..PluginHelp::default()
        }
    }

    async fn handle(&self, ctx: &PluginContext, event: &PluginEvent) -> Result<(), PluginError> {
        let Event::PullRequest(pe) = event.event.as_ref() else {
            return Ok(());
        };
        // The only actions after which the title or the draft state may have changed.
        if !matches!(
            pe.action,
            PullRequestEventAction::Opened
                | PullRequestEventAction::Reopened
                | PullRequestEventAction::Edited
                | PullRequestEventAction::ReadyForReview
                | PullRequestEventAction::ConvertedToDraft
        ) {
            return Ok(());
        }
        let pr = &pe.pull_request;
        let repo = match &pr.base.repo {
            Some(base) => RepoName::new(base.org(), &base.name),
            None => RepoName::new(pe.repo.org(), &pe.repo.name),
        };
        let current = ctx.github.get_issue_labels(&repo, pr.number).await?;
        let has = prow_core::event::has_label(&current, labels::WORK_IN_PROGRESS);
        let needs = pr.draft || has_wip_prefix(&pr.title);
        if needs && !has {
            ctx.github
                .add_label(&repo, pr.number, labels::WORK_IN_PROGRESS)
                .await?;
        } else if !needs && has {
            ctx.github
                .remove_label(&repo, pr.number, labels::WORK_IN_PROGRESS)
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Harness;
    use prow_github::simulator::{Files, NewPullRequest};

    #[tokio::test]
    async fn wip_label_follows_title_and_draft() {
        struct Case {
            name: &'static str,
            title: &'static str,
            draft: bool,
            has_label: bool,
            want_added: bool,
            want_removed: bool,
        }
        let cases = [
            Case {
                name: "regular PR, need nothing",
                title: "title",
                draft: false,
                has_label: false,
                want_added: false,
                want_removed: false,
            },
            Case {
                name: "wip title PR, needs label",
                title: "[WIP] title",
                draft: false,
                has_label: false,
                want_added: true,
                want_removed: false,
            },
            Case {
                name: "draft PR, needs label",
                title: "title",
                draft: true,
                has_label: false,
                want_added: true,
                want_removed: false,
            },
            Case {
                name: "regular PR, remove label",
                title: "title",
                draft: false,
                has_label: true,
                want_added: false,
                want_removed: true,
            },
            Case {
                name: "wip title PR, nothing to do",
                title: "[WIP] title",
                draft: false,
                has_label: true,
                want_added: false,
                want_removed: false,
            },
            Case {
                name: "draft PR, nothing to do",
                title: "title",
                draft: true,
                has_label: true,
                want_added: false,
                want_removed: false,
            },
        ];
        for case in cases {
            let mut h = Harness::new();
            let pr = h.open_pr("author", "initial", Files::new().put("a.txt", "a"));
            if case.has_label {
                h.sim
                    .add_label_as("alice", &h.repo, pr, labels::WORK_IN_PROGRESS)
                    .unwrap();
            }
            if case.draft {
                h.sim.set_draft_as("author", &h.repo, pr, true).unwrap();
            }
            h.forget();
            // Renaming sends `edited` with the final title and draft state.
            h.sim
                .edit_title_as("author", &h.repo, pr, case.title)
                .unwrap();
            h.deliver_ok(&Wip).await;
            let mut want = Vec::new();
            if case.want_added {
                want.push(("add_label".to_owned(), labels::WORK_IN_PROGRESS.to_owned()));
            }
            if case.want_removed {
                want.push((
                    "remove_label".to_owned(),
                    labels::WORK_IN_PROGRESS.to_owned(),
                ));
            }
            assert_eq!(h.bot_actions(), want, "{}", case.name);
        }
    }

    #[tokio::test]
    async fn actions_that_may_change_the_state() {
        // Opening a draft, converting, making ready: each is handled; other actions are not.
        let mut h = Harness::new();
        let new = NewPullRequest {
            title: "title".into(),
            head: "draft".into(),
            files: Files::new().put("a.txt", "a"),
            draft: true,
            ..NewPullRequest::default()
        };
        let pr = h
            .sim
            .open_pull_request_with(&h.repo, "author", &new)
            .unwrap();
        h.deliver_ok(&Wip).await;
        assert_eq!(
            h.bot_actions(),
            [("add_label".into(), labels::WORK_IN_PROGRESS.into())],
            "opened as a draft"
        );

        h.sim.set_draft_as("author", &h.repo, pr, false).unwrap();
        h.deliver_ok(&Wip).await;
        assert_eq!(
            h.bot_actions(),
            [("remove_label".into(), labels::WORK_IN_PROGRESS.into())],
            "ready for review"
        );

        h.sim.set_draft_as("author", &h.repo, pr, true).unwrap();
        h.deliver_ok(&Wip).await;
        assert_eq!(
            h.bot_actions(),
            [("add_label".into(), labels::WORK_IN_PROGRESS.into())],
            "converted to draft"
        );

        // A push is not a change of title or state, even where the label is now missing.
        h.sim
            .remove_label_as("alice", &h.repo, pr, labels::WORK_IN_PROGRESS)
            .unwrap();
        h.forget();
        h.sim
            .push_to_pull_request(&h.repo, pr, Files::new().put("b.txt", "b"))
            .unwrap();
        h.deliver_ok(&Wip).await;
        assert!(h.bot_calls().is_empty(), "synchronize is ignored");

        h.sim.close_pull_request_as("author", &h.repo, pr).unwrap();
        h.sim.reopen_pull_request_as("author", &h.repo, pr).unwrap();
        h.deliver_ok(&Wip).await;
        assert_eq!(
            h.bot_actions(),
            [("add_label".into(), labels::WORK_IN_PROGRESS.into())],
            "reopened draft"
        );
    }

    #[test]
    fn wip_prefixes() {
        for (title, want) in [
            ("dummy title", false),
            ("WIP dummy title", true),
            ("WIP: dummy title", true),
            ("[WIP] dummy title", true),
            ("(WIP) dummy title", true),
            ("<WIP> dummy title", true),
            ("wip dummy title", true),
            ("[wip] dummy title", true),
            ("(wip) dummy title", true),
            ("<wip> dummy title", true),
            ("Wipe out GCP project before reusing", false),
            ("WIP", false),
            ("«WIP» accented brackets", true),
            ("WIP_underscore", false),
        ] {
            assert_eq!(has_wip_prefix(title), want, "{title}");
        }
    }
}
