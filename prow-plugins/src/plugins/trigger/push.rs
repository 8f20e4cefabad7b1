//! Push events: start the postsubmits whose branch filters match the pushed branch and whose
//! `run_if_changed` / `skip_if_only_changed` match the files the pushed commits touch.

use std::collections::BTreeSet;

use prow_core::event::PushEvent;
use prow_core::prowjob::pjutil::{new_postsubmit, require_scheduling};
use prow_core::traits::{PluginContext, PluginError};

use super::create_with_retry;

/// The SHA GitHub sends as `after` when a ref is deleted.
const NULL_SHA: &str = "0000000000000000000000000000000000000000";

/// Handles a `push` event.
pub(super) async fn handle(ctx: &PluginContext, pe: &PushEvent) -> Result<(), PluginError> {
    if pe.deleted || pe.after == NULL_SHA {
        // A deleted branch has nothing to test.
        return Ok(());
    }
    let org_repo = format!("{}/{}", pe.repo.owner.login, pe.repo.name);
    let postsubmits = ctx.config.jobs.postsubmits_for(&org_repo);
    if postsubmits.is_empty() {
        return Ok(());
    }
    let mut changed = push_changed_files(pe);
    for job in postsubmits {
        let run = job
            .should_run(pe.branch(), &mut changed)
            .unwrap_or_else(|never| match never {});
        if !run {
            continue;
        }
        let mut pj = new_postsubmit(pe, job, chrono::Utc::now());
        pj.metadata.namespace = ctx.config.prow.prowjob_namespace.clone();
        require_scheduling(&mut pj, ctx.config.prow.scheduler.enabled);
        tracing::info!(job = %job.job_base.name, branch = pe.branch(), "starting a postsubmit");
        create_with_retry(ctx.jobs.as_ref(), pj).await?;
    }
    Ok(())
}

/// The files a push's commits add, remove or modify, each once, sorted.
pub fn push_changed_files(pe: &PushEvent) -> Vec<String> {
    let files: BTreeSet<&String> = pe
        .commits
        .iter()
        .flat_map(|c| c.added.iter().chain(&c.removed).chain(&c.modified))
        .collect();
    files.into_iter().cloned().collect()
}
