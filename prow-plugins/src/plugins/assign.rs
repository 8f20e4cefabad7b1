//! The `assign` plugin: `/[un]assign [@user...]` changes an issue's or pull request's assignees,
//! `/[un]cc [@user|@org/team...]` a pull request's review requests (the commenter by default).

use async_trait::async_trait;
use prow_core::event::GenericCommentEvent;
use prow_core::github::{GitHubError, RepoName};
use prow_core::traits::{EventKind, Plugin, PluginContext, PluginError, PluginEvent, PluginHelp};

use crate::commands::{self, Arg, Command, Invocation};
use crate::plugins::{created_comment, repo_of};
use crate::reply::format_comment_response;

/// GitHub's host, as the replies link to it.
const GITHUB_HOST: &str = "github.com";

/// `/[un]assign [[@]<username>...]`.
pub static ASSIGN: Command = Command::new("assign")
    .aliases(&["unassign"])
    .arg(Arg::Optional(r"@?[-0-9A-Za-z_]+(?: @?[-0-9A-Za-z_]+)*"))
    .case_insensitive()
    .usage("/[un]assign [[@]<username>...|[@]<orgname/teamname>...]")
    .featured()
    .description("Assigns assignee(s) or team(s) to the PR")
    .who_can_use(
        "Anyone can use the command, but the target user(s) must be an org member, a repo collaborator, or should have previously commented on the issue or PR.",
    )
    .examples(&[
        "/assign",
        "/unassign",
        "/assign @spongebob",
        "/assign spongebob patrick",
        "/assign @kubernetes/sig-foo-bar",
    ]);

/// `/[un]cc [[@]<username>...|[@]<orgname/teamname>...]` (pull requests only).
pub static CC: Command = Command::new("cc")
    .aliases(&["uncc"])
    .arg(Arg::Optional(r"@?[-/0-9A-Za-z_]+(?: +@?[-/0-9A-Za-z_]+)*"))
    .case_insensitive()
    .usage("/[un]cc [[@]<username>...|[@]<orgname/teamname>...]")
    .featured()
    .description("Requests a review from the user(s) or team(s).")
    .who_can_use(
        "Anyone can use the command, but the target user(s) must be a member of the org that owns the repository.",
    )
    .examples(&[
        "/cc",
        "/uncc",
        "/cc @spongebob",
        "/cc spongebob patrick",
        "/cc @kubernetes/sig-foo-bar",
    ]);

const DESCRIPTION: &str = "The assign plugin assigns or requests reviews from users/teams. Specific users can be assigned with the command '/assign @user1' or have reviews requested of them with the command '/cc @user1'. If no users are specified, the commands default to targeting the user who created the command. Assignments and requested reviews can be removed in the same way that they are added by prefixing the commands with 'un'.";

/// The `assign` plugin. It has no `plugins.yaml` section.
#[derive(Debug, Default)]
pub struct Assign;

/// The logins of a command's argument: split on spaces, `@` and spaces trimmed.
pub fn parse_logins(text: &str) -> Vec<String> {
    text.split(' ')
        .map(|part| part.trim_matches(|c| c == '@' || c == ' '))
        .filter(|part| !part.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Who the commands of a comment add and remove, the last command about a login winning.
/// A command without logins is about the commenter. `/UNassign` adds, as upstream reads it:
/// only a lower-case `un` removes.
fn affected(found: &[Invocation], commenter: &str) -> (Vec<String>, Vec<String>) {
    let mut users: Vec<(String, bool)> = Vec::new();
    let mut set = |login: String, add: bool| match users.iter_mut().find(|(l, _)| *l == login) {
        Some(entry) => entry.1 = add,
        None => users.push((login, add)),
    };
    for invocation in found {
        let add = !invocation.name.starts_with("un");
        match &invocation.arg {
            None => set(commenter.to_owned(), add),
            Some(arg) => {
                for login in parse_logins(arg) {
                    set(login, add);
                }
            }
        }
    }
    let to_add = users.iter().filter(|(_, a)| *a).map(|(l, _)| l.clone());
    let to_remove = users.iter().filter(|(_, a)| !*a).map(|(l, _)| l.clone());
    (to_add.collect(), to_remove.collect())
}

/// Assignees or reviewers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    Assignees,
    Reviewers,
}

impl Target {
    fn command(self) -> &'static Command {
        match self {
            Target::Assignees => &ASSIGN,
            Target::Reviewers => &CC,
        }
    }

    /// The reply when GitHub refused some of `users`.
    fn refusal(self, org: &str, users: &[String]) -> String {
        let users = users.join(", ");
        match self {
            Target::Assignees => format!(
                "GitHub didn't allow me to assign the following users: {users}.\n\nNote that only [{org} members](https://{GITHUB_HOST}/orgs/{org}/people) with read permissions, repo collaborators and people who have commented on this issue/PR can be assigned. Additionally, issues/PRs can only have 10 assignees at the same time.\nFor more information please see [the contributor guide](https://git.k8s.io/community/contributors/guide/first-contribution.md#issue-assignment-in-github)"
            ),
            Target::Reviewers => format!(
                "GitHub didn't allow me to request PR reviews from the following users: {users}.\n\nNote that only [{org} members](https://{GITHUB_HOST}/orgs/{org}/people) and repo collaborators can review this PR, and authors cannot review their own PRs."
            ),
        }
    }
}

/// Applies the `target` commands of `comment`.
async fn handle_target(
    ctx: &PluginContext,
    comment: &GenericCommentEvent,
    target: Target,
) -> Result<(), PluginError> {
    let found = target.command().find(&comment.body);
    if found.is_empty() {
        return Ok(());
    }
    let (to_add, to_remove) = affected(&found, &comment.user.login);
    let repo: RepoName = repo_of(comment);
    let number = comment.number;
    if !to_remove.is_empty() {
        tracing::info!(?to_remove, "removing {}", target_name(target));
        match target {
            Target::Assignees => ctx.github.unassign_issue(&repo, number, &to_remove).await?,
            Target::Reviewers => {
                ctx.github
                    .unrequest_review(&repo, number, &to_remove)
                    .await?
            }
        }
    }
    if to_add.is_empty() {
        return Ok(());
    }
    tracing::info!(?to_add, "adding {}", target_name(target));
    let result = match target {
        Target::Assignees => ctx.github.assign_issue(&repo, number, &to_add).await,
        Target::Reviewers => ctx.github.request_review(&repo, number, &to_add).await,
    };
    match result {
        Ok(()) => Ok(()),
        Err(GitHubError::MissingUsers(users)) => {
            if users.is_empty() {
                return Ok(());
            }
            let reply = format_comment_response(comment, &target.refusal(&repo.org, &users));
            ctx.github.create_comment(&repo, number, &reply).await?;
            Ok(())
        }
        Err(error) => Err(error.into()),
    }
}

fn target_name(target: Target) -> &'static str {
    match target {
        Target::Assignees => "assignee(s)",
        Target::Reviewers => "reviewer(s)",
    }
}

#[async_trait]
impl Plugin for Assign {
    fn name(&self) -> &str {
        "assign"
    }

    fn events(&self) -> &[EventKind] {
        &[EventKind::GenericComment]
    }

    fn help(&self) -> PluginHelp {
        PluginHelp {
            description: DESCRIPTION.to_owned(),
            commands: commands::help(&[&ASSIGN, &CC]),
            ..PluginHelp::default()
        }
    }

    async fn handle(&self, ctx: &PluginContext, event: &PluginEvent) -> Result<(), PluginError> {
        let Some(comment) = created_comment(event) else {
            return Ok(());
        };
        let assigned = handle_target(ctx, comment, Target::Assignees).await;
        if !comment.is_pr {
            return assigned;
        }
        let reviewed = handle_target(ctx, comment, Target::Reviewers).await;
        match (assigned, reviewed) {
            (Err(first), Err(second)) => Err(PluginError::internal(format!(
                "two errors: 1) {first} 2) {second}"
            ))),
            (Err(error), Ok(())) | (Ok(()), Err(error)) => Err(error),
            (Ok(()), Ok(())) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use prow_core::github::Permission;
    use prow_github::simulator::Files;

    use super::*;
    use crate::testing::Harness;

    #[test]
    fn logins_are_parsed_from_the_argument() {
        let cases: [(&str, &[&str]); 5] = [
            ("", &[]),
            (" @jungle", &["jungle"]),
            (" @erick @fejta", &["erick", "fejta"]),
            (
                " @kubernetes/sig-testing-misc",
                &["kubernetes/sig-testing-misc"],
            ),
            (
                " @kubernetes/sig-testing-misc @kubernetes/sig-testing-bugs",
                &["kubernetes/sig-testing-misc", "kubernetes/sig-testing-bugs"],
            ),
        ];
        for (text, want) in cases {
            assert_eq!(parse_logins(text), want, "{text:?}");
        }
    }

    const ASSIGN_REFUSED: &str = "GitHub didn't allow me to assign the following users: evil.\n\nNote that only [org members](https://github.com/orgs/org/people) with read permissions, repo collaborators and people who have commented on this issue/PR can be assigned. Additionally, issues/PRs can only have 10 assignees at the same time.\nFor more information please see [the contributor guide](https://git.k8s.io/community/contributors/guide/first-contribution.md#issue-assignment-in-github)";

    const REVIEW_REFUSED_EVIL: &str = "GitHub didn't allow me to request PR reviews from the following users: evil.\n\nNote that only [org members](https://github.com/orgs/org/people) and repo collaborators can review this PR, and authors cannot review their own PRs.";

    const REVIEW_REFUSED_AUTHOR: &str = "GitHub didn't allow me to request PR reviews from the following users: author.\n\nNote that only [org members](https://github.com/orgs/org/people) and repo collaborators can review this PR, and authors cannot review their own PRs.";

    #[tokio::test]
    async fn assign_and_review() {
        struct Case {
            name: &'static str,
            is_pr: bool,
            body: &'static str,
            commenter: &'static str,
            calls: &'static [(&'static str, &'static str)],
            replies: &'static [&'static str],
        }
        const BASE: Case = Case {
            name: "",
            is_pr: false,
            body: "",
            commenter: "random",
            calls: &[],
            replies: &[],
        };
        let cases = [
            Case {
                name: "unrelated comment",
                body: "uh oh",
                ..BASE
            },
            Case {
                name: "assign me",
                body: "/assign",
                calls: &[("assign_issue", "random")],
                ..BASE
            },
            Case {
                name: "unassign myself",
                body: "/unassign",
                calls: &[("unassign_issue", "random")],
                ..BASE
            },
            Case {
                name: "tab completion",
                body: "/assign @alice ",
                calls: &[("assign_issue", "alice")],
                ..BASE
            },
            Case {
                name: "no @ works too",
                body: "/assign alice",
                calls: &[("assign_issue", "alice")],
                ..BASE
            },
            Case {
                name: "commands in any case",
                body: "/ASSIGN alice",
                calls: &[("assign_issue", "alice")],
                ..BASE
            },
            Case {
                name: "only a lower-case un removes, as upstream reads it",
                body: "/UNassign alice",
                calls: &[("assign_issue", "alice")],
                ..BASE
            },
            Case {
                name: "multi commands",
                body: "/assign @alice\n/unassign @bob",
                calls: &[("unassign_issue", "bob"), ("assign_issue", "alice")],
                ..BASE
            },
            Case {
                name: "the last command about a login wins",
                body: "/assign @alice\n/unassign @alice",
                calls: &[("unassign_issue", "alice")],
                ..BASE
            },
            Case {
                name: "interesting names",
                body: "/assign @hello-world @allow_underscore",
                calls: &[("assign_issue", "hello-world,allow_underscore")],
                ..BASE
            },
            Case {
                name: "bad login",
                body: "/assign @Invalid$User",
                ..BASE
            },
            Case {
                name: "bad login, no @",
                body: "/assign Invalid$User",
                ..BASE
            },
            Case {
                name: "team handles are not assignable",
                body: "/assign @org/team-a",
                ..BASE
            },
            Case {
                name: "command must start at the beginning of the line",
                body: " /assign",
                ..BASE
            },
            Case {
                name: "assign friends",
                body: "/assign @alice @bob",
                calls: &[("assign_issue", "alice,bob")],
                ..BASE
            },
            Case {
                name: "unassign buddies",
                body: "/unassign @alice @bob",
                calls: &[("unassign_issue", "alice,bob")],
                ..BASE
            },
            Case {
                name: "unassign buddies, trailing space",
                body: "/unassign @alice @bob \r",
                calls: &[("unassign_issue", "alice,bob")],
                ..BASE
            },
            Case {
                name: "evil assignee",
                body: "/assign @evil @evil @evil @evil @alice",
                calls: &[("assign_issue", "evil,alice")],
                replies: &[ASSIGN_REFUSED],
                ..BASE
            },
            Case {
                name: "evil unassignee",
                body: "/unassign @evil @alice",
                calls: &[("unassign_issue", "evil,alice")],
                ..BASE
            },
            Case {
                name: "/cc on an issue does nothing",
                body: "/cc @alice",
                ..BASE
            },
            Case {
                name: "assign on a pull request",
                is_pr: true,
                body: "/assign",
                calls: &[("assign_issue", "random")],
                ..BASE
            },
            Case {
                name: "review on open",
                is_pr: true,
                body: "/cc @alice",
                calls: &[("request_review", "alice")],
                ..BASE
            },
            Case {
                name: "review, tab completion",
                is_pr: true,
                body: "/cc @alice ",
                calls: &[("request_review", "alice")],
                ..BASE
            },
            Case {
                name: "review, no @ works too",
                is_pr: true,
                body: "/cc alice ",
                calls: &[("request_review", "alice")],
                ..BASE
            },
            Case {
                name: "review, multi commands",
                is_pr: true,
                body: "/cc @alice\n/uncc @bob",
                calls: &[("unrequest_review", "bob"), ("request_review", "alice")],
                ..BASE
            },
            Case {
                name: "review, interesting names",
                is_pr: true,
                body: "/cc @hello-world @allow_underscore",
                calls: &[("request_review", "hello-world,allow_underscore")],
                ..BASE
            },
            Case {
                name: "review, bad login",
                is_pr: true,
                body: "/cc @Invalid$User",
                ..BASE
            },
            Case {
                name: "review, bad login, no @",
                is_pr: true,
                body: "/cc Invalid$User",
                ..BASE
            },
            Case {
                name: "request multiple",
                is_pr: true,
                body: "/cc @alice   @bob",
                calls: &[("request_review", "alice,bob")],
                ..BASE
            },
            Case {
                name: "unrequest buddies",
                is_pr: true,
                body: "/uncc @alice @bob",
                calls: &[("unrequest_review", "alice,bob")],
                ..BASE
            },
            Case {
                name: "evil reviewer requested",
                is_pr: true,
                body: "/cc @evil @alice",
                calls: &[("request_review", "evil,alice")],
                replies: &[REVIEW_REFUSED_EVIL],
                ..BASE
            },
            Case {
                name: "evil reviewer unrequested",
                is_pr: true,
                body: "/uncc @evil @alice",
                calls: &[("unrequest_review", "evil,alice")],
                ..BASE
            },
            Case {
                name: "multi command types",
                is_pr: true,
                body: "/assign @alice\n/unassign @bob @carol\n/uncc @alice \n/cc @carol",
                calls: &[
                    ("unassign_issue", "bob,carol"),
                    ("assign_issue", "alice"),
                    ("unrequest_review", "alice"),
                    ("request_review", "carol"),
                ],
                ..BASE
            },
            Case {
                name: "request review self",
                is_pr: true,
                body: "/cc",
                commenter: "alice",
                calls: &[("request_review", "alice")],
                ..BASE
            },
            Case {
                name: "unrequest review self",
                is_pr: true,
                body: "/uncc",
                commenter: "alice",
                calls: &[("unrequest_review", "alice")],
                ..BASE
            },
            Case {
                name: "request review self, unrequest friend, trailing spaces",
                is_pr: true,
                body: "/cc \n/uncc @bob ",
                commenter: "alice",
                calls: &[("unrequest_review", "bob"), ("request_review", "alice")],
                ..BASE
            },
            Case {
                name: "request team review",
                is_pr: true,
                body: "/cc @org/team-a",
                calls: &[("request_review", "org/team-a")],
                ..BASE
            },
            Case {
                name: "unrequest team review",
                is_pr: true,
                body: "/uncc @org/team-a",
                calls: &[("unrequest_review", "org/team-a")],
                ..BASE
            },
            Case {
                name: "authors cannot review their own pull request",
                is_pr: true,
                body: "/cc",
                commenter: "author",
                calls: &[("request_review", "author")],
                replies: &[REVIEW_REFUSED_AUTHOR],
            },
        ];
        for case in cases {
            let mut h = Harness::new();
            for user in ["hello-world", "allow_underscore"] {
                h.sim.add_user(user, None, None);
                h.sim
                    .add_collaborator(&h.repo, user, Permission::Write)
                    .unwrap();
            }
            h.sim.add_team("org", "team-a", "Team A").unwrap();
            let number = if case.is_pr {
                h.open_pr("author", "change", Files::new().put("a.txt", "a"))
            } else {
                h.open_issue("author", "an issue")
            };
            h.sim
                .comment_as(case.commenter, &h.repo, number, case.body)
                .unwrap();
            h.deliver_ok(&Assign).await;
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
            let want: Vec<(String, String)> = case
                .calls
                .iter()
                .map(|(m, a)| ((*m).to_owned(), (*a).to_owned()))
                .collect();
            assert_eq!(calls, want, "{}", case.name);
            assert_eq!(replies, case.replies, "{}", case.name);
        }
    }

    #[tokio::test]
    async fn assignments_land_on_github() {
        let mut h = Harness::new();
        let pr = h.open_pr("author", "change", Files::new().put("a.txt", "a"));
        h.sim
            .comment_as("random", &h.repo, pr, "/assign @alice\n/cc @bob")
            .unwrap();
        h.deliver_ok(&Assign).await;
        assert_eq!(h.sim.assignees(&h.repo, pr), vec!["alice"]);
        let pull = h.sim.pull_request(&h.repo, pr).unwrap();
        let reviewers: Vec<&str> = pull
            .requested_reviewers
            .iter()
            .map(|u| u.login.as_str())
            .collect();
        assert_eq!(reviewers, vec!["bob"]);
    }
}
