//! The `[APPROVALNOTIFIER]` comment: who approved, whom to ask, and which OWNERS files still
//! need an approver, byte-identical to upstream's template.

use super::approvers::{Approval, Approvers};

/// The name in the notification's title (upstream's `ApprovalNotificationName`).
pub const APPROVAL_NOTIFICATION_NAME: &str = "ApprovalNotifier";

/// Where the notification links to.
#[derive(Clone, Copy, Debug)]
pub struct Links<'a> {
    /// GitHub's web address (`github.link_url`: `https://github.com`).
    pub github: &'a str,
    /// The list of the bot's commands (`approve[].commandHelpLink`).
    pub command_help: &'a str,
    /// The code review process (`approve[].pr_process_link`).
    pub pr_process: &'a str,
}

/// `scheme://host` of a link: upstream replaces the path of `github.link_url`.
fn origin(link: &str) -> &str {
    let start = link.find("://").map_or(0, |i| i + 3);
    match link[start..].find(['/', '?', '#']) {
        Some(end) => &link[..start + end],
        None => link,
    }
}

/// Approvals joined as the notification lists them: ` a, b, c` (a leading space).
fn approval_list(approvals: &[Approval]) -> String {
    approvals
        .iter()
        .enumerate()
        .map(|(i, a)| format!("{}{a}", if i == 0 { " " } else { ", " }))
        .collect()
}

/// Logins linked to their GitHub profiles, joined with `, `.
fn profile_links(logins: &[String]) -> String {
    logins
        .iter()
        .map(|l| format!("[{l}](https://github.com/{l})"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The notification for `org/repo` with base branch `branch` (upstream's `GetMessage`).
pub fn message(
    ap: &Approvers<'_>,
    links: &Links<'_>,
    org: &str,
    repo: &str,
    branch: &str,
) -> String {
    let requirements_met = ap.requirements_met();
    let files_approved = ap.are_files_approved();
    let manual = ap.manually_approved;
    let needs_files = !files_approved && !manual;
    let mut body = String::new();
    if !requirements_met && manual {
        body.push_str("\nApproval requirements bypassed by manually added approval.\n\n");
    }
    body.push_str("This pull-request has been approved by:");
    body.push_str(&approval_list(&ap.list_approvals()));
    if needs_files {
        body.push('\n');
        let suggested = ap.suggested_ccs();
        let assigned = ap.assigned_ccs();
        let process = format!(
            " For more information see [the Code Review Process]({}).",
            links.pr_process
        );
        match (suggested.is_empty(), assigned.is_empty()) {
            (false, false) => body.push_str(&format!(
                "**Once this PR has been reviewed and has the lgtm label**, please ask for approval from {} and additionally assign {} for approval.{process}",
                profile_links(&assigned),
                profile_links(&suggested)
            )),
            (false, true) => body.push_str(&format!(
                "**Once this PR has been reviewed and has the lgtm label**, please assign {} for approval.{process}",
                profile_links(&suggested)
            )),
            (true, false) => body.push_str(&format!(
                "**Once this PR has been reviewed and has the lgtm label**, please ask for approval from {}.{process}",
                profile_links(&assigned)
            )),
            (true, true) => {}
        }
    }
    body.push_str("\n\n");
    if ap.require_issue {
        if ap.associated_issue != 0 {
            body.push_str(&format!("Associated issue: *#{}*\n\n", ap.associated_issue));
        } else if !ap.no_issue_approvers().is_empty() {
            body.push_str("Associated issue requirement bypassed by:");
            body.push_str(&approval_list(&ap.list_no_issue_approvals()));
            body.push_str("\n\n");
        } else if manual {
            body.push_str(
                "*No associated issue*. Requirement bypassed by manually added approval.\n\n",
            );
        } else {
            body.push_str("*No associated issue*. Update pull-request body to add a reference to an issue, or get approval with `/approve no-issue`\n\n");
        }
    }
    body.push_str(&format!(
        "The full list of commands accepted by this bot can be found [here]({}?repo={org}%2F{repo}).\n\n",
        links.command_help
    ));
    if files_approved || manual {
        body.push_str(&format!(
            "The pull request process is described [here]({})\n\n",
            links.pr_process
        ));
    }
    body.push_str(&format!(
        "<details {}>\nNeeds approval from an approver in each of these files:\n\n",
        if needs_files { "open" } else { "" }
    ));
    let base_url = format!("{}/{org}/{repo}", origin(links.github));
    let owners_filename = ap.owners().owners_filename();
    for file in ap.files() {
        body.push_str(&file.render(&base_url, branch, owners_filename));
    }
    body.push_str("\nApprovers can indicate their approval by writing `/approve` in a comment\nApprovers can cancel approval by writing `/approve cancel` in a comment\n</details>");
    let meta = serde_json::json!({ "approvers": ap.ccs() });
    body.push_str(&format!("\n<!-- META={meta} -->"));

    let title = format!(
        "This PR is **{}APPROVED**",
        if ap.is_approved() { "" } else { "NOT " }
    );
    notification(APPROVAL_NOTIFICATION_NAME, &title, &body)
}

/// `[NAME] arguments` and, after a blank line, the context (upstream's `notification`).
fn notification(name: &str, arguments: &str, context: &str) -> String {
    let mut out = format!("[{}]", name.to_uppercase());
    let arguments = arguments.trim();
    if !arguments.is_empty() {
        out.push(' ');
        out.push_str(arguments);
    }
    let context = context.trim();
    if !context.is_empty() {
        out.push_str("\n\n");
        out.push_str(context);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::approvers::tests::fake_repo;
    use super::super::approvers::{Approvers, Owners};
    use super::*;

    const PROCESS: &str =
        "https://git.k8s.io/community/contributors/guide/owners.md#the-code-review-process";

    fn links(github: &str) -> Links<'_> {
        Links {
            github,
            command_help: "https://go.k8s.io/bot-commands",
            pr_process: PROCESS,
        }
    }

    /// What a case does to the approvals before the message is made.
    enum Act {
        Approve(&'static str, bool),
        Lgtm(&'static str),
        SelfApprove(&'static str),
        Assign(&'static str),
        Issue(i64),
    }

    #[test]
    fn messages_match_upstream() {
        struct Case {
            name: &'static str,
            files: &'static [&'static str],
            dirs: &'static [(&'static str, &'static [&'static str])],
            require_issue: bool,
            acts: &'static [Act],
            github: &'static str,
            branch: &'static str,
            want: &'static str,
        }
        let ab: &[(&str, &[&str])] = &[("a", &["Alice"]), ("b", &["Bill"])];
        let md: &[(&str, &[&str])] = &[
            ("a", &["Alice"]),
            ("b", &["Bill"]),
            ("b/README.md", &["Doctor"]),
        ];
        let cases = [
            Case {
                name: "one of two files approved",
                files: &["a/a.go", "b/b.go"],
                dirs: ab,
                require_issue: true,
                acts: &[Act::Approve("Bill", false)],
                github: "https://github.com",
                branch: "dev",
                want: r#"[APPROVALNOTIFIER] This PR is **NOT APPROVED**

This pull-request has been approved by: *<a href="REFERENCE" title="Approved">Bill</a>*
**Once this PR has been reviewed and has the lgtm label**, please assign [alice](https://github.com/alice) for approval. For more information see [the Code Review Process](https://git.k8s.io/community/contributors/guide/owners.md#the-code-review-process).

*No associated issue*. Update pull-request body to add a reference to an issue, or get approval with `/approve no-issue`

The full list of commands accepted by this bot can be found [here](https://go.k8s.io/bot-commands?repo=org%2Frepo).

<details open>
Needs approval from an approver in each of these files:

- **[a/OWNERS](https://github.com/org/repo/blob/dev/a/OWNERS)**
- ~~[b/OWNERS](https://github.com/org/repo/blob/dev/b/OWNERS)~~ [Bill]

Approvers can indicate their approval by writing `/approve` in a comment
Approvers can cancel approval by writing `/approve cancel` in a comment
</details>
<!-- META={"approvers":["alice"]} -->"#,
            },
            Case {
                name: "one of three files approved",
                files: &["a/a.go", "b/b.go", "c/c.go"],
                dirs: &[("a", &["Alice"]), ("b", &["Bill"]), ("c", &["Bob"])],
                require_issue: true,
                acts: &[Act::Approve("Bill", false)],
                github: "https://github.com",
                branch: "dev",
                want: r#"[APPROVALNOTIFIER] This PR is **NOT APPROVED**

This pull-request has been approved by: *<a href="REFERENCE" title="Approved">Bill</a>*
**Once this PR has been reviewed and has the lgtm label**, please assign [alice](https://github.com/alice), [bob](https://github.com/bob) for approval. For more information see [the Code Review Process](https://git.k8s.io/community/contributors/guide/owners.md#the-code-review-process).

*No associated issue*. Update pull-request body to add a reference to an issue, or get approval with `/approve no-issue`

The full list of commands accepted by this bot can be found [here](https://go.k8s.io/bot-commands?repo=org%2Frepo).

<details open>
Needs approval from an approver in each of these files:

- **[a/OWNERS](https://github.com/org/repo/blob/dev/a/OWNERS)**
- ~~[b/OWNERS](https://github.com/org/repo/blob/dev/b/OWNERS)~~ [Bill]
- **[c/OWNERS](https://github.com/org/repo/blob/dev/c/OWNERS)**

Approvers can indicate their approval by writing `/approve` in a comment
Approvers can cancel approval by writing `/approve cancel` in a comment
</details>
<!-- META={"approvers":["alice","bob"]} -->"#,
            },
            Case {
                name: "all files approved but no issue",
                files: &["a/a.go", "b/b.go"],
                dirs: ab,
                require_issue: true,
                acts: &[Act::Approve("Alice", false), Act::Lgtm("Bill")],
                github: "https://github.com",
                branch: "master",
                want: r#"[APPROVALNOTIFIER] This PR is **NOT APPROVED**

This pull-request has been approved by: *<a href="REFERENCE" title="Approved">Alice</a>*, *<a href="REFERENCE" title="LGTM">Bill</a>*

*No associated issue*. Update pull-request body to add a reference to an issue, or get approval with `/approve no-issue`

The full list of commands accepted by this bot can be found [here](https://go.k8s.io/bot-commands?repo=org%2Frepo).

The pull request process is described [here](https://git.k8s.io/community/contributors/guide/owners.md#the-code-review-process)

<details >
Needs approval from an approver in each of these files:

- ~~[a/OWNERS](https://github.com/org/repo/blob/master/a/OWNERS)~~ [Alice]
- ~~[b/OWNERS](https://github.com/org/repo/blob/master/b/OWNERS)~~ [Bill]

Approvers can indicate their approval by writing `/approve` in a comment
Approvers can cancel approval by writing `/approve cancel` in a comment
</details>
<!-- META={"approvers":[]} -->"#,
            },
            Case {
                name: "assignee is the approver still needed",
                files: &["a/a.go", "b/b.go"],
                dirs: ab,
                require_issue: false,
                acts: &[Act::Assign("Bill"), Act::Approve("Alice", false)],
                github: "https://github.com",
                branch: "master",
                want: r#"[APPROVALNOTIFIER] This PR is **NOT APPROVED**

This pull-request has been approved by: *<a href="REFERENCE" title="Approved">Alice</a>*
**Once this PR has been reviewed and has the lgtm label**, please ask for approval from [bill](https://github.com/bill). For more information see [the Code Review Process](https://git.k8s.io/community/contributors/guide/owners.md#the-code-review-process).

The full list of commands accepted by this bot can be found [here](https://go.k8s.io/bot-commands?repo=org%2Frepo).

<details open>
Needs approval from an approver in each of these files:

- ~~[a/OWNERS](https://github.com/org/repo/blob/master/a/OWNERS)~~ [Alice]
- **[b/OWNERS](https://github.com/org/repo/blob/master/b/OWNERS)**

Approvers can indicate their approval by writing `/approve` in a comment
Approvers can cancel approval by writing `/approve cancel` in a comment
</details>
<!-- META={"approvers":["bill"]} -->"#,
            },
            Case {
                name: "only the author approved",
                files: &["a/a.go", "b/b.go"],
                dirs: ab,
                require_issue: true,
                acts: &[Act::SelfApprove("John")],
                github: "https://github.com",
                branch: "master",
                want: r#"[APPROVALNOTIFIER] This PR is **NOT APPROVED**

This pull-request has been approved by: *<a href="REFERENCE" title="Author self-approved">John</a>*
**Once this PR has been reviewed and has the lgtm label**, please assign [alice](https://github.com/alice), [bill](https://github.com/bill) for approval. For more information see [the Code Review Process](https://git.k8s.io/community/contributors/guide/owners.md#the-code-review-process).

*No associated issue*. Update pull-request body to add a reference to an issue, or get approval with `/approve no-issue`

The full list of commands accepted by this bot can be found [here](https://go.k8s.io/bot-commands?repo=org%2Frepo).

<details open>
Needs approval from an approver in each of these files:

- **[a/OWNERS](https://github.com/org/repo/blob/master/a/OWNERS)**
- **[b/OWNERS](https://github.com/org/repo/blob/master/b/OWNERS)**

Approvers can indicate their approval by writing `/approve` in a comment
Approvers can cancel approval by writing `/approve cancel` in a comment
</details>
<!-- META={"approvers":["alice","bill"]} -->"#,
            },
            Case {
                name: "approved with an associated issue",
                files: &["a/a.go", "b/b.go"],
                dirs: ab,
                require_issue: true,
                acts: &[
                    Act::Issue(12345),
                    Act::SelfApprove("John"),
                    Act::Approve("Bill", false),
                    Act::Approve("Alice", false),
                ],
                github: "https://github.com",
                branch: "master",
                want: r#"[APPROVALNOTIFIER] This PR is **APPROVED**

This pull-request has been approved by: *<a href="REFERENCE" title="Approved">Alice</a>*, *<a href="REFERENCE" title="Approved">Bill</a>*, *<a href="REFERENCE" title="Author self-approved">John</a>*

Associated issue: *#12345*

The full list of commands accepted by this bot can be found [here](https://go.k8s.io/bot-commands?repo=org%2Frepo).

The pull request process is described [here](https://git.k8s.io/community/contributors/guide/owners.md#the-code-review-process)

<details >
Needs approval from an approver in each of these files:

- ~~[a/OWNERS](https://github.com/org/repo/blob/master/a/OWNERS)~~ [Alice]
- ~~[b/OWNERS](https://github.com/org/repo/blob/master/b/OWNERS)~~ [Bill]

Approvers can indicate their approval by writing `/approve` in a comment
Approvers can cancel approval by writing `/approve cancel` in a comment
</details>
<!-- META={"approvers":[]} -->"#,
            },
            Case {
                name: "approved, issue waived",
                files: &["a/a.go", "b/b.md"],
                dirs: ab,
                require_issue: true,
                acts: &[
                    Act::SelfApprove("John"),
                    Act::Approve("Bill", true),
                    Act::Approve("Alice", true),
                ],
                github: "https://github.com",
                branch: "master",
                want: r#"[APPROVALNOTIFIER] This PR is **APPROVED**

This pull-request has been approved by: *<a href="REFERENCE" title="Approved">Alice</a>*, *<a href="REFERENCE" title="Approved">Bill</a>*, *<a href="REFERENCE" title="Author self-approved">John</a>*

Associated issue requirement bypassed by: *<a href="REFERENCE" title="Approved">Alice</a>*, *<a href="REFERENCE" title="Approved">Bill</a>*

The full list of commands accepted by this bot can be found [here](https://go.k8s.io/bot-commands?repo=org%2Frepo).

The pull request process is described [here](https://git.k8s.io/community/contributors/guide/owners.md#the-code-review-process)

<details >
Needs approval from an approver in each of these files:

- ~~[a/OWNERS](https://github.com/org/repo/blob/master/a/OWNERS)~~ [Alice]
- ~~[b/OWNERS](https://github.com/org/repo/blob/master/b/OWNERS)~~ [Bill]

Approvers can indicate their approval by writing `/approve` in a comment
Approvers can cancel approval by writing `/approve cancel` in a comment
</details>
<!-- META={"approvers":[]} -->"#,
            },
            Case {
                name: "markdown file with its own owners",
                files: &["a/a.go", "b/README.md"],
                dirs: md,
                require_issue: true,
                acts: &[Act::SelfApprove("John")],
                github: "https://github.com",
                branch: "master",
                want: r#"[APPROVALNOTIFIER] This PR is **NOT APPROVED**

This pull-request has been approved by: *<a href="REFERENCE" title="Author self-approved">John</a>*
**Once this PR has been reviewed and has the lgtm label**, please assign [alice](https://github.com/alice), [doctor](https://github.com/doctor) for approval. For more information see [the Code Review Process](https://git.k8s.io/community/contributors/guide/owners.md#the-code-review-process).

*No associated issue*. Update pull-request body to add a reference to an issue, or get approval with `/approve no-issue`

The full list of commands accepted by this bot can be found [here](https://go.k8s.io/bot-commands?repo=org%2Frepo).

<details open>
Needs approval from an approver in each of these files:

- **[a/OWNERS](https://github.com/org/repo/blob/master/a/OWNERS)**
- **[b/README.md](https://github.com/org/repo/blob/master/b/README.md)**

Approvers can indicate their approval by writing `/approve` in a comment
Approvers can cancel approval by writing `/approve cancel` in a comment
</details>
<!-- META={"approvers":["alice","doctor"]} -->"#,
            },
            Case {
                name: "another GitHub link",
                files: &["a/a.go", "b/README.md"],
                dirs: md,
                require_issue: true,
                acts: &[Act::SelfApprove("John")],
                github: "https://github.mycorp.com",
                branch: "master",
                want: r#"[APPROVALNOTIFIER] This PR is **NOT APPROVED**

This pull-request has been approved by: *<a href="REFERENCE" title="Author self-approved">John</a>*
**Once this PR has been reviewed and has the lgtm label**, please assign [alice](https://github.com/alice), [doctor](https://github.com/doctor) for approval. For more information see [the Code Review Process](https://git.k8s.io/community/contributors/guide/owners.md#the-code-review-process).

*No associated issue*. Update pull-request body to add a reference to an issue, or get approval with `/approve no-issue`

The full list of commands accepted by this bot can be found [here](https://go.k8s.io/bot-commands?repo=org%2Frepo).

<details open>
Needs approval from an approver in each of these files:

- **[a/OWNERS](https://github.mycorp.com/org/repo/blob/master/a/OWNERS)**
- **[b/README.md](https://github.mycorp.com/org/repo/blob/master/b/README.md)**

Approvers can indicate their approval by writing `/approve` in a comment
Approvers can cancel approval by writing `/approve cancel` in a comment
</details>
<!-- META={"approvers":["alice","doctor"]} -->"#,
            },
        ];
        for case in cases {
            let repo = fake_repo(case.dirs);
            let files: Vec<String> = case.files.iter().map(|f| (*f).to_owned()).collect();
            let owners = Owners::new(&files, &repo, 0);
            let mut ap = Approvers::new(&owners);
            ap.require_issue = case.require_issue;
            for act in case.acts {
                match act {
                    Act::Approve(login, no_issue) => ap.add_approver(login, "REFERENCE", *no_issue),
                    Act::Lgtm(login) => ap.add_lgtmer(login, "REFERENCE", false),
                    Act::SelfApprove(login) => {
                        ap.add_author_self_approver(login, "REFERENCE", false)
                    }
                    Act::Assign(login) => ap.add_assignees([login]),
                    Act::Issue(n) => ap.associated_issue = *n,
                }
            }
            let got = message(&ap, &links(case.github), "org", "repo", case.branch);
            assert_eq!(got, case.want, "{}", case.name);
        }
    }

    #[test]
    fn notification_trims_its_parts() {
        assert_eq!(
            notification("name", "  args ", "\n ctx \n"),
            "[NAME] args\n\nctx"
        );
        assert_eq!(notification("name", "", ""), "[NAME]");
        assert_eq!(origin("https://github.com/some/path"), "https://github.com");
        assert_eq!(origin("https://ghe.corp"), "https://ghe.corp");
    }
}
