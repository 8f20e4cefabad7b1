//! Issue search (`GET /search/issues`): the query qualifiers Prow's components use, read and
//! matched as GitHub does. Positive `repo:`/`org:`/`user:` qualifiers widen the scope together;
//! every other term narrows it; a leading `-` negates a term.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use prow_core::event::{Issue, ReviewState};

use super::refs::combined_state;
use super::state::{IssueRec, RepoRec, State, login_key, unprocessable};
use super::{SimResult, Simulator};

/// A date field a range qualifier can test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DateField {
    Created,
    Updated,
    Closed,
    Merged,
}

/// One thing an issue can be tested for.
#[derive(Clone, Debug, PartialEq)]
enum Pred {
    IsPull(bool),
    Open(bool),
    Merged(bool),
    Draft(bool),
    Locked(bool),
    Private(bool),
    Archived(bool),
    /// Has any of these labels.
    Label(Vec<String>),
    NoLabel,
    NoAssignee,
    NoMilestone,
    Author(String),
    Assignee(String),
    Commenter(String),
    Involves(String),
    Base(String),
    Head(String),
    Milestone(String),
    Review(String),
    Status(String),
    Date(DateField, Option<DateTime<Utc>>, Option<DateTime<Utc>>),
    Repo(String),
    Org(String),
    Text(String),
    /// Matches everything (qualifiers that only tune the search, such as `in:title`).
    Any,
}

/// A parsed query.
#[derive(Debug, Default)]
struct Query {
    /// (negated, predicate), all of which must hold.
    terms: Vec<(bool, Pred)>,
    /// Positive `repo:`, `org:` and `user:` qualifiers, any of which must hold.
    scopes: Vec<Pred>,
    /// `sort:` field and whether ascending.
    sort: Option<(String, bool)>,
}

/// Splits a query into terms at spaces outside double quotes, dropping the quotes.
fn tokenize(query: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in query.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    tokens.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    tokens
}

/// Reads a date (`2024-01-31`) or time (`2024-01-31T12:00:00Z`); a bare date means its first
/// second, or with `end` its last.
fn parse_time(text: &str, end: bool) -> Option<DateTime<Utc>> {
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.with_timezone(&Utc));
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    let time = if end {
        date.and_hms_opt(23, 59, 59)?
    } else {
        date.and_hms_opt(0, 0, 0)?
    };
    Utc.from_local_datetime(&time).single()
}

/// A time range; an open end is `None`.
type Range = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// Reads a date range: `>=d`, `>d`, `<=d`, `<d`, `a..b` (either side may be `*`), or `d`.
fn parse_range(text: &str) -> Option<Range> {
    let second = chrono::Duration::seconds(1);
    if let Some(rest) = text.strip_prefix(">=") {
        return Some((Some(parse_time(rest, false)?), None));
    }
    if let Some(rest) = text.strip_prefix('>') {
        return Some((Some(parse_time(rest, true)? + second), None));
    }
    if let Some(rest) = text.strip_prefix("<=") {
        return Some((None, Some(parse_time(rest, true)?)));
    }
    if let Some(rest) = text.strip_prefix('<') {
        return Some((None, Some(parse_time(rest, false)? - second)));
    }
    if let Some((lo, hi)) = text.split_once("..") {
        let lo = if lo == "*" {
            None
        } else {
            Some(parse_time(lo, false)?)
        };
        let hi = if hi == "*" {
            None
        } else {
            Some(parse_time(hi, true)?)
        };
        return Some((lo, hi));
    }
    Some((
        Some(parse_time(text, false)?),
        Some(parse_time(text, true)?),
    ))
}

/// Parses a query.
fn parse(query: &str) -> SimResult<Query> {
    let mut parsed = Query::default();
    for token in tokenize(query) {
        let (negated, body) = match token.strip_prefix('-') {
            Some(rest) if rest.contains(':') => (true, rest.to_owned()),
            _ => (false, token.clone()),
        };
        let Some((key, value)) = body.split_once(':') else {
            parsed.terms.push((false, Pred::Text(token.to_lowercase())));
            continue;
        };
        let key = key.to_lowercase();
        let lower = value.to_lowercase();
        let bool_value = || match lower.as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(unprocessable(format!("{key}:{value}: want true or false"))),
        };
        let pred = match key.as_str() {
            "is" | "type" | "state" => match lower.as_str() {
                "pr" | "pull-request" => Pred::IsPull(true),
                "issue" => Pred::IsPull(false),
                "open" => Pred::Open(true),
                "closed" => Pred::Open(false),
                "merged" if key == "is" => Pred::Merged(true),
                "unmerged" if key == "is" => Pred::Merged(false),
                "draft" if key == "is" => Pred::Draft(true),
                "locked" if key == "is" => Pred::Locked(true),
                "unlocked" if key == "is" => Pred::Locked(false),
                "public" if key == "is" => Pred::Private(false),
                "private" if key == "is" => Pred::Private(true),
                _ => {
                    return Err(unprocessable(format!(
                        "{key}:{value} is not a valid search qualifier"
                    )));
                }
            },
            "draft" => Pred::Draft(bool_value()?),
            "archived" => Pred::Archived(bool_value()?),
            "label" => Pred::Label(lower.split(',').map(str::to_owned).collect()),
            "no" => match lower.as_str() {
                "label" => Pred::NoLabel,
                "assignee" => Pred::NoAssignee,
                "milestone" => Pred::NoMilestone,
                _ => Pred::Text(body.to_lowercase()),
            },
            "author" => Pred::Author(login_key(value)),
            "assignee" => Pred::Assignee(login_key(value)),
            "commenter" => Pred::Commenter(login_key(value)),
            "involves" => Pred::Involves(login_key(value)),
            "base" => Pred::Base(value.to_owned()),
            "head" => Pred::Head(value.to_owned()),
            "milestone" => Pred::Milestone(value.to_owned()),
            "review" => Pred::Review(lower.clone()),
            "status" => Pred::Status(lower.clone()),
            "repo" => Pred::Repo(lower.clone()),
            "org" | "user" => Pred::Org(login_key(value)),
            "created" | "updated" | "closed" | "merged" => {
                let field = match key.as_str() {
                    "created" => DateField::Created,
                    "updated" => DateField::Updated,
                    "closed" => DateField::Closed,
                    _ => DateField::Merged,
                };
                let (lo, hi) = parse_range(value).ok_or_else(|| {
                    unprocessable(format!("{key}:{value} is not a valid date range"))
                })?;
                Pred::Date(field, lo, hi)
            }
            "sort" => {
                let (field, asc) = match lower.rsplit_once('-') {
                    Some((field, "asc")) => (field.to_owned(), true),
                    Some((field, "desc")) => (field.to_owned(), false),
                    _ => (lower.clone(), false),
                };
                parsed.sort = Some((field, asc));
                continue;
            }
            "in" | "order" => Pred::Any,
            _ => Pred::Text(body.to_lowercase()),
        };
        match pred {
            Pred::Repo(_) | Pred::Org(_) if !negated => parsed.scopes.push(pred),
            pred => parsed.terms.push((negated, pred)),
        }
    }
    Ok(parsed)
}

impl State {
    /// Whether `issue` of `rec` satisfies `pred`.
    fn holds(&self, rec: &RepoRec, issue: &IssueRec, pred: &Pred) -> bool {
        let pull = issue.pull.as_ref();
        match pred {
            Pred::IsPull(want) => pull.is_some() == *want,
            Pred::Open(want) => issue.open == *want,
            Pred::Merged(want) => pull.is_some_and(|p| p.merged == *want),
            Pred::Draft(want) => pull.is_some_and(|p| p.draft == *want),
            Pred::Locked(want) => issue.locked == *want,
            Pred::Private(want) => rec.private == *want,
            Pred::Archived(want) => rec.archived == *want,
            Pred::Label(any) => issue
                .labels
                .iter()
                .any(|l| any.iter().any(|want| l.eq_ignore_ascii_case(want))),
            Pred::NoLabel => issue.labels.is_empty(),
            Pred::NoAssignee => issue.assignees.is_empty(),
            Pred::NoMilestone => issue.milestone.is_none(),
            Pred::Author(login) => login_key(&issue.author) == *login,
            Pred::Assignee(login) => issue.assignees.contains(login),
            Pred::Commenter(login) => rec
                .comments
                .values()
                .any(|c| c.number == issue.number && login_key(&c.author) == *login),
            Pred::Involves(login) => {
                login_key(&issue.author) == *login
                    || issue.assignees.contains(login)
                    || self.holds(rec, issue, &Pred::Commenter(login.clone()))
            }
            Pred::Base(branch) => pull.is_some_and(|p| p.base_ref == *branch),
            Pred::Head(branch) => pull.is_some_and(|p| {
                p.head.branch == *branch
                    || format!("{}:{}", p.head.owner, p.head.branch).eq_ignore_ascii_case(branch)
            }),
            Pred::Milestone(title) => issue
                .milestone
                .and_then(|m| rec.milestones.get(&m))
                .is_some_and(|m| m.title.eq_ignore_ascii_case(title)),
            Pred::Review(kind) => {
                let Some(pull) = pull else { return false };
                // Each reviewer's latest approval or change request counts.
                let mut latest: Vec<(&str, &ReviewState)> = Vec::new();
                for review in &pull.reviews {
                    if matches!(
                        review.state,
                        ReviewState::Approved
                            | ReviewState::ChangesRequested
                            | ReviewState::Dismissed
                    ) {
                        latest.retain(|(who, _)| *who != review.author);
                        latest.push((&review.author, &review.state));
                    }
                }
                let approved = latest.iter().any(|(_, s)| **s == ReviewState::Approved);
                let changes = latest
                    .iter()
                    .any(|(_, s)| **s == ReviewState::ChangesRequested);
                match kind.as_str() {
                    "none" => pull.reviews.is_empty(),
                    "approved" => approved && !changes,
                    "changes_requested" => changes,
                    "required" => !approved || changes,
                    _ => false,
                }
            }
            Pred::Status(want) => pull.is_some_and(|p| {
                let head = rec.head_sha(p);
                let states: Vec<String> = self
                    .latest_statuses(&rec.name, &head)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|s| s.state)
                    .collect();
                !states.is_empty() && combined_state(states.iter().map(String::as_str)) == want
            }),
            Pred::Date(field, lo, hi) => {
                let at = match field {
                    DateField::Created => Some(issue.created),
                    DateField::Updated => Some(issue.updated),
                    DateField::Closed => issue.closed_at,
                    DateField::Merged => pull.and_then(|p| p.merged_at),
                };
                at.is_some_and(|at| lo.is_none_or(|lo| at >= lo) && hi.is_none_or(|hi| at <= hi))
            }
            Pred::Repo(name) => rec.name.to_string().to_lowercase() == *name,
            Pred::Org(org) => login_key(&rec.name.org) == *org,
            Pred::Text(text) => {
                issue.title.to_lowercase().contains(text)
                    || issue.body.to_lowercase().contains(text)
            }
            Pred::Any => true,
        }
    }

    /// The issues and pull requests matching `query`.
    pub(crate) fn search(&self, query: &str) -> SimResult<Vec<Issue>> {
        Ok(self
            .search_matches(query)?
            .into_iter()
            .map(|(rec, issue)| self.issue_obj(rec, issue))
            .collect())
    }

    /// The records of the issues and pull requests matching `query`, in the order the search
    /// returns them (for answers that need more than the issue, such as GraphQL's).
    pub(crate) fn search_matches(&self, query: &str) -> SimResult<Vec<(&RepoRec, &IssueRec)>> {
        let parsed = parse(query)?;
        let mut found: Vec<(&RepoRec, &IssueRec)> = self
            .repos
            .values()
            .flat_map(|rec| rec.issues.values().map(move |issue| (rec, issue)))
            .filter(|(rec, issue)| {
                (parsed.scopes.is_empty()
                    || parsed.scopes.iter().any(|p| self.holds(rec, issue, p)))
                    && parsed
                        .terms
                        .iter()
                        .all(|(negated, p)| self.holds(rec, issue, p) != *negated)
            })
            .collect();
        if let Some((field, asc)) = &parsed.sort {
            match field.as_str() {
                "created" => found.sort_by_key(|(_, i)| (i.created, i.id)),
                "updated" => found.sort_by_key(|(_, i)| (i.updated, i.id)),
                "comments" => found.sort_by_key(|(rec, i)| {
                    rec.comments
                        .values()
                        .filter(|c| c.number == i.number)
                        .count()
                }),
                _ => {}
            }
            if !asc {
                found.reverse();
            }
        }
        Ok(found)
    }
}

impl Simulator {
    /// The issues and pull requests matching a search query, as GitHub's issue search reads
    /// it: `is:pr`/`is:issue`, `is:open`/`is:closed`/`is:merged`/`is:unmerged`/`is:draft`,
    /// `state:`, `type:`, `repo:o/r`, `org:o`, `user:o`, `label:a,b`, `no:label`,
    /// `no:assignee`, `no:milestone`, `author:`, `assignee:`, `commenter:`, `involves:`,
    /// `base:`, `head:`, `milestone:`, `review:approved|changes_requested|none|required`,
    /// `status:success|failure|pending`, `archived:`, `draft:`, `created:`/`updated:`/
    /// `closed:`/`merged:` date ranges, `sort:created|updated|comments[-asc|-desc]`, and plain
    /// words matched against titles and bodies. Any qualifier can be negated with `-`.
    /// Without `sort:` results come by repository, then number.
    pub fn search(&self, query: &str) -> SimResult<Vec<Issue>> {
        self.lock().search(query)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenize_keeps_quoted_spaces() {
        assert_eq!(
            tokenize(r#"is:pr label:"needs rebase" -label:lgtm  org:"kubernetes""#),
            [
                "is:pr",
                "label:needs rebase",
                "-label:lgtm",
                "org:kubernetes"
            ]
        );
    }

    #[test]
    fn ranges() {
        let t = |s: &str| parse_time(s, false).unwrap();
        let e = |s: &str| parse_time(s, true).unwrap();
        let cases = [
            (">=2024-01-02", (Some(t("2024-01-02")), None)),
            ("<=2024-01-02", (None, Some(e("2024-01-02")))),
            (
                "2024-01-01..2024-01-03",
                (Some(t("2024-01-01")), Some(e("2024-01-03"))),
            ),
            ("*..2024-01-03", (None, Some(e("2024-01-03")))),
            ("2024-01-05", (Some(t("2024-01-05")), Some(e("2024-01-05")))),
        ];
        for (text, want) in cases {
            assert_eq!(parse_range(text), Some(want), "{text}");
        }
        assert_eq!(parse_range("yesterday"), None);
    }

    #[test]
    fn bad_qualifier_values_are_422() {
        for query in ["is:banana", "archived:maybe", "updated:>=soon"] {
            assert!(
                matches!(
                    parse(query),
                    Err(prow_core::github::GitHubError::Unprocessable(_))
                ),
                "{query}"
            );
        }
    }
}
