//! The state file of a local run, kept in its workspace so that a restarted server can tell
//! what became of it, and the process-group signalling the local executor relies on.

use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use nix::errno::Errno;
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use prow_core::traits::{Execution, ExecutionState};
use serde::{Deserialize, Serialize};

/// Name of the state file inside a workspace.
pub(crate) const STATE_FILE: &str = "run.json";

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum RunResult {
    /// The process exited 0.
    Succeeded,
    /// It failed: a non-zero exit, a failed clone, a timeout, an abort.
    Failed,
    /// It was lost when the server that ran it went away.
    Lost,
}

/// What is known of one run, persisted as `run.json` in its workspace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RunRecord {
    /// The ProwJob's name.
    pub job: String,
    /// When the workspace was made.
    pub created: DateTime<Utc>,
    /// The job process's ID, which is also its process group's ID, once spawned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<i32>,
    /// When the process was spawned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started: Option<DateTime<Utc>>,
    /// How the run ended, once decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<RunResult>,
    /// Why it ended so.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// When the result was decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished: Option<DateTime<Utc>>,
    /// The exit code (128 plus the signal for a killed process), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// Whether the process group is known to be gone (reaped and cleaned up).
    #[serde(default)]
    pub process_gone: bool,
}

impl RunRecord {
    /// A record for a run just created.
    pub fn new(job: &str) -> RunRecord {
        RunRecord {
            job: job.to_string(),
            created: Utc::now(),
            pid: None,
            started: None,
            result: None,
            description: String::new(),
            finished: None,
            exit_code: None,
            process_gone: false,
        }
    }

    /// Sets the result unless one is set already (an abort decided it first).
    pub fn decide(&mut self, result: RunResult, description: impl Into<String>) {
        if self.result.is_none() {
            self.result = Some(result);
            self.description = description.into();
            self.finished = Some(Utc::now());
        }
    }

    /// The run as the executor reports it.
    pub fn execution(&self) -> Execution {
        let (state, description) = match self.result {
            Some(RunResult::Succeeded) => (ExecutionState::Succeeded, self.description.clone()),
            Some(RunResult::Failed) => (ExecutionState::Failed, self.description.clone()),
            Some(RunResult::Lost) => (ExecutionState::Error, self.description.clone()),
            None if self.started.is_some() => {
                (ExecutionState::Running, "Job is running.".to_string())
            }
            None => (ExecutionState::Pending, "Job is pending.".to_string()),
        };
        Execution {
            state,
            description,
            name: self.job.clone(),
            started: self.started,
        }
    }

    /// Reads the record of a workspace; `None` when it has none.
    pub fn load(workspace: &Path) -> io::Result<Option<RunRecord>> {
        match std::fs::read(workspace.join(STATE_FILE)) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Writes the record into its workspace (atomically, through a rename).
    pub fn store(&self, workspace: &Path) -> io::Result<()> {
        let bytes = serde_json::to_vec_pretty(self).map_err(io::Error::other)?;
        let temp: PathBuf = workspace.join(format!(".{STATE_FILE}.tmp"));
        std::fs::write(&temp, bytes)?;
        std::fs::rename(&temp, workspace.join(STATE_FILE))
    }
}

/// Sends `signal` to every process of group `pgid`; a group that is gone is no error.
/// Groups 0 and 1 (the caller's own group, init) are never signalled.
pub(crate) fn signal_group(pgid: i32, signal: Signal) {
    if pgid <= 1 {
        return;
    }
    match killpg(Pid::from_raw(pgid), signal) {
        Ok(()) | Err(Errno::ESRCH) => {}
        Err(e) => tracing::warn!(pgid, %signal, error = %e, "cannot signal process group"),
    }
}

/// Whether any process of group `pgid` still exists.
pub(crate) fn group_alive(pgid: i32) -> bool {
    pgid > 1 && killpg(Pid::from_raw(pgid), None).is_ok()
}

/// Whether group `pgid` is still the job's: false when its leader runs with an environment
/// that does not name the job (the ID was reused). Where the leader's environment cannot
/// be read (it exited, a system without `/proc`) the group is taken to be the job's.
pub(crate) fn group_is_job(pgid: i32, job: &str) -> bool {
    let Ok(environ) = std::fs::read(format!("/proc/{pgid}/environ")) else {
        return true;
    };
    if environ.is_empty() {
        return true;
    }
    let marker = format!("{}={job}", prow_core::prowjob::env::PROW_JOB_ID_ENV);
    environ
        .split(|b| *b == 0)
        .any(|entry| entry == marker.as_bytes())
}

/// Kills what is left of a run that no live task drives (its server went away): SIGKILL to
/// its process group if that still runs the job. Returns whether anything was killed.
pub(crate) fn kill_orphan(record: &mut RunRecord) -> bool {
    let mut killed = false;
    if let Some(pgid) = record.pid
        && !record.process_gone
    {
        if group_alive(pgid) && group_is_job(pgid, &record.job) {
            tracing::info!(job = %record.job, pgid, "killing the orphaned process group of a lost run");
            signal_group(pgid, Signal::SIGKILL);
            killed = true;
        }
        record.process_gone = true;
    }
    killed
}
