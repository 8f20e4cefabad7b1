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

fn main() -> ExitCode {
    prow::cli::run(Vec::new())
}
