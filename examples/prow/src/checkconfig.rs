//! `prow checkconfig`: load, default and validate a Prow configuration, with upstream's
//! flags, and print one summary.

use std::path::PathBuf;
use std::process::ExitCode;

use prow_core::config::{LoadOptions, Loaded};
use serde::Serialize;

/// The flags of `prow checkconfig`, named as upstream's.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Path to config.yaml.
    #[arg(long = "config-path", value_name = "FILE")]
    pub config_path: PathBuf,
    /// Path to the job config: a file, or a directory searched recursively.
    #[arg(long = "job-config-path", value_name = "PATH")]
    pub job_config_path: Option<PathBuf>,
    /// Path to plugins.yaml.
    #[arg(long = "plugin-config", value_name = "FILE")]
    pub plugin_config: Option<PathBuf>,
    /// Make unknown fields (and duplicate keys) errors instead of warnings.
    #[arg(long)]
    pub strict: bool,
    /// `text` (one summary line) or `json` (one JSON object).
    #[arg(long, value_name = "FORMAT", default_value = "text", value_parser = ["text", "json"])]
    pub output: String,
}

/// What `checkconfig` found, as `--output json` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Configuration files read.
    pub files: usize,
    /// Presubmit jobs.
    pub presubmits: usize,
    /// Postsubmit jobs.
    pub postsubmits: usize,
    /// Periodic jobs.
    pub periodics: usize,
    /// Presets.
    pub presets: usize,
    /// Entries under `plugins:` in plugins.yaml.
    pub plugin_entries: usize,
    /// Warnings, each naming file, line and field.
    pub warnings: Vec<String>,
    /// Errors, each naming file, line and field.
    pub errors: Vec<String>,
}

impl Summary {
    /// The summary of a load.
    pub fn of(loaded: &Loaded) -> Self {
        let jobs = &loaded.config.jobs;
        Summary {
            files: loaded.files,
            presubmits: jobs.presubmits.values().map(Vec::len).sum(),
            postsubmits: jobs.postsubmits.values().map(Vec::len).sum(),
            periodics: jobs.periodics.len(),
            presets: jobs.presets.len(),
            plugin_entries: loaded.plugins.as_ref().map_or(0, |p| p.plugin_entries()),
            warnings: loaded.warnings.iter().map(ToString::to_string).collect(),
            errors: loaded.errors.iter().map(ToString::to_string).collect(),
        }
    }

    /// The one human line.
    pub fn line(&self) -> String {
        format!(
            "{} files, {} presubmits, {} postsubmits, {} periodics, {} presets, {} plugin entries, {} warnings, {} errors",
            self.files,
            self.presubmits,
            self.postsubmits,
            self.periodics,
            self.presets,
            self.plugin_entries,
            self.warnings.len(),
            self.errors.len()
        )
    }
}

/// Loads the configuration the flags name.
pub fn run(args: &Args) -> Loaded {
    prow_core::config::load(&LoadOptions {
        config_path: args.config_path.clone(),
        job_config_path: args.job_config_path.clone(),
        plugin_config: args.plugin_config.clone(),
        strict: args.strict,
    })
}

/// `prow checkconfig`: prints the summary (warnings and errors first, one per line, on
/// stderr, for the text form) and fails when there is any error.
pub fn main(args: &Args) -> ExitCode {
    let loaded = run(args);
    let summary = Summary::of(&loaded);
    // The process ends right after: freeing thousands of jobs one by one would only delay it.
    std::mem::forget(loaded);
    if args.output == "json" {
        println!(
            "{}",
            serde_json::to_string(&summary).expect("a summary always serializes")
        );
    } else {
        for warning in &summary.warnings {
            eprintln!("warning: {warning}");
        }
        for error in &summary.errors {
            eprintln!("error: {error}");
        }
        println!("{}", summary.line());
    }
    if summary.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
