//! The trigger plugin against the simulated GitHub, case by case as upstream's tables list
//! its behaviours.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use async_trait::async_trait;
use prow_core::github::{Status, WorkflowRun};
use prow_core::prowjob::labels::{
    ORG_LABEL, PROW_JOB_TYPE_LABEL, PULL_LABEL, REPO_LABEL, RETEST_LABEL,
};
use prow_core::prowjob::pjutil::EVENT_GUID_LABEL;
use prow_core::prowjob::{ObjectMeta, ProwJobSpec, ProwJobState, ProwJobStatus, ProwJobType};
use prow_core::traits::{JobSelector, JobWatch};
use prow_github::simulator::{Action, Faults, Files, NewPullRequest};

use super::*;
use crate::reply::ABOUT_THIS_BOT_WITHOUT_COMMANDS;
use crate::testing::{BOT, Harness};

const SPEC: &str = "spec: {containers: [{image: alpine}]}";

/// A job config with the given presubmits and postsubmits of `org/repo`, each a flow-map body
/// (`name: job, always_run: true`) completed with a pod spec.
fn jobs_yaml(presubmits: &[&str], postsubmits: &[&str]) -> String {
    let mut yaml = String::new();
    for (section, jobs) in [("presubmits", presubmits), ("postsubmits", postsubmits)] {
        if jobs.is_empty() {
            continue;
        }
        yaml.push_str(&format!("{section}:\n  org/repo:\n"));
        for job in jobs {
            yaml.push_str(&format!("  - {{{job}, {SPEC}}}\n"));
        }
    }
    yaml
}

/// The stored ProwJobs, sorted by context.
async fn stored_jobs(h: &Harness) -> Vec<ProwJob> {
    let mut jobs = h.jobs.list(&JobSelector::default()).await.unwrap();
    jobs.sort_by(|a, b| a.spec.context.cmp(&b.spec.context));
    jobs
}

/// Hands the pending webhooks to trigger, leaving out those `skip` picks.
async fn deliver_except(h: &mut Harness, skip: impl Fn(&prow_core::event::Event) -> bool) {
    let ctx = h.context();
    for (hook, event) in h.pending() {
        if skip(&event) {
            continue;
        }
        let event = Arc::new(event);
        if let Some(kind) = EventKind::of(&event)
            && Trigger.events().contains(&kind)
        {
            let call = PluginEvent {
                delivery: hook.delivery_id.clone(),
                kind,
                event: Arc::clone(&event),
                comment: None,
            };
            Trigger.handle(&ctx, &call).await.expect("trigger handles");
        }
        if let Some(comment) = prow_core::event::GenericCommentEvent::from_event(&event) {
            let call = PluginEvent {
                delivery: hook.delivery_id.clone(),
                kind: EventKind::GenericComment,
                event: Arc::clone(&event),
                comment: Some(Arc::new(comment)),
            };
            Trigger.handle(&ctx, &call).await.expect("trigger handles");
        }
    }
}

/// A presubmit ProwJob of `org/repo#pull` in state `state`, as plank sees them.
fn presubmit_job(name: &str, pull: u64, state: ProwJobState, complete: bool) -> ProwJob {
    let labels = BTreeMap::from([
        (ORG_LABEL.to_owned(), "org".to_owned()),
        (REPO_LABEL.to_owned(), "repo".to_owned()),
        (PULL_LABEL.to_owned(), pull.to_string()),
        (PROW_JOB_TYPE_LABEL.to_owned(), "presubmit".to_owned()),
    ]);
    let mut pj = ProwJob::new(
        ObjectMeta {
            name: name.to_owned(),
            labels,
            ..ObjectMeta::default()
        },
        ProwJobSpec {
            job: name.to_owned(),
            type_: Some(ProwJobType::Presubmit),
            ..ProwJobSpec::default()
        },
        ProwJobStatus {
            state: Some(state),
            ..ProwJobStatus::default()
        },
    );
    if complete {
        pj.set_complete(chrono::Utc::now());
    }
    pj
}

// ---------------------------------------------------------------------------
// Trust
// ---------------------------------------------------------------------------

#[tokio::test]
async fn trusted_user_follows_org_collaborators_apps_and_the_trusted_org() {
    struct Case {
        name: &'static str,
        only_org_members: bool,
        trusted_apps: &'static [&'static str],
        trusted_org: &'static str,
        user: &'static str,
        trusted: bool,
        reason: &'static str,
    }
    const NOT_MEMBER: &str = "User is not a member of the org. Satisfy at least one of these conditions to make the user trusted.";
    const NOT_MEMBER_OR_COLLABORATOR: &str = "User is not a member of the org. User is not a collaborator. Satisfy at least one of these conditions to make the user trusted.";
    let cases = [
        Case {
            name: "user is member of trusted org",
            only_org_members: false,
            trusted_apps: &[],
            trusted_org: "",
            user: "alice",
            trusted: true,
            reason: "",
        },
        Case {
            name: "user is member of trusted org (only org members enabled)",
            only_org_members: true,
            trusted_apps: &[],
            trusted_org: "",
            user: "alice",
            trusted: true,
            reason: "",
        },
        Case {
            name: "user is collaborator",
            only_org_members: false,
            trusted_apps: &[],
            trusted_org: "",
            user: "carol",
            trusted: true,
            reason: "",
        },
        Case {
            name: "user is collaborator (only org members enabled)",
            only_org_members: true,
            trusted_apps: &[],
            trusted_org: "",
            user: "carol",
            trusted: false,
            reason: NOT_MEMBER,
        },
        Case {
            name: "user is trusted org member",
            only_org_members: false,
            trusted_apps: &[],
            trusted_org: "sister",
            user: "sis",
            trusted: true,
            reason: "",
        },
        Case {
            name: "user is not org member",
            only_org_members: false,
            trusted_apps: &[],
            trusted_org: "",
            user: "random",
            trusted: false,
            reason: NOT_MEMBER_OR_COLLABORATOR,
        },
        Case {
            name: "user is not org member or trusted org member",
            only_org_members: false,
            trusted_apps: &[],
            trusted_org: "sister",
            user: "random",
            trusted: false,
            reason: "User is not a member of the org. User is not a collaborator. User is not a member of the trusted secondary org. Satisfy at least one of these conditions to make the user trusted.",
        },
        Case {
            name: "user is not org member or trusted org member, onlyOrgMembers true",
            only_org_members: true,
            trusted_apps: &[],
            trusted_org: "sister",
            user: "random",
            trusted: false,
            reason: "User is not a member of the org. User is not a member of the trusted secondary org. Satisfy at least one of these conditions to make the user trusted.",
        },
        Case {
            name: "trusted org that is the repository's org adds nothing",
            only_org_members: false,
            trusted_apps: &[],
            trusted_org: "org",
            user: "random",
            trusted: false,
            reason: NOT_MEMBER_OR_COLLABORATOR,
        },
        Case {
            name: "Self as bot is trusted",
            only_org_members: false,
            trusted_apps: &[],
            trusted_org: "",
            user: BOT,
            trusted: true,
            reason: "",
        },
        Case {
            name: "Self as app is trusted",
            only_org_members: false,
            trusted_apps: &[],
            trusted_org: "",
            user: "k8s-ci-robot[bot]",
            trusted: true,
            reason: "",
        },
        Case {
            name: "github-app[bot] is in trusted list",
            only_org_members: false,
            trusted_apps: &["github-app"],
            trusted_org: "",
            user: "github-app[bot]",
            trusted: true,
            reason: "",
        },
        Case {
            name: "github-app[bot] is not in trusted list",
            only_org_members: false,
            trusted_apps: &["other-app"],
            trusted_org: "",
            user: "github-app[bot]",
            trusted: false,
            reason: NOT_MEMBER_OR_COLLABORATOR,
        },
        Case {
            name: "github-app (no bot suffix) matches trusted app name, should not be trusted",
            only_org_members: false,
            trusted_apps: &["github-app"],
            trusted_org: "",
            user: "github-app",
            trusted: false,
            reason: NOT_MEMBER_OR_COLLABORATOR,
        },
        Case {
            name: "github-app[bot]suffix (bot not as suffix) matches trusted app name, should not be trusted",
            only_org_members: false,
            trusted_apps: &["github-app"],
            trusted_org: "",
            user: "github-app[bot]suffix",
            trusted: false,
            reason: NOT_MEMBER_OR_COLLABORATOR,
        },
    ];
    let h = Harness::new();
    h.sim.add_org("sister");
    h.sim.add_org_member("sister", "sis", false).unwrap();
    let github = h.context().github;
    for case in cases {
        let apps: Vec<String> = case.trusted_apps.iter().map(|s| s.to_string()).collect();
        let policy = TrustPolicy {
            only_org_members: case.only_org_members,
            trusted_apps: &apps,
            trusted_org: case.trusted_org,
        };
        let got = trusted_user(github.as_ref(), &policy, case.user, "org", "repo")
            .await
            .unwrap();
        assert_eq!(got.is_trusted, case.trusted, "{}", case.name);
        assert_eq!(got.reason, case.reason, "{}", case.name);
    }
    assert!(h.bot_calls().is_empty());
}

#[tokio::test]
async fn trusted_pull_request_needs_a_trusted_author_or_ok_to_test() {
    struct Case {
        name: &'static str,
        author: &'static str,
        labels: &'static [&'static str],
        trusted: bool,
    }
    let cases = [
        Case {
            name: "trust org member",
            author: "alice",
            labels: &[],
            trusted: true,
        },
        Case {
            name: "trust member of other trusted org",
            author: "sis",
            labels: &[],
            trusted: true,
        },
        Case {
            name: "accept random PR with ok-to-test",
            author: "random",
            labels: &[labels::OK_TO_TEST],
            trusted: true,
        },
        Case {
            name: "accept random PR with both labels",
            author: "random",
            labels: &[labels::OK_TO_TEST, labels::NEEDS_OK_TO_TEST],
            trusted: true,
        },
        Case {
            name: "reject random PR with needs-ok-to-test",
            author: "random",
            labels: &[labels::NEEDS_OK_TO_TEST],
            trusted: false,
        },
        Case {
            name: "reject random PR with no label",
            author: "random",
            labels: &[],
            trusted: false,
        },
    ];
    for case in cases {
        let mut h = Harness::new();
        h.sim.add_org("sister");
        h.sim.add_org_member("sister", "sis", false).unwrap();
        h.sim.add_user("sis", None, None);
        let pr = h.open_pr(case.author, "change", Files::new().put("a", "a"));
        for label in case.labels {
            h.sim.add_label_as("admin", &h.repo, pr, label).unwrap();
        }
        h.forget();
        let policy = TrustPolicy {
            only_org_members: false,
            trusted_apps: &[],
            trusted_org: "sister",
        };
        let (_, trusted) = trusted_pull_request(
            h.context().github.as_ref(),
            &policy,
            case.author,
            &h.repo,
            pr,
            None,
        )
        .await
        .unwrap();
        assert_eq!(trusted, case.trusted, "{}", case.name);
        assert!(h.bot_calls().is_empty(), "{}", case.name);
    }
}

// ---------------------------------------------------------------------------
// Pull request events
// ---------------------------------------------------------------------------

/// What happens to the pull request in a case.
#[derive(Clone, Copy, Debug)]
enum Act {
    Open,
    Reopen,
    ReadyForReview,
    EditBase,
    EditTitle,
    Push,
    Label(&'static str, &'static str),
    Close,
    ConvertToDraft,
}

/// The comment a case expects.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Says {
    Nothing,
    Welcome,
    Draft,
}

fn welcome_text(author: &str) -> String {
    format!(
        "Hi @{author}. Thanks for your PR.\n\nI'm waiting for a [org](https://github.com/orgs/org/people) member to verify that this patch is reasonable to test. If it is, they should reply with `/ok-to-test` on its own line. Until that is done, I will not automatically test new commits in this PR, but the usual testing commands by org members will still work.\n\nRegular contributors should [join the org](https://github.com/orgs/org/people) to skip this step.\n\nOnce the patch is verified, the new status will be reflected by the `ok-to-test` label.\n\nI understand the commands that are listed [here](https://go.k8s.io/bot-commands?repo=org%2Frepo).\n\n<details>\n\n{ABOUT_THIS_BOT_WITHOUT_COMMANDS}\n</details>\n"
    )
}

#[tokio::test]
async fn pull_request_events_start_abort_and_welcome() {
    struct Case {
        name: &'static str,
        author: &'static str,
        draft: bool,
        ok_to_test: bool,
        act: Act,
        builds: bool,
        says: Says,
        added: &'static [&'static str],
        aborts: bool,
    }
    const T: &str = "alice";
    const U: &str = "random";
    const BASE: Case = Case {
        name: "",
        author: T,
        draft: false,
        ok_to_test: false,
        act: Act::Open,
        builds: false,
        says: Says::Nothing,
        added: &[],
        aborts: false,
    };
    let cases = [
        Case {
            name: "Trusted user open PR should build",
            builds: true,
            ..BASE
        },
        Case {
            name: "Trusted user open draft PR should not build and should comment",
            draft: true,
            says: Says::Draft,
            ..BASE
        },
        Case {
            name: "Untrusted user open PR with ok-to-test should not add needs-ok-to-test",
            author: U,
            ok_to_test: true,
            says: Says::Welcome,
            ..BASE
        },
        Case {
            name: "Untrusted user open PR should not build, should comment and add needs-ok-to-test",
            author: U,
            says: Says::Welcome,
            added: &[labels::NEEDS_OK_TO_TEST],
            ..BASE
        },
        Case {
            name: "Collaborator outside the org is untrusted with only_org_members",
            author: "carol",
            says: Says::Welcome,
            added: &[labels::NEEDS_OK_TO_TEST],
            ..BASE
        },
        Case {
            name: "Untrusted user open draft PR should not build and should comment",
            author: U,
            draft: true,
            says: Says::Welcome,
            added: &[labels::NEEDS_OK_TO_TEST],
            ..BASE
        },
        Case {
            name: "Trusted user reopen PR should build",
            act: Act::Reopen,
            builds: true,
            ..BASE
        },
        Case {
            name: "Trusted user reopen draft PR should not build",
            act: Act::Reopen,
            draft: true,
            ..BASE
        },
        Case {
            name: "Trusted user switch PR from draft to normal should build",
            act: Act::ReadyForReview,
            draft: true,
            builds: true,
            ..BASE
        },
        Case {
            name: "Untrusted user switch PR from draft to normal should not build",
            author: U,
            act: Act::ReadyForReview,
            draft: true,
            ..BASE
        },
        Case {
            name: "Untrusted user switch PR from draft to normal with ok-to-test should build",
            author: U,
            act: Act::ReadyForReview,
            draft: true,
            ok_to_test: true,
            builds: true,
            ..BASE
        },
        Case {
            name: "Untrusted user reopen PR with ok-to-test should build",
            author: U,
            act: Act::Reopen,
            ok_to_test: true,
            builds: true,
            ..BASE
        },
        Case {
            name: "Untrusted user reopen PR without ok-to-test should not build",
            author: U,
            act: Act::Reopen,
            ..BASE
        },
        Case {
            name: "Untrusted user reopen draft PR should not build",
            author: U,
            act: Act::Reopen,
            draft: true,
            ok_to_test: true,
            ..BASE
        },
        Case {
            name: "Trusted user edit PR with changes should build",
            act: Act::EditBase,
            builds: true,
            ..BASE
        },
        Case {
            name: "Trusted user edit draft PR with changes should not build",
            act: Act::EditBase,
            draft: true,
            ..BASE
        },
        Case {
            name: "Trusted user edit PR without changes should not build",
            act: Act::EditTitle,
            ..BASE
        },
        Case {
            name: "Untrusted user edit PR without changes and without ok-to-test should not build",
            author: U,
            act: Act::EditTitle,
            ..BASE
        },
        Case {
            name: "Untrusted user edit PR with changes and without ok-to-test should not build",
            author: U,
            act: Act::EditBase,
            ..BASE
        },
        Case {
            name: "Untrusted user edit PR without changes and with ok-to-test should not build",
            author: U,
            act: Act::EditTitle,
            ok_to_test: true,
            ..BASE
        },
        Case {
            name: "Untrusted user edit PR with changes and with ok-to-test should build",
            author: U,
            act: Act::EditBase,
            ok_to_test: true,
            builds: true,
            ..BASE
        },
        Case {
            name: "Trusted user sync PR should build and abort the running jobs",
            act: Act::Push,
            builds: true,
            aborts: true,
            ..BASE
        },
        Case {
            name: "Untrusted user sync PR without ok-to-test should not build but aborts",
            author: U,
            act: Act::Push,
            aborts: true,
            ..BASE
        },
        Case {
            name: "Untrusted user sync PR with ok-to-test should build",
            author: U,
            act: Act::Push,
            ok_to_test: true,
            builds: true,
            aborts: true,
            ..BASE
        },
        Case {
            name: "Trusted user labeled PR with lgtm should not build",
            act: Act::Label(labels::LGTM, "bob"),
            ..BASE
        },
        Case {
            name: "Untrusted user labeled PR with lgtm should build",
            author: U,
            act: Act::Label(labels::LGTM, "bob"),
            builds: true,
            ..BASE
        },
        Case {
            name: "Untrusted user labeled PR without lgtm should not build",
            author: U,
            act: Act::Label("test", "bob"),
            ..BASE
        },
        Case {
            name: "Trusted user closed PR should not build and aborts",
            act: Act::Close,
            aborts: true,
            ..BASE
        },
        Case {
            name: "Trusted user labeled PR with ok-to-test should build",
            act: Act::Label(labels::OK_TO_TEST, "bob"),
            builds: true,
            ..BASE
        },
        Case {
            name: "Untrusted user labeled PR with ok-to-test should build",
            author: U,
            act: Act::Label(labels::OK_TO_TEST, "bob"),
            builds: true,
            ..BASE
        },
        Case {
            name: "Label added by the bot. Build should not be triggered in this case.",
            author: U,
            act: Act::Label(labels::OK_TO_TEST, BOT),
            ..BASE
        },
        Case {
            name: "Abort jobs if PR is changed to draft",
            act: Act::ConvertToDraft,
            ok_to_test: true,
            aborts: true,
            ..BASE
        },
    ];
    for case in cases {
        let mut h = Harness::new();
        h.set_config_yaml(
            "prowjob_namespace: prowjobs\n",
            Some(&jobs_yaml(&["name: jib, always_run: true"], &[])),
        );
        h.set_plugins_yaml(
            "triggers:\n- repos: [org]\n  trusted_org: org\n  only_org_members: true\n",
        );
        h.sim
            .create_branch_as("admin", &h.repo, "release", "master")
            .unwrap();
        let new = NewPullRequest {
            title: "change".into(),
            head: "pr-change".into(),
            files: Files::new().put("CHANGED", "x"),
            draft: case.draft,
            ..NewPullRequest::default()
        };
        let pr = h
            .sim
            .open_pull_request_with(&h.repo, case.author, &new)
            .unwrap();
        if case.ok_to_test {
            h.sim
                .add_label_as("admin", &h.repo, pr, labels::OK_TO_TEST)
                .unwrap();
        }
        let running = presubmit_job("job-to-abort", pr, ProwJobState::Pending, false);
        let finished = presubmit_job("finished", pr, ProwJobState::Failure, true);
        let other = presubmit_job("other-pr", pr + 1, ProwJobState::Pending, false);
        for job in [&running, &finished, &other] {
            h.jobs.create(job.clone()).await.unwrap();
        }
        let mut expected_base = "master";
        match case.act {
            Act::Open => {}
            Act::Reopen => {
                h.forget();
                h.sim
                    .close_pull_request_as(case.author, &h.repo, pr)
                    .unwrap();
                h.forget();
                h.sim
                    .reopen_pull_request_as(case.author, &h.repo, pr)
                    .unwrap();
            }
            Act::ReadyForReview => {
                h.forget();
                h.sim.set_draft_as(case.author, &h.repo, pr, false).unwrap();
            }
            Act::EditBase => {
                h.forget();
                h.sim
                    .change_base_as(case.author, &h.repo, pr, "release")
                    .unwrap();
                expected_base = "release";
            }
            Act::EditTitle => {
                h.forget();
                h.sim
                    .edit_title_as(case.author, &h.repo, pr, "new title")
                    .unwrap();
            }
            Act::Push => {
                h.forget();
                h.sim
                    .push_to_pull_request(&h.repo, pr, Files::new().put("CHANGED", "y"))
                    .unwrap();
            }
            Act::Label(label, by) => {
                h.forget();
                h.sim.add_label_as(by, &h.repo, pr, label).unwrap();
            }
            Act::Close => {
                h.forget();
                h.sim
                    .close_pull_request_as(case.author, &h.repo, pr)
                    .unwrap();
            }
            Act::ConvertToDraft => {
                h.forget();
                h.sim.set_draft_as(case.author, &h.repo, pr, true).unwrap();
            }
        }
        // On open, the ok-to-test label stands for automation that labelled the PR first.
        deliver_except(&mut h, |event| {
            matches!(case.act, Act::Open)
                && matches!(event, prow_core::event::Event::PullRequest(pe)
                    if pe.action == prow_core::event::PullRequestEventAction::Labeled)
        })
        .await;

        let created: Vec<ProwJob> = stored_jobs(&h)
            .await
            .into_iter()
            .filter(|pj| {
                !["job-to-abort", "finished", "other-pr"].contains(&pj.metadata.name.as_str())
            })
            .collect();
        if case.builds {
            assert_eq!(created.len(), 1, "{}", case.name);
            let pj = &created[0];
            let pull = h.sim.pull_request(&h.repo, pr).unwrap();
            let refs = pj.spec.refs.as_ref().unwrap();
            assert_eq!(pj.spec.job, "jib", "{}", case.name);
            assert_eq!(pj.spec.type_, Some(ProwJobType::Presubmit), "{}", case.name);
            assert_eq!(pj.metadata.namespace, "prowjobs", "{}", case.name);
            assert_eq!(
                pj.status.state,
                Some(ProwJobState::Triggered),
                "{}",
                case.name
            );
            assert_eq!(refs.base_ref, expected_base, "{}", case.name);
            assert_eq!(
                refs.base_sha,
                h.sim.resolve_ref(&h.repo, Some(expected_base)).unwrap(),
                "{}",
                case.name
            );
            assert_eq!(refs.pulls[0].number, pr as i64, "{}", case.name);
            assert_eq!(refs.pulls[0].sha, pull.head.sha, "{}", case.name);
            assert_eq!(refs.pulls[0].author, case.author, "{}", case.name);
            assert!(
                !pj.metadata.labels[EVENT_GUID_LABEL].is_empty(),
                "{}",
                case.name
            );
            assert!(
                !pj.metadata.labels.contains_key(RETEST_LABEL),
                "{}",
                case.name
            );
        } else {
            assert!(created.is_empty(), "{}: {created:?}", case.name);
        }

        let running_now = h.jobs.get("job-to-abort").await.unwrap();
        if case.aborts {
            assert_eq!(
                running_now.status.state,
                Some(ProwJobState::Aborted),
                "{}",
                case.name
            );
            assert_eq!(
                running_now.status.description, ABORTED_DESCRIPTION,
                "{}",
                case.name
            );
            assert!(!running_now.complete(), "{}", case.name);
        } else {
            assert_eq!(
                running_now.status.state,
                Some(ProwJobState::Pending),
                "{}",
                case.name
            );
        }
        assert_eq!(
            h.jobs.get("finished").await.unwrap().status.state,
            Some(ProwJobState::Failure),
            "{}",
            case.name
        );
        assert_eq!(
            h.jobs.get("other-pr").await.unwrap().status.state,
            Some(ProwJobState::Pending),
            "{}",
            case.name
        );

        let mut want: Vec<(String, String)> = case
            .added
            .iter()
            .map(|l| ("add_label".to_owned(), l.to_string()))
            .collect();
        match case.says {
            Says::Nothing => {}
            Says::Welcome => want.push(("create_comment".into(), welcome_text(case.author))),
            Says::Draft => want.push(("create_comment".into(), DRAFT_TEXT.into())),
        }
        assert_eq!(h.bot_actions(), want, "{}", case.name);
    }
}

const DRAFT_TEXT: &str = "Skipping CI for Draft Pull Request.\nIf you want CI signal for your change, please convert it to an actual PR.\nYou can still manually trigger a test run with `/test all`";

#[tokio::test]
async fn pull_request_events_follow_the_trigger_config() {
    struct Case {
        name: &'static str,
        plugins: &'static str,
        author: &'static str,
        merged_before: usize,
        unmergeable: bool,
        builds: bool,
        comment: Option<String>,
        adds_needs_ok_to_test: bool,
    }
    let about = ABOUT_THIS_BOT_WITHOUT_COMMANDS;
    let ignore = format!(
        "Hi @random. Thanks for your PR.\n\nPRs from untrusted users cannot be marked as trusted with `/ok-to-test` in this repo meaning untrusted PR authors can never trigger tests themselves. Collaborators can still trigger tests on the PR using `/test all`.\n\nI understand the commands that are listed [here](https://go.k8s.io/bot-commands?repo=org%2Frepo).\n\n<details>\n\n{about}\n</details>\n"
    );
    let second_org = format!(
        "Hi @random. Thanks for your PR.\n\nI'm waiting for a [org](https://github.com/orgs/org/people) or [sister](https://github.com/orgs/sister/people) member to verify that this patch is reasonable to test. If it is, they should reply with `/ok-to-test` on its own line. Until that is done, I will not automatically test new commits in this PR, but the usual testing commands by org members will still work.\n\nRegular contributors should [join the org](https://join.me) to skip this step.\n\nOnce the patch is verified, the new status will be reflected by the `ok-to-test` label.\n\nI understand the commands that are listed [here](https://go.k8s.io/bot-commands?repo=org%2Frepo).\n\n<details>\n\n{about}\n</details>\n"
    );
    let prominent = welcome_text("random").replace(
        "Regular contributors should [join the org](https://github.com/orgs/org/people) to skip this step.",
        ">[!TIP]\n>**We noticed you've done this a few times! Consider [joining the org](https://github.com/orgs/org/people) to skip this step and gain `/lgtm` and other bot rights.** We recommend asking approvers on your previous PRs to sponsor you.",
    );
    let custom = welcome_text("random").replace(
        "Regular contributors should [join the org](https://github.com/orgs/org/people) to skip this step.",
        "Please consider [joining us](https://github.com/orgs/org/people) for full access!",
    );
    let welcome = welcome_text("random");
    let cases = [
        Case {
            name: "collaborator is trusted without only_org_members",
            plugins: "",
            author: "carol",
            merged_before: 0,
            unmergeable: false,
            builds: true,
            comment: None,
            adds_needs_ok_to_test: false,
        },
        Case {
            name: "trusted app's bot account is trusted",
            plugins: "triggers:\n- repos: [org/repo]\n  trusted_apps: [deps-app]\n",
            author: "deps-app[bot]",
            merged_before: 0,
            unmergeable: false,
            builds: true,
            comment: None,
            adds_needs_ok_to_test: false,
        },
        Case {
            name: "ignore_ok_to_test welcome adds no label",
            plugins: "triggers:\n- repos: [org/repo]\n  ignore_ok_to_test: true\n",
            author: "random",
            merged_before: 0,
            unmergeable: false,
            builds: false,
            comment: Some(ignore.clone()),
            adds_needs_ok_to_test: false,
        },
        Case {
            name: "a second trusted org and a join URL are named",
            plugins: "triggers:\n- repos: [org]\n  trusted_org: sister\n  join_org_url: https://join.me\n",
            author: "random",
            merged_before: 0,
            unmergeable: false,
            builds: false,
            comment: Some(second_org.clone()),
            adds_needs_ok_to_test: true,
        },
        Case {
            name: "member of the second trusted org is trusted",
            plugins: "triggers:\n- repos: [org]\n  trusted_org: sister\n",
            author: "sis",
            merged_before: 0,
            unmergeable: false,
            builds: true,
            comment: None,
            adds_needs_ok_to_test: false,
        },
        Case {
            name: "fewer merged PRs than the threshold: plain invitation",
            plugins: "",
            author: "random",
            merged_before: 2,
            unmergeable: false,
            builds: false,
            comment: Some(welcome.clone()),
            adds_needs_ok_to_test: true,
        },
        Case {
            name: "threshold of merged PRs: prominent invitation",
            plugins: "",
            author: "random",
            merged_before: 3,
            unmergeable: false,
            builds: false,
            comment: Some(prominent.clone()),
            adds_needs_ok_to_test: true,
        },
        Case {
            name: "custom threshold and message",
            plugins: "triggers:\n- repos: [org]\n  org_invite:\n    prominent:\n      merged_pr_threshold: 1\n      message: 'Please consider [joining us]({join_org_url}) for full access!'\n",
            author: "random",
            merged_before: 1,
            unmergeable: false,
            builds: false,
            comment: Some(custom.clone()),
            adds_needs_ok_to_test: true,
        },
        Case {
            name: "prominent invitation turned off",
            plugins: "triggers:\n- repos: [org]\n  org_invite:\n    prominent:\n      disabled: true\n",
            author: "random",
            merged_before: 3,
            unmergeable: false,
            builds: false,
            comment: Some(welcome.clone()),
            adds_needs_ok_to_test: true,
        },
        Case {
            name: "unmergeable PR starts nothing and says nothing",
            plugins: "",
            author: "alice",
            merged_before: 0,
            unmergeable: true,
            builds: false,
            comment: None,
            adds_needs_ok_to_test: false,
        },
    ];
    for case in cases {
        let mut h = Harness::new();
        h.set_config_yaml("", Some(&jobs_yaml(&["name: jib, always_run: true"], &[])));
        if !case.plugins.is_empty() {
            h.set_plugins_yaml(case.plugins);
        }
        h.sim.add_org("sister");
        h.sim.add_user("sis", None, None);
        h.sim.add_org_member("sister", "sis", false).unwrap();
        h.sim.add_user("deps-app[bot]", None, None);
        for n in 0..case.merged_before {
            let old = h
                .sim
                .open_pull_request(
                    &h.repo,
                    case.author,
                    "old",
                    "",
                    &format!("old-{n}"),
                    Files::new().put(format!("old-{n}"), "x"),
                )
                .unwrap();
            h.sim
                .merge_as(
                    "admin",
                    &h.repo,
                    old,
                    &prow_core::github::MergeDetails::default(),
                )
                .unwrap();
        }
        h.forget();
        let new = NewPullRequest {
            title: "change".into(),
            head: "pr-change".into(),
            files: Files::new().put("CHANGED", "x"),
            ..NewPullRequest::default()
        };
        if case.unmergeable {
            // GitHub has computed the PR unmergeable by the time the webhook is handled.
            let pr = h
                .sim
                .open_pull_request_with(&h.repo, case.author, &new)
                .unwrap();
            h.sim.set_mergeable(&h.repo, pr, Some(false)).unwrap();
            h.forget();
            h.sim
                .close_pull_request_as(case.author, &h.repo, pr)
                .unwrap();
            h.sim
                .reopen_pull_request_as(case.author, &h.repo, pr)
                .unwrap();
        } else {
            h.sim
                .open_pull_request_with(&h.repo, case.author, &new)
                .unwrap();
        }
        h.deliver_ok(&Trigger).await;
        let jobs = stored_jobs(&h).await;
        assert_eq!(jobs.len(), usize::from(case.builds), "{}", case.name);
        if case.builds {
            assert_eq!(jobs[0].metadata.namespace, "default", "{}", case.name);
        }
        let mut want = Vec::new();
        if case.adds_needs_ok_to_test {
            want.push(("add_label".to_owned(), labels::NEEDS_OK_TO_TEST.to_owned()));
        }
        if let Some(comment) = case.comment {
            want.push(("create_comment".to_owned(), comment.to_owned()));
        }
        assert_eq!(h.bot_actions(), want, "{}", case.name);
    }
}

#[tokio::test]
async fn pull_request_events_need_presubmits() {
    // Without presubmits for the repository, trigger neither welcomes nor labels.
    let mut h = Harness::new();
    h.sim
        .open_pull_request(
            &h.repo,
            "random",
            "t",
            "",
            "pr-t",
            Files::new().put("a", "b"),
        )
        .unwrap();
    h.deliver_ok(&Trigger).await;
    assert!(h.bot_calls().is_empty());
    assert!(stored_jobs(&h).await.is_empty());
}

#[tokio::test]
async fn opened_pr_runs_only_jobs_for_its_branch_and_changes() {
    let mut h = Harness::new();
    h.set_config_yaml(
        "",
        Some(&jobs_yaml(
            &[
                "name: always, always_run: true",
                "name: docs, run_if_changed: '^docs/'",
                "name: code, run_if_changed: '\\.go$'",
                "name: not-only-docs, skip_if_only_changed: '^docs/'",
                "name: manual",
                "name: release-only, always_run: true, branches: [release]",
                "name: skip-master, always_run: true, skip_branches: [master]",
            ],
            &[],
        )),
    );
    h.sim
        .open_pull_request(
            &h.repo,
            "alice",
            "t",
            "",
            "pr-t",
            Files::new().put("docs/a.md", "b"),
        )
        .unwrap();
    h.deliver_ok(&Trigger).await;
    let names: Vec<String> = stored_jobs(&h)
        .await
        .into_iter()
        .map(|pj| pj.spec.job)
        .collect();
    assert_eq!(names, ["always", "docs"]);
    // A required job that does not run gets no status from trigger: nothing else is written.
    assert!(h.bot_calls().is_empty());
}

// ---------------------------------------------------------------------------
// Comments
// ---------------------------------------------------------------------------

/// The upstream table's default presubmits.
const DEFAULT_JOBS: &[&str] = &[
    "name: job, always_run: true, context: pull-job, trigger: '(?m)^/test (?:.*? )?job(?: .*?)?$', rerun_command: /test job, branches: [master]",
    "name: jib, context: pull-jib, trigger: '(?m)^/test (?:.*? )?jib(?: .*?)?$', rerun_command: /test jib",
];

/// A stale job-list reply of the bot, pruned when a command starts jobs.
const STALE_HELP: &str = "@alice: The specified target(s) for `/test` were not found.\nThe following commands are available to trigger required jobs:";

const HELP_COMMENT: &str = "The following commands are available to trigger required jobs:\n```\n/test jib\n```\n```\n/test job\n```\n\n";
const HELP_TEST_ALL_WITH_JOBS: &str = "Use `/test all` to run the following jobs that were automatically triggered:\n```\njob\n```\n\n";

fn code_block(text: &str, newline: bool) -> String {
    format!("```\n{text}\n```{}", if newline { "\n" } else { "" })
}

struct CommentCase {
    name: &'static str,
    commenter: &'static str,
    pr_author: &'static str,
    body: String,
    on_issue: bool,
    closed: bool,
    base: &'static str,
    presubmits: &'static [&'static str],
    labels: &'static [&'static str],
    plugins: &'static str,
    unmergeable: bool,
    started: &'static [&'static str],
    added: &'static [&'static str],
    removed: &'static [&'static str],
    reply: Option<String>,
    prune: bool,
}

impl Default for CommentCase {
    fn default() -> Self {
        CommentCase {
            name: "",
            commenter: "alice",
            pr_author: "author",
            body: String::new(),
            on_issue: false,
            closed: false,
            base: "master",
            presubmits: DEFAULT_JOBS,
            labels: &[],
            plugins: "",
            unmergeable: false,
            started: &[],
            added: &[],
            removed: &[],
            reply: None,
            prune: false,
        }
    }
}

async fn run_comment_case(case: &CommentCase) {
    let name = case.name;
    let mut h = Harness::new();
    h.set_config_yaml(
        "prowjob_namespace: prowjobs\n",
        Some(&jobs_yaml(case.presubmits, &[])),
    );
    if !case.plugins.is_empty() {
        h.set_plugins_yaml(case.plugins);
    }
    if case.base != "master" {
        h.sim
            .create_branch_as("admin", &h.repo, case.base, "master")
            .unwrap();
    }
    let number = if case.on_issue {
        h.sim
            .open_issue_as(case.pr_author, &h.repo, "issue", "", &[], &[])
            .unwrap()
    } else {
        let new = NewPullRequest {
            title: "change".into(),
            head: "pr-change".into(),
            base: Some(case.base.into()),
            files: Files::new().put("CHANGED", "x"),
            ..NewPullRequest::default()
        };
        let pr = h
            .sim
            .open_pull_request_with(&h.repo, case.pr_author, &new)
            .unwrap();
        let head = h.sim.pull_request(&h.repo, pr).unwrap().head.sha;
        for (state, context) in [
            ("pending", "pull-job"),
            ("failure", "pull-jib"),
            ("success", "pull-jub"),
        ] {
            let status = Status {
                state: state.into(),
                context: context.into(),
                ..Status::default()
            };
            h.sim.set_status(&h.repo, &head, &status).unwrap();
        }
        if case.unmergeable {
            h.sim.set_mergeable(&h.repo, pr, Some(false)).unwrap();
        }
        pr
    };
    for label in case.labels {
        h.sim.add_label_as("admin", &h.repo, number, label).unwrap();
    }
    let stale = h.sim.comment_as(BOT, &h.repo, number, STALE_HELP).unwrap();
    // The same text from a person is not the bot's reply and stays.
    h.sim
        .comment_as("bob", &h.repo, number, STALE_HELP)
        .unwrap();
    if case.closed {
        h.sim.close_as("admin", &h.repo, number).unwrap();
    }
    h.forget();
    h.sim
        .comment_as(case.commenter, &h.repo, number, &case.body)
        .unwrap();
    h.deliver_ok(&Trigger).await;

    let jobs = stored_jobs(&h).await;
    let started: Vec<&str> = jobs.iter().map(|pj| pj.spec.context.as_str()).collect();
    assert_eq!(started, case.started, "{name}");
    let retest = prow_core::config::selection::is_retest(&case.body)
        || prow_core::config::selection::is_retest_required(&case.body);
    for pj in &jobs {
        let pull = h.sim.pull_request(&h.repo, number).unwrap();
        let refs = pj.spec.refs.as_ref().unwrap();
        assert_eq!(pj.metadata.namespace, "prowjobs", "{name}");
        assert_eq!(pj.spec.type_, Some(ProwJobType::Presubmit), "{name}");
        assert_eq!(
            refs.base_sha,
            h.sim.resolve_ref(&h.repo, Some(case.base)).unwrap(),
            "{name}"
        );
        assert_eq!(refs.pulls[0].sha, pull.head.sha, "{name}");
        assert_eq!(refs.pulls[0].author, case.pr_author, "{name}");
        assert_eq!(
            pj.metadata.labels.get(RETEST_LABEL).map(String::as_str),
            retest.then_some("true"),
            "{name}"
        );
    }

    let mut want: Vec<(String, String)> = Vec::new();
    want.extend(
        case.added
            .iter()
            .map(|l| ("add_label".into(), l.to_string())),
    );
    want.extend(
        case.removed
            .iter()
            .map(|l| ("remove_label".into(), l.to_string())),
    );
    if case.prune {
        want.push(("delete_comment".into(), stale.to_string()));
    }
    let mut actions = h.bot_actions();
    if let Some(reply) = &case.reply {
        let Some(position) = actions.iter().position(|(m, _)| m == "create_comment") else {
            panic!("{name}: no reply in {actions:?}");
        };
        let (_, body) = actions.remove(position);
        let head = format!(
            "@{}: {reply}\n\n<details>\n\nIn response to [this](",
            case.commenter
        );
        assert!(
            body.starts_with(&head),
            "{name}: {body:?}\nwant the start {head:?}"
        );
    }
    actions.sort();
    want.sort();
    assert_eq!(actions, want, "{name}");
}

#[tokio::test]
async fn comments_start_jobs_relabel_and_reply() {
    let untrusted = "Cannot trigger testing until a trusted user reviews the PR and leaves an `/ok-to-test` message.";
    let jab_rif = &[
        "name: jab, run_if_changed: CHANGED, skip_report: true, context: pull-jab, trigger: '(?m)^/test (?:.*? )?jab(?: .*?)?$', rerun_command: /test jab",
    ][..];
    let jab_sioc = &[
        "name: jab, skip_if_only_changed: CHANGED2, skip_report: true, context: pull-jab, trigger: '(?m)^/test (?:.*? )?jab(?: .*?)?$', rerun_command: /test jab",
    ][..];
    let cases = vec![
        CommentCase {
            name: "Not a PR.",
            body: "/ok-to-test".into(),
            on_issue: true,
            ..Default::default()
        },
        CommentCase {
            name: "Closed PR.",
            body: "/ok-to-test".into(),
            closed: true,
            ..Default::default()
        },
        CommentCase {
            name: "Comment by a bot.",
            commenter: BOT,
            body: "/ok-to-test".into(),
            ..Default::default()
        },
        CommentCase {
            name: "Irrelevant comment leads to no action.",
            body: "Nice weather outside, right?".into(),
            ..Default::default()
        },
        CommentCase {
            name: "Non-trusted member's ok to test.",
            commenter: "random",
            body: "/ok-to-test".into(),
            reply: Some(untrusted.into()),
            ..Default::default()
        },
        CommentCase {
            name: "accept /test from non-trusted member if PR author is trusted",
            commenter: "random",
            pr_author: "alice",
            body: "/test all".into(),
            started: &["pull-job"],
            prune: true,
            ..Default::default()
        },
        CommentCase {
            name: "reject /test from non-trusted member when PR author is untrusted",
            commenter: "random",
            pr_author: "random",
            body: "/test all".into(),
            reply: Some(untrusted.into()),
            ..Default::default()
        },
        CommentCase {
            name: "untrusted reply where /ok-to-test is ignored",
            commenter: "random",
            body: "/test all".into(),
            plugins: "triggers:\n- repos: [org]\n  ignore_ok_to_test: true\n",
            reply: Some("PRs from untrusted users cannot be marked as trusted with `/ok-to-test` in this repo meaning untrusted PR authors can never trigger tests themselves. Collaborators can still trigger tests on the PR using `/test`.".into()),
            ..Default::default()
        },
        CommentCase {
            name: r#"Non-trusted member after "/ok-to-test"."#,
            commenter: "random",
            body: "/test all".into(),
            labels: &[labels::OK_TO_TEST],
            started: &["pull-job"],
            prune: true,
            ..Default::default()
        },
        CommentCase {
            name: r#"Non-trusted member after "/ok-to-test", needs-ok-to-test label wasn't deleted."#,
            commenter: "random",
            body: "/test all".into(),
            labels: &[labels::NEEDS_OK_TO_TEST, labels::OK_TO_TEST],
            removed: &[labels::NEEDS_OK_TO_TEST],
            started: &["pull-job"],
            prune: true,
            ..Default::default()
        },
        CommentCase {
            name: "Trusted member's ok to test, IgnoreOkToTest",
            body: "/ok-to-test".into(),
            plugins: "triggers:\n- repos: [org]\n  ignore_ok_to_test: true\n",
            ..Default::default()
        },
        CommentCase {
            name: "Trusted member's ok to test",
            body: "looks great, thanks!\n/ok-to-test".into(),
            added: &[labels::OK_TO_TEST],
            started: &["pull-job"],
            ..Default::default()
        },
        CommentCase {
            name: "Trusted member's ok to test, trailing space.",
            body: "looks great, thanks!\n/ok-to-test \r".into(),
            added: &[labels::OK_TO_TEST],
            started: &["pull-job"],
            ..Default::default()
        },
        CommentCase {
            name: "Collaborator's ok to test removes needs-ok-to-test",
            commenter: "carol",
            body: "/ok-to-test".into(),
            labels: &[labels::NEEDS_OK_TO_TEST],
            added: &[labels::OK_TO_TEST],
            removed: &[labels::NEEDS_OK_TO_TEST],
            started: &["pull-job"],
            ..Default::default()
        },
        CommentCase {
            name: "Trusted member's not ok to test.",
            body: "not /ok-to-test".into(),
            ..Default::default()
        },
        CommentCase {
            name: "Trusted member's ok to test cancel",
            body: "/ok-to-test cancel".into(),
            labels: &[labels::OK_TO_TEST],
            removed: &[labels::OK_TO_TEST],
            added: &[labels::NEEDS_OK_TO_TEST],
            ..Default::default()
        },
        CommentCase {
            name: "Untrusted user cannot cancel ok to test",
            commenter: "random",
            body: "/ok-to-test cancel".into(),
            labels: &[labels::OK_TO_TEST],
            reply: Some("Only trusted users can revoke `/ok-to-test`.".into()),
            ..Default::default()
        },
        CommentCase {
            name: "Trusted member's test this.",
            body: "/test all".into(),
            started: &["pull-job"],
            prune: true,
            ..Default::default()
        },
        CommentCase {
            name: "Unmergeable PR starts nothing",
            body: "/test all".into(),
            unmergeable: true,
            prune: true,
            ..Default::default()
        },
        CommentCase {
            name: "Wrong branch",
            body: "/test all".into(),
            base: "other",
            reply: Some(format!("{THERE_ARE_NO_TEST_ALL_JOBS_NOTE}The following commands are available to trigger required jobs:\n```\n/test jib\n```\n\n")),
            ..Default::default()
        },
        CommentCase {
            name: "Retest with one running and one failed",
            body: "/retest".into(),
            started: &["pull-jib"],
            prune: true,
            ..Default::default()
        },
        CommentCase {
            name: "Retest with one running and one failed, trailing space.",
            body: "/retest \r".into(),
            started: &["pull-jib"],
            prune: true,
            ..Default::default()
        },
        CommentCase {
            name: "Retest on its own line only: indented is not the command",
            body: "  /retest".into(),
            ..Default::default()
        },
        CommentCase {
            name: "test of silly regex job",
            body: "Nice weather outside, right?".into(),
            presubmits: &["name: jab, branches: [master], context: pull-jab, trigger: 'Nice weather outside, right?', rerun_command: 'Nice weather outside, right?'"],
            started: &["pull-jab"],
            ..Default::default()
        },
        CommentCase {
            name: "needs-ok-to-test label is removed when no presubmit runs by default",
            body: "/ok-to-test".into(),
            presubmits: &[
                "name: job, context: pull-job, trigger: '(?m)^/test (?:.*? )?job(?: .*?)?$', rerun_command: /test job",
                "name: jib, context: pull-jib, trigger: '(?m)^/test (?:.*? )?jib(?: .*?)?$', rerun_command: /test jib",
            ],
            labels: &[labels::NEEDS_OK_TO_TEST],
            added: &[labels::OK_TO_TEST],
            removed: &[labels::NEEDS_OK_TO_TEST],
            ..Default::default()
        },
        CommentCase {
            name: "Wrong branch w/ SkipReport",
            body: "/test all".into(),
            base: "other",
            presubmits: &["name: job, always_run: true, skip_report: true, context: pull-job, trigger: '(?m)^/test (?:.*? )?job(?: .*?)?$', rerun_command: /test job, branches: [master]"],
            reply: Some("No presubmit jobs available for org/repo@other".into()),
            ..Default::default()
        },
        CommentCase {
            name: "Retest of run_if_changed job that hasn't run. Changes require job",
            body: "/retest".into(),
            presubmits: jab_rif,
            started: &["pull-jab"],
            prune: true,
            ..Default::default()
        },
        CommentCase {
            name: "Retest of skip_if_only_changed job that hasn't run. Changes require job",
            body: "/retest".into(),
            presubmits: jab_sioc,
            started: &["pull-jab"],
            prune: true,
            ..Default::default()
        },
        CommentCase {
            name: "Retest of run_if_changed job that failed. Changes require job",
            body: "/retest".into(),
            presubmits: &["name: jib, run_if_changed: CHANGED, context: pull-jib, trigger: '(?m)^/test (?:.*? )?jib(?: .*?)?$', rerun_command: /test jib"],
            started: &["pull-jib"],
            prune: true,
            ..Default::default()
        },
        CommentCase {
            name: "Retest of skip_if_only_changed job that failed. Changes require job",
            body: "/retest".into(),
            presubmits: &["name: jib, skip_if_only_changed: CHANGED2, context: pull-jib, trigger: '(?m)^/test (?:.*? )?jib(?: .*?)?$', rerun_command: /test jib"],
            started: &["pull-jib"],
            prune: true,
            ..Default::default()
        },
        CommentCase {
            name: "/test of run_if_changed job that has passed",
            body: "/test jub".into(),
            presubmits: &["name: jub, run_if_changed: CHANGED, context: pull-jub, trigger: '(?m)^/test (?:.*? )?jub(?: .*?)?$', rerun_command: /test jub"],
            started: &["pull-jub"],
            prune: true,
            ..Default::default()
        },
        CommentCase {
            name: "/test of skip_if_only_changed job that has passed",
            body: "/test jub".into(),
            presubmits: &["name: jub, skip_if_only_changed: CHANGED2, context: pull-jub, trigger: '(?m)^/test (?:.*? )?jub(?: .*?)?$', rerun_command: /test jub"],
            started: &["pull-jub"],
            prune: true,
            ..Default::default()
        },
        CommentCase {
            name: "Retest triggers failed job",
            body: "/retest".into(),
            presubmits: &["name: jib, context: pull-jib, trigger: '(?m)^/test (?:.*? )?jib(?: .*?)?$', rerun_command: /test jib"],
            started: &["pull-jib"],
            prune: true,
            ..Default::default()
        },
        CommentCase {
            name: "Retest triggers failed job that is optional",
            body: "/retest".into(),
            presubmits: &["name: jib, optional: true, context: pull-jib, trigger: '(?m)^/test (?:.*? )?jib(?: .*?)?$', rerun_command: /test jib"],
            started: &["pull-jib"],
            prune: true,
            ..Default::default()
        },
        CommentCase {
            name: "Retest-Required triggers failed required job",
            body: "/retest-required".into(),
            presubmits: &["name: jib, context: pull-jib, trigger: '(?m)^/test (?:.*? )?jib(?: .*?)?$', rerun_command: /test jib"],
            started: &["pull-jib"],
            prune: true,
            ..Default::default()
        },
        CommentCase {
            name: "Retest-Required doesn't trigger failed job that is optional",
            body: "/retest-required".into(),
            presubmits: &["name: jib, optional: true, context: pull-jib, trigger: '(?m)^/test (?:.*? )?jib(?: .*?)?$', rerun_command: /test jib"],
            prune: true,
            ..Default::default()
        },
        CommentCase {
            name: "Test-Manual-Required triggers missing required manual job",
            body: "/test-manual-required".into(),
            presubmits: &["name: jab, context: pull-jab, trigger: '(?m)^/test (?:.*? )?jab(?: .*?)?$', rerun_command: /test jab"],
            started: &["pull-jab"],
            prune: true,
            ..Default::default()
        },
        CommentCase {
            name: "Test-Manual-Required doesn't trigger missing optional job",
            body: "/test-manual-required".into(),
            presubmits: &["name: jab, optional: true, context: pull-jab, trigger: '(?m)^/test (?:.*? )?jab(?: .*?)?$', rerun_command: /test jab"],
            prune: true,
            ..Default::default()
        },
        CommentCase {
            name: "Test-Manual-Required does not trigger always_run or conditional jobs",
            body: "/test-manual-required".into(),
            presubmits: &[
                "name: always-run, always_run: true, context: pull-always-run, trigger: '(?m)^/test (?:.*? )?always-run(?: .*?)?$', rerun_command: /test always-run",
                "name: conditional, run_if_changed: CHANGED, context: pull-conditional, trigger: '(?m)^/test (?:.*? )?conditional(?: .*?)?$', rerun_command: /test conditional",
            ],
            prune: true,
            ..Default::default()
        },
        CommentCase {
            name: "Retest of run_if_changed job that failed. Changes do not require the job",
            body: "/retest".into(),
            presubmits: &["name: jib, run_if_changed: CHANGED2, context: pull-jib, trigger: '(?m)^/test (?:.*? )?jib(?: .*?)?$', rerun_command: /test jib"],
            started: &["pull-jib"],
            prune: true,
            ..Default::default()
        },
        CommentCase {
            name: "Retest of skip_if_only_changed job that failed. Changes do not require the job",
            body: "/retest".into(),
            presubmits: &["name: jib, skip_if_only_changed: CHANGED, context: pull-jib, trigger: '(?m)^/test (?:.*? )?jib(?: .*?)?$', rerun_command: /test jib"],
            started: &["pull-jib"],
            prune: true,
            ..Default::default()
        },
        CommentCase {
            name: "Run if changed job triggered by /ok-to-test",
            body: "/ok-to-test".into(),
            presubmits: &["name: jab, run_if_changed: CHANGED, context: pull-jab, trigger: '(?m)^/test (?:.*? )?jab(?: .*?)?$', rerun_command: /test jab"],
            labels: &[labels::NEEDS_OK_TO_TEST],
            added: &[labels::OK_TO_TEST],
            removed: &[labels::NEEDS_OK_TO_TEST],
            started: &["pull-jab"],
            ..Default::default()
        },
        CommentCase {
            name: "Run if non-skipped job triggered by /ok-to-test",
            body: "/ok-to-test".into(),
            presubmits: &["name: jab, skip_if_only_changed: CHANGED2, context: pull-jab, trigger: '(?m)^/test (?:.*? )?jab(?: .*?)?$', rerun_command: /test jab"],
            labels: &[labels::NEEDS_OK_TO_TEST],
            added: &[labels::OK_TO_TEST],
            removed: &[labels::NEEDS_OK_TO_TEST],
            started: &["pull-jab"],
            ..Default::default()
        },
        CommentCase {
            name: "/test of branch-sharded job",
            body: "/test jab".into(),
            presubmits: &[
                "name: jab, branches: [master], context: pull-jab, trigger: '(?m)^/test (?:.*? )?jab(?: .*?)?$', rerun_command: /test jab",
                "name: jab, branches: [release], context: pull-jab, trigger: '(?m)^/test (?:.*? )?jab(?: .*?)?$', rerun_command: /test jab",
            ],
            started: &["pull-jab"],
            prune: true,
            ..Default::default()
        },
        CommentCase {
            name: "branch-sharded job. no shard matches base branch",
            body: "/test jab".into(),
            base: "branch",
            presubmits: &[
                "name: jab, branches: [master], context: pull-jab, trigger: '(?m)^/test (?:.*? )?jab(?: .*?)?$', rerun_command: /test jab",
                "name: jab, branches: [release], context: pull-jab, trigger: '(?m)^/test (?:.*? )?jab(?: .*?)?$', rerun_command: /test jab",
            ],
            reply: Some("No presubmit jobs available for org/repo@branch".into()),
            ..Default::default()
        },
        CommentCase {
            name: "/retest of RunIfChanged job that doesn't need to run and hasn't run",
            body: "/retest".into(),
            presubmits: &["name: jeb, run_if_changed: CHANGED2, context: pull-jeb, trigger: '(?m)^/test (?:.*? )?jeb(?: .*?)?$', rerun_command: /test jeb"],
            prune: true,
            ..Default::default()
        },
        CommentCase {
            name: "/retest of SkipIfOnlyChanged job that doesn't need to run and hasn't run",
            body: "/retest".into(),
            presubmits: &["name: jeb, skip_if_only_changed: CHANGED, context: pull-jeb, trigger: '(?m)^/test (?:.*? )?jeb(?: .*?)?$', rerun_command: /test jeb"],
            prune: true,
            ..Default::default()
        },
        CommentCase {
            name: "explicit /test for RunIfChanged job that doesn't need to run",
            body: "/test pull-jeb".into(),
            presubmits: &["name: jeb, run_if_changed: CHANGED2, context: pull-jeb, trigger: '(?m)^/test (?:.*? )?jeb(?: .*?)?$', rerun_command: /test jeb"],
            reply: Some(format!("{TARGET_NOT_FOUND_NOTE}The following commands are available to trigger required jobs:\n```\n/test jeb\n```\n\n")),
            ..Default::default()
        },
        CommentCase {
            name: "explicit /test for SkipIfOnlyChanged job that doesn't need to run",
            body: "/test pull-jeb".into(),
            presubmits: &["name: jeb, skip_if_only_changed: CHANGED, context: pull-jeb, trigger: '(?m)^/test (?:.*? )?jeb(?: .*?)?$', rerun_command: /test jeb"],
            reply: Some(format!("{TARGET_NOT_FOUND_NOTE}The following commands are available to trigger required jobs:\n```\n/test jeb\n```\n\n")),
            ..Default::default()
        },
        CommentCase {
            name: "/test all of run_if_changed job that has passed and needs to run",
            body: "/test all".into(),
            presubmits: &["name: jub, run_if_changed: CHANGED, context: pull-jub, trigger: '(?m)^/test (?:.*? )?jub(?: .*?)?$', rerun_command: /test jub"],
            started: &["pull-jub"],
            prune: true,
            ..Default::default()
        },
        CommentCase {
            name: "/test all of skip_if_only_changed job that has passed and needs to run",
            body: "/test all".into(),
            presubmits: &["name: jub, skip_if_only_changed: CHANGED2, context: pull-jub, trigger: '(?m)^/test (?:.*? )?jub(?: .*?)?$', rerun_command: /test jub"],
            started: &["pull-jub"],
            prune: true,
            ..Default::default()
        },
        CommentCase {
            name: "/test all of run_if_changed job that has passed and doesn't need to run",
            body: "/test all".into(),
            presubmits: &["name: jub, run_if_changed: CHANGED2, context: pull-jub, trigger: '(?m)^/test (?:.*? )?jub(?: .*?)?$', rerun_command: /test jub"],
            reply: Some(format!("{THERE_ARE_NO_TEST_ALL_JOBS_NOTE}The following commands are available to trigger required jobs:\n```\n/test jub\n```\n\n")),
            ..Default::default()
        },
        CommentCase {
            name: "/test all of skip_if_only_changed job that has passed and doesn't need to run",
            body: "/test all".into(),
            presubmits: &["name: jub, skip_if_only_changed: CHANGED, context: pull-jub, trigger: '(?m)^/test (?:.*? )?jub(?: .*?)?$', rerun_command: /test jub"],
            reply: Some(format!("{THERE_ARE_NO_TEST_ALL_JOBS_NOTE}The following commands are available to trigger required jobs:\n```\n/test jub\n```\n\n")),
            ..Default::default()
        },
        CommentCase {
            name: "accept /test all from trusted user",
            pr_author: "alice",
            body: "/test all".into(),
            started: &["pull-job"],
            prune: true,
            ..Default::default()
        },
        CommentCase {
            name: r#"Non-trusted member after "/lgtm" and "/approve""#,
            commenter: "random",
            pr_author: "random",
            body: "/retest".into(),
            labels: &[labels::LGTM, labels::APPROVED],
            reply: Some(untrusted.into()),
            ..Default::default()
        },
        CommentCase {
            name: r#"help command "/test ?" lists available presubmits"#,
            body: "/test ?".into(),
            presubmits: &[
                "name: job, always_run: true, context: pull-job, trigger: '(?m)^/test (?:.*? )?job(?: .*?)?$', rerun_command: /test job",
                "name: jib, always_run: true, context: pull-jib, trigger: '(?m)^/test (?:.*? )?jib(?: .*?)?$', rerun_command: /test jib",
            ],
            reply: Some(format!("{HELP_COMMENT}Use `/test all` to run all jobs.\n")),
            ..Default::default()
        },
        CommentCase {
            name: r#"ignore "/test ?" in code block"#,
            body: code_block("/test ?", false),
            ..Default::default()
        },
        CommentCase {
            name: r#"help command "/test ?" uses unique RerunCommand field of presubmits"#,
            body: "/test ?".into(),
            presubmits: &[
                "name: jub, always_run: true, context: pull-jub, trigger: /rerun_command, rerun_command: /rerun_command",
                "name: jib, always_run: true, context: pull-jib, trigger: /command_foo, rerun_command: /command_foo",
                "name: jab, context: pull-jab, trigger: /rerun_command, rerun_command: /rerun_command",
            ],
            reply: Some("The following commands are available to trigger required jobs:\n```\n/command_foo\n```\n```\n/rerun_command\n```\n\nUse `/test all` to run all jobs.\n".into()),
            ..Default::default()
        },
        CommentCase {
            name: "/test with no target results in a help message",
            body: "/test".into(),
            reply: Some(format!("{TEST_WITHOUT_TARGET_NOTE}{HELP_COMMENT}{HELP_TEST_ALL_WITH_JOBS}")),
            ..Default::default()
        },
        CommentCase {
            name: "ignore `/test` with no target in a code block",
            body: "```\n/test\n```".into(),
            ..Default::default()
        },
        CommentCase {
            name: "ignore `/test` with no target in a tilde code block",
            body: "~~~\n/test\n~~~".into(),
            ..Default::default()
        },
        CommentCase {
            name: "/test with no target but ? in the next line results in an invalid test command message",
            body: "/test \r\n?".into(),
            reply: Some(format!("{TEST_WITHOUT_TARGET_NOTE}{HELP_COMMENT}{HELP_TEST_ALL_WITH_JOBS}")),
            ..Default::default()
        },
        CommentCase {
            name: "/retest with trailing words results in a help message",
            body: "/retest FOO".into(),
            reply: Some(format!("{RETEST_WITH_TARGET_NOTE}{HELP_COMMENT}{HELP_TEST_ALL_WITH_JOBS}")),
            ..Default::default()
        },
        CommentCase {
            name: "/retest with trailing words in a code block",
            body: code_block("/retest FOO", false),
            ..Default::default()
        },
        CommentCase {
            name: "/retest without target but with lines following it, is valid",
            body: "/retest \r\n/other-command".into(),
            started: &["pull-jib"],
            prune: true,
            ..Default::default()
        },
        CommentCase {
            name: "/test with unknown target results in a help message",
            body: "/test FOO".into(),
            reply: Some(format!("{TARGET_NOT_FOUND_NOTE}{HELP_COMMENT}{HELP_TEST_ALL_WITH_JOBS}")),
            ..Default::default()
        },
        CommentCase {
            name: "/test with unknown target in code block. Should be ignored",
            body: code_block("/test FOO", false),
            ..Default::default()
        },
        CommentCase {
            name: "two `/test` with unknown target. One in a code block, and one is not.",
            body: code_block("/test FOO", true) + "/test BAR",
            reply: Some(format!("{TARGET_NOT_FOUND_NOTE}{HELP_COMMENT}{HELP_TEST_ALL_WITH_JOBS}")),
            ..Default::default()
        },
        CommentCase {
            name: "two `/test` with unknown target. One out of a code block, and one is inside.",
            body: "/test FOO\n".to_owned() + &code_block("/test BAR", false),
            reply: Some(format!("{TARGET_NOT_FOUND_NOTE}{HELP_COMMENT}{HELP_TEST_ALL_WITH_JOBS}")),
            ..Default::default()
        },
        CommentCase {
            name: "multiple code blocks; should be ignored.",
            body: code_block("/test FOO", true)
                + &code_block("/test BAR", true)
                + &code_block("/test BAZ", false),
            ..Default::default()
        },
        CommentCase {
            name: "/test mixed with multiple code blocks; should be ignored.",
            body: code_block("/test FOO", true)
                + &code_block("/test BAR", true)
                + "/test BAZ\n"
                + "Will trigger the help message.\n"
                + &code_block("/test QUX", false),
            reply: Some(format!("{TARGET_NOT_FOUND_NOTE}{HELP_COMMENT}{HELP_TEST_ALL_WITH_JOBS}")),
            ..Default::default()
        },
        CommentCase {
            name: "a job's command in a code block does not start it",
            body: code_block("/test jib", false),
            ..Default::default()
        },
        CommentCase {
            name: "help comment should list only eligible jobs under '/test all'",
            body: "/test ?".into(),
            presubmits: &[
                "name: job, always_run: true, context: pull-job, trigger: '(?m)^/test job$', rerun_command: /test job",
                "name: jib, context: pull-jib, trigger: '(?m)^/test (?:.*? )?jib(?: .*?)?$', rerun_command: /test jib",
            ],
            reply: Some(format!("{HELP_COMMENT}{HELP_TEST_ALL_WITH_JOBS}")),
            ..Default::default()
        },
        CommentCase {
            name: "when no jobs can be run with /test all, respond accordingly",
            body: "/test all".into(),
            presubmits: &[
                "name: job, context: pull-job, trigger: '(?m)^/test job$', rerun_command: /test job",
                "name: jib, context: pull-jib, trigger: '(?m)^/test jib$', rerun_command: /test jib",
            ],
            reply: Some(format!("{THERE_ARE_NO_TEST_ALL_JOBS_NOTE}{HELP_COMMENT}")),
            ..Default::default()
        },
        CommentCase {
            name: "when no jobs can be run with /test all, ignore if inside a code block",
            body: code_block("/test all", false),
            presubmits: &[
                "name: job, context: pull-job, trigger: '(?m)^/test job$', rerun_command: /test job",
                "name: jib, context: pull-jib, trigger: '(?m)^/test jib$', rerun_command: /test jib",
            ],
            ..Default::default()
        },
        CommentCase {
            name: "available presubmits should not list those excluded by branch",
            body: "/test ?".into(),
            presubmits: &[
                "name: job-excluded-by-brancher, skip_branches: [master], always_run: true, context: pull-job-excluded-by-brancher, trigger: '(?m)^/test job-excluded$', rerun_command: /test job-excluded",
                "name: job, always_run: true, context: pull-job, trigger: '(?m)^/test job$', rerun_command: /test job",
                "name: jib, context: pull-jib, trigger: '(?m)^/test (?:.*? )?jib(?: .*?)?$', rerun_command: /test jib",
            ],
            reply: Some(format!("{HELP_COMMENT}{HELP_TEST_ALL_WITH_JOBS}")),
            ..Default::default()
        },
        CommentCase {
            name: r#"help command "/test ?" differs between optional and required jobs"#,
            body: "/test ?".into(),
            presubmits: &[
                "name: job, always_run: true, context: pull-job, trigger: '(?m)^/test (?:.*? )?job(?: .*?)?$', rerun_command: /test job",
                "name: jib, always_run: true, context: pull-jib, trigger: '(?m)^/test (?:.*? )?jib(?: .*?)?$', rerun_command: /test jib",
                "name: jub, always_run: true, optional: true, context: pull-jub, trigger: '(?m)^/test (?:.*? )?jub(?: .*?)?$', rerun_command: /test jub",
            ],
            reply: Some(format!("{HELP_COMMENT}The following commands are available to trigger optional jobs:\n```\n/test jub\n```\n\nUse `/test all` to run all jobs.\n")),
            ..Default::default()
        },
        CommentCase {
            name: "default job triggers: /test <name> starts that job only",
            body: "/test lint".into(),
            presubmits: &["name: unit, always_run: true", "name: lint"],
            started: &["lint"],
            prune: true,
            ..Default::default()
        },
        CommentCase {
            name: "/test all respects run_if_changed",
            body: "/test all".into(),
            presubmits: &[
                "name: changed, run_if_changed: '^CHANGED$'",
                "name: untouched, run_if_changed: '^docs/'",
                "name: always, always_run: true",
                "name: manual",
            ],
            started: &["always", "changed"],
            prune: true,
            ..Default::default()
        },
    ];
    for case in &cases {
        run_comment_case(case).await;
    }
}

// ---------------------------------------------------------------------------
// Pushes
// ---------------------------------------------------------------------------

#[tokio::test]
async fn pushes_start_matching_postsubmits() {
    struct Case {
        name: &'static str,
        branch: &'static str,
        files: &'static [&'static str],
        delete: bool,
        scheduler: bool,
        started: &'static [&'static str],
    }
    let cases = [
        Case {
            name: "branch deleted",
            branch: "salt",
            files: &[],
            delete: true,
            scheduler: false,
            started: &[],
        },
        Case {
            name: "no matching files",
            branch: "master",
            files: &["example.txt"],
            delete: false,
            scheduler: false,
            started: &[],
        },
        Case {
            name: "one matching file",
            branch: "master",
            files: &["example.txt", "hack.sh"],
            delete: false,
            scheduler: false,
            started: &["pass-butter"],
        },
        Case {
            name: "no change matcher",
            branch: "salt",
            files: &["example.txt"],
            delete: false,
            scheduler: false,
            started: &["pass-salt"],
        },
        Case {
            name: "branch name with a slash",
            branch: "release/v1.14",
            files: &["hack.sh"],
            delete: false,
            scheduler: false,
            started: &["pass-pepper"],
        },
        Case {
            name: "Create job in scheduling state",
            branch: "salt",
            files: &["example.txt"],
            delete: false,
            scheduler: true,
            started: &["pass-salt"],
        },
    ];
    for case in cases {
        let mut h = Harness::new();
        let config = if case.scheduler {
            "prowjob_namespace: prowjobs\nscheduler:\n  enabled: true\n"
        } else {
            "prowjob_namespace: prowjobs\n"
        };
        h.set_config_yaml(
            config,
            Some(&jobs_yaml(
                &[],
                &[
                    "name: pass-butter, run_if_changed: '\\.sh$', branches: [master]",
                    "name: pass-salt, branches: [salt]",
                    "name: pass-pepper, branches: [release/v1.14]",
                ],
            )),
        );
        let sha = if case.delete {
            h.sim
                .create_branch_as("admin", &h.repo, case.branch, "master")
                .unwrap();
            h.forget();
            h.sim
                .delete_ref_as("admin", &h.repo, &format!("heads/{}", case.branch))
                .unwrap();
            String::new()
        } else {
            let mut files = Files::new();
            for file in case.files {
                files = files.put(*file, "x");
            }
            h.sim
                .push_as("alice", &h.repo, case.branch, files, "change")
                .unwrap()
        };
        h.deliver_ok(&Trigger).await;
        let jobs = stored_jobs(&h).await;
        let names: Vec<&str> = jobs.iter().map(|pj| pj.spec.job.as_str()).collect();
        assert_eq!(names, case.started, "{}", case.name);
        for pj in &jobs {
            let refs = pj.spec.refs.as_ref().unwrap();
            assert_eq!(
                pj.spec.type_,
                Some(ProwJobType::Postsubmit),
                "{}",
                case.name
            );
            assert_eq!(pj.metadata.namespace, "prowjobs", "{}", case.name);
            assert_eq!(refs.org, "org", "{}", case.name);
            assert_eq!(refs.repo, "repo", "{}", case.name);
            assert_eq!(refs.base_ref, case.branch, "{}", case.name);
            assert_eq!(refs.base_sha, sha, "{}", case.name);
            assert!(refs.pulls.is_empty(), "{}", case.name);
            assert!(
                !pj.metadata.labels[EVENT_GUID_LABEL].is_empty(),
                "{}",
                case.name
            );
            let state = if case.scheduler {
                ProwJobState::Scheduling
            } else {
                ProwJobState::Triggered
            };
            assert_eq!(pj.status.state, Some(state), "{}", case.name);
        }
        assert!(h.bot_calls().is_empty(), "{}", case.name);
    }
}

#[test]
fn push_changed_files_lists_each_file_once() {
    let pe: prow_core::event::PushEvent = serde_json::from_value(serde_json::json!({
        "ref": "refs/heads/master",
        "commits": [
            {"added": ["b.txt"], "modified": ["a.sh"], "removed": []},
            {"added": [], "modified": ["b.txt"], "removed": ["c.go"]},
        ],
    }))
    .unwrap();
    assert_eq!(push_changed_files(&pe), ["a.sh", "b.txt", "c.go"]);
}

// ---------------------------------------------------------------------------
// Creating ProwJobs
// ---------------------------------------------------------------------------

/// A store that refuses the first `failures` creations, or every creation of `job`.
struct FlakyStore {
    inner: prow_jobs::store::MemoryStore,
    failures: AtomicU32,
    failing_job: Option<&'static str>,
}

#[async_trait]
impl JobStore for FlakyStore {
    async fn create(&self, job: ProwJob) -> Result<ProwJob, StoreError> {
        if self.failing_job == Some(job.spec.job.as_str()) {
            return Err(StoreError::Backend("failed to create job".into()));
        }
        let left = self.failures.load(Ordering::SeqCst);
        if left > 0 {
            self.failures.store(left - 1, Ordering::SeqCst);
            return Err(StoreError::Backend("need retrying".into()));
        }
        self.inner.create(job).await
    }
    async fn get(&self, name: &str) -> Result<ProwJob, StoreError> {
        self.inner.get(name).await
    }
    async fn list(&self, selector: &JobSelector) -> Result<Vec<ProwJob>, StoreError> {
        self.inner.list(selector).await
    }
    async fn update(&self, job: ProwJob) -> Result<ProwJob, StoreError> {
        self.inner.update(job).await
    }
    async fn delete(&self, name: &str) -> Result<(), StoreError> {
        self.inner.delete(name).await
    }
    async fn watch(&self) -> Result<Box<dyn JobWatch>, StoreError> {
        self.inner.watch().await
    }
}

fn flaky(failures: u32, failing_job: Option<&'static str>) -> FlakyStore {
    FlakyStore {
        inner: prow_jobs::store::MemoryStore::new(),
        failures: AtomicU32::new(failures),
        failing_job,
    }
}

#[tokio::test(start_paused = true)]
async fn create_with_retry_backs_off_then_gives_up() {
    for (name, failures, ok) in [
        ("Initial success", 0, true),
        ("Success after retry", 7, true),
        ("Failure", 8, false),
    ] {
        let store = flaky(failures, None);
        let pj = presubmit_job("foo", 1, ProwJobState::Triggered, false);
        let result = create_with_retry(&store, pj).await;
        assert_eq!(result.is_ok(), ok, "{name}: {result:?}");
        if let Err(error) = result {
            assert_eq!(error.to_string(), "job store: need retrying", "{name}");
        }
        let stored = store.list(&JobSelector::default()).await.unwrap();
        assert_eq!(stored.len(), usize::from(ok), "{name}");
    }
    // A job stored by an earlier try that reported failure counts as created.
    let store = flaky(0, None);
    let pj = presubmit_job("foo", 1, ProwJobState::Triggered, false);
    store.create(pj.clone()).await.unwrap();
    assert!(create_with_retry(&store, pj).await.is_ok());
}

#[tokio::test(start_paused = true)]
async fn run_requested_starts_the_rest_when_one_job_fails() {
    struct Case {
        name: &'static str,
        failing: Option<&'static str>,
        mergeable: Option<bool>,
        created: &'static [&'static str],
        error: bool,
    }
    let cases = [
        Case {
            name: "disjoint sets of jobs get triggered",
            failing: None,
            mergeable: None,
            created: &["first", "second"],
            error: false,
        },
        Case {
            name: "failure on job creation bubbles up but doesn't stop others from starting",
            failing: Some("first"),
            mergeable: Some(true),
            created: &["second"],
            error: true,
        },
        Case {
            name: "no errors and unmergable PR means we should see no trigger",
            failing: None,
            mergeable: Some(false),
            created: &[],
            error: false,
        },
    ];
    for case in cases {
        let mut h = Harness::new();
        h.set_config_yaml("", Some(&jobs_yaml(&["name: first", "name: second"], &[])));
        let pr = h.open_pr("alice", "change", Files::new().put("a", "b"));
        let mut pull = h.sim.pull_request(&h.repo, pr).unwrap();
        pull.mergeable = case.mergeable;
        let store = Arc::new(flaky(0, case.failing));
        let mut ctx = h.context();
        ctx.jobs = store.clone() as Arc<dyn JobStore>;
        let jobs: Vec<&Presubmit> = ctx.config.jobs.presubmits_for("org/repo").iter().collect();
        let result = run_requested(&ctx, &pull, "base", &jobs, "guid", &BTreeMap::new()).await;
        assert_eq!(result.is_err(), case.error, "{}", case.name);
        let mut names: Vec<String> = store
            .list(&JobSelector::default())
            .await
            .unwrap()
            .into_iter()
            .map(|pj| pj.spec.job)
            .collect();
        names.sort();
        assert_eq!(names, case.created, "{}", case.name);
        if let Ok(created) = result {
            assert_eq!(created.len(), case.created.len(), "{}", case.name);
        }
    }
}

// ---------------------------------------------------------------------------
// Help
// ---------------------------------------------------------------------------

#[test]
fn help_names_the_trusted_org_of_each_repo() {
    let plugins = PluginsConfig::load(
        "triggers:\n- repos: [org2/repo]\n  trusted_org: org2\n  join_org_url: https://join.me\n  only_org_members: true\n  ignore_ok_to_test: true\n- repos: [org3]\n  trusted_org: kubernetes\n",
    )
    .unwrap();
    let repos = [
        RepoName::new("org1", "repo"),
        RepoName::new("org2", "repo"),
        RepoName::new("org3", "repo"),
    ];
    let help = Trigger.help_for(&plugins, &repos);
    assert_eq!(
        help.config["org1/repo"],
        "The trusted GitHub organization for this repository is \"org1\"."
    );
    assert_eq!(
        help.config["org2/repo"],
        "The trusted GitHub organization for this repository is \"org2\"."
    );
    assert_eq!(
        help.config["org3/repo"],
        "The trusted GitHub organization for this repository is \"kubernetes\"."
    );
    let usages: Vec<&str> = help.commands.iter().map(|c| c.usage.as_str()).collect();
    assert_eq!(
        usages,
        [
            "/ok-to-test",
            "/ok-to-test cancel",
            "/test [<job name>|all]",
            "/retest",
            "/test-manual-required",
            "/test ?",
        ]
    );
    assert!(
        help.description
            .starts_with("The trigger plugin starts jobs")
    );
}

#[test]
fn help_comments_are_recognised_for_pruning() {
    assert!(is_help_comment(STALE_HELP));
    assert!(is_help_comment(&help_message(
        "o",
        "r",
        "b",
        "",
        &prow_core::config::selection::AvailablePresubmits {
            optional_commands: ["/test x".to_owned()].into(),
            ..Default::default()
        }
    )));
    assert!(!is_help_comment("/test all"));
    assert_eq!(
        should_respond_with_help("/test all", 0),
        Some(THERE_ARE_NO_TEST_ALL_JOBS_NOTE)
    );
    assert_eq!(should_respond_with_help("/test all", 1), None);
    assert_eq!(should_respond_with_help("/test ?", 1), Some(""));
}

#[tokio::test]
async fn ok_to_test_label_added_by_the_bot_starts_nothing_more() {
    let mut h = Harness::new();
    h.set_config_yaml("", Some(&jobs_yaml(&["name: unit, always_run: true"], &[])));
    let pr = h.open_pr("random", "change", Files::new().put("a", "b"));
    h.sim
        .add_label_as("admin", &h.repo, pr, labels::NEEDS_OK_TO_TEST)
        .unwrap();
    h.forget();
    h.sim
        .comment_as("alice", &h.repo, pr, "/ok-to-test")
        .unwrap();
    h.deliver_ok(&Trigger).await;
    assert_eq!(stored_jobs(&h).await.len(), 1);
    assert_eq!(h.labels(pr), [labels::OK_TO_TEST]);
    // The labelled and unlabelled webhooks the bot caused start no second run.
    h.deliver_ok(&Trigger).await;
    assert_eq!(stored_jobs(&h).await.len(), 1);
    assert_eq!(
        h.bot_actions(),
        [
            ("add_label".to_owned(), labels::OK_TO_TEST.to_owned()),
            (
                "remove_label".to_owned(),
                labels::NEEDS_OK_TO_TEST.to_owned()
            ),
        ]
    );
}

/// Each quirk of upstream's trigger patterns, as the [`Command`] declarations reproduce them;
/// every case is also checked against upstream's pattern itself (the pjutil ones in
/// `prow_core::config::selection`, which the presubmit filter still uses).
#[test]
fn commands_read_comments_as_upstream_patterns_do() {
    use prow_core::config::go_regex::go_regex;
    use prow_core::config::selection as pjutil;

    let upstream = |pattern: &str| {
        let re = go_regex(pattern).expect("upstream pattern");
        move |text: &str| re.is_match(text)
    };
    /// Whether upstream's pattern matches a comment without its code blocks.
    type Upstream = Box<dyn Fn(&str) -> bool>;
    let commands: [(&str, &Command, Upstream); 11] = [
        ("ok-to-test", &OK_TO_TEST, Box::new(pjutil::is_ok_to_test)),
        (
            "ok-to-test cancel",
            &OK_TO_TEST_CANCEL,
            Box::new(pjutil::is_ok_to_test_cancel),
        ),
        ("retest", &RETEST, Box::new(pjutil::is_retest)),
        (
            "retest-required",
            &RETEST_REQUIRED,
            Box::new(pjutil::is_retest_required),
        ),
        (
            "test-manual-required",
            &TEST_MANUAL_REQUIRED,
            Box::new(pjutil::is_test_manual_required),
        ),
        ("test all", &TEST_ALL, Box::new(pjutil::is_test_all)),
        (
            "test ?",
            &TEST_HELP,
            Box::new(upstream(r"(?m)^/test[ \t]*\?\s*$")),
        ),
        (
            "test without target",
            &TEST_WITHOUT_TARGET,
            Box::new(upstream(r"(?m)^/test\s*$")),
        ),
        (
            "test with target",
            &TEST,
            Box::new(upstream(r"(?m)^/test[ \t]+\S+")),
        ),
        (
            "retest with target",
            &RETEST_WITH_TARGET,
            Box::new(upstream(r"(?m)^/retest[ \t]+\S+")),
        ),
        (
            "any test",
            &ANY_TEST,
            Box::new(upstream(r"(?m)^/(?:re)?test\b")),
        ),
    ];
    struct Case {
        name: &'static str,
        body: &'static str,
        /// The commands the body holds.
        want: &'static [&'static str],
    }
    let cases = [
        Case {
            name: "test? asks for the job list without a space",
            body: "/test?",
            want: &["test ?", "any test"],
        },
        Case {
            name: "test ? with spaces and tabs around the question mark",
            body: "/test \t?  ",
            want: &["test ?", "test with target", "any test"],
        },
        Case {
            name: "bare test",
            body: "/test",
            want: &["test without target", "any test"],
        },
        Case {
            name: "bare test with trailing whitespace and CRLF",
            body: "hi\r\n/test  \r\n",
            want: &["test without target", "any test"],
        },
        Case {
            name: "test with a target",
            body: "/test pull-unit",
            want: &["test with target", "any test"],
        },
        Case {
            name: "test all",
            body: "/test all",
            want: &["test all", "test with target", "any test"],
        },
        Case {
            name: "test all with a comma and more words",
            body: "/test all, please",
            want: &["test all", "test with target", "any test"],
        },
        Case {
            name: "test allx is a target, not test all",
            body: "/test allx",
            want: &["test with target", "any test"],
        },
        Case {
            name: "test all needs exactly one space",
            body: "/test  all",
            want: &["test with target", "any test"],
        },
        Case {
            name: "testall is no command",
            body: "/testall",
            want: &[],
        },
        Case {
            name: "any test ends at a word boundary",
            body: "/test-e2e",
            want: &["any test"],
        },
        Case {
            name: "tests is no command",
            body: "/tests",
            want: &[],
        },
        Case {
            name: "retest",
            body: "/retest \r\n",
            want: &["retest", "any test"],
        },
        Case {
            name: "retest with a target",
            body: "/retest pull-unit",
            want: &["retest with target", "any test"],
        },
        Case {
            name: "retest-required is not retest",
            body: "/retest-required",
            want: &["retest-required", "any test"],
        },
        Case {
            name: "test-manual-required is not test",
            body: "/test-manual-required",
            want: &["test-manual-required", "any test"],
        },
        Case {
            name: "ok-to-test",
            body: "/ok-to-test",
            want: &["ok-to-test"],
        },
        Case {
            name: "ok-to-test cancel is not ok-to-test",
            body: "/ok-to-test cancel",
            want: &["ok-to-test cancel"],
        },
        Case {
            name: "ok-to-test cancel takes any spaces and tabs",
            body: "/ok-to-test \t cancel ",
            want: &["ok-to-test cancel"],
        },
        Case {
            name: "ok-to-testing is no command",
            body: "/ok-to-testing",
            want: &[],
        },
        Case {
            name: "commands are case-sensitive",
            body: "/RETEST\n/Test all\n/OK-TO-TEST",
            want: &[],
        },
        Case {
            name: "an indented command is no command",
            body: "  /retest",
            want: &[],
        },
        Case {
            name: "mid-line is no command",
            body: "please /retest",
            want: &[],
        },
        Case {
            name: "a command in a fenced code block is ignored",
            body: "```\n/retest\n/ok-to-test\n```\n~~~\n/test all\n~~~",
            want: &[],
        },
    ];
    for case in cases {
        let text = crate::commands::strip_code_blocks(case.body);
        for (name, command, upstream_matches) in &commands {
            let want = case.want.contains(name);
            assert_eq!(command.is_in(case.body), want, "{}: {name}", case.name);
            assert_eq!(
                upstream_matches(&text),
                want,
                "{}: upstream's {name}",
                case.name
            );
        }
    }
}

// ---------------------------------------------------------------------------
// GitHub Actions workflow runs (`trigger_github_workflows`)
// ---------------------------------------------------------------------------

/// The presubmit of upstream's workflow-run table.
const WORKFLOW_TEST_JOB: &str = "name: test-job, always_run: true, context: pull-test-job, trigger: '(?m)^/test (?:.*? )?test-job(?: .*?)?$', rerun_command: /test test-job";

/// A workflow run to seed: its ID, event, status and conclusion, on the pull request's head
/// unless `elsewhere` puts it on another commit (`"sha"`) or branch (`"branch"`).
#[derive(Clone, Copy)]
struct SeedRun {
    id: u64,
    event: &'static str,
    status: &'static str,
    conclusion: Option<&'static str>,
    elsewhere: &'static str,
}

const fn seed_run(
    id: u64,
    event: &'static str,
    status: &'static str,
    conclusion: Option<&'static str>,
) -> SeedRun {
    SeedRun {
        id,
        event,
        status,
        conclusion,
        elsewhere: "",
    }
}

const fn pending_run(id: u64) -> SeedRun {
    seed_run(id, "pull_request", "action_required", None)
}

/// A pull request by the untrusted `author` with `labels`, `runs` on its head, `test-job`
/// configured, and a `triggers` entry with the two switches; calls and webhooks forgotten.
fn workflow_world(
    trigger_github_workflows: bool,
    ignore_ok_to_test: bool,
    labels: &[&str],
    runs: &[SeedRun],
) -> (Harness, u64) {
    let mut h = Harness::new();
    h.set_config_yaml(
        "prowjob_namespace: prowjobs\n",
        Some(&jobs_yaml(&[WORKFLOW_TEST_JOB], &[])),
    );
    h.set_plugins_yaml(&format!(
        "triggers:\n- repos: [org/repo]\n  trigger_github_workflows: {trigger_github_workflows}\n  ignore_ok_to_test: {ignore_ok_to_test}\n"
    ));
    let pr = h.open_pr("author", "change", Files::new().put("CHANGED", "x"));
    let head = h.sim.pull_request(&h.repo, pr).unwrap().head;
    for run in runs {
        let seeded = WorkflowRun {
            id: run.id,
            name: format!("workflow-{}", run.id),
            status: run.status.to_owned(),
            conclusion: run.conclusion.map(str::to_owned),
            head_sha: if run.elsewhere == "sha" {
                "0123456789012345678901234567890123456789".to_owned()
            } else {
                head.sha.clone()
            },
            head_branch: if run.elsewhere == "branch" {
                "other-branch".to_owned()
            } else {
                head.r#ref.clone()
            },
            event: run.event.to_owned(),
        };
        h.sim.add_workflow_run(&h.repo, seeded).unwrap();
    }
    for label in labels {
        h.sim.add_label_as("admin", &h.repo, pr, label).unwrap();
    }
    h.forget();
    (h, pr)
}

/// The runs the bot approved and those whose failed jobs it re-ran (successfully or not),
/// each sorted; the other calls apart.
fn workflow_calls(calls: &[prow_github::simulator::Call]) -> (Vec<u64>, Vec<u64>) {
    let mut approved = Vec::new();
    let mut rerun = Vec::new();
    for call in calls {
        match call.action {
            Action::ApproveWorkflowRun { run_id } => approved.push(run_id),
            Action::RerunFailedWorkflowJobs { run_id } => rerun.push(run_id),
            _ => {}
        }
    }
    approved.sort_unstable();
    rerun.sort_unstable();
    (approved, rerun)
}

/// The calls that are not about workflow runs, as `(method, argument)`.
fn other_calls(calls: &[prow_github::simulator::Call]) -> Vec<(String, String)> {
    calls
        .iter()
        .filter(|call| {
            !matches!(
                call.action,
                Action::ApproveWorkflowRun { .. } | Action::RerunFailedWorkflowJobs { .. }
            )
        })
        .map(|call| {
            (
                call.method().to_owned(),
                crate::testing::action_argument(&call.action),
            )
        })
        .collect()
}

#[tokio::test]
async fn approve_github_actions_workflow_runs() {
    struct Case {
        name: &'static str,
        body: &'static str,
        commenter: &'static str,
        labels: &'static [&'static str],
        trigger_github_workflows: bool,
        ignore_ok_to_test: bool,
        runs: &'static [SeedRun],
        approved: &'static [u64],
    }
    const BASE: Case = Case {
        name: "",
        body: "/ok-to-test",
        commenter: "alice",
        labels: &[],
        trigger_github_workflows: true,
        ignore_ok_to_test: false,
        runs: &[pending_run(1)],
        approved: &[],
    };
    const TWO_PENDING: &[SeedRun] = &[pending_run(1), pending_run(2)];
    const MIXED: &[SeedRun] = &[
        pending_run(1),
        seed_run(
            2,
            "pull_request_target",
            "completed",
            Some("action_required"),
        ),
        seed_run(3, "workflow_call", "action_required", None),
        seed_run(4, "push", "action_required", None),
        SeedRun {
            elsewhere: "sha",
            ..pending_run(5)
        },
        SeedRun {
            elsewhere: "branch",
            ..pending_run(6)
        },
        seed_run(7, "pull_request", "completed", Some("failure")),
    ];
    let cases = [
        Case {
            name: "/ok-to-test with TriggerGitHubWorkflows enabled - should approve",
            approved: &[1],
            ..BASE
        },
        Case {
            name: "/ok-to-test with TriggerGitHubWorkflows disabled - should not approve",
            trigger_github_workflows: false,
            ..BASE
        },
        Case {
            name: "/test all should not approve workflows",
            body: "/test all",
            ..BASE
        },
        Case {
            name: "/retest should not approve workflows",
            body: "/retest",
            ..BASE
        },
        Case {
            name: "IgnoreOkToTest=true with TriggerGitHubWorkflows=true - should not approve",
            ignore_ok_to_test: true,
            ..BASE
        },
        Case {
            name: "/ok-to-test with multiple pending runs",
            runs: TWO_PENDING,
            approved: &[1, 2],
            ..BASE
        },
        Case {
            name: "/ok-to-test with no pending runs",
            runs: &[],
            ..BASE
        },
        Case {
            name: "only the head's pull_request and pull_request_target runs awaiting approval are approved",
            runs: MIXED,
            approved: &[1, 2],
            ..BASE
        },
        Case {
            name: "/ok-to-test cancel approves nothing",
            body: "/ok-to-test cancel",
            ..BASE
        },
        Case {
            name: "/ok-to-test from an untrusted user on an untrusted PR approves nothing",
            commenter: "random",
            ..BASE
        },
        Case {
            name: "/ok-to-test from an untrusted user on a trusted PR approves, as upstream",
            commenter: "random",
            labels: &[labels::OK_TO_TEST],
            approved: &[1],
            ..BASE
        },
    ];
    for case in cases {
        let name = case.name;
        let (mut h, pr) = workflow_world(
            case.trigger_github_workflows,
            case.ignore_ok_to_test,
            case.labels,
            case.runs,
        );
        h.sim
            .comment_as(case.commenter, &h.repo, pr, case.body)
            .unwrap();
        h.deliver_ok(&Trigger).await;
        let (approved, rerun) = workflow_calls(&h.bot_calls());
        assert_eq!(approved, case.approved, "{name}");
        assert!(rerun.is_empty(), "{name}: {rerun:?}");
        for run in case.runs {
            let now = h.sim.workflow_run(&h.repo, run.id).unwrap();
            let want = if case.approved.contains(&run.id) {
                "queued"
            } else {
                run.status
            };
            assert_eq!(now.status, want, "{name}: run {}", run.id);
        }
    }
}

/// The runs of the re-run table: which the head's failed runs are, by upstream's rules.
const RERUN_RUNS: &[SeedRun] = &[
    seed_run(1, "pull_request", "completed", Some("failure")),
    seed_run(2, "pull_request_target", "completed", Some("cancelled")),
    seed_run(3, "workflow_call", "completed", Some("timed_out")),
    seed_run(4, "pull_request", "completed", Some("success")),
    seed_run(5, "pull_request", "completed", Some("skipped")),
    // Upstream counts only `success` and `skipped` as passed.
    seed_run(6, "pull_request", "completed", Some("neutral")),
    seed_run(7, "pull_request", "in_progress", None),
    SeedRun {
        elsewhere: "sha",
        ..seed_run(8, "pull_request", "completed", Some("failure"))
    },
    SeedRun {
        elsewhere: "branch",
        ..seed_run(9, "pull_request", "completed", Some("failure"))
    },
    seed_run(10, "push", "completed", Some("failure")),
    pending_run(11),
];

/// The runs `/retest` and `/test all` re-run among [`RERUN_RUNS`].
const FAILED_RUNS: &[u64] = &[1, 2, 3, 6];

#[tokio::test]
async fn retest_and_test_all_rerun_failed_github_actions_workflow_runs() {
    struct Case {
        name: &'static str,
        body: &'static str,
        commenter: &'static str,
        trigger_github_workflows: bool,
        rerun: &'static [u64],
        approved: &'static [u64],
        starts_job: bool,
    }
    const BASE: Case = Case {
        name: "",
        body: "/retest",
        commenter: "alice",
        trigger_github_workflows: true,
        rerun: FAILED_RUNS,
        approved: &[],
        starts_job: true,
    };
    let cases = [
        Case {
            name: "/retest re-runs the head's completed runs that did not pass",
            ..BASE
        },
        Case {
            name: "/test all re-runs the head's completed runs that did not pass",
            body: "/test all",
            ..BASE
        },
        Case {
            name: "/retest and /test all together re-run each run once",
            body: "/retest\n/test all",
            ..BASE
        },
        Case {
            name: "/test of one job re-runs nothing",
            body: "/test test-job",
            rerun: &[],
            ..BASE
        },
        Case {
            name: "/retest-required re-runs nothing",
            body: "/retest-required",
            rerun: &[],
            ..BASE
        },
        Case {
            name: "/ok-to-test approves and re-runs nothing",
            body: "/ok-to-test",
            rerun: &[],
            approved: &[11],
            ..BASE
        },
        Case {
            name: "/retest without trigger_github_workflows re-runs nothing",
            trigger_github_workflows: false,
            rerun: &[],
            ..BASE
        },
        Case {
            name: "/retest from an untrusted user on an untrusted PR re-runs nothing",
            commenter: "random",
            rerun: &[],
            starts_job: false,
            ..BASE
        },
    ];
    for case in cases {
        let name = case.name;
        let (mut h, pr) = workflow_world(case.trigger_github_workflows, false, &[], RERUN_RUNS);
        h.sim
            .comment_as(case.commenter, &h.repo, pr, case.body)
            .unwrap();
        h.deliver_ok(&Trigger).await;
        let (approved, rerun) = workflow_calls(&h.bot_calls());
        assert_eq!(rerun, case.rerun, "{name}");
        assert_eq!(approved, case.approved, "{name}");
        for run in RERUN_RUNS {
            let now = h.sim.workflow_run(&h.repo, run.id).unwrap();
            if case.rerun.contains(&run.id) {
                assert_eq!(
                    (now.status.as_str(), now.conclusion),
                    ("queued", None),
                    "{name}"
                );
            } else if !case.approved.contains(&run.id) {
                assert_eq!(now.status, run.status, "{name}: run {}", run.id);
            }
        }
        let started: Vec<String> = stored_jobs(&h)
            .await
            .into_iter()
            .map(|pj| pj.spec.job)
            .collect();
        let want: &[&str] = if case.starts_job { &["test-job"] } else { &[] };
        assert_eq!(started, want, "{name}");
    }
}

#[tokio::test]
async fn github_actions_errors_never_keep_jobs_from_starting() {
    struct Case {
        name: &'static str,
        body: &'static str,
        labels: &'static [&'static str],
        fail_listing: bool,
        bot_can_write: bool,
        approved: &'static [u64],
        rerun: &'static [u64],
    }
    let cases = [
        Case {
            name: "listing fails on /retest",
            body: "/retest",
            labels: &[],
            fail_listing: true,
            bot_can_write: true,
            approved: &[],
            rerun: &[],
        },
        Case {
            name: "listing fails on /ok-to-test",
            body: "/ok-to-test",
            labels: &[labels::OK_TO_TEST],
            fail_listing: true,
            bot_can_write: true,
            approved: &[],
            rerun: &[],
        },
        Case {
            name: "every re-run is refused, and each is tried",
            body: "/retest",
            labels: &[],
            fail_listing: false,
            bot_can_write: false,
            approved: &[],
            rerun: FAILED_RUNS,
        },
        Case {
            name: "every approval is refused, and each is tried",
            body: "/ok-to-test",
            labels: &[labels::OK_TO_TEST],
            fail_listing: false,
            bot_can_write: false,
            approved: &[11, 12],
            rerun: &[],
        },
    ];
    for case in cases {
        let name = case.name;
        let mut runs = RERUN_RUNS.to_vec();
        runs.push(seed_run(12, "pull_request_target", "action_required", None));
        let (mut h, pr) = workflow_world(true, false, case.labels, &runs);
        if case.fail_listing {
            h.sim.set_faults(Faults {
                fail_every: 1,
                methods: vec!["list_workflow_runs".into()],
                ..Faults::default()
            });
        }
        if !case.bot_can_write {
            h.sim
                .set_bot_permission(prow_core::github::Permission::Read);
        }
        h.sim.comment_as("alice", &h.repo, pr, case.body).unwrap();
        for result in h.deliver(&Trigger).await {
            assert!(result.is_ok(), "{name}: {result:?}");
        }
        let calls = h.bot_calls();
        let (approved, rerun) = workflow_calls(&calls);
        assert_eq!(approved, case.approved, "{name}");
        assert_eq!(rerun, case.rerun, "{name}");
        assert!(
            calls
                .iter()
                .filter(|c| c.method().contains("workflow"))
                .all(|c| c.error.is_some()),
            "{name}: {calls:?}"
        );
        assert!(other_calls(&calls).is_empty(), "{name}: {calls:?}");
        for run in &runs {
            let now = h.sim.workflow_run(&h.repo, run.id).unwrap();
            assert_eq!(now.status, run.status, "{name}: run {}", run.id);
        }
        let started: Vec<String> = stored_jobs(&h)
            .await
            .into_iter()
            .map(|pj| pj.spec.job)
            .collect();
        assert_eq!(started, ["test-job"], "{name}");
    }
}

#[test]
fn only_success_and_skipped_runs_passed() {
    let run = |status: &str, conclusion: Option<&str>| WorkflowRun {
        status: status.into(),
        conclusion: conclusion.map(Into::into),
        ..WorkflowRun::default()
    };
    for (status, conclusion, rerun) in [
        ("completed", Some("success"), false),
        ("completed", Some("skipped"), false),
        ("completed", Some("failure"), true),
        ("completed", Some("cancelled"), true),
        ("completed", Some("neutral"), true),
        ("completed", Some("timed_out"), true),
        ("completed", None, true),
        ("in_progress", None, false),
        ("action_required", None, false),
    ] {
        assert_eq!(
            needs_rerun(&run(status, conclusion)),
            rerun,
            "{status} {conclusion:?}"
        );
    }
}
