//! Cron schedules with the syntax and semantics of robfig/cron v3, as configured by Prow's horologium.
//!
//! Accepts 5 fields (minute hour dom month dow) or 6 with leading seconds, `@` descriptors and
//! `@every <go duration>`, and computes the next activation in UTC.
//!
//! Time zones: robfig accepts a `TZ=<zone>` or `CRON_TZ=<zone>` prefix naming any IANA zone.
//! Without a time zone database we support only zones that are always UTC (`UTC`, `Etc/UTC`,
//! `GMT`, …; see [`CronError::BadLocation`]), plus `Local`, which like no prefix at all means
//! "the zone of the time given to [`CronSchedule::next_after`]", i.e. UTC.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, TimeDelta, Timelike, Utc};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::duration::{DurationError, GoDuration};

/// Set in a field's bits when the field was written with `*` or `?`
/// (and no step above 1); it drives the day-of-month/day-of-week rule.
const STAR_BIT: u64 = 1 << 63;

/// How many years past the starting time [`CronSchedule::next_after`] searches.
const SEARCH_YEARS: i64 = 5;

/// Zone names accepted after `TZ=` / `CRON_TZ=`: all are UTC at every instant.
/// `""` is Go's spelling of UTC, and `Local` means the zone of the given time.
const UTC_ZONES: &[&str] = &[
    "",
    "Local",
    "UTC",
    "Etc/UTC",
    "UCT",
    "Etc/UCT",
    "Universal",
    "Etc/Universal",
    "Zulu",
    "Etc/Zulu",
    "GMT",
    "Etc/GMT",
    "GMT0",
    "Etc/GMT0",
    "GMT+0",
    "Etc/GMT+0",
    "GMT-0",
    "Etc/GMT-0",
    "Greenwich",
    "Etc/Greenwich",
];

/// One of the six time fields of a cron expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CronField {
    /// Seconds, 0-59 (optional first field, `0` when omitted).
    Second,
    /// Minutes, 0-59.
    Minute,
    /// Hours, 0-23.
    Hour,
    /// Day of the month, 1-31.
    DayOfMonth,
    /// Month, 1-12 or `JAN`-`DEC`.
    Month,
    /// Day of the week, 0-6 (Sunday is 0) or `SUN`-`SAT`.
    DayOfWeek,
}

impl fmt::Display for CronField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CronField::Second => "second",
            CronField::Minute => "minute",
            CronField::Hour => "hour",
            CronField::DayOfMonth => "day of month",
            CronField::Month => "month",
            CronField::DayOfWeek => "day of week",
        })
    }
}

/// Why Go's `strconv.Atoi` rejected a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntErrorReason {
    /// Not an optionally signed run of decimal digits.
    InvalidSyntax,
    /// Does not fit in a signed 64-bit integer.
    OutOfRange,
}

impl fmt::Display for IntErrorReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IntErrorReason::InvalidSyntax => "invalid syntax",
            IntErrorReason::OutOfRange => "value out of range",
        })
    }
}

/// A problem inside one field; the messages are robfig's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    /// A range with more than one `-`, e.g. `5--5`.
    #[error("too many hyphens: {expr}")]
    TooManyHyphens {
        /// The offending range expression.
        expr: String,
    },
    /// A range with more than one `/`, e.g. `*//2`.
    #[error("too many slashes: {expr}")]
    TooManySlashes {
        /// The offending range expression.
        expr: String,
    },
    /// A value that is neither a number nor a known month or weekday name.
    /// The text inside the message is quoted with Rust's debug escaping, which
    /// matches Go's `strconv.Quote` for printable text.
    #[error("failed to parse int from {text}: strconv.Atoi: parsing {text:?}: {reason}")]
    ParseInt {
        /// The text that is not a number.
        text: String,
        /// What is wrong with it.
        reason: IntErrorReason,
    },
    /// A negative number, which can only appear as a step, e.g. `*/-12`.
    #[error("negative number ({number}) not allowed: {text}")]
    NegativeNumber {
        /// The value of the number.
        number: i64,
        /// The number as written.
        text: String,
    },
    /// The first value of a range lies below the field's minimum.
    #[error("beginning of range ({start}) below minimum ({min}): {expr}")]
    BelowMinimum {
        /// The first value of the range.
        start: u64,
        /// The field's smallest allowed value.
        min: u64,
        /// The offending range expression.
        expr: String,
    },
    /// The last value of a range lies above the field's maximum.
    #[error("end of range ({end}) above maximum ({max}): {expr}")]
    AboveMaximum {
        /// The last value of the range.
        end: u64,
        /// The field's largest allowed value.
        max: u64,
        /// The offending range expression.
        expr: String,
    },
    /// A range whose first value is after its last, e.g. `5-3`.
    #[error("beginning of range ({start}) beyond end of range ({end}): {expr}")]
    StartBeyondEnd {
        /// The first value of the range.
        start: u64,
        /// The last value of the range.
        end: u64,
        /// The offending range expression.
        expr: String,
    },
    /// A step of zero, e.g. `*/0`.
    #[error("step of range should be a positive number: {expr}")]
    ZeroStep {
        /// The offending range expression.
        expr: String,
    },
}

/// Error returned by [`CronSchedule::parse`]; the messages are robfig/cron v3's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CronError {
    /// The spec is the empty string.
    #[error("empty spec string")]
    Empty,
    /// The `TZ=`/`CRON_TZ=` zone is unknown or not supported. Only zones that
    /// are UTC at every instant (`UTC`, `Etc/UTC`, `GMT`, `Zulu`, …), the empty
    /// name and `Local` are supported, since no time zone database is available.
    #[error(
        "provided bad location {name}: unsupported time zone (only UTC is supported, e.g. TZ=UTC)"
    )]
    BadLocation {
        /// The zone name after `=`.
        name: String,
    },
    /// A `TZ=`/`CRON_TZ=` prefix not followed by a space and a schedule.
    #[error("missing schedule after time zone: {spec}")]
    MissingSchedule {
        /// The whole spec.
        spec: String,
    },
    /// Neither 5 nor 6 whitespace-separated fields.
    #[error("expected 5 to 6 fields, found {}: [{}]", .fields.len(), .fields.join(" "))]
    FieldCount {
        /// The fields found.
        fields: Vec<String>,
    },
    /// An `@` word that is not a known descriptor.
    #[error("unrecognized descriptor: {descriptor}")]
    UnrecognizedDescriptor {
        /// The descriptor as written.
        descriptor: String,
    },
    /// `@every` followed by something that is not a non-negative Go duration.
    #[error("failed to parse duration {descriptor}: {error}")]
    Every {
        /// The whole descriptor, e.g. `@every Xm`.
        descriptor: String,
        /// Why the duration was rejected.
        error: DurationError,
    },
    /// One of the time fields is invalid.
    #[error("{error}")]
    Field {
        /// Which field.
        field: CronField,
        /// What is wrong with it.
        error: FieldError,
    },
}

/// A parsed cron schedule, compatible with Prow's horologium (robfig/cron v3 with
/// optional seconds and descriptors).
///
/// Equality, hashing, [`Display`](fmt::Display) and serde all use the spec text as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CronSchedule {
    spec: String,
    kind: Kind,
}

/// What a schedule does, once parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    /// Field bit sets, as from a cron expression or a fixed descriptor.
    Fields(FieldSet),
    /// `@every`: a whole number of seconds, at least one.
    Every(Duration),
}

/// Bit `n` of each field is set when value `n` matches, plus [`STAR_BIT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct FieldSet {
    second: u64,
    minute: u64,
    hour: u64,
    dom: u64,
    month: u64,
    dow: u64,
}

/// The allowed values of a field, and the names that stand for values.
struct Bounds {
    field: CronField,
    min: u64,
    max: u64,
    names: &'static [(&'static str, u64)],
}

const SECONDS: Bounds = Bounds {
    field: CronField::Second,
    min: 0,
    max: 59,
    names: &[],
};
const MINUTES: Bounds = Bounds {
    field: CronField::Minute,
    min: 0,
    max: 59,
    names: &[],
};
const HOURS: Bounds = Bounds {
    field: CronField::Hour,
    min: 0,
    max: 23,
    names: &[],
};
const DOM: Bounds = Bounds {
    field: CronField::DayOfMonth,
    min: 1,
    max: 31,
    names: &[],
};
const MONTHS: Bounds = Bounds {
    field: CronField::Month,
    min: 1,
    max: 12,
    names: &[
        ("jan", 1),
        ("feb", 2),
        ("mar", 3),
        ("apr", 4),
        ("may", 5),
        ("jun", 6),
        ("jul", 7),
        ("aug", 8),
        ("sep", 9),
        ("oct", 10),
        ("nov", 11),
        ("dec", 12),
    ],
};
const DOW: Bounds = Bounds {
    field: CronField::DayOfWeek,
    min: 0,
    max: 6,
    names: &[
        ("sun", 0),
        ("mon", 1),
        ("tue", 2),
        ("wed", 3),
        ("thu", 4),
        ("fri", 5),
        ("sat", 6),
    ],
};

impl Bounds {
    /// Every value of the field, with the star bit.
    fn all(&self) -> u64 {
        bits(self.min, self.max, 1) | STAR_BIT
    }

    /// Only the smallest value of the field.
    fn first(&self) -> u64 {
        1 << self.min
    }
}

impl CronSchedule {
    /// Parses a schedule the way Prow's horologium does (robfig/cron v3 with
    /// `SecondOptional | Minute | Hour | Dom | Month | Dow | Descriptor`):
    ///
    /// - 5 fields `minute hour day-of-month month day-of-week`, or 6 with a
    ///   leading seconds field (5 fields run at second 0);
    /// - each field a comma list of `*`, `?`, `n`, `a-b`, `*/s`, `a-b/s` or
    ///   `a/s` (meaning `a-max/s`); months `JAN`-`DEC` and weekdays `SUN`-`SAT`
    ///   in any case; weekdays are 0-6 (7 is rejected, as in robfig v3);
    /// - `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`,
    ///   `@hourly`, and `@every <go duration>`;
    /// - an optional `TZ=<zone> ` or `CRON_TZ=<zone> ` prefix, UTC zones only.
    ///
    /// # Errors
    ///
    /// [`CronError`] with robfig's message for the first problem found.
    /// Deviations from robfig: `@every` with a negative duration is rejected
    /// (robfig silently runs it every second); time zones other than UTC are
    /// rejected (see [`CronError::BadLocation`]); a `TZ=` prefix with nothing
    /// after it is an error (robfig panics).
    pub fn parse(spec: &str) -> Result<CronSchedule, CronError> {
        if spec.is_empty() {
            return Err(CronError::Empty);
        }

        let mut body = spec;
        if spec.starts_with("TZ=") || spec.starts_with("CRON_TZ=") {
            let Some(space) = spec.find(' ') else {
                return Err(CronError::MissingSchedule {
                    spec: spec.to_owned(),
                });
            };
            let eq = spec.find('=').unwrap_or_default();
            let name = &spec[eq + 1..space];
            if !UTC_ZONES.contains(&name) {
                return Err(CronError::BadLocation {
                    name: name.to_owned(),
                });
            }
            body = spec[space..].trim();
        }

        let kind = if body.starts_with('@') {
            parse_descriptor(body)?
        } else {
            Kind::Fields(parse_fields(body)?)
        };
        Ok(CronSchedule {
            spec: spec.to_owned(),
            kind,
        })
    }

    /// The spec text as given to [`CronSchedule::parse`].
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.spec
    }

    /// The next activation strictly after `t`, at whole-second resolution, as
    /// robfig computes it in UTC. `@every d` gives `t` truncated to the second
    /// plus `d` (at least one second, fractions of a second dropped). For field
    /// schedules, `None` means no activation within about five years of `t`
    /// (e.g. `0 0 30 2 *`) or a result beyond chrono's range.
    #[must_use]
    pub fn next_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self.kind {
            Kind::Every(delay) => {
                let delay = TimeDelta::from_std(delay).ok()?;
                t.with_nanosecond(0)?.checked_add_signed(delay)
            }
            Kind::Fields(fields) => fields.next_after(t),
        }
    }
}

/// Parses an `@` descriptor (already stripped of any time zone prefix).
fn parse_descriptor(descriptor: &str) -> Result<Kind, CronError> {
    let fixed = |second, minute, hour, dom, month, dow| {
        Kind::Fields(FieldSet {
            second,
            minute,
            hour,
            dom,
            month,
            dow,
        })
    };
    let (s0, m0, h0) = (SECONDS.first(), MINUTES.first(), HOURS.first());
    Ok(match descriptor {
        "@yearly" | "@annually" => fixed(s0, m0, h0, DOM.first(), MONTHS.first(), DOW.all()),
        "@monthly" => fixed(s0, m0, h0, DOM.first(), MONTHS.all(), DOW.all()),
        "@weekly" => fixed(s0, m0, h0, DOM.all(), MONTHS.all(), DOW.first()),
        "@daily" | "@midnight" => fixed(s0, m0, h0, DOM.all(), MONTHS.all(), DOW.all()),
        "@hourly" => fixed(s0, m0, HOURS.all(), DOM.all(), MONTHS.all(), DOW.all()),
        _ => {
            let Some(text) = descriptor.strip_prefix("@every ") else {
                return Err(CronError::UnrecognizedDescriptor {
                    descriptor: descriptor.to_owned(),
                });
            };
            let duration = GoDuration::parse(text).map_err(|error| CronError::Every {
                descriptor: descriptor.to_owned(),
                error,
            })?;
            // At least one second; fractions of a second are dropped.
            let secs = duration.as_std().as_secs().max(1);
            Kind::Every(Duration::from_secs(secs))
        }
    })
}

/// Splits a 5- or 6-field expression and parses every field.
fn parse_fields(body: &str) -> Result<FieldSet, CronError> {
    let mut fields: Vec<&str> = body.split_whitespace().collect();
    match fields.len() {
        6 => {}
        5 => fields.insert(0, "0"),
        _ => {
            return Err(CronError::FieldCount {
                fields: fields.into_iter().map(str::to_owned).collect(),
            });
        }
    }
    let parse = |text: &str, bounds: &Bounds| {
        parse_field(text, bounds).map_err(|error| CronError::Field {
            field: bounds.field,
            error,
        })
    };
    Ok(FieldSet {
        second: parse(fields[0], &SECONDS)?,
        minute: parse(fields[1], &MINUTES)?,
        hour: parse(fields[2], &HOURS)?,
        dom: parse(fields[3], &DOM)?,
        month: parse(fields[4], &MONTHS)?,
        dow: parse(fields[5], &DOW)?,
    })
}

/// A field is a comma-separated list of ranges; empty list items are skipped.
fn parse_field(text: &str, bounds: &Bounds) -> Result<u64, FieldError> {
    text.split(',')
        .filter(|expr| !expr.is_empty())
        .try_fold(0, |acc, expr| Ok(acc | parse_range(expr, bounds)?))
}

/// One range: `*`, `?`, `n`, `a-b`, optionally followed by `/step`.
fn parse_range(expr: &str, bounds: &Bounds) -> Result<u64, FieldError> {
    let range_and_step: Vec<&str> = expr.split('/').collect();
    let low_and_high: Vec<&str> = range_and_step[0].split('-').collect();
    let single_value = low_and_high.len() == 1;

    let (start, mut end, mut star) = if low_and_high[0] == "*" || low_and_high[0] == "?" {
        // As in robfig, anything after `*-` is ignored.
        (bounds.min, bounds.max, true)
    } else {
        let start = parse_int_or_name(low_and_high[0], bounds)?;
        let end = match low_and_high.len() {
            1 => start,
            2 => parse_int_or_name(low_and_high[1], bounds)?,
            _ => {
                return Err(FieldError::TooManyHyphens {
                    expr: expr.to_owned(),
                });
            }
        };
        (start, end, false)
    };

    let step = match range_and_step.len() {
        1 => 1,
        2 => {
            let step = parse_number(range_and_step[1])?;
            // `n/step` means `n-max/step`.
            if single_value {
                end = bounds.max;
            }
            if step > 1 {
                star = false;
            }
            step
        }
        _ => {
            return Err(FieldError::TooManySlashes {
                expr: expr.to_owned(),
            });
        }
    };

    if start < bounds.min {
        return Err(FieldError::BelowMinimum {
            start,
            min: bounds.min,
            expr: expr.to_owned(),
        });
    }
    if end > bounds.max {
        return Err(FieldError::AboveMaximum {
            end,
            max: bounds.max,
            expr: expr.to_owned(),
        });
    }
    if start > end {
        return Err(FieldError::StartBeyondEnd {
            start,
            end,
            expr: expr.to_owned(),
        });
    }
    if step == 0 {
        return Err(FieldError::ZeroStep {
            expr: expr.to_owned(),
        });
    }
    Ok(bits(start, end, step) | if star { STAR_BIT } else { 0 })
}

/// A month or weekday name (any case), or else a non-negative number.
fn parse_int_or_name(text: &str, bounds: &Bounds) -> Result<u64, FieldError> {
    if !bounds.names.is_empty() {
        let lower = text.to_lowercase();
        if let Some(&(_, value)) = bounds.names.iter().find(|(name, _)| *name == lower) {
            return Ok(value);
        }
    }
    parse_number(text)
}

/// Parses like Go's `strconv.Atoi` (optional sign, decimal digits, 64-bit
/// range) and then rejects negative values.
fn parse_number(text: &str) -> Result<u64, FieldError> {
    let fail = |reason| FieldError::ParseInt {
        text: text.to_owned(),
        reason,
    };
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() {
        return Err(fail(IntErrorReason::InvalidSyntax));
    }
    let mut magnitude: u64 = 0;
    for b in digits.bytes() {
        if !b.is_ascii_digit() {
            return Err(fail(IntErrorReason::InvalidSyntax));
        }
        magnitude = magnitude
            .checked_mul(10)
            .and_then(|m| m.checked_add(u64::from(b - b'0')))
            .ok_or_else(|| fail(IntErrorReason::OutOfRange))?;
    }
    let limit = if negative { 1 << 63 } else { (1 << 63) - 1 };
    if magnitude > limit {
        return Err(fail(IntErrorReason::OutOfRange));
    }
    if negative && magnitude > 0 {
        return Err(FieldError::NegativeNumber {
            number: 0i64.wrapping_sub_unsigned(magnitude),
            text: text.to_owned(),
        });
    }
    Ok(magnitude)
}

/// Bits `min..=max` taking every `step`-th value; callers keep `max` below 63.
fn bits(min: u64, max: u64, step: u64) -> u64 {
    let step = usize::try_from(step).unwrap_or(usize::MAX);
    (min..=max).step_by(step).fold(0, |acc, n| acc | (1 << n))
}

/// Whether value `n` is set in a field's bits.
fn has(bits: u64, n: u32) -> bool {
    bits & (1 << n) != 0
}

impl FieldSet {
    /// robfig's day rule: if either day field was written with a star, both
    /// must match; if both are restricted, either one suffices.
    fn day_matches(&self, t: &Civil) -> bool {
        let dom_match = has(self.dom, t.day);
        let dow_match = has(self.dow, t.weekday());
        if self.dom & STAR_BIT != 0 || self.dow & STAR_BIT != 0 {
            dom_match && dow_match
        } else {
            dom_match || dow_match
        }
    }

    /// robfig's `SpecSchedule.Next` in UTC: start at the next whole second,
    /// then move each field forward until it matches, coarsest first, and
    /// start over whenever a field wraps around.
    fn next_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        // With no second, minute, hour or month allowed, nothing ever matches.
        if [self.second, self.minute, self.hour, self.month]
            .iter()
            .any(|&b| b & !STAR_BIT == 0)
        {
            return None;
        }

        let mut t = Civil::from_utc(t);
        t.add_second();
        let mut moved = false;
        let year_limit = t.year + SEARCH_YEARS;

        'wrap: loop {
            if t.year > year_limit {
                return None;
            }

            while !has(self.month, t.month) {
                if !moved {
                    moved = true;
                    t = Civil {
                        day: 1,
                        hour: 0,
                        minute: 0,
                        second: 0,
                        ..t
                    };
                }
                t.add_month();
                if t.month == 1 {
                    continue 'wrap;
                }
            }

            while !self.day_matches(&t) {
                if !moved {
                    moved = true;
                    t.hour = 0;
                    t.minute = 0;
                    t.second = 0;
                }
                t.add_day();
                if t.day == 1 {
                    continue 'wrap;
                }
            }

            while !has(self.hour, t.hour) {
                if !moved {
                    moved = true;
                    t.minute = 0;
                    t.second = 0;
                }
                t.add_hour();
                if t.hour == 0 {
                    continue 'wrap;
                }
            }

            while !has(self.minute, t.minute) {
                if !moved {
                    moved = true;
                    t.second = 0;
                }
                t.add_minute();
                if t.minute == 0 {
                    continue 'wrap;
                }
            }

            while !has(self.second, t.second) {
                moved = true;
                t.add_second();
                if t.second == 0 {
                    continue 'wrap;
                }
            }

            return t.to_utc();
        }
    }
}

/// A UTC calendar time at second resolution, with carrying arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
}

impl Civil {
    /// Drops sub-second precision (a leap second reads as second 59).
    fn from_utc(t: DateTime<Utc>) -> Civil {
        use chrono::Datelike;
        Civil {
            year: i64::from(t.year()),
            month: t.month(),
            day: t.day(),
            hour: t.hour(),
            minute: t.minute(),
            second: t.second(),
        }
    }

    /// `None` when the year is outside chrono's range.
    fn to_utc(self) -> Option<DateTime<Utc>> {
        let year = i32::try_from(self.year).ok()?;
        let naive = NaiveDate::from_ymd_opt(year, self.month, self.day)?.and_hms_opt(
            self.hour,
            self.minute,
            self.second,
        )?;
        Some(naive.and_utc())
    }

    /// Day of the week, Sunday = 0.
    fn weekday(&self) -> u32 {
        // Days since 1970-01-01 (a Thursday), by the civil-from-days inverse.
        let (y, m) = if self.month <= 2 {
            (self.year - 1, i64::from(self.month) + 9)
        } else {
            (self.year, i64::from(self.month) - 3)
        };
        let era = y.div_euclid(400);
        let year_of_era = y - era * 400;
        let day_of_year = (153 * m + 2) / 5 + i64::from(self.day) - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        let days = era * 146_097 + day_of_era - 719_468;
        // In 0..7, so the conversion cannot fail.
        u32::try_from((days + 4).rem_euclid(7)).unwrap_or_default()
    }

    /// Like Go's `AddDate(0, 1, 0)`: a day past the end of the new month
    /// spills into the one after (the search only adds months on day 1).
    fn add_month(&mut self) {
        self.next_month();
        let last = days_in_month(self.year, self.month);
        if self.day > last {
            self.day -= last;
            self.next_month();
        }
    }

    /// Moves to the same day number of the following month, unchecked.
    fn next_month(&mut self) {
        if self.month == 12 {
            self.month = 1;
            self.year += 1;
        } else {
            self.month += 1;
        }
    }

    fn add_day(&mut self) {
        if self.day >= days_in_month(self.year, self.month) {
            self.day = 1;
            self.next_month();
        } else {
            self.day += 1;
        }
    }

    fn add_hour(&mut self) {
        self.hour += 1;
        if self.hour == 24 {
            self.hour = 0;
            self.add_day();
        }
    }

    fn add_minute(&mut self) {
        self.minute += 1;
        if self.minute == 60 {
            self.minute = 0;
            self.add_hour();
        }
    }

    fn add_second(&mut self) {
        self.second += 1;
        if self.second == 60 {
            self.second = 0;
            self.add_minute();
        }
    }
}

fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 31,
    }
}

impl fmt::Display for CronSchedule {
    /// The spec exactly as it was parsed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.spec)
    }
}

impl FromStr for CronSchedule {
    type Err = CronError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CronSchedule::parse(s)
    }
}

impl Serialize for CronSchedule {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.spec)
    }
}

impl<'de> Deserialize<'de> for CronSchedule {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(CronScheduleVisitor)
    }
}

/// Serde visitor accepting only cron spec strings.
struct CronScheduleVisitor;

impl Visitor<'_> for CronScheduleVisitor {
    type Value = CronSchedule;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a cron schedule string such as \"0 * * * *\" or \"@every 1h\"")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<CronSchedule, E> {
        CronSchedule::parse(v).map_err(E::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses an RFC 3339 test time.
    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap_or_else(|e| panic!("bad test time {text}: {e}"))
            .with_timezone(&Utc)
    }

    fn fields(spec: &str) -> FieldSet {
        match CronSchedule::parse(spec) {
            Ok(CronSchedule {
                kind: Kind::Fields(f),
                ..
            }) => f,
            other => panic!("{spec} => {other:?}"),
        }
    }

    fn set(second: u64, minute: u64, hour: u64, dom: u64, month: u64, dow: u64) -> FieldSet {
        FieldSet {
            second,
            minute,
            hour,
            dom,
            month,
            dow,
        }
    }

    /// Every `step`-th bit from `min` to `max`, without the star bit.
    fn b(min: u64, max: u64, step: u64) -> u64 {
        bits(min, max, step)
    }

    #[test]
    fn range_expressions() {
        let zero_to_seven = Bounds {
            field: CronField::Minute,
            min: 0,
            max: 7,
            names: &[],
        };
        let one_to_three = Bounds {
            field: CronField::Minute,
            min: 1,
            max: 3,
            names: &[],
        };
        let good: &[(&str, &Bounds, u64)] = &[
            ("5", &zero_to_seven, 1 << 5),
            ("0", &zero_to_seven, 1),
            ("7", &zero_to_seven, 1 << 7),
            ("+7", &zero_to_seven, 1 << 7),
            ("05", &zero_to_seven, 1 << 5),
            ("5-5", &zero_to_seven, 1 << 5),
            ("5-6", &zero_to_seven, 1 << 5 | 1 << 6),
            ("5-7", &zero_to_seven, 1 << 5 | 1 << 6 | 1 << 7),
            ("5-6/2", &zero_to_seven, 1 << 5),
            ("5-7/2", &zero_to_seven, 1 << 5 | 1 << 7),
            ("5-7/1", &zero_to_seven, 1 << 5 | 1 << 6 | 1 << 7),
            ("5/2", &zero_to_seven, 1 << 5 | 1 << 7),
            ("*", &one_to_three, 0b1110 | STAR_BIT),
            ("?", &one_to_three, 0b1110 | STAR_BIT),
            ("*/1", &one_to_three, 0b1110 | STAR_BIT),
            ("*/2", &one_to_three, 1 << 1 | 1 << 3),
            // robfig ignores whatever follows "*-".
            ("*-2", &one_to_three, 0b1110 | STAR_BIT),
        ];
        for &(expr, bounds, want) in good {
            assert_eq!(parse_range(expr, bounds), Ok(want), "{expr}");
        }

        let bad: &[(&str, &Bounds, &str)] = &[
            ("5--5", &zero_to_seven, "too many hyphens: 5--5"),
            ("*//2", &zero_to_seven, "too many slashes: *//2"),
            ("1/2/3", &zero_to_seven, "too many slashes: 1/2/3"),
            (
                "2-x",
                &one_to_three,
                r#"failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax"#,
            ),
            (
                "-1",
                &zero_to_seven,
                r#"failed to parse int from : strconv.Atoi: parsing "": invalid syntax"#,
            ),
            (
                "*/-12",
                &zero_to_seven,
                "negative number (-12) not allowed: -12",
            ),
            (
                "0",
                &one_to_three,
                "beginning of range (0) below minimum (1): 0",
            ),
            ("4", &one_to_three, "end of range (4) above maximum (3): 4"),
            (
                "3-2",
                &one_to_three,
                "beginning of range (3) beyond end of range (2): 3-2",
            ),
            (
                "*/0",
                &zero_to_seven,
                "step of range should be a positive number: */0",
            ),
        ];
        for &(expr, bounds, message) in bad {
            let err = parse_range(expr, bounds).expect_err(expr);
            assert_eq!(err.to_string(), message, "{expr}");
        }
    }

    #[test]
    fn field_lists_and_bit_helpers() {
        let one_to_seven = Bounds {
            field: CronField::Minute,
            min: 1,
            max: 7,
            names: &[],
        };
        let cases: &[(&str, u64)] = &[
            ("5", 1 << 5),
            ("5,6", 1 << 5 | 1 << 6),
            ("5,6,7", 1 << 5 | 1 << 6 | 1 << 7),
            ("1,5-7/2,3", 1 << 1 | 1 << 5 | 1 << 7 | 1 << 3),
            // Empty list items are skipped, as Go's strings.FieldsFunc does.
            ("5,,6,", 1 << 5 | 1 << 6),
            (",", 0),
        ];
        for &(expr, want) in cases {
            assert_eq!(parse_field(expr, &one_to_seven), Ok(want), "{expr}");
        }

        assert_eq!(MINUTES.all(), 0x0fff_ffff_ffff_ffff | STAR_BIT);
        assert_eq!(HOURS.all(), 0xff_ffff | STAR_BIT);
        assert_eq!(DOM.all(), 0xffff_fffe | STAR_BIT);
        assert_eq!(MONTHS.all(), 0x1ffe | STAR_BIT);
        assert_eq!(DOW.all(), 0x7f | STAR_BIT);
        assert_eq!(bits(0, 0, 1), 0x1);
        assert_eq!(bits(1, 1, 1), 0x2);
        assert_eq!(bits(1, 5, 2), 0x2a);
        assert_eq!(bits(1, 4, 2), 0xa);
        assert_eq!(bits(0, 59, u64::MAX), 0x1);
    }

    #[test]
    fn parse_field_schedules() {
        let every_hour = (HOURS.all(), DOM.all(), MONTHS.all(), DOW.all());
        let at_minute_5 = set(
            1,
            1 << 5,
            every_hour.0,
            every_hour.1,
            every_hour.2,
            every_hour.3,
        );
        let midnight = set(1, 1, 1, DOM.all(), MONTHS.all(), DOW.all());
        let cases: Vec<(&str, FieldSet)> = vec![
            ("5 * * * *", at_minute_5),
            ("0 5 * * * *", at_minute_5),
            ("CRON_TZ=UTC  5 * * * *", at_minute_5),
            ("TZ=UTC  0 5 * * * *", at_minute_5),
            ("TZ=Etc/UTC 5 * * * *", at_minute_5),
            ("TZ=GMT 5 * * * *", at_minute_5),
            ("TZ=Local 5 * * * *", at_minute_5),
            ("TZ= 5 * * * *", at_minute_5),
            ("\t5  *\n* *   * ", at_minute_5),
            (
                "5 5 * * * *",
                set(
                    1 << 5,
                    1 << 5,
                    HOURS.all(),
                    DOM.all(),
                    MONTHS.all(),
                    DOW.all(),
                ),
            ),
            (
                "* 5 * * * *",
                set(
                    SECONDS.all(),
                    1 << 5,
                    HOURS.all(),
                    DOM.all(),
                    MONTHS.all(),
                    DOW.all(),
                ),
            ),
            ("@midnight", midnight),
            ("@daily", midnight),
            ("TZ=UTC  @midnight", midnight),
            ("CRON_TZ=UTC @daily  ", midnight),
            ("0 0 * * *", midnight),
            ("0 0 0 ? * ?", midnight),
            ("@yearly", set(1, 1, 1, 1 << 1, 1 << 1, DOW.all())),
            ("@annually", set(1, 1, 1, 1 << 1, 1 << 1, DOW.all())),
            ("@monthly", set(1, 1, 1, 1 << 1, MONTHS.all(), DOW.all())),
            ("@weekly", set(1, 1, 1, DOM.all(), MONTHS.all(), 1)),
            (
                "@hourly",
                set(1, 1, HOURS.all(), DOM.all(), MONTHS.all(), DOW.all()),
            ),
            (
                "*/15 * * * *",
                set(
                    1,
                    b(0, 59, 15),
                    HOURS.all(),
                    DOM.all(),
                    MONTHS.all(),
                    DOW.all(),
                ),
            ),
            (
                "30 */5 * * * *",
                set(
                    1 << 30,
                    b(0, 59, 5),
                    HOURS.all(),
                    DOM.all(),
                    MONTHS.all(),
                    DOW.all(),
                ),
            ),
            (
                "0 0 * * 1-5",
                set(1, 1, 1, DOM.all(), MONTHS.all(), b(1, 5, 1)),
            ),
            (
                "0 12 ? JAN-mar Sun,SAT",
                set(1, 1, 1 << 12, DOM.all(), b(1, 3, 1), 1 | 1 << 6),
            ),
            (
                "0 12 * oct-Dec/2 mOn-fRi/2",
                set(
                    1,
                    1,
                    1 << 12,
                    DOM.all(),
                    1 << 10 | 1 << 12,
                    1 << 1 | 1 << 3 | 1 << 5,
                ),
            ),
            (
                "0 0 1,,15 * *",
                set(1, 1, 1, 1 << 1 | 1 << 15, MONTHS.all(), DOW.all()),
            ),
            ("0 0 29 2 *", set(1, 1, 1, 1 << 29, 1 << 2, DOW.all())),
            (
                "1,5-7/2,3 * * * *",
                set(
                    1,
                    1 << 1 | 1 << 5 | 1 << 7 | 1 << 3,
                    HOURS.all(),
                    DOM.all(),
                    MONTHS.all(),
                    DOW.all(),
                ),
            ),
            (
                ", * * * *",
                set(1, 0, HOURS.all(), DOM.all(), MONTHS.all(), DOW.all()),
            ),
        ];
        for (spec, want) in cases {
            assert_eq!(fields(spec), want, "{spec}");
        }
    }

    #[test]
    fn parse_every() {
        let cases: &[(&str, u64)] = &[
            ("@every 5m", 300),
            ("@every 1h30m", 5400),
            ("@every 15m50ns", 900),
            ("@every 1.9s", 1),
            ("@every 15ms", 1),
            ("@every 0", 1),
            ("@every 744h", 744 * 3600),
            ("TZ=UTC @every 1h", 3600),
        ];
        for &(spec, secs) in cases {
            let schedule = CronSchedule::parse(spec).unwrap();
            assert_eq!(
                schedule.kind,
                Kind::Every(Duration::from_secs(secs)),
                "{spec}"
            );
        }
    }

    #[test]
    fn parse_errors() {
        let cases: &[(&str, &str)] = &[
            ("", "empty spec string"),
            ("* * * *", "expected 5 to 6 fields, found 4: [* * * *]"),
            (
                "* * * * * * *",
                "expected 5 to 6 fields, found 7: [* * * * * * *]",
            ),
            ("   ", "expected 5 to 6 fields, found 0: []"),
            ("xyz", "expected 5 to 6 fields, found 1: [xyz]"),
            (" @daily", "expected 5 to 6 fields, found 1: [@daily]"),
            ("TZ=UTC ", "expected 5 to 6 fields, found 0: []"),
            ("0-60 * * * *", "end of range (60) above maximum (59): 0-60"),
            ("60 0 * * *", "end of range (60) above maximum (59): 60"),
            ("60 * * * * *", "end of range (60) above maximum (59): 60"),
            ("0 60 * * *", "end of range (60) above maximum (23): 60"),
            ("0 24 * * *", "end of range (24) above maximum (23): 24"),
            ("0 0 0 * *", "beginning of range (0) below minimum (1): 0"),
            ("0 0 32 * *", "end of range (32) above maximum (31): 32"),
            ("0 0 * 0 *", "beginning of range (0) below minimum (1): 0"),
            ("0 0 * 13 *", "end of range (13) above maximum (12): 13"),
            ("0 0 * * 7", "end of range (7) above maximum (6): 7"),
            ("0 0 * * mon-7", "end of range (7) above maximum (6): mon-7"),
            (
                "0 0 * * sat-sun",
                "beginning of range (6) beyond end of range (0): sat-sun",
            ),
            (
                "0 0 * * XYZ",
                r#"failed to parse int from XYZ: strconv.Atoi: parsing "XYZ": invalid syntax"#,
            ),
            (
                "0 0 * * monday",
                r#"failed to parse int from monday: strconv.Atoi: parsing "monday": invalid syntax"#,
            ),
            (
                "* 5 j * * *",
                r#"failed to parse int from j: strconv.Atoi: parsing "j": invalid syntax"#,
            ),
            (
                "0 0 * jan-x *",
                r#"failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax"#,
            ),
            (
                "0 0 * * 1-5/x",
                r#"failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax"#,
            ),
            (
                "0 mon * * *",
                r#"failed to parse int from mon: strconv.Atoi: parsing "mon": invalid syntax"#,
            ),
            ("5--5 * * * *", "too many hyphens: 5--5"),
            ("*//2 * * * *", "too many slashes: *//2"),
            ("*/-12 * * * *", "negative number (-12) not allowed: -12"),
            (
                "*/0 * * * *",
                "step of range should be a positive number: */0",
            ),
            (
                "15/0 * * * *",
                "step of range should be a positive number: 15/0",
            ),
            (
                "5-3 * * * *",
                "beginning of range (5) beyond end of range (3): 5-3",
            ),
            (
                "99999999999999999999 * * * *",
                r#"failed to parse int from 99999999999999999999: strconv.Atoi: parsing "99999999999999999999": value out of range"#,
            ),
            (
                "9223372036854775808 * * * *",
                r#"failed to parse int from 9223372036854775808: strconv.Atoi: parsing "9223372036854775808": value out of range"#,
            ),
            (
                "9223372036854775807 * * * *",
                "end of range (9223372036854775807) above maximum (59): 9223372036854775807",
            ),
            (
                "*/-9223372036854775808 * * * *",
                "negative number (-9223372036854775808) not allowed: -9223372036854775808",
            ),
            ("@unrecognized", "unrecognized descriptor: @unrecognized"),
            ("@daily ", "unrecognized descriptor: @daily "),
            ("@DAILY", "unrecognized descriptor: @DAILY"),
            ("@every", "unrecognized descriptor: @every"),
            (
                "@every Xm",
                r#"failed to parse duration @every Xm: time: invalid duration "Xm""#,
            ),
            (
                "@every 5",
                r#"failed to parse duration @every 5: time: missing unit in duration "5""#,
            ),
            (
                "@every  5m",
                r#"failed to parse duration @every  5m: time: invalid duration " 5m""#,
            ),
            (
                "@every -5m",
                r#"failed to parse duration @every -5m: time: negative duration "-5m" is not supported"#,
            ),
            (
                "TZ=America/New_York 0 0 * * *",
                "provided bad location America/New_York: unsupported time zone (only UTC is supported, e.g. TZ=UTC)",
            ),
            (
                "CRON_TZ=utc 0 0 * * *",
                "provided bad location utc: unsupported time zone (only UTC is supported, e.g. TZ=UTC)",
            ),
            ("TZ=UTC", "missing schedule after time zone: TZ=UTC"),
        ];
        for &(spec, message) in cases {
            let err = CronSchedule::parse(spec).expect_err(spec);
            assert_eq!(err.to_string(), message, "{spec:?}");
        }
    }

    #[test]
    fn field_errors_name_the_field() {
        let cases: &[(&str, CronField)] = &[
            ("x * * * * *", CronField::Second),
            ("x * * * *", CronField::Minute),
            ("* x * * *", CronField::Hour),
            ("* * x * *", CronField::DayOfMonth),
            ("* * * x *", CronField::Month),
            ("* * * * x", CronField::DayOfWeek),
        ];
        for &(spec, want) in cases {
            match CronSchedule::parse(spec) {
                Err(CronError::Field { field, .. }) => assert_eq!(field, want, "{spec}"),
                other => panic!("{spec} => {other:?}"),
            }
        }
        assert_eq!(
            CronSchedule::parse("0 0 * * 7"),
            Err(CronError::Field {
                field: CronField::DayOfWeek,
                error: FieldError::AboveMaximum {
                    end: 7,
                    max: 6,
                    expr: "7".into()
                }
            })
        );
        assert_eq!(CronField::DayOfMonth.to_string(), "day of month");
    }

    #[test]
    fn next_after_table() {
        // (from, spec, expected next; "" for none)
        let cases: &[(&str, &str, &str)] = &[
            // Simple cases.
            (
                "2012-07-09T14:45:00Z",
                "0 0/15 * * * *",
                "2012-07-09T15:00:00Z",
            ),
            (
                "2012-07-09T14:59:00Z",
                "0 0/15 * * * *",
                "2012-07-09T15:00:00Z",
            ),
            (
                "2012-07-09T14:59:59Z",
                "0 0/15 * * * *",
                "2012-07-09T15:00:00Z",
            ),
            (
                "2012-07-09T10:07:30Z",
                "*/15 * * * *",
                "2012-07-09T10:15:00Z",
            ),
            (
                "2012-07-09T10:15:00Z",
                "*/15 * * * *",
                "2012-07-09T10:30:00Z",
            ),
            (
                "2012-07-09T10:14:59.999Z",
                "*/15 * * * *",
                "2012-07-09T10:15:00Z",
            ),
            (
                "2012-07-09T10:00:30Z",
                "30 */5 * * * *",
                "2012-07-09T10:05:30Z",
            ),
            (
                "2012-07-09T10:00:29Z",
                "30 */5 * * * *",
                "2012-07-09T10:00:30Z",
            ),
            (
                "2012-07-09T10:00:00.5Z",
                "* * * * * *",
                "2012-07-09T10:00:01Z",
            ),
            // Wrap around hours.
            (
                "2012-07-09T15:45:00Z",
                "0 20-35/15 * * * *",
                "2012-07-09T16:20:00Z",
            ),
            // Wrap around days.
            (
                "2012-07-09T23:46:00Z",
                "0 */15 * * * *",
                "2012-07-10T00:00:00Z",
            ),
            (
                "2012-07-09T23:45:00Z",
                "0 20-35/15 * * * *",
                "2012-07-10T00:20:00Z",
            ),
            (
                "2012-07-09T23:35:51Z",
                "15/35 20-35/15 * * * *",
                "2012-07-10T00:20:15Z",
            ),
            (
                "2012-07-09T23:35:51Z",
                "15/35 20-35/15 1/2 * * *",
                "2012-07-10T01:20:15Z",
            ),
            (
                "2012-07-09T23:35:51Z",
                "15/35 20-35/15 10-12 * * *",
                "2012-07-10T10:20:15Z",
            ),
            (
                "2012-07-09T23:35:51Z",
                "15/35 20-35/15 1/2 */2 * *",
                "2012-07-11T01:20:15Z",
            ),
            (
                "2012-07-09T23:35:51Z",
                "15/35 20-35/15 * 9-20 * *",
                "2012-07-10T00:20:15Z",
            ),
            (
                "2012-07-09T23:35:51Z",
                "15/35 20-35/15 * 9-20 Jul *",
                "2012-07-10T00:20:15Z",
            ),
            // Wrap around months.
            (
                "2012-07-09T23:35:00Z",
                "0 0 0 9 Apr-Oct ?",
                "2012-08-09T00:00:00Z",
            ),
            (
                "2012-07-09T23:35:00Z",
                "0 0 0 */5 Apr,Aug,Oct Mon",
                "2012-08-01T00:00:00Z",
            ),
            (
                "2012-07-09T23:35:00Z",
                "0 0 0 */5 Oct Mon",
                "2012-10-01T00:00:00Z",
            ),
            // Wrap around years.
            (
                "2012-07-09T23:35:00Z",
                "0 0 0 * Feb Mon",
                "2013-02-04T00:00:00Z",
            ),
            (
                "2012-07-09T23:35:00Z",
                "0 0 0 * Feb Mon/2",
                "2013-02-01T00:00:00Z",
            ),
            // Wrap around second, minute, hour, day, month and year at once.
            (
                "2012-12-31T23:59:45Z",
                "0 * * * * *",
                "2013-01-01T00:00:00Z",
            ),
            // Weekdays only: Friday noon to Monday midnight.
            (
                "2012-07-13T12:00:00Z",
                "0 0 * * 1-5",
                "2012-07-16T00:00:00Z",
            ),
            (
                "2012-07-16T00:00:00Z",
                "0 0 * * 1-5",
                "2012-07-17T00:00:00Z",
            ),
            (
                "2012-07-13T12:00:00Z",
                "0 0 * * MON-FRI",
                "2012-07-16T00:00:00Z",
            ),
            // Leap years.
            (
                "2012-07-09T23:35:00Z",
                "0 0 0 29 Feb ?",
                "2016-02-29T00:00:00Z",
            ),
            ("2013-03-01T00:00:00Z", "0 0 29 2 *", "2016-02-29T00:00:00Z"),
            ("2016-02-29T00:00:00Z", "0 0 29 2 *", "2020-02-29T00:00:00Z"),
            ("2099-01-01T00:00:00Z", "0 0 29 2 *", "2104-02-29T00:00:00Z"),
            // 2100 is no leap year, and 2104 lies beyond the five-year search.
            ("2098-06-01T00:00:00Z", "0 0 29 2 *", ""),
            // Unsatisfiable.
            ("2012-07-09T23:35:00Z", "0 0 0 30 Feb ?", ""),
            ("2012-07-09T23:35:00Z", "0 0 0 31 Apr ?", ""),
            ("2012-07-09T23:35:00Z", ", * * * *", ""),
            ("2012-07-09T23:35:00Z", "0 0 * , *", ""),
            ("2012-07-09T23:35:00Z", "0 0 , * *", ""),
            // Day of month and day of week both restricted: either matches.
            (
                "2012-07-01T00:00:00Z",
                "0 0 13 * FRI",
                "2012-07-06T00:00:00Z",
            ),
            (
                "2012-07-06T00:00:00Z",
                "0 0 13 * FRI",
                "2012-07-13T00:00:00Z",
            ),
            (
                "2012-07-09T00:00:00Z",
                "0 0 1,15 * SUN",
                "2012-07-15T00:00:00Z",
            ),
            (
                "2012-07-15T00:00:00Z",
                "0 0 1,15 * SUN",
                "2012-07-22T00:00:00Z",
            ),
            (
                "2012-07-29T00:00:00Z",
                "0 0 1,15 * SUN",
                "2012-08-01T00:00:00Z",
            ),
            // An empty day-of-month list leaves the weekday alone in charge.
            (
                "2012-07-09T00:00:00Z",
                "0 0 , * WED",
                "2012-07-11T00:00:00Z",
            ),
            // One of them a star: both must match.
            ("2012-07-01T00:00:00Z", "0 0 13 * *", "2012-07-13T00:00:00Z"),
            ("2012-07-01T00:00:00Z", "0 0 13 * ?", "2012-07-13T00:00:00Z"),
            (
                "2012-07-01T00:00:00Z",
                "0 0 * * FRI",
                "2012-07-06T00:00:00Z",
            ),
            (
                "2012-07-01T00:00:00Z",
                "0 0 13 * */1",
                "2012-07-13T00:00:00Z",
            ),
            // A step above 1 drops the star: "*/2" is restricted, so an odd
            // day or a Friday will do (robfig issue #70).
            (
                "2012-07-01T00:00:00Z",
                "0 0 */2 * FRI",
                "2012-07-03T00:00:00Z",
            ),
            (
                "2012-07-05T00:00:00Z",
                "0 0 */2 * FRI",
                "2012-07-06T00:00:00Z",
            ),
            (
                "2012-07-06T00:00:00Z",
                "0 0 */2 * FRI",
                "2012-07-07T00:00:00Z",
            ),
            // Names, any case.
            (
                "2012-07-09T00:00:00Z",
                "0 12 * jan-MAR Mon,wed",
                "2013-01-02T12:00:00Z",
            ),
            (
                "2012-07-09T00:00:00Z",
                "0 0 1 dec *",
                "2012-12-01T00:00:00Z",
            ),
            // Descriptors.
            ("2012-07-09T00:00:00Z", "@daily", "2012-07-10T00:00:00Z"),
            ("2012-07-09T15:04:00Z", "@midnight", "2012-07-10T00:00:00Z"),
            ("2012-07-09T15:04:00Z", "@hourly", "2012-07-09T16:00:00Z"),
            ("2012-07-09T15:04:00Z", "@weekly", "2012-07-15T00:00:00Z"),
            ("2012-07-09T15:04:00Z", "@monthly", "2012-08-01T00:00:00Z"),
            ("2012-07-09T15:04:00Z", "@yearly", "2013-01-01T00:00:00Z"),
            ("2012-07-09T15:04:00Z", "@annually", "2013-01-01T00:00:00Z"),
            (
                "2012-12-31T23:59:59Z",
                "TZ=UTC @yearly",
                "2013-01-01T00:00:00Z",
            ),
            (
                "2012-07-09T15:04:00Z",
                "CRON_TZ=UTC 0 0 * * * ?",
                "2012-07-09T16:00:00Z",
            ),
            // Schedules are evaluated in UTC.
            (
                "2016-01-03T13:09:03Z",
                "14 14 * * *",
                "2016-01-03T14:14:00Z",
            ),
            (
                "2016-01-03T04:09:03Z",
                "14 14 * * ?",
                "2016-01-03T14:14:00Z",
            ),
            (
                "2016-01-03T14:09:03Z",
                "14 14 * * *",
                "2016-01-03T14:14:00Z",
            ),
            (
                "2016-01-03T14:00:00Z",
                "14 14 * * ?",
                "2016-01-03T14:14:00Z",
            ),
            (
                "2016-01-03T19:09:03+05:30",
                "14 14 * * *",
                "2016-01-03T14:14:00Z",
            ),
            // @every: truncate to the second, then add.
            (
                "2012-07-09T14:45:00Z",
                "@every 15m50ns",
                "2012-07-09T15:00:00Z",
            ),
            ("2012-07-09T14:59:00Z", "@every 15m", "2012-07-09T15:14:00Z"),
            ("2012-07-09T14:59:59Z", "@every 15m", "2012-07-09T15:14:59Z"),
            ("2012-07-09T15:45:00Z", "@every 35m", "2012-07-09T16:20:00Z"),
            ("2012-07-09T23:46:00Z", "@every 14m", "2012-07-10T00:00:00Z"),
            (
                "2012-07-09T23:35:51Z",
                "@every 44m24s",
                "2012-07-10T00:20:15Z",
            ),
            (
                "2012-07-09T23:35:51Z",
                "@every 25h44m24s",
                "2012-07-11T01:20:15Z",
            ),
            (
                "2012-07-09T23:35:00Z",
                "@every 2184h25m",
                "2012-10-09T00:00:00Z",
            ),
            ("2012-12-31T23:59:45Z", "@every 15s", "2013-01-01T00:00:00Z"),
            (
                "2012-07-09T14:45:00Z",
                "@every 15ms",
                "2012-07-09T14:45:01Z",
            ),
            (
                "2012-07-09T14:45:00.005Z",
                "@every 15m",
                "2012-07-09T15:00:00Z",
            ),
            (
                "2012-07-09T14:45:00.005Z",
                "@every 15m50ns",
                "2012-07-09T15:00:00Z",
            ),
            (
                "2012-07-09T10:00:00Z",
                "@every 1h30m",
                "2012-07-09T11:30:00Z",
            ),
            (
                "2012-07-09T10:00:00.999Z",
                "@every 0s",
                "2012-07-09T10:00:01Z",
            ),
        ];
        for &(from, spec, want) in cases {
            let schedule = CronSchedule::parse(spec).unwrap_or_else(|e| panic!("{spec}: {e}"));
            let got = schedule.next_after(at(from));
            let want = (!want.is_empty()).then(|| at(want));
            assert_eq!(got, want, "next after {from} for {spec:?}");
        }
    }

    #[test]
    fn activation() {
        // (time, spec, whether the schedule fires exactly then)
        let cases: &[(&str, &str, bool)] = &[
            // Every fifteen minutes.
            ("2012-07-09T15:00:00Z", "0/15 * * * *", true),
            ("2012-07-09T15:45:00Z", "0/15 * * * *", true),
            ("2012-07-09T15:40:00Z", "0/15 * * * *", false),
            // Every fifteen minutes, starting at 5 minutes.
            ("2012-07-09T15:05:00Z", "5/15 * * * *", true),
            ("2012-07-09T15:20:00Z", "5/15 * * * *", true),
            ("2012-07-09T15:50:00Z", "5/15 * * * *", true),
            // Named months.
            ("2012-07-15T15:00:00Z", "0/15 * * Jul *", true),
            ("2012-07-15T15:00:00Z", "0/15 * * Jun *", false),
            // Everything set.
            ("2012-07-15T08:30:00Z", "30 08 ? Jul Sun", true),
            ("2012-07-15T08:30:00Z", "30 08 15 Jul ?", true),
            ("2012-07-16T08:30:00Z", "30 08 ? Jul Sun", false),
            ("2012-07-16T08:30:00Z", "30 08 15 Jul ?", false),
            // Descriptors.
            ("2012-07-09T15:00:00Z", "@hourly", true),
            ("2012-07-09T15:04:00Z", "@hourly", false),
            ("2012-07-09T15:00:00Z", "@daily", false),
            ("2012-07-09T00:00:00Z", "@daily", true),
            ("2012-07-09T00:00:00Z", "@weekly", false),
            ("2012-07-08T00:00:00Z", "@weekly", true),
            ("2012-07-08T01:00:00Z", "@weekly", false),
            ("2012-07-08T00:00:00Z", "@monthly", false),
            ("2012-07-01T00:00:00Z", "@monthly", true),
            // Both day fields restricted: only one needs to match.
            ("2012-07-15T00:00:00Z", "* * 1,15 * Sun", true),
            ("2012-06-15T00:00:00Z", "* * 1,15 * Sun", true),
            ("2012-08-01T00:00:00Z", "* * 1,15 * Sun", true),
            ("2012-07-15T00:00:00Z", "* * */10 * Sun", true),
            // One of them a star: both need to match.
            ("2012-07-15T00:00:00Z", "* * * * Mon", false),
            ("2012-07-09T00:00:00Z", "* * 1,15 * *", false),
            ("2012-07-15T00:00:00Z", "* * 1,15 * *", true),
            ("2012-07-15T00:00:00Z", "* * */2 * Sun", true),
        ];
        for &(time, spec, fires) in cases {
            let schedule = CronSchedule::parse(spec).unwrap();
            let t = at(time);
            let next = schedule.next_after(t - TimeDelta::seconds(1));
            assert_eq!(
                next == Some(t),
                fires,
                "{spec:?} at {time}: next is {next:?}"
            );
        }
    }

    #[test]
    fn next_after_is_strictly_later_for_every_second_of_a_day() {
        let schedule = CronSchedule::parse("*/7 */13 * * * *").unwrap();
        let mut t = at("2012-02-28T23:00:00Z");
        for _ in 0..(2 * 3600) {
            let next = schedule.next_after(t).unwrap();
            assert!(next > t);
            assert!(next - t <= TimeDelta::minutes(14), "{t} -> {next}");
            assert_eq!(next.second() % 7, 0);
            assert_eq!(next.minute() % 13, 0);
            t += TimeDelta::seconds(1);
        }
    }

    #[test]
    fn weekday_matches_chrono() {
        use chrono::Datelike;
        let mut day = NaiveDate::from_ymd_opt(1899, 12, 25).unwrap();
        for _ in 0..(3 * 366) {
            let civil = Civil::from_utc(day.and_hms_opt(0, 0, 0).unwrap().and_utc());
            assert_eq!(
                civil.weekday(),
                day.weekday().num_days_from_sunday(),
                "{day}"
            );
            day = day.succ_opt().unwrap();
        }
        let mut civil = Civil {
            year: 2013,
            month: 1,
            day: 31,
            hour: 0,
            minute: 0,
            second: 0,
        };
        civil.add_month();
        assert_eq!((civil.year, civil.month, civil.day), (2013, 3, 3));
    }

    #[test]
    fn display_and_serde_keep_the_spec() {
        for spec in ["CRON_TZ=UTC  5 * * * *", "@every 1h30m", "0 0 * * MON-fri"] {
            let schedule = CronSchedule::parse(spec).unwrap();
            assert_eq!(schedule.to_string(), spec);
            assert_eq!(schedule.as_str(), spec);
            assert_eq!(spec.parse::<CronSchedule>().unwrap(), schedule);
            let json = serde_json::to_string(&schedule).unwrap();
            assert_eq!(json, serde_json::to_string(spec).unwrap());
            let back: CronSchedule = serde_json::from_str(&json).unwrap();
            assert_eq!(back, schedule);
        }

        let err = serde_json::from_str::<CronSchedule>(r#""* * * *""#).unwrap_err();
        assert!(
            err.to_string()
                .contains("expected 5 to 6 fields, found 4: [* * * *]"),
            "{err}"
        );
        let err = serde_json::from_str::<CronSchedule>("5").unwrap_err();
        assert!(
            err.to_string().contains("expected a cron schedule string"),
            "{err}"
        );
    }
}
