//! The `welcome` plugin: greets the first pull request of a new contributor to a repository
//! with the message rendered from the repository's `welcome.message_template`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use async_trait::async_trait;
use prow_core::config::plugins::PluginsConfig;
use prow_core::event::{Event, PullRequestEventAction, User};
use prow_core::github::RepoName;
use prow_core::gotmpl::Template;
use prow_core::traits::{EventKind, Plugin, PluginContext, PluginError, PluginEvent, PluginHelp};
use regex::Regex;
use serde_json::json;

use crate::plugins::trigger::{TrustPolicy, trusted_user};

/// The `welcome` plugin.
///
/// Its `plugins.yaml` section (the repository's entry wins over its organisation's):
///
/// ```yaml
/// welcome:
/// - repos: [org/repo1, org/repo2]
///   message_template: "Welcome @{{.AuthorLogin}}!"   # Go template: .AuthorLogin .AuthorName .Repo .Org
///   always_post: false                               # greet every pull request
/// ```
#[derive(Debug, Default)]
pub struct Welcome;

/// What the welcome template sees (upstream's `PRInfo`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrInfo {
    /// The repository's organisation.
    pub org: String,
    /// The repository's name.
    pub repo: String,
    /// The author's login.
    pub author_login: String,
    /// The author's display name (empty when GitHub sent none).
    pub author_name: String,
}

/// Escapes text as Go's `html/template` does for a value in HTML text.
fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\0' => out.push('\u{FFFD}'),
            '"' => out.push_str("&#34;"),
            '&' => out.push_str("&amp;"),
            '\'' => out.push_str("&#39;"),
            '+' => out.push_str("&#43;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// HTML comments, which Go's `html/template` leaves out of the output.
fn html_comment() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"(?s)<!--.*?-->").expect("valid regex"))
}

/// Renders the welcome template over `info`, as upstream's `html/template` does for the usual
/// Markdown message: values are HTML-escaped and HTML comments in the template dropped.
pub fn render_welcome(template: &str, info: &PrInfo) -> Result<String, PluginError> {
    let source = html_comment().replace_all(template, "");
    let template = Template::parse_named("welcome", &source).map_err(PluginError::internal)?;
    let data = json!({
        "Org": html_escape(&info.org),
        "Repo": html_escape(&info.repo),
        "AuthorLogin": html_escape(&info.author_login),
        "AuthorName": html_escape(&info.author_name),
    });
    template.render(&data).map_err(PluginError::internal)
}

impl Welcome {
    async fn handle_pull_request(
        &self,
        ctx: &PluginContext,
        event: &Event,
    ) -> Result<(), PluginError> {
        let Event::PullRequest(pr) = event else {
            return Ok(());
        };
        if pr.action != PullRequestEventAction::Opened {
            return Ok(());
        }
        let base_repo = pr.pull_request.base.repo.as_ref().unwrap_or(&pr.repo);
        let repo = RepoName::new(base_repo.org(), &base_repo.name);
        let author: &User = &pr.pull_request.user;
        // Bots' pull requests cannot be searched for.
        if author.user_type != User::TYPE_USER {
            tracing::debug!("ignoring a bot's pull request");
            return Ok(());
        }
        let options = ctx.plugins.welcome_for(&repo.org, &repo.repo);
        let trigger = ctx.plugins.trigger_for(&repo.org, &repo.repo);
        let trusted = trusted_user(
            ctx.github.as_ref(),
            &TrustPolicy::of(&trigger),
            &author.login,
            &repo.org,
            &repo.repo,
        )
        .await
        .map_err(|e| {
            PluginError::internal(format!("check if user {} is trusted: {e}", author.login))
        })?
        .is_trusted;
        if !options.always_post && trusted {
            tracing::debug!("the author is trusted; no welcome");
            return Ok(());
        }
        let query = format!(
            "is:pr repo:{}/{} author:{}",
            repo.org, repo.repo, author.login
        );
        let found = ctx.github.find_issues(&query).await?;
        let first = found.is_empty() || (found.len() == 1 && found[0].number == pr.number);
        if !options.always_post && !first {
            tracing::debug!(
                count = found.len(),
                "the author contributed before; no welcome"
            );
            return Ok(());
        }
        let info = PrInfo {
            org: repo.org.clone(),
            repo: repo.repo.clone(),
            author_login: author.login.clone(),
            author_name: author.name.clone().unwrap_or_default(),
        };
        let message = render_welcome(options.message_template_or_default(), &info)?;
        ctx.github
            .create_comment(&repo, pr.pull_request.number, &message)
            .await?;
        Ok(())
    }
}

#[async_trait]
impl Plugin for Welcome {
    fn name(&self) -> &str {
        "welcome"
    }

    fn events(&self) -> &[EventKind] {
        &[EventKind::PullRequest]
    }

    fn help(&self) -> PluginHelp {
        self.help_for(&PluginsConfig::default(), &[])
    }

    fn help_for(&self, plugins: &PluginsConfig, repos: &[RepoName]) -> PluginHelp {
        let config: BTreeMap<String, String> = repos
            .iter()
            .map(|repo| {
                let options = plugins.welcome_for(&repo.org, &repo.repo);
                (
                    repo.to_string(),
                    format!(
                        "The welcome plugin is configured to post using following welcome template: {}.",
                        options.message_template_or_default()
                    ),
                )
            })
            .collect();
        PluginHelp {
            description: "The welcome plugin greets incoming PRs with a welcoming message."
                .to_owned(),
            config,
            ..PluginHelp::default()
        }
    }

    async fn handle(&self, ctx: &PluginContext, event: &PluginEvent) -> Result<(), PluginError> {
        self.handle_pull_request(ctx, &event.event).await
    }
}

#[cfg(test)]
mod tests {
    use prow_github::simulator::Files;

    use super::*;
    use crate::testing::Harness;

    const TEMPLATE: &str = "Welcome human! 🤖 {{.AuthorName}} {{.AuthorLogin}} {{.Repo}} {{.Org}}}";

    /// Opens a pull request by `author` (each with its own branch).
    fn open_pr(h: &Harness, author: &str, branch: &str) -> u64 {
        h.sim
            .open_pull_request(
                &h.repo,
                author,
                "change",
                "",
                branch,
                Files::new().put(format!("{branch}.txt"), "x"),
            )
            .unwrap()
    }

    #[tokio::test]
    async fn first_pull_requests_are_welcomed() {
        struct Case {
            name: &'static str,
            author: &'static str,
            /// Pull requests the author opened before.
            earlier: usize,
            always_post: bool,
            only_org_members: bool,
            trusted_org: Option<&'static str>,
            edit: bool,
            welcomed: bool,
        }
        const BASE: Case = Case {
            name: "",
            author: "random",
            earlier: 0,
            always_post: false,
            only_org_members: false,
            trusted_org: None,
            edit: false,
            welcomed: true,
        };
        let cases = [
            Case {
                name: "existing contributor with one pull request",
                earlier: 1,
                welcomed: false,
                ..BASE
            },
            Case {
                name: "existing contributor with two pull requests",
                earlier: 2,
                welcomed: false,
                ..BASE
            },
            Case {
                name: "existing contributor when greeting everyone",
                earlier: 2,
                always_post: true,
                ..BASE
            },
            Case {
                name: "new contributor",
                ..BASE
            },
            Case {
                name: "new contributor when greeting everyone",
                always_post: true,
                ..BASE
            },
            Case {
                name: "new contributor, not an opened pull request",
                edit: true,
                welcomed: false,
                ..BASE
            },
            Case {
                name: "new contributor, but a bot",
                author: "robot[bot]",
                welcomed: false,
                ..BASE
            },
            Case {
                name: "org member",
                author: "alice",
                welcomed: false,
                ..BASE
            },
            Case {
                name: "collaborator",
                author: "carol",
                welcomed: false,
                ..BASE
            },
            Case {
                name: "collaborator when only org members are trusted",
                author: "carol",
                only_org_members: true,
                ..BASE
            },
            Case {
                name: "member of the trusted org",
                trusted_org: Some("friends"),
                welcomed: false,
                ..BASE
            },
            Case {
                name: "org member when greeting everyone",
                author: "alice",
                always_post: true,
                only_org_members: true,
                ..BASE
            },
        ];
        for case in cases {
            let mut h = Harness::new();
            let mut yaml = format!(
                "welcome:\n- repos: [org/repo]\n  message_template: \"{}\"\n  always_post: {}\ntriggers:\n- repos: [org]\n  only_org_members: {}\n",
                TEMPLATE.replace('"', "\\\""),
                case.always_post,
                case.only_org_members
            );
            if let Some(org) = case.trusted_org {
                yaml.push_str(&format!("  trusted_org: {org}\n"));
                h.sim.add_org(org);
                h.sim.add_org_member(org, case.author, false).unwrap();
            }
            h.set_plugins_yaml(&yaml);
            h.sim.add_user(case.author, Some("Some Body"), None);
            for i in 0..case.earlier {
                open_pr(&h, case.author, &format!("earlier-{i}"));
            }
            h.forget();
            let number = open_pr(&h, case.author, "new");
            if case.edit {
                h.forget();
                h.sim
                    .edit_body_as(case.author, &h.repo, number, "edited")
                    .unwrap();
            }
            h.deliver_ok(&Welcome).await;
            let want: Vec<(String, String)> = if case.welcomed {
                let message = format!("Welcome human! 🤖 Some Body {} repo org}}", case.author);
                vec![("create_comment".to_owned(), message)]
            } else {
                Vec::new()
            };
            assert_eq!(h.bot_actions(), want, "{}", case.name);
        }
    }

    #[tokio::test]
    async fn default_message() {
        let mut h = Harness::new();
        let number = open_pr(&h, "random", "first");
        h.deliver_ok(&Welcome).await;
        assert_eq!(
            h.comments(number),
            vec!["Welcome @random! It looks like this is your first PR to org/repo 🎉"]
        );
    }

    #[test]
    fn values_are_escaped_as_html_template_does() {
        let info = PrInfo {
            org: "org".into(),
            repo: "repo".into(),
            author_login: "someone".into(),
            author_name: "R&D <\"Bob\"> O'Neil+1".into(),
        };
        let got = render_welcome(
            "<!-- a note for maintainers -->Hi {{.AuthorName}} ({{.AuthorLogin}}) in {{.Org}}/{{.Repo}}",
            &info,
        )
        .unwrap();
        assert_eq!(
            got,
            "Hi R&amp;D &lt;&#34;Bob&#34;&gt; O&#39;Neil&#43;1 (someone) in org/repo"
        );
        assert!(render_welcome("{{.Missing", &info).is_err());
    }

    #[test]
    fn help_shows_each_repository_template() {
        let plugins = PluginsConfig::load(
            "welcome:\n- repos: [kubernetes/test-infra]\n  message_template: defined message for a repo\n- repos: [kubernetes]\n  message_template: defined message for an org\n- repos: [kubernetes/repo-infra]\n  message_template: defined message for a repo\n",
        )
        .unwrap();
        let repos = [
            RepoName::new("kubernetes-sigs", "kind"),
            RepoName::new("kubernetes", "community"),
            RepoName::new("kubernetes", "test-infra"),
            RepoName::new("kubernetes", "repo-infra"),
        ];
        let help = Welcome.help_for(&plugins, &repos);
        let template = |repo: &str| {
            help.config[repo]
                .strip_prefix(
                    "The welcome plugin is configured to post using following welcome template: ",
                )
                .and_then(|t| t.strip_suffix('.'))
                .unwrap()
                .to_owned()
        };
        assert_eq!(
            template("kubernetes-sigs/kind"),
            prow_core::config::plugins::DEFAULT_WELCOME_MESSAGE
        );
        assert_eq!(
            template("kubernetes/community"),
            "defined message for an org"
        );
        assert_eq!(
            template("kubernetes/test-infra"),
            "defined message for a repo"
        );
        assert_eq!(
            template("kubernetes/repo-infra"),
            "defined message for a repo"
        );
    }
}
