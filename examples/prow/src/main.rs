//! `prow`: the reference binary of prow-rs.
//!
//! - `prow checkconfig` loads, defaults and validates a Prow configuration as upstream's
//!   `checkconfig` does;
//! - `prow serve` runs Prow's components (`hook`, `plank`, `horologium`, `sinker`, `crier`)
//!   against one ProwJob store and executor;
//! - `prow mkpj` makes a ProwJob for a configured job: prints it, or with `--trigger` runs
//!   it and waits for its result;
//! - `prow phony` sends a signed webhook to a hook, as upstream's `phony` does;
//! - `prow simulator` runs the GitHub simulator on loopback.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use prow::logging::{self, LogFormat};

/// prow-rs: Kubernetes' Prow, in Rust.
#[derive(Debug, Parser)]
#[command(name = "prow", version, about, propagate_version = true)]
struct Cli {
    /// Log line format.
    #[arg(long = "log-format", global = true, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    /// Log level or filter (`info`, `debug`, `prow_github=debug,info`); `RUST_LOG` wins.
    #[arg(long = "log-level", global = true, default_value = "info")]
    log_level: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Load, default and validate config.yaml, the job configs and plugins.yaml.
    Checkconfig(prow::checkconfig::Args),
    /// Run Prow's components: hook, plank, horologium, sinker, crier.
    Serve(prow::serve::Args),
    /// Make a ProwJob for a configured job: print it, or run it with `--trigger`.
    Mkpj(prow::mkpj::Args),
    /// Send a signed webhook to a hook, as GitHub would.
    Phony(prow::phony::Args),
    /// Run the GitHub simulator as a server on loopback (REST + GraphQL, signed webhooks).
    Simulator(prow::simulator::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    logging::init(cli.log_format, &cli.log_level);
    match cli.command {
        Command::Checkconfig(args) => prow::checkconfig::main(&args),
        Command::Serve(args) => prow::serve::main(&args),
        Command::Mkpj(args) => prow::mkpj::main(&args),
        Command::Phony(args) => prow::phony::main(&args),
        Command::Simulator(args) => prow::simulator::main(&args),
    }
}
