//! Template execution over JSON data, with Go's truth, comparison, field lookup and
//! builtin functions.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use super::format::{
    go_type, html_escape, js_escape, print_value, query_escape, sprint, sprintf, sprintln,
};
use super::parse::{Arg, Cmd, Control, Node, Pipe, Span};
use super::{ErrorKind, MissingKey, Template, TemplateError, line_col};

/// A value during execution.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    /// Go's invalid value: a key the map data does not have. Prints `<no value>`.
    Missing,
    /// The empty value of a field left out of struct-like data ([`MissingKey::Zero`]).
    Zero,
    /// A JSON value.
    J(Value),
}

/// How deep `{{template}}` calls may nest.
const MAX_DEPTH: usize = 1000;

/// How a list of nodes finished.
enum Flow {
    Normal,
    Break,
    Continue,
}

struct Failure {
    span: Span,
    message: String,
}

type EResult<T> = Result<T, Failure>;

fn fail<T>(span: Span, message: impl Into<String>) -> EResult<T> {
    Err(Failure {
        span,
        message: message.into(),
    })
}

struct State<'t> {
    tmpl: &'t Template,
    missing: MissingKey,
    vars: Vec<(String, Val)>,
    out: String,
    depth: usize,
}

pub(crate) fn execute(
    tmpl: &Template,
    name: &str,
    data: &Value,
    missing: MissingKey,
) -> Result<String, TemplateError> {
    let Some(tree) = tmpl.trees.get(name) else {
        return Err(TemplateError {
            kind: ErrorKind::Exec,
            name: name.to_string(),
            line: 1,
            col: 0,
            context: String::new(),
            message: format!(
                "no template {name:?} associated with template {:?}",
                tmpl.name
            ),
        });
    };
    let mut st = State {
        tmpl,
        missing,
        vars: vec![("$".into(), Val::J(data.clone()))],
        out: String::new(),
        depth: 0,
    };
    let dot = Val::J(data.clone());
    match st.walk_list(&dot, &tree.nodes, name) {
        Ok(_) => Ok(st.out),
        Err((tname, f)) => {
            let source = &tmpl.trees[&tname].source;
            let (line, col) = line_col(source, f.span.start);
            Err(TemplateError {
                kind: ErrorKind::Exec,
                name: tname,
                line,
                col,
                context: source
                    .get(f.span.start..f.span.end)
                    .unwrap_or_default()
                    .to_string(),
                message: f.message,
            })
        }
    }
}

/// Go's truth: false, 0, nil, and empty strings, arrays and maps are false.
pub(crate) fn truth(v: &Val) -> bool {
    match v {
        Val::Missing | Val::Zero => false,
        Val::J(j) => match j {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
            Value::String(s) => !s.is_empty(),
            Value::Array(a) => !a.is_empty(),
            Value::Object(m) => !m.is_empty(),
        },
    }
}

/// Lowercase without underscores: how Go field names meet JSON keys.
fn fold(s: &str) -> String {
    s.chars()
        .filter(|&c| c != '_' && c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

fn lookup<'a>(m: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    if let Some(v) = m.get(name) {
        return Some(v);
    }
    let want = fold(name);
    m.iter().find(|(k, _)| fold(k) == want).map(|(_, v)| v)
}

type WResult<T> = Result<T, (String, Failure)>;

impl State<'_> {
    fn walk_list(&mut self, dot: &Val, nodes: &[Node], tname: &str) -> WResult<Flow> {
        for n in nodes {
            match self.walk(dot, n, tname)? {
                Flow::Normal => {}
                other => return Ok(other),
            }
        }
        Ok(Flow::Normal)
    }

    fn walk(&mut self, dot: &Val, node: &Node, tname: &str) -> WResult<Flow> {
        let wrap = |f: Failure| (tname.to_string(), f);
        match node {
            Node::Text(t) => self.out.push_str(t),
            Node::Action(pipe) => {
                let v = self.eval_pipeline(dot, pipe).map_err(wrap)?;
                if pipe.decl.is_empty() {
                    let s = print_value(&v);
                    self.out.push_str(&s);
                }
            }
            Node::If(c) | Node::With(c) => {
                let with = matches!(node, Node::With(_));
                let mark = self.vars.len();
                let v = self.eval_pipeline(dot, &c.pipe).map_err(wrap)?;
                let flow = if truth(&v) {
                    let inner = if with { v } else { dot.clone() };
                    self.walk_list(&inner, &c.list, tname)?
                } else if let Some(e) = &c.else_list {
                    self.walk_list(dot, e, tname)?
                } else {
                    Flow::Normal
                };
                self.vars.truncate(mark);
                return Ok(flow);
            }
            Node::Range(c) => return self.walk_range(dot, c, tname),
            Node::Break => return Ok(Flow::Break),
            Node::Continue => return Ok(Flow::Continue),
            Node::Template { span, name, pipe } => {
                let Some(tree) = self.tmpl.trees.get(name) else {
                    return Err(wrap(Failure {
                        span: *span,
                        message: format!("template {name:?} not defined"),
                    }));
                };
                if self.depth >= MAX_DEPTH {
                    return Err(wrap(Failure {
                        span: *span,
                        message: format!("exceeded maximum template depth ({MAX_DEPTH})"),
                    }));
                }
                let new_dot = match pipe {
                    Some(p) => self.eval_pipeline(dot, p).map_err(wrap)?,
                    None => Val::J(Value::Null),
                };
                let saved = std::mem::replace(&mut self.vars, vec![("$".into(), new_dot.clone())]);
                self.depth += 1;
                let r = self.walk_list(&new_dot, &tree.nodes, name);
                self.depth -= 1;
                self.vars = saved;
                r?;
            }
        }
        Ok(Flow::Normal)
    }

    fn walk_range(&mut self, dot: &Val, c: &Control, tname: &str) -> WResult<Flow> {
        let wrap = |f: Failure| (tname.to_string(), f);
        let mark = self.vars.len();
        let v = self.eval_pipeline(dot, &c.pipe).map_err(wrap)?;
        let items: Vec<(Val, Val)> = match &v {
            Val::J(Value::Array(a)) => a
                .iter()
                .enumerate()
                .map(|(i, e)| (Val::J(Value::from(i)), Val::J(e.clone())))
                .collect(),
            Val::J(Value::Object(m)) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                keys.into_iter()
                    .map(|k| (Val::J(Value::String(k.clone())), Val::J(m[k].clone())))
                    .collect()
            }
            Val::J(Value::Number(n)) if n.as_i64().is_some() => {
                if c.pipe.decl.len() > 1 {
                    return Err(wrap(Failure {
                        span: c.pipe.span,
                        message: "can't use 2 variables when ranging over an integer".into(),
                    }));
                }
                (0..n.as_i64().unwrap_or(0).max(0))
                    .map(|i| (Val::J(Value::from(i)), Val::J(Value::from(i))))
                    .collect()
            }
            Val::Missing | Val::Zero | Val::J(Value::Null) => Vec::new(),
            other => {
                return Err(wrap(Failure {
                    span: c.pipe.span,
                    message: format!("range can't iterate over {}", print_value(other)),
                }));
            }
        };
        if items.is_empty() {
            let flow = match &c.else_list {
                Some(e) => self.walk_list(dot, e, tname)?,
                None => Flow::Normal,
            };
            self.vars.truncate(mark);
            return Ok(match flow {
                Flow::Normal => Flow::Normal,
                // break/continue in the else list belong to an enclosing range.
                other => other,
            });
        }
        let iter_mark = self.vars.len();
        for (index, elem) in items {
            let decl = &c.pipe.decl;
            if c.pipe.is_assign {
                if decl.len() > 1 {
                    self.set_var(&decl[0], index.clone());
                    self.set_var(&decl[1], elem.clone());
                } else if let Some(d) = decl.first() {
                    self.set_var(d, elem.clone());
                }
            } else {
                let n = self.vars.len();
                if !decl.is_empty() {
                    self.vars[n - 1].1 = elem.clone();
                }
                if decl.len() > 1 {
                    self.vars[n - 2].1 = index;
                }
            }
            let flow = self.walk_list(&elem, &c.list, tname)?;
            self.vars.truncate(iter_mark);
            match flow {
                Flow::Break => break,
                Flow::Continue | Flow::Normal => {}
            }
        }
        self.vars.truncate(mark);
        Ok(Flow::Normal)
    }

    fn set_var(&mut self, name: &str, v: Val) {
        if let Some(slot) = self.vars.iter_mut().rev().find(|(n, _)| n == name) {
            slot.1 = v;
        }
    }

    fn var(&self, span: Span, name: &str) -> EResult<Val> {
        match self.vars.iter().rev().find(|(n, _)| n == name) {
            Some((_, v)) => Ok(v.clone()),
            None => fail(span, format!("undefined variable: {name}")),
        }
    }

    fn eval_pipeline(&mut self, dot: &Val, pipe: &Pipe) -> EResult<Val> {
        let mut value: Option<Val> = None;
        for cmd in &pipe.cmds {
            value = Some(self.eval_command(dot, cmd, value)?);
        }
        let value = value.unwrap_or(Val::Missing);
        for name in &pipe.decl {
            if pipe.is_assign {
                self.set_var(name, value.clone());
            } else {
                self.vars.push((name.clone(), value.clone()));
            }
        }
        Ok(value)
    }

    fn not_a_function(&self, cmd: &Cmd, final_: &Option<Val>) -> EResult<()> {
        if cmd.args.len() > 1 || final_.is_some() {
            let first = &cmd.args[0];
            let what = match first {
                Arg::Field(_, f) => format!(".{}", f.join(".")),
                Arg::Variable(_, n, f) if f.is_empty() => n.clone(),
                Arg::Variable(_, n, f) => format!("{n}.{}", f.join(".")),
                Arg::Const(_, v) => super::format::sprint_arg(&Val::J(v.clone())),
                Arg::Dot(_) => ".".into(),
                _ => "value".into(),
            };
            return fail(
                cmd.span,
                format!("can't give argument to non-function {what}"),
            );
        }
        Ok(())
    }

    fn eval_command(&mut self, dot: &Val, cmd: &Cmd, final_: Option<Val>) -> EResult<Val> {
        let first = &cmd.args[0];
        match first {
            Arg::Function(span, name) => return self.eval_function(dot, *span, name, cmd, final_),
            Arg::Nil(span) => return fail(*span, "nil is not a command"),
            _ => {}
        }
        self.not_a_function(cmd, &final_)?;
        self.eval_arg(dot, first)
    }

    fn eval_arg(&mut self, dot: &Val, arg: &Arg) -> EResult<Val> {
        match arg {
            Arg::Field(span, fields) => self.field_chain(*span, dot.clone(), fields),
            Arg::Variable(span, name, fields) => {
                let v = self.var(*span, name)?;
                self.field_chain(*span, v, fields)
            }
            Arg::Chain(span, pipe, fields) => {
                let v = self.eval_pipeline(dot, pipe)?;
                self.field_chain(*span, v, fields)
            }
            Arg::Dot(_) => Ok(dot.clone()),
            Arg::Nil(_) => Ok(Val::J(Value::Null)),
            Arg::Const(_, v) => Ok(Val::J(v.clone())),
            Arg::Function(span, name) => {
                // A function as an argument is called without arguments.
                let cmd = Cmd {
                    span: *span,
                    args: vec![arg.clone()],
                };
                self.eval_function(dot, *span, name, &cmd, None)
            }
        }
    }

    fn field_chain(&self, span: Span, mut v: Val, fields: &[String]) -> EResult<Val> {
        for name in fields {
            v = match v {
                Val::Zero => Val::Zero,
                Val::Missing | Val::J(Value::Null) => {
                    if self.missing == MissingKey::Zero {
                        Val::Zero
                    } else {
                        return fail(
                            span,
                            format!("nil pointer evaluating interface {{}}.{name}"),
                        );
                    }
                }
                Val::J(Value::Object(m)) => match lookup(&m, name) {
                    Some(found) => Val::J(found.clone()),
                    None => match self.missing {
                        MissingKey::Default => Val::Missing,
                        MissingKey::Zero => Val::Zero,
                        MissingKey::Error => {
                            return fail(span, format!("map has no entry for key {name:?}"));
                        }
                    },
                },
                other => {
                    return fail(
                        span,
                        format!("can't evaluate field {name} in type {}", go_type(&other)),
                    );
                }
            };
        }
        Ok(v)
    }

    fn eval_args(&mut self, dot: &Val, cmd: &Cmd, final_: Option<Val>) -> EResult<Vec<Val>> {
        let mut args = Vec::with_capacity(cmd.args.len());
        for a in &cmd.args[1..] {
            args.push(self.eval_arg(dot, a)?);
        }
        if let Some(f) = final_ {
            args.push(f);
        }
        Ok(args)
    }

    fn eval_function(
        &mut self,
        dot: &Val,
        span: Span,
        name: &str,
        cmd: &Cmd,
        final_: Option<Val>,
    ) -> EResult<Val> {
        let call_err = |m: String| Failure {
            span,
            message: format!("error calling {name}: {m}"),
        };
        let nargs = cmd.args.len() - 1 + usize::from(final_.is_some());
        let want = |n: usize| -> EResult<()> {
            if nargs != n {
                return fail(
                    span,
                    format!("wrong number of args for {name}: want {n} got {nargs}"),
                );
            }
            Ok(())
        };
        let at_least = |n: usize| -> EResult<()> {
            if nargs < n {
                return fail(
                    span,
                    format!("wrong number of args for {name}: want at least {n} got {nargs}"),
                );
            }
            Ok(())
        };
        // `and` and `or` stop at the first argument that decides the result.
        if name == "and" || name == "or" {
            at_least(1)?;
            let mut last = Val::Missing;
            for a in &cmd.args[1..] {
                last = self.eval_arg(dot, a)?;
                let t = truth(&last);
                if (name == "and" && !t) || (name == "or" && t) {
                    return Ok(last);
                }
            }
            if let Some(f) = final_ {
                last = f;
            }
            return Ok(last);
        }
        let args = self.eval_args(dot, cmd, final_)?;
        match name {
            "not" => {
                want(1)?;
                Ok(Val::J(Value::Bool(!truth(&args[0]))))
            }
            "eq" | "ne" => {
                at_least(if name == "eq" { 1 } else { 2 })?;
                if name == "ne" {
                    want(2)?;
                    return eq(&args[0], &args[1])
                        .map(|b| Val::J(Value::Bool(!b)))
                        .map_err(call_err);
                }
                if args.len() < 2 {
                    return Err(call_err("missing argument for comparison".into()));
                }
                for a in &args[1..] {
                    if eq(&args[0], a).map_err(call_err)? {
                        return Ok(Val::J(Value::Bool(true)));
                    }
                }
                Ok(Val::J(Value::Bool(false)))
            }
            "lt" | "le" | "gt" | "ge" => {
                want(2)?;
                let o = compare(&args[0], &args[1]).map_err(call_err)?;
                let b = match name {
                    "lt" => o == Ordering::Less,
                    "le" => o != Ordering::Greater,
                    "gt" => o == Ordering::Greater,
                    _ => o != Ordering::Less,
                };
                Ok(Val::J(Value::Bool(b)))
            }
            "len" => {
                want(1)?;
                let n = match &args[0] {
                    Val::J(Value::String(s)) => s.len(),
                    Val::J(Value::Array(a)) => a.len(),
                    Val::J(Value::Object(m)) => m.len(),
                    Val::Zero => 0,
                    Val::Missing | Val::J(Value::Null) => {
                        return Err(call_err("len of nil pointer".into()));
                    }
                    other => return Err(call_err(format!("len of type {}", go_type(other)))),
                };
                Ok(Val::J(Value::from(n)))
            }
            "index" => {
                at_least(1)?;
                let mut v = args[0].clone();
                for ix in &args[1..] {
                    v = self.index(v, ix).map_err(call_err)?;
                }
                Ok(v)
            }
            "slice" => {
                at_least(1)?;
                slice(&args[0], &args[1..]).map_err(call_err)
            }
            "print" => Ok(Val::J(Value::String(sprint(&args)))),
            "println" => Ok(Val::J(Value::String(sprintln(&args)))),
            "printf" => {
                at_least(1)?;
                let format = match &args[0] {
                    Val::J(Value::String(s)) => s.clone(),
                    Val::Zero => String::new(),
                    other => {
                        return fail(
                            span,
                            format!(
                                "wrong type for value; expected string; got {}",
                                go_type(other)
                            ),
                        );
                    }
                };
                Ok(Val::J(Value::String(sprintf(&format, &args[1..]))))
            }
            "html" | "js" | "urlquery" => {
                let s = match args.as_slice() {
                    [Val::J(Value::String(s))] => s.clone(),
                    _ => sprint(&args),
                };
                let out = match name {
                    "html" => html_escape(&s),
                    "js" => js_escape(&s),
                    _ => query_escape(&s),
                };
                Ok(Val::J(Value::String(out)))
            }
            "call" => {
                at_least(1)?;
                Err(call_err(format!(
                    "non-function {} of type {}",
                    super::format::sprint_arg(&args[0]),
                    go_type(&args[0])
                )))
            }
            _ => fail(span, format!("{name:?} is not a defined function")),
        }
    }

    fn index(&self, v: Val, ix: &Val) -> Result<Val, String> {
        match v {
            Val::J(Value::Array(a)) => {
                let i = int_index(ix)?;
                usize::try_from(i)
                    .ok()
                    .and_then(|i| a.get(i).cloned())
                    .map(Val::J)
                    .ok_or_else(|| format!("index out of range: {i}"))
            }
            Val::J(Value::String(s)) => {
                let i = int_index(ix)?;
                usize::try_from(i)
                    .ok()
                    .and_then(|i| s.as_bytes().get(i).copied())
                    .map(|b| Val::J(Value::from(b)))
                    .ok_or_else(|| format!("index out of range: {i}"))
            }
            Val::J(Value::Object(m)) => {
                let key = match ix {
                    Val::J(Value::String(k)) => k.clone(),
                    Val::Zero => String::new(),
                    other => {
                        return Err(format!(
                            "value has type {}; should be string",
                            go_type(other)
                        ));
                    }
                };
                Ok(match m.get(&key) {
                    Some(v) => Val::J(v.clone()),
                    None if self.missing == MissingKey::Zero => Val::Zero,
                    None => Val::J(Value::Null),
                })
            }
            Val::Zero if self.missing == MissingKey::Zero => Ok(Val::Zero),
            Val::Missing | Val::Zero | Val::J(Value::Null) => Err("index of untyped nil".into()),
            other => Err(format!("can't index item of type {}", go_type(&other))),
        }
    }
}

fn int_index(v: &Val) -> Result<i64, String> {
    match v {
        Val::J(Value::Number(n)) if n.as_i64().is_some() => Ok(n.as_i64().unwrap_or_default()),
        Val::J(Value::Number(n)) if n.is_u64() => Err(format!("index out of range: {n}")),
        Val::Missing | Val::J(Value::Null) => Err("cannot index slice/array with nil".into()),
        other => Err(format!(
            "cannot index slice/array with type {}",
            go_type(other)
        )),
    }
}

fn slice(item: &Val, ixs: &[Val]) -> Result<Val, String> {
    let len = match item {
        Val::J(Value::String(s)) => s.len(),
        Val::J(Value::Array(a)) => a.len(),
        Val::Missing | Val::J(Value::Null) => return Err("slice of untyped nil".into()),
        other => return Err(format!("can't slice item of type {}", go_type(other))),
    };
    if ixs.len() > 3 {
        return Err(format!("too many slice indexes: {}", ixs.len()));
    }
    if ixs.len() == 3 && matches!(item, Val::J(Value::String(_))) {
        return Err("cannot 3-index slice a string".into());
    }
    let mut idx = [0usize, len, len];
    for (i, v) in ixs.iter().enumerate() {
        let n = int_index(v)?;
        let n = usize::try_from(n).map_err(|_| format!("index out of range: {n}"))?;
        if n > len {
            return Err(format!("index out of range: {n}"));
        }
        idx[i] = n;
    }
    if idx[0] > idx[1] {
        return Err(format!("invalid slice index: {} > {}", idx[0], idx[1]));
    }
    Ok(match item {
        Val::J(Value::String(s)) => Val::J(Value::String(
            String::from_utf8_lossy(&s.as_bytes()[idx[0]..idx[1]]).into_owned(),
        )),
        Val::J(Value::Array(a)) => Val::J(Value::Array(a[idx[0]..idx[1]].to_vec())),
        _ => unreachable!("checked above"),
    })
}

/// A value compared as Go's basic kinds see it.
enum Basic<'a> {
    Nil,
    Bool(bool),
    Num(f64, Option<i128>),
    Str(&'a str),
    Other,
}

fn basic(v: &Val) -> Basic<'_> {
    match v {
        Val::Missing | Val::J(Value::Null) => Basic::Nil,
        Val::Zero => Basic::Nil,
        Val::J(Value::Bool(b)) => Basic::Bool(*b),
        Val::J(Value::Number(n)) => Basic::Num(
            n.as_f64().unwrap_or_default(),
            n.as_i64()
                .map(i128::from)
                .or_else(|| n.as_u64().map(i128::from)),
        ),
        Val::J(Value::String(s)) => Basic::Str(s),
        Val::J(_) => Basic::Other,
    }
}

/// Whether a value equals the empty value of its kind.
fn is_zero(v: &Val) -> bool {
    !matches!(v, Val::J(Value::Array(_) | Value::Object(_))) && !truth(v)
}

fn eq(a: &Val, b: &Val) -> Result<bool, String> {
    // The empty value of a left-out struct field equals every empty value.
    if matches!(a, Val::Zero) || matches!(b, Val::Zero) {
        return Ok(is_zero(a) && is_zero(b));
    }
    Ok(match (basic(a), basic(b)) {
        (Basic::Nil, Basic::Nil) => true,
        (Basic::Nil, _) | (_, Basic::Nil) => false,
        (Basic::Bool(x), Basic::Bool(y)) => x == y,
        (Basic::Str(x), Basic::Str(y)) => x == y,
        (Basic::Num(_, Some(x)), Basic::Num(_, Some(y))) => x == y,
        (Basic::Num(x, _), Basic::Num(y, _)) => x == y,
        (Basic::Other, _) | (_, Basic::Other) => {
            return Err("non-comparable type".into());
        }
        _ => return Err("incompatible types for comparison".into()),
    })
}

fn compare(a: &Val, b: &Val) -> Result<Ordering, String> {
    let zero_str = |v: &Val| matches!(v, Val::Zero).then_some("");
    match (basic(a), basic(b)) {
        (Basic::Str(x), Basic::Str(y)) => Ok(x.cmp(y)),
        (Basic::Str(x), _) if zero_str(b).is_some() => Ok(x.cmp("")),
        (_, Basic::Str(y)) if zero_str(a).is_some() => Ok("".cmp(y)),
        (Basic::Num(_, Some(x)), Basic::Num(_, Some(y))) => Ok(x.cmp(&y)),
        (Basic::Num(x, _), Basic::Num(y, _)) => x
            .partial_cmp(&y)
            .ok_or_else(|| "invalid type for comparison".into()),
        (Basic::Num(x, _), _) if matches!(b, Val::Zero) => x
            .partial_cmp(&0.0)
            .ok_or_else(|| "invalid type for comparison".into()),
        (_, Basic::Num(y, _)) if matches!(a, Val::Zero) => 0.0f64
            .partial_cmp(&y)
            .ok_or_else(|| "invalid type for comparison".into()),
        (Basic::Nil, _) | (_, Basic::Nil) | (Basic::Bool(_), _) | (Basic::Other, _) => {
            Err("invalid type for comparison".into())
        }
        _ => Err("incompatible types for comparison".into()),
    }
}
