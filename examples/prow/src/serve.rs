//! `prow serve`: run Prow's components in one process, against one ProwJob store and one
//! executor: `hook` (the webhook intake at `/hook`, the plugins `plugins.yaml` enables, and
//! `/plugin-help`), `plank` (runs triggered jobs),
//! `horologium` (starts periodics), `sinker` (collects garbage) and `crier` (reports), with
//! `/metrics` and `/healthz`. The configuration is re-read when its files change.

use std::future::Future;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use prometheus_client::registry::Registry;
use prow_core::config::Config;
use prow_core::github::GitHubClient;
use prow_core::traits::Plugin;
use prow_github::hook::{HmacSecrets, Intake, METRICS_CONTENT_TYPE, Metrics};
use prow_jobs::horologium::Horologium;
use prow_jobs::plank::Plank;
use prow_jobs::sinker::Sinker;
use prow_plugins::dispatcher::Dispatcher;
use prow_plugins::help::OrgRepos;
use tokio::task::JoinSet;

use crate::executor::ExecutorFlags;
use crate::flags::{ConfigFlags, ConfigReloader, GitHubFlags};
use crate::store::StoreFlags;

/// The components `prow serve` can run.
pub const COMPONENTS: &[&str] = &["hook", "plank", "horologium", "sinker", "crier"];

/// The flags of `prow serve`, named as upstream's.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Comma-separated components to run.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "hook,plank,horologium,sinker,crier"
    )]
    pub components: Vec<String>,
    /// Port to listen on (0 picks a free one; the address is printed).
    #[arg(long, default_value_t = 8888)]
    pub port: u16,
    /// Address to bind.
    #[arg(long, default_value = "0.0.0.0")]
    pub bind: std::net::IpAddr,
    /// Path to the file containing the GitHub HMAC secret (one token, or Prow's YAML map).
    #[arg(long = "hmac-secret-file", default_value = "/etc/webhook/hmac")]
    pub hmac_secret_file: PathBuf,
    /// The configuration.
    #[command(flatten)]
    pub config: ConfigFlags,
    /// Path to plugins.yaml.
    #[arg(long = "plugin-config")]
    pub plugin_config: Option<PathBuf>,
    /// How often the HMAC secret file is re-read (secret rotation).
    #[arg(
        long = "hmac-reload-period",
        default_value = "60",
        value_name = "SECONDS"
    )]
    pub hmac_reload_seconds: u64,
    /// How often the configuration files are checked for changes.
    #[arg(
        long = "config-reload-period",
        default_value = "10",
        value_name = "SECONDS"
    )]
    pub config_reload_seconds: u64,
    /// Where ProwJobs live.
    #[command(flatten)]
    pub store: StoreFlags,
    /// What runs them.
    #[command(flatten)]
    pub executor: ExecutorFlags,
    /// GitHub, for crier's reports.
    #[command(flatten)]
    pub github: GitHubFlags,
    /// crier's reporters.
    #[command(flatten)]
    pub crier: crate::crier::CrierFlags,
}

/// `prow serve`, with `plugins` beside Prow's built-in ones.
pub fn main(args: &Args, plugins: Vec<Arc<dyn Plugin>>) -> ExitCode {
    crate::cli::block_on(
        async { run(args, plugins).await.map(|()| ExitCode::SUCCESS) },
        ExitCode::FAILURE,
    )
}

fn runs(args: &Args, component: &str) -> bool {
    args.components.iter().any(|c| c == component)
}

/// Runs the components until Ctrl-C or SIGTERM (for a caller with its own runtime),
/// announcing the address on stdout.
pub async fn run(args: &Args, plugins: Vec<Arc<dyn Plugin>>) -> anyhow::Result<()> {
    run_until(
        args,
        plugins,
        shutdown_signal(),
        |Serving { address, .. }| {
            // Announced on stdout for whoever started us; a closed stdout must not stop the server.
            let mut out = std::io::stdout().lock();
            if runs(args, "hook") {
                let _ = writeln!(out, "prow serve: hook listening on http://{address}/hook");
            }
            let _ = writeln!(
                out,
                "prow serve: {} running; metrics on http://{address}/metrics",
                args.components.join(", ")
            );
            let _ = out.flush();
        },
    )
    .await
}

/// What [`run_until`] tells its caller once the server listens.
#[derive(Clone)]
pub struct Serving {
    /// The address the server listens on.
    pub address: SocketAddr,
    /// The hook's dispatcher, when the hook runs: [`Dispatcher::idle`] tells when the plugins
    /// are done with every webhook accepted so far.
    pub hook: Option<Dispatcher>,
}

/// Runs the components until `until` resolves; `ready` is told where the server listens
/// (`prow demo` runs it this way, inside its own scenario).
pub async fn run_until(
    args: &Args,
    plugins: Vec<Arc<dyn Plugin>>,
    until: impl Future<Output = ()> + Send + 'static,
    ready: impl FnOnce(Serving),
) -> anyhow::Result<()> {
    for component in &args.components {
        if !COMPONENTS.contains(&component.as_str()) {
            bail!(
                "component {component:?} is not available yet (available: {})",
                COMPONENTS.join(", ")
            );
        }
    }
    let reloader = ConfigReloader::start(
        args.config.clone(),
        args.plugin_config.clone(),
        Duration::from_secs(args.config_reload_seconds.max(1)),
    )?;
    let config = reloader.subscribe();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let shutdown = move || {
        let mut stopped = stopped.clone();
        async move {
            let _ = stopped.wait_for(|s| *s).await;
        }
    };
    let mut tasks = JoinSet::new();

    // Every component works on the ProwJob store.
    let current = Arc::clone(&config.borrow());
    let store = args.store.open(&current).await?;
    if runs(args, "plank") || runs(args, "sinker") {
        let executor = args
            .executor
            .build(&current, args.store.kubeconfig.as_deref())
            .await?;
        if runs(args, "plank") {
            let plank = Plank::new(Arc::clone(&store), Arc::clone(&executor), config.clone())
                .with_reporter_names(args.crier.reporter_names());
            tasks.spawn(named("plank", plank.run(shutdown())));
        }
        if runs(args, "sinker") {
            let sinker = Sinker::new(Arc::clone(&store), Arc::clone(&executor), config.clone());
            tasks.spawn(named("sinker", sinker.run(shutdown())));
        }
    }
    if runs(args, "horologium") {
        let horologium = Horologium::new(Arc::clone(&store), config.clone());
        tasks.spawn(named("horologium", horologium.run(shutdown())));
    }
    if runs(args, "crier") {
        if args.crier.reporter_names().is_empty() {
            bail!(
                "crier need to have at least one report worker to start: set --github-workers or --slack-workers, or leave crier out of --components"
            );
        }
        let crier = args
            .crier
            .build(Arc::clone(&store), &args.github, config.clone())
            .await?;
        let shutdown = shutdown();
        tasks.spawn(named("crier", async move {
            if let Err(e) = crier.run(shutdown).await {
                tracing::error!(error = %e, "crier could not start");
            }
        }));
    }

    let metrics = Metrics::new();
    let mut registry = Registry::default();
    metrics.register(&mut registry);
    let mut app = Router::new().route("/healthz", get(|| async { "OK" }));
    let mut _secret_reloader = None;
    let mut dispatcher = None;
    if runs(args, "hook") {
        let secrets = Arc::new(
            HmacSecrets::from_file(&args.hmac_secret_file)
                .with_context(|| format!("reading {}", args.hmac_secret_file.display()))?,
        );
        _secret_reloader =
            Some(secrets.spawn_reloader(Duration::from_secs(args.hmac_reload_seconds.max(1))));
        let github: Arc<dyn GitHubClient> = Arc::new(args.github.client().await?);
        let mut all_plugins = prow_plugins::plugins::builtin();
        all_plugins.extend(plugins);
        let hook = Dispatcher::builder(
            github,
            Arc::clone(&store),
            config.clone(),
            reloader.subscribe_plugins(),
        )
        .plugins(all_plugins)
        .build()
        .context("setting up the hook dispatcher")?;
        hook.metrics().register(&mut registry);
        let intake = Intake::builder(Arc::clone(&secrets))
            .metrics(metrics.clone())
            .build(hook.clone());
        app = app.merge(intake.router()).route(
            "/plugin-help",
            get({
                let hook = hook.clone();
                let config = config.clone();
                move || {
                    let hook = hook.clone();
                    let org_repos = org_repos(&config.borrow(), &hook);
                    async move {
                        let help = hook.help(&org_repos).await;
                        (
                            [(CONTENT_TYPE, "application/json")],
                            serde_json::to_string(&help).unwrap_or_default(),
                        )
                    }
                }
            }),
        );
        dispatcher = Some(hook);
    }
    let registry = Arc::new(registry);
    app = app.route(
        "/metrics",
        get(move || {
            let registry = Arc::clone(&registry);
            async move {
                let mut text = String::new();
                // Writing into a String cannot fail.
                let _ = prometheus_client::encoding::text::encode(&mut text, &registry);
                ([(CONTENT_TYPE, METRICS_CONTENT_TYPE)], text)
            }
        }),
    );

    let listener = tokio::net::TcpListener::bind(SocketAddr::new(args.bind, args.port))
        .await
        .with_context(|| format!("binding {}:{}", args.bind, args.port))?;
    let address = listener.local_addr()?;
    ready(Serving {
        address,
        hook: dispatcher.clone(),
    });
    tracing::info!(%address, components = ?args.components, "serving");
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(until)
        .await
        .context("serving");
    if let Some(hook) = &dispatcher {
        // The intake no longer accepts webhooks: let the plugins finish those it accepted.
        hook.idle().await;
    }
    let _ = stop.send(true);
    while let Some(done) = tasks.join_next().await {
        if let Err(e) = done {
            tracing::error!(error = %e, "a component panicked");
        }
    }
    drop(reloader);
    tracing::info!("stopped");
    served
}

/// Runs one component, logging when it ends.
async fn named(name: &'static str, component: impl Future<Output = ()>) {
    tracing::info!(component = name, "started");
    component.await;
    tracing::info!(component = name, "stopped");
}

/// The repositories `/plugin-help` lists for each organisation: those with jobs, and those
/// `plugins.yaml` names.
fn org_repos(config: &Config, hook: &Dispatcher) -> OrgRepos {
    let mut org_repos = OrgRepos::new();
    let plugins = hook.plugins_config();
    let named = plugins
        .plugins
        .keys()
        .chain(plugins.external_plugins.keys())
        .map(String::as_str)
        .chain(config.jobs.all_repos());
    for name in named {
        if let Some((org, _)) = name.split_once('/') {
            org_repos
                .entry(org.to_owned())
                .or_default()
                .insert(name.to_owned());
        }
    }
    org_repos
}

/// Resolves on Ctrl-C or SIGTERM.
pub(crate) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
