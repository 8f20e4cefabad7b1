//! Errors and warnings found while loading configuration, each naming the file, the line
//! and the field it is about.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::yaml;

/// One error or warning about a configuration file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file it is about, when it is about one.
    pub file: Option<PathBuf>,
    /// The 1-based line, when known.
    pub line: Option<usize>,
    /// The 1-based column, when known.
    pub column: Option<usize>,
    /// The path of the field from the document root (`presubmits.org/repo[2].spec`), or
    /// the job it is about; empty when it is about the whole file.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl Diagnostic {
    /// A diagnostic about a whole file.
    pub fn file(file: &Path, message: impl Into<String>) -> Self {
        Diagnostic {
            file: Some(file.to_path_buf()),
            line: None,
            column: None,
            field: String::new(),
            message: message.into(),
        }
    }

    /// A diagnostic about the configuration as a whole, in no one file.
    pub fn general(message: impl Into<String>) -> Self {
        Diagnostic {
            file: None,
            line: None,
            column: None,
            field: String::new(),
            message: message.into(),
        }
    }

    /// A diagnostic from a YAML error in `file`.
    pub fn from_yaml_error(file: &Path, error: &yaml::Error) -> Self {
        let location = error.location();
        Diagnostic {
            file: Some(file.to_path_buf()),
            line: location.map(|l| l.line),
            column: location.map(|l| l.column),
            field: location.map(|l| l.path.clone()).unwrap_or_default(),
            message: error.message().to_string(),
        }
    }

    /// A diagnostic from a YAML warning in `file`.
    pub fn from_yaml_warning(file: &Path, warning: &yaml::Warning) -> Self {
        let message = match &warning.kind {
            yaml::WarningKind::UnknownField(name) => format!("unknown field `{name}`"),
            _ => {
                // The kind's own text, without the location prefix.
                let full = warning.to_string();
                let prefix = warning.location.to_string();
                full.strip_prefix(&prefix)
                    .map(|s| s.trim_start_matches(": ").to_string())
                    .unwrap_or(full)
            }
        };
        Diagnostic {
            file: Some(file.to_path_buf()),
            line: Some(warning.location.line),
            column: Some(warning.location.column),
            field: warning.location.path.clone(),
            message,
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sep = "";
        if let Some(file) = &self.file {
            write!(f, "{}", file.display())?;
            if let Some(line) = self.line {
                write!(f, ":{line}")?;
                if let Some(column) = self.column {
                    write!(f, ":{column}")?;
                }
            }
            sep = ": ";
        }
        if !self.field.is_empty() {
            write!(f, "{sep}{}", self.field)?;
            sep = ": ";
        }
        write!(f, "{sep}{}", self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_line_and_field() {
        let err = yaml::from_str::<Vec<u32>>("[1, x]").unwrap_err();
        let d = Diagnostic::from_yaml_error(Path::new("jobs/a.yaml"), &err);
        assert_eq!(
            d.to_string(),
            "jobs/a.yaml:1:5: [1]: invalid type: string \"x\", expected u32"
        );
        assert_eq!(Diagnostic::general("boom").to_string(), "boom");
        assert_eq!(
            Diagnostic::file(Path::new("f.yaml"), "bad").to_string(),
            "f.yaml: bad"
        );
    }
}
