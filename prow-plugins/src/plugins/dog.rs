//! The `dog` plugin: `/woof` or `/bark` answers with a dog picture from random.dog;
//! `/this-is-fine`, `/this-is-not-fine` and `/this-is-unbearable` with the famous dog.

use async_trait::async_trait;
use prow_core::config::plugins::DOG_API_URL;
use prow_core::traits::{EventKind, Plugin, PluginContext, PluginError, PluginEvent, PluginHelp};
use serde::Deserialize;

use crate::commands::{self, Command};
use crate::http::{HttpGetter, is_request_uri};
use crate::plugins::{created_comment, repo_of};
use crate::reply::format_comment_response;

/// Where the "this is fine" pictures live (upstream's default root).
pub const FINE_IMAGES_ROOT: &str = "https://storage.googleapis.com/this-is-fine-images/";
/// `/this-is-fine`'s picture.
pub const FINE_IMAGE: &str = "this_is_fine.png";
/// `/this-is-not-fine`'s picture.
pub const NOT_FINE_IMAGE: &str = "this_is_not_fine.png";
/// `/this-is-unbearable`'s picture.
pub const UNBEARABLE_IMAGE: &str = "this_is_unbearable.jpg";

/// How many times a dog is looked for before giving up.
const ATTEMPTS: usize = 5;

/// `/woof` and `/bark`.
pub static WOOF: Command = Command::new("woof")
    .aliases(&["bark"])
    .case_insensitive()
    .usage("/(woof|bark|this-is-{fine|not-fine|unbearable})")
    .description("Add a dog image to the issue or PR")
    .who_can_use("Anyone")
    .examples(&["/woof", "/bark", "/this-is-{fine|not-fine|unbearable}"]);

/// `/this-is-fine` (documented with [`WOOF`]).
pub static THIS_IS_FINE: Command = Command::new("this-is-fine").case_insensitive();
/// `/this-is-not-fine` (documented with [`WOOF`]).
pub static THIS_IS_NOT_FINE: Command = Command::new("this-is-not-fine").case_insensitive();
/// `/this-is-unbearable` (documented with [`WOOF`]).
pub static THIS_IS_UNBEARABLE: Command = Command::new("this-is-unbearable").case_insensitive();

/// The dog API's answer.
#[derive(Debug, Deserialize)]
struct DogResult {
    #[serde(default)]
    url: String,
}

/// The `dog` plugin.
#[derive(Clone, Debug)]
pub struct Dog {
    api_url: String,
    fine_images_root: String,
}

impl Default for Dog {
    fn default() -> Self {
        Dog::new()
    }
}

impl Dog {
    /// The plugin asking random.dog ([`DOG_API_URL`]), the famous dog under
    /// [`FINE_IMAGES_ROOT`].
    pub fn new() -> Self {
        Dog::with_urls(DOG_API_URL, FINE_IMAGES_ROOT)
    }

    /// The plugin asking another dog API (answering `{"url": ...}`), the famous dog under
    /// `fine_images_root`.
    pub fn with_urls(api_url: impl Into<String>, fine_images_root: impl Into<String>) -> Self {
        Dog {
            api_url: api_url.into(),
            fine_images_root: fine_images_root.into(),
        }
    }

    /// A dog as Markdown: the picture at `dog_url`, or a random one when it is empty.
    async fn read_dog(&self, dog_url: &str) -> Result<String, String> {
        let http = HttpGetter::shared().map_err(|e| e.to_string())?;
        let dog_url = if dog_url.is_empty() {
            let uri = &self.api_url;
            let reply = http
                .get(uri, true)
                .await
                .map_err(|e| format!("could not read dog from {uri}: {e}"))?;
            reply.json::<DogResult>(uri).map_err(|e| e.to_string())?.url
        } else {
            dog_url.to_owned()
        };
        if !is_picture(&dog_url) {
            return Err(format!("unsupported doggo :( unknown filetype: {dog_url}"));
        }
        match http.image_too_big(&dog_url).await {
            Ok(false) => {}
            Ok(true) => return Err(format!("unsupported doggo :( size too big: {dog_url}")),
            Err(error) => return Err(error.to_string()),
        }
        format_url(&dog_url)
    }
}

/// Whether GitHub shows the file inline (`.jpg`, `.gif` or `.png`, any case).
fn is_picture(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    [".jpg", ".gif", ".png"]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

/// The Markdown of a dog picture linking to itself (upstream's `FormatURL`).
pub fn format_url(dog_url: &str) -> Result<String, String> {
    if dog_url.is_empty() {
        return Err("empty url".to_owned());
    }
    if !is_request_uri(dog_url) {
        return Err(format!("invalid url {dog_url}"));
    }
    Ok(format!("[![dog image]({dog_url})]({dog_url})"))
}

#[async_trait]
impl Plugin for Dog {
    fn name(&self) -> &str {
        "dog"
    }

    fn events(&self) -> &[EventKind] {
        &[EventKind::GenericComment]
    }

    fn help(&self) -> PluginHelp {
        commands::plugin_help(
            "The dog plugin adds a dog image to an issue or PR in response to the `/woof` command.",
            &[&WOOF],
        )
    }

    async fn handle(&self, ctx: &PluginContext, event: &PluginEvent) -> Result<(), PluginError> {
        let Some(comment) = created_comment(event) else {
            return Ok(());
        };
        let body = &comment.body;
        let dog_url = if WOOF.is_in(body) {
            String::new()
        } else if THIS_IS_FINE.is_in(body) {
            format!("{}{FINE_IMAGE}", self.fine_images_root)
        } else if THIS_IS_NOT_FINE.is_in(body) {
            format!("{}{NOT_FINE_IMAGE}", self.fine_images_root)
        } else if THIS_IS_UNBEARABLE.is_in(body) {
            format!("{}{UNBEARABLE_IMAGE}", self.fine_images_root)
        } else {
            return Ok(());
        };
        let repo = repo_of(comment);
        for _ in 0..ATTEMPTS {
            match self.read_dog(&dog_url).await {
                Ok(dog) => {
                    let reply = format_comment_response(comment, &dog);
                    ctx.github
                        .create_comment(&repo, comment.number, &reply)
                        .await?;
                    return Ok(());
                }
                Err(error) => tracing::warn!(%error, "failed to get a dog image"),
            }
        }
        Err(PluginError::internal("could not find a valid dog image"))
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

    const API: &str = "/woof.json";

    struct Case {
        name: &'static str,
        body: &'static str,
        on_pr: bool,
        edit: bool,
        /// The API's answer, `{SERVER}` standing for the server's address.
        api: &'static str,
        api_down: bool,
        /// The picture the reply shows (a path of the server), `None` for no reply.
        want: Option<&'static str>,
        /// How many times the API is asked.
        want_api_calls: usize,
    }

    impl Default for Case {
        fn default() -> Self {
            Case {
                name: "",
                body: "/woof",
                on_pr: false,
                edit: false,
                api: r#"{"url":"{SERVER}/dog.jpg"}"#,
                api_down: false,
                want: Some("/dog.jpg"),
                want_api_calls: 1,
            }
        }
    }

    #[tokio::test]
    async fn dogs() {
        let cases = [
            Case {
                name: "ignore edited comment",
                edit: true,
                want: None,
                want_api_calls: 0,
                ..Case::default()
            },
            Case {
                name: "leave dog on pr",
                on_pr: true,
                ..Case::default()
            },
            Case {
                name: "leave dog on issue",
                ..Case::default()
            },
            Case {
                name: "leave dog on issue, trailing space",
                body: "/woof \r",
                ..Case::default()
            },
            Case {
                name: "leave dog on issue, /bark",
                body: "/bark",
                ..Case::default()
            },
            Case {
                name: "leave dog on issue, /bark, trailing space",
                body: "/bark \r",
                ..Case::default()
            },
            Case {
                name: "any case",
                body: "/WOOF",
                ..Case::default()
            },
            Case {
                name: "leave this-is-fine on pr",
                body: "/this-is-fine",
                on_pr: true,
                want: Some("/fine/this_is_fine.png"),
                want_api_calls: 0,
                ..Case::default()
            },
            Case {
                name: "leave this-is-not-fine on pr",
                body: "/this-is-not-fine",
                on_pr: true,
                want: Some("/fine/this_is_not_fine.png"),
                want_api_calls: 0,
                ..Case::default()
            },
            Case {
                name: "leave this-is-unbearable on pr",
                body: "/this-is-unbearable",
                on_pr: true,
                want: Some("/fine/this_is_unbearable.jpg"),
                want_api_calls: 0,
                ..Case::default()
            },
            Case {
                name: "invalid JSON",
                api: r#"{"bad-blob": "not-a-url""#,
                want: None,
                want_api_calls: ATTEMPTS,
                ..Case::default()
            },
            Case {
                name: "invalid URL",
                api: r#"{"url": "not a url.."}"#,
                want: None,
                want_api_calls: ATTEMPTS,
                ..Case::default()
            },
            Case {
                name: "mp4 doggo unsupported :(",
                api: r#"{"url":"{SERVER}/doggo.mp4"}"#,
                want: None,
                want_api_calls: ATTEMPTS,
                ..Case::default()
            },
            Case {
                name: "image too big",
                api: r#"{"url":"{SERVER}/bigdog.jpg"}"#,
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
                name: "not a command mid-line",
                body: "who let the /woof out",
                want: None,
                want_api_calls: 0,
                ..Case::default()
            },
        ];
        for case in cases {
            let server = Server::start(&[
                ("/dog.jpg", Canned::Image(717_987)),
                ("/doggo.mp4", Canned::Image(37_943_259)),
                ("/bigdog.jpg", Canned::Image(12_647_753)),
                ("/fine/this_is_fine.png", Canned::Image(317_624)),
                ("/fine/this_is_not_fine.png", Canned::Image(645_595)),
                ("/fine/this_is_unbearable.jpg", Canned::Image(34_241)),
            ])
            .await;
            server.set(API, Canned::Json(case.api.replace("{SERVER}", &server.url)));
            let api = if case.api_down {
                dead_url().await
            } else {
                server.url.clone()
            };
            let plugin = Dog::with_urls(format!("{api}{API}"), format!("{}/fine/", server.url));
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
                    .edit_comment_as("random", &h.repo, id, "/woof woof")
                    .unwrap();
            }
            let results = h.deliver(&plugin).await;
            let actions = h.bot_actions();
            match case.want {
                Some(path) => {
                    let image = format!("{}{path}", server.url);
                    let dog = format!("[![dog image]({image})]({image})");
                    let reply = format_response_raw(case.body, &url, "random", &dog);
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
            let api_calls = server
                .seen()
                .iter()
                .filter(|(m, p)| *m == Method::GET && p == API)
                .count();
            assert_eq!(api_calls, case.want_api_calls, "{}", case.name);
        }
    }

    #[test]
    fn format() {
        assert_eq!(
            format_url("http://example.com").unwrap(),
            "[![dog image](http://example.com)](http://example.com)"
        );
        assert!(format_url("").is_err());
        assert!(format_url("http://this is not a url").is_err());
    }
}
