//! The envelope of every reply: who is calling (the `Authorization` token), GitHub's error
//! bodies, pagination with `Link`, `X-RateLimit-*` headers, and `ETag` / `If-None-Match`.

use std::cell::Cell;
use std::sync::Arc;

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{FromRequestParts, Query, Request, State};
use axum::http::header::{
    AUTHORIZATION, CONTENT_TYPE, ETAG, HOST, HeaderName, HeaderValue, IF_NONE_MATCH, LINK,
    RETRY_AFTER,
};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::Response;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use prow_core::github::GitHubError;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::super::SimClient;
use super::super::faults::{REFUSAL, Refusal};
use super::Face;

/// Characters escaped in a URL path segment or query value.
pub(crate) const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Where GitHub's error bodies point.
pub(crate) const DOCS: &str = "https://docs.github.com/rest";

/// The rate limit reported when no primary rate-limit knob is set: GitHub's for a token.
const DEFAULT_LIMIT: u64 = 5000;

/// The page size when a request names none (GitHub's).
const DEFAULT_PER_PAGE: usize = 30;

/// The largest page GitHub serves.
const MAX_PER_PAGE: usize = 100;

/// One request as the routes see it: the caller's client, and the request's address and
/// headers.
pub(crate) struct Ctx {
    pub face: Arc<Face>,
    /// A client acting as the caller.
    pub client: SimClient,
    /// The caller's login.
    pub actor: String,
    pub uri: Uri,
    pub headers: HeaderMap,
}

/// The token an `Authorization` header carries: `token X`, `Bearer X`, or basic
/// authentication's password.
fn token(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, rest) = value.split_once(' ')?;
    let rest = rest.trim();
    match scheme.to_ascii_lowercase().as_str() {
        "token" | "bearer" => Some(rest.to_owned()),
        "basic" => {
            let decoded = String::from_utf8(super::base64::decode(rest)?).ok()?;
            decoded
                .split_once(':')
                .map(|(_, password)| password.to_owned())
        }
        _ => None,
    }
}

impl FromRequestParts<Arc<Face>> for Ctx {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, face: &Arc<Face>) -> Result<Self, Response> {
        let token = token(&parts.headers);
        let login = token.as_deref().and_then(|t| face.login_for(t));
        if face.options.require_token && login.is_none() {
            let message = if token.is_some() {
                "Bad credentials"
            } else {
                "Requires authentication"
            };
            return Err(github_error(StatusCode::UNAUTHORIZED, message));
        }
        let client = face.client(login.as_deref());
        Ok(Ctx {
            face: Arc::clone(face),
            actor: client.actor().to_owned(),
            client,
            uri: parts.uri.clone(),
            headers: parts.headers.clone(),
        })
    }
}

/// A JSON reply.
pub(crate) fn json_reply(status: StatusCode, value: &Value) -> Response {
    let mut response = Response::new(Body::from(serde_json::to_vec(value).unwrap_or_default()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

/// A reply without a body (204, or a 404 that GitHub leaves empty).
pub(crate) fn empty(status: StatusCode) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    response
}

/// GitHub's error body.
pub(crate) fn error_body(status: StatusCode, message: &str) -> Value {
    json!({
        "message": message,
        "documentation_url": DOCS,
        "status": status.as_u16().to_string(),
    })
}

/// GitHub's error reply.
pub(crate) fn github_error(status: StatusCode, message: &str) -> Response {
    json_reply(status, &error_body(status, message))
}

/// GitHub's 404.
pub(crate) fn not_found() -> Response {
    github_error(StatusCode::NOT_FOUND, "Not Found")
}

/// GitHub's 422 `Validation Failed`, naming the field the simulator's message starts with
/// (`title: cannot be blank`).
pub(crate) fn validation_failed(resource: &str, message: &str) -> Response {
    let field = message
        .split_once(':')
        .map(|(field, _)| field)
        .filter(|field| {
            !field.is_empty() && field.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
    let mut error = json!({ "resource": resource, "code": "custom", "message": message });
    if let (Some(field), Value::Object(map)) = (field, &mut error) {
        map.insert("field".to_owned(), json!(field));
    }
    let mut body = error_body(StatusCode::UNPROCESSABLE_ENTITY, "Validation Failed");
    if let Value::Object(map) = &mut body {
        map.insert("errors".to_owned(), json!([error]));
    }
    json_reply(StatusCode::UNPROCESSABLE_ENTITY, &body)
}

/// Reads a JSON body: 400 `Problems parsing JSON` when it is not JSON, 422 when it is the
/// wrong shape. An empty body reads as `{}`. The refusal is the reply to send.
pub(crate) fn parse_body<T: DeserializeOwned>(body: &Bytes) -> Result<T, Box<Response>> {
    let text: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    serde_json::from_slice(text).map_err(|error| {
        Box::new(if error.is_data() {
            let mut reply = error_body(StatusCode::UNPROCESSABLE_ENTITY, "Invalid request.");
            if let Value::Object(map) = &mut reply {
                map.insert("errors".to_owned(), json!([error.to_string()]));
            }
            json_reply(StatusCode::UNPROCESSABLE_ENTITY, &reply)
        } else {
            github_error(StatusCode::BAD_REQUEST, "Problems parsing JSON")
        })
    })
}

impl Ctx {
    /// The simulator.
    pub fn sim(&self) -> &super::super::Simulator {
        &self.face.sim
    }

    /// The query string's parameters, in order.
    pub fn query(&self) -> Vec<(String, String)> {
        Query::<Vec<(String, String)>>::try_from_uri(&self.uri)
            .map(|Query(pairs)| pairs)
            .unwrap_or_default()
    }

    /// A query parameter.
    pub fn param(&self, name: &str) -> Option<String> {
        self.query()
            .into_iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value)
    }

    /// The address the face is reached at: the configured base URL, else `http://{Host}`.
    fn base_url(&self) -> String {
        let configured = self
            .face
            .base_url
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        configured.unwrap_or_else(|| {
            let host = self
                .headers
                .get(HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("localhost");
            format!("http://{host}")
        })
    }

    /// GitHub's reply to a refused call. `resource` names the object a 422 is about.
    pub fn error(&self, err: &GitHubError, resource: &str) -> Response {
        match err {
            GitHubError::NotFound(what) => {
                tracing::debug!(what, "simulated 404");
                not_found()
            }
            GitHubError::Forbidden(message) => github_error(StatusCode::FORBIDDEN, message),
            GitHubError::Unprocessable(message) => validation_failed(resource, message),
            GitHubError::MissingUsers(users) => validation_failed(
                resource,
                &format!("could not add these users: {}", users.join(", ")),
            ),
            GitHubError::ModifiedHead(message) => github_error(StatusCode::CONFLICT, message),
            GitHubError::UnmergeablePullRequest(message) => {
                github_error(StatusCode::METHOD_NOT_ALLOWED, message)
            }
            GitHubError::RateLimited {
                retry_after_seconds,
            } => self.rate_limited(*retry_after_seconds),
            GitHubError::Status { status, message } => {
                let status =
                    StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                github_error(status, message)
            }
            GitHubError::Transport(message) => github_error(StatusCode::BAD_GATEWAY, message),
            other => github_error(StatusCode::INTERNAL_SERVER_ERROR, &other.to_string()),
        }
    }

    /// The reply to a rate-limited call: the primary limit's 403 (its headers come from the
    /// envelope, with `X-RateLimit-Remaining: 0`), or the secondary limit's 403/429 with
    /// `Retry-After`.
    fn rate_limited(&self, retry_after: Option<u64>) -> Response {
        let refusal = REFUSAL.try_with(Cell::get).ok().flatten();
        if refusal == Some(Refusal::Secondary) {
            let status = StatusCode::from_u16(self.face.options.secondary_rate_limit_status)
                .unwrap_or(StatusCode::FORBIDDEN);
            let mut response = github_error(
                status,
                "You have exceeded a secondary rate limit. Please wait a few minutes before you \
                 try again.",
            );
            if let Some(seconds) = retry_after {
                response
                    .headers_mut()
                    .insert(RETRY_AFTER, HeaderValue::from(seconds));
            }
            return response;
        }
        let id = self.sim().lock().user(&self.actor).id;
        github_error(
            StatusCode::FORBIDDEN,
            &format!("API rate limit exceeded for user ID {id}."),
        )
    }

    /// A page of `items` as a JSON array, with GitHub's `Link` header.
    pub fn page(&self, items: Vec<Value>) -> Response {
        self.page_with(items, |items, _| Value::Array(items))
    }

    /// A page of `items` wrapped by `wrap(page, total)` (search's and check runs' objects),
    /// with GitHub's `Link` header.
    pub fn page_with(
        &self,
        items: Vec<Value>,
        wrap: impl FnOnce(Vec<Value>, usize) -> Value,
    ) -> Response {
        let number = |name: &str| {
            self.param(name)
                .and_then(|v| v.parse::<usize>().ok())
                .filter(|&n| n > 0)
        };
        let per_page = number("per_page")
            .unwrap_or(DEFAULT_PER_PAGE)
            .min(MAX_PER_PAGE);
        let page = number("page").unwrap_or(1);
        let total = items.len();
        let last = total.div_ceil(per_page).max(1);
        let shown: Vec<Value> = items
            .into_iter()
            .skip((page - 1).saturating_mul(per_page))
            .take(per_page)
            .collect();
        let mut response = json_reply(StatusCode::OK, &wrap(shown, total));
        let mut links = Vec::new();
        if page < last {
            links.push((page + 1, "next"));
            links.push((last, "last"));
        }
        if page > 1 {
            links.push((1, "first"));
            links.push(((page - 1).min(last), "prev"));
        }
        if !links.is_empty() {
            let header = links
                .iter()
                .map(|(n, rel)| format!("<{}>; rel=\"{rel}\"", self.page_url(*n)))
                .collect::<Vec<_>>()
                .join(", ");
            if let Ok(value) = HeaderValue::from_str(&header) {
                response.headers_mut().insert(LINK, value);
            }
        }
        response
    }

    /// This request's address with `page` set to `page`.
    fn page_url(&self, page: usize) -> String {
        let mut pairs: Vec<(String, String)> = self
            .query()
            .into_iter()
            .filter(|(key, _)| key != "page")
            .collect();
        pairs.push(("page".to_owned(), page.to_string()));
        let query = pairs
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}={}",
                    utf8_percent_encode(k, SEGMENT),
                    utf8_percent_encode(v, SEGMENT)
                )
            })
            .collect::<Vec<_>>()
            .join("&");
        format!("{}{}?{query}", self.base_url(), self.uri.path())
    }
}

/// Whether an `If-None-Match` header names `etag` (weak comparison, `*` matching any).
fn etag_matches(header: Option<&HeaderValue>, etag: &str) -> bool {
    let Some(header) = header.and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let bare = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    header
        .split(',')
        .any(|candidate| candidate.trim() == "*" || bare(candidate) == bare(etag))
}

/// The `X-RateLimit-Resource` a path counts against.
fn resource(path: &str) -> &'static str {
    if path.starts_with("/search/") {
        "search"
    } else if path == "/graphql" {
        "graphql"
    } else {
        "core"
    }
}

/// Sets a header from anything that prints.
fn set(headers: &mut HeaderMap, name: &'static str, value: impl ToString) {
    if let Ok(value) = HeaderValue::from_str(&value.to_string()) {
        headers.insert(HeaderName::from_static(name), value);
    }
}

/// The middleware around every route: runs it in a scope where the fault knobs can say which
/// of them refused a call, then adds the `X-RateLimit-*` headers and, to a `GET` answered 200,
/// an `ETag` (answering `304 Not Modified` when `If-None-Match` names it).
pub(crate) async fn envelope(
    State(face): State<Arc<Face>>,
    request: Request,
    next: Next,
) -> Response {
    let is_get = request.method() == Method::GET;
    let if_none_match = request.headers().get(IF_NONE_MATCH).cloned();
    let resource = resource(request.uri().path());
    let response = REFUSAL.scope(Cell::new(None), next.run(request)).await;
    let (mut parts, body) = response.into_parts();
    let mut body = body;
    if is_get && parts.status == StatusCode::OK {
        let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
        let digest = hex::encode(Sha256::digest(&bytes));
        let etag = format!("W/\"{}\"", &digest[..40]);
        if let Ok(value) = HeaderValue::from_str(&etag) {
            parts.headers.insert(ETAG, value);
        }
        if etag_matches(if_none_match.as_ref(), &etag) {
            face.sim.refund_rate_limit();
            parts.status = StatusCode::NOT_MODIFIED;
            parts.headers.remove(CONTENT_TYPE);
            parts.headers.remove(LINK);
            body = Body::empty();
        } else {
            body = Body::from(bytes);
        }
    }
    let now = face.sim.now().timestamp();
    let (limit, remaining, reset) = match face.sim.rate_limit() {
        Some(status) => (
            status.limit,
            status.remaining,
            now + status.reset_in.as_millis().div_ceil(1000) as i64,
        ),
        None => (DEFAULT_LIMIT, DEFAULT_LIMIT, now + 3600),
    };
    let headers = &mut parts.headers;
    set(headers, "x-ratelimit-limit", limit);
    set(headers, "x-ratelimit-remaining", remaining);
    set(headers, "x-ratelimit-used", limit - remaining.min(limit));
    set(headers, "x-ratelimit-reset", reset);
    set(headers, "x-ratelimit-resource", resource);
    set(headers, "x-github-request-id", face.sim.request_count());
    set(headers, "x-github-media-type", "github.v3; format=json");
    Response::from_parts(parts, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_from_every_scheme() {
        let cases = [
            ("token abc", Some("abc")),
            ("Bearer abc", Some("abc")),
            ("bearer  abc ", Some("abc")),
            // basic x-access-token:abc
            ("Basic eC1hY2Nlc3MtdG9rZW46YWJj", Some("abc")),
            ("Digest abc", None),
            ("abc", None),
        ];
        for (header, want) in cases {
            let mut headers = HeaderMap::new();
            headers.insert(AUTHORIZATION, HeaderValue::from_static(header));
            assert_eq!(token(&headers).as_deref(), want, "{header}");
        }
        assert_eq!(token(&HeaderMap::new()), None);
    }

    #[test]
    fn etags_compare_weakly() {
        let tag = "W/\"abc\"";
        let cases = [
            (Some("W/\"abc\""), true),
            (Some("\"abc\""), true),
            (Some("\"x\", W/\"abc\""), true),
            (Some("*"), true),
            (Some("\"abd\""), false),
            (None, false),
        ];
        for (header, want) in cases {
            let value = header.map(HeaderValue::from_static);
            assert_eq!(etag_matches(value.as_ref(), tag), want, "{header:?}");
        }
    }

    #[test]
    fn validation_names_the_field() {
        let response = validation_failed("Issue", "title: cannot be blank");
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
}
