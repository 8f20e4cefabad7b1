//! Go's `fmt` as templates see it: how values print, `printf` verbs, and the `html`,
//! `js` and `urlquery` escapers.

use serde_json::{Number, Value};

use super::exec::Val;

/// Go's `%v` of a float64: shortest digits, exponent form below 1e-4 and from 1e21 on.
pub(crate) fn go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.into();
    }
    let sci = format!("{f:e}");
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..21).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mant}e{sign}{:02}", exp.abs())
    } else {
        format!("{f}")
    }
}

fn number_string(n: &Number) -> String {
    if let Some(i) = n.as_i64() {
        i.to_string()
    } else if let Some(u) = n.as_u64() {
        u.to_string()
    } else {
        go_float(n.as_f64().unwrap_or_default())
    }
}

/// Go's `%v` of a JSON value inside a container (`nil` is `<nil>`).
fn go_value(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number_string(n)),
        Value::String(s) => out.push_str(s),
        Value::Array(a) => {
            out.push('[');
            for (i, e) in a.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                go_value(e, out);
            }
            out.push(']');
        }
        Value::Object(m) => {
            out.push_str("map[");
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push(':');
                go_value(&m[k], out);
            }
            out.push(']');
        }
    }
}

/// How an action prints a value: `<no value>` for a missing or nil one.
pub(crate) fn print_value(v: &Val) -> String {
    match v {
        Val::Missing | Val::J(Value::Null) => "<no value>".into(),
        Val::Zero => String::new(),
        Val::J(j) => {
            let mut s = String::new();
            go_value(j, &mut s);
            s
        }
    }
}

/// How a function argument prints (Go's `fmt.Sprint` of it): nil is `<nil>`.
pub(crate) fn sprint_arg(v: &Val) -> String {
    match v {
        Val::Missing => "<nil>".into(),
        Val::Zero => String::new(),
        Val::J(j) => {
            let mut s = String::new();
            go_value(j, &mut s);
            s
        }
    }
}

fn is_string(v: &Val) -> bool {
    matches!(v, Val::J(Value::String(_)) | Val::Zero)
}

/// Go's `fmt.Sprint`: spaces between operands when neither is a string.
pub(crate) fn sprint(args: &[Val]) -> String {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 && !is_string(a) && !is_string(&args[i - 1]) {
            out.push(' ');
        }
        out.push_str(&sprint_arg(a));
    }
    out
}

/// Go's `fmt.Sprintln`: spaces between all operands and a final newline.
pub(crate) fn sprintln(args: &[Val]) -> String {
    let parts: Vec<String> = args.iter().map(sprint_arg).collect();
    parts.join(" ") + "\n"
}

/// The Go type a value has when templates read JSON (for `%!d(string=x)`-style messages).
pub(crate) fn go_type(v: &Val) -> &'static str {
    match v {
        Val::Missing | Val::J(Value::Null) => "<nil>",
        Val::Zero => "string",
        Val::J(Value::Bool(_)) => "bool",
        Val::J(Value::Number(n)) if n.is_f64() => "float64",
        Val::J(Value::Number(_)) => "int",
        Val::J(Value::String(_)) => "string",
        Val::J(Value::Array(_)) => "[]interface {}",
        Val::J(Value::Object(_)) => "map[string]interface {}",
    }
}

pub(crate) use crate::prowjob::go_quote;

/// Go's `template.HTMLEscapeString`.
pub(crate) fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Go's `template.JSEscapeString`.
pub(crate) fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 || c.is_control() => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

/// Go's `url.QueryEscape`.
pub(crate) fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[derive(Default, Clone, Copy)]
struct Flags {
    minus: bool,
    plus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

fn pad(s: String, f: &Flags, numeric: bool) -> String {
    let Some(w) = f.width else {
        return s;
    };
    let len = s.chars().count();
    if len >= w {
        return s;
    }
    let fill = w - len;
    if f.minus {
        s + &" ".repeat(fill)
    } else if f.zero && numeric {
        let (sign, digits) = match s.strip_prefix(['-', '+']) {
            Some(d) => (&s[..1], d),
            None => ("", s.as_str()),
        };
        format!("{sign}{}{digits}", "0".repeat(fill))
    } else if f.zero {
        "0".repeat(fill) + &s
    } else {
        " ".repeat(fill) + &s
    }
}

enum Num {
    Int(i128),
    Float(f64),
}

fn as_num(v: &Val) -> Option<Num> {
    match v {
        Val::J(Value::Number(n)) => Some(if let Some(i) = n.as_i64() {
            Num::Int(i128::from(i))
        } else if let Some(u) = n.as_u64() {
            Num::Int(i128::from(u))
        } else {
            Num::Float(n.as_f64().unwrap_or_default())
        }),
        _ => None,
    }
}

fn bad_verb(verb: char, v: &Val) -> String {
    match v {
        Val::Missing | Val::J(Value::Null) => format!("%!{verb}(<nil>)"),
        _ => format!("%!{verb}({}={})", go_type(v), sprint_arg(v)),
    }
}

fn sign(neg: bool, f: &Flags) -> &'static str {
    if neg {
        "-"
    } else if f.plus {
        "+"
    } else if f.space {
        " "
    } else {
        ""
    }
}

fn fmt_int(i: i128, verb: char, f: &Flags) -> String {
    let neg = i < 0;
    let a = i.unsigned_abs();
    let (prefix, digits) = match verb {
        'd' | 'v' => ("", a.to_string()),
        'x' => ("0x", format!("{a:x}")),
        'X' => ("0X", format!("{a:X}")),
        'o' => ("0", format!("{a:o}")),
        'O' => ("0o", format!("{a:o}")),
        'b' => ("0b", format!("{a:b}")),
        _ => ("", a.to_string()),
    };
    let digits = match f.prec {
        Some(p) if digits.len() < p => "0".repeat(p - digits.len()) + &digits,
        _ => digits,
    };
    let prefix = if f.sharp || verb == 'O' { prefix } else { "" };
    let zero_ok = f.prec.is_none();
    let s = format!("{}{prefix}{digits}", sign(neg, f));
    pad(
        s,
        &Flags {
            zero: f.zero && zero_ok,
            ..*f
        },
        true,
    )
}

fn fmt_float(x: f64, verb: char, f: &Flags) -> String {
    let neg = x.is_sign_negative() && x != 0.0;
    let a = x.abs();
    let body = if a.is_infinite() {
        "Inf".to_string()
    } else if a.is_nan() {
        "NaN".to_string()
    } else {
        match verb {
            'f' | 'F' => format!("{:.*}", f.prec.unwrap_or(6), a),
            'e' | 'E' => {
                let s = format!("{:.*e}", f.prec.unwrap_or(6), a);
                let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
                let e: i32 = e.parse().unwrap_or(0);
                let s = format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
                if verb == 'E' { s.to_uppercase() } else { s }
            }
            _ => match f.prec {
                None => go_float(a),
                Some(p) => {
                    // %.Ng: N significant digits, exponent form when the exponent is
                    // below -4 or at least N.
                    let p = p.max(1);
                    let s = format!("{:.*e}", p - 1, a);
                    let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
                    let e: i32 = e.parse().unwrap_or(0);
                    if e < -4 || e >= p as i32 {
                        let m = if m.contains('.') {
                            m.trim_end_matches('0').trim_end_matches('.')
                        } else {
                            m
                        };
                        format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
                    } else {
                        let decimals = (p as i32 - 1 - e).max(0) as usize;
                        let s = format!("{a:.decimals$}");
                        if s.contains('.') {
                            s.trim_end_matches('0').trim_end_matches('.').to_string()
                        } else {
                            s
                        }
                    }
                }
            },
        }
    };
    let numeric = a.is_finite();
    pad(format!("{}{body}", sign(neg, f)), f, numeric)
}

fn fmt_string(s: &str, verb: char, f: &Flags) -> String {
    let cut = |s: &str| -> String {
        match f.prec {
            Some(p) => s.chars().take(p).collect(),
            None => s.to_string(),
        }
    };
    let out = match verb {
        's' | 'v' => cut(s),
        'q' => {
            if f.sharp && !s.contains('`') {
                format!("`{}`", cut(s))
            } else {
                go_quote(&cut(s))
            }
        }
        'x' | 'X' => {
            let bytes = s.as_bytes();
            let bytes = &bytes[..f.prec.unwrap_or(bytes.len()).min(bytes.len())];
            let mut h = String::new();
            for (i, b) in bytes.iter().enumerate() {
                if f.space && i > 0 {
                    h.push(' ');
                }
                if f.sharp && (f.space || i == 0) {
                    h.push_str(if verb == 'x' { "0x" } else { "0X" });
                }
                if verb == 'x' {
                    h.push_str(&format!("{b:02x}"));
                } else {
                    h.push_str(&format!("{b:02X}"));
                }
            }
            h
        }
        _ => unreachable!("string verbs are checked by the caller"),
    };
    pad(out, f, false)
}

/// One `%verb` applied to one value.
fn fmt_arg(v: &Val, verb: char, f: &Flags) -> String {
    match (verb, v) {
        ('v', Val::J(Value::Number(_)))
        | ('d' | 'b' | 'o' | 'O' | 'x' | 'X' | 'c' | 'q' | 'U', Val::J(Value::Number(_))) => {
            match as_num(v) {
                Some(Num::Int(i)) => match verb {
                    'c' => pad(
                        u32::try_from(i)
                            .ok()
                            .and_then(char::from_u32)
                            .unwrap_or('\u{FFFD}')
                            .to_string(),
                        f,
                        false,
                    ),
                    'q' => {
                        let c = u32::try_from(i)
                            .ok()
                            .and_then(char::from_u32)
                            .unwrap_or('\u{FFFD}');
                        let q = go_quote(&c.to_string());
                        let inner = &q[1..q.len() - 1];
                        let inner = if inner == "\\\"" {
                            "\""
                        } else if inner == "'" {
                            "\\'"
                        } else {
                            inner
                        };
                        pad(format!("'{inner}'"), f, false)
                    }
                    'U' => pad(format!("U+{:04X}", i), f, false),
                    _ => fmt_int(i, verb, f),
                },
                Some(Num::Float(x)) if verb == 'v' => fmt_float(x, 'g', f),
                _ => bad_verb(verb, v),
            }
        }
        ('e' | 'E' | 'f' | 'F' | 'g' | 'G', Val::J(Value::Number(_))) => match as_num(v) {
            Some(Num::Float(x)) => fmt_float(x, verb, f),
            // JSON has no integer type; Go data decoded from JSON holds float64 here.
            Some(Num::Int(i)) => fmt_float(i as f64, verb, f),
            None => bad_verb(verb, v),
        },
        ('s' | 'v' | 'q' | 'x' | 'X', Val::J(Value::String(s))) => fmt_string(s, verb, f),
        ('s' | 'v' | 'q' | 'x' | 'X', Val::Zero) => fmt_string("", verb, f),
        ('t' | 'v', Val::J(Value::Bool(b))) => pad(b.to_string(), f, false),
        ('v', _) => pad(sprint_arg(v), f, false),
        ('s', Val::J(Value::Array(items))) => {
            let parts: Vec<String> = items
                .iter()
                .map(|e| fmt_arg(&Val::J(e.clone()), 's', &Flags::default()))
                .collect();
            pad(format!("[{}]", parts.join(" ")), f, false)
        }
        _ => bad_verb(verb, v),
    }
}

/// Go's `fmt.Sprintf` over template values.
pub(crate) fn sprintf(format: &str, args: &[Val]) -> String {
    let mut out = String::new();
    let mut next_arg = 0;
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut f = Flags::default();
        while let Some(&c) = chars.peek() {
            match c {
                '-' => f.minus = true,
                '+' => f.plus = true,
                '#' => f.sharp = true,
                ' ' => f.space = true,
                '0' => f.zero = !f.minus,
                _ => break,
            }
            chars.next();
        }
        let mut number = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>| -> Option<usize> {
            if chars.peek() == Some(&'*') {
                chars.next();
                let v = args.get(next_arg);
                next_arg += 1;
                return match v.and_then(as_num) {
                    Some(Num::Int(i)) => usize::try_from(i).ok(),
                    _ => None,
                };
            }
            let mut n: Option<usize> = None;
            while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
                n = Some(n.unwrap_or(0) * 10 + d as usize);
                chars.next();
            }
            n
        };
        f.width = number(&mut chars);
        if chars.peek() == Some(&'.') {
            chars.next();
            f.prec = Some(number(&mut chars).unwrap_or(0));
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = args.get(next_arg) else {
            out.push_str(&format!("%!{verb}(MISSING)"));
            continue;
        };
        next_arg += 1;
        out.push_str(&fmt_arg(arg, verb, &f));
    }
    if next_arg < args.len() {
        let extra: Vec<String> = args[next_arg..]
            .iter()
            .map(|a| match a {
                Val::Missing | Val::J(Value::Null) => "<nil>".to_string(),
                _ => format!("{}={}", go_type(a), sprint_arg(a)),
            })
            .collect();
        out.push_str(&format!("%!(EXTRA {})", extra.join(", ")));
    }
    out
}
