//! Projects v2: boards set up by the admin API, read and changed over GraphQL (queries,
//! the three item mutations, their call log and refusals), read back for assertions.

use prow_core::github::{GitHubClient, GitHubError};
use serde_json::{Value, json};

use super::super::{Action, Faults, ProjectItem, Simulator};
use super::{BOT, kind, open_pr, repo, world};

/// The org's projects with their `Status` options, one page of `first`.
pub(crate) const PROJECTS: &str = r#"
query($org: String!, $first: Int!, $cursor: String) {
  organization(login: $org) {
    login
    projectsV2(first: $first, after: $cursor) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id
        number
        title
        field(name: "Status") {
          ... on ProjectV2SingleSelectField { id name options { id name } }
        }
      }
    }
  }
}"#;

/// An issue's or pull request's node ID and project items.
pub(crate) const ITEMS: &str = r#"
query($owner: String!, $name: String!, $number: Int!) {
  repository(owner: $owner, name: $name) {
    issueOrPullRequest(number: $number) {
      __typename
      ... on Issue { id projectItems(first: 100) { nodes { ...item } } }
      ... on PullRequest { id projectItems(first: 100) { nodes { ...item } } }
    }
  }
}
fragment item on ProjectV2Item {
  id
  type
  project { id title }
  fieldValueByName(name: "Status") {
    ... on ProjectV2ItemFieldSingleSelectValue { name optionId }
  }
}"#;

pub(crate) const ADD: &str = r#"mutation($project: ID!, $content: ID!) {
  addProjectV2ItemById(input: {projectId: $project, contentId: $content}) { item { id } }
}"#;

pub(crate) const SET_STATUS: &str = r#"mutation($project: ID!, $item: ID!, $field: ID!, $option: String!) {
  updateProjectV2ItemFieldValue(
    input: {projectId: $project, itemId: $item, fieldId: $field, value: {singleSelectOptionId: $option}}
  ) { projectV2Item { id fieldValueByName(name: "Status") { ... on ProjectV2ItemFieldSingleSelectValue { name } } } }
}"#;

pub(crate) const DELETE: &str = r#"mutation($project: ID!, $item: ID!) {
  deleteProjectV2Item(input: {projectId: $project, itemId: $item}) { deletedItemId }
}"#;

/// The world with projects `Roadmap` (To do, Doing, Done) and `1.0` (Backlog) of
/// `kubernetes`, issue #1 and pull request #2 of test-infra.
pub(crate) fn project_world() -> Simulator {
    let sim = world();
    sim.create_project("kubernetes", "Roadmap", &["To do", "Doing", "Done"])
        .unwrap();
    sim.create_project("kubernetes", "1.0", &["Backlog"])
        .unwrap();
    sim.open_issue_as("alice", &repo(), "An issue", "", &[], &[])
        .unwrap();
    open_pr(&sim, "alice", "feature", "a.txt");
    sim.take_calls();
    sim
}

fn items_vars(number: u64) -> Value {
    json!({ "owner": "kubernetes", "name": "test-infra", "number": number })
}

#[tokio::test]
async fn the_admin_api_sets_projects_up() {
    let sim = world();
    let id = sim
        .create_project("kubernetes", "Roadmap", &["To do"])
        .unwrap();
    assert!(id.starts_with("PVT_"), "{id}");
    let cases = [
        (sim.create_project("kubernetes", "Roadmap", &[]), "422"),
        (sim.create_project("nobody", "Roadmap", &[]), "404"),
    ];
    for (result, want) in cases {
        assert_eq!(kind(&result.unwrap_err()), want);
    }
    assert_eq!(sim.project_items("kubernetes", "Roadmap").unwrap(), []);
    assert_eq!(
        kind(&sim.project_items("kubernetes", "Nope").unwrap_err()),
        "404"
    );
    sim.open_issue_as("alice", &repo(), "x", "", &[], &[])
        .unwrap();
    sim.add_project_item_as("alice", "kubernetes", "Roadmap", &repo(), 1, Some("To do"))
        .unwrap();
    let cases = [
        (
            sim.add_project_item_as("dave", "kubernetes", "Roadmap", &repo(), 1, None),
            "403",
        ),
        (
            sim.add_project_item_as("alice", "kubernetes", "Roadmap", &repo(), 9, None),
            "404",
        ),
        (
            sim.add_project_item_as("alice", "kubernetes", "Roadmap", &repo(), 1, Some("Nope")),
            "404",
        ),
    ];
    for (result, want) in cases {
        assert_eq!(kind(&result.unwrap_err()), want);
    }
    assert_eq!(
        sim.project_items("kubernetes", "Roadmap").unwrap(),
        [ProjectItem {
            repo: repo(),
            number: 1,
            status: Some("To do".into()),
        }]
    );
    assert!(
        sim.take_calls().is_empty(),
        "admin and world moves are not calls"
    );
}

#[tokio::test]
async fn projects_are_listed_with_their_status_options_and_paged() {
    let sim = project_world();
    let page = sim
        .graphql(PROJECTS, json!({ "org": "kubernetes", "first": 1 }))
        .await
        .unwrap();
    let org = &page["organization"];
    assert_eq!(org["login"], "kubernetes");
    let projects = &org["projectsV2"];
    assert_eq!(projects["pageInfo"]["hasNextPage"], true);
    let nodes = projects["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 1);
    assert_eq!(nodes[0]["title"], "Roadmap");
    assert_eq!(nodes[0]["number"], 1);
    let options: Vec<&str> = nodes[0]["field"]["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(options, ["To do", "Doing", "Done"]);
    assert_eq!(nodes[0]["field"]["name"], "Status");

    let cursor = projects["pageInfo"]["endCursor"].clone();
    let next = sim
        .graphql(
            PROJECTS,
            json!({ "org": "kubernetes", "first": 1, "cursor": cursor }),
        )
        .await
        .unwrap();
    let projects = &next["organization"]["projectsV2"];
    assert_eq!(projects["pageInfo"]["hasNextPage"], false);
    assert_eq!(projects["nodes"][0]["title"], "1.0");
    assert_eq!(projects["nodes"][0]["number"], 2);

    match sim
        .graphql(PROJECTS, json!({ "org": "nobody", "first": 1 }))
        .await
    {
        Err(GitHubError::Unprocessable(text)) => {
            assert!(
                text.contains("Could not resolve to an Organization"),
                "{text}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert!(sim.take_calls().is_empty(), "queries are not calls");
}

#[tokio::test]
async fn items_are_added_moved_and_deleted() {
    let sim = project_world();
    let projects = sim
        .graphql(PROJECTS, json!({ "org": "kubernetes", "first": 100 }))
        .await
        .unwrap();
    let roadmap = &projects["organization"]["projectsV2"]["nodes"][0];
    let project = roadmap["id"].as_str().unwrap().to_owned();
    let field = roadmap["field"]["id"].as_str().unwrap().to_owned();
    let done = roadmap["field"]["options"][2]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    for (number, typename, kind_name) in [(1, "Issue", "ISSUE"), (2, "PullRequest", "PULL_REQUEST")]
    {
        let read = sim.graphql(ITEMS, items_vars(number)).await.unwrap();
        let content = &read["repository"]["issueOrPullRequest"];
        assert_eq!(content["__typename"], typename);
        assert_eq!(content["projectItems"]["nodes"], json!([]));
        let content_id = content["id"].as_str().unwrap().to_owned();

        let added = sim
            .graphql(ADD, json!({ "project": project, "content": content_id }))
            .await
            .unwrap();
        let item = added["addProjectV2ItemById"]["item"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        // Adding it again finds the same item.
        let again = sim
            .graphql(ADD, json!({ "project": project, "content": content_id }))
            .await
            .unwrap();
        assert_eq!(again["addProjectV2ItemById"]["item"]["id"], item.as_str());

        let set = sim
            .graphql(
                SET_STATUS,
                json!({ "project": project, "item": item, "field": field, "option": done }),
            )
            .await
            .unwrap();
        assert_eq!(
            set["updateProjectV2ItemFieldValue"]["projectV2Item"]["fieldValueByName"]["name"],
            "Done"
        );
        let read = sim.graphql(ITEMS, items_vars(number)).await.unwrap();
        let items = &read["repository"]["issueOrPullRequest"]["projectItems"]["nodes"];
        assert_eq!(
            items,
            &json!([{
                "id": item,
                "type": kind_name,
                "project": { "id": project, "title": "Roadmap" },
                "fieldValueByName": { "name": "Done", "optionId": done },
            }])
        );

        let calls = sim.take_calls();
        let actions: Vec<Action> = calls.iter().map(|c| c.action.clone()).collect();
        let add = Action::AddProjectV2ItemById {
            project_id: project.clone(),
            content_id: content_id.clone(),
        };
        assert_eq!(
            actions,
            [
                add.clone(),
                add,
                Action::UpdateProjectV2ItemFieldValue {
                    project_id: project.clone(),
                    item_id: item.clone(),
                    field_id: field.clone(),
                    option_id: done.clone(),
                },
            ]
        );
        for call in &calls {
            assert_eq!(call.actor, BOT);
            assert_eq!(call.repo, repo());
            assert_eq!(call.number, Some(number));
            assert!(call.error.is_none());
        }
        assert_eq!(calls[2].method(), "update_project_v2_item_field_value");
    }
    assert_eq!(
        sim.project_items("kubernetes", "Roadmap").unwrap(),
        [1, 2].map(|number| ProjectItem {
            repo: repo(),
            number,
            status: Some("Done".into()),
        })
    );

    let read = sim.graphql(ITEMS, items_vars(1)).await.unwrap();
    let item = read["repository"]["issueOrPullRequest"]["projectItems"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let deleted = sim
        .graphql(DELETE, json!({ "project": project, "item": item }))
        .await
        .unwrap();
    assert_eq!(
        deleted["deleteProjectV2Item"]["deletedItemId"],
        item.as_str()
    );
    assert_eq!(
        sim.project_items("kubernetes", "Roadmap").unwrap(),
        [ProjectItem {
            repo: repo(),
            number: 2,
            status: Some("Done".into()),
        }]
    );
    let calls = sim.take_calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].method(), "delete_project_v2_item");
    assert_eq!(calls[0].number, Some(1));
}

#[tokio::test]
async fn refused_mutations_change_nothing() {
    let sim = project_world();
    let projects = sim
        .graphql(PROJECTS, json!({ "org": "kubernetes", "first": 100 }))
        .await
        .unwrap();
    let roadmap = &projects["organization"]["projectsV2"]["nodes"][0];
    let other = &projects["organization"]["projectsV2"]["nodes"][1];
    let project = roadmap["id"].as_str().unwrap().to_owned();
    let field = roadmap["field"]["id"].as_str().unwrap().to_owned();
    let read = sim.graphql(ITEMS, items_vars(1)).await.unwrap();
    let content = read["repository"]["issueOrPullRequest"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let added = sim
        .graphql(ADD, json!({ "project": project, "content": content }))
        .await
        .unwrap();
    let item = added["addProjectV2ItemById"]["item"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    sim.take_calls();

    let cases = [
        (
            "unknown project",
            ADD,
            json!({ "project": "PVT_kwDO0000FFFF", "content": content }),
            "Could not resolve to a node",
        ),
        (
            "unknown content",
            ADD,
            json!({ "project": project, "content": "I_kwDO0000FFFF" }),
            "Could not resolve to a node",
        ),
        (
            "an option of no field",
            SET_STATUS,
            json!({ "project": project, "item": item, "field": field, "option": "nope" }),
            "does not belong to the field",
        ),
        (
            "another project's field",
            SET_STATUS,
            json!({ "project": project, "item": item, "field": other["field"]["id"], "option": other["field"]["options"][0]["id"] }),
            "Could not resolve to a node",
        ),
        (
            "an item of another project",
            DELETE,
            json!({ "project": other["id"], "item": item }),
            "Could not resolve to a node",
        ),
    ];
    for (name, query, variables, want) in cases {
        match sim.graphql(query, variables).await {
            Err(GitHubError::Unprocessable(text)) => assert!(text.contains(want), "{name}: {text}"),
            other => panic!("{name}: {other:?}"),
        }
        let calls = sim.take_calls();
        assert_eq!(calls.len(), 1, "{name}");
        assert!(calls[0].error.is_some(), "{name}");
    }

    // Outsiders may not change the org's projects.
    let dave = sim.client_as("dave");
    match dave
        .graphql(DELETE, json!({ "project": project, "item": item }))
        .await
    {
        Err(GitHubError::Unprocessable(text)) => {
            assert!(text.contains("Resource not accessible"), "{text}")
        }
        other => panic!("{other:?}"),
    }
    sim.take_calls();

    // A refusal by the fault knobs is not a call at all.
    sim.set_faults(Faults {
        fail_next: 1,
        methods: vec!["graphql".into()],
        ..Faults::default()
    });
    assert!(
        sim.graphql(DELETE, json!({ "project": project, "item": item }))
            .await
            .is_err()
    );
    assert!(sim.take_calls().is_empty());

    assert_eq!(
        sim.project_items("kubernetes", "Roadmap").unwrap(),
        [ProjectItem {
            repo: repo(),
            number: 1,
            status: None,
        }]
    );
}

#[tokio::test]
async fn issues_and_pull_requests_by_kind() {
    let sim = project_world();
    let query = r#"query($n: Int!) { repository(owner: "kubernetes", name: "test-infra") {
        issue(number: $n) { number } } }"#;
    assert_eq!(
        sim.graphql(query, json!({ "n": 1 })).await.unwrap()["repository"]["issue"]["number"],
        1
    );
    match sim.graphql(query, json!({ "n": 2 })).await {
        Err(GitHubError::Unprocessable(text)) => {
            assert!(
                text.contains("Could not resolve to an Issue with the number of 2"),
                "{text}"
            )
        }
        other => panic!("{other:?}"),
    }
    let query = r#"{ repository(owner: "kubernetes", name: "test-infra") {
        pullRequest(number: 2) { number headRefName } } }"#;
    let answer = sim.graphql(query, Value::Null).await.unwrap();
    assert_eq!(
        answer["repository"]["pullRequest"]["headRefName"],
        "feature"
    );
}
