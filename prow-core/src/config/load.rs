//! Loading a whole configuration as upstream's `config.Load` and `checkconfig` do: read
//! `config.yaml`, the job configs and `plugins.yaml`, default them, validate them, and
//! collect every problem with its file, line and field.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::Diagnostic;
use super::files::{job_config_files, par_map_mut, read_all};
use super::go_regex::RegexCache;
use super::jobs::{
    JobConfig, JobConfigError, JobDefaults, Periodic, Postsubmit, Preset, Presubmit,
    ValidationOptions, validate_periodics, validate_postsubmits, validate_presubmits,
};
use super::plugins::PluginsConfig;
use super::prow::ProwConfig;
use crate::prowjob::DecorationConfig;
use crate::yaml::{self, Document, Warning, WarningKind};

/// `config.yaml` and the job configs: what every Prow component reads.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The Prow config (`plank`, `tide`, `deck`, `sinker`, …).
    pub prow: ProwConfig,
    /// Presets and jobs from `config.yaml` and the job-config files.
    pub jobs: JobConfig,
}

/// What to load, named as upstream's flags.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// `--config-path`: config.yaml.
    pub config_path: PathBuf,
    /// `--job-config-path`: a job-config file or directory.
    pub job_config_path: Option<PathBuf>,
    /// `--plugin-config`: plugins.yaml.
    pub plugin_config: Option<PathBuf>,
    /// `--strict`: unknown fields and duplicate keys are errors, not warnings.
    pub strict: bool,
}

/// A loaded configuration and everything found wrong with it.
#[derive(Clone, Debug, Default)]
pub struct Loaded {
    /// The configuration, defaulted (and usable as far as the errors allow).
    pub config: Config,
    /// plugins.yaml, when one was given and it could be read.
    pub plugins: Option<PluginsConfig>,
    /// How many configuration files were read.
    pub files: usize,
    /// Warnings (unknown fields, deprecated forms, …).
    pub warnings: Vec<Diagnostic>,
    /// Errors: a configuration with any is not valid.
    pub errors: Vec<Diagnostic>,
}

impl Loaded {
    /// The configuration when there were no errors, else all the errors.
    pub fn into_result(self) -> Result<(Config, Option<PluginsConfig>), Vec<Diagnostic>> {
        if self.errors.is_empty() {
            Ok((self.config, self.plugins))
        } else {
            Err(self.errors)
        }
    }
}

/// Where each job of a file starts: (kind, repo, name) → line.
type JobLines = HashMap<(&'static str, String, String), usize>;

/// Loads, defaults and validates a configuration; never stops at the first problem.
pub fn load(options: &LoadOptions) -> Loaded {
    let mut out = Loaded::default();
    let mut lines: HashMap<String, JobLines> = HashMap::new();
    // The job configs of each file, config.yaml's first, in upstream's merge order.
    let mut parts: Vec<(PathBuf, JobConfig)> = Vec::new();
    let mut decorate_all_jobs = false;

    // config.yaml: the Prow config and, in the same document, presets and jobs.
    let config_path = &options.config_path;
    let config_text = std::fs::read_to_string(config_path);
    match &config_text {
        Err(e) => out.errors.push(Diagnostic::file(
            config_path,
            format!("error reading config: {e}"),
        )),
        Ok(text) => {
            out.files += 1;
            match read_config_file(text) {
                Err(e) => out
                    .errors
                    .push(Diagnostic::from_yaml_error(config_path, &e)),
                Ok((prow, mut jobs, warnings, job_lines)) => {
                    jobs.set_source_path(&display(config_path));
                    lines.insert(display(config_path), job_lines);
                    out.config.prow = prow;
                    decorate_all_jobs = jobs.decorate_all_jobs;
                    parts.push((config_path.clone(), jobs));
                    push_warnings(&mut out, config_path, &warnings, options.strict);
                }
            }
        }
    }

    // The job configs, parsed on all cores.
    if let Some(root) = &options.job_config_path {
        let paths = job_config_files(root, &mut out.errors);
        let parsed = read_all(&paths, |path, text| {
            let text = text.map_err(|e| {
                Diagnostic::file(path, format!("error reading {}: {e}", path.display()))
            })?;
            read_job_file(&text).map_err(|e| Diagnostic::from_yaml_error(path, &e))
        });
        for (path, result) in paths.into_iter().zip(parsed) {
            out.files += 1;
            match result {
                Err(diagnostic) => out.errors.push(diagnostic),
                Ok((mut jobs, warnings, job_lines)) => {
                    push_warnings(&mut out, &path, &warnings, options.strict);
                    jobs.set_source_path(&display(&path));
                    lines.insert(display(&path), job_lines);
                    parts.push((path, jobs));
                }
            }
        }
    }

    // Presets apply across files: gather them all first, refusing a file that repeats a
    // preset's label:value pair (as upstream's merge does).
    let mut presets = Vec::new();
    let mut pairs = HashSet::new();
    parts.retain_mut(|(path, jobs)| {
        let mut new_pairs = Vec::new();
        for preset in &jobs.presets {
            for (label, value) in &preset.labels {
                let pair = format!("{label}:{value}");
                if pairs.contains(&pair) || new_pairs.contains(&pair) {
                    out.errors.push(Diagnostic::file(
                        path,
                        format!("duplicated preset 'label:value' pair : {pair}"),
                    ));
                    return false;
                }
                new_pairs.push(pair);
            }
        }
        pairs.extend(new_pairs);
        presets.append(&mut jobs.presets);
        true
    });

    // Defaulting (upstream's finalizeJobConfig), each file's jobs on all cores, then the
    // merge.
    let prow = &mut out.config.prow;
    prow.set_defaults();
    let prow = &*prow;
    let decoration_configs = Mutex::new(HashMap::new());
    let finalized = par_map_mut(&mut parts, RegexCache::new, |cache, (_, jobs)| {
        // Only config.yaml's decorate_all_jobs counts, as upstream.
        jobs.decorate_all_jobs = false;
        let errors = finalize_part(prow, decorate_all_jobs, &presets, cache, jobs);
        share_decoration_configs(jobs, &decoration_configs);
        errors
    });
    drop(decoration_configs);
    let mut job_errors: Vec<JobConfigError> = finalized.into_iter().flatten().collect();
    let jobs = &mut out.config.jobs;
    jobs.presets = presets;
    jobs.decorate_all_jobs = decorate_all_jobs;
    for (_, part) in parts {
        jobs.periodics.extend(part.periodics);
        for (repo, list) in part.presubmits {
            jobs.presubmits.entry(repo).or_default().extend(list);
        }
        for (repo, list) in part.postsubmits {
            jobs.postsubmits.entry(repo).or_default().extend(list);
        }
    }

    // Validation: upstream's validateComponentConfig and ValidateJobConfig.
    let Config { prow, jobs } = &out.config;
    let prow_errors = prow.validate();
    if !prow_errors.is_empty() {
        // Rare: parse once more to point each error at its line.
        let document = config_text
            .as_deref()
            .ok()
            .and_then(|t| Document::parse(t).ok());
        for error in prow_errors {
            out.errors.push(Diagnostic {
                file: Some(config_path.clone()),
                line: document.as_ref().and_then(|d| d.line_of(&error.field)),
                column: None,
                field: error.field.clone(),
                message: error.message.clone(),
            });
        }
    }
    for warning in prow.warnings() {
        out.warnings.push(Diagnostic::file(config_path, warning));
    }
    job_errors.extend(validate_on_all_cores(prow, jobs));
    for error in job_errors {
        out.errors.push(job_diagnostic(&error, &lines));
    }

    // plugins.yaml.
    if let Some(path) = &options.plugin_config {
        load_plugins(path, options.strict, &mut out);
    }
    out
}

/// Upstream's `ValidateJobConfig`, one repository (and the periodics) at a time on all
/// cores, with the errors in upstream's order (presubmits, postsubmits, periodics).
fn validate_on_all_cores(prow: &ProwConfig, jobs: &JobConfig) -> Vec<JobConfigError> {
    enum Part<'a> {
        Presubmits(&'a str, &'a [Presubmit]),
        Postsubmits(&'a str, &'a [Postsubmit]),
        Periodics(&'a [Periodic]),
    }
    // The periodics, the largest part, go first so the other threads share the rest.
    let mut parts: Vec<Part<'_>> = std::iter::once(Part::Periodics(&jobs.periodics))
        .chain(
            jobs.presubmits
                .iter()
                .map(|(repo, list)| Part::Presubmits(repo, list)),
        )
        .chain(
            jobs.postsubmits
                .iter()
                .map(|(repo, list)| Part::Postsubmits(repo, list)),
        )
        .collect();
    let queue_defined = |queue: &str| prow.plank.job_queue_capacities.contains_key(queue);
    let results = par_map_mut(
        &mut parts,
        || (),
        |(), part| {
            let options = ValidationOptions {
                pod_namespace: &prow.pod_namespace,
                job_queue_defined: &queue_defined,
            };
            match part {
                Part::Presubmits(repo, list) => validate_presubmits(repo, list, &options),
                Part::Postsubmits(repo, list) => validate_postsubmits(repo, list, &options),
                Part::Periodics(list) => validate_periodics(list, &options),
            }
        },
    );
    let mut results = results.into_iter();
    let periodic_errors = results.next().unwrap_or_default();
    results.flatten().chain(periodic_errors).collect()
}

/// Defaults one file's jobs: decoration and ProwJob defaults from the Prow config (merged
/// once per repository and cluster), presets, and compiled regexes.
fn finalize_part(
    prow: &ProwConfig,
    decorate_all_jobs: bool,
    presets: &[Preset],
    cache: &mut RegexCache,
    jobs: &mut JobConfig,
) -> Vec<JobConfigError> {
    let decoration_memo = RefCell::new(HashMap::new());
    let decoration = |repo: &str, cluster: &str| {
        decoration_memo
            .borrow_mut()
            .entry((repo.to_string(), cluster.to_string()))
            .or_insert_with(|| {
                prow.plank
                    .guess_default_decoration_config(repo, cluster)
                    .map(Arc::new)
            })
            .clone()
    };
    let prowjob_memo = RefCell::new(HashMap::new());
    let prowjob_default = |repo: &str, cluster: &str| {
        Some(
            prowjob_memo
                .borrow_mut()
                .entry((repo.to_string(), cluster.to_string()))
                .or_insert_with(|| prow.get_prowjob_default(repo, cluster))
                .clone(),
        )
    };
    let defaults = JobDefaults {
        pod_namespace: &prow.pod_namespace,
        decorate_all_jobs,
        default_decoration: &decoration,
        default_prowjob: &prowjob_default,
    };
    jobs.finalize_with_presets(&defaults, cache, presets)
}

/// Decoration configs shared by the jobs whose configs are equal, keyed by their JSON.
type DecorationConfigs = Mutex<HashMap<String, Arc<DecorationConfig>>>;

/// Makes the jobs whose merged decoration configs are equal share one: most jobs of a
/// repository lay the same few settings (a timeout, say) over the same defaults.
fn share_decoration_configs(jobs: &mut JobConfig, shared: &DecorationConfigs) {
    for base in jobs.job_bases_mut() {
        let Some(dc) = &mut base.utility_config.decoration_config else {
            continue;
        };
        let Ok(key) = serde_json::to_string(&**dc) else {
            continue;
        };
        let mut shared = shared.lock().expect("decoration config table lock");
        let entry = shared.entry(key).or_insert_with(|| dc.clone());
        if !Arc::ptr_eq(entry, dc) && **entry == **dc {
            *dc = entry.clone();
        }
    }
}

fn load_plugins(path: &Path, strict: bool, out: &mut Loaded) {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            out.errors.push(Diagnostic::file(
                path,
                format!("error reading plugin config: {e}"),
            ));
            return;
        }
    };
    out.files += 1;
    let document = match Document::parse(&text) {
        Ok(document) => document,
        Err(e) => {
            out.errors.push(Diagnostic::from_yaml_error(path, &e));
            return;
        }
    };
    let mut warnings = document.warnings().to_vec();
    let mut plugins: PluginsConfig = match document.deserialize(&mut warnings) {
        Ok(plugins) => plugins,
        Err(e) => {
            out.errors.push(Diagnostic::from_yaml_error(path, &e));
            return;
        }
    };
    push_warnings(out, path, &warnings, strict);
    plugins.set_defaults();
    for error in plugins.validate() {
        out.errors.push(Diagnostic {
            file: Some(path.to_path_buf()),
            line: document.line_of(error.section),
            column: None,
            field: error.section.to_string(),
            message: error.message.clone(),
        });
    }
    for warning in plugins.warnings() {
        out.warnings.push(Diagnostic::file(path, warning));
    }
    out.plugins = Some(plugins);
}

type ConfigFile = (ProwConfig, JobConfig, Vec<Warning>, JobLines);

/// config.yaml holds the fields of both the Prow config and the job config: a top-level
/// key is unknown only when neither knows it.
fn read_config_file(text: &str) -> Result<ConfigFile, yaml::Error> {
    let document = Document::parse(text)?;
    let mut prow_warnings = Vec::new();
    let prow: ProwConfig = document.deserialize(&mut prow_warnings)?;
    let mut job_warnings = Vec::new();
    let jobs: JobConfig = document.deserialize(&mut job_warnings)?;
    let top_level_unknown =
        |w: &Warning| w.location.path.is_empty() && matches!(w.kind, WarningKind::UnknownField(_));
    let unknown_to_jobs: BTreeSet<(usize, usize)> = job_warnings
        .iter()
        .filter(|w| top_level_unknown(w))
        .map(|w| (w.location.line, w.location.column))
        .collect();
    let mut warnings = document.warnings().to_vec();
    warnings.extend(prow_warnings.into_iter().filter(|w| {
        !top_level_unknown(w) || unknown_to_jobs.contains(&(w.location.line, w.location.column))
    }));
    warnings.extend(job_warnings.into_iter().filter(|w| !top_level_unknown(w)));
    warnings.sort_by_key(|w| (w.location.line, w.location.column));
    let lines = job_lines(&document);
    Ok((prow, jobs, warnings, lines))
}

type JobFile = (JobConfig, Vec<Warning>, JobLines);

fn read_job_file(text: &str) -> Result<JobFile, yaml::Error> {
    let document = Document::parse(text)?;
    let mut warnings = document.warnings().to_vec();
    let jobs: JobConfig = document.deserialize(&mut warnings)?;
    warnings.sort_by_key(|w| (w.location.line, w.location.column));
    let lines = job_lines(&document);
    Ok((jobs, warnings, lines))
}

/// The line each job of a document starts on, to point validation errors at it.
fn job_lines(document: &Document<'_>) -> JobLines {
    let mut lines = JobLines::new();
    for (kind, repo, name, line) in document.job_positions() {
        lines.entry((kind, repo, name)).or_insert(line);
    }
    lines
}

fn push_warnings(out: &mut Loaded, path: &Path, warnings: &[Warning], strict: bool) {
    for warning in warnings {
        let diagnostic = Diagnostic::from_yaml_warning(path, warning);
        let fatal_when_strict = matches!(
            warning.kind,
            WarningKind::UnknownField(_) | WarningKind::DuplicateKey(_)
        );
        if strict && fatal_when_strict {
            out.errors.push(diagnostic);
        } else {
            out.warnings.push(diagnostic);
        }
    }
}

fn job_diagnostic(error: &JobConfigError, lines: &HashMap<String, JobLines>) -> Diagnostic {
    let file = (!error.source_path.is_empty()).then(|| PathBuf::from(&error.source_path));
    let mut field = String::new();
    let mut line = None;
    if let Some(job) = &error.job {
        let kind = job.job_type.as_str();
        field = match &job.repo {
            Some(repo) if !repo.is_empty() => format!("{kind} {:?} ({repo})", job.name),
            _ => format!("{kind} {:?}", job.name),
        };
        let section: &'static str = match kind {
            "presubmit" => "presubmits",
            "postsubmit" => "postsubmits",
            _ => "periodics",
        };
        line = lines.get(&error.source_path).and_then(|by_job| {
            by_job
                .get(&(
                    section,
                    job.repo.clone().unwrap_or_default(),
                    job.name.clone(),
                ))
                .copied()
        });
    }
    if let Some(name) = error.field {
        if !field.is_empty() {
            field.push_str(": ");
        }
        field.push_str(name);
    }
    Diagnostic {
        file,
        line,
        column: None,
        field,
        message: error.message.clone(),
    }
}

fn display(path: &Path) -> String {
    path.display().to_string()
}
