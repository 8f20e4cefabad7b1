//! The `skip` plugin: `/skip` on a pull request marks the failed or pending statuses of its
//! optional presubmits as `Skipped` (success), so that stale non-blocking results go away.

use std::collections::HashSet;

use async_trait::async_trait;
use prow_core::config::jobs::Presubmit;
use prow_core::config::selection::{ChangedFiles, filter_presubmits, presubmit_filter};
use prow_core::github::{CombinedStatus, RepoName, Status};
use prow_core::traits::{EventKind, Plugin, PluginContext, PluginError, PluginEvent, PluginHelp};

use crate::commands::{self, Command};
use crate::plugins::{created_comment, repo_of};
use crate::reply::format_comment_response;

/// `/skip`.
pub static SKIP: Command = Command::new("skip")
    .case_insensitive()
    .description("Cleans up GitHub stale commit statuses for non-blocking jobs on a PR.")
    .who_can_use("Anyone can trigger this command on a PR.")
    .examples(&["/skip"]);

/// The `skip` plugin.
#[derive(Debug, Default)]
pub struct Skip;

/// The files a pull request changes, fetched before the presubmit filter runs; a failed fetch
/// is reported only if a job's `run_if_changed` or `skip_if_only_changed` needs the files, as
/// upstream's deferred provider does.
struct Fetched(Result<Vec<String>, String>);

impl ChangedFiles for Fetched {
    type Error = String;

    fn changed_files(&mut self) -> Result<&[String], String> {
        self.0.as_deref().map_err(Clone::clone)
    }
}

/// The failed and all status contexts of a combined status, as the trigger plugin reads them.
fn contexts(combined: &CombinedStatus) -> (HashSet<String>, HashSet<String>) {
    let mut failed = HashSet::new();
    let mut all = HashSet::new();
    for status in &combined.statuses {
        all.insert(status.context.clone());
        if status.state == "error" || status.state == "failure" {
            failed.insert(status.context.clone());
        }
    }
    (failed, all)
}

#[async_trait]
impl Plugin for Skip {
    fn name(&self) -> &str {
        "skip"
    }

    fn events(&self) -> &[EventKind] {
        &[EventKind::GenericComment]
    }

    fn help(&self) -> PluginHelp {
        commands::plugin_help(
            "The skip plugin allows users to clean up GitHub stale commit statuses for non-blocking jobs on a PR.",
            &[&SKIP],
        )
    }

    async fn handle(&self, ctx: &PluginContext, event: &PluginEvent) -> Result<(), PluginError> {
        let Some(comment) = created_comment(event) else {
            return Ok(());
        };
        if !comment.is_pr || comment.issue_state != "open" || !SKIP.is_in(&comment.body) {
            return Ok(());
        }
        let repo = repo_of(comment);
        let number = comment.number;
        let reply = |text: String| format_comment_response(comment, &text);
        let pr = match ctx.github.get_pull_request(&repo, number).await {
            Ok(pr) => pr,
            Err(error) => {
                let text = format!("Cannot get PR #{number} in {repo}: {error}");
                tracing::warn!("{text}");
                ctx.github
                    .create_comment(&repo, number, &reply(text))
                    .await?;
                return Ok(());
            }
        };
        let presubmits: Vec<Presubmit> = ctx
            .config
            .jobs
            .presubmits_static(&repo.to_string())
            .into_iter()
            .cloned()
            .collect();
        let combined = match ctx.github.get_combined_status(&repo, &pr.head.sha).await {
            Ok(combined) => combined,
            Err(error) => {
                let text = format!(
                    "Cannot get combined commit statuses for PR #{number} in {repo}: {error}"
                );
                tracing::warn!("{text}");
                ctx.github
                    .create_comment(&repo, number, &reply(text))
                    .await?;
                return Ok(());
            }
        };
        if combined.state == "success" {
            return Ok(());
        }
        // Jobs this very comment (re)triggers are left to the trigger plugin:
        // `/skip` + `/test foo` tests foo rather than skipping it.
        let honor_ok_to_test = !ctx
            .plugins
            .trigger_for(&repo.org, &repo.repo)
            .ignore_ok_to_test;
        let triggered = match self
            .triggered(
                ctx,
                &repo,
                &pr,
                &combined,
                &comment.body,
                honor_ok_to_test,
                &presubmits,
            )
            .await
        {
            Ok(triggered) => triggered,
            Err(error) => {
                let text =
                    format!("Cannot get combined status for PR #{number} in {repo}: {error}");
                tracing::warn!("{text}");
                ctx.github
                    .create_comment(&repo, number, &reply(text))
                    .await?;
                return Ok(());
            }
        };
        for job in &presubmits {
            let context = &job.reporter.context;
            let reported: Vec<&Status> = combined
                .statuses
                .iter()
                .filter(|s| &s.context == context)
                .collect();
            // Only jobs that reported and have not passed.
            if reported.is_empty() || reported.iter().any(|s| s.state == "success") {
                continue;
            }
            if triggered.contains(&(job.job_base.name.as_str(), context.as_str())) {
                continue;
            }
            if job.context_required() {
                continue;
            }
            let status = Status {
                state: "success".to_owned(),
                description: "Skipped".to_owned(),
                context: context.clone(),
                ..Status::default()
            };
            if let Err(error) = ctx.github.create_status(&repo, &pr.head.sha, &status).await {
                let text = format!("Cannot update PR status for context {context}: {error}");
                tracing::warn!("{text}");
                ctx.github
                    .create_comment(&repo, number, &reply(text))
                    .await?;
                return Ok(());
            }
        }
        Ok(())
    }
}

impl Skip {
    /// The `(name, context)` of each presubmit the comment triggers (upstream's trigger
    /// `FilterPresubmits`).
    #[allow(clippy::too_many_arguments)]
    async fn triggered<'p>(
        &self,
        ctx: &PluginContext,
        repo: &RepoName,
        pr: &prow_core::event::PullRequest,
        combined: &CombinedStatus,
        body: &str,
        honor_ok_to_test: bool,
        presubmits: &'p [Presubmit],
    ) -> Result<Vec<(&'p str, &'p str)>, String> {
        let needs_files = presubmits
            .iter()
            .any(|p| p.regexp_change_matcher.could_run());
        let mut changes = Fetched(if needs_files {
            ctx.github
                .get_pull_request_changes(repo, pr.number)
                .await
                .map(|changes| changes.into_iter().map(|c| c.filename).collect())
                .map_err(|error| error.to_string())
        } else {
            Ok(Vec::new())
        });
        let filter = presubmit_filter(
            honor_ok_to_test,
            || Ok::<_, String>(contexts(combined)),
            body,
        )?;
        let selected = filter_presubmits(&filter, &mut changes, &pr.base.r#ref, presubmits)
            .map_err(|error| error.to_string())?;
        Ok(selected
            .into_iter()
            .map(|p| (p.job_base.name.as_str(), p.reporter.context.as_str()))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Harness;
    use prow_github::simulator::Files;

    /// A presubmit in the job config: `name`, reporting as `context`, optional or not, with
    /// extra YAML lines.
    fn job(name: &str, context: &str, optional: bool, extra: &str) -> String {
        format!(
            "  - name: {name}\n    context: {context}\n    optional: {optional}\n{extra}    spec:\n      containers: [{{image: alpine}}]\n"
        )
    }

    #[tokio::test]
    async fn skip_statuses() {
        struct Case {
            name: &'static str,
            jobs: Vec<String>,
            body: &'static str,
            existing: &'static [(&'static str, &'static str)],
            want_skipped: &'static [&'static str],
        }
        let cases = [
            Case {
                name: "required contexts should not be skipped regardless of their state",
                jobs: vec![
                    job("passing", "passing-tests", false, ""),
                    job("failed", "failed-tests", false, ""),
                    job("pending", "pending-tests", false, ""),
                ],
                body: "/skip",
                existing: &[
                    ("passing-tests", "success"),
                    ("failed-tests", "failure"),
                    ("pending-tests", "pending"),
                ],
                want_skipped: &[],
            },
            Case {
                name: "optional contexts that have failed or are pending should be skipped",
                jobs: vec![
                    job("failed", "failed-tests", true, ""),
                    job("pending", "pending-tests", true, ""),
                ],
                body: "/skip",
                existing: &[("failed-tests", "failure"), ("pending-tests", "pending")],
                want_skipped: &["failed-tests", "pending-tests"],
            },
            Case {
                name: "optional contexts that errored should be skipped",
                jobs: vec![job("errored", "errored-tests", true, "")],
                body: "/SKIP",
                existing: &[("errored-tests", "error")],
                want_skipped: &["errored-tests"],
            },
            Case {
                name: "optional contexts that have not posted a context should not be skipped",
                jobs: vec![job("untriggered", "untriggered-tests", true, "")],
                body: "/skip",
                existing: &[("other", "failure")],
                want_skipped: &[],
            },
            Case {
                name: "optional contexts that have succeeded should not be skipped",
                jobs: vec![
                    job("succeeded", "succeeded-tests", true, ""),
                    job("failed", "failed-tests", false, ""),
                ],
                body: "/skip",
                existing: &[("succeeded-tests", "success"), ("failed-tests", "failure")],
                want_skipped: &[],
            },
            Case {
                name: "optional tests that have failed but will be handled by trigger should not be skipped",
                jobs: vec![job(
                    "job",
                    "failed-tests",
                    true,
                    "    trigger: '(?m)^/test (?:.*? )?job(?: .*?)?$'\n    rerun_command: /test job\n",
                )],
                body: "/skip\n/test job",
                existing: &[("failed-tests", "failure")],
                want_skipped: &[],
            },
            Case {
                name: "optional tests that /retest reruns are not skipped",
                jobs: vec![
                    job("flaky", "flaky-tests", true, ""),
                    job("slow", "slow-tests", true, ""),
                ],
                body: "/skip\n/retest",
                existing: &[("flaky-tests", "failure"), ("slow-tests", "pending")],
                want_skipped: &["slow-tests"],
            },
            Case {
                name: "no contexts should be skipped if the combined status is success",
                jobs: vec![job("passed", "passed-tests", true, "")],
                body: "/skip",
                existing: &[("passed-tests", "success")],
                want_skipped: &[],
            },
            Case {
                name: "not a skip command",
                jobs: vec![job("failed", "failed-tests", true, "")],
                body: "/skip please",
                existing: &[("failed-tests", "failure")],
                want_skipped: &[],
            },
        ];
        for case in cases {
            let mut h = Harness::new();
            let jobs = format!("presubmits:\n  org/repo:\n{}", case.jobs.concat());
            h.set_config_yaml("", Some(&jobs));
            let pr = h.open_pr("author", "change", Files::new().put("a.txt", "a"));
            let sha = h.sim.pull_request(&h.repo, pr).unwrap().head.sha;
            for (context, state) in case.existing {
                let status = Status {
                    state: (*state).into(),
                    context: (*context).into(),
                    ..Status::default()
                };
                h.sim.set_status(&h.repo, &sha, &status).unwrap();
            }
            h.forget();
            h.sim.comment_as("random", &h.repo, pr, case.body).unwrap();
            h.deliver_ok(&Skip).await;
            let want: Vec<(String, String)> = case
                .want_skipped
                .iter()
                .map(|c| ("create_status".to_owned(), format!("{c}=success")))
                .collect();
            let calls = h.bot_calls();
            for call in &calls {
                if let prow_github::simulator::Action::CreateStatus { status, sha: on } =
                    &call.action
                {
                    assert_eq!(status.description, "Skipped", "{}", case.name);
                    assert_eq!(on, &sha, "{}", case.name);
                }
            }
            let got: Vec<(String, String)> = calls
                .iter()
                .map(|c| {
                    (
                        c.method().to_owned(),
                        crate::testing::action_argument(&c.action),
                    )
                })
                .collect();
            assert_eq!(got, want, "{}", case.name);
        }
    }

    #[tokio::test]
    async fn issues_closed_pull_requests_and_edits_are_ignored() {
        let jobs = format!(
            "presubmits:\n  org/repo:\n{}",
            job("failed", "failed-tests", true, "")
        );
        let mut h = Harness::new();
        h.set_config_yaml("", Some(&jobs));
        let issue = h.open_issue("author", "bug");
        h.sim.comment_as("random", &h.repo, issue, "/skip").unwrap();
        h.deliver_ok(&Skip).await;
        assert!(h.bot_calls().is_empty(), "an issue");

        let pr = h.open_pr("author", "change", Files::new().put("a.txt", "a"));
        let sha = h.sim.pull_request(&h.repo, pr).unwrap().head.sha;
        let failed = Status {
            state: "failure".into(),
            context: "failed-tests".into(),
            ..Status::default()
        };
        h.sim.set_status(&h.repo, &sha, &failed).unwrap();
        let id = h.sim.comment_as("random", &h.repo, pr, "later").unwrap();
        h.forget();
        h.sim
            .edit_comment_as("random", &h.repo, id, "/skip")
            .unwrap();
        h.deliver_ok(&Skip).await;
        assert!(h.bot_calls().is_empty(), "an edit");

        h.sim.close_pull_request_as("author", &h.repo, pr).unwrap();
        h.forget();
        h.sim.comment_as("random", &h.repo, pr, "/skip").unwrap();
        h.deliver_ok(&Skip).await;
        assert!(h.bot_calls().is_empty(), "a closed pull request");
    }

    #[tokio::test]
    async fn failing_to_set_a_status_is_reported() {
        let jobs = format!(
            "presubmits:\n  org/repo:\n{}",
            job("failed", "failed-tests", true, "")
        );
        let mut h = Harness::new();
        h.set_config_yaml("", Some(&jobs));
        let pr = h.open_pr("author", "change", Files::new().put("a.txt", "a"));
        let sha = h.sim.pull_request(&h.repo, pr).unwrap().head.sha;
        let failed = Status {
            state: "failure".into(),
            context: "failed-tests".into(),
            ..Status::default()
        };
        h.sim.set_status(&h.repo, &sha, &failed).unwrap();
        h.forget();
        h.sim.set_faults(prow_github::simulator::Faults {
            fail_next: 1,
            failure_status: 500,
            methods: vec!["create_status".into()],
            ..prow_github::simulator::Faults::default()
        });
        h.sim.comment_as("random", &h.repo, pr, "/skip").unwrap();
        h.deliver_ok(&Skip).await;
        let comments = h.comments(pr);
        let last = comments.last().unwrap();
        assert!(
            last.starts_with("@random: Cannot update PR status for context failed-tests: "),
            "{last}"
        );
    }

    #[test]
    fn help_has_the_command() {
        let help = Skip.help();
        assert_eq!(help.commands[0].usage, "/skip");
        assert_eq!(
            help.commands[0].who_can_use,
            "Anyone can trigger this command on a PR."
        );
    }
}
