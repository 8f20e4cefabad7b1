//! The `approve` plugin: approval of pull requests by the approvers of their OWNERS files,
//! through `/approve` (and reviews, `/lgtm`), the `approved` label and the approval notifier.
//!
//! Its commands are the [`APPROVE`] and [`LGTM_AS_APPROVE`] declarations, which read comments
//! as upstream's approve does: any case, any argument, fenced code blocks included.

pub mod approvers;
pub mod notifier;
pub mod shuffle;

use std::collections::BTreeSet;
use std::sync::LazyLock;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use prow_core::config::plugins::{Approve as ApproveConfig, PluginsConfig};
use prow_core::config::prow::DEFAULT_GITHUB_LINK_URL;
use prow_core::event::{
    Event, GenericCommentAction, GenericCommentEvent, PullRequestEventAction, ReviewEventAction,
    ReviewState, User,
};
use prow_core::github::{GitHubError, RepoName};
use prow_core::labels;
use prow_core::traits::{EventKind, Plugin, PluginContext, PluginError, PluginEvent, PluginHelp};
use regex::Regex;

use crate::commands::{self, Arg, Command, Invocation};
use crate::plugins::{BotUser, load_repo_owners};
use approvers::{Approvers, Owners, OwnersRepo};
use notifier::Links;

/// `/approve [no-issue|cancel]` and `/remove-approve`, read as upstream reads them
/// (`^/([^\s]+)[\t ]*([^\n\r]*)`, the name compared upper-cased): the name in any case, then
/// any argument — `/approve please` approves, an argument containing `cancel` cancels, exactly
/// `no-issue` approves without an issue — and lines inside fenced code blocks count too.
pub static APPROVE: Command = Command::new("approve")
    .aliases(&["remove-approve"])
    .arg(Arg::Any)
    .case_insensitive()
    .matched_in_code_blocks()
    .usage("/[remove-]approve [no-issue|cancel]")
    .featured()
    .description("Approves a pull request")
    .who_can_use("Users listed as 'approvers' in appropriate OWNERS files.")
    .examples(&["/approve", "/approve no-issue", "/remove-approve"]);

/// `/lgtm` as approve reads it where `lgtm_acts_as_approve` is set, the same way as
/// [`APPROVE`] (any case, any argument, code blocks included); the `lgtm` plugin's own, stricter
/// `/lgtm` manages the `lgtm` label.
pub static LGTM_AS_APPROVE: Command = Command::new("lgtm")
    .arg(Arg::Any)
    .case_insensitive()
    .matched_in_code_blocks();

const APPROVE_COMMAND: &str = "APPROVE";
const LGTM_COMMAND: &str = "LGTM";
const REMOVE_APPROVE_COMMAND: &str = "REMOVE-APPROVE";
const CANCEL_ARGUMENT: &str = "cancel";
const NO_ISSUE_ARGUMENT: &str = "no-issue";

/// The start of an approval notification.
static NOTIFICATION_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?is)^\[{}\]",
        regex::escape(notifier::APPROVAL_NOTIFICATION_NAME)
    ))
    .expect("notification regex")
});

/// Every `/approve`, `/remove-approve` and `/lgtm` of `body`, in the order written.
pub fn approval_commands(body: &str) -> Vec<Invocation> {
    commands::find_any(&[&APPROVE, &LGTM_AS_APPROVE], body)
}

/// The issue a pull request's body references: `#123` or `.../org/<repo>/issues/123`
/// (0 when none, as upstream).
pub fn find_associated_issue(body: &str, org: &str) -> i64 {
    let Ok(re) = Regex::new(&format!(
        r"(?:{}/[^/]+/issues/|#)([0-9]+)",
        regex::escape(org)
    )) else {
        return 0;
    };
    re.captures(body)
        .and_then(|c| c[1].parse().ok())
        .unwrap_or(0)
}

/// Whether a comment by `author` holds a command that concerns approval.
fn is_approval_command(
    is_bot: &dyn Fn(&str) -> bool,
    lgtm_acts_as_approve: bool,
    author: &str,
    body: &str,
) -> bool {
    if is_bot(author) {
        return false;
    }
    APPROVE.is_in(body) || (lgtm_acts_as_approve && LGTM_AS_APPROVE.is_in(body))
}

/// Whether a review by `author` in `state` concerns approval.
fn is_approval_state(
    is_bot: &dyn Fn(&str) -> bool,
    review_acts_as_approve: bool,
    author: &str,
    state: Option<&ReviewState>,
) -> bool {
    if is_bot(author) {
        return false;
    }
    review_acts_as_approve
        && matches!(
            state,
            Some(ReviewState::Approved | ReviewState::ChangesRequested | ReviewState::Dismissed)
        )
}

/// A comment, review comment or review, as far as approval cares.
#[derive(Clone, Debug)]
struct Comment {
    body: String,
    author: String,
    created_at: Option<DateTime<Utc>>,
    html_url: String,
    id: u64,
    review_state: Option<ReviewState>,
}

/// The pull request being handled.
#[derive(Clone, Debug, PartialEq)]
struct PrState {
    repo: RepoName,
    branch: String,
    number: u64,
    body: String,
    author: String,
    assignees: Vec<String>,
    html_url: String,
}

/// The `approve` plugin; its commands are [`APPROVE`] and, where `lgtm_acts_as_approve` is
/// set, [`LGTM_AS_APPROVE`].
#[derive(Debug, Default)]
pub struct Approve;

#[async_trait]
impl Plugin for Approve {
    fn name(&self) -> &str {
        "approve"
    }

    fn events(&self) -> &[EventKind] {
        &[
            EventKind::GenericComment,
            EventKind::PullRequestReview,
            EventKind::PullRequest,
        ]
    }

    fn help(&self) -> PluginHelp {
        PluginHelp {
            description: format!(
                "The approve plugin implements a pull request approval process that manages the '{}' label and an approval notification comment. Approval is achieved when the set of users that have approved the PR is capable of approving every file changed by the PR. A user is able to approve a file if their username or an alias they belong to is listed in the 'approvers' section of an OWNERS file in the directory of the file or higher in the directory tree.\n<br>\n<br>Per-repo configuration may be used to require that PRs link to an associated issue before approval is granted. It may also be used to specify that the PR authors implicitly approve their own PRs.\n<br>For more information see <a href=\"https://docs.prow.k8s.io/docs/components/plugins/approve/approvers/\">here</a>.",
                labels::APPROVED
            ),
            commands: commands::help(&[&APPROVE]),
            ..PluginHelp::default()
        }
    }

    /// The help with each repository's `approve:` settings of `plugins.yaml`
    /// (`issue_required`, `require_self_approval`, `lgtm_acts_as_approve`,
    /// `ignore_review_state`, `commandHelpLink`, `pr_process_link`; the `owners:` section's
    /// `filenames`, `mdyamlrepos` and `skip_collaborators` decide how OWNERS files are read).
    fn help_for(&self, plugins: &PluginsConfig, repos: &[RepoName]) -> PluginHelp {
        let do_not = |b: bool| if b { "" } else { "do not " };
        let will_not = |b: bool| if b { "will " } else { "will not " };
        let mut help = self.help();
        help.config = repos
            .iter()
            .map(|repo| {
                let opts = plugins.approve_for(&repo.org, &repo.repo);
                let text = format!(
                    "Pull requests {}require an associated issue.<br>Pull request authors {}implicitly approve their own PRs.<br>The /lgtm [cancel] command(s) {}act as approval.<br>A GitHub approved or changes requested review {}act as approval or cancel respectively.",
                    do_not(opts.issue_required),
                    do_not(opts.has_self_approval()),
                    will_not(opts.lgtm_acts_as_approve),
                    will_not(opts.consider_review_state())
                );
                (repo.to_string(), text)
            })
            .collect();
        help
    }

    async fn handle(&self, ctx: &PluginContext, event: &PluginEvent) -> Result<(), PluginError> {
        match event.kind {
            EventKind::GenericComment => match event.comment.as_deref() {
                Some(comment) => handle_generic_comment(ctx, comment).await,
                None => Ok(()),
            },
            EventKind::PullRequestReview => handle_review(ctx, &event.event).await,
            EventKind::PullRequest => handle_pull_request(ctx, &event.event).await,
            _ => Ok(()),
        }
    }
}

fn logins(users: &[User]) -> Vec<String> {
    users.iter().map(|u| u.login.clone()).collect()
}

/// A comment with an approval command on an open pull request.
async fn handle_generic_comment(
    ctx: &PluginContext,
    ce: &GenericCommentEvent,
) -> Result<(), PluginError> {
    if ce.action != GenericCommentAction::Created || !ce.is_pr || ce.issue_state == "closed" {
        return Ok(());
    }
    let bot = BotUser::of(ctx.github.as_ref()).await?;
    let repo = RepoName::new(ce.repo.org(), &ce.repo.name);
    let opts = ctx.plugins.approve_for(&repo.org, &repo.repo);
    let is_bot = |login: &str| bot.is(login);
    if !is_approval_command(&is_bot, opts.lgtm_acts_as_approve, &ce.user.login, &ce.body) {
        return Ok(());
    }
    let pr = ctx.github.get_pull_request(&repo, ce.number).await?;
    let state = PrState {
        repo,
        branch: pr.base.r#ref.clone(),
        number: ce.number,
        body: ce.issue_body.clone(),
        author: ce.issue_author.login.clone(),
        assignees: logins(&ce.assignees),
        html_url: ce.issue_html_url.clone(),
    };
    handle(ctx, &bot, &opts, &state).await
}

/// A review whose state approves or cancels (its body's commands are the generic comment's).
async fn handle_review(ctx: &PluginContext, event: &Event) -> Result<(), PluginError> {
    let Event::PullRequestReview(re) = event else {
        return Ok(());
    };
    if re.action != ReviewEventAction::Submitted && re.action != ReviewEventAction::Dismissed {
        return Ok(());
    }
    let bot = BotUser::of(ctx.github.as_ref()).await?;
    let reviewer = &re.review.user;
    let is_bot = |login: &str| bot.is(login) || reviewer.user_type == User::TYPE_BOT;
    let repo = RepoName::new(re.repo.org(), &re.repo.name);
    let opts = ctx.plugins.approve_for(&repo.org, &repo.repo);
    let body = re.review.body.as_deref().unwrap_or_default();
    if is_approval_command(&is_bot, opts.lgtm_acts_as_approve, &reviewer.login, body) {
        return Ok(());
    }
    if !is_approval_state(
        &is_bot,
        opts.consider_review_state(),
        &reviewer.login,
        Some(&re.review.state),
    ) {
        return Ok(());
    }
    let pr = &re.pull_request;
    let state = PrState {
        repo,
        branch: pr.base.r#ref.clone(),
        number: pr.number,
        body: pr.body.clone().unwrap_or_default(),
        author: pr.user.login.clone(),
        assignees: logins(&pr.assignees),
        html_url: pr.html_url.clone(),
    };
    handle(ctx, &bot, &opts, &state).await
}

/// A pull request opened, reopened, pushed to, or given the `approved` label by a person.
async fn handle_pull_request(ctx: &PluginContext, event: &Event) -> Result<(), PluginError> {
    let Event::PullRequest(pre) = event else {
        return Ok(());
    };
    let action = &pre.action;
    if !matches!(
        action,
        PullRequestEventAction::Opened
            | PullRequestEventAction::Reopened
            | PullRequestEventAction::Synchronize
            | PullRequestEventAction::Labeled
    ) {
        return Ok(());
    }
    let bot = BotUser::of(ctx.github.as_ref()).await?;
    if *action == PullRequestEventAction::Labeled {
        let label = pre
            .label
            .as_ref()
            .map(|l| l.name.as_str())
            .unwrap_or_default();
        if label != labels::APPROVED
            || bot.is(&pre.sender.login)
            || pre.pull_request.state == "closed"
        {
            return Ok(());
        }
    }
    let repo = RepoName::new(pre.repo.org(), &pre.repo.name);
    let opts = ctx.plugins.approve_for(&repo.org, &repo.repo);
    let pr = &pre.pull_request;
    let state = PrState {
        repo,
        branch: pr.base.r#ref.clone(),
        number: pre.number,
        body: pr.body.clone().unwrap_or_default(),
        author: pr.user.login.clone(),
        assignees: logins(&pr.assignees),
        html_url: pr.html_url.clone(),
    };
    handle(ctx, &bot, &opts, &state).await
}

/// The comments, review comments and reviews of a pull request, oldest first.
fn sorted_comments(
    issue_comments: &[Comment],
    review_comments: Vec<Comment>,
    reviews: Vec<Comment>,
) -> Vec<Comment> {
    let mut all = review_comments;
    all.extend(issue_comments.iter().cloned());
    all.extend(reviews);
    all.sort_by_key(|c| c.created_at);
    all
}

/// Records the approvals and cancellations of `comments` in order: the latest word of each
/// person counts; a changes-requested review cancels.
fn add_approvers(
    ap: &mut Approvers<'_>,
    comments: &[Comment],
    author: &str,
    review_acts_as_approve: bool,
) {
    for c in comments {
        if c.author.is_empty() {
            continue;
        }
        if review_acts_as_approve && c.review_state == Some(ReviewState::Approved) {
            ap.add_approver(&c.author, &c.html_url, false);
        }
        if review_acts_as_approve && c.review_state == Some(ReviewState::ChangesRequested) {
            ap.remove_approver(&c.author);
        }
        for found in approval_commands(&c.body) {
            let name = found.name.to_uppercase();
            if name == REMOVE_APPROVE_COMMAND {
                ap.remove_approver(&c.author);
                continue;
            }
            if name != APPROVE_COMMAND && name != LGTM_COMMAND {
                continue;
            }
            let args = found.arg.unwrap_or_default().to_lowercase();
            if args.contains(CANCEL_ARGUMENT) {
                ap.remove_approver(&c.author);
                continue;
            }
            let no_issue = args == NO_ISSUE_ARGUMENT;
            if c.author == author {
                ap.add_author_self_approver(&c.author, &c.html_url, no_issue);
            }
            if name == APPROVE_COMMAND {
                ap.add_approver(&c.author, &c.html_url, no_issue);
            } else {
                ap.add_lgtmer(&c.author, &c.html_url, no_issue);
            }
        }
    }
}

/// Whether the last person to add `label` to `number` is not the bot.
async fn label_added_by_human(
    ctx: &PluginContext,
    bot: &BotUser,
    repo: &RepoName,
    number: u64,
    label: &str,
) -> Result<bool, GitHubError> {
    let events = ctx.github.list_issue_events(repo, number).await?;
    let last = events
        .iter()
        .rfind(|e| e.event == "labeled" && e.label.as_ref().is_some_and(|l| l.name == label));
    Ok(last.is_some_and(|e| !e.actor.login.is_empty() && !bot.is(&e.actor.login)))
}

/// Recomputes the approval of a pull request: updates the notification and the `approved`
/// label.
async fn handle(
    ctx: &PluginContext,
    bot: &BotUser,
    opts: &ApproveConfig,
    pr: &PrState,
) -> Result<(), PluginError> {
    let gh = &ctx.github;
    let repo = &pr.repo;
    let number = pr.number;
    let filenames: Vec<String> = gh
        .get_pull_request_changes(repo, number)
        .await?
        .into_iter()
        .map(|change| change.filename)
        .collect();
    let has_approved_label = gh
        .get_issue_labels(repo, number)
        .await?
        .iter()
        .any(|l| l.name == labels::APPROVED);
    let issue_comments: Vec<Comment> = gh
        .list_issue_comments(repo, number)
        .await?
        .into_iter()
        .map(|c| Comment {
            body: c.body,
            author: c.user.login,
            created_at: c.created_at,
            html_url: c.html_url,
            id: c.id,
            review_state: None,
        })
        .collect();
    let review_comments: Vec<Comment> = gh
        .list_pull_request_comments(repo, number)
        .await?
        .into_iter()
        .map(|c| Comment {
            body: c.body,
            author: c.user.login,
            created_at: c.created_at,
            html_url: c.html_url,
            id: c.id,
            review_state: None,
        })
        .collect();
    let reviews = gh.list_reviews(repo, number).await?;
    let app_bots: BTreeSet<String> = reviews
        .iter()
        .filter(|r| r.user.user_type == User::TYPE_BOT)
        .map(|r| r.user.login.clone())
        .collect();
    let reviews: Vec<Comment> = reviews
        .into_iter()
        .map(|r| Comment {
            body: r.body.unwrap_or_default(),
            author: r.user.login,
            created_at: r.submitted_at,
            html_url: r.html_url,
            id: r.id,
            review_state: Some(r.state),
        })
        .collect();

    let repo_owners = load_repo_owners(ctx, repo, &pr.branch, &filenames).await?;
    let seed = i64::try_from(number).unwrap_or(i64::MAX);
    let owners = Owners::new(&filenames, &repo_owners as &dyn OwnersRepo, seed);
    let mut ap = Approvers::new(&owners);
    ap.associated_issue = find_associated_issue(&pr.body, &repo.org);
    ap.require_issue = opts.issue_required;
    if opts.has_self_approval() {
        ap.add_author_self_approver(&pr.author, &format!("{}#", pr.html_url), false);
    }

    let is_bot = |login: &str| bot.is(login) || app_bots.contains(login);
    let review_acts_as_approve = opts.consider_review_state();
    let comments: Vec<Comment> = sorted_comments(&issue_comments, review_comments, reviews)
        .into_iter()
        .filter(|c| {
            is_approval_command(&is_bot, opts.lgtm_acts_as_approve, &c.author, &c.body)
                || is_approval_state(
                    &is_bot,
                    review_acts_as_approve,
                    &c.author,
                    c.review_state.as_ref(),
                )
        })
        .collect();
    add_approvers(&mut ap, &comments, &pr.author, review_acts_as_approve);
    ap.add_assignees(&pr.assignees);

    // A person's `approved` label approves whatever the OWNERS files say; it only matters
    // when the requirements are not met.
    if has_approved_label && !ap.requirements_met() {
        ap.manually_approved = match label_added_by_human(ctx, bot, repo, number, labels::APPROVED)
            .await
        {
            Ok(human) => human,
            Err(error) => {
                tracing::error!(%repo, number, %error, "failed to check who added the approved label");
                false
            }
        };
    }

    let notifications: Vec<&Comment> = issue_comments
        .iter()
        .filter(|c| bot.is(&c.author) && NOTIFICATION_RE.is_match(&c.body))
        .collect();
    let link_url = if ctx
        .config
        .prow
        .github_options
        .link_url_from_config
        .is_empty()
    {
        DEFAULT_GITHUB_LINK_URL
    } else {
        ctx.config.prow.github_options.link_url_from_config.as_str()
    };
    let links = Links {
        github: link_url,
        command_help: &opts.command_help_link,
        pr_process: &opts.pr_process_link,
    };
    let message = notifier::message(&ap, &links, &repo.org, &repo.repo, &pr.branch);
    let unchanged = notifications
        .last()
        .is_some_and(|latest| latest.body.contains(&message));
    if !unchanged {
        for notification in &notifications {
            if let Err(error) = gh.delete_comment(repo, notification.id).await {
                tracing::error!(%repo, number, id = notification.id, %error, "failed to delete an old approval notification");
            }
        }
        if let Err(error) = gh.create_comment(repo, number, &message).await {
            tracing::error!(%repo, number, %error, "failed to create the approval notification");
        }
    }

    if !ap.is_approved() {
        if has_approved_label
            && let Err(error) = gh.remove_label(repo, number, labels::APPROVED).await
        {
            tracing::error!(%repo, number, %error, "failed to remove the approved label");
        }
    } else if !has_approved_label
        && let Err(error) = gh.add_label(repo, number, labels::APPROVED).await
    {
        tracing::error!(%repo, number, %error, "failed to add the approved label");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{BOT, Harness};
    use prow_core::github::Permission;
    use prow_github::simulator::{Files, NewPullRequest};

    /// The repository on `master` (and `dev`): upstream's test tree, plus aliases, a
    /// `no_parent_owners` directory, a non-collaborator approver, another OWNERS file name
    /// and a markdown file with an owners header.
    const TREE: &[(&str, &str)] = &[
        ("README.md", "# repo\n"),
        ("a/OWNERS", "approvers:\n- alice\n"),
        ("a/b/OWNERS", "approvers:\n- bob\n"),
        (
            "a/n/OWNERS",
            "options:\n  no_parent_owners: true\napprovers:\n- bob\n",
        ),
        ("c/OWNERS", "approvers:\n- cblecker\n- cjwagner\n"),
        (
            "d/OWNERS",
            "options:\n  auto_approve_unowned_subfolders: true\napprovers:\n- alice\n",
        ),
        ("e/OWNERS", "approvers:\n- spxtr\n"),
        ("f/OWNERS", "approvers:\n- f-team\n"),
        ("g/OWNERS", "approvers:\n- random\n"),
        ("x/APPROVERS", "approvers:\n- bob\n"),
        ("docs/guide.md", "---\napprovers:\n- bob\n---\n# Guide\n"),
        ("OWNERS_ALIASES", "aliases:\n  f-team:\n  - bob\n"),
    ];

    /// A review's state, as a test writes it.
    #[derive(Clone, Copy, Debug)]
    enum Rv {
        Approve,
        Changes,
        Comment,
    }

    /// Something a person (or the bot) does on pull request #1.
    #[derive(Clone, Copy, Debug)]
    enum Step {
        /// A comment by a user.
        Comment(&'static str, &'static str),
        /// A comment by the bot (an old notification).
        BotComment(&'static str),
        /// The `n`th comment made by the case gets a new body.
        EditComment(usize, &'static str),
        /// A review by a user.
        Review(&'static str, Rv, &'static str),
        /// The `n`th review of the case is dismissed.
        DismissReview(usize),
        /// A comment on the diff, on the first changed file.
        ReviewComment(&'static str, &'static str),
        /// A label added by a user (or the bot).
        Label(&'static str, &'static str),
        /// A commit pushed to the pull request's branch.
        Push(&'static str),
        /// The pull request closed and reopened.
        Close,
        Reopen,
        /// A review requested from alice.
        RequestReview,
        /// A comment with `/approve` on an issue rather than the pull request.
        IssueComment,
        /// The plugin handles what happened so far; its calls are forgotten.
        Run,
    }

    /// A call the bot is expected to make, in order.
    #[derive(Clone, Copy, Debug)]
    enum Want {
        /// Deletes an old notification.
        Delete,
        /// Posts this notification (`{pr}` is the pull request's address, `{n}` the address
        /// of the case's `n`th comment or review).
        Notify(&'static str),
        /// Posts a notification containing this text.
        NotifyContaining(&'static str),
        AddLabel,
        RemoveLabel,
    }

    #[derive(Clone, Copy)]
    struct Case {
        name: &'static str,
        self_approve: bool,
        issue_required: bool,
        lgtm_acts_as_approve: bool,
        review_acts_as_approve: bool,
        /// More `plugins.yaml`.
        extra: &'static str,
        link_url: &'static str,
        base: &'static str,
        files: &'static [&'static str],
        body: &'static str,
        /// Whether the webhooks of opening the pull request are the trigger.
        open_is_trigger: bool,
        setup: &'static [Step],
        trigger: &'static [Step],
        want: &'static [Want],
    }

    const BASE: Case = Case {
        name: "",
        self_approve: false,
        issue_required: false,
        lgtm_acts_as_approve: false,
        review_acts_as_approve: false,
        extra: "",
        link_url: "",
        base: "master",
        files: &["a/a.go"],
        body: "",
        open_is_trigger: false,
        setup: &[],
        trigger: &[],
        want: &[],
    };

    const STALE_APPROVED: &str = "[APPROVALNOTIFIER] This PR is **APPROVED**\n\nblah";
    const STALE_NOT_APPROVED: &str = "[APPROVALNOTIFIER] This PR is **NOT APPROVED**\n\nblah";

    const INITIAL_APPROVED: &str = r#"[APPROVALNOTIFIER] This PR is **APPROVED**

This pull-request has been approved by: *<a href="{pr}#" title="Author self-approved">cjwagner</a>*

The full list of commands accepted by this bot can be found [here](https://go.k8s.io/bot-commands?repo=org%2Frepo).

The pull request process is described [here](https://git.k8s.io/community/contributors/guide/owners.md#the-code-review-process)

<details >
Needs approval from an approver in each of these files:

- ~~[c/OWNERS](https://github.com/org/repo/blob/master/c/OWNERS)~~ [cjwagner]

Approvers can indicate their approval by writing `/approve` in a comment
Approvers can cancel approval by writing `/approve cancel` in a comment
</details>
<!-- META={"approvers":[]} -->"#;

    const C_UNAPPROVED: &str = r#"[APPROVALNOTIFIER] This PR is **NOT APPROVED**

This pull-request has been approved by:
**Once this PR has been reviewed and has the lgtm label**, please assign [cblecker](https://github.com/cblecker) for approval. For more information see [the Code Review Process](https://git.k8s.io/community/contributors/guide/owners.md#the-code-review-process).

The full list of commands accepted by this bot can be found [here](https://go.k8s.io/bot-commands?repo=org%2Frepo).

<details open>
Needs approval from an approver in each of these files:

- **[c/OWNERS](https://github.com/org/repo/blob/master/c/OWNERS)**

Approvers can indicate their approval by writing `/approve` in a comment
Approvers can cancel approval by writing `/approve cancel` in a comment
</details>
<!-- META={"approvers":["cblecker"]} -->"#;

    const A_APPROVED_BY_FIRST: &str = r#"[APPROVALNOTIFIER] This PR is **APPROVED**

This pull-request has been approved by: *<a href="{0}" title="Approved">alice</a>*

The full list of commands accepted by this bot can be found [here](https://go.k8s.io/bot-commands?repo=org%2Frepo).

The pull request process is described [here](https://git.k8s.io/community/contributors/guide/owners.md#the-code-review-process)

<details >
Needs approval from an approver in each of these files:

- ~~[a/OWNERS](https://github.com/org/repo/blob/master/a/OWNERS)~~ [alice]

Approvers can indicate their approval by writing `/approve` in a comment
Approvers can cancel approval by writing `/approve cancel` in a comment
</details>
<!-- META={"approvers":[]} -->"#;

    const A_CANCELLED: &str = r#"[APPROVALNOTIFIER] This PR is **NOT APPROVED**

This pull-request has been approved by: *<a href="{pr}#" title="Author self-approved">cjwagner</a>*
**Once this PR has been reviewed and has the lgtm label**, please assign [alice](https://github.com/alice) for approval. For more information see [the Code Review Process](https://git.k8s.io/community/contributors/guide/owners.md#the-code-review-process).

*No associated issue*. Update pull-request body to add a reference to an issue, or get approval with `/approve no-issue`

The full list of commands accepted by this bot can be found [here](https://go.k8s.io/bot-commands?repo=org%2Frepo).

<details open>
Needs approval from an approver in each of these files:

- **[a/OWNERS](https://github.com/org/repo/blob/master/a/OWNERS)**

Approvers can indicate their approval by writing `/approve` in a comment
Approvers can cancel approval by writing `/approve cancel` in a comment
</details>
<!-- META={"approvers":["alice"]} -->"#;

    const A_AND_C_UNAPPROVED: &str = r#"[APPROVALNOTIFIER] This PR is **NOT APPROVED**

This pull-request has been approved by:
**Once this PR has been reviewed and has the lgtm label**, please assign [alice](https://github.com/alice), [cblecker](https://github.com/cblecker) for approval. For more information see [the Code Review Process](https://git.k8s.io/community/contributors/guide/owners.md#the-code-review-process).

The full list of commands accepted by this bot can be found [here](https://go.k8s.io/bot-commands?repo=org%2Frepo).

<details open>
Needs approval from an approver in each of these files:

- **[a/OWNERS](https://github.com/org/repo/blob/master/a/OWNERS)**
- **[c/OWNERS](https://github.com/org/repo/blob/master/c/OWNERS)**

Approvers can indicate their approval by writing `/approve` in a comment
Approvers can cancel approval by writing `/approve cancel` in a comment
</details>
<!-- META={"approvers":["alice","cblecker"]} -->"#;

    const CANCEL_SELF: &[Step] = &[
        Step::Label(BOT, "approved"),
        Step::BotComment(STALE_APPROVED),
    ];
    const CANCELLED: &[Want] = &[
        Want::Delete,
        Want::NotifyContaining("This PR is **NOT APPROVED**"),
        Want::RemoveLabel,
    ];

    const CASES: &[Case] = &[
        // Upstream's TestHandle.
        Case {
            name: "initial notification (approved)",
            self_approve: true,
            files: &["c/c.go"],
            open_is_trigger: true,
            want: &[Want::Notify(INITIAL_APPROVED), Want::AddLabel],
            ..BASE
        },
        Case {
            name: "initial notification (unapproved)",
            files: &["c/c.go"],
            open_is_trigger: true,
            want: &[Want::Notify(C_UNAPPROVED)],
            ..BASE
        },
        Case {
            name: "notification for unapproved state but assignee is also a potential approver",
            files: &["c/c.go", "e/e.go"],
            trigger: &[Step::Push("c/c.go")],
            want: &[Want::Notify(
                r#"[APPROVALNOTIFIER] This PR is **NOT APPROVED**

This pull-request has been approved by:
**Once this PR has been reviewed and has the lgtm label**, please ask for approval from [spxtr](https://github.com/spxtr) and additionally assign [cblecker](https://github.com/cblecker) for approval. For more information see [the Code Review Process](https://git.k8s.io/community/contributors/guide/owners.md#the-code-review-process).

The full list of commands accepted by this bot can be found [here](https://go.k8s.io/bot-commands?repo=org%2Frepo).

<details open>
Needs approval from an approver in each of these files:

- **[c/OWNERS](https://github.com/org/repo/blob/master/c/OWNERS)**
- **[e/OWNERS](https://github.com/org/repo/blob/master/e/OWNERS)**

Approvers can indicate their approval by writing `/approve` in a comment
Approvers can cancel approval by writing `/approve cancel` in a comment
</details>
<!-- META={"approvers":["cblecker","spxtr"]} -->"#,
            )],
            ..BASE
        },
        Case {
            name: "no-issue comment",
            issue_required: true,
            trigger: &[Step::Comment(
                "alice",
                "stuff\n/approve no-issue \nmore stuff",
            )],
            want: &[
                Want::Notify(
                    r#"[APPROVALNOTIFIER] This PR is **APPROVED**

This pull-request has been approved by: *<a href="{0}" title="Approved">alice</a>*

Associated issue requirement bypassed by: *<a href="{0}" title="Approved">alice</a>*

The full list of commands accepted by this bot can be found [here](https://go.k8s.io/bot-commands?repo=org%2Frepo).

The pull request process is described [here](https://git.k8s.io/community/contributors/guide/owners.md#the-code-review-process)

<details >
Needs approval from an approver in each of these files:

- ~~[a/OWNERS](https://github.com/org/repo/blob/master/a/OWNERS)~~ [alice]

Approvers can indicate their approval by writing `/approve` in a comment
Approvers can cancel approval by writing `/approve cancel` in a comment
</details>
<!-- META={"approvers":[]} -->"#,
                ),
                Want::AddLabel,
            ],
            ..BASE
        },
        Case {
            name: "issue provided in PR body",
            issue_required: true,
            body: "some changes that fix #42.\n/assign",
            trigger: &[Step::Comment("alice", "stuff\n/approve")],
            want: &[
                Want::Notify(
                    r#"[APPROVALNOTIFIER] This PR is **APPROVED**

This pull-request has been approved by: *<a href="{0}" title="Approved">alice</a>*

Associated issue: *#42*

The full list of commands accepted by this bot can be found [here](https://go.k8s.io/bot-commands?repo=org%2Frepo).

The pull request process is described [here](https://git.k8s.io/community/contributors/guide/owners.md#the-code-review-process)

<details >
Needs approval from an approver in each of these files:

- ~~[a/OWNERS](https://github.com/org/repo/blob/master/a/OWNERS)~~ [alice]

Approvers can indicate their approval by writing `/approve` in a comment
Approvers can cancel approval by writing `/approve cancel` in a comment
</details>
<!-- META={"approvers":[]} -->"#,
                ),
                Want::AddLabel,
            ],
            ..BASE
        },
        Case {
            name: "non-implicit self approve no-issue",
            issue_required: true,
            files: &["a/a.go", "c/c.go"],
            setup: &[Step::Comment("alice", "stuff\n/approve")],
            trigger: &[Step::Comment("cjwagner", "stuff\n/approve no-issue")],
            want: &[
                Want::NotifyContaining(
                    "This PR is **APPROVED**\n\nThis pull-request has been approved by: *<a href=\"{0}\" title=\"Approved\">alice</a>*, *<a href=\"{1}\" title=\"Approved\">cjwagner</a>*\n\nAssociated issue requirement bypassed by: *<a href=\"{1}\" title=\"Approved\">cjwagner</a>*",
                ),
                Want::AddLabel,
            ],
            ..BASE
        },
        Case {
            name: "implicit self approve, missing issue: notification up to date",
            self_approve: true,
            issue_required: true,
            files: &["a/a.go", "c/c.go"],
            setup: &[Step::Comment("alice", "stuff\n/approve"), Step::Run],
            trigger: &[Step::Push("a/a.go")],
            want: &[],
            ..BASE
        },
        Case {
            name: "remove approval with /approve cancel",
            self_approve: true,
            issue_required: true,
            setup: &[Step::Comment("alice", "/approve no-issue"), Step::Run],
            trigger: &[Step::Comment(
                "alice",
                "stuff\n/approve cancel \nmore stuff",
            )],
            want: &[Want::Delete, Want::Notify(A_CANCELLED), Want::RemoveLabel],
            ..BASE
        },
        Case {
            name: "remove approval with /remove-approve",
            self_approve: true,
            issue_required: true,
            setup: &[Step::Comment("alice", "/approve no-issue"), Step::Run],
            trigger: &[Step::Comment(
                "alice",
                "stuff\n/remove-approve \nmore stuff",
            )],
            want: &[Want::Delete, Want::Notify(A_CANCELLED), Want::RemoveLabel],
            ..BASE
        },
        Case {
            name: "remove approval after sync",
            body: "Changes the thing.\n fixes #42",
            files: &["a/b/b.go"],
            setup: &[Step::Comment("bob", "stuff\n/approve \nblah"), Step::Run],
            trigger: &[Step::Push("b/b.go")],
            want: CANCELLED,
            ..BASE
        },
        Case {
            name: "cancel implicit self approve",
            self_approve: true,
            issue_required: true,
            body: "Changes the thing.\n fixes #42",
            files: &["c/c.go"],
            setup: CANCEL_SELF,
            trigger: &[Step::Comment(
                "cjwagner",
                "stuff\n/approve cancel \nmore stuff",
            )],
            want: CANCELLED,
            ..BASE
        },
        Case {
            name: "remove-approve for implicit self approve",
            self_approve: true,
            issue_required: true,
            body: "Changes the thing.\n fixes #42",
            files: &["c/c.go"],
            setup: CANCEL_SELF,
            trigger: &[Step::Comment(
                "cjwagner",
                "stuff\n/remove-approve \nmore stuff",
            )],
            want: CANCELLED,
            ..BASE
        },
        Case {
            name: "cancel implicit self approve (with lgtm-after-commit message)",
            self_approve: true,
            issue_required: true,
            lgtm_acts_as_approve: true,
            body: "Changes the thing.\n fixes #42",
            files: &["c/c.go"],
            setup: CANCEL_SELF,
            trigger: &[Step::Comment(
                "cjwagner",
                "/lgtm cancel //PR changed after LGTM, removing LGTM.",
            )],
            want: CANCELLED,
            ..BASE
        },
        Case {
            name: "up to date, poked by pr sync",
            issue_required: true,
            body: "Finally fixes kubernetes/kubernetes#1\n",
            files: &["a/a.go", "a/aa.go"],
            setup: &[Step::Comment("alice", "stuff\n/approve\nblah"), Step::Run],
            trigger: &[Step::Push("a/a.go")],
            want: &[],
            ..BASE
        },
        Case {
            name: "out of date, poked by pr sync",
            issue_required: true,
            body: "Finally fixes kubernetes/kubernetes#1\n",
            files: &["a/a.go", "a/aa.go"],
            setup: &[
                Step::Comment("alice", "stuff\n/approve\nblah"),
                Step::BotComment(STALE_NOT_APPROVED),
            ],
            trigger: &[Step::Push("a/a.go")],
            want: &[
                Want::Delete,
                Want::NotifyContaining(
                    "This PR is **APPROVED**\n\nThis pull-request has been approved by: *<a href=\"{0}\" title=\"Approved\">alice</a>*\n\nAssociated issue: *#1*",
                ),
                Want::AddLabel,
            ],
            ..BASE
        },
        Case {
            name: "human added approve",
            setup: &[Step::BotComment(STALE_NOT_APPROVED)],
            trigger: &[Step::Label("alice", "approved")],
            want: &[
                Want::Delete,
                Want::Notify(
                    r#"[APPROVALNOTIFIER] This PR is **APPROVED**

Approval requirements bypassed by manually added approval.

This pull-request has been approved by:

The full list of commands accepted by this bot can be found [here](https://go.k8s.io/bot-commands?repo=org%2Frepo).

The pull request process is described [here](https://git.k8s.io/community/contributors/guide/owners.md#the-code-review-process)

<details >
Needs approval from an approver in each of these files:

- **[a/OWNERS](https://github.com/org/repo/blob/master/a/OWNERS)**

Approvers can indicate their approval by writing `/approve` in a comment
Approvers can cancel approval by writing `/approve cancel` in a comment
</details>
<!-- META={"approvers":["alice"]} -->"#,
                ),
            ],
            ..BASE
        },
        Case {
            name: "manually approved pull request without its issue says so",
            issue_required: true,
            trigger: &[Step::Label("alice", "approved")],
            want: &[Want::NotifyContaining(
                "This PR is **APPROVED**\n\nApproval requirements bypassed by manually added approval.\n\nThis pull-request has been approved by:\n\n*No associated issue*. Requirement bypassed by manually added approval.\n\n",
            )],
            ..BASE
        },
        Case {
            name: "lgtm means approve",
            lgtm_acts_as_approve: true,
            body: "This is a great PR that will fix\nlots of things!",
            files: &["a/a.go", "a/aa.go"],
            setup: &[Step::BotComment(STALE_NOT_APPROVED)],
            trigger: &[Step::Comment("alice", "stuff\n/lgtm\nblah")],
            want: &[
                Want::Delete,
                Want::NotifyContaining(
                    "This PR is **APPROVED**\n\nThis pull-request has been approved by: *<a href=\"{0}\" title=\"LGTM\">alice</a>*",
                ),
                Want::AddLabel,
            ],
            ..BASE
        },
        Case {
            name: "lgtm does not mean approve",
            files: &["a/a.go", "a/aa.go"],
            setup: &[Step::BotComment(STALE_NOT_APPROVED)],
            trigger: &[Step::Comment("alice", "stuff\n/lgtm\nblah")],
            want: &[],
            ..BASE
        },
        Case {
            name: "approve in review body with commented state",
            trigger: &[Step::Review("alice", Rv::Comment, "stuff\n/approve")],
            want: &[Want::Notify(A_APPROVED_BY_FIRST), Want::AddLabel],
            ..BASE
        },
        Case {
            name: "approved review but reviews do not act as approval",
            files: &["c/c.go"],
            trigger: &[Step::Review("cblecker", Rv::Approve, "stuff")],
            want: &[],
            ..BASE
        },
        Case {
            name: "approved review with reviews acting as approval",
            review_acts_as_approve: true,
            trigger: &[Step::Review("alice", Rv::Approve, "stuff")],
            want: &[Want::Notify(A_APPROVED_BY_FIRST), Want::AddLabel],
            ..BASE
        },
        Case {
            name: "reviews in non-approving state (should not approve)",
            review_acts_as_approve: true,
            files: &["c/c.go"],
            setup: &[
                Step::Review("cblecker", Rv::Comment, "stuff"),
                Step::Review("cblecker", Rv::Approve, "dismissed stuff"),
                Step::DismissReview(1),
            ],
            trigger: &[Step::Push("c/c.go")],
            want: &[Want::Notify(C_UNAPPROVED)],
            ..BASE
        },
        Case {
            name: "review in request changes state means cancel",
            review_acts_as_approve: true,
            files: &["c/c.go"],
            setup: &[Step::Review("cblecker", Rv::Approve, "yep"), Step::Run],
            trigger: &[Step::Review("cblecker", Rv::Changes, "nope")],
            want: &[Want::Delete, Want::Notify(C_UNAPPROVED), Want::RemoveLabel],
            ..BASE
        },
        Case {
            name: "dismissed review doesn't cancel prior approval",
            review_acts_as_approve: true,
            setup: &[
                Step::Review("alice", Rv::Approve, "yep"),
                Step::Review("alice", Rv::Approve, "again"),
                Step::Run,
            ],
            trigger: &[Step::DismissReview(1)],
            want: &[Want::Delete, Want::Notify(A_APPROVED_BY_FIRST)],
            ..BASE
        },
        Case {
            name: "approve cancel command supersedes earlier approved review",
            review_acts_as_approve: true,
            files: &["c/c.go"],
            setup: &[Step::Review("cblecker", Rv::Approve, "yep"), Step::Run],
            trigger: &[Step::Comment(
                "cblecker",
                "stuff\n/approve cancel \nmore stuff",
            )],
            want: &[Want::Delete, Want::Notify(C_UNAPPROVED), Want::RemoveLabel],
            ..BASE
        },
        Case {
            name: "remove-approve command supersedes earlier approved review",
            review_acts_as_approve: true,
            files: &["c/c.go"],
            setup: &[Step::Review("cblecker", Rv::Approve, "yep"), Step::Run],
            trigger: &[Step::Comment(
                "cblecker",
                "stuff\n/remove-approve \nmore stuff",
            )],
            want: &[Want::Delete, Want::Notify(C_UNAPPROVED), Want::RemoveLabel],
            ..BASE
        },
        Case {
            name: "approve cancel command supersedes simultaneous approved review",
            review_acts_as_approve: true,
            files: &["a/a.go", "c/c.go"],
            trigger: &[Step::Review("cblecker", Rv::Approve, "/approve cancel")],
            want: &[Want::Notify(A_AND_C_UNAPPROVED)],
            ..BASE
        },
        Case {
            name: "remove-approve command supersedes simultaneous approved review",
            review_acts_as_approve: true,
            files: &["a/a.go", "c/c.go"],
            trigger: &[Step::Review("cblecker", Rv::Approve, "/remove-approve")],
            want: &[Want::Notify(A_AND_C_UNAPPROVED)],
            ..BASE
        },
        Case {
            name: "approve command supersedes simultaneous changes requested review",
            review_acts_as_approve: true,
            trigger: &[Step::Review("alice", Rv::Changes, "/approve")],
            want: &[Want::Notify(A_APPROVED_BY_FIRST), Want::AddLabel],
            ..BASE
        },
        Case {
            name: "different branch, initial notification (approved)",
            self_approve: true,
            base: "dev",
            files: &["c/c.go"],
            open_is_trigger: true,
            want: &[
                Want::NotifyContaining(
                    "- ~~[c/OWNERS](https://github.com/org/repo/blob/dev/c/OWNERS)~~ [cjwagner]\n",
                ),
                Want::AddLabel,
            ],
            ..BASE
        },
        Case {
            name: "different GitHub link URL",
            self_approve: true,
            link_url: "https://github.mycorp.com",
            base: "dev",
            files: &["c/c.go"],
            open_is_trigger: true,
            want: &[
                Want::NotifyContaining(
                    "- ~~[c/OWNERS](https://github.mycorp.com/org/repo/blob/dev/c/OWNERS)~~ [cjwagner]\n",
                ),
                Want::AddLabel,
            ],
            ..BASE
        },
        Case {
            name: "approved because of auto_approve_unowned_subfolders",
            files: &["d/new-folder/new_file.go"],
            open_is_trigger: true,
            want: &[
                Want::Notify(
                    r#"[APPROVALNOTIFIER] This PR is **APPROVED**

This pull-request has been approved by:

The full list of commands accepted by this bot can be found [here](https://go.k8s.io/bot-commands?repo=org%2Frepo).

The pull request process is described [here](https://git.k8s.io/community/contributors/guide/owners.md#the-code-review-process)

<details >
Needs approval from an approver in each of these files:


Approvers can indicate their approval by writing `/approve` in a comment
Approvers can cancel approval by writing `/approve cancel` in a comment
</details>
<!-- META={"approvers":[]} -->"#,
                ),
                Want::AddLabel,
            ],
            ..BASE
        },
        Case {
            name: "every old notification is deleted",
            setup: &[
                Step::BotComment(STALE_NOT_APPROVED),
                Step::BotComment(STALE_NOT_APPROVED),
            ],
            trigger: &[Step::Comment("alice", "/approve")],
            want: &[
                Want::Delete,
                Want::Delete,
                Want::NotifyContaining("This PR is **APPROVED**"),
                Want::AddLabel,
            ],
            ..BASE
        },
        // Upstream's TestHandleGenericComment.
        Case {
            name: "edited comment is not a command",
            setup: &[Step::Comment("alice", "looks good")],
            trigger: &[Step::EditComment(0, "/approve")],
            ..BASE
        },
        Case {
            name: "comment on an issue is ignored",
            trigger: &[Step::IssueComment],
            ..BASE
        },
        Case {
            name: "comment on a closed pull request is ignored",
            setup: &[Step::Close],
            trigger: &[Step::Comment("alice", "/approve")],
            ..BASE
        },
        Case {
            name: "comment without an approve command is ignored",
            trigger: &[Step::Comment("alice", "stuff")],
            ..BASE
        },
        Case {
            name: "approve mid-line is not a command",
            trigger: &[Step::Comment("alice", "I will /approve later")],
            ..BASE
        },
        Case {
            name: "the bot's own commands are ignored",
            trigger: &[Step::BotComment("/approve")],
            ..BASE
        },
        Case {
            name: "approve with any argument approves",
            trigger: &[Step::Comment("alice", "/APPROVE please")],
            want: &[Want::Notify(A_APPROVED_BY_FIRST), Want::AddLabel],
            ..BASE
        },
        Case {
            name: "approve from a non-approver is listed but does not approve",
            trigger: &[Step::Comment("random", "/approve")],
            want: &[Want::NotifyContaining(
                "This PR is **NOT APPROVED**\n\nThis pull-request has been approved by: *<a href=\"{0}\" title=\"Approved\">random</a>*\n**Once this PR has been reviewed and has the lgtm label**, please assign [alice](https://github.com/alice) for approval.",
            )],
            ..BASE
        },
        Case {
            name: "approve in a review comment on the diff",
            trigger: &[Step::ReviewComment("alice", "/approve")],
            want: &[Want::Notify(A_APPROVED_BY_FIRST), Want::AddLabel],
            ..BASE
        },
        // Upstream's TestHandleReview.
        Case {
            name: "dismissed review is handled",
            review_acts_as_approve: true,
            files: &["c/c.go"],
            setup: &[Step::Review("cblecker", Rv::Approve, "yep"), Step::Run],
            trigger: &[Step::DismissReview(0)],
            want: &[Want::Delete, Want::Notify(C_UNAPPROVED), Want::RemoveLabel],
            ..BASE
        },
        Case {
            name: "lgtm command in an approved review is the comment's",
            review_acts_as_approve: true,
            lgtm_acts_as_approve: true,
            trigger: &[Step::Review("alice", Rv::Approve, "/lgtm")],
            want: &[
                Want::NotifyContaining("title=\"LGTM\">alice</a>*"),
                Want::AddLabel,
            ],
            ..BASE
        },
        Case {
            name: "GitHub App bot approved review is ignored",
            review_acts_as_approve: true,
            trigger: &[Step::Review("some-app[bot]", Rv::Approve, "looks good")],
            ..BASE
        },
        Case {
            name: "GitHub App bot changes requested review is ignored",
            review_acts_as_approve: true,
            trigger: &[Step::Review("some-app[bot]", Rv::Changes, "needs changes")],
            ..BASE
        },
        // Upstream's TestHandlePullRequest.
        Case {
            name: "pr reopened",
            files: &["c/c.go"],
            setup: &[Step::Close],
            trigger: &[Step::Reopen],
            want: &[Want::Notify(C_UNAPPROVED)],
            ..BASE
        },
        Case {
            name: "pr labeled with another label",
            trigger: &[Step::Label("alice", "some-label")],
            ..BASE
        },
        Case {
            name: "approved label added by the bot",
            trigger: &[Step::Label(BOT, "approved")],
            ..BASE
        },
        Case {
            name: "approved label on a closed pr",
            setup: &[Step::Close],
            trigger: &[Step::Label("alice", "approved")],
            ..BASE
        },
        Case {
            name: "pr review requested",
            trigger: &[Step::RequestReview],
            ..BASE
        },
        // OWNERS files and the owners section of plugins.yaml.
        Case {
            name: "alias members approve",
            files: &["f/f.go"],
            trigger: &[Step::Comment("bob", "/approve")],
            want: &[
                Want::NotifyContaining(
                    "- ~~[f/OWNERS](https://github.com/org/repo/blob/master/f/OWNERS)~~ [bob]\n",
                ),
                Want::AddLabel,
            ],
            ..BASE
        },
        Case {
            // g/OWNERS names only a non-collaborator: once filtered it has no approvers, and
            // its files fall to the (missing) root OWNERS file, as upstream.
            name: "approvers who are not collaborators do not count",
            files: &["g/g.go"],
            trigger: &[Step::Comment("random", "/approve")],
            want: &[Want::NotifyContaining(
                "- **[OWNERS](https://github.com/org/repo/blob/master/OWNERS)**\n\nApprovers can indicate their approval by writing `/approve` in a comment\nApprovers can cancel approval by writing `/approve cancel` in a comment\n</details>\n<!-- META={\"approvers\":[]} -->",
            )],
            ..BASE
        },
        Case {
            name: "skip_collaborators trusts the OWNERS files",
            extra: "owners:\n  skip_collaborators:\n  - org/repo\n",
            files: &["g/g.go"],
            trigger: &[Step::Comment("random", "/approve")],
            want: &[
                Want::NotifyContaining("This PR is **APPROVED**"),
                Want::AddLabel,
            ],
            ..BASE
        },
        Case {
            name: "OWNERS files are read on the base branch",
            extra: "owners:\n  skip_collaborators:\n  - org/repo\n",
            files: &["a/OWNERS"],
            trigger: &[Step::Comment("random", "/approve")],
            want: &[Want::NotifyContaining("This PR is **NOT APPROVED**")],
            ..BASE
        },
        Case {
            name: "no_parent_owners keeps parent approvers out",
            files: &["a/n/x.go"],
            trigger: &[Step::Comment("alice", "/approve")],
            want: &[Want::NotifyContaining(
                "This PR is **NOT APPROVED**\n\nThis pull-request has been approved by: *<a href=\"{0}\" title=\"Approved\">alice</a>*\n**Once this PR has been reviewed and has the lgtm label**, please assign [bob](https://github.com/bob) for approval.",
            )],
            ..BASE
        },
        Case {
            name: "OWNERS file name from plugins.yaml",
            extra: "owners:\n  filenames:\n    org/repo:\n      owners: APPROVERS\n      owners_aliases: OWNERS_ALIASES\n",
            files: &["x/x.go"],
            trigger: &[Step::Comment("bob", "/approve")],
            want: &[
                Want::NotifyContaining(
                    "- ~~[x/APPROVERS](https://github.com/org/repo/blob/master/x/APPROVERS)~~ [bob]\n",
                ),
                Want::AddLabel,
            ],
            ..BASE
        },
        Case {
            name: "markdown owners headers with mdyamlrepos",
            extra: "owners:\n  mdyamlrepos:\n  - org/repo\n",
            files: &["docs/guide.md"],
            trigger: &[Step::Comment("bob", "/approve")],
            want: &[
                Want::NotifyContaining(
                    "- ~~[docs/guide.md](https://github.com/org/repo/blob/master/docs/guide.md)~~ [bob]\n",
                ),
                Want::AddLabel,
            ],
            ..BASE
        },
        Case {
            name: "markdown owners headers ignored without mdyamlrepos",
            files: &["docs/guide.md"],
            trigger: &[Step::Comment("bob", "/approve")],
            want: &[Want::NotifyContaining(
                "- **[OWNERS](https://github.com/org/repo/blob/master/OWNERS)**\n",
            )],
            ..BASE
        },
    ];

    /// Opens pull request #1 from cjwagner as the case says, assigned to spxtr.
    fn world(case: &Case) -> (Harness, u64) {
        let mut tree = Files::new();
        for (path, contents) in TREE {
            tree = tree.put(*path, *contents);
        }
        let mut h = Harness::with_files(tree);
        for user in ["cblecker", "cjwagner", "spxtr"] {
            h.sim.add_user(user, None, None);
            h.sim
                .add_collaborator(&h.repo, user, Permission::Write)
                .expect("collaborator");
        }
        h.sim.add_user("some-app[bot]", None, None);
        h.sim.use_manual_clock(
            DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z")
                .expect("time")
                .with_timezone(&Utc),
        );
        if case.base != "master" {
            h.sim
                .create_branch_as("admin", &h.repo, case.base, "master")
                .expect("branch");
        }
        h.set_plugins_yaml(&format!(
            "approve:\n- repos:\n  - org\n  issue_required: {}\n  require_self_approval: {}\n  lgtm_acts_as_approve: {}\n  ignore_review_state: {}\n{}",
            case.issue_required,
            !case.self_approve,
            case.lgtm_acts_as_approve,
            !case.review_acts_as_approve,
            case.extra
        ));
        if !case.link_url.is_empty() {
            h.set_config_yaml(&format!("github:\n  link_url: {}\n", case.link_url), None);
        }
        let mut files = Files::new();
        for path in case.files {
            files = files.put(*path, "changed\n");
        }
        h.forget();
        let pr = h
            .sim
            .open_pull_request_with(
                &h.repo,
                "cjwagner",
                &NewPullRequest {
                    title: "change".into(),
                    body: case.body.into(),
                    head: "change".into(),
                    base: Some(case.base.into()),
                    files,
                    ..NewPullRequest::default()
                },
            )
            .expect("pull request");
        h.sim
            .assign_as("admin", &h.repo, pr, &["spxtr"])
            .expect("assign");
        (h, pr)
    }

    /// Does `step`; records the address of what it wrote.
    async fn act(h: &mut Harness, pr: u64, case: &Case, step: Step, made: &mut Made) {
        h.sim.advance_clock(chrono::Duration::minutes(1));
        let repo = h.repo.clone();
        let sim = h.sim.clone();
        let comment_url = |id: u64| {
            sim.issue_comments(&repo, pr)
                .expect("comments")
                .into_iter()
                .find(|c| c.id == id)
                .map(|c| c.html_url)
                .expect("comment")
        };
        match step {
            Step::Comment(user, body) => {
                let id = h.sim.comment_as(user, &repo, pr, body).expect("comment");
                made.comments.push(id);
                made.urls.push(comment_url(id));
            }
            Step::BotComment(body) => {
                h.sim.comment_as(BOT, &repo, pr, body).expect("bot comment");
            }
            Step::EditComment(n, body) => {
                let id = made.comments[n];
                let author = h
                    .sim
                    .issue_comments(&repo, pr)
                    .expect("comments")
                    .into_iter()
                    .find(|c| c.id == id)
                    .expect("comment")
                    .user
                    .login;
                h.sim
                    .edit_comment_as(&author, &repo, id, body)
                    .expect("edit");
            }
            Step::Review(user, state, body) => {
                let state = match state {
                    Rv::Approve => ReviewState::Approved,
                    Rv::Changes => ReviewState::ChangesRequested,
                    Rv::Comment => ReviewState::Commented,
                };
                let id = h
                    .sim
                    .review_as(user, &repo, pr, state, body)
                    .expect("review");
                made.reviews.push(id);
                let url = h
                    .sim
                    .reviews(&repo, pr)
                    .expect("reviews")
                    .into_iter()
                    .find(|r| r.id == id)
                    .map(|r| r.html_url)
                    .expect("review");
                made.urls.push(url);
            }
            Step::DismissReview(n) => {
                h.sim
                    .dismiss_review_as("admin", &repo, pr, made.reviews[n])
                    .expect("dismiss");
            }
            Step::ReviewComment(user, body) => {
                let id = h
                    .sim
                    .review_comment_as(user, &repo, pr, case.files[0], 1, body)
                    .expect("review comment");
                let url = h
                    .sim
                    .review_comments(&repo, pr)
                    .expect("review comments")
                    .into_iter()
                    .find(|c| c.id == id)
                    .map(|c| c.html_url)
                    .expect("review comment");
                made.urls.push(url);
            }
            Step::Label(user, label) => {
                h.sim.add_label_as(user, &repo, pr, label).expect("label");
            }
            Step::Push(path) => {
                made.pushes += 1;
                let contents = format!("change {}\n", made.pushes);
                h.sim
                    .push_to_pull_request(&repo, pr, Files::new().put(path, contents))
                    .expect("push");
            }
            Step::Close => h
                .sim
                .close_pull_request_as("admin", &repo, pr)
                .expect("close"),
            Step::Reopen => h
                .sim
                .reopen_pull_request_as("admin", &repo, pr)
                .expect("reopen"),
            Step::RequestReview => h
                .sim
                .request_review_as("admin", &repo, pr, &["alice"])
                .expect("request review"),
            Step::IssueComment => {
                let issue = h
                    .sim
                    .open_issue_as("author", &repo, "an issue", "", &[], &[])
                    .expect("issue");
                h.sim
                    .comment_as("alice", &repo, issue, "/approve")
                    .expect("issue comment");
            }
            Step::Run => {
                h.deliver_ok(&Approve).await;
                h.forget();
            }
        }
    }

    /// What the steps of a case made.
    #[derive(Default)]
    struct Made {
        comments: Vec<u64>,
        reviews: Vec<u64>,
        urls: Vec<String>,
        pushes: u32,
    }

    fn expand(text: &str, pr_url: &str, made: &Made) -> String {
        let mut out = text.replace("{pr}", pr_url);
        for (i, url) in made.urls.iter().enumerate() {
            out = out.replace(&format!("{{{i}}}"), url);
        }
        out
    }

    #[tokio::test]
    async fn approve_follows_upstream() {
        for case in CASES {
            let (mut h, pr) = world(case);
            if !case.open_is_trigger {
                h.forget();
            }
            let mut made = Made::default();
            for step in case.setup {
                act(&mut h, pr, case, *step, &mut made).await;
            }
            if !case.open_is_trigger {
                h.forget();
            }
            for step in case.trigger {
                act(&mut h, pr, case, *step, &mut made).await;
            }
            h.deliver_ok(&Approve).await;
            let pr_url = h.sim.pull_request(&h.repo, pr).expect("pr").html_url;
            let actions = h.bot_actions();
            assert_eq!(
                actions.len(),
                case.want.len(),
                "{}: {actions:#?}",
                case.name
            );
            for ((method, argument), want) in actions.iter().zip(case.want) {
                let ok = match want {
                    Want::Delete => method == "delete_comment",
                    Want::Notify(text) => {
                        let text = expand(text, &pr_url, &made);
                        assert_eq!(argument, &text, "{}", case.name);
                        method == "create_comment"
                    }
                    Want::NotifyContaining(text) => {
                        method == "create_comment"
                            && argument.starts_with("[APPROVALNOTIFIER] ")
                            && argument.contains(&expand(text, &pr_url, &made))
                    }
                    Want::AddLabel => method == "add_label" && argument == labels::APPROVED,
                    Want::RemoveLabel => method == "remove_label" && argument == labels::APPROVED,
                };
                assert!(ok, "{}: want {want:?}, got {method} {argument}", case.name);
            }
        }
    }

    #[test]
    fn associated_issues() {
        for (body, want) in [
            ("fixes #42", 42),
            ("Finally fixes kubernetes/kubernetes#1\n", 1),
            ("see https://github.com/org/other/issues/7 for more", 7),
            ("see https://github.com/else/other/issues/7", 0),
            ("no issue", 0),
            ("#99999999999999999999999", 0),
        ] {
            assert_eq!(find_associated_issue(body, "org"), want, "{body}");
        }
    }

    #[test]
    fn commands_are_read_as_upstream_reads_them() {
        let found: Vec<(String, Option<String>)> =
            approval_commands("stuff\n/approve no-issue \n/Remove-Approve\n /lgtm\n/lgtm cancel")
                .into_iter()
                .map(|i| (i.name.to_uppercase(), i.arg))
                .collect();
        assert_eq!(
            found,
            vec![
                ("APPROVE".to_owned(), Some("no-issue".to_owned())),
                ("REMOVE-APPROVE".to_owned(), None),
                ("LGTM".to_owned(), Some("cancel".to_owned())),
            ]
        );
    }

    /// Each quirk of upstream's `^/([^\s]+)[\t ]*([^\n\r]*)`, as the declarations reproduce it.
    #[test]
    fn approval_command_quirks() {
        struct Case {
            name: &'static str,
            body: &'static str,
            /// The commands found, upper-cased, with their argument.
            want: &'static [(&'static str, Option<&'static str>)],
            /// Whether the comment concerns approval without, and with, `lgtm_acts_as_approve`.
            concerns_approval: (bool, bool),
        }
        let cases = [
            Case {
                name: "any argument approves",
                body: "/approve when tests pass",
                want: &[("APPROVE", Some("when tests pass"))],
                concerns_approval: (true, true),
            },
            Case {
                name: "the name matches in any case",
                body: "/APPROVE\n/Remove-Approve",
                want: &[("APPROVE", None), ("REMOVE-APPROVE", None)],
                concerns_approval: (true, true),
            },
            Case {
                name: "a tab separates the argument",
                body: "/approve\tno-issue",
                want: &[("APPROVE", Some("no-issue"))],
                concerns_approval: (true, true),
            },
            Case {
                name: "the argument ends at a CRLF line end",
                body: "/approve cancel \r\n/lgtm\r\n",
                want: &[("APPROVE", Some("cancel")), ("LGTM", None)],
                concerns_approval: (true, true),
            },
            Case {
                name: "approvefoo is not approve",
                body: "/approvefoo",
                want: &[],
                concerns_approval: (false, false),
            },
            Case {
                name: "approve-foo is not approve",
                body: "/approve-foo",
                want: &[],
                concerns_approval: (false, false),
            },
            Case {
                name: "an indented approve is not a command",
                body: " /approve",
                want: &[],
                concerns_approval: (false, false),
            },
            Case {
                name: "approve mid-line is not a command",
                body: "I will /approve later",
                want: &[],
                concerns_approval: (false, false),
            },
            Case {
                name: "approve inside a fenced code block counts",
                body: "```\n/approve\n```",
                want: &[("APPROVE", None)],
                concerns_approval: (true, true),
            },
            Case {
                name: "lgtm takes any argument and any case",
                body: "/LGTM thanks!",
                want: &[("LGTM", Some("thanks!"))],
                concerns_approval: (false, true),
            },
            Case {
                name: "lgtm inside a fenced code block counts",
                body: "~~~\n/lgtm cancel\n~~~",
                want: &[("LGTM", Some("cancel"))],
                concerns_approval: (false, true),
            },
            Case {
                name: "lgtmfoo is not lgtm",
                body: "/lgtmfoo",
                want: &[],
                concerns_approval: (false, false),
            },
            Case {
                name: "commands keep the order written",
                body: "/lgtm\n/approve cancel\n/remove-approve\n/approve",
                want: &[
                    ("LGTM", None),
                    ("APPROVE", Some("cancel")),
                    ("REMOVE-APPROVE", None),
                    ("APPROVE", None),
                ],
                concerns_approval: (true, true),
            },
            Case {
                name: "other commands are not approval commands",
                body: "/hold\n/assign @alice",
                want: &[],
                concerns_approval: (false, false),
            },
        ];
        let not_bot = |_: &str| false;
        for case in cases {
            let found: Vec<(String, Option<String>)> = approval_commands(case.body)
                .into_iter()
                .map(|i| (i.name.to_uppercase(), i.arg))
                .collect();
            let want: Vec<(String, Option<String>)> = case
                .want
                .iter()
                .map(|(n, a)| ((*n).to_owned(), a.map(str::to_owned)))
                .collect();
            assert_eq!(found, want, "{}", case.name);
            let concerns = (
                is_approval_command(&not_bot, false, "alice", case.body),
                is_approval_command(&not_bot, true, "alice", case.body),
            );
            assert_eq!(concerns, case.concerns_approval, "{}", case.name);
        }
    }

    #[test]
    fn help_shows_each_repository_settings() {
        let plugins = PluginsConfig::load(
            "approve:\n- repos: [org2/repo]\n  issue_required: true\n  require_self_approval: true\n  lgtm_acts_as_approve: true\n  ignore_review_state: true\n",
        )
        .expect("plugins.yaml");
        let repos = [RepoName::new("org1", "repo"), RepoName::new("org2", "repo")];
        let help = Approve.help_for(&plugins, &repos);
        assert_eq!(
            help.config["org1/repo"],
            "Pull requests do not require an associated issue.<br>Pull request authors implicitly approve their own PRs.<br>The /lgtm [cancel] command(s) will not act as approval.<br>A GitHub approved or changes requested review will act as approval or cancel respectively."
        );
        assert_eq!(
            help.config["org2/repo"],
            "Pull requests require an associated issue.<br>Pull request authors do not implicitly approve their own PRs.<br>The /lgtm [cancel] command(s) will act as approval.<br>A GitHub approved or changes requested review will not act as approval or cancel respectively."
        );
        assert_eq!(
            help.commands[0].usage,
            "/[remove-]approve [no-issue|cancel]"
        );
        assert!(help.commands[0].featured);
    }
}
