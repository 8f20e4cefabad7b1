//! Projects (GitHub's Projects v2) of organisations, as far as Prow's `project` plugin uses
//! them: boards with a `Status` single-select field whose options are the columns, and items
//! (issues and pull requests) placed on a board with a status.
//!
//! Read and changed over GraphQL (`organization { projectsV2 }`, an issue's `projectItems`,
//! `addProjectV2ItemById`, `updateProjectV2ItemFieldValue`, `deleteProjectV2Item`); set up and
//! read back with [`Simulator::create_project`] and [`Simulator::project_items`]. Project
//! changes send no webhooks (GitHub sends `projects_v2_item` to organisation hooks only).

use prow_core::github::RepoName;
use serde_json::{Value, json};

use super::calls::Action;
use super::state::{
    IssueRec, RepoRec, State, forbidden, login_key, node_id, not_found, repo_key, unprocessable,
};
use super::{SimResult, Simulator};

/// The name of the single-select field whose options are a project's columns.
pub const STATUS_FIELD: &str = "Status";

/// A project of an organisation.
#[derive(Clone, Debug)]
pub(crate) struct ProjectRec {
    pub id: u64,
    /// The project's number within its organisation.
    pub number: u64,
    /// The organisation's login, as created.
    pub org: String,
    pub title: String,
    pub closed: bool,
    /// The `Status` field.
    pub field_id: u64,
    /// The `Status` options, in order: (option ID, name).
    pub options: Vec<(String, String)>,
    pub items: Vec<ItemRec>,
}

/// An issue or pull request on a project.
#[derive(Clone, Debug)]
pub(crate) struct ItemRec {
    pub id: u64,
    pub repo: RepoName,
    pub number: u64,
    /// The `Status` option ID, when set.
    pub status: Option<String>,
}

/// One item of a project, as [`Simulator::project_items`] reads it back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectItem {
    /// The repository of the issue or pull request.
    pub repo: RepoName,
    /// Its number.
    pub number: u64,
    /// The name of its `Status` option, when it has one.
    pub status: Option<String>,
}

/// The numeric ID inside a node ID of `kind` (see [`node_id`]).
fn parse_node_id(kind: &str, id: &str) -> Option<u64> {
    let hex = id.strip_prefix(kind)?.strip_prefix("_kwDO")?;
    u64::from_str_radix(hex, 16).ok()
}

/// A `Status` option's ID (GitHub's are eight hex digits).
fn option_id(id: u64) -> String {
    format!("{id:08x}")
}

impl ProjectRec {
    /// The project's node ID (`PVT_...`).
    pub fn node_id(&self) -> String {
        node_id("PVT", self.id)
    }

    /// The `Status` field's node ID.
    pub fn field_node_id(&self) -> String {
        node_id("PVTSSF", self.field_id)
    }

    /// The name of option `id`.
    pub fn option_name(&self, id: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(o, _)| o == id)
            .map(|(_, name)| name.as_str())
    }
}

impl State {
    /// The project with node ID `id`.
    fn project_by_node(&self, id: &str) -> SimResult<u64> {
        parse_node_id("PVT", id)
            .filter(|n| self.projects.contains_key(n))
            .ok_or_else(|| {
                not_found(format!(
                    "Could not resolve to a node with the global id of '{id}'"
                ))
            })
    }

    /// The project `title` of organisation `org`.
    fn project_by_title(&self, org: &str, title: &str) -> SimResult<u64> {
        self.projects
            .values()
            .find(|p| login_key(&p.org) == login_key(org) && p.title == title)
            .map(|p| p.id)
            .ok_or_else(|| not_found(format!("project {title:?} of {org}")))
    }

    /// The organisation's projects, oldest first.
    pub(crate) fn org_projects(&self, org: &str) -> Vec<&ProjectRec> {
        self.projects
            .values()
            .filter(|p| login_key(&p.org) == login_key(org))
            .collect()
    }

    /// The issue or pull request whose node ID is `id` (`I_...` or `PR_...`).
    pub(crate) fn content_by_node(&self, id: &str) -> Option<(&RepoRec, &IssueRec)> {
        let issue_id = parse_node_id("I", id);
        let pull_id = parse_node_id("PR", id);
        self.repos.values().find_map(|rec| {
            rec.issues
                .values()
                .find(|issue| match &issue.pull {
                    Some(pull) => Some(pull.id) == pull_id,
                    None => Some(issue.id) == issue_id,
                })
                .map(|issue| (rec, issue))
        })
    }

    /// The items (with their project) of issue or pull request `number` of `repo`.
    pub(crate) fn items_of(&self, repo: &RepoName, number: u64) -> Vec<(&ProjectRec, &ItemRec)> {
        let key = repo_key(repo);
        self.projects
            .values()
            .flat_map(|p| p.items.iter().map(move |item| (p, item)))
            .filter(|(_, item)| repo_key(&item.repo) == key && item.number == number)
            .collect()
    }

    /// Refuses project changes by anyone but the bot and the organisation's members.
    fn check_project_access(&self, actor: &str, org: &str) -> SimResult<()> {
        if self.is_bot(actor) || self.is_org_member(org, actor) {
            Ok(())
        } else {
            Err(forbidden("Resource not accessible by integration"))
        }
    }

    /// Puts the content on the project (or finds it there); returns the item's ID.
    fn place(&mut self, project: u64, repo: &RepoName, number: u64) -> u64 {
        if let Some(item) = self.projects[&project]
            .items
            .iter()
            .find(|i| repo_key(&i.repo) == repo_key(repo) && i.number == number)
        {
            return item.id;
        }
        let id = self.id();
        if let Some(p) = self.projects.get_mut(&project) {
            p.items.push(ItemRec {
                id,
                repo: repo.clone(),
                number,
                status: None,
            });
        }
        id
    }

    /// The project and item of node IDs `project` and `item`.
    fn item_of(&self, project: &str, item: &str) -> SimResult<(u64, u64)> {
        let project = self.project_by_node(project)?;
        let item_id = parse_node_id("PVTI", item)
            .filter(|i| self.projects[&project].items.iter().any(|it| it.id == *i))
            .ok_or_else(|| {
                not_found(format!(
                    "Could not resolve to a node with the global id of '{item}'"
                ))
            })?;
        Ok((project, item_id))
    }

    /// The repository and number of an item, for the call log.
    fn item_target(&self, project: u64, item: u64) -> Option<(RepoName, u64)> {
        self.projects
            .get(&project)?
            .items
            .iter()
            .find(|i| i.id == item)
            .map(|i| (i.repo.clone(), i.number))
    }

    /// Runs one project mutation of the GraphQL API as `actor`: its payload, and what the
    /// call log records (the action, and the issue or pull request it was about).
    pub(crate) fn project_mutation(
        &mut self,
        actor: &str,
        name: &str,
        input: &Value,
    ) -> Option<(MutationTarget, SimResult<Value>)> {
        let text = |key: &str| {
            input
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        match name {
            "addProjectV2ItemById" => {
                let (project_id, content_id) = (text("projectId"), text("contentId"));
                let action = Action::AddProjectV2ItemById {
                    project_id: project_id.clone(),
                    content_id: content_id.clone(),
                };
                let content = self
                    .content_by_node(&content_id)
                    .map(|(rec, issue)| (rec.name.clone(), issue.number));
                let target =
                    MutationTarget::new(action, content.clone(), self.project_org(&project_id));
                let result = (|| {
                    let project = self.project_by_node(&project_id)?;
                    self.check_project_access(actor, &self.projects[&project].org.clone())?;
                    let (repo, number) = content.ok_or_else(|| {
                        not_found(format!(
                            "Could not resolve to a node with the global id of '{content_id}'"
                        ))
                    })?;
                    let item = self.place(project, &repo, number);
                    Ok(self.item_payload(project, item))
                })();
                Some((target, result.map(|item| json!({ "item": item }))))
            }
            "updateProjectV2ItemFieldValue" => {
                let (project_id, item_id, field_id) =
                    (text("projectId"), text("itemId"), text("fieldId"));
                let option = input
                    .get("value")
                    .and_then(|v| v.get("singleSelectOptionId"))
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                let action = Action::UpdateProjectV2ItemFieldValue {
                    project_id: project_id.clone(),
                    item_id: item_id.clone(),
                    field_id: field_id.clone(),
                    option_id: option.clone().unwrap_or_default(),
                };
                let located = self.item_of(&project_id, &item_id);
                let content = located
                    .as_ref()
                    .ok()
                    .and_then(|(p, i)| self.item_target(*p, *i));
                let target = MutationTarget::new(action, content, self.project_org(&project_id));
                let result = (|| {
                    let (project, item) = located?;
                    let rec = &self.projects[&project];
                    self.check_project_access(actor, &rec.org.clone())?;
                    if field_id != rec.field_node_id() {
                        return Err(not_found(format!(
                            "Could not resolve to a node with the global id of '{field_id}'"
                        )));
                    }
                    let Some(option) = option.filter(|o| rec.option_name(o).is_some()) else {
                        return Err(unprocessable(
                            "The single select option Id does not belong to the field",
                        ));
                    };
                    if let Some(rec) = self.projects.get_mut(&project)
                        && let Some(it) = rec.items.iter_mut().find(|i| i.id == item)
                    {
                        it.status = Some(option);
                    }
                    Ok(self.item_payload(project, item))
                })();
                Some((target, result.map(|item| json!({ "projectV2Item": item }))))
            }
            "deleteProjectV2Item" => {
                let (project_id, item_id) = (text("projectId"), text("itemId"));
                let action = Action::DeleteProjectV2Item {
                    project_id: project_id.clone(),
                    item_id: item_id.clone(),
                };
                let located = self.item_of(&project_id, &item_id);
                let content = located
                    .as_ref()
                    .ok()
                    .and_then(|(p, i)| self.item_target(*p, *i));
                let target = MutationTarget::new(action, content, self.project_org(&project_id));
                let result = (|| {
                    let (project, item) = located?;
                    self.check_project_access(actor, &self.projects[&project].org.clone())?;
                    if let Some(rec) = self.projects.get_mut(&project) {
                        rec.items.retain(|i| i.id != item);
                    }
                    Ok(json!({ "deletedItemId": item_id }))
                })();
                Some((target, result))
            }
            _ => None,
        }
    }

    /// The organisation of the project with node ID `id`, if there is one.
    fn project_org(&self, id: &str) -> Option<String> {
        self.project_by_node(id)
            .ok()
            .map(|p| self.projects[&p].org.clone())
    }

    /// A whole item node, for a mutation's payload.
    fn item_payload(&self, project: u64, item: u64) -> Value {
        let rec = &self.projects[&project];
        rec.items
            .iter()
            .find(|i| i.id == item)
            .map(|i| super::http::graphql::project_item_node(self, rec, i))
            .unwrap_or(Value::Null)
    }
}

/// What the call log records of a project mutation.
#[derive(Debug)]
pub(crate) struct MutationTarget {
    pub action: Action,
    /// The repository called on: the content's, else the project's organisation (with an
    /// empty repository name).
    pub repo: RepoName,
    pub number: Option<u64>,
}

impl MutationTarget {
    fn new(action: Action, content: Option<(RepoName, u64)>, org: Option<String>) -> Self {
        match content {
            Some((repo, number)) => MutationTarget {
                action,
                repo,
                number: Some(number),
            },
            None => MutationTarget {
                action,
                repo: RepoName::new(org.unwrap_or_default(), ""),
                number: None,
            },
        }
    }
}

impl Simulator {
    /// Creates project `title` of organisation `org` with a `Status` field whose options are
    /// `columns`, in order; returns its node ID.
    pub fn create_project(&self, org: &str, title: &str, columns: &[&str]) -> SimResult<String> {
        let mut st = self.lock();
        let login = st
            .orgs
            .get(&login_key(org))
            .map(|o| o.login.clone())
            .ok_or_else(|| not_found(format!("organization {org}")))?;
        if st.project_by_title(org, title).is_ok() {
            return Err(unprocessable(format!("project {title:?} exists")));
        }
        let id = st.id();
        let field_id = st.id();
        let mut options = Vec::new();
        for column in columns {
            let option = st.id();
            options.push((option_id(option), (*column).to_owned()));
        }
        let number = st.org_projects(org).len() as u64 + 1;
        st.projects.insert(
            id,
            ProjectRec {
                id,
                number,
                org: login,
                title: title.to_owned(),
                closed: false,
                field_id,
                options,
                items: Vec::new(),
            },
        );
        Ok(node_id("PVT", id))
    }

    /// The items of project `title` of `org`, in the order they were added.
    pub fn project_items(&self, org: &str, title: &str) -> SimResult<Vec<ProjectItem>> {
        let st = self.lock();
        let project = &st.projects[&st.project_by_title(org, title)?];
        Ok(project
            .items
            .iter()
            .map(|item| ProjectItem {
                repo: item.repo.clone(),
                number: item.number,
                status: item
                    .status
                    .as_deref()
                    .and_then(|o| project.option_name(o))
                    .map(str::to_owned),
            })
            .collect())
    }

    /// Puts issue or pull request `number` on project `title` of `org` with status `status`
    /// (a column's name), as a person would on the board.
    pub fn add_project_item_as(
        &self,
        actor: &str,
        org: &str,
        title: &str,
        repo: &RepoName,
        number: u64,
        status: Option<&str>,
    ) -> SimResult<()> {
        let mut st = self.lock();
        let project = st.project_by_title(org, title)?;
        st.check_project_access(actor, org)?;
        st.repo(repo)?.issue(number)?;
        let option = match status {
            Some(name) => Some(
                st.projects[&project]
                    .options
                    .iter()
                    .find(|(_, n)| n == name)
                    .map(|(id, _)| id.clone())
                    .ok_or_else(|| not_found(format!("column {name:?} of {title:?}")))?,
            ),
            None => None,
        };
        let item = st.place(project, repo, number);
        if let Some(rec) = st.projects.get_mut(&project)
            && let Some(it) = rec.items.iter_mut().find(|i| i.id == item)
        {
            it.status = option;
        }
        Ok(())
    }
}
