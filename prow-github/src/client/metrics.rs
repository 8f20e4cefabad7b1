//! The client's Prometheus metrics, named after upstream's ghproxy/ghcache ones so that
//! existing dashboards keep working: requests by route template and status, the rate-limit
//! budget left per token, cache outcomes and retries.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

/// Labels of `github_requests`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// The route template (`/repos/:owner/:repo/issues/:issueId`).
    pub path: String,
    /// The HTTP status, or `error` when no reply came.
    pub status: String,
}

/// Labels of `github_token_usage` and `github_token_reset`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct TokenLabels {
    /// The credential's identity: a hash of the token, or the App and organisation.
    pub token_hash: String,
    /// `v3` (REST) or `v4` (GraphQL).
    pub api_version: String,
    /// GitHub's `X-RateLimit-Resource` (`core`, `search`, `graphql`).
    pub ratelimit_resource: String,
}

/// Labels of `ghcache_responses`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CacheLabels {
    /// `MISS`, `CHANGED`, `REVALIDATED` or `SKIP` (upstream's cache modes).
    pub mode: String,
    /// The route template.
    pub path: String,
}

/// Labels of `github_request_retries`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RetryLabels {
    /// `server_error`, `transport`, `rate_limit` (a primary-limit refusal waited out),
    /// `rate_limit_wait` (a call held back until a used-up budget reset),
    /// `secondary_rate_limit` or `unauthorized` (a refused token replaced).
    pub reason: String,
}

/// The client's metrics. Clones share their values.
#[derive(Clone, Debug, Default)]
pub struct ClientMetrics {
    requests: Family<RequestLabels, Counter>,
    token_usage: Family<TokenLabels, Gauge>,
    token_reset: Family<TokenLabels, Gauge>,
    cache: Family<CacheLabels, Counter>,
    retries: Family<RetryLabels, Counter>,
}

impl ClientMetrics {
    /// Fresh metrics, all at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the metrics to `registry`:
    ///
    /// - `github_requests{path,status}` (counter): requests sent, by route template and status;
    /// - `github_token_usage{token_hash,api_version,ratelimit_resource}` (gauge): the
    ///   rate-limit budget GitHub last reported left;
    /// - `github_token_reset{...}` (gauge): nanoseconds from that reply until the budget
    ///   resets (upstream's unit);
    /// - `ghcache_responses{mode,path}` (counter): conditional-cache outcomes of GET requests;
    /// - `github_request_retries{reason}` (counter): retries and rate-limit waits.
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "github_requests",
            "GitHub requests by route template and status code",
            self.requests.clone(),
        );
        registry.register(
            "github_token_usage",
            "How many GitHub token requests are remaining for the current hour",
            self.token_usage.clone(),
        );
        registry.register(
            "github_token_reset",
            "Time until the GitHub token budget resets, in nanoseconds",
            self.token_reset.clone(),
        );
        registry.register(
            "ghcache_responses",
            "How many cache responses of each cache response mode there are",
            self.cache.clone(),
        );
        registry.register(
            "github_request_retries",
            "GitHub requests retried, by reason",
            self.retries.clone(),
        );
    }

    /// The metrics in the OpenMetrics text format, on a registry of their own.
    pub fn encode(&self) -> String {
        let mut registry = Registry::default();
        self.register(&mut registry);
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &registry);
        out
    }

    /// Counts a request.
    pub(crate) fn request(&self, path: &str, status: &str) {
        self.requests
            .get_or_create(&RequestLabels {
                path: path.to_owned(),
                status: status.to_owned(),
            })
            .inc();
    }

    /// How many requests of `path` got `status`.
    pub fn requests(&self, path: &str, status: &str) -> u64 {
        self.requests
            .get_or_create(&RequestLabels {
                path: path.to_owned(),
                status: status.to_owned(),
            })
            .get()
    }

    /// Records the budget a reply reported.
    pub(crate) fn token(
        &self,
        identity: &str,
        graphql: bool,
        resource: &str,
        remaining: i64,
        reset_in_nanos: i64,
    ) {
        let labels = TokenLabels {
            token_hash: identity.to_owned(),
            api_version: if graphql { "v4" } else { "v3" }.to_owned(),
            ratelimit_resource: resource.to_owned(),
        };
        self.token_usage.get_or_create(&labels).set(remaining);
        self.token_reset.get_or_create(&labels).set(reset_in_nanos);
    }

    /// Counts a cache outcome.
    pub(crate) fn cache(&self, mode: &str, path: &str) {
        self.cache
            .get_or_create(&CacheLabels {
                mode: mode.to_owned(),
                path: path.to_owned(),
            })
            .inc();
    }

    /// How many GETs of `path` had the cache outcome `mode`.
    pub fn cache_responses(&self, mode: &str, path: &str) -> u64 {
        self.cache
            .get_or_create(&CacheLabels {
                mode: mode.to_owned(),
                path: path.to_owned(),
            })
            .get()
    }

    /// Counts a retry.
    pub(crate) fn retry(&self, reason: &str) {
        self.retries
            .get_or_create(&RetryLabels {
                reason: reason.to_owned(),
            })
            .inc();
    }

    /// How many retries `reason` caused.
    pub fn retries(&self, reason: &str) -> u64 {
        self.retries
            .get_or_create(&RetryLabels {
                reason: reason.to_owned(),
            })
            .get()
    }
}

/// A node of the route tree: a literal segment or a variable one, and what may follow.
enum Node {
    Lit(&'static str, &'static [Node]),
    Var(&'static str, &'static [Node]),
    /// A variable that swallows the rest of the path (refs, file paths, label names).
    Greedy(&'static str),
}

use Node::{Greedy, Lit, Var};

const REPO: &[Node] = &[
    Lit(
        "issues",
        &[
            Lit("comments", &[Var("commentId", &[Lit("reactions", &[])])]),
            Var(
                "issueId",
                &[
                    Lit("comments", &[]),
                    Lit("assignees", &[]),
                    Lit("reactions", &[]),
                    Lit("labels", &[Greedy("labelId")]),
                ],
            ),
        ],
    ),
    Lit("labels", &[Greedy("labelId")]),
    Lit("milestones", &[Var("milestone", &[])]),
    Lit(
        "pulls",
        &[Var(
            "pullId",
            &[
                Lit("commits", &[]),
                Lit("files", &[]),
                Lit("comments", &[]),
                Lit("reviews", &[]),
                Lit("requested_reviewers", &[]),
                Lit("merge", &[]),
            ],
        )],
    ),
    Lit("statuses", &[Var("statusId", &[])]),
    Lit(
        "collaborators",
        &[Var("collaboratorId", &[Lit("permission", &[])])],
    ),
    Lit("contents", &[Greedy("contentId")]),
    Lit(
        "commits",
        &[Var("sha", &[Lit("check-runs", &[]), Lit("status", &[])])],
    ),
    Lit(
        "git",
        &[
            Lit("refs", &[Greedy("ref")]),
            Lit("ref", &[Greedy("ref")]),
            Lit("commits", &[Var("sha", &[])]),
        ],
    ),
    Lit("installation", &[]),
];

const ORG: &[Node] = &[
    Lit("members", &[Var("login", &[])]),
    Lit("installation", &[]),
    Lit(
        "teams",
        &[Var("teamSlug", &[Lit("members", &[]), Lit("repos", &[])])],
    ),
];

const ROOT: &[Node] = &[
    Lit(
        "app",
        &[Lit(
            "installations",
            &[Var("id", &[Lit("access_tokens", &[])])],
        )],
    ),
    Lit("repos", &[Var("owner", &[Var("repo", REPO)])]),
    Lit("repositories", &[Var("repoId", REPO)]),
    Lit("orgs", &[Var("orgname", ORG)]),
    Lit("organizations", &[Var("orgId", ORG)]),
    Lit("user", &[]),
    Lit("users", &[Var("username", &[Lit("installation", &[])])]),
    Lit("search", &[Lit("issues", &[])]),
    Lit("graphql", &[]),
    Lit("rate_limit", &[]),
];

/// The route template of a request path (upstream's `simplifypath` on the same tree):
/// `/repos/kubernetes/test-infra/issues/12/comments` → `/repos/:owner/:repo/issues/:issueId/comments`.
/// Paths outside the tree keep their known prefix and end in `/:other`, so the label's
/// cardinality stays bounded.
pub(crate) fn route_template(path: &str) -> String {
    let path = path.split('?').next().unwrap_or_default();
    let mut out = String::new();
    let mut nodes = ROOT;
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        let literal = nodes
            .iter()
            .find(|n| matches!(n, Lit(name, _) if *name == segment));
        let chosen = literal.or_else(|| nodes.iter().find(|n| !matches!(n, Lit(..))));
        match chosen {
            Some(Lit(name, next)) => {
                out.push('/');
                out.push_str(name);
                nodes = next;
            }
            Some(Var(name, next)) => {
                out.push_str("/:");
                out.push_str(name);
                nodes = next;
            }
            Some(Greedy(name)) => {
                out.push_str("/:");
                out.push_str(name);
                return out;
            }
            None => {
                out.push_str("/:other");
                return out;
            }
        }
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_templates() {
        let cases = [
            (
                "/repos/kubernetes/test-infra/issues/12/comments?per_page=100",
                "/repos/:owner/:repo/issues/:issueId/comments",
            ),
            (
                "/repos/k/t/issues/comments/99",
                "/repos/:owner/:repo/issues/comments/:commentId",
            ),
            (
                "/repos/k/t/issues/3/labels/do-not-merge%2Fhold",
                "/repos/:owner/:repo/issues/:issueId/labels/:labelId",
            ),
            (
                "/repos/k/t/git/refs/heads/feature/x",
                "/repos/:owner/:repo/git/refs/:ref",
            ),
            (
                "/repos/k/t/contents/docs/a.md",
                "/repos/:owner/:repo/contents/:contentId",
            ),
            (
                "/repos/k/t/commits/abc/check-runs",
                "/repos/:owner/:repo/commits/:sha/check-runs",
            ),
            (
                "/repos/k/t/collaborators/alice/permission",
                "/repos/:owner/:repo/collaborators/:collaboratorId/permission",
            ),
            ("/orgs/k/members/alice", "/orgs/:orgname/members/:login"),
            (
                "/orgs/k/teams/sig-testing/members",
                "/orgs/:orgname/teams/:teamSlug/members",
            ),
            (
                "/app/installations/7/access_tokens",
                "/app/installations/:id/access_tokens",
            ),
            ("/search/issues", "/search/issues"),
            ("/graphql", "/graphql"),
            ("/user", "/user"),
            ("/", "/"),
            ("/repos/k/t/hooks/1", "/repos/:owner/:repo/:other"),
            ("/emojis", "/:other"),
        ];
        for (path, want) in cases {
            assert_eq!(route_template(path), want, "{path}");
        }
    }

    #[test]
    fn encodes_under_upstream_names() {
        let metrics = ClientMetrics::new();
        metrics.request("/user", "200");
        metrics.request("/user", "200");
        metrics.token("token:abc", false, "core", 4999, 1_000);
        metrics.cache("REVALIDATED", "/user");
        metrics.retry("server_error");
        assert_eq!(metrics.requests("/user", "200"), 2);
        assert_eq!(metrics.cache_responses("REVALIDATED", "/user"), 1);
        assert_eq!(metrics.retries("server_error"), 1);
        let text = metrics.encode();
        for want in [
            "github_requests_total{path=\"/user\",status=\"200\"} 2",
            "github_token_usage{token_hash=\"token:abc\",api_version=\"v3\",ratelimit_resource=\"core\"} 4999",
            "ghcache_responses_total{mode=\"REVALIDATED\",path=\"/user\"} 1",
            "github_request_retries_total{reason=\"server_error\"} 1",
        ] {
            assert!(text.contains(want), "{want} not in\n{text}");
        }
    }
}
