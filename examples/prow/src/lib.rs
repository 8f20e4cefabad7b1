//! The commands of the reference `prow` binary, as a library so that benchmarks and tests
//! run exactly what the binary runs.

pub mod checkconfig;
pub mod cli;
pub mod crier;
pub mod demo;
pub mod executor;
pub mod flags;
pub mod kubeconfig;
pub mod logging;
pub mod mkpj;
pub mod phony;
pub mod serve;
pub mod simulator;
pub mod store;
