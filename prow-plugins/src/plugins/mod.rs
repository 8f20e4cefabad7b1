//! Prow's plugins, one file each, named after the plugin, and the helpers they share.

use std::sync::Arc;

use prow_core::event::{GenericCommentEvent, norm_login};
use prow_core::github::RepoName;
use prow_core::traits::{Plugin, PluginContext, PluginEvent};

pub mod approve;
pub mod assign;
pub mod heart;
pub mod help;
pub mod label;
pub mod lifecycle;
pub mod milestone;
pub mod milestonestatus;
pub mod shrug;
pub mod trigger;
pub mod welcome;

/// Every built-in plugin, by the name `plugins.yaml` enables it with.
pub fn builtin() -> Vec<Arc<dyn Plugin>> {
    vec![
        Arc::new(approve::Approve),
        Arc::new(assign::Assign),
        Arc::new(heart::Heart),
        Arc::new(help::Help),
        Arc::new(label::LabelPlugin),
        Arc::new(lifecycle::Lifecycle),
        Arc::new(milestone::MilestonePlugin),
        Arc::new(milestonestatus::MilestoneStatus),
        Arc::new(shrug::Shrug),
        Arc::new(trigger::Trigger),
        Arc::new(welcome::Welcome),
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
