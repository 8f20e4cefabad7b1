//! `ProwConfig`: the component settings of Prow's `config.yaml` (everything
//! but the job config), with upstream's defaulting (`set_defaults`), checks
//! (`validate`) and the per-repo lookups the components perform.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::branch_protection::BranchProtection;
use super::tide::Tide;
use crate::duration::GoDuration;
use crate::prowjob::{
    DecorationConfig, ProwJobDefault, ProwJobState, ProwJobType, RerunAuthConfig,
};

/// Default deadline of a ProwJob that sets no timeout.
pub const DEFAULT_JOB_TIMEOUT: Duration = Duration::from_secs(24 * 3600);
/// Default timeout of Moonraker clients.
pub const DEFAULT_MOONRAKER_CLIENT_TIMEOUT: Duration = Duration::from_secs(10 * 60);
/// Tenant id given to jobs whose defaults set none.
pub const DEFAULT_TENANT_ID: &str = "GlobalDefaultID";
/// Name of the build cluster jobs run on when they name none.
pub const DEFAULT_CLUSTER_ALIAS: &str = "default";
/// Default `status_error_link`.
pub const DEFAULT_STATUS_ERROR_LINK: &str = "https://github.com/kubernetes/test-infra/issues";
/// Default `github.link_url`.
pub const DEFAULT_GITHUB_LINK_URL: &str = "https://github.com";
/// Default Slack report template.
pub const DEFAULT_SLACK_REPORT_TEMPLATE: &str = "Job {{.Spec.Job}} of type {{.Spec.Type}} ended with state {{.Status.State}}. <{{.Status.URL}}|View logs>";
/// Default `max_outstanding_messages` of a Pub/Sub trigger.
pub const DEFAULT_MAX_OUTSTANDING_MESSAGES: i64 = 10;

const fn minutes(m: u64) -> Duration {
    Duration::from_secs(m * 60)
}

const fn hours(h: u64) -> Duration {
    Duration::from_secs(h * 3600)
}

fn set_if_none(slot: &mut Option<GoDuration>, d: Duration) {
    if slot.is_none() {
        *slot = Some(GoDuration::from_std(d));
    }
}

fn is_zero(v: &i64) -> bool {
    *v == 0
}

/// A problem found by `validate`, named by the field it is about.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ValidationError {
    /// Where the problem is, e.g. `tide.queries[2]` or `plank.job_url_template`.
    pub field: String,
    /// What is wrong, in upstream's words where it has them.
    pub message: String,
}

impl ValidationError {
    /// Builds an error for `field`.
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        ValidationError {
            field: field.to_string(),
            message: message.into(),
        }
    }
}

// ---------------------------------------------------------------------------
// Small helpers shared with the tide and branch_protection modules.

pub(crate) use crate::prowjob::{go_quote, go_quote_list};

/// Compiles a regex, reporting failures on one line.
pub(crate) fn compile_go_regex(pattern: &str) -> Result<Regex, String> {
    Regex::new(pattern).map_err(|e| {
        let text = e.to_string();
        let reason = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("error: "))
            .map(str::to_string)
            .unwrap_or_else(|| text.lines().last().unwrap_or_default().trim().to_string());
        format!("error parsing regexp {}: {reason}", go_quote(pattern))
    })
}

/// Checks that a Go template parses, as Go's `text/template` parser does (balanced
/// actions and control structures, defined functions and variables). Errors read like
/// Go's: `template: NAME:LINE: message`.
pub(crate) fn check_go_template(name: &str, text: &str) -> Result<(), String> {
    crate::gotmpl::Template::parse_named(name, text)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Checks a URL the way Go's `url.Parse` does (the subset of its rules that
/// can fail), with its error text: `parse "URL": reason`.
pub(crate) fn check_url(raw: &str) -> Result<(), String> {
    let (u, frag) = match raw.split_once('#') {
        Some((u, f)) => (u, Some(f)),
        None => (raw, None),
    };
    let wrap = |url: &str, e: String| format!("parse {}: {e}", go_quote(url));
    check_url_without_fragment(u).map_err(|e| wrap(u, e))?;
    if let Some(f) = frag {
        check_escapes(f).map_err(|e| wrap(raw, e))?;
    }
    Ok(())
}

fn check_escapes(s: &str) -> Result<(), String> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            if i + 2 >= b.len() || !b[i + 1].is_ascii_hexdigit() || !b[i + 2].is_ascii_hexdigit() {
                let end = (i + 3).min(b.len());
                return Err(format!("invalid URL escape {}", go_quote(&s[i..end])));
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    Ok(())
}

fn check_url_without_fragment(u: &str) -> Result<(), String> {
    if u.bytes().any(|b| b < b' ' || b == 0x7f) {
        return Err("net/url: invalid control character in URL".into());
    }
    if u == "*" {
        return Ok(());
    }
    // Scheme.
    let mut scheme = "";
    let mut rest = u;
    for (i, c) in u.char_indices() {
        if c.is_ascii_alphabetic() {
            continue;
        }
        if c.is_ascii_digit() || matches!(c, '+' | '-' | '.') {
            if i == 0 {
                break;
            }
            continue;
        }
        if c == ':' {
            if i == 0 {
                return Err("missing protocol scheme".into());
            }
            scheme = &u[..i];
            rest = &u[i + 1..];
        }
        break;
    }
    let rest = rest.split_once('?').map_or(rest, |(r, _)| r);
    if !rest.starts_with('/') {
        if !scheme.is_empty() {
            return Ok(()); // opaque URL
        }
        let segment = rest.split('/').next().unwrap_or_default();
        if segment.contains(':') {
            return Err("first path segment in URL cannot contain colon".into());
        }
    }
    let mut path = rest;
    if (!scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
        let authority_and_path = &rest[2..];
        let (authority, p) = match authority_and_path.find('/') {
            Some(i) => (&authority_and_path[..i], &authority_and_path[i..]),
            None => (authority_and_path, ""),
        };
        path = p;
        let (userinfo, host) = match authority.rfind('@') {
            Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
            None => (None, authority),
        };
        check_host(host)?;
        if let Some(ui) = userinfo {
            let valid = ui
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._:~!$&'()*+,;=%@".contains(c));
            if !valid {
                return Err("net/url: invalid userinfo".into());
            }
            check_escapes(ui)?;
        }
    }
    check_escapes(path)
}

fn check_host(host: &str) -> Result<(), String> {
    let valid_port = |p: &str| {
        p.is_empty() || (p.starts_with(':') && p[1..].bytes().all(|b| b.is_ascii_digit()))
    };
    if host.starts_with('[') {
        let Some(i) = host.rfind(']') else {
            return Err("missing ']' in host".into());
        };
        let port = &host[i + 1..];
        if !valid_port(port) {
            return Err(format!("invalid port {} after host", go_quote(port)));
        }
    } else if let Some(i) = host.rfind(':') {
        let port = &host[i..];
        if !valid_port(port) {
            return Err(format!("invalid port {} after host", go_quote(port)));
        }
    }
    let b = host.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'%' {
            if i + 2 >= b.len() || !b[i + 1].is_ascii_hexdigit() || !b[i + 2].is_ascii_hexdigit() {
                let end = (i + 3).min(b.len());
                return Err(format!("invalid URL escape {}", go_quote(&host[i..end])));
            }
            let hi = (b[i + 1] as char).to_digit(16).unwrap_or(0);
            if hi < 8 && &host[i..i + 3] != "%25" {
                return Err(format!("invalid URL escape {}", go_quote(&host[i..i + 3])));
            }
            i += 3;
            continue;
        }
        let allowed =
            c >= 0x80 || c.is_ascii_alphanumeric() || b"!$&'()*+,;=:[]<>\"-_.~".contains(&c);
        if !allowed {
            return Err(format!(
                "invalid character {} in host name",
                go_quote(&host[i..i + 1])
            ));
        }
        i += 1;
    }
    Ok(())
}

fn is_gerrit_org(s: &str) -> bool {
    s.starts_with("https://") || s.starts_with("http://")
}

fn trim_https_prefix(s: &str) -> &str {
    let s = s.strip_prefix("https://").unwrap_or(s);
    let s = s.strip_prefix("http://").unwrap_or(s);
    s.trim_end_matches('/')
}

fn normalize_clone_uri(s: &str) -> String {
    let scheme = if s.starts_with("http://") {
        "http://"
    } else {
        "https://"
    };
    format!("{scheme}{}", trim_https_prefix(s).trim_matches('/'))
        .trim_end_matches('/')
        .to_string()
}

/// The org part of an `org/repo` (or Gerrit clone URI) identifier.
fn org_of_identifier(identifier: &str) -> Option<String> {
    if is_gerrit_org(identifier) {
        let scheme = if identifier.starts_with("http://") {
            "http://"
        } else {
            "https://"
        };
        let (host, _) = trim_https_prefix(identifier).split_once('/')?;
        return Some(normalize_clone_uri(&format!("{scheme}{host}")));
    }
    identifier.split_once('/').map(|(o, _)| o.to_string())
}

/// The keys under which per-repo settings for `identifier` may be found,
/// most specific first: the repo (with and without `https://`), its org
/// (likewise), then `*`.
pub fn keys_for_identifier(identifier: &str) -> Vec<String> {
    let normalized = if is_gerrit_org(identifier) {
        normalize_clone_uri(identifier)
    } else {
        identifier.to_string()
    };
    let mut candidates = vec![
        normalized.clone(),
        trim_https_prefix(identifier).to_string(),
    ];
    if let Some(org) = org_of_identifier(&normalized).filter(|o| !o.is_empty()) {
        candidates.push(trim_https_prefix(&org).to_string());
        candidates.insert(2, org);
    }
    candidates.push("*".to_string());
    let mut seen = BTreeSet::new();
    candidates.retain(|c| seen.insert(c.clone()));
    candidates
}

/// Turns a Gerrit review host (`foo-review.googlesource.com`) into its code host.
fn ensure_code_url(url: &str) -> String {
    match url.split_once('.') {
        Some((first, rest)) if first.ends_with("-review") => {
            format!("{}.{rest}", first.trim_end_matches("-review"))
        }
        _ => url.to_string(),
    }
}

/// Whether a default entry (`given_*`, from config) applies to a job of
/// `org_repo` (`org/repo`, possibly `https://`-prefixed) on `cluster`.
/// Empty or `*` match everything; an org matches all its repos.
pub fn default_entry_matches(
    given_org_repo: &str,
    given_cluster: &str,
    org_repo: &str,
    cluster: &str,
) -> bool {
    if !given_cluster.is_empty() && given_cluster != "*" && given_cluster != cluster {
        return false;
    }
    if given_org_repo.is_empty() || given_org_repo == "*" || given_org_repo == org_repo {
        return true;
    }
    let code = ensure_code_url(org_repo);
    let trimmed = code.strip_prefix("https://").unwrap_or(&code);
    let trimmed = trimmed.strip_prefix("http://").unwrap_or(trimmed);
    given_org_repo == trimmed || given_org_repo == trimmed.split('/').next().unwrap_or_default()
}

/// Looks `org/repo`, then `org`, then `*` up in a map.
fn lookup_org_repo<'a, V>(map: &'a BTreeMap<String, V>, org: &str, repo: &str) -> Option<&'a V> {
    map.get(&format!("{org}/{repo}"))
        .or_else(|| map.get(org))
        .or_else(|| map.get("*"))
}

// ---------------------------------------------------------------------------
// Plank

/// A default decoration config with the jobs it applies to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DefaultDecorationConfigEntry {
    /// `org` or `org/repo` of matching jobs; empty or `*` for all.
    #[serde(rename = "repo", skip_serializing_if = "String::is_empty")]
    pub org_repo: String,
    /// Build cluster of matching jobs; empty or `*` for all.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cluster: String,
    /// The defaults; later matching entries override earlier ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<DecorationConfig>,
}

impl DefaultDecorationConfigEntry {
    /// Whether the entry applies to a job of `repo` on `cluster`.
    pub fn matches(&self, repo: &str, cluster: &str) -> bool {
        default_entry_matches(&self.org_repo, &self.cluster, repo, cluster)
    }
}

/// Converts the legacy map (`*`, org or `org/repo` → config) into entries:
/// `*` first, then orgs, then repos, so more specific keys apply last.
pub fn default_decoration_map_to_entries(
    map: &BTreeMap<String, DecorationConfig>,
) -> Vec<DefaultDecorationConfigEntry> {
    let entry = |k: &String, v: &DecorationConfig| DefaultDecorationConfigEntry {
        org_repo: k.clone(),
        cluster: String::new(),
        config: Some(v.clone()),
    };
    let mut out: Vec<_> = map
        .get_key_value("*")
        .map(|(k, v)| entry(k, v))
        .into_iter()
        .collect();
    out.extend(
        map.iter()
            .filter(|(k, _)| *k != "*" && !k.contains('/'))
            .map(|(k, v)| entry(k, v)),
    );
    out.extend(
        map.iter()
            .filter(|(k, _)| *k != "*" && k.contains('/'))
            .map(|(k, v)| entry(k, v)),
    );
    out
}

/// Configuration of plank, the controller that runs ProwJobs as pods.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Plank {
    /// Go template of the job URL (passed the ProwJob).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub job_url_template: String,
    /// Deprecated single report template; becomes `report_templates["*"]`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub report_template: String,
    /// Report comment templates per `*`, org or `org/repo`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub report_templates: BTreeMap<String, String>,
    /// Maximum number of running jobs; 0 means no limit.
    #[serde(skip_serializing_if = "is_zero")]
    pub max_concurrency: i64,
    /// Jobs handled in parallel; defaults to 20.
    #[serde(skip_serializing_if = "is_zero")]
    pub max_goroutines: i64,
    /// How long a pod may stay pending; defaults to 10m.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_pending_timeout: Option<GoDuration>,
    /// How long a pod may run; defaults to 48h.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_running_timeout: Option<GoDuration>,
    /// How long a pod may stay unscheduled; defaults to 5m.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_unscheduled_timeout: Option<GoDuration>,
    /// Retries of a job whose pod vanished; defaults to 3.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_revivals: Option<i64>,
    /// Legacy form: `*`, org or `org/repo` → default decoration config.
    /// Exclusive with `default_decoration_config_entries`; `set_defaults`
    /// moves it there.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub default_decoration_configs: BTreeMap<String, DecorationConfig>,
    /// Default decoration configs with repo and cluster filters.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub default_decoration_config_entries: Vec<DefaultDecorationConfigEntry>,
    /// Job URL prefix per `*`, org or `org/repo`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub job_url_prefix_config: BTreeMap<String, String>,
    /// Don't append the storage provider to the job URL prefix.
    #[serde(
        rename = "jobURLPrefixDisableAppendStorageProvider",
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub job_url_prefix_disable_append_storage_provider: bool,
    /// Where to publish build cluster status, e.g. `gs://bucket/status.json`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub build_cluster_status_file: String,
    /// Concurrency limit per job queue name (negative: unlimited).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub job_queue_capacities: BTreeMap<String, i64>,
}

impl Plank {
    /// The default decoration entries in force: the entries, or the legacy
    /// map converted when only the map is set.
    pub fn default_decoration_entries(&self) -> Cow<'_, [DefaultDecorationConfigEntry]> {
        if self.default_decoration_config_entries.is_empty()
            && !self.default_decoration_configs.is_empty()
        {
            Cow::Owned(default_decoration_map_to_entries(
                &self.default_decoration_configs,
            ))
        } else {
            Cow::Borrowed(&self.default_decoration_config_entries)
        }
    }

    /// Moves the legacy map into `default_decoration_config_entries` when
    /// only the map is set (both set is left for `validate` to report).
    pub fn finalize_default_decoration_configs(&mut self) {
        if self.default_decoration_config_entries.is_empty()
            && !self.default_decoration_configs.is_empty()
        {
            self.default_decoration_config_entries = default_decoration_map_to_entries(
                &std::mem::take(&mut self.default_decoration_configs),
            );
        }
    }

    /// The default decoration config of a job of `repo` (`org/repo`) on
    /// `cluster`: every matching entry applied in order, later over earlier.
    /// `None` when no entry matches.
    pub fn guess_default_decoration_config(
        &self,
        repo: &str,
        cluster: &str,
    ) -> Option<DecorationConfig> {
        self.guess_default_decoration_config_with_job_dc(repo, cluster, None)
    }

    /// Like [`Plank::guess_default_decoration_config`], with the job's own
    /// decoration config applied last.
    pub fn guess_default_decoration_config_with_job_dc(
        &self,
        repo: &str,
        cluster: &str,
        job_dc: Option<&DecorationConfig>,
    ) -> Option<DecorationConfig> {
        let mut merged: Option<DecorationConfig> = None;
        for entry in self.default_decoration_entries().iter() {
            let Some(cfg) = entry.config.as_ref() else {
                continue;
            };
            if entry.matches(repo, cluster) {
                merged = Some(match merged {
                    None => cfg.clone(),
                    Some(prev) => cfg.apply_default(&prev),
                });
            }
        }
        match (job_dc, merged) {
            (Some(job), Some(prev)) => Some(job.apply_default(&prev)),
            (Some(job), None) => Some(job.clone()),
            (None, merged) => merged,
        }
    }

    /// The job URL prefix for a job of `org/repo` (`org` empty for a job
    /// without refs): `org/repo`, then `org`, then `*`; empty values are
    /// skipped except for `*`. A prefix set in the job's own GCS
    /// configuration takes precedence and is the caller's to check.
    pub fn get_job_url_prefix(&self, org: &str, repo: &str) -> Option<&str> {
        let map = &self.job_url_prefix_config;
        if !org.is_empty() {
            for key in [format!("{org}/{repo}"), org.to_string()] {
                if let Some(v) = map.get(&key).filter(|v| !v.is_empty()) {
                    return Some(v);
                }
            }
        }
        map.get("*").map(String::as_str)
    }

    /// The report template for `org/repo` (`org/repo`, `org`, `*`), reading
    /// the legacy `report_template` when no map is set.
    pub fn report_template_for_repo(&self, org: &str, repo: &str) -> Option<&str> {
        if self.report_templates.is_empty() && !self.report_template.is_empty() {
            return Some(&self.report_template);
        }
        lookup_org_repo(&self.report_templates, org, repo).map(String::as_str)
    }

    /// Applies upstream's plank defaults.
    pub fn set_defaults(&mut self) {
        if !self.report_template.is_empty() && self.report_templates.is_empty() {
            self.report_templates
                .insert("*".into(), std::mem::take(&mut self.report_template));
        }
        if self.max_goroutines == 0 {
            self.max_goroutines = 20;
        }
        set_if_none(&mut self.pod_pending_timeout, minutes(10));
        set_if_none(&mut self.pod_running_timeout, hours(48));
        set_if_none(&mut self.pod_unscheduled_timeout, minutes(5));
        if self.max_revivals.is_none() {
            self.max_revivals = Some(3);
        }
        self.finalize_default_decoration_configs();
    }

    /// Checks the section.
    pub fn validate(&self) -> Vec<ValidationError> {
        let mut errs = Vec::new();
        if let Err(e) = check_go_template("JobURL", &self.job_url_template) {
            errs.push(ValidationError::new(
                "plank.job_url_template",
                format!("parsing template: {e}"),
            ));
        }
        if !self.report_template.is_empty() && !self.report_templates.is_empty() {
            errs.push(ValidationError::new(
                "plank",
                "both report_template and report_templates are specified",
            ));
        }
        let legacy = (!self.report_template.is_empty()).then_some(("*", &self.report_template));
        let templates = self.report_templates.iter().map(|(k, v)| (k.as_str(), v));
        for (key, tmpl) in templates.chain(legacy) {
            if let Err(e) = check_go_template("Report", tmpl) {
                errs.push(ValidationError::new(
                    &format!("plank.report_templates[{}]", go_quote(key)),
                    format!("error while parsing template for {key}: {e}"),
                ));
            }
        }
        if self.max_concurrency < 0 {
            errs.push(ValidationError::new(
                "plank.max_concurrency",
                format!(
                    "controller has invalid max_concurrency ({}), it needs to be a non-negative number",
                    self.max_concurrency
                ),
            ));
        }
        if self.max_goroutines < 0 {
            errs.push(ValidationError::new(
                "plank.max_goroutines",
                format!(
                    "controller has invalid max_goroutines ({}), it needs to be a positive number",
                    self.max_goroutines
                ),
            ));
        }
        if !self.default_decoration_configs.is_empty()
            && !self.default_decoration_config_entries.is_empty()
        {
            errs.push(ValidationError::new(
                "plank",
                "plank.default_decoration_configs and plank.default_decoration_config_entries are mutually exclusive, please use one or the other",
            ));
        }
        for (k, v) in &self.job_url_prefix_config {
            if let Err(e) = check_url(v) {
                errs.push(ValidationError::new(
                    &format!("plank.job_url_prefix_config[{}]", go_quote(k)),
                    format!("invalid value for Planks job_url_prefix_config[\"{k}\"]: {e}"),
                ));
            }
        }
        errs
    }
}

// ---------------------------------------------------------------------------
// ProwJob defaults

/// Where to upload results to ResultStore.
/// ProwJob defaults with the jobs they apply to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProwJobDefaultEntry {
    /// `org` or `org/repo` of matching jobs; empty or `*` for all.
    #[serde(rename = "repo", skip_serializing_if = "String::is_empty")]
    pub org_repo: String,
    /// Build cluster of matching jobs; empty or `*` for all.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cluster: String,
    /// The defaults; later matching entries override earlier ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<ProwJobDefault>,
}

// ---------------------------------------------------------------------------
// Sinker, horologium, pipeline, moonraker, scheduler

/// Configuration of sinker, the garbage collector.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Sinker {
    /// How often to collect; defaults to 1h.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resync_period: Option<GoDuration>,
    /// Age after which ProwJobs are deleted; defaults to 168h.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_prowjob_age: Option<GoDuration>,
    /// Age after which pods are deleted; defaults to 24h.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_pod_age: Option<GoDuration>,
    /// How long a finished pod is kept; defaults to `max_pod_age`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terminated_pod_ttl: Option<GoDuration>,
    /// Build clusters sinker leaves alone.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exclude_clusters: Vec<String>,
}

impl Sinker {
    /// Applies upstream's sinker defaults.
    pub fn set_defaults(&mut self) {
        set_if_none(&mut self.resync_period, hours(1));
        set_if_none(&mut self.max_prowjob_age, hours(7 * 24));
        set_if_none(&mut self.max_pod_age, hours(24));
        if self.terminated_pod_ttl.is_none() {
            let age = self.max_pod_age.map_or(hours(24), GoDuration::as_std);
            self.terminated_pod_ttl = Some(GoDuration::from_std(age));
        }
    }
}

/// Configuration of horologium, which starts periodic jobs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Horologium {
    /// How often to check for due jobs; horologium uses 1m when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tick_interval: Option<GoDuration>,
}

impl Horologium {
    /// The tick interval in force (1m when unset, as horologium does).
    pub fn effective_tick_interval(&self) -> Duration {
        self.tick_interval.map_or(minutes(1), GoDuration::as_std)
    }
}

/// Configuration of the Tekton pipeline controller.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Pipeline {
    /// Only abort duplicate presubmits, let postsubmits run concurrently.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub allow_concurrent_postsubmit_jobs: bool,
}

/// Configuration of Moonraker clients.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Moonraker {
    /// Request timeout; defaults to 10m.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_timeout: Option<GoDuration>,
}

/// Failover scheduling: send jobs of one cluster to another.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FailoverScheduling {
    /// Cluster → replacement cluster.
    #[serde(rename = "mappings", skip_serializing_if = "BTreeMap::is_empty")]
    pub cluster_mappings: BTreeMap<String, String>,
}

/// Cache of the external scheduling strategy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExternalSchedulingCache {
    /// How long an entry is valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry_timeout_interval: Option<GoDuration>,
    /// How often the cache is cleaned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cleanup_interval: Option<GoDuration>,
}

/// External scheduling: ask a REST service for the cluster of a job.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExternalScheduling {
    /// The service's URL.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub url: String,
    /// Cache settings.
    pub cache: ExternalSchedulingCache,
}

/// Configuration of the optional scheduler.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Scheduler {
    /// Whether the scheduler runs.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub enabled: bool,
    /// Failover strategy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failover: Option<FailoverScheduling>,
    /// External strategy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external: Option<ExternalScheduling>,
}

// ---------------------------------------------------------------------------
// Gangway

/// GCP identity of an API client, as set by the Cloud Endpoints proxy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApiClientGcp {
    /// Expected `x-endpoint-api-consumer-type`; must be `PROJECT`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub endpoint_api_consumer_type: String,
    /// Expected `x-endpoint-api-consumer-number` (the GCP project number).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub endpoint_api_consumer_number: String,
}

/// Which jobs an API client may trigger.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AllowedJobsFilter {
    /// Tenant of the allowed jobs (required).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub tenant_id: String,
}

/// An API client allowed to trigger jobs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AllowedApiClient {
    /// GCP identity (the only supported vendor).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gcp: Option<ApiClientGcp>,
    /// Jobs the client may trigger (at least one).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allowed_jobs_filters: Vec<AllowedJobsFilter>,
}

/// Configuration of Gangway, the Prow API server.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Gangway {
    /// Allowed API clients.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allowed_api_clients: Vec<AllowedApiClient>,
}

impl Gangway {
    /// Checks the allowlist as upstream does.
    pub fn validate(&self) -> Vec<ValidationError> {
        let mut errs = Vec::new();
        let mut declared = BTreeSet::new();
        for (i, client) in self.allowed_api_clients.iter().enumerate() {
            let field = format!("gangway.allowed_api_clients[{i}]");
            let Some(gcp) = &client.gcp else {
                errs.push(ValidationError::new(
                    &field,
                    "allowedApiClient did not have a cloud vendor set",
                ));
                continue;
            };
            if gcp.endpoint_api_consumer_type != "PROJECT" {
                errs.push(ValidationError::new(
                    &field,
                    format!(
                        "unsupported GCP API consumer type: {}",
                        go_quote(&gcp.endpoint_api_consumer_type)
                    ),
                ));
            }
            let number = &gcp.endpoint_api_consumer_number;
            if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
                errs.push(ValidationError::new(
                    &field,
                    format!("invalid EndpointApiConsumerNumber: {}", go_quote(number)),
                ));
            }
            let uuid = format!("gcp-{}-{number}", gcp.endpoint_api_consumer_type);
            if !declared.insert(uuid.clone()) {
                errs.push(ValidationError::new(
                    &field,
                    format!(
                        "AllowedApiClient {} declared multiple times",
                        go_quote(&uuid)
                    ),
                ));
            }
            if client.allowed_jobs_filters.is_empty() {
                errs.push(ValidationError::new(
                    &field,
                    "allowed_jobs_filters field cannot be empty",
                ));
            }
            if client
                .allowed_jobs_filters
                .iter()
                .any(|f| f.tenant_id.is_empty())
            {
                errs.push(ValidationError::new(
                    &field,
                    "AllowedJobsFilters entry has an empty tenant_id",
                ));
            }
        }
        errs
    }
}

// ---------------------------------------------------------------------------
// Deck

/// A lens name and its lens-specific configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LensConfig {
    /// Lens name.
    pub name: String,
    /// Lens-specific configuration.
    #[serde(skip_serializing_if = "Value::is_null")]
    pub config: Value,
}

/// How to reach a remote lens.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LensRemoteConfig {
    /// The lens endpoint.
    pub endpoint: String,
    /// Endpoint of static resources.
    pub static_root: String,
    /// Human-readable title.
    pub title: String,
    /// Ordering priority, lowest first.
    pub priority: Option<u64>,
    /// Hide the title once the lens loaded.
    pub hide_title: Option<bool>,
}

/// Which files a lens is shown for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LensFileConfig {
    /// Regexes of files that must all be present.
    pub required_files: Vec<String>,
    /// Regexes of files passed along when present.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub optional_files: Vec<String>,
    /// The lens.
    pub lens: LensConfig,
    /// Remote lens settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote_config: Option<LensRemoteConfig>,
}

/// Configuration of Spyglass, deck's artifact viewer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Spyglass {
    /// Lens configurations.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lenses: Vec<LensFileConfig>,
    /// Deprecated: file regex → viewer names; moved into `lenses`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub viewers: BTreeMap<String, Vec<String>>,
    /// Largest artifact read whole, in bytes; defaults to 100000000.
    #[serde(skip_serializing_if = "is_zero")]
    pub size_limit: i64,
    /// Link prefix of a GCS browser; becomes the `*` of both prefix maps.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub gcs_browser_prefix: String,
    /// GCS browser prefix per `*`, org or `org/repo`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub gcs_browser_prefixes: BTreeMap<String, String>,
    /// GCS browser prefix per `*` or bucket.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub gcs_browser_prefixes_by_bucket: BTreeMap<String, String>,
    /// HTML template shown atop every Spyglass page.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub announcement: String,
    /// Location of the TestGrid config.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub testgrid_config: String,
    /// Root URL of TestGrid.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub testgrid_root: String,
    /// Hide the PR history link.
    #[serde(
        rename = "hide_pr_history_link",
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub hide_pr_hist_link: bool,
    /// Template of the PR history link.
    #[serde(
        rename = "pr_history_link_template",
        skip_serializing_if = "String::is_empty"
    )]
    pub pr_hist_link_template: String,
    /// Bucket alias → real bucket name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub bucket_aliases: BTreeMap<String, String>,
}

impl Spyglass {
    /// The GCS browser prefix: by `org/repo` or `org` when `org` is given,
    /// then by bucket when given, then the `*` of either map.
    pub fn get_gcs_browser_prefix(&self, org: &str, repo: &str, bucket: &str) -> &str {
        if !org.is_empty()
            && let Some(p) = self
                .gcs_browser_prefixes
                .get(&format!("{org}/{repo}"))
                .or_else(|| self.gcs_browser_prefixes.get(org))
        {
            return p;
        }
        if !bucket.is_empty()
            && let Some(p) = self.gcs_browser_prefixes_by_bucket.get(bucket)
        {
            return p;
        }
        self.gcs_browser_prefixes
            .get("*")
            .or_else(|| self.gcs_browser_prefixes_by_bucket.get("*"))
            .map_or(self.gcs_browser_prefix.as_str(), String::as_str)
    }
}

/// How deck shows logs of jobs run by an external agent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExternalAgentLog {
    /// The agent.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub agent: String,
    /// Label selector of the agent's jobs.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub selector: String,
    /// Go template of the log URL.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub url_template: String,
}

/// Deck's look.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Branding {
    /// Logo location.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub logo: String,
    /// Favicon location.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub favicon: String,
    /// Background color.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub background_color: String,
    /// Header color.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub header_color: String,
}

/// A rerun permission with the jobs it applies to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DefaultRerunAuthConfigEntry {
    /// `org` or `org/repo` of matching jobs; empty or `*` for all.
    #[serde(rename = "repo", skip_serializing_if = "String::is_empty")]
    pub org_repo: String,
    /// Build cluster of matching jobs; empty or `*` for all.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cluster: String,
    /// Who may rerun; the last matching entry wins.
    #[serde(rename = "rerun_auth_configs", skip_serializing_if = "Option::is_none")]
    pub config: Option<RerunAuthConfig>,
}

impl DefaultRerunAuthConfigEntry {
    /// Whether the entry applies to a job of `repo` on `cluster`.
    pub fn matches(&self, repo: &str, cluster: &str) -> bool {
        default_entry_matches(&self.org_repo, &self.cluster, repo, cluster)
    }
}

/// Converts the legacy rerun map into entries: `""`, `*`, orgs, then repos.
pub fn default_rerun_auth_map_to_entries(
    map: &BTreeMap<String, RerunAuthConfig>,
) -> Vec<DefaultRerunAuthConfigEntry> {
    let entry = |k: &String, v: &RerunAuthConfig| DefaultRerunAuthConfigEntry {
        org_repo: k.clone(),
        cluster: String::new(),
        config: Some(v.clone()),
    };
    let mut out = Vec::new();
    for key in ["", "*"] {
        if let Some((k, v)) = map.get_key_value(key) {
            out.push(entry(k, v));
        }
    }
    let rest = || map.iter().filter(|(k, _)| !k.is_empty() && *k != "*");
    out.extend(
        rest()
            .filter(|(k, _)| !k.contains('/'))
            .map(|(k, v)| entry(k, v)),
    );
    out.extend(
        rest()
            .filter(|(k, _)| k.contains('/'))
            .map(|(k, v)| entry(k, v)),
    );
    out
}

/// Checks a rerun permission as upstream does.
fn validate_rerun_auth(rac: &RerunAuthConfig) -> Result<(), String> {
    let has_allow_list = !rac.github_users.is_empty()
        || !rac.github_team_ids.is_empty()
        || !rac.github_team_slugs.is_empty()
        || !rac.github_orgs.is_empty();
    if rac.allow_anyone && has_allow_list {
        return Err(
            "allow anyone is set to true and permitted users or groups are specified".into(),
        );
    }
    Ok(())
}

/// Configuration of deck, Prow's web front end.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Deck {
    /// Artifact viewer settings.
    pub spyglass: Spyglass,
    /// How often deck reads Tide's status; defaults to 10s.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tide_update_period: Option<GoDuration>,
    /// Orgs and repos deck does not show.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hidden_repos: Vec<String>,
    /// Log links of external agents.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub external_agent_logs: Vec<ExternalAgentLog>,
    /// Look of the front end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branding: Option<Branding>,
    /// Google Analytics tracking code.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub google_analytics: String,
    /// Legacy form: `*`, org or `org/repo` → who may rerun. Exclusive with
    /// `default_rerun_auth_configs`; `set_defaults` moves it there.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub rerun_auth_configs: BTreeMap<String, RerunAuthConfig>,
    /// Rerun permissions with repo and cluster filters.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub default_rerun_auth_configs: Vec<DefaultRerunAuthConfigEntry>,
    /// Don't restrict artifact requests to known buckets (unset: true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_storage_path_validation: Option<bool>,
    /// Extra buckets artifact requests may read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub additional_allowed_buckets: Vec<String>,
}

impl Deck {
    /// The rerun entries in force: the entries, or the legacy map converted
    /// when only the map is set.
    pub fn rerun_auth_entries(&self) -> Cow<'_, [DefaultRerunAuthConfigEntry]> {
        if self.default_rerun_auth_configs.is_empty() && !self.rerun_auth_configs.is_empty() {
            Cow::Owned(default_rerun_auth_map_to_entries(&self.rerun_auth_configs))
        } else {
            Cow::Borrowed(&self.default_rerun_auth_configs)
        }
    }

    /// Who may rerun a job of `repo` (`org/repo`, empty for no refs) on
    /// `cluster`: the last matching entry.
    pub fn get_rerun_auth_config(&self, repo: &str, cluster: &str) -> Option<RerunAuthConfig> {
        self.rerun_auth_entries()
            .iter()
            .rev()
            .find(|e| e.matches(repo, cluster))
            .and_then(|e| e.config.clone())
    }

    /// Whether artifact paths are checked against known buckets.
    pub fn should_validate_storage_buckets(&self) -> bool {
        self.skip_storage_path_validation == Some(false)
    }

    /// Applies upstream's deck defaults: `tide_update_period` 10s, Spyglass
    /// `size_limit` 100000000, deprecated `viewers` moved into `lenses`
    /// (with the old viewer names mapped to the lens names) and cleared,
    /// `gcs_browser_prefix` copied to the `*` key of both prefix maps and
    /// cleared, and the legacy rerun map moved into the entries.
    pub fn set_defaults(&mut self) {
        set_if_none(&mut self.tide_update_period, Duration::from_secs(10));
        let s = &mut self.spyglass;
        if s.size_limit == 0 {
            s.size_limit = 100_000_000;
        }
        let renamed = |v: &str| -> String {
            match v {
                "build-log-viewer" => "buildlog",
                "metadata-viewer" => "metadata",
                "junit-viewer" => "junit",
                other => other,
            }
            .to_string()
        };
        let mut migrated: Vec<LensFileConfig> = std::mem::take(&mut s.viewers)
            .into_iter()
            .flat_map(|(re, viewers)| {
                viewers.into_iter().map(move |v| LensFileConfig {
                    required_files: vec![re.clone()],
                    lens: LensConfig {
                        name: renamed(&v),
                        config: Value::Null,
                    },
                    ..Default::default()
                })
            })
            .collect();
        migrated.sort_by(|a, b| a.lens.name.cmp(&b.lens.name));
        s.lenses.extend(migrated);
        let prefix = s.gcs_browser_prefix.clone();
        let by_repo_set = s.gcs_browser_prefixes.contains_key("*");
        let by_bucket_set = s.gcs_browser_prefixes_by_bucket.contains_key("*");
        let conflict = !prefix.is_empty() && (by_repo_set || by_bucket_set);
        if !conflict {
            s.gcs_browser_prefixes
                .entry("*".into())
                .or_insert_with(|| prefix.clone());
            s.gcs_browser_prefixes_by_bucket
                .entry("*".into())
                .or_insert(prefix);
            s.gcs_browser_prefix.clear();
        }
        if self.default_rerun_auth_configs.is_empty() && !self.rerun_auth_configs.is_empty() {
            self.default_rerun_auth_configs =
                default_rerun_auth_map_to_entries(&std::mem::take(&mut self.rerun_auth_configs));
        }
    }

    /// Checks the section.
    pub fn validate(&self) -> Vec<ValidationError> {
        let mut errs = Vec::new();
        if !self.rerun_auth_configs.is_empty() && !self.default_rerun_auth_configs.is_empty() {
            errs.push(ValidationError::new(
                "deck",
                "deck.rerun_auth_configs and deck.default_rerun_auth_configs are mutually exclusive, please use one or the other",
            ));
        }
        for (k, rac) in &self.rerun_auth_configs {
            if let Err(e) = validate_rerun_auth(rac) {
                errs.push(ValidationError::new(
                    &format!("deck.rerun_auth_configs[{}]", go_quote(k)),
                    e,
                ));
            }
        }
        for (i, entry) in self.default_rerun_auth_configs.iter().enumerate() {
            if let Some(Err(e)) = entry.config.as_ref().map(validate_rerun_auth) {
                errs.push(ValidationError::new(
                    &format!("deck.default_rerun_auth_configs[{i}]"),
                    e,
                ));
            }
        }
        if !self.additional_allowed_buckets.is_empty() && !self.should_validate_storage_buckets() {
            errs.push(ValidationError::new(
                "deck",
                format!(
                    "deck.skip_storage_path_validation is enabled despite deck.additional_allowed_buckets being configured: [{}]",
                    self.additional_allowed_buckets.join(" ")
                ),
            ));
        }
        let s = &self.spyglass;
        if s.size_limit < 0 {
            errs.push(ValidationError::new(
                "deck.spyglass.size_limit",
                "invalid value for deck.spyglass.size_limit, must be >=0",
            ));
        }
        let mut seen = BTreeSet::new();
        for (i, lens) in s.lenses.iter().enumerate() {
            for re in lens.optional_files.iter().chain(&lens.required_files) {
                if seen.insert(re.as_str()) && Regex::new(re).is_err() {
                    let e = compile_go_regex(re).err().unwrap_or_default();
                    errs.push(ValidationError::new(
                        &format!("deck.spyglass.lenses[{i}]"),
                        format!("cannot compile regexp {}, err: {e}", go_quote(re)),
                    ));
                }
            }
        }
        if !s.gcs_browser_prefix.is_empty() {
            if s.gcs_browser_prefixes.contains_key("*") {
                errs.push(ValidationError::new(
                    "deck.spyglass",
                    "both gcs_browser_prefix and gcs_browser_prefixes['*'] are specified.",
                ));
            }
            if s.gcs_browser_prefixes_by_bucket.contains_key("*") {
                errs.push(ValidationError::new(
                    "deck.spyglass",
                    "both gcs_browser_prefix and gcs_browser_prefixes_by_bucket['*'] are specified.",
                ));
            }
        }
        for (i, agent) in self.external_agent_logs.iter().enumerate() {
            if let Err(e) = check_go_template(&agent.agent, &agent.url_template) {
                errs.push(ValidationError::new(
                    &format!("deck.external_agent_logs[{i}]"),
                    format!("parsing template for agent {}: {e}", go_quote(&agent.agent)),
                ));
            }
        }
        errs
    }
}

// ---------------------------------------------------------------------------
// Reporters, in-repo config and the smaller top-level sections

/// Which ProwJobs crier reports to GitHub.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GitHubReporter {
    /// Job types reported; defaults to presubmit and postsubmit, the only
    /// valid values.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub job_types_to_report: Vec<ProwJobType>,
    /// Orgs and `org/repo`s that get statuses but no failure comment.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub no_comment_repos: Vec<String>,
    /// Orgs and `org/repo`s that get one comment once all jobs finished.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub summary_comment_repos: Vec<String>,
}

/// Slack reporting settings of one `*`, org or `org/repo`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SlackReporter {
    /// Job types reported.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub job_types_to_report: Vec<ProwJobType>,
    /// Slack host (workspace).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub host: String,
    /// Channel to post to (required).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub channel: String,
    /// Job states reported.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub job_states_to_report: Vec<ProwJobState>,
    /// Go template of the message; defaults to
    /// [`DEFAULT_SLACK_REPORT_TEMPLATE`].
    #[serde(skip_serializing_if = "String::is_empty")]
    pub report_template: String,
    /// Whether to report at all (derived from `job_states_to_report` in jobs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<bool>,
}

impl SlackReporter {
    /// Sets the default report template.
    pub fn set_defaults(&mut self) {
        if self.report_template.is_empty() {
            self.report_template = DEFAULT_SLACK_REPORT_TEMPLATE.to_string();
        }
    }

    /// Checks the entry as upstream does (after defaulting the template).
    pub fn validate(&self) -> Result<(), String> {
        if self.channel.is_empty() {
            return Err("channel must be set".into());
        }
        let tmpl = if self.report_template.is_empty() {
            DEFAULT_SLACK_REPORT_TEMPLATE
        } else {
            &self.report_template
        };
        check_go_template("", tmpl).map_err(|e| format!("failed to parse template: {e}"))
    }
}

/// Slack reporter settings keyed by `*`, org or `org/repo`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SlackReporterConfigs(pub BTreeMap<String, SlackReporter>);

impl SlackReporterConfigs {
    /// The settings for a job of `org/repo` (`org/repo`, `org`, `*`); an
    /// empty `org` stands for a job without refs and reads `*` only.
    pub fn get_slack_reporter(&self, org: &str, repo: &str) -> Option<&SlackReporter> {
        if org.is_empty() {
            return self.0.get("*");
        }
        lookup_org_repo(&self.0, org, repo)
    }

    /// Whether a `*` entry exists.
    pub fn has_global_config(&self) -> bool {
        self.0.contains_key("*")
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Which repos may define jobs in their own `.prow.yaml`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InRepoConfig {
    /// Enabled per `*`, org or `org/repo`; the narrowest key wins.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub enabled: BTreeMap<String, bool>,
    /// Clusters in-repo jobs may use, per `*`, org or `org/repo` (all that
    /// match are allowed). `*` defaults to `[default]`; set `"*": []` to
    /// allow no cluster globally.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub allowed_clusters: BTreeMap<String, Vec<String>>,
}

impl InRepoConfig {
    /// Whether in-repo config is enabled for `identifier` (`org/repo` or a
    /// Gerrit clone URI).
    pub fn enabled_for(&self, identifier: &str) -> bool {
        keys_for_identifier(identifier)
            .iter()
            .find_map(|k| self.enabled.get(k).copied())
            .unwrap_or(false)
    }

    /// Whether in-repo jobs of `identifier` may run on `cluster`.
    pub fn allows_cluster(&self, cluster: &str, identifier: &str) -> bool {
        keys_for_identifier(identifier).iter().any(|k| {
            self.allowed_clusters
                .get(k)
                .is_some_and(|cs| cs.iter().any(|c| c == cluster))
        })
    }
}

/// Directories to skip when looking for OWNERS files.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OwnersDirDenylist {
    /// Regexes per org or `org/repo`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub repos: BTreeMap<String, Vec<String>>,
    /// Regexes for all repos.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub default: Vec<String>,
    /// Don't add the built-in `.git`, `_output` and vendor patterns.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub ignore_preconfigured_defaults: bool,
}

impl OwnersDirDenylist {
    /// The regexes of directories to ignore in `org/repo`.
    pub fn list_ignored_dirs(&self, org: &str, repo: &str) -> Vec<String> {
        let mut out = self.default.clone();
        if let Some(v) = self.repos.get(org) {
            out.extend(v.iter().cloned());
        }
        if let Some(v) = self.repos.get(&format!("{org}/{repo}")) {
            out.extend(v.iter().cloned());
        }
        if !self.ignore_preconfigured_defaults {
            out.extend(["\\.git$", "_output$", "vendor/.*/.*"].map(String::from));
        }
        out
    }
}

/// A Prometheus push gateway.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PushGateway {
    /// Where to push metrics.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub endpoint: String,
    /// How often to push; defaults to 1m.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<GoDuration>,
    /// Whether components serve metrics.
    pub serve_metrics: bool,
}

/// Pub/Sub topics of one project that may trigger jobs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PubSubTrigger {
    /// GCP project.
    pub project: String,
    /// Topics to listen to.
    pub topics: Vec<String>,
    /// Clusters triggered jobs may run on.
    pub allowed_clusters: Vec<String>,
    /// Messages processed at once; defaults to 10.
    pub max_outstanding_messages: i64,
}

/// How GitHub links are shown.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GitHubOptions {
    /// Base URL of GitHub links; defaults to `https://github.com`.
    #[serde(rename = "link_url", skip_serializing_if = "String::is_empty")]
    pub link_url_from_config: String,
}

/// Metadata of a repo or org onboarded with its own webhook token.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ManagedWebhookInfo {
    /// When the token was created; must not be in the future.
    pub token_created_after: DateTime<Utc>,
}

/// Repos and orgs whose webhook tokens are managed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ManagedWebhooks {
    /// Keep accepting the legacy global token.
    pub respect_legacy_global_token: bool,
    /// Accept admin invitations of the managed orgs and repos.
    pub auto_accept_invitation: bool,
    /// Per org or `org/repo`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub org_repo_config: BTreeMap<String, ManagedWebhookInfo>,
}

const STRICT_EXPLANATION: &str = "See #5: https://docs.prow.k8s.io/docs/components/core/tide/maintainers/#best-practices Also note that this validation is imperfect, see the check-config code for details";

fn policy_is_strict(p: &super::branch_protection::Policy) -> bool {
    p.protect == Some(true)
        && p.required_status_checks.as_ref().and_then(|c| c.strict) == Some(true)
}

fn org_of_repo(repo: &str) -> Option<&str> {
    repo.split_once('/').map(|(o, _)| o)
}

/// A set of repos: whole orgs minus some of their repos, plus single repos.
#[derive(Debug, Default)]
struct OrgRepoSet {
    org_exceptions: BTreeMap<String, BTreeSet<String>>,
    repos: BTreeSet<String>,
}

impl OrgRepoSet {
    fn intersection(&self, other: &OrgRepoSet) -> OrgRepoSet {
        let mut res = OrgRepoSet::default();
        for (org, ex1) in &self.org_exceptions {
            if let Some(ex2) = other.org_exceptions.get(org) {
                res.org_exceptions
                    .insert(org.clone(), ex1.union(ex2).cloned().collect());
            } else {
                res.repos.extend(
                    other
                        .repos
                        .iter()
                        .filter(|r| org_of_repo(r) == Some(org.as_str()) && !ex1.contains(*r))
                        .cloned(),
                );
            }
        }
        for repo in &self.repos {
            let in_other_org = org_of_repo(repo)
                .and_then(|o| other.org_exceptions.get(o))
                .is_some_and(|ex| !ex.contains(repo));
            if other.repos.contains(repo) || in_other_org {
                res.repos.insert(repo.clone());
            }
        }
        res
    }

    fn items(&self) -> Vec<String> {
        let mut items = Vec::new();
        for (org, excepts) in &self.org_exceptions {
            let mut item = format!("org: {org}");
            if !excepts.is_empty() {
                let list: Vec<&str> = excepts.iter().map(String::as_str).collect();
                item.push_str(&format!(" without repo(s) {}", list.join(", ")));
                for r in &list {
                    item.push_str(&format!(" '{r}'"));
                }
            }
            items.push(item);
        }
        items.extend(self.repos.iter().map(|r| format!("repo: {r}")));
        items
    }
}

fn validate_log_level(level: &str) -> Result<(), String> {
    match level.to_lowercase().as_str() {
        "panic" | "fatal" | "error" | "warn" | "warning" | "info" | "debug" | "trace" => Ok(()),
        _ => Err(format!("not a valid logrus Level: {}", go_quote(level))),
    }
}

// ---------------------------------------------------------------------------
// ProwConfig

/// Configuration of all Prow components (the non-job part of `config.yaml`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProwConfig {
    /// Git sha the config was generated from.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub config_version_sha: String,
    /// Tide, the merge pool.
    pub tide: Tide,
    /// Plank, the pod controller.
    pub plank: Plank,
    /// The Tekton pipeline controller.
    pub pipeline: Pipeline,
    /// Sinker, the garbage collector.
    pub sinker: Sinker,
    /// Deck, the front end.
    pub deck: Deck,
    /// Branch protection policies.
    #[serde(rename = "branch-protection")]
    pub branch_protection: BranchProtection,
    /// Gerrit settings, kept as raw JSON.
    #[serde(skip_serializing_if = "Value::is_null")]
    pub gerrit: Value,
    /// Reporting to GitHub.
    pub github_reporter: GitHubReporter,
    /// Horologium, the periodic job starter.
    pub horologium: Horologium,
    /// Reporting to Slack.
    #[serde(skip_serializing_if = "SlackReporterConfigs::is_empty")]
    pub slack_reporter_configs: SlackReporterConfigs,
    /// In-repo (`.prow.yaml`) job config.
    pub in_repo_config: InRepoConfig,
    /// Gangway (the Prow API) client allowlist.
    pub gangway: Gangway,
    /// Moonraker client settings.
    pub moonraker: Moonraker,
    /// The optional scheduler.
    pub scheduler: Scheduler,
    /// Jenkins operators, kept as raw JSON.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub jenkins_operators: Vec<Value>,
    /// Namespace of ProwJobs; defaults to `default`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub prowjob_namespace: String,
    /// Namespace of test pods; defaults to `default`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub pod_namespace: String,
    /// Log level of all components; defaults to `info`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub log_level: String,
    /// Prometheus push gateway.
    pub push_gateway: PushGateway,
    /// Directories ignored when looking for OWNERS files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owners_dir_denylist: Option<OwnersDirDenylist>,
    /// Legacy form: GCP project → subscriptions. Exclusive with
    /// `pubsub_triggers`; `set_defaults` moves it there.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub pubsub_subscriptions: BTreeMap<String, Vec<String>>,
    /// Pub/Sub subscriptions that may trigger jobs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pubsub_triggers: Vec<PubSubTrigger>,
    /// How GitHub links are shown.
    #[serde(rename = "github")]
    pub github_options: GitHubOptions,
    /// Link used for jobs that cannot be found; has a default.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub status_error_link: String,
    /// Deadline of jobs that set none; defaults to 24h.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_job_timeout: Option<GoDuration>,
    /// Repos and orgs with managed webhook tokens.
    pub managed_webhooks: ManagedWebhooks,
    /// ProwJob defaults with repo and cluster filters.
    #[serde(
        rename = "prowjob_default_entries",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub prowjob_default_entries: Vec<ProwJobDefaultEntry>,
    /// Build clusters ignored when loading kubeconfigs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub disabled_clusters: Vec<String>,
}

impl ProwConfig {
    /// Deserializes `text` (a whole `config.yaml` is fine: job config keys
    /// are unknown fields here) and applies [`ProwConfig::set_defaults`].
    /// Call [`ProwConfig::validate`] afterwards.
    pub fn parse(text: &str) -> Result<ProwConfig, crate::yaml::Error> {
        let mut cfg: ProwConfig = crate::yaml::from_str(text)?;
        cfg.set_defaults();
        Ok(cfg)
    }

    /// Fills in upstream's defaults. Legacy forms that upstream converts
    /// (default decoration map, rerun auth map, Pub/Sub subscriptions,
    /// single report template, target URL and PR status URL) are moved into
    /// their new forms and cleared, unless both forms are set (which
    /// `validate` reports). Running it twice changes nothing.
    pub fn set_defaults(&mut self) {
        self.plank.set_defaults();
        if self.github_reporter.job_types_to_report.is_empty() {
            self.github_reporter.job_types_to_report =
                vec![ProwJobType::Presubmit, ProwJobType::Postsubmit];
        }
        self.deck.set_defaults();
        set_if_none(&mut self.push_gateway.interval, minutes(1));
        self.sinker.set_defaults();
        self.tide.set_defaults();
        if self.prowjob_namespace.is_empty() {
            self.prowjob_namespace = "default".into();
        }
        if self.pod_namespace.is_empty() {
            self.pod_namespace = "default".into();
        }
        if self.github_options.link_url_from_config.is_empty() {
            self.github_options.link_url_from_config = DEFAULT_GITHUB_LINK_URL.into();
        }
        if self.status_error_link.is_empty() {
            self.status_error_link = DEFAULT_STATUS_ERROR_LINK.into();
        }
        if self.log_level.is_empty() {
            self.log_level = "info".into();
        }
        set_if_none(&mut self.default_job_timeout, DEFAULT_JOB_TIMEOUT);
        set_if_none(
            &mut self.moonraker.client_timeout,
            DEFAULT_MOONRAKER_CLIENT_TIMEOUT,
        );
        self.in_repo_config
            .allowed_clusters
            .entry("*".into())
            .or_insert_with(|| vec![DEFAULT_CLUSTER_ALIAS.to_string()]);
        if self.pubsub_triggers.is_empty() && !self.pubsub_subscriptions.is_empty() {
            self.pubsub_triggers = std::mem::take(&mut self.pubsub_subscriptions)
                .into_iter()
                .map(|(project, topics)| PubSubTrigger {
                    project,
                    topics,
                    allowed_clusters: vec!["*".into()],
                    max_outstanding_messages: 0,
                })
                .collect();
        }
        for t in &mut self.pubsub_triggers {
            if t.max_outstanding_messages == 0 {
                t.max_outstanding_messages = DEFAULT_MAX_OUTSTANDING_MESSAGES;
            }
        }
        for r in self.slack_reporter_configs.0.values_mut() {
            r.set_defaults();
        }
    }

    /// Checks every section; empty when the config is valid. Meant to run
    /// after `set_defaults`, but does not depend on it.
    ///
    /// Covers upstream's load-time checks (`parseProwConfig`,
    /// `validateComponentConfig`, tide query and merge method checks), the
    /// `checkconfig` rules that only need this part of the config (status
    /// error link, strict branch protection vs. Tide, unmanaged branch
    /// protection with settings), and errors upstream only hits at run time
    /// (context policies, branch policies, Go templates, regexes).
    pub fn validate(&self) -> Vec<ValidationError> {
        let mut errs = self.plank.validate();
        self.validate_gerrit(&mut errs);
        let now = Utc::now();
        for (name, info) in &self.managed_webhooks.org_repo_config {
            if info.token_created_after > now {
                errs.push(ValidationError::new(
                    &format!("managed_webhooks.org_repo_config[{}]", go_quote(name)),
                    format!(
                        "token_created_after {} can be no later than current time for repo/org {name}",
                        crate::gotmpl::go_time_string(&info.token_created_after)
                    ),
                ));
            }
        }
        for (key, r) in &self.slack_reporter_configs.0 {
            if let Err(e) = r.validate() {
                errs.push(ValidationError::new(
                    &format!("slack_reporter_configs[{}]", go_quote(key)),
                    format!("failed to validate slackreporter config: {e}"),
                ));
            }
        }
        errs.extend(self.deck.validate());
        errs.extend(self.gangway.validate());
        for t in &self.github_reporter.job_types_to_report {
            if !matches!(t, ProwJobType::Presubmit | ProwJobType::Postsubmit) {
                let name = serde_json::to_value(t)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                errs.push(ValidationError::new(
                    "github_reporter.job_types_to_report",
                    format!("invalid job_types_to_report: {name}"),
                ));
            }
        }
        errs.extend(self.tide.validate());
        if !self.log_level.is_empty()
            && let Err(e) = validate_log_level(&self.log_level)
        {
            errs.push(ValidationError::new("log_level", e));
        }
        if let Err(e) = check_url(&self.github_options.link_url_from_config) {
            errs.push(ValidationError::new(
                "github.link_url",
                format!("unable to parse github.link_url, might not be a valid url: {e}"),
            ));
        }
        errs.extend(self.branch_protection.validate());
        if let Some(e) = self.validate_strict_branches() {
            errs.push(ValidationError::new("branch-protection", e));
        }
        if check_url(&self.status_error_link).is_err() {
            errs.push(ValidationError::new(
                "status_error_link",
                format!(
                    "status_error_link is not a valid url: {}",
                    self.status_error_link
                ),
            ));
        }
        if !self.pubsub_subscriptions.is_empty() && !self.pubsub_triggers.is_empty() {
            errs.push(ValidationError::new(
                "pubsub_triggers",
                "pubsub_subscriptions and pubsub_triggers are mutually exclusive",
            ));
        }
        errs
    }

    /// `checkconfig`'s rule: branches Tide merges must not require strict
    /// (up-to-date) status contexts, since Tide retests against the base.
    fn validate_strict_branches(&self) -> Option<String> {
        if self.tide.queries.is_empty() {
            return None;
        }
        if policy_is_strict(&self.branch_protection.policy()) {
            return Some(format!(
                "strict branchprotection context requirements cannot be globally enabled when Tide is configured for use. {STRICT_EXPLANATION}"
            ));
        }
        let (org_exceptions, repos) = self.tide.org_exceptions_and_repos();
        let tide = OrgRepoSet {
            org_exceptions,
            repos,
        };
        let conflicts = tide.intersection(&self.strict_branches()).items();
        if conflicts.is_empty() {
            return None;
        }
        Some(format!(
            "the following enable strict branchprotection context requirements even though Tide handles merges: [{}]. {STRICT_EXPLANATION}",
            conflicts.join("; ")
        ))
    }

    /// The repos whose branch protection is strict somewhere (a repo counts
    /// as strict when any of its listed branches is).
    fn strict_branches(&self) -> OrgRepoSet {
        let bp = &self.branch_protection;
        let mut out = OrgRepoSet::default();
        for (org_name, org_cfg) in &bp.orgs {
            let org = bp.get_org(org_name);
            let (mut strict, mut non_strict) = (BTreeSet::new(), BTreeSet::new());
            for repo_name in org_cfg.repos.keys() {
                let repo = org.get_repo(repo_name);
                let is_strict = policy_is_strict(&repo.policy())
                    || repo.branches.keys().any(|b| {
                        repo.get_branch(b)
                            .is_ok_and(|branch| policy_is_strict(&branch.policy()))
                    });
                let full = format!("{org_name}/{repo_name}");
                if is_strict {
                    strict.insert(full);
                } else {
                    non_strict.insert(full);
                }
            }
            if policy_is_strict(&org.policy()) {
                out.org_exceptions.insert(org_name.clone(), non_strict);
            } else {
                out.repos.extend(strict);
            }
        }
        out
    }

    fn validate_gerrit(&self, errs: &mut Vec<ValidationError>) {
        if let Some(url) = self.gerrit.get("deck_url").and_then(Value::as_str)
            && let Err(e) = check_url(url)
        {
            errs.push(ValidationError::new(
                "gerrit.deck_url",
                format!("invalid value for gerrit.deck_url: {e}"),
            ));
        }
        if let Some(re) = self
            .gerrit
            .get("allowed_presubmit_trigger_re")
            .and_then(Value::as_str)
            && let Err(e) = compile_go_regex(re)
        {
            errs.push(ValidationError::new(
                "gerrit.allowed_presubmit_trigger_re",
                format!("failed to compile regex for allowed presubmit triggers: {e}"),
            ));
        }
    }

    /// Advice that upstream logs rather than rejects: deprecated fields in
    /// use, branch protection policies disabled with `protect: false`, and a
    /// `sinker.terminated_pod_ttl` longer than `sinker.max_pod_age` (which
    /// makes the TTL moot). Run it before `set_defaults`, which clears the
    /// deprecated fields.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.plank.report_template.is_empty() {
            out.push("report_template is deprecated and it will be removed on September 2020. It will be replaced with report_templates['*']".to_string());
        }
        if !self.tide.pr_status_base_url.is_empty() {
            out.push("The `pr_status_base_url` setting is deprecated and it has been replaced by `pr_status_base_urls`. It will be removed in June 2020".to_string());
        }
        out.extend(self.branch_protection.warnings());
        if let (Some(ttl), Some(age)) = (&self.sinker.terminated_pod_ttl, &self.sinker.max_pod_age)
            && ttl.as_std() > age.as_std()
        {
            out.push(format!(
                    "sinker.terminated_pod_ttl ({ttl}) is longer than sinker.max_pod_age ({age}): pods are deleted at max_pod_age first"
                ));
        }
        out
    }

    /// The ProwJob defaults of a job of `repo` on `cluster`: every matching
    /// entry applied in order, later over earlier; the tenant id defaults to
    /// [`DEFAULT_TENANT_ID`].
    pub fn get_prowjob_default(&self, repo: &str, cluster: &str) -> ProwJobDefault {
        let mut merged: Option<ProwJobDefault> = None;
        for entry in &self.prowjob_default_entries {
            let Some(cfg) = entry.config.as_ref() else {
                continue;
            };
            if default_entry_matches(&entry.org_repo, &entry.cluster, repo, cluster) {
                merged = Some(match merged {
                    None => cfg.clone(),
                    Some(prev) => cfg.apply_default(&prev),
                });
            }
        }
        let mut out = merged.unwrap_or_default();
        if out.tenant_id.is_empty() {
            out.tenant_id = DEFAULT_TENANT_ID.into();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse_raw(yaml: &str) -> ProwConfig {
        crate::yaml::from_str(yaml).expect("valid config yaml")
    }

    fn secs(d: &Option<GoDuration>) -> Option<u64> {
        d.as_ref().map(|d| d.as_std().as_secs())
    }

    fn messages(cfg: &ProwConfig) -> Vec<String> {
        cfg.validate().iter().map(ToString::to_string).collect()
    }

    fn dc(v: Value) -> DecorationConfig {
        serde_json::from_value(v).expect("valid decoration config")
    }

    fn rac(v: Value) -> RerunAuthConfig {
        serde_json::from_value(v).expect("valid rerun auth config")
    }

    #[test]
    fn go_quote_matches_go() {
        assert_eq!(go_quote("a\"b\\c\n"), r#""a\"b\\c\n""#);
        assert_eq!(go_quote_list(&["a".into(), "b c".into()]), r#"["a" "b c"]"#);
    }

    #[test]
    fn go_template_checks() {
        let cases = [
            ("", Ok(())),
            ("plain text", Ok(())),
            ("{{.Spec.Job}}", Ok(())),
            (
                "{{if eq .A \"}}\"}}x{{else if .B}}y{{else}}z{{end}}",
                Ok(()),
            ),
            (
                "{{with index .P 0}}{{.Number}}{{end}}{{range .X}}{{end}}",
                Ok(()),
            ),
            ("{{- .A -}} {{/* comment */}} {{`raw }}`}}", Ok(())),
            ("{{ if .Spec.Name}}", Err("template: T:1: unexpected EOF")),
            ("a\n{{ .Spec.Name", Err("template: T:2: unclosed action")),
            ("{{end}}", Err("template: T:1: unexpected {{end}}")),
            ("{{else}}", Err("template: T:1: unexpected {{else}}")),
            ("{{}}", Err("template: T:1: missing value for command")),
            (
                "{{ \"abc }}",
                Err("template: T:1: unterminated quoted string"),
            ),
            (
                "{{/* never closed }}",
                Err("template: T:1: unclosed comment"),
            ),
        ];
        for (text, want) in cases {
            assert_eq!(
                check_go_template("T", text),
                want.map_err(str::to_string),
                "{text:?}"
            );
        }
    }

    #[test]
    fn url_checks() {
        let cases = [
            ("https://prow.k8s.io/view/", Ok(())),
            ("https://my-prow", Ok(())),
            ("http://host:8080/path?q=1#frag", Ok(())),
            ("/relative/path", Ok(())),
            ("mailto:someone", Ok(())),
            ("", Ok(())),
            (
                "https:// my-prow",
                Err(r#"parse "https:// my-prow": invalid character " " in host name"#),
            ),
            (
                "https://host:port",
                Err(r#"parse "https://host:port": invalid port ":port" after host"#),
            ),
            (":foo", Err(r#"parse ":foo": missing protocol scheme"#)),
            (
                "1ab:c/d",
                Err(r#"parse "1ab:c/d": first path segment in URL cannot contain colon"#),
            ),
            (
                "https://h/%zz",
                Err(r#"parse "https://h/%zz": invalid URL escape "%zz""#),
            ),
            (
                "https://h/a\tb",
                Err("parse \"https://h/a\\tb\": net/url: invalid control character in URL"),
            ),
            (
                "https://h/p#%x",
                Err(r#"parse "https://h/p#%x": invalid URL escape "%x""#),
            ),
        ];
        for (url, want) in cases {
            assert_eq!(check_url(url), want.map_err(str::to_string), "{url:?}");
        }
    }

    #[test]
    fn default_entry_matching() {
        // (given repo, given cluster, job repo, job cluster, want)
        let cases = [
            ("", "", "org/repo", "cluster", true),
            ("*", "", "org/repo", "", true),
            ("org", "", "org/repo", "", true),
            ("org/repo", "", "org/repo", "", true),
            ("some.org", "", "some-review.org/repo", "", true),
            ("some.org/repo", "", "some-review.org/repo", "", true),
            ("http://org/repo", "", "http://org/repo", "", true),
            ("https://org/repo", "", "https://org/repo", "", true),
            ("org", "", "http://org/repo", "", true),
            ("org", "", "https://org/repo", "", true),
            ("some.org", "", "https://some-review.org/repo", "", true),
            ("org/repo", "", "http://org/repo", "", true),
            ("org/repo", "", "https://org/repo", "", true),
            ("org2", "", "org/repo", "", false),
            ("org/repo2", "", "org/repo", "", false),
            ("some.other.org", "", "some.other-review.org", "", false),
            ("", "", "", "cluster", true),
            ("", "*", "", "cluster", true),
            ("", "cluster", "", "cluster", true),
            ("", "cluster2", "", "cluster", false),
        ];
        for (given, given_cluster, repo, cluster, want) in cases {
            assert_eq!(
                default_entry_matches(given, given_cluster, repo, cluster),
                want,
                "{given:?} {given_cluster:?} vs {repo:?} {cluster:?}"
            );
        }
    }

    #[test]
    fn identifier_keys() {
        let cases: [(&str, &[&str]); 6] = [
            ("foo", &["foo", "*"]),
            ("http://foo", &["http://foo", "foo", "*"]),
            ("https://foo", &["https://foo", "foo", "*"]),
            ("https-foo", &["https-foo", "*"]),
            ("org/repo", &["org/repo", "org", "*"]),
            (
                "https://host/repo/",
                &[
                    "https://host/repo",
                    "host/repo",
                    "https://host",
                    "host",
                    "*",
                ],
            ),
        ];
        for (id, want) in cases {
            assert_eq!(keys_for_identifier(id), want, "{id}");
        }
    }

    #[test]
    fn in_repo_config_lookups() {
        let mut cfg = parse_raw(
            r#"
in_repo_config:
  enabled:
    "*": true
    org: false
    org/repo: true
  allowed_clusters:
    org: [org-cluster]
    org/repo: [repo-cluster]
"#,
        );
        let irc = &cfg.in_repo_config;
        assert!(irc.enabled_for("other/repo"));
        assert!(!irc.enabled_for("org/other"));
        assert!(irc.enabled_for("org/repo"));
        assert!(!InRepoConfig::default().enabled_for("org/repo"));
        assert!(irc.allows_cluster("org-cluster", "org/repo"));
        assert!(irc.allows_cluster("repo-cluster", "org/repo"));
        assert!(!irc.allows_cluster("repo-cluster", "org/other"));
        assert!(!irc.allows_cluster("default", "org/repo"));
        cfg.set_defaults();
        assert!(cfg.in_repo_config.allows_cluster("default", "any/repo"));
        // An explicit empty global list is respected.
        let mut cfg = parse_raw("in_repo_config:\n  allowed_clusters:\n    '*': []\n");
        cfg.set_defaults();
        assert!(!cfg.in_repo_config.allows_cluster("default", "any/repo"));
    }

    #[test]
    fn top_level_defaults() {
        let mut cfg = ProwConfig::default();
        cfg.set_defaults();
        assert_eq!(cfg.prowjob_namespace, "default");
        assert_eq!(cfg.pod_namespace, "default");
        assert_eq!(cfg.log_level, "info");
        assert_eq!(cfg.status_error_link, DEFAULT_STATUS_ERROR_LINK);
        assert_eq!(
            cfg.github_options.link_url_from_config,
            "https://github.com"
        );
        assert_eq!(secs(&cfg.default_job_timeout), Some(24 * 3600));
        assert_eq!(secs(&cfg.moonraker.client_timeout), Some(600));
        assert_eq!(secs(&cfg.push_gateway.interval), Some(60));
        assert_eq!(cfg.horologium.tick_interval, None);
        assert_eq!(
            cfg.horologium.effective_tick_interval(),
            Duration::from_secs(60)
        );
        assert_eq!(
            cfg.github_reporter.job_types_to_report,
            vec![ProwJobType::Presubmit, ProwJobType::Postsubmit]
        );
        assert_eq!(
            cfg.in_repo_config.allowed_clusters["*"],
            vec!["default".to_string()]
        );
        assert!(cfg.validate().is_empty(), "{:?}", cfg.validate());

        // Set values are kept.
        let mut cfg = parse_raw(
            r#"
prowjob_namespace: pj
pod_namespace: pods
log_level: debug
status_error_link: https://x
default_job_timeout: 2h
moonraker:
  client_timeout: 1m
push_gateway:
  interval: 30s
github:
  link_url: https://ghe.example.com
github_reporter:
  job_types_to_report: [presubmit]
"#,
        );
        cfg.set_defaults();
        assert_eq!(cfg.prowjob_namespace, "pj");
        assert_eq!(cfg.pod_namespace, "pods");
        assert_eq!(cfg.log_level, "debug");
        assert_eq!(cfg.status_error_link, "https://x");
        assert_eq!(secs(&cfg.default_job_timeout), Some(7200));
        assert_eq!(secs(&cfg.moonraker.client_timeout), Some(60));
        assert_eq!(secs(&cfg.push_gateway.interval), Some(30));
        assert_eq!(
            cfg.github_options.link_url_from_config,
            "https://ghe.example.com"
        );
        assert_eq!(
            cfg.github_reporter.job_types_to_report,
            vec![ProwJobType::Presubmit]
        );
    }

    #[test]
    fn plank_defaults() {
        let mut p = Plank::default();
        p.set_defaults();
        assert_eq!(p.max_goroutines, 20);
        assert_eq!(secs(&p.pod_pending_timeout), Some(600));
        assert_eq!(secs(&p.pod_running_timeout), Some(48 * 3600));
        assert_eq!(secs(&p.pod_unscheduled_timeout), Some(300));
        assert_eq!(p.max_revivals, Some(3));

        let mut p: Plank = crate::yaml::from_str(
            "max_goroutines: 7\npod_pending_timeout: 15m\nmax_revivals: 0\nreport_template: hi\n",
        )
        .unwrap();
        p.set_defaults();
        assert_eq!(p.max_goroutines, 7);
        assert_eq!(secs(&p.pod_pending_timeout), Some(900));
        assert_eq!(p.max_revivals, Some(0));
        assert_eq!(p.report_templates["*"], "hi");
        assert!(p.report_template.is_empty());
    }

    #[test]
    fn sinker_defaults() {
        let cases: [(&str, [u64; 4]); 3] = [
            ("{}", [3600, 7 * 24 * 3600, 24 * 3600, 24 * 3600]),
            (
                "max_pod_age: 48h\n",
                [3600, 7 * 24 * 3600, 48 * 3600, 48 * 3600],
            ),
            (
                "resync_period: 1m\nmax_prowjob_age: 48h\nmax_pod_age: 48h\nterminated_pod_ttl: 30m\n",
                [60, 48 * 3600, 48 * 3600, 1800],
            ),
        ];
        for (yaml, want) in cases {
            let mut s: Sinker = crate::yaml::from_str(yaml).unwrap();
            s.set_defaults();
            let got = [
                secs(&s.resync_period).unwrap(),
                secs(&s.max_prowjob_age).unwrap(),
                secs(&s.max_pod_age).unwrap(),
                secs(&s.terminated_pod_ttl).unwrap(),
            ];
            assert_eq!(got, want, "{yaml}");
        }
    }

    #[test]
    fn decoration_map_converts_most_generic_first() {
        let map: BTreeMap<String, DecorationConfig> = [
            ("org/repo", json!({"timeout": "3h"})),
            ("*", json!({"timeout": "1h"})),
            ("org", json!({"timeout": "2h"})),
            ("another", json!({"timeout": "4h"})),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), dc(v)))
        .collect();
        let keys: Vec<String> = default_decoration_map_to_entries(&map)
            .into_iter()
            .map(|e| e.org_repo)
            .collect();
        assert_eq!(keys, ["*", "another", "org", "org/repo"]);
    }

    const LEGACY_DECORATION: &str = r#"
plank:
  default_decoration_configs:
    "*":
      timeout: 2h
      grace_period: 15m
      gcs_credentials_secret: service-account
      gcs_configuration:
        bucket: default-bucket
        path_strategy: legacy
    org:
      timeout: 3h
      gcs_configuration:
        bucket: org-bucket
    org/repo:
      grace_period: 1m
      gcs_credentials_secret: ""
"#;

    const ENTRY_DECORATION: &str = r#"
plank:
  default_decoration_config_entries:
  - config:
      timeout: 2h
      grace_period: 15m
      gcs_credentials_secret: service-account
      gcs_configuration:
        bucket: default-bucket
        path_strategy: legacy
  - repo: org
    config:
      timeout: 3h
      gcs_configuration:
        bucket: org-bucket
  - repo: org/repo
    config:
      grace_period: 1m
      gcs_credentials_secret: ""
  - cluster: trusted
    config:
      default_service_account_name: trusted-sa
  - repo: org
    cluster: "*"
    config:
      timeout: 4h
"#;

    #[test]
    fn decoration_guess_precedence() {
        // (repo, cluster, timeout, grace, secret, bucket)
        let shared = [
            (
                "other/repo",
                "default",
                7200,
                900,
                "service-account",
                "default-bucket",
            ),
            (
                "org/other",
                "default",
                3 * 3600,
                900,
                "service-account",
                "org-bucket",
            ),
            ("org/repo", "default", 3 * 3600, 60, "", "org-bucket"),
            (
                "https://org/repo",
                "default",
                3 * 3600,
                60,
                "",
                "org-bucket",
            ),
        ];
        for (name, yaml) in [("legacy", LEGACY_DECORATION), ("entries", ENTRY_DECORATION)] {
            for defaulted in [false, true] {
                let mut cfg = parse_raw(yaml);
                if defaulted {
                    cfg.set_defaults();
                    assert!(cfg.plank.default_decoration_configs.is_empty());
                }
                for (repo, cluster, timeout, grace, secret, bucket) in shared {
                    // The entries form also has an org entry for any cluster
                    // that comes last and overrides the timeout.
                    let timeout = if name == "entries" && repo.contains("org/") {
                        4 * 3600
                    } else {
                        timeout
                    };
                    let got = cfg
                        .plank
                        .guess_default_decoration_config(repo, cluster)
                        .expect("a match");
                    let v = serde_json::to_value(&got).unwrap();
                    assert_eq!(secs(&got.timeout), Some(timeout), "{name} {repo}");
                    assert_eq!(secs(&got.grace_period), Some(grace), "{name} {repo}");
                    assert_eq!(v["gcs_credentials_secret"], json!(secret), "{name} {repo}");
                    assert_eq!(
                        v["gcs_configuration"]["bucket"],
                        json!(bucket),
                        "{name} {repo}"
                    );
                    assert_eq!(v["gcs_configuration"]["path_strategy"], json!("legacy"));
                }
            }
        }
        let cfg = parse_raw(ENTRY_DECORATION);
        let trusted = cfg
            .plank
            .guess_default_decoration_config("x/y", "trusted")
            .unwrap();
        let v = serde_json::to_value(&trusted).unwrap();
        assert_eq!(v["default_service_account_name"], json!("trusted-sa"));
        let plain = cfg
            .plank
            .guess_default_decoration_config("x/y", "default")
            .unwrap();
        assert!(serde_json::to_value(&plain).unwrap()["default_service_account_name"].is_null());
        assert_eq!(
            Plank::default().guess_default_decoration_config("a/b", "c"),
            None
        );
    }

    #[test]
    fn decoration_guess_with_job_config() {
        let cfg = parse_raw(ENTRY_DECORATION);
        let job = dc(json!({"timeout": "10m", "gcs_configuration": {"path_strategy": "explicit"}}));
        let got = cfg
            .plank
            .guess_default_decoration_config_with_job_dc("other/repo", "default", Some(&job))
            .unwrap();
        let v = serde_json::to_value(&got).unwrap();
        assert_eq!(secs(&got.timeout), Some(600));
        assert_eq!(secs(&got.grace_period), Some(900));
        assert_eq!(v["gcs_configuration"]["bucket"], json!("default-bucket"));
        assert_eq!(v["gcs_configuration"]["path_strategy"], json!("explicit"));
        let alone = Plank::default()
            .guess_default_decoration_config_with_job_dc("a/b", "c", Some(&job))
            .unwrap();
        assert_eq!(alone, job);
    }

    #[test]
    fn job_url_prefix_lookup() {
        let p: Plank = crate::yaml::from_str(
            r#"
job_url_prefix_config:
  "*": https://my-prow
  my-alternate-org: https://my-third-prow
  my-alternate-org/my-repo: https://my-alternate-prow
  empty-org: ""
"#,
        )
        .unwrap();
        let cases = [
            ("", "", Some("https://my-prow")),
            ("my-default-org", "my-default-repo", Some("https://my-prow")),
            (
                "my-alternate-org",
                "my-repo",
                Some("https://my-alternate-prow"),
            ),
            (
                "my-alternate-org",
                "my-second-repo",
                Some("https://my-third-prow"),
            ),
            ("empty-org", "repo", Some("https://my-prow")),
        ];
        for (org, repo, want) in cases {
            assert_eq!(p.get_job_url_prefix(org, repo), want, "{org}/{repo}");
        }
        assert_eq!(Plank::default().get_job_url_prefix("a", "b"), None);
    }

    #[test]
    fn report_template_lookup() {
        let p: Plank =
            crate::yaml::from_str("report_templates:\n  '*': all\n  org: org\n  org/repo: repo\n")
                .unwrap();
        assert_eq!(p.report_template_for_repo("org", "repo"), Some("repo"));
        assert_eq!(p.report_template_for_repo("org", "x"), Some("org"));
        assert_eq!(p.report_template_for_repo("x", "y"), Some("all"));
        let legacy: Plank = crate::yaml::from_str("report_template: old\n").unwrap();
        assert_eq!(legacy.report_template_for_repo("x", "y"), Some("old"));
    }

    #[test]
    fn plank_validation_messages() {
        let cases: Vec<(&str, Vec<&str>)> = vec![
            (
                "job_url_template: '{{if .X}}'\n",
                vec![
                    "plank.job_url_template: parsing template: template: JobURL:1: unexpected EOF",
                ],
            ),
            (
                "report_template: a\nreport_templates:\n  '*': b\n",
                vec!["plank: both report_template and report_templates are specified"],
            ),
            (
                "report_templates:\n  org: '{{ .A'\n",
                vec![
                    r#"plank.report_templates["org"]: error while parsing template for org: template: Report:1: unclosed action"#,
                ],
            ),
            (
                "max_concurrency: -1\n",
                vec![
                    "plank.max_concurrency: controller has invalid max_concurrency (-1), it needs to be a non-negative number",
                ],
            ),
            (
                "max_goroutines: -2\n",
                vec![
                    "plank.max_goroutines: controller has invalid max_goroutines (-2), it needs to be a positive number",
                ],
            ),
            (
                "default_decoration_configs:\n  '*': {timeout: 1h}\ndefault_decoration_config_entries:\n- config: {timeout: 1h}\n",
                vec![
                    "plank: plank.default_decoration_configs and plank.default_decoration_config_entries are mutually exclusive, please use one or the other",
                ],
            ),
            (
                "job_url_prefix_config:\n  '*': https://my-prow\n  my-org: 'https:// my-alternate-prow'\n",
                vec![
                    r#"plank.job_url_prefix_config["my-org"]: invalid value for Planks job_url_prefix_config["my-org"]: parse "https:// my-alternate-prow": invalid character " " in host name"#,
                ],
            ),
        ];
        for (yaml, want) in cases {
            let p: Plank = crate::yaml::from_str(yaml).unwrap();
            let got: Vec<String> = p.validate().iter().map(ToString::to_string).collect();
            assert_eq!(got, want, "{yaml}");
        }
        // Both decoration forms: set_defaults leaves them for validate.
        let mut cfg = parse_raw(
            "plank:\n  default_decoration_configs:\n    '*': {timeout: 1h}\n  default_decoration_config_entries:\n  - config: {timeout: 2h}\n",
        );
        cfg.set_defaults();
        assert_eq!(cfg.validate().len(), 1);
    }

    #[test]
    fn deck_defaults() {
        let mut d: Deck = crate::yaml::from_str(
            r#"
spyglass:
  gcs_browser_prefix: https://gcsweb/
  viewers:
    "started.json|finished.json": [metadata-viewer]
    "build-log.txt": [build-log-viewer, custom]
rerun_auth_configs:
  "*":
    github_users: [admin]
"#,
        )
        .unwrap();
        d.set_defaults();
        assert_eq!(secs(&d.tide_update_period), Some(10));
        assert_eq!(d.spyglass.size_limit, 100_000_000);
        let names: Vec<&str> = d
            .spyglass
            .lenses
            .iter()
            .map(|l| l.lens.name.as_str())
            .collect();
        assert_eq!(names, ["buildlog", "custom", "metadata"]);
        assert!(d.spyglass.viewers.is_empty());
        assert_eq!(d.spyglass.gcs_browser_prefixes["*"], "https://gcsweb/");
        assert_eq!(
            d.spyglass.gcs_browser_prefixes_by_bucket["*"],
            "https://gcsweb/"
        );
        assert!(d.spyglass.gcs_browser_prefix.is_empty());
        assert!(d.rerun_auth_configs.is_empty());
        assert_eq!(d.default_rerun_auth_configs.len(), 1);
        assert_eq!(d.default_rerun_auth_configs[0].org_repo, "*");
        assert!(d.validate().is_empty(), "{:?}", d.validate());
        let again = {
            let mut c = d.clone();
            c.set_defaults();
            c
        };
        assert_eq!(again, d);
        assert_eq!(
            d.spyglass.get_gcs_browser_prefix("o", "r", "b"),
            "https://gcsweb/"
        );
    }

    #[test]
    fn gcs_browser_prefix_lookup() {
        let s: Spyglass = crate::yaml::from_str(
            r#"
gcs_browser_prefixes:
  "*": default-repo
  org: org-prefix
  org/repo: repo-prefix
gcs_browser_prefixes_by_bucket:
  "*": default-bucket
  bucket: bucket-prefix
"#,
        )
        .unwrap();
        for (org, repo, bucket, want) in [
            ("org", "repo", "bucket", "repo-prefix"),
            ("org", "other", "bucket", "org-prefix"),
            ("x", "y", "bucket", "bucket-prefix"),
            ("", "", "bucket", "bucket-prefix"),
            ("x", "y", "other", "default-repo"),
        ] {
            assert_eq!(s.get_gcs_browser_prefix(org, repo, bucket), want);
        }
    }

    #[test]
    fn rerun_auth_lookup_both_forms() {
        let legacy = r#"
deck:
  rerun_auth_configs:
    "*":
      github_users: [clarketm]
    istio:
      github_users: [scoobydoo]
    istio/test-infra:
      github_users: [airbender]
"#;
        let entries = r#"
deck:
  default_rerun_auth_configs:
  - repo: "*"
    rerun_auth_configs:
      github_users: [clarketm]
  - repo: istio
    rerun_auth_configs:
      github_users: [scoobydoo]
  - repo: istio/test-infra
    rerun_auth_configs:
      github_users: [airbender]
  - cluster: trusted
    rerun_auth_configs:
      github_orgs: [kubernetes]
"#;
        let cases = [
            ("other/repo", "default", Some("clarketm")),
            ("istio/istio", "default", Some("scoobydoo")),
            ("istio/test-infra", "default", Some("airbender")),
            ("", "default", Some("clarketm")),
        ];
        for yaml in [legacy, entries] {
            for defaulted in [false, true] {
                let mut cfg = parse_raw(yaml);
                if defaulted {
                    cfg.set_defaults();
                }
                for (repo, cluster, want) in cases {
                    let got = cfg.deck.get_rerun_auth_config(repo, cluster);
                    let user = got
                        .as_ref()
                        .and_then(|r| r.github_users.first())
                        .map(String::as_str);
                    assert_eq!(user, want, "{repo}");
                }
            }
        }
        let cfg = parse_raw(entries);
        assert_eq!(
            cfg.deck.get_rerun_auth_config("istio/istio", "trusted"),
            Some(rac(json!({"github_orgs": ["kubernetes"]})))
        );
        assert_eq!(Deck::default().get_rerun_auth_config("a/b", "c"), None);
        // "" comes before "*" when converting the legacy map.
        let map: BTreeMap<String, RerunAuthConfig> = [
            ("*", json!({"github_users": ["star"]})),
            ("", json!({"github_users": ["empty"]})),
            ("org/repo", json!({"allow_anyone": true})),
            ("org", json!({"github_users": ["org"]})),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), rac(v)))
        .collect();
        let keys: Vec<String> = default_rerun_auth_map_to_entries(&map)
            .into_iter()
            .map(|e| e.org_repo)
            .collect();
        assert_eq!(keys, ["", "*", "org", "org/repo"]);
    }

    #[test]
    fn deck_validation_messages() {
        let cases: Vec<(&str, Vec<&str>)> = vec![
            ("{}", vec![]),
            (
                "rerun_auth_configs:\n  '*': {allow_anyone: true}\ndefault_rerun_auth_configs:\n- rerun_auth_configs: {allow_anyone: true}\n",
                vec![
                    "deck: deck.rerun_auth_configs and deck.default_rerun_auth_configs are mutually exclusive, please use one or the other",
                ],
            ),
            (
                "rerun_auth_configs:\n  k8s/k8s: {allow_anyone: true, github_orgs: [k8s]}\n",
                vec![
                    r#"deck.rerun_auth_configs["k8s/k8s"]: allow anyone is set to true and permitted users or groups are specified"#,
                ],
            ),
            (
                "default_rerun_auth_configs:\n- rerun_auth_configs: {allow_anyone: true, github_users: [a]}\n",
                vec![
                    "deck.default_rerun_auth_configs[0]: allow anyone is set to true and permitted users or groups are specified",
                ],
            ),
            (
                "additional_allowed_buckets: [foo, bar]\n",
                vec![
                    "deck: deck.skip_storage_path_validation is enabled despite deck.additional_allowed_buckets being configured: [foo bar]",
                ],
            ),
            (
                "skip_storage_path_validation: true\nadditional_allowed_buckets: [foo]\n",
                vec![
                    "deck: deck.skip_storage_path_validation is enabled despite deck.additional_allowed_buckets being configured: [foo]",
                ],
            ),
            (
                "skip_storage_path_validation: false\nadditional_allowed_buckets: [foo]\n",
                vec![],
            ),
            (
                "spyglass:\n  size_limit: -1\n",
                vec![
                    "deck.spyglass.size_limit: invalid value for deck.spyglass.size_limit, must be >=0",
                ],
            ),
            (
                "spyglass:\n  lenses:\n  - lens: {name: x}\n    required_files: ['(']\n",
                vec![
                    r#"deck.spyglass.lenses[0]: cannot compile regexp "(", err: error parsing regexp "(": unclosed group"#,
                ],
            ),
            (
                "spyglass:\n  gcs_browser_prefix: a\n  gcs_browser_prefixes: {'*': b}\n",
                vec![
                    "deck.spyglass: both gcs_browser_prefix and gcs_browser_prefixes['*'] are specified.",
                ],
            ),
            (
                "spyglass:\n  gcs_browser_prefix: a\n  gcs_browser_prefixes_by_bucket: {'*': b}\n",
                vec![
                    "deck.spyglass: both gcs_browser_prefix and gcs_browser_prefixes_by_bucket['*'] are specified.",
                ],
            ),
            (
                "external_agent_logs:\n- agent: jenkins\n  url_template: '{{ .X'\n",
                vec![
                    r#"deck.external_agent_logs[0]: parsing template for agent "jenkins": template: jenkins:1: unclosed action"#,
                ],
            ),
        ];
        for (yaml, want) in cases {
            let d: Deck = crate::yaml::from_str(yaml).unwrap();
            let got: Vec<String> = d.validate().iter().map(ToString::to_string).collect();
            assert_eq!(got, want, "{yaml}");
        }
    }

    #[test]
    fn slack_reporter_lookup_and_defaults() {
        let mut cfg = parse_raw(
            r#"
slack_reporter_configs:
  "*":
    channel: global
    job_types_to_report: [postsubmit, periodic]
    job_states_to_report: [failure, error]
  istio:
    channel: istio
  istio/proxy:
    channel: proxy
    report_template: custom
"#,
        );
        let s = &cfg.slack_reporter_configs;
        assert!(s.has_global_config());
        for (org, repo, want) in [
            ("istio", "proxy", Some("proxy")),
            ("istio", "istio", Some("istio")),
            ("other", "repo", Some("global")),
            ("", "", Some("global")),
        ] {
            assert_eq!(
                s.get_slack_reporter(org, repo).map(|r| r.channel.as_str()),
                want,
                "{org}/{repo}"
            );
        }
        let global = s.get_slack_reporter("x", "y").unwrap();
        assert_eq!(
            global.job_states_to_report,
            vec![ProwJobState::Failure, ProwJobState::Error]
        );
        assert_eq!(
            global.job_types_to_report,
            vec![ProwJobType::Postsubmit, ProwJobType::Periodic]
        );
        assert_eq!(
            SlackReporterConfigs::default().get_slack_reporter("a", "b"),
            None
        );
        cfg.set_defaults();
        let s = &cfg.slack_reporter_configs;
        assert_eq!(s.0["*"].report_template, DEFAULT_SLACK_REPORT_TEMPLATE);
        assert_eq!(s.0["istio/proxy"].report_template, "custom");
        assert!(cfg.validate().is_empty());
    }

    #[test]
    fn top_level_validation_messages() {
        let cases: Vec<(&str, Vec<&str>)> = vec![
            (
                "slack_reporter_configs:\n  '*':\n    job_types_to_report: [presubmit]\n",
                vec![
                    r#"slack_reporter_configs["*"]: failed to validate slackreporter config: channel must be set"#,
                ],
            ),
            (
                "slack_reporter_configs:\n  '*':\n    channel: c\n    report_template: '{{ if .Spec.Name}}'\n",
                vec![
                    r#"slack_reporter_configs["*"]: failed to validate slackreporter config: failed to parse template: template: :1: unexpected EOF"#,
                ],
            ),
            (
                "github_reporter:\n  job_types_to_report: [presubmit, periodic]\n",
                vec!["github_reporter.job_types_to_report: invalid job_types_to_report: periodic"],
            ),
            (
                "log_level: verbose\n",
                vec![r#"log_level: not a valid logrus Level: "verbose""#],
            ),
            ("log_level: WARNING\n", vec![]),
            (
                "github:\n  link_url: 'https:// ghe'\n",
                vec![
                    r#"github.link_url: unable to parse github.link_url, might not be a valid url: parse "https:// ghe": invalid character " " in host name"#,
                ],
            ),
            (
                "pubsub_subscriptions:\n  p: [s]\npubsub_triggers:\n- project: p\n  topics: [t]\n",
                vec![
                    "pubsub_triggers: pubsub_subscriptions and pubsub_triggers are mutually exclusive",
                ],
            ),
            (
                "managed_webhooks:\n  org_repo_config:\n    org/repo:\n      token_created_after: 2999-01-02T03:04:05Z\n    old/repo:\n      token_created_after: 2020-01-01T00:00:00Z\n",
                vec![
                    r#"managed_webhooks.org_repo_config["org/repo"]: token_created_after 2999-01-02 03:04:05 +0000 UTC can be no later than current time for repo/org org/repo"#,
                ],
            ),
            (
                "gerrit:\n  deck_url: 'https:// deck'\n",
                vec![
                    r#"gerrit.deck_url: invalid value for gerrit.deck_url: parse "https:// deck": invalid character " " in host name"#,
                ],
            ),
            (
                "gerrit:\n  allowed_presubmit_trigger_re: '('\n",
                vec![
                    r#"gerrit.allowed_presubmit_trigger_re: failed to compile regex for allowed presubmit triggers: error parsing regexp "(": unclosed group"#,
                ],
            ),
            (
                "tide:\n  queries:\n  - labels: [a]\n",
                vec!["tide.queries[0]: 'orgs' and 'repos' cannot both be empty"],
            ),
            (
                "branch-protection:\n  include: [a]\n  exclude: [b]\n",
                vec![
                    "branch-protection: Forbidden to set both Policy.Include and Policy.Exclude, Please use either Include or Exclude!",
                ],
            ),
            (
                "gangway:\n  allowed_api_clients:\n  - allowed_jobs_filters: [{tenant_id: t}]\n  - gcp: {endpoint_api_consumer_type: USER, endpoint_api_consumer_number: '12a'}\n  - gcp: {endpoint_api_consumer_type: PROJECT, endpoint_api_consumer_number: '1'}\n    allowed_jobs_filters: [{tenant_id: t}]\n  - gcp: {endpoint_api_consumer_type: PROJECT, endpoint_api_consumer_number: '1'}\n    allowed_jobs_filters: [{}]\n",
                vec![
                    "gangway.allowed_api_clients[0]: allowedApiClient did not have a cloud vendor set",
                    r#"gangway.allowed_api_clients[1]: unsupported GCP API consumer type: "USER""#,
                    r#"gangway.allowed_api_clients[1]: invalid EndpointApiConsumerNumber: "12a""#,
                    "gangway.allowed_api_clients[1]: allowed_jobs_filters field cannot be empty",
                    r#"gangway.allowed_api_clients[3]: AllowedApiClient "gcp-PROJECT-1" declared multiple times"#,
                    "gangway.allowed_api_clients[3]: AllowedJobsFilters entry has an empty tenant_id",
                ],
            ),
            (
                "status_error_link: 'https:// x'\n",
                vec!["status_error_link: status_error_link is not a valid url: https:// x"],
            ),
            (
                "tide:\n  queries:\n  - orgs: [o]\nbranch-protection:\n  protect: true\n  required_status_checks:\n    strict: true\n",
                vec![
                    "branch-protection: strict branchprotection context requirements cannot be globally enabled when Tide is configured for use. See #5: https://docs.prow.k8s.io/docs/components/core/tide/maintainers/#best-practices Also note that this validation is imperfect, see the check-config code for details",
                ],
            ),
            (
                "tide:\n  queries:\n  - orgs: [o]\n    excludedRepos: [o/skip]\n  - repos: [p/q]\nbranch-protection:\n  orgs:\n    o:\n      repos:\n        r:\n          protect: true\n          required_status_checks: {strict: true}\n        skip:\n          protect: true\n          required_status_checks: {strict: true}\n    p:\n      protect: true\n      required_status_checks: {strict: true}\n      repos:\n        other: {protect: true, required_status_checks: {strict: false}}\n",
                vec![
                    "branch-protection: the following enable strict branchprotection context requirements even though Tide handles merges: [repo: o/r; repo: p/q]. See #5: https://docs.prow.k8s.io/docs/components/core/tide/maintainers/#best-practices Also note that this validation is imperfect, see the check-config code for details",
                ],
            ),
            (
                "tide:\n  queries:\n  - orgs: [o]\nbranch-protection:\n  orgs:\n    o:\n      protect: true\n      required_status_checks: {strict: true}\n      repos:\n        lax: {required_status_checks: {strict: false}}\n",
                vec![
                    "branch-protection: the following enable strict branchprotection context requirements even though Tide handles merges: [org: o without repo(s) o/lax 'o/lax']. See #5: https://docs.prow.k8s.io/docs/components/core/tide/maintainers/#best-practices Also note that this validation is imperfect, see the check-config code for details",
                ],
            ),
        ];
        for (yaml, want) in cases {
            assert_eq!(messages(&parse_raw(yaml)), want, "{yaml}");
        }
    }

    #[test]
    fn pubsub_defaults() {
        let mut cfg =
            parse_raw("pubsub_subscriptions:\n  proj-a: [sub1, sub2]\n  proj-b: [sub3]\n");
        cfg.set_defaults();
        assert!(cfg.pubsub_subscriptions.is_empty());
        assert_eq!(cfg.pubsub_triggers.len(), 2);
        assert_eq!(cfg.pubsub_triggers[0].project, "proj-a");
        assert_eq!(cfg.pubsub_triggers[0].topics, vec!["sub1", "sub2"]);
        assert_eq!(cfg.pubsub_triggers[0].allowed_clusters, vec!["*"]);
        assert_eq!(cfg.pubsub_triggers[1].max_outstanding_messages, 10);
        let mut cfg = parse_raw("pubsub_triggers:\n- project: p\n  max_outstanding_messages: 3\n");
        cfg.set_defaults();
        assert_eq!(cfg.pubsub_triggers[0].max_outstanding_messages, 3);
    }

    #[test]
    fn prowjob_default_merge() {
        let cfg = parse_raw(
            r#"
prowjob_default_entries:
- config:
    tenant_id: global
    resultstore_config: {project_id: proj}
- repo: org
  config:
    tenant_id: org-tenant
- repo: org/repo
  cluster: trusted
  config:
    resultstore_config: {project_id: trusted-proj}
"#,
        );
        let d = cfg.get_prowjob_default("other/repo", "default");
        assert_eq!(d.tenant_id, "global");
        let d = cfg.get_prowjob_default("org/repo", "default");
        assert_eq!(d.tenant_id, "org-tenant");
        assert_eq!(d.resultstore_config.unwrap().project_id, "proj");
        let d = cfg.get_prowjob_default("org/repo", "trusted");
        assert_eq!(d.tenant_id, "org-tenant");
        assert_eq!(d.resultstore_config.unwrap().project_id, "trusted-proj");
        let d = ProwConfig::default().get_prowjob_default("a/b", "c");
        assert_eq!(d.tenant_id, DEFAULT_TENANT_ID);
        assert_eq!(d.resultstore_config, None);
    }

    #[test]
    fn owners_dir_denylist() {
        let cfg = parse_raw(
            "owners_dir_denylist:\n  default: [docs]\n  repos:\n    org: [vendor]\n    org/repo: [third_party]\n",
        );
        let d = cfg.owners_dir_denylist.unwrap();
        assert_eq!(
            d.list_ignored_dirs("org", "repo"),
            [
                "docs",
                "vendor",
                "third_party",
                "\\.git$",
                "_output$",
                "vendor/.*/.*"
            ]
        );
        let d = OwnersDirDenylist {
            ignore_preconfigured_defaults: true,
            ..d
        };
        assert_eq!(d.list_ignored_dirs("x", "y"), ["docs"]);
    }

    #[test]
    fn warnings_are_reported() {
        let cfg = parse_raw(
            r#"
plank:
  report_template: old
tide:
  pr_status_base_url: https://pr
sinker:
  max_pod_age: 1h
  terminated_pod_ttl: 2h
branch-protection:
  allow_disabled_policies: true
  orgs:
    o:
      required_status_checks: {contexts: [c]}
      repos:
        r: {protect: false}
"#,
        );
        assert_eq!(
            cfg.warnings(),
            vec![
                "report_template is deprecated and it will be removed on September 2020. It will be replaced with report_templates['*']",
                "The `pr_status_base_url` setting is deprecated and it has been replaced by `pr_status_base_urls`. It will be removed in June 2020",
                "The following repos define a policy, but have protect: false: o/r",
                "sinker.terminated_pod_ttl (2h0m0s) is longer than sinker.max_pod_age (1h0m0s): pods are deleted at max_pod_age first",
            ]
        );
        assert!(ProwConfig::default().warnings().is_empty());
    }

    /// A small config touching every section.
    const FIXTURE: &str = r#"
config_version_sha: abc123
tide:
  sync_period: 2m
  queries:
  - orgs: [org]
    excludedRepos: [org/skip]
    labels: [lgtm, approved]
    missingLabels: [do-not-merge/hold]
  - repos: [other/repo]
    includedBranches: [main]
    reviewApprovedRequired: true
  merge_method:
    org/squashy: squash
  batch_size_limit:
    "*": 5
    org/big: -1
  priority:
  - labels: [kind/flake]
  context_options:
    orgs:
      org:
        repos:
          repo:
            from-branch-protection: true
  pr_status_base_urls:
    "*": https://prow.example.com/pr
  blocker_label: tide/merge-blocker
  squash_label: tide/merge-method-squash
  rebase_label: tide/merge-method-rebase
  merge_label: tide/merge-method-merge
plank:
  job_url_template: 'https://prow.example.com/view/{{.Spec.Job}}/{{.Status.BuildID}}'
  report_templates:
    "*": "[Full PR test history](https://prow.example.com/pr-history)"
  job_url_prefix_config:
    "*": https://prow.example.com/view/
  pod_pending_timeout: 15m
  job_queue_capacities:
    gpu: 2
  default_decoration_config_entries:
  - config:
      timeout: 2h
      grace_period: 15m
      gcs_configuration:
        bucket: logs
        path_strategy: explicit
      gcs_credentials_secret: gcs
  - cluster: other
    config:
      gcs_credentials_secret: ""
pipeline:
  allow_concurrent_postsubmit_jobs: true
sinker:
  resync_period: 1m
  max_pod_age: 48h
  exclude_clusters: [untouched]
deck:
  spyglass:
    size_limit: 200000000
    lenses:
    - lens:
        name: buildlog
        config:
          highlight_regexes: [error]
      required_files: ['^build-log\.txt$']
  tide_update_period: 1s
  hidden_repos: [secret-org]
  google_analytics: UA-1
  rerun_auth_configs:
    "*":
      github_team_slugs:
      - org: org
        slug: admins
branch-protection:
  allow_disabled_policies: true
  orgs:
    org:
      protect: true
      required_status_checks:
        contexts: [cla]
      exclude: ["^revert-"]
      repos:
        repo:
          restrictions:
            users: []
            teams: [bots]
          branches:
            gh-pages:
              protect: false
gerrit:
  tick_interval: 1m
github_reporter:
  job_types_to_report: [presubmit]
  no_comment_repos: [org/quiet]
horologium:
  tick_interval: 30s
slack_reporter_configs:
  "*":
    channel: failures
    job_types_to_report: [periodic]
    job_states_to_report: [failure]
in_repo_config:
  enabled:
    org/repo: true
  allowed_clusters:
    org/repo: [build]
gangway:
  allowed_api_clients:
  - gcp:
      endpoint_api_consumer_type: PROJECT
      endpoint_api_consumer_number: "123456"
    allowed_jobs_filters:
    - tenant_id: tenant
moonraker:
  client_timeout: 30s
scheduler:
  enabled: true
  failover:
    mappings:
      a: b
prowjob_namespace: prow
pod_namespace: test-pods
log_level: debug
push_gateway:
  endpoint: pushgateway
owners_dir_denylist:
  default: [docs]
pubsub_subscriptions:
  project: [sub]
github:
  link_url: https://github.example.com
status_error_link: https://example.com/issues
default_job_timeout: 12h
managed_webhooks:
  respect_legacy_global_token: true
  org_repo_config:
    org/repo:
      token_created_after: 2020-01-01T00:00:00Z
prowjob_default_entries:
- repo: org
  config:
    tenant_id: org-tenant
disabled_clusters: [broken]
"#;

    #[test]
    fn fixture_covers_every_section() {
        let cfg = ProwConfig::parse(FIXTURE).expect("fixture parses");
        assert!(cfg.validate().is_empty(), "{:?}", cfg.validate());
        assert_eq!(cfg.config_version_sha, "abc123");
        assert_eq!(cfg.tide.queries.len(), 2);
        assert!(cfg.tide.queries[1].review_approved_required);
        assert_eq!(cfg.tide.merge_method("org", "squashy"), "squash");
        assert_eq!(cfg.tide.merge_method("org", "other"), "merge");
        assert_eq!(cfg.tide.batch_size_limit("org", "big"), -1);
        assert_eq!(cfg.tide.batch_size_limit("org", "small"), 5);
        assert_eq!(secs(&cfg.tide.status_update_period), Some(120));
        assert_eq!(
            cfg.tide
                .context_policy("org", "repo", "main")
                .from_branch_protection,
            Some(true)
        );
        assert_eq!(cfg.tide.queries_for_repo("org", "repo").len(), 1);
        assert!(cfg.tide.queries_for_repo("org", "skip").is_empty());
        assert_eq!(cfg.tide.priority[0].labels, vec!["kind/flake"]);
        assert_eq!(cfg.plank.job_queue_capacities["gpu"], 2);
        assert_eq!(
            cfg.plank.get_job_url_prefix("org", "repo"),
            Some("https://prow.example.com/view/")
        );
        let other = cfg
            .plank
            .guess_default_decoration_config("org/repo", "other")
            .unwrap();
        let v = serde_json::to_value(&other).unwrap();
        assert_eq!(v["gcs_credentials_secret"], json!(""));
        assert_eq!(v["gcs_configuration"]["bucket"], json!("logs"));
        assert!(cfg.pipeline.allow_concurrent_postsubmit_jobs);
        assert_eq!(secs(&cfg.sinker.terminated_pod_ttl), Some(48 * 3600));
        assert_eq!(cfg.sinker.exclude_clusters, vec!["untouched"]);
        assert_eq!(cfg.deck.spyglass.size_limit, 200_000_000);
        assert_eq!(
            cfg.deck.spyglass.lenses[0].lens.config["highlight_regexes"],
            json!(["error"])
        );
        assert_eq!(secs(&cfg.deck.tide_update_period), Some(1));
        let rerun = cfg
            .deck
            .get_rerun_auth_config("org/repo", "default")
            .unwrap();
        assert_eq!(rerun.github_team_slugs[0].slug, "admins");
        let b = cfg
            .branch_protection
            .branch_policy("org", "repo", "main")
            .unwrap()
            .unwrap();
        assert_eq!(b.restrictions.unwrap().users, Some(vec![]));
        assert_eq!(
            cfg.branch_protection
                .branch_policy("org", "repo", "gh-pages")
                .unwrap()
                .unwrap()
                .protect,
            Some(false)
        );
        assert_eq!(cfg.gerrit["tick_interval"], json!("1m"));
        assert_eq!(cfg.github_reporter.no_comment_repos, vec!["org/quiet"]);
        assert_eq!(secs(&cfg.horologium.tick_interval), Some(30));
        assert_eq!(
            cfg.slack_reporter_configs.0["*"].report_template,
            DEFAULT_SLACK_REPORT_TEMPLATE
        );
        assert!(cfg.in_repo_config.enabled_for("org/repo"));
        assert!(cfg.in_repo_config.allows_cluster("build", "org/repo"));
        assert!(cfg.in_repo_config.allows_cluster("default", "org/repo"));
        assert_eq!(
            cfg.gangway.allowed_api_clients[0].allowed_jobs_filters[0].tenant_id,
            "tenant"
        );
        assert_eq!(secs(&cfg.moonraker.client_timeout), Some(30));
        assert_eq!(
            cfg.scheduler.failover.as_ref().unwrap().cluster_mappings["a"],
            "b"
        );
        assert_eq!(cfg.prowjob_namespace, "prow");
        assert_eq!(cfg.pod_namespace, "test-pods");
        assert_eq!(cfg.push_gateway.endpoint, "pushgateway");
        assert_eq!(cfg.pubsub_triggers[0].project, "project");
        assert_eq!(
            cfg.github_options.link_url_from_config,
            "https://github.example.com"
        );
        assert_eq!(cfg.status_error_link, "https://example.com/issues");
        assert_eq!(secs(&cfg.default_job_timeout), Some(12 * 3600));
        assert!(cfg.managed_webhooks.respect_legacy_global_token);
        assert_eq!(
            cfg.get_prowjob_default("org/x", "default").tenant_id,
            "org-tenant"
        );
        assert_eq!(cfg.disabled_clusters, vec!["broken"]);

        // Defaulting is idempotent and the config round-trips through JSON.
        let mut again = cfg.clone();
        again.set_defaults();
        assert_eq!(again, cfg);
        let json = serde_json::to_value(&cfg).unwrap();
        assert!(json.get("branch-protection").is_some());
        assert!(json.get("github").is_some());
        let back: ProwConfig = serde_json::from_value(json).unwrap();
        assert_eq!(back, cfg);
    }

    #[test]
    fn kubernetes_config_yaml() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/corpus/kubernetes+test-infra/config/prow/config.yaml"
        );
        let Ok(text) = std::fs::read_to_string(path) else {
            eprintln!("note: {path} not found; skipping the real config test");
            return;
        };
        let raw: ProwConfig = crate::yaml::from_str(&text).expect("config.yaml parses");
        assert!(raw.warnings().is_empty(), "{:?}", raw.warnings());
        assert_eq!(raw.deck.rerun_auth_configs.len(), 1);
        let cfg = ProwConfig::parse(&text).expect("config.yaml parses");
        assert_eq!(cfg.validate(), vec![], "real config must validate");

        // Tide.
        assert_eq!(cfg.tide.queries.len(), 9);
        assert_eq!(cfg.tide.merge_method.len(), 34);
        assert_eq!(cfg.tide.merge_method("kubernetes-sigs", "kro"), "rebase");
        assert_eq!(cfg.tide.merge_method("kubernetes-sigs", "kueue"), "squash");
        assert_eq!(cfg.tide.merge_method("kubernetes", "kubernetes"), "merge");
        assert_eq!(cfg.tide.batch_size_limit("kubernetes", "kubernetes"), 15);
        assert_eq!(cfg.tide.batch_size_limit("kubernetes", "enhancements"), -1);
        assert_eq!(cfg.tide.batch_size_limit("kubernetes", "test-infra"), 0);
        assert_eq!(secs(&cfg.tide.sync_period), Some(120));
        assert_eq!(secs(&cfg.tide.status_update_period), Some(120));
        assert_eq!(cfg.tide.priority.len(), 3);
        assert_eq!(cfg.tide.blocker_label, "tide/merge-blocker");
        assert_eq!(
            cfg.tide.get_pr_status_base_url("kubernetes", "kubernetes"),
            Some("https://prow.k8s.io/pr")
        );
        let kueue = cfg.tide.context_policy("kubernetes-sigs", "kueue", "main");
        assert!(kueue.is_optional("deploy/netlify"));
        assert_eq!(kueue.optional_contexts.len(), 4);
        assert_eq!(
            cfg.tide
                .context_policy("kubernetes-sigs", "cluster-api", "main")
                .from_branch_protection,
            Some(true)
        );
        let k8s_queries = cfg.tide.queries_for_repo("kubernetes", "kubernetes");
        assert_eq!(k8s_queries.len(), 2);
        assert_eq!(k8s_queries[1].milestone, "v1.37");

        // Branch protection.
        let bp = &cfg.branch_protection;
        assert_eq!(bp.orgs.len(), 4);
        assert_eq!(bp.orgs.values().map(|o| o.repos.len()).sum::<usize>(), 86);
        assert_eq!(bp.allow_disabled_policies, Some(true));
        let k8s = bp
            .branch_policy("kubernetes", "kubernetes", "master")
            .unwrap()
            .unwrap();
        assert_eq!(k8s.protect, Some(true));
        assert_eq!(
            k8s.required_status_checks.unwrap().contexts,
            Some(vec!["EasyCLA".to_string()])
        );
        let r = k8s.restrictions.unwrap();
        assert_eq!((r.users, r.teams), (Some(vec![]), Some(vec![])));
        let autoscaler = bp
            .branch_policy("kubernetes", "autoscaler", "master")
            .unwrap()
            .unwrap();
        assert_eq!(
            autoscaler.required_status_checks.unwrap().contexts.unwrap(),
            ["EasyCLA", "Helm Docs", "Helm chart", "test", "verify"]
        );
        let pages = bp
            .branch_policy("kubernetes", "autoscaler", "gh-pages")
            .unwrap()
            .unwrap();
        assert_eq!(pages.protect, Some(false));
        let spo = bp
            .get_org("kubernetes-sigs")
            .get_repo("security-profiles-operator");
        assert_eq!(spo.required_linear_history, Some(true));
        // Unset in the repo: the org's list as written.
        assert_eq!(
            spo.exclude.unwrap(),
            ["^revert-", "^dependabot/", "^copilot/", "^greenkeeper/"]
        );
        // Set in both: united and sorted.
        let azure = bp
            .get_org("kubernetes-sigs")
            .get_repo("cloud-provider-azure");
        assert_eq!(
            azure.exclude.unwrap(),
            [
                "^copilot/",
                "^dependabot/",
                "^doc/",
                "^greenkeeper/",
                "^revert-"
            ]
        );
        assert_eq!(
            bp.branch_policy("kubernetes-sigs", "cloud-provider-azure", "release-1.26")
                .unwrap()
                .unwrap()
                .protect,
            Some(true)
        );

        // Plank.
        let p = &cfg.plank;
        assert_eq!(p.default_decoration_config_entries.len(), 4);
        assert_eq!(secs(&p.pod_pending_timeout), Some(900));
        assert_eq!(secs(&p.pod_running_timeout), Some(48 * 3600));
        assert_eq!(secs(&p.pod_unscheduled_timeout), Some(300));
        assert_eq!(p.max_goroutines, 20);
        assert_eq!(p.job_queue_capacities["5k-gce-scale-test"], 4);
        assert_eq!(
            p.get_job_url_prefix("kubernetes", "kubernetes"),
            Some("https://prow.k8s.io/view/")
        );
        let k8s_dc = p
            .guess_default_decoration_config("kubernetes/kubernetes", "default")
            .unwrap();
        assert_eq!(secs(&k8s_dc.timeout), Some(7200));
        assert_eq!(secs(&k8s_dc.grace_period), Some(900));
        let v = serde_json::to_value(&k8s_dc).unwrap();
        assert_eq!(v["gcs_credentials_secret"], json!("service-account"));
        assert_eq!(
            v["gcs_configuration"]["bucket"],
            json!("kubernetes-ci-logs")
        );
        assert_eq!(v["gcs_configuration"]["path_strategy"], json!("legacy"));
        assert_eq!(v["blobless_fetch"], json!(true));
        let aks = p
            .guess_default_decoration_config("kubernetes/kubernetes", "k8s-infra-aks-prow-build")
            .unwrap();
        let v = serde_json::to_value(&aks).unwrap();
        assert_eq!(v["gcs_credentials_secret"], json!(""));
        assert_eq!(
            v["gcs_configuration"]["bucket"],
            json!("kubernetes-ci-logs")
        );
        assert!(
            p.report_template_for_repo("kubernetes", "kubernetes")
                .unwrap()
                .starts_with("[Full PR test history]")
        );

        // Sinker, deck and the rest.
        assert_eq!(secs(&cfg.sinker.resync_period), Some(60));
        assert_eq!(secs(&cfg.sinker.max_prowjob_age), Some(48 * 3600));
        assert_eq!(secs(&cfg.sinker.terminated_pod_ttl), Some(1800));
        assert_eq!(cfg.deck.spyglass.lenses.len(), 6);
        assert_eq!(cfg.deck.spyglass.size_limit, 200_000_000);
        assert_eq!(secs(&cfg.deck.tide_update_period), Some(1));
        assert_eq!(cfg.deck.hidden_repos, vec!["kubernetes-security"]);
        assert_eq!(cfg.deck.google_analytics, "UA-82843984-5");
        assert!(cfg.deck.rerun_auth_configs.is_empty());
        let rerun = cfg
            .deck
            .get_rerun_auth_config("kubernetes/kubernetes", "default")
            .unwrap();
        let slugs: Vec<&str> = rerun
            .github_team_slugs
            .iter()
            .map(|s| s.slug.as_str())
            .collect();
        assert_eq!(slugs, ["test-infra-admins", "milestone-maintainers"]);
        assert_eq!(cfg.prowjob_namespace, "default");
        assert_eq!(cfg.pod_namespace, "test-pods");
        assert_eq!(cfg.log_level, "debug");
        let slack = cfg
            .slack_reporter_configs
            .get_slack_reporter("kubernetes", "kubernetes")
            .unwrap();
        assert_eq!(slack.channel, "test-failures");
        assert_eq!(slack.job_types_to_report.len(), 3);
        assert_eq!(slack.report_template, DEFAULT_SLACK_REPORT_TEMPLATE);
        assert_eq!(
            cfg.github_reporter.job_types_to_report,
            vec![ProwJobType::Presubmit, ProwJobType::Postsubmit]
        );
    }
}
