//! The `project` plugin: `/project <board> [column]` puts an issue or pull request on one of
//! the organisation's project boards, in a column; `/project clear <board>` takes it off.
//!
//! GitHub retired Projects (classic), the boards with columns and cards upstream drives. This
//! plugin drives Projects v2 over GraphQL instead, keeping upstream's commands, replies and
//! rules: a board is a project of the organisation found by its title, a column is an option
//! of the project's `Status` single-select field, and a card is the project's item for the
//! issue or pull request with that status. IDs in replies are the `Status` options' IDs.
//! Only the members of the maintainer team `project_config` names for the repository (or its
//! org) may use the command; `project_config`'s default columns apply when none is given.

use async_trait::async_trait;
use prow_core::config::plugins::PluginsConfig;
use prow_core::event::GenericCommentEvent;
use prow_core::github::{RepoName, TeamRole};
use prow_core::traits::{EventKind, Plugin, PluginContext, PluginError, PluginEvent, PluginHelp};
use serde_json::{Value, json};

use crate::commands::{self, Arg, Command};
use crate::plugins::{created_comment, repo_of};
use crate::reply::format_comment_response;
use prow_core::prowjob::go_quote;

/// `/project <board> [column]` and `/project clear <board>`.
pub static PROJECT: Command = Command::new("project")
    .arg(Arg::Required(".*"))
    .usage("/project <board>, /project <board> <column>, or /project clear <board>")
    .description("Add an issue or PR to a project board and column")
    .who_can_use("Members of the project maintainer GitHub team can use the '/project' command.")
    .examples(&[
        "/project 0.5.0",
        "/project 0.5.0 To do",
        "/project clear 0.4.0",
    ]);

/// The name of the single-select field whose options are a project's columns.
pub const STATUS_FIELD: &str = "Status";

/// The reply when neither the repository nor its org names a maintainer team.
pub const NOT_TEAM_CONFIG: &str = "There is no maintainer team for this repo or org.";

/// The reply to a command without a board, or with too many words.
pub const INVALID_NUM_ARGS: &str = "Please provide 1 or more arguments. Example usage: /project 0.5.0, /project 0.5.0 To do, /project clear 0.4.0";

/// The keyword of `/project clear <board>`.
const CLEAR: &str = "clear";

/// The reply to someone outside the maintainer team (upstream names the team `org/repo`).
pub fn not_a_team_member(org: &str, repo: &str) -> String {
    format!(
        "You must be a member of the [{org}/{repo}](https://github.com/orgs/{org}/teams/{repo}/members) github team to set the project and column."
    )
}

/// The reply to an unknown board, listing the known ones (`` `a`, `b` ``).
pub fn invalid_project(known: &str) -> String {
    format!(
        "The provided project is not valid for this organization. Projects in Kubernetes orgs and repositories: [{known}]."
    )
}

/// The reply to a missing or unknown column, listing the board's columns.
pub fn invalid_column(project: &str, columns: &[String]) -> String {
    format!(
        "A column is not provided or it's not valid for the project {project}. Please provide one of the following columns in the command:\n[{}]",
        columns.join(" ")
    )
}

/// The reply when the card moved to another column.
pub fn success_moving(column: &str, id: &str) -> String {
    format!(
        "You have successfully moved the project card for this issue to column {column} (ID {id})."
    )
}

/// The reply when a card was created.
pub fn success_creating(project: &str, column: &str, id: &str) -> String {
    format!(
        "You have successfully created a project card for this issue. It's been added to project {project} column {column} (ID {id})."
    )
}

/// The reply when the card was taken off the board.
pub fn success_clearing(project: &str) -> String {
    format!("You have successfully removed this issue/PR from project {project}.")
}

/// The reply to clearing a board the issue or pull request is not on.
pub fn failed_clearing(project: &str, number: u64) -> String {
    format!(
        "The project {} is not valid for the issue/PR {number}. Please provide a valid project to which this issue belongs.",
        go_quote(project)
    )
}

/// What a `/project` command asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The board's title.
    pub project: String,
    /// The column's name; empty when not given.
    pub column: String,
    /// Whether the card is to be taken off the board.
    pub clear: bool,
}

/// Reads the argument of `/project` as upstream does: an optional leading `clear`, then the
/// board and the column, either quoted (`'…'` or `"…"`) or split at the first space.
/// `None` when there is no board or more than two parts.
pub fn parse_request(arg: &str) -> Option<Request> {
    let mut content = arg.trim().to_owned();
    let mut clear = false;
    if content.starts_with(CLEAR) {
        clear = true;
        content = content.replacen(CLEAR, "", 1).trim().to_owned();
    }
    let content = content.replace('"', "'");
    let parts: Vec<&str> = if content.contains('\'') {
        content.split('\'').collect()
    } else {
        content.splitn(2, ' ').collect()
    };
    let parts: Vec<&str> = parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() || parts.len() > 2 {
        return None;
    }
    Some(Request {
        project: parts[0].to_owned(),
        column: parts.get(1).map(|c| (*c).to_owned()).unwrap_or_default(),
        clear,
    })
}

/// The organisation's projects with their `Status` options, a page at a time.
const PROJECTS_QUERY: &str = r#"query($org: String!, $cursor: String) {
  organization(login: $org) {
    projectsV2(first: 100, after: $cursor) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id
        title
        field(name: "Status") {
          ... on ProjectV2SingleSelectField { id options { id name } }
        }
      }
    }
  }
}"#;

/// An issue's or pull request's node ID and the projects it is on, a page at a time.
const ITEMS_QUERY: &str = r#"query($owner: String!, $name: String!, $number: Int!, $cursor: String) {
  repository(owner: $owner, name: $name) {
    issueOrPullRequest(number: $number) {
      ... on Issue { id projectItems(first: 100, after: $cursor) { ...items } }
      ... on PullRequest { id projectItems(first: 100, after: $cursor) { ...items } }
    }
  }
}
fragment items on ProjectV2ItemConnection {
  pageInfo { hasNextPage endCursor }
  nodes {
    id
    project { id }
    fieldValueByName(name: "Status") {
      ... on ProjectV2ItemFieldSingleSelectValue { optionId }
    }
  }
}"#;

const ADD_ITEM: &str = r#"mutation($project: ID!, $content: ID!) {
  addProjectV2ItemById(input: {projectId: $project, contentId: $content}) { item { id } }
}"#;

const SET_STATUS: &str = r#"mutation($project: ID!, $item: ID!, $field: ID!, $option: String!) {
  updateProjectV2ItemFieldValue(
    input: {projectId: $project, itemId: $item, fieldId: $field, value: {singleSelectOptionId: $option}}
  ) { projectV2Item { id } }
}"#;

const DELETE_ITEM: &str = r#"mutation($project: ID!, $item: ID!) {
  deleteProjectV2Item(input: {projectId: $project, itemId: $item}) { deletedItemId }
}"#;

/// A column: an option of a project's `Status` field.
#[derive(Clone, Debug)]
struct Column {
    id: String,
    name: String,
}

/// A project of the organisation.
#[derive(Clone, Debug)]
struct Board {
    id: String,
    title: String,
    /// The `Status` field's ID, when the project has one.
    field: Option<String>,
    columns: Vec<Column>,
}

/// The project item of the issue or pull request.
#[derive(Clone, Debug)]
struct Card {
    id: String,
    /// The `Status` option it is in.
    column: Option<String>,
}

/// A string at `pointer` of a GraphQL answer.
fn text_at(value: &Value, pointer: &str) -> Option<String> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// The GraphQL answer was not what the schema promises.
fn unexpected(what: &str) -> PluginError {
    PluginError::internal(format!("unexpected GraphQL answer: no {what}"))
}

/// Every project of `org`.
async fn boards(ctx: &PluginContext, org: &str) -> Result<Vec<Board>, PluginError> {
    let mut boards = Vec::new();
    let mut cursor = Value::Null;
    loop {
        let data = ctx
            .github
            .graphql(PROJECTS_QUERY, json!({ "org": org, "cursor": cursor }))
            .await?;
        let page = data
            .pointer("/organization/projectsV2")
            .ok_or_else(|| unexpected("organization.projectsV2"))?;
        for node in page["nodes"].as_array().into_iter().flatten() {
            let (Some(id), Some(title)) = (text_at(node, "/id"), text_at(node, "/title")) else {
                continue;
            };
            let columns = node
                .pointer("/field/options")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|o| {
                    Some(Column {
                        id: text_at(o, "/id")?,
                        name: text_at(o, "/name")?,
                    })
                })
                .collect();
            boards.push(Board {
                id,
                title,
                field: text_at(node, "/field/id"),
                columns,
            });
        }
        if page.pointer("/pageInfo/hasNextPage") != Some(&Value::Bool(true)) {
            return Ok(boards);
        }
        cursor = page
            .pointer("/pageInfo/endCursor")
            .cloned()
            .ok_or_else(|| unexpected("pageInfo.endCursor"))?;
    }
}

/// The issue's or pull request's node ID, and its card on `board`, if any.
async fn card_on(
    ctx: &PluginContext,
    repo: &RepoName,
    number: u64,
    board: &Board,
) -> Result<(String, Option<Card>), PluginError> {
    let mut cursor = Value::Null;
    loop {
        let variables = json!({
            "owner": repo.org, "name": repo.repo, "number": number, "cursor": cursor,
        });
        let data = ctx.github.graphql(ITEMS_QUERY, variables).await?;
        let content = data
            .pointer("/repository/issueOrPullRequest")
            .ok_or_else(|| unexpected("repository.issueOrPullRequest"))?;
        let content_id = text_at(content, "/id").ok_or_else(|| unexpected("content id"))?;
        let items = &content["projectItems"];
        for node in items["nodes"].as_array().into_iter().flatten() {
            if text_at(node, "/project/id").as_deref() == Some(board.id.as_str())
                && let Some(id) = text_at(node, "/id")
            {
                let column = text_at(node, "/fieldValueByName/optionId");
                return Ok((content_id, Some(Card { id, column })));
            }
        }
        if items.pointer("/pageInfo/hasNextPage") != Some(&Value::Bool(true)) {
            return Ok((content_id, None));
        }
        cursor = items
            .pointer("/pageInfo/endCursor")
            .cloned()
            .ok_or_else(|| unexpected("pageInfo.endCursor"))?;
    }
}

/// Sets the card's `Status` to `column`.
async fn set_status(
    ctx: &PluginContext,
    board: &Board,
    card: &str,
    column: &Column,
) -> Result<(), PluginError> {
    let field = board
        .field
        .as_deref()
        .ok_or_else(|| unexpected("Status field"))?;
    let variables = json!({
        "project": board.id, "item": card, "field": field, "option": column.id,
    });
    ctx.github.graphql(SET_STATUS, variables).await?;
    Ok(())
}

/// Whether `login` is in team `team_id` of `org` (a team that does not exist has nobody).
async fn team_has_member(
    ctx: &PluginContext,
    org: &str,
    team_id: i64,
    login: &str,
) -> Result<bool, PluginError> {
    let teams = ctx.github.list_teams(org).await?;
    let Some(team) = teams
        .iter()
        .find(|t| i64::try_from(t.id).is_ok_and(|id| id == team_id))
    else {
        return Ok(false);
    };
    let members = ctx
        .github
        .list_team_members(org, &team.slug, TeamRole::All)
        .await?;
    Ok(members.iter().any(|m| m.login.eq_ignore_ascii_case(login)))
}

/// Go's `%v` of a string map: `map[k1:v1 k2:v2]`, keys sorted.
fn go_map<'a>(map: impl IntoIterator<Item = (&'a String, &'a String)>) -> String {
    let entries: Vec<String> = map.into_iter().map(|(k, v)| format!("{k}:{v}")).collect();
    format!("map[{}]", entries.join(" "))
}

/// The `project` plugin.
#[derive(Debug, Default)]
pub struct Project;

impl Project {
    async fn reply(
        ctx: &PluginContext,
        comment: &GenericCommentEvent,
        message: &str,
    ) -> Result<(), PluginError> {
        let repo = repo_of(comment);
        let body = format_comment_response(comment, message);
        ctx.github
            .create_comment(&repo, comment.number, &body)
            .await?;
        Ok(())
    }
}

#[async_trait]
impl Plugin for Project {
    fn name(&self) -> &str {
        "project"
    }

    fn events(&self) -> &[EventKind] {
        &[EventKind::GenericComment]
    }

    fn help(&self) -> PluginHelp {
        PluginHelp {
            description: format!(
                "The project plugin allows members of a GitHub team to set the project and column on an issue or pull request. Projects are the organization's projects (GitHub Projects), found by their title; a column is an option of the project's '{STATUS_FIELD}' field."
            ),
            commands: commands::help(&[&PROJECT]),
            ..PluginHelp::default()
        }
    }

    fn help_for(&self, plugins: &PluginsConfig, repos: &[RepoName]) -> PluginHelp {
        let mut help = self.help();
        for repo in repos {
            let text = match plugins.project.column_map(&repo.org, &repo.repo) {
                Some(columns) if !columns.is_empty() => format!(
                    "An issue/PR with unspecified column will be added to one of the following columns: {}.",
                    go_map(columns)
                ),
                _ => match plugins.project.maintainer_team(&repo.org, &repo.repo) {
                    Some(team) => {
                        format!("The project maintainers team is the github team with ID: {team}.")
                    }
                    None => "There are no maintainer team specified for this repo or its org."
                        .to_owned(),
                },
            };
            help.config.insert(repo.to_string(), text);
        }
        help
    }

    async fn handle(&self, ctx: &PluginContext, event: &PluginEvent) -> Result<(), PluginError> {
        let Some(comment) = created_comment(event) else {
            return Ok(());
        };
        let Some(found) = PROJECT.find(&comment.body).into_iter().next() else {
            return Ok(());
        };
        let bot = ctx.github.bot_user().await?;
        if bot.login.eq_ignore_ascii_case(&comment.user.login) {
            return Ok(());
        }
        let repo = repo_of(comment);
        let (org, number) = (repo.org.as_str(), comment.number);
        let Some(request) = parse_request(found.arg.as_deref().unwrap_or_default()) else {
            return Self::reply(ctx, comment, INVALID_NUM_ARGS).await;
        };
        let Some(team) = ctx.plugins.project.maintainer_team(org, &repo.repo) else {
            return Self::reply(ctx, comment, NOT_TEAM_CONFIG).await;
        };
        if !team_has_member(ctx, org, team, &comment.user.login).await? {
            return Self::reply(ctx, comment, &not_a_team_member(org, &repo.repo)).await;
        }

        let boards = boards(ctx, org).await?;
        let Some(board) = boards.iter().find(|b| b.title == request.project) else {
            let mut known: Vec<String> = boards.iter().map(|b| format!("`{}`", b.title)).collect();
            known.sort();
            known.dedup();
            return Self::reply(ctx, comment, &invalid_project(&known.join(", "))).await;
        };

        let mut column = board.columns.iter().find(|c| c.name == request.column);
        if column.is_none() && !request.clear {
            if request.column.is_empty() {
                let default = ctx
                    .plugins
                    .project
                    .column_map(org, &repo.repo)
                    .and_then(|m| m.get(&request.project))
                    .or_else(|| {
                        ctx.plugins
                            .project
                            .org_column_map(org)
                            .and_then(|m| m.get(&request.project))
                    });
                if let Some(default) = default {
                    column = board.columns.iter().find(|c| c.name == *default);
                }
            }
            if column.is_none() {
                let names: Vec<String> = board.columns.iter().map(|c| c.name.clone()).collect();
                return Self::reply(ctx, comment, &invalid_column(&request.project, &names)).await;
            }
        }

        let (content_id, card) = card_on(ctx, &repo, number, board).await?;
        if let (Some(card), Some(column)) = (&card, column)
            && card.column.as_deref() == Some(column.id.as_str())
        {
            return Ok(());
        }

        if request.clear {
            return match card {
                Some(card) => {
                    let variables = json!({ "project": board.id, "item": card.id });
                    ctx.github.graphql(DELETE_ITEM, variables).await?;
                    Self::reply(ctx, comment, &success_clearing(&request.project)).await
                }
                None => Self::reply(ctx, comment, &failed_clearing(&request.project, number)).await,
            };
        }
        let Some(column) = column else {
            return Ok(());
        };
        match card {
            Some(card) => {
                tracing::info!(%repo, number, column = %column.name, "moving the project card");
                set_status(ctx, board, &card.id, column).await?;
                Self::reply(ctx, comment, &success_moving(&column.name, &column.id)).await
            }
            None => {
                let variables = json!({ "project": board.id, "content": content_id });
                let added = ctx.github.graphql(ADD_ITEM, variables).await?;
                let card = text_at(&added, "/addProjectV2ItemById/item/id")
                    .ok_or_else(|| unexpected("addProjectV2ItemById.item.id"))?;
                set_status(ctx, board, &card, column).await?;
                let message = success_creating(&request.project, &column.name, &column.id);
                Self::reply(ctx, comment, &message).await
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::format_response_raw;
    use crate::testing::{BOT, Harness};
    use prow_github::simulator::{Files, ProjectItem};

    #[test]
    fn parses_commands() {
        type Want = Option<(&'static str, &'static str, bool)>;
        let cases: [(&str, Want); 16] = [
            ("0.0.0 To do", Some(("0.0.0", "To do", false))),
            ("0.0.0 Backlog", Some(("0.0.0", "Backlog", false))),
            ("clear 0.0.0", Some(("0.0.0", "", true))),
            ("clear 0.0.0 Backlog", Some(("0.0.0", "Backlog", true))),
            ("clear", None),
            ("0.0.0", Some(("0.0.0", "", false))),
            ("'0.0.0'", Some(("0.0.0", "", false))),
            ("\"0.0.0\"", Some(("0.0.0", "", false))),
            ("'0.0.0' To do", Some(("0.0.0", "To do", false))),
            ("'0.0.0' \"To do\"", Some(("0.0.0", "To do", false))),
            (
                "'something 0.0.0' \"To do\"",
                Some(("something 0.0.0", "To do", false)),
            ),
            ("clear '0.0.0' \"To do\"", Some(("0.0.0", "To do", true))),
            (
                "clear 'something 0.0.0' \"To do\"",
                Some(("something 0.0.0", "To do", true)),
            ),
            ("", None),
            ("'a' 'b' 'c'", None),
            (
                "  0.0.0   In progress  ",
                Some(("0.0.0", "In progress", false)),
            ),
        ];
        for (arg, want) in cases {
            let want = want.map(|(project, column, clear)| Request {
                project: project.to_owned(),
                column: column.to_owned(),
                clear,
            });
            assert_eq!(parse_request(arg), want, "{arg:?}");
        }
    }

    #[test]
    fn the_command_matches_as_upstreams() {
        let cases = [
            ("/project 0.0.0 To do", Some("0.0.0 To do")),
            ("/project", None),
            ("/project ", Some("")),
            ("/PROJECT 0.0.0", None),
            ("random comment", None),
            ("see /project 1", None),
            ("/project 1\r\n", Some("1")),
        ];
        for (body, want) in cases {
            let found = PROJECT.find(body).into_iter().next();
            assert_eq!(
                found.map(|f| f.arg.unwrap_or_default()).as_deref(),
                want,
                "{body:?}"
            );
        }
    }

    #[test]
    fn reply_texts() {
        assert_eq!(
            not_a_team_member("kubernetes", "kubernetes"),
            "You must be a member of the [kubernetes/kubernetes](https://github.com/orgs/kubernetes/teams/kubernetes/members) github team to set the project and column."
        );
        assert_eq!(
            invalid_column("0.1.0", &["To do".to_owned(), "Backlog".to_owned()]),
            "A column is not provided or it's not valid for the project 0.1.0. Please provide one of the following columns in the command:\n[To do Backlog]"
        );
        assert_eq!(
            failed_clearing("0.1.0", 1),
            "The project \"0.1.0\" is not valid for the issue/PR 1. Please provide a valid project to which this issue belongs."
        );
        assert_eq!(
            success_creating("0.0.0", "To do", "0000abcd"),
            "You have successfully created a project card for this issue. It's been added to project 0.0.0 column To do (ID 0000abcd)."
        );
        assert_eq!(
            success_moving("To do", "0000abcd"),
            "You have successfully moved the project card for this issue to column To do (ID 0000abcd)."
        );
        assert_eq!(
            success_clearing("0.0.0"),
            "You have successfully removed this issue/PR from project 0.0.0."
        );
        assert_eq!(
            invalid_project("`0.0.0`, `0.1.0`"),
            "The provided project is not valid for this organization. Projects in Kubernetes orgs and repositories: [`0.0.0`, `0.1.0`]."
        );
    }

    /// Where the issue or pull request is before the command.
    type Before = Option<(&'static str, Option<&'static str>)>;

    /// What the bot should have replied.
    enum Reply {
        None,
        Text(String),
        /// `success_creating` / `success_moving` with the column's option ID.
        Created(&'static str, &'static str),
        Moved(&'static str),
    }

    struct Case {
        name: &'static str,
        repo: &'static str,
        body: &'static str,
        commenter: &'static str,
        on_pr: bool,
        edit: bool,
        plugins_yaml: Option<&'static str>,
        before: Before,
        want_reply: Reply,
        /// The GraphQL mutations made, in order.
        want_mutations: &'static [&'static str],
        /// The items of each project after.
        want_after: &'static [(&'static str, &'static [Option<&'static str>])],
    }

    impl Default for Case {
        fn default() -> Self {
            Case {
                name: "",
                repo: "repo",
                body: "",
                commenter: "alice",
                on_pr: false,
                edit: false,
                plugins_yaml: None,
                before: None,
                want_reply: Reply::None,
                want_mutations: &[],
                want_after: &[],
            }
        }
    }

    const CONFIG: &str = "project_config:
  project_org_configs:
    org:
      org_maintainers_team_id: TEAM
      org_default_column_map:
        0.0.0: Backlog
      project_repo_configs:
        repo:
          repo_maintainers_team_id: TEAM
          repo_default_column_map:
            0.1.0: To do
        community:
          repo_maintainers_team_id: TEAM
          repo_default_column_map:
            0.1.0: does not exist column
";

    const ADD: &str = "add_project_v2_item_by_id";
    const SET: &str = "update_project_v2_item_field_value";
    const DELETE: &str = "delete_project_v2_item";

    /// The option ID of `column` of `project`.
    async fn option_id(h: &Harness, project: &str, column: &str) -> String {
        use prow_core::github::GitHubClient;
        let data = h
            .sim
            .graphql(PROJECTS_QUERY, json!({ "org": "org", "cursor": null }))
            .await
            .unwrap();
        let nodes = data["organization"]["projectsV2"]["nodes"]
            .as_array()
            .unwrap();
        let board = nodes.iter().find(|n| n["title"] == project).unwrap();
        let option = board["field"]["options"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["name"] == column)
            .unwrap();
        option["id"].as_str().unwrap().to_owned()
    }

    #[tokio::test]
    async fn project_command() {
        let cases = vec![
            Case {
                name: "Setting project and column with valid values, but commenter does not belong to the project maintainer team",
                body: "/project 0.0.0 To do",
                commenter: "bob",
                want_reply: Reply::Text(not_a_team_member("org", "repo")),
                ..Case::default()
            },
            Case {
                name: "Setting project and column with valid values; project card does not currently exist for this issue/PR in the project",
                body: "/project 0.0.0 To do",
                want_reply: Reply::Created("0.0.0", "To do"),
                want_mutations: &[ADD, SET],
                want_after: &[("0.0.0", &[Some("To do")])],
                ..Case::default()
            },
            Case {
                name: "Setting project and column with valid values; project card already exist for this issue/PR in the project, but the project card is under a different column",
                body: "/project 0.0.0 To do",
                before: Some(("0.0.0", Some("Backlog"))),
                want_reply: Reply::Moved("To do"),
                want_mutations: &[SET],
                want_after: &[("0.0.0", &[Some("To do")])],
                ..Case::default()
            },
            Case {
                name: "Setting project and column on a pull request",
                body: "/project 0.0.0 To do",
                on_pr: true,
                want_reply: Reply::Created("0.0.0", "To do"),
                want_mutations: &[ADD, SET],
                want_after: &[("0.0.0", &[Some("To do")])],
                ..Case::default()
            },
            Case {
                name: "Setting project without column value; the project specified exists on the repo level; the default column is set on the project and it exists on the project",
                body: "/project 0.1.0",
                before: Some(("0.0.0", Some("Backlog"))),
                want_reply: Reply::Created("0.1.0", "To do"),
                want_mutations: &[ADD, SET],
                want_after: &[("0.0.0", &[Some("Backlog")]), ("0.1.0", &[Some("To do")])],
                ..Case::default()
            },
            Case {
                name: "Setting project without column value; the project specified exists on the org level; the default column is set on the project and it exists on the project",
                body: "/project 0.0.0",
                want_reply: Reply::Created("0.0.0", "Backlog"),
                want_mutations: &[ADD, SET],
                want_after: &[("0.0.0", &[Some("Backlog")])],
                ..Case::default()
            },
            Case {
                name: "Setting project without column value; the default column is set on the project but it does not exist on the project",
                repo: "community",
                body: "/project 0.1.0",
                before: Some(("0.0.0", Some("Backlog"))),
                want_reply: Reply::Text(invalid_column(
                    "0.1.0",
                    &["To do".to_owned(), "Backlog".to_owned()],
                )),
                want_after: &[("0.0.0", &[Some("Backlog")]), ("0.1.0", &[])],
                ..Case::default()
            },
            Case {
                name: "Setting project with invalid column value; an error will be returned",
                body: "/project 0.1.0 Random 2",
                want_reply: Reply::Text(invalid_column(
                    "0.1.0",
                    &["To do".to_owned(), "Backlog".to_owned()],
                )),
                want_after: &[("0.1.0", &[])],
                ..Case::default()
            },
            Case {
                name: "Clearing project for a issue/PR; the project name provided is valid",
                body: "/project clear 0.0.0",
                before: Some(("0.0.0", Some("Backlog"))),
                want_reply: Reply::Text(success_clearing("0.0.0")),
                want_mutations: &[DELETE],
                want_after: &[("0.0.0", &[])],
                ..Case::default()
            },
            Case {
                name: "Setting project with invalid project name",
                repo: "community",
                body: "/project invalidprojectname",
                want_reply: Reply::Text(invalid_project("`0.0.0`, `0.1.0`, `Big board`")),
                ..Case::default()
            },
            Case {
                name: "Clearing project for a issue/PR; the project name provided is invalid",
                body: "/project clear invalidprojectname",
                before: Some(("0.1.0", Some("To do"))),
                want_reply: Reply::Text(invalid_project("`0.0.0`, `0.1.0`, `Big board`")),
                want_after: &[("0.1.0", &[Some("To do")])],
                ..Case::default()
            },
            Case {
                name: "Clearing project for a issue/PR; the project does not contain the card",
                body: "/project clear 0.1.0",
                before: Some(("0.0.0", Some("Backlog"))),
                want_reply: Reply::Text(failed_clearing("0.1.0", 1)),
                want_after: &[("0.0.0", &[Some("Backlog")])],
                ..Case::default()
            },
            Case {
                name: "Clearing with the card's own column leaves it, as upstream does",
                body: "/project clear 0.0.0 Backlog",
                before: Some(("0.0.0", Some("Backlog"))),
                want_after: &[("0.0.0", &[Some("Backlog")])],
                ..Case::default()
            },
            Case {
                name: "Already in that column: nothing to do",
                body: "/project 0.0.0 Backlog",
                before: Some(("0.0.0", Some("Backlog"))),
                want_after: &[("0.0.0", &[Some("Backlog")])],
                ..Case::default()
            },
            Case {
                name: "A card without a status gets one",
                body: "/project 0.0.0 Backlog",
                before: Some(("0.0.0", None)),
                want_reply: Reply::Moved("Backlog"),
                want_mutations: &[SET],
                want_after: &[("0.0.0", &[Some("Backlog")])],
                ..Case::default()
            },
            Case {
                name: "Quoted board and column names",
                body: "/project 'Big board' \"In progress\"",
                want_reply: Reply::Created("Big board", "In progress"),
                want_mutations: &[ADD, SET],
                want_after: &[("Big board", &[Some("In progress")])],
                ..Case::default()
            },
            Case {
                name: "No board given",
                body: "/project clear",
                want_reply: Reply::Text(INVALID_NUM_ARGS.to_owned()),
                ..Case::default()
            },
            Case {
                name: "Only whitespace after the command",
                body: "/project  ",
                want_reply: Reply::Text(INVALID_NUM_ARGS.to_owned()),
                ..Case::default()
            },
            Case {
                name: "No maintainer team for the repo or org",
                body: "/project 0.0.0 To do",
                plugins_yaml: Some(""),
                want_reply: Reply::Text(NOT_TEAM_CONFIG.to_owned()),
                ..Case::default()
            },
            Case {
                name: "No action on events that are not new comments",
                body: "/project 0.0.0 To do",
                edit: true,
                ..Case::default()
            },
            Case {
                name: "No action on bot comments",
                body: "/project 0.0.0 To do",
                commenter: BOT,
                ..Case::default()
            },
            Case {
                name: "No action on non-matching comments",
                body: "random comment",
                ..Case::default()
            },
            Case {
                name: "The command is case-sensitive",
                body: "/PROJECT 0.0.0 To do",
                ..Case::default()
            },
        ];
        for case in cases {
            let mut h = Harness::new();
            let community = RepoName::new("org", "community");
            h.sim
                .create_repo(&community, "master", Files::new().put("README.md", "hi\n"))
                .unwrap();
            let team = h.sim.add_team("org", "maintainers", "Maintainers").unwrap();
            h.sim
                .add_team_member("org", "maintainers", "alice", false)
                .unwrap();
            let yaml = case
                .plugins_yaml
                .map_or_else(|| CONFIG.replace("TEAM", &team.to_string()), str::to_owned);
            h.set_plugins_yaml(&yaml);
            for (title, columns) in [
                ("0.0.0", &["To do", "Backlog"][..]),
                ("0.1.0", &["To do", "Backlog"][..]),
                ("Big board", &["In progress"][..]),
            ] {
                h.sim.create_project("org", title, columns).unwrap();
            }
            let repo = if case.repo == "community" {
                community.clone()
            } else {
                h.repo.clone()
            };
            let number = if case.on_pr {
                h.sim
                    .open_pull_request(
                        &repo,
                        "author",
                        "change",
                        "",
                        "feature",
                        Files::new().put("a", "b"),
                    )
                    .unwrap()
            } else {
                h.sim
                    .open_issue_as("author", &repo, "question", "", &[], &[])
                    .unwrap()
            };
            if let Some((title, column)) = case.before {
                h.sim
                    .add_project_item_as("admin", "org", title, &repo, number, column)
                    .unwrap();
            }
            h.forget();
            let id = h
                .sim
                .comment_as(case.commenter, &repo, number, case.body)
                .unwrap();
            if case.edit {
                h.forget();
                h.sim
                    .edit_comment_as(case.commenter, &repo, id, "/project 0.1.0 To do")
                    .unwrap();
            }
            let url = h
                .sim
                .issue_comments(&repo, number)
                .unwrap()
                .into_iter()
                .find(|c| c.id == id)
                .unwrap()
                .html_url;
            h.deliver_ok(&Project).await;

            let calls = h.bot_calls();
            let mutations: Vec<&str> = calls
                .iter()
                .map(|c| c.method())
                .filter(|m| *m != "create_comment")
                .collect();
            assert_eq!(mutations, case.want_mutations, "{}", case.name);
            for call in &calls {
                assert_eq!(call.repo, repo, "{}", case.name);
                assert_eq!(call.number, Some(number), "{}", case.name);
                assert!(call.error.is_none(), "{}: {call:?}", case.name);
            }
            let comments: Vec<String> = calls
                .iter()
                .filter_map(|c| match &c.action {
                    prow_github::simulator::Action::CreateComment { body } => Some(body.clone()),
                    _ => None,
                })
                .collect();
            let want_reply = match &case.want_reply {
                Reply::None => None,
                Reply::Text(text) => Some(text.clone()),
                Reply::Created(project, column) => Some(success_creating(
                    project,
                    column,
                    &option_id(&h, project, column).await,
                )),
                Reply::Moved(column) => {
                    let project = case.want_after[0].0;
                    Some(success_moving(
                        column,
                        &option_id(&h, project, column).await,
                    ))
                }
            };
            let want_comments: Vec<String> = want_reply
                .map(|text| format_response_raw(case.body, &url, case.commenter, &text))
                .into_iter()
                .collect();
            assert_eq!(comments, want_comments, "{}", case.name);
            if comments.len() == 1 {
                assert_eq!(
                    calls.last().unwrap().method(),
                    "create_comment",
                    "{}",
                    case.name
                );
            }
            for (title, statuses) in case.want_after {
                let items = h.sim.project_items("org", title).unwrap();
                let want: Vec<ProjectItem> = statuses
                    .iter()
                    .map(|status| ProjectItem {
                        repo: repo.clone(),
                        number,
                        status: status.map(str::to_owned),
                    })
                    .collect();
                assert_eq!(items, want, "{}: {title}", case.name);
            }
        }
    }

    #[test]
    fn help_shows_the_team_or_the_default_columns() {
        let plugins = PluginsConfig::load(
            "project_config:
  project_org_configs:
    org:
      org_maintainers_team_id: 42
      project_repo_configs:
        repo:
          repo_maintainers_team_id: 7
          repo_default_column_map:
            project2: Backlog
            project1: To do
",
        )
        .unwrap();
        let repos = [
            RepoName::new("org", "repo"),
            RepoName::new("org", "other"),
            RepoName::new("elsewhere", "repo"),
        ];
        let help = Project.help_for(&plugins, &repos);
        assert_eq!(
            help.config["org/repo"],
            "An issue/PR with unspecified column will be added to one of the following columns: map[project1:To do project2:Backlog]."
        );
        assert_eq!(
            help.config["org/other"],
            "The project maintainers team is the github team with ID: 42."
        );
        assert_eq!(
            help.config["elsewhere/repo"],
            "There are no maintainer team specified for this repo or its org."
        );
        assert!(help.description.contains("'Status' field"));
        assert_eq!(
            help.commands[0].usage,
            "/project <board>, /project <board> <column>, or /project clear <board>"
        );
    }
}
