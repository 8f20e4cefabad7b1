//! The `cat` plugin: `/meow` (and `/meowvie` for a moving one) answers with a cat picture from
//! thecatapi.com, optionally of a category; `/meow grumpy` brings the grumpy cat.

use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use prow_core::config::plugins::{CAT_API_URL, PluginsConfig};
use prow_core::github::RepoName;
use prow_core::traits::{EventKind, Plugin, PluginContext, PluginError, PluginEvent, PluginHelp};
use serde::Deserialize;
use tokio::time::Instant;

use crate::commands::{self, Arg, Command};
use crate::http::{HttpGetter, query_escape};
use crate::plugins::{created_comment, repo_of};
use crate::reply::format_comment_response;

/// Where the grumpy cat lives (upstream's default root).
pub const GRUMPY_ROOT: &str = "https://upload.wikimedia.org/wikipedia/commons/e/ee/";
/// The grumpy cat's picture, under [`GRUMPY_ROOT`].
pub const GRUMPY_IMAGE: &str = "Grumpy_Cat_by_Gage_Skidmore.jpg";

/// How many times a cat is looked for before giving up.
const ATTEMPTS: usize = 3;
/// How long a read API key is used before the file is read again.
const KEY_REFRESH: Duration = Duration::from_secs(60);

/// The reply when a category gave no cat.
const BAD_CATEGORY: &str = "Bad category. Please see https://api.thecatapi.com/api/categories/list";
/// The reply when no cat came at all.
const CATS_DOWN: &str = "https://thecatapi.com appears to be down";

/// `/meow [category]` and `/meowvie [category]`.
pub static MEOW: Command = Command::new("meow")
    .aliases(&["meowvie"])
    .arg(Arg::Optional(".+"))
    .case_insensitive()
    .usage("/meow(vie) [CATegory]")
    .description("Add a cat image to the issue or PR")
    .who_can_use("Anyone")
    .examples(&["/meow", "/meow caturday", "/meowvie clothes"]);

/// One result of the cat API.
#[derive(Debug, Deserialize)]
struct CatResult {
    #[serde(default)]
    url: String,
}

/// The API key read from `cat.key_path`, and when to read it again.
#[derive(Debug, Default)]
struct KeyCache {
    path: String,
    key: String,
    refresh_at: Option<Instant>,
}

/// The `cat` plugin.
#[derive(Debug)]
pub struct Cat {
    api_url: String,
    grumpy_root: String,
    key: Mutex<KeyCache>,
}

impl Default for Cat {
    fn default() -> Self {
        Cat::new()
    }
}

impl Cat {
    /// The plugin asking thecatapi.com ([`CAT_API_URL`]), the grumpy cat at [`GRUMPY_ROOT`].
    pub fn new() -> Self {
        Cat::with_urls(CAT_API_URL, GRUMPY_ROOT)
    }

    /// The plugin asking another cat API (a URL with a query, to which `&category=`,
    /// `&api_key=` and `&mime_types=gif` are appended), the grumpy cat under `grumpy_root`.
    pub fn with_urls(api_url: impl Into<String>, grumpy_root: impl Into<String>) -> Self {
        Cat {
            api_url: api_url.into(),
            grumpy_root: grumpy_root.into(),
            key: Mutex::new(KeyCache::default()),
        }
    }

    /// The API key in `key_path` (trimmed), read at most once a minute; empty without a
    /// path or when the file cannot be read.
    fn api_key(&self, key_path: &str) -> String {
        let mut cache = self.key.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let fresh = cache.refresh_at.is_some_and(|at| now < at) && cache.path == key_path;
        if fresh {
            return cache.key.clone();
        }
        cache.refresh_at = Some(now + KEY_REFRESH);
        cache.path = key_path.to_owned();
        cache.key = if key_path.is_empty() {
            String::new()
        } else {
            match std::fs::read_to_string(key_path) {
                Ok(text) => text.trim().to_owned(),
                Err(error) => {
                    tracing::error!(%error, key_path, "failed to read the cat API key");
                    String::new()
                }
            }
        };
        cache.key.clone()
    }

    /// The API address for a category, key and kind of cat (upstream's `URL`).
    fn url(&self, category: &str, movie: bool, key: &str) -> String {
        let mut uri = self.api_url.clone();
        if !category.is_empty() {
            uri.push_str("&category=");
            uri.push_str(&query_escape(category));
        }
        if !key.is_empty() {
            uri.push_str("&api_key=");
            uri.push_str(&query_escape(key));
        }
        if movie {
            uri.push_str("&mime_types=gif");
        }
        uri
    }

    /// One cat as Markdown, or why there is none.
    async fn read_cat(&self, category: &str, movie: bool, key: &str) -> Result<String, String> {
        let http = HttpGetter::shared().map_err(|e| e.to_string())?;
        let uri = self.url(category, movie, key);
        let image = if is_grumpy(category) {
            format!("{}{GRUMPY_IMAGE}", self.grumpy_root)
        } else {
            let reply = http
                .get(&uri, false)
                .await
                .map_err(|e| format!("could not read cat from {uri}: {e}"))?;
            if !reply.status.is_success() {
                return Err(format!(
                    "failing {} response from {uri}",
                    reply.status.as_u16()
                ));
            }
            let cats: Vec<CatResult> = reply.json(&uri).map_err(|e| e.to_string())?;
            let Some(cat) = cats.into_iter().next() else {
                return Err(format!("no cats in response from {uri}"));
            };
            cat.url
        };
        if image.is_empty() {
            return Err(format!("no image url in response from {uri}"));
        }
        match http.image_too_big(&image).await {
            Ok(false) => {}
            Ok(true) => return Err(format!("longcat is too long: {image}")),
            Err(error) => {
                return Err(format!("could not validate image size {image}: {error}"));
            }
        }
        format_cat(&image)
    }
}

/// Whether the category asks for the grumpy cat (`no` or `grumpy`, any case).
fn is_grumpy(category: &str) -> bool {
    let category = category.trim_end();
    category.eq_ignore_ascii_case("no") || category.eq_ignore_ascii_case("grumpy")
}

/// The Markdown of a cat picture.
fn format_cat(image: &str) -> Result<String, String> {
    if image.is_empty() {
        return Err("empty image url".to_owned());
    }
    if image.parse::<http::Uri>().is_err() {
        return Err(format!("invalid image url {image}"));
    }
    Ok(format!("![cat image]({image})"))
}

#[async_trait]
impl Plugin for Cat {
    fn name(&self) -> &str {
        "cat"
    }

    fn events(&self) -> &[EventKind] {
        &[EventKind::GenericComment]
    }

    fn help(&self) -> PluginHelp {
        commands::plugin_help(
            "The cat plugin adds a cat image to an issue or PR in response to the `/meow` command.",
            &[&MEOW],
        )
    }

    fn help_for(&self, plugins: &PluginsConfig, _repos: &[RepoName]) -> PluginHelp {
        let mut help = self.help();
        help.config.insert(
            String::new(),
            format!(
                "The cat plugin uses an api key for thecatapi.com stored in {}.",
                plugins.cat.key_path
            ),
        );
        help
    }

    async fn handle(&self, ctx: &PluginContext, event: &PluginEvent) -> Result<(), PluginError> {
        let Some(comment) = created_comment(event) else {
            return Ok(());
        };
        let Some(found) = MEOW.find(&comment.body).into_iter().next() else {
            return Ok(());
        };
        let movie = found.name.eq_ignore_ascii_case("meowvie");
        let category = found.arg.unwrap_or_default();
        let key = self.api_key(&ctx.plugins.cat.key_path);
        let repo = repo_of(comment);
        for _ in 0..ATTEMPTS {
            match self.read_cat(&category, movie, &key).await {
                Ok(cat) => {
                    let reply = format_comment_response(comment, &cat);
                    ctx.github
                        .create_comment(&repo, comment.number, &reply)
                        .await?;
                    return Ok(());
                }
                Err(error) => tracing::error!(%error, "failed to get a cat image"),
            }
        }
        let message = if category.is_empty() {
            CATS_DOWN
        } else {
            BAD_CATEGORY
        };
        let reply = format_comment_response(comment, message);
        if let Err(error) = ctx
            .github
            .create_comment(&repo, comment.number, &reply)
            .await
        {
            tracing::error!(%error, "failed to leave a comment");
        }
        Err(PluginError::internal("could not find a valid cat image"))
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

    const SEARCH: &str = "/v1/images/search";

    /// What the bot should have answered.
    enum Want {
        Nothing,
        /// A cat whose picture is at this path of the server.
        Cat(&'static str),
        /// The grumpy cat (under the server's root).
        Grumpy,
        /// This message, and an error.
        Message(&'static str),
    }

    struct Case {
        name: &'static str,
        body: &'static str,
        on_pr: bool,
        edit: bool,
        api: Option<Canned>,
        api_down: bool,
        key: Option<&'static str>,
        want: Want,
        /// The query the API must have been asked with (after `format=json`).
        want_query: Option<&'static str>,
    }

    impl Default for Case {
        fn default() -> Self {
            Case {
                name: "",
                body: "/meow",
                on_pr: false,
                edit: false,
                api: None,
                api_down: false,
                key: None,
                want: Want::Cat("/cat.jpg"),
                want_query: Some(""),
            }
        }
    }

    fn cat_list(path: &str, url: &str) -> Canned {
        Canned::Json(format!(r#"[{{"id":"valid","url":"{url}{path}"}}]"#))
    }

    #[tokio::test]
    async fn cats() {
        let cases = [
            Case {
                name: "ignore edited comment",
                edit: true,
                want: Want::Nothing,
                want_query: None,
                ..Case::default()
            },
            Case {
                name: "leave cat on pr",
                on_pr: true,
                ..Case::default()
            },
            Case {
                name: "leave cat on issue",
                ..Case::default()
            },
            Case {
                name: "leave cat on issue, trailing space",
                body: "/meow \r",
                ..Case::default()
            },
            Case {
                name: "any case",
                body: "/MEOW",
                ..Case::default()
            },
            Case {
                name: "categorical cat",
                body: "/meow clothes",
                want_query: Some("&category=clothes"),
                ..Case::default()
            },
            Case {
                name: "category is escaped",
                body: "/meow space cats",
                want_query: Some("&category=space+cats"),
                ..Case::default()
            },
            Case {
                name: "movie cat",
                body: "/meowvie",
                want_query: Some("&mime_types=gif"),
                ..Case::default()
            },
            Case {
                name: "categorical movie cat",
                body: "/meowvie space",
                want_query: Some("&category=space&mime_types=gif"),
                ..Case::default()
            },
            Case {
                name: "api key from the key file",
                body: "/meowvie space",
                key: Some("sekrit\n"),
                want_query: Some("&category=space&api_key=sekrit&mime_types=gif"),
                ..Case::default()
            },
            Case {
                name: "bad cat: a category without cats",
                body: "/meow error",
                api: Some(Canned::Json("[]".into())),
                want: Want::Message(BAD_CATEGORY),
                want_query: Some("&category=error"),
                ..Case::default()
            },
            Case {
                name: "image too big",
                api: Some(cat_list("/bigcat.jpg", "")),
                want: Want::Message(CATS_DOWN),
                ..Case::default()
            },
            Case {
                name: "return-406",
                api: Some(Canned::Status(
                    406,
                    "<html><head><title>406 Not Acceptable</title></head></html>".into(),
                )),
                want: Want::Message(CATS_DOWN),
                ..Case::default()
            },
            Case {
                name: "no cats in json",
                api: Some(Canned::Json("[]".into())),
                want: Want::Message(CATS_DOWN),
                ..Case::default()
            },
            Case {
                name: "no image in json",
                api: Some(Canned::Json("[{}]".into())),
                want: Want::Message(CATS_DOWN),
                ..Case::default()
            },
            Case {
                name: "api down",
                api_down: true,
                want: Want::Message(CATS_DOWN),
                want_query: None,
                ..Case::default()
            },
            Case {
                name: "grumpy cat no keyword",
                body: "/meow no",
                want: Want::Grumpy,
                want_query: None,
                ..Case::default()
            },
            Case {
                name: "grumpy cat grumpy keyword",
                body: "/meow Grumpy",
                want: Want::Grumpy,
                want_query: None,
                ..Case::default()
            },
            Case {
                name: "not a command mid-line",
                body: "cats say /meow",
                want: Want::Nothing,
                want_query: None,
                ..Case::default()
            },
            Case {
                name: "not a longer command",
                body: "/meowmeow",
                want: Want::Nothing,
                want_query: None,
                ..Case::default()
            },
        ];
        for case in cases {
            let server = Server::start(&[
                ("/cat.jpg", Canned::Image(717_987)),
                ("/bigcat.jpg", Canned::Image(12_647_753)),
                (&format!("/{GRUMPY_IMAGE}"), Canned::Image(100)),
            ])
            .await;
            let api = match case.api.clone() {
                Some(Canned::Json(text)) if text.contains("bigcat") => {
                    cat_list("/bigcat.jpg", &server.url)
                }
                Some(other) => other,
                None => cat_list("/cat.jpg", &server.url),
            };
            server.set(SEARCH, api);
            let base = if case.api_down {
                dead_url().await
            } else {
                server.url.clone()
            };
            let plugin = Cat::with_urls(
                format!("{base}{SEARCH}?format=json"),
                format!("{}/", server.url),
            );
            let mut h = Harness::new();
            let key_file = tempfile::NamedTempFile::new().unwrap();
            if let Some(key) = case.key {
                std::fs::write(key_file.path(), key).unwrap();
                h.set_plugins_yaml(&format!(
                    "cat:\n  key_path: {}\n",
                    key_file.path().display()
                ));
            }
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
                    .edit_comment_as("random", &h.repo, id, "/meow again")
                    .unwrap();
            }
            let results = h.deliver(&plugin).await;
            let actions = h.bot_actions();
            let reply = |message: &str| format_response_raw(case.body, &url, "random", message);
            match case.want {
                Want::Nothing => {
                    assert!(actions.is_empty(), "{}: {actions:?}", case.name);
                    assert!(results.iter().all(Result::is_ok), "{}", case.name);
                }
                Want::Cat(path) => {
                    let cat = format!("![cat image]({}{path})", server.url);
                    assert_eq!(
                        actions,
                        [("create_comment".to_owned(), reply(&cat))],
                        "{}",
                        case.name
                    );
                    assert!(results.iter().all(Result::is_ok), "{}", case.name);
                }
                Want::Grumpy => {
                    let cat = format!("![cat image]({}/{GRUMPY_IMAGE})", server.url);
                    assert_eq!(
                        actions,
                        [("create_comment".to_owned(), reply(&cat))],
                        "{}",
                        case.name
                    );
                }
                Want::Message(message) => {
                    assert_eq!(
                        actions,
                        [("create_comment".to_owned(), reply(message))],
                        "{}",
                        case.name
                    );
                    assert!(results.iter().any(Result::is_err), "{}", case.name);
                }
            }
            let searches: Vec<String> = server
                .seen()
                .into_iter()
                .filter(|(m, p)| *m == Method::GET && p.starts_with(SEARCH))
                .map(|(_, p)| p)
                .collect();
            match case.want_query {
                None => assert!(searches.is_empty(), "{}: {searches:?}", case.name),
                Some(query) => {
                    let want = format!("{SEARCH}?format=json{query}");
                    assert!(!searches.is_empty(), "{}", case.name);
                    assert!(
                        searches.iter().all(|s| *s == want),
                        "{}: {searches:?}",
                        case.name
                    );
                    let attempts = if matches!(case.want, Want::Message(_)) {
                        ATTEMPTS
                    } else {
                        1
                    };
                    assert_eq!(searches.len(), attempts, "{}", case.name);
                }
            }
        }
    }

    #[test]
    fn urls() {
        let cat = Cat::with_urls("http://foo?format=json", GRUMPY_ROOT);
        assert_eq!(cat.url("", false, ""), "http://foo?format=json");
        assert_eq!(
            cat.url("this", true, "that"),
            "http://foo?format=json&category=this&api_key=that&mime_types=gif"
        );
        assert_eq!(
            cat.url("", false, "blah"),
            "http://foo?format=json&api_key=blah"
        );
    }

    #[test]
    fn format() {
        assert_eq!(
            format_cat("http://example.com").unwrap(),
            "![cat image](http://example.com)"
        );
        assert!(format_cat("").is_err());
        assert!(format_cat("http://still a bad url").is_err());
    }

    #[test]
    fn help_names_the_key_path() {
        let plugins = PluginsConfig::load("cat:\n  key_path: /etc/cat-api/api-key\n").unwrap();
        let help = Cat::new().help_for(&plugins, &[]);
        assert_eq!(
            help.config[""],
            "The cat plugin uses an api key for thecatapi.com stored in /etc/cat-api/api-key."
        );
        assert_eq!(help.commands[0].usage, "/meow(vie) [CATegory]");
    }
}
