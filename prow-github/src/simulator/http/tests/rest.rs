//! Every REST route: its success, and GitHub's error codes and bodies.

use axum::http::Method;
use prow_core::github::{GitHubClient, Permission, WorkflowRun};
use serde_json::{Value, json};

use super::super::super::tests::{BOT, repo};
use super::super::super::{Action, Simulator};
use super::super::HttpOptions;
use super::{Fixture, Http, error_message, http_world, serve, serve_with};

/// One request and what it must get.
struct Case {
    name: &'static str,
    method: Method,
    path: &'static str,
    body: Option<Value>,
    token: &'static str,
    prepare: fn(&Simulator, &Fixture),
    status: u16,
    /// The error message GitHub sends (checked with the error body's shape).
    message: Option<&'static str>,
    check: fn(&Value, &Simulator, &Fixture),
}

fn case(name: &'static str, method: Method, path: &'static str) -> Case {
    Case {
        name,
        method,
        path,
        body: None,
        token: "bot-token",
        prepare: |_, _| {},
        status: 200,
        message: None,
        check: |_, _, _| {},
    }
}

impl Case {
    fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }
    fn token(mut self, token: &'static str) -> Self {
        self.token = token;
        self
    }
    fn prepare(mut self, prepare: fn(&Simulator, &Fixture)) -> Self {
        self.prepare = prepare;
        self
    }
    fn want(mut self, status: u16) -> Self {
        self.status = status;
        self
    }
    fn error(mut self, status: u16, message: &'static str) -> Self {
        self.status = status;
        self.message = Some(message);
        self
    }
    fn check(mut self, check: fn(&Value, &Simulator, &Fixture)) -> Self {
        self.check = check;
        self
    }
}

/// `{pr}`, `{issue}`, `{comment}` and `{head}` filled in.
fn fill(path: &str, fx: &Fixture) -> String {
    path.replace("{pr}", &fx.pr.to_string())
        .replace("{issue}", &fx.issue.to_string())
        .replace("{comment}", &fx.comment.to_string())
        .replace("{head}", &fx.head)
}

/// The names of a JSON array of objects with `name` (labels) or `login` (users).
fn names(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|v| {
            v.get("name")
                .or_else(|| v.get("login"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

const R: &str = "/repos/kubernetes/test-infra";

fn cases() -> Vec<Case> {
    use Method as M;
    vec![
        // The authenticated account.
        case("user is the bot", M::GET, "/user").check(|v, _, _| {
            assert_eq!(v["login"], BOT);
            assert_eq!(v["type"], "User");
            assert!(v["followers_url"].as_str().unwrap().contains("/users/"));
        }),
        case("user by token", M::GET, "/user")
            .token("alice-token")
            .check(|v, _, _| assert_eq!(v["login"], "alice")),
        // Issues.
        case("get issue", M::GET, "/repos/kubernetes/test-infra/issues/{issue}").check(
            |v, _, fx| {
                assert_eq!(v["number"], fx.issue);
                assert_eq!(v["user"]["login"], "dave");
                assert_eq!(v["state"], "open");
                assert!(v.get("pull_request").is_none());
                assert_eq!(v["comments"], 0);
                assert!(v["url"].as_str().unwrap().ends_with("/repos/kubernetes/test-infra/issues/2"));
                assert!(v["user"]["avatar_url"].is_string());
            },
        ),
        case("get pull request as issue", M::GET, "/repos/kubernetes/test-infra/issues/{pr}")
            .check(|v, _, _| {
                assert!(v["pull_request"]["diff_url"].as_str().unwrap().ends_with(".diff"));
                assert_eq!(v["comments"], 1);
            }),
        case("get missing issue", M::GET, "/repos/kubernetes/test-infra/issues/99")
            .error(404, "Not Found"),
        case("get issue of missing repo", M::GET, "/repos/kubernetes/nope/issues/1")
            .error(404, "Not Found"),
        case("get issue by a non-number", M::GET, "/repos/kubernetes/test-infra/issues/abc")
            .error(404, "Not Found"),
        case("create issue", M::POST, "/repos/kubernetes/test-infra/issues")
            .body(json!({"title": "New", "body": "text", "labels": ["kind/bug"], "assignees": ["alice"]}))
            .want(201)
            .check(|v, sim, _| {
                assert_eq!(v["number"], 3);
                assert_eq!(names(&v["labels"]), ["kind/bug"]);
                assert_eq!(v["assignee"]["login"], "alice");
                assert_eq!(sim.labels(&repo(), 3), ["kind/bug"]);
            }),
        case("create issue with milestone", M::POST, "/repos/kubernetes/test-infra/issues")
            .body(json!({"title": "New", "milestone": 1}))
            .want(201)
            .check(|v, _, _| assert_eq!(v["milestone"]["title"], "v1.0")),
        case("create issue with missing milestone", M::POST, "/repos/kubernetes/test-infra/issues")
            .body(json!({"title": "New", "milestone": 9}))
            .error(422, "Validation Failed")
            .check(|_, sim, _| assert!(sim.issue(&repo(), 3).is_err(), "no issue was opened")),
        case("create issue without title", M::POST, "/repos/kubernetes/test-infra/issues")
            .body(json!({"body": "x"}))
            .error(422, "Validation Failed"),
        case("create issue with blank title", M::POST, "/repos/kubernetes/test-infra/issues")
            .body(json!({"title": " "}))
            .error(422, "Validation Failed")
            .check(|v, _, _| {
                assert_eq!(v["errors"][0]["field"], "title");
                assert_eq!(v["errors"][0]["resource"], "Issue");
                assert_eq!(v["errors"][0]["code"], "custom");
            }),
        case("create issue in archived repo", M::POST, "/repos/kubernetes/website/issues")
            .body(json!({"title": "New"}))
            .prepare(|sim, _| sim.set_archived(&prow_core::github::RepoName::new("kubernetes", "website"), true).unwrap())
            .error(403, "repository kubernetes/website was archived so is read-only"),
        case("create issue with bad JSON", M::POST, "/repos/kubernetes/test-infra/issues")
            .body(json!("not an object"))
            .error(422, "Invalid request."),
        case("edit title", M::PATCH, "/repos/kubernetes/test-infra/issues/{issue}")
            .body(json!({"title": "Renamed"}))
            .check(|v, _, _| assert_eq!(v["title"], "Renamed")),
        case("close as not planned", M::PATCH, "/repos/kubernetes/test-infra/issues/{issue}")
            .body(json!({"state": "closed", "state_reason": "not_planned"}))
            .check(|v, _, _| {
                assert_eq!(v["state"], "closed");
                assert_eq!(v["state_reason"], "not_planned");
            }),
        case("reopen issue", M::PATCH, "/repos/kubernetes/test-infra/issues/{issue}")
            .body(json!({"state": "open"}))
            .prepare(|sim, fx| sim.close_as("dave", &repo(), fx.issue).unwrap())
            .check(|v, _, _| assert_eq!(v["state"], "open")),
        case("close issue as outsider", M::PATCH, "/repos/kubernetes/test-infra/issues/{pr}")
            .body(json!({"state": "closed"}))
            .token("dave-token")
            .error(403, "dave needs Triage permission on kubernetes/test-infra"),
        case("set milestone", M::PATCH, "/repos/kubernetes/test-infra/issues/{issue}")
            .body(json!({"milestone": 1}))
            .check(|v, _, _| {
                assert_eq!(v["milestone"]["number"], 1);
                assert_eq!(v["milestone"]["open_issues"], 1);
            }),
        case("clear milestone", M::PATCH, "/repos/kubernetes/test-infra/issues/{issue}")
            .body(json!({"milestone": null}))
            .prepare(|sim, fx| sim.set_milestone_as(BOT, &repo(), fx.issue, Some(1)).unwrap())
            .check(|v, _, _| assert!(v["milestone"].is_null())),
        case("set missing milestone", M::PATCH, "/repos/kubernetes/test-infra/issues/{issue}")
            .body(json!({"milestone": 99}))
            .error(422, "Validation Failed")
            .check(|v, _, _| assert_eq!(v["errors"][0]["field"], "milestone")),
        case("bad state", M::PATCH, "/repos/kubernetes/test-infra/issues/{issue}")
            .body(json!({"state": "weird"}))
            .error(422, "Validation Failed"),
        case("unsupported field", M::PATCH, "/repos/kubernetes/test-infra/issues/{issue}")
            .body(json!({"body": "new"}))
            .error(422, "Validation Failed"),
        case("POST edits as PATCH does", M::POST, "/repos/kubernetes/test-infra/issues/{issue}")
            .body(json!({"title": "Posted"}))
            .check(|v, _, _| assert_eq!(v["title"], "Posted")),
        case("empty edit reads", M::PATCH, "/repos/kubernetes/test-infra/issues/{issue}")
            .body(json!({}))
            .check(|v, _, fx| assert_eq!(v["number"], fx.issue)),
        // Comments.
        case("list comments", M::GET, "/repos/kubernetes/test-infra/issues/{pr}/comments")
            .check(|v, _, fx| {
                assert_eq!(v[0]["id"], fx.comment);
                assert_eq!(v[0]["body"], "/lgtm");
                assert_eq!(v[0]["user"]["login"], "bob");
                assert!(v[0]["issue_url"].as_str().unwrap().ends_with("/issues/1"));
            }),
        case("list comments of missing issue", M::GET, "/repos/kubernetes/test-infra/issues/99/comments")
            .error(404, "Not Found"),
        case("create comment", M::POST, "/repos/kubernetes/test-infra/issues/{issue}/comments")
            .body(json!({"body": "hello"}))
            .want(201)
            .check(|v, sim, fx| {
                assert_eq!(v["body"], "hello");
                assert_eq!(v["user"]["login"], BOT);
                assert_eq!(sim.comments(&repo(), fx.issue), ["hello"]);
            }),
        case("create blank comment", M::POST, "/repos/kubernetes/test-infra/issues/{issue}/comments")
            .body(json!({"body": ""}))
            .error(422, "Validation Failed"),
        case("comment on locked issue", M::POST, "/repos/kubernetes/test-infra/issues/{issue}/comments")
            .body(json!({"body": "hi"}))
            .token("dave-token")
            .prepare(|sim, fx| sim.set_locked(&repo(), fx.issue, true).unwrap())
            .error(403, "issue kubernetes/test-infra#2 is locked"),
        case("edit comment", M::PATCH, "/repos/kubernetes/test-infra/issues/comments/{comment}")
            .body(json!({"body": "/lgtm cancel"}))
            .check(|v, _, _| assert_eq!(v["body"], "/lgtm cancel")),
        case("edit someone's comment", M::PATCH, "/repos/kubernetes/test-infra/issues/comments/{comment}")
            .body(json!({"body": "x"}))
            .token("dave-token")
            .error(403, "dave needs Write permission on kubernetes/test-infra"),
        case("edit missing comment", M::PATCH, "/repos/kubernetes/test-infra/issues/comments/1")
            .body(json!({"body": "x"}))
            .error(404, "Not Found"),
        case("delete comment", M::DELETE, "/repos/kubernetes/test-infra/issues/comments/{comment}")
            .want(204)
            .check(|v, sim, fx| {
                assert!(v.is_null());
                assert!(sim.comments(&repo(), fx.pr).is_empty());
            }),
        case("delete missing comment", M::DELETE, "/repos/kubernetes/test-infra/issues/comments/1")
            .error(404, "Not Found"),
        // Reactions.
        case("react to comment", M::POST, "/repos/kubernetes/test-infra/issues/comments/{comment}/reactions")
            .body(json!({"content": "+1"}))
            .want(201)
            .check(|v, _, _| {
                assert_eq!(v["content"], "+1");
                assert_eq!(v["user"]["login"], BOT);
            }),
        case("react again", M::POST, "/repos/kubernetes/test-infra/issues/comments/{comment}/reactions")
            .body(json!({"content": "+1"}))
            .prepare(|sim, fx| sim.react_to_comment_as(BOT, &repo(), fx.comment, "+1").unwrap())
            .want(200),
        case("bad reaction", M::POST, "/repos/kubernetes/test-infra/issues/comments/{comment}/reactions")
            .body(json!({"content": "party"}))
            .error(422, "Validation Failed"),
        case("react to missing comment", M::POST, "/repos/kubernetes/test-infra/issues/comments/5/reactions")
            .body(json!({"content": "eyes"}))
            .error(404, "Not Found"),
        case("react to issue", M::POST, "/repos/kubernetes/test-infra/issues/{issue}/reactions")
            .body(json!({"content": "heart"}))
            .want(201)
            .check(|_, sim, fx| {
                assert_eq!(
                    sim.reactions(&repo(), fx.issue, None).unwrap(),
                    [(BOT.to_owned(), "heart".to_owned())]
                );
            }),
        // Labels.
        case("repo labels", M::GET, "/repos/kubernetes/test-infra/labels").check(|v, _, _| {
            assert_eq!(names(v), ["lgtm", "approved"]);
            assert_eq!(v[0]["color"], "15dd18");
            assert_eq!(v[0]["default"], false);
            assert!(v[0]["node_id"].is_string());
        }),
        case("labels of missing repo", M::GET, "/repos/kubernetes/nope/labels").error(404, "Not Found"),
        case("issue labels", M::GET, "/repos/kubernetes/test-infra/issues/{pr}/labels")
            .prepare(|sim, fx| sim.add_label_as(BOT, &repo(), fx.pr, "lgtm").unwrap())
            .check(|v, _, _| assert_eq!(names(v), ["lgtm"])),
        case("add labels as an array", M::POST, "/repos/kubernetes/test-infra/issues/{pr}/labels")
            .body(json!(["lgtm", "do-not-merge/hold"]))
            .check(|v, _, _| assert_eq!(names(v), ["lgtm", "do-not-merge/hold"])),
        case("add labels as an object", M::POST, "/repos/kubernetes/test-infra/issues/{pr}/labels")
            .body(json!({"labels": [{"name": "approved"}]}))
            .check(|v, _, _| assert_eq!(names(v), ["approved"])),
        case("add label as outsider", M::POST, "/repos/kubernetes/test-infra/issues/{pr}/labels")
            .body(json!(["lgtm"]))
            .token("dave-token")
            .error(403, "dave needs Triage permission on kubernetes/test-infra"),
        case("add blank label", M::POST, "/repos/kubernetes/test-infra/issues/{pr}/labels")
            .body(json!([" "]))
            .error(422, "Validation Failed"),
        case("remove label", M::DELETE, "/repos/kubernetes/test-infra/issues/{pr}/labels/lgtm")
            .prepare(|sim, fx| {
                sim.add_label_as(BOT, &repo(), fx.pr, "lgtm").unwrap();
                sim.add_label_as(BOT, &repo(), fx.pr, "approved").unwrap();
            })
            .check(|v, _, _| assert_eq!(names(v), ["approved"])),
        case("remove encoded label", M::DELETE, "/repos/kubernetes/test-infra/issues/{pr}/labels/do-not-merge%2Fhold%20me")
            .prepare(|sim, fx| sim.add_label_as(BOT, &repo(), fx.pr, "do-not-merge/hold me").unwrap())
            .check(|v, sim, fx| {
                assert_eq!(names(v), Vec::<String>::new());
                assert!(sim.labels(&repo(), fx.pr).is_empty());
            }),
        case("remove label with a raw slash", M::DELETE, "/repos/kubernetes/test-infra/issues/{pr}/labels/do-not-merge/hold")
            .prepare(|sim, fx| sim.add_label_as(BOT, &repo(), fx.pr, "do-not-merge/hold").unwrap())
            .check(|_, sim, fx| assert!(sim.labels(&repo(), fx.pr).is_empty())),
        case("remove absent label", M::DELETE, "/repos/kubernetes/test-infra/issues/{pr}/labels/lgtm")
            .error(404, "Label does not exist"),
        case("remove label of missing issue", M::DELETE, "/repos/kubernetes/test-infra/issues/99/labels/lgtm")
            .error(404, "Not Found"),
        // Assignees.
        case("assign", M::POST, "/repos/kubernetes/test-infra/issues/{pr}/assignees")
            .body(json!({"assignees": ["alice", "dave"]}))
            .want(201)
            .check(|v, _, _| {
                // dave cannot be assigned: GitHub leaves him out and answers 201.
                assert_eq!(names(&v["assignees"]), ["alice"]);
            }),
        case("assign on missing issue", M::POST, "/repos/kubernetes/test-infra/issues/99/assignees")
            .body(json!({"assignees": ["alice"]}))
            .error(404, "Not Found"),
        case("unassign", M::DELETE, "/repos/kubernetes/test-infra/issues/{pr}/assignees")
            .body(json!({"assignees": ["alice"]}))
            .prepare(|sim, fx| sim.assign_as(BOT, &repo(), fx.pr, &["alice"]).unwrap())
            .check(|v, _, _| assert_eq!(names(&v["assignees"]), Vec::<String>::new())),
        // Review requests.
        case("request review", M::POST, "/repos/kubernetes/test-infra/pulls/{pr}/requested_reviewers")
            .body(json!({"reviewers": ["erin"], "team_reviewers": ["sig-testing"]}))
            .want(201)
            .check(|v, _, _| {
                assert_eq!(names(&v["requested_reviewers"]), ["erin"]);
                assert_eq!(v["requested_teams"][0]["slug"], "sig-testing");
                assert_eq!(v["requested_teams"][0]["privacy"], "closed");
            }),
        case("request review from outsider", M::POST, "/repos/kubernetes/test-infra/pulls/{pr}/requested_reviewers")
            .body(json!({"reviewers": ["dave"]}))
            .error(422, "Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the kubernetes/test-infra repository."),
        case("request review on an issue", M::POST, "/repos/kubernetes/test-infra/pulls/{issue}/requested_reviewers")
            .body(json!({"reviewers": ["erin"]}))
            .error(404, "Not Found"),
        case("unrequest review", M::DELETE, "/repos/kubernetes/test-infra/pulls/{pr}/requested_reviewers")
            .body(json!({"reviewers": ["erin"]}))
            .prepare(|sim, fx| sim.request_review_as(BOT, &repo(), fx.pr, &["erin"]).unwrap())
            .check(|v, _, _| assert_eq!(names(&v["requested_reviewers"]), Vec::<String>::new())),
        // Pull requests.
        case("get pull request", M::GET, "/repos/kubernetes/test-infra/pulls/{pr}").check(|v, _, fx| {
            assert_eq!(v["number"], fx.pr);
            assert_eq!(v["head"]["sha"], fx.head.as_str());
            assert_eq!(v["head"]["ref"], "feature");
            assert_eq!(v["head"]["user"]["login"], "alice");
            assert_eq!(v["head"]["repo"]["full_name"], "alice/test-infra");
            assert_eq!(v["base"]["ref"], "master");
            assert_eq!(v["base"]["repo"]["owner"]["type"], "Organization");
            assert_eq!(v["mergeable"], true);
            assert_eq!(v["mergeable_state"], "clean");
            assert_eq!(v["changed_files"], 1);
            assert!(v["_links"]["statuses"]["href"].as_str().unwrap().ends_with(&fx.head));
        }),
        case("get issue as pull request", M::GET, "/repos/kubernetes/test-infra/pulls/{issue}")
            .error(404, "Not Found"),
        case("close pull request", M::PATCH, "/repos/kubernetes/test-infra/pulls/{pr}")
            .body(json!({"state": "closed"}))
            .check(|v, _, _| {
                assert_eq!(v["state"], "closed");
                assert!(v["closed_at"].is_string());
            }),
        case("retitle pull request", M::PATCH, "/repos/kubernetes/test-infra/pulls/{pr}")
            .body(json!({"title": "Better"}))
            .check(|v, _, _| assert_eq!(v["title"], "Better")),
        case("reopen merged pull request", M::PATCH, "/repos/kubernetes/test-infra/pulls/{pr}")
            .body(json!({"state": "open"}))
            .prepare(|sim, fx| {
                sim.merge_as(BOT, &repo(), fx.pr, &Default::default()).unwrap();
            })
            .error(422, "Validation Failed")
            .check(|v, _, _| {
                assert!(v["errors"][0]["message"].as_str().unwrap().starts_with("state cannot be changed"));
            }),
        case("pull request files", M::GET, "/repos/kubernetes/test-infra/pulls/{pr}/files").check(|v, _, fx| {
            assert_eq!(v[0]["filename"], "a.txt");
            assert_eq!(v[0]["status"], "added");
            assert_eq!(v[0]["additions"], 1);
            assert!(v[0]["raw_url"].as_str().unwrap().contains(&fx.head));
        }),
        case("files of missing pull request", M::GET, "/repos/kubernetes/test-infra/pulls/99/files")
            .error(404, "Not Found"),
        case("reviews", M::GET, "/repos/kubernetes/test-infra/pulls/{pr}/reviews").check(|v, _, fx| {
            assert_eq!(v[0]["state"], "APPROVED");
            assert_eq!(v[0]["user"]["login"], "bob");
            assert_eq!(v[0]["commit_id"], fx.head.as_str());
            assert_eq!(v[0]["author_association"], "MEMBER");
        }),
        case("merge", M::PUT, "/repos/kubernetes/test-infra/pulls/{pr}/merge")
            .body(json!({"merge_method": "squash", "sha": "{head}"}))
            .check(|v, sim, fx| {
                assert_eq!(v["merged"], true);
                assert_eq!(v["message"], "Pull Request successfully merged");
                let pr = sim.pull_request(&repo(), fx.pr).unwrap();
                assert!(pr.merged);
                assert_eq!(v["sha"], pr.merge_commit_sha.unwrap().as_str());
            }),
        case("merge a moved head", M::PUT, "/repos/kubernetes/test-infra/pulls/{pr}/merge")
            .body(json!({"sha": "0123456789012345678901234567890123456789"}))
            .error(409, "Head branch was modified. Review and try the merge again."),
        case("merge an unmergeable pull request", M::PUT, "/repos/kubernetes/test-infra/pulls/{pr}/merge")
            .body(json!({}))
            .prepare(|sim, fx| sim.set_mergeable(&repo(), fx.pr, Some(false)).unwrap())
            .error(405, "Pull Request is not mergeable"),
        case("merge with a bad method", M::PUT, "/repos/kubernetes/test-infra/pulls/{pr}/merge")
            .body(json!({"merge_method": "fast-forward"}))
            .error(422, "Validation Failed"),
        case("merge without write access", M::PUT, "/repos/kubernetes/test-infra/pulls/{pr}/merge")
            .body(json!({}))
            .token("dave-token")
            .error(403, "dave needs Write permission on kubernetes/test-infra"),
        // Statuses and checks.
        case("create status", M::POST, "/repos/kubernetes/test-infra/statuses/{head}")
            .body(json!({"state": "pending", "context": "tide", "description": "Not mergeable."}))
            .want(201)
            .check(|v, sim, fx| {
                assert_eq!(v["state"], "pending");
                assert_eq!(v["context"], "tide");
                assert_eq!(v["creator"]["login"], BOT);
                assert!(v["id"].as_u64().unwrap() > 0);
                assert_eq!(sim.combined_status(&repo(), &fx.head).unwrap().state, "pending");
            }),
        case("create bad status", M::POST, "/repos/kubernetes/test-infra/statuses/{head}")
            .body(json!({"state": "great"}))
            .error(422, "Validation Failed"),
        case("create status on unknown commit", M::POST, "/repos/kubernetes/test-infra/statuses/abcdef0123")
            .body(json!({"state": "success"}))
            .error(422, "Validation Failed"),
        case("create status without state", M::POST, "/repos/kubernetes/test-infra/statuses/{head}")
            .body(json!({"context": "x"}))
            .error(422, "Validation Failed"),
        case("combined status", M::GET, "/repos/kubernetes/test-infra/commits/{head}/status").check(|v, _, fx| {
            assert_eq!(v["state"], "success");
            assert_eq!(v["sha"], fx.head.as_str());
            assert_eq!(v["total_count"], 1);
            assert_eq!(v["statuses"][0]["context"], "ci");
            assert_eq!(v["statuses"][0]["target_url"], "https://ci/1");
            assert_eq!(v["repository"]["full_name"], "kubernetes/test-infra");
        }),
        case("combined status of a branch", M::GET, "/repos/kubernetes/test-infra/commits/master/status")
            .check(|v, _, _| {
                assert_eq!(v["state"], "pending");
                assert_eq!(v["total_count"], 0);
            }),
        case("combined status of unknown ref", M::GET, "/repos/kubernetes/test-infra/commits/nope/status")
            .error(404, "Not Found"),
        case("check runs", M::GET, "/repos/kubernetes/test-infra/commits/{head}/check-runs").check(|v, _, _| {
            assert_eq!(v["total_count"], 1);
            assert_eq!(v["check_runs"][0]["name"], "build");
            assert_eq!(v["check_runs"][0]["conclusion"], "success");
            assert!(v["check_runs"][0]["output"]["annotations_url"].is_string());
        }),
        case("single commit", M::GET, "/repos/kubernetes/test-infra/commits/{head}").check(|v, sim, fx| {
            let commit = sim.commit(&repo(), &fx.head).unwrap();
            assert_eq!(v["sha"], fx.head.as_str());
            assert_eq!(v["commit"]["tree"]["sha"], commit.tree_sha.as_str());
            assert_eq!(v["commit"]["message"], commit.message.as_str());
            assert_eq!(v["parents"][0]["sha"], commit.parents[0].as_str());
        }),
        case("single commit of unknown ref", M::GET, "/repos/kubernetes/test-infra/commits/nope")
            .error(404, "Not Found"),
        case("unprotected branch", M::GET, "/repos/kubernetes/test-infra/branches/master/protection")
            .error(404, "Branch not protected"),
        case("protection of unknown branch", M::GET, "/repos/kubernetes/test-infra/branches/nope/protection")
            .error(404, "Not Found"),
        case("branch protection", M::GET, "/repos/kubernetes/test-infra/branches/master/protection")
            .prepare(|sim, _| sim.set_required_status_checks(&repo(), "master", &["ci/unit"]).unwrap())
            .check(|v, _, _| {
                assert_eq!(v["required_status_checks"]["contexts"], json!(["ci/unit"]));
                assert_eq!(v["required_status_checks"]["strict"], false);
            }),
        case("create check run", M::POST, "/repos/kubernetes/test-infra/check-runs")
            .body(json!({"name": "override", "head_sha": "{head}", "status": "completed", "conclusion": "success",
                         "output": {"title": "Prow override - override", "summary": "done"}}))
            .want(201)
            .check(|v, sim, fx| {
                assert_eq!(v["name"], "override");
                assert_eq!(v["conclusion"], "success");
                assert_eq!(v["output"]["title"], "Prow override - override");
                let runs = sim.check_runs(&repo(), &fx.head).unwrap();
                assert!(runs.iter().any(|r| r.name == "override" && r.status == "completed"));
            }),
        case("create check run without a name", M::POST, "/repos/kubernetes/test-infra/check-runs")
            .body(json!({"head_sha": "{head}"}))
            .error(422, "Validation Failed"),
        // GitHub Actions workflow runs.
        case("workflow runs filtered as upstream asks", M::GET,
             "/repos/kubernetes/test-infra/actions/runs?branch=feature&event=pull_request+OR+pull_request_target&head_sha={head}&status=action_required")
            .prepare(seed_workflow_runs)
            .check(|v, _, fx| {
                assert_eq!(v["total_count"], 1);
                let run = &v["workflow_runs"][0];
                assert_eq!(run["id"], 7001);
                assert_eq!(run["name"], "e2e");
                assert_eq!(run["head_sha"], fx.head.as_str());
                assert_eq!(run["status"], "action_required");
                assert!(run["conclusion"].is_null());
                assert!(run["url"].as_str().unwrap().ends_with("/repos/kubernetes/test-infra/actions/runs/7001"));
            }),
        case("workflow runs newest first, events escaped either way", M::GET,
             "/repos/kubernetes/test-infra/actions/runs?event=pull_request_target%20OR%20push")
            .prepare(seed_workflow_runs)
            .check(|v, _, _| {
                let ids: Vec<u64> = v["workflow_runs"].as_array().unwrap().iter().map(|r| r["id"].as_u64().unwrap()).collect();
                assert_eq!(ids, [7003, 7001]);
            }),
        case("workflow runs of unknown repo", M::GET, "/repos/kubernetes/nope/actions/runs")
            .error(404, "Not Found"),
        case("approve workflow run", M::POST, "/repos/kubernetes/test-infra/actions/runs/7001/approve")
            .prepare(seed_workflow_runs)
            .want(201)
            .check(|_, sim, _| assert_eq!(sim.workflow_run(&repo(), 7001).unwrap().status, "queued")),
        case("approve workflow run awaiting no approval", M::POST, "/repos/kubernetes/test-infra/actions/runs/7002/approve")
            .prepare(seed_workflow_runs)
            .error(404, "Not Found"),
        case("approve workflow run as outsider", M::POST, "/repos/kubernetes/test-infra/actions/runs/7001/approve")
            .prepare(seed_workflow_runs)
            .token("dave-token")
            .error(403, "dave needs Write permission on kubernetes/test-infra"),
        case("rerun failed workflow jobs", M::POST, "/repos/kubernetes/test-infra/actions/runs/7002/rerun-failed-jobs")
            .prepare(seed_workflow_runs)
            .want(201)
            .check(|_, sim, _| {
                let run = sim.workflow_run(&repo(), 7002).unwrap();
                assert_eq!((run.status.as_str(), run.conclusion), ("queued", None));
            }),
        case("rerun of a running workflow", M::POST, "/repos/kubernetes/test-infra/actions/runs/7003/rerun-failed-jobs")
            .prepare(seed_workflow_runs)
            .error(403, "workflow run 7003 is already running"),
        case("rerun of unknown workflow run", M::POST, "/repos/kubernetes/test-infra/actions/runs/99/rerun-failed-jobs")
            .error(404, "Not Found"),
        case("rerun by a non-number", M::POST, "/repos/kubernetes/test-infra/actions/runs/abc/rerun-failed-jobs")
            .error(404, "Not Found"),
        // Refs.
        case("get ref", M::GET, "/repos/kubernetes/test-infra/git/ref/heads/master").check(|v, sim, _| {
            assert_eq!(v["ref"], "refs/heads/master");
            assert_eq!(v["object"]["type"], "commit");
            assert_eq!(v["object"]["sha"], sim.resolve_ref(&repo(), Some("master")).unwrap().as_str());
        }),
        case("get missing ref", M::GET, "/repos/kubernetes/test-infra/git/ref/heads/nope")
            .error(404, "Not Found"),
        case("get refs exactly", M::GET, "/repos/kubernetes/test-infra/git/refs/heads/master")
            .check(|v, _, _| assert_eq!(v["ref"], "refs/heads/master")),
        case("get refs by prefix", M::GET, "/repos/kubernetes/test-infra/git/refs/heads/rel")
            .prepare(|sim, _| {
                sim.create_branch_as(BOT, &repo(), "release-1.0", "master").unwrap();
                sim.create_branch_as(BOT, &repo(), "release-1.1", "master").unwrap();
            })
            .check(|v, _, _| {
                let refs: Vec<&str> = v.as_array().unwrap().iter().map(|r| r["ref"].as_str().unwrap()).collect();
                assert_eq!(refs, ["refs/heads/release-1.0", "refs/heads/release-1.1"]);
            }),
        case("delete ref", M::DELETE, "/repos/kubernetes/test-infra/git/refs/heads/old")
            .prepare(|sim, _| {
                sim.create_branch_as(BOT, &repo(), "old", "master").unwrap();
            })
            .want(204)
            .check(|_, sim, _| assert!(!sim.branches(&repo()).unwrap().contains_key("old"))),
        case("delete missing ref", M::DELETE, "/repos/kubernetes/test-infra/git/refs/heads/nope")
            .error(422, "Reference does not exist"),
        case("delete default branch", M::DELETE, "/repos/kubernetes/test-infra/git/refs/heads/master")
            .error(422, "Validation Failed"),
        // Contents.
        case("file contents", M::GET, "/repos/kubernetes/test-infra/contents/OWNERS").check(|v, _, _| {
            assert_eq!(v["type"], "file");
            assert_eq!(v["encoding"], "base64");
            assert_eq!(v["path"], "OWNERS");
            let bytes = super::super::base64::decode(v["content"].as_str().unwrap()).unwrap();
            assert_eq!(bytes, b"approvers:\n- alice\n");
            assert_eq!(v["size"], 19);
        }),
        case("file at a ref", M::GET, "/repos/kubernetes/test-infra/contents/a.txt?ref=pull/1/head").check(|v, _, _| {
            let bytes = super::super::base64::decode(v["content"].as_str().unwrap()).unwrap();
            assert_eq!(bytes, b"new\n");
        }),
        case("missing file", M::GET, "/repos/kubernetes/test-infra/contents/nope.md").error(404, "Not Found"),
        case("file at unknown ref", M::GET, "/repos/kubernetes/test-infra/contents/OWNERS?ref=nope")
            .error(404, "Not Found"),
        case("directory", M::GET, "/repos/kubernetes/test-infra/contents/docs").check(|v, _, _| {
            assert_eq!(v[0]["path"], "docs/guide.md");
            assert_eq!(v[0]["type"], "file");
        }),
        case("root directory", M::GET, "/repos/kubernetes/test-infra/contents/").check(|v, _, _| {
            let paths: Vec<&str> = v.as_array().unwrap().iter().map(|e| e["path"].as_str().unwrap()).collect();
            assert_eq!(paths, ["OWNERS", "README.md", "docs"]);
            assert_eq!(v[2]["type"], "dir");
        }),
        // Collaborators and permissions.
        case("collaborator", M::GET, "/repos/kubernetes/test-infra/collaborators/erin").want(204),
        case("not a collaborator", M::GET, "/repos/kubernetes/test-infra/collaborators/dave")
            .error(404, "Not Found"),
        case("permission", M::GET, "/repos/kubernetes/test-infra/collaborators/erin/permission")
            .check(|v, _, _| {
                assert_eq!(v["permission"], "write");
                assert_eq!(v["role_name"], "write");
                assert_eq!(v["user"]["login"], "erin");
                assert_eq!(v["user"]["permissions"]["push"], true);
            }),
        case("maintain reads as write", M::GET, "/repos/kubernetes/test-infra/collaborators/dave/permission")
            .prepare(|sim, _| sim.add_collaborator(&repo(), "dave", Permission::Maintain).unwrap())
            .check(|v, _, _| {
                assert_eq!(v["permission"], "write");
                assert_eq!(v["role_name"], "maintain");
            }),
        case("permission of unknown user", M::GET, "/repos/kubernetes/test-infra/collaborators/ghost/permission")
            .error(404, "Not Found"),
        // Organisations and teams.
        case("org member", M::GET, "/orgs/kubernetes/members/alice").want(204),
        case("not an org member", M::GET, "/orgs/kubernetes/members/dave").error(404, "Not Found"),
        case("teams", M::GET, "/orgs/kubernetes/teams").check(|v, _, _| {
            let slugs: Vec<&str> = v.as_array().unwrap().iter().map(|t| t["slug"].as_str().unwrap()).collect();
            assert_eq!(slugs, ["empty", "sig-testing"]);
            assert_eq!(v[1]["name"], "SIG Testing");
        }),
        case("teams of unknown org", M::GET, "/orgs/nope/teams").error(404, "Not Found"),
        case("team members", M::GET, "/orgs/kubernetes/teams/sig-testing/members")
            .check(|v, _, _| assert_eq!(names(v), ["alice", "bob"])),
        case("team maintainers", M::GET, "/orgs/kubernetes/teams/sig-testing/members?role=maintainer")
            .check(|v, _, _| assert_eq!(names(v), ["bob"])),
        case("team plain members", M::GET, "/orgs/kubernetes/teams/sig-testing/members?role=member")
            .check(|v, _, _| assert_eq!(names(v), ["alice"])),
        case("team members by bad role", M::GET, "/orgs/kubernetes/teams/sig-testing/members?role=boss")
            .error(422, "Validation Failed"),
        case("members of unknown team", M::GET, "/orgs/kubernetes/teams/nope/members")
            .error(404, "Not Found"),
        // Milestones.
        case("open milestones", M::GET, "/repos/kubernetes/test-infra/milestones").check(|v, _, _| {
            let titles: Vec<&str> = v.as_array().unwrap().iter().map(|m| m["title"].as_str().unwrap()).collect();
            assert_eq!(titles, ["v1.0"]);
            assert_eq!(v[0]["state"], "open");
            assert!(v[0]["html_url"].as_str().unwrap().ends_with("/milestone/1"));
        }),
        case("all milestones", M::GET, "/repos/kubernetes/test-infra/milestones?state=all")
            .check(|v, _, _| assert_eq!(v.as_array().unwrap().len(), 2)),
        case("closed milestones", M::GET, "/repos/kubernetes/test-infra/milestones?state=closed")
            .check(|v, _, _| assert_eq!(v[0]["title"], "v0.9")),
        case("milestones of unknown repo", M::GET, "/repos/kubernetes/nope/milestones").error(404, "Not Found"),
        // Search.
        case("search", M::GET, "/search/issues?q=is%3Apr+repo%3Akubernetes%2Ftest-infra+is%3Aopen").check(|v, _, fx| {
            assert_eq!(v["total_count"], 1);
            assert_eq!(v["incomplete_results"], false);
            assert_eq!(v["items"][0]["number"], fx.pr);
            assert!(v["items"][0]["repository_url"].as_str().unwrap().ends_with("/repos/kubernetes/test-infra"));
        }),
        case("search sorted", M::GET, "/search/issues?q=repo:kubernetes/test-infra&sort=created&order=asc")
            .check(|v, _, _| {
                let numbers: Vec<u64> = v["items"].as_array().unwrap().iter().map(|i| i["number"].as_u64().unwrap()).collect();
                assert_eq!(numbers, [1, 2]);
            }),
        case("search without q", M::GET, "/search/issues").error(422, "Validation Failed"),
        case("search with bad qualifier", M::GET, "/search/issues?q=is:banana").error(422, "Validation Failed"),
        // Anything else.
        case("unknown route", M::GET, "/repos/kubernetes/test-infra/hooks").error(404, "Not Found"),
        case("wrong method", M::DELETE, "/repos/kubernetes/test-infra/issues/{issue}").error(404, "Not Found"),
    ]
}

/// Workflow runs on the fixture's head: 7001 awaiting approval (`pull_request_target`), 7002
/// failed (`pull_request`), 7003 in progress (`push` of master).
fn seed_workflow_runs(sim: &Simulator, fx: &Fixture) {
    for (id, event, branch, status, conclusion) in [
        (
            7001,
            "pull_request_target",
            "feature",
            "action_required",
            None,
        ),
        (
            7002,
            "pull_request",
            "feature",
            "completed",
            Some("failure"),
        ),
        (7003, "push", "master", "in_progress", None),
    ] {
        let run = WorkflowRun {
            id,
            name: "e2e".into(),
            status: status.into(),
            conclusion: conclusion.map(Into::into),
            head_sha: fx.head.clone(),
            head_branch: branch.into(),
            event: event.into(),
        };
        sim.add_workflow_run(&repo(), run).unwrap();
    }
}

#[tokio::test]
async fn every_route_answers_as_github_does() {
    let mut failures = Vec::new();
    for case in cases() {
        let (sim, fx) = http_world();
        (case.prepare)(&sim, &fx);
        let server = serve(&sim).await;
        let http = Http::new(&server).with_token(case.token);
        let path = fill(case.path, &fx);
        let body = case.body.as_ref().map(|b| {
            let text = fill(&b.to_string(), &fx);
            serde_json::from_str::<Value>(&text).unwrap()
        });
        let reply = http
            .request(case.method.clone(), &path, body.as_ref(), &[])
            .await;
        if reply.status != case.status {
            failures.push(format!(
                "{}: {} {path}: status {} (want {}): {}",
                case.name,
                case.method,
                reply.status,
                case.status,
                String::from_utf8_lossy(&reply.body)
            ));
            continue;
        }
        if let Some(message) = case.message {
            let got = error_message(&reply);
            if got != message {
                failures.push(format!("{}: message {got:?} (want {message:?})", case.name));
                continue;
            }
        }
        (case.check)(&reply.json(), &sim, &fx);
        for header in [
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-reset",
        ] {
            assert!(reply.header(header).is_some(), "{}: no {header}", case.name);
        }
        server.shutdown().await.unwrap();
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn tokens_act_as_their_logins_and_can_be_required() {
    let (sim, fx) = http_world();
    let server = serve(&sim).await;
    let http = Http::new(&server);
    // An unknown token, and none, act as the bot by default.
    let reply = http.with_token("who-knows").get("/user").await;
    assert_eq!(reply.json()["login"], BOT);
    let reply = super::send(server.local_addr(), Method::GET, "/user", &[], None).await;
    assert_eq!(reply.json()["login"], BOT);
    // Bearer and token schemes both work; the call is logged as the token's login.
    let reply = super::send(
        server.local_addr(),
        Method::POST,
        &format!("{R}/issues/{}/comments", fx.issue),
        &[("Authorization", "Bearer erin-token")],
        Some(br#"{"body": "from erin"}"#.to_vec()),
    )
    .await;
    assert_eq!(reply.status, 201);
    assert_eq!(reply.json()["user"]["login"], "erin");
    let calls = sim.take_calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].actor, "erin");
    server.shutdown().await.unwrap();

    let options = HttpOptions {
        require_token: true,
        ..HttpOptions::default()
    };
    let server = serve_with(&sim, options).await;
    let http = Http::new(&server);
    let reply = http.with_token("who-knows").get("/user").await;
    assert_eq!(reply.status, 401);
    assert_eq!(error_message(&reply), "Bad credentials");
    let reply = super::send(server.local_addr(), Method::GET, "/user", &[], None).await;
    assert_eq!(reply.status, 401);
    assert_eq!(error_message(&reply), "Requires authentication");
    assert_eq!(http.get("/user").await.json()["login"], BOT);
    // Tokens can be changed while serving.
    server.face().remove_token("alice-token");
    assert_eq!(
        http.with_token("alice-token").get("/user").await.status,
        401
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn bad_json_is_a_400() {
    let (sim, fx) = http_world();
    let server = serve(&sim).await;
    let reply = super::send(
        server.local_addr(),
        Method::POST,
        &format!("{R}/issues/{}/comments", fx.issue),
        &[],
        Some(b"{not json".to_vec()),
    )
    .await;
    assert_eq!(reply.status, 400);
    assert_eq!(error_message(&reply), "Problems parsing JSON");
    assert!(sim.take_calls().is_empty(), "nothing was called");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn links_point_at_the_server() {
    let (sim, fx) = http_world();
    let server = serve(&sim).await;
    let http = Http::new(&server);
    let issue = http.get(&format!("{R}/issues/{}", fx.issue)).await.json();
    let url = issue["url"].as_str().unwrap();
    assert!(url.starts_with(&server.base_url()), "{url}");
    // Following the link answers the same issue.
    let path = url.strip_prefix(&server.base_url()).unwrap();
    assert_eq!(http.get(path).await.json()["number"], fx.issue);
    // The in-memory face is unchanged by serving.
    assert_eq!(
        sim.get_issue(&repo(), fx.issue).await.unwrap().number,
        fx.issue
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_patch_with_several_changes_makes_one_call_each() {
    let (sim, fx) = http_world();
    let server = serve(&sim).await;
    let http = Http::new(&server);
    let reply = http
        .patch(
            &format!("{R}/issues/{}", fx.issue),
            json!({"title": "T", "state": "closed", "milestone": 1}),
        )
        .await;
    assert_eq!(reply.status, 200);
    let methods: Vec<&str> = sim.calls().iter().map(|c| c.method()).collect();
    assert_eq!(methods, ["edit_title", "close_issue", "set_milestone"]);
    assert_eq!(
        sim.calls()[1].action,
        Action::CloseIssue { not_planned: false }
    );
    server.shutdown().await.unwrap();
}
