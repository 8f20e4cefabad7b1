//! The `pony` plugin: `/pony [name]` answers with a pony picture from theponyapi.com, of the
//! named pony when one is given; up to five ponies a comment.

use async_trait::async_trait;
use prow_core::traits::{EventKind, Plugin, PluginContext, PluginError, PluginEvent, PluginHelp};
use serde::Deserialize;

use crate::commands::{self, Arg, Command};
use crate::http::{HttpGetter, query_escape};
use crate::plugins::{created_comment, repo_of};
use crate::reply::format_comment_response;

/// The pony API upstream asks.
pub const PONY_API_URL: &str = "https://theponyapi.com/api/v1/pony/random";

/// The most ponies one comment gets.
const MAX_PONIES: usize = 5;
/// How many times each pony is looked for before giving up.
const ATTEMPTS: usize = 5;

/// The reply when named ponies were not found.
const NO_SUCH_PONY: &str = "Couldn't find a pony matching given tag(s).";
/// The reply when no pony came at all.
const PONIES_DOWN: &str = "https://theponyapi.com appears to be down";

/// `/pony [name]`.
pub static PONY: Command = Command::new("pony")
    .arg(Arg::Optional(".+?"))
    .case_insensitive()
    .usage("/(pony) [pony]")
    .description("Add a little pony image to the issue or PR. A particular pony can optionally be named for a picture of that specific pony.")
    .who_can_use("Anyone")
    .examples(&["/pony", "/pony Twilight Sparkle"]);

/// The parts of the pony API's answer used.
#[derive(Debug, Default, Deserialize)]
struct PonyResult {
    #[serde(default)]
    pony: PonyResultPony,
}

#[derive(Debug, Default, Deserialize)]
struct PonyResultPony {
    #[serde(default)]
    representations: PonyRepresentations,
}

#[derive(Debug, Default, Deserialize)]
struct PonyRepresentations {
    #[serde(default)]
    full: String,
    #[serde(default)]
    small: String,
}

/// The `pony` plugin.
#[derive(Clone, Debug)]
pub struct Pony {
    api_url: String,
}

impl Default for Pony {
    fn default() -> Self {
        Pony::new()
    }
}

impl Pony {
    /// The plugin asking theponyapi.com ([`PONY_API_URL`]).
    pub fn new() -> Self {
        Pony::with_url(PONY_API_URL)
    }

    /// The plugin asking another pony API (to which `?q=<tags>` is appended).
    pub fn with_url(api_url: impl Into<String>) -> Self {
        Pony {
            api_url: api_url.into(),
        }
    }

    /// A pony as Markdown (the small picture linking to the full one).
    async fn read_pony(&self, tags: &str) -> Result<String, String> {
        let http = HttpGetter::shared().map_err(|e| e.to_string())?;
        let uri = format!("{}?q={}", self.api_url, query_escape(tags));
        let reply = http
            .get(&uri, false)
            .await
            .map_err(|e| format!("failed to make request: {e}"))?;
        if reply.status != http::StatusCode::OK {
            return Err("no pony found".to_owned());
        }
        let pony: PonyResult = reply
            .json(&uri)
            .map_err(|e| format!("failed to decode response: {e}"))?;
        let images = pony.pony.representations;
        match http.image_too_big(&images.small).await {
            Ok(false) => Ok(format_urls(&images.small, &images.full)),
            Ok(true) => Err("the pony is too big".to_owned()),
            Err(error) => Err(format!("couldn't fetch pony for size check: {error}")),
        }
    }
}

/// The Markdown of a pony: the small picture linking to the full one.
fn format_urls(small: &str, full: &str) -> String {
    format!("[![pony image]({small})]({full})")
}

#[async_trait]
impl Plugin for Pony {
    fn name(&self) -> &str {
        "pony"
    }

    fn events(&self) -> &[EventKind] {
        &[EventKind::GenericComment]
    }

    fn help(&self) -> PluginHelp {
        commands::plugin_help(
            "The pony plugin adds a pony image to an issue or PR in response to the `/pony` command.",
            &[&PONY],
        )
    }

    async fn handle(&self, ctx: &PluginContext, event: &PluginEvent) -> Result<(), PluginError> {
        let Some(comment) = created_comment(event) else {
            return Ok(());
        };
        let mut found = PONY.find(&comment.body);
        if found.is_empty() {
            return Ok(());
        }
        found.truncate(MAX_PONIES);
        let mut ponies = String::new();
        let mut tags_given = false;
        for request in &found {
            let tags = request.arg.as_deref().unwrap_or_default();
            tags_given |= !tags.is_empty();
            for _ in 0..ATTEMPTS {
                match self.read_pony(tags).await {
                    Ok(pony) => {
                        ponies.push_str(&pony);
                        ponies.push('\n');
                        break;
                    }
                    Err(error) => tracing::warn!(%error, "failed to get a pony"),
                }
            }
        }
        let repo = repo_of(comment);
        if !ponies.is_empty() {
            let reply = format_comment_response(comment, &ponies);
            ctx.github
                .create_comment(&repo, comment.number, &reply)
                .await?;
            return Ok(());
        }
        let message = if tags_given {
            NO_SUCH_PONY
        } else {
            PONIES_DOWN
        };
        let reply = format_comment_response(comment, message);
        if let Err(error) = ctx
            .github
            .create_comment(&repo, comment.number, &reply)
            .await
        {
            tracing::error!(%error, "failed to leave a comment");
        }
        Err(PluginError::internal("could not find a valid pony image"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::testing::{Canned, Server, dead_url};
    use crate::reply::format_response_raw;
    use crate::testing::Harness;
    use axum::http::Method;
    use prow_github::simulator::Files;

    const API: &str = "/api/v1/pony/random";

    struct Case {
        name: &'static str,
        body: &'static str,
        on_pr: bool,
        edit: bool,
        /// The API's answer, `{SERVER}` standing for the server's address.
        api: Canned,
        api_down: bool,
        /// The tags each pony was asked with (`q=`), in order of the first asks.
        want_tags: &'static [&'static str],
        /// How many ponies the reply shows.
        want_ponies: usize,
        /// The reply's message when it shows none.
        want_message: Option<&'static str>,
    }

    fn valid() -> Canned {
        Canned::Json(
            r#"{"pony":{"representations":{"small":"{SERVER}/pony.jpg","full":"{SERVER}/full"}}}"#
                .into(),
        )
    }

    impl Default for Case {
        fn default() -> Self {
            Case {
                name: "",
                body: "/pony",
                on_pr: false,
                edit: false,
                api: valid(),
                api_down: false,
                want_tags: &[""],
                want_ponies: 1,
                want_message: None,
            }
        }
    }

    #[tokio::test]
    async fn ponies() {
        let cases = [
            Case {
                name: "ignore edited comment",
                edit: true,
                want_tags: &[],
                want_ponies: 0,
                ..Case::default()
            },
            Case {
                name: "leave pony on pr",
                on_pr: true,
                ..Case::default()
            },
            Case {
                name: "leave pony on issue",
                ..Case::default()
            },
            Case {
                name: "leave pony on issue, trailing space",
                body: "/pony \r",
                ..Case::default()
            },
            Case {
                name: "leave pony on issue, tag specified",
                body: "/pony Twilight Sparkle",
                want_tags: &["Twilight+Sparkle"],
                ..Case::default()
            },
            Case {
                name: "leave pony on issue, tag specified, trailing space",
                body: "/pony Twilight Sparkle \r",
                want_tags: &["Twilight+Sparkle"],
                ..Case::default()
            },
            Case {
                name: "leave multiple ponies on issue, mixed tags specified, trailing space",
                body: "/pony one \n/pony \n/pony three \n/pony \n",
                want_tags: &["one", "", "three", ""],
                want_ponies: 4,
                ..Case::default()
            },
            Case {
                name: "More than N ponies on issue but only N are picked",
                body: "/pony one \n/pony two \n/pony three \n/pony four \n/pony five \n/pony six",
                want_tags: &["one", "two", "three", "four", "five"],
                want_ponies: 5,
                ..Case::default()
            },
            Case {
                name: "don't leave cats or dogs",
                body: "/woof\n/meow",
                want_tags: &[],
                want_ponies: 0,
                ..Case::default()
            },
            Case {
                name: "do nothing in the middle of a line",
                body: "did you know that /pony makes ponies happen?",
                want_tags: &[],
                want_ponies: 0,
                ..Case::default()
            },
            Case {
                name: "pony embedded in other commands",
                body: "/meow\n/pony\n/woof\n\nTesting :)",
                ..Case::default()
            },
            Case {
                name: "no pony found",
                api: Canned::Status(404, "not found".into()),
                want_ponies: 0,
                want_message: Some(PONIES_DOWN),
                ..Case::default()
            },
            Case {
                name: "no pony with that name",
                body: "/pony peach hack",
                api: Canned::Status(404, "not found".into()),
                want_tags: &["peach+hack"],
                want_ponies: 0,
                want_message: Some(NO_SUCH_PONY),
                ..Case::default()
            },
            Case {
                name: "invalid JSON",
                api: Canned::Json(r#"{"bad-blob": "not-a-url""#.into()),
                want_ponies: 0,
                want_message: Some(PONIES_DOWN),
                ..Case::default()
            },
            Case {
                name: "image too big",
                api: Canned::Json(
                    r#"{"pony":{"representations":{"small":"{SERVER}/horse.png","full":"{SERVER}/full"}}}"#
                        .into(),
                ),
                want_ponies: 0,
                want_message: Some(PONIES_DOWN),
                ..Case::default()
            },
            Case {
                name: "api down",
                api_down: true,
                want_tags: &[],
                want_ponies: 0,
                want_message: Some(PONIES_DOWN),
                ..Case::default()
            },
        ];
        for case in cases {
            let server = Server::start(&[
                ("/pony.jpg", Canned::Image(717_987)),
                ("/horse.png", Canned::Image(12_647_753)),
            ])
            .await;
            let api = match &case.api {
                Canned::Json(text) => Canned::Json(text.replace("{SERVER}", &server.url)),
                other => other.clone(),
            };
            server.set(API, api);
            let base = if case.api_down {
                dead_url().await
            } else {
                server.url.clone()
            };
            let plugin = Pony::with_url(format!("{base}{API}"));
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
                    .edit_comment_as("random", &h.repo, id, "/pony please")
                    .unwrap();
            }
            let results = h.deliver(&plugin).await;
            let actions = h.bot_actions();
            let pony = format!("[![pony image]({0}/pony.jpg)]({0}/full)\n", server.url);
            if case.want_ponies > 0 {
                let reply =
                    format_response_raw(case.body, &url, "random", &pony.repeat(case.want_ponies));
                assert_eq!(
                    actions,
                    [("create_comment".to_owned(), reply)],
                    "{}",
                    case.name
                );
                assert!(results.iter().all(Result::is_ok), "{}", case.name);
            } else if let Some(message) = case.want_message {
                let reply = format_response_raw(case.body, &url, "random", message);
                assert_eq!(
                    actions,
                    [("create_comment".to_owned(), reply)],
                    "{}",
                    case.name
                );
                assert!(results.iter().any(Result::is_err), "{}", case.name);
            } else {
                assert!(actions.is_empty(), "{}: {actions:?}", case.name);
            }
            let mut asked: Vec<String> = server
                .seen()
                .into_iter()
                .filter(|(m, p)| *m == Method::GET && p.starts_with(API))
                .map(|(_, p)| p[API.len() + "?q=".len()..].to_owned())
                .collect();
            asked.dedup();
            assert_eq!(asked, case.want_tags, "{}", case.name);
            assert!(
                !server.seen().iter().any(|(_, p)| p == "/full"),
                "{}: the full-size picture is never fetched",
                case.name
            );
        }
    }

    #[test]
    fn format() {
        assert_eq!(
            format_urls("http://example.com/small", "http://example.com/full"),
            "[![pony image](http://example.com/small)](http://example.com/full)"
        );
    }
}
