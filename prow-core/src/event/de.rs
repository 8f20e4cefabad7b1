//! Lenient deserialisation helpers shared by the payload types.
//!
//! GitHub omits fields or sends `null` for them depending on the event and its age; these helpers
//! turn both cases into the field's default instead of an error.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer};

/// Deserialises `T`, treating `null` like a missing field (`T::default()`).
///
/// Use together with `#[serde(default)]` so a missing field also yields the default.
pub(crate) fn nullable<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// Deserialises a timestamp given either as an RFC 3339 string or as Unix seconds (push payloads
/// use both forms). A value that is neither, or cannot be read as a time, becomes `None`.
pub(crate) fn lenient_time<'de, D>(deserializer: D) -> Result<Option<DateTime<Utc>>, D::Error>
where
    D: Deserializer<'de>,
{
    let value = Option::<serde_json::Value>::deserialize(deserializer)?;
    Ok(match value {
        Some(serde_json::Value::String(text)) => DateTime::parse_from_rfc3339(&text)
            .ok()
            .map(|time| time.with_timezone(&Utc)),
        Some(serde_json::Value::Number(number)) => number
            .as_i64()
            .and_then(|seconds| DateTime::from_timestamp(seconds, 0)),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Probe {
        #[serde(default, deserialize_with = "nullable")]
        list: Vec<String>,
        #[serde(default, deserialize_with = "nullable")]
        flag: bool,
        #[serde(default, deserialize_with = "lenient_time")]
        at: Option<DateTime<Utc>>,
    }

    #[test]
    fn missing_and_null_fields_take_defaults() {
        for body in [r#"{}"#, r#"{"list": null, "flag": null, "at": null}"#] {
            let probe: Probe = serde_json::from_str(body).unwrap();
            assert!(probe.list.is_empty(), "{body}");
            assert!(!probe.flag, "{body}");
            assert_eq!(probe.at, None, "{body}");
        }
    }

    #[test]
    fn timestamps_in_every_form() {
        let cases = [
            (r#""2019-05-15T15:20:55Z""#, Some(1_557_933_655)),
            (r#""2019-05-15T10:20:55-05:00""#, Some(1_557_933_655)),
            ("1557933655", Some(1_557_933_655)),
            (r#""not a time""#, None),
            ("true", None),
        ];
        for (raw, want) in cases {
            let probe: Probe = serde_json::from_str(&format!(r#"{{"at": {raw}}}"#)).unwrap();
            assert_eq!(probe.at.map(|t| t.timestamp()), want, "{raw}");
        }
    }
}
