//! The GitHub reporter against upstream's tables (`report_test.go`, `reporter_test.go`) and
//! against the GitHub simulator.

use prow_core::event::User;
use prow_core::prowjob::Pull;
use prow_github::simulator::{Action, Call, Faults, SecondaryRateLimit, Simulator};

use super::*;
use crate::crier::{Crier, CrierReporter};
use crate::store::MemoryStore;

const BOT: &str = "k8s-ci-robot";

const FOOTER: &str = "<details>\n\nInstructions for interacting with me using PR comments are available [here](https://git.k8s.io/community/contributors/guide/pull-requests.md).  If you have questions or suggestions related to my behavior, please file an issue against the [kubernetes-sigs/prow](https://github.com/kubernetes-sigs/prow/issues/new?title=Prow%20issue:) repository. I understand the commands that are listed [here](https://go.k8s.io/bot-commands).\n</details>\n<!-- test report -->";

fn comment(user: &str, id: u64, body: &str) -> IssueComment {
    IssueComment {
        id,
        body: body.into(),
        user: User {
            login: user.into(),
            ..User::default()
        },
        ..IssueComment::default()
    }
}

// --- parseIssueComments ---------------------------------------------------------------------

fn parse_case_job(context: &str, state: &str, optional: bool) -> ProwJob {
    let mut job = ProwJob::default();
    job.metadata
        .labels
        .insert(IS_OPTIONAL_LABEL.into(), optional.to_string());
    job.spec.type_ = Some(ProwJobType::Presubmit);
    job.spec.context = context.into();
    job.spec.refs = Some(Refs {
        pulls: vec![Pull::default()],
        ..Refs::default()
    });
    job.status.state = Some(state.into());
    job
}

fn report_entry(context: &str, required: bool) -> String {
    format!("{context} |  | [link]() | {required} | ``")
}

#[test]
fn parse_issue_comments_table() {
    struct Case {
        name: &'static str,
        context: &'static str,
        state: &'static str,
        optional: bool,
        comments: Vec<IssueComment>,
        deletes: Vec<u64>,
        entries: Vec<String>,
        update: Option<u64>,
    }
    let bot = |id, body: &str| comment(BOT, id, body);
    let tag = COMMENT_TAG;
    let cases = vec![
        Case {
            name: "should create a new comment",
            context: "bla test",
            state: "failure",
            optional: false,
            comments: vec![],
            deletes: vec![],
            entries: vec![report_entry("bla test", true)],
            update: None,
        },
        Case {
            name: "should create a new optional comment",
            context: "bla test",
            state: "failure",
            optional: true,
            comments: vec![],
            deletes: vec![],
            entries: vec![report_entry("bla test", false)],
            update: None,
        },
        Case {
            name: "should not delete an up-to-date comment",
            context: "bla test",
            state: "success",
            optional: false,
            comments: vec![bot(
                0,
                "--- | --- | ---\nfoo test | something | or other\n\n",
            )],
            deletes: vec![],
            entries: vec![],
            update: None,
        },
        Case {
            name: "should delete when all tests pass",
            context: "bla test",
            state: "success",
            optional: false,
            comments: vec![bot(
                123,
                &format!("--- | --- | ---\nbla test | something | or other\n\n{tag}"),
            )],
            deletes: vec![123],
            entries: vec![],
            update: None,
        },
        Case {
            name: "should delete a passing test with \\r",
            context: "bla test",
            state: "success",
            optional: false,
            comments: vec![bot(
                123,
                &format!("--- | --- | ---\r\nbla test | something | or other\r\n\r\n{tag}"),
            )],
            deletes: vec![123],
            entries: vec![],
            update: None,
        },
        Case {
            name: "should update a failed test",
            context: "bla test",
            state: "failure",
            optional: false,
            comments: vec![bot(
                123,
                &format!("--- | --- | ---\nbla test | something | or other\n\n{tag}"),
            )],
            deletes: vec![123],
            entries: vec![report_entry("bla test", true)],
            update: None,
        },
        Case {
            name: "should preserve old results when updating",
            context: "bla test",
            state: "failure",
            optional: false,
            comments: vec![bot(
                123,
                &format!(
                    "--- | --- | ---\nbla test | something | or other\nfoo test | wow | aye\n\n{tag}"
                ),
            )],
            deletes: vec![123],
            entries: vec![
                "foo test | wow | aye".into(),
                report_entry("bla test", true),
            ],
            update: None,
        },
        Case {
            name: "should merge duplicates",
            context: "bla test",
            state: "failure",
            optional: false,
            comments: vec![
                bot(
                    123,
                    &format!(
                        "--- | --- | ---\nbla test | something | or other\nfoo test | wow such\n\n{tag}"
                    ),
                ),
                bot(
                    124,
                    &format!("--- | --- | ---\nfoo test | beep | boop\n\n{tag}"),
                ),
            ],
            deletes: vec![123, 124],
            entries: vec![
                "foo test | beep | boop".into(),
                report_entry("bla test", true),
            ],
            update: None,
        },
        Case {
            name: "should update an old comment when a test passes",
            context: "bla test",
            state: "success",
            optional: false,
            comments: vec![bot(
                123,
                &format!(
                    "--- | --- | ---\nbla test | something | or other\nfoo test | wow | aye\n\n{tag}"
                ),
            )],
            deletes: vec![],
            entries: vec!["foo test | wow | aye".into()],
            update: Some(123),
        },
        Case {
            name: "comments by others and untagged comments are left alone",
            context: "bla test",
            state: "failure",
            optional: false,
            comments: vec![
                comment("alice", 7, &format!("--- | ---\nbla test | x\n\n{tag}")),
                bot(8, "--- | ---\nfoo test | y\n\n"),
            ],
            deletes: vec![],
            entries: vec![report_entry("bla test", true)],
            update: None,
        },
    ];
    for case in cases {
        let job = parse_case_job(case.context, case.state, case.optional);
        let got = parse_issue_comments(&[&job], |login| login == BOT, &case.comments);
        assert_eq!(
            got,
            ParsedComments {
                deletes: case.deletes,
                entries: case.entries,
                update: case.update,
            },
            "{}",
            case.name
        );
    }
}

#[test]
fn required_column_follows_the_optional_label_of_presubmits_only() {
    let mut job = parse_case_job("ctx", "failure", true);
    assert_eq!(create_entry(&job), "ctx |  | [link]() | false | ``");
    job.metadata
        .labels
        .insert(IS_OPTIONAL_LABEL.into(), "not-a-bool".into());
    assert_eq!(create_entry(&job), "ctx |  | [link]() | unknown | ``");
    job.metadata.labels.clear();
    assert_eq!(create_entry(&job), "ctx |  | [link]() | unknown | ``");
    let mut post = parse_case_job("ctx", "failure", false);
    post.spec.type_ = Some(ProwJobType::Postsubmit);
    assert_eq!(create_entry(&post), "ctx |  | [link]() | unknown | ``");
    let mut full = parse_case_job("pull-test", "failure", false);
    full.spec.refs.as_mut().unwrap().pulls[0].sha = "abc123".into();
    full.status.url = "https://prow/view/1".into();
    full.spec.rerun_command = "/test pull-test".into();
    assert_eq!(
        create_entry(&full),
        "pull-test | abc123 | [link](https://prow/view/1) | true | `/test pull-test`"
    );
}

// --- createComment --------------------------------------------------------------------------

fn authored(job: &str, author: &str) -> ProwJob {
    let mut j = ProwJob::default();
    j.spec.job = job.into();
    j.spec.refs = Some(Refs {
        pulls: vec![Pull {
            author: author.into(),
            ..Pull::default()
        }],
        ..Refs::default()
    });
    j
}

#[test]
fn create_comment_table() {
    let a = authored("job-a", "chaodaig");
    let b = authored("job-b", "chaodaig");
    let e1 = "aaa | bbb | ccc | ddd | eee".to_string();
    let e2 = "fff | ggg | hhh | iii | jjj".to_string();
    let failed_intro = "The following test **failed**, say `/retest` to rerun all failed tests or `/retest-required` to rerun all mandatory failed tests:";
    let failed_intro_plural = "The following tests **failed**, say `/retest` to rerun all failed tests or `/retest-required` to rerun all mandatory failed tests:";
    let header =
        "Test name | Commit | Details | Required | Rerun command\n--- | --- | --- | --- | ---";
    /// Name, rendered template, jobs, table rows, the comment wanted.
    type Case<'a> = (
        &'a str,
        Option<&'a str>,
        Vec<&'a ProwJob>,
        Vec<String>,
        String,
    );
    let cases: Vec<Case> = vec![
        (
            "single-job-single-failure",
            Some(""),
            vec![&a],
            vec![e1.clone()],
            format!("@chaodaig: {failed_intro}\n\n{header}\n{e1}\n\n\n\n{FOOTER}"),
        ),
        (
            "single-job-multiple-failures",
            Some(""),
            vec![&a],
            vec![e1.clone(), e2.clone()],
            format!("@chaodaig: {failed_intro_plural}\n\n{header}\n{e1}\n{e2}\n\n\n\n{FOOTER}"),
        ),
        (
            "multiple-job-only-use-first-one",
            Some("job-a"),
            vec![&a, &b],
            vec![e1.clone()],
            format!("@chaodaig: {failed_intro}\n\n{header}\n{e1}\n\njob-a\n\n{FOOTER}"),
        ),
        (
            "multiple-job-all-passed",
            None,
            vec![&a, &b],
            vec![],
            format!("@chaodaig: all tests **passed!**\n\n\n{FOOTER}"),
        ),
        (
            "no-template-one-failure",
            None,
            vec![&a],
            vec![e1.clone()],
            format!("@chaodaig: {failed_intro}\n\n{header}\n{e1}\n\n{FOOTER}"),
        ),
    ];
    for (name, rendered, jobs, entries, want) in cases {
        assert_eq!(create_comment(rendered, &jobs, &entries), want, "{name}");
    }
    assert_eq!(create_comment(None, &[], &[e1]), "");
}

// --- statuses -------------------------------------------------------------------------------

/// upstream's `shout`: "start part1 part2 …".
fn shout(i: usize) -> String {
    if i == 0 {
        "start".into()
    } else {
        format!("{} part{i}", shout(i - 1))
    }
}

#[test]
fn descriptions_fit_140_bytes_with_the_base_sha_suffix() {
    // Without a base SHA: only truncated.
    assert_eq!(
        context_description_with_base_sha("Job succeeded.", ""),
        "Job succeeded."
    );
    let long = shout(140);
    let got = context_description_with_base_sha(&long, "");
    // (140 - 5) / 2 = 67 bytes each side of the elision.
    assert_eq!(got.len(), 139);
    assert_eq!(got, truncate(&long, 140));
    assert_eq!(&got[..67], &long[..67]);
    assert_eq!(&got[67..72], " ... ");
    assert_eq!(&got[72..], &long[long.len() - 67..]);

    // A short description: padded with U+2001 until the loop's bound is met.
    let sha = "0123456789abcdef0123456789abcdef01234567";
    let got = context_description_with_base_sha("Job succeeded.", sha);
    let pad = "\u{2001}".repeat(20); // ceil((140 - 14 - 49) / 4)
    assert_eq!(got, format!("Job succeeded.{pad} BaseSHA:{sha}"));
    assert_eq!(got.len(), 14 + 60 + 49);

    // One byte short of the limit: one pad overshoots, and the description is cut.
    let desc = "x".repeat(140 - 49 - 1);
    let got = context_description_with_base_sha(&desc, sha);
    let suffix = format!("\u{2001} BaseSHA:{sha}");
    assert_eq!(
        got,
        format!("{}{suffix}", truncate(&desc, 140 - suffix.len()))
    );
    assert!(got.len() <= 140);

    // A long description with a base SHA.
    let got = context_description_with_base_sha(&long, sha);
    assert!(got.ends_with(&format!(" BaseSHA:{sha}")));
    // 140 - 49 = 91 bytes for the description: (91 - 5) / 2 = 43 each side.
    assert_eq!(got.len(), 43 + 5 + 43 + 49);
}

#[test]
fn truncate_cuts_on_character_boundaries() {
    assert_eq!(truncate("short", 10), "short");
    assert_eq!(truncate("really long messages", 15), "reall ... sages");
    let got = truncate(&"é".repeat(20), 15);
    assert_eq!(got, "éé ... éé");
}

#[test]
fn prowjob_states_map_to_github_states() {
    for (state, want) in [
        (ProwJobState::Triggered, Some("pending")),
        (ProwJobState::Pending, Some("pending")),
        (ProwJobState::Success, Some("success")),
        (ProwJobState::Failure, Some("failure")),
        (ProwJobState::Aborted, Some("failure")),
        (ProwJobState::Error, Some("error")),
        (ProwJobState::Scheduling, None),
    ] {
        assert_eq!(github_status_state(&state), Ok(want), "{state}");
    }
    assert_eq!(
        github_status_state(&ProwJobState::Other("weird".into())),
        Err("Unknown prowjob state: weird".into())
    );
}

// --- the reporter against the simulator -----------------------------------------------------

struct World {
    sim: Simulator,
    repo: RepoName,
    base: String,
    pr: u64,
    head: String,
}

fn world() -> World {
    let sim = Simulator::new(BOT);
    let repo = RepoName::new("org", "repo");
    sim.add_org("org");
    let base = sim
        .create_repo(&repo, "master", [("README.md", "hello\n")])
        .unwrap();
    let pr = sim
        .open_pull_request(&repo, "alice", "Fix", "", "fix", [("a.txt", "a\n")])
        .unwrap();
    let head = sim.pull_request(&repo, pr).unwrap().head.sha;
    World {
        sim,
        repo,
        base,
        pr,
        head,
    }
}

impl World {
    fn presubmit(&self, context: &str, state: ProwJobState) -> ProwJob {
        let mut job = ProwJob::default();
        job.metadata.name = format!("{context}-{state}");
        job.metadata
            .labels
            .insert(IS_OPTIONAL_LABEL.into(), "false".into());
        job.spec.type_ = Some(ProwJobType::Presubmit);
        job.spec.job = context.into();
        job.spec.context = context.into();
        job.spec.report = true;
        job.spec.rerun_command = format!("/test {context}");
        job.spec.refs = Some(Refs {
            org: "org".into(),
            repo: "repo".into(),
            base_ref: "master".into(),
            base_sha: self.base.clone(),
            pulls: vec![Pull {
                number: self.pr as i64,
                author: "alice".into(),
                sha: self.head.clone(),
                ..Pull::default()
            }],
            ..Refs::default()
        });
        job.status.state = Some(state.clone());
        job.status.description = format!("Job {state}.");
        job.status.url = format!("https://prow.example.com/view/{context}");
        if state.is_terminal() {
            job.status.completion_time = Some(chrono::Utc::now());
        }
        job
    }

    fn postsubmit(&self, context: &str, state: ProwJobState) -> ProwJob {
        let mut job = self.presubmit(context, state);
        job.spec.type_ = Some(ProwJobType::Postsubmit);
        job.spec.refs.as_mut().unwrap().pulls.clear();
        job
    }

    fn reporter(&self, config: ProwConfig) -> GitHubReporter {
        GitHubReporter::new(Arc::new(self.sim.clone()), Arc::new(config))
    }

    fn status_call(&self, sha: &str, context: &str, state: &str, desc: &str) -> Call {
        Call::new(
            BOT,
            &self.repo,
            None,
            Action::CreateStatus {
                sha: sha.into(),
                status: Status {
                    state: state.into(),
                    target_url: format!("https://prow.example.com/view/{context}"),
                    description: context_description_with_base_sha(desc, &self.base),
                    context: context.into(),
                },
            },
        )
    }

    fn create_comment_call(&self, body: &str) -> Call {
        Call::new(
            BOT,
            &self.repo,
            Some(self.pr),
            Action::CreateComment { body: body.into() },
        )
    }

    fn bot_comments(&self) -> Vec<IssueComment> {
        self.sim
            .issue_comments(&self.repo, self.pr)
            .unwrap()
            .into_iter()
            .filter(|c| c.user.login == BOT)
            .collect()
    }
}

fn config() -> ProwConfig {
    let mut c = ProwConfig::default();
    c.set_defaults();
    c
}

fn failure_comment(rows: &[&str]) -> String {
    let plural = if rows.len() > 1 { "s" } else { "" };
    format!(
        "@alice: The following test{plural} **failed**, say `/retest` to rerun all failed tests or `/retest-required` to rerun all mandatory failed tests:\n\nTest name | Commit | Details | Required | Rerun command\n--- | --- | --- | --- | ---\n{}\n\n{FOOTER}",
        rows.join("\n")
    )
}

fn row(w: &World, context: &str) -> String {
    format!(
        "{context} | {} | [link](https://prow.example.com/view/{context}) | true | `/test {context}`",
        w.head
    )
}

#[test]
fn should_report_table() {
    let w = world();
    let r = w.reporter(config());
    let base = || w.presubmit("ctx", ProwJobState::Pending);
    let with = |f: &dyn Fn(&mut ProwJob)| {
        let mut j = base();
        f(&mut j);
        j
    };
    let cases: Vec<(&str, ProwJob, bool)> = vec![
        ("should report presubmit job", base(), true),
        (
            "should report postsubmit job",
            w.postsubmit("ctx", ProwJobState::Pending),
            true,
        ),
        (
            "should not report periodic job",
            with(&|j| j.spec.type_ = Some(ProwJobType::Periodic)),
            false,
        ),
        (
            "should not report batch job",
            with(&|j| j.spec.type_ = Some(ProwJobType::Batch)),
            false,
        ),
        (
            "github should not report gerrit jobs",
            with(&|j| {
                j.metadata.labels.insert(
                    GERRIT_REPORT_LABEL.into(),
                    "plus-one-this-gerrit-label-please".into(),
                );
            }),
            false,
        ),
        (
            "should not report skip report job",
            with(&|j| j.spec.report = false),
            false,
        ),
        (
            "should not report a job without a context",
            with(&|j| j.spec.context.clear()),
            false,
        ),
    ];
    for (name, job, want) in cases {
        assert_eq!(r.should_report(&job), want, "{name}");
    }

    let mut only_pre = config();
    only_pre.github_reporter.job_types_to_report = vec![ProwJobType::Presubmit];
    let r = w.reporter(only_pre);
    assert!(r.should_report(&base()), "presubmit in job_types_to_report");
    assert!(
        !r.should_report(&w.postsubmit("ctx", ProwJobState::Pending)),
        "postsubmit not in job_types_to_report"
    );

    let r = w
        .reporter(config())
        .with_report_agent(ProwJobAgent::Kubernetes);
    assert!(
        !r.should_report(&base()),
        "agent unset is not the agent asked for"
    );
    assert!(r.should_report(&with(&|j| j.spec.agent = Some(ProwJobAgent::Kubernetes))));
    assert_eq!(r.name(), "github-reporter");
}

#[tokio::test]
async fn statuses_go_on_the_head_of_presubmits_and_the_base_of_postsubmits() {
    let w = world();
    let r = w.reporter(config());
    for (state, gh) in [
        (ProwJobState::Triggered, "pending"),
        (ProwJobState::Pending, "pending"),
        (ProwJobState::Success, "success"),
    ] {
        let job = w.presubmit("pull-test", state.clone());
        assert_eq!(r.report(&job).await.unwrap(), ReportOutcome::Reported);
        assert_eq!(
            w.sim.take_calls(),
            [w.status_call(&w.head, "pull-test", gh, &format!("Job {state}."))]
        );
    }
    let post = w.postsubmit("post-test", ProwJobState::Aborted);
    assert_eq!(r.report(&post).await.unwrap(), ReportOutcome::Reported);
    assert_eq!(
        w.sim.take_calls(),
        [w.status_call(&w.base, "post-test", "failure", "Job aborted.")]
    );
    let statuses = w.sim.statuses(&w.repo, &w.head).unwrap();
    assert_eq!(statuses[0].context, "pull-test");
    assert_eq!(statuses[0].state, "success");
}

#[tokio::test]
async fn batches_get_no_status_and_no_comment() {
    let w = world();
    let r = w.reporter(config());
    let mut job = w.presubmit("pull-test", ProwJobState::Failure);
    let second = job.spec.refs.as_ref().unwrap().pulls[0].clone();
    job.spec.refs.as_mut().unwrap().pulls.push(second);
    job.spec.type_ = Some(ProwJobType::Postsubmit);
    assert_eq!(r.report(&job).await.unwrap(), ReportOutcome::Reported);
    assert!(w.sim.take_calls().is_empty());
}

#[tokio::test]
async fn scheduling_jobs_are_skipped_and_jobs_without_refs_are_invalid() {
    let w = world();
    let r = w.reporter(config());
    let job = w.presubmit("pull-test", ProwJobState::Scheduling);
    assert_eq!(r.report(&job).await.unwrap(), ReportOutcome::Skipped);
    let mut job = w.presubmit("pull-test", ProwJobState::Pending);
    job.spec.refs = None;
    assert!(matches!(
        r.report(&job).await,
        Err(ReporterError::Invalid(_))
    ));
    assert!(w.sim.take_calls().is_empty());
}

#[tokio::test]
async fn the_failure_comment_is_created_replaced_edited_and_deleted() {
    let w = world();
    let r = w.reporter(config());

    // A running job: a status, no comment.
    r.report(&w.presubmit("unit", ProwJobState::Pending))
        .await
        .unwrap();
    assert_eq!(w.sim.take_calls().len(), 1);

    // The first failure creates the comment.
    r.report(&w.presubmit("unit", ProwJobState::Failure))
        .await
        .unwrap();
    let first = failure_comment(&[&row(&w, "unit")]);
    assert_eq!(
        w.sim.take_calls(),
        [
            w.status_call(&w.head, "unit", "failure", "Job failure."),
            w.create_comment_call(&first),
        ]
    );
    let c1 = w.bot_comments()[0].id;

    // A second failure: the old comment goes, a new one lists both (GitHub notifies).
    r.report(&w.presubmit("e2e", ProwJobState::Failure))
        .await
        .unwrap();
    let both = failure_comment(&[&row(&w, "unit"), &row(&w, "e2e")]);
    assert_eq!(
        w.sim.take_calls(),
        [
            w.status_call(&w.head, "e2e", "failure", "Job failure."),
            Call::new(BOT, &w.repo, None, Action::DeleteComment { comment_id: c1 }),
            w.create_comment_call(&both),
        ]
    );
    let comments = w.bot_comments();
    assert_eq!(comments.len(), 1);
    let c2 = comments[0].id;
    assert_eq!(comments[0].body, both);

    // "unit" passes on a retest: the comment is edited in place to list "e2e" only.
    r.report(&w.presubmit("unit", ProwJobState::Success))
        .await
        .unwrap();
    let only_e2e = failure_comment(&[&row(&w, "e2e")]);
    assert_eq!(
        w.sim.take_calls(),
        [
            w.status_call(&w.head, "unit", "success", "Job success."),
            Call::new(
                BOT,
                &w.repo,
                None,
                Action::EditComment {
                    comment_id: c2,
                    body: only_e2e.clone()
                }
            ),
        ]
    );

    // "e2e" passes: nothing fails any more, the comment is deleted.
    r.report(&w.presubmit("e2e", ProwJobState::Success))
        .await
        .unwrap();
    assert_eq!(
        w.sim.take_calls(),
        [
            w.status_call(&w.head, "e2e", "success", "Job success."),
            Call::new(BOT, &w.repo, None, Action::DeleteComment { comment_id: c2 }),
        ]
    );
    assert!(w.bot_comments().is_empty());
}

#[tokio::test]
async fn a_report_template_is_rendered_into_the_comment() {
    let w = world();
    let mut cfg = config();
    cfg.plank.report_templates.insert(
        "org/repo".into(),
        "[Full PR test history](https://prow.example.com/pr-history?org={{.Spec.Refs.Org}}&repo={{.Spec.Refs.Repo}}&pr={{with index .Spec.Refs.Pulls 0}}{{.Number}}{{end}})".into(),
    );
    cfg.plank
        .report_templates
        .insert("*".into(), "not this one".into());
    let r = w.reporter(cfg);
    r.report(&w.presubmit("unit", ProwJobState::Failure))
        .await
        .unwrap();
    let want = format!(
        "@alice: The following test **failed**, say `/retest` to rerun all failed tests or `/retest-required` to rerun all mandatory failed tests:\n\nTest name | Commit | Details | Required | Rerun command\n--- | --- | --- | --- | ---\n{}\n\n[Full PR test history](https://prow.example.com/pr-history?org=org&repo=repo&pr={})\n\n{FOOTER}",
        row(&w, "unit"),
        w.pr
    );
    assert_eq!(w.bot_comments()[0].body, want);
}

#[tokio::test]
async fn no_comment_repos_get_statuses_only() {
    for ident in ["org", "org/repo"] {
        let w = world();
        let mut cfg = config();
        cfg.github_reporter.no_comment_repos = vec![ident.into()];
        let r = w.reporter(cfg);
        r.report(&w.presubmit("unit", ProwJobState::Failure))
            .await
            .unwrap();
        assert_eq!(
            w.sim.take_calls(),
            [w.status_call(&w.head, "unit", "failure", "Job failure.")],
            "{ident}"
        );
    }
}

#[tokio::test]
async fn status_errors_github_will_repeat_are_swallowed_others_returned() {
    let w = world();
    let r = w.reporter(config());
    // The head was force-pushed away: no commit for the SHA. Counted as reported, no retry.
    let mut gone = w.presubmit("unit", ProwJobState::Failure);
    gone.spec.refs.as_mut().unwrap().pulls[0].sha = "f".repeat(40);
    assert_eq!(r.report(&gone).await.unwrap(), ReportOutcome::Reported);
    assert!(w.bot_comments().is_empty());

    // A server error is returned, for crier to retry.
    w.sim.set_faults(Faults {
        fail_next: 1,
        methods: vec!["create_status".into()],
        ..Faults::default()
    });
    let err = r
        .report(&w.presubmit("unit", ProwJobState::Failure))
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("report failed: error setting status: "),
        "{err}"
    );
    assert!(w.bot_comments().is_empty());

    // Listing comments fails: the error says so.
    w.sim.set_faults(Faults {
        fail_next: 1,
        methods: vec!["list_issue_comments".into()],
        ..Faults::default()
    });
    let err = r
        .report(&w.presubmit("unit", ProwJobState::Failure))
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("report failed: error listing comments: "),
        "{err}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_rate_limit_asks_to_retry_after_githubs_wait() {
    let w = world();
    let r = w.reporter(config());
    w.sim.set_faults(Faults {
        secondary_rate_limit: Some(SecondaryRateLimit {
            limit: 0,
            window: Duration::from_secs(60),
            retry_after: Duration::from_secs(42),
        }),
        ..Faults::default()
    });
    assert_eq!(
        r.report(&w.presubmit("unit", ProwJobState::Pending))
            .await
            .unwrap(),
        ReportOutcome::RetryAfter(Duration::from_secs(42))
    );
}

#[tokio::test]
async fn summary_comment_repos_sum_up_the_pr_once_all_jobs_finished() {
    let w = world();
    let store = Arc::new(MemoryStore::new());
    let mut cfg = config();
    cfg.github_reporter.summary_comment_repos = vec!["org/repo".into()];
    let r = w
        .reporter(cfg)
        .with_job_store(store.clone() as Arc<dyn JobStore>);
    let labelled = |mut j: ProwJob| {
        for (k, v) in [(ORG_LABEL, "org"), (REPO_LABEL, "repo"), (PULL_LABEL, "1")] {
            j.metadata.labels.insert(k.into(), v.into());
        }
        j
    };
    let unit = store
        .create(labelled(w.presubmit("unit", ProwJobState::Success)))
        .await
        .unwrap();
    let e2e = store
        .create(labelled(w.presubmit("e2e", ProwJobState::Pending)))
        .await
        .unwrap();
    // "e2e" still runs: no comment yet.
    r.report(&unit).await.unwrap();
    assert!(w.bot_comments().is_empty());
    // All finished and passed: the summary says so.
    let mut e2e_done = e2e.clone();
    e2e_done.status.state = Some(ProwJobState::Success);
    e2e_done.status.completion_time = Some(chrono::Utc::now());
    let e2e_done = store.update(e2e_done).await.unwrap();
    r.report(&e2e_done).await.unwrap();
    let comments = w.bot_comments();
    assert_eq!(comments.len(), 1);
    assert_eq!(
        comments[0].body,
        format!("@alice: all tests **passed!**\n\n\n{FOOTER}")
    );

    // A summary with an aborted job is not written when nothing failed.
    let w2 = world();
    let mut cfg = config();
    cfg.github_reporter.summary_comment_repos = vec!["org".into()];
    let r2 = w2.reporter(cfg);
    r2.report(&w2.presubmit("unit", ProwJobState::Aborted))
        .await
        .unwrap();
    assert!(w2.bot_comments().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_of_one_pr_reported_at_once_share_one_comment() {
    let w = world();
    w.sim.set_faults(Faults {
        latency: Duration::from_millis(2),
        ..Faults::default()
    });
    let r = Arc::new(w.reporter(config()));
    let contexts = ["a", "b", "c", "d"];
    let mut tasks = Vec::new();
    for c in contexts {
        let r = Arc::clone(&r);
        let job = w.presubmit(c, ProwJobState::Failure);
        tasks.push(tokio::spawn(async move { r.report(&job).await }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap(), ReportOutcome::Reported);
    }
    let comments = w.bot_comments();
    assert_eq!(comments.len(), 1);
    for c in contexts {
        assert!(comments[0].body.contains(&row(&w, c)), "{c} missing");
    }
    assert!(
        r.pr_locks.locks.lock().unwrap().is_empty(),
        "locks cleaned up"
    );
}

#[tokio::test(start_paused = true)]
async fn crier_with_the_github_reporter_reports_each_state_once() {
    let w = world();
    let store = Arc::new(MemoryStore::new());
    let reporter = Arc::new(w.reporter(config()));
    let crier = Crier::new(store.clone() as Arc<dyn JobStore>)
        .with_reporter(CrierReporter::new(reporter).with_workers(2));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let run = tokio::spawn(crier.run(async {
        let _ = stopped.await;
    }));

    let wait_for = |state: ProwJobState| {
        let store = Arc::clone(&store);
        async move {
            loop {
                let job = store.get("unit-pending").await.unwrap();
                if job.status.prev_report_states.get(GITHUB_REPORTER_NAME) == Some(&state) {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    };
    let mut job = w.presubmit("unit", ProwJobState::Pending);
    job = store.create(job).await.unwrap();
    tokio::time::timeout(Duration::from_secs(3600), wait_for(ProwJobState::Pending))
        .await
        .unwrap();
    job = store.get(&job.metadata.name).await.unwrap();
    job.status.state = Some(ProwJobState::Failure);
    job.status.description = "Job failure.".into();
    job.status.completion_time = Some(chrono::Utc::now());
    store.update(job).await.unwrap();
    tokio::time::timeout(Duration::from_secs(3600), wait_for(ProwJobState::Failure))
        .await
        .unwrap();
    let _ = stop.send(());
    run.await.unwrap().unwrap();

    assert_eq!(
        w.sim.take_calls(),
        [
            w.status_call(&w.head, "unit", "pending", "Job pending."),
            w.status_call(&w.head, "unit", "failure", "Job failure."),
            w.create_comment_call(&failure_comment(&[&row(&w, "unit")])),
        ]
    );
}

#[test]
fn status_errors_not_worth_retrying() {
    let cases = [
        (
            "Maximum sha error gets swallowed",
            GitHubError::Unprocessable(
                "This SHA and context has reached the maximum number of statuses".into(),
            ),
            true,
        ),
        (
            "Error from user side gets swallowed",
            GitHubError::Status {
                status: 404,
                message: r#"{"message":"Not Found","documentation_url":"https://docs.github.com/rest/reference/repos#create-a-commit-status"}"#.into(),
            },
            true,
        ),
        (
            "Error from user side gets swallowed2",
            GitHubError::Unprocessable(
                "No commit found for SHA: 9d04799d1a22e9e604c50f6bbbec067aaccc1b32".into(),
            ),
            true,
        ),
        (
            "a missing repository is not found either",
            GitHubError::NotFound("org/repo".into()),
            true,
        ),
        (
            "Other error get returned",
            GitHubError::Transport("something went wrong :(".into()),
            false,
        ),
    ];
    for (name, err, want) in cases {
        assert_eq!(swallowed_status_error(&err), want, "{name}");
    }
}

#[tokio::test]
async fn jobs_to_summarize_table() {
    let w = world();
    let t0 = chrono::Utc::now();
    let make = |name: &str, job: &str, pull: &str, state: ProwJobState, minutes: i64| {
        let mut j = w.presubmit(job, state);
        j.metadata.name = name.into();
        j.metadata.creation_timestamp = Some(t0 - chrono::Duration::minutes(minutes));
        for (k, v) in [(ORG_LABEL, "org"), (REPO_LABEL, "repo"), (PULL_LABEL, pull)] {
            j.metadata.labels.insert(k.into(), v.into());
        }
        j
    };
    let names = |jobs: Vec<ProwJob>| {
        let mut n: Vec<String> = jobs.into_iter().map(|j| j.metadata.name).collect();
        n.sort();
        n
    };
    // Name, jobs stored, the jobs summed up.
    type Case = (&'static str, Vec<ProwJob>, Vec<&'static str>);
    let mut silent = make("3", "lint", "1", ProwJobState::Success, 5);
    silent.spec.report = false;
    let cases: Vec<Case> = vec![
        (
            "two-jobs-finished",
            vec![
                make("0", "unit", "1", ProwJobState::Success, 60),
                make("1", "e2e", "1", ProwJobState::Failure, 60),
            ],
            vec!["0", "1"],
        ),
        (
            "one-job-still-running",
            vec![
                make("0", "unit", "1", ProwJobState::Success, 60),
                make("1", "e2e", "1", ProwJobState::Pending, 60),
            ],
            vec![],
        ),
        (
            "the latest run of each job, reporting jobs only",
            vec![
                make("0", "unit", "1", ProwJobState::Success, 60),
                make("1", "unit", "1", ProwJobState::Failure, 10),
                make("2", "unit", "1", ProwJobState::Failure, 30),
                silent,
            ],
            vec!["1"],
        ),
        (
            "job-not-same-pr",
            vec![
                make("0", "unit", "1", ProwJobState::Success, 60),
                make("1", "e2e", "2", ProwJobState::Pending, 60),
            ],
            vec!["0"],
        ),
    ];
    for (name, jobs, want) in cases {
        let store = MemoryStore::new();
        for j in jobs {
            store.create(j).await.unwrap();
        }
        let current = store.get("0").await.unwrap();
        let got = jobs_to_summarize(&store, &current).await.unwrap();
        assert_eq!(names(got), want, "{name}");
    }
}
