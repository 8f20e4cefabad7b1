//! The `prow` binary with the `ping` plugin beside Prow's own: every `prow` command works,
//! and `prow serve` runs `ping` wherever `plugins.yaml` enables it.

fn main() -> std::process::ExitCode {
    prow::cli::run(vec![std::sync::Arc::new(custom_plugin::Ping)])
}
