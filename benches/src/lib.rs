//! Shared helpers for the prow-rs benchmarks: finding the inputs, timing, and the peak
//! resident memory of a process.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The Kubernetes project's Prow configuration, when `../shared` is beside the checkout.
pub fn kubernetes_corpus() -> Option<PathBuf> {
    let root = workspace().join("../shared/corpus/kubernetes+test-infra/config");
    root.exists().then_some(root)
}

/// The best and the median of `runs` timings of `f` (after one warm-up run); dropping
/// what `f` returns is not timed.
pub fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, Duration) {
    std::hint::black_box(f());
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let out = std::hint::black_box(f());
            let elapsed = start.elapsed();
            drop(out);
            elapsed
        })
        .collect();
    times.sort();
    (times[0], times[times.len() / 2])
}

/// This process's peak resident set size in bytes (`VmHWM`), on Linux.
pub fn peak_rss_bytes() -> Option<u64> {
    proc_status_bytes("VmHWM:")
}

/// This process's resident set size now, in bytes (`VmRSS`), on Linux.
pub fn rss_bytes() -> Option<u64> {
    proc_status_bytes("VmRSS:")
}

fn proc_status_bytes(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Milliseconds, for printing.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// CPU time (user + system, all threads) this process has used so far, from
/// `/proc/self/stat`, at the kernel's tick resolution (10 ms); `None` off Linux.
pub fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 10))
}

/// Timings of one measurement, taken round by round.
#[derive(Debug, Default)]
pub struct Samples {
    wall: Vec<Duration>,
    cpu: Duration,
}

impl Samples {
    /// Runs `f` once (dropping its result untimed) and records wall and CPU time.
    pub fn run<T>(&mut self, f: impl FnOnce() -> T) {
        let cpu_before = cpu_time();
        let start = Instant::now();
        let out = std::hint::black_box(f());
        self.wall.push(start.elapsed());
        if let (Some(before), Some(after)) = (cpu_before, cpu_time()) {
            self.cpu += after.saturating_sub(before);
        }
        drop(out);
    }

    /// The fastest run.
    pub fn best(&self) -> Duration {
        self.wall.iter().min().copied().unwrap_or_default()
    }

    /// The median run.
    pub fn median(&self) -> Duration {
        let mut w = self.wall.clone();
        w.sort();
        w.get(w.len() / 2).copied().unwrap_or_default()
    }

    /// Mean CPU time of a run (all threads).
    pub fn cpu_per_run(&self) -> Duration {
        self.cpu / self.wall.len().max(1) as u32
    }

    /// The wall-time ratio to `other`, run by run, as the median of the per-round ratios
    /// (robust to a noisy machine, since both ran in the same rounds).
    pub fn median_ratio_to(&self, other: &Samples) -> f64 {
        let mut ratios: Vec<f64> = self
            .wall
            .iter()
            .zip(&other.wall)
            .map(|(a, b)| a.as_secs_f64() / b.as_secs_f64())
            .collect();
        ratios.sort_by(f64::total_cmp);
        ratios.get(ratios.len() / 2).copied().unwrap_or(f64::NAN)
    }
}
