//! GraphQL: Tide's search over both faces, paging, node fields, and errors.

use prow_core::event::ReviewState;
use prow_core::github::{GitHubClient, GitHubError, Status};
use serde_json::{Value, json};

use super::super::super::tests::{BOT, repo, world};
use super::super::super::{Faults, NewPullRequest, Simulator};
use super::{Http, serve};

/// The query upstream Tide's GraphQL library sends (`first: 37`), byte for byte.
const TIDE_QUERY: &str = "query($query:String!$searchCursor:String){rateLimit{cost,remaining},search(type: ISSUE, first: 37, after: $searchCursor, query: $query){pageInfo{hasNextPage,endCursor},nodes{... on PullRequest{number,author{login},authorMetadata:author{__typename},baseRef{name,prefix},headRefName,headRefOid,mergeable,mergeStateStatus,canBeRebased,repository{name,nameWithOwner,owner{login}},reviewDecision,commits(last: 4){nodes{commit{status{contexts{context,description,state}},oid,statusCheckRollup{contexts(last: 100){nodes{... on CheckRun{name,conclusion,status}}}}}}},labels(first: 100){nodes{name}},milestone{title},body,title,updatedAt}}}}";

/// The search with every field Tide reads, 100 a page, written as a person would.
const SEARCH: &str = r#"
query TideSearch($query: String!, $searchCursor: String) {
  rateLimit { cost remaining }
  search(type: ISSUE, first: 100, after: $searchCursor, query: $query) {
    pageInfo { hasNextPage endCursor }
    issueCount
    nodes {
      ... on PullRequest {
        number
        author { login }
        baseRef { name prefix }
        headRefName
        headRefOID: headRefOid
        mergeable
        isDraft
        title
        body
        updatedAt
        repository { name nameWithOwner owner { login } }
        labels(first: 100) { nodes { name } }
        milestone { title }
        commits(last: 1) {
          nodes { commit { oid status { contexts { context state targetUrl description } } } }
        }
        reviewDecision
      }
    }
  }
}
"#;

const QUERY: &str = "is:pr is:open repo:kubernetes/test-infra";

/// 150 open pull requests (#1..#150), with a few made interesting:
/// #3 has labels, a milestone, a `ci` status and bob's approval; #4 is a draft; #5 conflicts;
/// #6's mergeability is unknown; #7 has changes requested.
fn many_prs() -> Simulator {
    let sim = world();
    for i in 1..=150u64 {
        let new = NewPullRequest {
            title: format!("Change {i}"),
            body: format!("body {i}"),
            head: format!("branch-{i}"),
            files: super::super::super::Files::new().put(format!("file-{i}.txt"), "x\n"),
            draft: i == 4,
            ..NewPullRequest::default()
        };
        let author = if i % 2 == 0 { "alice" } else { "erin" };
        assert_eq!(
            sim.open_pull_request_with(&repo(), author, &new).unwrap(),
            i
        );
    }
    sim.add_label_as(BOT, &repo(), 3, "lgtm").unwrap();
    sim.add_label_as(BOT, &repo(), 3, "approved").unwrap();
    sim.set_milestone_as(BOT, &repo(), 3, Some(1)).unwrap();
    let head = sim.pull_request(&repo(), 3).unwrap().head.sha;
    let status = Status {
        state: "success".into(),
        target_url: "https://ci/3".into(),
        description: "ok".into(),
        context: "ci".into(),
    };
    sim.set_status(&repo(), &head, &status).unwrap();
    sim.review_as("bob", &repo(), 3, ReviewState::Approved, "")
        .unwrap();
    sim.set_mergeable(&repo(), 5, Some(false)).unwrap();
    sim.set_mergeable(&repo(), 6, None).unwrap();
    sim.review_as("bob", &repo(), 7, ReviewState::ChangesRequested, "no")
        .unwrap();
    sim
}

/// POSTs a GraphQL request; returns the whole answer.
async fn post(http: &Http, query: &str, variables: Value) -> Value {
    let reply = http
        .post(
            "/graphql",
            json!({ "query": query, "variables": variables }),
        )
        .await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    reply.json()
}

/// Pages through a search query; returns each page's `search` object.
async fn pages(http: &Http, query: &str) -> Vec<Value> {
    let mut cursor = Value::Null;
    let mut pages = Vec::new();
    loop {
        let answer = post(
            http,
            query,
            json!({ "query": QUERY, "searchCursor": cursor }),
        )
        .await;
        assert!(answer.get("errors").is_none(), "{answer}");
        let search = answer["data"]["search"].clone();
        let more = search["pageInfo"]["hasNextPage"].as_bool().unwrap();
        cursor = search["pageInfo"]["endCursor"].clone();
        pages.push(search);
        if !more {
            return pages;
        }
        assert!(pages.len() < 10, "runaway paging");
    }
}

fn numbers(page: &Value) -> Vec<u64> {
    page["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["number"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn search_pages_through_150_pull_requests() {
    let sim = many_prs();
    let server = serve(&sim).await;
    let http = Http::new(&server);
    let pages = pages(&http, SEARCH).await;
    assert_eq!(pages.len(), 2);
    assert_eq!(numbers(&pages[0]), (1..=100).collect::<Vec<_>>());
    assert_eq!(numbers(&pages[1]), (101..=150).collect::<Vec<_>>());
    for page in &pages {
        assert_eq!(page["issueCount"], 150);
    }
    assert_eq!(pages[1]["pageInfo"]["hasNextPage"], false);

    // Tide's own query asks for 37 a page.
    let pages = super::graphql::pages(&http, TIDE_QUERY).await;
    let sizes: Vec<usize> = pages.iter().map(|p| numbers(p).len()).collect();
    assert_eq!(sizes, [37, 37, 37, 37, 2]);
    let all: Vec<u64> = pages.iter().flat_map(numbers).collect();
    assert_eq!(all, (1..=150).collect::<Vec<_>>());
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn search_nodes_carry_what_tide_reads() {
    let sim = many_prs();
    let server = serve(&sim).await;
    let http = Http::new(&server);
    let answer = post(&http, SEARCH, json!({ "query": QUERY })).await;
    assert_eq!(
        answer["data"]["rateLimit"],
        json!({"cost": 1, "remaining": 5000})
    );
    let nodes = answer["data"]["search"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    let node = |n: usize| nodes[n - 1].clone();

    let pr3 = node(3);
    let head = sim.pull_request(&repo(), 3).unwrap().head.sha;
    assert_eq!(
        pr3,
        json!({
            "number": 3,
            "author": { "login": "erin" },
            "baseRef": { "name": "master", "prefix": "refs/heads/" },
            "headRefName": "branch-3",
            "headRefOID": head,
            "mergeable": "MERGEABLE",
            "isDraft": false,
            "title": "Change 3",
            "body": "body 3",
            "updatedAt": "2024-01-01T00:00:00Z",
            "repository": {
                "name": "test-infra",
                "nameWithOwner": "kubernetes/test-infra",
                "owner": { "login": "kubernetes" },
            },
            "labels": { "nodes": [{ "name": "lgtm" }, { "name": "approved" }] },
            "milestone": { "title": "v1.0" },
            "commits": { "nodes": [{ "commit": {
                "oid": head,
                "status": { "contexts": [{
                    "context": "ci",
                    "state": "SUCCESS",
                    "targetUrl": "https://ci/3",
                    "description": "ok",
                }] },
            } }] },
            "reviewDecision": "APPROVED",
        })
    );
    assert_eq!(node(4)["isDraft"], true);
    assert_eq!(node(5)["mergeable"], "CONFLICTING");
    assert_eq!(node(6)["mergeable"], "UNKNOWN");
    assert_eq!(node(7)["reviewDecision"], "CHANGES_REQUESTED");
    assert_eq!(node(8)["reviewDecision"], "REVIEW_REQUIRED");
    assert_eq!(node(8)["milestone"], Value::Null);
    assert_eq!(
        node(8)["commits"]["nodes"][0]["commit"]["status"],
        Value::Null
    );

    // Tide's query: aliases, inline fragments on the rollup, and the fields it adds.
    let answer = post(
        &http,
        TIDE_QUERY,
        json!({ "query": QUERY, "searchCursor": null }),
    )
    .await;
    let pr3 = answer["data"]["search"]["nodes"][2].clone();
    assert_eq!(pr3["authorMetadata"], json!({ "__typename": "User" }));
    assert_eq!(pr3["mergeStateStatus"], "CLEAN");
    assert_eq!(pr3["canBeRebased"], true);
    assert_eq!(pr3["headRefOid"], head.as_str());
    let commit = &pr3["commits"]["nodes"][0]["commit"];
    assert_eq!(
        commit["status"]["contexts"][0],
        json!({ "context": "ci", "description": "ok", "state": "SUCCESS" })
    );
    // A status context is no CheckRun: the fragment selects nothing of it.
    assert_eq!(
        commit["statusCheckRollup"]["contexts"]["nodes"],
        json!([{}])
    );
    assert_eq!(
        answer["data"]["search"]["nodes"][3]["mergeStateStatus"],
        "DRAFT"
    );
    assert_eq!(
        answer["data"]["search"]["nodes"][4]["mergeStateStatus"],
        "DIRTY"
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn both_faces_answer_the_same() {
    let sim = many_prs();
    let server = serve(&sim).await;
    let http = Http::new(&server);
    for query in [SEARCH, TIDE_QUERY] {
        let variables = json!({ "query": "is:pr label:lgtm", "searchCursor": null });
        let over_http = post(&http, query, variables.clone()).await;
        let in_memory = sim.graphql(query, variables).await.unwrap();
        assert_eq!(over_http["data"], in_memory);
        assert_eq!(in_memory["search"]["nodes"].as_array().unwrap().len(), 1);
    }
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn other_queries_get_errors() {
    let sim = many_prs();
    let server = serve(&sim).await;
    let http = Http::new(&server);
    let cases = [
        (
            "{ enterprise(slug: \"a\") { id } }",
            "Field 'enterprise' doesn't exist on type 'Query'",
        ),
        (
            "{ repository(owner: \"a\", name: \"b\") { id } }",
            "Could not resolve to a Repository with the name 'a/b'.",
        ),
        (
            "mutation { addComment(input: {}) { clientMutationId } }",
            "Field 'addComment' doesn't exist on type 'Mutation'",
        ),
        (
            "subscription { x }",
            "the simulator answers queries and mutations only",
        ),
        (
            "{ search(type: ISSUE, query: \"is:pr\", first: 1) { nodes { ... on PullRequest { nope } } } }",
            "Field 'nope' doesn't exist on type 'PullRequest'",
        ),
        (
            "{ search(type: ISSUE, query: \"is:pr\", first: 101) { issueCount } }",
            "exceeds the `first` limit of 100",
        ),
        (
            "{ search(type: ISSUE, query: \"is:banana\", first: 1) { issueCount } }",
            "is not a valid search qualifier",
        ),
        (
            "{ search(type: REPOSITORY, query: \"x\", first: 1) { issueCount } }",
            "searches issues only",
        ),
        (
            "{ search(type: ISSUE, query: \"x\", first: 1, after: \"bad\") { issueCount } }",
            "does not appear to be a valid cursor",
        ),
        ("{ search(", "Parse error"),
    ];
    for (query, want) in cases {
        let answer = post(&http, query, Value::Null).await;
        let message = answer["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains(want), "{query}: {answer}");
        assert!(answer.get("data").is_none(), "{query}: {answer}");
        match sim.graphql(query, Value::Null).await {
            Err(GitHubError::Unprocessable(text)) => assert!(text.contains(want), "{text}"),
            other => panic!("{query}: {other:?}"),
        }
    }
    let reply = http.post("/graphql", json!({ "variables": {} })).await;
    assert_eq!(reply.status, 200);
    assert!(reply.json()["errors"][0]["message"].is_string());

    // viewer is the caller.
    let answer = post(
        &http.with_token("alice-token"),
        "{ viewer { login } }",
        Value::Null,
    )
    .await;
    assert_eq!(answer["data"]["viewer"]["login"], "alice");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn graphql_passes_the_fault_knobs() {
    let sim = many_prs();
    let server = serve(&sim).await;
    let http = Http::new(&server);
    sim.set_faults(Faults {
        fail_next: 2,
        methods: vec!["graphql".into()],
        ..Faults::default()
    });
    let body = json!({ "query": SEARCH, "variables": { "query": QUERY } });
    let reply = http.post("/graphql", body).await;
    assert_eq!(reply.status, 502);
    match sim.graphql(SEARCH, json!({ "query": QUERY })).await {
        Err(GitHubError::Status { status: 502, .. }) => {}
        other => panic!("{other:?}"),
    }
    assert!(sim.graphql(SEARCH, json!({ "query": QUERY })).await.is_ok());
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn projects_over_http() {
    use super::super::super::tests::projects::{
        ADD, DELETE, ITEMS, PROJECTS, SET_STATUS, project_world,
    };
    let sim = project_world();
    let server = serve(&sim).await;
    let http = Http::new(&server);
    let projects = post(
        &http,
        PROJECTS,
        json!({ "org": "kubernetes", "first": 100 }),
    )
    .await;
    let in_memory = sim
        .graphql(PROJECTS, json!({ "org": "kubernetes", "first": 100 }))
        .await
        .unwrap();
    assert_eq!(projects["data"], in_memory);
    let roadmap = &projects["data"]["organization"]["projectsV2"]["nodes"][0];
    let project = roadmap["id"].clone();
    let vars = json!({ "owner": "kubernetes", "name": "test-infra", "number": 2 });
    let read = post(&http, ITEMS, vars.clone()).await;
    let content = read["data"]["repository"]["issueOrPullRequest"]["id"].clone();
    let added = post(
        &http,
        ADD,
        json!({ "project": project, "content": content }),
    )
    .await;
    let item = added["data"]["addProjectV2ItemById"]["item"]["id"].clone();
    let set = post(
        &http,
        SET_STATUS,
        json!({
            "project": project,
            "item": item,
            "field": roadmap["field"]["id"],
            "option": roadmap["field"]["options"][1]["id"],
        }),
    )
    .await;
    assert!(set.get("errors").is_none(), "{set}");
    assert_eq!(
        sim.project_items("kubernetes", "Roadmap").unwrap()[0]
            .status
            .as_deref(),
        Some("Doing")
    );
    let read = post(&http, ITEMS, vars.clone()).await;
    assert_eq!(
        read["data"],
        sim.graphql(ITEMS, vars.clone()).await.unwrap()
    );

    // Outsiders are refused, over HTTP as in memory.
    let refused = post(
        &http.with_token("dave-token"),
        DELETE,
        json!({ "project": project, "item": item }),
    )
    .await;
    assert_eq!(refused["errors"][0]["type"], "FORBIDDEN", "{refused}");
    let deleted = post(&http, DELETE, json!({ "project": project, "item": item })).await;
    assert_eq!(
        deleted["data"]["deleteProjectV2Item"]["deletedItemId"],
        item
    );
    assert!(
        sim.project_items("kubernetes", "Roadmap")
            .unwrap()
            .is_empty()
    );

    let calls: Vec<(String, &'static str, bool)> = sim
        .take_calls()
        .iter()
        .map(|c| (c.actor.clone(), c.method(), c.error.is_none()))
        .collect();
    assert_eq!(
        calls,
        [
            (BOT.to_owned(), "add_project_v2_item_by_id", true),
            (BOT.to_owned(), "update_project_v2_item_field_value", true),
            ("dave".to_owned(), "delete_project_v2_item", false),
            (BOT.to_owned(), "delete_project_v2_item", true),
        ]
    );
    server.shutdown().await.unwrap();
}
