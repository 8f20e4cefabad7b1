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

/// How many OWNERS reads (or collaborator checks) the loader keeps in flight at once.
const OWNERS_READS_AT_ONCE: usize = 8;

/// The directory of a repository path (`""` for the root).
fn parent_dir(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

/// The files that hold the OWNERS data of `paths`: the aliases file, the root OWNERS file,
/// the OWNERS file of every directory from each path's up to the root, and (with markdown
/// owners) the markdown files among `paths` themselves.
fn owners_paths(
    paths: &[String],
    filenames: &owners::Filenames,
    md_yaml: bool,
) -> BTreeSet<String> {
    let mut wanted = BTreeSet::new();
    if !filenames.owners_aliases.is_empty() {
        wanted.insert(filenames.owners_aliases.clone());
    }
    if !filenames.owners.is_empty() {
        wanted.insert(filenames.owners.clone());
        for path in paths {
            let mut dir = parent_dir(path);
            while !dir.is_empty() {
                wanted.insert(format!("{dir}/{}", filenames.owners));
                dir = parent_dir(dir);
            }
        }
    }
    if md_yaml {
        wanted.extend(paths.iter().filter(|p| p.ends_with(".md")).cloned());
    }
    wanted
}

/// The OWNERS data of `repo` at `base_ref` that covers `paths`, as upstream's OWNERS client
/// gives it to every plugin (approve, lgtm, override): read through GitHub — the aliases file,
/// the root OWNERS file, the OWNERS file of every directory above each path and, where
/// `plugins.yaml` enables OWNERS headers in markdown, the markdown files among `paths`; file
/// names, the markdown setting and the directory denylist from the configuration for the
/// repository; and approvers and reviewers limited to the repository's collaborators unless
/// `owners.skip_collaborators` names it (when the collaborator check itself fails, the data is
/// used unfiltered, as upstream does).
pub async fn load_repo_owners(
    ctx: &PluginContext,
    repo: &RepoName,
    base_ref: &str,
    paths: &[String],
) -> Result<RepoOwners, GitHubError> {
    use futures_util::stream::{self, StreamExt, TryStreamExt};

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
    let wanted = owners_paths(paths, &filenames, enable_md_yaml);
    let files: Vec<(String, String)> = stream::iter(wanted)
        .map(|path| async move {
            match ctx.github.get_file(repo, &path, Some(base_ref)).await {
                Ok(bytes) => Ok(Some((path, String::from_utf8_lossy(&bytes).into_owned()))),
                Err(GitHubError::NotFound(_)) => Ok(None),
                Err(error) => Err(error),
            }
        })
        .buffered(OWNERS_READS_AT_ONCE)
        .try_filter_map(|file| async move { Ok(file) })
        .try_collect()
        .await?;
    let options = owners::LoadOptions {
        filenames,
        enable_md_yaml,
        dir_denylist,
    };
    let loaded = RepoOwners::load(files, &options);
    for problem in loaded.problems() {
        tracing::warn!(%repo, base_ref, %problem, "an OWNERS file was skipped");
    }
    if ctx.plugins.skip_collaborators(&repo.org, &repo.repo) {
        return Ok(loaded);
    }
    let checks: Result<Vec<(String, bool)>, GitHubError> = stream::iter(loaded.all_owners())
        .map(|login| async move {
            let is = ctx.github.is_collaborator(repo, &login).await?;
            Ok((login, is))
        })
        .buffered(OWNERS_READS_AT_ONCE)
        .try_collect()
        .await;
    match checks {
        Ok(checks) => Ok(loaded.filter_collaborators(
            checks
                .into_iter()
                .filter_map(|(login, is)| is.then_some(login))
                .collect::<Vec<_>>(),
        )),
        Err(error) => {
            tracing::error!(%repo, %error, "failed to check collaborators while loading the OWNERS data; not filtering them");
            Ok(loaded)
        }
    }
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

    #[test]
    fn owners_files_read_for_a_change() {
        let changed = vec!["a/b/c.go".to_owned(), "README.md".to_owned()];
        let got = owners_paths(&changed, &owners::Filenames::default(), true);
        let want = [
            "OWNERS",
            "OWNERS_ALIASES",
            "README.md",
            "a/OWNERS",
            "a/b/OWNERS",
        ];
        assert_eq!(got, want.iter().map(|s| (*s).to_owned()).collect());
        let no_aliases = owners::Filenames {
            owners: "OWNERS".into(),
            owners_aliases: String::new(),
        };
        let got = owners_paths(&changed, &no_aliases, false);
        let want = ["OWNERS", "a/OWNERS", "a/b/OWNERS"];
        assert_eq!(got, want.iter().map(|s| (*s).to_owned()).collect());
        // Without paths (override's top-level approvers), the root file is still read.
        let got = owners_paths(&[], &no_aliases, true);
        assert_eq!(got, BTreeSet::from(["OWNERS".to_owned()]));
    }

    fn owners_harness() -> Harness {
        let h = Harness::with_files(
            Files::new()
                .put("OWNERS", "approvers: [root-approver, outsider]\n")
                .put("OWNERS_ALIASES", "aliases:\n  doc-team: [dana]\n")
                .put("doc/OWNERS", "reviewers: [doc-team]\n")
                .put("doc/deep/OWNERS", "approvers: [deep]\n")
                .put("other/OWNERS", "approvers: [other]\n"),
        );
        for login in ["root-approver", "dana", "deep", "other"] {
            h.sim
                .add_collaborator(&h.repo, login, prow_core::github::Permission::Read)
                .unwrap();
        }
        h
    }

    #[tokio::test]
    async fn owners_are_read_for_the_paths_and_their_parents() {
        let h = owners_harness();
        let ctx = h.context();
        let owners = load_repo_owners(&ctx, &h.repo, "master", &["doc/README.md".into()])
            .await
            .unwrap();
        assert!(owners.reviewers("doc/README.md").has("dana"));
        assert!(owners.approvers("doc/README.md").has("root-approver"));
        // Owners who are not collaborators are left out, as upstream's OWNERS client does.
        assert_eq!(
            owners.top_level_approvers(),
            BTreeSet::from(["root-approver".to_owned()])
        );
        // Only the directories above the paths are read: `other/` and `doc/deep/` are not.
        assert!(!owners.all_approvers().contains("other"));
        assert!(!owners.all_approvers().contains("deep"));
        // Without paths, the root file still gives the top-level approvers.
        let root = load_repo_owners(&ctx, &h.repo, "master", &[])
            .await
            .unwrap();
        assert_eq!(
            root.top_level_approvers(),
            BTreeSet::from(["root-approver".to_owned()])
        );
        assert!(h.bot_calls().is_empty());
    }

    #[tokio::test]
    async fn skip_collaborators_keeps_every_owner() {
        let mut h = owners_harness();
        h.set_plugins_yaml("owners:\n  skip_collaborators: [org/repo]\n");
        let ctx = h.context();
        let owners = load_repo_owners(&ctx, &h.repo, "master", &[])
            .await
            .unwrap();
        assert_eq!(
            owners.top_level_approvers(),
            BTreeSet::from(["outsider".to_owned(), "root-approver".to_owned()])
        );
    }
}
