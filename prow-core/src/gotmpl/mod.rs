//! Go `text/template` for the templates Prow users write in config: `plank.job_url_template`,
//! Slack `report_template`, the welcome plugin's `message_template`, tide's merge commit templates.
//!
//! Templates run over JSON data (a ProwJob serialized with serde, a map of fields). A Go field
//! name matches a JSON key ignoring case and underscores, so `.Spec.Refs.BaseSHA` reads
//! `spec.refs.base_sha` and `.Status.BuildID` reads `status.build_id`.
//!
//! ```
//! use prow_core::gotmpl::Template;
//! use serde_json::json;
//!
//! let t = Template::parse(r#"{{range $i, $p := .Pulls}}{{if $i}}, {{end}}#{{$p.Number}}{{end}}"#).unwrap();
//! let data = json!({"pulls": [{"number": 1}, {"number": 2}]});
//! assert_eq!(t.render(&data).unwrap(), "#1, #2");
//! ```
//!
//! Supported: text and actions with `{{-`/`-}}` trim markers, comments, pipelines,
//! variables, `if`/`else if`/`else`, `range` (with `else`, `break`, `continue`), `with`,
//! `define`/`template`/`block`, and the builtin functions `and or not eq ne lt le gt ge len
//! index slice print printf println html js urlquery`. Data holds no Go functions, so `call`
//! always fails.

mod exec;
mod format;
mod lex;
mod parse;

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Timelike, Utc};

use serde_json::Value;

use parse::Node;

/// A time as Go's `time.Time.String` prints it in UTC (`2006-01-02 15:04:05.5 +0000 UTC`):
/// how templates written for Go data show a time.
pub fn go_time_string(t: &DateTime<Utc>) -> String {
    let mut s = t.format("%Y-%m-%d %H:%M:%S").to_string();
    let nanos = t.nanosecond() % 1_000_000_000;
    if nanos > 0 {
        s.push_str(format!(".{nanos:09}").trim_end_matches('0'));
    }
    s.push_str(" +0000 UTC");
    s
}

/// What a field or map key that the data does not have evaluates to (Go's
/// `missingkey` option).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissingKey {
    /// Go's default for map data: the value `<no value>`, which prints as such and is false.
    #[default]
    Default,
    /// The empty value of a Go struct field: prints as nothing, is false, equals `""`, `0`,
    /// `false` and `nil`, and fields of it are empty too. Use this for data serialized from
    /// Go structs whose empty fields were left out (a ProwJob, for example).
    Zero,
    /// An error, `map has no entry for key "Name"`.
    Error,
}

/// Whether a [`TemplateError`] came from parsing or from executing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The template text is malformed.
    Parse,
    /// The template failed on the given data.
    Exec,
}

/// A parse or execution error, with Go's wording and the position in the template text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct TemplateError {
    /// Parse or execution.
    pub kind: ErrorKind,
    /// Name of the template (of the `define` being executed, for execution errors).
    pub name: String,
    /// 1-based line in the template text.
    pub line: usize,
    /// 0-based byte column in that line, as Go counts it.
    pub col: usize,
    /// The action being executed, as written (`.Spec.Refs.Org`), for execution errors.
    pub context: String,
    /// What went wrong, in Go's words (`unexpected EOF`, `map has no entry for key "X"`).
    pub message: String,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ErrorKind::Parse => {
                write!(f, "template: {}:{}: {}", self.name, self.line, self.message)
            }
            ErrorKind::Exec => write!(
                f,
                "template: {}:{}:{}: executing \"{}\" at <{}>: {}",
                self.name, self.line, self.col, self.name, self.context, self.message
            ),
        }
    }
}

/// A parsed Go template, ready to render any number of times; cheap to share between
/// threads.
#[derive(Debug, Clone)]
pub struct Template {
    name: String,
    /// Every template by name: the main one under `name`, plus `define`s and `block`s.
    trees: BTreeMap<String, Tree>,
    missing_key: MissingKey,
}

#[derive(Debug, Clone)]
struct Tree {
    /// The source text the node positions point into.
    source: std::sync::Arc<str>,
    nodes: Vec<Node>,
}

/// Name given to templates parsed with [`Template::parse`].
pub const DEFAULT_NAME: &str = "template";

impl Template {
    /// Parses `text` as a template named [`DEFAULT_NAME`].
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        Template::parse_named(DEFAULT_NAME, text)
    }

    /// Parses `text` as a template called `name` (the name errors show, as in
    /// `template: JobURL:1: unexpected EOF`).
    pub fn parse_named(name: &str, text: &str) -> Result<Template, TemplateError> {
        let source: std::sync::Arc<str> = text.into();
        let parsed = parse::parse(name, &source)?;
        let mut trees = BTreeMap::new();
        for (def, nodes) in parsed.defines {
            trees.insert(
                def,
                Tree {
                    source: source.clone(),
                    nodes,
                },
            );
        }
        // Like Go, a main template of only whitespace does not replace a definition of
        // the same name.
        if !(parsed.root_is_blank && trees.contains_key(name)) {
            trees.insert(
                name.to_string(),
                Tree {
                    source,
                    nodes: parsed.root,
                },
            );
        }
        Ok(Template {
            name: name.to_string(),
            trees,
            missing_key: MissingKey::Default,
        })
    }

    /// The template with missing keys handled as `missing_key` says (Go's
    /// `Option("missingkey=...")`).
    pub fn with_missing_key(mut self, missing_key: MissingKey) -> Template {
        self.missing_key = missing_key;
        self
    }

    /// The template's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The names of the templates this one defines, including its own.
    pub fn defined_templates(&self) -> impl Iterator<Item = &str> {
        self.trees.keys().map(String::as_str)
    }

    /// Executes the template with `data` as dot (and `$`).
    pub fn render(&self, data: &Value) -> Result<String, TemplateError> {
        self.render_template(&self.name, data)
    }

    /// Executes the template called `name` (the main one or a `define`) with `data`.
    pub fn render_template(&self, name: &str, data: &Value) -> Result<String, TemplateError> {
        exec::execute(self, name, data, self.missing_key)
    }

    /// Serializes `data` with serde and renders it with [`MissingKey::Zero`] semantics,
    /// as Go renders a struct: empty fields left out of the JSON print as nothing.
    pub fn render_serialize<T: serde::Serialize>(&self, data: &T) -> Result<String, TemplateError> {
        let value = serde_json::to_value(data).map_err(|e| TemplateError {
            kind: ErrorKind::Exec,
            name: self.name.clone(),
            line: 1,
            col: 0,
            context: ".".into(),
            message: format!("cannot serialize data: {e}"),
        })?;
        exec::execute(self, &self.name, &value, MissingKey::Zero)
    }
}

/// Line (1-based) and column (0-based bytes) of byte offset `pos` in `text`.
pub(crate) fn line_col(text: &str, pos: usize) -> (usize, usize) {
    let pos = pos.min(text.len());
    let before = &text[..pos];
    let line = 1 + before.matches('\n').count();
    let col = match before.rfind('\n') {
        Some(nl) => pos - nl - 1,
        None => pos,
    };
    (line, col)
}

#[cfg(test)]
mod tests;
