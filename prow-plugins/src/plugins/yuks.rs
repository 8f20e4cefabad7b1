//! The `yuks` plugin: `/joke` answers with a dad joke from icanhazdadjoke.com, every
//! character but plain text escaped so the joke cannot carry Markdown.

use async_trait::async_trait;
use prow_core::traits::{EventKind, Plugin, PluginContext, PluginError, PluginEvent, PluginHelp};
use serde::Deserialize;

use crate::commands::{self, Command};
use crate::http::HttpGetter;
use crate::plugins::{created_comment, repo_of};
use crate::reply::format_comment_response;

/// The joke API upstream asks.
pub const JOKE_API_URL: &str = "https://icanhazdadjoke.com";

/// How many times a joke is asked for before giving up.
const ATTEMPTS: usize = 5;

/// `/joke`.
pub static JOKE: Command = Command::new("joke")
    .case_insensitive()
    .description("Tells a joke.")
    .who_can_use("Anyone can use the `/joke` command.")
    .examples(&["/joke"]);

/// The joke API's answer.
#[derive(Debug, Deserialize)]
struct JokeResult {
    #[serde(default)]
    joke: String,
}

/// The `yuks` plugin.
#[derive(Clone, Debug)]
pub struct Yuks {
    api_url: String,
}

impl Default for Yuks {
    fn default() -> Self {
        Yuks::new()
    }
}

impl Yuks {
    /// The plugin asking icanhazdadjoke.com ([`JOKE_API_URL`]).
    pub fn new() -> Self {
        Yuks::with_url(JOKE_API_URL)
    }

    /// The plugin asking another joke API (answering `{"joke": ...}` to a GET asking for
    /// JSON).
    pub fn with_url(api_url: impl Into<String>) -> Self {
        Yuks {
            api_url: api_url.into(),
        }
    }

    async fn read_joke(&self) -> Result<String, String> {
        let http = HttpGetter::shared().map_err(|e| e.to_string())?;
        let url = &self.api_url;
        let reply = http
            .get(url, true)
            .await
            .map_err(|e| format!("could not read joke from {url}: {e}"))?;
        let joke: JokeResult = reply.json(url).map_err(|e| e.to_string())?;
        if joke.joke.is_empty() {
            return Err(format!("result from {url} did not contain a joke"));
        }
        Ok(joke.joke)
    }
}

/// The joke with every character but ASCII letters, digits, `_`, space and `?'!.,` written
/// as a decimal character reference (`&#91;`), so that Markdown and HTML show as text.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '_' | '?' | '\'' | '!' | '.' | ',' | ' ') {
            out.push(c);
        } else {
            out.push_str(&format!("&#{};", u32::from(c)));
        }
    }
    out
}

#[async_trait]
impl Plugin for Yuks {
    fn name(&self) -> &str {
        "yuks"
    }

    fn events(&self) -> &[EventKind] {
        &[EventKind::GenericComment]
    }

    fn help(&self) -> PluginHelp {
        PluginHelp {
            description: "The yuks plugin comments with jokes in response to the `/joke` command."
                .to_owned(),
            commands: commands::help(&[&JOKE]),
            ..PluginHelp::default()
        }
    }

    async fn handle(&self, ctx: &PluginContext, event: &PluginEvent) -> Result<(), PluginError> {
        let Some(comment) = created_comment(event) else {
            return Ok(());
        };
        if !JOKE.is_in(&comment.body) {
            return Ok(());
        }
        let repo = repo_of(comment);
        for attempt in 1..=ATTEMPTS {
            match self.read_joke().await {
                Ok(joke) => {
                    let reply = format_comment_response(comment, &escape_markdown(&joke));
                    ctx.github
                        .create_comment(&repo, comment.number, &reply)
                        .await?;
                    return Ok(());
                }
                Err(error) => {
                    tracing::info!(%error, attempt, "failed to get a joke; retrying");
                }
            }
        }
        Err(PluginError::internal(format!(
            "failed to get joke after {ATTEMPTS} attempts"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::testing::{Canned, Server, dead_url};
    use crate::reply::format_response_raw;
    use crate::testing::Harness;
    use prow_github::simulator::Files;

    struct Case {
        name: &'static str,
        body: &'static str,
        on_pr: bool,
        edit: bool,
        api: Canned,
        api_down: bool,
        /// The reply's text, `None` for no reply.
        want: Option<&'static str>,
        /// How many times the API is asked.
        want_api_calls: usize,
    }

    impl Default for Case {
        fn default() -> Self {
            Case {
                name: "",
                body: "/joke",
                on_pr: false,
                edit: false,
                api: Canned::Json(r#"{"joke": "this? that."}"#.into()),
                api_down: false,
                want: Some("this? that."),
                want_api_calls: 1,
            }
        }
    }

    #[tokio::test]
    async fn jokes() {
        let cases = [
            Case {
                name: "ignore edited comment",
                edit: true,
                want: None,
                want_api_calls: 0,
                ..Case::default()
            },
            Case {
                name: "leave joke on pr",
                on_pr: true,
                ..Case::default()
            },
            Case {
                name: "leave joke on issue",
                ..Case::default()
            },
            Case {
                name: "leave joke on issue, trailing space",
                body: "/joke \r",
                ..Case::default()
            },
            Case {
                name: "any case",
                body: "/JOKE",
                ..Case::default()
            },
            Case {
                name: "reject bad joke chars",
                api: Canned::Json(r#"{"joke": "[hello](url)"}"#.into()),
                want: Some("&#91;hello&#93;&#40;url&#41;"),
                ..Case::default()
            },
            Case {
                name: "a real joke, over the wire",
                api: Canned::Json(
                    r#"{"joke": "What do you get when you cross a joke with a rhetorical question?"}"#
                        .into(),
                ),
                want: Some("What do you get when you cross a joke with a rhetorical question?"),
                ..Case::default()
            },
            Case {
                name: "empty joke",
                api: Canned::Json(r#"{"joke": ""}"#.into()),
                want: None,
                want_api_calls: ATTEMPTS,
                ..Case::default()
            },
            Case {
                name: "not JSON",
                api: Canned::Status(503, "<html>down</html>".into()),
                want: None,
                want_api_calls: ATTEMPTS,
                ..Case::default()
            },
            Case {
                name: "api down",
                api_down: true,
                want: None,
                want_api_calls: 0,
                ..Case::default()
            },
            Case {
                name: "not a command with an argument",
                body: "/joke please",
                want: None,
                want_api_calls: 0,
                ..Case::default()
            },
        ];
        for case in cases {
            let server = Server::start(&[("/", case.api.clone())]).await;
            let base = if case.api_down {
                dead_url().await
            } else {
                server.url.clone()
            };
            let plugin = Yuks::with_url(format!("{base}/"));
            let mut h = Harness::new();
            let number = if case.on_pr {
                h.open_pr("author", "change", Files::new().put("a.txt", "a"))
            } else {
                h.open_issue("author", "question")
            };
            let url = h.comment("random", number, case.body);
            if case.edit {
                h.forget();
                let id = h.sim.issue_comments(&h.repo, number).unwrap()[0].id;
                h.sim
                    .edit_comment_as("random", &h.repo, id, "/joke again")
                    .unwrap();
            }
            let results = h.deliver(&plugin).await;
            let actions = h.bot_actions();
            match case.want {
                Some(joke) => {
                    let reply = format_response_raw(case.body, &url, "random", joke);
                    assert_eq!(
                        actions,
                        [("create_comment".to_owned(), reply)],
                        "{}",
                        case.name
                    );
                    assert!(results.iter().all(Result::is_ok), "{}", case.name);
                }
                None => {
                    assert!(actions.is_empty(), "{}: {actions:?}", case.name);
                    let failed = case.want_api_calls > 0 || case.api_down;
                    assert_eq!(results.iter().any(Result::is_err), failed, "{}", case.name);
                }
            }
            let seen = server.seen();
            assert_eq!(seen.len(), case.want_api_calls, "{}", case.name);
        }
    }

    #[test]
    fn escape_markdown_cases() {
        let cases = [
            (
                "simple characters, all allowed",
                "this? that.",
                "this? that.",
            ),
            (
                "markdown url",
                "[hello](url)",
                "&#91;hello&#93;&#40;url&#41;",
            ),
            (
                "bold move",
                "I made a <b>bold</b> move today: **move**",
                "I made a &#60;b&#62;bold&#60;&#47;b&#62; move today&#58; &#42;&#42;move&#42;&#42;",
            ),
            ("helm symbol", "⎈", "&#9096;"),
            (
                "xss attempt",
                "<img src=404 onerror=alert('k8s')>",
                "&#60;img src&#61;404 onerror&#61;alert&#40;'k8s'&#41;&#62;",
            ),
            ("empty joke", "", ""),
            (
                "longcat is long",
                "longcat is\n\n\n\n\n\n\nlong",
                "longcat is&#10;&#10;&#10;&#10;&#10;&#10;&#10;long",
            ),
            ("non-ASCII letters are escaped", "é", "&#233;"),
        ];
        for (name, joke, want) in cases {
            assert_eq!(escape_markdown(joke), want, "{name}");
        }
    }
}
