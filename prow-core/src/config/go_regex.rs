//! Go (RE2) regular-expression compatibility for patterns written in job
//! configs: Perl classes and word boundaries keep Go's ASCII meaning, and
//! compiled patterns are shared between jobs and built lazily on first use.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, OnceLock};

use regex::{Regex, RegexBuilder};

/// Go's `\d`.
const DIGIT: &str = "0-9";
/// Go's `\w`.
const WORD: &str = "0-9A-Za-z_";
/// Go's `\s` (no vertical tab, unlike Rust's ASCII `\s`).
const SPACE: &str = r"\t\n\x0C\r\x20";

/// Builds a [`Regex`] with Go's RE2 semantics for `\d \w \s \b` (ASCII only)
/// and their negations, inside and outside brackets.
///
/// Non-ASCII literals and `.` keep matching whole Unicode scalar values, as
/// in Go. A few Go-only spellings are accepted too: `\Q…\E` quoting, octal
/// escapes such as `\012`, a `{` that does not start a repetition, and `[`,
/// `&&`, `--` or `~~` inside a bracket (literal in Go, set syntax in Rust).
pub fn go_regex(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(&translate(pattern)).build()
}

/// Checks that `pattern` is a valid Go regex without compiling it, returning
/// the error text Go's `regexp.Compile` would give (as closely as possible).
pub fn check_go_regex(pattern: &str) -> Result<(), GoRegexError> {
    let translated = translate(pattern);
    check_translated(pattern, &translated)
}

fn check_translated(pattern: &str, translated: &str) -> Result<(), GoRegexError> {
    regex_syntax::ParserBuilder::new()
        .build()
        .parse(translated)
        .map(|_| ())
        .map_err(|e| GoRegexError::from_syntax(pattern, translated, &e))
}

/// A regex that Go would reject, described the way Go's regexp package does:
/// ``error parsing regexp: <code>: `<expr>` ``.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoRegexError {
    /// The Go error code text, e.g. `missing closing )`.
    pub code: String,
    /// The offending part of the pattern.
    pub expr: String,
}

impl fmt::Display for GoRegexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error parsing regexp: {}: `{}`", self.code, self.expr)
    }
}

impl std::error::Error for GoRegexError {}

impl GoRegexError {
    fn from_syntax(pattern: &str, translated: &str, err: &regex_syntax::Error) -> GoRegexError {
        use regex_syntax::ast::ErrorKind as A;
        use regex_syntax::hir::ErrorKind as H;
        let (kind_text, span) = match err {
            regex_syntax::Error::Parse(e) => {
                let code = match e.kind() {
                    A::GroupUnclosed => Some("missing closing )"),
                    A::GroupUnopened => Some("unexpected )"),
                    A::ClassUnclosed => Some("missing closing ]"),
                    A::ClassRangeInvalid | A::ClassRangeLiteral => {
                        Some("invalid character class range")
                    }
                    A::RepetitionMissing => Some("missing argument to repetition operator"),
                    A::RepetitionCountInvalid
                    | A::RepetitionCountDecimalEmpty
                    | A::RepetitionCountUnclosed
                    | A::DecimalInvalid
                    | A::DecimalEmpty => Some("invalid repeat count"),
                    A::EscapeUnrecognized
                    | A::EscapeUnexpectedEof
                    | A::EscapeHexEmpty
                    | A::EscapeHexInvalid
                    | A::EscapeHexInvalidDigit
                    | A::UnsupportedBackreference => Some("invalid escape sequence"),
                    A::UnsupportedLookAround
                    | A::FlagUnrecognized
                    | A::FlagDanglingNegation
                    | A::FlagDuplicate { .. }
                    | A::FlagRepeatedNegation { .. }
                    | A::FlagUnexpectedEof
                    | A::GroupNameDuplicate { .. }
                    | A::GroupNameEmpty
                    | A::GroupNameInvalid
                    | A::GroupNameUnexpectedEof => Some("invalid or unsupported Perl syntax"),
                    A::NestLimitExceeded(_) => Some("expression nests too deeply"),
                    _ => None,
                };
                let text = code
                    .map(str::to_string)
                    .unwrap_or_else(|| e.kind().to_string());
                (text, Some(*e.span()))
            }
            regex_syntax::Error::Translate(e) => {
                let code = match e.kind() {
                    H::UnicodePropertyNotFound | H::UnicodePropertyValueNotFound => {
                        Some("invalid character class range")
                    }
                    _ => None,
                };
                let text = code
                    .map(str::to_string)
                    .unwrap_or_else(|| e.kind().to_string());
                (text, Some(*e.span()))
            }
            _ => (err.to_string(), None),
        };
        let whole = matches!(
            kind_text.as_str(),
            "missing closing )" | "unexpected )" | "expression nests too deeply"
        );
        let expr = match span {
            _ if whole => pattern.to_string(),
            Some(span) if translated == pattern => {
                let start = span.start.offset.min(pattern.len());
                let end = span.end.offset.clamp(start, pattern.len());
                let frag = if kind_text == "missing closing ]" {
                    &pattern[start..]
                } else {
                    &pattern[start..end]
                };
                if frag.is_empty() {
                    pattern[start..].chars().take(1).collect()
                } else {
                    frag.to_string()
                }
            }
            _ => pattern.to_string(),
        };
        GoRegexError {
            code: kind_text,
            expr,
        }
    }
}

/// Rewrites a Go regex into the equivalent Rust `regex` syntax.
///
/// Returns the input unchanged (borrowed) when nothing needs rewriting.
pub fn translate(pattern: &str) -> Cow<'_, str> {
    if !pattern.contains(['\\', '[', '{']) {
        return Cow::Borrowed(pattern);
    }
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut in_class = false;
    // True right after `[` or `[^`, where `]` is a literal.
    let mut class_start = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '\\' {
            let Some(n) = next else {
                // Trailing backslash: leave it for the parser to reject.
                out.push('\\');
                break;
            };
            i += 2;
            class_start = false;
            match (n, in_class) {
                ('d', false) => push_class(&mut out, DIGIT, false),
                ('D', false) => push_class(&mut out, DIGIT, true),
                ('w', false) => push_class(&mut out, WORD, false),
                ('W', false) => push_class(&mut out, WORD, true),
                ('s', false) => push_class(&mut out, SPACE, false),
                ('S', false) => push_class(&mut out, SPACE, true),
                ('b', false) => out.push_str(r"(?-u:\b)"),
                ('B', false) => out.push_str(r"(?-u:\B)"),
                ('d', true) => out.push_str(DIGIT),
                ('w', true) => out.push_str(WORD),
                ('s', true) => out.push_str(SPACE),
                ('D', true) => push_class(&mut out, DIGIT, true),
                ('W', true) => push_class(&mut out, WORD, true),
                ('S', true) => push_class(&mut out, SPACE, true),
                ('Q', _) => {
                    // Literal text up to `\E` (or the end of the pattern).
                    while i < chars.len() {
                        if chars[i] == '\\' && chars.get(i + 1) == Some(&'E') {
                            i += 2;
                            break;
                        }
                        push_literal(&mut out, chars[i]);
                        i += 1;
                    }
                }
                ('0'..='7', _) => {
                    // Go's octal escapes: `\0`, `\0N`, `\NN`, `\NNN`; a lone
                    // `\1`..`\7` is a backreference and stays an error.
                    let mut digits = vec![n];
                    while digits.len() < 3 && i < chars.len() && ('0'..='7').contains(&chars[i]) {
                        digits.push(chars[i]);
                        i += 1;
                    }
                    if n != '0' && digits.len() == 1 {
                        out.push('\\');
                        out.push(n);
                    } else {
                        let value = digits
                            .iter()
                            .fold(0u32, |acc, d| acc * 8 + d.to_digit(8).unwrap_or(0));
                        out.push_str(&format!(r"\x{{{value:X}}}"));
                    }
                }
                _ => {
                    out.push('\\');
                    out.push(n);
                }
            }
            continue;
        }
        if in_class {
            match c {
                ']' if !class_start => {
                    in_class = false;
                    out.push(']');
                }
                '[' if next == Some(':') => {
                    // POSIX class such as `[:alpha:]` or `[:^space:]`.
                    let len = posix_class_len(&chars[i..]);
                    if len > 0 {
                        out.extend(&chars[i..i + len]);
                        i += len;
                        class_start = false;
                        continue;
                    }
                    out.push_str(r"\[");
                }
                '[' => out.push_str(r"\["),
                '&' | '~' => {
                    out.push('\\');
                    out.push(c);
                }
                '-' if next == Some('-') => {
                    out.push_str(r"-\-");
                    i += 1;
                }
                _ => out.push(c),
            }
            class_start = false;
            i += 1;
            continue;
        }
        match c {
            '[' => {
                in_class = true;
                class_start = true;
                out.push('[');
                if next == Some('^') {
                    out.push('^');
                    i += 1;
                }
            }
            '{' => {
                let len = repetition_len(&chars[i..]);
                if len > 0 {
                    out.extend(&chars[i..i + len]);
                    i += len;
                    continue;
                }
                out.push_str(r"\{");
            }
            _ => out.push(c),
        }
        i += 1;
    }
    Cow::Owned(out)
}

/// Length of a POSIX class `[:name:]` / `[:^name:]` at the start of
/// `chars`, or 0.
fn posix_class_len(chars: &[char]) -> usize {
    let mut i = 2;
    if chars.get(i) == Some(&'^') {
        i += 1;
    }
    let start = i;
    while chars.get(i).is_some_and(char::is_ascii_alphabetic) {
        i += 1;
    }
    if i > start && chars.get(i) == Some(&':') && chars.get(i + 1) == Some(&']') {
        i + 2
    } else {
        0
    }
}

fn push_class(out: &mut String, items: &str, negated: bool) {
    out.push('[');
    if negated {
        out.push('^');
    }
    out.push_str(items);
    out.push(']');
}

fn push_literal(out: &mut String, c: char) {
    let mut buf = [0u8; 4];
    out.push_str(&regex_syntax::escape(c.encode_utf8(&mut buf)));
}

/// Length of a Go repetition `{n}`, `{n,}` or `{n,m}` at the start of
/// `chars`, or 0 when the brace is a literal in Go.
fn repetition_len(chars: &[char]) -> usize {
    let mut i = 1;
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < chars.len() && chars[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > start
    };
    if !digits(&mut i) {
        return 0;
    }
    if chars.get(i) == Some(&',') {
        i += 1;
        digits(&mut i);
    }
    if chars.get(i) == Some(&'}') { i + 1 } else { 0 }
}

/// A Go regex shared between jobs: syntax-checked up front, compiled once on
/// first use and then reused by every job holding the same `Arc`.
pub struct SharedRegex {
    pattern: String,
    translated: String,
    compiled: OnceLock<Option<Regex>>,
}

impl SharedRegex {
    /// Checks `pattern` and wraps it; compilation happens on first match.
    pub fn new(pattern: &str) -> Result<SharedRegex, GoRegexError> {
        let translated = translate(pattern);
        check_translated(pattern, &translated)?;
        Ok(SharedRegex {
            translated: translated.into_owned(),
            pattern: pattern.to_string(),
            compiled: OnceLock::new(),
        })
    }

    /// Wraps a pattern known to be valid without checking it.
    pub(crate) fn new_unchecked(pattern: String) -> SharedRegex {
        SharedRegex {
            translated: translate(&pattern).into_owned(),
            pattern,
            compiled: OnceLock::new(),
        }
    }

    /// The Go pattern as written in the config.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// The compiled regex (compiled on the first call), or `None` when the
    /// pattern is too large to compile.
    pub fn regex(&self) -> Option<&Regex> {
        self.compiled
            .get_or_init(|| RegexBuilder::new(&self.translated).build().ok())
            .as_ref()
    }

    /// Whether the pattern matches anywhere in `text` (unanchored, like Go's
    /// `MatchString`). A pattern that cannot be compiled matches nothing.
    pub fn is_match(&self, text: &str) -> bool {
        self.regex().is_some_and(|re| re.is_match(text))
    }
}

impl fmt::Debug for SharedRegex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SharedRegex").field(&self.pattern).finish()
    }
}

impl PartialEq for SharedRegex {
    fn eq(&self, other: &Self) -> bool {
        self.pattern == other.pattern
    }
}

/// Pattern-keyed cache so that jobs using the same regex share one
/// [`SharedRegex`] (and one compilation). Keep one across config reloads to
/// reuse already compiled regexes.
#[derive(Default)]
pub struct RegexCache {
    entries: HashMap<String, Result<Arc<SharedRegex>, GoRegexError>>,
}

impl RegexCache {
    /// An empty cache.
    pub fn new() -> RegexCache {
        RegexCache::default()
    }

    /// The shared regex for `pattern`, checking its syntax the first time.
    pub fn get(&mut self, pattern: &str) -> Result<Arc<SharedRegex>, GoRegexError> {
        if let Some(entry) = self.entries.get(pattern) {
            return entry.clone();
        }
        let entry = SharedRegex::new(pattern).map(Arc::new);
        self.entries.insert(pattern.to_string(), entry.clone());
        entry
    }

    /// Number of distinct patterns seen.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no pattern has been seen yet.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl fmt::Debug for RegexCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegexCache")
            .field("patterns", &self.entries.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, text: &str) -> bool {
        go_regex(pattern)
            .unwrap_or_else(|e| panic!("{pattern}: {e}"))
            .is_match(text)
    }

    #[test]
    fn perl_classes_are_ascii() {
        let cases: &[(&str, &str, bool)] = &[
            (r"^\d+$", "123", true),
            (r"^\d+$", "١٢٣", false), // Arabic-Indic digits
            (r"^\D$", "١", true),
            (r"^\w+$", "abc_09", true),
            (r"^\w+$", "héllo", false),
            (r"^\W$", "é", true),
            (r"^\s$", " ", true),
            (r"^\s$", "\u{a0}", false), // no-break space
            (r"^\s$", "\u{0b}", false), // vertical tab is not \s in Go
            (r"^\S$", "\u{0b}", true),
            (r"^[\d]+$", "42", true),
            (r"^[\d]+$", "٤", false),
            (r"^[\w-]+$", "release-1_2", true),
            (r"^[\w-]+$", "ü", false),
            (r"^[^\s]+$", "ab", true),
            (r"^[^\s]+$", "a b", false),
            (r"^[\D]$", "x", true),
            (r"^[\D]$", "7", false),
            (r"^[a\W]$", "é", true),
            (r"^[\S]$", "\u{0b}", true),
        ];
        for (pattern, text, want) in cases {
            assert_eq!(m(pattern, text), *want, "{pattern} on {text:?}");
        }
    }

    #[test]
    fn word_boundary_is_ascii() {
        // Go's \b only knows ASCII word characters: "é" is not one.
        assert!(m(r"\bfoo\b", "a foo b"));
        assert!(!m(r"é\b", "é!"));
        assert!(!m(r"\bfoo\b", "xfoo"));
        assert!(m(r"x\b", "xé"));
        assert!(!m(r"x\B", "xé"));
        assert!(m(r"é\B", "é"));
    }

    #[test]
    fn non_ascii_literals_and_dot_still_work() {
        assert!(m("^héllo$", "héllo"));
        assert!(m("^h.llo$", "héllo"));
        assert!(m("(?i)^ÉTÉ$", "été"));
        assert!(m(r"^\pL+$", "日本"));
        assert!(m(r"^[[:alpha:]]+$", "abc"));
        assert!(m(r"^[[:^digit:]x]+$", "abx"));
        assert!(m(r"^[[:]+$", "[:"));
    }

    #[test]
    fn go_only_spellings() {
        assert!(m(r"^\Qa.b\E$", "a.b"));
        assert!(!m(r"^\Qa.b\E$", "axb"));
        assert!(m(r"^\012$", "\n"));
        assert!(m(r"^a{$", "a{"));
        assert!(m(r"^a{,2}$", "a{,2}"));
        assert!(m(r"^a{2}$", "aa"));
        assert!(m(r"^[[]$", "["));
        assert!(m(r"^[a&&b]+$", "&a"));
        assert!(m(r"^[~~]$", "~"));
        assert!(m(r"^[!--]$", ","));
        assert!(m(r"^[]a]+$", "]a"));
        assert!(m(r"^\\d$", r"\d"));
    }

    #[test]
    fn unchanged_patterns_are_borrowed() {
        assert!(matches!(translate("^main$"), Cow::Borrowed(_)));
        assert_eq!(translate(r"release-\d+\.\d+"), r"release-[0-9]+\.[0-9]+");
    }

    #[test]
    fn errors_read_like_go() {
        let cases: &[(&str, &str)] = &[
            ("(abc", "error parsing regexp: missing closing ): `(abc`"),
            ("abc)", "error parsing regexp: unexpected ): `abc)`"),
            (
                "*a",
                "error parsing regexp: missing argument to repetition operator: `*`",
            ),
            ("[a", "error parsing regexp: missing closing ]: `[a`"),
            (
                "(?=x)",
                "error parsing regexp: invalid or unsupported Perl syntax: `(?=`",
            ),
        ];
        for (pattern, want) in cases {
            let err = check_go_regex(pattern).unwrap_err();
            assert_eq!(err.to_string(), *want, "{pattern}");
            assert!(go_regex(pattern).is_err());
        }
        assert!(check_go_regex(r"\1").is_err());
        assert!(check_go_regex(r"^release-\d+\.\d+$").is_ok());
    }

    #[test]
    fn cache_shares_instances() {
        let mut cache = RegexCache::new();
        let a = cache.get("^main$").unwrap();
        let b = cache.get("^main$").unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(cache.len(), 1);
        assert!(cache.get("(").is_err());
        assert!(a.is_match("main"));
        assert!(!a.is_match("maintenance"));
        assert_eq!(a.pattern(), "^main$");
    }
}
