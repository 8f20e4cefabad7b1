//! The `lgtm` plugin: `/lgtm` from a collaborator (or, where configured, an approving review)
//! adds the `lgtm` label that gates merging; `/lgtm cancel` and new commits take it off.

use std::sync::LazyLock;

use async_trait::async_trait;
use prow_core::config::plugins::{Lgtm as LgtmConfig, PluginsConfig};
use prow_core::event::{
    Event, PullRequestEvent, PullRequestEventAction, ReviewEvent, ReviewEventAction, ReviewState,
    User, has_label, norm_login,
};
use prow_core::github::{RepoName, TeamRole};
use prow_core::labels;
use prow_core::owners::LayeredSet;
use prow_core::traits::{EventKind, Plugin, PluginContext, PluginError, PluginEvent, PluginHelp};
use regex::Regex;

use crate::commands::{self, Arg, Command};
use crate::plugins::{
    created_comment, is_bot_login, load_repo_owners, prune_bot_comments, repo_of,
};
use crate::reply::format_response_raw;

/// `/lgtm`, `/lgtm no-issue` and `/lgtm cancel`.
pub static LGTM: Command = Command::new("lgtm")
    .arg(Arg::Optional("no-issue|cancel"))
    .case_insensitive()
    .usage("/[remove-]lgtm [cancel] or GitHub Review action")
    .featured()
    .description("Adds or removes the 'lgtm' label which is typically used to gate merging.")
    .who_can_use(
        "Collaborators on the repository. '/lgtm cancel' can be used additionally by the PR author.",
    )
    .examples(&[
        "/lgtm",
        "/lgtm cancel",
        "/remove-lgtm",
        "<a href=\"https://help.github.com/articles/about-pull-request-reviews/\">'Approve' or 'Request Changes'</a>",
    ]);

/// `/remove-lgtm` (documented with [`LGTM`]).
pub static REMOVE_LGTM: Command = Command::new("remove-lgtm").case_insensitive();

/// The comment the bot leaves when it adds `lgtm` with `store_tree_hash`, recording the tree
/// the approval was for; `{}` is the tree's SHA.
pub const ADDED_NOTIFICATION: &str =
    "LGTM label has been added.  <details>Git tree hash: {}</details>";

/// The comment the bot leaves when new commits take `lgtm` off.
pub const REMOVED_NOTIFICATION: &str = "New changes are detected. LGTM label has been removed.";

/// The reply to an author who `/lgtm`s their own pull request.
pub const OWN_PR: &str = "you cannot LGTM your own PR.";

/// The reply to someone without write access who changes `lgtm`.
pub const COLLABORATORS_ONLY: &str = "changing LGTM is restricted to collaborators";

/// The reply, where `owners.skip_collaborators` applies, to someone no OWNERS file of the
/// change names.
pub const OWNERS_ONLY: &str =
    "adding LGTM is restricted to approvers and reviewers in OWNERS files.";

/// Finds [`ADDED_NOTIFICATION`] and the tree SHA in it.
static ADDED_NOTIFICATION_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new("LGTM label has been added.  <details>Git tree hash: (.*)</details>")
        .expect("the notification pattern compiles")
});

/// [`ADDED_NOTIFICATION`] for `tree`.
pub fn added_notification(tree: &str) -> String {
    ADDED_NOTIFICATION.replace("{}", tree)
}

const CONFIG_REVIEW_ACTS_AS_LGTM: &str =
    "Reviews of \"approve\" or \"request changes\" act as adding or removing LGTM.";
const CONFIG_STORE_TREE_HASH: &str = "Squashing commits does not remove LGTM.";

/// The `lgtm` plugin.
#[derive(Debug, Default)]
pub struct Lgtm;

/// What a comment asks of `lgtm`: `Some(true)` to add it, `Some(false)` to take it off,
/// `None` when it says nothing about it. An `/lgtm` anywhere in the comment wins.
fn wanted(body: &str) -> Option<bool> {
    let found = LGTM.find(body);
    if found.iter().any(|i| !i.arg_is("cancel")) {
        Some(true)
    } else if !found.is_empty() || REMOVE_LGTM.is_in(body) {
        Some(false)
    } else {
        None
    }
}

/// Who asks for what, from a comment or a review.
struct Request<'a> {
    author: &'a str,
    issue_author: &'a str,
    body: &'a str,
    html_url: &'a str,
    repo: RepoName,
    assignees: &'a [User],
    number: u64,
}

impl Request<'_> {
    /// Replies to the author of the comment or review, quoting it.
    async fn reply(&self, ctx: &PluginContext, text: &str) -> Result<(), PluginError> {
        tracing::info!(repo = %self.repo, number = self.number, "replying: {text}");
        let body = format_response_raw(self.body, self.html_url, self.author, text);
        ctx.github
            .create_comment(&self.repo, self.number, &body)
            .await?;
        Ok(())
    }
}

/// Whether the author of a pull request is in `trusted_team_for_sticky_lgtm`, whose pushes
/// keep `lgtm`. The team is named by its name, not its slug.
async fn sticky_lgtm(ctx: &PluginContext, options: &LgtmConfig, author: &str, org: &str) -> bool {
    let name = &options.sticky_lgtm_team;
    if name.is_empty() {
        return false;
    }
    let teams = match ctx.github.list_teams(org).await {
        Ok(teams) => teams,
        Err(error) => {
            tracing::error!(org, %error, "failed to list the teams");
            return false;
        }
    };
    let Some(team) = teams.iter().find(|team| &team.name == name) else {
        tracing::error!(
            org,
            team = %name,
            "the configured trusted_team_for_sticky_lgtm was not found in the org"
        );
        return false;
    };
    match ctx
        .github
        .list_team_members(org, &team.slug, TeamRole::All)
        .await
    {
        Ok(members) => members.iter().any(|member| member.login == author),
        Err(error) => {
            tracing::error!(org, team = %name, %error, "failed to list the team's members");
            false
        }
    }
}

/// Takes `lgtm` off and, with `store_tree_hash`, asks the assignees to review again.
async fn remove_lgtm(
    ctx: &PluginContext,
    repo: &RepoName,
    number: u64,
    assignees: &[User],
    store_tree_hash: bool,
) -> Result<(), PluginError> {
    ctx.github
        .remove_label(repo, number, labels::LGTM)
        .await
        .map_err(|error| PluginError::internal(format!("failed removing lgtm label: {error}")))?;
    let logins: Vec<String> = assignees.iter().map(|u| u.login.clone()).collect();
    if store_tree_hash && !logins.is_empty() {
        ctx.github
            .request_review(repo, number, &logins)
            .await
            .map_err(|error| {
                PluginError::internal(format!("failed to re-request review: {error}"))
            })?;
    }
    Ok(())
}

/// The tree SHA of a commit, or `None` (logged) when it cannot be read.
async fn tree_of(ctx: &PluginContext, repo: &RepoName, sha: &str) -> Option<String> {
    match ctx.github.get_single_commit(repo, sha).await {
        Ok(commit) => Some(commit.tree_sha),
        Err(error) => {
            tracing::error!(%repo, sha, %error, "failed to get the commit");
            None
        }
    }
}

/// Adds or removes `lgtm` as `want` says, if the requester may.
async fn handle(ctx: &PluginContext, want: bool, rq: &Request<'_>) -> Result<(), PluginError> {
    let repo = &rq.repo;
    let number = rq.number;
    let is_author = rq.author == rq.issue_author;
    if is_author && want {
        return rq.reply(ctx, OWN_PR).await;
    }
    let is_assignee = rq.assignees.iter().any(|a| a.login == rq.author);
    let skip_collaborators = ctx.plugins.skip_collaborators(&repo.org, &repo.repo);
    let is_collaborator = ctx.github.is_collaborator(repo, rq.author).await?;
    if !is_author && !skip_collaborators && !is_collaborator {
        return rq.reply(ctx, COLLABORATORS_ONLY).await;
    }
    if !is_author && !is_assignee && !skip_collaborators {
        // Assigning makes sure the reviewer can be asked to review again later.
        tracing::info!(%repo, number, author = rq.author, "assigning the reviewer");
        if let Err(error) = ctx
            .github
            .assign_issue(repo, number, &[rq.author.to_owned()])
            .await
        {
            tracing::error!(%repo, number, %error, "failed to assign the reviewer");
        }
    } else if !is_author && skip_collaborators {
        let pr = ctx.github.get_pull_request(repo, number).await?;
        let changes = ctx
            .github
            .get_pull_request_changes(repo, number)
            .await
            .map_err(|error| {
                PluginError::internal(format!(
                    "cannot get PR changes for {repo}#{number}: {error}"
                ))
            })?;
        let files: Vec<String> = changes.into_iter().map(|c| c.filename).collect();
        let owners = load_repo_owners(ctx, repo, &pr.base.r#ref, &files).await?;
        let mut reviewers = LayeredSet::new();
        for file in &files {
            reviewers = reviewers
                .union(&owners.approvers(file))
                .union(&owners.reviewers(file));
        }
        if !reviewers.has(&norm_login(rq.author)) {
            return rq.reply(ctx, OWNERS_ONLY).await;
        }
    }

    let current = match ctx.github.get_issue_labels(repo, number).await {
        Ok(current) => current,
        Err(error) => {
            tracing::error!(%repo, number, %error, "failed to get the labels");
            Vec::new()
        }
    };
    let has_lgtm = has_label(&current, labels::LGTM);
    let options = ctx.plugins.lgtm_for(&repo.org, &repo.repo);
    if has_lgtm && !want {
        tracing::info!(%repo, number, "removing lgtm");
        remove_lgtm(ctx, repo, number, rq.assignees, options.store_tree_hash).await?;
        if options.store_tree_hash {
            prune_bot_comments(ctx, repo, number, |c| {
                ADDED_NOTIFICATION_RE.is_match(&c.body)
            })
            .await;
        }
    } else if !has_lgtm && want {
        tracing::info!(%repo, number, "adding lgtm");
        ctx.github.add_label(repo, number, labels::LGTM).await?;
        if !sticky_lgtm(ctx, &options, rq.issue_author, &repo.org).await {
            if options.store_tree_hash {
                store_tree_hash(ctx, repo, number).await;
            }
            prune_bot_comments(ctx, repo, number, |c| c.body.contains(REMOVED_NOTIFICATION)).await;
        }
    }
    Ok(())
}

/// Records the tree the pull request's head has now, so that a push leaving it unchanged
/// (a squash, a rebase without conflicts) keeps `lgtm`. Failures are logged.
async fn store_tree_hash(ctx: &PluginContext, repo: &RepoName, number: u64) {
    let pr = match ctx.github.get_pull_request(repo, number).await {
        Ok(pr) => pr,
        Err(error) => {
            tracing::error!(%repo, number, %error, "failed to get the pull request");
            return;
        }
    };
    let Some(tree) = tree_of(ctx, repo, &pr.head.sha).await else {
        return;
    };
    tracing::info!(%repo, number, tree, "adding a comment to store the tree hash");
    if let Err(error) = ctx
        .github
        .create_comment(repo, number, &added_notification(&tree))
        .await
    {
        tracing::error!(%repo, number, %error, "failed to add the tree hash comment");
    }
}

/// A push to a pull request with `lgtm` takes it off, unless its author is in the sticky
/// team or (with `store_tree_hash`) the tree is the one approved.
async fn handle_pull_request(
    ctx: &PluginContext,
    pe: &PullRequestEvent,
) -> Result<(), PluginError> {
    let pr = &pe.pull_request;
    if pr.merged || pe.action != PullRequestEventAction::Synchronize {
        return Ok(());
    }
    let repo = match &pr.base.repo {
        Some(base) => RepoName::new(base.org(), &base.name),
        None => RepoName::new(pe.repo.org(), &pe.repo.name),
    };
    let number = pr.number;
    let options = ctx.plugins.lgtm_for(&repo.org, &repo.repo);
    if sticky_lgtm(ctx, &options, &pr.user.login, &repo.org).await {
        return Ok(());
    }
    let current = match ctx.github.get_issue_labels(&repo, number).await {
        Ok(current) => current,
        Err(error) => {
            tracing::error!(%repo, number, %error, "failed to get the labels");
            Vec::new()
        }
    };
    if !has_label(&current, labels::LGTM) {
        return Ok(());
    }
    if options.store_tree_hash {
        let bot = ctx.github.bot_user().await?.login;
        let comments = match ctx.github.list_issue_comments(&repo, number).await {
            Ok(comments) => comments,
            Err(error) => {
                tracing::error!(%repo, number, %error, "failed to get the comments");
                Vec::new()
            }
        };
        // The latest unedited notification from the bot.
        let approved_tree = comments.iter().rev().find_map(|c| {
            let tree = ADDED_NOTIFICATION_RE.captures(&c.body)?.get(1)?.as_str();
            (is_bot_login(&bot, &c.user.login) && c.updated_at == c.created_at).then_some(tree)
        });
        if let Some(approved) = approved_tree.filter(|t| !t.is_empty()) {
            let tree = tree_of(ctx, &repo, &pr.head.sha).await;
            if tree.as_deref() == Some(approved) {
                tracing::info!(%repo, number, approved, "keeping lgtm: the tree is unchanged");
                return Ok(());
            }
        }
    }
    remove_lgtm(ctx, &repo, number, &pr.assignees, options.store_tree_hash).await?;
    tracing::info!(%repo, number, "commenting that new changes removed lgtm");
    ctx.github
        .create_comment(&repo, number, REMOVED_NOTIFICATION)
        .await?;
    Ok(())
}

/// With `review_acts_as_lgtm`, an approving review adds `lgtm` and a review requesting
/// changes takes it off.
async fn handle_review(ctx: &PluginContext, re: &ReviewEvent) -> Result<(), PluginError> {
    let repo = RepoName::new(re.repo.org(), &re.repo.name);
    if !ctx
        .plugins
        .lgtm_for(&repo.org, &repo.repo)
        .review_acts_as_lgtm
        || re.action != ReviewEventAction::Submitted
    {
        return Ok(());
    }
    let reviewer = &re.review.user;
    // GitHub Apps cannot be collaborators; the bot's own reviews do not count either.
    let bot = ctx.github.bot_user().await?.login;
    if is_bot_login(&bot, &reviewer.login) || reviewer.user_type == "Bot" {
        return Ok(());
    }
    let body = re.review.body.as_deref().unwrap_or_default();
    // A review whose text is an lgtm command is handled as that command.
    if wanted(body).is_some() {
        return Ok(());
    }
    let want = match re.review.state {
        ReviewState::Approved => true,
        ReviewState::ChangesRequested => false,
        _ => return Ok(()),
    };
    let rq = Request {
        author: &reviewer.login,
        issue_author: &re.pull_request.user.login,
        body,
        html_url: &re.review.html_url,
        repo,
        assignees: &re.pull_request.assignees,
        number: re.pull_request.number,
    };
    handle(ctx, want, &rq).await
}

#[async_trait]
impl Plugin for Lgtm {
    fn name(&self) -> &str {
        "lgtm"
    }

    fn events(&self) -> &[EventKind] {
        &[
            EventKind::GenericComment,
            EventKind::PullRequest,
            EventKind::PullRequestReview,
        ]
    }

    fn help(&self) -> PluginHelp {
        self.help_for(&PluginsConfig::default(), &[])
    }

    /// The configuration of each repository under `lgtm` in `plugins.yaml`
    /// (`review_acts_as_lgtm`, `store_tree_hash`, `trusted_team_for_sticky_lgtm`), for the
    /// repositories that set any of it.
    fn help_for(&self, plugins: &PluginsConfig, repos: &[RepoName]) -> PluginHelp {
        let mut config = std::collections::BTreeMap::new();
        for repo in repos {
            let options = plugins.lgtm_for(&repo.org, &repo.repo);
            let mut items = Vec::new();
            if options.review_acts_as_lgtm {
                items.push(CONFIG_REVIEW_ACTS_AS_LGTM.to_owned());
            }
            if options.store_tree_hash {
                items.push(CONFIG_STORE_TREE_HASH.to_owned());
            }
            if !options.sticky_lgtm_team.is_empty() {
                items.push(format!(
                    "Commits from \"{}\" do not remove LGTM.",
                    options.sticky_lgtm_team
                ));
            }
            if items.is_empty() {
                continue;
            }
            let mut lines = vec!["The plugin has the following configuration:<ul>".to_owned()];
            lines.extend(items.into_iter().map(|item| format!("<li>{item}</li>")));
            lines.push("</ul>".to_owned());
            config.insert(repo.to_string(), lines.join("\n"));
        }
        PluginHelp {
            description: "The lgtm plugin manages the application and removal of the 'lgtm' (Looks Good To Me) label which is typically used to gate merging.".to_owned(),
            config,
            commands: commands::help(&[&LGTM]),
            ..PluginHelp::default()
        }
    }

    async fn handle(&self, ctx: &PluginContext, event: &PluginEvent) -> Result<(), PluginError> {
        match event.kind {
            EventKind::GenericComment => {
                let Some(comment) = created_comment(event) else {
                    return Ok(());
                };
                if !comment.is_pr || comment.issue_state != "open" {
                    return Ok(());
                }
                let Some(want) = wanted(&comment.body) else {
                    return Ok(());
                };
                let rq = Request {
                    author: &comment.user.login,
                    issue_author: &comment.issue_author.login,
                    body: &comment.body,
                    html_url: &comment.html_url,
                    repo: repo_of(comment),
                    assignees: &comment.assignees,
                    number: comment.number,
                };
                handle(ctx, want, &rq).await
            }
            EventKind::PullRequest => match event.event.as_ref() {
                Event::PullRequest(pe) => handle_pull_request(ctx, pe).await,
                _ => Ok(()),
            },
            EventKind::PullRequestReview => match event.event.as_ref() {
                Event::PullRequestReview(re) => handle_review(ctx, re).await,
                _ => Ok(()),
            },
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{BOT, Harness};
    use prow_github::simulator::Files;

    const STORE_TREE_HASH: &str = "lgtm:\n- repos: [org/repo]\n  store_tree_hash: true\n";
    const REVIEWS: &str = "lgtm:\n- repos: [org/repo]\n  review_acts_as_lgtm: true\n";
    const REVIEWS_AND_TREE: &str =
        "lgtm:\n- repos: [org/repo]\n  review_acts_as_lgtm: true\n  store_tree_hash: true\n";

    /// A pull request from `author` changing `doc/README.md`, assigned to alice (and to
    /// `assignee1`, who only commented, when `outsider_assignee`), with `lgtm` when
    /// `has_lgtm`. The calls and webhooks so far are forgotten.
    fn world(plugins_yaml: &str, has_lgtm: bool, outsider_assignee: bool) -> (Harness, u64) {
        let mut h = Harness::with_files(
            Files::new()
                .put("README.md", "# repo\n")
                .put(
                    "doc/OWNERS",
                    "approvers: [cjwagner, jessica]\nreviewers: [alice, bob, mark, sam]\n",
                )
                .put("doc/README.md", "docs\n"),
        );
        for user in ["sam", "assignee1"] {
            h.sim.add_user(user, None, None);
        }
        if !plugins_yaml.is_empty() {
            h.set_plugins_yaml(plugins_yaml);
        }
        let pr = h.open_pr(
            "author",
            "change",
            Files::new().put("doc/README.md", "more docs\n"),
        );
        let mut assignees = vec!["alice"];
        if outsider_assignee {
            h.sim.comment_as("assignee1", &h.repo, pr, "hi").unwrap();
            assignees.push("assignee1");
        }
        h.sim.assign_as("alice", &h.repo, pr, &assignees).unwrap();
        if has_lgtm {
            h.sim
                .add_label_as("alice", &h.repo, pr, labels::LGTM)
                .unwrap();
        }
        h.forget();
        (h, pr)
    }

    /// The tree SHA of the pull request's head.
    fn head_tree(h: &Harness, pr: u64) -> String {
        let head = h.sim.pull_request(&h.repo, pr).unwrap().head.sha;
        h.sim.commit(&h.repo, &head).unwrap().tree_sha
    }

    /// Asserts the bot's calls: methods and arguments, a comment's argument being the start
    /// of its body with `{tree}` standing for the head's tree SHA.
    fn assert_actions(h: &Harness, pr: u64, want: &[(&str, &str)], name: &str) {
        let tree = head_tree(h, pr);
        let got = h.bot_actions();
        assert_eq!(got.len(), want.len(), "{name}: {got:#?}");
        for ((method, arg), (want_method, want_arg)) in got.iter().zip(want) {
            assert_eq!(method, want_method, "{name}: {got:#?}");
            let want_arg = want_arg.replace("{tree}", &tree);
            if method == "create_comment" {
                assert!(
                    arg.starts_with(&want_arg),
                    "{name}:\n{arg}\nwant:\n{want_arg}"
                );
            } else {
                assert_eq!(arg, &want_arg, "{name}");
            }
        }
    }

    const TREE_COMMENT: &str =
        "LGTM label has been added.  <details>Git tree hash: {tree}</details>";

    #[tokio::test]
    async fn lgtm_comments() {
        struct Case {
            name: &'static str,
            body: &'static str,
            commenter: &'static str,
            has_lgtm: bool,
            skip_collaborators: bool,
            outsider_assignee: bool,
            want: &'static [(&'static str, &'static str)],
        }
        let case = |name, body, commenter, has_lgtm, want| Case {
            name,
            body,
            commenter,
            has_lgtm,
            skip_collaborators: false,
            outsider_assignee: false,
            want,
        };
        let added: &[(&str, &str)] = &[("add_label", "lgtm"), ("create_comment", TREE_COMMENT)];
        let assigned_and_added: &[(&str, &str)] = &[
            ("assign_issue", "bob"),
            ("add_label", "lgtm"),
            ("create_comment", TREE_COMMENT),
        ];
        let removed: &[(&str, &str)] = &[("remove_label", "lgtm"), ("request_review", "alice")];
        let assigned_and_removed: &[(&str, &str)] = &[
            ("assign_issue", "bob"),
            ("remove_label", "lgtm"),
            ("request_review", "alice"),
        ];
        let collaborators_only: &[(&str, &str)] = &[(
            "create_comment",
            "@random: changing LGTM is restricted to collaborators\n\n<details>",
        )];
        let cases = [
            case("non-lgtm comment", "uh oh", "bob", false, &[]),
            case(
                "lgtm comment by reviewer, no lgtm on pr",
                "/lgtm",
                "alice",
                false,
                added,
            ),
            case(
                "LGTM comment by reviewer, no lgtm on pr",
                "/LGTM",
                "alice",
                false,
                added,
            ),
            case(
                "lgtm comment by reviewer, lgtm on pr",
                "/lgtm",
                "alice",
                true,
                &[],
            ),
            case(
                "lgtm comment by author",
                "/lgtm",
                "author",
                false,
                &[(
                    "create_comment",
                    "@author: you cannot LGTM your own PR.\n\n<details>\n\nIn response to [this](",
                )],
            ),
            case(
                "lgtm cancel by author",
                "/lgtm cancel",
                "author",
                true,
                removed,
            ),
            case(
                "remove lgtm by author",
                "/remove-lgtm",
                "author",
                true,
                removed,
            ),
            case(
                "lgtm comment by non-reviewer",
                "/lgtm",
                "bob",
                false,
                assigned_and_added,
            ),
            case(
                "lgtm comment by non-reviewer, with trailing space",
                "/lgtm ",
                "bob",
                false,
                assigned_and_added,
            ),
            case(
                "lgtm comment by non-reviewer, with no-issue",
                "/lgtm no-issue",
                "bob",
                false,
                assigned_and_added,
            ),
            case(
                "lgtm comment by non-reviewer, with no-issue and trailing space",
                "/lgtm no-issue \r",
                "bob",
                false,
                assigned_and_added,
            ),
            case(
                "lgtm comment by rando",
                "/lgtm",
                "random",
                false,
                collaborators_only,
            ),
            case(
                "lgtm cancel by non-reviewer",
                "/lgtm cancel",
                "bob",
                true,
                assigned_and_removed,
            ),
            case(
                "remove lgtm by non-reviewer",
                "/remove-lgtm",
                "bob",
                true,
                assigned_and_removed,
            ),
            case(
                "lgtm cancel by rando",
                "/lgtm cancel",
                "random",
                true,
                collaborators_only,
            ),
            case(
                "remove lgtm by rando",
                "/remove-lgtm",
                "random",
                true,
                collaborators_only,
            ),
            case(
                "lgtm cancel comment by reviewer",
                "/lgtm cancel",
                "alice",
                true,
                removed,
            ),
            case(
                "remove-lgtm comment by reviewer",
                "/remove-lgtm",
                "alice",
                true,
                removed,
            ),
            case(
                "lgtm cancel comment by reviewer, with trailing space",
                "/lgtm cancel \r",
                "alice",
                true,
                removed,
            ),
            case(
                "remove lgtm comment by reviewer, with trailing space",
                "/remove-lgtm \r",
                "alice",
                true,
                removed,
            ),
            case(
                "lgtm cancel comment by reviewer, no lgtm",
                "/lgtm cancel",
                "alice",
                false,
                &[],
            ),
            case(
                "remove lgtm comment by reviewer, no lgtm",
                "/remove-lgtm",
                "alice",
                false,
                &[],
            ),
            case(
                "lgtm and cancel in one comment: lgtm wins",
                "/lgtm cancel\n/lgtm",
                "alice",
                false,
                added,
            ),
            case(
                "lgtm in a code block is not a command",
                "```\n/lgtm\n```",
                "alice",
                false,
                &[],
            ),
            case(
                "lgtm mid-sentence is not a command",
                "so /lgtm",
                "alice",
                false,
                &[],
            ),
            case(
                "lgtm with another argument is not a command",
                "/lgtm please",
                "alice",
                false,
                &[],
            ),
            Case {
                name: "lgtm comment, based off OWNERS only",
                body: "/lgtm",
                commenter: "sam",
                has_lgtm: false,
                skip_collaborators: true,
                outsider_assignee: false,
                want: added,
            },
            Case {
                name: "lgtm comment by a collaborator missing from OWNERS, based off OWNERS only",
                body: "/lgtm",
                commenter: "carol",
                has_lgtm: false,
                skip_collaborators: true,
                outsider_assignee: false,
                want: &[(
                    "create_comment",
                    "@carol: adding LGTM is restricted to approvers and reviewers in OWNERS files.\n\n<details>",
                )],
            },
            Case {
                name: "lgtm comment by assignee, but not collab",
                body: "/lgtm",
                commenter: "assignee1",
                has_lgtm: false,
                skip_collaborators: false,
                outsider_assignee: true,
                want: &[(
                    "create_comment",
                    "@assignee1: changing LGTM is restricted to collaborators\n\n<details>",
                )],
            },
        ];
        for case in cases {
            let yaml = if case.skip_collaborators {
                format!("{STORE_TREE_HASH}owners:\n  skip_collaborators: [org/repo]\n")
            } else {
                STORE_TREE_HASH.to_owned()
            };
            let (mut h, pr) = world(&yaml, case.has_lgtm, case.outsider_assignee);
            h.sim
                .comment_as(case.commenter, &h.repo, pr, case.body)
                .unwrap();
            h.deliver_ok(&Lgtm).await;
            assert_actions(&h, pr, case.want, case.name);
        }
    }

    #[tokio::test]
    async fn lgtm_only_on_open_pull_requests_and_new_comments() {
        let (mut h, pr) = world("", false, false);
        let issue = h.open_issue("author", "bug");
        h.sim.comment_as("alice", &h.repo, issue, "/lgtm").unwrap();
        h.deliver_ok(&Lgtm).await;
        assert!(h.bot_calls().is_empty(), "an issue");

        let id = h.sim.comment_as("alice", &h.repo, pr, "soon").unwrap();
        h.forget();
        h.sim
            .edit_comment_as("alice", &h.repo, id, "/lgtm")
            .unwrap();
        h.deliver_ok(&Lgtm).await;
        assert!(h.bot_calls().is_empty(), "an edit");

        h.sim.close_pull_request_as("author", &h.repo, pr).unwrap();
        h.forget();
        h.sim.comment_as("alice", &h.repo, pr, "/lgtm").unwrap();
        h.deliver_ok(&Lgtm).await;
        assert!(h.bot_calls().is_empty(), "a closed pull request");
    }

    #[tokio::test]
    async fn adding_lgtm_withdraws_the_removal_notification() {
        struct Case {
            name: &'static str,
            body: &'static str,
            commenter: &'static str,
            should_delete: bool,
        }
        let cases = [
            Case {
                name: "non-lgtm comment",
                body: "uh oh",
                commenter: "bob",
                should_delete: false,
            },
            Case {
                name: "lgtm comment by reviewer, no lgtm on pr",
                body: "/lgtm",
                commenter: "alice",
                should_delete: true,
            },
            Case {
                name: "LGTM comment by reviewer, no lgtm on pr",
                body: "/LGTM",
                commenter: "alice",
                should_delete: true,
            },
            Case {
                name: "lgtm comment by author",
                body: "/lgtm",
                commenter: "author",
                should_delete: false,
            },
            Case {
                name: "lgtm comment by non-reviewer",
                body: "/lgtm",
                commenter: "bob",
                should_delete: true,
            },
            Case {
                name: "lgtm comment by non-reviewer, with no-issue",
                body: "/lgtm no-issue",
                commenter: "bob",
                should_delete: true,
            },
            Case {
                name: "lgtm comment by rando",
                body: "/lgtm",
                commenter: "random",
                should_delete: false,
            },
            Case {
                name: "lgtm cancel comment by reviewer, no lgtm",
                body: "/lgtm cancel",
                commenter: "alice",
                should_delete: false,
            },
            Case {
                name: "remove-lgtm comment by reviewer, no lgtm",
                body: "/remove-lgtm",
                commenter: "alice",
                should_delete: false,
            },
        ];
        for case in cases {
            let (mut h, pr) = world("", false, false);
            let notification = h
                .sim
                .comment_as(BOT, &h.repo, pr, REMOVED_NOTIFICATION)
                .unwrap();
            // The same words from someone else are left alone.
            h.sim
                .comment_as("bob", &h.repo, pr, REMOVED_NOTIFICATION)
                .unwrap();
            h.forget();
            h.sim
                .comment_as(case.commenter, &h.repo, pr, case.body)
                .unwrap();
            h.deliver_ok(&Lgtm).await;
            let deleted: Vec<String> = h
                .bot_actions()
                .into_iter()
                .filter(|(method, _)| method == "delete_comment")
                .map(|(_, id)| id)
                .collect();
            let want = if case.should_delete {
                vec![notification.to_string()]
            } else {
                vec![]
            };
            assert_eq!(deleted, want, "{}", case.name);
        }
    }

    #[tokio::test]
    async fn cancelling_lgtm_withdraws_the_tree_hash_comment() {
        let (mut h, pr) = world(STORE_TREE_HASH, true, false);
        let stored = h
            .sim
            .comment_as(
                BOT,
                &h.repo,
                pr,
                &added_notification("6dcb09b5b57875f334f61aebed695e2e4193db5e"),
            )
            .unwrap();
        h.forget();
        h.sim
            .comment_as("alice", &h.repo, pr, "/lgtm cancel")
            .unwrap();
        h.deliver_ok(&Lgtm).await;
        let stored = stored.to_string();
        assert_actions(
            &h,
            pr,
            &[
                ("remove_label", "lgtm"),
                ("request_review", "alice"),
                ("delete_comment", &stored),
            ],
            "cancel with a stored tree hash",
        );
    }

    #[tokio::test]
    async fn sticky_team_authors_get_no_tree_hash_comment() {
        struct Case {
            name: &'static str,
            trusted_team: &'static str,
            want: &'static [(&'static str, &'static str)],
        }
        let cases = [
            Case {
                name: "Tree SHA if sticky lgtm off",
                trusted_team: "",
                want: &[("add_label", "lgtm"), ("create_comment", TREE_COMMENT)],
            },
            Case {
                name: "No Tree SHA if sticky lgtm",
                trusted_team: "Leads",
                want: &[("add_label", "lgtm")],
            },
            Case {
                name: "Tree SHA if the author is not in the sticky team",
                trusted_team: "Committers",
                want: &[("add_label", "lgtm"), ("create_comment", TREE_COMMENT)],
            },
        ];
        for case in cases {
            let yaml = format!(
                "{STORE_TREE_HASH}  trusted_team_for_sticky_lgtm: '{}'\n",
                case.trusted_team
            );
            let (mut h, pr) = world(&yaml, false, false);
            h.sim.add_team("org", "leads", "Leads").unwrap();
            h.sim
                .add_team_member("org", "leads", "author", false)
                .unwrap();
            h.sim.add_team("org", "committers", "Committers").unwrap();
            h.forget();
            h.sim.comment_as("alice", &h.repo, pr, "/lgtm").unwrap();
            h.deliver_ok(&Lgtm).await;
            assert_actions(&h, pr, case.want, case.name);
        }
    }

    #[tokio::test]
    async fn reviews_act_as_lgtm() {
        use prow_core::event::ReviewState::{Approved, ChangesRequested, Commented};
        struct Case {
            name: &'static str,
            yaml: &'static str,
            state: prow_core::event::ReviewState,
            body: &'static str,
            reviewer: &'static str,
            has_lgtm: bool,
            want: &'static [(&'static str, &'static str)],
        }
        let cases = [
            Case {
                name: "Request changes review by reviewer, no lgtm on pr",
                yaml: REVIEWS,
                state: ChangesRequested,
                body: "needs work",
                reviewer: "alice",
                has_lgtm: false,
                want: &[],
            },
            Case {
                name: "Request changes review by reviewer, lgtm on pr",
                yaml: REVIEWS,
                state: ChangesRequested,
                body: "needs work",
                reviewer: "alice",
                has_lgtm: true,
                want: &[("remove_label", "lgtm")],
            },
            Case {
                name: "Approve review by reviewer, no lgtm on pr",
                yaml: REVIEWS_AND_TREE,
                state: Approved,
                body: "",
                reviewer: "alice",
                has_lgtm: false,
                want: &[("add_label", "lgtm"), ("create_comment", TREE_COMMENT)],
            },
            Case {
                name: "Approve review by reviewer, no lgtm on pr, do not store tree_hash",
                yaml: REVIEWS,
                state: Approved,
                body: "",
                reviewer: "alice",
                has_lgtm: false,
                want: &[("add_label", "lgtm")],
            },
            Case {
                name: "Approve review by reviewer, lgtm on pr",
                yaml: REVIEWS,
                state: Approved,
                body: "",
                reviewer: "alice",
                has_lgtm: true,
                want: &[],
            },
            Case {
                name: "Approve review by non-reviewer, no lgtm on pr",
                yaml: REVIEWS_AND_TREE,
                state: Approved,
                body: "",
                reviewer: "bob",
                has_lgtm: false,
                want: &[
                    ("assign_issue", "bob"),
                    ("add_label", "lgtm"),
                    ("create_comment", TREE_COMMENT),
                ],
            },
            Case {
                name: "Request changes review by non-reviewer, no lgtm on pr",
                yaml: REVIEWS,
                state: ChangesRequested,
                body: "needs work",
                reviewer: "bob",
                has_lgtm: false,
                want: &[("assign_issue", "bob")],
            },
            Case {
                name: "Approve review by rando",
                yaml: REVIEWS,
                state: Approved,
                body: "",
                reviewer: "random",
                has_lgtm: false,
                want: &[(
                    "create_comment",
                    "@random: changing LGTM is restricted to collaborators\n\n<details>",
                )],
            },
            Case {
                name: "Comment review by issue author, no lgtm on pr",
                yaml: REVIEWS,
                state: Commented,
                body: "thoughts",
                reviewer: "author",
                has_lgtm: false,
                want: &[],
            },
            Case {
                name: "Comment body has /lgtm on Comment Review: handled once, as the command",
                yaml: REVIEWS,
                state: Commented,
                body: "/lgtm",
                reviewer: "alice",
                has_lgtm: false,
                want: &[("add_label", "lgtm")],
            },
            Case {
                name: "Comment body has /lgtm cancel on Approve Review",
                yaml: REVIEWS,
                state: Approved,
                body: "/lgtm cancel",
                reviewer: "alice",
                has_lgtm: false,
                want: &[],
            },
            Case {
                name: "Approve review by GitHub App bot, no lgtm on pr",
                yaml: REVIEWS,
                state: Approved,
                body: "",
                reviewer: "some-app[bot]",
                has_lgtm: false,
                want: &[],
            },
            Case {
                name: "Request changes review by GitHub App bot, lgtm on pr",
                yaml: REVIEWS,
                state: ChangesRequested,
                body: "no",
                reviewer: "some-app[bot]",
                has_lgtm: true,
                want: &[],
            },
            Case {
                name: "Approve review by the bot itself",
                yaml: REVIEWS,
                state: Approved,
                body: "",
                reviewer: BOT,
                has_lgtm: false,
                want: &[],
            },
            Case {
                name: "Approve review without review_acts_as_lgtm",
                yaml: "",
                state: Approved,
                body: "",
                reviewer: "alice",
                has_lgtm: false,
                want: &[],
            },
        ];
        for case in cases {
            let (mut h, pr) = world(case.yaml, case.has_lgtm, false);
            h.sim
                .review_as(case.reviewer, &h.repo, pr, case.state.clone(), case.body)
                .unwrap();
            h.deliver_ok(&Lgtm).await;
            assert_actions(&h, pr, case.want, case.name);
        }
    }

    #[tokio::test]
    async fn dismissed_reviews_are_ignored() {
        let (mut h, pr) = world(REVIEWS, false, false);
        let review = h
            .sim
            .review_as(
                "alice",
                &h.repo,
                pr,
                prow_core::event::ReviewState::Approved,
                "",
            )
            .unwrap();
        h.forget();
        h.sim
            .dismiss_review_as("admin", &h.repo, pr, review)
            .unwrap();
        h.deliver_ok(&Lgtm).await;
        assert!(h.bot_calls().is_empty());
    }

    #[tokio::test]
    async fn pushes_remove_lgtm() {
        #[derive(Default)]
        struct Case {
            name: &'static str,
            yaml: &'static str,
            has_lgtm: bool,
            trusted_team: &'static str,
            /// Bot comments to leave before the push is handled; `{tree}` is the new head's
            /// tree.
            comments: &'static [&'static str],
            /// Edit the bot's last comment a minute later.
            edited: bool,
            unassign: bool,
            want: &'static [(&'static str, &'static str)],
        }
        let removed: &[(&str, &str)] = &[
            ("remove_label", "lgtm"),
            ("request_review", "alice"),
            ("create_comment", REMOVED_NOTIFICATION),
        ];
        let cases = [
            Case {
                name: "pr_synchronize, no RemoveLabel error",
                yaml: STORE_TREE_HASH,
                has_lgtm: true,
                want: removed,
                ..Case::default()
            },
            Case {
                name: "Sticky LGTM for trusted team members",
                yaml: STORE_TREE_HASH,
                has_lgtm: true,
                trusted_team: "Leads",
                want: &[],
                ..Case::default()
            },
            Case {
                name: "LGTM not sticky for trusted user if disabled",
                yaml: STORE_TREE_HASH,
                has_lgtm: true,
                want: removed,
                ..Case::default()
            },
            Case {
                name: "LGTM not sticky for non trusted user",
                yaml: STORE_TREE_HASH,
                has_lgtm: true,
                trusted_team: "Committers",
                want: removed,
                ..Case::default()
            },
            Case {
                name: "pr_synchronize, same tree-hash, keep label",
                yaml: STORE_TREE_HASH,
                has_lgtm: true,
                comments: &[TREE_COMMENT],
                want: &[],
                ..Case::default()
            },
            Case {
                name: "pr_synchronize, same tree-hash, keep label, edited comment",
                yaml: STORE_TREE_HASH,
                has_lgtm: true,
                comments: &[TREE_COMMENT],
                edited: true,
                want: removed,
                ..Case::default()
            },
            Case {
                name: "pr_synchronize, 2 tree-hash comments, keep label",
                yaml: STORE_TREE_HASH,
                has_lgtm: true,
                comments: &[
                    "LGTM label has been added.  <details>Git tree hash: older_treeSHA</details>",
                    TREE_COMMENT,
                ],
                want: &[],
                ..Case::default()
            },
            Case {
                name: "pr_synchronize, a newer tree-hash comment for another tree",
                yaml: STORE_TREE_HASH,
                has_lgtm: true,
                comments: &[
                    TREE_COMMENT,
                    "LGTM label has been added.  <details>Git tree hash: newer_treeSHA</details>",
                ],
                want: removed,
                ..Case::default()
            },
            Case {
                name: "pr_synchronize, no RemoveLabel error, no assignees; no requested reviewers",
                yaml: STORE_TREE_HASH,
                has_lgtm: true,
                unassign: true,
                want: &[
                    ("remove_label", "lgtm"),
                    ("create_comment", REMOVED_NOTIFICATION),
                ],
                ..Case::default()
            },
            Case {
                name: "without store_tree_hash no review is requested",
                yaml: "",
                has_lgtm: true,
                comments: &[TREE_COMMENT],
                want: &[
                    ("remove_label", "lgtm"),
                    ("create_comment", REMOVED_NOTIFICATION),
                ],
                ..Case::default()
            },
            Case {
                name: "no lgtm label, nothing to do",
                yaml: STORE_TREE_HASH,
                has_lgtm: false,
                want: &[],
                ..Case::default()
            },
        ];
        for case in cases {
            let yaml = if case.trusted_team.is_empty() {
                case.yaml.to_owned()
            } else {
                format!(
                    "{}  trusted_team_for_sticky_lgtm: {}\n",
                    case.yaml, case.trusted_team
                )
            };
            let (mut h, pr) = world(&yaml, case.has_lgtm, false);
            if case.edited {
                h.sim.use_manual_clock(chrono::Utc::now());
            }
            h.sim.add_team("org", "leads", "Leads").unwrap();
            h.sim
                .add_team_member("org", "leads", "author", false)
                .unwrap();
            h.sim.add_team("org", "committers", "Committers").unwrap();
            if case.unassign {
                h.sim.unassign_as("alice", &h.repo, pr, &["alice"]).unwrap();
            }
            h.forget();
            h.sim
                .push_to_pull_request(&h.repo, pr, Files::new().put("more.txt", "more"))
                .unwrap();
            // The comments the bot left when it added lgtm, for the tree now pushed.
            let tree = head_tree(&h, pr);
            let mut last = None;
            for comment in case.comments {
                last = Some(
                    h.sim
                        .comment_as(BOT, &h.repo, pr, &comment.replace("{tree}", &tree))
                        .unwrap(),
                );
            }
            if case.edited {
                h.sim.advance_clock(chrono::Duration::minutes(1));
                let id = last.unwrap();
                h.sim
                    .edit_comment_as(BOT, &h.repo, id, &TREE_COMMENT.replace("{tree}", &tree))
                    .unwrap();
            }
            h.sim.take_calls();
            h.deliver_ok(&Lgtm).await;
            assert_actions(&h, pr, case.want, case.name);
        }
    }

    #[tokio::test]
    async fn other_pull_request_actions_keep_lgtm() {
        let (mut h, pr) = world(STORE_TREE_HASH, true, false);
        h.sim.assign_as("alice", &h.repo, pr, &["bob"]).unwrap();
        h.sim
            .edit_title_as("author", &h.repo, pr, "better title")
            .unwrap();
        h.deliver_ok(&Lgtm).await;
        assert!(h.bot_calls().is_empty());
    }

    #[test]
    fn help_describes_each_repository_configuration() {
        let repos = [RepoName::new("org1", "repo"), RepoName::new("org2", "repo")];
        let help = Lgtm.help_for(&PluginsConfig::default(), &repos);
        assert!(help.config.is_empty(), "empty config");

        let plugins =
            PluginsConfig::load("lgtm:\n- repos: [org2/repo]\n  store_tree_hash: true\n").unwrap();
        let help = Lgtm.help_for(&plugins, &repos);
        assert_eq!(
            help.config["org2/repo"],
            "The plugin has the following configuration:<ul>\n<li>Squashing commits does not remove LGTM.</li>\n</ul>"
        );
        assert!(!help.config.contains_key("org1/repo"));

        let plugins = PluginsConfig::load(
            "lgtm:\n- repos: [org2/repo]\n  review_acts_as_lgtm: true\n  store_tree_hash: true\n  trusted_team_for_sticky_lgtm: team1\n",
        )
        .unwrap();
        let help = Lgtm.help_for(&plugins, &repos);
        let config = &help.config["org2/repo"];
        for want in [
            CONFIG_REVIEW_ACTS_AS_LGTM,
            CONFIG_STORE_TREE_HASH,
            "Commits from \"team1\" do not remove LGTM.",
        ] {
            assert!(config.contains(want), "{config}");
        }
        let command = &help.commands[0];
        assert_eq!(
            command.usage,
            "/[remove-]lgtm [cancel] or GitHub Review action"
        );
        assert!(command.featured);
        assert_eq!(command.examples.len(), 4);
    }
}
