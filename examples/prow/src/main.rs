//! `prow`: the reference binary of prow-rs.
//!
//! `prow checkconfig` loads, defaults and validates a Prow configuration as upstream's
//! `checkconfig` does. Later components (`serve`, `demo`, `mkpj`, `phony`) join it as they
//! land.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// prow-rs: Kubernetes' Prow, in Rust.
#[derive(Debug, Parser)]
#[command(name = "prow", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Load, default and validate config.yaml, the job configs and plugins.yaml.
    Checkconfig(prow::checkconfig::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Checkconfig(args) => prow::checkconfig::main(&args),
    }
}
