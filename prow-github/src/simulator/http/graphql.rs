//! GraphQL as far as Prow asks it: Tide's `search` (pull requests with all Tide reads),
//! `rateLimit`, `viewer`, `repository` (with an issue's or pull request's project items) and
//! `organization` (with its projects), and the Projects v2 mutations the `project` plugin
//! makes; parsed properly, built whole and cut down to the selection; anything else gets
//! GraphQL `errors`. Both client faces answer through here.

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};
use prow_core::event::ReviewState;
use prow_core::github::{GitHubError, GitHubResult};
use serde_json::{Map, Value, json};

use prow_core::github::RepoName;

use super::super::calls::Call;
use super::super::projects::{ItemRec, ProjectRec, STATUS_FIELD};
use super::super::refs::combined_state;
use super::super::state::{IssueRec, PullRec, RepoRec, State, login_key, node_id, push_bounded};
use super::base64;

/// The most nodes one connection page may hold (GitHub's limit).
const MAX_PAGE: usize = 100;

/// A GraphQL value in a query.
#[derive(Clone, Debug, PartialEq)]
enum Val {
    Var(String),
    Int(i64),
    Float(f64),
    Str(String),
    Bool(bool),
    Null,
    Enum(String),
    List(Vec<Val>),
    Object(Vec<(String, Val)>),
}

/// One selection of a selection set.
#[derive(Clone, Debug, PartialEq)]
enum Selection {
    Field(Field),
    /// `... on Type { ... }` (or `... { ... }` without a type).
    Inline(Option<String>, Vec<Selection>),
    /// `...Name`.
    Spread(String),
}

/// A field with its alias, arguments and sub-selections.
#[derive(Clone, Debug, PartialEq)]
struct Field {
    alias: Option<String>,
    name: String,
    args: Vec<(String, Val)>,
    selections: Vec<Selection>,
}

impl Field {
    /// The key the field's value goes under in the answer.
    fn key(&self) -> &str {
        self.alias.as_deref().unwrap_or(&self.name)
    }
}

/// A parsed document: its first operation and its named fragments.
#[derive(Debug, Default)]
struct Document {
    /// `query`, `mutation` or `subscription`.
    kind: String,
    selections: Vec<Selection>,
    /// Variable name → default value.
    defaults: HashMap<String, Val>,
    /// Fragment name → (type condition, selections).
    fragments: HashMap<String, (String, Vec<Selection>)>,
}

/// A lexical token.
#[derive(Clone, Debug, PartialEq)]
enum Token {
    Punct(char),
    Spread,
    Name(String),
    Int(i64),
    Float(f64),
    Str(String),
}

/// Splits a query into tokens (commas and comments are whitespace in GraphQL).
fn lex(text: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() || c == ',' || c == '\u{feff}' => i += 1,
            '#' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '.' => {
                if chars.get(i + 1) == Some(&'.') && chars.get(i + 2) == Some(&'.') {
                    tokens.push(Token::Spread);
                    i += 3;
                } else {
                    return Err(format!("unexpected '.' at {i}"));
                }
            }
            '{' | '}' | '(' | ')' | ':' | '!' | '$' | '[' | ']' | '=' | '@' | '|' | '&' => {
                tokens.push(Token::Punct(c));
                i += 1;
            }
            '"' => {
                let block = chars.get(i + 1) == Some(&'"') && chars.get(i + 2) == Some(&'"');
                if block {
                    i += 3;
                    let start = i;
                    while i + 2 < chars.len()
                        && !(chars[i] == '"' && chars[i + 1] == '"' && chars[i + 2] == '"')
                    {
                        i += 1;
                    }
                    if i + 2 >= chars.len() {
                        return Err("unterminated block string".to_owned());
                    }
                    tokens.push(Token::Str(chars[start..i].iter().collect()));
                    i += 3;
                    continue;
                }
                i += 1;
                let mut value = String::new();
                loop {
                    let Some(&c) = chars.get(i) else {
                        return Err("unterminated string".to_owned());
                    };
                    i += 1;
                    match c {
                        '"' => break,
                        '\\' => {
                            let escaped = chars.get(i).copied().unwrap_or('\\');
                            i += 1;
                            match escaped {
                                'n' => value.push('\n'),
                                't' => value.push('\t'),
                                'r' => value.push('\r'),
                                'b' => value.push('\u{8}'),
                                'f' => value.push('\u{c}'),
                                'u' => {
                                    let hex: String = chars.iter().skip(i).take(4).collect();
                                    i += 4;
                                    let code = u32::from_str_radix(&hex, 16)
                                        .map_err(|_| format!("bad escape \\u{hex}"))?;
                                    value.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                                }
                                other => value.push(other),
                            }
                        }
                        c => value.push(c),
                    }
                }
                tokens.push(Token::Str(value));
            }
            c if c == '-' || c.is_ascii_digit() => {
                let start = i;
                i += 1;
                while i < chars.len()
                    && (chars[i].is_ascii_digit()
                        || matches!(chars[i], '.' | 'e' | 'E' | '+' | '-'))
                {
                    i += 1;
                }
                let text: String = chars[start..i].iter().collect();
                if let Ok(n) = text.parse::<i64>() {
                    tokens.push(Token::Int(n));
                } else {
                    let f = text
                        .parse::<f64>()
                        .map_err(|_| format!("bad number {text}"))?;
                    tokens.push(Token::Float(f));
                }
            }
            c if c == '_' || c.is_ascii_alphabetic() => {
                let start = i;
                while i < chars.len() && (chars[i] == '_' || chars[i].is_ascii_alphanumeric()) {
                    i += 1;
                }
                tokens.push(Token::Name(chars[start..i].iter().collect()));
            }
            other => return Err(format!("unexpected character {other:?}")),
        }
    }
    Ok(tokens)
}

/// A recursive-descent parser over the tokens.
struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(&Token::Punct(c)) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: char) -> Result<(), String> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(format!("expected '{c}', found {:?}", self.peek()))
        }
    }

    fn name(&mut self) -> Result<String, String> {
        match self.next() {
            Some(Token::Name(name)) => Ok(name),
            other => Err(format!("expected a name, found {other:?}")),
        }
    }

    fn document(&mut self) -> Result<Document, String> {
        let mut doc = Document::default();
        let mut have_operation = false;
        while let Some(token) = self.peek().cloned() {
            match token {
                Token::Punct('{') => {
                    let selections = self.selection_set()?;
                    if !have_operation {
                        doc.kind = "query".to_owned();
                        doc.selections = selections;
                        have_operation = true;
                    }
                }
                Token::Name(word) if word == "fragment" => {
                    self.at += 1;
                    let name = self.name()?;
                    if self.name()? != "on" {
                        return Err("expected 'on' in a fragment definition".to_owned());
                    }
                    let on = self.name()?;
                    self.directives()?;
                    let selections = self.selection_set()?;
                    doc.fragments.insert(name, (on, selections));
                }
                Token::Name(word)
                    if matches!(word.as_str(), "query" | "mutation" | "subscription") =>
                {
                    self.at += 1;
                    if let Some(Token::Name(_)) = self.peek() {
                        self.at += 1;
                    }
                    let mut defaults = HashMap::new();
                    if self.eat('(') {
                        while !self.eat(')') {
                            self.expect('$')?;
                            let name = self.name()?;
                            self.expect(':')?;
                            self.type_ref()?;
                            if self.eat('=') {
                                defaults.insert(name, self.value()?);
                            }
                            self.directives()?;
                        }
                    }
                    self.directives()?;
                    let selections = self.selection_set()?;
                    if !have_operation {
                        doc.kind = word;
                        doc.selections = selections;
                        doc.defaults = defaults;
                        have_operation = true;
                    }
                }
                other => return Err(format!("unexpected {other:?}")),
            }
        }
        if !have_operation {
            return Err("the document has no operation".to_owned());
        }
        Ok(doc)
    }

    fn type_ref(&mut self) -> Result<(), String> {
        if self.eat('[') {
            self.type_ref()?;
            self.expect(']')?;
        } else {
            self.name()?;
        }
        self.eat('!');
        Ok(())
    }

    fn directives(&mut self) -> Result<(), String> {
        while self.eat('@') {
            self.name()?;
            if self.peek() == Some(&Token::Punct('(')) {
                self.arguments()?;
            }
        }
        Ok(())
    }

    fn arguments(&mut self) -> Result<Vec<(String, Val)>, String> {
        self.expect('(')?;
        let mut args = Vec::new();
        while !self.eat(')') {
            let name = self.name()?;
            self.expect(':')?;
            args.push((name, self.value()?));
        }
        Ok(args)
    }

    fn value(&mut self) -> Result<Val, String> {
        match self.next() {
            Some(Token::Punct('$')) => Ok(Val::Var(self.name()?)),
            Some(Token::Int(n)) => Ok(Val::Int(n)),
            Some(Token::Float(f)) => Ok(Val::Float(f)),
            Some(Token::Str(s)) => Ok(Val::Str(s)),
            Some(Token::Name(name)) => Ok(match name.as_str() {
                "true" => Val::Bool(true),
                "false" => Val::Bool(false),
                "null" => Val::Null,
                _ => Val::Enum(name),
            }),
            Some(Token::Punct('[')) => {
                let mut items = Vec::new();
                while !self.eat(']') {
                    items.push(self.value()?);
                }
                Ok(Val::List(items))
            }
            Some(Token::Punct('{')) => {
                let mut fields = Vec::new();
                while !self.eat('}') {
                    let name = self.name()?;
                    self.expect(':')?;
                    fields.push((name, self.value()?));
                }
                Ok(Val::Object(fields))
            }
            other => Err(format!("expected a value, found {other:?}")),
        }
    }

    fn selection_set(&mut self) -> Result<Vec<Selection>, String> {
        self.expect('{')?;
        let mut selections = Vec::new();
        while !self.eat('}') {
            if self.peek() == Some(&Token::Spread) {
                self.at += 1;
                match self.peek().cloned() {
                    Some(Token::Name(word)) if word == "on" => {
                        self.at += 1;
                        let on = self.name()?;
                        self.directives()?;
                        selections.push(Selection::Inline(Some(on), self.selection_set()?));
                    }
                    Some(Token::Name(name)) => {
                        self.at += 1;
                        self.directives()?;
                        selections.push(Selection::Spread(name));
                    }
                    _ => {
                        self.directives()?;
                        selections.push(Selection::Inline(None, self.selection_set()?));
                    }
                }
                continue;
            }
            let first = self.name()?;
            let (alias, name) = if self.eat(':') {
                (Some(first), self.name()?)
            } else {
                (None, first)
            };
            let args = if self.peek() == Some(&Token::Punct('(')) {
                self.arguments()?
            } else {
                Vec::new()
            };
            self.directives()?;
            let selections_of = if self.peek() == Some(&Token::Punct('{')) {
                self.selection_set()?
            } else {
                Vec::new()
            };
            selections.push(Selection::Field(Field {
                alias,
                name,
                args,
                selections: selections_of,
            }));
        }
        Ok(selections)
    }
}

/// Parses a GraphQL document.
fn parse(query: &str) -> Result<Document, String> {
    let mut parser = Parser {
        tokens: lex(query)?,
        at: 0,
    };
    parser.document()
}

/// A GraphQL error entry.
fn error(message: impl Into<String>) -> Value {
    json!({ "message": message.into() })
}

/// The answer to a GraphQL request, as GitHub's `POST /graphql` sends it: `{"data": ...}`, or
/// `{"errors": [...]}` when the query cannot be answered. `actor` is the caller (`viewer`).
pub(crate) fn answer(st: &mut State, actor: &str, query: &str, variables: &Value) -> Value {
    let doc = match parse(query) {
        Ok(doc) => doc,
        Err(message) => {
            return json!({ "errors": [error(format!("Parse error: {message}"))] });
        }
    };
    match doc.kind.as_str() {
        "query" => {}
        "mutation" => return mutate(st, actor, &doc, variables),
        other => {
            return json!({ "errors": [error(format!(
                "the simulator answers queries and mutations only, not a {other}"
            ))] });
        }
    }
    let st: &State = st;
    let mut ctx = Resolve {
        st,
        doc: &doc,
        variables,
        errors: Vec::new(),
    };
    let mut data = Map::new();
    let root = flatten(&doc, &doc.selections, "Query");
    for field in root {
        let value = match field.name.as_str() {
            "search" => ctx.search(&field),
            "rateLimit" => {
                let full = rate_limit(st);
                ctx.project(&full, &field.selections, "RateLimit")
            }
            "viewer" => {
                let full = actor_node(st, actor);
                ctx.project(&full, &field.selections, "User")
            }
            "repository" => ctx.repository(&field),
            "organization" => ctx.organization(&field),
            "__typename" => json!("Query"),
            other => {
                ctx.errors.push(json!({
                    "message": format!("Field '{other}' doesn't exist on type 'Query'"),
                    "extensions": { "code": "undefinedField", "typeName": "Query", "fieldName": other },
                }));
                Value::Null
            }
        };
        merge_into(&mut data, field.key(), value);
    }
    if ctx.errors.is_empty() {
        json!({ "data": data })
    } else {
        json!({ "errors": ctx.errors })
    }
}

/// Whether a GraphQL document's operation is a mutation (a document that does not parse is
/// not).
pub(crate) fn is_mutation(query: &str) -> bool {
    parse(query).is_ok_and(|doc| doc.kind == "mutation")
}

/// Runs a mutation document's fields in order (the Projects v2 ones the simulator knows),
/// each written to the call log as `actor`'s.
fn mutate(st: &mut State, actor: &str, doc: &Document, variables: &Value) -> Value {
    let mut data = Map::new();
    let mut errors = Vec::new();
    for field in flatten(doc, &doc.selections, "Mutation") {
        if field.name == "__typename" {
            merge_into(&mut data, field.key(), json!("Mutation"));
            continue;
        }
        let input = Resolve {
            st,
            doc,
            variables,
            errors: Vec::new(),
        }
        .arg(&field, "input");
        let Some((target, result)) = st.project_mutation(actor, &field.name, &input) else {
            errors.push(json!({
                "message": format!("Field '{}' doesn't exist on type 'Mutation'", field.name),
                "extensions": { "code": "undefinedField", "typeName": "Mutation", "fieldName": field.name },
            }));
            continue;
        };
        let call = Call {
            actor: actor.to_owned(),
            repo: target.repo,
            number: target.number,
            action: target.action,
            error: result.as_ref().err().map(ToString::to_string),
        };
        let limit = st.history_limit;
        push_bounded(&mut st.calls, call, limit);
        match result {
            Ok(payload) => {
                let mut ctx = Resolve {
                    st,
                    doc,
                    variables,
                    errors: Vec::new(),
                };
                let value = ctx.project(&payload, &field.selections, "");
                errors.extend(ctx.errors);
                merge_into(&mut data, field.key(), value);
            }
            Err(err) => errors.push(github_error(&err, &field.name)),
        }
    }
    if errors.is_empty() {
        json!({ "data": data })
    } else {
        json!({ "errors": errors })
    }
}

/// A GraphQL error entry for a refusal, with GitHub's `type`.
fn github_error(err: &GitHubError, path: &str) -> Value {
    let (kind, message) = match err {
        GitHubError::NotFound(m) => ("NOT_FOUND", m.clone()),
        GitHubError::Forbidden(m) => ("FORBIDDEN", m.clone()),
        GitHubError::Unprocessable(m) => ("UNPROCESSABLE", m.clone()),
        other => ("INTERNAL", other.to_string()),
    };
    json!({ "type": kind, "path": [path], "message": message })
}

/// A field whose value depends on argument `arg` (`issue(number:)`, `field(name:)`): the
/// values for the argument values known, keyed by the argument as text.
fn by_arg(arg: &str, values: Map<String, Value>) -> Value {
    json!({ "__byArg": arg, "values": values })
}

/// The `data` of an answer, or its errors as a [`GitHubError::Unprocessable`] (what the
/// in-memory face's `graphql` returns).
pub(crate) fn data_or_error(answer: Value) -> GitHubResult<Value> {
    match answer.get("errors").and_then(Value::as_array) {
        Some(errors) if !errors.is_empty() => {
            let messages: Vec<&str> = errors
                .iter()
                .filter_map(|e| e.get("message").and_then(Value::as_str))
                .collect();
            Err(GitHubError::Unprocessable(messages.join("; ")))
        }
        _ => Ok(answer.get("data").cloned().unwrap_or(Value::Null)),
    }
}

/// The fields a selection set selects on an object of type `typename`, fragments spread in.
fn flatten(doc: &Document, selections: &[Selection], typename: &str) -> Vec<Field> {
    let mut out = Vec::new();
    for selection in selections {
        match selection {
            Selection::Field(field) => out.push(field.clone()),
            Selection::Inline(on, inner) => {
                if on.as_deref().is_none_or(|on| on == typename) {
                    out.extend(flatten(doc, inner, typename));
                }
            }
            Selection::Spread(name) => {
                if let Some((on, inner)) = doc.fragments.get(name)
                    && on == typename
                {
                    out.extend(flatten(doc, inner, typename));
                }
            }
        }
    }
    out
}

/// Puts `value` under `key`, merging objects selected twice.
fn merge_into(map: &mut Map<String, Value>, key: &str, value: Value) {
    match (map.get_mut(key), value) {
        (Some(Value::Object(existing)), Value::Object(more)) => {
            for (k, v) in more {
                merge_into(existing, &k, v);
            }
        }
        (Some(Value::Array(existing)), Value::Array(more)) if existing.len() == more.len() => {
            for (slot, v) in existing.iter_mut().zip(more) {
                if let (Value::Object(a), Value::Object(b)) = (slot, v) {
                    for (k, v) in b {
                        merge_into(a, &k, v);
                    }
                }
            }
        }
        (_, value) => {
            map.insert(key.to_owned(), value);
        }
    }
}

/// The state of one resolution: where errors collect.
struct Resolve<'a> {
    st: &'a State,
    doc: &'a Document,
    variables: &'a Value,
    errors: Vec<Value>,
}

impl Resolve<'_> {
    /// A value of the query, variables substituted.
    fn json(&self, val: &Val) -> Value {
        match val {
            Val::Var(name) => match self.variables.get(name) {
                Some(value) => value.clone(),
                None => self
                    .doc
                    .defaults
                    .get(name)
                    .map(|v| self.json(v))
                    .unwrap_or(Value::Null),
            },
            Val::Int(n) => json!(n),
            Val::Float(f) => json!(f),
            Val::Str(s) | Val::Enum(s) => json!(s),
            Val::Bool(b) => json!(b),
            Val::Null => Value::Null,
            Val::List(items) => Value::Array(items.iter().map(|v| self.json(v)).collect()),
            Val::Object(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.clone(), self.json(v)))
                    .collect(),
            ),
        }
    }

    /// Argument `name` of `field`.
    fn arg(&self, field: &Field, name: &str) -> Value {
        field
            .args
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| self.json(v))
            .unwrap_or(Value::Null)
    }

    /// A page size argument: `None` when absent, an error past GitHub's limit.
    fn page_size(&mut self, field: &Field, name: &str) -> Result<Option<usize>, ()> {
        match self.arg(field, name) {
            Value::Null => Ok(None),
            value => match value.as_u64() {
                Some(n) if n as usize <= MAX_PAGE => Ok(Some(n as usize)),
                _ => {
                    self.errors.push(error(format!(
                        "Requesting {value} records on the `{}` connection exceeds the `{name}` \
                         limit of {MAX_PAGE} records.",
                        field.name
                    )));
                    Err(())
                }
            },
        }
    }

    /// Cuts a whole object (`full`, of type `typename`) down to the selected fields.
    fn project(&mut self, full: &Value, selections: &[Selection], typename: &str) -> Value {
        match full {
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|item| self.project(item, selections, typename))
                    .collect(),
            ),
            Value::Object(object) if !selections.is_empty() => {
                let typename = object
                    .get("__typename")
                    .and_then(Value::as_str)
                    .unwrap_or(typename)
                    .to_owned();
                let mut out = Map::new();
                for field in flatten(self.doc, selections, &typename) {
                    let value = if field.name == "__typename" {
                        json!(typename)
                    } else if let Some(value) = object.get(&field.name) {
                        let value = self.select_by_arg(&field, value);
                        let value = self.connection_args(&field, &value);
                        self.project(&value, &field.selections, "")
                    } else {
                        self.errors.push(json!({
                            "message": format!(
                                "Field '{}' doesn't exist on type '{typename}'",
                                field.name
                            ),
                            "extensions": {
                                "code": "undefinedField",
                                "typeName": typename,
                                "fieldName": field.name,
                            },
                        }));
                        Value::Null
                    };
                    merge_into(&mut out, field.key(), value);
                }
                Value::Object(out)
            }
            other => other.clone(),
        }
    }

    /// The value of a field built [`by_arg`]: the one for the field's argument (`null` for
    /// an argument value nobody built); any other value as it is.
    fn select_by_arg(&mut self, field: &Field, value: &Value) -> Value {
        let Some(arg) = value.get("__byArg").and_then(Value::as_str) else {
            return value.clone();
        };
        let key = match self.arg(field, arg) {
            Value::String(text) => text,
            Value::Null => return Value::Null,
            other => other.to_string(),
        };
        value["values"].get(&key).cloned().unwrap_or(Value::Null)
    }

    /// Applies `after`, `first` and `last` to a connection (an object with `nodes`), with
    /// its `edges` and `pageInfo` to match.
    fn connection_args(&mut self, field: &Field, value: &Value) -> Value {
        let Some(nodes) = value.get("nodes").and_then(Value::as_array) else {
            return value.clone();
        };
        let (Ok(first), Ok(last)) = (
            self.page_size(field, "first"),
            self.page_size(field, "last"),
        ) else {
            return Value::Null;
        };
        let total = nodes.len();
        let mut start = match self.arg(field, "after") {
            Value::Null => 0,
            Value::String(text) => match decode_cursor(&text) {
                Some(offset) => offset.min(total),
                None => {
                    self.errors.push(error(format!(
                        "`{text}` does not appear to be a valid cursor."
                    )));
                    return Value::Null;
                }
            },
            other => {
                self.errors.push(error(format!(
                    "`{other}` does not appear to be a valid cursor."
                )));
                return Value::Null;
            }
        };
        let mut end = total;
        if let Some(first) = first {
            end = end.min(start + first);
        }
        if let Some(last) = last {
            start = start.max(end.saturating_sub(last));
        }
        let kept = &nodes[start..end];
        let mut value = value.clone();
        if let Value::Object(map) = &mut value {
            map.insert("nodes".to_owned(), Value::Array(kept.to_vec()));
            map.insert(
                "edges".to_owned(),
                Value::Array(
                    kept.iter()
                        .enumerate()
                        .map(|(i, node)| json!({ "cursor": cursor(start + i + 1), "node": node }))
                        .collect(),
                ),
            );
            if map.contains_key("pageInfo") {
                let some = start < end;
                map.insert(
                    "pageInfo".to_owned(),
                    json!({
                        "__typename": "PageInfo",
                        "hasNextPage": end < total,
                        "hasPreviousPage": start > 0,
                        "startCursor": some.then(|| cursor(start + 1)),
                        "endCursor": some.then(|| cursor(end)),
                    }),
                );
            }
        }
        value
    }

    /// `repository(owner:, name:)`, with the issues and pull requests its selection asks for
    /// by number (`issue`, `pullRequest`, `issueOrPullRequest`), each with its project items.
    fn repository(&mut self, field: &Field) -> Value {
        let owner = self.arg(field, "owner");
        let name = self.arg(field, "name");
        let (Some(owner), Some(name)) = (owner.as_str(), name.as_str()) else {
            self.errors.push(error(
                "Field 'repository' is missing required arguments: owner, name",
            ));
            return Value::Null;
        };
        let st = self.st;
        let Ok(rec) = st.repo(&RepoName::new(owner, name)) else {
            self.errors.push(json!({
                "type": "NOT_FOUND",
                "path": ["repository"],
                "message": format!("Could not resolve to a Repository with the name '{owner}/{name}'."),
            }));
            return Value::Null;
        };
        let mut full = repository_node(st, rec);
        let kinds = ["issue", "pullRequest", "issueOrPullRequest"];
        let mut asked: Vec<(String, Map<String, Value>)> = kinds
            .iter()
            .map(|k| ((*k).to_owned(), Map::new()))
            .collect();
        for sub in flatten(self.doc, &field.selections, "Repository") {
            let Some(slot) = asked.iter_mut().find(|(k, _)| *k == sub.name) else {
                continue;
            };
            let Some(number) = self.arg(&sub, "number").as_u64() else {
                continue;
            };
            let found = rec
                .issues
                .get(&number)
                .filter(|issue| match sub.name.as_str() {
                    "issue" => issue.pull.is_none(),
                    "pullRequest" => issue.pull.is_some(),
                    _ => true,
                });
            match found {
                Some(issue) => {
                    slot.1
                        .insert(number.to_string(), issue_with_project_items(st, rec, issue));
                }
                None => {
                    let what = match sub.name.as_str() {
                        "issue" => "an Issue",
                        "pullRequest" => "a PullRequest",
                        _ => "an issue or pull request",
                    };
                    self.errors.push(json!({
                        "type": "NOT_FOUND",
                        "path": ["repository", sub.key()],
                        "message": format!("Could not resolve to {what} with the number of {number}."),
                    }));
                }
            }
        }
        if let Value::Object(map) = &mut full {
            for (kind, values) in asked {
                map.insert(kind, by_arg("number", values));
            }
        }
        self.project(&full, &field.selections, "Repository")
    }

    /// `organization(login:)`, with its projects (`projectsV2`, `projectV2(number:)`).
    fn organization(&mut self, field: &Field) -> Value {
        let login = self.arg(field, "login");
        let Some(login) = login.as_str() else {
            self.errors.push(error(
                "Field 'organization' is missing required arguments: login",
            ));
            return Value::Null;
        };
        let st = self.st;
        let Some(org) = st.orgs.get(&login_key(login)) else {
            self.errors.push(json!({
                "type": "NOT_FOUND",
                "path": ["organization"],
                "message": format!("Could not resolve to an Organization with the login of '{login}'."),
            }));
            return Value::Null;
        };
        let projects = st.org_projects(login);
        let by_number: Map<String, Value> = projects
            .iter()
            .map(|p| (p.number.to_string(), project_node(st, p, true)))
            .collect();
        let user = st.user(&org.login);
        let full = json!({
            "__typename": "Organization",
            "id": user.node_id,
            "databaseId": user.id,
            "login": org.login,
            "name": user.name,
            "url": format!("{}/{}", st.web_url, org.login),
            "projectsV2": connection(
                "ProjectV2Connection",
                projects.iter().map(|p| project_node(st, p, true)).collect(),
            ),
            "projectV2": by_arg("number", by_number),
        });
        self.project(&full, &field.selections, "Organization")
    }

    /// `search(type: ISSUE, first:, after:, query:)`: pages of the issue search, each node
    /// whole before projection.
    fn search(&mut self, field: &Field) -> Value {
        let kind = self.arg(field, "type");
        if kind != json!("ISSUE") {
            self.errors.push(error(format!(
                "the simulator searches issues only (type: ISSUE), not {kind}"
            )));
            return Value::Null;
        }
        let query = self.arg(field, "query");
        let Some(query) = query.as_str() else {
            self.errors.push(error(
                "Argument 'query' on Field 'search' has an invalid value",
            ));
            return Value::Null;
        };
        let Ok(first) = self.page_size(field, "first") else {
            return Value::Null;
        };
        let first = first.unwrap_or(MAX_PAGE);
        let start = match self.arg(field, "after") {
            Value::Null => 0,
            Value::String(cursor) => match decode_cursor(&cursor) {
                Some(offset) => offset,
                None => {
                    self.errors.push(error(format!(
                        "`{cursor}` does not appear to be a valid cursor."
                    )));
                    return Value::Null;
                }
            },
            other => {
                self.errors.push(error(format!(
                    "`{other}` does not appear to be a valid cursor."
                )));
                return Value::Null;
            }
        };
        let matches = match self.st.search_matches(query) {
            Ok(matches) => matches,
            Err(err) => {
                self.errors.push(error(err.to_string()));
                return Value::Null;
            }
        };
        let total = matches.len();
        let page: Vec<(usize, Value)> = matches
            .into_iter()
            .enumerate()
            .skip(start)
            .take(first)
            .map(|(i, (rec, issue))| (i + 1, issue_node(self.st, rec, issue)))
            .collect();
        let end = page.last().map(|(i, _)| *i);
        let begin = page.first().map(|(i, _)| *i);
        let full = json!({
            "__typename": "SearchResultItemConnection",
            "issueCount": total,
            "pageInfo": {
                "__typename": "PageInfo",
                "hasNextPage": end.is_some_and(|end| end < total),
                "hasPreviousPage": start > 0,
                "endCursor": end.map(cursor),
                "startCursor": begin.map(cursor),
            },
            "edges": page
                .iter()
                .map(|(i, node)| json!({ "__typename": "SearchResultItemEdge", "cursor": cursor(*i), "node": node }))
                .collect::<Vec<_>>(),
            "nodes": page.into_iter().map(|(_, node)| node).collect::<Vec<_>>(),
        });
        self.project(&full, &field.selections, "SearchResultItemConnection")
    }
}

/// GitHub's opaque cursor for the `n`th result (1-based): `cursor:n` in base64.
fn cursor(n: usize) -> String {
    base64::encode(format!("cursor:{n}").as_bytes())
}

/// The offset after the result a cursor names.
fn decode_cursor(text: &str) -> Option<usize> {
    let plain = String::from_utf8(base64::decode(text)?).ok()?;
    plain.strip_prefix("cursor:")?.parse().ok()
}

/// A time as GraphQL's `DateTime`.
fn time(at: DateTime<Utc>) -> Value {
    json!(at.to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// `rateLimit`.
fn rate_limit(st: &State) -> Value {
    let (limit, remaining, reset_in) = match st.fault_state.rate_limit(&st.faults) {
        Some(status) => (status.limit, status.remaining, status.reset_in),
        None => (5000, 5000, std::time::Duration::from_secs(3600)),
    };
    let reset = st.now() + chrono::Duration::seconds(reset_in.as_secs() as i64);
    json!({
        "__typename": "RateLimit",
        "cost": 1,
        "limit": limit,
        "remaining": remaining,
        "used": limit - remaining.min(limit),
        "nodeCount": 0,
        "resetAt": time(reset),
    })
}

/// An account as an `Actor` (`User`, `Bot` or `Organization`).
fn actor_node(st: &State, login: &str) -> Value {
    let user = st.user(login);
    let typename = match user.user_type.as_str() {
        "Bot" => "Bot",
        "Organization" => "Organization",
        _ => "User",
    };
    json!({
        "__typename": typename,
        "login": user.login,
        "id": user.node_id,
        "databaseId": user.id,
        "url": user.html_url,
        "resourcePath": format!("/{}", user.login),
        "avatarUrl": format!("{}/avatars/u/{}?v=4", st.web_url, user.id),
        "name": user.name,
        "email": user.email,
    })
}

/// A connection holding `nodes`.
fn connection(typename: &str, nodes: Vec<Value>) -> Value {
    json!({
        "__typename": typename,
        "totalCount": nodes.len(),
        "pageInfo": { "__typename": "PageInfo", "hasNextPage": false, "hasPreviousPage": false, "endCursor": null, "startCursor": null },
        "nodes": nodes,
    })
}

/// A repository node.
fn repository_node(st: &State, rec: &RepoRec) -> Value {
    let owner_type = if st.orgs.contains_key(&login_key(&rec.name.org)) {
        "Organization"
    } else {
        "User"
    };
    json!({
        "__typename": "Repository",
        "id": node_id("R", rec.id),
        "databaseId": rec.id,
        "name": rec.name.repo,
        "nameWithOwner": rec.name.to_string(),
        "owner": { "__typename": owner_type, "login": rec.name.org, "url": format!("{}/{}", st.web_url, rec.name.org) },
        "url": format!("{}/{}", st.web_url, rec.name),
        "isPrivate": rec.private,
        "isArchived": rec.archived,
        "isFork": false,
        "defaultBranchRef": { "__typename": "Ref", "name": rec.default_branch, "prefix": "refs/heads/" },
    })
}

/// A ref node for branch `name` at `sha` (`null` when the branch is gone).
fn ref_node(name: &str, sha: Option<&String>) -> Value {
    match sha {
        Some(sha) => json!({
            "__typename": "Ref",
            "name": name,
            "prefix": "refs/heads/",
            "target": { "__typename": "Commit", "oid": sha },
        }),
        None => Value::Null,
    }
}

/// A commit node with its status and status-check rollup.
fn commit_node(st: &State, rec: &RepoRec, sha: &str) -> Value {
    let statuses = st.latest_statuses(&rec.name, sha).unwrap_or_default();
    let contexts: Vec<Value> = statuses
        .iter()
        .map(|s| {
            let created = rec
                .statuses
                .get(sha)
                .and_then(|all| all.iter().rev().find(|r| r.context == s.context))
                .map(|r| time(r.created))
                .unwrap_or(Value::Null);
            json!({
                "__typename": "StatusContext",
                "context": s.context,
                "state": s.state.to_uppercase(),
                "targetUrl": if s.target_url.is_empty() { Value::Null } else { json!(s.target_url) },
                "description": if s.description.is_empty() { Value::Null } else { json!(s.description) },
                "createdAt": created,
            })
        })
        .collect();
    let status_state = combined_state(statuses.iter().map(|s| s.state.as_str())).to_uppercase();
    let status = if statuses.is_empty() {
        Value::Null
    } else {
        json!({ "__typename": "Status", "state": status_state, "contexts": contexts })
    };
    let runs: Vec<Value> = rec
        .check_runs
        .iter()
        .filter(|run| run.head_sha == sha)
        .map(|run| {
            json!({
                "__typename": "CheckRun",
                "name": run.name,
                "status": run.status.to_uppercase(),
                "conclusion": run.conclusion.as_ref().map(|c| c.to_uppercase()),
                "detailsUrl": run.details_url,
                "url": run.html_url,
                "startedAt": run.started_at.map(time),
                "completedAt": run.completed_at.map(time),
            })
        })
        .collect();
    let check_states = rec
        .check_runs
        .iter()
        .filter(|run| run.head_sha == sha)
        .map(
            |run| match (run.status.as_str(), run.conclusion.as_deref()) {
                ("completed", Some("success" | "neutral" | "skipped")) => "success",
                ("completed", _) => "failure",
                _ => "pending",
            },
        );
    let rollup_states: Vec<&str> = statuses
        .iter()
        .map(|s| s.state.as_str())
        .chain(check_states)
        .collect();
    let rollup = if rollup_states.is_empty() {
        Value::Null
    } else {
        let mut nodes = contexts.clone();
        nodes.extend(runs);
        json!({
            "__typename": "StatusCheckRollup",
            "state": combined_state(rollup_states).to_uppercase(),
            "contexts": connection("StatusCheckRollupContextConnection", nodes),
        })
    };
    let commit = rec.commit(sha);
    let message = commit.map(|c| c.message.clone()).unwrap_or_default();
    json!({
        "__typename": "Commit",
        "id": node_id("C", u64::from_str_radix(&sha[..sha.len().min(12)], 16).unwrap_or_default()),
        "oid": sha,
        "abbreviatedOid": &sha[..sha.len().min(7)],
        "message": message,
        "messageHeadline": message.lines().next().unwrap_or_default(),
        "committedDate": commit.map(|c| time(c.time)).unwrap_or(Value::Null),
        "authoredDate": commit.map(|c| time(c.time)).unwrap_or(Value::Null),
        "url": format!("{}/{}/commit/{sha}", st.web_url, rec.name),
        "status": status,
        "statusCheckRollup": rollup,
    })
}

/// A project's `Status` field.
fn status_field_node(project: &ProjectRec) -> Value {
    let options: Vec<Value> = project
        .options
        .iter()
        .map(|(id, name)| {
            json!({ "__typename": "ProjectV2SingleSelectFieldOption", "id": id, "name": name })
        })
        .collect();
    json!({
        "__typename": "ProjectV2SingleSelectField",
        "id": project.field_node_id(),
        "name": STATUS_FIELD,
        "dataType": "SINGLE_SELECT",
        "options": options,
    })
}

/// A project, with its items when `with_items` (an item's `project` has none, so nodes do
/// not nest forever).
fn project_node(st: &State, project: &ProjectRec, with_items: bool) -> Value {
    let field = status_field_node(project);
    let mut fields = Map::new();
    fields.insert(STATUS_FIELD.to_owned(), field.clone());
    let mut node = json!({
        "__typename": "ProjectV2",
        "id": project.node_id(),
        "databaseId": project.id,
        "number": project.number,
        "title": project.title,
        "closed": project.closed,
        "url": format!("{}/orgs/{}/projects/{}", st.web_url, project.org, project.number),
        "field": by_arg("name", fields),
        "fields": connection("ProjectV2FieldConfigurationConnection", vec![field]),
    });
    if with_items && let Value::Object(map) = &mut node {
        let items = project
            .items
            .iter()
            .map(|item| project_item_node(st, project, item))
            .collect();
        map.insert(
            "items".to_owned(),
            connection("ProjectV2ItemConnection", items),
        );
    }
    node
}

/// An item of a project: its project, its content, and its `Status` value.
pub(crate) fn project_item_node(st: &State, project: &ProjectRec, item: &ItemRec) -> Value {
    let content = st.repo(&item.repo).ok().and_then(|rec| {
        rec.issues.get(&item.number).map(|issue| {
            let (typename, id) = match &issue.pull {
                Some(pull) => ("PullRequest", node_id("PR", pull.id)),
                None => ("Issue", node_id("I", issue.id)),
            };
            let kind = if issue.pull.is_some() {
                "pull"
            } else {
                "issues"
            };
            json!({
                "__typename": typename,
                "id": id,
                "number": issue.number,
                "title": issue.title,
                "url": format!("{}/{}/{kind}/{}", st.web_url, rec.name, issue.number),
                "repository": repository_node(st, rec),
            })
        })
    });
    let kind = match &content {
        Some(c) if c["__typename"] == "PullRequest" => "PULL_REQUEST",
        _ => "ISSUE",
    };
    let status = item.status.as_deref().and_then(|option| {
        project.option_name(option).map(|name| {
            json!({
                "__typename": "ProjectV2ItemFieldSingleSelectValue",
                "name": name,
                "optionId": option,
                "field": status_field_node(project),
            })
        })
    });
    let mut values = Map::new();
    if let Some(status) = &status {
        values.insert(STATUS_FIELD.to_owned(), status.clone());
    }
    json!({
        "__typename": "ProjectV2Item",
        "id": node_id("PVTI", item.id),
        "databaseId": item.id,
        "type": kind,
        "isArchived": false,
        "project": project_node(st, project, false),
        "content": content,
        "fieldValueByName": by_arg("name", values),
        "fieldValues": connection(
            "ProjectV2ItemFieldValueConnection",
            status.into_iter().collect(),
        ),
    })
}

/// An issue or pull request node with the items that put it on projects.
fn issue_with_project_items(st: &State, rec: &RepoRec, issue: &IssueRec) -> Value {
    let mut node = issue_node(st, rec, issue);
    let items = st
        .items_of(&rec.name, issue.number)
        .into_iter()
        .map(|(project, item)| project_item_node(st, project, item))
        .collect();
    if let Value::Object(map) = &mut node {
        map.insert(
            "projectItems".to_owned(),
            connection("ProjectV2ItemConnection", items),
        );
    }
    node
}

/// GitHub's review decision: each reviewer's latest approval or change request counts.
fn review_decision(pull: &PullRec) -> &'static str {
    let mut latest: Vec<(&str, &ReviewState)> = Vec::new();
    for review in &pull.reviews {
        if matches!(
            review.state,
            ReviewState::Approved | ReviewState::ChangesRequested | ReviewState::Dismissed
        ) {
            latest.retain(|(who, _)| *who != review.author);
            latest.push((&review.author, &review.state));
        }
    }
    if latest
        .iter()
        .any(|(_, s)| **s == ReviewState::ChangesRequested)
    {
        "CHANGES_REQUESTED"
    } else if latest.iter().any(|(_, s)| **s == ReviewState::Approved) {
        "APPROVED"
    } else {
        "REVIEW_REQUIRED"
    }
}

/// A search result: a whole `PullRequest` node, or an `Issue` node.
fn issue_node(st: &State, rec: &RepoRec, issue: &IssueRec) -> Value {
    let labels: Vec<Value> = issue
        .labels
        .iter()
        .filter_map(|name| rec.label(name))
        .map(|label| {
            json!({
                "__typename": "Label",
                "id": node_id("LA", label.id),
                "name": label.name,
                "color": label.color,
                "description": label.description,
            })
        })
        .collect();
    let milestone = issue
        .milestone
        .and_then(|m| rec.milestones.get(&m))
        .map(|m| {
            json!({
                "__typename": "Milestone",
                "id": node_id("MI", rec.id * 1000 + m.number),
                "number": m.number,
                "title": m.title,
                "state": if m.open { "OPEN" } else { "CLOSED" },
            })
        })
        .unwrap_or(Value::Null);
    let assignees: Vec<Value> = issue.assignees.iter().map(|a| actor_node(st, a)).collect();
    let common = json!({
        "number": issue.number,
        "title": issue.title,
        "body": issue.body,
        "author": actor_node(st, &issue.author),
        "authorAssociation": st.author_association(rec, &issue.author),
        "createdAt": time(issue.created),
        "updatedAt": time(issue.updated),
        "closedAt": issue.closed_at.map(time),
        "closed": !issue.open,
        "locked": issue.locked,
        "repository": repository_node(st, rec),
        "labels": connection("LabelConnection", labels),
        "milestone": milestone,
        "assignees": connection("UserConnection", assignees),
    });
    let Some(pull) = &issue.pull else {
        let mut node = common;
        if let Value::Object(map) = &mut node {
            map.insert("__typename".into(), json!("Issue"));
            map.insert("id".into(), json!(node_id("I", issue.id)));
            map.insert(
                "url".into(),
                json!(format!(
                    "{}/{}/issues/{}",
                    st.web_url, rec.name, issue.number
                )),
            );
            map.insert(
                "state".into(),
                json!(if issue.open { "OPEN" } else { "CLOSED" }),
            );
        }
        return node;
    };
    let head_sha = rec.head_sha(pull);
    let base_tip = rec.branches.get(&pull.base_ref);
    let mergeable = rec.mergeable(issue, pull);
    let mergeable_text = match mergeable {
        Some(true) => "MERGEABLE",
        Some(false) => "CONFLICTING",
        None => "UNKNOWN",
    };
    let head_statuses = st.latest_statuses(&rec.name, &head_sha).unwrap_or_default();
    let failing = head_statuses
        .iter()
        .any(|s| matches!(s.state.as_str(), "error" | "failure" | "pending"));
    let required_unmet = rec
        .required_contexts
        .get(&pull.base_ref)
        .is_some_and(|required| {
            required.iter().any(|context| {
                !head_statuses
                    .iter()
                    .any(|s| s.context == *context && s.state == "success")
            })
        });
    let merge_state = if pull.draft {
        "DRAFT"
    } else {
        match mergeable {
            Some(false) => "DIRTY",
            None => "UNKNOWN",
            Some(true) if required_unmet => "BLOCKED",
            Some(true) if failing => "UNSTABLE",
            Some(true) => "CLEAN",
        }
    };
    let state = if pull.merged {
        "MERGED"
    } else if issue.open {
        "OPEN"
    } else {
        "CLOSED"
    };
    let commits: Vec<Value> = st
        .pull_commits(rec, pull)
        .iter()
        .map(|sha| {
            json!({
                "__typename": "PullRequestCommit",
                "commit": commit_node(st, rec, sha),
            })
        })
        .collect();
    let base_sha = rec.base_sha(pull);
    let merge_base = rec.merge_base(&base_sha, &head_sha);
    let changes = st.changes_between(rec, merge_base.as_deref(), &head_sha);
    let head_owner_type = if st.orgs.contains_key(&login_key(&pull.head.owner)) {
        "Organization"
    } else {
        "User"
    };
    let mut node = common;
    if let Value::Object(map) = &mut node {
        let pairs = [
            ("__typename", json!("PullRequest")),
            ("id", json!(node_id("PR", pull.id))),
            ("databaseId", json!(pull.id)),
            (
                "url",
                json!(format!("{}/{}/pull/{}", st.web_url, rec.name, issue.number)),
            ),
            (
                "permalink",
                json!(format!("{}/{}/pull/{}", st.web_url, rec.name, issue.number)),
            ),
            ("state", json!(state)),
            ("merged", json!(pull.merged)),
            ("mergedAt", json!(pull.merged_at.map(time))),
            ("isDraft", json!(pull.draft)),
            ("baseRef", ref_node(&pull.base_ref, base_tip)),
            ("baseRefName", json!(pull.base_ref)),
            ("baseRefOid", json!(base_sha)),
            (
                "headRef",
                ref_node(&pull.head.branch, rec.head_branch_sha(&pull.head).as_ref()),
            ),
            ("headRefName", json!(pull.head.branch)),
            ("headRefOid", json!(head_sha)),
            (
                "headRepositoryOwner",
                json!({ "__typename": head_owner_type, "login": pull.head.owner }),
            ),
            ("isCrossRepository", json!(!pull.same_repo)),
            ("mergeable", json!(mergeable_text)),
            ("mergeStateStatus", json!(merge_state)),
            ("canBeRebased", json!(mergeable == Some(true))),
            ("reviewDecision", json!(review_decision(pull))),
            (
                "commits",
                connection("PullRequestCommitConnection", commits),
            ),
            ("changedFiles", json!(changes.len())),
            (
                "additions",
                json!(changes.iter().map(|c| c.additions).sum::<u64>()),
            ),
            (
                "deletions",
                json!(changes.iter().map(|c| c.deletions).sum::<u64>()),
            ),
        ];
        for (key, value) in pairs {
            map.insert(key.to_owned(), value);
        }
    }
    node
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The query upstream Tide's GraphQL client sends, as its library writes it.
    pub(crate) const TIDE_QUERY: &str = "query($query:String!$searchCursor:String){rateLimit{cost,remaining},search(type: ISSUE, first: 37, after: $searchCursor, query: $query){pageInfo{hasNextPage,endCursor},nodes{... on PullRequest{number,author{login},authorMetadata:author{__typename},baseRef{name,prefix},headRefName,headRefOid,mergeable,mergeStateStatus,canBeRebased,repository{name,nameWithOwner,owner{login}},reviewDecision,commits(last: 4){nodes{commit{status{contexts{context,description,state}},oid,statusCheckRollup{contexts(last: 100){nodes{... on CheckRun{name,conclusion,status}}}}}}},labels(first: 100){nodes{name}},milestone{title},body,title,updatedAt}}}}";

    #[test]
    fn parses_tides_query() {
        let doc = parse(TIDE_QUERY).unwrap();
        assert_eq!(doc.kind, "query");
        let root = flatten(&doc, &doc.selections, "Query");
        let names: Vec<&str> = root.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["rateLimit", "search"]);
        let search = &root[1];
        assert_eq!(
            search.args,
            [
                ("type".to_owned(), Val::Enum("ISSUE".into())),
                ("first".to_owned(), Val::Int(37)),
                ("after".to_owned(), Val::Var("searchCursor".into())),
                ("query".to_owned(), Val::Var("query".into())),
            ]
        );
        let nodes = flatten(&doc, &search.selections, "SearchResultItemConnection");
        let pr = flatten(&doc, &nodes[1].selections, "PullRequest");
        let alias = pr.iter().find(|f| f.key() == "authorMetadata").unwrap();
        assert_eq!(alias.name, "author");
        assert!(flatten(&doc, &nodes[1].selections, "Issue").is_empty());
    }

    #[test]
    fn parses_the_rest_of_the_grammar() {
        let query = r#"
            # a comment
            query Named($q: String! = "is:pr", $n: [Int!]) @dir(x: 1) {
              a: viewer { login ...F }
              search(query: $q, type: ISSUE, first: 2, extra: {k: [1, 2.5, true, null, "s\n\u0041"]}) {
                issueCount
              }
            }
            fragment F on User { name }
        "#;
        let doc = parse(query).unwrap();
        assert_eq!(doc.defaults.get("q"), Some(&Val::Str("is:pr".into())));
        assert!(doc.fragments.contains_key("F"));
        for bad in [
            "{",
            "query { a(b: ) }",
            "{ a } }",
            "\"open",
            "mutation",
            "{ a.b }",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cursors_round_trip() {
        assert_eq!(cursor(100), "Y3Vyc29yOjEwMA==");
        assert_eq!(decode_cursor(&cursor(37)), Some(37));
        assert_eq!(decode_cursor("bm9wZQ=="), None);
    }
}
