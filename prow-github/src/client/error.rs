//! GitHub's refusals mapped onto [`GitHubError`]: by status code (404 not found, 401/403
//! forbidden, 422 unprocessable, rate limits), with GitHub's message, and the errors of the
//! client's own HTTP stack (transport failures, rate-limit waits too long, credentials).

use chrono::{DateTime, Utc};
use http::HeaderMap;
use prow_core::github::GitHubError;
use serde::Deserialize;

/// An error raised inside the client's HTTP stack (below octocrab), carried through octocrab
/// as its service error and mapped back here.
#[derive(Clone, Debug, thiserror::Error)]
pub(crate) enum StackError {
    /// The rate limit is used up and resets later than the client may wait.
    #[error("rate limited; the budget resets in {retry_after_seconds:?} s")]
    RateLimited {
        /// Seconds until the budget resets, when known.
        retry_after_seconds: Option<u64>,
    },
    /// No reply: connection, TLS, timeout or an unreadable body.
    #[error("{0}")]
    Transport(String),
    /// The credentials could not be had (token file, App installation).
    #[error("credentials: {0}")]
    Credentials(String),
    /// A mutating request reached the HTTP stack in dry-run mode (a bug; refused).
    #[error("dry run: refusing {0}")]
    DryRun(String),
}

impl From<StackError> for GitHubError {
    fn from(err: StackError) -> Self {
        match err {
            StackError::RateLimited {
                retry_after_seconds,
            } => GitHubError::RateLimited {
                retry_after_seconds,
            },
            StackError::Transport(message) => GitHubError::Transport(message),
            StackError::Credentials(message) => {
                GitHubError::Forbidden(format!("credentials: {message}"))
            }
            StackError::DryRun(message) => GitHubError::Status {
                status: 0,
                message: format!("dry run: refusing {message}"),
            },
        }
    }
}

/// GitHub's error body: `{"message": ..., "errors": [...]}`.
#[derive(Debug, Default, Deserialize)]
struct ErrorBody {
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    errors: Vec<serde_json::Value>,
}

/// GitHub's message in an error reply: `message`, then the details of `errors`; the body's
/// text or the status's reason when there is no JSON.
pub(crate) fn reply_message(status: u16, body: &[u8]) -> String {
    let parsed: Option<ErrorBody> = serde_json::from_slice(body).ok();
    let mut parts = Vec::new();
    if let Some(parsed) = parsed {
        if let Some(message) = parsed.message.filter(|m| !m.is_empty()) {
            parts.push(message);
        }
        for detail in parsed.errors {
            match detail {
                serde_json::Value::String(s) => parts.push(s),
                serde_json::Value::Object(map) => {
                    let text = ["message", "code", "field", "value"]
                        .iter()
                        .filter_map(|k| match map.get(*k) {
                            Some(serde_json::Value::String(s)) => Some(format!("{k}={s}")),
                            Some(serde_json::Value::Null) | None => None,
                            Some(other) => Some(format!("{k}={other}")),
                        })
                        .collect::<Vec<_>>()
                        .join(" ");
                    if !text.is_empty() {
                        parts.push(text);
                    }
                }
                _ => {}
            }
        }
    } else {
        let text = String::from_utf8_lossy(body).trim().to_owned();
        if !text.is_empty() {
            parts.push(text.chars().take(500).collect());
        }
    }
    if parts.is_empty() {
        http::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("unknown error")
            .to_owned()
    } else {
        parts.join("; ")
    }
}

/// A header's value as text.
pub(crate) fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// Whether a 403 or 429 reply is a rate limit, and if so the seconds to wait when known.
/// `Some(None)`: rate limited, wait unknown. `None`: not a rate limit.
pub(crate) fn rate_limit_of(
    status: u16,
    headers: &HeaderMap,
    message: &str,
    now: DateTime<Utc>,
) -> Option<Option<u64>> {
    if status != 403 && status != 429 {
        return None;
    }
    if let Some(seconds) = header(headers, "retry-after").and_then(|v| v.parse::<u64>().ok()) {
        return Some(Some(seconds));
    }
    if header(headers, "x-ratelimit-remaining") == Some("0") {
        let wait = header(headers, "x-ratelimit-reset")
            .and_then(|v| v.parse::<i64>().ok())
            .map(|reset| (reset - now.timestamp()).max(0) as u64);
        return Some(wait);
    }
    if status == 429 || message.to_ascii_lowercase().contains("rate limit") {
        return Some(None);
    }
    None
}

/// Maps an unsuccessful reply onto [`GitHubError`].
pub(crate) fn error_from_reply(
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
    now: DateTime<Utc>,
) -> GitHubError {
    let message = reply_message(status, body);
    if let Some(retry_after_seconds) = rate_limit_of(status, headers, &message, now) {
        return GitHubError::RateLimited {
            retry_after_seconds,
        };
    }
    match status {
        404 => GitHubError::NotFound(message),
        401 | 403 => GitHubError::Forbidden(message),
        422 => GitHubError::Unprocessable(message),
        _ => GitHubError::Status { status, message },
    }
}

/// Maps an error of octocrab (which carries the stack's own errors) onto [`GitHubError`].
pub(crate) fn error_from_octocrab(err: octocrab::Error, now: DateTime<Utc>) -> GitHubError {
    match err {
        octocrab::Error::GitHub { source, .. } => {
            let status = source.status_code.as_u16();
            let headers = source.headers.clone().unwrap_or_default();
            let mut body = serde_json::json!({ "message": source.message });
            if let Some(errors) = &source.errors {
                body["errors"] = serde_json::Value::Array(errors.clone());
            }
            error_from_reply(status, &headers, body.to_string().as_bytes(), now)
        }
        octocrab::Error::Service { source, .. } => error_from_box(source),
        octocrab::Error::Graphql { source, .. } => graphql_error(&source.to_string()),
        octocrab::Error::Json { source, .. } => {
            GitHubError::Transport(format!("unexpected reply: {source}"))
        }
        octocrab::Error::Serde { source, .. } => {
            GitHubError::Transport(format!("unexpected reply: {source}"))
        }
        other => GitHubError::Transport(other.to_string()),
    }
}

/// Maps a boxed error from the HTTP stack, finding a [`StackError`] in its chain.
pub(crate) fn error_from_box(err: Box<dyn std::error::Error + Send + Sync>) -> GitHubError {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err.as_ref());
    while let Some(e) = current {
        if let Some(stack) = e.downcast_ref::<StackError>() {
            return stack.clone().into();
        }
        current = e.source();
    }
    GitHubError::Transport(err.to_string())
}

/// A GraphQL `errors` reply: rate limits as such, anything else unprocessable.
pub(crate) fn graphql_error(message: &str) -> GitHubError {
    let lower = message.to_ascii_lowercase();
    if lower.contains("rate_limited") || lower.contains("rate limit") {
        GitHubError::RateLimited {
            retry_after_seconds: None,
        }
    } else {
        GitHubError::Unprocessable(message.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, v.parse().unwrap());
        }
        map
    }

    fn kind(err: &GitHubError) -> String {
        match err {
            GitHubError::NotFound(_) => "404".into(),
            GitHubError::Forbidden(_) => "403".into(),
            GitHubError::Unprocessable(_) => "422".into(),
            GitHubError::RateLimited {
                retry_after_seconds,
            } => format!("rate limited {retry_after_seconds:?}"),
            GitHubError::Status { status, .. } => status.to_string(),
            other => other.to_string(),
        }
    }

    #[test]
    fn statuses_map_onto_errors() {
        let now = Utc.timestamp_opt(1_000_000, 0).unwrap();
        let body = br#"{"message":"Not Found","documentation_url":"x"}"#;
        let cases: Vec<(u16, HeaderMap, &str)> = vec![
            (404, headers(&[]), "404"),
            (401, headers(&[]), "403"),
            (403, headers(&[]), "403"),
            (422, headers(&[]), "422"),
            (405, headers(&[]), "405"),
            (409, headers(&[]), "409"),
            (502, headers(&[]), "502"),
            (
                403,
                headers(&[
                    ("x-ratelimit-remaining", "0"),
                    ("x-ratelimit-reset", "1000030"),
                ]),
                "rate limited Some(30)",
            ),
            (
                403,
                headers(&[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "5")]),
                "rate limited Some(0)",
            ),
            (
                403,
                headers(&[("retry-after", "60")]),
                "rate limited Some(60)",
            ),
            (429, headers(&[]), "rate limited None"),
            (
                429,
                headers(&[("retry-after", "7")]),
                "rate limited Some(7)",
            ),
            // Not a rate limit: budget left.
            (403, headers(&[("x-ratelimit-remaining", "12")]), "403"),
        ];
        for (status, headers, want) in cases {
            let got = error_from_reply(status, &headers, body, now);
            assert_eq!(kind(&got), want, "{status} {headers:?}");
        }
        let got = error_from_reply(
            403,
            &HeaderMap::new(),
            br#"{"message":"You have exceeded a secondary rate limit"}"#,
            now,
        );
        assert_eq!(kind(&got), "rate limited None");
    }

    #[test]
    fn messages_carry_details() {
        let body = br#"{"message":"Validation Failed","errors":[{"resource":"Issue","code":"invalid","field":"assignees","value":"dave"}]}"#;
        assert_eq!(
            reply_message(422, body),
            "Validation Failed; code=invalid field=assignees value=dave"
        );
        assert_eq!(
            reply_message(502, b"<html>bad gateway</html>"),
            "<html>bad gateway</html>"
        );
        assert_eq!(reply_message(404, b""), "Not Found");
        let err = error_from_reply(422, &HeaderMap::new(), body, Utc::now());
        assert!(matches!(err, GitHubError::Unprocessable(m) if m.contains("assignees")));
    }

    #[test]
    fn stack_errors_come_back_through_boxes() {
        let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(StackError::RateLimited {
            retry_after_seconds: Some(9),
        });
        assert_eq!(kind(&error_from_box(boxed)), "rate limited Some(9)");
        let boxed: Box<dyn std::error::Error + Send + Sync> =
            Box::new(StackError::Transport("connection refused".into()));
        assert!(
            matches!(error_from_box(boxed), GitHubError::Transport(m) if m == "connection refused")
        );
        let boxed: Box<dyn std::error::Error + Send + Sync> =
            Box::new(StackError::Credentials("no token".into()));
        assert!(matches!(error_from_box(boxed), GitHubError::Forbidden(_)));
        let boxed: Box<dyn std::error::Error + Send + Sync> = "other".into();
        assert!(matches!(error_from_box(boxed), GitHubError::Transport(m) if m == "other"));
    }

    #[test]
    fn graphql_errors() {
        assert!(matches!(
            graphql_error("RATE_LIMITED: API rate limit exceeded"),
            GitHubError::RateLimited { .. }
        ));
        assert!(matches!(
            graphql_error("Field 'x' doesn't exist"),
            GitHubError::Unprocessable(_)
        ));
    }
}
