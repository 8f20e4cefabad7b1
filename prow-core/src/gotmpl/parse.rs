//! The template parser: items into a tree of text, actions and control structures, with
//! Go's checks (defined functions and variables, balanced `end`s) and error messages.

use std::collections::BTreeMap;

use serde_json::{Number, Value};

use super::lex::{Item, Kind, lex};
use super::{ErrorKind, TemplateError, line_col};

/// A byte range of the template text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: usize,
    pub end: usize,
}

/// A node of the template tree.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    Text(String),
    Action(Pipe),
    If(Control),
    With(Control),
    Range(Control),
    Template {
        span: Span,
        name: String,
        pipe: Option<Pipe>,
    },
    Break,
    Continue,
}

/// The parts of `if`, `with` and `range`.
#[derive(Debug, Clone)]
pub(crate) struct Control {
    pub pipe: Pipe,
    pub list: Vec<Node>,
    pub else_list: Option<Vec<Node>>,
}

/// A pipeline, with the variables it declares or assigns.
#[derive(Debug, Clone)]
pub(crate) struct Pipe {
    pub span: Span,
    pub decl: Vec<String>,
    pub is_assign: bool,
    pub cmds: Vec<Cmd>,
}

/// One stage of a pipeline: a function, method-less value or field with arguments.
#[derive(Debug, Clone)]
pub(crate) struct Cmd {
    pub span: Span,
    pub args: Vec<Arg>,
}

/// An operand.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    /// `.A.B`
    Field(Span, Vec<String>),
    /// `$x.A.B` (`$x` alone has no fields).
    Variable(Span, String, Vec<String>),
    /// `(pipeline).A.B`
    Chain(Span, Box<Pipe>, Vec<String>),
    /// A function name.
    Function(Span, String),
    Dot(Span),
    Nil(Span),
    /// A constant: bool, number or string.
    Const(Span, Value),
}

impl Arg {
    pub fn span(&self) -> Span {
        match self {
            Arg::Field(s, _)
            | Arg::Variable(s, _, _)
            | Arg::Chain(s, _, _)
            | Arg::Function(s, _)
            | Arg::Dot(s)
            | Arg::Nil(s)
            | Arg::Const(s, _) => *s,
        }
    }
}

/// The builtin functions.
pub(crate) const FUNCTIONS: &[&str] = &[
    "and", "call", "html", "index", "slice", "js", "len", "not", "or", "print", "printf",
    "println", "urlquery", "eq", "ge", "gt", "le", "lt", "ne",
];

/// A parsed template text: the main tree and the templates it defines.
pub(crate) struct Parsed {
    pub root: Vec<Node>,
    pub root_is_blank: bool,
    pub defines: Vec<(String, Vec<Node>)>,
}

struct Parser<'a> {
    name: &'a str,
    text: &'a str,
    items: Vec<Item>,
    i: usize,
    vars: Vec<String>,
    range_depth: usize,
    defines: Vec<(String, Vec<Node>)>,
}

/// What ended a list of nodes.
enum End {
    End,
    Else(usize),
}

type PResult<T> = Result<T, TemplateError>;

pub(crate) fn parse(name: &str, text: &str) -> PResult<Parsed> {
    let items = lex(text).map_err(|e| {
        let (line, col) = line_col(text, e.pos);
        TemplateError {
            kind: ErrorKind::Parse,
            name: name.to_string(),
            line,
            col,
            context: String::new(),
            message: e.message,
        }
    })?;
    let mut p = Parser {
        name,
        text,
        items,
        i: 0,
        vars: vec!["$".into()],
        range_depth: 0,
        defines: Vec::new(),
    };
    let mut root = Vec::new();
    loop {
        if p.peek().kind == Kind::Eof {
            break;
        }
        if p.peek().kind == Kind::LeftDelim {
            let delim = p.next();
            if p.peek_non_space().kind == Kind::Define {
                p.next_non_space();
                p.parse_definition()?;
                continue;
            }
            p.backup_to(delim);
        }
        match p.text_or_action()? {
            Parsed1::Node(n) => root.push(n),
            Parsed1::End(pos) => return Err(p.error_at(pos, "unexpected {{end}}")),
            Parsed1::Else(pos) => return Err(p.error_at(pos, "unexpected {{else}}")),
        }
    }
    let root_is_blank = root
        .iter()
        .all(|n| matches!(n, Node::Text(t) if t.trim().is_empty()));
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut defines = Vec::new();
    for (n, nodes) in p.defines {
        // Later definitions of a name win, except that a blank one never replaces
        // another.
        let blank = nodes
            .iter()
            .all(|n| matches!(n, Node::Text(t) if t.trim().is_empty()));
        if let Some(&at) = seen.get(&n) {
            if !blank {
                defines[at] = (n, nodes);
            }
        } else {
            seen.insert(n.clone(), defines.len());
            defines.push((n, nodes));
        }
    }
    Ok(Parsed {
        root,
        root_is_blank,
        defines,
    })
}

enum Parsed1 {
    Node(Node),
    End(usize),
    Else(usize),
}

impl Parser<'_> {
    fn peek(&self) -> &Item {
        &self.items[self.i]
    }

    fn next(&mut self) -> Item {
        let it = self.items[self.i].clone();
        if it.kind != Kind::Eof {
            self.i += 1;
        }
        it
    }

    /// Steps back so that `item`, read earlier, is the next item again.
    fn backup_to(&mut self, item: Item) {
        while self.i > 0
            && !(self.items[self.i].pos == item.pos && self.items[self.i].kind == item.kind)
        {
            self.i -= 1;
        }
    }

    fn next_non_space(&mut self) -> Item {
        loop {
            let it = self.next();
            if it.kind != Kind::Space {
                return it;
            }
        }
    }

    fn peek_non_space(&mut self) -> Item {
        let save = self.i;
        let it = self.next_non_space();
        self.i = save;
        it
    }

    fn error_at(&self, pos: usize, message: impl Into<String>) -> TemplateError {
        let (line, col) = line_col(self.text, pos);
        TemplateError {
            kind: ErrorKind::Parse,
            name: self.name.to_string(),
            line,
            col,
            context: String::new(),
            message: message.into(),
        }
    }

    fn unexpected(&self, item: &Item, context: &str) -> TemplateError {
        let what = match item.kind {
            Kind::Eof => "EOF".to_string(),
            Kind::RightDelim | Kind::LeftDelim => format!("{:?}", item.val),
            _ => format!("<{}>", item.val),
        };
        let msg = if item.kind == Kind::Eof {
            "unexpected EOF".to_string()
        } else {
            format!("unexpected {what} in {context}")
        };
        self.error_at(item.pos, msg)
    }

    fn expect(&mut self, kind: Kind, context: &str) -> PResult<Item> {
        let it = self.next_non_space();
        if it.kind != kind {
            return Err(self.unexpected(&it, context));
        }
        Ok(it)
    }

    /// `{{define "name"}} ... {{end}}`, after the `define` keyword.
    fn parse_definition(&mut self) -> PResult<()> {
        let name_item = self.next_non_space();
        let name = match name_item.kind {
            Kind::Str | Kind::RawStr => unquote(&name_item.val).ok_or_else(|| {
                self.error_at(name_item.pos, format!("invalid syntax: {}", name_item.val))
            })?,
            _ => return Err(self.unexpected(&name_item, "define clause")),
        };
        self.expect(Kind::RightDelim, "define clause")?;
        let saved_vars = std::mem::replace(&mut self.vars, vec!["$".into()]);
        let (list, end) = self.item_list()?;
        self.vars = saved_vars;
        match end {
            End::End => {}
            End::Else(p) => return Err(self.error_at(p, "unexpected {{else}}")),
        }
        self.defines.push((name, list));
        Ok(())
    }

    /// Nodes up to `{{end}}` or `{{else}}`.
    fn item_list(&mut self) -> PResult<(Vec<Node>, End)> {
        let mut list = Vec::new();
        loop {
            if self.peek().kind == Kind::Eof {
                return Err(self.error_at(self.peek().pos, "unexpected EOF"));
            }
            match self.text_or_action()? {
                Parsed1::Node(n) => list.push(n),
                Parsed1::End(_) => return Ok((list, End::End)),
                Parsed1::Else(p) => return Ok((list, End::Else(p))),
            }
        }
    }

    fn text_or_action(&mut self) -> PResult<Parsed1> {
        let it = self.next();
        match it.kind {
            Kind::Text => Ok(Parsed1::Node(Node::Text(it.val))),
            Kind::LeftDelim => self.action(it.pos),
            _ => Err(self.unexpected(&it, "input")),
        }
    }

    fn action(&mut self, delim_pos: usize) -> PResult<Parsed1> {
        let it = self.next_non_space();
        let node = match it.kind {
            Kind::Block => self.block_control(it.pos)?,
            Kind::Break => self.break_control(it.pos, "break")?,
            Kind::Continue => self.break_control(it.pos, "continue")?,
            Kind::Else => return self.else_control(it.pos).map(|_| Parsed1::Else(it.pos)),
            Kind::End => {
                self.expect(Kind::RightDelim, "end")?;
                return Ok(Parsed1::End(delim_pos));
            }
            Kind::If => Node::If(self.control("if")?),
            Kind::Range => {
                self.range_depth += 1;
                let c = self.control("range");
                self.range_depth -= 1;
                Node::Range(c?)
            }
            Kind::With => Node::With(self.control("with")?),
            Kind::Template => self.template_control(it.pos)?,
            Kind::Define => {
                return Err(self.error_at(it.pos, "unexpected <define> in command"));
            }
            _ => {
                self.backup_to(it);
                Node::Action(self.pipeline("command", Kind::RightDelim)?)
            }
        };
        Ok(Parsed1::Node(node))
    }

    fn break_control(&mut self, pos: usize, word: &str) -> PResult<Node> {
        let it = self.next_non_space();
        if it.kind != Kind::RightDelim {
            return Err(self.unexpected(&it, &format!("{{{{{word}}}}}")));
        }
        if self.range_depth == 0 {
            return Err(self.error_at(pos, format!("{{{{{word}}}}} outside {{{{range}}}}")));
        }
        Ok(if word == "break" {
            Node::Break
        } else {
            Node::Continue
        })
    }

    /// After `{{else`: either `}}`, or `if`/`with` starting a chained control whose
    /// keyword is left for the caller to see.
    fn else_control(&mut self, pos: usize) -> PResult<()> {
        let peek = self.peek_non_space();
        if matches!(peek.kind, Kind::If | Kind::With) {
            return Ok(());
        }
        let it = self.next_non_space();
        if it.kind != Kind::RightDelim {
            return Err(self.error_at(pos, format!("unexpected {} in else", describe(&it))));
        }
        Ok(())
    }

    fn control(&mut self, context: &str) -> PResult<Control> {
        let mark = self.vars.len();
        let pipe = self.pipeline(context, Kind::RightDelim)?;
        let (list, end) = self.item_list()?;
        let mut else_list = None;
        if let End::Else(_) = end {
            // `{{else if ...}}` and `{{else with ...}}` nest a control that shares our
            // `{{end}}`.
            let peek = self.peek_non_space();
            if (context == "if" && peek.kind == Kind::If)
                || (context == "with" && peek.kind == Kind::With)
            {
                self.next_non_space();
                let nested = self.control(context)?;
                else_list = Some(vec![if context == "if" {
                    Node::If(nested)
                } else {
                    Node::With(nested)
                }]);
            } else {
                let (list, end) = self.item_list()?;
                match end {
                    End::End => {}
                    End::Else(p) => return Err(self.error_at(p, "expected end; found {{else}}")),
                }
                else_list = Some(list);
            }
        }
        self.vars.truncate(mark);
        Ok(Control {
            pipe,
            list,
            else_list,
        })
    }

    fn template_control(&mut self, pos: usize) -> PResult<Node> {
        let it = self.next_non_space();
        let name = match it.kind {
            Kind::Str | Kind::RawStr => unquote(&it.val)
                .ok_or_else(|| self.error_at(it.pos, format!("invalid syntax: {}", it.val)))?,
            _ => return Err(self.unexpected(&it, "template clause")),
        };
        let pipe = if self.peek_non_space().kind != Kind::RightDelim {
            Some(self.pipeline("template clause", Kind::RightDelim)?)
        } else {
            self.next_non_space();
            None
        };
        let end = pipe.as_ref().map_or(it.pos + it.val.len(), |p| p.span.end);
        Ok(Node::Template {
            span: Span { start: pos, end },
            name,
            pipe,
        })
    }

    /// `{{block "name" pipeline}} list {{end}}`: defines `name` and executes it.
    fn block_control(&mut self, pos: usize) -> PResult<Node> {
        let it = self.next_non_space();
        let name = match it.kind {
            Kind::Str | Kind::RawStr => unquote(&it.val)
                .ok_or_else(|| self.error_at(it.pos, format!("invalid syntax: {}", it.val)))?,
            _ => return Err(self.unexpected(&it, "block clause")),
        };
        let pipe = if self.peek_non_space().kind != Kind::RightDelim {
            Some(self.pipeline("block clause", Kind::RightDelim)?)
        } else {
            self.next_non_space();
            None
        };
        let saved_vars = std::mem::replace(&mut self.vars, vec!["$".into()]);
        let (list, end) = self.item_list()?;
        self.vars = saved_vars;
        match end {
            End::End => {}
            End::Else(p) => return Err(self.error_at(p, "unexpected {{else}}")),
        }
        self.defines.push((name.clone(), list));
        let end = pipe.as_ref().map_or(it.pos + it.val.len(), |p| p.span.end);
        Ok(Node::Template {
            span: Span { start: pos, end },
            name,
            pipe,
        })
    }

    fn pipeline(&mut self, context: &str, end: Kind) -> PResult<Pipe> {
        let start = self.peek_non_space().pos;
        let mut decl = Vec::new();
        let mut is_assign = false;
        // Declarations: `$x :=`, `$x =`, and in range `$i, $e :=`.
        loop {
            let save = self.i;
            let v = self.next_non_space();
            if v.kind != Kind::Variable {
                self.i = save;
                break;
            }
            let next = self.peek_non_space();
            match next.kind {
                Kind::Assign | Kind::Declare => {
                    is_assign = next.kind == Kind::Assign;
                    self.next_non_space();
                    if is_assign && !self.vars.contains(&v.val) {
                        return Err(self.error_at(v.pos, format!("undefined variable {:?}", v.val)));
                    }
                    decl.push(v.val.clone());
                    if !is_assign {
                        self.vars.push(v.val);
                    }
                    break;
                }
                Kind::Char if next.val == "," => {
                    self.next_non_space();
                    decl.push(v.val.clone());
                    self.vars.push(v.val);
                    if context == "range" && decl.len() < 2 {
                        match self.peek_non_space().kind {
                            Kind::Variable | Kind::RightDelim | Kind::RightParen => continue,
                            _ => {
                                return Err(
                                    self.error_at(next.pos, "range can only initialize variables")
                                );
                            }
                        }
                    }
                    return Err(
                        self.error_at(next.pos, format!("too many declarations in {context}"))
                    );
                }
                _ => {
                    self.i = save;
                    break;
                }
            }
        }
        let mut cmds = Vec::new();
        loop {
            let it = self.next_non_space();
            if it.kind == end {
                if cmds.is_empty() {
                    return Err(self.error_at(it.pos, format!("missing value for {context}")));
                }
                for (i, c) in cmds.iter().enumerate().skip(1) {
                    let c: &Cmd = c;
                    if matches!(c.args[0], Arg::Const(..) | Arg::Dot(_) | Arg::Nil(_)) {
                        return Err(self.error_at(
                            c.span.start,
                            format!("non executable command in pipeline stage {}", i + 1),
                        ));
                    }
                }
                let span_end = cmds.last().map_or(start, |c: &Cmd| c.span.end);
                return Ok(Pipe {
                    span: Span {
                        start,
                        end: span_end,
                    },
                    decl,
                    is_assign,
                    cmds,
                });
            }
            match it.kind {
                Kind::Bool
                | Kind::CharConstant
                | Kind::Dot
                | Kind::Field
                | Kind::Identifier
                | Kind::Number
                | Kind::Nil
                | Kind::RawStr
                | Kind::Str
                | Kind::Variable
                | Kind::LeftParen => {
                    self.backup_to(it);
                    cmds.push(self.command()?);
                }
                _ => return Err(self.unexpected(&it, context)),
            }
        }
    }

    fn command(&mut self) -> PResult<Cmd> {
        let start = self.peek_non_space().pos;
        let mut args = Vec::new();
        loop {
            if let Some(op) = self.operand()? {
                args.push(op);
            }
            let it = self.next();
            match it.kind {
                Kind::Space => continue,
                Kind::RightDelim | Kind::RightParen => self.backup_to(it),
                Kind::Pipe => {}
                _ => return Err(self.unexpected(&it, "operand")),
            }
            break;
        }
        if args.is_empty() {
            return Err(self.error_at(start, "empty command"));
        }
        let end = args.last().map_or(start, |a| a.span().end);
        Ok(Cmd {
            span: Span { start, end },
            args,
        })
    }

    fn operand(&mut self) -> PResult<Option<Arg>> {
        let Some(term) = self.term()? else {
            return Ok(None);
        };
        if self.peek().kind != Kind::Field {
            return Ok(Some(term));
        }
        let mut fields = Vec::new();
        let mut end = term.span().end;
        while self.peek().kind == Kind::Field {
            let f = self.next();
            end = f.pos + f.val.len();
            fields.push(f.val[1..].to_string());
        }
        let start = term.span().start;
        let span = Span { start, end };
        Ok(Some(match term {
            Arg::Field(_, mut base) => {
                base.extend(fields);
                Arg::Field(span, base)
            }
            Arg::Variable(_, name, mut base) => {
                base.extend(fields);
                Arg::Variable(span, name, base)
            }
            Arg::Chain(_, pipe, mut base) => {
                base.extend(fields);
                Arg::Chain(span, pipe, base)
            }
            Arg::Const(..) | Arg::Nil(_) | Arg::Dot(_) => {
                return Err(self.error_at(
                    start,
                    format!(
                        "unexpected . after term {:?}",
                        &self.text[start..term.span().end]
                    ),
                ));
            }
            Arg::Function(..) => {
                return Err(self.error_at(start, "function cannot be followed by a field"));
            }
        }))
    }

    fn term(&mut self) -> PResult<Option<Arg>> {
        let it = self.next_non_space();
        let span = Span {
            start: it.pos,
            end: it.pos + it.val.len(),
        };
        let arg = match it.kind {
            Kind::Identifier => {
                if !FUNCTIONS.contains(&it.val.as_str()) {
                    return Err(self.error_at(it.pos, format!("function {:?} not defined", it.val)));
                }
                Arg::Function(span, it.val)
            }
            Kind::Dot => Arg::Dot(span),
            Kind::Nil => Arg::Nil(span),
            Kind::Variable => {
                if !self.vars.contains(&it.val) {
                    return Err(self.error_at(it.pos, format!("undefined variable {:?}", it.val)));
                }
                Arg::Variable(span, it.val, Vec::new())
            }
            Kind::Field => Arg::Field(span, vec![it.val[1..].to_string()]),
            Kind::Bool => Arg::Const(span, Value::Bool(it.val == "true")),
            Kind::CharConstant => {
                let c = unquote_char(&it.val).ok_or_else(|| {
                    self.error_at(it.pos, format!("malformed character constant: {}", it.val))
                })?;
                Arg::Const(span, Value::from(c as u32))
            }
            Kind::Number => {
                let n = parse_number(&it.val).ok_or_else(|| {
                    self.error_at(it.pos, format!("illegal number syntax: {:?}", it.val))
                })?;
                Arg::Const(span, Value::Number(n))
            }
            Kind::LeftParen => {
                let pipe = self.pipeline("parenthesized pipeline", Kind::RightParen)?;
                let end = pipe.span.end;
                let close = self.text[end..].find(')').map_or(end, |i| end + i + 1);
                Arg::Chain(
                    Span {
                        start: it.pos,
                        end: close,
                    },
                    Box::new(pipe),
                    Vec::new(),
                )
            }
            Kind::Str | Kind::RawStr => {
                let s = unquote(&it.val)
                    .ok_or_else(|| self.error_at(it.pos, format!("invalid syntax: {}", it.val)))?;
                Arg::Const(span, Value::String(s))
            }
            _ => {
                self.backup_to(it);
                return Ok(None);
            }
        };
        Ok(Some(arg))
    }
}

fn describe(it: &Item) -> String {
    match it.kind {
        Kind::Eof => "EOF".into(),
        _ => format!("<{}>", it.val),
    }
}

/// A Go number literal as a JSON number: an integer when it is one, else a float.
fn parse_number(text: &str) -> Option<Number> {
    if text.ends_with('i') {
        return None;
    }
    let clean: String = text.chars().filter(|&c| c != '_').collect();
    let (neg, body) = match clean.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, clean.strip_prefix('+').unwrap_or(&clean)),
    };
    let radix = |p: &str| {
        body.strip_prefix(p)
            .or_else(|| body.strip_prefix(&p.to_uppercase()))
    };
    let int = if let Some(h) = radix("0x") {
        if h.contains(['.', 'p', 'P']) {
            None
        } else {
            u64::from_str_radix(h, 16).ok()
        }
    } else if let Some(o) = radix("0o") {
        u64::from_str_radix(o, 8).ok()
    } else if let Some(b) = radix("0b") {
        u64::from_str_radix(b, 2).ok()
    } else if body.len() > 1 && body.starts_with('0') && body.bytes().all(|b| b.is_ascii_digit()) {
        u64::from_str_radix(&body[1..], 8).ok()
    } else {
        body.parse::<u64>().ok()
    };
    if let Some(u) = int {
        return if neg {
            i64::try_from(u).ok().map(|i| Number::from(-i))
        } else {
            Some(Number::from(u))
        };
    }
    if body.starts_with("0x") || body.starts_with("0X") {
        return None;
    }
    let f: f64 = clean.parse().ok()?;
    if f.fract() == 0.0 && f.abs() < 9.0e15 && !body.contains(['.', 'e', 'E']) {
        return Some(Number::from(f as i64));
    }
    Number::from_f64(f)
}

/// The value of a Go `"..."` or `` `...` `` string literal.
pub(crate) fn unquote(lit: &str) -> Option<String> {
    if let Some(raw) = lit.strip_prefix('`') {
        return raw.strip_suffix('`').map(|s| s.replace('\r', ""));
    }
    let body = lit.strip_prefix('"')?.strip_suffix('"')?;
    unescape(body, '"')
}

fn unquote_char(lit: &str) -> Option<char> {
    let body = lit.strip_prefix('\'')?.strip_suffix('\'')?;
    let s = unescape(body, '\'')?;
    let mut chars = s.chars();
    let c = chars.next()?;
    chars.next().is_none().then_some(c)
}

fn unescape(body: &str, quote: char) -> Option<String> {
    let mut out = String::new();
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c == quote {
            return None;
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        let e = chars.next()?;
        let hex = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>, n: usize| {
            let s: String = (0..n).filter_map(|_| chars.next()).collect();
            (s.len() == n)
                .then(|| u32::from_str_radix(&s, 16).ok())
                .flatten()
        };
        match e {
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'f' => out.push('\x0c'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\x0b'),
            '\\' => out.push('\\'),
            '\'' if quote == '\'' => out.push('\''),
            '"' if quote == '"' => out.push('"'),
            'x' => out.push(char::from_u32(hex(&mut chars, 2)?)?),
            'u' => out.push(char::from_u32(hex(&mut chars, 4)?)?),
            'U' => out.push(char::from_u32(hex(&mut chars, 8)?)?),
            '0'..='7' => {
                let a = e.to_digit(8)?;
                let b = chars.next()?.to_digit(8)?;
                let c = chars.next()?.to_digit(8)?;
                out.push(char::from_u32(a * 64 + b * 8 + c)?);
            }
            _ => return None,
        }
    }
    Some(out)
}
