//! The `label` plugin: `/kind`, `/sig`, `/area`, `/priority`, `/triage`, `/committee`,
//! `/language`, `/wg` and `/label` add labels the repository has; `/remove-*` removes them.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use async_trait::async_trait;
use prow_core::config::plugins::{PluginsConfig, RestrictedLabel};
use prow_core::event::{Event, GenericCommentEvent, Label, PullRequestEventAction, has_label};
use prow_core::github::{GitHubError, RepoName, TeamRole};
use prow_core::labels;
use prow_core::traits::{EventKind, Plugin, PluginContext, PluginError, PluginEvent, PluginHelp};
use regex::Regex;

use crate::commands::{self, Arg, Command, Invocation};
use crate::plugins::{created_comment, repo_of};
use crate::reply::format_response_raw;

/// The label categories every repository gets without configuration (for the help text).
const DEFAULT_LABELS: [&str; 3] = ["kind", "priority", "area"];

/// The categories whose `needs-<category>` label comes back when their last label goes.
const NEEDS_CATEGORIES: [&str; 4] = ["kind", "priority", "sig", "triage"];

/// `/area`, `/committee`, `/kind`, `/language`, `/priority`, `/sig`, `/triage`, `/wg`.
pub static CATEGORY: Command = Command::new("area")
    .aliases(&[
        "committee",
        "kind",
        "language",
        "priority",
        "sig",
        "triage",
        "wg",
    ])
    .arg(Arg::Optional(".*"))
    .usage("/[remove-](area|committee|kind|language|priority|sig|triage|wg|label) <target>")
    .description("Applies or removes a label from one of the recognized types of labels.")
    .who_can_use(
        "Anyone can trigger this command on issues and PRs. `triage/accepted` can only be added by org members. Restricted labels are only able to be added by teams and users in their configuration.",
    )
    .examples(&[
        "/kind bug",
        "/remove-area prow",
        "/sig testing",
        "/language zh",
        "/label foo-bar-baz",
    ]);

/// `/remove-area`, `/remove-kind`, ... (documented with [`CATEGORY`]).
pub static REMOVE_CATEGORY: Command = Command::new("remove-area")
    .aliases(&[
        "remove-committee",
        "remove-kind",
        "remove-language",
        "remove-priority",
        "remove-sig",
        "remove-triage",
        "remove-wg",
    ])
    .arg(Arg::Optional(".*"));

/// `/label <name>`: a configured additional or restricted label (documented with [`CATEGORY`]).
pub static LABEL: Command = Command::new("label").arg(Arg::Optional(".*"));

/// `/remove-label <name>` (documented with [`CATEGORY`]).
pub static REMOVE_LABEL: Command = Command::new("remove-label").arg(Arg::Optional(".*"));

const DESCRIPTION: &str = "The label plugin provides commands that add or remove certain types of labels. Labels of the following types can be manipulated: 'area/*', 'committee/*', 'kind/*', 'language/*', 'priority/*', 'sig/*', 'triage/*', and 'wg/*'. More labels can be configured to be used via the /label command. Restricted labels are only able to be added by the teams and users present in their configuration, and those users can be automatically assigned when another label is added using the assign_on config.";

/// The `label` plugin.
///
/// Its `plugins.yaml` section:
///
/// ```yaml
/// label:
///   additional_labels: [api-review, community/discussion]   # usable with /label
///   restricted_labels:                                      # keyed by *, org or org/repo
///     "*":
///     - label: restricted-label
///       allowed_teams: [authorized-team]
///       allowed_users: [alice, bob]
///       assign_on:
///       - label: other-label                                # assigns alice and bob
/// ```
#[derive(Debug, Default)]
pub struct LabelPlugin;

/// The help text's description of the configured categories (upstream's wording).
fn config_string(categories: &[String]) -> String {
    let formatted: Vec<String> = categories.iter().map(|c| format!("\"{c}/*\"")).collect();
    match formatted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!(
            "The label plugin will work on {} and {last} labels.",
            rest.join(", ")
        ),
        Some((last, _)) => format!("The label plugin will work on {last} labels."),
        None => String::new(),
    }
}

/// HTML comments (`<!-- ... -->`), whose commands do not count.
fn html_comment() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"(?s)<!--.*?-->").expect("valid regex"))
}

/// The labels of `/<category> a b` commands: the line split on single spaces, each word after
/// the command prefixed with the category, lower-cased.
fn category_labels(found: &[Invocation], strip: &str) -> Vec<String> {
    let mut labels = Vec::new();
    for invocation in found {
        let category = invocation
            .name
            .strip_prefix(strip)
            .unwrap_or(&invocation.name);
        for word in invocation.line.split(' ').skip(1) {
            labels.push(format!("{category}/{}", word.trim()).to_lowercase());
        }
    }
    labels
}

/// The labels of `/label x` commands that name a configured label; the lines of those that
/// name another go to `invalid`. Commands with more than one word are ignored.
fn custom_labels(
    found: &[Invocation],
    command: &str,
    allowed: impl Fn(&str) -> bool,
    invalid: &mut Vec<String>,
) -> Vec<String> {
    let mut labels = Vec::new();
    for invocation in found {
        let parts: Vec<&str> = invocation.line.split(' ').collect();
        if parts.len() != 2 || parts[0] != command {
            continue;
        }
        let label = parts[1].to_lowercase();
        if allowed(&label) {
            labels.push(label);
        } else {
            invalid.push(invocation.line.clone());
        }
    }
    labels
}

/// The labels of `labels` in `category` (`kind/...` for `kind`).
fn in_category<'a>(
    labels: impl IntoIterator<Item = &'a String>,
    category: &str,
) -> BTreeSet<&'a str> {
    let prefix = format!("{category}/");
    labels
        .into_iter()
        .filter(|l| l.starts_with(&prefix))
        .map(String::as_str)
        .collect()
}

/// Whether `login` is a member of team `slug` of `org`; an unknown team has no members.
pub(crate) async fn team_has_member(
    ctx: &PluginContext,
    org: &str,
    slug: &str,
    login: &str,
) -> Result<bool, GitHubError> {
    match ctx.github.list_team_members(org, slug, TeamRole::All).await {
        Ok(members) => Ok(members.iter().any(|m| m.is(login))),
        Err(GitHubError::NotFound(_)) => Ok(false),
        Err(error) => Err(error),
    }
}

/// `None` when `login` may change `label`, else the reason they may not.
async fn cannot_set_reason(
    ctx: &PluginContext,
    org: &str,
    login: &str,
    label: &str,
    restricted: &BTreeMap<String, RestrictedLabel>,
) -> Result<Option<String>, GitHubError> {
    let Some(config) = restricted.get(label) else {
        return Ok(None);
    };
    if config
        .allowed_users
        .iter()
        .any(|u| u.eq_ignore_ascii_case(login))
    {
        return Ok(None);
    }
    for team in &config.allowed_teams {
        if team_has_member(ctx, org, team, login).await? {
            return Ok(None);
        }
    }
    let mut msg = format!(
        "The label(s) `{label}` cannot be applied or removed, because you are not in one of the allowed teams and are not an allowed user."
    );
    if !config.allowed_teams.is_empty() {
        msg.push_str(&format!(
            " Must be a member of one of these teams: {}",
            config.allowed_teams.join(", ")
        ));
    } else if !config.allowed_users.is_empty() {
        // At most 20 names, so a large list stays readable.
        let shown: Vec<&str> = config
            .allowed_users
            .iter()
            .take(20)
            .map(String::as_str)
            .collect();
        msg.push_str(&format!(
            " Consider assigning one of the following members: {}",
            shown.join(",")
        ));
    }
    Ok(Some(msg))
}

impl LabelPlugin {
    async fn handle_comment(
        &self,
        ctx: &PluginContext,
        comment: &GenericCommentEvent,
    ) -> Result<(), PluginError> {
        let body = html_comment().replace_all(&comment.body, "").into_owned();
        let adds = CATEGORY.find(&body);
        let removes = REMOVE_CATEGORY.find(&body);
        let custom_adds = LABEL.find(&body);
        let custom_removes = REMOVE_LABEL.find(&body);
        if adds.is_empty()
            && removes.is_empty()
            && custom_adds.is_empty()
            && custom_removes.is_empty()
        {
            return Ok(());
        }
        let repo = repo_of(comment);
        let org = repo.org.as_str();
        let user = comment.user.login.as_str();
        let reply = |msg: &str| format_response_raw(&body, &comment.html_url, user, msg);

        let repo_labels: BTreeSet<String> = ctx
            .github
            .get_repo_labels(&repo)
            .await?
            .into_iter()
            .map(|l| l.name.to_lowercase())
            .collect();
        let issue_labels: Vec<Label> = ctx.github.get_issue_labels(&repo, comment.number).await?;
        let issue_label_names: Vec<String> = issue_labels.iter().map(|l| l.name.clone()).collect();

        let config = &ctx.plugins.label;
        let additional: BTreeSet<String> = config
            .additional_labels
            .iter()
            .map(|l| l.to_lowercase())
            .collect();
        let restricted = config.restricted_labels_for(org, &repo.repo);
        let allowed = |label: &str| {
            let label = label.to_lowercase();
            restricted.contains_key(&label) || additional.contains(&label)
        };

        let mut nonexistent = Vec::new();
        let mut to_add = category_labels(&adds, "");
        to_add.extend(custom_labels(
            &custom_adds,
            "/label",
            allowed,
            &mut nonexistent,
        ));
        let mut to_remove = category_labels(&removes, "remove-");
        to_remove.extend(custom_labels(
            &custom_removes,
            "/remove-label",
            allowed,
            &mut nonexistent,
        ));

        for category in NEEDS_CATEGORIES {
            let needs = format!("needs-{category}");
            if !repo_labels.contains(&needs) {
                continue;
            }
            let removed = in_category(&to_remove, category);
            if removed.is_empty() || !in_category(&to_add, category).is_empty() {
                continue;
            }
            if removed.is_superset(&in_category(&issue_label_names, category)) {
                to_add.push(needs);
            }
        }

        let mut missing_in_repo = Vec::new();
        let mut missing_on_issue = Vec::new();
        let mut non_member_triage_accepted = false;

        for label in &to_add {
            if has_label(&issue_labels, label) {
                continue;
            }
            if !repo_labels.contains(label) {
                missing_in_repo.push(label.as_str());
                continue;
            }
            if label == labels::TRIAGE_ACCEPTED {
                match ctx.github.is_member(org, user).await {
                    Err(error) => {
                        tracing::error!(%error, org, user, "could not check org membership");
                        continue;
                    }
                    Ok(false) => {
                        non_member_triage_accepted = true;
                        continue;
                    }
                    Ok(true) => {}
                }
            }
            match cannot_set_reason(ctx, org, user, label, &restricted).await {
                Err(error) => {
                    tracing::error!(%error, label, "could not check whether the user may set the label");
                    continue;
                }
                Ok(Some(reason)) => {
                    ctx.github
                        .create_comment(&repo, comment.number, &reply(&reason))
                        .await?;
                    continue;
                }
                Ok(None) => {}
            }
            if let Err(error) = ctx.github.add_label(&repo, comment.number, label).await {
                tracing::error!(%error, label, "GitHub failed to add the label");
            }
        }

        for label in &to_remove {
            if !has_label(&issue_labels, label) {
                missing_on_issue.push(label.as_str());
                continue;
            }
            if !repo_labels.contains(label) {
                continue;
            }
            match cannot_set_reason(ctx, org, user, label, &restricted).await {
                Err(error) => {
                    tracing::error!(%error, label, "could not check whether the user may set the label");
                    continue;
                }
                Ok(Some(reason)) => {
                    ctx.github
                        .create_comment(&repo, comment.number, &reply(&reason))
                        .await?;
                    continue;
                }
                Ok(None) => {}
            }
            if let Err(error) = ctx.github.remove_label(&repo, comment.number, label).await {
                tracing::error!(%error, label, "GitHub failed to remove the label");
            }
        }

        let msg = if !nonexistent.is_empty() {
            let mut supported = config.additional_labels.clone();
            supported.extend(restricted.keys().cloned());
            format!(
                "The label(s) `{}` cannot be applied. These labels are supported: `{}`. Is this label configured under `labels -> additional_labels` or `labels -> restricted_labels` in `plugin.yaml`?",
                nonexistent.join(", "),
                supported.join(", ")
            )
        } else if !missing_in_repo.is_empty() {
            format!(
                "The label(s) `{}` cannot be applied, because the repository doesn't have them.",
                missing_in_repo.join(", ")
            )
        } else if !missing_on_issue.is_empty() {
            format!(
                "Those labels are not set on the issue: `{}`",
                missing_on_issue.join(", ")
            )
        } else if non_member_triage_accepted {
            format!(
                "The label `{}` cannot be applied. Only GitHub organization members can add the label.",
                labels::TRIAGE_ACCEPTED
            )
        } else {
            return Ok(());
        };
        ctx.github
            .create_comment(&repo, comment.number, &reply(&msg))
            .await?;
        Ok(())
    }

    async fn handle_labeled(&self, ctx: &PluginContext, event: &Event) -> Result<(), PluginError> {
        let Event::PullRequest(pr) = event else {
            return Ok(());
        };
        if pr.action != PullRequestEventAction::Labeled {
            return Ok(());
        }
        let Some(added) = &pr.label else {
            return Ok(());
        };
        let repo = RepoName::new(pr.repo.org(), &pr.repo.name);
        let restricted = ctx
            .plugins
            .label
            .restricted_labels_for(&repo.org, &repo.repo);
        for restricted_label in restricted.values() {
            let assign = restricted_label
                .assign_on
                .iter()
                .any(|on| on.label.eq_ignore_ascii_case(&added.name));
            if !assign || restricted_label.allowed_users.is_empty() {
                continue;
            }
            tracing::info!(label = %restricted_label.label, "assigning the users of a restricted label");
            if let Err(error) = ctx
                .github
                .assign_issue(&repo, pr.number, &restricted_label.allowed_users)
                .await
            {
                tracing::error!(%error, label = %restricted_label.label, "GitHub failed to assign the users of the label");
            }
        }
        Ok(())
    }
}

#[async_trait]
impl Plugin for LabelPlugin {
    fn name(&self) -> &str {
        "label"
    }

    fn events(&self) -> &[EventKind] {
        &[EventKind::GenericComment, EventKind::PullRequest]
    }

    fn help(&self) -> PluginHelp {
        self.help_for(&PluginsConfig::default(), &[])
    }

    fn help_for(&self, plugins: &PluginsConfig, _repos: &[RepoName]) -> PluginHelp {
        let mut categories: Vec<String> = DEFAULT_LABELS.iter().map(|l| (*l).to_owned()).collect();
        categories.extend(plugins.label.additional_labels.iter().cloned());
        PluginHelp {
            description: DESCRIPTION.to_owned(),
            config: BTreeMap::from([(String::new(), config_string(&categories))]),
            commands: commands::help(&[&CATEGORY]),
            ..PluginHelp::default()
        }
    }

    async fn handle(&self, ctx: &PluginContext, event: &PluginEvent) -> Result<(), PluginError> {
        match event.kind {
            EventKind::GenericComment => match created_comment(event) {
                Some(comment) => self.handle_comment(ctx, comment).await,
                None => Ok(()),
            },
            EventKind::PullRequest => self.handle_labeled(ctx, &event.event).await,
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use prow_core::config::plugins::{AssignOnLabel, Label as LabelConfig};
    use prow_github::simulator::Files;

    use super::*;
    use crate::testing::Harness;

    /// What the commenter does with the comment.
    #[derive(Clone, Copy, PartialEq)]
    enum Act {
        Create,
        Edit,
        Delete,
    }

    /// A restricted label: (key in `restricted_labels`, label, allowed teams, allowed users).
    type Restricted = (
        &'static str,
        &'static str,
        &'static [&'static str],
        &'static [&'static str],
    );

    struct Case {
        name: &'static str,
        body: &'static str,
        commenter: &'static str,
        additional: &'static [&'static str],
        restricted: Option<Restricted>,
        /// Members of team `privileged-group`.
        team: &'static [&'static str],
        repo_labels: &'static [&'static str],
        issue_labels: &'static [&'static str],
        act: Act,
        added: &'static [&'static str],
        removed: &'static [&'static str],
        /// The messages of the bot's replies, in order.
        replies: &'static [&'static str],
    }

    const BASE: Case = Case {
        name: "",
        body: "",
        commenter: "alice",
        additional: &[],
        restricted: None,
        team: &[],
        repo_labels: &[],
        issue_labels: &[],
        act: Act::Create,
        added: &[],
        removed: &[],
        replies: &[],
    };

    const NOT_IN_TEAM: &str = "The label(s) `restricted-label` cannot be applied or removed, because you are not in one of the allowed teams and are not an allowed user. Must be a member of one of these teams: privileged-group";
    const NOT_ALLOWED_USER: &str = "The label(s) `restricted-label` cannot be applied or removed, because you are not in one of the allowed teams and are not an allowed user. Consider assigning one of the following members: bob";

    fn cases() -> Vec<Case> {
        vec![
            Case {
                name: "irrelevant comment",
                body: "irrelelvant",
                ..BASE
            },
            Case {
                name: "empty area",
                body: "/area",
                repo_labels: &["area/infra"],
                issue_labels: &["area/infra"],
                ..BASE
            },
            Case {
                name: "add single area label",
                body: "/area infra",
                repo_labels: &["area/infra"],
                added: &["area/infra"],
                ..BASE
            },
            Case {
                name: "add single area label when already present on issue",
                body: "/area infra",
                repo_labels: &["area/infra"],
                issue_labels: &["area/infra"],
                ..BASE
            },
            Case {
                name: "add single priority label",
                body: "/priority critical",
                repo_labels: &["area/infra", "priority/critical"],
                added: &["priority/critical"],
                ..BASE
            },
            Case {
                name: "add single kind label",
                body: "/kind bug",
                repo_labels: &["area/infra", "priority/critical", labels::BUG],
                added: &[labels::BUG],
                ..BASE
            },
            Case {
                name: "add single triage label",
                body: "/triage needs-information",
                repo_labels: &["area/infra", "triage/needs-information"],
                issue_labels: &["area/infra"],
                added: &["triage/needs-information"],
                ..BASE
            },
            Case {
                name: "org member can add triage/accepted",
                body: "/triage accepted",
                repo_labels: &["triage/accepted"],
                added: &["triage/accepted"],
                ..BASE
            },
            Case {
                name: "non org member cannot add triage/accepted",
                body: "/triage accepted",
                commenter: "carol",
                repo_labels: &["triage/accepted", "kind/bug"],
                issue_labels: &["kind/bug"],
                replies: &[
                    "The label `triage/accepted` cannot be applied. Only GitHub organization members can add the label.",
                ],
                ..BASE
            },
            Case {
                name: "non org member can add triage/needs-information",
                body: "/triage needs-information",
                commenter: "carol",
                repo_labels: &["area/infra", "triage/needs-information"],
                issue_labels: &["area/infra"],
                added: &["triage/needs-information"],
                ..BASE
            },
            Case {
                name: "label names are lower-cased",
                body: "/kind BuG",
                repo_labels: &["area/infra", "priority/critical", labels::BUG],
                added: &[labels::BUG],
                ..BASE
            },
            Case {
                name: "command names are case-sensitive",
                body: "/Kind bug",
                repo_labels: &[labels::BUG],
                ..BASE
            },
            Case {
                name: "cannot add a label the repository lacks",
                body: "/priority critical",
                repo_labels: &["area/infra"],
                replies: &[
                    "The label(s) `priority/critical` cannot be applied, because the repository doesn't have them.",
                ],
                ..BASE
            },
            Case {
                name: "non org member can add an area",
                body: "/area infra",
                commenter: "random",
                repo_labels: &["area/infra", "priority/critical", labels::BUG],
                added: &["area/infra"],
                ..BASE
            },
            Case {
                name: "command must start at the beginning of the line",
                body: "  /area infra",
                repo_labels: &["area/infra", "area/api", "priority/critical", labels::BUG],
                ..BASE
            },
            Case {
                name: "command in a fenced code block is ignored",
                body: "```\n/area infra\n```",
                repo_labels: &["area/infra"],
                ..BASE
            },
            Case {
                name: "cannot add a label of a name the repository lacks",
                body: "/area lgtm",
                repo_labels: &["area/infra", "area/api", "priority/critical"],
                replies: &[
                    "The label(s) `area/lgtm` cannot be applied, because the repository doesn't have them.",
                ],
                ..BASE
            },
            Case {
                name: "add multiple area labels",
                body: "/area api infra",
                repo_labels: &[
                    "area/infra",
                    "area/api",
                    "priority/critical",
                    "priority/urgent",
                ],
                added: &["area/api", "area/infra"],
                ..BASE
            },
            Case {
                name: "add multiple area labels, one already on the issue",
                body: "/area api infra",
                repo_labels: &[
                    "area/infra",
                    "area/api",
                    "priority/critical",
                    "priority/urgent",
                ],
                issue_labels: &["area/api"],
                added: &["area/infra"],
                ..BASE
            },
            Case {
                name: "add multiple priority labels",
                body: "/priority critical important",
                repo_labels: &["priority/critical", "priority/important"],
                added: &["priority/critical", "priority/important"],
                ..BASE
            },
            Case {
                name: "add multiple area labels with trailing whitespace",
                body: "/area api infra ",
                repo_labels: &["area/infra", "area/api"],
                added: &["area/api", "area/infra"],
                ..BASE
            },
            Case {
                name: "label prefix must match the command (area, priority label)",
                body: "/area urgent",
                repo_labels: &[
                    "area/infra",
                    "area/api",
                    "priority/critical",
                    "priority/urgent",
                ],
                replies: &[
                    "The label(s) `area/urgent` cannot be applied, because the repository doesn't have them.",
                ],
                ..BASE
            },
            Case {
                name: "label prefix must match the command (priority, area label)",
                body: "/priority infra",
                repo_labels: &[
                    "area/infra",
                    "area/api",
                    "priority/critical",
                    "priority/urgent",
                ],
                replies: &[
                    "The label(s) `priority/infra` cannot be applied, because the repository doesn't have them.",
                ],
                ..BASE
            },
            Case {
                name: "add multiple area labels, some valid",
                body: "/area lgtm infra",
                repo_labels: &["area/infra", "area/api"],
                added: &["area/infra"],
                replies: &[
                    "The label(s) `area/lgtm` cannot be applied, because the repository doesn't have them.",
                ],
                ..BASE
            },
            Case {
                name: "add multiple committee labels, some valid",
                body: "/committee steering calamity",
                repo_labels: &["committee/conduct", "committee/steering"],
                added: &["committee/steering"],
                replies: &[
                    "The label(s) `committee/calamity` cannot be applied, because the repository doesn't have them.",
                ],
                ..BASE
            },
            Case {
                name: "non org member adds multiple triage labels, some valid",
                body: "/triage needs-information accepted",
                commenter: "carol",
                repo_labels: &["triage/needs-information", "triage/accepted"],
                added: &["triage/needs-information"],
                replies: &[
                    "The label `triage/accepted` cannot be applied. Only GitHub organization members can add the label.",
                ],
                ..BASE
            },
            Case {
                name: "add labels of several categories on different lines",
                body: "/priority urgent\n/area infra",
                repo_labels: &["area/infra", "priority/urgent"],
                added: &["area/infra", "priority/urgent"],
                ..BASE
            },
            Case {
                name: "add language and wg labels",
                body: "/language zh\n/wg policy",
                repo_labels: &["language/zh", "wg/policy"],
                added: &["language/zh", "wg/policy"],
                ..BASE
            },
            Case {
                name: "remove area label when the repository lacks it",
                body: "/remove-area infra",
                replies: &["Those labels are not set on the issue: `area/infra`"],
                ..BASE
            },
            Case {
                name: "remove area label when the issue lacks it",
                body: "/remove-area infra",
                repo_labels: &["area/infra"],
                replies: &["Those labels are not set on the issue: `area/infra`"],
                ..BASE
            },
            Case {
                name: "remove area label",
                body: "/remove-area infra",
                repo_labels: &["area/infra"],
                issue_labels: &["area/infra"],
                removed: &["area/infra"],
                ..BASE
            },
            Case {
                name: "remove committee label",
                body: "/remove-committee infinite-monkeys",
                repo_labels: &["area/infra", "sig/testing", "committee/infinite-monkeys"],
                issue_labels: &["area/infra", "sig/testing", "committee/infinite-monkeys"],
                removed: &["committee/infinite-monkeys"],
                ..BASE
            },
            Case {
                name: "remove the last kind label restores needs-kind",
                body: "/remove-kind api-server",
                repo_labels: &[
                    "area/infra",
                    "priority/high",
                    "kind/api-server",
                    "needs-kind",
                ],
                issue_labels: &["area/infra", "priority/high", "kind/api-server"],
                added: &["needs-kind"],
                removed: &["kind/api-server"],
                ..BASE
            },
            Case {
                name: "remove the last priority label restores needs-priority",
                body: "/remove-priority high",
                repo_labels: &["area/infra", "priority/high", "needs-priority"],
                issue_labels: &["area/infra", "priority/high"],
                added: &["needs-priority"],
                removed: &["priority/high"],
                ..BASE
            },
            Case {
                name: "remove the last sig label restores needs-sig",
                body: "/remove-sig testing",
                repo_labels: &["area/infra", "sig/testing", "needs-sig"],
                issue_labels: &["area/infra", "sig/testing"],
                added: &["needs-sig"],
                removed: &["sig/testing"],
                ..BASE
            },
            Case {
                name: "remove the last kind label without needs-kind in the repository",
                body: "/remove-kind api-server",
                repo_labels: &["kind/api-server"],
                issue_labels: &["kind/api-server"],
                removed: &["kind/api-server"],
                ..BASE
            },
            Case {
                name: "remove one of many sig labels",
                body: "/remove-sig testing",
                repo_labels: &[
                    "area/infra",
                    "sig/testing",
                    "sig/node",
                    "sig/auth",
                    "needs-sig",
                ],
                issue_labels: &["area/infra", "sig/testing", "sig/node", "sig/auth"],
                removed: &["sig/testing"],
                ..BASE
            },
            Case {
                name: "add and remove sig label",
                body: "/remove-sig testing\n/sig node",
                repo_labels: &["area/infra", "sig/testing", "sig/node", "needs-sig"],
                issue_labels: &["area/infra", "sig/testing"],
                added: &["sig/node"],
                removed: &["sig/testing"],
                ..BASE
            },
            Case {
                name: "remove wg policy",
                body: "/remove-wg policy",
                repo_labels: &["area/infra", "wg/policy"],
                issue_labels: &["area/infra", "wg/policy"],
                removed: &["wg/policy"],
                ..BASE
            },
            Case {
                name: "remove every triage label restores needs-triage",
                body: "/remove-triage needs-information accepted",
                repo_labels: &[
                    "area/infra",
                    "triage/needs-information",
                    "triage/accepted",
                    "needs-triage",
                ],
                issue_labels: &["area/infra", "triage/needs-information", "triage/accepted"],
                added: &["needs-triage"],
                removed: &["triage/needs-information", "triage/accepted"],
                ..BASE
            },
            Case {
                name: "remove multiple labels, a double space names an empty label",
                body: "/remove-priority low high\n/remove-kind api-server\n/remove-area  infra",
                repo_labels: &[
                    "area/infra",
                    "priority/high",
                    "priority/low",
                    "kind/api-server",
                ],
                issue_labels: &[
                    "area/infra",
                    "priority/high",
                    "priority/low",
                    "kind/api-server",
                ],
                removed: &[
                    "priority/low",
                    "priority/high",
                    "kind/api-server",
                    "area/infra",
                ],
                replies: &["Those labels are not set on the issue: `area/`"],
                ..BASE
            },
            Case {
                name: "add and remove labels at the same time",
                body: "/remove-area infra\n/area test",
                repo_labels: &["area/infra", "area/test"],
                issue_labels: &["area/infra"],
                added: &["area/test"],
                removed: &["area/infra"],
                ..BASE
            },
            Case {
                name: "add and remove the same label",
                body: "/remove-area infra\n/area infra",
                repo_labels: &["area/infra"],
                issue_labels: &["area/infra"],
                removed: &["area/infra"],
                ..BASE
            },
            Case {
                name: "multiple add and remove commands",
                body: "/remove-area ruby\n/remove-kind srv\n/remove-priority l m\n/area go\n/kind cli\n/priority h",
                repo_labels: &[
                    "area/go",
                    "area/ruby",
                    "kind/cli",
                    "kind/srv",
                    "priority/h",
                    "priority/m",
                    "priority/l",
                ],
                issue_labels: &["area/ruby", "kind/srv", "priority/l", "priority/m"],
                added: &["area/go", "kind/cli", "priority/h"],
                removed: &["area/ruby", "kind/srv", "priority/l", "priority/m"],
                ..BASE
            },
            Case {
                name: "empty /label does nothing",
                body: "/label",
                additional: &["orchestrator/foo", "orchestrator/bar"],
                repo_labels: &["orchestrator/foo"],
                ..BASE
            },
            Case {
                name: "empty /remove-label does nothing",
                body: "/remove-label",
                additional: &["orchestrator/foo", "orchestrator/bar"],
                repo_labels: &["orchestrator/foo"],
                ..BASE
            },
            Case {
                name: "/label with two names does nothing",
                body: "/label orchestrator/foo orchestrator/bar",
                additional: &["orchestrator/foo", "orchestrator/bar"],
                repo_labels: &["orchestrator/foo", "orchestrator/bar"],
                ..BASE
            },
            Case {
                name: "add custom label",
                body: "/label orchestrator/foo",
                additional: &["orchestrator/foo", "orchestrator/bar"],
                repo_labels: &["orchestrator/foo"],
                added: &["orchestrator/foo"],
                ..BASE
            },
            Case {
                name: "add custom label with trailing space",
                body: "/label orchestrator/foo ",
                additional: &["orchestrator/foo", "orchestrator/bar"],
                repo_labels: &["orchestrator/foo"],
                added: &["orchestrator/foo"],
                ..BASE
            },
            Case {
                name: "add custom label with trailing LF",
                body: "/label orchestrator/foo\n",
                additional: &["orchestrator/foo", "orchestrator/bar"],
                repo_labels: &["orchestrator/foo"],
                added: &["orchestrator/foo"],
                ..BASE
            },
            Case {
                name: "add custom label with trailing CRLF",
                body: "/label orchestrator/foo\r\n",
                additional: &["orchestrator/foo", "orchestrator/bar"],
                repo_labels: &["orchestrator/foo"],
                added: &["orchestrator/foo"],
                ..BASE
            },
            Case {
                name: "cannot add an unconfigured custom label",
                body: "/label orchestrator/foo",
                additional: &["orchestrator/jar", "orchestrator/bar"],
                repo_labels: &["orchestrator/foo"],
                replies: &[
                    "The label(s) `/label orchestrator/foo` cannot be applied. These labels are supported: `orchestrator/jar, orchestrator/bar`. Is this label configured under `labels -> additional_labels` or `labels -> restricted_labels` in `plugin.yaml`?",
                ],
                ..BASE
            },
            Case {
                name: "remove custom label",
                body: "/remove-label orchestrator/foo",
                additional: &["orchestrator/foo", "orchestrator/bar"],
                repo_labels: &["orchestrator/foo"],
                issue_labels: &["orchestrator/foo"],
                removed: &["orchestrator/foo"],
                ..BASE
            },
            Case {
                name: "remove custom label with trailing space",
                body: "/remove-label orchestrator/foo ",
                additional: &["orchestrator/foo", "orchestrator/bar"],
                repo_labels: &["orchestrator/foo"],
                issue_labels: &["orchestrator/foo"],
                removed: &["orchestrator/foo"],
                ..BASE
            },
            Case {
                name: "remove custom label with trailing LF",
                body: "/remove-label orchestrator/foo\n",
                additional: &["orchestrator/foo", "orchestrator/bar"],
                repo_labels: &["orchestrator/foo"],
                issue_labels: &["orchestrator/foo"],
                removed: &["orchestrator/foo"],
                ..BASE
            },
            Case {
                name: "remove custom label with trailing CRLF",
                body: "/remove-label orchestrator/foo\r\n",
                additional: &["orchestrator/foo", "orchestrator/bar"],
                repo_labels: &["orchestrator/foo"],
                issue_labels: &["orchestrator/foo"],
                removed: &["orchestrator/foo"],
                ..BASE
            },
            Case {
                name: "cannot remove an unconfigured custom label",
                body: "/remove-label orchestrator/jar",
                additional: &["orchestrator/foo", "orchestrator/bar"],
                repo_labels: &["orchestrator/foo"],
                issue_labels: &["orchestrator/foo"],
                replies: &[
                    "The label(s) `/remove-label orchestrator/jar` cannot be applied. These labels are supported: `orchestrator/foo, orchestrator/bar`. Is this label configured under `labels -> additional_labels` or `labels -> restricted_labels` in `plugin.yaml`?",
                ],
                ..BASE
            },
            Case {
                name: "a deleted comment adds nothing",
                body: "/kind bug",
                repo_labels: &["area/infra", "priority/critical", labels::BUG],
                act: Act::Delete,
                ..BASE
            },
            Case {
                name: "a deleted comment removes nothing",
                body: "/remove-committee infinite-monkeys",
                repo_labels: &["area/infra", "sig/testing", "committee/infinite-monkeys"],
                issue_labels: &["area/infra", "sig/testing", "committee/infinite-monkeys"],
                act: Act::Delete,
                ..BASE
            },
            Case {
                name: "an edited comment changes nothing",
                body: "/kind bug",
                repo_labels: &[labels::BUG],
                act: Act::Edit,
                ..BASE
            },
            Case {
                name: "commands in HTML comments are ignored",
                body: "\n<!--\n/kind bug\n/kind cleanup\n-->\n/area infra\n",
                repo_labels: &["area/infra"],
                added: &["area/infra"],
                ..BASE
            },
            Case {
                name: "HTML comments end at the first close",
                body: "\n<!--\n/kind bug\n-->\n/kind cleanup\n<!--\n/area infra\n-->\n/kind regression\n",
                repo_labels: &["kind/cleanup", "kind/regression"],
                added: &["kind/cleanup", "kind/regression"],
                ..BASE
            },
            Case {
                name: "restricted label addition, user not in allowed_teams",
                body: "/label restricted-label",
                restricted: Some(("org", "restricted-label", &["privileged-group"], &[])),
                repo_labels: &["restricted-label"],
                replies: &[NOT_IN_TEAM],
                ..BASE
            },
            Case {
                name: "restricted label addition, user not in allowed_users and no allowed_teams",
                body: "/label restricted-label",
                restricted: Some(("org", "restricted-label", &[], &["bob"])),
                repo_labels: &["restricted-label"],
                replies: &[NOT_ALLOWED_USER],
                ..BASE
            },
            Case {
                name: "restricted label addition, user in allowed_teams",
                body: "/label restricted-label",
                restricted: Some(("org", "restricted-label", &["privileged-group"], &[])),
                team: &["alice"],
                repo_labels: &["restricted-label"],
                added: &["restricted-label"],
                ..BASE
            },
            Case {
                name: "restricted label addition, user in allowed_users",
                body: "/label restricted-label",
                restricted: Some(("org", "restricted-label", &[], &["Alice"])),
                repo_labels: &["restricted-label"],
                added: &["restricted-label"],
                ..BASE
            },
            Case {
                name: "restricted label for every repository",
                body: "/label restricted-label",
                restricted: Some(("*", "restricted-label", &["privileged-group"], &[])),
                team: &["alice"],
                repo_labels: &["restricted-label"],
                added: &["restricted-label"],
                ..BASE
            },
            Case {
                name: "restricted label removal, user not in allowed_teams",
                body: "/remove-label restricted-label",
                restricted: Some(("org", "restricted-label", &["privileged-group"], &[])),
                repo_labels: &["restricted-label"],
                issue_labels: &["restricted-label"],
                replies: &[NOT_IN_TEAM],
                ..BASE
            },
            Case {
                name: "restricted label removal, user not in allowed_users and no allowed_teams",
                body: "/remove-label restricted-label",
                restricted: Some(("org", "restricted-label", &[], &["bob"])),
                repo_labels: &["restricted-label"],
                issue_labels: &["restricted-label"],
                replies: &[NOT_ALLOWED_USER],
                ..BASE
            },
            Case {
                name: "restricted label removal, user in allowed_teams",
                body: "/remove-label restricted-label",
                restricted: Some(("org", "restricted-label", &["privileged-group"], &[])),
                team: &["alice"],
                repo_labels: &["restricted-label"],
                issue_labels: &["restricted-label"],
                removed: &["restricted-label"],
                ..BASE
            },
            Case {
                name: "restricted label removal, user in allowed_users",
                body: "/remove-label restricted-label",
                restricted: Some(("org", "restricted-label", &[], &["alice"])),
                repo_labels: &["restricted-label"],
                issue_labels: &["restricted-label"],
                removed: &["restricted-label"],
                ..BASE
            },
            Case {
                name: "a restricted category label is gated too",
                body: "/kind bug",
                restricted: Some(("org/repo", labels::BUG, &["privileged-group"], &[])),
                repo_labels: &[labels::BUG],
                replies: &[
                    "The label(s) `kind/bug` cannot be applied or removed, because you are not in one of the allowed teams and are not an allowed user. Must be a member of one of these teams: privileged-group",
                ],
                ..BASE
            },
        ]
    }

    fn config(case: &Case) -> LabelConfig {
        let mut config = LabelConfig {
            additional_labels: case.additional.iter().map(|l| (*l).to_owned()).collect(),
            ..LabelConfig::default()
        };
        if let Some((key, label, teams, users)) = case.restricted {
            config.restricted_labels.insert(
                key.to_owned(),
                vec![RestrictedLabel {
                    label: label.to_owned(),
                    allowed_teams: teams.iter().map(|t| (*t).to_owned()).collect(),
                    allowed_users: users.iter().map(|u| (*u).to_owned()).collect(),
                    assign_on: Vec::new(),
                }],
            );
        }
        config
    }

    fn sorted(labels: &[&str]) -> Vec<String> {
        let mut labels: Vec<String> = labels.iter().map(|l| (*l).to_owned()).collect();
        labels.sort();
        labels
    }

    #[tokio::test]
    async fn label_commands() {
        for case in cases() {
            let mut h = Harness::new();
            h.plugins = Arc::new(PluginsConfig {
                label: config(&case),
                ..PluginsConfig::default()
            });
            h.sim
                .add_team("org", "privileged-group", "Privileged")
                .unwrap();
            for member in case.team {
                h.sim
                    .add_team_member("org", "privileged-group", member, false)
                    .unwrap();
            }
            for label in case.repo_labels {
                h.sim.create_label(&h.repo, label, None, None).unwrap();
            }
            let issue = h.open_issue("author", "an issue");
            for label in case.issue_labels {
                h.sim.add_label_as("admin", &h.repo, issue, label).unwrap();
            }
            let id = if case.act == Act::Create {
                h.forget();
                h.sim
                    .comment_as(case.commenter, &h.repo, issue, case.body)
                    .unwrap()
            } else {
                let id = h
                    .sim
                    .comment_as(case.commenter, &h.repo, issue, case.body)
                    .unwrap();
                h.forget();
                id
            };
            match case.act {
                Act::Create => {}
                Act::Edit => h
                    .sim
                    .edit_comment_as(case.commenter, &h.repo, id, case.body)
                    .unwrap(),
                Act::Delete => h
                    .sim
                    .delete_comment_as(case.commenter, &h.repo, id)
                    .unwrap(),
            }
            h.deliver_ok(&LabelPlugin).await;

            let mut added = Vec::new();
            let mut removed = Vec::new();
            let mut replies = Vec::new();
            for (method, argument) in h.bot_actions() {
                match method.as_str() {
                    "add_label" => added.push(argument),
                    "remove_label" => removed.push(argument),
                    "create_comment" => {
                        let (to, message) = Harness::reply_parts(&argument)
                            .unwrap_or_else(|| panic!("{}: not a reply: {argument}", case.name));
                        assert_eq!(to, case.commenter, "{}", case.name);
                        replies.push(message);
                    }
                    other => panic!("{}: unexpected call {other}({argument})", case.name),
                }
            }
            added.sort();
            removed.sort();
            assert_eq!(added, sorted(case.added), "{}: added", case.name);
            assert_eq!(removed, sorted(case.removed), "{}: removed", case.name);
            assert_eq!(replies, case.replies, "{}: replies", case.name);
        }
    }

    #[tokio::test]
    async fn replies_quote_the_comment_without_its_html_comments() {
        let mut h = Harness::new();
        let issue = h.open_issue("author", "an issue");
        let id = h
            .sim
            .comment_as("alice", &h.repo, issue, "<!-- hidden -->\n/area infra")
            .unwrap();
        h.deliver_ok(&LabelPlugin).await;
        let url = h
            .sim
            .issue_comments(&h.repo, issue)
            .unwrap()
            .into_iter()
            .find(|c| c.id == id)
            .unwrap()
            .html_url;
        let want = format_response_raw(
            "\n/area infra",
            &url,
            "alice",
            "The label(s) `area/infra` cannot be applied, because the repository doesn't have them.",
        );
        assert_eq!(h.bot_actions(), vec![("create_comment".to_owned(), want)]);
    }

    #[tokio::test]
    async fn labels_on_pull_requests_assign_restricted_label_users() {
        struct Case {
            name: &'static str,
            assign_on: Option<&'static str>,
            added: &'static str,
            want: Option<&'static str>,
        }
        let cases = [
            Case {
                name: "label added with no auto-assign configured",
                assign_on: None,
                added: "some-label",
                want: None,
            },
            Case {
                name: "assign users for restricted label on label add",
                assign_on: Some("initial-label"),
                added: "initial-label",
                want: Some("alice,bob"),
            },
            Case {
                name: "label names match in any case",
                assign_on: Some("Initial-Label"),
                added: "initial-label",
                want: Some("alice,bob"),
            },
            Case {
                name: "no assigned users on irrelevant label add",
                assign_on: Some("initial-label"),
                added: "other-label",
                want: None,
            },
        ];
        for case in cases {
            let mut h = Harness::new();
            let mut config = LabelConfig::default();
            if let Some(on) = case.assign_on {
                config.restricted_labels.insert(
                    "org".to_owned(),
                    vec![RestrictedLabel {
                        label: "secondary-label".to_owned(),
                        allowed_users: vec!["alice".to_owned(), "bob".to_owned()],
                        assign_on: vec![AssignOnLabel {
                            label: on.to_owned(),
                        }],
                        ..RestrictedLabel::default()
                    }],
                );
            }
            h.plugins = Arc::new(PluginsConfig {
                label: config,
                ..PluginsConfig::default()
            });
            let pr = h.open_pr("author", "change", Files::new().put("a.txt", "a"));
            h.sim
                .add_label_as("carol", &h.repo, pr, case.added)
                .unwrap();
            h.deliver_ok(&LabelPlugin).await;
            let want: Vec<(String, String)> = case
                .want
                .map(|w| ("assign_issue".to_owned(), w.to_owned()))
                .into_iter()
                .collect();
            assert_eq!(h.bot_actions(), want, "{}", case.name);
            if case.want.is_some() {
                assert_eq!(
                    h.sim.assignees(&h.repo, pr),
                    vec!["alice", "bob"],
                    "{}",
                    case.name
                );
            }
        }
    }

    #[test]
    fn help_lists_the_categories() {
        let help = LabelPlugin.help();
        assert_eq!(
            help.config[""],
            "The label plugin will work on \"kind/*\", \"priority/*\" and \"area/*\" labels."
        );
        let plugins = PluginsConfig {
            label: LabelConfig {
                additional_labels: vec!["sig".into(), "triage".into(), "wg".into()],
                ..LabelConfig::default()
            },
            ..PluginsConfig::default()
        };
        let help = LabelPlugin.help_for(&plugins, &[]);
        assert_eq!(
            help.config[""],
            "The label plugin will work on \"kind/*\", \"priority/*\", \"area/*\", \"sig/*\", \"triage/*\" and \"wg/*\" labels."
        );
        assert_eq!(
            help.commands[0].usage,
            "/[remove-](area|committee|kind|language|priority|sig|triage|wg|label) <target>"
        );
    }
}
