//! `prow serve`: run Prow's components in one process. Today: `hook`, the webhook intake at
//! `/hook`, with `/metrics` and `/healthz`; events are counted (`prow_webhook_counter`) and
//! logged at debug level until the plugin dispatcher joins.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use prow_core::config::{LoadOptions, load};
use prow_core::traits::Delivery;
use prow_github::hook::{HmacSecrets, Intake, METRICS_CONTENT_TYPE, Metrics};

/// The components `prow serve` can run today.
pub const COMPONENTS: &[&str] = &["hook"];

/// The flags of `prow serve`, named as upstream's.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Comma-separated components to run.
    #[arg(long, value_delimiter = ',', default_value = "hook")]
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
    /// Path to config.yaml.
    #[arg(long = "config-path")]
    pub config_path: PathBuf,
    /// Path to the job config: a file, or a directory searched recursively.
    #[arg(long = "job-config-path")]
    pub job_config_path: Option<PathBuf>,
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
}

/// `prow serve`.
pub fn main(args: &Args) -> ExitCode {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    match runtime.block_on(serve(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: &Args) -> anyhow::Result<()> {
    for component in &args.components {
        if !COMPONENTS.contains(&component.as_str()) {
            bail!(
                "component {component:?} is not available yet (available: {})",
                COMPONENTS.join(", ")
            );
        }
    }
    let loaded = load(&LoadOptions {
        config_path: args.config_path.clone(),
        job_config_path: args.job_config_path.clone(),
        plugin_config: args.plugin_config.clone(),
        strict: false,
    });
    for warning in &loaded.warnings {
        tracing::warn!(%warning, "configuration");
    }
    if !loaded.errors.is_empty() {
        for error in &loaded.errors {
            tracing::error!(%error, "configuration");
        }
        bail!("the configuration has {} errors", loaded.errors.len());
    }
    let secrets = Arc::new(
        HmacSecrets::from_file(&args.hmac_secret_file)
            .with_context(|| format!("reading {}", args.hmac_secret_file.display()))?,
    );
    let _reloader = secrets.spawn_reloader(Duration::from_secs(args.hmac_reload_seconds.max(1)));

    let metrics = Metrics::new();
    let intake = Intake::builder(Arc::clone(&secrets))
        .metrics(metrics.clone())
        .build(tower::service_fn(log_delivery));
    let app = Router::new()
        .merge(intake.router())
        .route(
            "/metrics",
            get(move || {
                let metrics = metrics.clone();
                async move { ([(CONTENT_TYPE, METRICS_CONTENT_TYPE)], metrics.encode()) }
            }),
        )
        .route("/healthz", get(|| async { "OK" }));

    let listener = tokio::net::TcpListener::bind(SocketAddr::new(args.bind, args.port))
        .await
        .with_context(|| format!("binding {}:{}", args.bind, args.port))?;
    let address = listener.local_addr()?;
    println!("prow serve: hook listening on http://{address}/hook");
    tracing::info!(%address, components = ?args.components, "serving");
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("serving")?;
    tracing::info!("stopped");
    Ok(())
}

/// Until the dispatcher joins, a delivery is logged (it was already counted by the intake).
async fn log_delivery(delivery: Delivery) -> Result<(), Infallible> {
    tracing::debug!(
        delivery = %delivery.id,
        event = %delivery.event_type,
        repo = delivery.event.repo().as_deref().unwrap_or(""),
        action = delivery.event.action().unwrap_or(""),
        "event received"
    );
    Ok(())
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
