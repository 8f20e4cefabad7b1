//! Prow's configuration: `config.yaml` (the Prow config and presets), job configs (a file
//! or a directory with `.prowignore`), and `plugins.yaml`, loaded with Go's YAML semantics,
//! defaulted and validated as upstream Prow does.

pub mod branch_protection;
mod diagnostic;
mod files;
pub mod go_regex;
pub mod ignore;
pub mod jobs;
mod load;
pub mod plugins;
pub mod prow;
pub mod selection;
pub mod status_description;
pub mod tide;

pub use diagnostic::Diagnostic;
pub use load::{Config, LoadOptions, Loaded, load};
