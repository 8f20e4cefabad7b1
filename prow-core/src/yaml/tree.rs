//! The document tree: YAML events folded into nodes with anchors, aliases, merge keys and
//! duplicate keys resolved as go-yaml v2 resolves them.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span, StrInput, Tag};

use super::resolve::{Resolved, Style, go_string, resolve};
use super::{Error, Location, Warning, WarningKind};

/// Nesting deeper than this is refused rather than risking the stack.
const MAX_DEPTH: usize = 256;

/// Maps with more entries than this get a hash index for duplicate detection.
const INDEX_THRESHOLD: usize = 16;

/// One node of a document.
#[derive(Clone, Debug)]
pub(crate) struct Node<'a> {
    pub(crate) kind: Kind<'a>,
    pub(crate) line: u32,
    pub(crate) col: u32,
}

/// What a node holds.
#[derive(Clone, Debug)]
pub(crate) enum Kind<'a> {
    Scalar(Cow<'a, str>, Style),
    Seq(Vec<Node<'a>>),
    Map(Vec<Entry<'a>>),
}

/// One key of a mapping, with the key already turned into the string Go would use.
#[derive(Clone, Debug)]
pub(crate) struct Entry<'a> {
    pub(crate) key: Cow<'a, str>,
    pub(crate) line: u32,
    pub(crate) col: u32,
    pub(crate) value: Node<'a>,
}

impl<'a> Node<'a> {
    fn null(line: u32, col: u32) -> Self {
        Node {
            kind: Kind::Scalar(Cow::Borrowed(""), Style::Plain),
            line,
            col,
        }
    }

    /// Whether this node is a null scalar.
    pub(crate) fn is_null(&self) -> bool {
        matches!(&self.kind, Kind::Scalar(text, style) if resolve(text, *style) == Resolved::Null)
    }

    /// The keys of a mapping node, in order.
    pub(crate) fn map_keys(&self) -> Vec<&str> {
        match &self.kind {
            Kind::Map(entries) => entries.iter().map(|e| e.key.as_ref()).collect(),
            _ => Vec::new(),
        }
    }

    pub(crate) fn location(&self, path: String) -> Location {
        Location {
            line: self.line as usize,
            column: self.col as usize,
            path,
        }
    }
}

/// One step of a path from the root.
#[derive(Clone, Debug)]
pub(crate) enum Seg<'s> {
    Key(&'s str),
    Index(usize),
}

/// Renders a path as `a.b[3].c`.
pub(crate) fn render_path<'s>(segs: impl IntoIterator<Item = Seg<'s>>) -> String {
    let mut out = String::new();
    for seg in segs {
        match seg {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
        }
    }
    out
}

/// Parses the first document of `text` into a tree.
pub(crate) fn parse<'a>(text: &'a str, warnings: &mut Vec<Warning>) -> Result<Node<'a>, Error> {
    let mut builder = Builder {
        parser: Parser::new_from_str(text),
        anchors: HashMap::new(),
        warnings,
        path: Vec::new(),
    };
    builder.document()
}

#[derive(Clone, Debug)]
enum PathSeg<'a> {
    Key(Cow<'a, str>),
    Index(usize),
}

struct Builder<'a, 'w> {
    parser: Parser<'a, StrInput<'a>>,
    anchors: HashMap<usize, Node<'a>>,
    warnings: &'w mut Vec<Warning>,
    path: Vec<PathSeg<'a>>,
}

fn position(span: &Span) -> (u32, u32) {
    (span.start.line() as u32, span.start.col() as u32 + 1)
}

impl<'a> Builder<'a, '_> {
    fn next(&mut self) -> Result<(Event<'a>, Span), Error> {
        match self.parser.next_event() {
            Some(Ok(event)) => Ok(event),
            Some(Err(e)) => Err(Error::new(
                Some(Location {
                    line: e.marker().line(),
                    column: e.marker().col() + 1,
                    path: String::new(),
                }),
                format!("invalid YAML: {}", e.info()),
            )),
            None => Err(Error::new(None, "invalid YAML: unexpected end of input")),
        }
    }

    fn path_string(&self) -> String {
        render_path(self.path.iter().map(|s| match s {
            PathSeg::Key(k) => Seg::Key(k.as_ref()),
            PathSeg::Index(i) => Seg::Index(*i),
        }))
    }

    fn error_at(&self, line: u32, col: u32, message: impl Into<String>) -> Error {
        Error::new(
            Some(Location {
                line: line as usize,
                column: col as usize,
                path: self.path_string(),
            }),
            message,
        )
    }

    fn document(&mut self) -> Result<Node<'a>, Error> {
        let mut root = None;
        loop {
            let (event, span) = self.next()?;
            match event {
                Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
                Event::StreamEnd => break,
                Event::DocumentStart(_) => {
                    if root.is_some() {
                        let (line, col) = position(&span);
                        self.warnings.push(Warning {
                            location: Location {
                                line: line as usize,
                                column: col as usize,
                                path: String::new(),
                            },
                            kind: WarningKind::ExtraDocuments,
                        });
                        break;
                    }
                    let (event, span) = self.next()?;
                    root = Some(self.node(event, span, 0)?);
                }
                other => {
                    let (line, col) = position(&span);
                    return Err(self.error_at(
                        line,
                        col,
                        format!("unexpected YAML event {other:?}"),
                    ));
                }
            }
        }
        Ok(root.unwrap_or_else(|| Node::null(1, 1)))
    }

    fn node(&mut self, event: Event<'a>, span: Span, depth: usize) -> Result<Node<'a>, Error> {
        let (line, col) = position(&span);
        if depth > MAX_DEPTH {
            return Err(self.error_at(line, col, "document nested too deeply"));
        }
        let (node, anchor) = match event {
            Event::Scalar(text, style, anchor, tag) => {
                let style = scalar_style(style, tag.as_deref());
                (
                    Node {
                        kind: Kind::Scalar(text, style),
                        line,
                        col,
                    },
                    anchor,
                )
            }
            Event::Alias(id) => match self.anchors.get(&id) {
                Some(node) => (node.clone(), 0),
                None => return Err(self.error_at(line, col, "unknown anchor")),
            },
            Event::SequenceStart(anchor, _) => {
                let mut items = Vec::new();
                loop {
                    let (event, span) = self.next()?;
                    if matches!(event, Event::SequenceEnd) {
                        break;
                    }
                    self.path.push(PathSeg::Index(items.len()));
                    let item = self.node(event, span, depth + 1);
                    self.path.pop();
                    items.push(item?);
                }
                (
                    Node {
                        kind: Kind::Seq(items),
                        line,
                        col,
                    },
                    anchor,
                )
            }
            Event::MappingStart(anchor, _) => {
                let entries = self.mapping(depth)?;
                (
                    Node {
                        kind: Kind::Map(entries),
                        line,
                        col,
                    },
                    anchor,
                )
            }
            other => {
                return Err(self.error_at(line, col, format!("unexpected YAML event {other:?}")));
            }
        };
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        Ok(node)
    }

    fn mapping(&mut self, depth: usize) -> Result<Vec<Entry<'a>>, Error> {
        let mut map = MapBuilder::default();
        loop {
            let (event, span) = self.next()?;
            if matches!(event, Event::MappingEnd) {
                break;
            }
            let key = self.node(event, span, depth + 1)?;
            let (key_line, key_col) = (key.line, key.col);
            let (text, style) = match key.kind {
                Kind::Scalar(text, style) => (text, style),
                _ => {
                    return Err(self.error_at(
                        key_line,
                        key_col,
                        "unsupported map key: not a scalar",
                    ));
                }
            };
            let is_merge = style == Style::Plain && text == "<<";
            let key_string: Cow<'a, str> = match resolve(&text, style) {
                Resolved::Str(_) => text,
                Resolved::Null if !is_merge => {
                    return Err(self.error_at(key_line, key_col, "unsupported map key: null"));
                }
                other => Cow::Owned(go_string(other).into_owned()),
            };
            let (event, span) = self.next()?;
            self.path.push(PathSeg::Key(key_string.clone()));
            let value = self.node(event, span, depth + 1);
            self.path.pop();
            let value = value?;
            if is_merge {
                self.merge(&mut map, value)?;
                continue;
            }
            let replaced = map.insert(
                Entry {
                    key: key_string,
                    line: key_line,
                    col: key_col,
                    value,
                },
                true,
            );
            if let Some(key) = replaced {
                let path = self.path_string();
                self.warnings.push(Warning {
                    location: Location {
                        line: key_line as usize,
                        column: key_col as usize,
                        path,
                    },
                    kind: WarningKind::DuplicateKey(key),
                });
            }
        }
        Ok(map.entries)
    }

    /// Applies a merge key's value: a mapping, or a list of mappings where earlier ones take
    /// precedence; merged keys overwrite keys already present, as go-yaml v2 does.
    fn merge(&mut self, map: &mut MapBuilder<'a>, value: Node<'a>) -> Result<(), Error> {
        let (line, col) = (value.line, value.col);
        match value.kind {
            Kind::Map(entries) => {
                for entry in entries {
                    map.insert(entry, false);
                }
                Ok(())
            }
            Kind::Seq(items) => {
                for item in items.into_iter().rev() {
                    match item.kind {
                        Kind::Map(entries) => {
                            for entry in entries {
                                map.insert(entry, false);
                            }
                        }
                        _ => {
                            return Err(self.error_at(
                                item.line,
                                item.col,
                                "map merge requires map or sequence of maps as the value",
                            ));
                        }
                    }
                }
                Ok(())
            }
            _ => Err(self.error_at(
                line,
                col,
                "map merge requires map or sequence of maps as the value",
            )),
        }
    }
}

fn scalar_style(style: ScalarStyle, tag: Option<&Tag>) -> Style {
    if let Some(tag) = tag
        && (tag.handle == "tag:yaml.org,2002:" || tag.handle == "!!")
    {
        return match tag.suffix.as_str() {
            "str" | "binary" | "timestamp" => Style::Str,
            "int" | "float" | "bool" | "null" => Style::Typed,
            _ => plain_or_str(style),
        };
    }
    plain_or_str(style)
}

fn plain_or_str(style: ScalarStyle) -> Style {
    match style {
        ScalarStyle::Plain => Style::Plain,
        _ => Style::Str,
    }
}

/// A mapping under construction: keys in first-seen order, later values replace earlier.
#[derive(Default)]
struct MapBuilder<'a> {
    entries: Vec<Entry<'a>>,
    /// Whether each entry was written in this mapping (not brought in by a merge key).
    explicit: Vec<bool>,
    index: Option<HashMap<Cow<'a, str>, usize>>,
}

impl<'a> MapBuilder<'a> {
    /// Inserts or replaces; returns the key when an explicit key replaced an earlier
    /// explicit one (a duplicate key).
    fn insert(&mut self, entry: Entry<'a>, explicit: bool) -> Option<String> {
        let existing = match &self.index {
            Some(index) => index.get(&entry.key).copied(),
            None => self.entries.iter().position(|e| e.key == entry.key),
        };
        if let Some(i) = existing {
            let duplicate = explicit && self.explicit[i];
            let key = entry.key.to_string();
            self.entries[i] = entry;
            self.explicit[i] = explicit;
            return duplicate.then_some(key);
        }
        if let Some(index) = &mut self.index {
            index.insert(entry.key.clone(), self.entries.len());
        }
        self.entries.push(entry);
        self.explicit.push(explicit);
        if self.index.is_none() && self.entries.len() > INDEX_THRESHOLD {
            self.index = Some(
                self.entries
                    .iter()
                    .enumerate()
                    .map(|(i, e)| (e.key.clone(), i))
                    .collect(),
            );
        }
        None
    }
}
