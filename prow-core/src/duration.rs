//! Go-compatible durations (`time.ParseDuration` / `Duration.String`).
//!
//! Prow's configuration spells durations the Go way ("1h30m", "744h", "1.5s");
//! [`GoDuration`] parses and prints them exactly like Go, restricted to non-negative values.

use std::fmt::{self, Write as _};
use std::str::FromStr;
use std::time::Duration;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Nanoseconds in one microsecond.
const MICROSECOND: u64 = 1_000;
/// Nanoseconds in one millisecond.
const MILLISECOND: u64 = 1_000_000;
/// Nanoseconds in one second.
const SECOND: u64 = 1_000_000_000;
/// Nanoseconds in one minute.
const MINUTE: u64 = 60 * SECOND;
/// Nanoseconds in one hour.
const HOUR: u64 = 60 * MINUTE;
/// `1 << 63`: one past the largest value Go's `int64` nanosecond count can hold.
const OVERFLOW_LIMIT: u64 = 1 << 63;

/// Error returned when a string is not a valid (non-negative) Go duration.
///
/// The messages match Go's `time.ParseDuration`, including its quoting of the
/// input (non-ASCII and control bytes are shown as `\xNN`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// The text does not follow the duration grammar, or the value overflows.
    #[error("time: invalid duration {}", go_quote(.input))]
    Invalid {
        /// The whole text that was parsed.
        input: String,
    },
    /// A number is not followed by a unit, as in `"5"` or `"1h30"`.
    #[error("time: missing unit in duration {}", go_quote(.input))]
    MissingUnit {
        /// The whole text that was parsed.
        input: String,
    },
    /// A unit other than `ns`, `us`, `µs`, `μs`, `ms`, `s`, `m` or `h`.
    #[error("time: unknown unit {} in duration {}", go_quote(.unit), go_quote(.input))]
    UnknownUnit {
        /// The unrecognised unit.
        unit: String,
        /// The whole text that was parsed.
        input: String,
    },
    /// A valid Go duration below zero, which this type cannot represent.
    #[error("time: negative duration {} is not supported", go_quote(.input))]
    Negative {
        /// The whole text that was parsed.
        input: String,
    },
}

/// A non-negative duration that parses and prints like Go's `time.Duration`.
///
/// Values up to Go's maximum (`2562047h47m16.854775807s`) round-trip through
/// [`GoDuration::parse`] and [`Display`](fmt::Display). Larger values built
/// with [`GoDuration::from_std`] still print, but Go (and `parse`) would reject
/// the printed text as an overflow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GoDuration(Duration);

impl GoDuration {
    /// The zero duration, printed as `0s`.
    pub const ZERO: GoDuration = GoDuration(Duration::ZERO);

    /// Parses a duration with Go's `time.ParseDuration` grammar:
    /// an optional sign followed by one or more decimal numbers (with optional
    /// fraction), each with a unit (`ns`, `us`, `µs`, `μs`, `ms`, `s`, `m`, `h`),
    /// e.g. `"300ms"`, `"1.5h"`, `"2h45m"`. A lone `"0"` (optionally signed) is zero.
    ///
    /// # Errors
    ///
    /// [`DurationError`] with Go's message when the text is not a duration or
    /// overflows Go's range; negative non-zero durations are valid in Go but
    /// rejected here with [`DurationError::Negative`].
    pub fn parse(input: &str) -> Result<GoDuration, DurationError> {
        let invalid = || DurationError::Invalid {
            input: input.to_owned(),
        };

        let (negative, mut rest) = match input.as_bytes().first() {
            Some(b'-') => (true, &input[1..]),
            Some(b'+') => (false, &input[1..]),
            _ => (false, input),
        };
        if rest == "0" {
            return Ok(GoDuration::ZERO);
        }
        if rest.is_empty() {
            return Err(invalid());
        }

        let mut total: u64 = 0;
        while !rest.is_empty() {
            let first = rest.as_bytes()[0];
            if !(first == b'.' || first.is_ascii_digit()) {
                return Err(invalid());
            }

            // Integer part.
            let int_len = digit_run(rest);
            let whole = leading_int(&rest[..int_len]).ok_or_else(invalid)?;
            rest = &rest[int_len..];
            let mut has_digits = int_len > 0;

            // Optional fraction.
            let mut fraction = Fraction::default();
            if let Some(after_dot) = rest.strip_prefix('.') {
                let frac_len = digit_run(after_dot);
                fraction = leading_fraction(&after_dot[..frac_len]);
                has_digits |= frac_len > 0;
                rest = &after_dot[frac_len..];
            }
            if !has_digits {
                // No digits at all, as in ".s" or "-.".
                return Err(invalid());
            }

            // Unit: everything up to the next '.' or digit.
            let unit_len = rest
                .bytes()
                .position(|b| b == b'.' || b.is_ascii_digit())
                .unwrap_or(rest.len());
            if unit_len == 0 {
                return Err(DurationError::MissingUnit {
                    input: input.to_owned(),
                });
            }
            let unit_text = &rest[..unit_len];
            rest = &rest[unit_len..];
            let unit = unit_nanos(unit_text).ok_or_else(|| DurationError::UnknownUnit {
                unit: unit_text.to_owned(),
                input: input.to_owned(),
            })?;

            if whole > OVERFLOW_LIMIT / unit {
                return Err(invalid());
            }
            let mut value = whole * unit;
            if fraction.value > 0 {
                // Floating point as in Go, accurate to the nanosecond even for hours;
                // the product is non-negative and at most one unit, so the cast is exact enough.
                #[allow(
                    clippy::cast_precision_loss,
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss
                )]
                let extra = (fraction.value as f64 * (unit as f64 / fraction.scale)) as u64;
                value += extra;
                if value > OVERFLOW_LIMIT {
                    return Err(invalid());
                }
            }
            total += value;
            if total > OVERFLOW_LIMIT {
                return Err(invalid());
            }
        }

        if negative {
            if total == 0 {
                return Ok(GoDuration::ZERO);
            }
            return Err(DurationError::Negative {
                input: input.to_owned(),
            });
        }
        if total > OVERFLOW_LIMIT - 1 {
            return Err(invalid());
        }
        Ok(GoDuration(Duration::from_nanos(total)))
    }

    /// Wraps a standard library duration.
    #[must_use]
    pub const fn from_std(duration: Duration) -> GoDuration {
        GoDuration(duration)
    }

    /// Returns the wrapped standard library duration.
    #[must_use]
    pub const fn as_std(self) -> Duration {
        self.0
    }

    /// A duration of whole seconds.
    #[must_use]
    pub const fn from_secs(secs: u64) -> GoDuration {
        GoDuration(Duration::from_secs(secs))
    }
}

/// Length of the run of ASCII digits at the start of `s`.
fn digit_run(s: &str) -> usize {
    s.bytes().take_while(u8::is_ascii_digit).count()
}

/// Accumulates a run of ASCII digits, failing past Go's `1 << 63` limit.
fn leading_int(digits: &str) -> Option<u64> {
    digits.bytes().try_fold(0u64, |acc, b| {
        if acc > OVERFLOW_LIMIT / 10 {
            return None;
        }
        let next = acc * 10 + u64::from(b - b'0');
        (next <= OVERFLOW_LIMIT).then_some(next)
    })
}

/// Digits after a decimal point: `value / scale` is the fraction.
#[derive(Debug, Clone, Copy)]
struct Fraction {
    value: u64,
    scale: f64,
}

impl Default for Fraction {
    fn default() -> Self {
        Fraction {
            value: 0,
            scale: 1.0,
        }
    }
}

/// Accumulates fraction digits; once precision would overflow, the
/// remaining digits are ignored rather than treated as an error.
fn leading_fraction(digits: &str) -> Fraction {
    let mut fraction = Fraction::default();
    for b in digits.bytes() {
        if fraction.value > (OVERFLOW_LIMIT - 1) / 10 {
            break;
        }
        let next = fraction.value * 10 + u64::from(b - b'0');
        if next > OVERFLOW_LIMIT {
            break;
        }
        fraction.value = next;
        fraction.scale *= 10.0;
    }
    fraction
}

/// Nanoseconds per unit, for the unit names Go accepts.
fn unit_nanos(unit: &str) -> Option<u64> {
    Some(match unit {
        "ns" => 1,
        // "µs" is U+00B5 MICRO SIGN, "μs" is U+03BC GREEK SMALL LETTER MU.
        "us" | "\u{b5}s" | "\u{3bc}s" => MICROSECOND,
        "ms" => MILLISECOND,
        "s" => SECOND,
        "m" => MINUTE,
        "h" => HOUR,
        _ => return None,
    })
}

/// Quotes `s` the way Go's time package does in its error messages:
/// `"` and `\` are backslash-escaped, and every byte of a control or
/// non-ASCII character is written as `\xNN`.
fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c.is_ascii() && c >= ' ' {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                let _ = write!(out, "\\x{byte:02x}");
            }
        }
    }
    out.push('"');
    out
}

/// Appends `value / 10^precision` to `out` as a decimal, dropping trailing
/// zeros of the fraction and the point itself when the fraction is zero.
fn push_decimal(out: &mut String, value: u128, precision: u32) {
    let divisor = 10u128.pow(precision);
    let _ = write!(out, "{}", value / divisor);
    let fraction = value % divisor;
    if fraction != 0 {
        let digits = format!("{fraction:0width$}", width = precision as usize);
        out.push('.');
        out.push_str(digits.trim_end_matches('0'));
    }
}

impl fmt::Display for GoDuration {
    /// Formats like Go's `Duration.String`: `0s`, `3ns`, `1.2µs`, `500ms`,
    /// `1.5s`, `1m0.5s`, `2h0m0s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nanos = self.0.as_nanos();
        let mut out = String::new();
        if nanos < u128::from(SECOND) {
            let (precision, unit) = match nanos {
                0 => return f.pad("0s"),
                n if n < u128::from(MICROSECOND) => (0, "ns"),
                n if n < u128::from(MILLISECOND) => (3, "\u{b5}s"),
                _ => (6, "ms"),
            };
            push_decimal(&mut out, nanos, precision);
            out.push_str(unit);
        } else {
            let total_secs = nanos / u128::from(SECOND);
            let sub_nanos = nanos % u128::from(SECOND);
            let minutes = total_secs / 60;
            let hours = minutes / 60;
            if hours > 0 {
                let _ = write!(out, "{hours}h");
            }
            if minutes > 0 {
                let _ = write!(out, "{}m", minutes % 60);
            }
            push_decimal(
                &mut out,
                (total_secs % 60) * u128::from(SECOND) + sub_nanos,
                9,
            );
            out.push('s');
        }
        f.pad(&out)
    }
}

impl FromStr for GoDuration {
    type Err = DurationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        GoDuration::parse(s)
    }
}

impl From<Duration> for GoDuration {
    fn from(duration: Duration) -> Self {
        GoDuration(duration)
    }
}

impl From<GoDuration> for Duration {
    fn from(duration: GoDuration) -> Self {
        duration.0
    }
}

impl Serialize for GoDuration {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for GoDuration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(GoDurationVisitor)
    }
}

/// Serde visitor accepting only Go duration strings.
struct GoDurationVisitor;

impl Visitor<'_> for GoDurationVisitor {
    type Value = GoDuration;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Go duration string such as \"1h30m\" or \"90s\"")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<GoDuration, E> {
        GoDuration::parse(v).map_err(E::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NS: u64 = 1;
    const US: u64 = MICROSECOND;
    const MS: u64 = MILLISECOND;
    const S: u64 = SECOND;
    const M: u64 = MINUTE;
    const H: u64 = HOUR;
    const MAX: u64 = (1 << 63) - 1;

    fn d(nanos: u64) -> GoDuration {
        GoDuration(Duration::from_nanos(nanos))
    }

    #[test]
    fn parse_valid() {
        let cases: &[(&str, u64)] = &[
            // Plain values and signs.
            ("0", 0),
            ("+0", 0),
            ("-0", 0),
            ("-0s", 0),
            ("+0ms", 0),
            ("5s", 5 * S),
            ("+5s", 5 * S),
            ("30s", 30 * S),
            ("1478s", 1478 * S),
            ("744h", 744 * H),
            // Fractions.
            ("5.0s", 5 * S),
            ("5.6s", 5 * S + 600 * MS),
            ("5.s", 5 * S),
            (".5s", 500 * MS),
            ("1.0s", S),
            ("1.00s", S),
            ("1.004s", S + 4 * MS),
            ("1.0040s", S + 4 * MS),
            ("100.00100s", 100 * S + MS),
            ("1.5h", H + 30 * M),
            // Every unit.
            ("10ns", 10 * NS),
            ("11us", 11 * US),
            ("12\u{b5}s", 12 * US),
            ("12\u{3bc}s", 12 * US),
            ("13ms", 13 * MS),
            ("14s", 14 * S),
            ("15m", 15 * M),
            ("16h", 16 * H),
            // Sequences, in any order.
            ("3h30m", 3 * H + 30 * M),
            ("4h30m", 4 * H + 30 * M),
            ("10.5s4m", 4 * M + 10 * S + 500 * MS),
            (
                "1h2m3s4ms5us6ns",
                H + 2 * M + 3 * S + 4 * MS + 5 * US + 6 * NS,
            ),
            ("39h9m14.425s", 39 * H + 9 * M + 14 * S + 425 * MS),
            ("1h1h", 2 * H),
            // Large values and precision.
            ("52763797000ns", 52_763_797_000),
            ("0.3333333333333333333h", 20 * M),
            ("9007199254740993ns", (1 << 53) + 1),
            ("9223372036854775807ns", MAX),
            ("9223372036854775.807us", MAX),
            ("9223372036s854ms775us807ns", MAX),
            ("2562047h47m16.854775807s", MAX),
            ("0.100000000000000000000h", 6 * M),
            ("0.830103483285477580700h", 49 * M + 48 * S + 372_539_827),
        ];
        for &(input, nanos) in cases {
            assert_eq!(GoDuration::parse(input), Ok(d(nanos)), "parsing {input:?}");
        }
    }

    #[test]
    fn parse_errors() {
        let cases: &[(&str, &str)] = &[
            ("", r#"time: invalid duration """#),
            ("3", r#"time: missing unit in duration "3""#),
            ("5", r#"time: missing unit in duration "5""#),
            ("1h30", r#"time: missing unit in duration "1h30""#),
            ("1.5.h", r#"time: missing unit in duration "1.5.h""#),
            ("-", r#"time: invalid duration "-""#),
            ("+", r#"time: invalid duration "+""#),
            ("s", r#"time: invalid duration "s""#),
            (".", r#"time: invalid duration ".""#),
            ("-.", r#"time: invalid duration "-.""#),
            (".s", r#"time: invalid duration ".s""#),
            ("+.s", r#"time: invalid duration "+.s""#),
            (" 1s", r#"time: invalid duration " 1s""#),
            ("--1s", r#"time: invalid duration "--1s""#),
            ("1d", r#"time: unknown unit "d" in duration "1d""#),
            ("1s ", r#"time: unknown unit "s " in duration "1s ""#),
            ("2H", r#"time: unknown unit "H" in duration "2H""#),
            (
                "3\u{b5}x",
                r#"time: unknown unit "\xc2\xb5x" in duration "3\xc2\xb5x""#,
            ),
            ("\u{fffd}", r#"time: invalid duration "\xef\xbf\xbd""#),
            (
                "\u{fffd} hello \u{fffd} world",
                r#"time: invalid duration "\xef\xbf\xbd hello \xef\xbf\xbd world""#,
            ),
            ("a\"b\\", r#"time: invalid duration "a\"b\\""#),
            ("\t", r#"time: invalid duration "\x09""#),
            // Overflow.
            (
                "9223372036854775810ns",
                r#"time: invalid duration "9223372036854775810ns""#,
            ),
            (
                "9223372036854775808ns",
                r#"time: invalid duration "9223372036854775808ns""#,
            ),
            (
                "-9223372036854775809ns",
                r#"time: invalid duration "-9223372036854775809ns""#,
            ),
            (
                "9223372036854776us",
                r#"time: invalid duration "9223372036854776us""#,
            ),
            ("3000000h", r#"time: invalid duration "3000000h""#),
            (
                "9223372036854775.808us",
                r#"time: invalid duration "9223372036854775.808us""#,
            ),
            (
                "9223372036854ms775us808ns",
                r#"time: invalid duration "9223372036854ms775us808ns""#,
            ),
            (
                "99999999999999999999999h",
                r#"time: invalid duration "99999999999999999999999h""#,
            ),
            // Valid in Go, but negative.
            ("-5s", r#"time: negative duration "-5s" is not supported"#),
            (
                "-2m3.4s",
                r#"time: negative duration "-2m3.4s" is not supported"#,
            ),
            (
                "-9223372036854775808ns",
                r#"time: negative duration "-9223372036854775808ns" is not supported"#,
            ),
            (
                "-2562047h47m16.854775808s",
                r#"time: negative duration "-2562047h47m16.854775808s" is not supported"#,
            ),
        ];
        for &(input, message) in cases {
            let err = GoDuration::parse(input).expect_err(input);
            assert_eq!(err.to_string(), message, "parsing {input:?}");
        }
    }

    #[test]
    fn error_variants() {
        assert_eq!(
            GoDuration::parse("7"),
            Err(DurationError::MissingUnit { input: "7".into() })
        );
        assert_eq!(
            GoDuration::parse("7y"),
            Err(DurationError::UnknownUnit {
                unit: "y".into(),
                input: "7y".into()
            })
        );
        assert_eq!(
            GoDuration::parse("-7s"),
            Err(DurationError::Negative {
                input: "-7s".into()
            })
        );
        assert_eq!(
            GoDuration::parse("x"),
            Err(DurationError::Invalid { input: "x".into() })
        );
    }

    #[test]
    fn display() {
        let cases: &[(u64, &str)] = &[
            (0, "0s"),
            (1, "1ns"),
            (3, "3ns"),
            (999, "999ns"),
            (1_000, "1\u{b5}s"),
            (1_100, "1.1\u{b5}s"),
            (1_200, "1.2\u{b5}s"),
            (2_200 * US, "2.2ms"),
            (500 * MS, "500ms"),
            (999_999_999, "999.999999ms"),
            (S, "1s"),
            (1_500 * MS, "1.5s"),
            (3_300 * MS, "3.3s"),
            (M, "1m0s"),
            (M + 500 * MS, "1m0.5s"),
            (4 * M + 5 * S, "4m5s"),
            (4 * M + 5_001 * MS, "4m5.001s"),
            (5 * H + 6 * M + 7_001 * MS, "5h6m7.001s"),
            (8 * M + 1, "8m0.000000001s"),
            (2 * H, "2h0m0s"),
            (4 * H + 30 * M, "4h30m0s"),
            (744 * H, "744h0m0s"),
            (MAX, "2562047h47m16.854775807s"),
        ];
        for &(nanos, text) in cases {
            assert_eq!(d(nanos).to_string(), text, "formatting {nanos}ns");
        }
        // Beyond Go's range the format still holds.
        assert_eq!(
            GoDuration::from_std(Duration::from_nanos(MAX) + Duration::from_nanos(1)).to_string(),
            "2562047h47m16.854775808s"
        );
        // Formatter width and alignment are honoured.
        assert_eq!(format!("{:>6}", d(S)), "    1s");
    }

    #[test]
    fn display_round_trips() {
        let values = [
            0,
            1,
            999,
            1_001,
            123_456_789,
            S,
            M + 1,
            H + 1,
            25 * H + 7 * M + 3 * S + 42,
            MAX,
        ];
        for nanos in values {
            let text = d(nanos).to_string();
            assert_eq!(GoDuration::parse(&text), Ok(d(nanos)), "round trip {text}");
        }
    }

    #[test]
    fn conversions() {
        let std = Duration::from_millis(1_500);
        assert_eq!(GoDuration::from_std(std).as_std(), std);
        assert_eq!(GoDuration::from(std), GoDuration::from_std(std));
        assert_eq!(Duration::from(GoDuration::from_std(std)), std);
        assert_eq!(GoDuration::from_secs(90).to_string(), "1m30s");
        assert_eq!(GoDuration::default(), GoDuration::ZERO);
        assert_eq!("1h".parse::<GoDuration>(), Ok(GoDuration::from_secs(3600)));
        assert!(GoDuration::from_secs(1) < GoDuration::from_secs(2));
    }

    #[test]
    fn serde_round_trip() {
        let value = GoDuration::parse("1h30m").unwrap();
        let json = serde_json::to_string(&value).unwrap();
        assert_eq!(json, r#""1h30m0s""#);
        let back: GoDuration = serde_json::from_str(&json).unwrap();
        assert_eq!(back, value);
        let from_go: GoDuration = serde_json::from_str(r#""744h""#).unwrap();
        assert_eq!(from_go, GoDuration::from_secs(744 * 3600));
    }

    #[test]
    fn serde_errors() {
        let err = serde_json::from_str::<GoDuration>("5").unwrap_err();
        assert!(
            err.to_string()
                .contains("expected a Go duration string such as \"1h30m\""),
            "{err}"
        );
        let err = serde_json::from_str::<GoDuration>(r#""5""#).unwrap_err();
        assert!(
            err.to_string()
                .contains(r#"time: missing unit in duration "5""#),
            "{err}"
        );
    }
}
