//! The command line of the reference binary, as a library function: a custom binary calls
//! [`run`] with its own plugins, and `prow serve` runs them beside Prow's.

use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use prow_core::traits::Plugin;

use crate::logging::{self, LogFormat};

/// prow-rs: Kubernetes' Prow, in Rust.
#[derive(Debug, Parser)]
#[command(name = "prow", version, about, propagate_version = true)]
struct Cli {
    /// Log line format.
    #[arg(long = "log-format", global = true, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    /// Log level or filter (`info`, `debug`, `prow_github=debug,info`); `RUST_LOG` wins.
    /// Default: `info`, and `warn` for `prow demo`, whose story is told on stdout.
    #[arg(long = "log-level", global = true)]
    log_level: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show the whole loop on this machine: the GitHub simulator, the hook with Prow's
    /// plugins, plank and crier, and a scripted cast of contributors.
    Demo(crate::demo::Args),
    /// Load, default and validate config.yaml, the job configs and plugins.yaml.
    Checkconfig(crate::checkconfig::Args),
    /// Run Prow's components: hook, plank, horologium, sinker, crier.
    Serve(crate::serve::Args),
    /// Make a ProwJob for a configured job: print it, or run it with `--trigger`.
    Mkpj(crate::mkpj::Args),
    /// Send a signed webhook to a hook, as GitHub would.
    Phony(crate::phony::Args),
    /// Run the GitHub simulator as a server on loopback (REST + GraphQL, signed webhooks).
    Simulator(crate::simulator::Args),
}

/// Parses the command line and runs the command; `plugins` are added to Prow's built-in
/// plugins (enabled, like them, by `plugins.yaml`).
pub fn run(plugins: Vec<Arc<dyn Plugin>>) -> ExitCode {
    let cli = Cli::parse();
    let default_level = match cli.command {
        Command::Demo(_) => "warn",
        _ => "info",
    };
    logging::init(
        cli.log_format,
        cli.log_level.as_deref().unwrap_or(default_level),
    );
    match cli.command {
        Command::Demo(args) => crate::demo::main(&args, plugins),
        Command::Checkconfig(args) => crate::checkconfig::main(&args),
        Command::Serve(args) => crate::serve::main(&args, plugins),
        Command::Mkpj(args) => crate::mkpj::main(&args),
        Command::Phony(args) => crate::phony::main(&args),
        Command::Simulator(args) => crate::simulator::main(&args),
    }
}

/// Runs a command's `future` on a multi-threaded runtime; an error is printed on standard
/// error and exits with `failure`.
pub(crate) fn block_on(
    future: impl std::future::Future<Output = anyhow::Result<ExitCode>>,
    failure: ExitCode,
) -> ExitCode {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    match runtime.block_on(future) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            failure
        }
    }
}
