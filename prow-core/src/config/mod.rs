//! Prow's configuration: `config.yaml` (the Prow config and presets), job configs (a file
//! or a directory with `.prowignore`), and `plugins.yaml`, loaded with Go's YAML semantics,
//! defaulted and validated as upstream Prow does.

mod diagnostic;
mod files;
pub mod ignore;
pub mod plugins;

pub use diagnostic::Diagnostic;
