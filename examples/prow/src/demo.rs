//! `prow demo`: the whole loop on this machine, with nothing to configure. The GitHub simulator
//! serves GitHub's API on loopback and sends signed webhooks to a real `prow serve` (hook with
//! Prow's plugins, plank with the local executor, crier reporting back); a scripted cast opens
//! pull requests and comments, and the demo prints what the bot does in answer.
//!
//! The configuration, jobs, plugins and GitHub world are embedded (`examples/prow/demo/`).

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use prow_core::github::RepoName;
use prow_core::traits::Plugin;
use prow_github::simulator::{
    Action, Call, Files, HookTarget, Simulator, SimulatorServer, WebhookDeliverer,
};
use prow_plugins::dispatcher::Dispatcher;

/// The GitHub world the demo starts with (the simulator's seed format).
pub const SEED: &str = include_str!("../demo/seed.yaml");
/// The demo's `config.yaml`.
pub const CONFIG: &str = include_str!("../demo/config.yaml");
/// The demo's job configuration (`DEMO_STATE_DIR` is replaced by the run's state directory).
pub const JOBS: &str = include_str!("../demo/jobs.yaml");
/// The demo's `plugins.yaml`.
pub const PLUGINS: &str = include_str!("../demo/plugins.yaml");

const SECRET: &str = "prow-demo-hmac";
const REPO: (&str, &str) = ("demo-org", "hello");
/// How long one step may take before the demo gives up (a guard against hangs).
const STEP_LIMIT: Duration = Duration::from_secs(120);
/// How long the bot must stay quiet before a step counts as finished.
const QUIET: Duration = Duration::from_millis(400);

/// The flags of `prow demo`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// After the scenario, keep the simulator and `prow serve` running (until Ctrl-C) to try
    /// commands by hand.
    #[arg(long = "keep-running")]
    pub keep_running: bool,
}

/// `prow serve`'s flags, parsed from the command line the demo builds.
#[derive(Parser)]
struct Serve {
    #[command(flatten)]
    args: crate::serve::Args,
}

/// `prow demo`.
pub fn main(args: &Args, plugins: Vec<Arc<dyn Plugin>>) -> ExitCode {
    crate::cli::block_on(
        async { run(args, plugins).await.map(|()| ExitCode::SUCCESS) },
        ExitCode::FAILURE,
    )
}

/// Runs the demo (for a caller with its own runtime).
pub async fn run(args: &Args, plugins: Vec<Arc<dyn Plugin>>) -> anyhow::Result<()> {
    let dir = tempfile::tempdir().context("making the demo's directory")?;
    let state = dir.path().join("state");
    std::fs::create_dir_all(&state)?;
    let write = |name: &str, text: &str| -> anyhow::Result<String> {
        let path = dir.path().join(name);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        Ok(path.display().to_string())
    };
    let config = write("config.yaml", CONFIG)?;
    let jobs = write(
        "jobs.yaml",
        &JOBS.replace("DEMO_STATE_DIR", &state.display().to_string()),
    )?;
    let plugins_yaml = write("plugins.yaml", PLUGINS)?;
    let hmac = write("hmac", SECRET)?;
    let token = write("token", "demo-token")?;
    let workspaces = dir.path().join("workspaces").display().to_string();

    let sim = Simulator::from_seed_yaml(SEED).context("loading the demo's GitHub world")?;
    let server = SimulatorServer::start(sim.clone(), SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .context("starting the GitHub simulator")?;
    let github = server.base_url();
    let serve = Serve::try_parse_from([
        "serve",
        "--components",
        "hook,plank,crier",
        "--port",
        "0",
        "--bind",
        "127.0.0.1",
        "--hmac-secret-file",
        &hmac,
        "--config-path",
        &config,
        "--job-config-path",
        &jobs,
        "--plugin-config",
        &plugins_yaml,
        "--store",
        "memory",
        "--workspace-dir",
        &workspaces,
        "--github-endpoint",
        &github,
        "--github-token-path",
        &token,
    ])
    .context("the demo's serve flags")?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (ready, address) = tokio::sync::oneshot::channel();
    let serve_task = tokio::spawn(async move {
        crate::serve::run_until(
            &serve.args,
            plugins,
            async {
                let _ = stopped.await;
            },
            |serving| {
                let _ = ready.send(serving);
            },
        )
        .await
    });
    let serving: crate::serve::Serving = match address.await {
        Ok(serving) => serving,
        Err(_) => {
            return match serve_task.await {
                Ok(Err(e)) => Err(e.context("starting prow serve")),
                _ => bail!("prow serve stopped before it listened"),
            };
        }
    };
    let address = serving.address;
    let hook = format!("http://{address}/hook");
    let deliverer = WebhookDeliverer::start(&sim, HookTarget::new(hook.clone(), SECRET));

    println!("prow demo: the GitHub simulator serves {github}");
    println!(
        "prow demo: prow serve (hook, plank, crier) listens on http://{address}; webhooks go to {hook}"
    );
    println!();
    let mut stage = Stage {
        sim: sim.clone(),
        deliverer,
        repo: RepoName::new(REPO.0, REPO.1),
        hook: serving.hook,
    };
    let result = scenario(&mut stage).await;
    if result.is_ok() && args.keep_running {
        println!();
        println!("prow demo: still running. Try, for example:");
        println!("  curl -s http://{address}/plugin-help | head -c 300");
        println!("  curl -s {github}/repos/demo-org/hello/issues/1/comments");
        println!("  curl -s http://{address}/metrics | grep prow_");
        println!("Ctrl-C stops it.");
        crate::serve::shutdown_signal().await;
    }
    let _ = stop.send(());
    let served = serve_task.await.context("prow serve panicked")?;
    drop(stage);
    server.shutdown().await.context("stopping the simulator")?;
    result?;
    served
}

/// What the scenario acts on.
struct Stage {
    sim: Simulator,
    deliverer: WebhookDeliverer,
    repo: RepoName,
    hook: Option<Dispatcher>,
}

impl Stage {
    /// Prints a scene's title.
    fn scene(&self, text: &str) {
        println!("== {text}");
    }

    /// `who` comments `body` on `number`, and the demo waits for `done`.
    async fn comment(
        &self,
        who: &str,
        number: u64,
        body: &str,
        done: impl Fn(&Simulator, &RepoName) -> bool,
        waiting_for: &str,
    ) -> anyhow::Result<()> {
        println!("{who} comments on #{number}: {body}");
        self.sim
            .comment_as(who, &self.repo, number, body)
            .with_context(|| format!("{who} commenting on #{number}"))?;
        self.answer(done, waiting_for).await
    }

    /// Waits until `done` holds and the bot has been quiet for a moment, then prints what the
    /// bot did since the last step.
    async fn answer(
        &self,
        done: impl Fn(&Simulator, &RepoName) -> bool,
        waiting_for: &str,
    ) -> anyhow::Result<()> {
        let deadline = Instant::now() + STEP_LIMIT;
        let mut seen = self.bot_calls().len();
        let mut quiet_since = Instant::now();
        loop {
            // Every webhook sent so far delivered, and the plugins done with it.
            self.deliverer.flush().await;
            if let Some(hook) = &self.hook {
                hook.idle().await;
            }
            let now = self.bot_calls().len();
            if now != seen {
                seen = now;
                quiet_since = Instant::now();
            }
            if done(&self.sim, &self.repo) && quiet_since.elapsed() >= QUIET {
                break;
            }
            if Instant::now() > deadline {
                bail!(
                    "the bot did not finish within {} s: waited for {waiting_for}",
                    STEP_LIMIT.as_secs()
                );
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let failures = self.deliverer.failures();
        if !failures.is_empty() {
            bail!("the hook refused webhooks: {failures:?}");
        }
        for call in self.sim.take_calls() {
            if call.actor == self.sim.bot_login() {
                println!("  {}", describe(&call));
            }
        }
        println!();
        Ok(())
    }

    fn bot_calls(&self) -> Vec<Call> {
        let bot = self.sim.bot_login();
        self.sim
            .calls()
            .into_iter()
            .filter(|c| c.actor == bot)
            .collect()
    }
}

/// Whether pull request `number` carries `label`.
fn has_label(sim: &Simulator, repo: &RepoName, number: u64, label: &str) -> bool {
    sim.labels(repo, number).iter().any(|l| l == label)
}

/// The state of `context` on the head of pull request `number` (empty when none).
fn status(sim: &Simulator, repo: &RepoName, number: u64, context: &str) -> String {
    let Ok(pr) = sim.pull_request(repo, number) else {
        return String::new();
    };
    sim.combined_status(repo, &pr.head.sha)
        .map(|combined| {
            combined
                .statuses
                .into_iter()
                .find(|s| s.context == context)
                .map(|s| s.state)
                .unwrap_or_default()
        })
        .unwrap_or_default()
}

/// The story: contributions, reviews, a flaky job, a hold, and an outside contributor.
async fn scenario(stage: &mut Stage) -> anyhow::Result<()> {
    let repo = stage.repo.clone();

    stage.scene("A member opens a pull request");
    let lines: String = (1..=12)
        .map(|i| format!("Bonjour, le monde ! ({i})\n"))
        .collect();
    println!("bob opens a pull request adding greetings/fr.txt (12 lines)");
    let first = stage
        .sim
        .open_pull_request(
            &repo,
            "bob",
            "Add French greetings",
            "Adds greetings in French.",
            "french",
            Files::new().put("greetings/fr.txt", lines),
        )
        .context("opening the first pull request")?;
    println!(
        "  (#{first}: size label and approval notifier; trigger starts the presubmits, plank runs them, crier reports)"
    );
    stage
        .answer(
            |sim, repo| {
                has_label(sim, repo, first, "size/S")
                    && status(sim, repo, first, "pull-hello-unit") == "success"
                    && status(sim, repo, first, "pull-hello-lint") == "failure"
            },
            "size/S, pull-hello-unit passing and pull-hello-lint failing",
        )
        .await?;

    stage.scene("A flaky job is run again");
    stage
        .comment(
            "bob",
            first,
            "/retest",
            |sim, repo| status(sim, repo, first, "pull-hello-lint") == "success",
            "pull-hello-lint passing",
        )
        .await?;

    stage.scene("The author cannot approve their own change by LGTM");
    stage
        .comment(
            "bob",
            first,
            "/lgtm",
            |sim, repo| {
                sim.issue_comments(repo, first).is_ok_and(|comments| {
                    comments
                        .iter()
                        .any(|c| c.body.contains("you cannot LGTM your own PR."))
                })
            },
            "the refusal",
        )
        .await?;

    stage.scene("A reviewer and an approver agree");
    stage
        .comment(
            "alice",
            first,
            "/lgtm",
            |sim, repo| has_label(sim, repo, first, "lgtm"),
            "the lgtm label",
        )
        .await?;
    stage
        .comment(
            "alice",
            first,
            "/approve",
            |sim, repo| has_label(sim, repo, first, "approved"),
            "the approved label",
        )
        .await?;

    stage.scene("A hold, and its release");
    stage
        .comment(
            "alice",
            first,
            "/hold",
            |sim, repo| has_label(sim, repo, first, "do-not-merge/hold"),
            "the hold label",
        )
        .await?;
    stage
        .comment(
            "alice",
            first,
            "/hold cancel",
            |sim, repo| !has_label(sim, repo, first, "do-not-merge/hold"),
            "the hold label removed",
        )
        .await?;

    stage.scene("An outside contributor's pull request waits for /ok-to-test");
    println!("dave (not a member) opens a pull request adding greetings/de.txt");
    let second = stage
        .sim
        .open_pull_request(
            &repo,
            "dave",
            "Add German greetings",
            "",
            "german",
            Files::new().put("greetings/de.txt", "Hallo, Welt!\n"),
        )
        .context("opening the second pull request")?;
    stage
        .answer(
            |sim, repo| has_label(sim, repo, second, "needs-ok-to-test"),
            "needs-ok-to-test",
        )
        .await?;
    stage
        .comment(
            "alice",
            second,
            "/ok-to-test",
            |sim, repo| {
                has_label(sim, repo, second, "ok-to-test")
                    && status(sim, repo, second, "pull-hello-unit") == "success"
                    && status(sim, repo, second, "pull-hello-lint") == "success"
            },
            "ok-to-test and the presubmits passing",
        )
        .await?;

    stage.scene("Where things stand");
    let mut labels = stage.sim.labels(&repo, first);
    labels.sort();
    println!("#{first} labels: {}", labels.join(", "));
    for context in ["pull-hello-unit", "pull-hello-lint"] {
        println!(
            "#{first} {context}: {}",
            status(&stage.sim, &repo, first, context)
        );
    }
    println!(
        "#{first} has lgtm and approved, no hold, and its required jobs pass: it meets the \
         merge criteria Tide applies."
    );
    Ok(())
}

/// One line for one of the bot's calls.
fn describe(call: &Call) -> String {
    let on = call.number.map(|n| format!("#{n} ")).unwrap_or_default();
    let what = match &call.action {
        Action::AddLabel { label } => format!("adds the label {label}"),
        Action::RemoveLabel { label } => format!("removes the label {label}"),
        Action::CreateComment { body } => format!("comments: {}", first_line(body)),
        Action::EditComment { body, .. } => format!("edits its comment: {}", first_line(body)),
        Action::DeleteComment { .. } => "deletes its earlier comment".to_owned(),
        Action::AssignIssue { logins } => format!("assigns {}", logins.join(", ")),
        Action::UnassignIssue { logins } => format!("unassigns {}", logins.join(", ")),
        Action::RequestReview { logins } => format!("requests a review from {}", logins.join(", ")),
        Action::CreateStatus { status, .. } => {
            // crier appends the base SHA to the description, padded, as upstream's does.
            let description = status
                .description
                .split("BaseSHA:")
                .next()
                .unwrap_or_default()
                .trim();
            if description.is_empty() {
                format!("sets status {}: {}", status.context, status.state)
            } else {
                format!(
                    "sets status {}: {} ({description})",
                    status.context, status.state
                )
            }
        }
        other => other.method().to_owned(),
    };
    let failed = call
        .error
        .as_deref()
        .map(|e| format!(" [refused: {e}]"))
        .unwrap_or_default();
    format!("bot {on}{what}{failed}")
}

/// The first non-empty line of `text`, shortened for one line of output.
fn first_line(text: &str) -> String {
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut short: String = line.chars().take(100).collect();
    if short.len() < line.len() {
        short.push('…');
    }
    short
}
