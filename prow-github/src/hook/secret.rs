//! The HMAC secret file hook verifies webhooks with, in both of Prow's forms, and the shared,
//! reloadable handle a server reads it through. Secret values never reach a log line, a
//! `Debug`/`Display` output or an error message.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use serde::Deserialize;

/// A secret value: shown as `Secret(***)` by `Debug` and `Display`, whatever it holds.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<Vec<u8>>) -> Self {
        Secret(value.into())
    }

    /// The secret bytes, for the one place that needs them (the HMAC key).
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// One token of the per-repository form: its value and when it was created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HmacToken {
    /// The HMAC key.
    pub value: Secret,
    /// `created_at`, when the file gives it (informational: every listed token is accepted).
    pub created_at: Option<DateTime<Utc>>,
}

/// The key of the per-repository form that applies to every repository without a list of its
/// own.
pub const GLOBAL_KEY: &str = "*";

/// The content of an HMAC secret file.
#[derive(Clone, PartialEq, Eq)]
pub enum HmacConfig {
    /// The legacy form: the whole file, trimmed, is the one token for every repository.
    Single(Secret),
    /// The per-repository form: `org/repo`, `org` or `*` mapped to a list of tokens. Every token
    /// of the list that applies is accepted, so a secret is rotated by listing the new token
    /// beside the old one, then removing the old one.
    PerRepo(BTreeMap<String, Vec<HmacToken>>),
}

impl fmt::Debug for HmacConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HmacConfig::Single(_) => f.write_str("Single(Secret(***))"),
            HmacConfig::PerRepo(map) => {
                let mut repos = f.debug_map();
                for (key, tokens) in map {
                    repos.entry(key, &format_args!("{} token(s)", tokens.len()));
                }
                repos.finish()
            }
        }
    }
}

/// The shape of one token entry in the per-repository form.
#[derive(Deserialize)]
struct TokenEntry {
    #[serde(default)]
    value: String,
    #[serde(default)]
    created_at: Option<DateTime<Utc>>,
}

impl HmacConfig {
    /// Reads the content of a secret file.
    ///
    /// A file whose content is a YAML mapping is the per-repository form and must be valid: each
    /// key maps to a non-empty list of `{value, created_at}` entries with non-empty values and
    /// RFC 3339 `created_at` times. Any other content that fits on one line (including a line
    /// that looks like an invalid mapping, such as `pass: word`) is the legacy single token,
    /// surrounding whitespace removed. Anything else is an error, which tells where the problem
    /// is but never quotes a value.
    ///
    /// Upstream Prow falls back to the single-token form whenever the mapping fails to parse,
    /// which turns a typo in a rotated file into a silent "every webhook is rejected"; prow-rs
    /// reports it instead (and [`HmacSecrets::reload`] keeps the previous secrets).
    pub fn parse(content: &[u8]) -> Result<Self, SecretProblem> {
        let trimmed = content.trim_ascii();
        if trimmed.is_empty() {
            return Err(SecretProblem::Empty);
        }
        let one_line = !trimmed.contains(&b'\n') && !trimmed.contains(&b'\r');
        let Ok(text) = std::str::from_utf8(content) else {
            return if one_line {
                Ok(HmacConfig::Single(Secret::new(trimmed)))
            } else {
                Err(SecretProblem::NotUtf8)
            };
        };
        match prow_core::yaml::to_json(text) {
            Ok(serde_json::Value::Object(_)) => match Self::parse_per_repo(text) {
                // A one-line token may look like a mapping (`pass: word`); upstream reads
                // whatever is not a valid mapping as a token, and so does prow-rs for one line.
                Err(_) if one_line => Ok(HmacConfig::Single(Secret::new(trimmed))),
                parsed => parsed,
            },
            Ok(serde_json::Value::Null) if only_comments(text) => Err(SecretProblem::Empty),
            _ if one_line => Ok(HmacConfig::Single(Secret::new(trimmed))),
            Ok(_) => Err(SecretProblem::NotTokenNorMapping { line: None }),
            Err(error) => Err(SecretProblem::NotTokenNorMapping {
                line: error.location().map(|l| l.line),
            }),
        }
    }

    fn parse_per_repo(text: &str) -> Result<Self, SecretProblem> {
        let raw: BTreeMap<String, Vec<TokenEntry>> =
            prow_core::yaml::from_str(text).map_err(|error| SecretProblem::Yaml {
                location: error
                    .location()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                message: redact(error.message()),
            })?;
        if raw.is_empty() {
            return Err(SecretProblem::NoTokens);
        }
        let mut map = BTreeMap::new();
        for (key, entries) in raw {
            if entries.is_empty() {
                return Err(SecretProblem::EmptyList { key });
            }
            let mut tokens = Vec::with_capacity(entries.len());
            for (index, entry) in entries.into_iter().enumerate() {
                if entry.value.is_empty() {
                    return Err(SecretProblem::EmptyValue { key, index });
                }
                tokens.push(HmacToken {
                    value: Secret::new(entry.value),
                    created_at: entry.created_at,
                });
            }
            map.insert(key, tokens);
        }
        Ok(HmacConfig::PerRepo(map))
    }

    /// The tokens to try for a delivery from `org_repo` (`org/repo`, or the organization's login
    /// for an organization-level event, or empty when the payload names neither): the single
    /// token; or the most specific list that exists — `org/repo`, else `org`, else `*`. Only
    /// that one list is tried: an `org/repo` list shadows its organization's list.
    pub fn tokens_for(&self, org_repo: &str) -> Option<Vec<&Secret>> {
        match self {
            HmacConfig::Single(secret) => Some(vec![secret]),
            HmacConfig::PerRepo(map) => {
                let org = org_repo.split('/').next().unwrap_or_default();
                let list = map
                    .get(org_repo)
                    .or_else(|| map.get(org))
                    .or_else(|| map.get(GLOBAL_KEY))?;
                Some(list.iter().map(|token| &token.value).collect())
            }
        }
    }

    /// Whether [`HmacConfig::tokens_for`] depends on the repository (the per-repository form
    /// with a key other than `*`).
    pub fn depends_on_repo(&self) -> bool {
        match self {
            HmacConfig::Single(_) => false,
            HmacConfig::PerRepo(map) => map.keys().any(|key| key != GLOBAL_KEY),
        }
    }
}

/// Whether every line that is not blank is a YAML comment.
fn only_comments(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .all(|line| line.is_empty() || line.starts_with('#'))
}

/// Removes the values a YAML error message may quote (`invalid type: string "…"`), keeping what
/// the message says about the expected shape.
fn redact(message: &str) -> String {
    for prefix in ["invalid type: ", "invalid value: ", "invalid length "] {
        if let Some(rest) = message.strip_prefix(prefix) {
            let kind = prefix.trim_end_matches([':', ' ']);
            return match rest.find(", expected") {
                Some(at) => format!("{kind}{}", &rest[at..]),
                None => kind.to_owned(),
            };
        }
    }
    // Anything else may still quote a value: keep only the text outside quotes.
    let mut out = String::with_capacity(message.len());
    let mut quoted = false;
    for c in message.chars() {
        if c == '"' {
            if !quoted {
                out.push_str("\"***\"");
            }
            quoted = !quoted;
        } else if !quoted {
            out.push(c);
        }
    }
    out
}

/// What is wrong with the content of a secret file. The messages never quote the file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SecretProblem {
    /// Nothing but whitespace or comments.
    #[error("the file holds no token")]
    Empty,
    /// Several lines, not valid UTF-8.
    #[error("the file is neither a single-line token nor UTF-8 YAML")]
    NotUtf8,
    /// Several lines that are not a YAML mapping.
    #[error(
        "{}the file is not a YAML mapping of `org/repo`, `org` or `*` to token lists, and it is \
         not a single-line token either",
        line.map(|l| format!("line {l}: ")).unwrap_or_default()
    )]
    NotTokenNorMapping {
        /// The line of the YAML syntax error, when there is one.
        line: Option<usize>,
    },
    /// A YAML mapping whose values are not token lists.
    #[error(
        "{location}{}{message} (each key maps to a list of `value: <token>` entries, each with an \
         optional RFC 3339 `created_at`)",
        if location.is_empty() { "" } else { ": " }
    )]
    Yaml {
        /// Line, column and path of the problem.
        location: String,
        /// What is wrong, with any quoted value removed.
        message: String,
    },
    /// An empty mapping.
    #[error("the mapping lists no token")]
    NoTokens,
    /// A key with an empty list.
    #[error("`{key}` has no tokens")]
    EmptyList {
        /// The `org/repo`, `org` or `*` key.
        key: String,
    },
    /// An entry without a value.
    #[error("`{key}`[{index}]: the token value is empty")]
    EmptyValue {
        /// The `org/repo`, `org` or `*` key.
        key: String,
        /// The entry's position in the list, from 0.
        index: usize,
    },
}

/// A secret file that could not be read or understood.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SecretFileError {
    /// The file could not be read.
    #[error("could not read the hmac secret file {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file was read but its content is not a secret file.
    #[error("invalid hmac secret file {}: {problem}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        #[source]
        problem: SecretProblem,
    },
}

/// The file's identity as last read, to notice a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
}

/// The HMAC secrets a server verifies webhooks with, shared between requests and re-readable
/// from their file ([`HmacSecrets::reload`]) so that rotated secrets are picked up without a
/// restart.
pub struct HmacSecrets {
    path: Option<PathBuf>,
    current: RwLock<(Arc<HmacConfig>, Option<Stamp>)>,
}

impl fmt::Debug for HmacSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HmacSecrets")
            .field("path", &self.path)
            .field("config", &self.current())
            .finish()
    }
}

impl HmacSecrets {
    /// Secrets that live in memory only ([`HmacSecrets::reload`] keeps them as they are).
    pub fn new(config: HmacConfig) -> Self {
        HmacSecrets {
            path: None,
            current: RwLock::new((Arc::new(config), None)),
        }
    }

    /// One token for every repository (the legacy form), in memory.
    pub fn from_token(token: impl Into<Vec<u8>>) -> Self {
        Self::new(HmacConfig::Single(Secret::new(token)))
    }

    /// Reads the secret file at `path` (`--hmac-secret-file`).
    pub fn from_file(path: impl Into<PathBuf>) -> Result<Self, SecretFileError> {
        let path = path.into();
        let (config, stamp) = read_file(&path)?;
        Ok(HmacSecrets {
            path: Some(path),
            current: RwLock::new((Arc::new(config), Some(stamp))),
        })
    }

    /// The file the secrets come from, if any.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The secrets in force.
    pub fn current(&self) -> Arc<HmacConfig> {
        let guard = self.current.read().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(&guard.0)
    }

    /// Re-reads the file. On error the secrets in force stay as they were. Secrets built in
    /// memory have no file and are left unchanged.
    pub fn reload(&self) -> Result<(), SecretFileError> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let (config, stamp) = read_file(path)?;
        *self.current.write().unwrap_or_else(PoisonError::into_inner) =
            (Arc::new(config), Some(stamp));
        Ok(())
    }

    /// Re-reads the file if its modification time or size changed since it was last read;
    /// returns whether it did. On error the secrets in force stay as they were.
    pub fn reload_if_changed(&self) -> Result<bool, SecretFileError> {
        let Some(path) = &self.path else {
            return Ok(false);
        };
        let stamp = stamp_of(path)?;
        let last = self
            .current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .1;
        if last == Some(stamp) {
            return Ok(false);
        }
        self.reload()?;
        Ok(true)
    }

    /// Spawns a task on the current tokio runtime that calls
    /// [`HmacSecrets::reload_if_changed`] every `period` (upstream Prow checks every second),
    /// logging failures without their content.
    pub fn spawn_reloader(self: &Arc<Self>, period: Duration) -> tokio::task::JoinHandle<()> {
        let secrets = Arc::clone(self);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(period);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                match secrets.reload_if_changed() {
                    Ok(true) => {
                        tracing::info!(path = ?secrets.path, "reloaded the hmac secret file")
                    }
                    Ok(false) => {}
                    Err(error) => tracing::error!(%error, "keeping the previous hmac secrets"),
                }
            }
        })
    }
}

fn stamp_of(path: &Path) -> Result<Stamp, SecretFileError> {
    let metadata = std::fs::metadata(path).map_err(|source| SecretFileError::Read {
        path: path.to_owned(),
        source,
    })?;
    Ok(Stamp {
        modified: metadata.modified().ok(),
        len: metadata.len(),
    })
}

fn read_file(path: &Path) -> Result<(HmacConfig, Stamp), SecretFileError> {
    let stamp = stamp_of(path)?;
    let content = std::fs::read(path).map_err(|source| SecretFileError::Read {
        path: path.to_owned(),
        source,
    })?;
    let config = HmacConfig::parse(&content).map_err(|problem| SecretFileError::Invalid {
        path: path.to_owned(),
        problem,
    })?;
    Ok((config, stamp))
}

#[cfg(test)]
mod tests {
    use super::*;

    const UPSTREAM: &str = "
'*':
  - value: abc
    created_at: 2020-10-02T15:00:00Z
  - value: key
    created_at: 2018-10-02T15:00:00Z
'org1':
  - value: abc1
    created_at: 2020-10-02T15:00:00Z
'org2/repo':
  - value: abc2
  - value: key2
";

    fn values(config: &HmacConfig, org_repo: &str) -> Option<Vec<String>> {
        config.tokens_for(org_repo).map(|tokens| {
            tokens
                .iter()
                .map(|t| String::from_utf8(t.expose().to_vec()).unwrap())
                .collect()
        })
    }

    #[test]
    fn secret_never_shows_its_value() {
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret:?}"), "Secret(***)");
        assert_eq!(secret.to_string(), "Secret(***)");
        let config = HmacConfig::parse(UPSTREAM.as_bytes()).unwrap();
        let shown = format!("{:?}", HmacSecrets::new(config));
        assert!(!shown.contains("abc"), "{shown}");
        assert!(shown.contains("org2/repo"), "{shown}");
        let single = format!("{:?}", HmacSecrets::from_token("hunter2"));
        assert!(!single.contains("hunter2"), "{single}");
    }

    #[test]
    fn single_token_is_the_trimmed_file() {
        let config = HmacConfig::parse(b"  0123abcdef\n\n").unwrap();
        assert_eq!(config, HmacConfig::Single(Secret::new("0123abcdef")));
        assert_eq!(values(&config, "any/repo").unwrap(), ["0123abcdef"]);
        assert!(!config.depends_on_repo());
        // YAML-looking scalars, numbers and non-UTF-8 bytes are tokens too.
        for token in [
            "*alias",
            "12345",
            "- item",
            "a:b",
            "{not yaml",
            "pass: word",
            "{}",
        ] {
            assert_eq!(
                HmacConfig::parse(token.as_bytes()).unwrap(),
                HmacConfig::Single(Secret::new(token)),
                "{token}"
            );
        }
        assert_eq!(
            HmacConfig::parse(b"\xff\xfe\n").unwrap(),
            HmacConfig::Single(Secret::new(vec![0xff, 0xfe]))
        );
    }

    #[test]
    fn most_specific_list_wins() {
        let config = HmacConfig::parse(UPSTREAM.as_bytes()).unwrap();
        assert!(config.depends_on_repo());
        let cases: [(&str, &[&str]); 6] = [
            ("org2/repo", &["abc2", "key2"]),
            ("org2/other", &["abc", "key"]),
            ("org1/anything", &["abc1"]),
            ("org1", &["abc1"]),
            ("elsewhere/repo", &["abc", "key"]),
            ("", &["abc", "key"]),
        ];
        for (org_repo, want) in cases {
            assert_eq!(values(&config, org_repo).unwrap(), want, "{org_repo}");
        }
        let HmacConfig::PerRepo(map) = &config else {
            panic!("per-repo form expected")
        };
        assert_eq!(
            map["org1"][0].created_at.unwrap().to_rfc3339(),
            "2020-10-02T15:00:00+00:00"
        );
    }

    #[test]
    fn no_global_list_means_no_token() {
        let config = HmacConfig::parse(b"org1:\n- value: abc1\n").unwrap();
        assert_eq!(values(&config, "org2/repo"), None);
        assert_eq!(values(&config, ""), None);
        assert_eq!(values(&config, "org1/x").unwrap(), ["abc1"]);
        let global_only = HmacConfig::parse(b"'*':\n- value: abc\n").unwrap();
        assert!(!global_only.depends_on_repo());
    }

    #[test]
    fn go_yaml_scalars_become_strings() {
        let config = HmacConfig::parse(b"org:\n- value: 0400\n- value: yes\n").unwrap();
        assert_eq!(values(&config, "org/x").unwrap(), ["256", "true"]);
    }

    #[test]
    fn malformed_files_are_explained_without_their_values() {
        let cases: [(&str, &str, &str); 10] = [
            ("", "the file holds no token", ""),
            ("  \n# only a comment\n", "the file holds no token", ""),
            ("# two\n# comments\n", "the file holds no token", ""),
            ("org:\n  sekrit-value\n", "line 2", "sekrit-value"),
            (
                "org:\n- value: [sekrit-value]\n",
                "invalid type, expected a string",
                "sekrit-value",
            ),
            (
                "org:\n- value: sekrit-value\n  created_at: 2020-01-01\n",
                "line 3",
                "sekrit-value",
            ),
            ("'*':\n- value: a\norg: []\n", "`org` has no tokens", ""),
            ("org:\n- created_at: 2020-10-02T15:00:00Z\n", "`org`[0]", ""),
            ("# nothing here\n{}\n", "the mapping lists no token", ""),
            (
                "sekrit-line-one\nsekrit: line: two\n",
                "not a single-line token",
                "sekrit",
            ),
        ];
        for (content, want, secret) in cases {
            let error = HmacConfig::parse(content.as_bytes())
                .unwrap_err()
                .to_string();
            assert!(error.contains(want), "{content:?}: {error}");
            if !secret.is_empty() {
                assert!(!error.contains(secret), "{content:?} leaks: {error}");
            }
        }
    }

    #[test]
    fn redact_keeps_the_shape_only() {
        assert_eq!(
            redact("invalid type: string \"abc\", expected a sequence"),
            "invalid type, expected a sequence"
        );
        assert_eq!(redact("invalid value: integer `5`"), "invalid value");
        assert_eq!(redact("bad \"abc\" here"), "bad \"***\" here");
    }
}
