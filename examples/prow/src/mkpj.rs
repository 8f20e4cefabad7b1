//! `prow mkpj`: make a ProwJob for a configured job, as upstream's `mkpj` does: print it as
//! YAML, or with `--trigger` create it in the store and wait for its result.

use std::process::ExitCode;

use anyhow::{Context, bail};
use chrono::Utc;
use prow_core::config::Config;
use prow_core::config::jobs::JobBase;
use prow_core::github::{GitHubClient, RepoName};
use prow_core::prowjob::pjutil::{
    new_prowjob, periodic_spec, postsubmit_spec, presubmit_spec, require_scheduling,
};
use prow_core::prowjob::{ProwJob, ProwJobSpec, ProwJobState, Pull, Refs};
use prow_core::traits::{JobStore, StoreError, WatchEvent};

use crate::flags::{ConfigFlags, GitHubFlags};
use crate::store::StoreFlags;

/// The flags of `prow mkpj`, named as upstream's.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The configuration.
    #[command(flatten)]
    pub config: ConfigFlags,
    /// The job to run.
    #[arg(long)]
    pub job: String,
    /// Git base ref under test.
    #[arg(long = "base-ref", default_value = "")]
    pub base_ref: String,
    /// Git base SHA under test.
    #[arg(long = "base-sha", default_value = "")]
    pub base_sha: String,
    /// Pull request number under test (presubmits).
    #[arg(long = "pull-number", default_value_t = 0)]
    pub pull_number: u64,
    /// Pull request head SHA under test.
    #[arg(long = "pull-sha", default_value = "")]
    pub pull_sha: String,
    /// Pull request author.
    #[arg(long = "pull-author", default_value = "")]
    pub pull_author: String,
    /// Branch name of the proposed change.
    #[arg(long = "pull-head-ref", default_value = "")]
    pub pull_head_ref: String,
    /// Create the job in the store and wait for its result; the exit code follows it
    /// (0 on success).
    #[arg(long, alias = "trigger-job")]
    pub trigger: bool,
    /// Accepted for upstream compatibility: with `--trigger` the exit code always follows
    /// the job's result.
    #[arg(long = "fail-with-job", hide = true)]
    pub fail_with_job: bool,
    /// Where ProwJobs live (with `--trigger`).
    #[command(flatten)]
    pub store: StoreFlags,
    /// GitHub, asked for what the flags leave out (a pull request's author and SHAs, a
    /// branch's head).
    #[command(flatten)]
    pub github: GitHubFlags,
}

/// `prow mkpj`.
pub fn main(args: &Args) -> ExitCode {
    crate::cli::block_on(run(args), ExitCode::from(2))
}

async fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let config = args.config.load_config()?;
    let job = make_job(args, &config).await?;
    if !args.trigger {
        print!("{}", prow_core::yaml::to_string(&job)?);
        return Ok(ExitCode::SUCCESS);
    }
    let store = args.store.open(&config).await?;
    let state = trigger_and_wait(store.as_ref(), job).await?;
    Ok(if state == ProwJobState::Success {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The ProwJob `args` describe, with what the flags leave out asked of GitHub.
pub async fn make_job(args: &Args, config: &Config) -> anyhow::Result<ProwJob> {
    let Some((base, mut spec)) = job_spec(args, config) else {
        bail!("job {:?} not found in the configuration", args.job);
    };
    if let Some(refs) = spec.refs.as_mut() {
        complete_refs(args, refs).await?;
    }
    let mut job = new_prowjob(spec, &base.labels, &base.annotations, Utc::now());
    require_scheduling(&mut job, config.prow.scheduler.enabled);
    Ok(job)
}

/// The job named `--job` and its spec, looked up as upstream does: presubmits, then
/// postsubmits, then periodics.
fn job_spec(args: &Args, config: &Config) -> Option<(JobBase, ProwJobSpec)> {
    let jobs = &config.jobs;
    for (full_name, presubmits) in &jobs.presubmits {
        let Some((org, repo)) = full_name.split_once('/') else {
            continue;
        };
        if let Some(p) = presubmits.iter().find(|p| p.job_base.name == args.job) {
            let refs = Refs {
                org: org.into(),
                repo: repo.into(),
                base_ref: args.base_ref.clone(),
                base_sha: args.base_sha.clone(),
                pulls: vec![Pull {
                    number: args.pull_number as i64,
                    author: args.pull_author.clone(),
                    sha: args.pull_sha.clone(),
                    head_ref: args.pull_head_ref.clone(),
                    ..Pull::default()
                }],
                ..Refs::default()
            };
            return Some((p.job_base.clone(), presubmit_spec(p, refs)));
        }
    }
    for (full_name, postsubmits) in &jobs.postsubmits {
        let Some((org, repo)) = full_name.split_once('/') else {
            continue;
        };
        if let Some(p) = postsubmits.iter().find(|p| p.job_base.name == args.job) {
            let refs = Refs {
                org: org.into(),
                repo: repo.into(),
                base_ref: args.base_ref.clone(),
                base_sha: args.base_sha.clone(),
                ..Refs::default()
            };
            return Some((p.job_base.clone(), postsubmit_spec(p, refs)));
        }
    }
    jobs.periodics
        .iter()
        .find(|p| p.job_base.name == args.job)
        .map(|p| (p.job_base.clone(), periodic_spec(p)))
}

/// Fills in the pull request's number, author and SHA and the base ref and SHA, asking
/// GitHub only for what is missing.
async fn complete_refs(args: &Args, refs: &mut Refs) -> anyhow::Result<()> {
    let repo = RepoName::new(&refs.org, &refs.repo);
    if let Some(pull) = refs.pulls.first_mut() {
        if pull.number == 0 {
            bail!("{} is a presubmit: --pull-number is required", args.job);
        }
        let missing_pr_facts = pull.author.is_empty()
            || pull.sha.is_empty()
            || refs.base_ref.is_empty()
            || refs.base_sha.is_empty();
        if missing_pr_facts {
            let pr = args
                .github
                .client()
                .await?
                .get_pull_request(&repo, pull.number as u64)
                .await
                .with_context(|| format!("fetching {repo}#{} from GitHub", pull.number))?;
            fill(&mut pull.author, &pr.user.login);
            fill(&mut pull.sha, &pr.head.sha);
            fill(&mut pull.head_ref, &pr.head.r#ref);
            fill(&mut refs.base_ref, &pr.base.r#ref);
            fill(&mut refs.base_sha, &pr.base.sha);
        }
        return Ok(());
    }
    if refs.base_ref.is_empty() {
        bail!("{} needs a base ref: pass --base-ref", args.job);
    }
    if refs.base_sha.is_empty() {
        let reference = format!("heads/{}", refs.base_ref);
        refs.base_sha = args
            .github
            .client()
            .await?
            .get_ref(&repo, &reference)
            .await
            .with_context(|| format!("reading {reference} of {repo} from GitHub"))?;
    }
    Ok(())
}

fn fill(field: &mut String, value: &str) {
    if field.is_empty() {
        *field = value.to_string();
    }
}

/// Creates `job` and follows it until it finishes, printing each state it reaches;
/// returns the final state.
pub async fn trigger_and_wait(store: &dyn JobStore, job: ProwJob) -> anyhow::Result<ProwJobState> {
    let name = job.metadata.name.clone();
    let mut watch = store.watch().await.context("watching the store")?;
    let created = store.create(job).await.context("creating the prowjob")?;
    println!("prowjob {name} created ({})", created.spec.job);
    let mut last = created.status.state.clone();
    loop {
        // Level-triggered: the stored job is the truth; the watch only says when to look.
        let current = match store.get(&name).await {
            Ok(job) => job,
            Err(StoreError::NotFound(_)) => bail!("prowjob {name} was deleted before it finished"),
            Err(e) => return Err(e).context("reading the prowjob"),
        };
        if current.status.state != last {
            last = current.status.state.clone();
            if let Some(state) = &last {
                println!(
                    "prowjob {name}: {} {}",
                    state.as_str(),
                    current.status.description
                );
            }
        }
        if current.complete() {
            let state = current.status.state.unwrap_or(ProwJobState::Error);
            if !current.status.url.is_empty() {
                println!("prowjob {name}: {}", current.status.url);
            }
            return Ok(state);
        }
        loop {
            match watch.next().await {
                Some(WatchEvent::Added(j) | WatchEvent::Modified(j) | WatchEvent::Deleted(j))
                    if j.metadata.name == name =>
                {
                    break;
                }
                Some(_) => continue,
                None => {
                    watch = store.watch().await.context("watching the store")?;
                    break;
                }
            }
        }
    }
}
