//! YAML with the semantics Prow's Go code gives it (go-yaml v2 behind `sigs.k8s.io/yaml`).
//!
//! Every YAML file prow-rs reads (`config.yaml`, job configs, `plugins.yaml`, OWNERS) goes
//! through this one module, so that a file upstream Prow accepts loads here unchanged:
//!
//! - anchors, aliases and merge keys `<<` (a mapping or a list of mappings, also inside list
//!   items), applied in document order as go-yaml v2 does;
//! - duplicate keys: the last one wins (reported as a [`Warning`]);
//! - YAML 1.1 scalars: `yes`/`no`/`on`/`off` are booleans, `0400` is octal (256), `0x1F` hex;
//! - a number or boolean in a string field becomes its string, formatted as Go formats it
//!   (`yes` → `"true"`, `0400` → `"256"`, `1.10` → `"1.1"`);
//! - `null` list items and empty files are empty values; null in a non-optional field is its
//!   zero value;
//! - field names match exactly, else case-insensitively (as Go's `encoding/json` does);
//! - unknown fields are reported as [`Warning`]s with their line and path, never fatal;
//! - only the first document of a multi-document file is read, as `sigs.k8s.io/yaml` does.
//!
//! ```
//! #[derive(serde::Deserialize)]
//! struct Job { name: String, mode: u32, optional: bool }
//!
//! let (job, warnings) = prow_core::yaml::from_str_with_warnings::<Job>(
//!     "name: 1.10\nmode: 0400\noptional: yes\ncolour: blue\n",
//! )
//! .unwrap();
//! assert_eq!(job.name, "1.1");
//! assert_eq!(job.mode, 256);
//! assert!(job.optional);
//! assert_eq!(warnings[0].to_string(), "line 4, column 1: unknown field `colour`");
//! ```

mod de;
mod emit;
mod resolve;
mod tree;

use std::fmt;

use serde::de::DeserializeOwned;

pub use emit::to_string;
pub(crate) use tree::Node;

/// Where in a document something was found, and what it was about.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Location {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column number.
    pub column: usize,
    /// The path of the value from the document root, such as
    /// `presubmits.kubernetes/kubernetes[3].spec`; empty for the root.
    pub path: String,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)?;
        if !self.path.is_empty() {
            write!(f, ": {}", self.path)?;
        }
        Ok(())
    }
}

/// Something in a document that does not stop it from loading.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// Where it was found.
    pub location: Location,
    /// What it is.
    pub kind: WarningKind,
}

/// The kinds of [`Warning`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WarningKind {
    /// A mapping key that names no field of the type being read; the value is ignored.
    UnknownField(String),
    /// A key given twice in one mapping; the last one wins.
    DuplicateKey(String),
    /// The file holds more than one document; only the first one is read.
    ExtraDocuments,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.location)?;
        match &self.kind {
            WarningKind::UnknownField(name) => write!(f, "unknown field `{name}`"),
            WarningKind::DuplicateKey(name) => {
                write!(f, "duplicate key `{name}`, the last one wins")
            }
            WarningKind::ExtraDocuments => {
                write!(f, "more than one document; only the first one is read")
            }
        }
    }
}

/// A document that could not be read: bad YAML, or a value of the wrong type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    location: Option<Location>,
    message: String,
}

impl Error {
    pub(crate) fn new(location: Option<Location>, message: impl Into<String>) -> Self {
        Error {
            location,
            message: message.into(),
        }
    }

    /// Where the error was found, when known.
    pub fn location(&self) -> Option<&Location> {
        self.location.as_ref()
    }

    /// What went wrong, without the location.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(location) => write!(f, "{location}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Error {}

impl serde::de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error::new(None, msg.to_string())
    }
}

/// A parsed YAML document (its first document), ready to be read into one or more types.
///
/// Parse once and deserialize several times when one file holds the fields of several
/// types (as `config.yaml` holds both the Prow config and presets).
#[derive(Debug)]
pub struct Document<'a> {
    root: Node<'a>,
    warnings: Vec<Warning>,
}

impl<'a> Document<'a> {
    /// Parses `text`, resolving anchors, aliases and merge keys.
    pub fn parse(text: &'a str) -> Result<Self, Error> {
        let mut warnings = Vec::new();
        let root = tree::parse(text, &mut warnings)?;
        Ok(Document { root, warnings })
    }

    /// The warnings found while parsing (duplicate keys, extra documents).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// Whether the document is empty (an empty file, or only `null`).
    pub fn is_empty(&self) -> bool {
        self.root.is_null()
    }

    /// The keys of the top-level mapping, in document order (empty if the root is not a
    /// mapping).
    pub fn top_level_keys(&self) -> Vec<&str> {
        self.root.map_keys()
    }

    /// Where each job of a job-config document starts: (`presubmits` | `postsubmits` |
    /// `periodics`, `org/repo` or empty for periodics, job name, line).
    pub(crate) fn job_positions(&self) -> Vec<(&'static str, String, String, usize)> {
        use tree::Kind;
        let mut out = Vec::new();
        let Kind::Map(sections) = &self.root.kind else {
            return out;
        };
        let name_of =
            |job: &Node<'_>| match &job.kind {
                Kind::Map(fields) => fields
                    .iter()
                    .find(|f| f.key == "name")
                    .and_then(|f| match &f.value.kind {
                        Kind::Scalar(text, _) => Some(text.to_string()),
                        _ => None,
                    }),
                _ => None,
            };
        for section in sections {
            let kind: &'static str = match section.key.as_ref() {
                "presubmits" => "presubmits",
                "postsubmits" => "postsubmits",
                "periodics" => "periodics",
                _ => continue,
            };
            let mut push_jobs = |repo: &str, jobs: &Node<'_>| {
                if let Kind::Seq(items) = &jobs.kind {
                    for job in items {
                        if let Some(name) = name_of(job) {
                            out.push((kind, repo.to_string(), name, job.line as usize));
                        }
                    }
                }
            };
            match &section.value.kind {
                Kind::Map(repos) if kind != "periodics" => {
                    for repo in repos {
                        push_jobs(&repo.key, &repo.value);
                    }
                }
                Kind::Seq(_) if kind == "periodics" => push_jobs("", &section.value),
                _ => {}
            }
        }
        out
    }

    /// The line of the value at `path` — dotted keys, `[N]` indices and `["key"]` quoted keys,
    /// as in `tide.queries[1]` or `branch-protection.orgs["kubernetes"]` — or of the deepest
    /// part of it that exists; `None` when not even its first key does.
    pub fn line_of(&self, path: &str) -> Option<usize> {
        use tree::Kind;
        let mut node = &self.root;
        let mut line = None;
        for step in path_steps(path) {
            match (&node.kind, step) {
                (Kind::Map(entries), PathStep::Key(key)) => {
                    let Some(entry) = entries.iter().find(|e| e.key == key) else {
                        break;
                    };
                    line = Some(entry.line as usize);
                    node = &entry.value;
                }
                (Kind::Seq(items), PathStep::Index(i)) => {
                    let Some(item) = items.get(i) else {
                        break;
                    };
                    line = Some(item.line as usize);
                    node = item;
                }
                _ => break,
            }
        }
        line
    }

    /// Reads the document into `T`, adding the unknown fields found to `warnings`.
    pub fn deserialize<T: DeserializeOwned>(
        &self,
        warnings: &mut Vec<Warning>,
    ) -> Result<T, Error> {
        de::deserialize(&self.root, warnings)
    }
}

/// One step of a path given to [`Document::line_of`].
enum PathStep<'p> {
    Key(&'p str),
    Index(usize),
}

/// Splits `a.b[2]["c.d"]` into its steps.
fn path_steps(path: &str) -> Vec<PathStep<'_>> {
    let mut steps = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("[\"") {
            let end = after.find("\"]").unwrap_or(after.len());
            steps.push(PathStep::Key(&after[..end]));
            rest = after.get(end + 2..).unwrap_or("");
        } else if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']').unwrap_or(after.len());
            match after[..end].parse() {
                Ok(i) => steps.push(PathStep::Index(i)),
                Err(_) => steps.push(PathStep::Key(&after[..end])),
            }
            rest = after.get(end + 1..).unwrap_or("");
        } else {
            let rest_trimmed = rest.strip_prefix('.').unwrap_or(rest);
            let end = rest_trimmed.find(['.', '[']).unwrap_or(rest_trimmed.len());
            if end > 0 {
                steps.push(PathStep::Key(&rest_trimmed[..end]));
            }
            rest = &rest_trimmed[end..];
        }
    }
    steps
}

/// Reads the first document of `text` into `T`; warnings are dropped.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, Error> {
    from_str_with_warnings(text).map(|(value, _)| value)
}

/// Reads the first document of `text` into `T`, returning the warnings too (unknown
/// fields, duplicate keys, extra documents), in document order.
pub fn from_str_with_warnings<T: DeserializeOwned>(text: &str) -> Result<(T, Vec<Warning>), Error> {
    let document = Document::parse(text)?;
    let mut warnings = document.warnings.clone();
    let value = document.deserialize(&mut warnings)?;
    warnings.sort_by_key(|w| (w.location.line, w.location.column));
    Ok((value, warnings))
}

/// Parses `text` into a [`serde_json::Value`] with Go's YAML 1.1 scalar rules and no type
/// to guide it (as `sigs.k8s.io/yaml`'s `YAMLToJSON` does).
pub fn to_json(text: &str) -> Result<serde_json::Value, Error> {
    from_str(text)
}

/// Formats a float the way Go's typed YAML decoding does when a float lands in a string
/// field (`strconv.FormatFloat(f, 'g', -1, 32)`): `1.10` → `"1.1"`, `1e10` → `"1e+10"`.
pub fn format_go_float(f: f64) -> String {
    resolve::format_go_float32(f)
}

#[cfg(test)]
mod tests;
