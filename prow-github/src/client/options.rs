//! The client's settings, independent of any flag parser: the binary maps upstream Prow's
//! `--github-*` flags onto [`ClientOptions`] and hands it to
//! [`Client::new`](super::Client::new).

use std::path::PathBuf;
use std::time::Duration;

/// GitHub's REST API, the default of `--github-endpoint`.
pub const DEFAULT_ENDPOINT: &str = "https://api.github.com";
/// GitHub's GraphQL API, the default of `--github-graphql-endpoint`.
pub const DEFAULT_GRAPHQL_ENDPOINT: &str = "https://api.github.com/graphql";

/// How the client authenticates. Its `Debug` never shows a token.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum Auth {
    /// No credentials: anonymous calls (GitHub allows 60 an hour; useful against a
    /// simulator or a proxy that adds its own).
    #[default]
    Anonymous,
    /// A personal access token read from a file (`--github-token-path`), trimmed. The file is
    /// looked at again every [`ClientOptions::token_reload_interval`] and re-read when it
    /// changed, so a rotated secret is picked up without a restart.
    TokenFile(PathBuf),
    /// A personal access token given directly (embedding, tests).
    Token(String),
    /// A GitHub App (`--github-app-id`, `--github-app-private-key-path`): calls about a
    /// repository or organisation use the installation token of that organisation, minted
    /// on first use and refreshed before it expires.
    App {
        /// The App's numeric ID.
        app_id: u64,
        /// The App's RSA private key (PEM).
        private_key_path: PathBuf,
    },
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::Anonymous => f.write_str("Anonymous"),
            Auth::TokenFile(path) => f.debug_tuple("TokenFile").field(path).finish(),
            Auth::Token(_) => f.write_str("Token(<redacted>)"),
            Auth::App {
                app_id,
                private_key_path,
            } => f
                .debug_struct("App")
                .field("app_id", app_id)
                .field("private_key_path", private_key_path)
                .finish(),
        }
    }
}

/// Retries and rate-limit waits, after upstream's `--github-client.*` flags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryOptions {
    /// How many times a call is retried after a 5xx, a transport error or a rate limit
    /// (`--github-client.max-retries`, 8). 4xx replies other than rate limits are never
    /// retried.
    pub max_retries: u32,
    /// The first backoff delay; it doubles with every retry
    /// (`--github-client.initial-delay`, 2 s).
    pub initial_delay: Duration,
    /// The longest single backoff delay (60 s).
    pub max_delay: Duration,
    /// The longest the client waits for a rate limit to reset or for a `Retry-After`
    /// (`--github-client.backoff-timeout`, 2 min); beyond it the call fails with
    /// [`GitHubError::RateLimited`](prow_core::github::GitHubError::RateLimited).
    pub max_rate_limit_wait: Duration,
}

impl Default for RetryOptions {
    fn default() -> Self {
        RetryOptions {
            max_retries: 8,
            initial_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(60),
            max_rate_limit_wait: Duration::from_secs(120),
        }
    }
}

impl RetryOptions {
    /// The delay before retry number `retry` (0 for the first): `initial_delay` doubled
    /// `retry` times, at most `max_delay`.
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry.min(31)).unwrap_or(u32::MAX);
        self.initial_delay
            .checked_mul(factor)
            .unwrap_or(self.max_delay)
            .min(self.max_delay)
    }
}

/// The conditional-request cache: GET replies kept with their ETag, revalidated with
/// `If-None-Match` so that unchanged reads cost no rate-limit budget.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CacheOptions {
    /// The most replies kept (0 turns the cache off).
    pub max_entries: usize,
    /// The most reply bytes kept; a reply larger than a quarter of it is not kept.
    pub max_bytes: usize,
}

impl Default for CacheOptions {
    fn default() -> Self {
        CacheOptions {
            max_entries: 10_000,
            max_bytes: 64 * 1024 * 1024,
        }
    }
}

/// Everything [`Client::new`](super::Client::new) needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientOptions {
    /// The REST API's base URL (`--github-endpoint`); GitHub Enterprise's is
    /// `https://HOST/api/v3`.
    pub endpoint: String,
    /// The GraphQL API's URL (`--github-graphql-endpoint`); GitHub Enterprise's is
    /// `https://HOST/api/graphql`.
    pub graphql_endpoint: String,
    /// How to authenticate.
    pub auth: Auth,
    /// Dry run (`--dry-run`): reads go to GitHub, every change is only logged.
    pub dry_run: bool,
    /// Retries and rate-limit waits.
    pub retry: RetryOptions,
    /// The ETag cache.
    pub cache: CacheOptions,
    /// The longest one request may take, reply included
    /// (`--github-client.request-timeout`, 5 min); `None` for no limit.
    pub request_timeout: Option<Duration>,
    /// How often a token file is checked for a new token (1 min).
    pub token_reload_interval: Duration,
    /// The `User-Agent` sent (GitHub requires one).
    pub user_agent: String,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            endpoint: DEFAULT_ENDPOINT.to_owned(),
            graphql_endpoint: DEFAULT_GRAPHQL_ENDPOINT.to_owned(),
            auth: Auth::Anonymous,
            dry_run: false,
            retry: RetryOptions::default(),
            cache: CacheOptions::default(),
            request_timeout: Some(Duration::from_secs(300)),
            token_reload_interval: Duration::from_secs(60),
            user_agent: concat!("prow-rs/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let retry = RetryOptions {
            initial_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(60),
            ..RetryOptions::default()
        };
        let got: Vec<u64> = (0..8).map(|n| retry.backoff(n).as_secs()).collect();
        assert_eq!(got, [2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(retry.backoff(40), Duration::from_secs(60));
        assert_eq!(retry.backoff(u32::MAX), Duration::from_secs(60));
    }

    #[test]
    fn defaults_follow_upstream() {
        let options = ClientOptions::default();
        assert_eq!(options.endpoint, "https://api.github.com");
        assert_eq!(options.graphql_endpoint, "https://api.github.com/graphql");
        assert_eq!(options.retry.max_retries, 8);
        assert_eq!(options.retry.max_rate_limit_wait, Duration::from_secs(120));
        assert!(!options.dry_run);
        assert_eq!(options.auth, Auth::Anonymous);
    }

    #[test]
    fn debug_hides_tokens() {
        let text = format!("{:?}", Auth::Token("hunter2".into()));
        assert!(!text.contains("hunter2"), "{text}");
    }
}
