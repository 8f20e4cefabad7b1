//! The template lexer: text, delimiters and the items inside actions, as Go's
//! `text/template/parse` lexer produces them.

/// What an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    LeftDelim,
    RightDelim,
    Space,
    /// `=`
    Assign,
    /// `:=`
    Declare,
    Pipe,
    LeftParen,
    RightParen,
    /// Another single printable character, such as `,`.
    Char,
    Bool,
    CharConstant,
    Number,
    Str,
    RawStr,
    /// `.Name` (the value holds the whole `.Name`).
    Field,
    /// `$` or `$name`.
    Variable,
    Identifier,
    Dot,
    Nil,
    // Keywords.
    Block,
    Break,
    Continue,
    Define,
    Else,
    End,
    If,
    Range,
    Template,
    With,
    Eof,
}

/// One lexed item: its kind, text and byte offset in the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Item {
    pub kind: Kind,
    pub val: String,
    pub pos: usize,
}

/// A lexing failure at a byte offset.
#[derive(Debug)]
pub(crate) struct LexError {
    pub pos: usize,
    pub message: String,
}

const LEFT: &str = "{{";
const RIGHT: &str = "}}";

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

fn has_left_trim(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && b[0] == b'-' && is_space(b[1])
}

fn has_right_trim(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && is_space(b[0]) && b[1] == b'-'
}

struct Lexer<'a> {
    input: &'a str,
    pos: usize,
    items: Vec<Item>,
    paren_depth: usize,
}

/// Lexes a whole template.
pub(crate) fn lex(input: &str) -> Result<Vec<Item>, LexError> {
    let mut l = Lexer {
        input,
        pos: 0,
        items: Vec::new(),
        paren_depth: 0,
    };
    l.run()?;
    Ok(l.items)
}

impl<'a> Lexer<'a> {
    fn rest(&self) -> &'a str {
        &self.input[self.pos..]
    }

    fn emit(&mut self, kind: Kind, start: usize, end: usize) {
        self.items.push(Item {
            kind,
            val: self.input[start..end].to_string(),
            pos: start,
        });
    }

    fn err<T>(&self, pos: usize, message: impl Into<String>) -> Result<T, LexError> {
        Err(LexError {
            pos,
            message: message.into(),
        })
    }

    fn skip_leading_space(&mut self) {
        while self.pos < self.input.len() && is_space(self.input.as_bytes()[self.pos]) {
            self.pos += 1;
        }
    }

    fn run(&mut self) -> Result<(), LexError> {
        loop {
            let Some(off) = self.rest().find(LEFT) else {
                if self.pos < self.input.len() {
                    self.emit(Kind::Text, self.pos, self.input.len());
                }
                self.items.push(Item {
                    kind: Kind::Eof,
                    val: String::new(),
                    pos: self.input.len(),
                });
                return Ok(());
            };
            let delim = self.pos + off;
            let after = delim + LEFT.len();
            let trim = has_left_trim(&self.input[after..]);
            let mut text_end = delim;
            if trim {
                text_end = self.input[self.pos..delim]
                    .trim_end_matches([' ', '\t', '\r', '\n'])
                    .len()
                    + self.pos;
            }
            if text_end > self.pos {
                self.emit(Kind::Text, self.pos, text_end);
            }
            self.pos = after + if trim { 2 } else { 0 };
            if self.rest().starts_with("/*") {
                self.lex_comment(delim)?;
                continue;
            }
            self.emit(Kind::LeftDelim, delim, after);
            self.paren_depth = 0;
            self.lex_inside_action(delim)?;
        }
    }

    fn lex_comment(&mut self, delim: usize) -> Result<(), LexError> {
        let Some(end) = self.rest().find("*/") else {
            return self.err(delim, "unclosed comment");
        };
        self.pos += end + 2;
        let rest = self.rest();
        if has_right_trim(rest) && rest[2..].starts_with(RIGHT) {
            self.pos += 2 + RIGHT.len();
            self.skip_leading_space();
        } else if rest.starts_with(RIGHT) {
            self.pos += RIGHT.len();
        } else {
            return self.err(delim, "comment ends before closing delimiter");
        }
        Ok(())
    }

    /// Whether the input is at a closing delimiter; with its trim marker if the second
    /// value is set.
    fn at_right_delim(&self) -> Option<bool> {
        let rest = self.rest();
        if has_right_trim(rest) && rest[2..].starts_with(RIGHT) {
            Some(true)
        } else if rest.starts_with(RIGHT) {
            Some(false)
        } else {
            None
        }
    }

    fn lex_inside_action(&mut self, delim: usize) -> Result<(), LexError> {
        loop {
            if let Some(trim) = self.at_right_delim() {
                if self.paren_depth > 0 {
                    return self.err(self.pos, "unclosed left paren");
                }
                let start = self.pos + if trim { 2 } else { 0 };
                self.emit(Kind::RightDelim, start, start + RIGHT.len());
                self.pos = start + RIGHT.len();
                if trim {
                    self.skip_leading_space();
                }
                return Ok(());
            }
            let start = self.pos;
            let Some(c) = self.rest().chars().next() else {
                return self.err(delim.max(start), "unclosed action");
            };
            match c {
                ' ' | '\t' | '\r' | '\n' => {
                    // Stop before a space that starts a trim-marked closing delimiter.
                    while self.pos < self.input.len()
                        && is_space(self.input.as_bytes()[self.pos])
                        && self.at_right_delim() != Some(true)
                    {
                        self.pos += 1;
                    }
                    if self.pos == start {
                        // At " -}}": handled by the next turn of the loop.
                        continue;
                    }
                    self.emit(Kind::Space, start, self.pos);
                }
                '=' => {
                    self.pos += 1;
                    self.emit(Kind::Assign, start, self.pos);
                }
                ':' => {
                    if !self.rest().starts_with(":=") {
                        return self.err(start, "expected :=");
                    }
                    self.pos += 2;
                    self.emit(Kind::Declare, start, self.pos);
                }
                '|' => {
                    self.pos += 1;
                    self.emit(Kind::Pipe, start, self.pos);
                }
                '"' => self.lex_quote(start)?,
                '`' => {
                    let Some(end) = self.input[start + 1..].find('`') else {
                        return self.err(start, "unterminated raw quoted string");
                    };
                    self.pos = start + 1 + end + 1;
                    self.emit(Kind::RawStr, start, self.pos);
                }
                '\'' => self.lex_char(start)?,
                '$' => {
                    self.pos += 1;
                    self.lex_word(start, Kind::Variable)?;
                }
                '.' => {
                    let next = self.input[start + 1..].chars().next();
                    if next.is_some_and(|n| n.is_ascii_digit()) {
                        self.lex_number(start)?;
                    } else if next.is_some_and(is_alnum) {
                        self.pos += 1;
                        self.lex_word(start, Kind::Field)?;
                    } else {
                        self.pos += 1;
                        self.emit(Kind::Dot, start, self.pos);
                    }
                }
                '+' | '-' | '0'..='9' => self.lex_number(start)?,
                c if is_alnum(c) => self.lex_identifier(start)?,
                '(' => {
                    self.pos += 1;
                    self.paren_depth += 1;
                    self.emit(Kind::LeftParen, start, self.pos);
                }
                ')' => {
                    self.pos += 1;
                    if self.paren_depth == 0 {
                        return self.err(start, "unexpected right paren");
                    }
                    self.paren_depth -= 1;
                    self.emit(Kind::RightParen, start, self.pos);
                }
                c if c.is_ascii() && !c.is_ascii_control() => {
                    self.pos += 1;
                    self.emit(Kind::Char, start, self.pos);
                }
                c => {
                    return self.err(
                        start,
                        format!("unrecognized character in action: {}", go_unicode(c)),
                    );
                }
            }
        }
    }

    /// Whether the input is at something that may follow a word.
    fn at_terminator(&self) -> bool {
        let rest = self.rest();
        let Some(c) = rest.chars().next() else {
            return true;
        };
        if is_space(c as u8) && c.is_ascii() {
            return true;
        }
        matches!(c, '.' | ',' | '|' | ':' | ')' | '(') || rest.starts_with(RIGHT)
    }

    /// The alphanumeric rest of a `$var` or `.Field` (`self.pos` is past the sigil).
    fn lex_word(&mut self, start: usize, kind: Kind) -> Result<(), LexError> {
        let len = self
            .rest()
            .char_indices()
            .find(|&(_, c)| !is_alnum(c))
            .map_or(self.rest().len(), |(i, _)| i);
        self.pos += len;
        if !self.at_terminator() {
            let c = self.rest().chars().next().unwrap_or_default();
            return self.err(self.pos, format!("bad character {}", go_unicode(c)));
        }
        self.emit(kind, start, self.pos);
        Ok(())
    }

    fn lex_identifier(&mut self, start: usize) -> Result<(), LexError> {
        let len = self
            .rest()
            .char_indices()
            .find(|&(_, c)| !is_alnum(c))
            .map_or(self.rest().len(), |(i, _)| i);
        self.pos += len;
        if !self.at_terminator() {
            let c = self.rest().chars().next().unwrap_or_default();
            return self.err(self.pos, format!("bad character {}", go_unicode(c)));
        }
        let kind = match &self.input[start..self.pos] {
            "block" => Kind::Block,
            "break" => Kind::Break,
            "continue" => Kind::Continue,
            "define" => Kind::Define,
            "else" => Kind::Else,
            "end" => Kind::End,
            "if" => Kind::If,
            "range" => Kind::Range,
            "template" => Kind::Template,
            "with" => Kind::With,
            "nil" => Kind::Nil,
            "true" | "false" => Kind::Bool,
            _ => Kind::Identifier,
        };
        self.emit(kind, start, self.pos);
        Ok(())
    }

    fn lex_quote(&mut self, start: usize) -> Result<(), LexError> {
        let bytes = self.input.as_bytes();
        let mut i = start + 1;
        loop {
            match bytes.get(i) {
                None | Some(b'\n') => return self.err(start, "unterminated quoted string"),
                Some(b'\\') => {
                    if matches!(bytes.get(i + 1), None | Some(b'\n')) {
                        return self.err(start, "unterminated quoted string");
                    }
                    i += 2;
                }
                Some(b'"') => break,
                Some(_) => i += 1,
            }
        }
        self.pos = i + 1;
        self.emit(Kind::Str, start, self.pos);
        Ok(())
    }

    fn lex_char(&mut self, start: usize) -> Result<(), LexError> {
        let bytes = self.input.as_bytes();
        let mut i = start + 1;
        loop {
            match bytes.get(i) {
                None | Some(b'\n') => return self.err(start, "unterminated character constant"),
                Some(b'\\') => {
                    if matches!(bytes.get(i + 1), None | Some(b'\n')) {
                        return self.err(start, "unterminated character constant");
                    }
                    i += 2;
                }
                Some(b'\'') => break,
                Some(_) => i += 1,
            }
        }
        self.pos = i + 1;
        self.emit(Kind::CharConstant, start, self.pos);
        Ok(())
    }

    fn lex_number(&mut self, start: usize) -> Result<(), LexError> {
        let bytes = self.input.as_bytes();
        let mut i = start;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let mut digits: &[u8] = b"0123456789_";
        let mut exp: &[u8] = b"eE";
        if bytes.get(i) == Some(&b'0') {
            match bytes.get(i + 1) {
                Some(b'x' | b'X') => {
                    i += 2;
                    digits = b"0123456789abcdefABCDEF_";
                    exp = b"pP";
                }
                Some(b'o' | b'O') => {
                    i += 2;
                    digits = b"01234567_";
                }
                Some(b'b' | b'B') => {
                    i += 2;
                    digits = b"01_";
                }
                _ => {}
            }
        }
        let run = |mut i: usize, set: &[u8]| {
            while bytes.get(i).is_some_and(|b| set.contains(b)) {
                i += 1;
            }
            i
        };
        i = run(i, digits);
        if bytes.get(i) == Some(&b'.') {
            i = run(i + 1, digits);
        }
        if digits.len() > 3 && bytes.get(i).is_some_and(|b| exp.contains(b)) {
            i += 1;
            if matches!(bytes.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            i = run(i, b"0123456789_");
        }
        if bytes.get(i) == Some(&b'i') {
            i += 1;
        }
        self.pos = i;
        if self.rest().chars().next().is_some_and(is_alnum) {
            let end = self.pos + self.rest().chars().next().map_or(0, char::len_utf8);
            return self.err(
                start,
                format!("bad number syntax: {:?}", &self.input[start..end]),
            );
        }
        self.emit(Kind::Number, start, self.pos);
        Ok(())
    }
}

/// Go's `%#U` of a character: `U+0041 'A'`.
fn go_unicode(c: char) -> String {
    if c.is_control() {
        format!("U+{:04X}", c as u32)
    } else {
        format!("U+{:04X} '{c}'", c as u32)
    }
}
