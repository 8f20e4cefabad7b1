//! Prow's plugins, one file each, named after the plugin, and the helpers they share.

use std::collections::BTreeSet;
use std::sync::Arc;

use prow_core::event::{GenericCommentEvent, IssueComment, norm_login};
use prow_core::github::{GitHubClient, GitHubError, RepoName};
use prow_core::owners::{self, RepoOwners};
use prow_core::traits::{Plugin, PluginContext, PluginEvent};

pub mod approve;
pub mod assign;
pub mod blockade;
pub mod branchcleaner;
pub mod cat;
pub mod dog;
pub mod heart;
pub mod help;
pub mod hold;
pub mod label;
pub mod lgtm;
pub mod lifecycle;
pub mod milestone;
pub mod milestonestatus;
pub mod r#override;
pub mod pony;
pub mod project;
pub mod shrug;
pub mod size;
pub mod skip;
pub mod stage;
pub mod trigger;
pub mod welcome;
pub mod wip;
pub mod yuks;

/// Every built-in plugin, by the name `plugins.yaml` enables it with.
pub fn builtin() -> Vec<Arc<dyn Plugin>> {
    vec![
        Arc::new(approve::Approve),
        Arc::new(assign::Assign),
        Arc::new(blockade::Blockade),
        Arc::new(branchcleaner::BranchCleaner),
        Arc::new(cat::Cat::new()),
        Arc::new(dog::Dog::new()),
        Arc::new(heart::Heart),
        Arc::new(help::Help),
        Arc::new(hold::Hold),
        Arc::new(label::LabelPlugin),
        Arc::new(lgtm::Lgtm),
        Arc::new(lifecycle::Lifecycle),
        Arc::new(milestone::MilestonePlugin),
        Arc::new(milestonestatus::MilestoneStatus),
        Arc::new(r#override::Override),
        Arc::new(pony::Pony::new()),
        Arc::new(project::Project),
        Arc::new(shrug::Shrug),
        Arc::new(size::SizePlugin),
        Arc::new(skip::Skip),
        Arc::new(stage::Stage),
        Arc::new(trigger::Trigger),
        Arc::new(welcome::Welcome),
        Arc::new(wip::Wip),
        Arc::new(yuks::Yuks::new()),
    ]
}

/// The generic comment of `event` when it is newly written text (a comment created, a body
/// opened), the case most commands act on.
pub fn created_comment(event: &PluginEvent) -> Option<&GenericCommentEvent> {
    event
        .comment
        .as_deref()
        .filter(|c| c.action == prow_core::event::GenericCommentAction::Created)
}

/// The repository of a generic comment.
pub fn repo_of(comment: &GenericCommentEvent) -> RepoName {
    RepoName::new(comment.repo.org(), &comment.repo.name)
}

/// Whether issue or pull request `number` has `label`; a failed look-up counts as not having
/// it (logged), as upstream's plugins do.
pub async fn has_label(ctx: &PluginContext, repo: &RepoName, number: u64, label: &str) -> bool {
    match ctx.github.get_issue_labels(repo, number).await {
        Ok(labels) => prow_core::event::has_label(&labels, label),
        Err(error) => {
            tracing::warn!(%repo, number, %error, "could not read the labels");
            false
        }
    }
}

/// Replies to the author of `comment` on its issue or pull request, quoting the comment, in
/// Prow's standard format.
pub async fn reply(
    ctx: &PluginContext,
    comment: &GenericCommentEvent,
    text: &str,
) -> Result<(), prow_core::traits::PluginError> {
    let body = crate::reply::format_comment_response(comment, text);
    ctx.github
        .create_comment(&repo_of(comment), comment.number, &body)
        .await?;
    Ok(())
}

/// The bot's own account, to recognise what the bot itself did.
#[derive(Clone, Debug)]
pub struct BotUser {
    login: String,
}

impl BotUser {
    /// The account the client acts as.
    pub async fn of(github: &dyn GitHubClient) -> Result<BotUser, GitHubError> {
        let user = github.bot_user().await?;
        Ok(BotUser { login: user.login })
    }

    /// Whether `candidate` is the bot (see [`is_bot_login`]).
    pub fn is(&self, candidate: &str) -> bool {
        !self.login.is_empty() && is_bot_login(&self.login, candidate)
    }
}

/// Whether `candidate` is the bot's account `bot`, ignoring case, a leading `@` and a GitHub
/// App's `[bot]` suffix (upstream's `BotUserChecker`).
pub fn is_bot_login(bot: &str, candidate: &str) -> bool {
    let plain = |login: &str| {
        let login = norm_login(login);
        login
            .strip_suffix("[bot]")
            .map(str::to_owned)
            .unwrap_or(login)
    };
    plain(bot) == plain(candidate)
}

/// Deletes the bot's own comments on issue or pull request `number` that `should_prune`
/// selects (upstream's comment pruner, used to withdraw notifications that no longer hold).
/// Failures are logged, never returned: a stale notification is not worth failing for.
pub async fn prune_bot_comments(
    ctx: &PluginContext,
    repo: &RepoName,
    number: u64,
    should_prune: impl Fn(&IssueComment) -> bool,
) {
    let bot = match ctx.github.bot_user().await {
        Ok(bot) => bot.login,
        Err(error) => {
            tracing::warn!(%repo, number, %error, "could not read the bot's login; pruning nothing");
            return;
        }
    };
    let comments = match ctx.github.list_issue_comments(repo, number).await {
        Ok(comments) => comments,
        Err(error) => {
            tracing::warn!(%repo, number, %error, "could not list the comments to prune");
            return;
        }
    };
    for comment in comments {
        if is_bot_login(&bot, &comment.user.login)
            && should_prune(&comment)
            && let Err(error) = ctx.github.delete_comment(repo, comment.id).await
        {
            tracing::warn!(%repo, number, comment = comment.id, %error, "could not delete a stale comment");
        }
    }
}

/// The OWNERS data of `repo` at `base_ref` that covers `paths`, read through GitHub: the
/// aliases file, the OWNERS file of the root and of every directory above each path, and,
/// where `plugins.yaml` enables OWNERS headers in markdown, the markdown files among `paths`.
/// File names, the markdown setting and the directory denylist come from the configuration
/// for the repository, as upstream's OWNERS client takes them.
pub async fn load_repo_owners(
    ctx: &PluginContext,
    repo: &RepoName,
    base_ref: &str,
    paths: &[String],
) -> Result<RepoOwners, GitHubError> {
    let names = ctx.plugins.owners_filenames(&repo.org, &repo.repo);
    let filenames = owners::Filenames {
        owners: names.owners,
        owners_aliases: names.owners_aliases,
    };
    let enable_md_yaml = ctx.plugins.mdyaml_enabled(&repo.org, &repo.repo);
    let dir_denylist = ctx
        .config
        .prow
        .owners_dir_denylist
        .clone()
        .unwrap_or_default()
        .list_ignored_dirs(&repo.org, &repo.repo);
    let mut wanted = BTreeSet::new();
    wanted.insert(filenames.owners_aliases.clone());
    wanted.insert(filenames.owners.clone());
    for path in paths {
        let mut dir = path.as_str();
        while let Some((parent, _)) = dir.rsplit_once('/') {
            wanted.insert(format!("{parent}/{}", filenames.owners));
            dir = parent;
        }
        if enable_md_yaml && path.ends_with(".md") {
            wanted.insert(path.clone());
        }
    }
    let mut files = Vec::new();
    for path in wanted {
        match ctx.github.get_file(repo, &path, Some(base_ref)).await {
            Ok(bytes) => files.push((path, String::from_utf8_lossy(&bytes).into_owned())),
            Err(GitHubError::NotFound(_)) => {}
            Err(error) => return Err(error),
        }
    }
    let options = owners::LoadOptions {
        filenames,
        enable_md_yaml,
        dir_denylist,
    };
    let loaded = RepoOwners::load(files, &options);
    for problem in loaded.problems() {
        tracing::warn!(%repo, base_ref, %problem, "an OWNERS file was skipped");
    }
    Ok(loaded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Harness;
    use prow_github::simulator::Files;

    #[test]
    fn the_bot_with_or_without_its_app_suffix() {
        for (bot, candidate, want) in [
            ("k8s-ci-robot", "k8s-ci-robot", true),
            ("my-app[bot]", "my-app", true),
            ("my-app[bot]", "my-app[bot]", true),
            ("k8s-ci-robot", "alice", false),
            ("k8s-ci-robot", "K8s-ci-robot", true),
            ("k8s-ci-robot", "@k8s-ci-robot", true),
        ] {
            assert_eq!(is_bot_login(bot, candidate), want, "{bot} {candidate}");
        }
    }

    #[tokio::test]
    async fn owners_are_read_for_the_paths_and_their_parents() {
        let h = Harness::with_files(
            Files::new()
                .put("OWNERS", "approvers: [root-approver]\n")
                .put("OWNERS_ALIASES", "aliases:\n  doc-team: [dana]\n")
                .put("doc/OWNERS", "reviewers: [doc-team]\n")
                .put("doc/deep/OWNERS", "approvers: [deep]\n")
                .put("other/OWNERS", "approvers: [other]\n"),
        );
        let ctx = h.context();
        let owners = load_repo_owners(&ctx, &h.repo, "master", &["doc/README.md".into()])
            .await
            .unwrap();
        assert!(owners.reviewers("doc/README.md").has("dana"));
        assert!(owners.approvers("doc/README.md").has("root-approver"));
        assert_eq!(
            owners.top_level_approvers(),
            BTreeSet::from(["root-approver".to_owned()])
        );
        // Only the directories above the paths are read: `other/` and `doc/deep/` are not.
        assert!(!owners.all_approvers().contains("other"));
        assert!(!owners.all_approvers().contains("deep"));
        assert!(h.bot_calls().is_empty());
    }
}
