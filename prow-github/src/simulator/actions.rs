//! GitHub Actions workflow runs: seeded by tests as Actions would start them, listed with
//! GitHub's filters, approved (fork runs awaiting approval) and re-run (failed jobs).

use prow_core::github::{Permission, RepoName, WorkflowRun, WorkflowRunFilter};

use super::state::{State, forbidden, not_found, unprocessable};
use super::{SimResult, Simulator};

/// The status and conclusion of a run from a fork's pull request awaiting approval.
const ACTION_REQUIRED: &str = "action_required";

/// Whether a run awaits approval (GitHub shows it either as its status or as the conclusion
/// of a completed run).
fn awaits_approval(run: &WorkflowRun) -> bool {
    run.status == ACTION_REQUIRED || run.conclusion.as_deref() == Some(ACTION_REQUIRED)
}

impl State {
    /// The workflow runs of `repo` that `filter` selects, newest first.
    pub(crate) fn list_workflow_runs(
        &self,
        repo: &RepoName,
        filter: &WorkflowRunFilter,
    ) -> SimResult<Vec<WorkflowRun>> {
        let rec = self.repo(repo)?;
        Ok(rec
            .workflow_runs
            .iter()
            .rev()
            .filter(|run| filter.matches(run))
            .cloned()
            .collect())
    }

    /// The workflow run `id` of `repo`, to change, once `actor` may write to the repository.
    fn workflow_run_mut(
        &mut self,
        actor: &str,
        repo: &RepoName,
        id: u64,
    ) -> SimResult<&mut WorkflowRun> {
        let rec = self.repo(repo)?;
        self.check_access(actor, rec, Permission::Write, None)?;
        self.repo_mut(repo)?
            .workflow_runs
            .iter_mut()
            .find(|run| run.id == id)
            .ok_or_else(|| not_found(format!("workflow run {id} in {repo}")))
    }

    /// Approves run `id`, queueing it; not found unless it awaits approval (as GitHub
    /// answers for a run approved already).
    pub(crate) fn approve_workflow_run(
        &mut self,
        actor: &str,
        repo: &RepoName,
        id: u64,
    ) -> SimResult<()> {
        let run = self.workflow_run_mut(actor, repo, id)?;
        if !awaits_approval(run) {
            return Err(not_found(format!(
                "workflow run {id} in {repo} awaits no approval"
            )));
        }
        run.status = "queued".to_owned();
        run.conclusion = None;
        Ok(())
    }

    /// Re-runs the failed jobs of run `id`, queueing it again; refused while it has not
    /// completed.
    pub(crate) fn rerun_failed_workflow_jobs(
        &mut self,
        actor: &str,
        repo: &RepoName,
        id: u64,
    ) -> SimResult<()> {
        let run = self.workflow_run_mut(actor, repo, id)?;
        if run.status != "completed" {
            return Err(forbidden(format!("workflow run {id} is already running")));
        }
        run.status = "queued".to_owned();
        run.conclusion = None;
        Ok(())
    }
}

impl Simulator {
    /// Adds a workflow run to `repo`, as GitHub Actions would have started it (no webhook is
    /// sent). A run with ID 0 gets a fresh ID; returns the run's ID.
    pub fn add_workflow_run(&self, repo: &RepoName, mut run: WorkflowRun) -> SimResult<u64> {
        let mut st = self.lock();
        st.repo(repo)?;
        if run.id == 0 {
            run.id = st.id();
        }
        let rec = st.repo_mut(repo)?;
        if rec.workflow_runs.iter().any(|r| r.id == run.id) {
            return Err(unprocessable(format!(
                "workflow run {} exists in {repo}",
                run.id
            )));
        }
        let id = run.id;
        rec.workflow_runs.push(run);
        Ok(id)
    }

    /// The workflow runs of `repo`, oldest first.
    pub fn workflow_runs(&self, repo: &RepoName) -> SimResult<Vec<WorkflowRun>> {
        Ok(self.lock().repo(repo)?.workflow_runs.clone())
    }

    /// The workflow run `id` of `repo`.
    pub fn workflow_run(&self, repo: &RepoName, id: u64) -> SimResult<WorkflowRun> {
        self.workflow_runs(repo)?
            .into_iter()
            .find(|run| run.id == id)
            .ok_or_else(|| not_found(format!("workflow run {id} in {repo}")))
    }
}
